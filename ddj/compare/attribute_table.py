"""The per-attribute table of a comparison (:attr:`~ddj.compare.Comparison.attributes`), put together.

The claims come attribute by attribute (:func:`~ddj.compare.statuses.attribute_result`: one row per incident),
the statuses from the comparison's plan (:mod:`~ddj.compare.plan`); the table runs incident by incident, each
incident's attributes in model order. Putting it together interleaves the ten attributes' columns and turns
codes into text: row numbers into account ids, value codes into the values' Enum. :func:`attribute_table`
builds the whole table, one column at a time (each column's pieces are freed before the next);
:class:`AttributeBatches` builds it batch by batch of rows, each batch when it is asked for, so a writer never
holds the whole table (``ddj compare --out``).

Each chunk of rows is put together from its own incidents' rows only: the slice of every attribute's column
for those incidents, stacked and gathered into incident-major order, so no copy of a whole column is made
on the way.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import polars as pl

from ddj.compare._positions import relabel
from ddj.compare.claims import ATTRIBUTE_DTYPE, LABEL_DTYPE
from ddj.compare.statuses import LIST_COLUMNS, STATUS_DTYPE, STATUSES

if TYPE_CHECKING:
    from collections.abc import Callable

    from ddj.compare.statuses import AttributeResult

ATTRIBUTE_COLUMNS = (
    "incident_id",
    "attribute",
    "label",
    *LIST_COLUMNS,
    "n_unofficial_origins",
    "status",
)
"""Columns of :attr:`Comparison.attributes`, in order."""

# Chunks of one column are built side by side: polars releases the GIL.
_THREADS = 2


class _Parts:
    """What the table's columns are made from, and how a chunk of rows of one column is made."""

    def __init__(
        self,
        incident_ids: pl.Series,
        results: list[AttributeResult],
        account_ids: pl.Series,
        statuses: Callable[[], list[pl.Series]],
    ) -> None:
        self.incident_ids = incident_ids
        self.n, self.k = incident_ids.len(), len(results)
        dictionary = pl.concat([r.dictionary for r in results])
        # The values as an Enum of the texts that occur (in order of first appearance: attribute by attribute,
        # each attribute's values in their sort order): two bytes an element instead of sixteen.
        values_dtype = pl.Enum(dictionary.drop_nulls().unique(maintain_order=True))
        # Each attribute's value codes map to the Enum's physical codes: the values stay integers until the
        # interleaved lists are reinterpreted as the Enum (no text is looked up per element).
        physical = dictionary.cast(values_dtype).to_physical()
        self.lookups, first = [], 0
        for r in results:
            self.lookups.append(physical.slice(first, r.dictionary.len()))
            first += r.dictionary.len()
        words = pl.Series("status", STATUSES, dtype=STATUS_DTYPE)
        self.finishing: dict[str, Callable[[pl.Series], pl.Series]] = {
            "official_values": lambda part: part.list.eval(pl.element().cat.to(values_dtype)),
            "unofficial_values": lambda part: part.list.eval(pl.element().cat.to(values_dtype)),
            "official_account_ids": lambda part: relabel(part, account_ids),
            "unofficial_account_ids": lambda part: relabel(part, account_ids),
            "status": words.gather,
        }
        self.pieces = {name: [r.columns.pop(name) for r in results] for name in ATTRIBUTE_COLUMNS[3:-1]}
        self._statuses = statuses  # asked for when the status column is first built: the grading may still run

    @property
    def height(self) -> int:
        return self.n * self.k

    def bounds(self, rows: int) -> list[tuple[int, int]]:
        """The first and end row of each chunk of ``rows`` rows (one empty chunk for an empty table)."""
        return [(start, min(start + rows, self.height)) for start in range(0, self.height, rows)] or [(0, 0)]

    def column(self, name: str, start: int, end: int, *, release: bool = False) -> pl.Series:
        """Rows ``start`` to ``end`` of column ``name``. With ``release``, the column's pieces are let go: a chunk
        of every row then frees each piece as soon as it is copied.
        """
        k = self.k
        position = pl.int_range(start, end, dtype=pl.UInt32, eager=True)
        if name == "incident_id":
            return self.incident_ids.gather(position // k).alias(name)
        if name in ("attribute", "label"):
            dtype = ATTRIBUTE_DTYPE if name == "attribute" else LABEL_DTYPE
            return pl.Series(name, dtype.categories, dtype=dtype).gather(position % k)
        a, b = start // k, (end - 1) // k + 1 if end else 0  # the chunk's first incident and the one after its last
        order = (position % k) * (b - a) + (position // k - a)  # incident-major rows in the attribute-major stack
        if name == "status" and name not in self.pieces:
            self.pieces[name] = self._statuses()
        pieces = self.pieces.pop(name) if release else self.pieces[name]
        slices = [piece.slice(a, b - a) for piece in pieces]
        del pieces
        if name.endswith("_values"):  # codes index each attribute's dictionary: into the Enum's physical codes
            slices = [relabel(piece, lookup) for piece, lookup in zip(slices, self.lookups, strict=True)]
        stacked = pl.concat(slices, rechunk=True)
        del slices
        gathered = stacked.gather(order)  # gathers from one chunk are fast
        del stacked
        return self.finishing.get(name, lambda part: part)(gathered).alias(name)


def attribute_table(
    incident_ids: pl.Series,
    results: list[AttributeResult],
    account_ids: pl.Series,
    statuses: Callable[[], list[pl.Series]],
    chunk_rows: int | None = None,
) -> pl.DataFrame:
    """The whole table, built one column at a time (each column's pieces are freed before the next, to keep
    memory low).

    Parameters
    ----------
    incident_ids
        The incidents, in order.
    results
        The attributes' results, in model order: their columns are taken out of them.
    account_ids
        The accounts' ids by row number (the results' account lists hold row numbers).
    statuses
        Gives each attribute's status codes (UInt8, :data:`~ddj.compare.statuses.STATUS_CODES`), in model order;
        called once, when the status column is built.
    chunk_rows
        Every column in chunks of this many rows (the last one shorter), built two at a time; None: one chunk.
    """
    parts = _Parts(incident_ids, results, account_ids, statuses)
    bounds = parts.bounds(chunk_rows or max(1, parts.height))
    columns: dict[str, pl.Series] = {}
    for name in ATTRIBUTE_COLUMNS:
        if len(bounds) == 1:
            columns[name] = parts.column(name, *bounds[0], release=True)
            continue
        with ThreadPoolExecutor(_THREADS) as pool:
            chunks = list(pool.map(lambda chunk, name=name: parts.column(name, *chunk), bounds))
        parts.pieces.pop(name, None)
        columns[name] = pl.concat(chunks, rechunk=False)
    return pl.DataFrame(columns)


class AttributeBatches:
    """The per-attribute table of a comparison (:attr:`~ddj.compare.Comparison.attributes`), not yet built:
    batch ``i`` holds rows ``i * rows`` up to ``(i + 1) * rows``, built when it is asked for.

    :func:`~ddj.compare.compare_in_batches` gives it, for a writer that takes the table batch by batch and
    never needs it whole: ``ddj compare --out`` hands each batch to a Parquet row group. Building a batch
    reads and changes nothing shared: batches can be built in any order, side by side. The batches together
    are the table :func:`~ddj.compare.compare` gives, row for row (see :meth:`collect`).

    Attributes
    ----------
    incident_ids
        The incidents, in order: each runs over the table's rows for its attributes.
    rows
        Rows per batch (the last batch may hold fewer).
    height
        Rows of the whole table.
    columns
        The table's columns, in order (:data:`ATTRIBUTE_COLUMNS`).
    """

    def __init__(self, parts: _Parts, rows: int) -> None:
        self.columns = list(ATTRIBUTE_COLUMNS)
        self._parts = parts
        self._bounds = parts.bounds(rows)
        self.incident_ids = parts.incident_ids
        self.rows = rows
        self.height = parts.height

    def __len__(self) -> int:
        """How many batches there are (one, empty, for a table of no rows)."""
        return len(self._bounds)

    def batch(self, number: int) -> pl.DataFrame:
        """Batch ``number`` (from 0), in one chunk."""
        start, end = self._bounds[number]
        return pl.DataFrame([self._parts.column(name, start, end) for name in ATTRIBUTE_COLUMNS])

    def lazy(self) -> pl.LazyFrame:
        """The batches as one lazy frame: each batch is built when a query (a sink) reaches it."""
        schema = self.batch(len(self) - 1).head(0).schema
        deferred = [pl.defer(functools.partial(self.batch, number), schema=schema) for number in range(len(self))]
        return pl.concat(deferred, rechunk=False)

    def collect(self) -> pl.DataFrame:
        """The whole table, a chunk a batch."""
        return pl.concat([self.batch(number) for number in range(len(self))], rechunk=False)


def attribute_batches(
    incident_ids: pl.Series,
    results: list[AttributeResult],
    account_ids: pl.Series,
    statuses: Callable[[], list[pl.Series]],
    rows: int,
) -> AttributeBatches:
    """The table as :class:`AttributeBatches` of ``rows`` rows, none of them built yet.

    Parameters
    ----------
    incident_ids, results, account_ids, statuses
        As for :func:`attribute_table`.
    rows
        Rows per batch.
    """
    return AttributeBatches(_Parts(incident_ids, results, account_ids, statuses), rows)
