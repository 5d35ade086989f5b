"""Read the Ukrainian General Staff's loss files (as structured by PetroIvaniuk/2022-Ukraine-Russia-War-Dataset).

``russia_losses_equipment.json`` and ``russia_losses_equipment_correction.json`` are JSON arrays with one object
per day: ``date``, ``day`` and one key per equipment category. :func:`read_daily_counts` turns either into a long
frame (date, day, category, value, source_row) without changing a value; keys that hold text rather than counts
are returned separately so that the build can report them. ``russia_losses_equipment_oryx.json`` is read by
:func:`read_model_list`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ddj.errors import ImportFormatError

#: Keys of a day's object that are not categories.
META_KEYS = ("date", "day")


def _read_array(path: Path) -> pl.DataFrame:
    frame = _read_array_any(Path(path))
    if frame.height == 0 or "date" not in frame.columns:
        msg = f"{path}: expected a JSON array of objects with a 'date' key; found none. Restore the file from upstream."
        raise ImportFormatError(msg, file=str(path), columns=("date",))
    return frame


def _dates(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    parsed = frame.with_columns(
        pl.col("date").cast(pl.String).str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("_date")
    )
    bad = parsed.filter(pl.col("_date").is_null())
    if bad.height:
        row, value = bad.row(0, named=True)["source_row"], bad.row(0, named=True)["date"]
        msg = (
            f"{path}, object {row}, key 'date': {value!r} is not a date written YYYY-MM-DD "
            f"({bad.height} object(s) like it). Restore the file from upstream."
        )
        raise ImportFormatError(msg, file=str(path), columns=("date",))
    day = pl.col("day").cast(pl.Int64, strict=False) if "day" in frame.columns else pl.lit(None, pl.Int64)
    return parsed.with_columns(pl.col("_date").alias("date"), day.alias("day")).drop("_date")


def read_daily_counts(path: Path, *, value_name: str = "value") -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read a General Staff JSON array into (long counts, text cells).

    Parameters
    ----------
    path
        ``russia_losses_equipment.json`` (cumulative totals) or ``russia_losses_equipment_correction.json``
        (revisions).
    value_name
        Name of the number column: ``value`` for totals, ``delta`` for revisions.

    Returns
    -------
    counts
        One row per object and category key holding a number: ``date``, ``day``, ``category``, the value,
        ``source_row`` (the object's position in the array, first = 1). A key missing from an object (the
        category did not exist that day) gives no row.
    text
        Cells of category keys that hold text instead of a number: ``source_row``, ``column``, ``value``.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "e.json").write_text(json.dumps([
    ...     {"date": "2022-02-25", "day": 2, "tank": 80, "direction": "Donetsk"},
    ...     {"date": "2022-02-26", "day": 3, "tank": 146}]))
    >>> counts, text = read_daily_counts(folder / "e.json")
    >>> counts["value"].to_list(), text["column"].to_list()
    ([80, 146], ['direction'])

    The tank totals become two rows; the text under ``direction`` is set aside to be reported.
    """
    path = Path(path)
    frame = _dates(_read_array(path), path)
    keys = [c for c in frame.columns if c not in (*META_KEYS, "source_row")]
    numeric = [k for k in keys if frame.schema[k].is_integer() or frame.schema[k].is_float()]
    textual = [k for k in keys if k not in numeric]
    # A text key whose values are numbers written as text is still a count; only real text is set aside.
    parsed = frame.with_columns(
        [pl.col(k).cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False).alias(f"_n_{k}") for k in textual]
    )
    mixed = [
        k
        for k in textual
        if parsed[f"_n_{k}"].null_count() < parsed.height and parsed[f"_n_{k}"].drop_nulls().len() > 0
    ]
    columns = {k: pl.col(k).cast(pl.Int64, strict=False) for k in numeric} | {k: pl.col(f"_n_{k}") for k in mixed}
    if columns:
        counts = (
            parsed.select("date", "day", "source_row", *[expr.alias(k) for k, expr in columns.items()])
            .unpivot(index=["date", "day", "source_row"], variable_name="category", value_name=value_name)
            .filter(pl.col(value_name).is_not_null())
            .select("date", "day", "category", value_name, "source_row")
            .sort("source_row", "category", maintain_order=True)
        )
    else:
        counts = pl.DataFrame(
            schema={
                "date": pl.Date,
                "day": pl.Int64,
                "category": pl.String,
                value_name: pl.Int64,
                "source_row": pl.Int64,
            }
        )
    text_parts = [
        parsed.filter(pl.col(k).is_not_null() & pl.col(f"_n_{k}").is_null()).select(
            "source_row", pl.lit(k).alias("column"), pl.col(k).cast(pl.String).alias("value")
        )
        for k in textual
    ]
    text = (
        pl.concat(text_parts)
        if text_parts
        else pl.DataFrame(schema={"source_row": pl.Int64, "column": pl.String, "value": pl.String})
    )
    return counts, text


def read_model_list(path: Path) -> pl.DataFrame:
    """Read ``russia_losses_equipment_oryx.json``: one row per weapon model with its Oryx and official category.

    Returns the columns ``equipment_oryx``, ``model``, ``manufacturer``, ``losses_total``, ``equipment_ua`` and
    ``source_row`` (the object's position, first = 1), unchanged.
    """
    path = Path(path)
    frame = _read_array_any(path)
    missing = [c for c in ("equipment_oryx", "model", "equipment_ua") if c not in frame.columns]
    if missing:
        msg = (
            f"{path}: the model list needs the key(s) {', '.join(missing)} in every object. "
            "Restore the file from upstream."
        )
        raise ImportFormatError(msg, file=str(path), columns=tuple(missing))
    return frame


def _read_array_any(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_json(path, infer_schema_length=None)
    except FileNotFoundError:
        msg = f"{path}: the file is missing. Restore it from the upstream repository (see the datasheet)."
        raise ImportFormatError(msg, file=str(path)) from None
    except (pl.exceptions.PolarsError, OSError, ValueError) as err:
        msg = f"{path}: cannot be read as a JSON array of objects ({err}). Restore the file from upstream."
        raise ImportFormatError(msg, file=str(path)) from err
    return frame.with_row_index("source_row", offset=1).with_columns(pl.col("source_row").cast(pl.Int64))
