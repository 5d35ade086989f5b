"""The comparison: statuses per kind of attribute, supersession, acknowledgement, origins, grades, overrides."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

import ddj
from ddj.compare import ATTRIBUTE_COLUMNS, GRADES, INCIDENT_COLUMNS, STATUSES, Comparison, compare
from ddj.compare.claims import normalise_words, words_fit
from ddj.errors import UsageError
from ddj.model import COMPARED_ATTRIBUTES
from tests.fixtures.incidents import account_row, dataset, incident_row

D = dt.date


def _status(result: Comparison, attribute: str, incident_id: str = "i1") -> str:
    row = result.attributes.filter((pl.col("incident_id") == incident_id) & (pl.col("attribute") == attribute))
    assert row.height == 1
    return row["status"].item()


def _searched(ds, **search):
    """``ds`` with a declared search for official statements (on 2026-12-05 unless ``search`` says otherwise)."""
    declaration = {"searched": True, "on": "2026-12-05", **search}
    return dataclasses.replace(ds, descriptor={"ddj": {"kind": "incidents", "official_search": declaration}})


def _row(result: Comparison, incident_id: str = "i1") -> dict:
    return result.incidents.filter(pl.col("incident_id") == incident_id).row(0, named=True)


def _pair(official: dict, unofficial: dict, **extra_unofficial) -> Comparison:
    accounts = [
        account_row("a1", "i1", "official", "Ministry", **official),
        account_row("a2", "i1", "unofficial", "Local outlet", **unofficial),
    ]
    accounts += [account_row(k, "i1", "unofficial", "Local outlet", **v) for k, v in extra_unofficial.items()]
    return compare(dataset([incident_row("i1")], accounts))


# --- the shape of the result ----------------------------------------------------------------------


def test_every_incident_has_every_attribute_in_model_order():
    ds = dataset([incident_row("i2"), incident_row("i1")], [account_row("a1", "i1", "official", "M", cause="accident")])
    result = compare(ds)
    assert result.incidents["incident_id"].to_list() == ["i1", "i2"]
    names = [a.name for a in COMPARED_ATTRIBUTES]
    assert result.attributes["attribute"].to_list() == names * 2
    assert result.attributes["incident_id"].to_list() == ["i1"] * len(names) + ["i2"] * len(names)
    assert result.attributes["label"].to_list()[:2] == [COMPARED_ATTRIBUTES[0].label, COMPARED_ATTRIBUTES[1].label]
    assert tuple(result.attributes.columns) == ATTRIBUTE_COLUMNS
    assert tuple(result.incidents.columns) == INCIDENT_COLUMNS
    assert set(result.attributes["status"]) <= set(STATUSES)
    # The values are Enums of the values that occur (two bytes an element); they read as strings.
    values = result.attributes.schema["official_values"]
    assert isinstance(values, pl.List) and isinstance(values.inner, pl.Enum)
    assert result.attributes["official_values"].to_list()[0] == ["accident"]
    assert result.attributes.filter(pl.col("official_values").list.contains("accident")).height == 1
    # Low-cardinality words are Enums (one byte a row) that still compare with strings.
    assert result.attributes.schema["status"] == pl.Enum(STATUSES)
    assert result.attributes.schema["attribute"] == pl.Enum(names)
    assert result.attributes.schema["label"] == pl.Enum([a.label for a in COMPARED_ATTRIBUTES])
    assert result.attributes.filter(pl.col("status") == "official_only")["attribute"].to_list() == ["cause"]


def test_an_incident_nobody_spoke_of_is_unknown_throughout_and_weak():
    ds = dataset([incident_row("i1"), incident_row("i2")], [account_row("a1", "i1", "official", "M", cause="accident")])
    result = compare(ds)
    assert set(result.attributes.filter(pl.col("incident_id") == "i2")["status"]) == {"unknown"}
    row = _row(result, "i2")
    assert (row["n_accounts"], row["acknowledged"], row["grade"]) == (0, False, "weak")
    assert row["grade_reason"] == "Weak: no account of this incident is recorded."


# --- statuses ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("official", "unofficial", "attribute", "status"),
    [
        ({"cause": "technical_failure"}, {"cause": "technical_failure"}, "cause", "agree"),
        ({"cause": "technical_failure"}, {"cause": "hostile_fire"}, "cause", "contradict"),
        (
            {"responsible_party": "Islamic  State "},
            {"responsible_party": "islamic state"},
            "responsible_party",
            "agree",
        ),
        (
            {"responsible_party": "Israel"},
            {"responsible_party": "Syrian air defence"},
            "responsible_party",
            "contradict",
        ),
        (
            {"responsible_party": "Syrian air defence"},
            {"responsible_party": "Syrian air defence forces"},
            "responsible_party",
            "agree",
        ),
        (
            {"crew_killed_claim": "figure", "crew_killed_best": 5},
            {"crew_killed_claim": "figure", "crew_killed_low": 3, "crew_killed_high": 6},
            "crew_killed",
            "agree",
        ),
        (
            {"crew_killed_claim": "figure", "crew_killed_low": 1, "crew_killed_best": 2, "crew_killed_high": 2},
            {"crew_killed_claim": "figure", "crew_killed_best": 4},
            "crew_killed",
            "contradict",
        ),
        (
            {"crew_killed_claim": "figure", "crew_killed_best": 5},
            {"crew_killed_claim": "unknown"},
            "crew_killed",
            "official_only",
        ),
        (
            {"claimed_country": "Syria", "claimed_place": "Idlib province"},
            {"claimed_country": "syria", "claimed_place": "near Saraqib, Idlib Province"},
            "place",
            "agree",
        ),
        (
            {"claimed_country": "Syria", "claimed_place": "Hmeimim air base"},
            {"claimed_country": "Turkey", "claimed_place": "Hmeimim air base"},
            "place",
            "contradict",
        ),
        # Place texts within one country are shown side by side, not judged.
        (
            {"claimed_country": "Syria", "claimed_place": "near Homs"},
            {"claimed_country": "Syria", "claimed_place": "east of Palmyra"},
            "place",
            "agree",
        ),
        (
            {"claimed_country": "Syria", "claimed_place": "Latakia province, on the Syrian side of the border"},
            {"claimed_country": "Syria", "claimed_place": "Turkmen Mountains, Latakia province"},
            "place",
            "agree",
        ),
        (
            {"claimed_country": "Syria", "claimed_place": "Latakia province"},
            {"claimed_country": "Turkey", "claimed_place": "Turkish airspace over Yayladag, Hatay province"},
            "place",
            "contradict",
        ),
        (
            {"claimed_country": "Syria", "claimed_place": "not_stated"},
            {"claimed_country": "not_stated", "claimed_place": "near the Turkish border"},
            "place",
            "agree",
        ),
        ({"claimed_country": "Syria"}, {"claimed_country": " syria"}, "place", "agree"),
        (
            {"claimed_country": "Syria", "claimed_place": "near Homs"},
            {"claimed_country": "unknown", "claimed_place": "Homs"},
            "place",
            "agree",
        ),
        ({"claimed_date": "2020-01-01"}, {"claimed_date": "2020-01-02"}, "date", "contradict"),
        ({"claimed_date": "2020-01-01"}, {"claimed_date": "2020-01-01"}, "date", "agree"),
        (
            {"follow_on_operation": "not_stated"},
            {"follow_on_operation": "yes"},
            "follow_on_operation",
            "unofficial_only",
        ),
        ({"hostile_fire": "unknown"}, {"hostile_fire": "not_stated"}, "hostile_fire", "unknown"),
    ],
)
def test_status_of_each_kind_of_attribute(official, unofficial, attribute, status):
    assert _status(_pair(official, unofficial), attribute) == status


TEXT_PAIRS = [
    # A less specific name is not a contradiction of a more specific one ...
    ("Mi-8", "Mi-8AMTSh", True),
    ("Su-24", "Su-24M", True),
    ("Syrian air defence", "Syrian air defence forces", True),
    ("Mi-8", "MI 8", True),
    # ... but different names are.
    ("Israel", "Syrian air defence", False),
    ("Mi-8", "Mi-28N", False),
    ("Mi-2", "Mi-24", False),
    ("Syria", "Syrian opposition", False),
]


@pytest.mark.parametrize(("first", "second", "fit"), TEXT_PAIRS)
def test_which_texts_fit(first, second, fit):
    frame = pl.DataFrame({"a": [first, second], "b": [second, first]})
    words = frame.select(normalise_words(pl.col("a")).alias("a"), normalise_words(pl.col("b")).alias("b"))
    assert words.select(words_fit(pl.col("a"), pl.col("b"))).to_series().to_list() == [fit, fit]


@pytest.mark.parametrize(("first", "second", "fit"), TEXT_PAIRS)
@pytest.mark.parametrize("column", ["claimed_aircraft", "responsible_party"])
def test_text_claims_contradict_only_when_neither_is_the_other_less_specific(first, second, fit, column):
    attribute = "aircraft" if column == "claimed_aircraft" else "responsible_party"
    for official, unofficial in ((first, second), (second, first)):
        status = _status(_pair({column: official}, {column: unofficial}), attribute)
        assert status == ("agree" if fit else "contradict"), (official, unofficial)


def test_a_less_specific_text_among_several_meets_each_on_its_own():
    result = _pair({"claimed_aircraft": "Mi-8"}, {"claimed_aircraft": "Mi-8AMTSh"}, a3={"claimed_aircraft": "Mi-28N"})
    assert _status(result, "aircraft") == "contradict"
    row = result.attributes.filter(pl.col("attribute") == "aircraft").row(0, named=True)
    assert row["unofficial_values"] == ["Mi-28N", "Mi-8AMTSh"]


def test_one_incompatible_pair_among_several_claims_is_a_contradiction():
    result = _pair({"cause": "accident"}, {"cause": "accident"}, a3={"cause": "hostile_fire"})
    assert _status(result, "cause") == "contradict"
    row = result.attributes.filter(pl.col("attribute") == "cause").row(0, named=True)
    assert row["official_values"] == ["accident"]
    assert row["unofficial_values"] == ["accident", "hostile_fire"]
    assert row["official_account_ids"] == ["a1"] and row["unofficial_account_ids"] == ["a2", "a3"]


def test_official_silent_only_when_the_operator_never_spoke_and_someone_looked():
    silent = compare(
        _searched(
            dataset(
                [incident_row("i1")],
                [
                    account_row("a1", "i1", "unofficial", "Observers", follow_on_operation="yes"),
                ],
            )
        )
    )
    assert _status(silent, "follow_on_operation") == "official_silent"
    assert _row(silent)["official_searched"] and _row(silent)["n_official_silent"] == 1
    unsearched = compare(
        dataset(
            [incident_row("i1")],
            [
                account_row("a1", "i1", "unofficial", "Observers", follow_on_operation="yes"),
            ],
        )
    )
    assert _status(unsearched, "follow_on_operation") == "no_official_record"
    assert not _row(unsearched)["official_searched"] and _row(unsearched)["n_no_official_record"] == 1
    spoke = compare(
        dataset(
            [incident_row("i1")],
            [
                account_row("a0", "i1", "official", "Ministry", cause="accident"),
                account_row("a1", "i1", "unofficial", "Observers", follow_on_operation="yes"),
            ],
        )
    )
    assert _status(spoke, "follow_on_operation") == "unofficial_only"


def test_values_are_rendered_for_people_and_sorted():
    result = _pair(
        {
            "crew_killed_claim": "figure",
            "crew_killed_low": 10,
            "crew_killed_high": 12,
            "claimed_country": "Syria",
            "claimed_place": " near Saraqib ",
        },
        {"crew_killed_claim": "figure", "crew_killed_best": 3, "claimed_country": "Syria"},
        a3={"crew_killed_claim": "figure", "crew_killed_best": 11},
    )
    crew = result.attributes.filter(pl.col("attribute") == "crew_killed").row(0, named=True)
    assert crew["official_values"] == ["10–12"] and crew["unofficial_values"] == ["3", "11"]
    place = result.attributes.filter(pl.col("attribute") == "place").row(0, named=True)
    assert place["official_values"] == ["Syria: near Saraqib"] and place["unofficial_values"] == ["Syria"]


# --- supersession, history and changes ---------------------------------------------------------------


def _denial_then_admission(**admission) -> list[dict]:
    return [
        account_row(
            "a1",
            "i1",
            "official",
            "Ministry",
            source_id="mod",
            published_date=D(2020, 1, 2),
            cause="technical_failure",
            hostile_fire="no",
        ),
        account_row(
            "a2",
            "i1",
            "official",
            "Ministry",
            source_id="mod",
            published_date=D(2020, 2, 1),
            cause="hostile_fire",
            hostile_fire="yes",
            supersedes_account_id="a1",
            **admission,
        ),
        account_row(
            "a3",
            "i1",
            "unofficial",
            "Local outlet",
            source_id="local",
            published_date=D(2020, 1, 3),
            cause="hostile_fire",
        ),
    ]


def test_a_superseding_account_replaces_the_earlier_one_and_the_history_stays_visible():
    result = compare(dataset([incident_row("i1")], _denial_then_admission()))
    assert _status(result, "cause") == "agree"
    history = result.accounts.select("account_id", "is_current", "superseded_by").rows()
    assert history == [("a1", False, "a2"), ("a2", True, None), ("a3", True, None)]
    row = _row(result)
    assert row["official_changed"] and row["n_superseded"] == 1 and row["n_official"] == 1
    assert row["first_official_date"] == D(2020, 1, 2)  # the denial counts as acknowledgement
    changes = result.changes.select("attribute", "from_value", "to_value", "from_date", "to_date").rows()
    assert changes == [
        ("cause", "technical_failure", "hostile_fire", D(2020, 1, 2), D(2020, 2, 1)),
        ("hostile_fire", "no", "yes", D(2020, 1, 2), D(2020, 2, 1)),
    ]
    assert result.changes["source_id"].to_list() == ["mod", "mod"]


def test_as_of_shows_the_comparison_as_it_stood():
    ds = dataset([incident_row("i1")], _denial_then_admission())
    before = compare(ds, as_of=D(2020, 1, 15))
    assert _status(before, "cause") == "contradict"
    assert before.accounts["account_id"].to_list() == ["a1", "a3"]
    assert before.accounts["is_current"].to_list() == [True, True]
    assert before.changes.height == 0 and not _row(before)["official_changed"]


def test_as_of_before_every_account_leaves_every_incident_unknown():
    result = compare(dataset([incident_row("i1")], _denial_then_admission()), as_of=D(2019, 12, 31))
    assert result.accounts.height == 0 and result.changes.height == 0
    assert set(result.attributes["status"]) == {"unknown"}
    assert (_row(result)["grade"], _row(result)["n_accounts"]) == ("weak", 0)


def test_same_claims_in_other_spelling_are_not_a_change():
    accounts = [
        account_row("a1", "i1", "official", "M", source_id="mod", responsible_party="Islamic State"),
        account_row(
            "a2",
            "i1",
            "official",
            "M",
            source_id="mod",
            responsible_party="islamic  state",
            supersedes_account_id="a1",
            published_date=D(2020, 1, 3),
        ),
    ]
    result = compare(dataset([incident_row("i1")], accounts))
    assert result.changes.height == 0 and not _row(result)["official_changed"]


# --- acknowledgement and origins -------------------------------------------------------------------------


def test_days_to_the_first_official_account():
    accounts = [
        account_row("a1", "i1", "unofficial", "Local", published_date=D(2020, 1, 3), cause="accident"),
        account_row("a2", "i1", "official", "Ministry", published_date=D(2020, 1, 8), cause="accident"),
    ]
    row = _row(compare(dataset([incident_row("i1", D(2020, 1, 1))], accounts)))
    assert (row["acknowledged"], row["days_to_official"], row["days_unofficial_to_official"]) == (True, 7, 5)
    assert row["first_unofficial_date"] == D(2020, 1, 3)


def test_outlets_repeating_one_origin_count_once():
    accounts = [
        account_row("a1", "i1", "unofficial", "Local media in Idlib", source_id="s1", cause="hostile_fire"),
        account_row("a2", "i1", "unofficial", "local  media in idlib", source_id="s2", cause="hostile_fire"),
        account_row("a3", "i1", "unofficial", "Observers", source_id="s3", cause="hostile_fire"),
    ]
    result = compare(dataset([incident_row("i1")], accounts))
    assert _row(result)["n_unofficial_origins"] == 2
    cause = result.attributes.filter(pl.col("attribute") == "cause").row(0, named=True)
    assert cause["n_unofficial_origins"] == 2 and cause["unofficial_account_ids"] == ["a1", "a2", "a3"]


# --- grades ------------------------------------------------------------------------------------------------


def _grade(accounts: list[dict], *, searched: bool = False) -> tuple[str, str]:
    ds = dataset([incident_row("i1")], accounts)
    row = _row(compare(_searched(ds) if searched else ds))
    assert row["grade"] == row["computed_grade"] in GRADES
    return row["grade"], row["grade_reason"]


def test_confirmed_when_an_independent_account_backs_the_operator_on_a_point_it_makes():
    grade, reason = _grade(
        [
            account_row("a1", "i1", "official", "M", cause="technical_failure", hostile_fire="no"),
            account_row("a2", "i1", "unofficial", "Local", hostile_fire="no"),
        ]
    )
    assert grade == "confirmed"
    assert reason == (
        "Confirmed: an account independent of the operator agrees with its version on 1 point both "
        "speak to, and no account contradicts it (1 independent source in all)."
    )


def test_the_operators_word_alone_is_uncorroborated_not_confirmed():
    grade, reason = _grade([account_row("a1", "i1", "official", "M", cause="technical_failure")])
    assert grade == "uncorroborated" and "only the operator's account is recorded" in reason


def test_others_speaking_only_to_other_points_do_not_corroborate_the_operator():
    grade, reason = _grade(
        [
            account_row("a1", "i1", "official", "M", cause="technical_failure"),
            account_row("a2", "i1", "unofficial", "Local", hostile_fire="no"),
        ]
    )
    assert grade == "uncorroborated"
    assert "1 independent source speaks of the incident but not to the points the operator makes" in reason


def test_an_outlet_repeating_the_operator_is_not_independent():
    grade, _ = _grade(
        [
            account_row("a1", "i1", "official", "Russian Ministry of Defence", cause="technical_failure"),
            account_row("a2", "i1", "unofficial", "russian  ministry of defence", cause="technical_failure"),
        ]
    )
    assert grade == "uncorroborated"


def test_an_outlet_repeating_the_operator_backs_nothing_even_beside_an_independent_source():
    """The outlet repeating the ministry is the only other account on the cause, and the local outlet speaks only to
    the injured, which the ministry does not: nothing independent backs the ministry's version, so it is not
    confirmed, and the cause counts no independent source (the Mi-35 of February 2021 has this shape).
    """
    accounts = [
        account_row("a1", "i1", "official", "Russian Ministry of Defence", cause="technical_failure"),
        account_row("a2", "i1", "unofficial", "Russian Ministry of Defence", cause="technical_failure"),
        account_row("a3", "i1", "unofficial", "Local outlet", injured_claim="figure", injured_low=3, injured_high=3),
    ]
    result = compare(dataset([incident_row("i1")], accounts))
    row = _row(result)
    assert row["n_unofficial_origins"] == 1 and row["n_agree"] == 1
    assert row["grade"] == "uncorroborated"
    assert "1 independent source speaks of the incident but not to the points the operator makes" in row["grade_reason"]
    cause = result.attributes.filter(pl.col("attribute") == "cause").row(0, named=True)
    assert cause["status"] == "agree" and cause["unofficial_account_ids"] == ["a2"]
    assert cause["n_unofficial_origins"] == 0  # the outlet repeats the ministry: no independent source
    # The same local outlet agreeing on the cause itself does back the ministry.
    backing = account_row("a4", "i1", "unofficial", "Local outlet", cause="technical_failure")
    row = _row(compare(dataset([incident_row("i1")], [*accounts, backing])))
    assert row["grade"] == "confirmed" and "agrees with its version on 1 point" in row["grade_reason"]


def test_three_origins_through_one_article_are_one_source():
    accounts = [
        account_row(f"a{i}", "i1", "unofficial", origin, follow_on_operation="yes", reported_in="Defence24 article")
        for i, origin in enumerate(["Independent media", "Social media", "Observers"], 1)
    ]
    row = _row(compare(dataset([incident_row("i1")], accounts)))
    assert row["n_unofficial_origins"] == 1 and row["grade"] == "weak"
    assert "rests on a single independent source" in row["grade_reason"]
    second = account_row("a4", "i1", "unofficial", "Conflict News", follow_on_operation="yes", reported_in="Pravda")
    row = _row(compare(dataset([incident_row("i1")], [*accounts, second])))
    assert row["n_unofficial_origins"] == 2 and row["grade"] == "fair"


def test_a_lookalike_letter_does_not_make_a_new_source():
    accounts = [
        account_row("a1", "i1", "unofficial", "Syrian Observatory", follow_on_operation="yes"),
        account_row("a2", "i1", "unofficial", "Sуrian Оbservatory", follow_on_operation="yes"),
    ]  # Cyrillic у, О
    row = _row(compare(dataset([incident_row("i1")], accounts)))
    assert row["n_unofficial_origins"] == 1 and row["grade"] == "weak"


def test_fair_with_two_agreeing_origins_and_official_silence():
    accounts = [
        account_row("a1", "i1", "unofficial", "Observers", follow_on_operation="yes"),
        account_row("a2", "i1", "unofficial", "Social media", follow_on_operation="yes"),
    ]
    grade, reason = _grade(accounts, searched=True)
    assert grade == "fair" and reason.startswith("Fair: 2 independent") and "never spoken of it" in reason
    # Where nobody searched for official statements, the reason does not call it silence.
    grade, reason = _grade(accounts)
    assert grade == "fair" and reason.endswith("; no official account is recorded.") and "never" not in reason


def test_weak_with_one_origin_or_with_origins_that_disagree():
    assert _grade([account_row("a1", "i1", "unofficial", "Observers", cause="accident")])[0] == "weak"
    grade, reason = _grade(
        [
            account_row("a1", "i1", "unofficial", "Observers", cause="accident"),
            account_row("a2", "i1", "unofficial", "Social media", cause="hostile_fire"),
        ]
    )
    assert grade == "weak" and "disagree with one another on cause" in reason


def test_contested_when_the_sides_contradict_and_neither_concedes():
    grade, reason = _grade(
        [
            account_row("a1", "i1", "official", "M", responsible_party="Israel"),
            account_row("a2", "i1", "unofficial", "IDF", responsible_party="Syrian air defence"),
        ]
    )
    assert grade == "contested" and "on responsible party" in reason and "1 independent source contradicts" in reason


def _weighed(accounts: list[dict]) -> dict:
    row = _row(compare(dataset([incident_row("i1")], accounts)))
    assert row["grade"] == row["computed_grade"] in GRADES
    return row


_OPERATOR = account_row("a1", "i1", "official", "M", cause="technical_failure", claimed_date="2020-01-01")
_DISSENT = account_row("a2", "i1", "unofficial", "Rumour mill", cause="hostile_fire", claimed_date="2020-01-01")


def test_discounted_when_origins_supporting_the_operator_on_the_disputed_attribute_clearly_outnumber():
    row = _weighed(
        [
            _OPERATOR,
            _DISSENT,
            account_row("a3", "i1", "unofficial", "Observers", cause="technical_failure"),
            account_row("a4", "i1", "unofficial", "Local media", cause="technical_failure"),
            account_row("a5", "i1", "unofficial", "local media", cause="technical_failure"),  # a repeat of one origin
            account_row("a6", "i1", "unofficial", "Witnesses", cause="technical_failure"),
        ]
    )
    assert (row["n_supporting_origins"], row["n_contradicting_origins"]) == (3, 1)
    assert row["grade"] == "discounted" and row["contradicted_attributes"] == "cause"
    assert "1 independent source contradicts the operator, 3 support it on what is in dispute" in row["grade_reason"]


def test_two_supporting_origins_against_one_are_not_enough_to_discount():
    row = _weighed(
        [
            _OPERATOR,
            _DISSENT,
            account_row("a3", "i1", "unofficial", "Observers", cause="technical_failure"),
            account_row("a4", "i1", "unofficial", "Local media", cause="technical_failure"),
        ]
    )
    assert (row["n_supporting_origins"], row["n_contradicting_origins"]) == (2, 1)
    assert row["grade"] == "contested"
    assert "2 support it on what is in dispute, short of the margin that would discount" in row["grade_reason"]


def test_support_on_other_attributes_says_nothing_about_the_disputed_one():
    # Three origins agree with the operator on the date, none speaks to the cause, which is in dispute.
    row = _weighed(
        [
            _OPERATOR,
            _DISSENT,
            *(
                account_row(f"a{i}", "i1", "unofficial", origin, claimed_date="2020-01-01")
                for i, origin in enumerate(("Observers", "Local media", "Witnesses", "Agency"), start=3)
            ),
        ]
    )
    assert row["contradicted_attributes"] == "cause"
    assert (row["n_supporting_origins"], row["n_contradicting_origins"]) == (0, 1)
    assert row["grade"] == "contested" and "0 support it" in row["grade_reason"]


def test_an_origin_that_backs_the_operator_on_one_disputed_point_and_contradicts_it_on_another_contradicts():
    row = _weighed(
        [
            account_row("a1", "i1", "official", "M", cause="technical_failure", claimed_aircraft="Mi-8"),
            account_row("a2", "i1", "unofficial", "Rumour mill", cause="hostile_fire"),
            *(
                account_row(f"a{i}", "i1", "unofficial", origin, cause="technical_failure", claimed_aircraft="Mi-28N")
                for i, origin in enumerate(("Observers", "Local media", "Witnesses"), start=3)
            ),
        ]
    )
    assert row["contradicted_attributes"] == "cause, aircraft"
    assert (row["n_supporting_origins"], row["n_contradicting_origins"]) == (0, 4)
    assert row["grade"] == "contested"


def test_a_place_without_a_country_supports_nobody_on_a_disputed_country():
    official = account_row("a1", "i1", "official", "M", claimed_country="Syria", claimed_place="Latakia")
    dissent = account_row("a2", "i1", "unofficial", "Ankara", claimed_country="Turkey", claimed_place="Yayladagi")
    vague = [
        account_row(f"a{i}", "i1", "unofficial", origin, claimed_place="near the border")
        for i, origin in enumerate(("Observers", "Local media", "Witnesses"), start=3)
    ]
    row = _weighed([official, dissent, *vague])
    assert (row["n_supporting_origins"], row["n_contradicting_origins"], row["grade"]) == (0, 1, "contested")
    named = [{**a, "claimed_country": "Syria"} for a in vague]
    row = _weighed([official, dissent, *named])
    assert (row["n_supporting_origins"], row["n_contradicting_origins"], row["grade"]) == (3, 1, "discounted")


# --- overrides -------------------------------------------------------------------------------------------


def _override(override_id: str, value: str, decided_on: dt.date, reason: str, incident_id: str = "i1") -> dict:
    return {
        "override_id": override_id,
        "target_table": "grades",
        "target_id": incident_id,
        "field": "grade",
        "value": value,
        "editor": f"Editor {override_id}",
        "decided_on": decided_on,
        "reason": reason,
    }


def test_an_override_replaces_the_grade_and_shows_who_when_and_why():
    accounts = [account_row("a1", "i1", "unofficial", "Observers", cause="accident")]
    overrides = [
        _override("o2", "fair", D(2024, 3, 1), "A second origin was confirmed by phone."),
        _override("o1", "contested", D(2024, 2, 1), "First look."),
        _override("o3", "discounted", D(2024, 3, 1), "Same day, later id."),
    ]
    result = compare(dataset([incident_row("i1"), incident_row("i2")], accounts, overrides))
    row = _row(result)
    assert (row["computed_grade"], row["grade"], row["grade_overridden"]) == ("weak", "discounted", True)
    assert (row["override_id"], row["override_editor"], row["override_date"]) == ("o3", "Editor o3", D(2024, 3, 1))
    assert row["override_reason"] == "Same day, later id."
    assert row["grade_reason"].startswith("Set to discounted by Editor o3 on 2024-03-01 (override o3): Same day")
    assert "The rules gave weak." in row["grade_reason"]
    untouched = _row(result, "i2")
    assert not untouched["grade_overridden"] and untouched["override_editor"] is None
    earlier = _row(compare(dataset([incident_row("i1")], accounts, overrides), as_of=D(2024, 2, 15)))
    assert (earlier["grade"], earlier["override_id"]) == ("contested", "o1")


def test_overrides_of_other_tables_leave_grades_alone():
    accounts = [account_row("a1", "i1", "unofficial", "Observers", cause="accident")]
    other = {**_override("o1", "Some title", D(2024, 1, 1), "Typo."), "target_table": "incidents", "field": "title"}
    row = _row(compare(dataset([incident_row("i1")], accounts, [other])))
    assert not row["grade_overridden"] and row["grade"] == "weak"


# --- purity and determinism ------------------------------------------------------------------------------------


def _synthetic(incidents: int = 300, seed: int = 4):
    from pathlib import Path

    from ddj.datasets.dataset import Dataset
    from ddj.synth import synthetic_tables

    return Dataset(
        name="synthetic",
        folder=Path("."),
        kind="incidents",
        tables=synthetic_tables(incidents, seed),
        caveats=(),
        descriptor={},
        files={},
    )


def _assert_same(a: Comparison, b: Comparison) -> None:
    for name in ("incidents", "attributes", "changes", "accounts"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.equals(right), name


def test_same_input_twice_gives_identical_frames():
    ds = _synthetic()
    _assert_same(compare(ds), compare(ds))


def test_row_order_of_the_input_does_not_matter():
    ds = _synthetic()
    from ddj.datasets.dataset import Dataset

    shuffled = Dataset(
        name=ds.name,
        folder=ds.folder,
        kind=ds.kind,
        caveats=(),
        descriptor={},
        files={},
        tables={name: frame.sample(fraction=1.0, shuffle=True, seed=9) for name, frame in ds.tables.items()},
    )
    assert not shuffled.accounts["account_id"].equals(ds.accounts["account_id"])
    _assert_same(compare(ds), compare(shuffled))


def test_the_dataset_is_not_changed():
    ds = _synthetic(100)
    before = {name: frame.clone() for name, frame in ds.tables.items()}
    result = compare(ds)
    for name, frame in ds.tables.items():
        assert frame.equals(before[name]) and frame.columns == before[name].columns, name
    assert "is_current" not in ds.accounts.columns and "is_current" in result.accounts.columns


def test_synthetic_data_exercises_every_status_and_grade():
    synthetic = _synthetic(2000, seed=1)
    # A search for official statements declared on all but every other incident: both kinds of no official account.
    result = compare(_searched(synthetic, not_searched=synthetic.incidents["incident_id"].gather_every(2).to_list()))
    assert set(result.attributes["status"]) == set(STATUSES)
    assert set(result.incidents["computed_grade"]) == set(GRADES)
    assert result.changes.height > 0 and result.incidents["grade_overridden"].any()


# --- helpers on the result -----------------------------------------------------------------------------------------


def test_for_incident_and_to_dict():
    result = compare(dataset([incident_row("i1"), incident_row("i2")], _denial_then_admission()))
    one = result.for_incident("i1")
    assert one.incidents.height == 1 and one.attributes.height == len(COMPARED_ATTRIBUTES)
    data = one.to_dict()
    assert data["incidents"][0]["first_official_date"] == "2020-01-02"
    assert data["changes"][0]["to_account_id"] == "a2" and len(data["accounts"]) == 3
    with pytest.raises(UsageError, match="no incident 'nope'"):
        result.for_incident("nope")


def test_compare_is_on_the_public_surface():
    assert "compare" in ddj.__all__
    result = ddj.compare.compare(dataset([incident_row("i1")], [account_row("a1", "i1", "official", "M")]))
    assert isinstance(result, Comparison)


# --- the curated dataset ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def curated(syria, comparison):
    return syria, comparison


def _curated_incident(ds, model: str, event_type: str | None = None) -> str:
    rows = ds.incidents.filter(pl.col("aircraft_model").str.starts_with(model))
    if event_type:
        rows = rows.filter(pl.col("event_type") == event_type)
    assert rows.height == 1, (model, event_type)
    return rows["incident_id"].item()


def test_mi35_technical_failure_contested_on_crew_killed(curated):
    ds, result = curated
    mi35 = _curated_incident(ds, "Mi-35")
    cause = result.attributes.filter((pl.col("incident_id") == mi35) & (pl.col("attribute") == "cause")).row(
        0, named=True
    )
    assert cause["official_values"] == ["technical_failure"] and cause["status"] in ("official_only", "agree")
    assert _status(result, "hostile_fire", mi35) in ("unofficial_only", "agree")
    assert _status(result, "crew_killed", mi35) == "contradict"
    row = _row(result, mi35)
    assert row["contradicted_attributes"] == "crew killed" and row["grade"] == "contested"
    # Defense World repeated the ministry's words: it neither supports nor contradicts it independently.
    assert row["n_supporting_origins"] == 0 and row["n_contradicting_origins"] == 2


def test_operator_only_incidents_are_uncorroborated(curated):
    ds, result = curated
    for model in ("Mi-28N", "Mi-25", "Su-33", "Tu-154", "An-26"):
        row = _row(result, _curated_incident(ds, model))
        assert row["n_unofficial_origins"] == 0 and row["grade"] == "uncorroborated", model


def test_strike_campaign_after_the_shoot_down_is_official_silent(curated):
    ds, result = curated
    campaign = ds.incidents.filter(pl.col("event_type") == "strike_campaign")["incident_id"].item()
    row = _row(result, campaign)
    assert not row["acknowledged"] and row["first_official_date"] is None
    statuses = set(result.attributes.filter(pl.col("incident_id") == campaign)["status"])
    assert statuses == {"official_silent", "unknown"}
    assert _status(result, "follow_on_operation", campaign) == "official_silent"
    assert row["n_unofficial_origins"] >= 2 and row["grade"] == "fair"


def test_il20_parties_blame_each_other_contested_on_the_responsible_party(curated):
    ds, result = curated
    il20 = _curated_incident(ds, "Il-20")
    party = result.attributes.filter(
        (pl.col("incident_id") == il20) & (pl.col("attribute") == "responsible_party")
    ).row(0, named=True)
    assert party["status"] == "contradict"
    assert any("Israel" in v for v in party["official_values"])
    assert any("Syrian" in v for v in party["unofficial_values"])
    assert _row(result, il20)["grade"] == "contested"


def _attribute_row(result: Comparison, incident_id: str, attribute: str) -> dict:
    return result.attributes.filter((pl.col("incident_id") == incident_id) & (pl.col("attribute") == attribute)).row(
        0, named=True
    )


def test_mi8amtsh_shoot_down_is_not_contested_the_sides_agree_on_the_aircraft(curated):
    ds, result = curated
    mi8 = _curated_incident(ds, "Mi-8", "shoot_down")
    aircraft = _attribute_row(result, mi8, "aircraft")
    assert (aircraft["official_values"], aircraft["unofficial_values"]) == (["Mi-8"], ["Mi-8AMTSh"])
    assert aircraft["status"] == "agree"
    row = _row(result, mi8)
    assert row["n_contradict"] == 0 and row["grade"] == "confirmed"


def test_su24_contradicts_on_the_country_only(curated):
    ds, result = curated
    su24 = _curated_incident(ds, "Su-24", "shoot_down")
    place = _attribute_row(result, su24, "place")
    assert place["status"] == "contradict"
    assert any(v.startswith("Syria") for v in place["official_values"])
    assert any(v.startswith("Turkey") for v in place["unofficial_values"])
    assert _attribute_row(result, su24, "aircraft")["status"] == "agree"  # Su-24M and Su-24
    row = _row(result, su24)
    # The Turkmen commander's "both dead" (the navigator was rescued) contradicts the ministry's one.
    assert row["contradicted_attributes"] == "crew killed, place"
    # Turkey contradicts on the place; the Turkmen commander, who backs Russia on the place (Syria,
    # Latakia), contradicts it on the crew killed, so nobody independent supports the operator. A report
    # that names only "near the Turkish border" names no country, so it backs nobody, and agreeing that
    # the Turkish Air Force shot the jet down is no support on where it was.
    assert (row["n_contradicting_origins"], row["n_supporting_origins"]) == (2, 0)
    assert row["computed_grade"] == "contested"
    assert row["computed_grade_reason"].startswith(
        "Contested: the operator and unofficial accounts contradict each other on crew killed, place."
    )


def test_us_strike_places_in_one_country_are_not_judged(curated):
    _, result = curated
    place = _attribute_row(result, "syr-2021-02-25-us-f15e-abu-kamal", "place")
    assert place["status"] == "agree" and len(place["unofficial_values"]) == 2


@pytest.mark.parametrize("as_of", [None, dt.date(2016, 8, 10)])
def test_the_columns_compare_reads_give_the_same_comparison(syria, as_of):
    """``ddj compare`` loads only :data:`ACCOUNT_COLUMNS_READ` of the accounts: the tables it prints and writes
    are those of a comparison of everything.
    """
    from ddj.compare import ACCOUNT_COLUMNS_READ, INCIDENT_COLUMNS_READ

    columns = {"accounts": list(ACCOUNT_COLUMNS_READ), "incidents": list(INCIDENT_COLUMNS_READ)}
    projected = ddj.load("syria-ru-aviation", warn=False, columns=columns)
    assert set(projected.accounts.columns) == set(ACCOUNT_COLUMNS_READ) < set(syria.accounts.columns)
    assert set(projected.incidents.columns) == set(INCIDENT_COLUMNS_READ) < set(syria.incidents.columns)
    whole, read = compare(syria, as_of=as_of), compare(projected, as_of=as_of)
    for name in ("incidents", "attributes", "changes"):
        assert getattr(read, name).equals(getattr(whole, name)), name


@pytest.fixture(scope="module")
def synthetic_40(tmp_path_factory):
    """A synthetic package of 40 incidents (400 attribute rows), loaded, with its comparison in one chunk."""
    from ddj.synth import write_synthetic

    folder = write_synthetic(tmp_path_factory.mktemp("chunks"), incidents=40, seed=3, fmt="parquet")
    dataset = ddj.load(folder, warn=False)
    return dataset, compare(dataset)


@pytest.mark.parametrize("chunk_rows", [3, 10, 64, 10_000])
def test_the_attribute_table_in_chunks_is_the_same_table(synthetic_40, chunk_rows):
    """``compare(..., chunk_rows=N)`` gives the same tables, with every per-attribute column in chunks of N rows
    (the last one shorter): chunk edges inside an incident's rows, on them, and one chunk for everything.
    """
    dataset, whole = synthetic_40
    chunked = compare(dataset, chunk_rows=chunk_rows)
    assert chunked.attributes.equals(whole.attributes) and chunked.incidents.equals(whole.incidents)
    height = whole.attributes.height
    expected = [min(chunk_rows, height - start) for start in range(0, height, chunk_rows)]
    for column in chunked.attributes.get_columns():
        assert column.chunk_lengths() == expected, column.name
    assert all(column.n_chunks() == 1 for column in whole.attributes.get_columns())


@pytest.mark.parametrize("chunk_rows", [0, -3, 2.5])
def test_a_chunk_size_that_is_not_a_positive_whole_number_is_refused(syria, chunk_rows):
    from ddj.errors import InvalidValueError

    with pytest.raises(InvalidValueError, match="chunk_rows must be a whole number"):
        compare(syria, chunk_rows=chunk_rows)


@pytest.mark.parametrize("rows", [7, 10, 10_000])
def test_the_attribute_table_in_batches_is_the_same_table(synthetic_40, rows):
    """``compare_in_batches`` gives the same incident table and, batch by batch, the same per-attribute rows:
    batch edges inside an incident's rows (7), on them (10), and one batch for everything; built in any order.
    """
    from ddj.compare import compare_in_batches

    dataset, whole = synthetic_40
    incidents, batches = compare_in_batches(dataset, rows=rows)
    assert incidents.equals(whole.incidents)
    height = whole.attributes.height
    assert batches.height == height and batches.rows == rows
    assert len(batches) == -(-height // rows)
    assert batches.incident_ids.equals(whole.incidents.get_column("incident_id"), check_names=False)
    backwards = [batches.batch(number) for number in reversed(range(len(batches)))][::-1]
    for number, batch in enumerate(backwards):
        assert batch.equals(whole.attributes.slice(number * rows, rows)), number
    assert batches.collect().equals(whole.attributes)
    assert batches.lazy().collect().equals(whole.attributes)
    assert batches.columns == whole.attributes.columns


def test_the_batches_of_a_comparison_as_of_a_date_are_its_table(syria):
    from ddj.compare import compare_in_batches

    day = dt.date(2016, 1, 1)
    incidents, batches = compare_in_batches(syria, rows=30, as_of=day)
    expected = compare(syria, as_of=day)
    assert incidents.equals(expected.incidents) and batches.collect().equals(expected.attributes)


@pytest.mark.parametrize("incidents", [[], [incident_row("i1")]])
def test_the_batches_of_no_incidents_or_of_one_without_accounts_are_its_table(incidents):
    """No incidents: one empty batch; one incident and no accounts: its ten rows, every status unknown."""
    from ddj.compare import compare_in_batches

    empty = dataset(incidents, [])
    found, batches = compare_in_batches(empty, rows=4)
    expected = compare(empty)
    assert found.equals(expected.incidents) and batches.collect().equals(expected.attributes)
    assert (batches.height, len(batches)) == (10 * len(incidents), max(1, -(-10 * len(incidents) // 4)))


@pytest.mark.parametrize("rows", [0, -3, 2.5, None, True])
def test_a_batch_size_that_is_not_a_positive_whole_number_is_refused(syria, rows):
    from ddj.compare import compare_in_batches
    from ddj.errors import InvalidValueError

    with pytest.raises(InvalidValueError, match="rows must be a whole number of rows, 1 or more, not"):
        compare_in_batches(syria, rows=rows)
