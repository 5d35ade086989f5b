"""Locator map on an offline basemap: incidents styled by how precisely their place is known.

Incidents too imprecise to place (no coordinates, or only a vague area or a country) are never
dropped silently: they are listed below the map, returned in :attr:`LocatorMap.unplaced`, and
announced with an :class:`~ddj.warnings.ImpreciseLocationWarning`.
"""

from __future__ import annotations

import json
import textwrap
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import altair as alt
import polars as pl

from ddj.charts._common import finish, plural, select_incidents
from ddj.charts.basemap import CREDIT, basemap, extent_around, frame_size
from ddj.charts.grid import cell_centre, cell_key, choose_cell_size
from ddj.charts.maplabels import (
    Frame,
    country_labels,
    land_rings,
    mark_box,
    place_labels,
    scale_bar,
    sea_labels,
    short_place,
)
from ddj.charts.reduce import MAX_EMBEDDED_ROWS, inline, warn_reduced
from ddj.charts.theme import OKABE_ITO
from ddj.model import LOCATION_PRECISION
from ddj.warnings import ImpreciseLocationWarning

if TYPE_CHECKING:
    from ddj.datasets.dataset import Dataset

__all__ = ["PLACEABLE_PRECISION", "LocatorMap", "locator_map"]

#: Location-precision codes placed on the map; 5 (a vague area) and 6 (country only) are listed instead.
PLACEABLE_PRECISION = (1, 2, 3, 4, 7)

# style name, shape, filled, size, fill opacity, colour: one row per way a place can be known. Every mark has an
# opaque outline, so the faint disc of a district or province stays visible on the grey land.
_STYLES = {
    "exact location": ("circle", True, 70, 0.95, OKABE_ITO["black"]),
    "near a named place (within about 25 km)": ("circle", False, 110, 0.0, OKABE_ITO["vermillion"]),
    "district or province only (approximate)": ("circle", True, 520, 0.35, OKABE_ITO["reddish_purple"]),
    "over water or in international airspace": ("triangle-up", True, 90, 0.9, OKABE_ITO["blue"]),
    "precision not recorded": ("cross", True, 90, 0.9, OKABE_ITO["grey"]),
}
_RANK = {
    name: i
    for i, name in enumerate(
        [
            "exact location",
            "near a named place (within about 25 km)",
            "over water or in international airspace",
            "precision not recorded",
            "district or province only (approximate)",
        ]
    )
}
_LIST_LIMIT = 25
#: The most incident places named on a map (fewer when their labels would overlap).
MAX_PLACE_LABELS = 8


@dataclass(frozen=True)
class LocatorMap:
    """A locator map and the incidents it could not place.

    Attributes
    ----------
    chart
        The map, with the unplaced incidents listed below it when there are any.
    unplaced
        One row per incident not on the map: ``incident_id``, ``title``, ``location_precision``, ``reason``.
    placed
        How many incidents are on the map.
    """

    chart: alt.TopLevelMixin
    unplaced: pl.DataFrame
    placed: int

    def _repr_mimebundle_(self, *args: Any, **kwargs: Any) -> Any:
        return self.chart._repr_mimebundle_(*args, **kwargs)


def _style(precision: pl.Expr) -> pl.Expr:
    names = list(_STYLES)
    return (
        pl.when(precision == 1)
        .then(pl.lit(names[0]))
        .when(precision == 2)
        .then(pl.lit(names[1]))
        .when(precision.is_in([3, 4]))
        .then(pl.lit(names[2]))
        .when(precision == 7)
        .then(pl.lit(names[3]))
        .otherwise(pl.lit(names[4]))
    )


def locator_map(
    dataset: Dataset,
    *,
    incident_ids: Sequence[str] | str | None = None,
    max_points: int = 2000,
    max_labels: int = MAX_PLACE_LABELS,
) -> LocatorMap:
    """Map the incidents on an offline basemap, each mark styled by how precisely its place is known.

    Exact places are small black dots, places near a named town open rings, places known only to a
    district or province large faint discs, places over water or in international airspace
    triangles. Incidents without coordinates, or known only to a vague area (5) or a country (6),
    are listed below the map with the reason, returned in ``unplaced`` and announced with an
    :class:`~ddj.warnings.ImpreciseLocationWarning`.

    The basemap is Natural Earth's country outlines clipped to the map's extent and embedded as
    inline data: the chart never names a URL. With more than ``max_points`` incidents to place,
    places are counted in grid cells (a :class:`~ddj.warnings.DataReducedWarning` says so).

    Parameters
    ----------
    dataset : ddj.Dataset
        The incident dataset, as :func:`ddj.load` returns it.
    incident_ids : str or sequence of str, optional
        The incidents to map, by ``incident_id``; all of them when None. An id not in the dataset is a
        :class:`~ddj.errors.UsageError`.
    max_points : int, default 2000
        The most places drawn one mark each; beyond it places are counted in grid cells.
    max_labels : int, default 8
        The most incident places named on the map; a name is left out where it would overlap a mark or
        another name (the tooltip still gives it), and when places are counted in cells.

    Examples
    --------
    >>> import warnings, ddj
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     result = locator_map(ddj.load("syria-ru-aviation", warn=False))
    >>> result.placed, sorted(result.unplaced["incident_id"])
    (17, ['med-2016-11-13-mig29kr', 'med-2016-12-03-su33', 'syr-2018-05-07-ka52'])
    >>> caught[-1].category.__name__
    'ImpreciseLocationWarning'

    Seventeen incidents are on the map; the two carrier losses at sea have no coordinates and the
    Ka-52's "eastern Syria" is too vague to place, so those three are listed below it and a warning
    says so.
    """
    incidents = select_incidents(dataset.incidents, incident_ids)
    precision = pl.col("location_precision")
    has_point = pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null()
    placeable = has_point & (precision.is_null() | precision.is_in(list(PLACEABLE_PRECISION)))
    placed = incidents.filter(placeable).with_columns(_style(precision).alias("precision"))
    unplaced = incidents.filter(~placeable).select(
        "incident_id",
        "title",
        "location_precision",
        pl.when(~has_point)
        .then(pl.lit("no coordinates"))
        .otherwise(
            pl.format(
                "too vague to place ({})",
                precision.replace_strict(dict(LOCATION_PRECISION), default="an unknown area", return_dtype=pl.String),
            )
        )
        .alias("reason"),
    )
    if unplaced.height:
        shown = ", ".join(unplaced["incident_id"].head(5).to_list())
        more = f" and {unplaced.height - 5:,} more" if unplaced.height > 5 else ""
        warnings.warn(
            f"{plural(unplaced.height, 'incident')} could not be placed on the map (no coordinates, or a place known "
            f"only as a vague area or a country) and are listed below it: {shown}{more}",
            ImpreciseLocationWarning,
            stacklevel=2,
        )
    extent = (
        extent_around(placed["longitude"].to_list(), placed["latitude"].to_list())
        if placed.height
        else (extent_around([], []))
    )
    chart = _map(dataset, placed, unplaced, _widened(extent), max_points, max_labels)
    return LocatorMap(chart=chart, unplaced=unplaced, placed=placed.height)


_LEAST_ASPECT = 0.75  # a map at least three quarters as wide as it is tall: room for labels, and less like a strip


def _widened(extent: tuple) -> tuple:
    """``extent`` widened east and west (about its middle) when its map would be narrower than
    :data:`_LEAST_ASPECT` of its height: places far apart north to south (Sochi and Syria) made a strip.

    Examples
    --------
    >>> west, south, east, north = _widened((34.31, 33.1, 42.11, 44.8))
    >>> round(east - west, 1), (south, north)
    (11.3, (33.1, 44.8))
    """
    width, height = frame_size(extent, longest=560)
    if width >= _LEAST_ASPECT * height:
        return extent
    west, south, east, north = extent
    half = (east - west) * (_LEAST_ASPECT * height / width) / 2
    middle = (west + east) / 2
    return (round(max(middle - half, -180.0), 3), south, round(min(middle + half, 180.0), 3), north)


def _points(placed: pl.DataFrame, max_points: int) -> tuple[pl.DataFrame, str]:
    rows = placed.select(
        "title",
        "precision",
        pl.col("date_start").dt.strftime("%-d %B %Y").alias("date"),
        pl.col("place").fill_null(""),
        pl.col("latitude").round(3),
        pl.col("longitude").round(3),
        pl.lit(1).alias("incidents"),
    )
    if rows.height <= max_points:
        return rows, ""
    cell = choose_cell_size(placed, max(max_points, 1), by=["precision"])
    grid = (
        placed.group_by(cell_key(cell).alias("_cell"), "precision")
        .agg(pl.len().alias("incidents"))
        .with_columns(cell_centre(pl.col("_cell"), cell))
        .sort("latitude", "longitude", "precision")
    )
    warn_reduced(
        f"the map counts {placed.height:,} placed incidents in cells of {cell:g} degrees (more than "
        f"max_points={max_points:,}); choose fewer incidents to see each one"
    )
    return grid.select("latitude", "longitude", "precision", "incidents"), f"{cell:g}"


def outline_data(extent: tuple, countries: dict[str, Any] | None = None) -> alt.InlineData:
    """The country outlines inside ``extent`` as inline chart data.

    The GeoJSON goes into the spec as one JSON string that Vega parses: the same outlines as an
    embedded array, drawn the same, but Altair neither copies nor validates thousands of coordinates
    one by one (that took longer than the rest of the map).

    Examples
    --------
    >>> data = outline_data((35.0, 32.0, 43.0, 38.0))
    >>> isinstance(data.values, str) and data.format.property == "features"
    True
    """
    text = json.dumps(countries or basemap(extent), separators=(",", ":"), ensure_ascii=False)
    return alt.InlineData(values=text, format=alt.DataFormat(property="features", type="json"))


def _map(
    dataset: Dataset, placed: pl.DataFrame, unplaced: pl.DataFrame, extent: tuple, max_points: int, max_labels: int
) -> Any:
    countries = basemap(extent)
    outlines = outline_data(extent, countries)
    land = alt.Chart(outlines).mark_geoshape(fill="#F2F2F2", stroke="#A0A0A0", strokeWidth=0.6)
    points, cell = _points(placed, max_points)
    width, height = frame_size(extent, longest=560)
    frame = Frame.around(extent, width, height)
    styles = list(_STYLES)
    legend = alt.Legend(
        title="how precisely the place is known", orient="bottom", direction="vertical", symbolStrokeWidth=1.5
    )

    def scale(part: int, **extra: Any) -> alt.Scale:
        return alt.Scale(domain=styles, range=[s[part] for s in _STYLES.values()], **extra)

    size = (
        alt.Size("incidents:Q", title="incidents in cell", scale=alt.Scale(range=[30, 900]))
        if cell
        else alt.Size("precision:O", scale=scale(2, type="ordinal"), legend=legend)
    )
    marks = (
        alt.Chart(inline(points, max_rows=max(max_points, MAX_EMBEDDED_ROWS), what="map points"))
        .mark_point(strokeWidth=1.5)
        .encode(
            longitude=alt.Longitude("longitude:Q"),
            latitude=alt.Latitude("latitude:Q"),
            shape=alt.Shape(
                "precision:N", scale=alt.Scale(domain=styles, range=[s[0] for s in _STYLES.values()]), legend=legend
            ),
            stroke=alt.Stroke(
                "precision:N", scale=alt.Scale(domain=styles, range=[s[4] for s in _STYLES.values()]), legend=legend
            ),
            fill=alt.Fill(
                "precision:N",
                scale=alt.Scale(domain=styles, range=[s[4] if s[1] else "transparent" for s in _STYLES.values()]),
                legend=legend,
            ),
            fillOpacity=alt.FillOpacity("precision:O", scale=scale(3, type="ordinal"), legend=legend),
            size=size,
            tooltip=(
                [
                    alt.Tooltip("incidents:Q", title="incidents in this cell", format=","),
                    alt.Tooltip("precision:N", title="place known as"),
                ]
                if cell
                else [
                    alt.Tooltip("title:N"),
                    alt.Tooltip("date:N"),
                    alt.Tooltip("place:N"),
                    alt.Tooltip("precision:N", title="place known as"),
                ]
            ),
        )
    )
    layers, named = _labels(frame, countries, points, cell, max_labels)
    geo = alt.layer(land, marks, *layers).project(**frame.projection()).properties(width=width, height=height)
    counts = points.group_by("precision").agg(pl.col("incidents").sum()).sort("precision")
    placed_words = ", ".join(f"{row['incidents']:,} {row['precision']}" for row in counts.iter_rows(named=True))
    alt_text = f"Locator map of {plural(placed.height + unplaced.height, 'incident')}: {placed.height:,} placed"
    alt_text += f" ({placed_words})" if placed_words else ""
    if unplaced.height:
        alt_text += f"; {unplaced.height:,} not placed and listed below the map: " + "; ".join(
            f"{row['title']} ({row['reason']})" for row in unplaced.head(5).iter_rows(named=True)
        )
        alt_text += f"; and {unplaced.height - 5:,} more" if unplaced.height > 5 else ""
    alt_text += "."
    method = (
        "each mark is an incident at the coordinates the curator gave, styled by how precisely the place is "
        "known (UCDP's location precision); large faint discs stand for a district or province. "
    )
    if cell:
        method += f"Incidents are counted in cells of {cell} degrees. "
    if named:
        method += f"Place names are written where they fit ({named} on this map); every place is in the tooltips. "
    method += (
        "The scale bar is true at the map's middle latitude. Country outlines are embedded in the chart, never fetched."
    )
    chart: Any = geo
    if unplaced.height:
        chart = alt.vconcat(geo, _unplaced_list(unplaced), spacing=16)  # below: the chart stays narrow
        method += " Incidents without a usable place are listed below it, not dropped."
    title = "Where the incidents happened, and how well we know"
    if placed.height + unplaced.height == 1:
        only = (placed if placed.height else unplaced)["title"][0]
        title = f"Where it happened, and how well we know: {only}"
    return finish(chart, title=title, sources=dataset, method=method, alt_text=alt_text, width=width, credit=CREDIT)


#: Each style's mark radius in pixels (a point mark's size is its area), with its outline.
_RADII = {name: float(style[2]) ** 0.5 / 2 + 1 for name, style in _STYLES.items()}


def _labels(
    frame: Frame, countries: dict[str, Any], points: pl.DataFrame, cell: str, max_labels: int
) -> tuple[list[Any], int]:
    """The map's label layers (places, countries, seas) and its scale bar, and how many places are named."""
    if cell:
        marks = points.select("longitude", "latitude", pl.lit(12.0).alias("r"))
        candidates: list[tuple[float, float, str, float]] = []
    else:
        ranked = points.with_columns(
            pl.col("precision").replace_strict(_RANK, default=len(_RANK)).alias("_rank"),
            pl.col("precision").replace_strict(_RADII, default=6.0, return_dtype=pl.Float64).alias("r"),
        ).sort("_rank", "latitude", descending=[False, True])
        marks = ranked
        candidates = [
            (row["longitude"], row["latitude"], short_place(row["place"]), row["r"])
            for row in ranked.head(max(max_labels, 0) * 4).iter_rows(named=True)
        ]
    taken = [mark_box(frame, lon, lat, r) for lon, lat, r in marks.select("longitude", "latitude", "r").iter_rows()]
    bar = scale_bar(frame, latitude=(frame.lonlat(0, 0)[1] + frame.lonlat(0, frame.height)[1]) / 2)
    taken.append((0.0, frame.height - 30.0, bar["pixels"] + 24, float(frame.height)))  # the scale bar's corner
    places = place_labels(frame, candidates, taken=taken, most=max_labels) if max_labels > 0 else []
    names = country_labels(frame, countries["features"], taken=taken)
    names += sea_labels(frame, taken=taken, land=land_rings(frame, countries["features"]))
    layers: list[Any] = []
    if places:
        place_data = pl.DataFrame(places)
        sides: tuple[tuple[str, Literal["left", "center", "right"]], ...] = (
            ("right", "left"),
            ("left", "right"),
            ("above", "center"),
            ("below", "center"),
        )
        for side, align in sides:
            if not place_data.filter(pl.col("side") == side).height:
                continue
            layers.append(
                alt.Chart(inline(place_data.filter(pl.col("side") == side), what="place labels"))
                .mark_text(align=align, baseline="middle", fontSize=11, color="#222222")
                .encode(
                    longitude=alt.Longitude("longitude:Q"),
                    latitude=alt.Latitude("latitude:Q"),
                    text=alt.Text("label:N"),
                )
            )
    if names:
        name_data = inline(pl.DataFrame(names), what="country and sea names")
        styles: tuple[tuple[str, str, Literal["bold", "normal"], str], ...] = (
            ("country", "#707070", "bold", "normal"),
            ("sea", "#4A7FA8", "normal", "italic"),
        )
        for kind, colour, weight, style in styles:
            layers.insert(
                0,
                alt.Chart(name_data)
                .mark_text(
                    align="center", baseline="middle", fontSize=10, color=colour, fontWeight=weight, fontStyle=style
                )
                .encode(
                    longitude=alt.Longitude("longitude:Q"),
                    latitude=alt.Latitude("latitude:Q"),
                    text=alt.Text("label:N"),
                )
                .transform_filter(alt.FieldEqualPredicate(field="kind", equal=kind)),
            )
    ends = pl.DataFrame(
        {"longitude": [bar["longitude"], bar["longitude2"]], "latitude": [bar["latitude"]] * 2, "label": ["", ""]}
    )
    bar_data = inline(pl.DataFrame([bar]), what="scale bar")
    layers += [
        alt.Chart(bar_data)
        .mark_rule(color="#222222", strokeWidth=2)
        .encode(
            longitude=alt.Longitude("longitude:Q"),
            latitude=alt.Latitude("latitude:Q"),
            longitude2=alt.Longitude2("longitude2:Q"),
            latitude2=alt.Latitude2("latitude:Q"),
        ),
        alt.Chart(inline(ends, what="scale bar ends"))
        .mark_point(shape="M0,-1V1", size=64, stroke="#222222", strokeWidth=2, opacity=1)
        .encode(longitude=alt.Longitude("longitude:Q"), latitude=alt.Latitude("latitude:Q")),
        alt.Chart(bar_data)
        .mark_text(align="left", baseline="middle", dx=6, fontSize=10, color="#222222")
        .encode(longitude=alt.Longitude("longitude2:Q"), latitude=alt.Latitude("latitude:Q"), text=alt.Text("label:N")),
    ]
    return layers, len(places)


def _unplaced_list(unplaced: pl.DataFrame) -> alt.Chart:
    lines: list[dict[str, Any]] = []
    for row in unplaced.head(_LIST_LIMIT).iter_rows(named=True):
        for i, part in enumerate(textwrap.wrap(str(row["title"]), 46) or [""]):
            lines.append({"line": part if i == 0 else f"  {part}", "kind": "title"})
        lines += [{"line": f"  {part}", "kind": "reason"} for part in textwrap.wrap(str(row["reason"]), 50)]
    if unplaced.height > _LIST_LIMIT:
        lines.append(
            {"line": f"… and {unplaced.height - _LIST_LIMIT:,} more (see LocatorMap.unplaced)", "kind": "reason"}
        )
    frame = pl.DataFrame(lines, schema={"line": pl.String, "kind": pl.String}).with_row_index("row")
    return (
        alt.Chart(inline(frame, what="unplaced incidents"))
        .mark_text(align="left", baseline="top", fontSize=11, limit=320)
        .encode(
            x=alt.XValue(0),
            y=alt.Y("row:O", axis=None),
            text=alt.Text("line:N"),
            color=alt.Color(
                "kind:N", scale=alt.Scale(domain=["title", "reason"], range=["#222222", "#666666"]), legend=None
            ),
        )
        .properties(
            width=320,
            height=alt.Step(16),
            title=alt.Title(f"Not on the map ({unplaced.height:,})", fontSize=12, anchor="start"),
        )
    )
