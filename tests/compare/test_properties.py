"""Properties of the comparison, checked on generated accounts (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddj.compare import compare
from ddj.compare.corroboration import chain_labels, identity_key
from tests.fixtures.incidents import account_row, dataset, incident_row

INCIDENTS = ("i1", "i2", "i3")
#: The curators declare a search for official statements on every incident but this one.
NOT_SEARCHED = "i3"
ORIGINS = ("Ministry", "Local media", "local  MEDIA", "Observers", "Social media")
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def _count(draw, name: str) -> dict:
    claim = draw(st.sampled_from(("figure", "figure", "unknown", "not_stated")))
    if claim != "figure":
        return {f"{name}_claim": claim}
    low = draw(st.integers(0, 6))
    width = draw(st.integers(0, 3))
    if draw(st.booleans()):
        return {f"{name}_claim": claim, f"{name}_best": low}
    return {f"{name}_claim": claim, f"{name}_low": low, f"{name}_high": low + width}


@st.composite
def _claims(draw) -> dict:
    words = ("unknown", "not_stated")
    return {
        "cause": draw(st.sampled_from(("hostile_fire", "technical_failure", "accident", *words))),
        "hostile_fire": draw(st.sampled_from(("yes", "no", *words))),
        "responsible_party": draw(st.sampled_from(("Islamic State", "islamic  state", "Israel", *words))),
        **draw(_count("crew_killed")),
        **draw(_count("injured")),
        "claimed_country": draw(st.sampled_from(("Syria", "syria", "Turkey", *words))),
        "claimed_place": draw(st.sampled_from(("Idlib province", "near Saraqib, Idlib province", "Hatay", *words))),
        "claimed_date": draw(st.sampled_from(("2020-01-01", "2020-01-02", *words))),
        "claimed_aircraft": draw(st.sampled_from(("Mi-8", "MI-8", "Su-24", *words))),
        "follow_on_operation": draw(st.sampled_from(("yes", "no", *words))),
    }


@st.composite
def _accounts(draw) -> list[dict]:
    n = draw(st.integers(0, 7))
    rows = []
    for i in range(n):
        rows.append(
            account_row(
                f"a{i}",
                draw(st.sampled_from(INCIDENTS)),
                draw(st.sampled_from(("official", "unofficial"))),
                draw(st.sampled_from(ORIGINS)),
                source_id=f"s{draw(st.integers(0, 3))}",
                published_date=dt.date(2020, 1, 1) + dt.timedelta(days=draw(st.integers(0, 20))),
                **draw(_claims()),
            )
        )
    # Some accounts replace an earlier one of the same source about the same incident (a changed story).
    for i, row in enumerate(rows):
        earlier = [
            r
            for r in rows[:i]
            if (r["incident_id"], r["source_id"], r["side"]) == (row["incident_id"], row["source_id"], row["side"])
            and r["published_date"] <= row["published_date"]
        ]
        if earlier and draw(st.booleans()):
            row["supersedes_account_id"] = draw(st.sampled_from(earlier))["account_id"]
    return rows


def _build(accounts: list[dict]):
    built = dataset([incident_row(i) for i in INCIDENTS], accounts)
    search = {"searched": True, "on": "2026-12-05", "not_searched": [NOT_SEARCHED]}
    return dataclasses.replace(built, descriptor={"ddj": {"kind": "incidents", "official_search": search}})


def _flip(side: str) -> str:
    return "unofficial" if side == "official" else "official"


SWAPPED = {
    "agree": {"agree"},
    "contradict": {"contradict"},
    "unknown": {"unknown"},
    "official_only": {"unofficial_only", "official_silent", "no_official_record"},
    "unofficial_only": {"official_only"},
    "official_silent": {"official_only"},
    "no_official_record": {"official_only"},
}


@SETTINGS
@given(_accounts())
def test_swapping_the_sides_swaps_official_only_and_unofficial_only(accounts):
    before = compare(_build(accounts)).attributes
    after = compare(_build([{**a, "side": _flip(a["side"])} for a in accounts])).attributes
    for old, new in zip(before.iter_rows(named=True), after.iter_rows(named=True), strict=True):
        assert (old["incident_id"], old["attribute"]) == (new["incident_id"], new["attribute"])
        assert new["status"] in SWAPPED[old["status"]], (old, new)
        assert (new["official_values"], new["unofficial_values"]) == (old["unofficial_values"], old["official_values"])
        # official_only becomes official_silent exactly when the new official side has no account at all, and
        # someone searched for official statements on the incident (else no_official_record)
        if old["status"] == "official_only":
            spoke = any(a["incident_id"] == old["incident_id"] and a["side"] == "unofficial" for a in accounts)
            silence = "no_official_record" if old["incident_id"] == NOT_SEARCHED else "official_silent"
            assert new["status"] == ("unofficial_only" if spoke else silence)


@SETTINGS
@given(_accounts(), st.data())
def test_an_agreeing_repeat_of_an_existing_origin_never_raises_corroboration(accounts, data):
    replaced = {a["supersedes_account_id"] for a in accounts}
    unofficial = [a for a in accounts if a["side"] == "unofficial" and a["account_id"] not in replaced]
    if not unofficial:
        return
    original = data.draw(st.sampled_from(unofficial))
    repeat = {
        **original,
        "account_id": "repeat",
        "source_id": "s-repeater",
        "supersedes_account_id": None,
        "origin": data.draw(st.sampled_from((original["origin"], original["origin"].upper() + " "))),
    }
    before = compare(_build(accounts))
    after = compare(_build([*accounts, repeat]))
    columns = ["incident_id", "n_unofficial_origins", "n_supporting_origins", "n_contradicting_origins", "grade"]
    assert before.incidents.select(columns).equals(after.incidents.select(columns))
    assert before.attributes.select("n_unofficial_origins", "status").equals(
        after.attributes.select("n_unofficial_origins", "status")
    )


@SETTINGS
@given(_accounts(), st.randoms(use_true_random=False))
def test_statuses_are_a_function_of_the_accounts_not_their_order(accounts, random):
    shuffled = list(accounts)
    random.shuffle(shuffled)
    first, second = compare(_build(accounts)), compare(_build(shuffled))
    for name in ("incidents", "attributes", "changes", "accounts"):
        assert getattr(first, name).equals(getattr(second, name)), name
    assert set(first.attributes["status"]) <= {
        "agree",
        "contradict",
        "official_silent",
        "no_official_record",
        "unofficial_only",
        "official_only",
        "unknown",
    }
    assert first.attributes.height == len(INCIDENTS) * 10
    assert first.attributes.filter(pl.col("status") == "contradict").height == first.incidents["n_contradict"].sum()


def _chains_by_hand(frame: pl.DataFrame) -> list[int]:
    """chain_labels' rule, row by row in plain Python: a union of the unofficial accounts of an incident that
    share an origin key (blank origins share one) or a publication (blank links nothing); a chain that repeats
    an official origin takes the smallest such official row.
    """

    def keys(column: str) -> list[str]:
        texts = frame.select(pl.col(column).cast(pl.String).fill_null(""))
        return texts.select(identity_key(pl.col(column))).to_series().to_list()

    origin, publication = keys("origin"), keys("reported_in")
    incident, official = frame["_inc"].to_list(), frame["_off"].to_list()
    parent = list(range(frame.height))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    rows = [i for i in range(frame.height) if not official[i]]
    for i in rows:
        for j in rows:
            same = origin[i] == origin[j] or (publication[i] != "" and publication[i] == publication[j])
            if j > i and incident[i] == incident[j] and same:
                a, b = sorted((root(i), root(j)))
                parent[b] = a
    labels = list(range(frame.height))
    for i in rows:
        chain = [j for j in rows if root(j) == root(i)]
        echoed = [
            k
            for j in chain
            for k in range(frame.height)
            if official[k] and incident[k] == incident[j] and origin[k] == origin[j]
        ]
        labels[i] = min(echoed) if echoed else min(chain)
    return labels


@pytest.mark.parametrize("linked", [False, True], ids=["origins only", "publications link origins"])
def test_chain_labels_follow_the_rule_on_random_accounts(linked: bool) -> None:
    """The sort-and-fill chains (and the publication rounds) give the labels the rule gives by hand."""
    for seed in range(150):
        rnd = random.Random(seed)
        m = rnd.randint(1, 30)
        frame = pl.DataFrame(
            {
                "_inc": sorted(rnd.randint(0, 3) for _ in range(m)),
                "_off": [rnd.random() < 0.3 for _ in range(m)],
                "origin": [rnd.choice(["TASS", "tass ", "Reuters", "SOHR", None, "", " Тass"]) for _ in range(m)],
                "reported_in": [rnd.choice([None, "", "AP", "AP ", "Defence24"]) if linked else None for _ in range(m)],
            },
            schema_overrides={"_inc": pl.UInt32, "reported_in": pl.String},
        )
        assert chain_labels(frame).to_list() == _chains_by_hand(frame), (seed, frame)
