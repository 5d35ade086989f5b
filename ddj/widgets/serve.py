"""Serving the Explorer as a Voila dashboard on 127.0.0.1, with nothing loaded from a CDN.

``ddj explore`` writes a copy of ``notebooks/explore.ipynb`` with the dataset and the starting filters
injected after its parameters cell (as Papermill does), then runs Voila on it with ddj's template
(``_jupyter/voila/templates/ddj``: Voila's lab template without its CDN links). Voila serves its own
scripts and the widgets' front ends from the installed packages; the charts' JavaScript travels inside
the widgets (JupyterChart in offline mode).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from ddj.errors import UsageError
from ddj.filters import FilterSpec

__all__ = ["TEMPLATE", "check_dataset", "explore_notebook", "free_port", "serve", "voila_command",
           "voila_environment", "write_notebook"]

#: The Voila template ddj serves the Explorer with.
TEMPLATE = "ddj"
_JUPYTER_DIR = Path(__file__).resolve().parent / "_jupyter"
_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "explore.ipynb"

_FALLBACK_CELLS = (
    ("markdown", "# Explorer"),
    ("parameters", 'dataset: str = "syria-ru-aviation"  # a shipped dataset\'s name or the path of a package '
                   'folder [dataset: incidents]\nfilters: str = ""  # the view to start from, as a ddj filter '
                   'specification in JSON, or "" for every incident\n'),
    ("code", "import ddj\n\nexplorer = ddj.Explorer(dataset, filters=filters)\nexplorer"),
)


def check_dataset(reference: str) -> str:
    """The dataset as the served notebook should receive it: a shipped name, or an absolute folder path.

    Raises
    ------
    DDJError
        No such dataset (:class:`~ddj.errors.DatasetNotFoundError`), an unreadable datapackage.json,
        or a dataset that is not an incident dataset.
    """
    from ddj.datasets import data_dir, resolve
    from ddj.datasets.package import read_package

    folder = resolve(reference)
    package = read_package(folder)
    if package.kind != "incidents":
        msg = (f"{reference!r} is a {package.kind} dataset; the Explorer shows incident datasets "
               "(ddj datasets lists the shipped ones)")
        raise UsageError(msg)
    if folder.resolve() == (data_dir() / folder.name).resolve() and str(reference) == folder.name:
        return folder.name
    return str(folder.resolve())


def explore_notebook() -> Any:
    """The Explorer notebook: ``notebooks/explore.ipynb`` in a checkout, else the same three cells built here."""
    import nbformat

    if _NOTEBOOK.is_file():
        return nbformat.read(_NOTEBOOK, as_version=4)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    for kind, source in _FALLBACK_CELLS:
        if kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            cell = nbformat.v4.new_code_cell(source)
            if kind == "parameters":
                cell.metadata["tags"] = ["parameters"]
            nb.cells.append(cell)
    return nb


def write_notebook(folder: str | os.PathLike, dataset: str, spec: FilterSpec) -> Path:
    """Write the Explorer notebook into ``folder`` with ``dataset`` and ``spec`` injected after its parameters."""
    import nbformat

    nb = explore_notebook()
    at = next((i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if at is None:
        msg = "the Explorer notebook has no cell tagged 'parameters'; restore notebooks/explore.ipynb"
        raise UsageError(msg)
    injected = nbformat.v4.new_code_cell(f"dataset = {dataset!r}\nfilters = {spec.to_json()!r}\n")
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at + 1, injected)
    path = Path(folder) / "explore.ipynb"
    nbformat.write(nb, path)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def voila_command(notebook: str | os.PathLike, port: int, *, open_browser: bool = False) -> list[str]:
    """The command that serves ``notebook`` with Voila on 127.0.0.1:``port`` with ddj's template."""
    command = [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--Voila.ip=127.0.0.1",
               f"--template={TEMPLATE}", "--theme=light", "--show_tracebacks=False"]
    if not open_browser:
        command.append("--no-browser")
    return command


def voila_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment Voila runs in: ddj's template folder first on ``JUPYTER_PATH``."""
    env = dict(os.environ if base is None else base)
    paths = [str(_JUPYTER_DIR), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    return env


def serve(dataset: str, spec: FilterSpec, *, port: int = 8866, open_browser: bool = True,
          out: TextIO | None = None) -> int:
    """Serve the Explorer of ``dataset``, opened on ``spec``, until Ctrl-C (or SIGTERM); return Voila's exit code."""
    out = out or sys.stdout
    port = free_port() if port == 0 else port
    if not 0 < port < 65536:
        msg = f"--port {port} is not a TCP port; give a number from 1 to 65535 (or 0 for a free one)"
        raise UsageError(msg)
    folder = Path(tempfile.mkdtemp(prefix="ddj-explore-"))
    process: subprocess.Popen | None = None
    previous = signal.getsignal(signal.SIGTERM)

    def stop(signum: int, frame: Any) -> None:  # SIGTERM: stop Voila too, then leave
        raise KeyboardInterrupt

    try:
        notebook = write_notebook(folder, dataset, spec)
        signal.signal(signal.SIGTERM, stop)
        print(f"ddj explore: serving the Explorer of {dataset} ({spec.describe()}) at http://127.0.0.1:{port}/ "
              "- Ctrl-C stops it", file=out, flush=True)
        process = subprocess.Popen(voila_command(notebook, port, open_browser=open_browser),
                                   env=voila_environment(), cwd=folder)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(folder, ignore_errors=True)
