"""``ddj run``: run the reports declared in reports.toml, or one notebook ad hoc."""

from __future__ import annotations

import argparse

NAME = "run"
HELP = "Run reports (reports.toml, or one NOTEBOOK with -p name value) into offline HTML with manifests."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebook", nargs="?", metavar="NOTEBOOK",
                        help="run this notebook once instead of the reports in --config")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a parameter of NOTEBOOK, read by its declared type (lists: a,b or JSON)")
    parser.add_argument("--name", help="the report's folder name for a NOTEBOOK run (default: notebook and values)")
    parser.add_argument("--config", default="reports.toml", help="the reports file (default: reports.toml)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only reports (or groups) matching this name; shell wildcards; repeatable")
    parser.add_argument("--out", default="reports", help="the folder to write reports into (default: reports/)")
    parser.add_argument("--list", action="store_true", help="list the reports with their checked parameters; run nothing")
    parser.add_argument("--quiet", action="store_true", help="without a terminal, print only failures and the summary")


def run(args: argparse.Namespace) -> int:
    import sys

    from ddj.errors import UsageError
    from ddj.report.config import load_config
    from ddj.report.progress import make_progress, print_summary
    from ddj.report.runner import adhoc_spec, run_reports

    if args.notebook:
        if args.only:
            raise UsageError("--only selects reports from --config; it cannot be used with a NOTEBOOK")
        specs, errors = [adhoc_spec(args.notebook, [tuple(p) for p in args.parameter], name=args.name)], []
    else:
        if args.parameter or args.name:
            raise UsageError("-p and --name need a NOTEBOOK; parameters of configured reports live in reports.toml")
        config = load_config(args.config).select(args.only)
        specs, errors = config.reports, config.errors
    if args.list:
        return _list(specs, errors)
    summary = run_reports(specs, args.out, group_errors=errors, progress=make_progress(sys.stdout, quiet=args.quiet))
    print_summary(summary.results, sys.stdout)
    if summary.index is not None:
        print(f"index: {summary.index}")
    return summary.exit_code


def _list(specs: list, errors: list) -> int:
    import json
    import tempfile
    from pathlib import Path

    from ddj.report.runner import ReportResult, prepare_jobs

    bad = 0
    with tempfile.TemporaryDirectory() as scratch:  # refused reports write a manifest; keep --list side-effect free
        for item in prepare_jobs(specs, Path(scratch)):
            if isinstance(item, ReportResult):
                bad += 1
                print(f"{item.name}: invalid: {item.message}")
            else:
                shown = json.dumps(item.parameters, ensure_ascii=False)
                print(f"{item.name}\t{item.notebook.name}\t{shown}")
    for error in errors:
        bad += 1
        print(f"{error.group}: invalid: {error.message}")
    return 1 if bad else 0
