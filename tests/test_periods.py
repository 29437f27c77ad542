"""Period words to ISO dates, worked by hand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stopitnow_figures.periods import Period, PeriodParseError, parse_period

PUB_2017 = (date(2017, 12, 14), date(2017, 12, 15))


@pytest.mark.parametrize(
    ("words", "published", "start", "end", "basis"),
    [
        ("in 2016", PUB_2017, date(2016, 1, 1), date(2016, 12, 31), "stated"),
        ("last year", (date(2017, 2, 6), date(2017, 2, 17)), date(2016, 1, 1), date(2016, 12, 31), "inferred"),
        ("last month", (date(2016, 11, 1), date(2016, 11, 30)), date(2016, 10, 1), date(2016, 10, 31), "inferred"),
        ("between October 2015 and September 2016", PUB_2017, date(2015, 10, 1), date(2016, 9, 30), "stated"),
        ("between January and June this year", (date(2019, 7, 1), date(2019, 12, 31)), date(2019, 1, 1), date(2019, 6, 30), "inferred"),
        ("in the first half of this year", (date(2019, 7, 1), date(2019, 12, 31)), date(2019, 1, 1), date(2019, 6, 30), "inferred"),
        ("in the three months to June 25", PUB_2017, date(2017, 3, 26), date(2017, 6, 25), "inferred"),
        ("in the three months to the end of May", PUB_2017, date(2017, 3, 1), date(2017, 5, 31), "inferred"),
    ],
)
def test_periods_worked_by_hand(words, published, start, end, basis):
    p = parse_period(words, published)
    assert (p.start, p.end, p.stated) == (start, end, basis == "stated")
    assert words in p.note or repr(words) in p.note


def test_relative_periods_follow_their_reference():
    q2 = Period(date(2017, 3, 26), date(2017, 6, 25), "inferred", "")
    nxt = parse_period("over the next quarter", PUB_2017, (q2,))
    assert (nxt.start, nxt.end) == (date(2017, 6, 26), date(2017, 9, 25))
    same = parse_period("over the same period", PUB_2017, (q2,))
    assert (same.start, same.end) == (q2.start, q2.end)


def test_no_words_and_no_reference_is_no_period():
    assert parse_period("", PUB_2017) is None


@pytest.mark.parametrize("words", ["next Tuesday", "between June 2017 and May 2016", "last year", "over the same period"])
def test_unreadable_or_ambiguous_periods_are_refused(words):
    with pytest.raises(PeriodParseError):
        parse_period(words, (date(2016, 12, 1), date(2017, 2, 1)))


@given(st.text(max_size=60))
def test_period_parser_never_crashes(words):
    try:
        p = parse_period(words, PUB_2017)
    except PeriodParseError:
        return
    assert p is None or p.start <= p.end
