"""The Explorer without a browser: views of the prepared frames, widget values in and filtered frames and
counts out, chart selections back into filters, the HTML pieces, and serving it with `ddj explore`.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import shlex
from html import unescape
from pathlib import Path
from urllib.parse import quote

import nbformat
import polars as pl
import pytest

import ddj
from ddj.cli import build_parser, main
from ddj.commands._filter_flags import read_filter_flags
from ddj.compare import STATUSES
from ddj.datasets import Dataset
from ddj.errors import DatasetNotFoundError, UsageError
from ddj.filters import FILTERS, FilterSpec, incident_facts
from ddj.model import COMPARED_ATTRIBUTES
from ddj.synth import synthetic_tables
from ddj.widgets import selection, serve, state
from ddj.widgets.charts import MAP_PICK, MATRIX_PICK, STATUS_PICK, TIMELINE_BRUSH, build_charts
from ddj.widgets.state import ACKNOWLEDGED_LANES, ExplorerData
from tests.fixtures.chart_inputs import count_axis_labels
from tests.fixtures.hostile import write_hostile_package
from tests.paths import ROOT

K = len(COMPARED_ATTRIBUTES)


@pytest.fixture(scope="module")
def syria():
    dataset = ddj.load("syria-ru-aviation", warn=False)
    return dataset, ddj.compare.compare(dataset)


@pytest.fixture(scope="module")
def data(syria):
    return ExplorerData(*syria)


@pytest.fixture(scope="module")
def synthetic():
    tables = synthetic_tables(3000, seed=3)
    dataset = Dataset(
        name="synthetic",
        folder=Path("."),
        kind="incidents",
        tables=tables,
        caveats=(),
        descriptor={"version": "0"},
        files={},
    )
    return ExplorerData(dataset)


@pytest.fixture(scope="module")
def explorer(syria):
    from ddj.widgets import Explorer

    return Explorer(syria[0], comparison=syria[1], debounce=0)


@pytest.fixture()
def fresh(explorer):
    explorer.clear_filters()
    explorer.choose(None)
    yield explorer
    explorer.clear_filters()


# --- the pure views -------------------------------------------------------------------------------------


def test_a_view_agrees_with_the_filter_on_the_facts(data, syria):
    facts = incident_facts(*syria)
    for spec in (
        FilterSpec(),
        FilterSpec(statuses=["contradict"]),
        FilterSpec(countries=["Syria"], date_from="2018-01-01"),
        FilterSpec(sides=["unofficial"], source_kinds=["local_media"]),
        FilterSpec(grades=["weak"]),
    ):
        view = data.view(spec)
        expected = spec.filter_incidents(facts)
        assert view.counts.incidents == expected.height
        assert view.table["incident_id"].to_list() == expected["incident_id"].to_list()[: state.TABLE_ROWS]
        assert view.counts.accounts == expected["n_accounts"].sum()
        assert view.counts.contradicted == expected.filter(pl.col("n_contradict") > 0).height
        assert view.counts.never_acknowledged == expected.filter(~pl.col("acknowledged")).height
        assert sum(view.counts.grades.values()) == expected.height
        assert view.timeline["incidents"].sum() == expected.height  # every incident is in one bar
        assert view.spec == spec


def test_official_silence_shows_the_strike_campaign_everywhere(data):
    view = data.view(FilterSpec(statuses=["official_silent"]))
    assert view.counts.incidents == 1 and view.counts.never_acknowledged == 1
    assert view.table["incident_id"].to_list() == ["syr-2016-08-retaliation-strikes"]
    assert view.table["stands_out"][0] == "no official account recorded"
    assert view.timeline.select("lane", "incidents").rows() == [(ACKNOWLEDGED_LANES[1], 1)]
    assert view.matrix_mode == "incidents" and view.matrix.height == K
    silent = view.matrix.filter(pl.col("status") == "official_silent")["attribute"].to_list()
    assert silent == ["responsible party", "place", "follow-on operation acknowledged"]
    assert view.map_mode == "points" and view.map["incident_id"].to_list() == ["syr-2016-08-retaliation-strikes"]


def test_the_matrix_cells_carry_what_each_side_said(data):
    view = data.view(FilterSpec(incident_ids=["med-2018-09-17-il20"]))
    party = view.matrix.filter(pl.col("attribute") == "responsible party").row(0, named=True)
    assert party["status"] == "contradict"
    assert "Israel" in party["official"] and "Syria" in party["others"]


def test_the_timeline_period_follows_the_span(data):
    assert data.view(FilterSpec()).period == "month"
    assert data.view(FilterSpec(date_from="2016-07-01", date_to="2016-12-31")).period == "week"
    assert data.view(FilterSpec(statuses=["official_silent"])).period == "day"
    view = data.view(FilterSpec(date_from="2016-07-01", date_to="2016-12-31"))
    assert view.timeline["period"].dt.weekday().unique().to_list() == [1]  # weeks start on Mondays


def test_many_incidents_become_shares_and_grid_cells(synthetic, monkeypatch):
    view = synthetic.view(FilterSpec())
    assert view.matrix_mode == "shares"
    # each attribute's shares cover every incident once
    per_attribute = view.matrix.group_by("attribute").agg(pl.col("incidents").sum(), pl.col("share").sum())
    assert per_attribute["incidents"].to_list() == [3000] * K
    assert all(abs(s - 1) < 1e-9 for s in per_attribute["share"])
    expected = (
        synthetic.comparison.attributes.group_by("label", "status")
        .len()
        .with_columns(pl.col("label", "status").cast(pl.String))  # the comparison's are Enums
        .rename({"label": "attribute", "len": "incidents"})
    )
    got = view.matrix.select("attribute", "status", "incidents").join(expected, on=["attribute", "status"])
    assert got.height == view.matrix.height and (got["incidents"] == got["incidents_right"]).all()
    monkeypatch.setattr(state, "MAP_MAX_POINTS", 10)
    cells = synthetic.view(FilterSpec(statuses=["contradict"]))
    assert cells.map_mode == "cells" and cells.map_cell is not None
    assert cells.map["incidents"].sum() == cells.counts.placed
    assert cells.counts.placed + (cells.counts.incidents - cells.counts.placed) == cells.counts.incidents


def test_one_incidents_rows_are_found_by_search(data, syria):
    accounts = data.account_rows(["syr-2016-08-01-mi8amtsh"])
    assert set(accounts["incident_id"]) == {"syr-2016-08-01-mi8amtsh"}
    assert accounts.height == syria[1].accounts.filter(pl.col("incident_id") == "syr-2016-08-01-mi8amtsh").height
    assert data.attribute_rows(["syr-2016-08-01-mi8amtsh", "nope"]).height == K
    part = data.incident_dataset("syr-2016-08-retaliation-strikes")
    assert set(part.incidents["incident_id"]) == {"syr-2016-08-retaliation-strikes", "syr-2016-08-01-mi8amtsh"}
    with pytest.raises(UsageError, match="no incident 'nope'"):
        data.incident_dataset("nope")


# --- the charts -----------------------------------------------------------------------------------------


def test_no_explorer_chart_makes_altair_rebuild_its_schema_table(data, from_dict_calls):
    """The Explorer's charts give every encoding as a channel object, as ddj.charts does (see
    tests/charts/test_charts.py): a filter change redraws them, so altair's ``from_dict`` would cost every click.
    """
    for spec in (FilterSpec(), FilterSpec(statuses=["official_silent"])):
        build_charts(data.view(spec), data)
    assert from_dict_calls == []


def test_the_charts_embed_the_views_frames_and_say_how_many(data):
    view = data.view(FilterSpec(statuses=["official_silent"]))
    charts = build_charts(view, data)
    specs = {name: chart.to_dict() for name, chart in charts.items()}
    total = data.dataset.incidents.height
    assert specs["timeline"]["title"]["text"] == f"When: 1 of {total} incidents, by day"
    assert specs["matrix"]["title"]["text"] == f"What each side says: 1 of {total} incidents"
    assert specs["map"]["title"]["text"] == "Where: 1 of 1 on the map"
    (rows,) = specs["matrix"]["datasets"].values()
    assert len(rows) == K and {r["incident_id"] for r in rows} == {"syr-2016-08-retaliation-strikes"}
    assert {p["name"] for p in specs["timeline"]["params"]} == {TIMELINE_BRUSH}
    assert {p["name"] for p in specs["matrix"]["params"]} == {MATRIX_PICK}
    assert {p["name"] for p in specs["map"]["params"]} == {MAP_PICK}
    for spec in specs.values():
        assert spec["description"]  # alt text
        assert '"url":' not in json.dumps(spec)  # every row is embedded, nothing is fetched


@pytest.mark.parametrize("filters", [{}, {"statuses": ["official_silent"]}, {"statuses": ["contradict"]}])
def test_the_timelines_count_axis_labels_each_whole_number_once(data, filters):
    from ddj.charts import to_svg

    (labels,) = count_axis_labels(to_svg(build_charts(data.view(FilterSpec(**filters)), data)["timeline"]))
    assert len(labels) == len(set(labels)) and labels[0] == "0", labels


def test_the_shares_matrix_lets_a_reader_pick_a_status(synthetic):
    spec = build_charts(synthetic.view(FilterSpec()), synthetic)["matrix"].to_dict()
    assert {p["name"] for p in spec["params"]} == {STATUS_PICK}


def test_the_chart_widget_is_offline():
    from ddj.widgets.explorer import chart_widget_class

    bundle = chart_widget_class()._esm  # noqa: SLF001 - anywidget keeps a widget's front-end module in _esm
    assert "esm.sh" not in bundle and "cdn.jsdelivr" not in bundle and "unpkg.com" not in bundle
    assert "vegaEmbed" in bundle or "vega-embed" in bundle


def test_under_ddj_explore_a_chart_fetches_the_bundle_from_the_pages_own_server(monkeypatch):
    from ddj.widgets.bundle import SERVED_ENV, bundle_file, served_address

    assert served_address("export default {}") is None  # in a notebook: the bundle's text goes with each chart
    monkeypatch.setenv(SERVED_ENV, "/")
    monkeypatch.setenv("VOILA_REQUEST_URL", "http://localhost:8866/?token=abc")  # the address the reader typed
    address = served_address("export default {}")
    assert address is not None and address.startswith(f"http://localhost:8866/ddj/{bundle_file().name}?v=")
    assert served_address("export default {1}") != address  # another bundle, another address: no stale copy
    monkeypatch.setenv(SERVED_ENV, "/explore/")
    assert (served_address("x") or "").startswith("http://localhost:8866/explore/ddj/jupyterchart-")
    monkeypatch.setenv("VOILA_REQUEST_URL", "javascript:alert(1)")
    assert served_address("x") is None


# --- selections into filters ----------------------------------------------------------------------------


def test_selection_values_become_filter_values():
    assert selection.dates_from_interval({"period": [1470009600000, 1472601600000]}) == (
        dt.date(2016, 8, 1),
        dt.date(2016, 8, 30),
    )
    assert selection.dates_from_interval({"period": ["2016-08-31T00:00:00.000Z", "2016-08-01T12:00:00.000Z"]}) == (
        dt.date(2016, 8, 1),
        dt.date(2016, 8, 30),
    )
    assert selection.dates_from_interval({}) is None
    assert selection.dates_from_interval({"period": [1]}) is None
    assert selection.values_from_points([{"status": "agree"}, {"status": "agree"}, {"x": 1}], "status") == ("agree",)
    assert selection.values_from_points(None, "status") == ()


def _select(widget, name, value):
    """What the browser sends when a reader brushes or clicks: the chart's raw selection state."""
    # JupyterChart receives the browser's selection state in the private traitlet _vl_selections.
    widget._vl_selections = {**widget._vl_selections, name: {"value": value, "store": []}}  # noqa: SLF001


def test_brushing_the_timeline_sets_the_dates(fresh):
    start = dt.datetime(2016, 7, 1, tzinfo=dt.UTC).timestamp() * 1000
    end = dt.datetime(2017, 1, 1, tzinfo=dt.UTC).timestamp() * 1000
    _select(fresh.charts["timeline"], TIMELINE_BRUSH, {"period": [start, end]})
    assert (fresh.spec.date_from, fresh.spec.date_to) == (dt.date(2016, 7, 1), dt.date(2016, 12, 31))
    assert fresh.controls["date_from"].value == dt.date(2016, 7, 1)
    assert fresh.view.counts.incidents == 6


def test_clicking_a_cell_or_a_point_opens_the_incident(fresh):
    fresh.set_filters(statuses=["contradict"])
    _select(fresh.charts["matrix"], MATRIX_PICK, {"vlPoint": {"or": [{"incident_id": "med-2018-09-17-il20"}]}})
    assert fresh.chosen == "med-2018-09-17-il20"
    assert 'data-incident="med-2018-09-17-il20"' in fresh.detail.value
    _select(fresh.charts["map"], MAP_PICK, {"vlPoint": {"or": [{"incident_id": "syr-2015-11-24-su24"}]}})
    assert fresh.chosen == "syr-2015-11-24-su24" and fresh.incident_picker.value == "syr-2015-11-24-su24"


def test_a_redrawn_charts_empty_selection_changes_nothing(fresh):
    fresh.set_filters(countries=["Syria"])
    _select(fresh.charts["timeline"], TIMELINE_BRUSH, None)
    _select(fresh.charts["matrix"], MATRIX_PICK, None)
    assert fresh.spec == FilterSpec(countries=["Syria"])


def test_picking_a_status_in_the_shares_matrix_filters_by_it(synthetic):
    from ddj.widgets import Explorer

    explorer = Explorer(synthetic.dataset, comparison=synthetic.comparison, debounce=0)
    # A click on the "contradict" part of the crew-killed bar keeps the incidents contradicted on the crew
    # killed, not every incident contradicted somewhere (issue 19: "filters that lie").
    _select(
        explorer.charts["matrix"],
        STATUS_PICK,
        {"vlPoint": {"or": [{"attribute": "crew killed", "status": "contradict"}]}},
    )
    assert explorer.spec.attribute_statuses == ("crew_killed:contradict",) and not explorer.spec.statuses
    attributes = synthetic.comparison.attributes.with_columns(pl.col("attribute", "status").cast(pl.String))
    on_crew = attributes.filter((pl.col("attribute") == "crew_killed") & (pl.col("status") == "contradict"))
    anywhere = attributes.filter(pl.col("status") == "contradict")["incident_id"].n_unique()
    assert explorer.view.counts.incidents == on_crew.height < anywhere
    # the bar's share is what the filter keeps
    bar = explorer.data.view(FilterSpec()).matrix.filter(
        (pl.col("attribute") == "crew killed") & (pl.col("status") == "contradict")
    )
    assert bar["incidents"].to_list() == [on_crew.height]


# --- widget values in, frames and counts out ------------------------------------------------------------


def test_there_is_one_control_per_filter_with_the_declared_help(fresh):
    assert list(fresh.controls) == [item.name for item in FILTERS]
    for item in FILTERS:
        assert fresh.controls[item.name].tooltip == item.help
    options = [value for _, value in fresh.controls["statuses"].options]
    assert options == list(STATUSES)
    assert [value for _, value in fresh.controls["countries"].options] == [
        "Mediterranean Sea (waters off Syria)",
        "Russia",
        "Syria",
    ]


def test_setting_widget_values_filters_the_frames_and_the_counts(fresh):
    fresh.controls["statuses"].value = ("official_silent",)
    assert fresh.spec == FilterSpec(statuses=["official_silent"])
    assert fresh.view.counts.incidents == 1
    assert fresh.view.table["incident_id"].to_list() == ["syr-2016-08-retaliation-strikes"]
    assert 'data-incidents="1"' in fresh.counts.value and 'data-rows="1"' in fresh.table.value
    total = fresh.data.dataset.incidents.height
    assert fresh.charts["matrix"].spec["title"]["text"] == f"What each side says: 1 of {total} incidents"
    fresh.controls["statuses"].value = ()
    fresh.controls["countries"].value = ("Syria",)
    fresh.controls["date_from"].value = dt.date(2018, 1, 1)
    assert fresh.view.counts.incidents == 6
    assert fresh.view.table["date"].to_list() == [
        "2018-01-05",
        "2018-02-03",
        "2018-03-06",
        "2018-05-07",
        "2021-02-25",
        "2021-02-28",
    ]
    fresh.controls["sides"].value = ("unofficial",)
    fresh.controls["source_kinds"].value = ("monitor_ngo",)  # the Observatory, on the drones and the Mi-35
    assert fresh.view.table["incident_id"].to_list() == ["syr-2018-01-06-hmeimim-drones", "syr-2021-02-28-mi35"]
    fresh.controls["source_kinds"].value = ("state_media",)  # SANA, on the Mi-35 only
    assert fresh.view.table["incident_id"].to_list() == ["syr-2021-02-28-mi35"]
    fresh.controls["incident_ids"].value = "syr-2016-08-01-mi8amtsh, syr-2021-02-28-mi35"
    assert fresh.spec.incident_ids == ("syr-2016-08-01-mi8amtsh", "syr-2021-02-28-mi35")
    assert fresh.view.counts.incidents == 1


def test_presets_and_set_filters_update_the_widgets(fresh):
    buttons = {b.description: b for b in fresh.ui.children[0].children[1].children}
    buttons["Contradictions only"].click()
    assert fresh.controls["statuses"].value == ("contradict",)
    # the Su-24M, the T4 helicopters, the MiG-29KR, the Hmeimim shelling, the Ka-52, the Il-20 and the Mi-35
    assert fresh.view.counts.incidents == 7
    assert fresh.view.table["incident_id"].to_list() == [
        "syr-2015-11-24-su24",
        "syr-2016-05-t4-helicopters",
        "med-2016-11-13-mig29kr",
        "syr-2017-12-31-hmeimim-mortar",
        "syr-2018-05-07-ka52",
        "med-2018-09-17-il20",
        "syr-2021-02-28-mi35",
    ]
    fresh.set_filters(FilterSpec(grades=["fair"], date_to="2020-01-01"))
    assert fresh.controls["grades"].value == ("fair",) and fresh.controls["statuses"].value == ()
    assert fresh.controls["date_to"].value == dt.date(2020, 1, 1)
    fresh.clear_filters()
    assert all(not c.value for c in fresh.controls.values())
    assert fresh.view.counts.incidents == fresh.data.dataset.incidents.height


def test_dates_in_the_wrong_order_leave_the_view_and_say_why(fresh):
    fresh.controls["date_from"].value = dt.date(2018, 1, 1)
    fresh.controls["date_to"].value = dt.date(2017, 1, 1)
    assert "backwards" in fresh.message.value
    assert fresh.spec == FilterSpec(date_from="2018-01-01")
    fresh.controls["date_to"].value = dt.date(2019, 1, 1)
    assert fresh.message.value == "" and fresh.spec.date_to == dt.date(2019, 1, 1)


def test_the_incident_list_opens_accounts_and_narrative(fresh):
    fresh.set_filters(statuses=["official_silent"])
    assert [v for _, v in fresh.incident_picker.options] == [None, "syr-2016-08-retaliation-strikes"]
    fresh.incident_picker.value = "syr-2016-08-retaliation-strikes"
    html = fresh.detail.value
    assert 'class="ddj-x-accounts" data-accounts="4"' in html  # Defence24's three relayed voices and Pravda
    assert 'data-status="official_silent"' in html
    assert "has not publicly acknowledged the strike campaign" in html  # the narrative's own words
    assert 'class="ddj-cite"' in html  # footnoted


def test_the_view_becomes_a_report_and_a_command(fresh):
    fresh.set_filters(countries=["Syria"], date_from="2016-01-01")
    entry = fresh.report("theatre-overview")
    assert entry.parameters == {"dataset": "syria-ru-aviation", "country": "Syria", "date_from": "2016-01-01"}
    fresh.report_button.click()
    assert "ddj run notebooks/theatre-overview.ipynb" in fresh.report_output.value
    assert "[reports.theatre-overview-syria-2016-01-01]" in fresh.report_output.value
    words = shlex.split(fresh.command())
    assert words[:3] == ["ddj", "explore", "syria-ru-aviation"]
    assert read_filter_flags(build_parser().parse_args(words[1:])) == fresh.spec
    fresh.set_filters(countries=["Syria", "Russia"])
    fresh.report_button.click()
    assert "always covers one country" in fresh.report_output.value


def test_the_explorer_starts_from_a_json_view_and_refuses_unknown_values(syria):
    from ddj.widgets import Explorer

    explorer = Explorer(syria[0], filters='{"statuses": ["official_silent"]}', comparison=syria[1], debounce=0)
    assert explorer.view.counts.incidents == 1 and explorer.controls["statuses"].value == ("official_silent",)
    with pytest.raises(UsageError, match="Did you mean 'Syria'"):
        Explorer(syria[0], filters={"countries": ["Syira"]}, comparison=syria[1])
    assert ddj.Explorer is Explorer and ddj.FilterSpec is FilterSpec


def test_text_from_the_data_is_escaped(tmp_path):
    from ddj.widgets import Explorer

    explorer = Explorer(str(write_hostile_package(tmp_path / "hostile")), debounce=0)
    details = []
    for incident_id in explorer.view.table["incident_id"]:
        explorer.choose(incident_id)
        details.append(explorer.detail.value)
    for html in (explorer.table.value, explorer.counts.value, *details):
        assert "<script>" not in html and "onerror=" not in html.replace("onerror=&quot;", "")
        assert "<iframe" not in html and "<svg onload" not in html
    detail = "".join(details)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in detail
    assert 'href="https://example.org/a%22%3E%3Cscript%3E' in detail  # the link is percent-encoded


# --- serving --------------------------------------------------------------------------------------------


def test_the_explore_notebook_is_thin_and_takes_a_dataset_and_filters():
    from ddj.report.runner.params import read_parameters

    path = ROOT / "notebooks" / "explore.ipynb"
    declared = read_parameters(path)
    assert declared.names == ["dataset", "filters"]
    assert declared["dataset"].is_dataset and declared["dataset"].dataset_kind == "incidents"
    nb = nbformat.read(path, as_version=4)
    assert "ddj.Explorer(dataset, filters=filters)" in nb.cells[-1].source


def test_the_served_notebook_has_the_dataset_and_view_injected(tmp_path):
    spec = FilterSpec(statuses=["official_silent"])
    path = serve.write_notebook(tmp_path, "syria-ru-aviation", spec)
    nb = nbformat.read(path, as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    at = tags.index(["parameters"])
    assert tags[at + 1] == ["injected-parameters"]
    namespace: dict = {}
    exec(nb.cells[at].source + "\n" + nb.cells[at + 1].source, namespace)
    assert namespace["dataset"] == "syria-ru-aviation"
    assert FilterSpec.from_json(namespace["filters"]) == spec


def test_the_served_notebook_names_each_start_up_step_and_the_explorer_reuses_what_they_prepared(tmp_path):
    from ddj.widgets import startup

    path = serve.write_notebook(tmp_path, "syria-ru-aviation", FilterSpec(statuses=["official_silent"]))
    nb = nbformat.read(path, as_version=4)
    at = [c.metadata.get("tags", []) for c in nb.cells].index(["injected-parameters"])
    # what the page says while the next cell runs, from the injected parameters to the notebook's own cell
    said = [c.metadata.get("ddj", {}).get("then") for c in nb.cells[at:-1]]
    assert said == [message for _, message in startup.STEPS] + [startup.DRAW]
    assert [c.metadata["ddj"]["step"] for c in nb.cells[at + 1 : -1]] == ["load", "compare", "prepare"]
    namespace: dict = {}
    for cell in nb.cells:  # run the served notebook as Voila does, cell by cell
        if cell.cell_type == "code":
            exec(cell.source, namespace)
            if cell.metadata.get("ddj", {}).get("step") == "prepare":
                prepared = startup.waiting("syria-ru-aviation")
    explorer = namespace["explorer"]
    assert prepared is not None and explorer.data is prepared  # loaded and compared once, not again
    assert startup.waiting("syria-ru-aviation") is None  # handed over, not kept
    assert explorer.view.table["incident_id"].to_list() == ["syr-2016-08-retaliation-strikes"]
    assert startup.take("syria-ru-aviation") is None


def test_start_up_steps_out_of_order_are_refused():
    from ddj.widgets import startup

    with pytest.raises(UsageError, match="no start-up step 'prepare' at this point"):
        startup.run("prepare", "never-loaded")
    assert startup.take("never-loaded") is None


def test_the_template_shows_each_step_under_the_spinner_and_stops_its_clock():
    template = (Path(serve.__file__).parent / "_jupyter/voila/templates/ddj/index.html.j2").read_text()
    assert "{%- block any_cell scoped -%}" in template and "{{ super() }}" in template
    assert "get('then')" in template and "{{ then | tojson }}" in template  # JSON-quoted, not raw text
    assert 'getElementById("loading_text")' in template and "clearInterval(window.ddjClock)" in template


def test_voila_runs_on_localhost_with_the_template_without_cdns():
    command = serve.voila_command("/tmp/x.ipynb", 8123)
    assert "--Voila.ip=127.0.0.1" in command and "--port=8123" in command and "--no-browser" in command
    assert f"--template={serve.TEMPLATE}" in command
    env = serve.voila_environment({"JUPYTER_PATH": "/elsewhere"})
    first, *rest = env["JUPYTER_PATH"].split(":")
    template = Path(first) / "voila" / "templates" / serve.TEMPLATE
    assert (template / "conf.json").is_file() and rest == ["/elsewhere"]
    text = (template / "index.html.j2").read_text(encoding="utf-8")
    assert "fontawesome" in text and "html_head_js_mermaidjs" in text  # the two CDN references it removes
    assert 1024 <= serve.free_port() < 65536


def test_the_dataset_is_checked_before_voila_starts(capsys):
    assert serve.check_dataset("syria-ru-aviation") == "syria-ru-aviation"
    with pytest.raises(DatasetNotFoundError):
        serve.check_dataset("no-such-dataset")
    with pytest.raises(UsageError, match="tally dataset"):
        serve.check_dataset("ukraine-equipment-losses")
    assert main(["explore", "no-such-dataset", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ddj explore: error: no dataset 'no-such-dataset'") and "Traceback" not in err
    assert main(["explore", "--status", "nope", "--no-browser"]) == 2
    assert "--status 'nope' is not one of" in capsys.readouterr().err


def test_a_folder_is_passed_as_an_absolute_path(tmp_path, monkeypatch):
    folder = write_hostile_package(tmp_path / "pkg")
    monkeypatch.chdir(tmp_path)
    assert serve.check_dataset("pkg") == str(folder.resolve())


# --- words, never raw codes (issue 19, item 5) ------------------------------------------------------------


_RAW = (
    "official_silent",
    "no_official_record",
    "unofficial_only",
    "official_only",
    "hostile_fire",
    "friendly_fire",
    "technical_failure",
    "monitor_ngo",
    "monitor ngo",
    "state_media",
    "official_military",
)


def test_filter_options_show_the_models_words_not_codes(fresh):
    from ddj.charts.theme import SIDE_LABELS, STATUS_LABELS
    from ddj.model import SOURCE_KIND_LABELS

    def words(control):  # an option reads "label (count)"
        return [re.sub(r" \([\d,]+\)$", "", label) for label, _ in fresh.controls[control].options]

    assert words("statuses") == [STATUS_LABELS[s] for s in STATUSES]
    assert words("sides") == [SIDE_LABELS[s] for s in ("official", "unofficial")]
    kinds = fresh.controls["source_kinds"].options
    assert kinds and words("source_kinds") == [SOURCE_KIND_LABELS[value] for _, value in kinds]
    assert "monitor or NGO" in SOURCE_KIND_LABELS.values()
    for control in fresh.controls.values():
        for label, _ in getattr(control, "options", ()):
            assert "_" not in str(label), label


def test_the_counts_line_names_the_filters_in_words(fresh):
    fresh.set_filters(statuses=["official_silent", "no_official_record"], source_kinds=["monitor_ngo"])
    text = fresh.counts.value
    assert "no official account, though searched for; others report" in text
    assert "monitor or NGO" in text
    assert not any(code in text for code in _RAW), text


def test_matrix_cells_and_accounts_say_causes_in_words(data):
    rows = data.view(FilterSpec())
    frame = data.view(FilterSpec(incident_ids=["syr-2015-11-24-su24"])).matrix
    assert frame.height and rows.counts.incidents
    values = " ".join(frame["official"].to_list() + frame["others"].to_list())
    assert "hostile fire" in values
    assert not any(code in values for code in _RAW), values
    from ddj.widgets.views import incident_html

    page = incident_html(data, "syr-2015-11-24-su24")
    head = page.split("<tbody>")[0]
    assert not any(code in head for code in _RAW), head


def test_an_agreement_resting_on_outlets_repeating_the_ministry_says_so(data):
    """The Mi-35's cause: the only other account is Defense World repeating the ministry."""
    from ddj.widgets.views import incident_html

    rows = incident_html(data, "syr-2021-02-28-mi35").split("<tr")
    cause = next(r for r in rows if '<th scope="row">cause</th>' in r)
    place = next(r for r in rows if '<th scope="row">place</th>' in r)
    assert "official and other accounts agree, but the other accounts only repeat the officials" in cause
    assert "official and other accounts agree</td>" in place  # SANA, the Syrian source and SOHR are independent


# --- the view as a shareable URL (issue 19, item 4) --------------------------------------------------------


def test_a_view_round_trips_through_a_query_string():
    from ddj.widgets.explorer import spec_from_query, spec_to_query

    spec = FilterSpec(
        countries=["Syria", "Turkey & co"],
        statuses=["official_silent", "contradict"],
        date_from="2016-01-01",
        incident_ids=["syr-2015-11-24-su24"],
        search="Mi-8 & co=1?",
        attribute_statuses=["crew_killed:contradict", "cause:official_silent"],
    )
    query = spec_to_query(spec)
    assert spec_from_query(query) == spec and spec_from_query("?" + query) == spec
    assert spec_from_query("token=abc&" + query) == spec  # Voila's token is not a filter
    assert spec_to_query(FilterSpec()) == "" and spec_from_query("") == FilterSpec()
    with pytest.raises(UsageError):
        spec_from_query("statuses=silence")


def test_the_explorer_opens_the_view_its_link_names(explorer, monkeypatch):
    from ddj.widgets import Explorer

    explorer.set_filters(statuses=["official_silent"])
    try:
        link = explorer.link.value
    finally:
        explorer.clear_filters()
    assert 'href="?statuses=official_silent"' in link
    # Voila gives the visitor's kernel the page's query string as QUERY_STRING
    monkeypatch.setenv("QUERY_STRING", "token=x&statuses=official_silent")
    shared = Explorer(explorer.dataset, comparison=explorer.data.comparison, debounce=0)
    assert shared.spec == FilterSpec(statuses=["official_silent"])
    assert shared.view.table["incident_id"].to_list() == ["syr-2016-08-retaliation-strikes"]
    assert shared.controls["statuses"].value == ("official_silent",)
    # a bad link says so in the page and opens the view asked for otherwise
    bad = Explorer(
        explorer.dataset,
        comparison=explorer.data.comparison,
        debounce=0,
        query="countries=Atlantis",
        filters={"countries": ["Syria"]},
    )
    assert bad.spec == FilterSpec(countries=["Syria"]) and "Atlantis" in bad.message.value


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("countries=Atlantis", ["countries=Atlantis: no incident has that country"]),
        ("countries=syria", ["countries=syria: no incident has that country. Did you mean 'Syria'?"]),
        ("date_from=2016-13-45", ["date_from=2016-13-45: not a date; write it as YYYY-MM-DD"]),
        ("statuses=silence", ["statuses=silence is not one of: agree, contradict"]),
        ("country=Syria", ["country=Syria: there is no filter named country; did you mean countries=?"]),
        (
            "statuses=contradict&countries=Atlantis&date_to=yesterday",
            ["countries=Atlantis: no incident", "date_to=yesterday: not a date"],
        ),
        ("date_from=2017-01-01&date_to=2016-01-01", ["which is backwards; make date_from the earlier day"]),
        ("search=" + "x" * 300, ["the text is 300 characters long; keep it to 200"]),
    ],
)
def test_a_bad_address_names_each_bad_parameter_in_the_page_and_shows_every_incident(explorer, query, named):
    from ddj.widgets import Explorer

    page = Explorer(explorer.dataset, comparison=explorer.data.comparison, debounce=0, query=query)
    assert page.spec == FilterSpec() and page.view.counts.incidents == 20  # the unfiltered view, drawn
    message = unescape(page.message.value)
    assert 'role="alert"' in message and "Showing every incident instead" in message
    assert "Correct or remove the parameter in the address" in message
    for words in named:
        assert words in message
    assert message.count("<li>") == len(named)
    assert "Traceback" not in message and "--" not in message  # the address's names, not the command line's


def test_an_address_value_is_escaped_and_cut_in_the_page(explorer):
    from ddj.widgets import Explorer

    query = "countries=" + quote("<script>alert(1)</script>" + "y" * 100)
    page = Explorer(explorer.dataset, comparison=explorer.data.comparison, debounce=0, query=query)
    assert "<script>" not in page.message.value and "&lt;script&gt;" in page.message.value
    assert "y" * 100 not in page.message.value  # a long value is quoted short in the message's first line


def test_a_good_address_names_no_problem_and_voila_names_are_not_filters(explorer):
    from ddj.widgets.explorer import view_from_address

    facts = explorer.data.facts
    spec, problems = view_from_address("token=abc&voila-theme=dark&statuses=contradict&statuses=agree", facts)
    assert problems == [] and spec == FilterSpec(statuses=["contradict", "agree"])
    assert view_from_address("", facts) == (None, []) and view_from_address("token=abc", facts) == (None, [])


def test_the_link_carries_the_lists_order_and_page_and_a_page_opens_on_them(explorer, monkeypatch):
    from ddj.widgets import Explorer
    from ddj.widgets import explorer as module
    from ddj.widgets.explorer import list_from_address, spec_to_query

    assert spec_to_query(FilterSpec(), order="date", page=0) == ""
    assert list_from_address(spec_to_query(FilterSpec(), order="-grade", page=3)) == ("-grade", 3, [])
    explorer.page_size = 6
    try:
        explorer.sort_rows("-date")
        explorer.turn_page(2)
        link = unescape(explorer.link.value)
        shown = explorer.rows["incident_id"].to_list()
    finally:
        explorer.page_size = state.TABLE_ROWS
        explorer.sort_rows("date")
        explorer.refresh()
    assert 'href="?order=-date&page=3"' in link
    assert "order=" not in explorer.link.value and "page=" not in explorer.link.value  # back to the first
    monkeypatch.setattr(module, "TABLE_ROWS", 6)  # pages of six rows from the start, as the first page had
    page = Explorer(
        explorer.dataset, comparison=explorer.data.comparison, debounce=0, query="token=x&order=-date&page=3"
    )
    assert page.order == "-date" and page.page == 2 and page.rows["incident_id"].to_list() == shown
    assert page.order_picker.value == "-date" and page.table.order == "-date"
    assert 'data-page="2"' in page.page_label.value and page.message.value == ""
    # a page past the end shows the last one (twenty incidents: pages of 6, 6, 6 and 2)
    far = Explorer(explorer.dataset, comparison=explorer.data.comparison, debounce=0, query="order=grade&page=99")
    assert far.order == "grade" and far.page == 3 and far.rows.height == 2 and 'page=4"' in far.link.value


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("order=colour", "order=colour: there is no such order; write one of date, -date, grade, -grade, status"),
        ("page=0", "page=0: write a page number from 1"),
        ("page=two", "page=two: write a page number from 1"),
        ("page=-1", "page=-1: write a page number from 1"),
        ("page=%C2%B2", "page=²: write a page number from 1"),
    ],
)
def test_a_bad_order_or_page_in_the_address_is_named_and_the_first_page_shown(explorer, query, named):
    from ddj.widgets import Explorer

    page = Explorer(
        explorer.dataset, comparison=explorer.data.comparison, debounce=0, query=f"statuses=contradict&{query}"
    )
    assert named in unescape(page.message.value)
    assert page.order == "date" and page.page == 0 and page.spec == FilterSpec(statuses=["contradict"])


# --- attribute × status, facets and search (issue 19, item 4) ----------------------------------------------


def test_the_attribute_status_widget_filters_and_says_so_in_words_and_in_the_link(fresh):
    control = fresh.controls["attribute_statuses"]
    assert "crew_killed:contradict" in [value for _, value in control.options]
    assert not any(value.endswith(":no_official_record") for _, value in control.options)  # none in this data
    control.value = ("crew_killed:contradict",)
    assert fresh.spec == FilterSpec(attribute_statuses=["crew_killed:contradict"])
    assert fresh.view.table["incident_id"].to_list() == ["syr-2015-11-24-su24", "syr-2021-02-28-mi35"]
    assert 'data-incidents="2"' in fresh.counts.value
    assert "attribute and status: crew killed — official and other accounts contradict" in fresh.counts.value
    assert not any(code in fresh.counts.value for code in _RAW)
    assert 'href="?attribute_statuses=crew_killed%3Acontradict"' in fresh.link.value
    from ddj.widgets.explorer import spec_from_query

    assert spec_from_query("attribute_statuses=crew_killed%3Acontradict") == fresh.spec


def _facet_truth(data, spec, name, value):
    """What choosing ``value`` alone in filter ``name`` keeps, with every other filter of ``spec`` as it is."""
    return data.view(spec.replace(**{name: (value,)})).counts.incidents


@pytest.mark.parametrize(
    "spec",
    [
        FilterSpec(),
        FilterSpec(countries=["Syria"], statuses=["contradict"]),
        FilterSpec(sides=["official"], source_kinds=["official_government"]),
        FilterSpec(search="mi", date_from="2016-01-01"),
    ],
)
def test_every_facet_count_is_what_choosing_that_value_gives(data, spec):
    facets = data.facets(spec)
    assert "incident_ids" not in facets and "search" not in facets
    for name, counts in facets.items():
        assert counts, name
        for value, n in counts.items():
            assert n == _facet_truth(data, spec, name, value), (name, value)


def test_the_options_show_their_counts_under_the_other_filters(fresh):
    fresh.controls["countries"].value = ("Syria",)
    grades = {value: label for label, value in fresh.controls["grades"].options}
    assert grades["contested"] == "contested (5)" and grades["discounted"] == "discounted (0)"
    # a filter's own choice leaves its counts as they were: Russia still says what choosing it gives
    countries = {value: label for label, value in fresh.controls["countries"].options}
    assert countries["Russia"] == "Russia (1)" and countries["Syria"] == "Syria (15)"
    assert fresh.controls["countries"].value == ("Syria",)  # relabelling keeps the choice
    fresh.controls["grades"].value = ("contested",)
    countries = {value: label for label, value in fresh.controls["countries"].options}
    assert countries["Syria"] == "Syria (5)" and fresh.view.counts.incidents == 5


def _searched(syria, text: str) -> set[str]:
    """What a search must find, worked out in plain Python: the needle in any case, white space collapsed, in one
    of an incident's title, place, region, country, aircraft, id, summary or account statements.
    """
    dataset, comparison = syria
    needle = " ".join(text.split()).lower()
    fields: dict[str, list[str]] = {}
    for row in dataset.incidents.iter_rows(named=True):
        fields[row["incident_id"]] = [
            str(row[c]) for c in ("title", "place", "region", "country", "aircraft_model", "incident_id", "summary")
        ]
    for incident_id, statement in comparison.accounts.select("incident_id", "statement").iter_rows():
        fields[incident_id].append(statement or "")
    return {i for i, texts in fields.items() if any(needle in " ".join(t.split()).lower() for t in texts)}


@pytest.mark.parametrize(
    "text",
    ["MI-8", "latakia", "radio or VISUAL", "radio   or\tvisual", "small-arms fire", ".*", "(", "bomber", "zzz"],
)
def test_search_finds_titles_places_summaries_and_statements_in_any_case_and_literally(data, syria, text):
    found = set(data.view(FilterSpec(search=text), table_rows=100).table["incident_id"])
    assert found == _searched(syria, text)


def test_search_reads_summaries_and_statements_and_never_matches_across_two_fields(data, syria):
    dataset, _ = syria
    in_statements = {"radio or visual", "small-arms fire"}  # words only account statements hold
    for text in in_statements:
        assert not dataset.incidents.filter(
            pl.col("summary").str.to_lowercase().str.contains(text, literal=True)
        ).height
        assert data.view(FilterSpec(search=text)).counts.incidents >= 1
    # the end of the title and the start of the place side by side are found in no incident's text
    row = dataset.incidents.row(0, named=True)
    across = f"{row['title'].split()[-1]} {str(row['place']).split()[0]}"
    assert data.view(FilterSpec(search=across)).counts.incidents == len(_searched(syria, across))
    # other filters narrow a search as they narrow anything
    both = data.view(FilterSpec(search="mi-8", statuses=["contradict"]), table_rows=100).table["incident_id"]
    alone = set(data.view(FilterSpec(statuses=["contradict"]), table_rows=100).table["incident_id"])
    assert set(both) == _searched(syria, "mi-8") & alone


@pytest.mark.parametrize(
    "spec",
    [
        FilterSpec(search="radio or VISUAL"),  # only a statement says it
        FilterSpec(search="small-arms   fire"),  # a statement, with runs of spaces
        FilterSpec(search="killed"),  # summaries and statements
        FilterSpec(search=".*"),  # a pattern's characters, literal: nothing
        FilterSpec(search="(", countries=["Syria"]),
        FilterSpec(search="mi-8", statuses=["contradict"]),
    ],
)
def test_a_report_keeps_the_incidents_the_explorer_shows_for_a_search(data, syria, spec):
    dataset, comparison = syria
    shown = set(data.view(spec, table_rows=100).table["incident_id"])
    assert shown == _searched(syria, spec.search) & (
        set(data.view(spec.replace(search=None), table_rows=100).table["incident_id"])
    )
    # what a report notebook, ddj run and ddj compare --search keep (ddj.filters: select_incidents and apply)
    assert set(spec.select_incidents(dataset, comparison)["incident_id"]) == shown
    assert set(spec.apply(dataset, comparison).incidents["incident_id"]) == shown
    assert set(spec.filter_incidents(incident_facts(dataset, comparison, search=True))["incident_id"]) == shown


def test_a_summary_only_search_is_the_same_in_the_explorer_and_a_report(data, syria):
    dataset, comparison = syria
    # a word of one incident's summary that no title, place, region, country, model, id or statement holds
    own = ("title", "place", "region", "country", "aircraft_model", "incident_id")
    elsewhere = " ".join(
        [*(" ".join(str(v) for v in row) for row in dataset.incidents.select(own).rows())]
        + [str(s) for s in comparison.accounts["statement"].to_list()]
    ).lower()
    word = next(
        w
        for summary in dataset.incidents["summary"].drop_nulls().to_list()
        for w in summary.lower().split()
        if len(w) > 6 and w.isalpha() and w not in elsewhere
    )
    spec = FilterSpec(search=word.upper())
    shown = set(data.view(spec, table_rows=100).table["incident_id"])
    assert shown and shown == set(spec.select_incidents(dataset, comparison)["incident_id"])


def test_search_in_the_widget_is_literal_and_escaped(fresh, syria):
    fresh.controls["search"].value = "MI-8"
    assert fresh.spec.search == "MI-8"
    assert set(fresh.rows["incident_id"]) == _searched(syria, "MI-8")
    assert "syr-2015-11-24-su24" in set(fresh.rows["incident_id"])  # its summary: a Mi-8 lost in the rescue
    assert "search: “MI-8”" in fresh.counts.value and "search=MI-8" in fresh.link.value
    fresh.controls["search"].value = ".*"  # not a pattern
    assert fresh.view.counts.incidents == 0 and "No incident matches" in fresh.table.value
    fresh.controls["search"].value = "<script>"
    assert "&lt;script&gt;" in fresh.counts.value and "<script>" not in fresh.counts.value
    fresh.clear_filters()
    assert fresh.controls["search"].value == "" and fresh.spec.is_empty


# --- rows a reporter can use: sorted, paged, clickable ----------------------------------------------------------


def test_the_list_sorts_by_date_grade_and_status(fresh):
    from ddj.model import GRADES

    dates = fresh.rows["date"].to_list()
    assert dates == sorted(dates) and len(dates) == 20
    fresh.order_picker.value = "-date"
    assert fresh.rows["date"].to_list() == sorted(dates, reverse=True)
    fresh.table.order = "grade"  # a click on the grade heading, as the browser sends it
    assert fresh.order_picker.value == "grade"
    ranks = [GRADES.index(g) for g in fresh.rows["grade"]]
    assert ranks == sorted(ranks) and 'data-order="grade"' in fresh.table.value
    fresh.sort_rows("-grade")
    assert [GRADES.index(g) for g in fresh.rows["grade"]] == sorted(ranks, reverse=True)
    fresh.sort_rows("status")
    flags = fresh.rows["stands_out"].to_list()
    assert flags[:7] == ["contradictions"] * 7 and flags[7] == "no official account recorded"
    assert set(flags[8:]) == {""}
    with pytest.raises(UsageError, match="no row order"):
        fresh.sort_rows("colour")
    fresh.sort_rows("date")


def test_the_list_pages_through_every_row(fresh):
    fresh.page_size = 6
    try:
        fresh.refresh()
        seen = []
        assert fresh.previous_button.disabled
        while True:
            seen += fresh.rows["incident_id"].to_list()
            if fresh.next_button.disabled:
                break
            fresh.next_button.click()
        assert seen == fresh.data.view(FilterSpec(), table_rows=100).table["incident_id"].to_list()
        assert fresh.page == 3 and 'data-pages="4"' in fresh.page_label.value
        assert "rows 19–20 of 20" in fresh.table.value
        fresh.previous_button.click()
        assert fresh.page == 2
        fresh.set_filters(statuses=["contradict"])  # a new view starts at its first page
        assert fresh.page == 0 and fresh.rows.height == 6 and not fresh.next_button.disabled
    finally:
        fresh.page_size = state.TABLE_ROWS
        fresh.refresh()


def test_a_row_click_opens_the_incident_and_marks_it(fresh):
    assert 'data-sort="date"' in fresh.table.value and 'data-incident="syr-2021-02-28-mi35"' in fresh.table.value
    fresh.table.clicked = "syr-2021-02-28-mi35"  # what the browser sends on a click
    assert fresh.chosen == "syr-2021-02-28-mi35" and fresh.table.clicked == ""
    assert 'data-incident="syr-2021-02-28-mi35"' in fresh.detail.value
    assert fresh.table.chosen == "syr-2021-02-28-mi35"  # the page scrolls to the accounts and marks the row
    fresh.incident_picker.value = "syr-2015-11-24-su24"
    assert fresh.table.chosen == "syr-2015-11-24-su24"
    fresh.refresh()
    assert '<tr data-incident="syr-2015-11-24-su24" class="ddj-x-chosen"' in fresh.table.value


def test_the_table_script_is_inline_and_builds_no_html_from_data():
    from ddj.widgets.table import IncidentTable

    script = IncidentTable._esm  # noqa: SLF001 - anywidget keeps a widget's front-end module in _esm
    assert "import " not in script and "http" not in script  # nothing fetched
    assert script.count("innerHTML") == 1 and 'model.get("value")' in script  # only the escaped table


# --- download the view ------------------------------------------------------------------------------------------


def _download(html: str, suffix: str) -> str:
    match = re.search(
        rf'class="ddj-x-download-{suffix}" download="([^"]+)" href="data:[^;]+;charset=utf-8;base64,'
        r'([A-Za-z0-9+/=]+)"',
        html,
    )
    assert match, html[:300]
    assert match.group(1).endswith(f".{suffix}")
    return base64.b64decode(match.group(2)).decode("utf-8")


def test_the_view_downloads_as_csv_and_json(fresh):
    fresh.set_filters(attribute_statuses=["crew_killed:contradict"])
    html = fresh.download_links.value
    csv_rows = pl.read_csv(io.StringIO(_download(html, "csv")))
    records = json.loads(_download(html, "json"))
    ids = ["syr-2015-11-24-su24", "syr-2021-02-28-mi35"]
    assert csv_rows["incident_id"].to_list() == [r["incident_id"] for r in records] == ids
    assert csv_rows["status_crew_killed"].to_list() == ["contradict", "contradict"]
    assert records[0]["date_start"] == "2015-11-24" and records[0]["grade"] == "contested"
    assert not any(c.startswith("_") for c in csv_rows.columns)
    assert 'download="syria-ru-aviation-attribute-and-status-crew_killed-contradict.csv"' in html


_FORMULAS = (
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
)


def _formula_package(folder: Path) -> Path:
    from tests.fixtures.minimal import write_package

    def mutate(tables: dict) -> None:
        for number, row in enumerate(tables["incidents"]):
            row["title"] = _FORMULAS[number % len(_FORMULAS)] + " <script>window.__pwned=1</script>"
            row["place"] = _FORMULAS[(number + 1) % len(_FORMULAS)]
            row["region"] = _FORMULAS[(number + 3) % len(_FORMULAS)]

    return write_package(folder, mutate)


def test_a_downloaded_csv_runs_no_formula_and_the_page_shows_no_markup(tmp_path):
    from ddj.html import FORMULA_STARTS
    from ddj.widgets import Explorer

    explorer = Explorer(str(_formula_package(tmp_path / "formulas")), debounce=0)
    html = explorer.download_links.value
    assert "<script" not in html
    text = _download(html, "csv")
    cells = [cell for row in pl.read_csv(io.StringIO(text), infer_schema=False).rows() for cell in row if cell]
    numbers = re.compile(r"^-?\d+(\.\d+)?$")
    assert cells and not [c for c in cells if c.startswith(FORMULA_STARTS) and not numbers.match(c)]
    for formula in ("=HYPERLINK", "+cmd", "@SUM", "-2+3"):
        assert any(c.startswith("'" + formula) for c in cells), formula
    assert "<script>window.__pwned=1</script>" in text  # the CSV holds the text as it is; only the page escapes


def test_a_large_view_is_downloaded_on_request_or_written_by_a_command(fresh, monkeypatch):
    from ddj.widgets import download, explorer

    monkeypatch.setattr(explorer, "DOWNLOAD_AUTO_ROWS", 5)
    fresh.refresh()
    assert fresh.download_links.value == "" and fresh.download_button.layout.display is None
    assert "(20 incidents)" in fresh.download_button.description
    fresh.download_button.click()
    assert len(pl.read_csv(io.StringIO(_download(fresh.download_links.value, "csv")))) == 20
    monkeypatch.setattr(download, "DOWNLOAD_MAX_ROWS", 10)
    fresh.download()
    assert "more than 10" in fresh.download_links.value
    assert "ddj compare syria-ru-aviation --out view.csv" in fresh.download_links.value
