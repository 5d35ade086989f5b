"""The declared crosswalk between official and documented categories, and what maps to nothing.

A crosswalk row pairs one official category with one documented category, with the dates between which the
documented category's running count stands for those items (``valid_from``/``valid_to``: a category the source
renamed or split stops counting when its successor starts). A row with one side empty declares that the
category on the other side matches nothing, and its note says why.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def pairs(crosswalk: pl.DataFrame) -> pl.DataFrame:
    """The crosswalk rows that pair two categories: official_category, documented_category, valid_from, valid_to.

    Examples
    --------
    >>> cw = pl.DataFrame({"official_category": ["tank", "cruise missiles"], "documented_category": ["Tanks", None],
    ...                    "valid_from": [None, None], "valid_to": [None, None]},
    ...                   schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date})
    >>> pairs(cw)["official_category"].to_list()
    ['tank']

    Cruise missiles are declared to match nothing, so only the tanks are paired.
    """
    return crosswalk.filter(
        pl.col("official_category").is_not_null() & pl.col("documented_category").is_not_null()
    ).select("official_category", "documented_category", "valid_from", "valid_to")


def mapped_categories(crosswalk: pl.DataFrame) -> list[str]:
    """Official categories that have at least one documented counterpart, in the crosswalk's order."""
    return pairs(crosswalk)["official_category"].unique(maintain_order=True).to_list()


def _spans(frame: pl.DataFrame, side: str) -> pl.DataFrame:
    return (
        frame.group_by("category")
        .agg(pl.col("date").min().alias("first_date"), pl.col("date").max().alias("last_date"))
        .with_columns(pl.lit(side).alias("side"))
    )


def unmapped(official: pl.DataFrame, documented: Sequence[pl.DataFrame], crosswalk: pl.DataFrame) -> pl.DataFrame:
    """Categories on either side that map to nothing, with their dates and the crosswalk's reason if declared.

    Parameters
    ----------
    official
        The official series (``category``, ``date``).
    documented
        Documented frames with ``category`` and ``date`` (the series, the events, or both).
    crosswalk
        The declared crosswalk.

    Returns
    -------
    polars.DataFrame
        ``side`` (official or documented), ``category``, ``first_date``, ``last_date``, ``declared`` (the
        crosswalk says so on purpose) and ``note``; sorted by side and category.

    Examples
    --------
    >>> import datetime as dt
    >>> off = pl.DataFrame({"category": ["tank", "cruise missiles"], "date": [dt.date(2022, 5, 1)] * 2})
    >>> doc = pl.DataFrame({"category": ["Tanks", "Logistics Trains"], "date": [dt.date(2022, 5, 1)] * 2})
    >>> cw = pl.DataFrame({"official_category": ["tank"], "documented_category": ["Tanks"], "valid_from": [None],
    ...                    "valid_to": [None], "note": [None]},
    ...                   schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date, "note": pl.String})
    >>> unmapped(off, [doc], cw).select("side", "category").rows()
    [('documented', 'Logistics Trains'), ('official', 'cruise missiles')]

    Neither cruise missiles nor logistics trains have a counterpart, so neither can be compared.
    """
    paired = pairs(crosswalk)
    frames = [d.select("category", "date") for d in documented if d is not None and d.height]
    documented_all = pl.concat(frames) if frames else pl.DataFrame(schema={"category": pl.String, "date": pl.Date})
    spans = pl.concat(
        [
            _spans(official.select("category", "date"), "official"),
            _spans(documented_all.filter(pl.col("category").is_not_null()), "documented"),
        ]
    )
    notes = pl.concat(
        [
            crosswalk.filter(
                pl.col("documented_category").is_null() & pl.col("official_category").is_not_null()
            ).select(pl.lit("official").alias("side"), pl.col("official_category").alias("category"), "note"),
            crosswalk.filter(
                pl.col("official_category").is_null() & pl.col("documented_category").is_not_null()
            ).select(pl.lit("documented").alias("side"), pl.col("documented_category").alias("category"), "note"),
        ]
    )
    matched = pl.concat(
        [
            paired.select(pl.lit("official").alias("side"), pl.col("official_category").alias("category")),
            paired.select(pl.lit("documented").alias("side"), pl.col("documented_category").alias("category")),
        ]
    ).unique()
    return (
        spans.join(matched, on=["side", "category"], how="anti")
        .join(notes.unique(["side", "category"], keep="first"), on=["side", "category"], how="left")
        .with_columns(pl.col("note").is_not_null().alias("declared"))
        .select("side", "category", "first_date", "last_date", "declared", "note")
        .sort("side", "category")
    )
