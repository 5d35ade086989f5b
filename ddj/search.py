"""The free-text search of every part of ddj: the Explorer's search box, ``ddj run``'s and ``ddj compare``'s
``--search``, the notebooks' ``search`` parameter (:class:`ddj.filters.FilterSpec`'s ``search``).

A search looks in what a reader would search: an incident's title, place, region, country, aircraft model, id,
summary (:data:`SEARCH_FIELDS`), and the statements of its accounts.

Each incident gets one search text (:func:`search_text`): those fields, each with its runs of white space made
one space, joined by line breaks (so a search never matches across two fields) and lower-cased. A search
(:func:`search_needle`) is lower-cased and white-space-collapsed the same way and looked for as a literal
substring (:func:`search_expression`, :func:`search_mask`): ``.``, ``*`` or ``(`` are characters, never a
pattern, whatever a dataset or a visitor types, and a search takes one pass of a substring scan over the texts.
This module imports polars only inside its functions, as :mod:`ddj.filters` does.

:func:`ddj.filters.incident_facts` adds the texts as its ``_search`` column when asked (``search=True``), and
:meth:`ddj.filters.FilterSpec.expression` reads that column; ``ddj explore`` builds them once, with the rest of the
prepared data that every visitor's kernel shares (:mod:`ddj.widgets.shared`), and a notebook's Explorer builds
them on its first search.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from ddj.compare import Comparison
    from ddj.datasets import Dataset

__all__ = ["SEARCH_COLUMN", "SEARCH_FIELDS", "search_expression", "search_mask", "search_needle", "search_text"]

#: The incident columns searched, besides the statements of its accounts.
SEARCH_FIELDS = ("title", "place", "region", "country", "aircraft_model", "incident_id", "summary")

#: The column of :func:`ddj.filters.incident_facts` (and of the Explorer's facts) holding the search texts.
SEARCH_COLUMN = "_search"


def _flat(expr: pl.Expr) -> pl.Expr:
    import polars as pl

    return expr.cast(pl.String).str.replace_all(r"\s+", " ").str.strip_chars()


def search_text(dataset: Dataset, comparison: Comparison | None, incident_ids: pl.Series) -> pl.Series:
    """The search text of each incident of ``incident_ids``, in that order, named :data:`SEARCH_COLUMN` (see the
    module's text).

    Parameters
    ----------
    dataset : Dataset
        The incidents (their :data:`SEARCH_FIELDS`).
    comparison : Comparison or None
        Its comparison, whose accounts' statements are searched (every account published by its ``as_of``,
        superseded ones included: the Explorer shows them in an incident's history); when None, the dataset's
        accounts, as :func:`ddj.filters.incident_facts` reads them.
    incident_ids : polars.Series
        The incidents, in the order wanted (the Explorer's facts are sorted by date).

    Examples
    --------
    >>> import ddj
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> texts = search_text(ds, ddj.compare.compare(ds), ds.incidents["incident_id"])
    >>> int(texts.str.contains(search_needle("RADIO  or visual"), literal=True).sum())
    1

    One incident's accounts say there was no radio or visual contact: the Su-24 shot down by Turkey.
    """
    import polars as pl

    incidents = dataset.incidents
    accounts = comparison.accounts if comparison is not None else dataset.accounts
    fields = [c for c in SEARCH_FIELDS if c in incidents.columns]
    own = incidents.lazy().select(
        "incident_id",
        pl.concat_str([_flat(pl.col(c)) for c in fields], separator="\n", ignore_nulls=True).alias("_own"),
    )
    said = (
        accounts.lazy()
        .select("incident_id", _flat(pl.col("statement")).alias("statement"))
        .drop_nulls("statement")
        .group_by("incident_id")
        .agg(pl.col("statement").str.join("\n").alias("_said"))
    )
    texts = (
        incident_ids.rename("incident_id")
        .to_frame()
        .lazy()
        .join(own, on="incident_id", how="left", maintain_order="left")
        .join(said, on="incident_id", how="left", maintain_order="left")
        .select(
            pl.concat_str(["_own", "_said"], separator="\n", ignore_nulls=True)
            .fill_null("")
            .str.to_lowercase()
            .alias(SEARCH_COLUMN)
        )
        .collect()
    )
    return texts.to_series()


def search_needle(text: str) -> str:
    r"""A search as it is looked for: white space collapsed, lower-cased as the texts are (by polars, the same rules).

    Examples
    --------
    >>> search_needle("  Mi-8 \t SHOT\ndown ")
    'mi-8 shot down'
    """
    import polars as pl

    flat = " ".join(str(text).split())
    return str(pl.select(pl.lit(flat, dtype=pl.String).str.to_lowercase()).item())


def search_expression(text: str, column: str = SEARCH_COLUMN) -> pl.Expr:
    """The search ``text`` as a boolean polars expression over a column of search texts (from :func:`search_text`):
    true where the text is there, as a literal substring in any case; a missing text is false.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"_search": ["an (odd) title", "a title", None]})
    >>> frame.select(search_expression("(ODD)")).to_series().to_list()
    [True, False, False]
    """
    import polars as pl

    return pl.col(column).str.contains(search_needle(text), literal=True).fill_null(False)


def search_mask(texts: pl.Series, text: str) -> pl.Series:
    """Which of ``texts`` (from :func:`search_text`) hold the search ``text``: :func:`search_expression` on a series.

    Examples
    --------
    >>> import polars as pl
    >>> search_mask(pl.Series(["an (odd) title", "a title"]), "(ODD)").to_list()
    [True, False]
    """
    return texts.to_frame(SEARCH_COLUMN).select(search_expression(text)).to_series()
