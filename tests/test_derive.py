"""Derived values and claim verdicts, each worked out by hand from the article text."""

from __future__ import annotations

import pytest

from conftest import ROOT, read_csv


def num(cell):
    return None if cell == "" else float(cell)


# metric: (value, lower, upper), by hand
EXPECTED = {
    "herald-share-scotland-calls": (78 / 1504 * 100, 78 / 1504 * 100, 78 / 1504 * 100),  # 5.19%
    "herald-calls-per-month": (6.5, 6.5, 6.5),  # 78 / 12
    "herald-estimate-2012-implied": (50000, 90000 / 2.2, 110000 / 1.8),  # an estimated 100,000 / double (1.8 to 2.2)
    "national-visitors-change": (390, 390, None),  # more than 950 - just under 560
    "national-visitors-pct-change": ((950 / 560 - 1) * 100, (950 / 560 - 1) * 100, None),
    "national-calls-change": (25, 25, 25),  # 55 - 30
    "national-calls-pct-change": (250 / 3, 250 / 3, 250 / 3),  # 83.3%
    "bournemouthecho-dorset-2018-implied": (273, 373 - 150, 373 - 50),  # 373 - a round 100 (50 to 150)
    "bournemouthecho-dorset-pct-change": (100 / 273 * 100, 50 / 323 * 100, 150 / 223 * 100),  # 36.6% [15.5, 67.3]
    "bournemouthecho-south-west-2018-bound": (1846.5, 0, 1846.5),  # 3,693 / more than 2
    "pop-dorset-police-force-area-2019": (773839,) * 3,  # 378,508 + 395,331
    "wigantoday-previous-12-months-implied": (25, 36 / 1.445, 36 / 1.435),  # 36 / 1.44
    "wigantoday-share-other-person": (7 / 43 * 100,) * 3,
    "wigantoday-estimates-change": (50000, 50000, None),  # at least 100,000 - as many as 50,000
    "eveningtimes-glasgow-share": (836 / 3579 * 100,) * 3,  # 23.4%, not "around a third"
    "eveningtimes-first-year-implied": (281, 281, 281),  # 836 - 555
    "eveningtimes-pct-change": (85, 555 / 330 * 100 - 100, 555 / 270 * 100 - 100),
    "eveningtimes-monthly-pct-change": (122, (555 / 10) / (330 / 12) * 100 - 100, (555 / 10) / (270 / 12) * 100 - 100),
    "eveningtimes-scotland-share-uk": (3579 / 43000 * 100, 0, 3579 / 43000 * 100),
    "eveningtimes-scale-implied": (6400, 576, 7040),  # around 640 * (way beyond 1, as much as 10) times
    # rates: 78 / 5,404,700 * 100,000; 836 / 615,070 * 100,000 (mid-2016, the midpoint year of Oct 2015 - Jul 2017)
    "rate-herald-2017-scotland-f04": (78 / 5404700 * 1e5,) * 3,
    "rate-eveningtimes-2017-glasgow-f04": (836 / 615070 * 1e5,) * 3,
    "rate-eveningtimes-2017-glasgow-f09": (555 / 621020 * 1e5,) * 3,  # Oct 2016 - Jul 2017: mid-2017
    "rate-bournemouthecho-2019-dorset-f02": (373 / 773839 * 1e5,) * 3,
    "rate-bournemouthecho-2019-dorset-f07": (80000 / 66796807 * 1e5, 72000 / 66796807 * 1e5, 88000 / 66796807 * 1e5),  # 2018: nearest 2019
    # monthly rates and the remaining shares
    "bournemouthecho-dorset-per-month": (373 / 6,) * 3,
    "wigantoday-calls-per-month": (3, 3, 3),  # 36 / 12
    "eveningtimes-first-year-per-month": (25, 270 / 12, 330 / 12),  # around 300 over 12 months
    "eveningtimes-last-10-months-per-month": (55.5,) * 3,  # 555 / 10
    "national-visitors-per-month-q2": (560 / 3, 530 / 3, 560 / 3),  # just under 560 (530 to 560) over 3 months
    "national-visitors-per-month-q3": (950 / 3, 950 / 3, None),  # more than 950 over 3 months
    "eveningtimes-edinburgh-share": (791 / 3579 * 100,) * 3,
    "eveningtimes-dundee-share": (173 / 3579 * 100,) * 3,
    # every other rate per 100,000: the figure's interval over the estimate for the year of its period's midpoint
    # (Scotland 5,404,700 in 2016 and 5,424,800 in 2017; UK 65,648,000 in 2016; Greater Manchester 2,782,141;
    # Dorset Police force area 773,839 and the South West 5,624,696 in 2019; Glasgow 615,070, Edinburgh 507,170
    # and Dundee 148,270 in 2016)
    "rate-herald-2017-scotland-f02": (80 / 5404700 * 1e5, 72 / 5404700 * 1e5, 80 / 5404700 * 1e5),  # nearly 80
    "rate-herald-2017-scotland-f03": (1500 / 5404700 * 1e5, 1500 / 5404700 * 1e5, None),  # more than 1,500
    "rate-herald-2017-scotland-f06": (1504 / 65648000 * 1e5,) * 3,
    "rate-herald-2017-scotland-f07": (28 / 5404700 * 1e5,) * 3,
    "rate-herald-2017-scotland-f08": (100000 / 65648000 * 1e5, 90000 / 65648000 * 1e5, 110000 / 65648000 * 1e5),
    "rate-national-2017-scotland-f01": (1000 / 5424800 * 1e5, 900 / 5424800 * 1e5, 1000 / 5424800 * 1e5),  # almost 1000
    "rate-national-2017-scotland-f02": (560 / 5424800 * 1e5, 530 / 5424800 * 1e5, 560 / 5424800 * 1e5),
    "rate-national-2017-scotland-f03": (950 / 5424800 * 1e5, 950 / 5424800 * 1e5, None),
    "rate-national-2017-scotland-f06": (30 / 5424800 * 1e5,) * 3,
    "rate-national-2017-scotland-f07": (55 / 5424800 * 1e5,) * 3,
    "rate-bournemouthecho-2019-dorset-f01": (400 / 773839 * 1e5, 360 / 773839 * 1e5, 400 / 773839 * 1e5),  # NEARLY 400
    "rate-bournemouthecho-2019-dorset-f03": (100 / 773839 * 1e5, 50 / 773839 * 1e5, 150 / 773839 * 1e5),  # 2018-2019: nearest 2019
    "rate-bournemouthecho-2019-dorset-f04": (3693 / 5624696 * 1e5,) * 3,
    "rate-wigantoday-2016-greater-manchester-f02": (36 / 2782141 * 1e5,) * 3,
    "rate-wigantoday-2016-greater-manchester-f05": (50000 / 65648000 * 1e5, 0, 50000 / 65648000 * 1e5),  # 2013: nearest 2016
    "rate-wigantoday-2016-greater-manchester-f06": (100000 / 65648000 * 1e5, 100000 / 65648000 * 1e5, None),  # at least
    "rate-wigantoday-2016-greater-manchester-f09": (7 / 2782141 * 1e5,) * 3,
    "rate-wigantoday-2016-greater-manchester-f10": (36 / 2782141 * 1e5,) * 3,  # "these 36", now read in Greater Manchester
    "rate-eveningtimes-2017-glasgow-f02": (800 / 615070 * 1e5, 800 / 615070 * 1e5, None),  # more than 800
    "rate-eveningtimes-2017-glasgow-f05": (791 / 507170 * 1e5,) * 3,
    "rate-eveningtimes-2017-glasgow-f06": (173 / 148270 * 1e5,) * 3,
    "rate-eveningtimes-2017-glasgow-f07": (300 / 615070 * 1e5, 270 / 615070 * 1e5, 330 / 615070 * 1e5),  # Oct 2015 - Sep 2016
    "rate-eveningtimes-2017-glasgow-f10": (3579 / 5404700 * 1e5,) * 3,
    "rate-eveningtimes-2017-glasgow-f11": (43000 / 65648000 * 1e5, 43000 / 65648000 * 1e5, None),
    "rate-eveningtimes-2017-glasgow-f12": (640 / 5404700 * 1e5, 576 / 5404700 * 1e5, 704 / 5404700 * 1e5),  # around 640
}


def test_every_derived_row_is_worked_by_hand(derived):
    assert set(derived) == set(EXPECTED)


@pytest.mark.parametrize("mid", sorted(EXPECTED))
def test_derived_values_worked_by_hand(mid, derived):
    row = derived[mid]
    for got, want in zip((num(row["value"]), num(row["lower"]), num(row["upper"])), EXPECTED[mid], strict=False):
        assert (got is None and want is None) or got == pytest.approx(want, rel=1e-8)


VERDICTS = {
    "herald-dozens": "consistent",  # 78 in [24, 99]
    "herald-nearly-80": "consistent",  # 78 in [72, 80]
    "herald-share": "consistent",  # 78/1504 = 5.19% in [4.5, 5.5]
    "herald-double": "not_checkable",  # no 2012 figure
    "national-almost-1000": "consistent",  # more than 950 meets [900, 1000]
    "national-visitors-rise": "consistent",  # [69.6, unbounded) meets [69.5, 70.5]
    "national-calls-jump": "consistent_within_rounding",  # 83.3 outside [79.5, 80.5], inside [75, 85]
    "bournemouthecho-nearly-400": "consistent",  # 373 in [360, 400]
    "bournemouthecho-100-more": "not_checkable",
    "bournemouthecho-doubling": "not_checkable",
    "wigantoday-dozens": "consistent",  # 36 in [24, 99]
    "wigantoday-44-percent": "not_checkable",
    "eveningtimes-hundreds": "consistent",  # 836 in [200, 999]
    "eveningtimes-more-than-800": "consistent",
    "eveningtimes-a-third": "inconsistent",  # 23.4% vs [30, 36.7]
    "eveningtimes-total": "consistent",  # [270 + 555, 330 + 555] = [825, 885] holds 836
    "eveningtimes-almost-80-percent": "consistent",  # [68.2, 105.6] meets [72, 80]
    "eveningtimes-10-times": "not_checkable",
}


def test_every_claim_has_a_hand_worked_verdict(claims):
    assert {k: v["verdict"] for k, v in claims.items()} == VERDICTS


def test_the_third_claim_explains_what_was_compared(claims):
    c = claims["eveningtimes-a-third"]
    assert float(c["computed"]) == pytest.approx(836 / 3579 * 100)
    assert "836" in c["explanation"] and "do not meet" in c["explanation"]


def test_every_input_resolves_and_nothing_depends_on_itself(derived, claims, figures):
    population = {r["population_id"] for r in read_csv(ROOT / "processed" / "population.csv")}
    known = set(figures) | set(derived) | population
    graph = {m: r["inputs"].split() for m, r in derived.items()}
    for rows in (derived.values(), claims.values()):
        for r in rows:
            assert r["inputs"] and set(r["inputs"].split()) <= known

    def reaches(start, target, seen=()):
        return any(i == target or (i in graph and i not in seen and reaches(i, target, (*seen, i))) for i in graph.get(start, []))

    assert not [m for m in graph if reaches(m, m)]
