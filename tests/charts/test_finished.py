"""Charts a reader can publish (issue 18, item 3): whole titles, labelled rows and lanes, a labelled map with a
scale bar, grades sized to the data, a tally chart of sane size, credits, and specs that fit a phone's width.
"""

from __future__ import annotations

import warnings

import pytest

import ddj
import ddj.charts as charts
from ddj.charts.export import chart_spec
from ddj.charts.maplabels import Frame, place_labels, scale_bar, short_place, text_box

MI8 = "syr-2016-08-01-mi8amtsh"
MI28 = "syr-2016-04-12-mi28n"  # placed to a province only


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _values(spec, field):
    """Every value of ``field`` in the inline records of a spec."""
    found = [r[field] for rows in spec.get("datasets", {}).values() for r in rows if isinstance(r, dict) and field in r]
    for node in _walk(spec):
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            found += [r[field] for r in data["values"] if isinstance(r, dict) and field in r]
    return found


def _map(syria, ids=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return charts.locator_map(syria, incident_ids=ids)


def test_every_timeline_title_is_whole(syria, comparison):
    for incident_id, title in syria.incidents.select("incident_id", "title").iter_rows():
        spec = chart_spec(charts.account_timeline(syria, comparison, incident_ids=incident_id))
        text = spec["title"]["text"]
        lines = text if isinstance(text, list) else [text]
        assert " ".join(lines) == f"Who said what, and when: {title}", incident_id
        assert all(len(line) <= 62 for line in lines) and "…" not in " ".join(lines)


def test_matrix_rows_carry_whole_titles(syria, comparison):
    spec = chart_spec(charts.discrepancy_matrix(syria, comparison))
    axis = spec["encoding"]["y"]["axis"]
    assert axis["labelLimit"] == 0 and "split" in axis["labelExpr"]
    rows = set(_values(spec, "row"))
    for title in syria.incidents["title"]:
        assert any(row.replace("\n", " ").startswith(title) for row in rows), title
    assert not any("…" in row for row in rows)


def test_timeline_names_each_lane_of_every_row(syria, comparison):
    spec = chart_spec(charts.account_timeline(syria, comparison))
    names = [v for v in _values(spec, "name") if v in ("official", "others")]
    assert names.count("official") == names.count("others") == syria.incidents.height
    assert spec["encoding"]["y"]["axis"]["labelPadding"] > 40 if "encoding" in spec else True


def test_map_names_countries_and_sea_and_has_a_scale_bar(syria):
    spec = chart_spec(_map(syria, MI28))
    labels = _values(spec, "label")
    assert {"SYRIA", "TURKEY", "LEBANON"} <= set(labels)
    assert "Mediterranean Sea" in labels
    assert "near Homs" in labels  # the incident's place
    bars = [n for n in _walk(spec) if isinstance(n.get("encoding"), dict) and "longitude2" in n["encoding"]]
    assert bars and bars[0]["mark"]["type"] == "rule"
    assert any(str(v).endswith(" km") for v in labels)
    assert spec["projection"]["type"] == "mercator" and "scale" in spec["projection"]


def test_single_incident_map_is_titled_for_it_and_credits_natural_earth(syria):
    spec = chart_spec(_map(syria, MI8))
    title = " ".join(spec["title"]["text"]) if isinstance(spec["title"]["text"], list) else spec["title"]["text"]
    assert "Mi-8 shot down over Idlib province" in title and "incidents" not in title
    assert any("Natural Earth" in line for line in spec["title"]["subtitle"])


def test_province_marks_are_visible(syria):
    spec = chart_spec(_map(syria, MI28))
    channels = next(
        n["encoding"] for n in _walk(spec) if isinstance(n.get("encoding"), dict) and "shape" in n["encoding"]
    )
    opacity = channels["fillOpacity"]["scale"]
    province = opacity["domain"].index("district or province only (approximate)")
    assert opacity["range"][province] >= 0.3
    assert "opacity" not in channels  # outlines stay opaque
    assert channels["stroke"]["legend"]["title"] == "how precisely the place is known"


def test_place_labels_never_overlap():
    frame = Frame.around((34.0, 32.0, 42.0, 40.0), 450, 560)
    points = [(36.0 + i * 0.05, 35.0, f"place number {i}", 5.0) for i in range(20)]
    taken: list = []
    placed = place_labels(frame, points, taken=taken, most=20)
    assert 0 < len(placed) < 20
    boxes = taken
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    apart = [(35.0, 33.0 + i, f"place {i}", 5.0) for i in range(6)]
    assert len(place_labels(frame, apart, taken=[], most=3)) == 3  # room for all: the cap holds


def test_scale_bar_length_matches_the_projection():
    frame = Frame.around((34.0, 32.0, 42.0, 40.0), 450, 560)
    bar = scale_bar(frame, latitude=36.0)
    x0, _ = frame.pixel(bar["longitude"], bar["latitude"])
    x1, _ = frame.pixel(bar["longitude2"], bar["latitude"])
    assert x1 - x0 == pytest.approx(bar["pixels"], abs=0.1) and x1 - x0 <= 450 * 0.25
    # the bar's longitudes span the distance at that latitude: 1 degree is about 111.3 km × cos(latitude)
    import math

    km = (bar["longitude2"] - bar["longitude"]) * 111.195 * math.cos(math.radians(36.0))
    assert km == pytest.approx(bar["km"], rel=0.01)


def test_short_place():
    assert short_place("Hmeimim air base (runway)") == "Hmeimim air base"
    assert short_place(None) == "" and short_place("x" * 40) == ""
    assert text_box(0, 0, "abc", align="center")[0] < 0


def test_grades_use_years_for_sparse_incidents(syria, comparison):
    spec = chart_spec(charts.grades_over_time(syria, comparison))
    x = spec["encoding"]["x"]
    assert x["type"] == "ordinal" and x["scale"]["domain"] == [str(y) for y in range(2015, 2022)]
    assert spec["width"] <= 560


def test_casualty_ranges_for_one_incident(syria, comparison):
    chart = charts.casualty_ranges(syria, comparison, incident_ids=MI8)
    spec = chart_spec(chart)
    assert "layer" in spec and spec["width"] == 520
    assert "Mi-8 shot down" in " ".join(
        spec["title"]["text"] if isinstance(spec["title"]["text"], list) else [spec["title"]["text"]]
    )
    assert charts.to_svg(chart).startswith("<svg")


def test_tally_png_is_a_sane_size(tally):
    cats = ["tank", "APC", "field artillery", "aircraft", "helicopter"]
    chart = charts.tally_gap(ddj.tally.tally_series(tally, cats), sources=tally, categories=cats)
    png = charts.to_png(chart)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width <= 1500 and height <= 2000, (width, height)
    spec = chart_spec(chart)
    assert "…" not in str(spec["title"]["text"])
    assert any("Oryx" in line for line in spec["title"]["subtitle"])


def test_map_labels_cost_no_extra_rows_when_places_are_counted(syria):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        chart = charts.locator_map(syria, max_points=1)
    spec = chart_spec(chart)
    # no incident place is named when incidents are counted in cells; countries still are
    assert "SYRIA" in _values(spec, "label")
    assert not _values(spec, "side")


def test_has_casualty_figures_says_which_pages_get_the_chart(syria, comparison):
    assert charts.has_casualty_figures(syria, MI8, comparison)
    assert not charts.has_casualty_figures(syria, "syr-2016-08-retaliation-strikes", comparison)


def test_a_lane_without_a_figure_names_its_side(syria, comparison):
    spec = chart_spec(charts.casualty_ranges(syria, comparison, incident_ids=MI8))
    notes = set(_values(spec, "note"))
    assert {"officials: no figure", "others: no figure"} <= notes


def test_title_lines_are_balanced_and_whole():
    from ddj.charts._common import title_lines

    title = "Where the incidents happened, and how well we know"
    lines = title_lines(title, width=44)
    assert " ".join(lines) == title and min(len(x) for x in lines) > 15


def test_a_tall_map_is_widened_and_lists_unplaced_incidents_below(syria):
    spec = chart_spec(_map(syria))
    assert "vconcat" in spec
    geo = spec["vconcat"][0]
    assert geo["width"] >= 0.74 * geo["height"]
