"""Papermill's notebooks run: the fixtures ``tests/notebooks/pm-*.ipynb`` are shaped like Papermill's own edge-case
test notebooks (papermill/tests/notebooks: broken, no_parameters, complex_parameters, simple_execute, sysexit,
sysexit0, sysexit1, systemexit, line_magic_error), and ``ddj run`` ends each the way ``papermill`` does (its
tests/test_execute.py): ``sys.exit()``, ``sys.exit(0)`` and a bare ``raise SystemExit`` stop the notebook without an
error; ``sys.exit(1)``, ``assert False`` and an unknown line magic fail it. ddj's summary names the exception.
"""

from __future__ import annotations

import json

import papermill
import pytest

from ddj.cli import main
from ddj.errors import ParameterError
from ddj.report.runner.config import load_config
from ddj.report.runner.executors import WarmExecutor
from ddj.report.runner.params import papermill_value, parse_cli_value, read_parameters
from ddj.report.runner.run import adhoc_spec, run_reports, warm_worker
from tests.paths import TESTS

FIXTURES = TESTS / "notebooks"

# What `papermill` does with each (see papermill/tests/test_execute.py), and what ddj's summary must name.
EXPECTED = {
    "pm-broken": ("failed", "AssertionError"),
    "pm-line-magic-error": ("failed", "UsageError: Line magic function `%undefined-line-magic` not found."),
    "pm-sysexit": ("ok", ""),
    "pm-sysexit0": ("ok", ""),
    "pm-sysexit1": ("failed", "SystemExit: 1"),
    "pm-systemexit": ("ok", ""),
    "pm-simple-execute": ("ok", ""),
    "no-parameters": ("ok", ""),
    # its parameters cell holds `= 2`: Papermill's inspector skips the line, but running the cell fails
    "pm-complex-parameters": ("failed", "SyntaxError"),
    "pm-untyped-parameters": ("ok", ""),
}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    base = tmp_path_factory.mktemp("papermill")
    config = base / "reports.toml"
    config.write_text(
        "".join(f'[reports.{name}]\nnotebook = "{FIXTURES / (name + ".ipynb")}"\n\n' for name in EXPECTED),
        encoding="utf-8",
    )
    with WarmExecutor(2, warm_up=warm_worker) as executor:
        summary = run_reports(load_config(config).reports, base / "out", executor=executor)
    return {"base": base, "results": {r.name: r for r in summary.results}}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_papermill_shaped_notebook_ends_as_papermill_ends_it(ran, name):
    status, words = EXPECTED[name]
    result = ran["results"][name]
    assert result.status == status, result.message
    assert words in result.message


def test_a_failed_cell_is_named_with_its_exception_and_the_line_that_raised(ran):
    message = ran["results"]["pm-broken"].message
    assert message.startswith("cell ") and "AssertionError: raised by `assert False`" in message
    manifest = json.loads((ran["base"] / "out" / "pm-broken" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["error"]["ename"] == "AssertionError" and manifest["error"]["source"].endswith("assert False")
    magic = json.loads((ran["base"] / "out" / "pm-line-magic-error" / "manifest.json").read_text(encoding="utf-8"))
    assert magic["error"]["ename"] == "UsageError" and magic["error"]["source"] == "%undefined-line-magic"


def test_a_stopped_notebook_is_not_run_past_its_sys_exit(ran):
    nb = json.loads((ran["base"] / "out" / "pm-sysexit" / "pm-sysexit.ipynb").read_text(encoding="utf-8"))
    last = nb["cells"][-1]
    assert "".join(last["source"]) == 'print("Cell should not execute.")' and last["execution_count"] is None


@pytest.mark.parametrize("name", ["pm-complex-parameters", "pm-simple-execute", "no-parameters", "tiny"])
def test_ddj_lists_the_parameters_papermills_inspector_finds_with_its_types(name):
    # (Papermill's inspector misses `x: str | None = None`, which ddj reads: echo.ipynb is left out)
    path = FIXTURES / f"{name}.ipynb"
    theirs = papermill.inspect_notebook(str(path))
    ours = read_parameters(path)
    assert ours.names == list(theirs)
    for parameter in ours:
        shown = theirs[parameter.name]["inferred_type_name"]
        assert parameter.display_type == ("Unknown type" if shown == "None" else shown)
        assert parameter.comment == theirs[parameter.name]["help"].split(" [")[0]


def test_lines_ddj_cannot_read_are_skipped_with_a_warning(capsys):
    spec = read_parameters(FIXTURES / "pm-complex-parameters.ipynb")
    assert [(p.name, p.display_type, p.type_text) for p in spec] == [
        ("msg", "Unknown type", "any"),
        ("a", "float", "float"),
        ("b", "List[str]", "list[str]"),
        ("c", "NoneType", "any"),
    ]
    assert spec["b"].default == ["Hello", "World"] and spec["b"].comment == "Nice list"
    assert len(spec.warnings) == 2
    assert "line 12" in spec.warnings[0] and "computed" in spec.warnings[0]
    assert "line 14" in spec.warnings[1] and "`= 2` is not valid Python" in spec.warnings[1]
    assert main(["params", str(FIXTURES / "pm-complex-parameters.ipynb")]) == 0
    captured = capsys.readouterr()
    assert "msg: Unknown type = None" in captured.out and "b: List[str] = ['Hello', 'World']" in captured.out
    assert "    Nice list" in captured.out and "warning:" in captured.err and "line 14" in captured.err


def test_a_notebook_without_a_parameters_cell_takes_no_parameters(capsys):
    spec = read_parameters(FIXTURES / "no-parameters.ipynb")
    assert not spec.has_cell and spec.names == []
    assert main(["params", str(FIXTURES / "no-parameters.ipynb")]) == 0
    assert "no cell is tagged 'parameters', so it takes no parameters" in capsys.readouterr().out
    assert adhoc_spec(FIXTURES / "no-parameters.ipynb", []).parameters == {}
    with pytest.raises(ParameterError, match=r"parameter 'msg': no-parameters\.ipynb has no cell tagged 'parameters'"):
        adhoc_spec(FIXTURES / "no-parameters.ipynb", [("msg", "hello")])


def test_minus_p_reads_untyped_values_as_papermill_does_and_minus_r_passes_text():
    notebook = FIXTURES / "pm-untyped-parameters.ipynb"
    values = adhoc_spec(notebook, [("msg", "5"), ("a", "3"), ("b", "x,y"), ("e", "True")]).parameters
    assert values["msg"] == 5 and values["a"] == 3.0 and values["b"] == ["x", "y"] and values["e"] is True
    assert adhoc_spec(notebook, [("msg", "5", True)]).parameters["msg"] == "5"
    assert adhoc_spec(notebook, [("msg", "2.5")]).parameters["msg"] == 2.5
    assert adhoc_spec(notebook, [("msg", "None")]).parameters["msg"] is None
    assert adhoc_spec(notebook, [("msg", "hello there")]).parameters["msg"] == "hello there"
    with pytest.raises(ParameterError, match="parameter 'a'"):
        adhoc_spec(notebook, [("a", "three")])
    assert [papermill_value(t) for t in ("1", "-2", "0.5", "False", "text")] == [1, -2, 0.5, False, "text"]
    assert parse_cli_value(read_parameters(notebook)["c"], "7") == 7


def test_the_cli_runs_an_untyped_notebook_with_p_and_r(tmp_path, capsys):
    notebook = str(FIXTURES / "pm-untyped-parameters.ipynb")
    code = main(
        ["run", notebook, "-p", "msg", "5", "-r", "c", "7", "--out", str(tmp_path), "--jobs", "1", "--name", "untyped"]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.out
    assert "warning:" in captured.err and "'d'" in captured.err
    nb = json.loads((tmp_path / "untyped" / "untyped.ipynb").read_text(encoding="utf-8"))
    printed = "".join(
        o.get("text", "") if isinstance(o.get("text"), str) else "".join(o.get("text", []))
        for o in nb["cells"][-1]["outputs"]
    )
    assert printed.strip() == "5 2.25 ['Hello', 'World'] '7' False {'k': 1} []"
    assert main(["run", str(FIXTURES / "no-parameters.ipynb"), "-p", "msg", "x", "--out", str(tmp_path)]) == 2
    assert "parameter 'msg'" in capsys.readouterr().err
