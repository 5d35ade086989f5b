"""``ddj run``: run the reports declared in reports.toml, or one notebook ad hoc."""

from __future__ import annotations

import argparse
from typing import Any

NAME = "run"
HELP = "Run reports (reports.toml, or one NOTEBOOK with -p name value) into offline HTML with manifests."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebook", nargs="?", metavar="NOTEBOOK",
                        help="run this notebook once instead of the reports in --config")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a parameter of NOTEBOOK, read by its declared type (lists: a,b or JSON); untyped "
                             "ones as papermill -p reads them")
    parser.add_argument("-r", "--raw", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a parameter of NOTEBOOK passed as text, as papermill -r (read after every -p)")
    parser.add_argument("--name", help="the report's folder name for a NOTEBOOK run (default: notebook and values)")
    parser.add_argument("--config", default="reports.toml", help="the reports file (default: reports.toml)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only reports (or groups) matching this name; shell wildcards; repeatable")
    parser.add_argument("--out", default="reports", help="the folder to write reports into (default: reports/)")
    parser.add_argument("--list", action="store_true", help="list the reports with their checked parameters; run nothing")
    parser.add_argument("--quiet", action="store_true", help="without a terminal, print only failures and the summary")
    parser.add_argument("--force", action="store_true",
                        help="run reports even when their notebook, parameters, data and ddj version are unchanged")
    parser.add_argument("--due", action="store_true",
                        help="run only reports whose `schedule` fell due since their last success (for cron)")
    parser.add_argument("-j", "--jobs", type=_positive, default=None, metavar="N",
                        help="reports run at once, each on a warm kernel (default: the number of cores)")
    parser.add_argument("--fresh-kernels", action="store_true",
                        help="start a new kernel for every report instead of reusing warm ones (slower)")
    parser.add_argument("--executor", choices=("local", "dask"), default="local",
                        help="local: this machine (default); dask: a Dask cluster, see --scheduler")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="the Dask scheduler for --executor dask, e.g. tcp://10.0.0.5:8786")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    import sys

    from ddj.report._startup import skip_unused_imports

    skip_unused_imports()
    from ddj.errors import UsageError
    from ddj.report import schedule
    from ddj.report.cache import Cache, cached_column_values
    from ddj.report.config import load_config
    from ddj.report.progress import make_progress, print_summary
    from ddj.report.runner import adhoc_spec, run_reports

    executor = _executor(args)  # refuses contradictory options before anything is read
    now = schedule.clock()
    cache = Cache.for_output(args.out)
    if args.notebook:
        if args.only or args.due:
            raise UsageError("--only and --due select reports from --config; they cannot be used with a NOTEBOOK")
        given = [(name, text, False) for name, text in args.parameter] + [(name, text, True) for name, text in args.raw]
        specs, errors = [adhoc_spec(args.notebook, given, name=args.name)], []
        from ddj.report.params import read_parameters

        for warning in read_parameters(specs[0].notebook).warnings:
            print(f"ddj run: warning: {warning}", file=sys.stderr)
    else:
        if args.parameter or args.raw or args.name:
            raise UsageError("-p, -r and --name need a NOTEBOOK; parameters of configured reports live in reports.toml")
        config = load_config(args.config, column_values=cached_column_values(cache)).select(args.only)
        specs, errors = config.reports, config.errors
    if args.list:
        return _list(specs, errors)
    from ddj.report import lifecycle

    # SIGTERM stops the run as Ctrl-C does; the lock on the output folder lasts until the last worker and kernel
    # of this run are gone, and what killed runs left there (staging folders, kernel files) is removed first.
    with lifecycle.terminate_as_interrupt(), lifecycle.run_lock(args.out):
        refused: list = []
        if args.due:
            scheduled = [s for s in specs if s.schedule]
            specs, refused = schedule.split_due(scheduled, schedule.State.for_output(args.out), now)
            if not args.quiet or specs or refused:
                print(f"{len(specs)} of {len(scheduled)} scheduled report(s) due", flush=True)
            if not specs and not errors and not refused:
                return 0
        with executor:
            summary = run_reports(specs, args.out, group_errors=errors,
                                  progress=make_progress(sys.stdout, quiet=args.quiet), executor=executor,
                                  force=args.force, now=now, cache=cache, refused=refused)
    print_summary(summary.results, sys.stdout)
    if summary.index is not None:
        print(f"index: {summary.index}")
    return summary.exit_code


def _executor(args: argparse.Namespace) -> Any:
    from ddj.errors import UsageError
    from ddj.report.executors import DaskExecutor, SerialExecutor, WarmExecutor

    if args.executor == "dask":
        if not args.scheduler:
            raise UsageError("--executor dask needs --scheduler ADDRESS (the Dask scheduler, e.g. tcp://host:8786)")
        if args.jobs:
            raise UsageError("--jobs is for local runs; on Dask, the cluster's workers decide how many run at once")
        return DaskExecutor(args.scheduler)
    if args.scheduler:
        raise UsageError("--scheduler needs --executor dask")
    if args.fresh_kernels:
        if args.jobs and args.jobs > 1:
            raise UsageError("--fresh-kernels runs one report at a time; leave out --jobs")
        return SerialExecutor()
    return WarmExecutor(args.jobs)


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
