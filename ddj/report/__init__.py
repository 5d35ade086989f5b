"""The report pipeline: parameterized notebooks run by Papermill into offline, self-contained HTML reports."""

from ddj.report.pages.figures import show

__all__ = ["show"]
