"""The pandera validators are built from schemas/; they and the Table Schema agree."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, read_csv
from stopitnow_figures.tables.schema import check_frame

# (table, column, bad value): each breaks one Table Schema constraint
BREAKS = [
    ("figures", "qualifier", "roughly"),  # enum
    ("geographies", "geography_code", "S9200003"),  # pattern
    ("figures", "quote", ""),  # required
    ("figures", "char_start", "-1"),  # minimum
    ("figures", "value", "lots"),  # type
    ("derived", "kind", "guess"),  # enum
    ("claims", "verdict", "fine"),  # enum
    ("population", "year", "1850"),  # minimum
    ("sources", "sha256", "abc"),  # pattern
]


def _frictionless_errors(table, rows):
    from frictionless import Resource, Schema

    descriptor = json.loads((ROOT / "schemas" / f"{table}.schema.json").read_text())
    descriptor.pop("foreignKeys", None)  # checked across resources by the package; here one table alone
    schema = Schema.from_descriptor(descriptor)
    header = [f.name for f in schema.fields]
    data = [header] + [[r[h] for h in header] for r in rows]
    report = Resource(data=data, schema=schema).validate()
    return {(e.row_number, e.field_name) for e in report.tasks[0].errors if getattr(e, "field_name", None)}


@pytest.mark.data
@pytest.mark.parametrize(("table", "column", "bad"), BREAKS)
def test_pandera_and_frictionless_flag_the_same_cell(table, column, bad):
    rows = read_csv(ROOT / "processed" / f"{table}.csv")
    rows[0][column] = bad
    pandera_cells = {(p.line, p.column) for p in check_frame(rows, ROOT / "schemas" / f"{table}.schema.json", table, table)}
    assert (2, column) in pandera_cells
    assert (2, column) in _frictionless_errors(table, rows)


@pytest.mark.data
@pytest.mark.parametrize(
    ("table", "column", "bad", "rule"),
    [
        ("figures", "quote", "", "required"),  # pandera reports the empty cell as NaN
        ("population", "year", "20162016201620162016", "wrong-type"),  # beyond int64: cast, it read -9223372036854775808
        ("population", "value", "9007199254740993", "wrong-type"),  # 2**53 + 1: a float would publish it rounded
        ("population", "year", "1850", "out-of-range"),
    ],
)
def test_a_problem_shows_the_cell_as_the_curator_wrote_it(table, column, bad, rule):
    rows = read_csv(ROOT / "processed" / f"{table}.csv")
    rows[0][column] = bad
    problems = [p for p in check_frame(rows, ROOT / "schemas" / f"{table}.schema.json", table, table) if p.line == 2]
    assert [(p.type, p.column, p.value) for p in problems] == [(rule, column, bad)]


@pytest.mark.data
@pytest.mark.parametrize("table", ["sources", "geographies", "figures", "derived", "claims", "population"])
def test_published_tables_pass_both(table):
    rows = read_csv(ROOT / "processed" / f"{table}.csv")
    assert check_frame(rows, ROOT / "schemas" / f"{table}.schema.json", table, table) == []
    assert _frictionless_errors(table, rows) == set()


@pytest.mark.data
def test_extra_checks_cover_what_a_table_schema_cannot_say():
    rows = read_csv(ROOT / "processed" / "figures.csv")
    share = next(r for r in rows if r["measure"] == "share")
    share["value"], share["upper"] = "105", "105"
    count = next(r for r in rows if r["unit"] == "people")
    count["value"], count["lower"] = "-3", "-3"
    found = {(p.type, p.column) for p in check_frame(rows, ROOT / "schemas" / "figures.schema.json", "figures", "figures")}
    assert ("share-at-most-100", "value") in found
    assert ("count-not-negative", "value") in found


def test_the_typed_row_of_clean_has_the_fields_of_the_figures_schema_in_order():
    from stopitnow_figures.stages.clean import CleanedFigure

    fields = [f["name"] for f in json.loads((ROOT / "schemas" / "figures.schema.json").read_text())["fields"]]
    assert list(CleanedFigure._fields) == fields


def test_the_cells_the_gate_traces_are_the_schemas_numbers_and_dates():
    from stopitnow_figures.publishing.gate import numeric_columns
    from stopitnow_figures.tables import vocab

    for table in ("sources", "figures", "derived", "claims", "population"):
        fields = json.loads((ROOT / "schemas" / f"{table}.schema.json").read_text())["fields"]
        # by hand: every field typed number, integer or date
        assert numeric_columns(vocab.load(), table) == [f["name"] for f in fields if f["type"] in ("number", "integer", "date")], table


def test_checking_only_some_fields_checks_them_and_the_row_rules_that_read_only_them():
    """``stopitnow-figures check`` has a metric's words and period but no value: the fields it has are checked, and
    the rules over them; the value's own constraint (required) and the rules that read it are not."""
    derived = ROOT / "schemas" / "derived.schema.json"
    row = {
        "metric_id": "m-one",
        "kind": "guess",  # not a kind: found
        "formula": "{q} / 12",
        "inputs": "q",
        "value": "",  # may be empty (a metric with only an interval)
        "value_basis": "",  # required, but not among the fields checked
        "lower": "5",
        "upper": "4",  # out of order, but bounds-ordered reads the value and its ends: not checked
        "unit": "calls",
        "geography_code": "",
        "period_start": "2016-12-31",
        "period_end": "2016-01-01",  # before its start: period-ordered reads only the period, so found
        "period_rule": "",
        "description": "A metric.",
    }
    fields = tuple(n for n in row if n not in ("value", "value_basis", "lower", "upper"))
    found = {(p.type, p.column) for p in check_frame([row], derived, "derived", "derived", fields=fields)}
    assert found == {("not-in-vocabulary", "kind"), ("period-ordered", "period_end")}
    every = {(p.type, p.column) for p in check_frame([row], derived, "derived", "derived")}
    assert {("required", "value_basis"), ("bounds-ordered", "value")} <= every  # the whole table: the value's rules too


NAN = float("nan")
FIGURE_CELLS = {  # the typed figure rows clean checks (numbers as NumPy numbers): the first of each is right
    "source_id": ["x-2017-y", ""],
    "quantity_id": ["q", ""],
    "value": [5.0, -3.0, 150.0, NAN],
    "qualifier": ["exact", "roughly"],
    "lower": [NAN, 4.0, 6.0],
    "upper": [NAN, 6.0, 4.0],
    "unit": ["people", "percent", "persons"],
    "measure": ["helpline_any", "share", "nope"],
    "geography": ["Scotland", ""],
    "period_start": ["2016-01-01", "", "2017-01-01", "2016-02-30"],
    "period_end": ["2016-12-31", "", "2015-12-31"],
    "period_basis": ["stated", "guessed"],
    "quote": ["78 calls", ""],
    "char_start": [10.0, -1.0, 30.0, 10.5, NAN],
    "char_end": [18.0, 0.0, 5.0, 1e17],
    "as_written": ["78", ""],
}


@st.composite
def figure_rows(draw):
    rows = [{n: c[0] for n, c in FIGURE_CELLS.items()} | {"figure_id": f"x-2017-y-f{10 + k}"} for k in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(sorted(FIGURE_CELLS)))
        draw(st.sampled_from(rows))[name] = draw(st.sampled_from(FIGURE_CELLS[name]))
    if draw(st.booleans()):
        rows[-1]["figure_id"] = draw(st.sampled_from([rows[0]["figure_id"], "X-f1", ""]))
    return rows


@settings(max_examples=200, deadline=None)
@given(figure_rows())
def test_typed_figures_the_quick_check_passes_are_figures_pandera_passes(rows):
    """``surely_valid`` decides the figures clean is about to write (integers, counts, shares and offsets included)
    only where pandera would find nothing; and the problems found are pandera's either way."""
    import numpy as np

    from stopitnow_figures.tables import schema, vocab

    path = ROOT / "schemas" / "figures.schema.json"
    types = schema.field_types(schema.load_schema(path))
    cols = {n: np.array([r[n] for r in rows]) if t in ("number", "integer") else [r.get(n, "x") for r in rows] for n, t in types.items()}
    vocabulary, lines = vocab.load(ROOT / "schemas"), list(range(2, len(rows) + 2))
    quick = schema.surely_valid(cols, schema.load_schema(path), "figures", len(rows), vocabulary=vocabulary)
    old = schema.surely_valid
    schema.surely_valid = lambda *a, **k: False
    try:
        slow = schema.check_frame(cols, path, "figures", "t", lines=lines, vocabulary=vocabulary)
    finally:
        schema.surely_valid = old
    if quick:
        assert slow == []
    assert schema.check_frame(cols, path, "figures", "t", lines=lines, vocabulary=vocabulary) == slow
