"""``ddj run --watch``: rerun the reports a saved file affects, for the reporter at the desk.

:func:`watch_reports` runs the reports once, then takes change sets (each a collection of file paths that
changed together) one after another. A change set that touches a watched file (``reports.toml``, a report's
notebook, a file of a dataset a report reads: :class:`Watched`) reads the configuration again and runs the
reports; the runner's skip cache (:mod:`ddj.report.runner.cache`) decides which of them the change made stale, so only
those run. Each round prints the changed files and where each rebuilt page is. A ``reports.toml`` that no longer
reads (or any other :class:`ddj.errors.DDJError` of a round) is printed and the watch goes on: the next save
tries again.

The change sets come from anywhere: :func:`file_changes` makes them from file events (``watchfiles``) for the
command, and tests feed them directly, without real events or waiting.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ddj.errors import DDJError
from ddj.html import terminal_safe  # messages and file names quote data: no escape sequence reaches the terminal

#: Milliseconds of quiet after a file event before a change set is handed over (an editor's save is several
#: events: a temporary file, a rename, a metadata change) ...
STEP_MS = 300
#: ... and the longest a change set gathers events before it is handed over anyway.
DEBOUNCE_MS = 1600


@dataclass(frozen=True)
class Plan:
    """What one round runs: the reports (:class:`ddj.report.runner.config.ReportSpec`) and the groups that failed to
    expand (:class:`ddj.report.runner.config.GroupError`).
    """

    specs: Sequence[Any]
    errors: Sequence[Any] = ()


@dataclass(frozen=True)
class Round:
    """One round of the watch: the files that caused it (as shown, relative to the working folder; empty for
    the first run), the run's summary, or the error that stopped the round before or during the run.
    """

    changed: tuple[str, ...]
    summary: Any = None
    error: str | None = None


@dataclass
class Watched:
    """The files the reports depend on: the configuration file, the notebooks, the dataset folders.

    ``ignored`` is a folder whose changes never count (the output folder, which every run writes).
    :meth:`update` sets the notebooks and datasets from a plan; :meth:`roots` lists the folders to watch.
    """

    config: Path | None = None
    ignored: Path | None = None
    notebooks: set[Path] = field(default_factory=set)
    datasets: set[Path] = field(default_factory=set)
    files: set[Path] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.config = Path(self.config).resolve() if self.config is not None else None
        self.ignored = Path(self.ignored).resolve() if self.ignored is not None else None

    def update(self, plan: Plan) -> None:
        """Watch the notebooks of ``plan``'s reports and the folders of the datasets they read."""
        from ddj.report.runner.cache import DatasetPathError, dataset_files, dataset_folder
        from ddj.report.runner.params import read_parameters

        notebooks = {Path(spec.notebook).resolve() for spec in plan.specs}
        datasets: set[Path] = set()
        files: set[Path] = set()
        declared: dict[Path, Any] = {}
        for spec in plan.specs:
            notebook = Path(spec.notebook).resolve()
            if notebook not in declared:
                try:
                    declared[notebook] = read_parameters(notebook)
                except DDJError:  # the run says why; the notebook itself is still watched
                    declared[notebook] = None
            if declared[notebook] is None:
                continue
            for parameter in declared[notebook].parameters:
                reference = spec.parameters.get(parameter.name, parameter.default)
                if not parameter.is_dataset or reference is None:
                    continue
                folder = dataset_folder(str(reference), spec.base_dir)
                if folder is None or folder in datasets:
                    continue
                datasets.add(folder)
                try:
                    files.update(dataset_files(folder))
                except DatasetPathError:  # the run refuses the report and says why; the descriptor is watched
                    files.add(folder / "datapackage.json")
        self.notebooks, self.datasets, self.files = notebooks, datasets, files

    def roots(self) -> frozenset[Path]:
        """The folders to watch (each without its sub-folders): those holding a watched file, and the dataset
        folders. A file is watched through its folder, so an editor's save by rename is seen too.
        """
        found = {p.parent for p in (*self.notebooks, *self.files)} | self.datasets
        if self.config is not None:
            found.add(self.config.parent)
        return frozenset(p for p in found if p.is_dir())

    def affected(self, paths: Iterable[str | Path]) -> list[Path]:
        """The paths among ``paths`` that can change a report, in order and once each."""
        found: dict[Path, None] = {}
        for raw in paths:
            path = Path(raw).resolve()
            if self.ignored is not None and path.is_relative_to(self.ignored):
                continue
            if (
                path == self.config
                or path in self.notebooks
                or path in self.files
                or any(path.is_relative_to(folder) for folder in self.datasets)
            ):
                found.setdefault(path)
        return list(found)


def watch_reports(
    changes: Iterable[Collection[str | Path]],
    *,
    load: Callable[[], Plan],
    run: Callable[[Plan], Any],
    watched: Watched,
    stream: TextIO,
    on_round: Callable[[Round], None] | None = None,
) -> list[Round]:
    """Run the reports, then run them again after each change set that touches a watched file; return the rounds.

    Parameters
    ----------
    changes
        Change sets, each the paths of files that changed together (from :func:`file_changes`, or a list in tests).
        The watch ends when they do; Ctrl-C (:class:`KeyboardInterrupt`) ends it at any point.
    load
        Reads the reports to run (``reports.toml``, selected); a :class:`ddj.errors.DDJError` it raises is printed
        and the watch goes on.
    run
        Runs a plan and returns its :class:`ddj.report.runner.RunSummary`; it skips what is unchanged.
    watched
        What counts as a change; updated from each plan that loads (new notebooks and datasets are watched).
    stream
        Where the rounds are described.
    on_round
        Called after each round (tests use it to stop a watch).
    """
    rounds: list[Round] = []

    def one_round(changed: tuple[str, ...]) -> None:
        started = time.monotonic()
        try:
            plan = load()
            watched.update(plan)
            summary = run(plan)
        except DDJError as err:  # its message names the file (a reports.toml that does not read, a bad -p value)
            print(f"ddj run --watch: error: {terminal_safe(err)}", file=stream)
            print("still watching: fix it and save again", file=stream, flush=True)
            done = Round(changed, None, str(err))
        else:
            _describe(summary, time.monotonic() - started, stream)
            done = Round(changed, summary)
        rounds.append(done)
        if on_round is not None:
            on_round(done)

    one_round(())
    _waiting(watched, stream)
    for batch in changes:
        changed = tuple(_shown(p) for p in watched.affected(batch))
        if not changed:
            continue
        print(f"changed: {terminal_safe(', '.join(changed), newlines=False)}", file=stream, flush=True)
        one_round(changed)
        _waiting(watched, stream)
    return rounds


def file_changes(
    watched: Watched, stop: threading.Event, *, step_ms: int = STEP_MS, debounce_ms: int = DEBOUNCE_MS
) -> Iterator[set[str]]:
    """Change sets from file events in the folders of ``watched`` (:meth:`Watched.roots`), until ``stop`` is set.

    Watching starts before this returns, so a save made while the first round runs is seen; saves made while a
    round runs are kept and handed over when it ends. When a round changes what is watched (``reports.toml``
    names another notebook or dataset), the folders watched change with it after that change set. A change set
    can be empty (the watcher looks at ``stop`` twice a second). Ctrl-C raises :class:`KeyboardInterrupt` here.

    Parameters
    ----------
    watched : Watched
        What to watch: the config, its notebooks and datasets, and the output folder to ignore.
    stop : threading.Event
        Set it to end the iteration (within half a second).
    step_ms : int, default STEP_MS (300)
        Milliseconds of quiet after a file event before a change set is handed over.
    debounce_ms : int, default DEBOUNCE_MS (1600)
        The longest, in milliseconds, a change set gathers events before it is handed over anyway.
    """
    events = _file_events(watched, stop, step_ms, debounce_ms)
    first = next(events, None)  # starts the watcher
    return itertools.chain([first] if first is not None else [], events)


def _file_events(watched: Watched, stop: threading.Event, step_ms: int, debounce_ms: int) -> Iterator[set[str]]:
    import watchfiles

    class _Filter(watchfiles.DefaultFilter):
        """watchfiles' default (editor swap files, ``.ipynb_checkpoints``, ``.git``), and nothing in the output."""

        def __call__(self, change: watchfiles.Change, path: str) -> bool:
            ignored = watched.ignored
            return super().__call__(change, path) and not (ignored and Path(path).is_relative_to(ignored))

    while not stop.is_set():
        roots = watched.roots()
        if not roots:
            return
        for batch in watchfiles.watch(
            *sorted(roots),
            watch_filter=_Filter(),
            stop_event=stop,
            step=step_ms,
            debounce=debounce_ms,
            recursive=False,
            raise_interrupt=True,
            rust_timeout=500,
            yield_on_timeout=True,
        ):
            yield {path for _change, path in batch}
            if watched.roots() != roots:
                break  # the reports now read other files: watch their folders
        else:
            return  # stopped


def _describe(summary: Any, seconds: float, stream: TextIO) -> None:
    """Where each rebuilt page is, what failed, and how many reports were unchanged."""
    unchanged = sum(r.status == "skipped" for r in summary.results)
    for result in summary.results:
        if result.status == "skipped":
            continue
        if result.status == "ok":
            where = f" -> {_shown(result.html)}" if result.html else ""
            print(
                terminal_safe(f"  rebuilt {result.name} ({result.duration:.1f} s){where}", newlines=False), file=stream
            )
        else:
            print(terminal_safe(f"  {result.status} {result.name}: {result.message}", newlines=False), file=stream)
    ran = len(summary.results) - unchanged
    line = f"{ran} report(s) run, {unchanged} unchanged, in {seconds:.1f} s"
    if summary.index is not None:
        line += f"; index: {_shown(summary.index)}"
    print(terminal_safe(line, newlines=False), file=stream, flush=True)


def _waiting(watched: Watched, stream: TextIO) -> None:
    count = len(watched.notebooks) + len(watched.datasets) + (watched.config is not None)
    print(f"watching {count} file(s) and folder(s) for changes (Ctrl-C to stop)", file=stream, flush=True)


def _shown(path: str | Path | None) -> str:
    """A path relative to the working folder when it is inside it, else as it is."""
    if path is None:
        return ""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
