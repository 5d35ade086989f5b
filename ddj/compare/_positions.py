"""Per-incident columns from rows sorted by incident position, without a group-by or a join.

Rows about incidents are kept sorted by ``_inc``, the incident's position (0..n-1) in the sorted
incident list. The rows of position ``i`` are then the slice ``offsets[i]:offsets[i + 1]``, found by
counting the rows of each position, and a column of per-incident lists is those offsets laid over the
flat values (an Arrow list array built without copying the values twice).

This is hand tuning, kept where a measurement at a million incidents showed it pays (see
``benchmarks/README.md``, "compare"): offsets counted by numpy's ``bincount`` (3 times faster than
polars' run lengths, 6 times faster than a binary search); value ranks looked up in a table
(:func:`ranks`); interleaving the per-attribute list columns by one flat gather instead of gathering
the lists was 2–4 times slower; packed pairs against a two-column unique and sort, see
:func:`distinct_pairs`.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
from polars import CompatLevel

from ddj._scalars import int_value

_CODES = 1 << 32  # a position and a code packed in one integer: position * _CODES + code


def offsets(positions: pl.Series, n: int) -> pl.Series:
    """Where each position's rows start in the sorted ``positions``, and where the last ends (n + 1 values).

    Rows counted per position by numpy's ``bincount``, then summed: 6 ms for 3,000,000 rows over 1,000,000
    positions, against 18 ms for polars' run lengths scattered and summed and 36 ms by binary search (one
    thread, December 2026); a million-incident comparison makes about fifty such calls.

    Examples
    --------
    >>> offsets(pl.Series([0, 0, 2], dtype=pl.UInt32), 3).to_list()
    [0, 2, 2, 3]

    Position 0 has two rows, position 1 none and position 2 one.
    """
    per_position = np.bincount(positions.to_numpy(), minlength=n)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_position[:n], out=starts[1:])
    return pl.Series(starts)


def ranks(values: pl.Series, vocabulary: pl.Series) -> pl.Series:
    """The position (UInt32) of each of ``values`` in ``vocabulary``, a sorted series of distinct integers that
    holds every one of them.

    When the vocabulary spans a narrow range of integers, a table indexed by value replaces the binary search:
    10 ms against 46–227 ms for 3,000,000 values (one thread, December 2026).

    Examples
    --------
    >>> ranks(pl.Series([7, 3, 7]), pl.Series([3, 5, 7])).to_list()
    [2, 0, 2]

    7 is the third word of the vocabulary, 3 the first.
    """
    low, high = int_value(vocabulary.min()), int_value(vocabulary.max())
    if low is None or high is None or high - low > max(1 << 16, 4 * values.len()):
        return vocabulary.search_sorted(values, side="left").cast(pl.UInt32)
    table = pl.zeros(high - low + 1, dtype=pl.UInt32, eager=True).scatter(
        (vocabulary - low).cast(pl.Int64), pl.int_range(0, vocabulary.len(), dtype=pl.UInt32, eager=True)
    )
    return table.gather((values - low).cast(pl.Int64)).alias(values.name)


def counts(starts: pl.Series, mask: pl.Series | None = None) -> pl.Series:
    """Rows per position, from :func:`offsets`; with ``mask`` (a Boolean per row), the rows where it holds.

    Examples
    --------
    >>> at = pl.Series([0, 2, 2, 3])
    >>> counts(at).to_list(), counts(at, pl.Series([True, False, True])).to_list()
    ([2, 0, 1], [1, 0, 1])

    Counting through a running sum needs no filtered copy of the rows.
    """
    if mask is None:
        return (starts.slice(1) - starts.slice(0, starts.len() - 1)).cast(pl.UInt32)
    running = pl.concat([pl.Series([0], dtype=pl.Int64), mask.cast(pl.Int64).cum_sum()])
    ends = running.gather(starts)
    return (ends.slice(1) - ends.slice(0, ends.len() - 1)).cast(pl.UInt32)


def least(starts: pl.Series, values: pl.Series) -> pl.Series:
    """The least of each position's ``values`` (integers or dates; empty cells skipped), from :func:`offsets`;
    empty where a position has no value.

    numpy's ``minimum.reduceat`` over the rows in place: 30 ms for 3,300,000 dates over 1,000,000 positions,
    against 100 ms for the same rows as lists and ``list.min()`` (December 2026).

    Examples
    --------
    >>> least(pl.Series([0, 2, 2, 4]), pl.Series([5, 3, 9, None])).to_list()
    [3, None, 9]

    Position 0 holds 5 and 3, position 1 nothing, position 2 a 9 and an empty cell.
    """
    physical = values.to_physical()
    if not physical.dtype.is_integer():
        raise TypeError(f"least() takes integers or dates, not {values.dtype}")
    if starts.len() <= 1:
        return pl.Series(values.name, [], dtype=values.dtype)
    top = np.iinfo(physical.head(0).to_numpy().dtype).max  # above every value: stands for an empty cell
    flat = np.append(physical.fill_null(top).to_numpy(), np.array([top], dtype=type(top)))
    at = np.minimum(starts.to_numpy()[:-1], flat.size - 1)  # a position without rows points at the sentinel
    found = pl.Series(values.name, np.minimum.reduceat(flat, at), dtype=physical.dtype)
    empty = counts(starts) == 0
    return pl.select(pl.when(empty | (found == top)).then(None).otherwise(found)).to_series().cast(values.dtype)


def lists(starts: pl.Series, values: pl.Series, name: str | None = None) -> pl.Series:
    """One list per position: the ``values`` of its rows, in their order.

    Examples
    --------
    >>> lists(pl.Series([0, 2, 2, 3]), pl.Series(["a", "b", "c"])).to_list()
    [['a', 'b'], [], ['c']]

    The two values of position 0, none for position 1, one for position 2.
    """
    # Arrow's string_view is polars' own layout: the values cross to Arrow and back without a copy.
    array = pa.LargeListArray.from_arrays(
        starts.to_arrow(), values.rechunk().to_arrow(compat_level=CompatLevel.newest())
    )
    return pl.Series(name or values.name, array)


def distinct_pairs(positions: pl.Series, values: pl.Series) -> pl.DataFrame:
    """The distinct (position, value) pairs, sorted by both: ``_inc`` (UInt32, flagged sorted) and ``_vkey`` (Int64).

    ``positions`` are sorted (UInt32) and ``values`` integers without nulls. Each pair is packed into one
    unsigned integer (the position, then the value's offset from the least value, or its rank among the values
    when they span too wide a range), so one sort of one column replaces a sort by two columns. It pays:
    on 4,000,000 rows over 1,000,000 positions (one call of a million-incident comparison, which makes about
    twenty), 124–398 ms best of five against 1,474–3,448 ms for ``DataFrame.unique().sort(...)`` and 1,626 ms
    for the same query run lazily (loaded two-core machine, December 2026). The packed integers are sorted by
    numpy's stable sort, which merges the runs the sorted positions leave: 45–58 ms of CPU for 2,500,000 rows
    against 75–79 ms for polars' sort on both cores (December 2026), and the comparison is CPU-bound.

    Examples
    --------
    >>> pairs = distinct_pairs(pl.Series([0, 0, 0, 2], dtype=pl.UInt32), pl.Series([5, -1, 5, 7]))
    >>> pairs.rows()
    [(0, -1), (0, 5), (2, 7)]

    Position 0 has two distinct values, position 1 none and position 2 one.
    """
    values = values.cast(pl.Int64)
    low, high = int_value(values.min()), int_value(values.max())
    if low is None or high is None:
        return pl.DataFrame({"_inc": positions.cast(pl.UInt32), "_vkey": values})
    vocabulary = None if high - low < _CODES else values.unique().sort()
    code = (values - low).cast(pl.UInt64) if vocabulary is None else ranks(values, vocabulary).cast(pl.UInt64)
    # The positions are sorted already: numpy's stable sort (a merge of runs) orders each position's few values.
    key = np.sort(positions.cast(pl.UInt64).to_numpy() << np.uint64(32) | code.to_numpy(), kind="stable")
    kept = key[np.concatenate(([True], key[1:] != key[:-1]))] if key.size else key
    code = pl.Series((kept & np.uint64(_CODES - 1)).astype(np.int64))
    return pl.DataFrame(
        {
            "_inc": pl.Series((kept >> np.uint64(32)).astype(np.uint32)),
            "_vkey": code + low if vocabulary is None else vocabulary.gather(code),
        }
    ).with_columns(pl.col("_inc").set_sorted())


def positions_of(keys: pl.Series, sorted_ids: pl.Series) -> pl.Series:
    """The position in ``sorted_ids`` of each of ``keys`` (sorted as well), found run by run; null where absent.

    Examples
    --------
    >>> positions_of(pl.Series(["b", "b", "c"]), pl.Series(["a", "b", "c"])).to_list()
    [1, 1, 2]

    Each run of equal keys is looked up once, by binary search.
    """
    runs = keys.rle().struct.unnest()
    values = runs.get_column("value")
    found = sorted_ids.search_sorted(values, side="left").cast(pl.Int64)
    hit = found < sorted_ids.len()
    hit = (
        hit & (sorted_ids.gather(found.clip(upper_bound=max(sorted_ids.len() - 1, 0))) == values)
        if sorted_ids.len()
        else hit
    )
    return pl.select(pl.when(hit).then(found)).to_series().cast(pl.UInt32).gather(keys.rle_id())


def flags(positions: pl.Series, n: int) -> pl.Series:
    """A Boolean per position: True where ``positions`` (in any order) names it."""
    marked = (
        pl.Series(values=[False], dtype=pl.Boolean).extend_constant(False, n - 1)
        if n
        else pl.Series([], dtype=pl.Boolean)
    )
    if positions.len() == 0 or n == 0:
        return marked
    return marked.scatter(positions.unique().cast(pl.Int64), True)


def relabel(values: pl.Series, lookup: pl.Series | None, shift: int = 0) -> pl.Series:
    """A list column whose integer elements ``e`` are replaced by ``lookup[e + shift]`` (by ``e + shift`` without a
    lookup), keeping the lists' shapes.

    Examples
    --------
    >>> relabel(pl.Series([[1, 0], []]), pl.Series(["a", "b"])).to_list()
    [['b', 'a'], []]

    Each code becomes the text it stands for.
    """
    array = values.rechunk().to_arrow()
    flat = pl.Series(array.flatten())
    if shift:
        flat = flat + shift
    starts = pl.Series(array.offsets).cast(pl.Int64)
    if starts.len() and starts[0]:  # a slice: its offsets start where it does
        starts = starts - starts[0]
    return lists(starts, flat if lookup is None else lookup.gather(flat), values.name)
