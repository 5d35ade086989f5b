"""``python -m ddj``: the same command line as ``ddj``."""

from ddj.cli import entry

entry()
