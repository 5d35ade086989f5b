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
