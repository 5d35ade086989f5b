"""The house theme: one registered Altair theme and the colours every chart shares, defined once.

The palette is Okabe and Ito's, chosen to stay distinguishable with the common forms of colour
blindness. Every mapping from a meaning to a colour (comparison status, side, grade, location
precision) lives here, with the words a legend shows, so that two charts never disagree on what
orange means.

Importing :mod:`ddj.charts` registers the theme as ``"ddj"`` and enables it; export always renders
with it (:mod:`ddj.charts.export`), whichever theme is active in a notebook.
"""

from __future__ import annotations

import altair as alt

from ddj.model import GRADES, SIDE_LABELS, STATUS_LABELS  # the words are the model's; the colours are the theme's

__all__ = [
    "GRADE_COLOURS",
    "OKABE_ITO",
    "SIDE_COLOURS",
    "SIDE_LABELS",
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "THEME_NAME",
    "grade_scale",
    "house_theme",
    "side_scale",
    "status_scale",
]

THEME_NAME = "ddj"

#: Okabe & Ito (2008), "Color Universal Design": the eight colours, plus a mid grey.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}

STATUS_COLOURS: dict[str, str] = {
    "agree": OKABE_ITO["bluish_green"],
    "contradict": OKABE_ITO["vermillion"],
    "official_silent": OKABE_ITO["reddish_purple"],
    "no_official_record": OKABE_ITO["grey"],
    "unofficial_only": OKABE_ITO["orange"],
    "official_only": OKABE_ITO["blue"],
    "unknown": "#DDDDDD",
}

SIDE_COLOURS: dict[str, str] = {"official": OKABE_ITO["blue"], "unofficial": OKABE_ITO["orange"]}

GRADE_COLOURS: dict[str, str] = dict(
    zip(
        GRADES,
        (
            OKABE_ITO["blue"],
            OKABE_ITO["sky_blue"],
            OKABE_ITO["bluish_green"],
            OKABE_ITO["yellow"],
            OKABE_ITO["vermillion"],
            OKABE_ITO["grey"],
        ),
        strict=True,
    )
)

_FONT = "Liberation Sans, Helvetica, Arial, sans-serif"
_INK = "#222222"
_MUTED = "#555555"


def status_scale() -> alt.Scale:
    """The colour scale for comparison statuses, keyed by the legend's words (see :data:`STATUS_LABELS`)."""
    return alt.Scale(domain=list(STATUS_LABELS.values()), range=[STATUS_COLOURS[s] for s in STATUS_LABELS])


def side_scale() -> alt.Scale:
    """The colour scale for sides (official, other), keyed by :data:`SIDE_LABELS`."""
    return alt.Scale(domain=list(SIDE_LABELS.values()), range=[SIDE_COLOURS[s] for s in SIDE_LABELS])


def grade_scale() -> alt.Scale:
    """The colour scale for grades, in the order of :data:`ddj.model.GRADES`."""
    return alt.Scale(domain=list(GRADES), range=[GRADE_COLOURS[g] for g in GRADES])


def house_theme() -> alt.theme.ThemeConfig:
    """Return the ddj house theme: Okabe–Ito colours, a left-aligned title, quiet axes, a white background.

    Examples
    --------
    >>> house_theme()["config"]["range"]["category"][:2]
    ['#0072B2', '#E69F00']

    Categories take blue first, then orange: the official and the other side.
    """
    category = [
        OKABE_ITO[k]
        for k in (
            "blue",
            "orange",
            "bluish_green",
            "vermillion",
            "reddish_purple",
            "sky_blue",
            "yellow",
            "black",
            "grey",
        )
    ]
    return {
        "background": "white",
        "padding": 8,
        "config": {
            "font": _FONT,
            "view": {"stroke": None, "continuousWidth": 560, "continuousHeight": 300},
            "title": {
                "anchor": "start",
                "fontSize": 16,
                "fontWeight": "bold",
                "color": _INK,
                "subtitleFontSize": 11,
                "subtitleColor": _MUTED,
                "subtitlePadding": 6,
                "offset": 12,
            },
            "axis": {
                "labelColor": _MUTED,
                "titleColor": _INK,
                "labelFontSize": 11,
                "titleFontSize": 11,
                "titleFontWeight": "normal",
                "gridColor": "#E6E6E6",
                "domainColor": "#888888",
                "tickColor": "#888888",
                "labelLimit": 260,
            },
            "legend": {
                "orient": "bottom",
                "direction": "vertical",
                "labelFontSize": 11,
                "titleFontSize": 11,
                "titleFontWeight": "normal",
                "labelLimit": 400,
                "symbolStrokeWidth": 1,
            },
            "header": {"labelFontSize": 11, "titleFontSize": 11, "labelLimit": 400, "labelAnchor": "start"},
            "range": {"category": category, "ordinal": {"scheme": "blues"}},  # type: ignore[typeddict-item]  # a scheme is valid Vega-Lite
            "point": {"size": 60, "filled": True},
            "circle": {"size": 60},
            "rule": {"strokeWidth": 2},
            "text": {"font": _FONT, "fontSize": 11, "color": _INK},
            "bar": {"stroke": "white", "strokeWidth": 0.5},
            "rect": {"stroke": "white", "strokeWidth": 1},
        },
    }


alt.theme.register(THEME_NAME, enable=True)(house_theme)
