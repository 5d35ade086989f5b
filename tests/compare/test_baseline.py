"""The benchmark's pandas baseline implements the same rules as ddj: both agree on 4,000 synthetic incidents.

4,000 incidents already give every attribute every status and every grade (the test checks it); 10,000 took
50 s of a two-worker suite, most of it pandas, and added no case (December 2026).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.pandas_baseline import compare_pandas
from ddj.compare import compare
from ddj.compare.statuses import STATUSES
from ddj.datasets.dataset import Dataset
from ddj.model import COMPARED_ATTRIBUTES
from ddj.synth import synthetic_tables

INCIDENT_COLUMNS = [
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
    "days_to_official",
    "days_unofficial_to_official",
    "official_changed",
    "n_agree",
    "n_contradict",
    "n_official_silent",
    "n_no_official_record",
    "n_unofficial_only",
    "n_official_only",
    "n_unknown",
    "computed_grade",
    "grade",
    "grade_overridden",
]
ATTRIBUTE_COLUMNS = [
    "incident_id",
    "attribute",
    "official_values",
    "unofficial_values",
    "official_account_ids",
    "unofficial_account_ids",
    "n_unofficial_origins",
    "status",
]


def _plain(record: dict) -> dict:
    """Pandas' NaN, floats and arrays as ddj's None, ints and lists."""
    out = {}
    for key, raw in record.items():
        value = raw
        if isinstance(raw, float):
            value = None if raw != raw else int(raw)
        elif hasattr(raw, "tolist"):
            value = raw.tolist()
        out[key] = value
    return out


@pytest.mark.slow
def test_pandas_baseline_and_ddj_agree_on_four_thousand_incidents():
    tables = synthetic_tables(4_000, seed=7)
    # A search for official statements declared on every incident but every third one.
    ids = tables["incidents"]["incident_id"]
    not_searched = ids.gather_every(3).to_list()
    search = {"searched": True, "on": "2026-12-05", "not_searched": not_searched}
    ds = Dataset(
        name="synthetic",
        folder=Path("."),
        kind="incidents",
        tables=tables,
        caveats=(),
        descriptor={"ddj": {"kind": "incidents", "official_search": search}},
        files={},
    )
    ours = compare(ds)
    incidents, attributes = compare_pandas(
        tables["incidents"].to_pandas(),
        tables["accounts"].to_pandas(),
        tables["overrides"].to_pandas(),
        searched=set(ids.to_list()) - set(not_searched),
    )
    assert len(attributes) == ours.attributes.height == 40_000
    theirs_attributes = [_plain(r) for r in attributes[ATTRIBUTE_COLUMNS].to_dict("records")]
    ours_attributes = ours.attributes.select(ATTRIBUTE_COLUMNS).to_dicts()
    differ = [(a, b) for a, b in zip(ours_attributes, theirs_attributes, strict=True) if a != b]
    assert not differ, differ[:3]
    theirs_incidents = [_plain(r) for r in incidents[INCIDENT_COLUMNS].to_dict("records")]
    ours_incidents = ours.incidents.select(INCIDENT_COLUMNS).to_dicts()
    differ = [(a, b) for a, b in zip(ours_incidents, theirs_incidents, strict=True) if a != b]
    assert not differ, differ[:3]
    # The synthetic set is varied enough for the agreement to mean something.
    seen = {(r["attribute"], r["status"]) for r in ours_attributes}
    every = {(a.name, status) for a in COMPARED_ATTRIBUTES for status in STATUSES}
    assert seen == every, f"no incident has these statuses: {sorted(every - seen)}"
    assert {r["grade"] for r in ours_incidents} == {
        "confirmed",
        "fair",
        "uncorroborated",
        "weak",
        "contested",
        "discounted",
    }
    assert any(r["official_changed"] for r in ours_incidents) and any(r["grade_overridden"] for r in ours_incidents)
