"""Corroboration by independent origin: outlets that repeat one original count once.

Each account names its ``origin``, who the information first came from. Origins are compared after
case and space normalisation. Among an incident's current unofficial accounts:

- ``n_unofficial_origins`` counts the distinct origins;
- an origin *supports* the operator when, on an attribute on which the sides contradict each other,
  it claims a value that fits every official claim (and can be judged: a place that names no country
  fits any place, so it supports nobody), and none of its claims contradicts an official one.
  Agreeing with the operator on some other attribute (that the aircraft was shot down, say) says
  nothing about the point in dispute, so it is no support;
- an origin *contradicts* the operator when one of its claims does not fit an official claim.

Adding an account that repeats an existing origin never raises these counts.
"""

from __future__ import annotations

import polars as pl

from ddj.compare._positions import counts, offsets
from ddj.compare.claims import Encoder
from ddj.compare.pairs import distinct_sorted, origin_misfits
from ddj.compare.statuses import claim_rows

_OFF = pl.col("_off")


def independent_origins(current: pl.DataFrame, n: int) -> pl.Series:
    """Distinct origins among the current unofficial accounts of each incident, by position 0..n-1.

    ``current`` holds ``_inc`` (sorted), ``_off``, ``is_current`` and ``_org`` (the origin's code).

    Examples
    --------
    >>> cur = pl.DataFrame({"_inc": [0, 0, 0], "_off": [False, False, True], "_org": [7, 7, 8],
    ...                     "is_current": [True, True, True]}, schema_overrides={"_inc": pl.UInt32})
    >>> independent_origins(cur, 2).to_list()
    [1, 0]

    Two outlets repeating one original are one origin; the official account does not count.
    """
    distinct = distinct_sorted(
        current.select("_inc", "_org", (~_OFF & pl.col("is_current")).alias("_keep")).filter(pl.col("_keep")).drop("_keep")
    )
    return counts(offsets(distinct.get_column("_inc"), n)).alias("n_unofficial_origins")


def origin_weight(current: pl.DataFrame, encs: list[Encoder], n: int,
                  contradicted: list[pl.Series]) -> tuple[pl.Series, pl.Series]:
    """Independent unofficial origins that support and that contradict the operator, by incident position.

    ``contradicted`` holds, per encoder, a Boolean per position: whether the sides contradict each
    other on that attribute. Only incidents with some contradiction are weighed; the others get 0.
    An origin supports the operator only with a claim on a contradicted attribute (see the module notes).
    ``current`` holds the accounts with ``_inc``, ``_off``, ``is_current``, ``_org`` and the code columns.
    """
    where = pl.DataFrame([c.alias(str(i)) for i, c in enumerate(contradicted)]).select(
        pl.any_horizontal(pl.all())
    ).to_series()
    subset = current.filter(pl.lit(where).gather(pl.col("_inc")) & pl.col("is_current"))
    parts = []
    for enc, disputed in zip(encs, contradicted):
        on_dispute = pl.lit(disputed).gather(pl.col("_inc"))
        official, unofficial = pl.collect_all([claim_rows(subset, enc, "_org", official=side) for side in (True, False)])
        if enc.compatible is not None:
            misfit = origin_misfits(official, unofficial, enc.compatible)
            parts.append(misfit.select("_inc", "_org", "_contra", (~pl.col("_contra") & on_dispute).alias("_backs")))
            continue
        bounds = official.group_by("_inc").agg(pl.col("_hi").min().alias("_min_hi"), pl.col("_lo").max().alias("_max_lo"))
        # A claim without a range (a place that names no country) fits any: null is no contradiction, nor support.
        contra = (pl.col("_lo") > pl.col("_min_hi")) | (pl.col("_hi") < pl.col("_max_lo"))
        parts.append(
            unofficial.join(bounds, on="_inc", how="inner").select(
                "_inc", "_org",
                contra.fill_null(False).alias("_contra"),
                (~contra).fill_null(False).and_(on_dispute).alias("_backs"),
            )
        )
    per_origin = pl.concat(parts).group_by("_inc", "_org").agg(pl.col("_contra").any(), pl.col("_backs").any())
    weights = per_origin.group_by("_inc").agg(
        (pl.col("_backs") & ~pl.col("_contra")).sum().cast(pl.UInt32).alias("s"),
        pl.col("_contra").sum().cast(pl.UInt32).alias("c"),
    )
    zeros = pl.zeros(n, dtype=pl.UInt32, eager=True)
    at = weights.get_column("_inc").cast(pl.Int64)
    return (
        zeros.clone().scatter(at, weights.get_column("s")).alias("n_supporting_origins"),
        zeros.clone().scatter(at, weights.get_column("c")).alias("n_contradicting_origins"),
    )
