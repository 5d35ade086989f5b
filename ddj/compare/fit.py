"""Whether a handful of accounts' claims on one attribute can all be true at once, by the comparison's own rules.

The comparison decides fit between the sides for every incident at once (:mod:`~ddj.compare.statuses`); a
sentence about one incident sometimes needs it within a side: two officials who give different words for
the place ("Syrian airspace", "crashed in Syria about 4 km from the Turkish border") have not contradicted each
other, while a minister's "friendly fire" and a president's "accident" have. :func:`claims_fit` answers that
for a few accounts, with the same codebooks and the same rules: ranges that all overlap (counts, dates, a
place's country, vocabulary words), texts of which each pair is one the less specific form of the other.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ddj.compare.claims import code_columns, encoder
from ddj.errors import InvalidValueError
from ddj.model import COMPARED_ATTRIBUTES

__all__ = ["claims_fit"]


def claims_fit(accounts: pl.DataFrame, attribute: str, account_ids: Sequence[str]) -> bool:
    """Whether the claims the accounts ``account_ids`` make on ``attribute`` can all be true at once.

    An account that makes no claim on the attribute (``not_stated``, ``unknown``, empty) counts for nothing;
    a place that names no country fits any other.

    Parameters
    ----------
    accounts : polars.DataFrame
        Accounts with their raw claim columns (a dataset's ``accounts``, or some of them) holding every
        one of ``account_ids``.
    attribute : str
        The name of a compared attribute (:data:`ddj.model.COMPARED_ATTRIBUTES`).
    account_ids : sequence of str
        The accounts whose claims are set against one another.

    Raises
    ------
    InvalidValueError
        ``attribute`` is not a compared attribute.

    Examples
    --------
    >>> accounts = pl.DataFrame({"account_id": ["a", "b", "c"], "cause": ["friendly_fire", "accident",
    ...                          "friendly_fire"]})
    >>> claims_fit(accounts, "cause", ["a", "c"]), claims_fit(accounts, "cause", ["a", "b"])
    (True, False)

    Two accounts that give friendly fire fit each other; friendly fire and an accident cannot both be true.
    """
    model = next((a for a in COMPARED_ATTRIBUTES if a.name == attribute), None)
    if model is None:
        names = ", ".join(a.name for a in COMPARED_ATTRIBUTES)
        msg = f"{attribute!r} is not a compared attribute; the compared attributes are {names}"
        raise InvalidValueError(msg)
    chosen = accounts.filter(pl.col("account_id").is_in(list(account_ids)))
    enc = encoder(chosen, model)
    claims = chosen.with_columns(code_columns([enc])).filter(enc.claim)
    if enc.lo is not None and enc.hi is not None:
        # Ranges all overlap exactly when the greatest low end is not above the least high end.
        highest_low, lowest_high = claims.select(enc.lo.max().alias("lo"), enc.hi.min().alias("hi")).row(0)
        return highest_low is None or lowest_high is None or highest_low <= lowest_high
    assert enc.compatible is not None
    keys = claims.select(enc.vkey.unique().alias("a"))
    pairs = keys.join(keys.rename({"a": "b"}), how="cross").filter(pl.col("a") < pl.col("b"))
    return pairs.filter(~enc.compatible(pl.col("a"), pl.col("b"))).height == 0
