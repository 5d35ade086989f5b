"""The kinds of dataset ddj knows, each with its resources, authoritative schemas and rules.

A package says its kind in datapackage.json (``"ddj": {"kind": "incidents"}``). Adding a kind
is adding one :class:`DatasetKind` to :data:`KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ddj.datasets.incident_rules import incident_caveats, incident_problems
from ddj.datasets.schema import table_schema
from ddj.errors import Problem
from ddj.model import INCIDENT_RESOURCES

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


INCIDENTS = DatasetKind(
    name="incidents",
    schemas={r.name: table_schema(r, with_hints=True) for r in INCIDENT_RESOURCES},
    problems=incident_problems,
    caveats=incident_caveats,
    may_be_empty=frozenset(r.name for r in INCIDENT_RESOURCES if r.may_be_empty),
    enum_dtypes=True,  # a million incidents' accounts: eight vocabulary columns at one byte a row, not sixteen
    # Text no rule of ddj.datasets.incident_rules reads (tests/test_hostile_inputs.py checks that validating
    # without them finds what validating with them finds).
    free_text={
        "incidents": frozenset({"title", "country", "region", "place", "aircraft_model", "operator", "summary",
                                "uncertainty"}),
        "sources": frozenset({"name", "country", "notes"}),
        "accounts": frozenset({"speaker", "responsible_party", "claimed_country", "claimed_place", "claimed_aircraft",
                               "statement", "reported_in", "origin", "notes"}),
    },
)

KINDS: dict[str, DatasetKind] = {INCIDENTS.name: INCIDENTS}


def register_kind(kind: DatasetKind) -> DatasetKind:
    """Add a kind of dataset to :data:`KINDS` and return it."""
    KINDS[kind.name] = kind
    return kind


import ddj.datasets.tally_kind  # noqa: E402,F401  (registers the "tally" kind; it imports DatasetKind from here)
