"""The incident data model: resources, fields, vocabularies and the compared attributes.

This is the one place that knows what an incident dataset holds. The Table Schemas in every
``datapackage.json`` are generated from it (:func:`ddj.datasets.schema.incident_package_schema`),
the validator checks data against it, and the comparison walks :data:`COMPARED_ATTRIBUTES`.
Adding a compared attribute is one edit here, an entry of :data:`COMPARED_ATTRIBUTES` (plus regenerating
the shipped packages).

Where does "unknown" live? In a value, never in a blank. Every categorical claim is required and
takes one of the vocabulary's words, among them ``unknown`` (the account says it is not known)
and ``not_stated`` (the account does not speak to it). Every count claim has a required
``*_claim`` column (``figure``, ``unknown`` or ``not_stated``) beside its low/best/high numbers,
which are filled only when the claim is ``figure``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

UNKNOWN = "unknown"
NOT_STATED = "not_stated"
#: The two words that mean "no claim on this attribute" in every categorical vocabulary.
NO_CLAIM = (UNKNOWN, NOT_STATED)

# --- vocabularies -------------------------------------------------------------------------------

DATE_PRECISION = {
    1: "exact day",
    2: "within 2-6 days",
    3: "within a week",
    4: "within a month",
    5: "within a year",
}
"""UCDP GED ``date_prec``: how exactly the dates of an incident are known."""

LOCATION_PRECISION = {
    1: "exact location",
    2: "near a named place (within about 25 km)",
    3: "second-level administrative division (district)",
    4: "first-level administrative division (province, governorate)",
    5: "a vaguely defined area (for example 'northern Syria')",
    6: "country only",
    7: "over water or in international airspace",
}
"""UCDP GED ``where_prec``: how exactly the place of an incident is known; 7 suits aircraft."""

EVENT_TYPES = (
    "shoot_down",
    "crash",
    "emergency_landing",
    "ground_attack",
    "airstrike",
    "strike_campaign",
    "other",
)
AIRCRAFT_CATEGORIES = (
    "fighter",
    "attack",
    "bomber",
    "transport",
    "special_mission",
    "helicopter",
    "multiple",
    "none",
    "unknown",
)
RELATIONS = ("follow_on", "context", "same_event")
SOURCE_KINDS = (
    "official_military",
    "official_government",
    "state_media",
    "independent_media",
    "local_media",
    "monitor_ngo",
    "social_media",
    "armed_group",
    "foreign_government",
)
SIDES = ("official", "unofficial")
CAUSES = (
    "hostile_fire",
    "friendly_fire",
    "technical_failure",
    "pilot_error",
    "accident",
    "ground_attack",
    "other",
    UNKNOWN,
    NOT_STATED,
)
YES_NO = ("yes", "no", UNKNOWN, NOT_STATED)
COUNT_CLAIMS = ("figure", UNKNOWN, NOT_STATED)
CERTAINTY = ("reported", "uncertain")
OVERRIDE_TABLES = ("incidents", "accounts", "grades")
GRADES = ("confirmed", "fair", "uncorroborated", "weak", "contested", "discounted")

# --- words for readers: every vocabulary code a page, chart or widget shows, in one place ---------------------

#: The comparison's statuses, in display order, with the words a reader sees (legends, tables, filters).
STATUS_LABELS: dict[str, str] = {
    "agree": "official and other accounts agree",
    "contradict": "official and other accounts contradict",
    "official_silent": "no official account, though searched for; others report",
    "no_official_record": "no official account recorded (not searched for); others report",
    "unofficial_only": "officials silent on this point; others report",
    "official_only": "only officials give a value",
    "unknown": "no account gives a value",
}
#: Said after ``agree``'s words where every other account that agrees only repeats the operator's own statement (no
#: independent origin among them, ``n_unofficial_origins`` 0): the comparison counts them as other accounts, and a
#: reader is told what they are.
AGREE_BY_REPEATS_ONLY = ", but the other accounts only repeat the officials"
#: The two sides (:data:`SIDES`) in words.
SIDE_LABELS: dict[str, str] = {"official": "official accounts", "unofficial": "other accounts"}
#: The kinds of source (:data:`SOURCE_KINDS`) in words.
SOURCE_KIND_LABELS: dict[str, str] = {
    "official_military": "military (official)",
    "official_government": "government (official)",
    "state_media": "state media",
    "independent_media": "independent media",
    "local_media": "local media",
    "monitor_ngo": "monitor or NGO",
    "social_media": "social media",
    "armed_group": "armed group",
    "foreign_government": "foreign government",
}

# --- fields of each resource --------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One column of a resource, as the Table Schema will declare it.

    ``source`` says where a curator takes the value from; it goes into the datasheet's field
    table. ``hint`` tells a user how to fix a bad value.
    """

    name: str
    type: str
    description: str
    source: str
    required: bool = False
    enum: tuple = ()
    minimum: int | float | None = None
    maximum: int | float | None = None
    pattern: str | None = None
    unique: bool = False
    hint: str = ""


_DATE_CLAIM_PATTERN = r"^(\d{4}-\d{2}-\d{2}|unknown|not_stated)$"
_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_ID_HINT = "use letters, digits, '-', '_' or '.', starting with a letter or digit"


def _id(name: str, description: str, source: str, *, required: bool = True) -> Field:
    return Field(name, "string", description, source, required=required, pattern=_ID_PATTERN, hint=_ID_HINT)


def _category(name: str, vocabulary: tuple, description: str, source: str) -> Field:
    hint = (
        "write one of the listed words; 'unknown' if the account says it is not known, 'not_stated' if it says nothing"
    )
    return Field(name, "string", description, source, required=True, enum=vocabulary, hint=hint)


def _count_fields(name: str, label: str) -> list[Field]:
    claim = Field(
        f"{name}_claim",
        "string",
        f"Whether the account gives a figure for {label}: 'figure' (see the low/best/high columns), "
        "'unknown' (it says the number is not known) or 'not_stated' (it does not speak to it).",
        "the account",
        required=True,
        enum=COUNT_CLAIMS,
        hint="write 'figure' when the account gives a number, otherwise 'unknown' or 'not_stated'",
    )
    numbers = [
        Field(
            f"{name}_{bound}",
            "integer",
            f"{label.capitalize()}, {bound} figure the account gives (empty unless the claim is 'figure').",
            "the account",
            minimum=0,
            hint="write a whole number of 0 or more, or leave it empty when the account gives no such figure",
        )
        for bound in ("low", "best", "high")
    ]
    return [claim, *numbers]


# --- compared attributes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrases:
    """The words the narrative (:mod:`ddj.narrative`) uses for one attribute's claims.

    Every phrase is optional: an attribute without phrases is still written, as a detail ("gave the
    <label> as <value>"), so a new attribute needs none to appear in the narrative.

    Parameters
    ----------
    clause
        ``that`` for claims said as clauses ("said that the cause was a technical failure") or
        ``detail`` for claims given as details ("gave the place as Idlib").
    template
        The clause for a claimed value: ``{value}`` is the value in words (from ``words``),
        ``{party}`` the value as a party's name and ``{was}`` its verb ("was" or "were").
    words
        With ``template``, the words for vocabulary values ("technical_failure" -> "a technical
        failure"); without it, whole clauses per value ("yes" -> "the aircraft came under hostile fire").
    unknown
        The clause when the account says the answer is not known.
    nouns
        For counts: (singular, plural, verb), as in ("crew member", "crew members", "killed").
    none_noun
        A value "none <verb>" is a claim that no <none_noun> was <verb> ("none destroyed": "no aircraft
        was destroyed"), not a value of the attribute.
    short_label
        The label in sentences about changed claims, when shorter than the attribute's label.
    column_words
        A reader's words for the attribute's columns, used when curators' notes name them
        (``{"claimed_date": "the date given"}``, see :func:`ddj.narrative.plain.plain_words`).
    """

    clause: str = "detail"
    template: str = ""
    words: Mapping[str, str] = field(default_factory=dict, hash=False)
    unknown: str = ""
    nouns: tuple[str, str, str] | None = None
    none_noun: str = ""
    short_label: str = ""
    column_words: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Attribute:
    """One attribute that accounts make claims about and the comparison sets side by side.

    Everything ddj knows about the attribute is here: its account columns (and so the Table Schema and
    the validator), how the comparison reads it (``kind``), its words for readers (``label``,
    ``phrases``) and how often the synthetic data's accounts speak to it (``speaks``).

    Parameters
    ----------
    name
        The attribute's name in comparison output (``cause``, ``crew_killed``...).
    kind
        ``category`` (one word of a vocabulary), ``count`` (low/best/high numbers compared as
        ranges), ``text`` (free text; two claims fit when one is the other less specific, see
        :func:`ddj.compare.claims.words_fit`), ``date`` (an ISO date, or ``unknown``/``not_stated``),
        or ``place`` (country and place text; only the countries are judged).
    label
        Words for a reader, used in tables, charts and narrative.
    fields
        The account columns that carry the claim, as the Table Schema declares them.
    phrases
        The narrative's words for the attribute's claims.
    speaks
        The chance that an official and an unofficial synthetic account speak to the attribute
        (:mod:`ddj.synth`).
    """

    name: str
    kind: str
    label: str
    fields: tuple[Field, ...]
    phrases: Phrases = field(default_factory=Phrases)
    speaks: tuple[float, float] = (0.5, 0.5)

    @property
    def columns(self) -> tuple[str, ...]:
        """The account columns that carry the claim (a count's claim column first)."""
        return tuple(f.name for f in self.fields)

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """The words a category claim takes (empty for other kinds)."""
        return tuple(self.fields[0].enum) if self.kind == "category" else ()


def category_attribute(
    name: str,
    label: str,
    vocabulary: tuple[str, ...],
    description: str,
    *,
    phrases: Phrases | None = None,
    speaks: tuple[float, float] = (0.5, 0.5),
) -> Attribute:
    """A compared attribute whose claims are one word of ``vocabulary``, in the account column ``name``.

    Parameters
    ----------
    name, label
        The attribute's name (and column) and its words for readers.
    vocabulary
        The words a claim takes, ``unknown`` and ``not_stated`` among them.
    description
        What the column holds, for the Table Schema and datasheet.
    phrases, speaks
        See :class:`Attribute`.
    """
    return Attribute(
        name,
        "category",
        label,
        (_category(name, vocabulary, description, "the account"),),
        phrases or Phrases(),
        speaks,
    )


def count_attribute(
    name: str, label: str, counted: str, *, phrases: Phrases | None = None, speaks: tuple[float, float] = (0.5, 0.5)
) -> Attribute:
    """A compared attribute whose claims are counts: ``<name>_claim`` and low/best/high figures.

    Parameters
    ----------
    name, label
        The attribute's name (the columns' stem) and its words for readers.
    counted
        What is counted, for the columns' descriptions ("people injured").
    phrases, speaks
        See :class:`Attribute`.
    """
    return Attribute(name, "count", label, tuple(_count_fields(name, counted)), phrases or Phrases(), speaks)


def text_attribute(
    name: str,
    label: str,
    column: str,
    description: str,
    hint: str,
    *,
    phrases: Phrases | None = None,
    speaks: tuple[float, float] = (0.5, 0.5),
) -> Attribute:
    """A compared attribute whose claims are free text in the account column ``column``.

    Parameters
    ----------
    name, label
        The attribute's name and its words for readers.
    column
        The account column (``claimed_aircraft`` for ``aircraft``).
    description, hint
        What the column holds, and how to fix a bad value.
    phrases, speaks
        See :class:`Attribute`.
    """
    column_field = Field(column, "string", description, "the account", required=True, hint=hint)
    return Attribute(name, "text", label, (column_field,), phrases or Phrases(), speaks)


COMPARED_ATTRIBUTES: tuple[Attribute, ...] = (
    category_attribute(
        "cause",
        "cause",
        CAUSES,
        "What the account says caused the loss.",
        phrases=Phrases(
            "that",
            "the cause was {value}",
            {
                "hostile_fire": "hostile fire",
                "friendly_fire": "friendly fire",
                "technical_failure": "a technical failure",
                "pilot_error": "pilot error",
                "accident": "an accident",
                "ground_attack": "an attack on the ground",
                "other": "something other than the usual causes",
            },
            unknown="the cause was not known",
        ),
        speaks=(0.9, 0.6),
    ),
    category_attribute(
        "hostile_fire",
        "hostile fire",
        YES_NO,
        "Whether the account says the aircraft came under hostile fire.",
        phrases=Phrases(
            "that",
            words={"yes": "the aircraft came under hostile fire", "no": "the aircraft did not come under hostile fire"},
            unknown="it was not known whether the aircraft came under hostile fire",
        ),
        speaks=(0.7, 0.6),
    ),
    text_attribute(
        "responsible_party",
        "responsible party",
        "responsible_party",
        "Who the account says brought the aircraft down or is to blame; 'unknown' or 'not_stated' when it names "
        "no one.",
        "name the party, or write 'unknown' or 'not_stated'",
        phrases=Phrases(
            "that",
            "{party} {was} responsible",
            unknown="it was not known who was responsible",
            column_words={"responsible_party": "the party held responsible"},
        ),
        speaks=(0.5, 0.5),
    ),
    count_attribute(
        "crew_killed",
        "crew killed",
        "crew killed",
        phrases=Phrases("that", nouns=("crew member", "crew members", "killed")),
        speaks=(0.7, 0.6),
    ),
    count_attribute(
        "others_killed",
        "others killed",
        "others killed (passengers, rescuers, people on the ground)",
        phrases=Phrases("that", nouns=("other person", "other people", "killed")),
        speaks=(0.3, 0.4),
    ),
    count_attribute(
        "injured",
        "injured",
        "people injured",
        phrases=Phrases("that", nouns=("person", "people", "injured")),
        speaks=(0.3, 0.4),
    ),
    Attribute(
        "place",
        "place",
        "place",
        (
            Field(
                "claimed_country",
                "string",
                "Country (or whose airspace or waters) the account places the event "
                "in; 'unknown' or 'not_stated' when it does not.",
                "the account",
                required=True,
                hint="name the country, or write 'unknown' or 'not_stated'",
            ),
            Field(
                "claimed_place",
                "string",
                "Place the account names, in its words translated; 'unknown' or 'not_stated' when it names none.",
                "the account",
                required=True,
                hint="name the place, or write 'unknown' or 'not_stated'",
            ),
        ),
        Phrases(column_words={"claimed_country": "the country given", "claimed_place": "the place given"}),
        speaks=(0.85, 0.8),
    ),
    Attribute(
        "date",
        "date",
        "date",
        (
            Field(
                "claimed_date",
                "string",
                "Date the account gives for the event (YYYY-MM-DD), or 'unknown' or 'not_stated'.",
                "the account",
                required=True,
                pattern=_DATE_CLAIM_PATTERN,
                hint="write the date as YYYY-MM-DD, or 'unknown' or 'not_stated'",
            ),
        ),
        Phrases(column_words={"claimed_date": "the date given"}),
        speaks=(0.9, 0.6),
    ),
    text_attribute(
        "aircraft",
        "aircraft",
        "claimed_aircraft",
        "Aircraft type the account names; 'unknown' or 'not_stated' when it names none.",
        "name the aircraft type, or write 'unknown' or 'not_stated'",
        phrases=Phrases(none_noun="aircraft", column_words={"claimed_aircraft": "the aircraft named"}),
        speaks=(0.9, 0.7),
    ),
    category_attribute(
        "follow_on_operation",
        "follow-on operation acknowledged",
        YES_NO,
        "Whether the account says a follow-on military operation (such as retaliatory strikes) took place.",
        phrases=Phrases(
            "that",
            words={
                "yes": "a follow-on military operation took place",
                "no": "no follow-on military operation took place",
            },
            unknown="it was not known whether a follow-on military operation took place",
            short_label="follow-on operation",
            column_words={"follow_on_operation": "a follow-on operation"},
        ),
        speaks=(0.15, 0.3),
    ),
)
"""Every attribute the comparison sets official against unofficial claims on, in display order.

This tuple is the one place an attribute is declared: the accounts' Table Schema, the validator, the
comparison, the charts, the narrative and the synthetic data all read it. To add an attribute, add one
entry (with :func:`category_attribute`, :func:`count_attribute`, :func:`text_attribute` or
:class:`Attribute`), then regenerate the shipped packages' ``datapackage.json`` and give their accounts
the new columns (``tests/test_model_attribute.py`` shows the whole pipeline taking a new attribute)."""

COUNT_ATTRIBUTES = tuple(a.name for a in COMPARED_ATTRIBUTES if a.kind == "count")


def attribute(name: str) -> Attribute:
    """Return the compared attribute called ``name``.

    Examples
    --------
    >>> attribute("crew_killed").columns[0]
    'crew_killed_claim'

    The count claim's first column says whether the account gives a figure at all.
    """
    for item in COMPARED_ATTRIBUTES:
        if item.name == name:
            return item
    names = ", ".join(a.name for a in COMPARED_ATTRIBUTES)
    msg = f"no compared attribute called {name!r}; the attributes are: {names}"
    raise KeyError(msg)


def no_claims(blank: object = None) -> dict[str, object]:
    """Every compared column of an account saying nothing: ``not_stated``, and ``blank`` for count figures.

    Examples
    --------
    >>> row = no_claims("")
    >>> row["cause"], row["crew_killed_claim"], row["crew_killed_best"]
    ('not_stated', 'not_stated', '')

    A neutral account row, for fixtures and importers: it claims nothing about any attribute.
    """
    row: dict[str, object] = {}
    for item in COMPARED_ATTRIBUTES:
        for column in item.fields:
            row[column.name] = blank if column.type == "integer" else NOT_STATED
    return row


INCIDENT_FIELDS: tuple[Field, ...] = (
    _id("incident_id", "Our identifier for the incident; stable once published.", "assigned by the curator"),
    Field("title", "string", "A short name for the incident, in our words.", "written by the curator", required=True),
    Field(
        "date_start",
        "date",
        "First day the incident may have happened (YYYY-MM-DD).",
        "the accounts",
        required=True,
        hint="write the date as YYYY-MM-DD",
    ),
    Field(
        "date_end",
        "date",
        "Last day the incident may have happened; the same as date_start for a known day.",
        "the accounts",
        required=True,
        hint="write the date as YYYY-MM-DD, not earlier than date_start",
    ),
    Field(
        "date_precision",
        "integer",
        "How exactly the date is known, UCDP's date_prec: "
        + "; ".join(f"{k} = {v}" for k, v in DATE_PRECISION.items())
        + ".",
        "judged by the curator from the accounts",
        minimum=1,
        maximum=5,
        hint="write a whole number from 1 (exact day) to 5 (within a year)",
    ),
    Field(
        "country",
        "string",
        "Country where it happened (or over whose waters), in English.",
        "the accounts",
        required=True,
    ),
    Field("region", "string", "First-level administrative region (province, governorate), if known.", "the accounts"),
    Field("place", "string", "Nearest named place, air base or sea area, if known.", "the accounts"),
    Field(
        "latitude",
        "number",
        "Latitude in decimal degrees (WGS84), as precise as location_precision says.",
        "the curator, from the place named in the accounts",
        minimum=-90,
        maximum=90,
        hint="write decimal degrees between -90 and 90, or leave empty",
    ),
    Field(
        "longitude",
        "number",
        "Longitude in decimal degrees (WGS84).",
        "the curator, from the place named in the accounts",
        minimum=-180,
        maximum=180,
        hint="write decimal degrees between -180 and 180, or leave empty",
    ),
    Field(
        "location_precision",
        "integer",
        "How exactly the place is known, UCDP's where_prec: "
        + "; ".join(f"{k} = {v}" for k, v in LOCATION_PRECISION.items())
        + ".",
        "judged by the curator from the accounts",
        minimum=1,
        maximum=7,
        hint="write a whole number from 1 (exact) to 7 (over water or international airspace)",
    ),
    Field(
        "aircraft_model",
        "string",
        "Aircraft type as most accounts give it (for example Mi-8AMTSh).",
        "the accounts",
        required=True,
    ),
    Field(
        "aircraft_category",
        "string",
        "Broad class of the aircraft.",
        "the curator",
        required=True,
        enum=AIRCRAFT_CATEGORIES,
        hint="write one of the listed categories",
    ),
    Field(
        "aircraft_count",
        "integer",
        "How many aircraft the incident involves, where known.",
        "the accounts",
        minimum=0,
        hint="write a whole number, or leave empty when unknown",
    ),
    Field(
        "operator",
        "string",
        "The force that operated the aircraft: the party whose statements count as official.",
        "the accounts",
        required=True,
    ),
    Field(
        "event_type",
        "string",
        "What kind of event it was.",
        "the curator, from the accounts",
        required=True,
        enum=EVENT_TYPES,
        hint="write one of the listed event types",
    ),
    _id(
        "related_incident_id",
        "Another incident this one belongs with (for example the shoot-down a strike campaign followed).",
        "the curator",
        required=False,
    ),
    Field(
        "relation",
        "string",
        "How this incident relates to related_incident_id: follow_on (came after and because "
        "of it), context (background to it), same_event.",
        "the curator",
        enum=RELATIONS,
        hint="write follow_on, context or same_event, or leave empty when there is no related incident",
    ),
    Field(
        "summary",
        "string",
        "What happened, in our own words; never a copied sentence.",
        "written by the curator",
        required=True,
    ),
    Field(
        "uncertainty",
        "string",
        "What about the incident is uncertain or disputed, in our words.",
        "written by the curator",
    ),
)

SOURCE_FIELDS: tuple[Field, ...] = (
    _id("source_id", "Our identifier for the source.", "assigned by the curator"),
    Field(
        "name", "string", "The outlet, organisation, office or group, as it names itself.", "the source", required=True
    ),
    Field(
        "kind",
        "string",
        "What kind of source it is.",
        "the curator",
        required=True,
        enum=SOURCE_KINDS,
        hint="write one of the listed kinds",
    ),
    Field("country", "string", "Country the source is based in or speaks for, if known.", "the source"),
    Field("notes", "string", "Anything a reader should know about the source.", "written by the curator"),
)

ACCOUNT_FIELDS: tuple[Field, ...] = (
    _id("account_id", "Our identifier for the account.", "assigned by the curator"),
    _id("incident_id", "The incident the account is about (see incidents).", "the curator"),
    _id("source_id", "The source that made the claim (see sources).", "the curator"),
    Field("speaker", "string", "The person or office that spoke, when the source names one.", "the account"),
    Field(
        "published_date",
        "date",
        "Day the account was first made public (YYYY-MM-DD).",
        "the account",
        required=True,
        hint="write the date as YYYY-MM-DD",
    ),
    Field(
        "side",
        "string",
        "official: the operator of the aircraft (its military or government); unofficial: "
        "everyone else, including the other side.",
        "the curator",
        required=True,
        enum=SIDES,
        hint="write official or unofficial",
    ),
    *(column for item in COMPARED_ATTRIBUTES for column in item.fields),
    Field(
        "statement",
        "string",
        "What the account says, paraphrased in our own words; never a copied sentence.",
        "written by the curator from the account",
        required=True,
    ),
    Field(
        "reported_in",
        "string",
        "The publication through which we know the account (outlet, title, date).",
        "the curator",
    ),
    Field(
        "url",
        "string",
        "Link to the account; left empty unless verified.",
        "the curator",
        hint="write a full http:// or https:// address, or leave it empty",
    ),
    Field(
        "archive_url",
        "string",
        "Link to an archived copy; left empty unless verified.",
        "the curator",
        hint="write a full http:// or https:// address, or leave it empty",
    ),
    Field(
        "accessed_date",
        "date",
        "Day the curator last read the account.",
        "the curator",
        hint="write the date as YYYY-MM-DD",
    ),
    Field(
        "origin",
        "string",
        "Who the information first came from, so that repeats of one original are "
        "recognisable (for example 'Russian Ministry of Defence' or a named local outlet).",
        "the account",
        required=True,
    ),
    _id(
        "supersedes_account_id",
        "The earlier account from the same source that this one replaces, when the source changed its story.",
        "the curator",
        required=False,
    ),
    Field(
        "certainty",
        "string",
        "reported: the account is on the record as described; uncertain: the curator is "
        "not sure of some detail of the row (say which in notes).",
        "the curator",
        required=True,
        enum=CERTAINTY,
        hint="write reported or uncertain",
    ),
    Field("notes", "string", "Curator's notes: what is uncertain, how the claim was read.", "written by the curator"),
)

OVERRIDE_FIELDS: tuple[Field, ...] = (
    _id("override_id", "Our identifier for the editor's decision.", "assigned by the editor"),
    Field(
        "target_table",
        "string",
        "What the decision changes: incidents, accounts or grades.",
        "the editor",
        required=True,
        enum=OVERRIDE_TABLES,
        hint="write incidents, accounts or grades",
    ),
    _id("target_id", "The id of the row changed (an incident id for grades).", "the editor"),
    Field("field", "string", "The field changed (for grades: grade).", "the editor", required=True),
    Field("value", "string", "The new value.", "the editor", required=True),
    Field("editor", "string", "Who decided.", "the editor", required=True),
    Field(
        "decided_on",
        "date",
        "When the decision was made.",
        "the editor",
        required=True,
        hint="write the date as YYYY-MM-DD",
    ),
    Field("reason", "string", "Why, in a sentence a reader can see.", "the editor", required=True),
)


@dataclass(frozen=True)
class ResourceModel:
    """One resource of an incident dataset: its name, file, fields, keys and whether it may be empty."""

    name: str
    fields: tuple[Field, ...]
    primary_key: str
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (field, resource, resource field)
    may_be_empty: bool = False
    description: str = ""

    @property
    def field_names(self) -> tuple[str, ...]:
        """The names of the resource's fields, in schema order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        """The field called ``name`` (``StopIteration`` if the resource has none)."""
        return next(f for f in self.fields if f.name == name)


INCIDENT_RESOURCES: tuple[ResourceModel, ...] = (
    ResourceModel(
        "incidents",
        INCIDENT_FIELDS,
        "incident_id",
        (("related_incident_id", "incidents", "incident_id"),),
        description="One row per event: an aircraft lost or damaged, a strike campaign, a related context event.",
    ),
    ResourceModel(
        "sources",
        SOURCE_FIELDS,
        "source_id",
        description="One row per outlet, office, organisation or group that made claims.",
    ),
    ResourceModel(
        "accounts",
        ACCOUNT_FIELDS,
        "account_id",
        (
            ("incident_id", "incidents", "incident_id"),
            ("source_id", "sources", "source_id"),
            ("supersedes_account_id", "accounts", "account_id"),
        ),
        description="One row per claim by one source about one incident at one time.",
    ),
    ResourceModel(
        "overrides",
        OVERRIDE_FIELDS,
        "override_id",
        may_be_empty=True,
        description="Editors' decisions as data: what was changed, by whom, when and why.",
    ),
)


def resource_model(name: str) -> ResourceModel:
    """Return the model of the incident resource called ``name`` (incidents, sources, accounts, overrides)."""
    for item in INCIDENT_RESOURCES:
        if item.name == name:
            return item
    msg = f"no incident resource called {name!r}"
    raise KeyError(msg)


# --- package properties -------------------------------------------------------------------------

OFFICIAL_SEARCH_FIELDS: tuple[Field, ...] = (
    Field(
        "searched",
        "boolean",
        "Whether the curators searched for official statements on the dataset's incidents: true only where "
        "someone looked for the operator's statements, so that finding none is a finding.",
        "the curators' own record of their work",
        required=True,
    ),
    Field(
        "on",
        "date",
        "When the search was made (YYYY-MM-DD); required with searched true, and with searched_incidents.",
        "the curators' own record of their work",
    ),
    Field("note", "string", "How and where the curators searched, in a sentence.", "the curators"),
    Field(
        "not_searched",
        "array",
        "With searched true: the incident ids where nobody searched.",
        "the curators' own record of their work",
    ),
    Field(
        "searched_incidents",
        "array",
        "With searched false: the only incident ids where someone did search (on the date given).",
        "the curators' own record of their work",
    ),
)
"""The ``official_search`` property of an incident package, in the ``ddj`` block of ``datapackage.json``
(a property of the package, not a column: every incident CSV keeps the same schema)::

    "ddj": {"kind": "incidents", "official_search": {"searched": true, "on": "2026-12-05", "note": "..."}}

An incident that unofficial accounts report and no official account speaks of is the operator's
*silence* (comparison status ``official_silent``; "has not publicly acknowledged") only where a
search was declared; elsewhere it is ``no_official_record`` ("no official account recorded").
A package without the property has not declared a search and is read as not searched
(validation lists a caveat); imported monitor exports are written with ``"searched": false``
unless ``ddj import ... --official-searched DATE`` says otherwise. Read and checked by
:func:`ddj.datasets.official_search.read_official_search`."""
