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

from ddj.errors import InvalidValueError, NotFoundError, WrongDatasetKindError
from ddj.filters import FilterSpec

__all__ = [
    "CULL_IDLE_TIMEOUT",
    "CULL_INTERVAL",
    "MAX_KERNELS",
    "TEMPLATE",
    "check_dataset",
    "check_view",
    "explore_notebook",
    "free_port",
    "serve",
    "voila_command",
    "voila_environment",
    "write_notebook",
]

#: The Voila template ddj serves the Explorer with.
TEMPLATE = "ddj"
_JUPYTER_DIR = Path(__file__).resolve().parent / "_jupyter"
_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "explore.ipynb"

_FALLBACK_CELLS = (
    ("markdown", "# Explorer"),
    (
        "parameters",
        'dataset: str = "syria-ru-aviation"  # a shipped dataset\'s name or the path of a package '
        'folder [dataset: incidents]\nfilters: str = ""  # the view to start from, as a ddj filter '
        'specification in JSON, or "" for every incident\n',
    ),
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
        msg = (
            f"{reference!r} is a {package.kind} dataset; the Explorer shows incident datasets "
            "(ddj datasets lists the shipped ones)"
        )
        raise WrongDatasetKindError(msg)
    if folder.resolve() == (data_dir() / folder.name).resolve() and str(reference) == folder.name:
        return folder.name
    return str(folder.resolve())


def check_view(dataset: str, spec: FilterSpec, prepared: str | os.PathLike | None = None) -> None:
    """Load ``dataset`` (validated) and check that ``spec``'s data-driven values (countries, regions...) occur;
    with a ``prepared`` folder (:mod:`ddj.widgets.shared`), check them against its memory-mapped facts instead.

    Parameters
    ----------
    dataset : str
        The dataset's name or folder.
    spec : FilterSpec
        The filters to check.
    prepared : str or os.PathLike, optional
        The folder of the prepared data; None loads the dataset.

    Raises
    ------
    DDJError
        The dataset's validation error, or a :class:`~ddj.errors.UsageError` naming the unknown value with the
        closest one ("Did you mean 'Syria'?").
    """
    if prepared is not None:
        from ddj.widgets.shared import open_prepared

        if not spec.is_empty:
            spec.check_values(open_prepared(prepared).facts)
        return
    from ddj.datasets import load
    from ddj.filters import incident_facts

    loaded = load(dataset, warn=False)
    if not spec.is_empty:
        spec.check_values(incident_facts(loaded))


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


def write_notebook(
    folder: str | os.PathLike, dataset: str, spec: FilterSpec, prepared: str | os.PathLike | None = None
) -> Path:
    """Write the Explorer notebook into ``folder`` with ``dataset`` and ``spec`` injected after its parameters,
    followed by the start-up steps whose names the page shows while they run (:mod:`ddj.widgets.startup`).

    Parameters
    ----------
    folder : str or os.PathLike
        The folder to write ``explore.ipynb`` into (a temporary one the server serves).
    dataset : str
        The dataset's name or folder, as the notebook's ``dataset`` parameter.
    spec : FilterSpec
        The filters the Explorer opens on, injected as the ``filters`` parameter (JSON).
    prepared : str or os.PathLike, optional
        The folder of the data ``ddj explore`` prepared (:func:`ddj.widgets.shared.prepare`), which each
        visitor's kernel memory-maps; None: each kernel loads and compares the dataset itself.
    """
    import nbformat

    nb = explore_notebook()
    at = next((i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if at is None:
        msg = "the Explorer notebook has no cell tagged 'parameters'; restore notebooks/explore.ipynb"
        raise NotFoundError(msg)
    from ddj.widgets.startup import OPEN, STEPS, step_cells

    injected = nbformat.v4.new_code_cell(f"dataset = {dataset!r}\nfilters = {spec.to_json()!r}\n")
    injected.metadata["tags"] = ["injected-parameters"]
    injected.metadata["ddj"] = {"then": OPEN if prepared else STEPS[0][1]}
    steps = []
    for source, metadata in step_cells(None if prepared is None else str(prepared)):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata.update(metadata)
        steps.append(cell)
    nb.cells[at + 1 : at + 1] = [injected, *steps]
    path = Path(folder) / "explore.ipynb"
    nbformat.write(nb, path)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: Kernels served at once unless ``--max-kernels`` says otherwise.
MAX_KERNELS = 4
#: Seconds a kernel may sit idle with no page connected before it is shut down, and how often to look.
CULL_IDLE_TIMEOUT = 600
CULL_INTERVAL = 60


def voila_command(
    notebook: str | os.PathLike,
    port: int,
    *,
    open_browser: bool = False,
    token: bool = True,
    max_kernels: int = MAX_KERNELS,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    cull_interval: int = CULL_INTERVAL,
    address_file: str | os.PathLike | None = None,
) -> list[str]:
    """The command that serves ``notebook`` with ddj's Voila (:mod:`ddj.widgets._voila_app`) on 127.0.0.1.

    The server binds ``port`` (the next free one if it is taken; 0: any free one), requires a random token
    unless ``token`` is false, serves at most ``max_kernels`` visitors at once (0: no cap), shuts a kernel down
    when its page closes and culls kernels idle for ``cull_idle_timeout`` seconds, looking every
    ``cull_interval`` seconds (a timeout of 0 culls nothing). ``open_browser`` is accepted for compatibility:
    ``serve`` opens the browser itself, on the URL with the token.

    Parameters
    ----------
    notebook : str or os.PathLike
        The notebook to serve.
    port : int
        As above.
    open_browser : bool, default False
        As above.
    token : bool, default True
        As above.
    max_kernels : int, default MAX_KERNELS (4)
        As above.
    cull_idle_timeout : int, default CULL_IDLE_TIMEOUT (600)
        As above, in seconds.
    cull_interval : int, default CULL_INTERVAL (60)
        As above, in seconds.
    address_file : str or os.PathLike, optional
        A file the server writes the URL it serves at (token included) to, once bound; none when None.
    """
    command = [
        sys.executable,
        "-m",
        "ddj.widgets._voila_app",
        str(notebook),
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0" if port == 0 else "--Voila.port_retries=20",
        f"--template={TEMPLATE}",
        "--theme=light",
        "--show_tracebacks=False",
        "--no-browser",
        f"--ExplorerVoila.max_kernels={int(max_kernels)}",
        f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_timeout)}",
        f"--MappingKernelManager.cull_interval={max(1, int(cull_interval))}",
    ]
    if token:
        command.append("--token")
    if address_file is not None:
        command.append(f"--ExplorerVoila.address_file={address_file}")
    return command


def voila_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment Voila runs in: ddj's template folder first on ``JUPYTER_PATH``."""
    env = dict(os.environ if base is None else base)
    paths = [str(_JUPYTER_DIR), *[p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    return env


def serve(
    dataset: str,
    spec: FilterSpec,
    *,
    port: int = 8866,
    open_browser: bool = True,
    out: TextIO | None = None,
    token: bool = True,
    max_kernels: int = MAX_KERNELS,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    cull_interval: int = CULL_INTERVAL,
    startup_timeout: float = 120.0,
    prepared: str | os.PathLike | None = None,
) -> int:
    """Serve the Explorer of ``dataset``, opened on ``spec``, until Ctrl-C (or SIGTERM); return Voila's exit code.

    Prints the URL the server actually bound (with its token), once it is listening.

    Parameters
    ----------
    dataset : str
        The dataset's name or folder.
    spec : FilterSpec
        The filters the Explorer opens on.
    port : int, default 8866
        The port to listen on, on 127.0.0.1 (the next free one if taken; 0: any free one).
    open_browser : bool, default True
        Open the URL (with its token) in the default browser once the server listens.
    out : TextIO, optional
        Where the URL and messages are printed; standard output when None.
    token : bool, default True
        Require a random token in the URL (``--no-token`` turns it off).
    max_kernels : int, default MAX_KERNELS (4)
        The most visitors (browser tabs) served at once; 0 for no cap.
    cull_idle_timeout : int, default CULL_IDLE_TIMEOUT (600)
        Shut down a kernel idle this many seconds; 0 culls none.
    cull_interval : int, default CULL_INTERVAL (60)
        How often, in seconds, idle kernels are looked for.
    startup_timeout : float, default 120.0
        The most seconds to wait for the server to listen before giving up with an error.
    prepared : str or os.PathLike, optional
        The folder of the data prepared for the visitors' kernels to share (:mod:`ddj.widgets.shared`); None:
        each kernel loads and compares the dataset itself.
    """
    import time

    out = out or sys.stdout
    if not 0 <= port < 65536:
        msg = f"--port {port} is not a TCP port; give a number from 1 to 65535 (or 0 for a free one)"
        raise InvalidValueError(msg)
    for name, value in (
        ("--max-kernels", max_kernels),
        ("--cull-idle-timeout", cull_idle_timeout),
        ("--cull-interval", cull_interval),
    ):
        if value < 0:
            msg = f"{name} {value} is negative; give 0 or more"
            raise InvalidValueError(msg)
    folder = Path(tempfile.mkdtemp(prefix="ddj-explore-"))
    os.chmod(folder, 0o700)
    process: subprocess.Popen | None = None
    previous = signal.getsignal(signal.SIGTERM)

    def stop(signum: int, frame: Any) -> None:  # SIGTERM: stop Voila too, then leave
        raise KeyboardInterrupt

    try:
        notebook = write_notebook(folder, dataset, spec, prepared)
        address = folder / "address"
        signal.signal(signal.SIGTERM, stop)
        command = voila_command(
            notebook,
            port,
            token=token,
            max_kernels=max_kernels,
            cull_idle_timeout=cull_idle_timeout,
            cull_interval=cull_interval,
            address_file=address,
        )
        process = subprocess.Popen(command, env=voila_environment(), cwd=folder)
        deadline = time.monotonic() + startup_timeout
        while not address.is_file():
            if process.poll() is not None:
                print(
                    "ddj explore: error: the server stopped before it was listening (its log is above)",
                    file=sys.stderr,
                    flush=True,
                )
                return process.returncode or 1
            if time.monotonic() > deadline:
                print(
                    f"ddj explore: error: the server was not listening after {startup_timeout:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
            time.sleep(0.1)
        url = address.read_text(encoding="utf-8").strip()
        print(
            f"ddj explore: serving the Explorer of {dataset} ({spec.describe()}) at {url} - Ctrl-C stops it",
            file=out,
            flush=True,
        )
        if open_browser:
            import webbrowser

            webbrowser.open(url)
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
                process.wait()
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(folder, ignore_errors=True)
