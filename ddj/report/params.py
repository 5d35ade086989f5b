"""A notebook's parameters: read them from its ``parameters`` cell and check values before any kernel starts.

Papermill only warns about an unknown parameter and coerces no types; ddj refuses both, naming the report
and the parameter. A notebook declares its parameters in one code cell tagged ``parameters``, one per
line, each typed and commented::

    dataset: str = "syria-ru-aviation"  # shipped dataset name or package folder [dataset: incidents]
    incident_id: str = "syr-2016-08-01-mi8amtsh"  # the incident to report on [from: incidents.incident_id]
    top: int = 10  # how many rows to show [range: 1..50]
    colour: str = "red"  # the highlight colour [choices: red, blue]
    since: str | None = None  # first day of the window, or None for all [date]

Types come from the annotation (``str``, ``int``, ``float``, ``bool``, ``list[str]``, ``list[int]``,
``list[float]``, each optionally ``| None``) or, without one, from the default value. The comment is the
parameter's help; a bracket group at its end holds constraints, separated by ``;``:

``choices: a, b, c``
    the value (every item of a list) must be one of these;
``range: LOW..HIGH``
    numbers (every item of a list) must lie in this closed range; either end may be left empty;
``date``
    a text value must be an ISO date (``2016-08-01``); TOML dates are accepted and turned into text;
``dataset`` or ``dataset: KIND``
    the value names a shipped dataset or a package folder, which must load without errors (and be of
    that kind); relative folders are made absolute so the kernel finds them from any directory;
``from: TABLE.COLUMN``
    the value (every item of a list) must occur in that column of the notebook's dataset parameter.
"""

from __future__ import annotations

import ast
import datetime as _dt
import difflib
import io
import json
import re
import tokenize
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ddj.errors import DDJError, NotebookError, ParameterError

PARAMETERS_TAG = "parameters"
_SCALARS = ("str", "int", "float", "bool")
_CONSTRAINTS = ("choices", "range", "date", "dataset", "from")
_TRAILING_BRACKETS = re.compile(r"\[([^\[\]]*)\]\s*$")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(frozen=True)
class Parameter:
    """One parameter of a notebook, as its ``parameters`` cell declares it.

    ``type`` is ``str``, ``int``, ``float``, ``bool`` or ``list[...]`` of one of them; ``optional``
    says whether ``None`` is allowed. The constraint fields come from the bracket group at the end of
    the comment (see the module's documentation).
    """

    name: str
    type: str
    default: Any
    comment: str
    optional: bool = False
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    is_date: bool = False
    is_dataset: bool = False
    dataset_kind: str | None = None
    column: tuple[str, str] | None = None
    line: int = 0

    @property
    def is_list(self) -> bool:
        return self.type.startswith("list[")

    @property
    def item_type(self) -> str:
        """The type of the value, or of each item of a list."""
        return self.type[5:-1] if self.is_list else self.type

    @property
    def type_text(self) -> str:
        """The type as the notebook writes it, e.g. ``int | None``."""
        return f"{self.type} | None" if self.optional else self.type

    @property
    def constraints_text(self) -> str:
        """The constraints in the comment's own syntax, or the empty string."""
        parts = []
        if self.choices:
            parts.append("choices: " + ", ".join(str(c) for c in self.choices))
        if self.minimum is not None or self.maximum is not None:
            parts.append(f"range: {_num(self.minimum)}..{_num(self.maximum)}")
        if self.is_date:
            parts.append("date")
        if self.is_dataset:
            parts.append(f"dataset: {self.dataset_kind}" if self.dataset_kind else "dataset")
        if self.column:
            parts.append(f"from: {self.column[0]}.{self.column[1]}")
        return "; ".join(parts)


@dataclass(frozen=True)
class NotebookParameters:
    """The parameters of one notebook, in the order its ``parameters`` cell declares them."""

    notebook: str
    parameters: tuple[Parameter, ...]

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters)

    def __contains__(self, name: object) -> bool:
        return any(p.name == name for p in self.parameters)

    def __getitem__(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}

    @property
    def dataset_parameter(self) -> str | None:
        """The name of the first parameter marked ``[dataset]`` (or called ``dataset``), if any."""
        for parameter in self.parameters:
            if parameter.is_dataset:
                return parameter.name
        return "dataset" if "dataset" in self else None


def read_parameters(notebook: str | Path) -> NotebookParameters:
    """Read the parameters of a notebook file from its one cell tagged ``parameters``.

    Raises
    ------
    NotebookError
        The file is not a notebook, has no ``parameters`` cell or more than one, or the cell holds
        something other than commented literal assignments.

    Examples
    --------
    >>> import pathlib
    >>> spec = read_parameters(pathlib.Path(__file__).parents[2] / "notebooks" / "incident-report.ipynb")
    >>> spec["incident_id"].column
    ('incidents', 'incident_id')

    The incident report takes an incident id that must exist in its dataset's incidents table.
    """
    import nbformat

    path = Path(notebook)
    try:
        nb = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        msg = f"{path}: no such notebook. Give the path of an .ipynb file."
        raise NotebookError(msg) from None
    except Exception as err:  # nbformat raises several kinds on a broken file
        msg = f"{path}: not a readable notebook ({type(err).__name__}: {err}). Open and re-save it in Jupyter."
        raise NotebookError(msg) from err
    cells = [c for c in nb.cells if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])]
    if not cells:
        msg = (
            f"{path}: no cell is tagged 'parameters', so ddj cannot tell what the notebook takes. "
            "Put the parameters in one code cell and give it the tag 'parameters' "
            "(JupyterLab: the property inspector's Cell Tags)."
        )
        raise NotebookError(msg)
    if len(cells) > 1:
        msg = f"{path}: {len(cells)} cells are tagged 'parameters'; keep the tag on one cell only."
        raise NotebookError(msg)
    if cells[0].cell_type != "code":
        msg = f"{path}: the cell tagged 'parameters' is a {cells[0].cell_type} cell; it must be a code cell."
        raise NotebookError(msg)
    return parse_parameters(cells[0].source, notebook=str(path))


def parse_parameters(source: str, *, notebook: str = "<cell>") -> NotebookParameters:
    """Parse the source of a ``parameters`` cell.

    Examples
    --------
    >>> spec = parse_parameters('top: int = 10  # rows to show [range: 1..50]\\nnames = ["a"]  # who')
    >>> [(p.name, p.type, p.default, p.maximum) for p in spec]
    [('top', 'int', 10, 50.0), ('names', 'list[str]', ['a'], None)]

    ``top`` is typed by its annotation and bounded by its comment; ``names`` is typed by its default.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        msg = f"{notebook}: the parameters cell is not valid Python (line {err.lineno}: {err.msg})."
        raise NotebookError(msg) from None
    comments = _comments(source)
    found: list[Parameter] = []
    for stmt in tree.body:
        where = f"{notebook}, parameters cell line {stmt.lineno}"
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            name, annotation, value = stmt.target.id, stmt.annotation, stmt.value
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, annotation, value = stmt.targets[0].id, None, stmt.value
        else:
            msg = (
                f"{where}: the parameters cell may only assign literal values to names, one per line, "
                "like `top: int = 10  # rows to show`. Move other code to the next cell."
            )
            raise NotebookError(msg)
        try:
            default = ast.literal_eval(value)
        except ValueError:
            msg = f"{where}: the default of {name!r} must be a literal (text, number, True/False, None or a list)."
            raise NotebookError(msg) from None
        if annotation is not None:
            type_, optional = _annotation_type(annotation, where, name)
        else:
            type_, optional = _inferred_type(default, where, name)
        comment = comments.get(stmt.end_lineno or stmt.lineno) or comments.get(stmt.lineno) or ""
        help_text, constraints = _split_comment(comment)
        parameter = Parameter(name=name, type=type_, default=default, comment=help_text, optional=optional,
                              line=stmt.lineno, **_parse_constraints(constraints, type_, where, name))
        if _type_problem(parameter, default) is not None:
            msg = f"{where}: the default of {name!r}, {default!r}, is not of its type {parameter.type_text}."
            raise NotebookError(msg)
        found = [p for p in found if p.name != name] + [parameter]
    return NotebookParameters(notebook=notebook, parameters=tuple(found))


def _comments(source: str) -> dict[int, str]:
    comments: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):  # pragma: no cover - ast.parse caught these first
        pass
    return comments


def _split_comment(comment: str) -> tuple[str, str | None]:
    match = _TRAILING_BRACKETS.search(comment)
    if not match:
        return comment.strip(), None
    return comment[: match.start()].strip(), match.group(1)


def _annotation_type(node: ast.expr, where: str, name: str) -> tuple[str, bool]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        for inner, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(other, ast.Constant) and other.value is None:
                return _annotation_type(inner, where, name)[0], True
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Optional":
        return _annotation_type(node.slice, where, name)[0], True
    if isinstance(node, ast.Name) and node.id in _SCALARS:
        return node.id, False
    if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "list"
            and isinstance(node.slice, ast.Name) and node.slice.id in _SCALARS and node.slice.id != "bool"):
        return f"list[{node.slice.id}]", False
    msg = (
        f"{where}: ddj cannot check the type `{ast.unparse(node)}` of {name!r}; use str, int, float, bool, "
        "list[str], list[int] or list[float], optionally with `| None`."
    )
    raise NotebookError(msg)


def _inferred_type(default: Any, where: str, name: str) -> tuple[str, bool]:
    if isinstance(default, bool):
        return "bool", False
    for scalar in (int, float, str):
        if isinstance(default, scalar):
            return scalar.__name__, False
    if isinstance(default, list) and default:
        kinds = {type(item) for item in default}
        if len(kinds) == 1 and (kind := kinds.pop()) in (int, float, str):
            return f"list[{kind.__name__}]", False
    msg = f"{where}: give {name!r} a type annotation (ddj cannot tell the type from the default {default!r})."
    raise NotebookError(msg)


def _parse_constraints(text: str | None, type_: str, where: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if text is None:
        return found
    item_type = type_[5:-1] if type_.startswith("list[") else type_
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, _, value = (s.strip() for s in part.partition(":"))
        if key not in _CONSTRAINTS:
            msg = (
                f"{where}: unknown constraint {key!r} in the comment of {name!r}; "
                f"ddj knows: {', '.join(_CONSTRAINTS)} (e.g. `[range: 1..10]`)."
            )
            raise NotebookError(msg)
        if key == "choices":
            try:
                found["choices"] = tuple(_coerce_scalar(item_type, c.strip()) for c in value.split(",") if c.strip())
            except ValueError as err:
                msg = f"{where}: a choice of {name!r} is not of its type {item_type}: {err}"
                raise NotebookError(msg) from None
        elif key == "range":
            low, sep, high = value.partition("..")
            if not sep or item_type not in ("int", "float"):
                msg = f"{where}: write the range of {name!r} as `range: LOW..HIGH` on a number parameter."
                raise NotebookError(msg)
            try:
                found["minimum"] = float(low) if low.strip() else None
                found["maximum"] = float(high) if high.strip() else None
            except ValueError:
                msg = f"{where}: the range of {name!r}, {value!r}, is not two numbers."
                raise NotebookError(msg) from None
        elif key == "date":
            found["is_date"] = True
        elif key == "dataset":
            found["is_dataset"] = True
            found["dataset_kind"] = value or None
        else:
            table, dot, column = value.partition(".")
            if not dot or not table or not column:
                msg = f"{where}: write `from: TABLE.COLUMN` for {name!r} (e.g. `from: incidents.incident_id`)."
                raise NotebookError(msg)
            found["column"] = (table.strip(), column.strip())
    if (found.get("is_date") or found.get("is_dataset") or found.get("column")) and item_type != "str":
        msg = f"{where}: `date`, `dataset` and `from` constraints need a text (str) parameter; {name!r} is {type_}."
        raise NotebookError(msg)
    return found


# --- checking values ---------------------------------------------------------------------------


def _type_problem(parameter: Parameter, value: Any) -> str | None:
    """Why ``value`` is not of the parameter's type, or ``None`` when it is."""
    if value is None:
        return None if parameter.optional else "is None, but the parameter does not allow None"
    if parameter.is_list:
        if not isinstance(value, list):
            return f"is not a list (the parameter is {parameter.type_text})"
        for item in value:
            problem = _scalar_problem(parameter.item_type, item)
            if problem:
                return f"has an item {item!r} that {problem}"
        return None
    return _scalar_problem(parameter.type, value)


def _scalar_problem(type_: str, value: Any) -> str | None:
    names = {"str": "text", "int": "a whole number (int)", "float": "a number (float)", "bool": "true or false (bool)"}
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
    }[type_]
    return None if ok else f"is not {names[type_]}"


def _coerce_scalar(type_: str, text: str) -> Any:
    if type_ == "str":
        return text
    if type_ == "int":
        try:
            return int(text)
        except ValueError:
            msg = f"{text!r} is not a whole number"
            raise ValueError(msg) from None
    if type_ == "float":
        try:
            return float(text)
        except ValueError:
            msg = f"{text!r} is not a number"
            raise ValueError(msg) from None
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    msg = f"{text!r} is not true or false (write true/false, yes/no or 1/0)"
    raise ValueError(msg)


def parse_cli_value(parameter: Parameter, text: str) -> Any:
    """Turn a command-line string into a value of the parameter's declared type.

    Lists are written as JSON (``["a", "b"]``) or comma-separated (``a,b``); ``none`` or ``null``
    gives ``None`` where the parameter allows it.

    Raises
    ------
    ValueError
        The text cannot be read as the parameter's type; the message says why.

    Examples
    --------
    >>> spec = parse_parameters("top: int = 10  # rows\\nkeep: list[int] = [1]  # which")
    >>> parse_cli_value(spec["top"], "25"), parse_cli_value(spec["keep"], "3, 4")
    (25, [3, 4])

    The text ``25`` becomes the number 25 and ``3, 4`` a list of two numbers.
    """
    if parameter.optional and text.strip().lower() in ("none", "null"):
        return None
    if not parameter.is_list:
        return _coerce_scalar(parameter.type, text)
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError as err:
            msg = f"{text!r} is not a JSON list ({err.msg})"
            raise ValueError(msg) from None
        if parameter.item_type == "float" and isinstance(value, list):
            value = [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value
    if not stripped:
        return []
    return [_coerce_scalar(parameter.item_type, part.strip()) for part in stripped.split(",")]


DatasetLoader = Callable[[str], Any]


def check_values(
    spec: NotebookParameters,
    values: Mapping[str, Any],
    *,
    report: str | None = None,
    base_dir: str | Path | None = None,
    load_dataset: DatasetLoader | None = None,
) -> dict[str, Any]:
    """Check values against a notebook's parameters; return every parameter's value (defaults filled in).

    Unknown names, values of the wrong type, values outside a range or the choices, dates that are
    not ISO dates, datasets that do not load, and ids absent from the dataset are all reported in one
    :class:`ParameterError` that names the report and the parameters. Integers are accepted for
    ``float`` parameters (and become floats); dates (from TOML) are accepted for ``[date]`` parameters
    (and become ISO text); a relative dataset folder is resolved against ``base_dir``.

    ``load_dataset`` loads a dataset by name or folder (default :func:`ddj.load` without warnings);
    the runner passes a cached one, so a grid of reports loads each dataset once.

    Examples
    --------
    >>> spec = parse_parameters("top: int = 10  # rows to show [range: 1..50]")
    >>> check_values(spec, {})
    {'top': 10}
    >>> check_values(spec, {"top": 80}, report="demo")
    Traceback (most recent call last):
    ...
    ddj.errors.ParameterError: report 'demo': parameter 'top': 80 is above the maximum 50

    The default passes; 80 is refused before any kernel starts, with the report and the parameter named.
    """
    problems: list[tuple[str, str]] = []
    known = spec.names
    for name in values:
        if name not in spec:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append((name, f"unknown parameter {name!r} for {Path(spec.notebook).name}{hint} "
                                   f"It takes: {', '.join(known) or 'no parameters'}."))
    result: dict[str, Any] = {}
    for parameter in spec:
        given = parameter.name in values
        value = values[parameter.name] if given else parameter.default
        value, problem = _check_one(parameter, value, base_dir)
        if problem:
            problems.append((parameter.name, f"parameter {parameter.name!r}: {problem}"))
        result[parameter.name] = value
    if not problems:
        problems += _check_datasets(spec, result, load_dataset)
    if problems:
        raise ParameterError([text for _, text in problems], report=report, parameter=problems[0][0])
    return result


def _check_one(parameter: Parameter, value: Any, base_dir: str | Path | None) -> tuple[Any, str | None]:
    if parameter.is_date:
        value = _date_to_text(value)
    if parameter.item_type == "float":
        value = _ints_to_floats(value)
    problem = _type_problem(parameter, value)
    if problem:
        return value, f"{value!r} {problem}"
    if value is None:
        return value, None
    items = value if parameter.is_list else [value]
    for item in items:
        if parameter.choices and item not in parameter.choices:
            allowed = ", ".join(repr(c) for c in parameter.choices)
            return value, f"{item!r} is not one of the choices: {allowed}"
        if parameter.minimum is not None and item < parameter.minimum:
            return value, f"{item!r} is below the minimum {_num(parameter.minimum)}"
        if parameter.maximum is not None and item > parameter.maximum:
            return value, f"{item!r} is above the maximum {_num(parameter.maximum)}"
        if parameter.is_date:
            try:
                _dt.date.fromisoformat(item)
            except ValueError:
                return value, f"{item!r} is not a date written as YYYY-MM-DD"
    if parameter.is_dataset:
        value = _dataset_reference(value, base_dir)
    return value, None


def _date_to_text(value: Any) -> Any:
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_date_to_text(v) for v in value]
    return value


def _ints_to_floats(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, list):
        return [_ints_to_floats(v) for v in value]
    return value


def _dataset_reference(value: str, base_dir: str | Path | None) -> str:
    """A shipped name stays a name; a folder becomes an absolute path (the kernel runs elsewhere)."""
    from ddj._shipped import is_shipped

    if is_shipped(value):
        return value
    path = Path(value).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = Path(base_dir) / path
    return str(path.resolve()) if path.exists() else value


def _check_datasets(spec: NotebookParameters, values: dict[str, Any],
                    load_dataset: DatasetLoader | None) -> list[tuple[str, str]]:
    if load_dataset is None:
        import ddj

        def load_dataset(name: str) -> Any:
            return ddj.load(name, warn=False)

    problems: list[tuple[str, str]] = []
    loaded: dict[str, Any] = {}
    for parameter in spec:
        if not parameter.is_dataset or values[parameter.name] is None:
            continue
        try:
            dataset = load_dataset(values[parameter.name])
        except DDJError as err:
            first = str(err).splitlines()[0]
            problems.append((parameter.name, f"parameter {parameter.name!r}: the dataset "
                                             f"{values[parameter.name]!r} cannot be used: {first}"))
            continue
        if parameter.dataset_kind and dataset.kind != parameter.dataset_kind:
            problems.append((parameter.name, f"parameter {parameter.name!r}: {dataset.name!r} is a {dataset.kind} "
                                             f"dataset; this notebook needs a {parameter.dataset_kind} dataset"))
            continue
        loaded[parameter.name] = dataset
    source = spec.dataset_parameter
    for parameter in spec:
        if parameter.column is None or values[parameter.name] is None:
            continue
        if source not in loaded:
            if source is None:
                problems.append((parameter.name, f"parameter {parameter.name!r}: `from:` needs a dataset parameter "
                                                 "(mark one with [dataset])"))
            continue
        dataset = loaded[source]
        table, column = parameter.column
        try:
            frame = dataset.table(table)
        except DDJError:
            problems.append((parameter.name, f"parameter {parameter.name!r}: dataset {dataset.name!r} has no table "
                                             f"{table!r} (it has: {', '.join(dataset.tables)})"))
            continue
        if column not in frame.columns:
            problems.append((parameter.name, f"parameter {parameter.name!r}: table {table!r} of {dataset.name!r} "
                                             f"has no column {column!r}"))
            continue
        allowed = [v for v in frame[column].unique(maintain_order=True).to_list() if v is not None]
        allowed_set = {str(v) for v in allowed}
        items = values[parameter.name] if parameter.is_list else [values[parameter.name]]
        missing = [item for item in items if item not in allowed_set]
        if missing:
            close = difflib.get_close_matches(str(missing[0]), [str(a) for a in allowed], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            shown = ", ".join(str(a) for a in allowed[:8]) + (f", ... ({len(allowed)} in all)" if len(allowed) > 8 else "")
            problems.append((parameter.name, f"parameter {parameter.name!r}: {missing[0]!r} is not a {column} in "
                                             f"{table} of dataset {dataset.name!r}.{hint} It has: {shown}"))
    return problems


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
