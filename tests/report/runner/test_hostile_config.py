"""reports.toml and notebooks that must be refused cleanly: no traceback, no file contents echoed, no reserved names."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddj.cli import main
from ddj.errors import DDJError
from ddj.report.runner.config import ConfigError, load_config
from tests.paths import TESTS

NOTEBOOKS = TESTS / "notebooks"


def test_a_report_may_not_write_over_the_runners_own_index(tmp_path):
    config = tmp_path / "reports.toml"
    config.write_text(
        f'[reports.a]\nnotebook = "{NOTEBOOKS / "tiny.ipynb"}"\noutput = "index.html"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"\[reports.a\] writes to 'index.html', a name the runner keeps for itself"):
        load_config(config)


def test_a_utf16_reports_toml_gets_a_message_not_a_traceback(tmp_path, capsys):
    config = tmp_path / "reports.toml"
    config.write_text("[reports.a]\n", encoding="utf-16")
    with pytest.raises(ConfigError, match=r"not UTF-8 text .*save reports\.toml as UTF-8"):
        load_config(config)
    assert main(["run", "--config", str(config), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "This is a bug" not in err and "not UTF-8 text" in err


def test_a_file_that_is_not_a_notebook_is_refused_without_echoing_its_contents(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:do-not-publish\n", encoding="utf-8")
    config = tmp_path / "reports.toml"
    config.write_text(f'[reports.a]\nnotebook = "{secret}"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--config", str(config), "--out", str(out)]) == 1
    printed = capsys.readouterr()
    assert "not a readable notebook" in printed.out + printed.err
    for text in (
        printed.out,
        printed.err,
        *(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".json")),
    ):
        assert "do-not-publish" not in text


_TOML_PIECES = st.sampled_from(
    [
        "[reports.a]\n",
        "[reports]\n",
        "notebook = ",
        '"x.ipynb"\n',
        "parameters = ",
        "{ a = 1 }\n",
        "grid = ",
        "[1, 2]\n",
        "output = ",
        '"o-{a}"\n',
        "schedule = ",
        '"0 4 * * *"\n',
        '"0 0 30 2 *"\n',
        "timeout = ",
        "-5\n",
        "title = ",
        "3\n",
        "[reports.a.grid]\n",
        "a = { each = 3 }\n",
        "= = =\n",
        "\x00",
        "\ufeff",
        '"\\u202e"\n',
        "[[reports]]\n",
    ]
)


@given(data=st.one_of(st.binary(max_size=400), st.lists(_TOML_PIECES, max_size=14).map(lambda p: "".join(p).encode())))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_bytes_as_reports_toml_give_a_message_or_a_config(tmp_path, data):
    config = tmp_path / "reports.toml"
    config.write_bytes(data)
    try:
        load_config(config)
    except DDJError as err:
        assert str(err).strip() and "This is a bug" not in str(err)
