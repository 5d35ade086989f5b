"""Editors' grade decisions: an override is a row of the ``overrides`` resource, never an edit in code.

A row with ``target_table`` = ``grades`` and ``field`` = ``grade`` sets the grade of the incident
named in ``target_id``. When several rows target one incident the latest ``decided_on`` wins, and
among rows of the same day the greatest ``override_id``. The editor, the date, the reason and the
override's id travel with the grade into every output that shows it.
"""

from __future__ import annotations

import polars as pl

OVERRIDE_COLUMNS = ("grade_overridden", "override_id", "override_editor", "override_date", "override_reason")


def grade_overrides(overrides: pl.DataFrame) -> pl.DataFrame:
    """The override in force for each overridden incident: ``incident_id``, ``_override_grade`` and the columns
    of :data:`OVERRIDE_COLUMNS` (except ``grade_overridden``).

    Examples
    --------
    >>> import datetime as dt
    >>> rows = pl.DataFrame({"override_id": ["o1", "o2"], "target_table": ["grades", "grades"],
    ...     "target_id": ["inc-1", "inc-1"], "field": ["grade", "grade"], "value": ["fair", "contested"],
    ...     "editor": ["A. Editor", "B. Editor"], "decided_on": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)],
    ...     "reason": ["first look", "second look"]})
    >>> grade_overrides(rows).select("incident_id", "_override_grade", "override_editor").row(0)
    ('inc-1', 'contested', 'B. Editor')

    The later decision is the one in force.
    """
    return (
        overrides.filter((pl.col("target_table") == "grades") & (pl.col("field") == "grade"))
        .sort("target_id", "decided_on", "override_id")
        .unique("target_id", keep="last", maintain_order=True)
        .select(
            pl.col("target_id").alias("incident_id"),
            pl.col("value").alias("_override_grade"),
            "override_id",
            pl.col("editor").alias("override_editor"),
            pl.col("decided_on").alias("override_date"),
            pl.col("reason").alias("override_reason"),
        )
    )


def with_grade_overrides(incidents: pl.LazyFrame, overrides: pl.DataFrame) -> pl.LazyFrame:
    """Add ``grade``, ``grade_reason`` and the override columns to ``incidents`` (which holds
    ``incident_id``, ``computed_grade`` and ``computed_grade_reason``), keeping its row order.

    An overridden grade's reason names the editor, the date and the editor's reason, then what the
    rules gave.

    Examples
    --------
    >>> import datetime as dt
    >>> rows = pl.DataFrame({"override_id": ["o1"], "target_table": ["grades"], "target_id": ["inc-2"],
    ...     "field": ["grade"], "value": ["contested"], "editor": ["A. Editor"], "decided_on": [dt.date(2024, 1, 1)],
    ...     "reason": ["A second video shows the launch."]})
    >>> incidents = pl.LazyFrame({"incident_id": ["inc-1", "inc-2"], "computed_grade": ["fair", "fair"],
    ...     "computed_grade_reason": ["Fair: ...", "Fair: ..."]})
    >>> with_grade_overrides(incidents, rows).select("grade", "grade_overridden").collect().rows()
    [('fair', False), ('contested', True)]
    """
    chosen = grade_overrides(overrides)
    # Each incident's row of ``chosen`` (null where no override is in force), by a lookup of the few overridden
    # ids: the million incidents' columns are not copied through a join to change a few rows.
    row = pl.col("_override")
    at = pl.col("incident_id").replace_strict(
        chosen.get_column("incident_id"),
        pl.int_range(0, chosen.height, dtype=pl.UInt32, eager=True),
        default=None,
        return_dtype=pl.UInt32,
    )
    set_by = chosen.select(  # what each override says, up to what the rules gave
        pl.concat_str(
            [
                pl.lit("Set to "),
                pl.col("_override_grade"),
                pl.lit(" by "),
                pl.col("override_editor"),
                pl.lit(" on "),
                pl.col("override_date").dt.strftime("%Y-%m-%d"),
                pl.lit(" (override "),
                pl.col("override_id"),
                pl.lit("): "),
                pl.col("override_reason"),
                pl.lit(" The rules gave "),
            ]
        )
    ).to_series()
    reason = pl.concat_str([pl.lit(set_by).gather(row), "computed_grade", pl.lit(". "), "computed_grade_reason"])
    return (
        incidents.with_columns(at.alias("_override"))
        .with_columns(
            pl.coalesce(pl.lit(chosen.get_column("_override_grade")).gather(row), "computed_grade").alias("grade"),
            pl.coalesce(reason, "computed_grade_reason").alias("grade_reason"),
            row.is_not_null().alias("grade_overridden"),
            *[pl.lit(chosen.get_column(name)).gather(row).alias(name) for name in OVERRIDE_COLUMNS[1:]],
        )
        .drop("_override")
    )
