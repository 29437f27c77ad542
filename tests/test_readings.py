"""The reading rules of docs/CURATING.md that code holds, on small fixtures: a qualifier agrees with
its interval, a round count is rounded and not exact, a vague word is open only where its article's
own numbers show it used as a floor, and an identity that rests on a reading is set aside first.

Every expected value is worked out by hand in its comment."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from stopitnow_figures.model import floors
from stopitnow_figures.model.bounds import INF, Mentions, Model, Quantities, Relation
from stopitnow_figures.model.values import NumberReader
from stopitnow_figures.tables import schema, vocab
from stopitnow_figures.tables.errors import Collector

VOCAB = vocab.load()
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
READER = NumberReader(
    VOCAB,
    {
        "hedge_widths": WIDTHS,
        "word_multiple_width": 0.1,
        "coarse_rounding": True,
        "vague_ranges": VAGUE,
    },
)
NAN = math.nan

# -- a round count is rounded, not exact -----------------------------------------------------------


def test_a_count_read_as_round_is_rounded_not_exact():
    # "100 more", read as rounded to its hundreds digit: 100 +/- 50, and so not exact
    parsed, value, lower, upper = READER.read("100", "round")
    assert (parsed.qualifier, value, lower, upper) == ("rounded", 100, 50, 150)
    # the same words with no reading are an exact count, a point
    parsed, value, lower, upper = READER.read("100")
    assert (parsed.qualifier, value, lower, upper) == ("exact", 100, 100, 100)


# -- a qualifier agrees with its interval ----------------------------------------------------------

# qualifier, value, lower, upper, whether they agree (the shapes of schemas/vocabulary.json,
# qualifiers)
ROWS = [
    ("exact", 373, 373, 373, True),  # a point
    ("exact", 100, 50, 150, False),  # "100 more" as it was published: exact, yet 50 to 150
    ("rounded", 100, 50, 150, True),
    ("rounded", 5, 4.5, 5.5, True),  # "5 per cent"
    ("rounded", 5, 5, 5, False),  # a rounded number is not a point
    ("approximately", 300, 270, 330, True),  # "around 300"
    ("approximately", 300, 270, NAN, False),  # "around" has an upper end
    ("nearly", 80, 72, 80, True),  # "Nearly 80" ends at 80
    ("nearly", 80, 72, 90, False),
    ("more_than", 800, 800, NAN, True),  # "More than 800": no upper end
    ("more_than", 800, 800, 900, False),
    ("at_least", 100000, 100000, NAN, True),
    ("up_to", 50000, 0, 50000, True),  # "as many as 50,000": a count is never negative
    (
        "up_to",
        10,
        1,
        10,
        True,
    ),  # "as much as 10 times" with a lower end 1 read from "goes way beyond"
    ("up_to", 10, 1, NAN, False),
    ("vague", 2000, 2000, 9999, True),  # "thousands"
    ("vague", 2000, 2000, NAN, True),  # "thousands" read open
    ("vague", 2000, 1000, 9999, False),  # a vague word's interval starts at its value
    ("", NAN, NAN, NAN, True),  # an unread number: its own check reports it
]


def test_a_qualifier_agrees_with_its_interval():
    q, v, lo, hi, want = (list(c) for c in zip(*ROWS, strict=True))
    got = schema.qualifier_agrees(q, v, lo, hi, VOCAB.intervals)
    assert [bool(x) for x in got] == want


def test_the_rule_reads_the_columns_as_given_and_as_pandera_hands_them_alike():
    q, v, lo, hi, want = (list(c) for c in zip(*ROWS, strict=True))
    given = {"qualifier": q, "value": np.array(v), "lower": np.array(lo), "upper": np.array(hi)}
    types = {"qualifier": "string", "value": "number", "lower": "number", "upper": "number"}
    rule = schema.rules(VOCAB)["qualifier-interval"]
    cols = schema.Columns(given, types, len(q))
    assert rule.holds(cols).tolist() == want
    assert (
        rule.holds(schema.Columns.of_frame(schema.frame_of(cols), types)).tolist() == want
    )  # as pandera runs it
    assert schema.all_hold(cols, (rule,)) is False  # a row disagrees
    good = [k for k, row in enumerate(ROWS) if row[-1]]
    kept = {n: ([c[k] for k in good] if isinstance(c, list) else c[good]) for n, c in given.items()}
    assert schema.all_hold(schema.Columns(kept, types, len(good)), (rule,)) is True


# -- vague words used as floors --------------------------------------------------------------------


def article(*rows: tuple) -> dict:
    """Cleaned figure columns of one small article: (id, written, qualifier, lower, measure, unit,
    place, period start, period end, reading) per row."""
    names = (
        "figure_id",
        "as_written",
        "qualifier",
        "lower",
        "measure",
        "unit",
        "geography_code",
        "period_start",
        "period_end",
        "reading",
    )
    cols = {n: [r[k] for r in rows] for k, n in enumerate(names)}
    cols["lower"] = np.array(cols["lower"], dtype=float)
    cols["source_id"] = ["a-2017-x"] * len(rows)
    return cols


UK, S = "K02000001", "S92000003"
# "there are thousands of men out there viewing" (no place, no period) beside "an estimated 100,000
# people" in the UK in 2016: 90,000 (100,000 less 10 per cent) is above 9,999, the top of
# "thousands"
THOUSANDS = (
    "a-2017-x-f01",
    "thousands",
    "vague",
    2000,
    "estimated_offenders",
    "people",
    "",
    "",
    "",
    "",
)
ESTIMATE = (
    "a-2017-x-f02",
    "an estimated 100,000",
    "estimated",
    90000,
    "estimated_offenders",
    "people",
    UK,
    "2016-01-01",
    "2016-12-31",
    "",
)


def problems_of(cols: dict) -> list[tuple[int, str]]:
    found = Collector()
    lines = list(range(2, 2 + len(cols["figure_id"])))
    floors.check(cols, lines, READER, VOCAB, "raw/figures.csv", found)
    return [(p.line, p.type) for p in found.problems]


def with_reading(row: tuple, reading: str) -> tuple:
    return (*row[:-1], reading)


def test_a_larger_number_of_the_same_measure_shows_a_floor():
    cols = article(THOUSANDS, ESTIMATE)
    assert [w.figure_id for w in floors.witnesses(cols, [0], {0: 9999.0})[0]] == ["a-2017-x-f02"]
    # capped although the estimate shows a floor: a problem on the vague row (line 2)
    assert problems_of(cols) == [(2, "vague-floor")]
    # read open, naming the estimate: as the rule says
    assert problems_of(article(with_reading(THOUSANDS, "open a-2017-x-f02"), ESTIMATE)) == []
    # read open without naming it, or naming another figure: a problem
    assert problems_of(article(with_reading(THOUSANDS, "open"), ESTIMATE)) == [(2, "vague-floor")]
    assert problems_of(article(with_reading(THOUSANDS, "open a-2017-x-f09"), ESTIMATE)) == [
        (2, "vague-floor")
    ]


@pytest.mark.parametrize(
    "other",
    [
        # another measure: charity clients are not offenders
        (
            "a-2017-x-f02",
            "an estimated 100,000",
            "estimated",
            90000,
            "charity_clients",
            "people",
            UK,
            "",
            "",
            "",
        ),
        # another unit: calls are not people
        ("a-2017-x-f02", "12,000", "exact", 12000, "estimated_offenders", "calls", UK, "", "", ""),
        # no lower end above 9,999: "as many as 50,000" starts at 0
        (
            "a-2017-x-f02",
            "as many as 50,000",
            "up_to",
            0,
            "estimated_offenders",
            "people",
            UK,
            "",
            "",
            "",
        ),
    ],
)
def test_a_number_that_cannot_be_the_same_thing_shows_no_floor(other):
    cols = article(THOUSANDS, other)
    assert floors.witnesses(cols, [0], {0: 9999.0})[0] == []
    assert problems_of(cols) == []  # capped, as the rule says
    assert problems_of(article(with_reading(THOUSANDS, "open a-2017-x-f02"), other)) == [
        (2, "vague-floor")
    ]


def test_a_vague_word_with_a_place_and_period_is_floored_only_by_numbers_of_that_place_and_period():
    # "HUNDREDS of residents" of Glasgow, October 2015 to July 2017, beside Scotland's 3,579 over
    # the same months: another place, so no floor; beside Glasgow's 1,200 of a year within those
    # months, a floor
    hundreds = (
        "a-2017-x-f01",
        "HUNDREDS",
        "vague",
        200,
        "website_visitors",
        "people",
        "S12000049",
        "2015-10-01",
        "2017-07-31",
        "",
    )
    scotland = (
        "a-2017-x-f02",
        "3579",
        "exact",
        3579,
        "website_visitors",
        "people",
        S,
        "2015-10-01",
        "2017-07-31",
        "",
    )
    assert problems_of(article(hundreds, scotland)) == []
    year = (
        "a-2017-x-f03",
        "1,200",
        "exact",
        1200,
        "website_visitors",
        "people",
        "S12000049",
        "2016-01-01",
        "2016-12-31",
        "",
    )
    assert problems_of(article(hundreds, scotland, year)) == [(2, "vague-floor")]
    # the same count over a period outside the vague word's shows nothing about it
    later = (
        "a-2017-x-f03",
        "1,200",
        "exact",
        1200,
        "website_visitors",
        "people",
        "S12000049",
        "2017-01-01",
        "2017-12-31",
        "",
    )
    assert problems_of(article(hundreds, scotland, later)) == []


def test_only_a_vague_word_is_read_open():
    around = (
        "a-2017-x-f01",
        "around 300",
        "approximately",
        270,
        "website_visitors",
        "people",
        S,
        "",
        "",
        "open a-2017-x-f02",
    )
    assert problems_of(article(around, ESTIMATE)) == [(2, "vague-floor")]


# -- identities that rest on a reading are set aside first -----------------------------------------


def model(
    quantities: dict[str, tuple[bool, str]], mentions: list[tuple], relations: list[tuple]
) -> Model:
    """A model by hand: quantities as id -> (whole, counting), mentions as (figure, quantity, value,
    lo, hi), relations as (id, left, symbol, right[, rests on a reading])."""
    ids = list(quantities)
    counting = [quantities[q][1] for q in ids]
    qs = Quantities(
        ids=ids,
        whole=np.array([quantities[q][0] for q in ids]),
        relation=np.array([c == "relation" for c in counting]),
        distinct=np.array([c == "distinct" for c in counting]),
        lo=np.array([-INF if c == "relation" else 0.0 for c in counting]),
        hi=np.full(len(ids), INF),
    )
    ms = Mentions(
        ids=[m[0] for m in mentions],
        quantity=np.array([ids.index(m[1]) for m in mentions], dtype=np.int64),
        value=np.array([m[2] for m in mentions], dtype=float),
        lo=np.array([m[3] for m in mentions], dtype=float),
        hi=np.array([m[4] for m in mentions], dtype=float),
    )
    return Model(qs, ms, [Relation(*r) for r in relations])


def bounds(sol, m: Model, q: str) -> tuple[float, float]:
    k = m.index[q]
    return float(sol.lo[k]), float(sol.hi[k])


def running_totals(basis_reading: bool):
    """The Herald's "hundreds" (the charity's men, February 2017) and Wigan Today's "thousands"
    (November 2016), linked by "a running total cannot fall" (later >= earlier): 999 < 2,000, so the
    three rows cannot all hold."""
    return model(
        {"later": (True, "distinct"), "earlier": (True, "distinct")},
        [("h-f11", "later", 200, 200, 999), ("w-f07", "earlier", 2000, 2000, 9999)],
        [("same-men", "{later}", ">=", "{earlier}", basis_reading)],
    )


@pytest.mark.parametrize("basis_reading", [True, False])
def test_a_conflict_of_mentions_and_an_identity_sets_the_identity_aside(basis_reading):
    m = running_totals(basis_reading)
    sol = m.solve_all()
    for q in ("later", "earlier"):
        k = m.index[q]
        assert sol.status[k] == "in conflict"
        assert sol.conflict[k].split() == ["h-f11", "same-men", "w-f07"]
        assert sol.set_aside[k] == "same-men"  # both counts stand: the link is what goes
    assert bounds(sol, m, "later") == (200, 999) and bounds(sol, m, "earlier") == (2000, 9999)


def stated_rise(basis_reading: bool):
    """36 callers now after "a 44% increase" ([43.5, 44.5]) would need 25 before (36 / 1.44); an
    identity that puts the earlier count at 36 - 6 = 30 (a rise of 20 per cent) contradicts the
    stated rise."""
    return model(
        {"now": (True, "distinct"), "before": (True, "distinct"), "rise": (False, "relation")},
        [("f02", "now", 36, 36, 36), ("f03", "rise", 44, 43.5, 44.5)],
        [
            ("def", "{now}", "=", "{before} * (1 + {rise} / 100)"),
            ("link", "{before}", "=", "{now} - 6", basis_reading),
        ],
    )


def test_a_reading_identity_is_set_aside_before_a_stated_percentage():
    m = stated_rise(basis_reading=True)
    sol = m.solve_all()
    k = m.index["rise"]
    assert sol.set_aside[k] == "" and sol.set_aside[m.index["before"]] == "link"
    # without the link, 36 now and 44% give 25 before (36 / 1.44), the one whole number that fits
    assert bounds(sol, m, "before") == (25, 25)


def test_a_definition_identity_stands_where_a_stated_percentage_can_go():
    m = stated_rise(basis_reading=False)
    sol = m.solve_all()
    # the stated percentage is set aside, not an identity that holds by definition: before = 30,
    # rise = 20%
    assert sol.set_aside[m.index["rise"]] == "f03"
    assert bounds(sol, m, "before") == (30, 30)
    assert bounds(sol, m, "rise") == pytest.approx((20, 20))


# -- an identity across articles rests on a reading ------------------------------------------------


def bases_checked(identities: list[dict]) -> list[tuple[str, str]]:
    """The identity-basis problems of two articles' quantities: x-f01 gives q-x (Scotland's 2016
    calls), y-f01 gives q-y (the UK's), y-f02 gives q-y2, and q-z is implied, dated by y-f02."""
    from stopitnow_figures.stages.reconcile import QuantityTable
    from stopitnow_figures.tables.csvio import Table
    from stopitnow_figures.tables.paths import Paths

    quantities = [
        {
            "quantity_id": q,
            "measure": "helpline_any",
            "unit": "calls",
            "counting": "events",
            "period": rule,
        }
        for q, rule in (
            ("q-x", "of:x-f01"),
            ("q-y", "of:y-f01"),
            ("q-y2", "of:y-f02"),
            ("q-z", "shift:y-f02:-1"),
        )
    ]
    figures = [
        {"figure_id": f, "quantity_id": q, "source_id": f[0]}
        for f, q in (("x-f01", "q-x"), ("y-f01", "q-y"), ("y-f02", "q-y2"))
    ]
    tables = {
        "quantities": Table.from_rows(
            ["quantity_id", "measure", "unit", "counting", "geography_code", "period", "note"],
            quantities,
        ),
        "figures": Table.from_rows(["figure_id", "quantity_id", "source_id"], figures),
        "identities": Table.from_rows(
            ["identity_id", "left", "relation", "right", "basis", "note"], identities
        ),
        "geographies": Table.from_rows(["geography_code"], []),
    }
    found = Collector()
    QuantityTable(Paths(Path(__file__).parents[1]), VOCAB, tables, found).check_bases(set())
    return [(p.type, p.value) for p in found.problems]


def identity(left: str, right: str, basis: str) -> dict:
    return {
        "identity_id": "i",
        "left": left,
        "relation": "at most",
        "right": right,
        "basis": basis,
        "note": "n",
    }


def test_an_identity_across_articles_must_say_it_rests_on_a_reading():
    # Scotland's calls (article x) at most the UK's (article y): only if both count calls alike, a
    # reading
    assert bases_checked([identity("{q-x}", "{q-y}", "definition")]) == [
        ("identity-basis", "definition")
    ]
    assert bases_checked([identity("{q-x}", "{q-y}", "reading")]) == []
    # within one article (q-z is dated by article y's figure): a definition may hold
    assert bases_checked([identity("{q-z}", "{q-y} + {q-y2}", "definition")]) == []
    # article x's q-x beside article y's q-z and q-y2: no one article gives all three
    assert bases_checked([identity("{q-x} + {q-z}", "{q-y2}", "definition")]) == [
        ("identity-basis", "definition")
    ]
