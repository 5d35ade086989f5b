"""What a narrative is made of: sentences that carry citations, paragraphs per incident, numbered footnotes.

Text here is plain, unescaped text from data and from the wording rules; only the renderers
(:mod:`ddj.narrative.render`, through :mod:`ddj.html`) turn it into HTML or Markdown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["Citation", "Paragraph", "Sentence", "Story"]


@dataclass(frozen=True)
class Citation:
    """What a footnote points at: one account row, or one editor's decision (an override row).

    Attributes
    ----------
    key
        ``account:<account_id>`` or ``override:<override_id>``; one footnote per key.
    kind
        ``account`` or ``editor``.
    source
        The outlet or office (for an editor's decision: the editor).
    speaker
        Who spoke for the source, when known.
    date
        The day the account was published (the decision was taken).
    reported_in
        The publication we know the account through (for a decision: its reason).
    url, archive_url
        Links as the data holds them; renderers link only http and https addresses.
    uncertain
        For an account the curators mark uncertain: their note on what is not sure ("" when they left none);
        ``None`` for an account on the record as described. The footnote says so beside the claim.
    """

    key: str
    kind: str
    source: str
    speaker: str | None = None
    date: dt.date | None = None
    reported_in: str | None = None
    url: str | None = None
    archive_url: str | None = None
    uncertain: str | None = None


@dataclass(frozen=True)
class Sentence:
    """One sentence and the keys of the citations it rests on (never empty)."""

    text: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Paragraph:
    """The sentences about one incident, under a heading."""

    incident_id: str
    heading: str
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class Story:
    """A narrative: paragraphs, and every citation they use, numbered in order of first use.

    Examples
    --------
    >>> note = Citation("account:a-1", "account", "Local outlet")
    >>> story = Story((Paragraph("i-1", "An incident", (Sentence("It happened.", ("account:a-1",)),)),),
    ...               {"account:a-1": note})
    >>> story.numbers()
    {'account:a-1': 1}

    The first citation used is footnote 1.
    """

    paragraphs: tuple[Paragraph, ...]
    citations: dict[str, Citation] = field(default_factory=dict)

    def numbers(self) -> dict[str, int]:
        """Footnote number of each citation key, in order of first use."""
        numbers: dict[str, int] = {}
        for paragraph in self.paragraphs:
            for sentence in paragraph.sentences:
                for key in sentence.citations:
                    numbers.setdefault(key, len(numbers) + 1)
        return numbers

    def footnotes(self) -> list[tuple[int, Citation]]:
        """The footnotes, numbered, in order."""
        return [(number, self.citations[key]) for key, number in self.numbers().items()]

    def text(self) -> str:
        """The story as plain text with bracketed footnote numbers (for tests, logs and terminals)."""
        numbers = self.numbers()
        blocks = []
        for paragraph in self.paragraphs:
            lines = [paragraph.heading]
            for sentence in paragraph.sentences:
                marks = "".join(f"[{numbers[key]}]" for key in sentence.citations)
                lines.append(f"{sentence.text}{marks}")
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)
