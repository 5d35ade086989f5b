"""Pieces of report pages that notebooks display: facts of an incident, its accounts side by side, a
theatre's incidents. Each returns a :class:`Section` (HTML that Jupyter displays), escaped through
:mod:`ddj.html`, so notebooks stay a few lines per cell and data cannot inject markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from ddj.html import escape, safe_link
from ddj.model import COMPARED_ATTRIBUTES, DATE_PRECISION, LOCATION_PRECISION, NO_CLAIM, NOT_STATED, UNKNOWN

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


def _claim_expr(attribute: Any) -> pl.Expr:
    """A text expression giving one account's claim on an attribute; ``not_stated`` stays a marker."""
    if attribute.kind == "count":
        claim, low, best, high = (pl.col(c) for c in attribute.columns)
        figure = (
            pl.when(low.is_not_null() & high.is_not_null() & (low != high))
            .then(pl.format("{}–{}", low, high)
                  + pl.when(best.is_not_null()).then(pl.format(" (best {})", best)).otherwise(pl.lit("")))
            .otherwise(pl.coalesce(best, low, high).cast(pl.String))
        )
        return pl.when(claim == "figure").then(figure).otherwise(claim)
    if attribute.kind == "place":
        country, place = (pl.col(c) for c in attribute.columns)
        parts = [pl.when(c.is_in(list(NO_CLAIM))).then(None).otherwise(c) for c in (place, country)]
        joined = pl.concat_str(parts, separator=", ", ignore_nulls=True)
        either_unknown = (place == UNKNOWN) | (country == UNKNOWN)
        return (pl.when(joined.is_null() | (joined == ""))
                .then(pl.when(either_unknown).then(pl.lit(UNKNOWN)).otherwise(pl.lit(NOT_STATED)))
                .otherwise(joined))
    return pl.col(attribute.columns[0]).cast(pl.String)


def accounts_side_by_side(ds: Any, incident_id: str) -> Section:
    """Every account of one incident in a column, earliest first: who said it, when, and what it claimed
    on each compared attribute; a dash where the account does not speak to an attribute."""
    _incident(ds, incident_id)
    accounts = (
        ds.accounts.filter(pl.col("incident_id") == incident_id)
        .join(ds.sources.select("source_id", pl.col("name").alias("source_name"), pl.col("kind").alias("source_kind")),
              on="source_id", how="left")
        .sort("published_date", "account_id")
        .with_columns(_claim_expr(a).alias(f"_claim_{a.name}") for a in COMPARED_ATTRIBUTES)
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
        cells = "".join(f"<td>{_claim_cell(r[f'_claim_{attribute.name}'])}</td>" for r in rows)
        body.append(f'<tr><th scope="row">{escape(attribute.label)}</th>{cells}</tr>')
    said = "".join(f"<td>{escape(r['statement'])}</td>" for r in rows)
    links = "".join(f"<td>{_links(r)}</td>" for r in rows)
    if any(r["speaker"] for r in rows):
        speaker = "".join(f"<td>{escape(r['speaker'] or '')}</td>" for r in rows)
        body.append(f'<tr><th scope="row">speaker</th>{speaker}</tr>')
    body += [f'<tr><th scope="row">what it said (our paraphrase)</th>{said}</tr>',
             f'<tr><th scope="row">source</th>{links}</tr>']
    return Section(
        f'<table class="ddj-accounts"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        f'<p class="ddj-note">{_SILENT} the account does not speak to this; "unknown": it says it is not known.</p>'
    )


def _claim_cell(value: Any) -> str:
    if value is None or value == NOT_STATED:
        return _SILENT
    if value == UNKNOWN:
        return "<em>unknown</em>"
    return escape(str(value).replace("_", " "))


def _links(row: dict[str, Any]) -> str:
    parts = []
    if row.get("url"):
        parts.append(safe_link(row["url"], "report"))
    if row.get("archive_url"):
        parts.append(safe_link(row["archive_url"], "archived copy"))
    if row.get("reported_in"):
        parts.append(escape(row["reported_in"]))
    return "<br>".join(parts) or "no link recorded"


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
