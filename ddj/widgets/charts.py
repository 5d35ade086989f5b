"""The Explorer's three linked charts, built from a :class:`~ddj.widgets.state.View`'s small frames.

Each chart embeds only the pre-aggregated rows of the view (timeline bins, matrix cells or shares,
map points or grid cells) and carries one selection that the Explorer turns back into filters (see
:mod:`ddj.widgets.selection`):

- the timeline: drag across it to choose the dates (``when``);
- the discrepancy matrix: click a status to keep the incidents with it (``status_pick``, shares
  mode), or click a cell to open that incident (``incident_pick``, one row per incident);
- the map: click a point to open that incident (``map_pick``).

Colours and words come from the house theme (:mod:`ddj.charts.theme`), so the Explorer and the
reports never disagree on what a colour means.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import altair as alt
import polars as pl

from ddj._scalars import date_value, int_value
from ddj.charts import theme  # noqa: F401  (registers the house theme)
from ddj.charts._common import count_axis, day_ticks
from ddj.charts.basemap import frame_size
from ddj.charts.reduce import inline
from ddj.charts.theme import OKABE_ITO, SIDE_COLOURS, STATUS_COLOURS, STATUS_LABELS, status_scale
from ddj.model import COMPARED_ATTRIBUTES
from ddj.widgets.state import ACKNOWLEDGED_LANES, MAP_STYLES, View, extent

__all__ = [
    "CHART_NAMES",
    "MAP_PICK",
    "MATRIX_PICK",
    "STATUS_PICK",
    "TIMELINE_BRUSH",
    "build_chart",
    "build_charts",
    "chart_inputs",
    "map_chart",
    "matrix_chart",
    "timeline_chart",
]

TIMELINE_BRUSH = "when"
STATUS_PICK = "status_pick"
MATRIX_PICK = "incident_pick"
MAP_PICK = "map_pick"

_AXIS_FORMAT = {"day": "%-d %b %Y", "week": "%-d %b %Y", "month": "%b %Y", "quarter": "%b %Y", "year": "%Y"}
_PERIOD_END = {"day": "1d", "week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}
_LABELS = [a.label for a in COMPARED_ATTRIBUTES]
_MAP_COLOURS = {
    "exact location": OKABE_ITO["black"],
    "near a named place": OKABE_ITO["vermillion"],
    "district or province": OKABE_ITO["reddish_purple"],
    "over water or in international airspace": OKABE_ITO["blue"],
    "precision not recorded": OKABE_ITO["grey"],
}


#: The Explorer's charts, in the order it shows them.
CHART_NAMES = ("timeline", "matrix", "map")


def build_chart(name: str, view: View, data: Any) -> alt.TopLevelMixin:
    """One chart of a view by name (see :data:`CHART_NAMES`); ``data`` gives the map's extent.

    Parameters
    ----------
    name : str
        The chart's name, one of :data:`CHART_NAMES` (``timeline``, ``matrix``, ``map``); another is a
        :class:`KeyError`.
    view : View
        What the Explorer shows for the current filters.
    data : object
        The Explorer's data; only its ``bounds`` (the places' extent) are read, for the map.
    """
    if name == "timeline":
        return timeline_chart(view)
    if name == "matrix":
        return matrix_chart(view)
    if name == "map":
        return map_chart(view, extent(data.bounds))
    msg = f"no Explorer chart {name!r}; the charts are {', '.join(CHART_NAMES)}"
    raise KeyError(msg)


def build_charts(view: View, data: Any) -> dict[str, alt.TopLevelMixin]:
    """The three charts of a view: ``timeline``, ``matrix`` and ``map`` (``data`` gives the map's extent)."""
    return {name: build_chart(name, view, data) for name in CHART_NAMES}


def chart_inputs(name: str, view: View) -> tuple[Any, tuple[Any, ...]]:
    """What chart ``name`` is drawn from: its frame and the other values it shows. Equal inputs, equal chart."""
    counts = (view.counts.incidents, view.counts.total)
    if name == "timeline":
        return view.timeline, (view.period, *counts)
    if name == "matrix":
        return view.matrix, (view.matrix_mode, *counts)
    return view.map, (view.map_mode, view.map_cell, view.counts.placed, *counts)


def _of(view: View) -> str:
    counts = view.counts
    noun = "incident" if counts.total == 1 else "incidents"
    return f"{counts.incidents:,} of {counts.total:,} {noun}"


def timeline_chart(view: View) -> alt.Chart:
    """Incidents per period, split by whether the operator ever spoke of them; drag to choose dates.

    Examples
    --------
    >>> import ddj
    >>> from ddj.widgets.state import ExplorerData
    >>> from ddj.filters import FilterSpec
    >>> data = ExplorerData(ddj.load("syria-ru-aviation", warn=False))
    >>> timeline_chart(data.view(FilterSpec(statuses=["official_silent"]))).title.text
    'When: 1 of 20 incidents, by day'

    The one incident the operator never spoke of, on the day it began.
    """
    period = view.period
    lanes = list(ACKNOWLEDGED_LANES)
    # Each bar spans its whole period; the two lanes are stacked here, not by Vega-Lite (ranged bars do not stack).
    frame = (
        view.timeline.sort("period", pl.col("lane").replace_strict(lanes, list(range(len(lanes)))))
        .with_columns(
            pl.col("period").dt.offset_by(_PERIOD_END[period]).alias("period_end"),
            pl.col("incidents").cum_sum().over("period").alias("top"),
        )
        .with_columns((pl.col("top") - pl.col("incidents")).alias("bottom"))
    )
    brush = alt.selection_interval(encodings=["x"], name=TIMELINE_BRUSH)
    axis: dict[str, Any] = {"format": _AXIS_FORMAT[period], "labelAngle": 0, "labelOverlap": True}
    if period == "day" and frame.height:  # a few days: one tick every few days, never hours
        first, last = date_value(frame["period"].min()), date_value(frame["period_end"].max())
        if first is not None and last is not None:
            axis["tickCount"] = day_ticks((last - first).days)
    chart = (
        alt.Chart(inline(frame, what="timeline bins"))
        .mark_bar(stroke=None)
        .encode(
            x=alt.X(
                "period:T", title=f"{period} the incident began", scale=alt.Scale(type="utc"), axis=alt.Axis(**axis)
            ),
            x2=alt.X2("period_end:T"),
            y=alt.Y("bottom:Q", title="incidents", axis=count_axis(int_value(frame["top"].max()))),
            y2=alt.Y2("top:Q"),
            color=alt.Color(
                "lane:N",
                title=None,
                scale=alt.Scale(domain=lanes, range=[SIDE_COLOURS["official"], STATUS_COLOURS["official_silent"]]),
            ),
            tooltip=[
                alt.Tooltip("when:N", title=period),
                alt.Tooltip("lane:N", title="acknowledged"),
                alt.Tooltip("incidents:Q", format=","),
            ],
        )
        .add_params(brush)
    )
    silent = int(view.timeline.filter(pl.col("lane") == lanes[1])["incidents"].sum() or 0)
    return chart.properties(
        width=560,
        height=150,
        title=alt.Title(
            f"When: {_of(view)}, by {period}",
            subtitle=["Drag across the bars to choose the dates; purple: no official account recorded."],
        ),
        description=(
            f"Bar chart of {_of(view)} by the {period} they began, {silent:,} of them with no official "
            "account recorded."
        ),
    )


def matrix_chart(view: View) -> alt.Chart:
    """The discrepancy matrix: one row per incident (few incidents) or the share of each status per attribute."""
    if view.matrix_mode == "incidents":
        return _matrix_cells(view)
    return _matrix_shares(view)


def _matrix_cells(view: View) -> alt.Chart:
    cells = view.matrix
    order = cells.unique("order", keep="first").sort("order")["incident"].to_list()
    pick = alt.selection_point(fields=["incident_id"], name=MATRIX_PICK, on="click", clear=False)
    chart = (
        alt.Chart(inline(cells, what="matrix cells"))
        .mark_rect()
        .encode(
            x=alt.X(
                "attribute:N", title=None, sort=_LABELS, axis=alt.Axis(orient="top", labelAngle=-35, labelLimit=200)
            ),
            y=alt.Y("incident:N", title=None, sort=order, axis=alt.Axis(labelLimit=320)),
            color=alt.Color(
                "status_words:N",
                title="status",
                scale=status_scale(),
                legend=alt.Legend(orient="bottom", direction="vertical", columns=2),
            ),
            tooltip=[
                alt.Tooltip("incident:N"),
                alt.Tooltip("attribute:N"),
                alt.Tooltip("status_words:N", title="status"),
                alt.Tooltip("official:N", title="officials said"),
                alt.Tooltip("others:N", title="others said"),
            ],
        )
        .add_params(pick)
    )
    counts = cells.group_by("status_words").len().sort("len", "status_words", descending=[True, False])
    summary = "; ".join(f"{n} {words}" for words, n in counts.iter_rows())
    return chart.properties(
        width=alt.Step(46),
        height=alt.Step(22),
        title=alt.Title(
            f"What each side says: {_of(view)}", subtitle=["Click a cell to read that incident's accounts."]
        ),
        description=(
            f"Matrix of {_of(view)} by {len(_LABELS)} compared attributes; cells by status: {summary or 'none'}."
        ),
    )


def _matrix_shares(view: View) -> alt.Chart:
    shares = view.matrix
    pick = alt.selection_point(fields=["attribute", "status"], name=STATUS_PICK, on="click", clear=False)
    words = list(STATUS_LABELS.values())
    chart = (
        alt.Chart(inline(shares, what="matrix shares"))
        .mark_bar()
        .encode(
            y=alt.Y("attribute:N", title=None, sort=_LABELS),
            x=alt.X("incidents:Q", stack="normalize", title="share of incidents", axis=alt.Axis(format="%")),
            color=alt.Color(
                "status_words:N",
                scale=status_scale(),
                title="status",
                sort=words,
                legend=alt.Legend(orient="bottom", direction="vertical", columns=2),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("attribute:N"),
                alt.Tooltip("status_words:N", title="status"),
                alt.Tooltip("incidents:Q", format=","),
                alt.Tooltip("share:Q", format=".1%"),
            ],
        )
        .add_params(pick)
    )
    contradicted = shares.filter(pl.col("status") == "contradict").sort("share", descending=True)
    most = (
        f" The most contradicted attribute is {contradicted['attribute'][0]} ({contradicted['share'][0]:.0%})."
        if contradicted.height
        else ""
    )
    return chart.properties(
        width=560,
        height=alt.Step(22),
        title=alt.Title(
            f"What each side says: {_of(view)}",
            subtitle=[
                "Share of incidents in each status, per attribute. Click a colour to keep the "
                "incidents with that status on that attribute."
            ],
        ),
        description=f"Bars of the share of {_of(view)} in each comparison status, per compared attribute.{most}",
    )


@lru_cache(maxsize=4)
def _outlines(bounds: tuple[float, float, float, float]) -> alt.InlineData:
    from ddj.charts.map import outline_data

    return outline_data(bounds)


def map_chart(view: View, bounds: tuple[float, float, float, float]) -> alt.LayerChart:
    """The incidents on an offline basemap (``bounds``: west, south, east, north); grid cells for many."""
    land = alt.Chart(_outlines(tuple(bounds))).mark_geoshape(fill="#F2F2F2", stroke="#A0A0A0", strokeWidth=0.6)
    styles = list(dict.fromkeys(MAP_STYLES.values()))
    off_map = view.counts.incidents - view.counts.placed
    if view.map_mode == "points":
        pick = alt.selection_point(fields=["incident_id"], name=MAP_PICK, on="click", clear=False)
        marks = (
            alt.Chart(inline(view.map, what="map points"))
            .mark_point(filled=True, size=80, opacity=0.85)
            .encode(
                longitude=alt.Longitude("longitude:Q"),
                latitude=alt.Latitude("latitude:Q"),
                color=alt.Color(
                    "precision:N",
                    title="place known as",
                    scale=alt.Scale(domain=styles, range=[_MAP_COLOURS[s] for s in styles]),
                ),
                tooltip=[
                    alt.Tooltip("title:N"),
                    alt.Tooltip("date:N"),
                    alt.Tooltip("place:N"),
                    alt.Tooltip("precision:N", title="place known as"),
                ],
            )
            .add_params(pick)
        )
        note = "Click a point to read that incident's accounts."
        what = f"{view.counts.placed:,} placed as points"
    else:
        marks = (
            alt.Chart(inline(view.map, what="map cells"))
            .mark_circle(color=OKABE_ITO["vermillion"], opacity=0.6)
            .encode(
                longitude=alt.Longitude("longitude:Q"),
                latitude=alt.Latitude("latitude:Q"),
                size=alt.Size("incidents:Q", title="incidents in cell", scale=alt.Scale(range=[20, 900])),
                tooltip=[
                    alt.Tooltip("incidents:Q", format=",", title="incidents in this cell"),
                    alt.Tooltip("latitude:Q"),
                    alt.Tooltip("longitude:Q"),
                ],
            )
        )
        note = f"Too many to draw one by one: incidents are counted in cells of {view.map_cell:g} degrees."
        what = f"{view.counts.placed:,} counted in {view.map.height:,} cells of {view.map_cell:g} degrees"
    if off_map:
        note += f" {off_map:,} without a usable place are not on the map."
    width, height = frame_size(bounds, longest=480)
    return (
        alt.LayerChart(layer=[land, marks])  # alt.layer() may return a FacetChart; these layers have no facets
        .project(type="mercator")
        .properties(
            width=width,
            height=height,
            title=alt.Title(f"Where: {view.counts.placed:,} of {view.counts.incidents:,} on the map", subtitle=[note]),
            description=f"Map of {_of(view)}: {what}; {off_map:,} not on the map (no usable place).",
        )
    )
