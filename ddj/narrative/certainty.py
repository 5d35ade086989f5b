"""Which first days rest only on accounts the curators mark uncertain: the one rule the narrative, the grade box
and the timeline share, so a date we are not sure of never feeds an "N days later" anywhere.
"""

from __future__ import annotations

import polars as pl

__all__ = ["unsure_first_days"]


def unsure_first_days(accounts: pl.DataFrame, incidents: pl.DataFrame) -> pl.DataFrame:
    """Per incident, whether its first official day and its first other day rest only on accounts marked uncertain.

    A day is unsure when every account of that side published on it has ``certainty`` "uncertain" (and there is
    at least one); an incident without such a day, or accounts without a ``certainty`` column, is not unsure.

    Parameters
    ----------
    accounts : polars.DataFrame
        The accounts to go by (``incident_id``, ``side``, ``published_date`` and ``certainty``).
    incidents : polars.DataFrame
        ``incident_id``, ``first_official_date`` and ``first_unofficial_date``, as the comparison's incidents.

    Returns
    -------
    polars.DataFrame
        ``incident_id``, ``official_unsure`` and ``unofficial_unsure`` (booleans), a row per row of ``incidents``.

    Examples
    --------
    >>> import datetime as dt
    >>> day = dt.date(2021, 3, 1)
    >>> accounts = pl.DataFrame({"incident_id": ["a", "a"], "side": ["official", "unofficial"],
    ...                          "published_date": [day, day], "certainty": ["uncertain", "reported"]})
    >>> incidents = pl.DataFrame({"incident_id": ["a"], "first_official_date": [day], "first_unofficial_date": [day]})
    >>> unsure_first_days(accounts, incidents).row(0)
    ('a', True, False)

    The operator's first word rests on an account marked uncertain; the first other report does not.
    """
    keys = incidents.select("incident_id", "first_official_date", "first_unofficial_date")
    if "certainty" not in accounts.columns:
        return keys.select("incident_id", official_unsure=pl.lit(False), unofficial_unsure=pl.lit(False))
    by_day = accounts.group_by(
        "incident_id", (pl.col("side").cast(pl.String) == "official").alias("_official"), "published_date"
    ).agg((pl.col("certainty").cast(pl.String) == "uncertain").all().alias("_unsure"))

    def side(official: bool, day: str, name: str) -> pl.DataFrame:
        rows = by_day.filter(pl.col("_official") == official)
        return rows.select("incident_id", pl.col("published_date").alias(day), pl.col("_unsure").alias(name))

    return (
        keys.join(
            side(True, "first_official_date", "official_unsure"),
            on=["incident_id", "first_official_date"],
            how="left",
            maintain_order="left",
        )
        .join(
            side(False, "first_unofficial_date", "unofficial_unsure"),
            on=["incident_id", "first_unofficial_date"],
            how="left",
            maintain_order="left",
        )
        .select("incident_id", pl.col("official_unsure", "unofficial_unsure").fill_null(False))
    )
