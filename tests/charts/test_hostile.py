"""Hostile text in every text and URL field never reaches a chart's SVG or embeddable spec as markup."""

from __future__ import annotations

import json
import warnings
import xml.etree.ElementTree as ET

import pytest

import ddj.charts as charts
from ddj.html import script_json
from tests.fixtures.chart_inputs import stand_in_comparison
from tests.fixtures.hostile_text import PAYLOAD, hostile_dataset


@pytest.fixture(scope="module")
def hostile_charts(tmp_path_factory):
    dataset = hostile_dataset(tmp_path_factory.mktemp("hostile") / "hostile-package")
    comparison = stand_in_comparison(dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = {
            "timeline": charts.account_timeline(dataset, comparison),
            "matrix": charts.discrepancy_matrix(dataset, comparison),
            "map": charts.locator_map(dataset),
            "ranges": charts.casualty_ranges(dataset, comparison),
            "grades": charts.grades_over_time(dataset, comparison),
        }
    return built


@pytest.mark.parametrize("name", ["timeline", "matrix", "map", "ranges", "grades"])
def test_svg_holds_no_script_handler_or_script_link(hostile_charts, name):
    svg = charts.to_svg(hostile_charts[name])
    root = ET.fromstring(svg)  # well-formed: the payload could not break out of an attribute
    for element in root.iter():
        tag = element.tag.split("}")[-1].lower()
        assert tag not in {"script", "img", "iframe", "foreignobject", "a"}, tag
        for attribute, value in element.attrib.items():
            assert not attribute.split("}")[-1].lower().startswith("on"), attribute
            if attribute.split("}")[-1] == "href":
                assert not value.strip().lower().startswith(("javascript:", "data:")), value
    shown = " ".join("".join(element.itertext()) for element in root.iter())
    if name != "grades":  # the grades chart shows no text from the data
        assert '<script>alert("x")</script>' in shown  # as text, escaped in the file


@pytest.mark.parametrize("name", ["timeline", "matrix", "map", "ranges", "grades"])
def test_spec_is_safe_inside_a_script_element(hostile_charts, name):
    spec = charts.chart_spec(hostile_charts[name])
    text = script_json(spec)
    assert "</script" not in text.lower() and "<" not in text
    assert json.loads(text) == spec


def test_alt_text_with_markup_is_escaped_in_the_svg(tmp_path):
    dataset = hostile_dataset(tmp_path / "hostile-package")
    svg = charts.to_svg(charts.account_timeline(dataset, stand_in_comparison(dataset), incident_ids="inc-1"))
    head = svg[: svg.index("</desc>")]
    assert "<script>" not in head
    assert "&lt;script&gt;" in head
    assert PAYLOAD.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")[:40] in head
