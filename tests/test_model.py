"""What real articles and releases print, as rules on small fixtures: counts per month and their
rates, places that are unions of areas and their populations, why a quantity has no rate, the units
and measures of contacts, money and people trained, and what each kind of source needs. Every
expected number is worked out here by hand from the fixture's own numbers."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import ROOT
from stopitnow_figures.model import places
from stopitnow_figures.stages import derive
from stopitnow_figures.stages.clean import FigureCleaner
from stopitnow_figures.tables import vocab
from stopitnow_figures.tables.csvio import Table
from stopitnow_figures.tables.errors import Collector
from stopitnow_figures.tables.paths import Paths

V = vocab.load()
SCHEMAS = ROOT / "schemas"


def _pattern(table: str, field: str) -> str:
    fields = json.loads((SCHEMAS / f"{table}.schema.json").read_text(encoding="utf-8"))["fields"]
    return next(f for f in fields if f["name"] == field)["constraints"]["pattern"]


# -- units and measures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "measure"),
    [
        ("people per month", "help_seekers"),  # "nearly 600 people ... every month"
        ("contacts per month", "contacts_any_channel"),
        ("visits per month", "website_visits"),
        ("calls per month", "helpline_any"),
        ("contacts", "live_chat"),  # live chat and secure messaging contacts
        ("contacts", "email_messaging"),
        ("people", "self_help_users"),  # "more than 68,000 self-help users"
        ("people", "people_trained"),
        ("pounds", "funding"),  # "£600,000" of funding
    ],
)
def test_a_count_as_written_may_be_in_each_unit_real_releases_print(unit, measure):
    cleaner = SimpleNamespace(vocabulary=V)
    assert FigureCleaner.unit_problem(cleaner, unit, measure, "count") == ""


def test_money_is_counted_in_pounds_only():
    cleaner = SimpleNamespace(vocabulary=V)
    assert (
        FigureCleaner.unit_problem(cleaner, "people", "funding", "count")
        == "measure 'funding' needs unit 'pounds'"
    )


def test_every_unit_of_a_figure_is_a_unit_a_derived_metric_may_take():
    pattern = re.compile(_pattern("derived", "unit"))
    assert [u for u in V.units if not pattern.fullmatch(u)] == []


def test_the_channels_are_the_design_s_five_and_a_mixed_count_is_never_a_channel_of_its_own():
    assert list(V.channels) == [
        "helpline",
        "website",
        "live chat",
        "email and secure messaging",
        "channel not stated or mixed",
    ]
    assert (
        "contacts_any_channel" in V.channels["channel not stated or mixed"]
    )  # calls and messages together
    assert not {"funding", "people_trained"} & {
        m for c in V.channels.values() for m in c
    }  # not help-seeking


# -- unions of areas -------------------------------------------------------------------------------


def test_a_union_s_code_is_its_members_sorted_and_joined_and_never_looks_like_a_gss_code():
    code = places.union_code(V, ["S12000049", "S12000036"])
    assert code == "S12000036+S12000049" == places.union_code(V, ["S12000036", "S12000049"])
    pattern = re.compile(_pattern("geographies", "geography_code"))
    assert pattern.fullmatch(code) and pattern.fullmatch("S12000036")
    assert len(code) != 9 and not re.fullmatch(
        r"[EKSWN][0-9]{8}", code
    )  # a GSS code is a letter and eight digits
    assert not pattern.fullmatch("S12000036+") and not pattern.fullmatch("U-S12000036")


GEO = ["geography_code", "geography", "kind", "members", "note"]


def _geo(*rows: tuple[str, str, str, str]) -> Table:
    return Table.from_rows(GEO, [dict(zip(GEO, [*r, ""], strict=True)) for r in rows])


def _unions(*rows) -> list[tuple]:
    problems = Collector()
    places.check_unions(V, _geo(*rows), "geo.csv", problems)
    return [(p.type, p.line, p.column, p.value) for p in problems.problems]


GLASGOW = ("S12000049", "Glasgow City", "council area", "")
EDINBURGH = ("S12000036", "City of Edinburgh", "council area", "")
FALKIRK = ("S12000014", "Falkirk", "council area", "")


def test_a_union_of_two_listed_areas_with_their_code_is_accepted():
    assert (
        _unions(
            GLASGOW,
            EDINBURGH,
            (
                "S12000036+S12000049",
                "Glasgow and Edinburgh",
                "union of areas",
                "S12000049 S12000036",
            ),
        )
        == []
    )


@pytest.mark.parametrize(
    ("union", "expected"),
    [
        (
            ("S12000049+S12000036", "G and E", "union of areas", "S12000036 S12000049"),
            ("union-members", 4, "geography_code"),
        ),
        (
            ("S12000049", "G", "union of areas", "S12000049"),
            ("union-members", 4, "members"),
        ),  # one member
        (
            ("S12000036+S12000036", "E", "union of areas", "S12000036 S12000036"),
            ("union-members", 4, "members"),
        ),
        (
            ("S12000036+S12000099", "E and X", "union of areas", "S12000036 S12000099"),
            ("unknown-id", 4, "members"),
        ),
        (
            ("S12000036+S12000049", "G and E", "council area", "S12000036 S12000049"),
            ("union-members", 4, "members"),
        ),
        (
            ("S12000036+S12000049", "G and E", "council area", ""),
            ("union-members", 4, "geography_code"),
        ),
    ],
)
def test_a_union_whose_members_or_code_do_not_agree_is_refused(union, expected):
    assert [p[:3] for p in _unions(GLASGOW, EDINBURGH, union)] == [expected]


def test_a_union_of_a_union_is_refused():
    inner = ("S12000036+S12000049", "G and E", "union of areas", "S12000036 S12000049")
    outer = (
        "S12000014+S12000036+S12000049",
        "G, E and F",
        "union of areas",
        "S12000014 S12000036+S12000049",
    )
    assert _unions(GLASGOW, EDINBURGH, FALKIRK, inner, outer) == [
        ("union-members", 6, "members", "S12000036+S12000049")
    ]


# -- rates, and why a quantity has none ------------------------------------------------------------

UNION = ("S12000036+S12000049", "Glasgow and Edinburgh", "union of areas", "S12000049 S12000036")
WITH_FALKIRK = (
    "S12000014+S12000049",
    "Glasgow and Falkirk",
    "union of areas",
    "S12000049 S12000014",
)
WITH_MANCHESTER = (
    "E11000001+S12000049",
    "Glasgow and Greater Manchester",
    "union of areas",
    "S12000049 E11000001",
)
SCOTLAND = ("S92000003", "Scotland", "country", "")
MANCHESTER = ("E11000001", "Greater Manchester", "metropolitan county", "")
POPULATION = [  # made-up round estimates, so that each rate below can be worked out by hand
    ("pop-g-2016", "S12000049", "2016", "600000"),
    ("pop-g-2017", "S12000049", "2017", "620000"),
    ("pop-e-2016", "S12000036", "2016", "500000"),
    ("pop-e-2017", "S12000036", "2017", "480000"),
    ("pop-s-2017", "S92000003", "2017", "5500000"),
    ("pop-m-2016", "E11000001", "2016", "2800000"),
]
Q = [
    "quantity_id",
    "measure",
    "unit",
    "counting",
    "geography_code",
    "period_start",
    "period_end",
    "value",
    "lower",
    "upper",
]
QUANTITIES = [
    (
        "monthly",
        "help_seekers",
        "people per month",
        "distinct",
        "S92000003",
        "2017-01-01",
        "2017-12-31",
        "550",
        "495",
        "550",
    ),
    (
        "union-2016",
        "helpline_any",
        "people",
        "distinct",
        "S12000036+S12000049",
        "2016-01-01",
        "2016-12-31",
        "440",
        "440",
        "440",
    ),
    (
        "union-2017",
        "helpline_any",
        "calls",
        "events",
        "E11000001+S12000049",
        "2017-01-01",
        "2017-12-31",
        "341",
        "341",
        "341",
    ),
    (
        "falkirk",
        "helpline_any",
        "people",
        "distinct",
        "S12000014",
        "2017-01-01",
        "2017-12-31",
        "35",
        "35",
        "35",
    ),
    (
        "with-falkirk",
        "helpline_any",
        "people",
        "distinct",
        "S12000014+S12000049",
        "2017-01-01",
        "2017-12-31",
        "90",
        "90",
        "90",
    ),
    (
        "rise",
        "percentage_change",
        "percent",
        "relation",
        "S92000003",
        "2017-01-01",
        "2017-12-31",
        "20",
        "19.5",
        "20.5",
    ),
    (
        "offenders",
        "estimated_offenders",
        "people",
        "distinct",
        "S92000003",
        "2017-01-01",
        "2017-12-31",
        "5000",
        "5000",
        "5000",
    ),
    (
        "funding",
        "funding",
        "pounds",
        "events",
        "S92000003",
        "2017-01-01",
        "2017-12-31",
        "600000",
        "600000",
        "600000",
    ),
    (
        "nowhere",
        "helpline_any",
        "people",
        "distinct",
        "",
        "2017-01-01",
        "2017-12-31",
        "12",
        "12",
        "12",
    ),
    ("undated", "helpline_any", "people", "distinct", "S92000003", "", "", "12", "12", "12"),
    (
        "chats",
        "live_chat",
        "contacts",
        "events",
        "S92000003",
        "2017-01-01",
        "2017-12-31",
        "1100",
        "1100",
        "1100",
    ),
]


@pytest.fixture(scope="module")
def model():
    """The metrics, notes and rates derive makes of the fixture (the way ``derive_evidence`` calls
    them)."""
    geographies = _geo(
        GLASGOW, EDINBURGH, FALKIRK, SCOTLAND, MANCHESTER, UNION, WITH_FALKIRK, WITH_MANCHESTER
    )
    population = Table.from_rows(
        ["population_id", "geography_code", "year", "value"],
        [
            dict(zip(["population_id", "geography_code", "year", "value"], r, strict=True))
            for r in POPULATION
        ],
    )
    quantities = Table.from_rows(Q, [dict(zip(Q, r, strict=True)) for r in QUANTITIES])
    env = derive.Environment.from_tables(quantities, population, V.enum("derived", "value_basis"))
    paths, problems = Paths(ROOT), Collector()
    hand = derive._columns([], json.loads((SCHEMAS / "derived.schema.json").read_text()))
    unions = derive.union_populations(
        paths, V, geographies, derive._estimates(population, hand, V), env, problems
    )
    assert problems.problems == []
    estimates = derive._estimates(population, unions, V)
    notes = derive.rate_notes(V, quantities, geographies, estimates)
    rates = derive.rate_metrics(V, quantities, notes, geographies, estimates, env, 100000)
    rows = lambda cols: {  # noqa: E731
        cols["metric_id"][i]
        if isinstance(cols["metric_id"], list)
        else cols["metric_id"][i].as_py(): {
            n: (c[i] if isinstance(c, list | np.ndarray) else c[i].as_py()) for n, c in cols.items()
        }
        for i in range(len(cols["metric_id"]))
    }
    return SimpleNamespace(
        unions=rows(unions),
        notes=dict(zip([q[0] for q in QUANTITIES], notes.to_pylist(), strict=True)),
        rates=rows(rates),
    )


def test_a_union_s_population_is_its_members_sum_for_each_year_every_member_has_one(model):
    glasgow_edinburgh = {
        k: v for k, v in model.unions.items() if v["geography_code"] == "S12000036+S12000049"
    }
    # by hand: 2016 600,000 + 500,000; 2017 620,000 + 480,000
    assert {k: v["value"] for k, v in glasgow_edinburgh.items()} == {
        "pop-s12000036-s12000049-2016": 1_100_000,
        "pop-s12000036-s12000049-2017": 1_100_000,
    }
    row = glasgow_edinburgh["pop-s12000036-s12000049-2016"]
    assert (row["kind"], row["formula"], row["period_start"]) == (
        "population",
        "{pop-g-2016} + {pop-e-2016}",
        "2016-06-30",
    )
    # Greater Manchester has 2016 only: the union with Glasgow has 2016 only; Falkirk has none: no
    # year at all
    assert {k for k, v in model.unions.items() if v["geography_code"] == "E11000001+S12000049"} == {
        "pop-e11000001-s12000049-2016"
    }
    assert model.unions["pop-e11000001-s12000049-2016"]["value"] == 600_000 + 2_800_000
    assert not [k for k, v in model.unions.items() if v["geography_code"] == "S12000014+S12000049"]


def test_a_union_s_rate_is_per_head_of_its_summed_population(model):
    rate = model.rates["rate-union-2016"]  # 440 people in 2016 over 1,100,000: 40 per 100,000
    assert (
        rate["value"] == pytest.approx(40)
        and rate["inputs"] == "union-2016 pop-s12000036-s12000049-2016"
    )
    assert model.rates["rate-per-month-union-2016"]["value"] == pytest.approx(40 / 12)


def test_a_union_with_an_estimate_for_another_year_uses_the_nearest_and_says_which(model):
    rate = model.rates[
        "rate-union-2017"
    ]  # 341 calls in 2017, the union's only estimate 2016's 3,400,000: 10.03 per 100,000
    assert rate["value"] == pytest.approx(341 / 3_400_000 * 100000)
    assert (
        "using the mid-2016 population estimate: the nearest year with an estimate to the period's "
        "midpoint (2017)" in rate["description"]
    )


def test_a_count_per_month_gets_a_rate_per_month_not_divided_again(model):
    # "nearly 600" (540 to 600 as written; 495 to 550 in the fixture) people per month in Scotland
    # (5,500,000)
    rate = model.rates["rate-per-month-monthly"]
    assert (rate["value"], rate["lower"], rate["upper"]) == pytest.approx(
        (10, 9, 10)
    )  # 550, 495 and 550 / 55
    assert (
        rate["unit"] == "per 100,000 people per month"
        and rate["formula"] == "{monthly} / {pop-s-2017} * 100000"
    )
    assert "rate-monthly" not in model.rates  # the count of a month has no rate over the period
    assert (
        "already one per month" in rate["description"]
        and "Distinct people over the whole period" not in rate["description"]
    )


def test_contacts_get_rates_like_calls(model):
    assert model.rates["rate-chats"]["value"] == pytest.approx(
        20
    )  # 1,100 over 5,500,000 per 100,000


def test_every_quantity_without_a_rate_says_why_and_one_with_rates_says_nothing(model):
    assert model.notes == {
        "monthly": "",
        "union-2016": "",
        "union-2017": "",
        "falkirk": "no population for S12000014 (Falkirk) in any year",
        "with-falkirk": "no population for S12000014+S12000049 (Glasgow and Falkirk) in any year: "
        "no year has an estimate for every"
        " member (S12000049 (Glasgow City) has 2016, 2017; S12000014 (Falkirk) has none)",
        "rise": "a relation: no rate",
        "offenders": "a stock (estimated_offenders): no rate",
        "funding": "a count of pounds: no rate (rates are made for people, calls, visits or "
        "contacts, over a period or per month)",
        "nowhere": "no place",
        "undated": "no period",
        "chats": "",
    }
    rated = {m.split("-", 1)[1].removeprefix("per-month-") for m in model.rates}
    assert rated == {q for q, note in model.notes.items() if not note}


# -- sources ---------------------------------------------------------------------------------------


def test_each_kind_of_source_needs_only_columns_of_the_sources_table():
    columns = [
        f["name"] for f in json.loads((SCHEMAS / "sources.schema.json").read_text())["fields"]
    ]
    assert set(V.source_kinds) == set(V.enum("sources", "kind"))
    assert all(set(k["needs"]) <= set(columns) for k in V.source_kinds.values())
    assert (
        V.source_kinds["annual report"]["needs"] == ["covers"]
        and V.source_kinds["charity release"]["needs"] == []
    )
    assert (V.default_kind, V.default_extent) == ("news article", "whole")
