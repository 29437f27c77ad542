"""The pandera validators are built from schemas/; they and the Table Schema agree."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
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
    descriptor.pop(
        "foreignKeys", None
    )  # checked across resources by the package; here one table alone
    schema = Schema.from_descriptor(descriptor)
    header = [f.name for f in schema.fields]
    data = [header] + [[r[h] for h in header] for r in rows]
    report = Resource(data=data, schema=schema).validate()
    return {
        (e.row_number, e.field_name)
        for e in report.tasks[0].errors
        if getattr(e, "field_name", None)
    }


@pytest.mark.data
@pytest.mark.parametrize(("table", "column", "bad"), BREAKS)
def test_pandera_and_frictionless_flag_the_same_cell(table, column, bad):
    rows = read_csv(ROOT / "processed" / f"{table}.csv")
    rows[0][column] = bad
    pandera_cells = {
        (p.line, p.column)
        for p in check_frame(rows, ROOT / "schemas" / f"{table}.schema.json", table, table)
    }
    assert (2, column) in pandera_cells
    assert (2, column) in _frictionless_errors(table, rows)


@pytest.mark.data
@pytest.mark.parametrize(
    ("table", "column", "bad", "rule"),
    [
        ("figures", "quote", "", "required"),  # pandera reports the empty cell as NaN
        (
            "population",
            "year",
            "20162016201620162016",
            "wrong-type",
        ),  # beyond int64: cast, it read -9223372036854775808
        (
            "population",
            "value",
            "9007199254740993",
            "wrong-type",
        ),  # 2**53 + 1: a float would publish it rounded
        ("population", "year", "1850", "out-of-range"),
    ],
)
def test_a_problem_shows_the_cell_as_the_curator_wrote_it(table, column, bad, rule):
    rows = read_csv(ROOT / "processed" / f"{table}.csv")
    rows[0][column] = bad
    problems = [
        p
        for p in check_frame(rows, ROOT / "schemas" / f"{table}.schema.json", table, table)
        if p.line == 2
    ]
    assert [(p.type, p.column, p.value) for p in problems] == [(rule, column, bad)]


@pytest.mark.data
@pytest.mark.parametrize(
    "table", ["sources", "geographies", "figures", "derived", "claims", "population"]
)
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
    found = {
        (p.type, p.column)
        for p in check_frame(rows, ROOT / "schemas" / "figures.schema.json", "figures", "figures")
    }
    assert ("share-at-most-100", "value") in found
    assert ("count-not-negative", "value") in found


def test_the_typed_row_of_clean_has_the_fields_of_the_figures_schema_in_order():
    from stopitnow_figures.stages.clean import CleanedFigure

    fields = [
        f["name"]
        for f in json.loads((ROOT / "schemas" / "figures.schema.json").read_text())["fields"]
    ]
    assert list(CleanedFigure._fields) == fields


def test_the_cells_the_gate_traces_are_the_schemas_numbers_and_dates():
    from stopitnow_figures.publishing.gate import numeric_columns
    from stopitnow_figures.tables import vocab

    for table in ("sources", "figures", "derived", "claims", "population"):
        fields = json.loads((ROOT / "schemas" / f"{table}.schema.json").read_text())["fields"]
        # by hand: every field typed number, integer or date
        assert numeric_columns(vocab.load(), table) == [
            f["name"] for f in fields if f["type"] in ("number", "integer", "date")
        ], table


def test_checking_only_some_fields_checks_them_and_the_row_rules_that_read_only_them():
    """``stopitnow-figures check`` has a metric's words and period but no value: the fields it has
    are checked, and the rules over them; the value's own constraint (required) and the rules that
    read it are not."""
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
        # before its start: period-ordered reads only the period, so found
        "period_end": "2016-01-01",
        "period_rule": "",
        "description": "A metric.",
    }
    fields = tuple(n for n in row if n not in ("value", "value_basis", "lower", "upper"))
    found = {
        (p.type, p.column) for p in check_frame([row], derived, "derived", "derived", fields=fields)
    }
    assert found == {("not-in-vocabulary", "kind"), ("period-ordered", "period_end")}
    every = {(p.type, p.column) for p in check_frame([row], derived, "derived", "derived")}
    assert {
        ("required", "value_basis"),
        ("bounds-ordered", "value"),
    } <= every  # the whole table: the value's rules too


NAN = float("nan")
# the typed figure rows clean checks (numbers as NumPy numbers): the first of each is right
FIGURE_CELLS = {
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
    rows = [
        {n: c[0] for n, c in FIGURE_CELLS.items()} | {"figure_id": f"x-2017-y-f{10 + k}"}
        for k in range(draw(st.integers(1, 4)))
    ]
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(sorted(FIGURE_CELLS)))
        draw(st.sampled_from(rows))[name] = draw(st.sampled_from(FIGURE_CELLS[name]))
    if draw(st.booleans()):
        rows[-1]["figure_id"] = draw(st.sampled_from([rows[0]["figure_id"], "X-f1", ""]))
    return rows


def _each_change_alone(test):
    """``test`` with an explicit example for each cell of FIGURE_CELLS but the first of its column,
    alone in one row, and for a second row repeating the first's id and one with none: every case
    of the table is tried every run, and hypothesis draws the combinations."""
    base = {n: c[0] for n, c in FIGURE_CELLS.items()} | {"figure_id": "x-2017-y-f10"}
    cases = [[base | {n: v}] for n, cells in FIGURE_CELLS.items() for v in cells[1:]]
    cases += [[base, base | {"figure_id": i}] for i in ("x-2017-y-f10", "")]
    for rows in cases:
        test = example(rows)(test)
    return test


# 60 drawn examples besides the explicit ones: each value of FIGURE_CELLS alone is an explicit
# example, so the draws need only find combinations (two changes, rows sharing an id); 200 draws and
# no explicit example took 15 s of a quiet machine, and a value alone was tried only by chance
@settings(max_examples=60, deadline=None)
@given(figure_rows())
@_each_change_alone
def test_typed_figures_the_quick_check_passes_are_figures_pandera_passes(rows):
    """The figures clean is about to write (integers, counts, shares and offsets as NumPy numbers):
    the checks run over the whole columns hold exactly where pandera finds nothing, and the problems
    are pandera's."""
    import numpy as np

    from stopitnow_figures.tables import schema, vocab

    path = ROOT / "schemas" / "figures.schema.json"
    types = schema.field_types(schema.load_schema(path))
    cols = {
        n: np.array([r[n] for r in rows])
        if t in ("number", "integer")
        else [r.get(n, "x") for r in rows]
        for n, t in types.items()
    }
    vocabulary, lines = vocab.load(ROOT / "schemas"), list(range(2, len(rows) + 2))
    quick, found = _quick_and_pandera(cols, path, "figures", vocabulary, blank_is_empty=False)
    assert quick == (not found)
    assert (
        bool(schema.check_frame(cols, path, "figures", "t", lines=lines, vocabulary=vocabulary))
        == found
    )


# -- the one engine on generated tables ------------------------------------------------------------

# one character of each class the review of issue 26 names: the C0 controls (NUL, backspace, escape,
# the separators U+001C-001F), tab, newline, vertical tab, carriage return, DEL, the C1 controls
# (U+0080, next line U+0085, U+009F); no-break space, soft hyphen, a combining accent, the Arabic
# letter mark, Arabic-Indic, Devanagari and fullwidth digits; the Ogham space, the Mongolian vowel
# separator U+180E, en quad, the zero-width space, non-joiner and joiner, the direction marks, the
# line and paragraph separators, the direction embeddings and overrides, the narrow no-break and
# medium mathematical spaces, the word joiner and invisible operators, the direction isolates, the
# deprecated format characters U+206A-206F, the ideographic space, the byte-order mark, the
# interlinear annotation characters U+FFF9-FFFB, a letter outside the Basic Multilingual Plane, a
# tag letter
CHARACTERS = (
    "\x00\x08\x1b\x1c\x1f\t\n\x0b\r\x7f\x80\x85\x9f\xa0\xad\u0301\u061c\u0660\u0966\uff11\u1680\u180e\u2000\u200b\u200c"
    "\u200d\u200e\u200f\u2028\u2029\u202a\u202e\u202f\u205f\u2060\u2064\u2066\u2069\u206a\u206f\u3000\ufeff\ufff9\ufffb"
    "\U0001f600\U000e0041"
)

# cells of each type with, worked out by hand, whether they are of it (an empty cell is no value:
# not a type failure). An integer is written as digits, with a sign or none, and is smaller than
# 2**53 in size (so that a float holds it exactly); a number is what pandas reads as one ("nan" and
# "inf" among them); a date is a real day written YYYY-MM-DD (ISO 8601's year 0000, 1 BC, a leap
# year, among them)
TYPED_CELLS = {
    "integer": [
        ("0", True),
        ("7", True),
        ("-3", True),
        ("+12", True),
        ("007", True),
        ("9007199254740991", True),
        ("-9007199254740991", True),
        ("9007199254740992", False),
        ("9007199254740993", False),
        ("9" * 20, False),
        ("1.0", False),
        ("1e3", False),
        ("1.5", False),
        (" 1", False),
        ("1 ", False),
        ("1\n", False),
        ("nan", False),
        ("inf", False),
        ("\u0661", False),
        ("\uff11", False),
        ("0x10", False),
        ("1_0", False),
        ("", True),
    ],
    "number": [
        ("0", True),
        ("-0", True),
        ("1.5", True),
        (".5", True),
        ("5.", True),
        ("1e3", True),
        ("1E-3", True),
        ("-2.5e-7", True),
        ("nan", True),
        ("NaN", True),
        ("inf", True),
        ("-inf", True),
        ("lots", False),
        ("1,000", False),
        ("1.5.2", False),
        ("e3", False),
        ("", True),
    ],
    "date": [
        ("2016-01-01", True),
        ("2016-02-29", True),
        ("2000-02-29", True),
        ("0000-02-29", True),
        ("1500-01-01", True),
        ("9999-12-31", True),
        ("2017-02-29", False),
        ("1900-02-29", False),
        ("2016-02-30", False),
        ("2016-13-01", False),
        ("2016-00-10", False),
        ("2016-04-31", False),
        ("2016-1-01", False),
        ("20160101", False),
        ("2016-01-01T00:00", False),
        ("2016-01-01\n", False),
        (" 2016-01-01", False),
        ("\u0662\u0660\u0661\u0666-01-01", False),
        ("", True),
    ],
}
TYPED_CELLS["year"] = TYPED_CELLS["integer"]
# cells for the agreement of the quick check and pandera alone: what pandas makes of them is not
# worked out here
EDGE_CELLS = [
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    "0x10",
    " 1",
    "1 ",
    "+5",
    "\u0661\u0662",
    "1_000",
    "5e-324",
    "nan\n",
]
PUBLISHED = [
    "sources",
    "geographies",
    "figures",
    "derived",
    "claims",
    "population",
    "quantities",
    "identities",
]
RAW = sorted(p.name.split(".")[0] for p in (ROOT / "schemas" / "raw").glob("*.schema.json"))


@st.composite
def right_cell(draw, field: dict):
    """A cell a field takes: a typed cell of its type, a word of its vocabulary, a match of its
    pattern, or text."""
    cons = field.get("constraints", {})
    if field["type"] in TYPED_CELLS:
        return next(c for c, ok in TYPED_CELLS[field["type"]] if ok)
    if "enum" in cons:
        return draw(st.sampled_from(cons["enum"]))
    if "pattern" in cons:
        return draw(
            st.from_regex(cons["pattern"], fullmatch=True).filter(
                lambda c: len(c) < 40 and not _surrogates(c)
            )
        )
    return draw(st.sampled_from(["x", "A reading.", "7"]))


@st.composite
def other_cell(draw, field: dict, *, labelled: bool):
    """A cell that may be wrong: a typed cell (``labelled``: only those worked out by hand) or an
    edge cell, an empty or blank one, or a right cell with one of ``CHARACTERS`` put in (not in a
    number field where ``labelled``: whether pandas reads it is not worked out here)."""
    pool = [c for c, _ in TYPED_CELLS.get(field["type"], [])] + ([] if labelled else EDGE_CELLS)
    cell = draw(st.sampled_from(pool + ["", " ", "\u3000", "x"]))
    if draw(st.booleans()) and not (labelled and field["type"] == "number"):
        right = draw(right_cell(field))
        k = draw(st.integers(0, len(right)))
        cell = right[:k] + draw(st.sampled_from(CHARACTERS)) + right[k:]
    return cell


@st.composite
def generated_table(draw, schema_path, *, labelled: bool = False):
    """Rows of a table of a schema: right cells (``right_cell``), up to three of them then replaced
    by ``other_cell``, and sometimes one row's cell copied to another (a duplicate key); each column
    given as a list, as Arrow text, or (a number or integer field of numbers only) as NumPy numbers,
    as the stages give them."""
    import numpy as np
    import pyarrow as pa

    fields = json.loads(schema_path.read_text())["fields"]
    n = draw(st.integers(1, 4))
    cells = {f["name"]: [draw(right_cell(f)) for _ in range(n)] for f in fields}
    for _ in range(draw(st.integers(0, 3))):
        f = draw(st.sampled_from(fields))
        cells[f["name"]][draw(st.integers(0, n - 1))] = draw(other_cell(f, labelled=labelled))
    if n > 1 and draw(st.booleans()):
        name = draw(st.sampled_from(sorted(cells)))
        cells[name][-1] = cells[name][0]
    given = {}
    for f in fields:
        col, how = cells[f["name"]], draw(st.sampled_from(["list", "arrow", "numbers"]))
        if how == "numbers" and f["type"] in ("number", "integer"):
            given[f["name"]] = np.array([_number(c, f["type"]) for c in col])
        else:
            given[f["name"]] = (
                pa.chunked_array([pa.array(col, type=pa.string())]) if how == "arrow" else col
            )
    return given, cells, n


def _surrogates(cell: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in cell)


def _number(cell: str, t: str) -> float:
    """A cell as the stages would hand it over as a number: NaN where it is none."""
    try:
        return float(cell)
    except ValueError:
        return float("nan")


def _quick_and_pandera(given, path, table, vocabulary, *, blank_is_empty):
    """Whether every check holds run over the whole columns, and whether pandera, run on the frame,
    finds a failure."""
    import pandera.errors as pe

    from stopitnow_figures.tables import schema

    types = schema.field_types(schema.load_schema(path))
    cols = schema.Columns(
        given, types, len(next(iter(given.values()))), blank_is_empty=blank_is_empty
    )
    quick = schema.all_hold(cols, schema.table_checks(path, table, vocabulary))
    pandera = schema.validator(path, table, vocabulary, blank_is_empty=blank_is_empty)
    try:
        pandera.validate(schema.frame_of(cols), lazy=True)
    except pe.SchemaErrors:
        return quick, True
    return quick, False


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(PUBLISHED + [f"raw/{t}" for t in RAW]).flatmap(
        lambda t: st.tuples(st.just(t), generated_table(_path(t)))
    )
)
def test_the_quick_check_holds_exactly_where_pandera_finds_nothing(drawn):
    """The pre-screen (``all_hold``: the checks pandera is built from, run over the whole columns)
    passes a table exactly when pandera passes it, on every table's schema, with every character
    class and edge value."""
    from stopitnow_figures.tables import vocab

    table, (given, _, _) = drawn
    raw = table.startswith("raw/")
    vocabulary = vocab.load(ROOT / "schemas")
    quick, found = _quick_and_pandera(given, _path(table), table, vocabulary, blank_is_empty=raw)
    assert quick == (not found)


def _path(table: str):
    return ROOT / "schemas" / f"{table}.schema.json"


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(PUBLISHED).flatmap(
        lambda t: st.tuples(st.just(t), generated_table(_path(t), labelled=True))
    )
)
def test_each_field_check_finds_the_cells_its_rule_refuses(drawn):
    """Each constraint of a Table Schema, worked out here cell by cell from its words
    (``_refused``), against what ``check_frame`` reports (the row rules aside: a table name with
    none): the same cells, the same rule."""
    import numpy as np

    from stopitnow_figures.tables import vocab

    table, (given, cells, _) = drawn
    text = {
        name: cells[name] if isinstance(col, np.ndarray) else col for name, col in given.items()
    }  # as text
    problems = check_frame(
        text, _path(table), "fields alone", "t", vocabulary=vocab.load(ROOT / "schemas")
    )
    assert {(p.line, p.column, p.type) for p in problems} == _refused(
        json.loads(_path(table).read_text()), cells
    )


def _refused(schema: dict, cells: dict[str, list[str]]) -> set[tuple[int, str, str]]:
    """(line, column, error type) of each cell a Table Schema refuses, from its words: a cell not
    of its type (then only those: the other constraints would say it again); else an empty cell
    that is required, a cell seen twice that is unique (a field that is the primary key is required
    and unique), a cell not among enum's words, one not wholly matching the pattern (its classes
    ASCII ones, as Table Schema reads them), shorter than minLength, or an integer below minimum or
    above maximum."""
    key = schema.get("primaryKey")
    wrong, other = set(), set()
    for f in schema["fields"]:
        name, cons = (
            f["name"],
            f.get("constraints", {})
            | ({"required": True, "unique": True} if key in (f["name"], [f["name"]]) else {}),
        )
        typed = dict(TYPED_CELLS.get(f["type"], []))
        for line, cell in enumerate(cells[name], start=2):
            if cell and not typed.get(cell, f["type"] == "string"):
                wrong.add((line, name, "wrong-type"))
                continue
            missing = not cell or (
                f["type"] == "number" and cell.lower() == "nan"
            )  # pandas reads "nan" as no number
            other |= {
                (line, name, rule)
                for rule in _constraints_refusing(cell, missing, cells[name], cons)
            }
    return wrong or other


def _constraints_refusing(cell: str, missing: bool, column: list[str], cons: dict) -> list[str]:
    """The error types of the constraints a typed cell breaks (a missing one breaks
    only required)."""
    import re

    if missing:
        return ["required"] if cons.get("required") else []
    out = []
    if cons.get("unique") and column.count(cell) > 1:
        out.append("duplicate-id")
    if "enum" in cons and cell not in cons["enum"]:
        out.append("not-in-vocabulary")
    if "pattern" in cons and not re.fullmatch(_re2_classes(cons["pattern"]), cell, re.ASCII):
        out.append("pattern")
    if len(cell) < cons.get("minLength", 0) or any(
        k in cons and not ok(int(cell), cons[k]) for k, ok in _BOUNDS
    ):
        out.append("out-of-range")
    return out


def _re2_classes(pattern: str) -> str:
    """A pattern for Python's ``re`` (with ``re.ASCII``) read as RE2 reads it: \\s is tab, newline,
    form feed, carriage return and space (Python's ASCII \\s has the vertical tab too)."""
    return pattern.replace(r"\S", r"[^\t\n\f\r ]").replace(r"\s", r"[\t\n\f\r ]")


_BOUNDS = (("minimum", lambda v, m: v >= m), ("maximum", lambda v, m: v <= m))
