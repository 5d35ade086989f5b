"""Static export for a CMS: SVG and PNG of any ddj chart through vl-convert, no browser, same bytes every time.

Export always renders with the house theme and Altair's default data transformer (whatever a
notebook has enabled), writes files atomically, and puts the chart's alt text into the SVG as
``<title>``/``<desc>`` and an ``aria-label``, escaped.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from ddj._io import atomic_write_bytes, atomic_write_text
from ddj.charts._common import chart_alt_text
from ddj.charts.theme import THEME_NAME
from ddj.errors import InvalidValueError, UsageError
from ddj.html import escape, safe_filename

__all__ = [
    "FORMATS",
    "chart_spec",
    "export_chart",
    "save_chart",
    "svg_to_png",
    "to_png",
    "to_svg",
]

FORMATS = ("svg", "png")


def _unwrap(chart: Any) -> Any:
    return getattr(chart, "chart", chart) if not isinstance(chart, alt.TopLevelMixin) else chart


def _vl_version() -> str | None:
    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return version if version in vlc.get_vegalite_versions() else None


def chart_spec(chart: Any, *, validate: bool = True) -> dict:
    """Return the chart's Vega-Lite spec as the house theme renders it, validated against the schema.

    Accepts any Altair chart or a :class:`~ddj.charts.map.LocatorMap`.

    Examples
    --------
    >>> import altair as alt
    >>> spec = chart_spec(alt.Chart(alt.InlineData(values=[{"n": 1}])).mark_bar().encode(x="n:Q"))
    >>> spec["config"]["range"]["category"][0]
    '#0072B2'

    The spec carries the house theme's colours even if another theme is active in the notebook.
    """
    chart = _unwrap(chart)
    with alt.theme.enable(THEME_NAME), alt.data_transformers.enable("default"):
        return chart.to_dict(validate=validate)


def _with_alt_text(svg: str, alt_text: str | None) -> str:
    if not alt_text:
        return svg
    match = re.match(r"<svg\b[^>]*>", svg)
    if match is None:
        return svg
    head = match.group(0)
    attributes = f' role="img" aria-label="{escape(alt_text)}"'
    tag = head[:-1] + attributes + ">"
    return f"{tag}<title>{escape(alt_text.split('. ')[0])}</title><desc>{escape(alt_text)}</desc>{svg[match.end() :]}"


def to_svg(chart: Any) -> str:
    """Render the chart to SVG text with vl-convert, alt text included as ``<title>``, ``<desc>`` and ``aria-label``.

    Examples
    --------
    >>> import altair as alt
    >>> chart = alt.Chart(alt.InlineData(values=[{"n": 1}])).mark_bar().encode(x="n:Q").properties(
    ...     description="One bar <of> one.")
    >>> svg = to_svg(chart)
    >>> svg.startswith("<svg") and "<desc>One bar &lt;of&gt; one.</desc>" in svg
    True

    The SVG names what it shows for screen readers, with the text escaped.
    """
    chart = _unwrap(chart)
    return spec_to_svg(chart_spec(chart), alt_text=alt_text_of(chart))


def spec_to_svg(spec: dict, *, alt_text: str | None = None) -> str:
    """Render a spec made by :func:`chart_spec` to SVG text, with ``alt_text`` written in as :func:`to_svg` does.

    For a caller that needs both the spec and the SVG of a chart (a report shows both): the chart is
    turned into a spec, and validated, once.
    """
    return _with_alt_text(vlc.vegalite_to_svg(spec, vl_version=_vl_version()), alt_text)


def alt_text_of(chart: Any) -> str | None:
    """The chart's alt text (its Vega-Lite ``description``), or None when it has none."""
    try:
        return chart_alt_text(_unwrap(chart))
    except UsageError:
        return None


def to_png(chart: Any, *, scale: float = 1.0, ppi: float = 144.0) -> bytes:
    """Render the chart to PNG bytes with vl-convert: by default twice the chart's pixels, marked 144 ppi.

    vl-convert multiplies the size by ``scale`` and by ``ppi / 72``, so 144 ppi alone gives twice the
    pixels (1,468 pixels across for a 734-pixel chart), sharp on high-density screens, and a print
    layout places it at the chart's own size. ``scale=2`` doubles that again.

    The PNG is rasterised from the chart's SVG (:func:`svg_to_png`): the same pixels as vl-convert's own
    Vega-Lite-to-PNG path, so a report runner holding the SVG already can make the PNG without
    laying the chart out again.

    Parameters
    ----------
    chart : altair.Chart
        Any Altair chart (or layered, concatenated or faceted chart).
    scale : float, default 1.0
        A factor on the rendered pixels, on top of the one ``ppi`` gives.
    ppi : float, default 144.0
        The resolution written into the PNG, in pixels per inch; the pixels are multiplied by ``ppi / 72``.
    """
    return svg_to_png(to_svg(chart), scale=scale, ppi=ppi)


def svg_to_png(svg: str, *, scale: float = 1.0, ppi: float = 144.0) -> bytes:
    """Rasterise a chart's SVG (as :func:`to_svg` writes it) to PNG bytes, sized as :func:`to_png` says;
    needs no JavaScript engine.

    Parameters
    ----------
    svg : str
        The chart's SVG text, from :func:`to_svg`.
    scale : float, default 1.0
        A factor on the rendered pixels, on top of the one ``ppi`` gives.
    ppi : float, default 144.0
        The resolution written into the PNG, in pixels per inch; the pixels are multiplied by ``ppi / 72``.

    Examples
    --------
    >>> import altair as alt
    >>> chart = alt.Chart(alt.InlineData(values=[{"n": 1}])).mark_bar().encode(x="n:Q")
    >>> svg_to_png(to_svg(chart))[1:4]
    b'PNG'

    The bytes are a PNG file: its signature spells the format.
    """
    return vlc.svg_to_png(svg, scale=scale, ppi=ppi)


def save_chart(chart: Any, path: str | os.PathLike, **png_options: Any) -> Path:
    """Write the chart to ``path`` as SVG or PNG, chosen by the suffix, atomically.

    Parameters
    ----------
    chart : altair.Chart
        Any Altair chart (or layered, concatenated or faceted chart).
    path : str or os.PathLike
        The file to write; its suffix, ``.svg`` or ``.png`` (any case), chooses the format. Any other suffix
        is a :class:`~ddj.errors.UsageError`.
    **png_options
        ``scale`` and ``ppi`` for :func:`to_png`, used only when writing a PNG.
    """
    target = Path(path)
    suffix = target.suffix.lower().lstrip(".")
    if suffix == "svg":
        return atomic_write_text(target, to_svg(chart))
    if suffix == "png":
        return atomic_write_bytes(target, to_png(chart, **png_options))
    msg = f"cannot export a chart to {target.name!r}: the file name must end in .svg or .png"
    raise InvalidValueError(msg)


def export_chart(
    chart: Any, folder: str | os.PathLike, name: str, *, formats: tuple[str, ...] = FORMATS, **png_options: Any
) -> list[Path]:
    """Write the chart into ``folder`` once per format, as ``<name>.svg`` and ``<name>.png``.

    ``name`` may come from data (an incident title); it is made safe for a file name first.

    Parameters
    ----------
    chart : altair.Chart
        Any Altair chart (or layered, concatenated or faceted chart).
    folder : str or os.PathLike
        The existing folder to write into.
    name : str
        The files' stem, without suffix; made safe with :func:`ddj.html.safe_filename` ("chart" when
        nothing of it is left).
    formats : tuple of str, default ("svg", "png")
        The formats to write, each ``"svg"`` or ``"png"``; any other is a :class:`~ddj.errors.UsageError`.
    **png_options
        ``scale`` and ``ppi`` for :func:`to_png`, used only for the PNG.

    Examples
    --------
    >>> import tempfile, altair as alt
    >>> chart = alt.Chart(alt.InlineData(values=[{"n": 1}])).mark_bar().encode(x="n:Q")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in export_chart(chart, folder, "../Mi-8 <shot down>", formats=("svg",))]
    ['Mi-8-shot-down-.svg']

    The name from data cannot climb out of the folder or carry markup into the file system.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        msg = f"unknown export format(s) {', '.join(unknown)}; use {' or '.join(FORMATS)}"
        raise InvalidValueError(msg)
    stem = safe_filename(name, default="chart")
    return [
        save_chart(chart, Path(folder) / f"{stem}.{fmt}", **(png_options if fmt == "png" else {})) for fmt in formats
    ]
