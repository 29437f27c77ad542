"""Period words to ISO dates, worked by hand; the dates of each form read back from
any way of writing them (hypothesis); and the reader of clean, on small inline rows."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from numwords import int_to_words
from stopitnow_figures.model.periods import (
    FORMS,
    Period,
    PeriodLengthMismatch,
    PeriodParseError,
    parse_period,
)
from stopitnow_figures.stages.clean import PeriodReader
from stopitnow_figures.tables import vocab
from stopitnow_figures.tables.csvio import Table
from stopitnow_figures.tables.errors import Collector
from stopitnow_figures.tables.paths import Paths

PUB_2017 = (date(2017, 12, 14), date(2017, 12, 15))
FEB_2017 = (date(2017, 2, 6), date(2017, 2, 17))
NOV_2016 = (date(2016, 11, 1), date(2016, 11, 30))
H2_2019 = (date(2019, 7, 1), date(2019, 12, 31))
ON_4_APRIL_2018 = (date(2018, 4, 4), date(2018, 4, 4))  # a release dated "4 April 2018"

# periods referred to (period_ref), as the figures they belong to would give them
H1_2019 = Period(
    date(2019, 1, 1), date(2019, 6, 30), True, "", "x-2019-f02"
)  # "between January and June 2019"
Y2017 = Period(date(2017, 1, 1), date(2017, 12, 31), True, "", "x-2018-f01")  # "in 2017"
JUL_JAN = Period(
    date(2017, 7, 1), date(2018, 1, 31), True, "", "x-2018-f03"
)  # "Between July 2017 and January 2018": 7 whole months
TO_JUNE_25 = Period(
    date(2017, 3, 26), date(2017, 6, 25), False, "", "x-2017-f02"
)  # "the three months to June 25", year inferred


@pytest.mark.parametrize(
    ("words", "published", "start", "end", "basis"),
    [
        # forms read before this issue
        ("in 2016", PUB_2017, date(2016, 1, 1), date(2016, 12, 31), "stated"),
        ("last year", FEB_2017, date(2016, 1, 1), date(2016, 12, 31), "inferred"),
        ("last month", NOV_2016, date(2016, 10, 1), date(2016, 10, 31), "inferred"),
        (
            "between October 2015 and September 2016",
            PUB_2017,
            date(2015, 10, 1),
            date(2016, 9, 30),
            "stated",
        ),
        (
            "between January and June this year",
            H2_2019,
            date(2019, 1, 1),
            date(2019, 6, 30),
            "inferred",
        ),
        (
            "in the first half of this year",
            H2_2019,
            date(2019, 1, 1),
            date(2019, 6, 30),
            "inferred",
        ),
        # 25 June 2017 is the latest 25 June by December 2017; three months back from the 26th is 26
        # March
        (
            "in the three months to June 25",
            PUB_2017,
            date(2017, 3, 26),
            date(2017, 6, 25),
            "inferred",
        ),
        (
            "in the three months to the end of May",
            PUB_2017,
            date(2017, 3, 1),
            date(2017, 5, 31),
            "inferred",
        ),
        # a single day, stated (10 February 2017 was a Friday)
        ("10th February 2017", PUB_2017, date(2017, 2, 10), date(2017, 2, 10), "stated"),
        ("10 February 2017", PUB_2017, date(2017, 2, 10), date(2017, 2, 10), "stated"),
        ("February 10, 2017", PUB_2017, date(2017, 2, 10), date(2017, 2, 10), "stated"),
        ("on Friday, 10th February 2017", PUB_2017, date(2017, 2, 10), date(2017, 2, 10), "stated"),
        ("on the 10th of February 2017", PUB_2017, date(2017, 2, 10), date(2017, 2, 10), "stated"),
        ("in October 2015", PUB_2017, date(2015, 10, 1), date(2015, 10, 31), "stated"),
        # day-level ranges, both days included; a first day without a year takes the second's
        (
            "between 1 January and 30 June 2019",
            H2_2019,
            date(2019, 1, 1),
            date(2019, 6, 30),
            "stated",
        ),
        (
            "from 1 April 2018 to 31 March 2019",
            H2_2019,
            date(2018, 4, 1),
            date(2019, 3, 31),
            "stated",
        ),
        (
            "between October 1 2015 and September 30 2016",
            PUB_2017,
            date(2015, 10, 1),
            date(2016, 9, 30),
            "stated",
        ),
        (
            "between 1 April and 3 September 2020",
            (date(2020, 10, 1), date(2020, 10, 1)),
            date(2020, 4, 1),
            date(2020, 9, 3),
            "stated",
        ),
        ("from April 2018 to March 2019", H2_2019, date(2018, 4, 1), date(2019, 3, 31), "stated"),
        ("between April and August 2018", H2_2019, date(2018, 4, 1), date(2018, 8, 31), "stated"),
        ("between 2016 and 2018", H2_2019, date(2016, 1, 1), date(2018, 12, 31), "stated"),
        ("in the first half of 2019", H2_2019, date(2019, 1, 1), date(2019, 6, 30), "stated"),
        # a length and one stated end: twelve months to the end of March 2014 start on 1 April 2013
        (
            "the twelve months to March 2014",
            PUB_2017,
            date(2013, 4, 1),
            date(2014, 3, 31),
            "stated",
        ),
        (
            "In the three months up to the end of May 2017",
            PUB_2017,
            date(2017, 3, 1),
            date(2017, 5, 31),
            "stated",
        ),
        (
            "In the 12 months from November 2018",
            H2_2019,
            date(2018, 11, 1),
            date(2019, 10, 31),
            "stated",
        ),
        # a length and both ends that agree: January to June is six whole months
        (
            "in the six months between January and June 2019",
            H2_2019,
            date(2019, 1, 1),
            date(2019, 6, 30),
            "stated",
        ),
        # the April to March year (the rule for "2015-16"): inferred, as the words do not name the
        # months
        ("the 2015-16 period", PUB_2017, date(2015, 4, 1), date(2016, 3, 31), "inferred"),
        ("in 2015-16", PUB_2017, date(2015, 4, 1), date(2016, 3, 31), "inferred"),
        ("2015/16", PUB_2017, date(2015, 4, 1), date(2016, 3, 31), "inferred"),
        ("In 2020/21", ON_4_APRIL_2018, date(2020, 4, 1), date(2021, 3, 31), "inferred"),
        ("in 1999-00", PUB_2017, date(1999, 4, 1), date(2000, 3, 31), "inferred"),
        # relative to a publication date known to the day (4 April 2018): whole lengths ending that
        # day; twelve months back from 5 April 2018 is 5 April 2017, six months is 5 October 2017
        ("in the last 12 months", ON_4_APRIL_2018, date(2017, 4, 5), date(2018, 4, 4), "inferred"),
        ("over the past year", ON_4_APRIL_2018, date(2017, 4, 5), date(2018, 4, 4), "inferred"),
        (
            "During the past twelve months",
            ON_4_APRIL_2018,
            date(2017, 4, 5),
            date(2018, 4, 4),
            "inferred",
        ),
        (
            "in the past six months",
            ON_4_APRIL_2018,
            date(2017, 10, 5),
            date(2018, 4, 4),
            "inferred",
        ),
        ("the last two years", ON_4_APRIL_2018, date(2016, 4, 5), date(2018, 4, 4), "inferred"),
        ("this year", ON_4_APRIL_2018, date(2018, 1, 1), date(2018, 4, 4), "inferred"),
        ("last year", ON_4_APRIL_2018, date(2017, 1, 1), date(2017, 12, 31), "inferred"),
        ("since October 2015", ON_4_APRIL_2018, date(2015, 10, 1), date(2018, 4, 4), "inferred"),
        ("Since 2002", ON_4_APRIL_2018, date(2002, 1, 1), date(2018, 4, 4), "inferred"),
    ],
)
def test_periods_worked_by_hand(words, published, start, end, basis):
    p = parse_period(words, published)
    assert (p.start, p.end, p.stated) == (start, end, basis == "stated")
    assert p.note.startswith(repr(words) + ": ")


@pytest.mark.parametrize(
    ("words", "ref", "start", "end", "stated"),
    [
        # "the same period": the one period referred to, as stated as it is
        ("in the same period", H1_2019, date(2019, 1, 1), date(2019, 6, 30), True),
        ("over the same period", H1_2019, date(2019, 1, 1), date(2019, 6, 30), True),
        ("during the same period", H1_2019, date(2019, 1, 1), date(2019, 6, 30), True),
        ("over this same period", TO_JUNE_25, date(2017, 3, 26), date(2017, 6, 25), False),
        ("the same period in 2018", H1_2019, date(2018, 1, 1), date(2018, 6, 30), True),
        ("the same period last year", H1_2019, date(2018, 1, 1), date(2018, 6, 30), True),
        # before or after it, as long as it: July to December after January to June; 2016 before
        # 2017
        ("In the following six month period", H1_2019, date(2019, 7, 1), date(2019, 12, 31), True),
        ("the following six-month period", H1_2019, date(2019, 7, 1), date(2019, 12, 31), True),
        ("the next six months", H1_2019, date(2019, 7, 1), date(2019, 12, 31), True),
        ("the previous six months", H1_2019, date(2018, 7, 1), date(2018, 12, 31), True),
        ("the six months before", H1_2019, date(2018, 7, 1), date(2018, 12, 31), True),
        ("the previous 12 months", Y2017, date(2016, 1, 1), date(2016, 12, 31), True),
        ("in the previous 12 month period", Y2017, date(2016, 1, 1), date(2016, 12, 31), True),
        ("over the previous year", Y2017, date(2016, 1, 1), date(2016, 12, 31), True),
        ("the following year", Y2017, date(2018, 1, 1), date(2018, 12, 31), True),
        ("the previous year's", Y2017, date(2016, 1, 1), date(2016, 12, 31), True),
        # after 25 June 2017, inferred as the period it follows is: 26 June to 25 September
        ("over the next quarter", TO_JUNE_25, date(2017, 6, 26), date(2017, 9, 25), False),
        # a length only: the period referred to, which is as long
        ("in six months", H1_2019, date(2019, 1, 1), date(2019, 6, 30), True),
        ("in just six months", H1_2019, date(2019, 1, 1), date(2019, 6, 30), True),
        ("in just three months", TO_JUNE_25, date(2017, 3, 26), date(2017, 6, 25), False),
        ("over the twelve-month period", Y2017, date(2017, 1, 1), date(2017, 12, 31), True),
    ],
)
def test_periods_relative_to_the_figure_referred_to(words, ref, start, end, stated):
    p = parse_period(words, ON_4_APRIL_2018, (ref,))
    assert (p.start, p.end, p.stated) == (start, end, stated)
    assert ref.figure in p.note  # the note names the figure whose period it was read from


@pytest.mark.parametrize(
    ("words", "refs"),
    [
        # July 2017 to January 2018 as whole months is seven months, not six
        ("in the six months between July 2017 and January 2018", ()),
        ("In the following six month period", (JUL_JAN,)),
        ("in six months", (JUL_JAN,)),  # "has risen by 65 percent in six months"
        ("in just six months", (JUL_JAN,)),
        ("the previous 12 month period", (H1_2019,)),
        ("over the next quarter", (H1_2019,)),
    ],
)
def test_a_stated_length_that_disagrees_with_stated_dates_is_refused_as_such(words, refs):
    with pytest.raises(PeriodLengthMismatch, match="gives") as exc:
        parse_period(words, ON_4_APRIL_2018, refs)
    assert exc.value.type == "period-length-mismatch"
    assert "raw/period_readings.csv" in str(exc.value)


def test_the_length_mismatch_message_names_both_readings():
    # worked by hand: "six" is 6 months; July 2017 (from the 1st) to January 2018 (to the 31st) is 7
    # whole months
    with pytest.raises(PeriodLengthMismatch) as exc:
        parse_period("In the following six month period", ON_4_APRIL_2018, (JUL_JAN,))
    assert str(exc.value) == (
        "'In the following six month period' gives 6 months, but the period it follows or precedes "
        "(x-2018-f03, 2017-07-01 to 2018-01-31) is 7 months; write the reading you judge right, of "
        "these words "
        "or of the other figure's, in raw/period_readings.csv, with your reasoning"
    )


@pytest.mark.parametrize(
    ("words", "published", "refs"),
    [
        ("next Tuesday", PUB_2017, ()),
        ("between June 2017 and May 2016", PUB_2017, ()),
        ("last year", (date(2016, 12, 1), date(2017, 2, 1)), ()),  # 2015 or 2016
        ("over the same period", PUB_2017, ()),  # refers to nothing
        ("over the same period", PUB_2017, (H1_2019, Y2017)),  # refers to two periods
        ("in just six months", PUB_2017, ()),  # a length with no dates
        ("on Thursday, 10th February 2017", PUB_2017, ()),  # 10 February 2017 was a Friday
        ("30 February 2017", PUB_2017, ()),
        ("2015-17", PUB_2017, ()),  # not one April to March year
        (
            "the same period in 2016",
            PUB_2017,
            (JUL_JAN,),
        ),  # which months of 2016, of a period over two years?
        ("between November and February 2019", PUB_2017, ()),  # November of which year?
        # relative to a publication date the window does not fix: 1 November and 30 November 2016
        # give different periods
        ("in the last 12 months", NOV_2016, ()),
        ("this year", NOV_2016, ()),
        ("since 2002", NOV_2016, ()),
        (
            "in the three months to June 25",
            (date(2017, 6, 1), date(2017, 7, 31)),
            (),
        ),  # 2016's June 25 or 2017's
    ],
)
def test_unreadable_or_ambiguous_periods_are_refused(words, published, refs):
    with pytest.raises(PeriodParseError) as exc:
        parse_period(words, published, refs)
    assert exc.value.type == "unknown-period"


@pytest.mark.parametrize(
    "words, says",
    [
        ("in just six months", "gives a length but no dates: set period_ref to the one figure"),
        ("over the same period", "refers to another figure's period: set period_ref to exactly"),
        ("the following six month period", "refers to another figure's period"),
    ],
)
def test_words_that_need_one_figure_referred_to_say_what_is_missing_without_one(words, says):
    # none of these words gives dates: each needs the period of the one figure it refers to
    with pytest.raises(PeriodParseError) as exc:
        parse_period(words, NOV_2016)
    assert str(exc.value).startswith(f"{words!r} {says}")


def test_a_publication_window_that_allows_two_readings_is_named_in_the_refusal():
    # 1 November 2016 gives 2 November 2015 to 1 November 2016; 30 November gives 1 December 2015 to
    # 30 November 2016
    with pytest.raises(PeriodParseError) as exc:
        parse_period("in the last 12 months", NOV_2016)
    assert (
        "2015-11-02 to 2016-11-01 for 2016-11-01, 2015-12-01 to 2016-11-30 for 2016-11-30"
        in str(exc.value)
    )


def test_a_note_says_the_publication_date_is_inferred_only_where_it_is():
    assert "itself inferred" in parse_period("last year", FEB_2017).note
    assert (
        "itself inferred"
        not in parse_period("last year", ON_4_APRIL_2018, date_confirmed=True).note
    )


def test_no_words_and_no_reference_is_no_period():
    assert parse_period("", PUB_2017) is None


def test_forms_are_a_flat_table_of_patterns_and_readings():
    assert all(len(row) == 2 and hasattr(row[0], "fullmatch") and callable(row[1]) for row in FORMS)


# -- the dates of each form read back from any way of writing them ---------------------------------

DAYS = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _written(d: date, style: int, year: bool = True) -> str:
    """A day as an article may write it, with the standard library's English names (not the parser's
    list)."""
    month, y = calendar.month_name[d.month], f" {d.year}" if year else ""
    weekday = calendar.day_name[d.weekday()]
    return [
        f"{d.day} {month}{y}",
        f"{_ordinal(d.day)} {month}{y}",
        f"{month} {d.day}{',' if year else ''}{y}",
        f"{weekday}, {_ordinal(d.day)} {month}{y}",
        f"the {_ordinal(d.day)} of {month}{y}",
        f"{d.day} {month[:3]}{y}",
    ][style]


@given(DAYS, st.integers(0, 5), st.sampled_from(["", "on ", "On "]))
def test_a_day_written_any_way_reads_back_as_that_day(d, style, lead):
    p = parse_period(lead + _written(d, style), PUB_2017)
    assert (p.start, p.end, p.stated) == (d, d, True)


@given(
    DAYS, st.sampled_from([0, 1, 2, 4, 5]), st.integers(1, 6)
)  # the styles without a weekday of their own
def test_a_day_with_the_wrong_weekday_is_refused(d, style, shift):
    wrong = calendar.day_name[(d.weekday() + shift) % 7]
    with pytest.raises(PeriodParseError, match="not a"):
        parse_period(f"{wrong}, {_written(d, style)}", PUB_2017)


@given(
    DAYS,
    st.integers(0, 2000),
    st.integers(0, 5),
    st.integers(0, 5),
    st.sampled_from(["between {} and {}", "from {} to {}"]),
)
def test_a_range_of_days_written_any_way_reads_back_as_those_days(d1, gap, s1, s2, frame):
    d2 = d1 + timedelta(days=gap)
    # the first day may leave its year to the second where both are in one year
    first = _written(d1, s1, year=d1.year != d2.year or gap % 2 == 0)
    p = parse_period(frame.format(first, _written(d2, s2)), PUB_2017)
    assert (p.start, p.end, p.stated) == (d1, d2, True)


@given(st.integers(1950, 2090), st.integers(1, 12), st.integers(0, 60))
def test_a_range_of_months_reads_back_as_whole_months(y, m, span):
    a = date(y, m, 1)
    b = date(y + (m - 1 + span) // 12, (m - 1 + span) % 12 + 1, 1)
    words = (
        f"between {calendar.month_name[a.month]} {a.year} and {calendar.month_name[b.month]} "
        f"{b.year}"
    )
    p = parse_period(words, PUB_2017)
    last = date(b.year, b.month, calendar.monthrange(b.year, b.month)[1])
    assert (p.start, p.end) == (a, last)


@given(
    st.integers(1950, 2090),
    st.sampled_from(["{}-{:02d}", "{}/{:02d}", "the {}-{:02d} period", "in {}/{:02d}"]),
)
def test_a_financial_year_reads_back_as_april_to_march(y, form):
    p = parse_period(form.format(y, (y + 1) % 100), PUB_2017)
    assert (p.start, p.end, p.stated) == (date(y, 4, 1), date(y + 1, 3, 31), False)


def _months_after(start: date, n: int) -> date:
    """The last day of n whole months from ``start`` (a month's first day), worked without the
    parser."""
    k = start.month - 1 + n
    return date(start.year + k // 12, k % 12 + 1, 1) - timedelta(days=1)


@given(
    st.integers(1950, 2080),
    st.integers(1, 12),
    st.integers(1, 36),
    st.integers(1, 36),
    st.booleans(),
)
def test_a_period_before_or_after_another_is_as_long_or_refused(y, m, ref_months, n, after):
    ref = Period(date(y, m, 1), _months_after(date(y, m, 1), ref_months), True, "", "x-f01")
    words = f"the {'following' if after else 'previous'} {int_to_words(n)} months"
    if n != ref_months:
        with pytest.raises(PeriodLengthMismatch):
            parse_period(words, PUB_2017, (ref,))
        return
    p = parse_period(words, PUB_2017, (ref,))
    if after:
        assert (p.start, p.end) == (
            ref.end + timedelta(days=1),
            _months_after(ref.end + timedelta(days=1), n),
        )
    else:
        back = date(y + (m - 1 - n) // 12, (m - 1 - n) % 12 + 1, 1)
        assert (p.start, p.end) == (back, ref.start - timedelta(days=1))


@given(st.integers(1950, 2080), st.integers(1, 12), st.integers(1, 36), st.integers(1, 36))
def test_a_length_alone_takes_the_period_referred_to_only_where_it_is_as_long(y, m, ref_months, n):
    ref = Period(date(y, m, 1), _months_after(date(y, m, 1), ref_months), True, "", "x-f01")
    words = f"in just {int_to_words(n)} months"
    if n != ref_months:
        with pytest.raises(PeriodLengthMismatch):
            parse_period(words, PUB_2017, (ref,))
    else:
        p = parse_period(words, PUB_2017, (ref,))
        assert (p.start, p.end) == (ref.start, ref.end)


@given(
    DAYS,
    st.integers(0, 400),
    st.sampled_from(["in the last 12 months", "over the past year", "this year", "since 1950"]),
)
def test_words_relative_to_the_publication_date_are_read_only_where_the_window_fixes_them(
    first, days, words
):
    last = first + timedelta(days=days)
    if days:
        with pytest.raises(PeriodParseError, match="depends on the publication date"):
            parse_period(words, (first, last))
        return
    p = parse_period(words, (first, last))
    assert p.end == first and not p.stated


@given(DAYS, st.integers(0, 800))
def test_last_year_is_read_only_where_the_window_is_in_one_year(first, days):
    last = first + timedelta(days=days)
    if first.year != last.year:
        with pytest.raises(PeriodParseError):
            parse_period("last year", (first, last))
    else:
        p = parse_period("last year", (first, last))
        assert (p.start, p.end) == (date(first.year - 1, 1, 1), date(first.year - 1, 12, 31))


@given(
    st.text(max_size=60),
    st.lists(st.sampled_from([H1_2019, Y2017, JUL_JAN, TO_JUNE_25]), max_size=2),
)
def test_period_parser_never_crashes(words, refs):
    try:
        p = parse_period(words, PUB_2017, tuple(refs))
    except PeriodParseError:
        return
    assert p is None or p.start <= p.end


# -- the reader of clean: hand readings first, period_ref resolved, one problem per fault ----------

FIGURE_COLUMNS = ("figure_id", "source_id", "period", "period_ref")


def _read(tmp_path, figures, readings=(), confirmed=()):
    """The periods PeriodReader gives inline figure rows of one article ("a", published 4 April
    2018), and its problems."""
    fig = Table.from_rows(
        FIGURE_COLUMNS, [dict(zip(FIGURE_COLUMNS, row, strict=True)) for row in figures]
    )
    names = ("source_id", "period", "period_start", "period_end", "reasoning")
    table = Table.from_rows(names, [dict(zip(names, row, strict=True)) for row in readings])
    problems = Collector()
    reader = PeriodReader(
        Paths(tmp_path), vocab.load(), table, {"a": ON_4_APRIL_2018}, set(confirmed), problems
    )
    periods = reader.resolve(fig, {n: fig.column(n) for n in FIGURE_COLUMNS}, "raw/figures.csv")
    return periods, [(p.type, p.line, p.value) for p in problems.problems], reader


def test_the_reader_reports_a_length_mismatch_on_the_figure_whose_words_give_the_length(tmp_path):
    periods, problems, _ = _read(
        tmp_path,
        [
            ("a-f01", "a", "Between July 2017 and January 2018", ""),
            ("a-f02", "a", "In the following six month period", "a-f01"),
            (
                "a-f03",
                "a",
                "",
                "a-f02",
            ),  # its period follows from f02's, which has a problem: no second one
        ],
    )
    assert problems == [("period-length-mismatch", 3, "In the following six month period")]
    assert (periods[0].start, periods[0].end) == (date(2017, 7, 1), date(2018, 1, 31))
    assert periods[1] is None and periods[2] is None


def test_a_hand_reading_settles_a_length_mismatch(tmp_path):
    reading = (
        "a",
        "Between July 2017 and January 2018",
        "2017-07-01",
        "2017-12-31",
        "Six months, as the article says twice.",
    )
    periods, problems, reader = _read(
        tmp_path,
        [
            ("a-f01", "a", "Between July 2017 and January 2018", ""),
            ("a-f02", "a", "In the following six month period", "a-f01"),
        ],
        [reading],
    )
    assert problems == []
    assert reader.used == {0}
    # worked by hand: the six months after 31 December 2017 are January to June 2018
    assert (periods[1].start, periods[1].end, periods[1].stated) == (
        date(2018, 1, 1),
        date(2018, 6, 30),
        False,
    )
    assert "a-f01" in periods[1].note


def test_the_reader_names_the_figure_referred_to_and_keeps_its_basis(tmp_path):
    periods, problems, _ = _read(
        tmp_path,
        [
            ("a-f01", "a", "in 2017", ""),
            ("a-f02", "a", "in the same period", "a-f01"),
            ("a-f03", "a", "last year", ""),
        ],
        confirmed={"a"},
    )
    assert problems == []
    assert (periods[1].start, periods[1].end, periods[1].stated) == (
        date(2017, 1, 1),
        date(2017, 12, 31),
        True,
    )
    assert (
        periods[1].note
        == "'in the same period': the period of the figure referred to (a-f01, 2017-01-01 to "
        "2017-12-31)"
    )
    assert (
        periods[2].note
        == "'last year': the calendar year before the article's publication year (2018)"
    )
