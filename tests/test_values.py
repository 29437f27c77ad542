"""Numbers as written: hand-worked values and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from numwords import int_to_words
from stopitnow_figures.model.values import NumberReader, ValueParseError, find_number
from stopitnow_figures.tables import vocab

WIDTHS = {
    "approximately": {"share": 0.1, "units": 10},
    "estimated": {"share": 0.1, "units": 10},
    "nearly": {"share": 0.1, "units": 3},
}
VAGUE = {
    "dozens": [24, 99],
    "hundreds": [200, 999],
    "thousands": [2000, 9999],
    "tens of thousands": [20000, 99999],
}
PARAMS = {
    "hedge_widths": WIDTHS,
    "word_multiple_width": 0.1,
    "coarse_rounding": True,
    "vague_ranges": VAGUE,
}
READER = NumberReader(vocab.load(), PARAMS)
parse_as_written, interval = READER.parse, READER.interval


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "lower", "upper"),
    [
        ("1,504", 1504, "exact", 1504, 1504),
        ("seven", 7, "exact", 7, 7),
        ("Nearly 80", 80, "nearly", 72, 80),
        # "Just under": the narrower of 10 per cent (56) and 3 units of the last significant digit
        # (3 x 10)
        ("Just under 560", 560, "nearly", 530, 560),
        ("almost 185,000", 185000, "nearly", 182000, 185000),  # 3 x 1,000, not 18,500
        (
            "ALMOST 1000",
            1000,
            "nearly",
            900,
            1000,
        ),  # one significant digit: 10 per cent (100), not 3 x 1,000
        ("more than 1,500", 1500, "more_than", 1500, None),
        ("at least 100,000", 100000, "at_least", 100000, None),
        ("an estimated 100,000", 100000, "estimated", 90000, 110000),
        ("around 640", 640, "approximately", 576, 704),  # 10 per cent (64), not 10 x 10
        (
            "around 1,530",
            1530,
            "approximately",
            1430,
            1630,
        ),  # 10 units of 10 (100), not 10 per cent (153)
        ("around 300", 300, "approximately", 270, 330),
        ("as many as 50,000", 50000, "up_to", None, 50000),
        ("up to half a million", 500000, "up_to", None, 500000),
        ("5 per cent", 5, "rounded", 4.5, 5.5),
        ("44%", 44, "rounded", 43.5, 44.5),
        ("70 per cent", 70, "rounded", 65, 75),  # its last significant digit is the tens: 70 +/- 5
        ("almost 80 per cent", 80, "nearly", 72, 80),
        ("double", 2, "rounded", 1.8, 2.2),  # a word for a ratio near 2: 2 +/- 10 per cent
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


@pytest.mark.parametrize(
    "text", ["", "lots", "nearly", "80 80", "maybe some", "1,50", "seventy seventy"]
)
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
    st.sampled_from(
        [
            "nearly",
            "almost",
            "just under",
            "more than",
            "at least",
            "around",
            "an estimated",
            "as many as",
            "up to",
            "",
        ]
    ),
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


def test_a_rounded_number_read_strictly_is_rounded_to_its_last_written_digit():
    p = parse_as_written("70 per cent")
    assert READER.published_interval(p, strict=True) == (70, 69.5, 70.5)


@pytest.mark.parametrize(
    ("text", "reading", "lower", "upper"),
    [
        (
            "100",
            "round",
            50,
            150,
        ),  # an unhedged round count: half a unit of its hundreds digit either side
        ("as much as 10 times", "lower 1", 1, 10),  # "goes way beyond that": at least one times
        ("78", "", 78, 78),
    ],
)
def test_curated_readings_worked_by_hand(text, reading, lower, upper):
    _, value, lo, hi = READER.read(text, reading)
    assert (lo, hi) == (lower, upper)


@pytest.mark.parametrize(
    ("text", "reading"),
    [("Nearly 80", "round"), ("10", "lower 20"), ("5", "higher 2"), ("5", "lower x")],
)
def test_a_reading_that_does_not_fit_the_number_is_refused(text, reading):
    with pytest.raises(ValueParseError):
        READER.read(text, reading)
