"""Tally gap: an official cumulative claim against the documented count, with the ratio and official revisions.

Given a tally dataset as ``sources``, the chart names both sides (the official source, for example the General
Staff, and the documented one, for example Oryx) in its legend, alt text and source line, with their licences as
the dataset declares them (:func:`ddj.tally.source_line`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import altair as alt
import polars as pl

from ddj._scalars import date_value
from ddj.charts._common import finish, text_meta, title_chars, title_lines, utc_x
from ddj.charts.reduce import inline, period_for, warn_reduced
from ddj.charts.theme import OKABE_ITO
from ddj.errors import UnusableDataError
from ddj.narrative.wording import long_date

__all__ = ["tally_gap"]

_SERIES = {"official": "official claim", "documented": "documented count"}
# the ratio panel's category colours avoid blue and orange, which mean "official" and "documented" above
_RATIO_COLOURS = [
    OKABE_ITO[k] for k in ("bluish_green", "vermillion", "reddish_purple", "sky_blue", "black", "yellow", "grey")
]
_NEEDED = ("date", "category", "official", "documented", "ratio", "revision")
_WIDTH = 560  # the chart's width in pixels; with several categories, two panels share it
_GAP = 40  # pixels between two panels side by side (room for the right panel's count axis)
#: Subtitle lines are wrapped at this many characters, as :func:`ddj.charts._common.finish` wraps them.
_LINE = 120


def _revised(frame: pl.DataFrame) -> pl.Expr:
    """True where the ``revision`` column marks an official correction, whatever its type."""
    dtype = frame.schema["revision"]
    column = pl.col("revision")
    if dtype == pl.Boolean:
        return column.fill_null(False)
    if dtype == pl.String:
        return (
            column.is_not_null()
            & (column.str.strip_chars() != "")
            & ~column.str.to_lowercase().is_in(["false", "0", "no"])
        )
    if dtype.is_numeric():
        return column.is_not_null() & (column != 0)
    return column.is_not_null()


def _is_tally(sources: Any) -> bool:
    return ((getattr(sources, "descriptor", None) or {}).get("ddj") or {}).get("kind") == "tally"


def _words(sources: Any) -> Any:
    from ddj.tally.units import EQUIPMENT, unit

    return unit(sources) if _is_tally(sources) else EQUIPMENT


def _labels(sources: Any) -> tuple[dict[str, str], str | None, str | None]:
    """Series labels, and the official and documented sides' names for sentences (None when not named)."""
    if not _is_tally(sources):
        return dict(_SERIES), None, None
    from ddj.tally.sources import attribution

    sides = attribution(sources)
    official, documented = sides["official"], sides["documented"]
    labels = {
        "official": f"{official.name} claim" if official.named else _SERIES["official"],
        "documented": f"documented by {documented.name}" if documented.named else _SERIES["documented"],
    }
    return labels, official.phrase if official.named else None, documented.phrase if documented.named else None


def tally_gap(
    series: pl.DataFrame,
    *,
    sources: Any,
    categories: Sequence[str] | str | None = None,
    max_points: int = 1500,
) -> alt.VConcatChart:
    """Chart official claims against documented counts over time, per category, with their ratio below.

    ``series`` has the columns of :func:`ddj.tally.tally_series`: ``date``, ``category``,
    ``official``, ``documented``, ``ratio`` (official ÷ documented), ``difference`` and
    ``revision`` (an official correction on that day: a flag or a note). The upper panels draw the
    official claim (solid, blue) and the documented count (dashed, orange) per category, with each
    official revision marked by a black diamond; the lower panel draws the ratio, with a rule at 1.

    With ``documented_through`` (the documented side's last day, from :func:`ddj.tally.tally_series`) the
    documented line stops on that day, and the ratio is drawn only where the series gives one (both figures
    current): a frozen count is not carried on beside later claims. ``sources`` is a tally dataset (its
    sides, their sources and licences are named) or anything :func:`ddj.charts.source_line` takes.

    Days on which neither figure changes are left out (the lines are drawn as steps, so nothing is
    lost). When more than ``max_points`` rows remain, each category keeps the last value of each
    period (the series are cumulative) and a period with any revision stays marked; a
    :class:`~ddj.warnings.DataReducedWarning` says so.

    Parameters
    ----------
    series : polars.DataFrame
        The tally series, as described above.
    sources : ddj.Dataset or object
        As above: the tally dataset, or what :func:`ddj.charts.source_line` takes, for the chart's source line.
    categories : str or sequence of str, optional
        The categories to chart, one panel each; all of the series' categories when None.
    max_points : int, default 1500
        The most rows the chart embeds before each category is reduced to one value per period.

    Examples
    --------
    >>> import datetime as dt
    >>> from ddj.charts import chart_alt_text
    >>> series = pl.DataFrame({
    ...     "date": [dt.date(2022, 3, 1), dt.date(2022, 4, 1)], "category": ["aircraft", "aircraft"],
    ...     "official": [30, 150], "documented": [12, 25], "ratio": [2.5, 6.0], "difference": [18, 125],
    ...     "revision": [False, True]})
    >>> import textwrap
    >>> print(textwrap.fill(chart_alt_text(tally_gap(series, sources="example")), 100))
    Official claims against documented counts, 1 March 2022 to 1 April 2022. aircraft: on 1 April 2022,
    the last day with both figures, the official claim was 150 against 25 documented (ratio 6.0); 1
    official revision.

    The alt text reads out the last claim, count and ratio of each category on a common date, and its revisions.
    """
    missing = [c for c in _NEEDED if c not in series.columns]
    if missing:
        msg = (
            f"the tally series lacks column(s) {', '.join(missing)}; pass the frame ddj.tally.tally_series "
            "returns (date, category, official, documented, ratio, difference, revision)"
        )
        raise UnusableDataError(msg)
    frame = series
    if categories is not None:
        wanted = [categories] if isinstance(categories, str) else list(categories)
        frame = frame.filter(pl.col("category").is_in(wanted))
    frame = frame.with_columns(_revised(frame).alias("revised")).sort("category", "date")
    ended = None
    if "documented_through" in frame.columns and frame["documented_through"].drop_nulls().len():
        # the documented line stops where the documented side stops; later claims are drawn alone
        ended = date_value(frame["documented_through"].drop_nulls().max())
        covered = pl.col("date") <= ended
        frame = frame.with_columns(
            pl.when(covered).then(pl.col("documented")).alias("documented"),
            pl.when(covered).then(pl.col("ratio")).alias("ratio"),
        )
    if frame.height == 0:
        msg = "the tally series has no rows to chart (check the categories asked for)"
        raise UnusableDataError(msg)
    full = frame  # every day, for the alt text's last common day (the drawing leaves out days without change)
    period = "day"
    # The series are step functions: a day on which neither figure changes (and no revision falls) adds
    # nothing to a step-after line, so it is left out; the last day of each category is kept.
    steady = (
        pl.col("official").eq_missing(pl.col("official").shift(1).over("category"))
        & pl.col("documented").eq_missing(pl.col("documented").shift(1).over("category"))
        & pl.col("ratio").eq_missing(pl.col("ratio").shift(1).over("category"))
        & ~pl.col("revised")
        & (pl.col("date") != pl.col("date").max().over("category"))
    ).fill_null(False)
    frame = frame.filter(~steady)
    if frame.height > max_points:
        n_categories = max(frame["category"].n_unique(), 1)
        bins = max(max_points // n_categories, 2)
        period, every = period_for(date_value(frame["date"].min()), date_value(frame["date"].max()), max_bins=bins)
        # a period that straddles the documented side's last day is cut there, so that its last documented
        # point keeps its own date and is not carried into days the documented side does not cover
        after = (pl.col("date") > ended) if ended is not None else pl.lit(False)
        frame = (
            frame.with_columns(pl.col("date").dt.truncate(every).alias("period"), after.alias("_after"))
            .group_by("category", "period", "_after")
            .agg(
                pl.col("date").last(),
                pl.col("official").last(),
                pl.col("documented").last(),
                pl.col("ratio").last(),
                pl.col("revised").any(),
                pl.col("revision").filter(pl.col("revised")).first(),
            )
            .drop("period", "_after")
            .sort("category", "date")
        )
        warn_reduced(
            f"the tally chart keeps the last value per {period} of each category ({frame.height:,} points "
            f"from {series.height:,} rows, more than max_points={max_points:,})"
        )
    frame = frame.with_columns(
        pl.col("ratio").cast(pl.Float64).round(3),
        pl.col("date").dt.strftime("%-d %B %Y").alias("day"),
    )
    labels, official_name, documented_name = _labels(sources)
    words = _words(sources)
    long = pl.concat(
        [
            frame.select(
                "category", "date", "day", pl.lit(label).alias("series"), pl.col(column).cast(pl.Float64).alias("count")
            ).filter(pl.col("count").is_not_null())
            for column, label in labels.items()
        ]
    ).sort("category", "series", "date")
    revisions = frame.filter(pl.col("revised")).select(
        "category", "date", "day", pl.col("official").cast(pl.Float64).alias("count"), _revision_words(frame)
    )
    category_order = frame["category"].unique(maintain_order=True).to_list()
    # Panels side by side, two a row, from three categories on: five categories in one column made a PNG
    # 1,268 × 3,100 pixels, taller than any page or screen.
    columns = 1 if len(category_order) <= 2 else 2
    panel_width = _WIDTH if columns == 1 else (_WIDTH - _GAP) // 2
    panel_height = 160 if columns == 1 else 110
    x = utc_x("date", None)
    colours = alt.Scale(domain=list(labels.values()), range=[OKABE_ITO["blue"], OKABE_ITO["orange"]])
    lines = (
        alt.Chart()
        .mark_line(strokeWidth=2, interpolate="step-after")
        .encode(
            x=x,
            y=alt.Y("count:Q", title="count"),
            # One legend for both channels (the same field and domain): each series' colour with its dash, so the
            # key reads without colour too (a legend disabled on one of the two made Vega-Lite warn of a conflict).
            color=alt.Color("series:N", scale=colours, title=None, legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=list(labels.values()), range=[[1, 0], [5, 3]]),
                title=None,
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("category:N"),
                alt.Tooltip("day:N"),
                alt.Tooltip("series:N"),
                alt.Tooltip("count:Q", format=","),
            ],
        )
        .transform_filter(alt.FieldOneOfPredicate(field="kind", oneOf=["line"]))
    )
    marks = (
        alt.Chart()
        .mark_point(shape="diamond", filled=True, size=70, color=OKABE_ITO["black"])
        .encode(
            x=x,
            y=alt.Y("count:Q"),
            tooltip=[
                alt.Tooltip("category:N"),
                alt.Tooltip("day:N", title="official revision"),
                alt.Tooltip("change:N", title="correction"),
                alt.Tooltip("count:Q", title=labels["official"], format=","),
            ],
        )
        .transform_filter(alt.FieldOneOfPredicate(field="kind", oneOf=["revision"]))
    )
    upper_data = pl.concat(
        [
            long.with_columns(pl.lit("line").alias("kind")),
            revisions.with_columns(pl.lit(labels["official"]).alias("series"), pl.lit("revision").alias("kind")).select(
                "category", "date", "day", "series", "count", "kind", "change"
            ),
        ],
        how="diagonal",
    )
    upper = (
        alt.layer(lines, marks)
        .properties(width=panel_width, height=panel_height)
        .facet(
            facet=alt.Facet(
                "category:N",
                title=None,
                sort=category_order,
                header=alt.Header(
                    labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top", labelFontWeight="bold"
                ),
            ),
            columns=columns,
            spacing={"row": 10, "column": _GAP},
            data=inline(upper_data, max_rows=max(max_points * 3, 5000), what="tally points"),
        )
        .resolve_scale(y="independent")
    )
    ratio_data = frame.select("category", "date", "day", "ratio").filter(pl.col("ratio").is_not_null())
    # the ratio panel spans the same days as the counts above, so that the days without a ratio show as such
    first, last = date_value(frame["date"].min()), date_value(frame["date"].max())
    assert first is not None and last is not None, "a tally chart has at least one dated row"
    ratio_x = utc_x(
        "date",
        None,
        scale={"domain": [{"year": d.year, "month": d.month, "date": d.day, "utc": True} for d in (first, last)]},
    )
    ratio = alt.layer(
        alt.Chart(inline(ratio_data, max_rows=max(max_points, 5000), what="ratios"))
        .mark_line(strokeWidth=2, interpolate="step-after")
        .encode(
            x=ratio_x,
            y=alt.Y("ratio:Q", title="official ÷ documented"),
            color=alt.Color(
                "category:N",
                title="ratio for",
                sort=category_order,
                scale=alt.Scale(domain=category_order, range=_RATIO_COLOURS),
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            tooltip=[alt.Tooltip("category:N"), alt.Tooltip("day:N"), alt.Tooltip("ratio:Q", format=".2f")],
        ),
        alt.Chart(inline(pl.DataFrame({"one": [1]}), what="reference"))
        .mark_rule(color=OKABE_ITO["grey"], strokeDash=[2, 2])
        .encode(y=alt.Y("one:Q")),
    ).properties(width=_WIDTH, height=120)
    if official_name and documented_name:
        method = (
            f"{labels['official']}: the cumulative figure {official_name} published on each day; "
            f"{labels['documented']}: the total {documented_name} documented {words.evidence} as "
            "of that day (as-of lookup through the category crosswalk), a minimum."
        )
    else:
        method = (
            "the official claim is the official cumulative figure on each day; the documented count is the "
            "independently documented total as of that day (as-of lookup through the category crosswalk)."
        )
    method += (
        " Diamonds mark days the official series was revised. Ratio = official ÷ documented, on days both "
        "figures are current."
    )
    last_day = date_value(frame["date"].max())
    if ended is not None and last_day is not None and last_day > ended:
        whose = f"{documented_name}'s count" if documented_name else "The documented count"
        method += f" {whose} stops on {long_date(ended)}; later claims are drawn alone and get no ratio."
    if period != "day":
        method += f" Points are the last value of each {period}."
    chart = alt.vconcat(upper, ratio, spacing=18).resolve_scale(color="independent", strokeDash="independent")
    title = f"Official claims against documented {words.losses}"
    alt_text = _alt_text(
        frame,
        full,
        period,
        f"the {labels['official']}" if official_name else "the official claim",
        labels["documented"] if documented_name else "documented",
    )
    if not _is_tally(sources):
        return finish(chart, title=title, sources=sources, method=method, alt_text=alt_text, width=_WIDTH)
    from ddj.tally.sources import source_line

    wrap = textwrap.TextWrapper(_LINE, break_on_hyphens=False)
    paragraphs = [f"Method: {method}", source_line(sources)]
    return chart.properties(
        title=alt.Title(
            text=title_lines(title, width=title_chars(_WIDTH)),
            subtitle=[line for p in paragraphs for line in wrap.wrap(p)],
        ),
        description=alt_text,
        usermeta=text_meta(title, paragraphs),
    )


def _revision_words(frame: pl.DataFrame) -> pl.Expr:
    """The correction as text: ``+2`` / ``-1`` for numbers, the note for text, empty for a flag."""
    dtype = frame.schema["revision"]
    if dtype.is_numeric():
        value = pl.col("revision")
        return (
            pl.when(value > 0)
            .then(pl.format("+{}", value))
            .otherwise(value.cast(pl.String))
            .fill_null("")
            .alias("change")
        )
    if dtype == pl.String:
        return pl.col("revision").fill_null("").alias("change")
    return pl.lit("").alias("change")


def _number(value: Any) -> str:
    if value is None:
        return "not given"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def _alt_text(
    frame: pl.DataFrame,
    full: pl.DataFrame,
    period: str,
    official: str = "the official claim",
    documented: str = "documented",
) -> str:
    parts = []
    for (category,), group in frame.group_by("category", maintain_order=True):
        ordered = full.filter(pl.col("category") == category).sort("date")
        compared = ordered.filter(pl.col("ratio").is_not_null())
        revisions = int(group["revised"].sum())
        noun = "official revision" if revisions == 1 else "official revisions"
        if compared.height:
            last = compared.row(-1, named=True)
            text = (
                f"{category}: on {long_date(last['date'])}, the last day with both figures, {official} was "
                f"{_number(last['official'])} against {_number(last['documented'])} {documented} "
                f"(ratio {last['ratio']:.1f})"
            )
        else:
            last = None
            text = f"{category}: no day with both figures"
        final = ordered.row(-1, named=True)
        if last is None or final["date"] > last["date"]:
            text += (
                f"; the official series runs on to {long_date(final['date'])} ({_number(final['official'])}), "
                "with no documented count to compare"
            )
        parts.append(
            text
            + f"; {revisions} {noun}"
            + (f" (periods with a revision, by {period})" if period != "day" and revisions else "")
        )
    return (
        f"Official claims against documented counts, {long_date(date_value(frame['date'].min()))} to "
        f"{long_date(date_value(frame['date'].max()))}. " + ". ".join(parts) + "."
    )
