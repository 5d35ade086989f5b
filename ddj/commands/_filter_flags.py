"""The filters as command-line flags: one flag per filter of :class:`ddj.filters.FilterSpec`.

:func:`add_filter_arguments` gives a command its flags (``--country Syria --status contradict``) and
:func:`read_filter_flags` reads them back into a spec (:meth:`ddj.filters.FilterSpec.to_flags` writes a spec as
flags, for the Explorer's "open this view again" command). The flags come from the filters' one declaration
(:data:`ddj.filters.FILTERS`): a filter added there gets its flag here without an edit.

The module name starts with ``_`` so :mod:`ddj.cli` does not take it for a subcommand.
"""

from __future__ import annotations

import argparse

from ddj.filters import FILTERS, FilterSpec

__all__ = ["add_filter_arguments", "read_filter_flags"]


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """Give a command one flag per filter, in a "filters" group (``--country``, ``--status``...).

    Values flags may be repeated (``--country Syria --country Turkey``). Read them back with
    :func:`read_filter_flags`.
    """
    group = parser.add_argument_group("filters", "which incidents to keep (repeat a flag for several values)")
    for item in FILTERS:
        if item.kind == "date":
            group.add_argument(item.flag, dest=item.name, metavar="DATE", help=item.help)
        elif item.kind == "text":
            group.add_argument(item.flag, dest=item.name, metavar="TEXT", help=item.help)
        else:
            metavar = (item.singular or _singular(item.name)).upper().replace("-", "_")
            if item.name == "incident_ids":
                metavar = "ID"
            group.add_argument(item.flag, dest=item.name, action="append", metavar=metavar, help=item.help)


def read_filter_flags(args: argparse.Namespace) -> FilterSpec:
    """Read the flags :func:`add_filter_arguments` declared from parsed arguments.

    Raises
    ------
    InvalidValueError
        A date that is not ``YYYY-MM-DD``, a word outside a filter's vocabulary, or dates in the
        wrong order; the message names the flag.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_filter_arguments(parser)
    >>> read_filter_flags(parser.parse_args(["--country", "Syria", "--side", "official"])).to_dict()
    {'countries': ['Syria'], 'sides': ['official']}

    The flags name one value each; the spec holds them as the filters' lists.
    """
    values = {
        item.name: getattr(args, item.name) for item in FILTERS if getattr(args, item.name, None) not in (None, [], ())
    }
    return FilterSpec(**values)


def _singular(name: str) -> str:
    """``statuses`` -> ``status``, ``aircraft_categories`` -> ``aircraft_category``, ``grades`` -> ``grade``."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("uses", "sses")):
        return name[:-2]
    return name.removesuffix("s")
