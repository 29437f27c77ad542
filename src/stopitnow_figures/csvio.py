"""Strict CSV reading for hand-edited raw tables, and deterministic writing.

Reading accepts what is harmless (a byte-order mark, Windows line endings) and
refuses, with a located problem, what is not: bytes that are not UTF-8, a
header that differs from the expected one, a wrong delimiter, rows with the
wrong number of cells, and cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import Collector

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    line: int  # the line a text editor shows for the start of the record
    cells: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.cells[key]

    def get(self, key: str, default: str = "") -> str:
        return self.cells.get(key, default)


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
) -> list[Row]:
    """Read a raw CSV into rows keyed by column, reporting every problem found.

    ``columns`` is the exact header expected (order free); ``optional`` columns
    may be absent.
    """
    name = display or str(path)
    if not path.exists():
        problems.add("missing-file", name, None, None, None, "the file does not exist")
        return []
    data = path.read_bytes()
    if not data.strip():
        problems.add("empty-file", name, 1, None, None, "the file is empty; it needs at least a header row")
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(
            "not-utf8",
            name,
            line,
            None,
            repr(data[exc.start : exc.start + 4]),
            f"byte {exc.start} is not UTF-8; save the file as UTF-8",
        )
        return []
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark is harmless: accepted
    text = text.replace("\r\n", "\n")  # Windows line endings are harmless: accepted
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        problems.add("bad-header", name, 1, None, None, f"cannot read the header: {exc}")
        return []
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
        return []
    expected = set(columns)
    missing = [c for c in columns if c not in header and c not in optional]
    unknown = [c for c in header if c not in expected]
    for col in missing:
        problems.add("missing-column", name, 1, col, ",".join(header), f"the header lacks column {col!r}")
    for col in unknown:
        problems.add("unknown-column", name, 1, col, col, f"unknown column; expected only {sorted(expected)}")
    dupes = sorted({c for c in header if header.count(c) > 1})
    for col in dupes:
        problems.add("duplicate-column", name, 1, col, col, "the column appears more than once in the header")
    if missing or unknown or dupes:
        return []
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add("bad-csv", name, start, None, None, f"cannot parse the row: {exc}")
            break
        previous_end = reader.line_num
        if not record or all(not c.strip() for c in record):
            continue  # blank lines are harmless
        if len(record) != len(header):
            problems.add(
                "wrong-cell-count",
                name,
                start,
                None,
                ",".join(record),
                f"the row has {len(record)} cells; the header has {len(header)}",
            )
            continue
        cells = dict(zip(header, record, strict=False))
        for col, cell in cells.items():
            if looks_like_formula(cell):
                problems.add(
                    "formula-cell",
                    name,
                    start,
                    col,
                    cell,
                    f"a spreadsheet would run this cell as a formula; remove the leading {cell[0]!r}",
                )
        rows.append(Row(start, cells))
    return rows


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


def escape_cell(cell: str) -> str:
    """Refuse a text cell a spreadsheet would run; published tables never hold one."""
    if looks_like_formula(cell):
        raise ValueError(f"refusing to publish a cell a spreadsheet would run: {cell!r}")
    return cell


def to_csv_text(columns: list[str], rows: list[dict[str, object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        out = []
        for col in columns:
            v = row.get(col)
            if v is None:
                out.append("")
            elif isinstance(v, str):
                out.append(escape_cell(v))
            elif isinstance(v, (int, float)):
                out.append(format_number(v))
            else:
                out.append(escape_cell(str(v)))
        writer.writerow(out)
    return buf.getvalue()


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def publish(files: dict[Path, str]) -> None:
    """Write several files, each atomically, only after all of them were produced."""
    for path, text in sorted(files.items()):
        atomic_write_text(path, text)
