"""The manifest: one JSON record per report of what ran, on what, with which software, when, and how it ended.

``reports/<report>/manifest.json`` holds:

``report``, ``group``, ``title``
    the report's name (its folder), the ``reports.toml`` group that declared it, its title;
``notebook``
    the notebook's path, file name and SHA-256;
``parameters``
    every parameter's value as the kernel received it (defaults filled in);
``datasets``
    per dataset parameter: the dataset's name, version, kind, and the SHA-256 of every file read
    (``datapackage.json`` and each resource); for a notebook that reads a scoped slice (see
    :mod:`ddj.datasets.scope`), ``slice``: the incidents it was scoped to and the slice's digest, which is
    what the report's content key covers;
``packages``, ``git``
    Python and package versions, and the git commit of the notebook's repository (``dirty`` when the
    working tree has uncommitted changes);
``input_fingerprint``
    one SHA-256 over the notebook, parameters, data and software: equal fingerprints mean equal inputs;
``content_key``
    the key a later run compares to skip the report when nothing changed (see :mod:`ddj.report.runner.cache`);
``started``, ``finished``, ``duration_seconds``, ``attempts``
    UTC times (ISO 8601), the run's length, and how many kernels it took (2 after a kernel died);
``status``
    ``ok``, ``failed`` (a cell raised, the kernel died twice, a cell timed out, the export failed) or
    ``invalid`` (refused before a kernel started: bad parameters or an unusable dataset);
``error``
    on failure: the failing cell's index, execution count and source, the error's name, value and
    traceback, and a one-line ``message``;
``outputs``
    the files written and their SHA-256: the HTML, the executed notebook, each chart's SVG and PNG;
``last_success``
    the last run that produced the HTML now in the folder (its times, fingerprint and HTML hash).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddj.report._files import write_file

if TYPE_CHECKING:
    from ddj.datasets.dataset import Dataset

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
#: Distributions whose versions every manifest records (those that shape a report's content or look).
RECORDED_PACKAGES = (
    "polars",
    "altair",
    "vl-convert-python",
    "vegafusion",
    "pyarrow",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "jupyter-client",
)


def now() -> str:
    """The current UTC time as ISO 8601 text, to the microsecond."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="microseconds")


def installed_versions() -> dict[str, str]:
    """Python's, ddj's and the recorded packages' versions, from the installed metadata (nothing imported:
    the content key of :mod:`ddj.report.runner.cache` reads them without starting polars or vl-convert).
    """
    from ddj._version import __version__

    versions = {"python": platform.python_version(), "ddj": __version__}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


@functools.cache
def package_versions() -> dict[str, str]:
    """Python's, ddj's and the recorded packages' versions, plus the Vega libraries inlined into pages.

    Examples
    --------
    >>> versions = package_versions()
    >>> [k for k in ("vega", "vega-lite", "vega-embed") if k in versions]
    ['vega', 'vega-lite', 'vega-embed']

    The manifest names the Vega, Vega-Lite and Vega-Embed versions whose code the pages carry.
    """
    versions = installed_versions()
    try:
        import vl_convert

        versions["vega"] = vl_convert.get_vega_version()
        versions["vega-lite"] = vl_convert.get_vegalite_versions()[-1]
        versions["vega-embed"] = vl_convert.get_vega_embed_version()
    except (ImportError, AttributeError):  # pragma: no cover - vl-convert is a dependency
        pass
    return versions


@functools.cache
def git_state(folder: Path) -> dict[str, Any] | None:
    """The commit checked out in the repository holding ``folder``, and whether it has uncommitted changes.

    ``None`` when ``folder`` is not in a git repository or git is not installed.
    """
    try:
        commit = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(status.strip())}


def file_hash(path: Path) -> str:
    """The hex SHA-256 of a file."""
    from ddj._io import file_sha256

    return file_sha256(path)


def dataset_record(
    parameter: str, reference: str, dataset: Dataset, slice_: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the manifest says about one dataset a report read: name, version, kind and file hashes, and the
    slice (``{"incidents": [...], "digest": ...}``) when the notebook reads a scoped one.

    Parameters
    ----------
    parameter : str
        The notebook parameter that names the dataset.
    reference : str
        The parameter's value: the dataset's name or folder, as the report gave it.
    dataset : ddj.Dataset
        The loaded dataset (its name, descriptor, kind and file hashes are read).
    slice_ : dict, optional
        The slice the notebook reads, ``{"incidents": [...], "digest": ...}``; None when it reads the whole dataset.
    """
    record = {
        "parameter": parameter,
        "reference": reference,
        "name": dataset.name,
        "version": str(dataset.descriptor.get("version", "")),
        "kind": dataset.kind,
        "files": dict(sorted(dataset.file_hashes.items())),
    }
    if slice_ is not None:
        record["slice"] = slice_
    return record


def input_fingerprint(
    notebook_sha256: str, parameters: dict[str, Any], datasets: list[dict[str, Any]], packages: dict[str, str]
) -> str:
    """One SHA-256 over everything a report's content depends on (the skip-if-unchanged key).

    Parameters
    ----------
    notebook_sha256 : str
        The SHA-256 of the notebook file, hex.
    parameters : dict
        The report's parameter values, JSON-ready.
    datasets : list of dict
        The :func:`dataset_record` of each dataset read; only their names, file hashes and slices count.
    packages : dict of str to str
        The versions of Python, ddj and the packages a report's output depends on, by name.

    Examples
    --------
    >>> a = input_fingerprint("ab", {"top": 10}, [], {"ddj": "0.1.0"})
    >>> b = input_fingerprint("ab", {"top": 11}, [], {"ddj": "0.1.0"})
    >>> a == input_fingerprint("ab", {"top": 10}, [], {"ddj": "0.1.0"}), a == b
    (True, False)

    The same inputs give the same fingerprint; changing one parameter changes it.
    """
    payload = {
        "notebook": notebook_sha256,
        "parameters": parameters,
        "datasets": [
            {"name": d["name"], "files": d["files"], **({"slice": d["slice"]} if "slice" in d else {})}
            for d in datasets
        ],
        "packages": packages,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest in a report folder, or ``None`` when there is none or it cannot be read."""
    try:
        data = json.loads((Path(folder) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def last_success(previous: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``last_success`` record to carry forward from the folder's previous manifest."""
    if not previous:
        return None
    if previous.get("status") == "ok":
        outputs = previous.get("outputs", {})
        return {
            "started": previous.get("started"),
            "finished": previous.get("finished"),
            "input_fingerprint": previous.get("input_fingerprint"),
            "html": outputs.get("html"),
            "html_sha256": outputs.get("html_sha256"),
        }
    return previous.get("last_success")


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` atomically (sorted keys, two-space indent, UTF-8)."""
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n"
    return write_file(Path(folder) / MANIFEST_NAME, text)
