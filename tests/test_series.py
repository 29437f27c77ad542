"""Series by rule, on small fixtures: what makes quantities one series, how periods align, where
gaps are."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stopitnow_figures.model import series
from stopitnow_figures.model.periods import add_months
from stopitnow_figures.tables import vocab

V = vocab.load()


def q(
    qid: str,
    start: str,
    end: str,
    measure="help_seekers",
    unit="people",
    counting="distinct",
    code="E23000039",
) -> dict:
    return {
        "quantity_id": qid,
        "measure": measure,
        "unit": unit,
        "counting": counting,
        "geography_code": code,
        "period_start": start,
        "period_end": end,
    }


@pytest.mark.parametrize(
    ("start", "end", "name"),
    [
        ("2016-01-01", "2016-12-31", "calendar year"),
        ("2015-04-01", "2016-03-31", "April-March year"),
        ("2019-07-01", "2019-12-31", "half-year"),
        ("2017-10-01", "2017-12-31", "calendar quarter"),
        ("2017-02-01", "2017-02-28", "month"),
        ("2015-10-01", "2016-09-30", "12 months from October"),  # Wigan Today's year to September
        (
            "2017-03-01",
            "2017-05-31",
            "3 months from March",
        ),  # The National's "three months to the end of May"
        (
            "2017-03-26",
            "2017-06-25",
            "3 months from day 26 of March",
        ),  # "the three months to June 25"
    ],
)
def test_a_period_s_alignment_is_named_by_its_length_and_start(start, end, name):
    aligned = series.alignment_of(date.fromisoformat(start), date.fromisoformat(end))
    assert aligned is not None and aligned.name == name


@pytest.mark.parametrize(
    ("start", "end"),
    [("2015-10-01", "2017-07-31"), ("2019-01-01", "2019-06-29"), ("2017-01-30", "2017-02-27")],
)
def test_a_period_that_is_no_whole_number_of_months_of_a_cycle_has_no_alignment(start, end):
    # 22 months (October 2015 to July 2017); six months less a day; from the 30th, which not every
    # month has
    assert series.alignment_of(date.fromisoformat(start), date.fromisoformat(end)) is None


@given(
    st.dates(date(2000, 1, 1), date(2030, 12, 31)).filter(lambda d: d.day <= 28),
    st.sampled_from([1, 2, 3, 4, 6, 12]),
)
def test_the_next_period_of_an_alignment_has_the_same_alignment(start, months):
    end = add_months(start, months) - date.resolution
    aligned = series.alignment_of(start, end)
    following = aligned.next_start(start)
    assert following == end + date.resolution
    assert series.alignment_of(following, aligned.end_of(following)) == aligned


def test_half_years_of_one_place_are_one_series_and_the_missing_half_is_a_gap():
    # by hand: January-June 2018 and January-June 2019 are half-years; between them July-December
    # 2018 is missing
    keys, members = series.build(
        V, [q("a", "2019-01-01", "2019-06-30"), q("b", "2018-01-01", "2018-06-30")]
    )
    assert list(keys) == ["series-e23000039-help-seekers-people-distinct-half-year"]
    assert [(m.period_start.isoformat(), m.quantity_id) for m in members] == [
        ("2018-01-01", "b"),
        ("2018-07-01", ""),
        ("2019-01-01", "a"),
    ]


@pytest.mark.parametrize(
    "other",
    [
        q("x", "2018-01-01", "2018-12-31"),  # a year, not a half-year
        q("x", "2018-02-01", "2018-07-31"),  # six months from February: another alignment
        q("x", "2018-07-01", "2018-12-31", unit="calls", counting="events"),  # calls are not people
        q("x", "2018-07-01", "2018-12-31", counting="events"),  # another counting
        q(
            "x", "2018-07-01", "2018-12-31", measure="website_visitors"
        ),  # another measure, and channel
        q("x", "2018-07-01", "2018-12-31", code="E12000009"),  # another place
    ],
)
def test_what_differs_in_definition_is_not_the_same_series(other):
    keys, members = series.build(
        V, [q("a", "2018-01-01", "2018-06-30"), q("b", "2019-01-01", "2019-06-30"), other]
    )
    assert "x" not in {m.quantity_id for m in members}


def test_stocks_relations_and_quantities_without_a_place_or_period_are_in_no_series():
    rows = [
        q("s1", "2016-01-01", "2016-12-31", measure="estimated_offenders"),
        q("s2", "2018-01-01", "2018-12-31", measure="estimated_offenders"),
        q(
            "r1",
            "2016-01-01",
            "2016-12-31",
            measure="percentage_change",
            unit="percent",
            counting="relation",
        ),
        q(
            "r2",
            "2017-01-01",
            "2017-12-31",
            measure="percentage_change",
            unit="percent",
            counting="relation",
        ),
        q("n1", "", ""),
        q("n2", "2016-01-01", "2016-12-31", code=""),
    ]
    assert series.build(V, rows) == ({}, [])


def test_a_single_quantity_is_no_series():
    assert series.build(V, [q("a", "2018-01-01", "2018-06-30")]) == ({}, [])


def test_two_quantities_of_one_series_and_period_are_refused_by_name():
    with pytest.raises(
        series.SeriesClash,
        match="a and b are both series-e23000039-help-seekers-people-distinct-half-year",
    ):
        series.build(V, [q("a", "2018-01-01", "2018-06-30"), q("b", "2018-01-01", "2018-06-30")])


def test_the_series_id_is_made_from_its_defining_columns_alone():
    one = series.build(V, [q("a", "2018-01-01", "2018-06-30"), q("b", "2018-07-01", "2018-12-31")])[
        0
    ]
    other = series.build(
        V, [q("c", "2020-01-01", "2020-06-30"), q("d", "2016-07-01", "2016-12-31")]
    )[0]
    assert list(one) == list(other)  # other quantities, other years: the same series
