"""What a run says while it works: a rich progress bar on a terminal, plain quiet lines otherwise (cron).

Both end with a summary table: every report, its status, its time and, for a failure, what failed
(``skipped`` reports were current: their inputs had not changed).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    """The runner's view of a progress display."""

    def start(self, total: int) -> None:
        """Begin the display for a run of ``total`` reports."""
        ...

    def report_started(self, name: str) -> None:
        """Show that the report called ``name`` is now running."""
        ...

    def report_finished(self, result: Any) -> None:
        """Count a finished report and show its ``result`` (name, status, duration, message)."""
        ...

    def close(self) -> None:
        """End the display (the run's summary is printed after it)."""
        ...


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal that can draw a progress bar."""
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM", "") != "dumb"


def make_progress(stream: TextIO | None = None, *, quiet: bool = False, fancy: bool | None = None) -> Progress:
    """A rich progress bar when ``stream`` is a terminal (or ``fancy`` is true), plain lines otherwise.

    ``quiet`` keeps plain output to failures only (the summary still prints).

    Parameters
    ----------
    stream : TextIO, optional
        Where to write; standard output when None.
    quiet : bool, default False
        For plain output, print only failures.
    fancy : bool, optional
        Force the rich bar (True) or plain lines (False); None decides by whether ``stream`` is a terminal.
    """
    stream = stream or sys.stdout
    if fancy if fancy is not None else is_terminal(stream):
        return RichProgress(stream)
    return PlainProgress(stream, quiet=quiet)


class PlainProgress:
    """One line per finished report (only failures when quiet), e.g. ``[2/5] incident-x: ok (4.1 s)``."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream, self.quiet, self.total, self.done = stream, quiet, 0, 0

    def start(self, total: int) -> None:
        """See :meth:`Progress.start`."""
        self.total = total
        if not self.quiet:
            print(f"running {total} report(s)", file=self.stream, flush=True)

    def report_started(self, name: str) -> None:
        """See :meth:`Progress.report_started`."""
        del name

    def report_finished(self, result: Any) -> None:
        """See :meth:`Progress.report_finished`."""
        self.done += 1
        if self.quiet and result.status in ("ok", "skipped"):
            return
        line = f"[{self.done}/{self.total}] {result.name}: {result.status} ({result.duration:.1f} s)"
        if result.message:
            line += f": {result.message}"
        print(line, file=self.stream, flush=True)

    def close(self) -> None:
        """See :meth:`Progress.close`."""


class RichProgress:
    """A progress bar with the report running now, the count done, and time elapsed."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(file=stream)
        self.bar = Progress(
            TextColumn("[bold]reports"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=False,
        )
        self.task: Any = None

    def start(self, total: int) -> None:
        """See :meth:`Progress.start`."""
        self.bar.start()
        self.task = self.bar.add_task("", total=total)

    def report_started(self, name: str) -> None:
        """See :meth:`Progress.report_started`."""
        self.bar.update(self.task, description=name)

    def report_finished(self, result: Any) -> None:
        """See :meth:`Progress.report_finished`."""
        if result.status not in ("ok", "skipped"):
            from rich.markup import escape

            self.bar.console.print(f"[red]{escape(result.name)}: {result.status}[/red]: {escape(result.message)}")
        self.bar.advance(self.task)

    def close(self) -> None:
        """See :meth:`Progress.close`."""
        self.bar.update(self.task, description="")
        self.bar.stop()


def print_summary(results: Sequence[Any], stream: TextIO | None = None, *, fancy: bool | None = None) -> None:
    """Print every report's name, status, time and failure, then the counts.

    Parameters
    ----------
    results : sequence of Result
        The reports' results, each with ``name``, ``status`` (``ok``, ``skipped``, ``failed``, ``invalid``),
        time and failure.
    stream : TextIO, optional
        Where to write; standard output when None.
    fancy : bool, optional
        Print a rich table (True) or plain lines (False); None decides by whether ``stream`` is a terminal.
    """
    stream = stream or sys.stdout
    counts = {s: sum(r.status == s for r in results) for s in ("ok", "skipped", "failed", "invalid")}
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no reports"
    if fancy if fancy is not None else is_terminal(stream):
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=f"reports: {tally}", title_justify="left")
        for column in ("report", "status", "time", "what failed"):
            table.add_column(column, overflow="fold")
        for r in results:
            style = {"ok": "green", "skipped": "dim"}.get(r.status, "red")
            table.add_row(escape(r.name), f"[{style}]{r.status}[/{style}]", f"{r.duration:.1f} s", escape(r.message))
        Console(file=stream).print(table)
        return
    width = max([len(r.name) for r in results] + [6])
    print(f"{'report'.ljust(width)}  status   time     what failed", file=stream)
    for r in results:
        print(f"{r.name.ljust(width)}  {r.status.ljust(7)}  {f'{r.duration:.1f} s'.rjust(7)}  {r.message}", file=stream)
    print(f"reports: {tally}", file=stream, flush=True)
