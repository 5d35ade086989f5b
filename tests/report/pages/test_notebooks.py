"""The report notebooks: committed without outputs, one typed and commented parameters cell, in the README."""

from __future__ import annotations

import nbformat
import pytest

from ddj.cli import main
from ddj.report.runner.params import read_parameters
from tests.paths import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIXTURES = sorted((ROOT / "tests" / "notebooks").glob("*.ipynb"))


def test_the_three_report_notebooks_exist():
    reports = [n.name for n in NOTEBOOKS if n.name != "explore.ipynb"]  # the Explorer's notebook is no report
    assert reports == ["incident-report.ipynb", "tally-comparison.ipynb", "theatre-overview.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS + FIXTURES, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {index} has outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name}: cell {index} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_parameter_is_typed_commented_and_there_is_a_dataset(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    spec = read_parameters(path)
    assert spec["dataset"].is_dataset
    for parameter in spec:
        assert parameter.comment, f"{path.name}: parameter {parameter.name} has no comment"
        assert ":" in tagged[0].source.splitlines()[parameter.line - 1].split("=")[0], (
            f"{path.name}: parameter {parameter.name} has no type annotation"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_stay_thin(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
            assert len(cell.source.splitlines()) <= 6, f"{path.name}: a cell grew past six lines; move it into ddj"


def test_the_readme_lists_every_notebook_and_parameter():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme
        for parameter in read_parameters(path):
            assert f"`{parameter.name}`" in readme


def test_ddj_params_lists_types_defaults_and_comments(capsys):
    assert main(["params", str(ROOT / "notebooks" / "incident-report.ipynb")]) == 0
    out = capsys.readouterr().out
    assert "incident_id: str = 'syr-2016-08-01-mi8amtsh'  [from: incidents.incident_id]" in out
    assert "    the incident to report on" in out
    assert main(["params", str(ROOT / "tests" / "notebooks" / "no-parameters.ipynb")]) == 0  # as Papermill runs it
    assert "no cell is tagged 'parameters', so it takes no parameters" in capsys.readouterr().out
