"""Eight incident reports: ``ddj run --jobs 2`` against a loop of ``papermill`` commands, and the no-op rerun.

Every side runs notebooks/incident-report.ipynb with the same parameters (dataset syria-ru-aviation, the
first eight incident ids) into a new temporary folder, each from a new command, so every side starts cold:

``papermill`` loop
    one ``papermill`` command per report: a new Python process and a new kernel each. Execution only:
    an executed notebook, no page.
``papermill`` + ``nbconvert`` loop
    the same, plus ``jupyter nbconvert --to html --no-input`` per report, for a page as ddj makes one.
``ddj run --fresh-kernels``
    the report pipeline as it was before warm kernels: one process, a new kernel per report.
``ddj run --jobs 2``
    one command: checks every report's parameters, runs them on two warm kernels (starting the worker
    processes and kernels is included), and writes each report's page, charts, notebook and manifest,
    and the index. It does more than the papermill loop, which makes the ratio conservative. The
    scripts every page inlines (Vega, Vega-Lite, Vega-Embed) come from ddj's cache folder, as on any
    machine after its first run.
``ddj run --jobs 2``, first run on a machine
    the same with an empty cache folder (``DDJ_CACHE_DIR``), so the script bundle is built during the
    run: shown for information.
no-op rerun
    ``ddj run --jobs 2`` again with nothing changed: every report is skipped without a kernel.

Targets: ``ddj run --jobs 2`` at least 8 times faster than the papermill loop; the no-op about 1 s.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "incident-report.ipynb"
DATASET = "syria-ru-aviation"
REPORTS = 8
TARGET_RATIO = 8.0
TARGET_NOOP = 1.5


def _incident_ids() -> list[str]:
    with open(ROOT / "data" / DATASET / "incidents.csv", encoding="utf-8", newline="") as handle:
        return [row["incident_id"] for row in csv.DictReader(handle)][:REPORTS]


def _timed(commands: list[list[str]], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run the commands one after another; return the wall-clock seconds and the CPU seconds they used
    (with their children: kernels, worker processes).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    for command in commands:
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=ROOT, check=False, env={**os.environ, **(env or {})}
        )
        if done.returncode != 0:
            msg = f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            raise RuntimeError(msg)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    binary = Path(sys.executable).parent
    ids = _incident_ids()
    with tempfile.TemporaryDirectory(prefix="ddj-bench-reports-") as scratch:
        work = Path(scratch)
        config = work / "reports.toml"
        config.write_text(
            f'[reports.incident]\nnotebook = "{NOTEBOOK}"\nparameters = {{ dataset = "{DATASET}" }}\n'
            f'output = "incident-{{incident_id}}"\n[reports.incident.grid]\nincident_id = {json.dumps(ids)}\n',
            encoding="utf-8",
        )
        papermill = [
            [
                str(binary / "papermill"),
                str(NOTEBOOK),
                str(work / "papermill" / f"{i}.ipynb"),
                "-p",
                "dataset",
                DATASET,
                "-p",
                "incident_id",
                i,
                "--cwd",
                str(NOTEBOOK.parent),
                "--no-progress-bar",
            ]
            for i in ids
        ]
        (work / "papermill").mkdir()
        papermill_s, papermill_cpu = _timed(papermill)
        (work / "nbconvert").mkdir()
        with_pages = []
        for command, i in zip(papermill, ids, strict=True):
            executed = str(work / "nbconvert" / f"{i}.ipynb")
            with_pages += [
                [*command[:2], executed, *command[3:]],
                [str(binary / "jupyter"), "nbconvert", "--to", "html", "--no-input", executed],
            ]
        nbconvert_s, nbconvert_cpu = _timed(with_pages)
        ddj = [str(binary / "ddj"), "run", "--config", str(config), "--quiet"]
        fresh_s, fresh_cpu = _timed([[*ddj, "--out", str(work / "fresh"), "--fresh-kernels"]])
        first_s, first_cpu = _timed(
            [[*ddj, "--out", str(work / "first"), "--jobs", "2"]], env={"DDJ_CACHE_DIR": str(work / "empty-cache")}
        )
        warm_s, warm_cpu = _timed([[*ddj, "--out", str(work / "warm"), "--jobs", "2"]])
        noop = [[*ddj, "--out", str(work / "warm"), "--jobs", "2"]]
        noop_s = min(_timed(noop)[0] for _ in range(3))
    ratio = papermill_s / warm_s
    print(f"{REPORTS} incident reports of {DATASET}, each side from cold (wall clock, and CPU time used):")
    print(f"  papermill loop (execution only)          {papermill_s:6.1f} s  {papermill_cpu:6.1f} s CPU")
    print(f"  papermill + nbconvert loop (with pages)  {nbconvert_s:6.1f} s  {nbconvert_cpu:6.1f} s CPU")
    print(f"  ddj run --fresh-kernels                  {fresh_s:6.1f} s  {fresh_cpu:6.1f} s CPU")
    print(f"  ddj run --jobs 2, first run on a machine {first_s:6.1f} s  {first_cpu:6.1f} s CPU")
    print(f"  ddj run --jobs 2 (warm kernels)          {warm_s:6.1f} s  {warm_cpu:6.1f} s CPU")
    print(
        f"  ratio papermill loop / ddj run --jobs 2  {ratio:6.1f}x (target >= {TARGET_RATIO:.0f}x); "
        f"against papermill + nbconvert: {nbconvert_s / warm_s:.1f}x"
    )
    print(f"  no-op rerun (nothing changed)            {noop_s:6.2f} s (best of 3; target about 1 s)")
    return 0 if ratio >= TARGET_RATIO and noop_s <= TARGET_NOOP else 1


if __name__ == "__main__":
    raise SystemExit(main())
