"""As-of lookups and the comparison on the real files, checked against values read from the raw files directly."""

from __future__ import annotations

import csv
import datetime as dt
import json

import polars as pl
import pytest

import ddj
from ddj.datasets import data_dir
from ddj.errors import UsageError
from ddj.tally import series as tseries
from ddj.tally.compare import SERIES_COLUMNS, compare

NAME = "ukraine-equipment-losses"
RAW = data_dir() / NAME / "raw"
STATUSES = ("destroyed", "damaged", "abandoned", "captured")


@pytest.fixture(scope="module")
def ds(tally):
    """The shipped tally dataset (the session's copy, tests/conftest.py)."""
    return tally


@pytest.fixture(scope="module")
def official_raw() -> dict[str, dict]:
    """The General Staff's days, read with the json module: date -> object."""
    days = json.loads((RAW / "ua-genstaff-official" / "russia_losses_equipment.json").read_text(encoding="utf-8"))
    return {day["date"]: day for day in days}


@pytest.fixture(scope="module")
def oryx_raw() -> list[dict]:
    """Oryx's Russian rows of daily_count.csv, read with the csv module."""
    with open(RAW / "oryx-losses" / "daily_count.csv", newline="", encoding="utf-8") as handle:
        return [r for r in csv.DictReader(handle) if r["country"] == "Russia"]


def _oryx_as_of(rows: list[dict], category: str, day: str) -> tuple[int, str]:
    """The last total of ``category`` written on or before ``day``: (sum of the four statuses, its date)."""
    written = [r for r in rows if r["equipment_type"] == category and r["date_recorded"] <= day]
    last = max(written, key=lambda r: r["date_recorded"])
    return sum(int(last[s]) for s in STATUSES), last["date_recorded"]


@pytest.fixture(scope="module")
def series(ds):
    return ddj.tally.tally_series(ds)


@pytest.mark.parametrize("day", ["2022-03-20", "2023-01-01", "2024-03-01", "2024-10-06"])
@pytest.mark.parametrize(
    ("official", "oryx"), [("tank", "Tanks"), ("aircraft", "Aircraft"), ("helicopter", "Helicopters")]
)
def test_tally_as_of_matches_the_raw_files(ds, official_raw, oryx_raw, day, official, oryx):
    row = ddj.tally.tally(ds, as_of=day, categories=[official]).row(0, named=True)
    assert row["official"] == official_raw[day][official]
    assert row["official_as_of"] == dt.date.fromisoformat(day)
    total, written = _oryx_as_of(oryx_raw, oryx, day)
    assert (row["documented"], row["documented_as_of"]) == (total, dt.date.fromisoformat(written))
    assert row["ratio"] == pytest.approx(official_raw[day][official] / total)
    assert row["difference"] == official_raw[day][official] - total


def test_a_date_without_a_documented_row_takes_the_last_one_before_it(ds, oryx_raw):
    tanks_written = {r["date_recorded"] for r in oryx_raw if r["equipment_type"] == "Tanks"}
    assert "2022-03-20" not in tanks_written and "2022-03-19" in tanks_written
    row = ddj.tally.tally(ds, as_of="2022-03-20", categories=["tank"]).row(0, named=True)
    assert row["documented_as_of"] == dt.date(2022, 3, 19)
    before = ddj.tally.tally(ds, as_of="2022-03-01", categories=["tank"]).row(0, named=True)
    # Oryx's series starts on 2022-02-23 with zeros; its first real count is on 2022-03-19.
    assert (before["documented"], before["documented_as_of"]) == (0, dt.date(2022, 2, 23))


def test_renamed_categories_are_counted_once(ds, oryx_raw):
    # Naval Ships became Naval Ships and Submarines on 2023-09-13: before, the old name; after, only the new one.
    before = ddj.tally.tally(ds, as_of="2023-09-12", categories=["naval ship"]).row(0, named=True)
    assert before["documented"] == _oryx_as_of(oryx_raw, "Naval Ships", "2023-09-12")[0]
    after = ddj.tally.tally(ds, as_of="2024-01-01", categories=["naval ship"]).row(0, named=True)
    assert after["documented"] == _oryx_as_of(oryx_raw, "Naval Ships and Submarines", "2024-01-01")[0]
    # The trucks category gained a comma on 2023-06-09; its old spelling stops counting then.
    trucks = ddj.tally.tally(ds, as_of="2024-01-01", categories=["vehicles and fuel tanks"]).row(0, named=True)
    assert trucks["documented"] == _oryx_as_of(oryx_raw, "Trucks, Vehicles, and Jeeps", "2024-01-01")[0]


def test_documented_count_is_the_sum_of_statuses_of_every_paired_category(ds, oryx_raw):
    day = "2024-06-01"
    pairs = ds.table("crosswalk").filter(pl.col("official_category") == "APC")
    live = pairs.filter(pl.col("valid_to").is_null() | (pl.col("valid_to") >= pl.date(2024, 6, 1)))
    expected = sum(_oryx_as_of(oryx_raw, c, day)[0] for c in live["documented_category"])
    row = ddj.tally.tally(ds, as_of=day, categories=["APC"]).row(0, named=True)
    assert row["documented"] == expected == sum(row[s] for s in STATUSES)
    assert row["documented_categories"].count("; ") == pairs.height - 1


def test_a_retired_official_category_is_compared_on_its_last_day(ds, official_raw):
    row = ddj.tally.tally(ds, as_of="2024-01-01", categories=["military auto"]).row(0, named=True)
    assert row["official_as_of"] == dt.date(2022, 4, 30)
    assert row["official"] == official_raw["2022-04-30"]["military auto"]
    assert row["documented_as_of"] <= dt.date(2022, 4, 30)


def test_unmapped_categories_are_listed_with_their_reasons(ds):
    frame = ddj.tally.unmapped(ds)
    assert set(zip(frame["side"], frame["category"], strict=True)) == {
        ("official", "cruise missiles"),
        ("official", "fuel tank"),
        ("official", "mobile SRBM system"),
        ("official", "submarines"),
        ("documented", "Anti-Tank Guided Missiles"),
        ("documented", "Logistics Trains"),
    }
    assert frame["declared"].all() and frame["note"].is_not_null().all()
    row = ddj.tally.tally(ds, as_of="2024-10-06", categories=["cruise missiles"]).row(0, named=True)
    assert row["documented"] is None and row["ratio"] is None and row["official"] > 0


def test_tally_series_has_every_date_of_every_mapped_category_with_stable_columns(ds, series, official_raw):
    assert tuple(series.columns) == SERIES_COLUMNS
    mapped = set(ds.table("crosswalk").drop_nulls(["official_category", "documented_category"])["official_category"])
    assert set(series["category"]) == mapped
    tanks = series.filter(pl.col("category") == "tank")
    assert tanks.height == len(official_raw) and tanks["date"].is_sorted()
    assert series.height == ds.table("official_series").filter(pl.col("category").is_in(list(mapped))).height


def test_official_revisions_are_marked(series):
    aircraft = series.filter((pl.col("category") == "aircraft") & (pl.col("date") == pl.date(2023, 10, 3))).row(
        0, named=True
    )
    assert aircraft["revision"] == -1 and aircraft["official_change"] == -1
    assert series.filter(pl.col("revision").is_not_null()).height > 20


def test_threshold_crossings_give_the_first_date_the_ratio_crossed_each_threshold(series):
    crossings = ddj.tally.threshold_crossings(series, [2.0, 100.0])
    # Tanks: 1.83 times on 19 March 2022 (Oryx's first real count), twice the count from 22 March: a crossing.
    tank = crossings.filter((pl.col("category") == "tank") & (pl.col("threshold") == 2.0)).row(0, named=True)
    assert tank["first_date"] == dt.date(2022, 3, 22) and not tank["above_at_start"]
    tanks = series.filter((pl.col("category") == "tank") & pl.col("ratio").is_not_null()).sort("date")
    assert tanks["ratio"][0] < 2.0 and tanks["date"][0] == dt.date(2022, 3, 19)
    # Drones were already past twice the count on the first day compared: where the comparison starts, no crossing.
    drone = crossings.filter((pl.col("category") == "drone") & (pl.col("threshold") == 2.0)).row(0, named=True)
    drones = series.filter((pl.col("category") == "drone") & (pl.col("ratio") >= 2.0))
    assert drone["first_date"] is None and drone["above_at_start"]
    assert drone["compared_from"] == drones["date"].min() == dt.date(2022, 3, 19)
    assert crossings.filter(pl.col("threshold") == 100.0)["first_date"].null_count() >= 10
    # Nothing is dated after Oryx's last day: a later claim set against a frozen count is no crossing.
    assert crossings["first_date"].max() <= dt.date(2024, 10, 6)
    assert crossings["compared_to"].max() == dt.date(2024, 10, 6)


def test_no_ratio_or_difference_once_the_documented_side_has_stopped_for_longer_than_the_tolerance(ds, series):
    tanks = series.filter(pl.col("category") == "tank")
    last_common = tanks.filter(pl.col("date") == dt.date(2024, 10, 6)).row(0, named=True)
    assert (last_common["official"], last_common["documented"], last_common["days_apart"]) == (8919, 3440, 0)
    assert last_common["ratio"] == pytest.approx(8919 / 3440)
    within = tanks.filter(pl.col("date") == dt.date(2024, 10, 13)).row(0, named=True)
    assert within["days_apart"] == 7 and within["ratio"] is not None
    beyond = tanks.filter(pl.col("date") > dt.date(2024, 10, 13))
    assert beyond.height > 600 and beyond["ratio"].null_count() == beyond["difference"].null_count() == beyond.height
    assert (beyond["documented_through"] == dt.date(2024, 10, 6)).all()
    latest = ddj.tally.tally(ds, categories=["tank", "field artillery"])
    assert latest["ratio"].to_list() == [None, None] and latest["days_apart"].to_list() == [671, 671]
    wide = ddj.tally.tally(ds, categories=["tank"], tolerance_days=700).row(0, named=True)
    assert wide["ratio"] == pytest.approx(12251 / 3440)
    assert ddj.tally.coverage(ds)["common_to"] == dt.date(2024, 10, 6)


def test_as_of_and_value_on_on_a_small_series():
    s = pl.DataFrame(
        {
            "category": ["a", "a", "b"],
            "date": [dt.date(2024, 1, 1), dt.date(2024, 1, 5), dt.date(2024, 1, 3)],
            "value": [1, 4, 9],
        }
    )
    q = pl.DataFrame(
        {
            "category": ["a", "b", "a", "b"],
            "date": [dt.date(2024, 1, 4), dt.date(2024, 1, 2), dt.date(2024, 1, 5), dt.date(2024, 2, 1)],
        }
    )
    out = tseries.as_of(s, q)
    assert out["value"].to_list() == [1, None, 4, 9]
    assert out["as_of"].to_list() == [dt.date(2024, 1, 1), None, dt.date(2024, 1, 5), dt.date(2024, 1, 3)]
    assert tseries.value_on(s, "2024-01-04").rows() == [
        ("a", dt.date(2024, 1, 4), 1, dt.date(2024, 1, 1)),
        ("b", dt.date(2024, 1, 4), 9, dt.date(2024, 1, 3)),
    ]


def test_compare_leaves_a_category_without_documented_count_empty_not_zero():
    off = pl.DataFrame({"date": [dt.date(2024, 1, 1)], "category": ["tank"], "value": [10]})
    doc = pl.DataFrame({"date": [dt.date(2024, 2, 1)], "category": ["Tanks"], "status": ["destroyed"], "value": [3]})
    cw = pl.DataFrame(
        {"official_category": ["tank"], "documented_category": ["Tanks"], "valid_from": [None], "valid_to": [None]},
        schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date},
    )
    row = compare(off, doc, cw).row(0, named=True)
    assert row["documented"] is None and row["ratio"] is None and row["destroyed"] is None


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"as_of": "2021-12-31"}, "before the official series starts"),
        ({"as_of": "31/12/2024"}, "Write it as YYYY-MM-DD"),
        ({"categories": ["tanks"]}, "no official category 'tanks'"),
        ({"documented": "rumours"}, "no documented 'rumours'"),
        ({"tolerance_days": -1}, "whole number of days"),
    ],
)
def test_bad_arguments_say_what_to_do(ds, kwargs, words):
    with pytest.raises(UsageError, match=words):
        ddj.tally.tally(ds, **kwargs)


def test_an_incident_dataset_is_refused():
    with pytest.raises(UsageError, match="of kind 'incidents'"):
        ddj.tally.tally("syria-ru-aviation")
