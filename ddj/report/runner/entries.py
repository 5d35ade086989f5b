"""Report entries: the ``ddj run`` command and the ``reports.toml`` entry that reproduce a filtered view.

:func:`report_entry` maps a :class:`ddj.filters.FilterSpec` onto a notebook's declared parameters (the
Explorer's "save as report"); :class:`ReportEntry` writes the result as a shell command and as a
``[reports.NAME]`` table, the TOML written by ``tomli_w`` so that :func:`ddj.report.runner.config.load_config`
reads back exactly the parameters given.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddj.errors import NotFoundError, ReportEntryError

if TYPE_CHECKING:  # pragma: no cover
    from ddj.filters import FilterSpec
    from ddj.report.runner.params import NotebookParameters, Parameter

__all__ = ["ReportEntry", "find_notebook", "report_entry"]


@dataclass(frozen=True)
class ReportEntry:
    """A report that reproduces an Explorer view: the ``ddj run`` command and the ``reports.toml`` entry.

    Attributes
    ----------
    name
        The report's name (its folder under ``reports/``).
    notebook
        The notebook's path as the command and the entry write it.
    parameters
        The notebook parameters that reproduce the view (dataset included).
    """

    name: str
    notebook: str
    parameters: dict[str, Any]

    @property
    def command(self) -> str:
        """``ddj run NOTEBOOK -p NAME VALUE ... --name NAME``, quoted for a POSIX shell."""
        words = ["ddj", "run", self.notebook]
        for key, value in self.parameters.items():
            words += ["-p", key, _cli_value(value)]
        words += ["--name", self.name]
        return shlex.join(words)

    @property
    def toml(self) -> str:
        """The ``[reports.NAME]`` table to paste into ``reports.toml``.

        Raises
        ------
        ReportEntryError
            A parameter must be set to None, which TOML cannot write (use :attr:`command`).

        Examples
        --------
        >>> print(ReportEntry("syria", "notebooks/theatre-overview.ipynb", {"dataset": "syria-ru-aviation"}).toml)
        [reports.syria]
        notebook = "notebooks/theatre-overview.ipynb"
        output = "syria"
        <BLANKLINE>
        [reports.syria.parameters]
        dataset = "syria-ru-aviation"
        <BLANKLINE>

        The report's notebook and folder, then the parameters it runs with.
        """
        import tomli_w

        unset = [key for key, value in self.parameters.items() if value is None]
        if unset:
            msg = (
                f"reports.toml cannot set {', '.join(unset)} to None (TOML has no null); "
                "run the report with the ddj run command instead"
            )
            raise ReportEntryError(msg)
        table = {"notebook": self.notebook, "parameters": dict(self.parameters), "output": self.name}
        return tomli_w.dumps({"reports": {self.name: table}})


def report_entry(
    spec: FilterSpec,
    notebook: str | Path = "theatre-overview",
    *,
    dataset: str,
    name: str | None = None,
    root: str | Path | None = None,
) -> ReportEntry:
    r"""The ``ddj run`` command and ``reports.toml`` entry that run ``notebook`` on the view ``spec`` selects.

    Each set filter goes to the notebook parameter of the same name when the notebook declares
    one (``date_from``); a one-value filter goes to the filter's one-value parameter
    (``country``); the rest travel as JSON in the notebook's ``filters`` parameter. A notebook
    that cannot take every set filter is refused with a message naming what it lacks.

    Parameters
    ----------
    spec : ddj.filters.FilterSpec
        The view to reproduce.
    notebook : str or pathlib.Path, default "theatre-overview"
        A notebook of ``notebooks/`` by stem (``theatre-overview``) or a path to an ``.ipynb`` file.
    dataset : str
        The dataset's shipped name or folder, as the notebook's ``dataset`` parameter takes it.
    name : str, optional
        The report's name (default: made from the notebook's stem and the filters).
    root : str or pathlib.Path, optional
        Where relative notebook paths are resolved and written from (default: the folder above
        ``notebooks/``).

    Raises
    ------
    ReportEntryError
        The notebook cannot reproduce the view (the message says which filter it cannot take).
    NotFoundError
        There is no such notebook.

    Examples
    --------
    >>> from ddj.filters import FilterSpec
    >>> spec = FilterSpec(countries=["Syria"], date_from="2016-01-01")
    >>> entry = report_entry(spec, "theatre-overview", dataset="syria-ru-aviation")
    >>> print(entry.command.replace(" -", "\n  -"))
    ddj run notebooks/theatre-overview.ipynb
      -p dataset syria-ru-aviation
      -p country Syria
      -p date_from 2016-01-01
      --name theatre-overview-syria-2016-01-01

    The theatre overview takes a country and a first day as parameters of its own.
    """
    from ddj.report.runner.params import read_parameters

    path, shown = find_notebook(notebook, root)
    declared = read_parameters(path)
    dataset_name = declared.dataset_parameter or "dataset"
    if dataset_name not in declared:
        msg = f"{shown} takes no dataset parameter, so it cannot reproduce an Explorer view"
        raise ReportEntryError(msg)
    own, rest = _place_filters(spec, declared, shown)
    if rest:
        if "filters" not in declared:
            msg = (
                f"{shown} cannot reproduce this view: it takes no parameter for {', '.join(rest)} (and no `filters` "
                "parameter to carry them); choose another notebook or drop those filters"
            )
            raise ReportEntryError(msg)
        own["filters"] = json.dumps(rest, ensure_ascii=False, separators=(",", ":"))
    given = {dataset_name: str(dataset), **own}
    parameters = {key: given[key] for key in declared.names if key in given}  # the notebook's order
    if name is None:
        name = _entry_name(Path(shown).stem, parameters, rest, skip=(dataset_name, "filters"))
    return ReportEntry(name=name, notebook=shown, parameters=parameters)


def _place_filters(spec: FilterSpec, declared: NotebookParameters, shown: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The notebook parameters the set filters go to, and the filters left for its ``filters`` parameter."""
    from ddj.filters import FILTERS

    parameters: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    own = spec.to_parameters()
    for item in FILTERS:
        value = getattr(spec, item.name)
        if item.name in declared:
            if value not in (None, ()) and _dashless(own[item.name]):
                parameters[item.name] = own[item.name]
                continue
            if value in (None, ()):
                continue
            rest[item.name] = own[item.name]  # "-x" would read as an option on the command line: goes as JSON
            continue
        single = declared[item.singular] if item.singular and item.singular in declared else None
        if single is not None:
            if len(value) == 1 and _readable_as_one(single, value[0]):
                parameters[single.name] = value[0]
                continue
            if not single.optional:
                what = "none" if not value else f"{len(value)} ({', '.join(value)})"
                msg = (
                    f"{shown} always covers one {single.name} (its parameter {single.name!r} defaults to "
                    f"{single.default!r}), and this view chooses {what}; choose one {single.name} in the filters"
                )
                raise ReportEntryError(msg)
            if single.default is not None:
                parameters[single.name] = None
        if value not in (None, ()):
            rest[item.name] = own[item.name]
    return parameters, rest


def _readable_as_one(single: Parameter, value: str) -> bool:
    """Whether ``ddj run -p NAME VALUE`` reads ``value`` back as itself (``none`` reads as None when optional; a
    value starting with "-" reads as an option).
    """
    return _dashless(value) and not (single.optional and value.strip().lower() in ("none", "null"))


def _dashless(value: Any) -> bool:
    """Whether a parameter value can follow ``-p NAME`` on the command line: text starting with "-" cannot.

    >>> _dashless("Idlib"), _dashless("-:"), _dashless(["-x"])
    (True, False, True)
    """
    return not (isinstance(value, str) and value.startswith("-"))


def _entry_name(stem: str, parameters: dict[str, Any], rest: dict[str, Any], *, skip: tuple[str, ...]) -> str:
    """A report name made from the notebook's stem and the view's values, safe as a folder name."""
    from ddj.html import safe_filename

    words = [stem]
    values = [value for key, value in parameters.items() if key not in skip and value is not None]
    for value in [*values, *rest.values()]:
        words += value if isinstance(value, list) else [str(value)]
    return safe_filename("-".join(words).lower(), max_length=80)


def find_notebook(notebook: str | Path, root: str | Path | None = None) -> tuple[Path, str]:
    """The notebook's file and the path commands write for it (relative to ``root`` when inside it).

    ``notebook`` is a stem of ``notebooks/`` (``theatre-overview``) or a path to an ``.ipynb`` file;
    ``root`` defaults to the folder above ``notebooks/``.

    Raises
    ------
    NotFoundError
        There is no such notebook; the message lists the notebooks there are.
    """
    base = Path(root) if root is not None else Path(__file__).resolve().parents[3]
    text = str(notebook)
    path = Path(text)
    if path.suffix != ".ipynb" and "/" not in text and "\\" not in text:
        path = Path("notebooks") / f"{text}.ipynb"
    full = path if path.is_absolute() else base / path
    if not full.is_file():
        known = sorted(p.stem for p in (base / "notebooks").glob("*.ipynb"))
        msg = f"no notebook {text!r} (looked for {full}); the notebooks are: {', '.join(known) or 'none'}"
        raise NotFoundError(msg)
    try:
        shown = full.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        shown = str(full)
    return full, shown


def _cli_value(value: Any) -> str:
    """A parameter value as ``ddj run -p`` reads it back by the declared type."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)
