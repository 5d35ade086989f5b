"""The Explorer in a browser: `ddj explore` serves it with Voila on 127.0.0.1, Playwright drives Debian's
chromium, and every request that would leave localhost is blocked and recorded (none may be made).

A filter change must update the count, the table and the charts to what ddj computes in Python for the same
view; a brush on the timeline must come back as dates in the filters.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

import ddj
from ddj.filters import FILTER_BY_NAME, FilterSpec
from ddj.widgets import startup
from ddj.widgets.state import ExplorerData

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """`ddj explore` on a free port, at the address (with its token) it prints; teardown stops it and Voila."""
    from tests.widgets.test_explorer_server import start, stop

    server = start(tmp_path_factory.mktemp("explore"), "syria-ru-aviation", "--port", "0")
    try:
        yield server.url
    finally:
        stop(server.process)


@pytest.fixture(scope="module")
def data():
    return ExplorerData(ddj.load("syria-ru-aviation", warn=False))


def _count(page) -> int:
    return int(page.get_attribute(".ddj-x-counts", "data-incidents"))


def _marks(page, chart: str, mark: str) -> int:
    return page.locator(f".ddj-chart-{chart} svg .mark-{mark}.role-mark path").count()


def _texts(page, chart: str) -> list[str]:
    return page.locator(f".ddj-chart-{chart} svg text").all_text_contents()


def _wait_for_view(page, view, timeout: int = TIMEOUT_MS) -> None:
    """Wait until the page shows ``view``: the count, the table and the three charts' new data."""
    page.wait_for_selector(f".ddj-x-counts[data-incidents='{view.counts.incidents}']", timeout=timeout)
    page.wait_for_selector(f".ddj-x-table[data-rows='{view.table.height}']", timeout=timeout)
    title = f"When: {view.counts.incidents} of {view.counts.total} incidents, by {view.period}"
    page.wait_for_function(
        """([title, cells, points]) => {
            const texts = [...document.querySelectorAll('.ddj-chart-timeline svg text')].map(t => t.textContent);
            const rects = document.querySelectorAll('.ddj-chart-matrix svg .mark-rect.role-mark path').length;
            const symbols = document.querySelectorAll('.ddj-chart-map svg .mark-symbol.role-mark path').length;
            return texts.includes(title) && rects === cells && symbols === points;
        }""",
        arg=[title, view.matrix.height, view.map.height],
        timeout=timeout,
    )


def _brushed_view(page, data):
    """The view of the dates a brush set, once the page shows it.

    The brush reports its interval while it is dragged, so the date inputs may first hold a passing interval:
    wait for the view of the dates the inputs hold, and read them again until the page shows the view of dates
    that no longer change (within the usual deadline).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        dates = (page.input_value(".ddj-filter-date-from input"), page.input_value(".ddj-filter-date-to input"))
        view = data.view(FilterSpec(date_from=dates[0], date_to=dates[1]))
        try:
            _wait_for_view(page, view, timeout=5_000)
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise
            continue
        if (page.input_value(".ddj-filter-date-from input"), page.input_value(".ddj-filter-date-to input")) == dates:
            return view


def test_a_filter_change_updates_count_table_and_charts_and_nothing_leaves_localhost(dashboard, data):
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    seen: list[str] = []

    def route(request_route):
        url = request_route.request.url
        seen.append(url)
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in LOCAL:
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    everything = data.view(FilterSpec())
    silence = data.view(FilterSpec(statuses=["official_silent"]))
    assert silence.counts.incidents == 1  # what the page must come to show
    assert everything.counts.incidents == everything.counts.total == data.dataset.incidents.height
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            sockets: list[str] = []
            page.on("websocket", lambda ws: sockets.append(ws.url))
            vega_warnings: list[str] = []  # Vega logs "WARN ..." when it had to correct a chart's spec
            page.on(
                "console",
                lambda m: vega_warnings.append(m.text) if m.type == "warning" and m.text.startswith("WARN") else None,
            )
            page.route("**/*", route)
            page.add_init_script(_RECORD_LOADING)
            page.goto(dashboard, timeout=TIMEOUT_MS)
            _wait_for_view(page, everything)
            # while it loaded, the page said what the kernel was doing: opening the data ddj explore prepared (a
            # step too quick at twenty incidents for the page to always paint it), then drawing the first view
            steps = [f"{startup.OPEN}…", f"{startup.DRAW}…"]
            said = [text for text in page.evaluate("() => window.ddjSaid") if text in steps]
            assert said in (steps, steps[1:]), said
            assert page.locator(".ddj-x-table tbody tr").count() == everything.table.height

            # the status filter's own widget: "official silent"
            label = _label("statuses", "official_silent", data.facets(FilterSpec()))
            page.locator(".ddj-filter-statuses select").select_option(label=label)
            _wait_for_view(page, silence)
            assert f"1 of {everything.counts.total} incidents" in page.inner_text(".ddj-x-counts")
            rows = page.locator(".ddj-x-table tbody tr")
            assert [rows.nth(i).get_attribute("data-incident") for i in range(rows.count())] == silence.table[
                "incident_id"
            ].to_list()
            assert _marks(page, "matrix", "rect") == 10  # one incident, ten compared attributes
            assert f"What each side says: 1 of {everything.counts.total} incidents" in _texts(page, "matrix")

            # a click on the row opens the incident's accounts and scrolls to them; the row is marked
            (only,) = silence.table["incident_id"].to_list()
            page.locator(f".ddj-x-table tr[data-incident='{only}']").click()
            page.wait_for_selector(f".ddj-x-detail .ddj-x-title[data-incident='{only}']", timeout=TIMEOUT_MS)
            page.wait_for_selector(f".ddj-x-table tr.ddj-x-chosen[data-incident='{only}']", timeout=TIMEOUT_MS)
            page.wait_for_function(
                "() => { const top = document.querySelector('.ddj-x-detail').getBoundingClientRect().top;"
                " return top >= -5 && top < window.innerHeight / 2; }",
                timeout=TIMEOUT_MS,
            )
            # the view's download links carry the file in the page
            href = page.get_attribute(".ddj-x-download-csv", "href")
            assert href and href.startswith("data:text/csv;charset=utf-8;base64,")

            # clearing the filters brings every chart back
            page.locator(".ddj-preset-clear").click()
            _wait_for_view(page, everything)

            # a click on the grade heading sorts the list by grade
            page.locator(".ddj-x-table th[data-sort='grade']").click()
            page.wait_for_selector(".ddj-x-table[data-order='grade']", timeout=TIMEOUT_MS)
            by_grade, _ = data.rows(FilterSpec(), order="grade")
            rows = page.locator(".ddj-x-table tbody tr")
            assert [rows.nth(i).get_attribute("data-incident") for i in range(rows.count())] == by_grade[
                "incident_id"
            ].to_list()

            # a brush across the middle of the timeline comes back as dates, and the view follows them
            page.locator(".ddj-chart-timeline").scroll_into_view_if_needed()  # the row click scrolled away
            frame = page.locator(".ddj-chart-timeline svg path.background").first.bounding_box()
            assert frame is not None
            y = frame["y"] + frame["height"] / 2
            page.mouse.move(frame["x"] + frame["width"] * 0.2, y)
            page.mouse.down()
            page.mouse.move(frame["x"] + frame["width"] * 0.45, y, steps=8)
            page.mouse.up()
            page.wait_for_function(
                "() => document.querySelector('.ddj-filter-date-from input').value !== ''", timeout=TIMEOUT_MS
            )
            brushed = _brushed_view(page, data)
            assert 0 < brushed.counts.incidents < everything.counts.incidents
        finally:
            browser.close()
    assert blocked == [], f"requests that would have left localhost: {blocked}"
    assert seen and all(urlsplit(u).hostname in LOCAL or urlsplit(u).scheme in ("data", "blob") for u in seen)
    assert sockets and all(urlsplit(u).hostname in LOCAL for u in sockets)
    assert vega_warnings == [], f"Vega corrected the explorer's charts: {vega_warnings[:5]}"
    # the three charts' JavaScript came once, from the Explorer's own server (not three times through the kernel)
    bundles = [u for u in seen if urlsplit(u).path.startswith("/ddj/jupyterchart-")]
    assert len(bundles) == 1 and urlsplit(bundles[0]).netloc == urlsplit(dashboard).netloc, bundles


#: Records every text the loading spinner shows, in order, into window.ddjSaid (run before the page's scripts).
_RECORD_LOADING = """
window.ddjSaid = [];
new MutationObserver(() => {
    const text = document.getElementById('loading_text');
    const said = text ? text.textContent.trim() : null;
    if (said && said !== window.ddjSaid[window.ddjSaid.length - 1]) { window.ddjSaid.push(said); }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def test_a_bad_address_says_which_parameter_is_wrong_in_the_page_and_shows_every_incident(dashboard, data):
    from playwright.sync_api import sync_playwright

    everything = data.view(FilterSpec())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            joiner = "&" if "?" in dashboard else "?"
            page.goto(dashboard + joiner + "countries=syria&date_from=2016-13-01", timeout=TIMEOUT_MS)
            _wait_for_view(page, everything)
            message = page.inner_text(".ddj-x-address-error")
        finally:
            browser.close()
    assert "countries=syria: no incident has that country. Did you mean 'Syria'?" in message
    assert "date_from=2016-13-01: not a date; write it as YYYY-MM-DD" in message
    assert "Showing every incident instead" in message and "Traceback" not in message


def _label(name: str, value: str, facets: dict) -> str:
    """The option's words as the widget shows them, with its facet count: "... (1)"."""
    from ddj.widgets.explorer import _label as label

    return f"{label(FILTER_BY_NAME[name], value)} ({facets[name].get(value, 0):,})"
