"""Schedules: which reports fell due since their last successful run.

A report in ``reports.toml`` may carry ``schedule = "30 4 * * *"`` (five cron fields, read in the
machine's local time zone like crontab; set ``TZ`` to choose another). ``ddj run --due`` runs exactly
the reports whose schedule fired after their last success, so one crontab line that calls it every few
minutes serves every schedule (see the README). A report that never succeeded is due; a run that failed
leaves it due; a report skipped because its inputs are unchanged counts as a success (its page is
current).

Every ``ddj run`` records, per report, when it last ran and last succeeded in ``<out>/.ddj/state.json``
(written atomically). The clock is injectable: functions take ``now``; the command line reads
``DDJ_NOW`` (an ISO 8601 time, a testing aid) before the system clock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ddj.errors import InvalidValueError

STATE_FILE = "state.json"
STATE_VERSION = 1


def clock(environ: Mapping[str, str] | None = None) -> dt.datetime:
    """The current time, aware, in the local time zone; or ``DDJ_NOW`` when set (for tests).

    Examples
    --------
    >>> clock({"DDJ_NOW": "2026-03-01T04:30:00+00:00"}).isoformat()
    '2026-03-01T04:30:00+00:00'

    With ``DDJ_NOW`` set, the run believes it is 04:30 UTC on 1 March 2026.
    """
    text = (os.environ if environ is None else environ).get("DDJ_NOW", "").strip()
    if not text:
        return dt.datetime.now().astimezone()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        msg = f"DDJ_NOW={text!r} is not an ISO 8601 time such as 2026-03-01T04:30:00+00:00"
        raise InvalidValueError(msg) from None
    return moment if moment.tzinfo else moment.astimezone()


def is_due(expression: str, last_success: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a schedule fired after ``last_success`` and at or before ``now`` (always, without a success).

    Parameters
    ----------
    expression : str
        A five-field cron expression (minute hour day-of-month month day-of-week), as ``schedule`` in
        ``reports.toml``.
    last_success : datetime.datetime or None
        When the report last succeeded, timezone-aware; None when it never has.
    now : datetime.datetime
        The time to judge at, timezone-aware; the schedule is read in its timezone.

    Examples
    --------
    >>> utc = dt.timezone.utc
    >>> last = dt.datetime(2026, 3, 1, 4, 31, tzinfo=utc)
    >>> is_due("30 4 * * *", last, dt.datetime(2026, 3, 2, 4, 29, tzinfo=utc))
    False
    >>> is_due("30 4 * * *", last, dt.datetime(2026, 3, 2, 4, 30, tzinfo=utc))
    True

    A daily 04:30 report that succeeded at 04:31 is due again from 04:30 the next day.
    """
    if last_success is None:
        return True
    return next_run(expression, last_success, now.tzinfo) <= now


def next_run(expression: str, after: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The first time after ``after`` at which the schedule fires, in ``tz`` (default: ``after``'s).

    Parameters
    ----------
    expression : str
        A five-field cron expression, as ``schedule`` in ``reports.toml``.
    after : datetime.datetime
        The time to start from, timezone-aware; a firing exactly at ``after`` does not count.
    tz : datetime.tzinfo, optional
        The timezone the expression's hours are read in, and the result's.
    """
    from croniter import croniter

    start = after.astimezone(tz) if tz is not None else after
    return croniter(expression, start).get_next(dt.datetime)


class State:
    """When each report last ran and last succeeded, kept in ``<out>/.ddj/state.json``."""

    def __init__(self, path: Path | None, reports: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = path
        self.reports = reports if reports is not None else {}

    @classmethod
    def for_output(cls, out_dir: str | Path) -> State:
        """The state of an output folder (empty when there is none or it cannot be read)."""
        from ddj.report.runner.cache import CACHE_DIR

        path = Path(out_dir).resolve() / CACHE_DIR / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        reports = data.get("reports") if isinstance(data, dict) and data.get("version") == STATE_VERSION else None
        return cls(path, reports if isinstance(reports, dict) else {})

    def last_success(self, name: str) -> dt.datetime | None:
        """When the report last succeeded (or was found current), or ``None``."""
        text = (self.reports.get(name) or {}).get("last_success")
        try:
            return dt.datetime.fromisoformat(text) if text else None
        except ValueError:
            return None

    def record(self, results: Iterable[Any], now: dt.datetime) -> State:
        """Record a run's results (objects with ``name`` and ``status``) at ``now``; return ``self``."""
        stamp = now.astimezone(dt.UTC).isoformat()
        for result in results:
            entry = self.reports.setdefault(result.name, {})
            entry.update(last_run=stamp, last_status=result.status)
            if result.status in ("ok", "skipped"):
                entry["last_success"] = stamp
        return self

    def save(self) -> None:
        """Write the state atomically."""
        if self.path is None:
            return
        from ddj._io import atomic_write_text

        text = json.dumps({"version": STATE_VERSION, "reports": self.reports}, indent=1, sort_keys=True) + "\n"
        atomic_write_text(self.path, text)


def due(specs: Iterable[Any], state: State, now: dt.datetime) -> list[Any]:
    """The reports (with a ``schedule`` and a ``name``) whose schedule fell due since their last success.

    Reports without a schedule are never due: they run when asked for by name or with the whole batch.
    A report whose schedule cannot be evaluated is left out (:func:`split_due` says why).

    Parameters
    ----------
    specs : iterable of ReportSpec
        The reports configured; those without a ``schedule`` are never due.
    state : State
        The output folder's record of each report's last success.
    now : datetime.datetime
        The time to judge at, timezone-aware (:func:`clock`, which ``DDJ_NOW`` can set).
    """
    return split_due(specs, state, now)[0]


def split_due(specs: Iterable[Any], state: State, now: dt.datetime) -> tuple[list[Any], list[tuple[Any, str]]]:
    """The reports that are due, and the reports whose schedule could not be evaluated, each with why.

    One report's schedule error (a date that never comes, a state file croniter cannot start from) fails that
    report alone: ``ddj run --due`` records it as invalid and runs the others.

    Parameters
    ----------
    specs : iterable of ReportSpec
        The reports configured; those without a ``schedule`` are in neither list.
    state : State
        The output folder's record of each report's last success.
    now : datetime.datetime
        The time to judge at, timezone-aware (:func:`clock`, which ``DDJ_NOW`` can set).
    """
    found, refused = [], []
    for spec in specs:
        if not spec.schedule:
            continue
        try:
            if is_due(spec.schedule, state.last_success(spec.name), now):
                found.append(spec)
        except Exception as err:  # noqa: BLE001 - any schedule error fails this report alone
            refused.append(
                (
                    spec,
                    f"its schedule {spec.schedule!r} could not be evaluated "
                    f"({type(err).__name__}: {err}); fix `schedule` in reports.toml",
                )
            )
    return found, refused
