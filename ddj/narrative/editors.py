"""Editors change the narrative through data, never through code: rows of the ``overrides`` resource.

- ``target_table = incidents``, ``field = summary`` (or ``title``): the value replaces the
  incident's summary (or heading) in the narrative. The latest decision wins (by ``decided_on``,
  then ``override_id``).
- ``target_table = incidents``, ``field = narrative_note``: the value is added as a sentence at the
  end of the incident's paragraph, cited to the decision (editor, date, reason). Several notes
  appear in the order they were decided.

Every such sentence carries a footnote naming the editor, the date and the reason, so a reader can
tell an editor's words from the rules' words.
"""

from __future__ import annotations

import polars as pl

from ddj.narrative.story import Citation

__all__ = ["NOTE_FIELD", "REPLACEABLE_FIELDS", "editor_citation", "incident_edits"]

#: The override field whose value is a sentence added to an incident's paragraph.
NOTE_FIELD = "narrative_note"
#: Incident fields whose text an override replaces in the narrative.
REPLACEABLE_FIELDS = ("title", "summary")


def editor_citation(row: dict) -> Citation:
    """The citation of one override row: the editor, the day decided and the reason."""
    return Citation(
        key=f"override:{row['override_id']}",
        kind="editor",
        source=str(row["editor"]),
        date=row.get("decided_on"),
        reported_in=row.get("reason"),
    )


def incident_edits(overrides: pl.DataFrame, incident_id: str) -> tuple[dict[str, tuple[str, dict]], list[dict]]:
    """The editors' decisions for one incident: replaced fields (value and row) and notes (rows, in order).

    Examples
    --------
    >>> import datetime as dt
    >>> rows = pl.DataFrame({"override_id": ["o-1", "o-2"], "target_table": ["incidents", "incidents"],
    ...     "target_id": ["i-1", "i-1"], "field": ["summary", "narrative_note"],
    ...     "value": ["New summary.", "The ministry declined to comment."], "editor": ["A. Editor", "A. Editor"],
    ...     "decided_on": [dt.date(2024, 1, 2), dt.date(2024, 1, 3)], "reason": ["Clearer.", "We asked."]})
    >>> replaced, notes = incident_edits(rows, "i-1")
    >>> replaced["summary"][0], [n["value"] for n in notes]
    ('New summary.', ['The ministry declined to comment.'])

    The summary is replaced and the note will close the incident's paragraph.
    """
    if overrides.height == 0:
        return {}, []
    mine = overrides.filter((pl.col("target_table") == "incidents") & (pl.col("target_id") == incident_id)).sort(
        "decided_on", "override_id"
    )
    replaced: dict[str, tuple[str, dict]] = {}
    notes: list[dict] = []
    for row in mine.iter_rows(named=True):
        if row["field"] == NOTE_FIELD:
            notes.append(row)
        elif row["field"] in REPLACEABLE_FIELDS:
            replaced[row["field"]] = (str(row["value"]), row)
    return replaced, notes
