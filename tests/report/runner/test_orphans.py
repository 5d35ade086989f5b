"""No orphans: ``ddj run`` killed at random points (``kill -9`` or SIGTERM; fixed seeds, so every run of the tests
kills at the same points) leaves no process behind, its lock is released only when its last child is gone, a
lost worker's reports are tried again on a new worker, and the next run removes what killed runs left behind.

Every process of a run is found by a token in its environment (workers and kernels inherit it), so processes that
lost their parent are counted too. Nothing here sleeps for a fixed time: each wait polls for a condition, with a
generous timeout.
"""

from __future__ import annotations

import fcntl
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

from ddj.report.runner import lifecycle
from ddj.report.runner.config import load_config
from ddj.report.runner.executors import WarmExecutor
from ddj.report.runner.run import run_reports, warm_worker
from tests.paths import ROOT

FIXTURES = ROOT / "tests" / "notebooks"
TOKEN = "DDJ_TEST_RUN"
REPORTS = 8
SEEDS = range(8)
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process ends are checked on Linux")


def processes_of(token: str) -> list[tuple[int, str]]:
    """The live processes (no zombies) whose environment carries ``token``: pid and command line."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is a test dependency; /proc does the same
        psutil = None
    found = []
    if psutil is not None:
        for process in psutil.process_iter():
            try:
                if process.status() == psutil.STATUS_ZOMBIE or process.environ().get(TOKEN) != token:
                    continue
                found.append((process.pid, " ".join(process.cmdline())))
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return found
    needle = f"{TOKEN}={token}".encode()
    for entry in Path("/proc").iterdir():  # pragma: no cover
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if (entry / "stat").read_bytes().rsplit(b")", 1)[-1].split()[0] == b"Z":
                continue
            found.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except (OSError, IndexError):
            continue
    return found


def poll(condition, timeout: float = 120, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def lock_is_free(out: Path) -> bool:
    fd = os.open(out / ".ddj" / "run.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


class Run:
    """``ddj run`` in a child process, with a token in its environment and its output collected by a thread."""

    def __init__(self, base: Path, *args: str) -> None:
        self.token = uuid.uuid4().hex
        env = {**os.environ, TOKEN: self.token, "TMPDIR": str(base / "tmp")}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ddj",
                "run",
                "--config",
                str(base / "reports.toml"),
                "--out",
                str(base / "out"),
                *args,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=base,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def text(self) -> str:
        return "\n".join(self.lines)

    def finished_reports(self) -> int:
        return sum(bool(re.match(r"^\[\d+/\d+\] ", line)) for line in list(self.lines))

    def children(self) -> list[tuple[int, str]]:
        return [(pid, cmd) for pid, cmd in processes_of(self.token) if pid != self.process.pid]

    def wait(self) -> int:
        code = self.process.wait(timeout=120)
        self._reader.join(timeout=30)
        return code


@pytest.fixture(scope="module")
def base():
    # A short folder of its own, also used as the runs' TMPDIR: kernel socket paths must stay short, and what the
    # runs leave in their temporary directory is seen here alone.
    folder = Path(tempfile.mkdtemp(prefix="ddj-orphans-"))
    (folder / "tmp").mkdir()
    (folder / "reports.toml").write_text(
        "".join(
            f'[reports.slow{n}]\nnotebook = "{FIXTURES / "slow.ipynb"}"\n'
            f'parameters = {{ seconds = 0.4, label = "r{n}" }}\n\n'
            for n in range(REPORTS)
        ),
        encoding="utf-8",
    )
    yield folder
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


STAGES = ("running", "workers", "kernels", "reports")


@pytest.fixture(scope="module")
def trials(base):
    """Kill a run once per seed, at a point and with a signal the seed picks; count what is left."""
    seen = []
    for seed in SEEDS:
        rng = random.Random(seed)
        stage, how, count = rng.choice(STAGES), rng.choice((signal.SIGKILL, signal.SIGTERM)), rng.randint(1, 4)
        # --force: every trial runs all eight reports. Without it a trial skips what earlier killed trials finished
        # (unchanged since), and once they had finished all eight between them a run ended before its kill point.
        run = Run(base, "--jobs", "2", "--force")
        conditions = {
            "running": lambda run=run: any(line.startswith("running ") for line in run.lines),
            "workers": lambda run=run: sum("spawn_main" in cmd for _, cmd in run.children()) >= 2,
            "kernels": lambda run=run: any("ipykernel" in cmd for _, cmd in run.children()),
            "reports": lambda run=run, count=count: run.finished_reports() >= count,
        }
        poll(
            lambda run=run, stage=stage, conditions=conditions: conditions[stage]() or run.process.poll() is not None,
            what=stage,
        )
        assert run.process.poll() is None, f"the run ended before the kill point {stage}: {run.text()}"
        before = run.children()
        locked_while_running = not lock_is_free(base / "out")
        run.process.send_signal(how)
        code = run.wait()
        poll(lambda run=run: not processes_of(run.token), timeout=60, what="the run's processes to end")
        seen.append(
            {
                "seed": seed,
                "stage": stage,
                "signal": signal.Signals(how).name,
                "code": code,
                "children_before": len(before),
                "kernels_before": sum("ipykernel" in c for _, c in before),
                "left": processes_of(run.token),
                "locked_while_running": locked_while_running,
                "lock_free_after": poll(lambda: lock_is_free(base / "out"), timeout=60, what="the lock"),
                "text": run.text(),
            }
        )
    return seen


@pytest.mark.parametrize("seed", SEEDS)
def test_a_killed_run_leaves_no_process_and_releases_its_lock(trials, seed):
    trial = trials[seed]
    print({k: v for k, v in trial.items() if k != "text"})
    assert trial["left"] == []
    assert trial["locked_while_running"] and trial["lock_free_after"]
    if trial["signal"] == "SIGTERM":  # handled like Ctrl-C
        assert trial["code"] == 130 and "ddj run: interrupted" in trial["text"]
    else:
        assert trial["code"] == -signal.SIGKILL


def test_the_kill_points_cover_workers_and_kernels(trials):
    assert {t["stage"] for t in trials} == set(STAGES)
    assert {t["signal"] for t in trials} == {"SIGKILL", "SIGTERM"}
    assert max(t["kernels_before"] for t in trials) >= 2  # kills while two kernels ran, and nothing was left


def test_the_next_run_removes_what_killed_runs_left_and_completes(trials, base):
    out, tmp = base / "out", base / "tmp"
    assert trials  # the killed runs came first
    left = [p.name for p in out.glob(".*.staging")] + [p.name for p in tmp.iterdir() if p.name.startswith("ddj-kernel")]
    run = Run(base, "--jobs", "2")
    assert run.wait() == 0, run.text()
    assert not list(out.glob(".*.staging"))
    assert not [p for p in tmp.iterdir() if p.name.startswith("ddj-kernel") or p.suffix == ".json"], left
    assert not processes_of(run.token)


# --- the lock -------------------------------------------------------------------------------------------


def test_the_lock_lasts_until_the_last_child_that_inherited_it_is_gone(tmp_path):
    with lifecycle.run_lock(tmp_path):
        assert lifecycle.kernel_launch_options()["pass_fds"] == lifecycle.inherited_fds()
        child = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stdin.read()"],
            stdin=subprocess.PIPE,
            **lifecycle.kernel_launch_options(),
        )
        # A second run of the same folder waits, then refuses.
        with pytest.raises(lifecycle.RunLockedError, match="holds"), lifecycle.run_lock(tmp_path, wait=0.2):
            pass
    assert lifecycle.inherited_fds() == ()
    assert not lock_is_free(tmp_path)  # this run is over, but its child still holds the lock
    with (
        pytest.raises(lifecycle.RunLockedError, match="ended, but its workers or kernels still run"),
        lifecycle.run_lock(tmp_path, wait=0.2),
    ):
        pass
    child.stdin.close()
    child.wait(timeout=60)
    with lifecycle.run_lock(tmp_path, wait=60):  # the child is gone: the lock is free
        pass


def test_a_child_dies_with_its_parent_even_on_kill_9(tmp_path):
    """A parent starts a child the way ddj starts kernels; ``kill -9`` of the parent ends the child."""
    code = (
        "import subprocess, sys\n"
        "from ddj.report.runner import lifecycle\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)'],\n"
        "                         **lifecycle.kernel_launch_options())\n"
        "print(child.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    child = int(parent.stdout.readline())
    assert lifecycle.pid_alive(child)
    parent.kill()
    parent.wait(timeout=60)
    poll(lambda: not lifecycle.pid_alive(child), timeout=60, what="the child to die with its parent")


def test_leftovers_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    pid = int(dead.stdout)
    poll(lambda: not lifecycle.pid_alive(pid), what="the process to end")
    out, temp = tmp_path / "out", tmp_path / "tmp"
    (out / ".incident-1.abcd.staging").mkdir(parents=True)
    (temp / f"ddj-kernels-{pid}-abcd").mkdir(parents=True)
    (temp / f"ddj-kernel-{pid}-0123456789abcdef-1").touch()
    (temp / f"ddj-kernels-{os.getpid()}-live").mkdir()
    (temp / "ddj-kernels-oldstyle").mkdir()  # no process id: kept
    removed = lifecycle.remove_leftovers(out, temp)
    assert sorted(p.name for p in removed) == sorted(
        [".incident-1.abcd.staging", f"ddj-kernels-{pid}-abcd", f"ddj-kernel-{pid}-0123456789abcdef-1"]
    )
    assert sorted(p.name for p in temp.iterdir()) == sorted([f"ddj-kernels-{os.getpid()}-live", "ddj-kernels-oldstyle"])


# --- lost workers -------------------------------------------------------------------------------------


def _die_once(job: tuple[int, str]) -> int:
    number, marker = job
    if number == 3 and not Path(marker).exists():
        Path(marker).touch()
        os._exit(3)  # the worker process dies, as if a library crashed it
    return number * number


def _die_always(job: tuple[int, str]) -> int:
    if job[0] == 3:
        os._exit(3)
    return job[0] * job[0]


def test_a_lost_workers_jobs_are_tried_once_more_on_a_new_worker(tmp_path):
    marker = str(tmp_path / "died")
    with WarmExecutor(2, max_runs=5, warm_up=warm_worker) as executor:
        results = list(executor.map(_die_once, [(n, marker) for n in range(1, 7)], on_error=lambda job, err: "lost"))
    assert sorted(results) == [1, 4, 9, 16, 25, 36] and executor.lost_workers == 1
    with WarmExecutor(2, max_runs=5, warm_up=warm_worker) as executor:
        results = list(
            executor.map(
                _die_always,
                [(n, marker) for n in range(1, 7)],
                on_error=lambda job, err: ("lost", job[0], type(err).__name__),
            )
        )
    assert ("lost", 3, "BrokenProcessPool") in results and executor.lost_workers == 2  # tried twice, then lost
    # every job is accounted for once: run, or lost (a job that ran beside job 3 both times is lost with it)
    assert len(results) == 6 and {r if isinstance(r, int) else r[1] ** 2 for r in results} == {1, 4, 9, 16, 25, 36}


def test_a_report_whose_worker_is_killed_runs_again_and_the_other_report_too(tmp_path):
    config = tmp_path / "reports.toml"
    config.write_text(
        f'[reports.killer]\nnotebook = "{FIXTURES / "kills-worker.ipynb"}"\n'
        f'parameters = {{ marker = "{tmp_path / "killed"}" }}\n\n'
        f'[reports.slow]\nnotebook = "{FIXTURES / "slow.ipynb"}"\nparameters = {{ seconds = 0.5 }}\n',
        encoding="utf-8",
    )
    with WarmExecutor(2, warm_up=warm_worker) as executor:
        summary = run_reports(load_config(config).reports, tmp_path / "out", executor=executor)
    assert (tmp_path / "killed").exists()  # the first try killed its worker
    assert [(r.name, r.status) for r in summary.results] == [("killer", "ok"), ("slow", "ok")]
    assert executor.lost_workers == 1
