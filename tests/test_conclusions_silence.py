"""Official silence only where it was looked for (issue 15, item 3).

An incident that unofficial accounts report and no official account speaks of is the operator's
silence (status ``official_silent``, "has not publicly acknowledged", "the operator has never
spoken of it") only where the dataset declares that its curators searched for official statements
(``"ddj": {"official_search": ...}`` in datapackage.json). Elsewhere the status is
``no_official_record`` and the words say "no official account recorded".
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import polars as pl
import pytest

import ddj
from ddj.cli import main
from ddj.compare import compare
from ddj.errors import PackageError, ValidationError
from ddj.importers.acled import import_acled
from ddj.importers.ucdp import import_ucdp
from ddj.narrative import narrative
from ddj.warnings import DataCaveatWarning
from tests.fixtures.minimal import write_package
from tests.paths import FIXTURES as TEST_FIXTURES

FIXTURES = TEST_FIXTURES / "importers"
SILENCE = re.compile(r"(?i)never (been )?acknowledged|not publicly acknowledged|never spoken|never spoke")
#: In the package below, inc-2 (US strikes) has only unofficial accounts, from two independent origins.
UNACKNOWLEDGED = "inc-2"


def _unofficial_only(tables: dict) -> None:
    """The minimal package, with inc-2 reported by local media and by a monitor, who agree on who struck."""
    tables["sources"].append(
        {"source_id": "src-monitor", "name": "Monitor", "kind": "monitor_ngo", "country": "", "notes": ""}
    )
    local = next(a for a in tables["accounts"] if a["account_id"] == "acc-3")
    local["responsible_party"] = "United States"
    tables["accounts"].append(
        {
            **local,
            "account_id": "acc-4",
            "source_id": "src-monitor",
            "origin": "Monitor",
            "published_date": "2021-02-27",
            "statement": "The monitor recorded US strikes.",
        }
    )


def _declare(folder: Path, search: dict | None) -> Path:
    """Write ``search`` as the package's ``official_search`` (None: remove the property)."""
    target = folder / "datapackage.json"
    descriptor = json.loads(target.read_text(encoding="utf-8"))
    descriptor["ddj"].pop("official_search", None)
    if search is not None:
        descriptor["ddj"]["official_search"] = search
    target.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return folder


def _package(tmp_path: Path, name: str, search: dict | None) -> ddj.Dataset:
    return ddj.load(_declare(write_package(tmp_path / name, _unofficial_only), search), warn=False)


def _statuses(comparison, incident_id: str) -> set[str]:
    return set(comparison.attributes.filter(pl.col("incident_id") == incident_id)["status"].to_list())


def _incident(comparison, incident_id: str) -> dict:
    return comparison.incidents.filter(pl.col("incident_id") == incident_id).row(0, named=True)


# --- a dataset declared "not searched" ------------------------------------------------------------------------------


@pytest.mark.parametrize("search", [{"searched": False}, None], ids=["declared-not-searched", "not-declared"])
def test_no_search_means_no_official_record_and_no_word_of_silence(tmp_path, search):
    dataset = _package(tmp_path, "unsearched", search)
    comparison = compare(dataset)
    row = _incident(comparison, UNACKNOWLEDGED)
    assert not row["acknowledged"] and not row["official_searched"]
    assert "no_official_record" in _statuses(comparison, UNACKNOWLEDGED)
    assert "official_silent" not in set(comparison.attributes["status"].to_list())
    assert row["n_no_official_record"] > 0 and row["n_official_silent"] == 0
    # the grade's reason
    assert row["computed_grade"] == "fair"
    assert row["computed_grade_reason"].endswith("; no official account is recorded.")
    assert not SILENCE.search(row["computed_grade_reason"]), row["computed_grade_reason"]
    # the narrative
    text = narrative(dataset, comparison, incident_ids=UNACKNOWLEDGED).text()
    assert "No official account of the strikes is recorded" in text
    assert "Other sources first reported them on 26 February 2021." in text
    assert not SILENCE.search(text), text
    looked = "but no one searched" if search is not None else "and the dataset does not say whether anyone searched"
    assert looked in text and "so this does not mean it stayed silent." in text


def test_an_incident_listed_as_not_searched_in_a_searched_dataset(tmp_path):
    dataset = _package(tmp_path, "partly", {"searched": True, "on": "2026-12-05", "not_searched": [UNACKNOWLEDGED]})
    comparison = compare(dataset)
    assert "no_official_record" in _statuses(comparison, UNACKNOWLEDGED)
    assert not SILENCE.search(narrative(dataset, comparison, incident_ids=UNACKNOWLEDGED).text())


# --- the same declared searched -------------------------------------------------------------------------------------


def test_a_declared_search_makes_it_silence_and_the_narrative_says_so(tmp_path):
    dataset = _package(tmp_path, "searched", {"searched": True, "on": "2026-12-05", "note": "every incident"})
    assert dataset.official_search.searched and dataset.official_search.on.isoformat() == "2026-12-05"
    comparison = compare(dataset)
    row = _incident(comparison, UNACKNOWLEDGED)
    assert row["official_searched"] and row["n_official_silent"] > 0 and row["n_no_official_record"] == 0
    assert "official_silent" in _statuses(comparison, UNACKNOWLEDGED)
    text = narrative(dataset, comparison, incident_ids=UNACKNOWLEDGED).text()
    assert (
        "The operator, US Air Force, has not publicly acknowledged the strikes: we hold no official account of "
        "them, while other sources first reported them on 26 February 2021."
    ) in text
    assert "the operator has never spoken of it" in row["computed_grade_reason"]


def test_the_shipped_syria_dataset_declares_its_search():
    dataset = ddj.load("syria-ru-aviation", warn=False)
    search = dataset.official_search
    assert (search.declared, search.searched, search.on.isoformat(), search.exceptions) == (
        True,
        True,
        "2026-12-05",
        frozenset(),
    )
    campaign = _incident(compare(dataset), "syr-2016-08-retaliation-strikes")
    assert campaign["official_searched"] and campaign["n_official_silent"] == 3
    assert "the operator has never spoken of it" in campaign["grade_reason"]


def test_searched_for_one_incident_only(tmp_path):
    dataset = _package(tmp_path, "one", {"searched": False, "on": "2026-12-05", "searched_incidents": [UNACKNOWLEDGED]})
    assert "official_silent" in _statuses(compare(dataset), UNACKNOWLEDGED)


# --- imported monitor data ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def acled(tmp_path_factory):
    out = tmp_path_factory.mktemp("acled") / "pkg"
    import_acled(FIXTURES / "acled_sample.csv", out)
    return ddj.load(out, warn=False)


def test_an_acled_import_is_not_searched_and_its_narrative_asserts_no_silence(acled):
    assert acled.descriptor["ddj"]["official_search"]["searched"] is False
    comparison = compare(acled)
    unacknowledged = comparison.incidents.filter(~pl.col("acknowledged"))
    assert unacknowledged.height > 0  # the fixture has events no official source speaks of
    assert not comparison.incidents["official_searched"].any()
    assert "official_silent" not in set(comparison.attributes["status"].to_list())
    assert "no_official_record" in set(comparison.attributes["status"].to_list())
    text = narrative(acled, comparison).text()
    assert "not publicly acknowledged" not in text and not SILENCE.search(text), text
    assert "No official account of the" in text
    assert not any(SILENCE.search(r) for r in comparison.incidents["grade_reason"].to_list())


def test_a_ucdp_import_is_not_searched_either(tmp_path):
    import_ucdp(FIXTURES / "ucdp_ged_sample.csv", tmp_path / "ged")
    dataset = ddj.load(tmp_path / "ged", warn=False)
    assert dataset.official_search.declared and not dataset.official_search.searched
    assert not SILENCE.search(narrative(dataset).text())


def test_official_searched_on_import_declares_the_search(tmp_path, capsys):
    out = tmp_path / "searched"
    assert (
        main(
            [
                "import",
                "acled",
                str(FIXTURES / "acled_sample.csv"),
                "--out",
                str(out),
                "--official-searched",
                "2026-12-05",
            ]
        )
        == 0
    )
    assert "official statements were searched for on 2026-12-05" in capsys.readouterr().out
    dataset = ddj.load(out, warn=False)
    assert (dataset.official_search.searched, dataset.official_search.on.isoformat()) == (True, "2026-12-05")
    comparison = compare(dataset)
    assert comparison.incidents["official_searched"].all()
    assert "official_silent" in set(comparison.attributes["status"].to_list())


def test_official_searched_must_be_a_date(tmp_path, capsys):
    code = main(
        [
            "import",
            "acled",
            str(FIXTURES / "acled_sample.csv"),
            "--out",
            str(tmp_path / "x"),
            "--official-searched",
            "last week",
        ]
    )
    assert code != 0
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "x" / "datapackage.json").exists()


# --- the declaration is checked -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "words"),
    [
        ("yes", "must be an object"),
        ({"searched": "yes"}, 'needs "searched": true or false'),
        ({"searched": True}, "not when"),
        ({"searched": True, "on": "5 December 2026"}, "not a date written YYYY-MM-DD"),
        ({"searched": True, "on": "2026-12-05", "when": "then"}, "'when'"),
        ({"searched": True, "on": "2026-12-05", "not_searched": "inc-2"}, "not a list of incident ids"),
        ({"searched": False, "not_searched": ["inc-2"]}, '"not_searched" with "searched": false'),
    ],
)
def test_a_bad_declaration_is_an_error_naming_the_file_and_the_fix(tmp_path, search, words):
    folder = _declare(write_package(tmp_path / "bad"), search)
    with pytest.raises(PackageError) as info:
        ddj.load(folder, warn=False)
    message = str(info.value)
    assert "bad/datapackage.json" in message and words in message and "Write it as" in message


def test_an_unknown_incident_in_the_declaration_is_a_problem(tmp_path):
    folder = _declare(
        write_package(tmp_path / "ghost"), {"searched": True, "on": "2026-12-05", "not_searched": ["inc-9"]}
    )
    with pytest.raises(ValidationError, match=r"ghost/datapackage.json.*'inc-9', which is not in the incidents table"):
        ddj.load(folder, warn=False)


def test_validate_says_when_no_search_is_declared(tmp_path, capsys):
    undeclared = write_package(tmp_path / "undeclared")
    assert main(["validate", str(undeclared)]) == 0
    out = capsys.readouterr().out
    assert "undeclared/datapackage.json" in out and "searched for official statements" in out
    declared = _declare(write_package(tmp_path / "declared"), {"searched": False})
    assert main(["validate", str(declared)]) == 0
    assert "searched for official statements" not in capsys.readouterr().out
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        ddj.load(undeclared)
    assert any(
        issubclass(w.category, DataCaveatWarning) and "official search not declared" in str(w.message) for w in record
    )
