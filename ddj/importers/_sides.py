"""Sides by declaration: a shipped, versioned table of official bodies per country, matched exactly.

A source is ``official`` for an event only when its name, after normalisation (:func:`ddj.importers._names.
words_key`: case, accents, punctuation, ``defense``/``defence`` and a leading "the" set aside), is **exactly** a
name in ``data/officials.csv`` listed for the country of the event's operator. The operator's country comes from
the event's actors (``Military Forces of Russia (2000-)``, ``Government of Russia (Soviet Union)``, ``DPR: ...``)
through ``data/countries.csv``, also matched exactly: Niger is not Nigeria. Nothing is guessed from words such as
"Armed Forces" in a name, so the Turkish Armed Forces are never Russia's officials and the Free Syrian Army's
command is never Syria's.

The tables (documented in ``data/README.md``) are versioned by :data:`OFFICIALS_VERSION`, which every import
records. Every import writes each source's side, kind and the reason into ``sides.csv``; correct it and import
again with ``--sides FILE``.

Examples
--------
>>> actor_country("Military Forces of Ukraine (2019-) Air Force"), actor_country("Military Forces of Niger (2023-)")
('Ukraine', 'Niger')
>>> official_body("Air Force of Ukraine")["country"], official_body("Free Syrian Army command")
('Ukraine', None)

The Ukrainian Air Force is Ukraine's; a rebel command is in nobody's list of official bodies.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ddj.errors import ImportFormatError
from ddj.importers._names import clean_name, name_key, words_key

#: The version of ``data/officials.csv`` and ``data/countries.csv``; raise it with every change (see data/README.md).
OFFICIALS_VERSION = "2026.1"
DATA = Path(__file__).parent / "data"
SIDE_FIELDS = ("source", "operator_country", "side", "kind", "why", "accounts", "spellings")
_ACTOR_OF = re.compile(
    r"\b(?:Forces|Government|Army|Military|Police|Navy|Air Force)\s+of\s+(?:the\s+)?([^()]+?)\s*(?:\(|$)"
)


@functools.cache
def officials() -> pl.DataFrame:
    """The officials table with its normalised ``key`` (one row per name)."""
    table = pl.read_csv(DATA / "officials.csv", infer_schema=False)
    return table.with_columns(pl.col("name").map_elements(words_key, return_dtype=pl.String).alias("key"))


@functools.cache
def _countries() -> dict[str, str]:
    table = pl.read_csv(DATA / "countries.csv", infer_schema=False)
    return {words_key(n): c for n, c in zip(table["name"], table["country"], strict=True)}


def table_info() -> dict[str, Any]:
    """What an import records about the officials table it used."""
    from ddj._io import file_sha256

    return {
        "version": OFFICIALS_VERSION,
        "officials_sha256": file_sha256(DATA / "officials.csv"),
        "countries_sha256": file_sha256(DATA / "countries.csv"),
    }


@functools.cache
def actor_country(actor: str | None) -> str | None:
    """The country of a state actor's name, or ``None`` (a rebel group, civilians, an unknown state)."""
    if not actor:
        return None
    text = clean_name(actor)
    candidates = [m.group(1) for m in _ACTOR_OF.finditer(text)]
    if ":" in text:
        candidates.append(text.split(":", 1)[0])
    candidates.append(re.sub(r"\s*\(.*?\)\s*", " ", text))
    for candidate in candidates:
        country = _countries().get(words_key(candidate))
        if country:
            return country
    return None


@functools.cache
def official_body(name: str | None) -> dict[str, str] | None:
    """The officials table's row for a source name (``country``, ``body``, ``kind``, ``role``), or ``None``."""
    key = words_key(name)
    match = officials().filter(pl.col("key") == key)
    return match.row(0, named=True) if match.height else None


def operator_of(actors: Sequence[str | None]) -> tuple[str | None, str | None]:
    """The first of an event's actors that is a state the tables know, and its country (else the first actor)."""
    for actor in actors:
        country = actor_country(actor)
        if country:
            return actor, country
    first = next((a for a in actors if a), None)
    return first, None


def resolve(
    named: pl.DataFrame, *, default_kind: pl.Expr, default_note: pl.Expr, overrides: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Give each (event, named source) row its source key, display name, kind, side and why.

    ``named`` has ``_name`` (as written) and ``_country`` (the operator's country, or null). A loop runs over the
    distinct names only. ``overrides`` is :func:`read_sides`' frame.
    """
    names = named["_name"].drop_nulls().unique(maintain_order=True).to_list()
    rows = []
    for raw in names:
        clean = clean_name(raw)
        body = official_body(clean)
        rows.append(
            {
                "_name": raw,
                "_clean": clean,
                "_key": name_key(body["body"]) if body else name_key(clean),
                "_table_name": body["name"] if body else None,
                "_body": body["body"] if body else None,
                "_body_country": body["country"] if body else None,
                "_table_kind": body["kind"] if body else None,
                "_role": body["role"] if body else None,
            }
        )
    schema = dict.fromkeys(
        ("_name", "_clean", "_key", "_table_name", "_body", "_body_country", "_table_kind", "_role"), pl.String
    )
    found = pl.DataFrame(rows, schema=schema)
    out = named.join(found, on="_name", how="left")
    # The display name of a source: the table's body, else its most frequent spelling.
    spelling = (
        out.group_by("_key", "_clean")
        .len()
        .sort(["_key", "len", "_clean"], descending=[False, True, False])
        .unique("_key", keep="first")
        .select("_key", pl.col("_clean").alias("_spelling"))
    )
    out = out.join(spelling, on="_key", how="left").with_columns(
        pl.coalesce("_body", "_spelling").alias("_source_name")
    )
    official_kind = pl.col("_table_kind").is_in(["official_military", "official_government"])
    same = pl.col("_body_country") == pl.col("_country")
    version = f"officials table v{OFFICIALS_VERSION}"
    why = (
        pl.when(pl.col("_body").is_null() & pl.col("_country").is_null())
        .then(pl.format("not in the {}; the operator is not a state the table knows", pl.lit(version)))
        .when(pl.col("_body").is_null())
        .then(pl.format("not in the {} for {}", pl.lit(version), pl.col("_country")))
        .when(official_kind & same)
        .then(
            pl.format(
                "listed in the {} as {} ({}), the operator's country",
                pl.lit(version),
                pl.when(pl.col("_role") == "spokesperson")
                .then(pl.format("a spokesperson of {}", "_body"))
                .otherwise(pl.col("_body")),
                "_body_country",
            )
        )
        .when(official_kind)
        .then(
            pl.format(
                "an official body of {} in the {}, but the operator is {}",
                "_body_country",
                pl.lit(version),
                pl.coalesce(pl.col("_country"), pl.lit("not a state the table knows")),
            )
        )
        .otherwise(
            pl.format(
                "{} of {} in the {}: not the operator's own account",
                pl.col("_table_kind").str.replace("_", " "),
                "_body_country",
                pl.lit(version),
            )
        )
    )
    out = out.with_columns(
        pl.when(official_kind & same).then(pl.lit("official")).otherwise(pl.lit("unofficial")).alias("_side"),
        pl.coalesce(pl.col("_table_kind"), default_kind).alias("_kind"),
        why.alias("_why"),
        pl.when(pl.col("_body").is_not_null())
        .then(pl.format("{} ({})", "_body", "_body_country"))
        .otherwise(default_note)
        .alias("_note"),
    )
    if overrides is not None and overrides.height:
        out = _apply(out, overrides)
    return out


def _apply(out: pl.DataFrame, overrides: pl.DataFrame) -> pl.DataFrame:
    out = out.with_columns(pl.col("_key").alias("_okey"))
    for with_country in (False, True):  # rows naming a country win over rows for every country
        part = overrides.filter(pl.col("operator_country").is_not_null() == with_country)
        if not part.height:
            continue
        on = ["_okey", "_country"] if with_country else ["_okey"]
        renamed = part.select(
            pl.col("key").alias("_okey"),
            pl.col("operator_country").alias("_country"),
            pl.col("side").alias("_oside"),
            pl.col("why").alias("_owhy"),
        ).select(*on, "_oside", "_owhy")
        out = (
            out.join(renamed, on=on, how="left", nulls_equal=True)
            .with_columns(
                pl.coalesce("_oside", "_side").alias("_side"),
                pl.coalesce("_owhy", "_why").alias("_why"),
            )
            .drop("_oside", "_owhy")
        )
    return out.drop("_okey")


def review(resolved: pl.DataFrame) -> pl.DataFrame:
    """The ``sides.csv`` table: one row per source (as written, cleaned) and operator country."""
    return (
        resolved.group_by("_source_name", "_country", "_side", "_kind", "_why")
        .agg(pl.len().alias("accounts"), pl.col("_clean").unique().sort().str.join(" | ").alias("spellings"))
        .select(
            pl.col("_source_name").alias("source"),
            pl.col("_country").alias("operator_country"),
            pl.col("_side").alias("side"),
            pl.col("_kind").alias("kind"),
            pl.col("_why").alias("why"),
            "accounts",
            "spellings",
        )
        .sort(["side", "source", "operator_country"], nulls_last=True)
    )


def write_review(table: pl.DataFrame, path: Path) -> Path:
    from ddj._io import atomic_write_bytes

    buffer = io.BytesIO()
    table.select(SIDE_FIELDS).write_csv(buffer, line_terminator="\n")
    atomic_write_bytes(path, buffer.getvalue())
    return path


def read_sides(path: Path | str) -> pl.DataFrame:
    """Read a corrected ``sides.csv`` (``source`` and ``side``; ``operator_country`` to limit a row to one country).

    Raises
    ------
    ImportFormatError
        The file is missing or unreadable, lacks a column, or a side is not ``official``/``unofficial``
        (named by row).
    """
    path = Path(path)
    if not path.is_file():
        msg = f"--sides {path}: no such file. Give the sides.csv an import wrote, corrected."
        raise ImportFormatError(msg, file=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        msg = f"--sides {path}: not UTF-8 text. Save the file as UTF-8 CSV."
        raise ImportFormatError(msg, file=str(path)) from err
    rows = list(csv.DictReader(io.StringIO(text)))
    header = [
        h.strip().lower() for h in (rows[0].keys() if rows else text.splitlines()[:1][0].split(",") if text else [])
    ]
    missing = [c for c in ("source", "side") if c not in header]
    if missing:
        msg = (
            f"{path}, row 1: a sides file needs the column(s) {', '.join(missing)}. Start from the sides.csv the "
            "import wrote and change only the side column."
        )
        raise ImportFormatError(msg, file=str(path), columns=tuple(missing))
    records = []
    for number, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        side = row.get("side", "").lower()
        if side not in ("official", "unofficial"):
            msg = (
                f"{path}, row {number}, column 'side': {row.get('side')!r} is not a side. Write official or unofficial."
            )
            raise ImportFormatError(msg, file=str(path), columns=("side",))
        if not row.get("source"):
            msg = f"{path}, row {number}, column 'source': is empty. Name the source as sides.csv wrote it."
            raise ImportFormatError(msg, file=str(path), columns=("source",))
        records.append(
            {
                "key": name_key(row["source"]),
                "source": row["source"],
                "operator_country": row.get("operator_country") or None,
                "side": side,
                "why": f"set by you in {path.name}, row {number}",
                "row": number,
            }
        )
    schema = {
        "key": pl.String,
        "source": pl.String,
        "operator_country": pl.String,
        "side": pl.String,
        "why": pl.String,
        "row": pl.Int64,
    }
    return pl.DataFrame(records, schema=schema).unique(["key", "operator_country"], keep="last", maintain_order=True)


def unused_overrides(overrides: pl.DataFrame | None, resolved: pl.DataFrame) -> list[str]:
    """The rows of a ``--sides`` file that name no source of this import (said in the summary)."""
    if overrides is None or not overrides.height:
        return []
    keys = resolved["_key"].unique().implode()
    unused = overrides.filter(~pl.col("key").is_in(keys))
    return [f"row {r}: {s!r} is not a source of this file" for r, s in unused.select("row", "source").iter_rows()]


def is_official_source(name: str, operator: str) -> bool:
    """Whether a source is the operator's own officials: listed for the operator's country in the officials table.

    Matching is exact after normalisation (see :func:`official_body`): no word in a name ("Armed Forces",
    "Air Force") makes a source official, and the operator's country must be the body's own.

    Examples
    --------
    >>> is_official_source("Ministry of Defence of Russia", "Military Forces of Russia (2000-)")
    True
    >>> is_official_source("General Staff of the Armed Forces of Ukraine", "Military Forces of Russia (2000-)")
    False
    >>> is_official_source("Turkish Armed Forces", "Military Forces of Russia (2000-)")
    False

    The Russian defence ministry speaks officially for Russian forces; Ukraine's General Staff and Turkey's
    armed forces do not.
    """
    body = official_body(name)
    country = actor_country(operator)
    return bool(
        body and country and body["country"] == country and body["kind"] in ("official_military", "official_government")
    )
