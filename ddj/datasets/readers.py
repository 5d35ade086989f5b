"""Read one resource's file into a polars frame, turning unreadable input into clear errors.

CSV files are read as text (every column a string) so that the Table Schema check can say
exactly which cell is not a number or a date. A byte-order mark and CRLF line ends are valid.
Parquet files keep their stored types.

A CSV file is never held in memory whole: its structure (encoding, delimiter, a cell count per row)
is checked by reading it in blocks, and the table comes back as a polars ``LazyFrame`` scan, which
the checks read column by column (see :func:`ddj.datasets.tableschema.check_and_cast`).
"""

from __future__ import annotations

import collections
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ddj.datasets.package import ResourceSpec
from ddj.errors import (
    DelimiterError,
    EmptyFileError,
    EncodingError,
    HeaderError,
    LineEndError,
    RaggedRowError,
    ResourceFileError,
    UndecodableBytesError,
)

_BOM = b"\xef\xbb\xbf"
_OTHER_DELIMITERS = (";", "\t", "|")
#: The structure check reads the file in blocks of this many bytes (each cut after a line feed).
BLOCK_BYTES = 8 << 20
#: The longest cell the structure check reads: Python's csv default, 128 KiB, set for each check (the limit is one
#: setting for the whole process, and importing frictionless raises it for everyone).
MAX_CELL = 128 * 1024
#: How many names a header message lists before it summarises the rest.
NAMES_SHOWN = 10


def read_resource(spec: ResourceSpec) -> pl.DataFrame | pl.LazyFrame:
    """Read the file of ``spec`` and check its header against the schema's fields.

    A CSV file comes back as a lazy scan of text columns (nothing is read into memory yet); a
    Parquet file as a frame of its stored types.

    Raises
    ------
    EmptyFileError, EncodingError, DelimiterError, LineEndError, RaggedRowError, HeaderError
        The file cannot be read as the table the schema describes.
    """
    if spec.format == "parquet":
        return _read_parquet(spec)
    if spec.format not in ("csv", ""):
        msg = f"{spec.display}: format {spec.format!r} is not supported; save the resource as CSV or Parquet."
        raise ResourceFileError(msg, file=spec.display)
    return _read_csv(spec)


def _read_parquet(spec: ResourceSpec) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(spec.path)
    except Exception as err:  # polars raises several kinds for a damaged file
        msg = f"{spec.display}: cannot be read as Parquet ({err}). Re-export the file."
        raise ResourceFileError(msg, file=spec.display) from err
    _check_header(spec, list(frame.columns))
    return frame


def _read_csv(spec: ResourceSpec) -> pl.LazyFrame:
    _check_not_empty(spec)
    header, rows = _structure_check(spec)
    _check_header(spec, header)
    # Blank lines at the end are not rows (polars would read each as a row of empty cells): read up to
    # the last row that has cells.
    return pl.scan_csv(
        spec.path,
        infer_schema=False,
        has_header=True,
        raise_if_empty=False,
        truncate_ragged_lines=False,
        n_rows=rows,
    )


def _check_not_empty(spec: ResourceSpec) -> None:
    """An empty file, or one of a byte-order mark, spaces and line breaks only, has no header row."""
    with open(spec.path, "rb") as handle:
        start = handle.read(1 << 16)
        if start.startswith(_BOM):
            start = start[len(_BOM) :]
        blank = not start.strip()
        while blank and (block := handle.read(1 << 20)):
            blank = not block.strip()
    if blank:
        msg = (
            f"{spec.display}, row 1: the file is empty. It needs at least a header row naming the columns: "
            f"{_names(spec.field_names, limit=len(spec.field_names))}."
        )
        raise EmptyFileError(msg, file=spec.display, row=1)


class _Lines:
    """The lines of a UTF-8 file, decoded a block at a time, for :mod:`csv` (memory: one block, not the file).

    Lines are split as ``open(..., newline="")`` splits them (a lone carriage return ends a line too,
    which polars does not do: ``lone_cr_row`` records where one was first seen).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lone_cr_line: int | None = None

    def __iter__(self) -> Iterator[str]:
        lines_before = 0  # line feeds before the current block
        offset = 0  # bytes before the current block (after the byte-order mark)
        with open(self.path, "rb") as handle:
            if handle.read(len(_BOM)) != _BOM:
                handle.seek(0)
            carry = b""
            while True:
                chunk = handle.read(BLOCK_BYTES)
                data = carry + chunk
                if not data:
                    return
                cut = data.rfind(b"\n") + 1 if chunk else len(data)
                if cut == 0:  # no line feed yet: read on (a file of lone carriage returns is refused before)
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError as err:
                    good = data[: err.start]
                    whole = good[: good.rfind(b"\n") + 1]
                    yield from self._split(whole.decode("utf-8"), lines_before)
                    line = lines_before + good.count(b"\n") + 1
                    raise UndecodableBytesError(offset + err.start, line, data[err.start : err.start + 4]) from err
                yield from self._split(text, lines_before)
                lines_before += data.count(b"\n")
                offset += len(data)

    def _split(self, text: str, lines_before: int) -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            if self.lone_cr_line is None and line.endswith("\r"):
                self.lone_cr_line = lines_before + 1
            if line.endswith("\n"):
                lines_before += 1
            yield line


def _first_line_end(spec: ResourceSpec) -> None:
    """Refuse a file whose first line ends in a carriage return alone (a classic Mac OS file)."""
    with open(spec.path, "rb") as handle:
        start = handle.read(1 << 20)
    ends = [i for i in (start.find(b"\r"), start.find(b"\n")) if i >= 0]
    if not ends:
        return
    first = min(ends)
    if start[first : first + 1] == b"\r" and start[first + 1 : first + 2] != b"\n":
        msg = (
            f"{spec.display}, row 1: the lines end with a carriage return alone (the old Mac OS line end), which "
            "ddj cannot read. Save the file again with Windows (CRLF) or Unix (LF) line ends: in a spreadsheet, "
            "'CSV UTF-8 (comma delimited)'; or convert it with `tr '\\r' '\\n'` or a text editor."
        )
        raise LineEndError(msg, file=spec.display, row=1)


def _structure_check(spec: ResourceSpec) -> tuple[list[str], int]:
    """Check the encoding, the delimiter and that every row has as many cells as the header.

    Returns the header and how many data rows there are, up to the last row that is not blank.
    """
    _first_line_end(spec)
    before = csv.field_size_limit(MAX_CELL)
    try:
        return _structure_rows(spec)
    finally:
        csv.field_size_limit(before)


def _structure_rows(spec: ResourceSpec) -> tuple[list[str], int]:
    """:func:`_structure_check` once the cell limit is set: read every row through Python's csv module."""
    lines = _Lines(spec.path)
    reader = csv.reader(lines, strict=True)
    row = 0  # the last row read whole (the header is row 1)
    try:
        try:
            header = next(reader)
        except StopIteration as err:
            msg = f"{spec.display}, row 1: no readable header row. The first row must name the columns."
            raise EmptyFileError(msg, file=spec.display, row=1) from err
        row = 1
        expected = spec.field_names
        if len(header) == 1 and len(expected) > 1:
            for delimiter in _OTHER_DELIMITERS:
                if delimiter in header[0]:
                    shown = {"\t": "tabs"}.get(delimiter, repr(delimiter))
                    msg = (
                        f"{spec.display}, row 1: the columns are separated by {shown}, not commas. "
                        "Save the file as comma-separated CSV (in a spreadsheet: 'CSV UTF-8 (comma delimited)')."
                    )
                    raise DelimiterError(msg, file=spec.display, row=1)
        width = len(header)
        last = 1  # the last row with cells
        for row, record in enumerate(reader, start=2):
            if len(record) != width:
                if not record:
                    continue  # a blank line: polars reads it as a row of empty cells, reported by the checks
                more_or_fewer = "more" if len(record) > width else "fewer"
                msg = (
                    f"{spec.display}, row {row}: has {len(record):,} cells, {more_or_fewer} than the {width:,} "
                    "columns of the header. Check for a stray comma or a missing quote around text that contains "
                    "a comma."
                )
                raise RaggedRowError(msg, file=spec.display, row=row)
            last = row
    except UndecodableBytesError as bad:
        # The reader has returned every complete row before the bad bytes: they are in the next one.
        row += 1
        msg = (
            f"{spec.display}, row {row} (line {bad.line}): the file is not UTF-8 text (bytes {bad.data!r} at byte "
            f"{bad.offset}). Save it as 'CSV UTF-8' from your spreadsheet, or convert it with iconv."
        )
        raise EncodingError(msg, file=spec.display, row=row) from None
    except csv.Error as err:
        row += 1
        if "field larger than field limit" in str(err):
            msg = (
                f"{spec.display}, row {row}: a cell is longer than {MAX_CELL:,} characters (128 KiB), the longest "
                "ddj reads. Most often a quote was opened and never closed, so the rest of the file reads as one "
                "cell: check the quotes in this row. Otherwise shorten the cell (keep long texts in a separate file "
                "and link to it)."
            )
        else:
            msg = f"{spec.display}, row {row}: cannot be parsed as CSV ({err}). Check the quotes in this row."
        raise RaggedRowError(msg, file=spec.display, row=row) from err
    if lines.lone_cr_line is not None:
        msg = (
            f"{spec.display}, line {lines.lone_cr_line}: a line ends with a carriage return alone (the old Mac OS "
            "line end) where the others end with a line feed. Save the file again with one kind of line end "
            "(in a spreadsheet: 'CSV UTF-8 (comma delimited)'), or put the text holding it in quotes."
        )
        if not _polars_agrees(spec, last - 1):
            raise LineEndError(msg, file=spec.display)
    return header, last - 1


def _polars_agrees(spec: ResourceSpec, rows: int) -> bool:
    """Whether polars counts the rows the structure check counted (a lone carriage return inside quotes is
    part of a cell for both; outside them only Python's reader ends a row there). Asked only of a file
    where a lone carriage return was seen.
    """
    try:
        counted = (
            pl.scan_csv(
                spec.path,
                infer_schema=False,
                has_header=True,
                raise_if_empty=False,
                truncate_ragged_lines=False,
                n_rows=rows,
            )
            .select(pl.len())
            .collect()
            .item()
        )
    except pl.exceptions.PolarsError:
        return False
    return counted == rows


def _names(names: list[str], limit: int = NAMES_SHOWN, *, quote: bool = False) -> str:
    """``names`` joined with commas, at most ``limit`` of them and a count of the rest (a header may be huge)."""
    shown = [repr(n) if quote else n for n in names[:limit]]
    shown = [n if len(n) <= 80 else n[:77] + "..." for n in shown]
    more = f" and {len(names) - limit:,} more" if len(names) > limit else ""
    return ", ".join(shown) + more


def _check_header(spec: ResourceSpec, header: list[str]) -> None:
    expected = spec.field_names
    repeated = sorted(name for name, times in collections.Counter(header).items() if times > 1)
    if repeated:
        msg = (
            f"{spec.display}, row 1: column(s) {_names(repeated, quote=True)} appear more than once. Keep one of each."
        )
        raise HeaderError(msg, file=spec.display, row=1, column=repeated[0])
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {_names(missing, quote=True)}")
        if unknown:
            parts.append(f"unexpected column(s) {_names(unknown, quote=True)}")
        msg = (
            f"{spec.display}, row 1 ({len(header):,} columns): {'; '.join(parts)}. The header must name exactly the "
            f"schema's {len(expected)} columns: {_names(expected, limit=len(expected))}. Rename or add the columns "
            "(check for spelling and stray spaces)."
        )
        raise HeaderError(msg, file=spec.display, row=1, column=(missing or unknown)[0])
