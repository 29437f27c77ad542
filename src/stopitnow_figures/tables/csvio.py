"""Strict CSV reading for hand-edited raw tables, fast reading of the tables the
pipeline writes, and deterministic writing.

Reading accepts what is harmless (a byte-order mark, Windows line endings) and
refuses, with a located problem, what is not: bytes that are not UTF-8, a
header that differs from the expected one, a wrong delimiter, rows with the
wrong number of cells, and cells a spreadsheet would run as a formula.

Tables are held by column (``Table``): a million rows as one list per column
cost a fraction of a million dicts. Hand-edited tables are always parsed by
Python's ``csv`` module in strict mode. Tables the pipeline wrote itself
(``written_by_pipeline=True``) are parsed by Arrow, about ten times faster;
whenever Arrow refuses the text, or a row spans lines, or a cell is blank or
looks like a formula, the strict reader parses it again so that every problem
is located exactly as for a hand-edited table. Arrow is more lenient than the
strict reader in one way only: text after a closing quote ("ab"c) is read as
abc rather than refused. The pipeline's writer never produces it, so only a
hand edit of processed/ could, and the checks of the stage reading the table
still apply to the cell.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import Collector

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_START = frozenset(FORMULA_PREFIXES)
FORMULA_SIGNS = ("+", "-")  # these may also start a number, which is data (see ``looks_like_formula``)
FORMULA_ONLY = tuple(p for p in FORMULA_PREFIXES if p not in FORMULA_SIGNS)
_FORMULA_AFTER_LINE_END = re.compile("\n[" + re.escape("".join(FORMULA_PREFIXES)) + "]")
ARROW_MIN_BYTES = 1 << 20  # below this the strict reader is as fast as starting Arrow
# The longest cell the strict reader takes (the csv module's own default); a longer one is a problem (bad-csv). Set for
# each read, because the csv module's limit is the process's: importing frictionless (pandera does, to build a
# validator) raises it for everyone, and what a table reports must not depend on what was imported before it was read.
FIELD_LIMIT = 131072


@dataclass(frozen=True)
class Row:
    line: int  # the line a text editor shows for the start of the record
    cells: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.cells[key]

    def get(self, key: str, default: str = "") -> str:
        return self.cells.get(key, default)


class Table:
    """A CSV table held by column: text cells, and the editor line of each row.

    Iterating gives one ``Row`` per record (for small tables and messages);
    ``column`` gives a whole column as a list, for code that handles a million
    rows at once.
    """

    def __init__(self, names: Sequence[str], columns: dict, lines: list[int] | None = None, n: int | None = None, *, complete: bool = True):
        self.names = list(names)
        self.complete = complete  # False when a problem with the whole file (its form, a row that cannot be parsed) cut it short
        self._columns = dict(columns)  # name -> list[str], or an Arrow array until first asked for
        self._arrow = None if all(isinstance(c, list) for c in self._columns.values()) else dict(columns)
        self._lines = lines  # None: record i is on line i + 2 (one line each after the header)
        self._made: dict = {}  # name -> the Arrow text made from a column of cells (see ``arrow``)
        self._n = n if n is not None else (len(lines) if lines is not None else 0)

    @classmethod
    def unreadable(cls, names: Sequence[str]) -> Table:
        """The empty, incomplete table of a file that could not be read at all."""
        return cls(names, {}, [], complete=False)

    @classmethod
    def from_rows(cls, names: Sequence[str], rows: Sequence[dict], lines: list[int] | None = None) -> Table:
        """A table from dicts of text cells (tests, and tables built in code)."""
        columns = {n: [r.get(n, "") for r in rows] for n in names}
        return cls(names, columns, lines if lines is not None else [i + 2 for i in range(len(rows))], len(rows))

    def __len__(self) -> int:
        return self._n

    def column(self, name: str) -> list[str]:
        """The cells of one column, in row order ("" for an absent optional column)."""
        col = self._columns.get(name)
        if col is None:
            return [""] * self._n
        if not isinstance(col, list):
            col = col.to_pylist()
            self._columns[name] = col
        return col

    def numbers(self, name: str, empty: float = math.nan):
        """A column as a NumPy array of numbers (``empty`` for an empty cell), and
        the rows whose text is not a number at all (NaN there)."""
        import numpy as np

        col = self._columns.get(name)
        if col is not None and not isinstance(col, list):
            read = arrow_numbers(col, empty)
            if read is not None:
                return read, []
        out, bad = np.full(self._n, math.nan), []
        for i, c in enumerate(self.column(name)):
            if not c:
                out[i] = empty
                continue
            try:
                out[i] = float(c)
            except ValueError:
                bad.append(i)
        return out, bad

    def release(self) -> None:
        """Forget the lists made from Arrow columns (they are made again when asked for)."""
        if self._arrow is not None:
            self._columns = dict(self._arrow)

    def arrow(self, name: str):
        """A column as Arrow text (a ChunkedArray): as Arrow read it, or made from its cells (empty cells for an
        absent column)."""
        import pyarrow as pa

        col = self._arrow.get(name) if self._arrow is not None else None
        if col is None:
            col = self._columns.get(name)
        if col is None or isinstance(col, list):
            if name not in self._made:
                self._made[name] = pa.chunked_array([pa.array([""] * self._n if col is None else col, type=pa.string())], type=pa.string())
            return self._made[name]
        return col if isinstance(col, pa.ChunkedArray) else pa.chunked_array([col], type=pa.string())

    def arrow_or_list(self, name: str):
        """A column as stored: a list, or the Arrow array it was read into (None if absent)."""
        return self._columns.get(name)

    def line(self, i: int) -> int:
        return self._lines[i] if self._lines is not None else i + 2

    @property
    def lines(self) -> list[int]:
        return list(self._lines) if self._lines is not None else list(range(2, self._n + 2))

    def __iter__(self) -> Iterator[Row]:
        cols = [(n, self.column(n)) for n in self.names]
        for i in range(self._n):
            yield Row(self.line(i), {n: c[i] for n, c in cols})

    def __bool__(self) -> bool:
        return self._n > 0


def arrow_numbers(col, empty: float = math.nan):
    """An Arrow column of text cells as a NumPy array of numbers (``empty`` for an
    empty cell), or None if some cell is not a number Arrow reads (the caller's
    plain reading then says which)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        blank = pc.equal(col, "")
        read = pc.cast(pc.if_else(blank, pa.scalar(None, pa.string()), col), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    out = np.array(read.to_numpy(zero_copy_only=False), dtype=float)  # a copy: Arrow's own is read-only
    if not math.isnan(empty):
        out[blank.to_numpy(zero_copy_only=False)] = empty
    return out


def all_distinct(col, order=None) -> bool:
    """Whether no two cells of an Arrow column are equal: sorted (``order``: its sort indices, where the caller
    has them), none equals the next (a sort is several times faster than Arrow's count of distinct values)."""
    import pyarrow.compute as pc

    n = len(col)
    if n < 2:
        return True
    if order is None and not col.null_count and pc.all(pc.less(col.slice(0, n - 1), col.slice(1)), min_count=0).as_py():
        return True  # in order already, each cell less than the next (an output written in id order): no sort needed
    ordered = pc.take(col, pc.sort_indices(col) if order is None else order)
    return not pc.any(pc.equal(ordered.slice(1), ordered.slice(0, n - 1))).as_py()


def looks_like_formula(cell: str) -> bool:
    """True for a cell a spreadsheet would evaluate (=, +, -, @ at the start).

    A signed number ("-5", "+3.2") is data, not a formula.
    """
    if not cell or not cell.startswith(FORMULA_PREFIXES):
        return False
    try:
        float(cell.replace(",", ""))
    except ValueError:
        return True
    return False


def read_table(
    path: Path,
    columns: list[str],
    problems: Collector,
    *,
    display: str | None = None,
    optional: frozenset[str] = frozenset(),
    written_by_pipeline: bool = False,
    checked_arrow: bool = False,
) -> Table:
    """Read a CSV into a Table, reporting every problem found.

    ``columns`` is the exact header expected (order free); ``optional`` columns
    may be absent. A problem with the whole file (missing, not UTF-8, a bad
    header, a row that cannot be parsed) is reported once, and the table comes
    back marked incomplete, so that checks across tables can leave it out
    rather than report what follows from it.

    ``checked_arrow``: a hand-edited table may be parsed by Arrow too, without
    its one leniency: every line holding a quote is read again by the strict
    reader, and the strict reader reads the whole file unless each agrees (a
    line without a quote is split at its commas by both). The table read is
    the strict reader's, only faster. A cell longer than ``FIELD_LIMIT`` is a
    problem.
    """
    before = csv.field_size_limit(FIELD_LIMIT)
    try:
        return _read_table(path, columns, problems, display, optional, written_by_pipeline or checked_arrow, not written_by_pipeline)
    finally:
        csv.field_size_limit(before)


def _read_table(
    path: Path, columns: list[str], problems: Collector, display: str | None, optional: frozenset[str], arrow: bool, strict: bool
) -> Table:
    """``read_table``, with the csv module's limit set (``arrow``: Arrow may parse a large file; ``strict``: its one
    leniency checked)."""
    name = display or str(path)
    data = read_file_bytes(path, name, problems)
    if data is None:
        return Table.unreadable(columns)
    if arrow and len(data) >= ARROW_MIN_BYTES:
        table = _read_arrow(data, columns, optional, strict=strict)
        if table is not None:
            return table
    text = _decode(data, name, problems)
    header = None if text is None else _header(text, columns, optional, name, problems)
    if header is None:
        return Table.unreadable(columns)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)
    if reader.line_num == 1 and not _CONTROL.search(text):
        table = _read_plain(reader, text, header)
        if table is not None:
            return table
    text, mask = _mask_lone_carriage_returns(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)
    return _read_located(reader, header, name, problems, mask)


def _mask_lone_carriage_returns(text: str) -> tuple[str, str | None]:
    """The text with each carriage return not followed by a line feed (Windows endings are gone by now) in
    a private-use character absent from it, and that character: the csv module would end a record at the
    return, so the row's cells would be miscounted on the wrong lines; masked, the return stays in its cell,
    which is refused as holding a control character, on the record's line."""
    if "\r" not in text:
        return text, None
    mask = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
    return text.replace("\r", mask), mask


def read_file_bytes(path: Path, name: str, problems: Collector) -> bytes | None:
    """A file's bytes, where it is a readable regular file with something in it."""
    if path.is_symlink():
        why = "a link to nothing" if not path.exists() else "a link; a table must be a regular file inside the repository"
        problems.add("unsafe-path", name, None, None, None, f"the file is {why}")
        return None
    if not path.exists():
        problems.add("missing-file", name, None, None, None, "the file does not exist")
        return None
    if not path.is_file():
        problems.add("unsafe-path", name, None, None, None, "this is not a regular file (a folder or a device)")
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.add("missing-file", name, None, None, None, f"the file cannot be read: {exc.strerror}")
        return None
    if not data or data.isspace():  # what ``not data.strip()`` says, without a copy of the file
        problems.add("empty-file", name, 1, None, None, "the file is empty; it needs at least a header row")
        return None
    return data


def _decode(data: bytes, name: str, problems: Collector) -> str | None:
    """The text of a table: UTF-8, a byte-order mark and Windows line endings accepted (harmless)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        where = repr(data[exc.start : exc.start + 4])
        problems.add("not-utf8", name, line, None, where, f"byte {exc.start} is not UTF-8; save the file as UTF-8")
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _header(text: str, columns: list[str], optional: frozenset[str], name: str, problems: Collector) -> list[str] | None:
    """The header, where it is the expected one (order free); None after reporting what is wrong with it."""
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (StopIteration, csv.Error) as exc:
        problems.add("bad-header", name, 1, None, None, f"cannot read the header: {exc}")
        return None
    if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
        delim = next(d for d in (";", "\t", "|") if d in header[0])
        problems.add("wrong-delimiter", name, 1, None, header[0], f"the header is split by {delim!r}; cells must be separated by commas")
        return None
    expected = set(columns)
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [c for c in header if c not in expected]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for col in missing:
        problems.add("missing-column", name, 1, col, ",".join(header), f"the header lacks column {col!r}")
    for col in unknown:
        problems.add("unknown-column", name, 1, col, col, f"unknown column; expected only {sorted(expected)}")
    for col in dupes:
        problems.add("duplicate-column", name, 1, col, col, "the column appears more than once in the header")
    return None if missing or unknown or dupes else header


# control characters other than tab and newline (C0, DEL and C1): never data, and terminal escapes among them;
# and the invisible formatting characters that change how text around them reads or is shown (a soft hyphen,
# the Arabic letter mark, zero-width spaces and joiners, direction marks and overrides, line and paragraph
# separators, word joiners and invisible operators, direction isolates, a byte-order mark inside a cell, and the
# tag characters, which spell hidden text)
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)
_CONTROL_BYTES = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f\xad]|\xd8\x9c|\xe2\x80[\x8b-\x8f\xa8-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]|\xef\xbb\xbf"
    rb"|\xf3\xa0[\x80\x81][\x80-\xbf]"
)
# every byte but the C0 controls other than tab and newline, DEL, and the lead bytes of the other characters
# _CONTROL_BYTES refuses (0xC2: C1 controls and the soft hyphen; 0xD8: the Arabic letter mark; 0xE2: the
# zero-width, direction and separator marks; 0xEF: a byte-order mark; 0xF3: the tag characters)
_LEAD_BYTES = b"\xc2\xd8\xe2\xef\xf3"
_PLAIN_BYTES = bytes(b for b in range(256) if not (b < 0x20 and b not in (0x09, 0x0A) or b == 0x7F or bytes([b]) in _LEAD_BYTES))


def has_control_bytes(data: bytes) -> bool:
    """Whether UTF-8 ``data`` holds a character ``_CONTROL_BYTES`` refuses; what is left once every other byte
    is deleted says so, ten times faster than the regular expression over it all."""
    left = data.translate(None, _PLAIN_BYTES)
    if not left:
        return False
    if left.translate(None, _LEAD_BYTES):
        return True  # a C0 control or DEL
    return _CONTROL_BYTES.search(data) is not None


def _read_plain(reader, text: str, header: list[str]) -> Table | None:
    """The records by Python's csv module in one go, where each is one whole,
    well-formed line with nothing to report; None otherwise (then
    ``_read_located`` reads them again, one by one, to locate each problem)."""
    try:
        records = list(reader)
    except csv.Error:
        return None
    n_lines = text.count("\n") - (1 if text.endswith("\n") else 0)
    if len(records) != n_lines or any(n != len(header) for n in map(len, records)):
        return None  # a blank line, a row spanning lines, or a row of the wrong width
    if records and min(map(len, map(str.strip, map("".join, records)))) == 0:
        return None  # a row of blank cells
    columns = {h: list(col) for h, col in zip(header, zip(*records, strict=True), strict=True)} if records else {h: [] for h in header}
    if any(formula_cells(col) for col in columns.values()):
        return None
    return Table(header, columns, None, len(records))


def _read_located(reader, header: list[str], name: str, problems: Collector, mask: str | None = None) -> Table:
    """The rest of the records, by Python's csv module one at a time, each problem located by line;
    ``mask`` stands for a carriage return (``_mask_lone_carriage_returns``)."""
    records: list[list[str]] = []
    lines: list[int] = []
    previous_end, width, complete = reader.line_num, len(header), True
    while True:
        start = previous_end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add("bad-csv", name, start, None, None, f"cannot parse the row: {exc}; the rows after it were not read")
            complete = False
            break
        previous_end = reader.line_num
        if mask is not None:
            record = [c.replace(mask, "\r") for c in record]
        if not record or all(not c.strip() for c in record):
            continue  # blank lines are harmless
        if len(record) != width:
            message = f"the row has {len(record)} cells; the header has {width}"
            problems.add("wrong-cell-count", name, start, None, ",".join(record), message)
            complete = False
            continue
        records.append(record)
        lines.append(start)
    columns = {h: list(col) for h, col in zip(header, zip(*records, strict=True), strict=True)} if records else {h: [] for h in header}
    for h, col in columns.items():
        _cell_problems(col, h, lines, name, problems)
    return Table(header, columns, lines, complete=complete)


def _cell_problems(col: list[str], column: str, lines: list[int], name: str, problems: Collector) -> None:
    """Cells a spreadsheet would run, and cells holding control characters."""
    for i in formula_cells(col):
        cell = col[i]
        message = f"a spreadsheet would run this cell as a formula; remove the leading {cell[0]!r}"
        problems.add("formula-cell", name, lines[i], column, cell, message)
    for i, cell in enumerate(col):
        m = _CONTROL.search(cell)
        if m:
            what = "control" if m.group(0) < "\xa0" else "invisible formatting"
            message = (
                f"the cell holds the {what} character U+{ord(m.group(0)):04X} at position {m.start()}; "
                "of the characters not shown, only tab and newline are allowed"
            )
            problems.add("control-character", name, lines[i], column, cell, message)


def formula_cells(col: list[str]) -> list[int]:
    """Positions of the cells a spreadsheet would run (see ``looks_like_formula``)."""
    if not col:
        return []
    text = "\n".join(col)  # a cell starts at the start or after a line end (and a line end within a cell is let by)
    if text[:1] not in FORMULA_START and not _FORMULA_AFTER_LINE_END.search(text):
        return []  # no cell even starts like a formula
    return [i for i, c in enumerate(col) if c[:1] in FORMULA_START and looks_like_formula(c)]


def _read_arrow(data: bytes, columns: list[str], optional: frozenset[str], *, strict: bool = False) -> Table | None:
    """The table parsed by Arrow from its bytes; None whenever the strict reader
    must look (see the module doc), which then finds and locates any problem.
    ``strict``: also None unless the strict reader would read each record alike
    (see ``read_table``)."""
    import pyarrow as pa

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    end = data.find(b"\n")
    if end < 0 or has_control_bytes(data):
        return None  # a control character (a lone carriage return among them): the strict reader locates it
    try:
        header = next(csv.reader([data[:end].decode("utf-8")], strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    if len(set(header)) != len(header) or not set(header) <= set(columns) or set(columns) - set(header) - optional:
        return None
    body = memoryview(data)[end + 1 :]
    n_lines = data.count(b"\n", end + 1) + (1 if len(body) and not data.endswith(b"\n") else 0)
    try:
        table = _arrow_csv(body, header)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_rows != n_lines or _arrow_must_look(table, header, [ch for ch in FORMULA_PREFIXES if ch.encode() in data]):
        return None  # a blank line or a cell spanning lines (the strict reader counts lines), or a cell to report
    if strict and not _strict_agrees(data, end + 1, table, header):
        return None
    return Table(header, {h: table.column(h) for h in header}, None, table.num_rows)


def _arrow_csv(body, header: list[str]):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    # one thread: on two cores, Arrow's threads spend half as much time again as one, for no less wall time
    return pcsv.read_csv(
        pa.py_buffer(body),
        read_options=pcsv.ReadOptions(column_names=header, block_size=1 << 22, use_threads=False),
        parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pcsv.ConvertOptions(
            column_types={h: pa.string() for h in header}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )


def _arrow_must_look(table, header: list[str], present: list[str]) -> bool:
    """Whether a cell may be one the strict reader reports (a formula) or skips (a row of blank cells);
    ``present``: the characters a formula starts with that the file holds at all (no cell starts with another).
    Each such character is one byte of UTF-8, so a cell starts with it where its first byte is it."""
    import numpy as np

    plain = [ord(ch) for ch in FORMULA_ONLY if ch in present]
    signs = [ord(ch) for ch in FORMULA_SIGNS if ch in present]
    for h in header:
        if not plain and not signs:
            break
        col = table.column(h)
        first = first_bytes(col)
        if plain and np.isin(first, plain).any():
            return True
        at = np.flatnonzero(np.isin(first, signs)) if signs else ()
        if len(at) and any(looks_like_formula(c) for c in col.take(at).to_pylist()):  # a signed number is data
            return True
    # a first cell that does not start with a printable ASCII character other than a space may be blank
    # (Arrow's reading of Unicode whitespace costs a third of a second to start, so none is asked of it)
    return bool(header) and not _printable_first(first_bytes(table.column(header[0]))).all()


def first_bytes(col):
    """The first byte of each cell of Arrow text (0 for an empty cell) as a NumPy array, read from the
    offsets and data of its chunks (no cell is copied); None where a cell is null."""
    import numpy as np
    import pyarrow as pa

    if col.null_count:
        return None
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    out = [np.zeros(0, dtype=np.uint8)]
    for chunk in chunks:
        offsets, data = text_buffers(chunk)
        first = np.zeros(len(chunk), dtype=np.uint8)
        filled = offsets[1:] > offsets[:-1]
        first[filled] = data[offsets[:-1][filled]]
        out.append(first)
    return np.concatenate(out)


def text_buffers(text):
    """An Arrow text array's offsets (one more than its cells) and its bytes, as NumPy views."""
    import numpy as np
    import pyarrow as pa

    if text.type != pa.string():
        text = text.cast(pa.string())
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32, count=len(text) + 1, offset=4 * text.offset)
    data = text.buffers()[2]
    return offsets, np.frombuffer(b"" if data is None else data, dtype=np.uint8)


def _printable_first(first):
    """Which cells start with a printable ASCII character other than a space (``first``: their first bytes)."""
    return (first >= ord("!")) & (first <= ord("~"))


def surely_not_blank(col):
    """An Arrow mask of the text cells that start with a printable ASCII character other than a space (so
    that ``cell.strip()`` is not empty); false for the others, which may be blank (null for a null cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    first = first_bytes(col)
    if first is None:
        start = pc.binary_slice(col.cast(pa.binary()), 0, 1)
        return pc.and_(pc.greater_equal(start, pa.scalar(b"!")), pc.less_equal(start, pa.scalar(b"~")))
    return pa.array(_printable_first(first))


def _strict_agrees(data: bytes, start: int, table, header: list[str]) -> bool:
    """Whether the strict reader reads Arrow's records, each one line from ``start`` (no record spans lines,
    as Arrow's count of rows has shown): each line holding a quote is read by it again, and each other line
    is split at its commas by both; no cell is as long as the csv module's limit."""
    import pyarrow.compute as pc

    limit = csv.field_size_limit()
    if any((pc.max(pc.binary_length(table.column(h))).as_py() or 0) >= limit for h in header):
        return False
    at, lines = _quoted_lines(data, start)
    if not at:
        return True
    arrow = table.take(at).to_pylist()
    for line, row in zip(lines, arrow, strict=True):
        try:
            records = list(csv.reader([line.decode("utf-8")], strict=True))
        except csv.Error:
            return False
        if records != [[row[h] for h in header]]:
            return False
    return True


def _quoted_lines(data: bytes, start: int) -> tuple[list[int], list[bytes]]:
    """The lines after ``start`` that hold a double quote: their positions (0 the first) and their bytes."""
    at, lines = [], []
    line, counted = 0, start
    pos = data.find(b'"', start)
    while pos >= 0:
        begin = data.rfind(b"\n", start, pos) + 1 or start
        line += data.count(b"\n", counted, begin)
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        at.append(line)
        lines.append(data[begin:end])
        counted = begin
        pos = data.find(b'"', end)
    return at, lines


def format_number(value: float | int | None) -> str:
    """Canonical text for a number: integers without a decimal point, others to 10 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{float(value):.10g}"
    if "e" in text:
        text = f"{float(value):.10f}".rstrip("0").rstrip(".")
    return text


def format_numbers(values) -> list[str]:
    """``format_number`` over a sequence of numbers (NaN or None for empty), fast for whole numbers."""
    import numpy as np

    arr = np.asarray(values, dtype=float)
    out = np.full(arr.shape, "", dtype=object)
    size = np.abs(arr)
    with np.errstate(invalid="ignore"):  # the remainder of an infinity is NaN, which is not whole
        whole = ~np.isnan(arr) & (np.mod(arr, 1) == 0) & (size < 1e15)
    out[whole] = list(map(str, arr[whole].astype(np.int64).tolist()))
    # ".10g" writes these without an exponent, as format_number does (from 9999999999.5 up it rounds to 1e+10)
    plain = ~np.isnan(arr) & ~whole & (size >= 1e-4) & (size < 9999999999.5)
    out[plain] = list(map("{:.10g}".format, arr[plain].tolist()))
    rest = ~np.isnan(arr) & ~whole & ~plain
    out[rest] = [format_number(v) for v in arr[rest].tolist()]
    return out.tolist()


def format_numbers_arrow(values):
    """``format_numbers`` as Arrow text, cell for cell, without a Python string for each: whole numbers by Arrow,
    those written to 10 significant digits all in one %-format (the same formatting as ``format``), and the rest
    (tiny or huge, a few) one at a time by ``format_number``; NaN as an empty cell."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = np.asarray(values, dtype=float)
    nan, size = np.isnan(arr), np.abs(arr)
    with np.errstate(invalid="ignore"):  # an infinity is not whole
        whole = (np.mod(arr, 1) == 0) & (size < 1e15)
    plain = ~nan & ~whole & (size >= 1e-4) & (size < 9999999999.5)
    tens = arr[plain].tolist()
    written = pc.split_pattern(pa.array(["%.10g\n" * len(tens) % tuple(tens)]), "\n").flatten().slice(0, len(tens))
    if len(tens) == len(arr):
        return written
    rest = ~nan & ~whole & ~plain
    pieces = [
        pa.repeat(pa.scalar("", pa.string()), int(nan.sum())),
        pc.cast(pa.array(arr[whole].astype(np.int64)), pa.string()),
        written,
        pa.array([format_number(v) for v in arr[rest].tolist()], type=pa.string()),
    ]
    order = np.concatenate([np.flatnonzero(kind) for kind in (nan, whole, plain, rest)])  # the rows of each piece
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return pa.concat_arrays(pieces).take(back)


def escape_cell(cell: str) -> str:
    """Refuse a text cell a spreadsheet would run; published tables never hold one."""
    if looks_like_formula(cell):
        raise ValueError(f"refusing to publish a cell a spreadsheet would run: {cell!r}")
    return cell


def csv_chunks(names: list[str], columns: dict[str, Sequence], rows_per_chunk: int = 50000, *, checked: bool = False) -> Iterator[str]:
    """A table as CSV text, a chunk of rows at a time: each column a list of text
    cells, an Arrow array of text, or a NumPy array of numbers (NaN for empty).

    Numbers are written by ``format_number``; text by Python's csv module
    (quoted only where needed, lines ending in "\\n"); a cell a spreadsheet
    would run is refused (unless the caller ``checked`` already).
    """
    for piece in _csv_pieces(names, columns, rows_per_chunk, checked):
        yield piece if isinstance(piece, str) else piece.decode("utf-8")


def _csv_pieces(names: list[str], columns: dict[str, Sequence], rows_per_chunk: int, checked: bool) -> Iterator[str | bytes]:
    """``csv_chunks``, each chunk as text or as its UTF-8 bytes."""
    n = None
    for name in names:
        col = columns[name]
        if n is not None and len(col) != n:
            raise ValueError(f"column {name!r} has {len(col)} cells, not {n}")
        n = len(col)
        if not checked:
            refuse_formulas(col)
    yield _csv_text([names])
    arrow = (n or 0) >= ARROW_MIN_ROWS
    for start in range(0, n or 0, rows_per_chunk):
        yield _csv_chunk([_cells_of(columns[name], start, rows_per_chunk, arrow) for name in names], arrow)


def _is_arrow(col) -> bool:
    return type(col).__module__.startswith("pyarrow")


def _cells_of(col, start: int, size: int, arrow: bool):
    """``size`` cells of a column from ``start``: text cells (a list, or Arrow text), numbers by ``format_numbers``
    (as Arrow text, with ``arrow``)."""
    if isinstance(col, list):
        return col[start : start + size]
    if _is_arrow(col):
        return col.slice(start, size)
    return format_numbers_arrow(col[start : start + size]) if arrow else format_numbers(col[start : start + size])


def refuse_formulas(col) -> None:
    """Refuse (``escape_cell``) the first cell of a text column that a spreadsheet would run; numbers never are."""
    if isinstance(col, list):
        for i in formula_cells(col):
            escape_cell(col[i])
    elif _is_arrow(col):
        import pyarrow.compute as pc

        starts = None
        for ch in FORMULA_PREFIXES:
            starts = pc.starts_with(col, ch) if starts is None else pc.or_(starts, pc.starts_with(col, ch))
        for cell in pc.filter(col, starts).to_pylist():
            escape_cell(cell)


def _csv_text(rows) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


ARROW_MIN_ROWS = 10000  # below this joining the cells in Python is as fast as starting Arrow


def _csv_chunk(cols: list, arrow: bool) -> str | bytes:
    """Rows (given by column) as the csv module writes them. Where no cell holds a comma, a quote or a line
    break, that is each row's cells joined by commas: for many rows, Arrow's writer writes that, refusing
    any such cell (and a carriage return). Else each cell is written as the csv module writes it in a row of
    several cells (``_quoted``), and the cells joined so. Where a cell is not text or holds a carriage return,
    or a row has a single cell (an empty one is written quoted), the csv module writes them."""
    rows = len(cols[0]) if cols else 0
    if len(cols) > 1 and rows and arrow and not any(isinstance(c, list) and _needs_quotes(c) for c in cols):
        data = _arrow_csv_chunk(cols)
        if data is not None:
            return data
    cols = [c.to_pylist() if _is_arrow(c) else c for c in cols]
    if len(cols) > 1 and rows:
        quoted = [_quoted(c) for c in cols]
        if None not in quoted:
            return "\n".join(map(",".join, zip(*quoted, strict=True))) + "\n"
    return _csv_text(zip(*cols, strict=True))


_NEEDS_QUOTES = (",", '"', "\n", "\r")


def _needs_quotes(col: list) -> bool:
    """Whether a cell of a column of text holds a comma, a quote or a line break (or is not text)."""
    try:
        text = "".join(col)
    except TypeError:
        return True
    return any(ch in text for ch in _NEEDS_QUOTES)


def _quoted(col: list) -> list[str] | None:
    """A column's cells as the csv module writes them in a row of several cells (quoting as it does by
    default): a cell holding a comma, a quote or a line feed in quotes, its quotes doubled, any other as it
    is; None where a cell is not text or holds a carriage return (left to the csv module itself, whose
    quoting of one has changed between versions of Python)."""
    try:
        text = "".join(col)
    except TypeError:
        return None
    if "\r" in text:
        return None
    if "," not in text and '"' not in text and "\n" not in text:
        return col
    return ['"' + c.replace('"', '""') + '"' if "," in c or '"' in c or "\n" in c else c for c in col]


def _arrow_csv_chunk(cols: list) -> bytes | None:
    """The rows as Arrow writes text cells unquoted (None where a cell holds a comma, a quote, a line break, or
    is not text)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        arrays = [c if _is_arrow(c) else pa.array(c, type=pa.string()) for c in cols]
        if any(a.type != pa.string() for a in arrays):
            return None
        sink = pa.BufferOutputStream()
        table = pa.table(arrays, names=[f"c{k}" for k in range(len(arrays))])
        pcsv.write_csv(table, sink, write_options=pcsv.WriteOptions(include_header=False, quoting_style="none"))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return sink.getvalue().to_pybytes()


class WriteError(Exception):
    """An output that cannot be written (a read-only folder, a full disk); nothing is left half-written.
    ``type``: the error type it is reported as; ``state``: what the published package is left as."""

    type = "cannot-write"
    state = "nothing was published"

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(f"{path}: {reason}")


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    atomic_write_chunks(path, [data])


def atomic_write_chunks(path: Path, chunks: Iterable[str | bytes]) -> None:
    """Write pieces of text (UTF-8) or bytes to a temporary file beside ``path``,
    then rename it into place: ``path`` is never half-written."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise WriteError(path, exc.strerror or str(exc)) from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str | None) -> None:
    if tmp is not None and os.path.exists(tmp):
        os.unlink(tmp)


def write_tables(tables: dict[Path, tuple[list[str], dict[str, Sequence]]]) -> None:
    """Write several tables as CSV (see ``csv_chunks``), each atomically, streaming
    rows to disk. Every table is checked for formula cells before any is written."""
    for names, columns in tables.values():
        for name in names:
            refuse_formulas(columns[name])
    for path, (names, columns) in sorted(tables.items()):
        atomic_write_chunks(path, _csv_pieces(names, columns, 50000, True))
