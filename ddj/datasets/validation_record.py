"""A record of a successful validation, so that an unchanged package is not validated again.

:func:`ddj.datasets.load` checks every row of a package against its schema and rules; on a million
incidents that takes tens of seconds, and every command, report and Explorer visit would pay it again.
After a package passes, a record is written to ddj's cache folder (:func:`ddj._cache_dir.cache_dir`,
``validation/``, one small JSON file per package folder) holding:

- the BLAKE2b hash of ``datapackage.json`` and of every resource file (streamed in 1 MiB blocks: a
  62 MB Parquet package hashes in under a tenth of a second, against half a minute of validation);
- :data:`RULES_VERSION`, ddj's version and a hash of the kind's authoritative schemas;
- the caveats validation found (they are shown again on every load) and the row counts.

A later load skips the row-level rules only when all of these are equal. File sizes and modification
times are compared as well (recorded before hashing and again after reading), so a file written while
it is being read is validated again. A record that is missing, unreadable, of another format or that
does not match is ignored, never an error: the package is simply validated again. A record holding a
``future_date`` caveat counts for the day it was written only (the caveat depends on today's date).
Deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ddj.errors import Problem

#: The version of the validation rules (:mod:`ddj.datasets.tableschema`, :mod:`ddj.datasets.incident_rules`,
#: :mod:`ddj.datasets.tally_kind`, :mod:`ddj.datasets.readers`, :mod:`ddj.datasets.official_search`). Bump it
#: whenever a rule is added or changed: every package is then validated again on its next load.
RULES_VERSION = 1
#: The layout of a record file; a record of another format is ignored.
RECORD_FORMAT = 1
#: The folder under :func:`ddj._cache_dir.cache_dir` holding the records.
FOLDER = "validation"
#: Hash files in blocks of this many bytes (memory stays at one block whatever the file's size).
CHUNK = 1 << 20
#: The most records kept: writing one more removes the least recently written (a test suite or a script
#: that makes many packages in temporary folders must not fill the cache folder).
MAX_RECORDS = 500
#: The caveat that depends on the day of validation.
DAY_DEPENDENT_RULES = frozenset({"future_date"})


@dataclass(frozen=True)
class FileState:
    """One file of a package as it is on disk: its size, modification time and content hash."""

    size: int
    mtime_ns: int
    blake2b: str


@dataclass(frozen=True)
class ValidationRecord:
    """What a successful validation leaves: the key it is valid for, the caveats and the row counts.

    ``counts`` are the rows of each typed table (for a CSV file, the data rows up to the last one with
    cells, as the structure check counted them: blank lines at the end are not rows).
    """

    key: str
    files: dict[str, FileState]
    validated_on: str
    caveats: tuple[Problem, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    def day_dependent(self) -> bool:
        """Whether a caveat depends on the day the package was validated."""
        return any(c.rule in DAY_DEPENDENT_RULES for c in self.caveats)


def file_state(path: Path) -> FileState:
    """The size, modification time and BLAKE2b hash of ``path``, streamed in :data:`CHUNK` blocks."""
    stat = path.stat()
    digest = hashlib.blake2b(digest_size=32)
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return FileState(stat.st_size, stat.st_mtime_ns, digest.hexdigest())


def files_unchanged(folder: Path, states: dict[str, FileState]) -> bool:
    """Whether every file still has the size and modification time it had when it was hashed."""
    try:
        for relpath, state in states.items():
            stat = (folder / relpath).stat()
            if (stat.st_size, stat.st_mtime_ns) != (state.size, state.mtime_ns):
                return False
    except OSError:
        return False
    return True


def package_states(folder: Path, paths: list[Path]) -> dict[str, FileState]:
    """:func:`file_state` of ``datapackage.json`` and each of ``paths``, keyed by path relative to ``folder``."""
    folder = folder.resolve()
    every = sorted({folder / "datapackage.json", *(Path(p).resolve() for p in paths)})
    return {p.relative_to(folder).as_posix(): file_state(p) for p in every}


def record_key(folder: Path, kind_name: str, schemas: dict[str, Any], states: dict[str, FileState]) -> str:
    """The key a record is valid for: the folder, the rules and ddj versions, the kind's schemas and the hashes.

    The folder is part of it because messages and caveats name the folder.

    Parameters
    ----------
    folder : pathlib.Path
        The package's folder (resolved, so the same folder gives the same key however it is named).
    kind_name : str
        The dataset kind's name (``incidents``, ``tally``).
    schemas : dict
        The kind's Table Schemas by resource name; a change of rules changes the key.
    states : dict of str to FileState
        The files' states from :func:`package_states`; their BLAKE2b hashes enter the key.
    """
    from ddj._version import __version__

    content = {
        "format": RECORD_FORMAT,
        "rules": RULES_VERSION,
        "ddj": __version__,
        "folder": str(Path(folder).resolve()),
        "kind": kind_name,
        "schemas": schemas,
        "files": {name: state.blake2b for name, state in sorted(states.items())},
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=32).hexdigest()


def record_path(folder: Path) -> Path:
    """Where the record of the package in ``folder`` is kept (one per folder: a new record replaces the old)."""
    from ddj._cache_dir import cache_dir

    name = hashlib.blake2b(str(Path(folder).resolve()).encode("utf-8"), digest_size=16).hexdigest()
    return cache_dir() / FOLDER / f"{name}.json"


def read_record(folder: Path, key: str | None, *, today: dt.date | None = None) -> ValidationRecord | None:
    """The record of ``folder`` if it exists, can be read and matches ``key``; otherwise ``None`` (never raises).

    Parameters
    ----------
    folder : pathlib.Path
        The package's folder.
    key : str or None
        The key the record must carry, from :func:`record_key`; None reads the record whatever its key (to
        compare its files' sizes and times before hashing them).
    today : datetime.date, optional
        The day to compare with; a record whose caveats depend on the day (dates later than today) is stale
        after the day it was written. Today's date when None.
    """
    today = today or dt.date.today()
    try:
        data = json.loads(record_path(folder).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT or key not in (None, data.get("key")):
            return None
        record = ValidationRecord(
            key=str(data["key"]),
            files={
                str(k): FileState(int(v["size"]), int(v["mtime_ns"]), str(v["blake2b"]))
                for k, v in data["files"].items()
            },
            validated_on=str(data["validated_on"]),
            caveats=tuple(Problem(**c) for c in data["caveats"]),
            counts={str(k): int(v) for k, v in data["counts"].items()},
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    if record.day_dependent() and record.validated_on != today.isoformat():
        return None
    return record


def write_record(folder: Path, record: ValidationRecord) -> bool:
    """Write ``record`` atomically; return whether it was written (a read-only cache is not an error)."""
    from ddj._io import atomic_write_text

    data = {
        "format": RECORD_FORMAT,
        "key": record.key,
        "files": {name: asdict(state) for name, state in record.files.items()},
        "validated_on": record.validated_on,
        "caveats": [asdict(c) for c in record.caveats],
        "counts": record.counts,
    }
    target = record_path(folder)
    try:
        atomic_write_text(target, json.dumps(data, ensure_ascii=False, default=str))
    except OSError:
        return False
    _prune(target)
    return True


def _prune(newest: Path) -> None:
    """Keep at most :data:`MAX_RECORDS` records beside ``newest``: remove the least recently written others.

    Errors are ignored (another process may be pruning too).
    """
    try:
        others = [
            e for e in os.scandir(newest.parent) if e.name.endswith(".json") and e.name != newest.name and e.is_file()
        ]
        excess = len(others) + 1 - MAX_RECORDS
        if excess <= 0:
            return
        others.sort(key=lambda e: e.stat().st_mtime_ns)
        for entry in others[:excess]:
            os.unlink(entry.path)
    except OSError:
        pass


def forget(folder: Path) -> None:
    """Remove the record of ``folder``, if any (a failed validation leaves none behind)."""
    with contextlib.suppress(OSError):
        os.unlink(record_path(folder))
