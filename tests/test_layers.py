"""The layering contract (DESIGN §2): protocol ← firmware_model ← hil, no runtime import cycle, and no
hand-written module over the size a reader can hold. An AST walk over the three packages: imports under
``if TYPE_CHECKING:`` are not run and do not count; imports inside functions do (they run)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("protocol", "firmware_model", "hil")
#: what each layer may import from the project (itself implied)
ALLOWED = {"protocol": set(), "firmware_model": {"protocol"}, "hil": {"protocol", "firmware_model"}}
MAX_MODULE_LINES = 400
#: generated modules (from the device definition), not written by hand
GENERATED = {"protocol.spec.generated"}



def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "build" not in p.parts}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The project modules that importing ``name`` runs, directly (a ``from pkg import mod`` names the module)."""
    is_pkg = path.name == "__init__.py"
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = name.split(".") if is_pkg else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                for a in child.names:
                    found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m.split(".")[0] in PACKAGES and m in modules}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, name, modules) for name, path in modules.items()}


@pytest.mark.requirement("SRS-ARCH-001")
def test_each_layer_imports_only_the_layers_below_it(graph):
    upward = sorted(f"{m} imports {dep}" for m, deps in graph.items() for dep in deps
                    if dep.split(".")[0] != m.split(".")[0] and dep.split(".")[0] not in ALLOWED[m.split(".")[0]])
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


@pytest.mark.requirement("SRS-ARCH-001")
def test_no_runtime_import_cycle(graph):
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.requirement("SRS-ARCH-002")
def test_no_hand_written_module_is_over_400_lines():
    long = {name: n for name, path in _modules().items() if name not in GENERATED
            and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


@pytest.mark.requirement("SRS-ARCH-002")
def test_every_package_states_its_public_api():
    """Each sub-package's ``__init__`` says what it is; the leaf packages export their API in ``__all__``."""
    bare = []
    for init in sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        if ast.get_docstring(tree) is None:
            bare.append(str(init.relative_to(ROOT)))
    assert bare == []


@pytest.mark.requirement("SRS-ARCH-002")
def test_no_test_imports_another_test_file_or_a_benchmark():
    """Shared test code lives in `tests.support`; a test module or a benchmark script (``bench_*``) is never
    imported by a test (the benchmarks' history tool, `benchmarks.history`, is a library and may be)."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                          if n.split(".")[-1].startswith(("test_", "bench_"))]
    assert offenders == []
