"""ddj.narrative: golden paragraphs for the seed incidents, wording by evidence, citations, editors' overrides."""

from __future__ import annotations

import re

import polars as pl
import pytest

import ddj
from ddj.narrative import NOTE_FIELD, Story, narrative, render_html, render_markdown
from tests.fixtures.chart_inputs import comparison_of
from tests.fixtures.narrative_package import write_narrative_package
from tests.paths import TESTS

MI35 = "syr-2021-02-28-mi35"
MI8 = "syr-2016-08-01-mi8amtsh"
CAMPAIGN = "syr-2016-08-retaliation-strikes"


# syria and comparison: the shipped package and its comparison, from tests/conftest.py


def _sentences(story: Story, index: int = 0) -> list[tuple[str, list[int]]]:
    numbers = story.numbers()
    return [(s.text, [numbers[k] for k in s.citations]) for s in story.paragraphs[index].sentences]


def _summary(syria, incident_id: str) -> str:
    return syria.incidents.filter(pl.col("incident_id") == incident_id)["summary"][0]


def _grade(comparison, incident_id: str, noun: str) -> str:
    row = comparison.incidents.filter(pl.col("incident_id") == incident_id).row(0, named=True)
    reason = row["grade_reason"]
    prefix = f"{row['grade']}:"
    if reason.lower().startswith(prefix):
        reason = reason[len(prefix) :].strip()
    reason = reason[0].lower() + reason[1:]
    return f"We grade this {noun} {row['grade']}: {reason}".rstrip(".") + "."


def _footnotes(story: Story) -> list[str]:
    html = render_html(story)
    return [
        re.sub(r"<[^>]+>", "", item).replace("&#x27;", "'")
        for item in re.findall(r'<li id="ddj-fn-\d+">(.*?)</li>', html)
    ]


def test_golden_mi35_emergency_landing(syria, comparison):
    story = narrative(syria, comparison, incident_ids=MI35)
    assert (
        story.paragraphs[0].heading
        == "Mi-35 emergency landing near Tal Tamr, Al-Hasakah governorate (28 February 2021)"
    )
    sentences = _sentences(story)
    assert sentences[0] == (_summary(syria, MI35), [1, 2, 3, 4, 5, 6])
    assert sentences[-1] == (_grade(comparison, MI35, "emergency landing"), [1, 2, 3, 4, 5, 6])
    # Read aloud and checked against the footnoted accounts: the ministry's and the Syrian reports apart,
    # Defense World named as repeating the ministry, the contradiction on the crew killed, who said what.
    assert sentences[1:-1] == [
        (
            "Vyacheslav Sytnik, deputy chief of the Russian Center for Reconciliation of the Opposing Parties in Syria, said on 28 February 2021 that the cause was a technical failure, and gave the place as Al-Hasakah governorate, Syria, the date as 28 February 2021 and the aircraft as Mi-35.",
            [1],
        ),
        (
            "The Ministry of Defence of the Russian Federation said on 28 February 2021 that the cause was a technical failure, that the aircraft did not come under hostile fire and that no crew members were killed, and gave the place as Al-Hasakah governorate (patrol area), Syria, the date as 28 February 2021 and the aircraft as Mi-35.",
            [2],
        ),
        (
            "It was reported by three independent sources that the cause was not known (Syrian Arab News Agency (SANA), 28 February 2021; Syrian military source (unnamed, quoted by EFE), 28 February 2021; Syrian Observatory for Human Rights, 28 February 2021).",
            [3, 4, 5],
        ),
        (
            "It was reported by two independent sources that one crew member was killed (Syrian Arab News Agency (SANA), 28 February 2021; Syrian military source (unnamed, quoted by EFE), 28 February 2021).",
            [3, 4],
        ),
        (
            "It was reported by two independent sources that the number of people injured was not known (Syrian Arab News Agency (SANA), 28 February 2021; Syrian Observatory for Human Rights, 28 February 2021).",
            [3, 5],
        ),
        (
            "A single source reported on the emergency landing, giving the place as between al-Rihaniya and al-Qasimiya villages, west of Tal Tamr, north-western Al-Hasakah countryside, Syria (Syrian Arab News Agency (SANA), 28 February 2021).",
            [3],
        ),
        (
            "It was reported by three independent sources, and by a report repeating the operator's own statement, on the emergency landing, giving the date as 28 February 2021 (Syrian Arab News Agency (SANA), 28 February 2021; Syrian military source (unnamed, quoted by EFE), 28 February 2021; Syrian Observatory for Human Rights, 28 February 2021; Defense World (defenseworld.net; byline 'Our Bureau'), 1 March 2021).",
            [3, 4, 5, 6],
        ),
        (
            "A single source reported that three people were injured, and gave the place as Syria (Syrian military source (unnamed, quoted by EFE), 28 February 2021).",
            [4],
        ),
        (
            "A single source reported on the emergency landing, giving the place as between Qasimiya and Rihaniya in the Tal Tamr countryside, near the Russian base at al-Mabaqer, Syria (Syrian Observatory for Human Rights, 28 February 2021).",
            [5],
        ),
        (
            "A report repeating the operator's own statement said that the cause was a technical failure, that the aircraft did not come under hostile fire and that no crew members were killed, and gave the place as Al-Hasakah governorate (the article says the exact spot is unclear), Syria and the aircraft as Mi-35 (Defense World (defenseworld.net; byline 'Our Bureau'), 1 March 2021).",
            [6],
        ),
        (
            "Officials and other sources contradict each other on the crew killed: officials gave 0 (the Ministry of Defence of the Russian Federation), other sources 1 (the Syrian Arab News Agency (SANA) and Syrian military source (unnamed, quoted by EFE)) or 0 (Defense World (defenseworld.net; byline 'Our Bureau')).",
            [2, 3, 4, 6],
        ),
        ("Official and other accounts agree on the place and date.", [1, 2, 3, 4, 5, 6]),
        (
            "On the cause, hostile fire and aircraft, other accounts only repeat the operator's own statement.",
            [1, 2, 6],
        ),
        ("Official accounts say nothing about the injured, which other sources report.", [1, 2, 4]),
        (
            "The operator's first official account came on 28 February 2021, the same day as the emergency landing; the first other report is dated 28 February 2021, going by accounts we mark uncertain.",
            [1, 2, 3, 4, 5],
        ),
    ]
    assert _footnotes(story) == [
        "Russian Center for Reconciliation of the Opposing Parties in Syria (Vyacheslav Sytnik, deputy chief of the Russian Center for Reconciliation of the Opposing Parties in Syria), published 28 February 2021. Remarks by Vyacheslav Sytnik, as relayed by TASS, 28 February 2021; quoted again in Defense World, 'Russia's Mi-35 on a Patrol Mission in Syria Makes Emergency Landing', 1 March 2021. Link.",
        "Ministry of Defence of the Russian Federation, published 28 February 2021. Russian Ministry of Defence statement, as relayed by TASS, 28 February 2021; also Reuters citing RIA Novosti (Al Arabiya, Moneycontrol) and AP, 28 February 2021. Link.",
        "Syrian Arab News Agency (SANA), published 28 February 2021. We mark this account uncertain: SANA's own Arabic wording, as quoted by El Watan News and Zagros News, is hedged ('news of' the crash and of the pilot's death); AP and Reuters render it as one crew member (the pilot) killed and others wounded. No number of injured is given (injured unknown). The village names come from the Arabic quotations, from EFE's rendering (web24.news) and from SANA's French follow-up (sana.sy/fr/?p=214436), which also relays the Russian denial; AP says only near Tel Tamr. EFE says SANA gave the cause as not yet known. The report names no aircraft type (the aircraft named not stated). Uncertain: SANA's original bulletin was not read, only quotations of it. SANA urgent report, as relayed by the Associated Press (Hindustan Times), 28 February 2021. Link.",
        "Syrian military source (unnamed, quoted by EFE), published 28 February 2021. We mark this account uncertain: EFE puts the crash in an area held by Turkish forces and allied Syrian factions, but attributes that framing to SANA and its military sources together, so no place is recorded for this source (the place given not stated); the day is EFE's 'this Sunday'. Uncertain: the source is anonymous, and EFE's report was read only as an English text republished by web24.news, not on EFE's own site. Unnamed Syrian military source, as quoted by EFE (English text republished by web24.news), 28 February 2021. Link.",
        "Syrian Observatory for Human Rights, published 28 February 2021. We mark this account uncertain: Several injured with no total, so injured is unknown (one critically). The villages and the al-Mabaqer base, and the area's Turkish control, come from the Arabic relays (Cairo 24, El Wekala News); EFE also says near al-Mabaqer with serious injuries. Relays differ on deaths: AP reports none, while al-Solta and bbcwntoday relay word of the commander's or an officer's death, so crew killed is not stated. Uncertain: the Observatory's own report was not found in the stored copies. Syrian Observatory for Human Rights, as relayed by the Associated Press (Hindustan Times), 28 February 2021; Arabic relays in Cairo 24 and El Wekala News. Link.",
        "Defense World (defenseworld.net; byline 'Our Bureau'), published 1 March 2021. Defense World, 'Russia's Mi-35 on a Patrol Mission in Syria Makes Emergency Landing' (byline 'Our Bureau'), 1 March 2021. Link.",
    ]


def test_golden_mi8_shoot_down_and_the_unacknowledged_campaign(syria, comparison):
    story = narrative(syria, comparison, incident_ids=[MI8, CAMPAIGN])
    assert [p.heading for p in story.paragraphs] == [
        "Mi-8 shot down over Idlib province, five Russians killed (1 August 2016)",
        "Reported 'Retaliation' strike campaign in Idlib province after the Mi-8 loss (August 2016)",
    ]
    first = _sentences(story, 0)
    assert first[0] == (_summary(syria, MI8), [1, 2, 3])
    assert first[-1] == (_grade(comparison, MI8, "shoot-down"), [1, 2, 3])
    assert first[1:-1] == [
        (
            "It was followed by the strike campaign “Reported 'Retaliation' strike campaign in Idlib province after the Mi-8 loss”.",
            [4, 5, 6, 7],
        ),
        (
            "Lt-Gen Sergei Rudskoy, head of the General Staff Main Operations Directorate (with the ministry press service statement), said on 1 August 2016 that the cause was hostile fire, that the aircraft came under hostile fire, that Jabhat al-Nusra and allied 'moderate opposition' units (named as holding the area) were responsible, that three crew members were killed and that two other people were killed, and gave the place as Idlib province, Syria, the date as 1 August 2016 and the aircraft as Mi-8.",
            [1],
        ),
        (
            "Dmitry Peskov, Kremlin spokesman, for the President of the Russian Federation, said on 1 August 2016 that the cause was hostile fire, that the aircraft came under hostile fire, that it was not known who was responsible, that three crew members were killed and that two other people were killed, and gave the place as Syria.",
            [2],
        ),
        (
            "A single source reported that the cause was hostile fire, that the aircraft came under hostile fire, that Jabhat al-Nusra was responsible, that three crew members were killed, that two other people were killed and that a follow-on military operation took place, and gave the place as Aleppo area / Idlib province, Syria and the aircraft as Mi-8AMTSh (Defence24 (defence24.com), 2 August 2016).",
            [3],
        ),
        (
            "Official and other accounts agree on the cause, hostile fire, responsible party, crew killed, others killed, place and aircraft.",
            [1, 2, 3],
        ),
        ("Official accounts say nothing about the follow-on operation, which other sources report.", [1, 2, 3]),
        ("Only official accounts speak to the date.", [1]),
        (
            "The operator's first official account came on 1 August 2016, the same day as the shoot-down; the first other report is dated 2 August 2016, going by accounts we mark uncertain.",
            [1, 2, 3],
        ),
    ]
    second = _sentences(story, 1)
    assert second[0] == (_summary(syria, CAMPAIGN), [4, 5, 6, 7])
    assert second[-1] == (_grade(comparison, CAMPAIGN, "strike campaign"), [4, 5, 6, 7])
    # Three kinds of source known only through one article are one publication, not three origins.
    assert second[1:-1] == [
        (
            "It followed the shoot-down “Mi-8 shot down over Idlib province, five Russians killed” of 1 August 2016.",
            [4, 5, 6, 7],
        ),
        (
            "One publication reported that the Russian Air Force was responsible, and gave the place as Idlib province, including Saraqib and Abu al-Duhur airbase, Syria, citing Independent media (unnamed in the 'Russian Retaliation' report), Social media channels (unnamed in the 'Russian Retaliation' report) and Observers in Syria (unnamed in the 'Russian Retaliation' report), which it does not show to be independent of one another (Independent media (unnamed in Defence24's 'Russian Retaliation' report), 2 August 2016; Social media channels (unnamed in Defence24's 'Russian Retaliation' report), 2 August 2016; Observers in Syria (unnamed in Defence24's 'Russian Retaliation' report), 2 August 2016).",
            [4, 5, 6],
        ),
        (
            "It was reported by two independent sources that a follow-on military operation took place (Independent media (unnamed in Defence24's 'Russian Retaliation' report), 2 August 2016; Social media channels (unnamed in Defence24's 'Russian Retaliation' report), 2 August 2016; Observers in Syria (unnamed in Defence24's 'Russian Retaliation' report), 2 August 2016; Pravda.Ru (English edition), 2 August 2016).",
            [4, 5, 6, 7],
        ),
        (
            "A single source reported that the Russian Air Force (the Aerospace Forces) was responsible, and gave the place as near Saraqib and Abu al-Duhur air base, Idlib province, Syria (Pravda.Ru (English edition), 2 August 2016).",
            [7],
        ),
        (
            "The operator, Russian Aerospace Forces, has not publicly acknowledged the strike campaign: we hold no official account of it, while other sources first reported it on 2 August 2016, going by accounts we mark uncertain.",
            [4, 5, 6, 7],
        ),
    ]
    assert "more than 120" in _summary(syria, CAMPAIGN)
    assert _footnotes(story) == [
        "Lt-Gen Sergei Rudskoy, head of the General Staff Main Operations Directorate (with the ministry press service statement), for the Ministry of Defence of the Russian Federation, published 1 August 2016. Russian Ministry of Defence statement and General Staff remarks, 1 August 2016, as relayed by Sputnik. Link.",
        "President of the Russian Federation (Dmitry Peskov, Kremlin spokesman), published 1 August 2016. We mark this account uncertain: The Kremlin's saying the attacker was unknown is in the report's paraphrase only, without a quotation, and the page is undated; the date is that of Peskov's remarks on the deaths (Monday 1 August, per Reuters and AP relays). He spoke of a helicopter without naming the type. crew killed 3 and others killed 2 are the figures he confirmed. Kremlin statement, 1 August 2016, as relayed by Diplomatic Observer. Link.",
        "Defence24 (defence24.com), published 2 August 2016. We mark this account uncertain: The article says Jabhat al-Nusra 'was accused' without saying by whom. It places the loss both in the Aleppo area and in Idlib province and gives no date. The variant Mi-8AMTSh is the article's own (it also says Mi-8); no official page names the variant. Published date is a placeholder: no stored page dates the Defence24 article. Defence24 article 'Russian Retaliation. More Than 120 Air Strikes In The Area Where the Russian Mi-8 Helicopter Was Shot Down' (publication date not shown in the stored copy; August 2016). Link.",
        "Independent media (unnamed in Defence24's 'Russian Retaliation' report), published 2 August 2016. We mark this account uncertain: The article names independent outlets, social media channels and observers in Syria together as the ones reporting heavy strikes in Idlib province; the strike count, weapons, Saraqib and Abu al-Duhur are given in the article's own voice, and we attribute them to this group as the article's framing suggests. The three kinds of source are kept as distinct origins because the article lists them separately; whether they are really independent of one another cannot be told from it. Published date is a placeholder: no stored page dates the Defence24 article, and its sources' reports must come after the 1 August 2016 shoot-down. Defence24 article 'Russian Retaliation. More Than 120 Air Strikes In The Area Where the Russian Mi-8 Helicopter Was Shot Down' (publication date not shown in the stored copy; August 2016). Link.",
        "Social media channels (unnamed in Defence24's 'Russian Retaliation' report), published 2 August 2016. We mark this account uncertain: The article names independent outlets, social media channels and observers in Syria together as the ones reporting heavy strikes in Idlib province; the strike count, weapons, Saraqib and Abu al-Duhur are given in the article's own voice, and we attribute them to this group as the article's framing suggests. The three kinds of source are kept as distinct origins because the article lists them separately; whether they are really independent of one another cannot be told from it. Published date is a placeholder: no stored page dates the Defence24 article, and its sources' reports must come after the 1 August 2016 shoot-down. Defence24 article 'Russian Retaliation. More Than 120 Air Strikes In The Area Where the Russian Mi-8 Helicopter Was Shot Down' (publication date not shown in the stored copy; August 2016). Link.",
        "Observers in Syria (unnamed in Defence24's 'Russian Retaliation' report), published 2 August 2016. We mark this account uncertain: The article names independent outlets, social media channels and observers in Syria together as the ones reporting heavy strikes in Idlib province; the strike count, weapons, Saraqib and Abu al-Duhur are given in the article's own voice, and we attribute them to this group as the article's framing suggests. The three kinds of source are kept as distinct origins because the article lists them separately; whether they are really independent of one another cannot be told from it. Published date is a placeholder: no stored page dates the Defence24 article, and its sources' reports must come after the 1 August 2016 shoot-down. Defence24 article 'Russian Retaliation. More Than 120 Air Strikes In The Area Where the Russian Mi-8 Helicopter Was Shot Down' (publication date not shown in the stored copy; August 2016). Link.",
        "Pravda.Ru (English edition), published 2 August 2016. We mark this account uncertain: The publication date. The page carries no date but says the ministry confirmed the loss the day before, which points to 2 August 2016. The count of at least 100 strikes is given in Pravda's own voice; Conflict News is credited only for the report of massive strikes. Its claim that al-Nusra admitted the downing is not recorded on the Mi-8 incident. A second, separate report from the one Defence24 relays; the two do not cite each other. Pravda.Ru (English), video page 'Russia holds Retribution operation for Mi-8' (undated in the stored copy; about 2 August 2016). Link.",
    ]


def test_every_sentence_carries_a_citation_and_output_is_deterministic(syria, comparison):
    story = narrative(syria, comparison)
    assert len(story.paragraphs) == syria.incidents.height
    for paragraph in story.paragraphs:
        for sentence in paragraph.sentences:
            assert sentence.citations, sentence.text
            assert sentence.text.endswith(".")
    assert render_html(story) == render_html(narrative(syria, comparison))
    assert render_markdown(story) == render_markdown(narrative(syria, comparison))
    numbers = list(story.numbers().values())
    assert numbers == list(range(1, len(numbers) + 1))
    assert set(story.numbers()) == {f"account:{a}" for a in syria.accounts["account_id"]}


@pytest.fixture(scope="module")
def words(tmp_path_factory):
    dataset = ddj.load(write_narrative_package(tmp_path_factory.mktemp("words") / "words-package"), warn=False)
    return dataset, comparison_of(dataset)


def test_wording_follows_the_evidence(words):
    dataset, comparison = words
    text = narrative(dataset, comparison, incident_ids="inc-1").text()
    assert (
        "It was reported by two independent local sources that the aircraft did not come under hostile fire "
        "(Local media, 1 March 2021; Second local outlet, 2 March 2021)."
    ) in text
    assert "A single source reported that no crew members were killed (Local media, 1 March 2021)." in text
    assert (
        "A. Spokesman, ministry spokesman, said on 5 March 2021 that the cause was hostile fire and that between "
        "one and three crew members were killed (best estimate two)" in text
    )
    assert (
        "The Ministry said on 28 February 2021, in an account it later replaced, that the cause was a technical "
        "failure" in text
    )
    assert re.search(
        r"The Ministry later changed its account between 28 February 2021 and 5 March 2021: the cause "
        r"went from (a )?technical failure to hostile fire and the crew killed went from not stated to "
        r"between 1 and 3\.",
        text,
    )
    assert (
        "contradict each other on the crew killed: officials gave between 1 and 3 (A. Spokesman), other sources 0 "
        "(Local media)." in text
    )


def test_repeats_of_one_origin_are_a_single_source_and_silence_is_named(words):
    dataset, comparison = words
    story = narrative(dataset, comparison, incident_ids="inc-2")
    text = story.text()
    assert (
        "A single source reported that the United States was responsible: two outlets repeat one origin, Local media "
        "(Aggregator channel, 27 February 2021; Second local outlet, 27 February 2021)."
    ) in text
    # The package does not declare a search for official statements: no official account is not silence.
    assert (
        "No official account of the strikes is recorded, and the dataset does not say whether anyone searched "
        "for statements by the operator, US Air Force, so this does not mean it stayed silent."
    ) in text
    assert "Other sources first reported them on 26 February 2021." in text
    assert "acknowledged" not in text
    assert (
        "Other accounts mention the strikes without any of the details compared here (Local media, "
        "26 February 2021)." in text
    )


def test_editors_change_the_text_through_overrides(words):
    dataset, comparison = words
    story = narrative(dataset, comparison, incident_ids=["inc-1", "inc-2"])
    first = story.paragraphs[0].sentences
    assert first[0].text == "A helicopter came down in Al-Hasakah; the ministry's story changed."
    assert first[0].citations[-1] == "override:o-1"
    assert first[-1].text == "The ministry did not answer our questions."
    assert first[-1].citations == ("override:o-2",)
    grade = story.paragraphs[1].sentences[-1]
    assert grade.text.startswith(
        "An editor, Standards Editor, set the grade to weak on 12 March 2021: all three outlets go back to one origin."
    )
    assert "override:o-3" in grade.citations
    markdown = render_markdown(story)
    assert "Editor's decision by Desk Editor, 11 March 2021. Reason: We asked on 9 March." in markdown
    assert (
        "Editor's decision by Standards Editor, 12 March 2021. Reason: All three outlets go back to one origin."
        in markdown
    )
    assert NOTE_FIELD == "narrative_note"


def test_links_appear_only_for_web_addresses(words):
    dataset, comparison = words
    story = narrative(dataset, comparison, incident_ids="inc-1")
    html = render_html(story)
    assert '<a href="https://example.org/report" rel="noopener noreferrer">Link</a>' in html
    assert '<a href="https://archive.example.org/acc-4" rel="noopener noreferrer">Archived copy</a>' in html
    markdown = render_markdown(story)
    assert "[Link](<https://example.org/report>)" in markdown


def test_unknown_incident_is_a_clear_error(syria, comparison):
    with pytest.raises(ddj.DDJError, match="no incident 'nope'"):
        narrative(syria, comparison, incident_ids=["nope"])


def test_the_validator_accepts_narrative_notes(words):
    dataset, _ = words
    assert NOTE_FIELD in dataset.overrides["field"].to_list()


GOLDEN = TESTS / "golden" / "syria-narrative.md"


def test_golden_story_of_every_shipped_incident(syria, comparison):
    """Every sentence of every shipped incident, as read and checked against its footnoted accounts (the file is
    the reviewed text: a change to the data or the wording shows here as a diff to read before accepting it).
    """
    assert render_markdown(narrative(syria, comparison)) == GOLDEN.read_text(encoding="utf-8")


def test_unsure_first_days_is_the_one_rule_for_first_days_marked_uncertain():
    import datetime as dt

    from ddj.narrative.certainty import unsure_first_days

    d1, d2 = dt.date(2021, 3, 1), dt.date(2021, 3, 2)
    accounts = pl.DataFrame(
        {
            "incident_id": ["a", "a", "a", "b", "b"],
            "side": ["official", "unofficial", "unofficial", "official", "unofficial"],
            "published_date": [d1, d1, d1, d2, d1],
            "certainty": ["uncertain", "uncertain", "reported", "reported", "uncertain"],
        }
    )
    incidents = pl.DataFrame(
        {
            "incident_id": ["a", "b", "c"],
            "first_official_date": [d1, d2, None],
            "first_unofficial_date": [d1, d1, d2],
        }
    )
    flags = unsure_first_days(accounts, incidents)
    # a: the official day rests on one uncertain account; the other day has a reported one too.
    # b: the other day rests only on an uncertain account. c: no accounts, so nothing is unsure.
    assert flags.rows() == [("a", True, False), ("b", False, True), ("c", False, False)]
    assert unsure_first_days(accounts.drop("certainty"), incidents)["official_unsure"].to_list() == [False] * 3
