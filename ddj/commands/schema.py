"""``ddj schema``: regenerate an incident package's schemas and datasheet field table from the model."""

from __future__ import annotations

import argparse

NAME = "schema"
HELP = "Regenerate an incident dataset's datapackage.json schemas and its datasheet field table from the model."


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj schema`` to ``parser``."""
    parser.add_argument("dataset", metavar="DATASET", help="shipped dataset name or package folder")
    parser.add_argument("--check", action="store_true", help="only report whether the files are in step; exit 1 if not")


def run(args: argparse.Namespace) -> int:
    """Run ``ddj schema`` with the parsed ``args`` and return its exit status (0 when it succeeded)."""
    from ddj.datasets import resolve
    from ddj.datasets.datasheet import out_of_step, refresh
    from ddj.html import terminal_safe

    folder = resolve(args.dataset)
    if args.check:
        stale = out_of_step(folder)
        for name in stale:
            print(
                terminal_safe(
                    f"{folder / name}: out of step with the model; run `ddj schema {args.dataset}`", newlines=False
                )
            )
        return 1 if stale else 0
    changed = refresh(folder)
    print(
        terminal_safe(
            f"{folder}: " + (f"rewrote {', '.join(changed)}" if changed else "already in step with the model"),
            newlines=False,
        )
    )
    return 0
