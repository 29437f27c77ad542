"""Reconciliation: for each quantity, the tightest interval that every mention of
it and every identity between quantities allow, found one connected set of
quantities at a time.

A *mention* is a figure row: its quantity lies in the figure's interval. An
*identity* is a relation between quantities that holds by their definition
(raw/identities.csv): ``left relation right`` with both sides in the formula
language of ``expr``, and a relation of ``=``, ``<=``, ``>=`` or ``sum`` (a
total and its disjoint parts: equal for counts of events; for distinct people,
the total lies between the largest part and the sum of the parts, since one
person can be counted in two parts).

How each connected set is solved:

- interval constraint propagation (forward-backward over each side's
  expression, HC4) to a fixed point, the bounds of counts rounded inward to
  whole numbers; exact where no quantity appears twice in a relation and the
  relations form no cycle (each relation then projects exactly, and a tree of
  them is globally consistent);
- where the relations form a cycle, linear programming (SciPy's HiGHS) over
  the linear relations, minimising and maximising each quantity, alternated
  with propagation until nothing moves. The bounds are then the tightest the
  linear relations allow; where a cycle runs through a product or a ratio
  they are sound (never narrower than the truth) but may be wider than the
  tightest.

Where a set admits no value, a smallest set of rows that cannot all hold is
found by a deletion filter (each row left out in turn, widest first, and kept
out while the rest still admits no value: an irreducible set made of the most
precise rows), and rows are set aside until the rest holds: the first mention
of a percentage, share, multiple or difference in it whose removal alone lets
the rest hold (an article's claim about its counts never overrides the
counts); else every such mention in it; else its identities; else all its
rows. The quantities whose rows were set aside are marked as in conflict.

Counts start from their domain (never negative; a share between 0 and 100),
and quantities in units of whole things take whole numbers only, so a bound
is rounded inward ("a 44% increase" to 36 callers leaves only 25 before).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

INF = math.inf
TOL = 1e-9


# -- expressions -------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """An expression over quantities: op is var (arg: its index), const (arg: its value), neg, or +
    - * /."""

    op: str
    arg: float = 0.0
    left: Node | None = None
    right: Node | None = None

    def variables(self) -> list[int]:
        if self.op == "var":
            return [int(self.arg)]
        return [
            *(self.left.variables() if self.left else []),
            *(self.right.variables() if self.right else []),
        ]


def parse(formula: str, index: dict[str, int]) -> Node:
    """A formula of the language of ``formulas`` over {ids} as a tree; FormulaError where it is not of that form,
    KeyError naming an id not in ``index``."""
    tree, names = _read_formula(formula)
    return _node(tree, {name: index[ident] for name, ident in names})


@lru_cache(maxsize=1 << 16)
def _read_formula(formula: str) -> tuple[tuple, tuple[tuple[int, str], ...]]:
    """A formula's syntax tree (``formulas.Program.tree``: ("var", k) for its k-th {id} as written) and each k with
    its id, checked against the language and its limits (read once: a formula checked by a stage is parsed again
    by its model)."""
    from .formulas import parse_one

    program, refs = parse_one(formula)
    return program.tree(), tuple(enumerate(refs))


def _node(tree: tuple, slots: dict[int, int]) -> Node:
    if tree[0] == "var":
        return Node("var", slots[tree[1]])
    if tree[0] == "const":
        return Node("const", tree[1])
    if tree[0] == "neg":
        return Node("neg", left=_node(tree[1], slots))
    return Node(tree[0], left=_node(tree[1], slots), right=_node(tree[2], slots))


def linear(node: Node) -> tuple[dict[int, float], float] | None:
    """The expression as coefficients of its quantities and a constant, or None where it is not
    linear."""
    if node.op == "var":
        return {int(node.arg): 1.0}, 0.0
    if node.op == "const":
        return {}, node.arg
    if node.op == "neg":
        inner = linear(node.left)
        return None if inner is None else ({k: -v for k, v in inner[0].items()}, -inner[1])
    a, b = linear(node.left), linear(node.right)
    if a is None or b is None:
        return None
    if node.op in "+-":
        sign = 1.0 if node.op == "+" else -1.0
        coef = dict(a[0])
        for k, v in b[0].items():
            coef[k] = coef.get(k, 0.0) + sign * v
        return coef, a[1] + sign * b[1]
    if node.op == "*" and (not a[0] or not b[0]):
        k, (terms, const) = (a[1], b) if not a[0] else (b[1], a)
        return {v: c * k for v, c in terms.items()}, const * k
    if node.op == "/" and not b[0] and b[1] != 0:
        return {v: c / b[1] for v, c in a[0].items()}, a[1] / b[1]
    return None


# -- interval arithmetic on pairs (lo, hi) --------------------------------------


def _mul1(x: float, y: float) -> float:
    return 0.0 if x == 0 or y == 0 else x * y


def i_add(a, b):
    return (a[0] + b[0], a[1] + b[1])


def i_sub(a, b):
    return (a[0] - b[1], a[1] - b[0])


def i_mul(a, b):
    ends = [_mul1(x, y) for x in a for y in b]
    return (min(ends), max(ends))


def _inv(x: float) -> float:
    return 0.0 if x in (INF, -INF) else 1.0 / x


def i_div(a, b):
    """a / b; where b holds zero the quotient is bounded only where the sign of a allows."""
    if b[0] > 0 or b[1] < 0:
        return i_mul(a, (_inv(b[1]), _inv(b[0])))
    if b[0] == 0 < b[1] and a[0] >= 0:
        return (a[0] / b[1] if b[1] != INF else 0.0, INF)
    if b[0] == 0 < b[1] and a[1] <= 0:
        return (-INF, a[1] / b[1] if b[1] != INF else 0.0)
    return (-INF, INF)


def _meet(a, b):
    """``(max(a[0], b[0]), min(a[1], b[1]))``, the same ends, without the calls' cost."""
    return (b[0] if b[0] > a[0] else a[0], b[1] if b[1] < a[1] else a[1])


# -- constraints ---------------------------------------------------------------


@dataclass
class Constraint:
    """One row of evidence: a mention (its quantity within the figure's interval) or a relation of
    an identity."""

    ident: str
    kind: str  # mention | identity
    left: Node
    relation: str  # = <= >=  (a mention: "in", with its bounds)
    right: Node | None = None
    bounds: tuple[float, float] = (-INF, INF)
    ratio: bool = False  # a mention of a percentage, share, multiple or difference
    reading: bool = (
        False  # an identity that rests on a reading of the text, not on definitions (basis reading)
    )

    @property
    def variables(self) -> list[int]:
        return self.left.variables() + (self.right.variables() if self.right else [])


def mention(ident: str, var: int, lo: float, hi: float, ratio: bool) -> Constraint:
    return Constraint(ident, "mention", Node("var", var), "in", bounds=(lo, hi), ratio=ratio)


def identity(
    ident: str, left: Node, relation: str, right: Node, distinct: bool, reading: bool = False
) -> list[Constraint]:
    """The relations of an identity row; ``sum`` of distinct people: the total between the largest
    part and the sum. ``reading``: the identity rests on a reading of the text (its basis), which
    ranks it first to be set aside."""
    if relation != "sum":
        return [Constraint(ident, "identity", left, relation, right, reading=reading)]
    if not distinct:
        return [Constraint(ident, "identity", left, "=", right, reading=reading)]
    parts = [Node("var", v) for v in right.variables()]
    return [
        Constraint(ident, "identity", left, "<=", right, reading=reading),
        *(Constraint(ident, "identity", left, ">=", p, reading=reading) for p in parts),
    ]


# -- propagation ---------------------------------------------------------------


class Infeasible(Exception):
    """The bounds of some quantity have crossed: the rows admit no value."""


@dataclass
class Box:
    """The current bound of each quantity of a set, and the row that last set each end."""

    lo: dict[int, float]
    hi: dict[int, float]
    whole: set[int]
    why_lo: dict[int, str] = field(default_factory=dict)
    why_hi: dict[int, str] = field(default_factory=dict)

    def get(self, v: int) -> tuple[float, float]:
        return (self.lo[v], self.hi[v])

    def narrow(self, v: int, lo: float, hi: float, why: str) -> bool:
        """Narrow quantity ``v`` to [lo, hi] (whole numbers inward for counts); whether either end
        moved."""
        if v in self.whole:
            lo, hi = (
                math.ceil(lo - 1e-7) if lo > -INF else lo,
                math.floor(hi + 1e-7) if hi < INF else hi,
            )
        box_lo, box_hi = self.lo, self.hi
        moved = False
        # an end moves by more than the tolerance, which is more than not at all (tested first: most
        # ends stay)
        if lo > box_lo[v] and lo > box_lo[v] + TOL * _atleast1(abs(lo)):
            box_lo[v], self.why_lo[v], moved = lo, why, True
        if hi < box_hi[v] and hi < box_hi[v] - TOL * _atleast1(abs(hi)):
            box_hi[v], self.why_hi[v], moved = hi, why, True
        a, b = box_lo[v], box_hi[v]
        if a > b:
            if a > b + TOL * _atleast1(abs(a), abs(b)):
                raise Infeasible(why)
            box_lo[v] = box_hi[v] = (a + b) / 2  # crossed within the tolerance: one value
        return moved


def _atleast1(x: float, y: float = 0.0) -> float:
    """``max(1.0, x, y)`` (the same value, NaN left out as max leaves it), without the call's
    cost."""
    m = x if x > 1.0 else 1.0
    return y if y > m else m


_FORWARD = {"+": i_add, "-": i_sub, "*": i_mul, "/": i_div}


def _program(tree: Node) -> tuple[tuple[str, float, int, int], ...]:
    """A tree as a flat program: its nodes in the order ``_backward`` visits them (a node, then its
    left subtree, then its right), each as (op, quantity or constant, position of its left child, of
    its right child; -1 for none)."""
    out: list = []

    def visit(node: Node) -> int:
        k = len(out)
        out.append(None)
        left = visit(node.left) if node.left is not None else -1
        right = visit(node.right) if node.right is not None else -1
        out[k] = (node.op, int(node.arg) if node.op == "var" else node.arg, left, right)
        return k

    visit(tree)
    return tuple(out)


def _programs(c: Constraint) -> tuple[tuple, tuple]:
    """The programs of a relation's two sides, made the first time it is revised (a row is revised
    many times)."""
    made = c.__dict__.get("_programs")
    if made is None:
        made = c.__dict__["_programs"] = (_program(c.left), _program(c.right))
    return made


def _forward(program: tuple, lo: dict, hi: dict) -> list[tuple[float, float]]:
    """The interval of every node of a program on the bounds ``lo``/``hi`` (each node's after its
    children's)."""
    out: list = [None] * len(program)
    for k in range(len(program) - 1, -1, -1):
        op, arg, left, right = program[k]
        if op == "var":
            out[k] = (lo[arg], hi[arg])
        elif op == "const":
            out[k] = (arg, arg)
        elif op == "neg":
            a = out[left]
            out[k] = (-a[1], -a[0])
        else:
            out[k] = _FORWARD[op](out[left], out[right])
    return out


def _backward(program: tuple, target: tuple[float, float], box: Box, memo: list, why: str) -> bool:
    """Narrow the quantities of a program so that its value can lie in ``target`` (``memo``: its
    nodes' intervals, from ``_forward``), node by node in the order of the program; whether any
    bound moved."""
    moved = False
    targets: list = [None] * len(program)
    targets[0] = target
    for k, (op, arg, left, right) in enumerate(program):
        (m_lo, m_hi), (t_lo, t_hi) = memo[k], targets[k]
        have = (
            t_lo if t_lo > m_lo else m_lo,
            t_hi if t_hi < m_hi else m_hi,
        )  # _meet(memo[k], targets[k])
        if have[0] > have[1] and have[0] > have[1] + TOL * _atleast1(abs(have[0]), abs(have[1])):
            raise Infeasible(why)
        if op == "var":
            if box.narrow(arg, have[0], have[1], why):
                moved = True
        elif op == "neg":
            targets[left] = (-have[1], -have[0])
        elif op != "const":
            targets[left], targets[right] = _targets(op, have, memo[left], memo[right])
    return moved


def _targets(op: str, have: tuple[float, float], a: tuple[float, float], b: tuple[float, float]):
    """What each side of ``a op b`` may be for the result to lie in ``have``."""
    if op == "+":
        return i_sub(have, b), i_sub(have, a)
    if op == "-":
        return i_add(have, b), i_sub(a, have)
    if op == "*":
        return (i_div(have, b) if (b[0] > 0 or b[1] < 0) else (-INF, INF)), (
            i_div(have, a) if (a[0] > 0 or a[1] < 0) else (-INF, INF)
        )
    return i_mul(have, b), (i_div(a, have) if (have[0] > 0 or have[1] < 0) else (-INF, INF))


def revise(c: Constraint, box: Box) -> bool:
    """Apply one row once; whether any bound moved. Raises Infeasible. A relation is applied by the
    code made for its shape (see ``_revise_code``), which does what ``revise_as_written`` does, step
    for step."""
    if c.kind == "mention":
        return box.narrow(int(c.left.arg), c.bounds[0], c.bounds[1], c.ident)
    made = c.__dict__.get("_compiled")
    if made is None:
        made = c.__dict__["_compiled"] = _compiled(c)
    return made[0](box, made[1], made[2], c.ident)


def revise_as_written(c: Constraint, box: Box) -> bool:
    """``revise``, a relation's programs read node by node (the reading the made code is held
    to)."""
    if c.kind == "mention":
        return box.narrow(int(c.left.arg), c.bounds[0], c.bounds[1], c.ident)
    left_program, right_program = _programs(c)
    lo, hi = box.lo, box.hi
    left_memo, right_memo = _forward(left_program, lo, hi), _forward(right_program, lo, hi)
    left, right = left_memo[0], right_memo[0]
    if c.relation == "=":
        tl = tr = _meet(left, right)
    elif c.relation == "<=":
        tl, tr = (-INF, right[1]), (left[0], INF)
    else:
        tl, tr = (right[0], INF), (-INF, left[1])
    moved = _backward(left_program, tl, box, left_memo, c.ident)
    # the right side on the bounds as the left side left them (the left side's own intervals are not
    # needed again)
    return _backward(right_program, tr, box, _forward(right_program, lo, hi), c.ident) or moved


def _compiled(c: Constraint) -> tuple:
    """A relation as the code of its shape (its programs with each quantity and constant a slot),
    the quantities and the constants."""
    shapes, quantities, constants = [], [], []
    for program in _programs(c):
        shape = []
        for op, arg, left, right in program:
            if op == "var":
                shape.append((op, len(quantities), left, right))
                quantities.append(arg)
            elif op == "const":
                shape.append((op, len(constants), left, right))
                constants.append(arg)
            else:
                shape.append((op, 0, left, right))
        shapes.append(tuple(shape))
    return _revise_code(c.relation, *shapes), tuple(quantities), tuple(constants)


@lru_cache(maxsize=1024)
def _revise_code(relation: str, left: tuple, right: tuple):
    """The code of ``revise_as_written`` for one shape of relation, unrolled: the same steps on the
    same numbers in the same order (sums and differences of intervals written out as ``i_add`` and
    ``i_sub`` compute them), without reading the programs node by node. Made once for each shape."""
    n_vars = sum(op == "var" for op, *_ in left + right)
    n_consts = sum(op == "const" for op, *_ in left + right)
    code = ["def revise(box, V, K, why):", "    lo, hi = box.lo, box.hi", "    moved = False"]
    code += [f"    {', '.join(f'v{k}' for k in range(n_vars))}, = V"] if n_vars else []
    code += [f"    {', '.join(f'k{k}' for k in range(n_consts))}, = K"] if n_consts else []
    code += _forward_code(left, "L", 0, 0) + _forward_code(
        right, "R", _count(left, "var"), _count(left, "const")
    )
    root = {
        "=": [
            "TLl = R0l if R0l > L0l else L0l",
            "TLh = R0h if R0h < L0h else L0h",
            "TRl, TRh = TLl, TLh",
        ],
        "<=": ["TLl, TLh = -INF, R0h", "TRl, TRh = L0l, INF"],
        ">=": ["TLl, TLh = R0l, INF", "TRl, TRh = -INF, L0h"],
    }[relation]
    code += ["    " + line for line in root]
    code += _backward_code(left, "L", "TL", 0)
    code += _forward_code(
        right, "S", _count(left, "var"), _count(left, "const")
    )  # on the bounds the left side left
    code += _backward_code(right, "S", "TR", _count(left, "var")) + ["    return moved"]
    scope = {
        "INF": INF,
        "TOL": TOL,
        "Infeasible": Infeasible,
        "_atleast1": _atleast1,
        "i_mul": i_mul,
        "i_div": i_div,
    }
    scope["_targets"] = _targets
    exec("\n".join(code), scope)  # noqa: S102 - code made here from a program's operators, never from data
    return scope["revise"]


def _count(program: tuple, op: str) -> int:
    return sum(node[0] == op for node in program)


def _forward_code(program: tuple, p: str, var0: int, const0: int) -> list[str]:
    """``_forward`` of a program as lines: node k's interval in ``{p}{k}l``, ``{p}{k}h`` (its
    children's first)."""
    slots = _slots(program, var0, const0)
    out = []
    for k in range(len(program) - 1, -1, -1):
        op, _, left, right = program[k]
        a, b = f"{p}{left}", f"{p}{right}"
        if op == "var":
            line = f"{p}{k}l, {p}{k}h = lo[v{slots[k]}], hi[v{slots[k]}]"
        elif op == "const":
            line = f"{p}{k}l = {p}{k}h = k{slots[k]}"
        elif op == "neg":
            line = f"{p}{k}l, {p}{k}h = -{a}h, -{a}l"
        elif op == "+":
            line = f"{p}{k}l, {p}{k}h = {a}l + {b}l, {a}h + {b}h"
        elif op == "-":
            line = f"{p}{k}l, {p}{k}h = {a}l - {b}h, {a}h - {b}l"
        else:
            line = (
                f"{p}{k}l, {p}{k}h = {'i_mul' if op == '*' else 'i_div'}(({a}l, {a}h), ({b}l, "
                f"{b}h))"
            )
        out.append("    " + line)
    return out


def _slots(program: tuple, var0: int, const0: int) -> dict[int, int]:
    """The slot of each quantity and constant node of a program, numbered in program order from
    ``var0``, ``const0``."""
    slots, counts = {}, {"var": var0, "const": const0}
    for k, (op, *_) in enumerate(program):
        if op in counts:
            slots[k], counts[op] = counts[op], counts[op] + 1
    return slots


def _backward_code(program: tuple, p: str, target: str, var0: int) -> list[str]:
    """``_backward`` of a program as lines, towards ``{target}l``, ``{target}h``, on the intervals
    ``{p}{k}``."""
    slots = _slots(program, var0, 0)
    out = []
    for k, (op, _, left, right) in enumerate(program):
        t, h, a, b = (target if k == 0 else f"{p}T{k}"), f"{p}H{k}", f"{p}{left}", f"{p}{right}"
        out += [
            f"{h}l = {t}l if {t}l > {p}{k}l else {p}{k}l",
            f"{h}h = {t}h if {t}h < {p}{k}h else {p}{k}h",
            f"if {h}l > {h}h and {h}l > {h}h + TOL * _atleast1(abs({h}l), abs({h}h)):",
            "    raise Infeasible(why)",
        ]
        ta, tb = f"{p}T{left}", f"{p}T{right}"
        if op == "var":
            out += [f"if box.narrow(v{slots[k]}, {h}l, {h}h, why):", "    moved = True"]
        elif op == "neg":
            out.append(f"{ta}l, {ta}h = -{h}h, -{h}l")
        elif op == "+":
            out += [
                f"{ta}l, {ta}h = {h}l - {b}h, {h}h - {b}l",
                f"{tb}l, {tb}h = {h}l - {a}h, {h}h - {a}l",
            ]
        elif op == "-":
            out += [
                f"{ta}l, {ta}h = {h}l + {b}l, {h}h + {b}h",
                f"{tb}l, {tb}h = {a}l - {h}h, {a}h - {h}l",
            ]
        elif op != "const":
            out.append(
                f"({ta}l, {ta}h), ({tb}l, {tb}h) = _targets({op!r}, ({h}l, {h}h), ({a}l, {a}h), "
                f"({b}l, {b}h))"
            )
    return ["    " + line for line in out]


def propagate(rows: list[Constraint], box: Box, rounds: int = 200) -> None:
    """Apply every row until nothing moves (or ``rounds`` passes). Raises Infeasible."""
    for _ in range(rounds):
        if not any([revise(c, box) for c in rows]):
            return


# -- linear programming over a cycle -----------------------------------------------


def is_tree(rows: list[Constraint]) -> bool:
    """Whether the rows and their quantities form no cycle (and no quantity appears twice in one
    relation)."""
    parent: dict[object, object] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    relations = [c for c in rows if c.kind != "mention"]
    if (
        len(relations) == 1
    ):  # one relation is a tree where it names no quantity twice (the common case: no union-find)
        seen = relations[0].variables
        return len(seen) == len(set(seen))
    for k, c in enumerate(rows):
        if c.kind == "mention":
            continue
        seen = c.variables
        if len(seen) != len(set(seen)):
            return False
        for v in seen:
            a, b = find(("row", k)), find(("var", v))
            if a == b:
                return False
            parent[a] = b
    return True


def tighten_by_lp(rows: list[Constraint], box: Box, variables: list[int]) -> bool:
    """Minimise and maximise each quantity of the linear relations (HiGHS) within the current
    bounds; whether any moved."""
    lp = _linear_programme(rows, box, variables)
    if lp is None:
        return False
    highs, cols, why = lp
    moved = False
    for k, v in enumerate(cols):
        for sign in (1.0, -1.0):
            end = _optimum(highs, len(cols), k, sign)
            if end is not None:
                moved |= box.narrow(v, end, INF, why) if sign > 0 else box.narrow(v, -INF, end, why)
    return moved


def _linear_programme(rows: list[Constraint], box: Box, variables: list[int]):
    """The linear relations of ``rows`` over the quantities they name, bounded by ``box``, as a
    HiGHS model (None where there are none); raises Infeasible where it admits no point. HiGHS is
    the solver scipy.optimize.linprog runs, called through the same binding without linprog's
    per-call checking of options (2 ms a solve, where a warm re-solve takes 0.1 ms); scipy is pinned
    in requirements.lock."""
    from scipy.optimize._highspy import _core

    lines = []
    for c in rows:
        lhs, rhs = (linear(c.left), linear(c.right)) if c.kind != "mention" else (None, None)
        if lhs is not None and rhs is not None:
            coef = dict(lhs[0])
            for v, a in rhs[0].items():
                coef[v] = coef.get(v, 0.0) - a
            lines.append((c, {v: a for v, a in coef.items() if a != 0.0}, rhs[1] - lhs[1]))
    if not lines:
        return None
    cols = sorted({v for _, coef, _ in lines for v in coef}, key=variables.index)
    at = {v: k for k, v in enumerate(cols)}
    inf = _core.kHighsInf
    highs = _core._Highs()
    highs.setOptionValue("output_flag", False)
    highs.addVars(
        len(cols),
        np.array([max(box.lo[v], -inf) for v in cols]),
        np.array([min(box.hi[v], inf) for v in cols]),
    )
    for c, coef, const in lines:
        lo, hi = {"=": (const, const), "<=": (-inf, const), ">=": (const, inf)}[c.relation]
        idx = np.array([at[v] for v in coef], dtype=np.int32)
        highs.addRows(
            1,
            np.array([lo]),
            np.array([hi]),
            len(idx),
            np.array([0], dtype=np.int32),
            idx,
            np.array(list(coef.values())),
        )
    why = "linear programme over " + " ".join(sorted({c.ident for c, _, _ in lines}))
    highs.run()
    if highs.getModelStatus() in (
        _core.HighsModelStatus.kInfeasible,
        _core.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        raise Infeasible(why)
    return highs, cols, why


def _optimum(highs, n: int, k: int, sign: float) -> float | None:
    """The least (sign 1) or greatest (sign -1) value of column k; None where it is unbounded."""
    from scipy.optimize._highspy import _core

    cost = np.zeros(n)
    cost[k] = sign
    highs.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    highs.run()
    if highs.getModelStatus() != _core.HighsModelStatus.kOptimal:
        return None
    return sign * highs.getInfo().objective_function_value


def solve(
    rows: list[Constraint],
    variables: list[int],
    whole: set[int],
    domain: dict[int, tuple[float, float]],
    rounds: int = 50,
) -> Box:
    """The tightest bounds the rows allow each quantity of one connected set, starting from each
    quantity's ``domain`` (counts are never negative). Raises Infeasible."""
    box = Box(
        {v: domain[v][0] for v in variables},
        {v: domain[v][1] for v in variables},
        {v for v in variables if v in whole},
    )
    for v in variables:
        lo, hi = domain[v]
        rounding = v in box.whole and (
            (lo > -INF and math.ceil(lo - 1e-7) != lo) or (hi < INF and math.floor(hi + 1e-7) != hi)
        )
        if lo > hi or rounding:
            box.narrow(
                v, lo, hi, ""
            )  # else narrowing a quantity to the bounds it already has moves nothing
    propagate(rows, box)
    if is_tree(rows):
        return box
    for _ in range(rounds):
        if not tighten_by_lp(rows, box, variables):
            break
        propagate(rows, box)
    return box


def feasible(
    rows: list[Constraint],
    variables: list[int],
    whole: set[int],
    domain: dict[int, tuple[float, float]],
) -> bool:
    try:
        solve(rows, variables, whole, domain)
    except Infeasible:
        return False
    return True


def smallest_conflict(
    rows: list[Constraint],
    variables: list[int],
    whole: set[int],
    domain: dict[int, tuple[float, float]],
) -> list[str]:
    """The ids of an irreducible set of rows that cannot all hold: each row is left out in turn, and
    stays out if the rest still admits no value (a deletion filter). Rows are tried widest first
    (see ``_vagueness``), so that of the sets that cannot all hold the one found is made of the most
    precise rows."""
    kept = list(rows)
    for ident in sorted(
        dict.fromkeys(c.ident for c in rows), key=lambda i: (-_vagueness(rows, i), i)
    ):
        trial = [c for c in kept if c.ident != ident]
        if not feasible(trial, variables, whole, domain):
            kept = trial
    return sorted(dict.fromkeys(c.ident for c in kept))


def _vagueness(rows: list[Constraint], ident: str) -> float:
    """How little a row says: a mention's width relative to its size (infinite where it is open); an
    identity 0.5, between a vague mention and an exact one."""
    widths = []
    for c in rows:
        if c.ident != ident:
            continue
        if c.kind != "mention":
            widths.append(0.5)
            continue
        lo, hi = c.bounds
        widths.append(INF if INF in (hi, -lo) else (hi - lo) / max(abs(lo), abs(hi), 1.0))
    return max(widths)


# -- connected sets ------------------------------------------------------------------


def linked_sets(rows: Iterable[Constraint]) -> list[list[int]]:
    """The connected sets of the quantities that identities name, each sorted, in order of their
    first quantity. A quantity no identity names is a set of its own, and is not listed."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for c in rows:
        vs = c.variables
        for v in vs:
            a, b = find(vs[0]), find(v)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for v in sorted(parent):
        groups.setdefault(find(v), []).append(v)
    return sorted(groups.values(), key=lambda g: g[0])


# -- the whole problem: quantities, mentions, identities ------------------------------


@dataclass
class Quantities:
    """The quantities of a package by column: id; whether a count of whole things; whether a
    relation (a percentage, share, multiple or difference); whether it counts distinct people; its
    domain (the values it can take before any evidence)."""

    ids: list[str]
    whole: np.ndarray
    relation: np.ndarray
    distinct: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


@dataclass
class Mentions:
    """The figures by column: id, the position of the quantity each mentions, its value and
    interval; whether each id is one figure's, where that is known (else the model finds out when it
    needs to); and what each figure's own number is as a point (``mention_bases``), where the
    figures' qualifiers are known."""

    ids: list[str]
    quantity: np.ndarray
    value: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    ids_unique: bool | None = None
    basis: np.ndarray | None = None


@dataclass(frozen=True)
class Relation:
    ident: str
    left: str
    relation: str  # = <= >= sum
    right: str
    reading: bool = False  # rests on a reading of the text (identities.basis), not on definitions


@dataclass
class Solution:
    """What the evidence allows each quantity, by column (the rows of processed/quantities.csv)."""

    lo: np.ndarray
    hi: np.ndarray
    value: np.ndarray
    status: list[str]
    lower_by: list[str]  # the rows that set each end, space-separated
    upper_by: list[str]
    mentions: list[str]
    identities: list[str]
    conflict: list[str]  # the smallest set of rows that cannot all hold, where there is one
    set_aside: list[str]  # the rows of the quantity left out to let the rest hold
    point: np.ndarray | None = None  # the mention whose number each value is (-1: none is)
    basis: list[str] | None = (
        None  # what each value is (``value_basis``), where the mentions' own bases are known
    )


def statuses(field: str = "status"):
    """The words of the quantities schema's status enum (or another field's), by name
    (``statuses().in_conflict``)."""
    from ..tables.vocab import load

    return load().names("quantities", field)


class Model:
    """The reconciliation of a whole package, solved one connected set of quantities at a time.

    A quantity that no identity names and whose mentions agree is solved with the others like it,
    all at once (its interval is the meet of its mentions' and its domain); every other set is
    solved on its own. ``solve_all`` reconciles every set (remembering the rows each set aside);
    ``rest``, ``leave_out``,
    ``holds_with`` and ``deciding`` answer for one mention what the rest of the evidence allows,
    which is how a claim is checked."""

    def __init__(
        self,
        quantities: Quantities,
        mentions: Mentions,
        relations: list[Relation],
        status=None,
        bases=None,
    ) -> None:
        self.q, self.m = quantities, mentions
        self.status = status or statuses()
        self.bases = bases or statuses("value_basis")
        self._order = np.argsort(mentions.quantity, kind="stable")
        self._start = np.searchsorted(
            mentions.quantity[self._order], np.arange(len(quantities.ids) + 1)
        )
        self.identity_rows: list[Constraint] = []
        self.sums: list[
            tuple[str, int, list[int]]
        ] = []  # totals of distinct people and their parts
        named = self._named_index(relations)
        for r in relations:
            left, right = parse(r.left, named), parse(r.right, named)
            distinct = bool(quantities.distinct[left.variables()[0]]) if left.variables() else False
            self.identity_rows += identity(r.ident, left, r.relation, right, distinct, r.reading)
            if r.relation == "sum" and distinct:
                self.sums.append((r.ident, left.variables()[0], right.variables()))
        self.sets = linked_sets(self.identity_rows)
        self.set_of = {v: k for k, group in enumerate(self.sets) for v in group}
        self.identities_of: list[list[Constraint]] = [[] for _ in self.sets]
        for c in self.identity_rows:
            self.identities_of[self.set_of[c.variables[0]]].append(c)
        self.whole = set(np.flatnonzero(quantities.whole).tolist())
        self.aside: dict[object, list[Constraint]] = {}
        self.conflicts: dict[object, list[str]] = {}
        self._solved: dict[object, Box] = {}

    @cached_property
    def index(self) -> dict[str, int]:
        """The position of each quantity id (its last, where an id is listed twice; made when first
        asked for)."""
        return dict(zip(self.q.ids, range(len(self.q.ids)), strict=True))

    def _named_index(self, relations: list[Relation]) -> dict[str, int]:
        """``index`` for the ids the relations name alone (what parsing them needs, without a map of
        every id)."""
        from .formulas import inputs

        named = {i for r in relations for i in inputs(r.left) + inputs(r.right)}
        return {q: k for k, q in enumerate(self.q.ids) if q in named}

    @cached_property
    def mention_at(self) -> dict[str, int]:
        """The position of each figure id among the mentions (made when first asked for)."""
        return dict(zip(self.m.ids, range(len(self.m.ids)), strict=True))

    # -- the sets -------------------------------------------------------------

    def mentions_of(self, v: int) -> np.ndarray:
        return self._order[self._start[v] : self._start[v + 1]]

    def group(self, v: int) -> tuple[object, list[int]]:
        """The key and quantities of the set quantity ``v`` belongs to."""
        k = self.set_of.get(v)
        return (k, self.sets[k]) if k is not None else (("single", v), [v])

    def rows(self, key: object, group: list[int]) -> list[Constraint]:
        out = []
        for v in group:
            for i in self.mentions_of(v):
                out.append(
                    mention(
                        self.m.ids[i],
                        v,
                        float(self.m.lo[i]),
                        float(self.m.hi[i]),
                        bool(self.q.relation[v]),
                    )
                )
        return out + (self.identities_of[key] if isinstance(key, int) else [])

    def domain(self, group: list[int]) -> dict[int, tuple[float, float]]:
        return {v: (float(self.q.lo[v]), float(self.q.hi[v])) for v in group}

    def settle(self, key: object, group: list[int]) -> list[Constraint]:
        """The rows of a set that can all hold; what was set aside to get there, and the conflicts
        found, are remembered."""
        if key in self.aside:
            return [c for c in self.rows(key, group) if c not in self.aside[key]]
        rows, domain = self.rows(key, group), self.domain(group)
        conflicts: list[str] = []
        aside: list[Constraint] = []
        while not self._holds(key, rows, group, domain):
            core = smallest_conflict(rows, group, self.whole, domain)
            conflicts += [c for c in core if c not in conflicts]
            drop = set_aside(
                rows,
                core,
                lambda out, rows=rows: feasible(
                    [c for c in rows if c not in out], group, self.whole, domain
                ),
            )
            aside += drop
            rows = [c for c in rows if c not in drop]
        self.aside[key], self.conflicts[key] = aside, conflicts
        return rows

    # -- every quantity -----------------------------------------------------------

    def solve_all(self) -> Solution:
        """Every quantity reconciled: the simple ones all at once, each other set on its own."""
        n = len(self.q.ids)
        m = self.m
        stated_lo, stated_hi = np.full(n, -INF), np.full(n, INF)
        np.maximum.at(stated_lo, m.quantity, m.lo)
        np.minimum.at(stated_hi, m.quantity, m.hi)
        lo, hi = np.maximum(stated_lo, self.q.lo), np.minimum(stated_hi, self.q.hi)
        whole = self.q.whole
        lo = np.where(whole & np.isfinite(lo), np.ceil(lo - 1e-7), lo)
        hi = np.where(whole & np.isfinite(hi), np.floor(hi + 1e-7), hi)
        counts = np.diff(self._start)
        simple = (lo <= hi) & (counts > 0)
        simple[list(self.set_of)] = False
        best = np.where(counts > 0, self._best_mentions(), -1) if len(m.ids) else np.full(n, -1)
        value = np.clip(m.value[best], lo, hi) if len(m.ids) else np.zeros(n)
        sol = Solution(
            lo, hi, value, *(self._simple_columns(simple, lo, hi, stated_lo, stated_hi)), point=best
        )
        keys = dict.fromkeys(self.group(int(v))[0] for v in np.flatnonzero(~simple))
        for key in keys:
            group = self.sets[key] if isinstance(key, int) else [key[1]]
            self._solve_into(sol, key, group)
        if m.basis is not None:
            sol.basis = value_basis(sol, m, self.bases)
        return sol

    def _best_mentions(self) -> np.ndarray:
        """For each quantity, the mention whose value it takes: the narrowest interval (open ones
        last), then the first id. Ids are ranked only among the mentions of quantities mentioned
        more than once (the others have no rival)."""
        m = self.m
        width = np.where(np.isfinite(m.hi) & np.isfinite(m.lo), m.hi - m.lo, INF)
        rivals = np.flatnonzero(np.diff(self._start)[m.quantity] > 1)
        ids = [m.ids[i] for i in rivals.tolist()]
        rank = np.zeros(len(m.ids), dtype=np.int64)
        rank[rivals[sorted(range(len(ids)), key=ids.__getitem__)]] = np.arange(len(ids))
        order = np.lexsort((rank, width, m.quantity))
        first = np.searchsorted(m.quantity[order], np.arange(len(self.q.ids)))
        return order[np.minimum(first, len(order) - 1)]

    def _simple_columns(self, simple, lo, hi, stated_lo, stated_hi):
        """Status, the rows that set each end, and the mentions of each simple quantity (the others
        are filled in set by set). A simple quantity's interval is what its mentions state: pinned
        or as stated. By column for the quantities of one mention; one by one for the others."""
        m = self.m
        sets_lo = (
            np.isclose(m.lo, stated_lo[m.quantity], rtol=1e-9, atol=1e-9)
            & np.isfinite(m.lo)
            & (stated_lo[m.quantity] > self.q.lo[m.quantity])
        )
        sets_hi = (
            np.isclose(m.hi, stated_hi[m.quantity], rtol=1e-9, atol=1e-9)
            & np.isfinite(m.hi)
            & (stated_hi[m.quantity] < self.q.hi[m.quantity])
        )
        n = len(self.q.ids)
        status, lower_by, upper_by, mentions = (np.full(n, "", dtype=object) for _ in range(4))
        status[simple] = np.where(
            lo[simple] == hi[simple], self.status.pinned, self.status.as_stated
        )
        counts = np.diff(self._start)
        one = np.flatnonzero(simple & (counts == 1))
        if len(one):
            i = self._order[self._start[one]]
            ids = np.array(m.ids, dtype=object)[i]
            mentions[one] = ids
            lower_by[one] = np.where(sets_lo[i], ids, "")
            upper_by[one] = np.where(sets_hi[i], ids, "")
        for v in np.flatnonzero(simple & (counts > 1)).tolist():
            at = self.mentions_of(v)
            ids = [m.ids[i] for i in at]
            mentions[v] = " ".join(ids)
            lower_by[v] = " ".join(ids[j] for j, i in enumerate(at) if sets_lo[i])
            upper_by[v] = " ".join(ids[j] for j, i in enumerate(at) if sets_hi[i])
        return (
            status.tolist(),
            lower_by.tolist(),
            upper_by.tolist(),
            mentions.tolist(),
            [""] * n,
            [""] * n,
            [""] * n,
        )

    def _solve_into(self, sol: Solution, key: object, group: list[int]) -> None:
        box = self.solved(key, group)
        aside = self.aside[key]
        every = self.rows(
            key, group
        )  # the mentions of each quantity of the group in turn, then the identities
        names = [set(c.variables) for c in every]
        start = 0
        for v in group:
            at = self.mentions_of(v).tolist()
            mine = every[start : start + len(at)]
            start += len(at)
            kept = (
                [(i, c) for i, c in zip(at, mine, strict=True) if c not in aside]
                if aside
                else list(zip(at, mine, strict=True))
            )
            self._fill(sol, key, v, box, (every, names), mine, kept)

    def _fill(
        self,
        sol: Solution,
        key: object,
        v: int,
        box: Box,
        rows: tuple,
        mine: list[Constraint],
        kept_at: list,
    ) -> None:
        """One quantity of a solved set: its bounds, status, the rows that set them, its value and
        its rows."""
        aside, conflicts = self.aside[key], self.conflicts[key]
        every, names = rows
        kept = [c for _, c in kept_at]
        lo, hi = box.get(v)
        stated = self.stated(v, kept)
        involved = any(v in c.variables for c in aside)
        sol.lo[v], sol.hi[v] = lo, hi
        sol.status[v] = status_of(self.status, lo, hi, stated, bool(kept), involved)
        sol.lower_by[v] = " ".join(_why(box.why_lo.get(v), kept, 0, lo))
        sol.upper_by[v] = " ".join(_why(box.why_hi.get(v), kept, 1, hi))
        sol.value[v], k = point_of(
            [self._mention_at(i, c.ident) for i, c in kept_at],
            lo,
            hi,
            v in self.whole,
            self.domain([v])[v],
        )
        sol.point[v] = kept_at[k][0] if k >= 0 else -1
        sol.mentions[v] = " ".join(c.ident for c in mine)
        sol.identities[v] = " ".join(
            sorted(
                {
                    c.ident
                    for c, vs in zip(every, names, strict=True)
                    if c.kind == "identity" and v in vs
                }
            )
        )
        touches = bool(conflicts) and any(
            v in vs for c, vs in zip(every, names, strict=True) if c.ident in conflicts
        )
        sol.conflict[v] = " ".join(conflicts) if touches else ""
        sol.set_aside[v] = " ".join(dict.fromkeys(c.ident for c in aside if v in c.variables))

    def _mention_at(self, i: int, figure_id: str) -> tuple[float, float, float, str]:
        """``mention_of`` the mention at ``i``, without the map of every figure id where each id is
        one mention's."""
        if not self._ids_unique:
            return self.mention_of(figure_id)
        return float(self.m.value[i]), float(self.m.lo[i]), float(self.m.hi[i]), figure_id

    @cached_property
    def _ids_unique(self) -> bool:
        if self.m.ids_unique is not None:
            return self.m.ids_unique
        import pyarrow as pa

        from ..tables.csvio import all_distinct

        return all_distinct(pa.array(self.m.ids, type=pa.string()))

    def stated(self, v: int, kept: list[Constraint]) -> tuple[float, float]:
        """What a quantity's mentions state together: the meet of their intervals and its domain, in
        whole numbers for a count (no new evidence, so a quantity at these bounds is as its mentions
        state it)."""
        lo = max([float(self.q.lo[v]), *(c.bounds[0] for c in kept)])
        hi = min([float(self.q.hi[v]), *(c.bounds[1] for c in kept)])
        if v in self.whole:
            lo, hi = (
                (math.ceil(lo - 1e-7) if lo > -INF else lo),
                (math.floor(hi + 1e-7) if hi < INF else hi),
            )
        return lo, hi

    def mention_of(self, figure_id: str) -> tuple[float, float, float, str]:
        i = self.mention_at[figure_id]
        return float(self.m.value[i]), float(self.m.lo[i]), float(self.m.hi[i]), figure_id

    # -- one mention against the rest ---------------------------------------------------

    def _holds(self, key: object, rows: list[Constraint], group: list[int], domain: dict) -> bool:
        """Whether the rows can all hold; where they can, their solution is kept for ``solved``."""
        try:
            self._solved[key] = solve(rows, group, self.whole, domain)
        except Infeasible:
            return False
        return True

    def solved(self, key: object, group: list[int]) -> Box:
        """The bounds of a set on the rows that can all hold (solved once)."""
        rows = self.settle(key, group)
        if key not in self._solved:
            self._solved[key] = solve(rows, group, self.whole, self.domain(group))
        return self._solved[key]

    _rest_of: tuple[str, tuple[list[int], list[Constraint]]] | None = (
        None  # the last mention asked about, and its rest
    )

    def rest(self, figure_id: str) -> tuple[list[int], list[Constraint]]:
        """A mention's set and the rows of it that hold without the mention (the rows the set's
        reconciliation set aside left out). A claim asks about one mention several times in a row,
        so the last answer is kept (a set is settled once)."""
        if self._rest_of is not None and self._rest_of[0] == figure_id:
            return self._rest_of[1]
        v = int(self.m.quantity[self.mention_at[figure_id]])
        key, group = self.group(v)
        out = group, [c for c in self.settle(key, group) if c.ident != figure_id]
        self._rest_of = (figure_id, out)
        return out

    def leave_out(
        self, figure_id: str, rows: list[Constraint] | None = None
    ) -> dict[str, tuple[float, float, float]]:
        """Each quantity of a mention's set as (value, lower, upper) on the rest of the evidence (or
        on ``rows``)."""
        group, base = self.rest(figure_id)
        rows = base if rows is None else rows
        domain = self.domain(group)
        box = solve(rows, group, self.whole, domain)
        kept = {c.ident for c in rows if c.kind == "mention"}
        ids, out = self.m.ids, {}
        for v in group:
            others = [self.mention_of(ids[i]) for i in self.mentions_of(v) if ids[i] in kept]
            lo, hi = box.lo[v], box.hi[v]
            out[self.q.ids[v]] = (point_value(others, lo, hi, v in self.whole, domain[v]), lo, hi)
        return out

    def holds_with(self, figure_id: str, lo: float, hi: float) -> Box | None:
        """The bounds when the mention's interval is [lo, hi] with the rest of the evidence, or None
        where they cannot all hold."""
        group, base = self.rest(figure_id)
        v = int(self.m.quantity[self.mention_at[figure_id]])
        try:
            return solve(
                [*base, mention(figure_id, v, lo, hi, bool(self.q.relation[v]))],
                group,
                self.whole,
                self.domain(group),
            )
        except Infeasible:
            return None

    def deciding(self, figure_id: str, measure) -> list[str]:
        """The rows of the rest of the evidence without which ``measure`` (of what ``leave_out``
        gives) would change."""
        _, base = self.rest(figure_id)
        before = measure(self.leave_out(figure_id, base))
        ids = list(dict.fromkeys(c.ident for c in base))
        return [
            i
            for i in ids
            if measure(self.leave_out(figure_id, [c for c in base if c.ident != i])) != before
        ]


def set_aside(rows: list[Constraint], core: list[str], feasible_without) -> list[Constraint]:
    """What to leave out of a set that admits no value, from its smallest conflict, weakest first:
    an identity that rests on a reading of the text (the package's own inference, weaker than
    anything an article says); then a mention of a relation (a percentage, share, multiple or
    difference: an article's claim about its counts never overrides the counts); then the identities
    that hold by definition; else all its rows. Of the first two kinds, the first row whose removal
    alone lets the rest hold, else every row of the kind in the conflict (the rows of one identity
    go together)."""
    inside = [c for c in rows if c.ident in core]
    for pick in (
        lambda c: c.kind == "identity" and c.reading,
        lambda c: c.kind == "mention" and c.ratio,
    ):
        kind = [c for c in inside if pick(c)]
        for ident in dict.fromkeys(c.ident for c in kind):
            alone = [c for c in kind if c.ident == ident]
            if feasible_without(alone):
                return alone
        if kind:
            return kind
    for pick in (lambda c: c.kind == "identity", lambda c: True):
        chosen = [c for c in inside if pick(c)]
        if chosen:
            return chosen
    return inside


def status_of(
    status, lo: float, hi: float, stated: tuple[float, float], mentioned: bool, involved: bool
) -> str:
    if involved:
        return status.in_conflict
    if lo == hi:
        return status.pinned
    if not mentioned:
        return status.implied
    same = math.isclose(lo, stated[0], rel_tol=1e-9, abs_tol=1e-9) and math.isclose(
        hi, stated[1], rel_tol=1e-9, abs_tol=1e-9
    )
    return status.as_stated if same or (lo == stated[0] and hi == stated[1]) else status.tightened


def _why(reason: str | None, mine: list[Constraint], side: int, end: float) -> list[str]:
    """The rows that set one end: the mentions whose bound it is, else the identity (or programme)
    that moved it last; none where the end is the quantity's domain (a count's 0)."""
    if end in (INF, -INF):
        return []
    hits = [c.ident for c in mine if math.isclose(c.bounds[side], end, rel_tol=1e-9, abs_tol=1e-9)]
    if hits:
        return hits
    if reason and reason.startswith("linear programme over "):
        return reason.removeprefix("linear programme over ").split()
    return [reason] if reason else []


def point_value(
    mentioned: list[tuple[float, float, float, str]],
    lo: float,
    hi: float,
    whole: bool,
    domain: tuple[float, float],
) -> float:
    """The point value (see ``point_of``)."""
    return point_of(mentioned, lo, hi, whole, domain)[0]


def point_of(
    mentioned: list[tuple[float, float, float, str]],
    lo: float,
    hi: float,
    whole: bool,
    domain: tuple[float, float],
) -> tuple[float, int]:
    """The point value, and which of ``mentioned`` it is the number of (-1: none). An exact
    mention's; else the most precise mention's (its interval the narrowest, open ones last, then the
    first id); both clipped to the reconciled interval. A quantity no figure mentions takes the
    middle of its interval where evidence sets both ends (rounded half up for a count): a convention
    for sorting, not an estimate. Where an end is unbounded or only the domain's (a count's 0), it
    has none (NaN). What the point is, is ``value_basis``."""
    if mentioned:
        k = min(range(len(mentioned)), key=lambda j: (_width(mentioned[j]), mentioned[j][3]))
        return min(max(mentioned[k][0], lo), hi), k
    if lo == hi:
        return lo, -1
    if lo in (-INF, domain[0]) or hi in (INF, domain[1]):
        return math.nan, -1
    mid = (lo + hi) / 2
    return (float(math.floor(mid + 0.5)) if whole else mid), -1


def _width(m: tuple[float, float, float, str]) -> float:
    return m[2] - m[1] if m[2] < INF and m[1] > -INF else INF


def value_basis(sol: Solution, mentions: Mentions, bases) -> list[str]:
    """What each quantity's point value is, by column (the quantities schema's ``value_basis``;
    ``bases``: its words by name): pinned where the evidence allows one value; else the basis of the
    number of the mention it takes (``mention_bases``: as written, hedged or vague word), or clipped
    where that number was moved to an end of the interval; a midpoint where no mention gives it;
    none where it has no value."""
    n = len(sol.value)
    out = np.full(n, bases.midpoint, dtype=object)
    has = np.asarray(sol.point) >= 0
    at = np.asarray(sol.point)[has]
    out[has] = mentions.basis[at]
    moved = np.zeros(n, dtype=bool)
    moved[has] = ~np.isclose(sol.value[has], mentions.value[at], rtol=TOL, atol=TOL)
    out[moved] = bases.clipped
    out[sol.lo == sol.hi] = bases.pinned
    out[np.isnan(sol.value)] = bases.none
    return out.tolist()


def mention_bases(vocabulary, qualifiers) -> np.ndarray:
    """What each figure's own number is as a point, from its qualifier's interval shape
    (``schemas/vocabulary.json``, qualifiers.points): as written (exact or rounded), hedged (the
    number a hedge qualifies) or vague word (the lower end of a vague word's range)."""
    word = {q: vocabulary.point_bases[shape] for q, shape in vocabulary.intervals.items()}
    return np.array([word[q] for q in qualifiers], dtype=object)


# -- the model of a package's tables ------------------------------------------------------


def relation_symbol(vocabulary, word: str) -> str:
    """An identity's relation word (equals, at most, at least, sum of parts) as the solver's
    symbol."""
    names = vocabulary.names("identities", "relation")
    return {
        names.equals: "=",
        names.at_most: "<=",
        names.at_least: ">=",
        names.sum_of_parts: "sum",
    }[word]


def quantities_of(vocabulary, quantities) -> Quantities:
    """The quantities of a table with columns quantity_id, measure, unit and counting (raw or
    published)."""
    counts = vocabulary.names("quantities", "counting")
    countings, counting = _coded(quantities, "counting")
    measures, measure = _coded(quantities, "measure")
    units, unit = _coded(quantities, "unit")
    domains = np.array([vocabulary.domain(m) for m in measures], dtype=float).reshape(-1, 2)
    return Quantities(
        ids=quantities.column("quantity_id"),
        whole=np.isin(np.array(units, dtype=object), list(vocabulary.whole_units))[unit],
        relation=(np.array(countings, dtype=object) == counts.relation)[counting],
        distinct=(np.array(countings, dtype=object) == counts.distinct)[counting],
        lo=domains[measure, 0],
        hi=domains[measure, 1],
    )


def _coded(table, name: str) -> tuple[list[str], np.ndarray]:
    """A column as its distinct cells (in order of first appearance) and the position of each cell
    among them."""
    import pyarrow.compute as pc

    coded = pc.dictionary_encode(table.arrow(name).combine_chunks())
    return coded.dictionary.to_pylist(), coded.indices.to_numpy(zero_copy_only=False).astype(
        np.intp
    )


def model_of_tables(
    vocabulary,
    figures,
    quantities,
    identities,
    skip: set[str] = frozenset(),
    quantity_of=None,
    ids_unique: bool | None = None,
) -> Model:
    """The model of checked tables (the published ones, or the raw quantities and identities with
    the cleaned figures): each figure a mention of its quantity, each identity row its relations.
    ``skip``: identity ids to leave out (rows a check has already refused). What the caller has
    found already: ``quantity_of``, the row of each figure's quantity (each quantity id once);
    ``ids_unique``, whether each figure id is once."""
    qs = quantities_of(vocabulary, quantities)
    mentions = Mentions(
        ids=figures.column("figure_id"),
        quantity=_positions(figures.arrow("quantity_id"), quantities.arrow("quantity_id"), qs.ids)
        if quantity_of is None
        else quantity_of,
        value=figures.numbers("value")[0],
        lo=figures.numbers("lower", -INF)[0],
        hi=figures.numbers("upper", INF)[0],
        ids_unique=ids_unique,
        basis=mention_bases(vocabulary, figures.column("qualifier"))
        if "qualifier" in figures.names
        else None,
    )
    reading = vocabulary.names("identities", "basis").reading
    basis = identities.column("basis") if "basis" in identities.names else [""] * len(identities)
    relations = [
        Relation(
            r["identity_id"],
            r["left"],
            relation_symbol(vocabulary, r["relation"]),
            r["right"],
            b == reading,
        )
        for r, b in zip(identities, basis, strict=True)
        if r["identity_id"] not in skip
    ]
    return Model(
        qs,
        mentions,
        relations,
        vocabulary.names("quantities", "status"),
        vocabulary.names("quantities", "value_basis"),
    )


def _positions(named, ids, id_list: list[str]) -> np.ndarray:
    """The position in ``ids`` of each id ``named`` (Arrow text): looked up by Arrow where each id
    is listed once and each named one is listed; else by a dict (the last row of an id; KeyError
    naming the first unlisted)."""
    import pyarrow.compute as pc

    from ..tables.csvio import all_distinct

    if all_distinct(ids):
        at = pc.index_in(named, value_set=ids.combine_chunks())
        if not at.null_count:
            return np.asarray(at.to_numpy(zero_copy_only=False), dtype=np.int64)
    index = {q: k for k, q in enumerate(id_list)}
    return np.array([index[q] for q in named.to_pylist()], dtype=np.int64)
