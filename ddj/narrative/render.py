"""The story as HTML or Markdown, with numbered footnotes. Every piece of text goes through :mod:`ddj.html`.

Links are rendered only for http and https addresses; anything else in a URL field is shown, if at
all, as escaped text. Output is deterministic: the same story gives the same bytes.
"""

from __future__ import annotations

import re

from ddj.html import escape, escape_markdown, markdown_link, safe_filename, safe_link, safe_url
from ddj.narrative.plain import plain_words
from ddj.narrative.story import Citation, Story
from ddj.narrative.wording import long_date, subject_name

__all__ = ["footnote_parts", "render_html", "render_markdown"]


def footnote_parts(citation: Citation) -> list[tuple[str, str]]:
    """The parts of a footnote as (kind, text) pairs: ``text``, ``uncertain`` (what the curators are not sure
    of), ``link`` or ``archive``; plain, unescaped.

    Examples
    --------
    >>> footnote_parts(Citation("account:a", "account", "Kommersant", None, None, "Kommersant, 3 January 2018",
    ...                         "https://example.org/a"))
    [('text', 'Kommersant.'), ('text', 'Kommersant, 3 January 2018.'), ('link', 'https://example.org/a')]

    The outlet, the publication we know it through, and the link.
    """
    if citation.kind == "editor":
        head = f"Editor's decision by {citation.source}"
        head += f", {long_date(citation.date)}" if citation.date else ""
        parts = [("text", f"{head}.")]
        if citation.reported_in:
            parts.append(("text", f"Reason: {_period(citation.reported_in)}"))
        return parts
    head = citation.source
    if citation.speaker and citation.speaker.split(",")[0].strip().lower() not in head.lower():
        nested = "(" in head or "(" in citation.speaker  # no parentheses inside parentheses
        head = f"{citation.speaker}, for {subject_name(head)}" if nested else f"{head} ({citation.speaker})"
    if citation.date:
        head += f", published {long_date(citation.date)}"
    parts = [("text", _period(head))]
    if citation.uncertain is not None:
        note = re.sub(r"(?i)^uncertain\s*[:;,-]\s*", "", plain_words(citation.uncertain).strip())
        note = note[:1].upper() + note[1:] if note else note
        parts.append(
            (
                "uncertain",
                _period(f"We mark this account uncertain: {note}" if note else "We mark this account uncertain"),
            )
        )
    if citation.reported_in:
        parts.append(("text", _period(citation.reported_in)))
    if citation.url:
        parts.append(("link", str(citation.url)))
    if citation.archive_url:
        parts.append(("archive", str(citation.archive_url)))
    return parts


def _period(text: str) -> str:
    text = " ".join(str(text).split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _anchor(prefix: str) -> str:
    return safe_filename(prefix, default="ddj").replace(".", "-")


def render_html(story: Story, *, id_prefix: str = "ddj", heading_level: int = 3) -> str:
    """Render the story as an HTML fragment: a heading and a paragraph per incident, then the footnotes.

    Each sentence ends with superscript links to its footnotes. Text is escaped; links appear only
    for http(s) addresses; ``id_prefix`` keeps anchors unique when a page holds several stories.

    Parameters
    ----------
    story : Story
        The story to render, as :func:`ddj.narrative.build.narrative` makes it.
    id_prefix : str, default "ddj"
        The start of every anchor id in the fragment (made safe with :func:`ddj.html.safe_filename`); give each
        story on a page its own.
    heading_level : int, default 3
        The level of each incident's heading, ``3`` for ``<h3>``; clamped to 1..6.

    Examples
    --------
    >>> from ddj.narrative.story import Paragraph, Sentence
    >>> story = Story((Paragraph("i-1", "Strike <b>", (Sentence("Officials said <nothing>.", ("account:a",)),)),),
    ...               {"account:a": Citation("account:a", "account", "Ministry", url="javascript:alert(1)")})
    >>> html = render_html(story)
    >>> "&lt;nothing&gt;" in html, "javascript:" in html
    (True, False)

    Markup from data arrives as text, and the script address is never written out as a link.
    """
    prefix = _anchor(id_prefix)
    numbers = story.numbers()
    level = min(max(int(heading_level), 1), 6)
    out = [f'<section class="ddj-narrative" id="{prefix}-narrative">']
    for paragraph in story.paragraphs:
        anchor = f"{prefix}-{_anchor(paragraph.incident_id)}"
        out.append(f'<article class="ddj-incident" id="{escape(anchor)}">')
        out.append(f"<h{level}>{escape(paragraph.heading)}</h{level}>")
        sentences = []
        for sentence in paragraph.sentences:
            marks = ",".join(f'<a href="#{prefix}-fn-{numbers[k]}">{numbers[k]}</a>' for k in sentence.citations)
            sup = f'<sup class="ddj-cite">{marks}</sup>' if marks else ""
            sentences.append(f"{escape(sentence.text)}{sup}")
        out.append("<p>" + " ".join(sentences) + "</p>")
        out.append("</article>")
    if numbers:
        out.append('<ol class="ddj-footnotes">')
        for number, citation in story.footnotes():
            pieces = []
            for kind, text in footnote_parts(citation):
                if kind == "text":
                    pieces.append(escape(text))
                elif kind == "uncertain":
                    pieces.append(f'<em class="ddj-uncertain">{escape(text)}</em>')
                elif safe_url(text):
                    pieces.append(safe_link(text, "Archived copy" if kind == "archive" else "Link") + ".")
            out.append(f'<li id="{prefix}-fn-{number}">{" ".join(pieces)}</li>')
        out.append("</ol>")
    out.append("</section>")
    return "\n".join(out) + "\n"


def render_markdown(story: Story, *, heading_level: int = 3) -> str:
    r"""Render the story as Markdown with footnotes (``[^1]``); text escaped, links only for http(s).

    Examples
    --------
    >>> from ddj.narrative.story import Paragraph, Sentence
    >>> story = Story((Paragraph("i-1", "A strike", (Sentence("It was *reported*.", ("account:a",)),)),),
    ...               {"account:a": Citation("account:a", "account", "Outlet", url="https://example.org/x")})
    >>> print(render_markdown(story))
    ### A strike
    <BLANKLINE>
    It was \*reported\*.[^1]
    <BLANKLINE>
    [^1]: Outlet. [Link](<https://example.org/x>).
    <BLANKLINE>

    Emphasis marks from data are escaped; the footnote links the web address.
    """
    numbers = story.numbers()
    level = min(max(int(heading_level), 1), 6)
    blocks = []
    for paragraph in story.paragraphs:
        sentences = []
        for sentence in paragraph.sentences:
            marks = "".join(f"[^{numbers[k]}]" for k in sentence.citations)
            sentences.append(f"{escape_markdown(sentence.text)}{marks}")
        blocks.append(f"{'#' * level} {escape_markdown(paragraph.heading)}\n\n" + " ".join(sentences))
    notes = []
    for number, citation in story.footnotes():
        pieces = []
        for kind, text in footnote_parts(citation):
            if kind == "text":
                pieces.append(escape_markdown(text))
            elif kind == "uncertain":
                pieces.append(f"*{escape_markdown(text)}*")
            elif safe_url(text):
                pieces.append(markdown_link(text, "Archived copy" if kind == "archive" else "Link") + ".")
        notes.append(f"[^{number}]: {' '.join(pieces)}")
    if notes:
        blocks.append("\n".join(notes))
    return "\n\n".join(blocks) + "\n"
