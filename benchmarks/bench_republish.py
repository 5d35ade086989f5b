"""Republish after one edit: how many reports run, and how long it takes, when a reporter adds one account.

Shipped set
    ``reports.toml``, ``notebooks/`` and both shipped datasets are copied to a temporary folder (the datasets'
    references in the copied ``reports.toml`` pointed at the copies). ``ddj run --jobs 2`` runs once, one account
    is added to the Mi-35 incident (a copy of one of its accounts under a new id), and ``ddj run --jobs 2`` runs
    again: the benchmark prints how many reports ran and the second command's wall time.
    Targets: only the affected reports run (the Mi-35 page, the page of the incident related to it, and the
    theatre overview, which reads every incident and keys on the whole files); at most 10 s wall.
1,000-incident synthetic set
    ``ddj synth --incidents 1000`` (CSV), an incident report per incident: the content keys of all 1,000 reports
    are computed (what ``ddj run`` does before it starts any kernel), one account is added to one incident, and
    the keys are computed again; the reports whose key changed are those that would run. No kernel runs: 1,000
    first runs would take most of an hour. Target: at most 3 reports.

Each command is a new process, as a reporter would type it. ddj's own files are part of every report's key;
the commands hash a frozen copy of them (taken when the benchmark starts), so that an edit of ddj's code by
someone else during the benchmark does not make every report run.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ("syria-ru-aviation", "ukraine-equipment-losses")
INCIDENT = "syr-2021-02-28-mi35"
TARGET_WALL = 10.0
TARGET_SYNTHETIC = 3
SYNTHETIC = 1000
#: Runs ``ddj`` with ddj's files hashed from a frozen copy (argv[1]); the rest of argv is ddj's.
RUNNER = (
    "import pathlib, sys; import ddj.report.runner.cache as cache; cache.CODE_ROOT = pathlib.Path(sys.argv[1]); "
    "from ddj.cli import main; sys.exit(main(sys.argv[2:]))"
)


def _copy_shipped(work: Path) -> Path:
    """Copy reports.toml, the notebooks and the shipped datasets; point the copy's datasets at the copies."""
    shutil.copytree(ROOT / "notebooks", work / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    text = (ROOT / "reports.toml").read_text(encoding="utf-8")
    for name in DATASETS:
        shutil.copytree(ROOT / "data" / name, work / "data" / name)
        text = text.replace(f'dataset = "{name}"', f'dataset = "{work / "data" / name}"')
    config = work / "reports.toml"
    config.write_text(text, encoding="utf-8")
    return config


def add_account(folder: Path, incident_id: str, account_id: str = "bench-new-account") -> None:
    """Append a copy of one of ``incident_id``'s accounts under a new id (no longer replacing any other)."""
    path = folder / "accounts.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        row = next(r for r in reader if r["incident_id"] == incident_id)
    row = {**row, "account_id": account_id, "supersedes_account_id": "", "url": "", "archive_url": ""}
    text = path.read_text(encoding="utf-8")
    with open(path, "a", encoding="utf-8", newline="") as handle:
        if not text.endswith("\n"):
            handle.write("\n")
        csv.DictWriter(handle, fieldnames=fields).writerow(row)


def _ddj(code: Path, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(code), *args], capture_output=True, text=True, cwd=ROOT, check=False
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:])
        msg = f"ddj {' '.join(args)} exited {done.returncode}"
        raise RuntimeError(msg)
    return wall, done.stdout


def _statuses(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\[\d+/\d+\] (\S+): (\w+)", output, re.MULTILINE))


def _durations(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\[\d+/\d+\] (\S+): \w+ \(([\d.]+ s)\)", output, re.MULTILINE))


def shipped(scratch: Path, code: Path) -> bool:
    config = _copy_shipped(scratch / "shipped")
    out = scratch / "shipped" / "reports"
    first, output = _ddj(code, "run", "--config", str(config), "--out", str(out), "--jobs", "2")
    total = len(_statuses(output))
    add_account(scratch / "shipped" / "data" / DATASETS[0], INCIDENT)
    second, output = _ddj(code, "run", "--config", str(config), "--out", str(out), "--jobs", "2")
    ran = sorted(name for name, status in _statuses(output).items() if status != "skipped")
    took = _durations(output)
    expected = _affected(scratch / "shipped" / "data" / DATASETS[0], INCIDENT)
    print(f"  shipped set: {total} reports; first run {first:.1f} s")
    print(
        f"  one account added to {INCIDENT}: {len(ran)} of {total} reports ran in {second:.1f} s wall "
        f"(target: only the affected ones, <= {TARGET_WALL:.0f} s)"
    )
    print("    ran: " + ", ".join(f"{name} ({took.get(name, '?')})" for name in ran))
    ok = set(ran) == expected and second <= TARGET_WALL
    if set(ran) != expected:
        print(f"    expected exactly: {', '.join(sorted(expected))}")
    return ok


def _affected(folder: Path, incident_id: str) -> set[str]:
    """The reports an account added to ``incident_id`` affects: its page, its related incidents' pages, the theatre."""
    import ddj
    from ddj.datasets.scope import scope

    ds = ddj.load(folder, warn=False)
    related = scope(ds, incidents=[incident_id]).incidents["incident_id"].to_list()
    return {f"incident-{i}" for i in related} | {"theatre-syria"}


def synthetic(scratch: Path, code: Path) -> bool:
    import ddj.report.runner.cache as cache_module
    from ddj.report.runner.cache import Cache, code_digest, content_key, software_versions
    from ddj.report.runner.config import ReportSpec
    from ddj.synth import write_synthetic

    folder = write_synthetic(scratch / "synthetic", incidents=SYNTHETIC, seed=1, fmt="csv")
    with open(folder / "incidents.csv", encoding="utf-8", newline="") as handle:
        ids = [row["incident_id"] for row in csv.DictReader(handle)]
    cache_module.CODE_ROOT = code
    specs = [
        ReportSpec(
            name=f"incident-{i}",
            group="incident",
            notebook=ROOT / "notebooks" / "incident-report.ipynb",
            parameters={"dataset": str(folder), "incident_id": i},
            base_dir=scratch,
        )
        for i in ids
    ]
    software, cache = software_versions(), Cache(scratch / "synthetic-cache.json")
    digest = code_digest(cache)

    def keys() -> tuple[dict[str, str | None], float]:
        started = time.perf_counter()
        found = {s.name: content_key(s, cache, software, digest) for s in specs}
        cache.save()
        return found, time.perf_counter() - started

    before, first = keys()
    again, noop = keys()
    add_account(folder, ids[len(ids) // 2])
    after, edited = keys()
    changed = sorted(n for n in before if before[n] != after[n])
    unscoped = sum(1 for n in before if before[n] is None)
    print(
        f"  synthetic set: {len(ids)} incident reports; keys computed in {first:.1f} s (first), "
        f"{noop:.2f} s (nothing changed), {edited:.1f} s (after the edit)"
    )
    print(
        f"  one account added to {ids[len(ids) // 2]}: {len(changed)} report(s) would run "
        f"(target: <= {TARGET_SYNTHETIC}): {', '.join(changed[:10])}{', ...' if len(changed) > 10 else ''}"
    )
    return len(changed) <= TARGET_SYNTHETIC and again == before and not unscoped


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="ddj-bench-republish-") as name:
        scratch = Path(name)
        code = scratch / "ddj-code"
        shutil.copytree(ROOT / "ddj", code, ignore=shutil.ignore_patterns("__pycache__"))
        ok = shipped(scratch, code)
        ok = synthetic(scratch, code) and ok
    print("  targets met" if ok else "  TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
