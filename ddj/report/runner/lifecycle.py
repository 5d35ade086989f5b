"""No orphans: a run's worker processes and kernels end with it, and what a dead run left behind is removed.

- **The run lock.** ``ddj run`` holds an exclusive ``flock`` on ``<out>/.ddj/run.lock`` (:func:`run_lock`). Every
  process the run starts (worker processes, kernels) inherits the locked file, so the lock is released only when
  the last of them is gone: a new run cannot start while a dead run's kernel still writes. A second run on the
  same folder waits a little for the children of a run that has ended, then refuses, naming the holder.
- **Dying with the parent.** On Linux each worker process and each kernel asks the kernel to kill it when its
  parent dies (``prctl(PR_SET_PDEATHSIG)``, :func:`die_with_parent`), so even ``kill -9`` of ``ddj run`` leaves
  nothing running. (Kernels also watch their parent themselves, once a second: ipykernel's parent poller.)
- **Cleaning up after dead runs.** Once the lock is held, :func:`remove_leftovers` deletes the staging folders
  (``<out>/.<report>.*.staging``) no live run can own, and the kernel folders and socket files in the temporary
  directory whose process is gone (their names carry the process id: ``ddj-kernels-<pid>-*``, ``ddj-kernel-<pid>-*``).

SIGTERM is handled like Ctrl-C by the command (see :func:`terminate_as_interrupt`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ddj.errors import RunLockedError

#: The lock file of an output folder, under its ``.ddj`` folder.
LOCK_FILE = "run.lock"
#: Seconds a new run waits for the processes of an earlier run of this folder to end before it refuses.
LOCK_WAIT = 30.0
#: Prefixes of what a process leaves in the temporary directory; the process id follows.
KERNEL_DIR_PREFIX = "ddj-kernels-"
KERNEL_SOCKET_PREFIX = "ddj-kernel-"
_PR_SET_PDEATHSIG = 1
_PID_MAX = 1 << 22  # Linux's limit: a longer number in a name is no process id
_LEFTOVER = re.compile(r"^ddj-kernels?-(\d+)-")

#: File descriptors every child of this process must keep open (the run lock): workers and kernels inherit them.
_inherited: list[int] = []
_libc: Any = None


def inherited_fds() -> tuple[int, ...]:
    """The file descriptors this process's children must inherit (see :func:`run_lock`)."""
    return tuple(fd for fd in _inherited if _is_open(fd))


def adopt_fds(fds: tuple[int, ...] | list[int]) -> None:
    """In a worker process: keep ``fds`` (inherited from the run) open and pass them on to this worker's kernels."""
    for fd in fds:
        if _is_open(fd) and fd not in _inherited:
            _inherited.append(fd)


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


# --- dying with the parent -------------------------------------------------------------------------


def _prctl() -> Any:
    global _libc  # noqa: PLW0603 - loaded once, before any fork (a child must not load libraries)
    if _libc is None and sys.platform.startswith("linux"):
        try:
            _libc = ctypes.CDLL(None, use_errno=True)
            _libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        except (OSError, AttributeError):
            _libc = False
    return _libc or None


def die_with_parent(parent: int | None = None, sig: int = signal.SIGKILL) -> bool:
    """Have the operating system send ``sig`` to this process when its parent dies (Linux only; ``False``
    elsewhere). ``parent`` is the process id the caller expects as parent: if it is already gone (it died
    before this call), the process exits at once.
    """
    libc = _prctl()
    if libc is None or libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        return False
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    return True


def child_preexec() -> Callable[[], None] | None:
    """A ``preexec_fn`` for a child process (a kernel) that dies with this process; ``None`` off Linux.

    PR_SET_PDEATHSIG fires when the *thread* that started the child ends. ddj starts kernels from the thread
    that uses them (a worker's main thread, or the thread that runs the report), which outlives them.
    """
    if _prctl() is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        die_with_parent(parent)

    return preexec


def kernel_launch_options() -> dict[str, Any]:
    """Keyword arguments for ``subprocess.Popen`` (through jupyter_client) that make a kernel inherit the run
    lock and die with this process.
    """
    options: dict[str, Any] = {}
    fds = inherited_fds()
    if fds:
        options["pass_fds"] = fds
    preexec = child_preexec()
    if preexec is not None:
        options["preexec_fn"] = preexec
    return options


# --- SIGTERM ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`KeyboardInterrupt` in the main thread, as Ctrl-C does, so a
    ``kill`` stops workers and kernels the way Ctrl-C does. Outside the main thread, nothing changes.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- the run lock ----------------------------------------------------------------------------------


@contextlib.contextmanager
def run_lock(out_dir: str | Path, *, wait: float = LOCK_WAIT) -> Iterator[Path]:
    """Hold the output folder's lock for the block (see the module's documentation), and remove what dead runs
    left behind once it is held.

    Raises
    ------
    RunLockedError
        A live run holds the lock, or the processes of an ended run still hold it after ``wait`` seconds.
    """
    import fcntl

    from ddj.report.runner.cache import CACHE_DIR

    out_dir = Path(out_dir).resolve()
    path = out_dir / CACHE_DIR / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            holder = _holder(fd)
            running = holder is not None and holder != os.getpid() and pid_alive(holder)
            if running or time.monotonic() > deadline:
                who = f"ddj run (process {holder})" if holder else "another ddj run"
                state = "is running" if running else "ended, but its workers or kernels still run"
                msg = f"{who} {state} in {out_dir}; it holds {path}. Wait for it to finish, or stop it."
                raise RunLockedError(msg)
            time.sleep(0.05)  # the ended run's children are being killed: wait for them to go
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _inherited.append(fd)
        try:
            remove_leftovers(out_dir)
            yield path
        finally:
            _inherited.remove(fd)
    finally:
        os.close(fd)  # the lock ends when every child that inherited it has ended too


def _holder(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (and is no zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


# --- what dead runs left behind --------------------------------------------------------------------


def remove_leftovers(out_dir: str | Path | None = None, temp_dir: str | Path | None = None) -> list[Path]:
    """Remove the staging folders in ``out_dir`` (call it holding the folder's lock) and the kernel folders and
    socket files of dead processes in ``temp_dir`` (default: the system's); return what was removed.
    """
    removed: list[Path] = []
    if out_dir is not None and Path(out_dir).is_dir():
        for path in Path(out_dir).glob(".*.staging"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    temp = Path(temp_dir or tempfile.gettempdir())
    try:
        entries = list(os.scandir(temp))
    except OSError:
        return removed
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if match is None or int(match.group(1)) > _PID_MAX or pid_alive(int(match.group(1))):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        except OSError:
            continue
        removed.append(path)
    return removed
