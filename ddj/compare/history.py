"""Supersession: which accounts are current, which replaced which, and what official accounts changed.

An account that names an earlier account of the same source in ``supersedes_account_id`` replaces
it: the earlier one stays in the history (``is_current`` false, ``superseded_by`` naming its
replacement) and only current accounts are compared. When two accounts replace the same one, the
earlier published (then the smaller id) is named in ``superseded_by``.
"""

from __future__ import annotations

import polars as pl

from ddj.compare.claims import ATTRIBUTE_DTYPE, Encoder, code_columns

CHANGE_COLUMNS = (
    "incident_id",
    "source_id",
    "from_account_id",
    "to_account_id",
    "from_date",
    "to_date",
    "attribute",
    "from_value",
    "to_value",
)


def currency(accounts: pl.DataFrame) -> pl.DataFrame:
    """Return ``account_id``, ``is_current`` and ``superseded_by`` for every account, in input order.

    Examples
    --------
    >>> acc = pl.DataFrame({"account_id": ["a", "b"], "supersedes_account_id": [None, "a"],
    ...                     "published_date": [None, None]}, schema_overrides={"published_date": pl.Date})
    >>> currency(acc).rows()
    [('a', False, 'b'), ('b', True, None)]

    Account ``b`` replaces ``a``: ``a`` stays in the history, ``b`` is the one compared.
    """
    replaced = (
        accounts.filter(pl.col("supersedes_account_id").is_not_null())
        .select(
            pl.col("supersedes_account_id").alias("account_id"),
            pl.col("account_id").alias("superseded_by"),
            pl.col("published_date").alias("_published"),
        )
        .sort("account_id", "_published", "superseded_by", nulls_last=True)
        .unique("account_id", keep="first", maintain_order=True)
        .select("account_id", "superseded_by")
    )
    return (
        accounts.select("account_id")
        .join(replaced, on="account_id", how="left", maintain_order="left")
        .select("account_id", pl.col("superseded_by").is_null().alias("is_current"), "superseded_by")
    )


def official_changes(accounts: pl.DataFrame, encoders: list[Encoder]) -> pl.DataFrame:
    """One row per attribute on which an official account differs from the earlier account it replaces.

    ``from_value`` and ``to_value`` are rendered as the comparison renders values; an account that
    makes no claim shows its own word (``not_stated``, ``unknown``). Two versions that say the same
    thing after normalisation (other capitals or spacing) are not a change.
    """
    links = accounts.filter(pl.col("supersedes_account_id").is_not_null() & (pl.col("side") == "official")).select(
        "incident_id",
        "source_id",
        pl.col("supersedes_account_id").alias("from_account_id"),
        pl.col("account_id").alias("to_account_id"),
        pl.col("published_date").alias("to_date"),
    )
    if links.height == 0:
        return _empty_changes()
    involved = pl.concat([links["from_account_id"], links["to_account_id"]]).unique().implode()
    subset = accounts.filter(pl.col("account_id").is_in(involved)).with_columns(code_columns(encoders))
    encoded = subset.select(
        "account_id",
        "published_date",
        *[
            expr.alias(f"{part}{i}")
            for i, enc in enumerate(encoders)
            for part, expr in (
                ("c", enc.claim),
                ("k", enc.ident),
                ("w", enc.word),
                ("v", pl.when(enc.claim).then(enc.render(enc.vkey)).otherwise(enc.word)),
            )
        ],
    )
    before = encoded.rename(lambda c: f"from_{c}" if c != "account_id" else "from_account_id")
    after = encoded.rename(lambda c: f"to_{c}" if c != "account_id" else "to_account_id").drop("to_published_date")
    joined = links.join(before, on="from_account_id", how="inner").join(after, on="to_account_id", how="inner")
    parts = []
    for i, enc in enumerate(encoders):
        claim_a, claim_b = pl.col(f"from_c{i}"), pl.col(f"to_c{i}")
        differs = (
            (claim_a != claim_b)
            | (claim_a & (pl.col(f"from_k{i}") != pl.col(f"to_k{i}")))
            | (~claim_a & (pl.col(f"from_w{i}") != pl.col(f"to_w{i}")))
        )
        parts.append(
            joined.filter(differs.fill_null(True)).select(
                "incident_id",
                "source_id",
                "from_account_id",
                "to_account_id",
                pl.col("from_published_date").alias("from_date"),
                "to_date",
                pl.lit(enc.attribute.name, dtype=ATTRIBUTE_DTYPE).alias("attribute"),
                pl.lit(i, dtype=pl.UInt8).alias("_order"),
                pl.col(f"from_v{i}").alias("from_value"),
                pl.col(f"to_v{i}").alias("to_value"),
            )
        )
    return pl.concat(parts).sort("incident_id", "to_date", "to_account_id", "_order").drop("_order")


def _empty_changes() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "incident_id": pl.String,
            "source_id": pl.String,
            "from_account_id": pl.String,
            "to_account_id": pl.String,
            "from_date": pl.Date,
            "to_date": pl.Date,
            "attribute": ATTRIBUTE_DTYPE,
            "from_value": pl.String,
            "to_value": pl.String,
        }
    )
