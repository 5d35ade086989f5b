"""An executed notebook to one self-contained, archival HTML page.

- Code is hidden (nbconvert's ``exclude_input``); parameter cells, stderr and empty cells are left out.
- Charts displayed with :func:`ddj.report.show` (or any Vega-Lite output) become a figure holding the
  static SVG and the spec; Vega, Vega-Lite and Vega-Embed are inlined once, from vl-convert's bundle,
  and redraw each chart live (tooltips) when scripts run. No CDN, no require.js, no MathJax, no font.
- Live widgets and JavaScript outputs are replaced by their static fallbacks.
- A Content-Security-Policy allows only the page's own scripts (by hash), inline styles and ``data:``
  images: nothing can be fetched, and script injected through data would not run even if escaping failed.
- A section may ask for one of ddj's own small scripts (:data:`PAGE_SCRIPTS`, files in ``templates/``: the
  big overview's incident search); it is inlined once and allowed by its hash like the chart scripts.
- A methods box (template ``methods.frag.j2``), built from the manifest, says what data (with hashes, and the
  slice's digest where the notebook read a scoped slice), parameters and software made the page. Times are
  not on the page, so the same inputs give byte-identical HTML. No HTML is assembled in this module's strings.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ddj.html import escape, safe_filename, script_json
from ddj.report.pages.figures import CHART_METADATA_KEY, ChartOutput, javascript_bundle, spec_to_svg, vegalite_in
from ddj.report.pages.handoff import FINDER_SCRIPT, PAGE_MIME, SCRIPTS_MIME
from ddj.report.pages.policy import content_security_policy
from ddj.report.pages.templating import Markup, macro, source

TEMPLATES = Path(__file__).parent / "templates"
#: The methods box's template, in ``templates/`` (see :mod:`ddj.report.pages.templating`).
METHODS_TEMPLATE = "methods.frag.j2"
#: The pieces put in around nbconvert's page template: the scripts, the note where a widget was.
PAGE_TEMPLATE = "page.frag.j2"
#: The scripts of ddj's own (files of ``templates/``) that a section may ask the page for (``SCRIPTS_MIME``).
PAGE_SCRIPTS = (FINDER_SCRIPT,)
#: Cells with these tags never reach the page.
DROPPED_TAGS = frozenset(
    {"parameters", "injected-parameters", "papermill-error-cell-tag", "remove-cell", "remove_cell"}
)
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_DROPPED_MIMES = ("application/javascript", "text/javascript", "application/vnd.jupyter.widget-state+json")
_REMOTE = r"""(?:[a-z][a-z0-9+.-]*:)?//"""
_REMOTE_ELEMENT = re.compile(
    r"<(script|iframe|object|embed|audio|video)\b[^>]*?\b(?:src|data)\s*=\s*[\"']?\s*" + _REMOTE + r".*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_REMOTE_VOID = re.compile(
    r"<(?:link|img|source|track|input|image|use)\b[^>]*?\b(?:src|href|srcset|xlink:href)\s*=\s*[\"']?\s*"
    + _REMOTE
    + r"[^>]*>",
    re.IGNORECASE,
)
_REMOTE_CSS = re.compile(
    r"@import\s+(?:url\()?\s*[\"']?" + _REMOTE + r"[^;]*;?|url\(\s*[\"']?" + _REMOTE + r"[^)]*\)", re.IGNORECASE
)
_FETCHING_ATTRIBUTE = re.compile(
    r"<(?:script|link|img|iframe|source|track|video|audio|embed|object|input|image|use)\b[^>]*?"
    r"\b(?:src|href|srcset|data|poster|xlink:href)\s*=\s*[\"']?\s*(" + _REMOTE + r"[^\"'\s>]*)",
    re.IGNORECASE,
)
_CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1a1a1a; font: 16px/1.5 Georgia, "Times New Roman", serif; }
main.ddj-report { max-width: 58rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1, h2, h3, h4 { font-family: "Helvetica Neue", Arial, sans-serif; line-height: 1.2; }
h1 { font-size: 1.9rem; margin: 1rem 0 .5rem; } h2 { font-size: 1.35rem; margin-top: 2rem; }
a.anchor-link { display: none; }
table { border-collapse: collapse; margin: .75rem 0; font: 14px/1.35 "Helvetica Neue", Arial, sans-serif; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #333; }
.jp-OutputArea-output { overflow-x: auto; }
pre { white-space: pre-wrap; font-size: 13px; }
figure.ddj-chart { margin: 1.25rem 0; overflow-x: auto; }
figure.ddj-chart .ddj-chart-live:empty { display: none; }
.ddj-static-note, .ddj-note { color: #666; font-style: italic; }
dl.ddj-facts { display: grid; grid-template-columns: 7rem 1fr; gap: .2rem 1rem; margin: .5rem 0 1rem; }
dl.ddj-facts dt { font: bold 14px/1.5 "Helvetica Neue", Arial, sans-serif; } dl.ddj-facts dd { margin: 0; }
.ddj-dek { color: #555; margin-top: -.25rem; }
.ddj-uncertain { border-left: 3px solid #c9a227; padding-left: .75rem; }
aside.ddj-methods { margin-top: 3rem; padding: 1rem 1.25rem; background: #f6f6f3; border-top: 3px solid #333;
  font: 13px/1.45 "Helvetica Neue", Arial, sans-serif; }
aside.ddj-methods h2 { font-size: 1.1rem; margin-top: 0; } aside.ddj-methods h3 { font-size: .95rem; }
aside.ddj-methods code { font-size: 12px; word-break: break-all; }
aside.ddj-methods summary { cursor: pointer; font-weight: bold; }
.ddj-byline { color: #555; font: 13px/1.4 "Helvetica Neue", Arial, sans-serif; }
section.ddj-how { margin-top: 2.5rem; padding: 1rem 1.25rem; border-top: 3px solid #333; background: #fbfbf8; }
dl.ddj-glossary { display: grid; grid-template-columns: minmax(8rem, 16rem) 1fr; gap: .25rem 1rem; }
dl.ddj-glossary dt { font-weight: bold; } dl.ddj-glossary dd { margin: 0; }
/* Phones: nothing wider than the screen; a wide table or chart scrolls inside itself, not the page. */
html, body { overflow-x: hidden; }
main.ddj-report { overflow-wrap: break-word; }
.jp-Cell, .jp-OutputArea, .jp-OutputArea-child, .jp-OutputArea-output { max-width: 100%; min-width: 0; }
.jp-OutputArea-output > table, .jp-RenderedHTMLCommon > table, .jp-OutputArea-output table { display: block;
  max-width: 100%; overflow-x: auto; }
/* A table wider than the column scrolls inside itself; a shadow on the side with more columns says so. */
.jp-OutputArea-output table { background: linear-gradient(to right, #fff 30%, #fff0) 0 0 / 2.5rem 100% no-repeat local,
  linear-gradient(to left, #fff 30%, #fff0) 100% 0 / 2.5rem 100% no-repeat local,
  radial-gradient(farthest-side at 0 50%, #0003, #0000) 0 0 / .8rem 100% no-repeat scroll,
  radial-gradient(farthest-side at 100% 50%, #0003, #0000) 100% 0 / .8rem 100% no-repeat scroll; }
figure.ddj-chart svg { max-width: 100%; height: auto; }
figure.ddj-chart .ddj-chart-live { max-width: 100%; overflow-x: auto; }
img { max-width: 100%; height: auto; }
@media (max-width: 40rem) {
  body { font-size: 15px; } h1 { font-size: 1.5rem; } main.ddj-report { padding: 1rem .75rem 2rem; }
  dl.ddj-facts, dl.ddj-glossary { grid-template-columns: 1fr; }
  dl.ddj-facts dd, dl.ddj-glossary dd { margin-bottom: .4rem; }
  table { font-size: 13px; }
  /* A chart keeps its drawn size on a phone (its words stay legible) and scrolls sideways inside its figure. */
  figure.ddj-chart .ddj-chart-live svg { max-width: none; }
}
@media print {
  @page { size: A4; margin: 15mm; }
  html, body { overflow: visible; } body { font-size: 11pt; }
  main.ddj-report { max-width: none; padding: 0; }
  figure.ddj-chart, tr, dl.ddj-facts { break-inside: avoid; }
  figure.ddj-chart .ddj-chart-live, figure.ddj-chart .ddj-chart-live svg { overflow: visible; }
  .jp-OutputArea-output table { display: table; overflow: visible; font-size: 9pt; background: none; }
  aside.ddj-methods details { display: block; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 8pt; word-break: break-all; color: #555; }
  /* On paper: a chart fits one page (the tally chart is taller than A4); the CMS kit's downloads and embed code,
     which only work on screen, are left out, its credit line stays. */
  figure.ddj-chart svg { max-height: 240mm; width: auto; }
  figure.ddj-chart .ddj-downloads, figure.ddj-chart .ddj-embed, a.anchor-link { display: none !important; }
  h1, h2, h3 { break-after: avoid; }
}
""".strip()
_CHART_SCRIPT = """
(function () {
  // Pixels a character takes, on average, in the house theme's 16-pixel bold title and 11-pixel subtitle.
  var TITLE_PX = 9.5, SUBTITLE_PX = 6.3;
  function wrap(text, chars) {
    var lines = [], line = "";
    String(text).split(/\\s+/).forEach(function (word) {
      if (!word) { return; }
      if (line && line.length + 1 + word.length > chars) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  function widest(lines, px) {
    return [].concat(lines || []).reduce(function (most, line) { return Math.max(most, String(line).length * px); }, 0);
  }
  // In a column narrower than a chart's title or method note (a phone), both are wrapped again to the column:
  // a chart wider than the column scrolls inside its figure, and its words are read without scrolling.
  function textToColumn(spec, width) {
    var text = spec.usermeta && spec.usermeta.ddj_text, title = spec.title;
    if (!text || !title || typeof title !== "object" || !width) { return spec; }
    if (Math.max(widest(title.text, TITLE_PX), widest(title.subtitle, SUBTITLE_PX)) <= width) { return spec; }
    var subtitle = [];
    text.subtitle.forEach(function (paragraph) {
      subtitle = subtitle.concat(wrap(paragraph, Math.max(24, Math.floor(width / SUBTITLE_PX))));
    });
    var narrowed = Object.assign({}, spec);
    narrowed.title = Object.assign({}, title, {text: wrap(text.title, Math.max(16, Math.floor(width / TITLE_PX))),
      subtitle: subtitle});
    return narrowed;
  }
  document.querySelectorAll("figure.ddj-chart").forEach(function (figure) {
    var live = figure.querySelector(".ddj-chart-live");
    // (the live box is hidden until drawn: the figure has the column's width)
    var spec = textToColumn(JSON.parse(figure.querySelector("script.ddj-chart-spec").textContent), figure.clientWidth);
    window.vegaEmbed(live, spec, {renderer: "svg", actions: false}).then(function (result) {
      var fallback = figure.querySelector(".ddj-chart-static");
      if (fallback) { fallback.remove(); }
      // A single chart wider than the column (a phone) is drawn again as narrow as the column, its words at full
      // size; charts side by side, facets and maps keep their size and scroll inside the figure.
      var over = live.scrollWidth - live.clientWidth;
      if (over > 0 && typeof spec.width === "number" && (spec.mark || spec.layer) && !spec.projection) {
        return result.view.width(Math.max(200, spec.width - over)).runAsync().then(function () {
          figure.setAttribute("data-fitted", "yes");
        });
      }
    }).then(function () {
      figure.setAttribute("data-rendered", "live");
    }).catch(function (error) {
      console.error("ddj: chart " + figure.getAttribute("data-chart") + " could not be drawn: " + error);
    });
  });
})();
""".strip()


@dataclass
class ExportedReport:
    """The page and the charts found in the notebook, in order of appearance."""

    html: str
    charts: list[ChartOutput] = field(default_factory=list)


def export_html(nb: Any, *, title: str, methods_html: str = "") -> ExportedReport:
    """Turn an executed notebook into one offline HTML page; return it with the notebook's charts.

    ``methods_html`` is placed at the end of the page (see :func:`methods_box`). The notebook is not
    changed. The same notebook and arguments always give the same bytes.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    title : str
        The page's ``<title>``; a headline the notebook sets for its page (an incident's title) replaces it.
    methods_html : str, default ""
        Escaped HTML placed at the end of the page, as :func:`methods_box` makes it; nothing when empty.
    """
    from ddj._version import __version__

    nb, charts = prepare_notebook(nb)
    page = dict(nb.metadata.pop("ddj_page", None) or {})
    if page.get("title"):  # the incident's headline, not the report's slug
        title = str(page["title"])
    exporter = _exporter()
    scripts = _scripts(charts, nb.metadata.pop("ddj_scripts", None) or [])
    resources = {
        "metadata": {"name": title},
        "ddj": {
            "csp": content_security_policy(scripts),
            "css": _CSS,
            "title": escape(title),
            "description": escape(page.get("description") or ""),
            "page": script_json(page) if page else "",
            "version": escape(__version__),
            "methods": methods_html,
            "scripts": "@@DDJ-SCRIPTS@@",
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = strip_remote_references(body)
    # Scripts go in after the clean-up pass, which must never look inside them.
    html = body.replace("@@DDJ-SCRIPTS@@", str(macro(PAGE_TEMPLATE, "scripts", [Markup(s) for s in scripts], "\n")), 1)
    return ExportedReport(html=html, charts=charts)


_EXPORTERS = threading.local()


def _exporter() -> Any:
    """The calling thread's HTML exporter, made once: it compiles its templates on first use, not for every report."""
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:
        exporter = _EXPORTERS.html = _exporter_class()(
            template_name="ddj",
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            # Never empty: nbconvert writes an empty anchor as "<a ... />", which a browser reads as a link
            # left open, so all that follows is inside the (hidden) anchor. The page's style hides the mark.
            anchor_link_text="¶",
        )
    return exporter


_IMAGE_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt\s*=)", re.IGNORECASE)
_NO_ALT = "No description has been provided for this image"


@functools.cache
def _exporter_class() -> type:
    """Nbconvert's HTML exporter without its BeautifulSoup pass.

    After rendering, ``HTMLExporter`` parses the whole page with BeautifulSoup to give images without
    alt text a placeholder and to make ``.jp-Notebook`` cells focusable. ddj's template has no
    ``.jp-Notebook`` element, so only the first matters; it is done here with one regular expression
    (the page holds no script yet, and chart specs escape ``<``). Parsing a page with two inline SVG
    charts took about a third of the time of exporting it.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    from ddj.report.runner.hooks import exporter_notebook_metadata, exporter_resources

    class PageExporter(HTMLExporter):
        def from_notebook_node(  # type: ignore[override]  # HTMLExporter returns text, not the stub's NotebookNode
            self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
        ) -> tuple[str, dict[str, Any]]:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter(
                "highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            )
            resources = exporter_resources(self, resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=exporter_notebook_metadata(self), parent=self, resources=resources
                ),
            )
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _IMAGE_WITHOUT_ALT.sub(str(macro(PAGE_TEMPLATE, "image_alt", _NO_ALT)), html), resources

    return PageExporter


def prepare_notebook(nb: Any) -> tuple[Any, list[ChartOutput]]:
    """A copy of ``nb`` ready for the page, and its charts: parameter cells, stderr, scripts and widgets out,
    charts turned into figures, cell ids numbered in order (so ids do not change between runs).
    """
    nb = copy.deepcopy(nb)
    charts: list[ChartOutput] = []
    names: set[str] = set()
    pages: list[dict] = []
    wanted: list[str] = []
    cells = []
    for cell in nb.cells:
        if DROPPED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in (_static_output(o, charts, names, pages, wanted) for o in cell.get("outputs", [])) if o
            ]
            if not cell.outputs:
                continue
        cells.append(cell)
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    nb.cells = cells
    if pages:
        nb.metadata["ddj_page"] = pages[0]
    if wanted:
        nb.metadata["ddj_scripts"] = wanted
    nb.metadata.pop("widgets", None)
    return nb, charts


def _static_output(
    output: Any,
    charts: list[ChartOutput],
    names: set[str],
    pages: list[dict] | None = None,
    wanted: list[str] | None = None,
) -> Any:
    if output.get("output_type") == "stream":
        return output if output.get("name") == "stdout" else None
    if output.get("output_type") not in ("display_data", "execute_result"):
        return output
    data = output.get("data", {})
    if PAGE_MIME in data:  # the page's metadata (sections.PageInfo): kept for the head, not shown as data
        page = data.pop(PAGE_MIME)
        if isinstance(page, dict) and pages is not None and not pages:
            pages.append(dict(page))
    if SCRIPTS_MIME in data:  # scripts of ddj's own a section needs (sections.ScriptedSection): only known ones
        asked = data.pop(SCRIPTS_MIME)
        known = [name for name in (asked if isinstance(asked, list) else []) if name in PAGE_SCRIPTS]
        if wanted is not None:
            wanted.extend(name for name in dict.fromkeys(known) if name not in wanted)
    spec = vegalite_in(data)
    if spec is not None:
        wanted = (output.get("metadata", {}).get(CHART_METADATA_KEY) or {}).get("name")
        chart = ChartOutput(
            _unique_name(wanted, names, len(charts) + 1), spec, data.get("image/svg+xml") or spec_to_svg(spec)
        )
        if isinstance(chart.svg, list):  # nbformat may store multi-line text as a list
            chart = ChartOutput(chart.name, chart.spec, "".join(chart.svg))
        charts.append(chart)
        output["data"] = {"text/html": figure_html(chart)}
        output["metadata"] = {}
        return output
    if _WIDGET_MIME in data:
        fallback = {k: v for k, v in data.items() if k in ("text/html", "image/png", "image/svg+xml")}
        output["data"] = fallback or {"text/html": str(macro(PAGE_TEMPLATE, "widget_note"))}
        return output
    for mime in _DROPPED_MIMES:
        data.pop(mime, None)
    return output if data else None


def _unique_name(wanted: str | None, names: set[str], number: int) -> str:
    base = safe_filename(wanted) if wanted else f"chart-{number}"
    name, suffix = base, 2
    while name in names:
        name, suffix = f"{base}-{suffix}", suffix + 1
    names.add(name)
    return name


def figure_html(chart: ChartOutput) -> str:
    """A chart as it sits in the page, with its kit for the CMS (see :func:`ddj.report.pages.figures.figure_html`)."""
    from ddj.report.pages.figures import figure_html as chart_figure

    return chart_figure(chart)


def _scripts(charts: list[ChartOutput], wanted: Sequence[str] = ()) -> list[str]:
    """The page's inline scripts: Vega and the chart redraw when it has charts, then the sections' own scripts."""
    return ([javascript_bundle(), _CHART_SCRIPT] if charts else []) + [page_script(name) for name in wanted]


@functools.cache
def page_script(name: str) -> str:
    """One of :data:`PAGE_SCRIPTS` as a page holds it (its ``//`` comment lines apart), the text its CSP hash is of."""
    lines = source(name).splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("//")).strip()


def strip_remote_references(html: str) -> str:
    """Remove every element or style rule that would fetch something from another address.

    Plain links (``<a href>``) stay: following one is a reader's choice, not a request of the page.

    Examples
    --------
    >>> strip_remote_references('<p>x</p><script src="https://cdn.example/vega.js"></script><img src="//x/y.png">')
    '<p>x</p>'

    The CDN script and the protocol-relative image are gone; the text stays.
    """
    html = _REMOTE_ELEMENT.sub("", html)
    html = _REMOTE_VOID.sub("", html)
    return _REMOTE_CSS.sub("", html)


def remote_references(html: str) -> list[str]:
    """The addresses that elements of the page would fetch (tests use it; a clean page has none).

    Examples
    --------
    >>> remote_references('<a href="https://example.org">source</a><img src="https://example.org/x.png">')
    ['https://example.org/x.png']

    The link is not a request; the image would be.
    """
    return _FETCHING_ATTRIBUTE.findall(html) + re.findall(r"url\(\s*[\"']?(" + _REMOTE + r"[^)\"']*)", html)


def methods_box(manifest: dict[str, Any]) -> str:
    """The methods box: what made this page, from the manifest, without times (they live in the manifest).

    For a dataset the notebook read through a scope (:mod:`ddj.datasets.scope`), the box names the incidents of
    the slice and gives the slice's digest, the row-level key that decides whether the page is made again, before
    the hashes of the whole files it was taken from. Every value is escaped (in the template
    ``methods.frag.j2``): dataset names, parameters and paths can come from data or a user.
    """
    git = manifest.get("git") or {}
    datasets = [
        {
            "name": dataset.get("name", ""),
            "version": dataset.get("version") or "",
            "slice": _slice(dataset.get("slice")),
            "files": sorted(dataset.get("files", {}).items()),
        }
        for dataset in manifest.get("datasets", [])
    ]
    return str(
        macro(
            METHODS_TEMPLATE,
            "box",
            "\n",
            manifest.get("packages", {}).get("ddj", ""),
            (git.get("commit") or "")[:12],
            bool(git.get("dirty")),
            {"name": "", "sha256": "", **manifest.get("notebook", {})},
            [(k, json.dumps(v, ensure_ascii=False)) for k, v in manifest.get("parameters", {}).items()],
            datasets,
            sorted(manifest.get("packages", {}).items()),
            {"notebook": (manifest.get("outputs") or {}).get("notebook") or ""},
        )
    )


def _slice(record: Any) -> dict[str, Any] | None:
    """A manifest's slice record as the methods box shows it (``None`` for a dataset read whole)."""
    if not isinstance(record, dict) or not record.get("digest"):
        return None
    incidents = [str(i) for i in record.get("incidents") or []]
    return {"digest": str(record["digest"]), "incidents": incidents, "read": [str(i) for i in record.get("read") or []]}
