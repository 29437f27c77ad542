"""Points: a quantity's or derived row's value is one number only where the evidence pins it;
everywhere else ``value_basis`` says what the number in ``value`` is, and a person reads the
interval.

The fixtures are worked by hand (the comments say how); the published tables are held to the rule by
checks written here from the schemas' words, calling nothing of the pipeline."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import ROOT, by_id, read_csv
from stopitnow_figures.model.bounds import model_of_tables
from stopitnow_figures.render import pages
from stopitnow_figures.tables import vocab
from stopitnow_figures.tables.csvio import Table

VOCAB = vocab.load()
BASES = VOCAB.names("quantities", "value_basis")
ORDER = VOCAB.enum("quantities", "value_basis")

FIGURE_COLUMNS = ["figure_id", "quantity_id", "value", "lower", "upper", "qualifier"]
QUANTITY_COLUMNS = ["quantity_id", "measure", "unit", "counting"]
IDENTITY_COLUMNS = ["identity_id", "left", "relation", "right"]


def solved(
    figures: list[tuple], quantities: list[tuple], identities: list[tuple]
) -> dict[str, tuple[float, float, float, str]]:
    """Each quantity of a fixture as (value, lower, upper, value_basis), reconciled as the stage
    reconciles."""
    tables = (
        Table.from_rows(
            FIGURE_COLUMNS, [dict(zip(FIGURE_COLUMNS, r, strict=True)) for r in figures]
        ),
        Table.from_rows(
            QUANTITY_COLUMNS, [dict(zip(QUANTITY_COLUMNS, r, strict=True)) for r in quantities]
        ),
        Table.from_rows(
            IDENTITY_COLUMNS, [dict(zip(IDENTITY_COLUMNS, r, strict=True)) for r in identities]
        ),
    )
    model = model_of_tables(VOCAB, *tables)
    sol = model.solve_all()
    return {
        q: (float(sol.value[k]), float(sol.lo[k]), float(sol.hi[k]), sol.basis[k])
        for k, q in enumerate(model.q.ids)
    }


def test_a_quantity_of_each_basis():
    got = solved(
        [
            ("f01", "callers", "36", "36", "36", "exact"),  # "36": exactly 36
            (
                "f02",
                "share",
                "5",
                "4.5",
                "5.5",
                "rounded",
            ),  # "5 per cent": 4.5 to 5.5, the article's 5
            (
                "f03",
                "seekers",
                "400",
                "360",
                "400",
                "nearly",
            ),  # "NEARLY 400": 360 to 400, the hedged 400
            (
                "f04",
                "visitors",
                "300",
                "270",
                "330",
                "approximately",
            ),  # "around 300": 270 to 330 ...
            (
                "f05",
                "visitors",
                "310",
                "310",
                "",
                "more_than",
            ),  # ... and "more than 310": 310 to 330, so 300 moves to 310
            (
                "f06",
                "arrests",
                "200",
                "200",
                "999",
                "vague",
            ),  # "hundreds": 200 to 999, 200 its lower end
            ("f07", "later", "373", "373", "373", "exact"),  # 373 in the later half-year
            ("f08", "rise", "100", "50", "150", "exact"),  # "100 more", read as round: 50 to 150
        ],
        [
            ("callers", "helpline_any", "people", "distinct"),
            ("share", "share", "percent", "relation"),
            ("seekers", "help_seekers", "people", "distinct"),
            ("visitors", "website_visitors", "people", "distinct"),
            ("arrests", "arrests", "arrests per month", "events"),
            ("later", "help_seekers", "people", "distinct"),
            ("earlier", "help_seekers", "people", "distinct"),
            ("rise", "difference", "people", "relation"),
            ("within", "help_seekers", "people", "distinct"),
        ],
        [
            (
                "rise-def",
                "{rise}",
                "equals",
                "{later} - {earlier}",
            ),  # earlier = 373 - [50, 150] = [223, 323]
            (
                "within-later",
                "{within}",
                "at most",
                "{later}",
            ),  # 0 (a count's domain) to 373: no point
        ],
    )
    assert got["callers"] == (36, 36, 36, BASES.pinned)
    assert got["share"] == (5, 4.5, 5.5, BASES.as_written)
    assert got["seekers"] == (400, 360, 400, BASES.hedged)
    assert got["visitors"] == (
        310,
        310,
        330,
        BASES.clipped,
    )  # the narrower mention's 300, moved to the evidence's 310
    assert got["arrests"] == (200, 200, 999, BASES.vague_word)
    assert got["later"] == (373, 373, 373, BASES.pinned)
    assert got["earlier"] == (273, 223, 323, BASES.midpoint)  # (223 + 323) / 2, a convention
    assert got["rise"] == (100, 50, 150, BASES.as_written)
    value, lo, hi, basis = got["within"]
    assert math.isnan(value) and (lo, hi, basis) == (0, 373, BASES.none)


def test_a_quantity_the_evidence_pins_is_pinned_though_its_mention_is_hedged():
    # "Nearly 80 men" (72 to 80) and "more than 78" (78 up): 78 to 80; the men made 78 calls and are
    # no more than their calls: 78 exactly. The most precise mention's 80 is moved to 78, but the
    # evidence pins it.
    got = solved(
        [
            ("f01", "men", "80", "72", "80", "nearly"),
            ("f02", "men", "78", "78", "", "more_than"),
            ("f03", "calls", "78", "78", "78", "exact"),
        ],
        [
            ("men", "helpline_own_behaviour", "people", "distinct"),
            ("calls", "helpline_own_behaviour", "calls", "events"),
        ],
        [("men-within-calls", "{men}", "at most", "{calls}")],
    )
    assert got["men"] == (78, 78, 78, BASES.pinned)


def test_every_mention_basis_is_a_word_of_the_schema_and_every_interval_shape_has_one():
    assert set(VOCAB.point_bases.values()) <= set(ORDER)
    assert set(VOCAB.intervals.values()) == set(VOCAB.point_bases)
    assert list(VOCAB.point_words) == list(ORDER) == list(VOCAB.enum("derived", "value_basis"))


# -- derived rows ----------------------------------------------------------------------------------


def environment(rows: dict[str, tuple[float, float, float, str]]):
    from stopitnow_figures.stages.derive import Environment

    env = Environment()
    env.bases = ORDER
    env.index = {ident: k for k, ident in enumerate(rows)}
    env._base = tuple(np.array([r[k] for r in rows.values()], dtype=float) for k in range(3))
    env._base_rank = np.array([ORDER.index(r[3]) for r in rows.values()], dtype=np.int64)
    env.kind = ["quantity"] * len(rows)
    return env


def test_a_derived_row_takes_the_least_certain_basis_of_its_inputs():
    env = environment(
        {
            "calls": (78, 78, 78, BASES.pinned),
            "visitors": (560, 543, 560, BASES.hedged),  # "Just under 560", tightened
            "earlier": (273, 223, 323, BASES.midpoint),
            "open": (math.nan, 0, 373, BASES.none),
            "population": (5_404_700, 5_404_700, 5_404_700, BASES.pinned),
        }
    )
    at = env.index

    def basis(formula_value: float, lo: float, hi: float, ids: list[str]) -> str:
        return env.basis_of(
            np.array([formula_value]),
            np.array([lo]),
            np.array([hi]),
            np.array([[at[i] for i in ids]]),
        )[0]

    # 78 / 5,404,700 * 100,000 = 1.4432 per 100,000: both inputs pinned, so the rate is one value
    assert (
        basis(
            78 / 5_404_700 * 1e5,
            78 / 5_404_700 * 1e5,
            78 / 5_404_700 * 1e5,
            ["calls", "population"],
        )
        == BASES.pinned
    )
    # 560 / 3 = 186.7 a month, from a hedged 560: 181 to 186.7
    assert basis(560 / 3, 543 / 3, 560 / 3, ["visitors"]) == BASES.hedged
    # a rise over the midpoint 273: a convention went in
    assert (
        basis(100 / 273 * 100, 100 / 323 * 100, 100 / 223 * 100, ["visitors", "earlier"])
        == BASES.midpoint
    )
    # an input with no point: the formula has no value
    assert basis(math.nan, 0, 373 / 6, ["open"]) == BASES.none
    # a formula that cancels its unpinned input is pinned: 0 * a midpoint is 0
    assert basis(0.0, 0.0, 0.0, ["earlier"]) == BASES.pinned


def test_a_formula_over_an_input_without_a_point_gives_its_interval_and_no_value():
    from stopitnow_figures.model.formulas import evaluate_many

    index = {"open": 0, "six": 1}
    done = evaluate_many(
        ["{open} / 6", "{six} / 0"],
        index,
        np.array([math.nan, 6.0]),
        np.array([0.0, 6.0]),
        np.array([373.0, 6.0]),
    )
    assert (
        math.isnan(done.value[0])
        and (done.lo[0], done.hi[0]) == pytest.approx((0, 373 / 6))
        and 0 not in done.errors
    )
    assert 1 in done.errors  # a division by zero is still an error


# -- what a person reads ---------------------------------------------------------------------------


def test_a_point_that_is_not_pinned_is_shown_as_its_interval_and_named():
    words = VOCAB.point_words
    row = {"value": "273", "lower": "223", "upper": "323", "value_basis": BASES.midpoint}
    text = pages.point_text(row, "people", words)
    assert text.startswith("[223, 323] people (point 273, midpoint: ")
    assert words[BASES.midpoint] in text
    open_row = {"value": "", "lower": "0", "upper": "373", "value_basis": BASES.none}
    assert pages.point_text(open_row, "people", words) == f"[0, 373] people ({words[BASES.none]})"
    pinned = {"value": "1504", "lower": "1504", "upper": "1504", "value_basis": BASES.pinned}
    assert pages.point_text(pinned, "calls", words).startswith("1,504 calls (pinned")
    assert "[" not in pages.point_text(pinned, "calls", words)


# -- the published package holds the rule ----------------------------------------------------------


def _num(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def mention_basis(qualifier: str) -> str:
    """What a figure's number is as a point, from the words of schemas/vocabulary.json."""
    return VOCAB.point_bases[VOCAB.intervals[qualifier]]


def point_problem(q: dict, mentions: list[dict]) -> str | None:
    """Why a published quantity's point breaks the rule (None where it holds): pinned by the
    evidence, or labelled by what it is. Written from the schema's words, independently of the
    reconciliation."""
    value, lo, hi, basis = _num(q["value"]), _num(q["lower"]), _num(q["upper"]), q["value_basis"]
    if basis not in ORDER:
        return f"value_basis {basis!r} is not a word of the schema"
    if (value is None) != (basis == BASES.none):
        return "the value is empty where the basis is not none, or the other way round"
    if value is None:
        return None
    if (lo is not None and value < lo - 1e-9) or (hi is not None and value > hi + 1e-9):
        return "the point lies outside its interval"
    if basis == BASES.pinned:
        return None if lo == hi == value else "pinned, but the interval is not one value"
    if lo == hi:
        return "the interval is one value, but the basis is not pinned"
    if basis == BASES.midpoint:
        middle = (lo + hi) / 2
        ok = (
            not mentions
            and lo is not None
            and hi is not None
            and value in (middle, math.floor(middle + 0.5))
        )
        return (
            None
            if ok
            else "a midpoint that is not the middle of a closed interval of a quantity no figure "
            "gives"
        )
    if basis == BASES.clipped:
        ok = value in (lo, hi) and any(_num(m["value"]) != value for m in mentions)
        return None if ok else "clipped, but not a mention's number moved to an end"
    written = [
        m for m in mentions if _num(m["value"]) == value and mention_basis(m["qualifier"]) == basis
    ]
    return None if written else f"no mention writes {q['value']} as {basis}"


@pytest.mark.data
def test_every_published_quantity_is_pinned_or_labelled_by_what_its_point_is():
    figures = read_csv(ROOT / "processed" / "figures.csv")
    of = {}
    for f in figures:
        of.setdefault(f["quantity_id"], []).append(f)
    quantities = read_csv(ROOT / "processed" / "quantities.csv")
    assert quantities
    problems = {
        q["quantity_id"]: point_problem(q, of.get(q["quantity_id"], [])) for q in quantities
    }
    assert {k: v for k, v in problems.items() if v} == {}


@pytest.mark.data
def test_every_published_derived_row_is_pinned_or_takes_its_least_certain_input():
    quantities = by_id(read_csv(ROOT / "processed" / "quantities.csv"), "quantity_id")
    derived = by_id(read_csv(ROOT / "processed" / "derived.csv"), "metric_id")
    population = by_id(read_csv(ROOT / "processed" / "population.csv"), "population_id")
    assert derived

    def basis_of(ident: str) -> str:
        if ident in population:
            return BASES.pinned
        return (quantities.get(ident) or derived[ident])["value_basis"]

    for ident, d in derived.items():
        lo, hi, value = _num(d["lower"]), _num(d["upper"]), _num(d["value"])
        one = lo is not None and hi is not None and math.isclose(lo, hi, rel_tol=1e-8, abs_tol=0)
        least = max((basis_of(i) for i in d["inputs"].split()), key=ORDER.index)
        expected = BASES.none if value is None else BASES.pinned if one else least
        assert d["value_basis"] == expected, ident


def test_the_readme_names_every_value_basis_in_the_order_of_the_enum():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- value_basis:")[1].split("<!-- end of value_basis -->")[0]
    import re

    named = re.findall(r"^- `([^`]+)`:", block, re.M)
    assert named == list(ORDER)
