"""Who a tally's two sides come from, and under which licences, as the dataset's ``datapackage.json`` says.

Each side (``official``, ``documented``) takes its licence from its resource's ``licenses`` (the official
series; the documented series, or the event list when there is no series), its short name from that licence's
title (``MIT License (the General Staff figures as structured by Petro Ivaniuk)`` gives ``General Staff``), and its
source from the package's ``sources`` entry that names it. Nothing here is written for one dataset: a tally
package that declares its licences and sources gets its attribution, and one that does not gets a source line
that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ddj.datasets import Dataset

#: Used for a side whose licence title names nobody.
_FALLBACK = {"official": "the official series", "documented": "the documented count"}
_WHO = re.compile(r"\((?P<the>the\s+)?(?P<who>[^()]+?)\s+(?:figures|data|claims|counts?|list|records)\b", re.IGNORECASE)
_NOISE = re.compile(r",\s*(?:commit\s+[0-9a-f]{7,40}|folder\s+[^,()]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Side:
    """One side of a tally: its short name, its source and its licence, as declared."""

    role: str
    name: str
    named: bool
    article: bool
    source: str | None
    url: str | None
    licence: str | None
    licence_title: str | None

    @property
    def phrase(self) -> str:
        """The name as a sentence uses it: ``the General Staff``, ``Oryx``."""
        return f"the {self.name}" if self.article else self.name

    @property
    def licence_words(self) -> str:
        """The licence as a reader knows it: ``CC BY 4.0``, ``MIT licence``; ``licence not declared`` when none."""
        if not self.licence:
            return "licence not declared"
        if self.licence.upper().startswith("CC"):
            return self.licence.replace("-", " ")
        return f"{self.licence} licence"


def _descriptor(ds: Dataset) -> dict[str, Any]:
    return getattr(ds, "descriptor", None) or {}


def _resource(descriptor: dict[str, Any], role: str) -> dict[str, Any]:
    block = descriptor.get("ddj") or {}
    if role == "official":
        wanted = ["official_series"]
    else:
        wanted = [
            block.get("documented", "documented_series"),
            (block.get("events") or {}).get("resource", "documented_events"),
        ]
    by_name = {r.get("name"): r for r in descriptor.get("resources") or []}
    for name in wanted:
        if name in by_name:
            return by_name[name]
    return {}


def _side(descriptor: dict[str, Any], role: str) -> Side:
    resource = _resource(descriptor, role)
    licences = resource.get("licenses") or []
    licence = licences[0] if licences else {}
    title = licence.get("title")
    match = _WHO.search(title or "")
    # A package without licences may name its sides itself (``ddj.sides``, as ``ddj import named-deaths`` writes).
    declared = ((descriptor.get("ddj") or {}).get("sides") or {}).get(role)
    name = match.group("who").strip() if match else (str(declared).strip() or None if declared else None)
    sources = descriptor.get("sources") or []
    source = None
    if name:
        source = next((s for s in sources if name.lower() in str(s.get("title", "")).lower()), None)
    if source is None and licence:
        # the package's licences and sources are declared side by side, in the same order
        names = [item.get("name") for item in descriptor.get("licenses") or []]
        if licence.get("name") in names and names.index(licence.get("name")) < len(sources):
            source = sources[names.index(licence.get("name"))]
    return Side(
        role=role,
        name=name or _FALLBACK[role],
        named=bool(name),
        article=bool(match and match.group("the")),
        source=_NOISE.sub("", source["title"]) if source and source.get("title") else None,
        url=(source or {}).get("path"),
        licence=licence.get("name"),
        licence_title=title,
    )


def attribution(ds: Dataset) -> dict[str, Side]:
    """The official and the documented side of a tally dataset, each with its name, source and licence.

    Examples
    --------
    >>> import ddj
    >>> sides = attribution(ddj.load("ukraine-equipment-losses", warn=False))
    >>> [(s.name, s.licence_words) for s in sides.values()]
    [('General Staff', 'MIT licence'), ('Oryx', 'CC BY 4.0')]

    The General Staff's claims come under the MIT licence, Oryx's documented losses under CC BY 4.0.
    """
    descriptor = _descriptor(ds)
    return {role: _side(descriptor, role) for role in ("official", "documented")}


def source_line(ds: Dataset) -> str:
    """A tally chart's or page's source line: both sides, their sources, links and licences, and the dataset.

    Examples
    --------
    >>> import ddj
    >>> line = source_line(ddj.load("ukraine-equipment-losses", warn=False))
    >>> line.startswith("Sources: General Staff claims: PetroIvaniuk/2022-Ukraine-Russia-War-Dataset")
    True
    >>> "Oryx documented losses: scarnecchia/oryx_data, data from Oryx (oryxspioenkop.com)" in line
    True
    >>> line.endswith("CC BY 4.0. Compiled in ddj dataset ukraine-equipment-losses v1.0.0.")
    True

    Oryx's licence (CC BY 4.0) makes attribution a condition: the line names both sides and both licences.
    """
    from ddj.tally.units import unit

    words = unit(ds)
    parts = []
    for side in attribution(ds).values():
        what = "claims" if side.role == "official" else f"documented {words.losses}"
        label = f"{side.name} {what}" if side.named else side.name
        where = ", ".join(x for x in (side.source, side.url) if x) or "source not declared"
        parts.append(f"{label}: {where}, {side.licence_words}")
    descriptor = _descriptor(ds)
    name = getattr(ds, "name", None) or descriptor.get("name")
    version = descriptor.get("version")
    compiled = f" Compiled in ddj dataset {name}{f' v{version}' if version else ''}." if name else ""
    return "Sources: " + "; ".join(parts) + "." + compiled
