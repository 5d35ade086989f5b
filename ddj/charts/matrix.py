"""Discrepancy matrix: incidents by compared attributes, each cell coloured by the comparison's status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import altair as alt
import polars as pl

from ddj._scalars import int_value
from ddj.charts._common import (
    LINES_EXPR,
    comparison_for,
    finish,
    full_label,
    label_step,
    plural,
    select_incidents,
    wrapped,
)
from ddj.charts.reduce import inline, warn_reduced
from ddj.charts.theme import STATUS_LABELS, status_scale
from ddj.model import COMPARED_ATTRIBUTES

if TYPE_CHECKING:
    from ddj.compare import Comparison
    from ddj.datasets.dataset import Dataset

__all__ = ["discrepancy_matrix"]

_METHOD = (
    "each cell compares what the operator's officials and everyone else claimed about one attribute of one "
    "incident, using the accounts each source has not replaced. 'Contradict' means no official value matches "
    "another source's; 'officials silent on this point' means officials spoke of the incident but not of this; "
    "'no official account, though searched for' is the operator's silence where the curators looked for its "
    "statements, and 'no official account recorded' means nobody declared such a search."
)


def _labels() -> list[str]:
    return [a.label for a in COMPARED_ATTRIBUTES]


def discrepancy_matrix(
    dataset: Dataset,
    comparison: Comparison | None = None,
    *,
    incident_ids: Sequence[str] | str | None = None,
    max_incidents: int = 60,
) -> alt.Chart | alt.LayerChart:
    """Chart incidents against the compared attributes, each cell coloured by its status, with a legend in words.

    Columns follow :data:`ddj.model.COMPARED_ATTRIBUTES`; rows are incidents by date. The colours
    are Okabe–Ito (safe for colour-blind readers) and the legend names each status in words, for
    example "official and other accounts contradict".

    With more than ``max_incidents`` incidents each attribute becomes one bar showing the share of
    incidents in each status (a :class:`~ddj.warnings.DataReducedWarning` says so), so a million
    incidents embed a few dozen rows.

    Parameters
    ----------
    dataset : ddj.Dataset
        The incident dataset, as :func:`ddj.load` returns it.
    comparison : ddj.compare.Comparison, optional
        The dataset's comparison, when already computed; computed with :func:`ddj.compare.compare` when None.
    incident_ids : str or sequence of str, optional
        The incidents to chart, by ``incident_id``; all of them when None. An id not in the dataset is a
        :class:`~ddj.errors.UsageError`.
    max_incidents : int, default 60
        The most incidents drawn one row each; beyond it each attribute becomes a bar of shares.

    Examples
    --------
    >>> import ddj
    >>> from ddj.charts import chart_alt_text
    >>> chart = discrepancy_matrix(ddj.load("syria-ru-aviation", warn=False))
    >>> chart_alt_text(chart).startswith("Matrix of 20 incidents by 10 compared attributes")
    True

    The alt text says how many incidents and attributes the matrix sets side by side.
    """
    comparison = comparison_for(dataset, comparison)
    incidents = select_incidents(dataset.incidents, incident_ids)
    attributes = comparison.attributes.join(incidents.select("incident_id"), on="incident_id", how="semi")
    labels = pl.DataFrame({"attribute": [a.name for a in COMPARED_ATTRIBUTES], "label_": _labels()}).with_columns(
        pl.col("attribute").cast(attributes.schema["attribute"])
    )  # the comparison's dtype (an Enum)
    attributes = attributes.join(labels, on="attribute", how="inner").with_columns(
        pl.col("status").replace_strict(STATUS_LABELS, default="no account gives a value").alias("status_words")
    )
    if incidents.height > max_incidents:
        return _aggregated(dataset, incidents, attributes, max_incidents)
    # each row is labelled with the incident's whole title and date, wrapped onto lines, never cut
    rows = incidents.with_row_index("order").select(
        "incident_id", "order", wrapped(full_label()).alias("row"), full_label().alias("incident")
    )
    cells = (
        attributes.join(rows, on="incident_id", how="inner")
        .with_columns(
            pl.col("official_values").cast(pl.List(pl.String)).list.join("; ").alias("official"),
            pl.col("unofficial_values").cast(pl.List(pl.String)).list.join("; ").alias("others"),
        )
        .select(
            "row",
            "incident",
            "order",
            pl.col("label_").alias("attribute"),
            pl.col("status_words").alias("status"),
            "official",
            "others",
        )
        .sort("order", "attribute")
    )
    step = label_step(rows["row"], least=22)
    chart = (
        alt.Chart(inline(cells, what="cells"))
        .mark_rect()
        .encode(
            x=alt.X(
                "attribute:N", title=None, sort=_labels(), axis=alt.Axis(orient="top", labelAngle=-35, labelLimit=200)
            ),
            y=alt.Y(
                "row:N",
                title=None,
                sort=rows["row"].to_list(),
                axis=alt.Axis(labelExpr=LINES_EXPR, labelLimit=0, labelBaseline="middle"),
            ),
            color=alt.Color("status:N", scale=status_scale(), title="status", legend=_legend_under(rows["row"], step)),
            tooltip=[
                alt.Tooltip("incident:N"),
                alt.Tooltip("attribute:N"),
                alt.Tooltip("status:N"),
                alt.Tooltip("official:N", title="officials said"),
                alt.Tooltip("others:N", title="others said"),
            ],
        )
        .properties(width=alt.Step(46), height=alt.Step(step))
    )
    counts = cells.group_by("status").len()
    ordered = counts.sort("len", "status", descending=[True, False])
    summary = "; ".join(f"{row['len']} {row['status']}" for row in ordered.iter_rows(named=True))
    return finish(
        chart,
        title="Where officials and other sources agree, contradict, or stay silent",
        sources=dataset,
        method=_METHOD,
        width=46 * len(COMPARED_ATTRIBUTES) + 260,
        alt_text=(
            f"Matrix of {plural(incidents.height, 'incident')} by {len(COMPARED_ATTRIBUTES)} compared "
            f"attributes ({', '.join(_labels())}); cells by status: {summary}."
        ),
    )


#: About how wide a character of an 11 px axis label is, in px (the house font's average over the row labels, measured;
#: map labels use a generous 6.0 to keep clear of one another), and what the axis adds beside its labels (tick and
#: padding).
_LABEL_CHAR_PX = 5.2
_AXIS_PX = 8
#: How tall a bottom axis with labels and a title is, in px.
_X_AXIS_PX = 40


def _legend_under(rows: pl.Series, step: int, *, axis_below: int = 0) -> alt.Legend:
    r"""The status legend under the matrix, from the left edge of the row labels: a phone shows the chart's start,
    where a legend aligned with the cells would sit to the right of the labels, cut off until the reader scrolls.

    Vega places a bottom legend at the cells' left edge and knows no "under the axis labels", so the legend is
    placed by hand: left by the longest label line's estimated width, under the last row (and under an axis of
    ``axis_below`` px drawn there).

    Examples
    --------
    >>> legend = _legend_under(pl.Series(["a label\nof two lines", "short"]), 30)
    >>> legend.orient, legend.legendX, legend.legendY
    ('none', -70, 70)
    """
    longest = int_value(rows.str.split("\n").list.eval(pl.element().str.len_chars()).list.max().max()) or 0
    return alt.Legend(
        orient="none",
        direction="vertical",
        columns=1,
        legendX=-round(longest * _LABEL_CHAR_PX + _AXIS_PX),
        legendY=step * rows.len() + axis_below + 10,
    )


def _aggregated(dataset: Dataset, incidents: pl.DataFrame, attributes: pl.DataFrame, max_incidents: int) -> alt.Chart:
    warn_reduced(
        f"the discrepancy matrix shows, for {incidents.height:,} incidents (more than "
        f"max_incidents={max_incidents}), the share of incidents in each status per attribute; choose fewer "
        "incidents to see one row each"
    )
    shares = (
        attributes.group_by("label_", "status_words")
        .agg(pl.len().alias("incidents"))
        .with_columns((pl.col("incidents") / pl.col("incidents").sum().over("label_")).alias("share"))
        .rename({"label_": "attribute", "status_words": "status"})
    )
    order = list(STATUS_LABELS.values())
    shares = shares.with_columns(
        pl.col("status").replace_strict({w: i for i, w in enumerate(order)}, default=len(order)).alias("rank")
    ).sort("attribute", "rank")
    chart = (
        alt.Chart(inline(shares, what="shares"))
        .mark_bar()
        .encode(
            y=alt.Y("attribute:N", title=None, sort=_labels()),
            x=alt.X("incidents:Q", stack="normalize", title="share of incidents", axis=alt.Axis(format="%")),
            color=alt.Color(
                "status:N",
                scale=status_scale(),
                title="status",
                sort=order,
                legend=_legend_under(pl.Series(_labels()), 24, axis_below=_X_AXIS_PX),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("attribute:N"),
                alt.Tooltip("status:N"),
                alt.Tooltip("incidents:Q", format=","),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
        .properties(width=560, height=alt.Step(24))
    )
    contradicted = shares.filter(pl.col("status") == STATUS_LABELS["contradict"]).sort("share", descending=True)
    most = (
        f" The most contradicted attribute is {contradicted['attribute'][0]} "
        f"({contradicted['share'][0]:.0%} of incidents)."
        if contradicted.height
        else ""
    )
    return finish(
        chart,
        title="Where officials and other sources agree, contradict, or stay silent",
        sources=dataset,
        method=_METHOD + f" With {incidents.height:,} incidents each bar shows the share of incidents in each status.",
        alt_text=(
            f"Matrix of {incidents.height:,} incidents by {len(COMPARED_ATTRIBUTES)} compared attributes, "
            f"summarised as one bar per attribute with the share of incidents in each status.{most}"
        ),
    )
