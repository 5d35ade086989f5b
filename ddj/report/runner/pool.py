"""Warm kernels: a kernel that stays up between reports, with the heavy imports already done.

Starting a kernel and importing polars, altair and ddj takes longer than most reports. A warm kernel
pays that once: :class:`KernelPool` keeps one kernel per thread (a worker process of
:class:`ddj.report.runner.executors.WarmExecutor` runs one report at a time), and the Papermill engine that
:func:`register` registers as ``ddj-warm`` runs each report on it, so execution still goes through
Papermill and nbclient exactly as with a fresh kernel.

What makes a warm run equal to a fresh one:

- a kernel serves one notebook. It is started with that notebook's own imports preloaded, plus the
  modules earlier runs of the notebook imported along the way, so a module's import-time settings
  (a theme it enables, a warning filter it adds) are in place as they would be in a fresh kernel;
- before each run the kernel gets a new IPython session (empty namespace, history, execution count
  1), the recorded environment plus the run's, the run's working directory, ``sys.path``, the warning
  filters (once-only warnings show again) and the global settings of polars and altair
  (``ddj/report/runner/_warm_kernel.py`` does this inside the kernel);
- a kernel is replaced after a failed run (a raising cell, a timeout, a dead kernel), after a run that
  both imported new modules and changed that state (the change may come from an import, which the
  next kernel preloads), and after :data:`MAX_RUNS` runs, which bounds whatever else could leak.

State outside that list (a formatter registered with IPython, a monkey-patched library) would carry
over to the next run of the same kernel; report notebooks should not leave such things behind.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from ddj.errors import KernelStartError

#: The name of ddj's Papermill engine.
ENGINE_NAME = "ddj-warm"
#: Reports one kernel runs before it is replaced.
MAX_RUNS = 50
#: Seconds a kernel may take to start and preload.
START_TIMEOUT = 120
_KERNEL_SOURCE = Path(__file__).with_name("_warm_kernel.py")


class WarmKernel:
    """One kernel process kept between reports of one notebook.

    :meth:`launch` starts the process and sends the preload without waiting; :meth:`wait_ready`
    waits for it; :meth:`reset` runs before each report and :meth:`check` after it.
    """

    def __init__(self, key: tuple[str, str], preload: list[str], log_path: Path) -> None:
        self.key = key
        self.preload = preload
        self.log_path = log_path
        self.runs = 0
        self.km: Any = None
        self._control: Any = None
        self._pending: str | None = None
        self._log: Any = None

    @property
    def kernel_name(self) -> str:
        """The name of the Jupyter kernel this warm kernel runs (e.g. ``python3``)."""
        return self.key[1]

    def launch(self) -> None:
        """Start the kernel process and queue the set-up code (ddj's in-kernel module, then the preload)."""
        from jupyter_core.utils import run_sync

        from ddj.report.runner.kernels import kernel_options

        self._log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the kernel's life
        manager_class = kernel_options(self._log, {})["kernel_manager_class"]
        self.km = manager_class(kernel_name=self.kernel_name)
        # The same options nbclient gives a kernel it starts itself (history in memory, not on disk).
        run_sync(self.km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        control = self.km.blocking_client()
        control.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)  # noqa: S604 - Jupyter's shell channel, not a shell
        self._control = control
        source = _KERNEL_SOURCE.read_text(encoding="utf-8")
        self._pending = self._send(
            "import sys as _s, types as _t\n"
            "_m = _t.ModuleType('_ddj_warm')\n"
            f"exec(compile({source!r}, {str(_KERNEL_SOURCE)!r}, 'exec'), _m.__dict__)\n"
            "_s.modules['_ddj_warm'] = _m\n"
            f"_m.preload({self.preload!r})\n"
            "del _s, _t, _m\n"
        )

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until the kernel has finished its set-up."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._reply(pending, timeout)

    def reset(self, cwd: str, env: dict[str, str]) -> None:
        """Bring the kernel back to its state after preloading, in ``cwd`` with ``env`` added."""
        self._reply(self._send(f"__import__('sys').modules['_ddj_warm'].reset({cwd!r}, {env!r})"), 60)

    def check(self) -> dict[str, Any]:
        """The modules the last run imported and the restorable state it changed (see ``_warm_kernel.check``)."""
        reply = self._reply(
            self._send("", user_expressions={"r": "__import__('sys').modules['_ddj_warm'].check()"}), 60
        )
        result = reply["content"]["user_expressions"]["r"]
        if result.get("status") != "ok":
            msg = f"the kernel could not report its state: {result.get('ename')}: {result.get('evalue')}"
            raise KernelStartError(msg)
        return json.loads(ast.literal_eval(result["data"]["text/plain"]))

    def clean(self) -> None:
        """Have the kernel free the last run's objects, without waiting (the next :meth:`reset` waits for it)."""
        self._send("__import__('sys').modules['_ddj_warm'].clean()")

    def is_alive(self) -> bool:
        """Whether the kernel process was started and is still running."""
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def log_size(self) -> int:
        """The size in bytes of the kernel's log file so far (0 before it exists)."""
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def shutdown(self) -> None:
        """Stop the kernel at once (it holds nothing worth saving) and release its files."""
        from jupyter_core.utils import run_sync

        if self._control is not None:
            self._control.stop_channels()
            self._control = None
        if self.km is not None:
            try:
                if run_sync(self.km.is_alive)():
                    run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001, S110 - already gone
                pass
            finally:
                run_sync(self.km.cleanup_resources)()
                self.km = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def _send(self, code: str, **kw: Any) -> str:
        return self._control.execute(code, silent=True, store_history=False, allow_stdin=False, **kw)

    def _reply(self, msg_id: str, timeout: float) -> dict[str, Any]:
        from queue import Empty

        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = self._control.get_shell_msg(timeout=1)
            except Empty:
                if not self.is_alive():
                    msg = f"the kernel died while ddj prepared it (see {self.log_path})"
                    raise KernelStartError(msg) from None
                if time.monotonic() > deadline:
                    msg = f"the kernel did not answer within {timeout:.0f} s (see {self.log_path})"
                    raise KernelStartError(msg) from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if content.get("status") != "ok":
                msg = f"ddj's set-up code failed in the kernel: {content.get('ename')}: {content.get('evalue')}"
                raise KernelStartError(msg)
            return msg


class KernelPool:
    """The warm kernels of this process, one per thread, and what they learned about each notebook.

    ``started`` counts kernels started and ``retired`` why kernels were replaced (``failed``,
    ``max_runs``, ``state``, ``notebook`` for a kernel that served another notebook, ``dead``).
    """

    def __init__(self, *, max_runs: int = MAX_RUNS, log_dir: Path | None = None) -> None:
        if max_runs < 1:
            msg = f"max_runs must be at least 1, not {max_runs}"
            raise ValueError(msg)
        self.max_runs = max_runs
        self._own_log_dir = log_dir is None
        self.log_dir = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix=f"ddj-kernels-{os.getpid()}-"))
        self.learned: dict[tuple[str, str], list[str]] = {}
        self.started = 0
        self.retired: Counter[str] = Counter()
        self._kernels: dict[int, WarmKernel] = {}
        self._lock = threading.Lock()

    def launch(self, notebook: str | Path, kernel_name: str = "python3", nb: Any = None) -> WarmKernel:
        """Start (without waiting) this thread's kernel for ``notebook``, replacing one that serves another.

        Parameters
        ----------
        notebook : str or pathlib.Path
            The notebook the kernel will run; a kernel serves one notebook (and kernel name).
        kernel_name : str, default "python3"
            The Jupyter kernel to start.
        nb : nbformat.NotebookNode, optional
            The notebook already read, to find the modules to preload (:func:`notebook_imports`); read from
            ``notebook`` when None.
        """
        key = (str(notebook), kernel_name)
        current = self._kernels.get(threading.get_ident())
        if current is not None:
            if current.key == key:
                return current
            self._retire(current, "notebook")
        preload = [*notebook_imports(nb if nb is not None else notebook), *self.learned.get(key, [])]
        with self._lock:
            self.started += 1
            number = self.started
        kernel = WarmKernel(key, list(dict.fromkeys(preload)), self.log_dir / f"kernel-{os.getpid()}-{number}.log")
        self._kernels[threading.get_ident()] = kernel
        kernel.launch()
        return kernel

    def acquire(
        self, notebook: str | Path, kernel_name: str = "python3", nb: Any = None, timeout: float = START_TIMEOUT
    ) -> WarmKernel:
        """The calling thread's kernel for ``notebook``, started if needed, ready for :meth:`WarmKernel.reset`.

        Parameters
        ----------
        notebook : str or pathlib.Path
            The notebook the kernel will run.
        kernel_name : str, default "python3"
            The Jupyter kernel to start.
        nb : nbformat.NotebookNode, optional
            The notebook already read; read from ``notebook`` when None.
        timeout : float, default START_TIMEOUT (120)
            The most seconds to wait for a kernel to start; beyond it :class:`KernelStartError` is raised.
        """
        kernel = self._kernels.get(threading.get_ident())
        if kernel is not None and kernel.key == (str(notebook), kernel_name) and not kernel.is_alive():
            self._retire(kernel, "dead")
        kernel = self.launch(notebook, kernel_name, nb)
        try:
            kernel.wait_ready(timeout)
        except KernelStartError:
            self._retire(kernel, "dead")
            raise
        return kernel

    def release(self, kernel: WarmKernel, *, failed: bool) -> None:
        """Record a finished run: replace the kernel after a failure, a state change by new imports, or ``max_runs``."""
        kernel.runs += 1
        if failed:
            self._retire(kernel, "failed")
            return
        try:
            seen = kernel.check()
        except Exception:  # noqa: BLE001 - a kernel that cannot answer is not reused
            self._retire(kernel, "dead")
            return
        if seen["new_modules"]:
            learned = self.learned.setdefault(kernel.key, [])
            learned += [m for m in seen["new_modules"] if m not in learned and not m.startswith("_ddj")]
        if seen["new_modules"] and seen["changed"]:
            self._retire(kernel, "state")
        elif kernel.runs >= self.max_runs:
            self._retire(kernel, "max_runs")
        else:
            kernel.clean()

    def discard(self, kernel: WarmKernel, reason: str) -> None:
        """Stop a kernel that cannot be used, counting it under ``reason``."""
        self._retire(kernel, reason)

    def close(self) -> None:
        """Stop every kernel of the pool (and remove its logs, unless they went to a folder given to it)."""
        for kernel in list(self._kernels.values()):
            self._retire(kernel, None)
        if self._own_log_dir:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def _retire(self, kernel: WarmKernel, reason: str | None) -> None:
        for ident, held in list(self._kernels.items()):
            if held is kernel:
                del self._kernels[ident]
        if reason:
            self.retired[reason] += 1
        kernel.shutdown()


def notebook_imports(notebook: str | Path | Any) -> list[str]:
    r"""The modules a notebook's code cells import, in order (``from a.b import c`` gives ``a.b`` and ``a.b.c``).

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("import ddj\nfrom ddj.report.pages import sections")
    >>> nb = nbformat.v4.new_notebook(cells=[cell])
    >>> notebook_imports(nb)
    ['ddj', 'ddj.report.pages', 'ddj.report.pages.sections']

    A warm kernel for this notebook imports ddj and the report sections before its first report
    (``ddj.report.pages.sections`` is tried as a module; a name that is not one is skipped in the kernel).
    """
    if isinstance(notebook, (str, Path)):
        try:  # json, not nbformat: nbformat is slow to import, and this runs before the kernel starts
            cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, LookupError, TypeError):  # Papermill reports an unreadable notebook itself
            return []
    else:
        cells = notebook.cells
    found: list[str] = []
    for cell in cells:
        source = cell.get("source", "")
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse("".join(source) if isinstance(source, list) else source)
        except SyntaxError:  # IPython magics and the like: nothing to preload from this cell
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
                found += [f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"]
    return list(dict.fromkeys(found))


# --- the process's pool and the Papermill engine ----------------------------------------------------

_pool: KernelPool | None = None


def configure(*, max_runs: int = MAX_RUNS, log_dir: Path | None = None) -> KernelPool:
    """Set up this process's pool (closing an earlier one); return it. :func:`ddj.report.runner.engine.execute`
    registers the engine when it first runs a report on it.
    """
    global _pool  # noqa: PLW0603 - one pool per process, like Papermill's engine registry
    if _pool is not None:
        _pool.close()
    _pool = KernelPool(max_runs=max_runs, log_dir=log_dir)
    return _pool


def current_pool() -> KernelPool:
    """The process's pool, set up with the defaults on first use."""
    return _pool if _pool is not None else configure()


def close() -> None:
    """Stop this process's kernels."""
    global _pool  # noqa: PLW0603
    if _pool is not None:
        _pool.close()
        _pool = None


def register() -> None:
    """Register :class:`WarmEngine` with Papermill as ``ddj-warm``."""
    from papermill.engines import papermill_engines

    papermill_engines.register(ENGINE_NAME, _engine_class())


def _engine_class() -> type:
    global _ENGINE  # noqa: PLW0603
    if _ENGINE is None:
        from papermill.engines import NBClientEngine
        from papermill.log import logger
        from papermill.utils import merge_kwargs, remove_args

        class WarmEngine(NBClientEngine):
            """Papermill's nbclient engine on this process's warm kernel instead of a new one.

            Extra keywords: ``ddj_env`` (variables the run sets in the kernel), ``ddj_log`` (a file that
            receives what the kernel wrote to its standard streams during the run) and ``ddj_output`` (where
            the notebook is written, as far as it ran, when the run ends in an exception such as a dead kernel).
            """

            @classmethod
            def execute_managed_notebook(
                cls,
                nb_man: Any,
                kernel_name: str,
                log_output: bool = False,
                stdout_file: Any = None,
                stderr_file: Any = None,
                start_timeout: int = 60,
                execution_timeout: int | None = None,
                **kwargs: Any,
            ) -> Any:
                env = kwargs.pop("ddj_env", None) or {}
                log = kwargs.pop("ddj_log", None)
                output = kwargs.pop("ddj_output", None)
                notebook = kwargs.get("input_path") or "<notebook>"
                kwargs = remove_args(["input_path", "timeout", "startup_timeout", "kernel_manager_class"], **kwargs)
                final = merge_kwargs(
                    kwargs,
                    timeout=execution_timeout,
                    startup_timeout=start_timeout,
                    kernel_name=kernel_name,
                    log=logger,
                    log_output=log_output,
                    stdout_file=stdout_file,
                    stderr_file=stderr_file,
                )
                pool = current_pool()
                kernel = _prepared_kernel(
                    pool, notebook, kernel_name, nb_man.nb, dict(env), max(start_timeout, START_TIMEOUT)
                )
                offset = kernel.log_size()
                failed = True
                client = None
                try:
                    client = _client_class()(nb_man, km=kernel.km, **final)
                    result = client.execute()
                    failed = bool(nb_man.nb.metadata.get("papermill", {}).get("exception"))
                    return result
                except Exception:
                    if output:
                        from papermill.iorw import write_ipynb

                        write_ipynb(nb_man.nb, output)
                    raise
                finally:
                    if client is not None and client.kc is not None:
                        client.kc.stop_channels()
                    if log:
                        _copy_log(kernel.log_path, offset, Path(log))
                    pool.release(kernel, failed=failed)

        _ENGINE = WarmEngine
    return _ENGINE


_ENGINE: type | None = None
_CLIENT: type | None = None
#: How long the IOPub channel of a new client may take to show the reply to its first request before it asks again.
IOPUB_JOIN_WAIT = 0.5


def _client_class() -> type:
    """Papermill's notebook client, connecting to a warm kernel without waiting for a silent IOPub channel.

    jupyter_client's ``wait_for_ready`` ends by reading IOPub until it has been silent for 0.2 s: a
    fixed wait on every report, longer than some reports. This client instead asks the kernel for its
    info and reads IOPub until the kernel reports itself idle after *that* request: the channel is then
    connected, and everything published before (the kernel's reset) has been read. If the IOPub
    subscription was not connected in time to see it, the client asks again.
    """
    global _CLIENT  # noqa: PLW0603
    if _CLIENT is None:
        from papermill.clientwrap import PapermillNotebookClient

        class WarmClient(PapermillNotebookClient):
            async def async_start_new_kernel_client(self) -> Any:
                from nbclient.util import ensure_async, run_hook

                from ddj.report.runner.hooks import cleanup_kernel

                self.kc = self.km.client()
                try:
                    await ensure_async(self.kc.start_channels())
                    await _connected(self.kc, self.startup_timeout, self.km)
                except Exception:
                    await cleanup_kernel(self)
                    raise
                self.kc.allow_stdin = False
                await run_hook(self.on_notebook_start, notebook=self.nb)
                return self.kc

        from nbclient.util import run_sync

        WarmClient.start_new_kernel_client = run_sync(WarmClient.async_start_new_kernel_client)
        _CLIENT = WarmClient
    return _CLIENT


async def _connected(kc: Any, timeout: float, km: Any) -> None:
    """Return once ``kc`` gets shell replies and IOPub messages from the kernel (see :func:`_client_class`)."""
    from queue import Empty

    from nbclient.util import ensure_async

    from ddj.report.runner.hooks import adopt_kernel_info, receive_reply

    deadline = time.monotonic() + timeout
    while True:
        request = kc.kernel_info()
        reply = await receive_reply(kc, request, timeout=max(0.0, deadline - time.monotonic()))
        joined = time.monotonic() + IOPUB_JOIN_WAIT
        while (left := joined - time.monotonic()) > 0:
            try:
                msg = await ensure_async(kc.iopub_channel.get_msg(timeout=left))
            except Empty:
                break
            if (
                msg["parent_header"].get("msg_id") == request
                and msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "idle"
            ):
                adopt_kernel_info(kc, reply)
                return
        if not await ensure_async(km.is_alive()):
            msg = "the kernel died before its IOPub channel answered"
            raise RuntimeError(msg)
        if time.monotonic() > deadline:
            msg = f"the kernel's IOPub channel did not answer within {timeout:.0f} s"
            raise RuntimeError(msg)


def _prepared_kernel(
    pool: KernelPool, notebook: str, kernel_name: str, nb: Any, env: dict[str, str], timeout: float
) -> WarmKernel:
    """The calling thread's kernel, reset for a run in the current directory; a kernel that cannot be reset is
    replaced once.
    """
    for attempt in (1, 2):
        kernel = pool.acquire(notebook, kernel_name, nb, timeout=timeout)
        try:
            kernel.reset(os.getcwd(), env)
        except KernelStartError:
            pool.discard(kernel, "dead")
            if attempt == 2:
                raise
        else:
            return kernel
    raise AssertionError  # pragma: no cover - the loop returns or raises


def _copy_log(source: Path, offset: int, target: Path) -> None:
    try:
        with open(source, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except OSError:
        return
    if data:
        with open(target, "ab") as out:
            out.write(data)
