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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ddj.errors import DDJError, NotebookError, ParameterError

PARAMETERS_TAG = "parameters"
_SCALARS = ("str", "int", "float", "bool")
_CONSTRAINTS = ("choices", "range", "date", "dataset", "from")
_TRAILING_BRACKETS = re.compile(r"\[([^\[\]]*)\]\s*$")
_TYPE_COMMENT = re.compile(r"^type:\s*(?P<type>\S+)\s*(?P<help>.*)$")
#: The type of a parameter whose values ddj does not check (papermill's "Unknown type").
ANY = "any"
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
    shown_type: str = ""

    @property
    def is_any(self) -> bool:
        """Whether ddj leaves the value unchecked (papermill's "Unknown type"): an untyped ``None`` default, a
        default of a kind ddj does not check (a dict, an empty list), or an annotation it does not know.
        """
        return self.type == ANY

    @property
    def is_list(self) -> bool:
        """Whether the parameter takes a list (``list[...]``)."""
        return self.type.startswith("list[")

    @property
    def item_type(self) -> str:
        """The type of the value, or of each item of a list."""
        return self.type[5:-1] if self.is_list else self.type

    @property
    def type_text(self) -> str:
        """The type ddj checks, e.g. ``int | None`` (``any``: unchecked)."""
        if self.is_any:
            return ANY
        return f"{self.type} | None" if self.optional else self.type

    @property
    def display_type(self) -> str:
        """The type as ``papermill --help-notebook`` shows it: the annotation or ``# type:`` comment as written,
        else the type ddj reads from the default, else ``Unknown type``.
        """
        if self.shown_type:
            return self.shown_type
        return "Unknown type" if self.is_any else self.type_text

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
    has_cell: bool = True
    warnings: tuple[str, ...] = ()

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
        """The parameters' names, in the order the notebook declares them."""
        return [p.name for p in self.parameters]

    @property
    def defaults(self) -> dict[str, Any]:
        """Each parameter's default value, by name."""
        return {p.name: p.default for p in self.parameters}

    @property
    def dataset_parameter(self) -> str | None:
        """The name of the first parameter marked ``[dataset]`` (or called ``dataset``), if any."""
        for parameter in self.parameters:
            if parameter.is_dataset:
                return parameter.name
        return "dataset" if "dataset" in self else None


def read_parameters(notebook: str | Path) -> NotebookParameters:
    """Read the parameters of a notebook file from its cell tagged ``parameters``.

    A notebook runs as Papermill runs it: without a ``parameters`` cell it takes no parameters
    (:attr:`NotebookParameters.has_cell` is false), with several the first counts, and lines of the cell
    that ddj cannot read are left out with a warning (:attr:`NotebookParameters.warnings`).

    Raises
    ------
    NotebookError
        The file is not a notebook, or a constraint in a comment is malformed.

    Examples
    --------
    >>> import pathlib
    >>> spec = read_parameters(pathlib.Path(__file__).parents[3] / "notebooks" / "incident-report.ipynb")
    >>> spec["incident_id"].column
    ('incidents', 'incident_id')

    The incident report takes an incident id that must exist in its dataset's incidents table.
    """
    path = Path(notebook)
    cells = _json_cells(path)  # a version-4 notebook read with json: nbformat imports jsonschema, slow to import
    if cells is not None:
        return parameters_of_cells(cells, notebook=str(path))
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        msg = f"{path}: no such notebook. Give the path of an .ipynb file."
        raise NotebookError(msg) from None
    except Exception as err:  # nbformat raises several kinds on a broken file
        # The reader's message can quote the file's first bytes: never echo them (they reach published pages).
        msg = f"{path}: not a readable notebook ({type(err).__name__}). Open and re-save it in Jupyter."
        raise NotebookError(msg) from err
    return parameters_of_cells(nb.cells, notebook=str(path))


def _json_cells(path: Path) -> list[dict[str, Any]] | None:
    """The cells of a version-4 notebook read with :mod:`json`, or None for anything else (missing, broken, an
    older version nbformat converts): :func:`read_parameters` then reads it with nbformat and says what is wrong.
    """
    import json

    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4:
        return None
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        return None
    return cells


def parameters_of_cells(cells: list[Any], *, notebook: str = "<notebook>") -> NotebookParameters:
    """The parameters declared by the first of ``cells`` (dicts or nbformat cells) tagged ``parameters``."""
    tagged = [c for c in cells if PARAMETERS_TAG in ((c.get("metadata") or {}).get("tags") or [])]
    if not tagged:
        return NotebookParameters(notebook=notebook, parameters=(), has_cell=False)
    notes = []
    if len(tagged) > 1:
        notes.append(
            f"{notebook}: {len(tagged)} cells are tagged 'parameters'; the first counts (as in Papermill), "
            "keep the tag on one cell only"
        )
    cell = tagged[0]
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    if cell.get("cell_type") != "code":
        notes.append(
            f"{notebook}: the cell tagged 'parameters' is a {cell.get('cell_type')} cell, so it declares "
            "no parameters; make it a code cell"
        )
        return NotebookParameters(notebook=notebook, parameters=(), warnings=tuple(notes))
    spec = parse_parameters(source, notebook=notebook)
    return replace(spec, warnings=tuple(notes) + spec.warnings)


def parse_parameters(source: str, *, notebook: str = "<cell>") -> NotebookParameters:
    r"""Parse the source of a ``parameters`` cell.

    Examples
    --------
    >>> spec = parse_parameters('top: int = 10  # rows to show [range: 1..50]\nnames = ["a"]  # who')
    >>> [(p.name, p.type, p.default, p.maximum) for p in spec]
    [('top', 'int', 10, 50.0), ('names', 'list[str]', ['a'], None)]

    ``top`` is typed by its annotation and bounded by its comment; ``names`` is typed by its default.
    Like Papermill's inspector, ddj skips (with a warning) what it cannot read: a line that is not Python,
    an assignment of a computed value, other statements.
    """
    notes: list[str] = []
    comments = _comments(source)
    found: list[Parameter] = []
    for stmt in _statements(source, notebook, notes):
        where = f"{notebook}, parameters cell line {stmt.lineno}"
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            name, annotation, value = stmt.target.id, stmt.annotation, stmt.value
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, annotation, value = stmt.targets[0].id, None, stmt.value
        else:
            notes.append(
                f"{where}: `{_first_line(stmt)}` assigns no literal value to a name; ddj skips it "
                "(it still runs, as a line of the cell)"
            )
            continue
        try:
            default = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            notes.append(
                f"{where}: the default of {name!r}, `{ast.unparse(value)}`, is computed, not a literal; "
                "ddj skips it (it cannot be set with -p)"
            )
            continue
        comment = comments.get(stmt.end_lineno or stmt.lineno) or comments.get(stmt.lineno) or ""
        shown = ""
        type_comment = _TYPE_COMMENT.match(comment)
        if type_comment:  # `# type: List[str] help`, as Papermill reads it
            comment = type_comment.group("help")
            if annotation is None:
                shown = type_comment.group("type")
                try:
                    annotation = ast.parse(shown, mode="eval").body
                except SyntaxError:
                    annotation = ast.Name(id=ANY)
        if annotation is not None:
            shown = shown or _annotation_text(annotation)
            type_, optional = _annotation_type(annotation)
        else:
            type_, optional = _inferred_type(default)
        help_text, constraints = _split_comment(comment)
        constraint_fields, help_text = _constraints_or_help(constraints, help_text, type_, where, name, notes)
        parameter = Parameter(
            name=name,
            type=type_,
            default=default,
            comment=help_text,
            optional=optional,
            line=stmt.lineno,
            shown_type=shown,
            **constraint_fields,
        )
        if not parameter.is_any and _type_problem(parameter, default) is not None:
            notes.append(
                f"{where}: the default of {name!r}, {default!r}, is not of its type {parameter.type_text}; "
                "ddj does not check the values of this parameter"
            )
            parameter = replace(parameter, type=ANY, optional=True)
        found = [p for p in found if p.name != name] + [parameter]
    notes.sort(key=lambda note: int(m.group(1)) if (m := re.search(r"cell lines? (\d+)", note)) else 0)
    return NotebookParameters(notebook=notebook, parameters=tuple(found), warnings=tuple(notes))


def _statements(source: str, notebook: str, notes: list[str]) -> list[ast.stmt]:
    """The statements of a cell, line numbers as in the cell. A cell that is not valid Python as a whole is
    read the way Papermill's inspector reads it: in groups of lines that each start with an ``=``, and the
    groups that do not parse are skipped with a warning.
    """
    try:
        return list(ast.parse(source).body)
    except SyntaxError:
        pass
    lines = source.splitlines()
    groups: list[list[int]] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if groups:
                groups[-1].append(number)
            continue
        if "=" in line or not groups:
            groups.append([number])
        else:
            groups[-1].append(number)
    found: list[ast.stmt] = []
    for group in groups:
        first, last = group[0], group[-1]
        text = "\n" * (first - 1) + "\n".join(lines[first - 1 : last])
        try:
            found += ast.parse(text).body
        except SyntaxError:
            shown = lines[first - 1].strip()
            span = f"line {first}" if first == last else f"lines {first}-{last}"
            notes.append(
                f"{notebook}, parameters cell {span}: `{shown}` is not valid Python; ddj skips it "
                "(as Papermill's inspector does), though the cell fails when it runs"
            )
    return found


def _first_line(stmt: ast.stmt) -> str:
    text = ast.unparse(stmt).splitlines()
    return text[0] if text else ""


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


def _annotation_text(node: ast.expr) -> str:
    """An annotation as Papermill shows it: as written, without the quotes of a string annotation."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ast.unparse(node)


_LIST_NAMES = ("list", "List", "typing.List", "Sequence", "typing.Sequence")
_OPTIONAL_NAMES = ("Optional", "typing.Optional")
_UNION_NAMES = ("Union", "typing.Union")


def _annotation_type(node: ast.expr) -> tuple[str, bool]:
    """Ddj's type for an annotation (``str``, ``list[int]``, ...) and whether it allows ``None``; an annotation
    ddj does not check (``dict``, ``Any``, ``"NoneType"``) gives :data:`ANY`, whose values pass unchecked.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a string annotation: "int", "NoneType"
        try:
            return _annotation_type(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return ANY, True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        for inner, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(other, ast.Constant) and other.value is None:
                return _annotation_type(inner)[0], True
        return ANY, True
    if isinstance(node, ast.Subscript):
        head = ast.unparse(node.value)
        if head in _OPTIONAL_NAMES:
            return _annotation_type(node.slice)[0], True
        if head in _UNION_NAMES and isinstance(node.slice, ast.Tuple):
            members = [e for e in node.slice.elts if not (isinstance(e, ast.Constant) and e.value is None)]
            if len(members) == 1 and len(node.slice.elts) == 2:
                return _annotation_type(members[0])[0], True
            return ANY, True
        if (
            head in _LIST_NAMES
            and isinstance(node.slice, ast.Name)
            and node.slice.id in _SCALARS
            and node.slice.id != "bool"
        ):
            return f"list[{node.slice.id}]", False
        return ANY, True
    if isinstance(node, ast.Name) and node.id in _SCALARS:
        return node.id, False
    return ANY, True


def _inferred_type(default: Any) -> tuple[str, bool]:
    """Ddj's type read from an untyped default: the scalar or list type it has, else :data:`ANY` (``None``,
    a dict, an empty or mixed list: values pass unchecked, and ``-p`` reads them the way Papermill does).
    """
    if isinstance(default, bool):
        return "bool", False
    for scalar in (int, float, str):
        if isinstance(default, scalar):
            return scalar.__name__, False
    if isinstance(default, list) and default:
        kinds = {type(item) for item in default}
        if len(kinds) == 1 and (kind := kinds.pop()) in (int, float, str):
            return f"list[{kind.__name__}]", False
    return ANY, True


def _constraints_or_help(
    text: str | None, help_text: str, type_: str, where: str, name: str, notes: list[str]
) -> tuple[dict[str, Any], str]:
    """The constraints of a bracket group; a group with a word ddj does not know as a constraint is help text
    (``# see [1]``), with a warning in case it is a misspelt constraint.
    """
    if text is None:
        return {}, help_text
    keys = [part.partition(":")[0].strip() for part in text.split(";") if part.strip()]
    unknown = [k for k in keys if k not in _CONSTRAINTS]
    if unknown or not keys:
        if unknown:
            notes.append(
                f"{where}: unknown constraint {unknown[0]!r} in the comment of {name!r}; ddj keeps the "
                f"bracket as help text. It knows: {', '.join(_CONSTRAINTS)} (e.g. `[range: 1..10]`)"
            )
        return {}, f"{help_text} [{text}]".strip()
    return _parse_constraints(text, type_, where, name), help_text


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
    if parameter.is_any:
        return None
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


def papermill_value(text: str) -> Any:
    """A command-line value read the way ``papermill -p`` reads it: ``True``, ``False``, ``None``, a whole
    number, a number, else the text.

    Examples
    --------
    >>> [papermill_value(t) for t in ("5", "2.5", "True", "None", "hello", "1e3")]
    [5, 2.5, True, None, 'hello', 1000.0]

    Parameters without a type ddj checks (``msg = None``) get these values from ``-p``; ``-r`` passes the text.
    """
    if text == "True":
        return True
    if text == "False":
        return False
    if text == "None":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _coerce_scalar(type_: str, text: str) -> Any:
    if type_ == ANY:
        return papermill_value(text)
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
    r"""Turn a command-line string into a value of the parameter's declared type.

    Lists are written as JSON (``["a", "b"]``) or comma-separated (``a,b``); ``none`` or ``null``
    gives ``None`` where the parameter allows it.

    Raises
    ------
    ValueError
        The text cannot be read as the parameter's type; the message says why.

    Examples
    --------
    >>> spec = parse_parameters("top: int = 10  # rows\nkeep: list[int] = [1]  # which")
    >>> parse_cli_value(spec["top"], "25"), parse_cli_value(spec["keep"], "3, 4")
    (25, [3, 4])

    The text ``25`` becomes the number 25 and ``3, 4`` a list of two numbers. A parameter of no checked type
    (``msg = None``) reads the text as ``papermill -p`` does (:func:`papermill_value`).
    """
    if parameter.is_any:
        return papermill_value(text)
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

    Parameters
    ----------
    spec : NotebookParameters
        The notebook's declared parameters, from :func:`parse_parameters`.
    values : mapping
        The values given, by parameter name (from ``reports.toml`` or ``-p NAME=VALUE``).
    report : str, optional
        The report's name, for the error's message.
    base_dir : str or pathlib.Path, optional
        The folder a relative dataset folder is resolved against (the config file's); the current folder when None.
    load_dataset : callable, optional
        As above.

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
        if name not in spec and not spec.has_cell:
            problems.append(
                (
                    name,
                    f"parameter {name!r}: {Path(spec.notebook).name} has no cell tagged 'parameters', "
                    "so it takes no parameters (Papermill would only warn and set it in a cell at the "
                    "top; ddj refuses it). Tag the cell that sets the defaults 'parameters'.",
                )
            )
        elif name not in spec:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                (
                    name,
                    f"unknown parameter {name!r} for {Path(spec.notebook).name}{hint} "
                    f"It takes: {', '.join(known) or 'no parameters'}.",
                )
            )
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


def _check_datasets(
    spec: NotebookParameters, values: dict[str, Any], load_dataset: DatasetLoader | None
) -> list[tuple[str, str]]:
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
            problems.append(
                (
                    parameter.name,
                    f"parameter {parameter.name!r}: the dataset {values[parameter.name]!r} cannot be used: {first}",
                )
            )
            continue
        if parameter.dataset_kind and dataset.kind != parameter.dataset_kind:
            problems.append(
                (
                    parameter.name,
                    f"parameter {parameter.name!r}: {dataset.name!r} is a {dataset.kind} "
                    f"dataset; this notebook needs a {parameter.dataset_kind} dataset",
                )
            )
            continue
        loaded[parameter.name] = dataset
    source = spec.dataset_parameter
    for parameter in spec:
        if parameter.column is None or values[parameter.name] is None:
            continue
        if source not in loaded:
            if source is None:
                problems.append(
                    (
                        parameter.name,
                        f"parameter {parameter.name!r}: `from:` needs a dataset parameter (mark one with [dataset])",
                    )
                )
            continue
        dataset = loaded[source]
        table, column = parameter.column
        try:
            frame = dataset.table(table)
        except DDJError:
            problems.append(
                (
                    parameter.name,
                    f"parameter {parameter.name!r}: dataset {dataset.name!r} has no table "
                    f"{table!r} (it has: {', '.join(dataset.tables)})",
                )
            )
            continue
        if column not in frame.columns:
            problems.append(
                (
                    parameter.name,
                    f"parameter {parameter.name!r}: table {table!r} of {dataset.name!r} has no column {column!r}",
                )
            )
            continue
        allowed = [v for v in frame[column].unique(maintain_order=True).to_list() if v is not None]
        allowed_set = {str(v) for v in allowed}
        items = values[parameter.name] if parameter.is_list else [values[parameter.name]]
        missing = [item for item in items if item not in allowed_set]
        if missing:
            close = difflib.get_close_matches(str(missing[0]), [str(a) for a in allowed], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            shown = ", ".join(str(a) for a in allowed[:8]) + (
                f", ... ({len(allowed)} in all)" if len(allowed) > 8 else ""
            )
            problems.append(
                (
                    parameter.name,
                    f"parameter {parameter.name!r}: {missing[0]!r} is not a {column} in "
                    f"{table} of dataset {dataset.name!r}.{hint} It has: {shown}",
                )
            )
    return problems


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)
