"""Checks for dirty tally data in raw files, as they are imported: each returns a findings frame and changes nothing.

A finding is one row: ``file``, ``row`` (CSV: header = row 1; JSON: the object's position, first = 1),
``column``, ``value``, ``rule`` and ``detail``. The rules, in :data:`ddj.datasets.tally_kind.FINDING_RULES`:

- ``duplicate_row``: a row repeats an earlier row (the build keeps the first).
- ``decrease_explained`` / ``decrease_unexplained``: a cumulative count went down, and an official correction of
  that category within a day of the fall does, or nothing does, explain it.
- ``spike``: a value jumps away from both neighbours in the same direction by at least ``min_jump`` and
  ``min_share`` of their mean (a digit added or lost).
- ``category_variant``: one category spelled in more than one way (case, commas, spaces inside).
- ``category_whitespace``: a category name with spaces or line breaks around it.
- ``not_a_category``: text in a category column or key that is not a category (a total, a summary line, place
  names).
- ``category_appears`` / ``category_retires``: a category that starts after the file starts, or stops well
  before it ends.
- ``day_mismatch``: a war-day number that does not match its date.
- ``total_mismatch``: a row's total that is not the sum of its parts.
- ``system_not_in_model_list``: an evidenced item whose system the model list does not place in a category.
- ``change_mismatch``: a row whose upstream change column disagrees with the change of its totals.
- ``date_unreadable``: a date an importer cannot read (the row is kept, undated; see
  :mod:`ddj.importers.named_deaths`).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

SCHEMA = {
    "file": pl.String,
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "detail": pl.String,
}


def empty() -> pl.DataFrame:
    """An empty findings frame with the findings columns."""
    return pl.DataFrame(schema=SCHEMA)


def as_findings(frame: pl.DataFrame, file: str, rule: str) -> pl.DataFrame:
    """Findings of ``rule`` about ``file`` from a frame with ``row``, ``column``, ``value`` and ``detail``.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per finding: ``row``, ``column``, ``value`` and ``detail``.
    file : str
        The raw file the findings name.
    rule : str
        The rule that found them (one of :data:`ddj.datasets.tally_kind.FINDING_RULES`).

    Examples
    --------
    >>> f = pl.DataFrame({"row": [3], "column": ["name"], "value": ["A"], "detail": ["repeats row 2"]})
    >>> as_findings(f, "list.csv", "duplicate_row").row(0)
    ('list.csv', 3, 'name', 'A', 'duplicate_row', 'repeats row 2')

    The finding names the file, the row and the rule, in the findings table's columns.
    """
    return frame.select(
        pl.lit(file, pl.String).alias("file"),
        pl.col("row").cast(pl.Int64),
        pl.col("column").cast(pl.String),
        pl.col("value").cast(pl.String),
        pl.lit(rule, pl.String).alias("rule"),
        pl.col("detail").cast(pl.String),
    )


def combine(parts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """All findings in one frame, in a stable order: by file, rule, row, column and value."""
    frames = [p for p in parts if p.height]
    if not frames:
        return empty()
    return pl.concat(frames).sort(["file", "rule", "row", "column", "value", "detail"], nulls_last=True)


def _label(group: Sequence[str]) -> pl.Expr:
    return pl.concat_str([pl.col(g).cast(pl.String) for g in group], separator=" / ")


def duplicate_rows(
    frame: pl.DataFrame, file: str, *, columns: Sequence[str], label: pl.Expr | None = None
) -> pl.DataFrame:
    """Rows equal to an earlier row on every one of ``columns``; ``frame`` needs ``source_row``.

    Parameters
    ----------
    frame : polars.DataFrame
        The rows as read, with ``source_row`` (the row's number in the raw file) and ``columns``.
    file : str
        The raw file the findings name, as the dataset's folder shows it (``daily_count.csv``).
    columns : sequence of str
        The columns two rows must agree on to be duplicates.
    label : polars.Expr, optional
        The finding's ``value``: the duplicated row in words; ``columns``' values joined by ", " when None.

    Examples
    --------
    >>> f = pl.DataFrame({"a": [1, 1, 2], "source_row": [2, 3, 4]})
    >>> duplicate_rows(f, "x.csv", columns=["a"])["row"].to_list()
    [3]

    Row 3 repeats row 2; the build keeps row 2 and reports row 3.
    """
    label = label if label is not None else pl.concat_str([pl.col(c).cast(pl.String) for c in columns], separator=", ")
    marked = frame.with_columns(
        pl.col("source_row").min().over(list(columns)).alias("_first"),
        label.alias("_label"),
    ).filter(pl.col("source_row") != pl.col("_first"))
    return as_findings(
        marked.select(
            pl.col("source_row").alias("row"),
            pl.lit(None, pl.String).alias("column"),
            pl.col("_label").alias("value"),
            pl.format(
                "repeats row {} on {}; the build keeps row {} and leaves this one out",
                pl.col("_first"),
                pl.lit(", ".join(columns)),
                pl.col("_first"),
            ).alias("detail"),
        ),
        file,
        "duplicate_row",
    )


def _neighbours(series: pl.DataFrame, group: Sequence[str], value: str) -> pl.DataFrame:
    ordered = series.sort([*group, "date", "source_row"])
    return ordered.with_columns(
        pl.col(value).shift(1).over(group).alias("_prev"),
        pl.col("date").shift(1).over(group).alias("_prev_date"),
        pl.col("source_row").shift(1).over(group).alias("_prev_row"),
        pl.col(value).shift(-1).over(group).alias("_next"),
        pl.col("date").shift(-1).over(group).alias("_next_date"),
    )


def decreases(
    series: pl.DataFrame,
    file: str,
    *,
    group: Sequence[str],
    value: str = "value",
    column: str | pl.Expr | None = None,
    corrections: pl.DataFrame | None = None,
    window_days: int = 1,
) -> pl.DataFrame:
    """Cumulative counts that went down from one written date to the next.

    ``series`` has ``group`` columns, ``date``, ``value`` and ``source_row``. With ``corrections`` (``date``,
    ``category``, ``delta``), a fall is ``decrease_explained`` when the officials revised that category
    downwards within ``window_days`` of it, else ``decrease_unexplained``. ``group`` must include
    ``category`` for the match.

    Parameters
    ----------
    series : polars.DataFrame
        The cumulative counts, as described above.
    file : str
        The raw file the findings name.
    group : sequence of str
        The columns that key one running count (``category``, or ``category`` and ``model``).
    value : str, default "value"
        The column holding the count.
    column : str or polars.Expr, optional
        The finding's ``column``: the name of the raw file's column (or key), or an expression giving it per row.
    corrections : polars.DataFrame, optional
        The officials' revisions, as described above; without them every fall is ``decrease_unexplained``.
    window_days : int, default 1
        How many days before or after the fall a correction may be dated and still explain it.

    Examples
    --------
    >>> import datetime as dt
    >>> s = pl.DataFrame({"category": ["tank"] * 3, "date": [dt.date(2023, 5, d) for d in (26, 27, 28)],
    ...                   "value": [3796, 3799, 3797], "source_row": [456, 457, 458]})
    >>> c = pl.DataFrame({"date": [dt.date(2023, 5, 27)], "category": ["tank"], "delta": [-5]})
    >>> decreases(s, "e.json", group=["category"], corrections=c)["rule"].to_list()
    ['decrease_explained']

    The fall on 28 May is explained by the correction of 27 May, which took five tanks back.
    """
    steps = _neighbours(series, group, value).filter(pl.col(value) < pl.col("_prev"))
    if steps.height == 0:
        return empty()
    column_expr = pl.lit(column) if isinstance(column, str) or column is None else column
    base = steps.with_columns(
        column_expr.cast(pl.String).alias("_column"),
        pl.format(
            "{}: {} on {} (row {}) fell to {} on {}",
            _label(group),
            pl.col("_prev"),
            pl.col("_prev_date"),
            pl.col("_prev_row"),
            pl.col(value),
            pl.col("date"),
        ).alias("_what"),
    )
    explained = base.clear().with_columns(pl.lit(None, pl.Date).alias("_cdate"), pl.lit(None, pl.Int64).alias("_delta"))
    if corrections is not None and corrections.height:
        downward = corrections.filter(pl.col("delta") < 0).select(
            "category", pl.col("date").alias("_cdate"), pl.col("delta").alias("_delta")
        )
        explained = (
            base.join(downward, on="category", how="inner")
            .filter((pl.col("date") - pl.col("_cdate")).dt.total_days().abs() <= window_days)
            .sort([*group, "date", "_cdate"])
            .unique(subset=[*group, "date"], keep="first", maintain_order=True)
        )
    unexplained = base.join(explained.select(*group, "date"), on=[*group, "date"], how="anti")
    why_not = (
        "no official correction explains it"
        if corrections is not None
        else "the source publishes no corrections, so nothing explains it"
    )
    parts = [
        as_findings(
            explained.select(
                pl.col("source_row").alias("row"),
                pl.col("_column").alias("column"),
                pl.col(value).cast(pl.String).alias("value"),
                pl.format(
                    "{}; explained by the official correction of {} ({})",
                    pl.col("_what"),
                    pl.col("_cdate"),
                    pl.col("_delta"),
                ).alias("detail"),
            ),
            file,
            "decrease_explained",
        ),
        as_findings(
            unexplained.select(
                pl.col("source_row").alias("row"),
                pl.col("_column").alias("column"),
                pl.col(value).cast(pl.String).alias("value"),
                pl.format("{}; {}", pl.col("_what"), pl.lit(why_not)).alias("detail"),
            ),
            file,
            "decrease_unexplained",
        ),
    ]
    return combine(parts)


def spikes(
    series: pl.DataFrame,
    file: str,
    *,
    group: Sequence[str],
    value: str = "value",
    column: str | pl.Expr | None = None,
    min_jump: int = 10,
    min_share: float = 0.2,
) -> pl.DataFrame:
    """Values that jump away from both neighbours in the same direction (a peak or a dip in a running count).

    Both jumps must be at least ``min_jump`` and at least ``min_share`` of the neighbours' mean, so that the
    ordinary wobble of a count that is revised by one or two is not reported.

    Parameters
    ----------
    series : polars.DataFrame
        The running counts: ``group`` columns, ``date``, ``value`` and ``source_row``.
    file : str
        The raw file the findings name.
    group : sequence of str
        The columns that key one running count.
    value : str, default "value"
        The column holding the count.
    column : str or polars.Expr, optional
        The finding's ``column``: the raw file's column (or key), or an expression giving it per row.
    min_jump : int, default 10
        The least size of both jumps, in the count's units.
    min_share : float, default 0.2
        The least size of both jumps as a share of the neighbours' mean (0.2 is 20%).

    Examples
    --------
    >>> import datetime as dt
    >>> s = pl.DataFrame({"category": ["APC"] * 3, "date": [dt.date(2023, 11, d) for d in (9, 10, 11)],
    ...                   "value": [369, 146, 369], "source_row": [1155, 1156, 1157]})
    >>> spikes(s, "daily_count.csv", group=["category"])["row"].to_list()
    [1156]

    Row 1156 dips from 369 to 146 and back: most likely a digit lost, reported as a spike.
    """
    ordered = _neighbours(series, group, value)
    up = pl.col(value) - pl.col("_prev")
    down = pl.col(value) - pl.col("_next")
    mean = (pl.col("_prev") + pl.col("_next")) / 2
    smallest = pl.min_horizontal(up.abs(), down.abs())
    hits = ordered.filter(
        ((up > 0) & (down > 0)) | ((up < 0) & (down < 0)),
        smallest >= min_jump,
        smallest >= min_share * mean.abs(),
    )
    column_expr = pl.lit(column) if isinstance(column, str) or column is None else column
    return as_findings(
        hits.select(
            pl.col("source_row").alias("row"),
            column_expr.cast(pl.String).alias("column"),
            pl.col(value).cast(pl.String).alias("value"),
            pl.format(
                "{}: {} on {}, then {} on {}, then {} on {}; the middle value jumps away from both neighbours "
                "and is kept as written",
                _label(group),
                pl.col("_prev"),
                pl.col("_prev_date"),
                pl.col(value),
                pl.col("date"),
                pl.col("_next"),
                pl.col("_next_date"),
            ).alias("detail"),
        ),
        file,
        "spike",
    )


def _variant_key(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().str.replace_all(r"[,.;]", "").str.replace_all(r"\s+", " ").str.strip_chars()


def category_spellings(values: pl.DataFrame, file: str, *, column: str) -> pl.DataFrame:
    r"""Category names with stray whitespace, and one category spelled more than one way.

    ``values`` has ``value`` (the name as written) and ``source_row``; one finding per distinct spelling,
    at its first row.

    Parameters
    ----------
    values : polars.DataFrame
        The category names as written, as described above.
    file : str
        The raw file the findings name.
    column : str
        The raw file's column (or key) the names come from.

    Examples
    --------
    >>> v = pl.DataFrame({"value": ["Trucks, Vehicles and Jeeps", "Trucks, Vehicles, and Jeeps", "Radars\n"],
    ...                   "source_row": [10, 20, 30]})
    >>> category_spellings(v, "daily_count.csv", column="equipment_type")["rule"].to_list()
    ['category_variant', 'category_variant', 'category_whitespace']

    The two spellings of the trucks category are reported, and so is the line break after 'Radars'.
    """
    distinct = (
        values.group_by("value")
        .agg(pl.col("source_row").min().alias("row"), pl.len().alias("n"), pl.col("source_row").max().alias("last"))
        .with_columns(_variant_key(pl.col("value")).alias("_key"), pl.col("value").str.strip_chars().alias("_stripped"))
    )
    padded = distinct.filter(pl.col("value") != pl.col("_stripped"))
    whitespace = as_findings(
        padded.select(
            "row",
            pl.lit(column).alias("column"),
            "value",
            pl.format(
                "{} has spaces or line breaks around it in {} row(s) (rows {} to {}); it is kept as written",
                pl.col("value").map_elements(repr, return_dtype=pl.String),
                pl.col("n"),
                pl.col("row"),
                pl.col("last"),
            ).alias("detail"),
        ),
        file,
        "category_whitespace",
    )
    spellings = distinct.group_by("_key").agg(
        pl.col("_stripped").n_unique().alias("_ways"), pl.col("_stripped").unique().sort().str.join(" | ").alias("_all")
    )
    variant = distinct.join(spellings.filter(pl.col("_ways") > 1), on="_key", how="inner")
    variants = as_findings(
        variant.select(
            "row",
            pl.lit(column).alias("column"),
            "value",
            pl.format(
                "one category spelled {} ways in this file ({}); this spelling is in {} row(s) from row {}; "
                "each spelling is kept and the crosswalk names every one it compares",
                pl.col("_ways"),
                pl.col("_all"),
                pl.col("n"),
                pl.col("row"),
            ).alias("detail"),
        ),
        file,
        "category_variant",
    )
    return combine([variants, whitespace])


def not_categories(
    values: pl.DataFrame, file: str, *, column: str | None, why: str, kept: bool = False
) -> pl.DataFrame:
    """One ``not_a_category`` finding per distinct value of ``values`` (``value``, ``source_row``), at its first row.

    ``kept`` says whether the build keeps those rows (in a table of their own) or leaves them out of the series.

    Parameters
    ----------
    values : polars.DataFrame
        The values found where a category should be: ``value`` and ``source_row``.
    file : str
        The raw file the findings name.
    column : str or None
        The raw file's column the values are in; None when they are keys, not cells.
    why : str
        Why they are not categories, for the finding's detail ("not a category of equipment").
    kept : bool, default False
        As above.
    """
    distinct = values.group_by("value").agg(pl.col("source_row").min().alias("row"), pl.len().alias("n"))
    fate = "kept as written" if kept else "left out of the processed series"
    return as_findings(
        distinct.select(
            "row",
            pl.lit(column).alias("column"),
            "value",
            pl.format("{} ({} row(s) from row {}); {}", pl.lit(why), pl.col("n"), pl.col("row"), pl.lit(fate)).alias(
                "detail"
            ),
        ),
        file,
        "not_a_category",
    )


def text_keys(text: pl.DataFrame, file: str, *, why: str) -> pl.DataFrame:
    """One ``not_a_category`` finding per JSON key whose cells hold text (``source_row``, ``column``, ``value``).

    Parameters
    ----------
    text : polars.DataFrame
        Each cell holding text: ``source_row`` (the object's position), ``column`` (the key) and ``value``.
    file : str
        The raw JSON file the findings name.
    why : str
        Why the key is not a category, for the finding's detail ("holds text, not a count").

    Examples
    --------
    >>> t = pl.DataFrame({"source_row": [60, 61], "column": ["greatest losses direction"] * 2,
    ...                   "value": ["Donetsk", "Bakhmut"]})
    >>> text_keys(t, "e.json", why="holds text, not a count")["value"].to_list()
    ['Donetsk']

    The key is reported once, at its first object, with its first text as the example.
    """
    distinct = (
        text.sort("source_row")
        .group_by("column")
        .agg(pl.col("source_row").first().alias("row"), pl.col("value").first().alias("value"), pl.len().alias("n"))
    )
    return as_findings(
        distinct.select(
            "row",
            "column",
            "value",
            pl.format(
                "the key {} {} in {} object(s) (the first is shown); left out of the processed series",
                pl.col("column").map_elements(repr, return_dtype=pl.String),
                pl.lit(why),
                pl.col("n"),
            ).alias("detail"),
        ),
        file,
        "not_a_category",
    )


def unmatched_systems(events: pl.DataFrame, file: str, *, model_list: str) -> pl.DataFrame:
    """One finding per model (``model``, ``source_row``) of ``events`` that the model list puts in no category.

    Parameters
    ----------
    events : polars.DataFrame
        The evidenced items: ``model``, ``system`` and ``source_row``.
    file : str
        The raw file the findings name.
    model_list : str
        The model list's file name, for the finding's detail.
    """
    if events.height == 0:
        return empty()
    distinct = events.group_by("model").agg(
        pl.col("source_row").min().alias("row"),
        pl.len().alias("n"),
        pl.col("system").sort_by("source_row").first().alias("system"),
    )
    return as_findings(
        distinct.select(
            "row",
            pl.lit("system").alias("column"),
            pl.col("system").alias("value"),
            pl.format(
                "{} names no category for {} ({} row(s) from row {}); these items have no category and are not "
                "counted on the event path",
                pl.lit(model_list),
                pl.col("model").map_elements(repr, return_dtype=pl.String),
                pl.col("n"),
                pl.col("row"),
            ).alias("detail"),
        ),
        file,
        "system_not_in_model_list",
    )


def lifecycle(
    series: pl.DataFrame,
    file: str,
    *,
    group: Sequence[str],
    column: str | pl.Expr | None = None,
    retire_after_days: int = 0,
) -> pl.DataFrame:
    """Categories that appear after the file's first date, or whose last row is well before its last date.

    A category retires when its last row is more than ``retire_after_days`` before the file's last date: 0 for
    a daily series (a missing key is a retired category), more for a series written only on change days.

    Parameters
    ----------
    series : polars.DataFrame
        The counts: ``group`` columns, ``date`` and ``source_row``.
    file : str
        The raw file the findings name.
    group : sequence of str
        The columns that key one category.
    column : str or polars.Expr, optional
        The finding's ``column``: the raw file's column (or key), or an expression giving it per row.
    retire_after_days : int, default 0
        As above.

    Examples
    --------
    >>> import datetime as dt
    >>> s = pl.DataFrame({"category": ["tank", "tank", "submarines"],
    ...                   "date": [dt.date(2022, 2, 25), dt.date(2023, 9, 14), dt.date(2023, 9, 14)],
    ...                   "source_row": [1, 567, 567]})
    >>> lifecycle(s, "e.json", group=["category"])["value"].to_list()
    ['submarines']

    Submarines first appear on 14 September 2023, after the series began.
    """
    if series.height == 0:
        return empty()
    first_date, last_date = series["date"].min(), series["date"].max()
    spans = series.group_by(group).agg(
        pl.col("date").min().alias("_first"),
        pl.col("date").max().alias("_last"),
        pl.col("source_row").sort_by("date").first().alias("_first_row"),
        pl.col("source_row").sort_by("date").last().alias("_last_row"),
    )
    column_expr = pl.lit(column) if isinstance(column, str) or column is None else column
    value = pl.col(group[-1])
    appears = spans.filter(pl.col("_first") > first_date).with_columns(column_expr.cast(pl.String).alias("_column"))
    retires = spans.filter((pl.lit(last_date) - pl.col("_last")).dt.total_days() > retire_after_days).with_columns(
        column_expr.cast(pl.String).alias("_column")
    )
    return combine(
        [
            as_findings(
                appears.select(
                    pl.col("_first_row").alias("row"),
                    pl.col("_column").alias("column"),
                    value.alias("value"),
                    pl.format(
                        "{} is first written on {}; the file starts on {}",
                        _label(group),
                        pl.col("_first"),
                        pl.lit(first_date),
                    ).alias("detail"),
                ),
                file,
                "category_appears",
            ),
            as_findings(
                retires.select(
                    pl.col("_last_row").alias("row"),
                    pl.col("_column").alias("column"),
                    value.alias("value"),
                    pl.format(
                        "{} is last written on {}; the file runs to {}",
                        _label(group),
                        pl.col("_last"),
                        pl.lit(last_date),
                    ).alias("detail"),
                ),
                file,
                "category_retires",
            ),
        ]
    )


def day_mismatches(frame: pl.DataFrame, file: str, *, epoch) -> pl.DataFrame:
    """Objects whose war-day number does not match their date, counting day 1 as ``epoch``.

    ``frame`` has one row per object: ``date``, ``day``, ``source_row``.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per object, as described above; a null ``day`` is not checked.
    file : str
        The raw file the findings name.
    epoch : datetime.date
        The date of war day 1.
    """
    expected = (pl.col("date") - pl.lit(epoch)).dt.total_days() + 1
    bad = frame.filter(pl.col("day").is_not_null() & (pl.col("day") != expected))
    return as_findings(
        bad.select(
            pl.col("source_row").alias("row"),
            pl.lit("day").alias("column"),
            pl.col("day").cast(pl.String).alias("value"),
            pl.format(
                "day {} is given for {}, which is day {} (day 1 = {}); kept as written",
                pl.col("day"),
                pl.col("date"),
                expected,
                pl.lit(epoch),
            ).alias("detail"),
        ),
        file,
        "day_mismatch",
    )


def total_mismatches(
    frame: pl.DataFrame, file: str, *, parts: Sequence[str], total: str, label: pl.Expr
) -> pl.DataFrame:
    """Rows whose ``total`` is not the sum of ``parts``.

    Parameters
    ----------
    frame : polars.DataFrame
        The rows, with ``parts``, ``total`` and ``source_row``.
    file : str
        The raw file the findings name.
    parts : sequence of str
        The columns that should add up to ``total``.
    total : str
        The column holding the row's total; it is the finding's ``column``.
    label : polars.Expr
        The finding's ``value``: the row in words.
    """
    summed = pl.sum_horizontal([pl.col(p) for p in parts])
    bad = frame.filter(summed != pl.col(total))
    return as_findings(
        bad.select(
            pl.col("source_row").alias("row"),
            pl.lit(total).alias("column"),
            pl.col(total).cast(pl.String).alias("value"),
            pl.format(
                "{}: {} is not the sum of {} ({}); the build uses the sum",
                label,
                pl.lit(total),
                pl.lit(", ".join(parts)),
                summed,
            ).alias("detail"),
        ),
        file,
        "total_mismatch",
    )


#: The rule of :func:`change_mismatches` (a row whose upstream change column disagrees with its totals).
CHANGE_MISMATCH = "change_mismatch"


def change_mismatches(
    frame: pl.DataFrame, file: str, *, group: Sequence[str], total: str, change: str, label: pl.Expr
) -> pl.DataFrame:
    """Rows whose upstream change column is not the difference between their total and the previous row's.

    ddj reads a change-only series from its totals (the change is this row's total minus the previous row's);
    an upstream ``change`` column that says otherwise was counted from a day the file does not hold (a scrape
    day missing from it) or was reset upstream. The totals agree with their parts (see :func:`total_mismatches`),
    so the build keeps reading the totals, and each such row is a finding naming both rows.

    Parameters
    ----------
    frame : polars.DataFrame
        The rows, with ``group``, ``date``, ``total``, ``change`` (text or numbers) and ``source_row``.
    file : str
        The raw file the findings name.
    group : sequence of str
        The columns one series is kept under (country and category).
    total : str
        The cumulative total ddj reads.
    change : str
        The upstream column that should equal the total's change since the previous row.
    label : polars.Expr
        The finding's ``value``: the row in words.

    Examples
    --------
    >>> import datetime as dt
    >>> f = pl.DataFrame({"c": ["Tanks"] * 3, "date": [dt.date(2022, 9, d) for d in (4, 5, 8)],
    ...                   "t": [1000, 1008, 1023], "d": ["0", "8", "11"], "source_row": [2, 3, 4]})
    >>> change_mismatches(f, "d.csv", group=["c"], total="t", change="d", label=pl.col("c"))["row"].to_list()
    [4]

    From 5 to 8 September the total rose by 15, but the change column says 11: it was counted from a day the
    file does not hold.
    """
    ordered = frame.sort([*group, "date", "source_row"]).with_columns(
        pl.col(total).shift().over(list(group)).alias("_previous"),
        pl.col("date").shift().over(list(group)).alias("_previous_date"),
        pl.col("source_row").shift().over(list(group)).alias("_previous_row"),
        pl.col(change).cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False).alias("_change"),
    )
    bad = ordered.filter(
        pl.col("_previous").is_not_null()
        & pl.col("_change").is_not_null()
        & (pl.col(total) - pl.col("_previous") != pl.col("_change"))
    )
    return as_findings(
        bad.select(
            pl.col("source_row").alias("row"),
            pl.lit(change).alias("column"),
            pl.col("_change").cast(pl.String).alias("value"),
            pl.format(
                "{}: the upstream {} says {} since the previous row, but {} went from {} (row {}, {}) to {} "
                "(a change of {}); the change was counted from a day the file does not hold, or reset upstream. "
                "The build reads {}, which agrees with its parts",
                label,
                pl.lit(change),
                pl.col("_change"),
                pl.lit(total),
                pl.col("_previous"),
                pl.col("_previous_row"),
                pl.col("_previous_date"),
                pl.col(total),
                pl.col(total) - pl.col("_previous"),
                pl.lit(total),
            ).alias("detail"),
        ),
        file,
        CHANGE_MISMATCH,
    )
