"""The page sections notebooks display: right content, and data cannot inject markup."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

import ddj
from ddj.errors import UsageError
from ddj.model import GRADES
from ddj.report.pages import sections
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
    assert str(sections.window_summary(selected, place="Syria", date_from=None, date_to=None)) == (
        "<p>1 incident in Syria, on 28 February 2021.</p>"
    )


def test_no_section_lets_a_payload_through(hostile):
    pieces = [
        sections.incident_heading(hostile, "inc-1"),
        sections.incident_facts(hostile, "inc-1"),
        sections.accounts_side_by_side(hostile, "inc-1"),
        sections.incident_list(hostile.incidents),
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


# --- the comparison on the page ------------------------------------------------------------------------


def _revised(tables: dict) -> None:
    """The ministry later blames hostile fire (a changed account) and the local outlet names a cause that
    contradicts it; an editor sets the grade of inc-1 by a logged decision.
    """
    tables["accounts"].append(
        {
            **tables["accounts"][0],
            "account_id": "acc-4",
            "published_date": "2021-03-05",
            "supersedes_account_id": "acc-1",
            "cause": "hostile_fire",
            "statement": "The ministry now says it was hit.",
        }
    )
    tables["accounts"][1]["cause"] = "technical_failure"
    tables["overrides"].append(
        {
            "override_id": "ovr-7",
            "target_table": "grades",
            "target_id": "inc-1",
            "field": "grade",
            "value": "weak",
            "editor": "R. Editor",
            "decided_on": "2021-04-01",
            "reason": "The local outlet retracted its report.",
        }
    )


@pytest.fixture(scope="module")
def revised(tmp_path_factory):
    from ddj.compare import compare

    ds = ddj.load(write_package(tmp_path_factory.mktemp("r") / "revised", _revised), warn=False)
    return ds, compare(ds)


@pytest.fixture(scope="module")
def minimal_comparison(minimal):
    from ddj.compare import compare

    return compare(minimal)


def _row(html: str, label: str) -> str:
    return re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', html).group(1)


def test_discrepancy_table_names_values_sources_and_statuses_in_words(minimal, minimal_comparison):
    html = str(sections.discrepancy_table(minimal, minimal_comparison, "inc-1"))
    assert html.startswith(
        "<p>Officials and other accounts do not contradict each other on any point compared here. Officials say "
        "nothing about the hostile fire and crew killed, which other accounts report.</p>"
    )
    cause = _row(html, "cause")
    assert "<td>a technical failure<br><small>Ministry</small></td>" in cause and 'class="ddj-silent"' in cause
    assert cause.endswith("only officials give a value</td>")
    hostile = _row(html, "hostile fire")
    assert "<td>no<br><small>Local media</small></td><td>1</td>" in hostile
    assert hostile.endswith("officials silent on this point; others report</td>")
    assert "Officials changed their account" not in html
    unacknowledged = str(sections.discrepancy_table(minimal, minimal_comparison, "inc-2"))
    # The minimal package declares no search for official statements: no claim that the operator stayed silent.
    assert unacknowledged.startswith(
        "<p>No official account of this incident is recorded, and no search for official statements was declared.</p>"
    )


def test_discrepancy_table_shows_contradictions_and_changed_official_accounts(revised):
    ds, comparison = revised
    html = str(sections.discrepancy_table(ds, comparison, "inc-1"))
    assert html.startswith("<p>Officials and other accounts contradict each other on the cause.")
    cause = _row(html, "cause")
    assert (
        "<td>hostile fire<br><small>Ministry</small></td><td>a technical failure<br><small>Local media</small>"
    ) in cause
    assert cause.endswith("official and other accounts contradict</td>")
    changes = html.split("Officials changed their account:")[1]
    assert (
        "<td>Ministry</td><td>cause</td><td>a technical failure (2021-02-28)</td><td>hostile fire (2021-03-05)</td>"
    ) in changes


def test_grade_box_gives_grade_meaning_reason_and_acknowledgement(minimal_comparison):
    html = str(sections.grade_box(minimal_comparison, "inc-1"))
    # the ministry gives the cause; the local outlet speaks only to hostile fire and crew killed, on which
    # the ministry is silent: nothing independent backs the ministry's version
    assert "<strong>Grade: uncorroborated</strong> — official account only, not independently corroborated" in html
    assert (
        "<p>Why: Uncorroborated: the operator gave its version; 1 independent source speaks of the incident "
        "but not to the points the operator makes"
    ) in html
    assert (
        "The operator&#x27;s first official account came on 28 February 2021, the day it began, "
        "1 day before the first other report."
    ) in html
    assert "editor" not in html
    silent = str(sections.grade_box(minimal_comparison, "inc-2"))
    assert (
        "No official account of the incident is recorded (no search for official statements was declared); "
        "other sources first reported it on 26 February 2021."
    ) in silent
    with pytest.raises(UsageError, match="no incident 'nope'"):
        sections.grade_box(minimal_comparison, "nope")


def test_grade_box_of_a_confirmed_incident_names_the_independent_agreement():
    from ddj.compare import compare

    ds = ddj.load("syria-ru-aviation", warn=False)
    comparison = compare(ds)
    confirmed = comparison.incidents.filter((pl.col("grade") == "confirmed") & ~pl.col("grade_overridden"))[
        "incident_id"
    ].to_list()
    assert confirmed  # the shipped data has incidents an independent account backs
    for incident_id in confirmed:
        html = str(sections.grade_box(comparison, incident_id))
        assert "<strong>Grade: confirmed</strong> — the operator gave its version, an account independent" in html
        assert "<p>Why: Confirmed: an account independent of the operator agrees with its version on " in html


def test_an_overridden_grade_shows_editor_date_reason_and_what_the_rules_give(revised):
    _, comparison = revised
    html = str(sections.grade_box(comparison, "inc-1"))
    assert "<strong>Grade: weak</strong>" in html
    assert (
        "<strong>An editor set this grade.</strong> Set to weak by R. Editor on 2021-04-01 (override ovr-7). "
        "Reason: The local outlet retracted its report."
    ) in html
    assert "The rules give <strong>contested</strong>. Contested: the operator and unofficial accounts" in html
    assert "An official source later changed its account." in html
    table = str(sections.grades_table(comparison, revised[0].incidents))
    incident = re.search(r"<tr><td>28 February 2021</td>(.*?)</tr>", table).group(1)
    assert "<td>weak</td>" in incident and "R. Editor on 2021-04-01" in incident
    assert "The rules give contested" in incident
    assert "1 grade(s) here were set by an editor" in table


def test_grades_table_counts_every_grade_and_gives_each_reason(minimal, minimal_comparison):
    html = str(sections.grades_table(minimal_comparison, minimal.incidents))
    counted = re.findall(r"</span>(\w+)</th><td>(\d+)</td>", html)
    assert [grade for grade, _ in counted] == list(GRADES)  # every grade, in the rules' order
    assert dict(counted) == {
        "confirmed": "0",
        "fair": "0",
        "uncorroborated": "1",
        "weak": "1",
        "contested": "0",
        "discounted": "0",
    }
    rows = re.findall(r"<tr><td>(\d+ February 2021)</td><td>([^<]*)</td><td>(\w+)</td>", html)
    assert rows == [
        ("25 February 2021", "Strikes before the landing", "weak"),
        ("28 February 2021", "Helicopter lands after a fault", "uncorroborated"),
    ]
    assert "No grade here was set by an editor." in html


def test_causes_count_each_side_and_list_the_disputes(minimal, minimal_comparison, revised):
    html = str(sections.causes(minimal_comparison, minimal.incidents))
    assert '<tr><th scope="row">technical failure</th><td>1</td><td>0</td></tr>' in html
    assert '<tr><th scope="row"><em>no cause given</em></th><td>1</td><td>2</td></tr>' in html
    assert "only officials give a value</td><td>1</td>" in html and "no account gives a value</td><td>1</td>" in html
    assert "In no selected incident do the causes differ" in html
    ds, comparison = revised
    disputed = str(sections.causes(comparison, ds.incidents)).split("Where the causes differ")[1]
    assert (
        "<tr><td>Helicopter lands after a fault</td><td>hostile fire</td><td>a technical failure</td>" in disputed
    ) and "official and other accounts contradict" in disputed


def test_rates_by_year_count_contradiction_and_silence(minimal, minimal_comparison, revised):
    html = str(sections.rates_by_year(minimal_comparison, minimal.incidents))
    # Nobody declared a search for official statements: the unacknowledged incident is counted as unsearched.
    assert (
        '<tr><th scope="row">2021</th><td>2</td><td>0 (0%)</td><td>0 (0%)</td><td>1 (50%)</td><td>1 (50%)</td>'
        "<td>0</td></tr>" in html
    )
    assert '<tr><th scope="row">all years</th><td>2</td>' in html
    ds, comparison = revised
    assert "<td>2</td><td>1 (50%)</td>" in str(sections.rates_by_year(comparison, ds.incidents))


def test_theatre_sections_say_so_when_the_selection_is_empty(minimal, minimal_comparison):
    empty = sections.select_incidents(minimal, country="Syria", date_from="2030-01-01")
    for piece in (
        sections.causes(minimal_comparison, empty),
        sections.rates_by_year(minimal_comparison, empty),
        sections.grades_table(minimal_comparison, empty),
        sections.narrative_section(minimal, minimal_comparison, empty["incident_id"].to_list()),
    ):
        assert str(piece) == "<p>No incidents in this selection.</p>"


def test_narrative_section_has_numbered_footnotes(minimal, minimal_comparison):
    html = str(sections.narrative_section(minimal, minimal_comparison, ["inc-2", "inc-1"]))
    assert html.index("Strikes before the landing") < html.index("Helicopter lands after a fault")
    footnotes = re.findall(r'<li id="story-fn-(\d+)">', html)
    assert footnotes == ["1", "2", "3"]
    assert all(f'href="#story-fn-{n}"' in html for n in footnotes)


def test_not_on_map_lists_the_incidents_and_why():
    import warnings

    import ddj.charts as charts

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        located = charts.locator_map(ddj.load("syria-ru-aviation", warn=False), incident_ids="med-2016-11-13-mig29kr")
    assert located.placed == 0
    html = str(sections.not_on_map(located))
    assert "<li>MiG-29KR lost approaching the carrier Admiral Kuznetsov: no coordinates</li>" in html


def test_no_comparison_section_lets_a_payload_through(hostile):
    from ddj.compare import compare

    comparison = compare(hostile)
    pieces = [
        sections.discrepancy_table(hostile, comparison, "inc-1"),
        sections.grade_box(comparison, "inc-1"),
        sections.causes(comparison, hostile.incidents),
        sections.rates_by_year(comparison, hostile.incidents),
        sections.grades_table(comparison, hostile.incidents),
        sections.narrative_section(hostile, comparison, ["inc-1", "inc-2"]),
    ]
    html = "".join(str(p) for p in pieces)
    for payload in PAYLOADS:
        assert payload not in html
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html  # the source's name, shown as text
    assert "Title 0 &lt;script&gt;" in html


# --- templates: the one path from data to HTML ----------------------------------------------------------------

_REPORT_DIR = sections.__file__.rsplit("/", 2)[0]  # ddj/report/pages: sections is a package in it
_SECTION_MODULES = sorted(f"sections/{p.name}" for p in Path(sections.__file__).parent.glob("*.py"))
_HTML_TAG = re.compile(
    r"</?(a|p|div|span|table|thead|tbody|tr|td|th|ul|ol|li|dl|dt|dd|h[1-6]|br|em|strong|small|code|"
    r"section|nav|figure|figcaption|details|summary|script|style|meta|html|head|body|title|link|"
    r"img|iframe|svg|textarea|input|select|option|label|main|pre)[\s>/]",
    re.IGNORECASE,
)
# Reading pages, not writing them: the pattern that finds a page's metadata in a built page.
_READING = {("index.py", "_PAGE_META")}


def _string_literals(path: str) -> list[tuple[int, str, str]]:
    """Every string literal of a module but its docstrings, with its line and the name it is assigned to."""
    import ast

    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        targets = [t.id for t in node.targets if isinstance(t, ast.Name)] if isinstance(node, ast.Assign) else []
        for inner in ast.walk(node) if targets else []:
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                found.append((inner.lineno, inner.value, targets[0]))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append((node.lineno, node.value, ""))
    return found


@pytest.mark.parametrize("module", [*_SECTION_MODULES, "index.py", "figures.py", "templating.py", "htmlexport.py"])
def test_no_html_is_assembled_in_python(module):
    """Page HTML comes from the templates only: no string literal of these modules holds an HTML tag."""
    assigned = {
        (line, text) for line, text, name in _string_literals(f"{_REPORT_DIR}/{module}") if (module, name) in _READING
    }
    tags = [
        (line, text[:60])
        for line, text, _ in _string_literals(f"{_REPORT_DIR}/{module}")
        if _HTML_TAG.search(text) and (line, text) not in assigned
    ]
    assert tags == []


def test_the_check_for_html_in_python_finds_it(tmp_path):
    """The test above would fail on an f-string building a cell (it reads f-string parts too)."""
    module = tmp_path / "bad.py"
    module.write_text('def cell(v):\n    """A <td> in a docstring is fine."""\n    return f"<td>{v}</td>"\n')
    assert [text for _, text, _ in _string_literals(str(module)) if _HTML_TAG.search(text)] == ["<td>", "</td>"]


def test_templates_never_turn_escaping_off():
    """Only Python can hand a template HTML (as Markup, from ddj.html or another template): no template marks a
    value safe or switches autoescaping off.
    """
    from ddj.report.pages.templating import TEMPLATES

    for path in TEMPLATES.glob("*.j2"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe\b|autoescape\s+false|\|\s*e\b.*\|\s*safe", text), path.name


def test_the_environment_is_made_once_and_escapes_everything():
    from ddj.report.pages import templating

    env = templating.environment()
    assert env is templating.environment() and env.autoescape is True
    assert str(templating.macro("sections.frag.j2", "paragraph", PAYLOADS[0])) == (
        "<p>&lt;script&gt;window.__pwned=1&lt;/script&gt;</p>"
    )
    assert str(templating.macro("sections.frag.j2", "paragraph", None)) == "<p></p>"  # as ddj.html.escape(None)
    import jinja2

    with pytest.raises(jinja2.UndefinedError):  # a misspelt name in a template is an error, not a blank
        env.from_string("{{ nothing_here }}").render()


def test_every_section_escapes_hostile_text(hostile):
    from ddj.compare import compare

    comparison = compare(hostile)
    ids = hostile.incidents["incident_id"].to_list()
    losses, context = sections.split_context(hostile.incidents)
    pieces = [
        sections.incident_page_info(hostile, comparison, "inc-1"),
        sections.related_incidents(hostile, "inc-1"),
        sections.corrections(hostile, comparison, ids),
        sections.how_we_did_this(hostile, ids),
        sections.left_out(hostile, losses.head(1), context, country="Nowhere"),
        sections.theatre_page_info(hostile, losses, place=PAYLOADS[3]),
        sections.window_summary(losses, place=PAYLOADS[1], date_from=None, date_to=None),
        sections.incidents_by_type(hostile.incidents),
        sections.incident_list(hostile.incidents, link=sections.INCIDENT_PAGE),
        sections.table(pl.DataFrame({"a": list(PAYLOADS)}), {"a": PAYLOADS[2]}, css_class=PAYLOADS[3]),
    ]
    html = "".join(str(p) for p in pieces)
    for payload in PAYLOADS:
        assert payload not in html
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<svg" not in html
    assert "Title 0 &lt;script&gt;" in html


def test_the_front_page_escapes_hostile_manifests():
    from ddj.report.pages.index import render_index

    page = {
        "title": PAYLOADS[0],
        "kind": "incident",
        "date": "2016-08-01",
        "date_text": PAYLOADS[1],
        "aircraft": PAYLOADS[2],
        "place": PAYLOADS[3],
        "grade": PAYLOADS[4],
        "description": PAYLOADS[0],
    }
    manifests = [
        {
            "report": PAYLOADS[1],
            "title": PAYLOADS[2],
            "group": PAYLOADS[3],
            "status": PAYLOADS[4],
            "error": {"message": PAYLOADS[0]},
            "_folder": "f",
            "_html": 'f/a".html',
            "_page": page,
        }
    ]
    html = render_index(manifests)
    for payload in PAYLOADS:
        assert payload not in html
    assert html.count("<script") == 1  # the filter script only, allowed by its hash
    assert 'href="f/a&#x27;' not in html and 'href="f/a&quot;.html"' in html


# --- the casualty-range chart on incident pages -----------------------------------------------------------------


def test_an_incident_page_charts_casualty_ranges_when_an_account_gives_a_figure(minimal):
    from ddj.compare import compare

    comparison = compare(minimal)
    assert sections.has_counts(comparison, "inc-1") is True  # acc-2 gives the crew's dead
    assert sections.has_counts(comparison, "inc-2") is False  # its one account states no figure
    assert sections.has_counts(comparison, "no-such-incident") is False
    # A figure only in a replaced account does not count: the chart shows current accounts.
    replaced = comparison.accounts.with_columns(is_current=pl.col("account_id") != "acc-2")
    assert sections.has_counts(type(comparison)(**{**vars(comparison), "accounts": replaced}), "inc-1") is False
    assert "No account gives a figure" in str(sections.no_counts())


def test_the_incident_notebook_shows_the_casualty_chart_where_there_are_counts():
    import nbformat

    nb = nbformat.read(f"{_REPORT_DIR}/../../../notebooks/incident-report.ipynb", as_version=4)
    cell = next(c.source for c in nb.cells if "casualty_ranges" in c.source)
    assert cell.startswith("if sections.has_counts(comparison, incident_id):")
    assert 'show(charts.casualty_ranges(ds, comparison, incident_ids=incident_id), "casualties")' in cell


def test_a_tally_page_tells_the_front_page_its_span_and_dates_its_byline_by_the_latest_figure(tally):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        series = ddj.tally.tally_series(tally, ["tank", "aircraft"])
    info = sections.tally_page_info(tally, series, ["tank", "aircraft"])
    claimed = series.filter(pl.col("official").is_not_null())["date"]
    latest = max(claimed.max(), series["documented_as_of"].max())
    assert info.meta["kind"] == "tally" and info.meta["date"] == str(claimed.max())
    assert info.meta["date_text"].startswith(f"{claimed.min().day} ") and "title" not in info.meta
    assert "2 categories (tank, aircraft)" in info.meta["description"]
    assert info.meta["as_of"] == str(latest)
    assert f"Data as of {latest.day} " in info.html and "(the latest figure we hold)" in info.html
    assert sections.tally_page_info(tally, series, title="Tanks").meta["title"] == "Tanks"
    assert "(aircraft, tank)" in sections.tally_page_info(tally, series).meta["description"]  # the series' order
