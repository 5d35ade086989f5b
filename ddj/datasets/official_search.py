"""Whether the curators searched for official statements, and when: a dataset's ``official_search`` declaration.

An incident with unofficial accounts and no official one reads as the operator's *silence*
(comparison status ``official_silent``, "has not publicly acknowledged") only where someone looked
for official statements and found none. Elsewhere it is only "no official account recorded"
(status ``no_official_record``): a monitor's export, say, lists the sources it used, not the
statements it looked for and did not find.

The declaration is a property of the Data Package, not a column of the incident CSVs, in the
``ddj`` block of ``datapackage.json`` (its fields: :data:`ddj.model.OFFICIAL_SEARCH_FIELDS`)::

    "ddj": {"kind": "incidents", "official_search": {
        "searched": true, "on": "2026-12-05", "note": "every incident, during the fact-check",
        "not_searched": ["incident ids where nobody searched"]}}

or ``{"searched": false}``, optionally with ``"searched_incidents": [...]`` and ``"on"`` for the few
incidents where someone did. A package without the property has *not declared* a search: it is
read as not searched, and validation lists a caveat saying so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ddj.errors import PackageError, Problem
from ddj.model import OFFICIAL_SEARCH_FIELDS

__all__ = ["OfficialSearch", "official_search_caveat", "official_search_problems", "read_official_search"]

_KEYS = tuple(f.name for f in OFFICIAL_SEARCH_FIELDS)
_EXAMPLE = '"ddj": {"official_search": {"searched": true, "on": "YYYY-MM-DD", "note": "..."}} (or {"searched": false})'


@dataclass(frozen=True)
class OfficialSearch:
    """A dataset's declaration of whether its curators searched for official statements.

    Attributes
    ----------
    declared
        The package says one way or the other (False: the property is missing, read as not searched).
    searched
        The dataset-wide answer.
    on
        When the search was made (for ``searched``, or for the ``exceptions`` of a dataset not searched).
    note
        The curators' words on how they searched.
    exceptions
        Incident ids where the answer differs from the dataset's (``not_searched`` of a searched
        dataset, ``searched_incidents`` of one that was not).
    """

    declared: bool = False
    searched: bool = False
    on: dt.date | None = None
    note: str = ""
    exceptions: frozenset[str] = frozenset()

    def searched_for(self, incident_id: str) -> bool:
        """Whether someone searched for official statements on this incident.

        Examples
        --------
        >>> search = OfficialSearch(True, True, dt.date(2026, 12, 5), exceptions=frozenset({"inc-2"}))
        >>> search.searched_for("inc-1"), search.searched_for("inc-2")
        (True, False)

        The dataset was searched, except for the one incident listed as not searched.
        """
        return self.searched != (incident_id in self.exceptions)

    def searched_ids(self, incident_ids: Iterable[str]) -> list[bool]:
        """:meth:`searched_for` of each id, in order."""
        return [self.searched_for(i) for i in incident_ids]

    def as_dict(self) -> dict[str, Any]:
        """The declaration as it is written in datapackage.json (empty when not declared)."""
        if not self.declared:
            return {}
        out: dict[str, Any] = {"searched": self.searched}
        if self.on is not None:
            out["on"] = self.on.isoformat()
        if self.note:
            out["note"] = self.note
        if self.exceptions:
            out["not_searched" if self.searched else "searched_incidents"] = sorted(self.exceptions)
        return out


NOT_DECLARED = OfficialSearch()


def read_official_search(descriptor: dict[str, Any] | None, where: str = "datapackage.json") -> OfficialSearch:
    """The declaration in a package descriptor's ``ddj`` block, checked.

    Raises
    ------
    PackageError
        The property is there but not of the documented form; the message names ``where`` and the fix.

    Examples
    --------
    >>> read_official_search({"ddj": {"official_search": {"searched": True, "on": "2026-12-05"}}}).on
    datetime.date(2026, 12, 5)
    >>> read_official_search({"ddj": {"kind": "incidents"}}).declared
    False

    A package that does not say is read as not searched.
    """
    block = (descriptor or {}).get("ddj") if isinstance(descriptor, dict) else None
    if not isinstance(block, dict) or "official_search" not in block:
        return NOT_DECLARED
    value = block["official_search"]

    def fail(what: str) -> PackageError:
        return PackageError(f'{where}: "official_search" in the "ddj" block {what}. Write it as {_EXAMPLE}.')

    if not isinstance(value, dict):
        raise fail(f"must be an object, not {type(value).__name__} {value!r}")
    unknown = [k for k in value if k not in _KEYS]
    if unknown:
        raise fail(f"has key(s) ddj does not know: {', '.join(map(repr, unknown))} (it knows {', '.join(_KEYS)})")
    searched = value.get("searched")
    if not isinstance(searched, bool):
        raise fail(f'needs "searched": true or false (it has {searched!r})')
    on = value.get("on")
    if on is not None:
        try:
            on = dt.date.fromisoformat(on) if isinstance(on, str) and len(on) == 10 else None
        except ValueError:
            on = None
        if on is None:
            raise fail(f'has "on": {value.get("on")!r}, which is not a date written YYYY-MM-DD')
    note = value.get("note", "")
    if not isinstance(note, str):
        raise fail(f'has a "note" that is not text ({note!r})')
    wrong = "searched_incidents" if searched else "not_searched"
    if wrong in value:
        raise fail(
            f'has "{wrong}" with "searched": {str(searched).lower()}; list the incidents that differ from '
            f'the dataset under "{"not_searched" if searched else "searched_incidents"}"'
        )
    listed = value.get("not_searched" if searched else "searched_incidents", [])
    if not isinstance(listed, list) or not all(isinstance(i, str) and i for i in listed):
        raise fail("lists incidents that are not a list of incident ids")
    if searched and on is None:
        raise fail('says the curators searched but not when: add "on": "YYYY-MM-DD"')
    if listed and not searched and on is None:
        raise fail('lists searched incidents but not when they were searched: add "on": "YYYY-MM-DD"')
    return OfficialSearch(True, searched, on, note.strip(), frozenset(listed))


def official_search_problems(search: OfficialSearch, incident_ids: Iterable[str], file: str) -> list[Problem]:
    """Incident ids the declaration lists that the incidents table does not hold.

    Parameters
    ----------
    search : OfficialSearch
        The package's ``official_search`` declaration, with the ids it lists as exceptions.
    incident_ids : iterable of str
        The ``incident_id`` values of the incidents table.
    file : str
        The file the problems are reported against, as shown to the user (``datapackage.json``).
    """
    known = set(incident_ids)
    missing = sorted(search.exceptions - known)
    key = "not_searched" if search.searched else "searched_incidents"
    return [
        Problem(
            file,
            None,
            f"ddj.official_search.{key}",
            i,
            "official_search",
            f'"official_search" lists incident {i!r}, which is not in the incidents table',
            "list only ids of the incidents table, or remove the id",
            "ForeignKeyError",
        )
        for i in missing
    ]


def official_search_caveat(search: OfficialSearch, file: str) -> list[Problem]:
    """The caveat of a package that does not declare whether anyone searched for official statements."""
    if search.declared:
        return []
    return [
        Problem(
            file,
            None,
            None,
            None,
            "official_search_not_declared",
            "the package does not say whether its curators searched for official statements, so an incident without "
            'an official account reads "no official account recorded", never as the operator\'s silence',
            f'if you searched, declare it in datapackage.json as {_EXAMPLE}; if not, declare "searched": false',
            "caveat",
        )
    ]
