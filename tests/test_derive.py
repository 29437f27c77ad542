"""Derived metrics and claim checks beyond what tests/expected/ holds for each (their values and
verdicts are worked out by hand there, per source): no rate of a stock or a relation, what a rate's
words say, what a claim's explanation compares (each number worked out in its comment), and that
every input resolves."""

from __future__ import annotations

import pytest

from conftest import ROOT, read_csv

pytestmark = pytest.mark.data


def test_no_rate_is_made_of_a_stock_or_a_relation(derived):
    # the estimates of offenders (50,000, 80,000, 100,000, "up to half a million") are stocks, not
    # flows
    for stock in (
        "uk-2016-people-viewing-estimate",
        "uk-ceop-estimate",
        "uk-2018-nca-estimate",
        "scotland-scale-of-the-problem",
    ):
        assert f"rate-{stock}" not in derived and f"rate-per-month-{stock}" not in derived
    assert "rate-glasgow-share-of-scotland-website-visitors" not in derived


def test_a_monthly_rate_of_distinct_people_says_what_it_is_not(derived):
    words = derived["rate-per-month-glasgow-2015-17-website-visitors"]["description"]
    assert "22 months" in words and "Distinct people" in words and "counted once" in words
    calls = derived["rate-per-month-scotland-2016-helpline-own-calls"]["description"]
    assert "counted as events" in calls and "counted once" not in calls


def test_the_third_claim_explains_what_was_compared(claims):
    c = claims["eveningtimes-a-third"]
    assert float(c["computed"]) == pytest.approx(836 / 3579 * 100)
    assert "836" in c["explanation"] and "does not fit" in c["explanation"]


def test_the_almost_80_claim_is_decided_on_the_first_year_the_rest_allows(claims):
    c = claims["eveningtimes-almost-80-percent"]
    # without "almost 80", the first year is at least 836 - 555 = 281 (distinct people) and at most
    # 330 ("around 300"): a rise from 555 / 330 - 1 = 68.18% to 555 / 281 - 1 = 97.51%
    assert (float(c["lower"]), float(c["upper"])) == pytest.approx(
        (555 / 330 * 100 - 100, 555 / 281 * 100 - 100)
    )
    words = c["explanation"]
    assert "281" in words and "97.5 per cent" in words and "12 and 10 months" in words
    # what the distinct counting needs: a first year of 309 to 322 means 309 + 555 - 836 = 28 to 41
    # in both periods
    assert "[28, 41]" in words and "counted as events (none), it would not" in words
    assert "evening-times-glasgow-total-of-its-periods" in words


def test_the_44_percent_claim_is_a_rise_of_calls_not_of_callers(claims):
    c = claims["wigantoday-44-percent"]
    assert (
        c["computed"] == "" and float(c["lower"]) == -100 and c["upper"] == ""
    )  # the rest alone allows any rise
    # the rise compares calls, which are at least the 36 callers: no whole number of callers decides
    # it
    assert c["inputs"].split() == [
        "greater-manchester-2015-16-helpline-calls",
        "greater-manchester-2014-15-helpline-calls",
    ]


def test_every_input_resolves_and_nothing_depends_on_itself(derived, claims, figures):
    population = {r["population_id"] for r in read_csv(ROOT / "processed" / "population.csv")}
    quantities = {r["quantity_id"] for r in read_csv(ROOT / "processed" / "quantities.csv")}
    known = quantities | set(derived) | population
    graph = {m: r["inputs"].split() for m, r in derived.items()}
    for rows in (derived.values(), claims.values()):
        for r in rows:
            assert r["inputs"] and set(r["inputs"].split()) <= known
            assert not set(r["inputs"].split()) & set(
                figures
            )  # formulas name quantities, never single mentions

    def reaches(start, target, seen=()):
        return any(
            i == target or (i in graph and i not in seen and reaches(i, target, (*seen, i)))
            for i in graph.get(start, [])
        )

    assert not [m for m in graph if reaches(m, m)]
