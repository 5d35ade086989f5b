"""Import a UCDP GED CSV (the columns of the GED codebook) as a ddj incident package.

One GED event becomes one incident, with the dates (``date_start``, ``date_end``, ``date_prec`` 1-5) and place
(``where_prec`` 1-7, ``adm_1``, ``where_coordinates``, coordinates) kept as they are: ddj's precision codes are
UCDP's. Its accounts:

- **UCDP's own account** (source ``UCDP GED``, a monitor): ``low``/``best``/``high`` as the low, best and high
  figures of ``others_killed`` (total deaths: the model's crew and others are not separable in GED), the
  country and place, the date when the event is dated to one day, and ``event_clarity`` 2 as ``uncertain``.
  ``deaths_a``, ``deaths_b``, ``deaths_civilians`` and ``deaths_unknown`` are a breakdown by party that the
  model has no place for: they are written in the account's notes and listed as not mapped.
- **One account per outlet** in ``source_office`` (split on ``;``), dated by the matching entry of
  ``source_date`` (else the end of the event's window) and titled by the matching ``source_headline``.
  Every compared field is ``not_stated``: GED merges its sources. ``source_original`` (who the information came
  from, such as a military spokesman) is each account's ``origin``. An outlet is ``official`` only when
  :func:`ddj.importers._common.is_official_source` recognises it as the operator's (``side_a``'s) officials.

``side_a`` is the operator; ``event_type`` is ``other`` and the aircraft unknown (GED does not say). Everything
not mapped is listed by :func:`import_ucdp`.
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

FORMAT = "UCDP GED"
REQUIRED = ("id", "date_start", "date_end", "date_prec", "where_prec", "country", "side_a", "side_b", "latitude",
            "longitude", "best", "low", "high")
OPTIONAL = ("conflict_name", "dyad_name", "type_of_violence", "adm_1", "where_coordinates", "event_clarity",
            "source_office", "source_date", "source_headline", "source_original", "deaths_a", "deaths_b",
            "deaths_civilians", "deaths_unknown")
MAPPED = (*REQUIRED, *OPTIONAL)
REASONS = {
    "relid": "UCDP's release-specific id; id is used", "year": "implied by date_start",
    "active_year": "UCDP's conflict-year flag", "code_status": "UCDP's coding status",
    "conflict_new_id": "conflict id; conflict_name is used in the title",
    "dyad_new_id": "dyad id", "side_a_new_id": "actor id; side_a is used", "gwnoa": "Gleditsch-Ward country code",
    "side_b_new_id": "actor id; side_b is used", "gwnob": "Gleditsch-Ward country code",
    "number_of_sources": "the accounts are counted from source_office instead",
    "source_article": "UCDP's article references; source_office, source_date and source_headline are used",
    "where_description": "UCDP's wording of the place, not copied; where_coordinates is used",
    "adm_2": "second-level division; adm_1 and where_coordinates are used", "geom_wkt": "the coordinates are used",
    "priogrid_gid": "PRIO-GRID cell", "country_id": "Gleditsch-Ward country code; country is used",
    "region": "world region; country is used",
    "deaths_a": "a breakdown by party the model has no place for (written in UCDP's account notes)",
    "deaths_b": "a breakdown by party the model has no place for (written in UCDP's account notes)",
    "deaths_civilians": "a breakdown the model has no place for (written in UCDP's account notes)",
    "deaths_unknown": "a breakdown the model has no place for (written in UCDP's account notes)",
}
_VIOLENCE = {"1": "state-based", "2": "non-state", "3": "one-sided"}
#: Columns read but left out of the package (and so reported), although the importer looks at them.
_BREAKDOWN = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")


def _typed(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    text = {c: pl.col(c).str.strip_chars() for c in frame.columns if c != "source_row"}
    day = {c: pl.col(c).str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias(f"_{c}")
           for c in ("date_start", "date_end")}
    numbers = {c: pl.col(c).cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).alias(f"_{c}")
               for c in ("best", "low", "high", "date_prec", "where_prec", *_BREAKDOWN)}
    typed = frame.with_columns(**text).with_columns(
        *day.values(), *numbers.values(),
        pl.col("latitude").cast(pl.Float64, strict=False).alias("_lat"),
        pl.col("longitude").cast(pl.Float64, strict=False).alias("_lon"),
    )

    def present(c: str) -> pl.Expr:
        return pl.col(c).is_not_null() & (pl.col(c) != "")

    checks = [make_check(c, "required", "RequiredViolation", ~present(c), "is empty but UCDP GED always fills it",
                         f"fill {c} or export the events again") for c in ("id", "country", "side_a", "best")]
    for c in ("date_start", "date_end"):
        checks.append(make_check(c, "type", "TypeViolation", present(c) & pl.col(f"_{c}").is_null(),
                                 "{value} is not a date", "write the date as YYYY-MM-DD"))
    checks += [
        make_check("date_end", "date_order", "DateOrderViolation", pl.col("_date_end") < pl.col("_date_start"),
                   "{value} is before date_start", "make date_end the same as or later than date_start"),
        make_check("date_prec", "range", "RangeViolation", ~pl.col("_date_prec").is_between(1, 5).fill_null(False),
                   "{value} is not a UCDP date precision", "write a whole number from 1 (day) to 5 (year)"),
        make_check("where_prec", "range", "RangeViolation", ~pl.col("_where_prec").is_between(1, 7).fill_null(False),
                   "{value} is not a UCDP place precision", "write a whole number from 1 (exact) to 7 (water or air)"),
        make_check("latitude", "range", "RangeViolation",
                   present("latitude") & ~pl.col("_lat").is_between(-90, 90).fill_null(False),
                   "{value} is not a latitude", "write decimal degrees between -90 and 90"),
        make_check("longitude", "range", "RangeViolation",
                   present("longitude") & ~pl.col("_lon").is_between(-180, 180).fill_null(False),
                   "{value} is not a longitude", "write decimal degrees between -180 and 180"),
        make_check("id", "unique", "UniqueViolation", present("id") & pl.col("id").is_duplicated(),
                   "{value} appears more than once", "keep one row per event"),
        make_check("id", "pattern", "PatternViolation",
                   present("id") & ~pl.col("id").str.contains(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"),
                   "{value} cannot be part of an id", "use letters, digits, '-', '_' or '.'"),
    ]
    for c in ("best", "low", "high"):
        checks.append(make_check(c, "type", "TypeViolation", present(c) & ~(pl.col(f"_{c}") >= 0).fill_null(False),
                                 "{value} is not a whole number of 0 or more", "write the number of deaths"))
    checks.append(make_check("best", "count_order", "CountRangeViolation",
                             (pl.col("_low") > pl.col("_best")) | (pl.col("_best") > pl.col("_high")),
                             "low {value} ≤ best ≤ high does not hold", "check low, best and high"))
    check(typed, checks, path)
    return typed


def _incidents(events: pl.DataFrame) -> pl.DataFrame:
    place = pl.coalesce(pl.col("where_coordinates").replace("", None), pl.col("adm_1").replace("", None),
                        pl.col("country"))
    name = pl.coalesce(pl.col("conflict_name").replace("", None), pl.col("dyad_name").replace("", None),
                       pl.format("{} - {}", pl.col("side_a"), pl.col("side_b")))
    violence = pl.col("type_of_violence").replace_strict(_VIOLENCE, default="organised")
    return events.select(
        pl.col("_id").alias("incident_id"),
        pl.format("{}: {} ({})", name, place, pl.col("_date_start")).alias("title"),
        pl.col("_date_start").alias("date_start"), pl.col("_date_end").alias("date_end"),
        pl.col("_date_prec").alias("date_precision"), "country", pl.col("adm_1").alias("region"),
        pl.col("where_coordinates").alias("place"), pl.col("_lat").alias("latitude"), pl.col("_lon").alias("longitude"),
        pl.col("_where_prec").alias("location_precision"),
        pl.lit("unknown").alias("aircraft_model"), pl.lit("unknown").alias("aircraft_category"),
        pl.col("side_a").alias("operator"), pl.lit("other").alias("event_type"),
        pl.format("Imported from UCDP GED event {}: {} violence between {} and {} at {}.", pl.col("id"), violence,
                  pl.col("side_a"), pl.col("side_b"), place).alias("summary"),
        pl.when(pl.col("event_clarity") == "2").then(pl.lit("UCDP codes the event's clarity as low (event_clarity 2)."))
        .alias("uncertainty"),
    )


def _outlets(events: pl.DataFrame) -> pl.DataFrame:
    """One row per event and outlet named in source_office, with its date, headline, side and kind."""
    split = events.select(
        "_id", "_date_start", "_date_end", "side_a", "source_original",
        pl.col("source_office").fill_null("").str.split(";").alias("_name"),
        pl.col("source_date").fill_null("").str.split(";").alias("_dates"),
        pl.col("source_headline").fill_null("").str.split(";").alias("_heads"),
    ).with_columns(
        pl.col("_name").list.len().alias("_n"),
        pl.int_ranges(0, pl.col("_name").list.len()).alias("_i"),
    )
    rows = split.explode("_name", "_i").with_columns(
        pl.col("_name").str.strip_chars(),
        pl.when(pl.col("_dates").list.len() == pl.col("_n")).then(pl.col("_dates").list.get(pl.col("_i"), null_on_oob=True))
        .str.strip_chars().str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("_published"),
        pl.when(pl.col("_heads").list.len() == pl.col("_n")).then(pl.col("_heads").list.get(pl.col("_i"), null_on_oob=True))
        .str.strip_chars().alias("_headline"),
    ).filter(pl.col("_name").is_not_null() & (pl.col("_name") != ""))
    official = pl.struct("_name", "side_a").map_elements(
        lambda r: is_official_source(r["_name"], r["side_a"] or ""), return_dtype=pl.Boolean)
    body = pl.col("_name").map_elements(looks_official, return_dtype=pl.Boolean)
    usable = pl.col("_published").is_not_null() & (pl.col("_published") >= pl.col("_date_start"))
    return rows.with_columns(official.alias("_official"), body.alias("_body")).with_columns(
        pl.when(pl.col("_body")).then(pl.col("_name").map_elements(official_kind, return_dtype=pl.String))
        .otherwise(pl.lit("independent_media")).alias("_kind"),
        pl.when(usable).then(pl.col("_published")).otherwise(pl.col("_date_end")).alias("_published"),
        pl.when(usable).then(pl.lit(None, pl.String))
        .otherwise(pl.lit("no usable source_date for this outlet; dated to the end of the event's window"))
        .alias("_date_note"),
    )


def _claims(**values: pl.Expr) -> list[pl.Expr]:
    base = {name: pl.lit(value) for name, value in blank_claims().items()}
    base.update(values)
    return [expr.alias(name) for name, expr in base.items()]


def _accounts(events: pl.DataFrame, outlets: pl.DataFrame, ids: pl.DataFrame, file_name: str) -> pl.DataFrame:
    one_day = (pl.col("_date_prec") == 1) & (pl.col("_date_start") == pl.col("_date_end"))
    breakdown = pl.format("deaths_a {}, deaths_b {}, deaths_civilians {}, deaths_unknown {} (UCDP's breakdown; "
                          "not mapped to the model's counts)",
                          *[pl.col(f"_{c}").cast(pl.String).fill_null("-") for c in _BREAKDOWN])
    violence = pl.col("type_of_violence").replace_strict(_VIOLENCE, default="organised")
    monitor = events.select(
        pl.format("{}-ucdp", pl.col("_id")).alias("account_id"), pl.col("_id").alias("incident_id"),
        pl.lit("src-ucdp-ged").alias("source_id"), pl.lit(None, pl.String).alias("speaker"),
        pl.col("_date_end").alias("published_date"), pl.lit("unofficial").alias("side"),
        *_claims(
            others_killed_claim=pl.lit("figure"), others_killed_low=pl.col("_low").cast(pl.String),
            others_killed_best=pl.col("_best").cast(pl.String), others_killed_high=pl.col("_high").cast(pl.String),
            claimed_country=pl.col("country"),
            claimed_place=pl.coalesce(pl.col("where_coordinates").replace("", None), pl.lit("not_stated")),
            claimed_date=pl.when(one_day).then(pl.col("_date_start").cast(pl.String)).otherwise(pl.lit("unknown")),
        ),
        pl.format("UCDP GED codes {} violence between {} and {}, with a best estimate of {} deaths (low {}, high {}).",
                  violence, pl.col("side_a"), pl.col("side_b"), pl.col("_best"), pl.col("_low"),
                  pl.col("_high")).alias("statement"),
        pl.lit(f"UCDP GED file {file_name}").alias("reported_in"),
        pl.coalesce(pl.col("source_original").replace("", None), pl.lit("UCDP GED")).alias("origin"),
        pl.when(pl.col("event_clarity") == "2").then(pl.lit("uncertain")).otherwise(pl.lit("reported")).alias("certainty"),
        breakdown.alias("notes"),
    )
    per_outlet = outlets.join(ids, left_on=pl.col("_name").str.to_lowercase(), right_on="_key").select(
        pl.format("{}-s{}", pl.col("_id"), pl.col("_i") + 1).alias("account_id"),
        pl.col("_id").alias("incident_id"), "source_id", pl.lit(None, pl.String).alias("speaker"),
        pl.col("_published").alias("published_date"),
        pl.when(pl.col("_official")).then(pl.lit("official")).otherwise(pl.lit("unofficial")).alias("side"),
        *_claims(),
        pl.lit("Cited by UCDP GED as a source of this event; GED does not say which details it gave.").alias("statement"),
        pl.when(pl.col("_headline").is_not_null() & (pl.col("_headline") != ""))
        .then(pl.format("{}: {}", pl.col("_name"), pl.col("_headline"))).otherwise(pl.col("_name")).alias("reported_in"),
        pl.coalesce(pl.col("source_original").replace("", None), pl.col("_name")).alias("origin"),
        pl.lit("reported").alias("certainty"),
        pl.col("_date_note").alias("notes"),
    )
    return pl.concat([monitor, per_outlet], how="diagonal_relaxed").sort("incident_id", "account_id")


def import_ucdp(path: Path | str, out: Path | str, *, name: str | None = None, force: bool = False) -> dict[str, Any]:
    """Turn a UCDP GED CSV into an incident package in ``out`` that :func:`ddj.load` validates.

    Parameters
    ----------
    path
        The GED file (CSV, UTF-8, the codebook's column names).
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
        Cells that cannot be imported (bad dates, precision codes, coordinates, low > best, repeated ids),
        each named by row and column.
    """
    path, out = Path(path), Path(out)
    frame = read_table(path, fmt=FORMAT, required=REQUIRED)
    present = set(frame.columns)
    frame = frame.with_columns([pl.lit(None, pl.String).alias(c) for c in OPTIONAL if c not in present])
    events = _typed(frame, path).with_columns(pl.format("ucdp-{}", pl.col("id")).alias("_id"))
    outlets = _outlets(events)
    ids = source_ids(outlets["_name"])
    kinds = outlets.with_columns(pl.col("_name").str.to_lowercase().alias("_key")).unique(
        "_key", keep="first", maintain_order=True)
    sources = pl.concat([
        pl.DataFrame({"source_id": ["src-ucdp-ged"], "name": ["UCDP GED"], "kind": ["monitor_ngo"], "country": [None],
                      "notes": ["Uppsala Conflict Data Program, Georeferenced Event Dataset; its own codes for each "
                                "merged event"]}, schema_overrides={"country": pl.String}),
        ids.join(kinds.select("_key", "_kind"), on="_key").select(
            "source_id", "name", pl.col("_kind").alias("kind"), pl.lit(None, pl.String).alias("country"),
            pl.lit("an outlet named in UCDP GED's source_office").alias("notes")),
    ])
    tables = {
        "incidents": _incidents(events),
        "sources": sources,
        "accounts": _accounts(events, outlets, ids, path.name),
        "overrides": pl.DataFrame(),
    }
    used = [c for c in MAPPED if c not in _BREAKDOWN]
    skipped = not_mapped([c for c in frame.columns if c in present], used, REASONS)
    info = {"format": FORMAT, "source": path.name, "sha256": file_sha256(path), "rows": frame.height,
            "not_mapped": skipped}
    write_incident_package(
        out, tables, name=name or out.name.lower().replace("_", "-"), title=f"UCDP GED events from {path.name}",
        description=f"Imported by `ddj import ucdp` from {path.name}; UCDP's codes are UCDP's account, and each "
                    "outlet it cites has an account of its own.",
        licenses=[{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 (UCDP GED)",
                   "path": "https://creativecommons.org/licenses/by/4.0/"}],
        import_info=info, force=force,
    )
    return {"folder": out, "counts": {k: v.height for k, v in tables.items()}, "not_mapped": skipped}
