"""Pieces of report pages that notebooks display: facts of an incident, its accounts side by side, where
officials and others agree or contradict each other, its grade and the cited narrative; a theatre's
incidents, causes by side, contradiction and silence rates and grades; a tally's figures and findings.
Each returns a :class:`Section` (HTML that Jupyter displays), escaped through :mod:`ddj.html`, so
notebooks stay a few lines per cell and data cannot inject markup.

Notebooks import this package and call its sections by name (``sections.incident_heading(ds, incident_id)``);
each lives in a module with one job:

- :mod:`~ddj.report.pages.sections.base`: the :class:`Section` type and what every section is made of;
- :mod:`~ddj.report.pages.sections.incident`: an incident's page (facts, accounts, discrepancies, grade,
  narrative);
- :mod:`~ddj.report.pages.sections.theatre`: a theatre's overview (the selection, lists, causes, rates, grades,
  what it leaves out);
- :mod:`~ddj.report.pages.sections.large`: big theatres (the top incidents, the searchable finder);
- :mod:`~ddj.report.pages.sections.tally`: a tally's figures, crossings, corrections and findings;
- :mod:`~ddj.report.pages.sections.page_info`: a page's metadata and byline, and links between pages;
- :mod:`~ddj.report.pages.sections.notes`: caveats, corrections and how we did this;
- :mod:`~ddj.report.pages.sections.legend`: what grades and statuses mean, shared by the comparison's sections.
"""

from ddj.report.pages.handoff import FINDER_SCRIPT, PAGE_MIME, SCRIPTS_MIME
from ddj.report.pages.sections.base import ScriptedSection, Section, date_text, table
from ddj.report.pages.sections.incident import (
    accounts_side_by_side,
    discrepancy_table,
    grade_box,
    has_counts,
    incident_facts,
    incident_heading,
    narrative_section,
    no_counts,
    not_on_map,
    related_incidents,
)
from ddj.report.pages.sections.large import LARGE_OVERVIEW, TOP_INCIDENTS, TOP_RULE, incident_finder, top_incidents
from ddj.report.pages.sections.legend import GRADE_MEANINGS
from ddj.report.pages.sections.notes import corrections, data_caveats, how_we_did_this
from ddj.report.pages.sections.page_info import (
    INCIDENT_PAGE,
    PageInfo,
    credit_line,
    incident_page_info,
    tally_page_info,
    theatre_page_info,
)
from ddj.report.pages.sections.tally import tally_crossings, tally_findings, tally_latest, tally_revisions
from ddj.report.pages.sections.theatre import (
    causes,
    grades_table,
    incident_list,
    incidents_by_type,
    left_out,
    rates_by_year,
    select_incidents,
    split_context,
    window_summary,
)

__all__ = [
    "FINDER_SCRIPT",
    "GRADE_MEANINGS",
    "INCIDENT_PAGE",
    "LARGE_OVERVIEW",
    "PAGE_MIME",
    "SCRIPTS_MIME",
    "TOP_INCIDENTS",
    "TOP_RULE",
    "PageInfo",
    "ScriptedSection",
    "Section",
    "accounts_side_by_side",
    "causes",
    "corrections",
    "credit_line",
    "data_caveats",
    "date_text",
    "discrepancy_table",
    "grade_box",
    "grades_table",
    "has_counts",
    "how_we_did_this",
    "incident_facts",
    "incident_finder",
    "incident_heading",
    "incident_list",
    "incident_page_info",
    "incidents_by_type",
    "left_out",
    "narrative_section",
    "no_counts",
    "not_on_map",
    "rates_by_year",
    "related_incidents",
    "select_incidents",
    "split_context",
    "table",
    "tally_crossings",
    "tally_findings",
    "tally_latest",
    "tally_page_info",
    "tally_revisions",
    "theatre_page_info",
    "top_incidents",
    "window_summary",
]
