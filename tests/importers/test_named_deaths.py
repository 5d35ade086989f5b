"""``ddj import named-deaths``: a list of named deaths and official claims as a personnel tally package.

The fixtures (tests/fixtures/importers/named_deaths/, README there) are SYNTHETIC: invented names and figures.
"""

from __future__ import annotations

import json
import warnings

import polars as pl
import pytest

import ddj
import ddj.tally
from ddj.cli import main
from ddj.errors import DateOrderError, ImportFormatError, UsageError, ValidationError
from ddj.importers.named_deaths import import_named_deaths
from ddj.report.pages import sections
from tests.paths import FIXTURES as TEST_FIXTURES

FIXTURES = TEST_FIXTURES / "importers" / "named_deaths"
CLAIMS = FIXTURES / "official_claims.csv"
EQUIPMENT_WORDS = ("equipment", "destroyed", "photo or video")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("named") / "synthetic-deaths"
    result = import_named_deaths(
        FIXTURES / "deaths_list.csv",
        out,
        official=CLAIMS,
        side="Synthetic",
        official_name="Synthetic Ministry",
        list_name="Synthetic Register",
    )
    return result, ddj.load(out, warn=False)


def _events(ds) -> dict[int, tuple]:
    return {row["source_row"]: row for row in ds.table("documented_events").iter_rows(named=True)}


def test_the_package_validates_as_a_personnel_tally_with_the_raw_files_unchanged(imported):
    result, ds = imported
    assert ds.kind == "tally"
    assert ddj.tally.unit(ds).noun == "people" and ddj.tally.unit(ds).losses == "deaths"
    assert set(ds.table("documented_events")["status"]) == {"killed"}
    raw = result["folder"] / "raw"
    assert (raw / "deaths_list.csv").read_bytes() == (FIXTURES / "deaths_list.csv").read_bytes()
    assert (raw / "official_claims.csv").read_bytes() == CLAIMS.read_bytes()
    assert [item["path"] for item in ds.descriptor["ddj"]["raw"]] == ["raw/deaths_list.csv", "raw/official_claims.csv"]


def test_dates_in_every_form_are_read_and_the_order_decided_by_the_file(imported):
    _, ds = imported
    dates = {row: str(e["date"]) for row, e in _events(ds).items()}
    assert dates[2] == "2022-02-25"  # ISO
    assert dates[3] == "2022-12-28"  # 28 December 2022
    assert dates[4] == "2022-05-09"  # 9-May-22
    assert dates[5] == "2022-08-14"  # 14/08/2022: day first, the only order that gives a date
    assert dates[6] == "2022-03-05"  # with a time of day


def test_people_without_a_date_are_kept_and_counted_apart_never_dropped(imported):
    result, ds = imported
    events = _events(ds)
    assert events[8]["date"] is None and events[13]["date"] is None  # 'unknown', and empty with no publication
    assert result["summary"]["undated"] == 2
    assert ddj.tally.undated(ds).rows() == [("personnel", "killed", 2)]
    # every named person of the list is a row: 12 rows read, one repeated person merged
    assert result["summary"]["rows_read"] == 12 and ds.table("documented_events").height == 11


def test_a_person_with_only_a_publication_date_is_dated_by_it_and_counted(imported):
    result, ds = imported
    assert str(_events(ds)[7]["date"]) == "2022-04-02"
    assert result["summary"]["dated_by_fallback"] == 2
    assert any("by the date of publication" in c for c in result["summary"]["changes"])


def test_an_unreadable_date_is_kept_as_a_finding_naming_the_row_and_the_text(imported):
    result, ds = imported
    found = [f for f in result["findings"] if f["rule"] == "date_unreadable"]
    assert [(f["row"], f["column"], f["values"]) for f in found] == [
        (9, "date_of_death", {"date_of_death": "spring 2022"})
    ]
    assert str(_events(ds)[9]["date"]) == "2022-06-01"  # its publication date places it
    assert ds.descriptor["ddj"]["import"]["findings"] == json.loads(json.dumps(result["findings"]))
    # the tally kind lists the rule, so findings.csv holds it too, in its order by row
    assert ds.table("findings").select("row", "column", "value", "rule").rows() == [
        (9, "date_of_death", "spring 2022", "date_unreadable"),
        (10, "name", "synthetic  PERSON 1", "duplicate_row"),
    ]


def test_a_repeated_person_is_merged_into_the_first_row_with_a_finding(imported):
    result, ds = imported
    events = _events(ds)
    assert 10 not in events  # 'synthetic  PERSON 1 ', same date and unit as row 2
    assert 11 in events  # same name, another day: another person, kept
    findings = ds.table("findings").filter(pl.col("rule") == "duplicate_row")
    assert findings.select("row", "column", "rule").rows() == [(10, "name", "duplicate_row")]
    assert "the same person as row 2" in findings["detail"][0]
    assert result["summary"]["rows_merged"] == 1


def test_formula_like_text_is_kept_as_text(imported):
    _, ds = imported
    assert _events(ds)[12]["system"] == "=cmd|' /C calc'!A0"


def test_the_tally_and_its_page_say_killed_and_deaths_never_equipment(imported, capsys):
    _, ds = imported
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row = ddj.tally.tally(ds, as_of="2022-12-31").row(0, named=True)
        html = str(sections.tally_latest(ds, ["personnel"]))
    # dated on or before 2022-12-28 (the documented side's last day): rows 2-7, 9, 11, 12
    assert (row["official"], row["documented"], row["killed"]) == (104000, 9, 9)
    for word in EQUIPMENT_WORDS:
        assert word not in html.lower()
    assert "Synthetic Register documented deaths" in html
    assert main(["tally", str(ds.folder), "--as-of", "2022-12-31"]) == 0
    out = capsys.readouterr().out
    assert "personnel (killed): 2" in out and "destroyed" not in out


def test_the_general_staff_json_gives_the_official_side(tmp_path):
    import_named_deaths(FIXTURES / "deaths_list.csv", tmp_path / "p", official=FIXTURES / "official_personnel.json")
    ds = ddj.load(tmp_path / "p", warn=False)
    series = ds.table("official_series")
    assert series["value"].to_list() == [2800, 5710, 30700, 109000]
    assert set(series["category"]) == {"personnel"}  # POW is another count, not taken


def test_dated_by_published_counts_by_the_publication_date(tmp_path):
    result = import_named_deaths(FIXTURES / "deaths_list.csv", tmp_path / "p", official=CLAIMS, dated_by="published")
    events = _events(ddj.load(tmp_path / "p", warn=False))
    assert str(events[2]["date"]) == "2022-03-01" and str(events[4]["date"]) == "2022-05-09"  # row 4: no publication
    assert result["summary"]["dated_by"] == "published"
    with pytest.raises(UsageError, match="--dated-by 'burial'"):
        import_named_deaths(FIXTURES / "deaths_list.csv", tmp_path / "q", official=CLAIMS, dated_by="burial")


def test_a_windows_1252_list_is_refused_with_the_option_then_imported_with_it(tmp_path):
    with pytest.raises(ImportFormatError, match="--encoding cp1252"):
        import_named_deaths(FIXTURES / "deaths_cp1252.csv", tmp_path / "p", official=CLAIMS)
    result = import_named_deaths(FIXTURES / "deaths_cp1252.csv", tmp_path / "p", official=CLAIMS, encoding="cp1252")
    names = ddj.load(tmp_path / "p", warn=False).table("documented_events")["system"].to_list()
    assert names[:2] == ["Synthetic Müller", "Synthetic Škoda"]
    assert [f["row"] for f in result["findings"] if f["rule"] == "characters_lost"] == [4]


def test_dates_no_row_can_order_are_refused_offering_date_format(tmp_path):
    with pytest.raises(DateOrderError, match="--date-format"):
        import_named_deaths(FIXTURES / "deaths_undecidable.csv", tmp_path / "p", official=CLAIMS)
    import_named_deaths(FIXTURES / "deaths_undecidable.csv", tmp_path / "p", official=CLAIMS, date_format="%d/%m/%Y")
    dates = [str(d) for d in ddj.load(tmp_path / "p", warn=False).table("documented_events")["date"]]
    assert dates == ["2022-04-03", "2022-06-05"]


@pytest.mark.parametrize(
    ("fixture", "error", "words"),
    [
        ("deaths_future.csv", ValidationError, "row 3"),
        ("deaths_no_name.csv", ValidationError, "names every person"),
        ("deaths_no_date_column.csv", ImportFormatError, "date_of_death or date_published"),
    ],
)
def test_bad_lists_are_refused_naming_what_to_fix_and_nothing_is_written(tmp_path, fixture, error, words):
    with pytest.raises(error) as caught:
        import_named_deaths(FIXTURES / fixture, tmp_path / "p", official=CLAIMS)
    assert words in str(caught.value) and fixture in str(caught.value)
    assert not (tmp_path / "p" / "datapackage.json").exists()


def test_the_command_prints_the_summary_and_writes_a_package_that_validates(tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(
        ["import", "named-deaths", str(FIXTURES / "deaths_list.csv"), "--official", str(CLAIMS), "--out", str(out)]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "counted 11 named death(s); merged 1 repeated person(s)" in printed
    assert "2 person(s) without a date: kept and counted apart" in printed
    assert "row 9, date_of_death: 'spring 2022'" in printed
    assert main(["validate", str(out)]) == 0
    with pytest.raises(SystemExit):  # --official is required
        main(["import", "named-deaths", str(FIXTURES / "deaths_list.csv"), "--out", str(tmp_path / "x")])
    assert "required: --official" in capsys.readouterr().err
