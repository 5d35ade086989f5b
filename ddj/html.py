r"""The one place that turns untrusted text into HTML, links, Markdown, script-embedded JSON and file names.

Everything a dataset holds is untrusted: titles, statements, source names, speakers, editors' notes,
URLs. Nothing from data reaches an HTML page, a Markdown file or a file name except through a
function here.

- :func:`escape` for text in HTML (element content and quoted attribute values);
- :func:`safe_url` and :func:`safe_link` for links, which are rendered only for ``http`` and
  ``https`` addresses (``javascript:``, ``data:``, ``vbscript:`` and relative addresses become plain
  text);
- :func:`escape_markdown` and :func:`markdown_link` for Markdown that a converter will later turn
  into HTML;
- :func:`script_json` for JSON placed inside a ``<script>`` element (a chart spec), so that a
  ``</script>`` in data cannot close the element;
- :func:`safe_filename` for any part of a file name that comes from data;
- :func:`terminal_safe` for text printed to a terminal (escape sequences and bidirectional controls
  are shown as ``\uXXXX``, so data can neither recolour, move the cursor nor reorder a line);
- :func:`csv_cell` for a cell of a CSV file a spreadsheet may open (no formulas).
"""

from __future__ import annotations

import html as _html
import json
import re
import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

__all__ = [
    "csv_cell",
    "escape",
    "escape_markdown",
    "markdown_link",
    "safe_filename",
    "safe_link",
    "safe_url",
    "script_json",
    "terminal_safe",
]

_ALLOWED_SCHEMES = ("http", "https")
# Characters kept as they are in a URL; everything else (quotes, angle brackets, spaces, backticks,
# backslashes, non-ASCII) is percent-encoded.
_URL_SAFE = "/:?#[]@!$&()*+,;=%-._~"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}|~])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#+-]|\d+[.)])")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def escape(text: Any) -> str:
    """Return ``text`` as HTML-safe text: ``&``, ``<``, ``>``, ``"`` and ``'`` become entities.

    ``None`` becomes the empty string; anything else is turned into a string first.

    Examples
    --------
    >>> escape('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'

    The tag and its event-handler attribute arrive as harmless text.
    """
    if text is None:
        return ""
    return _html.escape(str(text), quote=True)


def safe_url(url: Any) -> str | None:
    """Return ``url`` made safe to put in an ``href``, or ``None`` when it must not be linked.

    Only absolute ``http`` and ``https`` addresses with a host are allowed. Surrounding spaces are
    removed; addresses with control characters are refused; quotes, angle brackets, spaces and
    non-ASCII characters are percent-encoded.

    Examples
    --------
    >>> safe_url("https://example.org/a b?q=<x>")
    'https://example.org/a%20b?q=%3Cx%3E'
    >>> safe_url("javascript:alert(1)") is None, safe_url(" JaVaScRiPt:alert(1)") is None
    (True, True)

    A web address survives with its odd characters encoded; script addresses are refused.
    """
    if url is None:
        return None
    text = str(url).strip()
    if not text or _CONTROL.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in _ALLOWED_SCHEMES or not parts.netloc or "@" in parts.netloc:  # no user:password@
        return None
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        return None
    return quote(text, safe=_URL_SAFE)


def safe_link(url: Any, text: Any = None, *, rel: str = "noopener noreferrer") -> str:
    """Return an HTML link to ``url`` showing ``text`` (escaped), or only the escaped text when the URL is not http(s).

    With no ``text`` the (safe) address itself is shown. A refused address with no text gives the
    escaped address as plain text, so a reader still sees what the data held.

    Parameters
    ----------
    url : object
        The link's address, usually from data; only http and https addresses become links
        (see :func:`safe_url`).
    text : object, optional
        What the link shows, escaped; the address itself when None or empty.
    rel : str, default "noopener noreferrer"
        The link's ``rel`` attribute.

    Examples
    --------
    >>> safe_link("https://example.org/report", "Report <1>")
    '<a href="https://example.org/report" rel="noopener noreferrer">Report &lt;1&gt;</a>'
    >>> safe_link("javascript:alert(1)", "click")
    'click'

    The web link is rendered; the script address is shown as its text only, with no link.
    """
    href = safe_url(url)
    shown = escape(text if text not in (None, "") else (href or url))
    if href is None:
        return shown
    return f'<a href="{escape(href)}" rel="{escape(rel)}">{shown}</a>'


def escape_markdown(text: Any) -> str:
    r"""Return ``text`` safe to place in Markdown: ``&``, ``<``, ``>`` as entities, Markdown syntax backslash-escaped.

    A converter will neither run HTML nor build links, emphasis or headings from it.

    Examples
    --------
    >>> print(escape_markdown("[click](javascript:alert(1)) <b>*bold*</b>"))
    \[click\](javascript:alert(1)) &lt;b&gt;\*bold\*&lt;/b&gt;

    The brackets can no longer make a link, the asterisks no emphasis, and the tag is entities.
    Line breaks become spaces, so data cannot start a heading or a list either.
    """
    escaped = " ".join(_html.escape("" if text is None else str(text), quote=False).split())
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)
    return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def markdown_link(url: Any, text: Any = None) -> str:
    """Return a Markdown link to ``url`` (http/https only) showing escaped ``text``; otherwise the escaped text.

    Examples
    --------
    >>> markdown_link("https://example.org/a)b", "report")
    '[report](<https://example.org/a)b>)'
    >>> markdown_link("data:text/html,<script>", "x")
    'x'

    The address is wrapped in angle brackets so a parenthesis in it cannot end the link early.
    """
    href = safe_url(url)
    shown = escape_markdown(text if text not in (None, "") else (href or url))
    if href is None:
        return shown
    return f"[{shown}](<{href}>)"


def script_json(value: Any) -> str:
    r"""Return ``value`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 are written as ``\u`` escapes, so data
    containing ``</script>`` or ``<!--`` cannot end the element. Keys keep their order.

    Examples
    --------
    >>> script_json({"title": "</script><script>alert(1)</script>"})
    '{"title": "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"}'

    The closing tag is encoded, so the browser never sees it as markup.
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def safe_filename(text: Any, *, max_length: int = 80, default: str = "untitled") -> str:
    """Return a file name made from ``text``: ASCII letters, digits, ``-``, ``_`` and ``.`` only.

    Accents are dropped, every other run of characters becomes one ``-``, leading dots and dashes
    are removed (no hidden files, no ``..``), Windows device names get a ``_`` suffix, the result
    is at most ``max_length`` characters, and it is never empty (``default`` then).

    Parameters
    ----------
    text : object
        The text to make a name from, usually from data (an incident title); None gives ``default``.
    max_length : int, default 80
        The most characters of the result.
    default : str, default "untitled"
        The name when nothing of ``text`` is left.

    Examples
    --------
    >>> safe_filename("../../etc/passwd")
    'etc-passwd'
    >>> safe_filename("Mi-8AMTSh shot down, Saraqib <2016>.svg")
    'Mi-8AMTSh-shot-down-Saraqib-2016-.svg'

    Path separators and markup cannot reach the file system; the name stays readable.
    """
    raw = "" if text is None else str(text)
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text)
    cleaned = re.sub(r"-{2,}", "-", cleaned)
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    cleaned = cleaned.lstrip(".-")[:max_length].rstrip(" ")
    if not cleaned or cleaned in {".", ".."}:
        return default
    stem, dot, rest = cleaned.partition(".")
    if stem.lower() in _WINDOWS_RESERVED:
        cleaned = f"{stem}_{dot}{rest}"
    return cleaned


# C0 controls but tab and line feed, DEL, C1 controls (among them the 8-bit CSI), bidirectional marks,
# embeddings, overrides and isolates, and the Unicode line and paragraph separators.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_TERMINAL_UNSAFE_LINES = re.compile(_TERMINAL_UNSAFE.pattern[:-1] + "\n]")


def terminal_safe(text: Any, *, newlines: bool = True) -> str:
    r"""Return ``text`` safe to print to a terminal: every control character written as ``\uXXXX``.

    Escape sequences (``ESC [ ...``), carriage returns, backspaces and bidirectional controls are
    the characters that let data rewrite what a terminal shows (recolour it, hide it, overwrite a
    line, reorder it); they become visible ``\u001b``-style text. Tabs stay, and line feeds stay
    unless ``newlines`` is false (for a value shown on one line). JSON text stays valid JSON: the
    characters replaced can only stand inside its strings, where ``\uXXXX`` means the same.

    Examples
    --------
    >>> terminal_safe("\x1b[2Ksyria-ru-aviation: valid")
    '\\u001b[2Ksyria-ru-aviation: valid'
    >>> terminal_safe("line one\nline two", newlines=False)
    'line one\\u000aline two'

    The escape sequence arrives as harmless text; a name cannot start a line of its own.
    """
    pattern = _TERMINAL_UNSAFE if newlines else _TERMINAL_UNSAFE_LINES
    return pattern.sub(lambda m: f"\\u{ord(m.group()):04x}", "" if text is None else str(text))


#: The first characters that make a spreadsheet read a cell as a formula (tab and carriage return too:
#: some spreadsheets drop them and read what follows).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    r"""Return a CSV cell's text so that a spreadsheet shows it as text and never runs it as a formula.

    Text that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) gets a leading
    apostrophe, as OWASP advises against CSV injection; anything else, and anything that is not text,
    is returned as it is. A negative number kept as a number is not touched.

    Examples
    --------
    >>> csv_cell('=HYPERLINK("http://evil.example","click")'), csv_cell("-1 helicopter"), csv_cell("fair")
    ('\'=HYPERLINK("http://evil.example","click")', "'-1 helicopter", 'fair')

    The formula is shown as the text it is; ordinary words pass unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
