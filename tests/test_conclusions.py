"""The conclusions audit: one small dataset per trap an editor found, and what the grade, status and words must say.

Official silence where nobody searched is audited in ``test_conclusions_silence.py`` and tallies on different
days in ``test_conclusions_tally.py``; this file holds the grades, independence, filtered reports and uncertainty.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import ddj
from ddj.compare import compare
from ddj.importers.acled import import_acled
from ddj.importers.ucdp import import_ucdp
from ddj.narrative import narrative
from ddj.report.pages import sections
from tests.fixtures.incidents import account_row, dataset, incident_row
from tests.paths import FIXTURES as TEST_FIXTURES
from tests.paths import ROOT

FIXTURES = TEST_FIXTURES / "importers"


def _texts(story) -> str:
    return " ".join(s.text for p in story.paragraphs for s in p.sentences)


def _incident(result, incident_id: str = "i1") -> dict:
    return result.incidents.filter(pl.col("incident_id") == incident_id).row(0, named=True)


# --- trap 1: "confirmed" on the operator's word alone -------------------------------------------------------------


def test_operator_only_is_uncorroborated_in_grade_reason_and_words():
    ds = dataset(
        [incident_row("i1")],
        [
            account_row("a1", "i1", "official", "Ministry", cause="technical_failure", hostile_fire="no"),
        ],
    )
    result = compare(ds)
    row = _incident(result)
    assert row["grade"] == "uncorroborated"
    assert row["grade_reason"] == (
        "Uncorroborated: only the operator's account is recorded, so its version rests on its own word."
    )
    words = _texts(narrative(ds, result))
    assert "We grade this" in words and "uncorroborated" in words and "confirmed" not in words.lower()


def test_shipped_incidents_only_the_operator_spoke_of_are_never_confirmed():
    ds = ddj.load("syria-ru-aviation", warn=False)
    result = compare(ds)
    alone = result.incidents.filter(pl.col("n_unofficial_origins") == 0, pl.col("n_official") > 0)
    assert alone.height >= 6  # the Mi-28N, Mi-25, Su-33, Tu-154, An-26 and the 2017-2018 crashes
    assert set(alone["grade"]) == {"uncorroborated"}
    confirmed = result.incidents.filter(pl.col("grade") == "confirmed")
    assert (confirmed["n_agree"] > 0).all() and (confirmed["n_unofficial_origins"] > 0).all()


# --- trap 2: one article counted as three independent origins ---------------------------------------------------


def _one_article() -> list[dict]:
    return [
        account_row(
            f"a{i}",
            "i1",
            "unofficial",
            origin,
            follow_on_operation="yes",
            reported_in="Defence24, 'Russian Retaliation'",
        )
        for i, origin in enumerate(["Independent media", "Social media channels", "Observers in Syria"], 1)
    ]


def test_three_origins_known_through_one_article_are_one_source():
    ds = dataset([incident_row("i1")], _one_article())
    result = compare(ds)
    row = _incident(result)
    assert row["n_unofficial_origins"] == 1 and row["grade"] == "weak"
    words = _texts(narrative(ds, result))
    assert "One publication reported" in words
    assert "citing Independent media, Social media channels and Observers in Syria" in words
    assert "three independent" not in words and "3 independent" not in words


def test_a_second_publication_makes_a_second_source():
    accounts = [
        *_one_article(),
        account_row(
            "a4", "i1", "unofficial", "Conflict News", follow_on_operation="yes", reported_in="Pravda.Ru, video page"
        ),
    ]
    row = _incident(compare(dataset([incident_row("i1")], accounts)))
    assert row["n_unofficial_origins"] == 2 and row["grade"] == "fair"


def test_a_chain_is_closed_an_origin_shared_with_a_second_publication_joins_it():
    accounts = [
        *_one_article(),
        account_row(
            "a4", "i1", "unofficial", "Observers in Syria", follow_on_operation="yes", reported_in="Another outlet"
        ),
    ]
    assert _incident(compare(dataset([incident_row("i1")], accounts)))["n_unofficial_origins"] == 1


@pytest.mark.parametrize(
    "lookalike", ["Оbservers in Syria", "Observers\u00a0in  Syria", "OBSERVERS IN SYRIA", "Observers in Sуria"]
)
def test_lookalike_letters_spaces_and_case_do_not_make_a_new_source(lookalike):
    accounts = [
        account_row("a1", "i1", "unofficial", "Observers in Syria", follow_on_operation="yes"),
        account_row("a2", "i1", "unofficial", lookalike, follow_on_operation="yes"),
    ]
    row = _incident(compare(dataset([incident_row("i1")], accounts)))
    assert row["n_unofficial_origins"] == 1 and row["grade"] == "weak"


def test_an_outlet_repeating_the_operator_neither_corroborates_nor_supports_it():
    ds = dataset(
        [incident_row("i1")],
        [
            account_row(
                "a1",
                "i1",
                "official",
                "Russian Ministry of Defence",
                cause="technical_failure",
                crew_killed_claim="figure",
                crew_killed_low=0,
                crew_killed_best=0,
                crew_killed_high=0,
            ),
            account_row(
                "a2",
                "i1",
                "unofficial",
                "Russian Ministry of Defence",
                cause="technical_failure",
                crew_killed_claim="figure",
                crew_killed_low=0,
                crew_killed_best=0,
                crew_killed_high=0,
            ),
            account_row(
                "a3",
                "i1",
                "unofficial",
                "SANA",
                crew_killed_claim="figure",
                crew_killed_low=1,
                crew_killed_best=1,
                crew_killed_high=1,
            ),
        ],
    )
    result = compare(ds)
    row = _incident(result)
    assert row["grade"] == "contested"
    assert (row["n_supporting_origins"], row["n_contradicting_origins"], row["n_unofficial_origins"]) == (0, 1, 1)
    assert "A report repeating the operator's own statement said" in _texts(narrative(ds, result))


# --- trap 3: a monitor and the outlet it cites counted as two ----------------------------------------------------


@pytest.mark.parametrize(
    ("importer", "sample"), [(import_acled, "acled_sample.csv"), (import_ucdp, "ucdp_ged_sample.csv")]
)
def test_a_monitor_and_the_outlets_it_cites_are_one_source(tmp_path, importer, sample):
    importer(FIXTURES / sample, tmp_path / "pkg")
    ds = ddj.load(tmp_path / "pkg", warn=False)
    result = compare(ds)
    assert result.incidents["n_unofficial_origins"].max() <= 1
    assert "fair" not in set(result.incidents["grade"])
    words = _texts(narrative(ds, result))
    assert "2 independent" not in words and "two independent" not in words


# --- trap 6: a filtered report that hides its filter -------------------------------------------------------------


def test_a_filtered_report_says_its_filter_first_and_in_its_title():
    from ddj.filters import FilterSpec
    from ddj.report.runner.config import ReportSpec
    from ddj.report.runner.run import _title

    ds = ddj.load("syria-ru-aviation", warn=False)
    result = compare(ds)
    filters = '{"statuses": ["contradict"]}'
    selected = FilterSpec.from_json(filters).select_incidents(
        ds, result, sections.select_incidents(ds, country="Syria")
    )
    assert 0 < selected.height < ds.incidents.height
    first = str(sections.window_summary(selected, place="Syria", date_from=None, date_to=None, filters=filters))
    assert first.startswith("<p>Filtered to status: official and other accounts contradict: ")  # words, not codes
    assert f"{selected.height} incidents in Syria" in first and "status: contradict" not in first
    notebook = ROOT / "notebooks" / "theatre-overview.ipynb"
    spec = ReportSpec(
        name="contested", group="g", notebook=notebook, parameters={"filters": filters}, base_dir=notebook.parent
    )
    assert _title(spec) == "Theatre overview: contested, filtered to status: official and other accounts contradict"
    plain = ReportSpec(
        name="theatre", group="g", notebook=notebook, parameters={"filters": ""}, base_dir=notebook.parent
    )
    assert _title(plain) == "Theatre overview: theatre"


def test_a_filtered_reports_caveats_name_only_its_incidents():
    ds = ddj.load("syria-ru-aviation", warn=False)
    everything = str(sections.data_caveats(ds))
    assert "syr-2016-08-retaliation-strikes" in everything and "med-2016-12-03-su33" in everything
    mi35 = str(sections.data_caveats(ds, ["syr-2021-02-28-mi35"]))
    assert "syr-2016-08-retaliation-strikes" not in mi35 and "med-2016-12-03-su33" not in mi35
    uncertain = ds.accounts.filter(pl.col("incident_id") == "syr-2021-02-28-mi35", pl.col("certainty") == "uncertain")
    assert f"{uncertain.height} of 6 accounts are marked uncertain" in mi35


def test_a_date_window_reads_as_dates_and_one_incident_is_singular():
    frame = pl.DataFrame({"date_start": [dt.date(2018, 2, 3)], "date_end": [dt.date(2018, 2, 3)]})
    text = str(sections.window_summary(frame, place="Idlib", date_from="2018-01-01", date_to=None))
    assert text == "<p>1 incident in Idlib, from 1 January 2018 to 3 February 2018.</p>"


# --- trap 4: uncertain facts stated as facts --------------------------------------------------------------------


def _placeholder() -> object:
    return dataset(
        [incident_row("i1")],
        [
            account_row(
                "a1",
                "i1",
                "official",
                "Ministry",
                published_date=dt.date(2020, 1, 9),
                cause="technical_failure",
                certainty="uncertain",
                notes="Uncertain: the date is a placeholder; the statement is undated.",
            ),
            account_row(
                "a2", "i1", "unofficial", "Local", published_date=dt.date(2020, 1, 1), cause="technical_failure"
            ),
        ],
    )


def test_a_placeholder_date_never_feeds_a_days_later_sentence():
    ds = _placeholder()
    result = compare(ds)
    words = _texts(narrative(ds, result))
    assert "rests on an account we mark uncertain, so we do not count how long the operator took to speak" in words
    assert "days after" not in words and "eight days" not in words
    box = str(sections.grade_box(result, "i1"))
    assert "but that date rests on an account we mark uncertain" in box and "days after it began" not in box
    from ddj.charts import account_timeline, chart_alt_text

    assert "(an account marked uncertain)" in chart_alt_text(account_timeline(ds, result, incident_ids="i1"))


def test_uncertain_accounts_are_flagged_beside_their_claims_in_plain_words():
    from ddj.narrative import render_html

    ds = _placeholder()
    html = render_html(narrative(ds, compare(ds)))
    assert "We mark this account uncertain: The date is a placeholder; the statement is undated." in html
    side = str(sections.accounts_side_by_side(ds, "i1"))
    assert "marked uncertain" in side and "what we are not sure of" in side


def test_shipped_uncertain_dates_are_said_to_be_uncertain():
    ds = ddj.load("syria-ru-aviation", warn=False)
    words = _texts(narrative(ds, compare(ds), incident_ids="syr-2016-08-retaliation-strikes"))
    assert "first reported it on 2 August 2016, going by accounts we mark uncertain" in words


# --- trap 7: prose a desk would rewrite ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_story(syria, comparison):
    return syria, narrative(syria, comparison)


def test_the_il20_says_the_president_and_his_ministry_disagree(shipped_story):
    _, story = shipped_story
    il20 = " ".join(s.text for p in story.paragraphs if p.incident_id == "med-2018-09-17-il20" for s in p.sentences)
    assert (
        "contradict each other on the cause, and the officials disagree among themselves: friendly fire "
        "(Igor Konashenkov) and an accident (Vladimir Putin); other sources gave friendly fire "
        "(the Israel Defense Forces)"
    ) in il20


def test_officials_who_word_one_place_differently_are_not_said_to_disagree(shipped_story):
    """The Su-24M's officials give the place as "Syrian airspace" and as "Syrian airspace; crashed in Syria about 4 km
    from the Turkish border": both can be true, so the page must not say the officials disagree among themselves.
    """
    _, story = shipped_story
    su24 = " ".join(s.text for p in story.paragraphs if p.incident_id == "syr-2015-11-24-su24" for s in p.sentences)
    assert "disagree among themselves" not in su24
    assert (
        "Officials and other sources contradict each other on the place: officials gave Syrian airspace; crashed in "
        "Syria about 4 km from the Turkish border, Syria (Lt-Gen Sergei Rudskoy) and Syrian airspace, Syria "
        "(Konstantin Murakhtin), other sources Turkish airspace in the Yayladagi area of Hatay province, Turkey"
    ) in su24


def test_a_report_repeating_the_ministry_is_not_said_to_agree_with_it(shipped_story, comparison):
    """Defense World repeats the ministry's account of the Mi-35: on the cause, hostile fire and aircraft it is the only
    other account, so the page must not say that official and other accounts agree there, nor count it as an
    independent source of those points.
    """
    _, story = shipped_story
    mi35 = " ".join(s.text for p in story.paragraphs if p.incident_id == "syr-2021-02-28-mi35" for s in p.sentences)
    assert "Official and other accounts agree on the place and date." in mi35
    assert "On the cause, hostile fire and aircraft, other accounts only repeat the operator's own statement." in mi35
    rows = comparison.attributes.filter(
        (pl.col("incident_id") == "syr-2021-02-28-mi35") & pl.col("attribute").is_in(["cause", "aircraft"])
    )
    assert rows["n_unofficial_origins"].to_list() == [0, 0]


def test_names_take_their_article_and_small_numbers_are_words(shipped_story):
    _, story = shipped_story
    words = _texts(story)
    assert "that the United States was responsible" in words and "that United States" not in words
    assert "that the Turkish Air Force was responsible" in words
    assert "that three crew members were killed" in words and "that 3 crew members" not in words
    assert "no aircraft was destroyed" in words and "as none destroyed" not in words
    assert "changed its account between 18 September 2018 and 18 September 2018" not in words


def test_no_internal_code_or_jargon_reaches_a_reader(shipped_story):
    import re

    ds, story = shipped_story
    words = _texts(story)
    for incident_id in ds.incidents["incident_id"]:
        words += str(sections.incident_facts(ds, incident_id)) + str(sections.accounts_side_by_side(ds, incident_id))
    from ddj.narrative import render_html

    words += render_html(story)
    words = re.sub(r"<[^>]+>|https?://\S+", " ", words)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", words)
    for jargon in (
        "seed article",
        "README",
        "location_precision",
        "date_precision",
        "independent origin",
        "1 incident(s)",
        "on nothing compared",
        "none of 1",
    ):
        assert jargon not in words, jargon
