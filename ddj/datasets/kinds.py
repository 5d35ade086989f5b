"""The kinds of dataset ddj knows, each with its resources, authoritative schemas and rules.

A package says its kind in datapackage.json (``"ddj": {"kind": "incidents"}``). Adding a kind
is adding one :class:`~ddj.datasets.dataset_kind.DatasetKind` to :data:`KINDS`; a kind's own module
(:mod:`ddj.datasets.tally_kind`) imports the record from :mod:`ddj.datasets.dataset_kind`, never this module.
"""

from __future__ import annotations

from ddj.datasets.dataset_kind import DatasetKind
from ddj.datasets.incident_rules import incident_caveats, incident_problems
from ddj.datasets.schema import table_schema
from ddj.datasets.tally_kind import TALLY
from ddj.model import INCIDENT_RESOURCES

__all__ = ["INCIDENTS", "KINDS", "TALLY", "DatasetKind"]

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
        "incidents": frozenset(
            {"title", "country", "region", "place", "aircraft_model", "operator", "summary", "uncertainty"}
        ),
        "sources": frozenset({"name", "country", "notes"}),
        "accounts": frozenset(
            {
                "speaker",
                "responsible_party",
                "claimed_country",
                "claimed_place",
                "claimed_aircraft",
                "statement",
                "reported_in",
                "origin",
                "notes",
            }
        ),
    },
)

#: Every kind by name: the incidents kind defined here and the tally kind of :mod:`ddj.datasets.tally_kind`.
KINDS: dict[str, DatasetKind] = {kind.name: kind for kind in (INCIDENTS, TALLY)}
