"""Charts over a million synthetic incidents: the data each embeds, and the time to build and render it.

Builds the tables with :func:`ddj.synth.synthetic_tables` (1,000,000 incidents, about four million
accounts), compares them with :func:`ddj.compare.compare`, then builds every chart, measures the data
it embeds (:func:`ddj.charts.embedded_data_bytes`: compact JSON of its inline values and datasets,
the basemap included) and renders it to SVG. The limit is well under a megabyte per chart.

Then the charts of the shipped Syria package, as a report page and the Explorer build them: the CPU time to build
each (best and median of five, after one build to warm up), not judged against a target. Building, not rendering:
what ddj's chart code and altair cost before vl-convert draws anything.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

INCIDENTS = 1_000_000
LIMIT = 1_000_000


def main() -> int:
    import ddj.charts as charts
    from ddj.compare import compare
    from ddj.datasets import Dataset
    from ddj.synth import synthetic_tables

    started = time.perf_counter()
    tables = synthetic_tables(INCIDENTS)
    dataset = Dataset(
        name="synthetic",
        folder=Path("."),
        kind="incidents",
        tables=tables,
        caveats=(),
        descriptor={"version": "0"},
        files={},
    )
    print(
        f"synthetic tables: {INCIDENTS:,} incidents, {tables['accounts'].height:,} accounts "
        f"({time.perf_counter() - started:.1f} s)"
    )
    started = time.perf_counter()
    comparison = compare(dataset)
    print(f"compare: {time.perf_counter() - started:.1f} s")
    builders = {
        "account_timeline": lambda: charts.account_timeline(dataset, comparison),
        "discrepancy_matrix": lambda: charts.discrepancy_matrix(dataset, comparison),
        "locator_map": lambda: charts.locator_map(dataset),
        "casualty_ranges": lambda: charts.casualty_ranges(dataset, comparison),
        "grades_over_time": lambda: charts.grades_over_time(dataset, comparison),
    }
    failed = 0
    print(f"{'chart':<20} {'embedded bytes':>15} {'build s':>8} {'svg s':>6}")
    for name, build in builders.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = time.perf_counter()
            chart = build()
            built = time.perf_counter() - started
        size = charts.embedded_data_bytes(chart)
        started = time.perf_counter()
        charts.to_svg(chart)
        rendered = time.perf_counter() - started
        failed += size >= LIMIT
        print(f"{name:<20} {size:>15,} {built:>8.1f} {rendered:>6.1f}{'  OVER THE LIMIT' if size >= LIMIT else ''}")
    small_package_builds()
    return failed


def small_package_builds(runs: int = 5) -> dict[str, float]:
    """Print and return the best CPU seconds to build each chart of the shipped Syria package (and the median)."""
    import ddj
    import ddj.charts as charts
    from ddj.compare import compare
    from ddj.filters import FilterSpec
    from ddj.widgets.charts import build_charts
    from ddj.widgets.state import ExplorerData

    dataset = ddj.load("syria-ru-aviation", warn=False)
    comparison = compare(dataset)
    tally = ddj.load("ukraine-equipment-losses", warn=False)
    explorer = ExplorerData(dataset, comparison)
    builders = {
        "locator_map": lambda: charts.locator_map(dataset),
        "account_timeline": lambda: charts.account_timeline(dataset, comparison),
        "discrepancy_matrix": lambda: charts.discrepancy_matrix(dataset, comparison),
        "casualty_ranges": lambda: charts.casualty_ranges(dataset, comparison),
        "grades_over_time": lambda: charts.grades_over_time(dataset, comparison),
        "tally_gap": lambda: charts.tally_gap(ddj.tally.tally_series(tally, ["tank", "APC"]), sources=tally),
        "explorer (3 charts)": lambda: build_charts(explorer.view(FilterSpec()), explorer),
    }
    print(f"the shipped package's charts, CPU ms to build ({runs} runs): best, median")
    best: dict[str, float] = {}
    for name, build in builders.items():
        times = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            build()
            for _ in range(runs):
                started = time.process_time()
                build()
                times.append(time.process_time() - started)
        times.sort()
        best[name] = times[0]
        print(f"{name:<20} {times[0] * 1000:>7.0f} {times[len(times) // 2] * 1000:>7.0f}")
    return best
