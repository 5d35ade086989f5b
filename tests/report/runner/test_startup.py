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


def test_report_processes_skip_the_iri_grammar_jsonschema_would_build():
    plain = _modules_after("import nbformat")
    skipped = _modules_after(
        "from ddj.report.runner._startup import skip_unused_imports\nskip_unused_imports()\nimport nbformat"
    )
    assert "rfc3987_syntax.syntax_helpers" in plain  # installed with JupyterLab: the cost is real
    assert "jsonschema" in skipped and "rfc3987_syntax.syntax_helpers" not in skipped


def test_skipping_is_too_late_once_jsonschema_is_imported_and_changes_nothing():
    modules = _modules_after(
        "import jsonschema\nfrom ddj.report.runner._startup import skip_unused_imports\nskip_unused_imports()\n"
        "import rfc3987_syntax"
    )
    assert "rfc3987_syntax.syntax_helpers" in modules


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


def test_the_explorers_first_step_skips_the_grammar_before_altair_imports_jsonschema():
    """Each Explorer visitor's kernel runs ``ddj.widgets.startup.run`` first (its inserted cell); the step marks the
    grammar's module absent before anything imports jsonschema, as a report process does.
    """
    modules = _modules_after(
        "import ddj.widgets.startup\n"
        "try:\n    ddj.widgets.startup.run('nonsense', 'syria-ru-aviation')\nexcept Exception:\n    pass\n"
        "import altair"
    )
    assert "jsonschema" in modules and "rfc3987_syntax.syntax_helpers" not in modules
