"""``ddj.report.show`` goes through ``ddj.charts.export``: house theme, alt text in the SVG, the export's PNG."""

from __future__ import annotations

import altair as alt
import IPython.display
import pytest

import ddj.charts as charts
from ddj.report import figures, show
from ddj.report.figures import CHART_METADATA_KEY


@pytest.fixture
def shown(monkeypatch):
    captured = []
    monkeypatch.setattr(IPython.display, "display", lambda data, raw, metadata: captured.append((data, metadata)))
    return captured


def _chart() -> alt.Chart:
    return alt.Chart(alt.InlineData(values=[{"n": 1}, {"n": 3}])).mark_bar().encode(x="n:Q").properties(
        description="Two bars <of> counts. The second is longer.")


def test_show_displays_the_house_theme_spec_and_an_svg_with_alt_text(shown):
    with alt.theme.enable("dark"):  # whatever a notebook enabled, the report gets the house theme
        show(_chart(), "bars")
    data, metadata = shown[0]
    assert metadata == {CHART_METADATA_KEY: {"name": "bars"}}
    spec = data["application/vnd.vegalite.v6+json"]
    assert spec["config"]["range"]["category"][0] == "#0072B2"
    svg = data["image/svg+xml"]
    assert svg.startswith("<svg") and 'aria-label="Two bars &lt;of&gt; counts. The second is longer."' in svg
    assert "<title>Two bars &lt;of&gt; counts</title>" in svg
    assert svg == charts.to_svg(_chart())


def test_show_accepts_a_locator_map_and_a_plain_spec(shown):
    import warnings

    import ddj

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        located = charts.locator_map(ddj.load("syria-ru-aviation", warn=False), incident_ids="syr-2021-02-28-mi35")
    show(located, "map")
    assert 'aria-label="Locator map of' in shown[0][0]["image/svg+xml"]
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json", "mark": "point",
            "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x", "type": "quantitative"}}}
    show(spec)
    assert shown[1][0]["application/vnd.vegalite.v6+json"] is spec
    assert shown[1][0]["image/svg+xml"].startswith("<svg") and shown[1][1] == {CHART_METADATA_KEY: {"name": None}}


def test_the_runner_png_is_the_png_the_export_writes():
    chart = _chart()
    assert figures.svg_to_png(figures.chart_svg(chart)) == charts.to_png(chart)


def test_the_png_rasterised_from_the_svg_has_the_pixels_of_the_png_rendered_from_the_spec():
    chart = _chart()
    from_svg = figures.svg_to_png(figures.chart_svg(chart))
    assert from_svg == figures.spec_to_png(figures.chart_spec(chart))
    assert from_svg.startswith(b"\x89PNG")
