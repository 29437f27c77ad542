"""Period wording ("last year", "in the three months to June 25",
"between October 2015 and September 2016") turned into ISO dates.

``parse_period`` reads the words against the article's publication window
(earliest and latest plausible dates) and, for relative wording ("over the
same period", "over the next quarter"), the period of the figure referred
to. A period is ``stated`` when the words give the dates outright and
``inferred`` when they depend on the publication date or another figure;
``note`` says how it was read.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH = "(" + "|".join(MONTHS) + ")"


class PeriodParseError(ValueError):
    """The words are not a period this parser knows; the message says why."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    stated: bool  # the words give the dates outright (else they are inferred)
    note: str


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    """Shift a date by whole months, clamping the day to the month's length."""
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _year_of(published: tuple[date, date], words: str) -> int:
    first, last = published
    if first.year != last.year:
        raise PeriodParseError(f"{words!r} depends on the publication year, but the article's dates span {first.year}-{last.year}")
    return first.year


def parse_period(words: str, published: tuple[date, date], refs: tuple[Period, ...] = ()) -> Period | None:
    """Read period words against the article's publication window and the periods they refer to; None where
    the figure has no period. Each form of words the parser knows is one row of ``FORMS``."""
    text = " ".join(str(words).split()).lower().replace("\u2019", "'")
    if not text:
        return _no_words(refs)
    for pattern, read in FORMS:
        m = pattern.fullmatch(text)
        if m:
            return read(m, words, published, refs)
    raise PeriodParseError(f"cannot read {words!r} as a period; add a reading to raw/period_readings.csv")


def _no_words(refs: tuple[Period, ...]) -> Period | None:
    """A figure without period words takes the period of the figures it refers to, if any."""
    if not refs:
        return None
    if len(refs) == 1:
        return Period(
            refs[0].start, refs[0].end, False, "the article gives this figure's period only through the figure it restates or refers to"
        )
    return Period(min(r.start for r in refs), max(r.end for r in refs), False, "spans the periods of the figures it compares")


def _same_period(m, words, published, refs) -> Period:
    r = _one_ref(refs, words)
    return Period(r.start, r.end, r.stated, f"{words!r}: the period of the figure referred to")


def _next_quarter(m, words, published, refs) -> Period:
    r = _one_ref(refs, words)
    start = r.end + timedelta(days=1)
    return Period(start, add_months(start, 3) - timedelta(days=1), False, f"{words!r}: the three months after {r.end.isoformat()}")


def _calendar_year(m, words, published, refs) -> Period:
    y = _year(m.group(1))
    return Period(date(y, 1, 1), date(y, 12, 31), True, f"{words!r}: the calendar year {y}")


def _last_year(m, words, published, refs) -> Period:
    y = _year_of(published, words) - 1
    return Period(
        date(y, 1, 1),
        date(y, 12, 31),
        False,
        f"{words!r}: the calendar year before the article's publication year ({y + 1}, itself inferred)",
    )


def _last_month(m, words, published, refs) -> Period:
    first, last = published
    if (first.year, first.month) != (last.year, last.month):
        raise PeriodParseError(f"{words!r} depends on the publication month, which is not known to the month")
    prev = first.replace(day=1) - timedelta(days=1)
    return Period(
        prev.replace(day=1), prev, False, f"{words!r}: the month before the article's publication month ({first:%B %Y}, itself inferred)"
    )


def _between_months_and_years(m, words, published, refs) -> Period:
    start = date(_year(m.group(2)), MONTHS[m.group(1)], 1)
    end = month_end(_year(m.group(4)), MONTHS[m.group(3)])
    _ordered(start, end, words)
    return Period(start, end, True, f"{words!r}: whole months as named")


def _between_months_this_year(m, words, published, refs) -> Period:
    y = _year_of(published, words)
    start, end = date(y, MONTHS[m.group(1)], 1), month_end(y, MONTHS[m.group(2)])
    _ordered(start, end, words)
    return Period(start, end, False, f"{words!r}: 'this year' read as the publication year {y} (inferred)")


def _half_of_this_year(m, words, published, refs) -> Period:
    y = _year_of(published, words)
    start, end = (date(y, 1, 1), date(y, 6, 30)) if m.group(1) == "first" else (date(y, 7, 1), date(y, 12, 31))
    return Period(start, end, False, f"{words!r}: 'this year' read as the publication year {y} (inferred)")


def _months_to(m, words, published, refs) -> Period:
    n = {"three": 3, "six": 6, "twelve": 12}.get(m.group(1)) or int(m.group(1))
    month, day = (MONTHS[m.group(2)], None) if m.group(2) else (MONTHS[m.group(3)], int(m.group(4)))
    end = _latest_before(published[0], month, day, words)
    start = add_months(end + timedelta(days=1), -n)
    return Period(
        start, end, False, f"{words!r}: the year is not given; read as the latest such date before publication ({end.isoformat()})"
    )


# the forms of period words the parser reads, each with its reading (a flat table of patterns)
FORMS = tuple(
    (re.compile(pattern), read)
    for pattern, read in (
        (r"(?:over |during )?the same period", _same_period),
        (r"(?:over |during )?the next (?:quarter|three months)", _next_quarter),
        (r"(?:in |during )?(\d{4})", _calendar_year),
        (r"(?:in |during )?last year", _last_year),
        (r"(?:in |during )?last month", _last_month),
        (rf"(?:in |made )?between {_MONTH} (\d{{4}}) and {_MONTH} (\d{{4}})", _between_months_and_years),
        (rf"(?:in )?between {_MONTH} and {_MONTH} this year", _between_months_this_year),
        (r"(?:in )?the (first|second) half of this year", _half_of_this_year),
        (rf"(?:in )?the (three|six|twelve|3|6|12) months to (?:the end of {_MONTH}|{_MONTH} (\d{{1,2}}))", _months_to),
    )
)


def _one_ref(refs: tuple[Period, ...], words: str) -> Period:
    if len(refs) != 1:
        raise PeriodParseError(f"{words!r} refers to another figure's period: set period_ref to exactly one figure")
    return refs[0]


def _year(text: str) -> int:
    y = int(text)
    if not 1900 <= y <= 2100:
        raise PeriodParseError(f"year {y} is out of range")
    return y


def _ordered(start: date, end: date, words: str) -> None:
    if end < start:
        raise PeriodParseError(f"{words!r} ends before it starts")


def _latest_before(published: date, month: int, day: int | None, words: str) -> date:
    for y in (published.year, published.year - 1):
        try:
            d = month_end(y, month) if day is None else date(y, month, day)
        except ValueError as exc:
            raise PeriodParseError(f"{words!r}: {exc}") from exc
        if d <= published:
            return d
    raise PeriodParseError(f"{words!r}: no such date before publication")


def reference_date(year: str | int) -> str:
    """The period of a mid-year population estimate: its mid-year date, 30 June."""
    return f"{int(year)}-06-30"
