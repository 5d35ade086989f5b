"""Account timeline: when each side spoke, against the incident date, with the acknowledgement gap drawn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import altair as alt
import polars as pl

from ddj._scalars import date_value, float_value
from ddj.charts._common import (
    LINES_EXPR,
    comparison_for,
    current_accounts,
    day_ticks,
    finish,
    full_label,
    label_step,
    plural,
    select_incidents,
    utc_x,
    wrapped,
)
from ddj.charts.reduce import inline, period_for, period_label, warn_reduced
from ddj.charts.theme import OKABE_ITO, SIDE_COLOURS, SIDE_LABELS, side_scale
from ddj.narrative.certainty import unsure_first_days
from ddj.narrative.wording import long_date

if TYPE_CHECKING:
    from ddj.compare import Comparison
    from ddj.datasets.dataset import Dataset

__all__ = ["account_timeline"]

#: What a mark's shape says of its account, under the legend title "account".
_STATE_LABELS = {True: "on the record", False: "later replaced by its source"}
#: The lanes' short names, written beside each row when the chart has several incidents.
_LANE_SHORT = {SIDE_LABELS["official"]: "official", SIDE_LABELS["unofficial"]: "others"}
_LANE_ROOM = 52  # pixels between a row's label and the plot, where its lanes' short names go
_CERTAINTY_LABELS = {"reported": "as the account gives it", "uncertain": "marked uncertain (see its notes)"}


def account_timeline(
    dataset: Dataset,
    comparison: Comparison | None = None,
    *,
    incident_ids: Sequence[str] | str | None = None,
    max_incidents: int = 40,
) -> alt.LayerChart | alt.VConcatChart:
    """Chart every account of one or more incidents on a time line, official and other accounts in two lanes.

    Each account is a mark at its published date; a black tick marks the incident date (a grey rule
    its window when the date is uncertain); a dashed rule draws the acknowledgement gap from the
    incident to the first official account, or from the first other report onwards when no official
    account exists, labelled in words.

    With more than ``max_incidents`` incidents the chart shows counts per period instead (incidents,
    official and other accounts, incidents with no official account) and, below, the median days
    to the first official account; a :class:`~ddj.warnings.DataReducedWarning` says so.

    Parameters
    ----------
    dataset
        The :class:`~ddj.datasets.Dataset` (incidents, sources, accounts).
    comparison
        Its :class:`~ddj.compare.Comparison`; computed when not given.
    incident_ids
        One id or several; all incidents when None.
    max_incidents
        Above this many incidents the chart aggregates.

    Examples
    --------
    >>> import ddj
    >>> from ddj.charts import chart_alt_text
    >>> chart = account_timeline(ddj.load("syria-ru-aviation", warn=False), incident_ids="syr-2021-02-28-mi35")
    >>> chart_alt_text(chart).split(":")[0]
    'Timeline of the accounts of “Mi-35 emergency landing near Tal Tamr, Al-Hasakah governorate”'

    The chart's alt text opens by naming the incident whose accounts it draws.
    """
    comparison = comparison_for(dataset, comparison)
    incidents = select_incidents(dataset.incidents, incident_ids)
    accounts = dataset.accounts.join(incidents.select("incident_id"), on="incident_id", how="semi")
    current = current_accounts(accounts, comparison).select("account_id")
    acknowledgement = _acknowledgement(incidents, comparison)
    if incidents.height > max_incidents:
        return _aggregated(dataset, incidents, accounts, acknowledgement, max_incidents)
    return _per_incident(dataset, incidents, accounts, current, acknowledgement)


def _acknowledgement(incidents: pl.DataFrame, comparison: Comparison) -> pl.DataFrame:
    wanted = ["incident_id", "acknowledged", "first_official_date", "first_unofficial_date", "days_to_official"]
    table = comparison.incidents.select(wanted)
    return incidents.select("incident_id", "title", "date_start", "date_end").join(table, on="incident_id", how="left")


def _per_incident(
    dataset: Dataset,
    incidents: pl.DataFrame,
    accounts: pl.DataFrame,
    current: pl.DataFrame,
    acknowledgement: pl.DataFrame,
) -> alt.LayerChart:
    # each row is labelled with the incident's whole title and date, wrapped onto lines, never cut
    order = incidents.with_row_index("order").select("incident_id", "order", wrapped(full_label()).alias("incident"))
    sources = dataset.sources.select("source_id", pl.col("name").alias("source"))
    marks = (
        accounts.join(order, on="incident_id", how="left")
        .join(sources, on="source_id", how="left")
        .with_columns(
            pl.col("side").replace_strict(SIDE_LABELS, default="other accounts").alias("lane"),
            pl.col("account_id").is_in(current["account_id"].implode()).alias("_current"),
        )
        .with_columns(
            pl.col("_current").replace_strict(_STATE_LABELS, return_dtype=pl.String).alias("state"),
            pl.col("certainty")
            .cast(pl.String)
            .replace_strict(_CERTAINTY_LABELS, default=_CERTAINTY_LABELS["reported"])
            .alias("certainty"),
        )
        .select(
            "incident",
            "order",
            "lane",
            "state",
            "certainty",
            "account_id",
            "source",
            pl.col("speaker").fill_null(""),
            pl.col("published_date").alias("date"),
            pl.col("published_date").dt.strftime("%-d %B %Y").alias("published"),
        )
        .sort("order", "date", "account_id")
    )
    events = (
        acknowledgement.join(order, on="incident_id", how="left")
        .select(
            "incident",
            "order",
            pl.col("date_start"),
            pl.col("date_end"),
            pl.col("date_start").dt.strftime("%-d %B %Y").alias("incident_date"),
        )
        .sort("order")
    )
    dates = pl.concat([marks["date"], events["date_start"], events["date_end"]]).drop_nulls()
    lo, hi = date_value(dates.min()), date_value(dates.max())
    assert lo is not None and hi is not None, "a timeline has at least one dated mark"
    span = (hi - lo).days
    pad = dt.timedelta(days=max(2, span // 12))
    axis: dict[str, Any] = {"format": "%-d %b %Y" if span < 120 else "%b %Y"}
    shown = span + 2 * pad.days
    if shown <= 16:  # a few days: ticks on whole days, never at noon (which would repeat the day's label)
        axis["tickCount"] = day_ticks(shown)
    domain = {"domain": [_utc_ms(lo - pad), _utc_ms(hi + pad)]}
    last = hi + pad  # silence runs on to the right edge of the chart
    # A gap to a first official day that rests only on accounts marked uncertain says so: it may be a placeholder.
    unsure = unsure_first_days(accounts, acknowledgement).select("incident_id", pl.col("official_unsure"))
    flagged = (
        acknowledgement.join(unsure, on="incident_id", how="left", maintain_order="left")
        .with_columns(
            (pl.col("acknowledged").fill_null(False) & pl.col("official_unsure").fill_null(False)).alias("_unsure")
        )
        .drop("official_unsure")
    )
    gaps = (
        flagged.join(order, on="incident_id", how="left")
        .with_columns(pl.col("acknowledged").fill_null(False))
        .with_columns(
            pl.when(pl.col("acknowledged"))
            .then(pl.col("date_start"))
            .otherwise(pl.col("first_unofficial_date"))
            .alias("gap_start"),
            pl.when(pl.col("acknowledged"))
            .then(pl.col("first_official_date"))
            .otherwise(pl.lit(last))
            .alias("gap_end"),
            pl.when(pl.col("acknowledged"))
            .then(pl.lit(SIDE_LABELS["official"]))
            .otherwise(pl.lit(SIDE_LABELS["unofficial"]))
            .alias("lane"),
            pl.when(~pl.col("acknowledged"))
            .then(pl.lit("no official account"))
            .when(pl.col("days_to_official") <= 0)
            .then(pl.lit("official account the same day"))
            .when(pl.col("days_to_official") == 1)
            .then(pl.lit("official account 1 day later"))
            .otherwise(pl.format("official account {} days later", pl.col("days_to_official")))
            .alias("gap"),
        )
        .with_columns(
            pl.when(pl.col("_unsure"))
            .then(pl.format("{} (an account marked uncertain)", pl.col("gap")))
            .otherwise(pl.col("gap"))
            .alias("gap")
        )
        .filter(pl.col("gap_start").is_not_null() & pl.col("gap_end").is_not_null())
        .select(
            "incident",
            "order",
            "lane",
            "gap_start",
            "gap_end",
            "gap",
            "acknowledged",
            pl.when(pl.col("acknowledged")).then(pl.col("gap_end")).otherwise(pl.col("gap_start")).alias("label_at"),
        )
        .sort("order")
    )
    n_rows = incidents.height

    def x(field: str, title: str | None = None, *, ranged: bool = False) -> alt.X:
        # The domain is set on the layers without an x2 only: Vega-Lite reads the domain once more for x2,
        # untyped, and warns that the two readings conflict. The ranged layers share the scale all the same.
        return utc_x(field, title, axis=axis, scale={} if ranged else domain)

    y = alt.Y(
        "incident:N",
        title=None,
        sort=order["incident"].to_list(),
        axis=(
            alt.Axis(labelExpr=LINES_EXPR, labelLimit=0, labelPadding=_LANE_ROOM, ticks=False)
            if n_rows > 1
            else alt.Axis(labels=False, ticks=False, domain=False)
        ),
    )
    offset = alt.YOffset("lane:N", scale=alt.Scale(domain=list(SIDE_LABELS.values())))
    points = (
        alt.Chart(inline(marks, what="accounts"))
        .mark_point(size=90, filled=True, opacity=0.9)
        .encode(
            x=x("date", "published"),
            y=y,
            yOffset=offset,
            color=alt.Color("lane:N", scale=side_scale(), title="lane"),
            shape=alt.Shape(
                "state:N",
                title="account",
                scale=alt.Scale(domain=list(_STATE_LABELS.values()), range=["circle", "triangle-up"]),
            ),
            tooltip=[
                alt.Tooltip("source:N"),
                alt.Tooltip("speaker:N"),
                alt.Tooltip("published:N"),
                alt.Tooltip("lane:N"),
                alt.Tooltip("state:N", title="account"),
                alt.Tooltip("certainty:N"),
            ],
        )
    )
    # A ring around each account we mark uncertain: its date or a detail may be wrong.
    rings = (
        alt.Chart(
            inline(
                marks.filter(pl.col("certainty") == _CERTAINTY_LABELS["uncertain"]).select(
                    "incident", "lane", "date", "source", "published", "certainty"
                ),
                what="uncertain accounts",
            )
        )
        .mark_point(shape="circle", filled=False, size=260, strokeWidth=1.2, color=OKABE_ITO["black"])
        .encode(
            x=x("date"),
            y=y,
            yOffset=offset,
            tooltip=[alt.Tooltip("source:N"), alt.Tooltip("published:N"), alt.Tooltip("certainty:N")],
        )
    )
    window = alt.Chart(inline(events.filter(pl.col("date_end") > pl.col("date_start")), what="incident windows"))
    window = window.mark_rule(color=OKABE_ITO["grey"], strokeWidth=6, opacity=0.5).encode(
        x=x("date_start", ranged=True), x2=alt.X2("date_end:T"), y=y
    )
    tick = (
        alt.Chart(inline(events, what="incident dates"))
        .mark_tick(color=OKABE_ITO["black"], thickness=2, opacity=0.9)
        .encode(
            x=x("date_start"),
            y=y,
            tooltip=[alt.Tooltip("incident:N"), alt.Tooltip("incident_date:N", title="incident date")],
        )
    )
    gap_data = inline(gaps, what="acknowledgement gaps")
    gap = (
        alt.Chart(gap_data)
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.5, color=OKABE_ITO["black"])
        .encode(x=x("gap_start", ranged=True), x2=alt.X2("gap_end:T"), y=y, yOffset=offset)
    )
    label = (
        alt.Chart(gap_data)
        .mark_text(align="left", dx=9, fontSize=10, color=OKABE_ITO["black"])
        .encode(
            x=x("label_at"),
            y=y,
            yOffset=offset,
            text=alt.Text("gap:N"),
        )
        .transform_filter(alt.FieldEqualPredicate(field="acknowledged", equal=True))
    )
    silence = (
        alt.Chart(gap_data)
        .mark_text(align="left", dx=9, dy=-9, fontSize=10, color=OKABE_ITO["reddish_purple"])
        .encode(
            x=x("label_at"),
            y=y,
            yOffset=offset,
            text=alt.Text("gap:N"),
        )
        .transform_filter(alt.FieldEqualPredicate(field="acknowledged", equal=False))
    )
    layers = [window, tick, gap, points, rings, label, silence]
    # Each lane is named at the left of the plot, in every row: one incident's row has no label, so its lanes
    # get the full names; with several, the short names sit between the incident's label and the plot.
    lane_names = order.select("incident").join(
        pl.DataFrame({"lane": list(SIDE_LABELS.values()), "name": list(_LANE_SHORT.values())}), how="cross"
    )
    layers.append(
        alt.Chart(inline(lane_names, what="lane names"))
        .mark_text(
            align="right",
            dx=-6,
            fontSize=11 if n_rows == 1 else 9,
            color=OKABE_ITO["black"] if n_rows == 1 else "#555555",
        )
        .encode(x=alt.XValue(0), y=y, yOffset=offset, text=alt.Text("lane:N" if n_rows == 1 else "name:N"))
    )
    step = label_step(order["incident"], least=44)
    chart = alt.layer(*layers).properties(width=560, height=alt.Step(step, **{"for": "position"}) if n_rows > 1 else 90)
    return finish(
        chart,
        title=_title(incidents),
        sources=dataset,
        width=560,
        method=(
            "each mark is one account at the day it was published, blue for the operator's officials, orange "
            "for everyone else; triangles are accounts their source later replaced, a ring marks an account we "
            "mark uncertain (its date or a detail may be wrong). The black tick is the "
            "incident date (a grey bar its window when uncertain). The dashed line is the acknowledgement gap: "
            "from the incident to the first official account, or, where officials said nothing, from the first "
            "other report to the edge of the chart."
        ),
        alt_text=_alt_text(incidents, marks, gaps, acknowledgement),
    )


def _utc_ms(day: dt.date) -> int:
    """Midnight UTC of ``day`` in milliseconds since 1970, for a time scale's domain (plain numbers read the same
    in every layer and time zone).
    """
    return (day - dt.date(1970, 1, 1)).days * 86_400_000


def _title(incidents: pl.DataFrame) -> str:
    if incidents.height == 1:
        return f"Who said what, and when: {incidents['title'][0]}"
    return f"Who said what, and when: {incidents.height} incidents"


def _alt_text(incidents: pl.DataFrame, marks: pl.DataFrame, gaps: pl.DataFrame, ack: pl.DataFrame) -> str:
    official = marks.filter(pl.col("lane") == SIDE_LABELS["official"])
    other = marks.filter(pl.col("lane") != SIDE_LABELS["official"])
    if incidents.height == 1:
        row = ack.row(0, named=True)
        parts = [f"Timeline of the accounts of “{row['title']}”: the incident on {long_date(row['date_start'])}"]
        if official.height:
            first_official = date_value(official["date"].min())
            parts.append(f"{plural(official.height, 'official account')}, the first on {long_date(first_official)}")
        else:
            parts.append("no official account")
        if other.height:
            first_other = date_value(other["date"].min())
            parts.append(f"{plural(other.height, 'other account')}, the first on {long_date(first_other)}")
        else:
            parts.append("no other account")
        parts.append(gaps["gap"][0] if gaps.height else "no acknowledgement gap can be drawn")
        unsure = marks.filter(pl.col("certainty") == _CERTAINTY_LABELS["uncertain"]).height
        if unsure:
            parts.append(f"{plural(unsure, 'account')} marked uncertain")
        return "; ".join(parts) + "."
    acknowledged = ack.filter(pl.col("acknowledged").fill_null(False))
    silent = ack.height - acknowledged.height
    median = float_value(acknowledged["days_to_official"].median())
    first, last = date_value(incidents["date_start"].min()), date_value(incidents["date_start"].max())
    span = f"on {long_date(first)}" if first == last else f"from {long_date(first)} to {long_date(last)}"
    text = (
        f"Timeline of {incidents.height} incidents {span}, with {plural(official.height, 'official account')} "
        f"and {plural(other.height, 'other account')}. {plural(acknowledged.height, 'incident')} "
        f"{'has' if acknowledged.height == 1 else 'have'} an official account"
    )
    if median is not None:
        text += f", after a median of {median:g} days"
    return text + f"; {silent} {'has' if silent == 1 else 'have'} none."


def _aggregated(
    dataset: Dataset, incidents: pl.DataFrame, accounts: pl.DataFrame, ack: pl.DataFrame, max_incidents: int
) -> alt.VConcatChart:
    warn_reduced(
        f"the timeline shows counts per period for {incidents.height:,} incidents (more than "
        f"max_incidents={max_incidents}); choose fewer incidents to see each account"
    )
    starts = (date_value(incidents["date_start"].min()), date_value(accounts["published_date"].min()))
    ends = (date_value(incidents["date_end"].max()), date_value(accounts["published_date"].max()))
    start = min(d for d in starts if d is not None)
    end = max(d for d in ends if d is not None)
    period, every = period_for(start, end, max_bins=150)
    lanes = [
        "incidents (by first day)",
        SIDE_LABELS["official"],
        SIDE_LABELS["unofficial"],
        "incidents with no official account",
    ]
    counted = (
        pl.concat(
            [
                incidents.select(
                    pl.col("date_start").dt.truncate(every).alias("period"), pl.lit(lanes[0]).alias("lane")
                ),
                accounts.select(
                    pl.col("published_date").dt.truncate(every).alias("period"),
                    pl.when(pl.col("side") == "official")
                    .then(pl.lit(lanes[1]))
                    .otherwise(pl.lit(lanes[2]))
                    .alias("lane"),
                ),
                ack.filter(~pl.col("acknowledged").fill_null(False)).select(
                    pl.col("date_start").dt.truncate(every).alias("period"), pl.lit(lanes[3]).alias("lane")
                ),
            ]
        )
        .group_by("period", "lane")
        .agg(pl.len().alias("count"))
        .sort("period", "lane")
    )
    counted = counted.with_columns(period_label("period", period).alias("when"))
    gap = (
        ack.filter(pl.col("acknowledged").fill_null(False))
        .group_by(pl.col("date_start").dt.truncate(every).alias("period"))
        .agg(pl.col("days_to_official").median().alias("median_days"), pl.len().alias("incidents"))
        .sort("period")
        .with_columns(period_label("period", period).alias("when"))
    )
    colours = [OKABE_ITO["black"], SIDE_COLOURS["official"], SIDE_COLOURS["unofficial"], OKABE_ITO["reddish_purple"]]
    bubbles = (
        alt.Chart(inline(counted, what="counts per period"))
        .mark_circle(opacity=0.75)
        .encode(
            x=utc_x("period", f"{period} of publication or of the incident"),
            y=alt.Y("lane:N", title=None, sort=lanes, axis=alt.Axis(labelLimit=320)),
            size=alt.Size("count:Q", title="count", scale=alt.Scale(range=[8, 400])),
            color=alt.Color("lane:N", scale=alt.Scale(domain=lanes, range=colours), legend=None),
            tooltip=[alt.Tooltip("when:N", title=period), alt.Tooltip("lane:N"), alt.Tooltip("count:Q", format=",")],
        )
        .properties(width=560, height=alt.Step(34))
    )
    median = (
        alt.Chart(inline(gap, what="median gaps"))
        .mark_line(point=True, color=OKABE_ITO["black"], strokeDash=[4, 3])
        .encode(
            x=utc_x("period", f"{period} of the incident"),
            y=alt.Y("median_days:Q", title="median days to first official account"),
            tooltip=[
                alt.Tooltip("when:N", title=period),
                alt.Tooltip("median_days:Q", title="median days"),
                alt.Tooltip("incidents:Q", format=","),
            ],
        )
        .properties(width=560, height=140)
    )
    silent = ack.filter(~pl.col("acknowledged").fill_null(False)).height
    acknowledged = ack.height - silent
    median_all = float_value(ack.filter(pl.col("acknowledged").fill_null(False))["days_to_official"].median())
    alt_text = (
        f"Counts per {period} of {incidents.height:,} incidents, {accounts.height:,} accounts, and the "
        f"incidents no official account speaks of ({silent:,}); below, the median days from an incident to "
        f"its first official account per {period}"
        + (
            f" (over all {acknowledged:,} acknowledged incidents: {median_all:g} days)."
            if median_all is not None
            else "."
        )
    )
    return finish(
        alt.vconcat(bubbles, median, spacing=16),
        title=f"Who spoke, and when: {incidents.height:,} incidents",
        sources=dataset,
        method=(
            f"too many incidents to draw each account, so circles count incidents and accounts per {period} "
            "(by first day and by publication). The lower panel is the acknowledgement gap: the median days "
            "from an incident to its first official account, for incidents that have one."
        ),
        alt_text=alt_text,
    )
