"""ddj.charts on the curated dataset: valid specs, SVGs with their marks, titles, sources, alt text, offline maps."""

from __future__ import annotations

import datetime as dt
import json
import warnings
import xml.etree.ElementTree as ET

import altair as alt
import jsonschema
import polars as pl
import pytest

import ddj
import ddj.charts as charts
from ddj.charts.theme import OKABE_ITO, STATUS_COLOURS, STATUS_LABELS
from ddj.errors import UsageError
from ddj.model import COMPARED_ATTRIBUTES
from ddj.warnings import DataReducedWarning, ImpreciseLocationWarning
from tests.fixtures.chart_inputs import axis_labels, count_axis_labels

MI35 = "syr-2021-02-28-mi35"
MI8 = "syr-2016-08-01-mi8amtsh"
CAMPAIGN = "syr-2016-08-retaliation-strikes"
SVG = "{http://www.w3.org/2000/svg}"


# syria and comparison: the shipped package and its comparison, from tests/conftest.py


@pytest.fixture(scope="module")
def series():
    days = pl.date_range(dt.date(2022, 2, 24), dt.date(2022, 6, 30), "1d", eager=True)
    step = pl.int_range(0, days.len(), eager=True)
    frames = []
    for category, factor in (("aircraft", 3), ("helicopter", 2)):
        frames.append(
            pl.DataFrame(
                {"date": days, "category": category, "official": step * factor // 2, "documented": step // 3 + 1}
            ).with_columns(
                (pl.col("official") / pl.col("documented")).alias("ratio"),
                (pl.col("official") - pl.col("documented")).alias("difference"),
                pl.when(pl.col("date").dt.day() == 15).then(pl.lit(-2)).otherwise(None).alias("revision"),
            )
        )
    return pl.concat(frames)


def _all_charts(syria, comparison, series) -> dict[str, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImpreciseLocationWarning)
        located = charts.locator_map(syria)
    return {
        "timeline_one": charts.account_timeline(syria, comparison, incident_ids=MI35),
        "timeline_seeds": charts.account_timeline(syria, comparison, incident_ids=[MI8, CAMPAIGN]),
        "timeline_all": charts.account_timeline(syria, comparison),
        "matrix": charts.discrepancy_matrix(syria, comparison),
        "map": located.chart,
        "ranges_one": charts.casualty_ranges(syria, comparison, incident_ids=MI8),
        "ranges_several": charts.casualty_ranges(syria, comparison, incident_ids=[MI35, MI8, CAMPAIGN]),
        "grades": charts.grades_over_time(syria, comparison),
        "tally": charts.tally_gap(series, sources="example-tallies"),
    }


@pytest.fixture(scope="module")
def built(syria, comparison, series):
    return _all_charts(syria, comparison, series)


@pytest.fixture(scope="module")
def svgs(built):
    return {name: charts.to_svg(chart) for name, chart in built.items()}


# Each chart's marks, as the class names Vega gives their SVG groups.
MARKS = {
    "timeline_one": ["mark-symbol", "mark-rule", "mark-text"],
    "timeline_seeds": ["mark-symbol", "mark-rule", "mark-text"],
    "timeline_all": ["mark-symbol", "mark-rule", "mark-text"],
    "matrix": ["mark-rect"],
    "map": ["mark-shape", "mark-symbol", "mark-text"],
    "ranges_one": ["mark-rule", "mark-symbol", "mark-text"],
    "ranges_several": ["mark-rule", "mark-symbol", "mark-text"],
    "grades": ["mark-rect"],
    "tally": ["mark-line", "mark-symbol", "mark-rule"],
}


def test_every_chart_is_covered(built):
    assert set(built) == set(MARKS)


def test_no_chart_makes_altair_rebuild_its_schema_table(syria, comparison, series, from_dict_calls):
    """Every encoding is given as a channel object (``alt.X("n:Q")``), never a shorthand string, a dict or
    ``alt.value``: altair turns those into channels with ``from_dict``, which hashes its ~570 schema classes on each
    call (about 2.4 ms a channel, December 2026; a chart of twenty channels spent 50 ms on it).
    """
    assert alt.Chart().mark_point().encode(x="n:Q") is not None and from_dict_calls == ["X"]  # a shorthand is seen
    from_dict_calls.clear()
    _all_charts(syria, comparison, series)
    assert from_dict_calls == []


@pytest.mark.parametrize("name", list(MARKS))
def test_spec_validates_against_the_vega_lite_schema(built, name):
    spec = charts.chart_spec(built[name], validate=True)
    assert spec["$schema"] == alt.SCHEMA_URL
    jsonschema.Draft7Validator(alt.vegalite.v6.schema.core.load_schema()).validate(spec)


@pytest.mark.parametrize("name", list(MARKS))
def test_svg_draws_the_marks_and_the_title(built, svgs, name):
    svg = svgs[name]
    root = ET.fromstring(svg)
    classes = " ".join(g.get("class", "") for g in root.iter(f"{SVG}g"))
    for mark in MARKS[name]:
        assert mark in classes, f"{name}: no {mark} in the SVG"
    drawn = [el for el in root.iter() if el.tag in (f"{SVG}path", f"{SVG}line", f"{SVG}text", f"{SVG}circle")]
    assert len(drawn) > 10
    texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    title = built[name].title.text
    lines = [title] if isinstance(title, str) else title  # a long title is wrapped into lines, never cut
    assert all(line[:40] in texts for line in lines)
    assert "…" not in " ".join(lines)
    assert "Source: ddj dataset" in texts or "Source: ddj datasets" in texts
    assert "Method:" in texts


@pytest.mark.parametrize("name", list(MARKS))
def test_every_chart_carries_alt_text_a_source_line_and_a_method_note(built, svgs, syria, name):
    chart = built[name]
    text = charts.chart_alt_text(chart)
    assert len(text) > 40
    subtitle = " ".join(chart.title.subtitle)
    assert subtitle.startswith("Method: ")
    expected = "example-tallies" if name == "tally" else f"syria-ru-aviation v{syria.descriptor['version']}"
    assert f"Source: ddj dataset {expected}." in subtitle
    root = ET.fromstring(svgs[name])
    assert root.get("role") == "img"
    assert root.get("aria-label") == text
    assert root.find(f"{SVG}desc").text == text


def test_alt_text_says_what_the_charts_show(built, syria):
    # The Mi-35: the ministry and the reconciliation centre on the day; Defense World (a day later), SANA, a
    # Syrian military source and the Observatory on the other side, three of them on the day itself.
    assert charts.chart_alt_text(built["timeline_one"]) == (
        "Timeline of the accounts of “Mi-35 emergency landing near Tal Tamr, Al-Hasakah governorate”: the "
        "incident on 28 February 2021; 2 official accounts, the first on 28 February 2021; 4 other accounts, the "
        "first on 28 February 2021; official account the same day; 3 accounts marked uncertain."
    )
    assert "crew killed: official accounts 3; other accounts 3" in charts.chart_alt_text(built["ranges_one"])
    assert charts.chart_alt_text(built["timeline_seeds"]) == (
        "Timeline of 2 incidents on 1 August 2016, with 2 official accounts and 5 other accounts. 1 incident has an "
        "official account, after a median of 0 days; 1 has none."
    )
    matrix = charts.chart_alt_text(built["matrix"])
    assert matrix.startswith(
        f"Matrix of {syria.incidents.height} incidents by {len(COMPARED_ATTRIBUTES)} compared attributes"
    )
    assert "official and other accounts contradict" in matrix


def test_timeline_draws_the_acknowledgement_gap(syria, comparison):
    chart = charts.account_timeline(syria, comparison, incident_ids=[MI8, CAMPAIGN])
    spec = charts.chart_spec(chart)
    gaps = sorted((v["incident"][:20], v["gap"]) for values in spec["datasets"].values() for v in values if "gap" in v)
    assert gaps == [
        ("Mi-8 shot down over ", "official account the same day"),
        ("Reported 'Retaliatio", "no official account"),
    ]
    marks = [v for values in spec["datasets"].values() for v in values if "lane" in v and "state" in v]
    # The Mi-8: the ministry and the Kremlin, and Defence24; the campaign: Defence24's three relayed voices and Pravda.
    assert sorted(m["lane"] for m in marks) == ["official accounts"] * 2 + ["other accounts"] * 5


def test_matrix_colours_statuses_with_the_one_palette(built, syria):
    spec = charts.chart_spec(built["matrix"])
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == list(STATUS_LABELS.values())
    assert scale["range"] == [STATUS_COLOURS[s] for s in STATUS_LABELS]
    cells = next(iter(spec["datasets"].values()))
    assert len(cells) == syria.incidents.height * len(COMPARED_ATTRIBUTES) == 20 * 10
    assert {c["status"] for c in cells} <= set(STATUS_LABELS.values())


def test_status_palette_matches_the_comparison_and_is_okabe_ito():
    from ddj.compare import STATUSES

    assert tuple(STATUS_LABELS) == tuple(STATUSES)
    assert set(STATUS_COLOURS) == set(STATUSES)
    colours = [c for s, c in STATUS_COLOURS.items() if s != "unknown"]
    assert len(set(colours)) == len(colours)
    assert set(colours) <= set(OKABE_ITO.values())
    assert len(set(STATUS_LABELS.values())) == len(STATUS_LABELS)


def test_house_theme_is_registered_and_applied_on_export():
    assert charts.THEME_NAME in alt.theme.names()
    chart = alt.Chart(alt.InlineData(values=[{"n": 1}])).mark_bar().encode(x="n:Q")
    with alt.theme.enable("dark"):
        spec = charts.chart_spec(chart)
    assert spec["config"]["range"]["category"][0] == OKABE_ITO["blue"]
    assert spec["background"] == "white"


def _data_parts(spec: dict) -> list:
    found = list(spec.get("datasets", {}).values())

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("data"), dict):
                found.append(node["data"])
            for key, value in node.items():
                if key != "datasets":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    return found


def test_map_embeds_its_basemap_and_never_a_url(built):
    spec = charts.chart_spec(built["map"])
    parts = _data_parts(spec)
    text = json.dumps(parts)
    assert '"url"' not in text
    assert "http" not in text
    values = [p.get("values") if isinstance(p, dict) else p for p in parts]
    # The outlines travel as one GeoJSON string (Vega parses it), not as an array Altair copies point by point.
    basemaps = [json.loads(v) for v in values if isinstance(v, str)]
    assert len(basemaps) == 1
    assert basemaps[0]["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in basemaps[0]["features"]}
    assert {"Syria", "Turkey", "Lebanon"} <= names


def test_map_lists_what_it_cannot_place_and_warns(syria):
    with pytest.warns(ImpreciseLocationWarning, match="med-2016-11-13-mig29kr"):
        result = charts.locator_map(syria)
    # The two carrier losses have no coordinates; the Ka-52's "eastern Syria" (precision 5) is too vague to place.
    assert result.placed == syria.incidents.height - 3 == 17
    assert result.unplaced["incident_id"].to_list() == [
        "med-2016-11-13-mig29kr",
        "med-2016-12-03-su33",
        "syr-2018-05-07-ka52",
    ]
    assert result.unplaced["reason"].to_list()[:2] == ["no coordinates"] * 2
    assert result.unplaced["reason"][2].startswith("too vague to place")
    assert "3 not placed and listed below the map" in charts.chart_alt_text(result)
    assert charts.embedded_data_bytes(result) == charts.embedded_data_bytes(result.chart) < 60_000
    svg = charts.to_svg(result)
    assert "Not on the map (3)" in svg
    assert "MiG-29KR lost approaching the carrier Admiral" in svg


def test_map_styles_each_precision_and_leaves_vague_places_off(syria):
    incidents = syria.incidents.with_columns(
        pl.when(pl.col("incident_id") == MI35)
        .then(pl.lit(6))
        .when(pl.col("incident_id") == MI8)
        .then(pl.lit(None, pl.Int64))
        .otherwise(pl.col("location_precision"))
        .alias("location_precision")
    )
    changed = ddj.Dataset(
        name=syria.name,
        folder=syria.folder,
        kind=syria.kind,
        tables={**syria.tables, "incidents": incidents},
        caveats=(),
        descriptor=syria.descriptor,
        files=syria.files,
    )
    with pytest.warns(ImpreciseLocationWarning):
        result = charts.locator_map(changed)
    unplaced = dict(zip(result.unplaced["incident_id"], result.unplaced["reason"], strict=True))
    assert unplaced[MI35] == "too vague to place (country only)"
    points = next(
        v for v in charts.chart_spec(result)["datasets"].values() if isinstance(v, list) and v and "precision" in v[0]
    )
    styles = {p["title"][:16]: p["precision"] for p in points}
    assert styles["Mi-8 shot down o"] == "precision not recorded"
    assert styles["Mortar attack on"] == "exact location"
    assert styles["Il-20 downed by "] == "over water or in international airspace"
    assert styles["Reported 'Retali"] == "district or province only (approximate)"


def test_ranges_keep_official_and_other_figures_apart(syria, comparison):
    ranges = charts.side_ranges(syria.accounts.filter(pl.col("incident_id") == "rus-2016-12-25-tu154"))
    others = ranges.filter(pl.col("attribute") == "others_killed").row(0, named=True)
    assert (others["side"], others["low"], others["best"], others["high"], others["said"]) == (
        "official",
        84,
        84.0,
        84,
        "figure",
    )
    accounts = syria.accounts.with_columns(
        pl.when(pl.col("account_id") == "acc-0030")
        .then(pl.lit("figure"))
        .otherwise(pl.col("injured_claim"))
        .alias("injured_claim"),
        pl.when(pl.col("account_id") == "acc-0030")
        .then(pl.lit(0))
        .otherwise(pl.col("injured_low"))
        .alias("injured_low"),
        pl.when(pl.col("account_id") == "acc-0030")
        .then(pl.lit(2))
        .otherwise(pl.col("injured_best"))
        .alias("injured_best"),
        pl.when(pl.col("account_id") == "acc-0030")
        .then(pl.lit(5))
        .otherwise(pl.col("injured_high"))
        .alias("injured_high"),
    )
    injured = charts.side_ranges(accounts.filter(pl.col("incident_id") == MI35)).filter(
        pl.col("attribute") == "injured"
    )
    # Defense World's edited 0-2-5 joins the Syrian military source's 3 injured on the other side: lowest low,
    # median best, highest high; the Russian officials give no figure and stay apart.
    assert injured.select("side", "low", "best", "high", "said", "accounts").rows() == [
        ("official", None, None, None, "no figure", 0),
        ("unofficial", 0, 2.5, 5, "figure", 2),
    ]


@pytest.mark.parametrize("name", ["ranges_one", "ranges_several", "grades"])
def test_count_axes_label_each_whole_number_once(svgs, name):
    years = lambda labels: all(len(x) == 4 and x[:2] in ("19", "20") for x in labels)  # noqa: E731  (a year axis)
    axes = [labels for labels in count_axis_labels(svgs[name]) if not years(labels)]
    assert axes, f"{name}: no axis of counts"
    for labels in axes:
        assert len(labels) == len(set(labels)) and labels[0] == "0", labels


@pytest.mark.parametrize("name", ["timeline_one", "timeline_seeds", "timeline_all"])
def test_timeline_dates_are_each_labelled_once(svgs, name):
    (dates,) = [labels for labels in axis_labels(svgs[name]) if any(label[-4:].isdigit() for label in labels)]
    assert len(dates) >= 3 and len(dates) == len(set(dates)), dates


def test_tally_gap_marks_revisions_and_draws_the_ratio(built, series):
    spec = charts.chart_spec(built["tally"])
    upper = spec["vconcat"][0]
    rows = upper["data"]["name"]
    values = spec["datasets"][rows]
    revisions = [v for v in values if v["kind"] == "revision"]
    assert len(revisions) == 2 * 4  # the 15th of March, April, May and June, in two categories
    assert {r["change"] for r in revisions} == {"-2"}
    assert "ratio" in json.dumps(spec["vconcat"][1])
    with pytest.raises(UsageError, match="lacks column"):
        charts.tally_gap(series.drop("ratio"), sources="x")
    with pytest.raises(UsageError, match="no rows"):
        charts.tally_gap(series, sources="x", categories=["tanks"])


def test_tally_gap_on_the_shipped_tallies_stays_small():
    from ddj.tally import tally_series

    tallies = ddj.load("ukraine-equipment-losses", warn=False)
    frame = tally_series(tallies)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = charts.tally_gap(frame, sources=tallies)
    assert charts.embedded_data_bytes(chart) < 1_000_000
    assert any(issubclass(w.category, DataReducedWarning) for w in caught)
    assert "ukraine-equipment-losses" in " ".join(chart.title.subtitle)


def test_static_export_is_deterministic_and_needs_no_browser(built, tmp_path):
    chart = built["ranges_one"]
    assert charts.to_svg(chart) == charts.to_svg(chart)
    png = charts.to_png(chart, scale=1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png == charts.to_png(chart, scale=1)
    written = charts.export_chart(chart, tmp_path, "../Mi-8AMTSh <shot down>")
    assert [p.name for p in written] == ["Mi-8AMTSh-shot-down-.svg", "Mi-8AMTSh-shot-down-.png"]
    assert all(p.parent == tmp_path and p.stat().st_size > 1000 for p in written)
    assert (tmp_path / "Mi-8AMTSh-shot-down-.svg").read_text(encoding="utf-8") == charts.to_svg(chart)
    with pytest.raises(UsageError, match=r"\.svg or \.png"):
        charts.save_chart(chart, tmp_path / "chart.pdf")


def test_png_export_has_twice_the_chart_pixels_marked_144_ppi(built):
    import re
    import struct

    chart = built["ranges_one"]
    svg_width, svg_height = (
        float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"', charts.to_svg(chart)).groups()
    )
    png = charts.to_png(chart)
    width, height = struct.unpack(">II", png[16:24])
    assert abs(width - 2 * svg_width) < 1 and abs(height - 2 * svg_height) < 1  # a fraction of a pixel is cut
    at = png.index(b"pHYs")
    per_metre_x, per_metre_y, unit = struct.unpack(">IIB", png[at + 4 : at + 13])
    assert unit == 1 and round(per_metre_x * 0.0254) == round(per_metre_y * 0.0254) == 144


def test_export_works_whatever_data_transformer_is_active(built):
    with alt.data_transformers.enable("vegafusion"):
        spec = charts.chart_spec(built["grades"])
    assert spec["mark"]["type"] == "bar"


def test_charts_do_not_change_their_inputs(syria, comparison, series):
    before = {name: frame.clone() for name, frame in syria.tables.items()}
    attributes = comparison.attributes.clone()
    _all_charts(syria, comparison, series)
    assert all(syria.tables[name].equals(frame) for name, frame in before.items())
    assert comparison.attributes.equals(attributes)


def test_unknown_incident_ids_are_a_clear_error(syria, comparison):
    with pytest.raises(UsageError, match="no incident 'nope'"):
        charts.account_timeline(syria, comparison, incident_ids=["nope"])


def test_chart_without_alt_text_is_refused():
    with pytest.raises(UsageError, match="no alt text"):
        charts.chart_alt_text(alt.Chart().mark_point())


def test_a_chart_that_cannot_reduce_warns_instead_of_raising(syria, comparison):
    # thousands of accounts of two incidents, each drawn as its own mark: more rows than a chart may
    # embed, so the chart says so and shows the first rows instead of raising MaxRowsError.
    copies = 1400
    seeds = syria.accounts.filter(pl.col("incident_id").is_in([MI8, CAMPAIGN]))
    accounts = pl.concat([seeds.with_columns(pl.col("account_id") + f"-{i}") for i in range(copies)])
    big = ddj.Dataset(
        name="copies",
        folder=syria.folder,
        kind="incidents",
        tables={**syria.tables, "accounts": accounts},
        caveats=(),
        descriptor={"version": "1"},
        files={},
    )
    with pytest.warns(DataReducedWarning, match="could not reduce"):
        chart = charts.account_timeline(big, comparison, incident_ids=[MI8, CAMPAIGN])
    spec = chart.to_dict()
    assert max(len(v) for v in spec["datasets"].values()) == charts.MAX_EMBEDDED_ROWS
    official = seeds.filter(pl.col("side") == "official").height * copies
    other = seeds.height * copies - official
    assert (official, other) == (2 * 1400, 5 * 1400)
    assert f"with {official:,} official accounts and {other:,} other accounts" in charts.chart_alt_text(chart)
