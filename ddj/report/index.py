"""``reports/index.html``: every report in the folder with its status, last run, last successful run and link.

Built from the manifests alone, so it also lists reports of earlier runs. Offline like the reports:
no script, nothing fetched, every value escaped.
"""

from __future__ import annotations

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
""".strip()


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
            found.append(manifest)
    return sorted(found, key=lambda m: (str(m.get("group", "")), str(m.get("report", ""))))


def render_index(manifests: list[dict[str, Any]]) -> str:
    """The index page for these manifests."""
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
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy([])}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>Reports</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n<main>\n"
        f"<h1>Reports</h1>\n<p>{escape(summary)}. Times are UTC.</p>\n"
        "<table><thead><tr><th>report</th><th>group</th><th>status</th><th>last run</th>"
        "<th>last successful run</th><th>record</th></tr></thead>\n"
        f"<tbody>{body}</tbody></table>\n</main>\n</body>\n</html>\n"
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
