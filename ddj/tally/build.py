"""Build ``data/ukraine-equipment-losses/`` from its raw files: processed resources, findings, datapackage.json.

The raw files under ``raw/`` are never changed. The build reads them, checks them (:mod:`ddj.importers.findings`),
writes the processed CSV files, ``findings.csv`` and ``datapackage.json``, and regenerates the datasheet's
generated blocks (contents, field tables, findings summary). It is deterministic: a rerun on the same raw files
gives byte-identical files, which ``ddj build ukraine-equipment-losses --check`` verifies.

``crosswalk.csv`` is declared by hand (curated, versioned) and only read here.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ddj._io import atomic_write_bytes, file_sha256
from ddj.datasets.registry import data_dir
from ddj.datasets.tally_kind import (
    STATUSES,
    TALLY_RESOURCES,
    tally_resource,
    tally_resource_descriptors,
)
from ddj.errors import PackageError
from ddj.importers import findings as checks
from ddj.importers import genstaff, oryx
from ddj.tally import provenance, snapshot

NAME = "ukraine-equipment-losses"
GENSTAFF = "raw/ua-genstaff-official"
ORYX = "raw/oryx-losses"
#: Whose losses the official series counts, and so which rows of the Oryx files are compared.
SIDE = "Russia"
#: A change-only category whose last row is this many days before the file's last date has retired.
RETIRE_AFTER_DAYS = 90
VERSION = "1.0.0"

_EQUIPMENT = "russia_losses_equipment.json"
_CORRECTIONS = "russia_losses_equipment_correction.json"
_MODELS = "russia_losses_equipment_oryx.json"
_DAILY = "daily_count.csv"

_LICENSES = {
    "MIT": {
        "name": "MIT",
        "title": "MIT License (the General Staff figures as structured by Petro Ivaniuk)",
        "path": f"{GENSTAFF}/LICENSE.txt",
    },
    "CC-BY-4.0": {
        "name": "CC-BY-4.0",
        "title": "Creative Commons Attribution 4.0 International (Oryx data as scraped by scarnecchia/oryx_data)",
        "path": f"{ORYX}/LICENSE.txt",
    },
}
_RESOURCE_LICENSES = {
    "official_series": ["MIT"],
    "official_corrections": ["MIT"],
    "documented_series": ["CC-BY-4.0"],
    "documented_events": ["CC-BY-4.0"],
    "crosswalk": ["MIT"],
    "findings": ["MIT", "CC-BY-4.0"],
}
#: Which processed tables each raw folder gives: the last date they reach is the snapshot's "data through".
_SNAPSHOT_TABLES = {GENSTAFF: ("official_series",), ORYX: ("documented_series", "documented_events")}
_BLOCKS = ("contents", "fields", "findings", "sources")


@dataclass
class BuildResult:
    """What a build made: the tables by resource, the findings, the files it wrote or found out of date, notes."""

    folder: Path
    tables: dict[str, pl.DataFrame]
    findings: pl.DataFrame
    files: dict[str, bytes] = field(repr=False, default_factory=dict)
    changed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Findings per rule, rules in a stable order."""
        rows = self.findings.group_by("rule").len().sort("rule").iter_rows()
        return dict(rows)


def default_folder() -> Path:
    """The shipped package folder of the dataset."""
    return data_dir() / NAME


# --- the official side --------------------------------------------------------------------------------------


def _official(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
    equipment_file = f"ua-genstaff-official/{_EQUIPMENT}"
    corrections_file = f"ua-genstaff-official/{_CORRECTIONS}"
    series, text = genstaff.read_daily_counts(folder / GENSTAFF / _EQUIPMENT)
    corrections, correction_text = genstaff.read_daily_counts(folder / GENSTAFF / _CORRECTIONS, value_name="delta")
    parts: list[pl.DataFrame] = []
    objects = series.select("date", "day", "source_row").unique("source_row").sort("source_row")
    parts.append(checks.duplicate_rows(objects, equipment_file, columns=["date"], label=pl.col("date").cast(pl.String)))
    kept = series.join(
        checks.duplicate_rows(objects, equipment_file, columns=["date"]).select(pl.col("row").alias("source_row")),
        on="source_row",
        how="anti",
    )
    parts.append(checks.text_keys(text, equipment_file, why="holds text, not a count"))
    parts.append(
        checks.category_spellings(
            kept.select(pl.col("category").alias("value"), "source_row"), equipment_file, column="(key)"
        )
    )
    parts.append(
        checks.decreases(kept, equipment_file, group=["category"], column=pl.col("category"), corrections=corrections)
    )
    parts.append(checks.spikes(kept, equipment_file, group=["category"], column=pl.col("category")))
    parts.append(
        checks.lifecycle(kept, equipment_file, group=["category"], column=pl.col("category"), retire_after_days=0)
    )
    epoch = objects.select((pl.col("date") - pl.duration(days=pl.col("day") - 1)).mode().sort().first()).item()
    parts.append(checks.day_mismatches(objects, equipment_file, epoch=epoch))

    correction_objects = corrections.select("date", "day", "source_row").unique("source_row").sort("source_row")
    parts.append(checks.day_mismatches(correction_objects, corrections_file, epoch=epoch))
    parts.append(
        checks.duplicate_rows(
            correction_objects, corrections_file, columns=["date"], label=pl.col("date").cast(pl.String)
        )
    )
    parts.append(checks.text_keys(correction_text, corrections_file, why="holds text, not a revision"))
    foreign = corrections.filter(~pl.col("category").is_in(series["category"].unique().implode()))
    parts.append(
        checks.not_categories(
            foreign.select(pl.col("category").alias("value"), "source_row"),
            corrections_file,
            column="(key)",
            why=f"not a category of {_EQUIPMENT}",
            kept=True,
        )
    )
    official_series = kept.sort("date", "category")
    official_corrections = corrections.sort("date", "category")
    return official_series, official_corrections, parts


# --- the documented side ------------------------------------------------------------------------------------


def _documented(folder: Path) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    daily_file = f"oryx-losses/{_DAILY}"
    daily = oryx.read_daily_count(folder / ORYX / _DAILY)
    parts: list[pl.DataFrame] = []
    key = ["country", "equipment_type", "date_recorded"]
    label = pl.concat_str([pl.col(c).cast(pl.String) for c in key], separator=" / ")
    repeats = checks.duplicate_rows(daily, daily_file, columns=key, label=label)
    parts.append(repeats)
    unique = daily.join(repeats.select(pl.col("row").alias("source_row")), on="source_row", how="anti")
    aggregates = unique.filter(pl.col("equipment_type").str.strip_chars().is_in(list(oryx.AGGREGATES)))
    summaries = unique.filter(
        ~oryx.is_category() & ~pl.col("equipment_type").str.strip_chars().is_in(list(oryx.AGGREGATES))
    )
    for rows, why in (
        (aggregates, "a total over all categories, not a category"),
        (summaries, "a summary line with figures in it, not a category"),
    ):
        parts.append(
            checks.not_categories(
                rows.select(pl.col("equipment_type").alias("value"), "source_row"),
                daily_file,
                column="equipment_type",
                why=why,
            )
        )
    categories = unique.filter(oryx.is_category())
    parts.append(
        checks.category_spellings(
            categories.select(pl.col("equipment_type").alias("value"), "source_row"),
            daily_file,
            column="equipment_type",
        )
    )
    parts.append(checks.total_mismatches(unique, daily_file, parts=STATUSES, total="type_total", label=label))
    if "type_total_diff" in unique.columns:
        parts.append(
            checks.change_mismatches(
                unique.with_columns(pl.col("date_recorded").alias("date")),
                daily_file,
                group=["country", "equipment_type"],
                total="type_total",
                change="type_total_diff",
                label=label,
            )
        )
    series = unique.rename({"date_recorded": "date"})
    parts.append(
        checks.decreases(
            series, daily_file, group=["country", "equipment_type"], value="type_total", column="type_total"
        )
    )
    parts.append(
        checks.spikes(series, daily_file, group=["country", "equipment_type"], value="type_total", column="type_total")
    )
    parts.append(
        checks.lifecycle(
            categories.rename({"date_recorded": "date"}),
            daily_file,
            group=["country", "equipment_type"],
            column="equipment_type",
            retire_after_days=RETIRE_AFTER_DAYS,
        )
    )
    documented = (
        categories.filter(pl.col("country") == SIDE)
        .unpivot(
            index=["date_recorded", "equipment_type", "source_row"],
            on=list(STATUSES),
            variable_name="status",
            value_name="value",
        )
        .select(
            pl.col("date_recorded").alias("date"),
            pl.col("equipment_type").alias("category"),
            "status",
            "value",
            "source_row",
        )
        .with_columns(pl.col("status").cast(pl.Enum(STATUSES)))
        .sort("date", "category", "status")
        .with_columns(pl.col("status").cast(pl.String))
    )
    return documented, parts


def _events(folder: Path) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    events = oryx.read_events(folder / ORYX)
    models = genstaff.read_model_list(folder / GENSTAFF / _MODELS)
    parts: list[pl.DataFrame] = []
    content = [c for c in ("country", "origin", "system", "status", "url", "date_recorded") if c in events.columns]
    for name in oryx.EVENT_FILES:
        rows = events.filter(pl.col("source_file") == name)
        parts.append(checks.duplicate_rows(rows, f"oryx-losses/{name}", columns=content))
    # A model the list puts in one category gives that category; one it puts in several gives none.
    lookup = (
        models.group_by(pl.col("model").str.strip_chars().alias("model"))
        .agg(pl.col("equipment_oryx").unique().alias("_categories"))
        .filter(pl.col("_categories").list.len() == 1)
        .select("model", pl.col("_categories").list.first().alias("category"))
    )
    russian = (
        events.filter(pl.col("country") == SIDE)
        .with_columns(oryx.model_name().alias("model"))
        .join(lookup, on="model", how="left")
    )
    unmatched = russian.filter(pl.col("category").is_null())
    for name in oryx.EVENT_FILES:
        rows = unmatched.filter(pl.col("source_file") == name)
        parts.append(checks.unmatched_systems(rows, f"oryx-losses/{name}", model_list=_MODELS))
    table = russian.select(
        pl.col("date_recorded").alias("date"),
        "category",
        pl.col("status").str.strip_chars().alias("status"),
        "system",
        "model",
        "source_file",
        "source_row",
    ).sort("source_file", "source_row")
    return table, parts


def _crosswalk(folder: Path) -> pl.DataFrame:
    path = folder / "crosswalk.csv"
    if not path.is_file():
        msg = (
            f"{path}: the declared crosswalk is missing. It is written by hand (see the datasheet); restore it "
            "from git."
        )
        raise PackageError(msg)
    frame = pl.read_csv(path, infer_schema=False)
    return frame.with_columns(
        [pl.col(c).str.strptime(pl.Date, "%Y-%m-%d", strict=False) for c in ("valid_from", "valid_to")]
    )


# --- writing ------------------------------------------------------------------------------------------------


def _csv(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_csv(buffer, line_terminator="\n", date_format="%Y-%m-%d")
    return buffer.getvalue()


def _raw_files(folder: Path) -> list[dict[str, str]]:
    files = sorted(p for p in (folder / "raw").rglob("*") if p.is_file() and not p.name.startswith("."))
    return [
        {"path": p.relative_to(folder).as_posix(), "sha256": file_sha256(p), "bytes": str(p.stat().st_size)}
        for p in files
    ]


def snapshot_identity(folder: Path, tables: dict[str, pl.DataFrame]) -> list[dict[str, Any]]:
    """Each raw folder's identity: its declared source and commit (or that the commit is unknown), content hash, reach.

    The last date of the tables a folder gives is computed here; the commit, version and date come only from the
    folder's ``SOURCE.json`` (:mod:`ddj.tally.provenance`), never guessed.
    """
    items = []
    for raw_folder, names in _SNAPSHOT_TABLES.items():
        dates = [tables[n]["date"].max() for n in names if n in tables and tables[n].height]
        last = max((d for d in dates if d is not None), default=None)
        items.append(provenance.identity(folder, raw_folder, last))  # type: ignore[arg-type]
    return items


def descriptor(folder: Path, tables: dict[str, pl.DataFrame]) -> dict[str, Any]:
    """The dataset's datapackage.json, generated from the tally kind's schemas, the raw files' hashes and sources."""
    identities = snapshot_identity(folder, tables)
    licenses = {r.name: [_LICENSES[k] for k in _RESOURCE_LICENSES[r.name]] for r in TALLY_RESOURCES if r.name in tables}
    resources = tally_resource_descriptors(tables, licenses)
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": "Russian equipment losses in Ukraine: General Staff claims against Oryx's documented losses",
        "description": (
            "The Ukrainian General Staff's daily cumulative claims of Russian equipment losses (official) and the "
            "Oryx list of Russian equipment losses documented with photo or video evidence (unofficial), with a "
            "declared crosswalk between their categories and every problem the build found in the raw files. "
            "Built by `ddj build ukraine-equipment-losses` from the files under raw/, which are kept unchanged. "
            "See README.md."
        ),
        "version": VERSION,
        "ddj": {
            "kind": "tally",
            "compared_side": SIDE,
            "documented": "documented_series",
            "events": {"resource": "documented_events", "date": "date", "category": "category", "status": "status"},
            "raw": _raw_files(folder),
            "snapshot": identities,
        },
        "licenses": list(_LICENSES.values()),
        "sources": [provenance.source_entry(item) for item in identities],
        "resources": resources,
    }


def _block(text: str, name: str, content: str, path: Path) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        msg = f"{path}: the datasheet lacks the markers {start} and {end}. Add them where the {name} block goes."
        raise PackageError(msg)
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content.rstrip()}\n{end}{tail}"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", "\\n")


def _contents_block(tables: dict[str, pl.DataFrame]) -> str:
    lines = ["| file | rows | what a row is |", "|---|---|---|"]
    for resource in TALLY_RESOURCES:
        if resource.name in tables:
            lines.append(f"| `{resource.name}.csv` | {tables[resource.name].height} | {_cell(resource.description)} |")
    return "\n".join(lines)


def _fields_block(tables: dict[str, pl.DataFrame]) -> str:
    parts = []
    for resource in TALLY_RESOURCES:
        if resource.name not in tables:
            continue
        key = ", ".join(f"`{k}`" for k in resource.primary_key) or "none"
        parts.append(f"### `{resource.name}.csv`\n\n{resource.description} Primary key: {key}.\n")
        parts.append("| field | type | required | allowed | meaning | Source |")
        parts.append("|---|---|---|---|---|---|")
        for item in resource.fields:
            allowed = (
                ", ".join(f"`{v}`" for v in item.enum)
                if item.enum
                else (f"≥ {item.minimum}" if item.minimum is not None else "")
            )
            parts.append(
                f"| `{item.name}` | {item.type} | {'yes' if item.required else 'no'} | {_cell(allowed)} | "
                f"{_cell(item.description)} | {_cell(item.source)} |"
            )
        parts.append("")
    return "\n".join(parts)


def _findings_block(found: pl.DataFrame, examples: int = 3) -> str:
    lines = [
        (
            f"The build found {found.height} things to report in the raw files. Every one is a row of "
            "`findings.csv`; none was fixed, and a row left out of the processed files is always one of them."
        ),
        "",
        "| rule | file | findings |",
        "|---|---|---|",
    ]
    summary = found.group_by("rule", "file").len().sort("rule", "file")
    for rule, file, n in summary.iter_rows():
        lines.append(f"| `{rule}` | `{file}` | {n} |")
    lines += ["", "Examples (the first few of each rule):", ""]
    for rule in found["rule"].unique().sort().to_list():
        rows = found.filter(pl.col("rule") == rule).head(examples)
        for record in rows.iter_rows(named=True):
            where = f"{record['file']}, row {record['row']}" + (f", {record['column']}" if record["column"] else "")
            lines.append(f"- `{rule}` — {_cell(where)}: {_cell(record['detail'])}")
    return "\n".join(lines)


def datasheet(folder: Path, tables: dict[str, pl.DataFrame]) -> str:
    """The datasheet (README.md) with its generated blocks (contents, fields, sources, findings) brought up to date.

    A datasheet without the ``sources`` markers gets a generated "Snapshot" section at its end.
    """
    path = folder / "README.md"
    if not path.is_file():
        msg = f"{path}: the dataset has no datasheet. Restore README.md from git (its prose is written by hand)."
        raise PackageError(msg)
    text = path.read_text(encoding="utf-8")
    text = _block(text, "contents", _contents_block(tables), path)
    text = _block(text, "fields", _fields_block(tables), path)
    if "<!-- sources:start -->" not in text:
        # An older datasheet without the block gets it at the end, so no datasheet goes without the snapshot's identity.
        text = f"{text.rstrip()}\n\n## Snapshot\n\n<!-- sources:start -->\n<!-- sources:end -->\n"
    text = _block(text, "sources", provenance.datasheet_block(snapshot_identity(folder, tables)), path)
    return _block(text, "findings", _findings_block(tables["findings"]), path)


def build_tables(folder: Path | None = None) -> dict[str, pl.DataFrame]:
    """Read and check the raw files of ``folder``; return every processed table, findings included (nothing written)."""
    folder = Path(folder) if folder is not None else default_folder()
    official_series, official_corrections, official_findings = _official(folder)
    documented_series, documented_findings = _documented(folder)
    documented_events, event_findings = _events(folder)
    found = checks.combine([*official_findings, *documented_findings, *event_findings])
    tables = {
        "official_series": official_series,
        "official_corrections": official_corrections,
        "documented_series": documented_series,
        "documented_events": documented_events,
        "crosswalk": _crosswalk(folder),
        "findings": found,
    }
    return {name: tables[name].select(tally_resource(name).field_names) for name in tables}


def build(folder: Path | None = None, *, check: bool = False) -> BuildResult:
    """Build the dataset in ``folder`` (default: the shipped one); with ``check``, write nothing and list stale files.

    Every file is computed in memory first and then written atomically, so a failure leaves the previous files.
    Raw files the crosswalk does not cover, or with less history than the files they would replace, are refused
    before anything is written (:mod:`ddj.tally.snapshot`).
    ``BuildResult.changed`` names the files whose bytes differ from a fresh build (with ``check``) or that
    were rewritten.
    """
    folder = Path(folder) if folder is not None else default_folder()
    tables = build_tables(folder)
    # Refused before anything is written: categories the crosswalk does not cover, history the files had and lost.
    snapshot.check_crosswalk(tables, tables["crosswalk"], crosswalk_path=folder / "crosswalk.csv", dataset=NAME)
    snapshot.check_history(
        snapshot.read_previous(folder), tables, folder=folder, dataset=NAME, crosswalk=tables["crosswalk"]
    )
    files: dict[str, bytes] = {f"{name}.csv": _csv(frame) for name, frame in tables.items() if name != "crosswalk"}
    files["datapackage.json"] = (json.dumps(descriptor(folder, tables), indent=2, ensure_ascii=False) + "\n").encode()
    files["README.md"] = datasheet(folder, tables).encode("utf-8")
    changed = [
        name for name, data in files.items() if not (folder / name).is_file() or (folder / name).read_bytes() != data
    ]
    if not check:
        for name in changed:
            atomic_write_bytes(folder / name, files[name])
    notes = snapshot.crosswalk_notes(tables, tables["crosswalk"])
    return BuildResult(
        folder=folder, tables=tables, findings=tables["findings"], files=files, changed=changed, notes=notes
    )
