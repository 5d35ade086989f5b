"""Counting map points in a grid of square cells, when there are too many to draw one by one.

Shared by the locator map (:func:`ddj.charts.locator_map`) and the Explorer's map
(:mod:`ddj.widgets.state`): both pick the finest of :data:`CELL_SIZES` that keeps the cells under a
limit, and draw each cell at its centre with the number of incidents in it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

__all__ = ["CELL_SIZES", "cell_centre", "cell_key", "choose_cell_size"]

CELL_SIZES = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
"""The grid sizes tried, finest first, in degrees of latitude and longitude."""

_ROW = 100_000  # a key packs its row and column as row * _ROW + column (a 0.1-degree grid has 3,600 columns)


def cell_key(size: float) -> pl.Expr:
    """The key of the ``size``-degree cell each ``latitude``/``longitude`` falls in: its row (counted from
    the south pole) and column (from 180° west), packed in one integer.
    """
    row = ((pl.col("latitude") + 90) / size).floor().cast(pl.Int64)
    column = ((pl.col("longitude") + 180) / size).floor().cast(pl.Int64)
    return (row * _ROW + column).cast(pl.Int64)


def cell_centre(key: pl.Expr, size: float) -> list[pl.Expr]:
    """``latitude`` and ``longitude`` of the centres of the ``size``-degree cells with these keys (3 decimals).

    Examples
    --------
    >>> points = pl.DataFrame({"latitude": [35.52, 35.58, 36.2], "longitude": [35.77, 35.71, 37.1]})
    >>> points.group_by(cell_key(0.5).alias("cell")).len().select(*cell_centre(pl.col("cell"), 0.5), "len").sort(
    ...     "latitude").rows()
    [(35.75, 35.75, 2), (36.25, 37.25, 1)]

    The two points near Latakia share a half-degree cell; the one near Aleppo has its own.
    """
    return [
        ((key // _ROW) * size - 90 + size / 2).round(3).alias("latitude"),
        ((key % _ROW) * size - 180 + size / 2).round(3).alias("longitude"),
    ]


def choose_cell_size(points: pl.DataFrame, max_cells: int, *, by: Sequence[str] = ()) -> float:
    """The finest of :data:`CELL_SIZES` whose cells over ``points`` (with ``latitude`` and ``longitude``)
    number at most ``max_cells``, a cell counting once per distinct value of the ``by`` columns (a cell
    drawn once per precision style, say); the coarsest when none does.

    Parameters
    ----------
    points : polars.DataFrame
        The points, with ``latitude`` and ``longitude`` columns in decimal degrees.
    max_cells : int
        The most cells the chart may draw.
    by : sequence of str, default ()
        Columns of ``points`` whose distinct values each count a cell again (a cell drawn once per style).
    """
    for size in CELL_SIZES:
        cells = pl.struct(cell_key(size).alias("_cell"), *by) if by else cell_key(size)
        if points.height == 0 or points.select(cells.n_unique()).item() <= max_cells:
            return size
    return CELL_SIZES[-1]
