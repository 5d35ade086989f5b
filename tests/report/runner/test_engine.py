"""ddj.report.runner.engine: what an executed notebook holds does not depend on when the kernel flushed its output."""

from __future__ import annotations

import nbformat
import pytest

from ddj.report.runner import pool
from ddj.report.runner.engine import execute
from tests.paths import TESTS

FIXTURES = TESTS / "notebooks"


@pytest.mark.slow
@pytest.mark.parametrize("engine_name", [None, "ddj-warm"])
def test_printed_text_flushed_in_pieces_is_one_output_per_run_of_prints(tmp_path, engine_name):
    output = tmp_path / "split-output.ipynb"
    try:
        run = execute(FIXTURES / "split-output.ipynb", {}, output, cwd=FIXTURES, engine_name=engine_name)
    finally:
        if engine_name:
            pool.close()
    assert run.failure is None
    expected = [("stream", "first\nsecond\n"), ("display_data", "between"), ("stream", "after\nlast\n")]
    for nb in (run.notebook, nbformat.read(output, as_version=4)):  # what the page is made from, and the file
        outputs = nb.cells[-1].outputs
        assert [(o.output_type, o.get("text") or o.get("data", {}).get("text/plain")) for o in outputs] == expected
