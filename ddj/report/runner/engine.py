"""Run one notebook through Papermill in a fresh kernel; retry once when the kernel dies.

The kernel is started by ddj's own kernel manager so that it talks over local sockets (no TCP port),
its standard error goes to a log file instead of the terminal (it would break a progress bar and fill
cron mail), and ``PYTHONHASHSEED`` is fixed so that identical inputs give identical outputs. With
``engine_name="ddj-warm"`` the run goes to a warm kernel of this process instead (see :mod:`ddj.report.runner.pool`),
through the same Papermill call.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ddj._io import atomic_write_text
from ddj.report.runner.kernels import kernel_options

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: How many times a notebook is started again after its kernel died.
KERNEL_RETRIES = 1


@dataclass(frozen=True)
class CellFailure:
    """Where and how a run failed: the cell (index in the executed notebook), its code and the error."""

    cell_index: int | None
    execution_count: int | None
    source: str
    ename: str
    evalue: str
    traceback: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line: which cell, which error."""
        where = "before any cell ran" if self.cell_index is None else f"cell {self.cell_index}"
        if self.execution_count is not None:
            where += f" (In [{self.execution_count}])"
        return f"{where}: {self.ename}: {self.evalue}".rstrip(": ")

    def as_dict(self) -> dict[str, Any]:
        """The failure as a JSON-ready mapping, for the run manifest."""
        return {
            "cell_index": self.cell_index,
            "execution_count": self.execution_count,
            "source": self.source,
            "ename": self.ename,
            "evalue": self.evalue,
            "traceback": list(self.traceback),
            "message": self.summary(),
        }


@dataclass
class Execution:
    """The outcome of running a notebook: the executed notebook (when there is one) and any failure."""

    notebook: Any
    failure: CellFailure | None
    attempts: int = 1
    kernel_log: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the notebook ran to the end without a failure."""
        return self.failure is None


def execute(
    notebook: Path,
    parameters: dict[str, Any],
    output: Path,
    *,
    cwd: Path | None = None,
    timeout: int | None = None,
    kernel_name: str | None = None,
    env: dict[str, str] | None = None,
    retries: int = KERNEL_RETRIES,
    engine_name: str | None = None,
) -> Execution:
    """Execute ``notebook`` with ``parameters`` through Papermill, writing the executed copy to ``output``.

    A failing cell is not an exception here: it comes back as :attr:`Execution.failure` with the
    executed notebook (the error cell included). A kernel that dies is started again ``retries``
    times; when it dies again, the failure says so and names the cell it was running. ``engine_name``
    picks a Papermill engine: ``None`` for a fresh kernel per run, ``"ddj-warm"`` for this process's
    warm kernel (replaced after any failure, so a retry gets a new one).

    Parameters
    ----------
    notebook : pathlib.Path
        The parameterised notebook to run.
    parameters : dict
        The values Papermill injects after the notebook's ``parameters`` cell, by name.
    output : pathlib.Path
        Where the executed notebook is written (a kernel log is written beside it).
    cwd : pathlib.Path, optional
        The kernel's working folder; the current one when None.
    timeout : int, optional
        The most seconds a single cell may run; no limit when None.
    kernel_name : str, optional
        The Jupyter kernel to start; the notebook's own kernelspec (``python3`` when it names none) when None.
    env : dict of str to str, optional
        Environment variables added to the kernel's, over this process's own.
    retries : int, default KERNEL_RETRIES (1)
        How many times a kernel that dies is started again before the run fails.
    engine_name : str, optional
        The Papermill engine, as above.
    """
    import papermill

    _quiet_loggers()
    output = Path(output)
    log_path = output.with_suffix(".kernel.log")
    output.parent.mkdir(parents=True, exist_ok=True)
    attempts = 0
    while True:
        attempts += 1
        name = kernel_name or _kernel_name(notebook)
        with open(log_path, "ab") as log:
            if engine_name == "ddj-warm" and _is_python_kernel(name):  # other languages get a fresh kernel
                from ddj.report.runner import pool

                pool.register()
                # Papermill writes the notebook once at the end instead of at every cell (a large share of a warm
                # run); the engine writes it when the kernel dies, so that the failure can name the cell.
                options = {
                    "engine_name": engine_name,
                    "ddj_env": env or {},
                    "ddj_log": str(log_path),
                    "ddj_output": str(output),
                    "request_save_on_cell_execute": False,
                }
            else:
                fresh = engine_name if engine_name not in (None, "ddj-warm") else None
                options = {**kernel_options(log, env or {}), **({"engine_name": fresh} if fresh else {})}
            try:
                papermill.execute_notebook(
                    str(notebook),
                    str(output),
                    parameters=parameters,
                    progress_bar=False,
                    log_output=False,
                    cwd=str(cwd) if cwd else None,
                    kernel_name=name,
                    execution_timeout=timeout,
                    **options,
                )
                return Execution(_executed(output), None, attempts, _read_log(log_path))
            except papermill.PapermillExecutionError as err:
                index = _cell_index(output, err.cell_index)
                ename, evalue = _error_words(
                    _read(output), index, err.ename, _clean(err.evalue), [_clean(t) for t in err.traceback]
                )
                failure = CellFailure(
                    index, err.exec_count, err.source, ename, evalue, tuple(_clean(t) for t in err.traceback)
                )
                return Execution(_executed(output), failure, attempts, _read_log(log_path))
            except Exception as err:  # noqa: BLE001 - every other way a run can end is a failed report
                died = type(err).__name__ == "DeadKernelError"
                if died and attempts <= retries:
                    continue
                return _failed_run(output, err, attempts, _read_log(log_path), died=died, timeout=timeout)


def _failed_run(output: Path, err: Exception, attempts: int, log: str, *, died: bool, timeout: int | None) -> Execution:
    import nbformat

    nb = _read(output)
    index, cell = _running_cell(nb)
    if died:
        tail = " ".join(log.strip().splitlines()[-3:])
        evalue = (
            f"the kernel died while running this cell, {attempts} time(s) in a row. The code may exhaust the "
            "memory, crash a library or kill its own process." + (f" Kernel log: {tail}" if tail else "")
        )
        ename = "DeadKernelError"
    elif type(err).__name__ == "CellTimeoutError":
        ename, evalue = "CellTimeoutError", f"the cell ran longer than the timeout of {timeout} s"
    else:
        ename, evalue = type(err).__name__, _clean(str(err)) or "the kernel could not run the notebook"
    failure = CellFailure(
        index, cell.get("execution_count") if cell else None, cell.source if cell else "", ename, evalue
    )
    if nb is not None and cell is not None and index is not None:
        cell.setdefault("outputs", []).append(
            nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
        )
        marker = nbformat.v4.new_markdown_cell(
            # The same number as the failure's summary: the cell's place counting from 1 in the notebook as
            # written, which is its index once this marker is inserted at the top.
            f"**ddj: the run stopped at cell {index + 1}: {ename}.** {evalue}"
        )
        marker.metadata["tags"] = ["papermill-error-cell-tag"]
        nb.cells.insert(0, marker)
        failure = CellFailure(index + 1, failure.execution_count, failure.source, ename, evalue)
    return Execution(nb, failure, attempts, log)


def _running_cell(nb: Any) -> tuple[int | None, Any]:
    """The last cell Papermill started: the one running when the kernel died or timed out."""
    if nb is None:
        return None, None
    started = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    if not started:
        return None, None
    return started[-1], nb.cells[started[-1]]


def _cell_index(output: Path, fallback: int) -> int:
    """Papermill counts cells before inserting its error markers; find the failing cell in the written file:
    the one with an error output, else the one after Papermill's marker (an IPython usage error, such as an
    unknown magic, writes no error output).
    """
    nb = _read(output)
    if nb is None:
        return fallback
    for index, cell in enumerate(nb.cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return index
    for index, cell in enumerate(nb.cells[:-1]):
        if cell.cell_type == "markdown" and 'id="papermill-error-cell"' in cell.source:
            return index + 1
    return fallback


_ERROR_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)): ?(.*)$")


def _error_words(nb: Any, index: int | None, ename: str, evalue: str, traceback: list[str]) -> tuple[str, str]:
    """The exception's name and message for a failure's summary. Papermill reports an error that left no error
    output (IPython's ``UsageError: Line magic function ... not found`` goes to stderr) as a bare
    ``CellExecutionError``: the cell's last error line on stderr names it. An exception without a message
    (``assert False``) is shown with the line that raised it.
    """
    if (
        ename == "CellExecutionError"
        and not evalue
        and nb is not None
        and index is not None
        and 0 <= index < len(nb.cells)
    ):
        stderr = "".join(
            o.get("text", "")
            for o in nb.cells[index].get("outputs", [])
            if o.get("output_type") == "stream" and o.get("name") == "stderr"
        )
        for line in reversed(_clean(stderr).splitlines()):
            match = _ERROR_LINE.match(line.strip())
            if match:
                return match.group(1), match.group(2).strip()
    if not evalue:
        raised = [line for text in traceback for line in text.splitlines() if line.lstrip().startswith("---->")]
        if raised:
            code = re.sub(r"^\s*---->\s*\d*\s*", "", raised[-1]).strip()
            if code:
                return ename, f"raised by `{code}`"
    return ename, evalue


@functools.cache
def _is_python_kernel(name: str) -> bool:
    """Whether the kernel ``name`` runs Python (a warm kernel is prepared with Python code)."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        return KernelSpecManager().get_kernel_spec(name).language.lower() == "python"
    except Exception:  # noqa: BLE001 - an unknown kernel: the fresh path reports it
        return False


def _kernel_name(notebook: Path) -> str:
    import nbformat

    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception:  # noqa: BLE001 - papermill reports a broken notebook itself
        return "python3"
    return nb.metadata.get("kernelspec", {}).get("name") or "python3"


def _executed(path: Path) -> Any:
    """The executed notebook with each run of stream outputs of one name merged, as Jupyter shows them, and
    written back when that changed it. The kernel flushes printed text on a timer, so under load two prints of
    one cell can arrive as two outputs or as one; merged, the notebook and the page are the same either way.
    """
    import nbformat
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    nb = _read(path)
    if nb is None or not any(_split_streams(cell.get("outputs", [])) for cell in nb.cells):
        return nb
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    atomic_write_text(path, nbformat.writes(nb))
    return nb


def _split_streams(outputs: list[Any]) -> bool:
    """Whether outputs hold two stream outputs of one name in a row, or a carriage return to apply."""
    streams = [(o.get("name") if o.get("output_type") == "stream" else None) for o in outputs]
    return any(a is not None and a == b for a, b in itertools.pairwise(streams)) or any(
        "\r" in o.get("text", "") for o in outputs if o.get("output_type") == "stream"
    )


def _read(path: Path) -> Any:
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return None


def _read_log(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _clean(text: str) -> str:
    return _ANSI.sub("", text or "")


def _quiet_loggers() -> None:
    """Papermill and nbclient log errors we already report; keep them off the terminal unless logging is set up."""
    for name in ("papermill", "traitlets"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
