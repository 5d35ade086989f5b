"""The Explorer's "make a report" carries the incident on screen; help text spelled right."""

from __future__ import annotations

import argparse
import shlex

import pytest

from ddj.commands._filter_flags import add_filter_arguments
from ddj.errors import UsageError


@pytest.fixture(scope="module")
def explorer():
    from ddj.widgets import Explorer

    return Explorer("syria-ru-aviation", debounce=0)


def test_the_incident_report_command_carries_the_chosen_incident(explorer):
    ids = explorer.view.table["incident_id"].to_list()
    mi25 = next(i for i in ids if i.endswith("mi25"))
    explorer.choose(mi25)
    try:
        words = shlex.split(explorer.report("incident-report").command)
        assert words[words.index("incident_id") - 1 : words.index("incident_id") + 2] == ["-p", "incident_id", mi25]
        # a report on the whole view is not narrowed to the chosen incident
        overview = explorer.report.__self__.spec.replace(countries=["Syria"])
        assert not overview.incident_ids
    finally:
        explorer.choose(None)
    # with no incident chosen, the notebook's default incident is not silently reported on
    with pytest.raises(UsageError, match="incident_id"):
        explorer.report("incident-report")


def test_filter_flags_have_spelled_out_metavars():
    parser = argparse.ArgumentParser()
    add_filter_arguments(parser)
    text = parser.format_help()
    assert "STATUSE " not in text and "CATEGORIE " not in text
    assert "--status STATUS" in text and "AIRCRAFT_CATEGORY" in text
