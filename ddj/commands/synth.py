"""``ddj synth``: write a synthetic incident package for tests and benchmarks."""

from __future__ import annotations

import argparse

NAME = "synth"
HELP = "Write a synthetic incident package (deterministic for a seed) that ddj validates, for tests and benchmarks."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--incidents", type=int, required=True, metavar="N", help="how many incidents (about 4 accounts each)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="the seed (default 0): same seed, same files")
    parser.add_argument("--out", required=True, metavar="DIR", help="the package folder to write")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="file format (default parquet)")


def run(args: argparse.Namespace) -> int:
    from ddj.errors import UsageError
    from ddj.synth import write_synthetic

    if args.incidents < 1:
        raise UsageError(f"--incidents must be 1 or more, not {args.incidents}")
    folder = write_synthetic(args.out, incidents=args.incidents, seed=args.seed, fmt=args.format)
    print(f"wrote {folder}: a synthetic package of {args.incidents} incidents (seed {args.seed}, {args.format})")
    return 0
