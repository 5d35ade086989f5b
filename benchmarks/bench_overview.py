"""The theatre overview of a big import: one page over 5,000 synthetic incidents, its size and the time to make it.

Writes a synthetic package (``ddj synth --incidents 5000 --seed 1``) into a new temporary folder and runs
notebooks/theatre-overview.ipynb on it with ``ddj run --jobs 1`` (one command: checking the parameters,
starting a kernel, executing the notebook, writing the page with its charts and inlined scripts), from a
new process, so it starts cold. Measures the command's wall-clock time and the size of the page it wrote,
and says how many incidents the page lists one by one (:data:`ddj.report.pages.sections.TOP_INCIDENTS` above
:data:`ddj.report.pages.sections.LARGE_OVERVIEW`) and how many lines its compact searchable table has
(:func:`ddj.report.pages.sections.incident_finder`: every incident).

Targets (issue 20): the page at most 2 MB and made in at most 30 s on the shared two-core machine. Before
the page summarised big selections it took 81 s and 12 MB for a 5,725-event import (the issue), and 103 s
for the cited narrative alone over this package's 3,570 losses.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "theatre-overview.ipynb"
INCIDENTS = 5000
TARGET_BYTES = 2_000_000
TARGET_SECONDS = 30.0


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False, env=dict(os.environ))
    if done.returncode != 0:
        msg = f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        raise RuntimeError(msg)


def main() -> int:
    binary = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="ddj-bench-overview-") as scratch:
        work = Path(scratch)
        package = work / "big"
        _run([str(binary / "ddj"), "synth", "--incidents", str(INCIDENTS), "--seed", "1", "--out", str(package)])
        config = work / "reports.toml"
        config.write_text(
            f'[reports.big]\nnotebook = "{NOTEBOOK}"\n'
            f'parameters = {{ dataset = "{package}", country = "Syria" }}\noutput = "theatre-big"\n',
            encoding="utf-8",
        )
        started = time.perf_counter()
        _run(
            [str(binary / "ddj"), "run", "--config", str(config), "--out", str(work / "out"), "--jobs", "1", "--quiet"]
        )
        seconds = time.perf_counter() - started
        pages = sorted((work / "out" / "theatre-big").glob("*.html"))
        if not pages:
            msg = f"ddj run wrote no page into {work / 'out' / 'theatre-big'}"
            raise RuntimeError(msg)
        page = pages[0]
        size = page.stat().st_size
        html = page.read_text(encoding="utf-8")
        shown = re.search(r"Showing ([\d,]+) of ([\d,]+) incidents", html)
        searchable = len(re.findall(r"<tr><td>\d{4}-\d\d-\d\d<td>", html))  # the compact table's rows
    print(f"theatre overview of {INCIDENTS:,} synthetic incidents (ddj run --jobs 1, from cold):")
    print(f"  page size   {size / 1e6:6.2f} MB (target <= {TARGET_BYTES / 1e6:.0f} MB)")
    print(f"  wall clock  {seconds:6.1f} s  (target <= {TARGET_SECONDS:.0f} s)")
    print(f"  page says   {shown.group(0) if shown else 'no note of incidents left out'}")
    print(f"  searchable  {searchable:,} incidents in the compact table")
    return 0 if size <= TARGET_BYTES and seconds <= TARGET_SECONDS and shown and searchable else 1


if __name__ == "__main__":
    raise SystemExit(main())
