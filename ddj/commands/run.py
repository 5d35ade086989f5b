"""``ddj run``: run the reports declared in reports.toml, or one notebook ad hoc."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

NAME = "run"
HELP = "Run reports (reports.toml, or one NOTEBOOK with -p name value) into offline HTML with manifests."


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj run`` to ``parser``."""
    parser.add_argument(
        "notebook", nargs="?", metavar="NOTEBOOK", help="run this notebook once instead of the reports in --config"
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter of NOTEBOOK, read by its declared type (lists: a,b or JSON); untyped "
        "ones as papermill -p reads them",
    )
    parser.add_argument(
        "-r",
        "--raw",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter of NOTEBOOK passed as text, as papermill -r (read after every -p)",
    )
    parser.add_argument("--name", help="the report's folder name for a NOTEBOOK run (default: notebook and values)")
    parser.add_argument("--config", default="reports.toml", help="the reports file (default: reports.toml)")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only reports (or groups) matching this name; shell wildcards; repeatable",
    )
    parser.add_argument("--out", default="reports", help="the folder to write reports into (default: reports/)")
    parser.add_argument(
        "--list", action="store_true", help="list the reports with their checked parameters; run nothing"
    )
    parser.add_argument("--quiet", action="store_true", help="without a terminal, print only failures and the summary")
    parser.add_argument(
        "--force",
        action="store_true",
        help="run reports even when their notebook, parameters, data and ddj version are unchanged",
    )
    parser.add_argument(
        "--due",
        action="store_true",
        help="run only reports whose `schedule` fell due since their last success (for cron)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="reports run at once, each on a warm kernel (default: the number of cores)",
    )
    parser.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new kernel for every report instead of reusing warm ones (slower)",
    )
    parser.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local: this machine (default); dask: a Dask cluster, see --scheduler",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="the Dask scheduler for --executor dask, e.g. tcp://10.0.0.5:8786"
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="run, then keep watching reports.toml, the notebooks and their datasets: each save "
        "reruns the reports it changed and prints where their pages are (Ctrl-C stops; the "
        "output folder stays locked, and its kernels warm, until then)",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    """Run ``ddj run`` with the parsed ``args`` and return its exit status (0 when it succeeded)."""
    import sys

    from ddj.errors import ConflictingOptionsError
    from ddj.report.runner import schedule
    from ddj.report.runner.cache import Cache, cached_column_values
    from ddj.report.runner.config import load_config
    from ddj.report.runner.progress import make_progress, print_summary
    from ddj.report.runner.run import adhoc_spec, run_reports

    executor = _executor(args)  # refuses contradictory options before anything is read
    if args.watch and (args.due or args.list):
        raise ConflictingOptionsError(
            "--watch reruns reports when their files change; it cannot be used with --due or --list"
        )
    now = schedule.clock()
    cache = Cache.for_output(args.out)
    if args.watch:
        return _watch(args, executor)
    if args.notebook:
        if args.only or args.due:
            raise ConflictingOptionsError(
                "--only and --due select reports from --config; they cannot be used with a NOTEBOOK"
            )
        given = [(name, text, False) for name, text in args.parameter] + [(name, text, True) for name, text in args.raw]
        specs, errors = [adhoc_spec(args.notebook, given, name=args.name)], []
        from ddj.report.runner.params import read_parameters

        for warning in read_parameters(specs[0].notebook).warnings:
            print(f"ddj run: warning: {warning}", file=sys.stderr)
    else:
        if args.parameter or args.raw or args.name:
            raise ConflictingOptionsError(
                "-p, -r and --name need a NOTEBOOK; parameters of configured reports live in reports.toml"
            )
        config = load_config(args.config, column_values=cached_column_values(cache)).select(args.only)
        specs, errors = config.reports, config.errors
    if args.list:
        return _list(specs, errors)
    from ddj.report.runner import lifecycle

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
            summary = run_reports(
                specs,
                args.out,
                group_errors=errors,
                progress=make_progress(sys.stdout, quiet=args.quiet),
                executor=executor,
                force=args.force,
                now=now,
                cache=cache,
                refused=refused,
            )
    print_summary(summary.results, sys.stdout)
    if summary.index is not None:
        print(f"index: {summary.index}")
    return summary.exit_code


def _watch(args: argparse.Namespace, executor: Any) -> int:
    """``--watch``: run, then rerun on every save until Ctrl-C or SIGTERM (exit 130, through :func:`ddj.cli.main`).

    The run lock is held for the whole watch, so the warm workers and kernels stay up between saves (they inherit
    the lock; see :mod:`ddj.report.runner.lifecycle`); another ``ddj run`` on the same output folder is refused
    meanwhile.
    """
    import sys
    import threading
    from pathlib import Path

    from ddj.errors import ConflictingOptionsError, DDJError, NotFoundError
    from ddj.report.runner import lifecycle, schedule
    from ddj.report.runner.cache import Cache, cached_column_values
    from ddj.report.runner.config import load_config
    from ddj.report.runner.progress import is_terminal, make_progress
    from ddj.report.runner.run import adhoc_spec, run_reports
    from ddj.report.runner.watch import Plan, Watched, file_changes, watch_reports

    if args.notebook and args.only:
        raise ConflictingOptionsError("--only selects reports from --config; it cannot be used with a NOTEBOOK")
    if not args.notebook and (args.parameter or args.raw or args.name):
        raise ConflictingOptionsError(
            "-p, -r and --name need a NOTEBOOK; parameters of configured reports live in reports.toml"
        )
    config = None if args.notebook else Path(args.config)
    if config is not None and not config.is_file():
        raise NotFoundError(f"{config}: no such reports file to watch (give one with --config)")

    def load() -> Plan:
        if args.notebook:
            given = [(n, t, False) for n, t in args.parameter] + [(n, t, True) for n, t in args.raw]
            return Plan([adhoc_spec(args.notebook, given, name=args.name)])
        assert config is not None  # set whenever no notebook is given
        loaded = load_config(config, column_values=cached_column_values(Cache.for_output(args.out))).select(args.only)
        return Plan(loaded.reports, loaded.errors)

    first = [True]

    def run(plan: Plan) -> Any:
        if first[0] and plan.specs and hasattr(executor, "start"):
            # Every worker now, not as many as the first round needs: a later save may rerun many reports.
            executor.start(plan.specs[0].notebook, None)
        force, first[0] = args.force and first[0], False  # --force reruns everything once, not at every save
        progress = make_progress(sys.stdout) if is_terminal(sys.stdout) else None  # a bar; plain lines come after
        return run_reports(
            plan.specs,
            args.out,
            group_errors=plan.errors,
            progress=progress,
            executor=executor,
            force=force,
            now=schedule.clock(),
            cache=Cache.for_output(args.out),
        )

    watched = Watched(config=config, ignored=Path(args.out))
    if args.notebook:
        watched.notebooks = {Path(args.notebook).resolve()}
    # What to watch, known before the first run: a save made while it runs is seen. An error: the first round prints it.
    with contextlib.suppress(DDJError):
        watched.update(load())
    stop = threading.Event()
    with lifecycle.terminate_as_interrupt(), lifecycle.run_lock(args.out), executor:
        try:
            watch_reports(file_changes(watched, stop), load=load, run=run, watched=watched, stream=sys.stdout)
        finally:
            stop.set()
    return 0


def _executor(args: argparse.Namespace) -> Any:
    from ddj.errors import ConflictingOptionsError
    from ddj.report.runner.executors import DaskExecutor, SerialExecutor, WarmExecutor

    if args.executor == "dask":
        if not args.scheduler:
            raise ConflictingOptionsError(
                "--executor dask needs --scheduler ADDRESS (the Dask scheduler, e.g. tcp://host:8786)"
            )
        if args.jobs:
            raise ConflictingOptionsError(
                "--jobs is for local runs; on Dask, the cluster's workers decide how many run at once"
            )
        return DaskExecutor(args.scheduler)
    if args.scheduler:
        raise ConflictingOptionsError("--scheduler needs --executor dask")
    if args.fresh_kernels:
        if args.jobs and args.jobs > 1:
            raise ConflictingOptionsError("--fresh-kernels runs one report at a time; leave out --jobs")
        return SerialExecutor()
    from ddj.report.runner.run import warm_worker

    return WarmExecutor(args.jobs, warm_up=warm_worker)


def _list(specs: list, errors: list) -> int:
    import json
    import tempfile
    from pathlib import Path

    from ddj.report.runner.run import ReportResult, prepare_jobs

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
