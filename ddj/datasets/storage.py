"""The model's column types, and writing a package's table with them so that loading it costs no casts.

:func:`ddj.load` returns each resource with the polars types of its Table Schema: ``Int64`` for an integer,
``Float64`` for a number, ``Date`` for a date and, in an incident package, a ``pl.Enum`` of its words for each
vocabulary column (a string field with an ``enum`` constraint). A Parquet file that already stores those types
is read as it is (see :func:`ddj.datasets.loading.validate_once`); one that stores text (a CSV file, a Parquet file
written by an older ddj or another program) is cast on every load, which on four million accounts costs about as
much as reading them.

:func:`write_table` is the one function importers and package writers use to write a resource: Parquet with the
model's types (vocabulary columns as ``pl.Enum``), or CSV as text in the schema's column order.
:func:`model_dtypes` and :func:`with_model_dtypes` are its parts.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import polars as pl

from ddj.datasets.dataset_kind import DatasetKind
from ddj.errors import InvalidValueError, NotFoundError, UnusableDataError

__all__ = ["field_dtype", "model_dtypes", "with_model_dtypes", "write_table"]

_TYPES: dict[str, pl.DataType] = {
    "integer": pl.Int64(),
    "number": pl.Float64(),
    "year": pl.Int32(),
    "date": pl.Date(),
    "datetime": pl.Datetime(),
    "boolean": pl.Boolean(),
    "string": pl.String(),
}


def field_dtype(field: dict, *, enums: bool) -> pl.DataType:
    """The polars type :func:`ddj.load` gives a Table Schema field (a vocabulary field is a ``pl.Enum`` with ``enums``).

    Examples
    --------
    >>> field_dtype({"name": "side", "type": "string", "constraints": {"enum": ["official", "unofficial"]}}, enums=True)
    Enum(categories=['official', 'unofficial'])

    A vocabulary column of an incident package is typed by its words.
    """
    from ddj.datasets.tableschema import _vocabulary_field

    if enums and _vocabulary_field(field):
        return pl.Enum(field["constraints"]["enum"])
    return _TYPES.get(field.get("type", "string"), pl.String())


def _kind(kind: str | DatasetKind) -> DatasetKind:
    if isinstance(kind, DatasetKind):
        return kind
    from ddj.datasets.kinds import KINDS

    try:
        return KINDS[kind]
    except KeyError:
        msg = f"unknown ddj kind {kind!r}; ddj knows: {', '.join(KINDS)}"
        raise InvalidValueError(msg) from None


def model_dtypes(resource: str, kind: str | DatasetKind = "incidents") -> dict[str, pl.DataType]:
    """The polars type of each column of ``resource``, in the schema's order, as :func:`ddj.load` returns them.

    Examples
    --------
    >>> dtypes = model_dtypes("accounts")
    >>> dtypes["published_date"], dtypes["certainty"]
    (Date, Enum(categories=['reported', 'uncertain']))

    Dates are dates and the vocabulary column ``certainty`` holds one of its two words.
    """
    found = _kind(kind)
    try:
        schema = found.schemas[resource]
    except KeyError:
        msg = f"a {found.name} package has no resource {resource!r}; it has: {', '.join(found.schemas)}"
        raise NotFoundError(msg) from None
    return {f["name"]: field_dtype(f, enums=found.enum_dtypes) for f in schema["fields"]}


def _castable(source: pl.DataType, target: pl.DataType) -> bool:
    """Whether ``source`` becomes ``target`` without losing or changing a value (checked for words separately)."""
    if source == pl.Null:
        return True
    if source.is_integer() and target.is_integer():
        return True  # a cast that overflows raises: validation then reports the column
    return source.is_float() and target == pl.Float64


def with_model_dtypes(frame: pl.DataFrame, resource: str, kind: str | DatasetKind = "incidents") -> pl.DataFrame:
    """``frame`` with the columns of ``resource`` in the schema's order and, where it is safe, the model's types.

    A vocabulary column becomes its ``pl.Enum`` when every value is one of its words (a column with another
    value stays text, so that validation names the row); an empty column, a narrower integer or a ``Float32``
    takes the model's type. Other columns are left as they are: a text column of numbers or dates stays text
    and validation says which cell is not of its type. A column the schema lacks is added empty; a column the
    schema does not know is an error.

    Parameters
    ----------
    frame : polars.DataFrame
        The table to write; it is not changed.
    resource : str
        The resource's name (``incidents``, ``accounts``, ...).
    kind : str or DatasetKind, default "incidents"
        The package's kind.

    Raises
    ------
    UnusableDataError
        ``frame`` has a column the resource's schema does not name (the message names it).
    """
    dtypes = model_dtypes(resource, kind)
    unknown = [c for c in frame.columns if c not in dtypes]
    if unknown:
        msg = f"the {resource} table has column(s) the model does not know: {', '.join(unknown)}"
        raise UnusableDataError(msg)
    fits: dict[str, bool] = {}
    words = {c: d for c, d in dtypes.items() if isinstance(d, pl.Enum) and c in frame.columns}
    if words:
        row = frame.select(
            [
                (pl.col(c).is_null() | pl.col(c).cast(pl.String).is_in(d.categories.to_list())).all().alias(c)
                for c, d in words.items()
            ]
        ).row(0)
        fits = dict(zip(words, row, strict=True))
    columns = []
    for name, dtype in dtypes.items():
        if name not in frame.columns:
            columns.append(pl.repeat(None, frame.height, dtype=dtype).alias(name))  # a lit() alone is one row
            continue
        source = frame.schema[name]
        if source == dtype:
            columns.append(pl.col(name))
        elif isinstance(dtype, pl.Enum) and fits[name]:
            columns.append(pl.col(name).cast(pl.String).cast(dtype))
        elif _castable(source, dtype):
            columns.append(pl.col(name).cast(dtype))
        else:
            columns.append(pl.col(name))
    return frame.select(columns)


def write_table(
    frame: pl.DataFrame, path: str | os.PathLike, resource: str, kind: str | DatasetKind = "incidents"
) -> Path:
    """Write one resource of a package: Parquet with the model's types, or CSV as text, chosen by the suffix.

    Parquet keeps the types of :func:`with_model_dtypes` (vocabulary columns as ``pl.Enum``, so that
    :func:`ddj.load` reads them without a cast) and column statistics (so that a scoped load,
    ``ddj.load(..., incidents=[...])``, skips the row groups of other incidents). CSV is written in the
    schema's column order with ISO dates and Unix line ends. The file is replaced atomically.

    Parameters
    ----------
    frame : polars.DataFrame
        The table; it is not changed.
    path : str or os.PathLike
        The file to write, ending in ``.parquet`` or ``.csv``.
    resource : str
        The resource's name (``incidents``, ``accounts``, ...).
    kind : str or DatasetKind, default "incidents"
        The package's kind.

    Raises
    ------
    InvalidValueError
        The suffix is neither ``.parquet`` nor ``.csv``.
    UnusableDataError
        ``frame`` has a column the schema does not name.

    Examples
    --------
    >>> import tempfile
    >>> frame = pl.DataFrame({"source_id": ["s1"], "name": ["Ministry"], "kind": ["official_military"]})
    >>> path = write_table(frame, Path(tempfile.mkdtemp()) / "sources.parquet", "sources")
    >>> isinstance(pl.read_parquet_schema(path)["kind"], pl.Enum), pl.read_parquet(path).columns
    (True, ['source_id', 'name', 'kind', 'country', 'notes'])

    The source's kind is stored as a word of its vocabulary, which loading reads as it is; the columns the frame
    lacked are written empty.
    """
    from ddj._io import atomic_write_bytes

    target = Path(path)
    typed = with_model_dtypes(frame, resource, kind)
    buffer = io.BytesIO()
    if target.suffix == ".parquet":
        typed.write_parquet(buffer, statistics=True)
    elif target.suffix == ".csv":
        typed.write_csv(buffer, line_terminator="\n", date_format="%Y-%m-%d")
    else:
        msg = f"{target}: write a resource as .parquet or .csv, not {target.suffix or 'a file without a suffix'}"
        raise InvalidValueError(msg)
    atomic_write_bytes(target, buffer.getvalue())
    return target
