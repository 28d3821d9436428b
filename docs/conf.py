"""Sphinx configuration of the llgd_proof documentation site.

Build (from the repository root): ``pip install ".[docs]" && sphinx-build -W -j auto -b html docs docs/_build/html``.

The catalogue, the command reference, the API page and the notebook sources are written from the library at
build time by ``_ext/llgd_docs.py`` (git-ignored), so they follow the code without hand edits.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent

# Import the package of this checkout (not some other installed copy), here and in the notebook kernels.
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(DOCS / "_ext"))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
# Notebook figures are captured by the inline backend; an inherited MPLBACKEND=Agg would silently drop them.
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"

from llgd_proof import __version__

project = "llgd_proof"
author = "the llgd_proof authors"
copyright = "the llgd_proof authors, MIT licence"
release = version = __version__

extensions = [
    "myst_nb",  # MyST markdown + executed notebooks (it loads myst_parser itself)
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "llgd_docs",  # writes catalogue/, cli/, api/, notebooks/ from the library (see its docstring)
]

# Sources: the MyST pages and the notebooks that llgd_docs converts from notebooks/*.py (jupytext percent files)
# into docs/notebooks/*.ipynb. Python files under docs/ (this file, _ext/, examples/) are code, not pages.
include_patterns = ["**.md", "notebooks/*.ipynb"]
exclude_patterns = ["_build", "_ext", "spec", "examples", "figures", "**/.ipynb_checkpoints"]
# spec/theory.md is a verbatim copy of the specification; theory.md includes it.

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# Notebooks: jupytext percent files, executed on every build (so the figures are those of this code), each in a
# temporary directory (05_atlas.py writes its PNGs to the working directory). LLGD_DOCS_NB_EXECUTION=cache keeps
# outputs between local builds while the notebook text is unchanged (jupyter-cache in docs/_build/.jupyter_cache).
nb_execution_mode = os.environ.get("LLGD_DOCS_NB_EXECUTION", "force")
nb_execution_cache_path = str(Path(__file__).resolve().parent / "_build" / ".jupyter_cache")  # tests/test_notebooks.py fills it in CI
nb_execution_timeout = 600
nb_execution_in_temp = True
nb_execution_raise_on_error = True  # a notebook that fails stops the build
nb_execution_show_tb = True
nb_merge_streams = True

# autodoc: document what the public modules export, in source order; type hints stay in the signature.
autodoc_default_options = {"members": True, "member-order": "bysource", "undoc-members": False}
autodoc_typehints = "signature"
napoleon_google_docstring = True
napoleon_numpy_docstring = True

# Docstrings cross-reference internal objects (:class:`~llgd_proof.theorems.base.Theorem`, :mod:`...`) that the
# API page does not document one by one, and the guide links API functions that other branches add (e.g.
# {py:func}`llgd_proof.api.load_claim`); with nitpicky off an unresolved role renders as code, raises no warning,
# and becomes a link as soon as the object is documented.
nitpicky = False
suppress_warnings: list[str] = []  # none needed; add one only with the reason beside it

html_theme = "furo"
html_title = f"llgd_proof {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
