"""Numbers as people read them (DESIGN.md, "Rounding for people"): one rule, tables/numbers.py,
used by the reader view, the datasheet and `trace`; the CSVs keep full precision."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, read_csv
from stopitnow_figures.cli import main
from stopitnow_figures.tables.csvio import format_number
from stopitnow_figures.tables.numbers import (
    MIN_FIGURES,
    WORD_FIGURES,
    Precision,
    for_people,
    rounded,
    significant_figures,
    text_for_people,
)

# --- the rule, worked by hand -----------------------------------------------


@pytest.mark.parametrize(
    "written, figures",
    [
        ("78", 2),  # both digits
        ("3,579", 4),  # the separator is not a digit
        ("300", 1),  # a whole number's trailing zeros are not significant
        ("0.043", 2),  # nor a decimal's leading zeros
        ("1.50", 3),  # a decimal's trailing zero is
        ("5404700", 5),
        ("-12", 2),
    ],
)
def test_significant_figures_of_a_number_as_written(written, figures):
    assert significant_figures(written) == figures


def test_the_three_numbers_of_the_issue():
    # 836 of 3,579 website visitors (eveningtimes-2017-glasgow): 836 has three figures, 3,579 four;
    # 23.358... to three figures is 23.4 (the fourth, 5, rounds the 3 up)
    assert rounded("23.35848002", 3) == "23.4"
    # a monthly rate from a count of two figures: 83.33... to two is 83
    assert rounded("83.33333333", 2) == "83"
    # 78 calls per 5,404,700 people, per 100,000: 1.443... to two figures (from 78) is 1.4
    assert rounded("1.443188336", 2) == "1.4"


def test_an_interval_is_rounded_outward_and_a_point_to_the_nearest():
    # [1.332173849, 1.443188336] to two figures: 1.3 down, 1.5 up (never inward: 1.4 would cut it)
    assert rounded("1.332173849", 2, "down") == "1.3"
    assert rounded("1.443188336", 2, "up") == "1.5"
    # a point half-way rounds away from zero
    assert rounded("2.25", 2) == "2.3" and rounded("-2.25", 2) == "-2.3"
    # rounding past the point gives a whole number, written out: 192.6 to two figures is 190
    assert rounded("192.6380368", 2) == "190" and rounded("192.6380368", 2, "up") == "200"


def test_never_fewer_than_two_figures_and_whole_numbers_kept():
    assert MIN_FIGURES == 2
    assert rounded("0.111111", 1) == "0.11"  # one figure asked, two given
    assert rounded("3579", 2) == "3579"  # a count stays whole
    assert rounded("", 2) == "" and rounded("unbounded", 2) == "unbounded"


def test_for_people_keeps_every_other_cell_and_the_csv_row_itself():
    row = {"value": "23.35848002", "lower": "23.35848002", "upper": "23.35848002", "unit": "%"}
    shown = for_people(row, 3)
    assert shown == {"value": "23.4", "lower": "23.3", "upper": "23.4", "unit": "%"}
    assert row["value"] == "23.35848002"  # the row read from the CSV is not changed


# a small package: a share of two counts, a rate over a population, a quantity set by an identity
TABLES = {
    "figures": [
        {"figure_id": "f1", "value": "836", "as_written": "836"},
        {"figure_id": "f2", "value": "3579", "as_written": "3,579"},
        {"figure_id": "f3", "value": "78", "as_written": "78"},
        {"figure_id": "f4", "value": "33.33333333", "as_written": "around a third"},
    ],
    "population": [{"population_id": "pop", "value": "5404700"}],
    "quantities": [
        {"quantity_id": "glasgow", "lower_by": "f1", "upper_by": "f1"},
        {"quantity_id": "scotland", "lower_by": "f2", "upper_by": "f2"},
        {"quantity_id": "calls", "lower_by": "f3", "upper_by": "f3"},
        {"quantity_id": "share", "lower_by": "share-def", "upper_by": "share-def"},
    ],
    "identities": [{"identity_id": "share-def", "inputs": "share glasgow scotland"}],
    "derived": [
        {"metric_id": "pct", "inputs": "glasgow scotland"},
        {"metric_id": "rate", "inputs": "calls pop"},
    ],
    "claims": [{"claim_id": "third", "figure_id": "f4", "inputs": "glasgow scotland"}],
}


def test_each_computed_row_shows_the_figures_of_its_least_precise_input():
    precision = Precision.of_tables(TABLES)
    point = {"value": "23.35848002", "lower": "23.35848002", "upper": "23.35848002"}
    # 836 (three figures) and 3,579 (four): three
    assert precision.shown("pct", point)["value"] == "23.4"
    # the same share as a quantity pinned through an identity of the two counts: three
    assert precision.shown("share", point) == {"value": "23.4", "lower": "23.3", "upper": "23.4"}
    # 78 (two figures) and 5,404,700 (five): two
    rate = {"value": "1.443188336", "lower": "1.332173849", "upper": "1.443188336"}
    assert precision.shown("rate", rate) == {"value": "1.4", "lower": "1.3", "upper": "1.5"}


def test_numbers_as_written_are_kept_and_a_fraction_in_words_is_shown_to_three():
    precision = Precision.of_tables(TABLES)
    as_stated = {"value": "78", "lower": "77.5", "upper": "78.5"}
    assert precision.shown("calls", as_stated) == as_stated  # ends set by the figure itself
    assert precision.shown("f3", as_stated) == as_stated
    # "around a third": 33.33... per cent, within 10 per cent: [30, 36.666...]
    third = {"value": "33.33333333", "lower": "30", "upper": "36.66666667"}
    assert WORD_FIGURES == 3
    assert precision.shown("f4", third) == {"value": "33.3", "lower": "30", "upper": "36.7"}
    claim = {"stated": "33.33333333", "stated_lower": "30", "stated_upper": "36.66666667"}
    claim |= {"computed": "23.35848002", "lower": "23.35848002", "upper": "23.35848002"}
    assert precision.shown("third", claim) == {
        "stated": "33.3",
        "stated_lower": "30",
        "stated_upper": "36.7",
        "computed": "23.4",
        "lower": "23.3",
        "upper": "23.4",
    }


def test_a_cycle_of_identities_ends():
    tables = {
        **TABLES,
        "quantities": [
            {"quantity_id": "a", "lower_by": "ab", "upper_by": "ab"},
            {"quantity_id": "b", "lower_by": "ab", "upper_by": "f3"},
        ],
        "identities": [{"identity_id": "ab", "inputs": "a b"}],
    }
    assert Precision.of_tables(tables).least(["a"]) == 2  # through b to 78


# --- a claim's explanation: its numbers at full precision, shown rounded ----


def test_an_interval_in_text_is_rounded_outward_and_a_lone_number_to_the_nearest():
    # bournemouthecho-doubling: the rest allows [0, 16.56053812]; to two figures 16.56... up is 17
    # (nearest, 17, happens to hold it too); the id's year and number are not numbers of the text
    said = "gives [0, 16.56053812] (decided by bournemouthecho-2019-dorset-f02)."
    assert text_for_people(said, 2) == "gives [0, 17] (decided by bournemouthecho-2019-dorset-f02)."
    # an upper end 16.56051 to six figures: up is 16.5606; nearest, 16.5605, would cut the interval
    assert text_for_people("gives [16.5601, 16.56051].", 6) == "gives [16.5601, 16.5606]."
    # capitalfm-65: 139 / 84 - 1 is 65.476...% (84: two figures), to the nearest 65; an interval
    # [64.5, 65.5] outward to two figures is [64, 66]
    said = "gives 65.47619048, within [64.5, 65.5]."
    assert text_for_people(said, 2) == "gives 65, within [64, 66]."
    # a negative lower end goes down (away from zero), an unbounded end stays a word: -100.5 to two
    # figures down is -110
    assert text_for_people("[-100.5, unbounded] and [-1.55, 2.45]", 2) == (
        "[-110, unbounded] and [-1.6, 2.5]"
    )


def test_ids_dates_quotes_and_whole_numbers_in_text_are_kept():
    said = (
        '"a rise of 65.5%" (lbc-2022-uk-f06, rate-1.55-x, 2019h1, 2015-16, f04.5) in 2018: '
        "1,747 and 3,549, 836 - 555 = 281, [-1473, 373]"
    )
    assert text_for_people(said, 2) == said  # each number a quote, a piece of an id, or whole
    # outside the quotation the same 65.5 is the package's: to two figures, 66
    assert (
        text_for_people('"65.5%" (a rise of 65.5 per cent)', 2) == '"65.5%" (a rise of 66 per cent)'
    )


def test_the_curators_words_before_the_verdict_are_kept_as_written():
    # "308.3 or more" is the curator's (555 / 1.8, rounded by the curator): to two figures it would
    # read 310, more than the curator said; the verdict's numbers after "Without this figure, " are
    # the package's, [16.56053812, 17.1] outward to two figures: [16, 18]
    said = (
        "555 / 1.8 = 308.3 or more, against 65.5 per cent. Without this figure, the rest of the "
        "evidence gives [16.56053812, 17.1]."
    )
    assert text_for_people(said, 2) == (
        "555 / 1.8 = 308.3 or more, against 65.5 per cent. Without this figure, the rest of the "
        "evidence gives [16, 18]."
    )


def test_a_claims_explanation_is_shown_to_the_figures_of_its_computed_numbers():
    precision = Precision.of_tables(TABLES)
    # the claim rests on 836 (three figures) and 3,579: 23.358...% to three is 23.4, the stated
    # [30, 36.666...] outward to three is [30, 36.7]; the figure's id is kept
    said = "836 of 3,579 (f1): gives 23.35848002. The stated [30, 36.66666667] does not fit."
    shown = precision.shown("third", {"explanation": said})
    assert (
        shown["explanation"] == "836 of 3,579 (f1): gives 23.4. The stated [30, 36.7] does not fit."
    )


def test_the_stated_number_is_shown_as_its_figure_is_and_no_zeros_are_added():
    tables = {
        **TABLES,
        "claims": [{"claim_id": "calls-claim", "figure_id": "f3", "inputs": "calls pop"}],
    }
    said = (
        "gives [1.332173849, 1.443188336]. The stated [77.5, 78.5] does not fit, but as rounded "
        "to its last significant digit ([75, 85]) it does."
    )
    shown = Precision.of_tables(tables).shown("calls-claim", {"explanation": said})
    # the rate rests on 78 (two figures): [1.33..., 1.44...] outward to two is [1.3, 1.5]; the
    # stated "78", read as [77.5, 78.5], is kept as its cells are: rounded outward to two it would
    # be [77, 79], which would fit where [77.5, 78.5] does not
    assert shown["explanation"] == said.replace("[1.332173849, 1.443188336]", "[1.3, 1.5]")
    # a number the curator wrote with fewer figures than the claim's is kept (2.03 stays, not 2.030)
    said = "(3,549 / 1,747 is 2.03 times; [2.5, 3.5])"
    assert text_for_people(said, 4) == said


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-1e7, 1e7, allow_nan=False),
    st.floats(0, 1e7, allow_nan=False),
    st.integers(1, 8),
)
def test_the_interval_shown_in_text_holds_the_one_written(lo, width, figures):
    a, b = format_number(lo), format_number(lo + width)
    out = text_for_people(f"gives [{a}, {b}] (decided by rate-scotland-2019-f04).", figures)
    m = re.fullmatch(r"gives \[(\S+), (\S+)\] \(decided by rate-scotland-2019-f04\)\.", out)
    assert m, out
    assert Decimal(m[1]) <= Decimal(a) and Decimal(m[2]) >= Decimal(b)
    assert Decimal(m[1]) == Decimal(rounded(a, figures, "down"))
    assert Decimal(m[2]) == Decimal(rounded(b, figures, "up"))
    point = text_for_people(f"gives {a}.", figures)[len("gives ") : -1]
    assert Decimal(point) == Decimal(rounded(a, figures))
    for shown in (m[1], m[2], point):  # never more figures than asked, a whole number aside
        assert "." not in shown or significant_figures(shown) <= max(figures, MIN_FIGURES)


# --- the real package: no page prints more figures than the rule allows ----

# a number with a fractional part as pages, the datasheet and trace print it
DECIMAL = re.compile(r"(?<![\w.#-])(\d[\d,]*\.\d+)(?![\w.-])")


def _allowed() -> int:
    """The most significant figures the rule ever shows: the most precise number a source wrote in
    digits (a computed number never shows more than its least precise input), and WORD_FIGURES."""
    figures = read_csv(ROOT / "processed" / "figures.csv")
    written = [f["value"] for f in figures if re.search(r"[0-9]", f["as_written"])]
    written += [p["value"] for p in read_csv(ROOT / "processed" / "population.csv")]
    return max([WORD_FIGURES, *map(significant_figures, written)])


def _pages() -> dict[str, str]:
    """Each text a person reads, without the attributes, scripts and prose of the CSVs' text
    columns (the descriptions and explanations are the tables' own text)."""
    out = {"datasheet.md": (ROOT / "processed" / "datasheet.md").read_text(encoding="utf-8")}
    for page in sorted((ROOT / "processed" / "reader").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        html = re.sub(r"<script.*?</script>|<[^>]*>", " ", html, flags=re.S)
        out[page.name] = html
    return out


@pytest.mark.data
def test_no_page_prints_more_figures_than_the_rule_allows():
    most = _allowed()
    csv_text = {
        d["metric_id"]: d["value"]
        for d in read_csv(ROOT / "processed" / "derived.csv")
        if d["value"]
    }
    explanations = " ".join(c["explanation"] for c in read_csv(ROOT / "processed" / "claims.csv"))
    for name, text in _pages().items():
        for number in DECIMAL.findall(text):
            if number in explanations:  # the claims' own text, written by derive
                continue
            assert significant_figures(number) <= most, (name, number)
        for metric_id, value in csv_text.items():
            if significant_figures(value) > most:
                assert f" {value} " not in text, (name, metric_id, value)


@pytest.mark.data
def test_trace_shows_each_metric_to_the_figures_of_its_inputs():
    tables = {
        name: read_csv(ROOT / "processed" / f"{name}.csv")
        for name in ("figures", "population", "quantities", "identities", "derived", "claims")
    }
    precision = Precision.of_tables(tables)
    for d in tables["derived"]:
        out = CliRunner().invoke(main, ["trace", "--root", str(ROOT), d["metric_id"]])
        assert out.exit_code == 0, out.output
        head = out.output.splitlines()[0].split(": ", 1)[1]
        k = precision.least(d["inputs"].split())
        for number in DECIMAL.findall(head):
            assert significant_figures(number) <= k, (d["metric_id"], head)
