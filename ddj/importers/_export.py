"""The start of every monitor import: what the monitor's format is, and its export read once, with what the user gave.

A :class:`Monitor` describes one monitor's export (ACLED, UCDP GED): the columns it needs and maps, why the others
are left out, the monitor's own row in the sources table, and the package's description and licence.
:func:`read_export` reads a file of that format into an :class:`Export`, which :func:`ddj.importers._finish.finish`
turns into the package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ddj._io import file_sha256
from ddj.importers import _sides
from ddj.importers._common import ImportLog, official_search, read_table
from ddj.importers._names import repair_columns


@dataclass(frozen=True)
class Monitor:
    """One monitor's export format and what its import writes about the monitor itself.

    ``name`` is the format's and the monitor's name ("ACLED", "UCDP GED"); ``command`` the word after ``ddj import``;
    ``required`` the columns the file must have, ``mapped`` those the import uses and ``reasons`` why each other
    known column is left out; ``aliases`` an older codebook's names for today's columns; ``name_columns`` the
    columns holding source names whose spellings are repaired (:func:`ddj.importers._names.repair_columns`);
    ``source_id`` and ``about`` the monitor's own row in the sources table; ``description`` what the package's
    description says after where it was imported from; ``licenses`` the package's licences.
    """

    name: str
    command: str
    required: tuple[str, ...]
    mapped: tuple[str, ...]
    reasons: dict[str, str]
    name_columns: tuple[str, ...]
    source_id: str
    about: str
    description: str
    licenses: tuple[dict[str, str], ...]
    aliases: dict[str, str] = field(default_factory=dict)

    def source_row(self) -> dict[str, str]:
        """The monitor's own row of the sources table (a monitor, ``monitor_ngo``)."""
        return {"source_id": self.source_id, "name": self.name, "kind": "monitor_ngo", "notes": self.about}


@dataclass
class Export:
    """A monitor's file as read: the text frame with ``source_row``, and what the import needs to finish.

    ``columns`` are the file's columns as read (after the header is normalised and spellings repaired), before the
    importer adds any; ``overrides`` the user's ``--sides`` file, ``search`` the ``official_search`` declaration,
    ``sha256`` the file's checksum and ``log`` what the import read, changed and found.
    """

    monitor: Monitor
    path: Path
    frame: pl.DataFrame
    columns: tuple[str, ...]
    log: ImportLog
    overrides: pl.DataFrame | None
    search: dict[str, Any]
    sha256: str


def read_export(
    path: Path | str,
    monitor: Monitor,
    *,
    encoding: str | None = None,
    official_searched: dt.date | str | None = None,
    sides: Path | str | None = None,
) -> Export:
    """Read a monitor's CSV export and what the user gave with it, checking both before anything is written.

    Parameters
    ----------
    path
        The export (CSV, the monitor's column names).
    monitor
        The export's format.
    encoding
        The file's encoding when it is not UTF-8 (``--encoding``).
    official_searched
        The day official statements were searched for on every event (``--official-searched``), if someone did.
    sides
        A corrected ``sides.csv`` (``--sides``).

    Returns
    -------
    Export
        The text frame (``source_row`` with header = 1) and what :func:`ddj.importers._finish.finish` needs.

    Raises
    ------
    ImportFormatError
        The file or the sides file cannot be read, or lacks columns (all are named).
    InvalidValueError
        ``official_searched`` is not a date, or ``encoding`` is not one Python knows.
    """
    path = Path(path)
    search = official_search(monitor.name, official_searched)
    overrides = _sides.read_sides(sides) if sides is not None else None
    log = ImportLog(path.name)
    frame = read_table(
        path, fmt=monitor.name, required=monitor.required, encoding=encoding, aliases=monitor.aliases, log=log
    )
    frame = repair_columns(frame, monitor.name_columns, log)
    columns = tuple(c for c in frame.columns if c != "source_row")
    return Export(monitor, path, frame, columns, log, overrides, search, file_sha256(path))
