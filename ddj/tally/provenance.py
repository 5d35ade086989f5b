"""The identity of a tally's raw snapshot: where each raw folder came from, which commit, and what it holds.

Each folder under ``raw/`` may carry a ``SOURCE.json`` manifest written when the files were copied from upstream::

    {"repository": "owner/name", "url": "https://github.com/owner/name", "folder": "data/",
     "commit": "<40 hex digits>", "version": null, "date": null, "about": "(what the files are)",
     "content_sha256": "<the folder's content hash when the commit was recorded>"}

Only ``repository`` is required; ``commit``, ``version`` and ``date`` are recorded as given, never guessed. A manifest
that declares any of them must also give ``content_sha256``, the content hash of the files it describes: when the
files are replaced by a newer snapshot and the manifest is not updated, the hashes differ and the build refuses,
so a package never cites the commit of files it no longer holds. Whatever
the manifest says, the build also records the folder's content hash (SHA-256 over its files' paths and hashes) and
the last date its data reach, so a snapshot without a declared commit is still identified, and says that its commit
is unknown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from ddj._io import file_sha256
from ddj.errors import PackageError

#: The manifest's name inside a raw folder.
MANIFEST = "SOURCE.json"
_KEYS = ("repository", "url", "folder", "commit", "version", "date", "about", "content_sha256")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_URL = re.compile(r"^https?://\S+$")


def _fail(path: Path, key: str, what: str) -> PackageError:
    return PackageError(f"{path}: {key!r} {what}. Correct it in the manifest (or delete the key if it is not known).")


def read_manifest(path: Path) -> dict[str, Any] | None:
    """Read and check a raw folder's ``SOURCE.json``; ``None`` when the folder has none.

    Parameters
    ----------
    path
        The manifest's path.

    Returns
    -------
    dict or None
        The manifest's keys (those of the format above; absent ones are ``None``).

    Raises
    ------
    PackageError
        When the file is not JSON, not an object, has an unknown key, or a value of the wrong form (a commit that is
        not 40 hex digits, a date not YYYY-MM-DD, a link that is not http/https).
    """
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        msg = (
            f"{path}: not a readable JSON file ({error}). Write it as UTF-8 JSON, one object "
            "(see ddj/tally/provenance.py)."
        )
        raise PackageError(msg) from error
    if not isinstance(data, dict):
        msg = f"{path}: the manifest must be one JSON object with the keys {', '.join(_KEYS)}."
        raise PackageError(msg)
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise _fail(path, unknown[0], f"is not a manifest key (the keys are {', '.join(_KEYS)})")
    manifest = {key: data.get(key) for key in _KEYS}
    for key, value in manifest.items():
        if value is not None and not isinstance(value, str):
            raise _fail(path, key, "must be a string or null")
    if not manifest["repository"]:
        raise _fail(path, "repository", "is required (owner/name, or the publisher's name)")
    if manifest["commit"] is not None and not _COMMIT.match(manifest["commit"]):
        raise _fail(path, "commit", f"is {manifest['commit']!r}, not a full 40-digit lower-case hex commit")
    if manifest["url"] is not None and not _URL.match(manifest["url"]):
        raise _fail(path, "url", f"is {manifest['url']!r}; only http and https links are allowed")
    declared = [key for key in ("commit", "version", "date") if manifest[key] is not None]
    if declared and not manifest["content_sha256"]:
        raise _fail(
            path,
            "content_sha256",
            f"is missing, and the manifest declares {', '.join(declared)}: give the content hash of the files the "
            "declaration is about (`ddj build` prints it when it differs)",
        )
    if manifest["date"] is not None:
        try:
            dt.date.fromisoformat(manifest["date"])
        except ValueError as error:
            raise _fail(path, "date", f"is {manifest['date']!r}, not a date written YYYY-MM-DD") from error
    return manifest


def content_sha256(folder: Path) -> str:
    """SHA-256 over the sorted relative paths and SHA-256 digests of a raw folder's files (the manifest excluded)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".") and p.name != MANIFEST)
    lines = "".join(f"{p.relative_to(folder).as_posix()}\t{file_sha256(p)}\n" for p in files)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def identity(package: Path, raw_folder: str, data_through: dt.date | None) -> dict[str, Any]:
    """The snapshot identity of one raw folder, as ``datapackage.json`` records it under ``ddj.snapshot``.

    Parameters
    ----------
    package
        The package folder.
    raw_folder
        The raw folder, relative to the package (``raw/oryx-losses``).
    data_through
        The last date the folder's data reach (computed from the processed tables, not declared).

    Returns
    -------
    dict
        ``folder``, ``manifest`` (its path, or ``None``), ``repository``, ``url``, ``folder_upstream``, ``commit``
        (``None`` when unknown), ``version``, ``date``, ``about``, ``content_sha256`` and ``data_through``.

    Raises
    ------
    PackageError
        When the manifest is malformed, or its ``content_sha256`` is not that of the folder's files.
    """
    path = package / raw_folder / MANIFEST
    manifest = read_manifest(path) or dict.fromkeys(_KEYS)
    content = content_sha256(package / raw_folder)
    if manifest["content_sha256"] is not None and manifest["content_sha256"] != content:
        msg = (
            f"{path}: the manifest describes other files than those in {raw_folder}/ (its content_sha256 is "
            f"{manifest['content_sha256']}, the files' is {content}); a newer snapshot was copied in without its "
            "source. Write the new snapshot's repository, commit (or null when unknown), version and date into the "
            f"manifest with content_sha256 {content}, or delete the manifest to record the commit as unknown."
        )
        raise PackageError(msg)
    return {
        "folder": raw_folder,
        "manifest": f"{raw_folder}/{MANIFEST}" if path.is_file() else None,
        "repository": manifest["repository"],
        "url": manifest["url"],
        "folder_upstream": manifest["folder"],
        "commit": manifest["commit"],
        "version": manifest["version"],
        "date": manifest["date"],
        "about": manifest["about"],
        "content_sha256": content,
        "data_through": data_through.isoformat() if data_through else None,
    }


def source_entry(item: dict[str, Any]) -> dict[str, str]:
    """A ``sources`` entry of ``datapackage.json`` for one snapshot identity: the commit, or that it is unknown."""
    head = [item["repository"] or f"{item['folder']} (origin not declared: no {MANIFEST})"]
    if item["folder_upstream"]:
        head.append(f"folder {item['folder_upstream']}")
    head.append(
        f"commit {item['commit']}" if item["commit"] else f"commit unknown, content sha256 {item['content_sha256']}"
    )
    if item["version"]:
        head.append(f"version {item['version']}")
    title = ", ".join(head)
    about = item["about"]
    if about:
        title = f"{title} {about}" if about.startswith("(") else f"{title}, {about}"
    entry = {"title": title}
    if item["url"]:
        entry["path"] = item["url"]
    return entry


def datasheet_block(items: list[dict[str, Any]]) -> str:
    """The datasheet's generated ``sources`` block: one line per raw folder with its commit (or that it is unknown)."""
    lines = []
    for item in items:
        where = f"[{item['repository']}]({item['url']})" if item["url"] else f"`{item['repository']}`"
        parts = [f"from {where}" if item["repository"] else f"origin not declared (no `{MANIFEST}`)"]
        if item["commit"]:
            parts.append(f"commit `{item['commit']}`")
        else:
            parts.append("commit unknown (the raw files carry none and no manifest declares one)")
        if item["folder_upstream"]:
            parts.append(f"folder `{item['folder_upstream']}`")
        if item["version"]:
            parts.append(f"version `{item['version']}`")
        if item["date"]:
            parts.append(f"dated {item['date']}")
        parts.append(f"content SHA-256 `{item['content_sha256']}`")
        parts.append(f"data through {item['data_through']}" if item["data_through"] else "no dated data")
        declared = f" (declared in `{item['manifest']}`)" if item["manifest"] else ""
        about = f" What it holds: {item['about'].strip('()')}." if item["about"] else ""
        lines.append(f"- `{item['folder']}/`: {', '.join(parts)}{declared}.{about}")
    return "\n".join(lines)
