"""The house's plan, checked on the source: layers import only downward, no import cycles, small modules.

Every import statement of the package counts — at module level, inside functions (lazy imports) and under
``TYPE_CHECKING`` — because a back-arrow is a back-arrow wherever it is written.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "llgd_proof"

# bottom to top: a module may import from its own layer and the layers before it, never after
LAYERS = [
    "errors", "symbolic", "checker", "analysis", "engines", "scale", "proofs", "theorems", "report",
    "search", "claims", "experiments", "api", "cli",
]  # fmt: skip
MAX_LINES = 620  # "no module over ~600 lines"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    path = PACKAGE.parent / dotted.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(path: Path) -> set[str]:
    """The llgd_proof modules that ``path`` imports (a name imported from a package counts as its module)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("llgd_proof")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("llgd_proof"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if _is_module(sub) else target)
    found.discard(name)
    return found


GRAPH = {_module_name(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_belongs_to_a_layer():
    """Each module of the package sits in one of the declared layers (a new top-level module needs a place)."""
    assert {_layer(module) for module in GRAPH} - {"__init__"} <= set(LAYERS)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_go_only_downward(module):
    """A module imports from its own layer or a lower one; the package root (``__version__``) is the floor."""
    if module == "llgd_proof":
        assert GRAPH[module] == set(), "the package root imports nothing"
        return
    rank = LAYERS.index(_layer(module))
    upward = sorted(target for target in GRAPH[module] if target != "llgd_proof" and LAYERS.index(_layer(target)) > rank)
    assert not upward, f"{module} imports from a higher layer: {upward}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_there_are_no_import_cycles():
    """Zero cycles among modules, lazy and type-checking imports included (a package imports its own modules)."""
    graph = {module: {t for t in targets if not (module == t.rsplit(".", 1)[0] or t == "llgd_proof")} for module, targets in GRAPH.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    """The check above can fail: a two-module loop and a three-module loop are both reported."""
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}, "f": {"a"}}) == [["a", "b"], ["c", "d", "e"]]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_is_too_long(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("__init__.py")), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_each_subpackage_has_a_face(path):
    """Every ``__init__`` opens with a docstring that says what the layer holds."""
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring and len(docstring) > 40


def test_the_cli_goes_through_the_api():
    """The CLI imports only :mod:`llgd_proof.api`, the report layer and the error types."""
    for module, targets in GRAPH.items():
        if _layer(module) == "cli":
            assert {t for t in targets if _layer(t) not in ("cli", "api", "report", "errors")} == set(), module


def _prints(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id == "print":
                lines.append(node.lineno)
            elif isinstance(function, ast.Attribute) and function.attr == "write" and isinstance(function.value, ast.Attribute) and function.value.attr in ("stdout", "stderr"):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", [p for p in sorted(PACKAGE.rglob("*.py")) if _layer(_module_name(p)) != "cli"], ids=lambda path: str(path.relative_to(PACKAGE)))
def test_library_code_never_prints(path):
    """Outside the CLI nothing writes to stdout or stderr: the library warns (``warnings``) or returns values."""
    assert _prints(path) == []
