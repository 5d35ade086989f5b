"""Read one resource's file into a polars frame, turning unreadable input into clear errors.

CSV files are read as text (every column a string) so that the Table Schema check can say
exactly which cell is not a number or a date. A byte-order mark and CRLF line ends are valid.
Parquet files keep their stored types.
"""

from __future__ import annotations

import csv
import io

import polars as pl

from ddj.datasets.package import ResourceSpec
from ddj.errors import DelimiterError, EmptyFileError, EncodingError, HeaderError, RaggedRowError, ResourceFileError

_BOM = b"\xef\xbb\xbf"
_OTHER_DELIMITERS = (";", "\t", "|")


def read_resource(spec: ResourceSpec) -> pl.DataFrame:
    """Read the file of ``spec`` and check its header against the schema's fields.

    Raises
    ------
    EmptyFileError, EncodingError, DelimiterError, RaggedRowError, HeaderError
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


def _read_csv(spec: ResourceSpec) -> pl.DataFrame:
    data = spec.path.read_bytes()
    body = data[len(_BOM):] if data.startswith(_BOM) else data
    # Blank lines at the end are not rows (polars would read each as a row of empty cells).
    body = body.rstrip(b"\r\n")
    if not body.strip():
        msg = (
            f"{spec.display}, row 1: the file is empty. It needs at least a header row naming the columns: "
            f"{', '.join(spec.field_names)}."
        )
        raise EmptyFileError(msg, file=spec.display, row=1)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        line = body.count(b"\n", 0, err.start) + 1
        row = _row_at(body[: err.start].decode("utf-8"), line)
        bad = body[err.start : err.start + 4]
        msg = (
            f"{spec.display}, row {row} (line {line}): the file is not UTF-8 text (bytes {bad!r} at byte "
            f"{err.start}). Save it as 'CSV UTF-8' from your spreadsheet, or convert it with iconv."
        )
        raise EncodingError(msg, file=spec.display, row=row) from err
    header = _structure_check(spec, text)
    _check_header(spec, header)
    try:
        frame = pl.read_csv(
            io.BytesIO(body),
            infer_schema=False,
            has_header=True,
            raise_if_empty=False,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.PolarsError as err:
        msg = f"{spec.display}: cannot be parsed as CSV ({err}). Check quoting and separators."
        raise ResourceFileError(msg, file=spec.display) from err
    return frame


def _row_at(before: str, line: int) -> int:
    """The spreadsheet row (header = 1) of the text that follows ``before``; ``line`` if it cannot be parsed.

    Rows and lines differ when a quoted cell spans several lines.
    """
    try:
        return sum(1 for _ in csv.reader(io.StringIO(before + "x", newline="")))
    except csv.Error:
        return line


def _structure_check(spec: ResourceSpec, text: str) -> list[str]:
    """Return the header after checking the delimiter and that every row has as many cells as the header."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as err:
        msg = f"{spec.display}, row 1: no readable header row ({err}). The first row must name the columns."
        raise EmptyFileError(msg, file=spec.display, row=1) from err
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
    row = 1
    try:
        for row, record in enumerate(reader, start=2):
            if len(record) != width:
                if not record:
                    continue  # a blank line: polars reads it as a row of empty cells, reported by the checks
                more_or_fewer = "more" if len(record) > width else "fewer"
                msg = (
                    f"{spec.display}, row {row}: has {len(record)} cells, {more_or_fewer} than the {width} columns "
                    "of the header. Check for a stray comma or a missing quote around text that contains a comma."
                )
                raise RaggedRowError(msg, file=spec.display, row=row)
    except csv.Error as err:
        msg = f"{spec.display}, row {row + 1}: cannot be parsed as CSV ({err}). Check the quotes in this row."
        raise RaggedRowError(msg, file=spec.display, row=row + 1) from err
    return header


def _check_header(spec: ResourceSpec, header: list[str]) -> None:
    expected = spec.field_names
    seen: set[str] = set()
    repeated = sorted({name for name in header if name in seen or seen.add(name)})
    if repeated:
        msg = f"{spec.display}, row 1: column(s) {', '.join(map(repr, repeated))} appear more than once. Keep one of each."
        raise HeaderError(msg, file=spec.display, row=1, column=repeated[0])
    missing = [name for name in expected if name not in header]
    unknown = [name for name in header if name not in expected]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(map(repr, missing))}")
        if unknown:
            parts.append(f"unexpected column(s) {', '.join(map(repr, unknown))}")
        msg = (
            f"{spec.display}, row 1: {'; '.join(parts)}. The header must name exactly the schema's columns: "
            f"{', '.join(expected)}. Rename or add the columns (check for spelling and stray spaces)."
        )
        raise HeaderError(msg, file=spec.display, row=1, column=(missing or unknown)[0])
