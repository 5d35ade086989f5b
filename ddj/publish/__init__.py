"""Publish a dataset with the story: a Datasette-ready SQLite database, its ``metadata.json``, CSV and JSON files.

- :func:`collect` gathers what is published: every resource of the dataset as a table (keys, column types,
  descriptions from the model), the comparison's tables for an incident dataset (per incident, with the grade and
  its reason; per attribute; the official changes) or the tally series for a tally dataset, a lookup of the
  comparison's statuses, and the views a reader needs (each incident with its official and unofficial accounts
  side by side, contradictions only, official silence only, accounts with their sources).
- :func:`write_sqlite` writes them to one SQLite file, atomically: primary and foreign keys, indexes on the keys,
  full-text search (FTS5, as Datasette finds it) over titles, summaries and statements, and the views.
- :func:`datasette_metadata` / :func:`write_metadata`: Datasette's ``metadata.json`` for that file: title,
  description, licence and source of the dataset and of each third-party part, a description for every column,
  facets, and label columns for the foreign keys.
- :func:`write_csv` / :func:`write_json`: the same tables and views as files, for those who do not use Datasette.
  CSV cells that a spreadsheet would run as a formula are neutralised (:func:`ddj.publish.files.neutralise`).

``ddj export DATASET --sqlite FILE.db --metadata FILE.json`` runs them (:mod:`ddj.commands.export`).

>>> from ddj.publish import collect, write_sqlite, datasette_metadata
"""

from __future__ import annotations

from ddj.publish.files import write_csv, write_json
from ddj.publish.metadata import datasette_metadata, write_metadata
from ddj.publish.sqlite import write_sqlite
from ddj.publish.tables import Publication, Table, View, collect

__all__ = [
    "Publication",
    "Table",
    "View",
    "collect",
    "datasette_metadata",
    "write_csv",
    "write_json",
    "write_metadata",
    "write_sqlite",
]
