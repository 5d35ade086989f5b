"""What a dataset publishes: its resources, its comparison and the views a reader needs, described once.

:func:`collect` returns a :class:`Publication`: a list of :class:`Table` (a polars frame with its keys, column
descriptions, full-text columns, facets, label column and licences) and of :class:`View` (SQL over those tables,
described the same way). The SQLite writer, the Datasette metadata and the CSV/JSON writers all read it, so the
three outputs cannot disagree.

Column descriptions come from the model (:mod:`ddj.model`) for an incident dataset's resources, from the
``datapackage.json`` Table Schemas for other kinds, and from :data:`COMPARISON_COLUMNS` for the comparison.
"""

# The views' SQL is built from this module's own table and column names; no dataset text reaches it.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from ddj.errors import NotFoundError, UnusableDataError

if TYPE_CHECKING:
    from ddj.datasets.dataset import Dataset

#: The comparison's statuses in words a reader of a published table understands. Every status in
#: :data:`ddj.compare.STATUSES` is published; one missing here is shown as its own name with spaces.
STATUS_MEANINGS: dict[str, str] = {
    "agree": "official and unofficial accounts agree",
    "contradict": "official and unofficial accounts contradict each other",
    "official_silent": (
        "has not publicly acknowledged: others report it, there is no official account, and the "
        "curators searched for official statements"
    ),
    "no_official_record": (
        "no official account recorded: others report it, and nobody declared a search for "
        "official statements, so this does not mean the operator stayed silent"
    ),
    "unofficial_only": "the operator spoke of the incident but not to this point; others give a value",
    "official_only": "only the operator gives a value",
    "unknown": "no account gives a value",
}

#: The statuses that say the operator has no account of an incident that others report (the ``official_silence``
#: view selects them, among those :data:`ddj.compare.STATUSES` has).
SILENCE_STATUSES = ("official_silent", "no_official_record")

#: Descriptions of the comparison's columns (``n_<status>`` columns are described from the status).
COMPARISON_COLUMNS: dict[str, str] = {
    "incident_id": "The incident (see incidents).",
    "n_accounts": "Current accounts of the incident (an account replaced by a later one from the same source is "
    "not current).",
    "n_official": "Current official accounts (the operator's military, government or spokespeople).",
    "n_unofficial": "Current unofficial accounts (everyone else, including the other side).",
    "n_superseded": "Accounts replaced by a later account from the same source.",
    "n_unofficial_origins": "Independent unofficial chains among the current unofficial accounts (accounts that "
    "share a publication or an origin count once; an outlet repeating the operator's own statement does not count).",
    "n_supporting_origins": "Independent unofficial origins that support the operator on a point in dispute.",
    "n_contradicting_origins": "Independent unofficial origins that contradict the operator on a point in dispute.",
    "acknowledged": "1 if the operator ever gave an official account of the incident, 0 if not.",
    "official_searched": "1 if the curators declared a search for official statements on the incident: only then is "
    "the lack of an official account the operator's silence.",
    "first_official_date": "Day the first official account was published (empty when there is none).",
    "first_unofficial_date": "Day the first unofficial account was published (empty when there is none).",
    "days_to_official": "Days from the incident's first possible day to the first official account.",
    "days_unofficial_to_official": "Days from the first unofficial account to the first official one (negative when "
    "the operator spoke first).",
    "official_changed": "1 if an official account was replaced by a later one that says something different.",
    "contradicted_attributes": "The attributes on which the sides contradict each other, comma-separated.",
    "computed_grade": "The grade the rules give (see the README's method notes on grades).",
    "computed_grade_reason": "Which rule gave the computed grade, and on what, in a sentence.",
    "grade": "The grade in force: the computed grade, or the one an editor set (see grade_overridden).",
    "grade_reason": "Why the incident has the grade in force, in a sentence.",
    "grade_overridden": "1 if an editor set the grade (see the override columns and overrides).",
    "override_id": "The editor's decision that set the grade (see overrides), when there is one.",
    "override_editor": "Who set the grade, when an editor did.",
    "override_date": "When the editor set the grade.",
    "override_reason": "Why the editor set the grade, in a sentence.",
    "attribute": "The compared attribute (cause, crew_killed, place...).",
    "label": "The attribute in words.",
    "official_values": "What the current official accounts claim on the attribute, as a JSON list of text.",
    "unofficial_values": "What the current unofficial accounts claim on the attribute, as a JSON list of text.",
    "official_account_ids": "The current official accounts that claim a value, as a JSON list of account ids.",
    "unofficial_account_ids": "The current unofficial accounts that claim a value, as a JSON list of account ids.",
    "status": "How the two sides compare on the attribute (see statuses).",
    "source_id": "The source whose account changed (see sources).",
    "from_account_id": "The earlier account (see accounts).",
    "to_account_id": "The later account that replaces it (see accounts).",
    "from_date": "Day the earlier account was published.",
    "to_date": "Day the later account was published.",
    "from_value": "What the earlier account said on the attribute.",
    "to_value": "What the later account says on the attribute.",
}

#: Descriptions of the tally series' columns (:func:`ddj.tally.tally_series`).
TALLY_SERIES_COLUMNS: dict[str, str] = {
    "date": "Day of the official figure.",
    "category": "The official category.",
    "official": "Cumulative total the officials claim on that day.",
    "official_change": "Change since the category's previous official figure.",
    "revision": "Official correction made that day (empty when none).",
    "documented": "Documented total of the categories the crosswalk pairs with this one, as of that day (empty when "
    "the category is not paired or nothing was documented by then).",
    "documented_as_of": "Day of the last documented change the documented total rests on.",
    "documented_through": "Last day the documented series covers (its count is current to then).",
    "days_apart": "Days by which the official figure is newer than documented_through (0 when the documented side "
    "covers the day).",
    "ratio": "official / documented; empty when the documented count is empty or 0, or the two are too many days "
    "apart to compare.",
    "difference": "official - documented; empty when the two cannot be compared (see ratio).",
}

#: Columns that get a facet wherever a table of a kind other than incidents has them.
GENERIC_FACETS = (
    "side",
    "status",
    "grade",
    "cause",
    "country",
    "year",
    "kind",
    "category",
    "rule",
    "file",
    "basis",
    "event_type",
)


@dataclass(frozen=True)
class Table:
    """One table to publish: its rows and how a reader finds their way in it.

    ``foreign_keys`` holds ``(column, other table, other column)``; ``search`` the text columns of its
    full-text index; ``facets`` the columns Datasette counts by default; ``label_column`` the column that
    names a row where another table points at it; ``licenses`` and ``sources`` are Data Package entries,
    set only where the table's licence differs from the dataset's.
    """

    name: str
    frame: pl.DataFrame
    description: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    required: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    facets: tuple[str, ...] = ()
    label_column: str | None = None
    indexes: tuple[tuple[str, ...], ...] = ()
    licenses: tuple[dict[str, Any], ...] = ()
    sources: tuple[dict[str, Any], ...] = ()
    sort: str | None = None

    @property
    def json_columns(self) -> tuple[str, ...]:
        """The columns holding lists or records, published as JSON text."""
        return tuple(
            name for name, dtype in self.frame.schema.items() if isinstance(dtype, (pl.List, pl.Array, pl.Struct))
        )


@dataclass(frozen=True)
class View:
    """One SQL view over the published tables: its ``SELECT``, its description, its columns' and its facets.

    A view has no default sort: sorting a view computes every row of it first, which on a million incidents
    takes longer than Datasette allows a page; unsorted, a page computes only the rows it shows.
    """

    name: str
    sql: str
    description: str
    columns: Mapping[str, str] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    sort: str | None = None
    json_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Publication:
    """Everything a dataset publishes: the package's own metadata, the tables and the views, in order."""

    name: str
    title: str
    description: str
    version: str | None
    kind: str
    licenses: tuple[dict[str, Any], ...]
    sources: tuple[dict[str, Any], ...]
    tables: tuple[Table, ...]
    views: tuple[View, ...]
    exported_on: dt.date
    note: str = ""

    def table(self, name: str) -> Table:
        """The table called ``name``."""
        for table in self.tables:
            if table.name == name:
                return table
        msg = f"no table {name!r} in the publication of {self.name!r}; it has: {', '.join(self.names)}"
        raise NotFoundError(msg)

    @property
    def names(self) -> tuple[str, ...]:
        """Every table's and view's name, tables first."""
        return tuple(t.name for t in self.tables) + tuple(v.name for v in self.views)


def collect(dataset: Dataset, *, comparison: bool = True, today: dt.date | None = None) -> Publication:
    """What ``dataset`` publishes: its resources, its comparison (when ``comparison``) and the views.

    An incident dataset publishes its four resources, the comparison's per-incident, per-attribute and
    official-change tables (computed now, with every account), a ``statuses`` lookup and four views; a tally
    dataset its resources and the tally series (official claims against documented counts per day and
    category); any other kind its resources.

    Parameters
    ----------
    dataset : ddj.Dataset
        A loaded dataset, as :func:`ddj.load` returns it (any kind).
    comparison : bool, default True
        Add the comparison's tables (an incident dataset) or the tally series (a tally dataset); False
        publishes the resources only.
    today : datetime.date, optional
        The export day recorded in the publication; today when None.

    Examples
    --------
    >>> import ddj
    >>> pub = collect(ddj.load("syria-ru-aviation", warn=False))
    >>> pub.table("accounts").foreign_keys[:2]
    (('incident_id', 'incidents', 'incident_id'), ('source_id', 'sources', 'source_id'))
    >>> [v.name for v in pub.views]
    ['incident_accounts', 'contradictions', 'official_silence', 'accounts_with_sources']

    Accounts point at their incident and their source; the views set the accounts side by side.
    """
    today = today or dt.date.today()
    descriptor = dataset.descriptor or {}
    if dataset.kind == "incidents":
        tables, views, note = _incident_tables(dataset, descriptor, comparison=comparison)
    else:
        tables, views, note = _generic_tables(dataset, descriptor), [], ""
        if comparison and dataset.kind == "tally":
            tables.append(_tally_series(dataset, descriptor))
            note = "The tally_series table compares the official claims with the documented counts per day."
    names = [t.name for t in tables] + [v.name for v in views]
    clash = sorted({n for n in names if names.count(n) > 1} | {n for n in names if f"{n}_fts" in names})
    if clash:
        msg = (
            f"dataset {dataset.name!r} cannot be exported: its resource name(s) {', '.join(clash)} clash with a "
            "table the export adds; rename the resource"
        )
        raise UnusableDataError(msg)
    return Publication(
        name=dataset.name,
        title=str(descriptor.get("title") or dataset.name),
        description=str(descriptor.get("description") or ""),
        version=descriptor.get("version"),
        kind=dataset.kind,
        licenses=tuple(_entries(descriptor.get("licenses"))),
        sources=tuple(_entries(descriptor.get("sources"))),
        tables=tuple(tables),
        views=tuple(views),
        exported_on=today,
        note=note,
    )


# --- resources ----------------------------------------------------------------------------------------------


def _entries(value: Any) -> list[dict[str, Any]]:
    return [item for item in value or [] if isinstance(item, dict)]


def _resource_descriptor(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    return next((r for r in _entries(descriptor.get("resources")) if r.get("name") == name), {})


def _licensing(descriptor: dict[str, Any], resource: dict[str, Any]) -> tuple[tuple, tuple]:
    """A resource's own licences (none when it inherits the package's) and the package sources they name."""
    licences = tuple(_entries(resource.get("licenses")))
    if not licences:
        return (), ()
    sources = _entries(descriptor.get("sources"))
    named = []
    for licence in licences:
        source = _source_for(licence, sources)
        if source is not None and source not in named:
            named.append(source)
    return licences, tuple(named)


def _source_for(licence: dict[str, Any], sources: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The package source a licence speaks of: the one sharing the most words with the licence's bracketed note
    (``MIT License (the General Staff figures as ...)`` names the General Staff source).
    """
    note = re.findall(r"\(([^()]*)\)", str(licence.get("title") or ""))
    words = {w.lower() for w in re.findall(r"[\w/.-]{4,}", " ".join(note))}
    scored = [(sum(w in str(s.get("title", "")).lower() for w in words), i) for i, s in enumerate(sources)]
    best = max(scored, default=(0, -1))
    return sources[best[1]] if best[0] > 0 else None


_INCIDENT_PRESENTATION: dict[str, dict[str, Any]] = {
    "incidents": {
        "search": ("title", "summary", "uncertainty"),
        "label_column": "title",
        "sort": "date_start",
        "facets": ("country", "event_type", "aircraft_category", "operator"),
    },
    "sources": {"label_column": "name", "facets": ("kind", "country"), "search": ("name", "notes")},
    "accounts": {
        "search": ("statement", "speaker", "notes"),
        "sort": "published_date",
        "facets": ("side", "cause", "hostile_fire", "certainty"),
    },
    "overrides": {"facets": ("target_table", "editor")},
}


def _incident_resources(dataset: Dataset, descriptor: dict[str, Any]) -> list[Table]:
    from ddj.model import INCIDENT_RESOURCES

    tables = []
    for model in INCIDENT_RESOURCES:
        if model.name not in dataset.tables:
            continue
        licences, sources = _licensing(descriptor, _resource_descriptor(descriptor, model.name))
        tables.append(
            Table(
                name=model.name,
                frame=dataset.tables[model.name],
                description=model.description,
                columns={f.name: f.description for f in model.fields},
                primary_key=(model.primary_key,),
                foreign_keys=tuple(fk for fk in model.foreign_keys if fk[1] in dataset.tables),
                required=tuple(f.name for f in model.fields if f.required),
                licenses=licences,
                sources=sources,
                **_INCIDENT_PRESENTATION.get(model.name, {}),
            )
        )
    return tables


def _generic_tables(dataset: Dataset, descriptor: dict[str, Any]) -> list[Table]:
    """Every resource of a package of another kind, as its Table Schema declares it."""
    tables = []
    for name, frame in dataset.tables.items():
        resource = _resource_descriptor(descriptor, name)
        declared = resource.get("schema")
        schema = declared if isinstance(declared, dict) else {}
        fields = [f for f in _entries(schema.get("fields")) if f.get("name") in frame.columns]
        key = schema.get("primaryKey") or ()
        key = (key,) if isinstance(key, str) else tuple(key)
        foreign = []
        for fk in _entries(schema.get("foreignKeys")):
            own, ref = fk.get("fields"), fk.get("reference") or {}
            other, theirs = ref.get("resource") or name, ref.get("fields")
            own = [own] if isinstance(own, str) else list(own or [])
            theirs = [theirs] if isinstance(theirs, str) else list(theirs or [])
            if len(own) == 1 and len(theirs) == 1 and other in dataset.tables:  # SQLite keys of one column
                foreign.append((own[0], other, theirs[0]))
        licences, sources = _licensing(descriptor, resource)
        tables.append(
            Table(
                name=name,
                frame=frame,
                description=str(resource.get("description") or ""),
                columns={f["name"]: str(f.get("description") or "") for f in fields},
                primary_key=key if all(k in frame.columns for k in key) else (),
                foreign_keys=tuple(foreign),
                required=tuple(f["name"] for f in fields if (f.get("constraints") or {}).get("required")),
                facets=tuple(c for c in GENERIC_FACETS if c in frame.columns),
                licenses=licences,
                sources=sources,
                sort="date" if "date" in frame.columns else None,
            )
        )
    return tables


def _tally_series(dataset: Dataset, descriptor: dict[str, Any]) -> Table:
    from ddj.datasets.tally_kind import ALL_STATUSES as TALLY_STATUSES
    from ddj.tally import tally_series

    frame = tally_series(dataset)
    licences: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    for table in _generic_tables(dataset, descriptor):
        for item, bucket in ((table.licenses, licences), (table.sources, sources)):
            bucket.extend(x for x in item if x not in bucket)
    columns = dict(TALLY_SERIES_COLUMNS)
    columns.update({s: f"Documented items {s}, as of that day, in the paired categories." for s in TALLY_STATUSES})
    return Table(
        name="tally_series",
        frame=frame,
        description=(
            "The official claims against the documented counts: one row per official figure (day and "
            "category), computed by ddj from the resources above with the declared crosswalk."
        ),
        columns={c: columns.get(c, "") for c in frame.columns},
        primary_key=("date", "category"),
        facets=("category",),
        licenses=tuple(licences),
        sources=tuple(sources),
        sort="date",
    )


# --- the comparison and the views ---------------------------------------------------------------------------


def _incident_tables(dataset: Dataset, descriptor: dict[str, Any], *, comparison: bool):
    tables = _incident_resources(dataset, descriptor)
    if not comparison or not {"incidents", "sources", "accounts"} <= set(dataset.tables):
        return tables, [], ""
    from ddj.compare import STATUSES, compare

    result = compare(dataset)
    statuses = pl.DataFrame(
        {
            "status": list(STATUSES),
            "meaning": [STATUS_MEANINGS.get(s, s.replace("_", " ")) for s in STATUSES],
            "position": list(range(1, len(STATUSES) + 1)),
        }
    )
    columns = dict(COMPARISON_COLUMNS)
    columns.update(
        {f"n_{s}": f"Attributes with status {s} ({STATUS_MEANINGS.get(s, s.replace('_', ' '))})." for s in STATUSES}
    )
    tables += [
        Table(
            "statuses",
            statuses,
            "The comparison's statuses: how official and unofficial claims on one attribute of one incident compare.",
            {
                "status": "The status, as the comparison's tables write it.",
                "meaning": "What it means.",
                "position": "Its place in the display order.",
            },
            primary_key=("status",),
            required=("status", "meaning"),
            label_column="meaning",
            sort="position",
        ),
        Table(
            "comparison_incidents",
            result.incidents,
            "The comparison, one row per incident: account counts, independent origins, acknowledgement, status "
            "counts and the grade with its reason, computed by ddj from every account on the day of the export.",
            {c: columns.get(c, "") for c in result.incidents.columns},
            primary_key=("incident_id",),
            foreign_keys=(("incident_id", "incidents", "incident_id"),),
            facets=("grade", "acknowledged", "official_searched", "grade_overridden"),
        ),
        Table(
            "comparison_attributes",
            result.attributes,
            "The comparison, one row per incident and compared attribute: what each side claims, the accounts "
            "that claim it, and the status.",
            {c: columns.get(c, "") for c in result.attributes.columns},
            primary_key=("incident_id", "attribute"),
            foreign_keys=(("incident_id", "incidents", "incident_id"), ("status", "statuses", "status")),
            facets=("status", "attribute"),
        ),
        Table(
            "comparison_changes",
            result.changes,
            "Official accounts that replaced an earlier account from the same source and say something "
            "different: one row per attribute changed, with both dates and both values.",
            {c: columns.get(c, "") for c in result.changes.columns},
            foreign_keys=(
                ("incident_id", "incidents", "incident_id"),
                ("source_id", "sources", "source_id"),
                ("from_account_id", "accounts", "account_id"),
                ("to_account_id", "accounts", "account_id"),
            ),
            facets=("attribute", "source_id"),
            sort="to_date",
        ),
    ]
    views = _incident_views(STATUSES)
    note = "The comparison_* tables and the views were computed by ddj from every account on the day of the export."
    return tables, views, note


_YEAR = "CAST(substr(i.date_start, 1, 4) AS INTEGER)"
_INCIDENT_HEAD = f"""i.incident_id, i.title, i.date_start, {_YEAR} AS year, i.country, i.operator"""
_VIEW_COLUMNS = {
    "incident_id": "The incident (see incidents).",
    "title": "A short name for the incident, in our words.",
    "date_start": "First day the incident may have happened.",
    "year": "Year of date_start.",
    "country": "Country where it happened, in English.",
    "operator": "The force that operated the aircraft: the party whose statements count as official.",
    "aircraft_model": "Aircraft type as most accounts give it.",
    "event_type": "What kind of event it was.",
    "grade": "The grade in force (see comparison_incidents).",
    "grade_reason": "Why the incident has that grade, in a sentence.",
    "acknowledgement": "Whether the operator gave an official account, in words; silence is a finding only where "
    "official statements were searched for.",
    "n_official": "Current official accounts.",
    "n_unofficial": "Current unofficial accounts.",
    "n_unofficial_origins": "Independent unofficial chains among the current unofficial accounts (not outlets "
    "repeating the operator).",
    "official_accounts": "Every official account, oldest first: published date, source, account id, what it says "
    "(paraphrased); a replaced account is marked [superseded].",
    "unofficial_accounts": "Every unofficial account, oldest first, written the same way.",
    "attribute": "The compared attribute.",
    "label": "The attribute in words.",
    "official_says": "What the current official accounts claim, separated by '; '.",
    "unofficial_says": "What the current unofficial accounts claim, separated by '; '.",
    "official_account_ids": "The official accounts that claim it, as a JSON list.",
    "unofficial_account_ids": "The unofficial accounts that claim it, as a JSON list.",
    "status": "The comparison's status (see statuses).",
    "meaning": "The status in words.",
    "unofficial_claims": "What unofficial accounts claim, attribute by attribute.",
    "account_id": "The account (see accounts).",
    "side": "official or unofficial.",
    "published_date": "Day the account was first made public.",
    "source_id": "The source (see sources).",
    "source": "The source's name.",
    "kind": "What kind of source it is.",
    "cause": "What the account says caused the loss.",
    "certainty": "reported, or uncertain (the curator is not sure of some detail).",
    "current": "1 if no later account from the same source replaces it.",
    "statement": "What the account says, paraphrased in our own words.",
}


def _accounts_list(side: str) -> str:
    return f"""(SELECT group_concat(line, char(10) || char(10)) FROM (
        SELECT a.published_date || ' · ' || s.name || ' (' || a.account_id || ')'
               || CASE WHEN EXISTS (SELECT 1 FROM accounts later WHERE later.supersedes_account_id = a.account_id)
                       THEN ' [superseded]' ELSE '' END
               || ': ' || a.statement AS line
        FROM accounts a JOIN sources s ON s.source_id = a.source_id
        WHERE a.incident_id = i.incident_id AND a.side = '{side}'
        ORDER BY a.published_date, a.account_id))"""


def _values(column: str) -> str:
    return f"(SELECT group_concat(value, '; ') FROM json_each({column}))"


def _incident_views(statuses: tuple[str, ...]) -> list[View]:
    def described(names: list[str]) -> dict[str, str]:
        return {n: _VIEW_COLUMNS.get(n, "") for n in names}

    acknowledgement = """CASE WHEN c.acknowledged THEN 'acknowledged: the operator gave an official account'
             WHEN c.official_searched THEN 'has not publicly acknowledged (official statements were searched for)'
             ELSE 'no official account recorded (no search for official statements declared)' END"""
    views = [
        View(
            "incident_accounts",
            f"""SELECT {_INCIDENT_HEAD}, i.aircraft_model, i.event_type, c.grade, c.grade_reason,
       {acknowledgement} AS acknowledgement, c.n_official, c.n_unofficial, c.n_unofficial_origins,
       {_accounts_list("official")} AS official_accounts,
       {_accounts_list("unofficial")} AS unofficial_accounts
FROM incidents i LEFT JOIN comparison_incidents c ON c.incident_id = i.incident_id""",
            "Each incident with its official and its unofficial accounts side by side, and its grade.",
            described(
                [
                    "incident_id",
                    "title",
                    "date_start",
                    "year",
                    "country",
                    "operator",
                    "aircraft_model",
                    "event_type",
                    "grade",
                    "grade_reason",
                    "acknowledgement",
                    "n_official",
                    "n_unofficial",
                    "n_unofficial_origins",
                    "official_accounts",
                    "unofficial_accounts",
                ]
            ),
            facets=("grade", "country", "year", "event_type"),
        )
    ]
    if "contradict" in statuses:
        views.append(
            View(
                "contradictions",
                f"""SELECT {_INCIDENT_HEAD}, x.attribute, x.label,
       {_values("x.official_values")} AS official_says, {_values("x.unofficial_values")} AS unofficial_says,
       x.official_account_ids, x.unofficial_account_ids, x.n_unofficial_origins, c.grade, c.grade_reason
FROM comparison_attributes x
JOIN incidents i ON i.incident_id = x.incident_id
JOIN comparison_incidents c ON c.incident_id = x.incident_id
WHERE x.status = 'contradict'""",
                "Contradictions only: every attribute of every incident on which the official and unofficial accounts "
                "contradict each other, with what each side says.",
                described(
                    [
                        "incident_id",
                        "title",
                        "date_start",
                        "year",
                        "country",
                        "operator",
                        "attribute",
                        "label",
                        "official_says",
                        "unofficial_says",
                        "official_account_ids",
                        "unofficial_account_ids",
                        "n_unofficial_origins",
                        "grade",
                        "grade_reason",
                    ]
                ),
                facets=("attribute", "grade", "country", "year"),
                json_columns=("official_account_ids", "unofficial_account_ids"),
            )
        )
    silence = [s for s in SILENCE_STATUSES if s in statuses]
    if silence:
        parts = [
            f"""SELECT {_INCIDENT_HEAD}, st.status, st.meaning,
       (SELECT group_concat(x.label || ': ' || {_values("x.unofficial_values")}, ' | ')
        FROM comparison_attributes x WHERE x.incident_id = c.incident_id AND x.status = st.status) AS unofficial_claims,
       c.n_unofficial, c.n_unofficial_origins, c.grade, c.grade_reason
FROM comparison_incidents c
JOIN incidents i ON i.incident_id = c.incident_id
JOIN statuses st ON st.status = '{status}'
WHERE c."n_{status}" > 0"""
            for status in silence
        ]
        words = " and ".join(f"{s} ({STATUS_MEANINGS.get(s, s)})" for s in silence)
        views.append(
            View(
                "official_silence",
                "\nUNION ALL\n".join(parts),
                f"Official silence only: incidents that others report and the operator has no account of. Statuses: "
                f"{words}.",
                described(
                    [
                        "incident_id",
                        "title",
                        "date_start",
                        "year",
                        "country",
                        "operator",
                        "status",
                        "meaning",
                        "unofficial_claims",
                        "n_unofficial",
                        "n_unofficial_origins",
                        "grade",
                        "grade_reason",
                    ]
                ),
                facets=("status", "grade", "country", "year"),
            )
        )
    views.append(
        View(
            "accounts_with_sources",
            f"""SELECT a.account_id, {_INCIDENT_HEAD}, a.side, a.published_date, a.source_id, s.name AS source, s.kind,
       a.cause, a.certainty,
       CASE WHEN EXISTS (SELECT 1 FROM accounts later WHERE later.supersedes_account_id = a.account_id)
            THEN 0 ELSE 1 END AS current,
       a.statement
FROM accounts a
JOIN sources s ON s.source_id = a.source_id
JOIN incidents i ON i.incident_id = a.incident_id""",
            "Every account with its source's name and kind and its incident: filter by side, kind of source, cause and "
            "year (the incident's).",
            described(
                [
                    "account_id",
                    "incident_id",
                    "title",
                    "date_start",
                    "year",
                    "country",
                    "operator",
                    "side",
                    "published_date",
                    "source_id",
                    "source",
                    "kind",
                    "cause",
                    "certainty",
                    "current",
                    "statement",
                ]
            ),
            facets=("side", "kind", "cause", "year"),
        )
    )
    return views
