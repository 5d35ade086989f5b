"""One value read from a polars Series, with the type the column holds.

polars types ``Series.min()``, ``max()`` and ``item()`` as any Python scalar (or None). These helpers say, and
check, what a Date or integer column gives back, so the type checker can follow the code that uses the value.
"""

from __future__ import annotations

import datetime as dt


def date_value(value: object) -> dt.date | None:
    """``value``, read from a Date column (e.g. its ``max()``), as a date; None for an empty or all-null column.

    Examples
    --------
    >>> import polars as pl
    >>> date_value(pl.Series([dt.date(2024, 1, 2), None]).max())
    datetime.date(2024, 1, 2)
    >>> date_value(pl.Series([], dtype=pl.Date).min()) is None
    True

    Anything other than a date or None is a programming error, raised as ``TypeError``.
    """
    if value is None or isinstance(value, dt.date):
        return value
    msg = f"expected a date from a Date column, got {type(value).__name__}"
    raise TypeError(msg)


def int_value(value: object) -> int | None:
    """``value``, read from an integer column (e.g. its ``min()``), as an int; None for an empty or all-null column.

    Examples
    --------
    >>> import polars as pl
    >>> int_value(pl.Series([3, 1, None]).min()), int_value(pl.Series([], dtype=pl.Int64).max())
    (1, None)
    """
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    msg = f"expected an integer from an integer column, got {type(value).__name__}"
    raise TypeError(msg)


def float_value(value: object) -> float | None:
    """``value``, a number read from a numeric column (e.g. its ``median()``), as a float; None when there is none.

    Examples
    --------
    >>> import polars as pl
    >>> float_value(pl.Series([1, 2]).median()), float_value(pl.Series([], dtype=pl.Int64).median())
    (1.5, None)
    """
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    msg = f"expected a number from a numeric column, got {type(value).__name__}"
    raise TypeError(msg)
