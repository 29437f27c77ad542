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
from collections.abc import Mapping
from functools import lru_cache

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


def _template(formula: str) -> tuple[str, dict[str, str]]:
    """Replace each {id} by a positional name: the formula's shape and the map of names to ids."""
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
    return text, names


@lru_cache(maxsize=4096)
def _compile_shape(text: str):
    """Check a formula shape against the language and compile it once."""
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
        if isinstance(node, ast.Name) and re.fullmatch(r"_v[0-9]+", node.id):
            continue
        raise FormulaError(f"{type(node).__name__} is not allowed; use numbers, {{id}}, + - * / and parentheses")
    return compile(tree, "<formula>", "eval")


def compile_formula(formula: str):
    """Check the formula's form; return its compiled shape and the map of names to ids."""
    text, names = _template(formula)
    return _compile_shape(text), names


def evaluate(formula: str, point: Mapping[str, float], spans: Mapping[str, Interval]) -> tuple[float, Interval]:
    """Evaluate on values and on intervals; missing ids raise KeyError naming them.

    The compiled shape holds only numbers, names, + - * / and unary minus
    (checked in ``_compile_shape``), so evaluating it runs nothing else.
    """
    code, names = compile_formula(formula)
    missing = [i for i in names.values() if i not in point]
    if missing:
        raise KeyError(", ".join(missing))
    value = eval(code, {"__builtins__": {}}, {n: float(point[i]) for n, i in names.items()})  # noqa: S307
    span = eval(code, {"__builtins__": {}}, {n: spans[i] for n, i in names.items()})  # noqa: S307
    if not isinstance(span, Interval):
        span = Interval.point(span)
    return float(value), span


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
