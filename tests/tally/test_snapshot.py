"""``ddj build`` on a newer snapshot: renamed or new categories and truncated history refused before writing.

The fixtures (``tests/fixtures/importers/tally_snapshot/``) are slices of the shipped raw files made by its
``make_fixtures.py``: ``base/`` is a tiny dataset folder that builds; the other files replace one raw file of a copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ddj
from ddj.cli import main
from ddj.errors import CrosswalkGapError, HistoryTruncatedError
from ddj.tally import build as tally_build
from tests.paths import FIXTURES as TEST_FIXTURES

FIXTURES = TEST_FIXTURES / "importers" / "tally_snapshot"
DAILY = Path("raw/oryx-losses/daily_count.csv")
EQUIPMENT = Path("raw/ua-genstaff-official/russia_losses_equipment.json")


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "losses"
    shutil.copytree(FIXTURES / "base", folder)
    return folder


def _swap(folder: Path, fixture: str, target: Path = DAILY) -> None:
    shutil.copyfile(FIXTURES / fixture, folder / target)


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(tmp_path):
    """A copy of the base slice, built once: the dataset a newer snapshot would update."""
    folder = _folder(tmp_path)
    tally_build.build(folder)
    return folder


def test_the_base_slice_builds_a_valid_tally_package(tmp_path):
    folder = _folder(tmp_path)
    result = tally_build.build(folder)
    assert "documented_series.csv" in result.changed
    ds = ddj.load(folder, warn=False)
    assert ds.kind == "tally" and ds.tables["documented_series"].height > 0


def test_a_renamed_category_is_refused_before_writing_with_the_crosswalk_row_to_add(tmp_path):
    folder = _folder(tmp_path)
    _swap(folder, "daily_count_renamed.csv")
    before = _contents(folder)
    with pytest.raises(CrosswalkGapError) as caught:
        tally_build.build(folder)
    message = str(caught.value)
    assert "oryx-losses/daily_count.csv, row 2, equipment_type: documented category 'Main Battle Tanks'" in message
    assert "crosswalk.csv, row 2, documented_category: 'Tanks' is no longer in oryx-losses/daily_count.csv" in message
    assert str(folder / "crosswalk.csv") in message
    assert "tank,Main Battle Tanks,1,,,ddj,renamed upstream from 'Tanks'" in message
    assert "nothing was written" in message
    assert _contents(folder) == before


def test_the_suggested_row_makes_the_renamed_snapshot_build(tmp_path):
    folder = _folder(tmp_path)
    _swap(folder, "daily_count_renamed.csv")
    with (folder / "crosswalk.csv").open("a", encoding="utf-8") as handle:
        handle.write("tank,Main Battle Tanks,1,,,ddj,renamed upstream from 'Tanks'\n")
    tally_build.build(folder)
    series = ddj.load(folder, warn=False).tables["documented_series"]
    assert "Main Battle Tanks" in series["category"].to_list()


def test_a_new_documented_category_is_refused_naming_its_first_row(tmp_path):
    folder = _folder(tmp_path)
    _swap(folder, "daily_count_new_category.csv")
    with pytest.raises(CrosswalkGapError) as caught:
        tally_build.build(folder)
    error = caught.value
    assert error.undeclared["category"].to_list() == ["Infantry Fighting Vehicles"]
    assert "row 18, equipment_type: documented category 'Infantry Fighting Vehicles'" in str(error)
    assert ",Infantry Fighting Vehicles,1,,,ddj," in str(error)
    assert not (folder / "documented_series.csv").exists()


def test_a_new_official_key_is_refused_too(tmp_path):
    folder = _folder(tmp_path)
    _swap(folder, "equipment_new_key.json", EQUIPMENT)
    with pytest.raises(CrosswalkGapError) as caught:
        tally_build.build(folder)
    assert "ua-genstaff-official/russia_losses_equipment.json, row 1, (key): official category 'drone'" in str(
        caught.value
    )
    assert "drone,DOCUMENTED CATEGORY,1,,,ddj," in str(caught.value)


def test_a_crosswalk_category_gone_from_every_table_is_refused_and_its_row_named(tmp_path):
    folder = _folder(tmp_path)
    with (folder / "crosswalk.csv").open("a", encoding="utf-8") as handle:
        handle.write("APC,Armoured Personnel Carriers,1,,,upstream,as upstream\n")
    with pytest.raises(CrosswalkGapError) as caught:
        tally_build.build(folder, check=True)
    assert (
        "crosswalk.csv, row 4, documented_category: 'Armoured Personnel Carriers' is no longer a documented "
        "category" in str(caught.value)
    )
    assert "remove row 4" in str(caught.value)


def test_a_truncated_history_is_refused_and_the_previous_files_stay(built):
    before = _contents(built)
    _swap(built, "daily_count_truncated.csv")
    with pytest.raises(HistoryTruncatedError) as caught:
        tally_build.build(built)
    message = str(caught.value)
    assert "'Tanks' starts on 2022-03-28 instead of 2022-02-23" in message
    assert "lacks 4 date(s) documented_series.csv has, from 2022-02-23" in message
    assert "nothing was written" in message
    losses = caught.value.losses
    assert losses["category"].to_list() == ["Tanks"]
    after = _contents(built)
    assert {k: v for k, v in after.items() if k != DAILY.as_posix()} == {
        k: v for k, v in before.items() if k != DAILY.as_posix()
    }


def test_an_older_snapshot_is_refused_naming_each_category_that_ends_earlier(built):
    _swap(built, "daily_count_older.csv")
    with pytest.raises(HistoryTruncatedError) as caught:
        tally_build.build(built, check=True)
    assert sorted(caught.value.losses["category"].to_list()) == ["Armoured Fighting Vehicles", "Tanks"]
    assert "ends on" in str(caught.value)


def test_a_category_dropped_from_the_series_is_refused_as_lost_history(built):
    _swap(built, "daily_count_dropped.csv")
    with pytest.raises(HistoryTruncatedError) as caught:
        tally_build.build(built)
    assert "'Tanks' is gone (it ran from 2022-02-23 to 2022-03-31)" in str(caught.value)


def test_a_category_dropped_from_the_series_of_a_first_build_is_said(tmp_path, capsys):
    folder = _folder(tmp_path)
    _swap(folder, "daily_count_dropped.csv")
    assert main(["build", "ukraine-equipment-losses", "--folder", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "note: crosswalk.csv, row 2: 'Tanks' is no longer in oryx-losses/daily_count.csv" in out
    assert "tank is no longer compared with it" in out


def test_a_rename_the_crosswalk_declares_is_not_lost_history(built):
    _swap(built, "daily_count_renamed.csv")
    with (built / "crosswalk.csv").open("a", encoding="utf-8") as handle:
        handle.write("tank,Main Battle Tanks,1,,,ddj,renamed upstream from 'Tanks'\n")
    assert "documented_series.csv" in tally_build.build(built).changed


def test_the_same_snapshot_again_is_not_a_loss(built):
    assert tally_build.build(built).changed == []


def test_a_truncated_snapshot_can_start_a_new_dataset_as_the_message_says(built, tmp_path):
    copy = tmp_path / "restart"
    shutil.copytree(built, copy)
    _swap(copy, "daily_count_truncated.csv")
    for name in ("official_series.csv", "documented_series.csv"):
        (copy / name).unlink()
    tally_build.build(copy)
    assert ddj.load(copy, warn=False).tables["documented_series"]["date"].min().isoformat() == "2022-02-23"


def test_cli_refusal_exits_2_without_a_traceback(tmp_path, capsys):
    folder = _folder(tmp_path)
    _swap(folder, "daily_count_renamed.csv")
    assert main(["build", "ukraine-equipment-losses", "--folder", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "'Main Battle Tanks'" in err and "crosswalk.csv" in err
