"""The curated syria-ru-aviation dataset: valid for ddj and for frictionless, and every seed claim present."""

from __future__ import annotations

import re

import frictionless
import polars as pl
import pytest

import ddj
from ddj.datasets import data_dir
from ddj.datasets.datasheet import out_of_step
from tests.paths import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def ds(syria):
    """The shipped package (the session's copy, tests/conftest.py)."""
    return syria


@pytest.fixture(scope="module")
def claims(ds):
    """Accounts joined with their incident and source, one frame to search by substance."""
    return ds.accounts.join(
        ds.incidents.select(
            "incident_id", "aircraft_model", "region", "event_type", "date_start", "related_incident_id"
        ),
        on="incident_id",
    ).join(ds.sources.select("source_id", pl.col("name").alias("source_name"), "kind"), on="source_id")


def _incident(ds, model: str) -> str:
    rows = ds.incidents.filter(pl.col("aircraft_model").str.starts_with(model))
    assert rows.height >= 1, model
    return rows["incident_id"][0]


@pytest.mark.parametrize("name", ["syria-ru-aviation"])
def test_frictionless_finds_the_package_valid(name):
    report = frictionless.validate(str(data_dir() / name / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_every_shipped_package_is_valid_for_frictionless():
    for name in ddj.shipped_datasets():
        report = frictionless.validate(str(data_dir() / name / "datapackage.json"))
        assert report.valid, (name, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10])


def test_schema_and_datasheet_are_in_step_with_the_model():
    assert out_of_step(data_dir() / "syria-ru-aviation") == []


def test_ddj_validates_with_only_caveats(ds):
    rules = {c.rule for c in ds.caveats}
    assert "no_official_account" in rules
    assert ds.counts()["incidents"] >= 14 and ds.counts()["overrides"] == 0


def test_mi35_ministry_says_no_fire_and_crew_safe_syrian_reports_say_a_crew_member_died(ds, claims):
    incident = claims.filter(pl.col("aircraft_model") == "Mi-35", pl.col("region") == "Al-Hasakah")
    assert incident["event_type"].unique().to_list() == ["emergency_landing"]
    assert incident["date_start"].unique().to_list()[0].isoformat() == "2021-02-28"
    official = incident.filter(pl.col("side") == "official")
    assert set(official["cause"]) == {"technical_failure"}
    sytnik = official.filter(pl.col("speaker").str.contains("Sytnik"))
    assert "Reconciliation" in sytnik["source_name"][0]
    assert re.search(r"(?i)patrol.*(not|never).*(finish|complet)", sytnik["statement"][0])
    # "Not under fire, pilots safe" were the ministry's own words (memo problem 10) ...
    ministry = official.filter(pl.col("source_id") == "ru-mod").row(0, named=True)
    assert ministry["hostile_fire"] == "no" and (ministry["crew_killed_claim"], ministry["crew_killed_best"]) == (
        "figure",
        0,
    )
    # ... while Syrian reports said a crew member was killed and others hurt.
    syrian = incident.filter(
        pl.col("side") == "unofficial", pl.col("source_id").is_in(["sana", "syrian-military-source-efe"])
    )
    assert syrian.height == 2 and set(syrian["crew_killed_best"]) == {1}
    efe = syrian.filter(pl.col("source_id") == "syrian-military-source-efe").row(0, named=True)
    assert (efe["injured_claim"], efe["injured_best"]) == ("figure", 3)
    assert incident.filter(pl.col("source_id") == "sohr").height == 1
    # The seed article keeps an account of its own, attributed to its outlet, not to "local media".
    seed = incident.filter(pl.col("source_id") == "mi35-report-author")
    assert "Defense World" in seed["source_name"][0] and seed["url"][0].startswith("https://www.defenseworld.net/")
    assert incident.filter(pl.col("kind") == "local_media").height == 0


def test_mi35_is_placed_near_tal_tamr_and_contested_on_crew_killed(ds):
    from ddj.compare import compare

    mi35 = ds.incidents.filter(pl.col("aircraft_model") == "Mi-35").row(0, named=True)
    assert "Tal Tamr" in mi35["place"] and mi35["location_precision"] == 2
    assert abs(mi35["latitude"] - 36.66) < 0.1 and abs(mi35["longitude"] - 40.37) < 0.1
    result = compare(ds)
    status = result.attributes.filter(
        pl.col("incident_id") == mi35["incident_id"], pl.col("attribute") == "crew_killed"
    )
    assert status["status"].to_list() == ["contradict"]
    assert result.incidents.filter(pl.col("incident_id") == mi35["incident_id"])["grade"].to_list() == ["contested"]


def test_mi8_five_killed(claims):
    mi8 = claims.filter(pl.col("aircraft_model") == "Mi-8")
    official = mi8.filter(pl.col("side") == "official", pl.col("source_id") == "ru-mod").row(0, named=True)
    assert official["cause"] == "hostile_fire" and official["hostile_fire"] == "yes"
    assert official["crew_killed_best"] + official["others_killed_best"] == 5
    assert official["follow_on_operation"] == "not_stated"
    unofficial = mi8.filter(pl.col("side") == "unofficial")
    assert "yes" in unofficial["follow_on_operation"].to_list()
    assert unofficial["statement"].str.contains("(?i)nusra").any()
    assert unofficial["statement"].str.contains("(?i)desecrat|defile").any()


def test_campaign_of_over_120_strikes_with_no_official_account(ds, claims):
    mi8 = _incident(ds, "Mi-8")
    campaign = ds.incidents.filter(pl.col("related_incident_id") == mi8, pl.col("event_type") == "strike_campaign")
    assert campaign["relation"].to_list() == ["follow_on"]
    accounts = claims.filter(pl.col("incident_id") == campaign["incident_id"][0])
    assert accounts.filter(pl.col("side") == "official").height == 0
    assert set(accounts["kind"]) >= {"independent_media", "social_media"}
    text = " ".join(accounts["statement"])
    for needle in ("120", "Saraqib", "Abu al-Duhur", "cluster", "air-fuel"):
        assert needle in text, needle
    assert set(accounts["follow_on_operation"]) == {"yes"}


def test_us_strikes_and_the_foreign_ministry_remarks(ds, claims):
    mi35 = _incident(ds, "Mi-35")
    context = ds.incidents.filter(pl.col("related_incident_id") == mi35)
    assert context.select("relation", "event_type", "place").row(0)[:2] == ("context", "airstrike")
    assert "Abu Kamal" in context["place"][0]
    remarks = claims.filter(pl.col("incident_id") == context["incident_id"][0])
    lavrov = remarks.filter(pl.col("speaker").str.contains("Lavrov"))
    assert lavrov["statement"].str.contains("(?i)(4|four) or (5|five) minutes").any()
    assert lavrov["statement"].str.contains("(?i)illegal|unlawful").any()
    zakharova = remarks.filter(pl.col("speaker").str.contains("Zakharova"))
    assert zakharova["statement"].str.contains("(?i)condemn").any()


def test_su24_precedent_recalled(claims):
    su24 = claims.filter(pl.col("aircraft_model").str.starts_with("Su-24"))
    precedent = su24.filter(
        pl.col("statement").str.contains("(?i)desecrat|defile"), pl.col("follow_on_operation") == "yes"
    )
    assert precedent.height == 1 and precedent["side"][0] == "unofficial"


def test_il20_parties_blame_each_other(claims):
    il20 = claims.filter(pl.col("aircraft_model").str.starts_with("Il-20"))
    current = il20.filter(~pl.col("account_id").is_in(il20["supersedes_account_id"].drop_nulls().implode()))
    blamed = dict(
        current.filter(pl.col("source_id").is_in(["ru-mod", "idf"]))
        .select("source_id", "responsible_party")
        .iter_rows()
    )
    assert "Israel" in blamed["ru-mod"] and "Syria" in blamed["idf"]


def test_every_account_links_to_where_it_was_published_and_is_attributed(ds):
    accounts = ds.accounts
    assert accounts.filter(~pl.col("url").str.contains(r"^https?://[^\s/]+\.[^\s]+$").fill_null(False)).height == 0
    archived = accounts.filter(pl.col("archive_url").is_not_null())
    assert archived.filter(~pl.col("archive_url").str.starts_with("https://")).height == 0
    assert accounts.filter(pl.col("accessed_date").is_null()).height == 0
    assert accounts.filter(pl.col("accessed_date") < pl.col("published_date")).height == 0
    assert accounts.filter(pl.col("origin").is_null() | pl.col("source_id").is_null()).height == 0


def test_relayed_accounts_name_the_relay(ds):
    """An account known through another outlet's page says so: the ministry's words through TASS, say."""
    ministry = ds.accounts.filter(pl.col("source_id") == "ru-mod")
    through = ministry.filter(~pl.col("url").str.contains(r"mil\.ru|function\.mil"))
    assert through.height == ministry.height  # no stored page of the ministry's own site was seen
    assert through.filter(~pl.col("reported_in").str.contains(r"(?i)relayed|via|quoted|reported by")).height == 0


def test_mi25_is_an_export_mi24(ds, claims):
    mi25 = claims.filter(pl.col("aircraft_model").str.starts_with("Mi-25"))
    assert "Mi-24" in mi25["aircraft_model"][0] and "Mi-35" not in mi25["aircraft_model"][0]
    official = mi25.filter(pl.col("side") == "official")
    assert official["claimed_aircraft"].str.contains("Mi-24").all()


def test_mi8_official_side_is_split_on_who_fired(ds, claims):
    official = claims.filter(pl.col("aircraft_model") == "Mi-8", pl.col("side") == "official")
    parties = dict(official.select("source_id", "responsible_party").iter_rows())
    assert "Nusra" in parties["ru-mod"]
    assert parties["ru-presidency"] == "unknown"


def test_mig29kr_official_fault_against_fuel_and_cable_reports(ds, claims):
    mig = claims.filter(pl.col("aircraft_model") == "MiG-29KR")
    official = mig.filter(pl.col("side") == "official").row(0, named=True)
    assert official["cause"] == "technical_failure" and official["claimed_date"] == "not_stated"
    others = mig.filter(pl.col("side") == "unofficial")
    assert others.height >= 1 and others["statement"].str.contains("(?i)fuel").all()
    assert others["statement"].str.contains("(?i)wire|cable").any()
    from ddj.compare import compare

    row = compare(ds).attributes.filter(
        pl.col("incident_id") == official["incident_id"], pl.col("attribute") == "cause"
    )
    assert row["status"].to_list() == ["contradict"]


def test_mi28n_has_two_more_official_accounts_that_disagree(claims):
    mi28 = claims.filter(pl.col("aircraft_model") == "Mi-28N", pl.col("side") == "official")
    causes = set(mi28["cause"])
    assert {"technical_failure", "pilot_error"} <= causes and mi28.height == 3


def _chain(ds, incident_id: str) -> list[tuple[str, str]]:
    accounts = ds.accounts.filter(pl.col("incident_id") == incident_id, pl.col("supersedes_account_id").is_not_null())
    return list(accounts.select("supersedes_account_id", "account_id").iter_rows())


@pytest.mark.parametrize(("model", "before", "after"), [("Tu-154", "91", "92"), ("An-26", "32", "39")])
def test_changed_official_counts_are_supersessions(ds, model, before, after):
    incident = _incident(ds, model)
    [(earlier, later)] = _chain(ds, incident)
    rows = {
        r["account_id"]: r
        for r in ds.accounts.filter(pl.col("account_id").is_in([earlier, later])).iter_rows(named=True)
    }
    assert rows[earlier]["source_id"] == rows[later]["source_id"] == "ru-mod"
    assert rows[earlier]["published_date"] <= rows[later]["published_date"]
    counts = ("crew_killed_best", "others_killed_best")
    if model == "Tu-154":  # the first statements spoke of 91 aboard, not of deaths; the correction gave 8 + 84 dead
        assert before in rows[earlier]["statement"] and after in rows[later]["statement"]
        assert (rows[later]["crew_killed_best"], rows[later]["others_killed_best"]) == (8, 84)
    else:  # 26 passengers and 6 crew, then 33 and 6
        assert str(sum(rows[earlier][c] or 0 for c in counts)) == before
        assert str(sum(rows[later][c] or 0 for c in counts)) == after


def test_su24_ground_fire_then_a_turkish_f16(ds):
    [(earlier, later)] = _chain(ds, _incident(ds, "Su-24M"))
    rows = {
        r["account_id"]: r
        for r in ds.accounts.filter(pl.col("account_id").is_in([earlier, later])).iter_rows(named=True)
    }
    assert (
        re.search(r"(?i)ground", rows[earlier]["statement"])
        and rows[earlier]["responsible_party"] != "Turkish Air Force"
    )
    assert rows[later]["responsible_party"] == "Turkish Air Force"
    assert "F-16" in rows[later]["statement"] + (rows[later]["notes"] or "")


def test_il20_fourteen_and_a_french_frigate_then_fifteen_and_a_syrian_s200(ds):
    [(earlier, later)] = _chain(ds, _incident(ds, "Il-20"))
    rows = {
        r["account_id"]: r
        for r in ds.accounts.filter(pl.col("account_id").is_in([earlier, later])).iter_rows(named=True)
    }
    assert "14" in rows[earlier]["statement"] and re.search(r"(?i)frigate|Auvergne", rows[earlier]["statement"])
    assert rows[later]["crew_killed_best"] == 15 and "S-200" in rows[later]["statement"]


def test_the_comparison_shows_the_changed_stories(ds):
    from ddj.compare import compare

    changed = compare(ds).incidents.filter(pl.col("official_changed"))["incident_id"].to_list()
    for model in ("Su-24M", "Tu-154", "An-26", "Il-20"):
        assert _incident(ds, model) in changed, model


def test_kommersant_wounded_turkmen_two_dead_hts_place_and_weapon(ds, claims):
    kommersant = claims.filter(pl.col("source_id") == "kommersant").row(0, named=True)
    assert kommersant["injured_claim"] == "figure" and kommersant["injured_low"] > 10
    turkmen = claims.filter(pl.col("source_id") == "turkmen-militia").row(0, named=True)
    assert (turkmen["crew_killed_claim"], turkmen["crew_killed_best"]) == ("figure", 2)
    hts = claims.filter(pl.col("source_id") == "hts").row(0, named=True)
    assert "Saraqib" in hts["claimed_place"] and re.search(r"(?i)shoulder|MANPADS|portable", hts["statement"])


def test_us_strikes_two_f15es(ds):
    strikes = ds.incidents.filter(pl.col("aircraft_model") == "F-15E")
    assert strikes["aircraft_count"].to_list() == [2]


def test_variants_no_page_confirms_are_not_the_incident_type(ds):
    models = set(ds.incidents["aircraft_model"])
    assert {"Mi-8", "Su-25", "Il-20"} <= models
    assert not models & {"Mi-8AMTSh", "Su-25SM", "Il-20M"}


@pytest.mark.parametrize(
    "incident_id",
    [
        "syr-2016-05-t4-helicopters",
        "syr-2017-10-10-su24",
        "syr-2017-12-31-mi24-hama",
        "med-2018-05-03-su30sm",
        "syr-2018-05-07-ka52",
    ],
)
def test_the_five_added_losses_each_have_an_official_account(ds, incident_id):
    accounts = ds.accounts.filter(pl.col("incident_id") == incident_id)
    assert accounts.filter(pl.col("side") == "official", pl.col("source_id") == "ru-mod").height >= 1
    assert ds.incidents.filter(pl.col("incident_id") == incident_id).height == 1


def test_the_drone_attack_is_context_not_a_loss(ds):
    drones = ds.incidents.filter(pl.col("incident_id") == "syr-2018-01-06-hmeimim-drones").row(0, named=True)
    assert (drones["relation"], drones["aircraft_count"], drones["aircraft_category"]) == ("context", 0, "none")
    assert drones["related_incident_id"] == "syr-2017-12-31-hmeimim-mortar"
    official = ds.accounts.filter(pl.col("incident_id") == drones["incident_id"], pl.col("side") == "official")
    assert official["statement"].str.contains("13").any()


def test_seed_outlets_are_named(ds):
    names = dict(ds.sources.select("source_id", "name").iter_rows())
    assert "Defense World" in names["mi35-report-author"] and "Defence24" in names["retaliation-report-author"]


def test_putin_phrase_is_quoted_as_his(claims):
    putin = claims.filter(pl.col("speaker").str.contains("Putin")).row(0, named=True)
    assert re.search(r"[\"“]a chain of tragic", putin["statement"])


def _windows(text: str, size: int = 8) -> set[str]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles live in ../shared beside the checkout")
def test_no_sentence_of_the_seed_articles_is_copied(ds):
    seed = set().union(*(_windows(p.read_text(encoding="utf-8")) for p in SEEDS.glob("0*.txt")))
    ours = " ".join([*ds.incidents["summary"], *ds.accounts["statement"], *ds.accounts["notes"].drop_nulls()])
    copied = _windows(ours) & seed
    allowed = {w for w in copied if "reconciliation of the opposing parties" in w}
    assert copied - allowed == set()
