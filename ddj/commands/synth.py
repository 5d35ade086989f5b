"""``ddj synth``: write a synthetic incident package for tests and benchmarks."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "synth"
HELP = "Write a synthetic incident package (deterministic for a seed) that ddj validates, for tests and benchmarks."


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj synth`` to ``parser``."""
    parser.add_argument(
        "--incidents", type=int, required=True, metavar="N", help="how many incidents (about 4 accounts each)"
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="the seed (default 0): same seed, same files")
    parser.add_argument("--out", required=True, metavar="DIR", help="the package folder to write")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="file format (default parquet)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a package already in DIR (without it, ddj synth refuses to write over one)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``ddj synth`` with the parsed ``args`` and return its exit status (0 when it succeeded)."""
    from ddj.errors import InvalidValueError, OutputLocationError
    from ddj.html import terminal_safe
    from ddj.synth import write_synthetic

    if args.incidents < 1:
        raise InvalidValueError(f"--incidents must be 1 or more, not {args.incidents}")
    _check_out(Path(args.out), args.format, force=args.force)
    try:
        folder = write_synthetic(args.out, incidents=args.incidents, seed=args.seed, fmt=args.format)
    except OSError as err:
        msg = (
            f"--out {args.out!r}: cannot write the package there ({err.strerror or err}). "
            "Choose a folder you can write to"
        )
        raise OutputLocationError(msg) from err
    print(
        f"wrote {terminal_safe(folder, newlines=False)}: a synthetic package of {args.incidents} incidents "
        f"(seed {args.seed}, {args.format})"
    )
    return 0


def _check_out(out: Path, fmt: str, *, force: bool) -> None:
    """Refuse an --out that is a file, or a folder holding a package, unless --force."""
    from ddj.errors import OutputLocationError
    from ddj.model import INCIDENT_RESOURCES

    if out.exists() and not out.is_dir():
        raise OutputLocationError(f"--out {str(out)!r} is a file, not a folder; give a folder for the package")
    if force or not out.is_dir():
        return
    ours = ["datapackage.json", *(f"{r.name}.{fmt}" for r in INCIDENT_RESOURCES)]
    present = [name for name in ours if (out / name).exists()]
    if present:
        msg = (
            f"--out {str(out)!r} already holds a package ({', '.join(present)}); ddj synth would replace it. "
            "Give a new or empty folder, or add --force to replace those files"
        )
        raise OutputLocationError(msg)
