"""One bad entry never stops the others: a schedule that never fires, a schedule that cannot be evaluated, a dataset
whose resource lies outside its folder (by ``..`` or through a symlink) fail their own reports, with a message, and
every other report runs.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from ddj.cli import main
from ddj.errors import ConfigError, DatasetPathError
from ddj.report.runner import schedule
from ddj.report.runner.cache import Cache, dataset_files
from ddj.report.runner.config import ReportSpec, check_schedule, load_config
from ddj.report.runner.executors import SerialExecutor
from ddj.report.runner.run import run_reports
from tests.fixtures.minimal import write_package
from tests.paths import TESTS

FIXTURES = TESTS / "notebooks"
ECHO = FIXTURES / "echo.ipynb"
UTC = dt.UTC


@pytest.mark.parametrize("expression", ["0 0 30 2 *", "0 0 31 4 *", "0 0 31 6 *", "0 0 31 11 *"])
def test_a_schedule_that_never_fires_is_refused(expression):
    # ("0 0 30 2 1-5" does fire: given both days, cron runs on either, so on every weekday of February)
    with pytest.raises(ConfigError, match="never fires"):
        check_schedule(expression)


@pytest.mark.parametrize("expression", ["0 0 29 2 *", "0 4 * * *", "*/5 * * * *", "0 0 31 * *", "0 0 30 2 1-5"])
def test_rare_schedules_that_do_fire_pass(expression):
    assert check_schedule(expression) == expression


def test_a_bad_schedule_fails_its_group_only(tmp_path):
    path = tmp_path / "reports.toml"
    path.write_text(
        f"""
[reports.good]
notebook = "{ECHO}"
schedule = "0 4 * * *"
[reports.never]
notebook = "{ECHO}"
schedule = "0 0 30 2 *"
[reports.garbled]
notebook = "{ECHO}"
schedule = "every day"
""",
        encoding="utf-8",
    )
    config = load_config(path)
    assert [r.name for r in config.reports] == ["good"]
    errors = {e.group: e.message for e in config.errors}
    assert "'0 0 30 2 *' never fires" in errors["never"]
    assert "not a cron expression" in errors["garbled"]


def _spec(name: str, expression: str, base: Path) -> ReportSpec:
    return ReportSpec(name=name, group=name, notebook=ECHO, parameters={}, base_dir=base, schedule=expression)


def test_a_schedule_error_at_due_time_fails_that_report_alone(tmp_path):
    # A never-firing expression that reached the state (written by an older ddj, or an edited state file):
    # croniter raises once the report has succeeded. Only that report is refused.
    state = schedule.State(
        None,
        {
            "never": {"last_success": "2026-03-01T04:00:00+00:00"},
            "daily": {"last_success": "2026-03-01T04:00:00+00:00"},
        },
    )
    now = dt.datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    due, refused = schedule.split_due(
        [_spec("never", "0 0 30 2 *", tmp_path), _spec("daily", "0 4 * * *", tmp_path)], state, now
    )
    assert [s.name for s in due] == ["daily"]
    assert [s.name for s, _ in refused] == ["never"] and "could not be evaluated" in refused[0][1]
    assert [s.name for s in schedule.due([_spec("never", "0 0 30 2 *", tmp_path)], state, now)] == []
    summary = run_reports(due, tmp_path / "out", executor=SerialExecutor(), refused=refused, write_index=False)
    assert {r.name: r.status for r in summary.results} == {"daily": "ok", "never": "invalid"}
    manifest = json.loads((tmp_path / "out" / "never" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "invalid" and "could not be evaluated" in manifest["error"]["message"]


def test_due_survives_a_never_firing_schedule_in_reports_toml(tmp_path, monkeypatch, capsys):
    (tmp_path / "reports.toml").write_text(
        f"""
[reports.daily]
notebook = "{ECHO}"
schedule = "0 4 * * *"
[reports.never]
notebook = "{ECHO}"
parameters = {{ n = 2 }}
schedule = "0 0 30 2 *"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("DDJ_NOW", "2026-03-02T04:30:00+00:00")
    args = ["run", "--due", "--jobs", "1", "--config", str(tmp_path / "reports.toml"), "--out", str(tmp_path / "out")]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "never: invalid" in out and "never fires" in out and "daily: ok" in out
    monkeypatch.setenv("DDJ_NOW", "2026-03-03T04:30:00+00:00")
    assert main(args) == 1  # the next day: the good report is due again and still runs
    assert "daily: skipped" in capsys.readouterr().out


@pytest.fixture
def packages(tmp_path):
    """Three copies of a small valid package: as written, one resource moved outside the folder (``../``), one
    resource replaced by a symlink to a file outside.
    """
    good = write_package(tmp_path / "good")
    escape = shutil.copytree(good, tmp_path / "escape")
    descriptor = json.loads((escape / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == "sources")
    (escape / resource["path"]).rename(tmp_path / "outside.csv")
    resource["path"] = "../outside.csv"
    (escape / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    link = shutil.copytree(good, tmp_path / "link")
    (link / resource_path(link, "sources")).rename(tmp_path / "linked.csv")
    (link / resource_path(link, "sources")).symlink_to(tmp_path / "linked.csv")
    inner = shutil.copytree(good, tmp_path / "inner")  # a symlink that stays inside the folder is fine
    (inner / resource_path(inner, "sources")).rename(inner / "real-sources.csv")
    (inner / resource_path(inner, "sources")).symlink_to(inner / "real-sources.csv")
    return {"good": good, "escape": escape, "link": link, "inner": inner}


def resource_path(folder: Path, name: str) -> str:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return next(r["path"] for r in descriptor["resources"] if r["name"] == name)


def test_dataset_files_refuse_paths_and_symlinks_out_of_the_folder(packages):
    assert len(dataset_files(packages["good"])) > 1
    assert len(dataset_files(packages["inner"])) == len(dataset_files(packages["good"]))
    with pytest.raises(DatasetPathError, match=r"'\.\./outside\.csv' leads outside the dataset's folder"):
        dataset_files(packages["escape"])
    with pytest.raises(DatasetPathError, match=r"is a symlink to .*outside the dataset's folder"):
        dataset_files(packages["link"])


def test_a_dataset_outside_its_folder_fails_its_reports_alone(packages, tmp_path, capsys):
    config = tmp_path / "reports.toml"
    config.write_text(
        "".join(
            f'[reports.{name}]\nnotebook = "{ECHO}"\nparameters = {{ dataset = "{packages[name]}" }}\n\n'
            for name in ("good", "escape", "link", "inner")
        ),
        encoding="utf-8",
    )
    assert main(["run", "--jobs", "1", "--config", str(config), "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "good: ok" in out and "inner: ok" in out
    assert "escape: invalid" in out and "leads outside the dataset's folder" in out
    assert "link: invalid" in out and "is a symlink to" in out
    manifest = json.loads((tmp_path / "out" / "link" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "invalid" and "symlink" in manifest["error"]["message"]


def test_a_grid_over_a_dataset_outside_its_folder_fails_its_group_alone(packages, tmp_path):
    from ddj.report.runner.cache import cached_column_values

    config = tmp_path / "reports.toml"
    config.write_text(
        f"""
[reports.good]
notebook = "{ECHO}"
[reports.grid]
notebook = "{ECHO}"
parameters = {{ dataset = "{packages["link"]}" }}
output = "grid-{{incident_id}}"
[reports.grid.grid]
incident_id = {{ each = "incidents" }}
""",
        encoding="utf-8",
    )
    loaded = load_config(config, column_values=cached_column_values(Cache(None)))
    assert [r.name for r in loaded.reports] == ["good"]
    assert loaded.errors[0].group == "grid" and "symlink" in loaded.errors[0].message
