"""Row-level skipping: an incident report's content key covers the slice its notebook reads (its incident, the
related incidents, their accounts, the sources those name and the overrides that target them), so an edit
changes the keys of exactly the reports whose slice it touches. The slice's digest is the same in two processes,
the manifest records it, and a notebook that declares no scope keeps the whole-file key.

The keys are computed directly (no kernel) on copies of the minimal package with two more incidents; one
end-to-end `ddj run` over a reports.toml of three incident reports checks that exactly the affected one runs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ddj
from ddj.cli import main
from ddj.datasets.scope import scope, slice_digest
from ddj.report.runner.cache import Cache, content_key
from ddj.report.runner.config import ReportSpec
from tests.fixtures.minimal import BASE_TABLES, write_package
from tests.paths import ROOT

NOTEBOOK = ROOT / "notebooks" / "incident-report.ipynb"
ECHO = ROOT / "tests" / "notebooks" / "echo.ipynb"
INCIDENTS = ["inc-1", "inc-2", "inc-3", "inc-4"]  # inc-2 is context to inc-1; inc-3 and inc-4 stand alone


def _with_two_more(tables: dict) -> None:
    base = BASE_TABLES["incidents"][0]
    for number, source in ((3, "src-third"), (4, "src-official")):
        tables["incidents"].append({**base, "incident_id": f"inc-{number}", "title": f"Incident {number}"})
        tables["accounts"].append(
            {
                **BASE_TABLES["accounts"][0],
                "account_id": f"acc-{number}0",
                "incident_id": f"inc-{number}",
                "source_id": source,
            }
        )
    tables["sources"].append(
        {"source_id": "src-third", "name": "Third outlet", "kind": "independent_media", "country": "UK", "notes": ""}
    )


def _package(folder: Path, edit=None) -> Path:
    def mutate(tables: dict) -> None:
        _with_two_more(tables)
        if edit is not None:
            edit(tables)

    return write_package(folder, mutate)


def _keys(folder: Path, notebook: Path = NOTEBOOK) -> dict[str, str | None]:
    cache = Cache(None)
    return {
        i: content_key(
            ReportSpec(
                name=f"incident-{i}",
                group="incident",
                notebook=notebook,
                parameters={"dataset": str(folder), "incident_id": i},
                base_dir=folder.parent,
            ),
            cache,
            software={},
            code="code",
        )
        for i in INCIDENTS
    }


def _changed(folder: Path, edit, notebook: Path = NOTEBOOK) -> set[str]:
    """The incidents whose report keys change when the package in ``folder`` is written again after ``edit``."""
    before = _keys(_package(folder), notebook)
    after = _keys(_package(folder, edit), notebook)
    assert all(before.values()) and all(after.values())
    return {i for i in before if before[i] != after[i]}


def test_the_incident_notebook_sees_only_its_slice(tmp_path):
    ds = ddj.load(_package(tmp_path / "package"), warn=False)
    one = scope(ds, incidents=["inc-1"])
    assert one.incidents["incident_id"].to_list() == ["inc-1", "inc-2"]  # inc-2 is related to inc-1
    assert sorted(one.accounts["account_id"].to_list()) == ["acc-1", "acc-2", "acc-3"]
    assert sorted(one.sources["source_id"].to_list()) == ["src-local", "src-official"]
    assert scope(ds, incidents=["inc-3"]).sources["source_id"].to_list() == ["src-third"]
    assert ds.incidents.height == 4  # the loaded dataset is unchanged
    with pytest.raises(ddj.errors.UsageError, match="no incident 'inc-9'"):
        scope(ds, incidents=["inc-9"])


def _add_account(incident_id: str, **values: str):
    def edit(tables: dict) -> None:
        tables["accounts"].append(
            {**BASE_TABLES["accounts"][1], "account_id": "acc-new", "incident_id": incident_id, **values}
        )

    return edit


def test_a_new_account_changes_its_incident_and_the_related_ones_only(tmp_path):
    assert _changed(tmp_path / "package", _add_account("inc-1")) == {"inc-1", "inc-2"}


def test_an_account_of_an_unrelated_incident_changes_that_incident_only(tmp_path):
    assert _changed(tmp_path / "package", _add_account("inc-4")) == {"inc-4"}


def test_a_caveat_counted_over_the_table_is_counted_over_the_slice(tmp_path):
    # "1 of 6 accounts are marked uncertain" counts the slice's accounts, so only inc-4's page hears of it
    uncertain = _add_account("inc-4", certainty="uncertain", notes="One witness.")
    assert _changed(tmp_path / "package", uncertain) == {"inc-4"}
    ds = ddj.load(tmp_path / "package", warn=False)
    assert any(c.rule == "uncertain" and "1 of 2 accounts" in c.message for c in scope(ds, incidents=["inc-4"]).caveats)
    assert not any(c.rule == "uncertain" for c in scope(ds, incidents=["inc-3"]).caveats)


@pytest.mark.parametrize(
    ("source", "affected"),
    [("src-third", {"inc-3"}), ("src-local", {"inc-1", "inc-2"}), ("src-official", {"inc-1", "inc-2", "inc-4"})],
)
def test_an_edited_source_changes_the_incidents_whose_accounts_name_it(tmp_path, source, affected):
    def rename(tables: dict) -> None:
        for row in tables["sources"]:
            if row["source_id"] == source:
                row["name"] = "Renamed outlet"

    assert _changed(tmp_path / "package", rename) == affected


def test_an_override_changes_the_key_of_the_incident_it_targets(tmp_path):
    def override(tables: dict) -> None:
        tables["overrides"].append(
            {
                "override_id": "ov-1",
                "target_table": "grades",
                "target_id": "inc-3",
                "field": "grade",
                "value": "fair",
                "editor": "Night editor",
                "decided_on": "2024-05-02",
                "reason": "A second outlet confirmed it.",
            }
        )

    assert _changed(tmp_path / "package", override) == {"inc-3"}


def test_unchanged_rows_keep_every_key(tmp_path):
    assert _changed(tmp_path / "package", lambda tables: None) == set()


def test_a_notebook_without_a_scope_keys_on_the_whole_files(tmp_path):
    notebook = tmp_path / "echo.ipynb"
    shutil.copy(ECHO, notebook)
    assert _changed(tmp_path / "package", _add_account("inc-4"), notebook) == set(INCIDENTS)


def test_the_slice_digest_is_the_same_in_another_process(tmp_path):
    folder = _package(tmp_path / "package")
    here = slice_digest(scope(ddj.load(folder, warn=False), incidents=["inc-1"]))
    code = (
        "import ddj; from ddj.datasets.scope import scope, slice_digest; "
        f"print(slice_digest(scope(ddj.load({str(folder)!r}, warn=False), incidents=['inc-1'])))"
    )
    there = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"},
    ).stdout.strip()
    assert there == here and len(here) == 64


CONFIG = """
[reports.incident]
notebook = "{notebook}"
parameters = {{ dataset = "package" }}
output = "incident-{{incident_id}}"
[reports.incident.grid]
incident_id = ["inc-1", "inc-3", "inc-4"]
"""


def test_ddj_run_after_one_edit_runs_exactly_the_affected_report(tmp_path, capsys, monkeypatch):
    code = tmp_path / "ddj-code"  # stands for ddj's package, whose files are part of every key: it stays the same
    code.mkdir()
    shutil.copy(ROOT / "ddj" / "__init__.py", code / "__init__.py")
    monkeypatch.setattr("ddj.report.runner.cache.CODE_ROOT", code)
    folder = _package(tmp_path / "package")
    config = tmp_path / "reports.toml"
    config.write_text(CONFIG.format(notebook=NOTEBOOK), encoding="utf-8")
    out = tmp_path / "reports"
    argv = ["run", "--config", str(config), "--out", str(out)]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert first.count(": ok") == 3, first
    manifest = json.loads((out / "incident-inc-3" / "manifest.json").read_text(encoding="utf-8"))
    recorded = manifest["datasets"][0]["slice"]
    assert recorded["incidents"] == ["inc-3"]
    assert recorded["digest"] == slice_digest(scope(ddj.load(folder, warn=False), incidents=["inc-3"]))

    def rename(tables: dict) -> None:
        tables["sources"][-1]["name"] = "Renamed outlet"  # src-third: named by inc-3's account only

    _package(folder, rename)
    assert main(argv) == 0
    second = capsys.readouterr().out
    assert "incident-inc-3: ok" in second and second.count(": ok") == 1, second
    assert second.count(": skipped") == 2, second
