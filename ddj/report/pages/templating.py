"""The one Jinja2 environment report pages are made with: autoescaping, undefined names an error, loaded once.

Every piece of HTML ``ddj.report`` writes (the sections notebooks display, the front page, a chart's
figure and its embed file) comes from a template in ``ddj/report/pages/templates/``, so a designer can
change the layout without touching Python, and every value from data is escaped on its way in.
Values already made HTML by :mod:`ddj.html` (a link) or :mod:`ddj.narrative` arrive as
:class:`markupsafe.Markup` and are the only ones not escaped.

Templates named ``*.frag.j2`` are fragments: the line breaks and indentation between their source
lines are dropped when they are compiled (never those of the data put into them), so they can be
written readably and still render compact HTML, the same bytes the sections always produced.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import jinja2
from jinja2.ext import Extension
from markupsafe import Markup

from ddj.html import escape

__all__ = ["Markup", "environment", "macro", "render"]

TEMPLATES = Path(__file__).parent / "templates"
_FRAGMENT_SUFFIX = ".frag.j2"
_LINE_BREAK = re.compile(r"\n[ \t]*")


class _CompactFragments(Extension):
    """Drop the line breaks (and the indentation after them) between a fragment template's source lines."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name and name.endswith(_FRAGMENT_SUFFIX):
            return _LINE_BREAK.sub("", source)
        return source


@functools.cache
def environment() -> jinja2.Environment:
    """The environment, made on first use: templates from ``ddj/report/pages/templates``, autoescaped, strict."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=[_CompactFragments],
        keep_trailing_newline=True,
        finalize=_escaped,
    )


def _escaped(value: Any) -> Any:
    """Every value a template prints, escaped by :func:`ddj.html.escape` (the one escaping of ddj: a missing value
    shows as nothing, not as "None"); Markup (HTML made by ddj.html or another template) as it is.
    """
    if isinstance(value, Markup):
        return value
    return Markup(escape(value))  # noqa: S704 - escaped just now


def render(template: str, **context: Any) -> str:
    """Render a whole template (a page) with ``context``."""
    return environment().get_template(template).render(**context)


def macro(template: str, name: str, /, *args: Any, **kwargs: Any) -> Markup:
    """Call the macro ``name`` of ``template`` (a fragment) and return its HTML.

    Parameters
    ----------
    template : str
        The fragment's file name in the templates folder (``sections.frag.j2``).
    name : str
        The macro's name.
    *args, **kwargs
        The macro's arguments; text that is not :class:`markupsafe.Markup` is escaped where the macro prints it.

    Examples
    --------
    >>> str(macro("sections.frag.j2", "paragraph", "<b>bold</b> & more"))
    '<p>&lt;b&gt;bold&lt;/b&gt; &amp; more</p>'

    The tag arrives as text: the environment escapes everything that is not already Markup.
    """
    # A macro of our own autoescaping templates: its output is already escaped HTML.
    return Markup(getattr(environment().get_template(template).module, name)(*args, **kwargs))  # noqa: S704


def source(template: str) -> str:
    """The raw text of a file in the templates folder (an inline script whose hash goes in a page's CSP)."""
    return environment().loader.get_source(environment(), template)[0]  # type: ignore[union-attr]
