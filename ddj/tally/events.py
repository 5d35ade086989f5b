"""An event list (one row per evidenced item, with a date) as a running count.

A new documented source of that shape needs only an :class:`EventMapping` that names its columns; the running
count it gives has the shape of a documented series (``date``, ``category``, ``status``, ``value``, written
only on days a count changed), so every comparison works on it unchanged.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import polars as pl

from ddj.errors import UnusableDataError
from ddj.warnings import DataCaveatWarning


@dataclass(frozen=True)
class EventMapping:
    """Which columns of an event list hold the date, the category, the status and (optionally) a count.

    ``status`` may be ``None`` for a list without statuses: every item then counts under ``default_status``.
    ``count`` names a column of items per row; without it each row is one item.
    """

    date: str = "date"
    category: str = "category"
    status: str | None = "status"
    count: str | None = None
    default_status: str = "destroyed"

    @classmethod
    def from_descriptor(cls, block: dict[str, Any]) -> EventMapping:
        """Build a mapping from a datapackage's ``ddj.events`` block (``date``, ``category``, ``status``, ``count``)."""
        known = {"date", "category", "status", "count", "default_status"}
        return cls(**{k: v for k, v in block.items() if k in known})

    def columns(self) -> list[str]:
        """The event table's columns this mapping names (those set), in order date, category, status, count."""
        return [c for c in (self.date, self.category, self.status, self.count) if c]


def running_count(events: pl.DataFrame, mapping: EventMapping | None = None) -> pl.DataFrame:
    """Turn an event list into a cumulative count per category and status, written on the days it changed.

    Events without a category or a date cannot be placed; they are left out with a
    :class:`~ddj.warnings.DataCaveatWarning` saying how many.

    Examples
    --------
    >>> import datetime as dt
    >>> ev = pl.DataFrame({"date": [dt.date(2022, 3, 19), dt.date(2022, 3, 19), dt.date(2022, 3, 26)],
    ...                    "category": ["Tanks"] * 3, "status": ["destroyed", "captured", "destroyed"]})
    >>> for row in running_count(ev).rows():
    ...     print(row)
    (datetime.date(2022, 3, 19), 'Tanks', 'captured', 1)
    (datetime.date(2022, 3, 19), 'Tanks', 'destroyed', 1)
    (datetime.date(2022, 3, 26), 'Tanks', 'destroyed', 2)

    By 26 March two tanks are documented destroyed and one captured; 26 March adds a row only for the
    status that changed.
    """
    mapping = mapping or EventMapping()
    missing = [c for c in mapping.columns() if c not in events.columns]
    if missing:
        msg = (
            f"the event list has no column(s) {', '.join(missing)} that the mapping names "
            f"(it has: {', '.join(events.columns)}). Fix the mapping's column names."
        )
        raise UnusableDataError(msg)
    status = pl.col(mapping.status) if mapping.status else pl.lit(mapping.default_status)
    items = pl.col(mapping.count).cast(pl.Int64) if mapping.count else pl.lit(1, pl.Int64)
    frame = events.select(
        pl.col(mapping.date).alias("date"),
        pl.col(mapping.category).alias("category"),
        status.alias("status"),
        items.alias("_items"),
    )
    placeable = pl.col("date").is_not_null() & pl.col("category").is_not_null()
    left_out = frame.filter(~placeable)
    if left_out.height:
        warnings.warn(
            f"{left_out.height} of {frame.height} events have no category or no date and are not in the running "
            "count (ddj.tally.undated counts those without a date apart)",
            DataCaveatWarning,
            stacklevel=2,
        )
    daily = (
        frame.filter(placeable)
        .group_by("category", "status", "date")
        .agg(pl.col("_items").sum().alias("added"))
        .sort("category", "status", "date")
    )
    return (
        daily.with_columns(pl.col("added").cum_sum().over("category", "status").alias("value"))
        .filter(pl.col("added") != 0)
        .select("date", "category", "status", "value")
        .sort("date", "category", "status")
    )
