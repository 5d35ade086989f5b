r"""One source, however the export spells it: Unicode spaces, mojibake and run-together words set aside.

Monitors' exports spell one outlet many ways: ``Euromaidan Press`` with a non-breaking space,
``EuromaidanPress``, ``Euromaidan Press`` and, after a round trip through Windows-1252,
``Ð£ÐºÑ€Ð°Ñ—Ð½ÑÑŒÐºÐ° Ð¿Ñ€Ð°Ð²Ð´Ð°`` for ``Українська правда``. :func:`clean_name` repairs what can be repaired
(Unicode compatibility forms, mojibake, runs of spaces); :func:`name_key` is what two names must share to be one
source: the cleaned name without case and without anything but letters and digits.

Examples
--------
>>> clean_name("Euromaidan\u00a0Press"), clean_name("Ukrainska Pravda (Ð£ÐºÑ€Ð°Ñ—Ð½Ð°)")
('Euromaidan Press', 'Ukrainska Pravda (Україна)')
>>> name_key("EuromaidanPress") == name_key("Euromaidan\u00a0Press") == name_key(" euromaidan-press ")
True

Three spellings of one outlet have one key, so they are one source, not three independent ones.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from ddj.importers._common import ImportLog

_MOJIBAKE = re.compile("[ÃÂÐÑØÙ][\u0080-\u00ff\u0152-\u0192\u02c6-\u02dc\u2013-\u203a\u20ac\u2122]|â€")


def _unmangle(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 (or Latin-1), once or twice, when that gives fewer telltale pairs."""
    for _ in range(2):
        if not _MOJIBAKE.search(text):
            break
        for codec in ("cp1252", "latin-1"):
            try:
                fixed = text.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if len(_MOJIBAKE.findall(fixed)) < len(_MOJIBAKE.findall(text)):
                text = fixed
                break
        else:
            break
    return text


def clean_name(name: str | None) -> str:
    """The name with compatibility characters (non-breaking spaces...) and mojibake repaired, spaces collapsed."""
    if name is None:
        return ""
    text = unicodedata.normalize("NFKC", _unmangle(name))
    return re.sub(r"\s+", " ", text.replace("\u200b", "")).strip()


def name_key(name: str | None) -> str:
    """What two spellings of one source share: the cleaned name, case-folded, letters and digits only."""
    text = unicodedata.normalize("NFKD", clean_name(name).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", text.replace("&", "and"))


def words_key(name: str | None) -> str:
    """Like :func:`name_key` but keeping word breaks and spelling ``defense`` as ``defence`` (the officials table)."""
    text = unicodedata.normalize("NFKD", clean_name(name).casefold().replace("&", " and "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[’'`´]", "", text)
    text = re.sub(r"[\W_]+", " ", text).strip()
    text = re.sub(r"\bdefense\b", "defence", text)
    return re.sub(r"^the ", "", text)


def cleaned(names: pl.Series) -> pl.DataFrame:
    """``name`` (as written), ``clean`` and ``key`` for each distinct name of ``names`` (one call per distinct name)."""
    distinct = names.drop_nulls().unique(maintain_order=True)
    return pl.DataFrame(
        {
            "name": distinct,
            "clean": [clean_name(n) for n in distinct.to_list()],
            "key": [name_key(n) for n in distinct.to_list()],
        },
        schema={"name": pl.String, "clean": pl.String, "key": pl.String},
    )


_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def repair_columns(frame: pl.DataFrame, columns: tuple[str, ...], log: ImportLog | None = None) -> pl.DataFrame:
    """Repair the names in ``columns`` (``;``-separated lists) with :func:`clean_name`, once per distinct value,
    then remove control characters from every text column; the count of repaired values goes to ``log``.
    """
    repaired = 0
    for column in columns:
        if column not in frame.columns:
            continue
        values = frame[column].drop_nulls().unique().to_list()
        mapping = {v: "; ".join(p for p in (clean_name(x) for x in v.split(";")) if p) for v in values}
        changed = {k: v for k, v in mapping.items() if k != v and _MOJIBAKE.search(k)}
        repaired += len(changed)
        frame = frame.with_columns(pl.col(column).replace(mapping))
    text = [c for c, t in frame.schema.items() if t == pl.String]
    frame = frame.with_columns([pl.col(c).str.replace_all(_CONTROL, "") for c in text])
    if repaired and log is not None:
        log.changes.append(
            f"repaired {repaired} source list(s) garbled by a wrong encoding (mojibake, e.g. 'Ã©' for 'é')"
        )
    return frame
