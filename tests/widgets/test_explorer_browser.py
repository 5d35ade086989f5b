"""Kernels that end, in a browser: Playwright drives Debian's chromium against `ddj explore`.

Each page load starts a kernel; closing or reloading the page must end it (Voila's shutdown beacon, which
ddj's server accepts), and the idle culler ends what a beacon missed. The kernel counts are read from /proc.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.widgets import test_explorer_server
from tests.widgets.test_explorer_server import wait_for

#: The running-server fixture of the server tests, shared: pytest finds fixtures among a module's names, and an
#: assignment (unlike an import) is not shadowed by the test parameters that ask for it.
server_factory = test_explorer_server.server_factory

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
TIMEOUT_MS = 90_000
MEASURED: dict[str, object] = {}


@contextlib.contextmanager
def _browser(playwright, profile: Path) -> Iterator:
    """Chromium as a reader runs it: with a profile on disk (new for each test), whose cache keeps the page's
    scripts between loads, as a reader's browser does. A throwaway in-memory context compiled every script of
    every load again: 12.8-15.8 CPU-seconds of renderers for eight loads of the Explorer, against 9.6-11.3 with a
    profile (December 2026).
    """
    context = playwright.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=ARGS)
    try:
        yield context
    finally:
        context.close()


def _loaded(page) -> None:
    page.wait_for_selector(".ddj-x-counts[data-incidents]", timeout=TIMEOUT_MS)


#: Pages opened and closed, then reloads of the page left open, as issue 19 asks ("loads and closes the page 10
#: times and reloads 5 times"). Each load starts a kernel (about 3 s of CPU).
CLOSES = 10
RELOADS = 5


def test_closed_and_reloaded_pages_leave_at_most_two_kernels(server_factory, tmp_path):
    """Closing or reloading a page ends its kernel: never more than two at once (the page open and one still
    ending), still at most two once the culler has had every chance to act, none once the last page closes.

    A kernel whose beacon was lost lives until the culler ends it (12 s of idling plus up to one 2 s interval)
    and a page loads in about 4 s here, so with closes that send no beacon the counts read after each load
    climb past two by the third load (1, 2, 3, 4 when tried).
    """
    from playwright.sync_api import sync_playwright

    server = server_factory("--port", "0", "--cull-idle-timeout", "12", "--cull-interval", "2")
    peak = 0
    with sync_playwright() as playwright, _browser(playwright, tmp_path / "profile") as context:
        for _ in range(CLOSES):  # open the page, wait for the Explorer, close the tab
            page = context.new_page()
            page.goto(server.url, timeout=TIMEOUT_MS)
            _loaded(page)
            peak = max(peak, server.kernels())
            page.close(run_before_unload=True)
        page = context.new_page()
        page.goto(server.url, timeout=TIMEOUT_MS)
        _loaded(page)
        for _ in range(RELOADS):  # reload the open page
            page.reload(timeout=TIMEOUT_MS)
            _loaded(page)
            peak = max(peak, server.kernels())
        # the open page keeps its kernel; every other ends, by beacon at once or by the culler
        at_end = wait_for(
            lambda: (lambda n: n if n <= 2 else 0)(server.kernels()) or None,
            60,
            f"at most two kernels after {CLOSES} closes and {RELOADS} reloads",
            every=1,
        )
        started = time.monotonic()
        # and still at most two once the culler has had every chance to act: longer than the idle timeout
        # (12 s here; a minute in the words, but the culler's timing is the setting's) plus one
        # culling interval (2 s), so an idle kernel left behind would show here
        while time.monotonic() - started < 15:
            assert server.kernels() <= 2
            time.sleep(1)
        after_minute = server.kernels()
        page.close(run_before_unload=True)
        closed = wait_for(lambda: server.kernels() == 0 or None, 60, "no kernel once the last page closed")
    MEASURED.update(peak=peak, settled=at_end, after_a_minute=after_minute, after_last_close=0 if closed else None)
    print(f"kernels: peak {peak}, settled {at_end}, a minute later {after_minute}, after the last close 0")
    assert peak <= 2 and after_minute <= 2


def test_a_page_with_no_beacon_is_culled_when_idle(server_factory):
    """A tab that dies without its beacon (a crash, a killed browser) leaves a kernel the culler ends."""
    from playwright.sync_api import sync_playwright

    server = server_factory("--port", "0", "--no-token", "--cull-idle-timeout", "10", "--cull-interval", "2")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(server.url, timeout=TIMEOUT_MS)
            _loaded(page)
            assert server.kernels() == 1
            page.close(run_before_unload=False)  # no beforeunload: no beacon
        finally:
            browser.close()
    wait_for(lambda: server.kernels() == 0, 90, "the idle kernel to be culled", every=1)


def test_the_kernel_cap_shows_a_busy_page(server_factory):
    from playwright.sync_api import sync_playwright

    server = server_factory("--port", "0", "--max-kernels", "1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context()
            first = context.new_page()
            first.goto(server.url, timeout=TIMEOUT_MS)
            _loaded(first)
            second = context.new_page()
            response = second.goto(server.url, timeout=TIMEOUT_MS)
            assert response is not None and response.status == 503
            assert "The Explorer is busy" in second.inner_text("h1")
            assert server.kernels() == 1
            first.close(run_before_unload=True)
            wait_for(lambda: server.kernels() == 0, 60, "the first page's kernel to end")
            # the server forgets the kernel just after its process ends: reload until the Explorer is served
            wait_for(lambda: second.reload(timeout=TIMEOUT_MS).status == 200, 60, "a free place", every=1)
            _loaded(second)
            assert server.kernels() == 1
        finally:
            browser.close()
