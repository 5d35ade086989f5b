"""The JavaScript the Explorer's charts draw with: vl-convert's offline bundle of Vega, Vega-Lite and vega-embed
(about 900 kB), kept in ddj's cache folder and, under ``ddj explore``, served by the Explorer's own server.

An Altair ``JupyterChart`` carries its front-end module in its ``_esm`` trait. In a notebook the module is the
bundle itself, sent through the kernel with each chart: the Explorer's three charts send it three times, and the
browser compiles it three times. Under ``ddj explore`` the server serves the kept file at :data:`ROUTE` and each
chart's ``_esm`` is the file's address on that server (anywidget imports a module given as an ``http://``
address), so a page fetches the bundle once, the three charts share one module, and the browser's cache keeps it
for the next page: the same address as the page's own, so nothing leaves the computer (issue 19's test checks).

The server says it serves the bundle through :data:`SERVED_ENV`, an environment variable its kernels inherit;
Voila tells each kernel the address the browser asked for (``VOILA_REQUEST_URL``), so the bundle's address has
the host the reader typed (``127.0.0.1`` or ``localhost``) and stays on the page's origin.
"""

from __future__ import annotations

import hashlib
import os
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urljoin

__all__ = ["ROUTE", "SERVED_ENV", "bundle_file", "served_address"]

#: Set (to the server's base URL path, such as ``/``) in the environment of a server that serves the bundle.
SERVED_ENV = "DDJ_EXPLORER_SERVES_BUNDLE"
#: Where under the server's base URL the bundle is served: ``ddj/`` and the kept file's name.
ROUTE = "ddj/"


def bundle_file() -> Path:
    """Where the bundle is kept: ``jupyterchart-KEY.js`` in ddj's cache folder, KEY from the altair and vl-convert
    versions (the bundle's content follows from them).
    """
    from ddj._cache_dir import cache_dir

    key = hashlib.sha256(f"{version('altair')} {version('vl-convert-python')}".encode()).hexdigest()[:16]
    return cache_dir() / f"jupyterchart-{key}.js"


def served_address(bundle: str) -> str | None:
    """The address at which the server this kernel runs for serves the kept bundle, or None outside ``ddj
    explore`` (or when Voila did not say which address the page was asked at).

    ``bundle`` is the kept file's text (:func:`bundle_file`): a digest of it ends the address, so a browser never
    reuses a cached copy of another bundle.

    >>> served_address("export default {}") is None  # not in a kernel of ddj explore
    True
    """
    base = os.environ.get(SERVED_ENV)
    page = os.environ.get("VOILA_REQUEST_URL")
    if base is None or not page or not page.startswith(("http://", "https://")):
        return None
    digest = hashlib.sha256(bundle.encode("utf-8")).hexdigest()[:16]
    return urljoin(page, f"{base.rstrip('/')}/{ROUTE}{bundle_file().name}?v={digest}")
