"""The HTML export on hand-made notebooks (no kernel): static output, charts, escaping, determinism."""

from __future__ import annotations

import nbformat
import pytest

from ddj.report.pages.figures import CHART_METADATA_KEY
from ddj.report.pages.htmlexport import (
    export_html,
    methods_box,
    prepare_notebook,
    remote_references,
    strip_remote_references,
)
from ddj.report.pages.policy import content_security_policy

SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json",
    "data": {"values": [{"x": 1, "label": "</script><script>window.__pwned=1</script>"}]},
    "mark": "point",
    "encoding": {"x": {"field": "x", "type": "quantitative"}, "tooltip": [{"field": "label"}]},
}


def _output(data, metadata=None, kind="display_data"):
    return nbformat.v4.new_output(
        kind, data=data, metadata=metadata or {}, **({"execution_count": 1} if kind == "execute_result" else {})
    )


@pytest.fixture
def notebook():
    params = nbformat.v4.new_code_cell("x = 1  # a parameter")
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell("x = 2")
    injected.metadata["tags"] = ["injected-parameters"]
    charts = nbformat.v4.new_code_cell("show(...)")
    charts.outputs = [
        _output(
            {"application/vnd.vegalite.v6+json": SPEC, "text/plain": "<chart>"},
            {CHART_METADATA_KEY: {"name": "../a b"}},
        ),
        _output(
            {"application/vnd.vegalite.v6+json": SPEC, "text/plain": "<chart>"},
            {CHART_METADATA_KEY: {"name": "../a b"}},
        ),
        _output({"application/vnd.vegalite.v6+json": SPEC}),
    ]
    widget = nbformat.v4.new_code_cell("slider")
    widget.outputs = [
        _output({"application/vnd.jupyter.widget-view+json": {"model_id": "m1"}, "text/plain": "IntSlider()"})
    ]
    script = nbformat.v4.new_code_cell("js")
    script.outputs = [
        _output({"application/javascript": "alert(1)"}),
        _output({"text/html": '<p>cdn</p><script src="https://cdn.jsdelivr.net/npm/vega@5"></script>'}),
    ]
    noisy = nbformat.v4.new_code_cell("print")
    noisy.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="/home/me/secret/path warning"),
        nbformat.v4.new_output("stream", name="stdout", text="kept"),
    ]
    silent = nbformat.v4.new_code_cell("import os")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), params, injected, charts, widget, script, noisy, silent]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_the_page_keeps_static_output_only(notebook):
    prepared, charts = prepare_notebook(notebook)
    assert [c.id for c in prepared.cells] == ["cell-0", "cell-1", "cell-2", "cell-3", "cell-4"]
    assert [c.name for c in charts] == ["a-b", "a-b-2", "chart-3"]
    sources = [c.source for c in prepared.cells]
    assert "x = 1  # a parameter" not in sources and "import os" not in sources
    widget_html = prepared.cells[2].outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" not in widget_html
    assert "interactive control was here" in widget_html["text/html"]
    assert all("application/javascript" not in o.get("data", {}) for o in prepared.cells[3].outputs)
    assert [o["text"] for o in prepared.cells[4].outputs] == ["kept"]
    assert "widgets" not in prepared.metadata
    assert notebook.cells[3].outputs[0]["data"].keys() >= {"application/vnd.vegalite.v6+json"}  # input untouched


def test_export_is_offline_escaped_and_byte_identical(notebook):
    first = export_html(notebook, title="T <b>", methods_html="<aside>m</aside>")
    second = export_html(notebook, title="T <b>", methods_html="<aside>m</aside>")
    assert first.html == second.html
    html = first.html
    assert remote_references(html) == []
    assert "cdn.jsdelivr" not in html and "require.js" not in html and "mathjax" not in html.lower()
    assert "<title>T &lt;b&gt;</title>" in html
    assert html.count('<figure class="ddj-chart"') == 3
    assert "</script><script>window.__pwned" not in html
    assert "\\u003c/script\\u003e\\u003cscript\\u003ewindow.__pwned=1" in html
    assert "window.vegaEmbed" in html and "Content-Security-Policy" in html
    assert "/home/me/secret" not in html


_VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def self_closed_elements(html: str) -> list[str]:
    """HTML elements other than void ones written as ``<tag ... />`` outside SVG and MathML. A browser reads
    ``<a ... />`` as an ``<a>`` left open: everything after it becomes part of the link (and is hidden with it).
    """
    from html.parser import HTMLParser

    found: list[str] = []

    class Scan(HTMLParser):
        foreign = 0

        def handle_starttag(self, tag, attrs):
            self.foreign += tag in ("svg", "math")

        def handle_endtag(self, tag):
            self.foreign -= tag in ("svg", "math")

        def handle_startendtag(self, tag, attrs):
            if not self.foreign and tag not in _VOID_ELEMENTS | {"svg", "math"}:
                found.append(self.get_starttag_text())

    Scan().feed(html)
    return found


def test_headings_close_their_anchor_links():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Report"), nbformat.v4.new_markdown_cell("## What happened\n\nText.")]
    html = export_html(nb, title="t").html
    assert self_closed_elements(html) == []
    assert '<h2 id="What-happened">What happened<a class="anchor-link" href="#What-happened">' in html
    assert self_closed_elements('<p>x<a href="#y" /></p><svg><path d="M0 0"/></svg><br/>') == ['<a href="#y" />']


def test_a_page_without_charts_runs_no_script():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Only text")]
    html = export_html(nb, title="t").html
    assert "<script" not in html
    assert "script-src 'none'" in html


def test_the_policy_allows_only_the_pages_own_scripts():
    policy = content_security_policy(["console.log(1)"])
    assert "script-src 'sha256-" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy


def test_remote_elements_are_stripped_but_links_stay():
    html = (
        '<a href="https://example.org">a source</a><link rel="stylesheet" href="https://fonts.example/x.css">'
        '<img src="http://example.org/i.png"><style>@import url("https://fonts.example/f.css");</style>'
        '<iframe src="https://example.org"></iframe>'
    )
    cleaned = strip_remote_references(html)
    assert cleaned == '<a href="https://example.org">a source</a><style></style>'
    assert remote_references(cleaned) == []


def test_the_methods_box_escapes_and_omits_times():
    manifest = {
        "notebook": {"name": "n<b>.ipynb", "sha256": "ab"},
        "parameters": {"title": "<script>x</script>"},
        "datasets": [{"name": "d", "version": "1", "files": {"a.csv": "cd"}}],
        "packages": {"ddj": "0.1.0"},
        "git": {"commit": "0123456789abcdef", "dirty": True},
        "started": "2026-01-01T00:00:00",
        "finished": "2026-01-01T00:00:01",
        "outputs": {"notebook": "r.ipynb"},
    }
    box = methods_box(manifest)
    assert "<script>" not in box and "&lt;script&gt;" in box and "n&lt;b&gt;.ipynb" in box
    assert "2026-01-01" not in box
    assert "0123456789ab" in box and "uncommitted changes" in box
    assert 'href="manifest.json"' in box and 'href="r.ipynb"' in box


def test_the_methods_box_gives_a_scoped_reports_slice_digest_before_the_file_hashes():
    slice_ = {"incidents": ["inc-<1>"], "read": ["inc-<1>", "inc-2"], "digest": "f00d" * 16}
    manifest = {
        "notebook": {"name": "incident-report.ipynb", "sha256": "ab"},
        "datasets": [
            {"name": "d", "version": "1", "files": {"a.csv": "cd"}, "slice": slice_},
            {"name": "whole", "files": {"b.csv": "ef"}},
        ],
        "packages": {"ddj": "0.1.0"},
    }
    box = methods_box(manifest)
    scoped, whole = box.split("<h3>Data: whole</h3>")
    assert f"<code>{'f00d' * 16}</code>" in scoped and scoped.index("f00d") < scoped.index("<code>cd</code>")
    assert "the incident <code>inc-&lt;1&gt;</code>, with the related incident <code>inc-2</code>," in scoped
    assert "slice" not in whole and "<td><code>ef</code></td>" in whole  # read whole: only the files' hashes
    unscoped = {**manifest, "datasets": [{k: v for k, v in manifest["datasets"][0].items() if k != "slice"}]}
    assert "slice" not in methods_box(unscoped) and box.startswith('<aside class="ddj-methods" id="methods">\n')


def test_a_widget_without_a_static_fallback_becomes_the_templates_note():
    nb = nbformat.v4.new_notebook()
    widget = {"application/vnd.jupyter.widget-view+json": {"model_id": "x"}}
    nb.cells = [nbformat.v4.new_code_cell("w", outputs=[_output(widget)])]
    prepared, _ = prepare_notebook(nb)
    assert prepared.cells[0].outputs[0]["data"] == {
        "text/html": '<p class="ddj-static-note">An interactive control was here; the archived report shows static '
        "output only.</p>"
    }


def test_show_displays_the_spec_a_static_svg_and_the_name(monkeypatch):
    import altair as alt
    import IPython.display

    from ddj.report import show

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda data, raw, metadata: shown.append((data, raw, metadata)))
    chart = alt.Chart(alt.InlineData(values=[{"n": 1}])).mark_bar().encode(x="n:Q")

    class Wrapper:  # like ddj.charts' LocatorMap: an object holding an altair chart
        def __init__(self, inner):
            self.chart = inner

    show(Wrapper(chart), "bars")
    data, raw, metadata = shown[0]
    assert raw is True and metadata == {CHART_METADATA_KEY: {"name": "bars"}}
    assert data["application/vnd.vegalite.v6+json"]["mark"] == {"type": "bar"}
    assert data["image/svg+xml"].startswith("<svg")
    with pytest.raises(TypeError, match="needs an altair chart"):
        show(object(), "x")
