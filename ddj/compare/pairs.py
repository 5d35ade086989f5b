"""Texts are compared pair by pair: two text claims fit together when one is the other less specific
(:func:`ddj.compare.claims.words_fit`: "Mi-8" and "Mi-8AMTSh", "Syrian air defence" and "Syrian air
defence forces"), and contradict otherwise ("Israel" and "Syrian air defence", "Mi-8" and "Mi-28N").

That relation is no range, so no per-incident aggregate decides it: the (official, unofficial) pairs of
distinct values are listed per incident, and whether they fit is computed once per distinct pair of
values, not once per pair of accounts. Every function here reads the distinct (``_inc``, ``_vkey``)
pairs of a side's claims and a ``compatible(a, b)`` expression over two vkeys.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

Compatible = Callable[[pl.Expr, pl.Expr], pl.Expr]


def misfits(pairs: pl.DataFrame, left: str, right: str, compatible: Compatible) -> pl.DataFrame:
    """The rows of ``pairs`` whose values in ``left`` and ``right`` cannot both be true.

    Parameters
    ----------
    pairs : polars.DataFrame
        Rows that each set one value against another.
    left, right : str
        The names of the two columns of ``pairs`` to set against each other.
    compatible : callable
        ``compatible(left_expr, right_expr)``: a boolean expression, true where both values can be true at once
        (ranges that overlap, equal categories, ...). It is evaluated on the distinct pairs only.
    """
    distinct = pairs.select(left, right).unique()
    bad = distinct.filter(~compatible(pl.col(left), pl.col(right)))
    return pairs.join(bad, on=[left, right], how="semi")


def distinct_sorted(frame: pl.DataFrame) -> pl.DataFrame:
    """The distinct rows of ``frame``, sorted by all its columns (the first one flagged sorted)."""
    columns = frame.columns
    ordered = frame.sort(columns)
    repeat = pl.all_horizontal([pl.col(c) == pl.col(c).shift(1) for c in columns])
    return ordered.filter(~repeat.fill_null(False)).with_columns(pl.col(columns[0]).set_sorted())


def contradicted_positions(official: pl.DataFrame, unofficial: pl.DataFrame, compatible: Compatible) -> pl.Series:
    """Incident positions where some official claim does not fit some unofficial one.

    Both frames hold the distinct (``_inc``, ``_vkey``) pairs of a side's claims, sorted.

    Parameters
    ----------
    official, unofficial : polars.DataFrame
        Each side's distinct (``_inc``, ``_vkey``) pairs, sorted: the incident's position and the claimed
        value's key.
    compatible : callable
        ``compatible(left_expr, right_expr)``: a boolean expression, true where two value keys can both be true.
    """
    pairs = official.join(unofficial, on="_inc", how="inner", suffix="_u").filter(pl.col("_vkey") != pl.col("_vkey_u"))
    return misfits(pairs, "_vkey", "_vkey_u", compatible).get_column("_inc").unique()


def disagreeing_positions(unofficial: pl.DataFrame, compatible: Compatible) -> pl.Series:
    """Incident positions where two unofficial claims do not fit each other (``unofficial`` holds the
    distinct (``_inc``, ``_vkey``) pairs, sorted).
    """
    several = unofficial.filter(pl.col("_inc").is_duplicated())
    pairs = several.join(several, on="_inc", how="inner", suffix="_b").filter(pl.col("_vkey") < pl.col("_vkey_b"))
    return misfits(pairs, "_vkey", "_vkey_b", compatible).get_column("_inc").unique()


def origin_misfits(official: pl.DataFrame, unofficial: pl.DataFrame, compatible: Compatible) -> pl.DataFrame:
    """For each (incident, unofficial origin) whose claims meet an official one: ``_contra``, whether
    one of them does not fit an official claim. ``unofficial`` holds ``_inc``, ``_org`` and ``_vkey``.

    Parameters
    ----------
    official : polars.DataFrame
        The official claims, with ``_inc`` (incident position) and ``_vkey`` (value key).
    unofficial : polars.DataFrame
        The unofficial claims, with ``_inc``, ``_org`` (origin code) and ``_vkey``.
    compatible : callable
        ``compatible(left_expr, right_expr)``: a boolean expression, true where two value keys can both be true.
    """
    pairs = distinct_sorted(official.select("_inc", "_vkey")).join(
        distinct_sorted(unofficial.select("_inc", "_org", "_vkey")), on="_inc", how="inner", suffix="_u"
    )
    bad = misfits(pairs, "_vkey", "_vkey_u", compatible).select("_inc", "_org").unique()
    return (
        pairs.select("_inc", "_org")
        .unique()
        .join(bad.with_columns(pl.lit(True).alias("_contra")), on=["_inc", "_org"], how="left")
        .with_columns(pl.col("_contra").fill_null(False))
    )
