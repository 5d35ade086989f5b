"""Where an export writes: checks made before any work, and files that appear whole or not at all."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from ddj._io import _temporary
from ddj.errors import ExportError, OutputLocationError


def _writable_folder(folder: Path, shown: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        msg = f"cannot write {shown}: cannot create the folder {folder} ({err.strerror or err})"
        raise OutputLocationError(msg) from None
    if not folder.is_dir():
        msg = f"cannot write {shown}: {folder} is not a folder"
        raise OutputLocationError(msg)
    if not os.access(folder, os.W_OK | os.X_OK):
        msg = f"cannot write {shown}: the folder {folder} is not writable"
        raise OutputLocationError(msg)


def check_file(target: Path, *, force: bool, option: str = "") -> Path:
    """Fail with one line unless ``target`` can be written: not a folder, not there or ``force``, folder writable."""
    target = Path(target)
    if target.is_dir():
        msg = f"cannot write {target}: it is a folder{f'; {option} takes a file name' if option else ''}"
        raise OutputLocationError(msg)
    if target.exists() and not force:
        msg = f"{target} exists; pass --force to replace it"
        raise OutputLocationError(msg)
    _writable_folder(target.parent if str(target.parent) else Path("."), target)
    return target


def check_folder(folder: Path, names: Iterable[str], *, force: bool) -> Path:
    """Fail with one line unless the files ``names`` can be written into ``folder`` (created if need be)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        msg = f"cannot write into {folder}: it is a file, not a folder"
        raise OutputLocationError(msg)
    existing = [name for name in names if (folder / name).exists()]
    if existing and not force:
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        msg = f"{folder / existing[0]}{more} exist(s); pass --force to replace them"
        raise OutputLocationError(msg)
    _writable_folder(folder, folder)
    return folder


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path next to ``target`` to build a file at; renamed onto ``target`` when the block succeeds.

    A failure leaves ``target`` as it was and removes the temporary file (and an SQLite journal beside it).
    """
    target = Path(target)
    try:
        fd, tmp = _temporary(target)
        os.close(fd)
    except OSError as err:
        msg = f"cannot write {target}: {err.strerror or err}"
        raise ExportError(msg) from None
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as err:
        msg = f"cannot write {target}: {err.strerror or err}"
        raise ExportError(msg) from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_text(target: Path) -> Iterator[IO[str]]:
    r"""A text file (UTF-8, ``\n`` line ends) written at a temporary path and renamed onto ``target`` when done."""
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        yield handle
