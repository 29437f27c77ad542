"""The one table of characters not shown (``tables/characters``): what it holds, that every reader
of a table refuses each of its characters in a cell with a located problem (issue 26: publish's
own screen once let U+200B through in a table of 1 MiB or more), and that the terminal escapes
each of them."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT
from stopitnow_figures.render.terminal import safe, safe_json
from stopitnow_figures.tables import characters, csvio, vocab
from stopitnow_figures.tables.errors import Collector
from stopitnow_figures.tables.paths import Paths

# the categories whose characters the table holds, and the block of tags it holds whole
CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
TAGS = range(0xE0000, 0xE0080)
ALL = "".join(map(chr, range(0x110000)))
TABLE = set(characters.code_points())
# the characters a UTF-8 table can hold (a surrogate cannot be written in UTF-8: its bytes are
# refused as not-utf8)
IN_FILES = [chr(c) for c in sorted(TABLE) if not 0xD800 <= c <= 0xDFFF]


def test_the_table_is_every_control_format_surrogate_and_separator_character_and_the_tags():
    """Every character of the categories as the running Python's Unicode database has them (a newer
    database that adds one fails here until the table names it), and the tag block; tab and newline
    are data."""
    expected = {c for c in range(0x110000) if unicodedata.category(chr(c)) in CATEGORIES} - {
        0x09,
        0x0A,
    } | set(TAGS)
    assert TABLE == expected
    ranges = [(a, b) for a, b, _ in characters.TABLE]
    assert ranges == sorted(ranges) and all(
        a <= b < c for (a, b), (c, _) in zip(ranges, ranges[1:], strict=False)
    )


def test_the_table_says_which_characters_are_controls():
    assert {
        characters.kind(chr(c)) == "control" for c in TABLE if unicodedata.category(chr(c)) == "Cc"
    } == {True}
    assert {characters.kind(chr(c)) for c in TABLE if unicodedata.category(chr(c)) != "Cc"} == {
        "invisible formatting"
    }


def test_the_pattern_finds_exactly_the_characters_of_the_table():
    assert {m.start() for m in characters.PATTERN.finditer(ALL)} == TABLE


def test_the_pattern_over_utf8_bytes_finds_exactly_the_characters_of_the_table():
    data = ALL.encode("utf-8", "surrogatepass")
    found, at, chars = set(), 0, 0
    for m in characters.UTF8_PATTERN.finditer(data):  # each start's offset in characters
        chars += len(data[at : m.start()].decode("utf-8", "surrogatepass"))
        at = m.start()
        found.add(chars)
    assert found == TABLE
    assert all(characters.has_any_utf8(b"ab" + c.encode("utf-8") + b"cd") for c in IN_FILES)


@given(
    st.text(
        alphabet=st.sampled_from(
            ["a", ",", "\n", "\t", "\xa0", "é", "–", "€", "😀", "\u2065", "\ufffc", *IN_FILES[::7]]
        ),
        max_size=20,
    )
)
def test_utf8_bytes_hold_a_character_of_the_table_where_their_text_does(text):
    assert characters.has_any_utf8(text.encode("utf-8")) == (
        characters.PATTERN.search(text) is not None
    )


# -- the terminal ----------------------------------------------------------------------------------


def _escape(c: str) -> str:
    """A character of the table as Python writes it escaped, worked out from its code point: a
    carriage return as \\r, any other below U+0100 as \\xhh, below U+10000 as \\uhhhh, and above
    as \\Uhhhhhhhh."""
    o = ord(c)
    if c == "\r":
        return "\\r"
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"


def test_the_terminal_is_sent_none_of_them_and_everything_else_as_it_is():
    assert safe(ALL) == "".join(_escape(c) if ord(c) in TABLE else c for c in ALL)
    assert not TABLE & {ord(c) for c in safe_json(ALL)}
    text = (
        "".join(IN_FILES) + "a\té\n"
    )  # (escaped one by one, a high and a low surrogate would be read back as one)
    assert json.loads(safe_json(json.dumps(text, ensure_ascii=False))) == text


# -- every reader refuses each of them -------------------------------------------------------------

MODES = {  # how the stages read a table (see tests/test_csvio.py)
    "strict": {},
    "checked": {"checked_arrow": True},
    "pipeline": {"written_by_pipeline": True},
    "pipeline+digest": {"written_by_pipeline": True, "digest": True},
}
# a cell long enough that nine of them make a table of 1 MiB or more (the size from which the
# readers that may use Arrow screen the file's bytes first), each shorter than the strict reader's
# longest cell
LONG = "x" * (csvio.ARROW_MIN_BYTES // 9 + 1)
assert len(LONG) < csvio.FIELD_LIMIT


def _located(problems: Collector, display: str) -> set[tuple[int, str, str]]:
    """The control-character problems of a file: (line, column, the character's U+ code named in
    the message)."""
    out = set()
    for p in problems.problems:
        assert p.file == display and p.type == "control-character", str(p)
        out.add((p.line, p.column, re.search(r"U\+[0-9A-F]{4,6}", p.message).group(0)))
    return out


def _write(path: Path, cells: list[str], padding: str) -> None:
    """A table whose line 3 holds x<cell>y in column b, one line to a cell of ``cells``, and then
    ``padding`` (whole lines of CSV)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(
        [["a", "b", "c"], ["plain", "1", "2"], *(["x", f"x{c}y", "3"] for c in cells)]
    )
    path.write_text(buf.getvalue() + padding, encoding="utf-8", newline="")


def _padding(large: bool) -> str:
    rows = [[LONG, LONG, LONG]] * 3 if large else [["a", "1", "2"]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_a_cell_holding_any_character_of_the_table_is_refused_in_every_mode_of_the_reader(
    tmp_path,
):
    """Each character alone in a small table (x<char>y in the second cell of line 3), read in every
    mode a stage reads a table in: one problem, located at its line and column, naming the
    character."""
    path = tmp_path / "t.csv"
    padding = _padding(large=False)
    for char in IN_FILES:
        _write(path, [char], padding)
        assert path.stat().st_size < csvio.ARROW_MIN_BYTES
        for mode, kw in MODES.items():
            problems = Collector()
            csvio.read_table(path, ["a", "b", "c"], problems, display="t.csv", **kw)
            assert _located(problems, "t.csv") == {(3, "b", f"U+{ord(char):04X}")}, (
                mode,
                f"U+{ord(char):04X}",
            )


def test_at_1mib_each_character_alone_and_all_together_are_refused_in_every_mode(tmp_path):
    """The same at 1 MiB or more, where the readers that may use Arrow first screen the file's
    bytes and must hand any file holding a character of the table to the strict reader, which
    locates it (issue 26: a screen once let U+200B through at this size).

    Each character is still read alone in a table of 1 MiB, but in one mode each, the modes taken
    in turn along the table (every mode so reads characters of each UTF-8 length, which the test
    checks): a read at this size costs the strict reader's pass over the whole megabyte, and the
    four modes differ only in how they screen, which each does to every character in the table
    holding them all, read in every mode below. Reading every character alone in every mode at
    this size (over a thousand reads of a megabyte) took minutes and tested nothing more: what a
    mode does with one character at any size is the test above."""
    path = tmp_path / "t.csv"
    padding = _padding(large=True)
    turns = [(char, list(MODES)[k % len(MODES)]) for k, char in enumerate(IN_FILES)]
    assert {(mode, len(char.encode("utf-8"))) for char, mode in turns} == {
        (mode, n) for mode in MODES for n in (1, 2, 3, 4)
    }
    for char, mode in turns:
        _write(path, [char], padding)
        assert path.stat().st_size >= csvio.ARROW_MIN_BYTES
        kw = MODES[mode]
        problems = Collector()
        csvio.read_table(path, ["a", "b", "c"], problems, display="t.csv", **kw)
        assert _located(problems, "t.csv") == {(3, "b", f"U+{ord(char):04X}")}, (
            mode,
            f"U+{ord(char):04X}",
        )
    _write(path, IN_FILES, padding)
    expected = {(3 + k, "b", f"U+{ord(c):04X}") for k, c in enumerate(IN_FILES)}
    for mode, kw in MODES.items():
        problems = Collector()
        csvio.read_table(path, ["a", "b", "c"], problems, display="t.csv", **kw)
        assert _located(problems, "t.csv") == expected, mode


def test_a_surrogate_in_a_table_is_refused_as_not_utf8(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b,c\nx," + "\ud800".encode("utf-8", "surrogatepass") + b",1\n")
    for kw in MODES.values():
        problems = Collector()
        csvio.read_table(path, ["a", "b", "c"], problems, display="t.csv", **kw)
        assert [(p.type, p.line) for p in problems.problems] == [("not-utf8", 2)]


def _stage_readers():
    """How each stage reads the table every stage reads, figures: clean its raw table,
    the others the candidate's (package and publish by ``swap.candidate_tables``, report
    by ``schema.package_tables``)."""
    from stopitnow_figures.stages import clean, derive, package, publish, reader, reconcile, report

    return {
        "clean": lambda p, c: clean.load_inputs(p, vocab.load(p.schemas), c),
        "reconcile": reconcile.load_inputs,
        "derive": lambda p, c: derive.read_inputs(p, vocab.load(p.schemas), c),
        "package": lambda p, c: package.candidate_tables(p, c, {}),
        "report": lambda p, c: report.package_tables(p, p.candidate, c),
        "reader": reader.read_package,
        "publish": lambda p, c: publish.candidate_tables(p, c, {}),
    }


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """The repository's raw tables, schemas and settings, with the published tables as the candidate
    (and as reconcile's quantities)."""
    root = tmp_path_factory.mktemp("tree")
    for part in ("raw", "schemas"):
        shutil.copytree(ROOT / part, root / part)
    for name in ("params.yaml", "package.yaml", "CHANGELOG.md"):
        shutil.copy2(ROOT / name, root)
    paths = Paths(root)
    shutil.copytree(ROOT / "processed", paths.candidate.processed)
    paths.reconciled_quantities.parent.mkdir(parents=True)
    shutil.copy2(ROOT / "processed" / "quantities.csv", paths.reconciled_quantities)
    return root


def _taint(path: Path, large: bool) -> set[tuple[int, str, str]]:
    """Rewrite a figures table: each character of the table in the notes of a copy of its first row,
    one a row, then (``large``) copies of that row to 1 MiB; the problems expected."""
    with path.open(encoding="utf-8", newline="") as fh:
        header, first = list(csv.reader(fh))[:2]
    assert not any("\n" in c for c in first)  # one line a row
    at = header.index("notes")
    rows = [
        [f"{c}-t{k}" if i == 0 else (f"x{ch}y" if i == at else c) for i, c in enumerate(first)]
        for k, ch in enumerate(IN_FILES)
    ]
    padding = [
        [f"{c}-p{k}" if i == 0 else c for i, c in enumerate(first)]
        for k in range(1 + (1 << 20) // len(",".join(first)))
    ]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows, *(padding if large else [])])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    assert (path.stat().st_size >= csvio.ARROW_MIN_BYTES) == large
    return {(k + 2, "notes", f"U+{ord(ch):04X}") for k, ch in enumerate(IN_FILES)}


@pytest.mark.parametrize("large", [False, True], ids=["small", "1MiB"])
@pytest.mark.parametrize("stage", list(_stage_readers()))
def test_every_reader_of_a_table_refuses_each_character_of_the_table_with_a_located_problem(
    tree, stage, large
):
    """Every stage's reading of the figures (clean's raw table; the candidate's for every other
    stage, publish's included), small or of 1 MiB or more, with each character of the table in a
    cell: a problem at each one's line and column, naming it. With the test above (each character
    alone, in every mode of the one reader), each character is refused by itself at every reader."""
    paths = Paths(tree)
    target = paths.raw_figures if stage == "clean" else paths.candidate.table("figures")
    saved = target.read_bytes()
    try:
        expected = _taint(target, large)
        problems = Collector()
        _stage_readers()[stage](paths, problems)
        display = paths.rel(target)
        found = Collector()
        found.extend([p for p in problems.problems if p.file == display])
        assert _located(found, display) == expected
    finally:
        target.write_bytes(saved)
