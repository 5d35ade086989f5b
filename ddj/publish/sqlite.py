"""Write a :class:`~ddj.publish.tables.Publication` to one SQLite file, the form Datasette serves.

Each table gets its column types (whole numbers and booleans as ``INTEGER``, numbers as ``REAL``, the rest as
``TEXT``: dates as ``YYYY-MM-DD``, lists as JSON text), ``NOT NULL`` on required columns, its primary key and its
foreign keys, an index on every foreign-key column and on the column a table's page is sorted by, and a full-text
index (SQLite FTS5, a ``<table>_fts`` table with ``content="<table>"``, which is how Datasette and sqlite-utils find
one) over its text columns. The views come last. The file is built next to the target and renamed onto it, so a
reader never sees half a database.

Identifiers are quoted and values are bound as parameters: nothing from a dataset is pasted into SQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import polars as pl

from ddj.errors import ExportError
from ddj.publish._target import atomic_path, check_file
from ddj.publish.tables import Publication, Table

_CHUNK = 200_000  # rows converted and inserted at a time: bounded memory on a million incidents


def quote(name: str) -> str:
    """An SQL identifier, double-quoted (a quote inside is doubled).

    Examples
    --------
    >>> quote('incidents'), quote('odd"name')
    ('"incidents"', '"odd""name"')
    """
    return '"' + str(name).replace('"', '""') + '"'


def column_type(dtype: pl.DataType) -> str:
    """The SQLite type a polars column is stored as.

    Examples
    --------
    >>> column_type(pl.Int64), column_type(pl.Boolean), column_type(pl.Float64), column_type(pl.Date)
    ('INTEGER', 'INTEGER', 'REAL', 'TEXT')
    """
    if dtype.is_integer() or dtype == pl.Boolean:
        return "INTEGER"
    if dtype.is_float() or dtype.is_decimal():
        return "REAL"
    return "TEXT"


def _json(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if isinstance(dtype, (pl.List, pl.Array)) and isinstance(dtype.inner, (pl.Enum, pl.Categorical)):
        expr = expr.cast(pl.List(pl.String))
    encoded = pl.struct(expr.alias("v")).struct.json_encode()  # '{"v":[...]}': the list is what follows '{"v":'
    return pl.when(expr.is_null()).then(None).otherwise(encoded.str.slice(5).str.head(-1))


def sql_columns(frame: pl.DataFrame) -> pl.DataFrame:
    r"""``frame`` with every column in the form SQLite stores it: dates as text, booleans as 1/0, lists as JSON.

    Examples
    --------
    >>> import datetime as dt
    >>> frame = pl.DataFrame({"d": [dt.date(2016, 8, 1)], "b": [True], "l": [["a", 'q"']]})
    >>> sql_columns(frame).row(0)
    ('2016-08-01', 1, '["a","q\\""]')
    """
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            exprs.append(col.dt.strftime("%Y-%m-%d"))
        elif dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            exprs.append(col.dt.strftime("%Y-%m-%dT%H:%M:%S%.f"))
        elif dtype == pl.Boolean:
            exprs.append(col.cast(pl.Int8))
        elif isinstance(dtype, (pl.List, pl.Array, pl.Struct)):
            exprs.append(_json(col, dtype).alias(name))
        elif isinstance(dtype, (pl.Enum, pl.Categorical)) or not (dtype.is_numeric() or dtype == pl.String):
            exprs.append(col.cast(pl.String))
        elif dtype.is_decimal():
            exprs.append(col.cast(pl.Float64))
        else:
            exprs.append(col)
    return frame.select(exprs)


def create_table_sql(table: Table) -> str:
    """The ``CREATE TABLE`` statement of a table: types, ``NOT NULL``, primary and foreign keys."""
    references = {column: (other, theirs) for column, other, theirs in table.foreign_keys}
    required = set(table.required) | set(table.primary_key)
    lines = []
    for name, dtype in table.frame.schema.items():
        line = f"  {quote(name)} {column_type(dtype)}"
        if name in required:
            line += " NOT NULL"
        if name in references:
            other, theirs = references[name]
            line += f" REFERENCES {quote(other)}({quote(theirs)})"
        lines.append(line)
    if table.primary_key:
        lines.append(f"  PRIMARY KEY ({', '.join(quote(c) for c in table.primary_key)})")
    return f"CREATE TABLE {quote(table.name)} (\n" + ",\n".join(lines) + "\n)"


def _insert(conn: sqlite3.Connection, table: Table) -> None:
    frame = table.frame
    marks = ", ".join("?" * frame.width)
    sql = f"INSERT INTO {quote(table.name)} VALUES ({marks})"  # noqa: S608 - a name from our own schema, quoted; values are bound
    for chunk in frame.iter_slices(_CHUNK):
        conn.executemany(sql, sql_columns(chunk).iter_rows())


def _indexes(table: Table) -> list[tuple[str, ...]]:
    wanted = [(column,) for column, _, _ in table.foreign_keys] + list(table.indexes)
    if table.sort:  # the page Datasette opens on is sorted by it
        wanted.append((table.sort,))
    out: list[tuple[str, ...]] = []
    for columns in wanted:
        covered = table.primary_key[: len(columns)] == columns  # the primary key's index serves it
        if not covered and columns not in out:
            out.append(columns)
    return out


def build(
    conn: sqlite3.Connection,
    publication: Publication,
    *,
    search: bool = True,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Create every table (rows, keys, indexes), full-text index (when ``search``) and view on ``conn``.

    Parameters
    ----------
    conn : sqlite3.Connection
        An open connection to an empty database, in autocommit mode (``isolation_level=None``): the build
        runs in one transaction of its own.
    publication : Publication
        What to write, from :func:`ddj.publish.tables.collect`.
    search : bool, default True
        Add an FTS5 full-text index over each table's searchable text columns.
    progress : callable, optional
        Called with each table's name before its rows are written, to show progress.
    """
    conn.execute("BEGIN")
    for table in publication.tables:
        if progress:
            progress(table.name)
        conn.execute(create_table_sql(table))
        _insert(conn, table)
    for table in publication.tables:
        for columns in _indexes(table):
            name = "idx_" + "_".join((table.name, *columns))
            conn.execute(f"CREATE INDEX {quote(name)} ON {quote(table.name)} ({', '.join(quote(c) for c in columns)})")
        if search and table.search:
            fts, cols = quote(f"{table.name}_fts"), ", ".join(quote(c) for c in table.search)
            conn.execute(f"CREATE VIRTUAL TABLE {fts} USING FTS5 ({cols}, content={quote(table.name)})")
            conn.execute(f"INSERT INTO {fts} (rowid, {cols}) SELECT rowid, {cols} FROM {quote(table.name)}")  # noqa: S608 - schema names
    for view in publication.views:
        conn.execute(f"CREATE VIEW {quote(view.name)} AS\n{view.sql}")
    conn.execute("COMMIT")


def write_sqlite(publication: Publication, target: str | Path, *, force: bool = False) -> Path:
    """Write ``publication`` to the SQLite file ``target``, atomically; return its path.

    Parameters
    ----------
    publication : Publication
        What to write, from :func:`ddj.publish.tables.collect`.
    target : str or pathlib.Path
        The SQLite file to write (``--sqlite``).
    force : bool, default False
        Replace an existing ``target``.

    Raises
    ------
    OutputLocationError
        ``target`` exists and ``force`` is false, is a folder, or its folder cannot be written.
    ddj.errors.ExportError
        Writing failed part-way (nothing is left at ``target`` but what was there before).
    """
    target = check_file(Path(target), force=force, option="--sqlite")
    with atomic_path(target) as tmp:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")  # a new file renamed into place when done: nothing to roll back
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
            conn.execute("PRAGMA temp_store = MEMORY")
            build(conn, publication)
        except sqlite3.OperationalError as err:  # a full disk, an I/O error: SQLite says which
            msg = f"cannot write {target}: {err}"
            raise ExportError(msg) from None
        finally:
            conn.close()
    return target
