"""``ddj build``: rebuild a dataset's processed files from its raw files and report what the checks found."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "build"
HELP = (
    "Rebuild a dataset's processed files from its raw files; print every finding about the raw data. Raw files "
    "with a category the crosswalk does not cover, or with less history than the files they replace, are "
    "refused before anything is written."
)

#: Datasets with a build, and the function that builds each.
BUILDS = {"ukraine-equipment-losses": "ddj.tally.build:build"}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj build`` to ``parser``."""
    parser.add_argument("dataset", metavar="DATASET", help=f"the dataset to build: {', '.join(BUILDS)}")
    parser.add_argument(
        "--folder", metavar="DIR", type=Path, help="build a copy of the dataset in DIR instead of the shipped folder"
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the files differ from a fresh build"
    )
    parser.add_argument("--all-findings", action="store_true", help="print every finding, not three per rule")


def run(args: argparse.Namespace) -> int:
    """Run ``ddj build`` with the parsed ``args`` and return its exit status (0 when it succeeded)."""
    import importlib

    from ddj.errors import NotFoundError

    target = BUILDS.get(args.dataset)
    if target is None:
        msg = f"no build for {args.dataset!r}; the datasets with a build are: {', '.join(BUILDS)}"
        raise NotFoundError(msg)
    module, function = target.split(":")
    build = getattr(importlib.import_module(module), function)
    result = build(args.folder, check=args.check)
    found = result.findings
    print(f"{args.dataset}: {found.height} finding(s) in the raw files (nothing fixed; rows left out are listed)")
    for rule, n in result.counts().items():
        print(f"  {rule}: {n}")
        rows = found.filter(found["rule"] == rule)
        for record in (rows if args.all_findings else rows.head(3)).iter_rows(named=True):
            where = f"{record['file']}, row {record['row']}" + (f", {record['column']}" if record["column"] else "")
            print(f"    - {where}: {record['detail']}")
        if not args.all_findings and rows.height > 3:
            print(f"    ... and {rows.height - 3} more (findings.csv lists them all)")
    for note in getattr(result, "notes", []):
        print(f"note: {note}")
    if args.check:
        if result.changed:
            print(f"out of date: {', '.join(result.changed)} differ from a fresh build; run `ddj build {args.dataset}`")
            return 1
        print("up to date: every file equals a fresh build")
        return 0
    print(f"wrote {', '.join(result.changed)}" if result.changed else "every file was already up to date")
    return 0
