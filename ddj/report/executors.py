"""Where reports run. The runner hands an executor a pure function and a list of picklable jobs.

- :class:`SerialExecutor`: one report after another in this process, each in its own fresh kernel;
- :class:`WarmExecutor`: ``jobs`` reports at a time on warm kernels (:mod:`ddj.report.pool`), in this
  process for one job at a time, else in as many worker processes;
- :class:`DaskExecutor`: each report is a task on a Dask distributed cluster (``pip install
  ddj[distributed]``); the workers must see the same files (notebooks, datasets, output folder).

The job (:class:`ddj.report.runner.ReportJob`) holds plain data and :func:`ddj.report.runner.run_report`
needs nothing from the calling process, so a job can be shipped to a worker as it is. An executor's
``engine`` names the Papermill engine its workers run notebooks with (``None``: a fresh kernel per run).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")
OnStart = Callable[[Any], None]
OnError = Callable[[Any, BaseException], Any]


class Executor(Protocol):
    """Runs ``fn`` on every job and yields the results as they finish (in any order).

    ``on_start(job)`` is called, in the calling process, when a job is handed to a worker, so a
    progress display can say what is running. ``on_error(job, error)`` turns a job whose worker was
    lost (a crashed process, a cluster that went away) into a result; without it the error is raised.
    """

    engine: str | None

    def map(
        self,
        fn: Callable[[Job], Result],
        jobs: Iterable[Job],
        on_start: OnStart | None = None,
        on_error: OnError | None = None,
    ) -> Iterator[Result]:
        """Run ``fn`` on every job and yield the results as they finish.

        Parameters
        ----------
        fn
            What to run on each job (a picklable function for executors that use other processes).
        jobs
            The jobs, e.g. one per report.
        on_start
            Called with each job, in the calling process, when a worker takes it.
        on_error
            Turns a job whose worker was lost, and the error, into a result; without it the error is raised.

        Yields
        ------
        Result
            Each job's result, in the order the jobs finish.
        """
        ...


class SerialExecutor:
    """Run jobs one after another in this process.

    Examples
    --------
    >>> list(SerialExecutor().map(lambda n: n * n, [1, 2, 3]))
    [1, 4, 9]

    Each job's result comes back in order, as soon as it is done.
    """

    engine: str | None = None

    def start(self, notebook: Path | None = None, count: int | None = None) -> None:
        """Nothing to prepare: each report starts its own kernel."""

    def map(
        self,
        fn: Callable[[Job], Result],
        jobs: Iterable[Job],
        on_start: OnStart | None = None,
        on_error: OnError | None = None,
    ) -> Iterator[Result]:
        """See :meth:`Executor.map`.

        Parameters
        ----------
        fn : callable
            What to run on each job, in this process.
        jobs : iterable of Job
            The jobs, e.g. one per report, run one after another in their order.
        on_start : callable, optional
            Called with each job just before it runs.
        on_error : callable, optional
            Not used: a job's error is raised here, as no worker can be lost.
        """
        del on_error  # nothing is lost between a job and this process
        for job in jobs:
            if on_start is not None:
                on_start(job)
            yield fn(job)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_jobs() -> int:
    """How many reports run at once by default: the number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


class WarmExecutor:
    """Run ``jobs`` reports at a time, each worker on a warm kernel (see :mod:`ddj.report.pool`).

    With ``jobs=1`` the kernel belongs to this process; otherwise each of ``jobs`` worker processes
    (started with ``spawn``, so none inherits this process's threads) keeps its own. :meth:`start`
    starts the workers and their first kernels early, so they warm up while the runner checks the
    reports' parameters. A kernel is replaced after ``max_runs`` reports.
    """

    engine: str | None = "ddj-warm"

    def __init__(self, jobs: int | None = None, *, max_runs: int | None = None) -> None:
        from ddj.report.pool import MAX_RUNS

        self.jobs = max(1, jobs or default_jobs())
        self.max_runs = max_runs or MAX_RUNS
        self._processes: Any = None
        self._workers = self.jobs
        self._started = False
        #: How many times a report whose worker process died is tried again on a new worker.
        self.retries = 1
        #: Worker pools lost to a dead worker process during this executor's life.
        self.lost_workers = 0

    def start(self, notebook: Path | None = None, count: int | None = None) -> None:
        """Start the kernels (and worker processes) now, for ``notebook`` and at most ``count`` reports; later
        calls do nothing.
        """
        if self._started:
            return
        self._started = True
        workers = self._workers = min(self.jobs, count) if count else self.jobs
        if workers == 1:
            from ddj.report import pool

            kernels = pool.configure(max_runs=self.max_runs)
            if notebook is not None:
                kernels.launch(notebook, _kernel_name(notebook))
            return
        self._processes = self._new_processes(notebook, workers)
        for _ in range(workers):  # one task per worker, so that every worker starts now
            self._processes.submit(_ready)

    def map(
        self,
        fn: Callable[[Job], Result],
        jobs: Iterable[Job],
        on_start: OnStart | None = None,
        on_error: OnError | None = None,
    ) -> Iterator[Result]:
        """Run ``fn`` on every job in the workers. When a worker process dies, the pool goes with it: every job it
        was running is tried again, :attr:`retries` time(s), on new workers, then handed to ``on_error``.

        Parameters
        ----------
        fn : callable
            What to run on each job; picklable, as it runs in the worker processes.
        jobs : iterable of Job
            The jobs, e.g. one per report.
        on_start : callable, optional
            Called with each job, in this process, when a worker takes it.
        on_error : callable, optional
            ``on_error(job, error)``: the result for a job whose worker died on every try; without it the
            error is raised.
        """
        self.start()
        if self._processes is None:
            yield from SerialExecutor().map(fn, jobs, on_start)
            return
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        waiting = iter(jobs)  # taken one at a time: a job can be prepared while the first ones run
        more = True
        running: dict[Any, tuple[Any, int]] = {}
        again: list[tuple[Any, int]] = []  # jobs of a lost worker, with how many times they were lost
        while more or running or again:
            while (more or again) and len(running) < self._workers:
                if again:
                    job, lost = again.pop(0)
                else:
                    job = next(waiting, _END)
                    if job is _END:
                        more = False
                        continue
                    lost = 0
                    if on_start is not None:
                        on_start(job)
                running[self._processes.submit(fn, job)] = (job, lost)
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken: BaseException | None = None
            for future in done:
                job, lost = running.pop(future)
                try:
                    result = future.result()
                except Exception as err:
                    if isinstance(err, BrokenProcessPool):
                        broken = err
                        if lost < self.retries:
                            again.append((job, lost + 1))
                            continue
                    if on_error is None:
                        raise
                    result = on_error(job, err)
                yield result
            if broken is not None:  # a worker died, and the pool with it: its other jobs are lost too
                for job, lost in running.values():
                    if lost < self.retries:
                        again.append((job, lost + 1))
                    elif on_error is None:
                        raise broken
                    else:
                        yield on_error(job, broken)
                running.clear()
                self.lost_workers += 1
                self._stop_processes(self._processes)
                self._processes = self._new_processes(None, self._workers)

    def close(self, *, interrupted: bool = False) -> None:
        """Stop the workers and their kernels; ``interrupted``: at once, without waiting for running reports
        (the workers are killed; their kernels die with them, see :mod:`ddj.report.lifecycle`).
        """
        if self._processes is not None:
            if interrupted:
                self._stop_processes(self._processes)
            else:
                self._processes.shutdown(wait=True, cancel_futures=True)
            self._processes = None
        elif self._started:
            from ddj.report import pool

            pool.close()
        self._started = False

    def _new_processes(self, notebook: Path | None, workers: int) -> Any:
        from concurrent.futures import ProcessPoolExecutor

        from ddj.report import lifecycle
        from ddj.report.hooks import spawn_context_passing_fds

        # Spawned (no inherited threads), and each worker inherits the run lock.
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=spawn_context_passing_fds(lifecycle.inherited_fds),
            initializer=_start_worker,
            initargs=(self.max_runs, notebook, os.getpid(), lifecycle.inherited_fds()),
        )

    @staticmethod
    def _stop_processes(processes: Any) -> None:
        """Kill a pool's worker processes (their kernels die with them) and wait until they are gone."""
        from ddj.report.hooks import pool_worker_processes

        workers = pool_worker_processes(processes)
        for process in workers:
            if process.is_alive():
                process.kill()
        processes.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.join(timeout=30)

    def __enter__(self) -> WarmExecutor:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(interrupted=kind is not None and issubclass(kind, KeyboardInterrupt))


_END = object()


def _start_worker(max_runs: int, notebook: Path | None, parent: int | None = None, fds: tuple[int, ...] = ()) -> None:
    """In a new worker process: die with the calling process, keep the run lock, set up the kernel pool, start the
    first kernel, import what runs reports.
    """
    import signal

    from ddj.report import lifecycle
    from ddj.report.hooks import at_worker_exit

    lifecycle.die_with_parent(parent)  # even `kill -9` of the run ends its workers (and so their kernels)
    lifecycle.adopt_fds(fds)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the calling process, which stops the workers

    from ddj.report._startup import skip_unused_imports

    skip_unused_imports()
    from ddj.report import pool

    kernels = pool.configure(max_runs=max_runs)
    at_worker_exit(pool.close)  # workers skip atexit handlers
    if notebook is not None:
        with contextlib.suppress(Exception):  # the first report starts a kernel and reports what fails
            kernels.launch(notebook, _kernel_name(notebook))
    # While the kernel starts, load what the first report needs: the page exporter and the charts' scripts.
    # (The worker draws no chart: the kernel made each SVG, and the PNG is rasterised from it.)
    import ddj.report.runner  # noqa: F401
    from ddj.report.figures import javascript_bundle
    from ddj.report.htmlexport import _exporter

    pool.register()
    _exporter()
    javascript_bundle()
    import gc

    gc.freeze()  # the imports last as long as the worker: keep them out of later garbage collections


def _ready() -> None:
    """A task that returns at once: submitted so that every worker process starts right away."""


def _kernel_name(notebook: Path) -> str:
    """The notebook's kernel, read with :mod:`json` (nbformat is slow to import and the kernel should start first)."""
    import json

    try:
        return json.loads(Path(notebook).read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"] or "python3"
    except (OSError, ValueError, LookupError, TypeError):
        return "python3"


class DaskExecutor:
    """Send each report to a Dask distributed cluster at ``address`` (e.g. ``tcp://10.0.0.5:8786``).

    Each report runs as one task in a fresh kernel on whichever worker takes it; the workers must see
    the same paths as this machine (a shared or synchronised file system) and have ddj installed.

    Raises
    ------
    UsageError
        Dask is not installed (``pip install ddj[distributed]``), or no scheduler answers at ``address``.
    """

    engine: str | None = None

    def __init__(self, address: str | Any, *, timeout: float = 30) -> None:
        self.address = address
        self.timeout = timeout
        self._client: Any = None

    def start(self, notebook: Path | None = None, count: int | None = None) -> None:
        """Connect to the scheduler."""
        del notebook, count
        if self._client is not None:
            return
        from ddj.errors import UsageError

        try:
            from distributed import Client
        except ImportError:
            msg = "--executor dask needs Dask distributed, which is not installed: pip install 'ddj[distributed]'"
            raise UsageError(msg) from None
        try:
            self._client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError) as err:
            msg = f"no Dask scheduler answered at {self.address}: {err}. Start one (dask scheduler) or fix --scheduler."
            raise UsageError(msg) from None

    def map(
        self,
        fn: Callable[[Job], Result],
        jobs: Iterable[Job],
        on_start: OnStart | None = None,
        on_error: OnError | None = None,
    ) -> Iterator[Result]:
        """See :meth:`Executor.map`.

        Parameters
        ----------
        fn : callable
            What to run on each job; picklable, as it runs on the cluster's workers.
        jobs : iterable of Job
            The jobs, e.g. one per report; all are submitted at once.
        on_start : callable, optional
            Called with each job, in this process, as it is submitted.
        on_error : callable, optional
            ``on_error(job, error)``: the result for a job whose task failed (its worker lost, say); without it
            the error is raised.
        """
        from distributed import as_completed

        self.start()
        futures = {}
        for job in jobs:
            if on_start is not None:
                on_start(job)
            key = f"ddj-report-{getattr(job, 'name', 'job')}-{uuid.uuid4().hex}"
            futures[self._client.submit(fn, job, pure=False, key=key)] = job
        for future in as_completed(futures, loop=self._client.loop):
            try:
                yield future.result()
            except Exception as err:
                if on_error is None:
                    raise
                yield on_error(futures[future], err)

    def close(self) -> None:
        """Disconnect from the Dask scheduler (the cluster itself keeps running)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
