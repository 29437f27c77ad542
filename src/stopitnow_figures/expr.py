"""The formula language of derived metrics and claims.

A formula is arithmetic over the ids of figures, metrics and reference rows,
each written in braces::

    ({national-2017-scotland-f03} / {national-2017-scotland-f02} - 1) * 100

Allowed: numbers, ``{id}``, ``+ - * /``, unary minus and parentheses. The same
formula is evaluated twice: on the inputs' stated values (``value``) and on
their intervals (``lower``/``upper``). Interval results are exact when each
input appears once; write formulas that way where possible.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping

from .intervals import Interval

REF = re.compile(r"\{([^{}]*)\}")
ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


class FormulaError(ValueError):
    """A formula that is not of the documented form; the message says why."""


def inputs(formula: str) -> list[str]:
    """The ids a formula refers to, in order of first appearance."""
    seen: list[str] = []
    for m in REF.finditer(formula):
        ident = m.group(1)
        if ident not in seen:
            seen.append(ident)
    return seen


def compile_formula(formula: str) -> tuple[ast.Expression, dict[str, str]]:
    """Check the formula's form; return its tree and the map of names to ids."""
    names: dict[str, str] = {}
    ids: dict[str, str] = {}

    def sub(m: re.Match[str]) -> str:
        ident = m.group(1)
        if not ID.match(ident):
            raise FormulaError(f"{{{ident}}} is not an id (lower-case letters, digits and hyphens)")
        if ident not in ids:
            ids[ident] = f"_v{len(ids)}"
            names[ids[ident]] = ident
        return ids[ident]

    if not isinstance(formula, str) or not formula.strip():
        raise FormulaError("empty formula")
    text = REF.sub(sub, formula)
    if "{" in text or "}" in text:
        raise FormulaError("unbalanced braces")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not arithmetic: {exc.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Expression, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub)):
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            continue
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            continue
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            continue
        if isinstance(node, ast.Name) and node.id in names:
            continue
        raise FormulaError(f"{type(node).__name__} is not allowed; use numbers, {{id}}, + - * / and parentheses")
    return tree, names


def evaluate(formula: str, point: Mapping[str, float], spans: Mapping[str, Interval]) -> tuple[float, Interval]:
    """Evaluate on values and on intervals; missing ids raise KeyError naming them."""
    tree, names = compile_formula(formula)
    missing = [i for i in names.values() if i not in point]
    if missing:
        raise KeyError(", ".join(missing))

    def run(node: ast.AST, leaf: Callable[[str], object], const: Callable[[float], object]):
        if isinstance(node, ast.Expression):
            return run(node.body, leaf, const)
        if isinstance(node, ast.Constant):
            return const(node.value)
        if isinstance(node, ast.Name):
            return leaf(names[node.id])
        if isinstance(node, ast.UnaryOp):
            return -run(node.operand, leaf, const)
        left, right = run(node.left, leaf, const), run(node.right, leaf, const)
        op = node.op
        if isinstance(op, ast.Add):
            return left + right
        if isinstance(op, ast.Sub):
            return left - right
        if isinstance(op, ast.Mult):
            return left * right
        return left / right

    value = run(tree, lambda i: float(point[i]), float)
    span = run(tree, lambda i: spans[i], Interval.point)
    return value, span


def period_of_rule(rule: str, ids: list[str], periods: Mapping[str, tuple[str, str]]) -> tuple[str, str] | None:
    """A metric's period from its rule: ``of:<id>`` (that id's period),
    ``shift:<id>:<years>`` (that period moved by whole years), ``span`` (first
    start to last end of the inputs), or empty (no period). None if the rule
    cannot be applied."""
    from datetime import date

    if not rule:
        return ("", "")
    if rule == "span":
        starts = [periods[i][0] for i in ids if i in periods and periods[i][0]]
        ends = [periods[i][1] for i in ids if i in periods and periods[i][1]]
        return (min(starts), max(ends)) if starts and ends else ("", "")
    parts = rule.split(":")
    if parts[0] == "of" and len(parts) == 2 and parts[1] in periods:
        return periods[parts[1]]
    if parts[0] == "shift" and len(parts) == 3 and parts[1] in periods and periods[parts[1]][0]:
        try:
            years = int(parts[2])
        except ValueError:
            return None

        def shift(iso: str) -> str:
            d = date.fromisoformat(iso)
            try:
                return d.replace(year=d.year + years).isoformat()
            except ValueError:  # 29 February
                return d.replace(year=d.year + years, day=28).isoformat()

        start, end = periods[parts[1]]
        return (shift(start), shift(end))
    return None
