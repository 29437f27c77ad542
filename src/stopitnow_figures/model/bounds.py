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
- where the relations form a cycle, linear programming (HiGHS, through highspy) over
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

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from .intervals import INF, add, div, meet, mul, neg, sub, whole_within

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
    """A formula of the language of ``formulas`` over {ids} as a tree; FormulaError where it is not
    of that form, KeyError naming an id not in ``index``."""
    tree, names = _read_formula(formula)
    return _node(tree, {name: index[ident] for name, ident in names})


@lru_cache(maxsize=1 << 16)
def _read_formula(formula: str) -> tuple[tuple, tuple[tuple[int, str], ...]]:
    """A formula's syntax tree (``formulas.Program.tree``: ("var", k) for its k-th {id} as written)
    and each k with its id, checked against the language and its limits (read once: a formula
    checked by a stage is parsed again by its model)."""
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
    at: int = -1  # a mention's position among the model's mentions

    @property
    def variables(self) -> list[int]:
        return self.left.variables() + (self.right.variables() if self.right else [])


def mention(ident: str, var: int, lo: float, hi: float, ratio: bool, at: int = -1) -> Constraint:
    return Constraint(ident, "mention", Node("var", var), "in", bounds=(lo, hi), ratio=ratio, at=at)


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
        moved. Raises Infeasible (naming the row ``why``) where the ends cross, or where a lower end
        is +inf or an upper end -inf: an end that overflowed, so that no number is large enough,
        which is a set of rows that admits no value."""
        if lo == INF or hi == -INF:
            raise Infeasible(why)
        if v in self.whole:
            lo, hi = whole_within((lo, hi))
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


_FORWARD = {"+": add, "-": sub, "*": mul, "/": div}


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
            out[k] = neg(out[left])
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
        have = meet(memo[k], targets[k])
        if have[0] > have[1] and have[0] > have[1] + TOL * _atleast1(abs(have[0]), abs(have[1])):
            raise Infeasible(why)
        if op == "var":
            if box.narrow(arg, have[0], have[1], why):
                moved = True
        elif op == "neg":
            targets[left] = neg(have)
        elif op != "const":
            targets[left], targets[right] = _targets(op, have, memo[left], memo[right])
    return moved


def _targets(op: str, have: tuple[float, float], a: tuple[float, float], b: tuple[float, float]):
    """What each side of ``a op b`` may be for the result to lie in ``have`` (where a factor or a
    quotient may be zero, the other side of a product or the divisor may be anything)."""
    if op == "+":
        return sub(have, b), sub(have, a)
    if op == "-":
        return add(have, b), sub(a, have)
    if op == "*":
        return (div(have, b) if _not_zero(b) else _ANY), (div(have, a) if _not_zero(a) else _ANY)
    return mul(have, b), (div(a, have) if _not_zero(have) else _ANY)


_ANY = (-INF, INF)


def _not_zero(a: tuple[float, float]) -> bool:
    return a[0] > 0 or a[1] < 0


def revise(c: Constraint, box: Box) -> bool:
    """Apply one row once (HC4's revise); whether any bound moved. Raises Infeasible. A mention
    narrows its quantity to its interval; a relation evaluates both sides forward on the current
    bounds, meets them as the relation says, and narrows each side backward, node by node, towards
    what the other side allows."""
    if c.kind == "mention":
        return box.narrow(int(c.left.arg), c.bounds[0], c.bounds[1], c.ident)
    left_program, right_program = _programs(c)
    lo, hi = box.lo, box.hi
    left_memo, right_memo = _forward(left_program, lo, hi), _forward(right_program, lo, hi)
    left, right = left_memo[0], right_memo[0]
    if c.relation == "=":
        tl = tr = meet(left, right)
    elif c.relation == "<=":
        tl, tr = (-INF, right[1]), (left[0], INF)
    else:
        tl, tr = (right[0], INF), (-INF, left[1])
    moved = _backward(left_program, tl, box, left_memo, c.ident)
    if moved:  # the right side on the bounds as the left side left them
        right_memo = _forward(right_program, lo, hi)
    return _backward(right_program, tr, box, right_memo, c.ident) or moved


def propagate(rows: list[Constraint], box: Box, rounds: int = 200) -> bool:
    """Apply every row until nothing moves (or ``rounds`` passes); whether it settled. Raises
    Infeasible."""
    for _ in range(rounds):
        if not any([revise(c, box) for c in rows]):
            return True
    return False


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
    """Minimise and maximise each quantity of the linear relations within the current bounds
    (``LinearProgramme``); whether any bound moved. Raises Infeasible where the linear relations
    admit no point within the bounds."""
    lp = LinearProgramme.of(rows, box, variables)
    if lp is None:
        return False
    lp.check_feasible()
    moved = False
    for k, v in enumerate(lp.cols):
        for sign in (1.0, -1.0):
            end = lp.optimum(k, sign)
            if end is not None:
                moved |= (
                    box.narrow(v, end, INF, lp.why)
                    if sign > 0
                    else box.narrow(v, -INF, end, lp.why)
                )
    return moved


@dataclass
class LinearProgramme:
    """The linear relations of a set's rows as matrices (made once per set and round), each bound
    then found by HiGHS: ``a_eq x = b_eq``, ``a_ub x <= b_ub``, each quantity within its box."""

    cols: list[int]
    a_eq: np.ndarray | None
    b_eq: np.ndarray | None
    a_ub: np.ndarray | None
    b_ub: np.ndarray | None
    bounds: list[tuple[float | None, float | None]]
    why: str
    impossible: bool = False  # a relation of constants alone that does not hold

    @classmethod
    def of(cls, rows: list[Constraint], box: Box, variables: list[int]) -> LinearProgramme | None:
        """The linear relations of ``rows`` over the quantities they name, bounded by ``box`` (None
        where none is linear). A relation whose quantities cancel out is kept as ``impossible``
        where its constants contradict it."""
        lines = []
        for c in rows:
            lhs, rhs = (linear(c.left), linear(c.right)) if c.kind != "mention" else (None, None)
            if lhs is not None and rhs is not None:
                coef = dict(lhs[0])
                for v, a in rhs[0].items():
                    coef[v] = coef.get(v, 0.0) - a
                lines.append(
                    (c, {v: a for v, a in coef.items() if a != 0.0}, rhs[1] - lhs[1])
                )  # coef . x (relation) const
        if not lines:
            return None
        cols = sorted({v for _, coef, _ in lines for v in coef}, key=variables.index)
        at = {v: k for k, v in enumerate(cols)}
        eq, ub, impossible = [], [], False
        for c, coef, const in lines:
            row = np.zeros(len(cols))
            row[[at[v] for v in coef]] = list(coef.values())
            if not coef:
                impossible |= not {"=": 0 == const, "<=": 0 <= const, ">=": 0 >= const}[c.relation]
            elif c.relation == "=":
                eq.append((row, const))
            else:
                ub.append((row, const) if c.relation == "<=" else (-row, -const))

        def matrix(part):
            return (
                (np.array([r for r, _ in part]), np.array([b for _, b in part]))
                if part
                else (None, None)
            )

        bounds = [
            (None if box.lo[v] == -INF else box.lo[v], None if box.hi[v] == INF else box.hi[v])
            for v in cols
        ]
        why = "linear programme over " + " ".join(sorted({c.ident for c, _, _ in lines}))
        return cls(cols, *matrix(eq), *matrix(ub), bounds, why, impossible)

    def _highs(self):
        """The programme as a HiGHS model (``highspy``, the HiGHS project's own Python interface),
        made at the first solve; each later solve changes the cost alone and starts from the last
        solve's basis (a warm re-solve takes a tenth of a solve from scratch)."""
        highs = self.__dict__.get("_model")
        if highs is None:
            import highspy

            highs = self.__dict__["_model"] = highspy.Highs()
            highs.setOptionValue("output_flag", False)
            # a bound is infinite only where it is: HiGHS would read any beyond 1e20 as none, and
            # a bound that propagation has run out to 1e250 would then let a set that admits no
            # value pass as feasible
            highs.setOptionValue("infinite_bound", highspy.kHighsInf)
            inf = highspy.kHighsInf
            lo = [-inf if a is None else a for a, _ in self.bounds]
            hi = [inf if b is None else b for _, b in self.bounds]
            highs.addVars(len(self.cols), np.array(lo, dtype=float), np.array(hi, dtype=float))
            for a, lower, upper in (
                (self.a_eq, self.b_eq, self.b_eq),
                (self.a_ub, None, self.b_ub),
            ):
                if a is not None:
                    _add_rows(highs, a, np.full(len(a), -inf) if lower is None else lower, upper)
        return highs

    def _solve(self, cost: np.ndarray):
        """The model status and objective of minimising ``cost`` (one coefficient per column)."""
        highs = self._highs()
        highs.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        highs.run()
        return highs.getModelStatus(), highs.getObjectiveValue()

    def check_feasible(self) -> None:
        """Raise Infeasible where no point meets every linear relation within the bounds: the rows
        contradict each other (HiGHS' "unbounded or infeasible" on a cost of zero, which cannot be
        unbounded, is infeasible too)."""
        import highspy

        if self.impossible:
            raise Infeasible(self.why)
        if not self.cols:
            return
        status, _ = self._solve(np.zeros(len(self.cols)))
        if status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            raise Infeasible(self.why)

    def optimum(self, k: int, sign: float) -> float | None:
        """The least (sign 1) or greatest (sign -1) value of column k; None where it is unbounded
        (or not found)."""
        import highspy

        cost = np.zeros(len(self.cols))
        cost[k] = sign
        status, objective = self._solve(cost)
        return sign * objective if status == highspy.HighsModelStatus.kOptimal else None


def _add_rows(highs, a: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
    """The rows of matrix ``a`` into a HiGHS model, each between its ``lower`` and ``upper``."""
    rows, cols = np.nonzero(a)
    starts = np.searchsorted(rows, np.arange(len(a))).astype(np.int32)
    highs.addRows(len(a), lower, upper, len(rows), starts, cols.astype(np.int32), a[rows, cols])


def _start(variables: list[int], whole: set[int], domain: dict[int, tuple[float, float]]) -> Box:
    """The bounds of a set's quantities before any row: each one's ``domain``."""
    box = Box(
        {v: domain[v][0] for v in variables},
        {v: domain[v][1] for v in variables},
        {v for v in variables if v in whole},
    )
    for v in variables:
        lo, hi = domain[v]
        if lo > hi or (v in box.whole and whole_within((lo, hi)) != (lo, hi)):
            box.narrow(
                v, lo, hi, ""
            )  # else narrowing a quantity to the bounds it already has moves nothing
    return box


def solve(
    rows: list[Constraint],
    variables: list[int],
    whole: set[int],
    domain: dict[int, tuple[float, float]],
    rounds: int = 50,
) -> Box:
    """The tightest bounds the rows allow each quantity of one connected set, starting from each
    quantity's ``domain`` (counts are never negative). Raises Infeasible."""
    box = _start(variables, whole, domain)
    settled = propagate(rows, box)
    if is_tree(rows):
        return box
    if not settled:
        # a cycle whose bounds were still running out after every pass (to 1e250 and beyond, where
        # no solver's arithmetic holds): whether its linear relations admit a value is decided on
        # the bounds it started from
        lp = LinearProgramme.of(rows, _start(variables, whole, domain), variables)
        if lp is not None:
            lp.check_feasible()
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

    A quantity that no identity names and whose mentions agree needs no solver: its interval is the
    meet of its mentions' and its domain. Every other set is solved on its own (``settle``). Then
    the columns of every quantity are made at once from the bounds (``fill``). ``solve_all`` does
    both; ``rest``, ``leave_out``, ``holds_with`` and ``deciding`` answer for one mention what the
    rest of the evidence allows, which is how a claim is checked."""

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
        """The position of each figure id among the mentions (its last, where an id is listed
        twice)."""
        return dict(zip(self.m.ids, range(len(self.m.ids)), strict=True))

    @cached_property
    def _ids(self) -> np.ndarray:
        return np.array(self.m.ids, dtype=object)

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
                        int(i),
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
        """Every quantity reconciled: those that need no solver at once (the meet of their mentions
        and domain), each other set on its own, then every quantity's columns at once (``fill``)."""
        kept = np.ones(len(self.m.ids), dtype=bool)
        lo, hi = self.stated(self._said(kept))
        alone = (lo <= hi) & (np.diff(self._start) > 0)
        alone[list(self.set_of)] = False
        solved = Solved.none(len(self.q.ids))
        for key in dict.fromkeys(self.group(int(v))[0] for v in np.flatnonzero(~alone)):
            self._solve_into(solved, key, kept, lo, hi)
        return self.fill(lo, hi, kept, solved)

    def stated(self, said: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """What each quantity's mentions state together (``said``: the meet of their intervals, see
        ``_said``) with its domain, in whole numbers for a count (no new evidence, so a quantity at
        these bounds is as its mentions state it)."""
        said_lo, said_hi = said
        lo, hi = np.maximum(said_lo, self.q.lo), np.minimum(said_hi, self.q.hi)
        whole_lo, whole_hi = whole_within((lo, hi))
        return np.where(self.q.whole, whole_lo, lo), np.where(self.q.whole, whole_hi, hi)

    def _said(self, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The meet of each quantity's ``kept`` mentions' intervals alone (unbounded where it has
        none)."""
        n, m = len(self.q.ids), self.m
        said_lo, said_hi = np.full(n, -INF), np.full(n, INF)
        np.maximum.at(said_lo, m.quantity[kept], m.lo[kept])
        np.minimum.at(said_hi, m.quantity[kept], m.hi[kept])
        return said_lo, said_hi

    def _solve_into(
        self, solved: Solved, key: object, kept: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> None:
        """One set solved: its quantities' bounds into ``lo``/``hi``, the mentions it set aside out
        of ``kept``, and what ``fill`` needs of the set (see ``Solved``)."""
        group = self.sets[key] if isinstance(key, int) else [key[1]]
        box = self.solved(key, group)
        aside, conflicts = self.aside[key], self.conflicts[key]
        kept[[c.at for c in aside if c.kind == "mention"]] = False
        every = self.rows(key, group)
        names = [set(c.variables) for c in every]
        for v in group:
            lo[v], hi[v] = box.get(v)
            solved.by_set[v] = True
            solved.why[0][v], solved.why[1][v] = (
                _reason(box.why_lo.get(v)),
                _reason(box.why_hi.get(v)),
            )
            solved.involved[v] = any(v in c.variables for c in aside)
            solved.identities[v] = " ".join(
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
            solved.conflict[v] = " ".join(conflicts) if touches else ""
            solved.set_aside[v] = " ".join(
                dict.fromkeys(c.ident for c in aside if v in c.variables)
            )

    def fill(self, lo: np.ndarray, hi: np.ndarray, kept: np.ndarray, solved: Solved) -> Solution:
        """Every quantity's columns at once, from its bounds, the mentions kept and what the sets
        solved gave."""
        said = self._said(kept)
        stated = self.stated(said)
        n, q = len(self.q.ids), self.q
        value, point = points(lo, hi, q.whole, (q.lo, q.hi), self._candidates(np.flatnonzero(kept)))
        mentioned = np.bincount(self.m.quantity[kept], minlength=n) > 0
        same = _close(lo, stated[0]) & _close(hi, stated[1])
        s = self.status
        status = np.select(
            [solved.involved, lo == hi, ~mentioned, same],
            [s.in_conflict, s.pinned, s.implied, s.as_stated],
            s.tightened,
        ).astype(object)
        ends = [self._end_rows(side, (lo, hi)[side], said[side], kept, solved) for side in (0, 1)]
        every = self._joined(np.ones(len(self.m.ids), dtype=bool))
        sol = Solution(
            lo,
            hi,
            value,
            status.tolist(),
            *ends,
            every,
            *(c.tolist() for c in solved.columns()),
            point=point,
        )
        if self.m.basis is not None:
            sol.basis = value_basis(sol, self.m, self.bases)
        return sol

    def _candidates(self, at: np.ndarray, quantities: np.ndarray | None = None) -> Candidates:
        """The mentions at positions ``at`` (ascending; of ``quantities`` alone, given as sorted
        positions) as ``points`` reads them."""
        slot = self.m.quantity[at]
        if quantities is not None:
            slot = np.searchsorted(quantities, slot)
        return Candidates(slot, self.m.value[at], self.m.lo[at], self.m.hi[at], self._ids[at], at)

    def _end_rows(
        self, side: int, end: np.ndarray, said: np.ndarray, kept: np.ndarray, solved: Solved
    ) -> list[str]:
        """The rows that set one end of each quantity (``side`` 0 the lower, 1 the upper): none
        where it is unbounded or its domain's; else the kept mentions whose bound it is; else, where
        it is the tightest bound its mentions state rounded inward to a whole number, the mentions
        at that bound; else the row that moved it last in its set's solve (the rows of a linear
        programme). A quantity solved with its set (linked by an identity, or whose mentions
        disagree) names the mentions at its domain's end where they state it (as this column has
        been published)."""
        m, q = self.m, self.m.quantity
        bound, domain = (m.lo, self.q.lo) if side == 0 else (m.hi, self.q.hi)
        with np.errstate(invalid="ignore"):
            at_end = kept & np.isfinite(bound) & _close(bound, end[q])
            at_said = kept & np.isfinite(bound) & _close(bound, said[q])
            beyond = np.isfinite(said) & ((said > domain) if side == 0 else (said < domain))
        rounded = np.where(self.q.whole, whole_within((said, said))[side], said)
        bounded, at_domain = np.isfinite(end), _close(end, domain)
        named = (
            (np.bincount(q[at_end], minlength=len(end)) > 0)
            & bounded
            & (~at_domain | solved.by_set)
        )
        from_said = ~named & bounded & ~at_domain & beyond & _close(rounded, end)
        out = self._joined((at_end & named[q]) | (at_said & from_said[q]))
        moved = bounded & ~named & ~from_said
        out[moved] = solved.why[side][moved]
        return out.tolist()

    def _joined(self, chosen: np.ndarray) -> np.ndarray:
        """For each quantity, the ids of its ``chosen`` mentions in the order of the figures,
        space-separated."""
        order = self._order[chosen[self._order]]
        q = self.m.quantity[order]
        out = np.full(len(self.q.ids), "", dtype=object)
        counts = np.bincount(q, minlength=len(self.q.ids))
        one = counts[q] == 1
        out[q[one]] = self._ids[order[one]]
        several: dict[int, list[str]] = {}
        for v, ident in zip(q[~one].tolist(), self._ids[order[~one]].tolist(), strict=True):
            several.setdefault(v, []).append(ident)
        for v, ids in several.items():
            out[v] = " ".join(ids)
        return out

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
        on ``rows``): its bounds solved on those rows, its point as ``fill`` makes it from the
        mentions among them."""
        group, base = self.rest(figure_id)
        rows = base if rows is None else rows
        box = solve(rows, group, self.whole, self.domain(group))
        qs = np.array(sorted(group), dtype=np.int64)
        kept = np.unique(
            np.array([c.at for c in rows if c.kind == "mention"], dtype=np.int64)
        )  # the set's alone
        lo, hi = (
            np.array([box.lo[v] for v in qs.tolist()]),
            np.array([box.hi[v] for v in qs.tolist()]),
        )
        value, _ = points(
            lo, hi, self.q.whole[qs], (self.q.lo[qs], self.q.hi[qs]), self._candidates(kept, qs)
        )
        return {
            self.q.ids[v]: (float(value[k]), float(lo[k]), float(hi[k]))
            for k, v in enumerate(qs.tolist())
        }

    def holds_with(self, figure_id: str, lo: float, hi: float) -> Box | None:
        """The bounds when the mention's interval is [lo, hi] with the rest of the evidence, or None
        where they cannot all hold."""
        group, base = self.rest(figure_id)
        at = self.mention_at[figure_id]
        v = int(self.m.quantity[at])
        try:
            return solve(
                [*base, mention(figure_id, v, lo, hi, bool(self.q.relation[v]), at)],
                group,
                self.whole,
                self.domain(group),
            )
        except Infeasible:
            return None

    def deciding(self, figure_id: str, measure) -> list[str]:
        """The rows of the rest of the evidence without which ``measure`` (of what ``leave_out``
        gives) would change, in the order of the rest.

        Found by halving rather than one solve a row: leaving out rows only widens the bounds
        (fewer rows hold less), and ``measure`` (a formula's interval on the bounds, rounded) only
        widens with them, so where leaving out a whole group changes nothing, leaving out any one
        row of it changes nothing either; a group that changes the measure is halved until its
        single rows are found. A claim decided by k of n rows takes about 2k log2(n/k) solves
        instead of n."""
        _, base = self.rest(figure_id)
        before = measure(self.leave_out(figure_id, base))
        ids = list(dict.fromkeys(c.ident for c in base))

        def changes(group: list[str]) -> bool:
            out = set(group)
            return measure(self.leave_out(figure_id, [c for c in base if c.ident not in out])) != (
                before
            )

        found: set[str] = set()
        todo = [ids] if ids else []
        while todo:
            group = todo.pop()
            if not changes(group):
                continue
            if len(group) == 1:
                found.add(group[0])
            else:
                todo += [group[len(group) // 2 :], group[: len(group) // 2]]
        return [i for i in ids if i in found]


@dataclass
class Solved:
    """What solving the linked sets (and the quantities whose mentions disagree) gave each of their
    quantities, by column (empty for the others): whether a set's solve gave its bounds, the row
    that moved each end last, whether a row of it was set aside, and its identities, conflict and
    rows set aside."""

    by_set: np.ndarray
    why: tuple[np.ndarray, np.ndarray]
    involved: np.ndarray
    identities: np.ndarray
    conflict: np.ndarray
    set_aside: np.ndarray

    @classmethod
    def none(cls, n: int) -> Solved:
        text = lambda: np.full(n, "", dtype=object)  # noqa: E731
        return cls(
            np.zeros(n, dtype=bool),
            (text(), text()),
            np.zeros(n, dtype=bool),
            text(),
            text(),
            text(),
        )

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.identities, self.conflict, self.set_aside


@dataclass
class Candidates:
    """Mentions a point may be taken from: the quantity (its slot among those asked about) of each,
    its value, interval and figure id, and its position among all mentions."""

    slot: np.ndarray
    value: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    ids: np.ndarray
    at: np.ndarray


def points(
    lo: np.ndarray, hi: np.ndarray, whole: np.ndarray, domain: tuple, mentions: Candidates
) -> tuple[np.ndarray, np.ndarray]:
    """The point value of each quantity (bounds ``lo``, ``hi``), and which mention's number it is
    (its position; -1: none). The number of its most precise mention (its interval the narrowest,
    open ones last, then the first id), clipped to its interval. A quantity no mention gives takes
    its one value where its ends meet; else the middle of its interval where evidence sets both ends
    (rounded half up for a count): a convention for sorting, not an estimate; where an end is
    unbounded or only the domain's (a count's 0), it has none (NaN). What the point is, is
    ``value_basis``."""
    n = len(lo)
    best = np.full(n, -1, dtype=np.int64)
    has = np.zeros(n, dtype=bool)
    taken = np.full(n, np.nan)
    if len(mentions.slot):
        first = _first_of_each(mentions, n)
        has = first >= 0
        best[has] = mentions.at[first[has]]
        taken[has] = mentions.value[first[has]]
    with np.errstate(invalid="ignore"):
        middle = (lo + hi) / 2
        open_end = np.isinf(lo) | np.isinf(hi) | (lo == domain[0]) | (hi == domain[1])
    middle = np.where(whole, np.floor(middle + 0.5), middle)
    value = np.where(lo == hi, lo, np.where(open_end, np.nan, middle))
    value[has] = np.clip(taken[has], lo[has], hi[has])
    return value, best


def _first_of_each(mentions: Candidates, n: int) -> np.ndarray:
    """For each quantity, the index into ``mentions`` of its most precise one (-1: it has none). Ids
    are ranked only among the mentions of quantities with more than one (the others have no rival).
    """
    finite = np.isfinite(mentions.hi) & np.isfinite(mentions.lo)
    with np.errstate(invalid="ignore"):
        width = np.where(finite, mentions.hi - mentions.lo, INF)
    counts = np.bincount(mentions.slot, minlength=n)
    rivals = np.flatnonzero(counts[mentions.slot] > 1)
    ids = mentions.ids[rivals].tolist()
    rank = np.zeros(len(mentions.slot), dtype=np.int64)
    rank[rivals[sorted(range(len(ids)), key=ids.__getitem__)]] = np.arange(len(ids))
    order = np.lexsort((rank, width, mentions.slot))
    first = np.searchsorted(mentions.slot[order], np.arange(n))
    return np.where(counts > 0, order[np.minimum(first, len(order) - 1)], -1)


def _close(a, b) -> np.ndarray:
    """Whether ends are equal within 1e-9, relative to the larger (or absolute, near zero), as
    ``math.isclose``; unbounded ends only to themselves."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore"):
        near = np.abs(a - b) <= np.maximum(1e-9 * np.maximum(np.abs(a), np.abs(b)), 1e-9)
    return (near & np.isfinite(a) & np.isfinite(b)) | (a == b)


def _reason(why: str | None) -> str:
    """The row that moved an end, as ids: a linear programme's rows, space-separated."""
    return (why or "").removeprefix("linear programme over ")


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
    vocabulary, figures, quantities, identities, skip: set[str] = frozenset(), quantity_of=None
) -> Model:
    """The model of checked tables (the published ones, or the raw quantities and identities with
    the cleaned figures): each figure a mention of its quantity, each identity row its relations.
    ``skip``: identity ids to leave out (rows a check has already refused). ``quantity_of``: what
    the caller has found already, the row of each figure's quantity (each quantity id once)."""
    qs = quantities_of(vocabulary, quantities)
    mentions = Mentions(
        ids=figures.column("figure_id"),
        quantity=_positions(figures.arrow("quantity_id"), quantities.arrow("quantity_id"), qs.ids)
        if quantity_of is None
        else quantity_of,
        value=figures.numbers("value")[0],
        lo=figures.numbers("lower", -INF)[0],
        hi=figures.numbers("upper", INF)[0],
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
