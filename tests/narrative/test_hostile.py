"""Hostile text in every text and URL field never reaches the narrative's HTML or Markdown unescaped."""

from __future__ import annotations

import mistune
import pytest

from ddj.narrative import narrative, render_html, render_markdown
from tests.fixtures.chart_inputs import stand_in_comparison
from tests.fixtures.hostile_text import PAYLOAD, allowed_markup, hostile_dataset

ALLOWED_TAGS = {"section", "article", "h3", "p", "sup", "a", "ol", "li"}
ALLOWED_ATTRIBUTES = {"class", "id", "href", "rel"}


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    dataset = hostile_dataset(tmp_path_factory.mktemp("hostile") / "hostile-package")
    # the stand-in comparison: the real one is not needed to prove the renderers safe, and the
    # poisoned rows (past the validator) are not its business
    return narrative(dataset, stand_in_comparison(dataset))


def _check(markup, *, allowed_tags=ALLOWED_TAGS):
    assert markup.tags <= allowed_tags, markup.tags - allowed_tags
    assert markup.attributes <= ALLOWED_ATTRIBUTES, markup.attributes - ALLOWED_ATTRIBUTES
    for link in markup.links:
        assert link.startswith(("#", "https://", "http://")), link
        assert "<" not in link and '"' not in link and " " not in link


def test_the_story_really_carries_the_payloads(story):
    text = story.text()
    assert text.count("<script>") >= 5
    assert "onerror=" in text
    assert any(c.url and c.url.startswith("javascript:") for c in story.citations.values())


def test_html_holds_only_our_own_markup(story):
    html = render_html(story)
    _check(allowed_markup(html))
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "data:text" not in html  # the data: address is dropped, not shown
    assert 'href="javascript' not in html and "href=&quot;javascript" in html  # only as escaped text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_hostile_url_is_never_a_link(story):
    html = render_html(story)
    links = [link for link in allowed_markup(html).links if not link.startswith("#")]
    assert links == [link for link in links if link.startswith("https://example.org/%22%3E%3Cscript%3E")]
    assert links, "the https address with markup in it is linked, percent-encoded"


def test_markdown_holds_no_markup_even_through_a_permissive_converter(story):
    markdown = render_markdown(story)
    assert "<script" not in markdown and "<img" not in markdown
    converted = mistune.create_markdown(escape=False, plugins=["footnotes"])(markdown)
    allowed = ALLOWED_TAGS | {"h3", "p", "sup", "a", "ol", "li", "section", "div", "hr", "ul"}
    _check(allowed_markup(converted), allowed_tags=allowed)
    assert 'href="javascript' not in converted


def test_the_payload_is_shown_as_text(story):
    html = render_html(story)
    visible = []

    class Text(type(allowed_markup(""))):
        def handle_data(self, data):
            visible.append(data)

    parser = Text()
    parser.feed(html)
    assert PAYLOAD in "".join(visible)
