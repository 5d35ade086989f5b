"""``ddj export``: publish a dataset, its comparison and reader views as SQLite for Datasette, or as CSV/JSON files."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "export"
HELP = (
    "Export a dataset with its comparison as a Datasette-ready SQLite file (keys, full-text search, views) "
    "and its metadata.json, or as CSV or JSON files."
)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the options and arguments of ``ddj export`` to ``parser``."""
    parser.add_argument("dataset", metavar="DATASET", help="a dataset's name (syria-ru-aviation) or folder")
    parser.add_argument(
        "--sqlite", metavar="FILE.db", help="write the tables, keys, full-text indexes and views to this SQLite file"
    )
    parser.add_argument(
        "--metadata",
        metavar="FILE.json",
        help="with --sqlite: write Datasette's metadata.json for it (titles, licences, column "
        "descriptions, facets, labels); serve with `datasette FILE.db -m FILE.json`",
    )
    parser.add_argument("--csv", metavar="DIR", help="write every table and view as DIR/<name>.csv")
    parser.add_argument("--json", metavar="DIR", help="write every table and view as DIR/<name>.json")
    parser.add_argument("--force", action="store_true", help="replace files that are already there")


def run(args: argparse.Namespace) -> int:
    """Run ``ddj export`` with the parsed ``args`` and return its exit status (0 when it succeeded)."""
    import time

    from ddj.errors import ConflictingOptionsError, UnusableDataError, ValidationError

    if not (args.sqlite or args.csv or args.json):
        msg = "say what to write: --sqlite FILE.db (with --metadata FILE.json), --csv DIR or --json DIR"
        raise ConflictingOptionsError(msg)
    if args.metadata and not args.sqlite:
        msg = "--metadata describes the SQLite file: give --sqlite FILE.db too"
        raise ConflictingOptionsError(msg)
    if args.metadata and args.sqlite and Path(args.metadata).resolve() == Path(args.sqlite).resolve():
        msg = "--metadata and --sqlite name the same file; give the metadata its own name (metadata.json)"
        raise ConflictingOptionsError(msg)

    from ddj.publish._target import check_file

    for option, value in (("--sqlite", args.sqlite), ("--metadata", args.metadata)):
        if value:  # before any work: a file in the way or an unwritable folder fails at once
            check_file(Path(value), force=args.force, option=option)

    from ddj.datasets import load
    from ddj.publish import collect, write_csv, write_json, write_metadata, write_sqlite

    started = time.perf_counter()
    try:
        dataset = load(args.dataset, warn=False)
    except ValidationError as err:
        first = str(err.problems[0]).replace("\n", " ") if err.problems else ""
        msg = (
            f"{args.dataset} is not a valid dataset ({len(err.problems)} problem(s); the first: {first}); "
            f"run `ddj validate {args.dataset}` to see them all"
        )
        raise UnusableDataError(msg) from None
    publication = collect(dataset)
    rows = sum(t.frame.height for t in publication.tables)
    shape = f"{len(publication.tables)} tables ({rows:,} rows), {len(publication.views)} views"
    if args.sqlite:
        path = write_sqlite(publication, args.sqlite, force=args.force)
        print(f"wrote {path}: {shape}")
        if args.metadata:
            meta = write_metadata(publication, args.metadata, Path(args.sqlite).stem, force=args.force)
            print(f"wrote {meta}: serve both with `datasette {path} -m {meta}`")
    for folder, writer, suffix in ((args.csv, write_csv, "csv"), (args.json, write_json, "json")):
        if folder:
            written = writer(publication, folder, force=args.force)
            print(f"wrote {len(written)} {suffix.upper()} files into {folder}")
    print(f"exported {dataset.name} in {time.perf_counter() - started:.2f} s")
    return 0
