"""Writing report files: atomically (see :mod:`ddj._io`), readable as the umask allows (reports are
meant to be served and shared).
"""

from __future__ import annotations

from pathlib import Path

from ddj._io import atomic_write_bytes


def write_file(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically, with the permissions a new file would get."""
    return atomic_write_bytes(Path(path), data.encode("utf-8") if isinstance(data, str) else data)
