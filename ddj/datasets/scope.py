"""Scoped datasets: the rows one incident report can read, and a stable digest of them for skipping.

:func:`scope` returns a new :class:`~ddj.datasets.dataset.Dataset` holding only

- the chosen incidents and the incidents related to them, both ways, one step (``related_incident_id``);
- the accounts of those incidents;
- the sources those accounts name;
- the overrides that target those incidents (as incidents or grades) or those accounts;
- the caveats about those rows: those about incidents and accounts computed again from the slice, those about
  kept rows of sources and overrides, and those about the descriptor or other tables;
- every other table whole (an incident package has none today), and the descriptor unchanged.

:func:`scope_scans` makes the same slice from lazy scans of the files (:func:`ddj.datasets.loading.validated_scans`),
filtering as it reads: ``ddj.load(dataset, incidents=[incident_id])`` reads one incident's rows, not the package.

A notebook that loads its data as ``ddj.load(dataset, incidents=[incident_id])`` (as the incident report does)
or ``scope(ddj.load(dataset), incidents=[incident_id])`` cannot see any other row, so the report runner
(:mod:`ddj.report.runner.cache`) keys it on :func:`slice_digest` of that slice instead of the whole files: an
edit of another incident's rows leaves its page alone.

:func:`slice_digest` is one SHA-256 over the descriptor (as sorted JSON), then each table in name order (its
name, its schema and its rows written by :meth:`polars.DataFrame.write_csv`, header included, in file order),
then the caveats (file, column, rule and message: not their row numbers). It depends on nothing but the
slice's content: the same rows give the same digest in any process (the polars version that writes the CSV
is part of every report key anyway).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import polars as pl

from ddj.datasets.dataset import Dataset
from ddj.errors import NotFoundError, Problem, WrongDatasetKindError

#: The tables :func:`scope` cuts down; any other table of the package is kept whole.
SCOPED_TABLES = ("incidents", "accounts", "sources", "overrides")
_ROW = "__ddj_row"


def related_incident_ids(incidents: pl.DataFrame, incident_ids: Iterable[str]) -> list[str]:
    """The incidents ``incident_ids`` and those related to them one step either way, in file order.

    Examples
    --------
    >>> frame = pl.DataFrame({"incident_id": ["a", "b", "c", "d"], "related_incident_id": [None, "a", None, "c"]})
    >>> related_incident_ids(frame, ["a"]), related_incident_ids(frame, ["d"])
    (['a', 'b'], ['c', 'd'])

    ``b`` followed ``a``, so ``a``'s page names it; ``d`` points at ``c``.
    """
    ids = list(dict.fromkeys(incident_ids))
    chosen = pl.col("incident_id").is_in(ids)
    pointed_at = incidents.filter(chosen)["related_incident_id"].drop_nulls().to_list()
    keep = chosen | pl.col("related_incident_id").is_in(ids) | pl.col("incident_id").is_in(pointed_at)
    return incidents.filter(keep)["incident_id"].to_list()


def scope(ds: Dataset, *, incidents: Iterable[str]) -> Dataset:
    """A new dataset holding only the rows a report on ``incidents`` can read (see the module's docstring).

    Parameters
    ----------
    ds
        A loaded incident dataset (:func:`ddj.load`); it is not changed.
    incidents
        The incident ids the report is about.

    Raises
    ------
    WrongDatasetKindError
        ``ds`` is not an incident dataset.
    NotFoundError
        ``ds`` has no incident of one of the ids (the message names it).

    Examples
    --------
    >>> import ddj
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> one = scope(ds, incidents=["syr-2021-02-28-mi35"])
    >>> one.incidents["incident_id"].to_list(), one.accounts["incident_id"].n_unique(), ds.incidents.height
    (['syr-2021-02-25-us-f15e-abu-kamal', 'syr-2021-02-28-mi35'], 2, 20)

    The Mi-35 page sees its incident, the strikes it is related to, and their accounts only; ``ds`` keeps all 20.
    """
    ids = list(dict.fromkeys(incidents))
    _check_incident_dataset(ds, ds.tables)
    _check_known(ds, ids, ds.incidents.filter(pl.col("incident_id").is_in(ids))["incident_id"])
    incident_ids = related_incident_ids(ds.incidents, ids)
    keep: dict[str, pl.Expr] = {
        "incidents": pl.col("incident_id").is_in(incident_ids),
        "accounts": pl.col("incident_id").is_in(incident_ids),
    }
    account_ids = ds.accounts.filter(keep["accounts"])
    keep["sources"] = pl.col("source_id").is_in(account_ids["source_id"].unique().to_list())
    if "overrides" in ds.tables:
        keep["overrides"] = pl.col("target_id").is_in(incident_ids + account_ids["account_id"].to_list())
    tables: dict[str, pl.DataFrame] = {}
    rows: dict[str, list[int]] = {}
    for name, frame in ds.tables.items():
        if name not in keep:
            tables[name] = frame
            continue
        kept = frame.with_row_index(_ROW, offset=2).filter(keep[name])  # row 1 of the file is its header
        rows[name] = kept[_ROW].to_list()
        tables[name] = kept.drop(_ROW)
    return Dataset(
        name=ds.name,
        folder=ds.folder,
        kind=ds.kind,
        tables=tables,
        caveats=tuple(_scoped_caveats(ds, tables, rows)),
        descriptor=ds.descriptor,
        files=dict(ds.files),
    )


def _check_incident_dataset(ds: Dataset, tables: Iterable[str]) -> None:
    if ds.kind != "incidents" or not all(name in tables for name in ("incidents", "accounts", "sources")):
        msg = f"dataset {ds.name!r} is a {ds.kind!r} dataset; scope(..., incidents=...) needs an incident dataset"
        raise WrongDatasetKindError(msg)


def _check_known(ds: Dataset, ids: list[str], found: pl.Series) -> None:
    known = set(found.to_list())
    missing = [i for i in ids if i not in known]
    if missing:
        msg = (
            f"dataset {ds.name!r} has no incident {', '.join(repr(m) for m in missing)}; "
            "`ddj params` lists how to choose one"
        )
        raise NotFoundError(msg)


def scope_scans(ds: Dataset, scans: dict[str, pl.LazyFrame], *, incidents: Iterable[str]) -> Dataset:
    """:func:`scope` read from lazy scans: only the slice's rows are read (filters pushed down to the files).

    Equal to ``scope(dataset, incidents=incidents)`` where ``dataset`` holds the collected ``scans``: the same
    rows in file order, the same caveats with the same row numbers.

    Parameters
    ----------
    ds
        The dataset the scans are of: its name, folder, kind, caveats, descriptor and files are used, its
        tables are not (they may be empty).
    scans
        The typed tables as lazy scans, by resource name (:func:`ddj.datasets.loading.validated_scans`).
    incidents
        The incident ids the report is about.

    Raises
    ------
    WrongDatasetKindError
        ``ds`` is not an incident dataset.
    NotFoundError
        ``ds`` has no incident of one of the ids (the message names it).
    """
    ids = list(dict.fromkeys(incidents))
    _check_incident_dataset(ds, scans)
    indexed = {  # file rows (scans from validated_scans(..., row_index=_ROW) carry them, keeping filters pushed down)
        name: scan if _ROW in scan.collect_schema() else scan.with_row_index(_ROW, offset=2)
        for name, scan in scans.items()
    }
    incident_id, related = pl.col("incident_id"), pl.col("related_incident_id")
    near = indexed["incidents"].filter(incident_id.is_in(ids) | related.is_in(ids)).collect()
    chosen = near.filter(incident_id.is_in(ids))
    _check_known(ds, ids, chosen["incident_id"])
    pointed_at = [i for i in chosen["related_incident_id"].drop_nulls().to_list() if i not in set(near["incident_id"])]
    if pointed_at:
        near = pl.concat([near, indexed["incidents"].filter(incident_id.is_in(pointed_at)).collect()]).sort(_ROW)
    incident_ids = near["incident_id"].to_list()
    accounts = indexed["accounts"].filter(incident_id.is_in(incident_ids)).collect()
    slices = {"incidents": near, "accounts": accounts}
    later = {"sources": indexed["sources"].filter(pl.col("source_id").is_in(accounts["source_id"].unique().to_list()))}
    if "overrides" in indexed:
        targets = incident_ids + accounts["account_id"].to_list()
        later["overrides"] = indexed["overrides"].filter(pl.col("target_id").is_in(targets))
    whole = {name: scan.select(pl.exclude(_ROW)) for name, scan in scans.items() if name not in SCOPED_TABLES}
    queries = {**later, **whole}
    slices.update(zip(queries, pl.collect_all(list(queries.values())), strict=True))
    tables: dict[str, pl.DataFrame] = {}
    rows: dict[str, list[int]] = {}
    for name in scans:
        if name in whole:
            tables[name] = slices[name]
            continue
        rows[name] = slices[name][_ROW].to_list()
        tables[name] = slices[name].drop(_ROW)
    return replace(ds, tables=tables, caveats=tuple(_scoped_caveats(ds, tables, rows)))


def _scoped_caveats(ds: Dataset, tables: dict[str, pl.DataFrame], rows: dict[str, list[int]]) -> list[Problem]:
    """The caveats a reader of the slice should know.

    Those about incidents and accounts are computed again from the slice (as
    :func:`ddj.report.pages.sections.data_caveats` does for a filtered report), so a count over the whole table ("20 of
    61 accounts are marked uncertain") becomes the slice's, with row numbers of the files. Of those about sources
    and overrides, the ones on kept rows stay and those about the whole table go. Any other caveat (the
    descriptor's, another table's) stays.
    """
    from ddj.datasets.incident_rules import incident_caveats

    def table_of(caveat: Problem) -> str | None:
        shown = Path(str(caveat.file)).name
        return next((name for name, path in ds.files.items() if name in rows and shown == Path(path).name), None)

    displays = {name: f"{Path(path).parent.name}/{_relative(Path(path), ds.folder)}" for name, path in ds.files.items()}
    recomputed = []
    for found in incident_caveats(tables, displays):  # row numbers of the slice, made the files' again
        table = table_of(found)
        if found.row is not None and table is not None and 2 <= found.row < len(rows[table]) + 2:
            found = replace(found, row=rows[table][found.row - 2])  # noqa: PLW2901 - the same caveat, at its file row
        recomputed.append(found)
    kept = []
    for caveat in ds.caveats:
        table = table_of(caveat)
        if table in ("incidents", "accounts"):
            continue
        if table is None or (caveat.row is not None and caveat.row in set(rows[table])):
            kept.append(caveat)
    return recomputed + kept


def _relative(path: Path, folder: Path) -> str:
    """A resource's path as the package names it (relative to its folder), as messages show it."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name


def slice_digest(ds: Dataset) -> str:
    """One SHA-256 over a (scoped) dataset's descriptor, tables and caveats; equal digests mean equal slices.

    Examples
    --------
    >>> import ddj
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> a = slice_digest(scope(ds, incidents=["syr-2021-02-28-mi35"]))
    >>> a == slice_digest(scope(ds, incidents=["syr-2021-02-28-mi35"])), len(a)
    (True, 64)
    """
    digest = hashlib.sha256()
    digest.update(json.dumps(ds.descriptor, sort_keys=True, ensure_ascii=False, default=str).encode())
    for name in sorted(ds.tables):
        frame = ds.tables[name]
        digest.update(f"\0table\0{name}\0{frame.schema!r}\0".encode())
        digest.update(frame.write_csv().encode())
    for caveat in ds.caveats:  # without row numbers: a row added above the slice moves them, not the slice
        digest.update(f"\0caveat\0{caveat.file}\0{caveat.column}\0{caveat.rule}\0{caveat.message}".encode())
    return digest.hexdigest()
