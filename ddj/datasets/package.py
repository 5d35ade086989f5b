"""Read a datapackage.json and find its resources' files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ddj.errors import MissingFileError, PackageError

#: The largest datapackage.json read (a descriptor is a few kilobytes; a bigger file is not a descriptor).
MAX_DESCRIPTOR_BYTES = 16 << 20
#: How deeply a descriptor may nest arrays and objects (a Data Package needs 6 or so).
MAX_DESCRIPTOR_DEPTH = 64


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
        """The names of the fields the resource's Table Schema declares, in their declared order."""
        return [f["name"] for f in self.schema.get("fields", [])]


@dataclass(frozen=True)
class PackageSpec:
    """A parsed datapackage.json: the folder, the descriptor and its resources."""

    folder: Path
    descriptor: dict[str, Any]
    resources: dict[str, ResourceSpec]

    @property
    def name(self) -> str:
        """The package's name: the descriptor's ``name``, or the folder's name when it has none."""
        return str(self.descriptor.get("name") or self.folder.name)

    @property
    def kind(self) -> str:
        """The ddj kind of dataset (``incidents`` or ``tally``) from the descriptor's ``ddj`` block."""
        return str((self.descriptor.get("ddj") or {}).get("kind", "incidents"))

    def resource(self, name: str) -> ResourceSpec:
        """Return the resource called ``name``.

        Raises
        ------
        PackageError
            The package declares no resource of that name.
        """
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
        The descriptor is missing, is not JSON, or is not of the Data Package's shape (see
        :func:`check_descriptor_shape`).
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
    descriptor = _parse_json(target)
    check_descriptor_shape(descriptor, target)
    resources: dict[str, ResourceSpec] = {}
    for entry in descriptor["resources"]:
        resources_name = entry["name"]
        relpath = entry["path"]
        path = (folder / relpath).resolve()
        if folder.resolve() not in path.parents:
            msg = (
                f"{target}: resource {resources_name!r} points outside the package folder ({relpath}). "
                "Keep data files inside it."
            )
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


def _parse_json(target: Path) -> Any:
    """The parsed JSON of ``target``, or a :class:`PackageError` saying what is wrong with it and where."""
    size = target.stat().st_size
    if size > MAX_DESCRIPTOR_BYTES:
        msg = (
            f"{target}: is {size:,} bytes, too large for a datapackage.json (at most {MAX_DESCRIPTOR_BYTES:,}). "
            "A descriptor names and describes the data files; keep the data itself in the CSV or Parquet files."
        )
        raise PackageError(msg)
    try:
        text = target.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        msg = f"{target}: is not UTF-8 text (byte {err.start}). Save it as UTF-8."
        raise PackageError(msg) from err
    depth = _nesting_depth(text)
    if depth > MAX_DESCRIPTOR_DEPTH:
        msg = (
            f"{target}: nests arrays and objects {depth:,} deep (at most {MAX_DESCRIPTOR_DEPTH}). A data "
            'package is a JSON object with a "resources" list; write it in that shape '
            "(see data/syria-ru-aviation/datapackage.json)."
        )
        raise PackageError(msg)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        msg = f"{target}, line {err.lineno}, column {err.colno}: not valid JSON ({err.msg}). Fix the JSON syntax."
        raise PackageError(msg) from err
    except (RecursionError, ValueError) as err:  # ValueError: a number too long to read
        msg = f"{target}: cannot be read as JSON ({err}). Fix the JSON syntax."
        raise PackageError(msg) from err


def _nesting_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON ``text``, brackets inside strings not counted.

    Only the brackets and quotes are looked at (a regular expression finds them), so it costs a
    fraction of parsing; :func:`json.loads` would die of recursion on deep input before saying where.
    """
    if text.count("[") + text.count("{") <= MAX_DESCRIPTOR_DEPTH:
        return 0
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("]", "}"):
            depth -= 1
    return deepest


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')

_EXAMPLE_DESCRIPTOR = "see data/syria-ru-aviation/datapackage.json, or write one with `ddj schema`"


def _kind_name(value: Any) -> str:
    kinds = {dict: "an object", list: "a list", str: "text", bool: "true/false", int: "a number", float: "a number"}
    if value is None:
        return "null"
    shown = json.dumps(value, ensure_ascii=True)[:40]
    return f"{kinds.get(type(value), type(value).__name__)} ({shown})"


def check_descriptor_shape(descriptor: Any, target: Path) -> None:
    """Check that a parsed datapackage.json has the Data Package shape ddj reads, before anything uses it.

    The checks are those of the Data Package and Table Schema specifications that ddj relies on:
    the top level is an object; ``name`` is text; ``ddj`` is an object whose ``kind`` is text;
    ``resources`` is a non-empty list of objects, each with a ``name`` and a ``path`` that are text,
    a ``format`` (if given) that is text, and a ``schema`` object whose ``fields`` is a non-empty
    list of objects, each with a ``name`` (and a ``type``, if given) that is text; ``primaryKey``
    and ``foreignKeys`` are of their documented forms. Resource names and field names are unique.

    Raises
    ------
    PackageError
        Naming the file, the key (such as ``resources[0].schema.fields[2].name``), what it holds and
        what to write instead.
    """

    def fail(key: str, problem: str, fix: str) -> PackageError:
        return PackageError(f"{target}: {key!s} {problem}. {fix} ({_EXAMPLE_DESCRIPTOR}).")

    if not isinstance(descriptor, dict):
        raise fail(
            "the top level",
            f"is {_kind_name(descriptor)}, not an object",
            'Write the descriptor as a JSON object: {"name": ..., "resources": [...]}',
        )
    name = descriptor.get("name")
    if name is not None and not isinstance(name, str):
        raise fail("key 'name'", f"is {_kind_name(name)}", 'Write the package\'s name as text, such as "my-dataset"')
    block = descriptor.get("ddj")
    if block is not None:
        if not isinstance(block, dict):
            raise fail(
                "key 'ddj'",
                f"is {_kind_name(block)}, not an object",
                'Write it as an object: "ddj": {"kind": "incidents"}',
            )
        kind = block.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise fail("key 'ddj.kind'", f"is {_kind_name(kind)}", 'Write the kind as text: "kind": "incidents"')
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        what = "is missing" if resources is None else f"is {_kind_name(resources)}"
        raise fail(
            "key 'resources'",
            f"{what}; a data package lists its files under 'resources'",
            'Write "resources": [{"name": ..., "path": ..., "schema": {"fields": [...]}}, ...]',
        )
    seen: set[str] = set()
    for index, entry in enumerate(resources):
        where = f"resources[{index}]"
        if not isinstance(entry, dict):
            raise fail(
                f"key '{where}'",
                f"is {_kind_name(entry)}, not an object",
                'Write each resource as {"name": ..., "path": ..., "schema": {...}}',
            )
        for key in ("name", "path"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                what = "is missing" if value is None else f"is {_kind_name(value)}"
                example = '"incidents"' if key == "name" else '"incidents.csv"'
                raise fail(
                    f"key '{where}.{key}'", what, f"Write the resource's {key} as one piece of text, such as {example}"
                )
        if entry["name"] in seen:
            raise fail(
                f"key '{where}.name'", f"repeats the resource name {entry['name']!r}", "Give each resource its own name"
            )
        seen.add(entry["name"])
        fmt = entry.get("format")
        if fmt is not None and not isinstance(fmt, str):
            raise fail(f"key '{where}.format'", f"is {_kind_name(fmt)}", 'Write the format as text: "csv" or "parquet"')
        _check_schema_shape(entry.get("schema"), f"{where}.schema", repr(entry["name"]), fail)


def _check_schema_shape(schema: Any, where: str, resource: str, fail) -> None:
    if not isinstance(schema, dict):
        what = "is missing" if schema is None else f"is {_kind_name(schema)}, not an object"
        raise fail(
            f"key '{where}' (resource {resource})",
            what,
            'Give the resource a Table Schema: "schema": {"fields": [{"name": ..., "type": ...}, ...]}',
        )
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        what = "is missing" if fields is None else f"is {_kind_name(fields)}, not a list of field objects"
        raise fail(
            f"key '{where}.fields' (resource {resource})",
            what,
            'Write "fields": [{"name": "incident_id", "type": "string"}, ...], one object per column',
        )
    names: set[str] = set()
    for number, item in enumerate(fields):
        key = f"{where}.fields[{number}]"
        if not isinstance(item, dict):
            raise fail(
                f"key '{key}' (resource {resource})",
                f"is {_kind_name(item)}, not an object",
                'Write each field as {"name": "column_name", "type": "string"}',
            )
        name = item.get("name")
        if not isinstance(name, str) or not name:
            what = "is missing" if name is None else f"is {_kind_name(name)}"
            raise fail(f"key '{key}.name' (resource {resource})", what, "Give every field its column's name as text")
        if name in names:
            raise fail(
                f"key '{key}.name' (resource {resource})", f"repeats the field name {name!r}", "Name each column once"
            )
        names.add(name)
        for text_key in ("type", "format"):
            if text_key in item and not isinstance(item[text_key], str):
                raise fail(
                    f"key '{key}.{text_key}' (resource {resource})",
                    f"is {_kind_name(item[text_key])}",
                    f'Write the {text_key} as text, such as "string"'
                    if text_key == "type"
                    else f'Write the {text_key} as text, such as "%Y-%m-%d"',
                )
        constraints = item.get("constraints")
        if constraints is not None and not isinstance(constraints, dict):
            raise fail(
                f"key '{key}.constraints' (resource {resource})",
                f"is {_kind_name(constraints)}, not an object",
                'Write constraints as an object: {"required": true}',
            )
    primary = schema.get("primaryKey")
    if primary is not None and not _names(primary):
        raise fail(
            f"key '{where}.primaryKey' (resource {resource})",
            f"is {_kind_name(primary)}",
            'Write the key as a field name or a list of field names: "primaryKey": ["incident_id"]',
        )
    foreign = schema.get("foreignKeys")
    if foreign is None:
        return
    if not isinstance(foreign, list):
        raise fail(
            f"key '{where}.foreignKeys' (resource {resource})",
            f"is {_kind_name(foreign)}, not a list",
            'Write "foreignKeys": [{"fields": ["x_id"], "reference": {"resource": "x", "fields": ["x_id"]}}]',
        )
    for number, item in enumerate(foreign):
        key = f"{where}.foreignKeys[{number}]"
        reference = item.get("reference") if isinstance(item, dict) else None
        if (
            not isinstance(item, dict)
            or not _names(item.get("fields"))
            or not isinstance(reference, dict)
            or not _names(reference.get("fields"))
            or not isinstance(reference.get("resource", ""), str)
        ):
            raise fail(
                f"key '{key}' (resource {resource})",
                f"is {_kind_name(item)}",
                'Write a foreign key as {"fields": ["x_id"], "reference": {"resource": "x", "fields": ["x_id"]}}',
            )


def _names(value: Any) -> bool:
    """A field name, or a non-empty list of field names."""
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value)
