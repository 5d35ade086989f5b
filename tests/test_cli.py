"""The command line: thin, and a user never sees a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ddj.cli import build_parser, main
from tests.fixtures.minimal import write_package


def test_validate_valid_package_exits_zero_and_prints_warnings(tmp_path, capsys):
    folder = write_package(tmp_path / "pkg")
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "pkg: valid (2 incidents, 2 sources, 3 accounts, 0 overrides)" in out
    assert "warning:" in out and "'inc-2' has no official account" in out


def test_validate_invalid_package_exits_one_and_lists_problems(tmp_path, capsys):
    def breaks(tables):
        tables["accounts"][0]["side"] = "officail"
        tables["incidents"][1]["date_precision"] = "9"

    folder = write_package(tmp_path / "pkg", breaks)
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "accounts.csv, row 2, column 'side': 'officail'" in out
    assert "incidents.csv, row 3, column 'date_precision': '9' is above the maximum of 5" in out


def test_validate_json_output(tmp_path, capsys):
    import json

    folder = write_package(tmp_path / "pkg")
    assert main(["validate", "--json", str(folder)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report[0]["ok"] is True and report[0]["counts"]["accounts"] == 3


def test_unknown_dataset_is_one_clear_line(capsys):
    assert main(["validate", "no-such-dataset"]) == 1
    out = capsys.readouterr().out
    assert "no dataset 'no-such-dataset'" in out and "Traceback" not in out


def test_missing_argument_is_a_usage_error(capsys):
    assert main(["validate"]) == 2
    assert "name a dataset" in capsys.readouterr().err


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "usage: ddj" in capsys.readouterr().out


def test_building_the_parser_imports_no_heavy_library():
    code = (
        "import sys; from ddj.cli import build_parser; build_parser(); "
        "heavy = [m for m in ('polars', 'altair', 'papermill', 'jupyter_client', 'pandas') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("command", ["validate", "datasets", "schema"])
def test_every_command_has_help(command):
    parser = build_parser()
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args([command, "--help"])
    assert exit_info.value.code == 0


# A main() that handles an interrupt raised inside an exec() of a string, as a library's code can be running when
# Ctrl-C or SIGTERM arrives. CPython then believes the interrupt went unhandled and, at exit, kills the process
# by SIGINT (status -2) unless entry() tells it otherwise. The script runs with `python -m`, as `python -m ddj` does.
_HANDLED_IN_EXEC = """
import sys
import ddj.cli

def main():
    try:
        exec("raise KeyboardInterrupt")
    except KeyboardInterrupt:
        print("handled", file=sys.stderr)
        return 130
    return 0

ddj.cli.main = main
ddj.cli.entry()
"""


def _run_module(tmp_path, source):
    (tmp_path / "handled_interrupt.py").write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "handled_interrupt"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )


def test_an_interrupt_main_handled_ends_the_process_with_130_not_by_signal(tmp_path):
    done = _run_module(tmp_path, _HANDLED_IN_EXEC)
    assert "handled" in done.stderr
    assert done.returncode == 130, done.stderr


def test_without_forgetting_the_handled_interrupt_cpython_would_end_by_sigint(tmp_path):
    # The same script with forget_handled_interrupt disabled: shows the test above checks something real.
    done = _run_module(
        tmp_path,
        _HANDLED_IN_EXEC.replace(
            "ddj.cli.main = main", "ddj.cli.main = main\nddj.cli.forget_handled_interrupt = lambda: False"
        ),
    )
    assert "handled" in done.stderr
    assert done.returncode == -2, done.stderr


def _usage_errors():
    import inspect

    import ddj.errors

    return [
        cls
        for cls in vars(ddj.errors).values()
        if inspect.isclass(cls) and issubclass(cls, ddj.errors.UsageError) and cls is not ddj.errors.UsageError
    ]


@pytest.mark.parametrize("error", _usage_errors(), ids=lambda cls: cls.__name__)
def test_every_kind_of_usage_error_is_one_line_and_exit_code_two(error, monkeypatch, capsys):
    import ddj.commands.datasets

    def refuse(args):
        raise error("--flag 'x': what went wrong; what to do")

    monkeypatch.setattr(ddj.commands.datasets, "run", refuse)
    assert main(["datasets"]) == 2
    assert capsys.readouterr().err == "ddj datasets: error: --flag 'x': what went wrong; what to do\n"


def test_options_that_need_each_other_are_refused_by_name(capsys):
    import ddj.commands.export
    from ddj.errors import ConflictingOptionsError

    with pytest.raises(ConflictingOptionsError, match="say what to write"):
        ddj.commands.export.run(build_parser().parse_args(["export", "syria-ru-aviation"]))
    assert main(["export", "syria-ru-aviation"]) == 2
    assert "ddj export: error: say what to write" in capsys.readouterr().err
