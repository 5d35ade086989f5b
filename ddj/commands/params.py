"""``ddj params``: list a notebook's parameters with their types, defaults, constraints and comments."""

from __future__ import annotations

import argparse

NAME = "params"
HELP = "List a notebook's parameters: name, type, default, constraints and what each is for."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebook", metavar="NOTEBOOK", help="the .ipynb file")
    parser.add_argument("--json", action="store_true", help="print the parameters as JSON")


def run(args: argparse.Namespace) -> int:
    import json

    from ddj.report.params import read_parameters

    spec = read_parameters(args.notebook)
    rows = [
        {"name": p.name, "type": p.type_text, "default": p.default, "constraints": p.constraints_text,
         "comment": p.comment}
        for p in spec
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
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
