"""The page sections notebooks display: right content, and data cannot inject markup."""

from __future__ import annotations

import re

import pytest

import ddj
from ddj.errors import UsageError
from ddj.report import sections
from tests.fixtures.hostile import PAYLOADS, write_hostile_package
from tests.fixtures.minimal import write_package


@pytest.fixture(scope="module")
def minimal(tmp_path_factory):
    return ddj.load(write_package(tmp_path_factory.mktemp("m") / "mini"), warn=False)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return ddj.load(write_hostile_package(tmp_path_factory.mktemp("h") / "hostile"), warn=False)


def test_accounts_side_by_side_shows_each_claim_and_silence(minimal):
    html = str(sections.accounts_side_by_side(minimal, "inc-1"))
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)<br>', html)
    assert headers == ["Ministry", "Local media"]  # earliest account first
    cause_row = re.search(r'<th scope="row">cause</th>(.*?)</tr>', html).group(1)
    assert cause_row.startswith("<td>technical failure</td>") and 'class="ddj-silent"' in cause_row
    crew_row = re.search(r'<th scope="row">crew killed</th>(.*?)</tr>', html).group(1)
    assert crew_row.endswith("<td>0</td>")
    assert '<a href="https://example.org/report" rel="noopener noreferrer">report</a>' in html


def test_facts_say_when_where_and_what(minimal):
    html = str(sections.incident_facts(minimal, "inc-1"))
    assert "<dt>When</dt><dd>28 February 2021</dd>" in html
    assert "Al-Hasakah, Syria (first-level administrative division" in html
    assert "Mi-35 (helicopter)" in html
    with pytest.raises(UsageError, match="no incident 'nope'"):
        sections.incident_facts(minimal, "nope")


def test_theatre_sections_count_and_list_the_window(minimal):
    selected = sections.select_incidents(minimal, country="Syria", date_from="2021-02-26", date_to="2021-03-31")
    assert selected["incident_id"].to_list() == ["inc-1"]
    table = str(sections.incidents_by_type(sections.select_incidents(minimal, country="Syria")))
    assert '<th scope="row">emergency landing</th><td>1</td><td>1</td>' in table
    assert "1 incident(s) in Syria" in str(sections.window_summary(selected, place="Syria", date_from=None, date_to=None))


def test_no_section_lets_a_payload_through(hostile):
    pieces = [
        sections.incident_heading(hostile, "inc-1"), sections.incident_facts(hostile, "inc-1"),
        sections.accounts_side_by_side(hostile, "inc-1"), sections.incident_list(hostile.incidents),
        sections.data_caveats(hostile),
    ]
    html = "".join(str(p) for p in pieces)
    for payload in PAYLOADS:
        assert payload not in html
    assert "<script" not in html and "onerror=" not in html.replace("onerror=&quot;", "")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert 'href="https://example.org/a%22%3E%3Cscript%3E' in html  # the link survives, encoded


def test_tally_sections_show_latest_figures_crossings_revisions_and_findings():
    ds = ddj.load("ukraine-equipment-losses", warn=False)
    series = ddj.tally.tally_series(ds, ["tank"])
    latest = str(sections.tally_latest(ds, ["tank"]))
    assert re.search(r"<tr><td>tank</td><td>\d+</td><td>\d{4}-\d\d-\d\d</td>", latest)
    crossings = str(sections.tally_crossings(series))
    assert "<td>tank</td><td>2.0</td><td>2022-03-22</td>" in crossings
    revisions = str(sections.tally_revisions(series))
    assert "<td>2023-05-27</td><td>tank</td><td>-5</td><td>3799</td>" in revisions
    findings = str(sections.tally_findings(ds))
    assert "<td>decrease_unexplained</td>" in findings
