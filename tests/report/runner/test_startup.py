"""What report processes leave out at start-up, and what they keep between runs."""

from __future__ import annotations

import subprocess
import sys

from ddj.report.pages import figures


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


def test_no_process_builds_the_iri_grammar_jsonschema_4_25_would_build():
    """The jsonschema pin (below 4.25, ``pyproject.toml``) holds: from 4.25 its import builds Lark parsers for the
    ``iri`` format (``rfc3987_syntax``), over a second of CPU in every kernel, server and chart command. What report
    kernels, the Explorer's server and ``ddj compare`` import must not bring it back.
    """
    modules = _modules_after("import altair, nbformat, nbconvert, papermill, jupyter_events.validators, voila.app")
    assert {"jsonschema", "altair", "voila.app"} <= modules  # the importers were imported ...
    assert not {"rfc3987_syntax", "lark"} & modules  # ... without the grammar


def test_the_scripts_bundle_is_kept_per_vl_convert_version_and_rebuilt_when_damaged(tmp_path, monkeypatch):
    import vl_convert

    monkeypatch.setenv("DDJ_CACHE_DIR", str(tmp_path))
    build = figures.javascript_bundle.__wrapped__
    first = build()
    kept = tmp_path / f"vega-bundle-vl-convert-{vl_convert.__version__}.js"
    assert kept.read_text(encoding="utf-8") == first
    assert "window.vegaEmbed=" in first

    kept.write_text("cut short", encoding="utf-8")
    assert build() == first
    assert kept.read_text(encoding="utf-8") == first

    calls = []
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda: calls.append(1) or "never used")
    assert build() == first  # read from the kept file, not built again
    assert calls == []


def test_an_unwritable_cache_still_gives_the_bundle(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("DDJ_CACHE_DIR", str(blocker / "ddj"))
    assert "window.vegaEmbed=" in figures.javascript_bundle.__wrapped__()
