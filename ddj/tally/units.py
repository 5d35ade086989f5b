"""What a tally counts, in words: equipment items or people, as the dataset's ``ddj.unit`` block declares.

A tally need not be about equipment. A package declares its unit in ``datapackage.json``::

    "ddj": {"kind": "tally", "unit": {"noun": "people", "losses": "deaths",
                                      "evidence": "by name in a documented list"}}

Pages, charts and the command line take their wording from it. A package without the block is an equipment tally
(Oryx's kind of count), and gets the wording such packages always had.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ddj.errors import UnusableDataError

if TYPE_CHECKING:
    from ddj.datasets import Dataset

_KEYS = ("noun", "losses", "evidence")


@dataclass(frozen=True)
class Unit:
    """The words for what a tally counts: ``noun`` (items, people), ``losses`` (losses, deaths), ``evidence``."""

    noun: str = "items"
    losses: str = "losses"
    evidence: str = "with photo or video evidence"


#: The wording of a package that declares no unit: an equipment tally.
EQUIPMENT = Unit()


def unit(ds: Dataset) -> Unit:
    """The unit a tally dataset declares under ``ddj.unit`` (equipment wording when it declares none).

    Parameters
    ----------
    ds
        A loaded dataset (anything with a ``descriptor``).

    Returns
    -------
    Unit
        The declared words, each defaulting to the equipment wording.

    Raises
    ------
    UnusableDataError
        When ``ddj.unit`` is not an object of strings with the keys ``noun``, ``losses``, ``evidence``.

    Examples
    --------
    >>> class Package:
    ...     descriptor = {"ddj": {"unit": {"noun": "people", "losses": "deaths"}}}
    >>> unit(Package()).losses
    'deaths'
    """
    block = ((getattr(ds, "descriptor", None) or {}).get("ddj") or {}).get("unit")
    if block is None:
        return EQUIPMENT
    wrong = (
        [k for k, v in block.items() if k not in _KEYS or not isinstance(v, str) or not v.strip()]
        if isinstance(block, dict)
        else ["(the block)"]
    )
    if wrong:
        msg = (
            f"datapackage.json: ddj.unit has {', '.join(repr(k) for k in wrong)} that is not one of "
            f"{', '.join(_KEYS)} with a non-empty text. Write it as "
            '{"noun": "people", "losses": "deaths", "evidence": "by name in a documented list"}.'
        )
        raise UnusableDataError(msg)
    return Unit(**{k: block[k].strip() for k in block})
