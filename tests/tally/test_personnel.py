"""A personnel tally (claims of enemy dead against a list of named deaths) and a tally without ``findings``.

The package is tests/fixtures/personnel_tally.py: SYNTHETIC, invented figures and names.
"""

from __future__ import annotations

import json
import shutil
import warnings
from types import SimpleNamespace

import polars as pl
import pytest

import ddj
import ddj.charts as charts
import ddj.tally
from ddj.cli import main
from ddj.datasets.registry import data_dir
from ddj.errors import UsageError
from ddj.report.pages import sections
from ddj.tally.units import unit
from tests.fixtures.personnel_tally import write_personnel_tally

NOTEBOOK = data_dir().parent / "notebooks" / "tally-comparison.ipynb"
EQUIPMENT_WORDS = ("equipment", "destroyed", "photo or video")


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    folder = write_personnel_tally(tmp_path_factory.mktemp("personnel") / "synthetic-personnel-tally")
    return ddj.load(folder, warn=False)


def _no_equipment_words(text: str) -> None:
    for word in EQUIPMENT_WORDS:
        assert word not in text.lower(), word


def test_the_synthetic_personnel_package_is_valid_labelled_synthetic_and_declares_people(ds):
    assert ds.kind == "tally" and "findings" not in ds.tables
    assert ds.descriptor["title"].startswith("SYNTHETIC")
    assert unit(ds).noun == "people" and unit(ds).losses == "deaths"
    # the two undated deaths are valid rows, not problems
    assert ds.table("documented_events")["date"].null_count() == 2
    assert [c.rule for c in ds.caveats if c.rule != "documented_ends_first"] == []


def test_the_tally_counts_the_dated_deaths_and_counts_the_undated_apart(ds):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        row = ddj.tally.tally(ds, as_of="2001-01-03").row(0, named=True)
    assert (row["official"], row["documented"], row["killed"], row["ratio"]) == (40, 4, 4, 10.0)
    assert "destroyed" not in row  # equipment's statuses do not apply to people: no always-empty columns
    assert any("ddj.tally.undated" in str(w.message) for w in caught)
    undated = ddj.tally.undated(ds)
    assert undated.rows() == [("personnel", "killed", 2)]
    assert ddj.tally.undated("ukraine-equipment-losses").height == 0


def test_the_page_section_says_people_and_deaths_and_shows_the_undated(ds):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        html = str(sections.tally_latest(ds, ["personnel"]))
    _no_equipment_words(html)
    assert "count of people documented by name in a list of deaths" in html
    assert "Documented people without a date: 2." in html and "people without a date" in html
    assert "Synthetic Register documented deaths" in html  # the source line


def test_the_chart_title_and_method_use_the_unit(ds):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        series = ddj.tally.tally_series(ds, ["personnel"])
    spec = json.dumps(charts.tally_gap(series, sources=ds, categories=["personnel"]).to_dict())
    _no_equipment_words(spec)
    assert "Official claims against documented deaths" in spec
    assert "documented by name in a list of deaths as of that day" in spec


def test_the_cli_table_says_people_and_counts_the_undated_apart(ds, capsys):
    assert main(["tally", str(ds.folder), "--as-of", "2001-01-03"]) == 0
    out = capsys.readouterr().out
    _no_equipment_words(out)
    assert "documented = people by name in a list of deaths over all statuses (killed)" in out
    assert "Documented people without a date: 2." in out and "personnel (killed): 2" in out


def test_the_equipment_wording_is_unchanged_without_a_unit(capsys):
    assert main(["tally", "ukraine-equipment-losses", "--as-of", "2024-03-01", "--category", "tank"]) == 0
    out = capsys.readouterr().out
    assert "documented = items with photo or video evidence over all statuses (destroyed, damaged, abandoned, " in out
    assert "no date" not in out


def test_a_malformed_unit_block_is_refused_with_the_form_to_write(ds):
    package = SimpleNamespace(descriptor={"ddj": {"unit": {"noun": "people", "colour": "red"}}})
    with pytest.raises(UsageError, match=r"ddj\.unit has 'colour'.*\"noun\": \"people\""):
        unit(package)


def _run_notebook(dataset: str, categories: list[str]) -> dict:
    """Execute the tally notebook's code cells in-process on ``dataset`` (its parameters cell overridden)."""
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            exec("".join(cell["source"]), namespace)
            if cell.get("id") == "parameters":
                namespace.update(dataset=dataset, categories=categories)
    return namespace


def test_the_tally_notebook_runs_on_the_personnel_package_without_findings(ds):
    namespace = _run_notebook(str(ds.folder), ["personnel"])
    html = str(sections.tally_findings(namespace["ds"]))
    assert "has no findings table" in html
    # the notebook's own prose does not say equipment either
    _no_equipment_words("".join("".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"][:1]))


def test_the_tally_notebook_runs_on_an_equipment_package_without_findings(tmp_path):
    copy = tmp_path / "no-findings"
    shutil.copytree(data_dir() / "ukraine-equipment-losses", copy, ignore=shutil.ignore_patterns("raw", "findings.csv"))
    descriptor = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "findings"]
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    namespace = _run_notebook(str(copy), ["tank"])
    assert "findings" not in namespace["ds"].tables
    assert isinstance(namespace["series"], pl.DataFrame) and namespace["series"].height > 0
    assert "has no findings table" in str(sections.tally_findings(namespace["ds"]))


def test_an_equipment_tally_has_no_killed_column():
    columns = ddj.tally.tally("ukraine-equipment-losses", categories=["tank"]).columns
    assert "killed" not in columns
    assert {"destroyed", "damaged", "abandoned", "captured"} <= set(columns)
