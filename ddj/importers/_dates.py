"""Read the dates of a monitor's export in every form real exports use, and decide day/month order per file.

Real ACLED and UCDP files carry dates as ``2014-01-22``, ``2014-01-22T00:00:00``, ``2016-08-01 00:00:00.000``,
``28 December 2022``, ``01-January-2015``, ``9-May-20``, ``31-12-19``, ``14/08/2020 00:00:00`` and
``1/22/2014 12:00:00 AM``. A time of day is dropped (the model keeps days). A written month name or a
four-digit year first is unambiguous; an all-number date (``03/04/2020``) is day first or month first, and the
order is decided **per file, from the file itself**: the rows where only one order gives a real date (a first
number above 12 is a day; a second number above 12 is a day). A file with rows of both kinds (an Excel-saved
file that mixed them) or with no deciding row at all is refused, naming the rows, unless ``--date-format``
says how to read it. A two-digit year takes its century from the file's ``year`` column.

All numbers with a two-digit year (``24-03-05``, ``05/03/24``) may also put the year **first** (``YY-MM-DD``).
Where the year goes is decided per file too, before the day/month order, from the rows where only one place
gives a real date in the ``year`` column's year (``31-12-19`` cannot be 1931 or 2031; ``05/03/24`` with year
2024 is year last; ``24-03-05`` with year 2024 is year first). Rows of both kinds, or rows that could be either
and none that decides, are refused, naming the rows and offering ``--date-format '%y-%m-%d'`` (year first) or
``'%d-%m-%y'``/``'%m-%d-%y'``. A four-digit year written first (``2024/3/5``) is always year-month-day.

Every date is then checked against the ``year`` column both codebooks carry, and a date before 1946 or after
today is an error, never data.

Examples
--------
>>> frame = pl.DataFrame({"event_date": ["31-12-19", "01-02-19", "28 December 2022"], "year": ["2019", "2019", "2022"]})
>>> read = read_dates(frame.with_row_index("source_row", offset=2), ["event_date"], file="k.csv")
>>> [str(d) for d in read.frame["_event_date"]], read.order
(['2019-12-31', '2019-02-01', '2022-12-28'], 'day first')

Row 2 can only be day first (there is no 31st month), so row 3's ``01-02-19`` is 1 February.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ddj.errors import DateOrderError

#: The earliest date an import accepts: conflict-event datasets start after the Second World War.
EARLIEST = dt.date(1946, 1, 1)
_MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_TIME = r"(?:[T ]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
_NUMERIC = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{1,2})$"
_ISO = r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"
_DAY_NAME = r"^(\d{1,2})[-/ .]+([A-Za-z]{3,})\.?[-/ ,.]+(\d{4}|\d{2})$"
_NAME_DAY = r"^([A-Za-z]{3,})\.?[-/ .]+(\d{1,2})(?:st|nd|rd|th)?,?[-/ .]+(\d{4}|\d{2})$"
DAY_FIRST, MONTH_FIRST = "%d/%m/%Y", "%m/%d/%Y"
#: The order a file of two-digit years written first (``24-03-05``) is read in.
YEAR_FIRST = "year first (YY-MM-DD)"


@dataclass
class DateRead:
    """The frame with a ``_<column>`` date per column read, the order used and what was inferred."""

    frame: pl.DataFrame
    order: str | None = None
    decided_by: tuple[int, ...] = ()
    forms: dict[str, int] = field(default_factory=dict)
    two_digit_years: int = 0
    checks: list = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What was inferred, for the import's summary (``ddj.import.summary.dates``)."""
        return {
            "order": self.order,
            "decided_by_rows": list(self.decided_by),
            "forms": self.forms,
            "two_digit_years": self.two_digit_years,
        }

    def changes(self) -> list[str]:
        """What reading the dates changed, in words, for the import's summary of changes."""
        lines = []
        if self.order:
            lines.append(
                f"read all-number dates {self.order}"
                + (
                    f" (decided by row(s) {', '.join(map(str, self.decided_by))}, where only that order gives a date)"
                    if self.decided_by
                    else ""
                )
            )
        if self.two_digit_years:
            lines.append(f"took the century of {self.two_digit_years} two-digit year(s) from the year column")
        return lines


def _rows(frame: pl.DataFrame, mask: pl.Expr, limit: int = 8) -> list[int]:
    return frame.filter(mask)["source_row"].head(limit).to_list()


def _listed(rows: list[int], total: int) -> str:
    text = ", ".join(str(r) for r in rows)
    return text + (f" and {total - len(rows)} more" if total > len(rows) else "")


def _assemble(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    return pl.format(
        "{}-{}-{}",
        year.cast(pl.String).str.zfill(4),
        month.cast(pl.String).str.zfill(2),
        day.cast(pl.String).str.zfill(2),
    ).str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def _full_year(short: pl.Expr, year_hint: pl.Expr) -> pl.Expr:
    """A two-digit year made whole: the ``year`` column's century when it ends in those digits, else 19xx/20xx."""
    pivot = dt.date.today().year % 100
    guess = pl.when(short <= pivot).then(short + 2000).otherwise(short + 1900)
    return pl.when(year_hint.is_not_null() & (year_hint % 100 == short)).then(year_hint).otherwise(guess)


def _in_range(date: pl.Expr, today: dt.date) -> pl.Expr:
    return date.is_not_null() & (date >= pl.lit(EARLIEST)) & (date <= pl.lit(today))


def _year_place(
    work: pl.DataFrame,
    parts: dict[str, dict[str, pl.Expr]],
    columns: list[str],
    *,
    file: str,
    option: str,
    today: dt.date,
) -> tuple[bool, tuple[int, ...]]:
    """Whether the file's all-number dates put a two-digit year first, decided by the rows only one place fits.

    A place fits a row when it gives a real date from 1946 to today in the ``year`` column's year (any year when
    there is no such column). Returns (year first, the deciding rows); raises when the rows disagree or when
    some row could be read either way and none decides.
    """
    last = {
        c: p["last_fits"] & (_in_range(pl.col(f"__dmy_{c}"), today) | _in_range(pl.col(f"__mdy_{c}"), today))
        for c, p in parts.items()
    }
    first = {c: p["first_fits"] & _in_range(pl.col(f"__ymd_{c}"), today) for c, p in parts.items()}
    differ = {
        c: (pl.col(f"__ymd_{c}") != pl.coalesce(pl.col(f"__dmy_{c}"), pl.col(f"__mdy_{c}"))).fill_null(True)
        for c in parts
    }
    only_first = pl.any_horizontal([first[c] & ~last[c] for c in columns])
    only_last = pl.any_horizontal([last[c] & ~first[c] & parts[c]["ymd"].is_not_null() for c in columns])
    either = pl.any_horizontal([first[c] & last[c] & differ[c] for c in columns])
    counts = work.select(only_first.sum().alias("f"), only_last.sum().alias("l"), either.sum().alias("e")).row(0)
    n_first, n_last, n_either = (int(x or 0) for x in counts)
    if not n_first and not n_either:
        return False, ()
    where = f"{file}, column '{columns[0]}'" if len(columns) == 1 else f"{file}, columns {', '.join(columns)}"
    sample = (
        work.filter(either if n_either else only_first)
        .select(pl.coalesce([pl.col(f"__day_{c}") for c in columns]))
        .to_series()
    )
    sep = next((ch for ch in (sample[0] or "") if ch in "-/."), "-")
    options = (
        f"{option} '%y{sep}%m{sep}%d' (year first) or {option} '%d{sep}%m{sep}%y' (day first, year last) or "
        f"{option} '%m{sep}%d{sep}%y' (month first, year last)"
    )
    if n_first and n_last:
        f_rows, l_rows = _rows(work, only_first), _rows(work, only_last)
        msg = (
            f"{where}: the two-digit years are not in one place: row(s) {_listed(f_rows, n_first)} can only "
            f"put the year first (YY-MM-DD), row(s) {_listed(l_rows, n_last)} only last"
            + (f", and {n_either} row(s) could be either" if n_either else "")
            + f". Export the dates again as YYYY-MM-DD, or pass {options} and correct the rows it does not fit."
        )
        raise DateOrderError(msg, file=file, column=columns[0], rows=tuple(f_rows + l_rows))
    if n_first:
        return True, tuple(_rows(work, only_first, 5))
    if n_last:
        return False, tuple(_rows(work, only_last, 5))
    rows = _rows(work, either)
    msg = (
        f"{where}: cannot tell whether the two-digit year comes first (YY-MM-DD) or last: row(s) "
        f"{_listed(rows, n_either)} give a real date either way (e.g. {sample[0]!r}) and no row decides. "
        f"Pass {options}."
    )
    raise DateOrderError(msg, file=file, column=columns[0], rows=tuple(rows))


def read_dates(
    frame: pl.DataFrame,
    columns: list[str],
    *,
    file: str,
    year_column: str = "year",
    year_of: str | None = None,
    date_format: str | None = None,
    option: str = "--date-format",
    today: dt.date | None = None,
) -> DateRead:
    """Add ``_<column>`` (a date) for each of ``columns``; decide the day/month order once for all of them.

    ``year_of`` names the column whose year must equal ``year_column`` (default: the first column).
    ``date_format`` (a strptime format such as ``%d/%m/%Y``) reads the all-number dates instead of deciding.
    The returned ``checks`` (unreadable, other year, before 1946, after today) are to be run with the file's
    other row checks so every problem is named at once.

    Raises
    ------
    DateOrderError
        All-number dates of both orders, or none that decides, and no ``date_format``.
    """
    from ddj.datasets.tableschema import make_check

    today = today or dt.date.today()
    year_of = year_of or columns[0]
    hint = (
        pl.col(year_column).str.strip_chars().cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
        if year_column in frame.columns
        else pl.lit(None, pl.Int64)
    )
    parts: dict[str, dict[str, pl.Expr]] = {}
    work = frame
    for c in columns:
        raw = pl.col(c).str.strip_chars()
        day_part = raw.str.replace(_TIME, "").str.strip_chars()
        num = day_part.str.extract_groups(_NUMERIC)
        iso = day_part.str.extract_groups(_ISO)
        dn = day_part.str.extract_groups(_DAY_NAME)
        nd = day_part.str.extract_groups(_NAME_DAY)
        work = work.with_columns(
            num.alias(f"__num_{c}"),
            iso.alias(f"__iso_{c}"),
            dn.alias(f"__dn_{c}"),
            nd.alias(f"__nd_{c}"),
            day_part.alias(f"__day_{c}"),
        )
        a = pl.col(f"__num_{c}").struct.field("1").cast(pl.Int64)
        b = pl.col(f"__num_{c}").struct.field("2").cast(pl.Int64)
        y_text = pl.col(f"__num_{c}").struct.field("3")
        y_len = y_text.str.len_chars()
        # Year last: a four- or two-digit third number; year first: a two-digit first number and a short third.
        y = (
            pl.when(y_len == 2)
            .then(_full_year(y_text.cast(pl.Int64), hint))
            .when(y_len == 4)
            .then(y_text.cast(pl.Int64))
        )
        y_first = pl.when((pl.col(f"__num_{c}").struct.field("1").str.len_chars() == 2) & (y_len <= 2)).then(
            _full_year(a, hint)
        )
        month_name = pl.coalesce(pl.col(f"__dn_{c}").struct.field("2"), pl.col(f"__nd_{c}").struct.field("1"))
        month = (
            month_name.str.to_lowercase().str.slice(0, 3).replace_strict(_MONTHS, default=None, return_dtype=pl.Int64)
        )
        named_day = pl.coalesce(pl.col(f"__dn_{c}").struct.field("1"), pl.col(f"__nd_{c}").struct.field("2")).cast(
            pl.Int64
        )
        named_y_text = pl.coalesce(pl.col(f"__dn_{c}").struct.field("3"), pl.col(f"__nd_{c}").struct.field("3"))
        named_y = (
            pl.when(named_y_text.str.len_chars() == 2)
            .then(_full_year(named_y_text.cast(pl.Int64), hint))
            .otherwise(named_y_text.cast(pl.Int64))
        )
        iso_date = _assemble(
            pl.col(f"__iso_{c}").struct.field("1").cast(pl.Int64),
            pl.col(f"__iso_{c}").struct.field("2").cast(pl.Int64),
            pl.col(f"__iso_{c}").struct.field("3").cast(pl.Int64),
        )
        parts[c] = {
            "raw": raw,
            "dmy": _assemble(y, b, a),
            "mdy": _assemble(y, a, b),
            "ymd": _assemble(y_first, b, y_text.cast(pl.Int64)),
            "last_fits": y.is_not_null() & (hint.is_null() | (y == hint)),
            "first_fits": y_first.is_not_null() & (hint.is_null() | (y_first == hint)),
            "numeric": pl.col(f"__num_{c}").struct.field("1").is_not_null(),
            "fixed": pl.coalesce(iso_date, _assemble(named_y, month, named_day)),
            "two_digit": (y_len == 2) | (named_y_text.str.len_chars() == 2),
            "iso": pl.col(f"__iso_{c}").struct.field("1").is_not_null(),
            "named": month.is_not_null(),
        }
    work = work.with_columns(
        *[p["dmy"].alias(f"__dmy_{c}") for c, p in parts.items()],
        *[p["mdy"].alias(f"__mdy_{c}") for c, p in parts.items()],
        *[p["fixed"].alias(f"__fixed_{c}") for c, p in parts.items()],
        *[p["ymd"].alias(f"__ymd_{c}") for c, p in parts.items()],
    )
    order: str | None = None
    decided: tuple[int, ...] = ()
    year_first = False
    if date_format is None:
        year_first, decided = _year_place(work, parts, columns, file=file, option=option, today=today)
        order = YEAR_FIRST if year_first else None
    if date_format is None and not year_first:
        only_dmy = pl.any_horizontal(
            [pl.col(f"__dmy_{c}").is_not_null() & pl.col(f"__mdy_{c}").is_null() for c in columns]
        )
        only_mdy = pl.any_horizontal(
            [pl.col(f"__mdy_{c}").is_not_null() & pl.col(f"__dmy_{c}").is_null() for c in columns]
        )
        either = pl.any_horizontal(
            [
                pl.col(f"__mdy_{c}").is_not_null()
                & pl.col(f"__dmy_{c}").is_not_null()
                & (pl.col(f"__mdy_{c}") != pl.col(f"__dmy_{c}"))
                for c in columns
            ]
        )
        counts = work.select(only_dmy.sum().alias("d"), only_mdy.sum().alias("m"), either.sum().alias("e")).row(0)
        n_dmy, n_mdy, n_either = (int(x or 0) for x in counts)
        where = f"{file}, column '{columns[0]}'" if len(columns) == 1 else f"{file}, columns {', '.join(columns)}"
        options = f"{option} '{DAY_FIRST}' (day first) or {option} '{MONTH_FIRST}' (month first)"
        if n_dmy and n_mdy:
            d_rows, m_rows = _rows(work, only_dmy), _rows(work, only_mdy)
            msg = (
                f"{where}: the dates mix both orders (an Excel-saved file?): row(s) {_listed(d_rows, n_dmy)} can "
                f"only be day first, row(s) {_listed(m_rows, n_mdy)} only month first"
                + (f", and {n_either} row(s) could be either" if n_either else "")
                + f". Export the dates again as YYYY-MM-DD, or pass {options} and correct the rows it does not fit."
            )
            raise DateOrderError(msg, file=file, column=columns[0], rows=tuple(d_rows + m_rows))
        if n_dmy or n_mdy:
            order = "day first" if n_dmy else "month first"
            decided = tuple(_rows(work, only_dmy if n_dmy else only_mdy, 5))
        elif n_either:
            rows = _rows(work, either)
            msg = (
                f"{where}: cannot tell whether the all-number dates are day first or month first: no row has a "
                f"number above 12 to decide (row(s) {_listed(rows, n_either)}). Pass {options}."
            )
            raise DateOrderError(msg, file=file, column=columns[0], rows=tuple(rows))
    elif date_format is not None:
        order = f"as {option} {date_format}"
    final = []
    for c, p in parts.items():
        if date_format is not None:
            given = pl.coalesce(
                pl.col(c).str.strip_chars().str.strptime(pl.Date, date_format, strict=False),
                pl.col(f"__day_{c}").str.strptime(pl.Date, date_format, strict=False),
            )
            numeric_date = given
        elif year_first:
            numeric_date = pl.col(f"__ymd_{c}")
        elif order == "month first":
            numeric_date = pl.col(f"__mdy_{c}")
        else:  # day first, or no numeric row whose order matters (a day equal to the month)
            numeric_date = pl.coalesce(pl.col(f"__dmy_{c}"), pl.col(f"__mdy_{c}"))
        date = (
            pl.coalesce(numeric_date, pl.col(f"__fixed_{c}"))
            if date_format is not None
            else pl.when(p["numeric"]).then(numeric_date).otherwise(pl.col(f"__fixed_{c}"))
        )
        final.append(date.alias(f"_{c}"))
    work = work.with_columns(final)
    forms: dict[str, int] = {}
    for c, p in parts.items():
        stats = work.select(
            (p["raw"].is_not_null() & (p["raw"] != "") & (p["raw"] != pl.col(f"__day_{c}"))).sum().alias("time"),
            p["iso"].sum().alias("iso"),
            p["named"].sum().alias("named"),
            p["numeric"].sum().alias("numeric"),
            p["two_digit"].fill_null(False).sum().alias("two"),
        ).row(0, named=True)
        label = {
            "iso": "year first (YYYY-MM-DD)",
            "named": "with the month's name",
            "numeric": "all numbers",
            "time": "with a time of day (dropped)",
        }
        for key, text in label.items():
            if stats[key]:
                forms[f"{c}: {text}"] = int(stats[key])
        forms_two = int(stats["two"])
        if forms_two:
            forms[f"{c}: two-digit year (century from the year column)"] = forms_two
    work = work.drop([c for c in work.columns if c.startswith("__")]).with_columns(
        [
            pl.format("{} (read as {})", pl.col(c).str.strip_chars(), pl.col(f"_{c}")).alias(f"__read_{c}")
            for c in columns
        ]
    )
    checks = []
    present = {c: pl.col(c).is_not_null() & (pl.col(c).str.strip_chars() != "") for c in columns}
    for c in columns:
        fmt_hint = (
            f"write the date as YYYY-MM-DD (or fix {option} {date_format})"
            if date_format
            else f"write the date as YYYY-MM-DD (or pass {option})"
        )
        checks += [
            make_check(
                c,
                "type",
                "TypeViolation",
                present[c] & pl.col(f"_{c}").is_null(),
                "{value} is not a date ddj can read" + (f" with {option} {date_format}" if date_format else ""),
                fmt_hint,
            ),
            make_check(
                c,
                "date_range",
                "RangeViolation",
                pl.col(f"_{c}") < pl.lit(EARLIEST),
                "{value} is before 1946, which is an error in the file, not data",
                "write the full year (YYYY-MM-DD) and check the date",
                value_column=f"__read_{c}",
            ),
            make_check(
                c,
                "date_range",
                "RangeViolation",
                pl.col(f"_{c}") > pl.lit(today),
                f"{{value}} is after today ({today}), which is an error in the file, not data",
                "check the date and its day/month order",
                value_column=f"__read_{c}",
            ),
        ]
    if year_column in frame.columns:
        work = work.with_columns(hint.alias("__year"))
        checks.append(
            make_check(
                year_of,
                "year",
                "ConsistencyViolation",
                pl.col("__year").is_not_null()
                & pl.col(f"_{year_of}").is_not_null()
                & (pl.col(f"_{year_of}").dt.year() != pl.col("__year")),
                f"{{value}} is not in the year the {year_column} column gives",
                f"check the date against {year_column}; if the day and month are swapped, pass {option}",
                value_column="__year_read",
            )
        )
        work = work.with_columns(
            pl.format(
                "{} (read as {}; {} {})",
                pl.col(year_of).str.strip_chars(),
                pl.col(f"_{year_of}"),
                pl.lit(year_column),
                pl.col("__year"),
            ).alias("__year_read")
        )
    return DateRead(
        work,
        order=order,
        decided_by=decided,
        forms=forms,
        two_digit_years=sum(v for k, v in forms.items() if "two-digit" in k),
        checks=checks,
    )


def read_loose_dates(values: pl.Expr, order: str | None) -> pl.Expr:
    """A date from a secondary column (a source's date) in any form above, all-number dates in ``order``.

    Without an ``order`` (the file's main dates decided none), an all-number date either order could read is
    left unread (null), never guessed. With :data:`YEAR_FIRST` a two-digit year is read first (``24-03-05``).
    """
    day_part = values.str.strip_chars().str.replace(_TIME, "").str.strip_chars()
    iso = day_part.str.extract_groups(_ISO)
    num = day_part.str.extract_groups(_NUMERIC)
    dn = day_part.str.extract_groups(_DAY_NAME)
    a, b = num.struct.field("1").cast(pl.Int64), num.struct.field("2").cast(pl.Int64)
    y_len = num.struct.field("3").str.len_chars()
    y = num.struct.field("3").cast(pl.Int64)
    y = pl.when(y_len == 2).then(y + 2000).when(y_len == 4).then(y)
    numeric: pl.Expr
    if order == YEAR_FIRST:
        numeric = pl.when(num.struct.field("1").str.len_chars() == 2).then(
            _assemble(a + 2000, b, num.struct.field("3").cast(pl.Int64))
        )
    elif order == "month first":
        numeric = _assemble(y, a, b)
    elif order == "day first":
        numeric = _assemble(y, b, a)
    else:  # no order decided for the file: only the dates one order can read (an ambiguous one stays unread)
        numeric = (
            pl.when((a <= 12) & (b <= 12) & (a != b))
            .then(None)
            .otherwise(pl.coalesce(_assemble(y, b, a), _assemble(y, a, b)))
        )
    month = (
        dn.struct.field("2")
        .str.to_lowercase()
        .str.slice(0, 3)
        .replace_strict(_MONTHS, default=None, return_dtype=pl.Int64)
    )
    dy = dn.struct.field("3").cast(pl.Int64)
    dy = pl.when(dy < 100).then(dy + 2000).otherwise(dy)
    return pl.coalesce(
        _assemble(
            iso.struct.field("1").cast(pl.Int64),
            iso.struct.field("2").cast(pl.Int64),
            iso.struct.field("3").cast(pl.Int64),
        ),
        numeric,
        _assemble(dy, month, dn.struct.field("1").cast(pl.Int64)),
    )
