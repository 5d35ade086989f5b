"""Official tallies against documented counts (equipment or people): as-of lookups, a crosswalk, dirty-data findings.

- :func:`tally` — ``ddj.tally.tally(dataset, as_of=..., categories=...)``: each official category as of a date.
- :func:`tally_series` — every date of every paired category: official, documented, ratio, difference,
  revisions. Charts are built on its columns (:data:`ddj.tally.compare.SERIES_COLUMNS`).
- :func:`threshold_crossings` — the first date the official claim crossed a multiple of the documented count,
  counted only while both series are current.
- :func:`coverage` — the days each side covers and the last day both do (the date for a headline comparison).
- :func:`unmapped` — categories on either side that pair with nothing.
- :func:`undated` — documented items without a date, counted apart (never dropped).
- :func:`unit` — what the tally counts, in words (equipment items or people), from the dataset's ``ddj.unit``.
- :func:`attribution` / :func:`source_line` — who each side's figures come from and under which licence, as the
  dataset declares them (:mod:`~ddj.tally.sources`).

Figures are compared on a common date: once the official figure is more than :data:`TOLERANCE_DAYS` days newer
than the documented side's last day, ratio and difference are null.

Modules: :mod:`~ddj.tally.queries` (the functions above, a dataset in and frames out), :mod:`~ddj.tally.series`
(as-of joins), :mod:`~ddj.tally.crosswalk`, :mod:`~ddj.tally.events` (event list to running count),
:mod:`~ddj.tally.compare`, :mod:`~ddj.tally.sources`, :mod:`~ddj.tally.snapshot` (checks on new raw files) and
:mod:`~ddj.tally.build` (``ddj build ukraine-equipment-losses``). The dirty-data rules the build runs on the raw
files are in :mod:`ddj.importers.findings`.
"""

from __future__ import annotations

from ddj.tally.compare import TOLERANCE_DAYS
from ddj.tally.queries import coverage, tally, tally_series, threshold_crossings, undated, unmapped
from ddj.tally.sources import attribution, source_line
from ddj.tally.units import unit

__all__ = [
    "TOLERANCE_DAYS",
    "attribution",
    "coverage",
    "source_line",
    "tally",
    "tally_series",
    "threshold_crossings",
    "undated",
    "unit",
    "unmapped",
]
