"""``reports/index.html``: a reader's front page, then every report's run status for the desk.

The reader's part lists each page with its headline, date, aircraft, place, grade and one-line summary,
newest first, the overview pages (theatre, tally) on top, read from the metadata each page carries
(``<script type="application/json" id="ddj-page">``, see :class:`ddj.report.pages.sections.PageInfo`). A small
inline script, allowed by its hash in the page's CSP, filters the list as the reader types; without
scripts every entry shows. The desk's part is built from the manifests, so it also lists reports of
earlier runs. Nothing is fetched; every value is escaped.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from ddj.report._files import write_file
from ddj.report.pages.policy import content_security_policy
from ddj.report.pages.templating import Markup, render, source
from ddj.report.runner.manifest import MANIFEST_NAME, read_manifest

INDEX_NAME = "index.html"
#: The page's template and its filter script, in ``ddj/report/pages/templates``
#: (see :mod:`ddj.report.pages.templating`).
PAGE_TEMPLATE = "front_page.html.j2"
SCRIPT_FILE = "front_page.js"
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
            manifest["_page"] = page_meta(path.parent / html) if html and manifest["_html"] else {}
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
        entries.append(
            {
                "href": m["_html"],
                "title": page.get("title") or m.get("title") or m["report"],
                "kind": page.get("kind") or "overview",
                "date": str(page.get("date") or ""),
                "date_text": page.get("date_text") or "",
                "aircraft": page.get("aircraft") or "",
                "place": page.get("place") or "",
                "grade": page.get("grade") or "",
                "summary": page.get("description") or "",
                "report": m["report"],
            }
        )
    overviews = sorted(
        (e for e in entries if e["kind"] != "incident"), key=lambda e: (e["kind"] != "theatre", e["report"])
    )
    incidents = sorted(
        (e for e in entries if e["kind"] == "incident"), key=lambda e: (e["date"], e["report"]), reverse=True
    )
    return overviews + incidents


@functools.cache
def _filter_script() -> str:
    """The filter script as the page holds it (its comment lines apart), the text its CSP hash is made of."""
    lines = source(SCRIPT_FILE).splitlines()
    return "\n".join(line for line in lines if not line.startswith("//")).strip()


def __getattr__(name: str) -> Any:
    if name == "_FILTER_SCRIPT":  # the script as the page holds it, read from its template file on first use
        return _filter_script()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def render_index(manifests: list[dict[str, Any]]) -> str:
    """The index page for these manifests: the reader's list of pages, then the run status for the desk."""
    from ddj.model import GRADES

    entries = [
        {**e, "facts": " · ".join(f for f in (e["date_text"], e["aircraft"], e["place"]) if f)}
        for e in _reader_entries(manifests)
    ]
    grades = sorted({e["grade"] for e in entries if e["grade"]}, key=lambda g: GRADES.index(g) if g in GRADES else 99)
    rows = []
    for m in manifests:
        success = m.get("last_success") or {}
        status = str(m.get("status", "unknown"))
        error = (m.get("error") or {}).get("message", "")
        rows.append(
            {
                "href": m.get("_html"),
                "name": m.get("title") or m["report"],
                "report": m["report"],
                "group": m.get("group", ""),
                "status": status,
                "error": error if status != "ok" else "",
                "last_run": _when(m.get("finished")),
                "last_success": _when(success.get("finished")) or "never",
                "manifest": f"{m['_folder']}/{MANIFEST_NAME}",
            }
        )
    failing = sum(m.get("status") != "ok" for m in manifests)
    summary = f"{len(manifests)} report(s)" + (f", {failing} not ok" if failing else ", all ok")
    script = _filter_script() if entries else ""
    # The policy is made of constants and script hashes, not data: it goes in as it is (its quotes unescaped).
    csp = Markup(content_security_policy([script] if script else []))
    return render(
        PAGE_TEMPLATE, csp=csp, entries=entries, grades=grades, rows=rows, summary=summary, script=Markup(script)
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
