"""Grades over time: how many incidents of each grade, by when they happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import altair as alt
import polars as pl

from ddj._scalars import date_value, int_value
from ddj.charts._common import comparison_for, count_axis, finish, plural, select_incidents
from ddj.charts.reduce import inline, period_for, period_label
from ddj.charts.theme import grade_scale
from ddj.model import GRADES
from ddj.narrative.wording import long_date

if TYPE_CHECKING:
    from ddj.compare import Comparison
    from ddj.datasets.dataset import Dataset

__all__ = ["grades_over_time"]


def grades_over_time(
    dataset: Dataset,
    comparison: Comparison | None = None,
    *,
    incident_ids: Sequence[str] | str | None = None,
    max_bins: int = 60,
) -> alt.Chart:
    """Chart the number of incidents of each grade per period of their first day, stacked in grade order.

    The period (month, quarter or year...) is the finest that gives at most ``max_bins`` bars and has an
    incident in at least half of them (no chart of mostly empty quarters); every period of the span gets
    its place on the axis, empty ones too. So
    the chart embeds at most ``max_bins`` × 7 rows (six grades and "not graded") however many incidents
    there are. The tooltip
    says how many grades in a bar an editor set by an override.

    Parameters
    ----------
    dataset : ddj.Dataset
        The incident dataset, as :func:`ddj.load` returns it.
    comparison : ddj.compare.Comparison, optional
        The dataset's comparison, when already computed; computed with :func:`ddj.compare.compare` when None.
    incident_ids : str or sequence of str, optional
        The incidents to chart, by ``incident_id``; all of them when None. An id not in the dataset is a
        :class:`~ddj.errors.UsageError`.
    max_bins : int, default 60
        The most bars (periods) the chart may have; it sets the period, not a cut of the data.

    Examples
    --------
    >>> import ddj
    >>> from ddj.charts import chart_alt_text
    >>> chart_alt_text(grades_over_time(ddj.load("syria-ru-aviation", warn=False))).split(":")[0]
    'Grades of 20 incidents by year of their first day, 24 November 2015 to 28 February 2021'

    Twenty incidents over five years are counted by year: by quarter, most bars would be empty.
    """
    comparison = comparison_for(dataset, comparison)
    incidents = select_incidents(dataset.incidents, incident_ids)
    wanted = ["incident_id", "grade"] + (
        ["grade_overridden"] if "grade_overridden" in comparison.incidents.columns else []
    )
    graded = incidents.select("incident_id", "date_start").join(
        comparison.incidents.select(wanted), on="incident_id", how="left"
    )
    if "grade_overridden" not in graded.columns:
        graded = graded.with_columns(pl.lit(False).alias("grade_overridden"))
    graded = graded.with_columns(pl.col("grade").fill_null("not graded"))
    start, end = date_value(graded["date_start"].min()), date_value(graded["date_start"].max())
    period, every = _sized_period(graded["date_start"], start, end, max_bins)
    periods = _all_periods(start, end, every)
    order = [*GRADES, "not graded"]
    counts = (
        graded.group_by(pl.col("date_start").dt.truncate(every).alias("period"), "grade")
        .agg(pl.len().alias("incidents"), pl.col("grade_overridden").fill_null(False).sum().alias("overridden"))
        .with_columns(
            pl.col("grade").replace_strict({g: i for i, g in enumerate(order)}, default=len(order)).alias("rank"),
            period_label("period", period).alias("when"),
            _short_label("period", period).alias("bar"),
        )
        .sort("period", "rank")
    )
    bars = periods.select(_short_label("period", period)).to_series().to_list()
    scale = grade_scale()
    scale.domain = order
    scale.range = [*scale.range, "#FFFFFF"]
    chart = (
        alt.Chart(inline(counts, what="grade counts"))
        .mark_bar(stroke="#555555", strokeWidth=0.5)
        .encode(
            x=alt.X(
                "bar:O",
                title=f"{period} of the incident's first day",
                sort=bars,
                scale=alt.Scale(domain=bars, paddingInner=0.15),
                axis=alt.Axis(labelAngle=0, labelOverlap=True),
            ),
            y=alt.Y(
                "incidents:Q",
                title="incidents",
                stack="zero",
                axis=count_axis(int_value(counts.group_by("period").agg(pl.col("incidents").sum())["incidents"].max())),
            ),
            color=alt.Color(
                "grade:N",
                scale=scale,
                title="grade",
                sort=order,
                # three a row: six grades in one row are wider than a phone (535 px against 390)
                legend=alt.Legend(orient="bottom", direction="horizontal", columns=3),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("when:N", title=period),
                alt.Tooltip("grade:N"),
                alt.Tooltip("incidents:Q", format=","),
                alt.Tooltip("overridden:Q", title="set by an editor"),
            ],
        )
        .properties(width=_width(len(bars)), height=240)
    )
    totals = graded.group_by("grade").len()
    words = "; ".join(
        f"{row['len']:,} {row['grade']}"
        for row in totals.sort(
            pl.col("grade").replace_strict({g: i for i, g in enumerate(order)}, default=len(order))
        ).iter_rows(named=True)
    )
    overridden = int(graded["grade_overridden"].fill_null(False).sum())
    return finish(
        chart,
        title="How well each incident is established, over time",
        sources=dataset,
        width=_width(len(bars)),
        method=(
            "each incident's grade from ddj's rule set (ddj.compare.grades): confirmed (an account "
            "independent of the operator agrees with its version and nothing contradicts it), fair (two or more "
            "independent sources agree; the operator said nothing), uncorroborated (official account only, not "
            "independently corroborated), weak (a single independent source, or sources that disagree), "
            "contested (the sides contradict each other), discounted (on the disputed point, more than twice as "
            "many independent sources, and at least two, support the operator as contradict it); accounts known "
            "through one publication or sharing an origin count as one source; an editor can override a grade "
            "only by a logged decision."
        ),
        alt_text=(
            f"Grades of {plural(graded.height, 'incident')} by {period} of their first day, {long_date(start)} "
            f"to {long_date(end)}: {words}; {overridden:,} set by an editor."
        ),
    )


_FILLED = 0.5  # the least share of periods with an incident before a coarser period is tried
_COARSER = {"day": ("week", "1w"), "week": ("month", "1mo"), "month": ("quarter", "1q"), "quarter": ("year", "1y")}


def _sized_period(days: pl.Series, start: dt.date | None, end: dt.date | None, max_bins: int) -> tuple[str, str]:
    """The period for the bars: the finest with at most ``max_bins`` periods (:func:`period_for`), made coarser
    while fewer than half its periods hold an incident (twenty incidents over five years get years, not
    twenty-two mostly empty quarters).

    Examples
    --------
    >>> days = pl.Series([dt.date(2015, 11, 24), dt.date(2016, 8, 1), dt.date(2018, 3, 6), dt.date(2021, 2, 28)])
    >>> _sized_period(days, dt.date(2015, 11, 24), dt.date(2021, 2, 28), 60)
    ('year', '1y')
    >>> _sized_period(days[:1], dt.date(2015, 11, 24), dt.date(2015, 11, 24), 60)
    ('day', '1d')

    Four incidents over five years are counted by year; one incident gets its day.
    """
    period, every = period_for(start, end, max_bins=max_bins)
    while period in _COARSER and start is not None and end is not None:
        filled = days.dt.truncate(every).n_unique()
        if filled >= _FILLED * _all_periods(start, end, every).height:
            break
        period, every = _COARSER[period]
    return period, every


def _all_periods(start: dt.date | None, end: dt.date | None, every: str) -> pl.DataFrame:
    """Every period from the one holding ``start`` to the one holding ``end``, empty ones included."""
    if start is None or end is None:
        return pl.DataFrame({"period": []}, schema={"period": pl.Date})
    bounds = pl.DataFrame({"d": [start, end]}).select(pl.col("d").dt.truncate(every))["d"]
    return pl.DataFrame({"period": pl.date_range(bounds[0], bounds[1], interval=every, eager=True)})


def _short_label(column: str, period: str) -> pl.Expr:
    """A period's name short enough for an axis: ``2016``, ``Q3 2016``, ``Aug 2016``, ``1 Aug 2016``."""
    col = pl.col(column)
    if period in ("day", "week"):
        return col.dt.strftime("%-d %b %Y")
    if period == "month":
        return col.dt.strftime("%b %Y")
    return period_label(column, period)


def _width(bars: int) -> int:
    """The chart's width: about 44 pixels a bar, between 240 and 560."""
    return max(240, min(560, 44 * bars))
