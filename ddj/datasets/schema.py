"""Turn the incident model (:mod:`ddj.model`) into Frictionless Table Schemas and a datapackage.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ddj.model import INCIDENT_RESOURCES, Field, ResourceModel

INCIDENT_KIND = "incidents"


def field_descriptor(item: Field, *, with_hints: bool = False) -> dict[str, Any]:
    """Return the Table Schema descriptor of one field (with ddj's fix hint for messages if asked)."""
    descriptor: dict[str, Any] = {"name": item.name, "type": item.type, "description": item.description}
    if with_hints and item.hint:
        descriptor["ddj_hint"] = item.hint
    if item.type == "date":
        descriptor["format"] = "%Y-%m-%d"
    constraints: dict[str, Any] = {}
    if item.required:
        constraints["required"] = True
    if item.enum:
        constraints["enum"] = list(item.enum)
    if item.minimum is not None:
        constraints["minimum"] = item.minimum
    if item.maximum is not None:
        constraints["maximum"] = item.maximum
    if item.pattern:
        constraints["pattern"] = item.pattern
    if item.unique:
        constraints["unique"] = True
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def table_schema(resource: ResourceModel, *, with_hints: bool = False) -> dict[str, Any]:
    """Return the Table Schema of one incident resource, keys included.

    ``with_hints`` adds each field's fix hint (``ddj_hint``) for validation messages; the schema
    written to datapackage.json leaves them out.
    """
    schema: dict[str, Any] = {
        "fields": [field_descriptor(f, with_hints=with_hints) for f in resource.fields],
        "missingValues": [""],
        "primaryKey": [resource.primary_key],
    }
    if resource.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": [own],
                "reference": {"resource": "" if other == resource.name else other, "fields": [theirs]},
            }
            for own, other, theirs in resource.foreign_keys
        ]
    return schema


def incident_package_descriptor(
    name: str,
    *,
    title: str,
    description: str,
    licenses: list[dict[str, str]],
    sources: list[dict[str, str]] | None = None,
    fmt: str = "csv",
    version: str = "1.0.0",
    official_search: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the datapackage.json descriptor of an incident dataset.

    ``official_search`` (when given) is written into the ``ddj`` block: whether the curators searched
    for official statements, and when (see :mod:`ddj.datasets.official_search`).

    Parameters
    ----------
    name : str
        The package's name (``syria-ru-aviation``): lower-case letters, digits and ``-``.
    title : str
        The dataset's title, as a reader sees it.
    description : str
        What the dataset holds and how it was made, in a few sentences.
    licenses : list of dict
        Frictionless license entries, each with ``name`` (an SPDX id), ``path`` (a URL) and ``title``.
    sources : list of dict, optional
        Frictionless source entries (``title``, ``path``) for where the data came from; none when None.
    fmt : str, default "csv"
        The tables' file format, ``"csv"`` or ``"parquet"``; it sets each resource's path, format and media type.
    version : str, default "1.0.0"
        The dataset's version, semantic versioning.
    official_search : dict, optional
        The ``official_search`` declaration for the ``ddj`` block (``searched``, ``as_of`` and the listed
        exceptions); left out when None.

    Examples
    --------
    >>> d = incident_package_descriptor("x", title="X", description="d", licenses=[])
    >>> [r["name"] for r in d["resources"]]
    ['incidents', 'sources', 'accounts', 'overrides']

    Every incident dataset has the same four resources, whatever its content.
    """
    resources = []
    for resource in INCIDENT_RESOURCES:
        entry: dict[str, Any] = {
            "name": resource.name,
            "path": f"{resource.name}.{fmt}",
            "profile": "tabular-data-resource",
            "description": resource.description,
            "format": fmt,
            "mediatype": "text/csv" if fmt == "csv" else "application/vnd.apache.parquet",
            "schema": table_schema(resource),
        }
        if fmt == "csv":
            entry["encoding"] = "utf-8"
            entry["dialect"] = {"delimiter": ",", "header": True}
        resources.append(entry)
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": description,
        "version": version,
        "ddj": {"kind": INCIDENT_KIND, "model_version": 1},
        "licenses": licenses,
        "resources": resources,
    }
    if official_search is not None:
        descriptor["ddj"]["official_search"] = official_search
    if sources:
        descriptor["sources"] = sources
    return descriptor


def write_descriptor(descriptor: dict[str, Any], folder: Path) -> Path:
    """Write ``datapackage.json`` into ``folder`` (atomically) and return its path."""
    from ddj._io import atomic_write_text

    target = Path(folder) / "datapackage.json"
    atomic_write_text(target, json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")
    return target
