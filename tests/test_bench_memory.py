"""The benchmarks' peak-memory figures are the measured process's own, not the size of the process that started it."""

from __future__ import annotations

import resource
import subprocess
import sys

from benchmarks._memory import own_peak_bytes, run_measured

HELD = 400 * 2**20  # what the starting process holds while it starts the measured one
SMALL = "import sys; sys.stdout.write('ok')"


def test_a_command_started_by_a_large_process_is_charged_its_own_peak_only():
    held = bytearray(HELD)
    held[::4096] = b"\x01" * len(held[::4096])  # touch every page: resident
    done = run_measured([sys.executable, "-c", SMALL])
    assert done["code"] == 0 and done["stdout"] == "ok"
    assert done["peak_bytes"] < HELD / 4, done["peak_bytes"]
    # What the wrapper works around: a direct child's ru_maxrss counts the resident set of this process.
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    subprocess.run([sys.executable, "-c", SMALL], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    assert max(before, after) >= HELD
    del held


def test_a_process_s_own_peak_grows_with_what_it_touches():
    script = (
        "from benchmarks._memory import own_peak_bytes; before = own_peak_bytes(); b = bytearray(200 * 2**20); "
        "b[::4096] = b'\\x01' * len(b[::4096]); print(own_peak_bytes() - before)"
    )
    done = run_measured([sys.executable, "-c", script])
    assert done["code"] == 0
    assert int(done["stdout"]) >= 190 * 2**20
    assert done["peak_bytes"] >= 200 * 2**20
    assert own_peak_bytes() > 0
