"""``ddj import acled|ucdp FILE --out DIR``: turn an event export into a validated incident package."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "import"
HELP = "Turn an ACLED export or a UCDP GED CSV into a ddj incident dataset that validates."

FORMATS = {"acled": ("ddj.importers.acled", "import_acled", "an ACLED export (CSV)"),
           "ucdp": ("ddj.importers.ucdp", "import_ucdp", "a UCDP GED file (CSV)")}


def configure(parser: argparse.ArgumentParser) -> None:
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for name, (_, _, what) in FORMATS.items():
        sub = formats.add_parser(name, help=f"import {what}", description=f"Import {what} as an incident package.")
        sub.add_argument("file", metavar="FILE", type=Path, help=f"{what}")
        sub.add_argument("--out", metavar="DIR", type=Path, required=True, help="a new or empty folder for the package")
        sub.add_argument("--name", help="the package's name (default: the folder's name)")
        sub.add_argument("--force", action="store_true", help="overwrite the package files in a non-empty folder")


def run(args: argparse.Namespace) -> int:
    import importlib

    module, function, _ = FORMATS[args.format]
    result = getattr(importlib.import_module(module), function)(args.file, args.out, name=args.name, force=args.force)
    counts = ", ".join(f"{n} {table}" for table, n in result["counts"].items())
    print(f"wrote {result['folder']} ({counts}); it validates with `ddj validate {result['folder']}`")
    if result["not_mapped"]:
        print(f"not mapped ({len(result['not_mapped'])} column(s)):")
        for item in result["not_mapped"]:
            print(f"  - {item['column']}: {item['reason']}")
    return 0
