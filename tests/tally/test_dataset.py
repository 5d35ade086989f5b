"""The ukraine-equipment-losses package: standard, valid, rebuilt byte for byte, raw files intact, crosswalk known."""

from __future__ import annotations

import csv
import json
import shutil

import frictionless
import polars as pl
import pytest

import ddj
from ddj._io import file_sha256
from ddj.datasets import data_dir
from ddj.datasets.tally_kind import TALLY_RESOURCES
from ddj.tally import build as tally_build

NAME = "ukraine-equipment-losses"
FOLDER = data_dir() / NAME
RAW = FOLDER / "raw"

#: The upstream crosswalk's official names (equipment_ua) and the General Staff JSON keys they stand for.
UPSTREAM_KEYS = {
    "Aircrafts": "aircraft",
    "Helicopters": "helicopter",
    "Tanks": "tank",
    "Armoured Personnel Carriers": "APC",
    "Artillery Systems": "field artillery",
    "Multiple Rocket Launchers": "MRL",
    "Anti-aircraft Warfare Systems": "anti-aircraft warfare",
    "Special Equipment": "special equipment",
    "Unmanned Aerial Vehicles": "drone",
    "Vehicle and Fuel Tank": "vehicles and fuel tanks",
    "Warships, Boats": "naval ship",
}


@pytest.fixture(scope="module")
def ds(tally):
    """The shipped tally dataset (the session's copy, tests/conftest.py)."""
    return tally


def test_frictionless_finds_the_package_valid():
    report = frictionless.validate(str(FOLDER / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_ddj_loads_it_as_a_tally_dataset_with_its_caveats(ds):
    assert ds.kind == "tally"
    assert set(ds.tables) == {r.name for r in TALLY_RESOURCES}
    rules = {c.rule for c in ds.caveats}
    assert {"documented_ends_first", "unmapped_category"} <= rules


def test_committed_files_equal_a_fresh_build():
    result = tally_build.build(FOLDER, check=True)
    assert result.changed == []


def test_a_rebuild_in_another_folder_writes_the_same_bytes(tmp_path):
    copy = tmp_path / NAME
    shutil.copytree(FOLDER, copy)
    for name in ("findings.csv", "official_series.csv", "datapackage.json"):
        (copy / name).unlink()
    result = tally_build.build(copy)
    assert {"findings.csv", "official_series.csv", "datapackage.json"} <= set(result.changed)
    for name in (
        "findings.csv",
        "official_series.csv",
        "documented_series.csv",
        "documented_events.csv",
        "official_corrections.csv",
        "README.md",
    ):
        assert (copy / name).read_bytes() == (FOLDER / name).read_bytes(), name
    # datapackage.json differs only if the raw files did; it holds no paths or times of the build.
    assert (copy / "datapackage.json").read_bytes() == (FOLDER / "datapackage.json").read_bytes()
    assert tally_build.build(copy).changed == []


def test_raw_files_are_kept_with_licences_and_their_hashes_recorded():
    descriptor = json.loads((FOLDER / "datapackage.json").read_text(encoding="utf-8"))
    recorded = {item["path"]: item["sha256"] for item in descriptor["ddj"]["raw"]}
    for folder in ("ua-genstaff-official", "oryx-losses"):
        assert (RAW / folder / "LICENSE.txt").is_file()
    assert "MIT License" in (RAW / "ua-genstaff-official" / "LICENSE.txt").read_text(encoding="utf-8")
    assert "Attribution 4.0 International" in (RAW / "oryx-losses" / "LICENSE.txt").read_text(encoding="utf-8")
    on_disk = sorted(p.relative_to(FOLDER).as_posix() for p in RAW.rglob("*") if p.is_file())
    assert sorted(recorded) == on_disk and len(on_disk) == 15  # 13 upstream files and 2 SOURCE.json manifests
    for path, digest in recorded.items():
        assert file_sha256(FOLDER / path) == digest, path
    total = sum(p.stat().st_size for p in FOLDER.rglob("*") if p.is_file())
    assert total < 25_000_000


def test_datasheet_has_provenance_licences_field_sources_and_the_generated_findings(ds):
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    for needle in (
        "37655f8bbdd6806d2f94416253116b02a750c97b",
        "815abce67c8f1d3cadd3e5fb96e7e988a4940949",
        "MIT licence",
        "CC BY 4.0",
        "scarnecchia/oryx_data, data from Oryx",
        "| Source |",
        "ddj build ukraine-equipment-losses",
    ):
        assert needle in text, needle
    block = text.split("<!-- findings:start -->", 1)[1].split("<!-- findings:end -->", 1)[0]
    assert f"The build found {ds.table('findings').height} things" in block
    assert "| `spike` | `oryx-losses/daily_count.csv` | 4 |" in block


def _upstream_pairs() -> set[tuple[str, str]]:
    rows = json.loads((RAW / "ua-genstaff-official" / "russia_losses_equipment_oryx.json").read_text(encoding="utf-8"))
    return {(UPSTREAM_KEYS[r["equipment_ua"]], r["equipment_oryx"]) for r in rows}


def test_crosswalk_starts_from_the_upstream_one_and_explains_every_change():
    with open(FOLDER / "crosswalk.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    declared = {(r["official_category"], r["documented_category"]): r for r in rows}
    changed = []
    for pair in sorted(_upstream_pairs()):
        if pair in declared:
            assert declared[pair]["basis"] == "upstream", pair
        else:
            changed.append(pair)
    # The one upstream pair ddj changes is declared with a note that names the upstream choice.
    assert changed == [("MRL", "Surface-To-Air Missile Systems")]
    sam = declared[("anti-aircraft warfare", "Surface-To-Air Missile Systems")]
    assert sam["basis"] == "ddj" and "upstream maps this to" in sam["note"]
    assert all(r["note"] for r in rows) and {r["crosswalk_version"] for r in rows} == {"1"}


def test_every_documented_category_of_the_series_is_declared_in_the_crosswalk(ds):
    declared = set(ds.table("crosswalk")["documented_category"].drop_nulls())
    assert set(ds.table("documented_series")["category"].unique()) == declared
    assert set(ds.table("documented_events")["category"].drop_nulls().unique()) <= declared


def test_processed_series_keep_values_as_published(ds):
    series = ds.table("official_series")
    assert series.filter(pl.col("category") == "greatest losses direction").height == 0
    assert series.select(pl.struct("date", "category").is_duplicated().any()).item() is False
    documented = ds.table("documented_series")
    # Categories are kept as written, commas and all, and no aggregate rows.
    assert {"Trucks, Vehicles and Jeeps", "Trucks, Vehicles, and Jeeps"} <= set(documented["category"])
    assert "All Types" not in set(documented["category"])


def test_a_crosswalk_naming_a_category_that_does_not_exist_is_a_problem(tmp_path):
    copy = tmp_path / NAME
    shutil.copytree(FOLDER, copy, ignore=shutil.ignore_patterns("raw", "documented_events.csv"))
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "documented_events"]
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    text = (copy / "crosswalk.csv").read_text(encoding="utf-8")
    (copy / "crosswalk.csv").write_text(text.replace("tank,Tanks,", "tanks,Tank,", 1), encoding="utf-8")
    result = ddj.inspect(copy)
    found = {(p.row, p.column, p.value, p.rule) for p in result.problems}
    assert (4, "official_category", "tanks", "crosswalk_unknown") in found
    assert (4, "documented_category", "Tank", "crosswalk_unknown") in found
    with pytest.raises(ddj.ValidationError, match=r"crosswalk\.csv, row 4, column 'official_category'"):
        ddj.load(copy)
