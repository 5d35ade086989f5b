"""What a kind of dataset is: its resources' authoritative schemas and the rules its data must keep.

:class:`DatasetKind` is the record; the kinds themselves are in :mod:`ddj.datasets.kinds` (incidents) and
:mod:`ddj.datasets.tally_kind` (tally), both of which import it from here, so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ddj.errors import Problem

Tables = dict[str, pl.DataFrame]
Rule = Callable[[Tables, dict[str, str]], list[Problem]]


@dataclass(frozen=True)
class DatasetKind:
    """What a kind of dataset must hold and which rules its data must keep.

    ``schemas`` are the authoritative Table Schemas by resource: the package's own declaration
    must agree with them on field names and types, and the data is checked against them, so a
    descriptor cannot loosen the rules. ``may_be_empty`` names resources allowed to have no rows.
    ``enum_dtypes``: the loaded tables type each vocabulary column (a string field with an ``enum``
    constraint) as a ``pl.Enum`` of its words (see :func:`ddj.datasets.tableschema.check_and_cast`).
    ``free_text``: by resource, the text columns that ``problems`` and ``caveats`` never read (titles,
    statements, notes). They are checked cell by cell like every column, but an inspection that only
    validates (``inspect(..., keep_text=False)``, as ``ddj validate`` does) does not keep them in
    memory: they are most of a large file's bytes.
    """

    name: str
    schemas: dict[str, dict[str, Any]]
    problems: Rule
    caveats: Rule
    may_be_empty: frozenset[str] = field(default_factory=frozenset)
    optional: frozenset[str] = field(default_factory=frozenset)
    enum_dtypes: bool = False
    free_text: dict[str, frozenset[str]] = field(default_factory=dict)
