"""Curators' notes in a reader's words: the data's column names and vocabulary codes as plain English.

Notes are written for curators and often name columns ("crew_killed 0", "claimed_date not_stated"). Pages
show them beside the claims they qualify, so they are read through :func:`plain_words` first: a page never
shows a field name or an underscore code.
"""

from __future__ import annotations

import re

from ddj.model import ACCOUNT_FIELDS, COMPARED_ATTRIBUTES, COUNT_ATTRIBUTES, INCIDENT_FIELDS

__all__ = ["plain_words"]

#: Column names and codes with the words a reader would use.
_NAMES: dict[str, str] = {
    **{
        column: attribute.label
        for attribute in COMPARED_ATTRIBUTES
        for column in attribute.columns
        if not column.endswith(("_low", "_best", "_high"))
    },
    **{f"{attribute.name}_claim": attribute.label for attribute in COMPARED_ATTRIBUTES},
    **{column: words for attribute in COMPARED_ATTRIBUTES for column, words in attribute.phrases.column_words.items()},
    "published_date": "the publication date",
    "accessed_date": "the date we read it",
    "reported_in": "the publication we know it through",
    "date_precision": "how exactly the date is known",
    "location_precision": "how exactly the place is known",
    "aircraft_count": "the number of aircraft",
    "aircraft_model": "the aircraft type",
    "event_type": "the kind of event",
    "not_stated": "not stated",
    "hostile_fire": "hostile fire",
    "technical_failure": "technical failure",
    "friendly_fire": "friendly fire",
    "pilot_error": "pilot error",
    "ground_attack": "ground attack",
    "supersedes_account_id": "the account it replaces",
}
for _field in (*INCIDENT_FIELDS, *ACCOUNT_FIELDS):
    _NAMES.setdefault(_field.name, _field.name.replace("_", " "))

_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_FIGURE = re.compile(rf"\b({'|'.join(COUNT_ATTRIBUTES)})_(?:low|best|high)\b")


def plain_words(text: str | None) -> str:
    """``text`` with every column name and underscore code written as words.

    Examples
    --------
    >>> plain_words("'Pilots safe' is read as crew_killed 0; claimed_date is not_stated.")
    "'Pilots safe' is read as crew killed 0; the date given is not stated."

    A reader sees "crew killed 0", never ``crew_killed``.
    """
    if not text:
        return ""
    text = _FIGURE.sub(lambda m: _NAMES.get(m.group(1), m.group(1)), str(text))
    return _CODE.sub(lambda m: _NAMES.get(m.group(0), m.group(0).replace("_", " ")), text)
