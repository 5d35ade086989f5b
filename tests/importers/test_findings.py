"""Every kind of finding is detected on the real raw files, at the row where the raw file shows it."""

from __future__ import annotations

import csv
import datetime as dt
import json

import polars as pl
import pytest

import ddj
from ddj.datasets import data_dir
from ddj.datasets.tally_kind import FINDING_RULES
from ddj.importers import findings as checks

NAME = "ukraine-equipment-losses"
RAW = data_dir() / NAME / "raw"
EQUIPMENT = "ua-genstaff-official/russia_losses_equipment.json"
CORRECTIONS = "ua-genstaff-official/russia_losses_equipment_correction.json"
DAILY = "oryx-losses/daily_count.csv"


@pytest.fixture(scope="module")
def found() -> pl.DataFrame:
    return ddj.load(NAME, warn=False).table("findings")


@pytest.fixture(scope="module")
def equipment() -> list[dict]:
    return json.loads((RAW / EQUIPMENT).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corrections() -> list[dict]:
    return json.loads((RAW / CORRECTIONS).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def daily() -> dict[int, dict]:
    """daily_count.csv by spreadsheet row (header = row 1), read with the csv module."""
    with open(RAW / DAILY, newline="", encoding="utf-8") as handle:
        return dict(enumerate(csv.DictReader(handle), start=2))


def _one(found: pl.DataFrame, file: str, rule: str, row: int, value: str | None = None) -> dict:
    hits = found.filter((pl.col("file") == file) & (pl.col("rule") == rule) & (pl.col("row") == row))
    if value is not None:
        hits = hits.filter(pl.col("value") == value)
    assert hits.height == 1, (file, rule, row, found.filter(pl.col("rule") == rule).head(5))
    return hits.row(0, named=True)


def test_findings_only_use_known_rules_and_name_a_file_and_detail(found):
    assert set(found["rule"]) <= set(FINDING_RULES)
    assert found["file"].null_count() == 0 and found["detail"].null_count() == 0


def test_duplicate_rows(found, daily):
    for kept, repeat in ((6702, 6704), (6703, 6705)):
        assert daily[kept] == daily[repeat]
        finding = _one(found, DAILY, "duplicate_row", repeat)
        assert f"repeats row {kept}" in finding["detail"]


def test_decreases_explained_by_an_official_correction(found, equipment, corrections):
    # APC fell from 5181 to 5167 on 2022-10-13, the day of a correction of -25 APCs.
    row = next(i for i, day in enumerate(equipment, 1) if day["date"] == "2022-10-13")
    assert equipment[row - 2]["APC"] > equipment[row - 1]["APC"]
    assert any(c["date"] == "2022-10-13" and c["APC"] < 0 for c in corrections)
    assert "correction of 2022-10-13 (-25)" in _one(found, EQUIPMENT, "decrease_explained", row)["detail"]
    # The tank fall on 2023-05-28 is explained by the correction dated the day before.
    row = next(i for i, day in enumerate(equipment, 1) if day["date"] == "2023-05-28")
    assert "correction of 2023-05-27 (-5)" in _one(found, EQUIPMENT, "decrease_explained", row)["detail"]


def test_decreases_no_correction_explains(found, equipment, corrections, daily):
    row = next(i for i, day in enumerate(equipment, 1) if day["date"] == "2026-03-04")
    assert equipment[row - 1]["field artillery"] < equipment[row - 2]["field artillery"]
    assert not any("2026-03-02" <= c["date"] <= "2026-03-05" for c in corrections)
    finding = _one(found, EQUIPMENT, "decrease_unexplained", row)
    assert finding["column"] == "field artillery" and finding["value"] == str(equipment[row - 1]["field artillery"])
    # Oryx publishes no corrections: its falls are unexplained (Russian aircraft, 79 then 78).
    assert (daily[44]["type_total"], daily[45]["type_total"]) == ("79", "78")
    assert _one(found, DAILY, "decrease_unexplained", 45)["value"] == "78"


def test_values_that_jump_away_from_both_neighbours(found, daily):
    assert [daily[r]["type_total"] for r in (1155, 1156, 1157)] == ["369", "146", "369"]
    finding = _one(found, DAILY, "spike", 1156)
    assert finding["value"] == "146" and "Armoured Personnel Carriers" in finding["detail"]
    assert daily[6976]["type_total"] == "1950"
    _one(found, DAILY, "spike", 6976)


def test_category_names_spelled_two_ways_or_with_stray_whitespace(found, daily):
    assert daily[4241]["equipment_type"] == "Trucks, Vehicles and Jeeps"
    assert daily[4484]["equipment_type"] == "Trucks, Vehicles, and Jeeps"
    _one(found, DAILY, "category_variant", 4241)
    _one(found, DAILY, "category_variant", 4484)
    variants = found.filter(pl.col("rule") == "category_variant")["value"].to_list()
    assert {"Anti-Tank Guided Missiles", "Anti-tank Guided Missiles"} <= set(variants)
    assert daily[7284]["equipment_type"] == "Surface-To-Air Missile Systems\n"
    assert _one(found, DAILY, "category_whitespace", 7284)["value"] == "Surface-To-Air Missile Systems\n"


def test_non_category_text_in_category_columns(found, daily, equipment, corrections):
    assert daily[84]["equipment_type"] == "All Types"
    _one(found, DAILY, "not_a_category", 84)
    summaries = found.filter((pl.col("rule") == "not_a_category") & pl.col("value").str.starts_with("Losses"))
    assert summaries.height >= 30
    first = summaries.row(0, named=True)
    assert daily[first["row"]]["equipment_type"] == first["value"]
    row = next(i for i, day in enumerate(equipment, 1) if "greatest losses direction" in day)
    finding = _one(found, EQUIPMENT, "not_a_category", row)
    assert finding["column"] == "greatest losses direction"
    assert finding["value"] == equipment[row - 1]["greatest losses direction"]
    row = next(i for i, day in enumerate(corrections, 1) if "personnel" in day)
    assert _one(found, CORRECTIONS, "not_a_category", row)["value"] == "personnel"


def test_categories_that_appear_or_retire(found, equipment, daily):
    row = next(i for i, day in enumerate(equipment, 1) if "submarines" in day)
    assert _one(found, EQUIPMENT, "category_appears", row)["value"] == "submarines"
    row = max(i for i, day in enumerate(equipment, 1) if "military auto" in day)
    assert equipment[row - 1]["date"] == "2022-04-30"
    for key in ("military auto", "fuel tank", "mobile SRBM system"):
        assert key in equipment[row - 1] and key not in equipment[row]
        _one(found, EQUIPMENT, "category_retires", row, key)
    naval = [r for r, rec in daily.items() if rec["country"] == "Russia" and rec["equipment_type"] == "Naval Ships"]
    assert _one(found, DAILY, "category_retires", max(naval))["value"] == "Naval Ships"
    assert _one(found, DAILY, "category_appears", min(naval))["value"] == "Naval Ships"


def test_war_day_numbers_that_do_not_match_their_date(found, corrections):
    for row, correction in enumerate(corrections, 1):
        expected = (dt.date.fromisoformat(correction["date"]) - dt.date(2022, 2, 24)).days + 1
        if expected != correction["day"]:
            assert _one(found, CORRECTIONS, "day_mismatch", row)["value"] == str(correction["day"])
    assert found.filter(pl.col("rule") == "day_mismatch").height == 2


def test_event_systems_the_model_list_does_not_place(found):
    hits = found.filter(pl.col("rule") == "system_not_in_model_list")
    assert hits.height > 100 and set(hits["file"]) == {
        f"oryx-losses/event_{s}.csv" for s in ("destroyed", "damaged", "abandoned", "captured")
    }
    events = ddj.load(NAME, warn=False).table("documented_events")
    first = hits.row(0, named=True)
    event = events.filter(
        (pl.col("source_file") == first["file"].split("/")[1]) & (pl.col("source_row") == first["row"])
    )
    assert event["category"].to_list() == [None] and event["system"].to_list() == [first["value"]]


def test_totals_that_are_not_the_sum_of_their_parts():
    frame = pl.DataFrame({"a": [1, 2], "b": [3, 4], "t": [4, 7], "source_row": [2, 3]})
    out = checks.total_mismatches(frame, "x.csv", parts=["a", "b"], total="t", label=pl.lit("row"))
    assert out["row"].to_list() == [3] and out["rule"].to_list() == ["total_mismatch"]


def test_rules_report_nothing_on_clean_data():
    s = pl.DataFrame(
        {
            "category": ["tank"] * 4,
            "date": [dt.date(2024, 1, d) for d in (1, 2, 3, 4)],
            "value": [10, 11, 11, 15],
            "source_row": [1, 2, 3, 4],
        }
    )
    assert checks.decreases(s, "e.json", group=["category"]).height == 0
    assert checks.spikes(s, "e.json", group=["category"]).height == 0
    assert checks.lifecycle(s, "e.json", group=["category"]).height == 0
    assert checks.duplicate_rows(s, "e.json", columns=["date"]).height == 0


def test_rows_whose_upstream_change_column_disagrees_with_their_totals_are_reported_by_row():
    from ddj.tally.build import build

    result = build(check=True)
    mismatches = result.findings.filter(pl.col("rule") == "change_mismatch")
    # 28 rows disagree in the raw file; row 6705 repeats row 6704 and is a duplicate_row finding instead
    assert mismatches.height == 27
    assert set(mismatches["file"]) == {"oryx-losses/daily_count.csv"}
    row = mismatches.filter(pl.col("row") == 3683).row(0, named=True)
    assert row["column"] == "type_total_diff"
    assert "from 1008 (row 3682, 2022-09-05) to 1023" in row["detail"]
    assert not any(n.startswith("change_mismatch") for n in result.notes)  # findings, no longer notes
    shipped = pl.read_csv(data_dir() / NAME / "findings.csv", infer_schema=False)
    assert shipped.filter(pl.col("rule") == "change_mismatch").height == 27
    assert result.changed == []  # the shipped findings.csv already holds them
