"""What every chart shares: title, source line, method note, alt text, and the inputs charts read.

Every chart carries a title; a subtitle whose lines are the method note and a source line naming
the datasets; the same texts unwrapped in its ``usermeta`` (:data:`TEXT_META`); and alt text in the
Vega-Lite ``description``, which :func:`chart_alt_text` reads back and :mod:`ddj.charts.export` writes
into the SVG's ``<title>``/``<desc>``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import altair as alt
import polars as pl

from ddj.errors import InvalidValueError, NotFoundError, UnusableDataError

if TYPE_CHECKING:
    from ddj.compare import Comparison
    from ddj.datasets.dataset import Dataset

_LINE = 120
_TITLE_WRAP = 60


def source_line(sources: Any) -> str:
    """Return the chart's source line naming its datasets.

    ``sources`` is a :class:`~ddj.datasets.Dataset`, a dataset name, or a sequence of either.

    Examples
    --------
    >>> source_line(["syria-ru-aviation", "ua-general-staff"])
    'Source: ddj datasets syria-ru-aviation; ua-general-staff.'

    The line names every dataset the chart's numbers come from.
    """
    items: list[Any] = [sources] if isinstance(sources, str) or not isinstance(sources, Iterable) else list(sources)
    names = []
    for item in items:
        if item is None:
            continue
        if hasattr(item, "descriptor"):
            version = item.descriptor.get("version")
            names.append(f"{item.name} v{version}" if version else str(item.name))
        else:
            names.append(str(item))
    if not names:
        return "Source: not stated."
    noun = "dataset" if len(names) == 1 else "datasets"
    return f"Source: ddj {noun} {'; '.join(names)}."


def finish(
    chart: Any, *, title: str, sources: Any, method: str, alt_text: str, width: int | None = None, credit: str = ""
) -> Any:
    """Return ``chart`` with its title, a subtitle of method note, credit and source line, and alt text.

    The title is wrapped at words (:func:`title_lines`), never cut, into lines that fit a chart
    ``width`` pixels wide (:func:`title_chars`; about 60 characters when the width is not given): Vega
    does not wrap titles, and its own cut measures the text letter by letter, which made the title the
    slowest part of drawing a chart. The method note is wrapped to lines of about 120 characters (Vega
    does not wrap subtitles). ``credit`` names third-party data the chart draws (a basemap's
    Natural Earth), on its own line above the source line.

    Parameters
    ----------
    chart : altair.Chart
        The chart to finish (any Altair chart: layered, concatenated or faceted).
    title : str
        The title, whole; it is wrapped, never cut.
    sources : ddj.Dataset or str or sequence
        What :func:`source_line` names in the source line.
    method : str
        The method note, after "Method: ".
    alt_text : str
        The alt text, written as the Vega-Lite ``description``.
    width : int, optional
        The chart's drawing width in pixels, which sets how many characters a title line takes.
    credit : str, default ""
        A credit line for third-party data the chart draws; none when empty.
    """
    chars = title_chars(width) if width else _TITLE_WRAP
    paragraphs = [f"Method: {method}", *([credit] if credit else []), source_line(sources)]
    lines = [line for paragraph in paragraphs for line in textwrap.wrap(paragraph, _LINE)]
    return chart.properties(
        title=alt.Title(text=title_lines(title, width=chars), subtitle=lines),
        description=alt_text,
        usermeta=text_meta(title, paragraphs),
    )


TEXT_META = "ddj_text"
"""The key, in a finished chart's Vega-Lite ``usermeta``, of its title and subtitle paragraphs as written (not
wrapped): a report page wraps them again to a phone's column when the chart is wider than the column (see
:mod:`ddj.report.pages.htmlexport`), so the title and method note are read without scrolling sideways."""


def text_meta(title: str, paragraphs: Sequence[str]) -> dict[str, Any]:
    """The ``usermeta`` of a chart titled ``title`` whose subtitle wraps ``paragraphs`` (see :data:`TEXT_META`).

    Examples
    --------
    >>> text_meta("Grades over time", ["Method: one grade an incident.", "Source: ddj dataset x."])["ddj_text"]
    {'title': 'Grades over time', 'subtitle': ['Method: one grade an incident.', 'Source: ddj dataset x.']}

    The title and each paragraph whole: a page wraps them to its column.
    """
    return {TEXT_META: {"title": str(title), "subtitle": [str(p) for p in paragraphs]}}


def title_chars(width: float) -> int:
    """How many characters of the house theme's 16-pixel bold title fit on a line ``width`` pixels wide.

    About nine pixels a character on average, and never fewer than 40 (the method note under the title
    is wider than a narrow chart anyway).

    Examples
    --------
    >>> title_chars(560), title_chars(300)
    (62, 40)

    A 560-pixel chart takes about sixty characters a title line.
    """
    return max(40, int(width / 9))


def title_lines(title: str, *, width: int = _TITLE_WRAP) -> str | list[str]:
    """A chart title wrapped at words into lines of at most ``width`` characters, of about even length: the whole
    title, never cut.

    Examples
    --------
    >>> title_lines("Who said what, and when: Mi-8AMTSh shot down over Idlib province, five Russians killed")
    ['Who said what, and when: Mi-8AMTSh shot down', 'over Idlib province, five Russians killed']
    >>> title_lines("Grades over time")
    'Grades over time'

    A short title stays one string; a long one becomes lines of about even length, which Vega sets one under
    the other.
    """
    lines = textwrap.wrap(str(title), width=width, break_long_words=False) or [""]
    if len(lines) == 1:
        return lines[0]
    # balanced: the narrowest width that needs no more lines, so the last line is not a lone word
    for narrower in range(max(len(line) for line in lines) - 1, 0, -1):
        tried = textwrap.wrap(str(title), width=narrower, break_long_words=False)
        if len(tried) > len(lines):
            break
        lines = tried
    return lines


def chart_alt_text(chart: Any) -> str:
    """Return the alt text of a ddj chart (its Vega-Lite ``description``).

    Examples
    --------
    >>> import altair as alt
    >>> chart_alt_text(alt.Chart().mark_point().properties(description="Two points."))
    'Two points.'

    Every ddj chart is built with a description; this reads it back.
    """
    if not isinstance(chart, alt.TopLevelMixin):
        chart = getattr(chart, "chart", chart)  # a LocatorMap holds its chart
    value = getattr(chart, "description", alt.Undefined)
    if value is alt.Undefined or value is None:
        msg = "this chart has no alt text (no Vega-Lite description); ddj charts always set one"
        raise InvalidValueError(msg)
    return str(value)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``1 account``, ``2 accounts``."""
    return f"{n:,} {singular if n == 1 else (plural_form or singular + 's')}"


def comparison_for(dataset: Dataset, comparison: Comparison | None) -> Comparison:
    """Return ``comparison``, or compute it from ``dataset`` with :func:`ddj.compare.compare`."""
    if comparison is not None:
        return comparison
    from ddj.compare import compare  # the comparison is a sibling package; imported on use

    return compare(dataset)


def select_incidents(incidents: pl.DataFrame, incident_ids: Sequence[str] | str | None) -> pl.DataFrame:
    """The incidents asked for (all when ``incident_ids`` is None), sorted by start date and id.

    Raises
    ------
    NotFoundError
        An asked-for id is not in the dataset; the message names it and a few that are.
    """
    if incident_ids is None:
        chosen = incidents
    else:
        wanted = [incident_ids] if isinstance(incident_ids, str) else list(incident_ids)
        chosen = incidents.filter(pl.col("incident_id").is_in(wanted))
        missing = sorted(set(wanted) - set(chosen["incident_id"].to_list()))
        if missing:
            known = ", ".join(incidents["incident_id"].head(5).to_list())
            msg = f"no incident {', '.join(map(repr, missing))} in the dataset; ids look like: {known}"
            raise NotFoundError(msg)
    if chosen.height == 0:
        msg = "there are no incidents to chart; check the dataset or the incident ids asked for"
        raise UnusableDataError(msg)
    return chosen.sort("date_start", "incident_id")


def current_accounts(accounts: pl.DataFrame, comparison: Comparison | None = None) -> pl.DataFrame:
    """The accounts that no later account from the same source replaced.

    Uses the comparison's ``is_current`` column when there is one, else the ``supersedes_account_id``
    links of the accounts themselves.
    """
    compared = getattr(comparison, "accounts", None)
    if compared is not None and "is_current" in compared.columns:
        keep = compared.filter(pl.col("is_current")).select("account_id")
        return accounts.join(keep, on="account_id", how="semi")
    replaced = accounts.select(pl.col("supersedes_account_id").drop_nulls().alias("account_id")).unique()
    return accounts.join(replaced, on="account_id", how="anti")


#: Characters per line of a wrapped row label (an incident's title and date on an axis): about 250 pixels.
ROW_LABEL_CHARS = 50
#: Pixels per line of an 11-pixel axis label.
LABEL_LINE_HEIGHT = 13


def full_label() -> pl.Expr:
    """An expression for the whole label of an incident: its title and start date, never cut.

    Examples
    --------
    >>> import datetime as dt
    >>> frame = pl.DataFrame({"title": ["Mi-8 shot down"], "date_start": [dt.date(2016, 8, 1)]})
    >>> frame.select(full_label()).item()
    'Mi-8 shot down (2016-08-01)'
    """
    return pl.concat_str([pl.col("title"), pl.lit(" ("), pl.col("date_start").dt.strftime("%Y-%m-%d"), pl.lit(")")])


def wrapped(label: pl.Expr, *, width: int = ROW_LABEL_CHARS) -> pl.Expr:
    r"""``label`` wrapped at spaces into lines of at most ``width`` characters, joined by newlines (a word longer
    than a line keeps its own line). An axis draws the lines one under the other with :data:`LINES_EXPR`.

    Examples
    --------
    >>> frame = pl.DataFrame({"t": ["Mi-8 shot down over Idlib province, five Russians killed (2016-08-01)"]})
    >>> frame.select(wrapped(pl.col("t"))).item().split("\n")
    ['Mi-8 shot down over Idlib province, five Russians', 'killed (2016-08-01)']

    The whole label is kept, on two lines.
    """
    return label.str.replace_all(rf"(\S.{{0,{width - 1}}})(?:\s+|$)", "${1}\n").str.strip_chars_end("\n")


#: A Vega ``labelExpr`` that draws a label made by :func:`wrapped` as lines, one under the other.
LINES_EXPR = "split(datum.label, '\\n')"


def label_step(labels: pl.Series, *, least: int) -> int:
    r"""The band step in pixels that gives every wrapped label (:func:`wrapped`) its lines: at least ``least``.

    Examples
    --------
    >>> label_step(pl.Series(["one line", "two\nlines", "three\nlines\nhere"]), least=22)
    45
    """
    most = max(labels.str.count_matches("\n").fill_null(0).to_list(), default=0) + 1
    return max(least, most * LABEL_LINE_HEIGHT + 6)


def utc_x(field: str, title: str | None, **kwargs: Any) -> alt.X:
    """A temporal x channel read and shown in UTC, so a chart renders the same in every time zone."""
    axis = {"format": "%b %Y", "labelAngle": 0, **kwargs.pop("axis", {})}
    return alt.X(
        f"{field}:T",
        title=title,
        scale=alt.Scale(type="utc", **kwargs.pop("scale", {})),
        axis=alt.Axis(**axis),
        **kwargs,
    )


def day_ticks(days: int) -> dict[str, Any]:
    """An axis ``tickCount`` for a time axis spanning ``days`` days: about eight ticks, on whole days only (left to
    itself, Vega ticks a few days every 6 or 12 hours, and a day format labels each day several times).

    Examples
    --------
    >>> day_ticks(6), day_ticks(20)
    ({'interval': 'day', 'step': 1}, {'interval': 'day', 'step': 3})

    Six days get a tick a day; twenty, one every third day.
    """
    return {"interval": "day", "step": max(1, math.ceil(days / 8))}


_FEW = 5  # counts up to this many get one tick per whole number, given as values


def count_axis(largest: float | None) -> alt.Axis:
    """An axis for counts from zero to ``largest``: whole-number ticks, each labelled once.

    ``tickMinStep=1`` alone does not do it: Vega only lowers the number of ticks, and for a small
    domain d3 still steps by a half (0 to 2 gets ticks at 0, 0.5, 1, 1.5 and 2, which the whole-number
    format labels 0, 1, 1, 2, 2). Up to five, the ticks are therefore given as values.

    Examples
    --------
    >>> count_axis(2).to_dict()["values"], "values" in count_axis(40).to_dict()
    ([0, 1, 2], False)

    A chart whose bars reach two gets ticks at 0, 1 and 2; one that reaches forty leaves the ticks to Vega.
    """
    axis: dict[str, Any] = {"format": "d", "tickMinStep": 1}
    if largest is not None and largest <= _FEW:
        axis["values"] = list(range(max(1, math.ceil(largest)) + 1))
    return alt.Axis(**axis)
