"""Fixtures shared by the test modules, built once per test session.

A :class:`ddj.Dataset` and a comparison are frozen (their frames are never changed in place), so one
copy serves every module that reads them:

``syria``
    The shipped ``syria-ru-aviation`` package, loaded and validated.
``comparison``
    ``ddj.compare`` of ``syria``.
``tally``
    The shipped ``ukraine-equipment-losses`` tally dataset.
``minimal``
    The minimal valid incident package of ``tests/fixtures/minimal.py``, loaded.
``from_dict_calls`` (per test)
    The Altair classes whose ``from_dict`` the test made run: ddj's charts must make none.

A module may still define a fixture of the same name for something else (``test_widgets.py``'s
``syria`` is the dataset and its comparison together); pytest uses the module's own.

Tests that take more than a few seconds are marked ``slow``: ``make test`` (and CI) runs them,
``make test-fast`` (``pytest -m "not slow"``) leaves them out. A test is marked with
``@pytest.mark.slow``, or here: every test of a module in :data:`SLOW_MODULES`, and every test that
uses one of the :data:`SLOW_FIXTURES` (module-scoped set-ups that run whole reports).

Both make targets run the suite on parallel workers (pytest-xdist: ``-n 2 --dist loadfile
--no-loadscope-reorder``; ``TEST_WORKERS`` in the Makefile). What that asks of a test:

- A module runs whole on one worker, so a module-scoped set-up (a report run, a server, a browser) is
  built once; the modules of :data:`LONGEST_FIRST` are collected first, so they start first.
- Each worker (and a plain ``pytest`` run) has a cache folder of its own: :func:`pytest_configure` points
  ``$DDJ_CACHE_DIR`` at a new temporary folder, inherited by the reports, servers and kernels a test
  starts, and removes it at the end. Only its ``charts/`` folder is the session's, shared by the workers: a
  rendering is kept whole under the key of what it draws, so a chart one worker rendered is not rendered
  again by the other, and two workers writing the same rendering write the same bytes. A test that needs a
  cache in a known state sets its own folder with ``monkeypatch.setenv("DDJ_CACHE_DIR", ...)``.
- Anything else a test writes goes in its ``tmp_path``, never into the repository (Hypothesis' example
  database in ``.hypothesis/`` aside, which is safe to share), and a server listens on a port the system
  gives (``--port 0``), never a fixed one.
- A test waits by polling with a deadline (``wait_for`` in ``widgets/test_explorer_server.py``, ``poll``
  in ``report/runner/test_orphans.py``), never by sleeping a fixed time: two workers slow each other down.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import pytest

import ddj
from ddj.compare import compare
from tests.fixtures.minimal import write_package

SYRIA = "syria-ru-aviation"
TALLY = "ukraine-equipment-losses"

#: Modules (their names under ``tests.``) whose every test is slow: browser sessions that wait for kernels to be
#: culled (minutes), the report pages in a browser at two widths and printed (a report run, then 10-20 s a test),
#: runs killed on purpose and waited out (7-30 s a test), and charts of a million incidents (10-15 s each).
#: Leaving them out, ``make test-fast`` takes about 150 s on two workers; ``make test`` runs everything in 289-307 s
#: (December 6, 2026, three runs; the same code varies by 15-25% from hour to hour on these machines). Measured one
#: module at a time, ``report.pages.test_browser`` and ``widgets.test_explorer_browser`` are the largest: a report
#: run of every shipped page, then 48 page loads; 16 Explorer kernels and their pages.
SLOW_MODULES = frozenset(
    {"widgets.test_explorer_browser", "report.pages.test_browser", "report.runner.test_orphans", "charts.test_large"}
)
#: (module, fixture): set-ups that run reports through kernels, 20 s to 2 min before the first test.
SLOW_FIXTURES = frozenset(
    {("report.runner.test_run", "runs"), ("report.runner.test_pool", "runs"), ("report.runner.test_dask", "runs")}
)

#: Modules (names under ``tests.``) that take longest, longest first: they are collected before every other module,
#: so a parallel run (``make test``: ``--dist loadfile --no-loadscope-reorder``) starts them first and fills the
#: workers with the short modules meanwhile, instead of finding a two-minute module at the end of its queue. The
#: order (measured with ``--durations``, two workers) changes no result; a module not listed keeps its place.
LONGEST_FIRST = (
    "report.pages.test_browser",
    "widgets.test_explorer_browser",
    "report.runner.test_run",
    "widgets.test_explorer_server",
    "charts.test_large",
    "report.runner.test_pool",
    "widgets.test_browser",
    "widgets.test_explorer_shared",
    "report.runner.test_orphans",
    "widgets.test_widgets",
    "report.runner.test_dask",
    "datasets.test_validation_cache",
)


#: The key under which the controller hands its renderings folder to each worker (xdist's ``workerinput``).
_RENDERINGS_KEY = "ddj_renderings"
#: Where the session keeps that folder's path, for :func:`pytest_configure_node`.
_RENDERINGS_STASH = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """Give this test process (each xdist worker, or the one serial run) a cache folder of its own.

    ``$DDJ_CACHE_DIR`` is set to a new temporary folder, removed when the process ends, so the tests neither read
    what an earlier run or the user's own work left in ``~/.cache/ddj`` nor race another worker writing the same
    files; the reports, servers and kernels the tests start inherit it. Its ``charts/`` (the kept renderings, see
    :func:`ddj.report.pages.figures.kept_rendering`) links to one folder for the whole session, made by the
    controller and handed to each worker (:func:`pytest_configure_node`). A test that needs another cache folder
    still sets its own with ``monkeypatch.setenv``, which this leaves alone (and restores after the test).
    """
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    folder = tempfile.mkdtemp(prefix=f"ddj-test-cache-{worker}-")
    shared = getattr(config, "workerinput", {}).get(_RENDERINGS_KEY)
    renderings = shared or tempfile.mkdtemp(prefix="ddj-test-renderings-")
    config.stash[_RENDERINGS_STASH] = renderings
    os.symlink(renderings, os.path.join(folder, "charts"))
    before = os.environ.get("DDJ_CACHE_DIR")
    os.environ["DDJ_CACHE_DIR"] = folder

    def restore() -> None:
        if before is None:
            os.environ.pop("DDJ_CACHE_DIR", None)
        else:
            os.environ["DDJ_CACHE_DIR"] = before
        shutil.rmtree(folder, ignore_errors=True)  # the link, not what it points to
        if not shared:
            shutil.rmtree(renderings, ignore_errors=True)

    config.add_cleanup(restore)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Hand the session's renderings folder to a worker as it starts (pytest-xdist)."""
    node.workerinput[_RENDERINGS_KEY] = node.config.stash[_RENDERINGS_STASH]


def _module(item: pytest.Item) -> str:
    """The name of ``item``'s module under ``tests.`` (``""`` for an item with no module, such as a doctest)."""
    return getattr(getattr(item, "module", None), "__name__", "").removeprefix("tests.")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``slow`` the tests of :data:`SLOW_MODULES` and the tests using :data:`SLOW_FIXTURES`, and put the modules
    of :data:`LONGEST_FIRST` first (in that order; the tests of each module keep theirs, as does every other module).
    """
    for item in items:
        module = _module(item)
        fixtures = getattr(item, "fixturenames", ())
        if module in SLOW_MODULES or any((module, name) in SLOW_FIXTURES for name in fixtures):
            item.add_marker(pytest.mark.slow)
    rank = {module: n for n, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(_module(item), len(rank)))


@pytest.fixture(scope="session")
def syria() -> ddj.Dataset:
    """The shipped Syria incident package."""
    return ddj.load(SYRIA, warn=False)


@pytest.fixture(scope="session")
def comparison(syria):
    """The comparison of the shipped Syria package."""
    return compare(syria)


@pytest.fixture(scope="session")
def tally() -> ddj.Dataset:
    """The shipped Ukraine equipment-losses tally dataset."""
    return ddj.load(TALLY, warn=False)


@pytest.fixture(scope="session")
def minimal(tmp_path_factory) -> ddj.Dataset:
    """The minimal valid incident package, written once and loaded."""
    return ddj.load(write_package(tmp_path_factory.mktemp("minimal") / "mini"), warn=False)


@pytest.fixture
def from_dict_calls(monkeypatch) -> list[str]:
    """The names of the Altair classes whose ``from_dict`` is called while the test runs (a list it fills).

    Altair calls it to turn a shorthand string, a dict or ``alt.value(...)`` into a channel, at about 2.4 ms a call;
    ddj's charts give channel objects instead (see ``tests/charts/test_charts.py``).
    """
    import altair as alt

    calls: list[str] = []
    real = alt.SchemaBase.from_dict.__func__

    def counted(cls: type, *args: Any, **kwargs: Any) -> Any:
        calls.append(cls.__name__)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(alt.SchemaBase, "from_dict", classmethod(counted))
    return calls
