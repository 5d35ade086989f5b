"""The event-list path: a running count built from evidenced items equals a cumulative series of the same items."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import polars as pl
import pytest

import ddj
from ddj.errors import UsageError
from ddj.tally.compare import compare
from ddj.tally.events import EventMapping, running_count
from ddj.warnings import DataCaveatWarning

NAME = "ukraine-equipment-losses"


@pytest.fixture(scope="module")
def ds(tally):
    """The shipped tally dataset (the session's copy, tests/conftest.py)."""
    return tally


@pytest.fixture(scope="module")
def events(ds):
    return ds.table("documented_events")


def _cumulative_by_hand(rows: list[tuple[dt.date, str, str]]) -> pl.DataFrame:
    """A change-only cumulative series from (date, category, status) items, with plain Python."""
    per_day: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for day, category, status in rows:
        per_day[(category, status)][day] += 1
    out = []
    for (category, status), days in per_day.items():
        total = 0
        for day in sorted(days):
            total += days[day]
            out.append((day, category, status, total))
    return pl.DataFrame(
        out, schema={"date": pl.Date, "category": pl.String, "status": pl.String, "value": pl.Int64}, orient="row"
    ).sort("date", "category", "status")


@pytest.fixture(scope="module")
def by_hand(events):
    placed = events.filter(pl.col("category").is_not_null())
    return _cumulative_by_hand(list(placed.select("date", "category", "status").iter_rows()))


def test_running_count_of_the_real_events_equals_a_cumulative_series_built_by_hand(events, by_hand):
    with pytest.warns(DataCaveatWarning, match="have no category or no date"):
        counted = running_count(events)
    assert counted.equals(by_hand)
    tanks = counted.filter((pl.col("category") == "Tanks") & (pl.col("status") == "destroyed"))
    assert (
        tanks["value"].max()
        == events.filter((pl.col("category") == "Tanks") & (pl.col("status") == "destroyed")).height
    )


def test_the_comparison_gives_the_same_documented_counts_on_both_paths(ds, events, by_hand):
    official = ds.table("official_series").filter(pl.col("category").is_in(["tank", "APC", "drone", "naval ship"]))
    with pytest.warns(DataCaveatWarning):
        from_events = compare(official, running_count(events), ds.table("crosswalk"), apply_validity=False)
    from_series = compare(official, by_hand, ds.table("crosswalk"), apply_validity=False)
    assert from_events.equals(from_series)
    # And ddj.tally on the event path agrees with a count of the items themselves.
    with pytest.warns(DataCaveatWarning):
        row = ddj.tally.tally(ds, as_of="2023-06-30", categories=["tank"], documented="events").row(0, named=True)
    items = events.filter((pl.col("category") == "Tanks") & (pl.col("date") <= pl.date(2023, 6, 30))).height
    assert row["documented"] == items
    assert (
        row["documented_as_of"]
        == events.filter((pl.col("category") == "Tanks") & (pl.col("date") <= pl.date(2023, 6, 30)))["date"].max()
    )


def test_a_new_source_of_that_shape_needs_a_mapping_not_code():
    other = pl.DataFrame(
        {
            "seen_on": [dt.date(2024, 1, 2), dt.date(2024, 1, 2), dt.date(2024, 1, 9), dt.date(2024, 1, 9)],
            "kind": ["Tanks", "Tanks", "Tanks", "Radars"],
            "fate": ["destroyed", "captured", "destroyed", "damaged"],
            "items": [2, 1, 3, 1],
        }
    )
    counted = running_count(other, EventMapping(date="seen_on", category="kind", status="fate", count="items"))
    assert counted.rows() == [
        (dt.date(2024, 1, 2), "Tanks", "captured", 1),
        (dt.date(2024, 1, 2), "Tanks", "destroyed", 2),
        (dt.date(2024, 1, 9), "Radars", "damaged", 1),
        (dt.date(2024, 1, 9), "Tanks", "destroyed", 5),
    ]
    no_status = running_count(other.drop("fate"), EventMapping(date="seen_on", category="kind", status=None))
    assert no_status.filter(pl.col("category") == "Tanks")["value"].to_list() == [2, 3]
    with pytest.raises(UsageError, match="no column"):
        running_count(other, EventMapping(date="when"))


def test_the_mapping_is_declared_in_the_package(ds):
    block = ds.descriptor["ddj"]["events"]
    assert EventMapping.from_descriptor(block) == EventMapping(date="date", category="category", status="status")
