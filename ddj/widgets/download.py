"""The current view as files a reader can download: CSV (safe to open in a spreadsheet) and JSON.

The files are built in the kernel from the filtered frame and handed to the page as ``data:`` links, so
nothing is written on the server and no URL serves them. A spreadsheet runs a CSV cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) as a formula; such text cells get a ``'`` before
them (:data:`ddj.html.FORMULA_STARTS`, as :func:`ddj.html.csv_cell` does). Text in the links is escaped.
"""

from __future__ import annotations

import base64

import polars as pl

from ddj.html import FORMULA_STARTS, escape, safe_filename

__all__ = ["DOWNLOAD_MAX_ROWS", "download_html", "to_csv", "to_json"]

#: The most incidents a download link carries (a data: link is held in the page); more are refused with the
#: ``ddj compare --out`` command that writes the same view to a file.
DOWNLOAD_MAX_ROWS = 100_000


def _formula_safe(name: str) -> pl.Expr:
    text = pl.col(name)
    starts = "".join("\\" + c if c in "-\\]^" else c for c in FORMULA_STARTS)
    return pl.when(text.str.contains(f"^[{starts}]")).then(pl.lit("'") + text).otherwise(text).alias(name)


def to_csv(frame: pl.DataFrame) -> str:
    """``frame`` as CSV text: a header row, dates as ``YYYY-MM-DD``, formula-like text cells neutralised.

    Examples
    --------
    >>> print(to_csv(pl.DataFrame({"title": ["=HYPERLINK(1)", "Mi-8"], "n": [-1, 2]})), end="")
    title,n
    '=HYPERLINK(1),-1
    Mi-8,2
    """
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(_formula_safe(name) for name in text).write_csv(date_format="%Y-%m-%d")


def to_json(frame: pl.DataFrame) -> str:
    """``frame`` as a JSON array of objects, one per row (dates as ``YYYY-MM-DD``)."""
    return frame.write_json()


def download_html(frame: pl.DataFrame | None, *, name: str, total: int, command: str) -> str:
    """Two download links (CSV and JSON) for ``frame``, or, past :data:`DOWNLOAD_MAX_ROWS`, why not and the
    command that writes the view to a file instead.

    Parameters
    ----------
    frame
        The view's incidents, or None when there are too many to carry.
    name
        The files' name without suffix (made safe here).
    total
        How many incidents the view holds.
    command
        The ``ddj compare`` command that writes the same view (shown when the view is too large).
    """
    if total > DOWNLOAD_MAX_ROWS or frame is None:
        return (
            f'<p class="ddj-x-download" data-rows="{total}">This view holds {total:,} incidents, more than '
            f"{DOWNLOAD_MAX_ROWS:,} a link in the page can carry; narrow the filters, or write it to a file: "
            f"<code>{escape(command)}</code></p>"
        )
    if total == 0:
        return '<p class="ddj-x-download ddj-x-muted" data-rows="0">No incident to download in this view.</p>'
    stem = safe_filename(name, max_length=80)
    links = []
    for suffix, mime, text in (("csv", "text/csv", to_csv(frame)), ("json", "application/json", to_json(frame))):
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        links.append(
            f'<a class="ddj-x-download-{suffix}" download="{escape(stem)}.{suffix}" '
            f'href="data:{mime};charset=utf-8;base64,{data}">{suffix.upper()}</a>'
        )
    noun = "incident" if total == 1 else "incidents"
    return (
        f'<p class="ddj-x-download" data-rows="{frame.height}">Download this view ({total:,} {noun}): '
        f'{" · ".join(links)} <span class="ddj-x-muted">(the CSV opens safely in a spreadsheet)</span></p>'
    )
