"""Where reports run. The runner hands an executor a pure function and a list of picklable jobs.

- :class:`SerialExecutor`: one report after another in this process, each in its own fresh kernel;
- :class:`WarmExecutor`: ``jobs`` reports at a time on warm kernels (:mod:`ddj.report.runner.pool`), in this
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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
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

    def start(
        self, notebook: Path | None = None, count: int | None = None, notebooks: Sequence[Path] | None = None
    ) -> None:
        """Nothing to prepare: each report starts its own kernel.

        Parameters
        ----------
        notebook : pathlib.Path, optional
            Not used here (see :meth:`WarmExecutor.start`).
        count : int, optional
            Not used here.
        notebooks : sequence of pathlib.Path, optional
            Not used here.
        """

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
    """Run ``jobs`` reports at a time, each worker on a warm kernel (see :mod:`ddj.report.runner.pool`).

    With ``jobs=1`` the kernel belongs to this process; otherwise each of ``jobs`` worker processes
    (started with ``spawn``, so none inherits this process's threads) keeps its own. :meth:`start`
    starts the workers and their first kernels early, so they warm up while the runner checks the
    reports' parameters, and never more workers than reports. A kernel is replaced after ``max_runs`` reports.

    Each worker is a one-process pool of its own, so this process chooses which worker runs which report: a
    report goes to an idle worker whose kernel already serves its notebook when there is one (a kernel for
    another notebook is replaced, which takes as long as a small report), and a dead worker loses its own
    report only.
    """

    engine: str | None = "ddj-warm"

    def __init__(
        self, jobs: int | None = None, *, max_runs: int | None = None, warm_up: Callable[[], object] | None = None
    ) -> None:
        from ddj.report.runner.pool import MAX_RUNS

        self.jobs = max(1, jobs or default_jobs())
        self.max_runs = max_runs or MAX_RUNS
        #: Run in each new worker process while its first kernel starts (picklable): loads what the jobs will
        #: need, so the first job does not wait for it. The runner passes :func:`ddj.report.runner.run.warm_worker`.
        self.warm_up = warm_up
        self._slots: list[_Slot] | None = None
        self._started = False
        #: How many reports of each notebook are still to be handed out, when start() was told (else empty).
        self._pending: Counter[Path] = Counter()
        #: How many times a report whose worker process died is tried again on a new worker.
        self.retries = 1
        #: Worker processes lost (a report's worker that died) during this executor's life.
        self.lost_workers = 0

    def start(
        self, notebook: Path | None = None, count: int | None = None, notebooks: Sequence[Path] | None = None
    ) -> None:
        """Start the kernels (and worker processes) now, for at most ``count`` reports; later calls do nothing.

        Parameters
        ----------
        notebook : pathlib.Path, optional
            The notebook every kernel is started for, unless ``notebooks`` says otherwise; kernels start with the
            first report when None.
        count : int, optional
            How many reports will run: no more workers start than that (all ``jobs`` when None).
        notebooks : sequence of pathlib.Path, optional
            The notebooks of the reports to run, in the order they will be handed out: each worker's kernel is
            started for one of them, every notebook on one worker before any has two (see :func:`_warm_plan`);
            :meth:`map` then hands each report to a worker whose kernel serves its notebook when it can.
        """
        if self._started:
            return
        self._started = True
        self._pending = Counter(notebooks or [])
        workers = min(self.jobs, count) if count else self.jobs
        plan: list[Path | None] = list(_warm_plan(list(notebooks or []), workers) if notebooks else [])
        plan += [notebook] * (workers - len(plan))
        if workers == 1:
            from ddj.report.runner import pool

            kernels = pool.configure(max_runs=self.max_runs)
            if plan[0] is not None:
                kernels.launch(plan[0], _kernel_name(plan[0]))
            return
        self._slots = [self._new_slot(first) for first in plan]

    def map(
        self,
        fn: Callable[[Job], Result],
        jobs: Iterable[Job],
        on_start: OnStart | None = None,
        on_error: OnError | None = None,
    ) -> Iterator[Result]:
        """Run ``fn`` on every job in the workers, each job on an idle worker whose kernel serves its notebook when
        there is one. When a worker process dies, the job it was running is tried again, :attr:`retries` time(s),
        on a new worker, then handed to ``on_error``; the other workers' jobs go on.

        Parameters
        ----------
        fn : callable
            What to run on each job; picklable, as it runs in the worker processes.
        jobs : iterable of Job
            The jobs, e.g. one per report; a job's ``notebook`` attribute, if it has one, chooses its worker.
        on_start : callable, optional
            Called with each job, in this process, when a worker takes it.
        on_error : callable, optional
            ``on_error(job, error)``: the result for a job whose worker died on every try; without it the
            error is raised.
        """
        self.start()
        if self._slots is None:
            yield from SerialExecutor().map(fn, jobs, on_start)
            return
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        slots = self._slots
        waiting = iter(jobs)  # taken one at a time: a job can be prepared while the first ones run
        more = True
        running: dict[Any, tuple[Any, int, int]] = {}  # future: job, times its worker was lost, worker
        again: list[tuple[Any, int]] = []  # jobs of a lost worker, with how many times they were lost
        held: list[Any] = []  # jobs waiting for the busy worker whose kernel serves their notebook
        while more or running or again or held:
            busy = {w for _, _, w in running.values()}
            idle = [i for i in range(len(slots)) if i not in busy]
            while idle and again:  # a lost worker's job goes to whichever worker is free
                job, lost = again.pop(0)
                worker = idle.pop(0)
                busy.add(worker)
                slots[worker].notebook = getattr(job, "notebook", None) or slots[worker].notebook
                running[slots[worker].processes.submit(fn, job)] = (job, lost, worker)
            # The others in order, each to a worker that suits it; a job may wait for its notebook's busy worker
            # while later ones (a few at most) go to the idle workers.
            looked = 0
            while idle and looked < len(held) + (more and len(held) < len(slots)):
                if looked < len(held):
                    job = held[looked]
                else:
                    job = next(waiting, _END)
                    if job is _END:
                        more = False
                        break
                    held.append(job)
                notebook = getattr(job, "notebook", None)
                chosen = self._choose(idle, notebook, busy)
                if chosen is None:
                    looked += 1
                    continue
                worker = chosen
                held.remove(job)
                if notebook is not None:
                    self._pending[notebook] = max(0, self._pending[notebook] - 1)
                    slots[worker].notebook = notebook
                if on_start is not None:
                    on_start(job)
                idle.remove(worker)
                busy.add(worker)
                running[slots[worker].processes.submit(fn, job)] = (job, 0, worker)
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                job, lost, worker = running.pop(future)
                try:
                    result = future.result()
                except Exception as err:
                    if isinstance(err, BrokenProcessPool):  # the worker died: replace it (its kernel died with it)
                        self.lost_workers += 1
                        self._stop_processes(slots[worker].processes)
                        slots[worker] = self._new_slot(None, start=False)
                        if lost < self.retries:
                            again.append((job, lost + 1))
                            continue
                    if on_error is None:
                        raise
                    result = on_error(job, err)
                yield result

    def close(self, *, interrupted: bool = False) -> None:
        """Stop the workers and their kernels; ``interrupted``: at once, without waiting for running reports
        (the workers are killed; their kernels die with them, see :mod:`ddj.report.runner.lifecycle`).
        """
        if self._slots is not None:
            slots, self._slots = self._slots, None
            if interrupted:
                for slot in slots:
                    self._stop_processes(slot.processes)
            else:  # side by side (each worker stops its kernel); each waits until its process is gone
                import threading

                closers = [
                    threading.Thread(target=slot.processes.shutdown, kwargs={"wait": True, "cancel_futures": True})
                    for slot in slots
                ]
                for closer in closers:
                    closer.start()
                for closer in closers:
                    closer.join()
        elif self._started:
            from ddj.report.runner import pool

            pool.close()
        self._started = False

    def _choose(self, idle: list[int], notebook: Path | None, busy: set[int]) -> int | None:
        """The idle worker for a report of ``notebook``: one whose kernel serves it, else one whose kernel no
        report still to come needs. None (wait) when a busy worker serves the notebook and the reports of that
        notebook still to come (this one included) are no more than the workers serving it: a new kernel takes as
        long as a small report, so the busy worker will be free sooner.
        """
        assert self._slots is not None  # map() only chooses among started workers
        slots = self._slots
        if notebook is None:
            return idle[0]
        for worker in idle:
            if slots[worker].notebook == notebook:
                return worker
        serving = sum(1 for worker in busy if slots[worker].notebook == notebook)
        if serving and self._pending and self._pending[notebook] <= serving:
            return None
        unneeded = [w for w in idle if (served := slots[w].notebook) is None or not self._pending[served]]
        return (unneeded or idle)[0]

    def _new_slot(self, notebook: Path | None, *, start: bool = True) -> _Slot:
        """A worker: a pool of one process, started now (``start``) with a kernel for ``notebook``."""
        processes = self._new_processes(notebook, 1)
        if start:
            processes.submit(_ready)  # a task, so that the worker process starts now
        return _Slot(processes, notebook)

    def _new_processes(self, notebook: Path | None, workers: int) -> Any:
        from concurrent.futures import ProcessPoolExecutor

        from ddj.report.runner import lifecycle
        from ddj.report.runner.hooks import spawn_context_passing_fds

        # Spawned (no inherited threads), and each worker inherits the run lock.
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=spawn_context_passing_fds(lifecycle.inherited_fds),
            initializer=_start_worker,
            initargs=(self.max_runs, notebook, os.getpid(), lifecycle.inherited_fds(), self.warm_up),
        )

    @staticmethod
    def _stop_processes(processes: Any) -> None:
        """Kill a pool's worker processes (their kernels die with them) and wait until they are gone."""
        from ddj.report.runner.hooks import pool_worker_processes

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


@dataclass
class _Slot:
    """One worker of a :class:`WarmExecutor`: its one-process pool and the notebook its kernel serves (or will)."""

    processes: Any
    notebook: Path | None


def _start_worker(
    max_runs: int,
    notebook: Path | None,
    parent: int | None = None,
    fds: tuple[int, ...] = (),
    warm_up: Callable[[], object] | None = None,
) -> None:
    """In a new worker process: die with the calling process, keep the run lock, set up the kernel pool, start the
    first kernel, and run ``warm_up`` while it starts.
    """
    import signal

    from ddj.report.runner import lifecycle
    from ddj.report.runner.hooks import at_worker_exit

    lifecycle.die_with_parent(parent)  # even `kill -9` of the run ends its workers (and so their kernels)
    lifecycle.adopt_fds(fds)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the calling process, which stops the workers

    from ddj.report.runner import pool

    kernels = pool.configure(max_runs=max_runs)
    at_worker_exit(pool.close)  # workers skip atexit handlers
    if notebook is not None:
        with contextlib.suppress(Exception):  # the first report starts a kernel and reports what fails
            kernels.launch(notebook, _kernel_name(notebook))
    pool.register()
    if warm_up is not None:  # while the kernel starts
        warm_up()
    import gc

    gc.freeze()  # the imports last as long as the worker: keep them out of later garbage collections


def _warm_plan(notebooks: list[Path], workers: int) -> list[Path]:
    """The notebook each of ``workers`` kernels starts for: the reports' notebooks in order, each on one worker
    before any has two, the workers left over for the notebooks of the most reports.

    Examples
    --------
    >>> from pathlib import Path
    >>> incident, theatre = Path("incident.ipynb"), Path("theatre.ipynb")
    >>> [p.stem for p in _warm_plan([incident, incident, theatre], 2)]
    ['incident', 'theatre']
    >>> [p.stem for p in _warm_plan([theatre, incident, incident, incident], 3)]
    ['theatre', 'incident', 'incident']

    With two workers, three reports of two notebooks get a kernel for each notebook; the third worker of the
    second example goes to the notebook with the most reports.
    """
    plan = list(dict.fromkeys(notebooks))[:workers]
    left = Counter(notebooks)
    for served in plan:
        left[served] -= 1
    while len(plan) < workers and left and max(left.values()) > 0:
        most = max(left, key=lambda n: left[n])  # the first of the most numerous, in order
        plan.append(most)
        left[most] -= 1
    return plan


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
    UnavailableError
        Dask is not installed (``pip install ddj[distributed]``), or no scheduler answers at ``address``.
    """

    engine: str | None = None

    def __init__(self, address: str | Any, *, timeout: float = 30) -> None:
        self.address = address
        self.timeout = timeout
        self._client: Any = None

    def start(
        self, notebook: Path | None = None, count: int | None = None, notebooks: Sequence[Path] | None = None
    ) -> None:
        """Connect to the scheduler (kernels are the workers' business).

        Parameters
        ----------
        notebook : pathlib.Path, optional
            Not used here (see :meth:`WarmExecutor.start`).
        count : int, optional
            Not used here.
        notebooks : sequence of pathlib.Path, optional
            Not used here.
        """
        del notebook, count, notebooks
        if self._client is not None:
            return
        from ddj.errors import UnavailableError

        try:
            from distributed import Client
        except ImportError:
            msg = "--executor dask needs Dask distributed, which is not installed: pip install 'ddj[distributed]'"
            raise UnavailableError(msg) from None
        try:
            self._client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError) as err:
            msg = f"no Dask scheduler answered at {self.address}: {err}. Start one (dask scheduler) or fix --scheduler."
            raise UnavailableError(msg) from None

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
