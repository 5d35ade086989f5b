"""``reports/index.html``: a reader's front page, then every report's run status for the desk.

The reader's part lists each page with its headline, date, aircraft, place, grade and one-line summary,
newest first, the overview pages (theatre, tally) on top, read from the metadata each page carries
(``<script type="application/json" id="ddj-page">``, see :class:`ddj.report.sections.PageInfo`). A small
inline script, allowed by its hash in the page's CSP, filters the list as the reader types; without
scripts every entry shows. The desk's part is built from the manifests, so it also lists reports of
earlier runs. Nothing is fetched; every value is escaped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ddj.report._files import write_file
from ddj.html import escape
from ddj.report.htmlexport import content_security_policy
from ddj.report.manifest import MANIFEST_NAME, read_manifest

INDEX_NAME = "index.html"
_CSS = """
body { margin: 0; font: 15px/1.45 "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; }
main { max-width: 70rem; margin: 0 auto; padding: 1.5rem 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #333; }
.ok { color: #1a7f37; } .failed, .invalid { color: #b42318; font-weight: bold; }
.error { color: #555; font-size: 13px; }
html, body { overflow-x: hidden; }
.ddj-scroll { max-width: 100%; overflow-x: auto; }
.ddj-find { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; }
.ddj-find input, .ddj-find select { font: inherit; padding: .3rem .4rem; max-width: 100%; }
.ddj-find input { flex: 1 1 14rem; }
ol.ddj-pages { list-style: none; padding: 0; margin: 0; }
ol.ddj-pages li { border-bottom: 1px solid #ddd; padding: .6rem 0; }
ol.ddj-pages li[hidden] { display: none; }
ol.ddj-pages h3 { margin: 0 0 .2rem; font-size: 1.05rem; }
.ddj-meta { color: #555; font-size: 13px; margin: 0 0 .2rem; }
.ddj-grade { display: inline-block; padding: 0 .35rem; border: 1px solid #888; border-radius: 3px; }
.ddj-overview { background: #f6f6f3; padding: .6rem .8rem !important; margin-bottom: .4rem; }
@media print { .ddj-find { display: none; } html, body { overflow: visible; } }
""".strip()
_FILTER_SCRIPT = """
(function () {
  var box = document.getElementById("ddj-search"), grade = document.getElementById("ddj-grade");
  var items = document.querySelectorAll("ol.ddj-pages li"), count = document.getElementById("ddj-count");
  function apply() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean), want = grade.value, shown = 0;
    items.forEach(function (item) {
      var text = item.textContent.toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; }) &&
        (!want || item.getAttribute("data-grade") === want);
      item.hidden = !ok; if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + items.length + " pages shown";
  }
  box.addEventListener("input", apply); grade.addEventListener("change", apply);
  document.getElementById("ddj-find").hidden = false; apply();
})();
""".strip()
_PAGE_META = re.compile(r'<script type="application/json" id="ddj-page">(.*?)</script>', re.DOTALL)


def collect(out_dir: Path) -> list[dict[str, Any]]:
    """The manifests of every report folder in ``out_dir``, sorted by group and name."""
    found = []
    for path in sorted(Path(out_dir).glob(f"*/{MANIFEST_NAME}")):
        manifest = read_manifest(path.parent)
        if manifest and manifest.get("report"):
            manifest["_folder"] = path.parent.name
            success = manifest.get("last_success") or {}
            html = success.get("html") or (manifest.get("outputs") or {}).get("html")
            manifest["_html"] = f"{path.parent.name}/{html}" if html and (path.parent / html).is_file() else None
            manifest["_page"] = page_meta(path.parent / html) if manifest["_html"] else {}
            found.append(manifest)
    return sorted(found, key=lambda m: (str(m.get("group", "")), str(m.get("report", ""))))


def page_meta(path: Path) -> dict[str, Any]:
    """The metadata a report page carries (its headline, date, grade...), or ``{}`` for a page without it."""
    try:
        with open(path, encoding="utf-8") as f:
            head = f.read(65536)
    except OSError:
        return {}
    found = _PAGE_META.search(head)
    if not found:
        return {}
    try:
        meta = json.loads(found.group(1))
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _reader_entries(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pages a reader can open: overviews first, then incidents newest first."""
    entries = []
    for m in manifests:
        if not m.get("_html"):
            continue
        page = m.get("_page") or {}
        entries.append({"href": m["_html"], "title": page.get("title") or m.get("title") or m["report"],
                        "kind": page.get("kind") or "overview", "date": str(page.get("date") or ""),
                        "date_text": page.get("date_text") or "", "aircraft": page.get("aircraft") or "",
                        "place": page.get("place") or "", "grade": page.get("grade") or "",
                        "summary": page.get("description") or "", "report": m["report"]})
    overviews = sorted((e for e in entries if e["kind"] != "incident"), key=lambda e: (e["kind"] != "theatre", e["report"]))
    incidents = sorted((e for e in entries if e["kind"] == "incident"), key=lambda e: (e["date"], e["report"]), reverse=True)
    return overviews + incidents


def _reader_list(entries: list[dict[str, Any]]) -> str:
    items = []
    for e in entries:
        facts = [e["date_text"], e["aircraft"], e["place"]]
        grade = f' · grade <span class="ddj-grade">{escape(e["grade"])}</span>' if e["grade"] else ""
        items.append(
            f'<li class="{"ddj-overview" if e["kind"] != "incident" else "ddj-incident"}" data-grade="{escape(e["grade"])}">'
            f'<h3><a href="{escape(e["href"])}">{escape(e["title"])}</a></h3>'
            f'<p class="ddj-meta">{escape(" · ".join(f for f in facts if f))}{grade}</p>'
            + (f"<p>{escape(e['summary'])}</p>" if e["summary"] else "") + "</li>")
    return f'<ol class="ddj-pages">{"".join(items)}</ol>' if items else "<p>No pages yet: run <code>ddj run</code>.</p>"


def render_index(manifests: list[dict[str, Any]]) -> str:
    """The index page for these manifests: the reader's list of pages, then the run status for the desk."""
    from ddj.model import GRADES

    entries = _reader_entries(manifests)
    grades = sorted({e["grade"] for e in entries if e["grade"]}, key=lambda g: GRADES.index(g) if g in GRADES else 99)
    options = "".join(f'<option value="{escape(g)}">{escape(g)}</option>' for g in grades)
    finder = ('<div class="ddj-find" id="ddj-find" hidden><label for="ddj-search">Search</label>'
              '<input type="search" id="ddj-search" placeholder="aircraft, place, words of the headline">'
              f'<label for="ddj-grade">Grade</label><select id="ddj-grade"><option value="">any</option>{options}</select>'
              '<span id="ddj-count" aria-live="polite"></span></div>')
    rows = []
    for m in manifests:
        folder = m["_folder"]
        success = m.get("last_success") or {}
        name = escape(m.get("title") or m["report"])
        link = f'<a href="{escape(m["_html"])}">{name}</a>' if m.get("_html") else name
        status = str(m.get("status", "unknown"))
        error = (m.get("error") or {}).get("message", "")
        rows.append(
            "<tr>"
            f"<td>{link}<br><small>{escape(m['report'])}</small></td>"
            f"<td>{escape(m.get('group', ''))}</td>"
            f'<td class="{escape(status)}">{escape(status)}'
            + (f'<div class="error">{escape(error)}</div>' if error and status != "ok" else "") + "</td>"
            f"<td>{escape(_when(m.get('finished')))}</td>"
            f"<td>{escape(_when(success.get('finished')) or 'never')}</td>"
            f'<td><a href="{escape(folder)}/{MANIFEST_NAME}">manifest</a></td>'
            "</tr>"
        )
    failing = sum(m.get("status") != "ok" for m in manifests)
    summary = f"{len(manifests)} report(s)" + (f", {failing} not ok" if failing else ", all ok")
    body = "".join(rows) or '<tr><td colspan="6">No reports yet: run <code>ddj run</code>.</td></tr>'
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy([_FILTER_SCRIPT] if entries else [])}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="description" content="Every report: incidents newest first, with their grades, and the overviews.">\n'
        f"<title>Reports</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n<main>\n"
        f"<h1>Reports</h1>\n<section id=\"pages\"><h2>Read</h2>\n{finder if entries else ''}\n{_reader_list(entries)}\n</section>\n"
        f'<section id="status"><h2>Run status (for the desk)</h2>\n<p>{escape(summary)}. Times are UTC.</p>\n'
        '<div class="ddj-scroll"><table><thead><tr><th>report</th><th>group</th><th>status</th><th>last run</th>'
        "<th>last successful run</th><th>record</th></tr></thead>\n"
        f"<tbody>{body}</tbody></table></div>\n</section>\n</main>\n"
        + (f"<script>{_FILTER_SCRIPT}</script>\n" if entries else "") + "</body>\n</html>\n"
    )


def write_index(out_dir: Path) -> Path:
    """Write ``index.html`` in ``out_dir`` (atomically) and return its path."""
    out_dir = Path(out_dir)
    return write_file(out_dir / INDEX_NAME, render_index(collect(out_dir)))


def _when(stamp: Any) -> str:
    if not stamp:
        return ""
    text = str(stamp)
    return text[:19].replace("T", " ")
