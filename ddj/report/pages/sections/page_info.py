"""What a page says about itself: its metadata for the exporter and the front page (:class:`PageInfo`, the
byline that carries it), who to credit for the data, and where an incident's page is (:data:`INCIDENT_PAGE`),
so pages link to one another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from ddj.compare import Comparison
from ddj.datasets import Dataset
from ddj.report.pages.handoff import PAGE_MIME
from ddj.report.pages.sections.base import _FRAGMENTS, Section, _incident, _one_incident, date_text
from ddj.report.pages.templating import macro

#: Where an incident's page is, relative to another report page built by ``reports.toml`` (output
#: ``incident-{incident_id}``); notebooks pass it as ``link`` so pages link to one another.
INCIDENT_PAGE = "../incident-{incident_id}/incident-{incident_id}.html"


def _page_href(link: str | None, incident_id: str) -> str | None:
    """The address of an incident's page, from a pattern such as :data:`INCIDENT_PAGE` (none: no link)."""
    return link.format(incident_id=incident_id) if link else None


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


def _byline(ds: Dataset, as_of: Any, latest: str = "the latest account we hold") -> str:
    parts = [f"Data as of {_day(as_of)} ({latest})" if as_of else "", credit_line(ds)]
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
    description = (
        f"{selected.height} incident{'' if selected.height == 1 else 's'} in {place}"
        + (f", {span}" if span else "")
        + ": what officials and others said, and how well each is established."
    )
    title = title or f"Russian aviation losses in {place}: every account compared"
    meta = _overview_meta(ds, "theatre", place, description, last, span, as_of, place=place, title=title)
    return PageInfo(_byline(ds, as_of), meta)


def _overview_meta(
    ds: Dataset,
    kind: str,
    page_id: str,
    description: str,
    last: Any,
    span: str,
    as_of: Any,
    *,
    place: str = "",
    title: str | None = None,
) -> dict[str, Any]:
    """The metadata of an overview page (a theatre's, a tally's): no aircraft or grade of its own; its date is the
    ``last`` day it covers and ``span`` its days in words; without ``title`` the report's own title stands.
    """
    meta = {
        "kind": kind,
        "id": page_id,
        "description": description,
        "date": str(last) if last else "",
        "date_text": span,
        "aircraft": "",
        "place": place,
        "grade": "",
        "as_of": str(as_of) if as_of else "",
        "credit": credit_line(ds),
    }
    return {**meta, "title": title} if title else meta


def tally_page_info(
    ds: Dataset, series: pl.DataFrame, categories: Sequence[str] | None = None, *, title: str | None = None
) -> PageInfo:
    """A tally page's metadata and byline: the categories compared, the days the official figures span, the last
    day the documented count covers, and "data as of" the latest day either side gives a figure for.

    Parameters
    ----------
    ds : ddj.Dataset
        The tally dataset (its descriptor gives the credit line).
    series : polars.DataFrame
        The compared series, as :func:`ddj.tally.tally_series` gives them (``date``, ``category``, ``official``,
        ``documented_through``).
    categories : sequence of str, optional
        The categories compared, in the order the page names them (the report's parameter); in the series' order
        when None.
    title : str, optional
        The page's headline; the report's own title (``reports.toml``) when None.

    Examples
    --------
    >>> import warnings, ddj
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ds = ddj.load("ukraine-equipment-losses", warn=False)
    ...     info = tally_page_info(ds, ddj.tally.tally_series(ds, ["tank", "APC"]), ["tank", "APC"])
    >>> print(info.meta["description"])  # doctest: +NORMALIZE_WHITESPACE
    Official claims from 25 February 2022 to 8 August 2026 against losses documented to 6 October 2024,
    2 categories (tank, APC).

    The front page lists the tally page with its span of days and this sentence under its headline: each side
    with its own days, since the documented count stops long before the official claims do.
    """
    claimed = series.filter(pl.col("official").is_not_null())
    first = claimed["date"].min() if claimed.height else None
    last = claimed["date"].max() if claimed.height else None
    documented = series["documented_through"].max()  # the last day the documented count covers
    known = [d for d in (last, documented) if d is not None]
    as_of = max(known) if known else None
    if categories is None:
        categories = series["category"].unique(maintain_order=True).to_list()
    span = f"{_day(first)} to {_day(last)}" if first else ""
    count = f"{len(categories)} categor{'y' if len(categories) == 1 else 'ies'}"
    # Each side's own days: the documented count often stops long before the official claims do.
    description = (
        "Official claims"
        + (f" from {span}" if span else "")
        + " against "
        + (f"losses documented to {_day(documented)}" if documented else "documented losses")
        + f", {count} ({', '.join(map(str, categories))})."
    )
    meta = _overview_meta(ds, "tally", ds.name, description, last, span, as_of, title=title)
    return PageInfo(_byline(ds, as_of, "the latest figure we hold"), meta)
