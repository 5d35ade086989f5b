"""Shipped report pages in Chromium at a phone's width (390 px), at a desktop's (1280 px) and printed from the
desktop (print media at A4's width): the page never scrolls sideways, no chart or table is cut off (each fits the
window or scrolls inside itself), a chart's caption never runs into what follows, nothing is fetched, and every link
of the front page resolves to a file.

Builds every page kind ``reports.toml`` ships (the theatre page, every incident page of the Syria dataset, the tally
page) and a filtered theatre page into a temporary folder with the shipped notebooks, once for the module, then opens
them in one browser through ``file://`` with every non-file request blocked and recorded.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.paths import ROOT

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("reports")
    config = out / "reports.toml"
    config.write_text(f"""
[reports.incident]
notebook = "{ROOT / "notebooks/incident-report.ipynb"}"
parameters = {{ dataset = "syria-ru-aviation" }}
output = "incident-{{incident_id}}"
[reports.incident.grid]
incident_id = {{ each = "incidents" }}
[reports.theatre-syria]
notebook = "{ROOT / "notebooks/theatre-overview.ipynb"}"
parameters = {{ dataset = "syria-ru-aviation", country = "Syria" }}
output = "theatre-syria"
[reports.theatre-contested]
notebook = "{ROOT / "notebooks/theatre-overview.ipynb"}"
parameters = {{ dataset = "syria-ru-aviation", country = "Syria", filters = '{{"statuses": ["contradict"]}}' }}
output = "theatre-contested"
[reports.tally-ukraine]
notebook = "{ROOT / "notebooks/tally-comparison.ipynb"}"
parameters = {{ dataset = "ukraine-equipment-losses", categories = ["tank", "APC", "aircraft"] }}
output = "tally-ukraine-equipment"
""")
    subprocess.run(
        [sys.executable, "-m", "ddj", "run", "--config", str(config), "--out", str(out)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _pages(out: Path) -> list[Path]:
    """Every shipped page, as a reader meets them: the front page, then each report's page (the theatre page, a
    filtered theatre page, the tally page and every incident page).
    """
    pages = sorted(p for p in out.glob("*/*.html") if p.parent.name != "charts" and p.stem == p.parent.name)
    assert len(pages) >= 23, f"expected every shipped page, found {len(pages)}"  # 20 incidents, 2 theatre, 1 tally
    return [out / "index.html", *pages]


#: What a reader would trip on, measured in the page: sideways scroll of the page; a chart or table reaching past the
#: window without a scroll box of its own around it (or the scroll box itself past the window); a chart's caption
#: overlapping its chart or running into the element after the figure; a chart's title, method note or legend running
#: past the window (a reader would scroll sideways to read each line, or to learn what a colour or shape means). Hidden
#: elements (closed details) are skipped.
_LAYOUT_PROBLEMS = """() => {
  const width = window.innerWidth;
  const problems = [];
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.className && e.className.baseVal === undefined ? '.' + String(e.className).split(' ')[0] : '');
  const scroller = e => { for (let a = e; a && a !== document.body; a = a.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return a; } return null; };
  const scrolled = document.scrollingElement.scrollWidth;
  if (scrolled > width) problems.push('the page scrolls sideways: ' + scrolled + ' > ' + width);
  document.querySelectorAll('main figure, main table, main svg, main img, main pre').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) return;
    const box = scroller(e);
    if (!box || box.getBoundingClientRect().right > width + 1)
      problems.push(name(e) + ' is cut off at ' + Math.round(r.right));
  });
  document.querySelectorAll('figure.ddj-chart').forEach(f => {
    const caption = f.querySelector('figcaption'), chart = f.querySelector('svg');
    if (!caption || !chart) return;
    const c = caption.getBoundingClientRect(), s = chart.getBoundingClientRect();
    if (c.top < s.bottom - 1) problems.push(name(f) + ': its caption overlaps the chart');
    let next = f.nextElementSibling;
    while (next && next.getBoundingClientRect().height === 0) next = next.nextElementSibling;
    if (next && next.getBoundingClientRect().top < f.getBoundingClientRect().bottom - 1)
      problems.push(name(f) + ' runs into ' + name(next));
    if (c.bottom > f.getBoundingClientRect().bottom + 1) problems.push(name(f) + ': its caption spills out');
    const titles = Array.from(f.querySelectorAll('.role-title')).filter(t => !t.parentElement.closest('.role-scope'));
    titles.flatMap(t => Array.from(t.querySelectorAll('text'))).forEach(t => {  // the chart's own, not a panel's
      const r = t.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1)
        problems.push(name(f) + ': its title or method note runs past the window: "' + t.textContent + '"');
    });
    f.querySelectorAll('.role-legend text').forEach(t => {  // a legend's title and labels, every panel's
      const r = t.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1)
        problems.push(name(f) + ': its legend runs past the window: "' + t.textContent + '"');
    });
  });
  return problems;
}"""


def _tab(browser, *, width: int):
    """A new tab at ``width`` px that refuses every fetch but of files; returns it and the list of the
    addresses it has tried to fetch (emptied by :func:`_navigate`).
    """
    page = browser.new_page(viewport={"width": width, "height": 900})
    fetched: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            (fetched.append(route.request.url), route.abort())
            if not route.request.url.startswith(("file:", "data:"))
            else route.continue_()
        ),
    )
    return page, fetched


def _navigate(page, fetched: list[str], path: Path) -> None:
    """Start loading ``path`` in the tab ``page``, a new document as a reader's click makes; ``fetched`` now lists
    what this page tries to fetch.
    """
    fetched.clear()
    page.goto(path.as_uri(), wait_until="commit")


def _drawn(page) -> None:
    """Wait until ``page`` has loaded and drawn every chart."""
    page.wait_for_load_state("load")
    if page.locator("figure.ddj-chart").count():
        page.wait_for_function("document.querySelectorAll('figure.ddj-chart:not([data-rendered])').length === 0")


def _open(browser, path: Path, *, width: int):
    """A page at ``width`` px, its charts drawn; returns it and the addresses it tried to fetch."""
    page, fetched = _tab(browser, width=width)
    _navigate(page, fetched, path)
    _drawn(page)
    return page, fetched


def _opened(browser, paths: list[Path], *, width: int):
    """Each of ``paths`` as :func:`_open` gives it, in order, in one tab that loads one page after another, as a
    reader following links does; a page is left behind when the caller asks for the next.

    One tab, reused: a new tab for each of the 24 pages cost Chromium 2 CPU-seconds a page, a tab reused 0.7 (45
    against 16 s for the 23 report pages at 390 px). Two tabs loading at once were a little quicker by the clock
    but started a renderer process for every page (28 for 23 pages, against 3 with one tab) and cost more CPU:
    16.9 against 12.9 CPU-seconds for the 23 pages at 1280 px; the suite is bound by the machine's two cores, so
    CPU-seconds are what the other worker waits for (December 2026).
    """
    page, fetched = _tab(browser, width=width)
    try:
        for path in paths:
            _navigate(page, fetched, path)
            _drawn(page)
            yield path, page, fetched
    finally:
        page.close()


def test_on_a_phone_no_page_scrolls_sideways_cuts_off_a_chart_or_table_or_overlaps(built, browser):
    for path, page, fetched in _opened(browser, _pages(built), width=390):
        assert page.evaluate(_LAYOUT_PROBLEMS) == [], f"{path.name} at 390 px"
        assert fetched == []


def test_on_a_desktop_and_printed_from_it_every_page_fits(built, browser):
    """Each page at 1280 px, then printed from there as a reader prints it (print media at the width of A4 less
    15 mm margins, 718 px at 96 dpi): the charts were drawn for the desktop, and the print stylesheet must make
    them fit the paper. One load serves both: a page loaded once more in print media cost Chromium 0.5-0.7
    CPU-seconds a page (24 pages) and is not how a page is ever printed.
    """
    for path, page, fetched in _opened(browser, _pages(built), width=1280):
        assert page.evaluate(_LAYOUT_PROBLEMS) == [], f"{path.name} at 1280 px"
        assert fetched == []
        page.set_viewport_size({"width": 718, "height": 900})
        page.emulate_media(media="print")
        assert page.evaluate(_LAYOUT_PROBLEMS) == [], f"{path.name} printed"
        # on paper a chart fits one page and keeps its credit; its downloads and embed code (screen only) are left out
        charts = page.evaluate("""Array.from(document.querySelectorAll('figure.ddj-chart')).map(f => [
            f.querySelector('svg').getBoundingClientRect().height, f.querySelector('.ddj-downloads').offsetHeight,
            f.querySelector('.ddj-embed').offsetHeight, f.querySelector('.ddj-credit').offsetHeight])""")
        assert all(
            svg <= 240 / 25.4 * 96 + 1 and kit == embed == 0 and credit > 0 for svg, kit, embed, credit in charts
        ), f"{path.name} printed: {charts}"
        assert path.name == "index.html" or charts, f"{path.name} has no chart"
        assert page.pdf(format="A4")[:4] == b"%PDF"
        page.emulate_media(media="screen")  # the tab loads the next page on the desktop again
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("width", [390, 1280])
def test_a_single_chart_is_drawn_again_as_narrow_as_a_phones_column(built, browser, width):
    path = built / "incident-syr-2016-08-01-mi8amtsh/incident-syr-2016-08-01-mi8amtsh.html"
    page, _ = _open(browser, path, width=width)
    fitted = page.evaluate("""Array.from(document.querySelectorAll('figure.ddj-chart[data-fitted]'))
        .map(f => f.getAttribute('data-chart'))""")
    if width == 390:  # the casualty ranges and the timeline are single charts: drawn again to the column
        assert {"casualties", "timeline"} <= set(fitted), fitted
        assert "map" not in fitted  # a map's projection is fixed in pixels: it scrolls in its figure instead
    else:
        assert fitted == []  # on a desktop every chart fits as drawn
    page.close()


def test_front_page_links_resolve_and_filter(built, browser):
    index = (built / "index.html").read_text()
    targets = re.findall(r'href="([^"#:]+)"', index)
    assert targets and all((built / t).is_file() for t in targets)
    for path in built.glob("*/*.html"):  # links between pages (related incidents, theatre to incidents)
        for t in re.findall(r'href="(\.\./[^"#]+)"', path.read_text()):
            assert (path.parent / t).resolve().is_file(), f"{path.name} links to a missing page {t}"
        for t in re.findall(r'href="(charts/[^"#]+)"', path.read_text()):  # a chart's downloads
            assert (path.parent / t).is_file(), f"{path.name} offers a missing download {t}"
    assert index.index("Russian aviation losses in Syria") < index.index("Retaliation")  # overview on top
    assert index.index("Retaliation") < index.index("Mi-8 shot down")  # newest first
    page = browser.new_page(viewport={"width": 390, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((built / "index.html").as_uri())
    page.fill("#ddj-search", "Mi-8 shot")
    shown = page.evaluate("Array.from(document.querySelectorAll('ol.ddj-pages li')).filter(e => !e.hidden).length")
    assert shown == 1 and errors == []
    page.close()


def test_a_chart_kit_fits_a_phone_and_its_embed_file_fetches_nothing(tmp_path, browser):
    """A chart's figure with its kit (credit, downloads, the embed code opened) at 390 px, and its embed file as a
    CMS's iframe shows it: no sideways scroll, nothing fetched, no script error; every download is a file.
    """
    import warnings

    import ddj
    from ddj import charts
    from ddj.report.pages import figures
    from ddj.report.pages.policy import content_security_policy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        located = charts.locator_map(ddj.load("syria-ru-aviation", warn=False), incident_ids="syr-2016-08-01-mi8amtsh")
    chart = figures.ChartOutput("map", figures.chart_spec(located), figures.chart_svg(located))
    (tmp_path / "charts").mkdir()
    for name, data in figures.chart_files(chart).items():
        (tmp_path / "charts" / name).write_bytes(data)
    page_html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
        f'content="{content_security_policy([])}"><meta name="viewport" content="width=device-width, '
        f'initial-scale=1.0"><style>figure.ddj-chart svg {{ max-width: 100%; height: auto; }}</style></head>'
        f"<body><main>{figures.figure_html(chart)}</main></body></html>"
    )
    (tmp_path / "page.html").write_text(page_html, encoding="utf-8")
    for href in re.findall(r'href="([^"]+)"', page_html):
        assert (tmp_path / href).is_file(), href
    for path in (tmp_path / "page.html", tmp_path / "charts/map.embed.html"):
        page = browser.new_page(viewport={"width": 390, "height": 900})
        fetched: list[str] = []
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.route(
            "**/*",
            lambda route, fetched=fetched: (
                (fetched.append(route.request.url), route.abort())
                if not route.request.url.startswith(("file:", "data:"))
                else route.continue_()
            ),
        )
        page.goto(path.as_uri())
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll[0] <= scroll[1], f"{path.name} scrolls sideways at 390 px: {scroll}"
        assert fetched == [] and errors == []
        assert "Natural Earth" in page.inner_text("body")
        page.close()


def test_a_big_overviews_incident_table_is_searched_under_the_pages_csp(tmp_path, browser):
    """The compact table of a big overview (issue 20) on a page the export wrote: its script runs under the page's
    CSP (allowed by its hash), the search hides the lines that do not match, and at 390 px and 1280 px the page
    does not scroll sideways and the table scrolls inside its box.
    """
    import nbformat

    import ddj
    from ddj.compare import compare
    from ddj.report.pages import sections
    from ddj.report.pages.htmlexport import export_html

    ds = ddj.load("syria-ru-aviation", warn=False)
    finder = sections.incident_finder(compare(ds), ds.incidents, shown=3)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "f", outputs=[nbformat.v4.new_output("display_data", data=finder._repr_mimebundle_())]
        )
    ]
    (tmp_path / "page.html").write_text(export_html(nb, title="big").html, encoding="utf-8")
    mi8 = ds.incidents.filter(ds.incidents["title"].str.contains("Mi-8")).height
    for width in (390, 1280):
        page, fetched = _open(browser, tmp_path / "page.html", width=width)
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.reload()
        assert page.is_visible("input.ddj-finder-search")  # the script ran: the page's CSP allowed it
        page.fill("input.ddj-finder-search", "mi-8")
        shown = page.evaluate("document.querySelectorAll('section.ddj-finder tbody tr:not([hidden])').length")
        assert 0 < shown == mi8 < ds.incidents.height
        assert page.inner_text(".ddj-finder-count") == f"{mi8} of {ds.incidents.height} incidents shown"
        assert page.evaluate(_LAYOUT_PROBLEMS) == [] and fetched == [] and errors == []
        page.close()
