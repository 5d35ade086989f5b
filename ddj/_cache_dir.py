"""Where ddj keeps files it can always rebuild (scripts bundled from vl-convert), shared by every project."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$DDJ_CACHE_DIR``, else ``$XDG_CACHE_HOME/ddj``, else ``~/.cache/ddj``.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"DDJ_CACHE_DIR": "/tmp/ddj-cache-example"}):
    ...     str(cache_dir())
    '/tmp/ddj-cache-example'

    Deleting the folder is always safe: what is in it is built again when needed.
    """
    explicit = os.environ.get("DDJ_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ddj"
