"""What a locator map writes on itself: country and sea names, incident places where they fit, a scale bar.

The map's Mercator projection is fixed here (:class:`Frame`), not fitted by Vega, so that the labels'
pixel boxes can be worked out in Python: a label that would overlap another label or a mark is left
out, never drawn over it. Country labels sit at a representative point of each country's largest
piece inside the map (its centroid, or the inside point nearest it when the centroid falls outside,
as it does for a crescent-shaped coast); seas are named from a small table of label positions, where
the name fits on open water.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SEA_LABELS",
    "Frame",
    "country_labels",
    "land_rings",
    "mark_box",
    "place_labels",
    "scale_bar",
    "sea_labels",
    "short_place",
]

EARTH_RADIUS_KM = 6371.0088
#: Where each sea's name is written, most useful position first (longitude, latitude); the first that fits on
#: open water inside the map is used.
SEA_LABELS: dict[str, tuple[tuple[float, float], ...]] = {
    "Mediterranean Sea": ((34.2, 33.8), (33.4, 33.6), (34.6, 33.0), (19.0, 34.0), (5.0, 39.0)),
    "Black Sea": ((34.5, 43.3), (36.5, 42.6), (37.5, 43.2), (31.0, 42.6)),
    "Caspian Sea": ((50.8, 42.3), (51.0, 39.5)),
    "Red Sea": ((38.3, 21.0), (35.5, 25.5)),
    "Persian Gulf": ((51.5, 27.0),),
    "Sea of Azov": ((36.5, 46.0),),
    "Aegean Sea": ((25.0, 38.8),),
    "Baltic Sea": ((19.0, 56.5),),
    "Arabian Sea": ((63.0, 16.0),),
}
_CHAR_PX = 6.0  # the average width of a character of 11-pixel Liberation Sans, a little generous
_LINE_PX = 13.0
Box = tuple[float, float, float, float]  # left, top, right, bottom in pixels


@dataclass(frozen=True)
class Frame:
    """A Mercator projection that puts ``extent`` (west, south, east, north) in a ``width`` × ``height`` frame.

    Written into the chart as the projection's ``scale`` and ``translate`` (:meth:`projection`), the same
    formulas as d3's ``geoMercator``, so a point's pixel here is its pixel in the chart.

    Examples
    --------
    >>> frame = Frame.around((34.875, 32.28, 42.675, 40.08), 451, 560)
    >>> [round(v) for v in frame.pixel(38.775, 36.18)], [round(v) for v in frame.lonlat(225.5, 280)]
    ([226, 287], [39, 36])

    The middle longitude is the middle of the frame; Mercator puts the middle latitude a little below it.
    """

    scale: float
    tx: float
    ty: float
    width: int
    height: int

    @staticmethod
    def around(extent: Sequence[float], width: int, height: int) -> Frame:
        """The projection that fits ``extent`` into the frame, centred.

        Parameters
        ----------
        extent : sequence of float
            West, south, east, north in degrees.
        width, height : int
            The frame in pixels.
        """
        west, south, east, north = extent
        top, bottom = _merc_y(north), _merc_y(south)
        scale = min(width / max(math.radians(east - west), 1e-9), height / max(top - bottom, 1e-9))
        tx = width / 2 - scale * math.radians((west + east) / 2)
        ty = height / 2 + scale * (top + bottom) / 2
        return Frame(scale, tx, ty, width, height)

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        """The pixel (x to the right, y down) of a point."""
        return self.tx + self.scale * math.radians(lon), self.ty - self.scale * _merc_y(lat)

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        """The point at a pixel."""
        lon = math.degrees((x - self.tx) / self.scale)
        lat = math.degrees(2 * math.atan(math.exp((self.ty - y) / self.scale)) - math.pi / 2)
        return lon, lat

    def projection(self) -> dict[str, Any]:
        """The Vega-Lite projection: Mercator with this scale and translation (Vega fits nothing)."""
        return {"type": "mercator", "scale": round(self.scale, 6), "translate": [round(self.tx, 4), round(self.ty, 4)]}

    def inside(self, box: Box, margin: float = 2.0) -> bool:
        """Whether a pixel box lies inside the frame."""
        left, top, right, bottom = box
        return left >= margin and top >= margin and right <= self.width - margin and bottom <= self.height - margin


def _merc_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(max(min(lat, 85.0), -85.0)) / 2))


def text_box(x: float, y: float, text: str, *, align: str, size: float = 11.0) -> Box:
    """The pixel box a one-line label of ``text`` takes, anchored at (x, y) with ``align`` and a middle baseline.

    Parameters
    ----------
    x, y : float
        The label's anchor in pixels.
    text : str
        The label.
    align : str
        ``"left"``, ``"center"`` or ``"right"``, as the text mark is aligned.
    size : float, default 11.0
        The font size in pixels.
    """
    width = len(text) * _CHAR_PX * size / 11.0
    height = _LINE_PX * size / 11.0
    left = x if align == "left" else x - width if align == "right" else x - width / 2
    return (left, y - height / 2, left + width, y + height / 2)


def _overlaps(box: Box, others: Iterable[Box], pad: float = 2.0) -> bool:
    left, top, right, bottom = box
    return any(left < o[2] + pad and o[0] < right + pad and top < o[3] + pad and o[1] < bottom + pad for o in others)


def mark_box(frame: Frame, lon: float, lat: float, radius: float) -> Box:
    """The pixel box of a round mark of ``radius`` pixels at a point.

    Parameters
    ----------
    frame : Frame
        The map's projection.
    lon, lat : float
        The point.
    radius : float
        The mark's radius in pixels.
    """
    x, y = frame.pixel(lon, lat)
    return (x - radius, y - radius, x + radius, y + radius)


def short_place(place: str | None, *, limit: int = 28) -> str:
    """A place as a map label: the text before its first comma, without brackets; empty when still too long.

    Examples
    --------
    >>> short_place("Turkmen Mountains (Jabal Turkman), near the Turkish border")
    'Turkmen Mountains'
    >>> short_place("between al-Rihaniya and al-Qasimiya, west of Tal Tamr")
    ''

    A label names the place in a few words, or the map leaves it to the tooltip.
    """
    if not place:
        return ""
    head = place.split(",")[0].split(";")[0]
    while "(" in head and ")" in head.split("(", 1)[1]:
        before, rest = head.split("(", 1)
        head = before.rstrip() + " " + rest.split(")", 1)[1].lstrip()
    head = " ".join(head.split())
    return head if 0 < len(head) <= limit else ""


def place_labels(
    frame: Frame, points: Sequence[tuple[float, float, str, float]], *, taken: list[Box], most: int = 8
) -> list[dict[str, Any]]:
    """Labels for incident places that fit: each to the right of its mark, else to its left, above or below it,
    else left out.

    Parameters
    ----------
    frame : Frame
        The map's projection.
    points : sequence of (longitude, latitude, label, radius)
        The places in order of priority, with the radius in pixels of their mark; an empty label is skipped, a
        label already written is not repeated.
    taken : list of pixel boxes
        Boxes already used (the marks); the labels placed are added to it.
    most : int, default 8
        The most labels written.
    """
    labels: list[dict[str, Any]] = []
    written: set[str] = set()
    for lon, lat, text, radius in points:
        if len(labels) >= most:
            break
        if not text or text in written:
            continue
        x, y = frame.pixel(lon, lat)
        for side, ax, ay in (
            ("right", x + radius + 4, y),
            ("left", x - radius - 4, y),
            ("above", x, y - radius - 9),
            ("below", x, y + radius + 9),
        ):
            box = text_box(ax, ay, text, align={"right": "left", "left": "right"}.get(side, "center"))
            if frame.inside(box) and not _overlaps(box, taken):
                taken.append(box)
                written.add(text)
                at_lon, at_lat = frame.lonlat(ax, ay)
                labels.append(
                    {"longitude": round(at_lon, 5), "latitude": round(at_lat, 5), "label": text, "side": side}
                )
                break
    return labels


def _area(ring: Sequence[Sequence[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True)) / 2


def _centroid(ring: Sequence[Sequence[float]]) -> tuple[float, float]:
    area = _area(ring)
    if abs(area) < 1e-9:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * area), cy / (6 * area)


def _contains(ring: Sequence[Sequence[float]], x: float, y: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def representative_point(ring: Sequence[Sequence[float]]) -> tuple[float, float]:
    """A point inside a ring (pixels): its centroid when inside, else the inside point of a grid nearest it.

    Examples
    --------
    >>> representative_point([(0, 0), (10, 0), (10, 10), (0, 10)])
    (5.0, 5.0)
    >>> x, y = representative_point([(0, 0), (10, 0), (10, 2), (2, 2), (2, 10), (0, 10)])
    >>> x < 2 or y < 2
    True

    A square is labelled at its middle; an L-shape at a point on the L, not in the corner it wraps.
    """
    cx, cy = _centroid(ring)
    if _contains(ring, cx, cy):
        return cx, cy
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    steps = 24
    best: tuple[float, float] | None = None
    for i in range(steps + 1):
        for j in range(steps + 1):
            x = min(xs) + (max(xs) - min(xs)) * (i + 0.5) / (steps + 1)
            y = min(ys) + (max(ys) - min(ys)) * (j + 0.5) / (steps + 1)
            if _contains(ring, x, y) and (best is None or math.dist((x, y), (cx, cy)) < math.dist(best, (cx, cy))):
                best = (x, y)
    return best if best is not None else (cx, cy)


def land_rings(frame: Frame, features: Sequence[dict[str, Any]]) -> list[list[tuple[float, float]]]:
    """The outer ring of every piece of land on the map, in pixels."""
    return [
        [frame.pixel(lon, lat) for lon, lat in polygon[0]]
        for feature in features
        for polygon in feature["geometry"]["coordinates"]
        if polygon
    ]


def country_labels(frame: Frame, features: Sequence[dict[str, Any]], *, taken: list[Box]) -> list[dict[str, Any]]:
    """A label for each country with room for its name inside the map, at a representative point of its
    largest piece (:func:`representative_point`); a label that would overlap a mark or another label is
    moved a little up or down, else left out.

    Parameters
    ----------
    frame : Frame
        The map's projection.
    features : sequence of GeoJSON features
        The basemap's countries (:func:`ddj.charts.basemap.basemap`), clipped to the map.
    taken : list of pixel boxes
        Boxes already used (marks, place labels); the labels placed are added to it.
    """
    pieces = []
    for feature in features:
        name = str(feature.get("properties", {}).get("name") or "")
        rings = [
            [frame.pixel(lon, lat) for lon, lat in polygon[0]]
            for polygon in feature["geometry"]["coordinates"]
            if polygon
        ]
        if not name or not rings:
            continue
        largest = max(rings, key=lambda r: abs(_area(r)))
        pieces.append((abs(_area(largest)), name, largest))
    labels = []
    for area, name, ring in sorted(pieces, key=lambda p: -p[0]):
        text = name.upper()
        box = text_box(0, 0, text, align="center", size=10)
        if area < 4 * (box[2] - box[0]) * (box[3] - box[1]):
            continue  # too small a piece of the country shows on this map to hold its name
        x, y = representative_point(ring)
        for shift in (0, -16, 16, -32, 32):
            box = text_box(x, y + shift, text, align="center", size=10)
            if frame.inside(box, 4) and _contains(ring, x, y + shift) and not _overlaps(box, taken):
                taken.append(box)
                lon, lat = frame.lonlat(x, y + shift)
                labels.append({"longitude": round(lon, 4), "latitude": round(lat, 4), "label": text, "kind": "country"})
                break
    return labels


def sea_labels(
    frame: Frame, *, taken: list[Box], land: Sequence[Sequence[tuple[float, float]]] = ()
) -> list[dict[str, Any]]:
    """Labels for the seas of :data:`SEA_LABELS` that show on the map, at the first of their positions whose
    label fits on open water (no corner or middle of its box on one of the ``land`` rings, in pixels).

    Parameters
    ----------
    frame : Frame
        The map's projection.
    taken : list of pixel boxes
        Boxes already used (marks and labels); the labels placed are added to it.
    land : sequence of rings in pixels
        The land's outer rings (:func:`land_rings`); a sea's name is never written over them.
    """
    labels = []
    for name, positions in SEA_LABELS.items():
        for lon, lat in positions:
            x, y = frame.pixel(lon, lat)
            box = text_box(x, y, name, align="center", size=10)
            probes = [(box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3]), (x, y)]
            wet = not any(_contains(ring, px, py) for ring in land for px, py in probes)
            if wet and frame.inside(box, 4) and not _overlaps(box, taken):
                taken.append(box)
                labels.append({"longitude": lon, "latitude": lat, "label": name, "kind": "sea"})
                break
    return labels


_NICE_KM = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000)


def scale_bar(frame: Frame, *, latitude: float, share: float = 0.25) -> dict[str, Any]:
    """A scale bar for the map at ``latitude``: the longest round distance up to ``share`` of the map's width,
    drawn from the bottom-left corner, with its ends as longitude and latitude.

    On a Mercator map the scale changes with latitude; the bar is true at ``latitude`` (the map's middle).

    Parameters
    ----------
    frame : Frame
        The map's projection.
    latitude : float
        The latitude at which the bar's length is true.
    share : float, default 0.25
        The most of the map's width the bar may take.

    Examples
    --------
    >>> frame = Frame.around((34.875, 32.28, 42.675, 40.08), 451, 560)
    >>> bar = scale_bar(frame, latitude=36.18)
    >>> bar["km"], bar["label"]
    (100, '100 km')

    A map of Syria about 450 pixels across gets a bar of a hundred kilometres.
    """
    px_per_km = frame.scale / (EARTH_RADIUS_KM * math.cos(math.radians(latitude)))
    km = next((k for k in reversed(_NICE_KM) if k * px_per_km <= frame.width * share), _NICE_KM[0])
    length = km * px_per_km
    x0, y = 12.0, frame.height - 14.0
    lon0, lat0 = frame.lonlat(x0, y)
    lon1, _ = frame.lonlat(x0 + length, y)
    return {
        "km": km,
        "label": f"{km:,} km",
        "pixels": round(length, 1),
        "longitude": round(lon0, 5),
        "longitude2": round(lon1, 5),
        "latitude": round(lat0, 5),
    }
