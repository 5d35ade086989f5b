"""``ddj import`` on the shapes real ACLED and UCDP exports take (issue 20): each imports faithfully or is refused
in one message that says what to pass.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

import ddj
from ddj.cli import main
from ddj.errors import DateOrderError, ImportFormatError, ValidationError
from ddj.importers._dates import YEAR_FIRST, read_dates, read_loose_dates
from ddj.importers._names import name_key
from ddj.importers._sides import OFFICIALS_VERSION, actor_country, official_body
from ddj.importers.acled import import_acled
from ddj.importers.ucdp import import_ucdp
from tests.paths import FIXTURES as TEST_FIXTURES

FIXTURES = TEST_FIXTURES / "importers"


def _dates(folder: Path) -> dict[str, str]:
    ds = ddj.load(folder, warn=False)
    return {r["incident_id"]: str(r["date_start"]) for r in ds.incidents.iter_rows(named=True)}


def _sides(result: dict) -> dict[tuple[str, str | None], str]:
    return {(r["source"], r["operator_country"]): r["side"] for r in result["sides"].iter_rows(named=True)}


# --- dates -----------------------------------------------------------------------------------------------------


def test_every_date_form_is_read_and_day_first_is_decided_by_the_file(tmp_path):
    result = import_acled(FIXTURES / "acled_dates_forms.csv", tmp_path / "pkg")
    assert _dates(tmp_path / "pkg") == {
        "acled-UKR1": "2014-01-22",
        "acled-UKR2": "2014-01-22",
        "acled-UKR3": "2022-12-28",
        "acled-UKR4": "2015-01-01",
        "acled-UKR5": "2020-05-09",
        "acled-UKR6": "2019-12-31",
        "acled-UKR7": "2019-02-01",
        "acled-UKR8": "2020-08-14",
    }
    assert result["summary"]["dates"]["order"] == "day first"
    assert any("day first" in c for c in result["summary"]["changes"])


def test_month_first_with_am_pm(tmp_path):
    import_acled(FIXTURES / "acled_dates_month_first.csv", tmp_path / "pkg")
    assert _dates(tmp_path / "pkg") == {
        "acled-UKR1": "2014-01-22",
        "acled-UKR2": "2014-03-04",
        "acled-UKR3": "2014-12-31",
    }


def test_mixed_orders_are_refused_naming_the_rows_and_the_option(tmp_path):
    with pytest.raises(DateOrderError) as err:
        import_acled(FIXTURES / "acled_dates_mixed.csv", tmp_path / "pkg")
    text = str(err.value)
    assert "row(s) 3 can only be day first" in text and "row(s) 2 only month first" in text
    assert "--date-format '%d/%m/%Y'" in text and "\n" not in text
    assert not (tmp_path / "pkg").exists()
    # With --date-format the rows it does not fit are named.
    with pytest.raises(ValidationError, match=r"row 2, column 'event_date': '1/22/2014' is not a date ddj can read"):
        import_acled(FIXTURES / "acled_dates_mixed.csv", tmp_path / "pkg", date_format="%d/%m/%Y")


def test_undecidable_order_needs_date_format(tmp_path):
    with pytest.raises(DateOrderError, match=r"no row has a number above 12.*row\(s\) 2, 3.*--date-format"):
        import_acled(FIXTURES / "acled_dates_undecidable.csv", tmp_path / "pkg")
    import_acled(FIXTURES / "acled_dates_undecidable.csv", tmp_path / "pkg", date_format="%m/%d/%Y")
    assert _dates(tmp_path / "pkg") == {"acled-UKR1": "2014-03-04", "acled-UKR2": "2014-05-06"}


def test_dates_outside_the_year_before_1946_or_in_the_future_are_errors(tmp_path):
    with pytest.raises(ValidationError) as err:
        import_acled(FIXTURES / "acled_dates_wrong.csv", tmp_path / "pkg")
    text = str(err.value)
    assert "row 2, column 'event_date': '31-12-19 (read as 2019-12-31; year 2018)' is not in the year" in text
    assert "row 3, column 'event_date': '0031-12-19 (read as 0031-12-19)' is before 1946" in text
    assert "row 4, column 'event_date': '2031-01-05 (read as 2031-01-05)' is after today" in text
    assert "row 5" not in text


def test_command_line_refusal_is_one_line_naming_the_option(tmp_path, capsys):
    assert main(["import", "acled", str(FIXTURES / "acled_dates_mixed.csv"), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "--date-format" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert (
        main(
            [
                "import",
                "acled",
                str(FIXTURES / "acled_dates_mixed.csv"),
                "--out",
                str(tmp_path / "y"),
                "--date-format",
                "%m/%d/%Y",
            ]
        )
        == 2
    )
    assert "row 3" in capsys.readouterr().err


def test_two_digit_years_written_first_are_read_year_first_when_the_year_column_says_so(tmp_path):
    result = import_acled(FIXTURES / "acled_dates_year_first.csv", tmp_path / "pkg")
    assert _dates(tmp_path / "pkg") == {
        "acled-UKR1": "2024-03-05",
        "acled-UKR2": "2024-03-15",
        "acled-UKR3": "2024-03-05",
        "acled-UKR4": "2024-12-31",
    }
    assert result["summary"]["dates"]["order"] == "year first (YY-MM-DD)"
    assert any("year first" in c and "decided by row(s) 2" in c for c in result["summary"]["changes"])


def test_two_digit_years_written_last_stay_last_when_the_year_column_says_so(tmp_path):
    # '24/03/05' in a row whose year is 2005 is 24 March 2005, not 5 March 2024; '05/03/24' (2024) is 5 March 2024.
    import_acled(FIXTURES / "acled_dates_year_last_two_digit.csv", tmp_path / "pkg")
    assert _dates(tmp_path / "pkg") == {"acled-UKR1": "2024-03-05", "acled-UKR2": "2005-03-24"}


def test_a_two_digit_year_that_could_be_first_or_last_is_refused_then_read_with_date_format(tmp_path):
    path = FIXTURES / "acled_dates_year_place_unknown.csv"
    with pytest.raises(DateOrderError) as err:
        import_acled(path, tmp_path / "pkg")
    text = str(err.value)
    assert "acled_dates_year_place_unknown.csv, column 'event_date'" in text and "row(s) 2, 3" in text
    assert "--date-format '%y-%m-%d' (year first)" in text and "--date-format '%d-%m-%y'" in text
    assert err.value.rows == (2, 3) and not (tmp_path / "pkg").exists()
    import_acled(path, tmp_path / "pkg", date_format="%y-%m-%d")
    assert _dates(tmp_path / "pkg") == {"acled-UKR1": "2024-03-05", "acled-UKR2": "2005-03-24"}
    import_acled(path, tmp_path / "pkg2", date_format="%d-%m-%y")
    assert _dates(tmp_path / "pkg2") == {"acled-UKR1": "2005-03-24", "acled-UKR2": "2024-03-05"}


def test_two_digit_years_in_both_places_are_refused_naming_the_rows(tmp_path):
    with pytest.raises(DateOrderError) as err:
        import_acled(FIXTURES / "acled_dates_year_place_mixed.csv", tmp_path / "pkg")
    text = str(err.value)
    assert "row(s) 2 can only put the year first" in text and "row(s) 3 only last" in text
    assert "1 row(s) could be either" in text and "--date-format '%y-%m-%d'" in text


def test_command_line_refuses_an_undecidable_year_place_in_one_line(tmp_path, capsys):
    path = str(FIXTURES / "acled_dates_year_place_unknown.csv")
    assert main(["import", "acled", path, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "--date-format '%y-%m-%d'" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["import", "acled", path, "--out", str(tmp_path / "y"), "--date-format", "%y-%m-%d"]) == 0


@pytest.mark.parametrize(
    ("value", "year", "expected"),
    [
        ("24/03/05", "2024", "2024-03-05"),  # year first: only 2024-03-05 is in the year 2024
        ("24/03/05", "2005", "2005-03-24"),  # year last, day first (24 cannot be a month)
        ("24/03/05", None, DateOrderError),  # 2024-03-05 or 24 March 2005: nothing decides
        ("05/03/24", "2005", "2005-03-24"),  # year first
        ("05/03/24", "2024", DateOrderError),  # year last, but 5 March or 3 May: nothing decides the day/month order
        ("05/03/24", None, DateOrderError),
        ("2024/3/5", None, "2024-03-05"),  # a four-digit year first is always year-month-day
        ("24-03-05", None, DateOrderError),
        ("24-03-05", "2024", "2024-03-05"),
        ("99-12-31", None, "1999-12-31"),  # only year first gives a date (no day 99, no year 1931)
        ("31-12-19", None, "2019-12-31"),  # only year last gives a date (1931 is before 1946, 2031 in the future)
    ],
)
def test_each_two_digit_and_year_first_form_is_read_only_when_the_file_decides(value, year, expected):
    columns = {"event_date": [value]} | ({"year": [year]} if year else {})
    frame = pl.DataFrame(columns).with_row_index("source_row", offset=2)
    if expected is DateOrderError:
        with pytest.raises(DateOrderError, match=r"k\.csv, column 'event_date'.*row\(s\) 2.*--date-format"):
            read_dates(frame, ["event_date"], file="k.csv", today=dt.date(2026, 1, 1))
        return
    read = read_dates(frame, ["event_date"], file="k.csv", today=dt.date(2026, 1, 1))
    assert str(read.frame["_event_date"][0]) == expected


def test_a_source_date_follows_the_files_year_first_order():
    values = pl.DataFrame({"d": ["24-03-05", "2024/3/5", "05-03-24"]})
    read = values.select(read_loose_dates(pl.col("d"), YEAR_FIRST).alias("d"))["d"]
    assert [str(d) for d in read] == ["2024-03-05", "2024-03-05", "2005-03-24"]


# --- encodings -------------------------------------------------------------------------------------------------


def test_windows_1252_is_refused_naming_the_option_then_imported_with_it(tmp_path):
    with pytest.raises(ImportFormatError, match=r"line 2: not UTF-8 text.*--encoding cp1252"):
        import_acled(FIXTURES / "acled_cp1252.csv", tmp_path / "pkg")
    result = import_acled(FIXTURES / "acled_cp1252.csv", tmp_path / "pkg", encoding="cp1252")
    ds = ddj.load(tmp_path / "pkg", warn=False)
    assert "Radio Liberté" in ds.sources["name"].to_list()
    lost = [f for f in result["findings"] if f["rule"] == "characters_lost"]
    assert [(f["row"], f["column"]) for f in lost] == [(2, "location")]
    assert result["summary"]["cells_with_lost_characters"] == 1
    assert any("cp1252" in c for c in result["summary"]["changes"])


# --- codebook generations --------------------------------------------------------------------------------------


def test_pre_2019_codebook_upper_case_index_column_and_na(tmp_path):
    result = import_acled(FIXTURES / "acled_pre2019.csv", tmp_path / "pkg")
    assert _dates(tmp_path / "pkg") == {"acled-KEN1": "2017-12-31", "acled-KEN2": "2018-01-05"}
    changes = " ".join(result["summary"]["changes"])
    assert "leading index column" in changes and "'ally_actor_1' as 'assoc_actor_1'" in changes
    assert "literal 'NA'" in changes and "pre-2019 codebook" in changes
    skipped = {i["column"]: i["reason"] for i in result["not_mapped"]}
    assert "Gleditsch-Ward" in skipped["gwno"] and "" not in skipped
    ds = ddj.load(tmp_path / "pkg", warn=False)
    assert "NA" not in (tmp_path / "pkg" / "incidents.csv").read_text(encoding="utf-8").split(",")
    assert _sides(result)[("Kenya Defence Forces", "Kenya")] == "official"
    assert (
        ds.incidents.filter(pl.col("incident_id") == "acled-KEN2")["operator"]
        .item()
        .startswith("Military Forces of Kenya")
    )


def test_2024_codebook_with_text_inter_and_extra_columns(tmp_path):
    result = import_acled(FIXTURES / "acled_2024.csv", tmp_path / "pkg")
    skipped = {i["column"]: i["reason"] for i in result["not_mapped"]}
    assert {"id", "actor_dyad", "countycode", "inter1", "population_best"} <= set(skipped)
    assert result["counts"]["incidents"] == 2
    sides = _sides(result)
    # Niger is not Nigeria.
    assert sides[("Niger Armed Forces", "Niger")] == "official"
    assert sides[("Nigerian Army", "Niger")] == "unofficial"


def test_monadic_rows_are_merged_and_said(tmp_path):
    result = import_acled(FIXTURES / "acled_monadic.csv", tmp_path / "pkg")
    assert result["counts"]["incidents"] == 2 and result["summary"]["rows_merged"] == 2
    assert any("SYR1: rows 2, 3 merged" in c for c in result["summary"]["changes"])
    ds = ddj.load(tmp_path / "pkg", warn=False)
    monitor = ds.accounts.filter(pl.col("account_id") == "acled-SYR1-acled").row(0, named=True)
    assert monitor["others_killed_best"] == 5 and "rows 2, 3" in monitor["notes"]


def test_repeated_ids_that_are_not_one_event_are_refused(tmp_path):
    text = (
        (FIXTURES / "acled_monadic.csv")
        .read_text(encoding="utf-8")
        .replace(
            "Free Syrian Army,,Syria,Kharkivska,Kharkiv,49.99,36.23,1,SANA; Syrian Observatory for Human Rights,"
            "National,5",
            "Free Syrian Army,,Syria,Kharkivska,Kharkiv,49.99,36.23,1,SANA; Syrian Observatory for Human Rights,"
            "National,7",
        )
    )
    (tmp_path / "dup.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match=r"rows 2, 3 \(SYR1\) differ in fatalities"):
        import_acled(tmp_path / "dup.csv", tmp_path / "pkg")


# --- UCDP: the monitor's inconsistencies are data ----------------------------------------------------------------


def test_ucdp_figures_out_of_order_are_findings_not_a_refusal(tmp_path):
    result = import_ucdp(FIXTURES / "ucdp_findings.csv", tmp_path / "pkg")
    findings = [f for f in result["findings"] if f["rule"] == "count_order"]
    assert [(f["file"], f["row"], f["values"]) for f in findings] == [
        ("ucdp_findings.csv", 3, {"low": "20", "best": "12", "high": "20"})
    ]
    ds = ddj.load(tmp_path / "pkg", warn=False)
    monitor = ds.accounts.filter(pl.col("account_id") == "ucdp-500002-ucdp").row(0, named=True)
    assert monitor["certainty"] == "uncertain" and monitor["others_killed_best"] == 12
    assert "low 20, best 12, high 20" in monitor["notes"] and "Check deaths" in monitor["notes"]
    descriptor = json.loads((tmp_path / "pkg" / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["ddj"]["import"]["findings"][0]["row"] == 3
    vague = ds.accounts.filter(pl.col("account_id") == "ucdp-500003-ucdp").row(0, named=True)
    assert vague["certainty"] == "uncertain" and "Check vague or biased source" in vague["notes"]
    clear = ds.accounts.filter(pl.col("account_id") == "ucdp-500001-ucdp").row(0, named=True)
    assert clear["certainty"] == "reported"


def test_ucdp_officials_named_in_source_original_get_an_official_account(tmp_path):
    result = import_ucdp(FIXTURES / "ucdp_findings.csv", tmp_path / "pkg")
    ds = ddj.load(tmp_path / "pkg", warn=False)
    official = ds.accounts.filter(pl.col("side") == "official").join(ds.sources, on="source_id")
    assert sorted(official.select("incident_id", "name", "speaker").rows()) == [
        ("ucdp-500001", "Ministry of Defence of Russia", "Russian Defence Ministry spokesman"),
        ("ucdp-500003", "Ministry of Interior Affairs of Afghanistan", "Afghan interior ministry spokesman"),
    ]
    quoted = official.filter(pl.col("incident_id") == "ucdp-500001").row(0, named=True)
    assert quoted["reported_in"] == "Reuters; AFP"
    # An outlet date either order could read (08/02/2016) is not guessed: the account is re-dated and counted.
    assert result["summary"]["accounts_redated"] == 2


# --- sides by declaration ---------------------------------------------------------------------------------------


def test_sides_come_from_the_officials_table_and_the_operator(tmp_path):
    result = import_acled(FIXTURES / "acled_sides.csv", tmp_path / "pkg")
    sides = _sides(result)
    assert sides[("Air Force of Ukraine", "Russia")] == "unofficial"
    assert sides[("Air Force of Ukraine", "Ukraine")] == "official"
    assert sides[("General Staff of the Armed Forces of Ukraine", "Russia")] == "unofficial"
    assert sides[("Turkish Armed Forces", "Russia")] == "unofficial"
    assert sides[("DPR People's Militia", "Ukraine")] == "unofficial"
    assert sides[("Free Syrian Army command", "Syria")] == "unofficial"
    assert sides[("Syrian Arab Army", "Syria")] == "official"
    assert sides[("Niger Armed Forces", "Nigeria")] == "unofficial"
    assert sides[("Nigerian Army", "Nigeria")] == "official"
    assert sides[("Ministry of Interior Affairs of Afghanistan", "Afghanistan")] == "official"
    assert sides[("Joint Forces Operation headquarters", "Ukraine")] == "official"
    written = pl.read_csv(tmp_path / "pkg" / "sides.csv")
    assert written.columns[:5] == ["source", "operator_country", "side", "kind", "why"]
    assert all(f"v{OFFICIALS_VERSION}" in w for w in written["why"])
    descriptor = json.loads((tmp_path / "pkg" / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["ddj"]["import"]["officials_table"]["version"] == OFFICIALS_VERSION
    assert descriptor["ddj"]["official_search"]["searched"] is False


def test_spellings_of_one_outlet_are_one_source(tmp_path):
    import_acled(FIXTURES / "acled_sides.csv", tmp_path / "pkg")
    ds = ddj.load(tmp_path / "pkg", warn=False)
    names = ds.sources["name"].to_list()
    assert names.count("Euromaidan Press") == 1 and "EuromaidanPress" not in names
    assert names.count("Українська правда") == 1 and names.count("Radio Liberté") == 1
    assert not any("Ã" in n or "Ð" in n for n in names)
    assert name_key("Euromaidan\u00a0Press") == name_key("EuromaidanPress")


def test_a_corrected_sides_file_is_applied_on_re_run(tmp_path):
    first = import_acled(FIXTURES / "acled_sides.csv", tmp_path / "one")
    table = pl.read_csv(first["sides_file"]).with_columns(
        pl.when(pl.col("source") == "Free Syrian Army command")
        .then(pl.lit("official"))
        .otherwise(pl.col("side"))
        .alias("side")
    )
    table = pl.concat(
        [table, pl.DataFrame({"source": ["No Such Outlet"], "side": ["official"]})], how="diagonal_relaxed"
    )
    table.write_csv(tmp_path / "sides.csv")
    second = import_acled(FIXTURES / "acled_sides.csv", tmp_path / "two", sides=tmp_path / "sides.csv")
    assert _sides(second)[("Free Syrian Army command", "Syria")] == "official"
    row = second["sides"].filter(pl.col("source") == "Free Syrian Army command").row(0, named=True)
    assert "set by you in sides.csv" in row["why"]
    assert any("No Such Outlet" in u for u in second["summary"]["sides_file_rows_unused"])
    (tmp_path / "bad.csv").write_text("source,side\nTASS,maybe\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"bad.csv, row 2, column 'side': 'maybe' is not a side"):
        import_acled(FIXTURES / "acled_sides.csv", tmp_path / "three", sides=tmp_path / "bad.csv")


def test_the_tables_match_exactly():
    assert actor_country("Military Forces of Niger (2023-)") == "Niger"
    assert actor_country("Military Forces of Nigeria (2015-)") == "Nigeria"
    assert actor_country("Free Syrian Army") is None
    assert official_body("Russian Defense Ministry")["body"] == "Ministry of Defence of Russia"
    assert official_body("Air Force") is None and official_body("Armed Forces") is None


# --- the summary ------------------------------------------------------------------------------------------------


def test_the_command_line_prints_sides_and_a_summary(tmp_path, capsys):
    assert main(["import", "ucdp", str(FIXTURES / "ucdp_findings.csv"), "--out", str(tmp_path / "pkg")]) == 0
    out = capsys.readouterr().out
    assert "sides (" in out and "sides.csv" in out and "--sides FILE" in out
    assert "summary:" in out and "read 3 row(s); wrote 3 event(s)" in out and "findings (1):" in out
    assert "row 3" in out and "sources per side" in out
    assert (tmp_path / "pkg" / "sides.csv").is_file()
