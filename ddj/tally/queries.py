"""The public tally queries: a dataset in, polars frames out.

:func:`tally` gives one row per official category as of a date, :func:`tally_series` every date of every paired
category, :func:`unmapped` the categories that pair with nothing, :func:`threshold_crossings` the first date
the official claim crossed a multiple of the documented count, :func:`coverage` the days each side covers
and the last day both do, and :func:`undated` the documented items without a date (counted apart, never dropped).

Ratios and differences compare figures of one date: beyond :data:`~ddj.tally.compare.TOLERANCE_DAYS` days
past the documented series' last day they are null (``tolerance_days=`` overrides the tolerance).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable

import polars as pl

from ddj._scalars import date_value
from ddj.datasets import Dataset, load
from ddj.datasets.tally_kind import ALL_STATUSES
from ddj.errors import InvalidValueError, NotFoundError, WrongDatasetKindError
from ddj.tally.compare import DEFAULT_THRESHOLDS, SERIES_COLUMNS, TOLERANCE_DAYS, compare
from ddj.tally.compare import threshold_crossings as _crossings
from ddj.tally.crosswalk import mapped_categories
from ddj.tally.crosswalk import unmapped as _unmapped
from ddj.tally.events import EventMapping, running_count
from ddj.tally.series import parse_date

DatasetLike = Dataset | str | os.PathLike
#: The columns of :func:`tally`, in order.
TALLY_COLUMNS = (
    "category",
    "official",
    "official_as_of",
    "documented",
    "documented_as_of",
    "documented_through",
    "days_apart",
    "destroyed",
    "damaged",
    "abandoned",
    "captured",
    "killed",
    "ratio",
    "difference",
    "revisions",
    "documented_categories",
)


def _dataset(dataset: DatasetLike) -> Dataset:
    ds = dataset if isinstance(dataset, Dataset) else load(dataset, warn=False)
    if ds.kind != "tally":
        msg = (
            f"dataset {ds.name!r} is of kind {ds.kind!r}; a tally needs a dataset of kind 'tally' "
            "(for example ukraine-equipment-losses)."
        )
        raise WrongDatasetKindError(msg)
    return ds


def _documented(ds: Dataset, documented: str | None) -> tuple[pl.DataFrame, bool]:
    """The documented series to compare with, and whether the crosswalk's validity dates apply to it."""
    block = ds.descriptor.get("ddj") or {}
    events_block = block.get("events") or {}
    events_resource = events_block.get("resource", "documented_events")
    series_resource = block.get("documented", "documented_series")
    choice = documented or ("series" if series_resource in ds.tables else "events")
    if choice == "series" and series_resource in ds.tables:
        return ds.table(series_resource), True
    if choice == "events" and events_resource in ds.tables:
        return running_count(ds.table(events_resource), EventMapping.from_descriptor(events_block)), False
    has = [
        name for name, resource in (("series", series_resource), ("events", events_resource)) if resource in ds.tables
    ]
    msg = (
        f"dataset {ds.name!r} has no documented {choice!r}; it has: {', '.join(has) or 'none'}. "
        "Ask for one of those (documented='series' or 'events')."
    )
    raise NotFoundError(msg)


def _order(ds: Dataset) -> list[str]:
    """Official categories in the crosswalk's order, then any others alphabetically."""
    declared = ds.table("crosswalk")["official_category"].drop_nulls().unique(maintain_order=True).to_list()
    others = sorted(set(ds.table("official_series")["category"].unique().to_list()) - set(declared))
    known = set(ds.table("official_series")["category"].unique().to_list())
    return [c for c in declared if c in known] + others


def _categories(ds: Dataset, categories: Iterable[str] | None, allowed: list[str]) -> list[str]:
    if categories is None:
        return allowed
    wanted = [categories] if isinstance(categories, str) else list(categories)
    unknown = [c for c in wanted if c not in allowed]
    if unknown:
        msg = (
            f"no official categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))} in "
            f"{ds.name!r}; the categories are: {', '.join(allowed)}. Spell them as the official series does."
        )
        raise NotFoundError(msg)
    return [c for c in allowed if c in wanted]


def _with_order(frame: pl.DataFrame, order: list[str], *keys: str) -> pl.DataFrame:
    rank = pl.col("category").replace_strict(order, list(range(len(order))), default=len(order))
    return frame.sort(rank, *keys)


def tally_series(
    dataset: DatasetLike,
    categories: Iterable[str] | None = None,
    *,
    documented: str | None = None,
    tolerance_days: int = TOLERANCE_DAYS,
) -> pl.DataFrame:
    """Every official date of every paired category, set against the documented count as of that date.

    Parameters
    ----------
    dataset
        A loaded tally :class:`~ddj.datasets.Dataset`, a shipped dataset's name or a package folder.
    categories
        Official category names to keep (default: every category the crosswalk pairs).
    documented
        ``"series"`` (the change-only documented series) or ``"events"`` (the running count built from the
        event list); default: the series when the dataset has one.
    tolerance_days
        The most days an official date may lie after the documented side's last day and still get a ratio and
        a difference (default :data:`~ddj.tally.compare.TOLERANCE_DAYS`).

    Returns
    -------
    polars.DataFrame
        Columns, stable for charts: ``date``, ``category`` (official), ``official``, ``official_change``
        (since the previous official date), ``revision`` (the official correction made that day, null when
        none), ``documented`` (all statuses; null when nothing was documented by then), ``documented_as_of``
        (the date of the last documented change it rests on), ``documented_through`` (the documented side's
        last day), ``days_apart`` (days the official date is later than that; 0 when covered),
        ``destroyed``, ``damaged``, ``abandoned``, ``captured``, ``ratio`` (official / documented) and
        ``difference`` (official - documented), both null beyond the tolerance. Sorted by category (the
        crosswalk's order) and date.

    Examples
    --------
    >>> s = tally_series("ukraine-equipment-losses", ["tank"])
    >>> s.filter(pl.col("date") == pl.date(2023, 5, 28)).select("official", "revision").rows()
    [(3797, None)]

    On 28 May 2023 the officials claimed 3,797 tanks; their correction of five tanks is dated the day before.
    """
    ds = _dataset(dataset)
    mapped = mapped_categories(ds.table("crosswalk"))
    order = [c for c in _order(ds) if c in mapped]
    chosen = _categories(ds, categories, order)
    frame, validity = _documented(ds, documented)
    official = ds.table("official_series").filter(pl.col("category").is_in(chosen))
    corrections = ds.tables.get("official_corrections")
    result = compare(
        official, frame, ds.table("crosswalk"), corrections, apply_validity=validity, tolerance_days=tolerance_days
    )
    return _with_order(result, order, "date").select(SERIES_COLUMNS)


def tally(
    dataset: DatasetLike,
    *,
    as_of: str | dt.date | None = None,
    categories: Iterable[str] | None = None,
    documented: str | None = None,
    tolerance_days: int = TOLERANCE_DAYS,
) -> pl.DataFrame:
    """Each official category's latest claim on or before ``as_of``, against the documented count on that day.

    Parameters
    ----------
    dataset
        A loaded tally :class:`~ddj.datasets.Dataset`, a shipped dataset's name or a package folder.
    as_of
        The date (``YYYY-MM-DD`` or a date); default: the last date of the official series.
    categories
        Official category names (default: all, the unpaired ones included with an empty documented count).
    documented
        ``"series"`` or ``"events"``, as for :func:`tally_series`.
    tolerance_days
        As for :func:`tally_series`: beyond it ``ratio`` and ``difference`` are null.

    Returns
    -------
    polars.DataFrame
        One row per official category: ``category``, ``official`` and ``official_as_of`` (the date of the
        official figure: the last on or before ``as_of``, earlier for a retired category), ``documented`` and
        ``documented_as_of`` (as of ``official_as_of``: the date of the last change it rests on),
        ``documented_through`` (the last day the documented side covers), ``days_apart`` (days
        ``official_as_of`` is later than that), the status counts the documented side uses (``destroyed``, ``damaged``,
        ``abandoned``, ``captured`` for equipment, ``killed`` for a personnel tally), ``ratio``,
        ``difference`` (both null when ``days_apart`` exceeds the tolerance), ``revisions`` (official corrections
        of the category up to ``official_as_of``) and ``documented_categories`` (the paired documented categories,
        ``; ``-separated).

    Examples
    --------
    >>> t = tally("ukraine-equipment-losses", as_of="2024-03-01", categories=["aircraft"])
    >>> t.select("official", "documented", "documented_as_of").rows()
    [(345, 105, datetime.date(2024, 2, 27))]

    On 1 March 2024 the officials claimed 345 Russian aircraft; Oryx had documented 105 by 27 February.

    >>> tally("ukraine-equipment-losses", categories=["tank"]).select("official_as_of", "days_apart", "ratio").rows()
    [(datetime.date(2026, 8, 8), 671, None)]

    The last official claim is 671 days newer than Oryx's last day, so no ratio is given; ask for a date both
    sides cover (:func:`coverage`) to compare them.
    """
    ds = _dataset(dataset)
    order = _order(ds)
    chosen = _categories(ds, categories, order)
    official = ds.table("official_series")
    day = parse_date(as_of, what="as-of date") or date_value(official["date"].max())
    first = date_value(official["date"].min())
    assert day is not None and first is not None, "a valid package's official series has dates"
    if day < first:
        msg = f"as-of date {day} is before the official series starts ({first}). Give a date from {first} on."
        raise InvalidValueError(msg)
    latest = (
        official.filter(pl.col("category").is_in(chosen) & (pl.col("date") <= day))
        .sort("date")
        .group_by("category")
        .last()
        .select("date", "category", "value")
    )
    frame, validity = _documented(ds, documented)
    corrections = ds.tables.get("official_corrections")
    compared = compare(
        latest, frame, ds.table("crosswalk"), corrections, apply_validity=validity, tolerance_days=tolerance_days
    )
    revisions = pl.DataFrame(schema={"category": pl.String, "revisions": pl.UInt32})
    if corrections is not None:
        revisions = (
            corrections.filter(pl.col("delta") != 0)
            .join(latest.select("category", pl.col("date").alias("_until")), on="category")
            .filter(pl.col("date") <= pl.col("_until"))
            .group_by("category")
            .len("revisions")
        )
    names = (
        ds.table("crosswalk")
        .filter(pl.col("documented_category").is_not_null() & pl.col("official_category").is_not_null())
        .group_by(pl.col("official_category").alias("category"), maintain_order=True)
        .agg(pl.col("documented_category").str.join("; ").alias("documented_categories"))
    )
    result = (
        compared.rename({"date": "official_as_of"})
        .join(revisions, on="category", how="left")
        .join(names, on="category", how="left")
        .with_columns(pl.col("revisions").fill_null(0).cast(pl.Int64))
    )
    used = set(frame.get_column("status").unique().to_list()) if "status" in frame.columns else set(ALL_STATUSES)
    shown = [c for c in TALLY_COLUMNS if c not in ALL_STATUSES or c in used]  # no always-empty status columns
    return _with_order(result, order).select(shown)


def coverage(dataset: DatasetLike, *, documented: str | None = None) -> dict[str, dt.date | None]:
    """The days each side covers, and the last day both cover: the date a headline comparison should use.

    Returns a dict: ``official_from``, ``official_to`` (the official series' first and last days),
    ``documented_from``, ``documented_to`` (the documented side's) and ``common_to`` (the earlier of the two
    last days; null when a side is empty).

    Examples
    --------
    >>> c = coverage("ukraine-equipment-losses")
    >>> c["official_to"], c["documented_to"], c["common_to"]
    (datetime.date(2026, 8, 8), datetime.date(2024, 10, 6), datetime.date(2024, 10, 6))

    Oryx's series stops on 6 October 2024; the General Staff's runs on to 8 August 2026.
    """
    ds = _dataset(dataset)
    official = ds.table("official_series")["date"]
    frame, _ = _documented(ds, documented)
    days = frame["date"]
    result: dict[str, dt.date | None] = {
        "official_from": date_value(official.min()),
        "official_to": date_value(official.max()),
        "documented_from": date_value(days.min()) if days.len() else None,
        "documented_to": date_value(days.max()) if days.len() else None,
    }
    official_to, documented_to = result["official_to"], result["documented_to"]
    result["common_to"] = (
        min(official_to, documented_to) if official_to is not None and documented_to is not None else None
    )
    return result


def undated(dataset: DatasetLike) -> pl.DataFrame:
    """The documented items without a date, per category and status: counted apart, never dropped.

    A running count cannot place an item without a date, so it is not in :func:`tally` or :func:`tally_series`;
    this is where it is counted, so a page can show it beside them.

    Parameters
    ----------
    dataset
        A tally dataset (name, folder or loaded).

    Returns
    -------
    polars.DataFrame
        ``category`` (null when the item has none), ``status`` and ``items``; no rows when every item has a date
        or the package has no event list.

    Examples
    --------
    >>> undated("ukraine-equipment-losses").height
    0
    """
    ds = _dataset(dataset)
    block = (ds.descriptor.get("ddj") or {}).get("events") or {}
    mapping = EventMapping.from_descriptor(block)
    empty = pl.DataFrame(schema={"category": pl.String, "status": pl.String, "items": pl.Int64})
    events = ds.tables.get(block.get("resource", "documented_events"))
    if events is None:
        return empty
    status = pl.col(mapping.status) if mapping.status else pl.lit(mapping.default_status)
    items = pl.col(mapping.count).cast(pl.Int64).sum() if mapping.count else pl.len().cast(pl.Int64)
    return (
        events.filter(pl.col(mapping.date).is_null())
        .group_by(pl.col(mapping.category).alias("category"), status.alias("status"))
        .agg(items.alias("items"))
        .sort("category", "status", nulls_last=True)
        .select(empty.columns)
        .cast(empty.schema)
    )


def unmapped(dataset: DatasetLike) -> pl.DataFrame:
    """Categories on either side that the crosswalk pairs with nothing, with their dates and the reason declared.

    Examples
    --------
    >>> u = unmapped("ukraine-equipment-losses")
    >>> u.filter(pl.col("side") == "official")["category"].to_list()
    ['cruise missiles', 'fuel tank', 'mobile SRBM system', 'submarines']

    Four official categories have no documented counterpart; the crosswalk's notes say why.
    """
    ds = _dataset(dataset)
    documented = [ds.tables[name] for name in ("documented_series", "documented_events") if name in ds.tables]
    return _unmapped(ds.table("official_series"), documented, ds.table("crosswalk"))


def threshold_crossings(series: pl.DataFrame, thresholds: Iterable[float] = DEFAULT_THRESHOLDS) -> pl.DataFrame:
    """The first date each category's official claim reached ``thresholds`` times the documented count.

    ``series`` is a frame from :func:`tally_series`; see :func:`ddj.tally.compare.threshold_crossings`.

    Examples
    --------
    >>> s = tally_series("ukraine-equipment-losses", ["helicopter"])
    >>> threshold_crossings(s, [2.0]).select("first_date", "above_at_start", "compared_from").row(0)
    (None, True, datetime.date(2022, 3, 19))

    The claim of Russian helicopters lost was already twice the documented count on 19 March 2022, the first
    day Oryx's series gives a count: that is where the comparison starts, not a crossing.
    """
    return _crossings(series, tuple(thresholds))
