"""Big theatres: above :data:`LARGE_OVERVIEW` incidents an overview lists only the :data:`TOP_INCIDENTS` that
matter most (:func:`top_incidents`, by :data:`TOP_RULE`), says so in a note, and lists every incident one short
line each in a searchable table (:func:`incident_finder`).
"""

from __future__ import annotations

import polars as pl

from ddj.compare import Comparison
from ddj.datasets import Dataset
from ddj.report.pages.handoff import FINDER_SCRIPT
from ddj.report.pages.sections.base import _FRAGMENTS, ScriptedSection, Section
from ddj.report.pages.templating import macro

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
