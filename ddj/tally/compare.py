"""Official claims against documented counts, per category and date: ratio, difference, revisions, crossings.

The documented count of an official category on a date is the sum, over the documented categories the crosswalk
pairs with it (and whose validity dates include that date), of their as-of counts over all four statuses, as
Oryx's own headline figures count. The per-status counts stay beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ddj.datasets.tally_kind import STATUSES
from ddj.tally.crosswalk import pairs
from ddj.tally.series import as_of

#: The columns of :func:`compare` (and of :func:`ddj.tally.tally_series`), in order. Charts rely on them.
SERIES_COLUMNS = ("date", "category", "official", "official_change", "revision", "documented", "documented_as_of",
                  *STATUSES, "ratio", "difference")
#: Ratios of official to documented counts whose first crossing :func:`threshold_crossings` reports by default.
DEFAULT_THRESHOLDS = (1.5, 2.0, 3.0, 5.0, 10.0)


def compare(
    official: pl.DataFrame,
    documented: pl.DataFrame,
    crosswalk: pl.DataFrame,
    corrections: pl.DataFrame | None = None,
    *,
    apply_validity: bool = True,
) -> pl.DataFrame:
    """Set each official row against the documented count as of its date.

    Parameters
    ----------
    official
        Official rows: ``date``, ``category``, ``value`` (any subset of the official series).
    documented
        A documented series: ``date``, ``category``, ``status``, ``value``, written on change days (a
        running count from :func:`ddj.tally.events.running_count` has that shape).
    crosswalk
        The declared crosswalk (official_category, documented_category, valid_from, valid_to, ...).
    corrections
        Official revisions (``date``, ``category``, ``delta``); a non-zero delta on a row's date is its
        ``revision``.
    apply_validity
        Honour the crosswalk's valid_from/valid_to (right for a change-only series; an event list counts each
        item once under its own category, so pass ``False`` for one).

    Returns
    -------
    polars.DataFrame
        One row per official row, columns :data:`SERIES_COLUMNS`: ``official_change`` is the change since
        the category's previous official row, ``revision`` the official correction made that day (null
        when none), ``documented`` the documented total (null when the category is not paired or nothing was
        documented by then), ``documented_as_of`` the latest documented date it rests on, the four status
        counts, ``ratio`` = official / documented (null when documented is null or 0) and ``difference`` =
        official - documented.

    Examples
    --------
    >>> import datetime as dt
    >>> off = pl.DataFrame({"date": [dt.date(2022, 3, 20)], "category": ["tank"], "value": [509]})
    >>> doc = pl.DataFrame({"date": [dt.date(2022, 3, 19)] * 2, "category": ["Tanks"] * 2,
    ...                     "status": ["destroyed", "captured"], "value": [150, 120]})
    >>> cw = pl.DataFrame({"official_category": ["tank"], "documented_category": ["Tanks"],
    ...                    "valid_from": [None], "valid_to": [None]},
    ...                   schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date})
    >>> compare(off, doc, cw).select("official", "documented", "captured", pl.col("ratio").round(2)).rows()
    [(509, 270, 120, 1.89)]

    The officials claimed 509 tanks on 20 March; 270 were documented by then, so the claim is 1.9 times the
    documented count.
    """
    paired = pairs(crosswalk)
    rows = official.select("date", "category", pl.col("value").alias("official")).sort("category", "date")
    rows = rows.with_columns(pl.col("official").diff().over("category").alias("official_change"))
    grid = rows.select("date", "category").join(
        paired.rename({"official_category": "category", "documented_category": "_doc"}), on="category", how="inner")
    if apply_validity:
        grid = grid.filter(
            (pl.col("valid_from").is_null() | (pl.col("date") >= pl.col("valid_from")))
            & (pl.col("valid_to").is_null() | (pl.col("date") <= pl.col("valid_to")))
        )
    queries = grid.select("date", "category", "_doc").join(pl.DataFrame({"status": list(STATUSES)}), how="cross")
    looked = as_of(documented.select(pl.col("category").alias("_doc"), "status", "date", "value"), queries,
                   by=("_doc", "status"))
    found = pl.col("value").count() > 0
    summed = looked.group_by("date", "category").agg(
        pl.when(found).then(pl.col("value").sum()).alias("documented"),
        pl.col("as_of").max().alias("documented_as_of"),
        *[pl.when(found).then(pl.col("value").filter(pl.col("status") == s).sum()).alias(s) for s in STATUSES],
    )
    revisions = pl.DataFrame(schema={"date": pl.Date, "category": pl.String, "revision": pl.Int64})
    if corrections is not None and corrections.height:
        revisions = corrections.filter(pl.col("delta") != 0).select("date", "category",
                                                                  pl.col("delta").alias("revision"))
    documented_total = pl.col("documented")
    return (
        rows.join(summed, on=["date", "category"], how="left")
        .join(revisions, on=["date", "category"], how="left")
        .with_columns(
            pl.when(documented_total > 0).then(pl.col("official") / documented_total).alias("ratio"),
            (pl.col("official") - documented_total).alias("difference"),
        )
        .select(SERIES_COLUMNS)
    )


def threshold_crossings(series: pl.DataFrame, thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> pl.DataFrame:
    """The first date on which each category's ratio of official to documented counts reached each threshold.

    Parameters
    ----------
    series
        A frame with ``date``, ``category``, ``ratio``, ``official`` and ``documented`` (as from
        :func:`ddj.tally.tally_series`).
    thresholds
        Ratios to look for (1.5 = the officials claim half as many again as are documented).

    Returns
    -------
    polars.DataFrame
        One row per category and threshold: ``category``, ``threshold``, ``first_date`` (null when never
        reached), and ``ratio``, ``official``, ``documented`` on that date; sorted by category and threshold.

    Examples
    --------
    >>> import datetime as dt
    >>> s = pl.DataFrame({"date": [dt.date(2022, 3, d) for d in (1, 2, 3)], "category": ["tank"] * 3,
    ...                   "official": [100, 200, 300], "documented": [90, 95, 100], "ratio": [1.11, 2.1, 3.0]})
    >>> threshold_crossings(s, [2, 5]).select("threshold", "first_date").rows()
    [(2.0, datetime.date(2022, 3, 2)), (5.0, None)]

    The claim first reached twice the documented count on 2 March and never five times it.
    """
    grid = series.select("category").unique().join(
        pl.DataFrame({"threshold": [float(t) for t in thresholds]}), how="cross")
    hits = (
        series.filter(pl.col("ratio").is_not_null())
        .join(pl.DataFrame({"threshold": [float(t) for t in thresholds]}), how="cross")
        .filter(pl.col("ratio") >= pl.col("threshold"))
        .sort("date")
        .group_by("category", "threshold")
        .agg(pl.col("date").first().alias("first_date"), pl.col("ratio").first(), pl.col("official").first(),
             pl.col("documented").first())
    )
    return (grid.join(hits, on=["category", "threshold"], how="left")
            .select("category", "threshold", "first_date", "ratio", "official", "documented")
            .sort("category", "threshold"))
