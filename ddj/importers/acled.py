"""Import an ACLED export (CSV, the columns of ACLED's codebook) as a ddj incident package.

One ACLED event becomes one incident. Its accounts:

- **ACLED's own account** (source ``ACLED``, a monitor): the figures and codes ACLED assigned to the merged event:
  ``fatalities`` as the best figure of ``others_killed`` (ACLED takes the lowest figure when sources disagree),
  ``actor1`` as the responsible party, the country and location, and the date when ``time_precision`` is 1.
- **One account per named source** in ``source`` (split on ``;``). ACLED merges its sources, so these accounts
  say only that the source reported the event; every compared field is ``not_stated``. A source's side is
  ``official`` only when :func:`ddj.importers._common.is_official_source` recognises it as the operator's
  (``actor1``'s) own officials; every other source is ``unofficial``.

Mappings (documented choices):

- ``time_precision`` 1 (day) -> ``date_precision`` 1; 2 (week) -> 3, with the window from three days before to three
  days after ``event_date``; 3 (month) -> 4, with the window over the calendar month.
- ``geo_precision`` 1 (the named town) -> ``location_precision`` 1; 2 (near the town, or a small part of a region)
  -> 2; 3 (only a larger region is known) -> 4 (first-level division).
- ``sub_event_type`` 'Air/drone strike' -> ``event_type`` airstrike (aircraft category unknown); every other event
  -> other (aircraft category none). ``actor1`` is the operator.
- Accounts are dated to the end of the event's date window: ACLED does not say when each source published.
- A source's kind: an official body by its name (:func:`ddj.importers._common.looks_official`) is
  official_military or official_government; otherwise from ``source_scale`` when the event names one source
  (Local partner -> monitor_ngo, New media -> social_media, Subnational -> local_media, others ->
  independent_media), else independent_media with a note.

Everything not mapped (``notes`` among them: ACLED's wording is not copied) is listed by :func:`import_acled`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from ddj._io import file_sha256
from ddj.datasets.tableschema import make_check
from ddj.importers._common import (
    blank_claims,
    check,
    is_official_source,
    looks_official,
    not_mapped,
    official_kind,
    read_table,
    source_ids,
    write_incident_package,
)

FORMAT = "ACLED"
REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "country",
            "location", "latitude", "longitude", "geo_precision", "source", "fatalities")
MAPPED = (*REQUIRED, "admin1", "actor2", "source_scale")
REASONS = {
    "year": "implied by event_date",
    "disorder_type": "ACLED's broad class; event_type and sub_event_type are used",
    "assoc_actor_1": "associated actors: the model names one operator",
    "assoc_actor_2": "associated actors: the model has no field for them",
    "inter1": "ACLED's actor-type code", "inter2": "ACLED's actor-type code",
    "interaction": "ACLED's interaction code", "civilian_targeting": "no field in the incident model",
    "iso": "numeric country code; country is used", "region": "world region; country is used",
    "admin2": "second-level division; admin1 and location are used", "admin3": "third-level division",
    "notes": "ACLED's own wording, not copied (paraphrase it into the summary by hand)",
    "tags": "no field in the incident model", "timestamp": "when ACLED last changed the row; record it as the access "
    "date by hand if you need it",
}
_TIME_PRECISION = {1: 1, 2: 3, 3: 4}
_GEO_PRECISION = {1: 1, 2: 2, 3: 4}
_SCALE_KIND = {"local partner": "monitor_ngo", "new media": "social_media", "subnational": "local_media"}
_AIR = "Air/drone strike"


def _typed(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    text = {c: pl.col(c).str.strip_chars() for c in frame.columns if c != "source_row"}
    typed = frame.with_columns(**text).with_columns(
        pl.coalesce(pl.col("event_date").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
                    pl.col("event_date").str.strptime(pl.Date, "%d %B %Y", strict=False)).alias("_date"),
        pl.col("time_precision").cast(pl.Int64, strict=False).alias("_tp"),
        pl.col("geo_precision").cast(pl.Int64, strict=False).alias("_gp"),
        pl.col("latitude").cast(pl.Float64, strict=False).alias("_lat"),
        pl.col("longitude").cast(pl.Float64, strict=False).alias("_lon"),
        pl.col("fatalities").cast(pl.Int64, strict=False).alias("_fat"),
    )
    present = {c: pl.col(c).is_not_null() & (pl.col(c) != "") for c in REQUIRED}
    checks = [make_check(c, "required", "RequiredViolation", ~present[c], "is empty but ACLED always fills it",
                         f"fill {c} or export the events again") for c in ("event_id_cnty", "event_date", "country")]
    checks += [
        make_check("event_date", "type", "TypeViolation", present["event_date"] & pl.col("_date").is_null(),
                   "{value} is not a date", "write the date as YYYY-MM-DD (or as ACLED's '15 January 2024')"),
        make_check("time_precision", "enum", "EnumViolation", ~pl.col("_tp").is_in([1, 2, 3]).fill_null(False),
                   "{value} is not an ACLED time precision", "write 1 (day), 2 (week) or 3 (month)"),
        make_check("geo_precision", "enum", "EnumViolation", ~pl.col("_gp").is_in([1, 2, 3]).fill_null(False),
                   "{value} is not an ACLED geo precision", "write 1 (town), 2 (near a town) or 3 (region)"),
        make_check("latitude", "range", "RangeViolation",
                   present["latitude"] & ~pl.col("_lat").is_between(-90, 90).fill_null(False),
                   "{value} is not a latitude", "write decimal degrees between -90 and 90"),
        make_check("longitude", "range", "RangeViolation",
                   present["longitude"] & ~pl.col("_lon").is_between(-180, 180).fill_null(False),
                   "{value} is not a longitude", "write decimal degrees between -180 and 180"),
        make_check("fatalities", "type", "TypeViolation",
                   present["fatalities"] & ~(pl.col("_fat") >= 0).fill_null(False),
                   "{value} is not a whole number of 0 or more", "write the number of fatalities (0 if none)"),
        make_check("event_id_cnty", "unique", "UniqueViolation", present["event_id_cnty"]
                   & pl.col("event_id_cnty").is_duplicated(), "{value} appears more than once",
                   "keep one row per event (export again, or remove the repeated row)"),
        make_check("event_id_cnty", "pattern", "PatternViolation",
                   present["event_id_cnty"] & ~pl.col("event_id_cnty").str.contains(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"),
                   "{value} cannot be part of an id", "use letters, digits, '-', '_' or '.'"),
    ]
    check(typed, checks, path)
    return typed


def _window(typed: pl.DataFrame) -> pl.DataFrame:
    date, tp = pl.col("_date"), pl.col("_tp")
    return typed.with_columns(
        pl.when(tp == 2).then(date - pl.duration(days=3)).when(tp == 3).then(date.dt.month_start())
        .otherwise(date).alias("_start"),
        pl.when(tp == 2).then(date + pl.duration(days=3)).when(tp == 3).then(date.dt.month_end())
        .otherwise(date).alias("_end"),
    )


def _incidents(events: pl.DataFrame) -> pl.DataFrame:
    air = pl.col("sub_event_type") == _AIR
    place = pl.coalesce(pl.col("location"), pl.col("admin1"), pl.col("country"))
    return events.select(
        pl.col("_id").alias("incident_id"),
        pl.format("{} at {} ({})", pl.col("sub_event_type"), place, pl.col("_date")).alias("title"),
        pl.col("_start").alias("date_start"), pl.col("_end").alias("date_end"),
        pl.col("_tp").replace_strict(_TIME_PRECISION).alias("date_precision"),
        "country", pl.col("admin1").alias("region"), pl.col("location").alias("place"),
        pl.col("_lat").alias("latitude"), pl.col("_lon").alias("longitude"),
        pl.col("_gp").replace_strict(_GEO_PRECISION).alias("location_precision"),
        pl.lit("unknown").alias("aircraft_model"),
        pl.when(air).then(pl.lit("unknown")).otherwise(pl.lit("none")).alias("aircraft_category"),
        pl.coalesce(pl.col("actor1").replace("", None), pl.lit("unknown")).alias("operator"),
        pl.when(air).then(pl.lit("airstrike")).otherwise(pl.lit("other")).alias("event_type"),
        pl.format("Imported from ACLED event {}: {} ({}) recorded at {}, {}.", pl.col("event_id_cnty"),
                  pl.col("sub_event_type").str.to_lowercase(), pl.col("event_type").str.to_lowercase(), place,
                  pl.col("country")).alias("summary"),
        pl.when(pl.col("_tp") == 2).then(pl.lit("ACLED: the date is known only to the week (time_precision 2)."))
        .when(pl.col("_tp") == 3).then(pl.lit("ACLED: the date is known only to the month (time_precision 3)."))
        .alias("uncertainty"),
    )


def _sources(events: pl.DataFrame) -> pl.DataFrame:
    """One row per event and named source, with the source's side and kind."""
    named = (
        events.select("_id", "_end", "actor1", "source_scale", "sub_event_type",
                      pl.col("source").str.split(";").alias("_name"))
        .explode("_name")
        .with_columns(pl.col("_name").str.strip_chars())
        .filter(pl.col("_name").is_not_null() & (pl.col("_name") != ""))
        .with_columns(pl.len().over("_id").alias("_n"))
    )
    official = pl.struct("_name", "actor1").map_elements(
        lambda r: is_official_source(r["_name"], r["actor1"] or ""), return_dtype=pl.Boolean)
    scale = pl.col("source_scale").fill_null("").str.split("-").list.first().str.strip_chars().str.to_lowercase()
    body = pl.col("_name").map_elements(looks_official, return_dtype=pl.Boolean)
    return named.with_columns(official.alias("_official"), body.alias("_body")).with_columns(
        pl.when(pl.col("_body")).then(pl.col("_name").map_elements(official_kind, return_dtype=pl.String))
        .when(pl.col("_n") == 1).then(scale.replace_strict(_SCALE_KIND, default="independent_media"))
        .otherwise(pl.lit("independent_media")).alias("_kind"),
        pl.when(pl.col("_body")).then(pl.lit("an official body by its name"))
        .when(pl.col("_n") == 1).then(pl.format("kind from ACLED source_scale '{}'", pl.col("source_scale")))
        .otherwise(pl.lit("kind not known: ACLED's source_scale describes the event's sources together"))
        .alias("_note"),
    )


def _claims(**values: pl.Expr) -> list[pl.Expr]:
    base = {name: pl.lit(value) for name, value in blank_claims().items()}
    base.update(values)
    return [expr.alias(name) for name, expr in base.items()]


def _accounts(events: pl.DataFrame, named: pl.DataFrame, ids: pl.DataFrame, file_name: str) -> pl.DataFrame:
    monitor = events.select(
        pl.format("{}-acled", pl.col("_id")).alias("account_id"), pl.col("_id").alias("incident_id"),
        pl.lit("src-acled").alias("source_id"), pl.lit(None, pl.String).alias("speaker"),
        pl.col("_end").alias("published_date"), pl.lit("unofficial").alias("side"),
        *_claims(
            responsible_party=pl.coalesce(pl.col("actor1").replace("", None), pl.lit("not_stated")),
            others_killed_claim=pl.lit("figure"), others_killed_best=pl.col("_fat").cast(pl.String),
            claimed_country=pl.col("country"),
            claimed_place=pl.coalesce(pl.col("location").replace("", None), pl.lit("not_stated")),
            claimed_date=pl.when(pl.col("_tp") == 1).then(pl.col("_date").cast(pl.String)).otherwise(pl.lit("unknown")),
        ),
        pl.format("ACLED codes a {} by {} at {}, {}, with {} fatalities.", pl.col("sub_event_type").str.to_lowercase(),
                  pl.coalesce(pl.col("actor1").replace("", None), pl.lit("an unnamed actor")),
                  pl.col("location"), pl.col("country"), pl.col("_fat")).alias("statement"),
        pl.lit(f"ACLED export {file_name}").alias("reported_in"),
        pl.format("ACLED, from: {}", pl.coalesce(pl.col("source").replace("", None), pl.lit("no source named")))
        .alias("origin"),
        pl.lit("reported").alias("certainty"),
        pl.lit("ACLED's figure for the merged event; where its sources disagree ACLED keeps the lowest.")
        .alias("notes"),
    )
    per_source = named.join(ids, left_on=pl.col("_name").str.to_lowercase(), right_on="_key").select(
        pl.format("{}-s{}", pl.col("_id"), pl.col("_name").cum_count().over("_id")).alias("account_id"),
        pl.col("_id").alias("incident_id"), "source_id", pl.lit(None, pl.String).alias("speaker"),
        pl.col("_end").alias("published_date"),
        pl.when(pl.col("_official")).then(pl.lit("official")).otherwise(pl.lit("unofficial")).alias("side"),
        *_claims(),
        pl.lit("Named by ACLED as a source of this event; ACLED does not say which details it gave.").alias("statement"),
        pl.lit(f"ACLED export {file_name}").alias("reported_in"),
        pl.col("_name").alias("origin"),
        pl.lit("reported").alias("certainty"),
        pl.lit(None, pl.String).alias("notes"),
    )
    return pl.concat([monitor, per_source], how="diagonal_relaxed").sort("incident_id", "account_id")


def import_acled(path: Path | str, out: Path | str, *, name: str | None = None, force: bool = False) -> dict[str, Any]:
    """Turn an ACLED CSV export into an incident package in ``out`` that :func:`ddj.load` validates.

    Parameters
    ----------
    path
        The ACLED export (CSV, UTF-8, ACLED's column names).
    out
        A new or empty folder for the package (``force`` overwrites the files of a non-empty one).
    name
        The package's name (default: the folder's name).

    Returns
    -------
    dict
        ``folder``, ``counts`` (rows per table) and ``not_mapped`` (each column left out, with the reason).

    Raises
    ------
    ImportFormatError
        The file lacks columns the format needs (all are named) or is not a readable CSV.
    ValidationError
        Cells that cannot be imported (bad dates, precision codes, coordinates, repeated event ids), each
        named by row and column.
    """
    path, out = Path(path), Path(out)
    frame = read_table(path, fmt=FORMAT, required=REQUIRED)
    for optional in ("admin1", "actor2", "source_scale"):
        if optional not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(optional))
    events = _window(_typed(frame, path)).with_columns(pl.format("acled-{}", pl.col("event_id_cnty")).alias("_id"))
    named = _sources(events)
    ids = source_ids(named["_name"])
    kinds = named.with_columns(pl.col("_name").str.to_lowercase().alias("_key")).unique(
        "_key", keep="first", maintain_order=True)
    sources = pl.concat([
        pl.DataFrame({"source_id": ["src-acled"], "name": ["ACLED"], "kind": ["monitor_ngo"], "country": [None],
                      "notes": ["Armed Conflict Location & Event Data; its own codes for each merged event"]},
                     schema_overrides={"country": pl.String}),
        ids.join(kinds.select("_key", "_kind", "_note"), on="_key").select(
            "source_id", "name", pl.col("_kind").alias("kind"), pl.lit(None, pl.String).alias("country"),
            pl.col("_note").alias("notes")),
    ])
    tables = {
        "incidents": _incidents(events),
        "sources": sources,
        "accounts": _accounts(events, named, ids, path.name),
        "overrides": pl.DataFrame(),
    }
    skipped = not_mapped(frame.columns, MAPPED, REASONS)
    info = {"format": FORMAT, "source": path.name, "sha256": file_sha256(path), "rows": frame.height,
            "not_mapped": skipped}
    write_incident_package(
        out, tables, name=name or out.name.lower().replace("_", "-"), title=f"ACLED events from {path.name}",
        description=f"Imported by `ddj import acled` from {path.name}; ACLED's codes are ACLED's account, and "
                    "each source it names has an account of its own.",
        licenses=[{"name": "ACLED-terms", "title": "ACLED Terms of Use", "path": "https://acleddata.com/terms-of-use/"}],
        import_info=info, force=force,
    )
    return {"folder": out, "counts": {k: v.height for k, v in tables.items()}, "not_mapped": skipped}
