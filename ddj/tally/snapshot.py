"""Checks a build runs on new raw files before it writes anything: the crosswalk covers them, no history was lost.

A newer upstream snapshot can rename a category, add one, drop one, or carry less history than the dataset it
would replace (a partial download, an upstream cut: tanks starting in 2025 in a 2025 snapshot). Written as it
is, such a package either fails validation (a category the crosswalk does not declare, a crosswalk row naming a
category that is gone) or silently compares claims with a documented count that lost its past. Both are refused
here, before a byte is written, with a message naming the category, the file and row, and what to do.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ddj.errors import CrosswalkGapError, HistoryTruncatedError

#: Where each processed table's categories come from, to name the raw file and column in a message.
RAW_SOURCES = {
    "official_series": ("ua-genstaff-official/russia_losses_equipment.json", "(key)"),
    "documented_series": ("oryx-losses/daily_count.csv", "equipment_type"),
    "documented_events": ("ua-genstaff-official/russia_losses_equipment_oryx.json", "equipment_oryx"),
}
#: The processed tables whose history a rebuild must keep, and the raw file each comes from.
HISTORY_TABLES = ("official_series", "documented_series")


def _categories(tables: dict[str, pl.DataFrame], name: str, side: str) -> pl.DataFrame:
    frame = tables.get(name)
    if frame is None or frame.height == 0:
        return pl.DataFrame(
            schema={
                "side": pl.String,
                "category": pl.String,
                "table": pl.String,
                "first_date": pl.Date,
                "last_date": pl.Date,
                "row": pl.Int64,
            }
        )
    row = pl.col("source_row") if "source_row" in frame.columns else pl.lit(None, pl.Int64)
    return (
        frame.filter(pl.col("category").is_not_null())
        .group_by("category")
        .agg(
            pl.col("date").min().alias("first_date"),
            pl.col("date").max().alias("last_date"),
            row.sort_by(pl.col("date")).first().cast(pl.Int64).alias("row"),
        )
        .select(pl.lit(side).alias("side"), "category", pl.lit(name).alias("table"), "first_date", "last_date", "row")
    )


def crosswalk_gaps(tables: dict[str, pl.DataFrame], crosswalk: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Categories of the data that no crosswalk row names, and crosswalk categories the data no longer has.

    Parameters
    ----------
    tables
        The processed tables of a build (``official_series``, ``documented_series``, ``documented_events``).
    crosswalk
        The declared crosswalk.

    Returns
    -------
    undeclared
        ``side``, ``category``, ``table``, ``first_date``, ``last_date``, ``row`` (the raw row it is first
        written on): a category on no crosswalk row of its side, paired or declared to match nothing.
    vanished
        ``side``, ``category``, ``row`` (the crosswalk's row, header = row 1), ``official_category``,
        ``in_events``: a category a crosswalk row names that the series of its side no longer holds;
        ``in_events`` is true when the documented events (whose categories come from the model list) still have
        it, so the package stays valid but the series lost it (a rename's old name, typically).

    Examples
    --------
    >>> import datetime as dt
    >>> tables = {"official_series": pl.DataFrame({"date": [dt.date(2024, 1, 1)], "category": ["tank"]}),
    ...           "documented_series": pl.DataFrame({"date": [dt.date(2024, 1, 1)], "category": ["Main Tanks"]})}
    >>> cw = pl.DataFrame({"official_category": ["tank"], "documented_category": ["Tanks"]})
    >>> undeclared, vanished = crosswalk_gaps(tables, cw)
    >>> undeclared["category"].to_list(), vanished["category"].to_list()
    (['Main Tanks'], ['Tanks'])

    Upstream renamed Tanks to Main Tanks: the new name is in no crosswalk row and the old one is in no data.
    """
    present = pl.concat(
        [
            _categories(tables, "official_series", "official"),
            _categories(tables, "documented_series", "documented"),
            _categories(tables, "documented_events", "documented"),
        ]
    )
    numbered = crosswalk.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    declared = pl.concat(
        [
            numbered.select(
                pl.lit("official").alias("side"),
                pl.col("official_category").alias("category"),
                "row",
                "official_category",
            ),
            numbered.select(
                pl.lit("documented").alias("side"),
                pl.col("documented_category").alias("category"),
                "row",
                "official_category",
            ),
        ]
    ).filter(pl.col("category").is_not_null())
    undeclared = (
        present.join(declared.select("side", "category").unique(), on=["side", "category"], how="anti")
        .sort("side", "category", "table")
        .unique(["side", "category"], keep="first", maintain_order=True)
    )
    # The series is what a snapshot renames; the events take their categories from the model list.
    series = present.filter(pl.col("table") != "documented_events").select("side", "category").unique()
    events = present.filter(pl.col("table") == "documented_events").select("category").unique()
    has_series = tables.get("documented_series") is not None and tables["documented_series"].height > 0
    vanished = (
        declared.join(
            series if has_series else present.select("side", "category").unique(), on=["side", "category"], how="anti"
        )
        .with_columns(
            ((pl.col("side") == "documented") & pl.col("category").is_in(events["category"].implode())).alias(
                "in_events"
            )
        )
        .select("side", "category", "row", "official_category", "in_events")
        .sort("row", "side")
    )
    return undeclared, vanished


def crosswalk_notes(tables: dict[str, pl.DataFrame], crosswalk: pl.DataFrame) -> list[str]:
    """What a build that goes ahead must still say: crosswalk categories the documented series no longer holds.

    Such a category is not refused (the events, whose categories come from the model list, still have it, so the
    crosswalk row is still needed), but its official category is no longer compared with the series.
    """
    _, vanished = crosswalk_gaps(tables, crosswalk)
    return [
        f"crosswalk.csv, row {r['row']}: {r['category']!r} is no longer in {RAW_SOURCES['documented_series'][0]} "
        f"(only the model list still names it); {r['official_category'] or 'its official category'} is no "
        "longer compared with it on the series"
        for r in vanished.filter(pl.col("in_events")).iter_rows(named=True)
    ]


def _crosswalk_row(official: str | None, documented: str | None, note: str) -> str:
    def cell(text: str | None) -> str:
        text = text or ""
        return f'"{text}"' if any(ch in text for ch in ',"') else text

    return ",".join([cell(official), cell(documented), "1", "", "", "ddj", cell(note)])


def check_crosswalk(
    tables: dict[str, pl.DataFrame], crosswalk: pl.DataFrame, *, crosswalk_path: Path, dataset: str
) -> None:
    """Refuse raw files the crosswalk does not cover, naming each category and the crosswalk row to add.

    Parameters
    ----------
    tables : dict of str to polars.DataFrame
        The processed tables of the build (``official_series``, ``documented_series``, ``documented_events``).
    crosswalk : polars.DataFrame
        The declared crosswalk, pairing each documented category with an official one (or with none).
    crosswalk_path : pathlib.Path
        The crosswalk's file, named in the error so it can be edited.
    dataset : str
        The dataset's name, for the error's first line.

    Raises
    ------
    CrosswalkGapError
        A category of the data is on no crosswalk row, or a crosswalk row names a category the data lacks.
    """
    undeclared, vanished = crosswalk_gaps(tables, crosswalk)
    if undeclared.height == 0 and vanished.filter(~pl.col("in_events")).height == 0:
        return
    lines = [f"{dataset}: the crosswalk does not match the raw files; nothing was written."]
    gone_documented = vanished.filter(pl.col("side") == "documented")
    for record in undeclared.iter_rows(named=True):
        file, column = RAW_SOURCES[record["table"]]
        where = f"{file}" + (f", row {record['row']}" if record["row"] is not None else "") + f", {column}"
        lines.append(
            f"  - {where}: {record['side']} category {record['category']!r} (written from "
            f"{record['first_date']} to {record['last_date']}) is in no row of {crosswalk_path.name}."
        )
    for record in vanished.iter_rows(named=True):
        column = "official_category" if record["side"] == "official" else "documented_category"
        where = (
            f"no longer in {RAW_SOURCES['documented_series'][0]} (only the model list still names it)"
            if record["in_events"]
            else f"no longer a {record['side']} category of the raw files"
        )
        lines.append(
            f"  - {crosswalk_path.name}, row {record['row']}, {column}: {record['category']!r} is {where} "
            "(renamed or dropped upstream?)."
        )
    lines.append(
        f"What to do: edit {crosswalk_path} (columns official_category,documented_category,"
        "crosswalk_version,valid_from,valid_to,basis,note), then run the build again."
    )
    for record in undeclared.iter_rows(named=True):
        name = record["category"]
        if record["side"] == "documented":
            guesses = gone_documented["official_category"].drop_nulls().unique(maintain_order=True).to_list()
            if len(guesses) == 1:
                old = gone_documented.filter(pl.col("official_category") == guesses[0])["category"][0]
                row = _crosswalk_row(guesses[0], name, f"renamed upstream from '{old}'")
                lines.append(f"  add, if {name!r} is {old!r} renamed:  {row}")
            else:
                row = _crosswalk_row("OFFICIAL CATEGORY", name, "why these items are the official category's")
                lines.append(f"  add, pairing {name!r} with the official category whose items it counts:  {row}")
            row = _crosswalk_row(None, name, "why no official category counts these items")
            lines.append(f"  or, if no official category counts these items:  {row}")
        else:
            row = _crosswalk_row(name, "DOCUMENTED CATEGORY", "why these items are the documented category's")
            lines.append(f"  add, pairing {name!r} with the documented category that counts its items:  {row}")
            row = _crosswalk_row(name, None, "why no documented category counts these items")
            lines.append(f"  or, if no documented category counts them:  {row}")
    for record in vanished.filter(~pl.col("in_events")).iter_rows(named=True):
        lines.append(
            f"  remove row {record['row']} ({record['category']!r}), or keep it only if the raw files "
            "are the wrong snapshot."
        )
    raise CrosswalkGapError("\n".join(lines), undeclared=undeclared, vanished=vanished)


def _spans(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by("category").agg(
        pl.col("date").min().alias("first_date"),
        pl.col("date").max().alias("last_date"),
        pl.col("date").unique().alias("dates"),
    )


def _renamed(before: pl.DataFrame, after: pl.DataFrame, crosswalk: pl.DataFrame | None) -> pl.DataFrame:
    """Documented categories gone from the series whose official category the crosswalk pairs with a new one."""
    if crosswalk is None:
        return pl.DataFrame(schema={"category": pl.String})
    old = set(before["category"].drop_nulls().to_list())
    new = set(after["category"].drop_nulls().to_list())
    pairs = crosswalk.filter(pl.col("official_category").is_not_null() & pl.col("documented_category").is_not_null())
    successors = pairs.filter(pl.col("documented_category").is_in(sorted(new - old)))["official_category"]
    return (
        pairs.filter(
            pl.col("documented_category").is_in(sorted(old - new))
            & pl.col("official_category").is_in(successors.implode())
        )
        .select(pl.col("documented_category").alias("category"))
        .unique()
    )


def history_losses(
    previous: dict[str, pl.DataFrame], tables: dict[str, pl.DataFrame], crosswalk: pl.DataFrame | None = None
) -> pl.DataFrame:
    """What a new build's series lack of the history the previous build of the same dataset had.

    Parameters
    ----------
    previous
        The processed tables the dataset holds now (``official_series``, ``documented_series``); a missing one
        is skipped (a first build loses nothing).
    tables
        The tables of the new build.
    crosswalk
        The declared crosswalk: a documented category gone from the series is a rename, not a loss, when the
        crosswalk pairs its official category with a category new in this build.

    Returns
    -------
    polars.DataFrame
        One row per table and category that lost history: ``table``, ``category``, ``previous_first``,
        ``previous_last``, ``first_date``, ``last_date`` (the new span), ``missing_dates`` (dates the previous
        build had and the new one lacks) and ``first_missing``. A category missing from the new series
        altogether has no new span (null dates) and every date missing.

    Examples
    --------
    >>> import datetime as dt
    >>> old = pl.DataFrame({"date": [dt.date(2022, 3, 1), dt.date(2024, 6, 1)], "category": ["Tanks"] * 2})
    >>> new = pl.DataFrame({"date": [dt.date(2024, 6, 1), dt.date(2025, 1, 1)], "category": ["Tanks"] * 2})
    >>> history_losses({"documented_series": old}, {"documented_series": new}).select(
    ...     "category", "first_date", "missing_dates").rows()
    [('Tanks', datetime.date(2024, 6, 1), 1)]

    The new snapshot's tanks start in June 2024: the count written on 1 March 2022 is gone.
    """
    parts = []
    for name in HISTORY_TABLES:
        before, after = previous.get(name), tables.get(name)
        if before is None or after is None or before.height == 0:
            continue
        joined = _spans(before).join(_spans(after), on="category", how="left", suffix="_new")
        if name == "documented_series":
            joined = joined.join(_renamed(before, after, crosswalk), on="category", how="anti")
        joined = joined.with_columns(pl.col("dates_new").fill_null(pl.lit([], pl.List(pl.Date))))
        parts.append(
            joined.select(
                pl.lit(name).alias("table"),
                "category",
                pl.col("first_date").alias("previous_first"),
                pl.col("last_date").alias("previous_last"),
                pl.col("first_date_new").alias("first_date"),
                pl.col("last_date_new").alias("last_date"),
                pl.col("dates").list.set_difference(pl.col("dates_new")).alias("_missing"),
            )
            .with_columns(
                pl.col("_missing").list.len().cast(pl.Int64).alias("missing_dates"),
                pl.col("_missing").list.min().alias("first_missing"),
            )
            .drop("_missing")
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "table": pl.String,
                "category": pl.String,
                "previous_first": pl.Date,
                "previous_last": pl.Date,
                "first_date": pl.Date,
                "last_date": pl.Date,
                "missing_dates": pl.Int64,
                "first_missing": pl.Date,
            }
        )
    return (
        pl.concat(parts)
        .filter(
            (pl.col("missing_dates") > 0)
            | pl.col("last_date").is_null()
            | (pl.col("last_date") < pl.col("previous_last"))
        )
        .sort("table", "category")
    )


def read_previous(folder: Path) -> dict[str, pl.DataFrame]:
    """The series the dataset in ``folder`` holds now (only ``date`` and ``category``), for :func:`history_losses`.

    A file that is missing or unreadable is left out: it has no history to lose, and the build rewrites it.
    """
    previous = {}
    for name in HISTORY_TABLES:
        path = Path(folder) / f"{name}.csv"
        try:
            frame = pl.read_csv(path, columns=["date", "category"], schema_overrides={"category": pl.String})
            previous[name] = frame.with_columns(pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        except (OSError, pl.exceptions.PolarsError):
            continue
    return previous


def check_history(
    previous: dict[str, pl.DataFrame],
    tables: dict[str, pl.DataFrame],
    *,
    folder: Path,
    dataset: str,
    crosswalk: pl.DataFrame | None = None,
) -> None:
    """Refuse a build whose series hold less history than the files it would replace.

    Refused rather than flagged: a fact-checker comparing claims with a documented count needs every earlier
    day of that count; a shorter history would silently change every ratio over the lost span.

    Parameters
    ----------
    previous : dict of str to polars.DataFrame
        The processed tables the dataset holds now, by name; a missing one is skipped (a first build loses nothing).
    tables : dict of str to polars.DataFrame
        The processed tables the build would write, by name.
    folder : pathlib.Path
        The dataset's folder, named in the error.
    dataset : str
        The dataset's name, for the error's first line.
    crosswalk : polars.DataFrame, optional
        The declared crosswalk: a documented category gone from the series is a rename, not a loss, when it
        pairs the category's official category with one new in this build. None treats every gone category as lost.

    Raises
    ------
    HistoryTruncatedError
        A category starts later, ends earlier, lacks dates the previous build had, or is gone (unless the
        crosswalk declares its successor).
    """
    losses = history_losses(previous, tables, crosswalk)
    if losses.height == 0:
        return
    lines = [f"{dataset}: the new raw files hold less history than the dataset in {folder}; nothing was written."]
    for record in losses.iter_rows(named=True):
        file = RAW_SOURCES[record["table"]][0]
        what = []
        if record["first_date"] is None:
            what.append(f"is gone (it ran from {record['previous_first']} to {record['previous_last']})")
        elif record["first_date"] > record["previous_first"]:
            what.append(f"starts on {record['first_date']} instead of {record['previous_first']}")
        if record["last_date"] is not None and record["last_date"] < record["previous_last"]:
            what.append(f"ends on {record['last_date']} instead of {record['previous_last']}")
        what.append(
            f"lacks {record['missing_dates']} date(s) {record['table']}.csv has"
            + (f", from {record['first_missing']}" if record["first_missing"] else "")
        )
        lines.append(f"  - {file}: {record['category']!r} {'; '.join(what)}.")
    lines.append(
        "What to do: check the snapshot (a partial download, or upstream cut its history) and build from a "
        "complete one; the previous raw files are in git. If upstream really rewrote its history and you "
        "mean to publish that, build it as a new dataset: copy the folder, delete its "
        f"{' and '.join(f'{t}.csv' for t in HISTORY_TABLES)}, and run the build with --folder on the copy."
    )
    raise HistoryTruncatedError("\n".join(lines), losses=losses)
