"""As-of lookups: the value of a running count on a date is its last value written on or before that date.

A documented series is written only on days it changed, so a date with no row still has a value: the one of
the last row before it. Every lookup returns the date the value came from (``as_of``), so a reader can see how
old it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from ddj.errors import InvalidValueError


def parse_date(value: str | dt.date | None, *, what: str = "date") -> dt.date | None:
    """Return ``value`` as a date (``None`` stays ``None``); a bad string is a :class:`UsageError` saying the fix.

    Examples
    --------
    >>> parse_date("2024-03-01")
    datetime.date(2024, 3, 1)

    The text becomes a date that the lookups can compare.
    """
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        msg = f"{what} {value!r} is not a date. Write it as YYYY-MM-DD, for example 2024-03-01."
        raise InvalidValueError(msg) from None


def as_of(
    series: pl.DataFrame,
    queries: pl.DataFrame,
    *,
    by: Sequence[str] = ("category",),
    values: Sequence[str] = ("value",),
    date: str = "date",
) -> pl.DataFrame:
    """Look up each query's values in a change-only ``series``: the last row on or before the query's date.

    Parameters
    ----------
    series
        Rows with the ``by`` columns, ``date`` and the ``values``; at most one row per key and date.
    queries
        Rows with the ``by`` columns and ``date``; other columns are kept.
    by, values, date
        Key columns, value columns and the date column's name.

    Returns
    -------
    polars.DataFrame
        ``queries`` with the ``values`` and ``as_of`` (the date of the row they came from); all null when
        the series has no row on or before the date. Row order follows ``queries``.

    Examples
    --------
    >>> import datetime as dt
    >>> s = pl.DataFrame({"category": ["Tanks", "Tanks"], "date": [dt.date(2022, 3, 19), dt.date(2022, 3, 26)],
    ...                   "value": [270, 325]})
    >>> q = pl.DataFrame({"category": ["Tanks"] * 3,
    ...                   "date": [dt.date(2022, 3, 1), dt.date(2022, 3, 20), dt.date(2022, 3, 26)]})
    >>> as_of(s, q)["value"].to_list(), as_of(s, q)["as_of"].to_list()[1]
    ([None, 270, 325], datetime.date(2022, 3, 19))

    On 20 March the count is still the 270 written on 19 March; before the first row there is no count.
    """
    by = list(by)
    right = series.select(*by, pl.col(date).alias("_on"), *values, pl.col(date).alias("as_of")).sort("_on")
    left = queries.with_row_index("_order").with_columns(pl.col(date).alias("_on")).sort("_on")
    if left.height == 0:
        return queries.with_columns(
            *[pl.lit(None, series.schema[v]).alias(v) for v in values], pl.lit(None, pl.Date).alias("as_of")
        )
    joined = left.join_asof(right, on="_on", by=by, strategy="backward", check_sortedness=False)
    return joined.sort("_order").drop("_order", "_on")


def value_on(
    series: pl.DataFrame,
    on: str | dt.date,
    *,
    by: Sequence[str] = ("category",),
    values: Sequence[str] = ("value",),
    date: str = "date",
) -> pl.DataFrame:
    """Every key's values as of one date: one row per key with ``as_of``; keys with no row by then are left out.

    Parameters
    ----------
    series : polars.DataFrame
        The counts: the ``by`` columns, ``date`` and the ``values`` columns, one row per key and written date.
    on : str or datetime.date
        The date, ``YYYY-MM-DD`` or a date.
    by : sequence of str, default ("category",)
        The columns that key one series.
    values : sequence of str, default ("value",)
        The columns to read as of the date.
    date : str, default "date"
        The column holding each row's date.

    Examples
    --------
    >>> import datetime as dt
    >>> s = pl.DataFrame({"category": ["Tanks", "Tanks", "Helicopters"],
    ...                   "date": [dt.date(2022, 3, 19), dt.date(2022, 3, 26), dt.date(2022, 3, 27)],
    ...                   "value": [270, 325, 35]})
    >>> value_on(s, "2022-03-26").rows()
    [('Tanks', datetime.date(2022, 3, 26), 325, datetime.date(2022, 3, 26))]

    On 26 March only the tanks have a count; the helicopters' first row comes a day later.
    """
    day = parse_date(on)
    keys = series.select(list(by)).unique().sort(list(by)).with_columns(pl.lit(day).alias(date))
    return as_of(series, keys, by=by, values=values, date=date).filter(pl.col("as_of").is_not_null())
