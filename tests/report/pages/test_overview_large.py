"""The theatre overview of a big selection: above a size it lists only the top incidents and says what it left
out; below the size its sections are exactly what they were (issue 20, "Reports on big imports").

Small synthetic datasets with a lowered threshold stand in for a 5,000-incident import (the size and time of
that page are measured by ``python -m benchmarks overview``).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

import ddj
from ddj.compare import compare
from ddj.datasets import Dataset
from ddj.report.pages import sections
from ddj.synth import synthetic_tables

LIMIT = 20
TOP = 5


@pytest.fixture(scope="module")
def big() -> tuple[Dataset, object, pl.DataFrame, pl.DataFrame]:
    """A synthetic dataset of 80 incidents, its comparison, its Syrian losses and its context events."""
    ds = Dataset(
        name="synthetic",
        folder=Path("."),
        kind="incidents",
        tables=synthetic_tables(80, seed=3),
        caveats=(),
        descriptor={"version": "0"},
        files={},
    )
    comparison = compare(ds)
    losses, context = sections.split_context(sections.select_incidents(ds, country="Syria"))
    assert losses.height > LIMIT  # the fixture is above the lowered size
    return ds, comparison, losses, context


def _top(big: tuple) -> pl.DataFrame:
    ds, comparison, losses, _ = big
    return sections.top_incidents(ds, comparison, losses, limit=LIMIT, top=TOP)


def _body_rows(html: str, table_class: str) -> int:
    table = re.search(rf'<table class="{table_class}">.*?</table>', html, re.S)
    assert table is not None, f"no table {table_class} in the section"
    return table.group(0).count("<tr>") - 1  # less the header row


def test_top_incidents_are_the_most_contradicted_first(big: tuple) -> None:
    _, comparison, losses, _ = big
    top = _top(big)
    assert top.height == TOP
    assert top.columns == losses.columns
    contradicted = dict(comparison.incidents.select("incident_id", "n_contradict").iter_rows())
    shown = [contradicted[i] for i in top["incident_id"]]
    assert shown == sorted(shown, reverse=True)
    assert shown[0] == max(contradicted[i] for i in losses["incident_id"])


def test_top_incidents_then_by_deaths(big: tuple) -> None:
    ds, comparison, _, _ = big
    top = _top(big)
    killed = (pl.col("crew_killed_best").fill_null(0) + pl.col("others_killed_best").fill_null(0)).max()
    deaths = dict(ds.accounts.group_by("incident_id").agg(killed).iter_rows())
    contradicted = dict(comparison.incidents.select("incident_id", "n_contradict").iter_rows())
    for first, second in zip(top["incident_id"], top["incident_id"][1:], strict=False):
        if contradicted[first] == contradicted[second]:
            assert deaths.get(first, 0) >= deaths.get(second, 0)


def test_incident_list_above_the_size_says_what_it_left_out(big: tuple) -> None:
    _, _, losses, _ = big
    html = str(sections.incident_list(_top(big), link=sections.INCIDENT_PAGE, total=losses.height))
    assert f"Showing {TOP} of {losses.height} incidents" in html
    assert "ddj compare DATASET --out FILE" in html
    assert _body_rows(html, "ddj-incidents") == TOP


def test_narrative_above_the_size_tells_only_the_top_incidents(big: tuple) -> None:
    ds, comparison, losses, _ = big
    ids = _top(big)["incident_id"].to_list()
    html = str(sections.narrative_section(ds, comparison, ids, total=losses.height))
    assert f"Showing {TOP} of {losses.height} incidents" in html
    assert html.count('class="ddj-incident"') == TOP


def test_grades_above_the_size_count_all_but_list_the_top(big: tuple) -> None:
    _, comparison, losses, _ = big
    html = str(sections.grades_table(comparison, losses, listed=_top(big)))
    assert f"Showing {TOP} of {losses.height} incidents" in html
    assert _body_rows(html, "ddj-grades") == TOP


def test_causes_above_the_size_list_disputes_of_the_top_only(big: tuple) -> None:
    _, comparison, losses, _ = big
    html = str(sections.causes(comparison, losses, listed=_top(big)))
    assert "ddj compare DATASET --out FILE" in html
    assert _body_rows(html, "ddj-cause-disputes") <= TOP


def test_left_out_above_the_size_counts_by_reason(big: tuple) -> None:
    ds, _, losses, context = big
    html = str(sections.left_out(ds, losses, context, country="Syria", limit=3))
    outside = ds.incidents.height - losses.height
    assert outside > 3
    assert f"This page leaves out {outside} of the dataset's incidents" in html
    assert "<a href=" not in html  # no line per incident
    counted = sum(int(n.replace(",", "")) for n in re.findall(r": ([\d,]+)</li>", html))
    assert counted == outside


def test_below_the_size_the_sections_are_unchanged() -> None:
    ds = ddj.load("syria-ru-aviation", warn=False)
    comparison = compare(ds)
    losses, context = sections.split_context(sections.select_incidents(ds, country="Syria"))
    listed = sections.top_incidents(ds, comparison, losses)
    assert listed.equals(losses)
    ids = losses["incident_id"].to_list()
    assert str(sections.incident_list(listed, link=sections.INCIDENT_PAGE, total=losses.height)) == str(
        sections.incident_list(losses, link=sections.INCIDENT_PAGE)
    )
    assert str(sections.narrative_section(ds, comparison, ids, total=losses.height)) == str(
        sections.narrative_section(ds, comparison, ids)
    )
    assert str(sections.grades_table(comparison, losses, listed=listed)) == str(
        sections.grades_table(comparison, losses)
    )
    assert str(sections.causes(comparison, losses, listed=listed)) == str(sections.causes(comparison, losses))
    assert "Showing" not in str(sections.left_out(ds, losses, context, country="Syria"))


# --- the compact searchable table of every incident ----------------------------------------------------------


def test_the_finder_lists_every_incident_earliest_first_and_says_what_it_leaves_out(big: tuple) -> None:
    _, comparison, losses, _ = big
    finder = sections.incident_finder(comparison, losses, shown=TOP)
    html = str(finder)
    assert finder.scripts == (sections.FINDER_SCRIPT,)
    assert finder._repr_mimebundle_()[sections.SCRIPTS_MIME] == [sections.FINDER_SCRIPT]
    dates = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)<td>", html)
    assert len(dates) == losses.height and dates == sorted(dates)
    assert f"All {losses.height:,} incidents, one line each" in html and f"the {TOP} described" in html
    assert "leaves out the incident&#x27;s accounts, causes, casualty figures and sources" in html
    grades = dict(comparison.incidents.select("incident_id", "grade").iter_rows())
    first = losses.sort("date_start", "incident_id").row(0, named=True)
    assert f"<tr><td>{first['date_start']:%Y-%m-%d}<td>{first['title']}<td>" in html
    assert f"<td>{grades[first['incident_id']]}<td>" in html
    assert 'class="ddj-finder-form" hidden' in html  # without scripts there is no box that does nothing


def test_the_finder_escapes_hostile_titles(tmp_path) -> None:
    from tests.fixtures.hostile import PAYLOADS, write_hostile_package

    ds = ddj.load(write_hostile_package(tmp_path / "hostile"), warn=False)
    html = str(sections.incident_finder(compare(ds), ds.incidents))
    assert all(payload not in html for payload in PAYLOADS)
    assert html.count("<script") == 0 and html.count("<tr><td>") == ds.incidents.height


def test_a_page_with_the_finder_inlines_its_script_allowed_by_hash(big: tuple) -> None:
    import base64
    import hashlib

    import nbformat

    from ddj.report.pages.htmlexport import export_html, page_script

    _, comparison, losses, _ = big
    finder = sections.incident_finder(comparison, losses)
    asks = {"text/html": str(finder), sections.SCRIPTS_MIME: [sections.FINDER_SCRIPT, "../../etc/passwd"]}
    nb = nbformat.v4.new_notebook()
    output = nbformat.v4.new_output("display_data", data=asks)
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[output]), nbformat.v4.new_code_cell("y", outputs=[output])]
    html = export_html(nb, title="big").html
    script = page_script(sections.FINDER_SCRIPT)
    assert "//" not in script.split("\n")[0] and "innerHTML" not in script and "fetch" not in script
    assert html.count("<script>") == 1 and f"<script>{script}</script>" in html  # once, though asked twice
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}' 'unsafe-eval'" in html
    plain = nbformat.v4.new_notebook()
    plain.cells = [
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output("display_data", data={"text/html": "<p>a</p>"})])
    ]
    assert "script-src 'none'" in export_html(plain, title="small").html
