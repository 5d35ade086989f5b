"""``ddj validate`` on a 2 GB CSV package: peak memory (target: at most 3 GB) and time.

The package is written here, on first use, by :func:`ddj.synth.write_synthetic` as CSV, with as many
incidents as make about ``DDJ_BENCH_VALIDATE_GB`` gigabytes (default 2.0; about 1,650,000 incidents and
6,600,000 accounts), and cached in ``benchmarks/data/`` (keyed by size and the synth code). Tests never
write it.

Measured, each in a fresh process started by a small wrapper (the peak is the child's maximum resident set size,
as ``/usr/bin/time -v`` reports it; see :mod:`benchmarks._memory` for why not from this process):

- ``ddj validate PACKAGE --quiet``: the target (peak ≤ 3 GB) is judged on this;
- a first ``ddj.load(PACKAGE)`` (what the Explorer, reports and ``ddj compare`` do: every column kept), for the
  README's "How large a dataset" (set ``DDJ_BENCH_VALIDATE_LOAD=0`` to skip it);
- ``ddj validate`` with ``DDJ_MEMORY_LIMIT=1G``: it must stop at once with the "too large" message, not
  run out of memory.

Each run gets an empty cache folder of its own (``DDJ_CACHE_DIR``): ddj records a passed validation and skips it
while the files are unchanged, so the user's records would otherwise turn the later runs into no-ops.

Results are also saved to ``benchmarks/results/validate.json``. Run: ``.venv/bin/python -m benchmarks validate``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks._memory import run_measured

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIZE_GB = float(os.environ.get("DDJ_BENCH_VALIDATE_GB", "2.0"))
TARGET_BYTES = 3 * 10**9
#: CSV bytes a synthetic incident takes with its accounts (measured: 207 MB for 170,000 incidents).
BYTES_PER_INCIDENT = 1215
SEED = 7

_LOAD = r"""
import json, resource, sys, time
t = time.perf_counter()
import ddj
ds = ddj.load(sys.argv[1], warn=False)
print(json.dumps({"seconds": time.perf_counter() - t, "rows": ds.counts()}))
"""


def _package() -> Path:
    """The cached CSV package of about SIZE_GB gigabytes."""
    incidents = int(SIZE_GB * 1e9 / BYTES_PER_INCIDENT)
    code = hashlib.sha256((ROOT / "ddj" / "synth.py").read_bytes()).hexdigest()[:10]
    folder = HERE / "data" / f"validate-csv-{incidents}-seed{SEED}-{code}"
    if not (folder / "datapackage.json").is_file():
        from ddj.synth import write_synthetic

        print(f"writing a CSV package of {incidents:,} incidents (about {SIZE_GB:.1f} GB) to {folder} ...", flush=True)
        started = time.perf_counter()
        write_synthetic(folder, incidents=incidents, seed=SEED, fmt="csv")
        print(f"  written in {time.perf_counter() - started:.1f} s", flush=True)
    return folder


def _files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(folder.glob("*.csv"))}


def main() -> int:
    folder = _package()
    files = _files(folder)
    total = sum(files.values())
    ddj_bin = str(Path(sys.executable).with_name("ddj"))
    results: dict = {"package": str(folder), "csv_bytes": total, "files": files, "target_peak_bytes": TARGET_BYTES}
    print(
        f"package: {total / 1e9:.2f} GB of CSV ({', '.join(f'{n} {b / 1e6:,.0f} MB' for n, b in files.items())})",
        flush=True,
    )

    # Each run with a cache folder of its own, empty: ddj records a passed validation and skips it while the files
    # are unchanged, so a second run would measure nothing (and the user's own records stay untouched).
    scratch = Path(tempfile.mkdtemp(prefix="ddj-bench-validate-"))

    def fresh(**env: str) -> dict[str, str]:
        return {**env, "DDJ_CACHE_DIR": tempfile.mkdtemp(dir=scratch)}

    try:
        return _measure(folder, total, ddj_bin, results, fresh)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _measure(folder: Path, total: int, ddj_bin: str, results: dict, fresh: Callable[..., dict[str, str]]) -> int:
    validate = run_measured([ddj_bin, "validate", str(folder), "--quiet"], fresh(DDJ_MEMORY_LIMIT="0"))
    ok = validate["code"] == 0 and validate["peak_bytes"] <= TARGET_BYTES
    results["validate"] = {k: validate[k] for k in ("code", "seconds", "peak_bytes")}
    print(
        f"ddj validate --quiet: exit {validate['code']}, {validate['seconds']:.1f} s, peak memory "
        f"{validate['peak_bytes'] / 1e9:.2f} GB ({validate['peak_bytes'] / total:.2f}× the CSV bytes); "
        f"target ≤ {TARGET_BYTES / 1e9:.0f} GB: {'met' if ok else 'MISSED'}",
        flush=True,
    )
    if validate["code"] != 0:
        print(validate["stdout"][-2000:], validate["stderr"][-2000:], sep="\n")

    limited = run_measured([ddj_bin, "validate", str(folder), "--quiet"], fresh(DDJ_MEMORY_LIMIT="1G"))
    results["validate_under_1G"] = {k: limited[k] for k in ("code", "seconds", "peak_bytes")}
    results["validate_under_1G"]["message"] = (limited["stdout"] + limited["stderr"]).strip()[:600]
    print(
        f"ddj validate with DDJ_MEMORY_LIMIT=1G: exit {limited['code']} after {limited['seconds']:.1f} s "
        f"(peak {limited['peak_bytes'] / 1e9:.2f} GB): {results['validate_under_1G']['message'][:300]}",
        flush=True,
    )
    ok &= limited["code"] != 0 and "needs about" in results["validate_under_1G"]["message"]

    if os.environ.get("DDJ_BENCH_VALIDATE_LOAD", "1") != "0":
        load = run_measured([sys.executable, "-c", _LOAD, str(folder)], fresh(DDJ_MEMORY_LIMIT="0"))
        results["load"] = {k: load[k] for k in ("code", "seconds", "peak_bytes")}
        print(
            f"first ddj.load, validating (every column kept, as the Explorer and reports do): exit {load['code']}, "
            f"{load['seconds']:.1f} s, peak memory {load['peak_bytes'] / 1e9:.2f} GB "
            f"({load['peak_bytes'] / total:.2f}× the CSV bytes)",
            flush=True,
        )

    out = HERE / "results" / "validate.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(
        f"target: peak memory of `ddj validate` on {total / 1e9:.1f} GB of CSV at most "
        f"{TARGET_BYTES / 1e9:.0f} GB: {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
