"""``ddj explore``: serve the Explorer (notebooks/explore.ipynb) as a Voila dashboard on this computer."""

from __future__ import annotations

import argparse

from ddj.filters import add_filter_arguments

NAME = "explore"
HELP = ("Open the Explorer as a dashboard on this computer (Voila on 127.0.0.1): filters, linked charts, a table "
        "and every account of an incident. Filter flags choose the view it opens on.")
DEFAULT_DATASET = "syria-ru-aviation"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", nargs="?", default=DEFAULT_DATASET, metavar="DATASET",
                        help=f"an incident dataset's name or folder (default: {DEFAULT_DATASET})")
    parser.add_argument("--port", type=int, default=8866, metavar="N",
                        help="the port on 127.0.0.1 to serve on (default 8866; 0 picks a free one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    add_filter_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ddj.filters import FilterSpec
    from ddj.widgets.serve import check_dataset, serve

    spec = FilterSpec.from_cli(args)
    dataset = check_dataset(args.dataset)
    return serve(dataset, spec, port=args.port, open_browser=not args.no_browser)
