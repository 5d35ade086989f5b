"""The "tally" kind of dataset: an official running count against an independently documented count.

A tally package holds an official cumulative series per category and date, the official corrections,
a documented series (written only on days it changed) and/or a documented event list (one row per
evidenced item), a declared crosswalk between the two sides' category names, and the findings the
build made on the raw files. The Table Schemas here are authoritative (see
:class:`ddj.datasets.dataset_kind.DatasetKind`); :func:`tally_problems` adds the rules a schema cannot say.

This module must not import :mod:`ddj.tally`: datasets sit upstream of the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from ddj._scalars import date_value
from ddj.datasets.dataset_kind import DatasetKind
from ddj.datasets.schema import field_descriptor
from ddj.datasets.tableschema import ROW, make_check, run_checks
from ddj.errors import Problem
from ddj.model import Field

KIND = "tally"

#: Oryx's four statuses; a category's documented count is their sum, as Oryx's own headline totals are.
STATUSES = ("destroyed", "damaged", "abandoned", "captured")
#: What a personnel tally's documented list records of a person (a named death).
PERSON_STATUSES = ("killed",)
#: Every status a documented row may carry: equipment's four and a person's.
ALL_STATUSES = STATUSES + PERSON_STATUSES

#: Every rule the build's findings use (see :mod:`ddj.importers.findings`).
FINDING_RULES = (
    "duplicate_row",
    "decrease_explained",
    "decrease_unexplained",
    "spike",
    "category_variant",
    "category_whitespace",
    "not_a_category",
    "category_appears",
    "category_retires",
    "day_mismatch",
    "total_mismatch",
    "system_not_in_model_list",
    "change_mismatch",
    "date_unreadable",
)

_CATEGORY_HINT = "write the category exactly as the source file spells it"
_ROW_HINT = "write the row (CSV: header = 1) or the object's position in a JSON array (first = 1)"


def _date(name: str, description: str, source: str, *, required: bool = True) -> Field:
    return Field(name, "date", description, source, required=required, hint="write the date as YYYY-MM-DD")


def _count(name: str, description: str, source: str, *, minimum: int | None = 0) -> Field:
    return Field(
        name,
        "integer",
        description,
        source,
        required=True,
        minimum=minimum,
        hint="write a whole number" + (" of 0 or more" if minimum == 0 else ""),
    )


def _source_row(source: str) -> Field:
    return Field(
        "source_row",
        "integer",
        "Where the value is in the raw file: the row as a spreadsheet shows it "
        "(header = row 1) for CSV, the object's position in the array (first = 1) for JSON.",
        source,
        required=True,
        minimum=1,
        hint=_ROW_HINT,
    )


@dataclass(frozen=True)
class TallyResource:
    """One resource of a tally package: its fields, its key, and whether it may be left out."""

    name: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    description: str = ""
    optional: bool = False
    may_be_empty: bool = False

    @property
    def field_names(self) -> tuple[str, ...]:
        """The names of the resource's fields, in schema order."""
        return tuple(f.name for f in self.fields)


TALLY_RESOURCES: tuple[TallyResource, ...] = (
    TallyResource(
        "official_series",
        (
            _date("date", "Day of the official report.", "`date`"),
            Field(
                "day",
                "integer",
                "The war day number the source gives beside the date.",
                "`day`",
                minimum=1,
                hint="write a whole number of 1 or more, or leave it empty",
            ),
            Field(
                "category",
                "string",
                "Official category, spelled as the source's key (aircraft, helicopter, tank, APC, ...).",
                "the object's key",
                required=True,
                hint=_CATEGORY_HINT,
            ),
            _count("value", "Cumulative total the officials claim on that day.", "the key's value"),
            _source_row("position of the day's object"),
        ),
        ("date", "category"),
        "Official cumulative claims, one row per day and category, as published (no value changed).",
    ),
    TallyResource(
        "official_corrections",
        (
            _date("date", "Day the officials revised the count.", "`date`"),
            Field(
                "day",
                "integer",
                "The war day number the source gives beside the date.",
                "`day`",
                minimum=1,
                hint="write a whole number of 1 or more, or leave it empty",
            ),
            Field(
                "category",
                "string",
                "Official category the revision applies to.",
                "the object's key",
                required=True,
                hint=_CATEGORY_HINT,
            ),
            _count(
                "delta",
                "The revision: how much the officials added (positive) or took back (negative).",
                "the key's value",
                minimum=None,
            ),
            _source_row("position of the day's object"),
        ),
        ("date", "category"),
        "Official revisions of the cumulative counts, per category, on the days they were made (0 = none).",
        optional=True,
        may_be_empty=True,
    ),
    TallyResource(
        "documented_series",
        (
            _date(
                "date",
                "Day the documented count was recorded; a row is written only when a count changed.",
                "`date_recorded`",
            ),
            Field(
                "category",
                "string",
                "Documented category, spelled as the source writes it.",
                "`equipment_type`",
                required=True,
                hint=_CATEGORY_HINT,
            ),
            Field(
                "status",
                "string",
                "What happened to the items.",
                "the column name",
                required=True,
                enum=ALL_STATUSES,
                hint="write destroyed, damaged, abandoned or captured (equipment), or killed (a person)",
            ),
            _count(
                "value",
                "Cumulative number of items documented in that category and status.",
                "`destroyed`, `damaged`, `abandoned`, `captured`",
            ),
            _source_row("row of `daily_count.csv`"),
        ),
        ("date", "category", "status"),
        "Documented cumulative counts per category and status, written only on days they changed.",
        optional=True,
    ),
    TallyResource(
        "documented_events",
        (
            _date(
                "date",
                "Day the item was recorded; empty when the source gives no date (such items are counted apart, "
                "never dropped).",
                "`date_recorded`",
                required=False,
            ),
            Field(
                "category",
                "string",
                "Documented category of the item's system, from the source's model list; "
                "empty when the list does not name the system.",
                "`equipment_oryx` of the model list",
            ),
            Field(
                "status",
                "string",
                "What happened to the item.",
                "`status`",
                required=True,
                enum=ALL_STATUSES,
                hint="write destroyed, damaged, abandoned or captured (equipment), or killed (a person)",
            ),
            Field(
                "system",
                "string",
                "The item's system, as written (some carry a leading item number).",
                "`system`",
                required=True,
            ),
            Field(
                "model",
                "string",
                "The system with a leading item number removed: the name matched against the model list.",
                "`system`, derived",
                required=True,
            ),
            Field("source_file", "string", "The raw file the row comes from.", "file name", required=True),
            _source_row("row of the event file"),
        ),
        ("source_file", "source_row"),
        "Documented items, one row per piece of evidence, with the day it was recorded.",
        optional=True,
    ),
    TallyResource(
        "crosswalk",
        (
            Field(
                "official_category",
                "string",
                "Official category; empty when the documented category is declared to match none.",
                "declared by ddj",
                hint=_CATEGORY_HINT,
            ),
            Field(
                "documented_category",
                "string",
                "Documented category counted towards it; empty when the official category is declared to match none.",
                "declared by ddj",
                hint=_CATEGORY_HINT,
            ),
            Field(
                "crosswalk_version",
                "string",
                "Version of the crosswalk the row belongs to.",
                "declared by ddj",
                required=True,
            ),
            _date(
                "valid_from",
                "First day the documented category's running count stands for these items (empty: from the start).",
                "declared by ddj",
                required=False,
            ),
            _date(
                "valid_to",
                "Last day the documented category's running count stands for these items, when "
                "the source renamed or split it afterwards (empty: to the end). Applies to a change-only "
                "series; an event list counts each item once under its own category.",
                "declared by ddj",
                required=False,
            ),
            Field(
                "basis",
                "string",
                "upstream: as in the General Staff folder's Oryx file; ddj: added or "
                "changed by ddj (the note says why).",
                "declared by ddj",
                required=True,
                enum=("upstream", "ddj"),
                hint="write upstream or ddj",
            ),
            Field("note", "string", "Why the row is as it is.", "declared by ddj"),
        ),
        (),
        "The declared crosswalk between official and documented categories, with validity dates.",
    ),
    TallyResource(
        "findings",
        (
            Field("file", "string", "The raw file the finding is about.", "the build", required=True),
            Field(
                "row",
                "integer",
                "The row (CSV: header = 1) or the object's position (JSON: first = 1); "
                "for a finding about many rows, the first of them.",
                "the build",
                minimum=1,
                hint=_ROW_HINT,
            ),
            Field("column", "string", "The column or JSON key.", "the build"),
            Field("value", "string", "The value found, as written.", "the build"),
            Field(
                "rule",
                "string",
                "Which check found it.",
                "the build",
                required=True,
                enum=FINDING_RULES,
                hint="write one of the rules in ddj.datasets.tally_kind.FINDING_RULES",
            ),
            Field("detail", "string", "What was found and what the build did about it.", "the build", required=True),
        ),
        (),
        "What the build found in the raw files; nothing was fixed or dropped without a row here.",
        optional=True,
        may_be_empty=True,
    ),
)


def tally_resource(name: str) -> TallyResource:
    """Return the tally resource called ``name``.

    Examples
    --------
    >>> tally_resource("official_series").primary_key
    ('date', 'category')

    An official series holds one value per day and category.
    """
    for item in TALLY_RESOURCES:
        if item.name == name:
            return item
    msg = f"no tally resource called {name!r}; the resources are: {', '.join(r.name for r in TALLY_RESOURCES)}"
    raise KeyError(msg)


def tally_table_schema(resource: TallyResource, *, with_hints: bool = False) -> dict[str, Any]:
    """Return the Table Schema of one tally resource (with ddj's fix hints for messages if asked)."""
    schema: dict[str, Any] = {
        "fields": [field_descriptor(f, with_hints=with_hints) for f in resource.fields],
        "missingValues": [""],
    }
    if resource.primary_key:
        schema["primaryKey"] = list(resource.primary_key)
    return schema


def tally_resource_descriptors(
    tables: dict[str, pl.DataFrame], licenses: dict[str, list[dict[str, str]]] | None = None
) -> list[dict[str, Any]]:
    """The ``resources`` of a tally package's ``datapackage.json``: one CSV resource per table of ``tables`` the
    tally kind knows, in the kind's order, with its Table Schema (and its licences, by resource name, if given).

    >>> tables = {"crosswalk": pl.DataFrame(), "official_series": pl.DataFrame()}
    >>> [r["path"] for r in tally_resource_descriptors(tables)]
    ['official_series.csv', 'crosswalk.csv']
    """
    resources = []
    for resource in TALLY_RESOURCES:
        if resource.name not in tables:
            continue
        descriptor: dict[str, Any] = {
            "name": resource.name,
            "path": f"{resource.name}.csv",
            "profile": "tabular-data-resource",
            "description": resource.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": True},
        }
        if licenses is not None:
            descriptor["licenses"] = licenses[resource.name]
        descriptor["schema"] = tally_table_schema(resource)
        resources.append(descriptor)
    return resources


def _categories(tables: dict[str, pl.DataFrame], name: str) -> pl.Series:
    frame = tables.get(name)
    if frame is None or "category" not in frame.columns:
        return pl.Series("category", [], dtype=pl.String)
    return frame["category"].drop_nulls().unique()


def tally_problems(tables: dict[str, pl.DataFrame], files: dict[str, str]) -> list[Problem]:
    """Rules a Table Schema cannot say: the crosswalk names real categories, once each, in date order."""
    problems: list[Problem] = []
    if "documented_series" not in tables and "documented_events" not in tables:
        problems.append(
            Problem(
                files.get("crosswalk", "datapackage.json"),
                None,
                None,
                None,
                "no_documented_side",
                "the package has neither a documented_series nor a documented_events resource",
                "add at least one of them: the comparison needs a documented side",
                "ConsistencyViolation",
            )
        )
    crosswalk = tables.get("crosswalk")
    if crosswalk is None or crosswalk.height == 0:
        return problems
    official = _categories(tables, "official_series")
    documented = pl.concat([_categories(tables, "documented_series"), _categories(tables, "documented_events")])
    display = files.get("crosswalk", "crosswalk.csv")
    pair = pl.struct("official_category", "documented_category")
    checks = [
        make_check(
            "official_category",
            "crosswalk_unknown",
            "ForeignKeyViolation",
            pl.col("official_category").is_not_null() & ~pl.col("official_category").is_in(official.implode()),
            "{value} is not a category of official_series",
            "spell the category exactly as official_series does, or remove the row",
        ),
        make_check(
            "documented_category",
            "crosswalk_unknown",
            "ForeignKeyViolation",
            pl.col("documented_category").is_not_null() & ~pl.col("documented_category").is_in(documented.implode()),
            "{value} is not a category of the documented series or events",
            "spell the category exactly as the documented data does (spaces and commas included)",
        ),
        make_check(
            "official_category",
            "crosswalk_empty",
            "RequiredViolation",
            pl.col("official_category").is_null() & pl.col("documented_category").is_null(),
            "both categories are empty",
            "name an official category, a documented one, or both",
        ),
        make_check(
            "documented_category",
            "crosswalk_duplicate",
            "UniqueViolation",
            pair.is_duplicated(),
            "{value} is paired with the same official category more than once",
            "keep one row per pair",
        ),
        make_check(
            "valid_to",
            "date_order",
            "DateOrderViolation",
            pl.col("valid_to") < pl.col("valid_from"),
            "{value} is before valid_from",
            "make valid_to the same as or later than valid_from",
        ),
    ]
    problems += run_checks(crosswalk.with_row_index(ROW, offset=2), checks, display)
    return problems


def tally_caveats(tables: dict[str, pl.DataFrame], files: dict[str, str]) -> list[Problem]:
    """What a reader must know: the documented side stops before the official one; categories left unpaired."""
    caveats: list[Problem] = []
    official = tables.get("official_series")
    documented = tables.get("documented_series")
    if documented is None:
        documented = tables.get("documented_events")
    if official is not None and documented is not None and official.height and documented.height:
        official_end, documented_end = date_value(official["date"].max()), date_value(documented["date"].max())
        if official_end is not None and documented_end is not None and documented_end < official_end:
            caveats.append(
                Problem(
                    files.get("documented_series", files.get("documented_events", "documented")),
                    None,
                    "date",
                    str(documented_end),
                    "documented_ends_first",
                    f"the documented side ends on {documented_end} but the official series runs to {official_end}; "
                    f"ratios and differences are given only on dates both sides cover (up to {documented_end}), and "
                    "later official figures are shown apart, without a ratio",
                    "read documented_through and days_apart beside every comparison",
                    "caveat",
                )
            )
    crosswalk = tables.get("crosswalk")
    if official is not None and crosswalk is not None:
        paired = crosswalk.filter(pl.col("documented_category").is_not_null())["official_category"]
        lonely = sorted(set(official["category"].unique().to_list()) - set(paired.drop_nulls().to_list()))
        if lonely:
            caveats.append(
                Problem(
                    files.get("crosswalk", "crosswalk.csv"),
                    None,
                    "official_category",
                    ", ".join(lonely),
                    "unmapped_category",
                    f"{len(lonely)} official categor{'y has' if len(lonely) == 1 else 'ies have'} no documented "
                    f"counterpart and are not compared: {', '.join(lonely)}",
                    "see ddj.tally.unmapped for the reasons",
                    "caveat",
                )
            )
    if crosswalk is not None:
        paired = crosswalk.filter(pl.col("official_category").is_not_null())["documented_category"].drop_nulls()
        documented_names = pl.concat(
            [_categories(tables, "documented_series"), _categories(tables, "documented_events")]
        )
        lonely = sorted(set(documented_names.to_list()) - set(paired.to_list()))
        if lonely:
            caveats.append(
                Problem(
                    files.get("crosswalk", "crosswalk.csv"),
                    None,
                    "documented_category",
                    ", ".join(lonely),
                    "unmapped_category",
                    f"{len(lonely)} documented categor{'y has' if len(lonely) == 1 else 'ies have'} no official "
                    f"counterpart and are not compared: {', '.join(lonely)}",
                    "see ddj.tally.unmapped for the reasons",
                    "caveat",
                )
            )
    return caveats


TALLY = DatasetKind(
    name=KIND,
    schemas={r.name: tally_table_schema(r, with_hints=True) for r in TALLY_RESOURCES},
    problems=tally_problems,
    caveats=tally_caveats,
    may_be_empty=frozenset(r.name for r in TALLY_RESOURCES if r.may_be_empty),
    optional=frozenset(r.name for r in TALLY_RESOURCES if r.optional),
)
