"""`ddj explore`'s server, over HTTP: bound to 127.0.0.1 at the address it prints, a token in that address,
Host and Origin restricted to it, cross-origin requests refused before any kernel starts, a busy page at the
kernel cap, and an invalid dataset or filter refused before anything starts.

Every server runs in its own session; teardown stops the whole session (Voila and its kernels).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ddj.widgets._voila_app import refusal
from ddj.widgets.bundle import ROUTE, bundle_file
from tests.paths import ROOT

STARTUP_S = 120


class Server:
    """A running `ddj explore`: its printed URL, its process, and the kernels its session runs."""

    def __init__(self, process: subprocess.Popen, url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.token = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("token", "")

    def kernels(self) -> int:
        """The kernels the server runs: ipykernel processes descended from `ddj explore`, read from /proc."""
        return sum(b"ipykernel_launcher" in _cmdline(pid) for pid in descendants(self.process.pid))

    def request(
        self,
        path: str = "/",
        *,
        method: str = "GET",
        headers: dict | None = None,
        token: bool = True,
        body: str | None = None,
    ) -> http.client.HTTPResponse:
        if token and self.token:
            path += ("&" if "?" in path else "?") + f"token={self.token}"
        headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        connection = http.client.HTTPConnection(self.host, self.port, timeout=STARTUP_S)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode("utf-8", "replace")  # type: ignore[attr-defined]
        connection.close()
        return response


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def descendants(root: int) -> list[int]:
    """Every process descended from ``root`` (jupyter_client starts kernels in sessions of their own)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def wait_for(predicate, timeout: float, what: str, every: float = 0.25):
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def start(tmp_path: Path, *args: str) -> Server:
    """Start `ddj explore ARGS --no-browser` and wait until it prints the address it serves at."""
    log = tmp_path / f"explore-{time.monotonic_ns()}.log"
    out = open(log, "wb")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(
        [sys.executable, "-m", "ddj", "explore", *args, "--no-browser"],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=ROOT,
    )
    process.log_file = out  # type: ignore[attr-defined]

    def printed() -> str | None:
        found = re.search(r"serving the Explorer of .* at (http://\S+)", log.read_text(errors="replace"))
        if found:
            return found.group(1)
        if process.poll() is not None:
            stop(process)
            pytest.fail(f"ddj explore stopped: {log.read_text(errors='replace')[-3000:]}")
        return None

    try:
        url = wait_for(printed, STARTUP_S, "ddj explore to print its address")
    except BaseException:
        stop(process)
        raise
    return Server(process, url, log)


def stop(process: subprocess.Popen) -> None:
    """Stop `ddj explore` and everything under it (Voila, its kernels), then reap it."""
    family = descendants(process.pid)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            continue
    for pid in family:  # a kernel that outlived Voila (it shuts them down on SIGTERM; this is the safety net)
        if any(mark in _cmdline(pid) for mark in (b"ipykernel_launcher", b"ddj.widgets._voila_app")):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    process.log_file.close()  # type: ignore[attr-defined]


@pytest.fixture
def server_factory(tmp_path):
    started: list[Server] = []

    def make(*args: str) -> Server:
        server = start(tmp_path, *args)
        started.append(server)
        return server

    yield make
    for server in started:
        stop(server.process)


@pytest.fixture(scope="module")
def locked(tmp_path_factory):
    """One default (token-protected) server for the HTTP checks."""
    server = start(tmp_path_factory.mktemp("locked"), "syria-ru-aviation", "--port", "0")
    yield server
    stop(server.process)


# --- the gate, as a function ---------------------------------------------------------------------------------


def test_the_gate_refuses_other_hosts_origins_and_cross_site_fetches():
    allowed = {"127.0.0.1:8866", "localhost:8866"}
    assert refusal({"Host": "127.0.0.1:8866"}, allowed) is None
    assert refusal({"Host": "localhost:8866", "Sec-Fetch-Site": "same-origin"}, allowed) is None
    assert refusal({"Host": "127.0.0.1:8866", "Origin": "http://127.0.0.1:8866"}, allowed) is None
    assert "answers only at" in refusal({"Host": "evil.example:8866"}, allowed)
    assert "answers only at" in refusal({"Host": "127.0.0.1:9999"}, allowed)
    assert "answers only at" in refusal({}, allowed)
    assert refusal({"Host": "127.0.0.1:8866", "Origin": "http://evil.example"}, allowed)
    assert refusal({"Host": "127.0.0.1:8866", "Origin": "http://localhost:9999"}, allowed)
    assert refusal({"Host": "127.0.0.1:8866", "Origin": "null"}, allowed)
    for site in ("cross-site", "same-site"):
        assert refusal(
            {"Host": "127.0.0.1:8866", "Sec-Fetch-Site": site, "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"},
            allowed,
        )
    # a user following a link to the dashboard is a top-level navigation: allowed (the token still guards it)
    assert (
        refusal(
            {
                "Host": "127.0.0.1:8866",
                "Sec-Fetch-Site": "cross-site",
                "Sec-Fetch-Mode": "navigate",
                "Sec-Fetch-Dest": "document",
            },
            allowed,
        )
        is None
    )


# --- a real server ---------------------------------------------------------------------------------------------


def test_it_binds_127_0_0_1_only_and_prints_the_address_with_a_token(locked):
    assert locked.host == "127.0.0.1" and locked.port
    assert re.fullmatch(r"[0-9a-f]{32,}", locked.token), locked.url
    with socket.socket() as probe:  # nothing on the other interfaces: 127.0.0.2 is loopback, but not bound
        probe.settimeout(5)
        assert probe.connect_ex(("127.0.0.2", locked.port)) != 0
    # without the token: the login page, no kernel
    response = locked.request("/", token=False)
    assert response.status in (302, 403) and locked.kernels() == 0


def test_other_hosts_and_origins_start_nothing(locked):
    before = locked.kernels()
    for headers in (
        {"Host": f"evil.example:{locked.port}"},
        {"Host": f"127.0.0.1.nip.io:{locked.port}"},
        {"Origin": "http://evil.example"},
        {"Origin": f"http://localhost:{locked.port + 1}"},
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"},
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "empty"},
        {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe"},
    ):
        response = locked.request("/", headers=headers)  # token included: the gate alone must refuse
        assert response.status == 403, (headers, response.status)
        assert "ddj-server-refusal" in response.text
    assert locked.kernels() == before == 0
    # the static files and the kernel API behind the gate too
    assert locked.request("/voila/static/voila.js", headers={"Host": f"evil.example:{locked.port}"}).status == 403


def test_the_port_taken_moves_on_and_the_printed_address_is_the_bound_one(tmp_path, server_factory):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = server_factory("--port", str(port), "--no-token")
        assert server.port != port and server.token == ""
        assert server.request("/voila/static/voila.js").status == 200


def test_no_token_serves_the_page_to_this_computer(server_factory):
    server = server_factory("--port", "0", "--no-token", "--max-kernels", "1")
    assert "token=" not in server.url
    first = server.request("/")
    assert first.status == 200 and "voila" in first.text.lower()
    # the kernel started for that page is the one allowed: the next visitor gets the busy page, at once
    wait_for(lambda: server.kernels() == 1, 60, "the first page's kernel")
    busy = server.request("/")
    assert busy.status == 503 and "The Explorer is busy" in busy.text and "--max-kernels" in busy.text
    assert server.kernels() == 1
    # the charts' JavaScript, which that page's kernel kept: served for the browser to fetch once and keep
    kept = bundle_file()
    script = server.request(f"/{ROUTE}{kept.name}?v=0123")
    assert script.status == 200 and script.text == kept.read_text(encoding="utf-8")
    assert script.getheader("Content-Type", "").startswith("text/javascript")
    assert "immutable" in script.getheader("Cache-Control", "")
    assert server.request(f"/{ROUTE}jupyterchart-0000000000000000.js").status == 404  # only the kept file
    # behind the gate, as everything the server serves
    assert server.request(f"/{ROUTE}{kept.name}", headers={"Host": f"evil.example:{server.port}"}).status == 403


def test_an_invalid_dataset_or_filter_stops_before_anything_starts(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "datapackage.json").write_text("{not json", encoding="utf-8")
    for args, expected in (
        (["no-such-dataset"], "no dataset 'no-such-dataset'"),
        ([str(bad)], "datapackage.json"),
        (["syria-ru-aviation", "--country", "Atlantis"], "Atlantis"),
        (["syria-ru-aviation", "--country", "syria"], "Did you mean 'Syria'"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "ddj", "explore", *args, "--no-browser", "--port", "0"],
            capture_output=True,
            text=True,
            timeout=STARTUP_S,
            cwd=ROOT,
            check=False,
        )
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert expected in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert "serving" not in done.stdout
