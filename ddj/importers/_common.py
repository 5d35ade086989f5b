"""Helpers the importers share: their error, a column check, the official-source rule, writing a package."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from ddj.errors import DDJError


class ImportFormatError(DDJError):
    """A file to import lacks columns the format requires, or cannot be read as that format.

    ``file`` and ``columns`` say where and what; the message says how to fix it.
    """

    def __init__(self, message: str, *, file: str, columns: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.file = file
        self.columns = columns


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

_OFFICIAL_WORDS = ("ministry", "defence", "defense", "general staff", "armed forces", "military", "army", "air force",
                   "navy", "government", "president", "spokes", "command", "kremlin")
_MILITARY_WORDS = ("defence", "defense", "general staff", "armed forces", "military", "army", "air force", "navy",
                   "command")
_GENERIC = {"military", "forces", "government", "of", "the", "police", "armed", "unidentified", "group", "and"}


def _country_tokens(operator: str) -> list[str]:
    """The country words of an operator's name ('Military Forces of Russia (2000-)' -> ['Russia'])."""
    text = re.sub(r"\(.*?\)", " ", operator or "")
    if " of " in text:
        text = text.split(" of ", 1)[1]
    return [w for w in re.findall(r"[A-Z][A-Za-z-]+", text) if w.lower() not in _GENERIC]


def is_official_source(name: str, operator: str) -> bool:
    """Whether a source is the operator's own officials: an official body named with the operator's country.

    The rule is conservative: the source's name must contain a word for an official body (ministry, defence,
    general staff, armed forces, military, government, president, spokesperson, command...) **and** the
    operator's country or its adjective (the country word's first letters: 'Russia' matches 'Russian'). Every
    other source, including the other side's officials, is unofficial. Check the sides after an import.

    Examples
    --------
    >>> is_official_source("Ministry of Defence of Russia", "Military Forces of Russia (2000-)")
    True
    >>> is_official_source("General Staff of the Armed Forces of Ukraine", "Military Forces of Russia (2000-)")
    False
    >>> is_official_source("Kyiv Independent", "Military Forces of Ukraine (2019-)")
    False

    The Russian defence ministry speaks officially for Russian forces; Ukraine's General Staff does not.
    """
    lowered = (name or "").lower()
    if not any(word in lowered for word in _OFFICIAL_WORDS):
        return False
    for token in _country_tokens(operator):
        stem = token[: max(4, len(token) - 2)].lower()
        if re.search(rf"\b{re.escape(stem)}", lowered):
            return True
    return False


_BODY_WORDS = ("ministry", "general staff", "armed forces", "government", "president", "spokes", "kremlin",
               "command", "mod ")


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
    cleaned = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
                     .decode().lower()).strip("-")
    return cleaned[:limit].strip("-") or "x"


def source_ids(names: pl.Series) -> pl.DataFrame:
    """One id per distinct source name (``src-`` and a slug; a number added when two names share a slug).

    Examples
    --------
    >>> source_ids(pl.Series(["BBC News", "bbc news ", "BBC-News"]))["source_id"].to_list()
    ['src-bbc-news', 'src-bbc-news-2']

    'BBC News' and 'bbc news ' are one source; 'BBC-News' is written differently and gets an id of its own.
    """
    distinct = (pl.DataFrame({"name": names}).with_columns(pl.col("name").str.strip_chars())
                .with_columns(pl.col("name").str.to_lowercase().alias("_key"))
                .unique("_key", keep="first", maintain_order=True))
    base = distinct["name"].map_elements(lambda n: f"src-{slug(n)}", return_dtype=pl.String)
    numbered = distinct.with_columns(base.alias("_base")).with_columns(
        pl.col("_base").cum_count().over("_base").alias("_n"))
    return numbered.select(
        "name", "_key",
        pl.when(pl.col("_n") > 1).then(pl.format("{}-{}", pl.col("_base"), pl.col("_n")))
        .otherwise(pl.col("_base")).alias("source_id"),
    )


def blank_claims() -> dict[str, str]:
    """Every compared field of an account set to ``not_stated`` (counts: claim ``not_stated``, numbers empty)."""
    from ddj.model import COMPARED_ATTRIBUTES, NOT_STATED

    row: dict[str, str] = {}
    for attribute in COMPARED_ATTRIBUTES:
        if attribute.kind == "count":
            claim, *numbers = attribute.columns
            row[claim] = NOT_STATED
            row.update({n: "" for n in numbers})
        else:
            row.update({c: NOT_STATED for c in attribute.columns})
    return row


def _csv_bytes(frame: pl.DataFrame, fields: tuple[str, ...]) -> bytes:
    buffer = io.BytesIO()
    if frame.width == 0:
        frame = pl.DataFrame(schema={f: pl.String for f in fields})
    columns = [pl.col(f).cast(pl.String) if f in frame.columns else pl.lit(None, pl.String).alias(f) for f in fields]
    frame.select(columns).write_csv(buffer, line_terminator="\n")
    return buffer.getvalue()


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
) -> Path:
    """Write the four incident CSVs (model field order) and datapackage.json into ``folder``, then validate them.

    Raises
    ------
    UsageError
        ``folder`` exists with files in it and ``force`` is not set.
    ValidationError
        The package written does not validate (a bug in the importer: the message lists every problem).
    """
    from ddj._io import atomic_write_bytes
    from ddj.datasets import load
    from ddj.datasets.schema import incident_package_descriptor
    from ddj.errors import UsageError
    from ddj.model import INCIDENT_RESOURCES

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        msg = f"{folder}: exists and is not a folder. Give --out a new or empty folder."
        raise UsageError(msg)
    if folder.is_dir() and any(folder.iterdir()) and not force:
        msg = f"{folder}: the folder is not empty. Give --out a new or empty folder, or add --force to overwrite."
        raise UsageError(msg)
    for resource in INCIDENT_RESOURCES:
        atomic_write_bytes(folder / f"{resource.name}.csv", _csv_bytes(tables[resource.name], resource.field_names))
    descriptor = incident_package_descriptor(
        name, title=title, description=description, licenses=licenses,
    )
    descriptor["ddj"]["import"] = import_info
    atomic_write_bytes(folder / "datapackage.json",
                       (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    load(folder, warn=False)
    return folder


def read_table(path: Path | str, *, fmt: str, required: Iterable[str]) -> pl.DataFrame:
    """Read a CSV export as text with ``source_row`` (header = row 1), after checking its required columns.

    A byte-order mark is allowed; a file that is missing, empty, not UTF-8 or not CSV is an
    :class:`ImportFormatError` that says what to do.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: no such file. Give the path of the {fmt} CSV export."
        raise ImportFormatError(msg, file=str(path))
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        msg = f"{path}: the file is empty. Export the {fmt} data again as CSV with a header row."
        raise ImportFormatError(msg, file=str(path))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        msg = f"{path}, line {line}: not UTF-8 text. Export the file as UTF-8 CSV (or convert it with iconv)."
        raise ImportFormatError(msg, file=str(path)) from err
    try:
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False, raise_if_empty=False)
    except pl.exceptions.PolarsError as err:
        msg = f"{path}: cannot be parsed as CSV ({err}). Check that it is a comma-separated {fmt} export."
        raise ImportFormatError(msg, file=str(path)) from err
    if len(frame.columns) == 1 and any(d in frame.columns[0] for d in (";", "\t", "|")):
        msg = f"{path}, row 1: the columns are not separated by commas. Export the {fmt} data as comma-separated CSV."
        raise ImportFormatError(msg, file=str(path))
    require_columns(frame.columns, required, file=path, fmt=fmt)
    return frame.with_row_index("source_row", offset=2).with_columns(pl.col("source_row").cast(pl.Int64))


def not_mapped(columns: Iterable[str], mapped: Iterable[str], reasons: dict[str, str]) -> list[dict[str, str]]:
    """Every column of the file that the import does not use, with the reason (unknown columns say so)."""
    used = set(mapped)
    return [
        {"column": c, "reason": reasons.get(c, "not a column of the codebook ddj knows; left out")}
        for c in columns if c not in used and c != "source_row"
    ]


def check(frame: pl.DataFrame, checks: list, path: Path) -> None:
    """Run row checks (from :func:`ddj.datasets.tableschema.make_check`) and raise every problem found at once."""
    from ddj.datasets.tableschema import ROW, run_checks
    from ddj.errors import validation_error

    problems = run_checks(frame.rename({"source_row": ROW}), checks, Path(path).name)
    if problems:
        raise validation_error(problems)
