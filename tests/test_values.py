"""Numbers as written: hand-worked values and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from numwords import int_to_words
from stopitnow_figures import vocab
from stopitnow_figures.values import NumberReader, ValueParseError, find_number

WIDTHS = {"approximately": 0.1, "estimated": 0.1, "nearly": 0.1}
VAGUE = {"dozens": [24, 99], "hundreds": [200, 999], "thousands": [2000, 9999], "tens of thousands": [20000, 99999]}
READER = NumberReader(vocab.load(), WIDTHS, VAGUE)
parse_as_written, interval = READER.parse, READER.interval


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "lower", "upper"),
    [
        ("1,504", 1504, "exact", 1504, 1504),
        ("seven", 7, "exact", 7, 7),
        ("Nearly 80", 80, "nearly", 72, 80),
        ("Just under 560", 560, "nearly", 504, 560),
        ("more than 1,500", 1500, "more_than", 1500, None),
        ("at least 100,000", 100000, "at_least", 100000, None),
        ("an estimated 100,000", 100000, "estimated", 90000, 110000),
        ("around 640", 640, "approximately", 576, 704),
        ("as many as 50,000", 50000, "up_to", None, 50000),
        ("up to half a million", 500000, "up_to", None, 500000),
        ("5 per cent", 5, "rounded", 4.5, 5.5),
        ("44%", 44, "rounded", 43.5, 44.5),
        ("almost 80 per cent", 80, "nearly", 72, 80),
        ("double", 2, "rounded", 1.5, 2.5),
        ("more than doubling", 2, "more_than", 2, None),
        ("as much as 10 times", 10, "up_to", None, 10),
        ("DOZENS", 24, "vague", 24, 99),
        ("tens of thousands", 20000, "vague", 20000, 99999),
    ],
)
def test_values_worked_by_hand(text, value, qualifier, lower, upper):
    p = parse_as_written(text)
    assert p.qualifier == qualifier
    v, lo, hi = interval(p)
    assert v == pytest.approx(value)
    assert (lo is None and lower is None) or lo == pytest.approx(lower)
    assert (hi is None and upper is None) or hi == pytest.approx(upper)


def test_a_third_is_a_fraction():
    p = parse_as_written("Around a third")
    assert (p.kind, p.qualifier) == ("fraction", "approximately")
    assert p.value == pytest.approx(1 / 3)


@pytest.mark.parametrize("text", ["", "lots", "nearly", "80 80", "maybe some", "1,50", "seventy seventy"])
def test_unreadable_numbers_are_refused(text):
    with pytest.raises(ValueParseError):
        parse_as_written(text)


@given(st.text(max_size=40))
def test_parser_never_crashes(text):
    try:
        p = parse_as_written(text)
    except ValueParseError:
        return
    assert p.qualifier and p.kind


@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separators_round_trip(n):
    assert parse_as_written(f"{n:,}").value == n
    assert parse_as_written(str(n)).value == n


@given(st.integers(min_value=0, max_value=999_999_999))
def test_number_words_round_trip(n):
    assert parse_as_written(int_to_words(n)).value == n


@given(
    st.sampled_from(["nearly", "almost", "just under", "more than", "at least", "around", "an estimated", "as many as", "up to", ""]),
    st.integers(min_value=1, max_value=10**7),
)
def test_a_hedge_interval_contains_or_bounds_its_value(hedge, n):
    p = parse_as_written(f"{hedge} {n:,}".strip())
    v, lo, hi = interval(p)
    assert v == n
    assert lo is None or lo <= v
    assert hi is None or v <= hi
    if p.qualifier in ("more_than", "at_least"):
        assert (lo, hi) == (n, None)  # bounded below only
    if p.qualifier == "up_to":
        assert (lo, hi) == (None, n)  # bounded above only


@pytest.mark.parametrize(
    ("quote", "written", "at"),
    [
        ("78 calls were made", "78", 0),
        ("78 calls were made", "8", -1),  # inside a longer number
        ("anyone who is concerned", "one", -1),  # inside a word
        ("an estimated 100,000 people", "100", -1),  # the first group of a longer number
        ("an estimated 100,000 people", "an estimated 100,000", 0),
        ("5.5 per cent", "5", -1),
        ("compared to Edinburgh\u2019s 791", "791", 24),
        ("a further seven adults", "seven", 10),
        ("the 1,504 calls", "1,504", 4),
        ("in 2016.", "2016", 3),
    ],
)
def test_a_number_as_written_is_whole_words_of_its_quote(quote, written, at):
    assert find_number(quote, written) == at
