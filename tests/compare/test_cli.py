"""``ddj compare``: text, JSON and files, and clear errors without a traceback."""

from __future__ import annotations

import json

import polars as pl
import pytest

from ddj.cli import build_parser, main
from tests.fixtures.minimal import write_package

OVERRIDE = {
    "override_id": "ov-1",
    "target_table": "grades",
    "target_id": "inc-2",
    "field": "grade",
    "value": "fair",
    "editor": "Night editor",
    "decided_on": "2024-05-02",
    "reason": "A second local outlet confirmed the strikes.",
}


@pytest.fixture
def package(tmp_path):
    return write_package(tmp_path / "pkg", lambda tables: tables["overrides"].append(dict(OVERRIDE)))


def test_text_output_shows_grades_statuses_and_the_override(package, capsys):
    assert main(["compare", str(package)]) == 0
    out = capsys.readouterr().out
    # the ministry's version stands alone: the local outlet speaks only to points the ministry does not
    assert "inc-1  grade: uncorroborated\n  Uncorroborated: the operator gave its version; 1 independent source" in out
    assert "hostile fire" in out and "unofficial_only" in out and "unofficial: no" in out
    assert "inc-2  grade: fair (set by an editor)" in out
    assert "Set to fair by Night editor on 2024-05-02 (override ov-1): A second local outlet" in out
    # nobody declared a search for official statements in this package: no silence is asserted
    assert "acknowledged by the operator: no official account recorded (no search for official statements" in out
    assert "no, never" not in out


def test_json_output_holds_both_tables_and_the_override(package, capsys):
    assert main(["compare", str(package), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dataset"] == "pkg" and data["as_of"] is None
    assert [r["incident_id"] for r in data["incidents"]] == ["inc-1", "inc-2"]
    assert len(data["attributes"]) == 20 and "accounts" not in data
    overridden = data["incidents"][1]
    assert (overridden["grade"], overridden["computed_grade"], overridden["override_editor"]) == (
        "fair",
        "weak",
        "Night editor",
    )
    assert overridden["override_date"] == "2024-05-02" and overridden["override_reason"] == OVERRIDE["reason"]
    hostile = next(r for r in data["attributes"] if r["incident_id"] == "inc-1" and r["attribute"] == "hostile_fire")
    assert hostile["unofficial_values"] == ["no"] and hostile["unofficial_account_ids"] == ["acc-2"]


def test_as_of_leaves_out_later_accounts(package, capsys):
    assert main(["compare", str(package), "--json", "--as-of", "2021-02-28"]) == 0
    data = json.loads(capsys.readouterr().out)
    first = data["incidents"][0]
    assert data["as_of"] == "2021-02-28" and first["n_unofficial"] == 0 and first["first_unofficial_date"] is None


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_out_writes_one_row_per_incident_and_attribute(package, tmp_path, capsys, suffix):
    target = tmp_path / f"comparison{suffix}"
    assert main(["compare", str(package), "--out", str(target)]) == 0
    assert f"wrote {target}: 20 rows" in capsys.readouterr().out
    table = pl.read_parquet(target) if suffix == ".parquet" else pl.read_csv(target)
    assert table.height == 20
    assert {"incident_id", "attribute", "status", "grade", "override_reason", "incident_n_unofficial_origins"} <= set(
        table.columns
    )
    row = table.filter((pl.col("incident_id") == "inc-2") & (pl.col("attribute") == "cause")).row(0, named=True)
    assert (row["grade"], row["override_editor"]) == ("fair", "Night editor")
    if suffix == ".parquet":  # the lists of values keep their Enum type; to other readers they are lists of text
        assert isinstance(table.schema["official_values"], pl.List)
        assert table.get_column("official_values").cast(pl.List(pl.String)).dtype == pl.List(pl.String)
    else:
        cause = table.filter((pl.col("incident_id") == "inc-1") & (pl.col("attribute") == "cause")).row(0, named=True)
        assert cause["official_values"] == "technical_failure"
        assert str(row["override_date"]) == "2024-05-02"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "comparison.xlsx"], "--out takes a file name ending in .parquet or .csv"),
        (["--as-of", "yesterday"], "--as-of 'yesterday' is not a date"),
    ],
)
def test_bad_arguments_are_one_clear_line(package, tmp_path, capsys, args, message):
    assert main(["compare", str(package), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.startswith("ddj compare: error:")
    assert not (tmp_path / "comparison.xlsx").exists()


def test_a_dataset_that_is_not_there_is_one_clear_line(capsys):
    assert main(["compare", "no-such-dataset"]) == 2
    err = capsys.readouterr().err
    assert "no dataset 'no-such-dataset'" in err and "Traceback" not in err


def test_json_and_out_together_are_refused(package, capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["compare", str(package), "--json", "--out", "x.csv"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_compare_and_synth_have_help():
    for command in ("compare", "synth"):
        with pytest.raises(SystemExit) as info:
            build_parser().parse_args([command, "--help"])
        assert info.value.code == 0


def test_curated_dataset_prints(capsys):
    assert main(["compare", "syria-ru-aviation"]) == 0
    out = capsys.readouterr().out
    assert "official_silent" in out and "contradict" in out


def test_the_parquet_output_holds_the_joined_table_with_its_text_dictionary_encoded(tmp_path, capsys):
    """Rows, columns and values of ``--out x.parquet`` are those of the comparison's tables joined in memory;
    only the types of the repeated texts differ (an Enum of the texts that occur, lists of an Enum), as the
    command's help says.
    """
    import pyarrow.parquet as pq
    from polars.testing import assert_frame_equal

    import ddj
    from ddj.compare import compare
    from ddj.synth import write_synthetic

    folder = write_synthetic(tmp_path / "synth", incidents=300, seed=5, fmt="parquet")
    target = tmp_path / "out.parquet"
    assert main(["compare", str(folder), "--out", str(target)]) == 0
    capsys.readouterr()
    comparison = compare(ddj.load(folder, warn=False))
    incidents = comparison.incidents.rename({"n_unofficial_origins": "incident_n_unofficial_origins"})
    expected = comparison.attributes.join(incidents, on="incident_id", how="left", maintain_order="left")
    written = pl.read_parquet(target)
    assert written.columns == expected.columns and written.height == expected.height == 3000
    texts = [name for name, dtype in expected.schema.items() if dtype == pl.String and name != "incident_id"]
    for name in texts:  # each an Enum of exactly the texts its column holds
        assert written.schema[name] == pl.Enum(expected.get_column(name).drop_nulls().unique().sort()), name
    as_text = [
        pl.col(name).cast(pl.List(pl.String)) if isinstance(dtype, pl.List) else pl.col(name).cast(pl.String)
        for name, dtype in expected.schema.items()
        if name in texts or name.endswith("_values")
    ]
    assert_frame_equal(written.with_columns(as_text), expected.with_columns(as_text))
    column = pq.ParquetFile(target).metadata.row_group(0).column(written.columns.index("computed_grade_reason"))
    assert "RLE_DICTIONARY" in column.encodings  # each sentence stored once per row group
    assert column.statistics.has_min_max


def test_the_batches_of_the_written_table_are_the_join_of_the_two_tables(syria, comparison):
    """``--out`` puts each batch together by position (no join): batches of 7 rows, which cut incidents in two,
    give the rows a join gives; tables out of step (shuffled) fall back to the join.
    """
    from ddj.commands.compare import _with_incident_columns
    from ddj.compare import compare, compare_in_batches

    incidents = comparison.incidents.rename({"n_unofficial_origins": "incident_n_unofficial_origins"})
    joined = comparison.attributes.join(incidents, on="incident_id", how="left", maintain_order="left")
    batched = _with_incident_columns(comparison.attributes, incidents, 7)
    assert batched.collect().equals(joined)
    # A table already in chunks of one batch each (compare(..., chunk_rows=7)) is sliced, not copied: the same rows.
    chunked = compare(syria, chunk_rows=7).attributes
    assert chunked.get_column("official_values").n_chunks() > 1
    assert _with_incident_columns(chunked, incidents, 7).collect().equals(joined)
    # Batches built as the query reaches them (compare_in_batches, what --out uses without filters): the same rows.
    _, batches = compare_in_batches(syria, rows=7)
    assert _with_incident_columns(batches, incidents, 7).collect().equals(joined)
    with pytest.raises(ValueError, match="not of these incidents"):
        _with_incident_columns(batches, incidents, 8)
    shuffled = comparison.attributes.sample(fraction=1.0, shuffle=True, seed=3)
    expected = shuffled.join(incidents, on="incident_id", how="left", maintain_order="left")
    assert _with_incident_columns(shuffled, incidents, 7).collect().equals(expected)
