"""Pieces of report pages that notebooks display: facts of an incident, its accounts side by side, where
officials and others agree or contradict each other, its grade and the cited narrative; a theatre's
incidents, causes by side, contradiction and silence rates and grades; a tally's figures and findings.
Each returns a :class:`Section` (HTML that Jupyter displays), escaped through :mod:`ddj.html`, so
notebooks stay a few lines per cell and data cannot inject markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ddj._scalars import date_value
from ddj.compare import Comparison
from ddj.compare.display import account_links, claim_cell, claim_text
from ddj.datasets import Dataset
from ddj.model import COMPARED_ATTRIBUTES, DATE_PRECISION, LOCATION_PRECISION
from ddj.narrative.plain import plain_words
from ddj.report.pages.handoff import FINDER_SCRIPT, PAGE_MIME, SCRIPTS_MIME
from ddj.report.pages.templating import Markup, macro

_FRAGMENTS = "sections.frag.j2"


def _html(name: str, /, *args: Any, **kwargs: Any) -> Section:
    """The section the macro ``name`` of ``sections.frag.j2`` renders (everything escaped but Markup)."""
    return Section(str(macro(_FRAGMENTS, name, *args, **kwargs)))


def _silent() -> str:
    """The dash shown where an account does not speak to an attribute (HTML, for ddj.compare.display)."""
    return str(macro(_FRAGMENTS, "silent"))


@dataclass(frozen=True)
class Section:
    """A piece of a report page: HTML that Jupyter and nbconvert display as it is."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _incident(ds: Dataset, incident_id: str) -> dict[str, Any]:
    rows = ds.incidents.filter(pl.col("incident_id") == incident_id)
    if rows.height == 0:
        from ddj.errors import NotFoundError

        msg = f"dataset {ds.name!r} has no incident {incident_id!r}; `ddj params` lists how to choose one"
        raise NotFoundError(msg)
    return rows.row(0, named=True)


def date_text(start: dt.date | None, end: dt.date | None, precision: int | None = 1) -> str:
    """A date window in words, with how exactly it is known.

    Parameters
    ----------
    start, end : datetime.date or None
        The incident's first and last possible day; no ``start`` gives "date not known", no ``end`` (or the
        same day) one date.
    precision : int or None, default 1
        The incident's ``date_precision`` code (:data:`ddj.model.DATE_PRECISION`, 1 exact day to 5 within a
        year), said in brackets unless it is 1 or missing.

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


def select_incidents(
    ds: Dataset,
    *,
    country: str | None = None,
    region: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> pl.DataFrame:
    """The incidents in a country (and region) whose date window overlaps ``date_from``..``date_to``.

    Parameters
    ----------
    ds : ddj.Dataset
        The incident dataset.
    country : str, optional
        Keep incidents in this country, as the ``country`` column spells it; any country when None.
    region : str, optional
        Keep incidents in this region (``region`` column); any region when None.
    date_from, date_to : str, optional
        The first and last day of the window, ``YYYY-MM-DD``; an incident counts when its window
        ``date_start``..``date_end`` overlaps it. Open-ended when None.

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


def window_summary(
    frame: pl.DataFrame, *, place: str, date_from: str | None, date_to: str | None, filters: str = ""
) -> Section:
    """The page's first sentence: how many incidents a theatre report covers, where and when, and the
    filter that selected them (a filtered report says so first, not only in its methods box).

    Parameters
    ----------
    frame : polars.DataFrame
        The selected incidents, with ``date_start`` and ``date_end``.
    place : str
        The theatre as the sentence names it ("Syria").
    date_from, date_to : str or None
        The report's window, ``YYYY-MM-DD``; when None the first (last) incident's day is said instead.
    filters : str, default ""
        The report's filters as :meth:`ddj.filters.FilterSpec.to_json` writes them; none when empty.

    Examples
    --------
    >>> import ddj
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> one = select_incidents(ds, country="Syria").head(1)
    >>> str(window_summary(one, place="Syria", date_from=None, date_to=None, filters='{"statuses": ["contradict"]}'))
    '<p>Filtered to status: official and other accounts contradict: 1 incident in Syria, on 24 November 2015.</p>'

    The filter comes first, in words (not the status code), and one incident is one, not "1 incident(s)".
    """
    from ddj.filters import FilterSpec
    from ddj.narrative.wording import long_date

    first = date_value(frame["date_start"].min())
    last = date_value(frame["date_end"].max())

    def day(text: str | None, fallback: dt.date | None) -> str:
        value = dt.date.fromisoformat(text) if text else fallback
        return long_date(value) if value else "the first incident"

    count = f"{frame.height} incident{'' if frame.height == 1 else 's'}"
    since, until = day(date_from, first), day(date_to, last)
    sentence = f"{count} in {place}, " + (f"on {since}." if since == until else f"from {since} to {until}.")
    spec = FilterSpec.from_json(filters) if filters else None
    if spec is not None and spec.active():
        from ddj.filters import value_words

        sentence = f"Filtered to {spec.describe(value_words)}: {sentence}"
    return _html("paragraph", sentence)


def incidents_by_type(frame: pl.DataFrame) -> Section:
    """A table of incidents by event type and year (a count per cell, totals at the right)."""
    if frame.height == 0:
        return _html("paragraph", "No incidents in this selection.")
    counts = (
        frame.with_columns(pl.col("date_start").dt.year().alias("year"))
        .group_by("event_type", "year")
        .len()
        .pivot(on="year", index="event_type", values="len", sort_columns=True)
        .fill_null(0)
    )
    years = [c for c in counts.columns if c != "event_type"]
    counts = counts.with_columns(pl.sum_horizontal(years).alias("total")).sort(
        "total", "event_type", descending=[True, False]
    )
    rows = [
        (str(r["event_type"]).replace("_", " "), [*(r[y] for y in years), r["total"]])
        for r in counts.iter_rows(named=True)
    ]
    return _html("by_type", ["event type", *years, "total"], rows)


def incident_list(frame: pl.DataFrame, *, link: str | None = None, total: int | None = None) -> Section:
    """A table of the selected incidents: date, title, place, aircraft and event type; with ``link`` (a pattern
    such as :data:`INCIDENT_PAGE`) each title links to the incident's page. With ``total`` above the rows
    ``frame`` holds (the :func:`top_incidents` of a big selection), a note first says how many it shows, of how
    many, chosen how, and where the full list is.

    Parameters
    ----------
    frame : polars.DataFrame
        The incidents to list, in order, with the dataset's incident columns.
    link : str, optional
        As above: a pattern with ``{incident_id}``; no links when None.
    total : int, optional
        As above: the size of the whole selection, when ``frame`` holds only some of it.
    """
    if frame.height == 0:
        return _html("paragraph", "No incidents in this selection.")
    rows = [
        {
            "when": date_text(r["date_start"], r["date_end"], r["date_precision"]),
            "href": _page_href(link, r["incident_id"]),
            "title": r["title"],
            "where": ", ".join(str(v) for v in (r["place"], r["region"]) if v),
            "aircraft": r["aircraft_model"],
            "event": str(r["event_type"]).replace("_", " "),
        }
        for r in frame.iter_rows(named=True)
    ]
    return _html("incident_list", rows, _shown_note(frame.height, total))


def data_caveats(ds: Dataset, incident_ids: list[str] | None = None) -> Section:
    """The dataset's caveats (what to know that does not make it invalid), one per line, or a note that it has
    none. With ``incident_ids``, the caveats about incidents and accounts are those of these incidents only (a
    filtered report does not warn about incidents it does not show); caveats about the dataset as a whole stay.

    Examples
    --------
    >>> import ddj
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> "retaliation" in str(data_caveats(ds)), "retaliation" in str(data_caveats(ds, ["syr-2021-02-28-mi35"]))
    (True, False)
    """
    caveats = list(ds.caveats)
    if incident_ids is not None and ds.kind == "incidents":
        from ddj.datasets.incident_rules import incident_caveats

        keep = pl.col("incident_id").is_in(list(incident_ids))
        scoped = {"incidents": ds.incidents.filter(keep), "accounts": ds.accounts.filter(keep)}
        per_row = {f"{ds.name}/incidents.csv", f"{ds.name}/accounts.csv"}
        caveats = [
            *incident_caveats(scoped, {name: f"{ds.name}/{Path(path).name}" for name, path in ds.files.items()}),
            *(c for c in caveats if c.file not in per_row and not c.file.endswith(("/incidents.csv", "/accounts.csv"))),
        ]
    if not caveats:
        return _html(
            "paragraph",
            "The dataset reports no caveats for these incidents."
            if incident_ids is not None
            else "The dataset reports no caveats.",
        )
    return _html("caveats", [c.message for c in caveats])


# --- tallies -------------------------------------------------------------------------------------


def table(frame: pl.DataFrame, labels: dict[str, str] | None = None, *, css_class: str = "ddj-table") -> Section:
    r"""A frame as an HTML table: ``labels`` picks and names the columns (all, as named, by default).

    Numbers with a fraction are shown to two decimals; missing values as a dash; everything escaped.

    Parameters
    ----------
    frame : polars.DataFrame
        The rows to show, in order.
    labels : dict of str to str, optional
        The columns to show, in order, each with its heading; every column under its own name when None.
    css_class : str, default "ddj-table"
        The table's ``class`` attribute.

    Examples
    --------
    >>> html = str(table(pl.DataFrame({"a": ["<b>"], "r": [1.2345]}), {"a": "name", "r": "ratio"}))
    >>> print(html.replace("<tbody>", "\n<tbody>"))
    <table class="ddj-table"><thead><tr><th>name</th><th>ratio</th></tr></thead>
    <tbody><tr><td>&lt;b&gt;</td><td>1.23</td></tr></tbody></table>

    The tag in the data is shown as text and the ratio is rounded for reading.
    """
    labels = labels or {c: c for c in frame.columns}
    shown = frame.select(
        pl.when(pl.col(c).is_null())
        .then(pl.lit("—"))
        .otherwise(pl.col(c).round(2).cast(pl.String) if frame.schema[c].is_float() else pl.col(c).cast(pl.String))
        .alias(c)
        for c in labels
    )
    return _html("table", list(labels.values()), list(shown.iter_rows()), css_class)


def tally_latest(ds: Dataset, categories: list[str] | None = None) -> Section:
    """Each category's figures on the last day both sides cover, the official side's later claims apart.

    The first table sets the official claim against the documented count of the same date, with ratio and
    difference; documented items without a date are counted apart in a table of their own (never dropped); the
    next lists the official figures after the documented side stops, with no ratio; the source line under them
    names both sides and their licences (:func:`ddj.tally.source_line`). The words for what is counted come from
    the dataset's ``ddj.unit`` (:func:`ddj.tally.unit`).
    """
    import ddj.tally
    from ddj.tally.sources import attribution, source_line

    def _tally_day(day: dt.date) -> str:
        return f"{day.day} {day:%B %Y}"

    sides = attribution(ds)
    words = ddj.tally.unit(ds)
    official, documented = sides["official"], sides["documented"]
    claim = f"{official.name} claim" if official.named else "official claim"
    counted = f"documented by {documented.name}" if documented.named else "documented"
    cover = ddj.tally.coverage(ds)
    common = cover["common_to"]
    if common is None:
        return _html("paragraph", "No day has both an official claim and a documented count to compare.")
    latest = ddj.tally.tally(ds, as_of=common, categories=categories)
    labels = {
        "category": "category",
        "official": claim,
        "documented": counted,
        "ratio": "ratio",
        "difference": "difference",
        "revisions": "official revisions by then",
    }
    if latest.filter(pl.col("official_as_of") != common).height:
        labels = {
            "category": "category",
            "official_as_of": "figures of",
            **{k: v for k, v in labels.items() if k != "category"},
        }
    parts: list[tuple[str, Any]] = [
        (
            "p",
            (
                f"As of {_tally_day(common)}, the last day both {official.phrase} and {documented.phrase} cover: "
                f"each claim against the count of {words.noun} documented {words.evidence} on the same day "
                "(a minimum), with their ratio and difference."
            ),
        ),
        ("html", Markup(table(latest, labels))),
    ]
    undated = ddj.tally.undated(ds)
    if undated.height:
        parts.append(
            (
                "p",
                f"Documented {words.noun} without a date: {undated['items'].sum():,}. No count above includes "
                "them; they are counted apart here, not dropped.",
            )
        )
        parts.append(
            (
                "html",
                Markup(
                    table(
                        undated.with_columns(pl.col("category").fill_null("(no category)")),
                        {"category": "category", "status": "status", "items": f"{words.noun} without a date"},
                    )
                ),
            )
        )
    later = (
        ddj.tally.tally(ds, categories=categories)
        .filter(pl.col("official_as_of") > common)
        .join(latest.select("category", pl.col("official").alias("_then")), on="category", how="left")
        .with_columns((pl.col("official") - pl.col("_then")).alias("rise"))
    )
    if later.height:
        last = date_value(later["official_as_of"].max())
        assert last is not None  # later has rows
        parts.append(
            (
                "html",
                macro(
                    _FRAGMENTS, "later_claims", official.phrase, documented.phrase, _tally_day(common), _tally_day(last)
                ),
            )
        )
        parts.append(
            (
                "html",
                Markup(
                    table(
                        later,
                        {
                            "category": "category",
                            "official": claim,
                            "official_as_of": "claimed on",
                            "rise": f"rise since {_tally_day(common)}",
                        },
                    )
                ),
            )
        )
    parts.append(("source", source_line(ds)))
    return _html("parts", parts)


def tally_crossings(series: pl.DataFrame, ds: Dataset | None = None) -> Section:
    """The day each category's official claim crossed 1.5, 2, 3... times the documented count.

    Only days both figures are current count; a ratio already past a threshold on the first day compared is
    listed apart, as where the comparison starts, not as a crossing. With ``ds`` the sides are named.
    """
    import ddj.tally
    from ddj.tally.sources import attribution

    def _tally_day(day: dt.date) -> str:
        return f"{day.day} {day:%B %Y}"

    sides = attribution(ds) if ds is not None else {}
    official, documented = sides.get("official"), sides.get("documented")
    claim = f"{official.name} claim" if official and official.named else "official claim"
    counted = f"documented by {documented.name}" if documented and documented.named else "documented"
    crossings = ddj.tally.threshold_crossings(series)
    spans = crossings.drop_nulls("compared_from")
    if spans.height == 0:
        return _html("paragraph", "No day has both an official claim and a documented count to compare.")
    start, end = date_value(spans["compared_from"].min()), date_value(spans["compared_to"].max())
    assert start is not None and end is not None  # a compared span has both ends
    parts: list[tuple[str, Any]] = [
        (
            "p",
            (
                f"Counted only on days both figures are current, from {_tally_day(start)} to {_tally_day(end)}; a "
                "ratio needs a documented count above zero. A claim already past a multiple on the first day "
                "compared is listed apart: that is where the comparison starts, not a crossing."
            ),
        )
    ]
    crossed = crossings.filter(pl.col("first_date").is_not_null())
    if crossed.height:
        parts.append(
            (
                "html",
                Markup(
                    table(
                        crossed,
                        {
                            "category": "category",
                            "threshold": "times the documented count",
                            "first_date": "crossed on",
                            "official": claim,
                            "documented": counted,
                        },
                    )
                ),
            )
        )
    else:
        parts.append(("p", "No official claim crossed a multiple of the documented count while both were current."))
    levels: dict[str, tuple[dt.date, list[str]]] = {}
    for row in crossings.filter(pl.col("above_at_start")).sort("category", "threshold").iter_rows(named=True):
        levels.setdefault(row["category"], (row["compared_from"], []))[1].append(f"{row['threshold']:g}")
    already = pl.DataFrame(
        {
            "category": list(levels),
            "compared_from": [v[0] for v in levels.values()],
            "levels": [", ".join(v[1]) for v in levels.values()],
        },
        schema={"category": pl.String, "compared_from": pl.Date, "levels": pl.String},
    )
    if already.height:
        parts.append(("p", "Already at or past these multiples on the first day compared:"))
        parts.append(
            (
                "html",
                Markup(
                    table(
                        already,
                        {
                            "category": "category",
                            "compared_from": "first day compared",
                            "levels": "times the documented count",
                        },
                    )
                ),
            )
        )
    return _html("parts", parts)


def tally_revisions(series: pl.DataFrame) -> Section:
    """The days officials corrected a running total, and by how much."""
    revised = series.filter(pl.col("revision").is_not_null()).sort("date", "category")
    if revised.height == 0:
        return _html("paragraph", "The officials made no correction to these categories.")
    return table(
        revised,
        {"date": "date", "category": "category", "revision": "correction", "official": "official claim after it"},
    )


def tally_findings(ds: Dataset) -> Section:
    """What the build found in the raw files, by rule: how often, and the first instance in words.

    ``findings`` is an optional table of a tally package: a package without it gets a sentence saying that it
    records no checks of its raw files, never an error.
    """
    if "findings" not in (getattr(ds, "tables", None) or {}):
        return _html(
            "paragraph",
            "This package has no findings table: it records no checks of its raw files, so this page cannot say "
            "what they held.",
        )
    findings = ds.table("findings")
    if findings.height == 0:
        return _html("paragraph", "The build found nothing to report in the raw files.")
    summary = (
        findings.group_by("rule", maintain_order=True)
        .agg(pl.len().alias("count"), pl.col("detail").first().alias("example"))
        .sort("count", "rule", descending=[True, False])
    )
    return table(summary, {"rule": "finding", "count": "rows", "example": "first instance"})


# --- the comparison: an incident's discrepancies and grade ----------------------------------------

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
_SOFT = "#f6f6f3"


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


def _one_incident(comparison: Comparison, incident_id: str) -> dict[str, Any]:
    rows = comparison.incidents.filter(pl.col("incident_id") == incident_id)
    if rows.height == 0:
        from ddj.errors import NotFoundError

        msg = f"the comparison has no incident {incident_id!r}; compare the dataset the report loads"
        raise NotFoundError(msg)
    return rows.row(0, named=True)


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

    Officials gave the Mi-35's cause as a technical failure, and the table names who said so.
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
            "status": _status_label(r["status"]),
        }
        for r in attributes.iter_rows(named=True)
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


# --- the comparison over a theatre -----------------------------------------------------------------


def _selected(comparison: Comparison, incidents: pl.DataFrame) -> pl.DataFrame:
    """The comparison's incident rows for the selected incidents, with their date, year and title."""
    return incidents.select(
        "incident_id", "title", "date_start", "date_end", "date_precision", pl.col("date_start").dt.year().alias("year")
    ).join(comparison.incidents, on="incident_id", how="left", maintain_order="left")


def _share(part: str, whole: str = "incidents") -> pl.Expr:
    return (
        pl.when(pl.col(whole) > 0)
        .then(pl.format("{} ({}%)", pl.col(part), (100 * pl.col(part) / pl.col(whole)).round(0).cast(pl.Int64)))
        .otherwise(pl.col(part).cast(pl.String))
    )


def causes(comparison: Comparison, incidents: pl.DataFrame, *, listed: pl.DataFrame | None = None) -> Section:
    r"""Official against unofficial causes over the selected incidents.

    Three parts: how many incidents each side gives each cause (an incident counts once per cause
    its accounts on that side give); how the sides compare on the cause (incidents per status); and
    the incidents where the causes differ or only others give one, with both sides' causes. With ``listed``
    (the :func:`top_incidents` of a big selection) the counts still cover every incident but the last part
    lists only the listed ones, and says what it left out.

    Parameters
    ----------
    comparison : ddj.compare.Comparison
        The dataset's comparison (its ``cause`` rows are read).
    incidents : polars.DataFrame
        The selected incidents, with ``incident_id``.
    listed : polars.DataFrame, optional
        As above; every incident the causes differ on is listed when None.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> html = str(causes(compare(ds), ds.incidents))
    >>> "<tr><th scope=\"row\">technical failure</th>" in html
    True

    Technical failure is one of the causes the accounts give, counted for each side.
    """
    if incidents.height == 0:
        return _html("paragraph", "No incidents in this selection.")
    from ddj.charts.theme import STATUS_LABELS
    from ddj.model import CAUSES

    cause = comparison.attributes.filter(pl.col("attribute") == "cause").join(
        incidents.select("incident_id"), on="incident_id", how="semi"
    )
    order = {c: i for i, c in enumerate(CAUSES)}
    sides = {"official": "official_values", "unofficial": "unofficial_values"}
    counts = None
    for side, column in sides.items():
        given = (
            cause.select("incident_id", pl.col(column).cast(pl.List(pl.String)).alias("cause"))  # Enums
            .explode("cause")
            .drop_nulls("cause")
            .group_by("cause")
            .agg(pl.col("incident_id").n_unique().alias(side))
        )
        counts = given if counts is None else counts.join(given, on="cause", how="full", coalesce=True)
    assert counts is not None  # one frame per side, joined
    counts = (
        counts.fill_null(0)
        .with_columns(pl.col("cause").replace_strict(order, default=len(order), return_dtype=pl.Int64).alias("_order"))
        .sort("_order", "cause")
    )
    none_given = {side: cause.filter(pl.col(column).list.len() == 0).height for side, column in sides.items()}
    given_rows = [
        {"cause": str(r["cause"]).replace("_", " "), "official": r["official"], "unofficial": r["unofficial"]}
        for r in counts.iter_rows(named=True)
    ]
    statuses = [
        (_status_colour(s), _status_label(s), n)
        for s, n in sorted(
            cause.group_by("status").len().iter_rows(), key=lambda item: list(STATUS_LABELS).index(item[0])
        )
    ]
    disputed = cause.filter(
        pl.col("status").is_in(["contradict", "official_silent", "no_official_record", "unofficial_only"])
    )
    note = None
    if listed is not None and listed.height < incidents.height:
        n_disputed = disputed.height
        disputed = disputed.join(listed.select("incident_id"), on="incident_id", how="semi")
        if disputed.height < n_disputed:
            note = (
                f"Showing {disputed.height:,} of the {n_disputed:,} incidents where the causes differ or only other "
                f"accounts give one: those among the {listed.height:,} incidents this page lists ({TOP_RULE}). The "
                "full list is in the table ddj compare DATASET --out FILE writes."
            )
    titles = incidents.select("incident_id", "title", "date_start")
    disputed = disputed.join(titles, on="incident_id", how="left").sort("date_start", "incident_id")
    rows = [
        {
            "title": r["title"],
            "official": _values_text("cause", r["official_values"]),
            "unofficial": _values_text("cause", r["unofficial_values"]),
            "colour": _status_colour(r["status"]),
            "status": _status_label(r["status"]),
        }
        for r in disputed.iter_rows(named=True)
    ]
    return _html("causes", given_rows, none_given, statuses, rows, note)


def rates_by_year(comparison: Comparison, incidents: pl.DataFrame) -> Section:
    """Contradiction and silence rates per year of the incidents' first day, with a row for all years.

    Per year: incidents; those where officials and other accounts contradict each other on at least
    one attribute; those the operator never acknowledged (no official account at all, where the curators
    searched for one); those with no official account where nobody declared a search; those where
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
        return _html("paragraph", "No incidents in this selection.")
    frame = _selected(comparison, incidents)
    aggregates = (
        pl.len().alias("incidents"),
        (pl.col("n_contradict") > 0).sum().alias("contradicted"),
        (~pl.col("acknowledged") & pl.col("official_searched")).sum().alias("never"),
        (~pl.col("acknowledged") & ~pl.col("official_searched")).sum().alias("unsearched"),
        (pl.col("n_unofficial_only") > 0).sum().alias("silent"),
        pl.col("days_to_official").median().alias("days"),
    )
    per_year = frame.group_by("year").agg(*aggregates).sort("year").with_columns(pl.col("year").cast(pl.String))
    total = frame.select(pl.lit("all years").alias("year"), *aggregates)
    shown = pl.concat([per_year, total], how="vertical_relaxed").with_columns(
        _share("contradicted"),
        _share("never"),
        _share("unsearched"),
        _share("silent"),
        pl.col("days").round(0).cast(pl.Int64).cast(pl.String).fill_null("—"),
    )
    return _html("rates", shown.to_dicts())


def grades_table(comparison: Comparison, incidents: pl.DataFrame, *, listed: pl.DataFrame | None = None) -> Section:
    """The grades of the selected incidents: how many of each, what each means, and each incident's grade and
    reason, with the editor, date and reason wherever an editor overrode the grade. With ``listed`` (the
    :func:`top_incidents` of a big selection) the counts still cover every incident but the table of grades
    lists only the listed ones, and says what it left out.

    Parameters
    ----------
    comparison : ddj.compare.Comparison
        The dataset's comparison (grades, reasons and overrides).
    incidents : polars.DataFrame
        The selected incidents, with ``incident_id``, ``title`` and their dates.
    listed : polars.DataFrame, optional
        As above; every incident is listed when None.

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
        return _html("paragraph", "No incidents in this selection.")
    from ddj.charts.theme import GRADE_COLOURS
    from ddj.model import GRADES

    frame = _selected(comparison, incidents).sort("date_start", "incident_id")
    counts = dict(frame.group_by("grade").len().iter_rows())
    summary = [
        {"grade": g, "colour": GRADE_COLOURS[g], "count": counts.get(g, 0), "meaning": GRADE_MEANINGS[g]}
        for g in GRADES
    ]
    overridden = int(frame["grade_overridden"].fill_null(False).sum())
    shown = frame if listed is None else frame.join(listed.select("incident_id"), on="incident_id", how="semi")
    rows = [
        {**r, "when": date_text(r["date_start"], r["date_end"], r["date_precision"])}
        for r in shown.iter_rows(named=True)
    ]
    note = (
        f"{overridden} grade(s) here were set by an editor; the editor, date and reason are shown beside each."
        if overridden
        else "No grade here was set by an editor."
    )
    return _html("grades", summary, rows, note, _shown_note(shown.height, frame.height))


# --- big theatres: the top incidents, and what the page leaves out -----------------------------------

#: Above this many incidents a theatre overview lists only the :data:`TOP_INCIDENTS` that matter most
#: (:func:`top_incidents`) in its tables and narrative, and says what it left out; its counts, rates and charts
#: still cover every incident. 200 because the full page grows by about 4 KB and 30 ms per incident (mostly
#: the cited narrative): at 200 a page is under a megabyte and renders in seconds, and a list that long is
#: already more than a reader scans; the shipped datasets stay below it, so their pages are unchanged.
LARGE_OVERVIEW = 200
#: How many incidents a theatre overview above :data:`LARGE_OVERVIEW` lists one by one.
TOP_INCIDENTS = 50
#: The rule :func:`top_incidents` picks by, in the words a page shows.
TOP_RULE = (
    "the incidents where officials and other accounts contradict each other on the most attributes, then those "
    "with the most deaths any account gives, then those officials never acknowledged or stayed silent on, then "
    "the earliest"
)


def _deaths(ds: Dataset) -> pl.DataFrame:
    """Per incident, the most deaths (crew and others killed, best figures) any one account gives."""
    killed = pl.col("crew_killed_best").fill_null(0) + pl.col("others_killed_best").fill_null(0)
    return ds.accounts.group_by("incident_id").agg(killed.max().alias("_deaths"))


def top_incidents(
    ds: Dataset,
    comparison: Comparison,
    incidents: pl.DataFrame,
    *,
    limit: int = LARGE_OVERVIEW,
    top: int = TOP_INCIDENTS,
) -> pl.DataFrame:
    """The incidents a theatre overview lists one by one: all of them up to ``limit``, else the ``top`` that
    matter most, by :data:`TOP_RULE`.

    The rule, in order: most attributes contradicted (``n_contradict``); most deaths any one account gives
    (crew and others killed, best figures); never acknowledged by officials first; most attributes only other
    accounts speak to (official silence); earliest first day; incident id. The result keeps ``incidents``'
    columns, its rows in that order of importance.

    Parameters
    ----------
    ds : Dataset
        The dataset the incidents come from (its accounts give the deaths).
    comparison : Comparison
        ``ddj.compare.compare(ds)``: contradictions, acknowledgement and silences per incident.
    incidents : polars.DataFrame
        The selected incidents (rows of ``ds.incidents``).
    limit : int
        Up to this many incidents, all of them are returned unchanged (:data:`LARGE_OVERVIEW`).
    top : int
        Above ``limit``, how many are returned (:data:`TOP_INCIDENTS`).

    Returns
    -------
    polars.DataFrame
        ``incidents`` itself, or its ``top`` rows by the rule.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> top_incidents(ds, compare(ds), ds.incidents).height == ds.incidents.height
    True
    >>> top_incidents(ds, compare(ds), ds.incidents, limit=5, top=3).height
    3

    The Syria dataset is below the size, so every incident is listed; with a lower limit only three are.
    """
    if incidents.height <= limit:
        return incidents
    ranked = (
        incidents.join(
            comparison.incidents.select("incident_id", "n_contradict", "acknowledged", "n_unofficial_only"),
            on="incident_id",
            how="left",
            maintain_order="left",
        )
        .join(_deaths(ds), on="incident_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("n_contradict", "n_unofficial_only", "_deaths").fill_null(0),
            (~pl.col("acknowledged").fill_null(False)).alias("_unacknowledged"),
        )
        .sort(
            ["n_contradict", "_deaths", "_unacknowledged", "n_unofficial_only", "date_start", "incident_id"],
            descending=[True, True, True, True, False, False],
            nulls_last=True,
        )
    )
    return ranked.head(top).select(incidents.columns)


def _shown_note(shown: int, total: int | None) -> str | None:
    """The words saying a page lists ``shown`` of ``total`` incidents, and where the rest are; None if it lists all."""
    if total is None or total <= shown:
        return None
    return (
        f"Showing {shown:,} of {total:,} incidents: {TOP_RULE}. The full list is in the dataset's incidents "
        "table and in the table ddj compare DATASET --out FILE writes."
    )


@dataclass(frozen=True)
class ScriptedSection(Section):
    """A section that needs one of ddj's own inline scripts (a file in the templates folder) to work; without
    scripts it still reads. The exporter puts the script on the page once and allows it by its hash.
    """

    scripts: tuple[str, ...] = ()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html, SCRIPTS_MIME: list(self.scripts)}


def incident_finder(comparison: Comparison, incidents: pl.DataFrame, *, shown: int = TOP_INCIDENTS) -> Section:
    """A compact table of every incident of a big overview, one short line each (date, title, place, grade and
    how many attributes officials and others contradict each other on), earliest first, with a search box
    (a small inline script; without scripts every line shows, in a box that scrolls). A note first says
    what the lines leave out.

    Parameters
    ----------
    comparison : Comparison
        ``ddj.compare.compare(ds)``: each incident's grade and contradictions.
    incidents : polars.DataFrame
        Every incident of the page (rows of the dataset's incidents table).
    shown : int, default TOP_INCIDENTS
        How many of them the page describes in full (:func:`top_incidents`), for the note.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> finder = incident_finder(compare(ds), ds.incidents, shown=3)
    >>> finder.scripts, str(finder).count("<tr><td>") == ds.incidents.height
    (('incident_finder.js',), True)

    One line per incident, searched by the page's own script.
    """
    where = pl.concat_str([pl.col("place"), pl.col("region")], separator=", ", ignore_nulls=True)
    rows = (
        incidents.select("incident_id", "date_start", "title", where.alias("where"))
        .join(
            comparison.incidents.select("incident_id", "grade", "n_contradict"),
            on="incident_id",
            how="left",
            maintain_order="left",
        )
        .sort("date_start", "incident_id", nulls_last=True)
        .select(pl.col("date_start").dt.strftime("%Y-%m-%d"), "title", "where", "grade", "n_contradict")
        .rows()
    )
    note = (
        f"All {incidents.height:,} incidents, one line each, earliest first; the {min(shown, incidents.height):,} "
        "described above and below are those that matter most. Each line leaves out the incident's accounts, "
        "causes, casualty figures and sources: they are in the dataset's tables and in the table "
        "ddj compare DATASET --out FILE writes."
    )
    html = macro(_FRAGMENTS, "incident_finder", rows, f"{incidents.height:,}", note)
    return ScriptedSection(str(html), scripts=(FINDER_SCRIPT,))


# --- pages a reader meets: metadata, links between pages, corrections, method, scope -----------------

#: Where an incident's page is, relative to another report page built by ``reports.toml`` (output
#: ``incident-{incident_id}``); notebooks pass it as ``link`` so pages link to one another.
INCIDENT_PAGE = "../incident-{incident_id}/incident-{incident_id}.html"


@dataclass(frozen=True)
class PageInfo(Section):
    """A visible byline (data as of, credit) that also carries the page's metadata to the exporter: its title,
    description, date, aircraft, place and grade, which become the ``<title>``, the meta description and the
    front page's entry.
    """

    meta: dict[str, Any] | None = None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html, PAGE_MIME: self.meta or {}}


def _day(value: Any) -> str:
    from ddj.narrative.wording import long_date

    return long_date(value) if value else ""


def _licence_words(ds: Dataset) -> str:
    licences = (getattr(ds, "descriptor", None) or {}).get("licenses") or []
    return "; ".join(str(x.get("title") or x.get("name")) for x in licences if x)


def credit_line(ds: Dataset) -> str:
    """Who to credit for the data, in words: the dataset's title and its licence.

    Examples
    --------
    >>> import ddj
    >>> credit_line(ddj.load("syria-ru-aviation", warn=False)).startswith("Data: Russian military aviation losses")
    True
    """
    descriptor = getattr(ds, "descriptor", None) or {}
    licence = _licence_words(ds)
    text = f"Data: {descriptor.get('title') or ds.name} (ddj dataset {ds.name})"
    return text + (f", {licence}." if licence else ".")


def _byline(ds: Dataset, as_of: Any) -> str:
    parts = [f"Data as of {_day(as_of)} (the latest account we hold)" if as_of else "", credit_line(ds)]
    return str(macro(_FRAGMENTS, "byline", [p for p in parts if p]))


def incident_page_info(ds: Dataset, comparison: Comparison, incident_id: str) -> PageInfo:
    """The incident page's metadata (headline as ``<title>``, summary as description) and its byline.

    Parameters
    ----------
    ds : ddj.Dataset
        The incident dataset.
    comparison : ddj.compare.Comparison
        The dataset's comparison (the incident's grade).
    incident_id : str
        The incident the page is about.

    Examples
    --------
    >>> import ddj
    >>> from ddj.compare import compare
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> info = incident_page_info(ds, compare(ds), "syr-2021-02-28-mi35")
    >>> title = ds.incidents.filter(pl.col("incident_id") == "syr-2021-02-28-mi35")["title"][0]
    >>> info.meta["kind"], info.meta["title"] == title
    ('incident', True)
    """
    row = _incident(ds, incident_id)
    grade = _one_incident(comparison, incident_id)["grade"]
    accounts = ds.accounts.filter(pl.col("incident_id") == incident_id)
    as_of = accounts["published_date"].max() if accounts.height else None
    summary = str(row["summary"] or "")
    first = summary.split(". ")[0].rstrip(".") + "." if summary else ""
    meta = {
        "kind": "incident",
        "id": incident_id,
        "title": row["title"],
        "description": first,
        "date": str(row["date_start"]),
        "date_text": date_text(row["date_start"], row["date_end"], row["date_precision"]),
        "aircraft": row["aircraft_model"],
        "place": ", ".join(str(v) for v in (row["region"], row["country"]) if v),
        "grade": grade,
        "event": str(row["event_type"]).replace("_", " "),
        "relation": row["relation"],
        "as_of": str(as_of) if as_of else "",
        "credit": credit_line(ds),
    }
    return PageInfo(_byline(ds, as_of), meta)


def theatre_page_info(ds: Dataset, selected: pl.DataFrame, *, place: str, title: str | None = None) -> PageInfo:
    """A theatre page's metadata and byline: "data as of" is the latest account of the selected incidents.

    Parameters
    ----------
    ds : ddj.Dataset
        The incident dataset (its accounts give the "data as of" day).
    selected : polars.DataFrame
        The incidents the page covers, with ``incident_id``, ``date_start`` and ``date_end``.
    place : str
        The theatre, as the page names it ("Syria"); also the page's id in the metadata.
    title : str, optional
        The page's headline; "Russian aviation losses in PLACE: every account compared" when None.
    """
    accounts = ds.accounts.join(selected.select("incident_id"), on="incident_id", how="semi")
    as_of = accounts["published_date"].max() if accounts.height else None
    first = selected["date_start"].min() if selected.height else None
    last = selected["date_end"].max() if selected.height else None
    span = f"{_day(first)} to {_day(last)}" if first else ""
    meta = {
        "kind": "theatre",
        "id": place,
        "title": title or f"Russian aviation losses in {place}: every account compared",
        "description": (
            f"{selected.height} incident{'' if selected.height == 1 else 's'} in {place}"
            + (f", {span}" if span else "")
            + ": what officials and others said, and how well each is established."
        ),
        "date": str(last) if last else "",
        "date_text": span,
        "aircraft": "",
        "place": place,
        "grade": "",
        "as_of": str(as_of) if as_of else "",
        "credit": credit_line(ds),
    }
    return PageInfo(_byline(ds, as_of), meta)


def _page_href(link: str | None, incident_id: str) -> str | None:
    """The address of an incident's page, from a pattern such as :data:`INCIDENT_PAGE` (none: no link)."""
    return link.format(incident_id=incident_id) if link else None


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


def corrections(ds: Dataset, comparison: Comparison, incident_ids: list[str] | str) -> Section:
    """The corrections log: every editor's override touching these incidents (who, when, what, why) and every
    account its source later replaced (what it first said, when, and which account replaced it).

    Parameters
    ----------
    ds : ddj.Dataset
        The incident dataset (its overrides and accounts).
    comparison : ddj.compare.Comparison
        The dataset's comparison; not read (the log comes from the dataset's overrides and accounts), kept so
        every incident section is called alike.
    incident_ids : str or list of str
        The incident (or incidents) whose corrections are listed; overrides of their accounts count too.
    """
    ids = [incident_ids] if isinstance(incident_ids, str) else list(incident_ids)
    account_ids = ds.accounts.filter(pl.col("incident_id").is_in(ids))["account_id"].to_list()
    entries: list[tuple[str, str]] = []
    overrides = ds.overrides
    if overrides.height:
        mine = overrides.filter(pl.col("target_id").is_in(ids + account_ids))
        for r in mine.iter_rows(named=True):
            entries.append(
                (
                    str(r["decided_on"]),
                    (
                        f"{r['decided_on']}: {r['editor']} set {r['target_table']} {r['target_id']} "
                        f"{r['field']} to “{r['value']}”. Reason: {r['reason']}"
                    ),
                )
            )
    accounts = ds.accounts.filter(pl.col("incident_id").is_in(ids))
    replaced = (
        accounts.filter(pl.col("supersedes_account_id").is_not_null())
        .join(
            ds.accounts.select(
                pl.col("account_id").alias("supersedes_account_id"),
                pl.col("published_date").alias("_old_date"),
                pl.col("statement").alias("_old"),
            ),
            on="supersedes_account_id",
            how="left",
        )
        .join(ds.sources.select("source_id", pl.col("name").alias("_source")), on="source_id", how="left")
    )
    for r in replaced.sort("published_date", "account_id").iter_rows(named=True):
        entries.append(
            (
                str(r["published_date"]),
                (
                    f"{r['published_date']}: {r['_source'] or r['source_id']} replaced its account of "
                    f"{r['_old_date']} ({r['supersedes_account_id']}) with {r['account_id']}. "
                    f"It had said: {r['_old']}"
                ),
            )
        )
    return _html("corrections", [text for _, text in sorted(entries)])


def how_we_did_this(ds: Dataset, incident_ids: list[str] | str) -> Section:
    """A plain-language method box: which accounts were compared, what each status and grade means (both
    glossaries generated from the model, so they cannot drift from it) and the data's licence.
    """
    from ddj.charts.theme import STATUS_LABELS
    from ddj.compare.statuses import STATUSES
    from ddj.html import safe_link
    from ddj.model import GRADES

    ids = [incident_ids] if isinstance(incident_ids, str) else list(incident_ids)
    accounts = ds.accounts.filter(pl.col("incident_id").is_in(ids))
    official = accounts.filter(pl.col("side") == "official").height
    sources = accounts["source_id"].n_unique()
    lead = (
        f"We collected {accounts.height} published account{'' if accounts.height == 1 else 's'} of "
        f"{'this incident' if len(ids) == 1 else f'these {len(ids)} incidents'} from {sources} "
        f"source{'' if sources == 1 else 's'}: {official} from the operator's officials, "
        f"{accounts.height - official} from everyone else. For every point the accounts make a claim about "
        "(cause, hostile fire, who was responsible, deaths, place, date, aircraft) we set the officials' current "
        "claims against the others', and give each incident a grade by fixed, published rules."
    )
    statuses = [(STATUS_LABELS.get(s, s.replace("_", " ")), s) for s in STATUSES]
    grades = [(g, GRADE_MEANINGS[g]) for g in GRADES]
    licences = [
        Markup(safe_link(x.get("path"), str(x.get("title") or x.get("name"))))
        if x.get("path")
        else x.get("title") or x.get("name")
        for x in (getattr(ds, "descriptor", None) or {}).get("licenses") or []
    ]
    return _html("how_we_did_this", lead, statuses, grades, licences, credit_line(ds))


def split_context(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The losses and, apart, the context events (``relation == "context"``), which are not losses.

    Examples
    --------
    >>> import ddj
    >>> losses, context = split_context(ddj.load("syria-ru-aviation", warn=False).incidents)
    >>> "syr-2021-02-25-us-f15e-abu-kamal" in context["incident_id"].to_list()
    True

    The US air strike near Abu Kamal is context to the Mi-35's emergency landing, not a Russian loss.
    """
    is_context = (pl.col("relation").cast(pl.String) == "context").fill_null(False)  # an Enum holds no ""
    return frame.filter(~is_context), frame.filter(is_context)


def left_out(
    ds: Dataset,
    losses: pl.DataFrame,
    context: pl.DataFrame,
    *,
    country: str | None = None,
    region: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    link: str | None = INCIDENT_PAGE,
    limit: int = LARGE_OVERVIEW,
) -> Section:
    """What a theatre page leaves out, and why: the dataset's incidents outside its country, region or dates,
    those a filter removed, and the context events it does not count as losses (each linked to its page).
    Above ``limit`` of them (:data:`LARGE_OVERVIEW`), how many for each reason instead of one line each.

    Parameters
    ----------
    ds : ddj.Dataset
        The incident dataset.
    losses : polars.DataFrame
        The losses the page shows, with ``incident_id``.
    context : polars.DataFrame
        The context events of the selection (:func:`split_context`), listed as not counted.
    country, region : str, optional
        The page's country and region; an incident elsewhere is "outside" it. Any when None.
    date_from, date_to : str, optional
        The page's window, ``YYYY-MM-DD``; an incident wholly outside it is "outside the dates covered".
    link : str, optional
        A pattern with ``{incident_id}`` for each incident's page (default :data:`INCIDENT_PAGE`); no links when None.
    limit : int, default LARGE_OVERVIEW (200)
        Up to this many incidents left out are listed one line each; above it, counted by reason.
    """
    shown = set(losses["incident_id"].to_list()) | set(context["incident_id"].to_list())
    rest = ds.incidents.filter(~pl.col("incident_id").is_in(list(shown))).sort("date_start", "incident_id")
    items = []
    for r in rest.iter_rows(named=True):
        if country and r["country"] != country:
            why = f"outside {country}: {r['country']}"
        elif region and r["region"] != region:
            why = f"outside {region}: {r['region']}"
        elif (date_from and r["date_end"] < dt.date.fromisoformat(date_from)) or (
            date_to and r["date_start"] > dt.date.fromisoformat(date_to)
        ):
            why = "outside the dates covered"
        else:
            why = "left out by the page's filter"
        items.append((_page_href(link, r["incident_id"]), r["title"], _day(r["date_start"]), why))
    for r in context.iter_rows(named=True):
        items.append(
            (
                _page_href(link, r["incident_id"]),
                r["title"],
                _day(r["date_start"]),
                "a context event, not a loss: shown for what it explains, not counted",
            )
        )
    if not items:
        return _html("paragraph", "This page leaves out none of the dataset's incidents.")
    if len(items) > limit:
        reasons: dict[str, int] = {}
        for *_, why in items:
            reasons[why] = reasons.get(why, 0) + 1
        counts = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
        return _html("left_out_counts", f"{len(items):,}", [(why, f"{n:,}") for why, n in counts])
    return _html("left_out", items)
