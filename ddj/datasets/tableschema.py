"""Check a frame against a Frictionless Table Schema and cast it to typed columns, with polars expressions.

Supported: the types string, integer, number, date, datetime, boolean and year; the constraints
required, enum, pattern, minimum, maximum, minLength, maxLength and unique; primaryKey and
foreignKeys. Every broken rule becomes a :class:`ddj.errors.Problem` naming the file, the row as a
spreadsheet shows it (header = row 1), the column and the value; nothing is dropped or fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import polars as pl

from ddj.errors import Problem

ROW = "__ddj_row__"
#: How many rows a single (column, rule) pair lists before it summarises the rest.
ROWS_PER_RULE = 20

_TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "date": "a date written YYYY-MM-DD",
    "datetime": "a date and time written YYYY-MM-DDTHH:MM:SS",
    "boolean": "true or false",
    "year": "a year such as 2016",
}
_TRUE = ("true", "True", "TRUE", "1", "yes")
#: Control characters a text cell may not hold: NUL and the other C0 controls but tab, line feed and
#: carriage return (a quoted cell may span lines), DEL and the C1 controls. They are invisible, a
#: terminal may act on them, and NUL ends a string in many programs.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
#: Bidirectional embedding, override and isolate characters: invisible, and they reorder the text
#: around them on screen ("Trojan source"). Arabic or Hebrew text rarely needs them; a caveat names the row.
BIDI_CONTROLS = "[\u202a-\u202e\u2066-\u2069]"
#: Caveats share :class:`Problem` with errors; their ``error`` is this word.
CAVEAT = "caveat"
_FALSE = ("false", "False", "FALSE", "0", "no")


@dataclass(frozen=True)
class _Check:
    column: str | None
    rule: str
    error: str
    mask: pl.Expr
    message: str  # may contain {value}
    hint: str
    value_column: str | None = None
    whole_column: bool = False  # the mask compares rows with each other (uniqueness): not evaluated in streaming


def hint_for(field: dict[str, Any]) -> str:
    """The fix a user is told about for a field: its ``ddj_hint`` or one built from its type and constraints."""
    if field.get("ddj_hint"):
        return str(field["ddj_hint"])
    constraints = field.get("constraints", {})
    if constraints.get("enum"):
        return "write one of: " + ", ".join(map(str, constraints["enum"]))
    word = _TYPE_WORDS.get(field.get("type", "string"))
    return f"write {word}" if word else "correct the value"


def _blank(expr: pl.Expr, dtype: pl.DataType | None = None) -> pl.Expr:
    if dtype is not None and dtype != pl.String:
        return expr.is_null()  # a typed column (from Parquet) has no blank text; casting it to text costs seconds
    return expr.is_null() | (expr.cast(pl.String).str.strip_chars() == "")


def _cast_expr(name: str, ftype: str, dtype: pl.DataType) -> pl.Expr:
    """Cast column ``name`` (text or already typed) to the polars type of the Table Schema type."""
    col = pl.col(name)
    if ftype == "integer":
        return col.cast(pl.Int64, strict=False)
    if ftype == "number":
        casted = col.cast(pl.Float64, strict=False)
        return pl.when(casted.is_finite()).then(casted).otherwise(None)
    if ftype == "year":
        return col.cast(pl.Int32, strict=False)
    if ftype == "date":
        if dtype == pl.Date:
            return col
        if dtype == pl.String:
            text = col.str.strip_chars()
            ok = text.str.contains(r"^\d{4}-\d{2}-\d{2}$")
            return pl.when(ok).then(text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)).otherwise(None)
        return col.cast(pl.Date, strict=False)
    if ftype == "datetime":
        if dtype == pl.String:
            return col.str.to_datetime(strict=False)
        return col.cast(pl.Datetime, strict=False)
    if ftype == "boolean":
        if dtype == pl.Boolean:
            return col
        text = col.cast(pl.String)
        return pl.when(text.is_in(_TRUE)).then(True).when(text.is_in(_FALSE)).then(False).otherwise(None)
    return col.cast(pl.String)


def check_and_cast(
    frame: pl.DataFrame | pl.LazyFrame,
    schema: dict[str, Any],
    display: str,
    *,
    enums: bool = False,
    keep: Collection[str] | None = None,
) -> tuple[pl.DataFrame, list[Problem]]:
    """Check ``frame`` against ``schema`` and return (typed frame, problems).

    The typed frame has one column per schema field, in schema order, plus nothing else; a value
    that breaks its type is null there and is listed among the problems. With ``keep``, it has only
    the fields named there (the checks still read every field).

    ``frame`` may be a lazy scan of a file: the row checks then run in polars' streaming engine and
    the uniqueness checks read their key columns only, so memory stays near the size of the typed
    frame, not of the file's text.

    With ``enums``, a string field with an ``enum`` constraint becomes a ``pl.Enum`` of its
    vocabulary (one byte a row instead of sixteen) when every value is in the vocabulary; a column
    with a value outside it stays text, so the table an inspection returns still shows that value.

    Parameters
    ----------
    frame : polars.DataFrame or polars.LazyFrame
        The table as read, its values as text (CSV) or typed (Parquet); a lazy scan is checked in streaming.
    schema : dict
        The resource's Table Schema (``fields`` with ``name``, ``type`` and ``constraints``; ``primaryKey``).
    display : str
        The file's name as shown in problems (``accounts.csv``).
    enums : bool, default False
        Type a vocabulary field as ``pl.Enum`` when every value is in its vocabulary.
    keep : collection of str, optional
        The fields to keep in the typed frame; all of them when None.

    Examples
    --------
    >>> raw = pl.DataFrame({"n": ["1", "x"]})
    >>> typed, problems = check_and_cast(raw, {"fields": [{"name": "n", "type": "integer"}]}, "t.csv")
    >>> typed["n"].to_list(), problems[0].row
    ([1, None], 3)

    The second data row (row 3 in a spreadsheet) holds ``x``, which is not a whole number.
    """
    fields = schema.get("fields", [])
    lazy = frame.lazy()
    frame_schema = lazy.collect_schema()
    indexed = lazy.with_row_index(ROW, offset=2)
    casts = []
    checks: list[_Check] = []
    for field in fields:
        name = field["name"]
        ftype = field.get("type", "string")
        constraints = field.get("constraints", {})
        hint = hint_for(field)
        raw = pl.col(name)
        dtype = frame_schema[name]
        typed = _cast_expr(name, ftype, dtype).alias(name)
        casts.append(typed)
        present = ~_blank(raw, dtype)
        if constraints.get("required"):
            checks.append(
                _Check(name, "required", "RequiredViolation", ~present, "is empty but a value is required", hint)
            )
        if dtype == pl.String:
            checks += _text_checks(name)
        if ftype == "date":
            today = dt.date.today()
            checks.append(
                _Check(
                    name,
                    "future_date",
                    CAVEAT,
                    typed.is_not_null() & (typed > today),
                    f"{{value}} is later than today ({today.isoformat()})",
                    "check the date: an account, an incident or a count cannot be dated in the future "
                    "(9999-12-31 is often a placeholder for 'no end')",
                )
            )
        if ftype != "string":
            checks.append(
                _Check(
                    name,
                    "type",
                    "TypeViolation",
                    present & typed.is_null(),
                    f"{{value}} is not {_TYPE_WORDS.get(ftype, ftype)}",
                    hint,
                )
            )
        if "enum" in constraints:
            allowed = constraints["enum"]
            check_on = typed if ftype != "string" else raw
            checks.append(
                _Check(
                    name,
                    "enum",
                    "EnumViolation",
                    present & check_on.is_not_null() & ~check_on.is_in(allowed),
                    "{value} is not one of the allowed values",
                    hint,
                )
            )
        if constraints.get("pattern") and ftype == "string":
            pattern = f"^(?:{constraints['pattern'].lstrip('^').rstrip('$')})$"
            checks.append(
                _Check(
                    name,
                    "pattern",
                    "PatternViolation",
                    present & ~raw.cast(pl.String).str.contains(pattern),
                    "{value} does not have the required form",
                    hint,
                )
            )
        for key, op, word in (("minimum", "lt", "below the minimum"), ("maximum", "gt", "above the maximum")):
            if key in constraints and ftype in ("integer", "number", "year"):
                bound = constraints[key]
                out = typed < bound if op == "lt" else typed > bound
                checks.append(
                    _Check(
                        name, key, "RangeViolation", typed.is_not_null() & out, f"{{value}} is {word} of {bound}", hint
                    )
                )
        for key, op in (("minLength", "lt"), ("maxLength", "gt")):
            if key in constraints and ftype == "string":
                length = raw.cast(pl.String).str.len_chars()
                out = length < constraints[key] if op == "lt" else length > constraints[key]
                checks.append(
                    _Check(
                        name,
                        key,
                        "RangeViolation",
                        present & out,
                        f"{{value}} is {'shorter' if op == 'lt' else 'longer'} than {constraints[key]} characters",
                        hint,
                    )
                )
        if constraints.get("unique"):
            checks.append(
                _Check(
                    name,
                    "unique",
                    "UniqueViolation",
                    present & raw.is_duplicated(),
                    "{value} appears more than once but must be unique",
                    "give each row its own value",
                    whole_column=True,
                )
            )
    primary = schema.get("primaryKey") or []
    if isinstance(primary, str):
        primary = [primary]
    if primary:
        primary_key = pl.struct(primary) if len(primary) > 1 else pl.col(primary[0])
        checks.append(
            _Check(
                primary[0],
                "primary_key",
                "UniqueViolation",
                primary_key.is_duplicated() & pl.all_horizontal([~_blank(pl.col(c), frame_schema[c]) for c in primary]),
                "id {value} is used by more than one row",
                "give every row its own id",
                whole_column=True,
            )
        )
    problems = run_checks(indexed, checks, display)
    if enums:
        off_vocabulary = {p.column for p in problems if p.rule == "enum"}
        casts = [
            _enum_cast(cast, field, frame_schema[field["name"]])
            if _vocabulary_field(field) and field["name"] not in off_vocabulary
            else cast
            for cast, field in zip(casts, fields, strict=True)
        ]
    if keep is not None:
        casts = [cast for cast, field in zip(casts, fields, strict=True) if field["name"] in keep]
    typed_frame = _collect(lazy.select(casts))
    return typed_frame, problems


def _enum_cast(cast: pl.Expr, field: dict[str, Any], stored: pl.DataType) -> pl.Expr:
    """A vocabulary column as its ``pl.Enum``: as stored when the file already holds that Enum, else cast."""
    target = pl.Enum(field["constraints"]["enum"])
    if stored == target:
        return pl.col(field["name"])
    return cast.cast(target, strict=False)  # a blank cell becomes null


def _collect(lazy: pl.LazyFrame, *, streaming: bool = True) -> pl.DataFrame:
    """Run a query; in polars' streaming engine (memory bounded by batches, not by the input) when asked."""
    return lazy.collect(engine="streaming") if streaming else lazy.collect()


def _text_checks(name: str) -> list[_Check]:
    """Checks of a text column for characters that cannot be shown safely: an error and a caveat."""
    text = pl.col(name)
    return [
        _Check(
            name,
            "control_characters",
            "TextViolation",
            text.str.contains(CONTROL_CHARACTERS),
            "{value} holds a control character (such as NUL, written \\x00 here)",
            "delete the invisible character; it usually comes from a damaged export or a copy from a terminal",
        ),
        _Check(
            name,
            "bidi_control",
            CAVEAT,
            text.str.contains(BIDI_CONTROLS),
            "{value} holds an invisible bidirectional-control character that changes the order text is shown in",
            "delete it unless the text needs it to show right-to-left words in order",
        ),
    ]


def split_caveats(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """The problems of :func:`check_and_cast` split into (errors, caveats)."""
    return [p for p in problems if p.error != CAVEAT], [p for p in problems if p.error == CAVEAT]


def _vocabulary_field(field: dict[str, Any]) -> bool:
    """A string field whose values come from a listed vocabulary (an ``enum`` constraint of strings)."""
    vocabulary = field.get("constraints", {}).get("enum")
    return field.get("type", "string") == "string" and bool(vocabulary) and all(isinstance(v, str) for v in vocabulary)


def run_checks(indexed: pl.DataFrame | pl.LazyFrame, checks: list[_Check], display: str) -> list[Problem]:
    """Evaluate every check in one pass for counts, then list the failing rows of failing checks.

    ``indexed`` may be lazy (a scan of a file with its :data:`ROW` index): row checks are then counted in
    one streaming pass, checks that compare rows (``whole_column``) in one pass over their own columns.

    Parameters
    ----------
    indexed : polars.DataFrame or polars.LazyFrame
        The table with its spreadsheet row number in the :data:`ROW` column (the first data row is 2).
    checks : list of _Check
        The checks to run, made with :func:`make_check`; each lists at most :data:`ROWS_PER_RULE` rows,
        then one problem counting the rest.
    display : str
        The file's name as shown in problems (``accounts.csv``).
    """
    if not checks:
        return []
    if isinstance(indexed, pl.DataFrame):
        if indexed.height == 0:
            return []
        counts = indexed.select([c.mask.fill_null(False).sum().alias(str(i)) for i, c in enumerate(checks)]).row(0)
    else:
        counted: dict[int, int] = {}
        for whole in (False, True):
            group = [(i, c) for i, c in enumerate(checks) if c.whole_column == whole]
            if group:
                query = indexed.select([c.mask.fill_null(False).sum().alias(str(i)) for i, c in group])
                counted.update(zip((i for i, _ in group), _collect(query, streaming=not whole).row(0), strict=True))
        counts = tuple(counted[i] for i in range(len(checks)))
    problems: list[Problem] = []
    for check, count in zip(checks, counts, strict=True):
        if not count:
            continue
        value_column = check.value_column or check.column
        columns = [ROW] + ([value_column] if value_column else [])
        rows = indexed.filter(check.mask.fill_null(False)).select(columns).head(ROWS_PER_RULE)
        if isinstance(rows, pl.LazyFrame):
            rows = _collect(rows, streaming=not check.whole_column)
        for record in rows.iter_rows():
            value = None if len(record) < 2 or record[1] is None else str(record[1])
            problems.append(
                Problem(
                    display,
                    record[0],
                    check.column,
                    value,
                    check.rule,
                    check.message.format(value=_show(value)),
                    check.hint,
                    check.error,
                )
            )
        if count > ROWS_PER_RULE:
            problems.append(
                Problem(
                    display,
                    None,
                    check.column,
                    None,
                    check.rule,
                    f"... and {count - ROWS_PER_RULE} more row(s) with the same problem ({check.rule})",
                    check.hint,
                    check.error,
                )
            )
    return problems


def _show(value: str | None) -> str:
    if value is None:
        return "an empty value"
    shown = value if len(value) <= 60 else value[:57] + "..."
    return repr(shown)


def make_check(
    column: str | None, rule: str, error: str, mask: pl.Expr, message: str, hint: str, value_column: str | None = None
) -> _Check:
    """Build a row check for :func:`run_checks` (used by the dataset-kind rules).

    Parameters
    ----------
    column : str or None
        The column the problem is reported in; None for a problem of the whole row.
    rule : str
        The rule's short name (``foreign_key``, ``date_order``), shown in problems and used to count them.
    error : str
        The problem's error class (``ForeignKeyViolation``), or :data:`CAVEAT` for a warning that does not
        stop validation.
    mask : polars.Expr
        Boolean, true on the rows that break the rule (a null counts as false).
    message : str
        What is wrong, in a sentence; ``{value}`` is replaced by the row's value, quoted and shortened.
    hint : str
        What to do about it.
    value_column : str, optional
        The column whose value the message shows, when not ``column``.
    """
    return _Check(column, rule, error, mask, message, hint, value_column)


def foreign_key_problems(
    child: pl.DataFrame,
    column: str,
    parent_ids: pl.Series,
    display: str,
    parent_label: str,
) -> list[Problem]:
    """Problems for values of ``child[column]`` that are not among ``parent_ids`` (empty values are fine).

    Parameters
    ----------
    child : polars.DataFrame
        The table that refers to another (accounts referring to incidents).
    column : str
        The referring column of ``child``.
    parent_ids : polars.Series
        The ids of the table referred to; its nulls are ignored.
    display : str
        The child's file name as shown in problems (``accounts.csv``).
    parent_label : str
        The table referred to, as the message names it ("incidents.csv").
    """
    indexed = child.with_row_index(ROW, offset=2)
    mask = pl.col(column).is_not_null() & ~pl.col(column).is_in(parent_ids.drop_nulls().implode())
    check = _Check(
        column,
        "foreign_key",
        "ForeignKeyViolation",
        mask,
        f"{{value}} is not the id of any row in {parent_label}",
        f"use an id that exists in {parent_label}, or add that row there",
    )
    return run_checks(indexed, [check], display)
