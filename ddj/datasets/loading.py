"""Load and validate a dataset package: :func:`load` raises on bad data, :func:`inspect` reports everything."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from ddj.datasets.dataset import Dataset
from ddj.datasets.kinds import INCIDENTS, KINDS, DatasetKind
from ddj.datasets.memory import check_memory
from ddj.datasets.official_search import official_search_caveat, official_search_problems, read_official_search
from ddj.datasets.package import PackageSpec, ResourceSpec, read_package
from ddj.datasets.readers import read_resource
from ddj.datasets.registry import resolve
from ddj.datasets.storage import field_dtype
from ddj.datasets.tableschema import _cast_expr, check_and_cast, foreign_key_problems, split_caveats
from ddj.datasets.validation_record import (
    FileState,
    ValidationRecord,
    files_unchanged,
    forget,
    package_states,
    read_record,
    record_key,
    write_record,
)
from ddj.errors import InvalidValueError, NotFoundError, PackageError, Problem, ResourceFileError, validation_error
from ddj.warnings import DataCaveatWarning

#: Set to 1 to validate every package in full on every load, whatever the records say.
REVALIDATE_ENV = "DDJ_REVALIDATE"


@dataclass
class Inspection:
    """Everything :func:`inspect` found: the problems, the caveats, and the tables when they could be read."""

    folder: Path
    name: str
    kind: str
    problems: list[Problem] = field(default_factory=list)
    file_errors: list[ResourceFileError] = field(default_factory=list)
    caveats: list[Problem] = field(default_factory=list)
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    package: PackageSpec | None = None
    #: True when the package was not validated again because a record says this content passed
    #: (see :mod:`ddj.datasets.validation_record`); ``caveats`` are then the recorded ones.
    from_record: bool = False
    #: Rows per table (also known without the tables, from a record).
    counts: dict[str, int] = field(default_factory=dict)
    #: The files' sizes, modification times and hashes as :func:`validate_once` found them (empty after a
    #: plain :func:`inspect`): a caller that reads the files later checks them with ``files_unchanged``.
    states: dict[str, FileState] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no file was unreadable and no rule was broken (caveats do not count)."""
        return not self.problems and not self.file_errors

    def messages(self) -> list[str]:
        """Every problem as one line: unreadable files first, then broken rules."""
        return [str(e) for e in self.file_errors] + [str(p) for p in self.problems]


def _kind_of(package: PackageSpec) -> DatasetKind:
    try:
        return KINDS[package.kind]
    except KeyError:
        msg = (
            f"{package.folder / 'datapackage.json'}: unknown ddj kind {package.kind!r}; "
            f'ddj knows: {", ".join(KINDS)}. Set "ddj": {{"kind": ...}} to one of them.'
        )
        raise PackageError(msg) from None


def _check_declared_schema(package: PackageSpec, kind: DatasetKind) -> None:
    """The package's declared schemas must agree with the kind's on resources, field names and types."""
    for name, schema in kind.schemas.items():
        if name not in package.resources:
            if name in kind.optional:
                continue
            msg = (
                f"{package.folder / 'datapackage.json'}: a {kind.name} dataset needs a resource {name!r}, "
                f"which the package does not list. Add it (see data/syria-ru-aviation/datapackage.json)."
            )
            raise PackageError(msg)
        declared = {f["name"]: f.get("type", "string") for f in package.resources[name].schema["fields"]}
        wanted = {f["name"]: f.get("type", "string") for f in schema["fields"]}
        missing = [f for f in wanted if f not in declared]
        extra = [f for f in declared if f not in wanted]
        retyped = [f for f in wanted if f in declared and declared[f] != wanted[f]]
        if missing or extra or retyped:
            parts = []
            if missing:
                parts.append(f"lacks field(s) {', '.join(missing)}")
            if extra:
                parts.append(f"has field(s) the model does not know: {', '.join(extra)}")
            if retyped:
                parts.append(
                    "declares other types for " + ", ".join(f"{f} ({declared[f]}, not {wanted[f]})" for f in retyped)
                )
            msg = (
                f"{package.folder / 'datapackage.json'}: the schema of resource {name!r} "
                f"{'; '.join(parts)}. Regenerate it with `ddj schema` or fix it by hand."
            )
            raise PackageError(msg)


def inspect(name_or_path: str | os.PathLike, *, keep_text: bool = True) -> Inspection:
    """Read and check a dataset, collecting every problem instead of stopping at the first.

    File-level troubles (a missing file, a wrong delimiter, bad encoding) become problems of that
    file and the other files are still checked. Package-level troubles (no datapackage.json, a
    schema that is not the kind's) raise :class:`ddj.errors.PackageError`.

    CSV files are checked by streaming scans, never read whole as text. With ``keep_text`` false the
    returned tables leave out the free text no rule reads (the kind's ``free_text``: titles,
    statements, notes), which are checked all the same: validation then needs memory for the typed
    ids, dates, numbers and vocabulary columns only (``ddj validate`` does this).

    Before reading, the files' sizes are set against the memory available (see
    :func:`ddj.datasets.memory.check_memory`): a dataset too large for this computer gets a clear
    :class:`~ddj.errors.DatasetTooLargeError` instead of exhausting memory.
    """
    folder = resolve(name_or_path)
    package = read_package(folder)
    kind = _kind_of(package)
    _check_declared_schema(package, kind)
    incidents = kind.name == INCIDENTS.name
    search = read_official_search(package.descriptor, str(folder / "datapackage.json")) if incidents else None
    check_memory(package, kind, keep_text=keep_text)
    result = Inspection(folder=folder, name=package.name, kind=kind.name, package=package)
    files = {name: spec.display for name, spec in package.resources.items()}
    readable = True
    text_caveats: list[Problem] = []
    for name in package.resources:
        spec = package.resources[name]
        schema = kind.schemas.get(name, spec.schema)
        try:
            raw = read_resource(_with_schema(spec, schema))
        except ResourceFileError as err:
            result.file_errors.append(err)
            readable = False
            continue
        dropped = frozenset() if keep_text else kind.free_text.get(name, frozenset())
        keep = None if not dropped else [f["name"] for f in schema["fields"] if f["name"] not in dropped]
        try:
            typed, problems = check_and_cast(raw, schema, spec.display, enums=kind.enum_dtypes, keep=keep)
        except pl.exceptions.PolarsError as err:  # the structure check passed, so this is rare: say what polars said
            result.file_errors.append(
                ResourceFileError(
                    f"{spec.display}: cannot be read as a table ({str(err).splitlines()[0]}). Check the quotes, "
                    "separators and line ends, or re-export the file.",
                    file=spec.display,
                )
            )
            readable = False
            continue
        problems, cell_caveats = split_caveats(problems)
        result.problems += problems
        text_caveats += cell_caveats
        if typed.height == 0 and name not in kind.may_be_empty:
            result.problems.append(
                Problem(
                    spec.display,
                    None,
                    None,
                    None,
                    "empty_table",
                    "has a header but no rows; this resource needs at least one row",
                    "add the rows, or check that the right file is named in datapackage.json",
                    "EmptyTableError",
                )
            )
        result.tables[name] = typed
    if not readable:
        return result
    # A cell that is not of its type is empty in the typed table, so the kind's rules would read it as
    # missing (a latitude without a longitude, a 'figure' without a figure): skip their findings on such
    # rows; they are checked again once the cell is fixed.
    mistyped = {(p.file, p.row) for p in result.problems if p.rule == "type" and p.row is not None}
    result.problems += _foreign_key_problems(package, kind, result.tables)
    result.problems += [p for p in kind.problems(result.tables, files) if (p.file, p.row) not in mistyped]
    descriptor_file = f"{folder.name}/datapackage.json"
    if search is not None and "incidents" in result.tables:
        result.problems += official_search_problems(search, result.tables["incidents"]["incident_id"], descriptor_file)
    result.problems.sort(key=lambda p: (p.file, p.row if p.row is not None else 1 << 62))
    if not result.problems:
        result.caveats = text_caveats + kind.caveats(result.tables, files)
        if search is not None:
            result.caveats += official_search_caveat(search, descriptor_file)
    result.counts = {name: frame.height for name, frame in result.tables.items()}
    return result


def validate_once(
    name_or_path: str | os.PathLike,
    *,
    keep_text: bool = True,
    revalidate: bool = False,
    read_tables: bool = True,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> Inspection:
    """:func:`inspect` a package, unless a record says this very content passed the current rules.

    The package's files are hashed (see :mod:`ddj.datasets.validation_record`); when a record of a
    successful validation matches the hashes, the rules version and ddj's version, the tables are read
    and typed without the row-level rules and the recorded caveats are returned (``from_record`` is
    true). Otherwise, or with ``revalidate``, the package is inspected in full and, if it passes, a new
    record is written. With ``read_tables`` false a recorded package's tables are not read at all
    (``ddj validate`` needs only the counts).

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A shipped dataset's name (``syria-ru-aviation``) or the folder holding ``datapackage.json``.
    keep_text : bool, default True
        Keep the free-text columns in the tables; False drops them after checking, to need less memory.
    revalidate : bool, default False
        Ignore any record and inspect the package in full (a passing inspection writes a new record).
    read_tables : bool, default True
        Read the tables of a recorded package; False returns the recorded counts and caveats only.
    columns : mapping of str to sequence of str, optional
        By table, the only columns to read from a recorded package (a table not named is read whole); a
        package that is validated is read whole, as validation needs every column.
    """
    folder = resolve(name_or_path)
    package = read_package(folder)
    kind = _kind_of(package)
    _check_declared_schema(package, kind)
    _check_columns(package, kind, columns)
    paths = [spec.path for spec in package.resources.values()]
    # When the files have the sizes and modification times of the last record, the tables are read while the
    # files are hashed (the hashes still decide: tables read early are dropped unless the record matches them).
    prior = None if revalidate or not read_tables else read_record(folder, None)
    early: Future[dict[str, pl.DataFrame] | None] | None = None
    states: dict[str, FileState] | None = None
    looks_recorded = prior is not None and set(prior.counts) == set(package.resources)
    if prior is not None and looks_recorded and files_unchanged(folder, prior.files):
        check_memory(package, kind, keep_text=keep_text)
        with ThreadPoolExecutor(max_workers=1) as pool:
            early = pool.submit(_read_tables, package, kind, prior.counts, keep_text, columns)
            with contextlib.suppress(OSError):
                states = package_states(folder, paths)
    else:
        with contextlib.suppress(OSError):
            states = package_states(folder, paths)
    if states is None:  # a file that cannot be read: the inspection says which, and how to fix it
        return inspect(folder, keep_text=keep_text)
    key = record_key(folder, kind.name, kind.schemas, states)
    record = None if revalidate else read_record(folder, key)
    if record is not None and set(record.counts) == set(package.resources):
        tables: dict[str, pl.DataFrame] | None = {}
        if read_tables:
            if early is not None and prior is not None and (prior.key, prior.counts) == (key, record.counts):
                tables = early.result()
            else:
                check_memory(package, kind, keep_text=keep_text)
                tables = _read_tables(package, kind, record.counts, keep_text, columns)
        if tables is not None and files_unchanged(folder, states):  # nothing was rewritten while it was read
            return Inspection(
                folder=folder,
                name=package.name,
                kind=kind.name,
                caveats=list(record.caveats),
                tables=tables,
                package=package,
                from_record=True,
                counts=dict(record.counts),
                states=states,
            )
    result = inspect(folder, keep_text=keep_text)
    result.states = states
    if not result.ok:
        forget(folder)
    elif files_unchanged(folder, states):  # what was validated is what was hashed
        import datetime as dt

        write_record(
            folder,
            ValidationRecord(
                key=key,
                files=states,
                validated_on=dt.date.today().isoformat(),
                caveats=tuple(result.caveats),
                counts=dict(result.counts),
            ),
        )
    return result


def _read_tables(
    package: PackageSpec,
    kind: DatasetKind,
    counts: Mapping[str, int],
    keep_text: bool,
    columns: Mapping[str, Sequence[str]] | None,
) -> dict[str, pl.DataFrame] | None:
    """:func:`validated_scans` collected at once; None when a file cannot be read (rewritten while read)."""
    try:
        scans = validated_scans(package, kind, counts, keep_text=keep_text, columns=columns)
        return dict(zip(scans, pl.collect_all(list(scans.values())), strict=True))
    except (pl.exceptions.PolarsError, OSError):  # validating says what is wrong
        return None


def validated_scans(
    package: PackageSpec,
    kind: DatasetKind,
    counts: Mapping[str, int],
    *,
    keep_text: bool = True,
    columns: Mapping[str, Sequence[str]] | None = None,
    row_index: str | None = None,
) -> dict[str, pl.LazyFrame]:
    """Lazy scans of the typed tables of a package that passed validation, to be read without the checks.

    Collected, they hold the columns and types :func:`inspect` gives a valid package (every vocabulary
    column a ``pl.Enum``, since a valid package has no value outside its vocabulary). A column stored
    with its model type (a Parquet file written by :func:`ddj.datasets.storage.write_table`) is read as it
    is; any other is cast. CSV files are read up to the row count validation counted. Being lazy, a
    filter or a selection on a scan is pushed down to the file (Parquet row groups and columns are skipped).

    Parameters
    ----------
    package : PackageSpec
        The package as :func:`ddj.datasets.package.read_package` read it.
    kind : DatasetKind
        Its kind (the authoritative schemas, and whether vocabulary columns are Enums).
    counts : mapping of str to int
        The rows of each table, as validation counted them (:attr:`ValidationRecord.counts`).
    keep_text : bool, default True
        Keep the free-text columns; False leaves them out.
    columns : mapping of str to sequence of str, optional
        By table, the only columns to keep (in the schema's order); a table not named keeps all.
    row_index : str, optional
        Add a first column of this name holding each row's number in its file (the first data row is 2), put
        on the scan itself so that a filter on the result is still pushed down to the file.

    Raises
    ------
    NotFoundError
        ``columns`` names a table or a column the package does not have.
    InvalidValueError
        A table's columns are given as one string instead of a list of names.
    """
    _check_columns(package, kind, columns)
    queries: dict[str, pl.LazyFrame] = {}
    for name, spec in package.resources.items():
        schema = kind.schemas.get(name, spec.schema)
        if spec.format == "parquet":
            raw = pl.scan_parquet(spec.path)
        else:
            raw = pl.scan_csv(
                spec.path,
                infer_schema=False,
                has_header=True,
                raise_if_empty=False,
                truncate_ragged_lines=False,
                n_rows=counts[name],
            )
        dropped = frozenset() if keep_text else kind.free_text.get(name, frozenset())
        wanted = None if columns is None or name not in columns else set(columns[name])
        frame_schema = raw.collect_schema()
        casts = []
        if row_index is not None:
            raw = raw.with_row_index(row_index, offset=2)
            casts.append(pl.col(row_index))
        for item in schema["fields"]:
            column = item["name"]
            if column in dropped or (wanted is not None and column not in wanted):
                continue
            target = field_dtype(item, enums=kind.enum_dtypes)
            if frame_schema[column] == target:  # stored as the model types it: no cast (issue 23)
                casts.append(pl.col(column))
                continue
            typed = _cast_expr(column, item.get("type", "string"), frame_schema[column])
            if isinstance(target, pl.Enum):
                typed = typed.cast(target, strict=False)
            casts.append(typed.alias(column))
        queries[name] = raw.select(casts)
    return queries


def _check_columns(package: PackageSpec, kind: DatasetKind, columns: Mapping[str, Sequence[str]] | None) -> None:
    """Refuse ``columns`` naming a table or a column the package does not have, saying which ones it has."""
    for name, wanted in (columns or {}).items():
        if name not in package.resources:
            msg = f"dataset {package.name!r} has no table {name!r}; it has: {', '.join(package.resources)}"
            raise NotFoundError(msg)
        if isinstance(wanted, str):
            msg = f"columns={{{name!r}: ...}} must be a list of column names, not the string {wanted!r}"
            raise InvalidValueError(msg)
        fields = [f["name"] for f in kind.schemas.get(name, package.resources[name].schema)["fields"]]
        unknown = [c for c in wanted if c not in fields]
        if unknown:
            msg = f"table {name!r} of dataset {package.name!r} has no column {', '.join(map(repr, unknown))}; it has: "
            msg += ", ".join(fields)
            raise NotFoundError(msg)


def _with_schema(spec: ResourceSpec, schema: dict) -> ResourceSpec:
    return ResourceSpec(spec.name, spec.path, spec.relpath, spec.format, schema, spec.descriptor)


def _foreign_key_problems(package: PackageSpec, kind: DatasetKind, tables: dict[str, pl.DataFrame]) -> list[Problem]:
    problems: list[Problem] = []
    for name, frame in tables.items():
        schema = kind.schemas.get(name, package.resources[name].schema)
        for key in schema.get("foreignKeys", []):
            own = key["fields"][0] if isinstance(key["fields"], list) else key["fields"]
            reference = key["reference"]
            parent_name = reference.get("resource") or name
            theirs = reference["fields"][0] if isinstance(reference["fields"], list) else reference["fields"]
            parent = tables.get(parent_name)
            if parent is None:
                continue
            problems += foreign_key_problems(
                frame, own, parent[theirs], package.resources[name].display, package.resources[parent_name].display
            )
    return problems


def load(
    name_or_path: str | os.PathLike,
    *,
    warn: bool = True,
    revalidate: bool = False,
    columns: Mapping[str, Sequence[str]] | None = None,
    incidents: Iterable[str] | None = None,
) -> Dataset:
    """Load a dataset by shipped name or folder path, validated.

    A package is validated once per content: a successful validation is recorded in ddj's cache folder
    against the hashes of its files and the rules' version, and a later load of the same files skips the
    row-level rules (the recorded caveats are still emitted). See :mod:`ddj.datasets.validation_record`.

    A later load reads only what it is asked for: with ``columns`` only those columns of the tables named
    there, with ``incidents`` only the rows of those incidents (filters pushed down to the files: Parquet
    row groups of other incidents are skipped). Both return what loading everything and then selecting
    would return; a package not yet validated is read whole once, to validate it.

    Parameters
    ----------
    name_or_path
        A shipped dataset's name (``ddj datasets`` lists them) or the path of a package folder.
    warn
        Emit each kind of caveat as one :class:`ddj.warnings.DataCaveatWarning`.
    revalidate
        Validate every row again even when a record says these files passed (so does setting the
        environment variable ``DDJ_REVALIDATE=1``, for reports, notebooks and the Explorer).
    columns
        By table, the only columns to keep (``{"accounts": ["incident_id", "side"]}``); tables not named
        are kept whole. The columns come in the schema's order.
    incidents
        Keep only the rows a report on these incidents can read: the same dataset as
        ``ddj.datasets.scope.scope(load(...), incidents=incidents)`` (see :mod:`ddj.datasets.scope`).

    Raises
    ------
    DDJError
        A :class:`~ddj.errors.ValidationError` subclass listing every problem, a
        :class:`~ddj.errors.ResourceFileError` for an unreadable file, or a
        :class:`~ddj.errors.PackageError`. Messages name the file, row, column and the fix.

    Examples
    --------
    >>> ds = load("syria-ru-aviation", warn=False)
    >>> ds.incidents.filter(pl.col("aircraft_model") == "Mi-35")["region"].to_list()
    ['Al-Hasakah']

    The Mi-35 that landed in February 2021 is placed in Al-Hasakah governorate.
    """
    revalidate = revalidate or os.environ.get(REVALIDATE_ENV, "") not in ("", "0")
    if incidents is not None:
        dataset = _load_scoped(name_or_path, list(incidents), revalidate=revalidate, columns=columns)
    else:
        result = _passed(validate_once(name_or_path, revalidate=revalidate, columns=columns))
        dataset = _dataset(result, result.tables)
        if not result.from_record:  # validated whole: keep what was asked for
            dataset = _project(dataset, columns)
    if warn:
        emit_caveats(dataset.caveats)
    return dataset


def _passed(result: Inspection) -> Inspection:
    """``result`` if the package passed; otherwise raise its first unreadable file or every broken rule."""
    if result.file_errors:
        raise result.file_errors[0]
    if result.problems:
        raise validation_error(result.problems)
    return result


def _dataset(result: Inspection, tables: dict[str, pl.DataFrame]) -> Dataset:
    package = result.package
    assert package is not None
    return Dataset(
        name=result.name,
        folder=result.folder,
        kind=result.kind,
        tables=tables,
        caveats=tuple(result.caveats),
        descriptor=package.descriptor,
        files={name: spec.path for name, spec in package.resources.items()},
    )


def _project(dataset: Dataset, columns: Mapping[str, Sequence[str]] | None) -> Dataset:
    """``dataset`` with only the ``columns`` of the tables named there (in the tables' order)."""
    if not columns:
        return dataset
    tables = {
        name: frame.select([c for c in frame.columns if c in set(columns[name])]) if name in columns else frame
        for name, frame in dataset.tables.items()
    }
    return replace(dataset, tables=tables)


def _load_scoped(
    name_or_path: str | os.PathLike, ids: list[str], *, revalidate: bool, columns: Mapping[str, Sequence[str]] | None
) -> Dataset:
    """:func:`load` with ``incidents``: a recorded package's slice is read by filtered scans, not whole.

    Parameters
    ----------
    name_or_path : str or os.PathLike
        A shipped dataset's name or a package folder.
    ids : list of str
        The incident ids.
    revalidate : bool
        Validate the package in full first, whatever the records say.
    columns : mapping of str to sequence of str, optional
        By table, the only columns to keep.
    """
    from ddj.datasets.scope import _ROW as ROW_INDEX
    from ddj.datasets.scope import scope, scope_scans

    result = _passed(validate_once(name_or_path, revalidate=revalidate, read_tables=False, columns=columns))
    if result.from_record:
        package = result.package
        assert package is not None
        scans = validated_scans(package, _kind_of(package), result.counts, row_index=ROW_INDEX)
        try:
            scoped: Dataset | None = scope_scans(_dataset(result, {}), scans, incidents=ids)
        except (pl.exceptions.PolarsError, OSError):  # rewritten while read: validating says what is wrong
            scoped = None
        if scoped is not None and files_unchanged(result.folder, result.states):
            return _project(scoped, columns)
        result = _passed(validate_once(name_or_path, revalidate=revalidate))  # the new content, validated
    return _project(scope(_dataset(result, result.tables), incidents=ids), columns)


def emit_caveats(caveats: list[Problem] | tuple[Problem, ...]) -> None:
    """Emit one :class:`DataCaveatWarning` per kind of caveat, naming the first few rows."""
    grouped: dict[str, list[Problem]] = defaultdict(list)
    for caveat in caveats:
        grouped[caveat.rule].append(caveat)
    for rule, items in grouped.items():
        listed = [c for c in items if c.row is not None] or items[:1]  # a caveat of a whole file: its message
        shown = "; ".join(c.message for c in listed[:3])
        more = f" (and {len(listed) - 3} more)" if len(listed) > 3 else ""
        warnings.warn(f"{items[0].file}: {rule.replace('_', ' ')}: {shown}{more}", DataCaveatWarning, stacklevel=3)
