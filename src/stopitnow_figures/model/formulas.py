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
import math
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate

import numpy as np

from .intervals import Interval

REF = re.compile(r"\{([^{}]*)\}")


class FormulaError(ValueError):
    """A formula that is not of the documented form; the message says why."""


def inputs(formula: str) -> list[str]:
    """The ids a formula refers to, in order of first appearance."""
    return list(dict.fromkeys(REF.findall(formula)))


@cache
def _id_forms() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The form of one id, and of ids joined by "}" (which no id can hold) to check many in one go:
    both from the one id pattern of schemas/ (see ``vocab``)."""
    from ..tables.vocab import load

    core = load().id_pattern.removeprefix("^").removesuffix("$")
    return re.compile(core), re.compile(f"(?:{core})(?:\\}}(?:{core}))*")


def is_id(text: str) -> bool:
    return _id_forms()[0].fullmatch(text) is not None


_NAMES = tuple(f"_v{k}" for k in range(64))


def _template(formula: str) -> tuple[str, dict[str, str]]:
    """Replace each {id} by a positional name: the formula's shape and the map of names to ids."""
    if not isinstance(formula, str) or not formula.strip():
        raise FormulaError("empty formula")
    parts = REF.split(formula)
    ids = parts[1::2]
    if ids and not _id_forms()[1].fullmatch("}".join(ids)):
        bad = next(i for i in ids if not is_id(i))
        raise FormulaError(f"{{{bad}}} is not an id (lower-case letters, digits and hyphens)")
    unique = list(dict.fromkeys(ids))
    if len(unique) > len(_NAMES):
        raise FormulaError(f"a formula may refer to at most {len(_NAMES)} ids")
    pattern = tuple(ids) if len(unique) < len(ids) else len(ids)  # where an id comes back, which one
    return _shape(tuple(parts[0::2]), pattern, tuple(unique)), dict(zip(_NAMES, unique, strict=False))


def _shape(texts: tuple[str, ...], pattern, unique: tuple[str, ...]) -> str:
    """The formula text with its ids replaced by positional names (cached by its skeleton)."""
    if isinstance(pattern, int):
        return _shape_of(texts, tuple(range(pattern)))
    slot = {ident: k for k, ident in enumerate(unique)}
    return _shape_of(texts, tuple(slot[i] for i in pattern))


@lru_cache(maxsize=4096)
def _shape_of(texts: tuple[str, ...], slots: tuple[int, ...]) -> str:
    shape = texts[0] + "".join(f"{_NAMES[k]}{text}" for k, text in zip(slots, texts[1:], strict=True))
    if "{" in shape or "}" in shape:
        raise FormulaError("unbalanced braces")
    return shape


# bounds on a formula, far above any the articles need, that keep the parser and the evaluator
# within their own limits (a 1,000-term sum or 1,000 unary minuses overflow Python's parser)
MAX_CHARS, MAX_OPERATORS, MAX_DIGITS = 2000, 100, 15
_OPERATOR = re.compile(r"[-+*/]")
_NUMBER = re.compile(r"(?<![\w.])(\d*\.?\d+(?:[eE][-+]?\d+)?)")


@lru_cache(maxsize=4096)
def _compile_shape(text: str):
    """Check a formula shape against the language and compile it once."""
    _check_size(text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not arithmetic: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("too deeply nested to read") from None
    for node in ast.walk(tree):
        _check_node(node)
    return compile(tree, "<formula>", "eval")


def _check_size(text: str) -> None:
    if len(text) > MAX_CHARS:
        raise FormulaError(f"the formula has {len(text)} characters; at most {MAX_CHARS} are allowed")
    operators = len(_OPERATOR.findall(text))
    if operators > MAX_OPERATORS:
        raise FormulaError(f"the formula has {operators} operators; at most {MAX_OPERATORS} are allowed (split it into metrics)")
    for literal in _NUMBER.findall(text):
        digits = len(literal.split("e")[0].split("E")[0].replace(".", "").lstrip("0"))
        if digits > MAX_DIGITS or not math.isfinite(float(literal)):
            raise FormulaError(
                f"the number {literal[:20]}{'...' if len(literal) > 20 else ''} is not a finite number of at most {MAX_DIGITS} digits"
            )


def _check_node(node) -> None:
    if isinstance(node, (ast.Expression, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub)):
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return
    if isinstance(node, ast.Name) and re.fullmatch(r"_v[0-9]+", node.id):
        return
    raise FormulaError(f"{type(node).__name__} is not allowed; use numbers, {{id}}, + - * / and parentheses")


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


def evaluate_span(formula: str, spans: Mapping[str, Interval]) -> Interval:
    """The formula on intervals alone (for inputs that have no single value)."""
    code, names = compile_formula(formula)
    span = eval(code, {"__builtins__": {}}, {n: spans[i] for n, i in names.items()})  # noqa: S307
    return span if isinstance(span, Interval) else Interval.point(span)


@dataclass
class Evaluated:
    """Formulas evaluated column-wise: one value and interval per formula, the
    ids each refers to (in order of first appearance), and why a formula could
    not be evaluated (by its position)."""

    value: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    ids: list[list[str]]
    errors: dict[int, str]


def parse_many(formulas: list[str]) -> tuple[list[str | None], list[list[str]], dict[int, str]]:
    """Each formula's shape (None if malformed) and ids, and what is wrong with
    the malformed ones: the same as ``_template`` formula by formula, but with
    one pass of the regular expressions over all the formulas at once."""
    joined = "\x00".join(formulas) if all(type(f) is str for f in formulas) else None
    if joined is None or joined.count("\x00") != max(len(formulas) - 1, 0) or "\x01" in joined or not formulas:
        return _parse_each(formulas)
    ids_all = REF.findall(joined)
    if not _ids_ok(ids_all):
        return _parse_each(formulas)  # some id is malformed: say which, formula by formula
    skeletons = REF.sub("\x01", joined).split("\x00")
    counts = list(map(_COUNT_REFS, skeletons))
    starts = list(accumulate(counts, initial=0))
    ids = [ids_all[a:b] for a, b in zip(starts, starts[1:], strict=False)]
    known: dict[str, str | FormulaError] = {}
    for skeleton in set(skeletons):
        try:
            known[skeleton] = _skeleton_shape(skeleton)
            _compile_shape(known[skeleton])
        except FormulaError as exc:
            known[skeleton] = exc
    shapes: list = list(map(known.__getitem__, skeletons))
    # an id that comes back, or an empty formula: the general way
    general = [i for i, (k, u) in enumerate(zip(counts, map(len, map(set, ids)), strict=True)) if u < k]
    general += [i for i, s in enumerate(map(str.strip, skeletons)) if not s]
    for i in general:
        try:
            shape, names = _template(formulas[i])
            _compile_shape(shape)
            shapes[i], ids[i] = shape, list(names.values())
        except FormulaError as exc:
            shapes[i] = exc
    errors = {i: str(s) for i, s in enumerate(shapes) if isinstance(s, FormulaError)}
    for i in errors:
        shapes[i] = None
    return shapes, ids, errors


_COUNT_REFS = operator.methodcaller("count", "\x01")


def _ids_ok(ids: list[str]) -> bool:
    """Whether every id is of the documented form, all at once."""
    return not ids or _id_forms()[1].fullmatch("}".join(ids)) is not None


def _parse_each(formulas: list[str]) -> tuple[list[str | None], list[list[str]], dict[int, str]]:
    shapes: list[str | None] = []
    ids: list[list[str]] = []
    errors: dict[int, str] = {}
    for i, formula in enumerate(formulas):
        try:
            shape, names = _template(formula)
            _compile_shape(shape)
        except FormulaError as exc:
            shapes.append(None)
            ids.append(inputs(formula) if isinstance(formula, str) else [])
            errors[i] = str(exc)
            continue
        shapes.append(shape)
        ids.append(list(names.values()))
    return shapes, ids, errors


@lru_cache(maxsize=4096)
def _skeleton_shape(skeleton: str) -> str:
    """A formula with each id replaced by \\x01 (ids all different) to its shape."""
    parts = skeleton.split("\x01")
    return _shape_of(tuple(parts), tuple(range(len(parts) - 1)))


def evaluate_many(
    formulas: list[str],
    index: Mapping[str, int],
    value: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    parsed: tuple[list[str | None], list[list[str]], dict[int, str]] | None = None,
) -> Evaluated:
    """Evaluate many formulas at once, each shape once over all the formulas of
    that shape. ``index`` gives each id's position in ``value``, ``lo`` and
    ``hi``; ``parsed`` is what ``parse_many`` gives for ``formulas``, where the
    caller wrote them and knows it already. Formulas that are malformed, name
    an unknown id or divide by zero are left NaN, with the reason in ``errors``;
    a formula over an id with no point value (NaN) has no value (NaN) but its
    interval, and no error.
    """
    n = len(formulas)
    shapes_of, ids, errors = parsed if parsed is not None else parse_many(formulas)
    out = Evaluated(np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan), ids, errors)
    shapes: dict[str, tuple[list[int], list[list[int]]]] = {}
    for i, shape in enumerate(shapes_of):
        if shape is None:
            continue
        try:
            slots = [index[ident] for ident in ids[i]]
        except KeyError as exc:
            out.errors[i] = f"unknown id {exc.args[0]}"
            continue
        rows, positions = shapes.setdefault(shape, ([], []))
        rows.append(i)
        positions.append(slots)
    for shape, (rows, positions) in shapes.items():
        code = _compile_shape(shape)
        take = np.asarray(positions, dtype=np.int64).reshape(len(rows), -1)
        names = [f"_v{k}" for k in range(take.shape[1])]
        with np.errstate(all="ignore"):
            val = eval(code, {"__builtins__": {}}, {nm: value[take[:, k]] for k, nm in enumerate(names)})  # noqa: S307
        val = np.broadcast_to(np.asarray(val, dtype=float), (len(rows),))
        try:
            with np.errstate(all="ignore"):  # a product too large is inf: refused below with the value's
                span = eval(code, {"__builtins__": {}}, {nm: Interval(lo[take[:, k]], hi[take[:, k]]) for k, nm in enumerate(names)})  # noqa: S307
            span_lo, span_hi = np.broadcast_to(span.lo, (len(rows),)), np.broadcast_to(span.hi, (len(rows),))
        except ValueError:  # an undefined interval in some row (inf - inf): find which, one at a time
            span_lo, span_hi = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
            for j in range(len(rows)):
                try:
                    one = eval(code, {"__builtins__": {}}, {nm: Interval(lo[take[j, k]], hi[take[j, k]]) for k, nm in enumerate(names)})  # noqa: S307
                    span_lo[j], span_hi[j] = one.lo, one.hi
                except ValueError as exc:
                    out.errors[rows[j]] = f"cannot evaluate the interval: {exc}"
        at = np.asarray(rows, dtype=np.int64)
        pointless = np.isnan(value[take]).any(axis=1)  # an input with no point value: no value, not an error
        for j in np.flatnonzero(~np.isfinite(val) & ~pointless):
            out.errors.setdefault(rows[int(j)], _not_finite(val[j]))
        ok = (np.isfinite(val) | pointless) & ~np.isnan(span_lo)
        out.value[at[ok]], out.lo[at[ok]], out.hi[at[ok]] = val[ok], span_lo[ok], span_hi[ok]
    return out


def _not_finite(x: float) -> str:
    """Why a formula's value is not a number (the inputs are finite: only the arithmetic makes inf or NaN)."""
    if np.isnan(x):
        return "not a number (zero divided by zero, or infinity less infinity)"
    return "the value is infinite: a division by zero, or a result too large for a number (over 1.8e308)"


class Periods(Mapping):
    """The period of each id, by its position in ``index``: the mapping
    ``period_of_rule`` reads, without a tuple for each of a million ids."""

    def __init__(self, index: Mapping[str, int], starts: list[str], ends: list[str]) -> None:
        self.index, self.starts, self.ends = index, starts, ends

    def __getitem__(self, ident: str) -> tuple[str, str]:
        i = self.index[ident]
        return self.starts[i], self.ends[i]

    def __contains__(self, ident: object) -> bool:
        return ident in self.index

    def __iter__(self):
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)


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
