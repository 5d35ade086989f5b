"""The pages: what notebooks display (sections, charts) and how an executed notebook becomes an offline HTML
page (htmlexport), with the front page (index). All HTML comes from the Jinja2 templates in ``templates/``.
"""

from ddj.report.pages.figures import show

__all__ = ["show"]
