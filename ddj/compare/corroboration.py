"""Corroboration by independent chain: outlets that repeat one original, or one article that cites
several, count once.

Each account names its ``origin``, who the information first came from, and ``reported_in``, the
publication through which we know it. Two unofficial accounts of one incident are in the same
*chain* when they share an origin or were known to us through the same publication, and chains are
closed under that (an account that shares its origin with one and its publication with another
joins all three). Three kinds of source named by one article are one chain: the article is all we
have of them. A monitor's own account and the outlets it cites, when they reach us through the
monitor's file, are one chain. Origins and publications are compared after Unicode normalisation
(:func:`identity_key`: NFKC, look-alike letters of other scripts, case and spaces), so a Cyrillic
``а`` in a Latin name does not make a new source. Among an incident's current unofficial accounts:

- ``n_unofficial_origins`` counts the independent chains;
- an origin *supports* the operator when, on an attribute on which the sides contradict each other,
  it claims a value that fits every official claim (and can be judged: a place that names no country
  fits any place, so it supports nobody), and none of its claims contradicts an official one.
  Agreeing with the operator on some other attribute (that the aircraft was shot down, say) says
  nothing about the point in dispute, so it is no support;
- an origin *contradicts* the operator when one of its claims does not fit an official claim.

Adding an account that repeats an existing origin never raises these counts.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ddj.compare._positions import counts, distinct_pairs, offsets
from ddj.compare.pairs import distinct_sorted

_OFF = pl.col("_off")
_NONE = (1 << 32) - 1  # no row: a label no account has (labels are row numbers, UInt32)

#: Letters of other scripts that look like Latin ones (lower case, after NFKC), read as the Latin letter.
CONFUSABLES = {
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "ӏ": "l",
    "һ": "h",
    "α": "a",
    "β": "b",
    "ε": "e",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
}


def identity_key(expr: pl.Expr) -> pl.Expr:
    """How two names of a source are judged the same: NFKC, lower case, look-alike letters of other
    scripts as Latin (:data:`CONFUSABLES`), invisible characters dropped, runs of white space as one.

    Examples
    --------
    >>> names = pl.Series(["  Syrian\u00a0Observatory ", "Sуrian оbservatory"])  # the second has two Cyrillic letters
    >>> names.to_frame("n").select(identity_key(pl.col("n")))["n"].to_list()
    ['syrian observatory', 'syrian observatory']

    A no-break space and two Cyrillic look-alike letters do not make a second source.
    """
    lowered = expr.str.normalize("NFKC").str.to_lowercase()
    return lowered.str.replace_many(CONFUSABLES).str.replace_all(r"\s+", " ").str.strip_chars()


def _identity_codes(names: pl.Series) -> pl.Series:
    """An integer per name, equal where :func:`identity_key` is equal; 0 for a blank name (or none).

    The key is computed once per distinct name, and the rows carry integers: a million incidents' four
    million accounts name a few dozen origins, and normalising every row, then grouping by the text, took
    2.2 of the 11.7 seconds of a million-incident comparison (1.07 of 2.7 at 200,000 incidents).
    """
    text = names.cast(pl.String)
    distinct = text.unique().drop_nulls()
    keys = distinct.to_frame("v").select(identity_key(pl.col("v"))).to_series()
    codes = (pl.concat([pl.Series([""]), keys]).rank("dense").cast(pl.UInt32) - 1).slice(1)  # "" sorts first: 0
    return text.replace_strict(distinct, codes, default=None, return_dtype=pl.UInt32).fill_null(0)


def chain_labels(frame: pl.DataFrame) -> pl.Series:
    """Each account's chain, a row number: for an unofficial account, the smallest row number among the
    unofficial accounts it is linked to, directly or through others, by a shared origin or a shared
    publication within its incident (see the module notes); an official account is a chain of its own.
    An unofficial chain that names as an origin the origin of one of the incident's official accounts
    (an outlet relaying the ministry) repeats the operator: it takes that official account's label, so
    it is not counted as independent of it (see :func:`operator_chains`).

    ``frame`` holds ``_inc`` (the incident), ``_off`` (official), ``origin`` and ``reported_in``
    (texts; a blank publication links nothing). Labels are pushed to the smallest one over each origin
    and each publication in turn until none changes (each round can only lower a label, so it ends;
    in practice after two or three rounds).

    Examples
    --------
    >>> frame = pl.DataFrame({"_inc": [0, 0, 0, 0, 0, 1], "_off": [True, False, False, False, False, False],
    ...     "origin": ["SANA", "local media", "social media", "observers", "SANA", "SANA"],
    ...     "reported_in": ["AP", "Defence24 article", "Defence24 article", "Defence24 article", "AP", None]})
    >>> chain_labels(frame).to_list()
    [0, 1, 1, 1, 0, 5]

    Three kinds of source named by one article are one chain; the unofficial account that repeats
    the official origin (SANA, in this made-up case) joins the official chain, and the same origin in
    another incident is a chain of its own.
    """
    n = frame.height
    rows = pl.int_range(0, pl.len(), dtype=pl.UInt32)
    label, off = pl.col("_label"), pl.col("_off")
    incident = pl.col("_inc").cast(pl.UInt64) * (1 << 32)  # (incident, name code) packed into one integer key
    keys = frame.select(
        off,
        (incident + _identity_codes(frame.get_column("origin"))).alias("_k"),
        (incident + _identity_codes(frame.get_column("reported_in")).replace(0, None)).alias("_r"),
        rows.alias("_label"),
    )
    labels = keys.get_column("_label")
    if keys.get_column("_off").all():
        return labels
    # The (incident, origin) groups as runs of one stable sort: each group's first unofficial row (its chain
    # before publications link groups) and first official row (the operator it repeats), carried over the run
    # by fills. Two windows over a two-column key, a join and a window over the labels took 0.8-1.5 s at a
    # million incidents; this about 0.4 s (measured on the benchmark's accounts, December 2026). The sort is
    # numpy's stable argsort on one core (the keys come in runs, sorted by incident): 50 ms of CPU against 151 ms
    # for polars' stable sort of the three columns on both cores (3,900,000 rows, December 2026).
    order = pl.Series(np.argsort(keys.get_column("_k").to_numpy(), kind="stable").astype(np.uint32))
    key = pl.col("_k")
    start = (key != key.shift(1)).fill_null(True)
    official_key = pl.when(off).then(key).backward_fill()  # the key of the next official row from here on
    runs = keys.select("_k", "_off", "_label")[order].with_columns(
        pl.when(start).then(pl.when(~off).then(label).backward_fill()).forward_fill().cast(pl.UInt32).alias("_first"),
        pl.when(start)
        .then(pl.when(official_key == key).then(pl.when(off).then(label).backward_fill()).otherwise(_NONE))
        .forward_fill()
        .replace(_NONE, None)
        .cast(pl.UInt32)
        .alias("_operator"),
    )
    at_rows = runs.get_column("_label").cast(pl.Int64)
    if keys.get_column("_r").null_count() == n:  # no publication links groups: each group is a chain
        chained = runs.select(pl.when(off).then(label).otherwise(pl.coalesce("_operator", "_first"))).to_series()
        return labels.clone().scatter(at_rows, chained)
    none = pl.Series("_label", [None], dtype=pl.UInt32).extend_constant(None, n - 1)
    first = none.clone().scatter(at_rows, runs.get_column("_first"))
    operator = none.clone().scatter(at_rows, runs.get_column("_operator"))
    unofficial = keys.with_columns(first.alias("_first"), operator.alias("_operator")).filter(~off)
    unofficial = unofficial.select("_k", "_r", pl.col("_first").alias("_label"), "_operator")
    if unofficial.get_column("_r").null_count() < unofficial.height:
        by_origin = label.min().over("_k")
        by_publication = pl.when(pl.col("_r").is_null()).then(label).otherwise(label.min().over("_r"))
        while True:
            step = unofficial.with_columns(by_publication).with_columns(by_origin)
            done = step.get_column("_label").equals(unofficial.get_column("_label"))
            unofficial = step
            if done:
                break
        # A chain now spans several origins: its operator is the smallest over its rows.
        ops = unofficial.filter(pl.col("_operator").is_not_null()).group_by("_label").agg(pl.col("_operator").min())
        spread = none.clone().scatter(ops.get_column("_label").cast(pl.Int64), ops.get_column("_operator"))
        unofficial = unofficial.with_columns(spread.gather(unofficial.get_column("_label")).alias("_operator"))
    at = keys.select(rows.filter(~off)).to_series().cast(pl.Int64)
    return labels.scatter(at, unofficial.select(pl.coalesce("_operator", "_label")).to_series())


def operator_chains(chains: pl.Series, official: pl.Series) -> pl.Series:
    """Whether each account's chain is the operator's own (an official account's label, from
    :func:`chain_labels`): true for official accounts and for unofficial ones that repeat them.

    Examples
    --------
    >>> operator_chains(pl.Series([0, 1, 1, 0, 4]), pl.Series([True, False, False, False, False])).to_list()
    [True, False, False, True, False]
    """
    return chains.is_in(chains.filter(official).implode()).alias("_echo")


def independent_origins(current: pl.DataFrame, n: int) -> pl.Series:
    """Distinct origins among the current unofficial accounts of each incident, by position 0..n-1.

    ``current`` holds ``_inc`` (sorted), ``_off``, ``is_current``, ``_org`` (the account's chain) and
    ``_echo`` (the chain is the operator's own, :func:`operator_chains`).

    Examples
    --------
    >>> cur = pl.DataFrame({"_inc": [0, 0, 0, 0], "_off": [False, False, True, False], "_org": [7, 7, 8, 8],
    ...                     "is_current": [True, True, True, True], "_echo": [False, False, True, True]},
    ...                    schema_overrides={"_inc": pl.UInt32})
    >>> independent_origins(cur, 2).to_list()
    [1, 0]

    Two outlets repeating one original are one chain; the official account, and an outlet repeating it, do not count.
    """
    rows = current.select("_inc", "_org", (~_OFF & ~pl.col("_echo") & pl.col("is_current")).alias("_keep")).filter(
        pl.col("_keep")
    )
    org = rows.get_column("_org")
    # One sort of a packed integer; an origin left blank (null) is an origin of its own, as a value of a sort.
    distinct = distinct_sorted(rows.drop("_keep")) if org.null_count() else distinct_pairs(rows.get_column("_inc"), org)
    return counts(offsets(distinct.get_column("_inc"), n)).alias("n_unofficial_origins")


def supports_operator() -> pl.Expr:
    """Aggregated over one origin's claims on the attributes the sides contradict each other on: the origin
    *supports* the operator when one of its claims fits every official claim (``_backs``) and none of them
    contradicts an official one (``_contra``).

    Examples
    --------
    >>> claims = pl.DataFrame({"_org": [7, 8, 8], "_contra": [False, True, False], "_backs": [True, False, True]})
    >>> claims.group_by("_org").agg(supports_operator()).sort("_org")["supports"].to_list()
    [True, False]

    Origin 7 backs the operator; origin 8 backs it on one claim but contradicts it on another.
    """
    return (pl.col("_backs").any() & ~pl.col("_contra").any()).alias("supports")


def contradicts_operator() -> pl.Expr:
    """Aggregated over one origin's claims: the origin *contradicts* the operator when one of its claims does
    not fit an official claim.
    """
    return pl.col("_contra").any().alias("contradicts")


def origin_weights(origin_claims: pl.LazyFrame, operator: pl.Series | None = None) -> pl.LazyFrame:
    """Independent unofficial origins that support and that contradict the operator, per incident: ``_inc``,
    ``n_supporting_origins`` and ``n_contradicting_origins`` (UInt32), for the incidents with a claim to weigh.

    ``origin_claims`` holds the unofficial claims on attributes where the sides contradict each other
    (:attr:`ddj.compare.statuses.AttributeResult.origin_claims`, every attribute's): ``_inc``, ``_org``,
    ``_contra`` (the claim does not fit an official claim) and ``_backs`` (it fits every official claim).
    An origin supports the operator only with a claim on a contradicted attribute (see the module notes),
    and an origin's claim can only contradict an official one where the sides contradict each other, so
    no other claim counts: an incident without any contradiction has no row (it weighs 0 and 0). Chains in
    ``operator`` (the official accounts' labels: an outlet repeating the operator) neither support nor
    contradict it.

    Parameters
    ----------
    origin_claims : polars.LazyFrame
        ``_inc``, ``_org``, ``_contra`` and ``_backs``, as above.
    operator : polars.Series, optional
        The origin codes of the operator's own chains, left out of both counts; None (or empty) leaves
        out none.

    Examples
    --------
    >>> claims = pl.LazyFrame({"_inc": [1, 1, 1], "_org": [7, 8, 8], "_contra": [False, True, False],
    ...                        "_backs": [True, False, True]}, schema_overrides={"_inc": pl.UInt32})
    >>> origin_weights(claims).collect().rows()
    [(1, 1, 1)]

    Origin 7 backs the operator; origin 8 backs it on one claim but contradicts it on another, so it contradicts.
    """
    if operator is not None and operator.len():
        origin_claims = origin_claims.filter(~pl.col("_org").is_in(operator.implode()))
    return (
        origin_claims.group_by("_inc", "_org")
        .agg(supports_operator(), contradicts_operator())
        .group_by("_inc")
        .agg(
            pl.col("supports").sum().cast(pl.UInt32).alias("n_supporting_origins"),
            pl.col("contradicts").sum().cast(pl.UInt32).alias("n_contradicting_origins"),
        )
    )
