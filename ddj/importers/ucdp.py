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
  from, such as a military spokesman) is each account's ``origin``. An outlet is ``official`` only when its name
  is, exactly after normalisation, an official body of the operator's country in the shipped officials table
  (:mod:`ddj.importers._sides`); sides are written to ``sides.csv`` for review (``--sides`` to correct them).
- **One account per official named in** ``source_original`` that the officials table lists (Russia's defence
  ministry spokesman, the Afghan interior ministry...): the body is the source, the spokesperson the speaker,
  and the outlets that quoted it are where it was reported.

UCDP's own inconsistencies are data: a row whose ``low``, ``best`` and ``high`` are out of order is imported,
reported as a finding (file, row, the three values) and its account marked uncertain. ``code_status`` flags of
candidate events ("Check deaths", "Check vague or biased source"...) make UCDP's account uncertain and are
quoted in its notes. Dates are read as :mod:`ddj.importers._dates` reads them and checked against ``year``.

``side_a`` is the operator; ``event_type`` is ``other`` and the aircraft unknown (GED does not say). Everything
not mapped is listed by :func:`import_ucdp`.

Official silence: GED cites the outlets it used, not the official statements it looked for, so the package declares
``"official_search": {"searched": false}`` (an event without an official source reads "no official account
recorded", never "has not publicly acknowledged") unless ``official_searched`` gives the day someone searched.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from ddj.datasets.tableschema import make_check
from ddj.errors import ValidationError
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
from ddj.importers._dates import read_dates, read_loose_dates
from ddj.importers._export import Monitor, read_export
from ddj.importers._finish import finish

FORMAT = "UCDP GED"
REQUIRED = (
    "id",
    "date_start",
    "date_end",
    "date_prec",
    "where_prec",
    "country",
    "side_a",
    "side_b",
    "latitude",
    "longitude",
    "best",
    "low",
    "high",
)
OPTIONAL = (
    "conflict_name",
    "dyad_name",
    "type_of_violence",
    "adm_1",
    "where_coordinates",
    "event_clarity",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "code_status",
    "year",
)
#: Columns read but left out of the package (and so reported), although the importer looks at them.
_BREAKDOWN = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
#: The columns the package is made from (the breakdown is only quoted in notes, so it is reported as not mapped).
MAPPED = tuple(c for c in (*REQUIRED, *OPTIONAL) if c not in _BREAKDOWN)
REASONS = {
    "relid": "UCDP's release-specific id; id is used",
    "year": "checked against date_start",
    "active_year": "UCDP's conflict-year flag",
    "conflict_new_id": "conflict id; conflict_name is used in the title",
    "dyad_new_id": "dyad id",
    "side_a_new_id": "actor id; side_a is used",
    "gwnoa": "Gleditsch-Ward country code",
    "side_b_new_id": "actor id; side_b is used",
    "gwnob": "Gleditsch-Ward country code",
    "number_of_sources": "the accounts are counted from source_office instead",
    "source_article": "UCDP's article references; source_office, source_date and source_headline are used",
    "where_description": "UCDP's wording of the place, not copied; where_coordinates is used",
    "adm_2": "second-level division; adm_1 and where_coordinates are used",
    "geom_wkt": "the coordinates are used",
    "priogrid_gid": "PRIO-GRID cell",
    "country_id": "Gleditsch-Ward country code; country is used",
    "region": "world region; country is used",
    "deaths_a": "a breakdown by party the model has no place for (written in UCDP's account notes)",
    "deaths_b": "a breakdown by party the model has no place for (written in UCDP's account notes)",
    "deaths_civilians": "a breakdown the model has no place for (written in UCDP's account notes)",
    "deaths_unknown": "a breakdown the model has no place for (written in UCDP's account notes)",
}
_VIOLENCE = {"1": "state-based", "2": "non-state", "3": "one-sided"}
MONITOR = Monitor(
    name=FORMAT,
    command="ucdp",
    required=REQUIRED,
    mapped=MAPPED,
    reasons=REASONS,
    name_columns=("source_office", "source_original"),
    source_id="src-ucdp-ged",
    about="Uppsala Conflict Data Program, Georeferenced Event Dataset; its own codes for each merged event",
    description="UCDP's codes are UCDP's account, and each outlet it cites has an account of its own.",
    licenses=(
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0 (UCDP GED)",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        },
    ),
)
_OUT_OF_ORDER = (
    (pl.col("_low") > pl.col("_best")) | (pl.col("_best") > pl.col("_high")) | (pl.col("_low") > pl.col("_high"))
)


def _typed(frame: pl.DataFrame, path: Path, date_format: str | None, log: ImportLog) -> pl.DataFrame:
    text = {c: pl.col(c).str.strip_chars() for c in frame.columns if c != "source_row"}
    dates = read_dates(frame.with_columns(**text), ["date_start", "date_end"], file=path.name, date_format=date_format)
    log.counts["dates"] = dates.summary()
    log.changes += dates.changes()
    numbers = {
        c: pl.col(c).cast(pl.Float64, strict=False).cast(pl.Int64, strict=False).alias(f"_{c}")
        for c in ("best", "low", "high", "date_prec", "where_prec", *_BREAKDOWN)
    }
    typed = dates.frame.with_columns(
        *numbers.values(),
        pl.col("latitude").cast(pl.Float64, strict=False).alias("_lat"),
        pl.col("longitude").cast(pl.Float64, strict=False).alias("_lon"),
    )

    checks = required_checks(("id", "country", "side_a", "best"), FORMAT)
    checks += dates.checks
    checks += [
        make_check(
            "date_end",
            "date_order",
            "DateOrderViolation",
            pl.col("_date_end") < pl.col("_date_start"),
            "{value} is before date_start",
            "make date_end the same as or later than date_start",
        ),
        make_check(
            "date_prec",
            "range",
            "RangeViolation",
            ~pl.col("_date_prec").is_between(1, 5).fill_null(False),
            "{value} is not a UCDP date precision",
            "write a whole number from 1 (day) to 5 (year)",
        ),
        make_check(
            "where_prec",
            "range",
            "RangeViolation",
            ~pl.col("_where_prec").is_between(1, 7).fill_null(False),
            "{value} is not a UCDP place precision",
            "write a whole number from 1 (exact) to 7 (water or air)",
        ),
        *coordinate_checks(),
        *id_checks("id"),
        *[count_check(c, f"_{c}", "write the number of deaths") for c in ("best", "low", "high")],
    ]
    check(typed, checks, path)
    _findings(typed, log)
    return typed.with_columns(pl.lit(dates.order).alias("_order"))


def _findings(typed: pl.DataFrame, log: ImportLog) -> None:
    """UCDP's own figures out of order: imported as given, each a finding with the row and all three values."""
    bad = typed.filter(_OUT_OF_ORDER.fill_null(False)).select("source_row", "id", "low", "best", "high")
    for row, event, low, best, high in bad.iter_rows():
        log.finding(
            "count_order",
            f"UCDP's own figures for event {event} are out of order: low {low}, best {best}, "
            f"high {high} (low <= best <= high does not hold); imported as given, the account marked "
            "uncertain",
            row=row,
            column="low,best,high",
            values={"low": low, "best": best, "high": high},
        )
    if bad.height:
        log.changes.append(
            f"kept {bad.height} event(s) whose low, best and high are out of order as UCDP gives "
            "them, marked uncertain (see findings)"
        )


def _operators(events: pl.DataFrame) -> pl.DataFrame:
    pairs = events.select("side_a", "side_b").unique()
    found = [(a, b, *_sides.operator_of([a, b])) for a, b in pairs.iter_rows()]
    table = pl.DataFrame(
        found,
        schema={"side_a": pl.String, "side_b": pl.String, "_operator": pl.String, "_country": pl.String},
        orient="row",
    )
    return events.join(table, on=["side_a", "side_b"], how="left", nulls_equal=True)


def _incidents(events: pl.DataFrame) -> pl.DataFrame:
    place = pl.coalesce(
        pl.col("where_coordinates").replace("", None), pl.col("adm_1").replace("", None), pl.col("country")
    )
    name = pl.coalesce(
        pl.col("conflict_name").replace("", None),
        pl.col("dyad_name").replace("", None),
        pl.format("{} - {}", pl.col("side_a"), pl.col("side_b")),
    )
    violence = pl.col("type_of_violence").replace_strict(_VIOLENCE, default="organised")
    return events.select(
        pl.col("_id").alias("incident_id"),
        pl.format("{}: {} ({})", name, place, pl.col("_date_start")).alias("title"),
        pl.col("_date_start").alias("date_start"),
        pl.col("_date_end").alias("date_end"),
        pl.col("_date_prec").alias("date_precision"),
        "country",
        pl.col("adm_1").alias("region"),
        pl.col("where_coordinates").alias("place"),
        pl.col("_lat").alias("latitude"),
        pl.col("_lon").alias("longitude"),
        pl.col("_where_prec").alias("location_precision"),
        pl.lit("unknown").alias("aircraft_model"),
        pl.lit("unknown").alias("aircraft_category"),
        pl.coalesce(pl.col("_operator"), pl.col("side_a")).alias("operator"),
        pl.lit("other").alias("event_type"),
        pl.format(
            "Imported from UCDP GED event {}: {} violence between {} and {} at {}.",
            pl.col("id"),
            violence,
            pl.col("side_a"),
            pl.col("side_b"),
            place,
        ).alias("summary"),
        pl.when(pl.col("event_clarity") == "2")
        .then(pl.lit("UCDP codes the event's clarity as low (event_clarity 2)."))
        .alias("uncertainty"),
    )


def _outlets(events: pl.DataFrame, overrides: pl.DataFrame | None, log: ImportLog) -> pl.DataFrame:
    """One row per event and outlet named in source_office, with its date, headline, source key, side and kind."""
    order = events["_order"][0] if events.height else None
    split = events.select(
        "_id",
        "_date_start",
        "_date_end",
        "_country",
        "source_original",
        pl.col("source_office").fill_null("").str.split(";").alias("_name"),
        pl.col("source_date").fill_null("").str.split(";").alias("_dates"),
        pl.col("source_headline").fill_null("").str.split(";").alias("_heads"),
    ).with_columns(
        pl.col("_name").list.len().alias("_n"),
        pl.int_ranges(0, pl.col("_name").list.len()).alias("_i"),
    )
    rows = (
        split.explode("_name", "_i")
        .with_columns(
            pl.col("_name").str.strip_chars(),
            read_loose_dates(
                pl.when(pl.col("_dates").list.len() == pl.col("_n")).then(
                    pl.col("_dates").list.get(pl.col("_i"), null_on_oob=True)
                ),
                order,
            ).alias("_published"),
            pl.when(pl.col("_heads").list.len() == pl.col("_n"))
            .then(pl.col("_heads").list.get(pl.col("_i"), null_on_oob=True))
            .str.strip_chars()
            .alias("_headline"),
        )
        .filter(pl.col("_name").is_not_null() & (pl.col("_name") != ""))
    )
    usable = pl.col("_published").is_not_null() & (pl.col("_published") >= pl.col("_date_start"))
    log.counts["accounts_redated"] = rows.filter(~usable.fill_null(False)).height
    rows = rows.with_columns(
        pl.when(usable).then(pl.col("_published")).otherwise(pl.col("_date_end")).alias("_published"),
        pl.when(usable)
        .then(pl.lit(None, pl.String))
        .otherwise(
            pl.lit(
                "no usable source_date for this outlet (missing, unreadable, not one per outlet, or "
                "before the event); dated to the end of the event's window"
            )
        )
        .alias("_date_note"),
    )
    body = pl.col("_name").map_elements(looks_official, return_dtype=pl.Boolean)
    default_kind = (
        pl.when(body)
        .then(pl.col("_name").map_elements(official_kind, return_dtype=pl.String))
        .otherwise(pl.lit("independent_media"))
    )
    default_note = (
        pl.when(body)
        .then(pl.lit("named like an official body, but not in the officials table"))
        .otherwise(pl.lit("an outlet named in UCDP GED's source_office"))
    )
    return _sides.resolve(rows, default_kind=default_kind, default_note=default_note, overrides=overrides)


def _quoted_officials(events: pl.DataFrame, outlets: pl.DataFrame, overrides: pl.DataFrame | None) -> pl.DataFrame:
    """The officials table's bodies named in ``source_original`` (a spokesman quoted by the outlets)."""
    parts = (
        events.select(
            "_id", "_date_end", "_country", pl.col("source_original").fill_null("").str.split(";").alias("_name")
        )
        .explode("_name")
        .with_columns(pl.col("_name").str.strip_chars())
        .filter(pl.col("_name") != "")
    )
    known = [n for n in parts["_name"].unique().to_list() if _sides.official_body(n)]
    parts = parts.filter(pl.col("_name").is_in(known))
    if not parts.height:
        return parts.with_columns(pl.lit(None, pl.String).alias("_key"))
    cited = outlets.group_by("_id").agg(
        pl.col("_clean").unique(maintain_order=True).str.join("; ").alias("_via"),
        pl.col("_published").min().alias("_first"),
    )
    resolved = _sides.resolve(
        parts, default_kind=pl.lit("independent_media"), default_note=pl.lit(None, pl.String), overrides=overrides
    )
    # An official the event already has as an outlet (the ministry cited directly) is not counted twice.
    resolved = resolved.join(outlets.select("_id", "_key").unique(), on=["_id", "_key"], how="anti")
    return resolved.join(cited, on="_id", how="left").with_columns(
        pl.coalesce("_first", "_date_end").alias("_published")
    )


def _certainty(events: pl.DataFrame) -> pl.DataFrame:
    """UCDP's account's certainty and notes: event_clarity 2, code_status flags and figures out of order."""
    status = pl.col("code_status").fill_null("").str.strip_chars()
    flagged = (status != "") & (status.str.to_lowercase() != "clear")
    breakdown = pl.format(
        "deaths_a {}, deaths_b {}, deaths_civilians {}, deaths_unknown {} (UCDP's breakdown; "
        "not mapped to the model's counts)",
        *[pl.col(f"_{c}").cast(pl.String).fill_null("-") for c in _BREAKDOWN],
    )
    notes = pl.concat_str(
        [
            pl.when(flagged).then(
                pl.format("UCDP's code_status is '{}': UCDP itself flags this event for checking.", status)
            ),
            pl.when(_OUT_OF_ORDER.fill_null(False)).then(
                pl.format(
                    "UCDP's figures are out of order (low {}, best {}, high {}): kept as UCDP gives them.",
                    pl.col("_low"),
                    pl.col("_best"),
                    pl.col("_high"),
                )
            ),
            pl.when(pl.col("event_clarity") == "2").then(pl.lit("UCDP codes the event's clarity as low.")),
            breakdown,
        ],
        separator=" ",
        ignore_nulls=True,
    )
    uncertain = flagged | _OUT_OF_ORDER.fill_null(False) | (pl.col("event_clarity") == "2").fill_null(False)
    return events.with_columns(
        pl.when(uncertain).then(pl.lit("uncertain")).otherwise(pl.lit("reported")).alias("_certainty"),
        notes.alias("_notes"),
    )


def _accounts(
    events: pl.DataFrame,
    outlets: pl.DataFrame,
    quoted: pl.DataFrame,
    ids: pl.DataFrame,
    file_name: str,
    *,
    low_as_given: bool,
) -> pl.DataFrame:
    one_day = (pl.col("_date_prec") == 1) & (pl.col("_date_start") == pl.col("_date_end"))
    violence = pl.col("type_of_violence").replace_strict(_VIOLENCE, default="organised")
    low = (
        pl.col("_low") if low_as_given else pl.when(_OUT_OF_ORDER.fill_null(False)).then(None).otherwise(pl.col("_low"))
    )
    monitor = _certainty(events).select(
        pl.format("{}-ucdp", pl.col("_id")).alias("account_id"),
        pl.col("_id").alias("incident_id"),
        pl.lit(MONITOR.source_id).alias("source_id"),
        pl.lit(None, pl.String).alias("speaker"),
        pl.col("_date_end").alias("published_date"),
        pl.lit("unofficial").alias("side"),
        *claims(
            others_killed_claim=pl.lit("figure"),
            others_killed_low=low.cast(pl.String),
            others_killed_best=pl.col("_best").cast(pl.String),
            others_killed_high=pl.col("_high").cast(pl.String),
            claimed_country=pl.col("country"),
            claimed_place=pl.coalesce(pl.col("where_coordinates").replace("", None), pl.lit("not_stated")),
            claimed_date=pl.when(one_day).then(pl.col("_date_start").cast(pl.String)).otherwise(pl.lit("unknown")),
        ),
        pl.format(
            "UCDP GED codes {} violence between {} and {}, with a best estimate of {} deaths (low {}, high {}).",
            violence,
            pl.col("side_a"),
            pl.col("side_b"),
            pl.col("_best"),
            pl.col("_low"),
            pl.col("_high"),
        ).alias("statement"),
        pl.lit(f"UCDP GED file {file_name}").alias("reported_in"),
        pl.coalesce(pl.col("source_original").replace("", None), pl.lit("UCDP GED")).alias("origin"),
        pl.col("_certainty").alias("certainty"),
        pl.when(_OUT_OF_ORDER.fill_null(False) & pl.lit(not low_as_given))
        .then(
            pl.format(
                "{} The low figure {} is left empty here because validation refuses a low above the best; "
                "the import's findings keep it.",
                pl.col("_notes"),
                pl.col("_low"),
            )
        )
        .otherwise(pl.col("_notes"))
        .alias("notes"),
    )
    per_outlet = outlets.join(ids, on="_key").select(
        pl.format("{}-s{}", pl.col("_id"), pl.col("_i") + 1).alias("account_id"),
        pl.col("_id").alias("incident_id"),
        "source_id",
        pl.lit(None, pl.String).alias("speaker"),
        pl.col("_published").alias("published_date"),
        pl.col("_side").alias("side"),
        *claims(),
        pl.lit("Cited by UCDP GED as a source of this event; GED does not say which details it gave.").alias(
            "statement"
        ),
        pl.when(pl.col("_headline").is_not_null() & (pl.col("_headline") != ""))
        .then(pl.format("{}: {}", pl.col("_clean"), pl.col("_headline")))
        .otherwise(pl.col("_clean"))
        .alias("reported_in"),
        pl.coalesce(pl.col("source_original").replace("", None), pl.col("_clean")).alias("origin"),
        pl.lit("reported").alias("certainty"),
        pl.col("_date_note").alias("notes"),
    )
    frames = [monitor, per_outlet]
    if quoted.height:
        frames.append(
            quoted.join(ids, on="_key").select(
                pl.format("{}-o{}", pl.col("_id"), pl.col("_name").cum_count().over("_id")).alias("account_id"),
                pl.col("_id").alias("incident_id"),
                "source_id",
                pl.when(pl.col("_role") == "spokesperson").then(pl.col("_clean")).alias("speaker"),
                pl.col("_published").alias("published_date"),
                pl.col("_side").alias("side"),
                *claims(),
                pl.lit(
                    "Named by UCDP GED (source_original) as where the information came from; GED does not say which "
                    "details it gave."
                ).alias("statement"),
                pl.coalesce(pl.col("_via"), pl.lit(f"UCDP GED file {file_name}")).alias("reported_in"),
                pl.col("_source_name").alias("origin"),
                pl.lit("reported").alias("certainty"),
                pl.format("From UCDP's source_original '{}'; {}", pl.col("_clean"), pl.col("_why")).alias("notes"),
            )
        )
    return pl.concat(frames, how="diagonal_relaxed").sort("incident_id", "account_id")


def import_ucdp(
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
    """Turn a UCDP GED CSV into an incident package in ``out`` that :func:`ddj.load` validates.

    Parameters
    ----------
    path
        The GED file (CSV, the codebook's column names).
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
    encoding, date_format, sides
        As for :func:`ddj.importers.acled.import_acled` (``--encoding``, ``--date-format``, ``--sides``).

    Returns
    -------
    dict
        ``folder``, ``counts`` (rows per table), ``not_mapped`` (each column left out, with the reason),
        ``sides`` (also written to ``sides.csv``), ``findings`` (UCDP's figures out of order, characters lost) and
        ``summary``.

    Raises
    ------
    ImportFormatError
        The file lacks columns the format needs (all are named), is not a readable CSV or not UTF-8, or its
        all-number dates cannot be ordered.
    ValidationError
        Cells that cannot be imported (bad dates, dates outside ``year``, before 1946 or in the future,
        precision codes, coordinates, repeated ids), each named by row and column.
    """
    export = read_export(path, MONITOR, encoding=encoding, official_searched=official_searched, sides=sides)
    log, file = export.log, export.path.name
    frame = export.frame.with_columns([pl.lit(None, pl.String).alias(c) for c in OPTIONAL if c not in export.columns])
    events = _operators(_typed(frame, export.path, date_format, log)).with_columns(
        pl.format("ucdp-{}", pl.col("id")).alias("_id")
    )
    outlets = _outlets(events, export.overrides, log)
    if log.counts.get("accounts_redated"):
        log.changes.append(
            f"dated {log.counts['accounts_redated']} outlet account(s) to the end of the event's window: "
            "their source_date was missing, unreadable, not one per outlet, or before the event"
        )
    quoted = _quoted_officials(events, outlets, export.overrides)
    named = pl.concat([outlets, quoted], how="diagonal_relaxed") if quoted.height else outlets
    incidents = _incidents(events)
    inconsistent = events.select(_OUT_OF_ORDER.fill_null(False).sum()).item()
    try:
        return finish(
            export,
            out,
            incidents=incidents,
            named=named,
            name=name,
            force=force,
            accounts=lambda ids: _accounts(events, outlets, quoted, ids, file, low_as_given=True),
        )
    except ValidationError as err:
        # Until validation treats a monitor's own figures out of order as a caveat, the low figure of those
        # rows is left empty in the package (the finding and the account's notes keep it).
        if not inconsistent or any(p.rule != "count_order" for p in err.problems):
            raise
    log.changes.append(
        "left the low figure empty on the accounts whose figures are out of order, because "
        "validation refuses them; the findings and each account's notes keep UCDP's numbers"
    )
    return finish(
        export,
        out,
        incidents=incidents,
        named=named,
        name=name,
        force=True,
        accounts=lambda ids: _accounts(events, outlets, quoted, ids, file, low_as_given=False),
    )
