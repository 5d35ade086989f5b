"""Field-by-field statuses: for one attribute, what each side claims about each incident and how it compares.

The statuses (only current accounts count; a claim is a value other than unknown/not_stated):

- ``agree``: both sides claim, and every official claim fits every unofficial claim.
- ``contradict``: both sides claim, and some official claim does not fit some unofficial claim
  (different words; texts neither of which is the other less specific, see
  :func:`ddj.compare.claims.words_fit`; count ranges that do not overlap; different days; places
  in different countries; place texts within one country are shown side by side, not judged).
- ``official_silent``: unofficial accounts claim a value, the incident has no official account at
  all, and the curators declared that they searched for official statements on it: the operator
  never spoke of it (see :mod:`ddj.datasets.official_search`).
- ``no_official_record``: unofficial accounts claim a value and the incident has no official
  account, but nobody declared a search for official statements: "no official account recorded",
  which says nothing about whether the operator spoke.
- ``unofficial_only``: unofficial accounts claim a value; the operator spoke of the incident but
  none of its accounts claims a value on this attribute.
- ``official_only``: official accounts claim a value and no unofficial one does.
- ``unknown``: neither side claims a value.

Swapping the sides turns ``official_only`` into ``unofficial_only`` (or ``official_silent`` /
``no_official_record`` when the new official side has no account at all) and those into ``official_only``.

How "fits" is computed without comparing every pair: a claim is a range [lo, hi] (a point for
words, dates and a place's country; none for a place that names no country, which fits any). Some
official range misses some unofficial range exactly when the smallest official ``hi`` is below the
largest unofficial ``lo`` or the other way round, so four aggregates per incident decide. Texts are
compared pair by pair, once per distinct pair of values (:mod:`ddj.compare.pairs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ddj.compare._positions import counts, distinct_pairs, flags, lists, offsets, ranks
from ddj.compare.claims import Encoder
from ddj.compare.pairs import contradicted_positions, disagreeing_positions, origin_misfits

STATUSES = (
    "agree",
    "contradict",
    "official_silent",
    "no_official_record",
    "unofficial_only",
    "official_only",
    "unknown",
)
"""Every status an (incident, attribute) pair can have, in display order."""

STATUS_CODES = {status: code for code, status in enumerate(STATUSES)}
"""Each status's code: :func:`attribute_result` returns codes (UInt8); ``STATUSES[code]`` is the word."""

STATUS_DTYPE = pl.Enum(STATUSES)
"""The dtype of the ``status`` column in the output: an Enum of :data:`STATUSES` (one byte a row; it compares
with strings, and ``to_list`` gives strings). Its physical codes are :data:`STATUS_CODES`."""

LIST_COLUMNS = ("official_values", "unofficial_values", "official_account_ids", "unofficial_account_ids")
_OFF = pl.col("_off")


@dataclass(frozen=True)
class AttributeResult:
    """One attribute over every incident, by incident position: the output columns and the evidence the rules read.

    ``columns`` holds ``official_values``, ``unofficial_values``, ``official_account_ids``,
    ``unofficial_account_ids`` and ``n_unofficial_origins``. ``evidence`` holds, one row per incident,
    :data:`EVIDENCE`: whether each side claims a value (``official_claims``, ``unofficial_claims``), whether an
    unofficial account independent of the operator does (``independent_claims``: one that is not an outlet
    repeating the operator's own statement), whether some official claim does not fit some unofficial claim
    (``claims_misfit``), and whether two unofficial claims do not fit each other (``unofficial_disagree``; for
    texts only computed where the operator makes no claim on the attribute: the grades only ask there). The status
    itself is decided in the comparison's plan (:func:`status`, :mod:`ddj.compare.plan`). ``dictionary`` holds the
    rendered text of each value code.
    ``origin_claims`` weighs the unofficial origins where the sides contradict each other on this attribute
    (nowhere else can an origin support or contradict the operator on it): ``_inc``, ``_org``, ``_contra``
    (one of the origin's claims does not fit an official one) and ``_backs`` (one of them fits every official
    claim), one row per claim (see :func:`ddj.compare.corroboration.origin_weights`).
    """

    columns: dict[str, pl.Series]
    evidence: pl.DataFrame
    dictionary: pl.Series
    origin_claims: pl.DataFrame


EVIDENCE = ("official_claims", "unofficial_claims", "independent_claims", "claims_misfit", "unofficial_disagree")
"""What the rules read of one attribute, per incident (columns of :attr:`AttributeResult.evidence`)."""


def evidence_column(name: str, of: str | None = None) -> pl.Expr:
    """The column ``name`` of :data:`EVIDENCE`, of the attribute ``of`` (``"<of>.<name>"``) in a frame that holds
    every attribute's evidence; of the only attribute (``"<name>"``) when ``of`` is None.
    """
    return pl.col(f"{of}.{name}" if of else name)


# What the status rules read of the incident itself, whatever the attribute.
_ACKNOWLEDGED = pl.col("acknowledged")  # the incident has an official account at all, on any attribute
_SEARCHED = pl.col("official_searched")  # the curators declared a search for official statements on it


def _official_claims(of: str | None) -> pl.Expr:  # a current official account claims a value on the attribute
    return evidence_column("official_claims", of)


def _unofficial_claims(of: str | None) -> pl.Expr:  # a current unofficial account does
    return evidence_column("unofficial_claims", of)


def _misfit(of: str | None) -> pl.Expr:  # some official claim does not fit some unofficial claim
    return evidence_column("claims_misfit", of)


def agree(of: str | None = None) -> pl.Expr:
    """``agree``: both sides claim, and every official claim fits every unofficial claim."""
    return _official_claims(of) & _unofficial_claims(of) & ~_misfit(of)


def contradict(of: str | None = None) -> pl.Expr:
    """``contradict``: both sides claim, and some official claim does not fit some unofficial claim."""
    return _official_claims(of) & _unofficial_claims(of) & _misfit(of)


def official_silent(of: str | None = None) -> pl.Expr:
    """``official_silent``: unofficial accounts claim a value, the incident has no official account at all,
    and the curators declared a search for official statements on it: the operator never spoke of it.
    """
    return _unofficial_claims(of) & ~_ACKNOWLEDGED & _SEARCHED


def no_official_record(of: str | None = None) -> pl.Expr:
    """``no_official_record``: unofficial accounts claim a value and the incident has no official account, but
    nobody declared a search for official statements, which says nothing about whether the operator spoke.
    """
    return _unofficial_claims(of) & ~_ACKNOWLEDGED & ~_SEARCHED


def unofficial_only(of: str | None = None) -> pl.Expr:
    """``unofficial_only``: unofficial accounts claim a value; the operator spoke of the incident, but none of its
    accounts claims a value on this attribute.
    """
    return _unofficial_claims(of) & ~_official_claims(of) & _ACKNOWLEDGED


def official_only(of: str | None = None) -> pl.Expr:
    """``official_only``: official accounts claim a value and no unofficial one does."""
    return _official_claims(of) & ~_unofficial_claims(of)


def agrees_by_repeats_only() -> pl.Expr:
    """On rows of :attr:`~ddj.compare.Comparison.attributes`: the status is ``agree``, but every other account that
    agrees repeats the operator's own statement (no independent origin among them, ``n_unofficial_origins`` 0).
    The comparison counts such outlets as other accounts; a reader is told what they are
    (:data:`ddj.model.AGREE_BY_REPEATS_ONLY`).

    Examples
    --------
    >>> rows = pl.DataFrame({"status": ["agree", "agree", "contradict"], "n_unofficial_origins": [0, 2, 0]})
    >>> rows.select(agrees_by_repeats_only()).to_series().to_list()
    [True, False, False]
    """
    return ((pl.col("status") == "agree") & (pl.col("n_unofficial_origins") == 0)).alias("_repeats_only")


STATUS_RULES = (
    ("agree", agree),
    ("contradict", contradict),
    ("official_silent", official_silent),
    ("no_official_record", no_official_record),
    ("unofficial_only", unofficial_only),
    ("official_only", official_only),
)
"""Each status but ``unknown`` with its rule; the rules exclude one another, and ``unknown`` is none holding.
Each rule reads the evidence of the attribute it is given (:func:`evidence_column`)."""


def status(of: str | None = None) -> pl.Expr:
    """The status code of the attribute ``of`` (see :data:`STATUS_CODES`): the status whose rule in
    :data:`STATUS_RULES` holds, ``unknown`` where neither side claims a value.

    It reads the attribute's :data:`EVIDENCE` (``official_claims`` and ``unofficial_claims``: whether each
    side claims a value on it; ``claims_misfit``: some official claim does not fit some unofficial claim,
    read only where both claim) and the incident's ``acknowledged`` (it has any official account) and
    ``official_searched``. With ``of`` None the evidence columns carry no attribute's name.

    Examples
    --------
    >>> frame = pl.DataFrame({"official_claims": [True, False, False, False],
    ...     "unofficial_claims": [True, True, True, True], "claims_misfit": [True, False, False, False],
    ...     "acknowledged": [True, True, False, False], "official_searched": [True, True, True, False]})
    >>> [STATUSES[code] for code in frame.select(status())["status"]]
    ['contradict', 'unofficial_only', 'official_silent', 'no_official_record']

    Only unofficial accounts claim a value in the last three rows; in the last two no official account
    is recorded, which is the operator's silence only where the curators searched for one.
    """
    code = pl.lit(STATUS_CODES["unknown"], dtype=pl.UInt8)
    for name, rule in reversed(STATUS_RULES):
        code = pl.when(rule(of)).then(pl.lit(STATUS_CODES[name], dtype=pl.UInt8)).otherwise(code)
    return code.alias("status")


def ranges_misfit(official: str, unofficial: str) -> pl.Expr:
    """Some range of one side misses some range of the other: the smallest ``hi`` of one side is below the
    largest ``lo`` of the other (``{side}_min_hi`` and ``{side}_max_lo`` columns, per incident). Four
    aggregates decide it, without comparing every pair; an incident where a side has no range is no misfit.

    Examples
    --------
    >>> bounds = pl.DataFrame({"o_min_hi": [5, 5], "o_max_lo": [3, 3], "u_min_hi": [9, 4], "u_max_lo": [7, 4]})
    >>> bounds.select(ranges_misfit("o", "u")).to_series().to_list()
    [True, False]

    The official 3–5 misses an unofficial 7–9, and fits an unofficial 4.
    """
    first_below = pl.col(f"{official}_min_hi") < pl.col(f"{unofficial}_max_lo")
    second_below = pl.col(f"{unofficial}_min_hi") < pl.col(f"{official}_max_lo")
    return (first_below | second_below).fill_null(False)


def claim_rows(frame: pl.DataFrame, encoder: Encoder, *extra: str, official: bool | None = None) -> pl.LazyFrame:
    """The current accounts of ``frame`` that claim a value on the encoder's attribute (of one side, if given):
    ``_inc``, ``_off``, the ``extra`` columns, ``_lo``/``_hi`` (not for texts) and ``_vkey``, in frame order.

    ``frame`` holds ``_inc``, ``_off``, ``is_current`` and the encoder's code columns. The query is
    lazy, so only the columns it reads are filtered and the values are computed for kept rows only.

    Parameters
    ----------
    frame : polars.DataFrame
        The accounts, as described above.
    encoder : Encoder
        The attribute's encoder: its claim test, value key and, for numbers, the range bounds.
    *extra : str
        Further columns of ``frame`` to carry along (``_row``, ``_org``).
    official : bool, optional
        True for official accounts only, False for unofficial only, None for both.
    """
    bounds = (
        [encoder.lo.alias("_lo"), encoder.hi.alias("_hi")] if encoder.lo is not None and encoder.hi is not None else []
    )
    keep = encoder.claim & pl.col("is_current")
    if official is not None:
        keep = keep & (_OFF if official else ~_OFF)
    return (
        frame.lazy()
        .filter(keep)
        .select(pl.col("_inc").set_sorted(), "_off", *extra, *bounds, encoder.vkey.alias("_vkey"))
    )


def attribute_result(current: pl.DataFrame, encoder: Encoder, n: int) -> AttributeResult:
    """Gather one attribute's claims over every incident, and the evidence its status is decided on.

    ``current`` holds the accounts with ``_inc`` (the incident's position, 0..n-1), ``_off``
    (official side), ``is_current`` (only those count), ``_row`` (the account's row in the sorted
    accounts), ``_org`` (origin code), ``_echo`` (the account repeats the operator's own statement:
    :func:`~ddj.compare.corroboration.operator_chains`) and the encoder's code columns, sorted by ``_inc``
    then account id. ``n_unofficial_origins`` counts the independent origins only (no ``_echo``).

    The list columns hold small integers, not text, until the per-attribute tables are put
    together: account ids as ``_row`` numbers, values as indexes into :attr:`AttributeResult.dictionary`.

    Parameters
    ----------
    current : polars.DataFrame
        The accounts, as described above.
    encoder : Encoder
        The attribute's encoder: its claim test, value key and compatibility rule.
    n : int
        The number of incidents; the result has one row per position 0..n-1.
    """
    official, unofficial = pl.collect_all(
        [claim_rows(current, encoder, "_row", "_org", "_echo", official=side) for side in (True, False)]
    )
    o_at, u_at = offsets(official.get_column("_inc"), n), offsets(unofficial.get_column("_inc"), n)
    columns: dict[str, pl.Series] = {}
    distinct = [distinct_pairs(side.get_column("_inc"), side.get_column("_vkey")) for side in (official, unofficial)]
    vocabulary = pl.concat([d.get_column("_vkey") for d in distinct]).unique().sort()
    for values, name in zip(distinct, ("official_values", "unofficial_values"), strict=True):
        codes = ranks(values.get_column("_vkey"), vocabulary)
        columns[name] = lists(offsets(values.get_column("_inc"), n), codes, name)
    columns["official_account_ids"] = lists(o_at, official.get_column("_row"), "official_account_ids")
    columns["unofficial_account_ids"] = lists(u_at, unofficial.get_column("_row"), "unofficial_account_ids")
    # Independent origins only: an outlet repeating the operator's own statement (``_echo``) is no independent voice.
    independent = unofficial.filter(~pl.col("_echo")) if unofficial.get_column("_echo").any() else unofficial
    i_at = offsets(independent.get_column("_inc"), n) if independent is not unofficial else u_at
    columns["n_unofficial_origins"] = (
        lists(i_at, independent.get_column("_org")).list.n_unique().cast(pl.UInt32).alias("n_unofficial_origins")
    )
    frame = pl.DataFrame(
        {
            "official_claims": counts(o_at) > 0,
            "unofficial_claims": counts(u_at) > 0,
            "independent_claims": counts(i_at) > 0,
        }
    )
    if encoder.lo is not None:
        frame = frame.with_columns(
            lists(o_at, official.get_column("_hi")).list.min().alias("o_min_hi"),
            lists(o_at, official.get_column("_lo")).list.max().alias("o_max_lo"),
            lists(u_at, unofficial.get_column("_hi")).list.min().alias("u_min_hi"),
            lists(u_at, unofficial.get_column("_lo")).list.max().alias("u_max_lo"),
        ).with_columns(
            ranges_misfit("o", "u").alias("claims_misfit"),
            (pl.col("u_min_hi") < pl.col("u_max_lo")).fill_null(False).alias("unofficial_disagree"),
        )
    else:
        assert encoder.compatible is not None
        contra = flags(contradicted_positions(distinct[0], distinct[1], encoder.compatible), n)
        quiet = flags(official.get_column("_inc"), n).not_()
        # Only where the operator makes no claim on this attribute (see AttributeResult).
        asked = distinct[1].filter(pl.lit(quiet).gather(pl.col("_inc")))
        disagree = flags(disagreeing_positions(asked, encoder.compatible), n)
        frame = frame.with_columns(contra.alias("claims_misfit"), disagree.alias("unofficial_disagree"))
    evidence = frame.select(EVIDENCE)
    # The origins are weighed where the sides contradict each other: the status rule's own test.
    disputed = pl.lit(frame.select(contradict()).to_series()).gather(pl.col("_inc"))
    if encoder.lo is not None:
        # A claim without a range (a place that names no country) fits any: null is no contradiction, nor support.
        misfit = (pl.col("_lo") > pl.lit(frame.get_column("o_min_hi")).gather(pl.col("_inc"))) | (
            pl.col("_hi") < pl.lit(frame.get_column("o_max_lo")).gather(pl.col("_inc"))
        )
        origin_claims = (
            unofficial.lazy()
            .filter(disputed)
            .select(
                "_inc", "_org", misfit.fill_null(False).alias("_contra"), (~misfit).fill_null(False).alias("_backs")
            )
            .collect()
        )
    else:
        assert encoder.compatible is not None
        misfits = origin_misfits(
            official.lazy().filter(disputed).select("_inc", "_vkey").collect(),
            unofficial.lazy().filter(disputed).select("_inc", "_org", "_vkey").collect(),
            encoder.compatible,
        )
        origin_claims = misfits.select("_inc", "_org", "_contra", (~pl.col("_contra")).alias("_backs"))
    return AttributeResult(
        columns=columns,
        evidence=evidence,
        dictionary=vocabulary.to_frame("_vkey").select(encoder.render(pl.col("_vkey"))).to_series().alias("value"),
        origin_claims=origin_claims,
    )
