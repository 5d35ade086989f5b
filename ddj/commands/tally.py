"""``ddj tally``: official claims against documented counts, per category, as of a date.

Ratio and difference compare figures of one date: where the official figure is more than ``--tolerance`` days
(default :data:`ddj.tally.compare.TOLERANCE_DAYS`) newer than the documented side's last day, they are ``null``
in ``--json`` and ``-`` in the table, which says which date both sides cover.
"""

from __future__ import annotations

import argparse
import json

NAME = "tally"
HELP = "Compare an official running count with the documented count, per category, as of a date."


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj tally`` to ``parser``."""
    parser.add_argument(
        "dataset", metavar="DATASET", help="a tally dataset's name (ukraine-equipment-losses) or folder"
    )
    parser.add_argument("--as-of", metavar="DATE", help="the date, YYYY-MM-DD (default: the official series' last day)")
    parser.add_argument(
        "--category",
        metavar="NAME",
        nargs="+",
        action="extend",
        dest="categories",
        help="official categories to show, as the official series spells them (default: all)",
    )
    parser.add_argument(
        "--events",
        action="store_true",
        help="count the documented side from the event list instead of the documented series",
    )
    parser.add_argument(
        "--tolerance",
        metavar="DAYS",
        type=int,
        default=None,
        dest="tolerance_days",
        help="the most days an official figure may postdate the documented side's last day and still "
        "get a ratio and a difference (default: 7)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON array, one object per category")


def _number(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def run(args: argparse.Namespace) -> int:
    """Run ``ddj tally`` with the parsed ``args`` and return its exit status (0 when it succeeded)."""
    import sys
    import warnings

    import ddj.tally
    from ddj.datasets import load
    from ddj.datasets.tally_kind import ALL_STATUSES as STATUSES
    from ddj.html import terminal_safe
    from ddj.tally.compare import TOLERANCE_DAYS, check_tolerance
    from ddj.tally.sources import source_line

    tolerance = check_tolerance(TOLERANCE_DAYS if args.tolerance_days is None else args.tolerance_days)
    dataset = load(args.dataset, warn=False)
    documented = "events" if args.events else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = ddj.tally.tally(
            dataset, as_of=args.as_of, categories=args.categories, documented=documented, tolerance_days=tolerance
        )
    # Caveats go to stderr, so that --json output stays a clean JSON array.
    messages = [caveat.message for caveat in dataset.caveats] + [str(item.message) for item in caught]
    for message in dict.fromkeys(messages):  # each once, in order
        print(f"warning: {terminal_safe(message)}", file=sys.stderr)
    records = []
    for row in frame.iter_rows(named=True):
        record = {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in row.items()}
        record["ratio"] = None if row["ratio"] is None else round(row["ratio"], 4)
        record["documented_categories"] = (
            (row["documented_categories"] or "").split("; ") if row["documented_categories"] else []
        )
        record["tolerance_days"] = tolerance
        records.append(record)
    if args.json:
        print(terminal_safe(json.dumps(records, indent=2, ensure_ascii=False)))
        return 0
    header = ("category", "official", "as of", "documented", "as of", "ratio", "difference")
    lines = [
        (
            terminal_safe(r["category"], newlines=False),
            _number(r["official"]),
            r["official_as_of"] or "-",
            _number(r["documented"]),
            r["documented_as_of"] or "-",
            _number(r["ratio"]),
            _number(r["difference"]),
        )
        for r in records
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    as_of = args.as_of or (records[0]["official_as_of"] if records else "-")
    print(
        f"{terminal_safe(args.dataset, newlines=False)}: official claims against documented counts as of {as_of}"
        f" (documented side: {'event list' if args.events else 'documented series'})"
    )
    for i, line in enumerate([header, *lines]):
        print(
            "  ".join(
                str(c).ljust(w) if j == 0 else str(c).rjust(w)
                for j, (c, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if i == 0:
            print("  ".join("-" * w for w in widths))
    words = ddj.tally.unit(dataset)
    statuses = ", ".join(s for s in STATUSES if s in frame.columns and frame[s].fill_null(0).sum() > 0) or "none yet"
    print(
        f"documented = {words.noun} {words.evidence} over all statuses ({statuses}): a minimum. "
        "ratio = official / documented; '-' = no documented counterpart, none yet, or none on a common date."
    )
    undated = ddj.tally.undated(dataset)
    if undated.height:
        print(
            f"Documented {words.noun} without a date: {undated['items'].sum():,}. No running count includes them; "
            "they are counted apart: "
            + "; ".join(
                f"{terminal_safe(c or '(no category)', newlines=False)} ({s}): {n:,}" for c, s, n in undated.iter_rows()
            )
        )
    beyond = [r for r in records if r["days_apart"] is not None and r["days_apart"] > tolerance]
    if beyond:
        through = max(r["documented_through"] for r in beyond)
        print(
            f"The documented side stops on {through}: {len(beyond)} official figure(s) above are more than "
            f"{tolerance} day(s) newer, so they get no ratio or difference ('-'). Compare on a date both sides "
            f"cover: ddj tally {args.dataset} --as-of {through}"
        )
    print(terminal_safe(source_line(dataset)))
    return 0
