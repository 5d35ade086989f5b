"""Schedules: `ddj run --due` runs exactly the reports whose cron schedule fell due since their last success,
on an injected clock (DDJ_NOW). A failed run stays due; a report without a schedule is never due.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from types import SimpleNamespace

import pytest

from ddj.cli import main
from ddj.errors import UsageError
from ddj.report.runner.schedule import State, clock, due, is_due, next_run
from tests.paths import ROOT

FIXTURES = ROOT / "tests" / "notebooks"
UTC = dt.UTC


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("expression", "last", "now", "expected"),
    [
        ("0 4 * * *", None, "2026-03-02T00:00+00:00", True),  # never succeeded
        ("0 4 * * *", "2026-03-02T04:00+00:00", "2026-03-02T23:59+00:00", False),
        ("0 4 * * *", "2026-03-02T04:00+00:00", "2026-03-03T04:00+00:00", True),  # due at the minute
        ("0 4 * * *", "2026-03-01T03:00+00:00", "2026-03-03T09:00+00:00", True),  # missed runs: due once
        ("*/15 * * * *", "2026-03-02T04:01+00:00", "2026-03-02T04:14+00:00", False),
        ("*/15 * * * *", "2026-03-02T04:01+00:00", "2026-03-02T04:15+00:00", True),
        ("30 4 * * 1", "2026-03-02T04:30+00:00", "2026-03-08T23:00+00:00", False),  # Mondays only
        ("30 4 * * 1", "2026-03-02T04:30+00:00", "2026-03-09T04:30+00:00", True),
        # read in the clock's time zone: 04:00 at +02:00 is 02:00 UTC
        ("0 4 * * *", "2026-03-02T03:00+00:00", "2026-03-03T02:00+02:00", False),
        ("0 4 * * *", "2026-03-02T03:00+00:00", "2026-03-03T04:00+02:00", True),
    ],
)
def test_is_due(expression, last, now, expected):
    assert is_due(expression, _at(last) if last else None, _at(now)) is expected


def test_next_run_is_in_the_clocks_time_zone():
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert next_run("0 4 * * *", _at("2026-03-02T03:00+00:00"), plus_two) == dt.datetime(2026, 3, 3, 4, tzinfo=plus_two)


def test_due_keeps_scheduled_reports_whose_schedule_fired_since_their_last_success(tmp_path):
    specs = [
        SimpleNamespace(name="daily", schedule="0 4 * * *"),
        SimpleNamespace(name="hourly", schedule="0 * * * *"),
        SimpleNamespace(name="never-ran", schedule="0 4 * * 1"),
        SimpleNamespace(name="manual", schedule=None),
    ]
    state = State(tmp_path / "state.json")
    state.record(
        [SimpleNamespace(name="daily", status="ok"), SimpleNamespace(name="hourly", status="skipped")],
        _at("2026-03-02T04:00+00:00"),
    )
    assert [s.name for s in due(specs, state, _at("2026-03-02T04:59+00:00"))] == ["never-ran"]
    assert [s.name for s in due(specs, state, _at("2026-03-02T05:00+00:00"))] == ["hourly", "never-ran"]
    assert [s.name for s in due(specs, state, _at("2026-03-03T04:00+00:00"))] == ["daily", "hourly", "never-ran"]


def test_the_state_keeps_the_last_success_through_failures_and_is_saved(tmp_path):
    state = State(tmp_path / ".ddj" / "state.json")
    state.record([SimpleNamespace(name="r", status="ok")], _at("2026-03-02T04:00+02:00"))
    state.record([SimpleNamespace(name="r", status="failed")], _at("2026-03-03T04:00+02:00"))
    state.save()
    loaded = State.for_output(tmp_path)
    assert loaded.last_success("r") == _at("2026-03-02T02:00+00:00")
    assert loaded.reports["r"]["last_status"] == "failed" and loaded.reports["r"]["last_run"].startswith(
        "2026-03-03T02"
    )
    assert not list((tmp_path / ".ddj").glob("*.tmp"))


def test_the_clock_reads_ddj_now():
    assert clock({"DDJ_NOW": "2026-03-02T04:30:00+01:00"}) == _at("2026-03-02T03:30:00+00:00")
    assert clock({"DDJ_NOW": "2026-03-02T04:30"}).tzinfo is not None  # a time without a zone is local time
    assert abs(clock({}) - dt.datetime.now(UTC)) < dt.timedelta(minutes=1)
    with pytest.raises(UsageError, match="DDJ_NOW='soon' is not an ISO 8601 time"):
        clock({"DDJ_NOW": "soon"})


# --- ddj run --due, end to end on an injected clock -------------------------------------------------------

CONFIG = f"""
[reports.daily]
notebook = "{FIXTURES / "echo.ipynb"}"
parameters = {{ n = 1 }}
schedule = "0 4 * * *"

[reports.hourly]
notebook = "{FIXTURES / "echo.ipynb"}"
parameters = {{ n = 2 }}
schedule = "0 * * * *"

[reports.weekly]
notebook = "{FIXTURES / "echo.ipynb"}"
parameters = {{ n = 3 }}
schedule = "30 4 * * 1"

[reports.manual]
notebook = "{FIXTURES / "echo.ipynb"}"
parameters = {{ n = 4 }}

[reports.failing]
notebook = "{FIXTURES / "raises.ipynb"}"
schedule = "0 4 * * *"
"""

# (the injected time, the reports due then and how they end)
TIMELINE = [
    ("2026-03-02T04:10+00:00", {"daily": "ok", "hourly": "ok", "weekly": "ok", "failing": "failed"}),  # a Monday
    # the weekly schedule fired at 04:30, after the 04:10 success (its inputs are unchanged: skipped);
    # a failed run stays due
    ("2026-03-02T04:50+00:00", {"weekly": "skipped", "failing": "failed"}),
    ("2026-03-02T05:01+00:00", {"hourly": "skipped", "failing": "failed"}),  # due, but its inputs are unchanged
    ("2026-03-03T04:00+00:00", {"daily": "skipped", "hourly": "skipped", "failing": "failed"}),
    ("2026-03-09T04:30+00:00", {"daily": "skipped", "hourly": "skipped", "weekly": "skipped", "failing": "failed"}),
]


@pytest.fixture(scope="module")
def timeline(tmp_path_factory):
    base = tmp_path_factory.mktemp("due")
    (base / "reports.toml").write_text(CONFIG, encoding="utf-8")
    seen = []
    with pytest.MonkeyPatch.context() as patch:
        for now, _ in TIMELINE:
            patch.setenv("DDJ_NOW", now)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = main(
                    [
                        "run",
                        "--due",
                        "--jobs",
                        "1",
                        "--config",
                        str(base / "reports.toml"),
                        "--out",
                        str(base / "reports"),
                    ]
                )
            text = out.getvalue()
            seen.append(
                {
                    "code": code,
                    "text": text,
                    "ran": dict(re.findall(r"^\[\d+/\d+\] ([\w-]+): (\w+)", text, re.MULTILINE)),
                }
            )
    return {"base": base, "seen": seen}


@pytest.mark.parametrize("step", range(len(TIMELINE)))
def test_due_runs_exactly_the_reports_whose_schedule_fell_due(timeline, step):
    now, expected = TIMELINE[step]
    seen = timeline["seen"][step]
    assert seen["ran"] == expected, now
    assert f"{len(expected)} of 4 scheduled report(s) due" in seen["text"]
    assert seen["code"] == 1  # the failing report fails every time it is due


def test_the_state_records_last_runs_and_successes(timeline):
    state = json.loads((timeline["base"] / "reports" / ".ddj" / "state.json").read_text(encoding="utf-8"))
    reports = state["reports"]
    assert reports["weekly"]["last_success"] == "2026-03-09T04:30:00+00:00"
    assert reports["daily"]["last_success"] == "2026-03-09T04:30:00+00:00"
    assert "last_success" not in reports["failing"] and reports["failing"]["last_status"] == "failed"
    assert "manual" not in reports  # never due: it runs when the whole batch or it by name is asked for


def test_due_with_a_notebook_is_refused(capsys):
    assert main(["run", str(FIXTURES / "echo.ipynb"), "--due"]) == 2
    assert "--only and --due select reports from --config" in capsys.readouterr().err
