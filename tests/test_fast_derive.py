"""The derive stage's fast paths at scale against their plain readings: the screens of the tables it
reads, the schema checks it vouches for without pandera, and the claim checks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from stopitnow_figures.tables import csvio, schema, vocab
from test_schema import _quick_and_pandera

TEXT = st.text(alphabet=st.sampled_from(list('ab =@\t+-5.é\xa0\x85,"')), max_size=6)


def _must_look(a: list[str], b: list[str]) -> bool:
    """The rule as ``csvio._arrow_must_look`` states it, cell by cell in plain Python: a cell a
    spreadsheet would run (=, @ or tab first; + or - first where the cell, its commas dropped, is
    not a number), or a first column whose cell does not start with a printable ASCII character
    other than a space (it may be blank)."""

    def runs(cell: str) -> bool:
        if cell[:1] in ("=", "@", "\t", "\r"):
            return True
        try:
            float(cell.replace(",", ""))
        except ValueError:
            return cell[:1] in ("+", "-")
        return False

    return any(runs(c) for c in a + b) or not all("!" <= c[:1] <= "~" for c in a)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), max_size=8), st.integers(0, 3))
def test_cells_are_screened_by_their_first_byte_as_the_rule_states(rows, cut):
    import pyarrow as pa

    a, b = ([r[k] for r in rows] for k in (0, 1))
    cut = min(cut, len(rows))
    table = pa.table(
        {
            "a": pa.chunked_array([pa.array(a[:cut], pa.string()), pa.array(a[cut:], pa.string())]),
            "b": pa.chunked_array([pa.array(b, pa.string()).slice(0)], pa.string()),
        }
    )
    assert csvio._arrow_must_look(table, ["a", "b"]) == _must_look(a, b)
    sliced = pa.array(["x", *a], pa.string()).slice(
        1
    )  # an array that starts part way into its buffers
    expected = [c.encode()[0] if c else 0 for c in a]
    assert (
        csvio.first_bytes(sliced).tolist()
        == expected
        == csvio.first_bytes(table.column("a")).tolist()
    )
    assert csvio.surely_not_blank(sliced).to_pylist() == [33 <= x <= 126 for x in expected]


# -- the schema checks of derive's outputs, vouched for without pandera ----------------------------

VOCAB = vocab.load()
NAN = float("nan")
OUTPUT_CELLS = {  # the first of each is right
    "derived": {
        "metric_id": ["rate-a-b", "A-b", "a-", "x", ""],
        "kind": ["rate", "share", "percentage_change", "nope", ""],
        "formula": ["{a} / {b}", ""],
        "value": [5.0, 150.0, -2.0, NAN, float("inf")],
        "lower": [NAN, 4.0, 6.0, 5.0 + 1e-10],
        "upper": [NAN, 6.0, 4.0, 5.0 - 1e-10],
        "unit": [
            "per 100,000 people",
            "per 100,000 people per month",
            "percent",
            "per 0 people",
            "people\n",
            "",
        ],
        "period_start": ["2016-01-01", "", "2017-01-01", "2016-02-30", "1500-01-01"],
        "period_end": ["2016-12-31", "", "2015-12-31", "2016-1-1"],
        "period_rule": ["of:a-b", "", "span", "shift:a:-1", "of:A", "span\n", "of:"],
    },
    "claims": {
        "claim_id": ["c-1", "C", ""],
        "relation": ["equals", "at least", "about"],
        "stated": [10.0, NAN, -1.0],
        "stated_lower": [NAN, 9.0, 11.0],
        "stated_upper": [NAN, 11.0, 9.0],
        "verdict": ["consistent", "not_checkable", "maybe"],
    },
    "population": {
        "population_id": ["pop-a-2016", "Pop"],
        "year": ["2016", "1800", "2016.0", "+2016", " 2016", "", "٢٠١٦"],
        "value": ["5000", "0", "-5", "5e3", "05000", "1" * 17],
        "certainty": ["confirmed", "secondary", "guess"],
    },
}


@st.composite
def output_rows(draw, table: str):
    """Rows of one of derive's outputs, right or with a cell or two that may be wrong."""
    cells = OUTPUT_CELLS[table]
    key = next(iter(cells))
    rows = [
        {n: c[0] for n, c in cells.items()} | {key: f"{cells[key][0]}-{k}"}
        for k in range(draw(st.integers(1, 5)))
    ]
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(sorted(cells)))
        draw(st.sampled_from(rows))[name] = draw(st.sampled_from(cells[name]))
    return rows


def _agree(table: str, rows: list[dict], arrow: bool) -> None:
    """The quick check passes the rows exactly where pandera finds nothing, and ``check_frame``
    (which runs pandera where the quick check does not pass) finds what pandera finds."""
    import pyarrow as pa

    path = ROOT / "schemas" / f"{table}.schema.json"
    fields = schema.field_types(schema.load_schema(path))
    numbers = {n for n, t in fields.items() if t == "number"}
    text = lambda c: pa.chunked_array([pa.array(c, type=pa.string())]) if arrow else c  # noqa: E731
    cols = {
        n: np.array([r.get(n, 0.0) for r in rows])
        if n in numbers
        else text([r.get(n, "x") for r in rows])
        for n in fields
    }
    if table == "population":
        cols = {n: [r.get(n, "x") for r in rows] for n in fields}  # read from raw/, as text
    quick, found = _quick_and_pandera(cols, path, table, VOCAB, blank_is_empty=False)
    assert quick == (not found), (table, rows, arrow)
    assert bool(schema.check_frame(cols, path, table, "t", vocabulary=VOCAB)) == found


def test_each_cell_of_derive_s_outputs_alone_is_judged_alike_by_the_quick_check_and_pandera():
    """Every cell of OUTPUT_CELLS, each in a row otherwise right, read as text and through Arrow:
    each case once, where random draws would meet some many times and others late."""
    for table, cells in OUTPUT_CELLS.items():
        right = {n: c[0] for n, c in cells.items()}
        for name, values in cells.items():
            for value in values:
                for arrow in (False, True):
                    _agree(table, [right | {name: value}], arrow)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(OUTPUT_CELLS)).flatmap(lambda t: st.tuples(st.just(t), output_rows(t))),
    st.booleans(),
)
def test_an_output_of_derive_passed_by_the_quick_check_is_one_pandera_passes(drawn, arrow):
    """Several rows, up to two cells of them changed (one cell alone: the test above)."""
    table, rows = drawn
    _agree(table, rows, arrow)


@given(st.lists(st.sampled_from(["a", "b", "c", "ab", "é", ""]), max_size=8), st.booleans())
def test_cells_in_order_are_distinct_as_sorted_ones_are(cells, ordered):
    import pyarrow as pa

    cells = sorted(cells) if ordered else cells
    assert csvio.all_distinct(pa.array(cells, pa.string())) == (len(set(cells)) == len(cells))


# -- the rates evaluated on whole columns, against evaluate_many formula by formula
# -------------------------

END = st.sampled_from([0.0, 1.0, 12.0, 5e5, float("inf"), -float("inf")]) | st.floats(-1e6, 1e6)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(END, END, END), min_size=1, max_size=5),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 2)), max_size=8),
)
def test_the_rates_are_evaluated_as_evaluate_many_evaluates_their_formulas(numbers, rows):
    from stopitnow_figures.model.formulas import evaluate_many
    from stopitnow_figures.stages.derive import Environment, _rates_of

    numbers = [(v, min(a, b), max(a, b)) for v, a, b in numbers]
    env = Environment()
    env._base = tuple(np.array([x[k] for x in numbers], dtype=float) for k in range(3))
    env.index = {f"i{k}": k for k in range(len(numbers))}
    rows = [(q % len(numbers), p % len(numbers), f) for q, p, f in rows]
    factors = ["100000", "100000 / 12", "100000 / 2.5"]
    at = (
        np.array([q for q, _, _ in rows], dtype=np.int64),
        np.array([p for _, p, _ in rows], dtype=np.int64),
    )
    got = _rates_of(at, np.array([f for _, _, f in rows], dtype=np.int64), factors, env)
    formulas = [f"{{i{q}}} / {{i{p}}} * {factors[f]}" for q, p, f in rows]
    want = evaluate_many(formulas, env.index, *env.arrays())
    for mine, theirs in zip(got, (want.value, want.lo, want.hi), strict=True):
        assert np.array_equal(np.asarray(mine, dtype=float), theirs, equal_nan=True)
