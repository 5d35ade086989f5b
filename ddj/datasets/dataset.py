"""The Dataset: a validated package's tables as polars frames, with its caveats and file hashes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from ddj._io import file_sha256
from ddj.datasets.official_search import OfficialSearch, read_official_search
from ddj.errors import NotFoundError, Problem


@dataclass(frozen=True)
class Dataset:
    """A loaded, validated dataset.

    Attributes
    ----------
    name
        The package's name (from datapackage.json).
    folder
        The package folder.
    kind
        ``incidents`` or another registered kind.
    tables
        One typed polars frame per resource, keyed by resource name. Treat them as read-only:
        every ddj function returns new frames.
    caveats
        What a reader should know that does not make the data invalid.
    descriptor
        The parsed datapackage.json.
    files
        Resource name to file path, for hashes and messages.
    """

    name: str
    folder: Path
    kind: str
    tables: dict[str, pl.DataFrame]
    caveats: tuple[Problem, ...]
    descriptor: dict[str, Any] = field(repr=False)
    files: dict[str, Path] = field(repr=False)

    def table(self, name: str) -> pl.DataFrame:
        """Return the frame of resource ``name``."""
        try:
            return self.tables[name]
        except KeyError:
            msg = f"dataset {self.name!r} has no table {name!r}; it has: {', '.join(self.tables)}"
            raise NotFoundError(msg) from None

    @property
    def incidents(self) -> pl.DataFrame:
        """The ``incidents`` table: one row per incident.

        Raises
        ------
        NotFoundError
            The dataset has no such table (it is not of kind ``incidents``).
        """
        return self.table("incidents")

    @property
    def sources(self) -> pl.DataFrame:
        """The ``sources`` table: one row per source that published an account.

        Raises
        ------
        NotFoundError
            The dataset has no such table (it is not of kind ``incidents``).
        """
        return self.table("sources")

    @property
    def accounts(self) -> pl.DataFrame:
        """The ``accounts`` table: one row per account of an incident, official or unofficial.

        Raises
        ------
        NotFoundError
            The dataset has no such table (it is not of kind ``incidents``).
        """
        return self.table("accounts")

    @property
    def overrides(self) -> pl.DataFrame:
        """The ``overrides`` table: editors' decisions as data (what was changed, by whom, when, why).

        Raises
        ------
        NotFoundError
            The dataset has no such table (it is not of kind ``incidents``).
        """
        return self.table("overrides")

    @cached_property
    def official_search(self) -> OfficialSearch:
        """Whether the curators searched for official statements, and when (the descriptor's
        ``ddj.official_search``; not declared reads as not searched). See :mod:`ddj.datasets.official_search`.
        """
        return read_official_search(self.descriptor, str(self.folder / "datapackage.json"))

    @cached_property
    def file_hashes(self) -> dict[str, str]:
        """SHA-256 of datapackage.json and of every resource file, keyed by path relative to the folder."""
        paths = [self.folder / "datapackage.json", *self.files.values()]
        return {str(p.relative_to(self.folder)): file_sha256(p) for p in sorted(set(paths))}

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {name: frame.height for name, frame in self.tables.items()}

    def __hash__(self) -> int:  # frames are not hashable; a dataset is identified by its folder
        return hash((self.name, str(self.folder)))
