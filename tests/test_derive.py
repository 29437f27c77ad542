"""Derived values and claim verdicts, each worked out by hand from the article text.

Derived metrics are computed from reconciled quantities (tests/test_reconcile.py works those out); the
reconciled intervals used below, each by hand:

- Glasgow's first 12 months: [309, 322] (555 / 1.8 = 308.3 and 555 / 1.72 = 322.7 from "almost 80 per
  cent"), its value "around 300" clipped to 309;
- the National's quarters: [543, 560] (950 / 1.75 = 542.9) with value 560, and [950, 980] (560 x 1.75);
- Dorset's first half of 2018: 373 less a round 100 (50 to 150), [223, 323], value 273 (its middle);
- the South West's 2018: [223, 1846] (at least Dorset's 223; at most 3,693 / 2), value 1,035 (its middle,
  1,034.5, rounded half up);
- the UK's 2016 estimate: [100,000, 110,000] ("at least 100,000", "an estimated 100,000"), value 100,000;
  CEOP's: [45,455, 50,000] (100,000 / 2.2 = 45,454.5), value 50,000.
"""

from __future__ import annotations

import pytest

from conftest import ROOT, read_csv


def num(cell):
    return None if cell == "" else float(cell)


# metric: (value, lower, upper), by hand
EXPECTED = {
    "herald-calls-per-month": (6.5, 6.5, 6.5),  # 78 / 12
    "national-visitors-change": (390, 950 - 560, 980 - 543),
    "national-calls-change": (25, 25, 25),  # 55 - 30
    "bournemouthecho-dorset-pct-change": (100 / 273 * 100, 50 / 323 * 100, 150 / 223 * 100),  # 36.6% [15.5, 67.3]
    "pop-dorset-police-force-area-2019": (773839,) * 3,  # 378,508 + 395,331
    "wigantoday-share-other-person": (7 / 43 * 100,) * 3,
    "wigantoday-estimates-change": (50000, 100000 - 50000, 110000 - 45455),  # the 2016 estimate less CEOP's
    "eveningtimes-scotland-share-uk": (3579 / 43000 * 100, 0, 3579 / 43000 * 100),
    "eveningtimes-monthly-pct-change": (
        (555 / 10) / (309 / 12) * 100 - 100,
        (555 / 10) / (322 / 12) * 100 - 100,
        (555 / 10) / (309 / 12) * 100 - 100,
    ),
    "bournemouthecho-dorset-per-month": (373 / 6,) * 3,
    "wigantoday-calls-per-month": (3, 3, 3),  # 36 / 12
    "eveningtimes-first-year-per-month": (309 / 12, 309 / 12, 322 / 12),  # the reconciled first year over 12 months
    "eveningtimes-last-10-months-per-month": (55.5,) * 3,  # 555 / 10
    "national-visitors-per-month-q2": (560 / 3, 543 / 3, 560 / 3),
    "national-visitors-per-month-q3": (950 / 3, 950 / 3, 980 / 3),
    "eveningtimes-edinburgh-share": (791 / 3579 * 100,) * 3,
    "eveningtimes-dundee-share": (173 / 3579 * 100,) * 3,
}

# Rates: each count quantity of a flow with a place, a period and a population estimate, as
# (value, lower, upper) of the count, the estimate (for the year of the period's midpoint, or the nearest),
# and the period's months. Estimates: Scotland 5,404,700 (2016) and 5,424,800 (2017); UK 65,648,000 (2016);
# Greater Manchester 2,782,141 (2016 only); the Dorset Police force area 773,839 and the South West
# 5,624,696 (2019 only); Glasgow 615,070, Edinburgh 507,170 and Dundee 148,270 (2016 only: the 2017 rows had no address).
RATED = {
    "dorset-2018h1-help-seekers": ((273, 223, 323), 773839, 6),  # Jan-Jun 2018: nearest 2019
    "dorset-2019h1-help-seekers": ((373,) * 3, 773839, 6),
    "south-west-2018h1-help-seekers": ((1035, 223, 1846), 5624696, 6),
    "south-west-2019h1-help-seekers": ((3693,) * 3, 5624696, 6),
    "glasgow-2015-17-website-visitors": ((836,) * 3, 615070, 22),  # Oct 2015 - Jul 2017: midpoint in 2016
    "glasgow-2015-16-website-visitors": ((309, 309, 322), 615070, 12),
    "glasgow-2016-17-website-visitors": ((555,) * 3, 615070, 10),  # Oct 2016 - Jul 2017: midpoint in 2017, nearest 2016
    "edinburgh-2015-17-website-visitors": ((791,) * 3, 507170, 22),
    "dundee-2015-17-website-visitors": ((173,) * 3, 148270, 22),
    "scotland-2015-17-website-visitors": ((3579,) * 3, 5404700, 22),
    "uk-2015-17-website-visitors": ((43000, 43000, None), 65648000, 22),  # more than 43,000
    "scotland-2016-helpline-own-callers": ((78, 72, 78), 5404700, 12),  # "Nearly 80 men", no more than the 78 calls
    "scotland-2016-helpline-own-calls": ((78,) * 3, 5404700, 12),
    "scotland-2016-helpline-other-callers": ((28,) * 3, 5404700, 12),
    "scotland-2016-website-visits": ((1500, 1500, None), 5404700, 12),  # more than 1,500
    "scotland-2016-people-charged": ((640, 576, 704), 5404700, 12),  # around 640
    "uk-2016-helpline-calls": ((1504,) * 3, 65648000, 12),
    "scotland-2017-mar-may-callers": ((30,) * 3, 5424800, 3),
    "scotland-2017-jun-aug-callers": ((55,) * 3, 5424800, 3),
    "scotland-2017q2-website-visitors": ((560, 543, 560), 5424800, 3),  # 26 March to 25 June
    "scotland-2017q3-website-visitors": ((950, 950, 980), 5424800, 3),
    "scotland-2017q3-help-seekers": ((1000, 950, 1000), 5424800, 3),  # "ALMOST 1000", at least the quarter's visitors
    "greater-manchester-2015-16-helpline-own-callers": ((36,) * 3, 2782141, 12),
    "greater-manchester-2015-16-helpline-other-callers": ((7,) * 3, 2782141, 12),
    # the calls of Greater Manchester (2014-15 and 2015-16) and of Scotland (March-May and June-August 2017): no
    # figure gives them, and they are known only from below, so their rates have a lower end and no point. Each is
    # at least its callers (each caller made a call): 36 in 2015-16; 2014-15 at least 36 / 1.445 = 24.9, so 25 (the
    # 2015-16 calls are at least 36 and "a 44% increase" is at most 44.5 per cent); Scotland's 30 and 55 (March-May
    # is also at least 55 / 1.85 = 29.7 through "an 80 per cent jump", which 30 already exceeds). Oct 2014 - Sep
    # 2015 has its midpoint in 2015, nearest estimate 2016.
    "greater-manchester-2015-16-helpline-calls": ((None, 36, None), 2782141, 12),
    "greater-manchester-2014-15-helpline-calls": ((None, 25, None), 2782141, 12),
    "scotland-2017-mar-may-calls": ((None, 30, None), 5424800, 3),
    "scotland-2017-jun-aug-calls": ((None, 55, None), 5424800, 3),
    "greater-manchester-2015-16-website-visitors": ((200, 200, 999), 2782141, 12),  # "hundreds"
}
for _q, ((_v, _lo, _hi), _pop, _months) in RATED.items():
    _rate = tuple(None if x is None else x / _pop * 1e5 for x in (_v, _lo, _hi))
    EXPECTED[f"rate-{_q}"] = _rate
    EXPECTED[f"rate-per-month-{_q}"] = tuple(None if x is None else x / _months for x in _rate)


def test_every_derived_row_is_worked_by_hand(derived):
    assert set(derived) == set(EXPECTED)


@pytest.mark.parametrize("mid", sorted(EXPECTED))
def test_derived_values_worked_by_hand(mid, derived):
    row = derived[mid]
    for got, want in zip((num(row["value"]), num(row["lower"]), num(row["upper"])), EXPECTED[mid], strict=False):
        assert (got is None and want is None) or got == pytest.approx(want, rel=1e-8)


def test_no_rate_is_made_of_a_stock_or_a_relation(derived):
    # the estimates of offenders (50,000, 80,000, 100,000, "up to half a million") are stocks, not flows
    for stock in ("uk-2016-people-viewing-estimate", "uk-ceop-estimate", "uk-2018-nca-estimate", "scotland-scale-of-the-problem"):
        assert f"rate-{stock}" not in derived and f"rate-per-month-{stock}" not in derived
    assert "rate-glasgow-share-of-scotland-website-visitors" not in derived


def test_a_monthly_rate_of_distinct_people_says_what_it_is_not(derived):
    words = derived["rate-per-month-glasgow-2015-17-website-visitors"]["description"]
    assert "22 months" in words and "Distinct people" in words and "counted once" in words
    calls = derived["rate-per-month-scotland-2016-helpline-own-calls"]["description"]
    assert "counted as events" in calls and "counted once" not in calls


VERDICTS = {
    "herald-dozens": "consistent",  # the rest: [72, 78] ("Nearly 80", no more than 78 calls) meets [24, 99]
    "herald-nearly-80": "consistent",  # the rest: [24, 78] meets [72, 80]
    "herald-share": "consistent",  # 78 / 1,504 = 5.19% in [4.5, 5.5]
    "herald-double": "consistent",  # across articles: [100,000, 110,000] / at most 50,000 is at least 2; [1.8, 2.2] fits
    "national-almost-1000": "consistent",  # at least the quarter's 950 visitors; [900, 1000] fits
    "national-visitors-rise": "consistent",  # at least 950 / 560 - 1 = 69.6%; [69.5, 70.5] fits
    # a rise of calls: the calls are at least the 30 and 55 people who called, with nothing above, so any rise
    # from -100% up fits: 40% and 160% as well as 80%
    "national-calls-jump": "not_checkable",
    "bournemouthecho-nearly-400": "consistent",  # 373 in [360, 400]
    "bournemouthecho-100-more": "not_checkable",  # no 2018 count: 50 or 200 more would fit as well
    "bournemouthecho-doubling": "not_checkable",  # no 2018 figure for the south west
    "bournemouthecho-dorset-within-south-west": "consistent",  # 373 at most 3,693
    "wigantoday-dozens": "consistent",  # 36 in [24, 99]
    # "the number received" of the local calls: at least 36 calls in 2015-16 (the 36 who called), nothing
    # above, and no count for 2014-15: 22% and 88% fit as well as 44%
    "wigantoday-44-percent": "not_checkable",
    "eveningtimes-hundreds": "consistent",  # 836 in [200, 999]
    "eveningtimes-more-than-800": "consistent",
    "eveningtimes-a-third": "inconsistent",  # 23.4% vs [30, 36.7]
    "eveningtimes-highest-city": "consistent",  # 836 at least Edinburgh's 791
    "eveningtimes-total": "consistent",  # the rest: "More than 800" and at most 322 + 555 = 877
    "eveningtimes-around-300": "consistent",  # the rest: [309, 322] meets [270, 330]
    "eveningtimes-almost-80-percent": "consistent",  # the rest: first year [281, 330], rise [68.2, 97.5] meets [72, 80]
    "eveningtimes-10-times": "not_checkable",
}


def test_every_claim_has_a_hand_worked_verdict(claims):
    assert {k: v["verdict"] for k, v in claims.items()} == VERDICTS


def test_the_third_claim_explains_what_was_compared(claims):
    c = claims["eveningtimes-a-third"]
    assert float(c["computed"]) == pytest.approx(836 / 3579 * 100)
    assert "836" in c["explanation"] and "does not fit" in c["explanation"]


def test_the_almost_80_claim_is_decided_on_the_first_year_the_rest_allows(claims):
    c = claims["eveningtimes-almost-80-percent"]
    # without "almost 80", the first year is at least 836 - 555 = 281 (distinct people) and at most 330
    # ("around 300"): a rise from 555 / 330 - 1 = 68.18% to 555 / 281 - 1 = 97.51%
    assert (float(c["lower"]), float(c["upper"])) == pytest.approx((555 / 330 * 100 - 100, 555 / 281 * 100 - 100))
    words = c["explanation"]
    assert "281" in words and "97.5 per cent" in words and "12 and 10 months" in words
    # what the distinct counting needs: a first year of 309 to 322 means 309 + 555 - 836 = 28 to 41 in both periods
    assert "[28, 41]" in words and "counted as events (none), it would not" in words
    assert "evening-times-glasgow-total-of-its-periods" in words


def test_the_44_percent_claim_is_a_rise_of_calls_not_of_callers(claims):
    c = claims["wigantoday-44-percent"]
    assert c["computed"] == "" and float(c["lower"]) == -100 and c["upper"] == ""  # the rest alone allows any rise
    # the rise compares calls, which are at least the 36 callers: no whole number of callers decides it
    assert c["inputs"].split() == ["greater-manchester-2015-16-helpline-calls", "greater-manchester-2014-15-helpline-calls"]


def test_every_input_resolves_and_nothing_depends_on_itself(derived, claims, figures):
    population = {r["population_id"] for r in read_csv(ROOT / "processed" / "population.csv")}
    quantities = {r["quantity_id"] for r in read_csv(ROOT / "processed" / "quantities.csv")}
    known = quantities | set(derived) | population
    graph = {m: r["inputs"].split() for m, r in derived.items()}
    for rows in (derived.values(), claims.values()):
        for r in rows:
            assert r["inputs"] and set(r["inputs"].split()) <= known
            assert not set(r["inputs"].split()) & set(figures)  # formulas name quantities, never single mentions

    def reaches(start, target, seen=()):
        return any(i == target or (i in graph and i not in seen and reaches(i, target, (*seen, i))) for i in graph.get(start, []))

    assert not [m for m in graph if reaches(m, m)]
