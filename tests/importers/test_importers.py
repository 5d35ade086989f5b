"""``ddj import acled|ucdp``: round trips to valid incident packages, precision and figures kept, clear errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import polars as pl
import pytest

import ddj
from ddj.cli import main
from ddj.errors import ImportFormatError, UsageError, ValidationError
from ddj.importers._sides import is_official_source
from ddj.importers.acled import import_acled
from ddj.importers.ucdp import import_ucdp
from tests.paths import FIXTURES as TEST_FIXTURES

FIXTURES = TEST_FIXTURES / "importers"
ACLED = FIXTURES / "acled_sample.csv"
UCDP = FIXTURES / "ucdp_ged_sample.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]], fields: list[str] | None = None) -> Path:
    fields = fields or list(rows[0])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def acled(tmp_path_factory):
    out = tmp_path_factory.mktemp("acled") / "pkg"
    result = import_acled(ACLED, out)
    return result, ddj.load(out, warn=False)


@pytest.fixture(scope="module")
def ucdp(tmp_path_factory):
    out = tmp_path_factory.mktemp("ucdp") / "pkg"
    result = import_ucdp(UCDP, out)
    return result, ddj.load(out, warn=False)


def test_acled_round_trip_validates_and_keeps_precision(acled):
    result, ds = acled
    assert ds.kind == "incidents" and result["counts"]["incidents"] == 3
    incidents = {r["incident_id"]: r for r in ds.incidents.iter_rows(named=True)}
    day = incidents["acled-UKR90001"]
    assert (day["date_precision"], day["location_precision"], str(day["date_start"])) == (1, 1, "2024-01-15")
    assert day["event_type"] == "airstrike" and day["operator"] == "Military Forces of Russia (2000-)"
    week = incidents["acled-UKR90002"]
    assert (week["date_precision"], week["location_precision"]) == (3, 2)
    assert (str(week["date_start"]), str(week["date_end"])) == ("2024-01-17", "2024-01-23")
    month = incidents["acled-UKR90003"]
    assert (month["date_precision"], month["location_precision"]) == (4, 4)
    assert (str(month["date_start"]), str(month["date_end"])) == ("2024-02-01", "2024-02-29")


def test_acled_has_its_own_account_and_one_per_named_source(acled):
    _, ds = acled
    accounts = ds.accounts.join(ds.sources.select("source_id", "name", "kind"), on="source_id")
    first = accounts.filter(pl.col("incident_id") == "acled-UKR90001")
    assert sorted(first["name"].to_list()) == [
        "ACLED",
        "Ministry of Defence of Russia",
        "Suspilne Media",
        "Ukrainska Pravda",
    ]
    monitor = first.filter(pl.col("name") == "ACLED").row(0, named=True)
    assert (monitor["others_killed_claim"], monitor["others_killed_best"]) == ("figure", 2)
    assert monitor["side"] == "unofficial" and monitor["claimed_date"] == "2024-01-15"
    ministry = first.filter(pl.col("name") == "Ministry of Defence of Russia").row(0, named=True)
    assert (ministry["side"], ministry["kind"], ministry["cause"]) == ("official", "official_military", "not_stated")
    assert ministry["others_killed_claim"] == "not_stated"
    # Ukraine's General Staff is official for a Ukrainian operation.
    staff = accounts.filter((pl.col("incident_id") == "acled-UKR90002") & (pl.col("name") != "ACLED"))
    assert staff["side"].to_list() == ["official"]
    assert accounts.filter(pl.col("name") == "Suspilne Media")["side"].to_list() == ["unofficial"]


def test_acled_lists_what_it_did_not_map(acled):
    result, ds = acled
    skipped = {item["column"]: item["reason"] for item in result["not_mapped"]}
    assert {"notes", "timestamp", "inter1", "assoc_actor_1", "admin2", "tags"} <= set(skipped)
    assert "not copied" in skipped["notes"]
    assert ds.descriptor["ddj"]["import"]["not_mapped"] == result["not_mapped"]
    assert "Test fixture note" not in (ds.folder / "accounts.csv").read_text(encoding="utf-8")


def test_ucdp_round_trip_keeps_precision_codes_and_low_best_high(ucdp):
    result, ds = ucdp
    incidents = {r["incident_id"]: r for r in ds.incidents.iter_rows(named=True)}
    source = {r["id"]: r for r in _rows(UCDP)}
    for event_id, raw in source.items():
        incident = incidents[f"ucdp-{event_id}"]
        assert incident["date_precision"] == int(raw["date_prec"])
        assert incident["location_precision"] == int(raw["where_prec"])
        assert str(incident["date_start"]) == raw["date_start"][:10]
    monitor = ds.accounts.filter(pl.col("source_id") == "src-ucdp-ged").sort("incident_id")
    assert monitor.select("others_killed_low", "others_killed_best", "others_killed_high").rows() == [
        (5, 5, 5),
        (8, 12, 20),
        (15, 15, 15),
    ]
    unclear = monitor.filter(pl.col("incident_id") == "ucdp-900002").row(0, named=True)
    assert unclear["certainty"] == "uncertain" and unclear["claimed_date"] == "unknown"
    assert "deaths_civilians 9" in unclear["notes"]
    skipped = {item["column"] for item in result["not_mapped"]}
    assert {"deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "number_of_sources"} <= skipped


def test_ucdp_one_account_per_outlet_dated_and_sided(ucdp):
    _, ds = ucdp
    outlets = ds.accounts.filter((pl.col("incident_id") == "ucdp-900001") & (pl.col("source_id") != "src-ucdp-ged"))
    outlets = outlets.join(ds.sources.select("source_id", "name"), on="source_id").sort("account_id")
    assert outlets.select("name", "side", pl.col("published_date").cast(pl.String), "origin").rows() == [
        ("Ministry of Defence of Russia", "official", "2016-08-01", "Russian military spokesman"),
        ("Test Wire Service", "unofficial", "2016-08-02", "Russian military spokesman"),
    ]
    assert ds.accounts.filter(pl.col("incident_id") == "ucdp-900003").height == 1


def test_missing_required_columns_are_named(tmp_path):
    rows = _rows(UCDP)
    fields = [f for f in rows[0] if f not in ("best", "where_prec")]
    bad = _write(tmp_path / "ged.csv", rows, fields)
    with pytest.raises(ImportFormatError) as err:
        import_ucdp(bad, tmp_path / "out")
    assert err.value.columns == ("where_prec", "best")
    assert "where_prec, best" in str(err.value) and "ged.csv" in str(err.value)
    rows = _rows(ACLED)
    bad = _write(tmp_path / "acled.csv", rows, [f for f in rows[0] if f != "geo_precision"])
    with pytest.raises(ImportFormatError, match="geo_precision"):
        import_acled(bad, tmp_path / "out2")


def test_unknown_extra_columns_are_listed_as_not_mapped(tmp_path):
    rows = [dict(r, my_column="x") for r in _rows(ACLED)]
    path = _write(tmp_path / "acled.csv", rows)
    result = import_acled(path, tmp_path / "out")
    reasons = {item["column"]: item["reason"] for item in result["not_mapped"]}
    assert "not a column of the codebook" in reasons["my_column"]


def test_bad_cells_are_named_by_row_and_column(tmp_path):
    rows = _rows(UCDP)
    rows[1]["date_prec"] = "9"
    rows[2]["high"] = "x"
    path = _write(tmp_path / "ged.csv", rows)
    with pytest.raises(ValidationError) as err:
        import_ucdp(path, tmp_path / "out")
    text = str(err.value)
    assert "ged.csv, row 3, column 'date_prec': '9'" in text and "row 4, column 'high'" in text
    rows = _rows(ACLED)
    rows[0]["time_precision"] = "4"
    rows[2]["event_date"] = "someday"
    path = _write(tmp_path / "acled.csv", rows)
    with pytest.raises(ValidationError, match=r"row 2, column 'time_precision'") as err:
        import_acled(path, tmp_path / "out2")
    assert "row 4, column 'event_date': 'someday' is not a date" in str(err.value)
    assert not (tmp_path / "out2").exists()


def test_a_non_empty_output_folder_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="not empty"):
        import_acled(ACLED, tmp_path / "out")


def test_unreadable_files_get_clear_errors(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ImportFormatError, match="empty"):
        import_acled(tmp_path / "empty.csv", tmp_path / "out")
    (tmp_path / "latin.csv").write_bytes("event_id_cnty\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(ImportFormatError, match="not UTF-8"):
        import_acled(tmp_path / "latin.csv", tmp_path / "out")


def test_command_line_import_prints_what_was_not_mapped(tmp_path, capsys):
    assert main(["import", "ucdp", str(UCDP), "--out", str(tmp_path / "pkg")]) == 0
    out = capsys.readouterr().out
    assert "3 incidents" in out and "not mapped" in out and "deaths_a" in out
    assert json.loads((tmp_path / "pkg" / "datapackage.json").read_text())["ddj"]["import"]["format"] == "UCDP GED"
    assert main(["import", "acled", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err


def test_the_official_source_rule():
    assert is_official_source("Russian Ministry of Defence", "Government of Russia (Soviet Union)")
    assert not is_official_source("Russian state television", "Government of Russia (Soviet Union)")
    assert not is_official_source("Ministry of Defence of Ukraine", "Military Forces of Russia (2000-)")
