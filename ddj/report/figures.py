"""Charts in report notebooks: :func:`show` displays a chart and marks it so the runner can save it.

In a notebook, ``show(chart, "timeline")`` displays the chart with three representations: the Vega-Lite
spec (JupyterLab draws it interactively), a static SVG (for any viewer, and the report's fallback) and
a line of text. The output carries the chart's name in its metadata; the report runner finds it there,
saves ``charts/<name>.svg`` and ``charts/<name>.png`` next to the report, and the HTML export draws
it offline. No file is written from inside the kernel, so a report can run anywhere.

Charts go through :mod:`ddj.charts.export`, as a graphics editor's export would: the spec is the one
the house theme renders (whatever theme or data transformer the notebook enabled), and the SVG carries
the chart's alt text as ``<title>``, ``<desc>`` and ``aria-label``. The runner rasterises that SVG to
the PNG with :func:`svg_to_png`, with the same options as :func:`ddj.charts.export.to_png`, so the
files in ``charts/`` are the ones ``ddj.charts.export_chart`` would write.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

#: The key in an output's metadata that marks a chart displayed by :func:`show`.
CHART_METADATA_KEY = "ddj_chart"
_VEGALITE_MIME = re.compile(r"^application/vnd\.vegalite\.v(\d+)\+json$")
_SCHEMA_VERSION = re.compile(r"/vega-lite/v(\d+)\.(\d+)")


@dataclass(frozen=True)
class ChartOutput:
    """A chart found in an executed notebook: its name, Vega-Lite spec and static SVG."""

    name: str
    spec: dict[str, Any]
    svg: str


def _altair_chart(chart: Any) -> Any:
    """The altair chart itself: ``chart``, or the chart an object (a locator map) holds as ``.chart``."""
    if not hasattr(chart, "to_dict") and hasattr(chart, "chart"):  # a wrapper holding an altair chart
        chart = chart.chart
    if getattr(chart, "to_dict", None) is None:
        msg = f"show() needs an altair chart or a Vega-Lite spec (a dict), not {type(chart).__name__}"
        raise TypeError(msg)
    return chart


def chart_spec(chart: Any) -> dict[str, Any]:
    """Return the Vega-Lite spec of an altair chart, of an object holding one as ``.chart``, or of a spec dict.

    A chart's spec is rendered in the house theme (:func:`ddj.charts.export.chart_spec`); a dict is
    returned as it is.
    """
    if isinstance(chart, dict):
        return chart
    from ddj.charts.export import chart_spec as house_spec

    return house_spec(_altair_chart(chart))


def chart_svg(chart: Any) -> str:
    """Return the static SVG of an altair chart (or an object holding one) or of a spec dict.

    A chart is rendered by :func:`ddj.charts.export.to_svg`: house theme, alt text in the SVG. A
    spec dict is rendered as it is by :func:`spec_to_svg`.
    """
    if isinstance(chart, dict):
        return spec_to_svg(chart)
    from ddj.charts.export import to_svg

    return to_svg(_altair_chart(chart))


def show(chart: Any, name: str | None = None) -> None:
    """Display a chart in a report notebook so the runner saves its SVG and PNG and the report draws it offline.

    Parameters
    ----------
    chart
        An altair chart, an object holding one as ``.chart`` (a :class:`~ddj.charts.LocatorMap`), or a
        Vega-Lite spec as a dict.
    name
        The chart's file name in the report's ``charts/`` folder (made safe by
        :func:`ddj.html.safe_filename`); by default ``chart-1``, ``chart-2``... in order of display.
    """
    from IPython.display import display

    if isinstance(chart, dict):
        spec, svg = chart, spec_to_svg(chart)
    else:  # one spec (and one schema validation) for both representations
        from ddj.charts.export import alt_text_of, chart_spec as house_spec, spec_to_svg as house_svg

        chart = _altair_chart(chart)
        spec = house_spec(chart)
        svg = house_svg(spec, alt_text=alt_text_of(chart))
    bundle = {
        vegalite_mimetype(spec): spec,
        "image/svg+xml": svg,
        "text/plain": f"<chart {name or ''}>".replace(" >", ">"),
    }
    display(bundle, raw=True, metadata={CHART_METADATA_KEY: {"name": name}})


def vegalite_mimetype(spec: dict[str, Any]) -> str:
    """The MIME type JupyterLab uses for a spec of this Vega-Lite major version.

    Examples
    --------
    >>> vegalite_mimetype({"$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json"})
    'application/vnd.vegalite.v6+json'

    A Vega-Lite 6 spec is shown by JupyterLab's Vega-Lite 6 renderer.
    """
    match = _SCHEMA_VERSION.search(str(spec.get("$schema", "")))
    return f"application/vnd.vegalite.v{match.group(1) if match else 6}+json"


def vegalite_in(data: dict[str, Any]) -> dict[str, Any] | None:
    """The Vega-Lite spec in an output's MIME bundle, if it holds one."""
    for key, value in data.items():
        if _VEGALITE_MIME.match(key):
            return value
    return None


@functools.cache
def _versions() -> tuple[str, ...]:
    import vl_convert

    return tuple(vl_convert.get_vegalite_versions())


def _vl_version(spec: dict[str, Any]) -> str | None:
    """The Vega-Lite version vl-convert should use: the spec's own when vl-convert has it, else its latest."""
    match = _SCHEMA_VERSION.search(str(spec.get("$schema", "")))
    if match and f"{match.group(1)}.{match.group(2)}" in _versions():
        return f"{match.group(1)}.{match.group(2)}"
    return None


def spec_to_svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec to SVG text, without a browser and without network access."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec, vl_version=_vl_version(spec), allowed_base_urls=[])


def spec_to_png(spec: dict[str, Any], *, scale: float = 1.0, ppi: float = 144.0) -> bytes:
    """Render a Vega-Lite spec to PNG bytes: twice the chart's pixels, marked 144 ppi, for print and
    high-density screens, as :func:`ddj.charts.export.to_png` renders a chart."""
    import vl_convert

    return vl_convert.vegalite_to_png(spec, vl_version=_vl_version(spec), scale=scale, ppi=ppi, allowed_base_urls=[])


def svg_to_png(svg: str, *, scale: float = 1.0, ppi: float = 144.0) -> bytes:
    """Rasterise a chart's static SVG to PNG bytes with the options of :func:`spec_to_png`.

    The pixels are those :func:`spec_to_png` draws from the spec (vl-convert renders the SVG and
    rasterises it either way), at about a third of the cost: the chart is not laid out again, and
    no JavaScript engine is needed.
    """
    import vl_convert

    return vl_convert.svg_to_png(svg, scale=scale, ppi=ppi)


@functools.cache
def javascript_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script with no external dependency (from vl-convert).

    vl-convert builds the bundle in its JavaScript engine, which takes about 2 s; the result depends
    only on the vl-convert version, so it is kept in ddj's cache folder (:func:`ddj._cache_dir.cache_dir`) as
    ``vega-bundle-vl-convert-<version>.js`` and built again only for another version (or when the file
    cannot be read or written).
    """
    import vl_convert

    from ddj._cache_dir import cache_dir
    from ddj._io import atomic_write_text

    kept = cache_dir() / f"vega-bundle-vl-convert-{safe_version(vl_convert.__version__)}.js"
    try:
        bundle = kept.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        bundle = ""
    if _BUNDLE_MARK in bundle:
        return bundle
    bundle = vl_convert.javascript_bundle()
    try:
        atomic_write_text(kept, bundle)
    except OSError:  # a read-only home: build it once per process instead
        pass
    return bundle


#: What the bundle defines last; a kept file without it is built again.
_BUNDLE_MARK = "window.vegaEmbed="


def safe_version(version: str) -> str:
    """A version string as it may appear in a file name.

    >>> safe_version("1.9.0")
    '1.9.0'
    >>> safe_version("../1.9 dev")
    '..-1.9-dev'
    """
    return re.sub(r"[^A-Za-z0-9.+-]", "-", version)
