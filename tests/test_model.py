"""The incident model is the one place that knows fields and compared attributes."""

from __future__ import annotations

import pytest

from ddj.datasets.schema import incident_package_descriptor, table_schema
from ddj.model import (
    ACCOUNT_FIELDS,
    COMPARED_ATTRIBUTES,
    INCIDENT_RESOURCES,
    NO_CLAIM,
    attribute,
    no_claims,
    resource_model,
)


def test_every_compared_attribute_is_carried_by_account_columns():
    account_columns = {f.name for f in ACCOUNT_FIELDS}
    for item in COMPARED_ATTRIBUTES:
        assert set(item.columns) <= account_columns, item.name


def test_unknown_is_a_value_in_every_categorical_claim_and_claims_are_required():
    by_name = {f.name: f for f in ACCOUNT_FIELDS}
    for item in COMPARED_ATTRIBUTES:
        first = by_name[item.columns[0]]
        assert first.required, f"{first.name} must be required: unknown is a value, never a blank"
        if first.enum:
            assert set(NO_CLAIM) <= set(first.enum), first.name


def test_count_attributes_have_claim_and_three_numbers():
    for item in COMPARED_ATTRIBUTES:
        if item.kind == "count":
            claim, low, best, high = item.columns
            assert (
                claim.endswith("_claim") and low.endswith("_low") and best.endswith("_best") and high.endswith("_high")
            )


def test_attribute_lookup_and_unknown_name():
    assert attribute("cause").kind == "category"
    with pytest.raises(KeyError, match="hostile_fire"):
        attribute("nope")


def test_resource_lookup():
    assert resource_model("accounts").primary_key == "account_id"
    with pytest.raises(KeyError):
        resource_model("nothing")


def test_schema_declares_keys_and_enums():
    schema = table_schema(resource_model("accounts"))
    targets = {fk["fields"][0]: fk["reference"]["resource"] for fk in schema["foreignKeys"]}
    assert targets == {"incident_id": "incidents", "source_id": "sources", "supersedes_account_id": ""}
    side = next(f for f in schema["fields"] if f["name"] == "side")
    assert side["constraints"] == {"required": True, "enum": ["official", "unofficial"]}
    assert "ddj_hint" not in side


def test_descriptor_resources_follow_the_model():
    descriptor = incident_package_descriptor("x", title="X", description="", licenses=[], fmt="parquet")
    assert [r["name"] for r in descriptor["resources"]] == [r.name for r in INCIDENT_RESOURCES]
    assert all(r["path"].endswith(".parquet") for r in descriptor["resources"])
    assert descriptor["ddj"]["kind"] == "incidents"


def test_the_accounts_columns_of_the_attributes_come_from_the_attributes_in_their_order():
    names = [f.name for f in ACCOUNT_FIELDS]
    from_attributes = [column for item in COMPARED_ATTRIBUTES for column in item.columns]
    start = names.index(from_attributes[0])
    assert names[start : start + len(from_attributes)] == from_attributes
    assert len(set(names)) == len(names)


def test_each_attributes_phrases_speak_of_its_own_columns_and_words():
    for item in COMPARED_ATTRIBUTES:
        phrases = item.phrases
        assert phrases.clause in ("that", "detail"), item.name
        assert set(phrases.column_words) <= set(item.columns), item.name
        if item.kind == "category" and phrases.words:
            assert set(phrases.words) <= set(item.vocabulary) - set(NO_CLAIM), item.name
        if phrases.nouns is not None:
            assert item.kind == "count" and len(phrases.nouns) == 3, item.name
        official, unofficial = item.speaks
        assert 0 < official <= 1 and 0 < unofficial <= 1, item.name


def test_no_claims_is_a_neutral_account_for_every_attribute():
    row = no_claims("")
    assert list(row) == [column for item in COMPARED_ATTRIBUTES for column in item.columns]
    for item in COMPARED_ATTRIBUTES:
        if item.kind == "count":
            claim, *numbers = item.columns
            assert row[claim] == "not_stated" and all(row[n] == "" for n in numbers)
        else:
            assert all(row[c] == "not_stated" for c in item.columns)
