"""``ddj validate``: check datasets and print every problem and caveat."""

from __future__ import annotations

import argparse
import json

NAME = "validate"
HELP = "Check datasets against their schema and rules; print every problem and every caveat."


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj validate`` to ``parser``."""
    parser.add_argument(
        "datasets",
        nargs="*",
        metavar="DATASET",
        help="shipped dataset names or package folders (default with --all: every shipped dataset)",
    )
    parser.add_argument("--all", action="store_true", help="check every shipped dataset")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    parser.add_argument("--quiet", action="store_true", help="print problems only, no caveats or summary")
    parser.add_argument(
        "--revalidate",
        action="store_true",
        help="check every row again even if these very files passed before (ddj records a "
        "successful validation against the files' content hashes and skips it while they "
        "are unchanged)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``ddj validate`` with the parsed ``args`` and return its exit status (1 when a dataset is invalid)."""
    from ddj.datasets import shipped_datasets, validate_once
    from ddj.errors import ConflictingOptionsError, DDJError
    from ddj.html import terminal_safe

    names = list(args.datasets)
    if args.all:
        names += [n for n in shipped_datasets() if n not in names]
    if not names:
        raise ConflictingOptionsError("name a dataset (or a package folder) to check, or use --all")
    failed = 0
    reports = []
    for name in names:
        try:
            # Free text is checked, not kept (memory for large files); a package whose files passed before and
            # are unchanged is not read at all.
            result = validate_once(name, keep_text=False, revalidate=args.revalidate, read_tables=False)
        except DDJError as err:
            failed += 1
            reports.append({"dataset": str(name), "ok": False, "problems": [str(err)], "caveats": [], "counts": {}})
            continue
        failed += not result.ok
        reports.append(
            {
                "dataset": result.name,
                "folder": str(result.folder),
                "kind": result.kind,
                "ok": result.ok,
                "counts": result.counts,
                "from_record": result.from_record,
                "problems": result.messages(),
                "caveats": [str(c) for c in result.caveats],
            }
        )
    if args.json:
        print(terminal_safe(json.dumps(reports, indent=2, ensure_ascii=False)))
    else:
        for report in reports:
            _print_report(report, quiet=args.quiet)
    return 1 if failed else 0


def _print_report(report: dict, *, quiet: bool) -> None:
    """Print one dataset's findings. Every string from the data (the package's name, values quoted in
    messages) goes through :func:`ddj.html.terminal_safe`: an escape sequence in a name cannot rewrite
    "INVALID" into "valid", and a name cannot start a line of its own.
    """
    from ddj.html import terminal_safe

    status = "valid" if report["ok"] else f"INVALID: {len(report['problems'])} problem(s)"
    counts = ", ".join(f"{n} {table}" for table, n in report["counts"].items())
    name = terminal_safe(report["dataset"], newlines=False)
    recorded = "; these files passed before and are unchanged (--revalidate checks every row again)"
    print(
        f"{name}: {status}"
        + (f" ({terminal_safe(counts, newlines=False)})" if counts and not quiet else "")
        + (recorded if report.get("from_record") and not quiet else "")
    )
    for line in report["problems"]:
        print(f"  error: {terminal_safe(line)}")
    if not quiet:
        for line in report["caveats"]:
            print(f"  warning: {terminal_safe(line)}")
