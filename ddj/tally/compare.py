"""Official claims against documented counts, per category and date: ratio, difference, revisions, crossings.

The documented count of an official category on a date is the sum, over the documented categories the crosswalk
pairs with it (and whose validity dates include that date), of their as-of counts over all statuses (equipment's
four, or ``killed`` for people), as Oryx's own headline figures count. The per-status counts stay beside it.

Figures are compared on a common date. A change-only documented series is current up to its last day
(``documented_through``); an official figure dated later is ``days_apart`` days newer than anything the
documented side says. Within :data:`TOLERANCE_DAYS` the two are still compared (the dates are shown); beyond it
the ratio and the difference are left empty (null), because the documented count has stopped, not the losses.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ddj.datasets.tally_kind import ALL_STATUSES
from ddj.tally.crosswalk import pairs
from ddj.tally.series import as_of

#: The columns of :func:`compare` (and of :func:`ddj.tally.tally_series`), in order. Charts rely on them.
SERIES_COLUMNS = (
    "date",
    "category",
    "official",
    "official_change",
    "revision",
    "documented",
    "documented_as_of",
    "documented_through",
    "days_apart",
    *ALL_STATUSES,
    "ratio",
    "difference",
)
#: Ratios of official to documented counts whose first crossing :func:`threshold_crossings` reports by default.
DEFAULT_THRESHOLDS = (1.5, 2.0, 3.0, 5.0, 10.0)
#: The most days an official figure may postdate the last day the documented side covers and still be set
#: against it. A documented count written on change days is current until its series ends; a week allows for
#: the lag between an event, its evidence and its recording. Beyond it ``ratio`` and ``difference`` are null:
#: the documented count has stopped, and dividing a later claim by a frozen count measures the gap in the
#: record, not a gap in the claims. ``ddj tally --tolerance DAYS`` and ``tolerance_days=`` override it.
TOLERANCE_DAYS = 7


def check_tolerance(tolerance_days: int) -> int:
    """``tolerance_days`` as a whole number of days from 0 on, or a :class:`~ddj.errors.UsageError` saying so."""
    from ddj.errors import InvalidValueError

    if isinstance(tolerance_days, bool) or not isinstance(tolerance_days, int) or tolerance_days < 0:
        msg = (
            f"the tolerance must be a whole number of days from 0 on, not {tolerance_days!r} "
            f"(the default is {TOLERANCE_DAYS})"
        )
        raise InvalidValueError(msg)
    return tolerance_days


def compare(
    official: pl.DataFrame,
    documented: pl.DataFrame,
    crosswalk: pl.DataFrame,
    corrections: pl.DataFrame | None = None,
    *,
    apply_validity: bool = True,
    tolerance_days: int = TOLERANCE_DAYS,
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
    tolerance_days
        The most days an official date may lie after the documented series' last day for the two to be
        compared (default :data:`TOLERANCE_DAYS`).

    Returns
    -------
    polars.DataFrame
        One row per official row, columns :data:`SERIES_COLUMNS`: ``official_change`` is the change since
        the category's previous official row, ``revision`` the official correction made that day (null
        when none), ``documented`` the documented total (null when the category is not paired or nothing was
        documented by then), ``documented_as_of`` the date of the last documented change it rests on,
        ``documented_through`` the last day the documented series covers (its count is current to then),
        ``days_apart`` the days by which the official date is later than ``documented_through`` (0 when the
        documented side covers it), the status counts (``killed`` for a personnel tally),
        ``ratio`` = official / documented and
        ``difference`` = official - documented. Ratio and difference are null when documented is null or
        ``days_apart`` exceeds ``tolerance_days``; the ratio is null too when documented is 0.

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

    >>> later = pl.DataFrame({"date": [dt.date(2022, 3, 30)], "category": ["tank"], "value": [600]})
    >>> compare(later, doc, cw).select("documented", "documented_through", "days_apart", "ratio").rows()
    [(270, datetime.date(2022, 3, 19), 11, None)]

    A claim of 30 March is eleven days newer than the documented series' last day: no ratio is given.
    """
    tolerance_days = check_tolerance(tolerance_days)
    through = documented["date"].max() if documented.height else None
    paired = pairs(crosswalk)
    rows = official.select("date", "category", pl.col("value").alias("official")).sort("category", "date")
    rows = rows.with_columns(pl.col("official").diff().over("category").alias("official_change"))
    grid = rows.select("date", "category").join(
        paired.rename({"official_category": "category", "documented_category": "_doc"}), on="category", how="inner"
    )
    if apply_validity:
        grid = grid.filter(
            (pl.col("valid_from").is_null() | (pl.col("date") >= pl.col("valid_from")))
            & (pl.col("valid_to").is_null() | (pl.col("date") <= pl.col("valid_to")))
        )
    queries = grid.select("date", "category", "_doc").join(pl.DataFrame({"status": list(ALL_STATUSES)}), how="cross")
    looked = as_of(
        documented.select(pl.col("category").alias("_doc"), "status", "date", "value"), queries, by=("_doc", "status")
    )
    found = pl.col("value").count() > 0
    summed = looked.group_by("date", "category").agg(
        pl.when(found).then(pl.col("value").sum()).alias("documented"),
        pl.col("as_of").max().alias("documented_as_of"),
        *[pl.when(found).then(pl.col("value").filter(pl.col("status") == s).sum()).alias(s) for s in ALL_STATUSES],
    )
    revisions = pl.DataFrame(schema={"date": pl.Date, "category": pl.String, "revision": pl.Int64})
    if corrections is not None and corrections.height:
        revisions = corrections.filter(pl.col("delta") != 0).select(
            "date", "category", pl.col("delta").alias("revision")
        )
    documented_total = pl.col("documented")
    has_count = documented_total.is_not_null()
    through_expr = pl.lit(through, pl.Date)
    apart = pl.max_horizontal((pl.col("date") - through_expr).dt.total_days(), pl.lit(0)).cast(pl.Int64)
    current = pl.col("days_apart") <= tolerance_days
    return (
        rows.join(summed, on=["date", "category"], how="left")
        .join(revisions, on=["date", "category"], how="left")
        .with_columns(
            pl.when(has_count).then(through_expr).alias("documented_through"),
            pl.when(has_count).then(apart).alias("days_apart"),
        )
        .with_columns(
            pl.when(current & (documented_total > 0)).then(pl.col("official") / documented_total).alias("ratio"),
            pl.when(current).then(pl.col("official") - documented_total).alias("difference"),
        )
        .select(SERIES_COLUMNS)
    )


def threshold_crossings(series: pl.DataFrame, thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> pl.DataFrame:
    """The first date on which each category's ratio of official to documented counts crossed each threshold.

    Only days with a ratio count, and of those (when ``series`` has ``days_apart``) only days the documented
    series covers itself (``days_apart`` 0): a crossing is dated by figures of one date, never by a claim set
    against a count that has stopped. A ratio needs a documented count above zero. A
    crossing is a day the ratio is at or above the threshold after a compared day below it. A ratio already at
    or above the threshold on the first compared day is not a crossing: it only says where the comparison
    starts, so ``first_date`` stays null and ``above_at_start`` is true.

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
        crossed), and ``ratio``, ``official``, ``documented`` on that date; ``above_at_start`` (the ratio was
        already at or above the threshold on the first compared day), ``compared_from`` and ``compared_to``
        (the first and last days with a ratio; null when there is none); sorted by category and threshold.

    Examples
    --------
    >>> import datetime as dt
    >>> s = pl.DataFrame({"date": [dt.date(2022, 3, d) for d in (1, 2, 3)], "category": ["tank"] * 3,
    ...                   "official": [100, 200, 300], "documented": [90, 95, 100], "ratio": [1.11, 2.1, 3.0]})
    >>> threshold_crossings(s, [1.0, 2, 5]).select("threshold", "first_date", "above_at_start").rows()
    [(1.0, None, True), (2.0, datetime.date(2022, 3, 2), False), (5.0, None, False)]

    The claim crossed twice the documented count on 2 March and never reached five times it; it was above the
    documented count from the first day compared, which is not a crossing.
    """
    levels = pl.DataFrame({"threshold": [float(t) for t in thresholds]})
    grid = series.select("category").unique(maintain_order=True).join(levels, how="cross")
    current = pl.col("ratio").is_not_null()
    if "days_apart" in series.columns:
        current = current & (pl.col("days_apart") == 0)
    compared = series.filter(current).sort("category", "date")
    span = compared.group_by("category").agg(
        pl.col("date").min().alias("compared_from"), pl.col("date").max().alias("compared_to")
    )
    marked = (
        compared.join(levels, how="cross")
        .sort("category", "threshold", "date")
        .with_columns((pl.col("ratio") >= pl.col("threshold")).alias("_above"))
        .with_columns(pl.col("_above").shift(1).over("category", "threshold").alias("_before"))
    )
    start = marked.group_by("category", "threshold").agg(pl.col("_above").first().alias("above_at_start"))
    hits = (
        marked.filter(pl.col("_above") & (pl.col("_before") == False))  # noqa: E712 (null on the first day)
        .join(start.filter(~pl.col("above_at_start")), on=["category", "threshold"], how="semi")
        .group_by("category", "threshold")
        .agg(
            pl.col("date").first().alias("first_date"),
            pl.col("ratio").first(),
            pl.col("official").first(),
            pl.col("documented").first(),
        )
    )
    return (
        grid.join(hits, on=["category", "threshold"], how="left")
        .join(start, on=["category", "threshold"], how="left")
        .join(span, on="category", how="left")
        .with_columns(pl.col("above_at_start").fill_null(False))
        .select(
            "category",
            "threshold",
            "first_date",
            "ratio",
            "official",
            "documented",
            "above_at_start",
            "compared_from",
            "compared_to",
        )
        .sort("category", "threshold")
    )
