"""What every section is made of: the :class:`Section` type (HTML that Jupyter displays) and its scripted
variant, the rendering of a macro of ``sections.frag.j2``, the look-up of one incident in a dataset or a
comparison, a date window in words and a frame as a table. The other modules of
:mod:`ddj.report.pages.sections` build on these; this one imports none of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from ddj.compare import Comparison
from ddj.datasets import Dataset
from ddj.model import DATE_PRECISION
from ddj.report.pages.handoff import SCRIPTS_MIME
from ddj.report.pages.templating import macro

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


@dataclass(frozen=True)
class ScriptedSection(Section):
    """A section that needs one of ddj's own inline scripts (a file in the templates folder) to work; without
    scripts it still reads. The exporter puts the script on the page once and allows it by its hash.
    """

    scripts: tuple[str, ...] = ()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.html, SCRIPTS_MIME: list(self.scripts)}


def _incident(ds: Dataset, incident_id: str) -> dict[str, Any]:
    """The dataset's row of the incident, by column name."""
    missing = f"dataset {ds.name!r} has no incident {incident_id!r}; `ddj params` lists how to choose one"
    return _row_of(ds.incidents, incident_id, missing)


def _one_incident(comparison: Comparison, incident_id: str) -> dict[str, Any]:
    """The comparison's row of the incident, by column name."""
    missing = f"the comparison has no incident {incident_id!r}; compare the dataset the report loads"
    return _row_of(comparison.incidents, incident_id, missing)


def _row_of(incidents: pl.DataFrame, incident_id: str, missing: str) -> dict[str, Any]:
    rows = incidents.filter(pl.col("incident_id") == incident_id)
    if rows.height == 0:
        from ddj.errors import NotFoundError

        raise NotFoundError(missing)
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
    '13 to 14 November 2016 (known to within 2-6 days)'
    >>> date_text(dt.date(2015, 12, 30), dt.date(2016, 1, 2))
    '30 December 2015 to 2 January 2016'

    The MiG-29KR was lost on one of two days, which the precision code puts at under a week; a window over a
    year's end names both years.
    """
    if start is None:
        return "date not known"
    if end is None or end == start:
        text = f"{start.day} {start:%B %Y}"
    elif (start.year, start.month) == (end.year, end.month):
        text = f"{start.day} to {end.day} {end:%B %Y}"
    elif start.year == end.year:
        text = f"{start.day} {start:%B} to {end.day} {end:%B %Y}"
    else:
        text = f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    if precision and precision != 1:
        words = DATE_PRECISION.get(precision)
        text += f" (known to {words})" if words else f" (date precision {precision})"
    return text


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
