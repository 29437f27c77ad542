"""The hand-written expected files of tests/expected/ (one per source; tests/expected/README.md says
how to write one), read for the tests of the real package. Counts of the package that a test needs
(how many sources, figures, claims with a verdict) are computed here from those files, never typed
in a test."""

from __future__ import annotations

import ast
import csv
import operator
from collections import Counter
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "expected"
COLUMNS = [
    "table",
    "id",
    "quantity_id",
    "as_written",
    "value",
    "qualifier",
    "lower",
    "upper",
    "unit",
    "measure",
    "geography_code",
    "period_start",
    "period_end",
    "period_basis",
    "verdict",
    "how",
]
# the columns each kind of row gives (the others stay empty), by the published table it is
# checked against
GIVES = {
    "figures": [c for c in COLUMNS if c not in ("table", "verdict")],
    "claims": ["id", "verdict", "how"],
    "derived": ["id", "value", "lower", "upper", "how"],
}
NUMBERS = ("value", "lower", "upper")
_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def files() -> dict[str, Path]:
    """Each expected file by the source id its name gives."""
    return {p.stem: p for p in sorted(FOLDER.glob("*.csv"))}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def rows(table: str | None = None) -> list[dict[str, str]]:
    """Every expected row (of one table, if named), each with the source id of its file
    as ``source``."""
    out = []
    for source, path in files().items():
        out += [{**r, "source": source} for r in read(path) if table is None or r["table"] == table]
    return out


def by_id(table: str) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in rows(table)}


def count(table: str, **where: str) -> int:
    """How many expected rows of a table there are (with the given cells, if any)."""
    return sum(all(r[k] == v for k, v in where.items()) for r in rows(table))


def verdicts() -> Counter:
    return Counter(r["verdict"] for r in rows("claims"))


def number(cell: str) -> float | None:
    """A numeric cell: empty (no number), a number, or arithmetic of numbers (+ - * / and
    brackets), so that an expected file shows how a number was worked out ("555 / 1.8", "78 /
    5404700 * 100000")."""
    if cell.strip() == "":
        return None
    return _evaluate(ast.parse(cell.strip(), mode="eval").body)


def _evaluate(node: ast.AST) -> float:
    """Numbers and the four operations only: an expected file is data, never code."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    raise ValueError(f"not a number or arithmetic of numbers: {ast.unparse(node)!r}")
