"""Uncertainty: killed and injured as low–best–high ranges, official and other accounts side by side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import altair as alt
import polars as pl

from ddj.charts._common import count_axis, current_accounts, finish, full_label, select_incidents
from ddj.charts.reduce import inline, warn_reduced
from ddj.charts.theme import SIDE_LABELS, side_scale
from ddj.model import COMPARED_ATTRIBUTES

if TYPE_CHECKING:
    from ddj.compare.comparison import Comparison
    from ddj.datasets.dataset import Dataset

__all__ = ["casualty_ranges", "has_casualty_figures", "side_ranges"]

_COUNTS = tuple(a for a in COMPARED_ATTRIBUTES if a.kind == "count")
_LABEL_ORDER = {a.label: i for i, a in enumerate(_COUNTS)}
_METHOD = (
    "each line runs from the lowest to the highest figure the side's accounts give (accounts their source "
    "replaced are left out); the dot is the median of their best figures. 'No figure' means no account on "
    "that side gives a number; 'not known' that its accounts say the number is unknown."
)


def side_ranges(accounts: pl.DataFrame) -> pl.DataFrame:
    """Return one row per incident, count attribute and side: ``low``, ``best``, ``high`` and what the side said.

    ``low`` is the lowest low figure, ``high`` the highest high figure and ``best`` the median best
    figure over the side's accounts that give a figure; ``said`` is ``figure``, ``unknown`` (accounts
    say the number is not known) or ``no figure``; ``accounts`` counts the accounts giving a figure.
    Rows come attribute by attribute (in :data:`ddj.model.COMPARED_ATTRIBUTES` order), then by
    incident id and side.

    Examples
    --------
    >>> import ddj
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> mi8 = side_ranges(ds.accounts.filter(pl.col("incident_id") == "syr-2016-08-01-mi8amtsh"))
    >>> mi8.filter(pl.col("attribute") == "crew_killed").select("side", "low", "best", "high").rows()
    [('official', 3, 3.0, 3), ('unofficial', 3, 3.0, 3)]

    Officials and the other report both put the Mi-8's dead crew at three.
    """
    aggregations = []
    for attribute in _COUNTS:
        claim, low, best, high = (pl.col(c) for c in attribute.columns)
        figure = claim == "figure"
        name = attribute.name
        aggregations += [
            pl.when(figure).then(low).min().alias(f"{name}|low"),
            pl.when(figure).then(best).cast(pl.Float64).median().alias(f"{name}|best"),
            pl.when(figure).then(high).max().alias(f"{name}|high"),
            figure.sum().cast(pl.Int64).alias(f"{name}|accounts"),
            (claim == "unknown").any().alias(f"{name}|unknown"),
        ]
    wide = accounts.lazy().group_by("incident_id", "side").agg(aggregations).sort("incident_id", "side").collect()
    grouped = pl.concat(
        [
            wide.select(
                "incident_id",
                pl.lit(a.name).alias("attribute"),
                pl.lit(a.label).alias("label"),
                pl.col("side").cast(pl.String),  # a loaded dataset's side is an Enum
                *(
                    pl.col(f"{a.name}|{part}").alias(part if part != "unknown" else "_unknown")
                    for part in ("low", "best", "high", "accounts", "unknown")
                ),
            )
            for a in _COUNTS
        ]
    )
    grouped = (
        grouped.with_columns(
            pl.coalesce("low", "high", pl.col("best").round().cast(pl.Int64)).alias("low"),
            pl.coalesce("high", "low", pl.col("best").round().cast(pl.Int64)).alias("high"),
        )
        .with_columns(
            pl.coalesce(pl.col("best"), ((pl.col("low") + pl.col("high")) / 2)).alias("best"),
            pl.when(pl.col("accounts") > 0)
            .then(pl.lit("figure"))
            .when(pl.col("_unknown"))
            .then(pl.lit("unknown"))
            .otherwise(pl.lit("no figure"))
            .alias("said"),
        )
        .drop("_unknown")
    )
    return grouped


def has_casualty_figures(dataset: Dataset, incident_id: str, comparison: Comparison | None = None) -> bool:
    """Whether any current account of the incident gives a figure for crew killed, others killed or injured:
    whether its page has a casualty chart (:func:`casualty_ranges`) worth drawing.

    Parameters
    ----------
    dataset : ddj.Dataset
        The incident dataset, as :func:`ddj.load` returns it.
    incident_id : str
        The incident.
    comparison : ddj.compare.Comparison, optional
        The dataset's comparison, whose ``is_current`` column says which accounts were replaced; without it the
        accounts' own ``supersedes_account_id`` links do.

    Examples
    --------
    >>> import ddj
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> has_casualty_figures(ds, "syr-2016-08-01-mi8amtsh"), has_casualty_figures(ds, "syr-2016-08-retaliation-strikes")
    (True, False)

    The Mi-8's accounts count its dead; the reported campaign after it has no figure to chart.
    """
    accounts = current_accounts(dataset.accounts.filter(pl.col("incident_id") == incident_id), comparison)
    if accounts.height == 0:
        return False
    return bool(side_ranges(accounts)["accounts"].sum() > 0)


def casualty_ranges(
    dataset: Dataset,
    comparison: Comparison | None = None,
    *,
    incident_ids: Sequence[str] | str | None = None,
    max_incidents: int = 12,
) -> alt.LayerChart | alt.FacetChart | alt.Chart:
    """Chart crew killed, others killed and injured as low–best–high ranges per side.

    One incident gives one panel; up to ``max_incidents`` give one panel each (their own scales);
    more give one panel of totals summed over incidents, with a
    :class:`~ddj.warnings.DataReducedWarning`.

    Parameters
    ----------
    dataset : ddj.Dataset
        The incident dataset, as :func:`ddj.load` returns it.
    comparison : ddj.compare.Comparison, optional
        The dataset's comparison, when already computed; computed with :func:`ddj.compare.compare` when None.
    incident_ids : str or sequence of str, optional
        The incidents to chart, by ``incident_id``; all of them when None. An id not in the dataset is a
        :class:`~ddj.errors.UsageError`.
    max_incidents : int, default 12
        The most incidents given a panel each; beyond it one panel sums them.

    Examples
    --------
    >>> import ddj
    >>> from ddj.charts import chart_alt_text
    >>> chart = casualty_ranges(ddj.load("syria-ru-aviation", warn=False), incident_ids="syr-2016-08-01-mi8amtsh")
    >>> "crew killed: official accounts 3; other accounts 3" in chart_alt_text(chart)
    True

    Both sides give three crew killed; a single figure is written once, not as a range.
    """
    incidents = select_incidents(dataset.incidents, incident_ids)
    accounts = current_accounts(
        dataset.accounts.join(incidents.select("incident_id"), on="incident_id", how="semi"), comparison
    )
    ranges = side_ranges(accounts)
    if incidents.height > max_incidents:
        return _totals(dataset, incidents, ranges, max_incidents)
    full = (
        incidents.select("incident_id")
        .join(pl.DataFrame({"attribute": [a.name for a in _COUNTS], "label": [a.label for a in _COUNTS]}), how="cross")
        .join(pl.DataFrame({"side": list(SIDE_LABELS)}), how="cross")
        .join(ranges.drop("label"), on=["incident_id", "attribute", "side"], how="left")
        .with_columns(pl.col("said").fill_null("no figure"), pl.col("accounts").fill_null(0))
    )
    rows = incidents.with_row_index("order").select("incident_id", "order", full_label().alias("incident"))
    data = (
        full.join(rows, on="incident_id")
        .with_columns(
            pl.col("side").replace_strict(SIDE_LABELS).alias("lane"),
            _note(pl.when(pl.col("said") == "unknown").then(pl.lit("not known")).otherwise(pl.col("said"))),
            _range_words().alias("figure"),
        )
        .with_columns(pl.col("label").replace_strict(_LABEL_ORDER).alias("_row"))
        .sort("order", "_row", "lane")
        .with_columns(pl.max_horizontal(pl.col("high").max().over("incident"), pl.lit(1)).alias("axis_max"))
        .select(
            "incident",
            "order",
            "label",
            "lane",
            "low",
            "best",
            "high",
            "accounts",
            "said",
            "note",
            "figure",
            "axis_max",
        )
    )
    layer = _layer(data, [a.label for a in _COUNTS], embed=incidents.height == 1)
    if incidents.height == 1:
        chart: Any = layer.properties(width=520)
        title = f"Killed and injured, by side: {incidents['title'][0]}"
        width = 520
    else:
        chart = (
            layer.properties(width=480)
            .facet(
                row=alt.Row(
                    "incident:N",
                    title=None,
                    sort=rows["incident"].to_list(),
                    header=alt.Header(
                        labelAngle=0,
                        labelAlign="left",
                        labelAnchor="start",
                        labelOrient="top",
                        labelFontWeight="bold",
                        labelLimit=0,  # the incident's whole title, never cut
                    ),
                ),
                data=inline(data, what="ranges"),
            )
            .resolve_scale(x="independent")
        )
        title = f"Killed and injured, by side: {incidents.height} incidents"
        width = 480
    return finish(chart, title=title, sources=dataset, method=_METHOD, alt_text=_alt_text(data), width=width)


_WHO = {"official": "officials", "unofficial": "others"}


def _note(words: pl.Expr) -> pl.Expr:
    """What a lane without a figure says, naming its side ("officials: no figure"), so it reads without colour."""
    return pl.format("{}: {}", pl.col("side").replace_strict(_WHO, default="others"), words).alias("note")


def _range_words() -> pl.Expr:
    low, best, high = pl.col("low"), pl.col("best"), pl.col("high")
    best_text = best.round(1).cast(pl.String).str.replace(r"\.0$", "")
    return (
        pl.when(pl.col("said") == "unknown")
        .then(pl.lit("not known"))
        .when(pl.col("said") != "figure")
        .then(pl.lit("no figure"))
        .when(low == high)
        .then(low.cast(pl.String))
        .otherwise(pl.format("{}–{} (best {})", low, high, best_text))
    )


def _layer(data: pl.DataFrame, labels: list[str], *, embed: bool) -> alt.LayerChart:
    y = alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=200))
    offset = alt.YOffset("lane:N", scale=alt.Scale(domain=list(SIDE_LABELS.values())))
    color = alt.Color(
        "lane:N", scale=side_scale(), title=None, legend=alt.Legend(orient="bottom", direction="horizontal")
    )
    has_figure = alt.FieldEqualPredicate(field="said", equal="figure")
    no_figure = alt.FieldOneOfPredicate(field="said", oneOf=["no figure", "unknown"])
    tooltip = [
        alt.Tooltip("label:N", title="what"),
        alt.Tooltip("lane:N", title="side"),
        alt.Tooltip("figure:N", title="figure"),
        alt.Tooltip("accounts:Q", title="accounts with a figure"),
    ]
    base = alt.Chart().encode(y=y, yOffset=offset)
    largest = data.filter(pl.col("said") == "figure").select(pl.max_horizontal("low", "best", "high").max()).item()
    span = (
        base.mark_rule(strokeWidth=4, opacity=0.8)
        .encode(
            x=alt.X("low:Q", title="people", scale=alt.Scale(zero=True, nice=True), axis=count_axis(largest)),
            x2=alt.X2("high:Q"),
            color=color,
            tooltip=tooltip,
        )
        .transform_filter(has_figure)
    )
    ends = (
        base.mark_tick(thickness=2, size=12, opacity=0.9)
        .encode(x=alt.X("low:Q"), color=color)
        .transform_filter(has_figure)
    )
    ends_high = (
        base.mark_tick(thickness=2, size=12, opacity=0.9)
        .encode(x=alt.X("high:Q"), color=color)
        .transform_filter(has_figure)
    )
    dot = (
        base.mark_point(filled=True, size=80, stroke="white", strokeWidth=1, opacity=1)
        .encode(
            x=alt.X("best:Q"),
            color=color,
            tooltip=tooltip,
        )
        .transform_filter(has_figure)
    )
    label = (
        base.mark_text(align="left", dx=8, fontSize=10)
        .encode(x=alt.X("high:Q"), text=alt.Text("figure:N"))
        .transform_filter(has_figure)
    )
    empty = (
        base.mark_text(align="left", dx=4, fontSize=10, color="#666666", fontStyle="italic")
        .encode(x=alt.XDatum(0), text=alt.Text("note:N"))
        .transform_filter(no_figure)
    )
    extent = base.mark_point(opacity=0).encode(x=alt.X("axis_max:Q"))
    layer = alt.layer(extent, span, ends, ends_high, dot, label, empty).properties(
        height=alt.Step(34, **{"for": "position"})
    )
    assert isinstance(layer, alt.LayerChart)  # properties() of a layer is a layer
    if embed:
        layer.data = inline(data, what="ranges")
    return layer


def _alt_text(data: pl.DataFrame) -> str:
    parts = []
    for (incident,), group in data.group_by("incident", maintain_order=True):
        pieces = []
        for (label,), rows in group.group_by("label", maintain_order=True):
            said = "; ".join(f"{row['lane']} {row['figure']}" for row in rows.iter_rows(named=True))
            pieces.append(f"{label}: {said}")
        parts.append(f"{incident} — " + ". ".join(pieces))
    return "Ranges of people killed and injured by side. " + " | ".join(parts) + "."


def _totals(dataset: Dataset, incidents: pl.DataFrame, ranges: pl.DataFrame, max_incidents: int) -> alt.LayerChart:
    warn_reduced(
        f"the casualty chart sums ranges over {incidents.height:,} incidents (more than "
        f"max_incidents={max_incidents}); choose fewer incidents to see each one"
    )
    figures = ranges.filter(pl.col("said") == "figure")
    totals = (
        figures.group_by("attribute", "label", "side")
        .agg(pl.col("low").sum(), pl.col("best").sum(), pl.col("high").sum(), pl.len().alias("accounts"))
        .with_columns(pl.lit("figure").alias("said"))
    )
    everything = (
        pl.DataFrame({"attribute": [a.name for a in _COUNTS], "label": [a.label for a in _COUNTS]})
        .join(pl.DataFrame({"side": list(SIDE_LABELS)}), how="cross")
        .join(totals.drop("label"), on=["attribute", "side"], how="left")
        .with_columns(pl.col("said").fill_null("no figure"), pl.col("accounts").fill_null(0))
        .with_columns(
            pl.col("side").replace_strict(SIDE_LABELS).alias("lane"),
            _note(pl.lit("no figure")),
            pl.lit("all incidents").alias("incident"),
            _range_words().alias("figure"),
        )
    )
    data = (
        everything.sort(pl.col("label").replace_strict(_LABEL_ORDER), "lane")
        .with_columns(pl.max_horizontal(pl.col("high").max(), pl.lit(1)).alias("axis_max"))
        .select("incident", "label", "lane", "low", "best", "high", "accounts", "said", "note", "figure", "axis_max")
    )
    chart = _layer(data, [a.label for a in _COUNTS], embed=True).properties(width=520)
    return finish(
        chart,
        title=f"Killed and injured, by side: totals over {incidents.height:,} incidents",
        sources=dataset,
        method=(
            "each side's ranges are summed over the incidents it gives a figure for (the counts of incidents "
            "differ between sides; see the tooltip); " + _METHOD
        ),
        alt_text=_alt_text(everything),
    )
