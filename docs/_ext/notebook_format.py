"""How a jupytext percent file in notebooks/ becomes the notebook the site executes (no Sphinx import).

The docs build (llgd_docs) and tests/test_notebooks.py both convert with :func:`as_ipynb`, so a notebook the tests
executed has the same cells, ids and kernelspec as the one myst-nb looks up in its jupyter-cache: with
``LLGD_NOTEBOOK_CACHE`` set, the tests store their executed notebooks there and a build with
``LLGD_DOCS_NB_EXECUTION=cache`` shows those outputs instead of executing every notebook a second time (a miss
executes as usual).
"""

from __future__ import annotations


def as_ipynb(source: str) -> str:
    """A jupytext percent file as notebook JSON (no outputs), for the python3 kernel; myst-nb executes it.

    Converted here rather than read through ``nb_custom_formats``, so that ``.py`` is not a source suffix of the
    site and links to example scripts stay plain file links.
    """
    import jupytext
    import nbformat

    notebook = jupytext.reads(source, fmt="py:percent")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.pop("jupytext", None)
    for index, cell in enumerate(notebook.cells):  # stable ids, so an unchanged notebook writes identical JSON
        cell["id"] = f"cell-{index}"
    return nbformat.writes(notebook)
