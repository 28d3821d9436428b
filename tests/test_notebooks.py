"""Every notebook executes from a fresh install (jupytext percent files, run with nbclient)."""

import importlib.util
import pathlib

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).parent.parent / "notebooks").glob("*.py"))
NEEDS_TORCH = {"06_networks.py"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path, tmp_path):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    if path.name in NEEDS_TORCH and (importlib.util.find_spec("torch") is None or importlib.util.find_spec("sklearn") is None):
        pytest.skip("the network notebook needs the [nn] extra (PyTorch, scikit-learn)")
    notebook = jupytext.read(path)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [output for cell in notebook.cells for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors
