"""``ddj datasets``: list the shipped datasets."""

from __future__ import annotations

import argparse

NAME = "datasets"
HELP = "List the shipped datasets and where they are."


def configure(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(args: argparse.Namespace) -> int:
    del args
    from ddj.datasets import data_dir, shipped_datasets

    for name in shipped_datasets():
        print(f"{name}\t{data_dir() / name}")
    return 0
