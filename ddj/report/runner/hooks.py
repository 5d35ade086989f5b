"""Every private hook the runner has into another library, in one place.

The runner reaches into a few libraries below their public API: names with a leading underscore (or, for
``multiprocessing.util``, undocumented) in CPython's ``multiprocessing`` and ``concurrent.futures``,
jupyter_client, nbclient and nbconvert. Each such use is one small function here, whose docstring names the
version it was checked against and what breaks if the library changes it; ``tests/report/runner/test_hooks.py`` has a
test per hook that fails, naming the hook, when a library changes what the hook assumes. A dependency upgrade
that breaks one of them breaks it here.

Two public methods are re-implemented rather than called, and the same test file checks that they still do what
ddj's copies repeat: Papermill's ``NBClientEngine.execute_managed_notebook`` (its arguments) and nbclient's
``NotebookClient.async_start_new_kernel_client`` (its steps), both in :mod:`ddj.report.runner.pool`.

Two uses live elsewhere, each for a reason given where it is, and have their test in the same file:

- ``warnings._filters_mutated()`` in ``ddj/report/runner/_warm_kernel.py``: that code runs inside a kernel that may not
  have ddj installed, so it cannot import this module. :func:`forget_shown_warnings` is the same call, kept here
  so that it is listed and tested with the others; its test checks that the call still makes a once-shown
  warning show again and that the kernel's code still makes exactly that call.
- CPython's ``_Py_UnhandledKeyboardInterrupt`` flag in :func:`ddj.cli.forget_handled_interrupt`: the command
  entry point clears it after every command, not only ``ddj run``.

Checked against CPython 3.11, jupyter_client 8.10, nbclient 0.11, nbconvert 7.17 and papermill 2.7.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

# --- CPython: concurrent.futures and multiprocessing ----------------------------------------------


def pool_worker_processes(pool: Any) -> list[Any]:
    """The worker processes (:class:`multiprocessing.Process`) of a :class:`concurrent.futures.ProcessPoolExecutor`.

    Reads the pool's private ``_processes`` dictionary (process id to process; ``None`` once the pool is shut
    down). Checked against CPython 3.11. If it goes, an interrupted run or a lost worker can no longer kill the
    pool's workers at once: ``shutdown(wait=False)`` leaves them running their reports (until the parent-death
    signal ends them with the run).
    """
    return list((getattr(pool, "_processes", None) or {}).values())


def spawn_context_passing_fds(fds: Callable[[], Iterable[int]]) -> Any:
    """Multiprocessing's ``spawn`` context whose processes also inherit the file descriptors ``fds()`` returns
    when each starts (the run lock, see :mod:`ddj.report.runner.lifecycle`). Off POSIX: the plain ``spawn`` context.

    ``spawn`` closes every descriptor but its own in the child. This subclasses ``SpawnContext`` and
    ``SpawnProcess``, replaces ``SpawnProcess._Popen`` (the process's start) and overrides
    ``popen_spawn_posix.Popen._launch`` to add the descriptors through ``Popen.duplicate_for_child`` just before
    the child is started. (The classes are module-level: a spawned process is pickled by its class's name. The
    last ``fds`` given is the one every such context passes.) Checked against CPython 3.11. If any of these
    changes, worker processes start without the run lock: it is released while workers (and their kernels) still
    write, and a second run can start.
    """
    global _passed_fds  # noqa: PLW0603 - one source per process: the run lock's descriptors
    _passed_fds = fds
    if os.name != "posix":  # pragma: no cover - no lock to pass on
        import multiprocessing

        return multiprocessing.get_context("spawn")
    return _PassingFdsContext()


_passed_fds: Callable[[], Iterable[int]] = tuple

if os.name == "posix":
    import multiprocessing.context as _mp_context
    from multiprocessing import popen_spawn_posix as _popen_spawn_posix

    class _PassingFdsPopen(_popen_spawn_posix.Popen):
        """multiprocessing's spawn, passing the descriptors of :func:`spawn_context_passing_fds` to the child."""

        def _launch(self, process_obj: Any) -> None:
            for fd in _passed_fds():
                self.duplicate_for_child(fd)
            super()._launch(process_obj)  # type: ignore[misc]  # private in typeshed's stub

    class _PassingFdsProcess(_mp_context.SpawnProcess):
        """A spawned process that inherits the descriptors of :func:`spawn_context_passing_fds`."""

        @staticmethod
        def _Popen(process_obj: Any) -> Any:  # noqa: N802 - multiprocessing's name
            return _PassingFdsPopen(process_obj)

    class _PassingFdsContext(_mp_context.SpawnContext):
        """The ``spawn`` context whose processes inherit the descriptors of :func:`spawn_context_passing_fds`."""

        Process = _PassingFdsProcess


def at_worker_exit(callback: Callable[[], Any]) -> None:
    """Call ``callback`` when this worker process of a :class:`concurrent.futures.ProcessPoolExecutor` ends normally.

    A multiprocessing child skips :mod:`atexit` handlers; this registers ``callback`` with the undocumented
    ``multiprocessing.util.Finalize`` (no object, an exit priority), which the child runs as it exits. Checked
    against CPython 3.11. If it changes, a worker that ends normally no longer shuts its warm kernel down and
    removes its logs itself (the kernel still dies with the worker, by the parent-death signal).
    """
    import multiprocessing.util

    multiprocessing.util.Finalize(None, callback, exitpriority=100)


def forget_shown_warnings() -> None:
    """Make every warning already shown once (the ``default`` and ``module`` actions) show again.

    Calls ``warnings._filters_mutated()``, which empties the registry of warnings already shown that each module
    keeps, as assigning ``warnings.filters`` does not. Checked against CPython 3.11 (in 3.13 and later the
    function may be ``_filters_mutated_lock_held``). ``_warm_kernel.reset`` makes the same call in the kernel;
    if it goes, a warm kernel's second report no longer shows a warning its first report showed, where a fresh
    kernel would.
    """
    import warnings

    warnings._filters_mutated()  # type: ignore[attr-defined]  # noqa: SLF001


# --- jupyter_client --------------------------------------------------------------------------------


def kernel_manager_with_launch_options() -> type:
    """jupyter_client's :class:`AsyncKernelManager` that adds its class attribute ``launch_options`` (keywords for
    the kernel's ``Popen``: log file, environment, inherited descriptors, parent-death signal) to every start.

    Overrides the private ``_async_start_kernel``, which ``start_kernel`` is bound to and ``restart_kernel`` calls
    with the arguments of the first start, so a restarted kernel gets the options too. Checked against
    jupyter_client 8.10. If it changes, kernels start without them: their output reaches the terminal, they
    do not inherit the run lock and do not die with the run.
    """
    from jupyter_client import AsyncKernelManager

    class LaunchOptionsKernelManager(AsyncKernelManager):
        launch_options: dict[str, Any] = {}  # noqa: RUF012 - set per run on a subclass

        async def _async_start_kernel(self, **kw: Any) -> None:
            return await super()._async_start_kernel(**{**self.launch_options, **kw})

        start_kernel = _async_start_kernel

    return LaunchOptionsKernelManager


async def receive_reply(client: Any, msg_id: str, timeout: float) -> dict[str, Any]:
    """The shell reply of a kernel client to the request ``msg_id``, waiting at most ``timeout`` seconds.

    Awaits jupyter_client's private ``KernelClient._async_recv_reply`` (it raises ``TimeoutError`` after the
    timeout). Checked against jupyter_client 8.10. If it changes, connecting to a warm kernel fails and every
    warm report fails at start.

    Parameters
    ----------
    client : jupyter_client.KernelClient
        An asynchronous kernel client connected to the kernel.
    msg_id : str
        The ``msg_id`` of the shell request whose reply is awaited.
    timeout : float
        The most seconds to wait.
    """
    from nbclient.util import ensure_async

    return await ensure_async(client._async_recv_reply(msg_id, timeout=timeout))  # noqa: SLF001


def adopt_kernel_info(client: Any, reply: dict[str, Any]) -> None:
    """Have a kernel client take the kernel's protocol version from a ``kernel_info_reply``, as its own
    ``wait_for_ready`` would.

    Calls jupyter_client's private ``KernelClient._handle_kernel_info_reply``. Checked against jupyter_client
    8.10. If it goes, a kernel that speaks an older protocol than the client gets messages it cannot read.
    """
    client._handle_kernel_info_reply(reply)  # noqa: SLF001


# --- nbclient --------------------------------------------------------------------------------------


async def cleanup_kernel(client: Any) -> None:
    """Stop a notebook client's kernel and channels, as nbclient does when starting its kernel client fails.

    Awaits nbclient's private ``NotebookClient._async_cleanup_kernel``. Checked against nbclient 0.11. If it
    goes, a warm kernel whose client could not connect is left running until the pool replaces it.
    """
    await client._async_cleanup_kernel()  # noqa: SLF001


# --- nbconvert -------------------------------------------------------------------------------------


def exporter_resources(exporter: Any, resources: dict[str, Any] | None) -> dict[str, Any]:
    """The resources an exporter's templates receive, as ``HTMLExporter.from_notebook_node`` prepares them.

    Calls nbconvert's private ``TemplateExporter._init_resources`` (``HTMLExporter`` adds ``deprecated``).
    Checked against nbconvert 7.17. If it changes, the page exporter (which repeats ``HTMLExporter``'s
    preparation without its BeautifulSoup pass) fails on every page or renders the templates without it.
    """
    return exporter._init_resources(resources)  # noqa: SLF001


def exporter_notebook_metadata(exporter: Any) -> Any:
    """The notebook metadata an exporter recorded, which nbconvert's ``WidgetsDataTypeFilter`` reads to find the
    widget state.

    Reads nbconvert's private ``Exporter._nb_metadata``. Checked against nbconvert 7.17. If it goes, every page
    export fails with an ``AttributeError``.
    """
    return exporter._nb_metadata  # noqa: SLF001
