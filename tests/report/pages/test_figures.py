"""``ddj.report.show`` goes through ``ddj.charts.export``: house theme, alt text in the SVG, the export's PNG."""

from __future__ import annotations

import re
from typing import Any

import altair as alt
import IPython.display
import pytest

import ddj.charts as charts
from ddj.report import show
from ddj.report.pages import figures
from ddj.report.pages.figures import CHART_METADATA_KEY


@pytest.fixture
def shown(monkeypatch):
    captured = []
    monkeypatch.setattr(IPython.display, "display", lambda data, raw, metadata: captured.append((data, metadata)))
    return captured


def _chart() -> alt.Chart:
    return (
        alt.Chart(alt.InlineData(values=[{"n": 1}, {"n": 3}]))
        .mark_bar()
        .encode(x="n:Q")
        .properties(description="Two bars <of> counts. The second is longer.")
    )


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
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json",
        "mark": "point",
        "data": {"values": [{"x": 1}]},
        "encoding": {"x": {"field": "x", "type": "quantitative"}},
    }
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


# --- the CMS kit: each chart's downloads, embed file and credit --------------------------------------------


def _output(name: str = "bars", title: Any = "Two bars", subtitle: Any = None) -> figures.ChartOutput:
    chart = _chart().properties(
        title=alt.TitleParams(title, subtitle=subtitle or ["Method: counted.", "Source: ddj dataset test v1."])
    )
    return figures.ChartOutput(name, figures.chart_spec(chart), figures.chart_svg(chart))


def test_each_chart_gets_its_four_downloads_and_its_embed_file():
    chart = _output()
    files = figures.chart_files(chart)
    assert set(files) == {"bars.svg", "bars.png", "bars-640.png", "bars-1280.png", "bars.csv", "bars.embed.html"}
    assert figures.png_width(files["bars-640.png"]) == 640 and figures.png_width(files["bars-1280.png"]) == 1280
    assert files["bars.csv"].decode() == "n\n1\n3\n"
    figure = figures.figure_html(chart)
    links = re.findall(r'<a href="([^"]+)" download>([^<]+)</a>', figure)
    assert links == [
        ("charts/bars-640.png", "PNG 640 px"),
        ("charts/bars-1280.png", "PNG 1280 px"),
        ("charts/bars.svg", "SVG"),
        ("charts/bars.csv", "data (CSV)"),
    ]
    assert all(href.removeprefix("charts/") in files for href, _ in links)
    snippet = re.search(r"<details class=\"ddj-embed\">.*?<textarea[^>]*>(.*?)</textarea>", figure, re.DOTALL).group(1)
    assert snippet.startswith("&lt;iframe src=&quot;charts/bars.embed.html&quot;")  # shown as text, to copy
    assert '<p class="ddj-credit" style="margin:.2rem 0">Source: ddj dataset test v1.</p>' in figure
    assert '<script type="application/json" class="ddj-chart-spec">' in figure and "<svg" in figure


def test_the_embed_file_is_offline_and_runs_no_script():
    from ddj.report.pages.htmlexport import remote_references

    embed = figures.chart_files(_output())["bars.embed.html"].decode()
    assert embed.startswith("<!DOCTYPE html>") and "default-src 'none'; script-src 'none'" in embed
    assert "<script" not in embed and remote_references(embed) == []
    assert not re.search(r"<(script|link|img|iframe|style)[^>]*(src|href)=\"?(https?:)?//", embed)
    assert "<svg" in embed and "<p>Source: ddj dataset test v1.</p>" in embed


def test_a_hostile_title_and_name_cannot_break_out_of_the_figure_or_the_file_system():
    chart = _output(
        name="../../etc/<x>",
        title="</textarea><script>alert(1)</script>",
        subtitle=['Source: "><img src=x onerror=alert(2)>'],
    )
    figure = figures.figure_html(chart)
    embed = figures.embed_html(chart)
    for html in (figure, embed):
        assert "<script>alert" not in html and "<img src=x" not in html
    assert figure.count("</textarea>") == 1
    names = set(figures.chart_files(chart))
    assert names == set(figures.kit_files(chart.name).values()) and "etc-x-.embed.html" in names
    assert all("/" not in name and not name.startswith(".") and "<" not in name for name in names)


def test_the_chart_data_csv_keeps_every_table_and_quotes_formulas():
    spec = {
        "datasets": {
            "a": [{"x": "=HYPERLINK(1)", "n": 1}],
            "b": [{"y": "plain", "v": [1, 2]}],
            "basemap": [{"type": "Feature", "geometry": {}}],
        }
    }
    assert figures.chart_data_csv(spec).decode() == 'part,x,n,y,v\n1,\'=HYPERLINK(1),1,,\n2,,,plain,"[1, 2]"\n'


def test_credits_name_the_basemap_and_the_tally_sources():
    import warnings

    import ddj

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = ddj.load("syria-ru-aviation", warn=False)
        located = charts.locator_map(ds, incident_ids="syr-2021-02-28-mi35")
    credits = figures.chart_credits(figures.chart_spec(located))
    assert credits[0].startswith("Source: ddj dataset syria-ru-aviation") and "Natural Earth" in credits[-1]
    tally = ddj.load("ukraine-equipment-losses", warn=False)
    series = ddj.tally.tally_series(tally, ["tank"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the chart keeps one point a week, and says so
        gap = charts.tally_gap(series, sources=tally, categories=["tank"])
    credits = figures.chart_credits(figures.chart_spec(gap))
    assert len(credits) == 1 and "General Staff" in credits[0] and "Oryx" in credits[0] and "CC BY 4.0" in credits[0]


# --- renderings kept by content ----------------------------------------------------------------------------------


def test_a_chart_is_rendered_once_and_its_kept_rendering_is_the_same_bytes(monkeypatch, tmp_path):
    monkeypatch.setenv("DDJ_CACHE_DIR", str(tmp_path))
    calls = []
    real = figures.svg_to_png
    monkeypatch.setattr(figures, "svg_to_png", lambda svg, **kw: calls.append(kw) or real(svg, **kw))
    chart = figures.ChartOutput("bars", {}, figures.chart_svg(_chart()))
    first = figures.chart_files(chart)
    rendered = len(calls)
    assert rendered >= 3  # the PNG and its two presets
    assert figures.chart_files(chart) == first and len(calls) == rendered  # kept: not rendered again
    assert first["bars.png"] == real(chart.svg) and figures.png_width(first["bars-640.png"]) == 640
    changed = figures.ChartOutput("bars", {}, chart.svg.replace("</svg>", "<g></g></svg>"))
    figures.chart_files(changed)
    assert len(calls) > rendered  # another SVG is another rendering
    assert len(list((tmp_path / "charts").glob("*.png"))) == 6


def test_kept_renderings_are_pruned_and_a_broken_cache_only_means_rendering_again(monkeypatch, tmp_path):
    monkeypatch.setenv("DDJ_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(figures, "KEPT_RENDERINGS", 3)
    for n in range(5):
        assert figures.kept_rendering("png", [n], lambda n=n: bytes([n + 1])) == bytes([n + 1])
    assert len(list((tmp_path / "charts").iterdir())) == 3
    monkeypatch.setenv("DDJ_CACHE_DIR", str(tmp_path / "a-file" / "below"))
    (tmp_path / "a-file").write_text("not a folder")
    assert figures.kept_rendering("svg", ["x"], lambda: b"<svg/>") == b"<svg/>"
