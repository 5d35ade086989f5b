"""The FilterSpec: declared once; round trips through JSON, flags, notebook parameters and report entries;
filtering semantics on the curated dataset, checked against a plain-Python reading of the same rules.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import re
import shlex
import tomllib
from collections import defaultdict
from pathlib import Path

import nbformat
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ddj
from ddj.cli import build_parser, main
from ddj.commands._filter_flags import add_filter_arguments, read_filter_flags
from ddj.compare import STATUSES
from ddj.errors import InvalidValueError, NotFoundError, ReportEntryError, UnusableDataError
from ddj.filters import (
    FILTERS,
    SEARCH_COLUMNS,
    FilterSpec,
    incident_facts,
    vocabulary,
)
from ddj.model import AIRCRAFT_CATEGORIES, GRADES, SIDES, SOURCE_KINDS
from ddj.report.runner.config import load_config
from ddj.report.runner.entries import ReportEntry, report_entry
from ddj.report.runner.params import check_values, parse_cli_value, read_parameters
from tests.paths import ROOT

THEATRE = ROOT / "notebooks" / "theatre-overview.ipynb"


@pytest.fixture(scope="module")
def syria():
    dataset = ddj.load("syria-ru-aviation", warn=False)
    return dataset, ddj.compare.compare(dataset)


@pytest.fixture(scope="module")
def facts(syria):
    return incident_facts(*syria, search=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="test")
    add_filter_arguments(parser)
    return parser


# --- the declaration ------------------------------------------------------------------------------------


def test_every_field_is_declared_once_with_help_label_and_a_unique_flag():
    fields = [f.name for f in dataclasses.fields(FilterSpec)]
    assert [item.name for item in FILTERS] == fields
    assert len({item.flag for item in FILTERS}) == len(FILTERS)
    for item in FILTERS:
        assert item.help and item.label and item.flag.startswith("--")
        assert item.kind in ("date", "text", "values")
        assert getattr(FilterSpec(), item.name) == item.default


def test_the_flags_come_from_the_declaration():
    parser = _parser()
    flags = {option for action in parser._actions for option in action.option_strings}  # noqa: SLF001 - argparse lists its options nowhere public
    assert {item.flag for item in FILTERS} <= flags
    help_text = parser.format_help()
    for item in FILTERS:
        assert item.flag in help_text


def test_vocabularies_are_the_models_and_the_comparisons():
    assert vocabulary("statuses") == STATUSES
    assert vocabulary("grades") == GRADES
    assert vocabulary("sides") == SIDES
    assert vocabulary("source_kinds") == SOURCE_KINDS
    assert vocabulary("aircraft_categories") == AIRCRAFT_CATEGORIES


# --- canonical values and errors ------------------------------------------------------------------------


def test_values_are_canonical_so_equal_selections_are_equal_specs():
    a = FilterSpec(
        countries=["Syria", "Russia", "Syria"], statuses=["official_silent", "contradict"], date_from="2016-01-01"
    )
    b = FilterSpec(
        countries=("Russia", "Syria"), statuses=("contradict", "official_silent"), date_from=dt.date(2016, 1, 1)
    )
    assert a == b and hash(a) == hash(b)
    assert a.statuses == ("contradict", "official_silent")  # vocabulary order
    assert FilterSpec().is_empty and not a.is_empty
    assert a.replace(countries=()).active() == {
        "date_from": dt.date(2016, 1, 1),
        "statuses": ("contradict", "official_silent"),
    }


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"statuses": ["contradicts"]}, "Did you mean 'contradict'"),
        ({"grades": ["good"]}, "is not one of: confirmed, fair, uncorroborated, weak, contested, discounted"),
        ({"date_from": "2016-13-01"}, "not a date; write it as YYYY-MM-DD"),
        ({"date_from": "2017-01-01", "date_to": "2016-01-01"}, "backwards"),
        ({"countries": "Syria"}, "takes a list of values"),
        ({"countries": [""]}, "non-empty text"),
    ],
)
def test_bad_values_are_refused_with_what_to_do(values, message):
    with pytest.raises(InvalidValueError, match=message.replace("(", r"\(")):
        FilterSpec(**values)


def test_unknown_filter_names_are_refused_with_the_closest_one():
    with pytest.raises(InvalidValueError, match="unknown filter 'status'; did you mean 'statuses'"):
        FilterSpec.from_dict({"status": ["contradict"]})
    with pytest.raises(InvalidValueError, match="unknown filter"):
        FilterSpec().replace(country=["Syria"])
    with pytest.raises(InvalidValueError, match="is not JSON"):
        FilterSpec.from_json("{statuses: contradict}")
    with pytest.raises(InvalidValueError, match="JSON object"):
        FilterSpec.from_json('["contradict"]')
    assert FilterSpec.from_json("") == FilterSpec.from_json("{}") == FilterSpec()


# --- round trips (property-based) -----------------------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12).filter(lambda s: s.strip())


def _values(item):
    if item.vocabulary:
        return st.lists(st.sampled_from(vocabulary(item.vocabulary)), max_size=3)
    return st.lists(_TEXT, max_size=3)


@st.composite
def specs(draw):
    values = {item.name: draw(_values(item)) for item in FILTERS if item.kind == "values"}
    values["search"] = draw(st.none() | _TEXT)
    days = draw(st.lists(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)), min_size=0, max_size=2))
    days.sort()
    if days and draw(st.booleans()):
        values["date_from"] = days[0]
    if len(days) == 2 and draw(st.booleans()):
        values["date_to"] = days[1]
    return FilterSpec(**values)


@given(specs())
@settings(max_examples=150, deadline=None)
def test_json_parameters_and_flags_give_the_spec_back(spec):
    assert FilterSpec.from_json(spec.to_json()) == spec
    assert FilterSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    assert FilterSpec.from_parameters(spec.to_parameters()) == spec
    flags = spec.to_flags()
    assert read_filter_flags(_parser().parse_args(flags)) == spec
    # what a shell sees: the quoted command line splits back into the same flags
    assert shlex.split(shlex.join(flags)) == flags


def _notebook(folder: Path, lines: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("\n".join(lines))
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(dataset)")]
    path = folder / "notebooks" / "view.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


_VIEW_PARAMETERS = [
    'dataset: str = "syria-ru-aviation"  # the dataset [dataset: incidents]',
    "country: str | None = None  # one country",
    "region: str | None = None  # one region",
    "date_from: str | None = None  # first day [date]",
    "date_to: str | None = None  # last day [date]",
    'filters: str = ""  # other filters, JSON',
]


def _spec_from(parameters: dict) -> FilterSpec:
    """Read a report's parameters back into a spec, as a notebook taking them would."""
    spec = FilterSpec.from_json(parameters.get("filters", ""))
    changes = {k: parameters[k] for k in ("date_from", "date_to") if parameters.get(k) is not None}
    for single, plural in (("country", "countries"), ("region", "regions")):
        if parameters.get(single) is not None:
            changes[plural] = [parameters[single]]
    return spec.replace(**changes)


@given(spec=specs())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_report_entry_reproduces_the_view_as_command_and_as_toml(tmp_path, spec):
    notebook = _notebook(tmp_path, _VIEW_PARAMETERS)
    entry = report_entry(spec, "notebooks/view.ipynb", dataset="syria-ru-aviation", root=tmp_path)
    assert entry.notebook == "notebooks/view.ipynb"
    assert _spec_from(entry.parameters) == spec
    # the reports.toml entry holds the same parameters
    table = tomllib.loads(entry.toml)["reports"][entry.name]
    assert table["notebook"] == entry.notebook and table["output"] == entry.name
    assert table["parameters"] == {k: v for k, v in entry.parameters.items() if v is not None}
    # and the runner's own reader, given the entry as a reports.toml, runs the notebook with them
    config_file = tmp_path / "reports.toml"
    config_file.write_text(entry.toml, encoding="utf-8")
    [report] = load_config(config_file).reports
    assert (report.name, report.notebook) == (entry.name, notebook)
    assert report.parameters == table["parameters"]
    assert report_entry(spec, "notebooks/view.ipynb", dataset="syria-ru-aviation", root=tmp_path) == entry
    # the ddj run command, read by ddj's own parser and the notebook's declared types, gives them back
    words = shlex.split(entry.command)
    assert words[:3] == ["ddj", "run", entry.notebook]
    args = build_parser().parse_args(words[1:])
    declared = read_parameters(notebook)
    read_back = {name: parse_cli_value(declared[name], text) for name, text in args.parameter}
    assert read_back == entry.parameters
    assert args.name == entry.name


def test_the_theatre_overview_takes_a_country_and_dates(syria):
    spec = FilterSpec(countries=["Syria"], date_from="2016-01-01", date_to="2016-12-31")
    entry = report_entry(spec, "theatre-overview", dataset="syria-ru-aviation")
    assert entry.notebook == "notebooks/theatre-overview.ipynb"
    assert entry.parameters["country"] == "Syria" and entry.parameters["date_from"] == "2016-01-01"
    assert "ddj run notebooks/theatre-overview.ipynb -p dataset syria-ru-aviation -p country Syria" in entry.command
    # the runner accepts the parameters as they are (types, constraints, the country exists in the data)
    checked = check_values(read_parameters(THEATRE), entry.parameters, report=entry.name)
    assert checked["country"] == "Syria" and checked["date_to"] == "2016-12-31"


def test_a_notebook_that_cannot_take_a_filter_is_refused_with_the_reason():
    with pytest.raises(ReportEntryError, match="always covers one country"):
        report_entry(FilterSpec(countries=["Syria", "Russia"]), "theatre-overview", dataset="syria-ru-aviation")
    with pytest.raises(ReportEntryError, match="always covers one country"):
        report_entry(FilterSpec(), "theatre-overview", dataset="syria-ru-aviation")
    with pytest.raises(NotFoundError, match="no notebook 'nowhere'"):
        report_entry(FilterSpec(), "nowhere", dataset="syria-ru-aviation")
    declared = read_parameters(THEATRE)
    spec = FilterSpec(countries=["Syria"], statuses=["contradict"])
    if "filters" in declared:  # the notebook carries the other filters as JSON
        entry = report_entry(spec, "theatre-overview", dataset="syria-ru-aviation")
        assert json.loads(entry.parameters["filters"]) == {"statuses": ["contradict"]}
    else:
        with pytest.raises(ReportEntryError, match="no parameter for statuses"):
            report_entry(spec, "theatre-overview", dataset="syria-ru-aviation")


def test_toml_cannot_write_none():
    entry = ReportEntry("r", "notebooks/x.ipynb", {"dataset": "d", "region": None})
    with pytest.raises(ReportEntryError, match="TOML has no null"):
        _ = entry.toml
    assert "-p region none" in entry.command


@pytest.mark.parametrize(
    "name",
    ["plain-name_1", 'a "quoted" name', "back\\slash", "del\x7fand\ttab", "Çatı ☂ 日本", "line\nbreak"],
)
def test_toml_written_by_tomli_w_reads_back_through_the_runner(tmp_path, name):
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "notebooks" / "x.ipynb")
    parameters = {
        "dataset": 'd\x7f"',
        "countries": ["Syria", "Türkiye", "a\\b"],
        "top": 25,
        "share": 0.25,
        "verbose": True,
        "filters": '{"search":"Mi-8"}',
    }
    entry = ReportEntry(name, "notebooks/x.ipynb", parameters)
    assert tomllib.loads(entry.toml) == {
        "reports": {name: {"notebook": "notebooks/x.ipynb", "parameters": parameters, "output": name}}
    }
    (tmp_path / "reports.toml").write_text(entry.toml, encoding="utf-8")
    [report] = load_config(tmp_path / "reports.toml").reports
    assert report.group == name and report.parameters == parameters
    assert report.notebook == tmp_path / "notebooks" / "x.ipynb"


# --- filtering semantics --------------------------------------------------------------------------------


def _ids(spec, facts):
    return spec.filter_incidents(facts)["incident_id"].to_list()


def test_official_silence_is_the_strike_campaign(facts):
    assert _ids(FilterSpec(statuses=["official_silent"]), facts) == ["syr-2016-08-retaliation-strikes"]


def test_contradictions_are_the_contested_incidents(facts, syria):
    comparison = syria[1]
    contested = sorted(comparison.incidents.filter(pl.col("n_contradict") > 0)["incident_id"])
    assert sorted(_ids(FilterSpec(statuses=["contradict"]), facts)) == contested
    # the incidents whose attribute table holds a contradiction, each graded contested (none discounted)
    contradicted = comparison.attributes.filter(pl.col("status") == "contradict")
    assert sorted(set(contradicted["incident_id"])) == contested
    assert sorted(comparison.incidents.filter(pl.col("grade") == "contested")["incident_id"]) == contested
    # the Su-24 (crew killed, place), the MiG-29KR (cause, aircraft), the T4 helicopters (aircraft),
    # the Hmeimim shelling (aircraft lost), the Ka-52 (cause), the Il-20 (cause, responsible party)
    # and the Mi-35 (crew killed)
    assert contested == [
        "med-2016-11-13-mig29kr",
        "med-2018-09-17-il20",
        "syr-2015-11-24-su24",
        "syr-2016-05-t4-helicopters",
        "syr-2017-12-31-hmeimim-mortar",
        "syr-2018-05-07-ka52",
        "syr-2021-02-28-mi35",
    ]


def test_sides_and_source_kinds_are_read_on_the_same_account(facts, syria):
    dataset, comparison = syria
    spoken = set(comparison.accounts.filter(pl.col("side") == "official")["incident_id"])
    official = _ids(FilterSpec(sides=["official"]), facts)
    assert "syr-2016-08-retaliation-strikes" not in official
    # the operator spoke of every incident but the strike campaign
    assert set(official) == spoken == set(dataset.incidents["incident_id"]) - {"syr-2016-08-retaliation-strikes"}
    # government sources speak on both sides: Russian officials outside the operator (the foreign ministry
    # on the US strike, a Duma deputy on the drone attack) are unofficial accounts
    assert _ids(FilterSpec(sides=["unofficial"], source_kinds=["official_government"]), facts) == [
        "syr-2018-01-06-hmeimim-drones",
        "syr-2021-02-25-us-f15e-abu-kamal",
    ]
    # ...and neither incident is kept for an official government account, though each has both an official
    # account (from the military) and a government one (unofficial)
    assert _ids(FilterSpec(sides=["official"], source_kinds=["official_government"]), facts) == [
        "syr-2016-04-12-mi28n",
        "syr-2016-08-01-mi8amtsh",
        "med-2018-09-17-il20",
    ]


def test_dates_select_incidents_whose_window_overlaps(facts):
    # the MiG-29KR was lost on 13 or 14 November 2016: a window of one day, the 14th, still catches it
    assert _ids(FilterSpec(date_from="2016-11-14", date_to="2016-11-14"), facts) == ["med-2016-11-13-mig29kr"]
    # the strike campaign ran through August 2016
    assert "syr-2016-08-retaliation-strikes" in _ids(FilterSpec(date_from="2016-08-20", date_to="2016-08-21"), facts)


def test_values_filters(facts):
    assert _ids(FilterSpec(regions=["Idlib"]), facts) == [
        "syr-2016-08-01-mi8amtsh",
        "syr-2016-08-retaliation-strikes",
        "syr-2018-02-03-su25",
    ]
    assert _ids(FilterSpec(grades=["fair"]), facts) == ["syr-2016-08-retaliation-strikes"]
    assert _ids(FilterSpec(incident_ids=["syr-2021-02-28-mi35"]), facts) == ["syr-2021-02-28-mi35"]
    assert _ids(FilterSpec(aircraft_models=["Mi-35"], countries=["Russia"]), facts) == []


def _reference(spec: FilterSpec, dataset, comparison) -> list[str]:
    """The filters' documented rules, read row by row in plain Python (no polars expressions)."""
    kinds = {row["source_id"]: row["kind"] for row in dataset.sources.to_dicts()}
    accounts = defaultdict(list)
    statements = defaultdict(list)
    for row in comparison.accounts.to_dicts():
        accounts[row["incident_id"]].append((row["side"], kinds.get(row["source_id"])))
        statements[row["incident_id"]].append(row["statement"])
    statuses = defaultdict(set)
    for row in comparison.attributes.select("incident_id", "status").to_dicts():
        statuses[row["incident_id"]].add(row["status"])
    grades = dict(comparison.incidents.select("incident_id", "grade").iter_rows())
    pairs = defaultdict(set)
    for row in comparison.attributes.select("incident_id", "attribute", "status").to_dicts():
        pairs[row["incident_id"]].add(f"{row['attribute']}:{row['status']}")
    kept = []
    for row in dataset.incidents.sort("date_start", "incident_id").to_dicts():
        i = row["incident_id"]
        if spec.date_from and row["date_end"] < spec.date_from:
            continue
        if spec.date_to and row["date_start"] > spec.date_to:
            continue
        columns = {
            "countries": row["country"],
            "regions": row["region"],
            "aircraft_categories": row["aircraft_category"],
            "aircraft_models": row["aircraft_model"],
            "grades": grades[i],
            "incident_ids": i,
        }
        if any(getattr(spec, name) and value not in getattr(spec, name) for name, value in columns.items()):
            continue
        if (spec.sides or spec.source_kinds) and not any(
            (not spec.sides or side in spec.sides) and (not spec.source_kinds or kind in spec.source_kinds)
            for side, kind in accounts[i]
        ):
            continue
        if spec.statuses and not statuses[i] & set(spec.statuses):
            continue
        if spec.attribute_statuses and not pairs[i] & set(spec.attribute_statuses):
            continue
        texts = (row["title"], row["place"], row["region"], row["country"], row["aircraft_model"], i, row["summary"])
        needle = " ".join(spec.search.split()).lower() if spec.search else ""
        if spec.search and not any(needle in " ".join(t.split()).lower() for t in (*texts, *statements[i]) if t):
            continue
        kept.append(i)
    return kept


@st.composite
def data_specs(draw, incidents):
    """Specs whose values come from the data (plus, sometimes, a value no incident has)."""
    values = {}
    for item in FILTERS:
        if item.kind != "values":
            continue
        if item.vocabulary:
            pool = list(vocabulary(item.vocabulary))
        else:
            pool = [*sorted({v for v in incidents[item.column].to_list() if v}), "not in the data"]
        values[item.name] = draw(st.lists(st.sampled_from(pool), max_size=2)) if draw(st.booleans()) else []
    days = sorted(draw(st.lists(st.dates(dt.date(2015, 6, 1), dt.date(2021, 6, 1)), min_size=2, max_size=2)))
    values["search"] = draw(
        st.none()
        | st.sampled_from(
            [
                "mi-8",
                "SU-24",
                "hmeimim",
                "LATAKIA",
                "syr-2018",
                "Mediterranean",
                ".*",
                "(",
                "no such words",
                "radio or VISUAL",
                "small-arms fire",
                "killed",
                "[a-z]+",
            ]
        )
    )
    values["date_from"] = days[0] if draw(st.booleans()) else None
    values["date_to"] = days[1] if draw(st.booleans()) else None
    return FilterSpec(**values)


_SYRIA = ddj.load("syria-ru-aviation", warn=False)


@given(spec=data_specs(_SYRIA.incidents))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_expression_keeps_what_the_rules_say(spec, syria, facts):
    assert _ids(spec, facts) == _reference(spec, *syria)


def test_apply_and_select_incidents_restrict_every_frame(syria):
    dataset, comparison = syria
    spec = FilterSpec(statuses=["contradict"], date_from="2017-01-01")
    kept = spec.apply(dataset, comparison)
    ids = set(kept.incidents["incident_id"])
    contradicted = set(comparison.attributes.filter(pl.col("status") == "contradict")["incident_id"])
    since_2017 = set(dataset.incidents.filter(pl.col("date_end") >= dt.date(2017, 1, 1))["incident_id"])
    assert (
        ids
        == contradicted & since_2017
        == {"syr-2017-12-31-hmeimim-mortar", "med-2018-09-17-il20", "syr-2018-05-07-ka52", "syr-2021-02-28-mi35"}
    )
    for frame in (kept.attributes, kept.changes, kept.accounts):
        assert set(frame["incident_id"]) <= ids
    assert kept.attributes.height == len(ids) * 10
    # the dataset's own order is kept; the comparison is computed when the spec needs one
    selected = spec.select_incidents(dataset)
    assert set(selected["incident_id"]) == ids
    assert FilterSpec().select_incidents(dataset).height == dataset.incidents.height
    with pytest.raises(UnusableDataError, match="needs the comparison"):
        spec.filter_incidents(incident_facts(dataset))


def test_a_value_no_incident_has_is_named_with_the_closest(facts):
    assert FilterSpec(countries=["Syira"]).unknown_values(facts) == {"countries": ["Syira"]}
    with pytest.raises(
        NotFoundError, match=re.escape("--country 'Syira': no incident has that country. Did you mean 'Syria'")
    ):
        FilterSpec(countries=["Syira"]).check_values(facts)
    FilterSpec(countries=["Syria"]).check_values(facts)


# --- the command line -----------------------------------------------------------------------------------


def test_ddj_compare_takes_the_filter_flags(capsys):
    assert main(["compare", "syria-ru-aviation", "--status", "official_silent", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [row["incident_id"] for row in data["incidents"]] == ["syr-2016-08-retaliation-strikes"]
    assert {row["incident_id"] for row in data["attributes"]} == {"syr-2016-08-retaliation-strikes"}


def test_ddj_compare_refuses_a_bad_filter_in_one_line(capsys):
    assert main(["compare", "syria-ru-aviation", "--status", "silence"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ddj compare: error: --status 'silence' is not one of") and "Traceback" not in err
    assert main(["compare", "syria-ru-aviation", "--country", "Syira"]) == 2
    assert "Did you mean 'Syria'" in capsys.readouterr().err


# --- attribute × status, and search (issue 19) ----------------------------------------------------------


def test_an_attribute_status_keeps_only_incidents_with_that_status_on_that_attribute(facts, syria):
    comparison = syria[1]
    crew = FilterSpec(attribute_statuses=["crew_killed:contradict"])
    expected = comparison.attributes.filter(
        (pl.col("attribute") == "crew_killed") & (pl.col("status") == "contradict")
    )["incident_id"].to_list()
    # the Su-24 (the navigator shot in the air) and the Mi-35 (the pilot's death)
    assert sorted(_ids(crew, facts)) == sorted(expected) == ["syr-2015-11-24-su24", "syr-2021-02-28-mi35"]
    # fewer than "contradicted somewhere" (7): the filter says what a click on the crew-killed bar shows
    assert len(_ids(FilterSpec(statuses=["contradict"]), facts)) == 7
    either = FilterSpec(attribute_statuses=["crew_killed:contradict", "cause:contradict"])
    causes = set(
        comparison.attributes.filter((pl.col("attribute") == "cause") & (pl.col("status") == "contradict"))[
            "incident_id"
        ]
    )
    assert set(_ids(either, facts)) == set(expected) | causes
    assert crew.needs_comparison
    with pytest.raises(UnusableDataError, match="needs the comparison"):
        crew.filter_incidents(incident_facts(syria[0]))


def test_an_attribute_status_is_checked_and_carried_by_flags_json_and_reports():
    with pytest.raises(InvalidValueError, match="Did you mean 'crew_killed:contradict'"):
        FilterSpec(attribute_statuses=["crew_killed:contradicts"])
    with pytest.raises(InvalidValueError, match="--attribute-status 'casualties:contradict' is not one of"):
        FilterSpec(attribute_statuses=["casualties:contradict"])
    args = _parser().parse_args(["--attribute-status", "crew_killed:contradict", "--search", "Mi-8"])
    spec = read_filter_flags(args)
    assert spec == FilterSpec(attribute_statuses=["crew_killed:contradict"], search="Mi-8")
    entry = report_entry(spec.replace(countries=["Syria"]), "theatre-overview", dataset="syria-ru-aviation")
    assert json.loads(entry.parameters["filters"]) == {
        "search": "Mi-8",
        "attribute_statuses": ["crew_killed:contradict"],
    }
    assert "attribute and status: crew_killed:contradict" in spec.describe() and "search: “Mi-8”" in spec.describe()


def test_search_is_literal_and_ignores_case(syria, facts):
    dataset, comparison = syria
    assert _ids(FilterSpec(search="MI-8"), facts) == _ids(FilterSpec(search="mi-8"), facts)
    assert "syr-2016-08-01-mi8amtsh" in _ids(FilterSpec(search="mi-8"), facts)
    assert SEARCH_COLUMNS == ("title", "place", "region", "country", "aircraft_model", "incident_id", "summary")
    said = defaultdict(list)
    for incident_id, statement in comparison.accounts.select("incident_id", "statement").iter_rows():
        said[incident_id].append(statement)
    rows = dataset.incidents.sort("date_start", "incident_id").select(*SEARCH_COLUMNS).rows(named=True)

    def containing(text):  # the rule, read in plain Python: one field or one statement holds the text
        return [
            row["incident_id"]
            for row in rows
            if any(text.lower() in str(v).lower() for v in (*row.values(), *said[row["incident_id"]]) if v is not None)
        ]

    for text in ("latakia", "Mediterranean", "(", "SYR-2018", "radio or visual", "small-arms fire"):
        assert _ids(FilterSpec(search=text), facts) == containing(text) != [], text
    # words only statements hold: the old search of titles, places... found nothing
    assert not any("radio or visual" in str(v).lower() for row in rows for v in row.values())
    # regular-expression characters are characters: nothing has ".*" or "[a-z]+" in it
    assert _ids(FilterSpec(search=".*"), facts) == [] == _ids(FilterSpec(search="[a-z]+"), facts)
    assert _ids(FilterSpec(search="("), facts) == containing("(")
    # the search texts are built only when asked: a spec with a search says how to build them
    with pytest.raises(UnusableDataError, match="search=True"):
        FilterSpec(search="mi-8").filter_incidents(incident_facts(*syria))
    assert "_search" not in incident_facts(*syria).columns
    # spaces are tidied, an empty text is no filter, a long one is refused
    assert FilterSpec(search="  Mi-8   shot ").search == "Mi-8 shot" and FilterSpec(search="  ").is_empty
    with pytest.raises(InvalidValueError, match="keep it to 200"):
        FilterSpec(search="x" * 201)
    with pytest.raises(InvalidValueError, match="takes one text"):
        FilterSpec(search=["Mi-8"])


@pytest.mark.parametrize(
    "spec", [FilterSpec(countries=["Syria"], regions=["-:"]), FilterSpec(countries=["Syria"], search="-x")]
)
def test_a_value_starting_with_a_dash_travels_as_json_not_as_an_option(spec):
    """``-p region -:`` would read as an option (found by the property test above): such a value goes in ``filters``."""
    from ddj.cli import build_parser

    entry = report_entry(spec, "theatre-overview", dataset="syria-ru-aviation")
    parameters = dict(build_parser().parse_args(shlex.split(entry.command)[1:]).parameter)
    assert FilterSpec.from_json(parameters["filters"]).replace(countries=["Syria"]) == spec
