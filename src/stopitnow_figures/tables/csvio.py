"""The one CSV reader, the one CSV writer, the one screen for cells a spreadsheet would run, and the
one way numbers are written as text; every table of the pipeline is read and written here.

Reading accepts what is harmless (a byte-order mark, Windows line endings) and refuses, with a
located problem, what is not: bytes that are not UTF-8, a header that differs from the expected
one, a wrong delimiter, rows with the wrong number of cells, cells a spreadsheet would run as a
formula (``formula_cells``) and cells holding a character of the table of characters that are not
shown (``characters``).

Tables are held by column (``Table``): a million rows as one list per column cost a fraction of a
million dicts. Hand-edited tables are always parsed by Python's ``csv`` module in strict mode. A
table of 1 MiB or more that the pipeline wrote itself (``written_by_pipeline=True``) is parsed by
Arrow from the file, about ten times faster, once one pass over its bytes (``_screen``) has found no
character of that table in it; whenever that pass finds one, or Arrow refuses the text, or a row
spans lines, or a cell is blank or one a spreadsheet would run, the strict reader parses it again,
so that every problem is located exactly as for a hand-edited table. Arrow is more lenient than the
strict reader in one way only: text after a closing quote ("ab"c) is read as abc rather than
refused. The pipeline's writer never produces it, so only a hand edit of processed/ could, and the
checks of the stage reading the table still apply to the cell.

Writing (``csv_pieces``, ``write_tables``) gives the bytes Python's csv module writes (its
minimal quoting, lines ending in "\\n"), joined column by column by Arrow; numbers are written
by ``format_numbers``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import characters
from .errors import Collector


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

    def __init__(
        self,
        names: Sequence[str],
        columns: dict,
        lines: list[int] | None = None,
        n: int | None = None,
        *,
        complete: bool = True,
    ):
        self.names = list(names)
        # False when a problem with the whole file (its form, a row that cannot be parsed) cut it
        # short
        self.complete = complete
        self._columns = dict(columns)  # name -> list[str], or an Arrow array until first asked for
        self._arrow = (
            None if all(isinstance(c, list) for c in self._columns.values()) else dict(columns)
        )
        self._lines = lines  # None: record i is on line i + 2 (one line each after the header)
        self._made: dict = {}  # name -> the Arrow text made from a column of cells (see ``arrow``)
        self._n = n if n is not None else (len(lines) if lines is not None else 0)
        self.digest: tuple[int, str] | None = (
            None  # the size and sha256 of the bytes it was read from, where asked
        )

    @classmethod
    def unreadable(cls, names: Sequence[str]) -> Table:
        """The empty, incomplete table of a file that could not be read at all."""
        return cls(names, {}, [], complete=False)

    @classmethod
    def from_rows(
        cls, names: Sequence[str], rows: Sequence[dict], lines: list[int] | None = None
    ) -> Table:
        """A table from dicts of text cells (tests, and tables built in code)."""
        columns = {n: [r.get(n, "") for r in rows] for n in names}
        return cls(
            names,
            columns,
            lines if lines is not None else [i + 2 for i in range(len(rows))],
            len(rows),
        )

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
        """A column as Arrow text (a ChunkedArray): as Arrow read it, or made from its cells (empty
        cells for an absent column)."""
        import pyarrow as pa

        col = self._arrow.get(name) if self._arrow is not None else None
        if col is None:
            col = self._columns.get(name)
        if col is None or isinstance(col, list):
            if name not in self._made:
                self._made[name] = pa.chunked_array(
                    [pa.array([""] * self._n if col is None else col, type=pa.string())],
                    type=pa.string(),
                )
            return self._made[name]
        return (
            col if isinstance(col, pa.ChunkedArray) else pa.chunked_array([col], type=pa.string())
        )

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
    out = np.array(
        read.to_numpy(zero_copy_only=False), dtype=float
    )  # a copy: Arrow's own is read-only
    if not math.isnan(empty):
        out[blank.to_numpy(zero_copy_only=False)] = empty
    return out


def all_distinct(col, order=None) -> bool:
    """Whether no two cells of an Arrow column are equal: sorted (``order``: its sort indices, where
    the caller has them), none equals the next (a sort is several times faster than Arrow's count of
    distinct values)."""
    import pyarrow.compute as pc

    n = len(col)
    if n < 2:
        return True
    if (
        order is None
        and not col.null_count
        and pc.all(pc.less(col.slice(0, n - 1), col.slice(1)), min_count=0).as_py()
    ):
        # in order already, each cell less than the next (an output written in id order): no sort
        # needed
        return True
    ordered = pc.take(col, pc.sort_indices(col) if order is None else order)
    return not pc.any(pc.equal(ordered.slice(1), ordered.slice(0, n - 1))).as_py()


# -- cells a spreadsheet would run -----------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_SIGNS = ("+", "-")  # these may also start a number, which is data
_FORMULA_START = frozenset(FORMULA_PREFIXES)
_FORMULA_AFTER_LINE_END = re.compile("\n[" + re.escape("".join(FORMULA_PREFIXES)) + "]")


def formula_cells(col) -> list[tuple[int, str]]:
    """The cells of a column a spreadsheet would run as a formula, with their positions: a cell
    starting with =, @, a tab or a carriage return, or with + or - where the cell (its thousands
    commas dropped) is not a number ("-5", "+3.2" and "-1,000" are data). ``col``: text cells (a
    list, or Arrow text) or numbers (a NumPy array, none of which is text to run); a single cell is
    a column of one."""
    if _is_numbers(col):
        return []
    return [
        (i, cell)
        for i, cell in _starting_like_a_formula(col)
        if cell[0] not in FORMULA_SIGNS or not _is_number(cell)
    ]


def _starting_like_a_formula(col) -> list[tuple[int, str]]:
    """The cells whose first character is one a formula starts with, with their positions. Each such
    character is one byte of UTF-8: of Arrow text, each cell's first byte is read off its buffers;
    of a list, only where the cells joined hold one at the start or after a line end are the cells
    looked at one by one."""
    if isinstance(col, list):
        text = "\n".join(
            col
        )  # a cell starts at the start or after a line end (a line end within a cell is let by)
        if text[:1] not in _FORMULA_START and not _FORMULA_AFTER_LINE_END.search(text):
            return []
        return [(i, c) for i, c in enumerate(col) if c[:1] in _FORMULA_START]
    import numpy as np
    import pyarrow.compute as pc

    first = first_bytes(pc.fill_null(col, "") if col.null_count else col)
    at = np.flatnonzero(_formula_first_bytes()[first])
    return list(zip(at.tolist(), col.take(at).to_pylist(), strict=True)) if len(at) else []


@cache
def _formula_first_bytes():
    """A lookup of the 256 byte values: whether a cell starting with it may be a formula (0: an
    empty cell)."""
    import numpy as np

    table = np.zeros(256, dtype=bool)
    table[list("".join(FORMULA_PREFIXES).encode())] = True
    return table


def _is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", ""))
    except ValueError:
        return False
    return True


def _is_numbers(col) -> bool:
    return type(col).__module__ == "numpy"


def refuse_formulas(col) -> None:
    """Refuse (ValueError) a column holding a cell a spreadsheet would run: published tables never
    hold one."""
    for _, cell in formula_cells(col)[:1]:
        raise ValueError(f"refusing to publish a cell a spreadsheet would run: {cell!r}")


# -- reading ---------------------------------------------------------------------------------------

ARROW_MIN_BYTES = 1 << 20  # below this the strict reader is as fast as starting Arrow
# The longest cell the strict reader takes (the csv module's own default); a longer one is a problem
# (bad-csv). Set for each read, because the csv module's limit is the process's: importing
# frictionless (pandera does, to build a validator) raises it for everyone, and what a table reports
# must not depend on what was imported before it was read.
FIELD_LIMIT = 131072
SCREEN_STEP = 1 << 24  # the piece of a file ``_screen`` reads at a time
_BOM = b"\xef\xbb\xbf"


def read_table(
    path: Path,
    columns: list[str],
    problems: Collector,
    *,
    display: str | None = None,
    optional: frozenset[str] = frozenset(),
    written_by_pipeline: bool = False,
    checked_arrow: bool = False,
    digest: bool = False,
) -> Table:
    """Read a CSV into a Table, reporting every problem found: the one reader of every table.

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

    ``digest``: the table's ``digest`` is the size and sha256 of the bytes it was read from (None
    where the file could not be read).
    """
    before = csv.field_size_limit(FIELD_LIMIT)
    try:
        arrow, strict = written_by_pipeline or checked_arrow, not written_by_pipeline
        return _read_table(
            path, columns, problems, display or str(path), optional, arrow, strict, digest
        )
    finally:
        csv.field_size_limit(before)


def _read_table(
    path: Path,
    columns: list[str],
    problems: Collector,
    name: str,
    optional: frozenset[str],
    arrow: bool,
    strict: bool,
    digest: bool,
) -> Table:
    """``read_table``, with the csv module's limit set (``arrow``: Arrow may parse a large file;
    ``strict``: its one leniency checked)."""
    seen = _screen_large(path, digest) if arrow else None
    if seen is not None and seen.plain:
        table = _read_arrow(path, seen, columns, optional, strict)
        if table is not None:
            table.digest = seen.digest
            return table
    data = read_file_bytes(path, name, problems)
    if data is None:
        return Table.unreadable(columns)
    table = _read_text(data, columns, optional, name, problems)
    if digest:
        table.digest = (
            seen.digest if seen is not None else (len(data), hashlib.sha256(data).hexdigest())
        )
    return table


def _read_text(
    data: bytes, columns: list[str], optional: frozenset[str], name: str, problems: Collector
) -> Table:
    """The strict reader: Python's csv module over the decoded text, in one go where
    nothing is to be reported (``_read_plain``), else record by record, each problem
    located (``_read_located``)."""
    text = _decode(data, name, problems)
    header = None if text is None else _header(text, columns, optional, name, problems)
    if header is None:
        return Table.unreadable(columns)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)
    if reader.line_num == 1 and not characters.PATTERN.search(text):
        table = _read_plain(reader, text, header)
        if table is not None:
            return table
    text, mask = _mask_lone_carriage_returns(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader)
    return _read_located(reader, header, name, problems, mask)


def _mask_lone_carriage_returns(text: str) -> tuple[str, str | None]:
    """The text with each carriage return not followed by a line feed (Windows endings are gone by
    now) in a private-use character absent from it, and that character: the csv module would end a
    record at the return, so the row's cells would be miscounted on the wrong lines; masked, the
    return stays in its cell, which is refused as holding a control character, on the record's
    line."""
    if "\r" not in text:
        return text, None
    mask = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
    return text.replace("\r", mask), mask


def read_file_bytes(path: Path, name: str, problems: Collector) -> bytes | None:
    """A file's bytes, where it is a readable regular file with something in it."""
    if path.is_symlink():
        why = (
            "a link to nothing"
            if not path.exists()
            else "a link; a table must be a regular file inside the repository"
        )
        problems.add("unsafe-path", name, None, None, None, f"the file is {why}")
        return None
    if not path.exists():
        problems.add("missing-file", name, None, None, None, "the file does not exist")
        return None
    if not path.is_file():
        problems.add(
            "unsafe-path",
            name,
            None,
            None,
            None,
            "this is not a regular file (a folder or a device)",
        )
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.add(
            "missing-file", name, None, None, None, f"the file cannot be read: {exc.strerror}"
        )
        return None
    if not data or data.isspace():  # what ``not data.strip()`` says, without a copy of the file
        problems.add(
            "empty-file", name, 1, None, None, "the file is empty; it needs at least a header row"
        )
        return None
    return data


def _decode(data: bytes, name: str, problems: Collector) -> str | None:
    """The text of a table: UTF-8, a byte-order mark and Windows line endings accepted
    (harmless)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        where = repr(data[exc.start : exc.start + 4])
        problems.add(
            "not-utf8",
            name,
            line,
            None,
            where,
            f"byte {exc.start} is not UTF-8; save the file as UTF-8",
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _header(
    text: str, columns: list[str], optional: frozenset[str], name: str, problems: Collector
) -> list[str] | None:
    """The header, where it is the expected one (order free); None after reporting what is wrong
    with it."""
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (StopIteration, csv.Error) as exc:
        problems.add("bad-header", name, 1, None, None, f"cannot read the header: {exc}")
        return None
    if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
        delim = next(d for d in (";", "\t", "|") if d in header[0])
        problems.add(
            "wrong-delimiter",
            name,
            1,
            None,
            header[0],
            f"the header is split by {delim!r}; cells must be separated by commas",
        )
        return None
    expected = set(columns)
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [c for c in header if c not in expected]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for col in missing:
        problems.add(
            "missing-column", name, 1, col, ",".join(header), f"the header lacks column {col!r}"
        )
    for col in unknown:
        problems.add(
            "unknown-column", name, 1, col, col, f"unknown column; expected only {sorted(expected)}"
        )
    for col in dupes:
        problems.add(
            "duplicate-column", name, 1, col, col, "the column appears more than once in the header"
        )
    return None if missing or unknown or dupes else header


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
    columns = (
        {h: list(col) for h, col in zip(header, zip(*records, strict=True), strict=True)}
        if records
        else {h: [] for h in header}
    )
    if any(formula_cells(col) for col in columns.values()):
        return None
    return Table(header, columns, None, len(records))


def _read_located(
    reader, header: list[str], name: str, problems: Collector, mask: str | None = None
) -> Table:
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
            problems.add(
                "bad-csv",
                name,
                start,
                None,
                None,
                f"cannot parse the row: {exc}; the rows after it were not read",
            )
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
    columns = (
        {h: list(col) for h, col in zip(header, zip(*records, strict=True), strict=True)}
        if records
        else {h: [] for h in header}
    )
    for h, col in columns.items():
        _cell_problems(col, h, lines, name, problems)
    return Table(header, columns, lines, complete=complete)


def _cell_problems(
    col: list[str], column: str, lines: list[int], name: str, problems: Collector
) -> None:
    """Cells a spreadsheet would run, and cells holding a character of the table of those
    not shown."""
    for i, cell in formula_cells(col):
        message = f"a spreadsheet would run this cell as a formula; remove the leading {cell[0]!r}"
        problems.add("formula-cell", name, lines[i], column, cell, message)
    for i, cell in enumerate(col):
        m = characters.PATTERN.search(cell)
        if m:
            message = (
                f"the cell holds the {characters.kind(m.group(0))} character "
                f"U+{ord(m.group(0)):04X} at position {m.start()}; "
                "of the characters not shown, only tab and newline are allowed"
            )
            problems.add("control-character", name, lines[i], column, cell, message)


@dataclass
class Screened:
    """What one pass over a file's bytes finds (``_screen``): its size (and sha256, where
    asked), where its first line ends, how many newlines it holds and whether it ends with one,
    whether it holds a double quote, and whether Arrow may read it (``plain``: a first line, not
    blank at its start, and no character of the table of those not shown, whose cell the strict
    reader locates)."""

    size: int = 0
    digest: tuple[int, str] | None = None
    first: bytes = b""  # the first line, without a byte-order mark
    header_end: int = -1
    newlines: int = 0
    ends_with_newline: bool = False
    quoted: bool = False
    plain: bool = True


def _screen_large(path: Path, digest: bool) -> Screened | None:
    """``_screen`` of a regular file of at least ``ARROW_MIN_BYTES``; None for any other (the strict
    reader reads, or reports, it)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size < ARROW_MIN_BYTES:
            return None
        return _screen(path, digest)
    except OSError:
        return None


def _screen(path: Path, digest: bool = False, step: int = SCREEN_STEP) -> Screened:
    """One pass over a file a piece at a time (see ``Screened``), never the whole file in memory. A
    character of the table split between two pieces is found in the last bytes of one and the first
    of the next (none is longer than four bytes); a byte-order mark at the start of the file is not
    a cell's."""
    out, sha, tail = Screened(), hashlib.sha256() if digest else None, b""
    with path.open("rb") as fh:
        while piece := fh.read(step):
            if sha is not None:
                sha.update(piece)
            body = piece
            if not out.size:
                body = piece.removeprefix(_BOM)
                out.header_end = piece.find(b"\n")
                out.first = piece[len(piece) - len(body) : max(out.header_end, 0)]
                out.plain = bool(out.first) and bool(
                    body[:4096].strip()
                )  # (a blank file is the strict reader's to report)
            out.size += len(piece)
            out.newlines += piece.count(b"\n")
            out.quoted = out.quoted or b'"' in piece
            if out.plain and (
                characters.has_any_utf8(body) or characters.has_any_utf8(tail + body[:3])
            ):
                out.plain = False
            tail = body[-3:]
    out.ends_with_newline = tail.endswith(b"\n")
    out.digest = (out.size, sha.hexdigest()) if sha is not None else None
    return out


def _read_arrow(
    path: Path, seen: Screened, columns: list[str], optional: frozenset[str], strict: bool
) -> Table | None:
    """The table Arrow parses from a file ``_screen`` found plain; None whenever the strict reader
    must look (see the module's docstring), which then finds and locates any problem. ``strict``:
    also None unless the strict reader would read each record alike (see ``read_table``)."""
    import pyarrow as pa

    header = _arrow_header(seen.first, columns, optional)
    if header is None:
        return None
    body = seen.size - seen.header_end - 1
    n_lines = seen.newlines - 1 + (1 if body > 0 and not seen.ends_with_newline else 0)
    try:
        table = _arrow_csv(path, header)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError):
        return None
    finally:
        # the parser's working memory, which Arrow's allocator would otherwise keep
        pa.default_memory_pool().release_unused()
    if table.num_rows != n_lines or _arrow_must_look(table, header):
        # a blank line or a cell spanning lines (the strict reader counts lines), or a cell
        # to report
        return None
    if strict and not _strict_agrees(path, seen, table, header):
        return None
    return Table(header, {h: table.column(h) for h in header}, None, table.num_rows)


def _arrow_header(first: bytes, columns: list[str], optional: frozenset[str]) -> list[str] | None:
    """The header (``first``: the first line), where it is the expected one and holds no quote
    (Arrow skips the first record, the strict reader the first line: a quoted header is the strict
    reader's); else None."""
    if b'"' in first:
        return None
    try:
        header = next(csv.reader([first.decode("utf-8")], strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    if (
        len(set(header)) != len(header)
        or not set(header) <= set(columns)
        or set(columns) - set(header) - optional
    ):
        return None
    return header


def _arrow_csv(path: Path, header: list[str]):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    # one thread: on two cores, Arrow's threads spend half as much time again as one, for no less
    # wall time
    return pcsv.read_csv(
        path,
        read_options=pcsv.ReadOptions(
            column_names=header, skip_rows=1, block_size=1 << 22, use_threads=False
        ),
        parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pcsv.ConvertOptions(
            column_types={h: pa.string() for h in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _arrow_must_look(table, header: list[str]) -> bool:
    """Whether a cell may be one the strict reader reports (a formula) or skips (a row of
    blank cells)."""
    if any(formula_cells(table.column(h)) for h in header):
        return True
    # a first cell that does not start with a printable ASCII character other than a space may be
    # blank (Arrow's reading of Unicode whitespace costs a third of a second to start, so none is
    # asked of it)
    return bool(header) and not _printable_first(first_bytes(table.column(header[0]))).all()


def first_bytes(col):
    """The first byte of each cell of Arrow text (0 for an empty cell) as a NumPy array, read from
    the offsets and data of its chunks (no cell is copied); None where a cell is null."""
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
    offsets = np.frombuffer(
        text.buffers()[1], dtype=np.int32, count=len(text) + 1, offset=4 * text.offset
    )
    data = text.buffers()[2]
    return offsets, np.frombuffer(b"" if data is None else data, dtype=np.uint8)


def _printable_first(first):
    """Which cells start with a printable ASCII character other than a space (``first``: their first
    bytes)."""
    return (first >= ord("!")) & (first <= ord("~"))


def surely_not_blank(col):
    """An Arrow mask of the text cells that start with a printable ASCII character other than a
    space (so that ``cell.strip()`` is not empty); false for the others, which may be blank (null
    for a null cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    first = first_bytes(col)
    if first is None:
        start = pc.binary_slice(col.cast(pa.binary()), 0, 1)
        return pc.and_(
            pc.greater_equal(start, pa.scalar(b"!")), pc.less_equal(start, pa.scalar(b"~"))
        )
    return pa.array(_printable_first(first))


def _strict_agrees(path: Path, seen: Screened, table, header: list[str]) -> bool:
    """Whether the strict reader reads Arrow's records, each one line after the header (no record
    spans lines, as Arrow's count of rows has shown): each line holding a quote is read by it
    again, and each other line is split at its commas by both; no cell is as long as the csv
    module's limit."""
    import pyarrow.compute as pc

    limit = csv.field_size_limit()
    if any((pc.max(pc.binary_length(table.column(h))).as_py() or 0) >= limit for h in header):
        return False
    if not seen.quoted:
        return True
    at, lines = _quoted_lines(path.read_bytes(), seen.header_end + 1)
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
    """The lines after ``start`` that hold a double quote: their positions (0 the first) and their
    bytes."""
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


# -- numbers as text -------------------------------------------------------------------------------


def format_numbers(values):
    """Numbers as every table writes them, as Arrow text, cell for cell: a whole number below 1e15
    in size without a decimal point; any other to 10 significant digits, written out without an
    exponent where that has one (then without trailing zeros); NaN (or None) as an empty cell.
    ``values``: a NumPy array or any sequence of numbers; ``format_number`` is a column of one. No
    Python string is made for each cell."""
    import numpy as np
    import pyarrow as pa

    arr = np.asarray(values, dtype=float)
    nan = np.isnan(arr)
    whole = (np.abs(arr) < 1e15) & (np.floor(arr) == arr)  # (false for NaN and the infinities)
    kinds = [
        (kind, write)
        for kind, write in ((nan, _empty_cells), (whole, _whole), (~nan & ~whole, _significant))
        if np.count_nonzero(kind)
    ]
    if len(kinds) == 1:
        return kinds[0][1](arr)
    if not kinds:
        return pa.array([], pa.string())
    order = np.concatenate([np.flatnonzero(kind) for kind, _ in kinds])  # the rows of each piece
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return pa.concat_arrays([write(arr[kind]) for kind, write in kinds]).take(back)


def _empty_cells(values):
    """As many empty cells as ``values``."""
    import numpy as np

    return _text_array(np.zeros(len(values) + 1, dtype=np.int32), b"")


def _whole(values):
    """Whole numbers (below 1e15 in size, so exact as 64-bit integers) without a decimal point (-0
    as 0)."""
    import numpy as np
    import pyarrow as pa

    return pa.array(values.astype(np.int64)).cast(pa.string())


def _significant(values):
    """Numbers to 10 significant digits as Arrow text; one written so with an exponent is written
    out to 10 decimals instead, without trailing zeros (and without a trailing point)."""
    import numpy as np
    import pyarrow.compute as pc

    text, joined = _printf("%.10g", values)
    if "e" not in joined:
        return text
    exponent = np.asarray(pc.match_substring(text, "e").to_numpy(zero_copy_only=False), dtype=bool)
    written_out = pc.utf8_rtrim(
        pc.utf8_rtrim(_printf("%.10f", values[exponent])[0], characters="0"), characters="."
    )
    return pc.replace_with_mask(text, exponent, written_out)


def _printf(form: str, values):
    """Each number of a NumPy array by one %-format, as Arrow text, and the cells' text joined by
    line feeds: all formatted in one string, whose line feeds give the cells' offsets."""
    import numpy as np

    joined = (form + "\n") * len(values) % tuple(values.tolist())
    data = joined.encode("utf-8")
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    offsets = np.concatenate([[0], ends - np.arange(len(ends))]).astype(
        np.int32
    )  # (each cell's line feed dropped)
    return _text_array(offsets, data.replace(b"\n", b"")), joined


def _text_array(offsets, data: bytes):
    """Arrow text from its offsets (one more than its cells) and its bytes."""
    import pyarrow as pa

    return pa.StringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data))


def format_number(value: float | int | None) -> str:
    """The text of one number: ``format_numbers`` of a column of one (None or NaN: an
    empty cell)."""
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    return format_numbers([math.nan if value is None else value]).to_pylist()[0]


# -- writing ---------------------------------------------------------------------------------------


def csv_pieces(
    names: list[str],
    columns: dict[str, Sequence],
    rows_per_chunk: int = 25_000,
    *,
    header: bool = True,
) -> Iterator[memoryview]:
    """A table as CSV, a chunk of rows at a time, each as its UTF-8 bytes: byte for byte what
    Python's csv module writes (its minimal quoting, lines ending in "\\n"; the header first unless
    ``header`` is false), joined column by column by Arrow. A column is a list of text, Arrow text,
    or a NumPy array of numbers (written by ``format_numbers``; NaN as an empty cell)."""
    n = None
    for name in names:
        if n is not None and len(columns[name]) != n:
            raise ValueError(f"column {name!r} has {len(columns[name])} cells, not {n}")
        n = len(columns[name])
    if header:
        yield _csv_chunk([[name] for name in names])
    for start in range(0, n or 0, rows_per_chunk):
        stop = min(start + rows_per_chunk, n)
        numbers = _number_texts([columns[c][start:stop] for c in names if _is_numbers(columns[c])])
        yield _csv_chunk(
            [
                next(numbers) if _is_numbers(columns[c]) else _text_rows(columns[c], start, stop)
                for c in names
            ]
        )


def csv_text(names: list[str], columns: dict[str, Sequence], *, header: bool = True) -> str:
    """A table as CSV text (``csv_pieces`` whole): for tables small enough to hold twice."""
    return b"".join(csv_pieces(names, columns, header=header)).decode("utf-8")


def _csv_chunk(cols: list) -> memoryview:
    """Rows, given by column (Arrow text, or lists of text), as the csv module writes them: each
    cell quoted as it quotes one (``_quoted``), the cells of each row joined by commas, each row
    ending in a line feed."""
    import pyarrow.compute as pc

    text = [_strings(c) if isinstance(c, list) else c for c in cols]
    quoted = [
        _quoted(t, "\n" if k == len(text) - 1 else "", alone=len(text) == 1)
        for k, t in enumerate(text)
    ]
    joined = pc.binary_join_element_wise(*quoted, ",") if len(quoted) > 1 else quoted[0]
    offsets, data = text_buffers(joined)
    return memoryview(data[int(offsets[0]) : int(offsets[-1])])


def _strings(cells: list):
    """Text cells as an Arrow array (TypeError for a cell that is not text: a table is written
    from text)."""
    import pyarrow as pa

    out = pa.array(cells, pa.string())
    if out.null_count:
        raise TypeError("a text cell is None")
    return out


def _text_rows(col, start: int, stop: int):
    """Rows ``start`` to ``stop`` of a text column (a list, or Arrow text) as one Arrow array."""
    import pyarrow as pa

    if isinstance(col, list):
        return _strings(col[start:stop])
    piece = col.slice(start, stop - start)
    if not isinstance(piece, pa.ChunkedArray):
        return piece
    return (
        piece.chunk(0) if piece.num_chunks == 1 else piece.combine_chunks()
    )  # a copy only where rows span chunks


def _number_texts(columns: list):
    """Number columns as Arrow text (``format_numbers``), one array per column in order; a number
    equal to the first column's in its row takes its text (a rate's lower and upper end are often
    its value)."""
    import numpy as np
    import pyarrow.compute as pc

    out = []
    for col in columns:
        if not out:
            out.append(format_numbers(col))
            continue
        same = col == columns[0]  # equal numbers are written alike (0 and -0 both as 0)
        out.append(pc.if_else(same, out[0], format_numbers(np.where(same, np.nan, col))))
    return iter(out)


@cache
def _quote_bytes() -> tuple[int, ...]:
    """The bytes that make the csv module quote a cell (its minimal quoting: the delimiter, the
    quote character, and the line breaks it treats as such), found by asking it: each an ASCII
    character, so one byte of UTF-8 that no other character's bytes hold."""

    def written(cell: str) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([cell, ""])
        return buf.getvalue()

    return tuple(ord(c) for c in ',"\n\r\t ;' if written(f"a{c}b") != f"a{c}b,\n")


def _quoted(text, end: str = "", *, alone: bool = False):
    """Arrow text as the csv module writes each cell (in quotes, a quote doubled, where the cell
    needs them: found by looking for those bytes in the array's data, then, where there are any,
    which cells hold them, by one of Arrow's regular expressions), each followed by ``end``.
    ``alone``: the cell is its row's only one, and an empty one is quoted (a row of nothing would be
    a blank line)."""
    import pyarrow.compute as pc

    offsets, data = text_buffers(text)
    chars = data[int(offsets[0]) : int(offsets[-1])]
    present = [b for b in _quote_bytes() if (chars == b).any()]
    plain = pc.binary_join_element_wise(text, end, "") if end else text
    if not present and not alone:
        return plain
    special = (
        pc.match_substring_regex(text, "[" + "".join(f"\\x{b:02x}" for b in present) + "]")
        if present
        else None
    )
    if alone:
        empty = pc.equal(text, "")
        special = empty if special is None else pc.or_(special, empty)
    doubled = pc.replace_substring(text, '"', '""') if ord('"') in present else text
    quoted = pc.binary_join_element_wise('"', doubled, '"' + end, "")
    return quoted if pc.all(special).as_py() else pc.if_else(special, quoted, plain)


class WriteError(Exception):
    """An output that cannot be written (a read-only folder, a full disk); nothing is left
    half-written. ``type``: the error type it is reported as; ``state``: what the published package
    is left as."""

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
    """Write several tables as CSV (``csv_pieces``), each atomically, streaming rows to disk. Every
    text column of every table is refused if it holds a cell a spreadsheet would run
    (``refuse_formulas``) before any table is written."""
    for names, columns in tables.values():
        for name in names:
            refuse_formulas(columns[name])
    for path, (names, columns) in sorted(tables.items()):
        atomic_write_chunks(path, csv_pieces(names, columns))
