"""ddj: set what officials said about a military incident against what everyone else reported.

The public surface: :func:`load` a dataset (validated), :func:`inspect` one without raising,
and the :class:`Dataset` it returns; the packages :mod:`ddj.compare` (``ddj.compare.compare(dataset)``)
and :mod:`ddj.tally` (``ddj.tally.tally(dataset, as_of=...)``, ``ddj.tally.tally_series(dataset)``...).
Errors are :class:`DDJError` subclasses; data caveats are :class:`DataCaveatWarning` warnings.

Names are imported on first use (see ``_PUBLIC`` and ``_PACKAGES``), so ``import ddj`` and the command
line stay fast and pull in polars, altair or jupyter only when a function needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

from ddj._version import __version__

# Public name -> module that defines it. Add a name here (and nowhere else) to export it.
_PUBLIC: dict[str, str] = {
    "DDJError": "ddj.errors",
    "ValidationError": "ddj.errors",
    "DataCaveatWarning": "ddj.warnings",
    "Dataset": "ddj.datasets",
    "Explorer": "ddj.widgets",
    "FilterSpec": "ddj.filters",
    "inspect": "ddj.datasets",
    "load": "ddj.datasets",
    "shipped_datasets": "ddj.datasets",
}
#: Subpackages on the public surface: ``ddj.compare`` and ``ddj.tally`` are these packages (imported on first use).
_PACKAGES = ("compare", "tally")

__all__ = ["__version__", *sorted((*_PUBLIC, *_PACKAGES))]  # noqa: PLE0604 - names, all strings


def __getattr__(name: str) -> Any:
    if name in _PACKAGES:
        return importlib.import_module(f"ddj.{name}")  # importing a subpackage also binds it here
    module = _PUBLIC.get(name)
    if module is None:
        msg = f"module 'ddj' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC) | set(_PACKAGES))
