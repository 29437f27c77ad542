"""Every cleaned field of every figure of two articles, worked by hand from the text,
and the calibration of the hedge widths."""

from __future__ import annotations

import pytest

from conftest import ROOT, read_csv

S, UK = "S92000003", "K02000001"
Y2016 = ("2016-01-01", "2016-12-31")
H = "herald-2017-scotland"
N = "national-2017-scotland"

# figure: value, qualifier, lower, upper, unit, measure, geography_code, period_start, period_end, period_basis
EXPECTED = {
    # "DOZENS of men have called" (Scotland, "last year" = 2016 for an article of February 2017)
    f"{H}-f01": ("24", "vague", "24", "99", "people", "helpline_own_behaviour", S, *Y2016, "inferred"),
    # "Nearly 80 men living in Scotland": nearly = [0.9 * 80, 80]
    f"{H}-f02": ("80", "nearly", "72", "80", "people", "helpline_own_behaviour", S, *Y2016, "inferred"),
    # "accessed more than 1,500 times in 2016"
    f"{H}-f03": ("1500", "more_than", "1500", "", "visits", "website_visits", S, *Y2016, "stated"),
    f"{H}-f04": ("78", "exact", "78", "78", "calls", "helpline_own_behaviour", S, *Y2016, "inferred"),
    # "5 per cent": a whole percentage covers 4.5 to 5.5
    f"{H}-f05": ("5", "rounded", "4.5", "5.5", "percent", "share", S, *Y2016, "inferred"),
    f"{H}-f06": ("1504", "exact", "1504", "1504", "calls", "helpline_any", UK, *Y2016, "inferred"),
    f"{H}-f07": ("28", "exact", "28", "28", "people", "helpline_other_person", S, *Y2016, "inferred"),
    # "an estimated 100,000": estimated = 100,000 * (1 +/- 0.1)
    f"{H}-f08": ("100000", "estimated", "90000", "110000", "people", "estimated_offenders", UK, *Y2016, "stated"),
    # "double the number four years ago": 2 +/- 0.5, spanning 2012 to 2016
    f"{H}-f09": ("2", "rounded", "1.5", "2.5", "times", "multiple", UK, "2012-01-01", "2016-12-31", "inferred"),
    # "up to half a million": a count is never negative
    f"{H}-f10": ("500000", "up_to", "0", "500000", "people", "estimated_offenders", UK, "", "", "not stated"),
    f"{H}-f11": ("200", "vague", "200", "999", "people", "charity_clients", "", "", "", "not stated"),
    f"{H}-f12": ("2000", "vague", "2000", "9999", "people", "estimated_offenders", "", "", "", "not stated"),
    # "ALMOST 1000 ... in just three months": the quarter after 25 June 2017
    f"{N}-f01": ("1000", "nearly", "900", "1000", "people", "help_seekers", S, "2017-06-26", "2017-09-25", "inferred"),
    # "Just under 560 ... in the three months to June 25" (2017)
    f"{N}-f02": ("560", "nearly", "504", "560", "people", "website_visitors", S, "2017-03-26", "2017-06-25", "inferred"),
    f"{N}-f03": ("950", "more_than", "950", "", "people", "website_visitors", S, "2017-06-26", "2017-09-25", "inferred"),
    f"{N}-f04": ("70", "rounded", "69.5", "70.5", "percent", "percentage_change", S, "2017-03-26", "2017-09-25", "inferred"),
    f"{N}-f05": ("80", "rounded", "79.5", "80.5", "percent", "percentage_change", S, "2017-03-01", "2017-08-31", "inferred"),
    f"{N}-f06": ("30", "exact", "30", "30", "people", "helpline_any", S, "2017-03-01", "2017-05-31", "inferred"),
    f"{N}-f07": ("55", "exact", "55", "55", "people", "helpline_any", S, "2017-06-01", "2017-08-31", "inferred"),
    # "posts viewed almost 185,000 times": 0.9 * 185,000 = 166,500
    f"{N}-f08": ("185000", "nearly", "166500", "185000", "views", "social_media_views", "", "", "", "not stated"),
}
COLS = ("value", "qualifier", "lower", "upper", "unit", "measure", "geography_code", "period_start", "period_end", "period_basis")


@pytest.mark.parametrize("fid", sorted(EXPECTED))
def test_cleaned_fields_match_the_article(fid, figures):
    row = figures[fid]
    assert tuple(row[c] for c in COLS) == EXPECTED[fid]
    text = (ROOT / "raw" / "sources" / f"{row['source_id']}.txt").read_text(encoding="utf-8")
    assert text[int(row["char_start"]) : int(row["char_end"])] == row["quote"]
    assert text.index(row["quote"]) == int(row["char_start"])
    raw = {r["figure_id"]: r for r in read_csv(ROOT / "raw" / "figures.csv")}[fid]
    assert (row["quote"], row["as_written"]) == (raw["quote"], raw["as_written"])


# the place names raw/places.csv gives each code, and "not stated" where the article names no place
PLACE_NAMES = {S: "Scotland", UK: "United Kingdom", "": "not stated"}


@pytest.mark.parametrize("fid", sorted(EXPECTED))
def test_place_names_and_period_notes_say_where_they_came_from(fid, figures):
    row = figures[fid]
    raw = {r["figure_id"]: r for r in read_csv(ROOT / "raw" / "figures.csv")}[fid]
    assert (row["figure_id"], row["source_id"]) == (fid, raw["source_id"])
    assert row["geography"] == PLACE_NAMES[row["geography_code"]]
    if raw["place"]:
        assert repr(raw["place"]) in row["geography_note"]  # the words it was read from
    if raw["period"]:
        assert row["period_note"].startswith(repr(raw["period"]))  # the words it was read from, then how
    elif not row["period_start"]:
        assert row["period_note"] == "the article gives no period for this figure"


def test_both_articles_are_fully_covered(figures):
    for sid, n in ((H, 12), (N, 8)):
        assert sorted(f for f in figures if f.startswith(sid + "-")) == sorted(f for f in EXPECTED if f.startswith(sid + "-"))
        assert len([f for f in EXPECTED if f.startswith(sid + "-")]) == n


@pytest.mark.parametrize(
    ("hedged", "exact_value"),
    [
        ("herald-2017-scotland-f02", 78),  # "Nearly 80 men" / "78 calls"
        ("herald-2017-scotland-f01", 78),  # "DOZENS of men" / "78 calls"
        ("eveningtimes-2017-glasgow-f02", 836),  # "More than 800 people" / "836"
        ("eveningtimes-2017-glasgow-f01", 836),  # "HUNDREDS of residents" / "836"
        ("bournemouthecho-2019-dorset-f01", 373),  # "NEARLY 400" / "373"
        ("wigantoday-2016-greater-manchester-f01", 36),  # "Dozens of men" / "36 people"
        ("eveningtimes-2017-glasgow-f07", 836 - 555),  # "around 300" / the 281 that 836 - 555 implies
    ],
)
def test_hedge_widths_are_calibrated_on_the_articles_own_pairs(hedged, exact_value, figures):
    row = figures[hedged]
    assert row["lower"] == "" or float(row["lower"]) <= exact_value
    assert row["upper"] == "" or exact_value <= float(row["upper"])


def test_places_without_a_code_say_so(figures):
    assert figures["bournemouthecho-2019-dorset-f08"]["geography"] == "not a statistical area"
    assert figures["bournemouthecho-2019-dorset-f08"]["geography_code"] == ""
    assert figures["herald-2017-scotland-f11"]["geography"] == "not stated"
    dorset = figures["bournemouthecho-2019-dorset-f02"]
    assert dorset["geography_code"] == "E23000039" and "E06000059" in dorset["geography_note"]
