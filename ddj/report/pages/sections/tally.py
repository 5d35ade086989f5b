"""The sections of a tally's page: each category's latest figures on both sides, the days official claims
crossed multiples of the documented count, the officials' corrections, and what the build found in the raw files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from ddj._scalars import date_value
from ddj.datasets import Dataset
from ddj.report.pages.sections.base import _FRAGMENTS, Section, _html, table
from ddj.report.pages.templating import Markup, macro


def tally_latest(ds: Dataset, categories: list[str] | None = None) -> Section:
    """Each category's figures on the last day both sides cover, the official side's later claims apart.

    The first table sets the official claim against the documented count of the same date, with ratio and
    difference; documented items without a date are counted apart in a table of their own (never dropped); the
    next lists the official figures after the documented side stops, with no ratio; the source line under them
    names both sides and their licences (:func:`ddj.tally.source_line`). The words for what is counted come from
    the dataset's ``ddj.unit`` (:func:`ddj.tally.unit`).
    """
    import ddj.tally
    from ddj.tally.sources import attribution, source_line

    def _tally_day(day: dt.date) -> str:
        return f"{day.day} {day:%B %Y}"

    sides = attribution(ds)
    words = ddj.tally.unit(ds)
    official, documented = sides["official"], sides["documented"]
    claim = f"{official.name} claim" if official.named else "official claim"
    counted = f"documented by {documented.name}" if documented.named else "documented"
    cover = ddj.tally.coverage(ds)
    common = cover["common_to"]
    if common is None:
        return _html("paragraph", "No day has both an official claim and a documented count to compare.")
    latest = ddj.tally.tally(ds, as_of=common, categories=categories)
    labels = {
        "category": "category",
        "official": claim,
        "documented": counted,
        "ratio": "ratio",
        "difference": "difference",
        "revisions": "official revisions by then",
    }
    if latest.filter(pl.col("official_as_of") != common).height:
        labels = {
            "category": "category",
            "official_as_of": "figures of",
            **{k: v for k, v in labels.items() if k != "category"},
        }
    parts: list[tuple[str, Any]] = [
        (
            "p",
            (
                f"As of {_tally_day(common)}, the last day both {official.phrase} and {documented.phrase} cover: "
                f"each claim against the count of {words.noun} documented {words.evidence} on the same day "
                "(a minimum), with their ratio and difference."
            ),
        ),
        ("html", Markup(table(latest, labels))),
    ]
    undated = ddj.tally.undated(ds)
    if undated.height:
        parts.append(
            (
                "p",
                f"Documented {words.noun} without a date: {undated['items'].sum():,}. No count above includes "
                "them; they are counted apart here, not dropped.",
            )
        )
        parts.append(
            (
                "html",
                Markup(
                    table(
                        undated.with_columns(pl.col("category").fill_null("(no category)")),
                        {"category": "category", "status": "status", "items": f"{words.noun} without a date"},
                    )
                ),
            )
        )
    later = (
        ddj.tally.tally(ds, categories=categories)
        .filter(pl.col("official_as_of") > common)
        .join(latest.select("category", pl.col("official").alias("_then")), on="category", how="left")
        .with_columns((pl.col("official") - pl.col("_then")).alias("rise"))
    )
    if later.height:
        last = date_value(later["official_as_of"].max())
        assert last is not None  # later has rows
        parts.append(
            (
                "html",
                macro(
                    _FRAGMENTS, "later_claims", official.phrase, documented.phrase, _tally_day(common), _tally_day(last)
                ),
            )
        )
        parts.append(
            (
                "html",
                Markup(
                    table(
                        later,
                        {
                            "category": "category",
                            "official": claim,
                            "official_as_of": "claimed on",
                            "rise": f"rise since {_tally_day(common)}",
                        },
                    )
                ),
            )
        )
    parts.append(("source", source_line(ds)))
    return _html("parts", parts)


def tally_crossings(series: pl.DataFrame, ds: Dataset | None = None) -> Section:
    """The day each category's official claim crossed 1.5, 2, 3... times the documented count.

    Only days both figures are current count; a ratio already past a threshold on the first day compared is
    listed apart, as where the comparison starts, not as a crossing. With ``ds`` the sides are named.
    """
    import ddj.tally
    from ddj.tally.sources import attribution

    def _tally_day(day: dt.date) -> str:
        return f"{day.day} {day:%B %Y}"

    sides = attribution(ds) if ds is not None else {}
    official, documented = sides.get("official"), sides.get("documented")
    claim = f"{official.name} claim" if official and official.named else "official claim"
    counted = f"documented by {documented.name}" if documented and documented.named else "documented"
    crossings = ddj.tally.threshold_crossings(series)
    spans = crossings.drop_nulls("compared_from")
    if spans.height == 0:
        return _html("paragraph", "No day has both an official claim and a documented count to compare.")
    start, end = date_value(spans["compared_from"].min()), date_value(spans["compared_to"].max())
    assert start is not None and end is not None  # a compared span has both ends
    parts: list[tuple[str, Any]] = [
        (
            "p",
            (
                f"Counted only on days both figures are current, from {_tally_day(start)} to {_tally_day(end)}; a "
                "ratio needs a documented count above zero. A claim already past a multiple on the first day "
                "compared is listed apart: that is where the comparison starts, not a crossing."
            ),
        )
    ]
    crossed = crossings.filter(pl.col("first_date").is_not_null())
    if crossed.height:
        parts.append(
            (
                "html",
                Markup(
                    table(
                        crossed,
                        {
                            "category": "category",
                            "threshold": "times the documented count",
                            "first_date": "crossed on",
                            "official": claim,
                            "documented": counted,
                        },
                    )
                ),
            )
        )
    else:
        parts.append(("p", "No official claim crossed a multiple of the documented count while both were current."))
    levels: dict[str, tuple[dt.date, list[str]]] = {}
    for row in crossings.filter(pl.col("above_at_start")).sort("category", "threshold").iter_rows(named=True):
        levels.setdefault(row["category"], (row["compared_from"], []))[1].append(f"{row['threshold']:g}")
    already = pl.DataFrame(
        {
            "category": list(levels),
            "compared_from": [v[0] for v in levels.values()],
            "levels": [", ".join(v[1]) for v in levels.values()],
        },
        schema={"category": pl.String, "compared_from": pl.Date, "levels": pl.String},
    )
    if already.height:
        parts.append(("p", "Already at or past these multiples on the first day compared:"))
        parts.append(
            (
                "html",
                Markup(
                    table(
                        already,
                        {
                            "category": "category",
                            "compared_from": "first day compared",
                            "levels": "times the documented count",
                        },
                    )
                ),
            )
        )
    return _html("parts", parts)


def tally_revisions(series: pl.DataFrame) -> Section:
    """The days officials corrected a running total, and by how much."""
    revised = series.filter(pl.col("revision").is_not_null()).sort("date", "category")
    if revised.height == 0:
        return _html("paragraph", "The officials made no correction to these categories.")
    return table(
        revised,
        {"date": "date", "category": "category", "revision": "correction", "official": "official claim after it"},
    )


def tally_findings(ds: Dataset) -> Section:
    """What the build found in the raw files, by rule: how often, and the first instance in words.

    ``findings`` is an optional table of a tally package: a package without it gets a sentence saying that it
    records no checks of its raw files, never an error.
    """
    if "findings" not in (getattr(ds, "tables", None) or {}):
        return _html(
            "paragraph",
            "This package has no findings table: it records no checks of its raw files, so this page cannot say "
            "what they held.",
        )
    findings = ds.table("findings")
    if findings.height == 0:
        return _html("paragraph", "The build found nothing to report in the raw files.")
    summary = (
        findings.group_by("rule", maintain_order=True)
        .agg(pl.len().alias("count"), pl.col("detail").first().alias("example"))
        .sort("count", "rule", descending=[True, False])
    )
    return table(summary, {"rule": "finding", "count": "rows", "example": "first instance"})
