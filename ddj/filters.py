"""The filter model: one object the Explorer's widgets, the notebooks' parameters and the command line speak.

Every filter is declared once, as a field of :class:`FilterSpec` carrying its help, its widget label, its
command-line flag, the incident column it reads and its vocabulary (see :data:`FILTERS`). From that one
declaration:

- the Explorer (:mod:`ddj.widgets`) builds one widget per filter;
- :mod:`ddj.commands._filter_flags` gives a command its flags (``--country Syria --status contradict``) and
  reads them back; :meth:`FilterSpec.to_flags` writes a spec as those flags;
- :meth:`FilterSpec.to_json` / :meth:`FilterSpec.from_json` carry a spec in one notebook parameter
  (``filters``), :meth:`FilterSpec.to_parameters` gives one parameter per filter, and
  :mod:`ddj.report.runner.entries` gives the ``ddj run`` command and the ``reports.toml`` entry that
  reproduce a view with a report notebook;
- :meth:`FilterSpec.expression` is the filter as one polars expression over the per-incident frame of
  :func:`incident_facts`, which :meth:`FilterSpec.filter_incidents`, :meth:`FilterSpec.select_incidents`
  and :meth:`FilterSpec.apply` use.

An empty value means "no filter". Values within one filter are alternatives (``--country Syria
--country Turkey``: either country); different filters must all hold. The semantics, per filter:

- ``date_from`` / ``date_to``: the incident's date window (``date_start``..``date_end``) overlaps the
  days from ``date_from`` to ``date_to`` (either may be left open);
- ``countries``, ``regions``, ``aircraft_categories``, ``aircraft_models``, ``grades``,
  ``incident_ids``: the incident's value is one of those given (an incident with no region never
  matches a region filter);
- ``sides`` and ``source_kinds``: the incident has at least one account (superseded ones count) from
  one of those sides whose source is of one of those kinds — both are read on the same account;
- ``statuses``: at least one compared attribute of the incident has one of those comparison
  statuses (``contradict``: the sides contradict each other somewhere; ``official_silent``: the
  operator never spoke of it, and the curators searched for its statements; ``no_official_record``:
  no official account is recorded, and nobody declared a search for one);
- ``attribute_statuses``: pairs ``ATTRIBUTE:STATUS`` (``crew_killed:contradict``); the incident's
  attribute has that status for at least one pair given — "the sides contradict each other on the
  crew killed", which ``statuses`` alone cannot say;
- ``search``: one text; the incident's title, place, region, country, aircraft model, id, summary or
  one of its accounts' statements contains it, in any case, runs of spaces counting as one (the text as
  written: ``.`` or ``*`` are characters, not a pattern; a match never spans two fields). The rule is
  :mod:`ddj.search`'s, the Explorer's too, so a report of an Explorer view keeps the incidents it shows.

This module imports polars only inside the functions that need it, so building the command line's
parser stays fast.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ddj.errors import InvalidValueError, NotFoundError, UnusableDataError
from ddj.model import (
    AIRCRAFT_CATEGORIES,
    COMPARED_ATTRIBUTES,
    GRADES,
    SIDE_LABELS,
    SIDES,
    SOURCE_KIND_LABELS,
    SOURCE_KINDS,
    STATUS_LABELS,
)
from ddj.search import SEARCH_COLUMN, SEARCH_FIELDS

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from ddj.compare.comparison import Comparison
    from ddj.datasets.dataset import Dataset

__all__ = [
    "ATTRIBUTE_STATUS_COLUMNS",
    "FILTERS",
    "SEARCH_COLUMNS",
    "Filter",
    "FilterSpec",
    "attribute_statuses",
    "incident_facts",
    "vocabulary",
]


@dataclass(frozen=True)
class Filter:
    """How one filter of :class:`FilterSpec` is declared.

    Attributes
    ----------
    name
        The field's name: the key in JSON and notebook parameters, the ``dest`` of its flag.
    kind
        ``date`` (one day or None), ``text`` (one text or None) or ``values`` (a tuple of text values;
        empty: no filter).
    help
        What the filter keeps, for ``--help``, widget tooltips and notebook comments.
    label
        The widget's label.
    flag
        The command-line flag; ``values`` flags are repeated for several values.
    column
        The column of :func:`incident_facts` the filter compares with (None: it reads the accounts
        or statuses masks).
    vocabulary
        The name of a fixed vocabulary the values must come from (see :func:`vocabulary`), or None
        when the values come from the data.
    singular
        The name a one-value notebook parameter takes for this filter (``country`` for
        ``countries``), used by :func:`ddj.report.runner.entries.report_entry`.
    """

    name: str
    kind: str
    help: str
    label: str
    flag: str
    column: str | None = None
    vocabulary: str | None = None
    singular: str | None = None
    default: Any = None


def _filter(
    kind: str,
    *,
    help: str,
    label: str,
    flag: str,
    column: str | None = None,
    vocabulary: str | None = None,
    singular: str | None = None,
) -> dict[str, Any]:
    """Declare one filter: the metadata of its dataclass field, holding everything else ddj needs to know about it.

    The field itself is written ``field(default=..., metadata=_filter(...))``: ``None`` for a text or date
    filter, ``()`` for a filter of values.
    """
    meta = {
        "kind": kind,
        "help": help,
        "label": label,
        "flag": flag,
        "column": column,
        "vocabulary": vocabulary,
        "singular": singular,
    }
    return {"ddj": meta}


def value_words(filter_name: str, value: str) -> str:
    """A filter's value in a reader's words, never a raw code: statuses, sides and source kinds from the model's
    labels, other vocabulary words with spaces (``special_mission`` -> "special mission"); data values as they are.

    Pass it to :meth:`FilterSpec.describe` for a heading a reader sees.

    Examples
    --------
    >>> value_words("statuses", "official_silent")
    'no official account, though searched for; others report'
    >>> value_words("source_kinds", "monitor_ngo"), value_words("sides", "unofficial")
    ('monitor or NGO', 'other accounts')
    >>> value_words("attribute_statuses", "crew_killed:contradict")
    'crew killed — official and other accounts contradict'
    >>> FilterSpec(statuses=["contradict"]).describe(value_words)
    'status: official and other accounts contradict'
    """
    if filter_name == "statuses":
        return STATUS_LABELS.get(value, value.replace("_", " "))
    if filter_name == "attribute_statuses":
        attribute, _, status = value.partition(":")
        label = _ATTRIBUTE_LABELS.get(attribute, attribute.replace("_", " "))
        return f"{label} — {STATUS_LABELS.get(status, status.replace('_', ' '))}"
    if filter_name == "source_kinds":
        return SOURCE_KIND_LABELS.get(value, value.replace("_", " "))
    if filter_name == "sides":
        return SIDE_LABELS.get(value, value)
    if filter_name in ("aircraft_categories", "grades"):
        return value.replace("_", " ")
    return value


_ATTRIBUTE_LABELS = {a.name: a.label for a in COMPARED_ATTRIBUTES}


def vocabulary(name: str) -> tuple[str, ...]:
    """The words a filter with a fixed vocabulary accepts, in display order.

    Examples
    --------
    >>> vocabulary("sides")
    ('official', 'unofficial')

    An account is either the operator's (official) or anyone else's (unofficial).
    """
    if name == "statuses":
        from ddj.compare.statuses import STATUSES  # imports polars: only when asked

        return STATUSES
    if name == "attribute_statuses":
        from ddj.compare.statuses import STATUSES
        from ddj.model import COMPARED_ATTRIBUTES

        return tuple(f"{a.name}:{s}" for a in COMPARED_ATTRIBUTES for s in STATUSES)
    vocabularies = {
        "aircraft_categories": AIRCRAFT_CATEGORIES,
        "grades": GRADES,
        "sides": SIDES,
        "source_kinds": SOURCE_KINDS,
    }
    return tuple(vocabularies[name])


@dataclass(frozen=True)
class FilterSpec:
    """Which incidents a view, a report or a command covers: one value per filter, empty for "no filter".

    Values are kept in a canonical form — text tuples sorted (in vocabulary order where there is one)
    and without repeats, dates as :class:`datetime.date` — so two specs that select the same way are
    equal. Lists and ISO dates are accepted and converted; words outside a fixed vocabulary, or a
    ``date_from`` after ``date_to``, raise :class:`~ddj.errors.InvalidValueError`.

    Examples
    --------
    >>> spec = FilterSpec(countries=["Syria"], statuses=["official_silent"])
    >>> spec.to_json()
    '{"countries":["Syria"],"statuses":["official_silent"]}'
    >>> FilterSpec.from_json(spec.to_json()) == spec
    True

    The view as JSON (the notebooks' ``filters`` parameter); reading it back gives the same spec. As
    command-line flags: :meth:`to_flags`; as a report:
    :func:`ddj.report.runner.entries.report_entry`.
    """

    search: str | None = field(
        default=None,
        metadata=_filter(
            "text",
            help="keep incidents whose title, place, region, country, aircraft model, id, summary or account "
            "statements contain this text (any case; the text as written, not a pattern)",
            label="Search",
            flag="--search",
        ),
    )
    date_from: dt.date | None = field(
        default=None,
        metadata=_filter(
            "date",
            help="keep incidents whose date window ends on or after this day (YYYY-MM-DD)",
            label="From",
            flag="--date-from",
        ),
    )
    date_to: dt.date | None = field(
        default=None,
        metadata=_filter(
            "date",
            help="keep incidents whose date window starts on or before this day (YYYY-MM-DD)",
            label="To",
            flag="--date-to",
        ),
    )
    countries: tuple[str, ...] = field(
        default=(),
        metadata=_filter(
            "values",
            help="keep incidents in this country",
            label="Country",
            flag="--country",
            column="country",
            singular="country",
        ),
    )
    regions: tuple[str, ...] = field(
        default=(),
        metadata=_filter(
            "values",
            help="keep incidents in this region (province, governorate)",
            label="Region",
            flag="--region",
            column="region",
            singular="region",
        ),
    )
    aircraft_categories: tuple[str, ...] = field(
        default=(),
        metadata=_filter(
            "values",
            help="keep incidents involving aircraft of this category (fighter, helicopter, ...)",
            label="Aircraft category",
            flag="--aircraft-category",
            column="aircraft_category",
            vocabulary="aircraft_categories",
        ),
    )
    aircraft_models: tuple[str, ...] = field(
        default=(),
        metadata=_filter(
            "values",
            help="keep incidents involving this aircraft model, as the dataset writes it (Mi-8)",
            label="Aircraft model",
            flag="--aircraft-model",
            column="aircraft_model",
        ),
    )
    source_kinds: tuple[str, ...] = field(
        default=(),
        metadata=_filter(
            "values",
            help="keep incidents with an account from a source of this kind (state_media, monitor_ngo, ...)",
            label="Source kind",
            flag="--source-kind",
            vocabulary="source_kinds",
        ),
    )
    sides: tuple[str, ...] = field(
        default=(),
        metadata=_filter(
            "values",
            help="keep incidents with an account from this side (official: the aircraft's operator)",
            label="Side",
            flag="--side",
            vocabulary="sides",
        ),
    )
    statuses: tuple[str, ...] = field(
        default=(),
        metadata=_filter(
            "values",
            help="keep incidents with at least one attribute in this comparison status (contradict, "
            "official_silent, no_official_record, ...)",
            label="Status",
            flag="--status",
            vocabulary="statuses",
        ),
    )
    attribute_statuses: tuple[str, ...] = field(
        default=(),
        metadata=_filter(
            "values",
            help="keep incidents where this attribute has this comparison status, written ATTRIBUTE:STATUS "
            "(crew_killed:contradict: the sides contradict each other on the crew killed)",
            label="Attribute and status",
            flag="--attribute-status",
            vocabulary="attribute_statuses",
        ),
    )
    grades: tuple[str, ...] = field(
        default=(),
        metadata=_filter(
            "values",
            help="keep incidents with this grade (confirmed, fair, uncorroborated, weak, contested, discounted)",
            label="Grade",
            flag="--grade",
            column="grade",
            vocabulary="grades",
        ),
    )
    incident_ids: tuple[str, ...] = field(
        default=(),
        metadata=_filter(
            "values",
            help="keep only this incident (its id)",
            label="Incident ids",
            flag="--incident",
            column="incident_id",
            singular="incident_id",
        ),
    )

    def __post_init__(self) -> None:
        for item in FILTERS:
            value = getattr(self, item.name)
            object.__setattr__(self, item.name, _canonical(item, value))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            msg = (
                f"the date filter runs from {self.date_from} to {self.date_to}, which is backwards; "
                "make date_from the earlier day"
            )
            raise InvalidValueError(msg)

    # --- what is set ------------------------------------------------------------------------------

    @property
    def is_empty(self) -> bool:
        """True when no filter is set: the spec keeps every incident."""
        return not self.active()

    def active(self) -> dict[str, Any]:
        """The filters that are set, by name, in declaration order."""
        return {item.name: getattr(self, item.name) for item in FILTERS if getattr(self, item.name) not in (None, ())}

    def replace(self, **changes: Any) -> FilterSpec:
        """A new spec with some filters changed (names are checked)."""
        _check_names(changes)
        return dataclasses.replace(self, **changes)

    def describe(
        self, word: Callable[[str, str], str] | None = None, *, values: str = ", ", parts_joiner: str = "; "
    ) -> str:
        """The spec in words, for a heading or a log line; ``word(name, value)`` writes each value (as it is by
        default), ``values`` joins one filter's values and ``parts_joiner`` the filters.

        Parameters
        ----------
        word : callable, optional
            ``word(name, value)``: the words for one value of the filter ``name`` (a vocabulary code in a
            reader's words, say); the value as it is when None. Dates and text searches are written as they are.
        values : str, default ", "
            The text between one filter's values.
        parts_joiner : str, default "; "
            The text between filters.

        Examples
        --------
        >>> FilterSpec(countries=["Syria"], date_from="2016-01-01").describe()
        'from 2016-01-01; country: Syria'

        An empty spec reads "all incidents".
        """
        parts = []
        for name, value in self.active().items():
            item = FILTER_BY_NAME[name]
            if item.kind == "date":
                parts.append(f"{item.label.lower()} {value.isoformat()}")
            elif item.kind == "text":
                parts.append(f"{item.label.lower()}: “{value}”")
            else:
                shown = (word(name, v) for v in value) if word else value
                parts.append(f"{item.label.lower()}: {values.join(shown)}")
        return parts_joiner.join(parts) or "all incidents"

    # --- JSON and notebook parameters -------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The filters that are set, JSON-ready: dates as ``YYYY-MM-DD``, values as lists."""
        return {
            name: value.isoformat() if isinstance(value, dt.date) else value if isinstance(value, str) else list(value)
            for name, value in self.active().items()
        }

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> FilterSpec:
        """Read a spec from a mapping of filter names to values (as :meth:`to_dict` writes it).

        Raises
        ------
        InvalidValueError
            An unknown filter name (with the closest known one), or a value of the wrong type.
        """
        if not isinstance(mapping, Mapping):
            msg = f"a filter specification is a JSON object of filter names to values, not {type(mapping).__name__}"
            raise InvalidValueError(msg)
        _check_names(mapping)
        return cls(**dict(mapping))

    def to_flags(self) -> list[str]:
        """The spec as ``ddj`` command-line flags, one flag and value per filter value, in the filters' declaration
        order (what :mod:`ddj.commands._filter_flags` reads back; the Explorer's "open this view again" command).

        Examples
        --------
        >>> FilterSpec(countries=["Syria"], statuses=["official_silent"]).to_flags()
        ['--country', 'Syria', '--status', 'official_silent']
        >>> FilterSpec(search="-Mi-8").to_flags()
        ['--search=-Mi-8']

        A value that starts with "-" would read as a flag, so it is glued to its flag.
        """
        args: list[str] = []
        for name, value in self.active().items():
            item = FILTER_BY_NAME[name]
            for one in [value.isoformat()] if item.kind == "date" else [value] if item.kind == "text" else value:
                args += [f"{item.flag}={one}"] if one.startswith("-") else [item.flag, one]
        return args

    def to_json(self) -> str:
        """The spec as compact JSON (only the filters that are set); ``{}`` when empty."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> FilterSpec:
        """Read a spec from JSON (an object as :meth:`to_json` writes it); an empty text is the empty spec.

        Raises
        ------
        InvalidValueError
            The text is not a JSON object, or names an unknown filter or a bad value.
        """
        if text is None or not str(text).strip():
            return cls()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            msg = (
                f"the filter specification {str(text)[:80]!r} is not JSON ({err.msg}); "
                'write it like {"countries": ["Syria"]}'
            )
            raise InvalidValueError(msg) from None
        return cls.from_dict(data)

    def to_parameters(self) -> dict[str, Any]:
        """One notebook parameter per filter, every filter included: dates as ``YYYY-MM-DD`` or None, values as lists.

        These are the names and types a notebook declares to take a filter as its own parameter
        (``date_from: str | None``, ``countries: list[str]``...).
        """
        out: dict[str, Any] = {}
        for item in FILTERS:
            value = getattr(self, item.name)
            if item.kind == "date":
                out[item.name] = value.isoformat() if value else None
            elif item.kind == "text":
                out[item.name] = value
            else:
                out[item.name] = list(value)
        return out

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> FilterSpec:
        """Read a spec from notebook parameters named after the filters; other names are ignored."""
        return cls(**{k: v for k, v in parameters.items() if k in FILTER_BY_NAME and v is not None})

    # --- filtering --------------------------------------------------------------------------------

    def expression(self) -> pl.Expr:
        """The spec as one boolean polars expression over the frame of :func:`incident_facts`.

        Examples
        --------
        >>> import ddj
        >>> ds = ddj.load("syria-ru-aviation", warn=False)
        >>> facts = incident_facts(ds, ddj.compare.compare(ds))
        >>> facts.filter(FilterSpec(statuses=["official_silent"]).expression())["incident_id"].to_list()
        ['syr-2016-08-retaliation-strikes']

        Only the strike campaign after the Mi-8 shoot-down is one the operator never spoke of.
        """
        import polars as pl

        parts: list[pl.Expr] = []
        if self.date_from is not None:
            parts.append(pl.col("date_end") >= self.date_from)
        if self.date_to is not None:
            parts.append(pl.col("date_start") <= self.date_to)
        for item in FILTERS:
            value = getattr(self, item.name)
            if item.column and item.kind == "values" and value:
                parts.append(pl.col(item.column).is_in(list(value)).fill_null(False))
        if self.search:
            from ddj.search import search_expression

            # The search texts incident_facts(..., search=True) adds: a literal text, in any case (ddj.search).
            parts.append(search_expression(self.search))
        if self.sides or self.source_kinds:
            parts.append((pl.col("_accounts") & _accounts_mask(self.sides, self.source_kinds)) != 0)
        if self.statuses:
            wanted = sum(1 << vocabulary("statuses").index(s) for s in self.statuses)
            parts.append((pl.col("_statuses") & wanted) != 0)
        if self.attribute_statuses:
            from ddj.compare.statuses import STATUS_CODES

            pairs: dict[str, list[int]] = {}
            for pair in self.attribute_statuses:
                attribute, status = pair.split(":")
                pairs.setdefault(attribute, []).append(STATUS_CODES[status])
            parts.append(pl.any_horizontal([pl.col(f"_status_{a}").is_in(codes) for a, codes in pairs.items()]))
        if not parts:
            return pl.lit(True)
        return pl.all_horizontal(parts) if len(parts) > 1 else parts[0]

    @property
    def needs_comparison(self) -> bool:
        """True when the spec reads what the comparison computes (statuses, attribute statuses or grades)."""
        return bool(self.statuses or self.attribute_statuses or self.grades)

    def filter_incidents(self, facts: pl.DataFrame) -> pl.DataFrame:
        """The rows of an :func:`incident_facts` frame that the spec keeps, in their order.

        Raises
        ------
        UnusableDataError
            The frame lacks a column the spec needs (statuses and grades need a comparison, a search the
            search texts).
        """
        if self.search and SEARCH_COLUMN not in facts.columns:
            msg = (
                "a search reads each incident's summary and statements too: build the facts with "
                "incident_facts(dataset, comparison, search=True)"
            )
            raise UnusableDataError(msg)
        needed = {
            "_statuses": self.statuses,
            "grade": self.grades,
            ATTRIBUTE_STATUS_COLUMNS[0]: self.attribute_statuses,
        }
        missing = [column for column, value in needed.items() if value and column not in facts.columns]
        if missing:
            msg = (
                "filtering by status, attribute status or grade needs the comparison: build the facts with "
                "incident_facts(dataset, comparison)"
            )
            raise UnusableDataError(msg)
        return facts.filter(self.expression())

    def select_incidents(
        self, dataset: Dataset, comparison: Comparison | None = None, incidents: pl.DataFrame | None = None
    ) -> pl.DataFrame:
        """The rows of ``incidents`` (default: the dataset's) that the spec keeps, in their order.

        The comparison is computed only when the spec needs it (statuses, grades) and none is given.

        Parameters
        ----------
        dataset : ddj.Dataset
            The incident dataset, as :func:`ddj.load` returns it.
        comparison : ddj.compare.Comparison, optional
            The dataset's comparison, when already computed; computed only if the spec needs it and it is None.
        incidents : polars.DataFrame, optional
            The incident rows to choose from, with ``incident_id`` (a subset of the dataset's, say); the
            dataset's incidents when None.

        Examples
        --------
        >>> import ddj
        >>> ds = ddj.load("syria-ru-aviation", warn=False)
        >>> FilterSpec(sides=["official"], aircraft_categories=["fighter"]).select_incidents(ds).height
        4

        Four fighter incidents have an official account: the MiG-29KR and the Su-33 lost from the
        carrier, the Su-30SM that fell into the sea after take-off from Hmeimim, and the US F-15E strike
        near Abu Kamal.
        """
        if incidents is None:
            incidents = dataset.incidents
        if self.is_empty:
            return incidents
        if comparison is None and self.needs_comparison:
            from ddj.compare import compare

            comparison = compare(dataset)
        facts = incident_facts(dataset, comparison, search=bool(self.search))
        keep = self.filter_incidents(facts).select("incident_id")
        return incidents.join(keep, on="incident_id", how="semi", maintain_order="left")

    def apply(self, dataset: Dataset, comparison: Comparison | None = None, *, check: bool = False) -> Comparison:
        """The comparison restricted to the incidents the spec keeps: a new :class:`~ddj.compare.Comparison`.

        Every frame (incidents, attributes, changes, accounts) keeps only the rows of those incidents.
        With ``check``, a value no incident has raises :class:`~ddj.errors.NotFoundError` (see
        :meth:`check_values`) instead of selecting nothing.

        Parameters
        ----------
        dataset : ddj.Dataset
            The incident dataset, as :func:`ddj.load` returns it.
        comparison : ddj.compare.Comparison, optional
            The dataset's comparison, when already computed; computed with :func:`ddj.compare.compare` when None.
        check : bool, default False
            Refuse a filter value no incident has (a misspelt country, say) instead of selecting nothing.
        """
        from ddj.compare import Comparison, compare

        if comparison is None:
            comparison = compare(dataset)
        if self.is_empty:
            return comparison
        facts = incident_facts(dataset, comparison, search=bool(self.search))
        if check:
            self.check_values(facts)
        keep = self.filter_incidents(facts).select("incident_id")

        def only(frame: pl.DataFrame) -> pl.DataFrame:
            return frame.join(keep, on="incident_id", how="semi", maintain_order="left")

        return Comparison(
            only(comparison.incidents),
            only(comparison.attributes),
            only(comparison.changes),
            only(comparison.accounts),
            comparison.as_of,
        )

    def unknown_values(self, facts: pl.DataFrame) -> dict[str, list[str]]:
        """Values of data-driven filters (countries, regions, models, ids) that no incident has.

        A typo selects nothing without failing; commands use this to say so, with the closest value.
        """
        import polars as pl

        out: dict[str, list[str]] = {}
        for item in FILTERS:
            value = getattr(self, item.name)
            if item.vocabulary or not item.column or not value:
                continue
            present = set(facts.get_column(item.column).cast(pl.String).unique().drop_nulls().to_list())
            missing = [v for v in value if v not in present]
            if missing:
                out[item.name] = missing
        return out

    def check_values(self, facts: pl.DataFrame) -> None:
        """Raise :class:`~ddj.errors.NotFoundError` when a data-driven filter names a value no incident has."""
        import polars as pl

        unknown = self.unknown_values(facts)
        if not unknown:
            return
        name, values = next(iter(unknown.items()))
        item = FILTER_BY_NAME[name]
        assert item.column is not None  # unknown_values() reports only the filters that read a column
        present = sorted(set(facts.get_column(item.column).cast(pl.String).unique().drop_nulls().to_list()))
        close = difflib.get_close_matches(values[0], present, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        listed = ", ".join(present[:8]) + (f", ... ({len(present)} in all)" if len(present) > 8 else "")
        msg = f"{item.flag} {values[0]!r}: no incident has that {item.column}.{hint} The dataset has: {listed}"
        raise NotFoundError(msg)


FILTERS: tuple[Filter, ...] = tuple(
    Filter(name=f.name, default=f.default, **f.metadata["ddj"]) for f in dataclasses.fields(FilterSpec)
)
"""Every filter of :class:`FilterSpec`, in declaration order: the one place they are declared."""

FILTER_BY_NAME: dict[str, Filter] = {item.name: item for item in FILTERS}


# --- the per-incident frame the filters read -------------------------------------------------------

FACT_COLUMNS = (
    "incident_id",
    "title",
    "date_start",
    "date_end",
    "date_precision",
    "country",
    "region",
    "place",
    "latitude",
    "longitude",
    "location_precision",
    "aircraft_model",
    "aircraft_category",
    "event_type",
)
"""The incident columns :func:`incident_facts` keeps."""

SEARCH_COLUMNS = SEARCH_FIELDS
"""The incident columns the ``search`` filter looks in, besides the accounts' statements (:mod:`ddj.search`)."""

ATTRIBUTE_STATUS_COLUMNS = tuple(f"_status_{a.name}" for a in COMPARED_ATTRIBUTES)
"""The columns :func:`incident_facts` adds, given a comparison: each compared attribute's status code
(:data:`ddj.compare.statuses.STATUS_CODES`), in the model's order."""

COMPARISON_COLUMNS = (
    "n_accounts",
    "n_official",
    "n_unofficial",
    "acknowledged",
    "grade",
    "grade_overridden",
)
"""The comparison's per-incident columns :func:`incident_facts` adds when given a comparison."""


def incident_facts(dataset: Dataset, comparison: Comparison | None = None, *, search: bool = False) -> pl.DataFrame:
    """One row per incident with every column the filters read, sorted by ``date_start`` then ``incident_id``.

    The incident's own columns (:data:`FACT_COLUMNS`); ``_accounts``, a bit mask of the (side, source
    kind) pairs of its accounts; and, given the comparison, its per-incident columns
    (:data:`COMPARISON_COLUMNS`), the counts per status (``n_agree``...), ``_statuses``, a bit mask
    of the statuses its attributes have (bit *i* for ``STATUSES[i]``), and each attribute's status code
    (:data:`ATTRIBUTE_STATUS_COLUMNS`). Accounts are the comparison's
    (published by its ``as_of``) when given, else the dataset's. With ``search``, also each incident's search
    text (``_search``, :func:`ddj.search.search_text`: its title, place... summary and statements), which the
    ``search`` filter reads; it is left out otherwise, as building it reads every statement.

    Parameters
    ----------
    dataset : ddj.Dataset
        The incident dataset, as :func:`ddj.load` returns it.
    comparison : ddj.compare.Comparison, optional
        Its comparison: adds the comparison's columns, and its accounts are read instead of the dataset's.
    search : bool, default False
        Add the search texts (needed by a spec with a ``search``).

    Examples
    --------
    >>> import ddj
    >>> facts = incident_facts(ddj.load("syria-ru-aviation", warn=False))
    >>> facts.height, facts["incident_id"][0]
    (20, 'syr-2015-11-24-su24')

    Twenty incidents, the earliest first: the Su-24 shot down by Turkey in November 2015.
    """
    import polars as pl

    accounts = comparison.accounts if comparison is not None else dataset.accounts
    facts = dataset.incidents.select(FACT_COLUMNS).sort("incident_id")
    facts = attach(facts, _account_masks(accounts, dataset.sources)).with_columns(pl.col("_accounts").fill_null(0))
    if comparison is not None:
        from ddj.compare.statuses import STATUSES

        counts = [f"n_{status}" for status in STATUSES]
        table = comparison.incidents.select("incident_id", *COMPARISON_COLUMNS, *counts).with_columns(
            pl.sum_horizontal(
                [
                    pl.when(pl.col(c) > 0).then(pl.lit(1 << i, pl.UInt8)).otherwise(pl.lit(0, pl.UInt8))
                    for i, c in enumerate(counts)
                ]
            )
            .cast(pl.UInt8)
            .alias("_statuses")
        )
        facts = attach(attach(facts, table), attribute_statuses(comparison))
    facts = facts.sort("date_start", "incident_id")
    if search:
        from ddj.search import search_text

        facts = facts.with_columns(search_text(dataset, comparison, facts.get_column("incident_id")))
    return facts


def attribute_statuses(comparison: Comparison) -> pl.DataFrame:
    """One row per incident (sorted by id) with each compared attribute's status code, in the columns
    :data:`ATTRIBUTE_STATUS_COLUMNS`. Read from the attribute table, which holds every incident's attributes
    together in the model's order (a pivot when it does not).
    """
    import polars as pl

    from ddj.compare.statuses import STATUS_CODES

    attributes = comparison.attributes
    k = len(COMPARED_ATTRIBUTES)
    codes = attributes.get_column("status").cast(pl.String).replace_strict(STATUS_CODES, return_dtype=pl.UInt8)
    n = attributes.height // k
    ids = attributes.get_column("incident_id")
    names = attributes.get_column("attribute").cast(pl.String)
    regular = attributes.height == n * k and (
        n == 0
        or (
            ids.gather_every(k).equals(ids.gather_every(k, k - 1))
            and names.head(k).to_list() == [a.name for a in COMPARED_ATTRIBUTES]
        )
    )
    if regular:
        return pl.DataFrame(
            {
                "incident_id": ids.gather_every(k),
                **{name: codes.gather_every(k, j) for j, name in enumerate(ATTRIBUTE_STATUS_COLUMNS)},
            }
        )
    wide = (
        attributes.select("incident_id", names.alias("attribute"), codes.alias("status"))
        .pivot(on="attribute", index="incident_id", values="status")
        .sort("incident_id")
    )
    return wide.select(
        "incident_id",
        *[
            pl.col(a.name).cast(pl.UInt8).alias(c)
            for a, c in zip(COMPARED_ATTRIBUTES, ATTRIBUTE_STATUS_COLUMNS, strict=True)
        ],
    )


def attach(left: pl.DataFrame, right: pl.DataFrame, on: str = "incident_id") -> pl.DataFrame:
    """``left`` with the other columns of ``right`` beside it, matched on ``on`` (a left join, kept in ``left``'s
    order). When both hold the same keys in the same order (the comparison's frames and the incidents sorted
    by id do), the columns are put side by side without a join.

    Parameters
    ----------
    left : polars.DataFrame
        The frame to keep, rows and order.
    right : polars.DataFrame
        The frame whose other columns are added; at most one row per key, or rows of ``left`` repeat.
    on : str, default "incident_id"
        The key column both frames hold.
    """
    if left.height == right.height and left.get_column(on).equals(right.get_column(on)):
        return left.hstack(right.drop(on).get_columns())
    return left.join(right, on=on, how="left", maintain_order="left")


def _account_masks(accounts: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """Per incident (sorted by id), the bit mask of the (side, source kind) pairs among its accounts: bit
    ``side * len(SOURCE_KINDS) + kind`` in the order of :data:`ddj.model.SIDES` and :data:`ddj.model.SOURCE_KINDS`.
    """
    import polars as pl

    kind_codes = {kind: i for i, kind in enumerate(SOURCE_KINDS)}
    kind_of = {source: kind_codes.get(kind) for source, kind in sources.select("source_id", "kind").iter_rows()}
    side = pl.col("side").replace_strict({s: i for i, s in enumerate(SIDES)}, default=None, return_dtype=pl.UInt32)
    kind = pl.col("source_id").replace_strict(kind_of, default=None, return_dtype=pl.UInt32)
    bits = {i: 1 << i for i in range(len(SIDES) * len(SOURCE_KINDS))}
    ids = accounts.get_column("incident_id")
    if ids.is_sorted():
        ids = ids.set_sorted()
    bit = (side * len(SOURCE_KINDS) + kind).replace_strict(bits, default=None, return_dtype=pl.UInt32)
    return (
        accounts.lazy()
        .select(ids, bit.alias("_bit"))
        .group_by("incident_id", maintain_order=True)
        .agg(pl.col("_bit").bitwise_or().fill_null(0).alias("_accounts"))
        .sort("incident_id")
        .collect()
    )


def _accounts_mask(sides: Sequence[str], kinds: Sequence[str]) -> int:
    """The bits of every (side, kind) pair allowed by ``sides`` and ``kinds`` (either empty: any)."""
    mask = 0
    for i, side in enumerate(SIDES):
        if sides and side not in sides:
            continue
        for j, kind in enumerate(SOURCE_KINDS):
            if kinds and kind not in kinds:
                continue
            mask |= 1 << (i * len(SOURCE_KINDS) + j)
    return mask


# --- helpers -----------------------------------------------------------------------------------------


def _check_names(mapping: Iterable[str]) -> None:
    for key in mapping:
        if key not in FILTER_BY_NAME:
            close = difflib.get_close_matches(str(key), list(FILTER_BY_NAME), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            msg = f"unknown filter {key!r}{hint} The filters are: {', '.join(FILTER_BY_NAME)}"
            raise InvalidValueError(msg)


_TEXT_LIMIT = 200


def _canonical(item: Filter, value: Any) -> Any:
    """A filter's value in canonical form, or :class:`~ddj.errors.InvalidValueError` saying what is wrong with it."""
    if item.kind == "date":
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        msg = f"{item.flag} {value!r}: not a date; write it as YYYY-MM-DD"
        raise InvalidValueError(msg)
    if item.kind == "text":
        if value is None:
            return None
        if not isinstance(value, str):
            msg = f"{item.flag} takes one text, not {value!r}"
            raise InvalidValueError(msg)
        text = " ".join(value.split())
        if len(text) > _TEXT_LIMIT:
            msg = f"{item.flag}: the text is {len(text)} characters long; keep it to {_TEXT_LIMIT}"
            raise InvalidValueError(msg)
        return text or None
    if value is None:
        return ()
    if isinstance(value, str):
        msg = f"{item.name} takes a list of values, not the text {value!r}; write [{value!r}]"
        raise InvalidValueError(msg)
    try:
        values = list(value)
    except TypeError:
        msg = f"{item.name} takes a list of values, not {value!r}"
        raise InvalidValueError(msg) from None
    for one in values:
        if not isinstance(one, str) or not one.strip():
            msg = f"{item.flag} {one!r}: each value is a non-empty text"
            raise InvalidValueError(msg)
    unique = sorted(set(values))
    if item.vocabulary:
        words = vocabulary(item.vocabulary)
        for one in unique:
            if one not in words:
                close = difflib.get_close_matches(one, words, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                msg = f"{item.flag} {one!r} is not one of: {', '.join(words)}.{hint}"
                raise InvalidValueError(msg)
        unique.sort(key=words.index)
    return tuple(unique)
