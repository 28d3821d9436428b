"""Every notebook executes from a fresh install (jupytext percent files, run with nbclient).

With ``LLGD_NOTEBOOK_CACHE=DIR`` the executed notebooks are also stored in the jupyter-cache at DIR, converted
exactly as the docs build converts them (docs/_ext/notebook_format.py), so a docs build run with
``LLGD_DOCS_NB_EXECUTION=cache`` reuses these outputs (CI does this; see .ci/run).
"""

import importlib.util
import os
import pathlib
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
NEEDS_TORCH = {"06_networks.py"}
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
from notebook_format import as_ipynb  # noqa: E402


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path, tmp_path):
    pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    if path.name in NEEDS_TORCH and (importlib.util.find_spec("torch") is None or importlib.util.find_spec("sklearn") is None):
        pytest.skip("the network notebook needs the [nn] extra (PyTorch, scikit-learn)")
    notebook = nbformat.reads(as_ipynb(path.read_text(encoding="utf-8")), as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(tmp_path)}})
    started = time.perf_counter()
    client.execute()
    errors = [output for cell in notebook.cells for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors
    if os.environ.get("LLGD_NOTEBOOK_CACHE"):
        _store(notebook, path, time.perf_counter() - started)


def _store(notebook, path: pathlib.Path, seconds: float) -> None:
    """Put the executed notebook in the jupyter-cache that myst-nb reads (docs/conf.py, cache mode)."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(os.environ["LLGD_NOTEBOOK_CACHE"])
    cache.cache_notebook_bundle(CacheBundleIn(notebook, uri=str(path), data={"execution_seconds": seconds}), overwrite=True)
