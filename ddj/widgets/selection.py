"""Chart selections back into filters: what a brush or a click on a JupyterChart means for the FilterSpec.

The functions here are pure (a selection's value in, filter values out) so they are tested without a
browser; :class:`SelectionLink` wires them to a live :class:`altair.JupyterChart`, whose selection
objects are replaced every time its chart is, and re-attaches itself after each replacement.

An empty selection never changes a filter: a chart that is redrawn with new data reports empty
selections, and a reader clears filters with the filter widgets, not by clicking beside a bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["SelectionLink", "attribute_statuses_from_points", "dates_from_interval", "values_from_points"]


def _day(value: Any, *, end: bool = False) -> dt.date | None:
    """A day from what Vega sends for a time: milliseconds since 1970 (UTC) or an ISO text."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=float(value))
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
    elif isinstance(value, Mapping) and "year" in value:  # a Vega-Lite DateTime object
        moment = dt.datetime(int(value["year"]), int(value.get("month", 1)), int(value.get("date", 1)), tzinfo=dt.UTC)
    else:
        return None
    moment = moment.astimezone(dt.UTC)
    if end and moment.time() == dt.time(0, 0) and moment.microsecond == 0:
        moment -= dt.timedelta(microseconds=1)  # a brush ending at midnight ends the day before
    return moment.date()


def dates_from_interval(
    value: Mapping[str, Sequence[Any]] | None, field: str = "period"
) -> tuple[dt.date, dt.date] | None:
    """The first and last day an interval selection over a time axis covers, or None when it is empty.

    Examples
    --------
    >>> dates_from_interval({"period": [1470009600000, 1472601600000]})
    (datetime.date(2016, 8, 1), datetime.date(2016, 8, 30))

    A brush from midnight on 1 August 2016 to midnight on 31 August covers 1 to 30 August.
    """
    if not value or field not in value:
        return None
    bounds = list(value[field])
    if len(bounds) != 2:
        return None
    first, last = _day(min(bounds, key=_sort_key)), _day(max(bounds, key=_sort_key), end=True)
    if first is None or last is None:
        return None
    return (first, max(first, last))


def _sort_key(value: Any) -> Any:
    return str(value) if isinstance(value, str) else float(value) if isinstance(value, (int, float)) else 0


def values_from_points(value: Sequence[Mapping[str, Any]] | None, field: str) -> tuple[str, ...]:
    """The distinct values of ``field`` among the points a point selection holds, in selection order.

    Examples
    --------
    >>> values_from_points([{"status": "contradict"}, {"status": "agree"}, {"status": "contradict"}], "status")
    ('contradict', 'agree')

    Two statuses were clicked (one twice).
    """
    out: list[str] = []
    for point in value or []:
        item = point.get(field) if isinstance(point, Mapping) else None
        if item is not None and str(item) not in out:
            out.append(str(item))
    return tuple(out)


def attribute_statuses_from_points(value: Sequence[Mapping[str, Any]] | None) -> tuple[str, ...]:
    """The ``ATTRIBUTE:STATUS`` pairs (the ``attribute_statuses`` filter's words) among clicked points that
    carry an attribute, by its label or its name, and a status; points naming neither are left out.

    Examples
    --------
    >>> attribute_statuses_from_points([{"attribute": "crew killed", "status": "contradict"}])
    ('crew_killed:contradict',)

    A click on the "contradict" part of the "crew killed" bar keeps the incidents contradicted on the crew
    killed, not every contradicted incident.
    """
    from ddj.compare.statuses import STATUSES
    from ddj.model import COMPARED_ATTRIBUTES

    names = {a.label: a.name for a in COMPARED_ATTRIBUTES} | {a.name: a.name for a in COMPARED_ATTRIBUTES}
    out: list[str] = []
    for point in value or []:
        if not isinstance(point, Mapping):
            continue
        attribute, status = names.get(str(point.get("attribute"))), str(point.get("status"))
        pair = f"{attribute}:{status}"
        if attribute and status in STATUSES and pair not in out:
            out.append(pair)
    return tuple(out)


class SelectionLink:
    """Call ``handlers[name](value)`` when selection ``name`` of a JupyterChart changes to a non-empty value.

    Call :meth:`attach` after every change of the widget's ``chart``: JupyterChart makes a new
    ``selections`` object each time.
    """

    def __init__(self, widget: Any, handlers: Mapping[str, Callable[[Any], None]]) -> None:
        self.widget = widget
        self.handlers = dict(handlers)
        self._watched: Any = None

    def attach(self) -> None:
        """Watch the selections of the chart the widget holds now."""
        selections = getattr(self.widget, "selections", None)
        if selections is None or selections is self._watched:
            return
        names = [name for name in self.handlers if selections.has_trait(name)]
        if names:
            selections.observe(self._changed, names=names)
        self._watched = selections

    def _changed(self, change: Mapping[str, Any]) -> None:
        value = getattr(change["new"], "value", None)
        if not value:
            return
        self.handlers[change["name"]](value)
