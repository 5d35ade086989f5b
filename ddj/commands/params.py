"""``ddj params``: list a notebook's parameters with their types, defaults, constraints and comments."""

from __future__ import annotations

import argparse

NAME = "params"
HELP = "List a notebook's parameters: name, type, default, constraints and what each is for."


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj params`` to ``parser``."""
    parser.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb file")
    parser.add_argument("--json", action="store_true", help="print the parameters as JSON")


def run(args: argparse.Namespace) -> int:
    """Types are shown as Papermill's ``--help-notebook`` shows them (the annotation or ``# type:`` comment as
    written, ``Unknown type`` for an untyped ``None``), or as ddj reads them from the default. Lines of the
    cell ddj skips are listed as warnings on standard error.
    """
    import json
    import sys

    from ddj.report.runner.params import read_parameters

    spec = read_parameters(args.notebook)
    for warning in spec.warnings:
        print(f"ddj params: warning: {warning}", file=sys.stderr)
    rows = [
        {
            "name": p.name,
            "type": p.display_type,
            "checked_type": p.type_text,
            "default": p.default,
            "constraints": p.constraints_text,
            "comment": p.comment,
        }
        for p in spec
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not spec.has_cell:
        print(
            f"{args.notebook}: no cell is tagged 'parameters', so it takes no parameters "
            "(ddj run runs it as it is; -p is refused)"
        )
        return 0
    if not rows:
        print(f"{args.notebook}: the parameters cell declares no parameters")
        return 0
    for row in rows:
        constraints = f"  [{row['constraints']}]" if row["constraints"] else ""
        print(f"{row['name']}: {row['type']} = {row['default']!r}{constraints}")
        if row["comment"]:
            print(f"    {row['comment']}")
    return 0
