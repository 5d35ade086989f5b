"""Turn each account's claim on each compared attribute into small integer codes the comparison aggregates.

An account *claims* a value on an attribute when the value is something other than ``unknown``
or ``not_stated`` (for counts: when the ``*_claim`` column says ``figure``). Every claim becomes:

- ``lo`` and ``hi``: an integer range, for the attributes compared as ranges. Two claims fit
  together when their ranges overlap. A count's range is its low and high figures (a missing bound
  falls back to the best figure, then to the other bound, so a single figure is the range
  [best, best]); a category and a date are single points (a code for the word, the day), so they
  fit only when equal. A place is the point of its country (after :func:`normalise_words`): two
  places fit unless both name a country and the countries differ; a claim without a country has
  no range and fits any place. Place texts within one country are shown side by side, not judged:
  free-text descriptions of one place ("Latakia province, on the Syrian side of the border",
  "Turkmen Mountains, Latakia province") cannot be compared reliably.
- Texts (responsible party, aircraft) have no range: they are compared pair by pair
  (:mod:`ddj.compare.pairs`) with :func:`words_fit`, once per distinct pair of values.
- ``vkey``: an integer that identifies the value as people read it and orders it (words and texts
  alphabetically, numbers by size, dates by day, places by country then place);
  :attr:`Encoder.render` turns it back into text: ``technical_failure``, ``5``, ``3–5``,
  ``2016-08-01``, ``Syria: near Saraqib``.

Text is read through a :class:`Codebook` of the column's distinct values, so it is normalised once
per distinct value, not once per row. :attr:`Encoder.codes` turns an account's raw columns into
code columns once; the other expressions read only those codes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from polars.datatypes import IntegerType

from ddj.model import COMPARED_ATTRIBUTES, NO_CLAIM, Attribute

_PAIR = 1 << 32  # a count's vkey packs its range as lo * _PAIR + hi

ATTRIBUTE_DTYPE = pl.Enum([a.name for a in COMPARED_ATTRIBUTES])
"""The dtype of the comparison's ``attribute`` columns: an Enum of the compared attributes' names, in the
model's order (so sorting by it sorts in display order)."""
LABEL_DTYPE = pl.Enum([a.label for a in COMPARED_ATTRIBUTES])
"""The dtype of the comparison's ``label`` column: an Enum of the attributes' labels, in the model's order."""


def normalise_text(expr: pl.Expr) -> pl.Expr:
    """Lower case, runs of white space as one space, no space at the ends: how texts are compared.

    Examples
    --------
    >>> pl.select(normalise_text(pl.lit("  Turkish   Air Force "))).item()
    'turkish air force'

    Two accounts that write a party's name with other capitals or spacing name the same party.
    """
    return expr.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


_SEPARATORS = r"[\s\-/.,()]+"


def normalise_words(expr: pl.Expr) -> pl.Expr:
    """Lower case, with white space, ``-``, ``/``, ``.``, ``,`` and parentheses as separators, written as
    one space (none at the ends): how claimed texts and places are compared. The words are the pieces
    between separators.

    Examples
    --------
    >>> pl.select(normalise_words(pl.lit(" Abu Kamal (Al-Bukamal) "))).item()
    'abu kamal al bukamal'

    Other capitals, spacing or punctuation between the same words write the same name.
    """
    return expr.str.to_lowercase().str.replace_all(_SEPARATORS, " ").str.strip_chars()


def words_fit(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Whether two texts normalised by :func:`normalise_words` can name the same thing.

    They fit when one is the other less specific:

    - the words of one appear, whole and in order, as a run of words in the other ("syrian air
      defence" in "syrian air defence forces"; "mi 8" in "mi 8 two aircraft"), equal texts included;
    - or the shorter is the start of the longer, ends with a digit, and the longer goes on with a
      letter at that point: a type designation with its variant suffix ("mi 8" and "mi 8amtsh",
      "su 24" and "su 24m", "f 15" and "f 15e").

    Anything else contradicts: "israel" and "syrian air defence"; "mi 8" and "mi 28n" (different
    words); "mi 2" and "mi 24" (the number goes on, it is another type); "syria" and "syrian
    opposition" ("syria" ends with a letter, so it is no designation).

    Examples
    --------
    >>> pairs = pl.DataFrame({
    ...     "a": ["mi 8", "su 24", "syrian air defence", "israel", "mi 8"],
    ...     "b": ["mi 8amtsh", "su 24m", "syrian air defence forces", "syrian air defence", "mi 28n"],
    ... })
    >>> pairs.select(words_fit(pl.col("a"), pl.col("b"))).to_series().to_list()
    [True, True, True, False, False]

    A less specific name fits a more specific one; different names do not.
    """
    return _within(a, b) | _within(b, a) | _variant(a, b) | _variant(b, a)


def _within(short: pl.Expr, long: pl.Expr) -> pl.Expr:
    """The words of ``short`` are a run of whole words of ``long``."""
    return (pl.lit(" ") + long + pl.lit(" ")).str.contains(pl.lit(" ") + short + pl.lit(" "), literal=True)


def _variant(short: pl.Expr, long: pl.Expr) -> pl.Expr:
    """``long`` is ``short`` (ending with a digit) followed by a letter and more: a designation's variant."""
    follows = long.str.slice(short.str.len_chars(), 1)
    return long.str.starts_with(short) & short.str.contains(r"[0-9]$") & follows.str.contains(r"^\p{L}")


@dataclass(frozen=True)
class Codebook:
    """The distinct values of one text column, with the codes the comparison reads them by.

    A cell's *index* points into ``values`` (the distinct texts without surrounding spaces,
    sorted). ``claims`` says which values are claims (not unknown, not_stated or empty), ``keys``
    gives each value the code of its normalised form (equal keys compare equal) and ``norms`` the
    normalised text itself (from the ``normalise`` function given to :meth:`build`).
    """

    column: str
    dtype: pl.Enum
    position: pl.Series
    values: pl.Series
    claims: pl.Series
    keys: pl.Series
    norms: pl.Series

    @classmethod
    def build(
        cls, frame: pl.DataFrame, column: str, *, normalise: Callable[[pl.Expr], pl.Expr] | None = normalise_text
    ) -> Codebook:
        """The codebook of ``frame[column]``, texts normalised by ``normalise`` (:func:`normalise_text`, case
        and spaces, unless told otherwise); ``normalise=None`` compares the texts exactly (vocabulary words).

        Parameters
        ----------
        frame : polars.DataFrame
            The accounts (or any frame) holding the column.
        column : str
            The name of the text or Enum column to encode.
        normalise : callable or None, default normalise_text
            A function from a polars expression of the texts to the expression of their comparison form; two
            values with the same form share a key. None keeps the texts as they are.

        Examples
        --------
        >>> book = Codebook.build(pl.DataFrame({"p": ["Israel", " israel", "not_stated"]}), "p")
        >>> book.values.to_list(), book.keys.to_list(), book.claims.to_list()
        (['Israel', 'israel', 'not_stated'], [0, 0, 1], [True, True, False])

        Two spellings of one name share a key; ``not_stated`` is no claim. A column that is already an
        Enum (a vocabulary column of a loaded dataset) is read through its own categories.
        """
        series = frame.get_column(column)
        if isinstance(series.dtype, pl.Enum):
            dtype = series.dtype
            raw = pl.Series(column, dtype.categories, dtype=pl.String)  # in the order of the physical codes
        else:
            raw = series.drop_nulls().unique().sort()
            dtype = pl.Enum(raw)
        stripped = raw.str.strip_chars()
        values = stripped.unique().sort()
        position = stripped.to_frame("v").join(
            values.to_frame("v").with_row_index("i"), on="v", how="left", maintain_order="left"
        )["i"]
        norms = values.to_frame("v").select(normalise(pl.col("v")) if normalise else pl.col("v"))["v"]
        keys = (norms.rank("dense").cast(pl.Int64) - 1).fill_null(-1)
        claims = ~norms.is_in(list(NO_CLAIM)) & (norms != "")
        return cls(column, dtype, position.cast(pl.UInt32), values, claims, keys, norms)

    def index(self, column: str | None = None) -> pl.Expr:
        """Each row's index into :attr:`values` (null for an empty cell), read from the raw column."""
        return pl.lit(self.position).gather(pl.col(column or self.column).cast(self.dtype).to_physical())

    def claim(self, index: pl.Expr) -> pl.Expr:
        """Whether the value at each ``index`` is a claim (not for ``not_stated`` and the like, nor an empty cell)."""
        return pl.lit(self.claims).gather(index).fill_null(False)

    def key(self, index: pl.Expr) -> pl.Expr:
        """The comparison key of the value at each ``index``: equal for spellings that normalise alike."""
        return pl.lit(self.keys).gather(index)


@dataclass(frozen=True)
class Encoder:
    """How one attribute's claims are read.

    ``codes`` maps code-column names to expressions over the raw account columns; every other
    expression reads those code columns: ``claim`` (Boolean), ``lo``/``hi`` (Int64 range, null for a
    place without a country; None for texts), ``vkey`` (Int64, see the module notes) and ``ident``
    (equal for two claims that say the same thing after normalisation). ``word`` reads the raw
    columns: the account's own words, shown when it makes no claim. ``render`` maps vkeys to text;
    for texts, ``compatible(a, b)`` says whether the claims with vkeys ``a`` and ``b`` can both be true.
    """

    attribute: Attribute
    codes: dict[str, pl.Expr]
    claim: pl.Expr
    lo: pl.Expr | None
    hi: pl.Expr | None
    vkey: pl.Expr
    ident: pl.Expr
    render: Callable[[pl.Expr], pl.Expr]
    word: pl.Expr
    compatible: Callable[[pl.Expr, pl.Expr], pl.Expr] | None = None


def encoders(accounts: pl.DataFrame) -> list[Encoder]:
    """One :class:`Encoder` per compared attribute, in :data:`ddj.model.COMPARED_ATTRIBUTES` order.

    The codebooks are built from ``accounts`` (all of them, current or superseded), so the
    encoders can read any of its rows.
    """
    return [encoder(accounts, attribute) for attribute in COMPARED_ATTRIBUTES]


def encoder(accounts: pl.DataFrame, attribute: Attribute) -> Encoder:
    """The :class:`Encoder` of one compared attribute, its codebooks built from ``accounts`` (which need hold
    only that attribute's columns).
    """
    return _ENCODERS[attribute.kind](accounts, attribute)


def code_columns(encs: list[Encoder]) -> list[pl.Expr]:
    """The expressions that add every encoder's code columns to an accounts frame."""
    return [expr.alias(name) for enc in encs for name, expr in enc.codes.items()]


def _name(attribute: Attribute, part: str) -> str:
    return f"_{attribute.name}_{part}"


def _category(accounts: pl.DataFrame, attribute: Attribute) -> Encoder:
    (column,) = attribute.columns
    book = Codebook.build(accounts, column, normalise=None)
    name = _name(attribute, "ix")
    index = pl.col(name)
    key = book.key(index)
    values = book.values
    return Encoder(
        attribute,
        codes={name: book.index()},
        claim=book.claim(index),
        lo=key,
        hi=key,
        vkey=index.cast(pl.Int64),
        ident=key,
        render=lambda vkey: pl.lit(values).gather(vkey),
        word=pl.col(column).cast(pl.String).str.strip_chars(),
    )


def _text(accounts: pl.DataFrame, attribute: Attribute) -> Encoder:
    (column,) = attribute.columns
    book = Codebook.build(accounts, column, normalise=normalise_words)
    name = _name(attribute, "ix")
    index = pl.col(name)
    values, norms = book.values, book.norms

    def compatible(a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return words_fit(pl.lit(norms).gather(a), pl.lit(norms).gather(b))

    return Encoder(
        attribute,
        codes={name: book.index()},
        claim=book.claim(index),
        lo=None,
        hi=None,
        vkey=index.cast(pl.Int64),
        ident=book.key(index),
        render=lambda vkey: pl.lit(values).gather(vkey),
        word=pl.col(column).str.strip_chars(),
        compatible=compatible,
    )


def _date(accounts: pl.DataFrame, attribute: Attribute) -> Encoder:
    (column,) = attribute.columns
    book = Codebook.build(accounts, column, normalise=None)
    days = book.values.str.strptime(pl.Date, "%Y-%m-%d", strict=False).cast(pl.Int32)
    name = _name(attribute, "day")
    day = pl.col(name)

    def render(vkey: pl.Expr) -> pl.Expr:
        return vkey.cast(pl.Int32).cast(pl.Date).dt.strftime("%Y-%m-%d")

    return Encoder(
        attribute,
        codes={name: pl.lit(days).gather(book.index())},
        claim=day.is_not_null(),
        lo=day,
        hi=day,
        vkey=day.cast(pl.Int64),
        ident=day.cast(pl.Int64),
        render=render,
        word=pl.col(column),
    )


def _count(accounts: pl.DataFrame, attribute: Attribute) -> Encoder:
    claim_col, low, best, high = attribute.columns
    figure = pl.col(claim_col) == "figure"
    lo_name, hi_name = _name(attribute, "lo"), _name(attribute, "hi")
    lo, hi = pl.col(lo_name), pl.col(hi_name)

    def render(vkey: pl.Expr) -> pl.Expr:
        first, last = vkey // _PAIR, vkey % _PAIR
        return (
            pl.when(first == last)
            .then(first.cast(pl.String))
            .otherwise(pl.concat_str([first.cast(pl.String), pl.lit("–"), last.cast(pl.String)]))
        )

    vkey = lo.cast(pl.Int64) * _PAIR + hi.cast(pl.Int64)
    return Encoder(
        attribute,
        codes={  # Int32 is plenty for a count and halves the memory of the working frame
            # The lowest and highest figure given: the same as (low, high) for figures in order, and a range
            # that still holds every number for a monitor's figures published out of order (kept as a caveat).
            lo_name: pl.when(figure).then(_extreme(accounts, (low, best, high), least=True)).cast(pl.Int32),
            hi_name: pl.when(figure).then(_extreme(accounts, (low, best, high), least=False)).cast(pl.Int32),
        },
        claim=lo.is_not_null(),
        lo=lo,
        hi=hi,
        vkey=vkey,
        ident=vkey,
        render=render,
        word=pl.col(claim_col).cast(pl.String),
    )


def _extreme(accounts: pl.DataFrame, columns: tuple[str, ...], *, least: bool) -> pl.Expr:
    """The least (or greatest) of the ``columns`` in each row, empty cells left out; null where all are empty.

    Integer cells are filled with the type's extreme first: ``min_horizontal`` over nulls took twice as long
    (68 against 32 ms a column at a million incidents, one thread, December 2026).

    Examples
    --------
    >>> frame = pl.DataFrame({"a": [3, None, None], "b": [1, 5, None]})
    >>> frame.select(_extreme(frame, ("a", "b"), least=True)).to_series().to_list()
    [1, 5, None]
    """
    dtypes = [accounts.schema[name] for name in columns]
    integers = [dtype for dtype in dtypes if isinstance(dtype, IntegerType)]
    if len(integers) < len(columns):
        return pl.min_horizontal(columns) if least else pl.max_horizontal(columns)
    filled = [
        pl.col(name).fill_null(dtype.max() if least else dtype.min())
        for name, dtype in zip(columns, integers, strict=True)
    ]
    given = pl.any_horizontal(pl.col(name).is_not_null() for name in columns)
    return pl.when(given).then(pl.min_horizontal(filled) if least else pl.max_horizontal(filled))


def _place(accounts: pl.DataFrame, attribute: Attribute) -> Encoder:
    country_col, place_col = attribute.columns
    country = Codebook.build(accounts, country_col, normalise=normalise_words)
    place = Codebook.build(accounts, place_col, normalise=normalise_words)
    c_name, p_name = _name(attribute, "country"), _name(attribute, "place")
    # Index 0 stands for "no claim on this part"; a claimed value is 1 + its index, so vkeys sort by text.
    c_index = pl.when(country.claim(pl.col(c_name))).then(pl.col(c_name).cast(pl.Int64) + 1).otherwise(0)
    p_index = pl.when(place.claim(pl.col(p_name))).then(pl.col(p_name).cast(pl.Int64) + 1).otherwise(0)
    width = place.values.len() + 1
    countries = pl.concat([pl.Series([None], dtype=pl.String), country.values])
    places = pl.concat([pl.Series([None], dtype=pl.String), place.values])
    country_keys = pl.concat([pl.Series([-1], dtype=pl.Int64), country.keys])
    place_keys = pl.concat([pl.Series([-1], dtype=pl.Int64), place.keys])
    # The country is the range: a point (its normalised key), none when the claim names no country.
    country_point = pl.when(c_index > 0).then(pl.lit(country_keys).gather(c_index))

    def render(vkey: pl.Expr) -> pl.Expr:
        c_text = pl.lit(countries).gather(vkey // width)
        p_text = pl.lit(places).gather(vkey % width)
        return pl.concat_str([c_text, p_text], separator=": ", ignore_nulls=True)

    return Encoder(
        attribute,
        codes={c_name: country.index(), p_name: place.index()},
        claim=country.claim(pl.col(c_name)) | place.claim(pl.col(p_name)),
        lo=country_point,
        hi=country_point,
        vkey=c_index * width + p_index,
        ident=pl.lit(country_keys).gather(c_index) * width + pl.lit(place_keys).gather(p_index),
        render=render,
        word=pl.concat_str([pl.col(country_col), pl.col(place_col)], separator=": "),
    )


_ENCODERS: dict[str, Callable[[pl.DataFrame, Attribute], Encoder]] = {
    "category": _category,
    "text": _text,
    "date": _date,
    "count": _count,
    "place": _place,
}
