"""``ddj import acled|ucdp FILE --out DIR``: turn an event export into a validated incident package.

``ddj import named-deaths LIST --official CLAIMS --out DIR`` turns a list of named deaths and official claims of
the dead into a personnel tally package.
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "import"
HELP = (
    "Turn an ACLED export or a UCDP GED CSV into a ddj incident dataset, or a list of named deaths and official "
    "claims into a personnel tally dataset, that validates."
)

FORMATS = {
    "acled": ("ddj.importers.acled", "import_acled", "an ACLED export (CSV)"),
    "ucdp": ("ddj.importers.ucdp", "import_ucdp", "a UCDP GED file (CSV)"),
}
NAMED_DEATHS = "named-deaths"
#: At most this many rows of sides.csv are printed (the file has them all).
SIDES_SHOWN = 40


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj import`` to ``parser``."""
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for name, (_, _, what) in FORMATS.items():
        sub = formats.add_parser(name, help=f"import {what}", description=f"Import {what} as an incident package.")
        sub.add_argument("file", metavar="FILE", type=Path, help=f"{what}")
        sub.add_argument("--out", metavar="DIR", type=Path, required=True, help="a new or empty folder for the package")
        sub.add_argument("--name", help="the package's name (default: the folder's name)")
        sub.add_argument("--force", action="store_true", help="overwrite the package files in a non-empty folder")
        sub.add_argument(
            "--official-searched",
            metavar="DATE",
            dest="official_searched",
            help="the day (YYYY-MM-DD) official statements were searched for on every event; without "
            "it the package declares no search, and an event without an official source reads "
            "'no official account recorded', not the operator's silence",
        )
        sub.add_argument(
            "--encoding",
            metavar="NAME",
            help="the file's encoding when it is not UTF-8 (cp1252 for a CSV saved by Excel)",
        )
        sub.add_argument(
            "--date-format",
            metavar="FORMAT",
            dest="date_format",
            help="how to read all-number dates when the file cannot decide: '%%d/%%m/%%Y' (day first) "
            "or '%%m/%%d/%%Y' (month first); with two-digit years '%%y-%%m-%%d' (year first), "
            "'%%d-%%m-%%y' or '%%m-%%d-%%y', with the file's separator",
        )
        sub.add_argument(
            "--sides",
            metavar="FILE",
            type=Path,
            help="a corrected sides.csv (from an earlier import): its sides replace the officials table's",
        )
    _configure_named_deaths(formats)


def _configure_named_deaths(formats: argparse._SubParsersAction) -> None:
    what = "a list of named deaths (CSV, one row per person) with official claims of the dead"
    sub = formats.add_parser(
        NAMED_DEATHS,
        help=f"import {what}",
        description=f"Import {what} as a personnel tally package. People without a date are kept and counted apart.",
    )
    sub.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        help="the list (CSV): name, date_of_death and/or date_published; optionally region, unit, source",
    )
    sub.add_argument(
        "--official",
        metavar="FILE",
        type=Path,
        required=True,
        help="the official claims: CSV with date,value (running total of dead claimed; optionally day) or a "
        "JSON array of daily objects (the General Staff's personnel file)",
    )
    sub.add_argument(
        "--official-key",
        metavar="KEY",
        dest="official_key",
        default="personnel",
        help="the JSON key holding the running total (default: personnel)",
    )
    sub.add_argument("--out", metavar="DIR", type=Path, required=True, help="a new or empty folder for the package")
    sub.add_argument("--name", help="the package's name (default: the folder's name)")
    sub.add_argument("--force", action="store_true", help="overwrite the package files in a non-empty folder")
    sub.add_argument(
        "--encoding", metavar="NAME", help="the list's encoding when it is not UTF-8 (cp1252 for a CSV saved by Excel)"
    )
    sub.add_argument(
        "--date-format",
        metavar="FORMAT",
        dest="date_format",
        help="how to read all-number dates when the file cannot decide: '%%d/%%m/%%Y' (day first) or "
        "'%%m/%%d/%%Y' (month first)",
    )
    sub.add_argument(
        "--dated-by",
        choices=("death", "published"),
        default="death",
        dest="dated_by",
        help="which date places a person in the running count (default: death); the other date is used when it "
        "is the only one given",
    )
    sub.add_argument(
        "--side", metavar="NAME", default="the listed side", help="whose dead both files count (e.g. Russia)"
    )
    sub.add_argument(
        "--official-name",
        metavar="NAME",
        dest="official_name",
        default="official",
        help="who makes the claims, for the source line",
    )
    sub.add_argument(
        "--list-name",
        metavar="NAME",
        dest="list_name",
        help="who keeps the list, for the source line (default: the file's name)",
    )


def _run_named_deaths(args: argparse.Namespace) -> int:
    from ddj.importers.named_deaths import import_named_deaths, summary_lines

    result = import_named_deaths(
        args.file,
        args.out,
        official=args.official,
        official_key=args.official_key,
        name=args.name,
        force=args.force,
        encoding=args.encoding,
        date_format=args.date_format,
        dated_by=args.dated_by,
        side=args.side,
        official_name=args.official_name,
        list_name=args.list_name,
    )
    counts = ", ".join(f"{n} {table}" for table, n in result["counts"].items())
    print(f"wrote {result['folder']} ({counts}); it validates with `ddj validate {result['folder']}`")
    print(f"compare the two sides with `ddj tally {result['folder']}`")
    if result["not_mapped"]:
        print(f"not mapped ({len(result['not_mapped'])} column(s)):")
        for item in result["not_mapped"]:
            print(f"  - {item['column']}: {item['reason']}")
    print("summary:")
    for line in summary_lines(result):
        print(f"  {line}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``ddj import`` with the parsed ``args`` and return its exit status (0 when it succeeded)."""
    import importlib

    from ddj.importers._finish import summary_lines

    if args.format == NAMED_DEATHS:
        return _run_named_deaths(args)
    module, function, _ = FORMATS[args.format]
    result = getattr(importlib.import_module(module), function)(
        args.file,
        args.out,
        name=args.name,
        force=args.force,
        official_searched=args.official_searched,
        encoding=args.encoding,
        date_format=args.date_format,
        sides=args.sides,
    )
    counts = ", ".join(f"{n} {table}" for table, n in result["counts"].items())
    print(f"wrote {result['folder']} ({counts}); it validates with `ddj validate {result['folder']}`")
    if args.official_searched:
        print(f"declared: official statements were searched for on {args.official_searched}")
    else:
        print(
            "declared: no search for official statements (events without an official source read 'no official "
            "account recorded'); add --official-searched DATE if someone searched"
        )
    if result["not_mapped"]:
        print(f"not mapped ({len(result['not_mapped'])} column(s)):")
        for item in result["not_mapped"]:
            print(f"  - {item['column']}: {item['reason']}")
    sides = result["sides"]
    print(
        f"sides ({sides.height} source(s) by operator country; review {result['sides_file']}, correct the side "
        "column and import again with --sides FILE):"
    )
    for record in sides.head(SIDES_SHOWN).iter_rows(named=True):
        country = record["operator_country"] or "no known state"
        print(f"  - {record['source']} [{country}]: {record['side']} ({record['why']})")
    if sides.height > SIDES_SHOWN:
        print(f"  - ... and {sides.height - SIDES_SHOWN} more in {result['sides_file']}")
    print("summary:")
    for line in summary_lines(result):
        print(f"  {line}")
    return 0
