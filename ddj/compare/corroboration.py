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

from ddj.compare._positions import counts, distinct_pairs, offsets
from ddj.compare.pairs import distinct_sorted

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
    rows = current.select("_inc", "_org", (~_OFF & pl.col("is_current")).alias("_keep")).filter(pl.col("_keep"))
    org = rows.get_column("_org")
    # One sort of a packed integer; an origin left blank (null) is an origin of its own, as a value of a sort.
    distinct = distinct_sorted(rows.drop("_keep")) if org.null_count() else distinct_pairs(rows.get_column("_inc"), org)
    return counts(offsets(distinct.get_column("_inc"), n)).alias("n_unofficial_origins")


def origin_weight(origin_claims: list[pl.DataFrame], n: int) -> tuple[pl.Series, pl.Series]:
    """Independent unofficial origins that support and that contradict the operator, by incident position.

    ``origin_claims`` holds, per attribute, the unofficial claims where the sides contradict each other
    on that attribute (:attr:`ddj.compare.statuses.AttributeResult.origin_claims`): ``_inc``, ``_org``,
    ``_contra`` (the claim does not fit an official claim) and ``_backs`` (it fits every official claim).
    An origin supports the operator only with a claim on a contradicted attribute (see the module notes),
    and an origin's claim can only contradict an official one where the sides contradict each other, so
    no other claim counts. Incidents without any contradiction get 0.

    Examples
    --------
    >>> claims = pl.DataFrame({"_inc": [1, 1, 1], "_org": [7, 8, 8], "_contra": [False, True, False],
    ...                        "_backs": [True, False, True]}, schema_overrides={"_inc": pl.UInt32})
    >>> [s.to_list() for s in origin_weight([claims], 2)]
    [[0, 1], [0, 1]]

    Origin 7 backs the operator; origin 8 backs it on one claim but contradicts it on another, so it contradicts.
    """
    per_origin = pl.concat(origin_claims).group_by("_inc", "_org").agg(pl.col("_contra").any(), pl.col("_backs").any())
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
