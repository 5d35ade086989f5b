"""End to end: two runs of small reports.toml files into a temporary folder, as ``ddj run`` runs them (two workers
on warm kernels), then the pages in a browser.

The first run builds good reports (fixture and shipped notebooks, one on a dataset full of script); the
second reruns one unchanged (byte-identical page) and breaks three that had succeeded: a cell raises, the
kernel dies twice, a parameter has the wrong type. Their previous pages must stay untouched.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest

from ddj._io import file_sha256
from ddj.cli import main
from ddj.report.pages.htmlexport import remote_references
from ddj.report.runner.config import load_config
from ddj.report.runner.executors import WarmExecutor
from ddj.report.runner.progress import PlainProgress, make_progress, print_summary
from ddj.report.runner.run import run_reports, warm_worker
from tests.fixtures.hostile import write_hostile_package
from tests.paths import ROOT

FIXTURES = ROOT / "tests" / "notebooks"
NOTEBOOKS = ROOT / "notebooks"
HOSTILE_TITLE = '</script><script>window.__pwned="title"</script><img src=x onerror="window.__pwned=7">'

FIRST = f"""
[reports.tiny]
notebook = "{FIXTURES / "tiny.ipynb"}"
parameters = {{ title = {json.dumps(HOSTILE_TITLE)}, points = 4 }}

[reports.hostile-tiny]
notebook = "{FIXTURES / "tiny.ipynb"}"
parameters = {{ dataset = "hostile", title = "labels from hostile data" }}

[reports.incident]
notebook = "{NOTEBOOKS / "incident-report.ipynb"}"
parameters = {{ dataset = "hostile" }}
output = "incident-{{incident_id}}"
[reports.incident.grid]
incident_id = {{ each = "incidents" }}

[reports.theatre]
notebook = "{NOTEBOOKS / "theatre-overview.ipynb"}"
parameters = {{ dataset = "hostile", country = "Syria", date_from = 2021-01-01 }}

[reports.tally]
notebook = "{NOTEBOOKS / "tally-comparison.ipynb"}"
parameters = {{ dataset = "ukraine-equipment-losses", categories = ["tank"] }}

[reports.retry]
notebook = "{FIXTURES / "kills.ipynb"}"
parameters = {{ marker = "MARKER" }}
"""

SECOND = f"""
[reports.tiny]
notebook = "{FIXTURES / "tiny.ipynb"}"
parameters = {{ title = {json.dumps(HOSTILE_TITLE)}, points = 4 }}

[reports.hostile-tiny]
notebook = "{FIXTURES / "raises.ipynb"}"

[reports.theatre]
notebook = "{FIXTURES / "kills.ipynb"}"

[reports.tally]
notebook = "{NOTEBOOKS / "tally-comparison.ipynb"}"
parameters = {{ dataset = "ukraine-equipment-losses", categories = "tank" }}
"""

FIRST_NAMES = ["tiny", "hostile-tiny", "incident-inc-1", "incident-inc-2", "theatre", "tally", "retry"]
BROKEN = ["hostile-tiny", "theatre", "tally"]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("report-runs")
    write_hostile_package(base / "hostile")
    (base / "first.toml").write_text(FIRST.replace("MARKER", str(base / "marker")), encoding="utf-8")
    (base / "second.toml").write_text(SECOND, encoding="utf-8")
    out = base / "reports"
    log1 = io.StringIO()
    # as `ddj run` runs them: two workers on warm kernels (`--fresh-kernels`, one report at a time on a new kernel
    # each, is the runner's other path: test_pool shows both give the same page, byte for byte)
    with WarmExecutor(2, warm_up=warm_worker) as executor:
        first = run_reports(
            load_config(base / "first.toml").reports, out, executor=executor, progress=PlainProgress(log1)
        )
    before = {name: _snapshot(out / name) for name in FIRST_NAMES}
    log2 = io.StringIO()
    # force: tiny's inputs are unchanged, and it must still run again to show the page is byte-identical
    with WarmExecutor(2, warm_up=warm_worker) as executor:
        second = run_reports(
            load_config(base / "second.toml").reports, out, executor=executor, progress=PlainProgress(log2), force=True
        )
    return {
        "base": base,
        "out": out,
        "first": first,
        "second": second,
        "before": before,
        "log1": log1.getvalue(),
        "log2": log2.getvalue(),
    }


def _manifest(out: Path, name: str) -> dict:
    return json.loads((out / name / "manifest.json").read_text(encoding="utf-8"))


def test_the_first_run_succeeds_and_retries_a_dead_kernel_once(runs):
    results = {r.name: r for r in runs["first"].results}
    assert list(results) == FIRST_NAMES
    assert {n: r.status for n, r in results.items()} == dict.fromkeys(FIRST_NAMES, "ok")
    assert results["retry"].attempts == 2 and results["tiny"].attempts == 1
    assert runs["first"].exit_code == 0
    # two workers: the lines come in the order the reports end, numbered 1 to 7, each report once
    lines = re.findall(r"^\[(\d)/7\] ([\w-]+): ok", runs["log1"], flags=re.MULTILINE)
    assert [n for n, _ in lines] == [str(i) for i in range(1, 8)] and sorted(r for _, r in lines) == sorted(FIRST_NAMES)


def test_each_report_folder_holds_notebook_page_charts_and_manifest(runs):
    out = runs["out"]
    for name in FIRST_NAMES:
        assert {"manifest.json", f"{name}.html", f"{name}.ipynb"} <= set(runs["before"][name])
    charts = sorted(p.name for p in (out / "tiny" / "charts").iterdir())
    kit = ("-1280.png", "-640.png", ".csv", ".embed.html", ".png", ".svg")
    assert charts == sorted(f"{name}{suffix}" for name in ("incidents", "points") for suffix in kit)
    assert (out / "tiny" / "charts" / "points.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "tiny" / "charts" / "points.svg").read_text(encoding="utf-8").startswith("<svg")
    assert not list(out.glob(".*staging*")), "staging folders must be cleaned up"
    assert (out / "tiny" / "tiny.html").stat().st_mode & 0o044, "pages must be readable beyond their owner"


def test_the_manifest_records_inputs_versions_times_and_hashes(runs):
    out, base = runs["out"], runs["base"]
    manifest = json.loads(runs["before"]["hostile-tiny"]["manifest.json"])  # as the first run wrote it
    assert manifest["status"] == "ok" and manifest["error"] is None and manifest["attempts"] == 1
    assert manifest["notebook"]["sha256"] == file_sha256(FIXTURES / "tiny.ipynb")
    assert manifest["parameters"] == {
        "dataset": str((base / "hostile").resolve()),
        "title": "labels from hostile data",
        "points": 3,
    }
    (dataset,) = manifest["datasets"]
    assert dataset["name"] == "hostile" and dataset["parameter"] == "dataset"
    assert set(dataset["files"]) == {
        "datapackage.json",
        "incidents.csv",
        "sources.csv",
        "accounts.csv",
        "overrides.csv",
    }
    for relpath, digest in dataset["files"].items():
        assert digest == file_sha256(base / "hostile" / relpath)
    outputs = manifest["outputs"]
    assert outputs["html_sha256"] == file_sha256(out / "hostile-tiny" / "hostile-tiny.html")
    assert outputs["notebook_sha256"] == file_sha256(out / "hostile-tiny" / "hostile-tiny.ipynb")
    for chart in outputs["charts"]:
        assert chart["svg_sha256"] == file_sha256(out / "hostile-tiny" / chart["svg"])
        assert chart["png_sha256"] == file_sha256(out / "hostile-tiny" / chart["png"])
    assert {"python", "ddj", "papermill", "nbconvert", "polars", "altair", "vl-convert-python", "vega-lite"} <= set(
        manifest["packages"]
    )
    assert re.fullmatch(r"[0-9a-f]{40}", manifest["git"]["commit"])
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["input_fingerprint"])
    assert manifest["started"] < manifest["finished"] and manifest["duration_seconds"] > 0
    assert manifest["last_success"]["html_sha256"] == outputs["html_sha256"]
    assert manifest["schedule"] is None and manifest["group"] == "hostile-tiny"


def test_the_kernel_got_the_checked_parameters(runs):
    nb = nbformat.read(runs["out"] / "tiny" / "tiny.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "points = 4" in injected.source and 'dataset = "syria-ru-aviation"' in injected.source


def test_the_page_is_offline_and_carries_the_methods_box(runs):
    html = (runs["out"] / "tiny" / "tiny.html").read_text(encoding="utf-8")
    assert remote_references(html) == []
    assert html.count('<figure class="ddj-chart"') == 2
    assert "How this report was made" in html and "syria-ru-aviation" in html
    assert "stays out of the page" not in html and "done" in html
    assert "dataset = " not in html  # code is hidden
    assert _manifest(runs["out"], "tiny")["started"][:10] not in html  # times live in the manifest


def test_the_same_inputs_give_byte_identical_output(runs):
    before, out = runs["before"]["tiny"], runs["out"] / "tiny"
    for name in ("tiny.html", "charts/incidents.svg", "charts/incidents.png", "charts/points.png"):
        assert (out / name).read_bytes() == before[name], name
    assert json.loads(before["manifest.json"])["started"] != _manifest(runs["out"], "tiny")["started"]


def test_failures_are_isolated_and_reported(runs):
    second = runs["second"]
    assert {r.name: r.status for r in second.results} == {
        "tiny": "ok",
        "hostile-tiny": "failed",
        "theatre": "failed",
        "tally": "invalid",
    }
    assert second.exit_code == 1
    summary = io.StringIO()
    print_summary(second.results, summary, fancy=False)
    text = summary.getvalue()
    assert re.search(r"hostile-tiny +failed .*ValueError: boom", text)
    assert "reports: 1 ok, 2 failed, 1 invalid" in text


@pytest.mark.parametrize("name", BROKEN)
def test_a_failed_report_keeps_its_last_good_page(runs, name):
    before, folder = runs["before"][name], runs["out"] / name
    for kept in (f"{name}.html", f"{name}.ipynb"):
        assert (folder / kept).read_bytes() == before[kept]
    manifest = _manifest(runs["out"], name)
    assert manifest["last_success"]["finished"] == json.loads(before["manifest.json"])["finished"]
    assert manifest["outputs"]["html"] == f"{name}.html"


def test_a_raising_cell_is_named_and_kept_in_the_failed_notebook(runs):
    manifest = _manifest(runs["out"], "hostile-tiny")
    error = manifest["error"]
    assert manifest["status"] == "failed" and (error["ename"], error["evalue"]) == ("ValueError", "boom")
    assert error["source"] == "raise ValueError(message)" and "ValueError" in "".join(error["traceback"])
    failed = nbformat.read(runs["out"] / "hostile-tiny" / "hostile-tiny.failed.ipynb", as_version=4)
    cell = failed.cells[error["cell_index"]]
    assert cell.source == "raise ValueError(message)"
    assert cell.outputs[-1]["output_type"] == "error"


def test_a_kernel_that_dies_twice_is_reported_clearly(runs):
    manifest = _manifest(runs["out"], "theatre")
    error = manifest["error"]
    assert manifest["attempts"] == 2 and error["ename"] == "DeadKernelError"
    assert "the kernel died while running this cell, 2 time(s) in a row" in error["message"]
    assert "os.kill" in error["source"]
    failed = nbformat.read(runs["out"] / "theatre" / "theatre.failed.ipynb", as_version=4)
    assert failed.cells[error["cell_index"]].outputs[-1]["ename"] == "DeadKernelError"
    # the marker at the top and the summary name the same cell
    assert f"stopped at cell {error['cell_index']}: DeadKernelError" in failed.cells[0].source


def test_an_ill_typed_parameter_is_refused_before_any_kernel(runs):
    manifest = _manifest(runs["out"], "tally")
    assert manifest["status"] == "invalid" and manifest["attempts"] == 0
    assert manifest["error"]["parameter"] == "categories"
    assert (
        manifest["error"]["message"]
        == "report 'tally': parameter 'categories': 'tank' is not a list (the parameter is list[str])"
    )
    assert not (runs["out"] / "tally" / "tally.failed.ipynb").exists()


def test_the_index_lists_every_report_with_status_and_last_success(runs):
    index = (runs["out"] / "index.html").read_text(encoding="utf-8")
    for name in FIRST_NAMES:
        assert f'href="{name}/{name}.html"' in index
    assert index.count('<td class="failed">') == 2 and index.count('<td class="invalid">') == 1
    assert "never" not in index
    # The only script is the front page's search filter, allowed by its hash in the page's CSP.
    from ddj.report.pages.index import _FILTER_SCRIPT

    assert index.count("<script") == 1 and f"<script>{_FILTER_SCRIPT}</script>" in index
    assert remote_references(index) == []


def test_cli_refuses_bad_parameters_with_one_line(runs, capsys):
    code = main(["run", str(FIXTURES / "tiny.ipynb"), "-p", "points", "many", "--out", str(runs["base"] / "adhoc")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.strip() == ("ddj run: error: report 'tiny-many': parameter 'points' (int): 'many' is not a whole number")
    assert main(["run", str(FIXTURES / "tiny.ipynb"), "-p", "point", "3", "--out", str(runs["base"] / "adhoc")]) == 2
    assert "unknown parameter 'point' for tiny.ipynb; did you mean 'points'?" in capsys.readouterr().err
    assert not (runs["base"] / "adhoc").exists()


def test_cli_plain_output_when_not_on_a_terminal(runs, capsys):
    config = runs["base"] / "second.toml"
    code = main(["run", "--config", str(config), "--only", "tally", "--out", str(runs["base"] / "cli")])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0] == "running 1 report(s)"
    assert "[1/1] tally: invalid (0.0 s): report 'tally': parameter 'categories'" in out
    assert "\x1b[" not in out and "reports: 1 invalid" in out


def test_a_terminal_gets_a_progress_bar():
    stream = io.StringIO()
    progress = make_progress(stream, fancy=True)
    progress.start(1)
    progress.report_started("demo")
    progress.close()
    assert "reports" in stream.getvalue() and "0/1" in stream.getvalue()


# --- in a browser ----------------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        _TABS.clear()
        instance.close()


_SHOWN = ("h2", "h3", "table", "figure.ddj-chart", "dl", "ol")
"""The parts of a report page a reader must see: headings, tables, charts, fact lists and footnotes."""


#: One tab per JavaScript setting, kept for the module: each page opens in it as a reader follows links. A new
#: browser context for each of the 21 pages and embed files started a renderer process for each (the module started
#: 68, now 9).
_TABS: dict[bool, tuple[Any, dict[str, list[str]]]] = {}


def _tab(browser, javascript: bool) -> tuple[Any, dict[str, list[str]]]:
    """The module's tab with ``javascript`` on or off, and what it has recorded: the requests it was refused
    (anything but a file) and the problems it logged (errors, Vega's warnings, uncaught exceptions, dialogs).
    """
    if javascript not in _TABS:
        page = browser.new_context(java_script_enabled=javascript).new_page()
        seen: dict[str, list[str]] = {"requests": [], "problems": []}

        def route(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                seen["requests"].append(route.request.url)
                route.abort()

        page.route("**/*", route)
        # Errors, and Vega's own warnings ("WARN ..."): a spec Vega-Lite has to correct is a chart bug.
        page.on(
            "console",
            lambda m: (
                seen["problems"].append(m.text)
                if m.type == "error" or (m.type == "warning" and m.text.startswith("WARN"))
                else None
            ),
        )
        page.on("pageerror", lambda e: seen["problems"].append(str(e)))
        page.on("dialog", lambda d: (seen["problems"].append(f"dialog: {d.message}"), d.dismiss()))
        _TABS[javascript] = (page, seen)
    return _TABS[javascript]


def _open(browser, path: Path, *, javascript: bool = True) -> dict:
    """Open ``path`` in the module's tab (a new document, as a click on a link makes) and report what a reader
    meets: the requests refused, the problems logged, the charts drawn, script that ran from the data, and the
    parts of the page that take no room.
    """
    page, seen = _tab(browser, javascript)
    seen["requests"].clear()
    seen["problems"].clear()
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    if javascript:
        page.wait_for_function(
            "() => [...document.querySelectorAll('figure.ddj-chart')].every(f => f.dataset.rendered === 'live')",
            timeout=15000,
        )
    figures = page.eval_on_selector_all(
        "figure.ddj-chart",
        "fs => fs.map(f => [f.dataset.chart, f.dataset.rendered || '', f.querySelectorAll('svg').length])",
    )
    pwned = page.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)") if javascript else None
    # What a reader must see: an element that takes no room on the page (inside something hidden, such as
    # a link left open) is listed with the start of its text.
    hidden = page.eval_on_selector_all(
        ", ".join(f"main {s}" for s in _SHOWN),
        "es => es.filter(e => e.getBoundingClientRect().height === 0)"
        ".map(e => e.tagName.toLowerCase() + ': ' + e.textContent.trim().slice(0, 60))",
    )
    shown = page.eval_on_selector_all(", ".join(f"main {s}" for s in _SHOWN), "es => es.length")
    return {
        "requests": list(seen["requests"]),
        "problems": list(seen["problems"]),
        "figures": figures,
        "pwned": pwned,
        "hidden": hidden,
        "shown": shown,
    }


@pytest.mark.browser
def test_every_page_renders_offline_with_no_request_and_no_error(runs, browser):
    pages = sorted(p for p in runs["out"].rglob("*.html") if p.parent.name != "charts")
    assert len(pages) == len(FIRST_NAMES) + 1  # one page per report, and the index
    embeds = sorted(runs["out"].rglob("charts/*.embed.html"))  # each chart's embed file, hostile text and all
    assert embeds
    for path in embeds:
        seen = _open(browser, path)
        assert seen["requests"] == [] and seen["pwned"] is None, f"{path}: {seen['requests']} {seen['pwned']}"
    for path in pages:
        seen = _open(browser, path)
        assert seen["requests"] == [], f"{path.name} asked the network for {seen['requests']}"
        assert seen["problems"] == [], f"{path.name}: {seen['problems']}"
        assert seen["pwned"] is None, f"{path.name}: injected script ran ({seen['pwned']})"
        manifest = json.loads((path.parent / "manifest.json").read_text()) if path.name != "index.html" else None
        expected = [c["name"] for c in manifest["outputs"]["charts"]] if manifest and manifest.get("outputs") else []
        assert [f[0] for f in seen["figures"]] == expected
        assert all(rendered == "live" and svgs == 1 for _, rendered, svgs in seen["figures"]), seen["figures"]
        assert seen["hidden"] == [], f"{path.name}: parts of the page are not shown: {seen['hidden']}"
        if path.name.startswith("incident-"):  # heading, facts, grade, accounts, discrepancies, two charts, narrative
            assert seen["shown"] >= 10, f"{path.name}: only {seen['shown']} parts to see"


@pytest.mark.browser
def test_charts_show_as_static_svg_without_javascript(runs, browser):
    seen = _open(browser, runs["out"] / "hostile-tiny" / "hostile-tiny.html", javascript=False)
    assert [f[0] for f in seen["figures"]] == ["incidents", "points"]
    assert all(svgs == 1 for _, _, svgs in seen["figures"])
    assert seen["requests"] == []
    assert seen["hidden"] == []


@pytest.mark.browser
def test_hostile_text_is_shown_as_text(runs, browser):
    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    page.goto((runs["out"] / "incident-inc-1" / "incident-inc-1.html").as_uri())
    title = page.inner_text("h2.ddj-title")
    assert title == "Title 0 <script>window.__pwned=1</script>"
    # the only scripts in the page's body are the charts' specs, inert JSON the export writes (not data's markup)
    injected = "main script:not(script.ddj-chart-spec[type='application/json']), main img, main iframe"
    assert page.evaluate(f'() => document.querySelectorAll("{injected}").length') == 0
    charts = "() => document.querySelectorAll('main script.ddj-chart-spec').length"
    assert page.evaluate(charts) == 3  # casualties, timeline, map
    page.goto((runs["out"] / "tiny" / "tiny.html").as_uri())
    assert page.inner_text("main h2") == HOSTILE_TITLE
    context.close()


def test_reports_that_took_longest_last_time_run_first_and_new_ones_before_them(tmp_path):
    from ddj.report.runner.config import ReportSpec
    from ddj.report.runner.run import longest_first

    specs = [
        ReportSpec(name=name, group="g", notebook=tmp_path / "n.ipynb", parameters={}, base_dir=tmp_path)
        for name in ("short", "long", "new", "middle")
    ]
    for name, seconds in (("short", 1.5), ("long", 4.6), ("middle", 3.1)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text(json.dumps({"duration_seconds": seconds}), encoding="utf-8")
    ordered = longest_first([(spec, None) for spec in specs], tmp_path)
    assert [spec.name for spec, _ in ordered] == ["new", "long", "middle", "short"]
