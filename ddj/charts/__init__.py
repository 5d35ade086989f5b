"""Charts of the comparison, all Altair, in one registered house theme (importing this module enables it).

Every chart takes the loaded :class:`~ddj.datasets.Dataset` (and, where it needs one, the
:class:`~ddj.compare.Comparison`, computed when not given), reduces its data with polars before
embedding it, and carries a title, a method note, a source line naming the datasets and alt text
(:func:`chart_alt_text`).

==========================  =================================================================
:func:`account_timeline`    accounts per side at their published dates, the incident date, the
                            acknowledgement gap
:func:`discrepancy_matrix`  incidents × compared attributes coloured by status
:func:`locator_map`         incidents on an offline basemap, styled by location precision;
                            the ones too imprecise to place listed below it
:func:`casualty_ranges`     killed and injured as low–best–high ranges per side (an incident page
                            draws it when :func:`has_casualty_figures` says there are figures)
:func:`tally_gap`           official claims against documented counts, ratio, revisions
:func:`grades_over_time`    incidents per grade per period
==========================  =================================================================

:func:`to_svg`, :func:`to_png`, :func:`save_chart` and :func:`export_chart` write static files for
a CMS through vl-convert, with no browser.
"""

from ddj.charts import theme  # noqa: F401  (registers and enables the house theme)
from ddj.charts._common import chart_alt_text, source_line
from ddj.charts.export import chart_spec, export_chart, save_chart, to_png, to_svg
from ddj.charts.grades import grades_over_time
from ddj.charts.map import LocatorMap, locator_map
from ddj.charts.matrix import discrepancy_matrix
from ddj.charts.ranges import casualty_ranges, has_casualty_figures, side_ranges
from ddj.charts.reduce import MAX_EMBEDDED_ROWS, embedded_data_bytes
from ddj.charts.tally import tally_gap
from ddj.charts.theme import STATUS_COLOURS, STATUS_LABELS, THEME_NAME, house_theme
from ddj.charts.timeline import account_timeline

__all__ = [
    "MAX_EMBEDDED_ROWS",
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "THEME_NAME",
    "LocatorMap",
    "account_timeline",
    "casualty_ranges",
    "chart_alt_text",
    "chart_spec",
    "discrepancy_matrix",
    "embedded_data_bytes",
    "export_chart",
    "grades_over_time",
    "has_casualty_figures",
    "house_theme",
    "locator_map",
    "save_chart",
    "side_ranges",
    "source_line",
    "tally_gap",
    "to_png",
    "to_svg",
]
