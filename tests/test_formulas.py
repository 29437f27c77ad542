"""The formula language: its one parser and its one evaluator, on generated formulas.

Each generated formula is a tree the test draws and writes out (with the parentheses its precedence
needs, and some more); the expected value is worked out from that tree directly, one IEEE double
operation per node as NumPy does it, never by reading the text back. Intervals must hold every point
evaluation of values drawn from the input intervals; malformed formulas are refused with the message
that says why.
"""

from __future__ import annotations

import ast
import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from stopitnow_figures.model.formulas import FormulaError, evaluate, evaluate_many, parse, parse_one
from stopitnow_figures.model.intervals import Interval

IDS = ["aa", "bb", "c-1", "pop-x"]
NUMBERS = ["0", "1", "2", "12", "0.5", "100000", "2.5e3", ".25", "7.", "1E-2"]

# -- generated formulas: a tree, and the text that writes it ---------------------------------------

LEAF = st.sampled_from(IDS).map(lambda i: ("id", i)) | st.sampled_from(NUMBERS).map(
    lambda x: ("number", x)
)
TREE = st.recursive(
    LEAF,
    lambda kids: st.tuples(st.sampled_from("+-*/"), kids, kids) | kids.map(lambda t: ("neg", t)),
    max_leaves=8,
)
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "id": 4, "number": 4}
OPERATION = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


def value_of(tree, env: dict[str, float]) -> float:
    """The tree's value, worked out node by node in doubles (1 / 0 is inf, 0 / 0 NaN): the operands
    the test drew, combined by the operations it drew, with no parser in between."""

    def walk(node) -> np.float64:
        kind = node[0]
        if kind == "id":
            return np.float64(env[node[1]])
        if kind == "number":
            return np.float64(float(node[1]))
        if kind == "neg":
            return -walk(node[1])
        return OPERATION[kind](walk(node[1]), walk(node[2]))

    with np.errstate(all="ignore"):
        return float(walk(tree))


@st.composite
def written(draw) -> tuple[str, tuple]:
    """A drawn tree and its text: a left associative operator's right operand of the same
    precedence, and any operand of lower precedence, in parentheses; spaces and tabs here and there,
    and now and then parentheses that are not needed."""
    tree = draw(TREE)

    def space() -> str:
        return draw(st.sampled_from(["", "", " ", "  ", "\t"]))

    def write(node) -> tuple[str, int]:
        kind = node[0]
        if kind == "id":
            text = f"{{{node[1]}}}"
        elif kind == "number":
            text = node[1]
        elif kind == "neg":
            inner, p = write(node[1])
            text = "-" + space() + (inner if p >= 3 else f"({inner})")
        else:
            (left, lp), (right, rp) = write(node[1]), write(node[2])
            left = left if lp >= PRECEDENCE[kind] else f"({left})"
            right = right if rp > PRECEDENCE[kind] else f"({right})"
            text = f"{left}{space()}{kind}{space()}{right}"
        if draw(st.integers(0, 5)) == 0:
            return f"({space()}{text}{space()})", 4
        return text, PRECEDENCE[kind]

    return space() + write(tree)[0] + space(), tree


def formulas():
    return written().map(lambda pair: pair[0])


def _as_written(tree: tuple, refs: list[str]) -> tuple:
    """A program's tree (``Program.tree``) in the test's terms: ("id", its id) for ("var", k), a
    number as the double it is."""
    kind = tree[0]
    if kind == "var":
        return ("id", refs[tree[1]])
    if kind == "const":
        return ("number", tree[1])
    return (kind, *(_as_written(t, refs) for t in tree[1:]))


def _numbers_as_doubles(tree: tuple) -> tuple:
    if tree[0] == "number":
        return ("number", float(tree[1]))
    if tree[0] == "id":
        return tree
    return (tree[0], *map(_numbers_as_doubles, tree[1:]))


@settings(max_examples=300)
@given(written())
def test_a_formula_is_read_as_the_tree_it_writes(pair):
    text, tree = pair
    program, refs = parse_one(text)
    assert _as_written(program.tree(), refs) == _numbers_as_doubles(tree), text


VALUES = st.sampled_from([0.0, 1.0, -1.0, 2.0, 3.5, 12.0, 0.001, 5e5, -7.25, 1e300])


@settings(max_examples=400)
@given(st.lists(written(), min_size=1, max_size=6), st.tuples(*[VALUES] * len(IDS)))
def test_values_are_worked_out_from_the_drawn_tree(pairs, values):
    env = dict(zip(IDS, values, strict=True))
    index, value = {i: k for k, i in enumerate(IDS)}, np.array(values)
    done = evaluate_many([text for text, _ in pairs], index, value, value, value)
    for k, (text, tree) in enumerate(pairs):
        expected = value_of(tree, env)
        if not math.isfinite(expected):  # a division by zero, or too large: refused, said why
            assert k in done.errors, text
        else:
            assert k not in done.errors, done.errors[k]
            assert done.value[k] == expected, text
            # each input a point: its interval holds the value (to an ulp or so: see ``_slack``)
            assert done.lo[k] - _slack(done.lo[k]) <= expected <= done.hi[k] + _slack(done.hi[k]), (
                text
            )


def _point(lo: float, hi: float, t: float) -> float:
    return min(max(lo + (hi - lo) * t, lo), hi)


ENDS = st.sampled_from(
    [0.0, 0.5, 1.0, 2.0, 3.0, 10.0, 1000.0, -0.5, -1.0, -4.0, -250.0]
) | st.floats(-1e6, 1e6)
WHERE = st.sampled_from([0.0, 1.0, 0.5]) | st.floats(0, 1)


@settings(max_examples=400)
@given(
    written(),
    st.tuples(*[st.tuples(ENDS, ENDS)] * len(IDS)),
    st.lists(st.tuples(*[WHERE] * len(IDS)), min_size=1, max_size=5),
)
def test_an_interval_holds_the_value_at_every_point_of_its_inputs(pair, ends, draws):
    text, tree = pair
    spans = {i: Interval(min(e), max(e)) for i, e in zip(IDS, ends, strict=True)}
    try:
        _, span = evaluate(text, {i: (s.lo + s.hi) / 2 for i, s in spans.items()}, spans)
    except ValueError:  # inf - inf: undefined, and said so (see the error cases)
        assume(False)
    for where in draws:
        v = value_of(
            tree, {i: _point(spans[i].lo, spans[i].hi, t) for i, t in zip(IDS, where, strict=True)}
        )
        if math.isfinite(v):  # within an ulp or so: see ``_slack``
            assert span.lo - _slack(span.lo) <= v <= span.hi + _slack(span.hi), (text, v, span)


def _slack(end: float) -> float:
    """How far a point's value may fall outside its interval's end: intervals.py rounds each end to
    nearest, not outward, and a quotient's ends are products with the divisor's rounded reciprocal,
    so an end can miss the value (and the exact value) by an ulp or two: 1000 / 2496 is
    0.40064102564102566, 1000 * (1 / 2496) is 0.4006410256410256."""
    return 1e-12 * abs(end) if math.isfinite(end) else 0.0


# -- a column is its rows: parsing and evaluating many at once gives what each gives alone ---------

ODD = st.sampled_from(
    [
        "",
        "  ",
        "{A}",
        "{aa",
        "aa}",
        "{aa} ** 2",
        "{}",
        "{a b}",
        "{aa}+{aa}",
        "1 + 2",
        "{aa}\x00",
        "\x01{bb}",
        "{aa} + \x00 + {bb}",
    ]
)
END = st.sampled_from([0.0, 1.0, -2.0, 12.0, math.inf, -math.inf])


@settings(max_examples=300)
@given(
    st.lists(formulas() | ODD, max_size=8),
    st.lists(st.tuples(END, END, END), min_size=len(IDS), max_size=len(IDS)),
)
def test_a_column_of_formulas_is_each_formula_alone(texts, numbers):
    index = {i: k for k, i in enumerate(IDS)}
    value, a, b = (np.array([n[j] for n in numbers]) for j in range(3))
    value = np.where(np.isfinite(value), value, np.nan)  # an unbounded input has no point
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    together = evaluate_many(texts, index, value, lo, hi)
    for k, text in enumerate(texts):
        alone = evaluate_many([text], index, value, lo, hi)
        assert together.errors.get(k) == alone.errors.get(0)
        assert together.ids[k] == alone.ids[0]
        got = [together.value[k], together.lo[k], together.hi[k]]
        assert np.array_equal(got, [alone.value[0], alone.lo[0], alone.hi[0]], equal_nan=True)


@given(st.lists(formulas(), min_size=1, max_size=4))
def test_formulas_of_one_shape_share_one_program(texts):
    """Ids apart (and spaces), a shape is read once: its formulas with other ids have the
    same program."""
    renamed = [re.sub(r"\{([^{}]*)\}", lambda m: "{x" + m.group(1) + "}", t) for t in texts]
    a, b = parse(texts), parse(renamed)
    assert [a.programs[s] for s in a.shape] == [b.programs[s] for s in b.shape]
    assert len(a.programs) <= len(set(texts))


# -- what is refused, and the words that say why ---------------------------------------------------

MANY = " + ".join(f"{{id-{k:02d}}}" for k in range(65))


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("", "empty formula"),
        ("   ", "empty formula"),
        ("{Aa} + 1", "{Aa} is not an id (lower-case letters, digits and hyphens)"),
        (MANY, "a formula may refer to at most 64 ids"),
        ("{aa} + 1}", "unbalanced braces"),
        # "{aa}" counts as its name in the shape, "_v0" (3 characters): 3 + len(" + 1") + 1,994
        # spaces = 2,001
        ("{aa} + 1" + " " * 1994, "the formula has 2001 characters; at most 2000 are allowed"),
        (
            "{aa}" + " + 1" * 101,
            "the formula has 101 operators; at most 100 are allowed (split it into metrics)",
        ),
        (
            "{aa} * 1234567890123456",
            "the number 1234567890123456 is not a finite number of at most 15 digits",
        ),
        ("{aa} * 1e400", "the number 1e400 is not a finite number of at most 15 digits"),
        ("{aa} ** 2", "'**' is not allowed; use numbers, {id}, + - * / and parentheses"),
        ("abs({aa})", "'abs' is not allowed; use numbers, {id}, + - * / and parentheses"),
        ("_v0 + {aa}", "'_v0' is not allowed; use numbers, {id}, + - * / and parentheses"),
        ("({aa}", "not arithmetic: '(' was never closed"),
        ("{aa})", "not arithmetic: unmatched ')'"),
        ("{aa} {bb}", "not arithmetic: an {id} where + - * / or ')' should be"),
        ("+{aa}", "not arithmetic: '+' where a number, {id}, '-' or '(' should be"),
        ("{aa} *", "not arithmetic: the formula ends where a number, {id}, '-' or '(' should be"),
        # outside the language though Python reads them: a hexadecimal or grouped number, a comment,
        # and an id run into a number (which Python read as one name)
        ("{aa} + 0x10", "'x10' is not allowed; use numbers, {id}, + - * / and parentheses"),
        ("{aa} * 1_000", "'_000' is not allowed; use numbers, {id}, + - * / and parentheses"),
        ("{aa} # note", "'#' is not allowed; use numbers, {id}, + - * / and parentheses"),
        ("{aa}12", "not arithmetic: the number 12 where + - * / or ')' should be"),
    ],
)
def test_a_malformed_formula_is_refused_with_why(formula, message):
    with pytest.raises(FormulaError) as exc:
        parse_one(formula)
    assert str(exc.value) == message
    assert parse(["{aa} + 1", formula]).errors == {1: message}


def test_a_formula_of_an_id_written_twice_counts_it_once_in_its_length():
    # "{aa} - {aa}" is "_v0 - _v0": 9 characters, then 1,992 spaces: 2,001; with two ids it would be
    # the same
    with pytest.raises(FormulaError, match="has 2001 characters"):
        parse_one("{aa} - {aa}" + " " * 1992)
    # an id written eleven times stays "_v0" (3 characters) where eleven ids would reach "_v10" (4)
    eleven = " + ".join(
        ["{aa}"] * 11
    )  # 11 * 3 + 10 * 3 = 63 characters as a shape; 64 with eleven different ids
    assert len(parse_one(eleven + " " * (2000 - 63))[1]) == 11
    with pytest.raises(FormulaError, match="has 2001 characters"):
        parse_one(" + ".join(f"{{a{k}}}" for k in range(11)) + " " * (2000 - 63))


def test_why_a_formula_cannot_be_evaluated():
    index = {"aa": 0, "bb": 1, "zz": 2}
    value, lo, hi = (
        np.array([6.0, 0.0, 1.0]),
        np.array([6.0, 0.0, np.inf]),
        np.array([6.0, 0.0, np.inf]),
    )
    done = evaluate_many(
        ["{aa} / {bb}", "{bb} / {bb}", "{zz} - {zz}", "{aa} / {qq}", "{aa} / 2"],
        index,
        value,
        lo,
        hi,
    )
    assert done.errors == {
        # 6 / 0
        0: (
            "the value is infinite: a division by zero, or a result too large for a number "
            "(over 1.8e308)"
        ),
        1: "not a number (zero divided by zero, or infinity less infinity)",  # 0 / 0
        # [inf, inf] - [inf, inf]: inf - inf at both ends
        2: "cannot evaluate the interval: not an interval: [nan, nan]",
        3: "unknown id qq",
    }
    assert np.isnan(done.value[:4]).all() and (done.value[4], done.lo[4], done.hi[4]) == (
        3.0,
        3.0,
        3.0,
    )


def test_numbers_alone_divided_by_zero_are_refused_with_why():
    # 1 / 0 of two numbers is inf in doubles, as a column's is: 6 + inf is infinite (its
    # interval [inf, inf] is one); 0 / 0 is NaN, no interval, and what is wrong with the
    # interval is said first
    done = evaluate_many(
        ["{aa} + 1 / 0", "{aa} * (0 / 0)"],
        {"aa": 0},
        np.array([6.0]),
        np.array([6.0]),
        np.array([6.0]),
    )
    assert done.errors == {
        0: (
            "the value is infinite: a division by zero, or a result too large for a number "
            "(over 1.8e308)"
        ),
        1: "cannot evaluate the interval: not an interval: [nan, nan]",
    }
    assert np.isnan(done.value).all()


def test_one_formula_is_the_column_of_one():
    spans = {"aa": Interval(2.0, 4.0), "bb": Interval(0.0, 0.0), "cc": Interval(1.0, 3.0)}
    point = {"aa": 3.0, "bb": 0.0, "cc": 2.0}
    value, span = evaluate("{aa} / {cc} - 1", point, spans)
    assert value == 0.5 and (span.lo, span.hi) == (
        2 / 3 - 1,
        3.0,
    )  # [2, 4] / [1, 3] - 1 = [2/3 - 1, 4 - 1]
    value, span = evaluate(
        "{aa} / {bb}", point, spans
    )  # 3 / 0: no value; [2, 4] / [0, 0] is unbounded
    assert math.isnan(value) and (span.lo, span.hi) == (-math.inf, math.inf)
    with pytest.raises(KeyError, match="dd"):
        evaluate("{aa} + {dd}", point, spans)
    with pytest.raises(ValueError, match=re.escape("not an interval: [nan, nan]")):
        evaluate("{aa} - {aa}", {"aa": 1.0}, {"aa": Interval(math.inf, math.inf)})


def test_the_tree_of_a_formula_is_its_precedence():
    program, ids = parse_one("-{aa} * 2 - ({bb} - {aa}) / 4")
    assert ids == ["aa", "bb", "aa"]  # each {id} as written: the program's references by position
    assert program.tree() == (
        "-",
        ("*", ("neg", ("var", 0)), ("const", 2.0)),
        ("/", ("-", ("var", 1), ("var", 2)), ("const", 4.0)),
    )


def test_no_formula_is_run_as_python():
    """Formulas are walked, never compiled: no eval, exec or compile where formulas are read
    or evaluated."""
    where = [
        "model/formulas.py",
        "model/claims.py",
        "stages/derive.py",
        "publishing/gate.py",
        "render/trace.py",
    ]
    calls = []
    for rel in where:
        tree = ast.parse((ROOT / "src" / "stopitnow_figures" / rel).read_text(encoding="utf-8"))
        calls += [
            f"{rel}:{n.lineno}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id in ("eval", "exec", "compile")
        ]
    assert calls == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["", "span", "of:a", "of:b", "of:z", "of:", "of:a:b", "shift:b:1", "shift:b:x"]
        )
        | st.text(alphabet="ofa:\n", max_size=5),
        max_size=12,
    ),
    st.booleans(),
)
def test_the_periods_of_many_rules_are_each_rules_period(rules, by_column):
    """Each row's period is what ``period_of_rule`` gives its rule alone (null where it gives None),
    whether the ``of:<id>`` rules are looked up a column at a time or not."""
    import pyarrow as pa

    from stopitnow_figures.model.formulas import Periods, period_of_rule, periods_of_rules

    starts, ends = ["2016-01-01", "2017-04-01"], ["2016-12-31", "2018-03-31"]
    periods = Periods({"a": 0, "b": 1}, starts, ends)
    ids = pa.array(["a", "b"]) if by_column else None
    first, last = periods_of_rules(
        pa.array(rules, pa.string()), ids, pa.array(starts), pa.array(ends), lambda: periods
    )
    expected = [period_of_rule(r, [], periods) or (None, None) for r in rules]
    assert list(zip(first.to_pylist(), last.to_pylist(), strict=True)) == expected
