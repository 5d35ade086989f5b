"""Where the tests find the repository and their fixtures, wherever a test module sits under ``tests/``."""

from pathlib import Path

#: The test folder.
TESTS = Path(__file__).resolve().parent
#: The repository (the folder that holds ``ddj/``, ``data/``, ``notebooks/`` and ``reports.toml``).
ROOT = TESTS.parent
#: The tests' fixture files.
FIXTURES = TESTS / "fixtures"
