"""The end of every monitor import: the sources table, the package, ``sides.csv`` and the summary of changes.

:func:`finish` is the one tail the importers share: given the :class:`~ddj.importers._export.Export` read, the
incidents, the named sources and how to write the accounts once sources have ids, it writes everything and
returns what ``import_*`` returns.

The summary says everything the import changed or found: rows read, events written, rows merged, how dates were
read (and accounts re-dated), the monitor's own inconsistencies (findings, each with file, row and values), columns
not mapped, characters already lost, and sources and accounts per side. It is returned, printed by ``ddj import``
and kept in the package's ``datapackage.json`` (``ddj.import.summary``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from ddj.importers import _sides
from ddj.importers._common import ImportLog, not_mapped, slug, write_incident_package
from ddj.importers._export import Export


def source_table(named: pl.DataFrame, *, monitor: dict[str, str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(ids, sources)``: one id per source key (``src-`` and a slug, numbered on a clash) and the sources table."""
    per_key = named.group_by("_key", maintain_order=True).agg(
        pl.col("_source_name").first(),
        pl.col("_kind").first(),
        pl.col("_body_country").first(),
        pl.col("_note").first(),
    )
    base = per_key["_source_name"].map_elements(lambda n: f"src-{slug(n)}", return_dtype=pl.String)
    numbered = per_key.with_columns(base.alias("_base")).with_columns(
        pl.col("_base").cum_count().over("_base").alias("_n"), (pl.col("_base") == monitor["source_id"]).alias("_clash")
    )
    ids = numbered.with_columns(
        pl.when((pl.col("_n") > 1) | pl.col("_clash"))
        .then(pl.format("{}-{}", pl.col("_base"), pl.col("_n") + pl.col("_clash").cast(pl.Int64)))
        .otherwise(pl.col("_base"))
        .alias("source_id")
    )
    sources = pl.concat(
        [
            pl.DataFrame(
                {
                    "source_id": [monitor["source_id"]],
                    "name": [monitor["name"]],
                    "kind": [monitor["kind"]],
                    "country": [None],
                    "notes": [monitor["notes"]],
                },
                schema_overrides={"country": pl.String},
            ),
            ids.select(
                "source_id",
                pl.col("_source_name").alias("name"),
                pl.col("_kind").alias("kind"),
                pl.col("_body_country").alias("country"),
                pl.col("_note").alias("notes"),
            ),
        ]
    )
    return ids.select("_key", "source_id"), sources


def finish(
    export: Export,
    out: Path | str,
    *,
    incidents: pl.DataFrame,
    named: pl.DataFrame,
    accounts: Callable[[pl.DataFrame], pl.DataFrame],
    name: str | None,
    force: bool,
) -> dict[str, Any]:
    """Write the package and ``sides.csv`` of an import, and return what ``import_*`` returns (with the summary).

    Parameters
    ----------
    export
        The file as read (:func:`ddj.importers._export.read_export`), its log holding what the import changed.
    out
        A new or empty folder for the package (``force`` overwrites the files of a non-empty one).
    incidents
        The incidents table.
    named
        One row per source an event names (``_key``, ``_source_name``, ``_kind``, ``_side``...): the sources
        table and ``sides.csv`` are made from it.
    accounts
        Makes the accounts table from the sources' ids (``_key``, ``source_id``).
    name
        The package's name (default: the folder's name).
    force
        Overwrite the files of a non-empty ``out``.

    Returns
    -------
    dict
        ``folder``, ``counts`` (rows per table), ``not_mapped``, ``sides``, ``sides_file``, ``findings`` and
        ``summary``.
    """
    monitor, log, out = export.monitor, export.log, Path(out)
    ids, sources = source_table(named, monitor=monitor.source_row())
    tables = {"incidents": incidents, "sources": sources, "accounts": accounts(ids), "overrides": pl.DataFrame()}
    skipped = not_mapped(export.columns, monitor.mapped, monitor.reasons)
    sides = _sides.review(named)
    log.counts["spellings_merged"] = named["_clean"].n_unique() - named["_key"].n_unique() if named.height else 0
    unused = _sides.unused_overrides(export.overrides, named)
    summary = summarise(log, tables, sides, skipped, unused)
    file = export.path.name
    info = {
        "format": monitor.name,
        "source": file,
        "sha256": export.sha256,
        "rows": log.rows_read,
        "encoding": log.encoding,
        "officials_table": _sides.table_info(),
        "not_mapped": skipped,
        "summary": summary,
        "findings": log.findings,
    }
    write_incident_package(
        out,
        tables,
        name=name or out.name.lower().replace("_", "-"),
        title=f"{monitor.name} events from {file}",
        description=f"Imported by `ddj import {monitor.command}` from {file}; {monitor.description}",
        licenses=list(monitor.licenses),
        import_info=info,
        force=force,
        official_search=export.search,
    )
    _sides.write_review(sides, out / "sides.csv")
    return {
        "folder": out,
        "counts": {k: v.height for k, v in tables.items()},
        "not_mapped": skipped,
        "sides": sides,
        "sides_file": out / "sides.csv",
        "findings": log.findings,
        "summary": summary,
    }


def summarise(
    log: ImportLog,
    tables: dict[str, pl.DataFrame],
    sides: pl.DataFrame,
    skipped: list[dict[str, str]],
    unused: list[str],
) -> dict[str, Any]:
    """What the import read, wrote, changed and found: the summary ``ddj import`` prints and the package keeps."""
    accounts = tables["accounts"]
    per_side = sides.group_by("side").agg(
        pl.col("source").n_unique().alias("sources"), pl.col("accounts").sum().alias("accounts")
    )
    side_counts = {
        r["side"]: {"sources": int(r["sources"]), "accounts": int(r["accounts"])}
        for r in per_side.iter_rows(named=True)
    }
    return {
        "rows_read": log.rows_read,
        "events_written": tables["incidents"].height,
        "accounts_written": accounts.height,
        "rows_merged": int(log.counts.get("rows_merged", 0)),
        "dates": log.counts.get("dates", {}),
        "accounts_redated": int(log.counts.get("accounts_redated", 0)),
        "findings": len(log.findings),
        "not_mapped": [item["column"] for item in skipped],
        "na_cells": int(log.counts.get("na_cells", 0)),
        "cells_with_lost_characters": int(log.counts.get("cells_with_lost_characters", 0)),
        "sources_per_side": side_counts,
        "sources_merged_by_spelling": int(log.counts.get("spellings_merged", 0)),
        "sides_file_rows_unused": unused,
        "changes": list(log.changes),
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    """The summary as the lines ``ddj import`` prints."""
    s = result["summary"]
    lines = [
        f"read {s['rows_read']} row(s); wrote {s['events_written']} event(s) and {s['accounts_written']} "
        f"account(s)" + (f"; merged {s['rows_merged']} row(s) of one event" if s["rows_merged"] else "")
    ]
    dates = s.get("dates") or {}
    if dates.get("forms"):
        forms = ", ".join(f"{n} {form}" for form, n in dates["forms"].items())
        lines.append(f"dates: {forms}" + (f"; all-number dates read {dates['order']}" if dates.get("order") else ""))
    if s["accounts_redated"]:
        lines.append(
            f"re-dated {s['accounts_redated']} account(s) whose source date was missing, unreadable or "
            "before the event to the end of the event's window (their notes say so)"
        )
    lines += [f"changed: {c}" for c in s["changes"]]
    sides = s["sources_per_side"]
    lines.append(
        "sources per side: "
        + ", ".join(f"{side} {v['sources']} ({v['accounts']} account(s))" for side, v in sorted(sides.items()))
    )
    if s["sources_merged_by_spelling"]:
        lines.append(
            f"merged {s['sources_merged_by_spelling']} spelling(s) of sources into the source they spell "
            "(spaces, mojibake, run-together words, or an official body's other names)"
        )
    for item in s["sides_file_rows_unused"]:
        lines.append(f"--sides: {item}; ignored")
    if s["findings"]:
        lines.append(f"findings ({s['findings']}):")
        for finding in result["findings"][:20]:
            where = ", ".join(
                x
                for x in (
                    finding["file"],
                    finding["row"] and f"row {finding['row']}",
                    finding["column"] and f"column {finding['column']!r}",
                )
                if x
            )
            lines.append(f"  - {where}: {finding['message']}")
        if s["findings"] > 20:
            lines.append(f"  - ... and {s['findings'] - 20} more (datapackage.json, ddj.import.findings)")
    return lines
