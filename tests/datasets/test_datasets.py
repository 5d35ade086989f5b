"""Unit tests of ddj.datasets: reading files, Table Schema checks, incident rules, caveats, loading."""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl
import pytest

import ddj
from ddj.cli import main
from ddj.datasets import inspect, resolve
from ddj.datasets.tableschema import ROWS_PER_RULE, check_and_cast
from ddj.errors import (
    ConsistencyViolation,
    DatasetNotFoundError,
    EnumViolation,
    RequiredViolation,
    ValidationError,
)
from ddj.model import CAUSES, EVENT_TYPES, INCIDENT_RESOURCES, SIDES
from ddj.warnings import DataCaveatWarning
from tests.fixtures.minimal import BASE_TABLES, write_package


def _quiet_load(folder: Path) -> ddj.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataCaveatWarning)
        return ddj.load(folder)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    }


# --- files that must load ------------------------------------------------------------------------


def test_the_minimal_package_writes_crlf_csv_and_loads(tmp_path):
    folder = write_package(tmp_path / "crlf", lambda t: t["accounts"][0].update(notes="checked twice"))
    assert b"\r\n" in (folder / "accounts.csv").read_bytes()
    ds = _quiet_load(folder)
    assert ds.accounts["account_id"].to_list() == ["acc-1", "acc-2", "acc-3"]
    assert ds.accounts["notes"].to_list() == ["checked twice", None, None]  # the last column keeps no '\r'
    assert ds.incidents["uncertainty"].to_list() == [None, None]


def test_a_file_with_a_byte_order_mark_loads_with_its_first_column_intact(tmp_path):
    folder = write_package(tmp_path / "bom")
    for name in ("accounts.csv", "incidents.csv"):
        path = folder / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    ds = _quiet_load(folder)
    assert ds.accounts.columns[0] == "account_id"
    assert ds.accounts["account_id"].to_list() == ["acc-1", "acc-2", "acc-3"]
    assert ds.incidents["incident_id"].to_list() == ["inc-1", "inc-2"]


def test_files_with_unix_line_ends_load_the_same_values(tmp_path):
    crlf = _quiet_load(write_package(tmp_path / "crlf"))
    folder = write_package(tmp_path / "lf")
    for resource in INCIDENT_RESOURCES:
        path = folder / f"{resource.name}.csv"
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    lf = _quiet_load(folder)
    for name in crlf.tables:
        assert lf.tables[name].equals(crlf.tables[name]), name


def test_a_quoted_cell_with_a_comma_and_a_line_break_loads_as_one_value(tmp_path):
    statement = 'The ministry said "a fault", not fire,\nand that the crew were safe.'
    place = "Al-Hasakah, near the M4"
    folder = write_package(
        tmp_path / "quoted",
        lambda t: t["accounts"][1].update(statement=statement, claimed_place=place),
    )
    raw = (folder / "accounts.csv").read_bytes()
    assert b'"The ministry said ""a fault"", not fire,\nand' in raw
    ds = _quiet_load(folder)
    assert ds.accounts.height == 3
    assert ds.accounts["statement"][1] == statement
    assert ds.accounts["claimed_place"][1] == place
    assert ds.accounts["account_id"].to_list() == ["acc-1", "acc-2", "acc-3"]


def test_blank_lines_at_the_end_of_a_file_are_not_rows(tmp_path):
    folder = write_package(tmp_path / "trailing")
    path = folder / "accounts.csv"
    path.write_bytes(path.read_bytes() + b"\r\n\r\n")
    ds = _quiet_load(folder)
    assert ds.accounts.height == 3


def test_a_blank_line_inside_a_file_is_reported_at_its_spreadsheet_row(tmp_path):
    folder = write_package(tmp_path / "gap")
    path = folder / "sources.csv"
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([*lines[:2], b"", *lines[2:]]))
    with pytest.raises(RequiredViolation) as info:
        ddj.load(folder, warn=False)
    assert {p.row for p in info.value.problems} == {3}
    assert {p.column for p in info.value.problems} == {"source_id", "name", "kind"}


# --- check_and_cast ------------------------------------------------------------------------------

_TYPED_SCHEMA = {
    "fields": [
        {"name": "n", "type": "integer"},
        {"name": "x", "type": "number"},
        {"name": "d", "type": "date"},
        {"name": "b", "type": "boolean"},
        {"name": "y", "type": "year"},
        {"name": "s", "type": "string"},
    ]
}


def test_check_and_cast_types_every_column_and_keeps_empty_cells_empty():
    raw = pl.DataFrame(
        {
            "s": ["a", "b", ""],
            "n": ["1", "-2", ""],
            "x": ["1.5", "1e3", ""],
            "d": ["2021-02-28", " 2020-02-29 ", ""],
            "b": ["true", "no", ""],
            "y": ["2016", "1999", ""],
        }
    )
    typed, problems = check_and_cast(raw, _TYPED_SCHEMA, "t.csv")
    assert problems == []
    assert typed.columns == ["n", "x", "d", "b", "y", "s"]  # schema order
    assert typed.schema == pl.Schema(
        {"n": pl.Int64, "x": pl.Float64, "d": pl.Date, "b": pl.Boolean, "y": pl.Int32, "s": pl.String}
    )
    assert typed["n"].to_list() == [1, -2, None]
    assert typed["x"].to_list() == [1.5, 1000.0, None]
    assert [str(v) for v in typed["d"].to_list()] == ["2021-02-28", "2020-02-29", "None"]
    assert typed["b"].to_list() == [True, False, None]
    assert typed["y"].to_list() == [2016, 1999, None]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("n", "1.5"),
        ("n", "two"),
        ("n", "1e3"),
        ("x", "1,5"),
        ("x", "nan"),
        ("x", "-inf"),
        ("d", "2021-02-30"),
        ("d", "2021-2-3"),
        ("d", "28/02/2021"),
        ("d", "2021-02-28T10:00"),
        ("b", "maybe"),
        ("y", "MMXVI"),
    ],
)
def test_check_and_cast_reports_a_value_of_the_wrong_type_at_its_row(column, value):
    good = {"n": "1", "x": "1.5", "d": "2021-02-28", "b": "true", "y": "2016", "s": "a"}
    raw = pl.DataFrame([good, {**good, column: value}, good])
    typed, problems = check_and_cast(raw, _TYPED_SCHEMA, "t.csv")
    assert [(p.file, p.row, p.column, p.value, p.rule, p.error) for p in problems] == [
        ("t.csv", 3, column, value, "type", "TypeViolation")
    ]
    assert typed[column][1] is None
    assert repr(value) in problems[0].message


def test_check_and_cast_does_not_change_its_input():
    raw = pl.DataFrame(
        {
            "n": ["1", "x"],
            "s": ["a", "b"],
            "d": ["2021-01-01", "no"],
            "x": ["1", "2"],
            "b": ["true", "false"],
            "y": ["2000", "2001"],
        }
    )
    before = raw.clone()
    check_and_cast(raw, _TYPED_SCHEMA, "t.csv")
    assert raw.equals(before)
    assert raw.schema == before.schema


def test_check_and_cast_checks_constraints():
    schema = {
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True, "pattern": "[a-z]+"}},
            {"name": "code", "type": "integer", "constraints": {"enum": [1, 2], "minimum": 0, "maximum": 5}},
            {"name": "word", "type": "string", "constraints": {"enum": ["yes", "no"], "minLength": 2}},
            {"name": "tag", "type": "string", "constraints": {"unique": True, "maxLength": 3}},
        ]
    }
    raw = pl.DataFrame(
        {
            "id": ["abc", "abc1", " "],
            "code": ["1", "7", "3"],
            "word": ["yes", "maybe", "no"],
            "tag": ["t1", "t1", "long"],
        }
    )
    _, problems = check_and_cast(raw, schema, "c.csv")
    found = {(p.row, p.column, p.rule) for p in problems}
    assert found == {
        (3, "id", "pattern"),  # the pattern is anchored: 'abc1' is not all letters
        (4, "id", "required"),  # spaces only count as empty
        (3, "code", "enum"),
        (3, "code", "maximum"),
        (4, "code", "enum"),
        (3, "word", "enum"),
        (2, "tag", "unique"),
        (3, "tag", "unique"),
        (4, "tag", "maxLength"),
    }


def test_the_primary_key_check_lists_every_row_of_a_repeated_id_and_ignores_empty_ids():
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "v", "type": "string"}], "primaryKey": ["id"]}
    raw = pl.DataFrame({"id": ["a", "b", "a", "", "", "c", "b"], "v": ["1"] * 7})
    _, problems = check_and_cast(raw, schema, "k.csv")
    assert [(p.row, p.value, p.rule, p.error) for p in problems] == [
        (2, "a", "primary_key", "UniqueViolation"),
        (3, "b", "primary_key", "UniqueViolation"),
        (4, "a", "primary_key", "UniqueViolation"),
        (8, "b", "primary_key", "UniqueViolation"),
    ]
    assert "'a' is used by more than one row" in problems[0].message


def test_a_composite_primary_key_is_checked_as_a_whole():
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}], "primaryKey": ["a", "b"]}
    raw = pl.DataFrame({"a": ["x", "x", "x"], "b": ["1", "2", "1"]})
    _, problems = check_and_cast(raw, schema, "k.csv")
    assert [p.row for p in problems] == [2, 4]


def test_rules_per_column_are_capped_with_a_summary_line():
    schema = {"fields": [{"name": "n", "type": "integer"}]}
    raw = pl.DataFrame({"n": ["x"] * 500})
    _, problems = check_and_cast(raw, schema, "big.csv")
    assert len(problems) == ROWS_PER_RULE + 1
    assert [p.row for p in problems[:ROWS_PER_RULE]] == list(range(2, 2 + ROWS_PER_RULE))
    assert problems[-1].row is None
    assert f"... and {500 - ROWS_PER_RULE} more" in problems[-1].message


# --- loading -------------------------------------------------------------------------------------


def test_load_returns_typed_frames(tmp_path):
    ds = _quiet_load(write_package(tmp_path / "typed"))
    assert set(ds.tables) == {"incidents", "sources", "accounts", "overrides"}
    incidents, accounts = ds.incidents.schema, ds.accounts.schema
    assert incidents["date_start"] == pl.Date and incidents["date_end"] == pl.Date
    assert incidents["date_precision"] == pl.Int64 and incidents["location_precision"] == pl.Int64
    assert incidents["latitude"] == pl.Float64 and incidents["longitude"] == pl.Float64
    assert incidents["aircraft_count"] == pl.Int64
    assert incidents["incident_id"] == pl.String
    # vocabulary columns are Enums of their words; they still compare with strings
    assert incidents["event_type"] == pl.Enum(EVENT_TYPES) and accounts["side"] == pl.Enum(SIDES)
    assert ds.accounts.filter(pl.col("side") == "official").height >= 1
    assert accounts["published_date"] == pl.Date and accounts["accessed_date"] == pl.Date
    assert accounts["crew_killed_best"] == pl.Int64 and accounts["injured_high"] == pl.Int64
    assert accounts["claimed_date"] == pl.String  # may hold 'unknown' or 'not_stated'
    assert ds.overrides.height == 0 and ds.overrides.schema["decided_on"] == pl.Date
    for resource in INCIDENT_RESOURCES:
        assert ds.table(resource.name).columns == list(resource.field_names)
    assert ds.incidents["latitude"].to_list() == [36.5, 34.45]
    assert ds.accounts["crew_killed_best"].to_list() == [None, 0, None]
    assert str(ds.incidents["date_start"][0]) == "2021-02-28"


def test_loading_changes_nothing_on_disk(tmp_path, capsys):
    folder = write_package(tmp_path / "readonly")
    before = _snapshot(folder)
    _quiet_load(folder)
    inspect(folder)
    assert main(["validate", str(folder)]) == 0
    capsys.readouterr()
    assert _snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["readonly"]


def test_load_does_not_change_the_frames_it_was_given_back(tmp_path):
    ds = _quiet_load(write_package(tmp_path / "twice"))
    again = _quiet_load(ds.folder)
    for name in ds.tables:
        assert ds.tables[name].equals(again.tables[name])


def test_a_valid_override_of_each_kind_loads(tmp_path):
    def overrides(tables):
        common = {"editor": "Desk", "decided_on": "2021-03-05", "reason": "Checked."}
        tables["overrides"] += [
            {
                "override_id": "ovr-1",
                "target_table": "incidents",
                "target_id": "inc-1",
                "field": "title",
                "value": "A new title",
                **common,
            },
            {
                "override_id": "ovr-2",
                "target_table": "accounts",
                "target_id": "acc-2",
                "field": "cause",
                "value": "accident",
                **common,
            },
            {
                "override_id": "ovr-3",
                "target_table": "grades",
                "target_id": "inc-2",
                "field": "grade",
                "value": "fair",
                **common,
            },
        ]

    ds = _quiet_load(write_package(tmp_path / "overrides", overrides))
    assert ds.overrides["target_table"].to_list() == ["incidents", "accounts", "grades"]


# --- caveats -------------------------------------------------------------------------------------


def test_an_incident_without_an_official_account_is_a_warning_not_an_error(tmp_path):
    folder = write_package(tmp_path / "unofficial")
    with pytest.warns(DataCaveatWarning, match=r"unofficial/incidents\.csv: no official account: 'inc-2'"):
        ds = ddj.load(folder)
    assert ds.incidents.height == 2
    assert [(c.rule, c.row, c.value) for c in ds.caveats if c.rule == "no_official_account"] == [
        ("no_official_account", 3, "inc-2")
    ]


def test_a_missing_precision_code_is_a_warning_not_an_error(tmp_path):
    folder = write_package(
        tmp_path / "imprecise", lambda t: t["incidents"][0].update(date_precision="", location_precision="")
    )
    with pytest.warns(DataCaveatWarning) as record:
        ds = ddj.load(folder)
    assert ds.incidents["date_precision"].to_list() == [None, 1]
    text = " ".join(str(w.message) for w in record)
    assert "imprecise/incidents.csv: missing precision: " in text
    assert "date_precision is missing" in text and "location_precision is missing" in text
    assert {(c.row, c.column) for c in ds.caveats if c.rule == "missing_precision"} == {
        (2, "date_precision"),
        (2, "location_precision"),
    }


def test_an_incident_without_accounts_and_without_coordinates_is_a_caveat(tmp_path):
    def lonely(tables):
        row = dict(
            BASE_TABLES["incidents"][1],
            incident_id="inc-3",
            related_incident_id="",
            relation="",
            latitude="",
            longitude="",
        )
        tables["incidents"].append(row)

    with pytest.warns(DataCaveatWarning) as record:
        ds = ddj.load(write_package(tmp_path / "lonely", lonely))
    rules = {(c.rule, c.row) for c in ds.caveats}
    assert ("no_account", 4) in rules and ("no_coordinates", 4) in rules
    assert any("'inc-3' has no account at all" in str(w.message) for w in record)


def test_warn_false_emits_no_caveat_warnings_but_keeps_the_caveats(tmp_path):
    folder = write_package(tmp_path / "silent")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ds = ddj.load(folder, warn=False)
    assert [w for w in record if issubclass(w.category, DataCaveatWarning)] == []
    assert any(c.rule == "no_official_account" for c in ds.caveats)


def test_caveats_are_not_listed_as_problems_by_validate(tmp_path, capsys):
    folder = write_package(tmp_path / "caveated")
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "caveated: valid" in out
    assert "warning: caveated/incidents.csv, row 3, column 'incident_id': 'inc-2' has no official account" in out
    assert "error:" not in out


# --- names ---------------------------------------------------------------------------------------


def test_resolve_an_unknown_name_names_the_shipped_datasets(tmp_path, monkeypatch):
    write_package(tmp_path / "alpha-set")
    write_package(tmp_path / "beta-set")
    (tmp_path / "not-a-package").mkdir()
    monkeypatch.setenv("DDJ_DATA_DIR", str(tmp_path))
    assert resolve("alpha-set") == tmp_path / "alpha-set"
    with pytest.raises(DatasetNotFoundError) as info:
        resolve("gamma-set")
    message = str(info.value)
    assert "'gamma-set'" in message
    assert "shipped: alpha-set, beta-set)" in message


def test_load_of_an_unknown_name_raises_dataset_not_found(tmp_path, monkeypatch):
    monkeypatch.setenv("DDJ_DATA_DIR", str(tmp_path))
    with pytest.raises(DatasetNotFoundError, match=r"shipped: none"):
        ddj.load("no-such-dataset")


def test_resolve_accepts_the_path_of_a_datapackage_json(tmp_path):
    folder = write_package(tmp_path / "by-file")
    assert resolve(folder / "datapackage.json") == folder


# --- incident rules on larger packages ----------------------------------------------------------


def _account(number: int, **values: str) -> dict[str, str]:
    return {**BASE_TABLES["accounts"][1], "account_id": f"acc-x{number}", "url": "", "accessed_date": "", **values}


def test_problems_of_a_large_package_are_capped_per_rule(tmp_path, capsys):
    def bad_rows(tables):
        tables["accounts"] += [
            _account(i, side="neither", cause="meteor", url="ftp://example.org/file") for i in range(500)
        ]

    folder = write_package(tmp_path / "large", bad_rows)
    with pytest.raises(ValidationError) as info:
        ddj.load(folder, warn=False)
    problems = info.value.problems
    per_rule = {rule: [p for p in problems if p.rule == rule] for rule in ("enum", "url")}
    assert len(per_rule["enum"]) == 2 * (ROWS_PER_RULE + 1)  # side and cause
    assert len(per_rule["url"]) == ROWS_PER_RULE + 1
    summaries = [p for p in problems if p.row is None]
    assert {(p.column, p.message) for p in summaries} == {
        (column, f"... and 480 more row(s) with the same problem ({rule})")
        for column, rule in (("side", "enum"), ("cause", "enum"), ("url", "url"))
    }
    assert len(problems) == 63
    message = str(info.value)
    assert "- ... and 13 more (run `ddj validate` to list them all)" in message
    assert len(message.splitlines()) == 1 + 50 + 1
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    errors = [line for line in out.splitlines() if line.startswith("  error: ")]
    assert len(errors) == 63
    assert "large/accounts.csv, column 'url': ... and 480 more row(s)" in out


def _superseding(tables, links: dict[str, str]) -> None:
    """Add accounts acc-4.. from src-local about inc-1 and set who supersedes whom."""
    accounts = tables["accounts"]
    for number in range(4, 4 + len(links)):
        accounts.append(dict(accounts[1], account_id=f"acc-{number}", url="", accessed_date=""))
    for row in accounts:
        if row["account_id"] in links:
            row["supersedes_account_id"] = links[row["account_id"]]


def test_the_validator_finds_a_supersession_cycle_of_three(tmp_path):
    # acc-2 -> acc-4 -> acc-5 -> acc-2 is a loop; acc-6 only points into it, acc-1 and acc-3 are outside it.
    links = {"acc-2": "acc-4", "acc-4": "acc-5", "acc-5": "acc-2", "acc-6": "acc-2"}
    folder = write_package(tmp_path / "loop", lambda t: _superseding(t, links))
    with pytest.raises(ConsistencyViolation) as info:
        ddj.load(folder, warn=False)
    found = [(p.file, p.row, p.column, p.value, p.rule) for p in info.value.problems]
    assert found == [
        ("loop/accounts.csv", 3, "supersedes_account_id", "acc-4", "supersede_cycle"),
        ("loop/accounts.csv", 5, "supersedes_account_id", "acc-5", "supersede_cycle"),
        ("loop/accounts.csv", 6, "supersedes_account_id", "acc-2", "supersede_cycle"),
    ]
    assert "loops back to this account" in str(info.value)


def test_a_long_chain_of_supersessions_without_a_loop_is_valid(tmp_path):
    links = {f"acc-{n}": f"acc-{n - 1}" for n in range(5, 45)} | {"acc-4": "acc-2"}
    ds = _quiet_load(write_package(tmp_path / "chain", lambda t: _superseding(t, links)))
    assert ds.accounts.height == 3 + 41
    assert ds.accounts.filter(pl.col("supersedes_account_id").is_not_null()).height == 41


def test_a_cell_of_the_wrong_type_gives_no_false_problems_from_other_rules(tmp_path):
    # A latitude that is not a number must not also read as "latitude without longitude", nor a
    # figure that is not a number as "a figure claimed but none given".
    def mistyped(tables):
        tables["incidents"][0]["latitude"] = "36,5"
        tables["accounts"][2].update(crew_killed_claim="figure", crew_killed_best="three")

    with pytest.raises(ValidationError) as info:
        ddj.load(write_package(tmp_path / "mistyped", mistyped), warn=False)
    found = {(p.file, p.row, p.column, p.rule) for p in info.value.problems}
    assert found == {
        ("mistyped/incidents.csv", 2, "latitude", "type"),
        ("mistyped/accounts.csv", 4, "crew_killed_best", "type"),
    }


def test_a_claimed_date_of_another_form_is_one_pattern_problem(tmp_path):
    folder = write_package(tmp_path / "claimed", lambda t: t["accounts"][0].update(claimed_date="Feb 2021"))
    with pytest.raises(ValidationError) as info:
        ddj.load(folder, warn=False)
    assert [(p.row, p.column, p.rule) for p in info.value.problems] == [(2, "claimed_date", "pattern")]


def test_an_enum_problem_lists_the_value_and_the_fix(tmp_path):
    folder = write_package(tmp_path / "words", lambda t: t["accounts"][2].update(side="Unofficial"))
    with pytest.raises(EnumViolation) as info:
        ddj.load(folder, warn=False)
    (problem,) = info.value.problems
    assert problem.value == "Unofficial"
    assert str(problem) == (
        "words/accounts.csv, row 4, column 'side': 'Unofficial' is not one of the allowed values. "
        "To fix: write official or unofficial"
    )
    # An inspection still shows the word in its table: a column with a word off the vocabulary stays text,
    # while the other vocabulary columns become Enums.
    tables = inspect(folder).tables
    assert tables["accounts"].schema["side"] == pl.String and tables["accounts"]["side"][2] == "Unofficial"
    assert tables["accounts"].schema["cause"] == pl.Enum(CAUSES)


# --- writing a table with the model's types (ddj.datasets.storage) -----------------------------------------------


def test_with_model_dtypes_types_what_it_safely_can():
    from ddj.datasets.storage import model_dtypes, with_model_dtypes

    frame = pl.DataFrame(
        {"kind": ["monitor_ngo", None], "source_id": ["s1", "s2"], "name": ["A", "B"]},
    )
    typed = with_model_dtypes(frame, "sources")
    assert typed.columns == list(model_dtypes("sources"))  # the schema's order, missing columns added empty
    assert typed.schema == pl.Schema(model_dtypes("sources"))
    assert typed["kind"].cast(pl.String).to_list() == ["monitor_ngo", None]
    assert frame.columns == ["kind", "source_id", "name"]  # the input is not changed


def test_with_model_dtypes_leaves_an_off_vocabulary_column_as_text_for_validation_to_name(tmp_path):
    from ddj.datasets.storage import with_model_dtypes, write_table
    from ddj.errors import ValidationError
    from ddj.synth import synthetic_tables, write_synthetic

    accounts = synthetic_tables(20, seed=3)["accounts"]
    bad = accounts.with_columns(
        pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("rumoured")).otherwise(pl.col("side")).alias("side")
    )
    assert with_model_dtypes(bad, "accounts").schema["side"] == pl.String
    assert isinstance(with_model_dtypes(accounts, "accounts").schema["side"], pl.Enum)
    folder = write_synthetic(tmp_path / "bad", incidents=20, seed=3)
    write_table(bad, folder / "accounts.parquet", "accounts")
    with pytest.raises(ValidationError, match=r"accounts\.parquet, row 6, column 'side'"):
        ddj.load(folder, warn=False, revalidate=True)


@pytest.mark.parametrize(
    ("frame", "path", "message"),
    [
        (pl.DataFrame({"source_id": ["s1"], "colour": ["red"]}), "sources.parquet", "does not know: colour"),
        (pl.DataFrame({"source_id": ["s1"]}), "sources.xlsx", r"as \.parquet or \.csv"),
        (pl.DataFrame({"source_id": ["s1"]}), "sources.parquet", None),
    ],
)
def test_write_table_refuses_unknown_columns_and_formats(tmp_path, frame, path, message):
    from ddj.datasets.storage import write_table
    from ddj.errors import UsageError

    if message is None:
        written = write_table(frame, tmp_path / path, "sources")
        assert pl.read_parquet(written)["source_id"].to_list() == ["s1"]
        return
    with pytest.raises(UsageError, match=message):
        write_table(frame, tmp_path / path, "sources")
    assert not (tmp_path / path).exists()


@pytest.mark.parametrize("frame", [pl.DataFrame(), pl.DataFrame({"source_id": []}, schema={"source_id": pl.String})])
@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_write_table_of_an_empty_frame_writes_no_rows(tmp_path, frame, suffix):
    from ddj.datasets.storage import model_dtypes, write_table

    written = write_table(frame, tmp_path / f"sources.{suffix}", "sources")
    read = pl.read_csv(written) if suffix == "csv" else pl.read_parquet(written)
    assert read.height == 0  # not one row of empty cells
    assert read.columns == list(model_dtypes("sources"))


def test_write_table_writes_a_tally_table_as_csv_in_schema_order_with_iso_dates(tmp_path):
    import datetime as dt

    from ddj.datasets.storage import write_table

    series = pl.DataFrame(
        {"value": [335], "category": ["tank"], "date": [dt.date(2022, 3, 1)], "day": [6], "source_row": [2]}
    )
    written = write_table(series, tmp_path / "official_series.csv", "official_series", kind="tally")
    text = written.read_bytes().decode("utf-8")
    assert text == "date,day,category,value,source_row\n2022-03-01,6,tank,335,2\n"
