"""Content-addressed skipping: a report whose inputs have not changed since its last good run is not run again.

A report's **content key** is one SHA-256 over what reports.toml and the files say about it: its name,
group and title, the notebook's bytes, the parameters as declared, every file of every dataset it reads
(``datapackage.json`` and each resource, as the manifest lists them), the versions of Python, ddj
and the packages the manifest records, and ddj's own files (:func:`code_digest`: a change to ddj's code
runs the reports again even when its version number stays the same). The runner writes the key into the
report's manifest; the next run skips the report when its manifest says ``ok``, carries the same key,
and its page and notebook are still there. ``--force`` runs it anyway.

Deciding that costs no kernel and no polars: this module uses the standard library only, remembers
file hashes by size and modification time, and remembers the values a grid runs over (``incident_id
= { each = "incidents" }``) by the hashes of the dataset's files. Both live in ``<out>/.ddj/cache.json``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ddj._shipped import data_dir, is_shipped  # the rule of ddj.datasets, without its polars
from ddj.errors import DDJError

#: Changes when the key's recipe changes, so that keys of an older recipe never match.
KEY_VERSION = 2
#: The folder of ddj's own files (its modules and templates), whose contents are part of every key.
CODE_ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = ".ddj"
CACHE_FILE = "cache.json"


class Cache:
    """File hashes and grid values remembered between runs, in ``<out>/.ddj/cache.json`` (``None``: in memory).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "a.csv").write_text("id\\n1\\n")
    5
    >>> cache = Cache(None)
    >>> cache.sha256(folder / "a.csv") == hashlib.sha256(b"id\\n1\\n").hexdigest()
    True

    A file's hash is its bytes' SHA-256; the cache reads the file again only when its size or time changes.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self._data: dict[str, Any] = {"files": {}, "grids": {}}
        self._dirty = False
        if self.path is not None:
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = None
            if isinstance(loaded, dict) and loaded.get("version") == KEY_VERSION:
                self._data["files"] = loaded.get("files") or {}
                self._data["grids"] = loaded.get("grids") or {}

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
        """The values remembered for ``grid`` (a dataset folder, table and column) when its files hashed to ``files``."""
        known = self._data["grids"].get(grid)
        return known["values"] if isinstance(known, dict) and known.get("files") == files else None

    def remember_grid(self, grid: str, files: str, values: list[Any]) -> None:
        """Remember a grid's values (replacing those of earlier files); only text, numbers and booleans."""
        if all(isinstance(v, (str, int, float, bool)) for v in values):  # JSON gives these back unchanged
            self._data["grids"][grid] = {"files": files, "values": values}
            self._dirty = True

    def save(self) -> None:
        """Write the cache (atomically) if anything new was learned."""
        if self.path is None or not self._dirty:
            return
        from ddj._io import atomic_write_text

        files = {p: v for p, v in self._data["files"].items() if Path(p).exists()}
        text = json.dumps({"version": KEY_VERSION, "files": files, "grids": self._data["grids"]}, sort_keys=True)
        atomic_write_text(self.path, text)
        self._dirty = False


# --- datasets without polars -----------------------------------------------------------------------


def dataset_folder(reference: str, base_dir: Path | None = None) -> Path | None:
    """The package folder a dataset parameter or grid names (a shipped name, or a folder relative to
    ``base_dir``), or ``None`` when there is none (the run will say why)."""
    if is_shipped(reference):
        return data_dir() / reference
    path = Path(reference).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    if path.name == "datapackage.json":
        path = path.parent
    return path.resolve() if (path / "datapackage.json").is_file() else None


class DatasetPathError(DDJError):
    """A dataset's descriptor or resource path leads outside its folder (``../``, an absolute path, a symlink
    whose target is elsewhere): the reports that read it are refused, the others run."""


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
        msg = (f"dataset {folder}: the path {shown!r} leads outside the dataset's folder; a resource must be a "
               "file inside it (write it relative to datapackage.json, without '..')")
        raise DatasetPathError(msg)
    try:
        target = path.resolve()
    except (OSError, RuntimeError) as err:  # a symlink loop
        msg = f"dataset {folder}: the path {shown!r} cannot be resolved ({err})"
        raise DatasetPathError(msg) from None
    if not target.is_relative_to(root):
        msg = (f"dataset {folder}: {shown!r} is a symlink to {target}, outside the dataset's folder; ddj refuses "
               "it (copy the file into the folder instead)")
        raise DatasetPathError(msg)


def dataset_hashes(folder: Path, cache: Cache) -> dict[str, str]:
    """SHA-256 of each file of a dataset, keyed by path relative to the folder (see :func:`dataset_files`)."""
    return {str(p.relative_to(folder)): cache.sha256(p) for p in dataset_files(folder)}


def cached_column_values(cache: Cache, load: Callable[[str, str, str | None], list[Any]] | None = None
                         ) -> Callable[[str, str, str | None], list[Any]]:
    """A ``column_values`` for :func:`ddj.report.config.load_config` that remembers each grid's values by the
    hashes of the dataset's files, and loads the dataset (with polars) only when they changed."""

    def column_values(dataset: str, table: str, column: str | None) -> list[Any]:
        folder = dataset_folder(dataset)
        grid = files = None
        if folder is not None:
            grid = json.dumps([str(folder), table, column])
            files = hashlib.sha256(json.dumps(dataset_hashes(folder, cache), sort_keys=True).encode()).hexdigest()
            known = cache.grid_values(grid, files)
            if known is not None:
                return list(known)
        if load is None:
            from ddj.report.config import _column_values as loader
        else:
            loader = load
        values = loader(dataset, table, column)
        if grid is not None and files is not None:
            cache.remember_grid(grid, files, values)
        return values

    return column_values


# --- the key and the decision ----------------------------------------------------------------------


def software_versions() -> dict[str, str]:
    """Python's, ddj's and the recorded packages' versions (:func:`ddj.report.manifest.installed_versions`:
    from the installed metadata, nothing imported)."""
    from ddj.report.manifest import installed_versions

    return installed_versions()


def code_digest(cache: Cache, root: Path | None = None) -> str:
    """One SHA-256 over the relative path and the bytes of every file of ddj's package (``root``: another
    folder, for tests); compiled ``__pycache__`` files are left out. File hashes come from ``cache``, so
    an unchanged package costs one ``stat`` a file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.py").write_text("x = 1\\n")
    >>> before = code_digest(Cache(None), folder)
    >>> _ = (folder / "a.py").write_text("x = 2\\n")
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


def content_key(spec: Any, cache: Cache, software: dict[str, str] | None = None, code: str | None = None) -> str | None:
    """The content key of a :class:`ddj.report.config.ReportSpec`, or ``None`` when it cannot be computed
    (an unreadable notebook, a dataset that does not exist): such a report always runs and says why.

    Examples
    --------
    >>> import pathlib
    >>> from ddj.report.config import load_config
    >>> root = pathlib.Path(__file__).parents[2]
    >>> spec = load_config(root / "reports.toml").select(["theatre-syria"]).reports[0]
    >>> key = content_key(spec, Cache(None))
    >>> key == content_key(spec, Cache(None)), len(key)
    (True, 64)

    The same report over the same files has the same key; a changed notebook, parameter, dataset file,
    version or file of ddj's code gives another. ``software`` and ``code`` (from :func:`software_versions`
    and :func:`code_digest`) can be given when many keys are computed at once.
    """
    try:
        notebook = cache.sha256(spec.notebook)
    except OSError:
        return None
    declared = _declared_parameters(spec.notebook, notebook)
    if declared is None:
        return None
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
        datasets[parameter.name] = {"folder": str(folder), "files": dataset_hashes(folder, cache)}
    payload = {
        "key_version": KEY_VERSION,
        "report": spec.name,
        "group": spec.group,
        "title": spec.title,
        "notebook": notebook,
        "parameters": spec.parameters,
        "base_dir": str(spec.base_dir),
        "datasets": datasets,
        "software": software if software is not None else software_versions(),
        "code": code if code is not None else code_digest(cache),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


_DECLARED: dict[str, Any] = {}


def _declared_parameters(path: Path, digest: str) -> Any:
    """A notebook's parameters read with :mod:`json` (nbformat imports jsonschema, slow to import), once per
    notebook content; ``None`` for anything :func:`ddj.report.params.read_parameters` would refuse."""
    from ddj.errors import NotebookError
    from ddj.report.params import parameters_of_cells

    if digest not in _DECLARED:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
            _DECLARED[digest] = parameters_of_cells(cells, notebook=str(path))
        except (OSError, ValueError, LookupError, TypeError, AttributeError, NotebookError):
            _DECLARED[digest] = None
    return _DECLARED[digest]


def is_current(out_dir: Path, name: str, key: str | None) -> dict[str, Any] | None:
    """The manifest of a report that need not run again (``ok``, same key, page and notebook present), else ``None``."""
    from ddj.report.manifest import read_manifest

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


def split_current(specs: Iterable[Any], out_dir: Path, cache: Cache, *, force: bool = False
                  ) -> tuple[list[tuple[Any, str | None]], list[tuple[Any, dict[str, Any]]]]:
    """Split reports into those to run (each with its content key) and those current (with their manifest).
    A report whose content key cannot be computed safely is left out: :func:`split_reports` says why."""
    todo, current, _ = split_reports(specs, out_dir, cache, force=force)
    return todo, current


def split_reports(specs: Iterable[Any], out_dir: Path, cache: Cache, *, force: bool = False
                  ) -> tuple[list[tuple[Any, str | None]], list[tuple[Any, dict[str, Any]]], list[tuple[Any, str]]]:
    """Split reports into those to run (each with its content key), those current (with their manifest), and
    those refused (with why: a dataset path that leads outside its folder). One refused report stops no other."""
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
