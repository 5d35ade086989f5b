"""Content-addressed skipping: an unchanged report is not run again; a changed notebook, parameter, dataset
file, ddj version or file of ddj's code runs it again, and so does --force; a failed report is never
skipped. Deciding that nothing needs to run imports no polars, altair, papermill or jupyter (checked in a
subprocess).

One module-scoped sequence of runs of a small reports.toml over a copy of the minimal package, on one warm
kernel: echo-inc-1 and echo-inc-2 (a grid over the package's incidents), solo (the shipped Syria dataset)
and broken (a cell raises).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ddj.datasets.registry
from ddj.report.runner.cache import Cache, cached_column_values, code_digest, content_key, data_dir, is_shipped
from ddj.report.runner.config import ReportSpec, load_config
from ddj.report.runner.executors import WarmExecutor
from ddj.report.runner.run import run_reports, warm_worker
from tests.fixtures.minimal import write_package
from tests.paths import ROOT

FIXTURES = ROOT / "tests" / "notebooks"
HEAVY = ("polars", "altair", "papermill", "jupyter_client", "nbformat", "nbclient", "zmq", "IPython", "vl_convert")

CONFIG = """
[reports.echo]
notebook = "echo.ipynb"
parameters = {{ dataset = "package" }}
output = "echo-{{incident_id}}"
[reports.echo.grid]
incident_id = {{ each = "incidents" }}

[reports.solo]
notebook = "echo.ipynb"
parameters = {{ n = {n} }}

[reports.broken]
notebook = "{raises}"
"""
NAMES = ["echo-inc-1", "echo-inc-2", "solo", "broken"]


def _write_config(base: Path, n: int = 3) -> Path:
    path = base / "reports.toml"
    path.write_text(CONFIG.format(n=n, raises=FIXTURES / "raises.ipynb"), encoding="utf-8")
    return path


def _statuses(summary) -> dict[str, str]:
    return {r.name: r.status for r in summary.results}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("cache")
    write_package(base / "package")
    shutil.copy(FIXTURES / "echo.ipynb", base / "echo.ipynb")
    out = base / "reports"
    steps = {}

    def step(label: str, **kw) -> None:
        cache = Cache.for_output(out)  # as `ddj run` does: one cache for the grids and the reports
        config = load_config(base / "reports.toml", column_values=cached_column_values(cache))
        manifests = {n: (out / n / "manifest.json").read_bytes() for n in NAMES if (out / n / "manifest.json").exists()}
        summary = run_reports(config.reports, out, executor=executor, cache=cache, **kw)
        steps[label] = {"statuses": _statuses(summary), "manifests_before": manifests}

    code = base / "ddj-code"  # stands for ddj's package: a copy of two of its modules, edited below
    (code / "compare").mkdir(parents=True)
    shutil.copy(ROOT / "ddj" / "__init__.py", code / "__init__.py")
    shutil.copy(ROOT / "ddj" / "compare" / "grades.py", code / "compare" / "grades.py")
    with WarmExecutor(1, warm_up=warm_worker) as executor, pytest.MonkeyPatch.context() as code_root:
        code_root.setattr("ddj.report.runner.cache.CODE_ROOT", code)
        _write_config(base)
        step("first")
        step("unchanged")
        step("force", force=True)
        _write_config(base, n=4)
        step("parameter")
        nb = json.loads((base / "echo.ipynb").read_text(encoding="utf-8"))
        nb["cells"][0]["source"] = "# Echo, edited\n"
        (base / "echo.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        step("notebook")
        incidents = base / "package" / "incidents.csv"
        incidents.write_text(incidents.read_text(encoding="utf-8").replace("came down", "landed"), encoding="utf-8")
        step("dataset")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("ddj._version.__version__", "99.0")
            step("version")
        step("version back")
        grades = code / "compare" / "grades.py"
        grades.write_text(grades.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        step("code")  # the same version number, other code
        (code / "compare" / "__pycache__").mkdir()
        (code / "compare" / "__pycache__" / "grades.cpython-311.pyc").write_bytes(b"compiled")
        step("compiled")  # Python writing its caches changes nothing
    return {"base": base, "out": out, "steps": steps, "code": code}


def test_the_first_run_runs_everything(runs):
    assert runs["steps"]["first"]["statuses"] == {
        "echo-inc-1": "ok",
        "echo-inc-2": "ok",
        "solo": "ok",
        "broken": "failed",
    }


def test_an_unchanged_report_is_skipped_and_its_folder_left_alone(runs):
    step = runs["steps"]["unchanged"]
    assert step["statuses"] == {
        "echo-inc-1": "skipped",
        "echo-inc-2": "skipped",
        "solo": "skipped",
        "broken": "failed",
    }  # a failed report always runs again
    after = runs["steps"]["force"]["manifests_before"]
    for name in ("echo-inc-1", "echo-inc-2", "solo"):
        assert after[name] == step["manifests_before"][name], name


def test_force_runs_unchanged_reports(runs):
    assert runs["steps"]["force"]["statuses"] == {
        "echo-inc-1": "ok",
        "echo-inc-2": "ok",
        "solo": "ok",
        "broken": "failed",
    }


@pytest.mark.parametrize(
    ("label", "ran"),
    [
        ("parameter", {"solo"}),  # n = 3 became n = 4
        ("notebook", {"echo-inc-1", "echo-inc-2", "solo"}),  # a markdown cell edited
        ("dataset", {"echo-inc-1", "echo-inc-2"}),  # a file of the package changed; solo reads the shipped dataset
        ("version", {"echo-inc-1", "echo-inc-2", "solo"}),  # another ddj version
        ("version back", {"echo-inc-1", "echo-inc-2", "solo"}),
        ("code", {"echo-inc-1", "echo-inc-2", "solo"}),  # a module of ddj edited, its version unchanged
        ("compiled", set()),  # only __pycache__ written
    ],
)
def test_a_changed_input_runs_the_reports_that_depend_on_it(runs, label, ran):
    statuses = runs["steps"][label]["statuses"]
    assert {n for n, s in statuses.items() if s == "ok"} == ran
    assert {n for n, s in statuses.items() if s == "skipped"} == set(NAMES) - ran - {"broken"}


def test_the_manifest_records_the_content_key(runs):
    manifest = json.loads((runs["out"] / "solo" / "manifest.json").read_text(encoding="utf-8"))
    spec = next(s for s in load_config(runs["base"] / "reports.toml").reports if s.name == "solo")
    assert manifest["content_key"] == content_key(spec, Cache(None), code=code_digest(Cache(None), runs["code"]))


def test_a_no_op_run_imports_nothing_heavy(runs):
    script = (
        "import pathlib, sys\n"
        "import ddj.report.runner.cache\n"
        f"ddj.report.runner.cache.CODE_ROOT = pathlib.Path({str(runs['code'])!r})\n"  # the package copy the runs used
        "from ddj.cli import main\n"
        f"code = main(['run', '--config', {str(runs['base'] / 'reports.toml')!r}, '--out', {str(runs['out'])!r},"
        " '--only', 'echo', '--only', 'solo'])\n"
        f"print('HEAVY', [m for m in {HEAVY!r} if m in sys.modules], code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY [] 0" in done.stdout
    assert "reports: 3 skipped" in done.stdout


def test_grid_values_are_remembered_by_the_dataset_files(tmp_path):
    package = write_package(tmp_path / "package")
    cache = Cache(tmp_path / "cache.json")
    loaded = []

    def load(dataset, table, column):
        loaded.append(dataset)
        return ["inc-1", "inc-2"]

    values = cached_column_values(cache, load)
    assert values(str(package), "incidents", None) == ["inc-1", "inc-2"]
    cache.save()
    again = cached_column_values(Cache(tmp_path / "cache.json"), load)
    assert again(str(package), "incidents", None) == ["inc-1", "inc-2"] and len(loaded) == 1
    with open(package / "incidents.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")
    assert again(str(package), "incidents", None) == ["inc-1", "inc-2"] and len(loaded) == 2


def test_a_report_without_a_usable_notebook_or_dataset_has_no_key_and_runs(tmp_path):
    missing = ReportSpec(name="x", group="x", notebook=tmp_path / "none.ipynb", parameters={}, base_dir=tmp_path)
    no_data = ReportSpec(
        name="y", group="y", notebook=FIXTURES / "echo.ipynb", parameters={"dataset": "nowhere"}, base_dir=tmp_path
    )
    assert content_key(missing, Cache(None)) is None and content_key(no_data, Cache(None)) is None


def test_the_shipped_data_folder_is_found_without_polars(monkeypatch, tmp_path):
    # One rule, not two copies: the cache's data_dir is ddj.datasets' own.
    assert data_dir is ddj.datasets.registry.data_dir is ddj.datasets.data_dir
    monkeypatch.setenv("DDJ_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path and not is_shipped("syria-ru-aviation")
    monkeypatch.delenv("DDJ_DATA_DIR")
    assert is_shipped("syria-ru-aviation") and data_dir() == ROOT / "data"
    script = (
        "import sys, ddj.report.runner.cache, ddj.report.runner.config, ddj.report.runner.params; "
        "print(ddj.report.runner.cache.is_shipped('syria-ru-aviation'), "
        f"[m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT, check=False
    )
    assert done.stdout.split() == ["True", "[]"], done.stderr


def test_opening_a_notebook_in_jupyterlab_does_not_change_its_key_but_editing_it_does(tmp_path):
    """JupyterLab rewrites the kernel's display name, language_info, widget state, cell ids and execution counts
    when it opens and saves a notebook: none of that reruns the report; a changed source line does.
    """
    shutil.copy(ROOT / "notebooks" / "theatre-overview.ipynb", tmp_path / "page.ipynb")
    (tmp_path / "reports.toml").write_text(
        '[reports.page]\nnotebook = "page.ipynb"\nparameters = { dataset = "syria-ru-aviation" }\n', encoding="utf-8"
    )
    spec = load_config(tmp_path / "reports.toml").reports[0]
    before = content_key(spec, Cache(None))
    assert before is not None

    notebook = json.loads((tmp_path / "page.ipynb").read_text(encoding="utf-8"))
    notebook["metadata"].setdefault("kernelspec", {"name": "python3"})["display_name"] = "Python 3 (ipykernel)"
    notebook["metadata"]["language_info"] = {"name": "python", "version": "3.11.7"}
    notebook["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    for number, cell in enumerate(notebook["cells"]):
        cell["id"] = f"cell-{number}"
        cell.setdefault("metadata", {})["scrolled"] = True
        if cell["cell_type"] == "code":
            cell["execution_count"] = number
    (tmp_path / "page.ipynb").write_text(json.dumps(notebook, indent=2), encoding="utf-8")
    assert content_key(spec, Cache(None)) == before

    code = next(
        cell
        for cell in notebook["cells"]
        if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", [])
    )
    code["source"] = [*code["source"], "\n# an edit"] if isinstance(code["source"], list) else code["source"] + "\n#"
    (tmp_path / "page.ipynb").write_text(json.dumps(notebook, indent=2), encoding="utf-8")
    assert content_key(spec, Cache(None)) != before
