"""Peak memory of a process, measured so that the benchmark process's own size does not count.

Linux counts in a process's ``ru_maxrss`` the resident set of the process it was started from, as it was when
the child replaced itself with the new program (``exec``): every child of ``python -m benchmarks``, which holds a
million-incident dataset once the charts benchmark has run, reported that size (7.46 GB) as its own peak, under
``make bench`` but not when its benchmark ran alone. Two measurements are free of it:

- inside a process, :func:`own_peak_bytes`: the high-water mark of its own memory since it started its program
  (``VmHWM`` in ``/proc/self/status``);
- for a command, :func:`run_measured`: a fresh, small wrapper process starts it as its only child and takes the
  child's peak from ``wait4`` there.

Run as ``python -m benchmarks._memory COMMAND...`` it is that wrapper: it runs the command and writes, as the
last line of its standard error, a JSON object with the command's exit code, wall time and peak memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def own_peak_bytes() -> int:
    """The peak resident memory of the calling process since it started its program, in bytes (``VmHWM``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # kB
    msg = "/proc/self/status has no VmHWM line"
    raise RuntimeError(msg)


def run_measured(argv: list[str], env: dict[str, str] | None = None, *, stdout: bool = True) -> dict:
    """Run ``argv`` from a fresh wrapper process; its exit ``code``, ``stdout`` (unless ``stdout`` is False: the
    command's output is then discarded), ``stderr``, wall ``seconds`` (the command's alone, timed by the wrapper)
    and ``peak_bytes`` (its own peak resident memory).
    """
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks._memory", "--stdout" if stdout else "--no-stdout", *argv],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stderr.rstrip("\n").splitlines()
    if done.returncode != 0 or not lines:
        msg = f"the wrapper around {' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        raise RuntimeError(msg)
    report = json.loads(lines[-1])
    return {"stdout": done.stdout, "stderr": "\n".join(lines[:-1]), **report}


def _wrap(keep_stdout: bool, argv: list[str]) -> int:
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=None if keep_stdout else subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    report = {"code": code, "seconds": seconds, "peak_bytes": usage.ru_maxrss * 1024}  # KiB on Linux
    print(json.dumps(report), file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_wrap(sys.argv[1] == "--stdout", sys.argv[2:]))
