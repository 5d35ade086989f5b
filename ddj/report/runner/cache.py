"""Content-addressed skipping: a report whose inputs have not changed since its last good run is not run again.

A report's **content key** is one SHA-256 over what reports.toml and the files say about it: its name,
group and title, the notebook's bytes, the parameters as declared, every file of every dataset it reads
(``datapackage.json`` and each resource, as the manifest lists them), the versions of Python, ddj
and the packages the manifest records, and ddj's own files (:func:`code_digest`: a change to ddj's code
runs the reports again even when its version number stays the same). The runner writes the key into the
report's manifest; the next run skips the report when its manifest says ``ok``, carries the same key,
and its page and notebook are still there. ``--force`` runs it anyway.

**Row-level keys.** A notebook that loads only one incident's slice of a dataset (``ddj.load(dataset,
incidents=[incident_id])``, or :func:`ddj.datasets.scope.scope` of a whole load: the same rows) declares so in its
metadata, naming the dataset parameter and the parameter holding the incident::

    "metadata": {"ddj": {"scope": {"dataset": "dataset", "incidents": "incident_id"}}}

(``incidents`` may name a parameter holding one id or a list of them). Its key then covers the
:func:`~ddj.datasets.scope.slice_digest` of that slice (the incident, the related incidents, their accounts,
the sources those name, the overrides that target them, their caveats, the descriptor) instead of the dataset's
files, so an edit of another incident's rows leaves it skipped. Every other report (the theatre overview reads
every incident, to list those it leaves out) keys on the whole files. The declaration is the notebook's
promise: a notebook that declares a scope but reads the dataset another way would be skipped wrongly.

Deciding that costs no kernel and, when no dataset file changed, no polars: this module uses the standard
library only, remembers file hashes by size and modification time, and remembers the values a grid runs over
(``incident_id = { each = "incidents" }``) and each slice's digest by the hashes of the dataset's files. They
live in ``<out>/.ddj/cache.json``. When a file changed, the dataset is loaded (validated once per content)
once per run and each slice's digest computed again (a few milliseconds per incident).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddj._shipped import data_dir, is_shipped  # the rule of ddj.datasets, without its polars
from ddj.errors import DatasetPathError

if TYPE_CHECKING:
    from ddj.report.runner.config import ReportSpec

#: Changes when the key's recipe changes, so that keys of an older recipe never match.
KEY_VERSION = 4
#: The folder of ddj's own files (its modules and templates), whose contents are part of every key.
CODE_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = ".ddj"
CACHE_FILE = "cache.json"


class Cache:
    r"""File hashes and grid values remembered between runs, in ``<out>/.ddj/cache.json`` (``None``: in memory).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "a.csv").write_text("id\n1\n")
    5
    >>> cache = Cache(None)
    >>> cache.sha256(folder / "a.csv") == hashlib.sha256(b"id\n1\n").hexdigest()
    True

    A file's hash is its bytes' SHA-256; the cache reads the file again only when its size or time changes.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self._data: dict[str, Any] = {"files": {}, "grids": {}, "slices": {}}
        self._dirty = False
        if self.path is not None:
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = None
            if isinstance(loaded, dict) and loaded.get("version") == KEY_VERSION:
                self._data["files"] = loaded.get("files") or {}
                self._data["grids"] = loaded.get("grids") or {}
                self._data["slices"] = loaded.get("slices") or {}

    @classmethod
    def for_output(cls, out_dir: str | Path) -> Cache:
        """The cache of an output folder (``<out>/.ddj/cache.json``)."""
        return cls(Path(out_dir).resolve() / CACHE_DIR / CACHE_FILE)

    def sha256(self, path: Path) -> str:
        """The SHA-256 of a file, read again only when its size, times or inode changed."""
        path = Path(path).resolve()
        stat = path.stat()
        stamp = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        known = self._data["files"].get(str(path))
        if known and known[0] == stamp:
            return known[1]
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        self._data["files"][str(path)] = [stamp, digest.hexdigest()]
        self._dirty = True
        return digest.hexdigest()

    def grid_values(self, grid: str, files: str) -> list[Any] | None:
        """The values remembered for ``grid`` (a dataset folder, table and column) when its files hashed to
        ``files``; ``None`` when none are.
        """
        known = self._data["grids"].get(grid)
        return known["values"] if isinstance(known, dict) and known.get("files") == files else None

    def remember_grid(self, grid: str, files: str, values: list[Any]) -> None:
        """Remember a grid's values (replacing those of earlier files); only text, numbers and booleans.

        Parameters
        ----------
        grid : str
            The grid's key: the dataset folder, table and column its values come from.
        files : str
            The :func:`files_digest` of the dataset's files the values were read from.
        values : list
            The grid's values, in order; a list holding anything but text, numbers and booleans is not kept.
        """
        if all(isinstance(v, (str, int, float, bool)) for v in values):  # JSON gives these back unchanged
            self._data["grids"][grid] = {"files": files, "values": values}
            self._dirty = True

    def slice_digest(self, slice_key: str, files: str) -> str | None:
        """The digest remembered for a slice (a dataset folder and incident ids) when its files hashed to ``files``."""
        known = self._data["slices"].get(slice_key)
        return known["digest"] if isinstance(known, dict) and known.get("files") == files else None

    def remember_slice(self, slice_key: str, files: str, digest: str) -> None:
        """Remember a slice's digest (replacing that of earlier files).

        Parameters
        ----------
        slice_key : str
            The slice's key: the dataset folder and the sorted incident ids, as JSON.
        files : str
            The :func:`files_digest` of the dataset's files the digest was computed from.
        digest : str
            The slice's digest, from :func:`ddj.datasets.scope.slice_digest`.
        """
        self._data["slices"][slice_key] = {"files": files, "digest": digest}
        self._dirty = True

    def save(self) -> None:
        """Write the cache (atomically) if anything new was learned."""
        if self.path is None or not self._dirty:
            return
        from ddj._io import atomic_write_text

        files = {p: v for p, v in self._data["files"].items() if Path(p).exists()}
        text = json.dumps(
            {"version": KEY_VERSION, "files": files, "grids": self._data["grids"], "slices": self._data["slices"]},
            sort_keys=True,
        )
        atomic_write_text(self.path, text)
        self._dirty = False


# --- datasets without polars -----------------------------------------------------------------------


def dataset_folder(reference: str, base_dir: Path | None = None) -> Path | None:
    """The package folder a dataset parameter or grid names (a shipped name, or a folder relative to
    ``base_dir``), or ``None`` when there is none (the run will say why).
    """
    if is_shipped(reference):
        return data_dir() / reference
    path = Path(reference).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    if path.name == "datapackage.json":
        path = path.parent
    return path.resolve() if (path / "datapackage.json").is_file() else None


def dataset_files(folder: Path) -> list[Path]:
    """``datapackage.json`` and the resource files it lists: the files a loaded dataset reads.

    Raises
    ------
    DatasetPathError
        A resource path, or a symlink among the files, leads outside ``folder``: the message names it.
    """
    folder = Path(folder)
    descriptor = folder / "datapackage.json"
    _inside(folder, descriptor, "datapackage.json")
    files = {descriptor}
    try:
        resources = json.loads(descriptor.read_text(encoding="utf-8")).get("resources", [])
    except (OSError, ValueError, AttributeError):
        resources = []
    for resource in resources if isinstance(resources, list) else []:
        paths = resource.get("path") if isinstance(resource, dict) else None
        for relpath in paths if isinstance(paths, list) else [paths]:
            if not isinstance(relpath, str) or "://" in relpath:
                continue
            path = folder / relpath
            _inside(folder, path, relpath)
            if path.is_file():
                files.add(path)
    return sorted(files)


def _inside(folder: Path, path: Path, shown: str) -> None:
    """Refuse a path that leads outside ``folder``, by its words (``..``, absolute) or through a symlink."""
    root = folder.resolve()
    if Path(shown).is_absolute() or ".." in Path(shown).parts:
        msg = (
            f"dataset {folder}: the path {shown!r} leads outside the dataset's folder; a resource must be a "
            "file inside it (write it relative to datapackage.json, without '..')"
        )
        raise DatasetPathError(msg)
    try:
        target = path.resolve()
    except (OSError, RuntimeError) as err:  # a symlink loop
        msg = f"dataset {folder}: the path {shown!r} cannot be resolved ({err})"
        raise DatasetPathError(msg) from None
    if not target.is_relative_to(root):
        msg = (
            f"dataset {folder}: {shown!r} is a symlink to {target}, outside the dataset's folder; ddj refuses "
            "it (copy the file into the folder instead)"
        )
        raise DatasetPathError(msg)


def dataset_hashes(folder: Path, cache: Cache) -> dict[str, str]:
    """SHA-256 of each file of a dataset, keyed by path relative to the folder (see :func:`dataset_files`)."""
    return {str(p.relative_to(folder)): cache.sha256(p) for p in dataset_files(folder)}


def files_digest(hashes: dict[str, str]) -> str:
    """One SHA-256 over a dataset's file hashes (:func:`dataset_hashes`)."""
    return hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()


def cached_column_values(
    cache: Cache, load: Callable[[str, str, str | None], list[Any]] | None = None
) -> Callable[[str, str, str | None], list[Any]]:
    """A ``column_values`` for :func:`ddj.report.runner.config.load_config` that remembers each grid's values by the
    hashes of the dataset's files, and loads the dataset (with polars) only when they changed.
    """

    def column_values(dataset: str, table: str, column: str | None) -> list[Any]:
        folder = dataset_folder(dataset)
        grid = files = None
        if folder is not None:
            grid = json.dumps([str(folder), table, column])
            files = files_digest(dataset_hashes(folder, cache))
            known = cache.grid_values(grid, files)
            if known is not None:
                return list(known)
        loader: Callable[[str, str, str | None], list[Any]]
        if load is None:
            from ddj.report.runner.config import _column_values as loader
        else:
            loader = load
        values = loader(dataset, table, column)
        if grid is not None and files is not None:
            cache.remember_grid(grid, files, values)
        return values

    return column_values


# --- row-level slices ----------------------------------------------------------------------------------


def notebook_scope(path: Path, digest: str) -> dict[str, str] | None:
    """The scope a notebook declares in its metadata (``{"dataset": PARAM, "incidents": PARAM}``), read with
    :mod:`json` once per notebook content; ``None`` when it declares none (or not as two parameter names).
    """
    if digest not in _SCOPES:
        try:
            metadata = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
            declared = metadata.get("ddj", {}).get("scope")
        except (OSError, ValueError, AttributeError):
            declared = None
        valid = (
            isinstance(declared, dict)
            and isinstance(declared.get("dataset"), str)
            and isinstance(declared.get("incidents"), str)
        )
        _SCOPES[digest] = {"dataset": declared["dataset"], "incidents": declared["incidents"]} if valid else None
    return _SCOPES[digest]


def scoped_incidents(scope: dict[str, str] | None, parameters: dict[str, Any]) -> list[str] | None:
    """The incident ids a report on ``parameters`` scopes its dataset to, or ``None`` (no scope, no ids)."""
    if scope is None:
        return None
    value = parameters.get(scope["incidents"])
    ids = value if isinstance(value, list) else [value]
    return [str(i) for i in ids] if ids and all(isinstance(i, str) and i for i in ids) else None


_SCOPES: dict[str, Any] = {}
#: Datasets loaded for slice digests in this process, by folder and files digest (one load per content).
_LOADED: dict[tuple[str, str], Any] = {}


def cached_slice_digest(folder: Path, hashes: dict[str, str], incident_ids: list[str], cache: Cache) -> str | None:
    """The :func:`ddj.datasets.scope.slice_digest` of ``incident_ids``'s slice of the dataset in ``folder``,
    remembered by the hashes of its files; ``None`` when the dataset does not load or lacks an incident (the
    report then keys on the whole files and its run says what is wrong).

    Parameters
    ----------
    folder : pathlib.Path
        The dataset's folder.
    hashes : dict of str to str
        The SHA-256 of each of the dataset's files, by path (:func:`dataset_hashes`).
    incident_ids : list of str
        The incidents of the slice (order and repeats do not matter).
    cache : Cache
        Where slice digests are remembered across runs.
    """
    files = files_digest(hashes)
    slice_key = json.dumps([str(folder), sorted(set(incident_ids))])
    known = cache.slice_digest(slice_key, files)
    if known is not None:
        return known
    from ddj.errors import DDJError

    try:
        if (str(folder), files) not in _LOADED:
            import ddj

            _LOADED.clear()  # keep one content per run, not every version seen
            _LOADED[(str(folder), files)] = ddj.load(folder, warn=False)
        from ddj.datasets.scope import scope, slice_digest

        digest = slice_digest(scope(_LOADED[(str(folder), files)], incidents=incident_ids))
    except DDJError:
        return None
    cache.remember_slice(slice_key, files, digest)
    return digest


# --- the key and the decision ----------------------------------------------------------------------


def software_versions() -> dict[str, str]:
    """Python's, ddj's and the recorded packages' versions (:func:`ddj.report.runner.manifest.installed_versions`:
    from the installed metadata, nothing imported).
    """
    from ddj.report.runner.manifest import installed_versions

    return installed_versions()


def code_digest(cache: Cache, root: Path | None = None) -> str:
    r"""One SHA-256 over the relative path and the bytes of every file of ddj's package (``root``: another
    folder, for tests); compiled ``__pycache__`` files are left out. File hashes come from ``cache``, so
    an unchanged package costs one ``stat`` a file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.py").write_text("x = 1\n")
    >>> before = code_digest(Cache(None), folder)
    >>> _ = (folder / "a.py").write_text("x = 2\n")
    >>> code_digest(Cache(None), folder) == before
    False

    Any edit of ddj's code gives another digest, so every report runs again.
    """
    root = Path(root or CODE_ROOT)
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root)
        if path.is_file() and "__pycache__" not in name.parts and path.suffix != ".pyc":
            digest.update(f"{name.as_posix()}\0{cache.sha256(path)}\n".encode())
    return digest.hexdigest()


def content_key(
    spec: ReportSpec, cache: Cache, software: dict[str, str] | None = None, code: str | None = None
) -> str | None:
    """The content key of a :class:`ddj.report.runner.config.ReportSpec`, or ``None`` when it cannot be computed
    (an unreadable notebook, a dataset that does not exist): such a report always runs and says why.

    Parameters
    ----------
    spec : ddj.report.runner.config.ReportSpec
        The report: its notebook, parameters and datasets.
    cache : Cache
        The file-hash cache (``Cache(None)`` keeps nothing between runs).
    software : dict of str to str, optional
        The versions from :func:`software_versions`; read now when None.
    code : str, optional
        ddj's code digest from :func:`code_digest`; computed now when None.

    Examples
    --------
    >>> import pathlib
    >>> from ddj.report.runner.config import load_config
    >>> root = pathlib.Path(__file__).parents[3]
    >>> spec = load_config(root / "reports.toml").select(["theatre-syria"]).reports[0]
    >>> key = content_key(spec, Cache(None))
    >>> key == content_key(spec, Cache(None)), len(key)
    (True, 64)

    The same report over the same files has the same key; a changed notebook, parameter, dataset file,
    version or file of ddj's code gives another. A notebook that declares a scope (see the module's docstring)
    is keyed on its slice's digest instead of the dataset's files: only an edit of its slice's rows counts.
    ``software`` and ``code`` (from :func:`software_versions` and :func:`code_digest`) can be given when many
    keys are computed at once.
    """
    try:
        notebook = cache.sha256(spec.notebook)
    except OSError:
        return None
    declared = _declared_parameters(spec.notebook, notebook)
    if declared is None:
        return None
    scope = notebook_scope(spec.notebook, notebook)
    defaults = {p.name: p.default for p in declared}
    datasets = {}
    for parameter in declared:
        if not parameter.is_dataset:
            continue
        reference = spec.parameters.get(parameter.name, parameter.default)
        if reference is None:
            continue
        folder = dataset_folder(str(reference), spec.base_dir)
        if folder is None:
            return None
        hashes = dataset_hashes(folder, cache)
        ids = scoped_incidents(scope, {**defaults, **spec.parameters})
        digest = None
        if ids is not None and scope is not None and scope["dataset"] == parameter.name:
            digest = cached_slice_digest(folder, hashes, ids, cache)
        if digest is None:
            datasets[parameter.name] = {"folder": str(folder), "files": hashes}
        else:
            datasets[parameter.name] = {
                "folder": str(folder),
                "slice": {"incidents": sorted(set(ids or [])), "digest": digest},
            }
    payload = {
        "key_version": KEY_VERSION,
        "report": spec.name,
        "group": spec.group,
        "title": spec.title,
        "notebook": notebook_content_digest(spec.notebook, notebook),
        "parameters": spec.parameters,
        "base_dir": str(spec.base_dir),
        "datasets": datasets,
        "software": software if software is not None else software_versions(),
        "code": code if code is not None else code_digest(cache),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


_DECLARED: dict[str, Any] = {}
_CONTENT: dict[str, str] = {}

# What JupyterLab (and Jupyter's other front ends) rewrite when a notebook is opened, run or saved, and what no
# report reads: the kernel's display name, the saved widget state, the language's version, cell ids, outputs and
# execution counts, and the cell metadata of the editor's view. Everything else (sources, cell types, tags such as
# ``parameters``, the ``ddj`` and ``papermill`` metadata) is the notebook's content.
_VOLATILE_NOTEBOOK_METADATA = ("widgets", "language_info")
_VOLATILE_CELL_KEYS = ("id", "outputs", "execution_count")
_VOLATILE_CELL_METADATA = ("collapsed", "scrolled", "execution", "jp-MarkdownHeadingCollapsed", "editable", "deletable")


def notebook_content_digest(path: Path, digest: str) -> str:
    """The SHA-256 of what a notebook says, without what a front end rewrites when it opens or saves it.

    Opening a notebook in JupyterLab changes its metadata (the kernel's display name, widget state,
    ``language_info``), cell ids and outputs; none of it changes what a report computes, so none of it makes
    the report run again. Read with :mod:`json` once per file content (``digest``, the SHA-256 of the bytes);
    a file that does not parse as a notebook keys on its bytes.

    Parameters
    ----------
    path
        The notebook file.
    digest
        The SHA-256 of the file's bytes, as :meth:`Cache.sha256` gives it.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> cell = {"cell_type": "code", "source": "x = 1", "metadata": {"tags": ["parameters"]}, "outputs": []}
    >>> plain = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}}}
    >>> opened = json.loads(json.dumps(plain))
    >>> opened["metadata"]["kernelspec"]["display_name"] = "Python 3 (ipykernel)"
    >>> opened["metadata"]["language_info"] = {"version": "3.11.7"}
    >>> opened["cells"][0].update(id="a1b2", execution_count=3, metadata={"tags": ["parameters"], "scrolled": True})
    >>> edited = json.loads(json.dumps(plain))
    >>> edited["cells"][0]["source"] = "x = 2"
    >>> digests = []
    >>> for name, notebook in (("plain", plain), ("opened", opened), ("edited", edited)):
    ...     _ = (folder / name).write_text(json.dumps(notebook))
    ...     digests.append(notebook_content_digest(folder / name, name))
    >>> digests[0] == digests[1], digests[0] == digests[2]
    (True, False)
    """
    if digest not in _CONTENT:
        try:
            notebook = json.loads(Path(path).read_text(encoding="utf-8"))
            metadata = {k: v for k, v in notebook.get("metadata", {}).items() if k not in _VOLATILE_NOTEBOOK_METADATA}
            if isinstance(metadata.get("kernelspec"), dict):
                metadata["kernelspec"] = {k: v for k, v in metadata["kernelspec"].items() if k != "display_name"}
            cells = [
                {
                    **{k: v for k, v in cell.items() if k not in _VOLATILE_CELL_KEYS and k != "metadata"},
                    "metadata": {k: v for k, v in cell.get("metadata", {}).items() if k not in _VOLATILE_CELL_METADATA},
                }
                for cell in notebook["cells"]
            ]
            content = {"cells": cells, "metadata": metadata, "nbformat": notebook.get("nbformat")}
            text = json.dumps(content, sort_keys=True, ensure_ascii=False)
            _CONTENT[digest] = hashlib.sha256(text.encode()).hexdigest()
        except (OSError, ValueError, LookupError, TypeError, AttributeError):
            _CONTENT[digest] = digest
    return _CONTENT[digest]


def _declared_parameters(path: Path, digest: str) -> Any:
    """A notebook's parameters read with :mod:`json` (nbformat imports jsonschema, slow to import), once per
    notebook content; ``None`` for anything :func:`ddj.report.runner.params.read_parameters` would refuse.
    """
    from ddj.errors import NotebookError
    from ddj.report.runner.params import parameters_of_cells

    if digest not in _DECLARED:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
            _DECLARED[digest] = parameters_of_cells(cells, notebook=str(path))
        except (OSError, ValueError, LookupError, TypeError, AttributeError, NotebookError):
            _DECLARED[digest] = None
    return _DECLARED[digest]


def is_current(out_dir: Path, name: str, key: str | None) -> dict[str, Any] | None:
    """The manifest of a report that need not run again (``ok``, same key, page and notebook present), else ``None``.

    Parameters
    ----------
    out_dir : pathlib.Path
        The reports' output folder; the report's manifest is in ``out_dir / name``.
    name : str
        The report's name.
    key : str or None
        The report's content key now (:func:`content_key`); None (not computable) is never current.
    """
    from ddj.report.runner.manifest import read_manifest

    if key is None:
        return None
    folder = Path(out_dir) / name
    manifest = read_manifest(folder)
    if not manifest or manifest.get("status") != "ok" or manifest.get("content_key") != key:
        return None
    outputs = manifest.get("outputs") or {}
    if not all(isinstance(outputs.get(k), str) and (folder / outputs[k]).is_file() for k in ("html", "notebook")):
        return None
    return manifest


def split_current(
    specs: Iterable[Any], out_dir: Path, cache: Cache, *, force: bool = False
) -> tuple[list[tuple[Any, str | None]], list[tuple[Any, dict[str, Any]]]]:
    """Split reports into those to run (each with its content key) and those current (with their manifest).
    A report whose content key cannot be computed safely is left out: :func:`split_reports` says why.

    Parameters
    ----------
    specs : iterable of ddj.report.runner.config.ReportSpec
        The reports asked for.
    out_dir : pathlib.Path
        The reports' output folder, where earlier runs left their manifests.
    cache : Cache
        The file-hash cache.
    force : bool, default False
        Run every report, current or not (``--force``).
    """
    todo, current, _ = split_reports(specs, out_dir, cache, force=force)
    return todo, current


def split_reports(
    specs: Iterable[Any], out_dir: Path, cache: Cache, *, force: bool = False
) -> tuple[list[tuple[Any, str | None]], list[tuple[Any, dict[str, Any]]], list[tuple[Any, str]]]:
    """Split reports into those to run (each with its content key), those current (with their manifest), and
    those refused (with why: a dataset path that leads outside its folder). One refused report stops no other.

    Parameters
    ----------
    specs : iterable of ddj.report.runner.config.ReportSpec
        The reports asked for.
    out_dir : pathlib.Path
        The reports' output folder, where earlier runs left their manifests.
    cache : Cache
        The file-hash cache.
    force : bool, default False
        Run every report, current or not (``--force``); refused reports stay refused.
    """
    software, code = software_versions(), code_digest(cache)
    todo, current, refused = [], [], []
    for spec in specs:
        try:
            key = content_key(spec, cache, software, code)
        except DatasetPathError as err:
            refused.append((spec, str(err)))
            continue
        manifest = None if force else is_current(out_dir, spec.name, key)
        if manifest is None:
            todo.append((spec, key))
        else:
            current.append((spec, manifest))
    return todo, current, refused
