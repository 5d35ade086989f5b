"""The comparison's rules as one lazy plan: from the evidence on each attribute to a graded incident.

Read from top to bottom, :func:`incident_plan` is the method:

1. **Statuses** (:mod:`~ddj.compare.statuses`): on each compared attribute, whether the sides agree,
   contradict each other, or only one of them speaks (and whether the operator's silence was looked for).
2. **Tallies**: how many attributes of the incident have each status, and which are contradicted.
3. **Corroboration** (:mod:`~ddj.compare.corroboration`): the independent unofficial origins that support
   and that contradict the operator on what is in dispute.
4. **Grades** (:mod:`~ddj.compare.grades`): the first grade rule that holds, and the sentence saying why.
5. **Overrides** (:mod:`~ddj.compare.overrides`): an editor's decision, where one is in force.

Each step is a set of named polars expressions; polars runs the plan in one query. What the plan reads is
the evidence, gathered attribute by attribute by the measured passes of :func:`~ddj.compare.statuses.attribute_result`
(which claims each side makes, and whether they fit); the plan itself loops over nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import polars as pl

from ddj.compare.corroboration import origin_weights
from ddj.compare.grades import with_grades
from ddj.compare.overrides import with_grade_overrides
from ddj.compare.statuses import STATUS_CODES, STATUSES, evidence_column, status
from ddj.model import COMPARED_ATTRIBUTES

INCIDENT_COLUMNS = (
    "incident_id",
    "n_accounts",
    "n_official",
    "n_unofficial",
    "n_superseded",
    "n_unofficial_origins",
    "n_supporting_origins",
    "n_contradicting_origins",
    "acknowledged",
    "official_searched",
    "first_official_date",
    "first_unofficial_date",
    "days_to_official",
    "days_unofficial_to_official",
    "official_changed",
    *(f"n_{status}" for status in STATUSES),
    "contradicted_attributes",
    "computed_grade",
    "computed_grade_reason",
    "grade",
    "grade_reason",
    "grade_overridden",
    "override_id",
    "override_editor",
    "override_date",
    "override_reason",
)
"""Columns of :attr:`~ddj.compare.Comparison.incidents`, in order: what the plan gives, with the statuses."""


def status_column(attribute: str) -> str:
    """The name of the plan's column holding the status code of ``attribute`` (``"<attribute>.status"``)."""
    return f"{attribute}.status"


def attribute_statuses(attributes: Sequence[str]) -> list[pl.Expr]:
    """Step 1: each attribute's status code (:func:`~ddj.compare.statuses.status`), in a column of its own."""
    return [status(of=name).alias(status_column(name)) for name in attributes]


def status_tallies(attributes: Sequence[str], labels: Sequence[str]) -> list[pl.Expr]:
    """Step 2: per incident, how many attributes have each status (``n_agree`` ...), how many agree with an account
    independent of the operator among those that agree (``_n_backed``: an outlet repeating the operator's own
    statement backs nothing), the labels of the contradicted ones (``contradicted_attributes``) and of those on
    which unofficial claims disagree with one another (``_disagreed``), and whether any does
    (``_unofficial_disagree``) and whether the operator claims a value on any attribute (``_official_claims``).
    """
    codes = [pl.col(status_column(name)) for name in attributes]
    disagree = [evidence_column("unofficial_disagree", name) for name in attributes]
    contradicted = [code == STATUS_CODES["contradict"] for code in codes]
    backed = [
        (code == STATUS_CODES["agree"]) & evidence_column("independent_claims", name)
        for code, name in zip(codes, attributes, strict=True)
    ]
    return [
        *[
            pl.sum_horizontal([(code == STATUS_CODES[s]).cast(pl.UInt32) for code in codes]).alias(f"n_{s}")
            for s in STATUSES
        ],
        pl.sum_horizontal([b.cast(pl.UInt32) for b in backed]).alias("_n_backed"),
        _labels_where(contradicted, labels).alias("contradicted_attributes"),
        _labels_where(disagree, labels).alias("_disagreed"),
        pl.any_horizontal(disagree).alias("_unofficial_disagree"),
        pl.any_horizontal([evidence_column("official_claims", name) for name in attributes]).alias("_official_claims"),
    ]


def incident_plan(
    evidence: pl.DataFrame, origin_claims: pl.LazyFrame, overrides: pl.DataFrame, operator: pl.Series | None = None
) -> pl.LazyFrame:
    """The incidents, graded: :data:`INCIDENT_COLUMNS` and each attribute's status code (:func:`status_column`), one
    row per row of ``evidence``, in its order.

    Parameters
    ----------
    evidence : polars.DataFrame
        One row per incident: ``_inc`` (its position), ``incident_id``, the acknowledgement columns and counts
        (:func:`~ddj.compare.acknowledgement.acknowledgement`), ``official_searched``, ``official_changed``,
        ``n_unofficial_origins``, and each compared attribute's evidence
        (:data:`~ddj.compare.statuses.EVIDENCE`, as ``"<attribute>.<name>"``).
    origin_claims : polars.LazyFrame
        The unofficial claims on contradicted attributes, every attribute's
        (:attr:`~ddj.compare.statuses.AttributeResult.origin_claims`).
    overrides : polars.DataFrame
        The dataset's ``overrides`` resource.
    operator : polars.Series, optional
        The operator's own chains (:func:`~ddj.compare.corroboration.origin_weights`).
    """
    attributes = [a.name for a in COMPARED_ATTRIBUTES]
    labels = [a.label for a in COMPARED_ATTRIBUTES]
    weights = ("n_supporting_origins", "n_contradicting_origins")
    return (
        evidence.lazy()
        .with_columns(attribute_statuses(attributes))
        .with_columns(status_tallies(attributes, labels))
        .with_columns(pl.col("contradicted_attributes").alias("_contradicted"))  # as the grade rules read it
        .join(origin_weights(origin_claims, operator), on="_inc", how="left", maintain_order="left")
        .with_columns(pl.col(weights).fill_null(0))
        .pipe(with_grades)
        .pipe(with_grade_overrides, overrides)
        .select(*INCIDENT_COLUMNS, *map(status_column, attributes))
    )


def _labels_where(mask: list[pl.Expr], labels: Sequence[str]) -> pl.Expr:
    """The labels of the attributes where ``mask`` holds, joined by commas ("" where none does).

    One bit per attribute; the labels are joined once per distinct set of bits, not once per incident.
    """
    if len(labels) > 12:  # 4,096 sets of bits: beyond that, join per incident
        return pl.concat_str(
            [pl.when(m).then(pl.lit(label)) for m, label in zip(mask, labels, strict=True)],
            separator=", ",
            ignore_nulls=True,
        )
    bits = pl.sum_horizontal([m.cast(pl.UInt32) * (1 << i) for i, m in enumerate(mask)])
    return pl.lit(_label_sets(tuple(labels))).gather(bits)


@functools.cache
def _label_sets(labels: tuple[str, ...]) -> pl.Series:
    """The labels joined for every set of bits (bit i: ``labels[i]``), in the order of the sets' numbers."""
    texts = [", ".join(label for i, label in enumerate(labels) if b >> i & 1) for b in range(1 << len(labels))]
    return pl.Series(texts, dtype=pl.String)
