"""Whether a few accounts' claims on one attribute can all be true at once (ddj.compare.fit)."""

from __future__ import annotations

import pytest

from ddj.compare.fit import claims_fit
from ddj.errors import InvalidValueError
from tests.fixtures.incidents import account_row, frame


def _accounts(*claims: dict):
    return frame(
        "accounts",
        [account_row(f"a{i}", "i1", "official", f"Office {i}", **claim) for i, claim in enumerate(claims, 1)],
    )


def _all(accounts) -> list[str]:
    return accounts["account_id"].to_list()


@pytest.mark.parametrize(
    ("first", "second", "fit"),
    [
        ((1, 3), (2, 2), True),  # 1-3 and 2 overlap
        ((1, 3), (3, 5), True),  # touching ends overlap
        ((1, 1), (2, 4), False),
    ],
)
def test_counts_fit_where_their_ranges_overlap(first, second, fit):
    accounts = _accounts(
        *(
            {"crew_killed_claim": "figure", "crew_killed_low": low, "crew_killed_high": high}
            for low, high in (first, second)
        )
    )
    assert claims_fit(accounts, "crew_killed", _all(accounts)) is fit


def test_places_in_one_country_fit_however_worded_and_a_place_without_a_country_fits_any():
    in_syria = _accounts(
        {"claimed_country": "Syria", "claimed_place": "Syrian airspace"},
        {"claimed_country": "Syria", "claimed_place": "crashed about 4 km from the Turkish border"},
        {"claimed_country": "not_stated", "claimed_place": "near the border"},
    )
    assert claims_fit(in_syria, "place", _all(in_syria))
    across = _accounts({"claimed_country": "Syria"}, {"claimed_country": "Turkey"})
    assert not claims_fit(across, "place", _all(across))


def test_texts_fit_where_one_is_the_other_less_specific():
    variants = _accounts({"claimed_aircraft": "Mi-8"}, {"claimed_aircraft": "Mi-8AMTSh"})
    assert claims_fit(variants, "aircraft", _all(variants))
    different = _accounts({"claimed_aircraft": "Mi-8"}, {"claimed_aircraft": "Mi-28N"})
    assert not claims_fit(different, "aircraft", _all(different))


def test_only_the_named_accounts_and_only_claims_count():
    accounts = _accounts({"cause": "accident"}, {"cause": "hostile_fire"}, {"cause": "not_stated"})
    assert claims_fit(accounts, "cause", ["a1", "a3"])  # not_stated claims nothing
    assert not claims_fit(accounts, "cause", ["a1", "a2"])
    assert claims_fit(accounts, "cause", [])


def test_an_attribute_that_is_not_compared_is_refused_by_name():
    accounts = _accounts({"cause": "accident"})
    with pytest.raises(InvalidValueError, match="'speaker' is not a compared attribute; the compared attributes are"):
        claims_fit(accounts, "speaker", ["a1"])
