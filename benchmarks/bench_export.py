"""``ddj export``: the two shipped datasets (target: under a second each) and 1,000,000 synthetic incidents.

Measured:

- each shipped dataset, in this process: load and validate, collect (the comparison or the tally series), write
  the SQLite file and its metadata.json; the first run and the median of ``DDJ_BENCH_REPEATS`` runs (default 5).
  The target (under a second) is judged on the median.
- each shipped dataset as a command, ``ddj export NAME --sqlite ... --metadata ...`` in a fresh process: the wall
  time a user waits, Python's start and imports included (median of 3).
- the synthetic dataset of ``DDJ_BENCH_INCIDENTS`` incidents (default 1,000,000; about 4,000,000 accounts and
  10,000,000 per-attribute rows), once, in a fresh process: each step's time, the file's size and peak memory.
  It reuses the package ``bench_compare`` writes into ``benchmarks/data/``.

Results are also saved to ``benchmarks/results/export.json``. Run: ``.venv/bin/python -m benchmarks export``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
INCIDENTS = int(os.environ.get("DDJ_BENCH_INCIDENTS", "1000000"))
REPEATS = max(1, int(os.environ.get("DDJ_BENCH_REPEATS", "5")))
SHIPPED = ("syria-ru-aviation", "ukraine-equipment-losses")
TARGET_S = 1.0

_LARGE = r"""
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from benchmarks._memory import own_peak_bytes
import ddj
from ddj.publish import collect, write_metadata, write_sqlite
out, times = Path(sys.argv[2]), {}
t = time.perf_counter(); ds = ddj.load(sys.argv[1], warn=False); times["load"] = time.perf_counter() - t
t = time.perf_counter(); pub = collect(ds); times["collect"] = time.perf_counter() - t
t = time.perf_counter(); write_sqlite(pub, out, force=True); times["sqlite"] = time.perf_counter() - t
t = time.perf_counter(); write_metadata(pub, out.with_suffix(".json"), out.stem, force=True)
times["metadata"] = time.perf_counter() - t
times["total"] = time.perf_counter() - started
rows = {t.name: t.frame.height for t in pub.tables}
print(json.dumps({"times": times, "bytes": out.stat().st_size, "rows": rows,
                  "peak_bytes": own_peak_bytes()}))
"""


def _in_process(name: str, folder: Path) -> tuple[float, float]:
    import ddj
    from ddj.publish import collect, write_metadata, write_sqlite

    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        publication = collect(ddj.load(name, warn=False))
        write_sqlite(publication, folder / f"{name}.db", force=True)
        write_metadata(publication, folder / f"{name}.json", name, force=True)
        times.append(time.perf_counter() - started)
    return times[0], statistics.median(times)


def _command(name: str, folder: Path) -> float:
    ddj_bin = Path(sys.executable).with_name("ddj")
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [
                str(ddj_bin),
                "export",
                name,
                "--sqlite",
                str(folder / "cli.db"),
                "--metadata",
                str(folder / "cli.json"),
                "--force",
            ],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    results: dict = {"shipped": {}, "repeats": REPEATS}
    ok = True
    with tempfile.TemporaryDirectory(prefix="ddj-bench-export-") as tmp:
        folder = Path(tmp)
        for name in SHIPPED:
            first, median = _in_process(name, folder)
            command = _command(name, folder)
            size = (folder / f"{name}.db").stat().st_size
            results["shipped"][name] = {"first_s": first, "median_s": median, "command_s": command, "bytes": size}
            ok &= median < TARGET_S
            print(
                f"{name}: export (load, compare, SQLite, metadata) {median * 1000:.0f} ms median of {REPEATS} "
                f"(first run {first * 1000:.0f} ms); `ddj export` as a command {command:.2f} s; "
                f"{size / 1e6:.1f} MB",
                flush=True,
            )

        from benchmarks.bench_compare import SEED, _dataset

        package = _dataset(INCIDENTS, SEED)
        target = folder / "synthetic.db"
        done = subprocess.run(
            [sys.executable, "-c", _LARGE, str(package), str(target)],
            check=True,
            capture_output=True,
            text=True,
            cwd=HERE.parent,
        )
        large = json.loads(done.stdout.strip().splitlines()[-1])
        results["synthetic"] = {"incidents": INCIDENTS, **large}
        t, rows = large["times"], large["rows"]
        print(
            f"synthetic, {INCIDENTS:,} incidents ({rows.get('accounts', 0):,} accounts, "
            f"{rows.get('comparison_attributes', 0):,} per-attribute rows): {t['total']:.1f} s in all "
            f"(load {t['load']:.1f} s, compare {t['collect']:.1f} s, SQLite {t['sqlite']:.1f} s); "
            f"file {large['bytes'] / 1e9:.2f} GB; peak memory {large['peak_bytes'] / 1e9:.2f} GB",
            flush=True,
        )
    out = HERE / "results" / "export.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"target: each shipped dataset under {TARGET_S:.0f} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
