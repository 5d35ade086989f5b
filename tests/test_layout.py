"""The package's rooms keep their rules: every exception in ddj/errors.py, no callable modules, no import cycles."""

from __future__ import annotations

import ast
import functools
import types
from collections.abc import Iterable
from pathlib import Path

import pytest

import ddj

PACKAGE = Path(ddj.__file__).parent
#: Packages whose modules must not import each other in a circle (at import time).
ACYCLIC = ("ddj.datasets", "ddj.importers", "ddj.tally")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def _modules() -> dict[str, ast.Module]:
    """Every module of ddj, parsed once, when a test first asks (not when the suite is collected: parsing takes a
    second, and every pytest-xdist worker collects every module, while one runs these tests).
    """
    return {_module_name(p): ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))}


def _base_name(base: ast.expr) -> str:
    return base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")


def _exception_classes(tree: ast.Module) -> list[str]:
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and any(_base_name(b).endswith(("Error", "Exception")) for b in node.bases)
    ]


def test_every_public_exception_class_is_defined_in_errors():
    outside = {
        name: [c for c in _exception_classes(tree) if not c.startswith("_")]
        for name, tree in _modules().items()
        if name != "ddj.errors"
    }
    assert {name: classes for name, classes in outside.items() if classes} == {}
    assert "ImportFormatError" in _exception_classes(_modules()["ddj.errors"])  # the check sees a class it must see


@pytest.mark.parametrize("name", ["ddj.compare", "ddj.tally"])
def test_subpackages_are_plain_modules(name):
    package = getattr(ddj, name.split(".")[1])
    assert type(package) is types.ModuleType and not callable(package)
    assert callable(getattr(package, name.split(".")[1]))  # ddj.compare.compare, ddj.tally.tally


def _named(name: str, nodes: Iterable[ast.AST]) -> set[str]:
    """Modules of ddj other than ``name`` that the import statements among ``nodes`` name."""
    found: set[str] = set()
    for item in nodes:
        if isinstance(item, ast.Import):
            found.update(alias.name for alias in item.names)
        elif isinstance(item, ast.ImportFrom) and item.module and item.level == 0:
            found.add(item.module)
            found.update(f"{item.module}.{alias.name}" for alias in item.names)
    return {m for m in found if m in _modules() and m != name}


def _imports(name: str, tree: ast.Module) -> set[str]:
    """Modules of ddj that ``name`` imports when it is imported (module-level statements, not TYPE_CHECKING)."""
    at_import = [
        node
        for node in tree.body
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef))
        and not (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
    ]
    return _named(name, (item for node in at_import for item in ast.walk(node)))


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_no_import_cycles_among_datasets_importers_and_tally():
    inside = {n for n in _modules() if n.startswith(ACYCLIC) and n not in ACYCLIC}  # packages' faces import their rooms
    graph = {n: _imports(n, _modules()[n]) & inside for n in inside}
    assert "ddj.datasets.tally_kind" in graph["ddj.datasets.kinds"]  # the check sees an edge it must see
    assert _cycle(graph) == []


def _every_import(name: str, tree: ast.Module) -> set[str]:
    """Modules of ddj that ``name`` names in any import: at module level, inside functions, under TYPE_CHECKING."""
    return _named(name, ast.walk(tree))


def test_no_module_of_ddj_imports_itself_round_a_circle_even_late_or_for_types():
    """No loop of imports anywhere in ddj, counting the imports a function makes when it runs and those made for
    type annotations only: a late import hides a circle from Python, not from the reader. A package's face (its
    ``__init__``) hands on its rooms' names, so the edges into it are left out.
    """
    packages = {n for n in _modules() if (PACKAGE.parent / n.replace(".", "/") / "__init__.py").is_file()}
    graph = {n: _every_import(n, tree) - packages for n, tree in _modules().items() if n not in packages}
    assert "ddj.report.runner.run" in graph["ddj.commands.run"]  # an import inside a function is seen
    assert "ddj.importers._common" in graph["ddj.importers._names"]  # and one for annotations only
    assert _cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []
