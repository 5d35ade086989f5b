"""Helpers the importers share: a column check, the official-source rule, reading an export, writing a package."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ddj.errors import ImportFormatError


def require_columns(header: Iterable[str], required: Iterable[str], *, file: Path | str, fmt: str) -> None:
    """Raise :class:`ImportFormatError` naming every required column the header lacks.

    Examples
    --------
    >>> require_columns(["id", "best"], ["id", "best"], file="ged.csv", fmt="UCDP GED")
    >>> try:
    ...     require_columns(["id"], ["id", "best", "low"], file="ged.csv", fmt="UCDP GED")
    ... except ImportFormatError as err:
    ...     print(err.columns)
    ('best', 'low')

    A header without ``best`` and ``low`` is refused, and the error names both columns.
    """
    present = set(header)
    missing = tuple(c for c in required if c not in present)
    if missing:
        msg = (
            f"{file}, row 1: a {fmt} file needs the column(s) {', '.join(missing)}, which the header lacks. "
            f"Export the file again with every column of the {fmt} codebook (check spelling and stray spaces)."
        )
        raise ImportFormatError(msg, file=str(file), columns=missing)


# --- writing an incident package ----------------------------------------------------------------------------

_MILITARY_WORDS = (
    "defence",
    "defense",
    "general staff",
    "armed forces",
    "military",
    "army",
    "air force",
    "navy",
    "command",
)


_BODY_WORDS = (
    "ministry",
    "general staff",
    "armed forces",
    "government",
    "president",
    "spokes",
    "kremlin",
    "command",
    "mod ",
)


def looks_official(name: str) -> bool:
    """Whether a source's name is that of an official body (a ministry, a general staff, a government...).

    Examples
    --------
    >>> looks_official("Ministry of Defence of Russia"), looks_official("Military Times")
    (True, False)

    A ministry is an official body; a newspaper with 'military' in its name is not.
    """
    lowered = f"{(name or '').lower()} "
    return any(word in lowered for word in _BODY_WORDS)


def official_kind(name: str) -> str:
    """``official_military`` for a defence or military body, else ``official_government``."""
    lowered = name.lower()
    return "official_military" if any(w in lowered for w in _MILITARY_WORDS) else "official_government"


def slug(text: str, *, limit: int = 40) -> str:
    """A safe identifier fragment: lower-case letters, digits and dashes.

    Examples
    --------
    >>> slug("Ministry of Defence (Russia)")
    'ministry-of-defence-russia'

    Spaces and brackets become dashes, so the result is usable in an id and a file name.
    """
    cleaned = re.sub(
        r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    ).strip("-")
    return cleaned[:limit].strip("-") or "x"


def source_ids(names: pl.Series) -> pl.DataFrame:
    """One id per distinct source name (``src-`` and a slug; a number added when two names share a slug).

    Examples
    --------
    >>> source_ids(pl.Series(["BBC News", "bbc news ", "BBC-News"]))["source_id"].to_list()
    ['src-bbc-news', 'src-bbc-news-2']

    'BBC News' and 'bbc news ' are one source; 'BBC-News' is written differently and gets an id of its own.
    """
    distinct = (
        pl.DataFrame({"name": names})
        .with_columns(pl.col("name").str.strip_chars())
        .with_columns(pl.col("name").str.to_lowercase().alias("_key"))
        .unique("_key", keep="first", maintain_order=True)
    )
    base = distinct["name"].map_elements(lambda n: f"src-{slug(n)}", return_dtype=pl.String)
    numbered = distinct.with_columns(base.alias("_base")).with_columns(
        pl.col("_base").cum_count().over("_base").alias("_n")
    )
    return numbered.select(
        "name",
        "_key",
        pl.when(pl.col("_n") > 1)
        .then(pl.format("{}-{}", pl.col("_base"), pl.col("_n")))
        .otherwise(pl.col("_base"))
        .alias("source_id"),
    )


def blank_claims() -> dict[str, str]:
    """Every compared field of an account set to ``not_stated`` (counts: claim ``not_stated``, numbers empty)."""
    from ddj.model import COMPARED_ATTRIBUTES, NOT_STATED

    row: dict[str, str] = {}
    for attribute in COMPARED_ATTRIBUTES:
        if attribute.kind == "count":
            claim, *numbers = attribute.columns
            row[claim] = NOT_STATED
            row.update(dict.fromkeys(numbers, ""))
        else:
            row.update(dict.fromkeys(attribute.columns, NOT_STATED))
    return row


def claims(**values: pl.Expr) -> list[pl.Expr]:
    """An account's compared fields as expressions: ``values`` where given, else :func:`blank_claims`'s ``not_stated``.

    Examples
    --------
    >>> frame = pl.DataFrame({"n": [3]}).select(claims(others_killed_claim=pl.lit("figure"),
    ...                                                others_killed_best=pl.col("n").cast(pl.String)))
    >>> frame.select("others_killed_claim", "others_killed_best", "responsible_party").row(0)
    ('figure', '3', 'not_stated')

    The monitor gives a figure for others killed; the responsible party, not given, is ``not_stated``.
    """
    base = {name: pl.lit(value) for name, value in blank_claims().items()}
    base.update(values)
    return [expr.alias(name) for name, expr in base.items()]


def official_search(monitor: str, searched_on: dt.date | str | None = None) -> dict[str, Any]:
    """The ``official_search`` declaration of an imported monitor export (see :mod:`ddj.datasets.official_search`).

    A monitor's export lists the sources it used, not the official statements it looked for and did not
    find, so an import is "not searched" (an event without an official source reads "no official account
    recorded", never the operator's silence) unless the user declares a search with its date
    (``ddj import ... --official-searched DATE``).

    Raises
    ------
    InvalidValueError
        ``searched_on`` is not a date written YYYY-MM-DD.

    Examples
    --------
    >>> official_search("ACLED")["searched"], official_search("ACLED", "2026-12-05")["on"]
    (False, '2026-12-05')

    Without a date nobody searched; with one, the user says they did, on that day.
    """
    from ddj.errors import InvalidValueError

    if searched_on is None:
        return {
            "searched": False,
            "note": f"Imported from {monitor}'s export, which lists the sources it used, not a search for official "
            "statements: an event without an official source has no official account recorded, which does "
            "not mean the operator was silent.",
        }
    if isinstance(searched_on, str):
        try:
            searched_on = dt.date.fromisoformat(searched_on)
        except ValueError:
            msg = (
                f"--official-searched {searched_on!r}: not a date. Give the day you searched for official "
                "statements as YYYY-MM-DD, or leave the option out if nobody searched."
            )
            raise InvalidValueError(msg) from None
    return {
        "searched": True,
        "on": searched_on.isoformat(),
        "note": f"Imported from {monitor}'s export; the user declared at import (--official-searched) that official "
        "statements were searched for on every event.",
    }


def write_incident_package(
    folder: Path,
    tables: dict[str, pl.DataFrame],
    *,
    name: str,
    title: str,
    description: str,
    licenses: list[dict[str, str]],
    import_info: dict[str, Any],
    force: bool = False,
    official_search: dict[str, Any] | None = None,
) -> Path:
    """Write the four incident CSVs (model field order) and datapackage.json into ``folder``, then validate them.

    ``official_search`` is written into the descriptor's ``ddj`` block (default: not searched; see
    :func:`official_search`).

    Raises
    ------
    OutputLocationError
        ``folder`` exists with files in it and ``force`` is not set.
    ValidationError
        The package written does not validate (a bug in the importer: the message lists every problem).
    """
    from ddj._io import atomic_write_bytes
    from ddj.datasets import load
    from ddj.datasets.schema import incident_package_descriptor
    from ddj.datasets.storage import write_table
    from ddj.errors import OutputLocationError
    from ddj.model import INCIDENT_RESOURCES

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        msg = f"{folder}: exists and is not a folder. Give --out a new or empty folder."
        raise OutputLocationError(msg)
    if folder.is_dir() and any(folder.iterdir()) and not force:
        msg = f"{folder}: the folder is not empty. Give --out a new or empty folder, or add --force to overwrite."
        raise OutputLocationError(msg)
    for resource in INCIDENT_RESOURCES:
        write_table(tables[resource.name], folder / f"{resource.name}.csv", resource.name)
    descriptor = incident_package_descriptor(
        name,
        title=title,
        description=description,
        licenses=licenses,
        official_search=official_search if official_search is not None else {"searched": False},
    )
    descriptor["ddj"]["import"] = import_info
    atomic_write_bytes(
        folder / "datapackage.json", (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    )
    load(folder, warn=False)
    return folder


_INDEX_NAMES = ("", "unnamed: 0", "...1", "x", "rownames", "index", "x1")
#: A cell where Excel or a wrong encoding already replaced characters by question marks.
LOST_PATTERN = r"\?{2,}|[^\s?!.,;:()\[\]\"'-]\?[^\s?!.,;:()\[\]\"'-]"


@dataclass
class ImportLog:
    """What an import read, changed and found, for the summary it ends with (and the package's ``ddj.import``).

    ``findings`` are the monitor's own inconsistencies and what was already lost in the file, each with file,
    row, column and values; ``changes`` says, in words, every change the import made to what the file says.
    """

    file: str
    encoding: str = "utf-8"
    rows_read: int = 0
    changes: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)

    def finding(
        self,
        rule: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        self.findings.append(
            {"file": self.file, "row": row, "column": column, "rule": rule, "values": values or {}, "message": message}
        )


def _decode(data: bytes, path: Path, fmt: str, encoding: str | None) -> str:
    import codecs

    from ddj.errors import InvalidValueError

    if encoding is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data.count(b"\n", 0, err.start) + 1
            msg = (
                f"{path}, line {line}: not UTF-8 text (byte 0x{data[err.start]:02X}; Excel saves CSV as "
                f"Windows-1252). Run the import again with --encoding cp1252, or export the {fmt} file as UTF-8 CSV."
            )
            raise ImportFormatError(msg, file=str(path)) from err
    try:
        codecs.lookup(encoding)
    except LookupError:
        msg = f"--encoding {encoding!r}: not an encoding Python knows. Use cp1252 for Excel's CSV, or utf-8."
        raise InvalidValueError(msg) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        msg = (
            f"{path}, line {line}: not {encoding} text (byte 0x{data[err.start]:02X}). Check the file's encoding "
            "(cp1252 for Excel's CSV, utf-8 otherwise) and pass it with --encoding."
        )
        raise ImportFormatError(msg, file=str(path)) from err


def read_table(
    path: Path | str,
    *,
    fmt: str,
    required: Iterable[str],
    encoding: str | None = None,
    aliases: dict[str, str] | None = None,
    log: ImportLog | None = None,
) -> pl.DataFrame:
    """Read a CSV export as text with ``source_row`` (header = row 1), after checking its required columns.

    A byte-order mark is allowed. Headers are compared without case and outer spaces (``EVENT_DATE`` is
    ``event_date``), ``aliases`` renames an older codebook's columns to the current names, a leading index
    column (R's ``""``, pandas' ``Unnamed: 0``) is dropped, and R's literal ``NA`` is an empty cell. A file that is
    not UTF-8 is refused with the option that reads it (``--encoding cp1252``) unless ``encoding`` is given.
    Every change is written to ``log``, and cells whose characters were already lost (``????``) are findings.
    A missing, empty or unparseable file is an :class:`ImportFormatError` that says what to do.
    """
    path = Path(path)
    log = log if log is not None else ImportLog(path.name)
    if not path.is_file():
        msg = f"{path}: no such file. Give the path of the {fmt} CSV export."
        raise ImportFormatError(msg, file=str(path))
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        msg = f"{path}: the file is empty. Export the {fmt} data again as CSV with a header row."
        raise ImportFormatError(msg, file=str(path))
    text = _decode(data, path, fmt, encoding)
    if encoding is not None:
        log.encoding = encoding
        log.changes.append(f"read as {encoding} (--encoding) and written as UTF-8")
    try:
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False, raise_if_empty=False)
    except pl.exceptions.PolarsError as err:
        msg = f"{path}: cannot be parsed as CSV ({err}). Check that it is a comma-separated {fmt} export."
        raise ImportFormatError(msg, file=str(path)) from err
    if len(frame.columns) == 1 and any(d in frame.columns[0] for d in (";", "\t", "|")):
        msg = f"{path}, row 1: the columns are not separated by commas. Export the {fmt} data as comma-separated CSV."
        raise ImportFormatError(msg, file=str(path))
    frame = _normalise_header(frame, path, aliases or {}, log)
    require_columns(frame.columns, required, file=path, fmt=fmt)
    frame = frame.with_row_index("source_row", offset=2).with_columns(pl.col("source_row").cast(pl.Int64))
    log.rows_read = frame.height
    return _literal_na(frame, log)


def _normalise_header(frame: pl.DataFrame, path: Path, aliases: dict[str, str], log: ImportLog) -> pl.DataFrame:
    original = frame.columns
    if (
        frame.width > 1
        and original[0].strip().lower() in _INDEX_NAMES
        and frame.height
        and (frame[original[0]].str.strip_chars().str.contains(r"^\d+$").all())
    ):
        frame = frame.drop(original[0])
        log.changes.append(
            f"dropped a leading index column (header {original[0]!r}: a row number a spreadsheet or "
            "R/pandas added, not data)"
        )
    lowered = {c: c.strip().lower() for c in frame.columns}
    if any(old != new for old, new in lowered.items()):
        log.changes.append(
            "read the column names without case or outer spaces (e.g. "
            + ", ".join(f"{o!r} as {n!r}" for o, n in list(lowered.items())[:2] if o != n)
            + ")"
        )
    renamed = {c: aliases.get(n, n) for c, n in lowered.items()}
    for new in lowered.values():
        if new in aliases:
            log.changes.append(f"read the older codebook's column {new!r} as {aliases[new]!r}")
    seen: dict[str, str] = {}
    for old, new in renamed.items():
        if new in seen:
            msg = (
                f"{path}, row 1: the columns {seen[new]!r} and {old!r} are the same column {new!r} once case, "
                "spaces and the codebook's older names are set aside. Remove one of them and import again."
            )
            raise ImportFormatError(msg, file=str(path), columns=(new,))
        seen[new] = old
    return frame.rename(renamed)


def _literal_na(frame: pl.DataFrame, log: ImportLog) -> pl.DataFrame:
    text = [c for c in frame.columns if c != "source_row"]
    if not text:
        return frame
    na = frame.select(
        pl.sum_horizontal([(pl.col(c).str.strip_chars() == "NA").fill_null(False) for c in text]).sum()
    ).item()
    if na:
        log.changes.append(f"read {na} cell(s) holding R's literal 'NA' as empty")
        log.counts["na_cells"] = int(na)
        frame = frame.with_columns(
            [pl.when(pl.col(c).str.strip_chars() == "NA").then(None).otherwise(pl.col(c)).alias(c) for c in text]
        )
    lost = frame.select([pl.col(c).str.contains(LOST_PATTERN).fill_null(False).sum().alias(c) for c in text]).row(
        0, named=True
    )
    for column, count in lost.items():
        if not count:
            continue
        rows = frame.filter(pl.col(column).str.contains(LOST_PATTERN).fill_null(False)).select("source_row", column)
        for row, value in rows.head(5).iter_rows():
            log.finding(
                "characters_lost",
                f"{value!r}: characters were already replaced by '?' before the import "
                "(the file was saved in an encoding that cannot hold them, such as Excel's Windows-1252); "
                "they cannot be recovered from this file — export it again as UTF-8 from the original",
                row=row,
                column=column,
                values={column: value},
            )
        if count > 5:
            log.finding(
                "characters_lost",
                f"... and {count - 5} more cell(s) in {column} with characters lost as '?'",
                column=column,
            )
    log.counts["cells_with_lost_characters"] = int(sum(lost.values()))
    return frame


# --- row checks every importer runs ------------------------------------------------------------------------

#: An id ddj can build another id from: letters, digits, '-', '_' or '.', starting with a letter or digit.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def present(column: str) -> pl.Expr:
    """True where ``column`` holds text (not null, not empty).

    Examples
    --------
    >>> pl.DataFrame({"id": ["a", "", None]}).select(present("id"))["id"].to_list()
    [True, False, False]

    An empty cell and a missing one are both absent.
    """
    return pl.col(column).is_not_null() & (pl.col(column) != "")


def required_checks(columns: Iterable[str], fmt: str) -> list:
    """One check per column that must not be empty: the monitor always fills it, so an empty cell is an error.

    Examples
    --------
    >>> [c.column for c in required_checks(["id", "country"], "UCDP GED")]
    ['id', 'country']

    Each column gets its own check, so every empty cell is named by row and column.
    """
    from ddj.datasets.tableschema import make_check

    return [
        make_check(
            c,
            "required",
            "RequiredViolation",
            ~present(c),
            f"is empty but {fmt} always fills it",
            f"fill {c} or export the events again",
        )
        for c in columns
    ]


def coordinate_checks(latitude: str = "_lat", longitude: str = "_lon") -> list:
    """Checks of the ``latitude`` and ``longitude`` columns, read as numbers into ``latitude``/``longitude``.

    An empty coordinate is allowed (the place is then known by name only); a cell that is not a number in
    range is an error naming the row.

    Examples
    --------
    >>> [(c.column, c.rule) for c in coordinate_checks()]
    [('latitude', 'range'), ('longitude', 'range')]

    Both coordinates are checked against their range (-90..90 and -180..180).
    """
    from ddj.datasets.tableschema import make_check

    return [
        make_check(
            "latitude",
            "range",
            "RangeViolation",
            present("latitude") & ~pl.col(latitude).is_between(-90, 90).fill_null(False),
            "{value} is not a latitude",
            "write decimal degrees between -90 and 90",
        ),
        make_check(
            "longitude",
            "range",
            "RangeViolation",
            present("longitude") & ~pl.col(longitude).is_between(-180, 180).fill_null(False),
            "{value} is not a longitude",
            "write decimal degrees between -180 and 180",
        ),
    ]


def id_checks(column: str, *, unique: bool = True) -> list:
    """Checks of an event id column: usable in ddj's ids (:data:`ID_PATTERN`) and, with ``unique``, once per file.

    Examples
    --------
    >>> [c.rule for c in id_checks("id")], [c.rule for c in id_checks("event_id_cnty", unique=False)]
    (['unique', 'pattern'], ['pattern'])

    A GED id must be unique; ACLED's repeats are merged first (a monadic export), so only its pattern is checked.
    """
    from ddj.datasets.tableschema import make_check

    checks = []
    if unique:
        checks.append(
            make_check(
                column,
                "unique",
                "UniqueViolation",
                present(column) & pl.col(column).is_duplicated(),
                "{value} appears more than once",
                "keep one row per event",
            )
        )
    checks.append(
        make_check(
            column,
            "pattern",
            "PatternViolation",
            present(column) & ~pl.col(column).str.contains(ID_PATTERN),
            "{value} cannot be part of an id",
            "use letters, digits, '-', '_' or '.'",
        )
    )
    return checks


def count_check(column: str, typed: str, hint: str) -> Any:
    """A check that ``column``, read as a whole number into ``typed``, is 0 or more where it is filled.

    Parameters
    ----------
    column : str
        The column as the file has it (named in the problem).
    typed : str
        The column holding its value read as a whole number (null where it is not one).
    hint : str
        What to write instead.

    Examples
    --------
    >>> count_check("best", "_best", "write the number of deaths").rule
    'type'

    A filled cell that is not a whole number of 0 or more (``-1``, ``many``) is an error; an empty one is not.
    """
    from ddj.datasets.tableschema import make_check

    return make_check(
        column,
        "type",
        "TypeViolation",
        present(column) & ~(pl.col(typed) >= 0).fill_null(False),
        "{value} is not a whole number of 0 or more",
        hint,
    )


def not_mapped(columns: Iterable[str], mapped: Iterable[str], reasons: dict[str, str]) -> list[dict[str, str]]:
    """Every column of the file that the import does not use, with the reason (unknown columns say so)."""
    used = set(mapped)
    return [
        {"column": c, "reason": reasons.get(c, "not a column of the codebook ddj knows; left out")}
        for c in columns
        if c not in used and c != "source_row"
    ]


def check(frame: pl.DataFrame, checks: list, path: Path) -> None:
    """Run row checks (from :func:`ddj.datasets.tableschema.make_check`) and raise every problem found at once."""
    from ddj.datasets.tableschema import ROW, run_checks
    from ddj.errors import validation_error

    problems = run_checks(frame.rename({"source_row": ROW}), checks, Path(path).name)
    if problems:
        raise validation_error(problems)
