"""The one CSV reader, CSV writer, screen for cells a spreadsheet would run and number formatting
(``tables/csvio``), each tested on generated input against values worked out independently: what the
standard library's csv module reads and writes, the rules as their docstrings state them, and cases
worked by hand.

The generated text holds every class of character and edge the review of issue 26 names: the csv
module's specials (comma, quote, line feed, carriage return), tab, a plain and a no-break space, the
characters a formula starts with, digits, letters beyond ASCII and a character of four UTF-8 bytes,
and characters of the table of characters not shown (``tables/characters``: C0 and C1 controls, DEL,
the soft hyphen, zero-width and direction marks, separators, a byte-order mark, U+180E, U+206A,
U+FFF9 and tags)."""

from __future__ import annotations

import csv
import hashlib
import io
import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stopitnow_figures.tables import csvio
from stopitnow_figures.tables.csvio import (
    csv_pieces,
    csv_text,
    format_number,
    format_numbers,
    formula_cells,
    read_table,
)
from stopitnow_figures.tables.errors import Collector

SPECIAL = [
    ",",
    '"',
    "\n",
    "\r",
    "\t",
    " ",
    "\xa0",
    "=",
    "+",
    "-",
    "@",
    "5",
    ".",
    "e",
    "a",
    "é",
    "€",
    "😀",
]
HIDDEN = [
    "\x00",
    "\x1b",
    "\x7f",
    "\x85",
    "\xad",
    "\u200b",
    "\u200e",
    "\u202e",
    "\u2028",
    "\ufeff",
    "\u180e",
    "\u206a",
    "\ufff9",
    "\U000e0001",
]
# any text (no lone surrogate: it cannot be written as UTF-8), and text made of the classes above
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8) | st.text(
    alphabet=st.sampled_from(SPECIAL + HIDDEN), max_size=8
)
NAMES = ["a", "b", "c"]


# -- cells a spreadsheet would run -----------------------------------------------------------------


def _runs(cell: str) -> bool:
    """The rule as ``formula_cells`` states it: =, @, tab or carriage return first; or + or - first
    where the cell, its commas dropped, is not a number Python reads."""
    if cell[:1] in ("=", "@", "\t", "\r"):
        return True
    if cell[:1] in ("+", "-"):
        try:
            float(cell.replace(",", ""))
        except ValueError:
            return True
    return False


def _as_arrow(cells: list[str], cut: int):
    """The cells as chunked Arrow text, cut into two chunks, the second a slice of a
    longer array."""
    cut = min(cut, len(cells))
    return pa.chunked_array(
        [pa.array(cells[:cut], pa.string()), pa.array(["=x", *cells[cut:]], pa.string()).slice(1)],
        pa.string(),
    )


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://x")',
        "+SUM(A1)",
        "-2+3",
        "@cmd",
        "\t=1",
        "\r1",
        "-",
        "+",
        "-x",
        "- 5",
        "+1,2x",
    ],
)
def test_formula_cells_are_found(cell):
    assert formula_cells([cell]) == [(0, cell)]


@pytest.mark.parametrize(
    "cell",
    ["-5", "+3.2", "-1,000", "1,504", "Nearly 80", "", "a=b", " =1", "-1e3", "+inf", "-1_000", "é"],
)
def test_data_cells_are_not_formulas(cell):
    """A signed number (Python's reading: exponents, infinities and underscores are numbers too)
    is data."""
    assert formula_cells([cell]) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["", "=1", "+3", "-5", "-x", "@a", "\tb", "\rc", "a=b", "1,0", "-1,000", "é"]
        )
        | TEXT,
        max_size=12,
    ),
    st.integers(0, 4),
)
def test_formula_cells_are_the_cells_the_rule_names_whatever_the_column_is_held_as(cells, cut):
    expected = [(i, c) for i, c in enumerate(cells) if _runs(c)]
    assert formula_cells(cells) == expected
    assert formula_cells(_as_arrow(cells, cut)) == expected
    assert formula_cells(pa.array(cells, pa.large_string())) == expected
    assert formula_cells(np.arange(len(cells), dtype=float)) == []  # numbers are never text to run
    if expected:
        with pytest.raises(ValueError, match="a spreadsheet would run"):
            csvio.refuse_formulas(_as_arrow(cells, cut))
    else:
        csvio.refuse_formulas(cells)


# -- numbers as text -------------------------------------------------------------------------------


def _written(x) -> str:
    """The rule as ``format_numbers`` states it, one number at a time in plain Python."""
    if x is None or math.isnan(x):
        return ""
    if abs(x) < 1e15 and x == math.floor(x):
        return str(int(x))
    text = f"{x:.10g}"
    return f"{x:.10f}".rstrip("0").rstrip(".") if "e" in text else text


# worked by hand: whole numbers without a point (-0 too), the edges of 10 significant digits and
# of 1e15
BY_HAND = [
    (0.0, "0"),
    (-0.0, "0"),
    (78.0, "78"),
    (-3.0, "-3"),
    (1e15 - 1, "999999999999999"),
    (1e15, "1000000000000000"),  # not whole by the rule (too large), 1e+15 written out
    (2.5, "2.5"),
    (1 / 3, "0.3333333333"),
    (1e-4, "0.0001"),
    (1e-5, "0.00001"),  # 1e-05 written out
    (1e-11, "0"),  # 0.0000000000 without its zeros
    (-1e-11, "-0"),
    (9999999999.5, "9999999999.5"),  # rounds to 1e+10 at 10 digits: written out
    (12345678901.5, "12345678901.5"),
    (math.inf, "inf"),
    (-math.inf, "-inf"),
    (math.nan, ""),
    (None, ""),
]


@pytest.mark.parametrize(("value", "text"), BY_HAND)
def test_a_number_is_written_as_worked_by_hand(value, text):
    assert format_number(value) == text


def test_a_column_of_numbers_is_written_as_worked_by_hand():
    assert format_numbers([v for v, _ in BY_HAND]).to_pylist() == [t for _, t in BY_HAND]


def test_a_boolean_is_not_a_number():
    with pytest.raises(TypeError):
        format_number(True)


NUMBER = (
    st.floats()
    | st.integers(-(10**16), 10**16).map(float)
    | st.sampled_from(
        [1e-4, 9.99999999995e-5, 9999999999.5, 9999999999.4, 1e15, 1e15 - 1, -0.0, 5e-324, 1e300]
    )
)


@given(st.lists(NUMBER, max_size=30))
def test_numbers_are_written_by_the_rule(values):
    assert format_numbers(values).to_pylist() == [_written(v) for v in values]
    assert format_numbers(np.array(values, dtype=float)).to_pylist() == [
        _written(v) for v in values
    ]


# -- writing ---------------------------------------------------------------------------------------


def _csv_module(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _text(pieces) -> str:
    return b"".join(bytes(p) for p in pieces).decode("utf-8")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(TEXT, NUMBER, TEXT, NUMBER), max_size=9), st.integers(1, 4), st.booleans()
)
def test_a_table_is_written_as_the_csv_module_writes_it(rows, per_chunk, arrow):
    names = ["a", "x", "b", "y"]
    text = [list(col) for col in zip(*rows, strict=True)] if rows else [[], [], [], []]
    cols = {
        "a": text[0],
        "x": np.array(text[1], dtype=float),
        "b": text[2],
        "y": np.array(text[3], dtype=float),
    }
    if arrow:
        cols |= {"a": _as_arrow(text[0], 2), "b": pa.array(text[2], pa.string())}
    expected = _csv_module([names, *[(a, _written(x), b, _written(y)) for a, x, b, y in rows]])
    assert _text(csv_pieces(names, cols, rows_per_chunk=per_chunk)) == expected
    assert csv_text(names, cols) == expected
    assert csv_text(names, cols, header=False) == expected.split("\n", 1)[1]


@given(st.lists(TEXT, max_size=6))
def test_a_table_of_one_column_is_written_as_the_csv_module_writes_it(cells):
    """Alone in its row, an empty cell is quoted (a row of nothing would be a blank line)."""
    assert csv_text(["a"], {"a": cells}) == _csv_module([["a"], *([c] for c in cells)])


def test_a_table_is_written_from_text_and_numbers_only():
    with pytest.raises(TypeError):
        csv_text(["a", "b"], {"a": ["x", None], "b": ["1", "2"]})
    with pytest.raises(ValueError, match="cells"):
        csv_text(["a", "b"], {"a": ["x"], "b": ["1", "2"]})


def test_write_tables_writes_none_when_one_holds_a_formula(tmp_path):
    ok, bad = tmp_path / "ok.csv", tmp_path / "bad.csv"
    with pytest.raises(ValueError, match="a spreadsheet would run"):
        csvio.write_tables({ok: (["a"], {"a": ["x"]}), bad: (["a"], {"a": ["=1"]})})
    assert not ok.exists() and not bad.exists()
    csvio.write_tables({ok: (["a", "n"], {"a": ["x", "-5"], "n": np.array([1.5, -2.0])})})
    assert ok.read_text(encoding="utf-8") == "a,n\nx,1.5\n-5,-2\n"


# -- reading ---------------------------------------------------------------------------------------

# how each stage reads a table: clean (and check) its raw tables; reconcile its curated ones, Arrow
# checked by the strict reader; every stage the tables the pipeline wrote; package and publish those
# with their digests
MODES = {
    "strict": {},
    "checked": {"checked_arrow": True},
    "pipeline": {"written_by_pipeline": True},
    "pipeline+digest": {"written_by_pipeline": True, "digest": True},
}


def read(path, mode: str, arrow_from: int | None = None):
    """A table read in a mode, as (cells of each row, lines, problems); ``arrow_from``: the size
    from which Arrow parses (0: even a small file goes by the Arrow path)."""
    old = csvio.ARROW_MIN_BYTES
    csvio.ARROW_MIN_BYTES = old if arrow_from is None else arrow_from
    try:
        problems = Collector()
        table = read_table(path, NAMES, problems, display="t.csv", **MODES[mode])
        if MODES[mode].get("digest") and table.complete:
            data = path.read_bytes()
            assert table.digest == (len(data), hashlib.sha256(data).hexdigest())
        return [r.cells for r in table], table.lines, sorted(map(str, problems.problems))
    finally:
        csvio.ARROW_MIN_BYTES = old


def _csv_module_rows(text: str) -> list[dict[str, str]]:
    """The rows the csv module reads (Windows line endings read as line feeds), but blank ones."""
    records = list(csv.reader(io.StringIO(text.replace("\r\n", "\n"), newline=""), strict=True))[1:]
    return [dict(zip(NAMES, r, strict=True)) for r in records if any(c.strip() for c in r)]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(
        alphabet=st.sampled_from(
            ["a", " ", ",", '"', "\n", "=", "-", "+", "5", "\xa0", "é", *HIDDEN[:6], "\r", "\t"]
        ),
        max_size=60,
    ),
    st.booleans(),
)
def test_every_way_a_table_is_read_reads_and_reports_alike(tmp_path_factory, body, bom):
    """The strict reader, and the Arrow path of each mode that has one (taken here by even a small
    file), give the same rows, lines and located problems; where there is no problem, the rows are
    those the csv module reads. The one exception is Arrow's leniency in a table the pipeline wrote,
    text after a closing quote (bad-csv)."""
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + ("a,b,c\n" + body).encode("utf-8"))
    strict = read(path, "strict")
    for mode in MODES:
        got = read(path, mode, arrow_from=0)
        if mode == "strict" or "checked" in mode or not any("[bad-csv]" in p for p in strict[2]):
            assert got == strict, mode
    if not strict[2]:
        assert strict[0] == _csv_module_rows("a,b,c\n" + body)


def test_the_one_leniency_of_arrow_is_documented_and_kept_from_raw_tables(tmp_path):
    """Text after a closing quote: the strict reader refuses it, Arrow drops the quotes. Only tables
    the pipeline wrote itself (which never hold it) go to Arrow unchecked."""
    path = tmp_path / "t.csv"
    path.write_text('a,b,c\n"x"y,1,2\n', encoding="utf-8")
    assert read(path, "pipeline", arrow_from=0)[0] == [{"a": "xy", "b": "1", "c": "2"}]
    for mode in ("strict", "checked"):
        cells, _, problems = read(path, mode, arrow_from=0)
        assert cells == [] and "[bad-csv]" in problems[0]
    assert "text after a closing quote" in csvio.__doc__


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT, TEXT), max_size=8))
def test_a_written_table_is_read_back_as_written(tmp_path_factory, rows):
    """What the writer writes, every reader reads back cell for cell (where no cell is one a
    reader refuses)."""
    cells = [dict(zip(NAMES, r, strict=True)) for r in rows]
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text(csv_text(NAMES, {n: [r[n] for r in cells] for n in NAMES}), encoding="utf-8")
    for mode in MODES:
        got, _, problems = read(path, mode, arrow_from=0)
        if not problems:
            assert got == [r for r in cells if any(v.strip() for v in r.values())], mode


def test_a_large_table_is_screened_a_piece_at_a_time(tmp_path):
    """The screen reads a file in pieces: a character of the table split between two is found, and a
    byte-order mark at the start of the file is not a cell's (a first line longer than a piece goes
    to the strict reader)."""
    path = tmp_path / "t.csv"
    for char in ("\u200b", "\x85", "\U000e0001"):  # three, two and four bytes of UTF-8
        path.write_bytes(b"a,b,c\n" + b"x" * 10 + char.encode() + b",1,2\n")
        for step in range(1, 24):
            assert not csvio._screen(path, step=step).plain
    path.write_bytes(
        "\ufeffa,b,c\n".encode() + b"x" * 10 + "\xa0".encode() + b",1,2\n"
    )  # U+00A0 is shown
    for step in range(10, 24):
        seen = csvio._screen(path, digest=True, step=step)
        assert (
            seen.plain
            and seen.first == b"a,b,c"
            and seen.digest
            == (len(path.read_bytes()), hashlib.sha256(path.read_bytes()).hexdigest())
        )
