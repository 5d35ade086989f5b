"""Reports on a Dask cluster: `ddj run --executor dask --scheduler ADDRESS` on a LocalCluster (127.0.0.1 only)
writes the same pages, notebooks and manifests as a local run (times aside).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

from ddj.cli import main
from ddj.errors import UsageError
from ddj.report.runner.executors import DaskExecutor
from tests.fixtures.executed import normalized
from tests.paths import ROOT

FIXTURES = ROOT / "tests" / "notebooks"
CONFIG = f"""
[reports.tiny]
notebook = "{FIXTURES / "tiny.ipynb"}"
parameters = {{ points = 6 }}

[reports.echo]
notebook = "{FIXTURES / "echo.ipynb"}"
parameters = {{ n = 5 }}

[reports.broken]
notebook = "{FIXTURES / "raises.ipynb"}"
"""
# What differs between any two runs of a report, wherever they run.
TIMES = ("started", "finished", "duration_seconds")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from distributed import LocalCluster

    base = tmp_path_factory.mktemp("dask")
    config = base / "reports.toml"
    config.write_text(CONFIG, encoding="utf-8")
    codes = {"local": main(["run", "--config", str(config), "--out", str(base / "local"), "--jobs", "1"])}
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        codes["dask"] = main(
            [
                "run",
                "--config",
                str(config),
                "--out",
                str(base / "dask"),
                "--executor",
                "dask",
                "--scheduler",
                cluster.scheduler_address,
            ]
        )
    return {"base": base, "codes": codes}


def _manifest(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for key in TIMES:
        manifest.pop(key)
    for key in ("started", "finished"):
        (manifest["last_success"] or {}).pop(key, None)
    manifest["outputs"].pop("notebook_sha256", None)  # the notebook holds times: compared without them below
    return manifest


def test_a_dask_run_ends_as_a_local_run(runs):
    assert runs["codes"] == {"local": 1, "dask": 1}  # broken fails on both


@pytest.mark.parametrize("name", ["tiny", "echo", "broken"])
def test_a_dask_run_writes_what_a_local_run_writes(runs, name):
    local, remote = runs["base"] / "local" / name, runs["base"] / "dask" / name
    files = sorted(p.relative_to(local) for p in local.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(remote) for p in remote.rglob("*") if p.is_file())
    for relpath in files:
        if relpath.suffix in (".html", ".svg", ".png"):
            assert (local / relpath).read_bytes() == (remote / relpath).read_bytes(), relpath
        if relpath.suffix == ".ipynb":
            assert normalized(local / relpath) == normalized(remote / relpath), relpath
    expected, actual = _manifest(local), _manifest(remote)
    if name == "broken":
        assert actual["status"] == "failed" and actual["error"]["evalue"] == "boom"
    assert actual == expected


def test_without_a_scheduler_address_dask_is_refused(capsys):
    assert main(["run", "--executor", "dask"]) == 2
    assert "--executor dask needs --scheduler ADDRESS" in capsys.readouterr().err
    assert main(["run", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler needs --executor dask" in capsys.readouterr().err


def test_without_dask_installed_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(UsageError, match=r"pip install 'ddj\[distributed\]'"):
        DaskExecutor("tcp://127.0.0.1:1").start()


def test_an_unreachable_scheduler_is_one_clear_error():
    with pytest.raises(UsageError, match=r"no Dask scheduler answered at tcp://127\.0\.0\.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=1).start()
