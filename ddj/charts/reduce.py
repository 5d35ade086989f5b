"""Pre-aggregation before embedding: charts carry the rows they draw, never the raw tables.

Every ddj chart reduces its data with polars first (counts per month, per attribute and status,
per map cell) and embeds the result as inline values with :func:`inline`. Inline values never pass
through Altair's data transformers, so ``MaxRowsError`` cannot reach a user whatever transformer is
active, and a chart over a million incidents embeds a few kilobytes. When a chart cannot show every
row, it says so in its method note and with a :class:`~ddj.warnings.DataReducedWarning`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import warnings
from typing import Any

import altair as alt
import polars as pl
from altair.utils.schemapi import debug_mode

from ddj.warnings import DataReducedWarning

#: Held while :func:`inline` turns Altair's debug mode off and back on.
_DEBUG_MODE_LOCK = threading.Lock()

__all__ = [
    "MAX_EMBEDDED_ROWS",
    "cap_rows",
    "embedded_data_bytes",
    "inline",
    "period_for",
    "period_label",
    "warn_reduced",
]

#: The most rows a ddj chart embeds in one dataset. Altair's own limit is 5,000.
MAX_EMBEDDED_ROWS = 5000

# (name, polars truncation, approximate days) from finest to coarsest
_PERIODS = (
    ("day", "1d", 1),
    ("week", "1w", 7),
    ("month", "1mo", 30.44),
    ("quarter", "1q", 91.3),
    ("year", "1y", 365.25),
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def inline(frame: pl.DataFrame, *, max_rows: int = MAX_EMBEDDED_ROWS, what: str = "rows") -> alt.InlineData:
    """Return ``frame`` as inline Vega-Lite values, dates as ISO strings, rows in the frame's order.

    Frames longer than ``max_rows`` are cut with a warning (:func:`cap_rows`); chart code reduces
    its data before it gets here, so that is a last resort.

    Parameters
    ----------
    frame : polars.DataFrame
        The chart's data, already reduced by the chart code.
    max_rows : int, default MAX_EMBEDDED_ROWS (5,000)
        The most rows embedded; the rest are left out with a warning.
    what : str, default "rows"
        What the rows are, in plural ("incidents", "points"), for the warning's sentence.

    Examples
    --------
    >>> import datetime as dt
    >>> inline(pl.DataFrame({"day": [dt.date(2016, 8, 1)], "n": [5]})).values
    [{'day': '2016-08-01', 'n': 5}]

    Dates travel as ISO text, which Vega-Lite reads as UTC days.
    """
    frame = cap_rows(frame, max_rows=max_rows, what=what)
    rows = [{key: _plain(value) for key, value in row.items()} for row in frame.iter_rows(named=True)]
    # Altair checks a schema object against the Vega-Lite schema when it is made (its debug mode) and again, whole,
    # when the chart becomes a spec (chart_spec, a notebook's display). The values are checked that second time only:
    # checking them here too was a quarter of the time every chart took to build (December 2026). The switch is one
    # global: the lock keeps two threads' charts from restoring each other's setting in the wrong order.
    with _DEBUG_MODE_LOCK, debug_mode(False):
        return alt.InlineData(values=rows)


def cap_rows(frame: pl.DataFrame, *, max_rows: int = MAX_EMBEDDED_ROWS, what: str = "rows") -> pl.DataFrame:
    """Return at most ``max_rows`` rows of ``frame``, warning when rows had to be left out.

    Parameters
    ----------
    frame : polars.DataFrame
        The chart's data.
    max_rows : int, default MAX_EMBEDDED_ROWS (5,000)
        The most rows kept; the first ``max_rows`` in the frame's order.
    what : str, default "rows"
        What the rows are, in plural ("incidents", "points"), for the warning's sentence.
    """
    if frame.height <= max_rows:
        return frame
    warn_reduced(
        f"the chart could not reduce its {what} below {max_rows:,} rows and shows the first "
        f"{max_rows:,} of {frame.height:,}; filter the data or choose fewer incidents"
    )
    return frame.head(max_rows)


def warn_reduced(message: str) -> None:
    """Emit a :class:`~ddj.warnings.DataReducedWarning` pointing at the caller's caller."""
    warnings.warn(message, DataReducedWarning, stacklevel=3)


def period_for(start: dt.date | None, end: dt.date | None, *, max_bins: int = 120) -> tuple[str, str]:
    """Choose the finest calendar period (day, week, month, quarter, year) giving at most ``max_bins`` bins.

    Returns the period's name and its polars ``dt.truncate`` interval.

    Parameters
    ----------
    start, end : datetime.date or None
        The first and last day the chart covers; when either is None (no dates) the period is the month.
    max_bins : int, default 120
        The most periods the span may be cut into.

    Examples
    --------
    >>> import datetime as dt
    >>> period_for(dt.date(2015, 9, 30), dt.date(2021, 3, 1))
    ('month', '1mo')

    Five and a half years fit in monthly bins.
    """
    if start is None or end is None:
        return _PERIODS[2][0], _PERIODS[2][1]
    span = max((end - start).days, 1)
    for name, interval, days in _PERIODS:
        if span / days <= max_bins:
            return name, interval
    return _PERIODS[-1][0], _PERIODS[-1][1]


def period_label(column: str, period: str) -> pl.Expr:
    """An expression naming the period that starts on the date in ``column``: ``March 2021``, ``Q1 2021``..."""
    col = pl.col(column)
    if period == "day":
        return col.dt.strftime("%-d %B %Y")
    if period == "week":
        return pl.lit("week of ") + col.dt.strftime("%-d %B %Y")
    if period == "month":
        return col.dt.strftime("%B %Y")
    if period == "quarter":
        return pl.format("Q{} {}", col.dt.quarter(), col.dt.year())
    return col.dt.strftime("%Y")


def embedded_data_bytes(chart: Any) -> int:
    """Return the size in bytes of all data a chart embeds (inline values and named datasets), as compact JSON.

    This is what a report carries for the chart's data, the basemap included.

    Examples
    --------
    >>> chart = alt.Chart(inline(pl.DataFrame({"n": [1, 2]}))).mark_bar().encode(x="n:Q")
    >>> embedded_data_bytes(chart)
    17

    Two rows of one small number take seventeen bytes: `[{"n":1},{"n":2}]`.
    """
    if not isinstance(chart, alt.TopLevelMixin):
        chart = getattr(chart, "chart", chart)  # a LocatorMap holds its chart
    with alt.data_transformers.enable("default"):
        spec = chart.to_dict(validate=False)
    total = 0
    for values in spec.get("datasets", {}).values():
        total += len(json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))

    def walk(node: Any) -> None:
        nonlocal total
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and "values" in data:
                total += len(json.dumps(data["values"], separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
            for key, value in node.items():
                if key != "datasets":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    return total
