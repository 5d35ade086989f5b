"""Where reports run. The runner hands an executor a pure function and a list of picklable jobs.

Only :class:`SerialExecutor` exists today: one report after another in this process, each in its own
fresh kernel. A pool of processes or a Dask cluster is another class with the same ``map``: the job
(:class:`ddj.report.runner.ReportJob`) holds plain data and :func:`ddj.report.runner.run_report` needs
nothing from the calling process, so both can be shipped to a worker as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


class Executor(Protocol):
    """Runs ``fn`` on every job and yields the results as they finish (in any order).

    ``on_start(job)`` is called, in the calling process, when a job is handed to a worker, so a
    progress display can say what is running.
    """

    def map(self, fn: Callable[[Job], Result], jobs: Iterable[Job],
            on_start: Callable[[Job], None] | None = None) -> Iterator[Result]: ...


class SerialExecutor:
    """Run jobs one after another in this process.

    Examples
    --------
    >>> list(SerialExecutor().map(lambda n: n * n, [1, 2, 3]))
    [1, 4, 9]

    Each job's result comes back in order, as soon as it is done.
    """

    def map(self, fn: Callable[[Job], Result], jobs: Iterable[Job],
            on_start: Callable[[Job], None] | None = None) -> Iterator[Result]:
        for job in jobs:
            if on_start is not None:
                on_start(job)
            yield fn(job)
