"""The offline basemap: Natural Earth country outlines (world-atlas 2.0.2, ISC licence), clipped to a map's extent.

``countries-50m.json`` and ``countries-110m.json`` are copied unchanged from the world-atlas
package (see ``LICENSE``; Natural Earth is in the public domain). Reports never fetch tiles: a map
embeds :func:`basemap` — the countries inside its extent as GeoJSON, coordinates rounded to about a
kilometre — as inline data.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["CREDIT", "Extent", "basemap", "extent_around", "frame_size"]

#: The credit line every map that draws the basemap carries.
CREDIT = "Basemap: Natural Earth (public domain), country outlines via world-atlas 2.0.2 (ISC licence)."

_FOLDER = Path(__file__).parent
Extent = tuple[float, float, float, float]  # west, south, east, north


@lru_cache(maxsize=2)
def _countries(resolution: str) -> tuple[tuple[str, tuple[tuple[tuple[tuple[float, float], ...], ...], ...]], ...]:
    """Decode a world-atlas TopoJSON file into (name, polygons) with rings of (lon, lat) points."""
    topology = json.loads((_FOLDER / f"countries-{resolution}.json").read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> tuple[tuple[float, float], ...]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)
        return tuple(points)

    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        decoded = tuple(tuple(ring(r) for r in polygon) for polygon in polygons)
        countries.append((geometry.get("properties", {}).get("name", ""), decoded))
    return tuple(sorted(countries, key=lambda item: item[0]))


def _clip(points: tuple[tuple[float, float], ...], extent: Extent) -> list[tuple[float, float]]:
    """Sutherland–Hodgman: clip one closed ring to the extent's rectangle, keeping its orientation."""
    west, south, east, north = extent
    edges = (
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    )
    output = list(points[:-1]) if points and points[0] == points[-1] else list(points)
    for inside, cross in edges:
        if not output:
            break
        source, output = output, []
        previous = source[-1]
        for current in source:
            if inside(current):
                if not inside(previous):
                    output.append(cross(previous, current))
                output.append(current)
            elif inside(previous):
                output.append(cross(previous, current))
            previous = current
    return output


def _at_x(a: tuple[float, float], b: tuple[float, float], x: float) -> tuple[float, float]:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: tuple[float, float], b: tuple[float, float], y: float) -> tuple[float, float]:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def _area(points: list[tuple[float, float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)) / 2


def _rounded(points: list[tuple[float, float]], digits: int) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        point = [round(x, digits), round(y, digits)]
        if not out or out[-1] != point:
            out.append(point)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def basemap(extent: Extent, *, digits: int = 2) -> dict[str, Any]:
    """Return the country outlines inside ``extent`` (west, south, east, north) as a GeoJSON FeatureCollection.

    Uses the 1:50m outlines for extents up to 40 degrees across and 1:110m beyond. Rings are
    clipped to the extent, rounded to ``digits`` decimals, and dropped when rounding would collapse
    or turn them inside out (which would make a spherical renderer fill the whole globe).

    Examples
    --------
    >>> names = [f["properties"]["name"] for f in basemap((35.0, 32.0, 43.0, 38.0))["features"]]
    >>> "Syria" in names and "Turkey" in names
    True

    Syria and its neighbour Turkey fall inside an extent around north-western Syria.
    """
    west, south, east, north = extent
    resolution = "50m" if max(east - west, north - south) <= 40 else "110m"
    features = []
    for name, polygons in _countries(resolution):
        kept = []
        for polygon in polygons:
            rings = []
            for index, ring in enumerate(polygon):
                xs = [p[0] for p in ring]
                ys = [p[1] for p in ring]
                if max(xs) < west or min(xs) > east or max(ys) < south or min(ys) > north:
                    if index == 0:
                        break
                    continue
                clipped = _clip(ring, extent)
                if len(clipped) < 3:
                    if index == 0:
                        break
                    continue
                rounded = _rounded(clipped, digits)
                before, after = _area(clipped), _area([(p[0], p[1]) for p in rounded]) if len(rounded) >= 3 else 0.0
                if len(rounded) < 3 or after == 0 or (before > 0) != (after > 0) or abs(after) < 10 ** (-2 * digits):
                    if index == 0:
                        break
                    continue
                rings.append([*rounded, rounded[0]])
            if rings:
                kept.append(rings)
        if kept:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": name},
                    "geometry": {"type": "MultiPolygon", "coordinates": kept},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def extent_around(
    longitudes: list[float], latitudes: list[float], *, margin: float = 0.15, minimum_span: float = 6.0
) -> Extent:
    """Return an extent around the points: their bounding box, at least ``minimum_span`` degrees, widened by ``margin``.

    Parameters
    ----------
    longitudes, latitudes : list of float
        The points' longitudes and latitudes in decimal degrees (WGS 84), in the same order. With no
        points the extent is the whole inhabited world, (-180, -60, 180, 80).
    margin : float, default 0.15
        The share of the box's width (and height) added on each side, so 0.15 makes it 30% wider.
    minimum_span : float, default 6.0
        The least width and height of the box in degrees, before the margin: a single place still gets
        a region around it.

    Examples
    --------
    >>> extent_around([36.8, 40.75], [35.86, 36.5])
    (34.875, 32.28, 42.675, 40.08)

    Two Syrian places close together still get a map about eight degrees across.
    """
    if not longitudes:
        return (-180.0, -60.0, 180.0, 80.0)
    west, east, south, north = min(longitudes), max(longitudes), min(latitudes), max(latitudes)
    width = max(east - west, minimum_span) * (1 + 2 * margin)
    height = max(north - south, minimum_span) * (1 + 2 * margin)
    cx, cy = (west + east) / 2, (south + north) / 2
    result = (
        max(cx - width / 2, -180.0),
        max(cy - height / 2, -85.0),
        min(cx + width / 2, 180.0),
        min(cy + height / 2, 85.0),
    )
    return tuple(round(v, 3) for v in result)  # type: ignore[return-value]


def frame_size(extent: Extent, *, longest: int) -> tuple[int, int]:
    """Width and height in pixels of a Mercator map of ``extent`` whose longer side is ``longest`` pixels
    (the shorter side at least 200 pixels high or 260 wide).

    Examples
    --------
    >>> frame_size((34.875, 32.28, 42.675, 40.08), longest=560)
    (451, 560)

    At these latitudes Mercator stretches the north–south degrees: a map of Syria with as many degrees
    each way is taller than it is wide.
    """
    west, south, east, north = extent

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(max(min(lat, 85.0), -85.0)) / 2))

    ratio = math.radians(east - west) / max(y(north) - y(south), 1e-6)
    if ratio >= 1:
        return longest, max(int(longest / ratio), 200)
    return max(int(longest * ratio), 260), longest
