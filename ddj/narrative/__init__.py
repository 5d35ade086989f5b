"""Narrative from the comparison: who said what and when, numbers as ranges, the acknowledgement gap, the grade.

Every sentence carries citations to the account rows it rests on (or to the editor's decision
that wrote it), rendered as numbered footnotes; the wording follows the evidence (see
:mod:`ddj.narrative.wording`). Editors change the text through data, in the ``overrides``
resource (see :mod:`ddj.narrative.editors`), never in code. All text from data is escaped by
:mod:`ddj.html` when rendered; links appear only for http and https addresses.

>>> import ddj
>>> from ddj.narrative import narrative, render_html
>>> html = render_html(narrative(ddj.load("syria-ru-aviation", warn=False), incident_ids="syr-2021-02-28-mi35"))
>>> html.startswith('<section class="ddj-narrative"')
True
"""

from ddj.narrative.build import narrative
from ddj.narrative.editors import NOTE_FIELD, REPLACEABLE_FIELDS
from ddj.narrative.render import render_html, render_markdown
from ddj.narrative.story import Citation, Paragraph, Sentence, Story

__all__ = [
    "NOTE_FIELD",
    "REPLACEABLE_FIELDS",
    "Citation",
    "Paragraph",
    "Sentence",
    "Story",
    "narrative",
    "render_html",
    "render_markdown",
]
