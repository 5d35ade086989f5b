"""Conclusions audit, tallies: two series that end on different days are compared on a common date only.

The fixture is a small tally package with the shipped dataset's licences and sources: the official series runs
from 1 to 31 January 2024, the documented one stops on 10 January, 21 days earlier, beyond the tolerance of
seven days. Divided naively, the last claims give a tank ratio of 4.21 (400 / 95) and a "crossing" of three
times the documented count on 20 January, both artefacts of a count that had stopped. On the common date, 10
January, the ratio is 2.0 (190 / 95). The guns are five times the documented count on the first day of data,
which is where the comparison starts, not a crossing.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import polars as pl
import pytest

import ddj
from ddj.charts import chart_alt_text, chart_spec, tally_gap
from ddj.cli import main
from ddj.datasets import data_dir
from ddj.report.pages import sections
from ddj.tally.compare import TOLERANCE_DAYS

SHIPPED = data_dir() / "ukraine-equipment-losses"
START, DOCUMENTED_END, OFFICIAL_END = dt.date(2024, 1, 1), dt.date(2024, 1, 10), dt.date(2024, 1, 31)
STATUSES = ("destroyed", "damaged", "abandoned", "captured")


def _official_tank(day: dt.date) -> int:
    return 100 + 10 * (day - START).days  # 100 on 1 January, 190 on the 10th, 400 on the 31st


def _csv(rows: list[dict], columns: list[str]) -> str:
    return "\n".join([",".join(columns), *(",".join(str(r[c]) for c in columns) for r in rows)]) + "\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tallies") / "two-ends"
    folder.mkdir()
    descriptor = json.loads((SHIPPED / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["name"] = "two-ends"
    descriptor["ddj"] = {k: v for k, v in descriptor["ddj"].items() if k not in ("raw", "events")}
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "documented_events"]
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    official = []
    for i in range((OFFICIAL_END - START).days + 1):
        day = START + dt.timedelta(days=i)
        official += [
            {"date": day, "day": 677 + i, "category": category, "value": value, "source_row": i + 1}
            for category, value in (("tank", _official_tank(day)), ("field artillery", 50 + i))
        ]
    (folder / "official_series.csv").write_text(
        _csv(official, ["date", "day", "category", "value", "source_row"]), encoding="utf-8"
    )
    documented = []
    for row, (day, tanks, guns) in enumerate(
        [(dt.date(2023, 12, 30), 0, 0), (START, 80, 10), (DOCUMENTED_END, 95, 12)], start=2
    ):
        for category, total in (("Tanks", tanks), ("Artillery", guns)):
            for status in STATUSES:
                documented.append(
                    {
                        "date": day,
                        "category": category,
                        "status": status,
                        "value": total if status == "destroyed" else 0,
                        "source_row": row,
                    }
                )
    (folder / "documented_series.csv").write_text(
        _csv(documented, ["date", "category", "status", "value", "source_row"]), encoding="utf-8"
    )
    (folder / "official_corrections.csv").write_text(
        "date,day,category,delta,source_row\n2024-01-05,681,tank,0,1\n", encoding="utf-8"
    )
    (folder / "crosswalk.csv").write_text(
        "official_category,documented_category,crosswalk_version,valid_from,valid_to,basis,note\n"
        "tank,Tanks,1,,,ddj,fixture\nfield artillery,Artillery,1,,,ddj,fixture\n",
        encoding="utf-8",
    )
    (folder / "findings.csv").write_text("file,row,column,value,rule,detail\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def ds(folder):
    return ddj.load(folder, warn=False)


@pytest.fixture(scope="module")
def series(ds):
    return ddj.tally.tally_series(ds)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_fixture_ends_on_two_different_days(ds):
    cover = ddj.tally.coverage(ds)
    assert (cover["official_to"], cover["documented_to"], cover["common_to"]) == (
        OFFICIAL_END,
        DOCUMENTED_END,
        DOCUMENTED_END,
    )
    assert TOLERANCE_DAYS == 7


def test_the_latest_claim_gets_no_ratio_against_a_count_that_stopped_21_days_earlier(ds):
    row = ddj.tally.tally(ds, categories=["tank"]).row(0, named=True)
    assert (row["official"], row["official_as_of"], row["documented"]) == (400, OFFICIAL_END, 95)
    assert (row["documented_through"], row["days_apart"]) == (DOCUMENTED_END, 21)
    assert row["ratio"] is None and row["difference"] is None  # not 4.21 and 305


def test_on_the_common_date_the_ratio_compares_figures_of_that_date(ds):
    row = ddj.tally.tally(ds, as_of=DOCUMENTED_END, categories=["tank"]).row(0, named=True)
    assert (row["official"], row["documented"], row["days_apart"]) == (190, 95, 0)
    assert row["ratio"] == pytest.approx(2.0) and row["difference"] == 95


def test_within_the_tolerance_the_dates_are_given_and_beyond_it_nothing_is_computed(ds):
    within = ddj.tally.tally(ds, as_of="2024-01-17", categories=["tank"]).row(0, named=True)
    assert within["days_apart"] == 7 and within["ratio"] == pytest.approx(260 / 95)
    assert (within["official_as_of"], within["documented_through"]) == (dt.date(2024, 1, 17), DOCUMENTED_END)
    beyond = ddj.tally.tally(ds, as_of="2024-01-18", categories=["tank"]).row(0, named=True)
    assert beyond["days_apart"] == 8 and beyond["ratio"] is None and beyond["difference"] is None
    strict = ddj.tally.tally(ds, as_of="2024-01-11", categories=["tank"], tolerance_days=0).row(0, named=True)
    assert strict["ratio"] is None


def test_json_ratio_is_null_beyond_the_tolerance_and_a_wider_tolerance_must_be_asked_for(folder, capsys):
    assert main(["tally", str(folder), "--json"]) == 0
    tank = next(r for r in json.loads(capsys.readouterr().out) if r["category"] == "tank")
    assert tank["ratio"] is None and tank["difference"] is None
    assert (tank["official_as_of"], tank["documented_through"], tank["days_apart"], tank["tolerance_days"]) == (
        "2024-01-31",
        "2024-01-10",
        21,
        7,
    )
    assert main(["tally", str(folder), "--json", "--tolerance", "30"]) == 0
    tank = next(r for r in json.loads(capsys.readouterr().out) if r["category"] == "tank")
    assert tank["ratio"] == round(400 / 95, 4) and tank["tolerance_days"] == 30


def test_the_readable_table_says_which_date_both_sides_cover(folder, capsys):
    assert main(["tally", str(folder), "--category", "tank"]) == 0
    out = capsys.readouterr().out
    assert "4.21" not in out
    assert "The documented side stops on 2024-01-10" in out and "--as-of 2024-01-10" in out
    assert "Oryx" in out and "General Staff" in out and "CC BY 4.0" in out


def test_crossings_count_only_while_both_series_are_current_and_never_the_first_day(series):
    crossings = ddj.tally.threshold_crossings(series)
    tank = {r["threshold"]: r for r in crossings.filter(pl.col("category") == "tank").iter_rows(named=True)}
    assert tank[1.5]["first_date"] == dt.date(2024, 1, 3)  # 120 / 80, after 1.375 on the 2nd
    assert tank[2.0]["first_date"] == dt.date(2024, 1, 7)  # 160 / 80
    assert tank[3.0]["first_date"] is None  # 2.0 on the last common day; 3.05 on 20 January is an artefact
    guns = crossings.filter(pl.col("category") == "field artillery")
    # five times the count on 1 January, the first day with a documented count: where the comparison starts
    assert guns.filter(pl.col("threshold") <= 5.0)["above_at_start"].all()
    assert guns["first_date"].null_count() == guns.height
    assert (guns["compared_from"] == START).all() and (crossings["compared_to"] == DOCUMENTED_END).all()
    assert crossings["first_date"].drop_nulls().max() <= DOCUMENTED_END


def test_the_headline_table_is_of_the_common_date_with_later_claims_apart(ds):
    html = str(sections.tally_latest(ds, ["tank", "field artillery"]))
    text = _text(html)
    headline, later = html.split("</table>")[:2]
    assert "As of 10 January 2024, the last day both the General Staff and Oryx cover" in text
    assert "<td>tank</td><td>190</td><td>95</td><td>2.0</td><td>95</td>" in headline
    assert "4.21" not in html and "2024-01-31" not in headline
    assert "Later claims of the General Staff, shown apart: Oryx's count stops on 10 January 2024" in text
    assert "no ratio" in text and "The last are of 31 January 2024" in text
    assert "<td>tank</td><td>400</td><td>2024-01-31</td><td>210</td>" in later
    assert "rise since 10 January 2024" in later


def test_the_page_names_both_sources_and_their_licences(ds, series):
    for html in (str(sections.tally_latest(ds)), str(sections.tally_crossings(series, ds))):
        assert "operator" not in html.lower()
    source = _text(str(sections.tally_latest(ds))).split("Sources:")[1]
    assert "General Staff claims" in source and "MIT licence" in source
    assert "Oryx documented losses" in source and "oryxspioenkop.com" in source and "CC BY 4.0" in source


def test_the_crossings_section_says_which_days_count(ds, series):
    text = _text(str(sections.tally_crossings(series, ds)))
    assert "Counted only on days both figures are current, from 1 January 2024 to 10 January 2024" in text
    assert "not a crossing" in text and "Already at or past these multiples on the first day compared" in text
    assert "2024-01-20" not in text


def test_the_chart_names_both_sources_draws_no_ratio_past_the_common_date_and_says_no_operator(ds, series):
    chart = tally_gap(series, sources=ds)
    spec = chart_spec(chart)
    subtitle = " ".join(chart.title.subtitle)
    assert "General Staff" in subtitle and "Oryx" in subtitle and "MIT licence" in subtitle
    assert "CC BY 4.0" in subtitle and "two-ends" in subtitle
    assert "Oryx's count stops on 10 January 2024" in subtitle
    assert "operator" not in json.dumps(spec).lower()
    ratio_rows = spec["datasets"][spec["vconcat"][1]["layer"][0]["data"]["name"]]
    assert max(r["date"] for r in ratio_rows) == "2024-01-10"  # the last common day; nothing after it
    upper = spec["datasets"][spec["vconcat"][0]["data"]["name"]]
    documented = [r for r in upper if r.get("series") == "documented by Oryx"]
    assert documented and all(r["day"] != "31 January 2024" for r in documented)
    alt_text = chart_alt_text(chart)
    assert "on 10 January 2024, the last day with both figures" in alt_text
    assert "runs on to 31 January 2024 (400), with no documented count to compare" in alt_text
