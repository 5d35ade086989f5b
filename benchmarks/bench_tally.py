"""The full tally on the real data: every official date of every mapped category against the documented count.

Prints the median of several runs for: loading and validating the dataset, the full ``tally_series`` (the
figure that should be well under a second), one ``tally`` as of a date, and the full series on the event path.
"""

from __future__ import annotations

import statistics
import time
import warnings

RUNS = 7


def _median(function, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    import ddj
    from ddj.warnings import DataCaveatWarning

    load_s, ds = _median(lambda: ddj.load("ukraine-equipment-losses", warn=False), runs=3)
    series_s, series = _median(lambda: ddj.tally.tally_series(ds))
    one_s, _ = _median(lambda: ddj.tally.tally(ds, as_of="2024-03-01"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataCaveatWarning)
        events_s, events = _median(lambda: ddj.tally.tally_series(ds, documented="events"))
    dates = series["date"].n_unique()
    categories = series["category"].n_unique()
    print(f"load and validate ukraine-equipment-losses: {load_s * 1000:.0f} ms (median of 3)")
    print(
        f"full tally_series, documented series: {series_s * 1000:.0f} ms for {series.height} rows "
        f"({dates} dates x {categories} mapped categories; median of {RUNS})"
    )
    print(f"full tally_series, event path: {events_s * 1000:.0f} ms for {events.height} rows (median of {RUNS})")
    print(f"tally as of one date (all categories): {one_s * 1000:.0f} ms (median of {RUNS})")
    return 0 if series_s < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
