"""``compare(dataset)``: every incident's official and unofficial accounts, set side by side.

First the evidence, each step in its own module: supersession (:mod:`~ddj.compare.history`), claims as
numbers (:mod:`~ddj.compare.claims`), each attribute's claims and whether they fit
(:mod:`~ddj.compare.statuses`, texts pair by pair in :mod:`~ddj.compare.pairs`), acknowledgement
(:mod:`~ddj.compare.acknowledgement`) and independent chains (:mod:`~ddj.compare.corroboration`). Then
the rules, as one lazy plan (:mod:`~ddj.compare.plan`): statuses, tallies, corroboration, grades
(:mod:`~ddj.compare.grades`) and editors' overrides (:mod:`~ddj.compare.overrides`). All of it is polars
expressions over whole columns; the only Python loop is over the compared attributes.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from ddj.compare._positions import flags, positions_of
from ddj.compare.acknowledgement import acknowledgement
from ddj.compare.attribute_table import AttributeBatches, attribute_batches, attribute_table
from ddj.compare.claims import code_columns, encoders
from ddj.compare.corroboration import chain_labels, independent_origins, operator_chains
from ddj.compare.history import currency, official_changes
from ddj.compare.plan import INCIDENT_COLUMNS, incident_plan, status_column
from ddj.compare.statuses import AttributeResult, attribute_result
from ddj.datasets.official_search import OfficialSearch, read_official_search
from ddj.errors import InvalidValueError, NotFoundError, UnusableDataError, WrongDatasetKindError
from ddj.model import COMPARED_ATTRIBUTES

if TYPE_CHECKING:
    from collections.abc import Callable

    from ddj.datasets.dataset import Dataset

# Independent steps and attributes run side by side. At a million incidents 2, 3 and 4 threads took the same
# time (4.83, 4.81 and 4.87 s best of three, December 2026): polars' own pool uses both cores either way.
_THREADS = 2

INCIDENT_COLUMNS_READ = ("incident_id", "date_start")
"""The columns of the incidents :func:`compare` reads (a caller that filters on nothing else can load only these)."""

ACCOUNT_COLUMNS_READ = (
    "incident_id",
    "account_id",
    "source_id",
    "side",
    "published_date",
    "supersedes_account_id",
    "origin",
    "reported_in",
    *dict.fromkeys(column for attribute in COMPARED_ATTRIBUTES for column in attribute.columns),
)
"""The columns of the accounts :func:`compare` reads. A caller that needs nothing else of the accounts (``ddj
compare``) loads only these: ``ddj.load(dataset, columns={"accounts": ACCOUNT_COLUMNS_READ})`` gives the same
incidents, attributes and changes, and an ``accounts`` frame of these columns only. At a million incidents it
leaves the statements, addresses and notes on disk (110 MB of the accounts' 900 MB in memory); ``ddj compare
--out`` peaked at 3.60–3.74 GB so in seven runs, against 3.97 GB loading every column (December 2026)."""


@dataclass(frozen=True)
class Comparison:
    """The comparison of a dataset's accounts: four polars frames, each in a stable order.

    Attributes
    ----------
    incidents
        One row per incident, sorted by ``incident_id``: account counts, independent origins,
        acknowledgement (``acknowledged``, first official and unofficial dates, days between),
        ``official_searched`` (whether the curators declared a search for official statements on it:
        without one, no official account is ``no_official_record``, not ``official_silent``),
        ``official_changed``, counts per status (``n_agree`` ...), the grade the rules give
        (``computed_grade``, ``computed_grade_reason``) and the grade in force (``grade``,
        ``grade_reason``, ``grade_overridden`` and the override's id, editor, date and reason).
    attributes
        One row per incident and compared attribute (incidents sorted, attributes in
        :data:`ddj.model.COMPARED_ATTRIBUTES` order): the values each side claims, rendered for
        people and sorted; the ids of the current accounts that claim them; the independent
        unofficial origins among those; and the ``status``.

    Low-cardinality words are Enums, one byte a row: ``attribute`` (here and in ``changes``,
    :data:`~ddj.compare.claims.ATTRIBUTE_DTYPE`), ``label`` (:data:`~ddj.compare.claims.LABEL_DTYPE`),
    and ``status`` (:data:`~ddj.compare.statuses.STATUS_DTYPE`); ``official_values`` and
    ``unofficial_values`` are lists of an Enum of the values that occur (two bytes an element). They
    compare with strings (``pl.col("status") == "contradict"``, ``.list.contains("Syria")``) and
    ``to_list()`` gives strings; cast them to ``pl.String`` (``pl.List(pl.String)``) for string
    functions (``.str``, ``.list.join``), or to join or stack them with plain text columns.
    changes
        One row per attribute on which an official account differs from the earlier account of the
        same source it supersedes, with both dates and both values.
    accounts
        The accounts compared (published by ``as_of``), sorted by incident then account id, with
        ``is_current`` and ``superseded_by``: the visible history.
    as_of
        Accounts and overrides after this date were left out (None: all of them).
    """

    incidents: pl.DataFrame
    attributes: pl.DataFrame
    changes: pl.DataFrame
    accounts: pl.DataFrame
    as_of: dt.date | None = None

    def for_incident(self, incident_id: str) -> Comparison:
        """The comparison restricted to one incident.

        Raises
        ------
        NotFoundError
            No incident has that id.
        """
        keep = pl.col("incident_id") == incident_id
        incidents = self.incidents.filter(keep)
        if incidents.height == 0:
            examples = self.incidents["incident_id"].head(3).to_list()
            msg = f"no incident {incident_id!r} in this comparison; its ids look like {examples}"
            raise NotFoundError(msg)
        return Comparison(
            incidents, self.attributes.filter(keep), self.changes.filter(keep), self.accounts.filter(keep), self.as_of
        )

    def to_dict(self, *, accounts: bool = True) -> dict[str, Any]:
        """The comparison as plain JSON-ready data: lists of row dicts, dates as ``YYYY-MM-DD``."""
        out: dict[str, Any] = {"as_of": self.as_of.isoformat() if self.as_of else None}
        frames = {"incidents": self.incidents, "attributes": self.attributes, "changes": self.changes}
        if accounts:
            frames["accounts"] = self.accounts
        for name, frame in frames.items():
            out[name] = json.loads(frame.write_json()) if frame.height else []
        return out


def compare(dataset: Dataset, *, as_of: dt.date | None = None, chunk_rows: int | None = None) -> Comparison:
    """Compare the official and unofficial accounts of every incident of ``dataset``.

    Parameters
    ----------
    dataset
        A :class:`ddj.Dataset` of kind ``incidents`` (from :func:`ddj.load`).
    as_of
        Leave out accounts published, and overrides decided, after this date: the comparison as it
        stood then.
    chunk_rows
        Build the per-attribute table (:attr:`Comparison.attributes`) in chunks of this many rows
        instead of one: a writer can then hand each chunk to a Parquet row group as it is, without
        copying it. None: one chunk, fastest for filters and gathers. (A writer that never needs the
        table whole takes it from :func:`compare_in_batches`, as ``ddj compare --out`` does.)

    Returns
    -------
    Comparison
        New frames; the dataset's frames are not changed.

    Raises
    ------
    WrongDatasetKindError
        ``dataset`` is not of kind ``incidents``.
    UnusableDataError
        Accounts name incidents that are not in the incidents table (the dataset was not validated).
    InvalidValueError
        ``chunk_rows`` is not a whole number of 1 or more.

    Examples
    --------
    >>> import ddj
    >>> result = compare(ddj.load("syria-ru-aviation", warn=False))
    >>> campaign = result.incidents.filter(pl.col("incident_id") == "syr-2016-08-retaliation-strikes")
    >>> campaign.select("acknowledged", "n_official_silent", "grade").row(0)
    (False, 3, 'fair')

    No official source ever spoke of the strike campaign after the Mi-8 was shot down: three of
    its attributes are reported only by unofficial accounts, and three independent origins that
    agree with one another make the grade fair.
    """
    _check_rows("chunk_rows", chunk_rows, optional=True)
    incidents, attributes, changes, accounts = _comparison(
        dataset, as_of, functools.partial(attribute_table, chunk_rows=chunk_rows)
    )
    return Comparison(incidents, attributes, changes, accounts, as_of)


def compare_in_batches(
    dataset: Dataset, *, rows: int, as_of: dt.date | None = None
) -> tuple[pl.DataFrame, AttributeBatches]:
    """The incident table of :func:`compare`, and its per-attribute table in batches of ``rows`` rows, not yet built.

    For a writer that takes the per-attribute table batch by batch (``ddj compare --out`` hands each batch
    to a Parquet row group): the whole table is never held, nor the accounts once this returns.

    Parameters
    ----------
    dataset
        A :class:`ddj.Dataset` of kind ``incidents`` (from :func:`ddj.load`).
    rows
        Rows per batch.
    as_of
        As for :func:`compare`.

    Returns
    -------
    tuple[pl.DataFrame, AttributeBatches]
        :attr:`Comparison.incidents`, and :attr:`Comparison.attributes` as
        :class:`~ddj.compare.attribute_table.AttributeBatches`: ``batches.collect()`` is the table
        :func:`compare` gives.

    Raises
    ------
    WrongDatasetKindError, UnusableDataError
        As for :func:`compare`.
    InvalidValueError
        ``rows`` is not a whole number of 1 or more.

    Examples
    --------
    >>> import ddj
    >>> dataset = ddj.load("syria-ru-aviation", warn=False)
    >>> incidents, batches = compare_in_batches(dataset, rows=60)
    >>> batches.height, len(batches), batches.batch(3).height  # 20 incidents, 10 attributes each
    (200, 4, 20)
    >>> batches.collect().equals(compare(dataset).attributes)
    True
    """
    _check_rows("rows", rows, optional=False)
    incidents, attributes, _, _ = _comparison(dataset, as_of, functools.partial(attribute_batches, rows=rows))
    return incidents, attributes


def _check_rows(name: str, rows: object, *, optional: bool) -> None:
    """Refuse ``rows`` unless it is a whole number of 1 or more (or None, when ``optional``)."""
    if rows is None and optional:
        return
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 1:
        otherwise = " (or None for one chunk)" if optional else ""
        msg = f"{name} must be a whole number of rows, 1 or more{otherwise}, not {rows!r}"
        raise InvalidValueError(msg)


def _comparison(
    dataset: Dataset,
    as_of: dt.date | None,
    build_table: Callable[[pl.Series, list[AttributeResult], pl.Series, Callable[[], list[pl.Series]]], Any],
) -> tuple[pl.DataFrame, Any, pl.DataFrame, pl.DataFrame]:
    """The comparison's incidents, per-attribute table (what ``build_table(incident_ids, results, account_ids,
    statuses)`` makes of the attributes' results, on this thread while the incidents are graded beside it;
    ``statuses()`` waits for the grading and gives each attribute's status codes), changes, and accounts with
    their history.
    """
    if getattr(dataset, "kind", "incidents") != "incidents":
        name = getattr(dataset, "name", "this dataset")
        msg = f"compare needs an incident dataset; {name!r} is of kind {dataset.kind!r}"
        raise WrongDatasetKindError(msg)
    accounts = dataset.accounts
    overrides = dataset.overrides
    if as_of is not None:
        accounts = accounts.filter(pl.col("published_date") <= as_of)
        overrides = overrides.filter(pl.col("decided_on") <= as_of)
    accounts = _sorted(accounts, ("incident_id", "account_id"))
    index = dataset.incidents.select(INCIDENT_COLUMNS_READ)
    if not index.get_column("incident_id").is_sorted():  # a package written sorted is not sorted again
        index = index.sort("incident_id")
    # In one chunk (a package read from Parquet comes in one per row group): the incident ids are gathered onto
    # ten million attribute rows, 21 against 125 ms from eight chunks (December 2026).
    index = index.with_row_index("_inc").rechunk()
    n = index.height

    with ThreadPoolExecutor(_THREADS) as pool:  # polars releases the GIL: independent steps run side by side
        history_job = pool.submit(currency, accounts)
        positions_job = pool.submit(positions_of, accounts.get_column("incident_id"), index.get_column("incident_id"))
        encs = encoders(accounts)
        history, positions = history_job.result(), positions_job.result()
        if positions.null_count():
            unknown = accounts.filter(positions.is_null()).get_column("incident_id").head(3).to_list()
            msg = f"accounts name incidents that are not in the incidents table, e.g. {unknown}; validate the dataset"
            raise UnusableDataError(msg)
        # An account's independent chain (shared origin or shared publication) stands for its origin. The chains,
        # the history of changes and acknowledgement need none of one another: they run side by side.
        official = accounts.get_column("side") == "official"
        chains_job = pool.submit(
            chain_labels, accounts.select(positions.alias("_inc"), official.alias("_off"), "origin", "reported_in")
        )
        # Only the columns the history of changes reads (not the chains'), for the accounts in a supersession.
        wanted = [c for c in ACCOUNT_COLUMNS_READ if c not in ("origin", "reported_in")]
        changed = accounts.select(wanted).filter(
            pl.col("supersedes_account_id").is_not_null() | ~history.get_column("is_current")
        )
        changes_job = pool.submit(official_changes, changed, encs)
        searched = _searched(dataset, index.get_column("incident_id"))
        dated = pl.DataFrame(
            [positions.alias("_inc").set_sorted(), official.alias("_off"), history.get_column("is_current")]
        ).with_columns(accounts.get_column("published_date"))
        ack = acknowledgement(dated, index).with_columns(searched)
        del dated
        chains = chains_job.result()
        operator = chains.filter(official)
        current = accounts.select(
            "published_date",
            pl.int_range(0, pl.len(), dtype=pl.UInt32).alias("_row"),
            (pl.col("side") == "official").alias("_off"),
            *code_columns(encs),
        ).with_columns(
            positions.alias("_inc").set_sorted(),
            history.get_column("is_current"),
            chains.alias("_org"),
            operator_chains(chains, official),
        )
        origins_job = pool.submit(independent_origins, current, n)
        results = list(pool.map(lambda enc, current=current: attribute_result(current, enc, n), encs))
        del current  # every step that reads it is done
        changes, origins_n = changes_job.result(), origins_job.result()
        evidence = _evidence(index, ack, results, origins_n, changes)
        origin_claims = pl.concat([r.origin_claims for r in results]).lazy()
        # The rules run in the pool while this thread builds the per-attribute table, the largest output; the
        # table's last column, the statuses, waits for them.
        # The in-memory engine: 0.38-0.41 s at a million incidents against 0.62-0.67 s for the streaming one,
        # which polars runs by default (one thread alone, December 2026).
        plan = incident_plan(evidence, origin_claims, overrides, operator)
        graded_job = pool.submit(plan.collect, engine="in-memory")
        del evidence, origin_claims, plan
        # One chunk: gathering from a column in many chunks (one per row group read) is ten times slower.
        account_ids = accounts.get_column("account_id").rechunk()

        def statuses() -> list[pl.Series]:
            graded = graded_job.result()
            return [graded.get_column(status_column(a.name)) for a in COMPARED_ATTRIBUTES]

        attributes = build_table(index.get_column("incident_id"), results, account_ids, statuses)
        incidents = graded_job.result().select(INCIDENT_COLUMNS)
    history_frame = accounts.with_columns(history.get_column("is_current"), history.get_column("superseded_by"))
    return incidents, attributes, changes, history_frame


def _evidence(
    index: pl.DataFrame, ack: pl.DataFrame, results: list[AttributeResult], origins_n: pl.Series, changes: pl.DataFrame
) -> pl.DataFrame:
    """What the rules read, one row per incident (see :func:`~ddj.compare.plan.incident_plan`)."""
    changed = index.join(changes.select("incident_id").unique(), on="incident_id", how="semi").get_column("_inc")
    return pl.DataFrame(
        {
            "_inc": index.get_column("_inc"),
            "incident_id": index.get_column("incident_id"),
            **ack.drop("_inc").to_dict(),
            "official_changed": flags(changed, index.height),
            "n_unofficial_origins": origins_n,
            **{
                f"{attribute.name}.{name}": column
                for attribute, r in zip(COMPARED_ATTRIBUTES, results, strict=True)
                for name, column in r.evidence.to_dict().items()
            },
        }
    )


def _searched(dataset: Dataset, incident_ids: pl.Series) -> pl.Series:
    """By incident, whether the curators declared a search for official statements on it (the dataset's
    ``official_search``; not declared: on none).
    """
    search = getattr(dataset, "official_search", None)
    if not isinstance(search, OfficialSearch):
        search = read_official_search(getattr(dataset, "descriptor", None))
    listed = incident_ids.is_in(pl.Series(sorted(search.exceptions), dtype=pl.String).implode())
    return (listed.not_() if search.searched else listed).alias("official_searched")


def _sorted(frame: pl.DataFrame, keys: tuple[str, str]) -> pl.DataFrame:
    """``frame`` sorted by two string keys; returned as is (no copy) when it already is.

    The check compares each row with the one before through two slices of the columns: 57 ms for 3,900,000
    accounts, against 94 ms for the same test written with ``shift`` (December 2026).
    """
    if frame.height < 2:
        return frame
    first, second = frame.get_column(keys[0]), frame.get_column(keys[1])
    if first.is_sorted():
        same = first.slice(1) == first.slice(0, first.len() - 1)
        if (~same | (second.slice(1) > second.slice(0, second.len() - 1))).all():
            return frame
    return frame.sort(*keys)
