"""What the Explorer shows for one filter specification: counts, a table and the charts' data, in polars.

:class:`ExplorerData` prepares, once per dataset, one frame with a row per incident (the filters'
columns from :func:`ddj.filters.incident_facts`, the status of every compared attribute, the
period each incident starts in, whether and where it can go on a map), sorted by start date.
:meth:`ExplorerData.view` then turns a :class:`~ddj.filters.FilterSpec` into a :class:`View` with
polars work on that frame only: one boolean mask, then a few small aggregations that read only the
columns they need. Nothing is reloaded or recompared, so a filter change over a million incidents
takes milliseconds (``make bench`` measures it).

No widget is imported here: the Explorer's widgets call this, and tests and the benchmark call it
directly.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from ddj.charts.grid import cell_centre, cell_key, choose_cell_size
from ddj.charts.map import PLACEABLE_PRECISION
from ddj.charts.reduce import period_for, period_label
from ddj.charts.theme import STATUS_LABELS
from ddj.compare.statuses import STATUS_CODES, STATUSES
from ddj.filters import ATTRIBUTE_STATUS_COLUMNS, FILTER_BY_NAME, FILTERS, FilterSpec, _accounts_mask, incident_facts
from ddj.model import COMPARED_ATTRIBUTES, GRADES, SIDES, SOURCE_KINDS
from ddj.search import SEARCH_COLUMN

if TYPE_CHECKING:
    from ddj.compare import Comparison
    from ddj.datasets import Dataset

__all__ = ["ACKNOWLEDGED_LANES", "MAP_STYLES", "ROW_ORDERS", "Counts", "ExplorerData", "View", "prepare_facts"]

TABLE_ROWS = 50
#: The orders the incident list can be sorted in (see :meth:`ExplorerData.rows`), with their words.
ROW_ORDERS = {
    "date": "date, earliest first",
    "-date": "date, latest first",
    "grade": "grade, best first",
    "-grade": "grade, weakest first",
    "status": "contradicted first, then no official account",
}
MATRIX_MAX_INCIDENTS = 40
MAP_MAX_POINTS = 2000
TIMELINE_MAX_BINS = 120
_PERIOD_COLUMNS = {"day": "_day", "week": "_week", "month": "_month", "quarter": "_quarter", "year": "_year"}
_PERIOD_TRUNCATE = {"week": "1w", "month": "1mo", "quarter": "1q", "year": "1y"}

#: The two lanes of the timeline: incidents the operator spoke of, and those it never did.
ACKNOWLEDGED_LANES = ("the operator spoke of it", "no official account recorded")

#: How precisely a mapped incident's place is known, by UCDP location precision (None: not recorded).
MAP_STYLES = {
    1: "exact location",
    2: "near a named place",
    3: "district or province",
    4: "district or province",
    7: "over water or in international airspace",
    None: "precision not recorded",
}

_ATTRIBUTE_LABELS = [a.label for a in COMPARED_ATTRIBUTES]
_STATUS_COLUMNS = list(ATTRIBUTE_STATUS_COLUMNS)
_CONTRADICT_BIT = 1 << STATUS_CODES["contradict"]
_MASKS_KEPT = 16
_CATEGORICAL = ("country", "region", "aircraft_model", "aircraft_category", "grade")
_HEAD_COLUMNS = (
    "incident_id",
    "title",
    "date_start",
    "place",
    "region",
    "country",
    "aircraft_model",
    "grade",
    "_statuses",
    "acknowledged",
)


@dataclass(frozen=True)
class Counts:
    """How many incidents a view keeps, and what stands out among them."""

    incidents: int
    total: int
    accounts: int
    contradicted: int
    never_acknowledged: int
    grades: dict[str, int]
    placed: int
    first: dt.date | None
    last: dt.date | None

    def as_dict(self) -> dict[str, Any]:
        """The counts as plain values (dates as ``YYYY-MM-DD``)."""
        out = dict(self.__dict__)
        out["first"] = self.first.isoformat() if self.first else None
        out["last"] = self.last.isoformat() if self.last else None
        out["grades"] = dict(self.grades)
        return out


@dataclass(frozen=True)
class View:
    """Everything the Explorer shows for one :class:`~ddj.filters.FilterSpec`, as small polars frames.

    Attributes
    ----------
    spec
        The filters.
    counts
        The counts.
    table
        The first :data:`TABLE_ROWS` matching incidents by start date: ``incident_id``, ``date``,
        ``title``, ``place``, ``aircraft``, ``grade``, ``stands_out`` (contradictions, silence).
    timeline
        Incidents per ``period`` (its first day) and ``lane`` (:data:`ACKNOWLEDGED_LANES`), with
        ``when`` (the period in words) and ``incidents``.
    period
        The timeline's period: day, week, month, quarter or year (the finest giving at most
        :data:`TIMELINE_MAX_BINS` bars).
    matrix
        ``incidents`` mode (at most :data:`MATRIX_MAX_INCIDENTS` incidents): one row per incident
        and attribute with ``incident_id``, ``incident``, ``order``, ``attribute``, ``status``,
        ``status_words``, ``official`` and ``others`` (the values each side claims). ``shares``
        mode: one row per attribute and status with ``incidents`` and ``share``.
    matrix_mode
        ``incidents`` or ``shares``.
    map
        ``points`` mode (at most :data:`MAP_MAX_POINTS` placed incidents): ``incident_id``,
        ``title``, ``date``, ``place``, ``latitude``, ``longitude``, ``precision``. ``cells`` mode:
        ``latitude``, ``longitude`` (the cell's centre) and ``incidents`` per grid cell.
    map_mode
        ``points`` or ``cells``.
    map_cell
        The grid cell's size in degrees (cells mode), else None.
    """

    spec: FilterSpec
    counts: Counts
    table: pl.DataFrame
    timeline: pl.DataFrame
    period: str
    matrix: pl.DataFrame
    matrix_mode: str
    map: pl.DataFrame
    map_mode: str
    map_cell: float | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def chart_frames(self) -> dict[str, pl.DataFrame]:
        """The data frames the charts embed, by chart."""
        return {"timeline": self.timeline, "matrix": self.matrix, "map": self.map}


class ExplorerData:
    """A dataset and its comparison, prepared once for fast views (see the module's documentation).

    Parameters
    ----------
    dataset
        A loaded incident :class:`~ddj.datasets.Dataset`.
    comparison
        Its :class:`~ddj.compare.Comparison`; computed when not given.
    facts
        The frame :func:`prepare_facts` builds from them, when prepared earlier (:mod:`ddj.widgets.shared`
        keeps it); nothing is then compared or computed again, and no frame is copied.

    Examples
    --------
    >>> import ddj
    >>> data = ExplorerData(ddj.load("syria-ru-aviation", warn=False))
    >>> view = data.view(FilterSpec(statuses=["official_silent"]))
    >>> view.counts.incidents, view.table["incident_id"].to_list()
    (1, ['syr-2016-08-retaliation-strikes'])

    One incident has an attribute that only unofficial accounts speak of while the operator never
    spoke at all: the strike campaign after the Mi-8 was shot down.
    """

    def __init__(
        self, dataset: Dataset, comparison: Comparison | None = None, *, facts: pl.DataFrame | None = None
    ) -> None:
        if comparison is None:
            from ddj.compare import compare

            comparison = compare(dataset)
        if facts is None:
            facts = prepare_facts(dataset, comparison)
        self.dataset = dataset
        self.comparison = comparison
        # Sorted flags are not kept in a file: set them again (no copy).
        self.facts = facts.with_columns(pl.col(c).set_sorted() for c in ("date_start", *_PERIOD_COLUMNS.values()))
        self.total = facts.height
        placed = self.facts.lazy().filter(pl.col("_placed")).select("latitude", "longitude").collect()
        self.cell = choose_cell_size(placed, MAP_MAX_POINTS)
        bounds = placed.select(
            pl.col("longitude").min(),
            pl.col("longitude").max().alias("east"),
            pl.col("latitude").min(),
            pl.col("latitude").max().alias("north"),
        )
        self.bounds: tuple[float | None, ...] = bounds.row(0)
        self._masks: dict[FilterSpec, pl.Series] = {}
        self._search: pl.Series | None = facts.get_column(SEARCH_COLUMN) if SEARCH_COLUMN in facts.columns else None

    # --- choices for widgets --------------------------------------------------------------------------

    def values(self, column: str) -> list[str]:
        """The distinct values of a facts column, sorted (for the values filters' options)."""
        return sorted(self.facts.get_column(column).cast(pl.String).drop_nulls().unique().to_list())

    # --- facets: how many incidents each filter value would keep -----------------------------------

    def facets(self, spec: FilterSpec) -> dict[str, dict[str, int]]:
        """For each values filter (all but ``incident_ids``), how many incidents each of its values keeps
        under the *other* filters of ``spec`` (Datasette's facets): ``{"grades": {"contested": 7, ...}, ...}``.

        A filter's own choice is left out of its counts, so the numbers beside a value say what choosing it
        (alone) would give. Values no incident has under the other filters count 0.

        Examples
        --------
        >>> import ddj
        >>> data = ExplorerData(ddj.load("syria-ru-aviation", warn=False))
        >>> data.facets(FilterSpec(countries=["Syria"]))["grades"]["contested"]
        5
        """
        names = [item.name for item in FILTERS if item.kind == "values" and item.name != "incident_ids"]
        groups: dict[FilterSpec, list[str]] = {}
        for name in names:  # filters that are not set share the spec's own mask
            groups.setdefault(spec.replace(**{name: ()}), []).append(name)
        queries, order = [], []
        for other, members in groups.items():
            mask = self.mask(other)
            frame = self.facts.lazy() if mask is None else self.facts.lazy().filter(pl.lit(mask))
            for name in members:
                queries.append(self._facet_query(frame, name, other))
                order.append(name)
        results = pl.collect_all(queries)
        out: dict[str, dict[str, int]] = {}
        for name, result in zip(order, results, strict=True):
            item = FILTER_BY_NAME[name]
            if item.column:
                pairs = {str(v): int(n) for v, n in result.iter_rows() if v is not None}
            else:
                pairs = {k: int(v or 0) for k, v in result.row(0, named=True).items()} if result.height else {}
            out[name] = pairs
        return {name: out[name] for name in names}

    def _facet_query(self, frame: pl.LazyFrame, name: str, other: FilterSpec) -> pl.LazyFrame:
        item = FILTER_BY_NAME[name]
        if item.column:
            return frame.group_by(pl.col(item.column).cast(pl.String)).agg(pl.len())
        if name == "statuses":
            return frame.select(
                [((pl.col("_statuses") & (1 << code)) != 0).sum().alias(status) for code, status in enumerate(STATUSES)]
            )
        if name == "attribute_statuses":
            return frame.select(
                [
                    (pl.col(column) == code).sum().alias(f"{a.name}:{status}")
                    for a, column in zip(COMPARED_ATTRIBUTES, _STATUS_COLUMNS, strict=True)
                    for code, status in enumerate(STATUSES)
                ]
            )
        if name == "sides":
            return frame.select(
                [
                    ((pl.col("_accounts") & _accounts_mask([side], other.source_kinds)) != 0).sum().alias(side)
                    for side in SIDES
                ]
            )
        if name == "source_kinds":
            return frame.select(
                [
                    ((pl.col("_accounts") & _accounts_mask(other.sides, [kind])) != 0).sum().alias(kind)
                    for kind in SOURCE_KINDS
                ]
            )
        msg = f"no facet for filter {name!r}"
        raise ValueError(msg)

    # --- the list of incidents, sorted and paged ------------------------------------------------------

    def rows(
        self, spec: FilterSpec, *, order: str = "date", page: int = 0, page_size: int = TABLE_ROWS
    ) -> tuple[pl.DataFrame, int]:
        """One page of the incidents ``spec`` keeps, sorted by ``order``, as the table shows them.

        Parameters
        ----------
        spec
            The filters.
        order
            One of :data:`ROW_ORDERS`: ``date`` (earliest first), ``-date`` (latest first), ``grade`` (best
            first), ``-grade`` (weakest first) or ``status`` (contradicted first, then those with no official
            account, then the rest; by date within each).
        page
            The page, from 0; a page past the end gives the last one.
        page_size
            Rows per page.

        Returns
        -------
        tuple
            The page's rows (the columns of :attr:`View.table`) and the page actually shown.
        """
        if order not in ROW_ORDERS:
            msg = f"no row order {order!r}; the orders are: {', '.join(ROW_ORDERS)}"
            raise ValueError(msg)
        mask = self.mask(spec)
        total = self.total if mask is None else int(mask.sum())
        last = max(0, (total - 1) // page_size)
        page = min(max(0, int(page)), last)
        columns = self.facts.select(_HEAD_COLUMNS)
        if order in ("date", "-date"):  # the facts are sorted by date: take positions, sort nothing
            positions = pl.Series(range(self.total), dtype=pl.UInt32) if mask is None else mask.arg_true()
            if order == "-date":
                positions = positions.reverse()
            chosen = columns.gather(positions.slice(page * page_size, page_size))
        else:
            frame = columns if mask is None else columns.filter(mask)
            if order in ("grade", "-grade"):
                rank = (
                    pl.col("grade")
                    .cast(pl.String)
                    .replace_strict({g: i for i, g in enumerate(GRADES)}, default=len(GRADES), return_dtype=pl.Int8)
                )
                key = rank if order == "grade" else -rank
            else:
                contradicted = (pl.col("_statuses") & _CONTRADICT_BIT) != 0
                key = pl.when(contradicted).then(0).when(~pl.col("acknowledged")).then(1).otherwise(2).cast(pl.Int8)
            # A stable sort on one small key keeps the date order within each rank.
            positions = frame.select(pl.arg_sort_by(key, maintain_order=True)).to_series()
            chosen = frame.gather(positions.slice(page * page_size, page_size))
        return _table(chosen), page

    # --- the view as a table to download ---------------------------------------------------------------

    def export(self, spec: FilterSpec, *, limit: int | None = None) -> pl.DataFrame:
        """The incidents ``spec`` keeps (at most ``limit``), by date, as a plain table to download: the
        incident's own columns, its grade and counts of accounts, and each compared attribute's status
        (``status_cause``...) as the comparison's word for it. No internal column, no categorical.
        """
        from ddj.filters import COMPARISON_COLUMNS, FACT_COLUMNS

        mask = self.mask(spec)
        frame = self.facts if mask is None else self.facts.filter(mask)
        if limit is not None:
            frame = frame.head(limit)
        words = dict(enumerate(STATUSES))
        return frame.select(
            *[
                pl.col(c).cast(pl.String) if c in _CATEGORICAL else pl.col(c)
                for c in (*FACT_COLUMNS, *COMPARISON_COLUMNS)
            ],
            *[f"n_{status}" for status in STATUSES],
            *[
                pl.col(column).replace_strict(words, return_dtype=pl.String).alias(f"status_{a.name}")
                for a, column in zip(COMPARED_ATTRIBUTES, _STATUS_COLUMNS, strict=True)
            ],
        )

    # --- one view -----------------------------------------------------------------------------------

    def mask(self, spec: FilterSpec) -> pl.Series | None:
        """The spec's boolean mask over :attr:`facts` (None when the spec keeps everything).

        The last few masks are kept: the counts, the facets, the list and the download of one view share them.
        """
        if spec.is_empty:
            return None
        mask = self._masks.pop(spec, None)
        if mask is None:
            # The filter model's own expression (ddj.filters), the search included: a report keeps these incidents.
            facts = self.facts.with_columns(self.search_texts()) if spec.search else self.facts
            mask = facts.select(spec.expression().alias("keep")).to_series()
        self._masks[spec] = mask
        while len(self._masks) > _MASKS_KEPT:
            self._masks.pop(next(iter(self._masks)))
        return mask

    def search_texts(self) -> pl.Series:
        """Each incident's search text, in the order of :attr:`facts` (:func:`ddj.search.search_text`), built on
        first use unless the facts were prepared with them.
        """
        if self._search is None:
            from ddj.search import search_text

            self._search = search_text(self.dataset, self.comparison, self.facts.get_column("incident_id"))
        return self._search

    def view(self, spec: FilterSpec, *, table_rows: int = TABLE_ROWS) -> View:
        """Everything the Explorer shows for ``spec``: counts, table and the charts' data (see :class:`View`)."""
        mask = self.mask(spec)
        frame = self.facts.lazy() if mask is None else self.facts.lazy().filter(pl.lit(mask))
        counts = self._counts(frame)
        period = period_for(counts.first, counts.last, max_bins=TIMELINE_MAX_BINS)[0]
        matrix_mode = "incidents" if counts.incidents <= MATRIX_MAX_INCIDENTS else "shares"
        map_mode = "points" if counts.placed <= MAP_MAX_POINTS else "cells"
        head = max(table_rows, MATRIX_MAX_INCIDENTS if matrix_mode == "incidents" else 0)
        key = _PERIOD_COLUMNS[period]
        # The first rows by position, not by filtering every column and cutting: only they are gathered.
        columns = self.facts.select(_HEAD_COLUMNS)
        first = columns.head(head) if mask is None else columns.gather(mask.arg_true().head(head))
        queries = [
            frame.group_by(key).agg(pl.len().alias("_n"), pl.col("acknowledged").sum().alias("_ack")),
        ]
        if matrix_mode == "shares":
            queries.append(
                frame.select(
                    [
                        (pl.col(s) == code).sum().alias(f"{s}_{code}")
                        for s in _STATUS_COLUMNS
                        for code in range(len(STATUSES))
                    ]
                )
            )
        placed = frame.filter(pl.col("_placed"))
        if map_mode == "points":
            queries.append(
                placed.select(
                    "incident_id", "title", "date_start", "place", "latitude", "longitude", "location_precision"
                )
            )
        else:
            queries.append(placed.group_by("_cell").agg(pl.len().alias("incidents")))
        results = pl.collect_all(queries)
        head_rows, timeline = first, results[0]
        matrix = _shares(results[1]) if matrix_mode == "shares" else self._cells(head_rows)
        map_frame = _points(results[-1]) if map_mode == "points" else _grid(results[-1], self.cell)
        return View(
            spec=spec,
            counts=counts,
            table=_table(head_rows.head(table_rows)),
            timeline=_timeline(timeline, key, period),
            period=period,
            matrix=matrix,
            matrix_mode=matrix_mode,
            map=map_frame,
            map_mode=map_mode,
            map_cell=self.cell if map_mode == "cells" else None,
        )

    def _counts(self, frame: pl.LazyFrame) -> Counts:
        row = (
            frame.select(
                pl.len().alias("incidents"),
                pl.col("n_accounts").sum().alias("accounts"),
                ((pl.col("_statuses") & _CONTRADICT_BIT) != 0).sum().alias("contradicted"),
                (~pl.col("acknowledged")).sum().alias("never_acknowledged"),
                pl.col("_placed").sum().alias("placed"),
                pl.col("date_start").first().alias("first"),
                pl.col("date_start").last().alias("last"),
                *[(pl.col("grade") == grade).sum().alias(f"grade_{grade}") for grade in GRADES],
            )
            .collect()
            .row(0, named=True)
        )
        return Counts(
            incidents=row["incidents"],
            total=self.total,
            accounts=int(row["accounts"] or 0),
            contradicted=row["contradicted"],
            never_acknowledged=row["never_acknowledged"],
            grades={grade: row[f"grade_{grade}"] for grade in GRADES},
            placed=row["placed"],
            first=row["first"],
            last=row["last"],
        )

    def _cells(self, rows: pl.DataFrame) -> pl.DataFrame:
        """One row per incident and attribute for up to :data:`MATRIX_MAX_INCIDENTS` incidents, values included."""
        schema = pl.Schema(
            {
                "incident_id": pl.String,
                "incident": pl.String,
                "order": pl.UInt32,
                "attribute": pl.String,
                "status": pl.String,
                "status_words": pl.String,
                "official": pl.String,
                "others": pl.String,
            }
        )
        if rows.height == 0:
            return pl.DataFrame(schema=schema)
        attributes = self.attribute_rows(rows["incident_id"].to_list())
        labelled = rows.with_row_index("order").select("incident_id", "order", _incident_label().alias("incident"))
        return (
            attributes.join(labelled, on="incident_id", how="inner")
            .select(
                "incident_id",
                "incident",
                "order",
                pl.col("label").alias("attribute"),
                "status",
                pl.col("status").replace_strict(STATUS_LABELS, return_dtype=pl.String).alias("status_words"),
                pl.col("attribute").alias("_name"),
                pl.col("official_values").cast(pl.List(pl.String)).alias("official"),
                pl.col("unofficial_values").cast(pl.List(pl.String)).alias("others"),
            )
            .sort("order", maintain_order=True)
            .pipe(_readable_values)
            .cast(schema)
        )

    # --- one incident --------------------------------------------------------------------------------

    def attribute_rows(self, incident_ids: list[str]) -> pl.DataFrame:
        """The comparison's attribute rows of these incidents (found by binary search, not a scan)."""
        return _slices(self.comparison.attributes, incident_ids)

    def account_rows(self, incident_ids: list[str]) -> pl.DataFrame:
        """The comparison's account rows of these incidents (with ``is_current`` and ``superseded_by``)."""
        return _slices(self.comparison.accounts, incident_ids)

    def incident_dataset(self, incident_id: str) -> Dataset:
        """A copy of the dataset holding only what one incident's narrative reads: the incident, the
        incidents it relates to, their accounts, the sources and the overrides that target them.
        """
        import dataclasses

        incidents = self.dataset.incidents
        row = incidents.filter(pl.col("incident_id") == incident_id)
        if row.height == 0:
            from ddj.errors import NotFoundError

            msg = f"no incident {incident_id!r} in dataset {self.dataset.name!r}"
            raise NotFoundError(msg)
        related = [r for r in row["related_incident_id"].to_list() if r]
        linked = incidents.filter(
            pl.col("incident_id").is_in([incident_id, *related]) | (pl.col("related_incident_id") == incident_id)
        )
        ids = linked["incident_id"].to_list()
        accounts = self.account_rows(ids).drop("is_current", "superseded_by")
        accounts = accounts.select(self.dataset.accounts.columns)
        overrides = self.dataset.overrides
        overrides = overrides.filter(pl.col("target_id").is_in([*ids, *accounts["account_id"].to_list()]))
        tables = dict(self.dataset.tables, incidents=linked, accounts=accounts, overrides=overrides)
        return dataclasses.replace(self.dataset, tables=tables)

    def incident_comparison(self, incident_id: str) -> Comparison:
        """The comparison restricted to one incident (binary search in the sorted frames)."""
        from ddj.compare import Comparison

        ids = [incident_id]
        return Comparison(
            _slices(self.comparison.incidents, ids),
            self.attribute_rows(ids),
            self.comparison.changes.filter(pl.col("incident_id") == incident_id),
            self.account_rows(ids),
            self.comparison.as_of,
        )


# --- preparing the facts ------------------------------------------------------------------------------


def prepare_facts(dataset: Dataset, comparison: Comparison, *, search: bool = False) -> pl.DataFrame:
    """The frame :class:`ExplorerData` works on: :func:`ddj.filters.incident_facts` with the period each
    incident starts in, whether it can go on a map (``_placed``) and its map grid cell (``_cell``), the
    low-cardinality columns categorical, sorted by start date; with ``search``, also each incident's search
    text (``_search``, :func:`ddj.search.search_text`), which :class:`ExplorerData` otherwise builds on
    its first search.

    Parameters
    ----------
    dataset : Dataset
        The loaded dataset.
    comparison : Comparison
        Its comparison.
    search : bool, default False
        Add the search texts.
    """
    facts = incident_facts(dataset, comparison, search=search)
    precision = pl.col("location_precision")
    placed = (
        pl.col("latitude").is_not_null()
        & pl.col("longitude").is_not_null()
        & (precision.is_null() | precision.is_in(list(PLACEABLE_PRECISION)))
    )
    start = pl.col("date_start")
    facts = facts.with_columns(
        start.alias("_day"),
        *[start.dt.truncate(every).alias(_PERIOD_COLUMNS[name]) for name, every in _PERIOD_TRUNCATE.items()],
        placed.alias("_placed"),
    )
    # The finest grid whose cells over every placed incident number at most MAP_MAX_POINTS.
    cell = choose_cell_size(facts.filter(pl.col("_placed")).select("latitude", "longitude"), MAP_MAX_POINTS)
    facts = facts.with_columns(cell_key(cell).alias("_cell"))
    # Categorical columns make the values filters compare small integers, not text.
    return facts.with_columns(pl.col(c).cast(pl.Categorical) for c in _CATEGORICAL)


def _readable_values(cells: pl.DataFrame) -> pl.DataFrame:
    """The values each side claims, in words (``hostile_fire`` -> "hostile fire"): a few hundred cells at most."""
    from ddj.narrative.wording import readable_value

    def words(attribute: str, values: list[str] | None) -> str:
        out = []
        for value in values or []:
            try:
                out.append(readable_value(attribute, value))
            except Exception:  # noqa: BLE001 - a value the wording does not know reads as it is
                out.append(str(value).replace("_", " "))
        return "; ".join(out)

    names = cells.get_column("_name").to_list()
    return cells.drop("_name").with_columns(
        pl.Series(
            "official",
            [words(a, v) for a, v in zip(names, cells.get_column("official").to_list(), strict=True)],
            dtype=pl.String,
        ),
        pl.Series(
            "others",
            [words(a, v) for a, v in zip(names, cells.get_column("others").to_list(), strict=True)],
            dtype=pl.String,
        ),
    )


def _slices(frame: pl.DataFrame, incident_ids: list[str]) -> pl.DataFrame:
    """The rows of ``frame`` (sorted by ``incident_id``) for these incidents, in the frame's order."""
    column = frame.get_column("incident_id")
    wanted = pl.Series(sorted(set(incident_ids)), dtype=pl.String)
    if wanted.len() == 0:
        return frame.clear()
    starts = column.search_sorted(wanted, side="left")
    ends = column.search_sorted(wanted, side="right")
    pieces = [frame.slice(s, e - s) for s, e in zip(starts.to_list(), ends.to_list(), strict=True) if e > s]
    return pl.concat(pieces) if pieces else frame.clear()


# --- shaping the results ------------------------------------------------------------------------------


def _incident_label(limit: int = 60) -> pl.Expr:
    title = pl.col("title")
    short = pl.when(title.str.len_chars() > limit).then(title.str.slice(0, limit - 1) + "…").otherwise(title)
    return pl.concat_str([short, pl.lit(" ("), pl.col("date_start").dt.strftime("%Y-%m-%d"), pl.lit(")")])


def _table(rows: pl.DataFrame) -> pl.DataFrame:
    place = pl.concat_str(
        [pl.col("place"), pl.col("region").cast(pl.String), pl.col("country").cast(pl.String)],
        separator=", ",
        ignore_nulls=True,
    )
    flags = pl.concat_str(
        [
            pl.when((pl.col("_statuses") & _CONTRADICT_BIT) != 0).then(pl.lit("contradictions")),
            pl.when(~pl.col("acknowledged")).then(pl.lit("no official account recorded")),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    return rows.select(
        "incident_id",
        pl.col("date_start").dt.strftime("%Y-%m-%d").alias("date"),
        "title",
        place.alias("place"),
        pl.col("aircraft_model").cast(pl.String).alias("aircraft"),
        pl.col("grade").cast(pl.String).alias("grade"),
        flags.fill_null("").alias("stands_out"),
    )


def _timeline(counts: pl.DataFrame, key: str, period: str) -> pl.DataFrame:
    counts = counts.rename({key: "period"}).sort("period")
    lanes = pl.concat(
        [
            counts.select("period", pl.lit(ACKNOWLEDGED_LANES[0]).alias("lane"), pl.col("_ack").alias("incidents")),
            counts.select(
                "period",
                pl.lit(ACKNOWLEDGED_LANES[1]).alias("lane"),
                (pl.col("_n") - pl.col("_ack")).alias("incidents"),
            ),
        ]
    ).filter(pl.col("incidents") > 0)
    return lanes.with_columns(period_label("period", period).alias("when"), pl.col("incidents").cast(pl.Int64)).sort(
        "period", "lane"
    )


def _shares(sums: pl.DataFrame) -> pl.DataFrame:
    row = sums.row(0, named=True) if sums.height else {}
    records = []
    for i, label in enumerate(_ATTRIBUTE_LABELS):
        for code, status in enumerate(STATUSES):
            count = int(row.get(f"{_STATUS_COLUMNS[i]}_{code}", 0) or 0)
            if count:
                records.append((label, status, STATUS_LABELS[status], count, code))
    frame = pl.DataFrame(
        records,
        schema={
            "attribute": pl.String,
            "status": pl.String,
            "status_words": pl.String,
            "incidents": pl.Int64,
            "rank": pl.Int64,
        },
        orient="row",
    )
    return frame.with_columns((pl.col("incidents") / pl.col("incidents").sum().over("attribute")).alias("share"))


def _points(rows: pl.DataFrame) -> pl.DataFrame:
    styles = {k: v for k, v in MAP_STYLES.items() if k is not None}
    return rows.select(
        "incident_id",
        "title",
        pl.col("date_start").dt.strftime("%-d %B %Y").alias("date"),
        pl.col("place").fill_null(""),
        pl.col("latitude").round(3),
        pl.col("longitude").round(3),
        pl.col("location_precision")
        .replace_strict(styles, default=MAP_STYLES[None], return_dtype=pl.String)
        .alias("precision"),
    )


def _grid(cells: pl.DataFrame, size: float) -> pl.DataFrame:
    return cells.select(*cell_centre(pl.col("_cell"), size), pl.col("incidents").cast(pl.Int64)).sort(
        "latitude", "longitude"
    )


def extent(bounds: tuple[float | None, ...]) -> tuple[float, float, float, float]:
    """The map's extent around ``(west, east, south, north)`` bounds (the whole world when unknown)."""
    from ddj.charts.basemap import extent_around

    west, east, south, north = bounds
    if (
        west is None
        or east is None
        or south is None
        or north is None
        or any(isinstance(v, float) and math.isnan(v) for v in bounds)
    ):
        return extent_around([], [])
    return extent_around([west, east], [south, north])
