"""ddj.html: the one place untrusted text becomes HTML, links, Markdown, script JSON and file names."""

from __future__ import annotations

import json

import pytest

from ddj.html import escape, escape_markdown, markdown_link, safe_filename, safe_link, safe_url, script_json

HOSTILE_URLS = [
    "javascript:alert(1)",
    " JAVASCRIPT:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/relative/path",
    "https:/missing-slash",
    "http://",
    "https://@evil.example",
    "ftp://example.org/file",
    "https://example.org/\nx",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_only_http_and_https_addresses_are_links(url):
    assert safe_url(url) is None
    rendered = safe_link(url, "read")
    assert "<a" not in rendered and "href" not in rendered
    assert rendered == "read"
    assert markdown_link(url, "read") == "read"


def test_web_addresses_are_linked_with_odd_characters_encoded():
    url = 'https://example.org/a b?q="<x>"&r=1#frag'
    assert safe_url(url) == "https://example.org/a%20b?q=%22%3Cx%3E%22&r=1#frag"
    link = safe_link(url, "report")
    assert link == (
        '<a href="https://example.org/a%20b?q=%22%3Cx%3E%22&amp;r=1#frag" rel="noopener noreferrer">report</a>'
    )
    assert safe_url("HTTP://Example.org") == "HTTP://Example.org"


def test_an_attribute_cannot_be_broken_out_of():
    link = safe_link('https://example.org/"onmouseover="alert(1)', '"><script>alert(1)</script>')
    assert '"onmouseover' not in link
    assert "<script" not in link
    assert link.count('"') == 4  # the two quoted attribute values only


def test_escape_covers_tags_quotes_and_none():
    assert escape(None) == ""
    assert escape("<script>alert('x')</script> & \"q\"") == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;"
    )
    assert escape(5) == "5"


def test_markdown_cannot_make_links_html_or_headings_from_data():
    text = escape_markdown("# Heading\n[x](javascript:alert(1)) <img src=x onerror=alert(1)> *b* _i_ `c`")
    assert text.startswith("\\# Heading")
    assert "\\[x\\]" in text and "<img" not in text and "&lt;img" in text
    assert "\\*b\\*" in text and "\\_i\\_" in text and "\\`c\\`" in text
    assert "\n" not in text
    assert escape_markdown("- item").startswith("\\-")
    assert escape_markdown("1. item").startswith("\\1.")


def test_markdown_link_wraps_the_address():
    assert markdown_link("https://example.org/x_(y)", "a [b]") == "[a \\[b\\]](<https://example.org/x_(y)>)"


def test_script_json_cannot_close_a_script_element():
    value = {"t": "</script><script>alert(1)</script><!--", "u": "\u2028"}
    text = script_json(value)
    assert "</script" not in text.lower() and "<!--" not in text and "<" not in text
    assert json.loads(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("/abs/path", "abs-path"),
        ("..", "untitled"),
        ("", "untitled"),
        (None, "untitled"),
        ("CON", "CON_"),
        ("nul.svg", "nul_.svg"),
        ("Saraqib, Idlib <2016>", "Saraqib-Idlib-2016-"),
        ("Ал-Хасака", "untitled"),
        ("Ḥasakah", "Hasakah"),
        (".hidden", "hidden"),
    ],
)
def test_safe_filename(text, expected):
    assert safe_filename(text) == expected


def test_safe_filename_is_bounded():
    name = safe_filename("x" * 500)
    assert len(name) == 80
    assert all(c.isalnum() or c in "._-" for c in safe_filename('a/b\\c:d*e?f"g<h>i|j\x00k'))
