"""``ddj tally``: official claims against documented counts, per category, as of a date."""

from __future__ import annotations

import argparse
import json

NAME = "tally"
HELP = "Compare an official running count with the documented count, per category, as of a date."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DATASET", help="a tally dataset's name (ukraine-equipment-losses) or folder")
    parser.add_argument("--as-of", metavar="DATE", help="the date, YYYY-MM-DD (default: the official series' last day)")
    parser.add_argument("--category", metavar="NAME", nargs="+", action="extend", dest="categories",
                        help="official categories to show, as the official series spells them (default: all)")
    parser.add_argument("--events", action="store_true",
                        help="count the documented side from the event list instead of the documented series")
    parser.add_argument("--json", action="store_true", help="print a JSON array, one object per category")


def _number(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def run(args: argparse.Namespace) -> int:
    import sys
    import warnings

    import ddj.tally
    from ddj.datasets import load

    dataset = load(args.dataset, warn=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = ddj.tally.api.tally(dataset, as_of=args.as_of, categories=args.categories,
                                    documented="events" if args.events else None)
    # Caveats go to stderr, so that --json output stays a clean JSON array.
    messages = [caveat.message for caveat in dataset.caveats] + [str(item.message) for item in caught]
    for message in dict.fromkeys(messages):  # each once, in order
        print(f"warning: {message}", file=sys.stderr)
    records = []
    for row in frame.iter_rows(named=True):
        record = {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in row.items()}
        record["ratio"] = None if row["ratio"] is None else round(row["ratio"], 4)
        record["documented_categories"] = (row["documented_categories"] or "").split("; ") if row[
            "documented_categories"] else []
        records.append(record)
    if args.json:
        print(json.dumps(records, indent=2, ensure_ascii=False))
        return 0
    header = ("category", "official", "as of", "documented", "as of", "ratio", "difference")
    lines = [(r["category"], _number(r["official"]), r["official_as_of"] or "-", _number(r["documented"]),
              r["documented_as_of"] or "-", _number(r["ratio"]), _number(r["difference"])) for r in records]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines)]
    as_of = args.as_of or (records[0]["official_as_of"] if records else "-")
    print(f"{args.dataset}: official claims against documented counts as of {as_of}"
          f" (documented side: {'event list' if args.events else 'documented series'})")
    for i, line in enumerate([header, *lines]):
        print("  ".join(str(c).ljust(w) if j == 0 else str(c).rjust(w) for j, (c, w) in enumerate(zip(line, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("documented = items with photo or video evidence over all statuses (destroyed, damaged, abandoned, "
          "captured): a minimum. ratio = official / documented; '-' = no documented counterpart or none yet.")
    return 0
