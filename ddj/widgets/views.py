"""The Explorer's HTML pieces: the counts, the table of matching incidents, and one incident's accounts
side by side with its narrative. Every piece of text from the data goes through :mod:`ddj.html`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from ddj.charts.theme import STATUS_COLOURS, STATUS_LABELS
from ddj.compare.display import account_links, claim_cell, claim_text
from ddj.compare.statuses import agrees_by_repeats_only
from ddj.filters import FilterSpec, value_words
from ddj.html import escape
from ddj.model import AGREE_BY_REPEATS_ONLY, COMPARED_ATTRIBUTES
from ddj.widgets.state import View

if TYPE_CHECKING:
    from ddj.compare import Comparison
    from ddj.datasets.dataset import Dataset

__all__ = ["STYLE", "counts_html", "describe_spec", "incident_html", "table_html"]


def describe_spec(spec: FilterSpec) -> str:
    """A :class:`~ddj.filters.FilterSpec` in words, for the counts line (values through
    :func:`ddj.filters.value_words`).
    """
    return spec.describe(value_words, values="; ", parts_joiner=" · ")


#: The Explorer's own styles, scoped by its class names.
STYLE = """<style>
.ddj-x-counts{font-size:15px;margin:4px 0 8px}
.ddj-x-counts strong{font-size:22px}
.ddj-x-counts .ddj-x-muted,.ddj-x-muted{color:#555}
.ddj-x-table,.ddj-x-accounts{border-collapse:collapse;font-size:12px;width:100%}
.ddj-x-table th,.ddj-x-table td,.ddj-x-accounts th,.ddj-x-accounts td{border-bottom:1px solid #ddd;padding:3px 6px;
 text-align:left;vertical-align:top}
.ddj-x-table thead th,.ddj-x-accounts thead th{background:#f4f4f4}
.ddj-x-official{border-top:3px solid #0072B2}
.ddj-x-unofficial{border-top:3px solid #E69F00}
.ddj-x-replaced{opacity:.6}
.ddj-x-status{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.ddj-x-narrative p{max-width:60em;line-height:1.45}
.ddj-x-report pre{white-space:pre-wrap;background:#f7f7f7;padding:6px;font-size:12px}
.ddj-x-table tbody tr{cursor:pointer}
.ddj-x-table tbody tr:hover,.ddj-x-table tbody tr:focus{background:#eef5fb;outline:none}
.ddj-x-table tbody tr.ddj-x-chosen{background:#fff3b0}
.ddj-x-table th[data-sort]{cursor:pointer;text-decoration:underline dotted}
@keyframes ddj-x-flash{from{background:#fff3b0}to{background:transparent}}
.ddj-x-incident{animation:ddj-x-flash 2s ease-out}
</style>"""


def counts_html(view: View) -> str:
    """The counts line: how many incidents match, their accounts, contradictions, silence, grades.

    The element carries the numbers as ``data-`` attributes, so scripts and tests read them without
    parsing words.
    """
    c = view.counts
    grades = ", ".join(f"{grade} {n:,}" for grade, n in c.grades.items() if n)
    noun = "incident" if c.total == 1 else "incidents"
    return (
        f'<div class="ddj-x-counts" data-incidents="{c.incidents}" data-total="{c.total}" '
        f'data-contradicted="{c.contradicted}" data-never-acknowledged="{c.never_acknowledged}">'
        f'<strong class="ddj-x-count">{c.incidents:,}</strong> of {c.total:,} {noun}'
        f" · {c.accounts:,} accounts · {c.contradicted:,} with a contradiction"
        f" · {c.never_acknowledged:,} with no official account recorded"
        f'<br><span class="ddj-x-muted">grades: {escape(grades or "none")} · filters: '
        f"{escape(describe_spec(view.spec))}</span></div>"
    )


_CHOSEN = ' class="ddj-x-chosen" aria-selected="true"'


def table_html(
    rows: pl.DataFrame,
    total: int,
    *,
    page: int = 0,
    page_size: int = 50,
    order: str = "date",
    chosen: str | None = None,
) -> str:
    """One page of matching incidents as an HTML table: sortable headings (``data-sort``), one row per
    incident (``data-incident``, a click opens it), and a caption saying which rows of how many, in what order.

    Parameters
    ----------
    rows : polars.DataFrame
        The page's rows (already sorted and cut to the page): ``incident_id``, ``date``, ``title``, ``place``,
        ``aircraft``, ``grade`` and ``stands_out``, as text.
    total : int
        How many incidents match the filters in all, for the caption.
    page : int, default 0
        The page's number, from 0.
    page_size : int, default 50
        The rows per page, to number the rows shown in the caption.
    order : str, default "date"
        The rows' order, a key of :data:`ddj.widgets.state.ROW_ORDERS` (``date``, ``-date``, ``grade``,
        ``-grade``, ``status``), named in the caption.
    chosen : str, optional
        The ``incident_id`` of the incident open beside the table; its row is highlighted.
    """
    from ddj.widgets.state import ROW_ORDERS

    shown = rows.height
    if shown == 0:
        return '<p class="ddj-x-table-empty" data-rows="0">No incident matches these filters.</p>'
    sorts = {"date": "date", "grade": "grade", "stands out": "status"}
    arrows = {"date": "▲", "-date": "▼", "grade": "▲", "-grade": "▼", "status": "▲"}
    heads = []
    for label in ("date", "incident", "place", "aircraft", "grade", "stands out"):
        key = sorts.get(label)
        if key is None:
            heads.append(f'<th scope="col">{escape(label)}</th>')
            continue
        arrow = f" {arrows[order]}" if order.lstrip("-") == key else ""
        heads.append(f'<th scope="col" data-sort="{key}" title="sort by {escape(label)}">{escape(label)}{arrow}</th>')
    body = "".join(
        f'<tr data-incident="{escape(r["incident_id"])}"{_CHOSEN if r["incident_id"] == chosen else ""}>'
        f"<td>{escape(r['date'])}</td><td>{escape(r['title'])}"
        f'<br><span class="ddj-x-muted">{escape(r["incident_id"])}</span></td><td>{escape(r["place"])}</td>'
        f"<td>{escape(r['aircraft'])}</td><td>{escape(r['grade'])}</td><td>{escape(r['stands_out'])}</td></tr>"
        for r in rows.iter_rows(named=True)
    )
    first = page * page_size + 1
    which = f"rows {first:,}–{first + shown - 1:,} of {total:,}" if total > shown else f"all {total:,}"
    caption = f"Matching incidents: {which}, {ROW_ORDERS.get(order, order)}. Click a row to see its accounts."
    return (
        f'<table class="ddj-x-table" data-rows="{shown}" data-page="{page}" data-order="{escape(order)}">'
        f'<caption class="ddj-x-muted">{escape(caption)}</caption><thead><tr>{"".join(heads)}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


# --- one incident ----------------------------------------------------------------------------------


_SILENT = '<span class="ddj-x-muted" title="the account does not speak to this">—</span>'


def incident_html(data: Any, incident_id: str) -> str:
    """One incident: its heading, its accounts side by side with each attribute's status, and its narrative.

    ``data`` is the :class:`~ddj.widgets.state.ExplorerData`; the incident's rows are found by
    binary search, and the narrative is written from a copy of the dataset holding only this
    incident (and the incidents it relates to), so drilling in stays fast at a million incidents.
    """
    from ddj.narrative import narrative, render_html

    dataset = data.incident_dataset(incident_id)
    comparison = data.incident_comparison(incident_id)
    incident = dataset.incidents.filter(pl.col("incident_id") == incident_id).row(0, named=True)
    where = ", ".join(str(v) for v in (incident["place"], incident["region"], incident["country"]) if v)
    heading = (
        f'<h3 class="ddj-x-title" data-incident="{escape(incident_id)}">{escape(incident["title"])}</h3>'
        f'<p class="ddj-x-muted">{escape(incident["date_start"])} · {escape(where)} · '
        f"{escape(incident['aircraft_model'])} · grade: {escape(comparison.incidents['grade'][0])}</p>"
    )
    story = render_html(narrative(dataset, comparison, incident_ids=incident_id), id_prefix=f"ddj-x-{incident_id}")
    return (
        f'<div class="ddj-x-incident">{heading}{_accounts_table(dataset, comparison, incident_id)}'
        f'<div class="ddj-x-narrative"><h4>The story, with its sources</h4>{story}</div></div>'
    )


def _accounts_table(dataset: Dataset, comparison: Comparison, incident_id: str) -> str:
    accounts = (
        comparison.accounts.filter(pl.col("incident_id") == incident_id)
        .join(
            dataset.sources.select(
                "source_id", pl.col("name").alias("source_name"), pl.col("kind").alias("source_kind")
            ),
            on="source_id",
            how="left",
        )
        .sort("published_date", "account_id")
        .with_columns(claim_text(a).alias(f"_claim_{a.name}") for a in COMPARED_ATTRIBUTES)
    )
    if accounts.height == 0:
        return "<p>No account of this incident is recorded.</p>"
    statuses = {
        attribute: (status, repeats_only)
        for attribute, status, repeats_only in comparison.attributes.select(
            "attribute",
            "status",
            agrees_by_repeats_only(),
        ).iter_rows()
    }
    rows = accounts.to_dicts()
    head = "".join(
        f'<th scope="col" class="ddj-x-{escape(r["side"])}{"" if r["is_current"] else " ddj-x-replaced"}">'
        f"{escape(r['source_name'] or r['source_id'])}<br>"
        f'<span class="ddj-x-muted">{escape(value_words("sides", r["side"]))} · '
        f"{escape(value_words('source_kinds', str(r['source_kind'] or '')))} · {escape(r['published_date'])}"
        f"{'' if r['is_current'] else ' · replaced by a later account'}</span></th>"
        for r in rows
    )
    body = []
    for attribute in COMPARED_ATTRIBUTES:
        status, repeats_only = statuses.get(attribute.name, ("unknown", False))
        words = STATUS_LABELS.get(status, status) + (AGREE_BY_REPEATS_ONLY if repeats_only else "")
        swatch = (
            f'<span class="ddj-x-status" style="background:{STATUS_COLOURS.get(status, "#ddd")}"></span>{escape(words)}'
        )
        cells = "".join(f"<td>{claim_cell(r[f'_claim_{attribute.name}'], silent=_SILENT)}</td>" for r in rows)
        body.append(
            f'<tr data-status="{escape(status)}"><th scope="row">{escape(attribute.label)}</th>'
            f"<td>{swatch}</td>{cells}</tr>"
        )
    said = "".join(f"<td>{escape(r['statement'])}</td>" for r in rows)
    links = "".join(f"<td>{account_links(r)}</td>" for r in rows)
    body += [
        f'<tr><th scope="row">what it said (our paraphrase)</th><td></td>{said}</tr>',
        f'<tr><th scope="row">where we read it</th><td></td>{links}</tr>',
    ]
    return (
        f'<table class="ddj-x-accounts" data-accounts="{len(rows)}"><thead><tr><th></th><th>status</th>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
