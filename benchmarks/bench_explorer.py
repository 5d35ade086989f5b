"""Benchmark the Explorer at 1,000,000 incidents: time from a filter change to new chart data.

The synthetic package (about four million accounts) is written once into ``benchmarks/data/`` (git
ignores it; the comparison benchmark caches the same package there under the same name) and reused
while ``ddj/synth.py`` is unchanged. It is loaded and compared once, and the Explorer's data are
prepared once (:class:`ddj.widgets.state.ExplorerData`). Then, for each of several typical filter
changes, :meth:`~ddj.widgets.state.ExplorerData.view` is timed: the mask, the counts, the table and
the data each chart embeds after pre-aggregation (timeline bins, matrix cells or shares, map points
or grid cells). Each change is timed at least 20 times; the figure reported is the median over all
timings, against the target of 30 ms. Building the Altair specifications from that data (which the
widgets then send to the browser) is timed too, for information.

Run: ``make bench`` or ``.venv/bin/python -m benchmarks explorer``. ``DDJ_BENCH_INCIDENTS`` changes
the size for a quick look; ``DDJ_BENCH_REPEAT`` the timings per change (default 25).
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
INCIDENTS = int(os.environ.get("DDJ_BENCH_INCIDENTS", "1000000"))
REPEAT = max(20, int(os.environ.get("DDJ_BENCH_REPEAT", "25")))
SEED = 1
TARGET_MS = 30.0


def dataset_folder(incidents: int = INCIDENTS, seed: int = SEED) -> Path:
    """The cached synthetic package, written on first use; keyed by size, seed and the synth code."""
    code = hashlib.sha256((ROOT / "ddj" / "synth.py").read_bytes()).hexdigest()[:10]
    folder = HERE / "data" / f"synth-{incidents}-seed{seed}-{code}"
    if not (folder / "datapackage.json").is_file():
        from ddj.synth import write_synthetic

        print(f"writing the synthetic dataset ({incidents:,} incidents) to {folder} ...", flush=True)
        write_synthetic(folder, incidents=incidents, seed=seed)
    return folder


def filter_changes(data) -> list[tuple[str, object]]:
    """Typical changes a reporter makes, each a new :class:`~ddj.filters.FilterSpec`."""
    import datetime as dt

    from ddj.filters import FilterSpec

    country = data.values("country")[0]
    region = data.values("region")[0]
    first_id = data.facts["incident_id"][data.facts.height // 2]
    return [
        ("one country", FilterSpec(countries=[country])),
        ("contradictions only", FilterSpec(statuses=["contradict"])),
        ("official silence only", FilterSpec(statuses=["official_silent"])),
        (
            "country + contradictions + 2018",
            FilterSpec(
                countries=[country],
                statuses=["contradict"],
                date_from=dt.date(2018, 1, 1),
                date_to=dt.date(2018, 12, 31),
            ),
        ),
        ("helicopters, contested", FilterSpec(aircraft_categories=["helicopter"], grades=["contested"])),
        ("local media accounts", FilterSpec(sides=["unofficial"], source_kinds=["local_media"])),
        (
            "one region, one month",
            FilterSpec(regions=[region], date_from=dt.date(2019, 3, 1), date_to=dt.date(2019, 3, 31)),
        ),
        ("one incident", FilterSpec(incident_ids=[first_id])),
        ("everything (filters cleared)", FilterSpec()),
    ]


def main() -> int:
    import polars as pl

    import ddj
    from ddj.compare import compare
    from ddj.widgets.charts import build_charts
    from ddj.widgets.state import ExplorerData

    folder = dataset_folder()
    started = time.perf_counter()
    dataset = ddj.load(folder, warn=False)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    comparison = compare(dataset)
    compared = time.perf_counter() - started
    started = time.perf_counter()
    data = ExplorerData(dataset, comparison)
    prepared = time.perf_counter() - started
    print(
        f"{dataset.incidents.height:,} incidents, {dataset.accounts.height:,} accounts: load {loaded:.1f} s, "
        f"compare {compared:.1f} s, prepare the Explorer {prepared:.1f} s (once)",
        flush=True,
    )

    every: list[float] = []
    rows = []
    print(f"{'filter change':<34} {'incidents':>10} {'median ms':>10} {'p90 ms':>7} {'charts ms':>10}  modes")
    for name, spec in filter_changes(data):
        data.view(spec)  # warm: the first call of a shape compiles nothing, but let caches settle
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            view = data.view(spec)
            times.append((time.perf_counter() - started) * 1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            for chart in build_charts(view, data).values():
                chart.to_dict()
            charts_ms = (time.perf_counter() - started) * 1000
        every += times
        median = statistics.median(times)
        p90 = statistics.quantiles(times, n=10)[-1]
        modes = f"timeline by {view.period}, matrix {view.matrix_mode}, map {view.map_mode}"
        rows.append(
            {
                "change": name,
                "incidents": view.counts.incidents,
                "median_ms": round(median, 2),
                "p90_ms": round(p90, 2),
                "chart_specs_ms": round(charts_ms, 1),
            }
        )
        print(
            f"{name:<34} {view.counts.incidents:>10,} {median:>10.1f} {p90:>7.1f} {charts_ms:>10.1f}  {modes}",
            flush=True,
        )
    overall = statistics.median(every)
    ok = overall <= TARGET_MS
    print(
        f"median time from a filter change to new chart data at {dataset.incidents.height:,} incidents: "
        f"{overall:.1f} ms over {len(every)} timings (target: at most {TARGET_MS:.0f} ms) "
        f"{'OK' if ok else 'OVER THE TARGET'}"
    )
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "explorer.json").write_text(
        json.dumps(
            {
                "incidents": dataset.incidents.height,
                "median_ms": round(overall, 2),
                "target_ms": TARGET_MS,
                "repeat": REPEAT,
                "changes": rows,
                "polars": pl.__version__,
                "threads": pl.thread_pool_size(),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
