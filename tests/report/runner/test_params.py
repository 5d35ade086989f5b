"""Reading a notebook's parameters cell and checking values against it, before any kernel starts."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ddj.errors import NotebookError, ParameterError
from ddj.report.runner.params import check_values, parse_cli_value, parse_parameters, read_parameters
from tests.fixtures.minimal import write_package
from tests.paths import ROOT, TESTS

NOTEBOOKS = TESTS / "notebooks"
CELL = """\
dataset: str = "syria-ru-aviation"  # the dataset [dataset: incidents]
incident_id: str = "syr-2016-08-01-mi8amtsh"  # the incident [from: incidents.incident_id]
top: int = 10  # rows to show [range: 1..50]
share: float = 0.5  # a share [range: 0..1]
colour: str = "red"  # the highlight [choices: red, blue]
since: str | None = None  # first day [date]
names = ["a", "b"]  # who, typed by the default
verbose: bool = False  # say more
"""


@pytest.fixture(scope="module")
def spec():
    return parse_parameters(CELL, notebook="demo.ipynb")


def test_types_defaults_comments_and_constraints_are_read(spec):
    assert spec.names == ["dataset", "incident_id", "top", "share", "colour", "since", "names", "verbose"]
    assert spec["top"].type == "int" and spec["top"].default == 10 and spec["top"].comment == "rows to show"
    assert (spec["top"].minimum, spec["top"].maximum) == (1, 50)
    assert spec["since"].type_text == "str | None" and spec["since"].is_date
    assert spec["names"].type == "list[str]"
    assert spec["colour"].choices == ("red", "blue")
    assert spec["dataset"].is_dataset and spec["dataset"].dataset_kind == "incidents"
    assert spec["incident_id"].column == ("incidents", "incident_id")
    assert spec.dataset_parameter == "dataset"


def test_defaults_pass_and_fill_every_parameter(spec):
    values = check_values(spec, {})
    assert values["top"] == 10 and values["since"] is None and values["dataset"] == "syria-ru-aviation"


def test_every_problem_is_reported_at_once_naming_report_and_parameters(spec):
    with pytest.raises(ParameterError) as caught:
        check_values(spec, {"top": "ten", "colour": "green", "since": "1 May", "limit": 3, "share": 2}, report="r1")
    err = caught.value
    text = str(err)
    assert err.report == "r1"
    assert text.startswith("report 'r1': 5 parameter problems")
    assert "unknown parameter 'limit'" in text
    assert "parameter 'top': 'ten' is not a whole number (int)" in text
    assert "'green' is not one of the choices: 'red', 'blue'" in text
    assert "'1 May' is not a date written as YYYY-MM-DD" in text
    assert "parameter 'share': 2.0 is above the maximum 1" in text


def test_unknown_name_suggests_the_close_one(spec):
    with pytest.raises(ParameterError, match="did you mean 'incident_id'"):
        check_values(spec, {"incident": "x"})


def test_strict_types_but_ints_for_floats_and_dates_from_toml(spec):
    values = check_values(spec, {"share": 1, "since": dt.date(2016, 8, 1)})
    assert values["share"] == 1.0 and isinstance(values["share"], float)
    assert values["since"] == "2016-08-01"
    with pytest.raises(ParameterError, match="'top': True is not a whole number"):
        check_values(spec, {"top": True})
    with pytest.raises(
        ParameterError, match=r"'names': has an item 3 that is not text|'names': \['a', 3\] has an item 3"
    ):
        check_values(spec, {"names": ["a", 3]})
    with pytest.raises(ParameterError, match="does not allow None"):
        check_values(spec, {"top": None})


def test_ids_are_checked_against_the_dataset(spec):
    with pytest.raises(ParameterError) as caught:
        check_values(spec, {"incident_id": "syr-2016-08-01-mi8"}, report="incident-x")
    assert "'syr-2016-08-01-mi8' is not a incident_id in incidents of dataset 'syria-ru-aviation'" in str(caught.value)
    assert "Did you mean 'syr-2016-08-01-mi8amtsh'?" in str(caught.value)
    assert caught.value.parameter == "incident_id"


def test_a_dataset_that_does_not_exist_or_is_of_another_kind_is_refused(spec, tmp_path):
    with pytest.raises(ParameterError, match="parameter 'dataset': the dataset 'no-such-data' cannot be used"):
        check_values(spec, {"dataset": "no-such-data"})
    tally = parse_parameters('dataset: str = "x"  # d [dataset: tally]')
    with pytest.raises(ParameterError, match="is a incidents dataset; this notebook needs a tally dataset"):
        check_values(tally, {"dataset": "syria-ru-aviation"})


def test_a_relative_dataset_folder_becomes_absolute(spec, tmp_path):
    write_package(tmp_path / "mini")
    values = check_values(spec, {"dataset": "mini", "incident_id": "inc-1"}, base_dir=tmp_path)
    assert values["dataset"] == str((tmp_path / "mini").resolve())


def test_cli_strings_are_read_by_the_declared_type(spec):
    assert parse_cli_value(spec["top"], "25") == 25
    assert parse_cli_value(spec["share"], "0.25") == 0.25
    assert parse_cli_value(spec["verbose"], "yes") is True
    assert parse_cli_value(spec["names"], "x, y") == ["x", "y"]
    assert parse_cli_value(spec["names"], '["x,y"]') == ["x,y"]
    assert parse_cli_value(spec["since"], "none") is None
    with pytest.raises(ValueError, match="'ten' is not a whole number"):
        parse_cli_value(spec["top"], "ten")
    with pytest.raises(ValueError, match="not true or false"):
        parse_cli_value(spec["verbose"], "maybe")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x: str = 'a'  # n [range: 1..2]", "range: LOW..HIGH"),
        ("x: int = 1  # n [from: incidents]", "from: TABLE.COLUMN"),
        ("x: str = 'a'  # n [choices: a, b]\nx: int = 2  # again", None),
    ],
)
def test_malformed_constraints_are_refused_clearly(source, message):
    if message is None:  # a name assigned twice: the last one counts, as in Python
        assert parse_parameters(source)["x"].type == "int"
        return
    with pytest.raises(NotebookError, match=message):
        parse_parameters(source)


@pytest.mark.parametrize(
    ("source", "names", "warning"),
    [
        ("import os\nx = 1", ["x"], "assigns no literal value"),
        ("x = compute()\ny = 2", ["y"], "is computed, not a literal"),
        ("x = 1\n= 2", ["x"], "is not valid Python"),
        ("x: int = 'a'  # wrong", ["x"], "is not of its type int"),
        ("x: int = 1  # n [between: 1..2]", ["x"], "unknown constraint 'between'"),
    ],
)
def test_what_ddj_cannot_read_is_skipped_with_a_warning_as_papermill_does(source, names, warning):
    spec = parse_parameters(source)
    assert spec.names == names
    assert any(warning in note for note in spec.warnings), spec.warnings


@pytest.mark.parametrize(
    ("source", "type_text", "shown"),
    [
        ("x: dict = {}", "any", "dict"),
        ("x = None  # nothing", "any", "Unknown type"),
        ("x = {'a': 1}", "any", "Unknown type"),
        ("x = []", "any", "Unknown type"),
        ("x: List[int] = [1]", "list[int]", "List[int]"),
        ("x: Optional[str] = None", "str | None", "Optional[str]"),
        ("x: 'int' = 1", "int", "int"),
        ("x = [1, 2]  # type: List[int] numbers", "list[int]", "List[int]"),
        ("x: int = 'a'", "any", "int"),
    ],
)
def test_untyped_and_unchecked_parameters_are_read_as_papermill_shows_them(source, type_text, shown):
    parameter = parse_parameters(source)["x"]
    assert (parameter.type_text, parameter.display_type) == (type_text, shown)
    check_values(parse_parameters(source), {"x": parameter.default})


def test_the_bracket_of_an_unknown_constraint_stays_help_text():
    parameter = parse_parameters("x: int = 1  # see note [1]")["x"]
    assert parameter.comment == "see note [1]" and not parameter.constraints_text


def test_a_notebook_without_a_parameters_cell_takes_none_and_refuses_values():
    spec = read_parameters(NOTEBOOKS / "no-parameters.ipynb")
    assert not spec.has_cell and spec.names == []
    assert check_values(spec, {}) == {}
    with pytest.raises(ParameterError, match="has no cell tagged 'parameters'"):
        check_values(spec, {"dataset": "x"})
    with pytest.raises(NotebookError, match="no such notebook"):
        read_parameters(NOTEBOOKS / "missing.ipynb")


def test_read_parameters_without_nbformat_reads_what_nbformat_reads(tmp_path):
    """The parameters are read with json (nbformat imports jsonschema, slow); an older notebook is converted."""
    import nbformat

    from ddj.report.runner.params import parameters_of_cells

    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = nbformat.read(notebook, as_version=4).cells
        assert read_parameters(notebook) == parameters_of_cells(cells, notebook=str(notebook)), notebook.name
    cell = {"cell_type": "code", "input": "x = 1", "language": "python", "metadata": {"tags": ["parameters"]}}
    old = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [{**cell, "outputs": []}]}]}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(old), encoding="utf-8")
    assert [p.name for p in read_parameters(path)] == ["x"]
