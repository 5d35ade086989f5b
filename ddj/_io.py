"""Small file helpers: atomic writes and content hashes."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _temporary(target: Path) -> tuple[int, Path]:
    """A new, empty temporary file next to ``target``, opened for writing: its descriptor and path.

    It is created as :func:`open` creates a file, with mode ``0o666`` less the umask (``tempfile``
    would make it ``0o600``, readable by its owner only, and the rename would keep that).
    """
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    msg = f"could not create a temporary file next to {target}"
    raise FileExistsError(msg)


def atomic_write_bytes(target: Path, data: bytes, *, make_parents: bool = True) -> Path:
    """Write ``data`` to ``target`` through a temporary file in the same folder, then rename.

    A failure part-way leaves the previous file untouched. The file gets the mode a new file gets
    from :func:`open` (``0o666`` less the umask), whatever the mode of the file it replaces. With
    ``make_parents`` false the folder must exist already (a file a user named is written only where
    they said, never into folders ddj made up).
    """
    target = Path(target)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def check_output_file(target: Path, option: str = "--out") -> Path:
    """Check that a file a user asked for can be written at ``target``; return it.

    The folder it goes into must exist already (ddj does not create folders it was not asked to)
    and be a folder ddj may write into; ``target`` must not be a folder itself.

    Raises
    ------
    OutputLocationError
        Saying which of these is wrong and what to give instead.
    """
    from ddj.errors import OutputLocationError

    target = Path(target)
    shown = f"{option} {str(target)!r}"
    folder = target.parent
    if target.is_dir():
        msg = f"{shown} is a folder; give the name of a file to write in it, such as {str(target / 'comparison.csv')!r}"
        raise OutputLocationError(msg)
    if not folder.exists():
        msg = (
            f"{shown}: the folder {str(folder)!r} does not exist. Create it first, or write into a folder "
            "that exists (ddj creates no folders it was not asked to)"
        )
        raise OutputLocationError(msg)
    if not folder.is_dir():
        msg = f"{shown}: {str(folder)!r} is a file, not a folder. Give a path inside a folder"
        raise OutputLocationError(msg)
    if not os.access(folder, os.W_OK):
        msg = (
            f"{shown}: cannot write into the folder {str(folder)!r} (permission denied). "
            "Choose a folder you can write to"
        )
        raise OutputLocationError(msg)
    return target


def write_output_file(target: Path, data: bytes, option: str = "--out") -> Path:
    """Write a file a user asked for: :func:`check_output_file`, then :func:`atomic_write_bytes` with no new folders.

    An operating-system refusal (a read-only or special file system such as ``/proc``, a full disk)
    becomes a :class:`~ddj.errors.OutputLocationError` naming the file and the reason.
    """
    from ddj.errors import OutputLocationError

    target = check_output_file(target, option)
    try:
        return atomic_write_bytes(target, data, make_parents=False)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        msg = (
            f"{option} {str(target)!r}: cannot write the file ({reason}). "
            "Choose another file in a folder you can write to"
        )
        raise OutputLocationError(msg) from err


def atomic_write_text(target: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``target`` atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(target, text.encode("utf-8"))


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
