"""The docs stay true: every public name has a docstring, every command and notebook is in the README."""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import ddj
import ddj.commands
from tests.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _modules():
    for info in pkgutil.walk_packages(ddj.__path__, prefix="ddj."):
        if info.name.split(".")[-1].startswith("_") or info.name.startswith("ddj.commands."):
            continue
        yield info.name


@pytest.mark.parametrize("name", sorted(_modules()))
def test_every_public_function_and_class_has_a_docstring(name):
    module = importlib.import_module(name)
    assert module.__doc__, f"{name} has no module docstring"
    missing = []
    for attr, value in vars(module).items():
        if attr.startswith("_") or getattr(value, "__module__", None) != name:
            continue
        if (inspect.isfunction(value) or inspect.isclass(value)) and not inspect.getdoc(value):
            missing.append(attr)
    assert missing == [], f"{name}: no docstring on {', '.join(missing)}"


def test_public_surface_resolves():
    for name in ddj.__all__:
        assert getattr(ddj, name) is not None, name


@pytest.mark.parametrize(
    "command",
    sorted(
        importlib.import_module(f"ddj.commands.{m.name}").NAME
        for m in pkgutil.iter_modules(ddj.commands.__path__)
        if not m.name.startswith("_")
    ),
)
def test_every_command_is_in_the_readme(command):
    assert re.search(rf"`ddj {re.escape(command)}\b", README), f"`ddj {command}` is not documented in README.md"


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_every_notebook_is_in_the_readme(notebook):
    assert notebook in README, f"{notebook} is not described in README.md"


@pytest.mark.parametrize(
    "section",
    ["## The two commands", "## Data", "## Notebooks", "## Method notes", "## Reproducibility", "## Licensing"],
)
def test_readme_has_the_required_sections(section):
    assert section in README


def test_readme_names_both_commands_and_ci_runs_the_tests():
    assert "make reports" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _subcommands() -> dict:
    from ddj.cli import build_parser

    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]  # noqa: SLF001 - argparse has no public API for its subparsers
    return dict(sub.choices)


def _filter_flags_documented() -> set[str]:
    """The flags of the Explorer's filter table (the README's "filter flags")."""
    rows = [line for line in README.splitlines() if line.startswith("| `") and "| `--" in line]
    return set(re.findall(r"`(--[a-z-]+)`", "\n".join(rows)))


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_the_readme_command_table_names_every_flag_of_the_command(command):
    """Every long option of ``ddj COMMAND --help`` is in the command's row of the README's table (its short form
    counts), or, for the filter flags, in the filter table the row points to with "[filter flags]".
    """
    parser = _subcommands()[command]
    table = README.split("| command | what it does |", 1)[1].split("\n\n", 1)[0]
    rows = " ".join(line for line in table.splitlines() if line.startswith(f"| `ddj {command}"))
    assert rows, f"no row for `ddj {command}` in the README's command table"
    filter_flags = _filter_flags_documented() if "[filter flags]" in rows else set()
    missing = []
    for action in parser._actions:  # noqa: SLF001 - argparse has no public API for its subparsers
        longs = [o for o in action.option_strings if o.startswith("--") and o != "--help"]
        if not longs:
            continue
        if (
            any(re.search(rf"{re.escape(o)}(?![a-z-])", rows) for o in action.option_strings)
            or set(longs) & filter_flags
        ):
            continue
        missing.append(longs[0])
    assert not missing, f"`ddj {command}` has flags the README's command table does not name: {missing}"


def _public_modules():
    """Every module of ddj with no leading underscore anywhere in its dotted path (``ddj.commands.*`` included)."""
    for info in pkgutil.walk_packages(ddj.__path__, prefix="ddj."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            yield info.name


def _public_functions(name):
    """``(qualified name, function)`` for each public function of module ``name`` and each public method of its
    public classes, defined in that module.
    """
    module = importlib.import_module(name)
    for attr, value in vars(module).items():
        if attr.startswith("_") or getattr(value, "__module__", None) != name:
            continue
        if inspect.isfunction(value):
            yield attr, value
        elif inspect.isclass(value):
            for method_name, member in vars(value).items():
                if method_name.startswith("_"):
                    continue
                method = member.__func__ if isinstance(member, staticmethod | classmethod) else member
                if inspect.isfunction(method):
                    yield f"{attr}.{method_name}", method


def _parameter_names(function) -> list[str]:
    """The names in ``function``'s signature, without self and cls; ``*args`` and ``**kwargs`` count by name."""
    return [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]


def _documented_parameters(doc: str) -> set[str] | None:
    """The names the numpy "Parameters" section of ``doc`` lists (``name`` or ``name : type`` at the start of a
    line, ``*args`` read as ``args``), or None when there is no such section.
    """
    lines = doc.splitlines()
    names: set[str] | None = None
    for i, line in enumerate(lines):
        underlined = i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1].strip()) is not None
        if names is None:
            if line.strip() == "Parameters" and underlined:
                names = set()
            continue
        if underlined and line.strip():  # the next section's heading
            break
        match = re.match(r"\*{0,2}(\w+)(?:\s*,\s*\*{0,2}\w+)*\s*(?::.*)?$", line)
        if match and not line[:1].isspace():
            names.update(n.strip().lstrip("*") for n in line.split(":", 1)[0].split(","))
    return names


def _undocumented_parameters(name) -> list[str]:
    """``function: missing, names`` for each public function of module ``name`` with three or more parameters whose
    Parameters section is missing or leaves some of them out.
    """
    found = []
    for qualname, function in _public_functions(name):
        params = _parameter_names(function)
        if len(params) < 3:
            continue
        documented = _documented_parameters(inspect.getdoc(function) or "")
        if documented is None:
            found.append(f"{qualname}: no Parameters section")
        elif missing := [p for p in params if p not in documented]:
            found.append(f"{qualname}: {', '.join(missing)} not in its Parameters section")
    return found


def test_the_parameters_section_reader():
    doc = "Do it.\n\nParameters\n----------\nframe : pl.DataFrame\n    Rows.\na, b\n    Ends.\n*args\n    More.\n\n"
    doc += "Returns\n-------\nint\n    Not a parameter.\n"
    assert _documented_parameters(doc) == {"frame", "a", "b", "args"}
    assert _documented_parameters("Do it.\n\nReturns\n-------\nx : int\n") is None


@pytest.mark.parametrize("name", sorted(_public_modules()))
def test_every_function_of_three_or_more_parameters_documents_them(name):
    undocumented = _undocumented_parameters(name)
    assert undocumented == [], f"{name} (numpy Parameters section needed):\n" + "\n".join(undocumented)


# --- rooms with one job each: the package's layout stays true -------------------------------------------------

_PACKAGE = ROOT / "ddj"


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(name: str, tree: ast.Module, is_package: bool) -> set[str]:
    """The modules ``name`` names in imports that run when it is imported (not in functions, not TYPE_CHECKING)."""
    named: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody, *[h.body for h in node.handlers]):
                    visit(block)
            elif isinstance(node, ast.Import):
                named.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - node.level + 1]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                named.add(module)
                named.update(f"{module}.{alias.name}" for alias in node.names)  # `from pkg import submodule`

    visit(tree.body)
    return named


def import_graph(package: Path) -> dict[str, set[str]]:
    """Each module of the package in the folder ``package`` with the package's modules its import runs at once.

    Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``; the packages that hold the importing module are already
    importing when it runs, so they are no edge (a submodule importing a sibling through its package is no cycle).
    """
    files = {_module_name(p, package.parent): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        holders = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        edges = set()
        for module in _top_level_imports(name, tree, path.name == "__init__.py"):
            parts = module.split(".")
            for i in range(1, len(parts) + 1):
                run = ".".join(parts[:i])
                if run in files and run != name and run not in holders:
                    edges.add(run)
        graph[name] = edges
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of two or more modules (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            step = next(edges, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.get(step, ())))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_the_cycle_finder_finds_a_cycle_and_ignores_a_package_importing_its_own_modules(tmp_path):
    package = tmp_path / "ddj"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from ddj.a import A\n")
    (package / "a.py").write_text("from ddj import b\nA = 1\n")
    (package / "b.py").write_text("if TYPE_CHECKING:\n    import ddj.c\ndef f():\n    import ddj.a\n")
    (package / "c.py").write_text("import ddj.sub.d\n")
    (package / "sub" / "__init__.py").write_text("from ddj.sub.d import D\n")
    (package / "sub" / "d.py").write_text("from ddj.sub import e\nfrom . import e as again\nD = 1\n")
    (package / "sub" / "e.py").write_text("from ..c import x\n")
    graph = import_graph(package)
    assert graph["ddj.b"] == set()  # an import inside a function or under TYPE_CHECKING runs later, if ever
    assert graph["ddj.sub.d"] == {"ddj.sub.e"}  # its own package is already importing
    assert import_cycles(graph) == [["ddj.c", "ddj.sub", "ddj.sub.d", "ddj.sub.e"]]


def test_ddj_has_no_import_cycles():
    assert import_cycles(import_graph(_PACKAGE)) == []


# Every exception class lives in ddj/errors.py. ddj.warnings holds the data-caveat warning categories (shown with
# warnings.warn, never raised), as agate keeps its warns.py apart.
_EXCEPTION_HOMES = {"ddj.errors", "ddj.warnings"}
# Waiting for the helper that owns the file: moved to ddj.errors.UndecodableBytesError (see the lead's notes).
_EXCEPTIONS_TO_MOVE: set[str] = set()


def _all_modules() -> list[str]:
    return sorted(_module_name(p) for p in _PACKAGE.rglob("*.py") if p.stem != "__main__")


def test_no_module_outside_errors_defines_an_exception_class():
    found = set()
    for name in _all_modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == name:
                found.add(f"{name}.{attr}")
        # classes defined inside functions, by their bases' names
        source = inspect.getsource(module)
        for node in ast.walk(ast.parse(source)):
            bases = [ast.unparse(b) for b in getattr(node, "bases", [])]
            if isinstance(node, ast.ClassDef) and any(b.endswith(("Error", "Exception", "Warning")) for b in bases):
                found.add(f"{name}.{node.name}")
    outside = {qualified for qualified in found if qualified.rsplit(".", 1)[0] not in _EXCEPTION_HOMES}
    assert outside <= _EXCEPTIONS_TO_MOVE, f"move these to ddj/errors.py: {sorted(outside - _EXCEPTIONS_TO_MOVE)}"


def test_every_ddj_usage_error_keeps_usage_error_as_its_base():
    import ddj.errors

    usage = [v for v in vars(ddj.errors).values() if inspect.isclass(v) and issubclass(v, ddj.errors.UsageError)]
    assert len(usage) >= 9
    assert all(inspect.getdoc(cls) for cls in usage)


# A module whose name is also a function of its package (`import ddj.datasets.load as m` gave the function, before
# the module became ddj.datasets.loading). None is left.
_SHADOWED_MODULES: set[str] = set()


def test_no_callable_modules_and_no_module_hidden_behind_a_function():
    import sys
    import types

    shadowed = set()
    for name in _all_modules():
        module = importlib.import_module(name)
        assert type(sys.modules[name]) is types.ModuleType and not callable(sys.modules[name]), name
        parent, _, leaf = name.rpartition(".")
        if parent and getattr(sys.modules[parent], leaf, module) is not module:
            shadowed.add(name)
    assert shadowed <= _SHADOWED_MODULES, f"rename these modules or the functions: {sorted(shadowed)}"
