"""Rules for incident datasets beyond the Table Schema: dates in order, counts as ranges, links, supersession.

Each rule is a polars expression over a typed frame; :func:`incident_problems` lists what breaks
them and :func:`incident_caveats` what a reader should know without the data being wrong.
"""

from __future__ import annotations

import polars as pl

from ddj.datasets.tableschema import ROW, make_check, run_checks
from ddj.errors import Problem
from ddj.model import ACCOUNT_FIELDS, COMPARED_ATTRIBUTES, GRADES, INCIDENT_RESOURCES

URL_PATTERN = r"(?i)^https?://[^\s/?#]+\.[^\s/?#]+[^\s]*$"  # schemes and hosts are case-insensitive
#: A link with a user name or password before its host (``https://user:secret@host/``).
URL_CREDENTIALS = r"(?i)^https?://[^/?#]*@"
#: The largest count a claim may give: the comparison holds counts as 32-bit whole numbers.
MAX_COUNT = 2**31 - 1
_URL_COLUMNS = {"accounts": ("url", "archive_url")}


def _displays(files: dict[str, str], name: str) -> str:
    return files.get(name, f"{name}.csv")


_MONITOR = "_monitor_figures"


def _monitor_figures(accounts: pl.DataFrame, sources: pl.DataFrame | None) -> pl.Expr:
    """Whether an account gives a monitor's own figures as the monitor published them: its source is a monitor or
    NGO and the account is marked uncertain. A monitor's low above its best is its inconsistency, kept as data and
    shown as a caveat (see :func:`incident_caveats`), not a reason to refuse the file.
    """
    if sources is None or "kind" not in sources.columns or sources.height == 0:
        return pl.lit(False).alias(_MONITOR)
    monitors = sources.filter(pl.col("kind").cast(pl.String) == "monitor_ngo")["source_id"].cast(pl.String)
    return (
        (
            pl.col("source_id").cast(pl.String).is_in(monitors.implode())
            & (pl.col("certainty").cast(pl.String) == "uncertain")
        )
        .fill_null(False)
        .alias(_MONITOR)
    )


def incident_problems(tables: dict[str, pl.DataFrame], files: dict[str, str]) -> list[Problem]:
    """Problems that break the incident model's cross-field and cross-table rules."""
    problems: list[Problem] = []
    incidents = tables["incidents"]
    accounts = tables["accounts"]
    overrides = tables["overrides"]

    inc_checks = [
        make_check(
            "date_end",
            "date_order",
            "DateOrderViolation",
            pl.col("date_end") < pl.col("date_start"),
            "date_end {value} is before date_start",
            "make date_end the same as or later than date_start",
        ),
        make_check(
            "related_incident_id",
            "self_reference",
            "ConsistencyViolation",
            pl.col("related_incident_id") == pl.col("incident_id"),
            "{value} points at the incident itself",
            "name another incident, or leave it empty",
        ),
        make_check(
            "relation",
            "relation_without_related",
            "ConsistencyViolation",
            pl.col("relation").is_not_null() & pl.col("related_incident_id").is_null(),
            "{value} is given but related_incident_id is empty",
            "fill related_incident_id or empty the relation",
        ),
        make_check(
            "relation",
            "related_without_relation",
            "ConsistencyViolation",
            pl.col("relation").is_null() & pl.col("related_incident_id").is_not_null(),
            "is empty but related_incident_id is given",
            "write follow_on, context or same_event",
        ),
        make_check(
            "longitude",
            "coordinates_pair",
            "ConsistencyViolation",
            pl.col("latitude").is_null() != pl.col("longitude").is_null(),
            "latitude and longitude must both be given or both be empty (longitude is {value})",
            "fill both coordinates or neither",
        ),
    ]
    problems += run_checks(incidents.with_row_index(ROW, offset=2), inc_checks, _displays(files, "incidents"))

    acc_display = _displays(files, "accounts")
    acc = accounts.with_row_index(ROW, offset=2).with_columns(_monitor_figures(accounts, tables.get("sources")))
    acc_checks = []
    for attribute in COMPARED_ATTRIBUTES:
        if attribute.kind != "count":
            continue
        claim, low, best, high = attribute.columns
        numbers = [pl.col(low), pl.col(best), pl.col(high)]
        any_number = pl.any_horizontal([n.is_not_null() for n in numbers])
        acc_checks += [
            make_check(
                column,
                "count_limit",
                "RangeViolation",
                pl.col(column) > MAX_COUNT,
                f"{{value}} is above {MAX_COUNT:,}, the largest count ddj can compare",
                "check the figure: a count of people or aircraft is never this large",
            )
            for column in (low, best, high)
        ]
        acc_checks += [
            make_check(
                low,
                "count_order",
                "CountRangeViolation",
                pl.col(low).is_not_null()
                & pl.col(best).is_not_null()
                & (pl.col(low) > pl.col(best))
                & ~pl.col(_MONITOR),
                "low figure {value} is above the best figure",
                f"make {low} ≤ {best} ≤ {high}",
            ),
            make_check(
                high,
                "count_order",
                "CountRangeViolation",
                pl.col(high).is_not_null()
                & pl.col(best).is_not_null()
                & (pl.col(best) > pl.col(high))
                & ~pl.col(_MONITOR),
                "high figure {value} is below the best figure",
                f"make {low} ≤ {best} ≤ {high}",
            ),
            make_check(
                high,
                "count_order",
                "CountRangeViolation",
                pl.col(high).is_not_null()
                & pl.col(low).is_not_null()
                & (pl.col(low) > pl.col(high))
                & ~pl.col(_MONITOR),
                "high figure {value} is below the low figure",
                f"make {low} ≤ {best} ≤ {high}",
            ),
            make_check(
                claim,
                "count_claim",
                "CountRangeViolation",
                (pl.col(claim) == "figure") & pl.col(best).is_null() & (pl.col(low).is_null() | pl.col(high).is_null()),
                "says 'figure' but no figure is given",
                f"fill {best} (or both {low} and {high}), or change the claim to unknown or not_stated",
            ),
            make_check(
                claim,
                "count_claim",
                "CountRangeViolation",
                (pl.col(claim) != "figure") & any_number,
                "is {value} but figures are given",
                f"write 'figure' in {claim}, or empty {low}, {best} and {high}",
            ),
        ]
    # Only a claimed date of the form YYYY-MM-DD can fail to exist; other forms break the column's pattern.
    dated = pl.col("claimed_date").str.contains(r"^\d{4}-\d{2}-\d{2}$")
    acc_checks.append(
        make_check(
            "claimed_date",
            "date",
            "TypeViolation",
            dated & pl.col("claimed_date").str.strptime(pl.Date, "%Y-%m-%d", strict=False).is_null(),
            "{value} is not a date that exists",
            "write a real date as YYYY-MM-DD, or unknown or not_stated",
        )
    )
    for column in _URL_COLUMNS["accounts"]:
        acc_checks.append(
            make_check(
                column,
                "url",
                "UrlViolation",
                pl.col(column).is_not_null() & ~pl.col(column).str.contains(URL_PATTERN),
                "{value} is not an http or https link",
                "write a full address starting with http:// or https://, or leave it empty (never guess a link)",
            )
        )
        acc_checks.append(
            make_check(
                column,
                "url_credentials",
                "UrlViolation",
                pl.col(column).str.contains(URL_PATTERN) & pl.col(column).str.contains(URL_CREDENTIALS),
                "the link holds a user name or password before the host (not repeated here)",
                "remove the 'user:password@' part: a published link must not carry credentials "
                "(and change the password if it was real)",
            )
        )
    acc_checks += [
        make_check(
            "accessed_date",
            "date_order",
            "DateOrderViolation",
            pl.col("accessed_date") < pl.col("published_date"),
            "accessed {value}, before the account was published",
            "check accessed_date and published_date",
        ),
        make_check(
            "supersedes_account_id",
            "self_reference",
            "ConsistencyViolation",
            pl.col("supersedes_account_id") == pl.col("account_id"),
            "{value} supersedes itself",
            "name the earlier account it replaces, or leave it empty",
        ),
    ]
    problems += run_checks(acc, acc_checks, acc_display)

    # Accounts published before their incident could have happened.
    # (Only the columns the check reads are joined: at millions of accounts a join of every column costs gigabytes.)
    joined = acc.select(ROW, "incident_id", "published_date").join(
        incidents.select("incident_id", "date_start"), on="incident_id", how="left"
    )
    problems += run_checks(
        joined,
        [
            make_check(
                "published_date",
                "date_order",
                "DateOrderViolation",
                pl.col("published_date") < pl.col("date_start"),
                "{value} is before the incident's date_start",
                "check the account's published_date and the incident's dates",
            ),
        ],
        acc_display,
    )

    # A superseding account must come from the same source, about the same incident, not earlier.
    earlier = accounts.select(
        pl.col("account_id").alias("supersedes_account_id"),
        pl.col("source_id").alias("_prev_source"),
        pl.col("incident_id").alias("_prev_incident"),
        pl.col("published_date").alias("_prev_published"),
    )
    chained = (
        acc.filter(pl.col("supersedes_account_id").is_not_null())
        .select(ROW, "supersedes_account_id", "source_id", "incident_id", "published_date")
        .join(earlier, on="supersedes_account_id", how="inner")
    )
    problems += run_checks(
        chained,
        [
            make_check(
                "supersedes_account_id",
                "supersede_source",
                "ConsistencyViolation",
                pl.col("_prev_source") != pl.col("source_id"),
                "{value} comes from another source; an account can only replace one from the same source",
                "point at an earlier account of the same source, or leave it empty",
            ),
            make_check(
                "supersedes_account_id",
                "supersede_incident",
                "ConsistencyViolation",
                pl.col("_prev_incident") != pl.col("incident_id"),
                "{value} is about another incident",
                "point at an account about the same incident",
            ),
            make_check(
                "supersedes_account_id",
                "supersede_order",
                "DateOrderViolation",
                pl.col("_prev_published") > pl.col("published_date"),
                "{value} was published after the account that replaces it",
                "swap the two, or correct the published dates",
            ),
        ],
        acc_display,
    )
    problems += _supersession_cycles(acc, acc_display)
    problems += _override_problems(tables, overrides, _displays(files, "overrides"))
    return problems


def _supersession_cycles(acc: pl.DataFrame, display: str) -> list[Problem]:
    """Accounts whose chain of supersession loops back on itself (found by pointer jumping)."""
    links = acc.select("account_id", pl.col("supersedes_account_id").alias("next")).filter(pl.col("next").is_not_null())
    if links.height == 0:
        return []
    walk = links.with_columns(pl.col("next").alias("pos"))
    step = links.rename({"account_id": "pos", "next": "pos_next"})
    # After k rounds "pos" is 2**k links down the chain; a chain longer than the table is a loop.
    for _ in range(max(1, links.height.bit_length() + 1)):
        walk = walk.join(step, on="pos", how="left").with_columns(pl.col("pos_next").alias("pos")).drop("pos_next")
        walk = walk.filter(pl.col("pos").is_not_null())
        step = (
            step.join(step.rename({"pos": "pos_next", "pos_next": "pos_next2"}), on="pos_next", how="left")
            .select("pos", pl.col("pos_next2").alias("pos_next"))
            .filter(pl.col("pos_next").is_not_null())
        )
        if walk.height == 0:
            return []
    # Every walk has run at least as many links as the table has rows, so it now stands on a loop: the
    # positions reached are the accounts on loops (accounts that only lead into a loop are not among them).
    looped = acc.join(walk.select(pl.col("pos").alias("account_id")).unique(), on="account_id", how="semi")
    return run_checks(
        looped,
        [
            make_check(
                "supersedes_account_id",
                "supersede_cycle",
                "ConsistencyViolation",
                pl.lit(True),
                "{value} leads to a chain of supersessions that loops back to this account",
                "break the loop: the earliest account must not supersede anything",
            ),
        ],
        display,
    )


def _override_problems(tables: dict[str, pl.DataFrame], overrides: pl.DataFrame, display: str) -> list[Problem]:
    if overrides.height == 0:
        return []
    problems = []
    indexed = overrides.with_row_index(ROW, offset=2)
    target_ids = {
        "incidents": tables["incidents"]["incident_id"],
        "grades": tables["incidents"]["incident_id"],
        "accounts": tables["accounts"]["account_id"],
    }
    fields = {
        # narrative_note: an editor's sentence added to the incident's narrative (see ddj.narrative.editors)
        "incidents": [f.name for f in INCIDENT_RESOURCES[0].fields] + ["narrative_note"],
        "accounts": [f.name for f in ACCOUNT_FIELDS],
        "grades": ["grade"],
    }
    checks = []
    for table, ids in target_ids.items():
        in_table = pl.col("target_table") == table
        id_table = "incidents" if table == "grades" else table  # a grade is given to an incident
        checks += [
            make_check(
                "target_id",
                "foreign_key",
                "ForeignKeyViolation",
                in_table & ~pl.col("target_id").is_in(ids.implode()),
                f"{{value}} is not an id in {id_table}",
                f"use an id that exists in {id_table}",
            ),
            make_check(
                "field",
                "override_field",
                "ConsistencyViolation",
                in_table & ~pl.col("field").is_in(fields[table]),
                f"{{value}} is not a field of {table}",
                "name a field: " + ", ".join(fields[table]),
            ),
        ]
    checks.append(
        make_check(
            "value",
            "enum",
            "EnumViolation",
            (pl.col("target_table") == "grades") & ~pl.col("value").is_in(list(GRADES)),
            "{value} is not a grade",
            "write one of: " + ", ".join(GRADES),
        )
    )
    problems += run_checks(indexed, checks, display)
    return problems


def _monitor_order_caveats(
    accounts: pl.DataFrame, sources: pl.DataFrame | None, files: dict[str, str]
) -> list[Problem]:
    """A caveat for each count a monitor published out of order (low above best, best above high), kept as given."""
    needed = {"source_id", "certainty"}
    if not needed <= set(accounts.columns):
        return []
    acc = (
        accounts.with_row_index(ROW, offset=2)
        .with_columns(_monitor_figures(accounts, sources))
        .filter(pl.col(_MONITOR))
    )
    out: list[Problem] = []
    if acc.height == 0:
        return out
    for attribute in COMPARED_ATTRIBUTES:
        if attribute.kind != "count":
            continue
        _, low, best, high = attribute.columns
        lo, be, hi = pl.col(low), pl.col(best), pl.col(high)
        odd = acc.filter(((lo > be) | (be > hi) | (lo > hi)).fill_null(False))
        for row in odd.select(ROW, "account_id", low, best, high).iter_rows(named=True):
            out.append(
                Problem(
                    _displays(files, "accounts"),
                    row[ROW],
                    low,
                    str(row["account_id"]),
                    "monitor_count_order",
                    f"account {row['account_id']}: the monitor's own {attribute.label} figures are out of order "
                    f"(low {row[low]}, best {row[best]}, high {row[high]}); kept as the monitor published them",
                    "read the range with care; the comparison treats the figures as a range "
                    "from the lowest to the highest",
                    "caveat",
                )
            )
    return out


def incident_caveats(tables: dict[str, pl.DataFrame], files: dict[str, str]) -> list[Problem]:
    """Caveats that do not make the data invalid but that a reader must know."""
    incidents = tables["incidents"].with_row_index(ROW, offset=2)
    accounts = tables["accounts"]
    official = accounts.filter(pl.col("side") == "official").select("incident_id").unique()
    any_account = accounts.select("incident_id").unique()
    display = _displays(files, "incidents")
    checks = [
        make_check(
            "incident_id",
            "no_official_account",
            "caveat",
            ~pl.col("incident_id").is_in(official["incident_id"].implode())
            & pl.col("incident_id").is_in(any_account["incident_id"].implode()),
            "{value} has no official account: the operator has said nothing we recorded",
            "this is not an error, and it is a finding (official silence) only where the package declares "
            'a search for official statements ("official_search"); keep it unless an official account '
            "was missed",
        ),
        make_check(
            "incident_id",
            "no_account",
            "caveat",
            ~pl.col("incident_id").is_in(any_account["incident_id"].implode()),
            "{value} has no account at all",
            "add the accounts the incident rests on",
        ),
        make_check(
            "date_precision",
            "missing_precision",
            "caveat",
            pl.col("date_precision").is_null(),
            "incident {value}: date_precision is missing",
            "add a code from 1 (exact day) to 5 (within a year)",
            value_column="incident_id",
        ),
        make_check(
            "location_precision",
            "missing_precision",
            "caveat",
            pl.col("location_precision").is_null(),
            "incident {value}: location_precision is missing",
            "add a code from 1 (exact) to 7 (over water or airspace)",
            value_column="incident_id",
        ),
        make_check(
            "latitude",
            "no_coordinates",
            "caveat",
            pl.col("latitude").is_null(),
            "incident {value} has no coordinates and cannot be placed on a map",
            "add approximate coordinates and a precision code",
            value_column="incident_id",
        ),
    ]
    caveats = run_checks(incidents, checks, display)
    caveats += _monitor_order_caveats(accounts, tables.get("sources"), files)
    uncertain = accounts.filter(pl.col("certainty") == "uncertain")["account_id"]
    if uncertain.len():
        shown = ", ".join(uncertain.head(12).to_list()) + (", ..." if uncertain.len() > 12 else "")
        caveats.append(
            Problem(
                _displays(files, "accounts"),
                None,
                "certainty",
                None,
                "uncertain",
                f"{uncertain.len()} of {accounts.height} accounts are marked uncertain (their notes say why): {shown}",
                "confirm the details and set certainty to reported where you can",
                "caveat",
            )
        )
    return caveats
