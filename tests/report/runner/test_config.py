"""reports.toml: grids, output names, clear errors; the shipped reports.toml checks out without a kernel."""

from __future__ import annotations

from pathlib import Path

import pytest

import ddj
from ddj.errors import ConfigError
from ddj.report.runner.config import load_config, output_name
from ddj.report.runner.run import ReportJob, ReportResult, prepare_jobs
from tests.fixtures.hostile import write_hostile_package
from tests.paths import ROOT

TINY = ROOT / "tests" / "notebooks" / "tiny.ipynb"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reports.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_grid_over_a_table_gives_one_report_per_row(tmp_path):
    path = _write(
        tmp_path,
        f"""
[reports.incident]
notebook = "{ROOT / "notebooks" / "incident-report.ipynb"}"
parameters = {{ dataset = "syria-ru-aviation" }}
output = "incident-{{incident_id}}"
[reports.incident.grid]
incident_id = {{ each = "incidents" }}
""",
    )
    config = load_config(path)
    names = [r.name for r in config.reports]
    incidents = ddj.load("syria-ru-aviation", warn=False).incidents
    assert names == [f"incident-{i}" for i in incidents["incident_id"]] and len(names) == 20
    assert config.reports[0].parameters == {"dataset": "syria-ru-aviation", "incident_id": "syr-2015-11-24-su24"}


def test_list_grids_multiply_and_default_names_use_every_axis(tmp_path):
    path = _write(
        tmp_path,
        f"""
[reports.demo]
notebook = "{TINY}"
[reports.demo.grid]
points = [1, 2]
title = ["a", "b"]
""",
    )
    assert [r.name for r in load_config(path).reports] == ["demo-1-a", "demo-1-b", "demo-2-a", "demo-2-b"]


def test_hostile_ids_cannot_reach_the_file_system(tmp_path):
    write_hostile_package(tmp_path / "hostile")
    assert output_name("r-{title}", {"title": "../../etc/<script>"}) == "r-etc-script-"
    path = _write(
        tmp_path,
        f"""
[reports.t]
notebook = "{TINY}"
output = "t-{{title}}"
[reports.t.grid]
title = {{ each = "incidents", column = "title", dataset = "hostile" }}
""",
    )
    names = [r.name for r in load_config(path).reports]
    assert names == ["t-Title-0-script-window.__pwned-1-script-", "t-Title-1-img-src-x-onerror-window.__pwned-2-"]
    assert all("/" not in n and "<" not in n for n in names)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[reports.a]\nnotebok = 'x.ipynb'", "unknown key\\(s\\) notebok"),
        ("[reports.a]\nnotebook = 'missing.ipynb'", "notebook 'missing.ipynb' does not exist"),
        (f"[reports.a]\nnotebook = '{TINY}'\noutput = 'x-{{nope}}'", "uses nope, which is neither"),
        (
            f"[reports.a]\nnotebook = '{TINY}'\noutput = 'same'\n[reports.b]\nnotebook = '{TINY}'\noutput = 'same'",
            "both write to 'same'",
        ),
        (
            f"[reports.a]\nnotebook = '{TINY}'\noutput = 'fixed'\n[reports.a.grid]\npoints = [1, 2]",
            "must use every grid parameter",
        ),
        ("[report.a]\nnotebook = 'x'", "unknown top-level key"),
        ("[reports.a\n", "not valid TOML"),
    ],
)
def test_config_mistakes_name_the_file_and_report(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, text))


def test_a_grid_over_a_broken_dataset_fails_its_group_only(tmp_path):
    path = _write(
        tmp_path,
        f"""
[reports.good]
notebook = "{TINY}"
[reports.bad]
notebook = "{TINY}"
[reports.bad.grid]
title = {{ each = "incidents", dataset = "no-such-dataset" }}
""",
    )
    config = load_config(path)
    assert [r.name for r in config.reports] == ["good"]
    assert config.errors[0].group == "bad" and "no-such-dataset" in config.errors[0].message


def test_only_selects_by_name_or_group_with_wildcards(tmp_path):
    path = _write(
        tmp_path,
        f"""
[reports.demo]
notebook = "{TINY}"
[reports.demo.grid]
points = [1, 2, 3]
""",
    )
    config = load_config(path)
    assert [r.name for r in config.select(["demo-2"]).reports] == ["demo-2"]
    assert len(config.select(["demo"]).reports) == 3
    with pytest.raises(ConfigError, match="no report matches"):
        config.select(["nothing*"])


def test_the_shipped_reports_all_pass_their_parameter_checks(tmp_path):
    config = load_config(ROOT / "reports.toml")
    assert not config.errors
    prepared = prepare_jobs(config.reports, tmp_path)
    refused = [p for p in prepared if isinstance(p, ReportResult)]
    assert refused == []
    groups = {p.group for p in prepared if isinstance(p, ReportJob)}
    assert groups == {"incident", "theatre-syria", "tally-ukraine"}
    assert all(r.schedule for r in config.reports)
