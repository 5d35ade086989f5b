"""The sections of an incident's page: its heading, facts and related incidents, its accounts side by side,
where officials and others agree or contradict each other, its grade and how long the operator took to speak,
and the cited narrative (which a theatre's page uses too).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ddj.compare import Comparison
from ddj.compare.display import account_links, claim_cell, claim_text
from ddj.compare.statuses import agrees_by_repeats_only
from ddj.datasets import Dataset
from ddj.model import AGREE_BY_REPEATS_ONLY, COMPARED_ATTRIBUTES, LOCATION_PRECISION
from ddj.narrative.plain import plain_words
from ddj.report.pages.sections.base import Section, _html, _incident, _one_incident, _silent, date_text
from ddj.report.pages.sections.large import _shown_note
from ddj.report.pages.sections.legend import GRADE_MEANINGS, _status_colour, _status_label, _values_text
from ddj.report.pages.sections.page_info import INCIDENT_PAGE, _page_href
from ddj.report.pages.templating import Markup


def incident_heading(ds: Dataset, incident_id: str) -> Section:
    """The incident's title and, under it, when and where, for the top of an incident report."""
    row = _incident(ds, incident_id)
    where = ", ".join(str(v) for v in (row["place"], row["region"], row["country"]) if v)
    return _html("heading", row["title"], date_text(row["date_start"], row["date_end"], row["date_precision"]), where)


def incident_facts(ds: Dataset, incident_id: str) -> Section:
    """What happened: dates, place, aircraft, operator, type, related incident, summary and what is uncertain."""
    row = _incident(ds, incident_id)
    place = ", ".join(str(v) for v in (row["place"], row["region"], row["country"]) if v)
    if row["location_precision"]:
        place += f" ({LOCATION_PRECISION.get(row['location_precision'], '')})"
    aircraft = f"{row['aircraft_model']} ({str(row['aircraft_category']).replace('_', ' ')})"
    if row["aircraft_count"] is not None and row["aircraft_count"] != 1:
        aircraft += f", {row['aircraft_count']} aircraft"
    facts = [
        ("When", date_text(row["date_start"], row["date_end"], row["date_precision"])),
        ("Where", place),
        ("Aircraft", aircraft),
        ("Operator", row["operator"]),
        ("Event", str(row["event_type"]).replace("_", " ")),
    ]
    if row["related_incident_id"]:
        related = ds.incidents.filter(pl.col("incident_id") == row["related_incident_id"])
        title = related["title"][0] if related.height else row["related_incident_id"]
        facts.append(("Related", f"{title} ({str(row['relation'] or 'related').replace('_', ' ')})"))
    uncertainty = plain_words(row["uncertainty"]) if row["uncertainty"] else ""
    return _html("facts", facts, row["summary"], uncertainty)


def related_incidents(ds: Dataset, incident_id: str, *, link: str | None = INCIDENT_PAGE) -> Section:
    """The incidents this one is related to, both ways (the Mi-8 shoot-down and the strikes that followed it),
    each linked to its page; nothing when there are none.

    Parameters
    ----------
    ds : ddj.Dataset
        The incident dataset.
    incident_id : str
        The incident whose relations are listed.
    link : str, optional
        A pattern with ``{incident_id}`` for each related incident's page (default :data:`INCIDENT_PAGE`);
        no links when None.
    """
    row = _incident(ds, incident_id)
    items = []
    words = {"follow_on": "followed", "context": "is context to", "same_event": "is the same event as"}
    back = {"follow_on": "followed by", "context": "with context", "same_event": "the same event as"}
    if row["related_incident_id"]:
        other = ds.incidents.filter(pl.col("incident_id") == row["related_incident_id"])
        if other.height:
            items.append(
                (
                    f"This {words.get(row['relation'], 'is related to')}",
                    _page_href(link, row["related_incident_id"]),
                    other["title"][0],
                )
            )
    for r in (
        ds.incidents.filter(pl.col("related_incident_id") == incident_id)
        .sort("date_start", "incident_id")
        .iter_rows(named=True)
    ):
        items.append(
            (back.get(r["relation"], "related to").capitalize(), _page_href(link, r["incident_id"]), r["title"])
        )
    if not items:
        return Section("")
    return _html("related", items)


def accounts_side_by_side(ds: Dataset, incident_id: str) -> Section:
    """Every account of one incident in a column, earliest first: who said it, when, and what it claimed
    on each compared attribute; a dash where the account does not speak to an attribute.
    """
    _incident(ds, incident_id)
    accounts = (
        ds.accounts.filter(pl.col("incident_id") == incident_id)
        .join(
            ds.sources.select("source_id", pl.col("name").alias("source_name"), pl.col("kind").alias("source_kind")),
            on="source_id",
            how="left",
        )
        .sort("published_date", "account_id")
        .with_columns(claim_text(a, with_best=True).alias(f"_claim_{a.name}") for a in COMPARED_ATTRIBUTES)
    )
    if accounts.height == 0:
        return _html("paragraph", "No account of this incident is recorded.")
    rows = accounts.to_dicts()
    columns = [
        {
            "side": r["side"],
            "name": r["source_name"] or r["source_id"],
            "kind": str(r["source_kind"] or "").replace("_", " "),
            "date": r["published_date"],
            "uncertain": r.get("certainty") == "uncertain",
        }
        for r in rows
    ]
    silent = _silent()
    body: list[tuple[str, list[Any]]] = [
        (attribute.label, [Markup(claim_cell(r[f"_claim_{attribute.name}"], silent=silent)) for r in rows])
        for attribute in COMPARED_ATTRIBUTES
    ]
    if any(r["speaker"] for r in rows):
        body.append(("speaker", [r["speaker"] or "" for r in rows]))
    body += [
        ("what it said (our paraphrase)", [r["statement"] for r in rows]),
        ("source", [Markup(account_links(r)) for r in rows]),
    ]
    if any(r.get("certainty") == "uncertain" for r in rows):  # beside the claims it qualifies, on every page
        body.append(
            (
                "what we are not sure of",
                [
                    plain_words(r.get("notes")) or "marked uncertain" if r.get("certainty") == "uncertain" else ""
                    for r in rows
                ],
            )
        )
    return _html("accounts", columns, body)


# --- the comparison: an incident's discrepancies and grade ----------------------------------------

_SOFT = "#f6f6f3"


def _source_names(ds: Dataset, account_ids: list[str] | None) -> str:
    """The sources of some accounts, by name, in order of first appearance and without repeats."""
    if not account_ids:
        return ""
    names = (
        pl.DataFrame({"account_id": list(account_ids)}, schema={"account_id": pl.String})
        .join(ds.accounts.select("account_id", "source_id"), on="account_id", how="left", maintain_order="left")
        .join(ds.sources.select("source_id", "name"), on="source_id", how="left", maintain_order="left")
        .select(pl.coalesce("name", "source_id", "account_id").unique(maintain_order=True))
        .to_series()
        .to_list()
    )
    return "; ".join(str(n) for n in names)


def discrepancy_table(ds: Dataset, comparison: Comparison, incident_id: str) -> Section:
    """Where officials and other accounts agree, contradict or stay silent on one incident, attribute by attribute.

    One row per compared attribute: what the current official accounts claim and who says it, what
    the other accounts claim and who says it, how many independent origins those come from, and the
    status in words. A sentence above counts the contradictions; below, a table lists every official
    account that replaced an earlier one with a different claim.

    Parameters
    ----------
    ds : ddj.Dataset
        The incident dataset (its accounts and sources name who said what).
    comparison : ddj.compare.Comparison
        The dataset's comparison.
    incident_id : str
        The incident to show; an id not in the dataset is an error naming it.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> html = str(discrepancy_table(ds, compare(ds), "syr-2021-02-28-mi35"))
    >>> "<td>a technical failure<br><small>Russian Center for Reconciliation" in html
    True
    >>> "agree, but the other accounts only repeat the officials" in html
    True

    Officials gave the Mi-35's cause as a technical failure, and the table names who said so; the only other
    account of it repeats the ministry, and the table says so.
    """
    _incident(ds, incident_id)
    row = _one_incident(comparison, incident_id)
    attributes = comparison.attributes.filter(pl.col("incident_id") == incident_id)
    rows = [
        {
            "label": r["label"],
            "sides": [
                (_values_text(r["attribute"], r[f"{side}_values"]), _source_names(ds, r[f"{side}_account_ids"]))
                for side in ("official", "unofficial")
            ],
            "origins": r["n_unofficial_origins"] if r["unofficial_values"] else "",
            "colour": _status_colour(r["status"]),
            "status": _status_label(r["status"]) + (AGREE_BY_REPEATS_ONLY if r["_repeats_only"] else ""),
        }
        for r in attributes.with_columns(agrees_by_repeats_only()).iter_rows(named=True)
    ]
    return _html("discrepancies", _discrepancy_lead(row, attributes), rows, _changes(ds, comparison, incident_id))


def _discrepancy_lead(row: dict[str, Any], attributes: pl.DataFrame) -> str:
    """One or two sentences above the discrepancy table: what is contradicted, what officials leave unsaid."""
    from ddj.narrative.wording import join_words

    def labels(*statuses: str) -> str:
        return join_words(attributes.filter(pl.col("status").is_in(statuses))["label"].to_list())

    if row["n_accounts"] == 0:
        return "No account of this incident is recorded."
    if row["n_unofficial"] == 0:
        return "Only officials have spoken of this incident: we hold no other account of it."
    if not row["acknowledged"]:
        if row.get("official_searched"):
            reported = labels("official_silent")
            return "The operator has never spoken of this incident" + (
                f"; other accounts report the {reported}." if reported else "."
            )
        reported = labels("no_official_record")
        return (
            "No official account of this incident is recorded, and no search for official statements was "
            "declared" + (f"; other accounts report the {reported}." if reported else ".")
        )
    contradicted = labels("contradict")
    text = (
        f"Officials and other accounts contradict each other on the {contradicted}."
        if contradicted
        else "Officials and other accounts do not contradict each other on any point compared here."
    )
    silent = labels("unofficial_only")
    if silent:
        text += f" Officials say nothing about the {silent}, which other accounts report."
    return text


def _changes(ds: Dataset, comparison: Comparison, incident_id: str) -> list[dict[str, Any]]:
    """Every official account that replaced an earlier one with a different claim, for the table under the
    discrepancies (none: no table).
    """
    changes = comparison.changes.filter(pl.col("incident_id") == incident_id)
    if changes.height == 0:
        return []
    labels = {a.name: a.label for a in COMPARED_ATTRIBUTES}
    rows = changes.join(ds.sources.select("source_id", "name"), on="source_id", how="left").sort(
        "to_date", "source_id", "attribute"
    )
    return [
        {
            "source": r["name"] or r["source_id"],
            "attribute": labels.get(r["attribute"], r["attribute"]),
            "first": _values_text(r["attribute"], [r["from_value"]]),
            "from_date": r["from_date"],
            "later": _values_text(r["attribute"], [r["to_value"]]),
            "to_date": r["to_date"],
        }
        for r in rows.iter_rows(named=True)
    ]


def grade_box(comparison: Comparison, incident_id: str) -> Section:
    """The incident's grade, what it means and why the rules gave it; whenever an editor overrode the grade,
    who did, when and why, beside what the rules give; and how long the operator took to speak.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> html = str(grade_box(compare(ddj.load("syria-ru-aviation", warn=False)), "syr-2016-08-retaliation-strikes"))
    >>> "Grade: fair" in html, "has never acknowledged" in html
    (True, True)

    The strike campaign is graded fair, and the box says the operator never spoke of it.
    """
    from ddj.charts.theme import GRADE_COLOURS

    row = _one_incident(comparison, incident_id)
    grade = row["grade"]
    return _html(
        "grade_box",
        row,
        GRADE_COLOURS.get(grade, "#999999"),
        GRADE_COLOURS.get(grade, "#ffffff"),
        _SOFT,
        GRADE_MEANINGS.get(grade, ""),
        _acknowledgement_words(row, _unsure_first_dates(comparison, row)),
    )


def _unsure_first_dates(comparison: Comparison, row: dict[str, Any]) -> tuple[bool, bool]:
    """Whether the first official and the first other account's dates rest only on accounts marked uncertain."""
    from ddj.narrative.certainty import unsure_first_days

    incident = pl.col("incident_id") == row["incident_id"]
    flags = unsure_first_days(comparison.accounts.filter(incident), comparison.incidents.filter(incident))
    return (
        (False, False)
        if flags.height == 0
        else (bool(flags["official_unsure"][0]), bool(flags["unofficial_unsure"][0]))
    )


def _acknowledgement_words(row: dict[str, Any], unsure: tuple[bool, bool] = (False, False)) -> str:
    """How long the operator took to speak, in words; a date that rests only on accounts marked uncertain
    says so, and no "N days" is counted from it.
    """
    from ddj.narrative.wording import long_date

    official_unsure, other_unsure = unsure
    first_other = row["first_unofficial_date"]
    reported = ""
    if first_other:
        reported = f"; other sources first reported it on {long_date(first_other)}"
        if other_unsure:
            reported += " (going by accounts we mark uncertain)"
    if not row["acknowledged"]:
        if row.get("official_searched", True):
            return "The operator has never acknowledged the incident" + reported + "."
        return (
            "No official account of the incident is recorded (no search for official statements was declared)"
            + reported
            + "."
        )
    days = row["days_to_official"]
    if official_unsure:
        text = (
            f"The operator's first official account is dated {long_date(row['first_official_date'])}, "
            "but that date rests on an account we mark uncertain"
        )
    else:
        when = "the day it began" if days == 0 else f"{_days(days)} {'after' if days > 0 else 'before'} it began"
        text = f"The operator's first official account came on {long_date(row['first_official_date'])}, {when}"
    gap = row["days_unofficial_to_official"]
    if first_other is not None and gap is not None and not official_unsure:
        if other_unsure:
            text += f"; the first other report is dated {long_date(first_other)}, going by accounts we mark uncertain"
        else:
            text += (
                ", the same day as the first other report"
                if gap == 0
                else f", {_days(gap)} {'after' if gap > 0 else 'before'} the first other report"
            )
    text += "."
    if row["official_changed"]:
        text += " An official source later changed its account."
    return text


def _days(n: int) -> str:
    return f"{abs(n)} day{'' if abs(n) == 1 else 's'}"


def narrative_section(
    ds: Dataset,
    comparison: Comparison,
    incident_ids: list[str] | str,
    *,
    id_prefix: str = "story",
    total: int | None = None,
) -> Section:
    """The cited narrative of one or more incidents (:func:`ddj.narrative.narrative`) with its numbered footnotes.
    With ``total`` above the number of ``incident_ids`` (the :func:`top_incidents` of a big selection), a note
    first says how many incidents it tells, of how many, chosen how, and where the full list is.

    Parameters
    ----------
    ds : ddj.Dataset
        The incident dataset.
    comparison : ddj.compare.Comparison
        The dataset's comparison.
    incident_ids : str or list of str
        The incident (or incidents, told in order) to narrate; an empty list gives "No incidents in this
        selection."
    id_prefix : str, default "story"
        The start of the footnotes' anchor ids; give each narrative on a page its own.
    total : int, optional
        As above.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> html = str(narrative_section(ds, compare(ds), "syr-2021-02-28-mi35"))
    >>> html.count('<li id="story-fn-'), 'href="#story-fn-1"' in html
    (6, True)

    The Mi-35's paragraph cites six accounts (two official, four others), each a numbered footnote its
    sentences link to.
    """
    from ddj.narrative import narrative, render_html

    if not isinstance(incident_ids, str) and not list(incident_ids):
        return _html("paragraph", "No incidents in this selection.")
    story = render_html(narrative(ds, comparison, incident_ids=incident_ids), id_prefix=id_prefix)
    note = _shown_note(1 if isinstance(incident_ids, str) else len(incident_ids), total)
    return Section(story if note is None else str(_html("paragraph", note, "ddj-note")) + story)


def not_on_map(located: Any) -> Section:
    """A note naming the incidents a locator map could not place, and why (for when none could be placed)."""
    return _html("not_on_map", located.unplaced.select("title", "reason").to_dicts())


def has_counts(comparison: Comparison, incident_id: str) -> bool:
    """Whether a current account of the incident gives a figure for people killed or injured (so its page shows
    the casualty-range chart, :func:`ddj.charts.casualty_ranges`).

    Parameters
    ----------
    comparison : ddj.compare.Comparison
        The dataset's comparison (its accounts say which are current).
    incident_id : str
        The incident.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> has_counts(compare(ddj.load("syria-ru-aviation", warn=False)), "syr-2016-08-01-mi8amtsh")
    True

    Accounts of the Mi-8 shoot-down give the crew's dead, so its page charts the ranges.
    """
    claims = [pl.col(a.columns[0]) == "figure" for a in COMPARED_ATTRIBUTES if a.kind == "count"]
    accounts = comparison.accounts.filter(pl.col("incident_id") == incident_id, pl.col("is_current"))
    return bool(accounts.select(pl.any_horizontal(claims).any()).item()) if accounts.height else False


def no_counts() -> Section:
    """The note an incident page shows where its casualty-range chart would be: no account gives a figure."""
    return _html("paragraph", "No account gives a figure for people killed or injured.", "ddj-note")
