"""The reconciliation's solver on its own: interval arithmetic on pairs of ends, the constraint step
(HC4's revise) against the LP solver on linear relations, the linear programme over a cycle, and a
bound that overflows. Expected values are worked out by hand in the comments, or are what
``scipy.optimize.linprog`` finds on the same relations (a solver written by others: "write
propagation by hand only for what is not linear, and test it against the solver on the linear
cases")."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from stopitnow_figures.model import intervals
from stopitnow_figures.model.bounds import (
    INF,
    Box,
    Constraint,
    Infeasible,
    Mentions,
    Model,
    Node,
    Quantities,
    Relation,
    linear,
    propagate,
    revise,
    solve,
    tighten_by_lp,
)

# -- interval arithmetic on pairs of ends
# ---------------------------------------------------------------

END = st.sampled_from([0.0, -0.0, 1.0, -2.5, 3.0, 1e-9, 1e300, INF, -INF]) | st.floats(-1e6, 1e6)
PAIR = st.tuples(END, END).map(sorted).map(tuple)


def test_the_rules_on_numbers_by_hand():
    assert intervals.add((1, 2), (3, 5)) == (4, 7)
    assert intervals.sub((3, 5), (1, 2)) == (1, 4)  # 3 - 2 and 5 - 1
    assert intervals.mul((-1, 2), (3, 5)) == (-5, 10)  # the least and greatest of -3, -5, 6, 10
    assert intervals.mul((0, 0), (-INF, INF)) == (0, 0)  # 0 times an unbounded end is 0
    assert intervals.div((1, 2), (4, 8)) == (0.125, 0.5)
    assert intervals.div((1, 1), (0, 2)) == (0.5, INF)  # zero only an end: one end unbounded
    assert intervals.div((1, 1), (-1, 1)) == (-INF, INF)
    assert intervals.meet((0, 10), (5, INF)) == (5, 10)
    assert intervals.whole_within((2.5, 7.5)) == (3, 7)
    assert intervals.whole_within((2.99999999, INF)) == (3, INF)  # within 1e-7 of 3 is 3
    assert intervals.whole_within((INF, INF)) == (
        INF,
        INF,
    )  # an overflowed end stays, and is no crash


@settings(max_examples=300, deadline=None)
@given(PAIR, PAIR, st.sampled_from(["add", "sub", "mul", "div", "meet"]))
def test_a_pair_of_numbers_is_the_column_of_one(a, b, name):
    """The functions take ends as numbers (the propagation) or as columns (formulas): one rule, the
    same ends."""
    rule = getattr(intervals, name)
    with np.errstate(invalid="ignore", over="ignore"):
        scalar = rule(a, b)
        column = rule(
            (np.array([a[0], 0.0]), np.array([a[1], 0.0])),
            (np.array([b[0], 0.0]), np.array([b[1], 0.0])),
        )
    for end, ends in zip(scalar, column, strict=True):
        assert isinstance(end, float) or isinstance(end, int)
        assert end == ends[0] or (math.isnan(end) and math.isnan(ends[0]))


# -- the constraint step against the solver
# -----------------------------------------------------------------

TERMS = st.lists(
    st.tuples(st.sampled_from([-3.0, -1.0, 0.5, 1.0, 2.0, 4.0]), st.integers(0, 3)),
    min_size=1,
    max_size=3,
    unique_by=lambda t: t[1],
)
BOUND = st.sampled_from([-INF, -50.0, -3.0, 0.0, 2.5, 10.0, 40.0, INF])
ENDS = st.lists(
    st.tuples(BOUND, BOUND).map(sorted).filter(lambda e: e[0] < INF and e[1] > -INF),
    min_size=4,
    max_size=4,
)


def _expression(terms: list[tuple[float, int]], constant: float) -> Node:
    """sum of coefficient * quantity, plus a constant, as the tree a formula parses to."""
    node = Node("const", constant)
    for coef, v in terms:
        term = (
            Node("var", v)
            if coef == 1.0
            else Node("*", left=Node("const", coef), right=Node("var", v))
        )
        node = Node("+", left=node, right=term)
    return node


def _box(ends) -> Box:
    return Box(
        {v: lo for v, (lo, _) in enumerate(ends)}, {v: hi for v, (_, hi) in enumerate(ends)}, set()
    )


def _lp_bounds(rows: list[Constraint], ends, n: int):
    """Each quantity's least and greatest value under the linear rows within ``ends``, by linprog;
    None where the rows admit no value."""
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for c in rows:
        (lcoef, lconst), (rcoef, rconst) = linear(c.left), linear(c.right)
        row = np.zeros(n)
        for v, a in lcoef.items():
            row[v] += a
        for v, a in rcoef.items():
            row[v] -= a
        if c.relation == "=":
            a_eq.append(row), b_eq.append(rconst - lconst)
        else:
            sign = 1.0 if c.relation == "<=" else -1.0
            a_ub.append(sign * row), b_ub.append(sign * (rconst - lconst))
    kw = {
        "A_eq": np.array(a_eq) if a_eq else None,
        "b_eq": b_eq or None,
        "A_ub": np.array(a_ub) if a_ub else None,
        "b_ub": b_ub or None,
        "bounds": [(None if lo == -INF else lo, None if hi == INF else hi) for lo, hi in ends],
        "method": "highs",
    }
    if linprog(np.zeros(n), **kw).status == 2:
        return None
    out = []
    for v in range(n):
        ends_v = []
        for sign in (1.0, -1.0):
            cost = np.zeros(n)
            cost[v] = sign
            res = linprog(cost, **kw)
            ends_v.append(sign * res.fun if res.status == 0 else sign * -INF)
        out.append(tuple(ends_v))
    return out


def _agree(found: float, best: float) -> bool:
    return found == best or math.isclose(found, best, rel_tol=1e-6, abs_tol=1e-6)


@settings(max_examples=300, deadline=None)
@given(TERMS, st.sampled_from(["=", "<=", ">="]), TERMS, ENDS)
def test_one_linear_relation_is_narrowed_as_the_solver_bounds_it(left, relation, right, ends):
    """A relation naming no quantity twice is projected exactly by one revise: each end is the
    solver's."""
    if {v for _, v in left} & {v for _, v in right}:
        return
    c = Constraint("r", "identity", _expression(left, 1.0), relation, _expression(right, 0.0))
    best = _lp_bounds([c], ends, 4)
    box = _box(ends)
    try:
        revise(c, box)
    except Infeasible:
        assert best is None
        return
    assert best is not None
    for v in range(4):
        assert _agree(box.lo[v], best[v][0]) and _agree(box.hi[v], best[v][1]), (
            v,
            box.get(v),
            best[v],
        )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(TERMS, st.sampled_from(["=", "<=", ">="]), TERMS), min_size=1, max_size=3),
    ENDS,
)
# a cycle that admits no value (x0 <= -50, 1 - 3 x0 = x2 and 1 - 3 x2 = 0.5 x0 give x0 = 2 / 8.5):
# propagation runs its bounds out past 1e250 without ending, and the linear programme must still
# find it infeasible (HiGHS reads a bound beyond 1e20 as none unless told otherwise)
@example(
    relations=[([(-3.0, 0)], "=", [(1.0, 2)]), ([(-3.0, 2)], "=", [(0.5, 0)])],
    ends=[[-INF, -50.0], [-INF, -50.0], [-INF, INF], [-INF, -50.0]],
)
# likewise 1 - 3 x1 = 0.5 x0 - 3 x3 and 1 + 0.5 x3 = 0.5 x0 - 3 x1 give x3 = 2.4 x1 <= -120, below
# x3's -50: propagation runs x0 and x3 out past 1e157, where HiGHS's tolerances no longer hold
@example(
    relations=[([(-3.0, 1)], "=", [(-3.0, 3), (0.5, 0)]), ([(0.5, 3)], "=", [(-3.0, 1), (0.5, 0)])],
    ends=[[-INF, INF], [-INF, -50.0], [-INF, -50.0], [-50.0, INF]],
)
def test_a_set_of_linear_relations_is_solved_as_the_solver_bounds_it(relations, ends):
    """Propagation alternated with the linear programme (``solve``): each end is the tightest the
    relations allow, cycles included, and a set that admits no value is infeasible for both."""
    rows = [
        Constraint(f"r{k}", "identity", _expression(left, 1.0), rel, _expression(right, 0.0))
        for k, (left, rel, right) in enumerate(relations)
        if not {v for _, v in left} & {v for _, v in right}
    ]
    best = _lp_bounds(rows, ends, 4)
    try:
        box = solve(rows, list(range(4)), set(), {v: tuple(e) for v, e in enumerate(ends)})
    except Infeasible:
        assert best is None
        return
    assert best is not None
    for v in range(4):
        assert _agree(box.lo[v], best[v][0]) and _agree(box.hi[v], best[v][1]), (
            v,
            box.get(v),
            best[v],
        )


def test_a_total_and_its_parts_by_hand():
    # total = a + b with a in [10, 20], b in [5, 7]: the total is [15, 27]; then a total of at most
    # 18 leaves
    # a <= 18 - 5 = 13 and b as it was (7 <= 18 - 10 = 8)
    total, a, b = 0, 1, 2
    rel = Constraint(
        "sum",
        "identity",
        Node("var", total),
        "=",
        Node("+", left=Node("var", a), right=Node("var", b)),
    )
    box = Box({0: 0.0, 1: 10.0, 2: 5.0}, {0: INF, 1: 20.0, 2: 7.0}, set())
    propagate([rel], box)
    assert box.get(total) == (15, 27)
    box.narrow(total, -INF, 18, "f")
    propagate([rel], box)
    assert box.get(a) == (10, 13) and box.get(b) == (5, 7)
    assert box.why_hi[a] == "sum" and box.why_hi[total] == "f"


def test_a_cycle_is_closed_by_the_linear_programme():
    # x + y = 10 and x - y = 2 within [0, 100]: propagation alone leaves x in [2, 10]; the solver
    # gives x = 6, y = 4
    x, y = Node("var", 0), Node("var", 1)
    rows = [
        Constraint("s", "identity", Node("+", left=x, right=y), "=", Node("const", 10.0)),
        Constraint("d", "identity", Node("-", left=x, right=y), "=", Node("const", 2.0)),
    ]
    box = Box({0: 0.0, 1: 0.0}, {0: 100.0, 1: 100.0}, set())
    propagate(rows, box)
    assert box.get(0) == (2, 10)
    assert tighten_by_lp(rows, box, [0, 1])
    assert box.get(0) == pytest.approx((6, 6)) and box.get(1) == pytest.approx((4, 4))
    assert box.why_lo[0] == "linear programme over d s"


def test_a_cycle_that_admits_no_value_is_infeasible_by_the_linear_programme():
    # x + y = 10 and x + y = 12 within [0, 100]: no point holds both; propagation alone does not see
    # it at once
    x, y = Node("var", 0), Node("var", 1)
    rows = [
        Constraint("ten", "identity", Node("+", left=x, right=y), "=", Node("const", 10.0)),
        Constraint("twelve", "identity", Node("+", left=x, right=y), "=", Node("const", 12.0)),
    ]
    with pytest.raises(Infeasible, match="linear programme over ten twelve"):
        tighten_by_lp(rows, Box({0: 0.0, 1: 0.0}, {0: 100.0, 1: 100.0}, set()), [0, 1])


# -- a bound that overflows
# --------------------------------------------------------------------------------------


def test_an_end_that_overflows_is_a_set_that_admits_no_value_not_a_crash():
    # q1 = q3 * (1 + q1 / 100) with q3 exactly 0.4 and q1 a whole count: q1 would be 0.4 / 0.996 =
    # 0.4016, not
    # whole, so nothing holds; propagation cannot show it by crossing ends: each round multiplies
    # q1's lower end
    # by 250 (q1 >= 1, then 150, then 37,400, ...) until it overflows to +inf. No number is that
    # large, so the
    # rows admit no value: both rows are the conflict (without either, q1 = q3 = 0, or q1 = 0,
    # holds), named on
    # both quantities, and no bound is published from the runaway propagation
    qs = Quantities(
        ["q1", "q3"],
        np.array([True, False]),
        np.zeros(2, bool),
        np.zeros(2, bool),
        np.zeros(2),
        np.full(2, INF),
    )
    ms = Mentions(["f0"], np.array([1]), np.array([0.4]), np.array([0.4]), np.array([0.4]))
    model = Model(qs, ms, [Relation("i0", "{q1}", "=", "{q3} * (1 + {q1} / 100)")])
    sol = model.solve_all()
    assert sol.conflict == ["f0 i0", "f0 i0"]
    assert model.status.in_conflict in sol.status
    assert all(lo < 1e300 for lo in sol.lo)


def test_an_end_beyond_every_number_is_infeasible_and_names_its_row():
    # a lower end of +inf or an upper end of -inf: an overflow (no number is that large), not an
    # unbounded end
    for lo, hi in ((INF, 10.0), (0.0, -INF)):
        box = Box({0: 3.0}, {0: 10.0}, {0})
        with pytest.raises(Infeasible, match="row-7"):
            box.narrow(0, lo, hi, "row-7")
        assert box.get(0) == (3.0, 10.0)


# -- the rows that decide a claim ----------------------------------------------------------------

SPAN = st.tuples(st.integers(0, 60), st.integers(0, 40)).map(lambda p: (float(p[0]), p[0] + p[1]))


def _total_and_parts(spans: list[tuple[float, float]]) -> Model:
    """A total and three parts with total = part-a + part-b + part-c, each quantity mentioned by
    figures of the given intervals in turn (f0 of the total, f1 of part-a, ..., then again)."""
    names = ["total", "part-a", "part-b", "part-c"]
    qs = Quantities(
        names, np.ones(4, bool), np.zeros(4, bool), np.zeros(4, bool), np.zeros(4), np.full(4, INF)
    )
    at = [k % 4 for k in range(len(spans))]
    ms = Mentions(
        [f"f{k}" for k in range(len(spans))],
        np.array(at, dtype=np.int64),
        np.array([lo for lo, _ in spans]),
        np.array([lo for lo, _ in spans]),
        np.array([hi for _, hi in spans]),
    )
    return Model(qs, ms, [Relation("i0", "{total}", "sum", "{part-a} + {part-b} + {part-c}")])


@settings(max_examples=60, deadline=None)
@given(st.lists(SPAN, min_size=4, max_size=9), st.sampled_from(["total", "part-a", "part-c"]))
def test_the_rows_that_decide_are_those_without_which_the_measure_changes(spans, measured):
    """``deciding`` finds its rows by halving groups; each is still, by definition, a row of the
    rest without which the measure changes, and no other row is. The definition is written here
    one row at a time."""
    model = _total_and_parts(spans)
    try:
        _, base = model.rest("f0")
        model.leave_out("f0", base)
    except Infeasible:
        return  # figures that contradict each other: no claim is checked on them

    def measure(bounds):
        return bounds[measured][1:]

    before = measure(model.leave_out("f0", base))
    ids = list(dict.fromkeys(c.ident for c in base))
    one_at_a_time = []
    for i in ids:
        try:
            if measure(model.leave_out("f0", [c for c in base if c.ident != i])) != before:
                one_at_a_time.append(i)
        except Infeasible:
            return  # leaving a row out cannot make the rest contradict itself; skip if it does
    assert model.deciding("f0", measure) == one_at_a_time
