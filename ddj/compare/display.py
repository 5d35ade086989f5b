"""Accounts as a reader sees them in an accounts table: each claim as text, as a cell, and where it was read.

Shared by the report's accounts side by side (:mod:`ddj.report.pages.sections`) and the Explorer's
(:mod:`ddj.widgets.views`), which differ only in whether a count's range also shows its best figure
and in how they mark an account that does not speak to an attribute.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ddj.html import escape, safe_link
from ddj.model import NO_CLAIM, NOT_STATED, UNKNOWN, Attribute

__all__ = ["account_links", "claim_cell", "claim_text"]


def claim_text(attribute: Attribute, *, with_best: bool = False) -> pl.Expr:
    """A text expression over an accounts frame's raw columns: each account's claim on ``attribute``.

    A count claimed as a figure reads ``5`` or ``3–5`` (with ``with_best``, a range with a best figure
    reads ``3–5 (best 4)``); a count not claimed reads its claim word (``unknown``, ``not_stated``, ...).
    A place reads ``place, country`` from the parts that are claims; with neither, ``unknown`` if one
    of them says so, else ``not_stated``. Other attributes read their one column. ``unknown`` and
    ``not_stated`` stay as those words, for the caller to show as it likes.

    Examples
    --------
    >>> from ddj.model import COMPARED_ATTRIBUTES
    >>> crew = next(a for a in COMPARED_ATTRIBUTES if a.name == "crew_killed")
    >>> accounts = pl.DataFrame({"crew_killed_claim": ["figure", "figure", "unknown"], "crew_killed_low": [3, 2, None],
    ...                          "crew_killed_best": [4, 2, None], "crew_killed_high": [5, None, None]})
    >>> accounts.select(claim_text(crew)).to_series().to_list()
    ['3–5', '2', 'unknown']
    >>> accounts.select(claim_text(crew, with_best=True)).to_series().to_list()
    ['3–5 (best 4)', '2', 'unknown']

    Only a range says what the best figure was; a single figure is its own best.
    """
    if attribute.kind == "count":
        claim, low, best, high = (pl.col(c) for c in attribute.columns)
        span = pl.format("{}–{}", low, high)
        if with_best:
            span = span + pl.when(best.is_not_null()).then(pl.format(" (best {})", best)).otherwise(pl.lit(""))
        figure = (
            pl.when(low.is_not_null() & high.is_not_null() & (low != high))
            .then(span)
            .otherwise(pl.coalesce(best, low, high).cast(pl.String))
        )
        return pl.when(claim == "figure").then(figure).otherwise(claim)
    if attribute.kind == "place":
        country, place = (pl.col(c) for c in attribute.columns)
        parts = [pl.when(c.is_in(list(NO_CLAIM))).then(None).otherwise(c) for c in (place, country)]
        joined = pl.concat_str(parts, separator=", ", ignore_nulls=True)
        either_unknown = (place == UNKNOWN) | (country == UNKNOWN)
        return (
            pl.when(joined.is_null() | (joined == ""))
            .then(pl.when(either_unknown).then(pl.lit(UNKNOWN)).otherwise(pl.lit(NOT_STATED)))
            .otherwise(joined)
        )
    return pl.col(attribute.columns[0]).cast(pl.String)


def claim_cell(value: Any, *, silent: str) -> str:
    """A :func:`claim_text` value as the HTML of a table cell: ``silent`` (HTML) where the account does not
    speak to the attribute, *unknown* in italics where it says it is not known, else the escaped text
    with underscores as spaces.

    Examples
    --------
    >>> [claim_cell(v, silent="—") for v in (None, "not_stated", "unknown", "hostile_fire", "<b>")]
    ['—', '—', '<em>unknown</em>', 'hostile fire', '&lt;b&gt;']
    """
    if value is None or value == NOT_STATED:
        return silent
    if value == UNKNOWN:
        return "<em>unknown</em>"
    return escape(str(value).replace("_", " "))


def account_links(row: dict[str, Any]) -> str:
    """Where an account was read, as HTML: links to the report and its archived copy, and where it was
    reported; ``no link recorded`` when there is none of them.
    """
    parts = []
    if row.get("url"):
        parts.append(safe_link(row["url"], "report"))
    if row.get("archive_url"):
        parts.append(safe_link(row["archive_url"], "archived copy"))
    if row.get("reported_in"):
        parts.append(escape(row["reported_in"]))
    return "<br>".join(parts) or "no link recorded"
