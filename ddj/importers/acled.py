"""Import an ACLED export (CSV, the columns of ACLED's codebook) as a ddj incident package.

One ACLED event becomes one incident. Its accounts:

- **ACLED's own account** (source ``ACLED``, a monitor): the figures and codes ACLED assigned to the merged event:
  ``fatalities`` as the best figure of ``others_killed`` (ACLED takes the lowest figure when sources disagree),
  ``actor1`` as the responsible party, the country and location, and the date when ``time_precision`` is 1.
- **One account per named source** in ``source`` (split on ``;``). ACLED merges its sources, so these accounts
  say only that the source reported the event; every compared field is ``not_stated``. A source's side is
  ``official`` only when its name is, exactly after normalisation, an official body of the operator's country in
  the shipped officials table (:mod:`ddj.importers._sides`); the operator is the first of the event's actors
  that is a state the table knows. Every source's side, with the reason, is written to ``sides.csv`` (correct it
  and import again with ``--sides``). Spellings of one outlet (non-breaking spaces, mojibake, run-together words)
  are one source (:mod:`ddj.importers._names`).

Real exports (see :func:`import_acled`): dates in any of the forms :mod:`ddj.importers._dates` reads, checked
against ``year``; Windows-1252 files with ``encoding``; upper-case headers, a leading index column, R's ``NA``;
the pre-2019 codebook (no ``sub_event_type``: ``event_type`` is used; ``ally_actor_1`` is ``assoc_actor_1``);
the 2024+ codebook (``inter1`` as text); the monadic export (one row per actor: the rows of one
``event_id_cnty`` are merged into one event and listed in the summary).

Mappings (documented choices):

- ``time_precision`` 1 (day) -> ``date_precision`` 1; 2 (week) -> 3, with the window from three days before to three
  days after ``event_date``; 3 (month) -> 4, with the window over the calendar month.
- ``geo_precision`` 1 (the named town) -> ``location_precision`` 1; 2 (near the town, or a small part of a region)
  -> 2; 3 (only a larger region is known) -> 4 (first-level division).
- ``sub_event_type`` 'Air/drone strike' -> ``event_type`` airstrike (aircraft category unknown); every other event
  -> other (aircraft category none). The operator is the first state actor among ``actor1``, ``actor2`` (and the
  actors of merged monadic rows), else ``actor1``.
- Accounts are dated to the end of the event's date window: ACLED does not say when each source published.
- A source's kind: the officials table's kind for a body it lists; a name that merely looks like an official body
  (:func:`ddj.importers._common.looks_official`) official_military or official_government; otherwise from
  ``source_scale`` when the event names one source (Local partner -> monitor_ngo, New media -> social_media,
  Subnational -> local_media, others -> independent_media), else independent_media with a note.

Official silence: ACLED lists the sources it used, not the official statements it looked for, so the package
declares ``"official_search": {"searched": false}`` (an event without an official source reads "no official account
recorded", never "has not publicly acknowledged") unless ``official_searched`` gives the day someone searched.

Everything not mapped (``notes`` among them: ACLED's wording is not copied) is listed by :func:`import_acled`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from ddj.datasets.tableschema import make_check
from ddj.importers import _sides
from ddj.importers._common import (
    ImportLog,
    check,
    claims,
    coordinate_checks,
    count_check,
    id_checks,
    looks_official,
    official_kind,
    required_checks,
)
from ddj.importers._dates import read_dates
from ddj.importers._export import Monitor, read_export
from ddj.importers._finish import finish

FORMAT = "ACLED"
REQUIRED = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "actor1",
    "country",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "fatalities",
)
OPTIONAL = ("sub_event_type", "admin1", "actor2", "source_scale", "year")
MAPPED = (*REQUIRED, "sub_event_type", "admin1", "actor2", "source_scale")
#: Older codebooks' names for today's columns.
ALIASES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}
#: Columns a monadic export repeats per actor: rows of one event may differ only in these.
ACTOR_COLUMNS = ("actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction")
REASONS = {
    "year": "checked against event_date (every date must fall in it)",
    "disorder_type": "ACLED's broad class; event_type and sub_event_type are used",
    "assoc_actor_1": "associated actors: the model names one operator",
    "assoc_actor_2": "associated actors: the model has no field for them",
    "inter1": "ACLED's actor-type code (a number, or text since 2024)",
    "inter2": "ACLED's actor-type code",
    "interaction": "ACLED's interaction code",
    "civilian_targeting": "no field in the incident model",
    "iso": "numeric country code; country is used",
    "region": "world region; country is used",
    "gwno": "Gleditsch-Ward country code (pre-2019 codebook); country is used",
    "event_id_no_cnty": "the event's number without its country prefix; event_id_cnty is used",
    "data_id": "ACLED's row id; event_id_cnty is used",
    "id": "a row id added to the export; event_id_cnty is used",
    "actor_dyad": "the pair of actors as text; actor1 and actor2 are used",
    "countycode": "a country code added to the export; country is used",
    "admin2": "second-level division; admin1 and location are used",
    "admin3": "third-level division",
    "notes": "ACLED's own wording, not copied (paraphrase it into the summary by hand)",
    "tags": "no field in the incident model",
    "timestamp": "when ACLED last changed the row; record it as the access date by hand if you need it",
    "population_1km": "population estimate; no field in the incident model",
    "population_2km": "population estimate; no field in the incident model",
    "population_5km": "population estimate; no field in the incident model",
    "population_best": "population estimate; no field in the incident model",
}
_TIME_PRECISION = {1: 1, 2: 3, 3: 4}
_GEO_PRECISION = {1: 1, 2: 2, 3: 4}
_SCALE_KIND = {"local partner": "monitor_ngo", "new media": "social_media", "subnational": "local_media"}
_AIR = "Air/drone strike"
MONITOR = Monitor(
    name=FORMAT,
    command="acled",
    required=REQUIRED,
    mapped=MAPPED,
    reasons=REASONS,
    aliases=ALIASES,
    name_columns=("source",),
    source_id="src-acled",
    about="Armed Conflict Location & Event Data; its own codes for each merged event",
    description="ACLED's codes are ACLED's account, and each source it names has an account of its own.",
    licenses=({"name": "ACLED-terms", "title": "ACLED Terms of Use", "path": "https://acleddata.com/terms-of-use/"},),
)


def _merge_monadic(frame: pl.DataFrame, path: Path, log: ImportLog) -> pl.DataFrame:
    """One row per event: the rows of a monadic export (one per actor) merged, their actors kept in order."""
    repeated = frame.filter(pl.col("event_id_cnty").is_duplicated() & pl.col("event_id_cnty").is_not_null())
    actors = [c for c in ("actor1", "actor2") if c in frame.columns]
    frame = frame.with_columns(pl.concat_list([pl.col(c) for c in actors]).alias("_actors"))
    if not repeated.height:
        return frame.with_columns(pl.col("source_row").cast(pl.String).alias("_rows"))
    compared = [c for c in frame.columns if c not in (*ACTOR_COLUMNS, "source_row", "_actors", "event_id_cnty")]
    differing = repeated.group_by("event_id_cnty").agg(
        *[(pl.col(c).n_unique() > 1).alias(c) for c in compared], pl.col("source_row").alias("_rows")
    )
    bad = differing.filter(pl.any_horizontal(compared))
    if bad.height:
        lines = []
        for record in bad.head(10).iter_rows(named=True):
            columns = [c for c in compared if record[c]]
            lines.append(
                f"rows {', '.join(map(str, record['_rows']))} ({record['event_id_cnty']}) differ in "
                f"{', '.join(columns)}"
            )
        more = f" and {bad.height - 10} more event(s)" if bad.height > 10 else ""
        msg = (
            f"{path}, column 'event_id_cnty': an event id appears on rows that are not one event's actors: "
            + "; ".join(lines)
            + more
            + ". Keep one row per event (export again), or correct the repeated row."
        )
        from ddj.errors import Problem, UniqueViolation

        raise UniqueViolation([Problem(path.name, None, "event_id_cnty", None, "unique", msg, "", "UniqueViolation")])
    merged = frame.group_by("event_id_cnty", maintain_order=True).agg(
        pl.all().exclude("_actors", "event_id_cnty").first(),
        pl.col("_actors").list.explode(keep_nulls=False, empty_as_null=False).drop_nulls().unique(maintain_order=True),
        pl.col("source_row").cast(pl.String).str.join(", ").alias("_rows"),
        pl.len().alias("_n_rows"),
    )
    n_events = merged.filter(pl.col("_n_rows") > 1).height
    log.counts["rows_merged"] = int(repeated.height)
    log.changes.append(
        f"merged {repeated.height} rows of a monadic export (one row per actor) into {n_events} "
        "event(s); each merged event's actors are all of its rows' actors"
    )
    for record in merged.filter(pl.col("_n_rows") > 1).head(5).iter_rows(named=True):
        log.changes.append(
            f"  {record['event_id_cnty']}: rows {record['_rows']} merged (actors: {'; '.join(record['_actors'])})"
        )
    return (
        merged.with_columns(
            pl.col("_actors").list.get(0, null_on_oob=True).alias("actor1"),
            pl.coalesce(pl.col("actor2"), pl.col("_actors").list.get(1, null_on_oob=True)).alias("actor2"),
        )
        .drop("_n_rows")
        .sort("source_row")
    )


def _typed(frame: pl.DataFrame, path: Path, date_format: str | None, log: ImportLog) -> pl.DataFrame:
    text = {c: pl.col(c).str.strip_chars() for c in frame.columns if c not in ("source_row", "_actors")}
    dates = read_dates(frame.with_columns(**text), ["event_date"], file=path.name, date_format=date_format)
    log.counts["dates"] = dates.summary()
    log.changes += dates.changes()
    typed = dates.frame.with_columns(
        pl.col("time_precision").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).alias("_tp"),
        pl.col("geo_precision").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).alias("_gp"),
        pl.col("latitude").cast(pl.Float64, strict=False).alias("_lat"),
        pl.col("longitude").cast(pl.Float64, strict=False).alias("_lon"),
        pl.col("fatalities").cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).alias("_fat"),
        pl.col("_event_date").alias("_date"),
    )
    checks = required_checks(("event_id_cnty", "event_date", "country"), FORMAT)
    checks += dates.checks
    checks += [
        make_check(
            "time_precision",
            "enum",
            "EnumViolation",
            ~pl.col("_tp").is_in([1, 2, 3]).fill_null(False),
            "{value} is not an ACLED time precision",
            "write 1 (day), 2 (week) or 3 (month)",
        ),
        make_check(
            "geo_precision",
            "enum",
            "EnumViolation",
            ~pl.col("_gp").is_in([1, 2, 3]).fill_null(False),
            "{value} is not an ACLED geo precision",
            "write 1 (town), 2 (near a town) or 3 (region)",
        ),
        *coordinate_checks(),
        count_check("fatalities", "_fat", "write the number of fatalities (0 if none)"),
        # Repeated ids were merged above (a monadic export) or refused: only the pattern is left to check.
        *id_checks("event_id_cnty", unique=False),
    ]
    check(typed, checks, path)
    return typed


def _window(typed: pl.DataFrame) -> pl.DataFrame:
    date, tp = pl.col("_date"), pl.col("_tp")
    return typed.with_columns(
        pl.when(tp == 2)
        .then(date - pl.duration(days=3))
        .when(tp == 3)
        .then(date.dt.month_start())
        .otherwise(date)
        .alias("_start"),
        pl.when(tp == 2)
        .then(date + pl.duration(days=3))
        .when(tp == 3)
        .then(date.dt.month_end())
        .otherwise(date)
        .alias("_end"),
    )


def _operators(events: pl.DataFrame) -> pl.DataFrame:
    """``_operator`` and ``_country``: the first state actor among the event's actors (a loop over distinct lists)."""
    keyed = events.with_columns(pl.col("_actors").list.join("\x1f").alias("_actor_key"))
    distinct = keyed["_actor_key"].unique().to_list()
    found = [(k, *_sides.operator_of((k or "").split("\x1f"))) for k in distinct]
    table = pl.DataFrame(
        found, schema={"_actor_key": pl.String, "_operator": pl.String, "_country": pl.String}, orient="row"
    )
    return keyed.join(table, on="_actor_key", how="left", nulls_equal=True).drop("_actor_key")


def _incidents(events: pl.DataFrame) -> pl.DataFrame:
    air = pl.col("sub_event_type") == _AIR
    place = pl.coalesce(pl.col("location"), pl.col("admin1"), pl.col("country"))
    return events.select(
        pl.col("_id").alias("incident_id"),
        pl.format("{} at {} ({})", pl.col("sub_event_type"), place, pl.col("_date")).alias("title"),
        pl.col("_start").alias("date_start"),
        pl.col("_end").alias("date_end"),
        pl.col("_tp").replace_strict(_TIME_PRECISION).alias("date_precision"),
        "country",
        pl.col("admin1").alias("region"),
        pl.col("location").alias("place"),
        pl.col("_lat").alias("latitude"),
        pl.col("_lon").alias("longitude"),
        pl.col("_gp").replace_strict(_GEO_PRECISION).alias("location_precision"),
        pl.lit("unknown").alias("aircraft_model"),
        pl.when(air).then(pl.lit("unknown")).otherwise(pl.lit("none")).alias("aircraft_category"),
        pl.coalesce(pl.col("_operator").replace("", None), pl.lit("unknown")).alias("operator"),
        pl.when(air).then(pl.lit("airstrike")).otherwise(pl.lit("other")).alias("event_type"),
        pl.format(
            "Imported from ACLED event {}: {} ({}) recorded at {}, {}.",
            pl.col("event_id_cnty"),
            pl.col("sub_event_type").str.to_lowercase(),
            pl.col("event_type").str.to_lowercase(),
            place,
            pl.col("country"),
        ).alias("summary"),
        pl.when(pl.col("_tp") == 2)
        .then(pl.lit("ACLED: the date is known only to the week (time_precision 2)."))
        .when(pl.col("_tp") == 3)
        .then(pl.lit("ACLED: the date is known only to the month (time_precision 3)."))
        .alias("uncertainty"),
    )


def _sources(events: pl.DataFrame, overrides: pl.DataFrame | None) -> pl.DataFrame:
    """One row per event and named source, with the source's key, name, side, kind and why."""
    named = (
        events.select(
            "_id", "_end", "_country", "source_scale", "sub_event_type", pl.col("source").str.split(";").alias("_name")
        )
        .explode("_name")
        .with_columns(pl.col("_name").str.strip_chars())
        .filter(pl.col("_name").is_not_null() & (pl.col("_name") != ""))
        .with_columns(pl.len().over("_id").alias("_n"))
    )
    scale = pl.col("source_scale").fill_null("").str.split("-").list.first().str.strip_chars().str.to_lowercase()
    body = pl.col("_name").map_elements(looks_official, return_dtype=pl.Boolean)
    default_kind = (
        pl.when(body)
        .then(pl.col("_name").map_elements(official_kind, return_dtype=pl.String))
        .when(pl.col("_n") == 1)
        .then(scale.replace_strict(_SCALE_KIND, default="independent_media"))
        .otherwise(pl.lit("independent_media"))
    )
    default_note = (
        pl.when(body)
        .then(pl.lit("named like an official body, but not in the officials table"))
        .when(pl.col("_n") == 1)
        .then(pl.format("kind from ACLED source_scale '{}'", pl.col("source_scale")))
        .otherwise(pl.lit("kind not known: ACLED's source_scale describes the event's sources together"))
    )
    return _sides.resolve(named, default_kind=default_kind, default_note=default_note, overrides=overrides)


def _accounts(events: pl.DataFrame, named: pl.DataFrame, ids: pl.DataFrame, file_name: str) -> pl.DataFrame:
    monitor = events.select(
        pl.format("{}-acled", pl.col("_id")).alias("account_id"),
        pl.col("_id").alias("incident_id"),
        pl.lit(MONITOR.source_id).alias("source_id"),
        pl.lit(None, pl.String).alias("speaker"),
        pl.col("_end").alias("published_date"),
        pl.lit("unofficial").alias("side"),
        *claims(
            responsible_party=pl.coalesce(pl.col("actor1").replace("", None), pl.lit("not_stated")),
            others_killed_claim=pl.lit("figure"),
            others_killed_best=pl.col("_fat").cast(pl.String),
            claimed_country=pl.col("country"),
            claimed_place=pl.coalesce(pl.col("location").replace("", None), pl.lit("not_stated")),
            claimed_date=pl.when(pl.col("_tp") == 1).then(pl.col("_date").cast(pl.String)).otherwise(pl.lit("unknown")),
        ),
        pl.format(
            "ACLED codes a {} by {} at {}, {}, with {} fatalities.",
            pl.col("sub_event_type").str.to_lowercase(),
            pl.coalesce(pl.col("actor1").replace("", None), pl.lit("an unnamed actor")),
            pl.col("location"),
            pl.col("country"),
            pl.col("_fat"),
        ).alias("statement"),
        pl.lit(f"ACLED export {file_name}").alias("reported_in"),
        pl.format("ACLED, from: {}", pl.coalesce(pl.col("source").replace("", None), pl.lit("no source named"))).alias(
            "origin"
        ),
        pl.lit("reported").alias("certainty"),
        pl.when(pl.col("_rows").str.contains(","))
        .then(
            pl.format(
                "ACLED's figure for the merged event; where its sources disagree ACLED keeps the lowest. "
                "Merged from the monadic export's rows {}.",
                pl.col("_rows"),
            )
        )
        .otherwise(pl.lit("ACLED's figure for the merged event; where its sources disagree ACLED keeps the lowest."))
        .alias("notes"),
    )
    per_source = named.join(ids, on="_key").select(
        pl.format("{}-s{}", pl.col("_id"), pl.col("_name").cum_count().over("_id")).alias("account_id"),
        pl.col("_id").alias("incident_id"),
        "source_id",
        pl.lit(None, pl.String).alias("speaker"),
        pl.col("_end").alias("published_date"),
        pl.col("_side").alias("side"),
        *claims(),
        pl.lit("Named by ACLED as a source of this event; ACLED does not say which details it gave.").alias(
            "statement"
        ),
        pl.lit(f"ACLED export {file_name}").alias("reported_in"),
        pl.col("_clean").alias("origin"),
        pl.lit("reported").alias("certainty"),
        pl.lit(None, pl.String).alias("notes"),
    )
    return pl.concat([monitor, per_source], how="diagonal_relaxed").sort("incident_id", "account_id")


def import_acled(
    path: Path | str,
    out: Path | str,
    *,
    name: str | None = None,
    force: bool = False,
    official_searched: dt.date | str | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    sides: Path | str | None = None,
) -> dict[str, Any]:
    """Turn an ACLED CSV export into an incident package in ``out`` that :func:`ddj.load` validates.

    Parameters
    ----------
    path
        The ACLED export (CSV, ACLED's column names in any codebook generation since 2014).
    out
        A new or empty folder for the package (``force`` overwrites the files of a non-empty one).
    name
        The package's name (default: the folder's name).
    force
        Write into a folder that already holds files (``--force``), replacing the package's files there;
        without it a non-empty folder is refused with a :class:`~ddj.errors.UsageError`.
    official_searched
        The day official statements were searched for on every event, if someone did (``--official-searched``).
        Without it the package declares no search (``"official_search": {"searched": false}``): an event
        without an official source reads "no official account recorded", not the operator's silence.
    encoding
        The file's encoding when it is not UTF-8 (``cp1252`` for Excel's CSV; ``--encoding``).
    date_format
        How to read all-number dates (``%d/%m/%Y``...) when the file cannot decide (``--date-format``).
    sides
        A corrected ``sides.csv`` (``--sides``): its sides replace the officials table's.

    Returns
    -------
    dict
        ``folder``, ``counts`` (rows per table), ``not_mapped`` (each column left out, with the reason),
        ``sides`` (the review table, also written to ``sides.csv``) and ``summary`` (what the import changed).

    Raises
    ------
    ImportFormatError
        The file lacks columns the format needs (all are named), is not a readable CSV or not UTF-8 (the message
        names ``--encoding``), or its all-number dates cannot be ordered (the message names ``--date-format``).
    ValidationError
        Cells that cannot be imported (bad dates, dates outside the year column, before 1946 or in the future,
        precision codes, coordinates, repeated event ids that are not one event's actors), each named by row and
        column.
    """
    export = read_export(path, MONITOR, encoding=encoding, official_searched=official_searched, sides=sides)
    frame, log = export.frame, export.log
    if "sub_event_type" not in export.columns:
        log.changes.append(
            "no sub_event_type (the pre-2019 codebook): event_type is used in its place, and no "
            "event is typed as an airstrike"
        )
        frame = frame.with_columns(pl.col("event_type").alias("sub_event_type"))
    frame = frame.with_columns([pl.lit(None, pl.String).alias(c) for c in OPTIONAL if c not in frame.columns])
    frame = _merge_monadic(frame, export.path, log)
    events = _operators(_window(_typed(frame, export.path, date_format, log))).with_columns(
        pl.format("acled-{}", pl.col("event_id_cnty")).alias("_id")
    )
    named = _sources(events, export.overrides)
    return finish(
        export,
        out,
        incidents=_incidents(events),
        named=named,
        accounts=lambda ids: _accounts(events, named, ids, export.path.name),
        name=name,
        force=force,
    )
