"""Warnings about data caveats: things a reader should know that do not make the data invalid."""

from __future__ import annotations


class DataCaveatWarning(UserWarning):
    """A caveat about the data: an incident no official spoke of, a missing precision code, rows left off a chart."""


class ImpreciseLocationWarning(DataCaveatWarning):
    """Incidents whose place is too vague to draw on a map were listed beside it instead."""


class DataReducedWarning(DataCaveatWarning):
    """A chart or table could not show every row and shows an aggregate or a sample instead."""
