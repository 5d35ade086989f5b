"""Validate once per content: a record of a successful validation lets an unchanged package skip the row rules.

Whether validation ran is proved by counting calls to the row-level check (``check_and_cast``), never by timing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import warnings
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

import ddj
from ddj.cli import main
from ddj.datasets import validation_record
from ddj.datasets.validation_record import read_record, record_path
from ddj.errors import ValidationError
from ddj.synth import write_synthetic
from ddj.warnings import DataCaveatWarning
from tests.fixtures.minimal import write_package

load_module = importlib.import_module("ddj.datasets.load")  # the module (ddj.datasets.load is also the function)


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    """A cache folder of this test's own, and no DDJ_REVALIDATE from the environment."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DDJ_CACHE_DIR", str(folder))
    monkeypatch.delenv("DDJ_REVALIDATE", raising=False)
    return folder


@pytest.fixture
def checks(monkeypatch) -> list[str]:
    """The files the row-level check was run on, in order (the real check still runs)."""
    calls: list[str] = []
    real = load_module.check_and_cast

    def counting(frame, schema, display, **kwargs):
        calls.append(display)
        return real(frame, schema, display, **kwargs)

    monkeypatch.setattr(load_module, "check_and_cast", counting)
    return calls


def _load(folder: Path, **kwargs) -> ddj.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataCaveatWarning)
        return ddj.load(folder, **kwargs)


def test_an_unchanged_package_is_validated_once(tmp_path, checks):
    folder = write_package(tmp_path / "once")
    first = _load(folder)
    assert len(checks) == 4  # incidents, sources, accounts, overrides
    second = _load(folder)
    assert len(checks) == 4, "the second load ran the row-level rules again"
    assert second.caveats == first.caveats and second.caveats
    for name, frame in first.tables.items():
        assert_frame_equal(second.tables[name], frame)  # same values, same types (Enums included)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_recorded_load_reads_the_same_tables_as_a_validated_one(tmp_path, checks, fmt):
    folder = write_synthetic(tmp_path / f"synth-{fmt}", incidents=50, seed=3, fmt=fmt)
    validated = _load(folder)
    recorded = _load(folder)
    assert len(checks) == 4
    assert recorded.caveats == validated.caveats
    for name, frame in validated.tables.items():
        assert_frame_equal(recorded.tables[name], frame)


def test_blank_lines_at_the_end_stay_out_of_a_recorded_load(tmp_path, checks):
    folder = write_package(tmp_path / "blank")
    with open(folder / "accounts.csv", "ab") as handle:
        handle.write(b"\r\n\r\n")
    assert _load(folder).accounts.height == 3
    assert _load(folder).accounts.height == 3
    assert len(checks) == 4


def test_a_changed_file_is_validated_again(tmp_path, checks):
    folder = write_package(tmp_path / "changed")
    _load(folder)
    path = folder / "accounts.csv"
    path.write_bytes(path.read_bytes().replace(b"Local outlets reported strikes.", b"Local outlets reported a strike."))
    ds = _load(folder)
    assert len(checks) == 8
    assert "Local outlets reported a strike." in ds.accounts["statement"].to_list()


def test_a_changed_descriptor_is_validated_again(tmp_path, checks):
    folder = write_package(tmp_path / "descriptor")
    _load(folder)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["description"] = "Described again."
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    _load(folder)
    assert len(checks) == 8


def test_a_file_broken_after_a_successful_load_is_refused(tmp_path, checks):
    folder = write_package(tmp_path / "broken")
    _load(folder)
    path = folder / "accounts.csv"
    path.write_bytes(path.read_bytes().replace(b",unofficial,", b",rumoured,", 1))
    with pytest.raises(ValidationError, match=r"broken/accounts\.csv, row 3, column 'side'"):
        _load(folder)
    assert not record_path(folder).exists()  # a failure leaves no record behind


def test_same_bytes_with_a_new_modification_time_still_skip_validation(tmp_path, checks):
    folder = write_package(tmp_path / "touched")
    _load(folder)
    path = folder / "accounts.csv"
    path.write_bytes(path.read_bytes())  # rewritten: new modification time, same content hash
    _load(folder)
    _load(folder)
    assert len(checks) == 4


def test_a_new_rule_version_validates_again(tmp_path, checks, monkeypatch):
    folder = write_package(tmp_path / "rules")
    _load(folder)
    monkeypatch.setattr(validation_record, "RULES_VERSION", validation_record.RULES_VERSION + 1)
    _load(folder)
    assert len(checks) == 8
    _load(folder)  # the new version's record is used from now on
    assert len(checks) == 8


def test_a_new_ddj_version_validates_again(tmp_path, checks, monkeypatch):
    folder = write_package(tmp_path / "version")
    _load(folder)
    monkeypatch.setattr("ddj._version.__version__", "99.0.0")
    _load(folder)
    assert len(checks) == 8


def test_revalidate_validates_again(tmp_path, checks, monkeypatch):
    folder = write_package(tmp_path / "again")
    _load(folder)
    _load(folder, revalidate=True)
    assert len(checks) == 8
    monkeypatch.setenv("DDJ_REVALIDATE", "1")
    _load(folder)
    assert len(checks) == 12


def test_the_validate_command_records_and_revalidates(tmp_path, checks, capsys):
    folder = write_package(tmp_path / "command")
    assert main(["validate", str(folder)]) == 0
    assert len(checks) == 4
    assert "passed before" not in capsys.readouterr().out
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert len(checks) == 4
    assert "command: valid (2 incidents, 2 sources, 3 accounts, 0 overrides); these files passed before" in out
    assert "warning: command/incidents.csv, row 3, column 'incident_id': 'inc-2' has no official account" in out
    assert main(["validate", "--revalidate", str(folder)]) == 0
    assert len(checks) == 8
    assert "passed before" not in capsys.readouterr().out


def test_compare_takes_revalidate(tmp_path, checks, capsys):
    folder = write_package(tmp_path / "compared")
    assert main(["compare", str(folder)]) == 0
    assert main(["compare", str(folder)]) == 0
    assert len(checks) == 4
    assert main(["compare", "--revalidate", str(folder)]) == 0
    assert len(checks) == 8


@pytest.mark.parametrize("garbage", [b"", b"{not json", b"[]", b'{"format": 1, "key": 7}', b"\xff\xfe\x00"])
def test_a_corrupt_record_is_ignored(tmp_path, checks, garbage):
    folder = write_package(tmp_path / "corrupt")
    _load(folder)
    record = record_path(folder)
    key = json.loads(record.read_text(encoding="utf-8"))["key"]
    record.write_bytes(garbage)
    ds = _load(folder)
    assert len(checks) == 8
    assert ds.accounts.height == 3
    assert json.loads(record.read_text(encoding="utf-8"))["key"] == key  # written again
    _load(folder)
    assert len(checks) == 8


def test_a_record_with_a_damaged_field_is_ignored(tmp_path, checks):
    folder = write_package(tmp_path / "damaged")
    _load(folder)
    record = record_path(folder)
    data = json.loads(record.read_text(encoding="utf-8"))
    data["caveats"] = [{"no": "such field"}]
    record.write_text(json.dumps(data), encoding="utf-8")
    _load(folder)
    assert len(checks) == 8


def test_an_unwritable_cache_is_not_an_error(tmp_path, checks, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DDJ_CACHE_DIR", str(blocker / "ddj"))
    folder = write_package(tmp_path / "nowhere")
    assert _load(folder).accounts.height == 3
    assert _load(folder).accounts.height == 3
    assert len(checks) == 8  # nothing could be recorded, so each load validates


def test_caveats_still_reach_the_user_on_a_recorded_load(tmp_path, checks):
    folder = write_package(tmp_path / "warned")
    _load(folder)
    with pytest.warns(DataCaveatWarning, match=r"warned/incidents\.csv: no official account: 'inc-2'"):
        ds = ddj.load(folder)
    assert len(checks) == 4
    assert [(c.rule, c.row) for c in ds.caveats if c.rule == "no_official_account"] == [("no_official_account", 3)]


def test_a_record_with_a_future_date_caveat_counts_for_its_day_only(tmp_path, checks):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    folder = write_package(tmp_path / "future", lambda t: t["accounts"][0].update(accessed_date=tomorrow))
    ds = _load(folder)
    assert any(c.rule == "future_date" for c in ds.caveats)
    _load(folder)
    assert len(checks) == 4
    data = json.loads(record_path(folder).read_text(encoding="utf-8"))
    assert read_record(folder, data["key"]) is not None
    assert read_record(folder, data["key"], today=dt.date.today() + dt.timedelta(days=2)) is None


def test_a_copy_in_another_folder_is_validated_with_its_own_name(tmp_path, checks):
    first = write_package(tmp_path / "first")
    _load(first)
    copy = tmp_path / "second"
    copy.mkdir()
    for path in first.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    ds = _load(copy)
    assert len(checks) == 8
    assert all(c.file.startswith("second/") for c in ds.caveats)


# --- the streamed output of `ddj compare --out` ----------------------------------------------------


def _eager_table(folder: Path, suffix: str):
    """The table `ddj compare --out` wrote before it streamed: joined, cast and encoded in memory."""
    import polars as pl

    from ddj.commands.compare import _csv_safe
    from ddj.compare import compare

    comparison = compare(_load(folder))
    incidents = comparison.incidents
    clash = [c for c in incidents.columns if c != "incident_id" and c in comparison.attributes.columns]
    incidents = incidents.rename({c: f"incident_{c}" for c in clash})
    table = comparison.attributes.join(incidents, on="incident_id", how="left", maintain_order="left")
    lists = [name for name, dtype in table.schema.items() if isinstance(dtype, pl.List)]
    table = table.with_columns(pl.col(name).cast(pl.List(pl.String)) for name in lists)
    if suffix == ".csv":
        table = table.with_columns(pl.col(name).list.join("; ") for name in lists)
        table = table.with_columns(
            _csv_safe(name)
            for name, dtype in table.schema.items()
            if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
        )
    return table


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_the_streamed_output_holds_what_the_in_memory_output_held(tmp_path, monkeypatch, capsys, suffix):
    import io

    import polars as pl
    import pyarrow.parquet as pq

    import ddj.commands.compare as compare_command

    monkeypatch.setattr(compare_command, "ROW_GROUP_ROWS", 1000)
    folder = write_synthetic(tmp_path / "synth", incidents=400, seed=5, fmt="parquet")
    target = tmp_path / f"out{suffix}"
    assert main(["compare", str(folder), "--out", str(target)]) == 0
    assert "wrote" in capsys.readouterr().out
    expected = _eager_table(folder, suffix)
    assert expected.height == 4000
    if suffix == ".parquet":
        assert_frame_equal(pl.read_parquet(target), expected)
        metadata = pq.ParquetFile(target).metadata
        assert metadata.num_row_groups == 4  # row groups of ROW_GROUP_ROWS rows
        assert metadata.row_group(0).column(0).statistics.has_min_max  # readers can skip row groups
    else:
        buffer = io.BytesIO()
        expected.write_csv(buffer, date_format="%Y-%m-%d")
        assert target.read_bytes() == buffer.getvalue()  # byte for byte
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_the_cache_keeps_a_bounded_number_of_records(tmp_path, monkeypatch, cache):
    monkeypatch.setattr(validation_record, "MAX_RECORDS", 2)
    folders = [write_package(tmp_path / f"many-{n}") for n in range(4)]
    for folder in folders:
        _load(folder)
    kept = sorted(p.name for p in (cache / validation_record.FOLDER).iterdir())
    assert len(kept) == 2
    assert record_path(folders[-1]).name in kept  # the newest stays
