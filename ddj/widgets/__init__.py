"""The Explorer: filter a dataset's incidents, look at them in linked charts and drill into their accounts.

>>> from ddj.widgets import Explorer, ExplorerData

:class:`ExplorerData` is the pure logic (a filter specification in, counts, a table and the charts'
data out) and imports no widget; :class:`Explorer` puts ipywidgets and Altair's JupyterChart around
it, for JupyterLab and for the Voila dashboard that ``ddj explore`` serves.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Explorer", "ExplorerData"]


def __getattr__(name: str) -> Any:  # the widgets (ipywidgets, anywidget) load only when the Explorer is asked for
    if name == "Explorer":
        from ddj.widgets.explorer import Explorer

        return Explorer
    if name == "ExplorerData":
        from ddj.widgets.state import ExplorerData

        return ExplorerData
    msg = f"module 'ddj.widgets' has no attribute {name!r}"
    raise AttributeError(msg)
