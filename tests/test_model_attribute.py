"""Adding a compared attribute is one edit of ``ddj/model.py``: the whole pipeline takes it from there.

The test copies the ``ddj`` package into a temporary folder, adds two attributes to the copy's
:data:`ddj.model.COMPARED_ATTRIBUTES` with one text edit (nothing else changes), and runs a script
against the copy in a fresh interpreter: synthetic data for the new model, validation, comparison,
narrative and charts. Each step must show the new attributes; a bad value in the new columns must be
refused by the validator, naming file, row and column.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ddj

ANCHOR = '"""Every attribute the comparison sets official against unofficial claims on, in display order.'

# The one edit: two entries at the end of COMPARED_ATTRIBUTES, with no phrases of their own.
NEW_ATTRIBUTES = """\
    category_attribute("crew_rescued", "crew rescued", YES_NO, "Whether the account says the crew was rescued."),
    count_attribute("aircraft_lost", "aircraft lost", "aircraft lost"),
)
"""

SCRIPT = textwrap.dedent(
    """
    import csv, json, sys
    from pathlib import Path

    import polars as pl

    import ddj
    from ddj.charts import casualty_ranges, discrepancy_matrix
    from ddj.compare import compare
    from ddj.errors import ValidationError
    from ddj.model import COMPARED_ATTRIBUTES, resource_model
    from ddj.narrative import narrative, render_markdown
    from ddj.narrative.wording import account_claims
    from ddj.synth import write_synthetic

    out = {}
    folder = write_synthetic(Path(sys.argv[1]) / "pkg", incidents=60, seed=2, fmt="csv")
    out["model"] = [a.name for a in COMPARED_ATTRIBUTES]
    out["schema"] = list(resource_model("accounts").field_names)
    dataset = ddj.load(folder, warn=False)  # validates
    accounts = dataset.accounts
    out["rescued_words"] = sorted(accounts["crew_rescued"].unique().to_list())
    out["lost_figures"] = accounts.filter(pl.col("aircraft_lost_claim") == "figure").height

    comparison = compare(dataset)
    rows = comparison.attributes.filter(pl.col("attribute").cast(pl.String).is_in(["crew_rescued", "aircraft_lost"]))
    out["compared"] = sorted(set(rows["attribute"].cast(pl.String).to_list()))
    out["statuses"] = sorted(set(rows["status"].cast(pl.String).to_list()))

    claims = account_claims(accounts)
    out["claim_words"] = sorted(set(claims.filter(pl.col("attribute").is_in(["crew_rescued", "aircraft_lost"]))
                                    ["words"].to_list()))
    # An incident where the sides disagree on the new attribute: the narrative must speak of it.
    disputed = rows.filter(pl.col("status").cast(pl.String) == "contradict")["incident_id"].to_list()
    out["disputed"] = len(disputed)
    story = narrative(dataset, comparison, incident_ids=disputed[:3])
    out["narrative"] = render_markdown(story)

    matrix = discrepancy_matrix(dataset, comparison).to_dict()
    out["matrix"] = json.dumps(matrix)
    ranges = casualty_ranges(dataset, comparison).to_dict()
    out["ranges"] = json.dumps(ranges)

    # A bad word in the new column is refused, naming file, row and column.
    path = folder / "accounts.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    table[1][table[0].index("crew_rescued")] = "perhaps"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    try:
        ddj.load(folder, warn=False)
        out["refused"] = ""
    except ValidationError as err:
        out["refused"] = str(err)
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> dict:
    """Run the pipeline against a copy of ddj whose model has two more attributes; return what it saw."""
    root = tmp_path_factory.mktemp("model-copy")
    package = Path(ddj.__file__).parent
    shutil.copytree(package, root / "ddj", ignore=shutil.ignore_patterns("__pycache__"))
    model = root / "ddj" / "model.py"
    text = model.read_text(encoding="utf-8")
    closing = text.index(")\n" + ANCHOR)
    model.write_text(text[:closing] + NEW_ATTRIBUTES + text[closing + 2 :], encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(root)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_the_edit_is_one_entry_in_the_model():
    text = (Path(ddj.__file__).parent / "model.py").read_text(encoding="utf-8")
    assert text.count(")\n" + ANCHOR) == 1, "the test's edit point: the end of COMPARED_ATTRIBUTES"


def test_the_copy_runs_the_edited_model(pipeline):
    assert pipeline["model"][-2:] == ["crew_rescued", "aircraft_lost"]


def test_validation_schema_takes_the_new_columns(pipeline):
    schema = pipeline["schema"]
    assert "crew_rescued" in schema
    assert {"aircraft_lost_claim", "aircraft_lost_low", "aircraft_lost_best", "aircraft_lost_high"} <= set(schema)
    refused = pipeline["refused"]
    assert "accounts.csv" in refused and "row 2" in refused and "'crew_rescued'" in refused


def test_synthetic_data_speaks_to_the_new_attributes(pipeline):
    assert {"yes", "no"} <= set(pipeline["rescued_words"])
    assert pipeline["lost_figures"] > 0


def test_the_comparison_sets_the_sides_side_by_side_on_them(pipeline):
    assert pipeline["compared"] == ["aircraft_lost", "crew_rescued"]
    assert "contradict" in pipeline["statuses"]
    assert "agree" in pipeline["statuses"]
    assert pipeline["disputed"] > 0


def test_the_narrative_words_them(pipeline):
    words = pipeline["claim_words"]
    assert any(w.startswith("the crew rescued as ") for w in words), words
    assert any("aircraft lost" in w for w in words), words
    assert "contradict each other on the crew rescued" in pipeline["narrative"]


def test_the_charts_show_them(pipeline):
    assert "crew rescued" in pipeline["matrix"]
    assert "aircraft_lost" in pipeline["ranges"] or "aircraft lost" in pipeline["ranges"]
