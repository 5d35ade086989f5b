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
4. **confirmed** — the operator's current accounts claim a value on at least one attribute, no
   unofficial claim contradicts them, and something beyond the operator's own word backs its
   version: on at least one attribute the operator speaks to, an account from an independent
   unofficial chain (another party, the other side conceding, a monitor, a local outlet) claims a
   value that fits (status ``agree``). An outlet repeating the operator's own statement is no such chain,
   even where it is the only other account that agrees.
5. **uncorroborated** — the operator gave a version that nothing contradicts, but no independent
   account speaks to the points it makes: an official account only, not independently
   corroborated. Its own word is not confirmation of anything.
6. **fair** — the operator claims nothing (no official account of the incident is recorded, or it
   spoke without giving a version), at least two independent unofficial chains report it, and their
   claims fit one another on every attribute.
7. **weak** — otherwise: a single chain, or chains that disagree with one another.

Independence is by chain, not by name (:mod:`ddj.compare.corroboration`): accounts known to us
through one publication, or sharing an origin, count once, however many origins they name.

How the words compare with Airwars' (whose scale this follows): Airwars grades an allegation of
harm by a belligerent. Its *confirmed* means the belligerent accepted responsibility; ddj's means the
operator's version is backed by an independent account and contradicted by none, which is the
nearest test a comparison of accounts can make (an operator conceding what others allege shows up
here as agreement). *Fair*, *weak*, *contested* and *discounted* keep Airwars' sense (two or more
credible sources; a single source; competing claims; the weight of evidence against the
allegation), with sources counted as independent chains. *Uncorroborated* has no Airwars
counterpart: Airwars starts from others' allegations, ddj also holds incidents only the operator
spoke of, and those must not read as confirmed.

Why that margin: the operator is a party to the events, and setting a contradiction aside is a
strong statement, so a bare majority is not enough. Two origins against one is close to a tie once
one allows that independence is judged only from the named origins (two may share a source
nobody named); more than two to one, and never fewer than two, means that no single voice, on
either side, decides the grade. With one contradicting origin it takes three that support the
operator on the disputed attribute.

Silence is a finding only where someone looked: the reasons say "the operator has never spoken of
it" only for an incident on which the curators declared a search for official statements
(``official_searched``, from the dataset's ``official_search``); elsewhere they say "no official
account is recorded".

Every grade comes with a sentence saying which rule fired and on what (``computed_grade_reason``).
Editors change a grade only with a row of the ``overrides`` resource (:mod:`ddj.compare.overrides`).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from ddj.model import GRADES

__all__ = [
    "DISCOUNT_MIN_SUPPORT",
    "DISCOUNT_RATIO",
    "GRADES",
    "GRADE_RULES",
    "computed_grade",
    "computed_grade_reason",
    "grade_exprs",
    "with_grades",
]

#: Rule 2 (discounted) needs at least this many independent origins that support the operator on a
#: contradicted attribute ...
DISCOUNT_MIN_SUPPORT = 2
#: ... and more than this many times as many as contradict it.
DISCOUNT_RATIO = 2

#: The columns the grade and its reason are computed from.
GRADE_INPUTS = (
    "n_accounts",
    "n_contradict",
    "n_supporting_origins",
    "n_contradicting_origins",
    "n_unofficial_origins",
    "acknowledged",
    "official_searched",
    "_official_claims",
    "_unofficial_disagree",
    "_contradicted",
    "_disagreed",
    "_n_backed",
)


def _count(expr: pl.Expr, one: str, many: str) -> pl.Expr:
    """``"1 origin"`` / ``"3 origins"``."""
    return pl.concat_str([expr.cast(pl.String), pl.when(expr == 1).then(pl.lit(one)).otherwise(pl.lit(many))])


# The inputs of the rules, one value per incident (see GRADE_INPUTS).
_ORIGINS = pl.col("n_unofficial_origins")
_SUPPORTING = pl.col("n_supporting_origins")
_CONTRADICTING = pl.col("n_contradicting_origins")


def no_account() -> pl.Expr:
    """Rule 1, **weak**: no current account of the incident is recorded.

    Examples
    --------
    >>> pl.DataFrame({"n_accounts": [0, 3]}).select(no_account()).to_series().to_list()
    [True, False]
    """
    return pl.col("n_accounts") == 0


def sides_contradict() -> pl.Expr:
    """On at least one attribute the sides contradict each other (its status is ``contradict``)."""
    return pl.col("n_contradict") > 0


def discounted() -> pl.Expr:
    """Rule 2, **discounted**: the sides contradict each other, and the independent origins that support the
    operator on the point in dispute clearly outnumber those that contradict it: at least
    :data:`DISCOUNT_MIN_SUPPORT`, and more than :data:`DISCOUNT_RATIO` times as many.

    Examples
    --------
    >>> origins = pl.DataFrame({"n_contradict": [1, 1, 1], "n_supporting_origins": [3, 2, 2],
    ...                         "n_contradicting_origins": [1, 1, 0]})
    >>> origins.select(discounted()).to_series().to_list()
    [True, False, True]

    Three against one discounts the contradiction; two against one is close to a tie; two against none
    discounts it.
    """
    return sides_contradict() & (_SUPPORTING >= DISCOUNT_MIN_SUPPORT) & (_SUPPORTING > DISCOUNT_RATIO * _CONTRADICTING)


def contested() -> pl.Expr:
    """Rule 3, **contested**: the sides contradict each other, and the support for the operator on the disputed
    point falls short of rule 2 (:func:`discounted`).
    """
    return sides_contradict() & ~discounted()


def operator_claims() -> pl.Expr:
    """The operator's current accounts claim a value on at least one attribute: it gave a version."""
    return pl.col("_official_claims")


def independently_backed() -> pl.Expr:
    """Something beyond the operator's own word backs its version: on at least one attribute the operator
    speaks to, an account from an independent unofficial chain claims a value that fits (status ``agree``, with
    an independent account among those that agree: ``_n_backed``). An outlet repeating the operator's own
    statement backs nothing, even where it is the only other account that agrees.

    Examples
    --------
    >>> pl.DataFrame({"_n_backed": [2, 0]}).select(independently_backed()).to_series().to_list()
    [True, False]
    """
    return pl.col("_n_backed") > 0


def confirmed() -> pl.Expr:
    """Rule 4, **confirmed**: the operator gave a version, nothing contradicts it, and it is
    :func:`independently_backed`.
    """
    return operator_claims() & ~sides_contradict() & independently_backed()


def uncorroborated() -> pl.Expr:
    """Rule 5, **uncorroborated**: the operator gave a version that nothing contradicts, but no independent
    account speaks to the points it makes. Its own word is not confirmation of anything.
    """
    return operator_claims() & ~sides_contradict() & ~independently_backed()


def fair() -> pl.Expr:
    """Rule 6, **fair**: the operator claims nothing, at least two independent unofficial chains report the
    incident, and their claims fit one another on every attribute.

    Examples
    --------
    >>> chains = pl.DataFrame({"_official_claims": [False, False, False], "n_unofficial_origins": [2, 2, 1],
    ...                        "_unofficial_disagree": [False, True, False]})
    >>> chains.select(fair()).to_series().to_list()
    [True, False, False]

    Two chains that agree make it fair; two that disagree, or a single one, leave it weak (rule 7).
    """
    return ~operator_claims() & (_ORIGINS >= 2) & ~pl.col("_unofficial_disagree")


GRADE_RULES: tuple[tuple[str, Callable[[], pl.Expr]], ...] = (
    ("weak", no_account),
    ("discounted", discounted),
    ("contested", contested),
    ("confirmed", confirmed),
    ("uncorroborated", uncorroborated),
    ("fair", fair),
)
"""The rules in the order they are tried, each with the grade it gives; when none holds, rule 7: **weak**."""


def computed_grade() -> pl.Expr:
    """The grade of the first rule of :data:`GRADE_RULES` that holds; **weak** when none does (rule 7).

    Examples
    --------
    >>> row = {"n_accounts": 2, "n_contradict": 1, "n_supporting_origins": 0, "n_contradicting_origins": 1,
    ...        "n_unofficial_origins": 1, "acknowledged": True, "official_searched": True, "_official_claims": True,
    ...        "_unofficial_disagree": False, "_contradicted": "responsible party", "_disagreed": "", "_n_backed": 0}
    >>> pl.DataFrame([row]).select(computed_grade()).item()
    'contested'

    The operator and an unofficial origin blame different parties, and neither gives way.
    """
    grade = pl.lit("weak")
    for name, rule in reversed(GRADE_RULES):
        grade = pl.when(rule()).then(pl.lit(name)).otherwise(grade)
    return grade.alias("computed_grade")


def _operator_silence() -> pl.Expr:
    """What the operator's silence means: it spoke without a version, never spoke (where someone looked), or no
    official account is recorded (where nobody declared a search).
    """
    return (
        pl.when(pl.col("acknowledged"))
        .then(pl.lit("the operator spoke of the incident but gave no version of it"))
        .when(pl.col("official_searched"))
        .then(pl.lit("the operator has never spoken of it"))
        .otherwise(pl.lit("no official account is recorded"))
    )


def _weighed() -> pl.Expr:
    """``"1 independent source contradicts the operator, 2 support it on what is in dispute"``."""
    return pl.concat_str(
        [
            _count(_CONTRADICTING, " independent source contradicts", " independent sources contradict"),
            pl.lit(" the operator, "),
            _count(_SUPPORTING, " supports", " support"),
            pl.lit(" it on what is in dispute"),
        ]
    )


def _short_of_discounting() -> pl.Expr:
    """Where some origins support the operator: that they fall short of rule 2's margin."""
    times = {2: "twice", 3: "three times"}.get(DISCOUNT_RATIO, f"{DISCOUNT_RATIO} times")
    return (
        pl.when(_SUPPORTING > 0)
        .then(
            pl.lit(
                ", short of the margin that would discount the contradiction "
                f"(at least {DISCOUNT_MIN_SUPPORT} independent sources "
                f"supporting the operator, and more than {times} as many as contradict it)"
            )
        )
        .otherwise(pl.lit(""))
    )


def _sentence(*parts: pl.Expr | str) -> pl.Expr:
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])


def computed_grade_reason() -> pl.Expr:
    """The sentence saying which rule of :data:`GRADE_RULES` fired, and on what.

    Examples
    --------
    >>> alone = {"n_accounts": 1, "n_contradict": 0, "n_supporting_origins": 0, "n_contradicting_origins": 0,
    ...          "n_unofficial_origins": 0, "acknowledged": True, "official_searched": True,
    ...          "_official_claims": True, "_unofficial_disagree": False, "_contradicted": "", "_disagreed": "",
    ...          "_n_backed": 0}
    >>> pl.DataFrame([alone]).select(computed_grade_reason()).item()
    "Uncorroborated: only the operator's account is recorded, so its version rests on its own word."

    An operator's own version, with nobody else heard, is not confirmed.
    """
    silence = _operator_silence()
    return (
        pl.when(no_account())
        .then(pl.lit("Weak: no account of this incident is recorded."))
        .when(discounted())
        .then(
            _sentence(
                "Discounted: unofficial accounts contradict the operator on ",
                pl.col("_contradicted"),
                ". The weight of independent evidence is with the operator: ",
                _weighed(),
                ".",
            )
        )
        .when(contested())
        .then(
            _sentence(
                "Contested: the operator and unofficial accounts contradict each other on ",
                pl.col("_contradicted"),
                ". Neither side concedes: ",
                _weighed(),
                _short_of_discounting(),
                ".",
            )
        )
        .when(confirmed())
        .then(
            _sentence(
                "Confirmed: an account independent of the operator agrees with its version on ",
                _count(pl.col("_n_backed"), " point", " points"),
                " both speak to, and no account contradicts it (",
                _count(_ORIGINS, " independent source", " independent sources"),
                " in all).",
            )
        )
        .when(uncorroborated() & (_ORIGINS > 0))
        .then(
            _sentence(
                "Uncorroborated: the operator gave its version; ",
                _count(_ORIGINS, " independent source speaks", " independent sources speak"),
                " of the incident but not to the points the operator makes, so nothing independent backs it.",
            )
        )
        .when(uncorroborated())
        .then(pl.lit("Uncorroborated: only the operator's account is recorded, so its version rests on its own word."))
        .when(fair())
        .then(
            _sentence(
                "Fair: ",
                _ORIGINS.cast(pl.String),
                " independent sources report it and agree with one another; ",
                silence,
                ".",
            )
        )
        .when(_ORIGINS >= 2)
        .then(
            _sentence(
                "Weak: ",
                _ORIGINS.cast(pl.String),
                " independent sources report it but disagree with one another on ",
                pl.col("_disagreed"),
                "; ",
                silence,
                ".",
            )
        )
        .when(_ORIGINS == 1)
        .then(_sentence("Weak: it rests on a single independent source; ", silence, "."))
        .otherwise(pl.lit("Weak: no account claims a value on any compared attribute."))
        .alias("computed_grade_reason")
    )


def grade_exprs() -> tuple[pl.Expr, pl.Expr]:
    """The ``computed_grade`` and ``computed_grade_reason`` expressions (:func:`computed_grade`,
    :func:`computed_grade_reason`).

    They read, per incident: ``n_accounts``, ``n_contradict``, ``n_supporting_origins``,
    ``n_contradicting_origins``, ``n_unofficial_origins``, ``acknowledged``, ``official_searched``
    (the curators searched for official statements), ``_official_claims``
    (the operator claims a value on some attribute), ``_unofficial_disagree`` (two unofficial claims
    do not fit), ``_contradicted`` and ``_disagreed`` (labels of the attributes concerned) and ``_n_backed``
    (how many attributes agree with an account independent of the operator).
    """
    return computed_grade(), computed_grade_reason()


def with_grades(frame: pl.LazyFrame) -> pl.LazyFrame:
    """``frame`` (which holds :data:`GRADE_INPUTS`) with ``computed_grade`` and ``computed_grade_reason``.

    The sentences are written once per distinct combination of inputs, not once per incident: a
    million incidents share a few thousand combinations, joined back onto the incidents by their inputs.
    """
    inputs = list(GRADE_INPUTS)
    graded = frame.select(inputs).unique().with_columns(*grade_exprs())
    return frame.join(graded, on=inputs, how="left", maintain_order="left", nulls_equal=True)
