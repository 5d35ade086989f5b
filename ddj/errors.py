"""One exception hierarchy for ddj. Every message says what went wrong, where, and what to do.

The command line turns any :class:`DDJError` into its message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Problem:
    """One problem found in a dataset: where it is, what is wrong, how to fix it.

    ``row`` is the row number a spreadsheet shows (the header is row 1), or ``None`` for a
    problem with a whole file or column. ``rule`` is a short code such as ``enum`` or
    ``foreign_key``; ``error`` names the :class:`ValidationError` subclass it belongs to.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str
    hint: str = ""
    error: str = "ValidationError"

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = f"{', '.join(where)}: {self.message}"
        if self.hint:
            text += f". To fix: {self.hint}"
        return text

    def as_dict(self) -> dict:
        """The problem as a JSON-ready mapping: ``file``, ``row``, ``column``, the message and the hint."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "rule": self.rule,
            "message": self.message,
            "hint": self.hint,
        }


class DDJError(Exception):
    """Base class of every error ddj raises on purpose."""


class UsageError(DDJError):
    """A command or function was called with arguments that cannot work.

    Raise one of its subclasses, named for what went wrong; catching ``UsageError`` catches them all, and the
    command line gives every one the same exit code (2) and one-line message.
    """


class InvalidValueError(UsageError):
    """A value given to a command, option, filter or parameter is not one ddj accepts: not a date, not one of
    the allowed words, out of range, or of the wrong type. The message names the option and what to write.
    """


class ConflictingOptionsError(UsageError):
    """Options that cannot be used together were given, an option was given without the one it needs, or none
    of the options a command needs to know what to do was given.
    """


class NotFoundError(UsageError):
    """Something named does not exist where it was looked for: an incident, a table, a notebook, a category, a
    build. The message lists what there is.
    """


class WrongDatasetKindError(UsageError):
    """A dataset of one kind was given where another kind is needed (a tally where incidents are compared)."""


class UnusableDataError(UsageError):
    """The data given cannot do what was asked: it lacks columns or rows the step needs, or breaks a rule the
    step relies on (run ``ddj validate`` to see every problem).
    """


class OutputLocationError(UsageError):
    """Refused to write where asked: the folder is missing or not writable, a file stands where a folder must,
    or the target exists and ``--force`` was not given. Nothing was written.
    """


class ReportEntryError(UsageError):
    """A report cannot be declared as asked: a ``reports.toml`` grid names a column its table lacks, a value TOML
    cannot write, or a notebook that cannot take the view's filters.
    """


class UnavailableError(UsageError):
    """Something the command needs is not installed or does not answer (Dask distributed, a Dask scheduler)."""


class DatasetNotFoundError(DDJError):
    """No shipped dataset has that name and no folder is at that path."""


class DatasetTooLargeError(DDJError):
    """A dataset's files are too large for the memory available; refused before reading them."""


class PackageError(DDJError):
    """The datapackage.json is missing, unreadable, or does not describe a ddj dataset."""


class ResourceFileError(PackageError):
    """A resource's data file is missing or cannot be read at all."""

    def __init__(self, message: str, *, file: str, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.row = row
        self.column = column


class MissingFileError(ResourceFileError):
    """The package names a data file that is not there."""


class EmptyFileError(ResourceFileError):
    """A data file has no bytes or no header row."""


class EncodingError(ResourceFileError):
    """A data file is not UTF-8 text."""


class DelimiterError(ResourceFileError):
    """A CSV file is separated by something other than commas."""


class LineEndError(ResourceFileError):
    """A CSV file's lines end in something other than a line feed (old Mac files end lines with a lone CR)."""


class RaggedRowError(ResourceFileError):
    """A CSV row has more or fewer cells than the header."""


class HeaderError(ResourceFileError):
    """The header row lacks columns the schema requires, repeats one, or has columns the schema does not know."""


class ValidationError(DDJError):
    """The data breaks one or more rules; ``problems`` lists every one found.

    The subclass says which kind of rule broke when all problems are of one kind.
    """

    def __init__(self, problems: list[Problem], *, limit: int = 50) -> None:
        self.problems = list(problems)
        shown = self.problems[:limit]
        lines = [f"{len(self.problems)} problem(s) in the data:"] + [f"- {p}" for p in shown]
        if len(self.problems) > limit:
            lines.append(f"- ... and {len(self.problems) - limit} more (run `ddj validate` to list them all)")
        super().__init__("\n".join(lines))


class TypeViolation(ValidationError):
    """A value is not of the column's type (a whole number, a number, a date...)."""


class RequiredViolation(ValidationError):
    """A required value is empty."""


class EnumViolation(ValidationError):
    """A value is not one of the words the column allows."""


class PatternViolation(ValidationError):
    """A value does not have the form the column requires (an id, a date claim...)."""


class RangeViolation(ValidationError):
    """A number is outside the column's range (precision codes, coordinates, counts)."""


class UniqueViolation(ValidationError):
    """An id appears more than once."""


class ForeignKeyViolation(ValidationError):
    """A reference points at a row that does not exist."""


class DateOrderViolation(ValidationError):
    """Dates are out of order (an end before a start, an account before its incident)."""


class CountRangeViolation(ValidationError):
    """A count's low, best and high figures are out of order or do not match its claim."""


class UrlViolation(ValidationError):
    """A link is not an http or https address."""


class ConsistencyViolation(ValidationError):
    """Fields of a row, or rows, contradict each other (a supersession across sources, a related id, no relation)."""


class TextViolation(ValidationError):
    """A text value holds characters that cannot be shown safely (NUL or another control character)."""


class EmptyTableError(ValidationError):
    """A resource that must have rows has none."""


_VALIDATION_CLASSES = {
    cls.__name__: cls
    for cls in (
        ValidationError,
        TypeViolation,
        RequiredViolation,
        EnumViolation,
        PatternViolation,
        RangeViolation,
        UniqueViolation,
        ForeignKeyViolation,
        DateOrderViolation,
        CountRangeViolation,
        UrlViolation,
        ConsistencyViolation,
        TextViolation,
        EmptyTableError,
    )
}


def validation_error(problems: list[Problem]) -> ValidationError:
    """Return the most specific :class:`ValidationError` for ``problems``.

    One kind of problem gives that kind's class; a mix gives :class:`ValidationError` itself.

    Examples
    --------
    >>> p = Problem("a.csv", 2, "side", "x", "enum", "not allowed", error="EnumViolation")
    >>> type(validation_error([p])).__name__
    'EnumViolation'

    A single kind of problem is raised as its own class, so callers can catch it precisely.
    """
    kinds = {p.error for p in problems}
    cls = _VALIDATION_CLASSES.get(kinds.pop(), ValidationError) if len(kinds) == 1 else ValidationError
    return cls(problems)


class NotebookError(DDJError):
    """A notebook cannot run as a report: unreadable, no ``parameters`` cell, or a parameters cell ddj cannot read."""


class ParameterError(DDJError):
    """Parameters given to a notebook are wrong: an unknown name, a wrong type, a value out of range or not allowed.

    ``report`` names the report (or ``None`` for an ad hoc run), ``parameter`` the first parameter at
    fault and ``problems`` every message found, so all of them can be fixed in one go.
    """

    def __init__(self, problems: list[str], *, report: str | None = None, parameter: str | None = None) -> None:
        self.problems = list(problems)
        self.report = report
        self.parameter = parameter
        where = f"report {report!r}: " if report else ""
        if len(self.problems) == 1:
            text = f"{where}{self.problems[0]}"
        else:
            text = f"{where}{len(self.problems)} parameter problems:\n" + "\n".join(f"- {p}" for p in self.problems)
        super().__init__(text)


class ConfigError(DDJError):
    """``reports.toml`` is unreadable or declares what cannot run; the message names the file and the report."""


class GridError(ConfigError):
    """One ``[reports.NAME]`` group cannot be expanded into reports (its grid's dataset does not load, its table
    has no rows, its schedule is not a cron expression): that group fails, the other groups still run.
    """


class RunLockedError(UsageError):
    """Another run (or the processes of one that ended) holds the output folder's lock."""


class KernelStartError(RuntimeError):
    """A warm kernel did not start or could not run ddj's set-up code.

    Not a :class:`DDJError`: the runner catches it to fall back to a fresh kernel, and never shows it to a reader.
    """


class UndecodableBytesError(Exception):
    """Raised inside a CSV reader's line iterator where the file stops being UTF-8 (``offset``, ``line``, ``data``).

    Not a :class:`DDJError`: the reader catches it and raises an :class:`EncodingError` naming the line and the
    bytes, so it never reaches a reader of ddj's messages.
    """

    def __init__(self, offset: int, line: int, data: bytes) -> None:
        super().__init__(offset)
        self.offset, self.line, self.data = offset, line, data


class DatasetPathError(DDJError):
    """A dataset's descriptor or resource path leads outside its folder (``../``, an absolute path, a symlink
    whose target is elsewhere): the reports that read it are refused, the others run.
    """


class ExportError(DDJError):
    """An export could not be written (a full disk, a folder that went away...); nothing half-written is left."""


class ImportFormatError(DDJError):
    """A file to import lacks columns the format requires, or cannot be read as that format.

    ``file`` and ``columns`` say where and what; the message says how to fix it.
    """

    def __init__(self, message: str, *, file: str, columns: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.file = file
        self.columns = columns


class DateOrderError(ImportFormatError):
    """All-number dates whose day/month order cannot be decided from the file (``rows`` names them)."""

    def __init__(self, message: str, *, file: str, column: str, rows: tuple[int, ...]) -> None:
        super().__init__(message, file=file, columns=(column,))
        self.rows = rows


class CrosswalkGapError(PackageError):
    """The raw files have categories the crosswalk does not declare, or the crosswalk names categories now gone.

    ``undeclared`` and ``vanished`` are the frames :func:`ddj.tally.snapshot.crosswalk_gaps` returns.
    """

    def __init__(self, message: str, *, undeclared: pl.DataFrame, vanished: pl.DataFrame) -> None:
        super().__init__(message)
        self.undeclared = undeclared
        self.vanished = vanished


class HistoryTruncatedError(PackageError):
    """The new raw files hold less history than the dataset they would replace (``losses`` names each category)."""

    def __init__(self, message: str, *, losses: pl.DataFrame) -> None:
        super().__init__(message)
        self.losses = losses
