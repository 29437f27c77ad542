"""Period wording ("last year", "in the three months to June 25", "10th February 2017",
"between October 2015 and September 2016", "the following six month period") turned
into ISO dates.

``parse_period`` reads the words against the article's publication window (earliest
and latest plausible dates) and, for words relative to another figure ("over the same
period", "the previous 12 months"), the period of the figure referred to. Each form
of words it knows is one row of ``FORMS`` (a pattern and a small reading function).

A period is ``stated`` when the words give the dates outright, directly or through
the stated period of the one figure they refer to ("over the same period" of "between
October 2015 and September 2016"), and ``inferred`` when they depend on the
publication date, on a convention (the April to March year of "2015-16"), on a figure
whose own period is inferred, or on a curator's reading; ``note`` says how it was
read. Words that relate to the publication date are read only where every day of the
publication window gives the same period; otherwise they are refused, so that a
curator reads them (raw/period_readings.csv) rather than the parser choosing. A
stated length that disagrees with stated dates ("the six months between July 2017
and January 2018", seven whole months) is refused with ``PeriodLengthMismatch``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from .values import TENS, UNITS, ValueParseError, words_to_int

# the one list of month and weekday names (English, whatever the machine's locale)
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)  # date.weekday() order
MONTHS = {name.lower(): i for i, name in enumerate(MONTH_NAMES, 1)} | {
    name[:3].lower(): i for i, name in enumerate(MONTH_NAMES, 1)
}
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(WEEKDAY_NAMES)}
# a length's unit word: (months, days) in one of it
UNIT_LENGTHS = {"day": (0, 1), "week": (0, 7), "month": (1, 0), "quarter": (3, 0), "year": (12, 0)}


class PeriodParseError(ValueError):
    """The words are not a period this parser can read alone; the message says why."""

    type = (
        "unknown-period"  # the error type (errors.REGISTRY) a problem of this kind is reported as
    )


class PeriodLengthMismatch(PeriodParseError):
    """A length the words state and dates they state (or the period of the figure they refer to)
    disagree."""

    type = "period-length-mismatch"


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    stated: bool  # the words give the dates outright (else they are inferred)
    note: str
    figure: str = ""  # where this is the period of a figure referred to: that figure's id


@dataclass(frozen=True)
class Context:
    """What a reading may use: the words as written, the article's publication window (earliest,
    latest), whether its date is confirmed, and the periods of the figures its period_ref names."""

    words: str
    published: tuple[date, date]
    refs: tuple[Period, ...]
    date_confirmed: bool


class Length(NamedTuple):
    """A length as the words give it: ``n`` of ``unit`` ("six months": 6, "month")."""

    n: int
    unit: str

    def __str__(self) -> str:
        return f"{self.n} {self.unit}{'' if self.n == 1 else 's'}"

    def the(self) -> str:
        """The length in a note: "the year", "the 12 months"."""
        return f"the {self.unit}" if self.n == 1 else f"the {self}"

    def after(self, start: date) -> date:
        """The last day of this length from ``start``."""
        months, days = UNIT_LENGTHS[self.unit]
        return (
            add_months(start, self.n * months) - timedelta(days=1)
            if months
            else start + timedelta(days=self.n * days - 1)
        )

    def before(self, end: date) -> date:
        """The first day of this length that ends on ``end``."""
        months, days = UNIT_LENGTHS[self.unit]
        return (
            add_months(end + timedelta(days=1), -self.n * months)
            if months
            else end - timedelta(days=self.n * days - 1)
        )

    def fits(self, start: date, end: date) -> bool:
        """Whether the days ``start`` to ``end`` are exactly this long."""
        return self.after(start) == end


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    """Shift a date by whole months, clamping the day to the month's length."""
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def parse_period(
    words: str,
    published: tuple[date, date],
    refs: tuple[Period, ...] = (),
    date_confirmed: bool = False,
) -> Period | None:
    """Read period words against the article's publication window (and whether its date is
    confirmed) and the periods of the figures they refer to; None where the figure has no period.
    Each form of words the parser knows is one row of ``FORMS``."""
    text = _normal(words)
    if not text:
        return _no_words(refs)
    return _read(text, Context(str(words), published, tuple(refs), date_confirmed))


def _normal(words: str) -> str:
    """The words as the patterns see them: lower case, single spaces, straight apostrophes, plain
    hyphens."""
    text = " ".join(str(words).split()).lower()
    return text.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-").rstrip(".,;:")


def _read(text: str, c: Context) -> Period:
    for pattern, read in FORMS:
        m = pattern.fullmatch(text)
        if m:
            return read(m, c)
    raise PeriodParseError(
        f"cannot read {c.words!r} as a period; add a reading to raw/period_readings.csv"
    )


def _no_words(refs: tuple[Period, ...]) -> Period | None:
    """A figure without period words takes the period of the figures it refers to, if any."""
    if not refs:
        return None
    if len(refs) == 1:
        return Period(
            refs[0].start,
            refs[0].end,
            False,
            "the article gives this figure's period only through the figure it restates or refers "
            "to",
        )
    return Period(
        min(r.start for r in refs),
        max(r.end for r in refs),
        False,
        "spans the periods of the figures it compares",
    )


# -- another figure's period (period_ref) ----------------------------------------------------------


def _same_period(m, c: Context) -> Period:
    """The one period referred to ("over the same period"), as stated as it is."""
    r = _one_ref(c)
    return Period(
        r.start, r.end, r.stated, f"{c.words!r}: the period of the figure referred to ({_of(r)})"
    )


def _same_period_in(m, c: Context) -> Period:
    """The days of the period referred to, in the year named ("the same period in 2018")."""
    r, year = _one_ref(c), _year(m["y"])
    if r.start.year != r.end.year:
        raise PeriodParseError(
            f"{c.words!r}: the period referred to ({_of(r)}) spans two years; add a reading to "
            "raw/period_readings.csv"
        )
    start, end = (
        _shift_years(r.start, year - r.start.year),
        _shift_years(r.end, year - r.start.year),
    )
    return Period(
        start,
        end,
        r.stated,
        f"{c.words!r}: the days of the period referred to ({_of(r)}) in {year}",
    )


def _same_period_a_year_before(m, c: Context) -> Period:
    """The period referred to, a year back ("the same period last year", "a year earlier")."""
    r = _one_ref(c)
    start, end = _shift_years(r.start, -1), _shift_years(r.end, -1)
    return Period(
        start, end, r.stated, f"{c.words!r}: the period referred to ({_of(r)}), a year earlier"
    )


def _adjacent(m, c: Context) -> Period:
    """A period of the length named just after or just before the one referred to ("the following
    six month period", "the previous 12 months"), which the words compare with it, so the two must
    be as long."""
    r, length = _one_ref(c), _length(m, c)
    _must_fit(length, r, c, f"the period it follows or precedes ({_of(r)}) is")
    after = m["way"] in ("following", "next", "subsequent", "after", "later")
    start, end = (
        (r.end + timedelta(days=1), length.after(r.end + timedelta(days=1)))
        if after
        else (length.before(r.start - timedelta(days=1)), r.start - timedelta(days=1))
    )
    side = "after" if after else "before"
    return Period(
        start,
        end,
        r.stated,
        f"{c.words!r}: {length.the()} {side} the period referred to ({_of(r)})",
    )


def _length_of_ref(m, c: Context) -> Period:
    """A length only ("in just six months"): the period of the one figure referred to, which must be
    as long."""
    length = _length(m, c)
    r = _one_ref(
        c,
        "gives a length but no dates: set period_ref to the one figure whose period it is, or add "
        "a reading to raw/period_readings.csv",
    )
    _must_fit(length, r, c, f"the period of the figure referred to ({_of(r)}) is")
    return Period(
        r.start,
        r.end,
        r.stated,
        f"{c.words!r}: {length}, the period of the figure referred to ({_of(r)})",
    )


def _must_fit(
    length: Length,
    p: Period,
    c: Context,
    what: str,
    whose: str = ", of these words or of the other figure's,",
) -> None:
    """A length the words state must be exactly as long as the period ``p`` they name or refer to
    (``what``, for the message: which period that is); else PeriodLengthMismatch, and the curator
    writes the reading (``whose``: of which words, where ``p`` is another figure's)."""
    if not length.fits(p.start, p.end):
        raise PeriodLengthMismatch(
            f"{c.words!r} gives {length}, but {what} {_long(p.start, p.end)}; "
            f"write the reading you judge right{whose} in raw/period_readings.csv, with your "
            "reasoning"
        )


# -- dates the words give outright -----------------------------------------------------------------


def _calendar_year(m, c: Context) -> Period:
    y = _year(m["y"])
    return Period(date(y, 1, 1), date(y, 12, 31), True, f"{c.words!r}: the calendar year {y}")


def _years(m, c: Context) -> Period:
    """The calendar years named and those between, the last one whole ("between 2016 and 2018")."""
    y1, y2 = _year(m["y1"]), _year(m["y2"])
    start, end = date(y1, 1, 1), date(y2, 12, 31)
    _ordered(start, end, c)
    return Period(start, end, True, f"{c.words!r}: the calendar years {y1} to {y2}, both whole")


def _financial_year(m, c: Context) -> Period:
    """A year written "2015-16" or "2015/16": 1 April to 31 March, by the convention of UK public
    bodies and the charity; the words do not name the months, so the period is inferred."""
    y1, y2 = _year(m["y1"]), m["y2"]
    if int(y2) != (y1 + 1 if len(y2) == 4 else (y1 + 1) % 100):
        raise PeriodParseError(
            f"{c.words!r} is not one year from {y1} to the next; add a reading to "
            "raw/period_readings.csv"
        )
    return Period(
        date(y1, 4, 1),
        date(y1 + 1, 3, 31),
        False,
        f"{c.words!r}: read as the April to March year (1 April {y1} to 31 March {y1 + 1}), the "
        "year UK police, "
        "government and the charity report by; the words name the years, not the months, so an "
        "article whose year runs "
        "otherwise needs a reading in raw/period_readings.csv",
    )


def _half_of_year(m, c: Context) -> Period:
    y = _year(m["y"])
    start, end = _half(m["half"], y)
    return Period(start, end, True, f"{c.words!r}: the {m['half']} half of {y}")


def _half(half: str, y: int) -> tuple[date, date]:
    """The first half of a year (1 January to 30 June) or the second (1 July to 31 December)."""
    return (date(y, 1, 1), date(y, 6, 30)) if half == "first" else (date(y, 7, 1), date(y, 12, 31))


def _day_or_month(m, c: Context) -> Period:
    """A day ("10th February 2017", "on Friday, 10th February 2017"), or a whole month ("in October
    2015")."""
    p = _point(m, "a", c)
    start, end = p.first(p.year, c), p.last(p.year, c)
    return Period(
        start, end, True, f"{c.words!r}: {'the day' if p.day else 'the whole month'} as named"
    )


def _range(m, c: Context) -> Period:
    """From the first day of one day or month to the last day of another ("between October 2015 and
    September 2016", "from 1 April 2018 to 31 March 2019", "between 1 January and 30 June 2019"); a
    first date without a year takes the year of the second."""
    a, b = _point(m, "a", c), _point(m, "b", c)
    start, end = a.first(a.year or b.year, c), b.last(b.year, c)
    _ordered(start, end, c)
    how = "whole months as named" if not (a.day or b.day) else "the days as named, both included"
    borrowed = "" if a.year else f"; the first takes the year of the second ({b.year})"
    return Period(start, end, True, f"{c.words!r}: {how}{borrowed}")


def _length_and_range(m, c: Context) -> Period:
    """A length and dates, which must agree ("in the six months between July 2017 and January
    2018")."""
    length, span = _length(m, c), m["range"]
    inner = _read(span, Context(span, c.published, c.refs, c.date_confirmed))
    _must_fit(length, inner, c, f"the dates it names read as {inner.start} to {inner.end},", "")
    return Period(
        inner.start,
        inner.end,
        inner.stated,
        f"{c.words!r}: {inner.start} to {inner.end}, {length.the()} the words give",
    )


def _length_from(m, c: Context) -> Period:
    """A length from a stated first day, a day or a month's first ("in the 12 months from November
    2018")."""
    length, p = _length(m, c), _point(m, "a", c)
    start = p.first(p.year, c)
    return Period(start, length.after(start), True, f"{c.words!r}: {length.the()} from {start}")


def _length_to(m, c: Context) -> Period:
    """A length to a stated last day, a day or a month's last ("the twelve months to March 2014",
    "the three months to June 25"); where the words give no year, the latest such day by publication
    (inferred)."""
    length, p = _length(m, c), _point(m, "a", c)
    if p.year:
        end = p.last(p.year, c)
        return Period(length.before(end), end, True, f"{c.words!r}: {length.the()} to {end}")
    start, end = _by_publication(c, lambda day: _latest_on_or_before(p, day, length, c))
    return Period(
        start,
        end,
        False,
        f"{c.words!r}: the year is not given; read as the latest such date before publication "
        f"({end.isoformat()})",
    )


# -- relative to the publication date --------------------------------------------------------------


def _last_year(m, c: Context) -> Period:
    start, end = _by_publication(
        c, lambda day: (date(day.year - 1, 1, 1), date(day.year - 1, 12, 31))
    )
    return Period(
        start,
        end,
        False,
        f"{c.words!r}: the calendar year before the article's publication year "
        f"({_pub(end.year + 1, c)})",
    )


def _last_month(m, c: Context) -> Period:
    def read_at(day: date) -> tuple[date, date]:
        prev = day.replace(day=1) - timedelta(days=1)
        return prev.replace(day=1), prev

    start, end = _by_publication(c, read_at)
    month = end + timedelta(days=1)
    month = f"{MONTH_NAMES[month.month - 1]} {month.year}"
    return Period(
        start,
        end,
        False,
        f"{c.words!r}: the month before the article's publication month ({_pub(month, c)})",
    )


def _last_length(m, c: Context) -> Period:
    """A length to the publication date ("in the last 12 months", "over the past year", "the last
    two years")."""
    length = _length(m, c)
    start, end = _by_publication(c, lambda day: (length.before(day), day))
    return Period(
        start,
        end,
        False,
        f"{c.words!r}: {length.the()} to the article's publication date ({_pub(end, c)})",
    )


def _this_year(m, c: Context) -> Period:
    """From 1 January of the publication year to the publication date ("this year", "so far this
    year")."""
    start, end = _by_publication(c, lambda day: (date(day.year, 1, 1), day))
    return Period(
        start,
        end,
        False,
        f"{c.words!r}: the publication year to the article's publication date ({_pub(end, c)})",
    )


def _since(m, c: Context) -> Period:
    """From the first day named to the publication date ("since October 2015", "since 2002")."""
    if m["y"]:
        start = date(_year(m["y"]), 1, 1)
    else:
        p = _point(m, "a", c)
        start = p.first(p.year, c)
    _, end = _by_publication(c, lambda day: (start, day))
    _ordered(start, end, c)
    return Period(
        start,
        end,
        False,
        f"{c.words!r}: from {start} to the article's publication date ({_pub(end, c)})",
    )


def _between_months_this_year(m, c: Context) -> Period:
    y = _publication_year(c)
    start, end = date(y, MONTHS[m["m1"]], 1), month_end(y, MONTHS[m["m2"]])
    _ordered(start, end, c)
    return _in_this_year(start, end, y, c)


def _half_of_this_year(m, c: Context) -> Period:
    y = _publication_year(c)
    start, end = _half(m["half"], y)
    return _in_this_year(start, end, y, c)


def _publication_year(c: Context) -> int:
    """The year "this year" names: the publication year, one for the whole publication window."""
    y, _ = _by_publication(c, lambda day: (day.year, None))
    return y


def _in_this_year(start: date, end: date, y: int, c: Context) -> Period:
    """Days of "this year", read as the publication year ``y`` (inferred)."""
    return Period(
        start, end, False, f"{c.words!r}: 'this year' read as the publication year {y} (inferred)"
    )


# -- the pieces the forms are written with ---------------------------------------------------------


def _alternatives(names) -> str:
    return "(?:" + "|".join(sorted(names, key=lambda s: (-len(s), s))) + ")"


_MONTH = _alternatives(MONTHS) + r"\.?"
_WEEKDAY = _alternatives(WEEKDAYS)
_NUMBER = rf"(?:\d{{1,3}}|an?|{_alternatives(UNITS | TENS)}(?:[- ]{_alternatives(UNITS)})?)"
_IN = r"(?:(?:in|during|over|for|across|within|throughout|on) )?"
_TO = r" (?:and|to|until|till|through|-) "
_LENGTH = rf"(?:(?P<n>{_NUMBER})[- ])?(?P<unit>{_alternatives(UNIT_LENGTHS)})s?(?:[- ]long)?"
_SAME = rf"{_IN}(?:the|that|this) same (?:time )?period"


def _point_re(tag: str, year: str) -> str:
    """A day ("10th February 2017", "Friday, February 10, 2017", "the 1st of May") or a month
    ("October 2015"), its parts in groups named after ``tag``; its year "required" or "optional"."""
    day = (
        rf"(?:(?P<{tag}_wd>{_WEEKDAY}),? )?(?:the )?(?:(?P<{tag}_d1>\d{{1,2}})(?:st|nd|rd|th)? "
        rf"(?:of )?(?P<{tag}_m1>{_MONTH})|(?P<{tag}_m2>{_MONTH}) (?:the "
        rf")?(?P<{tag}_d2>\d{{1,2}})(?:st|nd|rd|th)?)"
    )
    point = rf"(?:{day}|(?P<{tag}_m3>{_MONTH}))"
    y = rf",? (?P<{tag}_y>\d{{4}})"
    return point + (y if year == "required" else f"(?:{y})?")


# the forms of period words the parser reads, each with its reading: a flat table, tried in order
FORMS: tuple[tuple[re.Pattern, Callable[[re.Match, Context], Period]], ...] = tuple(
    (re.compile(pattern), read)
    for pattern, read in (
        # another figure's period (period_ref)
        (_SAME, _same_period),
        (rf"{_SAME} (?:in|of) (?P<y>\d{{4}})", _same_period_in),
        (
            rf"{_SAME} (?:last year|a year (?:earlier|before)|(?:of |in )?the "
            r"(?:previous|preceding) year)",
            _same_period_a_year_before,
        ),
        (
            rf"{_IN}(?:the )?(?P<way>following|next|subsequent|previous|preceding|prior) "
            rf"{_LENGTH}(?: period)?(?:'s)?",
            _adjacent,
        ),
        (rf"{_IN}the {_LENGTH}(?: period)? (?P<way>before|prior|earlier|after|later)", _adjacent),
        (rf"{_IN}(?:(?:just|only) )?(?:the )?{_LENGTH}(?: period)?", _length_of_ref),
        # relative to the publication date
        (rf"{_IN}last year", _last_year),
        (rf"{_IN}last month", _last_month),
        (rf"{_IN}(?:the )?(?:last|past) {_LENGTH}", _last_length),
        (r"(?:so far )?this year(?: so far)?", _this_year),
        (rf"(?:ever )?since (?:(?P<y>\d{{4}})|{_point_re('a', 'required')})", _since),
        (
            rf"{_IN}between (?P<m1>{_MONTH}) and (?P<m2>{_MONTH}) this year",
            _between_months_this_year,
        ),
        (rf"{_IN}the (?P<half>first|second) half of this year", _half_of_this_year),
        # dates the words give outright (but a length to a day or month without a year: the latest
        # such by publication)
        (rf"{_IN}(?P<y>\d{{4}})", _calendar_year),
        (
            rf"{_IN}(?:the )?(?P<y1>\d{{4}})[-/](?P<y2>\d{{2}}|\d{{4}})(?: (?:period|financial "
            r"year|year))?",
            _financial_year,
        ),
        (rf"{_IN}(?:between|from) (?P<y1>\d{{4}}){_TO}(?P<y2>\d{{4}})", _years),
        (rf"{_IN}(?:the )?(?P<half>first|second) half of (?P<y>\d{{4}})", _half_of_year),
        (rf"{_IN}{_point_re('a', 'required')}", _day_or_month),
        (
            rf"{_IN}(?:made )?(?:between|from) "
            rf"{_point_re('a', 'optional')}{_TO}{_point_re('b', 'required')}",
            _range,
        ),
        (
            rf"{_IN}(?:(?:just|only) )?the {_LENGTH}(?: period)? (?:from|starting|beginning) "
            rf"{_point_re('a', 'required')}",
            _length_from,
        ),
        (
            rf"{_IN}(?:(?:just|only) )?the {_LENGTH}(?: period)? (?:up )?to (?:the end of "
            rf")?{_point_re('a', 'optional')}",
            _length_to,
        ),
        (
            rf"{_IN}(?:(?:just|only) )?the {_LENGTH}(?: period)? (?P<range>(?:between|from) .+)",
            _length_and_range,
        ),
    )
)


class Point(NamedTuple):
    """A day or a whole month as written (``day`` None for a month), its year perhaps not given."""

    month: int
    day: int | None
    year: int | None
    weekday: int | None

    def first(self, year: int, c: Context) -> date:
        return self._date(year, self.day or 1, c)

    def last(self, year: int, c: Context) -> date:
        return self._date(year, self.day, c) if self.day else month_end(year, self.month)

    def _date(self, year: int, day: int, c: Context) -> date:
        try:
            d = date(year, self.month, day)
        except ValueError as exc:
            raise PeriodParseError(f"{c.words!r}: {exc}") from exc
        if self.weekday is not None and d.weekday() != self.weekday:
            raise PeriodParseError(
                f"{c.words!r}: {d} is a {WEEKDAY_NAMES[d.weekday()]}, not a "
                f"{WEEKDAY_NAMES[self.weekday]}"
            )
        return d


def _point(m: re.Match, tag: str, c: Context) -> Point:
    g = {k[len(tag) + 1 :]: v for k, v in m.groupdict().items() if k.startswith(f"{tag}_")}
    month = next(MONTHS[v.rstrip(".")] for v in (g["m1"], g["m2"], g["m3"]) if v)
    day = g["d1"] or g["d2"]
    return Point(
        month,
        int(day) if day else None,
        _year(g["y"]) if g.get("y") else None,
        WEEKDAYS[g["wd"]] if g.get("wd") else None,
    )


def _length(m: re.Match, c: Context) -> Length:
    """The length of a match of ``_LENGTH``: its number (digits, words as values.py reads them, or
    none for one)."""
    n = m["n"]
    if n is None or n in ("a", "an"):
        count = 1
    elif n.isdigit():
        count = int(n)
    else:
        try:
            count = words_to_int(n.replace("-", " ").split())
        except ValueParseError as exc:
            raise PeriodParseError(f"{c.words!r}: cannot read {n!r} as a number ({exc})") from exc
    if count < 1:
        raise PeriodParseError(f"{c.words!r}: a period is at least one {m['unit']} long")
    return Length(count, m["unit"])


def _by_publication(c: Context, read_at: Callable[[date], tuple]) -> tuple:
    """The reading of words relative to the publication date, which must be one and the same for
    every day of the publication window. Each reading here moves only forward with the date, so it
    is the same for every day of the window exactly when it is the same for the first and the
    last."""
    first, last = c.published
    a, b = read_at(first), read_at(last)
    if a != b:
        raise PeriodParseError(
            f"{c.words!r} depends on the publication date, and the article's window ({first} to "
            f"{last}) gives more than one "
            f"reading ({_span(a)} for {first}, {_span(b)} for {last}); add a reading to "
            "raw/period_readings.csv"
        )
    return a


def _latest_on_or_before(p: Point, day: date, length: Length, c: Context) -> tuple[date, date]:
    """The length up to the latest day (or month's end) ``p`` names, on or before ``day``."""
    for y in (day.year, day.year - 1):
        end = p.last(y, c)
        if end <= day:
            return length.before(end), end
    raise PeriodParseError(f"{c.words!r}: no such date before publication")


def _one_ref(
    c: Context,
    why: str = "refers to another figure's period: set period_ref to exactly one figure",
) -> Period:
    """The one period the words refer to; else PeriodParseError (``why``: what the words lack and
    how to give it)."""
    if len(c.refs) != 1:
        raise PeriodParseError(f"{c.words!r} {why}")
    return c.refs[0]


def _of(r: Period) -> str:
    """A period referred to, for a note: its figure (where known) and its dates."""
    return f"{r.figure}, {r.start} to {r.end}" if r.figure else f"{r.start} to {r.end}"


def _long(start: date, end: date) -> str:
    """How long a period is, in whole months where it is some, else in days."""
    months = next((n for n in range(1, 1201) if Length(n, "month").fits(start, end)), None)
    if months:
        return str(Length(months, "month"))
    return str(Length((end - start).days + 1, "day"))


def _span(reading: tuple) -> str:
    return " to ".join(str(x) for x in reading if x is not None)


def _pub(value: object, c: Context) -> str:
    """The publication date, month or year a reading rests on, said to be inferred where the
    article's date is."""
    return str(value) if c.date_confirmed else f"{value}, itself inferred"


def _shift_years(d: date, years: int) -> date:
    return add_months(d, 12 * years)


def _year(text: str) -> int:
    y = int(text)
    if not 1900 <= y <= 2100:
        raise PeriodParseError(f"year {y} is out of range")
    return y


def _ordered(start: date, end: date, c: Context) -> None:
    if end < start:
        raise PeriodParseError(
            f"{c.words!r} ends before it starts; add a reading to raw/period_readings.csv"
        )


def reference_date(year: str | int) -> str:
    """The period of a mid-year population estimate: its mid-year date, 30 June."""
    return f"{int(year)}-06-30"
