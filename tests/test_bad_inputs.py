"""The corpus of bad inputs: every broken package fails with the right error, naming file, row and column.

The corpus is written for the test run by ``tests/fixtures/bad/make_corpus.py``, one package per case,
from the minimal valid package (so from the model); ``cases.json`` says what each case must raise and where.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import ddj
import ddj.errors
from ddj.cli import main
from ddj.datasets import inspect
from ddj.errors import DDJError, PackageError, ResourceFileError, ValidationError
from ddj.model import resource_model
from tests.fixtures.bad.make_corpus import build, corpus
from tests.fixtures.minimal import write_package

CORPUS = corpus()
CASES: list[dict] = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))


def _row_named(text: str, row: int) -> bool:
    return re.search(rf"\brow {row}\b", text) is not None


def _assert_names_location(text: str, case: dict) -> None:
    """``text`` names the case's folder and file, its row and its column."""
    assert case["name"] in text, f"the message does not name the package folder {case['name']!r}"
    assert case["file"] in text, f"the message does not name the file {case['file']!r}"
    if case["row"] is not None:
        assert _row_named(text, case["row"]), f"the message does not name row {case['row']}"
    if case["column"] is not None:
        assert case["column"] in text, f"the message does not name the column {case['column']!r}"


def _load_error(folder: Path) -> DDJError:
    with pytest.raises(DDJError) as info:
        ddj.load(folder, warn=False)
    return info.value


def test_the_corpus_is_large_and_covers_every_error_class():
    names = [case["name"] for case in CASES]
    assert len(CASES) >= 45
    assert len(set(names)) == len(names)
    raised = {case["error"] for case in CASES}
    every_class = {
        "TypeViolation",
        "RequiredViolation",
        "EnumViolation",
        "PatternViolation",
        "RangeViolation",
        "UniqueViolation",
        "ForeignKeyViolation",
        "DateOrderViolation",
        "CountRangeViolation",
        "UrlViolation",
        "ConsistencyViolation",
        "EmptyTableError",
        "PackageError",
        "ResourceFileError",
        "MissingFileError",
        "EmptyFileError",
        "EncodingError",
        "DelimiterError",
        "RaggedRowError",
        "HeaderError",
        "LineEndError",
        "TextViolation",
    }
    assert every_class <= raised, f"no case raises {sorted(every_class - raised)}"
    for case in CASES:
        assert (CORPUS / case["name"]).is_dir(), f"case {case['name']} has no folder"
        assert isinstance(getattr(ddj.errors, case["error"]), type)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_load_raises_the_case_error_naming_file_row_and_column(case):
    err = _load_error(CORPUS / case["name"])
    expected = getattr(ddj.errors, case["error"])
    assert type(err) is expected, f"{case['name']}: {type(err).__name__}, not {case['error']}: {err}"
    _assert_names_location(str(err), case)
    if isinstance(err, ValidationError):
        assert f"{case['name']}/{case['file']}" in str(err)
        if case["column"] is not None:
            assert f"column {case['column']!r}" in str(err)
        located = [(p.file, p.row, p.column) for p in err.problems]
        assert (f"{case['name']}/{case['file']}", case["row"], case["column"]) in located
        assert all(p.error == case["error"] for p in err.problems)
    elif isinstance(err, ResourceFileError):
        assert err.file == f"{case['name']}/{case['file']}"
        assert err.row == case["row"]
        assert err.column == case["column"]
    else:
        assert isinstance(err, PackageError)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_cli_validate_fails_and_prints_the_location(case, capsys):
    code = main(["validate", str(CORPUS / case["name"])])
    out, err = capsys.readouterr()
    assert code == 1  # the data is invalid (2 is for a command that could not run)
    assert "Traceback" not in out + err
    assert "internal error" not in out + err
    assert "This is a bug" not in out + err
    assert "\x1b" not in out + err  # an escape sequence from the data never reaches the terminal
    assert "INVALID" in out
    problem_lines = [line for line in out.splitlines() if line.startswith("  error: ")]
    assert problem_lines
    _assert_names_location(out, case)


def test_every_rule_of_the_validator_is_exercised_by_some_case():
    found: set[str] = set()
    for case in CASES:
        err = _load_error(CORPUS / case["name"])
        if isinstance(err, ValidationError):
            found |= {p.rule for p in err.problems}
    rules = {
        "required",
        "type",
        "enum",
        "pattern",
        "minimum",
        "maximum",
        "primary_key",
        "foreign_key",
        "date_order",
        "count_order",
        "count_claim",
        "url",
        "self_reference",
        "relation_without_related",
        "related_without_relation",
        "coordinates_pair",
        "supersede_source",
        "supersede_incident",
        "supersede_order",
        "supersede_cycle",
        "override_field",
        "date",
        "empty_table",
    }
    assert rules <= found, f"no case breaks {sorted(rules - found)}"


def _many_problems(tables: dict) -> None:
    incidents, accounts = tables["incidents"], tables["accounts"]
    incidents[0]["date_end"] = "2021-02-01"  # row 2: ends before it starts
    incidents[1]["event_type"] = "bombing"  # row 3: not an event type
    accounts[0]["side"] = "government"  # row 2: not a side
    accounts[1]["url"] = "javascript:alert(1)"  # row 3: not an http link
    accounts[2]["source_id"] = "src-nowhere"  # row 4: unknown source
    accounts[2]["crew_killed_claim"] = "figure"  # row 4: a figure claimed, none given
    tables["overrides"].append(
        {
            "override_id": "ovr-1",
            "target_table": "grades",
            "target_id": "inc-1",
            "field": "grade",
            "value": "superb",
            "editor": "Desk",
            "decided_on": "2021-03-05",
            "reason": "Checked.",
        }
    )  # row 2: not a grade


def test_validate_lists_every_problem_not_only_the_first(tmp_path, capsys):
    folder = write_package(tmp_path / "many", _many_problems)
    expected = [
        ("incidents.csv", 2, "date_end"),
        ("incidents.csv", 3, "event_type"),
        ("accounts.csv", 2, "side"),
        ("accounts.csv", 3, "url"),
        ("accounts.csv", 4, "source_id"),
        ("accounts.csv", 4, "crew_killed_claim"),
        ("overrides.csv", 2, "value"),
    ]
    code = main(["validate", str(folder)])
    out = capsys.readouterr().out
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("  error: ")]
    assert len(lines) == len(expected)
    for file, row, column in expected:
        assert any(f"many/{file}, row {row}, column {column!r}" in line for line in lines), (file, row, column)
    err = _load_error(folder)
    assert type(err) is ValidationError  # several kinds of problem: the general class
    assert {(p.file, p.row, p.column) for p in err.problems} == {(f"many/{f}", r, c) for f, r, c in expected}


def test_validate_lists_every_unreadable_file_and_the_problems_of_the_readable_ones(tmp_path, capsys):
    folder = write_package(tmp_path / "broken", lambda t: t["incidents"][0].update(date_precision="9"))
    accounts = folder / "accounts.csv"
    lines = accounts.read_bytes().split(b"\r\n")
    lines[2] += b",stray"
    accounts.write_bytes(b"\r\n".join(lines))
    sources = folder / "sources.csv"
    sources.write_bytes(sources.read_bytes().replace(b",", b";"))
    code = main(["validate", str(folder)])
    out = capsys.readouterr().out
    assert code == 1
    assert "broken/accounts.csv, row 3:" in out
    assert "broken/sources.csv, row 1: the columns are separated by ';'" in out
    assert "broken/incidents.csv, row 2, column 'date_precision'" in out
    assert len([line for line in out.splitlines() if line.startswith("  error: ")]) == 3


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_corpus_is_the_same_every_time_it_is_written(tmp_path):
    entries = build(tmp_path / "again")
    assert entries == CASES
    assert _files(tmp_path / "again") == _files(CORPUS)


def test_the_corpus_schemas_follow_the_model():
    descriptor = json.loads((CORPUS / "enum-side" / "datapackage.json").read_text(encoding="utf-8"))
    accounts = next(r for r in descriptor["resources"] if r["name"] == "accounts")
    assert [f["name"] for f in accounts["schema"]["fields"]] == list(resource_model("accounts").field_names)
    header = (CORPUS / "enum-side" / "accounts.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(resource_model("accounts").field_names)


def test_inspect_of_a_bad_case_leaves_the_corpus_unchanged():
    folder = CORPUS / "enum-side"
    before = _files(folder)
    result = inspect(folder)
    assert not result.ok
    assert _files(folder) == before
