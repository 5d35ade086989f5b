"""Charts in report notebooks: :func:`show` displays a chart and marks it so the runner can save it.

In a notebook, ``show(chart, "timeline")`` displays the chart with three representations: the Vega-Lite
spec (JupyterLab draws it interactively), a static SVG (for any viewer, and the report's fallback) and
a line of text. The output carries the chart's name in its metadata; the report runner finds it there,
saves ``charts/<name>.svg`` and ``charts/<name>.png`` next to the report, and the HTML export draws
it offline. No file of the report is written from inside the kernel, so a report can run anywhere; the
only files written are renderings kept by content in ddj's cache folder (:func:`kept_rendering`), which a
read-only home only makes slower.

Charts go through :mod:`ddj.charts.export`, as a graphics editor's export would: the spec is the one
the house theme renders (whatever theme or data transformer the notebook enabled), and the SVG carries
the chart's alt text as ``<title>``, ``<desc>`` and ``aria-label``. The runner rasterises that SVG to
the PNG with :func:`svg_to_png`, with the same options as :func:`ddj.charts.export.to_png`, so the
files in ``charts/`` are the ones ``ddj.charts.export_chart`` would write.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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
        from ddj.charts.export import alt_text_of
        from ddj.charts.export import chart_spec as house_spec
        from ddj.charts.export import spec_to_svg as house_svg

        chart = _altair_chart(chart)
        spec = house_spec(chart)
        alt_text = alt_text_of(chart)
        svg = kept_rendering("svg", [spec, alt_text], lambda: house_svg(spec, alt_text=alt_text).encode()).decode()
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
    high-density screens, as :func:`ddj.charts.export.to_png` renders a chart.

    Parameters
    ----------
    spec : dict
        A Vega-Lite spec, as a chart's ``to_dict()`` gives it; it may name no URL (nothing is fetched).
    scale : float, default 1.0
        A factor on the rendered pixels, on top of the one ``ppi`` gives.
    ppi : float, default 144.0
        The resolution written into the PNG, in pixels per inch; the pixels are multiplied by ``ppi / 72``.
    """
    import vl_convert

    return vl_convert.vegalite_to_png(spec, vl_version=_vl_version(spec), scale=scale, ppi=ppi, allowed_base_urls=[])


def svg_to_png(svg: str, *, scale: float = 1.0, ppi: float = 144.0) -> bytes:
    """Rasterise a chart's static SVG to PNG bytes with the options of :func:`spec_to_png`.

    The pixels are those :func:`spec_to_png` draws from the spec (vl-convert renders the SVG and
    rasterises it either way), at about a third of the cost: the chart is not laid out again, and
    no JavaScript engine is needed.

    Parameters
    ----------
    svg : str
        The chart's static SVG text.
    scale : float, default 1.0
        A factor on the rendered pixels, on top of the one ``ppi`` gives.
    ppi : float, default 144.0
        The resolution written into the PNG, in pixels per inch; the pixels are multiplied by ``ppi / 72``.
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

    kept = cache_dir() / f"vega-bundle-vl-convert-{safe_version(getattr(vl_convert, '__version__', 'unknown'))}.js"
    try:
        bundle = kept.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        bundle = ""
    if _BUNDLE_MARK in bundle:
        return bundle
    bundle = vl_convert.javascript_bundle()  # type: ignore[call-arg]  # the stub says snippet is required; it is not
    with contextlib.suppress(OSError):  # a read-only home: build it once per process instead
        atomic_write_text(kept, bundle)
    return bundle


#: What the bundle defines last; a kept file without it is built again.
_BUNDLE_MARK = "window.vegaEmbed="

# --- renderings kept by content -------------------------------------------------------------------------

#: How many renderings (SVGs, PNGs) :func:`kept_rendering` keeps in ddj's cache folder; the oldest go first.
KEPT_RENDERINGS = 512


def kept_rendering(kind: str, key: list[Any], render: Callable[[], bytes]) -> bytes:
    """A chart's rendering (``kind`` "svg" or "png") by what it is made of, kept in ddj's cache folder.

    vl-convert draws the same bytes from the same input, and rendering is most of the time a report takes
    (a PNG costs about 0.3 s, mostly laying out the chart's text; the theatre page writes nine), so a rendering
    is kept under the SHA-256 of its input (``key``: the spec or the SVG and the size) and vl-convert's version, in
    ``charts/`` of :func:`ddj._cache_dir.cache_dir`. A chart that did not change since the last run is not
    rendered again; one that did is. The folder keeps the :data:`KEPT_RENDERINGS` newest; it can be deleted at any
    time, and a cache that cannot be read or written only means rendering again.

    Parameters
    ----------
    kind : str
        What is rendered, ``"svg"`` or ``"png"``: the kept file's suffix, and part of its key.
    key : list
        Everything the rendering is made of (JSON-ready): the spec and alt text, or the SVG and a width.
    render : callable
        Renders it when no kept copy is found; returns the bytes.
    """
    import json

    import vl_convert

    from ddj._cache_dir import cache_dir
    from ddj._io import atomic_write_bytes

    version = getattr(vl_convert, "__version__", "unknown")
    digest = hashlib.sha256(json.dumps([kind, version, key], sort_keys=True, default=str).encode()).hexdigest()
    folder = cache_dir() / "charts"
    path = folder / f"{digest}.{kind}"
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    if data:
        with contextlib.suppress(OSError):
            path.touch()  # recently used: pruned last
        return data
    data = render()
    with contextlib.suppress(OSError):
        atomic_write_bytes(path, data)
        _prune(folder)
    return data


def _prune(folder: Path) -> None:
    """Remove the oldest renderings of ``folder`` beyond :data:`KEPT_RENDERINGS`."""
    kept = sorted(folder.glob("*.*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[KEPT_RENDERINGS:]:
        with contextlib.suppress(OSError):
            old.unlink()


def safe_version(version: str) -> str:
    """A version string as it may appear in a file name.

    >>> safe_version("1.9.0")
    '1.9.0'
    >>> safe_version("../1.9 dev")
    '..-1.9-dev'
    """
    return re.sub(r"[^A-Za-z0-9.+-]", "-", version)


# --- the CMS kit: each chart's files for a newsroom's CMS, and its figure on the page ---------------------

#: The widths (px) of the PNG presets every chart is also written at, for a CMS's article and full-width slots.
PNG_WIDTHS = (640, 1280)
#: The basemap's credit, on every chart that draws it (see :mod:`ddj.charts.basemap`).
BASEMAP_CREDIT = "Basemap: Natural Earth (public domain), country outlines via world-atlas 2.0.2 (ISC licence)."
_SVG_WIDTH = re.compile(r"<svg\b[^>]*?\swidth=\"([0-9.]+)\"")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>\s*")
_SOURCE_LINE = re.compile(r"^Sources?:")


def kit_files(name: str) -> dict[str, str]:
    """The files of a chart's kit, by role, as names in the report's ``charts/`` folder (``name`` made safe).

    Examples
    --------
    >>> kit_files("../map")["embed"], kit_files("map")["png-640"]
    ('map.embed.html', 'map-640.png')
    """
    from ddj.html import safe_filename

    base = safe_filename(name, default="chart")
    return {
        "svg": f"{base}.svg",
        "png": f"{base}.png",
        **{f"png-{w}": f"{base}-{w}.png" for w in PNG_WIDTHS},
        "csv": f"{base}.csv",
        "embed": f"{base}.embed.html",
    }


def svg_width(svg: str) -> float:
    """The width in px a chart's SVG declares (vl-convert always writes one)."""
    found = _SVG_WIDTH.search(svg)
    if not found:
        msg = "the chart's SVG declares no width, so its PNG presets cannot be sized"
        raise ValueError(msg)
    return float(found.group(1))


def png_width(png: bytes) -> int:
    """The width in px a PNG's header gives."""
    return int.from_bytes(png[16:20], "big")


def png_at_width(svg: str, width: int) -> bytes:
    """The chart's SVG rasterised to a PNG exactly ``width`` px wide (height in proportion), marked 144 ppi."""
    pixels = svg_width(svg) * 2  # at 144 ppi vl-convert draws two pixels per SVG px, and truncates the width
    png = b""
    for aim in (width + 0.25, width + 0.5, width, width - 0.25):  # the first lands on it but for float error
        png = svg_to_png(svg, scale=aim / pixels)
        if png_width(png) == width:
            return png
    msg = f"the chart could not be rendered {width} px wide (got {png_width(png)} px)"
    raise ValueError(msg)


def chart_title(spec: dict[str, Any]) -> str:
    """The chart's title in one line (a wrapped title's lines joined), or its description, or "Chart"."""
    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)
    return str(text or spec.get("description") or "Chart")


def chart_credits(spec: dict[str, Any]) -> list[str]:
    """Who to credit for the chart's data: the source lines of its subtitle (the house charts end their
    subtitle with "Source: ..." naming the datasets and their licences) and, on a map, the basemap.

    Examples
    --------
    >>> title = {"text": "t", "subtitle": ["Method: x.", "Source: ddj dataset", "syria v1."]}
    >>> for credit in chart_credits({"title": title, "mark": "geoshape"}):
    ...     print(credit)
    Source: ddj dataset syria v1.
    Basemap: Natural Earth (public domain), country outlines via world-atlas 2.0.2 (ISC licence).
    """
    title = spec.get("title")
    subtitle = title.get("subtitle") if isinstance(title, dict) else None
    lines = [subtitle] if isinstance(subtitle, str) else [str(s) for s in subtitle or []]
    start = next((i for i, line in enumerate(lines) if _SOURCE_LINE.match(line)), None)
    credits = [" ".join(lines[start:])] if start is not None else []
    if _draws_geoshapes(spec):
        credits.append(BASEMAP_CREDIT)
    return credits


def _draws_geoshapes(node: Any) -> bool:
    if isinstance(node, dict):
        mark = node.get("mark")
        if mark == "geoshape" or (isinstance(mark, dict) and mark.get("type") == "geoshape"):
            return True
        return any(_draws_geoshapes(v) for k, v in node.items() if k not in ("datasets", "data", "config"))
    if isinstance(node, list):
        return any(_draws_geoshapes(v) for v in node)
    return False


def chart_data_csv(spec: dict[str, Any]) -> bytes:
    """The data the chart draws, as CSV: every table of records in the spec (its ``datasets`` and inline
    ``values``), one after another with a ``part`` column when there are several. Geometry (a basemap) is
    left out; nested values are written as JSON; text that a spreadsheet would run as a formula is quoted
    (:func:`ddj.html.csv_cell`).
    """
    import json

    import polars as pl

    from ddj.html import csv_cell

    tables = [t for t in _record_tables(spec) if t]
    frames = []
    for number, records in enumerate(tables, start=1):
        rows = [
            {k: csv_cell(json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v) for k, v in r.items()}
            for r in records
        ]
        frame = pl.DataFrame(rows, infer_schema_length=None, strict=False)
        frames.append(frame.select(pl.lit(number).alias("part"), pl.all()) if len(tables) > 1 else frame)
    if not frames:
        return b""
    data = pl.concat(frames, how="diagonal_relaxed")
    return data.write_csv().encode("utf-8")


def _record_tables(spec: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The tables of records a spec holds, in order: its named ``datasets``, then inline ``values``."""
    found = [v for v in (spec.get("datasets") or {}).values() if _is_records(v)]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and _is_records(data.get("values")):
                found.append(data["values"])
            for key, value in node.items():
                if key not in ("datasets", "data", "config"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def _is_records(value: Any) -> bool:
    """A list of flat records (not a basemap's features or a topology)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(r, dict) for r in value)
        and not any(r.get("type") == "Feature" or "geometry" in r for r in value)
    )


def _static_svg(chart: ChartOutput) -> str:
    return _XML_DECLARATION.sub("", chart.svg)


def chart_files(chart: ChartOutput) -> dict[str, bytes]:
    """Every file of a chart for the report's ``charts/`` folder, by file name: its SVG, its PNG (as
    :func:`svg_to_png` renders it), PNGs 640 and 1280 px wide, its data as CSV and an embed file (a
    self-contained, offline HTML page holding the chart as inline SVG, with its credit).
    """
    names = kit_files(chart.name)
    files = {
        names["svg"]: chart.svg.encode("utf-8"),
        names["png"]: kept_rendering("png", [chart.svg], lambda: svg_to_png(chart.svg)),
    }
    for width in PNG_WIDTHS:
        files[names[f"png-{width}"]] = kept_rendering(
            "png", [chart.svg, width], functools.partial(png_at_width, chart.svg, width)
        )
    files[names["csv"]] = chart_data_csv(chart.spec)
    files[names["embed"]] = embed_html(chart).encode("utf-8")
    return files


def embed_html(chart: ChartOutput) -> str:
    """The chart's embed file: a page with nothing but the chart (inline SVG) and its credit, which fetches
    nothing and runs no script (its CSP says so), for a CMS to show in an ``<iframe>``.
    """
    from ddj.report.pages.policy import content_security_policy
    from ddj.report.pages.templating import Markup, render

    return render(
        "chart_embed.html.j2",
        csp=Markup(content_security_policy([])),
        title=chart_title(chart.spec),
        svg=Markup(_static_svg(chart)),
        credits=chart_credits(chart.spec),
    )


def embed_snippet(chart: ChartOutput, *, folder: str = "charts") -> str:
    """The ``<iframe>`` a CMS pastes to show the chart's embed file (``folder`` is where the file is, relative
    to the article; its height is the chart's, plus room for the credit).
    """
    from ddj.report.pages.templating import macro

    height = _svg_height(chart.svg)
    return str(
        macro(
            "chart.frag.j2",
            "iframe",
            f"{folder}/{kit_files(chart.name)['embed']}",
            chart_title(chart.spec),
            round(height) + 60 if height else 600,
        )
    )


def _svg_height(svg: str) -> float | None:
    found = re.search(r"<svg\b[^>]*?\sheight=\"([0-9.]+)\"", svg)
    return float(found.group(1)) if found else None


def figure_html(chart: ChartOutput, *, folder: str = "charts") -> str:
    """A chart as it sits in the page: the static SVG (shown without scripts), its spec for a live redraw, its
    credit line, links to its PNGs (640 and 1280 px), SVG and data (CSV), and the ``<iframe>`` to embed it.
    """
    from ddj.html import script_json
    from ddj.report.pages.templating import Markup, macro

    names = kit_files(chart.name)
    downloads = [(f"PNG {w} px", f"{folder}/{names[f'png-{w}']}") for w in PNG_WIDTHS]
    downloads += [("SVG", f"{folder}/{names['svg']}"), ("data (CSV)", f"{folder}/{names['csv']}")]
    return str(
        macro(
            "chart.frag.j2",
            "figure",
            chart.name,
            Markup(_static_svg(chart)),
            Markup(script_json(chart.spec)),
            chart_credits(chart.spec),
            downloads,
            embed_snippet(chart, folder=folder),
        )
    )
