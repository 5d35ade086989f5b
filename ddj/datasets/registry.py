"""The shipped datasets: where they live and how a name or a path becomes a package folder."""

from __future__ import annotations

import os
from pathlib import Path

from ddj._shipped import SHIPPED_NAME, data_dir
from ddj.errors import DatasetNotFoundError

__all__ = ["data_dir", "resolve", "shipped_datasets"]


def shipped_datasets() -> list[str]:
    """Names of the shipped datasets (folders of :func:`data_dir` holding a datapackage.json), sorted.

    Examples
    --------
    >>> "syria-ru-aviation" in shipped_datasets()
    True

    The curated Syria aviation dataset ships with ddj.
    """
    folder = data_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "datapackage.json").is_file())


def resolve(name_or_path: str | os.PathLike) -> Path:
    """Return the package folder for a shipped dataset's name or a path to a package folder.

    A path to a ``datapackage.json`` file is accepted too.

    Raises
    ------
    DatasetNotFoundError
        Neither a shipped dataset of that name nor a folder at that path exists.
    """
    candidate = Path(name_or_path)
    if candidate.name == "datapackage.json" and candidate.is_file():
        return candidate.parent
    if candidate.is_dir():
        return candidate
    text = str(name_or_path)
    if SHIPPED_NAME.match(text) and (data_dir() / text).is_dir():
        return data_dir() / text
    names = ", ".join(shipped_datasets()) or "none"
    msg = (
        f"no dataset {text!r}: it is neither a folder nor the name of a shipped dataset "
        f"(shipped: {names}). Give a shipped name or the path of a folder with a datapackage.json."
    )
    raise DatasetNotFoundError(msg)
