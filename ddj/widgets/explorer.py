"""The Explorer: filter widgets (with facet counts and a search box), counts, three linked charts, a sorted
and paged list of incidents whose rows open one incident's accounts, and the view as CSV and JSON.

The widgets only read and write a :class:`~ddj.filters.FilterSpec`; everything they show comes from
:meth:`ddj.widgets.state.ExplorerData.view`, polars work on frames prepared once, so a change never
reloads or recompares the dataset. Charts are Altair JupyterCharts in offline mode (their JavaScript
comes from vl-convert's bundle, never from a CDN), drawn as SVG.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import functools
import os
import re
import shlex
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt
import ipywidgets as w

from ddj.errors import DDJError, InvalidValueError, UsageError
from ddj.filters import FILTER_BY_NAME, FILTERS, Filter, FilterSpec, value_words, vocabulary
from ddj.html import escape
from ddj.widgets import selection
from ddj.widgets.charts import (
    CHART_NAMES,
    MAP_PICK,
    MATRIX_PICK,
    STATUS_PICK,
    TIMELINE_BRUSH,
    build_chart,
    build_charts,
    chart_inputs,
)
from ddj.widgets.download import download_html
from ddj.widgets.state import ROW_ORDERS, TABLE_ROWS, ExplorerData, View
from ddj.widgets.table import IncidentTable
from ddj.widgets.views import STYLE, counts_html, incident_html, table_html

if TYPE_CHECKING:
    from ddj.compare import Comparison
    from ddj.datasets.dataset import Dataset

__all__ = [
    "Explorer",
    "address_problems_html",
    "chart_widget_class",
    "list_from_address",
    "spec_from_query",
    "spec_to_query",
    "view_from_address",
]

_CACHE_VIEWS = 32
#: Views of at most this many incidents get their download links at once; larger ones on request.
DOWNLOAD_AUTO_ROWS = 5_000
_EMBED = {"renderer": "svg", "actions": False}


class Explorer:
    """Filter a dataset's incidents and look at them: counts, linked charts, a table, accounts side by side.

    Parameters
    ----------
    dataset
        A shipped dataset's name, a package folder, or a loaded :class:`~ddj.datasets.Dataset`.
    filters
        The view to start from: a :class:`~ddj.filters.FilterSpec`, its JSON text or a mapping.
    comparison
        The dataset's comparison, when already computed.
    debounce
        Seconds to wait after a widget change before updating (changes in between are merged);
        0 updates at once.
    query
        A URL query string holding a view (see :func:`spec_from_query`); when it names any filter, it
        replaces ``filters``; its ``order`` and ``page`` sort the list and open it at that page (see
        :func:`list_from_address`). None (the default) reads the ``QUERY_STRING`` environment variable, which
        Voila sets to the page's query in the visitor's kernel: a shared link opens the view it names.

    Attributes
    ----------
    data
        The :class:`~ddj.widgets.state.ExplorerData` behind every view.
    controls
        One widget per filter, by filter name (see :data:`ddj.filters.FILTERS`).
    view
        What is shown now (:class:`~ddj.widgets.state.View`).
    facets
        How many incidents each option of each values filter would keep under the other filters
        (:meth:`~ddj.widgets.state.ExplorerData.facets`); the options show them.
    rows
        The page of the incident list shown now (sorted by :attr:`order`, page :attr:`page`).
    table
        The incident list (:class:`~ddj.widgets.table.IncidentTable`): rows a reader clicks.
    ui
        The whole Explorer as one ipywidgets box (what a notebook displays).

    Examples
    --------
    >>> explorer = Explorer("syria-ru-aviation", debounce=0)
    >>> explorer.controls["statuses"].value = ("official_silent",)
    >>> explorer.view.counts.incidents, explorer.view.table["incident_id"].to_list()
    (1, ['syr-2016-08-retaliation-strikes'])

    Choosing the status "official silent" in its widget leaves the one incident the operator never
    spoke of, the strike campaign after the Mi-8 was shot down.
    """

    def __init__(
        self,
        dataset: str | os.PathLike[str] | Dataset = "syria-ru-aviation",
        *,
        filters: FilterSpec | Mapping[str, Any] | str | None = None,
        comparison: Comparison | None = None,
        debounce: float = 0.15,
        query: str | None = None,
    ) -> None:
        prepared = None
        if isinstance(dataset, (str, os.PathLike)):
            from ddj.datasets import load
            from ddj.widgets.startup import take

            self.dataset_ref = str(dataset)
            prepared = take(self.dataset_ref) if comparison is None else None  # ddj explore's start-up steps
            dataset = load(dataset, warn=False) if prepared is None else prepared.dataset
        else:
            self.dataset_ref = dataset.name if _is_shipped(dataset) else str(dataset.folder)
        self.dataset = dataset
        self.data = prepared if prepared is not None else ExplorerData(dataset, comparison)
        spec = _coerce(filters)
        spec.check_values(self.data.facts)
        address = os.environ.get("QUERY_STRING", "") if query is None else query
        from_address, problems = view_from_address(address, self.data.facts)
        if from_address is not None:
            spec = from_address
        order, page, list_problems = list_from_address(address)
        self._spec = spec
        self._debounce = float(debounce)
        self._pending: Any = None
        self._quiet_depth = 0
        self._cache: OrderedDict[FilterSpec, View] = OrderedDict()
        self._facet_cache: OrderedDict[FilterSpec, dict[str, dict[str, int]]] = OrderedDict()
        self.order = order
        self.page = page
        self.page_size = TABLE_ROWS
        self._shown: dict[str, Any] = {}
        self.chosen: str | None = None
        self._build()
        with self._quiet():
            self.order_picker.value = order
            self.table.order = order
        self._show_spec(spec)
        self.refresh()
        messages = [address_problems_html(problems, fallback=spec)] if problems else []
        if list_problems:
            messages.append(_list_problems_html(list_problems))
        self.message.value = "".join(messages)

    # --- the public surface --------------------------------------------------------------------------

    @property
    def spec(self) -> FilterSpec:
        """The filters in force."""
        return self._spec

    def set_filters(self, spec: FilterSpec | Mapping[str, Any] | str | None = None, /, **changes: Any) -> None:
        """Show the view of ``spec`` (a FilterSpec, JSON or mapping), or the current spec with ``changes``."""
        new = _coerce(spec) if spec is not None else self._spec
        if changes:
            new = new.replace(**changes)
        self._apply(new, update_controls=True)

    def clear_filters(self) -> None:
        """Show every incident."""
        self._apply(FilterSpec(), update_controls=True)

    def choose(self, incident_id: str | None) -> None:
        """Show one incident's accounts side by side with its narrative (None: show nothing)."""
        self.chosen = incident_id
        with self._quiet():
            options = [value for _, value in self.incident_picker.options]
            if incident_id is not None and incident_id not in options:
                self.incident_picker.options = [*self.incident_picker.options, (incident_id, incident_id)]
            self.incident_picker.value = incident_id
            self.table.chosen = incident_id or ""
        if incident_id is None:
            self.detail.value = '<p class="ddj-x-muted">Choose an incident in the list, the matrix or the map.</p>'
            return
        try:
            self.detail.value = incident_html(self.data, incident_id)
        except DDJError as err:
            self.detail.value = f'<p class="ddj-x-error">{escape(err)}</p>'

    def report(self, notebook: str = "theatre-overview") -> Any:
        """The ``ddj run`` command and ``reports.toml`` entry that reproduce this view with ``notebook``.

        Raises
        ------
        ReportEntryError
            The notebook cannot take every filter of the view (the message says which).
        """
        spec = self._spec
        if self.chosen is not None and not spec.incident_ids and _takes_incident(notebook):
            spec = spec.replace(incident_ids=[self.chosen])  # the incident on screen, not the notebook's default
        from ddj.report.runner.entries import report_entry

        return report_entry(spec, notebook, dataset=self.dataset_ref)

    def command(self) -> str:
        """The ``ddj explore`` command that opens this view again."""
        import shlex

        return shlex.join(["ddj", "explore", self.dataset_ref, *self._spec.to_flags()])

    def refresh(self) -> None:
        """Recompute and redraw the view of the filters in force."""
        view = self._view(self._spec)
        self.view = view
        self.counts.value = counts_html(view)
        self._show_facets(self._facets(self._spec))
        self._draw_rows()
        self._draw_download(automatic=True)
        with self._quiet():
            ids = view.table["incident_id"].to_list()
            titles = view.table["title"].to_list()
            options = [(f"{i} — {t[:70]}", i) for i, t in zip(ids, titles, strict=True)]
            if self.chosen and self.chosen not in ids:
                options.append((self.chosen, self.chosen))
            self.incident_picker.options = [("(choose an incident)", None), *options]
            self.incident_picker.value = self.chosen
        for name in CHART_NAMES:
            self._draw(name, view)
        self.cli.value = (
            f'<div class="ddj-x-muted">The same view from the command line: <code>{escape(self.command())}</code></div>'
        )
        self._draw_link()

    def _draw_link(self) -> None:
        """The link to this view: its filters, and the list's order and page when they are not the first."""
        query = spec_to_query(self._spec, order=self.order, page=self.page)
        self.link.value = (
            f'<div class="ddj-x-link"><a href="?{escape(query)}" target="_blank" '
            f'data-query="{escape(query)}">A link to this view</a> '
            '<span class="ddj-x-muted">(copy it to share the view; it opens with these filters)'
            "</span></div>"
        )

    def sort_rows(self, order: str) -> None:
        """Sort the incident list (see :data:`ddj.widgets.state.ROW_ORDERS`) and show its first page."""
        if order not in ROW_ORDERS:
            msg = f"no row order {order!r}; the orders are: {', '.join(ROW_ORDERS)}"
            raise InvalidValueError(msg)
        self.order = order
        self.page = 0
        with self._quiet():
            self.order_picker.value = order
            self.table.order = order
        self._draw_rows()

    def turn_page(self, step: int) -> None:
        """Show the page ``step`` pages on (negative: back) in the incident list."""
        self.page = max(0, self.page + int(step))
        self._draw_rows()

    def download(self) -> str:
        """Build the download links for the view in force (whatever its size, up to the limit); return their HTML."""
        self._draw_download(automatic=False)
        return self.download_links.value

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    # --- building the widgets --------------------------------------------------------------------------

    def _build(self) -> None:
        self._option_values: dict[str, list[str]] = {}
        self.controls: dict[str, w.Widget] = {item.name: self._control(item) for item in FILTERS}
        for control in self.controls.values():
            control.observe(self._control_changed, names="value")
        presets = [
            ("Contradictions only", "ddj-preset-contradictions", lambda _: self.set_filters(statuses=("contradict",))),
            (
                "No official account",
                "ddj-preset-silence",
                lambda _: self.set_filters(statuses=("official_silent", "no_official_record")),
            ),
            ("Clear filters", "ddj-preset-clear", lambda _: self.clear_filters()),
        ]
        buttons = []
        for label, css, callback in presets:
            button = w.Button(description=label, layout=w.Layout(width="auto"))
            button.add_class(css)
            button.on_click(callback)
            buttons.append(button)
        self.message = w.HTML()
        self.message.add_class("ddj-x-message")
        panel = [
            w.HTML(STYLE + "<h3>Filters</h3>"),
            w.HBox(buttons[:2], layout=w.Layout(flex_flow="row wrap")),
            buttons[2],
            self.message,
        ]
        for item in FILTERS:
            label = w.HTML(f"<b>{escape(item.label)}</b>", tooltip=item.help)
            panel.append(w.VBox([label, self.controls[item.name]]))
        filters = w.VBox(panel, layout=w.Layout(width="300px", min_width="300px", padding="0 12px 0 0"))
        filters.add_class("ddj-x-filters")

        self.counts = w.HTML()
        self.counts.add_class("ddj-x-counts-widget")
        chart_class = chart_widget_class()
        first = self._view(self._spec)
        charts = build_charts(first, self.data)
        self.charts: dict[str, Any] = {}
        for name, chart in charts.items():
            widget = chart_class(chart, embed_options=_EMBED, debounce_wait=300, max_wait=False)
            widget.add_class(f"ddj-chart-{name}")
            self.charts[name] = widget
        self._links = {
            "timeline": selection.SelectionLink(self.charts["timeline"], {TIMELINE_BRUSH: self._brushed}),
            "matrix": selection.SelectionLink(
                self.charts["matrix"], {STATUS_PICK: self._status_picked, MATRIX_PICK: self._incident_picked}
            ),
            "map": selection.SelectionLink(self.charts["map"], {MAP_PICK: self._incident_picked}),
        }
        for name, link in self._links.items():
            link.attach()
            self._shown[name] = chart_inputs(name, first)
        self.table = IncidentTable()
        self.table.add_class("ddj-x-table-widget")
        self.table.observe(self._row_clicked, names="clicked")
        self.table.observe(self._order_asked, names="order")
        self.order_picker = w.Dropdown(
            options=[(words, key) for key, words in ROW_ORDERS.items()],
            value="date",
            description="Sort",
            layout=w.Layout(width="320px"),
        )
        self.order_picker.add_class("ddj-x-order")
        self.order_picker.observe(self._order_asked, names="value")
        self.previous_button = w.Button(description="‹ previous", layout=w.Layout(width="auto"))
        self.previous_button.add_class("ddj-x-previous")
        self.previous_button.on_click(lambda _: self.turn_page(-1))
        self.next_button = w.Button(description="next ›", layout=w.Layout(width="auto"))
        self.next_button.add_class("ddj-x-next")
        self.next_button.on_click(lambda _: self.turn_page(1))
        self.page_label = w.HTML()
        self.page_label.add_class("ddj-x-page")
        self.download_links = w.HTML()
        self.download_links.add_class("ddj-x-download-widget")
        self.download_button = w.Button(description="Prepare CSV and JSON of this view", layout=w.Layout(width="auto"))
        self.download_button.add_class("ddj-x-download-button")
        self.download_button.on_click(lambda _: self.download())
        self.incident_picker = w.Dropdown(
            options=[("(choose an incident)", None)], value=None, description="Incident", layout=w.Layout(width="100%")
        )
        self.incident_picker.add_class("ddj-incident-picker")
        self.incident_picker.observe(self._picker_changed, names="value")
        self.detail = w.HTML('<p class="ddj-x-muted">Choose an incident in the list, the matrix or the map.</p>')
        self.detail.add_class("ddj-x-detail")
        self.notebook_picker = w.Dropdown(options=_report_notebooks(), description="Notebook")
        self.report_button = w.Button(description="Turn this view into a report", layout=w.Layout(width="auto"))
        self.report_button.add_class("ddj-report-button")
        self.report_button.on_click(lambda _: self._show_report())
        self.report_output = w.HTML()
        self.report_output.add_class("ddj-x-report")
        self.cli = w.HTML()
        self.link = w.HTML()
        self.link.add_class("ddj-x-link-widget")
        main = w.VBox(
            [
                self.counts,
                self.charts["timeline"],
                self.charts["matrix"],
                self.charts["map"],
                w.HTML("<h3>Incidents</h3>"),
                w.HBox(
                    [self.order_picker, self.previous_button, self.page_label, self.next_button],
                    layout=w.Layout(align_items="center", flex_flow="row wrap"),
                ),
                self.table,
                w.HBox([self.download_button, self.download_links], layout=w.Layout(align_items="center")),
                w.HTML("<h3>One incident, every account</h3>"),
                self.incident_picker,
                self.detail,
                w.HTML("<h3>Turn this view into a report</h3>"),
                w.HBox([self.notebook_picker, self.report_button]),
                self.report_output,
                self.cli,
                self.link,
            ],
            layout=w.Layout(flex="1 1 auto", min_width="0"),
        )
        self.ui = w.HBox([filters, main], layout=w.Layout(align_items="flex-start"))
        self.ui.add_class("ddj-explorer")

    def _control(self, item: Filter) -> w.Widget:
        layout = w.Layout(width="280px")
        if item.kind == "date":
            control: w.Widget = w.DatePicker(value=None, layout=layout)
        elif item.kind == "text":
            control = w.Text(
                placeholder="words in a title, place, summary or statement (Enter)",
                layout=layout,
                continuous_update=False,
            )
        elif item.name == "incident_ids":
            control = w.Text(placeholder="ids, separated by commas", layout=layout, continuous_update=False)
        else:
            values = self._choices(item)
            self._option_values[item.name] = values
            options = [(_label(item, v), v) for v in values]
            control = w.SelectMultiple(options=options, rows=min(max(len(options), 2), 6), layout=layout)
        control.tooltip = item.help
        control.add_class(f"ddj-filter-{item.name.replace('_', '-')}")
        return control

    def _choices(self, item: Filter) -> list[str]:
        if item.name == "attribute_statuses":  # the pairs some incident has: 70 would be too many to read
            counts = self._facets(FilterSpec())["attribute_statuses"]
            return [v for v in vocabulary("attribute_statuses") if counts.get(v)]
        if item.name in ("statuses", "grades", "sides"):
            return list(vocabulary(item.vocabulary or item.name))
        if item.name == "source_kinds":
            kinds = set(self.dataset.sources["kind"].to_list())
            return [k for k in vocabulary("source_kinds") if k in kinds]
        present = self.data.values(item.column or item.name)
        if item.vocabulary:
            words = vocabulary(item.vocabulary)
            return [v for v in words if v in present]
        return present

    # --- reacting to changes ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _quiet(self) -> Iterator[None]:
        """Change widgets without their observers reacting."""
        self._quiet_depth += 1
        try:
            yield
        finally:
            self._quiet_depth -= 1

    def _control_changed(self, _change: Any) -> None:
        if self._quiet_depth:
            return
        if self._debounce <= 0:
            self._from_controls()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a plain script): update at once
            self._from_controls()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(self._debounce, self._from_controls)

    def _from_controls(self) -> None:
        self._pending = None
        values: dict[str, Any] = {}
        for item in FILTERS:
            value = self.controls[item.name].value
            if item.name == "incident_ids":
                value = [v for v in re.split(r"[\s,]+", value or "") if v]
            elif item.kind == "text":
                value = value or None
            elif item.kind == "values":
                value = list(value)
            values[item.name] = value
        try:
            spec = FilterSpec(**values)
        except UsageError as err:
            self.message.value = f'<p class="ddj-x-error" style="color:#b00">{escape(err)}</p>'
            return
        self._apply(spec, update_controls=False)

    def _apply(self, spec: FilterSpec, *, update_controls: bool) -> None:
        self.message.value = ""
        if spec != self._spec:
            self.page = 0
        self._spec = spec
        if update_controls:
            self._show_spec(spec)
        self.refresh()

    def _show_spec(self, spec: FilterSpec) -> None:
        with self._quiet():
            for item in FILTERS:
                control = self.controls[item.name]
                value = getattr(spec, item.name)
                if item.name == "incident_ids":
                    control.value = ", ".join(value)
                elif item.kind == "text":
                    control.value = value or ""
                elif item.kind == "values":
                    known = {v for _, v in control.options}
                    extra = [v for v in value if v not in known]
                    if extra:
                        control.options = [*control.options, *[(_label(item, v), v) for v in extra]]
                    control.value = tuple(value)
                else:
                    control.value = value

    def _view(self, spec: FilterSpec) -> View:
        if spec in self._cache:
            self._cache.move_to_end(spec)
            return self._cache[spec]
        view = self.data.view(spec)
        self._cache[spec] = view
        if len(self._cache) > _CACHE_VIEWS:
            self._cache.popitem(last=False)
        return view

    def _facets(self, spec: FilterSpec) -> dict[str, dict[str, int]]:
        if spec in self._facet_cache:
            self._facet_cache.move_to_end(spec)
            return self._facet_cache[spec]
        facets = self.data.facets(spec)
        self._facet_cache[spec] = facets
        if len(self._facet_cache) > _CACHE_VIEWS:
            self._facet_cache.popitem(last=False)
        return facets

    def _show_facets(self, facets: dict[str, dict[str, int]]) -> None:
        """Write beside each option how many incidents choosing it would keep under the other filters."""
        self.facets = facets
        with self._quiet():
            for name, counts in facets.items():
                control = self.controls[name]
                item = FILTER_BY_NAME[name]
                value = tuple(control.value)
                values = list(self._option_values.get(name, []))
                values += [v for v in value if v not in values]
                options = [(f"{_label(item, v)} ({counts.get(v, 0):,})", v) for v in values]
                if list(control.options) != options:
                    control.options = options
                    control.value = value

    def _draw_rows(self) -> None:
        """Show the page of the incident list in force (the page is clamped to the last one)."""
        rows, page = self.data.rows(self._spec, order=self.order, page=self.page, page_size=self.page_size)
        self.page = page
        self.rows = rows
        total = self.view.counts.incidents
        pages = max(1, -(-total // self.page_size))
        self.table.value = table_html(
            rows, total, page=page, page_size=self.page_size, order=self.order, chosen=self.chosen
        )
        self.page_label.value = (
            f'<span class="ddj-x-muted" data-page="{page}" data-pages="{pages}">page {page + 1:,} of {pages:,}</span>'
        )
        self.previous_button.disabled = page == 0
        self.next_button.disabled = page + 1 >= pages
        if hasattr(self, "link"):  # the list is first drawn while the widgets are built
            self._draw_link()

    def _draw_download(self, *, automatic: bool) -> None:
        """The view's download links: at once for small views, on request (the button) for larger ones."""
        from ddj.widgets.download import DOWNLOAD_MAX_ROWS

        total = self.view.counts.incidents
        if automatic and total > DOWNLOAD_AUTO_ROWS:
            self.download_links.value = ""
            self.download_button.layout.display = None
            self.download_button.description = f"Prepare CSV and JSON of this view ({total:,} incidents)"
            return
        self.download_button.layout.display = "none"
        name = f"{self.dataset.name} {self._spec.describe()}"
        command = shlex.join(["ddj", "compare", self.dataset_ref, *self._spec.to_flags(), "--out", "view.csv"])
        frame = self.data.export(self._spec) if total <= DOWNLOAD_MAX_ROWS else None
        self.download_links.value = download_html(frame, name=name, total=total, command=command)

    def _row_clicked(self, change: Any) -> None:
        if self._quiet_depth or not change["new"]:
            return
        incident_id = change["new"]
        with self._quiet():
            self.table.clicked = ""  # a second click on the same row opens it again
        self.choose(incident_id)

    def _order_asked(self, change: Any) -> None:
        if self._quiet_depth:
            return
        try:
            self.sort_rows(change["new"])
        except UsageError as err:
            self.message.value = f'<p class="ddj-x-error" style="color:#b00">{escape(err)}</p>'

    def _draw(self, name: str, view: View) -> None:
        """Redraw chart ``name`` when what it shows changed (an unchanged chart keeps its selection)."""
        inputs = chart_inputs(name, view)
        shown = self._shown.get(name)
        if shown is not None and shown[1] == inputs[1] and shown[0].equals(inputs[0]):
            return
        self.charts[name].chart = build_chart(name, view, self.data)
        self._shown[name] = inputs
        self._links[name].attach()

    def _brushed(self, value: Any) -> None:
        days = selection.dates_from_interval(value, "period")
        if days is not None:
            self.set_filters(date_from=days[0], date_to=days[1])

    def _status_picked(self, value: Any) -> None:
        """A click on the shares matrix means what it shows: that status *on that attribute*."""
        pairs = selection.attribute_statuses_from_points(value)
        if pairs:
            self.set_filters(attribute_statuses=pairs)

    def _incident_picked(self, value: Any) -> None:
        ids = selection.values_from_points(value, "incident_id")
        if ids:
            self.choose(ids[-1])

    def _picker_changed(self, change: Any) -> None:
        if self._quiet_depth:
            return
        self.choose(change["new"])

    def _show_report(self) -> None:
        try:
            entry = self.report(self.notebook_picker.value)
        except DDJError as err:
            self.report_output.value = f'<p class="ddj-x-error" style="color:#b00">{escape(err)}</p>'
            return
        try:
            toml = entry.toml
        except DDJError as err:
            toml = f"# {err}"
        self.report_output.value = (
            f"<p>Run it once:</p><pre class='ddj-x-command'>{escape(entry.command)}</pre>"
            f"<p>Or add it to <code>reports.toml</code> so <code>make reports</code> rebuilds it:</p>"
            f"<pre class='ddj-x-toml'>{escape(toml)}</pre>"
        )


# --- helpers --------------------------------------------------------------------------------------------


def spec_to_query(spec: FilterSpec, *, order: str = "date", page: int = 0) -> str:
    """A view as a URL query string: one ``name=value`` pair per value, named as :meth:`FilterSpec.to_dict` names
    them (``countries=Syria&statuses=contradict&date_from=2016-01-01``), then the list's ``order`` (one of
    :data:`ddj.widgets.state.ROW_ORDERS`) and ``page`` (counted from 1, as the page shows it) when they are not
    the first; empty for every incident in date order.

    Parameters
    ----------
    spec : FilterSpec
        The filters.
    order : str, default "date"
        The list's order.
    page : int, default 0
        The list's page, from 0 (written from 1).

    Examples
    --------
    >>> spec = FilterSpec(countries=["Syria"], statuses=["contradict"])
    >>> spec_to_query(spec)
    'countries=Syria&statuses=contradict'
    >>> spec_to_query(spec, order="-date", page=2)
    'countries=Syria&statuses=contradict&order=-date&page=3'
    >>> spec_from_query(spec_to_query(spec)) == spec
    True
    """
    from urllib.parse import urlencode

    pairs = list(spec.to_dict().items())
    if order != "date":
        pairs.append(("order", order))
    if page > 0:
        pairs.append(("page", str(page + 1)))
    return urlencode(pairs, doseq=True)


def list_from_address(query: str | None) -> tuple[str, int, list[str]]:
    """The incident list's order and page (from 0) a page's address names, and what is wrong with them.

    ``order`` is one of :data:`ddj.widgets.state.ROW_ORDERS` (``date`` when absent); ``page`` counts from 1, as
    the page shows it (a page past the end shows the last). A bad value is named, with what to write, and the
    first page in date order is shown instead.

    Examples
    --------
    >>> list_from_address("countries=Syria&order=-grade&page=2")
    ('-grade', 1, [])
    >>> order, page, problems = list_from_address("order=colour&page=0")
    >>> (order, page), problems[0]
    (('date', 0), 'order=colour: there is no such order; write one of date, -date, grade, -grade, status')

    An order the list does not know is named, with the orders it knows, and the list opens on its first page in
    date order.
    """
    from urllib.parse import parse_qsl

    order, page, problems = "date", 0, []
    for name, value in parse_qsl((query or "").lstrip("?"), keep_blank_values=False):
        if name == "order":
            if value in ROW_ORDERS:
                order = value
            else:
                problems.append(f"order={_shown(value)}: there is no such order; write one of {', '.join(ROW_ORDERS)}")
        elif name == "page":
            text = value.strip()
            if text.isascii() and text.isdigit() and 1 <= int(text) <= 10**9:
                page = int(text) - 1
            else:
                problems.append(f"page={_shown(value)}: write a page number from 1")
    return order, page, problems


def spec_from_query(query: str | None) -> FilterSpec:
    """Read a view from a URL query string as :func:`spec_to_query` writes it (a leading ``?`` is allowed).

    Names that are not filters (Voila's ``token``, for one) are ignored; a date or a search given twice keeps
    the last.

    Raises
    ------
    InvalidValueError
        A value a filter does not accept (a word outside its vocabulary, a bad date).
    """
    from urllib.parse import parse_qs

    from ddj.filters import FILTER_BY_NAME

    pairs = parse_qs((query or "").lstrip("?"), keep_blank_values=False)
    values: dict[str, Any] = {}
    for name, given in pairs.items():
        item = FILTER_BY_NAME.get(name)
        if item is None:
            continue
        values[name] = given if item.kind == "values" else given[-1]
    return FilterSpec.from_dict(values)


#: Names in a page's address that are not filters: Voila's or the browser's (never reported as unknown), and the
#: list's order and page (read by :func:`list_from_address`).
_NOT_FILTERS = frozenset({"token", "_xsrf", "template", "theme", "order", "page"})
_FLAG_PREFIX = re.compile(r"^--[\w-]+(?:\s+'(?:[^'\\]|\\.)*')?:?\s+")


def view_from_address(query: str | None, facts: Any) -> tuple[FilterSpec | None, list[str]]:
    """The view a page's address (its query string) names, checked against the data, and what is wrong with it.

    Each parameter is read and checked on its own, so every bad one is named, with its value and what to do
    (a close match when there is one): an unknown filter name (``country=`` for ``countries=``), a word outside
    a filter's vocabulary, a value no incident has, a malformed date, dates in the wrong order.

    Parameters
    ----------
    query
        The query string (a leading ``?`` is allowed); Voila's ``token`` is ignored.
    facts
        The incident facts the values are checked against (:func:`ddj.filters.incident_facts`).

    Returns
    -------
    tuple
        ``(spec, [])`` for a good address (``spec`` None when it names no filter), or ``(None, problems)``:
        one sentence per bad parameter, and the page shows the view it started with instead.

    Examples
    --------
    >>> from ddj.filters import incident_facts
    >>> from ddj.datasets import load
    >>> facts = incident_facts(load("syria-ru-aviation", warn=False))
    >>> view_from_address("?statuses=contradict&countries=Syria", facts)[0].describe()
    'country: Syria; status: contradict'
    >>> view_from_address("countries=syria&date_from=2016-13-01", facts)[1][0]
    "countries=syria: no incident has that country. Did you mean 'Syria'? The dataset has: ..."
    """
    from urllib.parse import parse_qsl

    pairs = parse_qsl((query or "").lstrip("?"), keep_blank_values=False)
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name, value in pairs:
        item = FILTER_BY_NAME.get(name)
        if item is None:
            if name not in _NOT_FILTERS and not name.startswith("voila"):
                close = difflib.get_close_matches(name, list(FILTER_BY_NAME), n=1)
                hint = f"did you mean {close[0]}=?; " if close else ""
                problems.append(
                    f"{_shown(name)}={_shown(value)}: there is no filter named {_shown(name)}; {hint}"
                    f"the filters are: {', '.join(FILTER_BY_NAME)}"
                )
            continue
        try:
            one = FilterSpec.from_dict({name: [value] if item.kind == "values" else value})
            one.check_values(facts)
        except DDJError as err:
            reason = _FLAG_PREFIX.sub("", str(err), count=1)
            problems.append(f"{name}={_shown(value)}{' ' if reason.startswith('is ') else ': '}{reason}")
            continue
        if item.kind == "values":
            values.setdefault(name, []).append(value)
        else:
            values[name] = value  # a date or a search given twice keeps the last
    if problems:
        return None, problems
    try:
        spec = FilterSpec.from_dict(values)
        spec.check_values(facts)
    except DDJError as err:  # a problem between parameters (dates in the wrong order)
        return None, [f"{'&'.join(f'{k}={_shown(v)}' for k, v in pairs)}: {err}"]
    return (None if spec.is_empty else spec), []


def address_problems_html(problems: list[str], *, fallback: FilterSpec) -> str:
    """The page's message for a bad address: every problem, the view shown instead, and what to do."""
    items = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
    shown = "every incident" if fallback.is_empty else f"the view it started with ({fallback.describe()})"
    return (
        '<div class="ddj-x-error ddj-x-address-error" role="alert" style="color:#b00">'
        "<p>The view in this page's address cannot be shown:</p>"
        f"<ul>{items}</ul>"
        f"<p>Showing {escape(shown)} instead. Correct or remove the parameter in the address and reload, "
        "or choose the filters below (“A link to this view” then gives a good address).</p></div>"
    )


def _list_problems_html(problems: list[str]) -> str:
    """The page's message for a bad ``order`` or ``page`` in its address: each problem, and what is shown instead."""
    items = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
    return (
        '<div class="ddj-x-error ddj-x-address-error" role="alert" style="color:#b00">'
        "<p>The list's order or page in this page's address cannot be used:</p>"
        f"<ul>{items}</ul><p>Showing the list's first page, in date order, instead.</p></div>"
    )


def _shown(text: str, limit: int = 60) -> str:
    """A value from a page's address as a message quotes it: one line, at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _coerce(filters: FilterSpec | Mapping[str, Any] | str | None) -> FilterSpec:
    if filters is None:
        return FilterSpec()
    if isinstance(filters, FilterSpec):
        return filters
    if isinstance(filters, str):
        return FilterSpec.from_json(filters)
    return FilterSpec.from_dict(filters)


def _label(item: Filter, value: str) -> str:
    """A filter value as its widget shows it: in words, never a raw code (see :func:`ddj.filters.value_words`)."""
    return value_words(item.name, value)


def _takes_incident(notebook: str) -> bool:
    """Whether ``notebook`` reports on one incident (it declares an ``incident_id`` parameter)."""
    from ddj.report.runner.entries import find_notebook as _notebook_path
    from ddj.report.runner.params import read_parameters

    try:
        path, _ = _notebook_path(notebook, None)
        return "incident_id" in read_parameters(path)
    except (DDJError, OSError):
        return False


def _is_shipped(dataset: Dataset) -> bool:
    from ddj.datasets import data_dir

    try:
        return Path(dataset.folder).resolve() == (data_dir() / dataset.name).resolve()
    except (OSError, AttributeError):
        return False


def _report_notebooks() -> list[str]:
    folder = Path(__file__).resolve().parents[2] / "notebooks"
    names = sorted(p.stem for p in folder.glob("*.ipynb") if p.stem != "explore")
    preferred = [n for n in ("theatre-overview",) if n in names]
    return preferred + [n for n in names if n not in preferred] or ["theatre-overview"]


@functools.cache
def chart_widget_class() -> type:
    """The JupyterChart class the Explorer draws with: offline, its JavaScript from vl-convert's bundle.

    Bundling takes a few seconds, so the bundle is kept in ddj's cache folder (``~/.cache/ddj/``, see
    :func:`ddj.widgets.bundle.bundle_file`) keyed by the altair and vl-convert versions, and later kernels (a
    Voila dashboard starts one per visitor) read it back. Without a usable cache,
    ``alt.JupyterChart.enable_offline()`` is used. Under ``ddj explore`` a chart's module is the kept bundle's
    address on the Explorer's server (:func:`ddj.widgets.bundle.served_address`), so a page fetches it once for
    its three charts; elsewhere (a notebook) it is the bundle's text. The class is made once per kernel and then
    reused.
    """
    from ddj.widgets.bundle import bundle_file, served_address

    cache = bundle_file()
    bundle = None
    try:
        if cache.is_file():
            bundle = cache.read_text(encoding="utf-8")
    except OSError:
        bundle = None
    kept = bool(bundle)
    if not bundle:
        alt.JupyterChart.enable_offline()
        bundle = str(alt.JupyterChart._esm)  # noqa: SLF001 - altair has no public accessor for its offline ESM bundle
        try:
            from ddj._io import atomic_write_bytes

            cache.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(cache, bundle.encode("utf-8"))
            kept = True
        except OSError:
            pass
    module = (served_address(bundle) if kept else None) or bundle
    return type("OfflineJupyterChart", (alt.JupyterChart,), {"_esm": module, "__module__": __name__})
