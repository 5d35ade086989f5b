"""The boxes that tell a reader what to keep in mind, on every kind of page: the data's caveats, the
corrections log, and how we did this (the method, the glossaries of statuses and grades, the licence).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ddj.compare import Comparison
from ddj.datasets import Dataset
from ddj.report.pages.sections.base import Section, _html
from ddj.report.pages.sections.legend import GRADE_MEANINGS
from ddj.report.pages.sections.page_info import credit_line
from ddj.report.pages.templating import Markup


def data_caveats(ds: Dataset, incident_ids: list[str] | None = None) -> Section:
    """The dataset's caveats (what to know that does not make it invalid), one per line, or a note that it has
    none. With ``incident_ids``, the caveats about incidents and accounts are those of these incidents only (a
    filtered report does not warn about incidents it does not show); caveats about the dataset as a whole stay.

    Examples
    --------
    >>> import ddj
    >>> ds = ddj.load("syria-ru-aviation", warn=False)
    >>> "retaliation" in str(data_caveats(ds)), "retaliation" in str(data_caveats(ds, ["syr-2021-02-28-mi35"]))
    (True, False)
    """
    caveats = list(ds.caveats)
    if incident_ids is not None and ds.kind == "incidents":
        from ddj.datasets.incident_rules import incident_caveats

        keep = pl.col("incident_id").is_in(list(incident_ids))
        scoped = {"incidents": ds.incidents.filter(keep), "accounts": ds.accounts.filter(keep)}
        per_row = {f"{ds.name}/incidents.csv", f"{ds.name}/accounts.csv"}
        caveats = [
            *incident_caveats(scoped, {name: f"{ds.name}/{Path(path).name}" for name, path in ds.files.items()}),
            *(c for c in caveats if c.file not in per_row and not c.file.endswith(("/incidents.csv", "/accounts.csv"))),
        ]
    if not caveats:
        return _html(
            "paragraph",
            "The dataset reports no caveats for these incidents."
            if incident_ids is not None
            else "The dataset reports no caveats.",
        )
    return _html("caveats", [c.message for c in caveats])


def corrections(ds: Dataset, comparison: Comparison, incident_ids: list[str] | str) -> Section:
    """The corrections log: every editor's override touching these incidents (who, when, what, why) and every
    account its source later replaced (what it first said, when, and which account replaced it).

    Parameters
    ----------
    ds : ddj.Dataset
        The incident dataset (its overrides and accounts).
    comparison : ddj.compare.Comparison
        The dataset's comparison; not read (the log comes from the dataset's overrides and accounts), kept so
        every incident section is called alike.
    incident_ids : str or list of str
        The incident (or incidents) whose corrections are listed; overrides of their accounts count too.
    """
    ids = [incident_ids] if isinstance(incident_ids, str) else list(incident_ids)
    account_ids = ds.accounts.filter(pl.col("incident_id").is_in(ids))["account_id"].to_list()
    entries: list[tuple[str, str]] = []
    overrides = ds.overrides
    if overrides.height:
        mine = overrides.filter(pl.col("target_id").is_in(ids + account_ids))
        for r in mine.iter_rows(named=True):
            entries.append(
                (
                    str(r["decided_on"]),
                    (
                        f"{r['decided_on']}: {r['editor']} set {r['target_table']} {r['target_id']} "
                        f"{r['field']} to “{r['value']}”. Reason: {r['reason']}"
                    ),
                )
            )
    accounts = ds.accounts.filter(pl.col("incident_id").is_in(ids))
    replaced = (
        accounts.filter(pl.col("supersedes_account_id").is_not_null())
        .join(
            ds.accounts.select(
                pl.col("account_id").alias("supersedes_account_id"),
                pl.col("published_date").alias("_old_date"),
                pl.col("statement").alias("_old"),
            ),
            on="supersedes_account_id",
            how="left",
        )
        .join(ds.sources.select("source_id", pl.col("name").alias("_source")), on="source_id", how="left")
    )
    for r in replaced.sort("published_date", "account_id").iter_rows(named=True):
        entries.append(
            (
                str(r["published_date"]),
                (
                    f"{r['published_date']}: {r['_source'] or r['source_id']} replaced its account of "
                    f"{r['_old_date']} ({r['supersedes_account_id']}) with {r['account_id']}. "
                    f"It had said: {r['_old']}"
                ),
            )
        )
    return _html("corrections", [text for _, text in sorted(entries)])


def how_we_did_this(ds: Dataset, incident_ids: list[str] | str) -> Section:
    """A plain-language method box: which accounts were compared, what each status and grade means (both
    glossaries generated from the model, so they cannot drift from it) and the data's licence.
    """
    from ddj.charts.theme import STATUS_LABELS
    from ddj.compare.statuses import STATUSES
    from ddj.html import safe_link
    from ddj.model import GRADES

    ids = [incident_ids] if isinstance(incident_ids, str) else list(incident_ids)
    accounts = ds.accounts.filter(pl.col("incident_id").is_in(ids))
    official = accounts.filter(pl.col("side") == "official").height
    sources = accounts["source_id"].n_unique()
    lead = (
        f"We collected {accounts.height} published account{'' if accounts.height == 1 else 's'} of "
        f"{'this incident' if len(ids) == 1 else f'these {len(ids)} incidents'} from {sources} "
        f"source{'' if sources == 1 else 's'}: {official} from the operator's officials, "
        f"{accounts.height - official} from everyone else. For every point the accounts make a claim about "
        "(cause, hostile fire, who was responsible, deaths, place, date, aircraft) we set the officials' current "
        "claims against the others', and give each incident a grade by fixed, published rules."
    )
    statuses = [(STATUS_LABELS.get(s, s.replace("_", " ")), s) for s in STATUSES]
    grades = [(g, GRADE_MEANINGS[g]) for g in GRADES]
    licences = [
        Markup(safe_link(x.get("path"), str(x.get("title") or x.get("name"))))
        if x.get("path")
        else x.get("title") or x.get("name")
        for x in (getattr(ds, "descriptor", None) or {}).get("licenses") or []
    ]
    return _html("how_we_did_this", lead, statuses, grades, licences, credit_line(ds))
