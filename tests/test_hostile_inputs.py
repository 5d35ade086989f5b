"""Hostile and huge inputs (issue 21): no "This is a bug", nothing unsafe passed on, clear messages.

The small broken packages are in the bad-input corpus (written by ``tests/fixtures/bad/make_corpus.py``);
this file holds the cases too large to commit (built here in ``tmp_path``), the inputs that are
accepted with a caveat, the command-line outputs (terminal escapes, CSV formulas, ``--out`` paths)
and a property test feeding random bytes and random JSON shapes to the loader.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ddj
from ddj.cli import main
from ddj.datasets import inspect
from ddj.datasets import memory as ddj_memory
from ddj.errors import (
    DatasetTooLargeError,
    DDJError,
    HeaderError,
    PackageError,
    RaggedRowError,
    TextViolation,
)
from ddj.html import csv_cell, terminal_safe
from tests.fixtures.bad.make_corpus import corpus
from tests.fixtures.minimal import write_package

CORPUS = corpus()  # the bad-input corpus, written for the test run from the model


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    for text in (out, err):
        assert "Traceback" not in text
        assert "This is a bug" not in text
        assert "internal error" not in text
    return code, out, err


def _rewrite_csv(path: Path, edit) -> None:
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(edit(records))
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


# --- too large to commit: built here -----------------------------------------------------------------


def test_a_million_column_header_gets_a_short_message(tmp_path, capsys):
    folder = write_package(tmp_path / "wide")
    sources = folder / "sources.csv"
    header = sources.read_bytes().split(b"\r\n")[0]
    sources.write_bytes(header + b"".join(b",extra_%d" % i for i in range(1_000_000)) + b"\r\n")
    with pytest.raises(HeaderError) as info:
        ddj.load(folder, warn=False)
    message = str(info.value)
    assert len(message) < 2_000, len(message)
    assert "wide/sources.csv, row 1 (1,000,005 columns)" in message
    assert "'extra_0'" in message and "and 999,990 more" in message
    assert info.value.file == "wide/sources.csv" and info.value.row == 1 and info.value.column == "extra_0"
    code, out, _ = _cli(capsys, "validate", str(folder))
    assert code == 1 and "wide/sources.csv, row 1" in out and len(out) < 5_000


def test_a_million_cell_row_gets_a_short_message(tmp_path):
    folder = write_package(tmp_path / "ragged")
    sources = folder / "sources.csv"
    lines = sources.read_bytes().split(b"\r\n")
    lines[1] += b"," * 1_000_000
    sources.write_bytes(b"\r\n".join(lines))
    with pytest.raises(RaggedRowError) as info:
        ddj.load(folder, warn=False)
    assert "ragged/sources.csv, row 2: has 1,000,005 cells, more than the 5 columns" in str(info.value)
    assert len(str(info.value)) < 500


def test_the_128_kib_cell_limit_is_named_as_such():
    with pytest.raises(RaggedRowError) as info:
        ddj.load(CORPUS / "cell-over-128-kib", warn=False)
    message = str(info.value)
    assert "cell-over-128-kib/incidents.csv, row 3: a cell is longer than 131,072 characters (128 KiB)" in message
    assert "quote was opened and never closed" in message


def test_deep_json_is_refused_before_parsing():
    with pytest.raises(PackageError) as info:
        ddj.load(CORPUS / "descriptor-nested-deep", warn=False)
    assert "nests arrays and objects 100,000 deep (at most 64)" in str(info.value)
    assert "descriptor-nested-deep/datapackage.json" in str(info.value)


@pytest.mark.parametrize(
    ("case", "says"),
    [
        (
            "descriptor-resource-name-list",
            "key 'resources[0].name' is a list ([\"incidents\"]). Write the resource's name as one piece of text",
        ),
        (
            "descriptor-ddj-string",
            'key \'ddj\' is text ("incidents"), not an object. Write it as an object: "ddj": {"kind": "incidents"}',
        ),
        ("descriptor-fields-string", "key 'resources[0].schema.fields' (resource 'incidents') is text"),
        (
            "descriptor-fields-integers",
            "key 'resources[1].schema.fields[0]' (resource 'sources') is a number (1), not an object",
        ),
        ("descriptor-field-without-name", "key 'resources[2].schema.fields[3].name' (resource 'accounts') is missing"),
        ("descriptor-top-level-list", "the top level is a list"),
    ],
)
def test_descriptor_shapes_name_the_key_and_what_to_write(case, says):
    with pytest.raises(PackageError) as info:
        ddj.load(CORPUS / case, warn=False)
    assert f"{case}/datapackage.json: " in str(info.value)
    assert says in str(info.value)


def test_cr_only_line_ends_are_named():
    with pytest.raises(ddj.errors.LineEndError) as info:
        ddj.load(CORPUS / "line-ends-cr-only", warn=False)
    assert "carriage return alone (the old Mac OS line end)" in str(info.value)
    assert info.value.file == "line-ends-cr-only/accounts.csv" and info.value.row == 1


def test_a_lone_carriage_return_inside_quotes_is_part_of_the_cell(tmp_path):
    folder = write_package(tmp_path / "quoted", lambda t: t["incidents"][0].update(summary="one\rtwo"))
    assert b'"one\rtwo"' in (folder / "incidents.csv").read_bytes()
    ds = ddj.load(folder, warn=False)
    assert ds.incidents["summary"][0] == "one\rtwo"


def test_a_lone_carriage_return_between_rows_is_refused(tmp_path):
    folder = write_package(tmp_path / "mixed")
    accounts = folder / "accounts.csv"
    data = accounts.read_bytes()
    first = data.index(b"\r\n", data.index(b"\r\n") + 2)  # the end of row 2
    accounts.write_bytes(data[:first] + b"\r" + data[first + 2 :])
    with pytest.raises(DDJError) as info:
        ddj.load(folder, warn=False)
    assert "carriage return alone" in str(info.value) or "cells" in str(info.value)


# --- accepted, with a caveat; refused, naming the row ------------------------------------------------


def test_bidi_controls_are_a_caveat_naming_the_row_and_shown_escaped(tmp_path, capsys):
    folder = write_package(tmp_path / "bidi", lambda t: t["incidents"][0].update(title="Heli\u202ecopter"))
    result = inspect(folder)
    assert result.ok
    found = [c for c in result.caveats if c.rule == "bidi_control"]
    assert [(c.file, c.row, c.column) for c in found] == [("bidi/incidents.csv", 2, "title")]
    code, out, _ = _cli(capsys, "validate", str(folder))
    assert code == 0
    assert "\u202e" not in out
    assert "bidi/incidents.csv, row 2, column 'title': 'Heli\\u202ecopter' holds an invisible" in out


def test_nul_in_text_is_refused_naming_the_row():
    with pytest.raises(TextViolation) as info:
        ddj.load(CORPUS / "text-nul", warn=False)
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [("text-nul/incidents.csv", 2, "title")]
    assert "'Helicopter\\x00 lands' holds a control character" in str(info.value)


@pytest.mark.parametrize("date", ["9999-12-31", "2999-01-01"])
def test_far_future_dates_are_a_caveat(tmp_path, date):
    folder = write_package(tmp_path / "future", lambda t: t["incidents"][1].update(date_end=date))
    result = inspect(folder)
    assert result.ok
    found = [c for c in result.caveats if c.rule == "future_date"]
    assert [(c.row, c.column, c.value) for c in found] == [(3, "date_end", date)]
    assert "is later than today" in found[0].message


def test_https_in_capitals_is_a_link(tmp_path):
    folder = write_package(tmp_path / "caps", lambda t: t["accounts"][0].update(url="HTTPS://Example.org/Report"))
    assert inspect(folder).ok
    assert ddj.html.safe_url("HTTPS://Example.org/Report") == "HTTPS://Example.org/Report"


def test_credentials_in_a_link_are_refused_and_not_repeated():
    with pytest.raises(ddj.errors.UrlViolation) as info:
        ddj.load(CORPUS / "url-credentials", warn=False)
    assert "url-credentials/accounts.csv, row 2, column 'url'" in str(info.value)
    assert "hunter2" not in str(info.value)
    assert ddj.html.safe_url("https://editor:hunter2@example.org/") is None


def test_counts_beyond_32_bits_are_refused_before_the_comparison(tmp_path, capsys):
    with pytest.raises(ddj.errors.RangeViolation) as info:
        ddj.load(CORPUS / "count-above-int32", warn=False)
    assert "'2147483648' is above 2,147,483,647, the largest count ddj can compare" in str(info.value)
    ok = write_package(
        tmp_path / "edge",
        lambda t: t["accounts"][0].update(crew_killed_claim="figure", crew_killed_best=str(2**31 - 1)),
    )
    code, out, _ = _cli(capsys, "compare", str(ok))
    assert code == 0 and "2147483647" in out


# --- terminal escapes ----------------------------------------------------------------------------------


def test_terminal_safe_escapes_controls_and_bidi_but_keeps_lines():
    assert terminal_safe("\x1b[31mred\x1b[0m\ttab\nline") == "\\u001b[31mred\\u001b[0m\ttab\nline"
    assert terminal_safe("a\rb\x9bc\u202ed\u2066e") == "a\\u000db\\u009bc\\u202ed\\u2066e"
    assert terminal_safe("one\ntwo", newlines=False) == "one\\u000atwo"
    assert json.loads(terminal_safe(json.dumps({"k": "\u202e\x85"}, ensure_ascii=False))) == {"k": "\u202e\x85"}


def test_an_escape_sequence_in_the_package_name_cannot_fake_valid(tmp_path, capsys):
    fake = "\x1b[2K\rsyria-ru-aviation: valid\x1b[8m"

    def hostile(tables):
        tables["incidents"][0]["date_precision"] = "9"  # invalid

    folder = write_package(tmp_path / "ansi", hostile)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["name"] = fake
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    code, out, _ = _cli(capsys, "validate", str(folder))
    assert code == 1
    assert "\x1b" not in out and "\r" not in out
    first = out.splitlines()[0]
    assert first.startswith("\\u001b[2K\\u000dsyria-ru-aviation: valid\\u001b[8m: INVALID")
    code, out, _ = _cli(capsys, "validate", str(folder), "--json")
    assert "\x1b" not in out and json.loads(out)[0]["dataset"] == fake


def _claim_package(tmp_path, aircraft: str) -> Path:
    def edit(tables):
        for account in tables["accounts"]:
            account["claimed_aircraft"] = aircraft

    return write_package(tmp_path / "claims", edit)


def test_compare_text_output_shows_claim_values_escaped(tmp_path, capsys):
    folder = _claim_package(tmp_path, "Mi-8\u202e\u2066AMTSh")
    code, out, _ = _cli(capsys, "compare", str(folder))
    assert code == 0
    assert "\u202e" not in out and "\u2066" not in out
    assert "Mi-8\\u202e\\u2066AMTSh" in out


def test_error_messages_quoting_data_are_escaped(tmp_path, capsys):
    folder = write_package(tmp_path / "msg", lambda t: t["accounts"][0].update(side="\u202eofficial"))
    code, _, err = _cli(capsys, "compare", str(folder))
    assert code == 2 and "\u202e" not in err and "\\u202e" in err


# --- passed on unsafely: CSV formulas, output paths, synth over a package ------------------------------


def test_compare_csv_neutralises_formulas(tmp_path, capsys):
    folder = _claim_package(tmp_path, '=HYPERLINK("http://evil.example","Mi-8")')
    out = tmp_path / "x.csv"
    code, _, _ = _cli(capsys, "compare", str(folder), "--out", str(out))
    assert code == 0
    table = pl.read_csv(out, infer_schema=False)
    cells = [v for column in table.columns for v in table[column].drop_nulls().to_list()]
    assert any(v.startswith("'=HYPERLINK") for v in cells)
    assert not any(v.startswith(("=", "+", "@")) for v in cells)
    assert not any(v.startswith("-") and not re.fullmatch(r"-\d+(\.\d+)?", v) for v in cells)
    assert csv_cell("-1 helicopter") == "'-1 helicopter" and csv_cell(-1) == -1 and csv_cell("Mi-8") == "Mi-8"


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("/nonexistent-ddj-dir/sub/x.csv", "the folder '/nonexistent-ddj-dir/sub' does not exist"),
        ("/proc/x.csv", "cannot write"),
    ],
)
def test_compare_out_creates_no_folders_and_says_why_it_cannot_write(capsys, target, says):
    code, _, err = _cli(capsys, "compare", "syria-ru-aviation", "--out", target)
    assert code == 2
    assert says in err
    assert not Path("/nonexistent-ddj-dir").exists()


def test_compare_out_under_a_file_or_onto_a_folder(tmp_path, capsys):
    afile = tmp_path / "afile.csv"
    afile.write_text("x", encoding="utf-8")
    code, _, err = _cli(capsys, "compare", "syria-ru-aviation", "--out", str(afile / "x.csv"))
    assert code == 2 and "is a file, not a folder" in err
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    code, _, err = _cli(capsys, "compare", "syria-ru-aviation", "--out", str(folder))
    assert code == 2 and "is a folder" in err


def test_synth_refuses_to_write_over_a_package_without_force(tmp_path, capsys):
    out = tmp_path / "pkg"
    assert _cli(capsys, "synth", "--incidents", "3", "--out", str(out), "--format", "csv")[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "datapackage.json").write_text('{"name": "mine"}', encoding="utf-8")
    code, _, err = _cli(capsys, "synth", "--incidents", "5", "--out", str(out), "--format", "csv")
    assert code == 2 and "already holds a package" in err and "--force" in err
    assert (out / "datapackage.json").read_text(encoding="utf-8") == '{"name": "mine"}'
    code, _, _ = _cli(capsys, "synth", "--incidents", "3", "--out", str(out), "--format", "csv", "--force")
    assert code == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the same seed writes the same bytes
    code, _, err = _cli(capsys, "synth", "--incidents", "3", "--out", str(out / "incidents.csv"))
    assert code == 2 and "is a file, not a folder" in err


# --- size --------------------------------------------------------------------------------------------


def test_a_dataset_too_large_for_memory_is_refused_before_reading(tmp_path, monkeypatch, capsys):
    folder = write_package(tmp_path / "big")
    monkeypatch.setattr(ddj_memory, "SMALL", 0)
    monkeypatch.setenv(ddj_memory.ENV, "1K")
    with pytest.raises(DatasetTooLargeError) as info:
        inspect(folder)
    message = str(info.value)
    assert str(folder) in message and "needs about" in message and "available" in message
    assert "`ddj validate` needs less" in message
    code, out, _ = _cli(capsys, "validate", str(folder))
    assert code == 1 and "needs about" in out  # validate lists it as the dataset's problem
    monkeypatch.setenv(ddj_memory.ENV, "0")
    assert inspect(folder).ok
    monkeypatch.setenv(ddj_memory.ENV, "lots")
    with pytest.raises(DatasetTooLargeError, match="is not a size"):
        inspect(folder)


def test_running_out_of_memory_is_a_clear_message_not_a_bug(monkeypatch, capsys):
    import ddj.datasets

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(ddj.datasets, "validate_once", exhausted)  # what `ddj validate` calls
    code, _, err = _cli(capsys, "validate", "syria-ru-aviation")
    assert code == 2 and "out of memory" in err and "How large a dataset" in err


def test_available_memory_is_known_here():
    assert ddj_memory.available_memory() is None or ddj_memory.available_memory() > 0


@pytest.mark.parametrize("case", [*sorted(p.name for p in CORPUS.iterdir() if p.is_dir()), "syria-ru-aviation"])
def test_validating_without_free_text_finds_what_a_full_inspection_finds(case):
    target = case if case == "syria-ru-aviation" else CORPUS / case
    try:
        full = inspect(target)
    except DDJError as err:
        with pytest.raises(type(err)):
            inspect(target, keep_text=False)
        return
    lean = inspect(target, keep_text=False)
    assert lean.messages() == full.messages()
    assert [str(c) for c in lean.caveats] == [str(c) for c in full.caveats]
    assert {t: f.height for t, f in lean.tables.items()} == {t: f.height for t, f in full.tables.items()}


# --- property: random bytes and random JSON shapes -----------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _paths(value, prefix=()):
    """Every place in a JSON value: tuples of keys and indexes."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _replace(value, path, new):
    if not path:
        return new
    value[path[0]] = _replace(value[path[0]], path[1:], new)
    return value


@pytest.fixture(scope="module")
def base_package(tmp_path_factory):
    return write_package(tmp_path_factory.mktemp("property") / "prop")


def _load_fails_cleanly(folder: Path) -> None:
    try:
        ddj.load(folder, warn=False)
    except DDJError as err:
        assert str(err).strip(), f"{type(err).__name__} without a message"
    # anything else propagates and fails the test


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_json_shapes_in_the_descriptor_fail_as_ddj_errors(base_package, data):
    descriptor = json.loads((base_package / "datapackage.json").read_text(encoding="utf-8"))
    places = sorted(_paths(descriptor), key=lambda p: (len(p), [str(k) for k in p]))
    edited = copy.deepcopy(descriptor)
    for _ in range(data.draw(st.integers(1, 3))):
        place = data.draw(st.sampled_from(places))
        try:
            edited = _replace(edited, place, data.draw(JSON))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this place
    (base_package / "datapackage.json").write_text(json.dumps(edited), encoding="utf-8")
    try:
        _load_fails_cleanly(base_package)
    finally:
        (base_package / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=600), which=st.sampled_from(["datapackage.json", "accounts.csv", "sources.csv"]))
def test_random_bytes_in_any_file_fail_as_ddj_errors(base_package, blob, which):
    target = base_package / which
    before = target.read_bytes()
    target.write_bytes(blob)
    try:
        _load_fails_cleanly(base_package)
    finally:
        target.write_bytes(before)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 10_000), insert=st.binary(min_size=1, max_size=8))
def test_bytes_spliced_into_a_csv_fail_as_ddj_errors(base_package, cut, insert):
    target = base_package / "accounts.csv"
    before = target.read_bytes()
    at = cut % (len(before) + 1)
    target.write_bytes(before[:at] + insert + before[at:])
    try:
        _load_fails_cleanly(base_package)
    finally:
        target.write_bytes(before)


def test_the_property_base_package_is_valid(base_package):
    assert inspect(base_package).ok


def test_the_cell_limit_holds_after_a_library_raises_pythons_csv_limit():
    """Importing frictionless raises the csv module's limit for the whole process; ddj's check keeps its own."""
    import csv

    import frictionless  # noqa: F401  (its import is what raises the limit)

    before = csv.field_size_limit(10**9)  # whatever another library set
    try:
        with pytest.raises(RaggedRowError) as info:
            ddj.load(CORPUS / "cell-over-128-kib", warn=False, revalidate=True)
        assert "longer than 131,072 characters" in str(info.value)
        assert csv.field_size_limit() == 10**9  # and the process's setting is left as it was
    finally:
        csv.field_size_limit(before)
