"""Read a datapackage.json and find its resources' files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ddj.errors import MissingFileError, PackageError


@dataclass(frozen=True)
class ResourceSpec:
    """One resource as the package declares it: its name, file, format and Table Schema."""

    name: str
    path: Path
    relpath: str
    format: str
    schema: dict[str, Any]
    descriptor: dict[str, Any]

    @property
    def display(self) -> str:
        """The file name shown in messages (the package folder's name and the file)."""
        return f"{self.path.parent.name}/{self.relpath}"

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.schema.get("fields", [])]


@dataclass(frozen=True)
class PackageSpec:
    """A parsed datapackage.json: the folder, the descriptor and its resources."""

    folder: Path
    descriptor: dict[str, Any]
    resources: dict[str, ResourceSpec]

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name") or self.folder.name)

    @property
    def kind(self) -> str:
        """The ddj kind of dataset (``incidents`` or ``tally``) from the descriptor's ``ddj`` block."""
        return str((self.descriptor.get("ddj") or {}).get("kind", "incidents"))

    def resource(self, name: str) -> ResourceSpec:
        try:
            return self.resources[name]
        except KeyError:
            known = ", ".join(self.resources) or "none"
            msg = (
                f"{self.folder / 'datapackage.json'}: the package has no resource called {name!r} "
                f"(it has: {known}). Add the resource to datapackage.json."
            )
            raise PackageError(msg) from None


def read_package(folder: Path) -> PackageSpec:
    """Read ``folder/datapackage.json`` and check that each resource names a file that exists.

    Raises
    ------
    PackageError
        The descriptor is missing, is not JSON, or a resource lacks a name, path or schema.
    MissingFileError
        A resource names a file that is not in the folder.
    """
    folder = Path(folder)
    target = folder / "datapackage.json"
    if not target.is_file():
        msg = (
            f"{folder}: no datapackage.json here. A ddj dataset is a folder with a datapackage.json that "
            "describes its CSV files; give the path of such a folder or the name of a shipped dataset "
            "(`ddj datasets` lists them)."
        )
        raise PackageError(msg)
    try:
        descriptor = json.loads(target.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as err:
        msg = f"{target}: is not UTF-8 text (byte {err.start}). Save it as UTF-8."
        raise PackageError(msg) from err
    except json.JSONDecodeError as err:
        msg = f"{target}, line {err.lineno}, column {err.colno}: not valid JSON ({err.msg}). Fix the JSON syntax."
        raise PackageError(msg) from err
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        msg = f"{target}: has no 'resources' list. A data package lists its files under 'resources'."
        raise PackageError(msg)
    resources: dict[str, ResourceSpec] = {}
    for index, entry in enumerate(descriptor["resources"], start=1):
        resources_name = entry.get("name") if isinstance(entry, dict) else None
        if not resources_name or not isinstance(entry.get("path"), str):
            msg = f"{target}: resource number {index} needs a 'name' and a 'path'. Add them."
            raise PackageError(msg)
        if not isinstance(entry.get("schema"), dict) or not entry["schema"].get("fields"):
            msg = f"{target}: resource {resources_name!r} has no Table Schema with fields. Add a 'schema'."
            raise PackageError(msg)
        relpath = entry["path"]
        path = (folder / relpath).resolve()
        if folder.resolve() not in path.parents:
            msg = f"{target}: resource {resources_name!r} points outside the package folder ({relpath}). Keep data files inside it."
            raise PackageError(msg)
        if not path.is_file():
            msg = (
                f"{folder.name}/{relpath}: the package names this file for resource {resources_name!r} but it is "
                "missing. Restore the file or fix the path in datapackage.json."
            )
            raise MissingFileError(msg, file=f"{folder.name}/{relpath}")
        fmt = str(entry.get("format") or Path(relpath).suffix.lstrip(".")).lower()
        resources[resources_name] = ResourceSpec(resources_name, path, relpath, fmt, entry["schema"], entry)
    return PackageSpec(folder, descriptor, resources)
