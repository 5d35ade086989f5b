"""The sections of a theatre's overview: which incidents a country or region over a date window holds (and
which are context, not losses), the page's first sentence, incidents by type and year, the list of them, what
the page leaves out and why; then the comparison over them: causes by side, contradiction and silence rates by
year, and grades.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ddj._scalars import date_value
from ddj.compare import Comparison
from ddj.compare.statuses import agrees_by_repeats_only
from ddj.datasets import Dataset
from ddj.model import AGREE_BY_REPEATS_ONLY
from ddj.report.pages.sections.base import Section, _html, date_text
from ddj.report.pages.sections.large import LARGE_OVERVIEW, TOP_RULE, _shown_note
from ddj.report.pages.sections.legend import GRADE_MEANINGS, _status_colour, _status_label, _values_text
from ddj.report.pages.sections.page_info import INCIDENT_PAGE, _day, _page_href


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
    >>> "agree, but the other accounts only repeat the officials" in html
    True

    Technical failure is one of the causes the accounts give, counted for each side. On the Mi-35's cause the
    only other account repeats the ministry: that agreement is counted apart.
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
        (_status_colour(s), _status_label(s) + (AGREE_BY_REPEATS_ONLY if repeated else ""), n)
        for s, repeated, n in sorted(
            cause.group_by("status", agrees_by_repeats_only()).len().iter_rows(),
            key=lambda item: (list(STATUS_LABELS).index(item[0]), item[1]),
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
