"""Sentence builders: one paragraph per incident, every sentence cited to the account rows it rests on.

A paragraph says, in order: what happened (the curator's summary, or an editor's replacement);
how the incident relates to others; what each official account said and when, and whether the
source later changed its account; what other sources reported, grouped by what they say and
worded by how independent they are; where officials and others agree, contradict or leave
something unsaid; how long officials took to speak, or that they never did; the grade; and any
editor's notes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from ddj.errors import NotFoundError

if TYPE_CHECKING:
    from ddj.compare import Comparison
    from ddj.datasets import Dataset
from ddj.model import COMPARED_ATTRIBUTES
from ddj.narrative.certainty import unsure_first_days
from ddj.narrative.editors import editor_citation, incident_edits
from ddj.narrative.story import Citation, Paragraph, Sentence, Story
from ddj.narrative.wording import (
    EVENT_NOUNS,
    MONTHS,
    account_claims,
    join_words,
    long_date,
    number_word,
    readable_value,
    sources_adjective,
    subject_name,
    unacknowledged,
)

__all__ = ["narrative"]

# What prose calls each attribute: the model's label, except where the label reads badly in a sentence.
_LABELS = {a.name: a.phrases.short_label or a.label for a in COMPARED_ATTRIBUTES}
_ORDER = {a.name: i for i, a in enumerate(COMPARED_ATTRIBUTES)}


def narrative(
    dataset: Dataset,
    comparison: Comparison | None = None,
    *,
    incident_ids: Sequence[str] | str | None = None,
) -> Story:
    r"""Write the narrative of one or more incidents from the comparison: who said what and when, cited.

    Parameters
    ----------
    dataset
        The :class:`~ddj.datasets.Dataset` (incidents, sources, accounts, overrides).
    comparison
        Its :class:`~ddj.compare.Comparison`; computed when not given.
    incident_ids
        One id or several, in the order wanted; all incidents by date when None.

    Returns
    -------
    Story
        Paragraphs of sentences, each citing account rows (or an editor's decision), and the
        citations numbered in order of first use. Identical inputs give an identical story.

    Examples
    --------
    >>> import ddj
    >>> story = narrative(ddj.load("syria-ru-aviation", warn=False), incident_ids="syr-2016-08-retaliation-strikes")
    >>> sentence = [s.text for s in story.paragraphs[0].sentences if "acknowledged" in s.text][0]
    >>> print(sentence.replace(": ", ":\n").replace(", going", ",\ngoing"))
    The operator, Russian Aerospace Forces, has not publicly acknowledged the strike campaign:
    we hold no official account of it, while other sources first reported it on 2 August 2016,
    going by accounts we mark uncertain.

    No official account exists for the campaign, and the narrative says so in those words.
    """
    if comparison is None:
        from ddj.compare import compare

        comparison = compare(dataset)
    incidents = dataset.incidents
    if incident_ids is None:
        chosen = incidents.sort("date_start", "incident_id")["incident_id"].to_list()
    else:
        chosen = [incident_ids] if isinstance(incident_ids, str) else list(incident_ids)
        missing = sorted(set(chosen) - set(incidents["incident_id"].to_list()))
        if missing:
            msg = (
                f"no incident {', '.join(map(repr, missing))} in dataset {dataset.name!r}; ids look like: "
                f"{', '.join(incidents['incident_id'].head(3).to_list())}"
            )
            raise NotFoundError(msg)
    context = _Context(dataset, comparison)
    paragraphs = tuple(_paragraph(context, incident_id) for incident_id in chosen)
    return Story(paragraphs, dict(sorted(context.citations.items())))


class _Context:
    """The frames a story reads, indexed once; and the citations it has used."""

    def __init__(self, dataset: Dataset, comparison: Comparison) -> None:
        self.dataset = dataset
        self.comparison = comparison
        accounts = dataset.accounts
        current = getattr(comparison, "accounts", None)
        if current is not None and "is_current" in current.columns:
            accounts = accounts.join(current.select("account_id", "is_current"), on="account_id", how="left")
        else:
            replaced = accounts["supersedes_account_id"].drop_nulls().implode()
            accounts = accounts.with_columns((~pl.col("account_id").is_in(replaced)).alias("is_current"))
        sources = dataset.sources.select(
            "source_id", pl.col("name").alias("source_name"), pl.col("kind").alias("source_kind")
        )
        self.accounts = (
            accounts.with_columns(pl.col("is_current").fill_null(True))
            .join(sources, on="source_id", how="left")
            .sort("published_date", "account_id")
        )
        self.citations: dict[str, Citation] = {}

    def cite(self, accounts: pl.DataFrame) -> tuple[str, ...]:
        """Register the citations of ``accounts`` and return their keys, by date then id."""
        keys = []
        for row in accounts.sort("published_date", "account_id").iter_rows(named=True):
            key = f"account:{row['account_id']}"
            self.citations.setdefault(
                key,
                Citation(
                    key=key,
                    kind="account",
                    source=row["source_name"] or row["source_id"],
                    speaker=row["speaker"],
                    date=row["published_date"],
                    reported_in=row["reported_in"],
                    url=row["url"],
                    archive_url=row["archive_url"],
                    uncertain=(row.get("notes") or "") if row.get("certainty") == "uncertain" else None,
                ),
            )
            keys.append(key)
        return tuple(dict.fromkeys(keys))

    def cite_ids(self, ids: Sequence[str]) -> tuple[str, ...]:
        return self.cite(self.accounts.filter(pl.col("account_id").is_in(list(ids))))

    def cite_override(self, row: dict) -> str:
        citation = editor_citation(row)
        self.citations.setdefault(citation.key, citation)
        return citation.key


def _paragraph(ctx: _Context, incident_id: str) -> Paragraph:
    incident = ctx.dataset.incidents.filter(pl.col("incident_id") == incident_id).row(0, named=True)
    replaced, notes = incident_edits(ctx.dataset.overrides, incident_id)
    accounts = ctx.accounts.filter(pl.col("incident_id") == incident_id)
    noun = EVENT_NOUNS.get(incident["event_type"], "incident")
    title = replaced["title"][0] if "title" in replaced else incident["title"]
    heading = f"{title} ({_when(incident)})"
    sentences: list[Sentence] = []

    summary = replaced["summary"][0] if "summary" in replaced else incident["summary"]
    keys = ctx.cite(accounts)
    for field in ("title", "summary"):
        if field in replaced:
            keys = (*keys, ctx.cite_override(replaced[field][1]))
    sentences.append(Sentence(_sentence(summary), keys))
    sentences += _relations(ctx, incident, accounts, noun)
    sentences += _official(ctx, accounts, noun)
    sentences += _unofficial(
        ctx,
        accounts.filter((pl.col("side") != "official") & pl.col("is_current")),
        noun,
        accounts.filter(pl.col("side") == "official"),
    )
    sentences += _statuses(ctx, incident_id, accounts)
    sentences += _acknowledgement(ctx, incident, accounts, noun)
    sentences += _grade(ctx, incident_id, accounts, noun)
    for note in notes:
        sentences.append(Sentence(_sentence(str(note["value"])), (ctx.cite_override(note),)))
    return Paragraph(incident_id, heading, tuple(s for s in sentences if s.text))


def _sentence(text: str | None) -> str:
    text = " ".join(str(text or "").split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else f"{text}."


def _when(incident: dict) -> str:
    start, end, precision = incident["date_start"], incident["date_end"], incident.get("date_precision")
    if start == end:
        return long_date(start)
    if precision == 4 and (start.year, start.month) == (end.year, end.month):
        return f"{MONTHS[start.month - 1]} {start.year}"
    if precision == 5 and start.year == end.year:
        return str(start.year)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS[start.month - 1]} {start.year}"
    return f"{long_date(start)} to {long_date(end)}"


def _relations(ctx: _Context, incident: dict, accounts: pl.DataFrame, noun: str) -> list[Sentence]:
    incidents = ctx.dataset.incidents
    out = []
    related = incident.get("related_incident_id")
    if related:
        other = incidents.filter(pl.col("incident_id") == related)
        if other.height:
            row = other.row(0, named=True)
            other_noun = EVENT_NOUNS.get(row["event_type"], "incident")
            name = f"the {other_noun} “{row['title']}” of {long_date(row['date_start'])}"
            text = {
                "follow_on": f"It followed {name}",
                "context": f"It is context for {name}",
                "same_event": f"It is part of the same event as {name}",
            }.get(incident.get("relation") or "", f"It is related to {name}")
            rests = (
                accounts.filter(pl.col("follow_on_operation") == "yes")
                if incident.get("relation") == "follow_on"
                else accounts
            )
            out.append(Sentence(_sentence(text), ctx.cite(rests if rests.height else accounts)))
    followers = incidents.filter(
        (pl.col("related_incident_id") == incident["incident_id"]) & (pl.col("relation") == "follow_on")
    ).sort("date_start", "incident_id")
    for row in followers.iter_rows(named=True):
        theirs = ctx.accounts.filter(pl.col("incident_id") == row["incident_id"])
        rests = theirs.filter(pl.col("follow_on_operation") == "yes")
        other_noun = EVENT_NOUNS.get(row["event_type"], "incident")
        out.append(
            Sentence(
                _sentence(f"It was followed by the {other_noun} “{row['title']}”"),
                ctx.cite(rests if rests.height else theirs),
            )
        )
    return out


def _speaker_subject(row: dict) -> str:
    source = row["source_name"] or row["source_id"]
    speaker = " ".join(str(row["speaker"] or "").split())
    if not speaker:
        return subject_name(source)
    if source.lower() in speaker.lower() or _shares_words(source, speaker):
        return f"{speaker}," if "," in speaker else speaker
    return f"{speaker}, for {subject_name(source)},"


_GENERIC = {
    "of",
    "the",
    "and",
    "for",
    "in",
    "on",
    "russian",
    "russia",
    "federation",
    "united",
    "states",
    "syria",
    "syrian",
    "republic",
    "national",
    "state",
}


def _shares_words(source: str, speaker: str) -> bool:
    """Whether the speaker's description already names the source ("defence ministry spokesman")."""

    def words(text: str) -> set[str]:
        return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 3 and w not in _GENERIC}

    return bool(words(source) & words(speaker))


def _who(rows: pl.DataFrame) -> str:
    """The accounts of a group as "Outlet (speaker), date; ..."."""
    parts = []
    for row in rows.iter_rows(named=True):
        name = row["source_name"] or row["source_id"]
        speaker = " ".join(str(row["speaker"] or "").split())
        if speaker and _says_who_spoke(name, speaker):
            speaker = ""
        nested = "(" in name or "(" in speaker
        who = (
            f"{speaker}, for {subject_name(name)}"
            if speaker and nested
            else (f"{name} ({speaker})" if speaker else name)
        )
        parts.append(f"{who}, {long_date(row['published_date'])}")
    return "; ".join(parts)


def _says_who_spoke(name: str, speaker: str) -> bool:
    """Whether the source's ``name`` already says who spoke: every word of the speaker's first clause is in it.

    >>> _says_who_spoke("Unnamed Syrian source at the T4 (Tiyas) airfield", "unnamed Syrian source at the airfield")
    True
    >>> _says_who_spoke("Ministry of Defence of the Russian Federation", "Igor Konashenkov, defence ministry spokesman")
    False
    """
    words = set(re.findall(r"\w+", name.lower()))
    return set(re.findall(r"\w+", speaker.split(",")[0].lower())) <= words


def _clauses(claims: pl.DataFrame) -> tuple[str, str]:
    """(that-clauses, details) of one account's or one group's claims, as prose."""
    claims = claims.sort("order")
    that = claims.filter(pl.col("kind") == "that")["words"].to_list()
    details = claims.filter(pl.col("kind") == "detail")["words"].to_list()
    return (join_words([f"that {c}" for c in that]) if that else "", join_words(details))


def _official(ctx: _Context, accounts: pl.DataFrame, noun: str) -> list[Sentence]:
    official = accounts.filter(pl.col("side") == "official")
    if official.height == 0:
        return []
    claims = account_claims(official)
    out = []
    for row in official.iter_rows(named=True):
        that, details = _clauses(claims.filter(pl.col("account_id") == row["account_id"]))
        subject = _speaker_subject(row)
        when = f"on {long_date(row['published_date'])}"
        replaced = "" if row["is_current"] else ", in an account it later replaced,"
        if that:
            text = f"{subject} said {when}{replaced} {that}" + (f", and gave {details}" if details else "")
        elif details:
            text = f"{subject} said {when}{replaced} nothing on the compared points beyond giving {details}"
        else:
            text = f"{subject} spoke of the {noun} {when}{replaced} without addressing any of the compared points"
        out.append(Sentence(_sentence(text.replace(",,", ",")), ctx.cite_ids([row["account_id"]])))
    out += _changes(ctx, official)
    return out


def _changes(ctx: _Context, official: pl.DataFrame) -> list[Sentence]:
    changes = getattr(ctx.comparison, "changes", None)
    if changes is None or changes.height == 0:
        return []
    ids = official["account_id"].implode()
    mine = changes.filter(pl.col("to_account_id").is_in(ids)).with_columns(
        pl.col("attribute").replace_strict(_ORDER, default=len(_ORDER)).alias("_order")
    )
    out = []
    for (from_id, to_id), group in mine.sort("to_date", "to_account_id", "_order").group_by(
        "from_account_id", "to_account_id", maintain_order=True
    ):
        first = group.row(0, named=True)
        source = official.filter(pl.col("account_id") == to_id).row(0, named=True)
        moves = [
            f"the {_LABELS.get(r['attribute'], r['attribute'])} went from "
            f"{_stated(r['attribute'], r['from_value'])} to {_stated(r['attribute'], r['to_value'])}"
            for r in group.iter_rows(named=True)
        ]
        since, until = long_date(first["from_date"]), long_date(first["to_date"])
        when = f"on {since}" if since == until else f"between {since} and {until}"
        text = (
            f"{subject_name(source['source_name'] or source['source_id'])} later changed its account {when}: "
            f"{join_words(moves)}"
        )
        out.append(Sentence(_sentence(text), ctx.cite_ids([from_id, to_id])))
    return out


def _stated(attribute: str, value: str | None) -> str:
    text = readable_value(attribute, value or "not_stated")
    return "not stated" if text == "nothing" else text


def _plain(said: str) -> str:
    """``said`` after a verb that takes its object directly: "that ..." stays, "on the ..." too."""
    return said


def _unofficial(ctx: _Context, accounts: pl.DataFrame, noun: str, official: pl.DataFrame) -> list[Sentence]:
    if accounts.height == 0:
        return []
    from ddj.compare.corroboration import chain_labels, identity_key, operator_chains  # the comparison's own rules

    claims = account_claims(accounts)
    by_key = claims.group_by("key", maintain_order=True).agg(
        pl.col("account_id").unique().sort().alias("ids"),
        pl.col("order").first(),
        pl.col("kind").first(),
        pl.col("words").first(),
    )
    by_key = by_key.with_columns(pl.col("ids").list.join("|").alias("group"))
    groups = by_key.group_by("group", maintain_order=True).agg(pl.all())
    silent = accounts.join(claims.select("account_id").unique(), on="account_id", how="anti")
    both = pl.concat(
        [
            frame.select(
                pl.lit(0, dtype=pl.UInt32).alias("_inc"),
                pl.lit(side).alias("_off"),
                pl.col("origin").cast(pl.String),
                pl.col("reported_in").cast(pl.String),
            )
            for frame, side in ((accounts, False), (official, True))
        ]
    )
    chains = chain_labels(both)
    echo = operator_chains(chains, both.get_column("_off"))
    info = accounts.with_columns(
        identity_key(pl.col("origin").cast(pl.String)).alias("_origin"),
        chains.head(accounts.height).alias("_chain"),
        echo.head(accounts.height),
    )
    ordered = []
    for row in groups.iter_rows(named=True):
        ids = row["group"].split("|")
        members = info.filter(pl.col("account_id").is_in(ids)).sort("published_date", "account_id")
        ordered.append(
            (members["published_date"].min(), members["account_id"][0], min(row["order"]), ids, row, members)
        )
    out = []
    for _, _, _, ids, row, members in sorted(ordered, key=lambda item: item[:3]):
        group_claims = pl.DataFrame({"order": row["order"], "kind": row["kind"], "words": row["words"]})
        that, details = _clauses(group_claims)
        said = (that + (f", and gave {details}" if details else "")) if that else f"on the {noun}, giving {details}"
        who = _who(members)
        origins = members["_origin"].n_unique()
        n_chains = members.filter(~pl.col("_echo"))["_chain"].n_unique()
        if members["_echo"].all():  # outlets repeating the operator's own statement
            text = f"A report repeating the operator's own statement said {_plain(said)} ({who})"
        elif members["_echo"].any():
            text = (
                f"It was reported by {number_word(n_chains)} independent source{'s' if n_chains > 1 else ''}, and by "
                f"a report repeating the operator's own statement, {_plain(said)} ({who})"
            )
        elif members.height == 1:
            text = f"A single source reported {said} ({who})"
        elif origins == 1:
            text = (
                f"A single source reported {said}: "
                f"{number_word(members.height)} outlets repeat one origin, {members['origin'][0]} ({who})"
            )
        elif n_chains == 1:  # several origins, all known to us through one publication
            named = join_words(members.unique("_origin", keep="first", maintain_order=True)["origin"].to_list())
            text = (
                f"One publication reported {said}, citing {named}, which it does not show to be independent "
                f"of one another ({who})"
            )
        else:
            adjective = sources_adjective(members["source_kind"].fill_null("").to_list())
            kind = f"independent {adjective} sources" if adjective else "independent sources"
            text = f"It was reported by {number_word(n_chains)} {kind} {said} ({who})"
        out.append(Sentence(_sentence(text), ctx.cite_ids(ids)))
    if silent.height:
        who = _who(silent)
        out.append(
            Sentence(
                _sentence(f"Other accounts mention the {noun} without any of the details compared here ({who})"),
                ctx.cite(silent),
            )
        )
    return out


def _statuses(ctx: _Context, incident_id: str, accounts: pl.DataFrame) -> list[Sentence]:
    from ddj.compare.fit import claims_fit  # the comparison's own rules
    from ddj.compare.statuses import agrees_by_repeats_only

    attributes = ctx.comparison.attributes.filter(pl.col("incident_id") == incident_id)
    official_current = accounts.filter((pl.col("side") == "official") & pl.col("is_current"))
    has_others = accounts.filter(pl.col("side") != "official").height > 0
    out = []
    for row in attributes.filter(pl.col("status") == "contradict").iter_rows(named=True):
        label = _LABELS.get(row["attribute"], row["label"])
        official = _values_by_speaker(accounts, row["attribute"], row["official_account_ids"])
        others = _values_by_speaker(accounts, row["attribute"], row["unofficial_account_ids"])
        # Officials who give different words need not disagree ("Syrian airspace" and "crashed in Syria about 4 km
        # from the Turkish border"): the sentence says they do only where their claims cannot all be true.
        if len(official) > 1 and not claims_fit(accounts, row["attribute"], row["official_account_ids"]):
            text = (
                f"Officials and other sources contradict each other on the {label}, and the officials disagree "
                f"among themselves: {_said_by(official)}; other sources gave {_said_by(others, 'or')}"
            )
        else:
            text = (
                f"Officials and other sources contradict each other on the {label}: officials gave "
                f"{_said_by(official)}, other sources {_said_by(others, 'or')}"
            )
        out.append(
            Sentence(_sentence(text), ctx.cite_ids([*row["official_account_ids"], *row["unofficial_account_ids"]]))
        )
    # Agreement from outlets repeating the operator's own statement only (no independent origin among the accounts
    # that agree) is said as what it is: the operator's version told again, not another account agreeing with it.
    agree, repeats = pl.col("status") == "agree", agrees_by_repeats_only()
    wordings = (
        ("agree", agree & ~repeats, "Official and other accounts agree on the {labels}"),
        ("repeat", repeats, "On the {labels}, other accounts only repeat the operator's own statement"),
        ("unofficial_only", None, "Official accounts say nothing about the {labels}, which other sources report"),
        ("official_only", None, "Only official accounts speak to the {labels}"),
    )
    for status, condition, template in wordings:
        rows = attributes.filter(pl.col("status") == status if condition is None else condition)
        if rows.height == 0 or (status == "official_only" and not has_others):
            continue
        labels = join_words([_LABELS.get(a, a) for a in rows["attribute"].to_list()])
        ids = [
            i
            for column in ("official_account_ids", "unofficial_account_ids")
            for ids in rows[column].to_list()
            for i in ids
        ]
        if status == "unofficial_only":
            ids += official_current["account_id"].to_list()
        out.append(Sentence(_sentence(template.format(labels=labels)), ctx.cite_ids(ids)))
    if not has_others and official_current.height:
        out.append(Sentence("We hold no account of it from any other source.", ctx.cite(official_current)))
    return out


def _values_by_speaker(accounts: pl.DataFrame, attribute: str, ids: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The distinct values ``ids`` claim on ``attribute``, each with who gave it, in the comparison's words."""
    from ddj.compare.display import claim_text

    model = next(a for a in COMPARED_ATTRIBUTES if a.name == attribute)
    rows = (
        accounts.filter(pl.col("account_id").is_in(list(ids)))
        .sort("published_date", "account_id")
        .with_columns(claim_text(model).alias("_value"))
    )
    out: dict[str, list[str]] = {}
    for r in rows.iter_rows(named=True):
        speaker = " ".join(str(r.get("speaker") or "").split()).split(",")[0].split("(")[0].strip()
        who = speaker or subject_name(r.get("source_name") or r["source_id"])
        names = out.setdefault(readable_value(attribute, str(r["_value"])), [])
        if who not in names:
            names.append(who)
    return list(out.items())


def _said_by(values: list[tuple[str, list[str]]], conjunction: str = "and") -> str:
    """``an accident (Vladimir Putin) and friendly fire (the Ministry of Defence)``."""
    return join_words([f"{value} ({join_words(names)})" for value, names in values], conjunction=conjunction)


def _acknowledgement(ctx: _Context, incident: dict, accounts: pl.DataFrame, noun: str) -> list[Sentence]:
    rows = ctx.comparison.incidents.filter(pl.col("incident_id") == incident["incident_id"])
    if rows.height == 0 or accounts.height == 0:
        return []
    row = rows.row(0, named=True)
    others = accounts.filter(pl.col("side") != "official")
    official_unsure, other_unsure = unsure_first_days(accounts, rows).row(0)[1:]
    if not row["acknowledged"]:
        first = others.filter(pl.col("published_date") == others["published_date"].min()) if others.height else others
        # Silence is a finding only where the curators searched for official statements (official_search).
        searched = bool(row.get("official_searched", False))
        search = getattr(ctx.dataset, "official_search", None)
        text = unacknowledged(
            incident["operator"], noun, _it(noun), searched=searched, declared=bool(getattr(search, "declared", True))
        )
        since = (
            f"other sources first reported {_it(noun)} on {long_date(row['first_unofficial_date'])}"
            if row.get("first_unofficial_date")
            else ""
        )
        if since and other_unsure:
            since += ", going by accounts we mark uncertain"
        if searched or not since:
            text += f", while {since}" if since else ""
            return [Sentence(_sentence(text), ctx.cite(accounts if accounts.height else first))]
        return [Sentence(_sentence(text), ctx.cite(accounts)), Sentence(_sentence(since), ctx.cite(first))]
    official = accounts.filter(pl.col("side") == "official")
    first_official = official.filter(pl.col("published_date") == row["first_official_date"])
    days = row["days_to_official"]
    if days is None:
        after_event = ""
    elif days < 0:
        after_event = f", before the recorded date of the {noun}"
    elif days == 0:
        after_event = f", the same day as the {noun}"
    else:
        after_event = f", {number_word(days)} day{'s' if days != 1 else ''} after the {noun}"
    gap = row["days_unofficial_to_official"]
    first_other = others.filter(pl.col("published_date") == row["first_unofficial_date"]) if others.height else others
    if gap is None:
        after_others = ""
    elif gap < 0:
        after_others = " and before any other report"
    elif gap == 0:
        after_others = " and the same day as the first other report"
    else:
        after_others = f" and {number_word(gap)} day{'s' if gap != 1 else ''} after the first other report"
    if official_unsure:  # a date we are not sure of feeds no "N days later"
        text = (
            f"The operator's first official account is dated {long_date(row['first_official_date'])}, but it "
            f"rests on an account we mark uncertain, so we do not count how long the operator took to speak"
        )
        return [Sentence(_sentence(text), ctx.cite(first_official))]
    if gap is not None and other_unsure:
        after_others = (
            f"; the first other report is dated {long_date(row['first_unofficial_date'])}, going by "
            f"accounts we mark uncertain"
        )
    text = f"The operator's first official account came on {long_date(row['first_official_date'])}{after_event}"
    text += after_others if after_event or after_others.startswith(";") else after_others.replace(" and ", ", ", 1)
    return [Sentence(_sentence(text), ctx.cite(pl.concat([first_official, first_other])))]


def _grade(ctx: _Context, incident_id: str, accounts: pl.DataFrame, noun: str) -> list[Sentence]:
    rows = ctx.comparison.incidents.filter(pl.col("incident_id") == incident_id)
    if rows.height == 0 or rows["grade"][0] is None:
        return []
    row = rows.row(0, named=True)
    current = accounts.filter(pl.col("is_current"))
    keys = ctx.cite(current if current.height else accounts)
    if row.get("grade_overridden"):
        override = _override_row(ctx, row)
        text = f"An editor, {row.get('override_editor') or 'unnamed'}, set the grade to {row['grade']}"
        if row.get("override_date"):
            text += f" on {long_date(row['override_date'])}"
        if row.get("override_reason"):
            text += f": {_lower_first(_sentence(row['override_reason']))[:-1]}"
        text = _sentence(text)
        computed = row.get("computed_grade")
        if computed and computed != row["grade"]:
            text += f" The rules alone give {computed}."
        if override is not None:
            keys = (*keys, ctx.cite_override(override))
        return [Sentence(text, keys)]
    reason = str(row.get("grade_reason") or "").strip()
    prefix = f"{row['grade']}:"
    if reason.lower().startswith(prefix):
        reason = reason[len(prefix) :].strip()
    text = f"We grade {_this(noun)} {row['grade']}" + (f": {_lower_first(reason)}" if reason else "")
    return [Sentence(_sentence(text), keys)]


def _override_row(ctx: _Context, row: dict) -> dict | None:
    overrides = ctx.dataset.overrides
    if overrides.height == 0:
        return None
    if row.get("override_id"):
        found = overrides.filter(pl.col("override_id") == row["override_id"])
    else:
        found = overrides.filter((pl.col("target_table") == "grades") & (pl.col("target_id") == row["incident_id"]))
    return found.sort("decided_on", "override_id").row(-1, named=True) if found.height else None


def _it(noun: str) -> str:
    return "them" if noun.endswith("s") else "it"


def _this(noun: str) -> str:
    return f"these {noun}" if noun.endswith("s") else f"this {noun}"


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
