"""Writing report files: atomically (see :mod:`ddj._io`) and readable as the umask allows.

``tempfile`` creates files only the owner can read; reports are meant to be served and shared.
"""

from __future__ import annotations

import os
from pathlib import Path

from ddj._io import atomic_write_bytes


def write_file(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically, with the permissions a new file would get."""
    atomic_write_bytes(path, data.encode("utf-8") if isinstance(data, str) else data)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)
    return Path(path)
