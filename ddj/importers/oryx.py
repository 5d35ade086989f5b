"""Read the Oryx loss files (as scraped by scarnecchia/oryx_data).

``daily_count.csv`` holds cumulative counts per country, category and status, written only on days a count
changed; ``event_<status>.csv`` hold one row per piece of evidence. The readers type the columns, keep the raw row
of every value (header = row 1) and change nothing; a cell that is not of its type is an error naming its row.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ddj.errors import ImportFormatError, Problem, validation_error
from ddj.importers._common import require_columns

STATUSES = ("destroyed", "damaged", "abandoned", "captured")
DAILY_COLUMNS = ("country", "equipment_type", *STATUSES, "type_total", "date_recorded")
EVENT_COLUMNS = ("country", "system", "status", "date_recorded")
EVENT_FILES = tuple(f"event_{status}.csv" for status in STATUSES)

#: Values of ``equipment_type`` that are totals over categories, not categories.
AGGREGATES = ("All Types",)
#: Leading item numbers some ``system`` values carry ("167 Unknown BMP-1/2").
ITEM_NUMBER = r"^\d+\s+"


def is_category(column: str = "equipment_type") -> pl.Expr:
    """True where ``column`` names a category: not a total ('All Types') and not summary text with figures.

    Examples
    --------
    >>> frame = pl.DataFrame({"equipment_type": ["Tanks", "All Types", "Losses excluding Trucks - 14144"]})
    >>> frame.select(is_category())["equipment_type"].to_list()
    [True, False, False]

    Only ``Tanks`` is a category: the others are a grand total and a summary line that carries numbers.
    """
    text = pl.col(column).str.strip_chars()
    return ~text.is_in(list(AGGREGATES)) & ~text.str.contains(r"\d")


def _read_text_csv(path: Path, required: tuple[str, ...], fmt: str) -> pl.DataFrame:
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: the file is missing. Restore it from the upstream repository (see the datasheet)."
        raise ImportFormatError(msg, file=str(path))
    try:
        frame = pl.read_csv(path, infer_schema=False, raise_if_empty=False)
    except pl.exceptions.PolarsError as err:
        msg = f"{path}: cannot be parsed as CSV ({err}). Restore the file byte for byte from upstream."
        raise ImportFormatError(msg, file=str(path)) from err
    require_columns(frame.columns, required, file=path, fmt=fmt)
    return frame.with_row_index("source_row", offset=2).with_columns(pl.col("source_row").cast(pl.Int64))


def _typed(frame: pl.DataFrame, path: Path, integers: tuple[str, ...], dates: tuple[str, ...]) -> pl.DataFrame:
    casts = [pl.col(c).str.strip_chars().cast(pl.Int64, strict=False).alias(c) for c in integers]
    casts += [pl.col(c).str.strip_chars().str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias(c) for c in dates]
    typed = frame.with_columns(casts)
    problems = []
    for column in (*integers, *dates):
        bad = frame.filter(pl.col(column).is_not_null() & typed[column].is_null()).select("source_row", column)
        word = "a whole number" if column in integers else "a date written YYYY-MM-DD"
        for row, value in bad.head(20).iter_rows():
            problems.append(
                Problem(
                    path.name,
                    row,
                    column,
                    value,
                    "type",
                    f"{value!r} is not {word}",
                    "restore the file from upstream; ddj does not edit raw files",
                    "TypeViolation",
                )
            )
    if problems:
        raise validation_error(problems)
    return typed


def read_daily_count(path: Path) -> pl.DataFrame:
    """Read ``daily_count.csv`` with typed counts and dates, every row kept, plus ``source_row``.

    Raises
    ------
    ImportFormatError
        A required column is missing.
    ValidationError
        A count or date cell is not of its type (the message names the row and column).
    """
    path = Path(path)
    frame = _read_text_csv(path, DAILY_COLUMNS, "Oryx daily_count")
    return _typed(frame, path, (*STATUSES, "type_total"), ("date_recorded",))


def read_events(folder: Path) -> pl.DataFrame:
    """Read the four ``event_<status>.csv`` files of ``folder`` into one frame with ``source_file``/``source_row``.

    Every row is kept; ``date_recorded`` is typed as a date.
    """
    folder = Path(folder)
    parts = []
    for name in EVENT_FILES:
        frame = _read_text_csv(folder / name, EVENT_COLUMNS, "Oryx event list")
        frame = _typed(frame, folder / name, (), ("date_recorded",))
        parts.append(frame.with_columns(pl.lit(name).alias("source_file")))
    return pl.concat(parts, how="diagonal_relaxed")


def model_name(column: str = "system") -> pl.Expr:
    """The system's name without a leading item number and surrounding spaces, to match against a model list.

    Examples
    --------
    >>> pl.DataFrame({"system": ["167 Unknown BMP-1/2", "T-72B"]}).select(model_name())["system"].to_list()
    ['Unknown BMP-1/2', 'T-72B']

    The item number 167 is not part of the model's name.
    """
    return pl.col(column).str.replace(ITEM_NUMBER, "").str.strip_chars()
