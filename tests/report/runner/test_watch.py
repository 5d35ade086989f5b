"""``ddj run --watch``: which saves rerun which reports, what is printed, and a clean stop.

The rounds are driven by change sets fed directly (no file events, no waiting); the edits each change set stands
for are made just before it is handed over, after the previous round. One test runs the command in a child
process with real file events and stops it with SIGTERM: it polls for conditions with generous timeouts.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from ddj.report.runner.config import load_config
from ddj.report.runner.executors import WarmExecutor
from ddj.report.runner.run import run_reports, warm_worker
from ddj.report.runner.watch import Plan, Watched, file_changes, watch_reports
from tests.paths import ROOT
from tests.report.runner.test_orphans import TOKEN, lock_is_free, poll, processes_of

FIXTURES = ROOT / "tests" / "notebooks"


def slow_notebook(path: Path, label: str = "slow") -> Path:
    """The ``slow`` fixture with a short pause and its own default label (so its bytes can be changed)."""
    nb = json.loads((FIXTURES / "slow.ipynb").read_text(encoding="utf-8"))
    nb["cells"][1]["source"] = ["seconds: float = 0.01  # how long the report works\n", f'label: str = "{label}"']
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def config_text(a2_label: str = "a2", extra: str = "") -> str:
    return (
        '[reports.a1]\nnotebook = "a.ipynb"\nparameters = { label = "a1" }\n\n'
        f'[reports.a2]\nnotebook = "a.ipynb"\nparameters = {{ label = "{a2_label}" }}\n\n'
        '[reports.b1]\nnotebook = "b.ipynb"\nparameters = { label = "b1" }\n\n' + extra
    )


def ran(round_) -> list[str]:
    return sorted(r.name for r in round_.summary.results if r.status != "skipped")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """One watch over eight change sets; each edit is made when its change set is asked for."""
    base = tmp_path_factory.mktemp("watch")
    slow_notebook(base / "a.ipynb")
    slow_notebook(base / "b.ipynb")
    config = base / "reports.toml"
    config.write_text(config_text(), encoding="utf-8")
    out = base / "out"

    def changes():
        yield [out / "a1" / "a1.html", base / "notes.txt", out / ".ddj" / "cache.json"]  # nothing a report reads
        slow_notebook(base / "b.ipynb", label="edited")
        yield [base / "b.ipynb"]
        config.write_text(config_text(a2_label="a2 again"), encoding="utf-8")
        yield [config, base / "notes.txt"]
        config.write_text("[reports.a1\nnotebook = ", encoding="utf-8")
        yield [config]
        config.write_text(config_text(a2_label="a2 again"), encoding="utf-8")
        yield [config]
        slow_notebook(base / "more" / "c.ipynb")
        config.write_text(config_text("a2 again", '[reports.c1]\nnotebook = "more/c.ipynb"\n'), encoding="utf-8")
        yield [config]
        slow_notebook(base / "more" / "c.ipynb", label="c edited")
        yield [str(base / "more" / "c.ipynb")]
        broken = json.loads((base / "a.ipynb").read_text(encoding="utf-8"))
        broken["cells"][2]["source"] = ["raise ValueError('broken on purpose')"]
        (base / "a.ipynb").write_text(json.dumps(broken), encoding="utf-8")
        yield [base / "a.ipynb"]

    def load() -> Plan:
        loaded = load_config(config)
        return Plan(loaded.reports, loaded.errors)

    stream = io.StringIO()
    watched = Watched(config=config, ignored=out)
    with pytest.MonkeyPatch.context() as patch, WarmExecutor(1, warm_up=warm_worker) as executor:
        # ddj's own files are part of every key; held still here, so that an edit to ddj while the test runs (or
        # another test's) cannot rerun every report
        patch.setattr("ddj.report.runner.cache.code_digest", lambda cache, root=None: "ddj-code")
        patch.chdir(base)
        rounds = watch_reports(
            changes(),
            load=load,
            run=lambda plan: run_reports(plan.specs, out, executor=executor),
            watched=watched,
            stream=stream,
        )
    return {"rounds": rounds, "text": stream.getvalue(), "base": base, "watched": watched}


def test_the_first_round_runs_every_report(scenario):
    first = scenario["rounds"][0]
    assert first.changed == () and first.error is None
    assert ran(first) == ["a1", "a2", "b1"]
    assert all(r.status == "ok" for r in first.summary.results)


def test_changes_to_files_no_report_reads_start_no_round(scenario):
    assert [r.changed for r in scenario["rounds"][1:3]] == [("b.ipynb",), ("reports.toml",)]
    assert "notes.txt" not in scenario["text"] and "changed: out" not in scenario["text"]


def test_a_saved_notebook_reruns_only_its_reports_and_says_where_the_page_is(scenario):
    second = scenario["rounds"][1]
    assert ran(second) == ["b1"]
    assert "changed: b.ipynb\n" in scenario["text"]
    assert "rebuilt b1 (" in scenario["text"] and f"-> {Path('out', 'b1', 'b1.html')}" in scenario["text"]
    assert "1 report(s) run, 2 unchanged" in scenario["text"]
    assert (scenario["base"] / "out" / "b1" / "b1.ipynb").read_text(encoding="utf-8").count("edited") >= 1


def test_a_changed_parameter_reruns_only_that_report(scenario):
    assert ran(scenario["rounds"][2]) == ["a2"]


def test_a_broken_reports_toml_is_printed_and_the_watch_goes_on(scenario):
    broken, fixed = scenario["rounds"][3], scenario["rounds"][4]
    assert broken.summary is None and broken.error
    assert "reports.toml: not valid TOML" in broken.error
    assert f"ddj run --watch: error: {broken.error}" in scenario["text"]
    assert "still watching: fix it and save again" in scenario["text"]
    assert fixed.error is None and ran(fixed) == []  # fixed as it was: nothing to rerun


def test_a_new_report_is_run_and_its_notebook_watched(scenario):
    added, edited = scenario["rounds"][5], scenario["rounds"][6]
    assert ran(added) == ["c1"]
    assert edited.changed == (str(Path("more", "c.ipynb")),) and ran(edited) == ["c1"]
    assert (scenario["base"] / "more" / "c.ipynb").resolve() in scenario["watched"].notebooks


def test_a_failed_report_says_what_failed(scenario):
    failed = scenario["rounds"][7]
    assert [(r.name, r.status) for r in failed.summary.results if r.status != "skipped"] == [
        ("a1", "failed"),
        ("a2", "failed"),
    ]
    assert "  failed a1: " in scenario["text"] and "ValueError: broken on purpose" in scenario["text"]
    assert len(scenario["rounds"]) == 8


def test_dataset_files_are_watched_and_the_output_folder_is_not(tmp_path):
    data = tmp_path / "data" / "mine"
    data.mkdir(parents=True)
    (data / "datapackage.json").write_text(
        json.dumps({"name": "mine", "resources": [{"name": "incidents", "path": "tables/incidents.csv"}]}),
        encoding="utf-8",
    )
    (data / "tables").mkdir()
    (data / "tables" / "incidents.csv").write_text("incident_id\nx\n", encoding="utf-8")
    config = tmp_path / "reports.toml"
    tiny = FIXTURES / "tiny.ipynb"
    config.write_text(
        f'[reports.tiny]\nnotebook = "{tiny}"\nparameters = {{ dataset = "data/mine" }}\n', encoding="utf-8"
    )
    watched = Watched(config=config, ignored=tmp_path / "out")
    watched.update(Plan(load_config(config).reports))
    csv, descriptor = data / "tables" / "incidents.csv", data / "datapackage.json"
    assert watched.affected([csv, tmp_path / "out" / "tiny" / "tiny.html", tmp_path / "other.csv", descriptor]) == [
        csv.resolve(),
        descriptor.resolve(),
    ]
    assert {data.resolve(), (data / "tables").resolve(), tmp_path.resolve(), FIXTURES.resolve()} <= watched.roots()
    assert (tmp_path / "out").resolve() not in watched.roots()


def test_file_changes_yields_a_saved_file_and_ends_when_stopped(tmp_path):
    """Real file events: the notebook is saved again until its change is seen (the watcher starts inside the
    generator, so a save made before it is ready would be missed), then the stop event ends the generator.
    """
    notebook = slow_notebook(tmp_path / "n.ipynb")
    watched = Watched(config=None, ignored=tmp_path / "out")
    watched.notebooks = {notebook.resolve()}
    stop = threading.Event()
    seen: list[set[str]] = []

    def save_until_seen() -> None:
        count = 0
        while not seen and not stop.wait(0.2):  # a poll: stop.wait returns at once once the change was seen
            count += 1
            slow_notebook(notebook, label=f"saved {count}")

    saver = threading.Thread(target=save_until_seen, daemon=True)
    timeout = threading.Timer(60, stop.set)  # a cap, should the events never come
    saver.start()
    timeout.start()
    try:
        for batch in file_changes(watched, stop, step_ms=50, debounce_ms=400):
            seen.append(batch)
            if watched.affected(batch):
                stop.set()
    finally:
        stop.set()
        timeout.cancel()
        saver.join(timeout=30)
    assert seen and watched.affected(seen[-1]) == [notebook.resolve()]


def test_the_command_reruns_on_save_and_stops_cleanly_on_sigterm(tmp_path):
    """``ddj run --watch`` in a child process: a save of reports.toml reruns one report, SIGTERM ends the watch
    with exit 130, and no worker or kernel is left; the lock is free.
    """
    slow_notebook(tmp_path / "a.ipynb")
    slow_notebook(tmp_path / "b.ipynb")
    config = tmp_path / "reports.toml"
    config.write_text(config_text(), encoding="utf-8")
    token = uuid.uuid4().hex
    process = subprocess.Popen(
        [sys.executable, "-m", "ddj", "run", "--watch", "--jobs", "2", "--config", "reports.toml", "--out", "out"],
        cwd=tmp_path,
        env={**os.environ, TOKEN: token},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(line.rstrip("\n") for line in process.stdout), daemon=True)
    reader.start()
    try:
        poll(
            lambda: any(line.startswith("watching ") for line in lines) or process.poll() is not None,
            what="the first round",
        )
        assert process.poll() is None, "\n".join(lines)
        assert "3 report(s) run, 0 unchanged" in "\n".join(lines)
        saves = 0

        def saved_and_seen() -> bool:
            nonlocal saves
            if "changed: reports.toml" in lines:
                return any(" report(s) run, " in line for line in lines[lines.index("changed: reports.toml") :])
            saves += 1  # the watcher may not be listening yet: save again until it sees a save
            config.write_text(config_text(a2_label=f"save {saves}"), encoding="utf-8")
            return False

        poll(lambda: saved_and_seen() or process.poll() is not None, what="the rerun after a save")
        assert process.poll() is None, "\n".join(lines)
        assert f"-> {Path('out', 'a2', 'a2.html')}" in "\n".join(lines)
        # Which reports a save reruns is tested above with ddj's code held still; here another process may edit
        # ddj while the test runs, which reruns every report, so only the report the save changed is asserted.
        after = lines[lines.index("changed: reports.toml") :]
        assert any("rebuilt a2" in line for line in after)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=120)
        reader.join(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 130, "\n".join(lines)
    assert "ddj run: interrupted" in lines
    poll(lambda: not processes_of(token), timeout=60, what="the watch's workers and kernels to end")
    assert poll(lambda: lock_is_free(tmp_path / "out"), timeout=60, what="the lock")
