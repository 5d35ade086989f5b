"""Acknowledgement: did the operator ever speak of an incident, how soon, and after whom.

Counted over every account published up to the comparison's date, superseded ones included: an
official account that was later replaced still shows when the operator first spoke.
"""

from __future__ import annotations

import polars as pl

from ddj.compare._positions import counts, least, offsets

_OFF = pl.col("_off")


def acknowledgement(accounts: pl.DataFrame, index: pl.DataFrame) -> pl.DataFrame:
    """One row per incident (in ``index`` order) with the acknowledgement columns and account counts.

    ``accounts`` holds ``_inc`` (sorted), ``_off``, ``is_current`` and ``published_date`` for every
    account; ``index`` holds ``_inc`` and ``date_start`` for every incident. Days are whole days
    and may be negative (an official account published before the first unofficial one). The
    counts (``n_accounts``, ``n_official``, ``n_unofficial``) are of current accounts;
    ``n_superseded`` counts the replaced ones.

    Examples
    --------
    >>> import datetime as dt
    >>> acc = pl.DataFrame({"_inc": [0, 0], "_off": [False, True], "is_current": [True, True],
    ...                     "published_date": [dt.date(2016, 8, 1), dt.date(2016, 8, 3)]},
    ...                    schema_overrides={"_inc": pl.UInt32})
    >>> index = pl.DataFrame({"_inc": [0], "date_start": [dt.date(2016, 8, 1)]}, schema_overrides={"_inc": pl.UInt32})
    >>> acknowledgement(acc, index).select("acknowledged", "days_to_official", "days_unofficial_to_official").row(0)
    (True, 2, 2)

    The operator spoke two days after the event, two days after the first unofficial report.
    """
    n = index.height
    at = offsets(accounts.get_column("_inc"), n)
    official, current = accounts.get_column("_off"), accounts.get_column("is_current")
    published = accounts.get_column("published_date")
    first = {
        name: least(at, pl.select(pl.when(pl.lit(mask)).then(pl.lit(published))).to_series()).alias(name)
        for name, mask in (("first_official_date", official), ("first_unofficial_date", ~official))
    }
    frame = pl.DataFrame(
        {
            "_inc": index.get_column("_inc"),
            "date_start": index.get_column("date_start"),
            "n_accounts": counts(at, current),
            "n_official": counts(at, current & official),
            "n_unofficial": counts(at, current & ~official),
            "n_superseded": counts(at, ~current),
            **first,
        }
    )
    first_official = pl.col("first_official_date")
    return frame.select(
        "_inc",
        "n_accounts",
        "n_official",
        "n_unofficial",
        "n_superseded",
        first_official.is_not_null().alias("acknowledged"),
        first_official,
        "first_unofficial_date",
        (first_official - pl.col("date_start")).dt.total_days().alias("days_to_official"),
        (first_official - pl.col("first_unofficial_date")).dt.total_days().alias("days_unofficial_to_official"),
    )
