"""Synthetic incident packages for tests and benchmarks, built with polars expressions.

:func:`write_synthetic` writes a package that :func:`ddj.load` validates, with the structure of real
reporting: several accounts per incident on both sides, contradictions, incidents the operator never
spoke of (official silence), incidents only the operator spoke of, official accounts superseded by
later ones from the same source (denial, then admission), unofficial outlets repeating one original
origin, counts given as single figures and as ranges, text written with varying case and spacing,
and a few editors' grade overrides.

Randomness comes from a counter-based generator (SplitMix64) written as polars integer
expressions, so the output depends only on the seed and the number of incidents: the same call
writes the same bytes, on any machine, without numpy.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl

from ddj.datasets.schema import incident_package_descriptor, write_descriptor
from ddj.datasets.storage import write_table
from ddj.errors import InvalidValueError
from ddj.model import COMPARED_ATTRIBUTES, INCIDENT_RESOURCES, NO_CLAIM, Attribute

__all__ = ["FORMATS", "synthetic_tables", "write_synthetic"]

FORMATS = ("parquet", "csv")

_U64 = pl.UInt64
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_MASK64 = (1 << 64) - 1
_EPOCH = dt.date(2015, 9, 30)

# (country, region, place, latitude, longitude, location precision)
_PLACES = (
    ("Syria", "Idlib", "near Saraqib", 35.86, 36.80, 2),
    ("Syria", "Idlib", "Abu al-Duhur air base", 35.73, 37.10, 1),
    ("Syria", "Latakia", "Hmeimim air base", 35.41, 35.95, 1),
    ("Syria", "Latakia", "Turkmen Mountains", 35.80, 35.90, 3),
    ("Syria", "Homs", "east of Palmyra", 34.56, 38.27, 2),
    ("Syria", "Homs", "near Homs", 34.73, 36.71, 3),
    ("Syria", "Hama", "near Kafr Nabudah", 35.43, 36.52, 2),
    ("Syria", "Aleppo", "south-west of Aleppo", 36.15, 37.05, 3),
    ("Syria", "Al-Hasakah", "Al-Hasakah governorate", 36.50, 40.75, 4),
    ("Syria", "Deir ez-Zor", "near Abu Kamal", 34.45, 40.92, 2),
    ("Mediterranean Sea", None, "off the Syrian coast", 35.50, 35.40, 7),
    ("Mediterranean Sea", None, "near the carrier group", 34.10, 33.90, 7),
    ("Turkey", "Hatay", "near Yayladag", 35.90, 36.06, 2),
    ("Russia", "Krasnodar", "Black Sea off Sochi", 43.55, 39.60, 7),
)
_AIRCRAFT = (
    ("Su-24M", "bomber"),
    ("Su-25SM", "attack"),
    ("Su-34", "fighter"),
    ("Su-33", "fighter"),
    ("MiG-29KR", "fighter"),
    ("Mi-8AMTSh", "helicopter"),
    ("Mi-28N", "helicopter"),
    ("Mi-35M", "helicopter"),
    ("Ka-52", "helicopter"),
    ("An-26", "transport"),
    ("Il-20M", "special_mission"),
    ("Tu-154B-2", "transport"),
)
_EVENTS = ("shoot_down", "crash", "emergency_landing", "ground_attack", "airstrike", "strike_campaign", "other")
_EVENT_WEIGHTS = (30, 25, 10, 10, 10, 10, 5)
# Causes a claim can name (the vocabulary without unknown/not_stated).
_CAUSES = ("hostile_fire", "friendly_fire", "technical_failure", "pilot_error", "accident", "ground_attack", "other")
# The cause most likely behind each event type, by index into _CAUSES.
_EVENT_CAUSE = (0, 2, 2, 5, 0, 0, 6)
_PARTIES = (
    "Turkish Air Force",
    "Islamic State",
    "Hayat Tahrir al-Sham",
    "Syrian air defence",
    "Israeli Air Force",
    "unidentified rebels",
    "Jaish al-Izza",
    "Russian Air Force",
)
_OFFICIAL_SOURCES = (
    ("ru-mod", "Ministry of Defence of the Russian Federation", "official_military", "Russia"),
    (
        "ru-reconciliation-centre",
        "Russian Center for Reconciliation of the Opposing Parties in Syria",
        "official_military",
        "Russia",
    ),
    ("ru-mfa", "Ministry of Foreign Affairs of the Russian Federation", "official_government", "Russia"),
    ("ru-presidency", "President of the Russian Federation", "official_government", "Russia"),
)
_UNOFFICIAL_KINDS = (
    ("local_media", "Syria"),
    ("independent_media", None),
    ("monitor_ngo", "United Kingdom"),
    ("social_media", "Syria"),
    ("armed_group", "Syria"),
    ("foreign_government", "Turkey"),
    ("state_media", "Syria"),
)
_N_UNOFFICIAL = 28
#: The compared attributes, in the model's order; each carries the chance that an official / unofficial
#: account speaks to it (``Attribute.speaks``).
_ATTRS = tuple(a.name for a in COMPARED_ATTRIBUTES)
#: The incident-level "truth" each count attribute with a story scatters around; other counts draw their own.
_COUNT_TRUTH = {"crew_killed": "_crew", "others_killed": "_others", "injured": "_injured"}
#: Attributes that both accounts of a changed story (a denial, then an admission) speak to.
_CHANGED_STORY = ("cause", "hostile_fire")


# --- the generator ------------------------------------------------------------------------------


def _mix(z: pl.Expr) -> pl.Expr:
    """SplitMix64's finaliser: a well-mixed unsigned 64-bit integer from any 64-bit integer."""
    z = z + pl.lit(_GOLDEN, dtype=_U64)
    z = z.xor(z // (1 << 30)) * pl.lit(_MIX1, dtype=_U64)
    z = z.xor(z // (1 << 27)) * pl.lit(_MIX2, dtype=_U64)
    return z.xor(z // (1 << 31))


def _mix_int(z: int) -> int:
    """:func:`_mix` on a Python integer: the same 64-bit arithmetic, wrapping as polars' ``UInt64`` does.

    >>> import polars as pl
    >>> all(pl.select(_mix(pl.lit(z, dtype=pl.UInt64))).item() == _mix_int(z) for z in (0, 12345, (1 << 64) - 1))
    True
    """
    z = (z + _GOLDEN) & _MASK64
    z = ((z ^ (z >> 30)) * _MIX1) & _MASK64
    z = ((z ^ (z >> 27)) * _MIX2) & _MASK64
    return z ^ (z >> 31)


class _Random:
    """Streams of random numbers keyed by (seed, stream, row key); every draw is an expression."""

    def __init__(self, seed: int) -> None:
        self._seed = int(seed) % (1 << 64)

    def bits(self, key: pl.Expr, stream: int) -> pl.Expr:
        # The stream's base depends on the seed and the stream only: computed here, not as an expression. As an
        # expression (a mix of literals, each step naming its input twice) it made every query's plan grow, and
        # polars took about 0.5 s to plan the draws of even 20 incidents (0.1 s now; the same numbers).
        base = _mix_int((self._seed + stream * _GOLDEN) & _MASK64)
        return _mix(key.cast(_U64) * pl.lit(_MIX2, dtype=_U64) + pl.lit(base, dtype=_U64))

    def uniform(self, key: pl.Expr, stream: int) -> pl.Expr:
        """A float in [0, 1)."""
        return (self.bits(key, stream) // (1 << 11)).cast(pl.Float64) / float(1 << 53)

    def below(self, key: pl.Expr, stream: int, n: int) -> pl.Expr:
        """An integer in [0, n)."""
        return (self.bits(key, stream) % n).cast(pl.Int64)

    def weighted(self, key: pl.Expr, stream: int, weights: tuple[int, ...]) -> pl.Expr:
        """An index into ``weights`` drawn with those weights."""
        draw = self.below(key, stream, sum(weights))
        expr = pl.lit(len(weights) - 1, dtype=pl.Int64)
        edge = sum(weights)
        for index in range(len(weights) - 1, 0, -1):
            edge -= weights[index]
            expr = pl.when(draw < edge).then(pl.lit(index - 1, dtype=pl.Int64)).otherwise(expr)
        return expr


def _pick(index: pl.Expr, values: tuple, dtype: pl.DataType | type[pl.DataType] = pl.String) -> pl.Expr:
    """The element of ``values`` at ``index`` (an integer expression)."""
    return pl.lit(pl.Series(values, dtype=dtype)).gather(index)


def _ids(prefix: str, index: pl.Expr, width: int) -> pl.Expr:
    return pl.lit(prefix) + (index + 1).cast(pl.String).str.zfill(width)


# --- the tables ---------------------------------------------------------------------------------


def synthetic_tables(incidents: int, seed: int = 0) -> dict[str, pl.DataFrame]:
    """Return the four tables of a synthetic incident package (typed as ``ddj.load`` returns them).

    Parameters
    ----------
    incidents
        How many incidents; the accounts number about four per incident.
    seed
        The seed: the same seed and size give the same tables.

    Examples
    --------
    >>> tables = synthetic_tables(200, seed=1)
    >>> tables["incidents"].height, 600 < tables["accounts"].height < 1000
    (200, True)

    Two hundred incidents come with several hundred accounts from both sides.
    """
    if incidents < 1:
        msg = f"incidents must be 1 or more, not {incidents}"
        raise InvalidValueError(msg)
    rng = _Random(seed)
    width = max(7, len(str(incidents)))
    incident_frame, plan = _incidents(rng, incidents, width)
    accounts = _accounts(rng, plan, width)
    return {
        "incidents": incident_frame,
        "sources": _sources(),
        "accounts": accounts,
        "overrides": _overrides(rng, incident_frame, width),
    }


def _sources() -> pl.DataFrame:
    rows: list[dict[str, str | None]] = [
        {"source_id": sid, "name": name, "kind": kind, "country": country, "notes": "Synthetic source."}
        for sid, name, kind, country in _OFFICIAL_SOURCES
    ]
    for index in range(_N_UNOFFICIAL):
        kind, country = _UNOFFICIAL_KINDS[index % len(_UNOFFICIAL_KINDS)]
        rows.append(
            {
                "source_id": f"src-{index + 1:02d}",
                "name": f"Synthetic {kind.replace('_', ' ')} outlet {index + 1}",
                "kind": kind,
                "country": country,
                "notes": "Synthetic source.",
            }
        )
    return pl.DataFrame(
        rows,
        schema={"source_id": pl.String, "name": pl.String, "kind": pl.String, "country": pl.String, "notes": pl.String},
    )


def _incidents(rng: _Random, n: int, width: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The incidents table and the per-incident plan the accounts are drawn from."""
    i = pl.col("_i")
    base = pl.DataFrame({"_i": pl.int_range(0, n, eager=True, dtype=pl.Int64)})
    places = pl.DataFrame(
        {
            "_place": list(range(len(_PLACES))),
            "country": [p[0] for p in _PLACES],
            "region": [p[1] for p in _PLACES],
            "place": [p[2] for p in _PLACES],
            "_lat": [p[3] for p in _PLACES],
            "_lon": [p[4] for p in _PLACES],
            "location_precision": [p[5] for p in _PLACES],
        },
        schema_overrides={"_place": pl.Int64, "location_precision": pl.Int64},
    )
    precision = rng.weighted(i, 3, (85, 8, 5, 2))
    frame = (
        base.with_columns(
            _place=rng.below(i, 1, len(_PLACES)),
            _aircraft=rng.below(i, 2, len(_AIRCRAFT)),
            _event=rng.weighted(i, 4, _EVENT_WEIGHTS),
            date_start=pl.lit(_EPOCH) + pl.duration(days=rng.below(i, 5, 3650)),
            date_precision=precision + 1,
            _extra_days=_pick(precision, (0, 3, 6, 20), pl.Int64),
            _scenario=rng.weighted(i, 6, (50, 15, 8, 20, 7)),  # agree, silent, official only, contested, changed
            _coords=rng.uniform(i, 7) >= 0.05,
        )
        .join(places, on="_place", how="left")
        .sort("_i")
    )
    event = pl.col("_event")
    frame = frame.with_columns(
        incident_id=_ids("i", i, width),
        date_end=pl.col("date_start") + pl.duration(days=pl.col("_extra_days")),
        latitude=pl.when(pl.col("_coords")).then((pl.col("_lat") + (rng.uniform(i, 8) - 0.5) / 10).round(4)),
        longitude=pl.when(pl.col("_coords")).then((pl.col("_lon") + (rng.uniform(i, 9) - 0.5) / 10).round(4)),
        aircraft_model=_pick(pl.col("_aircraft"), tuple(a[0] for a in _AIRCRAFT)),
        aircraft_category=_pick(pl.col("_aircraft"), tuple(a[1] for a in _AIRCRAFT)),
        aircraft_count=pl.when(rng.uniform(i, 10) < 0.9).then(pl.lit(1, dtype=pl.Int64)),
        operator=pl.lit("Russian Aerospace Forces"),
        event_type=_pick(event, _EVENTS),
        # A strike campaign follows the incident before it (a shoot-down, say).
        related_incident_id=pl.when((event == 5) & (i > 0)).then(_ids("i", i - 1, width)),
        relation=pl.when((event == 5) & (i > 0)).then(pl.lit("follow_on")),
        uncertainty=pl.lit(None, dtype=pl.String),
    ).with_columns(
        title=pl.concat_str(
            [
                pl.lit("Synthetic "),
                pl.col("aircraft_model"),
                pl.lit(" "),
                pl.col("event_type"),
                pl.lit(" "),
                pl.col("incident_id"),
            ]
        ),
        summary=pl.lit("A synthetic incident for tests and benchmarks."),
    )
    incidents = frame.select(f.name for f in INCIDENT_RESOURCES[0].fields)
    plan = frame.select(
        "_i",
        "incident_id",
        "date_start",
        "country",
        "place",
        "aircraft_model",
        "_event",
        "_scenario",
        # What "really" happened, as the accounts' claims scatter around it.
        _cause=pl.when(pl.col("_scenario") == 4).then(0).otherwise(_pick(event, _EVENT_CAUSE, pl.Int64)),
        _party=rng.below(i, 11, len(_PARTIES)),
        _crew=rng.below(i, 12, 4),
        _others=pl.when(rng.uniform(i, 13) < 0.3).then(rng.below(i, 14, 40)).otherwise(0),
        _injured=rng.below(i, 15, 6),
        _follow=rng.uniform(i, 16) < 0.15,
        # The attributes an official account gets wrong in a contested incident.
        _bent1=rng.below(i, 17, len(_ATTRS)),
        _bent2=pl.when(rng.uniform(i, 18) < 0.5).then(rng.below(i, 19, len(_ATTRS))).otherwise(-1),
        _n_off=pl.when(pl.col("_scenario") == 1)
        .then(0)
        .otherwise(1 + (rng.uniform(i, 20) < 0.3).cast(pl.Int64) + (pl.col("_scenario") == 4).cast(pl.Int64)),
        _n_unoff=pl.when(pl.col("_scenario") == 2).then(0).otherwise(1 + rng.below(i, 21, 5)),
        _lead=rng.below(i, 22, _N_UNOFFICIAL),
    )
    return incidents, plan


def _accounts(rng: _Random, plan: pl.DataFrame, width: int) -> pl.DataFrame:
    n_accounts = pl.col("_n_off") + pl.col("_n_unoff")
    rows = (
        plan.with_columns(_slot=pl.int_ranges(0, n_accounts, dtype=pl.Int64))
        .explode("_slot")
        .filter(pl.col("_slot").is_not_null())
        .with_row_index("_a")
        .with_columns(pl.col("_a").cast(pl.Int64))
    )
    a = pl.col("_a")
    slot = pl.col("_slot")
    official = slot < pl.col("_n_off")
    changed = pl.col("_scenario") == 4
    contested = pl.col("_scenario") == 3
    # In a changed incident the first official account is a denial that the second (same source) replaces.
    denial = changed & (slot == 0)
    admission = changed & (slot == 1)
    first_unofficial = slot == pl.col("_n_off")
    repeat = ~official & ~first_unofficial & (rng.uniform(a, 30) < 0.35)
    own_source = rng.below(a, 31, _N_UNOFFICIAL)
    unofficial_source = pl.when(first_unofficial).then(pl.col("_lead")).otherwise(own_source)
    official_source = pl.when(changed & (slot <= 1)).then(0).otherwise(rng.weighted(a, 32, (60, 20, 12, 8)))
    unofficial_names = tuple(
        f"Synthetic {_UNOFFICIAL_KINDS[k % len(_UNOFFICIAL_KINDS)][0].replace('_', ' ')} outlet {k + 1}"
        for k in range(_N_UNOFFICIAL)
    )
    delay = pl.when(official).then(rng.below(a, 33, 4)).otherwise(rng.below(a, 34, 6))
    published = pl.col("date_start") + pl.duration(days=delay)
    frame = rows.with_columns(
        account_id=_ids("a", a, width + 1),
        side=pl.when(official).then(pl.lit("official")).otherwise(pl.lit("unofficial")),
        source_id=pl.when(official)
        .then(_pick(official_source, tuple(s[0] for s in _OFFICIAL_SOURCES)))
        .otherwise(pl.lit("src-") + (unofficial_source + 1).cast(pl.String).str.zfill(2)),
        origin=pl.when(official)
        .then(_pick(official_source, tuple(s[1] for s in _OFFICIAL_SOURCES)))
        .when(repeat)
        .then(_pick(pl.col("_lead"), unofficial_names))
        .otherwise(_pick(unofficial_source, unofficial_names)),
        published_date=pl.when(admission)
        .then(pl.col("date_start") + pl.duration(days=4 + rng.below(a, 35, 30)))
        .otherwise(published),
        supersedes_account_id=pl.when(admission).then(_ids("a", a - 1, width + 1)),
        _official=official,
        _denial=denial,
        _pair=denial | admission,
        _bent=~official & (rng.uniform(a, 36) < 0.04)
        | official & contested & ~denial,  # who departs from the "truth" on the bent attributes
    )
    claims = [_claim_columns(rng, item, index) for index, item in enumerate(COMPARED_ATTRIBUTES)]
    frame = frame.with_columns([expr for group in claims for expr in group])
    frame = frame.with_columns(
        speaker=pl.lit(None, dtype=pl.String),
        statement=pl.lit("A synthetic account."),
        reported_in=pl.lit(None, dtype=pl.String),
        url=pl.when(rng.uniform(a, 40) < 0.1).then(pl.lit("https://example.org/") + pl.col("account_id")),
        archive_url=pl.lit(None, dtype=pl.String),
        accessed_date=pl.lit(None, dtype=pl.Date),
        certainty=pl.when(rng.uniform(a, 41) < 0.01).then(pl.lit("uncertain")).otherwise(pl.lit("reported")),
        notes=pl.lit(None, dtype=pl.String),
    )
    return frame.select(f.name for f in INCIDENT_RESOURCES[2].fields)


def _claim_columns(rng: _Random, item: Attribute, index: int) -> list[pl.Expr]:
    """The account columns of one attribute: what is claimed, if anything, scattered around the truth.

    The attributes of the shipped model have stories tied to the incident (the cause follows the event
    type, hostile fire the cause); any other attribute is drawn by its kind, so that every attribute of
    :data:`ddj.model.COMPARED_ATTRIBUTES` gets claims with agreements and contradictions.
    """
    name = item.name
    a = pl.col("_a")
    stream = 100 + 10 * index
    official = pl.col("_official")
    p_official, p_unofficial = item.speaks
    speaks = rng.uniform(a, stream) < pl.when(official).then(p_official).otherwise(p_unofficial)
    bent = pl.col("_bent") & ((pl.col("_bent1") == index) | (pl.col("_bent2") == index))
    denial = pl.col("_denial")
    silent = pl.when(rng.uniform(a, stream + 1) < 0.2).then(pl.lit("unknown")).otherwise(pl.lit("not_stated"))
    sloppy = rng.uniform(a, stream + 2) < 0.15  # case and spacing vary between outlets
    columns = item.columns

    def word(claim: pl.Expr) -> pl.Expr:
        # Both accounts of a changed story speak to the cause and to hostile fire.
        return pl.when(speaks | (pl.col("_pair") & (name in _CHANGED_STORY))).then(claim).otherwise(silent)

    if name == "cause":
        truth = pl.col("_cause")
        value = pl.when(denial).then(2).when(bent).then((truth + 1 + rng.below(a, stream + 3, 6)) % 7).otherwise(truth)
        return [word(_pick(value, _CAUSES)).alias(columns[0])]
    if name == "hostile_fire":
        hostile = pl.col("_cause").is_in([0, 5])
        value = pl.when(denial).then(False).when(bent).then(~hostile).otherwise(hostile)
        return [word(pl.when(value).then(pl.lit("yes")).otherwise(pl.lit("no"))).alias(columns[0])]
    if name == "responsible_party":
        party = pl.when(bent).then((pl.col("_party") + 1) % len(_PARTIES)).otherwise(pl.col("_party"))
        text = _pick(party, _PARTIES)
        text = pl.when(sloppy).then(text.str.to_lowercase().str.replace(" ", "  ")).otherwise(text)
        return [word(text).alias(columns[0])]
    if name == "aircraft":
        model = pl.col("aircraft_model")
        short = model.str.replace(r"^([A-Za-z]+-\d+).*$", "$1")
        text = pl.when(bent).then(short + pl.lit(" (two aircraft)")).when(sloppy).then(model.str.to_uppercase())
        return [word(text.otherwise(model)).alias(columns[0])]
    if name == "follow_on_operation":
        value = pl.when(bent).then(~pl.col("_follow")).otherwise(pl.col("_follow"))
        return [word(pl.when(value).then(pl.lit("yes")).otherwise(pl.lit("no"))).alias(columns[0])]
    incident = pl.col("_i")  # the same for every account of an incident: its "truth"
    if item.kind == "count":
        truth = pl.col(_COUNT_TRUTH[name]) if name in _COUNT_TRUTH else rng.below(incident, stream + 7, 6)
        best = pl.when(bent).then(truth + 2 + rng.below(a, stream + 3, 5)).otherwise(truth)
        ranged = rng.uniform(a, stream + 4) < 0.25
        spread = 1 + rng.below(a, stream + 5, 2)
        low = (best - spread).clip(lower_bound=0)
        claim = word(pl.lit("figure"))
        figure = claim == "figure"
        claim_column, low_column, best_column, high_column = columns
        return [
            claim.alias(claim_column),
            pl.when(figure & ranged).then(low).alias(low_column),
            pl.when(figure & (~ranged | (rng.uniform(a, stream + 6) < 0.5))).then(best).alias(best_column),
            pl.when(figure & ranged).then(best + spread).alias(high_column),
        ]
    if item.kind == "place":
        country = pl.when(bent).then(pl.lit("Turkey")).otherwise(pl.col("country"))
        place = pl.when(bent).then(pl.lit("near Yayladag")).otherwise(pl.col("place"))
        wide = rng.uniform(a, stream + 3) < 0.3  # a wider phrasing that still contains the place
        place = pl.when(wide & ~bent).then(pl.col("place") + pl.lit(", in ") + pl.col("country")).otherwise(place)
        only_country = rng.uniform(a, stream + 4) < 0.2
        country_column, place_column = columns
        return [
            word(country).alias(country_column),
            pl.when(only_country).then(pl.lit("not_stated")).otherwise(word(place)).alias(place_column),
        ]
    if item.kind == "date":
        day = pl.col("date_start") + pl.duration(days=pl.when(bent).then(1).otherwise(0))
        return [word(day.dt.strftime("%Y-%m-%d")).alias(columns[0])]
    if item.kind == "category":
        words = tuple(w for w in item.vocabulary if w not in NO_CLAIM)
        truth = rng.below(incident, stream + 7, len(words))
        value = pl.when(bent).then((truth + 1) % len(words)).otherwise(truth)
        return [word(_pick(value, words)).alias(columns[0])]
    if item.kind == "text":
        words = tuple(f"{item.label} {letter}" for letter in "ABCDEF")
        truth = rng.below(incident, stream + 7, len(words))
        value = pl.when(bent).then((truth + 1) % len(words)).otherwise(truth)
        text = _pick(value, words)
        return [word(pl.when(sloppy).then(text.str.to_uppercase()).otherwise(text)).alias(columns[0])]
    msg = f"synth does not know how to draw attribute {name!r} of kind {item.kind!r}"
    raise AssertionError(msg)


def _overrides(rng: _Random, incidents: pl.DataFrame, width: int) -> pl.DataFrame:
    """About one grade override per thousand incidents (at least two), some incidents overridden twice."""
    n = max(2, incidents.height // 1000)
    k = pl.int_range(0, n, dtype=pl.Int64)
    target = pl.when(k % 5 == 4).then(k - 1).otherwise(k)  # every fifth override revisits the one before
    index = rng.below(target, 50, incidents.height)
    grades = ("confirmed", "fair", "weak", "contested", "discounted")
    frame = pl.select(
        override_id=_ids("ov", k, 6),
        target_table=pl.lit("grades"),
        target_id=_ids("i", index, width),
        field=pl.lit("grade"),
        value=_pick(rng.below(k, 51, len(grades)), grades),
        editor=pl.lit("Synthetic desk editor"),
        decided_on=pl.lit(dt.date(2026, 1, 1)) + pl.duration(days=k),
        reason=pl.lit("A synthetic editor's decision, for tests."),
    )
    return frame


# --- writing ------------------------------------------------------------------------------------


def write_synthetic(out_dir: str | os.PathLike, *, incidents: int, seed: int = 0, fmt: str = "parquet") -> Path:
    """Write a synthetic incident package into ``out_dir`` and return the folder.

    Parameters
    ----------
    out_dir
        The package folder (created if missing; files in it of the same names are replaced).
    incidents
        How many incidents; about four accounts each.
    seed
        The seed; the same seed, size and format write the same files.
    fmt
        ``parquet`` (fast and compact, vocabulary columns stored as ``pl.Enum``; the default) or ``csv``.

    Examples
    --------
    >>> import tempfile, ddj
    >>> folder = write_synthetic(tempfile.mkdtemp(), incidents=50, seed=3, fmt="csv")
    >>> ddj.load(folder, warn=False).counts()["incidents"]
    50

    The package passes ddj's validation: fifty incidents, each with its accounts.
    """
    if fmt not in FORMATS:
        msg = f"format {fmt!r} is not supported; write one of: {', '.join(FORMATS)}"
        raise InvalidValueError(msg)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tables = synthetic_tables(incidents, seed)
    for name, frame in tables.items():
        write_table(frame, folder / f"{name}.{fmt}", name)  # Parquet with the model's types: loads without casts
    descriptor = incident_package_descriptor(
        f"synthetic-{incidents}-{seed}",
        title=f"Synthetic incidents ({incidents}, seed {seed})",
        description="Generated by `ddj synth` for tests and benchmarks; no row describes a real event.",
        licenses=[{"name": "CC0-1.0", "title": "Creative Commons Zero v1.0 Universal"}],
        fmt=fmt,
    )
    write_descriptor(descriptor, folder)
    return folder
