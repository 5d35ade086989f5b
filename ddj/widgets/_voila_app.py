"""The Voila application ``ddj explore`` runs: Voila, locked down and with kernels that end.

Run as ``python -m ddj.widgets._voila_app NOTEBOOK [voila options]``; the ``ExplorerVoila.*`` options below are
ddj's. Compared with plain Voila 0.5 it

- answers only requests whose ``Host`` is the address it bound (``127.0.0.1:PORT`` or ``localhost:PORT``), so a
  DNS-rebinding page cannot reach it, and refuses requests another origin's page makes (an ``Origin`` header
  from elsewhere, or ``Sec-Fetch-Site`` cross-site / same-site for anything but a top-level navigation): an
  ``<img>`` or a ``fetch`` on another site starts no kernel;
- sets the ``_xsrf`` cookie on the dashboard page, so the shutdown beacon Voila's page sends when it closes
  (``POST /voila/api/shutdown/KERNEL`` with that cookie's value) is accepted and the kernel ends;
- refuses a new visitor with a plain page (HTTP 503) while ``max_kernels`` kernels are running;
- binds the port itself and writes the URL it actually serves at (token included) to ``address_file``;
- serves the charts' JavaScript bundle (:mod:`ddj.widgets.bundle`) from ddj's cache folder, for the browser to
  fetch once and keep, instead of each chart sending it through the kernel.

Culling idle kernels is jupyter_server's own: ``--MappingKernelManager.cull_idle_timeout`` and
``--MappingKernelManager.cull_interval``, which ``ddj explore`` sets.
"""

from __future__ import annotations

import errno
import os
import sys
from html import escape
from typing import Any
from urllib.parse import urlsplit

import tornado.web
from traitlets import Integer, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from ddj.widgets.bundle import ROUTE, SERVED_ENV, bundle_file

FULL_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto;line-height:1.5">
<h1 class="ddj-server-refusal">{title}</h1><p>{body}</p></body></html>"""


class _Refused(tornado.web.RequestHandler):
    """The answer to a request from a host or origin the Explorer does not serve."""

    def initialize(self, status: int = 403, title: str = "", body: str = "") -> None:
        self._status, self._title, self._body = status, title, body

    def prepare(self) -> None:
        self.set_status(self._status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(FULL_PAGE.format(title=escape(self._title), body=escape(self._body)))


class _Application(tornado.web.Application):
    """Voila's tornado application with a gate in front of every handler: Host, Origin and fetch metadata."""

    allowed_hosts: frozenset[str] = frozenset()

    def find_handler(self, request: Any, **kwargs: Any) -> Any:
        reason = refusal(request.headers, self.allowed_hosts)
        if reason is not None:
            return self.get_handler_delegate(request, _Refused, {"status": 403, "title": "Refused", "body": reason})
        return super().find_handler(request, **kwargs)


def refusal(headers: Any, allowed_hosts: frozenset[str] | set[str]) -> str | None:
    """Why a request with these headers is refused, or None when it may go on.

    ``allowed_hosts`` are ``host:port`` strings; the request's ``Host`` must be one, its ``Origin`` (when sent)
    must be ``http://`` one of them, and a browser's ``Sec-Fetch-Site`` must say the request comes from the
    page itself (``same-origin``), from the user (``none``), or is a top-level navigation.
    """
    host = (headers.get("Host") or "").lower()
    if host not in allowed_hosts:
        return (
            f"This Explorer answers only at {' or '.join(sorted(allowed_hosts))}, not at the host {host or '(none)'}."
        )
    origin = headers.get("Origin")
    if origin is not None and origin != "null":
        parts = urlsplit(origin.lower())
        if parts.scheme != "http" or parts.netloc not in allowed_hosts:
            return f"Requests from pages at {origin} are refused."
    elif origin == "null":
        return "Requests from opaque origins are refused."
    site = headers.get("Sec-Fetch-Site")
    if site in ("cross-site", "same-site"):
        navigation = headers.get("Sec-Fetch-Mode") == "navigate" and headers.get("Sec-Fetch-Dest") == "document"
        if not navigation:
            return "Requests made by pages on other sites are refused."
    return None


class _BundleHandler(tornado.web.RequestHandler):
    """The charts' JavaScript bundle as kept in ddj's cache folder: the one file of :func:`bundle_file`'s name.

    Its address ends with a digest of its content (``?v=``), so the browser may keep it: a changed bundle has
    another address.
    """

    def get(self, name: str) -> None:
        path = bundle_file()
        try:
            data = path.read_bytes() if name == path.name else b""
        except OSError:
            data = b""
        if not data:
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "private, max-age=31536000, immutable")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(data)


class _ExplorerHandler(TornadoVoilaHandler):
    """Voila's dashboard handler with the kernel cap and the ``_xsrf`` cookie its shutdown beacon needs."""

    async def get(self, path: Any = None) -> Any:
        app: ExplorerVoila = self.settings["ddj_app"]
        running = len(self.kernel_manager.list_kernel_ids()) + app.starting
        if app.max_kernels > 0 and running >= app.max_kernels:
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            body = (
                f"The Explorer is already open in {app.max_kernels} browser tabs, as many as it runs at once "
                f"(ddj explore --max-kernels). Close one of them, or wait: a tab left idle for "
                f"{app.idle_text()} is closed for you. Then reload this page."
            )
            self.finish(FULL_PAGE.format(title="The Explorer is busy", body=escape(body)))
            return None
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie, which the page's shutdown beacon sends back
        app.starting += 1
        try:
            return await super().get(path)
        finally:
            app.starting -= 1


class ExplorerVoila(Voila):
    """Voila as ``ddj explore`` runs it (see the module's text)."""

    name = "ddj-explore"
    max_kernels = Integer(4, config=True, help="Kernels (browser tabs) served at once; 0 for no cap.")
    address_file = Unicode("", config=True, help="A file to write the URL served at, once bound.")
    starting = 0

    def idle_text(self) -> str:
        seconds = int(self.kernel_manager.cull_idle_timeout or 0)
        if seconds <= 0:
            return "a long time"
        return f"{seconds // 60} minutes" if seconds >= 120 else f"{seconds} seconds"

    def init_settings(self) -> dict:
        settings = super().init_settings()
        settings["ddj_app"] = self
        return settings

    def init_handlers(self) -> list:
        from jupyter_server.utils import url_path_join

        handlers = super().init_handlers()
        bundle = (url_path_join(self.base_url, ROUTE, r"(jupyterchart-[0-9a-f]+\.js)"), _BundleHandler)
        return [bundle] + [
            (pattern, _ExplorerHandler if handler is TornadoVoilaHandler else handler, *rest)
            for pattern, handler, *rest in handlers
        ]

    def start(self) -> None:
        import tempfile

        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        os.environ[SERVED_ENV] = self.base_url  # the kernels started from now on inherit it
        settings = self.init_settings()
        self.app = _Application(**settings)
        self.app.settings.update(self.tornado_settings)
        self.app.add_handlers(".*$", self.init_handlers())
        self.listen()

    def listen(self) -> None:
        import tornado.ioloop
        from tornado.httpserver import HTTPServer
        from tornado.netutil import bind_sockets

        sockets = None
        for port in self.random_ports(self.port, self.port_retries + 1):
            try:
                sockets = bind_sockets(port, self.ip)
            except OSError as err:
                if err.errno in (errno.EADDRINUSE, errno.EACCES):
                    self.log.info("The port %i is not free, trying another.", port)
                    continue
                raise
            break
        if not sockets:
            self.log.critical("ddj explore: no free port to serve on near %i", self.port)
            self.exit(1)
        self.port = int(sockets[0].getsockname()[1])
        self.app.allowed_hosts = frozenset({f"127.0.0.1:{self.port}", f"localhost:{self.port}"})
        HTTPServer(self.app).add_sockets(sockets)
        url = self.display_url.splitlines()[0].strip() if self.display_url else self.connection_url
        url = url.replace(f"localhost:{self.port}", f"127.0.0.1:{self.port}")
        if self.address_file:
            partial = self.address_file + ".partial"
            with open(partial, "w", encoding="utf-8") as out:
                out.write(url + "\n")
            os.replace(partial, self.address_file)
        self.log.info("Voila is running at %s", url)
        self.ioloop = tornado.ioloop.IOLoop.current()
        try:
            self.ioloop.start()
        except KeyboardInterrupt:
            self.log.info("Stopping...")
        finally:
            self.stop()


main = ExplorerVoila.launch_instance

if __name__ == "__main__":
    sys.exit(main())
