"""``ddj explore``: serve the Explorer (notebooks/explore.ipynb) as a Voila dashboard on this computer."""

from __future__ import annotations

import argparse

from ddj.commands._filter_flags import add_filter_arguments, read_filter_flags
from ddj.widgets.serve import CULL_IDLE_TIMEOUT, CULL_INTERVAL, MAX_KERNELS

NAME = "explore"
HELP = (
    "Open the Explorer as a dashboard on this computer (Voila on 127.0.0.1): filters, linked charts, a table "
    "and every account of an incident. Filter flags choose the view it opens on."
)
DEFAULT_DATASET = "syria-ru-aviation"
#: Set to 1, each visitor's kernel loads and compares the dataset itself instead of sharing the data
#: ``ddj explore`` prepares (:mod:`ddj.widgets.shared`): the old way, kept to measure against.
NO_SHARED_ENV = "DDJ_EXPLORER_NO_SHARED"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj explore`` to ``parser``."""
    parser.add_argument(
        "dataset",
        nargs="?",
        default=DEFAULT_DATASET,
        metavar="DATASET",
        help=f"an incident dataset's name or folder (default: {DEFAULT_DATASET})",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8866,
        metavar="N",
        help="the port on 127.0.0.1 to serve on (default 8866, or the next free one; 0 picks any "
        "free one). ddj explore prints the address it actually serves at",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument(
        "--no-token",
        action="store_true",
        help="serve without the random token in the URL (anyone on this computer can then open it)",
    )
    parser.add_argument(
        "--max-kernels",
        type=int,
        default=MAX_KERNELS,
        metavar="N",
        help=f"browser tabs served at once; one more gets a 'busy' page (default {MAX_KERNELS}; 0 for no cap)",
    )
    parser.add_argument(
        "--cull-idle-timeout",
        type=int,
        default=CULL_IDLE_TIMEOUT,
        metavar="SECONDS",
        help="shut down a tab's kernel after this long idle with no page connected "
        f"(default {CULL_IDLE_TIMEOUT}; 0 never)",
    )
    parser.add_argument(
        "--cull-interval",
        type=int,
        default=CULL_INTERVAL,
        metavar="SECONDS",
        help=f"how often to look for idle kernels (default {CULL_INTERVAL})",
    )
    add_filter_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run ``ddj explore`` with the parsed ``args`` and return its exit status (0 when it succeeded)."""
    import os
    import sys

    from ddj.widgets.serve import check_dataset, check_view, serve
    from ddj.widgets.shared import prepare_in_child

    spec = read_filter_flags(args)
    dataset = check_dataset(args.dataset)
    _check_memory(args.dataset)

    def progress(message: str) -> None:
        print(f"ddj explore: {message}...", file=sys.stderr, flush=True)

    # Loaded, validated and compared once, in a child process, for every visitor's kernel to memory-map: an
    # invalid dataset stops here with its message, and no server starts.
    prepared = (
        None if os.environ.get(NO_SHARED_ENV, "") not in ("", "0") else prepare_in_child(dataset, progress=progress)
    )
    check_view(dataset, spec, prepared)  # a value no incident has: the message, and no server
    return serve(
        dataset,
        spec,
        port=args.port,
        open_browser=not args.no_browser,
        token=not args.no_token,
        max_kernels=args.max_kernels,
        cull_idle_timeout=args.cull_idle_timeout,
        cull_interval=args.cull_interval,
        prepared=prepared,
    )


def _check_memory(reference: str) -> None:
    """Refuse, before a server starts, a dataset too large to load in the memory available (the Explorer
    keeps every column): a clear message now instead of a dashboard that never opens.
    """
    from ddj.datasets import resolve
    from ddj.datasets.memory import check_memory
    from ddj.datasets.package import read_package

    check_memory(read_package(resolve(reference)), keep_text=True)
