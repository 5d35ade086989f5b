"""Grades: how well an incident's reported version stands, by a fixed rule set in the spirit of Airwars'.

The grade judges the version of events that unofficial accounts give, against what the operator (the
official side) says. Only current accounts count; an *origin* is an independent unofficial origin
(see :mod:`ddj.compare.corroboration`). The rules are tried in this order and the first that holds
gives the grade:

1. **weak** — no current account of the incident is recorded.
2. **discounted** — on at least one attribute the sides contradict each other, and independent
   unofficial origins that *support* the operator on the point in dispute clearly outnumber those
   that *contradict* it: at least two support it, and more than twice as many as contradict it
   (:data:`DISCOUNT_MIN_SUPPORT`, :data:`DISCOUNT_RATIO`). An origin supports the operator when it
   claims, on a contradicted attribute, a value that fits the official claims (a place that names no
   country fits any place, so it supports nobody), and none of its claims contradicts an official
   one; agreeing on another attribute (that the aircraft was shot down, say) says nothing about the
   disputed point and does not count.
3. **contested** — on at least one attribute the sides contradict each other, and the support for
   the operator on the disputed point falls short of rule 2.
4. **confirmed** — the operator's current accounts claim a value on at least one attribute and no
   unofficial claim contradicts them: the operating party gave the version and nothing contradicts
   it (including incidents only the operator spoke of).
5. **fair** — the operator claims nothing (it never spoke of the incident, or spoke without giving
   a version), at least two independent unofficial origins report it, and their claims fit one
   another on every attribute.
6. **weak** — otherwise: a single origin, or origins that disagree with one another.

Why that margin: the operator is a party to the events, and setting a contradiction aside is a
strong statement, so a bare majority is not enough. Two origins against one is close to a tie once
one allows that independence is judged only from the named origins (two may share a source
nobody named); more than two to one, and never fewer than two, means that no single voice, on
either side, decides the grade. With one contradicting origin it takes three that support the
operator on the disputed attribute.

Every grade comes with a sentence saying which rule fired and on what (``computed_grade_reason``).
Editors change a grade only with a row of the ``overrides`` resource (:mod:`ddj.compare.overrides`).
"""

from __future__ import annotations

import polars as pl

from ddj.model import GRADES

__all__ = ["DISCOUNT_MIN_SUPPORT", "DISCOUNT_RATIO", "GRADES", "grade_exprs", "with_grades"]

#: Rule 2 (discounted) needs at least this many independent origins that support the operator on a
#: contradicted attribute ...
DISCOUNT_MIN_SUPPORT = 2
#: ... and more than this many times as many as contradict it.
DISCOUNT_RATIO = 2

#: The columns the grade and its reason are computed from.
GRADE_INPUTS = (
    "n_accounts", "n_contradict", "n_supporting_origins", "n_contradicting_origins", "n_unofficial_origins",
    "acknowledged", "_official_claims", "_unofficial_disagree", "_contradicted", "_disagreed",
)


def _count(expr: pl.Expr, one: str, many: str) -> pl.Expr:
    """``"1 origin"`` / ``"3 origins"``."""
    return pl.concat_str([expr.cast(pl.String), pl.when(expr == 1).then(pl.lit(one)).otherwise(pl.lit(many))])


def grade_exprs() -> tuple[pl.Expr, pl.Expr]:
    """The ``computed_grade`` and ``computed_grade_reason`` expressions.

    They read, per incident: ``n_accounts``, ``n_contradict``, ``n_supporting_origins``,
    ``n_contradicting_origins``, ``n_unofficial_origins``, ``acknowledged``, ``_official_claims``
    (the operator claims a value on some attribute), ``_unofficial_disagree`` (two unofficial claims
    do not fit), ``_contradicted`` and ``_disagreed`` (labels of the attributes concerned).

    Examples
    --------
    >>> row = {"n_accounts": 2, "n_contradict": 1, "n_supporting_origins": 0, "n_contradicting_origins": 1,
    ...        "n_unofficial_origins": 1, "acknowledged": True, "_official_claims": True,
    ...        "_unofficial_disagree": False, "_contradicted": "responsible party", "_disagreed": ""}
    >>> grade, reason = grade_exprs()
    >>> pl.DataFrame([row]).select(grade, reason).row(0)[0]
    'contested'

    The operator and an unofficial origin blame different parties, and neither gives way.
    """
    accounts = pl.col("n_accounts")
    contradictions = pl.col("n_contradict") > 0
    supporting, contradicting = pl.col("n_supporting_origins"), pl.col("n_contradicting_origins")
    origins = pl.col("n_unofficial_origins")
    official = pl.col("_official_claims")
    disagree = pl.col("_unofficial_disagree")
    operator_silence = (
        pl.when(pl.col("acknowledged"))
        .then(pl.lit("the operator spoke of the incident but gave no version of it"))
        .otherwise(pl.lit("the operator has never spoken of it"))
    )
    weighed = pl.concat_str([
        _count(contradicting, " independent origin contradicts", " independent origins contradict"),
        pl.lit(" the operator, "),
        _count(supporting, " supports", " support"),
        pl.lit(" it on what is in dispute"),
    ])
    discounted = contradictions & (supporting >= DISCOUNT_MIN_SUPPORT) & (supporting > DISCOUNT_RATIO * contradicting)
    times = {2: "twice", 3: "three times"}.get(DISCOUNT_RATIO, f"{DISCOUNT_RATIO} times")
    short_of = pl.when(supporting > 0).then(pl.lit(
        f", short of the margin that would discount the contradiction (at least {DISCOUNT_MIN_SUPPORT} origins "
        f"supporting the operator, and more than {times} as many as contradict it)"
    )).otherwise(pl.lit(""))
    grade = (
        pl.when(accounts == 0).then(pl.lit("weak"))
        .when(discounted).then(pl.lit("discounted"))
        .when(contradictions).then(pl.lit("contested"))
        .when(official).then(pl.lit("confirmed"))
        .when((origins >= 2) & ~disagree).then(pl.lit("fair"))
        .otherwise(pl.lit("weak"))
        .alias("computed_grade")
    )
    reason = (
        pl.when(accounts == 0).then(pl.lit("Weak: no account of this incident is recorded."))
        .when(discounted).then(pl.concat_str([
            pl.lit("Discounted: unofficial accounts contradict the operator on "), pl.col("_contradicted"),
            pl.lit(". The weight of independent evidence is with the operator: "), weighed, pl.lit("."),
        ]))
        .when(contradictions).then(pl.concat_str([
            pl.lit("Contested: the operator and unofficial accounts contradict each other on "),
            pl.col("_contradicted"), pl.lit(". Neither side concedes: "), weighed, short_of, pl.lit("."),
        ]))
        .when(official & (origins > 0)).then(pl.concat_str([
            pl.lit("Confirmed: the operator gave its version and none of "),
            _count(origins, " independent unofficial origin", " independent unofficial origins"),
            pl.lit(" contradicts it."),
        ]))
        .when(official).then(pl.lit("Confirmed: the operator gave its version and no unofficial account speaks to it."))
        .when((origins >= 2) & ~disagree).then(pl.concat_str([
            pl.lit("Fair: "), origins.cast(pl.String),
            pl.lit(" independent unofficial origins report it and agree with one another; "), operator_silence,
            pl.lit("."),
        ]))
        .when(origins >= 2).then(pl.concat_str([
            pl.lit("Weak: "), origins.cast(pl.String),
            pl.lit(" independent unofficial origins report it but disagree with one another on "), pl.col("_disagreed"),
            pl.lit("; "), operator_silence, pl.lit("."),
        ]))
        .when(origins == 1).then(pl.concat_str([
            pl.lit("Weak: a single unofficial origin reports it; "), operator_silence, pl.lit("."),
        ]))
        .otherwise(pl.lit("Weak: no account claims a value on any compared attribute."))
        .alias("computed_grade_reason")
    )
    return grade, reason


def with_grades(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (which holds :data:`GRADE_INPUTS`) with ``computed_grade`` and ``computed_grade_reason``.

    The sentences are written once per distinct combination of inputs, not once per incident: a
    million incidents share a few thousand combinations, and each incident's columns point into
    those few sentences. Only the inputs are joined (to find each incident's combination), not the
    whole frame.
    """
    inputs = list(GRADE_INPUTS)
    keys = frame.select(inputs)
    graded = keys.unique().with_row_index("_combo").with_columns(*grade_exprs())
    combo = keys.join(graded.select(*inputs, "_combo"), on=inputs, how="left", maintain_order="left",
                      nulls_equal=True).get_column("_combo")
    del keys
    return frame.with_columns(
        graded.get_column("computed_grade").gather(combo), graded.get_column("computed_grade_reason").gather(combo)
    )
