"""Datasette's ``metadata.json`` for an exported database, generated from the publication (so from the model).

It gives the dataset's title, description, licence and source (from ``datapackage.json``), each table's and
view's description, a description for every column (the datasheet's text), the facets a reporter filters by,
the label column of every table other tables point at, and, for a part under its own licence (the Oryx data
under CC BY 4.0, the General Staff figures under MIT), that licence and its source on the part's tables.

Everything is plain text: Datasette escapes it (no ``description_html`` is written, so nothing from a dataset
can inject markup). Run ``datasette FILE.db -m metadata.json``; the database's name is the file's stem.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ddj.publish._target import atomic_text, check_file
from ddj.publish.tables import Publication

#: Where the licences datasets commonly declare are published, for a licence given without a web address.
LICENCE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "ODC-By-1.0": "https://opendatacommons.org/licenses/by/1-0/",
    "PDDL-1.0": "https://opendatacommons.org/licenses/pddl/1-0/",
    "MIT": "https://opensource.org/license/mit",
}


def _web(path: Any) -> str | None:
    text = str(path or "")
    return text if text.startswith(("https://", "http://")) else None


def _licence(licences: tuple[dict[str, Any], ...]) -> dict[str, str]:
    if not licences:
        return {}
    words = "; ".join(str(x.get("title") or x.get("name") or "") for x in licences)
    out = {"license": words}
    if len(licences) == 1:
        url = _web(licences[0].get("path")) or LICENCE_URLS.get(str(licences[0].get("name")))
        if url:
            out["license_url"] = url
    return out


def _source(sources: tuple[dict[str, Any], ...]) -> dict[str, str]:
    if not sources:
        return {}
    out = {"source": "; ".join(str(x.get("title") or x.get("path") or "") for x in sources)}
    urls = [_web(x.get("path")) for x in sources]
    if len(sources) == 1 and urls[0]:
        out["source_url"] = urls[0]
    return out


def datasette_metadata(publication: Publication, database: str) -> dict[str, Any]:
    """The ``metadata.json`` for ``publication`` exported as the database called ``database`` (the file's stem).

    Examples
    --------
    >>> import ddj
    >>> from ddj.publish import collect
    >>> meta = datasette_metadata(collect(ddj.load("syria-ru-aviation", warn=False)), "syria")
    >>> meta["license"], meta["databases"]["syria"]["tables"]["accounts"]["facets"][:2]
    ('Creative Commons Attribution 4.0 International', ['side', 'cause'])

    The dataset's licence is on every page; the accounts table opens with counts by side and by cause.
    """
    exported = f"Exported by ddj on {publication.exported_on.isoformat()}" + (
        f" from version {publication.version} of the dataset." if publication.version else "."
    )
    description = " ".join(x for x in (publication.description, publication.note, exported) if x)
    head = {
        "title": publication.title,
        "description": description,
        **_licence(publication.licenses),
        **_source(publication.sources),
    }
    tables: dict[str, Any] = {}
    for table in publication.tables:
        names = table.frame.columns
        entry: dict[str, Any] = {"description": table.description} if table.description else {}
        columns = {c: table.columns[c] for c in names if table.columns.get(c)}
        if columns:
            entry["columns"] = columns
        facets = [c for c in table.facets if c in names]
        if facets:
            entry["facets"] = facets
        if table.label_column:
            entry["label_column"] = table.label_column
        elif "title" in names or "name" in names:
            entry["label_column"] = "title" if "title" in names else "name"
        if table.sort and table.sort in names:
            entry["sort"] = table.sort
        entry.update(_licence(table.licenses))
        entry.update(_source(table.sources))
        tables[table.name] = entry
    for view in publication.views:
        entry = {"description": view.description, "columns": {k: v for k, v in view.columns.items() if v}}
        if view.facets:
            entry["facets"] = list(view.facets)
        if view.sort:
            entry["sort"] = view.sort
        tables[view.name] = entry
    return {**head, "databases": {database: {**head, "tables": tables}}}


def write_metadata(publication: Publication, target: str | Path, database: str, *, force: bool = False) -> Path:
    """Write :func:`datasette_metadata` to ``target`` as JSON, atomically; return its path.

    Parameters
    ----------
    publication : Publication
        What the database holds, from :func:`ddj.publish.tables.collect`.
    target : str or pathlib.Path
        The JSON file to write (``--metadata``); a folder is refused.
    database : str
        The database's name as Datasette serves it: the SQLite file's stem (``syria`` for ``syria.db``).
    force : bool, default False
        Replace an existing ``target``; without it an existing file is a :class:`~ddj.errors.OutputLocationError`.
    """
    target = check_file(Path(target), force=force, option="--metadata")
    with atomic_text(target) as handle:
        json.dump(datasette_metadata(publication, database), handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return target
