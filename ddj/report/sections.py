"""Pieces of report pages that notebooks display: facts of an incident, its accounts side by side, where
officials and others agree or contradict each other, its grade and the cited narrative; a theatre's
incidents, causes by side, contradiction and silence rates and grades; a tally's figures and findings.
Each returns a :class:`Section` (HTML that Jupyter displays), escaped through :mod:`ddj.html`, so
notebooks stay a few lines per cell and data cannot inject markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from ddj.compare.display import account_links, claim_cell, claim_text
from ddj.html import escape
from ddj.model import COMPARED_ATTRIBUTES, DATE_PRECISION, LOCATION_PRECISION

_SILENT = '<span class="ddj-silent" title="the account does not speak to this">—</span>'


@dataclass(frozen=True)
class Section:
    """A piece of a report page: HTML that Jupyter and nbconvert display as it is."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _incident(ds: Any, incident_id: str) -> dict[str, Any]:
    rows = ds.incidents.filter(pl.col("incident_id") == incident_id)
    if rows.height == 0:
        from ddj.errors import UsageError

        msg = f"dataset {ds.name!r} has no incident {incident_id!r}; `ddj params` lists how to choose one"
        raise UsageError(msg)
    return rows.row(0, named=True)


def date_text(start: dt.date | None, end: dt.date | None, precision: int | None = 1) -> str:
    """A date window in words, with how exactly it is known.

    Examples
    --------
    >>> date_text(dt.date(2016, 11, 13), dt.date(2016, 11, 14), 2)
    '13 November 2016 to 14 November 2016 (within 2-6 days)'

    The MiG-29KR was lost on one of two days; the precision code says the window is under a week.
    """
    if start is None:
        return "date not known"
    text = f"{start.day} {start:%B %Y}"
    if end is not None and end != start:
        text += f" to {end.day} {end:%B %Y}"
    if precision and precision != 1:
        text += f" ({DATE_PRECISION.get(precision, f'precision {precision}')})"
    return text


def incident_heading(ds: Any, incident_id: str) -> Section:
    """The incident's title and, under it, when and where, for the top of an incident report."""
    row = _incident(ds, incident_id)
    where = ", ".join(str(v) for v in (row["place"], row["region"], row["country"]) if v)
    return Section(
        f'<h2 class="ddj-title">{escape(row["title"])}</h2>'
        f'<p class="ddj-dek">{escape(date_text(row["date_start"], row["date_end"], row["date_precision"]))}'
        f"{' · ' + escape(where) if where else ''}</p>"
    )


def incident_facts(ds: Any, incident_id: str) -> Section:
    """What happened: dates, place, aircraft, operator, type, related incident, summary and what is uncertain."""
    row = _incident(ds, incident_id)
    place = ", ".join(str(v) for v in (row["place"], row["region"], row["country"]) if v)
    if row["location_precision"]:
        place += f" ({LOCATION_PRECISION.get(row['location_precision'], '')})"
    aircraft = f"{row['aircraft_model']} ({row['aircraft_category']})"
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
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    text = f'<dl class="ddj-facts">{items}</dl><p>{escape(row["summary"])}</p>'
    if row["uncertainty"]:
        text += f'<p class="ddj-uncertain"><strong>What is uncertain:</strong> {escape(row["uncertainty"])}</p>'
    return Section(text)


def accounts_side_by_side(ds: Any, incident_id: str) -> Section:
    """Every account of one incident in a column, earliest first: who said it, when, and what it claimed
    on each compared attribute; a dash where the account does not speak to an attribute."""
    _incident(ds, incident_id)
    accounts = (
        ds.accounts.filter(pl.col("incident_id") == incident_id)
        .join(ds.sources.select("source_id", pl.col("name").alias("source_name"), pl.col("kind").alias("source_kind")),
              on="source_id", how="left")
        .sort("published_date", "account_id")
        .with_columns(claim_text(a, with_best=True).alias(f"_claim_{a.name}") for a in COMPARED_ATTRIBUTES)
    )
    if accounts.height == 0:
        return Section("<p>No account of this incident is recorded.</p>")
    rows = accounts.to_dicts()
    head = "".join(
        f'<th scope="col" class="ddj-{escape(r["side"])}">{escape(r["source_name"] or r["source_id"])}'
        f'<br><small>{escape(r["side"])} · {escape(str(r["source_kind"] or "").replace("_", " "))} · '
        f'{escape(r["published_date"])}</small></th>'
        for r in rows
    )
    body = []
    for attribute in COMPARED_ATTRIBUTES:
        cells = "".join(f"<td>{claim_cell(r[f'_claim_{attribute.name}'], silent=_SILENT)}</td>" for r in rows)
        body.append(f'<tr><th scope="row">{escape(attribute.label)}</th>{cells}</tr>')
    said = "".join(f"<td>{escape(r['statement'])}</td>" for r in rows)
    links = "".join(f"<td>{account_links(r)}</td>" for r in rows)
    if any(r["speaker"] for r in rows):
        speaker = "".join(f"<td>{escape(r['speaker'] or '')}</td>" for r in rows)
        body.append(f'<tr><th scope="row">speaker</th>{speaker}</tr>')
    body += [f'<tr><th scope="row">what it said (our paraphrase)</th>{said}</tr>',
             f'<tr><th scope="row">source</th>{links}</tr>']
    return Section(
        f'<table class="ddj-accounts"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        f'<p class="ddj-note">{_SILENT} the account does not speak to this; "unknown": it says it is not known.</p>'
    )


def select_incidents(ds: Any, *, country: str | None = None, region: str | None = None,
                     date_from: str | None = None, date_to: str | None = None) -> pl.DataFrame:
    """The incidents in a country (and region) whose date window overlaps ``date_from``..``date_to``.

    Examples
    --------
    >>> import ddj
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> select_incidents(ds, country="Syria", date_from="2018-01-01", date_to="2018-12-31").height > 0
    True

    The Syria dataset holds incidents in 2018 (among them the Su-25 and the Il-20 losses).
    """
    frame = ds.incidents
    if country:
        frame = frame.filter(pl.col("country") == country)
    if region:
        frame = frame.filter(pl.col("region") == region)
    if date_from:
        frame = frame.filter(pl.col("date_end") >= dt.date.fromisoformat(date_from))
    if date_to:
        frame = frame.filter(pl.col("date_start") <= dt.date.fromisoformat(date_to))
    return frame.sort("date_start", "incident_id")


def window_summary(frame: pl.DataFrame, *, place: str, date_from: str | None, date_to: str | None) -> Section:
    """One sentence: how many incidents a theatre report covers, where and when."""
    first = frame["date_start"].min() if frame.height else None
    last = frame["date_end"].max() if frame.height else None
    window = f"from {date_from or first} to {date_to or last}"
    return Section(f"<p>{frame.height} incident(s) in {escape(place)}, {escape(window)}.</p>")


def incidents_by_type(frame: pl.DataFrame) -> Section:
    """A table of incidents by event type and year (a count per cell, totals at the right)."""
    if frame.height == 0:
        return Section("<p>No incidents in this selection.</p>")
    counts = (
        frame.with_columns(pl.col("date_start").dt.year().alias("year"))
        .group_by("event_type", "year").len()
        .pivot(on="year", index="event_type", values="len", sort_columns=True)
        .fill_null(0)
    )
    years = [c for c in counts.columns if c != "event_type"]
    counts = counts.with_columns(pl.sum_horizontal(years).alias("total")).sort("total", "event_type", descending=[True, False])
    head = "".join(f"<th>{escape(c)}</th>" for c in ["event type", *years, "total"])
    body = "".join(
        "<tr>" + f"<th scope=\"row\">{escape(str(r['event_type']).replace('_', ' '))}</th>"
        + "".join(f"<td>{r[y]}</td>" for y in years) + f"<td>{r['total']}</td></tr>"
        for r in counts.iter_rows(named=True)
    )
    return Section(f'<table class="ddj-by-type"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def incident_list(frame: pl.DataFrame) -> Section:
    """A table of the selected incidents: date, title, place, aircraft and event type."""
    if frame.height == 0:
        return Section("<p>No incidents in this selection.</p>")
    body = "".join(
        "<tr>"
        f"<td>{escape(date_text(r['date_start'], r['date_end'], r['date_precision']))}</td>"
        f"<td>{escape(r['title'])}</td>"
        f"<td>{escape(', '.join(str(v) for v in (r['place'], r['region']) if v))}</td>"
        f"<td>{escape(r['aircraft_model'])}</td>"
        f"<td>{escape(str(r['event_type']).replace('_', ' '))}</td>"
        "</tr>"
        for r in frame.iter_rows(named=True)
    )
    head = "<tr><th>when</th><th>incident</th><th>where</th><th>aircraft</th><th>event</th></tr>"
    return Section(f'<table class="ddj-incidents"><thead>{head}</thead><tbody>{body}</tbody></table>')


def data_caveats(ds: Any) -> Section:
    """The dataset's caveats (what to know that does not make it invalid), one per line, or a note that it has none."""
    if not ds.caveats:
        return Section("<p>The dataset reports no caveats.</p>")
    items = "".join(f"<li>{escape(c.message)}</li>" for c in ds.caveats)
    return Section(f'<ul class="ddj-caveats">{items}</ul>')


# --- tallies -------------------------------------------------------------------------------------


def table(frame: pl.DataFrame, labels: dict[str, str] | None = None, *, css_class: str = "ddj-table") -> Section:
    """A frame as an HTML table: ``labels`` picks and names the columns (all, as named, by default).

    Numbers with a fraction are shown to two decimals; missing values as a dash; everything escaped.

    Examples
    --------
    >>> str(table(pl.DataFrame({"a": ["<b>"], "r": [1.2345]}), {"a": "name", "r": "ratio"}))
    '<table class="ddj-table"><thead><tr><th>name</th><th>ratio</th></tr></thead><tbody><tr><td>&lt;b&gt;</td><td>1.23</td></tr></tbody></table>'

    The tag in the data is shown as text and the ratio is rounded for reading.
    """
    labels = labels or {c: c for c in frame.columns}
    shown = frame.select(
        pl.when(pl.col(c).is_null()).then(pl.lit("—")).otherwise(
            pl.col(c).round(2).cast(pl.String) if frame.schema[c].is_float() else pl.col(c).cast(pl.String)
        ).alias(c)
        for c in labels
    )
    head = "".join(f"<th>{escape(label)}</th>" for label in labels.values())
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in shown.iter_rows())
    return Section(f'<table class="{escape(css_class)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def tally_latest(ds: Any, categories: list[str] | None = None) -> Section:
    """Each category's latest official claim against the documented count on that day, with ratio and gap."""
    import ddj.tally

    latest = ddj.tally(ds, categories=categories)
    return table(latest, {"category": "category", "official": "official claim", "official_as_of": "claimed by",
                          "documented": "documented", "documented_as_of": "documented by", "ratio": "ratio",
                          "difference": "difference", "revisions": "official revisions"})


def tally_crossings(series: pl.DataFrame) -> Section:
    """The first day each category's official claim reached 1.5, 2, 3... times the documented count."""
    import ddj.tally

    crossings = ddj.tally.threshold_crossings(series).filter(pl.col("first_date").is_not_null())
    if crossings.height == 0:
        return Section("<p>No official claim reached a multiple of the documented count.</p>")
    return table(crossings, {"category": "category", "threshold": "times the documented count",
                             "first_date": "first reached on", "official": "official claim",
                             "documented": "documented"})


def tally_revisions(series: pl.DataFrame) -> Section:
    """The days officials corrected a running total, and by how much."""
    revised = series.filter(pl.col("revision").is_not_null()).sort("date", "category")
    if revised.height == 0:
        return Section("<p>The officials made no correction to these categories.</p>")
    return table(revised, {"date": "date", "category": "category", "revision": "correction",
                           "official": "official claim after it"})


def tally_findings(ds: Any) -> Section:
    """What the build found in the raw files, by rule: how often, and the first instance in words."""
    findings = ds.table("findings")
    if findings.height == 0:
        return Section("<p>The build found nothing to report in the raw files.</p>")
    summary = (findings.group_by("rule", maintain_order=True)
               .agg(pl.len().alias("count"), pl.col("detail").first().alias("example"))
               .sort("count", "rule", descending=[True, False]))
    return table(summary, {"rule": "finding", "count": "rows", "example": "first instance"})


# --- the comparison: an incident's discrepancies and grade ----------------------------------------

#: What each grade says about an incident, in words for the page (the rules are in :mod:`ddj.compare.grades`).
GRADE_MEANINGS = {
    "confirmed": ("the operator gave its version, an account independent of it agrees on a point both speak to, "
                  "and no account contradicts it"),
    "fair": "two or more independent sources report it and agree; the operator gave no version",
    "uncorroborated": "official account only, not independently corroborated: nothing else backs or contradicts it",
    "weak": "a single independent source reports it, or the sources disagree with one another",
    "contested": "officials and other accounts contradict each other and neither side concedes",
    "discounted": ("other accounts contradict the operator, but on the disputed point more than twice as many "
                   "independent sources (at least two) support the operator"),
}
_SOFT = "#f6f6f3"


def _swatch(colour: str) -> str:
    return (f'<span aria-hidden="true" style="display:inline-block;width:.8em;height:.8em;margin-right:.35em;'
            f'vertical-align:-.05em;border:1px solid #555;background:{colour}"></span>')


def _status_words(status: str) -> str:
    """A status in words with its colour swatch (the colours and words of the charts' legends)."""
    from ddj.charts.theme import STATUS_COLOURS, STATUS_LABELS

    return _swatch(STATUS_COLOURS.get(status, "#ffffff")) + escape(STATUS_LABELS.get(status, status.replace("_", " ")))


def _values_text(attribute: str, values: list[str] | None) -> str:
    from ddj.narrative.wording import readable_value

    return "; ".join(readable_value(attribute, v) for v in values or [])


def _source_names(ds: Any, account_ids: list[str] | None) -> str:
    """The sources of some accounts, by name, in order of first appearance and without repeats."""
    if not account_ids:
        return ""
    names = (
        pl.DataFrame({"account_id": list(account_ids)}, schema={"account_id": pl.String})
        .join(ds.accounts.select("account_id", "source_id"), on="account_id", how="left", maintain_order="left")
        .join(ds.sources.select("source_id", "name"), on="source_id", how="left", maintain_order="left")
        .select(pl.coalesce("name", "source_id", "account_id").unique(maintain_order=True))
        .to_series().to_list()
    )
    return "; ".join(str(n) for n in names)


def _one_incident(comparison: Any, incident_id: str) -> dict[str, Any]:
    rows = comparison.incidents.filter(pl.col("incident_id") == incident_id)
    if rows.height == 0:
        from ddj.errors import UsageError

        msg = f"the comparison has no incident {incident_id!r}; compare the dataset the report loads"
        raise UsageError(msg)
    return rows.row(0, named=True)


def discrepancy_table(ds: Any, comparison: Any, incident_id: str) -> Section:
    """Where officials and other accounts agree, contradict or stay silent on one incident, attribute by attribute.

    One row per compared attribute: what the current official accounts claim and who says it, what
    the other accounts claim and who says it, how many independent origins those come from, and the
    status in words. A sentence above counts the contradictions; below, a table lists every official
    account that replaced an earlier one with a different claim.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> html = str(discrepancy_table(ds, compare(ds), "syr-2021-02-28-mi35"))
    >>> "<td>a technical failure<br><small>Russian Center for Reconciliation" in html
    True

    Officials gave the Mi-35's cause as a technical failure, and the table names who said so.
    """
    _incident(ds, incident_id)
    row = _one_incident(comparison, incident_id)
    attributes = comparison.attributes.filter(pl.col("incident_id") == incident_id)
    body = []
    for r in attributes.iter_rows(named=True):
        cells = []
        for side in ("official", "unofficial"):
            values = _values_text(r["attribute"], r[f"{side}_values"])
            who = _source_names(ds, r[f"{side}_account_ids"])
            cells.append(f"<td>{escape(values)}<br><small>{escape(who)}</small></td>" if values
                         else f"<td>{_SILENT}</td>")
        origins = r["n_unofficial_origins"] if r["unofficial_values"] else ""
        body.append(f'<tr><th scope="row">{escape(r["label"])}</th>{"".join(cells)}<td>{origins}</td>'
                    f"<td>{_status_words(r['status'])}</td></tr>")
    head = ("<tr><th>attribute</th><th>officials say</th><th>other accounts say</th>"
            "<th>independent sources</th><th>how they compare</th></tr>")
    return Section(f"<p>{escape(_discrepancy_lead(row, attributes))}</p>"
                   f'<table class="ddj-discrepancies"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'
                   f'<p class="ddj-note">Only current accounts are compared (an account its source later replaced is '
                   f"left out). {_SILENT} no current account on that side claims a value.</p>"
                   + _changes(ds, comparison, incident_id))


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
        reported = labels("official_silent")
        return ("The operator has never spoken of this incident" +
                (f"; other accounts report the {reported}." if reported else "."))
    contradicted = labels("contradict")
    text = (f"Officials and other accounts contradict each other on the {contradicted}." if contradicted
            else "Officials and other accounts contradict each other on nothing compared.")
    silent = labels("unofficial_only")
    if silent:
        text += f" Officials say nothing about the {silent}, which other accounts report."
    return text


def _changes(ds: Any, comparison: Any, incident_id: str) -> str:
    changes = comparison.changes.filter(pl.col("incident_id") == incident_id)
    if changes.height == 0:
        return ""
    labels = {a.name: a.label for a in COMPARED_ATTRIBUTES}
    rows = changes.join(ds.sources.select("source_id", "name"), on="source_id", how="left").sort(
        "to_date", "source_id", "attribute")
    body = "".join(
        "<tr>"
        f"<td>{escape(r['name'] or r['source_id'])}</td><td>{escape(labels.get(r['attribute'], r['attribute']))}</td>"
        f"<td>{escape(_values_text(r['attribute'], [r['from_value']]))} ({escape(r['from_date'])})</td>"
        f"<td>{escape(_values_text(r['attribute'], [r['to_value']]))} ({escape(r['to_date'])})</td>"
        "</tr>"
        for r in rows.iter_rows(named=True)
    )
    return ("<p>Officials changed their account:</p>"
            '<table class="ddj-changes"><thead><tr><th>source</th><th>attribute</th><th>first said</th>'
            f"<th>later said</th></tr></thead><tbody>{body}</tbody></table>")


def _override_text(row: dict[str, Any]) -> str:
    """The editor's decision on a grade: who, when, which override row, and why."""
    return (f"Set to {escape(row['grade'])} by {escape(row['override_editor'])} on {escape(row['override_date'])} "
            f"(override {escape(row['override_id'])}). Reason: {escape(row['override_reason'])}")


def grade_box(comparison: Any, incident_id: str) -> Section:
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
    parts = [
        f'<p style="font-size:1.15rem;margin:0 0 .4rem">{_swatch(GRADE_COLOURS.get(grade, "#ffffff"))}'
        f"<strong>Grade: {escape(grade)}</strong> — {escape(GRADE_MEANINGS.get(grade, ''))}.</p>",
    ]
    if row["grade_overridden"]:
        parts.append(f'<p class="ddj-override"><strong>An editor set this grade.</strong> {_override_text(row)}</p>')
        parts.append(f"<p>The rules give <strong>{escape(row['computed_grade'])}</strong>. "
                     f"{escape(row['computed_grade_reason'])}</p>")
    else:
        parts.append(f"<p>Why: {escape(row['computed_grade_reason'])}</p>")
    parts.append(f"<p>{escape(_acknowledgement_words(row))}</p>")
    colour = GRADE_COLOURS.get(grade, "#999999")
    return Section(f'<div class="ddj-grade" style="border-left:6px solid {colour};background:{_SOFT};'
                   f'padding:.6rem 1rem;margin:.75rem 0">{"".join(parts)}</div>')


def _acknowledgement_words(row: dict[str, Any]) -> str:
    from ddj.narrative.wording import long_date

    first_other = row["first_unofficial_date"]
    if not row["acknowledged"]:
        text = "The operator has never acknowledged the incident"
        return text + (f"; other sources first reported it on {long_date(first_other)}." if first_other else ".")
    days = row["days_to_official"]
    when = "the day it began" if days == 0 else f"{_days(days)} {'after' if days > 0 else 'before'} it began"
    text = f"The operator's first official account came on {long_date(row['first_official_date'])}, {when}"
    gap = row["days_unofficial_to_official"]
    if first_other is not None and gap is not None:
        text += (", the same day as the first other report" if gap == 0 else
                 f", {_days(gap)} {'after' if gap > 0 else 'before'} the first other report")
    text += "."
    if row["official_changed"]:
        text += " An official source later changed its account."
    return text


def _days(n: int) -> str:
    return f"{abs(n)} day{'' if abs(n) == 1 else 's'}"


def narrative_section(ds: Any, comparison: Any, incident_ids: list[str] | str, *, id_prefix: str = "story") -> Section:
    """The cited narrative of one or more incidents (:func:`ddj.narrative.narrative`) with its numbered footnotes.

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
        return Section("<p>No incidents in this selection.</p>")
    return Section(render_html(narrative(ds, comparison, incident_ids=incident_ids), id_prefix=id_prefix))


def not_on_map(located: Any) -> Section:
    """A note naming the incidents a locator map could not place, and why (for when none could be placed)."""
    items = "".join(f"<li>{escape(r['title'])}: {escape(r['reason'])}</li>"
                    for r in located.unplaced.iter_rows(named=True))
    return Section(f'<p>Not on a map: the place is not known precisely enough to draw.</p><ul class="ddj-unplaced">'
                   f"{items}</ul>")


# --- the comparison over a theatre -----------------------------------------------------------------


def _selected(comparison: Any, incidents: pl.DataFrame) -> pl.DataFrame:
    """The comparison's incident rows for the selected incidents, with their date, year and title."""
    return incidents.select("incident_id", "title", "date_start", "date_end", "date_precision",
                            pl.col("date_start").dt.year().alias("year")).join(
        comparison.incidents, on="incident_id", how="left", maintain_order="left")


def _share(part: str, whole: str = "incidents") -> pl.Expr:
    return pl.when(pl.col(whole) > 0).then(
        pl.format("{} ({}%)", pl.col(part), (100 * pl.col(part) / pl.col(whole)).round(0).cast(pl.Int64))
    ).otherwise(pl.col(part).cast(pl.String))


def causes(comparison: Any, incidents: pl.DataFrame) -> Section:
    """Official against unofficial causes over the selected incidents.

    Three parts: how many incidents each side gives each cause (an incident counts once per cause
    its accounts on that side give); how the sides compare on the cause (incidents per status); and
    the incidents where the causes differ or only others give one, with both sides' causes.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> html = str(causes(compare(ds), ds.incidents))
    >>> "<tr><th scope=\\"row\\">technical failure</th>" in html
    True

    Technical failure is one of the causes the accounts give, counted for each side.
    """
    if incidents.height == 0:
        return Section("<p>No incidents in this selection.</p>")
    from ddj.charts.theme import STATUS_LABELS
    from ddj.model import CAUSES

    cause = comparison.attributes.filter(pl.col("attribute") == "cause").join(
        incidents.select("incident_id"), on="incident_id", how="semi")
    order = {c: i for i, c in enumerate(CAUSES)}
    sides = {"official": "official_values", "unofficial": "unofficial_values"}
    counts = None
    for side, column in sides.items():
        given = (cause.select("incident_id", pl.col(column).cast(pl.List(pl.String)).alias("cause"))  # Enums
                 .explode("cause").drop_nulls("cause")
                 .group_by("cause").agg(pl.col("incident_id").n_unique().alias(side)))
        counts = given if counts is None else counts.join(given, on="cause", how="full", coalesce=True)
    counts = counts.fill_null(0).with_columns(
        pl.col("cause").replace_strict(order, default=len(order), return_dtype=pl.Int64).alias("_order")
    ).sort("_order", "cause")
    none_given = {side: cause.filter(pl.col(column).list.len() == 0).height for side, column in sides.items()}
    body = "".join(
        f'<tr><th scope="row">{escape(str(r["cause"]).replace("_", " "))}</th><td>{r["official"]}</td>'
        f'<td>{r["unofficial"]}</td></tr>'
        for r in counts.iter_rows(named=True)
    ) + (f'<tr><th scope="row"><em>no cause given</em></th><td>{none_given["official"]}</td>'
         f'<td>{none_given["unofficial"]}</td></tr>')
    table_html = (f'<table class="ddj-causes"><thead><tr><th>cause</th><th>incidents officials gave it</th>'
                  f"<th>incidents other accounts gave it</th></tr></thead><tbody>{body}</tbody></table>")
    statuses = cause.group_by("status").len()
    status_rows = "".join(
        f"<tr><td>{_status_words(s)}</td><td>{n}</td></tr>"
        for s, n in sorted(statuses.iter_rows(), key=lambda item: list(STATUS_LABELS).index(item[0]))
    )
    status_html = (f'<table class="ddj-cause-status"><thead><tr><th>on the cause</th><th>incidents</th></tr></thead>'
                   f"<tbody>{status_rows}</tbody></table>")
    disputed = (
        cause.filter(pl.col("status").is_in(["contradict", "official_silent", "unofficial_only"]))
        .join(incidents.select("incident_id", "title", "date_start"), on="incident_id", how="left")
        .sort("date_start", "incident_id")
    )
    if disputed.height:
        rows = "".join(
            f"<tr><td>{escape(r['title'])}</td>"
            f"<td>{escape(_values_text('cause', r['official_values'])) or _SILENT}</td>"
            f"<td>{escape(_values_text('cause', r['unofficial_values'])) or _SILENT}</td>"
            f"<td>{_status_words(r['status'])}</td></tr>"
            for r in disputed.iter_rows(named=True)
        )
        disputes = ("<p>Where the causes differ, or only other accounts give one:</p>"
                    '<table class="ddj-cause-disputes"><thead><tr><th>incident</th><th>officials say</th>'
                    f"<th>other accounts say</th><th>how they compare</th></tr></thead><tbody>{rows}</tbody></table>")
    else:
        disputes = "<p>In no selected incident do the causes differ, or do only other accounts give one.</p>"
    return Section(table_html + status_html + disputes)


def rates_by_year(comparison: Any, incidents: pl.DataFrame) -> Section:
    """Contradiction and silence rates per year of the incidents' first day, with a row for all years.

    Per year: incidents; those where officials and other accounts contradict each other on at least
    one attribute; those the operator never acknowledged (no official account at all); those where
    officials spoke but say nothing about something other accounts report; and the median days from
    the incident to the first official account.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> html = str(rates_by_year(compare(ds), ds.incidents))
    >>> '<tr><th scope="row">all years</th><td>20</td>' in html
    True

    The last row counts all twenty incidents of the Syria dataset.
    """
    if incidents.height == 0:
        return Section("<p>No incidents in this selection.</p>")
    frame = _selected(comparison, incidents)
    aggregates = (
        pl.len().alias("incidents"),
        (pl.col("n_contradict") > 0).sum().alias("contradicted"),
        (~pl.col("acknowledged")).sum().alias("never"),
        (pl.col("n_unofficial_only") > 0).sum().alias("silent"),
        pl.col("days_to_official").median().alias("days"),
    )
    per_year = frame.group_by("year").agg(*aggregates).sort("year").with_columns(pl.col("year").cast(pl.String))
    total = frame.select(pl.lit("all years").alias("year"), *aggregates)
    shown = pl.concat([per_year, total], how="vertical_relaxed").with_columns(
        _share("contradicted"), _share("never"), _share("silent"),
        pl.col("days").round(0).cast(pl.Int64).cast(pl.String).fill_null("—"),
    )
    head = ("<tr><th>year</th><th>incidents</th><th>officials and others contradict each other</th>"
            "<th>never acknowledged by the operator</th><th>officials silent on a point others report</th>"
            "<th>median days to the first official account</th></tr>")
    body = "".join(
        f'<tr><th scope="row">{escape(r["year"])}</th><td>{r["incidents"]}</td><td>{escape(r["contradicted"])}</td>'
        f'<td>{escape(r["never"])}</td><td>{escape(r["silent"])}</td><td>{escape(r["days"])}</td></tr>'
        for r in shown.iter_rows(named=True)
    )
    return Section(f'<table class="ddj-rates"><thead>{head}</thead><tbody>{body}</tbody></table>'
                   '<p class="ddj-note">An incident counts once per column however many attributes it concerns; '
                   "shares are of the year's incidents.</p>")


def grades_table(comparison: Any, incidents: pl.DataFrame) -> Section:
    """The grades of the selected incidents: how many of each, what each means, and each incident's grade and
    reason, with the editor, date and reason wherever an editor overrode the grade.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> html = str(grades_table(compare(ds), ds.incidents))
    >>> "No grade here was set by an editor." in html
    True

    The Syria dataset holds no editor's override of a grade, and the table says so.
    """
    if incidents.height == 0:
        return Section("<p>No incidents in this selection.</p>")
    from ddj.charts.theme import GRADE_COLOURS
    from ddj.model import GRADES

    frame = _selected(comparison, incidents).sort("date_start", "incident_id")
    counts = dict(frame.group_by("grade").len().iter_rows())
    summary = "".join(
        f'<tr><th scope="row">{_swatch(GRADE_COLOURS[g])}{escape(g)}</th><td>{counts.get(g, 0)}</td>'
        f"<td>{escape(GRADE_MEANINGS[g])}</td></tr>"
        for g in GRADES
    )
    rows = []
    for r in frame.iter_rows(named=True):
        why = escape(r["computed_grade_reason"])
        if r["grade_overridden"]:
            why = (f"<strong>An editor set this grade.</strong> {_override_text(r)}<br>"
                   f"The rules give {escape(r['computed_grade'])}: {why}")
        rows.append(f"<tr><td>{escape(date_text(r['date_start'], r['date_end'], r['date_precision']))}</td>"
                    f"<td>{escape(r['title'])}</td><td>{escape(r['grade'])}</td><td>{why}</td></tr>")
    overridden = int(frame["grade_overridden"].fill_null(False).sum())
    note = (f"{overridden} grade(s) here were set by an editor; the editor, date and reason are shown beside each."
            if overridden else "No grade here was set by an editor.")
    return Section(
        f'<table class="ddj-grade-counts"><thead><tr><th>grade</th><th>incidents</th><th>what it means</th></tr>'
        f"</thead><tbody>{summary}</tbody></table>"
        f'<table class="ddj-grades"><thead><tr><th>when</th><th>incident</th><th>grade</th><th>why</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table><p class="ddj-note">{escape(note)}</p>'
    )
