"""``ddj datasets``: list the shipped datasets."""

from __future__ import annotations

import argparse

NAME = "datasets"
HELP = "List the shipped datasets and where they are."


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj datasets`` to ``parser``."""
    del parser  # no options


def run(args: argparse.Namespace) -> int:
    """Run ``ddj datasets`` with the parsed ``args`` and return its exit status (0 when it succeeded)."""
    del args
    from ddj.datasets import data_dir, shipped_datasets
    from ddj.html import terminal_safe

    for name in shipped_datasets():
        print(terminal_safe(f"{name}\t{data_dir() / name}", newlines=False))
    return 0
