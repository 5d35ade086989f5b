"""Synthetic packages: valid, deterministic for a seed, and with the structure of real reporting."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest

import ddj
from ddj.cli import main
from ddj.errors import UsageError
from ddj.synth import synthetic_tables, write_synthetic


def _digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_written_packages_load_and_validate(tmp_path, fmt):
    folder = write_synthetic(tmp_path / "syn", incidents=300, seed=2, fmt=fmt)
    ds = ddj.load(folder, warn=False)
    assert ds.counts()["incidents"] == 300
    assert 900 < ds.counts()["accounts"] < 1500
    assert ds.descriptor["resources"][2]["path"] == f"accounts.{fmt}"
    assert {c.rule for c in ds.caveats} >= {"no_official_account"}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    first = write_synthetic(tmp_path / "a", incidents=100, seed=11)
    second = write_synthetic(tmp_path / "b", incidents=100, seed=11)
    assert _digest(first) == _digest(second)
    other = synthetic_tables(100, seed=12)["accounts"]
    assert not other.equals(synthetic_tables(100, seed=11)["accounts"])


def test_structure_of_real_reporting():
    tables = synthetic_tables(3000, seed=3)
    accounts, incidents = tables["accounts"], tables["incidents"]
    sides = accounts.group_by("incident_id").agg(
        (pl.col("side") == "official").sum().alias("o"),
        (pl.col("side") == "unofficial").sum().alias("u"),
        pl.col("origin").filter(pl.col("side") == "unofficial").n_unique().alias("origins"),
        (pl.col("side") == "unofficial").sum().alias("reports"),
    )
    assert sides.filter(pl.col("o") == 0).height > 100  # official silence
    assert sides.filter(pl.col("u") == 0).height > 50  # only the operator spoke
    assert sides.filter((pl.col("o") >= 2) & (pl.col("u") >= 2)).height > 100  # several accounts on both sides
    assert sides.filter(pl.col("origins") < pl.col("reports")).height > 100  # outlets repeating one origin
    superseding = accounts.filter(pl.col("supersedes_account_id").is_not_null())
    assert superseding.height > 50 and set(superseding["side"]) == {"official"}
    assert (accounts["crew_killed_low"].is_not_null()).sum() > 100  # ranges as well as single figures
    assert accounts.filter(pl.col("responsible_party").str.contains("  ")).height > 10  # spacing varies
    assert incidents.filter(pl.col("relation") == "follow_on").height > 50
    assert tables["overrides"].height == 3


def test_bad_size_and_format_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="incidents must be 1 or more"):
        synthetic_tables(0)
    with pytest.raises(UsageError, match="format 'xlsx' is not supported"):
        write_synthetic(tmp_path, incidents=5, fmt="xlsx")


def test_synth_command(tmp_path, capsys):
    assert main(["synth", "--incidents", "50", "--seed", "1", "--out", str(tmp_path / "s"), "--format", "csv"]) == 0
    assert "a synthetic package of 50 incidents (seed 1, csv)" in capsys.readouterr().out
    assert ddj.load(tmp_path / "s", warn=False).counts()["incidents"] == 50
    assert main(["synth", "--incidents", "0", "--out", str(tmp_path / "t")]) == 2
    assert "--incidents must be 1 or more" in capsys.readouterr().err
