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

A module may still define a fixture of the same name for something else (``test_widgets.py``'s
``syria`` is the dataset and its comparison together); pytest uses the module's own.

Tests that take more than a few seconds are marked ``slow``: ``make test`` (and CI) runs them,
``make test-fast`` (``pytest -m "not slow"``) leaves them out. A test is marked with
``@pytest.mark.slow``, or here: every test of a module in :data:`SLOW_MODULES`, and every test that
uses one of the :data:`SLOW_FIXTURES` (module-scoped set-ups that run whole reports).
"""

from __future__ import annotations

import pytest

import ddj
from ddj.compare import compare
from tests.fixtures.minimal import write_package

SYRIA = "syria-ru-aviation"
TALLY = "ukraine-equipment-losses"

#: Modules (their names under ``tests.``) whose every test is slow: browser sessions that wait for kernels to be
#: culled (minutes), and charts of a million incidents (10-15 s each).
SLOW_MODULES = frozenset({"widgets.test_explorer_browser", "charts.test_large"})
#: (module, fixture): set-ups that run reports through kernels, 20 s to 2 min before the first test.
SLOW_FIXTURES = frozenset(
    {("report.runner.test_run", "runs"), ("report.runner.test_pool", "runs"), ("report.runner.test_dask", "runs")}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``slow`` the tests of :data:`SLOW_MODULES` and the tests using :data:`SLOW_FIXTURES`."""
    for item in items:
        module = getattr(getattr(item, "module", None), "__name__", "").removeprefix("tests.")
        fixtures = getattr(item, "fixturenames", ())
        if module in SLOW_MODULES or any((module, name) in SLOW_FIXTURES for name in fixtures):
            item.add_marker(pytest.mark.slow)


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
