"""Validate once per content: a record of a successful validation lets an unchanged package skip the row rules.

Whether validation ran is proved by counting calls to the row-level check (``check_and_cast``), never by timing.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

import ddj
from ddj.cli import main
from ddj.datasets import loading, validation_record
from ddj.datasets.validation_record import read_record, record_path
from ddj.errors import ValidationError
from ddj.synth import write_synthetic
from ddj.warnings import DataCaveatWarning
from tests.fixtures.minimal import write_package


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
    real = loading.check_and_cast

    def counting(frame, schema, display, **kwargs):
        calls.append(display)
        return real(frame, schema, display, **kwargs)

    monkeypatch.setattr(loading, "check_and_cast", counting)
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
        written = pl.read_parquet(target)  # incident texts Enums, value lists List(Enum): same values
        as_text = [
            pl.col(n).cast(expected.schema[n])
            for n, d in written.schema.items()
            if d != expected.schema[n] and expected.schema[n] in (pl.String, pl.List(pl.String))
        ]
        assert_frame_equal(written.with_columns(as_text), expected)
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


# --- reading only what is used (issue 23) ------------------------------------------------------------------------


def _same_dataset(ours: ddj.Dataset, theirs: ddj.Dataset) -> None:
    assert list(ours.tables) == list(theirs.tables)
    for name, frame in theirs.tables.items():
        assert_frame_equal(ours.tables[name], frame)
    assert ours.caveats == theirs.caveats


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("ids", [["i0000004"], ["i0000003"], ["i0000049", "i0000010"], ["i0000048"]])
def test_a_scoped_load_returns_what_load_then_scope_returns(tmp_path, checks, fmt, ids):
    from ddj.datasets.scope import scope

    folder = write_synthetic(tmp_path / f"scoped-{fmt}", incidents=60, seed=3, fmt=fmt)
    first = _load(folder, incidents=ids)  # validates the whole package, then scopes it
    assert len(checks) == 4
    whole = _load(folder)
    expected = scope(whole, incidents=ids)
    _same_dataset(first, expected)
    recorded = _load(folder, incidents=ids)  # read by filtered scans
    assert len(checks) == 4, "a scoped load of a recorded package ran the row-level rules"
    _same_dataset(recorded, expected)
    assert len(recorded.incidents) < len(whole.incidents) and recorded.accounts.height < whole.accounts.height


def test_a_scoped_load_of_the_shipped_package_keeps_related_incidents_and_overrides(tmp_path, checks):
    import shutil

    from ddj.datasets.scope import scope

    folder = shutil.copytree(Path(ddj.datasets.resolve("syria-ru-aviation")), tmp_path / "syria")
    whole = _load(folder)
    for incident in whole.incidents["incident_id"].to_list():
        _same_dataset(_load(folder, incidents=[incident]), scope(whole, incidents=[incident]))
    assert len(checks) == 4


def test_a_scoped_load_refuses_an_unknown_incident(tmp_path):
    from ddj.errors import UsageError

    folder = write_synthetic(tmp_path / "unknown", incidents=20, seed=3)
    _load(folder)
    with pytest.raises(UsageError, match="has no incident 'nope'"):
        _load(folder, incidents=["i0000001", "nope"])


def test_a_scoped_load_validates_a_changed_file_a_new_rule_version_and_on_request(tmp_path, checks, monkeypatch):
    folder = write_package(tmp_path / "scoped-rules")
    _load(folder, incidents=["inc-1"])
    _load(folder, incidents=["inc-1"])
    assert len(checks) == 4
    _load(folder, incidents=["inc-1"], revalidate=True)
    assert len(checks) == 8
    monkeypatch.setattr(validation_record, "RULES_VERSION", validation_record.RULES_VERSION + 1)
    _load(folder, incidents=["inc-1"])
    assert len(checks) == 12
    path = folder / "accounts.csv"
    path.write_bytes(path.read_bytes().replace(b"Local outlets reported strikes.", b"Local outlets reported a strike."))
    scoped = _load(folder, incidents=["inc-1"])
    assert len(checks) == 16
    whole = _load(folder)
    assert len(checks) == 16  # the scoped load recorded the new content's validation
    assert "Local outlets reported a strike." in whole.accounts["statement"].to_list()
    assert "inc-1" in scoped.incidents["incident_id"].to_list()


@pytest.mark.parametrize("recorded", [False, True])
def test_load_with_columns_returns_only_those_columns(tmp_path, checks, recorded):
    folder = write_synthetic(tmp_path / "columns", incidents=30, seed=3)
    whole = _load(folder)
    if not recorded:
        validation_record.forget(folder)
    wanted = {"accounts": ["side", "incident_id", "cause"], "incidents": ["incident_id"]}
    ds = _load(folder, columns=wanted)
    assert ds.accounts.columns == ["incident_id", "side", "cause"]  # in the schema's order
    assert_frame_equal(ds.accounts, whole.accounts.select("incident_id", "side", "cause"))
    assert_frame_equal(ds.incidents, whole.incidents.select("incident_id"))
    assert_frame_equal(ds.sources, whole.sources)  # a table not named is read whole
    assert len(checks) == (8 if not recorded else 4)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"account": ["side"]}, "has no table 'account'"),
        ({"accounts": ["sides"]}, "has no column 'sides'"),
        ({"accounts": "side"}, "must be a list of column names"),
    ],
)
def test_load_with_unknown_columns_says_which(tmp_path, columns, message):
    from ddj.errors import UsageError

    folder = write_synthetic(tmp_path / "bad-columns", incidents=10, seed=3)
    with pytest.raises(UsageError, match=message):
        _load(folder, columns=columns)


def test_a_scoped_load_with_columns(tmp_path):
    from ddj.datasets.scope import scope

    folder = write_synthetic(tmp_path / "both", incidents=30, seed=3)
    expected = scope(_load(folder), incidents=["i0000004"])
    ds = _load(folder, incidents=["i0000004"], columns={"accounts": ["account_id", "side"]})
    assert_frame_equal(ds.accounts, expected.accounts.select("account_id", "side"))
    assert_frame_equal(ds.incidents, expected.incidents)
    assert ds.caveats == expected.caveats


# --- vocabulary columns stored as Enum (issue 23) ---------------------------------------------------------------


def test_a_synthetic_parquet_package_stores_its_vocabulary_as_the_model_types(tmp_path, checks):
    import polars as pl

    from ddj.datasets.storage import model_dtypes

    folder = write_synthetic(tmp_path / "enum", incidents=40, seed=3)
    stored = pl.read_parquet_schema(folder / "accounts.parquet")
    assert dict(stored) == model_dtypes("accounts")
    assert isinstance(stored["side"], pl.Enum)
    as_csv = _load(write_synthetic(tmp_path / "enum-csv", incidents=40, seed=3, fmt="csv"))
    for ds in (_load(folder), _load(folder)):  # validated, then recorded
        for name, frame in as_csv.tables.items():
            assert_frame_equal(ds.tables[name], frame)


@pytest.mark.parametrize("stored", ["text", "other-enum"])
def test_parquet_with_text_or_another_vocabulary_is_still_typed_by_the_model(tmp_path, checks, stored):
    import polars as pl

    folder = write_synthetic(tmp_path / f"old-{stored}", incidents=40, seed=3)
    expected = _load(folder)
    validation_record.forget(folder)
    path = folder / "accounts.parquet"
    accounts = pl.read_parquet(path)
    if stored == "text":  # a package written by an older ddj or another program
        rewritten = accounts.with_columns(pl.col(pl.Enum).cast(pl.String))
    else:  # an Enum of the words in another order, and one word more
        rewritten = accounts.with_columns(pl.col("side").cast(pl.String).cast(pl.Enum(["unofficial", "x", "official"])))
    rewritten.write_parquet(path)
    assert pl.read_parquet_schema(path)["side"] != expected.accounts.schema["side"]
    for ds in (_load(folder), _load(folder)):  # validated, then recorded
        assert_frame_equal(ds.accounts, expected.accounts)
    assert len(checks) == 8


def test_a_file_changed_behind_its_size_and_time_is_still_validated_again(tmp_path, checks):
    """Tables are read while the files are hashed when sizes and times match the record; the hash decides."""
    import os

    folder = write_package(tmp_path / "sneaky")
    _load(folder)
    path = folder / "accounts.csv"
    stat = path.stat()
    path.write_bytes(path.read_bytes().replace(b"Local outlets reported strikes.", b"Local outlets reported strikez."))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same modification time
    assert path.stat().st_size == stat.st_size
    ds = _load(folder)
    assert len(checks) == 8
    assert "Local outlets reported strikez." in ds.accounts["statement"].to_list()
