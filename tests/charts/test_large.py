"""Charts over a million incidents aggregate before embedding: well under a megabyte of data, never MaxRowsError."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import altair as alt
import polars as pl
import pytest

import ddj.charts as charts
from ddj.datasets import Dataset
from ddj.warnings import DataReducedWarning, ImpreciseLocationWarning
from tests.fixtures.chart_inputs import big_inputs

LIMIT = 1_000_000  # bytes of embedded data


@pytest.fixture(scope="module")
def million():
    return big_inputs(1_000_000)


def _build(name, dataset, comparison):
    return {
        "timeline": lambda: charts.account_timeline(dataset, comparison),
        "matrix": lambda: charts.discrepancy_matrix(dataset, comparison),
        "map": lambda: charts.locator_map(dataset).chart,
        "ranges": lambda: charts.casualty_ranges(dataset, comparison),
        "grades": lambda: charts.grades_over_time(dataset, comparison),
    }[name]()


@pytest.mark.parametrize("name", ["timeline", "matrix", "map", "ranges", "grades"])
def test_a_million_incidents_embed_well_under_a_megabyte(million, name):
    dataset, comparison = million
    assert dataset.incidents.height == 1_000_000 and comparison.attributes.height == 10_000_000
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = _build(name, dataset, comparison)
    size = charts.embedded_data_bytes(chart)
    assert size < LIMIT, f"{name} embeds {size:,} bytes"
    with alt.data_transformers.enable("default", max_rows=5000):
        spec = chart.to_dict(validate=True)  # the default transformer's row limit is never met
    assert spec["description"]
    kinds = {w.category for w in caught}
    if name != "grades":  # grades are counts per period whatever the size: nothing is reduced
        assert DataReducedWarning in kinds
    if name == "map":
        assert ImpreciseLocationWarning in kinds


def test_a_million_incident_chart_renders(million):
    dataset, comparison = million
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataReducedWarning)
        chart = charts.discrepancy_matrix(dataset, comparison)
    svg = charts.to_svg(chart)
    assert "mark-rect" in svg and "share of incidents" in svg
    assert len(svg) < 200_000


def test_a_long_tally_series_embeds_well_under_a_megabyte():
    days = pl.date_range(dt.date(2000, 1, 1), dt.date(2026, 12, 31), "1d", eager=True)
    frames = []
    for number in range(40):
        step = pl.int_range(0, days.len(), eager=True)
        frames.append(
            pl.DataFrame(
                {
                    "date": days,
                    "category": f"category {number}",
                    "official": step * (number + 2),
                    "documented": step + 1,
                }
            ).with_columns(
                (pl.col("official") / pl.col("documented")).alias("ratio"),
                (pl.col("official") - pl.col("documented")).alias("difference"),
                (pl.col("date").dt.day() == 1).alias("revision"),
            )
        )
    series = pl.concat(frames)
    assert series.height > 390_000
    with pytest.warns(DataReducedWarning, match="last value per"):
        chart = charts.tally_gap(series, sources="synthetic tallies")
    assert charts.embedded_data_bytes(chart) < LIMIT


def test_synthetic_packages_chart_with_the_real_comparison():
    from ddj.compare import compare
    from ddj.synth import synthetic_tables

    tables = synthetic_tables(3000, seed=7)
    dataset = Dataset(
        name="synthetic",
        folder=Path("."),
        kind="incidents",
        tables=tables,
        caveats=(),
        descriptor={"version": "0"},
        files={},
    )
    comparison = compare(dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataReducedWarning)
        warnings.simplefilter("ignore", ImpreciseLocationWarning)
        built = {name: _build(name, dataset, comparison) for name in ("timeline", "matrix", "map", "ranges", "grades")}
    for name, chart in built.items():
        assert charts.embedded_data_bytes(chart) < LIMIT, name
        charts.chart_spec(chart, validate=True)
    grades = charts.chart_spec(built["grades"])
    counted = sum(row["incidents"] for values in grades["datasets"].values() for row in values)
    assert counted == 3000
