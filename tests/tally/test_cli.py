"""``ddj tally`` and ``ddj build``: the JSON shape, the readable table, and one-line errors."""

from __future__ import annotations

import json

import pytest

from ddj.cli import main

NAME = "ukraine-equipment-losses"


def test_tally_json_is_one_object_per_category_with_values_and_their_dates(capsys):
    assert main(["tally", NAME, "--as-of", "2024-03-01", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert isinstance(records, list)
    names = [r["category"] for r in records]
    assert {"aircraft", "helicopter", "tank", "APC", "cruise missiles"} <= set(names) and len(names) == len(set(names))
    for record in records:
        assert {"category", "official", "documented", "ratio", "official_as_of", "documented_as_of"} <= set(record)
    tank = next(r for r in records if r["category"] == "tank")
    assert tank["official"] == 6610 and tank["official_as_of"] == "2024-03-01"
    assert tank["documented_as_of"] <= "2024-03-01" and tank["ratio"] == round(6610 / tank["documented"], 4)
    assert tank["documented_categories"] == ["Tanks"]


def test_tally_json_with_categories(capsys):
    assert main(["tally", NAME, "--as-of", "2023-01-01", "--category", "aircraft", "helicopter", "--json"]) == 0
    assert [r["category"] for r in json.loads(capsys.readouterr().out)] == ["aircraft", "helicopter"]


def test_tally_table_is_readable(capsys):
    assert main(["tally", NAME, "--as-of", "2024-03-01", "--category", "tank"]) == 0
    out = capsys.readouterr().out
    assert "as of 2024-03-01" in out and "6,610" in out and "tank" in out and "ratio" in out


def test_tally_json_gives_no_ratio_for_a_claim_newer_than_the_documented_side_by_more_than_the_tolerance(capsys):
    assert main(["tally", NAME, "--category", "tank", "field artillery", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    for record in records:
        assert record["official_as_of"] == "2026-08-08" and record["documented_through"] == "2024-10-06"
        assert record["days_apart"] == 671 and record["ratio"] is None and record["difference"] is None
        assert record["tolerance_days"] == 7
    assert main(["tally", NAME, "--category", "tank", "field artillery", "--as-of", "2024-10-06", "--json"]) == 0
    ratios = {r["category"]: r["ratio"] for r in json.loads(capsys.readouterr().out)}
    assert ratios == {"tank": round(8919 / 3440, 4), "field artillery": round(19092 / 1443, 4)}  # 2.59, 13.23
    assert main(["tally", NAME, "--category", "tank", "--tolerance", "700", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["ratio"] == round(12251 / 3440, 4)


def test_tally_table_says_where_the_documented_side_stops_and_names_the_sources(capsys):
    assert main(["tally", NAME, "--category", "tank"]) == 0
    out = capsys.readouterr().out
    assert "3.56" not in out and "The documented side stops on 2024-10-06" in out and "--as-of 2024-10-06" in out
    assert "General Staff" in out and "Oryx" in out and "MIT licence" in out and "CC BY 4.0" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["tally", NAME, "--as-of", "March"], "is not a date"),
        (["tally", NAME, "--category", "tanks"], "no official category 'tanks'"),
        (["tally", "no-such-dataset"], "no dataset 'no-such-dataset'"),
        (["tally", NAME, "--tolerance", "-3"], "whole number of days"),
        (["build", "syria-ru-aviation"], "no build for 'syria-ru-aviation'"),
    ],
)
def test_errors_are_one_line_without_a_traceback(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and err.count("\n") == 1


def test_build_check_reports_findings_and_that_the_files_are_up_to_date(capsys):
    assert main(["build", NAME, "--check"]) == 0
    out = capsys.readouterr().out
    assert "up to date" in out and "spike: 4" in out and "duplicate_row: 2" in out
