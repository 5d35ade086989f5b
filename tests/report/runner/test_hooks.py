"""One test per private hook of :mod:`ddj.report.runner.hooks` (and the two kept elsewhere): each fails, naming the hook
and the library, when the library no longer has the private name or it no longer behaves as the hook assumes.
No kernel is started; the multiprocessing hooks start one short-lived process each.
"""

from __future__ import annotations

import asyncio
import inspect
import multiprocessing
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from ddj.report.runner import hooks
from tests.paths import ROOT

posix_only = pytest.mark.skipif(os.name != "posix", reason="the run lock is passed on POSIX only")


def test_pool_worker_processes_lists_the_pool_workers():
    """CPython's ProcessPoolExecutor._processes: the executor kills its workers through it."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert pool.submit(os.getpid).result(timeout=60)  # the worker has started
        workers = hooks.pool_worker_processes(pool)
        assert len(workers) == 1, "ProcessPoolExecutor._processes no longer lists the workers (CPython changed it)"
        assert isinstance(workers[0], multiprocessing.process.BaseProcess) and workers[0].is_alive()
    assert hooks.pool_worker_processes(pool) == []  # after shutdown: none


@posix_only
def test_spawn_context_passing_fds_passes_the_descriptor_to_the_child(tmp_path):
    """CPython's SpawnProcess._Popen and popen_spawn_posix.Popen._launch / duplicate_for_child: the run lock's
    descriptor must be open in a spawned worker (os.fstat raises, and the child exits 1, when it is not).
    """
    from multiprocessing import popen_spawn_posix

    assert isinstance(inspect.getattr_static(multiprocessing.context.SpawnProcess, "_Popen"), staticmethod), (
        "multiprocessing.context.SpawnProcess._Popen is no longer a staticmethod (CPython changed it)"
    )
    assert callable(getattr(popen_spawn_posix.Popen, "_launch", None)), "popen_spawn_posix.Popen._launch has gone"
    fd = os.open(tmp_path / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        context = hooks.spawn_context_passing_fds(lambda: (fd,))
        child = context.Process(target=os.fstat, args=(fd,))
        child.start()
        child.join(timeout=60)
        assert child.exitcode == 0, "a process of the spawn context did not inherit the descriptor"
        plain = multiprocessing.get_context("spawn").Process(target=os.fstat, args=(fd,))
        plain.start()
        plain.join(timeout=60)
        assert plain.exitcode == 1  # without the hook spawn closes it: the test can tell the difference
    finally:
        hooks.spawn_context_passing_fds(tuple)
        os.close(fd)


def _mark_at_exit(path: str) -> None:
    """In a spawned child: register a callback that writes ``path`` when the child ends."""
    hooks.at_worker_exit(lambda: Path(path).write_text("ran", encoding="utf-8"))


def test_at_worker_exit_runs_the_callback_when_the_child_ends(tmp_path):
    """multiprocessing.util.Finalize (undocumented): a worker's kernel pool is closed through it as the worker ends."""
    marker = tmp_path / "marker"
    child = multiprocessing.get_context("spawn").Process(target=_mark_at_exit, args=(str(marker),))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert marker.is_file(), "multiprocessing.util.Finalize no longer runs at a child's exit (CPython changed it)"


def test_forget_shown_warnings_shows_a_warning_again():
    """CPython's warnings._filters_mutated, used by the hook and by the warm kernel's reset (which cannot import
    ddj): after it, a warning shown once under the ``default`` action is shown again.
    """

    def warn() -> None:
        warnings.warn("shown once per place", UserWarning, stacklevel=1)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        warn()
        warn()
        assert len(seen) == 1  # the registry holds it back the second time
        hooks.forget_shown_warnings()
        warn()
        assert len(seen) == 2, "warnings._filters_mutated no longer empties the registries (CPython changed it)"
    kernel_code = (ROOT / "ddj" / "report" / "runner" / "_warm_kernel.py").read_text(encoding="utf-8")
    assert "warnings._filters_mutated()" in kernel_code and "warnings._filters_mutated()" in inspect.getsource(
        hooks.forget_shown_warnings
    ), "the kernel's copy of the hook and the hook must make the same call"


def test_kernel_manager_with_launch_options_adds_them_to_every_start():
    """jupyter_client's AsyncKernelManager._async_start_kernel, which start_kernel (and restart_kernel) call: the
    options must reach the kernel's launch. The launch is stopped before any process starts.
    """
    from jupyter_client import AsyncKernelManager

    restart = AsyncKernelManager._async_restart_kernel  # noqa: SLF001 - the private call ddj's hook relies on
    assert "self._async_start_kernel(" in inspect.getsource(restart), (
        "restart_kernel no longer starts the kernel through _async_start_kernel (jupyter_client changed it)"
    )
    seen = {}

    class Stop(Exception):
        pass

    class Probe(hooks.kernel_manager_with_launch_options()):
        launch_options = {"env": {"DDJ_PROBE": "1"}, "pass_fds": (7,)}  # noqa: RUF012 - never changed

        async def _async_pre_start_kernel(self, **kw):
            seen.update(kw)
            raise Stop

    with pytest.raises(Stop):
        asyncio.run(Probe(kernel_name="python3").start_kernel(extra_arguments=["--x"]))
    assert seen == {"env": {"DDJ_PROBE": "1"}, "pass_fds": (7,), "extra_arguments": ["--x"]}, (
        "the launch options no longer reach the kernel's start (jupyter_client changed _async_start_kernel)"
    )


def test_receive_reply_returns_the_reply_to_the_request():
    """jupyter_client's KernelClient._async_recv_reply: it reads shell messages until the one answering msg_id."""
    from jupyter_client.asynchronous import AsyncKernelClient

    client = AsyncKernelClient()
    messages = [
        {"parent_header": {"msg_id": "other"}, "content": {}},
        {"parent_header": {"msg_id": "mine"}, "content": {"status": "ok"}},
    ]

    async def get_shell_msg(timeout=None):
        return messages.pop(0)

    client._async_get_shell_msg = get_shell_msg  # noqa: SLF001 - the private hook the test replaces
    reply = asyncio.run(hooks.receive_reply(client, "mine", timeout=5))
    assert reply["content"] == {"status": "ok"}, "_async_recv_reply no longer returns the matching reply"


def test_adopt_kernel_info_takes_the_kernel_protocol_version():
    """jupyter_client's KernelClient._handle_kernel_info_reply: an older kernel protocol is adopted by the session."""
    from jupyter_client.asynchronous import AsyncKernelClient

    client = AsyncKernelClient()
    hooks.adopt_kernel_info(client, {"content": {"protocol_version": "4.1"}})
    assert client.session.adapt_version == 4, "_handle_kernel_info_reply no longer sets the session's version"


def test_cleanup_kernel_stops_the_kernel_and_forgets_its_client():
    """Nbclient's NotebookClient._async_cleanup_kernel: shuts the kernel down, cleans up, drops km and kc."""
    import nbformat
    from nbclient import NotebookClient

    calls = []

    class Manager:
        async def is_alive(self):
            return True

        async def shutdown_kernel(self, now=False):
            calls.append(("shutdown", now))

        async def cleanup_resources(self):
            calls.append("cleanup")

    class Client:
        def stop_channels(self):
            calls.append("stop_channels")

    client = NotebookClient(nbformat.v4.new_notebook(), km=Manager())
    client.kc = Client()
    asyncio.run(hooks.cleanup_kernel(client))
    assert calls == [("shutdown", False), "cleanup", "stop_channels"], (
        "NotebookClient._async_cleanup_kernel changed what it stops"
    )
    assert client.km is None and client.kc is None


def test_exporter_hooks_match_what_html_exporter_does():
    """Nbconvert's TemplateExporter._init_resources and Exporter._nb_metadata, which the page exporter uses to repeat
    HTMLExporter.from_notebook_node without its BeautifulSoup pass.
    """
    from nbconvert import HTMLExporter

    source = inspect.getsource(HTMLExporter.from_notebook_node)
    assert "self._init_resources(resources)" in source and "notebook_metadata=self._nb_metadata" in source, (
        "HTMLExporter.from_notebook_node prepares its filters another way now: compare ddj.report.pages.htmlexport"
    )
    exporter = HTMLExporter()
    resources = hooks.exporter_resources(exporter, None)
    assert isinstance(resources, dict) and "deprecated" in resources and "metadata" in resources
    assert isinstance(hooks.exporter_notebook_metadata(exporter), dict)


def test_the_page_exporter_still_renders_through_the_hooks():
    """The hooks in place: a notebook with an image without alt text exports, the image gets the placeholder."""
    import nbformat

    from ddj.report.pages.htmlexport import _exporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('<img src="data:image/png;base64,AA==">')])
    html, _ = _exporter().from_notebook_node(nb)
    assert 'alt="No description has been provided for this image"' in html


def test_nbclient_kernel_client_start_is_what_the_warm_client_repeats():
    """Nbclient's NotebookClient.async_start_new_kernel_client (public, but the warm client re-implements it to skip
    a fixed wait): the steps ddj.report.runner.pool's WarmClient repeats must still be the ones nbclient takes.
    """
    from nbclient import NotebookClient

    source = inspect.getsource(NotebookClient.async_start_new_kernel_client)
    for step in (
        "self.kc = self.km.client()",
        "start_channels()",
        "self.kc.allow_stdin = False",
        "self.on_notebook_start",
        "self._async_cleanup_kernel()",
    ):
        assert step in source, f"nbclient no longer does {step!r} when it starts a kernel client: compare WarmClient"


def test_papermill_engine_signature_is_the_one_the_warm_engine_overrides():
    """Papermill's NBClientEngine.execute_managed_notebook (public, but the warm engine re-implements it): the
    arguments it receives must be the ones ddj's WarmEngine takes.
    """
    from papermill.engines import NBClientEngine

    names = list(inspect.signature(NBClientEngine.execute_managed_notebook).parameters)
    assert names[:8] == [
        "nb_man",
        "kernel_name",
        "log_output",
        "stdout_file",
        "stderr_file",
        "start_timeout",
        "execution_timeout",
        "kwargs",
    ], names


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="a CPython flag")
def test_cpython_unhandled_interrupt_flag_is_there_to_clear():
    """CPython's _Py_UnhandledKeyboardInterrupt, cleared by ddj.cli.forget_handled_interrupt after every command."""
    import ctypes

    from ddj.cli import forget_handled_interrupt

    flag = ctypes.c_int.in_dll(ctypes.pythonapi, "_Py_UnhandledKeyboardInterrupt")
    flag.value = 1
    assert forget_handled_interrupt() is True, "CPython no longer exports _Py_UnhandledKeyboardInterrupt"
    assert flag.value == 0
