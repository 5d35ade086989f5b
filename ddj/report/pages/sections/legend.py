"""The words and colours the comparison's sections share, for an incident's page and a theatre's alike: what
each grade means, each status's colour and label as the charts' legends show them, and claimed values in words.
"""

from __future__ import annotations

#: What each grade says about an incident, in words for the page (the rules are in :mod:`ddj.compare.grades`).
GRADE_MEANINGS = {
    "confirmed": (
        "the operator gave its version, an account independent of it agrees on a point both speak to, "
        "and no account contradicts it"
    ),
    "fair": "two or more independent sources report it and agree; the operator gave no version",
    "uncorroborated": "official account only, not independently corroborated: nothing else backs or contradicts it",
    "weak": "a single independent source reports it, or the sources disagree with one another",
    "contested": "officials and other accounts contradict each other and neither side concedes",
    "discounted": (
        "other accounts contradict the operator, but on the disputed point more than twice as many "
        "independent sources (at least two) support the operator"
    ),
}


def _status_colour(status: str) -> str:
    """A status's colour in the charts' legends."""
    from ddj.charts.theme import STATUS_COLOURS

    return STATUS_COLOURS.get(status, "#ffffff")


def _status_label(status: str) -> str:
    """A status in the words of the charts' legends."""
    from ddj.charts.theme import STATUS_LABELS

    return STATUS_LABELS.get(status, status.replace("_", " "))


def _values_text(attribute: str, values: list[str] | None) -> str:
    from ddj.narrative.wording import readable_value

    return "; ".join(readable_value(attribute, v) for v in values or [])
