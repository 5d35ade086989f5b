"""Where the shipped datasets live and which names are theirs: the rule in one place, without polars.

:mod:`ddj.datasets` re-exports :func:`data_dir` (importing that package imports polars); the report
runner's cache and configuration read this module directly, so that deciding nothing needs to run
stays light.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["SHIPPED_NAME", "data_dir", "is_shipped"]

SHIPPED_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
"""What a shipped dataset's name looks like (lower case letters, digits, ``-`` and ``_``): anything else
is a path."""


def data_dir() -> Path:
    """The folder of shipped datasets: ``$DDJ_DATA_DIR`` if set, else ``data/`` beside the package."""
    configured = os.environ.get("DDJ_DATA_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[1] / "data"


def is_shipped(name: str) -> bool:
    """Whether ``name`` is a shipped dataset: a folder of :func:`data_dir` with a ``datapackage.json``, named
    as :data:`SHIPPED_NAME` allows (as :func:`ddj.datasets.shipped_datasets` lists them).

    Examples
    --------
    >>> is_shipped("syria-ru-aviation"), is_shipped("../data/syria-ru-aviation")
    (True, False)
    """
    return bool(SHIPPED_NAME.match(name)) and (data_dir() / name / "datapackage.json").is_file()
