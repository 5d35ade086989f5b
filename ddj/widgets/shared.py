"""One prepared copy of the Explorer's data per dataset, memory-mapped by every visitor's kernel.

Voila starts one kernel per visitor. If each loaded the dataset and compared it, a million incidents would cost
every visitor half a minute and more than 3 GB. Instead ``ddj explore`` prepares the data once, before the
server starts (:func:`prepare_in_child`, in a child process so that the memory the comparison needs goes back
to the system): it loads and validates the dataset, compares it, builds the Explorer's per-incident frame
(:func:`ddj.widgets.state.prepare_facts`) and writes these frames as uncompressed Arrow IPC files, one chunk
each, into a folder of ddj's cache (``~/.cache/ddj/explorer/KEY``; see :func:`ddj._cache_dir.cache_dir`).
``KEY`` hashes the dataset's files (BLAKE2b of ``datapackage.json`` and every resource file), ddj's version
and the polars and pyarrow versions; the folder also records a hash of each of ddj's modules that preparing
imported (loading, validating, comparing...). A later ``ddj explore`` of the same files with the same code
reuses the folder at once; any change of the files or of that code prepares it again. The newest :data:`KEEP`
folders are kept.

Each kernel then opens the folder (:func:`open_prepared`): pyarrow memory-maps the files and polars takes
their buffers without a copy, so the operating system holds one copy of the pages for every kernel, and the
first view needs no loading or comparing. What is private to a kernel is what polars remaps (the categorical
columns, about 130 MB at a million incidents) and each view's own small results. The dataset's ``accounts``
table is the comparison's (every account when nothing is left out by date), not a second copy.

Deleting the folder is always safe: it is prepared again when needed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddj.errors import DDJError

if TYPE_CHECKING:
    import polars as pl

    from ddj.widgets.state import ExplorerData

__all__ = ["FOLDER", "KEEP", "is_prepared", "open_prepared", "prepare", "prepare_in_child", "prepared_folder"]

#: The folder under ddj's cache folder holding the prepared data, one folder per key.
FOLDER = "explorer"
#: Prepared folders kept: preparing one more removes the least recently used.
KEEP = 3
#: The layout of a prepared folder; a folder of another format is prepared again.
FORMAT = 1
_META = "meta.json"
_COMPARISON = ("incidents", "attributes", "changes", "accounts")
#: The dataset's tables written besides the comparison's (``accounts`` is the comparison's, see above).
_TABLES = ("incidents", "sources", "overrides")
#: What ``ddj explore`` says while each step of the preparation runs.
STEP_MESSAGES = {
    "load": "loading and checking the dataset",
    "compare": "comparing what officials said with what others reported",
    "prepare": "preparing the filters, counts and charts",
    "write": "writing the prepared data for the visitors' pages to share",
}


_ROOT = Path(__file__).resolve().parents[1]


def _code_hashes() -> dict[str, str]:
    """The hash of each of ddj's modules imported in this process, by path inside the package."""
    hashes = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or not str(path).endswith(".py"):
            continue
        try:
            relative = Path(path).resolve().relative_to(_ROOT).as_posix()
            hashes[relative] = _file_hash(_ROOT / relative)
        except (ValueError, OSError):
            continue
    return dict(sorted(hashes.items()))


@cache
def _file_hash(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def prepared_folder(reference: str | os.PathLike) -> Path:
    """The folder the prepared data of dataset ``reference`` (a shipped name or a package folder) go in.

    Raises
    ------
    DDJError
        No such dataset, or an unreadable ``datapackage.json``.
    """
    import polars as pl
    import pyarrow as pa

    from ddj._cache_dir import cache_dir
    from ddj.datasets import resolve
    from ddj.datasets.package import read_package
    from ddj.datasets.validation_record import package_states

    folder = resolve(reference)
    package = read_package(folder)
    states = package_states(folder, [spec.path for spec in package.resources.values()])
    from ddj import __version__

    content = {
        "format": FORMAT,
        "files": {name: state.blake2b for name, state in states.items()},
        "ddj": __version__,
        "polars": pl.__version__,
        "pyarrow": pa.__version__,
    }
    key = hashlib.blake2b(json.dumps(content, sort_keys=True).encode("utf-8"), digest_size=16).hexdigest()
    return cache_dir() / FOLDER / key


def is_prepared(folder: Path, *, same_code: bool = True) -> bool:
    """Whether ``folder`` holds a complete prepared dataset of this :data:`FORMAT` and, with ``same_code``,
    prepared by the code there is now (each module preparing imported has the hash it had then).
    """
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            return False
        return not same_code or all(_file_hash(_ROOT / path) == digest for path, digest in meta["code"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def prepare(reference: str | os.PathLike, *, progress: Callable[[str], None] | None = None) -> Path:
    """Prepare the Explorer's data of dataset ``reference`` in ddj's cache folder (see the module's text), unless
    they are there already; return the folder.

    Parameters
    ----------
    reference : str or os.PathLike
        A shipped dataset's name or a package folder.
    progress : callable, optional
        Called with a short sentence (:data:`STEP_MESSAGES`) as each step starts.

    Raises
    ------
    DDJError
        The dataset cannot be found, read or validated.
    OSError
        The cache folder cannot be written.
    """
    from ddj.compare import compare
    from ddj.datasets import load
    from ddj.widgets.state import prepare_facts

    say = progress or (lambda _message: None)
    target = prepared_folder(reference)
    if is_prepared(target):
        _touch(target)
        return target
    say(STEP_MESSAGES["load"])
    dataset = load(reference, warn=False)
    say(STEP_MESSAGES["compare"])
    comparison = compare(dataset)
    say(STEP_MESSAGES["prepare"])
    facts = prepare_facts(dataset, comparison, search=True)
    say(STEP_MESSAGES["write"])
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        frames: dict[str, pl.DataFrame] = {"facts": facts}
        frames.update({f"comparison-{name}": getattr(comparison, name) for name in _COMPARISON})
        frames.update({f"dataset-{name}": dataset.tables[name] for name in _TABLES if name in dataset.tables})
        for name, frame in frames.items():
            frame.rechunk().write_ipc(partial / f"{name}.arrow", compression="uncompressed")
        meta = {
            "format": FORMAT,
            "name": dataset.name,
            "folder": str(dataset.folder),
            "kind": dataset.kind,
            "descriptor": dataset.descriptor,
            "files": {name: str(path) for name, path in dataset.files.items()},
            "tables": [name for name in _TABLES if name in dataset.tables],
            "accounts_columns": dataset.accounts.columns,
            "as_of": comparison.as_of.isoformat() if comparison.as_of else None,
            "code": _code_hashes(),
        }
        (partial / _META).write_text(json.dumps(meta, default=str), encoding="utf-8")
        if target.exists():  # prepared by other code: a kernel that maps its files keeps them
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(partial, target)
        except OSError:  # another ddj explore prepared the same data meanwhile: use theirs
            if not is_prepared(target):
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    _prune(target)
    return target


def open_prepared(folder: str | os.PathLike) -> ExplorerData:
    """The :class:`~ddj.widgets.state.ExplorerData` of a prepared folder, its frames memory-mapped (no copy).

    Raises
    ------
    NotFoundError
        The folder is not a complete prepared dataset (run ``ddj explore`` again to prepare it).
    """
    import datetime as dt

    import polars as pl
    import pyarrow as pa

    from ddj.compare import Comparison
    from ddj.datasets import Dataset
    from ddj.errors import NotFoundError
    from ddj.widgets.state import ExplorerData

    folder = Path(folder)
    if not is_prepared(folder, same_code=False):  # ddj explore decided these data are current when it started
        msg = f"{folder} holds no prepared Explorer data; run ddj explore again to prepare them"
        raise NotFoundError(msg)
    meta: dict[str, Any] = json.loads((folder / _META).read_text(encoding="utf-8"))

    def mapped(name: str) -> pl.DataFrame:
        with pa.memory_map(str(folder / f"{name}.arrow")) as source:
            table = pa.ipc.open_file(source).read_all()
        frame = pl.from_arrow(table, rechunk=False)
        assert isinstance(frame, pl.DataFrame)
        return frame

    comparison = Comparison(
        incidents=mapped("comparison-incidents"),
        attributes=mapped("comparison-attributes"),
        changes=mapped("comparison-changes"),
        accounts=mapped("comparison-accounts"),
        as_of=dt.date.fromisoformat(meta["as_of"]) if meta.get("as_of") else None,
    )
    tables = {name: mapped(f"dataset-{name}") for name in meta["tables"]}
    tables["accounts"] = comparison.accounts.select(meta["accounts_columns"])
    dataset = Dataset(
        name=meta["name"],
        folder=Path(meta["folder"]),
        kind=meta["kind"],
        tables=tables,
        caveats=(),
        descriptor=meta["descriptor"],
        files={name: Path(path) for name, path in meta["files"].items()},
    )
    return ExplorerData(dataset, comparison, facts=mapped("facts"))


def prepare_in_child(reference: str, *, progress: Callable[[str], None] | None = None) -> Path | None:
    """:func:`prepare` in a child Python process, so that this one (``ddj explore``, which stays running while
    the server does) never holds the memory comparing takes; return the folder, or None when ddj's cache folder
    cannot be written (each visitor's kernel then loads the dataset itself, as a notebook does).

    Parameters
    ----------
    reference : str
        A shipped dataset's name or a package folder.
    progress : callable, optional
        Called with each step's sentence (:data:`STEP_MESSAGES`) as the child starts it.

    Raises
    ------
    DDJError
        The dataset cannot be found, read or validated: the child's message.
    """
    say = progress or (lambda _message: None)
    target = prepared_folder(reference)
    if is_prepared(target):
        _touch(target)
        return target
    command = [sys.executable, "-m", "ddj.widgets.shared", str(reference)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None and child.stderr is not None
        result: dict[str, Any] = {}
        for line in child.stdout:
            try:
                said = json.loads(line)
            except ValueError:
                continue
            if "step" in said:
                say(str(said["step"]))
            else:
                result = said
        errors = child.stderr.read()
        child.wait()
    if result.get("folder"):
        return Path(result["folder"])
    if result.get("error"):
        raise DDJError(str(result["error"]))
    if result.get("unwritable"):
        return None
    msg = f"preparing the dataset {reference!r} for the Explorer failed: {errors.strip()[-2000:] or 'no message'}"
    raise DDJError(msg)


def _main(argv: list[str]) -> int:
    """``python -m ddj.widgets.shared DATASET``: prepare, writing one JSON object a line (steps, then the result)."""

    def say(message: str) -> None:
        print(json.dumps({"step": message}), flush=True)

    try:
        folder = prepare(argv[0], progress=say)
    except DDJError as err:
        print(json.dumps({"error": str(err)}), flush=True)
        return 2
    except OSError as err:
        print(json.dumps({"unwritable": str(err)}), flush=True)
        return 0
    print(json.dumps({"folder": str(folder)}), flush=True)
    return 0


def _touch(folder: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(folder)


def _prune(newest: Path) -> None:
    """Keep the :data:`KEEP` most recently used prepared folders (a kernel that maps a removed file keeps it)."""
    with contextlib.suppress(OSError):
        folders = [p for p in newest.parent.iterdir() if p.is_dir() and not p.name.startswith(".")]
        folders.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in [p for p in folders if p != newest][KEEP - 1 :]:
            shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
