"""The published tables and views as CSV or JSON files, one file per table, for those who do not use Datasette.

The files hold exactly what the SQLite export holds (they are read back from the same database, built in
memory): dates as ``YYYY-MM-DD``, booleans as 1 and 0, lists as JSON text in CSV and as arrays in JSON. Each
file is written whole or not at all.

Text from a dataset is untrusted. A spreadsheet opening a CSV runs a cell that begins with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return) as a formula, which can fetch URLs or run commands; such a text
cell is written with a ``'`` before it, as OWASP advises ("CSV injection"), so a spreadsheet shows it as text.
Numbers are never changed. JSON needs no such care.
"""

from __future__ import annotations

import csv
import functools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ddj.publish._target import atomic_text, check_folder
from ddj.publish.sqlite import build, quote
from ddj.publish.tables import Publication

#: The first characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    r"""A CSV cell a spreadsheet will not run: text starting like a formula gets a ``'`` before it.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://evil.example","click")')
    '\'=HYPERLINK("http://evil.example","click")'
    >>> neutralise("-3 killed"), neutralise(-3), neutralise("Syria")
    ("'-3 killed", -3, 'Syria')

    Only text is changed: the number -3 stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def file_names(publication: Publication, suffix: str) -> list[str]:
    """The files a folder export writes: one per table and view, ``<name><suffix>``."""
    return [f"{name}{suffix}" for name in publication.names]


def _contents(publication: Publication) -> Iterator[tuple[str, sqlite3.Cursor, tuple[str, ...]]]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        build(conn, publication, search=False)
        items = [(t.name, t.json_columns) for t in publication.tables]
        items += [(v.name, v.json_columns) for v in publication.views]
        for name, json_columns in items:
            cursor = conn.execute(f"SELECT * FROM {quote(name)}")  # noqa: S608 - table names from our own schema, quoted
            yield name, cursor, json_columns
    finally:
        conn.close()


def write_csv(publication: Publication, folder: str | Path, *, force: bool = False) -> list[Path]:
    r"""Write every table and view of ``publication`` as ``<name>.csv`` into ``folder``; return the paths.

    UTF-8, a header row, ``\n`` line ends, empty cells for nulls; formula-like text neutralised (:func:`neutralise`).

    Parameters
    ----------
    publication : Publication
        What to write, from :func:`ddj.publish.tables.collect`.
    folder : str or pathlib.Path
        The folder to write into, created if need be.
    force : bool, default False
        Replace files of the same names already in ``folder``; without it they are refused with a
        :class:`~ddj.errors.OutputLocationError` before anything is written.
    """
    folder = check_folder(Path(folder), file_names(publication, ".csv"), force=force)
    written = []
    for name, cursor, _ in _contents(publication):
        target = folder / f"{name}.csv"
        with atomic_text(target) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([d[0] for d in cursor.description])
            for rows in iter(functools.partial(cursor.fetchmany, 10_000), []):
                writer.writerows([neutralise(v) for v in row] for row in rows)
        written.append(target)
    return written


def write_json(publication: Publication, folder: str | Path, *, force: bool = False) -> list[Path]:
    """Write every table and view of ``publication`` as ``<name>.json`` into ``folder``; return the paths.

    Each file is a JSON array of objects, one line per row, as Datasette's ``?_shape=array`` gives; list
    columns are arrays.

    Parameters
    ----------
    publication : Publication
        What to write, from :func:`ddj.publish.tables.collect`.
    folder : str or pathlib.Path
        The folder to write into, created if need be.
    force : bool, default False
        Replace files of the same names already in ``folder``; without it they are refused with a
        :class:`~ddj.errors.OutputLocationError` before anything is written.
    """
    folder = check_folder(Path(folder), file_names(publication, ".json"), force=force)
    written = []
    for name, cursor, json_columns in _contents(publication):
        columns = [d[0] for d in cursor.description]
        decode = [i for i, c in enumerate(columns) if c in json_columns]
        target = folder / f"{name}.json"
        with atomic_text(target) as handle:
            handle.write("[")
            first = True
            for rows in iter(functools.partial(cursor.fetchmany, 10_000), []):
                for row in rows:
                    record = dict(zip(columns, row, strict=True))
                    for i in decode:
                        if row[i] is not None:
                            record[columns[i]] = json.loads(row[i])
                    handle.write(("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False))
                    first = False
            handle.write("\n]\n")
        written.append(target)
    return written
