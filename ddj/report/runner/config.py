"""``reports.toml``: which notebooks to run with which parameters, and what to call each report.

::

    [reports.incident]
    notebook = "notebooks/incident-report.ipynb"      # relative to this file
    parameters = { dataset = "syria-ru-aviation" }    # fixed parameters
    output = "incident-{incident_id}"                 # one folder reports/<output>/ per report
    schedule = "0 4 * * *"                            # optional cron expression (checked; run by cron)
    timeout = 600                                     # optional: seconds one cell may take

    [reports.incident.grid]                           # one report per combination of these
    incident_id = { each = "incidents" }              # every row of a table of a dataset
    # colour = ["red", "blue"]                        # or a list of values

``each`` names a table of the report's ``dataset`` parameter (or of ``dataset = "..."`` given beside
it); ``column`` picks the column (default: the table's primary key). Every parameter value in an
output name passes through :func:`ddj.html.safe_filename`, so data cannot reach the file system.
"""

from __future__ import annotations

import itertools
import string
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ddj.errors import ConfigError, DDJError, GridError

_REPORT_KEYS = ("notebook", "parameters", "grid", "output", "schedule", "timeout", "title")
_EACH_KEYS = ("each", "dataset", "column")
DEFAULT_TIMEOUT = 600


@dataclass(frozen=True)
class ReportSpec:
    """One report to run: a notebook, its parameters (not yet checked) and the name of its folder.

    ``group`` is the name under ``[reports.NAME]`` that declared it; a grid declares many reports
    in one group. ``base_dir`` is where relative paths in the parameters are resolved from.
    """

    name: str
    group: str
    notebook: Path
    parameters: dict[str, Any]
    base_dir: Path
    title: str = ""
    schedule: str | None = None
    timeout: int = DEFAULT_TIMEOUT
    source: str = ""


@dataclass(frozen=True)
class GroupError:
    """A group of reports that could not even be listed (its grid could not be expanded)."""

    group: str
    message: str


@dataclass
class ReportsConfig:
    """A parsed ``reports.toml``: its reports, and the groups that could not be expanded."""

    path: Path
    reports: list[ReportSpec] = field(default_factory=list)
    errors: list[GroupError] = field(default_factory=list)

    def select(self, patterns: list[str]) -> ReportsConfig:
        """Keep only reports whose name or group matches one of the shell-style ``patterns``."""
        import fnmatch

        if not patterns:
            return self
        keep = [
            r
            for r in self.reports
            if any(fnmatch.fnmatchcase(r.name, p) or fnmatch.fnmatchcase(r.group, p) for p in patterns)
        ]
        errors = [e for e in self.errors if any(fnmatch.fnmatchcase(e.group, p) for p in patterns)]
        if not keep and not errors:
            known = ", ".join(sorted({r.group for r in self.reports})) or "none"
            msg = f"{self.path}: no report matches {', '.join(patterns)}; the groups are: {known}"
            raise ConfigError(msg)
        return ReportsConfig(self.path, keep, errors)


ColumnValues = Callable[[str, str, str | None], list[Any]]


def load_config(path: str | Path, *, column_values: ColumnValues | None = None) -> ReportsConfig:
    """Read a ``reports.toml`` and expand its grids into one :class:`ReportSpec` per report.

    ``column_values(dataset, table, column)`` lists the values a grid's ``each`` runs over (default:
    load the dataset with :func:`ddj.load`). A group whose grid cannot be expanded (its dataset does
    not load) is kept in ``errors`` so the other groups still run.

    Raises
    ------
    ConfigError
        The file is missing or not TOML, or declares something that cannot work; the message names the
        file, the report and the key.

    Examples
    --------
    >>> import pathlib
    >>> config = load_config(pathlib.Path(__file__).parents[3] / "reports.toml")
    >>> sorted({r.group for r in config.reports}) == ["incident", "tally-ukraine", "theatre-syria"]
    True

    The shipped reports.toml declares the incident reports, a theatre overview and a tally comparison.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        msg = (
            f"{path}: not UTF-8 text (byte {err.object[err.start]:#04x} at position {err.start}); "
            "save reports.toml as UTF-8 (TOML files must be UTF-8)."
        )
        raise ConfigError(msg) from None
    except IsADirectoryError:
        msg = f"{path}: is a folder, not a reports.toml file; pass --config with the file's path."
        raise ConfigError(msg) from None
    except FileNotFoundError:
        msg = f"{path}: no such file. Write a reports.toml (see the README's Reports section) or pass --config."
        raise ConfigError(msg) from None
    except tomllib.TOMLDecodeError as err:
        msg = f"{path}: not valid TOML: {err}"
        raise ConfigError(msg) from None
    unknown = [k for k in data if k != "reports"]
    if unknown:
        msg = f"{path}: unknown top-level key(s) {', '.join(unknown)}; declare reports as [reports.NAME] tables."
        raise ConfigError(msg)
    groups = data.get("reports", {})
    if not isinstance(groups, dict) or not groups:
        msg = f"{path}: declares no reports; add a [reports.NAME] table with at least `notebook = ...`."
        raise ConfigError(msg)
    column_values = column_values or _column_values
    config = ReportsConfig(path=path)
    for group, table in groups.items():
        try:
            config.reports += _expand(path, group, table, column_values)
        except GridError as err:
            config.errors.append(GroupError(group, str(err)))
    _check_unique(path, config.reports)
    return config


def _expand(path: Path, group: str, table: Any, column_values: ColumnValues) -> list[ReportSpec]:
    where = f"{path}, [reports.{group}]"
    if not isinstance(table, dict):
        msg = f"{where}: must be a table with at least `notebook = ...`."
        raise ConfigError(msg)
    unknown = [k for k in table if k not in _REPORT_KEYS]
    if unknown:
        msg = f"{where}: unknown key(s) {', '.join(unknown)}; a report takes: {', '.join(_REPORT_KEYS)}."
        raise ConfigError(msg)
    if not isinstance(table.get("notebook"), str):
        msg = f'{where}: needs `notebook = "path/to/notebook.ipynb"` (relative to {path.name}).'
        raise ConfigError(msg)
    base_dir = path.parent.resolve()
    notebook = (base_dir / table["notebook"]).resolve()
    if not notebook.is_file():
        msg = f"{where}: notebook {table['notebook']!r} does not exist (looked for {notebook})."
        raise ConfigError(msg)
    fixed = table.get("parameters", {})
    grid = table.get("grid", {})
    for key, value in (("parameters", fixed), ("grid", grid)):
        if not isinstance(value, dict):
            msg = f"{where}: `{key}` must be a table of parameter names to values."
            raise ConfigError(msg)
    both = sorted(set(fixed) & set(grid))
    if both:
        msg = f"{where}: {', '.join(both)} is given both in `parameters` and in `grid`; keep one."
        raise ConfigError(msg)
    schedule = table.get("schedule")
    if schedule is not None:
        try:
            check_schedule(schedule, f"[reports.{group}]")
        except ConfigError as err:  # one bad schedule fails its group only: the other reports still run
            raise GridError(str(err)) from None
    timeout = table.get("timeout", DEFAULT_TIMEOUT)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        msg = f"{where}: `timeout` must be a whole number of seconds above 0, not {timeout!r}."
        raise ConfigError(msg)
    title = table.get("title", "")
    if not isinstance(title, str):
        msg = f"{where}: `title` must be text."
        raise ConfigError(msg)
    axes = {name: _grid_values(where, name, value, fixed, column_values, base_dir) for name, value in grid.items()}
    pattern = table.get("output")
    if pattern is None:
        pattern = group + "".join(f"-{{{name}}}" for name in axes)
    if not isinstance(pattern, str) or not pattern.strip():
        msg = f'{where}: `output` must be a name pattern such as "incident-{{incident_id}}".'
        raise ConfigError(msg)
    fields = _pattern_fields(where, pattern)
    missing = [f for f in fields if f not in fixed and f not in axes]
    if missing:
        msg = (
            f"{where}: the output pattern {pattern!r} uses {', '.join(missing)}, which is neither in "
            "`parameters` nor in `grid`."
        )
        raise ConfigError(msg)
    if axes and not all(name in fields for name in axes):
        msg = (
            f"{where}: the output pattern {pattern!r} must use every grid parameter "
            f"({', '.join(axes)}), or the reports would overwrite each other."
        )
        raise ConfigError(msg)
    reports = []
    for combination in itertools.product(*axes.values()):
        parameters = {**fixed, **dict(zip(axes, combination, strict=True))}
        reports.append(
            ReportSpec(
                name=output_name(pattern, parameters),
                group=group,
                notebook=notebook,
                parameters=parameters,
                base_dir=base_dir,
                title=title,
                schedule=schedule,
                timeout=timeout,
                source=f"{path}",
            )
        )
    return reports


def _grid_values(
    where: str, name: str, value: Any, fixed: dict[str, Any], column_values: ColumnValues, base_dir: Path
) -> list[Any]:
    if isinstance(value, list):
        if not value:
            msg = f"{where}: grid parameter {name!r} has an empty list; give at least one value."
            raise ConfigError(msg)
        return value
    if isinstance(value, dict):
        unknown = [k for k in value if k not in _EACH_KEYS]
        if unknown or not isinstance(value.get("each"), str):
            msg = (
                f"{where}: grid parameter {name!r} must be a list of values or "
                '`{ each = "TABLE", column = "COLUMN", dataset = "NAME" }` (column and dataset optional).'
            )
            raise ConfigError(msg)
        dataset = value.get("dataset", fixed.get("dataset"))
        if not isinstance(dataset, str):
            msg = (
                f"{where}: grid parameter {name!r} runs over {value['each']!r} but names no dataset; "
                "add `dataset = ...`."
            )
            raise ConfigError(msg)
        local = base_dir / dataset
        if not _is_shipped(dataset) and local.is_dir():
            dataset = str(local)
        try:
            values = column_values(dataset, value["each"], value.get("column"))
        except DDJError as err:
            msg = f"grid parameter {name!r} could not list {value['each']!r} of {dataset!r}: {str(err).splitlines()[0]}"
            raise GridError(msg) from None
        if not values:
            msg = f"grid parameter {name!r}: table {value['each']!r} of {dataset!r} has no rows"
            raise GridError(msg)
        return values
    msg = f"{where}: grid parameter {name!r} must be a list of values or a table with `each = ...`."
    raise ConfigError(msg)


def _is_shipped(name: str) -> bool:
    from ddj._shipped import is_shipped  # not ddj.datasets, which imports polars: a no-op run stays light

    return is_shipped(name)


def _column_values(dataset: str, table: str, column: str | None) -> list[Any]:
    import ddj
    from ddj.errors import ReportEntryError

    loaded = ddj.load(dataset, warn=False)
    frame = loaded.table(table)
    if column is None:
        schema: dict[str, Any] = next(
            (r.get("schema", {}) for r in loaded.descriptor.get("resources", []) if r.get("name") == table), {}
        )
        key = schema.get("primaryKey")
        column = key[0] if isinstance(key, list) else key
        if not column:
            msg = f"table {table!r} of {dataset!r} has no primary key; name the column with `column = ...`"
            raise ReportEntryError(msg)
    if column not in frame.columns:
        msg = f"table {table!r} of {dataset!r} has no column {column!r}"
        raise ReportEntryError(msg)
    return [v for v in frame[column].unique(maintain_order=True).to_list() if v is not None]


def _pattern_fields(where: str, pattern: str) -> list[str]:
    fields = []
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as err:
        msg = (
            f"{where}: the output pattern {pattern!r} is malformed ({err}); "
            "write names in braces, e.g. {incident_id}."
        )
        raise ConfigError(msg) from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            msg = f"{where}: the output pattern may only hold plain parameter names in braces, not {{{name}}}."
            raise ConfigError(msg)
        fields.append(name)
    return fields


def output_name(pattern: str, parameters: dict[str, Any]) -> str:
    """Fill an output name pattern with parameter values, each made safe for a file name.

    Examples
    --------
    >>> output_name("incident-{incident_id}", {"incident_id": "../../etc <x>"})
    'incident-etc-x-'

    A hostile id cannot climb out of the reports folder or put markup in a file name.
    """
    from ddj.html import safe_filename

    filled = "".join(
        literal + (safe_filename(_as_text(parameters[name])) if name is not None else "")
        for literal, name, _, _ in string.Formatter().parse(pattern)
    )
    return safe_filename(filled, max_length=120)


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "-".join(_as_text(v) for v in value)
    return str(value)


#: How far ahead a schedule must fire at least once (leap days fire every four years, at most eight apart).
SCHEDULE_HORIZON_YEARS = 10


def check_schedule(expression: Any, where: str = "schedule") -> str:
    """Check a cron expression (five fields, as crontab writes them) that fires within
    :data:`SCHEDULE_HORIZON_YEARS`; return it.

    ddj does not run schedules itself; the expression is checked so that a scheduler can trust it.

    Examples
    --------
    >>> check_schedule("0 4 * * *")
    '0 4 * * *'
    >>> check_schedule("0 0 30 2 *")
    Traceback (most recent call last):
    ...
    ddj.errors.ConfigError: schedule: `schedule` '0 0 30 2 *' never fires (no such date: check the day and the month)

    Four in the morning, every day, is a schedule; the 30th of February never comes.
    """
    import datetime as dt

    from croniter import croniter

    if not isinstance(expression, str) or len(expression.split()) != 5 or not croniter.is_valid(expression):
        msg = f'{where}: `schedule` {expression!r} is not a cron expression of five fields, like "0 4 * * *".'
        raise ConfigError(msg)
    try:
        croniter(expression, dt.datetime.now(), max_years_between_matches=SCHEDULE_HORIZON_YEARS).get_next(dt.datetime)
    except Exception:  # noqa: BLE001 - CroniterBadDateError, and whatever else stops croniter finding a time
        msg = f"{where}: `schedule` {expression!r} never fires (no such date: check the day and the month)"
        raise ConfigError(msg) from None
    return expression


#: Names in the output folder that the runner writes itself: no report may take them.
RESERVED_OUTPUTS = ("index.html", ".ddj", ".staging")


def _check_unique(path: Path, reports: list[ReportSpec]) -> None:
    seen: dict[str, ReportSpec] = {}
    for report in reports:
        if report.name.lower() in RESERVED_OUTPUTS or report.name.startswith("."):
            msg = (
                f"{path}: [reports.{report.group}] writes to {report.name!r}, a name the runner keeps for itself "
                f"({', '.join(RESERVED_OUTPUTS)}); choose another `output` name."
            )
            raise ConfigError(msg)
        if report.name in seen:
            other = seen[report.name]
            who = (
                f"two reports of [reports.{report.group}]"
                if other.group == report.group
                else f"reports [reports.{other.group}] and [reports.{report.group}]"
            )
            msg = (
                f"{path}: {who} both write to {report.name!r} (file names keep only letters, digits, '-', '_' "
                "and '.'); change an `output` pattern so every report has its own name."
            )
            raise ConfigError(msg)
        seen[report.name] = report
