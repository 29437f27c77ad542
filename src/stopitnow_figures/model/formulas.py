"""The formula language of derived metrics and claims.

A formula is arithmetic over the ids of figures, metrics and reference rows,
each written in braces::

    ({national-2017-scotland-f03} / {national-2017-scotland-f02} - 1) * 100

Its grammar (spaces, tabs and line breaks may stand between any two tokens)::

    formula := term (("+" | "-") term)*
    term    := factor (("*" | "/") factor)*
    factor  := "-" factor | number | "{" id "}" | "(" formula ")"
    number  := digits ["." [digits]] [exponent] | "." digits [exponent]

with an id of the one id pattern of schemas/, a number of at most 15 digits,
at most 100 operators and 2,000 characters (each id counted as the short name
``_v0``, ``_v1``, ... the formula's shape gives it). Operators are left
associative; unary minus binds tighter than ``*`` and ``/``.

``parse`` reads formulas, any number at once, each into a ``Program``: the
formula's shape, its ids abstracted, as a flat postfix program whose
references are the formula's ``{id}``s in the order written. Formulas of one
shape share one program; ``evaluate_many`` runs each program once over all
the formulas of its shape, on NumPy columns, twice: on the inputs' values, and
on their intervals (``intervals.Interval``). A single formula is the column of
one (``parse_one``, ``evaluate``). Nothing is compiled or run as Python.
Interval results are exact when each input appears once; write formulas that
way where possible.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from itertools import count, repeat

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


def _ids_ok(ids: list[str]) -> bool:
    """Whether every id is of the documented form, all at once."""
    return not ids or _id_forms()[1].fullmatch("}".join(ids)) is not None


# bounds on a formula, far above any the articles need, that keep the parser and the evaluator small
MAX_CHARS, MAX_OPERATORS, MAX_DIGITS, MAX_IDS = 2000, 100, 15, 64
_OPERATOR = re.compile(r"[-+*/]")
_SPACE = "[ \t\r\n]"
_TOKEN = re.compile(
    rf"(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)|(?P<sign>\*\*|//|[-+*/()])|(?P<word>[^\W\d]\w*)"
    rf"|(?P<space>{_SPACE}+)|(?P<other>.)",
    re.DOTALL,
)
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3}
_ARITHMETIC: dict[str, Callable] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


@dataclass(frozen=True)
class Program:
    """A formula's shape, parsed: its steps in postfix order. A step is ``("var", k)``, the
    formula's k-th ``{id}`` as written (an id written twice is two references); ``("const", x)``, a
    number; ``("neg", 0)``, unary minus; or ``(op, 0)`` for an operator of ``+ - * /``, on the two
    operands before it."""

    steps: tuple[tuple[str, float], ...]
    refs: int  # how many references

    def tree(self) -> tuple:
        """The program as nested tuples: ``("var", k)``, ``("const", x)``, ``("neg", t)`` or ``(op,
        left, right)``."""
        stack: list[tuple] = []
        for op, arg in self.steps:
            if op in ("var", "const"):
                stack.append((op, arg))
            elif op == "neg":
                stack.append(("neg", stack.pop()))
            else:
                right = stack.pop()
                stack.append((op, stack.pop(), right))
        return stack.pop()


def _program(tokens: list[tuple[str, object]], refs: int) -> Program:
    """The grammar: the tokens of a formula (``_tokens``) with ``refs`` ``{id}``s to its program,
    read by precedence in one pass (no recursion, however deep the parentheses)."""
    steps: list[tuple[str, float]] = []
    pending: list[str] = []  # operators and "(" not yet written out
    operand = True  # whether a number, an id, "-" or "(" comes next
    for kind, text in tokens:
        if kind in ("word", "other") or text in ("**", "//"):
            raise FormulaError(
                f"{text!r} is not allowed; use numbers, {{id}}, + - * / and parentheses"
            )
        operand = (
            _operand(kind, text, steps, pending)
            if operand
            else _operator(kind, text, steps, pending)
        )
    if operand:
        raise FormulaError(
            "not arithmetic: the formula ends where a number, {id}, '-' or '(' should be"
        )
    while pending:
        op = pending.pop()
        if op == "(":
            raise FormulaError("not arithmetic: '(' was never closed")
        steps.append((op, 0))
    return Program(tuple(steps), refs)


def _tokens(texts: tuple[str, ...]):
    """The tokens of a formula, as (kind, text): a ``("var", k)`` for its k-th ``{id}``, spaces
    left out."""
    for k, text in enumerate(texts):
        if k:
            yield "var", k - 1
        for m in _TOKEN.finditer(text):
            if m.lastgroup != "space":
                yield m.lastgroup, m.group()


def _operand(kind: str, text, steps: list, pending: list[str]) -> bool:
    """Read a token where an operand belongs; whether an operand still belongs next."""
    if kind == "number":
        steps.append(("const", float(text)))
        return False
    if kind == "var":
        steps.append(("var", text))
        return False
    if text in ("-", "("):
        pending.append("neg" if text == "-" else "(")
        return True
    raise FormulaError(f"not arithmetic: {text!r} where a number, {{id}}, '-' or '(' should be")


def _operator(kind: str, text, steps: list, pending: list[str]) -> bool:
    """Read a token after an operand: an operator (written out after those of its precedence or
    above before it) or ")"; whether an operand belongs next."""
    if kind == "sign" and text in _ARITHMETIC:
        while pending and pending[-1] != "(" and _PRECEDENCE[pending[-1]] >= _PRECEDENCE[text]:
            steps.append((pending.pop(), 0))
        pending.append(text)
        return True
    if text == ")":
        while pending and pending[-1] != "(":
            steps.append((pending.pop(), 0))
        if not pending:
            raise FormulaError("not arithmetic: unmatched ')'")
        pending.pop()
        return False
    said = "an {id}" if kind == "var" else f"the number {text}" if kind == "number" else repr(text)
    raise FormulaError(f"not arithmetic: {said} where + - * / or ')' should be")


@dataclass(frozen=True)
class _Shape:
    """What the text of a formula around its ids says: its program, or what is wrong with it
    (``problem``: the operators, the numbers or the grammar); whether it is empty or holds a brace,
    which are said before its ids are; and its length with its ids all different (an id written
    again makes it no longer)."""

    program: Program | None
    problem: str | None
    empty: bool
    braces: bool
    length: int

    def sound(self) -> bool:
        return (
            self.program is not None
            and not self.empty
            and not self.braces
            and self.length <= MAX_CHARS
        )


@lru_cache(maxsize=4096)
def _shape(texts: tuple[str, ...]) -> _Shape:
    """The shape of the formulas whose text around their ids is ``texts`` (read once for
    each shape)."""
    empty = len(texts) == 1 and not texts[0].strip()
    braces = any("{" in t or "}" in t for t in texts)
    length = sum(map(len, texts)) + sum(2 + len(str(k)) for k in range(len(texts) - 1))
    program, problem = None, None
    if not (empty or braces):
        try:
            tokens = list(_tokens(texts))
            _check_size(texts, tokens)
            program = _program(tokens, len(texts) - 1)
        except FormulaError as exc:
            problem = str(exc)
    return _Shape(program, problem, empty, braces, length)


def _check_size(texts: tuple[str, ...], tokens: list[tuple[str, object]]) -> None:
    """The operators and the numbers (its ``number`` tokens) of a formula within their bounds."""
    operators = len(_OPERATOR.findall("".join(texts)))
    if operators > MAX_OPERATORS:
        raise FormulaError(
            f"the formula has {operators} operators; at most {MAX_OPERATORS} are allowed (split it "
            "into metrics)"
        )
    for literal in (text for kind, text in tokens if kind == "number"):
        digits = len(literal.split("e")[0].split("E")[0].replace(".", "").lstrip("0"))
        if digits > MAX_DIGITS or not math.isfinite(float(literal)):
            raise FormulaError(
                f"the number {literal[:20]}{'...' if len(literal) > 20 else ''} is not a finite "
                f"number of at most {MAX_DIGITS} digits"
            )


def _problem(shape: _Shape, refs: list[str]) -> str | None:
    """What is wrong with a formula of ``shape`` whose ``{id}``s are ``refs``, the first thing of:
    empty, an id not of the id pattern, too many ids, a stray brace, too long, then the shape's
    own problem."""
    if shape.empty:
        return "empty formula"
    if not _ids_ok(refs):
        bad = next(i for i in refs if not is_id(i))
        return f"{{{bad}}} is not an id (lower-case letters, digits and hyphens)"
    slot = {ident: k for k, ident in enumerate(dict.fromkeys(refs))}
    if len(slot) > MAX_IDS:
        return f"a formula may refer to at most {MAX_IDS} ids"
    if shape.braces:
        return "unbalanced braces"
    length = (
        shape.length
        - sum(2 + len(str(k)) for k in range(len(refs)))
        + sum(2 + len(str(slot[i])) for i in refs)
    )
    if length > MAX_CHARS:
        return f"the formula has {length} characters; at most {MAX_CHARS} are allowed"
    return shape.problem


@dataclass
class Parsed:
    """Formulas parsed together: the distinct programs (``programs``) and which each formula
    has (``shape``: its position in ``programs``, -1 where the formula is malformed); every
    ``{id}`` written, formula after formula (``names``; formula i's are
    ``names[starts[i]:starts[i + 1]]``, its program's references in order); and what is wrong
    with each malformed formula, by position."""

    programs: list[Program]
    shape: np.ndarray
    names: list[str]
    starts: np.ndarray
    errors: dict[int, str]

    @cached_property
    def ids(self) -> list[list[str]]:
        """The ids of each formula, in order of first appearance."""
        s = self.starts.tolist()
        refs = [self.names[a:b] for a, b in zip(s, s[1:], strict=False)]
        return [r if len(r) < 2 or len(set(r)) == len(r) else list(dict.fromkeys(r)) for r in refs]


def parse(formulas: Sequence[str]) -> Parsed:
    """Read formulas: each one's program, or why it has none (see the module's grammar). The ids and
    the text around them are found by one pass of the regular expressions over all the formulas at
    once, and each shape (the text around the ids) is read once, however many formulas share it."""
    n = len(formulas)
    texts = (
        formulas
        if set(map(type, formulas)) <= {str}
        else [f if isinstance(f, str) else "" for f in formulas]
    )
    joined, sep, mark = _joined(texts)
    ref = _ref_between(sep)
    names = ref.findall(joined)
    skeletons = ref.sub(mark, joined).split(sep) if n else []
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(
        np.fromiter(map(operator.methodcaller("count", mark), skeletons), dtype=np.int64, count=n),
        out=starts[1:],
    )
    which = {s: k for k, s in enumerate(dict.fromkeys(skeletons))}
    shapes = [_shape(tuple(s.split(mark))) for s in which]
    programs = list(dict.fromkeys(s.program for s in shapes if s.program is not None))
    number = {p: k for k, p in enumerate(programs)}
    at = np.fromiter(map(which.__getitem__, skeletons), dtype=np.int64, count=n)
    shape = np.array(
        [-1 if s.program is None else number[s.program] for s in shapes], dtype=np.int64
    )[at]
    doubtful = np.array([not s.sound() for s in shapes], dtype=bool)[at] | (
        np.diff(starts) > MAX_IDS
    )
    if not _ids_ok(names):
        bad = np.flatnonzero([not is_id(i) for i in names])
        doubtful[np.searchsorted(starts, bad, side="right") - 1] = True
    errors = {}
    for i in np.flatnonzero(doubtful).tolist():
        why = _problem(shapes[at[i]], names[starts[i] : starts[i + 1]])
        if why is not None:
            errors[i] = why
            shape[i] = -1
    return Parsed(programs, shape, names, starts, errors)


def parse_one(formula: str) -> tuple[Program, list[str]]:
    """One formula (the column of one of ``parse``): its program and its ``{id}``s as written, which
    are the program's references in order; FormulaError saying what is wrong where it is not of the
    documented form."""
    program, refs = _parse_one(formula)
    return program, list(refs)


@lru_cache(maxsize=1 << 16)
def _parse_one(formula: str) -> tuple[Program, tuple[str, ...]]:
    """``parse_one``, remembered: a claim's formula is evaluated again on each set of bounds its
    check tries."""
    parsed = parse([formula])
    if parsed.errors:
        raise FormulaError(parsed.errors[0])
    return parsed.programs[0], tuple(parsed.names)


def _joined(texts: Sequence[str]) -> tuple[str, str, str]:
    """The formulas joined by a character none of them holds, and another such character to stand
    for each ``{id}`` (NUL and SOH, unless some formula holds them)."""
    free = (chr(c) for c in count() if chr(c) not in "{}")
    sep = next(free)
    joined = sep.join(texts)
    while joined.count(sep) != max(len(texts) - 1, 0):
        sep = next(free)
        joined = sep.join(texts)
    return joined, sep, next(c for c in free if c not in joined)


@lru_cache(maxsize=16)
def _ref_between(sep: str) -> re.Pattern[str]:
    """``REF`` that does not run from one formula into the next."""
    return re.compile(r"\{([^{}" + re.escape(sep) + r"]*)\}")


@dataclass
class Evaluated:
    """Formulas evaluated column-wise: one value and interval per formula, and why a formula
    could not be evaluated (by its position); ``ids``: the ids each refers to, in order of
    first appearance."""

    value: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    parsed: Parsed
    errors: dict[int, str]

    @property
    def ids(self) -> list[list[str]]:
        return self.parsed.ids


def evaluate_many(
    formulas: Sequence[str],
    index: Mapping[str, int],
    value: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    parsed: Parsed | None = None,
) -> Evaluated:
    """Evaluate many formulas at once, each program once over all the formulas of its shape
    (``evaluate_shape``). ``index`` gives each id's position in ``value``, ``lo`` and ``hi``;
    ``parsed`` is what ``parse`` gives for ``formulas``, where the caller has it already. Formulas
    that are malformed, name an unknown id or cannot be evaluated are left NaN, with the reason in
    ``errors``; a formula over an id with no point value (NaN) has no value (NaN) but its interval,
    and no error."""
    parsed = parse(formulas) if parsed is None else parsed
    n = len(parsed.shape)
    out = Evaluated(
        np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan), parsed, dict(parsed.errors)
    )
    at = np.fromiter(
        map(index.get, parsed.names, repeat(-1)), dtype=np.int64, count=len(parsed.names)
    )
    shape = parsed.shape.copy()
    for k in np.flatnonzero(
        at < 0
    ).tolist():  # an id not in ``index``: the first of each formula's is said
        i = int(np.searchsorted(parsed.starts, k, side="right")) - 1
        if shape[i] >= 0:
            out.errors[i] = f"unknown id {parsed.names[k]}"
            shape[i] = -1
    kept = shape >= 0
    codes, first = np.unique(shape[kept], return_index=True)
    for code in codes[np.argsort(first)].tolist():  # the shapes in the order the formulas have them
        rows = np.flatnonzero(shape == code)
        program = parsed.programs[code]
        take = at[parsed.starts[rows][:, None] + np.arange(program.refs)]
        out.value[rows], out.lo[rows], out.hi[rows], errors = evaluate_shape(
            program, take, value, lo, hi
        )
        out.errors.update((int(rows[j]), why) for j, why in errors.items())
    return out


def evaluate_shape(
    program: Program, take: np.ndarray, value: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, str]]:
    """One program over whole columns: row j's k-th reference is at ``take[j, k]`` of ``value``,
    ``lo`` and ``hi``. Each row's value and interval, NaN where the row cannot be evaluated (a
    division by zero, a result too large for a number, an undefined interval such as inf - inf),
    and why, by row; a row with an input of no point value (NaN) has no value but its interval, and
    no error."""
    val, span_lo, span_hi, undefined = _run(program, take, value, lo, hi)
    errors = {j: f"cannot evaluate the interval: {why}" for j, why in undefined.items()}
    pointless = np.isnan(value[take]).any(
        axis=1
    )  # an input with no point value: no value, not an error
    for j in np.flatnonzero(~np.isfinite(val) & ~pointless).tolist():
        errors.setdefault(j, _not_finite(val[j]))
    ok = (np.isfinite(val) | pointless) & ~np.isnan(span_lo)
    return (
        np.where(ok, val, np.nan),
        np.where(ok, span_lo, np.nan),
        np.where(ok, span_hi, np.nan),
        errors,
    )


def evaluate(
    formula: str, point: Mapping[str, float], spans: Mapping[str, Interval]
) -> tuple[float, Interval]:
    """One formula on values and on intervals (the column of one of ``evaluate_shape``): its value,
    NaN where it is not a finite number (a division by zero) or an input has none, and its interval.
    KeyError naming the ids ``point`` lacks; FormulaError for a malformed formula; ValueError where
    the interval is undefined."""
    program, refs = parse_one(formula)
    missing = [i for i in dict.fromkeys(refs) if i not in point]
    if missing:
        raise KeyError(", ".join(missing))
    value = np.array([point[i] for i in refs], dtype=float)
    lo, hi = (np.array([getattr(spans[i], end) for i in refs], dtype=float) for end in ("lo", "hi"))
    val, span_lo, span_hi, undefined = _run(
        program, np.arange(len(refs)).reshape(1, -1), value, lo, hi
    )
    if undefined:
        raise ValueError(undefined[0])
    v = float(val[0])
    return (v if math.isfinite(v) else math.nan), Interval(float(span_lo[0]), float(span_hi[0]))


def _run(program: Program, take: np.ndarray, value: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """The program on the values and on the intervals of the rows of ``take``: the values (inf or
    NaN where the arithmetic makes them), the intervals' ends (NaN where undefined) and, by row, why
    an interval is undefined (``Interval``'s own words, for that row alone)."""
    n = len(take)
    with np.errstate(all="ignore"):
        val = np.broadcast_to(
            np.asarray(_walk(program, lambda k: value[take[:, k]]), dtype=float), (n,)
        )
        span_lo, span_hi, undefined = np.full(n, np.nan), np.full(n, np.nan), {}
        todo = [np.arange(n)]
        while (
            todo
        ):  # all the rows; where some interval is undefined, each half again, down to the row
            rows = todo.pop()
            try:
                span = _walk(program, _intervals(take if len(rows) == n else take[rows], lo, hi))
                span = (
                    span if isinstance(span, Interval) else Interval.point(span)
                )  # a formula of numbers alone
            except ValueError as exc:
                if len(rows) == 1:
                    undefined[int(rows[0])] = str(exc)
                else:
                    todo += [rows[len(rows) // 2 :], rows[: len(rows) // 2]]
                continue
            span_lo[rows], span_hi[rows] = span.lo, span.hi
    return val, span_lo, span_hi, undefined


def _intervals(take: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> Callable[[int], Interval]:
    """The intervals of the k-th reference of the rows of ``take`` (of one row: as numbers, so that
    what is said of an undefined interval names them)."""
    if len(take) == 1:
        return lambda k: Interval(lo[take[0, k]], hi[take[0, k]])
    return lambda k: Interval(lo[take[:, k]], hi[take[:, k]])


def _walk(program: Program, operand: Callable[[int], object]):
    """Run the program on a stack: ``operand(k)`` is the k-th reference (a column of values, or of
    intervals); numbers are floats, and an operation on two numbers is done as on a column's (1 / 0
    is inf)."""
    stack: list = []
    for op, arg in program.steps:
        if op == "var":
            stack.append(operand(int(arg)))
        elif op == "const":
            stack.append(arg)
        elif op == "neg":
            stack.append(-stack.pop())
        else:
            right, left = stack.pop(), stack.pop()
            if type(left) is float and type(right) is float:
                stack.append(float(_ARITHMETIC[op](np.float64(left), right)))
            else:
                stack.append(_ARITHMETIC[op](left, right))
    return stack.pop()


def _not_finite(x: float) -> str:
    """Why a formula's value is not a number (the inputs are finite: only the arithmetic makes inf
    or NaN)."""
    if np.isnan(x):
        return "not a number (zero divided by zero, or infinity less infinity)"
    return (
        "the value is infinite: a division by zero, or a result too large for a number (over "
        "1.8e308)"
    )


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


OF_RULE = re.compile("of:([^:]*)")  # a period rule that is one id's period: ``of:<id>``


def periods_of_rules(rules, ids, starts, ends, periods: Callable[[], Mapping]):
    """``period_of_rule`` of each of many rules of no inputs, as two Arrow string columns (null
    where a rule does not apply). The rules of one id's period (``OF_RULE``) are looked up a column
    at a time among ``ids`` (Arrow, each id once, with its ``starts`` and ``ends``; None to look
    every rule up by ``period_of_rule``); each other rule is read once by ``period_of_rule`` (on
    the mapping ``periods()`` gives, made only then), and every row of it given what that gives."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rules = pa.chunked_array([rules]) if isinstance(rules, pa.Array) else rules
    first = last = pa.nulls(len(rules), pa.string())
    rest = pa.repeat(True, len(rules))
    if ids is not None:
        of = pc.struct_field(pc.extract_regex(rules, f"^{_named(OF_RULE)}$"), [0])
        at = pc.index_in(of, value_set=ids)
        first, last, rest = pc.take(starts, at), pc.take(ends, at), pc.is_null(at)
    others = pc.unique(pc.filter(rules, rest))
    if not len(others):
        return first, last
    mapping = _Later(periods)
    read = [period_of_rule(r, [], mapping) or (None, None) for r in others.to_pylist()]
    at = pc.index_in(rules, value_set=others)
    by_rule = (pc.take(pa.array([p[k] for p in read], pa.string()), at) for k in (0, 1))
    return tuple(pc.if_else(rest, b, a) for a, b in zip((first, last), by_rule, strict=True))


class _Later(Mapping):
    """The mapping ``make()`` gives, made when first read (a rule of no id reads none)."""

    def __init__(self, make: Callable[[], Mapping]) -> None:
        self.make = make

    @cached_property
    def made(self) -> Mapping:
        return self.make()

    def __getitem__(self, key):
        return self.made[key]

    def __iter__(self):
        return iter(self.made)

    def __len__(self) -> int:
        return len(self.made)


def _named(pattern: re.Pattern) -> str:
    """A pattern of one group, that group named (Arrow's ``extract_regex`` reads named groups)."""
    return pattern.pattern.replace("(", "(?P<id>", 1)


def period_of_rule(
    rule: str, ids: list[str], periods: Mapping[str, tuple[str, str]]
) -> tuple[str, str] | None:
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
    of = OF_RULE.fullmatch(rule)
    if of is not None:
        return periods[of[1]] if of[1] in periods else None
    parts = rule.split(":")
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
