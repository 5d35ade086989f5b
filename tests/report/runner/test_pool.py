"""Warm kernels: a report from a warm kernel equals the same report from a fresh kernel, byte for byte, and
the pool replaces kernels after a failure, after a dead kernel, after max_runs and for another notebook.

One module-scoped sequence of runs in this process's pool (max_runs=3), compared with fresh-kernel runs:

1. tiny: its first run imports modules that change a global setting (ddj's charts enable the house
altair theme), so the kernel is replaced by one that preloads them; 2. tiny on that kernel; 3. tiny again
(same kernel); 4. probe (new kernel: another notebook); 5. probe that pollutes every kind of state;
6. probe again (same kernel, state restored; 3 runs: retired); 7. raises (new kernel, then retired);
8. raises (new kernel); 9. kills its kernel once (a new kernel for the retry); 10. kills its kernel every
time (two new kernels, then a failure naming the cell).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from ddj.report.runner import pool
from ddj.report.runner.config import ReportSpec, load_config
from ddj.report.runner.executors import WarmExecutor
from ddj.report.runner.run import ReportJob, prepare_jobs, run_report, run_reports, warm_worker
from tests.fixtures.executed import normalized as _normalized
from tests.paths import ROOT

FIXTURES = ROOT / "tests" / "notebooks"


def _spec(name: str, notebook: str, **parameters) -> ReportSpec:
    return ReportSpec(name=name, group=name, notebook=FIXTURES / notebook, parameters=parameters, base_dir=ROOT)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".svg", ".png")
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("pool")
    specs = [
        _spec("tiny", "tiny.ipynb", points=5),
        _spec("probe", "probe-state.ipynb"),
        _spec("probe-pollute", "probe-state.ipynb", pollute=True),
        _spec("raises", "raises.ipynb"),
        _spec("kills", "kills.ipynb", marker=str(base / "marker")),
        _spec("kills-always", "kills.ipynb"),
    ]
    jobs: dict[str, ReportJob] = {job.name: job for job in prepare_jobs(specs, base)}
    fresh, warm = base / "fresh", base / "warm"
    for name in ("tiny", "probe"):
        assert run_report(replace(jobs[name], out_dir=fresh)).status == "ok"
    kernels = pool.configure(max_runs=3)
    seen = {}

    def run(name: str, folder: str):
        job = replace(jobs[name], out_dir=warm / folder, name=name, engine="ddj-warm")
        result = run_report(job)
        seen[folder] = {"result": result, "started": kernels.started, "retired": dict(kernels.retired)}
        return result

    try:
        run("tiny", "tiny-1")
        run("tiny", "tiny-2")
        run("tiny", "tiny-3")
        run("probe", "probe-1")
        run("probe-pollute", "pollute")
        run("probe", "probe-2")
        run("raises", "raises-1")
        run("raises", "raises-2")
        run("kills", "kills")
        run("kills-always", "kills-always")
    finally:
        pool.close()
    return {"fresh": fresh, "warm": warm, "seen": seen}


def test_a_warm_kernel_gives_the_fresh_kernels_page_and_charts_byte_for_byte(runs):
    fresh = _files(runs["fresh"] / "tiny")
    assert {"tiny.html", "charts/points.svg", "charts/points.png", "charts/incidents.svg"} <= set(fresh)
    for folder in ("tiny-1", "tiny-2", "tiny-3"):
        assert runs["seen"][folder]["result"].status == "ok"
        assert _files(runs["warm"] / folder / "tiny") == fresh, folder


def test_a_warm_kernel_gives_the_fresh_kernels_notebook(runs):
    expected = _normalized(runs["fresh"] / "tiny" / "tiny.ipynb")
    assert [c.get("execution_count") for c in expected["cells"] if c["cell_type"] == "code"] == [1, 2, 3, 4, 5, 6, 7]
    for folder in ("tiny-1", "tiny-2", "tiny-3"):
        got = _normalized(runs["warm"] / folder / "tiny" / "tiny.ipynb")
        assert got["metadata"] == expected["metadata"], folder
        assert [c.get("id") for c in got["cells"]] == [c.get("id") for c in expected["cells"]], folder
        for cell, want in zip(got["cells"], expected["cells"], strict=True):  # one cell at a time: a failure names it
            assert cell == want, (folder, want.get("id"))


def test_a_kernel_learns_the_imports_that_change_settings_then_is_reused(runs):
    seen = runs["seen"]
    assert seen["tiny-1"]["started"] == 1 and seen["tiny-1"]["retired"] == {"state": 1}
    assert seen["tiny-2"]["started"] == seen["tiny-3"]["started"] == 2  # the second kernel preloads them
    assert seen["probe-1"]["retired"] == {"state": 1, "notebook": 1}  # a kernel serves one notebook


def test_state_left_behind_by_a_run_is_reset_before_the_next(runs):
    seen = runs["seen"]
    assert seen["pollute"]["result"].status == "ok"
    polluted = _normalized(runs["warm"] / "pollute" / "probe-pollute" / "probe-pollute.ipynb")
    assert "'done'" in json.dumps(polluted["cells"][-1]["outputs"])
    # the probe after the polluting run ran on the same kernel, and saw what a fresh kernel sees
    assert seen["probe-2"]["started"] == seen["probe-1"]["started"] == 3
    expected = _normalized(runs["fresh"] / "probe" / "probe.ipynb")
    actual = _normalized(runs["warm"] / "probe-2" / "probe" / "probe.ipynb")
    assert actual == expected
    shown = [_text(cell) for cell in actual["cells"] if cell["cell_type"] == "code"]
    assert shown[3].startswith("(5,\n 5,\n 0,\n ['In',") and "leftover" not in shown[3]  # count, In, Out, names
    assert shown[4] == f"True {FIXTURES.name}\nNone False 1\n"  # cwd, environment, sys.path, cd history
    assert shown[5].startswith("default default")  # altair's theme and polars' settings as in a fresh kernel
    assert "shown once per process unless ddj resets the registry" in shown[6]


def _text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        parts.append("".join(text) if isinstance(text, list) else text)
    return "".join(parts)


def test_a_kernel_is_replaced_after_max_runs(runs):
    assert runs["seen"]["probe-2"]["retired"].get("max_runs") == 1


def test_a_kernel_is_replaced_after_a_failed_run(runs):
    seen = runs["seen"]
    assert seen["raises-1"]["result"].status == "failed"
    assert "ValueError: boom" in seen["raises-1"]["result"].message
    assert seen["raises-1"]["started"] == 4 and seen["raises-1"]["retired"].get("failed") == 1
    assert seen["raises-2"]["started"] == 5 and seen["raises-2"]["retired"].get("failed") == 2


def test_a_dead_warm_kernel_is_retried_once_on_a_new_kernel(runs):
    seen = runs["seen"]["kills"]
    assert seen["result"].status == "ok" and seen["result"].attempts == 2
    assert seen["started"] == 7  # the kernel that died, and the one the retry ran on
    nb = _normalized(runs["warm"] / "kills" / "kills" / "kills.ipynb")
    assert "survived" in json.dumps(nb["cells"][-1]["outputs"])


def test_worker_processes_with_warm_kernels_give_the_same_pages(runs, tmp_path):
    config = tmp_path / "reports.toml"
    config.write_text(
        f'[reports.tiny]\nnotebook = "{FIXTURES / "tiny.ipynb"}"\nparameters = {{ points = 5 }}\n\n'
        f'[reports.probe]\nnotebook = "{FIXTURES / "probe-state.ipynb"}"\n',
        encoding="utf-8",
    )
    with WarmExecutor(2, warm_up=warm_worker) as executor:
        summary = run_reports(load_config(config).reports, tmp_path / "out", executor=executor)
    assert [(r.name, r.status) for r in summary.results] == [("tiny", "ok"), ("probe", "ok")]
    assert _files(tmp_path / "out" / "tiny") == _files(runs["fresh"] / "tiny")
    assert _normalized(tmp_path / "out" / "probe" / "probe.ipynb") == _normalized(
        runs["fresh"] / "probe" / "probe.ipynb"
    )


def _square_or_die(n: int) -> int:
    if n == 3:
        os._exit(3)  # the worker process dies, as if a library crashed it
    return n * n


def test_a_lost_worker_process_fails_its_job_and_the_other_jobs_still_run():
    with WarmExecutor(2, max_runs=5, warm_up=warm_worker) as executor:
        results = list(executor.map(_square_or_die, [1, 2, 3, 4, 5, 6], on_error=lambda job, err: ("lost", job, err)))
    lost = {r[1]: type(r[2]).__name__ for r in results if isinstance(r, tuple)}
    done = sorted(r for r in results if not isinstance(r, tuple))
    assert 3 in lost and set(lost.values()) == {"BrokenProcessPool"}
    assert executor.lost_workers == 2  # job 3 is tried once more on a new worker (tests/report/runner/test_orphans.py)
    # every job is accounted for once: lost with the crashed pool (twice), or run
    assert len(results) == 6 and set(lost) | {int(d**0.5) for d in done} == {1, 2, 3, 4, 5, 6}


def test_a_warm_kernel_that_dies_twice_fails_the_report_naming_the_cell(runs):
    seen = runs["seen"]["kills-always"]
    assert seen["result"].status == "failed" and seen["result"].attempts == 2
    assert seen["started"] == 8  # the kernel the last run survived on died, then the one the retry got
    manifest = json.loads((runs["warm"] / "kills-always" / "kills-always" / "manifest.json").read_text())
    assert manifest["error"]["ename"] == "DeadKernelError" and "os.kill" in manifest["error"]["source"]
    assert "2 time(s) in a row" in manifest["error"]["message"]


# --- which worker runs which report ------------------------------------------------------------------


class _Job:
    def __init__(self, name: str, notebook: Path) -> None:
        self.name, self.notebook = name, notebook


def _chooser(*served: Path | None, pending: dict[Path, int]) -> WarmExecutor:
    """A WarmExecutor whose workers (no processes) serve ``served`` notebooks, with ``pending`` reports to come."""
    from collections import Counter

    from ddj.report.runner.executors import _Slot

    executor = WarmExecutor(len(served))
    executor._slots = [_Slot(None, notebook) for notebook in served]  # noqa: SLF001 - the dispatch rule alone
    executor._pending = Counter(pending)  # noqa: SLF001
    return executor


def test_a_report_goes_to_the_idle_worker_whose_kernel_serves_its_notebook():
    incident, theatre = Path("incident.ipynb"), Path("theatre.ipynb")
    executor = _chooser(incident, theatre, pending={incident: 2, theatre: 1})
    assert executor._choose([0, 1], theatre, set()) == 1  # noqa: SLF001
    assert executor._choose([0, 1], incident, set()) == 0  # noqa: SLF001


def test_a_report_waits_for_its_notebooks_busy_worker_rather_than_start_a_new_kernel_for_one_report():
    incident, theatre = Path("incident.ipynb"), Path("theatre.ipynb")
    # The theatre worker (1) is idle; the incident worker (0) is busy; one incident report is left: wait.
    executor = _chooser(incident, theatre, pending={incident: 1, theatre: 0})
    assert executor._choose([1], incident, {0}) is None  # noqa: SLF001
    # Three incident reports left for one incident worker: the idle worker takes one (its kernel is replaced).
    executor = _chooser(incident, theatre, pending={incident: 3, theatre: 0})
    assert executor._choose([1], incident, {0}) == 1  # noqa: SLF001
    # No busy worker serves it: an idle worker takes it, preferring one whose notebook no report still needs.
    executor = _chooser(theatre, None, incident, pending={incident: 1, theatre: 1})
    assert executor._choose([0, 1], incident, {2}) is None  # noqa: SLF001 - worker 2 serves it and one is left
    assert executor._choose([0, 1], Path("other.ipynb"), {2}) == 1  # noqa: SLF001


def test_warm_workers_start_one_kernel_per_notebook_before_a_second_for_any():
    from ddj.report.runner.executors import _warm_plan

    incident, theatre, tally = Path("incident.ipynb"), Path("theatre.ipynb"), Path("tally.ipynb")
    assert _warm_plan([incident, incident, theatre], 2) == [incident, theatre]
    assert _warm_plan([incident, incident, incident], 2) == [incident, incident]
    assert _warm_plan([theatre, tally, incident], 2) == [theatre, tally]
    assert _warm_plan([theatre], 2) == [theatre]


def _notebook_of(job: _Job) -> str:
    return job.name


def test_reports_of_one_notebook_follow_its_warm_worker_and_all_run(tmp_path):
    """Three reports of two notebooks on two workers: every one runs once, and each notebook's reports stay on the
    worker started for it (the fake notebooks are never opened: no kernel starts without a report).
    """
    incident, theatre = tmp_path / "incident.ipynb", tmp_path / "theatre.ipynb"
    jobs = [_Job("theatre", theatre), _Job("a", incident), _Job("b", incident)]
    started: list[str] = []
    with WarmExecutor(2, max_runs=5, warm_up=warm_worker) as executor:
        executor._started = True  # noqa: SLF001 - workers without kernels: the dispatch is what is tested
        executor._pending.update(j.notebook for j in jobs)  # noqa: SLF001
        executor._slots = [executor._new_slot(None, start=False) for _ in range(2)]  # noqa: SLF001
        executor._slots[0].notebook, executor._slots[1].notebook = theatre, incident  # noqa: SLF001
        results = list(executor.map(_notebook_of, jobs, on_start=lambda job: started.append(job.name)))
        assert [s.notebook for s in executor._slots] == [theatre, incident]  # noqa: SLF001 - no kernel switched
    assert sorted(results) == ["a", "b", "theatre"] and sorted(started) == ["a", "b", "theatre"]
