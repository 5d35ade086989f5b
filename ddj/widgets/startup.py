"""The Explorer's start-up in named steps, so the served page can say what it is doing while a large dataset loads.

Voila sends a page's cells to the browser one by one as each finishes, and the page shows a spinner until the
last. ``ddj explore`` therefore serves the Explorer notebook with one cell per step inserted after its
parameters (see :func:`step_cells`). Usually there is one step, ``open``: ``ddj explore`` prepared the data
before the server started (:mod:`ddj.widgets.shared`) and each visitor's kernel memory-maps them, sharing their
pages with every other visitor's. When ddj's cache folder cannot be written, the kernel does the work itself in
three steps: load and check the dataset, compare the accounts, prepare the views. Each
cell says in its metadata (``{"ddj": {"then": "..."}}``) what the page should show while the *next* cell runs,
and ddj's Voila template (``_jupyter/voila/templates/ddj``) puts that sentence under the spinner. The prepared
data waits in this kernel (:func:`take`) for the notebook's own ``ddj.Explorer(dataset, ...)``, which uses it
instead of loading the dataset again; a notebook opened in JupyterLab, without these cells, works as before.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DRAW", "OPEN", "STEPS", "run", "step_cells", "take", "waiting"]

#: The steps, in order: name and what the page says while the step runs.
STEPS: tuple[tuple[str, str], ...] = (
    ("load", "Loading and checking the dataset"),
    ("compare", "Comparing what officials said with what others reported"),
    ("prepare", "Preparing the filters, counts and charts"),
)
#: What the page says while a kernel opens the data ``ddj explore`` prepared.
OPEN = "Opening the prepared dataset"
#: What the page says while the notebook's last cell builds the widgets and draws the first view.
DRAW = "Drawing the first view"

_WAITING: dict[str, dict[str, Any]] = {}


def run(step: str, dataset: str, prepared: str | None = None) -> None:
    """Run one start-up step for the dataset reference ``dataset`` (as the Explorer receives it) in this kernel.

    The step ``open`` opens the folder ``prepared`` (:func:`ddj.widgets.shared.open_prepared`); the steps
    ``load``, ``compare`` and ``prepare`` (:data:`STEPS`) do the work in this kernel. When the folder cannot be
    opened, ``open`` runs those three steps instead (the reason goes to the server's log, not to the page).

    Parameters
    ----------
    step : str
        ``open``, ``load``, ``compare`` or ``prepare``.
    dataset : str
        The dataset reference, as the notebook's ``dataset`` parameter gives it.
    prepared : str, optional
        The prepared folder (``open`` only).

    Raises
    ------
    NotFoundError
        An unknown step, or a step run before the one it needs.
    DDJError
        The dataset's own error (not found, not valid).
    """
    from ddj.errors import NotFoundError

    state = _WAITING.setdefault(str(dataset), {})
    if step == "open" and prepared:
        from ddj.widgets.shared import open_prepared

        state.clear()
        try:
            state["data"] = open_prepared(prepared)
        except Exception as err:  # noqa: BLE001 - any failure of the shared files: this kernel does the work
            import sys

            print(
                f"ddj explore: the prepared data in {prepared} cannot be opened ({err!r}); loading the dataset "
                "in this kernel instead",
                file=sys.__stderr__,
                flush=True,
            )  # the server's log, not the page
            for name, _ in STEPS:
                run(name, dataset)
            return
        state["dataset"] = state["data"].dataset
    elif step == "load":
        from ddj.datasets import load

        state.clear()
        state["dataset"] = load(dataset, warn=False)
    elif step == "compare" and "dataset" in state:
        from ddj.compare import compare

        state["comparison"] = compare(state["dataset"])
    elif step == "prepare" and "comparison" in state:
        from ddj.widgets.state import ExplorerData

        state["data"] = ExplorerData(state["dataset"], state["comparison"])
    else:
        _WAITING.pop(str(dataset), None)
        names = ", ".join(name for name, _ in STEPS)
        msg = f"no start-up step {step!r} at this point; the steps are, in order: {names}"
        raise NotFoundError(msg)


def waiting(dataset: str) -> Any | None:
    """What the start-up steps have prepared for ``dataset`` in this kernel and not yet handed over (None if none)."""
    return _WAITING.get(str(dataset), {}).get("data")


def take(dataset: str) -> Any | None:
    """The :class:`~ddj.widgets.state.ExplorerData` prepared for ``dataset`` in this kernel, once (None if none)."""
    state = _WAITING.pop(str(dataset), None)
    return None if state is None else state.get("data")


def step_cells(prepared: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The start-up cells to insert after a served notebook's parameters: ``(source, metadata)`` pairs.

    With a ``prepared`` folder, one cell opens it; without, one cell per step of :data:`STEPS`. Each cell's
    metadata names what the page shows while the next cell runs (the last: :data:`DRAW`); the cell before them
    should name the first step's (:func:`ddj.widgets.serve.write_notebook` puts it on the injected parameters).

    Examples
    --------
    >>> [meta["ddj"]["then"] for _, meta in step_cells()]
    ['Comparing what officials said with what others reported', 'Preparing the filters, counts and charts', \
'Drawing the first view']
    """
    if prepared:
        source = f"import ddj.widgets.startup\n\nddj.widgets.startup.run('open', dataset, prepared={str(prepared)!r})"
        return [(source, {"ddj": {"step": "open", "then": DRAW}, "tags": ["ddj-startup"]})]
    following = [message for _, message in STEPS[1:]] + [DRAW]
    return [
        (
            f"import ddj.widgets.startup\n\nddj.widgets.startup.run({name!r}, dataset)",
            {"ddj": {"step": name, "then": then}, "tags": ["ddj-startup"]},
        )
        for (name, _), then in zip(STEPS, following, strict=True)
    ]
