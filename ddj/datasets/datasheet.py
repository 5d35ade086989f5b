"""Keep an incident package's datapackage.json and its datasheet's field table in step with the model.

The curated CSVs and the datasheet's prose are written by people; the schemas and the field table
are generated from :mod:`ddj.model`, so adding a field is one edit there and one ``ddj schema``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ddj._io import atomic_write_text
from ddj.datasets.schema import incident_package_descriptor
from ddj.errors import PackageError
from ddj.model import INCIDENT_RESOURCES, Field

START = "<!-- field-table:start -->"
END = "<!-- field-table:end -->"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _allowed(item: Field) -> str:
    if item.enum:
        return ", ".join(f"`{v}`" for v in item.enum)
    if item.minimum is not None or item.maximum is not None:
        low = "" if item.minimum is None else f"{item.minimum}"
        high = "" if item.maximum is None else f"{item.maximum}"
        return f"{low}–{high}" if low and high else (f"≥ {low}" if low else f"≤ {high}")
    if item.pattern:
        return f"pattern `{item.pattern}`"
    return ""


def field_table_markdown() -> str:
    """Return the datasheet's field tables (one per resource) as Markdown.

    Examples
    --------
    >>> "| `side` | string | yes | `official`, `unofficial` |" in field_table_markdown()
    True

    Each field is a row with its type, whether it is required, what it allows, and its source.
    """
    parts = []
    for resource in INCIDENT_RESOURCES:
        parts.append(f"### `{resource.name}.csv`\n\n{resource.description} Primary key: `{resource.primary_key}`.\n")
        parts.append("| field | type | required | allowed | meaning | Source |")
        parts.append("|---|---|---|---|---|---|")
        for item in resource.fields:
            parts.append(
                f"| `{item.name}` | {item.type} | {'yes' if item.required else 'no'} | {_cell(_allowed(item))} "
                f"| {_cell(item.description)} | {_cell(item.source)} |"
            )
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def expected_descriptor(folder: Path) -> dict[str, Any]:
    """The datapackage.json the folder should have: its own metadata, the model's resources."""
    target = Path(folder) / "datapackage.json"
    try:
        current = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        msg = f"{target}: cannot read the package's metadata ({err}). Restore datapackage.json first."
        raise PackageError(msg) from err
    fmt = "parquet" if any(str(r.get("path", "")).endswith(".parquet") for r in current.get("resources", [])) else "csv"
    return incident_package_descriptor(
        current.get("name") or Path(folder).name,
        title=current.get("title", ""),
        description=current.get("description", ""),
        licenses=current.get("licenses", []),
        sources=current.get("sources"),
        fmt=fmt,
        version=current.get("version", "1.0.0"),
        official_search=(current.get("ddj") or {}).get("official_search"),
    ) | {k: v for k, v in current.items() if k in ("contributors", "keywords", "homepage", "created")}


def expected_datasheet(folder: Path) -> str:
    """The datasheet (README.md) text with its field table regenerated between the markers."""
    target = Path(folder) / "README.md"
    if not target.is_file():
        msg = f"{target}: the dataset has no datasheet. Write README.md with the markers {START} and {END}."
        raise PackageError(msg)
    text = target.read_text(encoding="utf-8")
    if START not in text or END not in text:
        msg = f"{target}: the datasheet lacks the markers {START} and {END} where the field table goes. Add them."
        raise PackageError(msg)
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{field_table_markdown()}{END}{tail}"


def out_of_step(folder: Path) -> list[str]:
    """Names of the generated files that differ from what the model says (empty when in step)."""
    folder = Path(folder)
    stale = []
    descriptor = json.dumps(expected_descriptor(folder), indent=2, ensure_ascii=False) + "\n"
    if (folder / "datapackage.json").read_text(encoding="utf-8") != descriptor:
        stale.append("datapackage.json")
    if (folder / "README.md").read_text(encoding="utf-8") != expected_datasheet(folder):
        stale.append("README.md")
    return stale


def refresh(folder: Path) -> list[str]:
    """Rewrite datapackage.json and the datasheet's field table from the model; return what changed."""
    folder = Path(folder)
    stale = out_of_step(folder)
    if "datapackage.json" in stale:
        atomic_write_text(
            folder / "datapackage.json", json.dumps(expected_descriptor(folder), indent=2, ensure_ascii=False) + "\n"
        )
    if "README.md" in stale:
        atomic_write_text(folder / "README.md", expected_datasheet(folder))
    return stale
