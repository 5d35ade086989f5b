"""The curated syria-ru-aviation dataset: valid for ddj and for frictionless, and every seed claim present."""

from __future__ import annotations

import re
from pathlib import Path

import frictionless
import polars as pl
import pytest

import ddj
from ddj.datasets import data_dir
from ddj.datasets.datasheet import out_of_step

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def ds():
    return ddj.load("syria-ru-aviation", warn=False)


@pytest.fixture(scope="module")
def claims(ds):
    """Accounts joined with their incident and source, one frame to search by substance."""
    return ds.accounts.join(
        ds.incidents.select("incident_id", "aircraft_model", "region", "event_type", "date_start", "related_incident_id"),
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


def test_mi35_official_technical_failure_and_local_reports(ds, claims):
    incident = claims.filter(pl.col("aircraft_model") == "Mi-35", pl.col("region") == "Al-Hasakah")
    assert incident["event_type"].unique().to_list() == ["emergency_landing"]
    assert incident["date_start"].unique().to_list()[0].isoformat() == "2021-02-28"
    official = incident.filter(pl.col("side") == "official")
    assert official["cause"].to_list() == ["technical_failure"]
    assert "Sytnik" in official["speaker"][0] and "Reconciliation" in official["source_name"][0]
    assert re.search(r"(?i)patrol.*(not|never).*(finish|complet)", official["statement"][0])
    local = incident.filter(pl.col("side") == "unofficial", pl.col("kind") == "local_media")
    assert local["hostile_fire"].to_list() == ["no"]
    assert local.select("crew_killed_claim", "crew_killed_best").row(0) == ("figure", 0)
    assert local["claimed_place"].to_list() == ["unknown"]


def test_mi8_five_killed(claims):
    mi8 = claims.filter(pl.col("aircraft_model") == "Mi-8AMTSh")
    official = mi8.filter(pl.col("side") == "official").row(0, named=True)
    assert official["cause"] == "hostile_fire" and official["hostile_fire"] == "yes"
    assert official["crew_killed_best"] + official["others_killed_best"] == 5
    assert official["follow_on_operation"] == "not_stated"
    unofficial = mi8.filter(pl.col("side") == "unofficial")
    assert "yes" in unofficial["follow_on_operation"].to_list()
    assert unofficial["statement"].str.contains("(?i)nusra").any()
    assert unofficial["statement"].str.contains("(?i)desecrat|defile").any()


def test_campaign_of_over_120_strikes_with_no_official_account(ds, claims):
    mi8 = _incident(ds, "Mi-8AMTSh")
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
    assert lavrov["statement"].str.contains("4 or 5 minutes").any()
    assert lavrov["statement"].str.contains("(?i)illegal|unlawful").any()
    zakharova = remarks.filter(pl.col("speaker").str.contains("Zakharova"))
    assert zakharova["statement"].str.contains("(?i)condemn").any()


def test_su24_precedent_recalled(claims):
    su24 = claims.filter(pl.col("aircraft_model").str.starts_with("Su-24"))
    precedent = su24.filter(pl.col("statement").str.contains("(?i)desecrat|defile"), pl.col("follow_on_operation") == "yes")
    assert precedent.height == 1 and precedent["side"][0] == "unofficial"


def test_il20_parties_blame_each_other(claims):
    il20 = claims.filter(pl.col("aircraft_model").str.starts_with("Il-20"))
    blamed = dict(il20.filter(pl.col("source_id").is_in(["ru-mod", "idf"])).select("source_id", "responsible_party").iter_rows())
    assert "Israel" in blamed["ru-mod"] and "Syria" in blamed["idf"]


def test_no_url_is_invented_and_every_account_is_attributed(ds):
    accounts = ds.accounts
    assert accounts.filter(pl.col("url").is_not_null() | pl.col("archive_url").is_not_null()).height == 0
    assert accounts.filter(pl.col("origin").is_null() | pl.col("source_id").is_null()).height == 0


def _windows(text: str, size: int = 8) -> set[str]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles live in ../shared beside the checkout")
def test_no_sentence_of_the_seed_articles_is_copied(ds):
    seed = set().union(*(_windows(p.read_text(encoding="utf-8")) for p in SEEDS.glob("0*.txt")))
    ours = " ".join(
        [*ds.incidents["summary"], *ds.accounts["statement"], *ds.accounts["notes"].drop_nulls()]
    )
    copied = _windows(ours) & seed
    allowed = {w for w in copied if "reconciliation of the opposing parties" in w}
    assert copied - allowed == set()
