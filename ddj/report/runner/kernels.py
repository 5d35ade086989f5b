"""How a report's kernel is started: on local sockets (no TCP port) named after this process, with the run's
lock inherited and a parent-death signal (see :mod:`ddj.report.runner.lifecycle`), its output in the report's log.

Both the one-report engine (:mod:`ddj.report.runner.engine`) and the warm pool (:mod:`ddj.report.runner.pool`)
start kernels this way.
"""

from __future__ import annotations

import functools
import os
import tempfile
import uuid
from typing import Any


def kernel_options(log: Any, env: dict[str, str]) -> dict[str, Any]:
    """Papermill keyword arguments that make nbclient start the kernel ddj's way (and shut it down after).

    Parameters
    ----------
    log : file object
        Where the kernel's stdout and stderr go (the report's log).
    env : dict
        Environment variables added to this process's for the kernel.
    """
    from ddj.report.runner import lifecycle

    kernel_env = {**os.environ, "PYTHONHASHSEED": "0", "PYDEVD_DISABLE_FILE_VALIDATION": "1", **env}
    # The kernel inherits the run lock and dies with this process, even when this process is killed.
    options = {"stderr": log, "stdout": log, "env": kernel_env, **lifecycle.kernel_launch_options()}
    manager = type("ReportKernelManager", (manager_class(),), {"launch_options": options})
    return {"kernel_manager_class": manager}


@functools.cache
def manager_class() -> type:
    """A kernel manager on local sockets that adds ``launch_options`` (log file, environment) to every start
    (see :func:`ddj.report.runner.hooks.kernel_manager_with_launch_options`).
    """
    from traitlets import default

    from ddj.report.runner.hooks import kernel_manager_with_launch_options

    class ReportKernelManagerBase(kernel_manager_with_launch_options()):  # type: ignore[misc]  # made at run time
        @default("transport")
        def _local_sockets(self) -> str:
            return "ipc"

        @default("ip")
        def _socket_path(self) -> str:
            # An absolute, unique prefix: jupyter_client's default ("kernel-ipc") is relative to the working
            # directory, which Papermill changes, and two processes in one directory could pick the same file.
            # The process id in the name lets the next run remove the socket files of a process that was killed.
            return os.path.join(tempfile.gettempdir(), f"ddj-kernel-{os.getpid()}-{uuid.uuid4().hex[:16]}")

        @default("connection_file")
        def _connection_file(self) -> str:
            # Not jupyter_client's anonymous tmpXXXX.json: with the process id in its name, the next run removes
            # the file when this process was killed (see ddj.report.runner.lifecycle).
            return os.path.join(tempfile.gettempdir(), f"ddj-kernel-{os.getpid()}-{uuid.uuid4().hex[:16]}.json")

    return ReportKernelManagerBase
