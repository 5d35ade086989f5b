"""The incident list as a widget a reader can click: a row opens its incident, a column heading sorts.

:class:`IncidentTable` is a small anywidget (its JavaScript is inline, nothing is fetched). Python writes
the table's HTML (built by :func:`ddj.widgets.views.table_html`, every text escaped there); the browser
shows it, and a click on a row sets :attr:`IncidentTable.clicked` to the row's incident id, a click on a
sortable heading sets :attr:`IncidentTable.order`. When :attr:`IncidentTable.chosen` changes (however the
incident was chosen: the list, the matrix, the map or the picker), the page scrolls to the incident's
accounts and the chosen row is highlighted.

Tests set the traits from Python, as the browser would.
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["IncidentTable"]

_ESM = r"""
function render({ model, el }) {
  const mark = () => {
    const chosen = model.get("chosen");
    for (const row of el.querySelectorAll("tr[data-incident]")) {
      const on = row.dataset.incident === chosen;
      row.classList.toggle("ddj-x-chosen", on);
      row.setAttribute("aria-selected", on ? "true" : "false");
    }
  };
  const open = (row) => {
    model.set("clicked", row.dataset.incident);
    model.save_changes();
  };
  const draw = () => {
    el.innerHTML = model.get("value");
    for (const row of el.querySelectorAll("tr[data-incident]")) {
      row.tabIndex = 0;
      row.addEventListener("click", () => open(row));
      row.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(row); }
      });
    }
    for (const head of el.querySelectorAll("th[data-sort]")) {
      const sort = () => {
        const key = head.dataset.sort;
        const now = model.get("order");
        model.set("order", key !== "status" && now === key ? "-" + key : key);
        model.save_changes();
      };
      head.tabIndex = 0;
      head.addEventListener("click", sort);
      head.addEventListener("keydown", (event) => { if (event.key === "Enter") sort(); });
    }
    mark();
  };
  // Scroll to the accounts once they are on the page (the kernel sends them just after the choice).
  let watching = null;
  const scroll = () => {
    mark();
    const chosen = model.get("chosen");
    const detail = document.querySelector(".ddj-x-detail");
    if (watching) { watching.disconnect(); watching = null; }
    if (!chosen || !detail) return;
    const shown = () => [...detail.querySelectorAll("[data-incident]")].some((e) => e.dataset.incident === chosen);
    const go = () => detail.scrollIntoView({ behavior: "smooth", block: "start" });
    if (shown()) { go(); return; }
    watching = new MutationObserver(() => {
      if (shown()) { watching.disconnect(); watching = null; go(); }
    });
    watching.observe(detail, { childList: true, subtree: true });
  };
  model.on("change:value", draw);
  model.on("change:chosen", scroll);
  draw();
}
export default { render };
"""


class IncidentTable(anywidget.AnyWidget):
    """The incident list: rows a reader can click, headings that sort (see the module's documentation).

    Attributes
    ----------
    value
        The table's HTML (escaped by its maker).
    clicked
        The incident id of the row the reader clicked last ("" once handled).
    order
        The sort order a heading click asked for (see :data:`ddj.widgets.state.ROW_ORDERS`).
    chosen
        The incident whose accounts are shown ("" for none): its row is highlighted and the page scrolls
        to the accounts when it changes.
    """

    _esm = _ESM
    value = traitlets.Unicode("").tag(sync=True)
    clicked = traitlets.Unicode("").tag(sync=True)
    order = traitlets.Unicode("date").tag(sync=True)
    chosen = traitlets.Unicode("").tag(sync=True)
