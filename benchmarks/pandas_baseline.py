"""The comparison's rules written plainly in pandas, one incident at a time (``groupby().apply``).

This is how a reporter would write it in a notebook: for each incident, loop over the compared
attributes and the accounts, in Python. It implements the same rules as :mod:`ddj.compare` (the
statuses, values, acknowledgement, independent origins, grades and overrides; see the README's
"Comparing accounts") without sharing any of its code, so that the benchmark's speed-up is measured
against an honest implementation and the tests can check that both give the same answers.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd

from ddj.compare.corroboration import CONFUSABLES  # data, not a rule: the same look-alike letters
from ddj.model import COMPARED_ATTRIBUTES

NO_CLAIM = ("unknown", "not_stated")
STATUSES = (
    "agree",
    "contradict",
    "official_silent",
    "no_official_record",
    "unofficial_only",
    "official_only",
    "unknown",
)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT


def _norm(text) -> str:
    if _missing(text):
        return ""
    return re.sub(r"\s+", " ", str(text).lower()).strip()


def _identity(text) -> str:
    """A source's name as the comparison judges it: NFKC, lower case, look-alike letters as Latin."""
    if _missing(text):
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"\s+", " ", "".join(CONFUSABLES.get(c, c) for c in folded)).strip()


def _chains(every: list[dict]) -> dict[str, str]:
    """Each account's chain: unofficial accounts sharing an origin or a publication are one (closed under
    that); one whose origin is an official account's origin repeats the operator (``op:`` + the origin).
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    operator = {_identity(a["origin"]) for a in every if a["side"] == "official"}
    for a in every:
        if a["side"] == "unofficial":
            links = ["o:" + _identity(a["origin"])]
            if _identity(a["reported_in"]):
                links.append("r:" + _identity(a["reported_in"]))
            for link in links:
                parent[find(link)] = find("a:" + a["account_id"])
    chains = {}
    for a in every:
        if a["side"] == "unofficial":
            members = [
                b
                for b in every
                if b["side"] == "unofficial" and find("a:" + b["account_id"]) == find("a:" + a["account_id"])
            ]
            echo = sorted(_identity(b["origin"]) for b in members if _identity(b["origin"]) in operator)
            chains[a["account_id"]] = ("op:" + echo[0]) if echo else find("a:" + a["account_id"])
        else:
            chains[a["account_id"]] = "official:" + a["account_id"]
    return chains


_SEPARATORS = re.compile(r"[\s\-/.,()]+")


def _words(text) -> str:
    """Lower case, with white space, '-', '/', '.', ',' and parentheses as one separator space."""
    if _missing(text):
        return ""
    return _SEPARATORS.sub(" ", str(text).lower()).strip()


def _words_fit(a: str, b: str) -> bool:
    """One text is the other less specific: a run of its whole words, or a designation without its variant
    suffix (the shorter ends with a digit where the longer goes on with a letter).
    """
    if f" {a} " in f" {b} " or f" {b} " in f" {a} ":
        return True
    for short, long in ((a, b), (b, a)):
        if (
            len(long) > len(short)
            and long.startswith(short)
            and short[-1:] in "0123456789"
            and short
            and long[len(short)].isalpha()
        ):
            return True
    return False


def _strip(text) -> str:
    return "" if _missing(text) else str(text).strip()


def _read_claim(account, attribute):
    """(claims?, ranges/point for comparing, sort key, text to show, identity, own word) of one account."""
    kind = attribute.kind
    if kind in ("category", "text"):
        (column,) = attribute.columns
        raw = account[column]
        shown = _strip(raw)
        norm = _words(raw) if kind == "text" else shown
        claims = norm not in NO_CLAIM and norm != ""
        return claims, (norm, norm), shown, shown, norm, shown
    if kind == "date":
        (column,) = attribute.columns
        raw = account[column]
        try:
            day = dt.date.fromisoformat(_strip(raw))
        except ValueError:
            return False, None, None, None, None, raw
        return True, (day, day), day, day.isoformat(), day, raw
    if kind == "count":
        claim, low, best, high = attribute.columns
        if account[claim] != "figure":
            return False, None, None, None, None, account[claim]
        numbers = [account[low], account[best], account[high]]
        numbers = [None if _missing(x) else int(x) for x in numbers]
        lo = min(x for x in numbers if x is not None)
        hi = max(x for x in numbers if x is not None)
        shown = str(lo) if lo == hi else f"{lo}–{hi}"
        return True, (lo, hi), (lo, hi), shown, (lo, hi), account[claim]
    if kind == "place":
        country_col, place_col = attribute.columns
        country, place = _strip(account[country_col]), _strip(account[place_col])
        country_norm, place_norm = _words(country), _words(place)
        has_country = country_norm not in NO_CLAIM and country_norm != ""
        has_place = place_norm not in NO_CLAIM and place_norm != ""
        if not (has_country or has_place):
            return False, None, None, None, None, f"{account[country_col]}: {account[place_col]}"
        value = (country_norm if has_country else None, place_norm if has_place else "")
        key = (country if has_country else "", place if has_place else "")
        shown = ": ".join(part for part in key if part)
        identity = (country_norm if has_country else None, place_norm if has_place else None)
        return True, value, key, shown, identity, f"{account[country_col]}: {account[place_col]}"
    raise ValueError(kind)


def _fits(kind: str, a, b) -> bool:
    if kind == "place":  # only the countries are judged; place texts within one country are not
        (country_a, _), (country_b, _) = a, b
        return country_a is None or country_b is None or country_a == country_b
    if kind == "text":
        return _words_fit(a[0], b[0])
    return not (a[1] < b[0] or b[1] < a[0])


def _per_incident(group: pd.DataFrame, searched: frozenset = frozenset()) -> pd.Series:
    every = group.to_dict("records")
    # Silence is a finding only where the curators declared that they searched for official statements.
    looked = group.name in searched
    chain = _chains(every)
    current = [a for a in every if a["is_current"]]
    official_ever = [a for a in every if a["side"] == "official"]
    unofficial_ever = [a for a in every if a["side"] == "unofficial"]
    acknowledged = len(official_ever) > 0
    rows = []
    # (origin, fits the official claims?, backs the operator on a contradicted attribute?) for unofficial claims
    # that meet an official one
    origin_claims = []
    disagree = False
    official_claims_any = False
    for attribute in COMPARED_ATTRIBUTES:
        sides = {"official": [], "unofficial": []}
        for account in current:
            claims, value, key, shown, _, _ = _read_claim(account, attribute)
            if claims:
                sides[account["side"]].append((account["account_id"], value, key, shown, chain[account["account_id"]]))
        official, unofficial = sides["official"], sides["unofficial"]
        contradiction = any(not _fits(attribute.kind, o[1], u[1]) for o in official for u in unofficial)
        if official and unofficial:
            status = "contradict" if contradiction else "agree"
        elif unofficial:
            status = "unofficial_only" if acknowledged else "official_silent" if looked else "no_official_record"
        elif official:
            status = "official_only"
        else:
            status = "unknown"
        official_claims_any = official_claims_any or bool(official)
        if attribute.kind != "text" or not official:
            values = sorted({u[1] for u in unofficial}, key=repr)
            disagree = disagree or any(
                not _fits(attribute.kind, a, b) for i, a in enumerate(values) for b in values[i + 1 :]
            )
        for u in unofficial:
            if official:
                fits = all(_fits(attribute.kind, o[1], u[1]) for o in official)
                # A place that names no country fits any place: it is no contradiction, and no support either.
                judged = attribute.kind != "place" or u[1][0] is not None
                if not u[4].startswith("op:"):  # an outlet repeating the operator is no independent voice
                    origin_claims.append((u[4], fits, fits and judged and status == "contradict"))
        rows.append(
            {
                "attribute": attribute.name,
                "official_values": [s for _, s in sorted({(o[2], o[3]) for o in official})],
                "unofficial_values": [s for _, s in sorted({(u[2], u[3]) for u in unofficial})],
                "official_account_ids": sorted(o[0] for o in official),
                "unofficial_account_ids": sorted(u[0] for u in unofficial),
                "n_unofficial_origins": len({u[4] for u in unofficial if not u[4].startswith("op:")}),
                "status": status,
            }
        )
    statuses = [row["status"] for row in rows]
    # Points on which an account independent of the operator agrees with it (an outlet repeating it backs nothing).
    backed = sum(row["status"] == "agree" and row["n_unofficial_origins"] > 0 for row in rows)
    n_contradict = statuses.count("contradict")
    supporting = contradicting = 0
    if n_contradict:
        contradicts: dict[str, bool] = {}
        backs: dict[str, bool] = {}
        for origin, fits, backing in origin_claims:
            contradicts[origin] = contradicts.get(origin, False) or not fits
            backs[origin] = backs.get(origin, False) or backing
        contradicting = sum(contradicts.values())
        supporting = sum(1 for origin in backs if backs[origin] and not contradicts[origin])
    origins = len(
        {
            chain[a["account_id"]]
            for a in current
            if a["side"] == "unofficial" and not chain[a["account_id"]].startswith("op:")
        }
    )
    official_first = min(a["published_date"] for a in official_ever) if acknowledged else None
    unofficial_first = min(a["published_date"] for a in unofficial_ever) if unofficial_ever else None
    date_start = every[0]["date_start"]
    return pd.Series(
        {
            "n_accounts": len(current),
            "n_official": sum(a["side"] == "official" for a in current),
            "n_unofficial": sum(a["side"] == "unofficial" for a in current),
            "n_superseded": len(every) - len(current),
            "n_unofficial_origins": origins,
            "n_supporting_origins": supporting,
            "n_contradicting_origins": contradicting,
            "acknowledged": acknowledged,
            "official_searched": looked,
            "first_official_date": official_first,
            "first_unofficial_date": unofficial_first,
            "days_to_official": (official_first - date_start).days if acknowledged else None,
            "days_unofficial_to_official": (official_first - unofficial_first).days
            if acknowledged and unofficial_first is not None
            else None,
            "official_changed": _official_changed(every),
            **{f"n_{status}": statuses.count(status) for status in STATUSES},
            "computed_grade": _grade(
                len(current),
                n_contradict,
                supporting,
                contradicting,
                official_claims_any,
                origins,
                disagree,
                backed,
            ),
            "attributes": rows,
        }
    )


def _official_changed(accounts: list[dict]) -> bool:
    by_id = {account["account_id"]: account for account in accounts}
    for account in accounts:
        earlier = account["supersedes_account_id"]
        if account["side"] != "official" or _missing(earlier) or earlier not in by_id:
            continue
        for attribute in COMPARED_ATTRIBUTES:
            before = _read_claim(by_id[earlier], attribute)
            after = _read_claim(account, attribute)
            if (
                before[0] != after[0]
                or (before[0] and before[4] != after[4])
                or (not before[0] and before[5] != after[5])
            ):
                return True
    return False


def _grade(
    accounts: int,
    contradictions: int,
    supporting: int,
    contradicting: int,
    official: bool,
    origins: int,
    disagree: bool,
    backed: int,
) -> str:
    if accounts == 0:
        return "weak"
    if contradictions and supporting >= 2 and supporting > 2 * contradicting:
        return "discounted"
    if contradictions:
        return "contested"
    if official:
        return "confirmed" if backed else "uncorroborated"
    if origins >= 2 and not disagree:
        return "fair"
    return "weak"


def compare_pandas(
    incidents: pd.DataFrame,
    accounts: pd.DataFrame,
    overrides: pd.DataFrame,
    as_of: dt.date | None = None,
    searched: frozenset | set = frozenset(),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (incidents summary, per-attribute table) as pandas frames, sorted like ddj's.

    The frames come from a dataset's tables (``table.to_pandas()``); dates may be pandas
    timestamps or Python dates. ``searched`` holds the ids of the incidents on which the curators
    declared a search for official statements (the dataset's ``official_search``).
    """
    accounts = accounts.copy()
    for column in ("published_date",):
        accounts[column] = pd.to_datetime(accounts[column]).dt.date
    if as_of is not None:
        accounts = accounts[accounts["published_date"] <= as_of]
    superseded = set(accounts["supersedes_account_id"].dropna())
    accounts["is_current"] = ~accounts["account_id"].isin(superseded)
    starts = incidents[["incident_id", "date_start"]].copy()
    starts["date_start"] = pd.to_datetime(starts["date_start"]).dt.date
    accounts = accounts.merge(starts, on="incident_id", how="left")
    searched = frozenset(searched)
    summary = accounts.groupby("incident_id", sort=True).apply(_per_incident, searched, include_groups=False)
    found = {incident_id: row.to_dict() for incident_id, row in summary.iterrows()}
    records = [
        {"incident_id": i, **found.get(i, _no_accounts(i in searched))} for i in sorted(incidents["incident_id"])
    ]
    attribute_rows = [{"incident_id": r["incident_id"], **row} for r in records for row in r.pop("attributes")]
    summary = pd.DataFrame(records)
    summary["grade"] = summary["computed_grade"]
    summary["grade_overridden"] = False
    decisions = overrides[(overrides["target_table"] == "grades") & (overrides["field"] == "grade")].copy()
    if as_of is not None and len(decisions):
        decisions = decisions[pd.to_datetime(decisions["decided_on"]).dt.date <= as_of]
    decisions = decisions.sort_values(["target_id", "decided_on", "override_id"]).drop_duplicates(
        "target_id", keep="last"
    )
    position = {incident_id: i for i, incident_id in enumerate(summary["incident_id"])}
    for _, decision in decisions.iterrows():
        row = position[decision["target_id"]]
        summary.loc[row, "grade"] = decision["value"]
        summary.loc[row, "grade_overridden"] = True
    return summary, pd.DataFrame(attribute_rows)


def _no_accounts(searched: bool) -> dict:
    rows = [
        {
            "attribute": a.name,
            "official_values": [],
            "unofficial_values": [],
            "official_account_ids": [],
            "unofficial_account_ids": [],
            "n_unofficial_origins": 0,
            "status": "unknown",
        }
        for a in COMPARED_ATTRIBUTES
    ]
    return {
        "n_accounts": 0,
        "n_official": 0,
        "n_unofficial": 0,
        "n_superseded": 0,
        "n_unofficial_origins": 0,
        "n_supporting_origins": 0,
        "n_contradicting_origins": 0,
        "acknowledged": False,
        "official_searched": searched,
        "first_official_date": None,
        "first_unofficial_date": None,
        "days_to_official": None,
        "days_unofficial_to_official": None,
        "official_changed": False,
        **{f"n_{status}": 0 for status in STATUSES},
        "n_unknown": len(rows),
        "computed_grade": "weak",
        "attributes": rows,
    }
