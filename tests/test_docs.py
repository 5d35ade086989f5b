"""The docs stay true: every public name has a docstring, every command and notebook is in the README."""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import ddj
import ddj.commands

ROOT = Path(__file__).resolve().parents[1]
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
