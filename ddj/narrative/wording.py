"""Words for the narrative: what each claim sounds like, numbers as ranges, dates, lists, who spoke.

The wording follows the evidence: an official statement is "said"; unofficial accounts are
"reported", "by two independent local sources" when their origins are independent, by "a single
source" when they all go back to one origin; an operator that never spoke "has not publicly
acknowledged", but only where the curators searched for its statements (:func:`unacknowledged`:
elsewhere "no official account is recorded"); an official source that replaced its account "later
changed its account".

Claim clauses are built from the account rows, one per compared attribute of
:data:`ddj.model.COMPARED_ATTRIBUTES`, in the words each attribute carries in the model
(:class:`ddj.model.Phrases`); this module knows kinds (counts, places, dates), never attribute names.
An attribute without phrases still gets a clause ("gave the <label> as <value>"), so adding an
attribute to the model never breaks the narrative.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polars as pl

from ddj.model import COMPARED_ATTRIBUTES, NO_CLAIM, NOT_STATED, UNKNOWN, Attribute, attribute

__all__ = [
    "CAUSE_WORDS",
    "EVENT_NOUNS",
    "account_claims",
    "count_words",
    "join_words",
    "long_date",
    "number_word",
    "party_name",
    "readable_value",
    "sources_adjective",
    "subject_name",
    "unacknowledged",
]

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")

CAUSE_WORDS = dict(attribute("cause").phrases.words)
"""How each cause of :data:`ddj.model.CAUSES` reads after "the cause was" (from the model's phrases)."""

EVENT_NOUNS = {
    "shoot_down": "shoot-down",
    "crash": "crash",
    "emergency_landing": "emergency landing",
    "ground_attack": "attack",
    "airstrike": "strikes",
    "strike_campaign": "strike campaign",
    "other": "incident",
}
"""What the narrative calls an incident of each event type."""

_KIND_ADJECTIVES = {
    "local_media": "local",
    "independent_media": "media",
    "state_media": "state-media",
    "monitor_ngo": "monitoring",
    "social_media": "social-media",
    "armed_group": "armed-group",
    "foreign_government": "foreign-government",
    "official_military": "military",
    "official_government": "government",
}
# A name gets "the" when it is an institution named by a common noun ("the Ministry of Defence").
_THE_WORDS = {
    "ministry",
    "department",
    "government",
    "center",
    "centre",
    "office",
    "president",
    "presidency",
    "author",
    "embassy",
    "command",
    "headquarters",
    "council",
    "committee",
    "commission",
    "agency",
    "service",
    "directorate",
    "forces",
    "group",
    "army",
    "navy",
    "staff",
    "pentagon",
    "kremlin",
}


def long_date(value: dt.date | None) -> str:
    """A date in words, the same on every machine and locale.

    Examples
    --------
    >>> long_date(dt.date(2021, 2, 28))
    '28 February 2021'

    Day, month name and year, with no leading zero.
    """
    if value is None:
        return "an unknown date"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def number_word(n: int) -> str:
    """``two`` for 2 up to ten, then digits."""
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else f"{n:,}"


def join_words(items: list[str], *, conjunction: str = "and", separator: str = ", ") -> str:
    """Join words as prose: ``a``, ``a and b``, ``a, b and c``.

    Parameters
    ----------
    items : list of str
        The words or phrases, in order; empty ones are left out.
    conjunction : str, default "and"
        The word before the last item ("or" for alternatives).
    separator : str, default ", "
        The text between the other items.

    Examples
    --------
    >>> join_words(["cause", "hostile fire", "aircraft"])
    'cause, hostile fire and aircraft'

    No serial comma, the house style.
    """
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{separator.join(items[:-1])} {conjunction} {items[-1]}"


_PARTY_THE = ("united ", "russian ", "turkish ", "syrian ", "israeli ", "iranian ", "us ")
_PARTY_NOUNS = {
    "force",
    "forces",
    "army",
    "navy",
    "government",
    "ministry",
    "front",
    "movement",
    "coalition",
    "military",
    "air",
    "defence",
    "defense",
    "command",
}


def party_name(name: str) -> str:
    """A party's name as prose after "that": with "the" where English wants it.

    Examples
    --------
    >>> party_name("United States"), party_name("Turkish Air Force"), party_name("Israel"), party_name("Islamic State")
    ('the United States', 'the Turkish Air Force', 'Israel', 'Islamic State')
    >>> party_name("Syrian government (its air defence), with Iran and Hezbollah")
    'the Syrian government (its air defence), with Iran and Hezbollah'

    States named by a common noun and armed forces take the article; proper names do not.
    """
    head = name.split("(")[0].split(",")[0].strip()
    words = re.findall(r"[A-Za-z]+", head.lower())
    if not words or head.lower().startswith("the "):
        return name
    if head.lower().startswith("united ") or (head.lower().startswith(_PARTY_THE) and words[-1] in _PARTY_NOUNS):
        return f"the {name}"
    return name


def _plural_party(name: str) -> bool:
    """Whether a party's name is a plural subject ("X and Y units", "militants")."""
    head = name.split("(")[0].strip().lower()
    return " and " in head or head.endswith(("units", "forces", "militants", "rebels", "groups"))


def subject_name(name: str) -> str:
    """The source's name as the subject of a sentence: with "the" when it is an institution.

    Examples
    --------
    >>> subject_name("Ministry of Defence of the Russian Federation"), subject_name("Kommersant")
    ('the Ministry of Defence of the Russian Federation', 'Kommersant')

    Institutions named by a common noun take the article; proper names do not.
    """
    words = re.findall(r"[A-Za-z]+", name.split("(")[0])
    if name.lower().startswith("the ") or not words:
        return name
    if any(word.lower() in _THE_WORDS for word in words):
        return f"the {name}"
    return name


def sources_adjective(kinds: list[str]) -> str:
    """The adjective for "independent ... sources" when all sources are of one kind (``local``), else ``""``."""
    distinct = sorted(set(kinds))
    if len(distinct) == 1:
        return _KIND_ADJECTIVES.get(distinct[0], "")
    return ""


def count_words(name: str, low: int | None, best: int | None, high: int | None) -> str:
    """A count claim as words, ranges as "between … and …" with the best estimate.

    Parameters
    ----------
    name : str
        The count attribute's name (``crew_killed``, ``others_killed``, ``injured``...), which gives the nouns.
    low, best, high : int or None
        The claim's figures; a missing end takes the best estimate (or the other end). At least one is
        needed, or :class:`ValueError` is raised.

    Examples
    --------
    >>> count_words("crew_killed", 3, 3, 3), count_words("injured", 0, 0, 0)
    ('three crew members were killed', 'no people were injured')
    >>> count_words("others_killed", 2, 4, 6), count_words("crew_killed", 15, 15, 15)
    ('between two and six other people were killed (best estimate four)', '15 crew members were killed')

    A single figure is written once, in words up to ten as house style wants; a range gives both ends and
    the best figure when there is one, never a single number.
    """
    lo = low if low is not None else (best if best is not None else high)
    hi = high if high is not None else (best if best is not None else low)
    if lo is None or hi is None:
        msg = f"count_words({name!r}) needs at least one figure"
        raise ValueError(msg)
    nouns = _attribute(name).phrases.nouns
    if nouns is None:
        label = _attribute(name).label
        if lo == hi:
            return f"the {label} numbered {lo}"
        return f"the {label} numbered between {lo} and {hi}" + (f" (best estimate {best})" if best is not None else "")
    singular, plural, verb = nouns
    if lo == hi:
        if lo == 0:
            return f"no {plural} were {verb}"
        if lo == 1:
            return f"one {singular} was {verb}"
        return f"{number_word(lo)} {plural} were {verb}"
    text = f"between {number_word(lo)} and {number_word(hi)} {plural} were {verb}"
    if best is not None and best not in (lo, hi):
        text += f" (best estimate {number_word(best)})"
    return text


def _attribute(name: str) -> Attribute:
    return attribute(name)


def _clause(item: Attribute, row: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, words) for one account's claim on one attribute; None when it says nothing about it."""
    phrases = item.phrases
    if item.kind == "count":
        claim, low, best, high = (row[c] for c in item.columns)
        if claim == "figure":
            return "that", count_words(item.name, low, best, high)
        if claim == UNKNOWN:
            _, plural, verb = phrases.nouns or (None, item.label, "")
            return "that", f"the number of {plural} {verb} was not known".replace("  ", " ")
        return None
    if item.kind == "place":
        country, place = (str(row[c]).strip() if row[c] is not None else NOT_STATED for c in item.columns)
        if country in NO_CLAIM and place in NO_CLAIM:
            if UNKNOWN in (country, place):
                return "detail", f"the {item.label} as not known"
            return None
        if place in NO_CLAIM:
            return "detail", f"the {item.label} as {country}" + (
                ", the exact place not known" if place == UNKNOWN else ""
            )
        if country in NO_CLAIM or country.lower() in place.lower():
            return "detail", f"the {item.label} as {place}"
        return "detail", f"the {item.label} as {place}, {country}"
    (column,) = item.columns
    value = row[column]
    value = str(value).strip() if value is not None else NOT_STATED
    if value == NOT_STATED:
        return None
    if value == UNKNOWN:
        return phrases.clause, phrases.unknown or (
            f"the {item.label} as not known" if phrases.clause == "detail" else f"the {item.label} was not known"
        )
    if phrases.template:
        words = phrases.words.get(value, value.replace("_", " "))
        was = "were" if _plural_party(value) else "was"
        return phrases.clause, phrases.template.format(value=words, party=party_name(value), was=was)
    if value in phrases.words:
        return phrases.clause, phrases.words[value]
    if item.kind == "date":
        try:
            return "detail", f"the {item.label} as {long_date(dt.date.fromisoformat(value))}"
        except ValueError:
            return "detail", f"the {item.label} as {value}"
    none = re.fullmatch(r"none (\w+)(.*)", value, flags=re.S)
    if phrases.none_noun and none:  # "none destroyed": a claim that nothing was lost, not a value
        return "that", f"no {phrases.none_noun} was {none.group(1)}{none.group(2)}"
    if item.kind == "category":
        value = value.replace("_", " ")
    if phrases.clause == "that":
        return "that", f"the {item.label} was {value}"
    return "detail", f"the {item.label} as {value}"


def account_claims(accounts: pl.DataFrame) -> pl.DataFrame:
    """One row per account and attribute it claims something about: ``account_id``, ``attribute``, ``kind``, ``words``.

    ``kind`` is ``that`` (a clause: "the cause was a technical failure") or ``detail`` ("the place as
    Idlib province, Syria"); ``key`` identifies the claim for grouping accounts that say the same.
    Rows follow the accounts' order, then :data:`~ddj.model.COMPARED_ATTRIBUTES` order.

    Examples
    --------
    >>> import ddj
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> claims = account_claims(ds.accounts.filter(pl.col("account_id") == "acc-0030"))
    >>> for words in claims["words"]:
    ...     print(words)
    the cause was a technical failure
    the aircraft did not come under hostile fire
    no crew members were killed
    the place as Al-Hasakah governorate (the article says the exact spot is unclear), Syria
    the date as 28 February 2021
    the aircraft as Mi-35

    Defense World's article on the Mi-35 blames a technical fault, says there was no fire and no one
    died, and gives the place, the day and the type: clauses (``that``) and details (``detail``) in the
    attributes' order.
    """
    needed = sorted({c for a in COMPARED_ATTRIBUTES for c in a.columns})
    rows = []
    for row in accounts.select("account_id", *needed).iter_rows(named=True):
        for order, item in enumerate(COMPARED_ATTRIBUTES):
            clause = _clause(item, row)
            if clause is None:
                continue
            kind, words = clause
            rows.append(
                {
                    "account_id": row["account_id"],
                    "attribute": item.name,
                    "order": order,
                    "kind": kind,
                    "words": words,
                    "key": f"{item.name}|{words.lower()}",
                }
            )
    schema = {
        "account_id": pl.String,
        "attribute": pl.String,
        "order": pl.Int64,
        "kind": pl.String,
        "words": pl.String,
        "key": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def readable_value(attribute_name: str, value: str) -> str:
    """A value as the comparison renders it (``technical_failure``, ``Syria: Idlib province``, ``3–5``), for readers.

    Examples
    --------
    >>> readable_value("cause", "technical_failure"), readable_value("place", "Syria: Idlib province")
    ('a technical failure', 'Idlib province, Syria')
    >>> readable_value("crew_killed", "3–5"), readable_value("aircraft", "not_stated")
    ('between 3 and 5', 'nothing')

    Vocabulary words become words, places read place first, and "not stated" reads as nothing said.
    """
    text = str(value).strip()
    if text == NOT_STATED:
        return "nothing"
    if text == UNKNOWN:
        return "not known"
    item = next((a for a in COMPARED_ATTRIBUTES if a.name == attribute_name), None)
    phrases = item.phrases if item is not None else None
    kind = item.kind if item is not None else ""
    if phrases is not None and phrases.template and text in phrases.words:
        return phrases.words[text]
    if kind == "place" and ": " in text:
        country, place = text.split(": ", 1)
        return place if country.lower() in place.lower() else f"{place}, {country}"
    if kind == "date":
        try:
            return long_date(dt.date.fromisoformat(text))
        except ValueError:
            return text
    if "–" in text and text.replace("–", "").isdigit():
        low, high = text.split("–", 1)
        return f"between {low} and {high}"
    if phrases is not None and phrases.none_noun and re.fullmatch(r"none \w+.*", text, flags=re.S):
        return f"no {phrases.none_noun} " + text[len("none ") :]  # "none destroyed"
    return text.replace("_", " ") if re.fullmatch(r"[a-z_]+", text) else text


def unacknowledged(operator: str, noun: str, it: str, *, searched: bool, declared: bool = True) -> str:
    """The sentence for an incident with no official account: silence only where someone looked for one.

    ``searched``: the curators declared a search for official statements on the incident (then, and only
    then, the operator "has not publicly acknowledged" it); ``declared``: the dataset says one way or
    the other.

    Parameters
    ----------
    operator : str
        The operator's name as readers see it ("US Air Force").
    noun : str
        What the incident is, as the sentence names it ("strikes", "loss").
    it : str
        The pronoun for ``noun`` ("them", "it").
    searched : bool
        As above: whether the curators declared a search for official statements on the incident.
    declared : bool, default True
        As above: whether the dataset declares one way or the other.

    Examples
    --------
    >>> unacknowledged("US Air Force", "strikes", "them", searched=True)
    'The operator, US Air Force, has not publicly acknowledged the strikes: we hold no official account of them'
    >>> print(unacknowledged("US Air Force", "strikes", "them", searched=False))  # doctest: +NORMALIZE_WHITESPACE
    No official account of the strikes is recorded, but no one searched for statements by the operator,
    US Air Force, so this does not mean it stayed silent

    Where nobody searched, the lack of an official account is not the operator's silence.
    """
    if searched:
        return (
            f"The operator, {operator}, has not publicly acknowledged the {noun}: we hold no official account of {it}"
        )
    looked = (
        "but no one searched for statements by"
        if declared
        else "and the dataset does not say whether anyone searched for statements by"
    )
    return (
        f"No official account of the {noun} is recorded, {looked} the operator, {operator}, so this does not mean "
        "it stayed silent"
    )
