"""Import a documented list of named deaths (the way BBC Russian and Mediazona count) as a personnel tally package.

The list has one row per named person: the name, the date of death and/or the date the death was made public,
and optionally the region, the unit or branch and a link to the source. The official side is a file of official
claims of the same side's dead: a CSV (``date``, ``value`` as the running total claimed, optionally ``day``) or a
JSON array of daily objects as the Ukrainian General Staff's are structured (``date``, ``day`` and a count key,
``personnel`` by default).

What the import does with each shape of list (everything it changed or found is in the summary it prints and in
``datapackage.json``, ``ddj.import``):

- **Headers** are read without case or outer spaces, and common names are read as ddj's (:data:`ALIASES`:
  ``full_name`` is ``name``, ``died`` is ``date_of_death``, ``link`` is ``source``...). A file with no name column,
  or with neither date column, is refused naming what is missing.
- **Dates in several forms** are read as the monitor imports read them (:mod:`ddj.importers._dates`): ISO,
  ``28 December 2022``, ``9-May-22``, all-number dates with the day/month order decided from the file itself (or
  ``--date-format``). A date before 1946 or after today is an error naming the row.
- **No date** (an empty cell, ``unknown``, ``n/a``, ``?``, ``-``): the person is kept, undated, and counted apart
  (:func:`ddj.tally.undated`), never dropped. A date ddj cannot read (``spring 2022``) is kept as undated too, and
  is a finding naming the row and the text.
- **Which date counts**: by default the date of death; a person with only a publication date is dated by it (the
  day the death became known, never earlier than the death). ``dated_by="published"`` counts by publication date
  instead, falling back on the date of death. Both fallbacks are counted in the summary.
- **Duplicate persons** (the same name, date of death and unit once case, spaces and Unicode forms are set aside)
  are merged into the first row: counted once, each later row a ``duplicate_row`` finding naming both rows.
- **A row without a name** is refused (the row and column are named): a list of named deaths names everyone.
- **Non-UTF-8** (Excel's Windows-1252) is refused with the option that reads it (``--encoding cp1252``); cells
  whose characters were already lost as ``????`` are findings.
- **Text that looks like a spreadsheet formula** (``=cmd|' /C calc'!A0``) is kept as text, unchanged: the package
  holds data, and ddj's exports neutralise such cells where a spreadsheet would run them.

The package holds ``official_series`` (category ``personnel``), ``documented_events`` (one row per person kept:
``system`` is the name as written, ``model`` the name with spaces tidied, status ``killed``), the crosswalk
pairing the two, ``findings`` and both input files unchanged under ``raw/`` (so region, unit and link stay with
every ``source_row``). ``ddj.unit`` declares people and deaths, so pages and charts say "killed" and "deaths",
never "equipment" or "destroyed".
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ddj._io import atomic_write_bytes, file_sha256
from ddj.datasets.storage import write_table
from ddj.datasets.tableschema import make_check
from ddj.datasets.tally_kind import (
    FINDING_RULES,
    tally_resource,
    tally_resource_descriptors,
)
from ddj.errors import ImportFormatError, InvalidValueError, OutputLocationError
from ddj.importers import findings as found
from ddj.importers._common import ImportLog, check, present, read_table
from ddj.importers._dates import read_dates

FORMAT = "list of named deaths"
COMMAND = "named-deaths"
CATEGORY = "personnel"
STATUS = "killed"
#: Other names lists use for ddj's columns (compared without case and outer spaces).
ALIASES = {
    "full_name": "name",
    "person": "name",
    "fullname": "name",
    "date": "date_of_death",
    "died": "date_of_death",
    "death_date": "date_of_death",
    "date_died": "date_of_death",
    "published": "date_published",
    "date_reported": "date_published",
    "reported": "date_published",
    "publication_date": "date_published",
    "oblast": "region",
    "branch": "unit",
    "military_unit": "unit",
    "unit_branch": "unit",
    "link": "source",
    "url": "source",
    "source_url": "source",
}
DATE_COLUMNS = ("date_of_death", "date_published")
# Headers written with spaces ("Full Name", "Date of death") are the same names.
ALIASES |= {k.replace("_", " "): v for k, v in ALIASES.items() if "_" in k}
ALIASES |= {c.replace("_", " "): c for c in DATE_COLUMNS}
MAPPED = ("name", *DATE_COLUMNS, "unit")
REASONS = {
    "region": "kept in the raw copy of the list (raw/), found by source_row; the tally does not count by region",
    "source": "kept in the raw copy of the list (raw/), found by source_row",
}
#: Cells that say the date is not known: the person is undated, not unreadable.
NO_DATE = ("unknown", "n/a", "na", "none", "?", "-", "--", "nd", "not known", "no date", "н/д", "неизвестно")
UNIT = {"noun": "people", "losses": "deaths", "evidence": "by name in a documented list of deaths"}
DATED_BY = ("death", "published")
#: Lists carry no ``year`` column to check dates against (a "year" there is often the year of birth).
_NO_YEAR_COLUMN = "\x00"
#: Finding rules of this import that the tally kind's findings table does not list are kept in ``ddj.import`` only.
DATE_UNREADABLE = "date_unreadable"
_NAMED = make_check(
    "name",
    "required",
    "RequiredViolation",
    ~present("name"),
    "is empty, but a list of named deaths names every person",
    "write the person's name, or remove the row if it is not a person",
)


@dataclass(frozen=True)
class Official:
    """The official side as read: one row per day (``date``, ``day``, ``category``, ``value``, ``source_row``)."""

    series: pl.DataFrame
    path: Path
    form: str


def _key(column: str) -> pl.Expr:
    """A name or unit as compared for duplicates: Unicode-normalised, case-folded, spaces collapsed."""
    return (
        pl.col(column)
        .fill_null("")
        .map_elements(lambda s: unicodedata.normalize("NFKC", s), return_dtype=pl.String)
        .str.to_lowercase()
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def read_official(path: Path | str, *, key: str = CATEGORY) -> Official:
    """Read the official claims: a CSV (``date``, ``value``, optionally ``day``) or a General Staff JSON array.

    Raises
    ------
    ImportFormatError
        The file is missing, not CSV or JSON, lacks ``date`` and the count, or holds a day twice.
    ValidationError
        A date or count that cannot be read (named by row and column).
    """
    from ddj.importers import genstaff

    path = Path(path)
    if not path.is_file():
        msg = f"{path}: no such file. Give --official the official claims (CSV with date,value or the JSON array)."
        raise ImportFormatError(msg, file=str(path))
    if path.suffix.lower() == ".json":
        counts, _ = genstaff.read_daily_counts(path)
        series = counts.filter(pl.col("category") == key).select(
            "date", "day", pl.lit(CATEGORY).alias("category"), "value", "source_row"
        )
        if not series.height:
            msg = (
                f"{path}: no object has the count key {key!r}. Give the key that holds the running total of "
                "dead with --official-key."
            )
            raise ImportFormatError(msg, file=str(path), columns=(key,))
        form = f"JSON array, key {key!r}"
    else:
        frame = read_table(path, fmt="official claims", required=("date", "value"))
        frame = frame.with_columns(pl.col(c).str.strip_chars() for c in frame.columns if c != "source_row")
        if "day" not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias("day"))
        typed = frame.with_columns(
            pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("_date"),
            pl.col("value").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).alias("_value"),
            pl.col("day").cast(pl.Int64, strict=False).alias("_day"),
        )
        check(
            typed,
            [
                make_check(
                    "date",
                    "type",
                    "TypeViolation",
                    pl.col("_date").is_null(),
                    "{value} is not a date written YYYY-MM-DD",
                    "write the day of the official report as YYYY-MM-DD",
                ),
                make_check(
                    "value",
                    "type",
                    "TypeViolation",
                    ~(pl.col("_value") >= 0).fill_null(False),
                    "{value} is not a whole number of 0 or more",
                    "write the running total of dead the officials claimed that day",
                ),
                make_check(
                    "day",
                    "type",
                    "TypeViolation",
                    present("day") & ~(pl.col("_day") >= 1).fill_null(False),
                    "{value} is not a war day of 1 or more",
                    "write the day number, or leave it empty",
                ),
            ],
            path,
        )
        series = typed.select(
            pl.col("_date").alias("date"),
            pl.col("_day").alias("day"),
            pl.lit(CATEGORY).alias("category"),
            pl.col("_value").alias("value"),
            "source_row",
        )
        form = "CSV (date, value)"
    repeated = series.filter(pl.col("date").is_duplicated())
    if repeated.height:
        rows = ", ".join(map(str, repeated["source_row"].head(6).to_list()))
        msg = (
            f"{path}, rows {rows}: the official claims give the same day more than once "
            f"({repeated['date'][0]}). Keep one running total per day."
        )
        raise ImportFormatError(msg, file=str(path), columns=("date",))
    return Official(series.sort("date"), path, form)


def _dates(frame: pl.DataFrame, path: Path, date_format: str | None, log: ImportLog) -> pl.DataFrame:
    """``_date_of_death`` and ``_date_published`` as dates; 'unknown' and the like are empty, unreadable text kept."""
    columns = [c for c in DATE_COLUMNS if c in frame.columns]
    cleaned = frame.with_columns(
        [
            pl.when(pl.col(c).str.strip_chars().str.to_lowercase().is_in(list(NO_DATE)))
            .then(None)
            .otherwise(pl.col(c).str.strip_chars())
            .alias(c)
            for c in columns
        ]
    )
    said = frame.select(
        [pl.col(c).str.strip_chars().str.to_lowercase().is_in(list(NO_DATE)).sum().alias(c) for c in columns]
    ).row(0, named=True)
    for c, n in said.items():
        if n:
            log.changes.append(f"read {n} cell(s) of {c} that say the date is not known ('unknown', '?'...) as empty")
    dates = read_dates(cleaned, columns, file=path.name, year_column=_NO_YEAR_COLUMN, date_format=date_format)
    log.counts["dates"] = dates.summary()
    log.changes += dates.changes()
    # Dates out of range are errors in the file; a date ddj cannot read is kept as undated, as a finding.
    check(dates.frame, [c for c in dates.checks if c.rule != "type"], path)
    typed = dates.frame
    for c in columns:
        bad = typed.filter(present(c) & pl.col(f"_{c}").is_null()).select("source_row", c, "name")
        for row, value, name in bad.iter_rows():
            log.finding(
                DATE_UNREADABLE,
                f"{value!r} ({name}) is not a date ddj can read: the person is kept and counted as undated; "
                "write the date as YYYY-MM-DD in the list if it is known",
                row=row,
                column=c,
                values={c: value},
            )
        if bad.height:
            log.changes.append(f"kept {bad.height} person(s) whose {c} cannot be read as undated (see findings)")
    for c in DATE_COLUMNS:
        if c not in columns:
            typed = typed.with_columns(pl.lit(None, pl.Date).alias(f"_{c}"))
    return typed


def _merge_duplicates(frame: pl.DataFrame, file: str, log: ImportLog) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The list with each person once (the first row kept) and the findings for the rows merged into it."""
    keyed = frame.with_columns(
        _key("name").alias("_name_key"),
        (_key("unit") if "unit" in frame.columns else pl.lit("")).alias("_unit_key"),
    )
    group = ["_name_key", "_date_of_death", "_unit_key"]
    keyed = keyed.with_columns(pl.col("source_row").min().over(group, order_by="source_row").alias("_first"))
    merged = keyed.filter(pl.col("source_row") != pl.col("_first"))
    findings = merged.select(
        pl.col("source_row").alias("row"),
        pl.lit("name").alias("column"),
        pl.col("name").alias("value"),
        pl.format(
            "the same person as row {} (name, date of death and unit agree once case and spaces are set aside); "
            "merged into row {} and counted once",
            pl.col("_first"),
            pl.col("_first"),
        ).alias("detail"),
    )
    for row, _, value, detail in findings.iter_rows():
        log.finding("duplicate_row", f"{value!r}: {detail}", row=row, column="name", values={"name": value})
    if merged.height:
        log.counts["rows_merged"] = merged.height
        log.changes.append(f"merged {merged.height} repeated person(s) into their first row (see findings)")
    kept = keyed.filter(pl.col("source_row") == pl.col("_first")).drop("_first", "_name_key", "_unit_key")
    return kept, found.as_findings(findings, file, "duplicate_row")


def _events(people: pl.DataFrame, file: str, dated_by: str, log: ImportLog) -> pl.DataFrame:
    first, second = (
        ("_date_of_death", "_date_published") if dated_by == "death" else ("_date_published", "_date_of_death")
    )
    fallback = people.filter(pl.col(first).is_null() & pl.col(second).is_not_null()).height
    undated = people.filter(pl.col(first).is_null() & pl.col(second).is_null()).height
    log.counts["dated_by_fallback"] = fallback
    log.counts["undated"] = undated
    if fallback:
        other = "publication" if dated_by == "death" else "death"
        log.changes.append(
            f"dated {fallback} person(s) by the date of {other}: the list gives no date of "
            f"{'death' if dated_by == 'death' else 'publication'} for them"
        )
    return people.select(
        pl.coalesce(first, second).alias("date"),
        pl.lit(CATEGORY).alias("category"),
        pl.lit(STATUS).alias("status"),
        pl.col("name").alias("system"),
        pl.col("name").str.replace_all(r"\s+", " ").str.strip_chars().alias("model"),
        pl.lit(file).alias("source_file"),
        "source_row",
    )


def _descriptor(
    name: str,
    title: str,
    tables: dict[str, pl.DataFrame],
    raw: list[dict[str, str]],
    *,
    official_name: str,
    list_name: str,
    side: str,
    import_info: dict[str, Any],
) -> dict[str, Any]:
    resources = tally_resource_descriptors(tables)
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": (
            f"Official claims of {side}'s dead ({official_name}) against a documented list of named deaths "
            f"({list_name}), imported by `ddj import {COMMAND}`. The input files are kept unchanged under raw/; "
            "people without a date are kept and counted apart. Declare the licences before publishing."
        ),
        "version": "0.1.0",
        "ddj": {
            "kind": "tally",
            "compared_side": side,
            "unit": UNIT,
            "sides": {"official": official_name, "documented": list_name},
            "events": {"resource": "documented_events", "date": "date", "category": "category", "status": "status"},
            "raw": raw,
            "import": import_info,
        },
        "sources": [{"title": f"{official_name} claims"}, {"title": f"{list_name} list"}],
        "resources": resources,
    }


def _datasheet(title: str, summary: dict[str, Any], official: Official, list_file: str) -> str:
    lines = [
        f"# {title}",
        "",
        f"Imported by `ddj import {COMMAND}` from `raw/{list_file}` (the list of named deaths) and "
        f"`raw/{official.path.name}` (the official claims, {official.form}). Both files are kept unchanged; every "
        "row of `documented_events.csv` names its `source_row` in the list, where the region, unit and source "
        "link of that person are.",
        "",
        "| what | number |",
        "|---|---|",
        f"| rows read | {summary['rows_read']} |",
        f"| people counted | {summary['people']} |",
        f"| of them without a date (counted apart) | {summary['undated']} |",
        f"| repeated persons merged | {summary['rows_merged']} |",
        f"| findings | {summary['findings']} |",
        f"| official days | {summary['official_days']} |",
        "",
        "A person without a date is not in the running count (it cannot be placed on a day) and is counted apart, "
        "never dropped. Each finding is a row of `findings.csv` or, for rules the tally kind does not list, of "
        "`datapackage.json` (`ddj.import.findings`).",
        "",
    ]
    return "\n".join(lines)


def import_named_deaths(
    path: Path | str,
    out: Path | str,
    *,
    official: Path | str,
    official_key: str = CATEGORY,
    name: str | None = None,
    force: bool = False,
    encoding: str | None = None,
    date_format: str | None = None,
    dated_by: str = "death",
    side: str = "the listed side",
    official_name: str = "official",
    list_name: str | None = None,
) -> dict[str, Any]:
    """Turn a list of named deaths and a file of official claims into a personnel tally package in ``out``.

    Parameters
    ----------
    path
        The list (CSV): ``name`` and ``date_of_death`` and/or ``date_published``; optionally ``region``,
        ``unit`` and ``source`` (other spellings in :data:`ALIASES`).
    out
        A new or empty folder for the package (``force`` overwrites the files of a non-empty one).
    official
        The official claims: CSV (``date``, ``value``, optionally ``day``) or a JSON array of daily objects.
    official_key
        The JSON key holding the running total (``personnel``; ``--official-key``).
    name
        The package's name (default: the folder's name).
    force
        Write into a folder that already holds files.
    encoding
        The list's encoding when it is not UTF-8 (``cp1252`` for Excel's CSV; ``--encoding``).
    date_format
        How to read all-number dates when the file cannot decide (``--date-format``).
    dated_by
        ``death`` (default) or ``published``: which date places a person in the running count; the other is the
        fallback (``--dated-by``).
    side
        Whose dead both sides count (``--side``), for the package's description.
    official_name, list_name
        Who makes the claims and who keeps the list (``--official-name``, ``--list-name``), for the source line.

    Returns
    -------
    dict
        ``folder``, ``counts`` (rows per table), ``not_mapped``, ``findings`` and ``summary``.

    Raises
    ------
    ImportFormatError
        A file lacks the columns it needs (all are named), is not a readable CSV or not UTF-8 (the message names
        ``--encoding``), or its all-number dates cannot be ordered (the message names ``--date-format``).
    ValidationError
        A row without a name, or a date before 1946 or after today, each named by row and column.
    InvalidValueError
        ``dated_by`` is not ``death`` or ``published``.
    OutputLocationError
        ``out`` is not a new or empty folder.
    """
    from ddj.datasets import load

    if dated_by not in DATED_BY:
        msg = f"--dated-by {dated_by!r}: write death (the date of death counts) or published (the publication date)."
        raise InvalidValueError(msg)
    path, out = Path(path), Path(out)
    if out.exists() and not out.is_dir():
        msg = f"{out}: exists and is not a folder. Give --out a new or empty folder."
        raise OutputLocationError(msg)
    if out.is_dir() and any(out.iterdir()) and not force:
        msg = f"{out}: the folder is not empty. Give --out a new or empty folder, or add --force to overwrite."
        raise OutputLocationError(msg)
    claims = read_official(official, key=official_key)
    log = ImportLog(path.name)
    frame = read_table(path, fmt=FORMAT, required=("name",), encoding=encoding, aliases=ALIASES, log=log)
    if not any(c in frame.columns for c in DATE_COLUMNS):
        msg = (
            f"{path}, row 1: a {FORMAT} needs a date column, date_of_death or date_published (or date, died, "
            "published), which the header lacks. Add the column, even if some cells are empty."
        )
        raise ImportFormatError(msg, file=str(path), columns=DATE_COLUMNS)
    frame = frame.with_columns(pl.col("name").str.strip_chars())
    check(frame, [_NAMED], path)
    people, duplicates = _merge_duplicates(_dates(frame, path, date_format, log), f"raw/{path.name}", log)
    events = _events(people, f"raw/{path.name}", dated_by, log)
    # Findings under a rule the tally kind lists go to findings.csv too (duplicates are there already);
    # every finding is in datapackage.json (ddj.import.findings).
    table_rules = set(FINDING_RULES)
    extra = pl.DataFrame(
        [
            {
                "file": f"raw/{path.name}",
                "row": f["row"],
                "column": f["column"],
                "value": next(iter(f["values"].values()), None),
                "rule": f["rule"],
                "detail": f["message"],
            }
            for f in log.findings
            if f["rule"] in table_rules and f["rule"] != "duplicate_row"
        ],
        schema=found.SCHEMA,
    )
    tables = {
        "official_series": claims.series,
        "documented_events": events.sort("source_file", "source_row"),
        "crosswalk": pl.DataFrame(
            {
                "official_category": [CATEGORY],
                "documented_category": [CATEGORY],
                "crosswalk_version": ["1"],
                "valid_from": [None],
                "valid_to": [None],
                "basis": ["ddj"],
                "note": ["Both sides count the dead of one side: every person in the list is one death."],
            },
            schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date},
        ),
        "findings": found.combine([duplicates, extra]),
    }
    tables = {n: t.select(tally_resource(n).field_names) for n, t in tables.items()}
    summary = {
        "rows_read": log.rows_read,
        "people": events.height,
        "undated": int(log.counts.get("undated", 0)),
        "dated_by": dated_by,
        "dated_by_fallback": int(log.counts.get("dated_by_fallback", 0)),
        "rows_merged": int(log.counts.get("rows_merged", 0)),
        "official_days": claims.series.height,
        "dates": log.counts.get("dates", {}),
        "findings": len(log.findings),
        "not_mapped": [c for c in frame.columns if c not in (*MAPPED, "source_row")],
        "changes": list(log.changes),
    }
    not_mapped = [
        {"column": c, "reason": REASONS.get(c, "not a column ddj knows; kept in the raw copy of the list")}
        for c in summary["not_mapped"]
    ]
    raw = {path.name: path, claims.path.name: claims.path}
    if len(raw) < 2:
        msg = f"{path}: the list and the official claims have the same file name. Rename one of them."
        raise InvalidValueError(msg)
    info = {
        "format": FORMAT,
        "source": path.name,
        "sha256": file_sha256(path),
        "official": {"source": claims.path.name, "sha256": file_sha256(claims.path), "form": claims.form},
        "encoding": log.encoding,
        "not_mapped": not_mapped,
        "summary": summary,
        "findings": log.findings,
    }
    list_label = list_name or path.stem
    title = f"Official claims of {side}'s dead against the {list_label} list of named deaths"
    (out / "raw").mkdir(parents=True, exist_ok=True)
    for file, source in raw.items():
        shutil.copyfile(source, out / "raw" / file)
    raw_entries = [
        {"path": f"raw/{f}", "sha256": file_sha256(out / "raw" / f), "bytes": str((out / "raw" / f).stat().st_size)}
        for f in sorted(raw)
    ]
    for table_name, table in tables.items():
        write_table(table, out / f"{table_name}.csv", table_name, kind="tally")
    descriptor = _descriptor(
        name or out.name.lower().replace("_", "-"),
        title,
        tables,
        raw_entries,
        official_name=official_name,
        list_name=list_label,
        side=side,
        import_info=info,
    )
    atomic_write_bytes(
        out / "datapackage.json", (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    )
    atomic_write_bytes(out / "README.md", _datasheet(title, summary, claims, path.name).encode("utf-8"))
    load(out, warn=False)
    return {
        "folder": out,
        "counts": {k: v.height for k, v in tables.items()},
        "not_mapped": not_mapped,
        "findings": log.findings,
        "summary": summary,
        "imported_on": dt.date.today().isoformat(),
    }


def summary_lines(result: dict[str, Any]) -> list[str]:
    """The summary ``ddj import named-deaths`` prints (terminal-safe: names are data)."""
    from ddj.html import terminal_safe

    s = result["summary"]
    lines = [
        f"read {s['rows_read']} row(s); counted {s['people']} named death(s)"
        + (f"; merged {s['rows_merged']} repeated person(s)" if s["rows_merged"] else ""),
        f"{s['undated']} person(s) without a date: kept and counted apart (ddj.tally.undated), not in the running "
        "count",
        f"dated by {'date of death' if s['dated_by'] == 'death' else 'publication date'}"
        + (f"; {s['dated_by_fallback']} by the other date, the only one given" if s["dated_by_fallback"] else ""),
        f"official claims: {s['official_days']} day(s)",
    ]
    forms = (s.get("dates") or {}).get("forms") or {}
    if forms:
        lines.append("dates: " + ", ".join(f"{n} {form}" for form, n in forms.items()))
    lines += [f"changed: {c}" for c in s["changes"]]
    if s["findings"]:
        lines.append(f"findings ({s['findings']}):")
        for item in result["findings"][:20]:
            where = ", ".join(
                x for x in (item["file"], item["row"] and f"row {item['row']}", item["column"] and item["column"]) if x
            )
            lines.append(f"  - {where}: {item['message']}")
        if s["findings"] > 20:
            lines.append(f"  - ... and {s['findings'] - 20} more (datapackage.json, ddj.import.findings)")
    return [terminal_safe(line) for line in lines]
