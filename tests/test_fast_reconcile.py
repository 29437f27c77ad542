"""The reconcile stage's fast paths at scale each give what its plain reading gives: the
whole-column checks of quantities and mentions, the solving of quantities that need no solver, the
reading of hand-edited tables by Arrow, the checks of text tables and of output frames, and the
writer of many rows."""

from __future__ import annotations

import csv
import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from stopitnow_figures.model.bounds import INF, Mentions, Model, Quantities
from stopitnow_figures.stages.reconcile import QuantityTable
from stopitnow_figures.tables import csvio, schema, vocab
from stopitnow_figures.tables.csvio import Table, read_table
from stopitnow_figures.tables.errors import Collector
from stopitnow_figures.tables.paths import Paths
from test_schema import _quick_and_pandera

VOCAB = vocab.load()
FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# -- quantities that need no solver ----------------------------------------------------------------

ENDS = st.sampled_from([-INF, -2.5, 0.0, 0.4, 1.0, 2.5, 3.0, 7.0, 100.0, INF])
DOMAINS = st.sampled_from([(0.0, INF), (-INF, INF), (0.0, 100.0)])


@st.composite
def single_quantities(draw):
    """Quantities no identity names (whole or not, of a domain), each with some mentions (none for
    some)."""
    kinds = draw(st.lists(st.tuples(st.booleans(), DOMAINS), min_size=1, max_size=4))
    mentions = []
    for q, lo, hi in draw(
        st.lists(st.tuples(st.integers(0, len(kinds) - 1), ENDS, ENDS), max_size=8)
    ):
        lo, hi = min(lo, hi), max(lo, hi)
        if lo < INF and hi > -INF:  # a figure's interval is never empty of numbers
            mentions.append((q, lo if math.isfinite(lo) else hi, lo, hi))
    ids = draw(
        st.permutations([f"f{j}" for j in range(len(mentions))])
    )  # ids in no particular order
    qs = Quantities(
        ids=[f"q{k}" for k in range(len(kinds))],
        whole=np.array([w for w, _ in kinds]),
        relation=np.zeros(len(kinds), dtype=bool),
        distinct=np.zeros(len(kinds), dtype=bool),
        lo=np.array([d[0] for _, d in kinds]),
        hi=np.array([d[1] for _, d in kinds]),
    )
    ms = Mentions(
        ids=list(ids),
        quantity=np.array([m[0] for m in mentions], dtype=np.int64),
        value=np.array([m[1] for m in mentions], dtype=float),
        lo=np.array([m[2] for m in mentions], dtype=float),
        hi=np.array([m[3] for m in mentions], dtype=float),
    )
    return Model(qs, ms, [])


def _same(a, b) -> bool:
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


def _close(a: float, b: float) -> bool:
    return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _inward(x: float, side: int) -> float:
    if not math.isfinite(x):
        return x
    return float(math.ceil(x - 1e-7)) if side == 0 else float(math.floor(x + 1e-7))


def _rows_of_end(kept, side, end, domain, whole, by_set, reason) -> str:
    """The rows that set one end, by the rule in the quantities schema's words: none where the end
    is unbounded or the domain's (except that a quantity solved with its set names the mentions that
    state its domain's end); else the mentions whose bound it is; else, where it is the tightest
    stated bound rounded inward, the mentions at that bound; else the row that moved it last in the
    set's solve."""
    if not math.isfinite(end):
        return ""
    at_end = [m[0] for m in kept if math.isfinite(m[2 + side]) and _close(m[2 + side], end)]
    at_domain = _close(end, domain)
    if at_end and (by_set or not at_domain):
        return " ".join(at_end)
    if at_domain:
        return reason
    said = [m[2 + side] for m in kept]
    tightest = (max if side == 0 else min)(said) if said else None
    beyond = (
        tightest is not None
        and math.isfinite(tightest)
        and (tightest > domain if side == 0 else tightest < domain)
    )
    if beyond and _close(_inward(tightest, side) if whole else tightest, end):
        return " ".join(m[0] for m in kept if _close(m[2 + side], tightest))
    return reason


def _point(kept, lo, hi, whole, domain) -> float:
    """The number of the narrowest mention (open ones last, then the first id), clipped; else the
    one value, NaN where an end is open or the domain's, else the middle (half up for a count)."""
    if kept:
        best = min(kept, key=lambda m: (m[3] - m[2] if math.isfinite(m[3] - m[2]) else INF, m[0]))
        return min(max(best[1], lo), hi)
    if lo == hi:
        return lo
    if lo in (-INF, domain[0]) or hi in (INF, domain[1]):
        return math.nan
    return float(math.floor((lo + hi) / 2 + 0.5)) if whole else (lo + hi) / 2


def _status(model, lo, hi, kept, involved, whole, domain) -> str:
    s = model.status
    stated = [max([domain[0], *(m[2] for m in kept)]), min([domain[1], *(m[3] for m in kept)])]
    if whole:
        stated = [_inward(stated[0], 0), _inward(stated[1], 1)]
    if involved:
        return s.in_conflict
    if lo == hi:
        return s.pinned
    if not kept:
        return s.implied
    return s.as_stated if _close(lo, stated[0]) and _close(hi, stated[1]) else s.tightened


def _expected(
    model, v: int, lo: float, hi: float, kept, reasons=("", ""), by_set=False, involved=False
) -> dict:
    """What the columns of quantity ``v`` must be, by the rules above, from its bounds and the
    mentions kept."""
    whole, domain = bool(model.q.whole[v]), (float(model.q.lo[v]), float(model.q.hi[v]))
    return {
        "lo": lo,
        "hi": hi,
        "value": _point(kept, lo, hi, whole, domain),
        "status": _status(model, lo, hi, kept, involved, whole, domain),
        "lower_by": _rows_of_end(kept, 0, lo, domain[0], whole, by_set, reasons[0]),
        "upper_by": _rows_of_end(kept, 1, hi, domain[1], whole, by_set, reasons[1]),
        "mentions": " ".join(model.m.ids[i] for i in model.mentions_of(v)),
    }


def _mentioned(model, v: int, left_out=()) -> list:
    m = model.m
    return [
        (m.ids[i], float(m.value[i]), float(m.lo[i]), float(m.hi[i]))
        for i in model.mentions_of(v)
        if m.ids[i] not in left_out
    ]


@FAST
@given(single_quantities())
def test_a_quantity_no_identity_names_is_the_meet_of_its_mentions(model):
    """Its interval is the meet of its mentions' and its domain (whole numbers inward for a count),
    worked out here from the rows themselves; its value, status and the rows that set its ends
    follow the rules above."""
    sol = model.solve_all()
    for v in range(len(model.q.ids)):
        kept = _mentioned(model, v)
        lo = max([float(model.q.lo[v]), *(m[2] for m in kept)])
        hi = min([float(model.q.hi[v]), *(m[3] for m in kept)])
        if model.q.whole[v]:
            lo, hi = _inward(lo, 0), _inward(hi, 1)
        if (
            not kept or lo > hi
        ):  # no evidence, or mentions that disagree: the set's own solve (below)
            continue
        for name, want in _expected(model, v, lo, hi, kept).items():
            assert _same(getattr(sol, name)[v], want), (name, v, getattr(sol, name)[v], want)
        assert (sol.identities[v], sol.conflict[v], sol.set_aside[v]) == ("", "", "")


FORMULAS = st.sampled_from(
    [
        "{q0}",
        "{q1} + {q2}",
        "{q2} * 2",
        "{q1} - {q3}",
        "{q3} * (1 + {q1} / 100)",
        "{q0} + {q1} + {q2}",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    single_quantities(),
    st.lists(
        st.tuples(
            st.sampled_from(["{q0}", "{q1}", "{q3}"]), st.sampled_from(["=", "<=", ">="]), FORMULAS
        ),
        max_size=3,
    ),
)
def test_the_sets_an_identity_links_are_filled_in_by_the_rules(model, identities):
    """Each quantity of a linked set (or whose mentions disagree) takes the bounds its set's solve
    gives, and its columns follow the rules above from them and the mentions not set aside; a bound
    that overflows is a conflict, no crash."""
    from stopitnow_figures.model.bounds import Relation

    qs = model.q
    n = max(4, len(qs.ids))
    grow = lambda a, fill: np.concatenate([a, np.full(n - len(a), fill, dtype=a.dtype)])  # noqa: E731
    qs = Quantities(
        [f"q{k}" for k in range(n)],
        grow(qs.whole, True),
        grow(qs.relation, False),
        grow(qs.distinct, False),
        grow(qs.lo, 0.0),
        grow(qs.hi, INF),
    )
    relations = [
        Relation(f"i{k}", left, rel, right) for k, (left, rel, right) in enumerate(identities)
    ]
    model = Model(qs, model.m, relations)
    sol = model.solve_all()
    for v in range(n):
        key, group = model.group(v)
        if key not in model.aside:
            continue  # solved with the quantities that need no solver (the test above)
        box, aside = model.solved(key, group), model.aside[key]
        left_out = {c.ident for c in aside if c.kind == "mention"}
        why = [
            (box.why_lo.get(v) or "").removeprefix("linear programme over "),
            (box.why_hi.get(v) or "").removeprefix("linear programme over "),
        ]
        involved = any(v in c.variables for c in aside)
        want = _expected(model, v, *box.get(v), _mentioned(model, v, left_out), why, True, involved)
        for name, value in want.items():
            assert _same(getattr(sol, name)[v], value), (name, v, getattr(sol, name)[v], value)
        named = sorted({c.ident for c in model.identity_rows if v in c.variables})
        assert sol.identities[v] == " ".join(named)


def _parse_as_written(formula, index):
    """The tree Python's own grammar reads in the formula, each {id} a name (the formula language is
    a part of Python's arithmetic): a reading independent of the package's parser to hold
    ``bounds.parse`` to."""
    import ast

    from stopitnow_figures.model.bounds import Node
    from stopitnow_figures.model.formulas import REF, FormulaError, is_id

    ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
    ids = REF.findall(formula)
    if not all(map(is_id, ids)):
        raise FormulaError("not an id")
    refs = iter(ids)
    text = REF.sub(lambda m: f"ref_{m.start()}", formula)
    names = {f"ref_{m.start()}": next(refs) for m in REF.finditer(formula)}

    def node(tree):
        if isinstance(tree, ast.Name) and tree.id in names:
            return Node("var", index[names[tree.id]])
        if isinstance(tree, ast.Constant) and type(tree.value) in (int, float):
            return Node("const", float(tree.value))
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
            return Node("neg", left=node(tree.operand))
        if isinstance(tree, ast.BinOp) and type(tree.op) in ops:
            return Node(ops[type(tree.op)], left=node(tree.left), right=node(tree.right))
        raise FormulaError(f"{type(tree).__name__} is outside the language")

    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise FormulaError("not arithmetic") from None
    return node(tree)


@given(
    FORMULAS | st.sampled_from(["{q9}", "-{q0}", "{q0} ** 2", "", "{Q}", "_v0 + {q1}", "_v5", "2"])
)
def test_a_formula_read_once_is_the_tree_it_was(formula):
    from stopitnow_figures.model.bounds import parse
    from stopitnow_figures.model.formulas import FormulaError

    index = {f"q{k}": 10 + k for k in range(4)}
    try:
        expected = _parse_as_written(formula, index)
    except (FormulaError, KeyError) as exc:
        with pytest.raises(type(exc)):
            parse(formula, index)
        return
    assert parse(formula, index) == parse(formula, index) == expected


# -- the checks of quantities and mentions ---------------------------------------------------------

QIDS = ["q-a", "q-b", "q-c", "q-d"]
FIDS = ["x-f01", "x-f02", "x-f03", "x-f04", "x-f05"]
PERIODS = [
    ("", ""),
    ("2016-01-01", "2016-12-31"),
    ("2016-04-01", "2017-03-31"),
    ("2017-01-01", "2017-12-31"),
]


@st.composite
def reconcile_tables(draw):
    """Small raw quantities and identities and cleaned figures that agree, or with one of the
    mistakes the checks look for (a quantity twice, an unknown id or place, a period rule that
    cannot apply, a figure of another measure, unit, place or period, a quantity nothing uses), or
    one the fast path leaves to the rows (a figure id twice, a shifted period)."""
    pick = lambda options: draw(st.sampled_from(options))  # noqa: E731
    n = draw(st.integers(1, 4))
    quantities, figures = [], []
    for k, qid in enumerate(draw(st.permutations(QIDS))[:n]):
        measure, unit, geo, (start, end) = (
            pick(["helpline_any", "website_visitors"]),
            pick(["people", "calls"]),
            pick(["", "S92000003"]),
            pick(PERIODS),
        )
        fid = f"x-f{k + 1:02d}"
        rule = pick(["", "span", f"of:{fid}"])
        quantities.append(
            {
                "quantity_id": qid,
                "description": "d",
                "measure": measure,
                "unit": unit,
                "counting": pick(["events", "distinct"]),
                "geography_code": geo,
                "period": rule,
                "note": "",
            }
        )
        for j in range(draw(st.integers(1, 2))):
            figures.append(
                {
                    "figure_id": fid if not j else f"x-f{k + 5:02d}",
                    "source_id": "x-source",
                    "quantity_id": qid,
                    "measure": measure,
                    "unit": unit,
                    "geography_code": pick(["", geo]),
                    "period_start": start,
                    "period_end": end,
                    "value": "5",
                    "lower": "5",
                    "upper": "5",
                }
            )
    qids = [q["quantity_id"] for q in quantities]
    identities = [
        {
            "identity_id": f"i{k}",
            "left": "{" + pick(qids) + "}",
            "relation": pick(["equals", "sum of parts"]),
            "right": "{" + pick(qids) + "}",
            "basis": "definition",
            "note": "n",
        }
        for k in range(draw(st.integers(0, 2)))
    ]
    mistake = draw(st.sampled_from([None, None, None, *MISTAKES]))
    if mistake:
        mistake(draw, quantities, figures, identities)
    return quantities, figures, identities


def _set(table, column, value):
    def apply(draw, quantities, figures, identities):
        rows = {"q": quantities, "f": figures, "i": identities}[table]
        if rows:
            draw(st.sampled_from(rows))[column] = value

    return apply


def _twice(table):
    def apply(draw, quantities, figures, identities):
        rows = {"q": quantities, "f": figures}[table]
        rows.append(
            dict(draw(st.sampled_from(rows)), description="again")
            if table == "q"
            else dict(draw(st.sampled_from(rows)))
        )

    return apply


def _unused(draw, quantities, figures, identities):
    quantities.append(dict(quantities[0], quantity_id="q-unused"))


MISTAKES = [
    _twice("q"),
    _twice("f"),
    _unused,
    _set("q", "geography_code", "X99"),
    _set("q", "geography_code", "S12000049"),
    _set("q", "period", "of:x-f09"),
    _set("q", "period", "shift:x-f01:1"),
    _set("q", "period", "shift:x-f01:x"),
    _set("q", "period", "of:"),
    _set("q", "period", "other"),
    _set("f", "quantity_id", "q-zzz"),
    _set("f", "measure", "share"),
    _set("f", "unit", "visits"),
    _set("f", "geography_code", "S12000049"),
    _set("f", "period_start", "2015-01-01"),
    _set("f", "period_end", "2018-01-01"),
    _set("i", "left", "{q-zzz}"),
    _set("i", "right", "{q-a} + {q-a}"),
    _set("i", "left", ""),
]


def _quantity_table(
    quantities, figures, identities, arrow: bool
) -> tuple[QuantityTable, Collector]:
    fig_names = [
        "figure_id",
        "source_id",
        "quantity_id",
        "measure",
        "unit",
        "geography_code",
        "period_start",
        "period_end",
        "value",
        "lower",
        "upper",
    ]
    tables = {
        "quantities": Table.from_rows(
            [
                "quantity_id",
                "description",
                "measure",
                "unit",
                "counting",
                "geography_code",
                "period",
                "note",
            ],
            quantities,
        ),
        "figures": Table.from_rows(fig_names, figures),
        "identities": Table.from_rows(
            ["identity_id", "left", "relation", "right", "basis", "note"], identities
        ),
        "geographies": Table.from_rows(
            ["geography_code"], [{"geography_code": "S92000003"}, {"geography_code": "S12000049"}]
        ),
    }
    if arrow:  # as read by Arrow from a large file
        for t in ("quantities", "figures"):
            tables[t] = Table(
                tables[t].names,
                {
                    n: pa.chunked_array([pa.array(tables[t].column(n), type=pa.string())])
                    for n in tables[t].names
                },
                None,
                len(tables[t]),
            )
    problems = Collector()
    return QuantityTable(Paths(ROOT), VOCAB, tables, problems), problems


def _problems_by_hand(quantities, figures, identities) -> list[tuple]:
    """What the checks of quantities and mentions must find, row by row from the dicts: each id
    once, a known place, a period rule that applies; each figure naming a known quantity (its last
    row) in its measure, unit, place and period; each quantity used (said at the last row of its
    id)."""
    from stopitnow_figures.model.formulas import inputs, period_of_rule

    periods = {f["figure_id"]: (f["period_start"], f["period_end"]) for f in figures}
    last = {q["quantity_id"]: (k + 2, q) for k, q in enumerate(quantities)}
    out, seen = [], set()
    for k, q in enumerate(quantities):
        line = k + 2
        if q["quantity_id"] in seen:
            out.append(
                (
                    "duplicate-id",
                    line,
                    "quantity_id",
                    q["quantity_id"],
                    "each quantity is listed once",
                )
            )
        seen.add(q["quantity_id"])
        if q["geography_code"] and q["geography_code"] not in ("S92000003", "S12000049"):
            out.append(
                (
                    "unknown-id",
                    line,
                    "geography_code",
                    q["geography_code"],
                    "no row of raw/geographies.csv has this code",
                )
            )
        if period_of_rule(q["period"], [], periods) is None:
            out.append(
                (
                    "bad-period",
                    line,
                    "period",
                    q["period"],
                    "use of:<figure id>, shift:<figure id>:<years>, or leave empty",
                )
            )
    for f in figures:
        if f["quantity_id"] not in last:
            out.append(
                (
                    "unknown-id",
                    None,
                    "quantity_id",
                    f["quantity_id"],
                    "no row of raw/quantities.csv has this id",
                )
            )
            continue
        q = last[f["quantity_id"]][1]
        for c in ("measure", "unit"):
            if f[c] != q[c]:
                out.append(
                    (
                        "quantity-mismatch",
                        None,
                        c,
                        f[c],
                        f"the quantity {q['quantity_id']} has {c} {q[c]!r}",
                    )
                )
        if f["geography_code"] and f["geography_code"] != q["geography_code"]:
            message = (
                f"the figure's place {f['geography_code']} is not its quantity's "
                f"({q['geography_code'] or 'none'})"
            )
            out.append(("quantity-mismatch", None, "geography_code", f["geography_code"], message))
        p = period_of_rule(q["period"], [], periods)
        if (
            p
            and p[0]
            and f["period_start"]
            and not (p[0] <= f["period_start"] and f["period_end"] <= p[1])
        ):
            message = (
                f"the figure's period {f['period_start']} to {f['period_end']} is not within its "
                f"quantity's ({p[0]} to {p[1]})"
            )
            out.append(("quantity-mismatch", None, "period_start", f["period_start"], message))
    used = {f["quantity_id"] for f in figures} | {
        i for r in identities for i in inputs(r["left"]) + inputs(r["right"])
    }
    for qid, (line, _) in last.items():
        if qid not in used:
            out.append(
                (
                    "unused-row",
                    line,
                    "quantity_id",
                    qid,
                    "no figure mentions this quantity and no identity uses it",
                )
            )
    return sorted(out, key=repr)


@settings(max_examples=300, deadline=None)
@given(reconcile_tables(), st.booleans())
def test_the_checks_find_each_mistake_at_its_row(tables, arrow):
    """The checks (each on whole columns, the failing rows read one by one) find what reading the
    rows one by one by hand finds, at the same rows with the same words; and each quantity's period
    is its rule's."""
    checks, problems = _quantity_table(*tables, arrow)
    checks.check()
    found = [
        (p.type, p.line, p.column, p.value, p.message)
        for p in problems.problems
        if p.file != checks.i_display
    ]
    assert sorted(found, key=repr) == _problems_by_hand(*tables)
    from stopitnow_figures.model.formulas import period_of_rule

    periods = {f["figure_id"]: (f["period_start"], f["period_end"]) for f in tables[1]}
    first, last = (c.to_pylist() for c in checks.quantity_periods)
    by_rule = [period_of_rule(q["period"], [], periods) for q in tables[0]]
    assert by_rule == [None if a is None else (a, b) for a, b in zip(first, last, strict=True)]


class _AsWritten(QuantityTable):
    """The identity checks with every quantity in a map (its last row's counting), made here from
    the rows."""

    @property
    def index(self):
        return {q: k for k, q in enumerate(self.t["quantities"].column("quantity_id"))}

    def counting_of(self, qid):
        return self.t["quantities"].column("counting")[self.index[qid]]


@settings(max_examples=200, deadline=None)
@given(reconcile_tables(), st.booleans())
def test_the_identity_checks_look_up_only_the_ids_they_name(tables, arrow):
    fast, found = _quantity_table(*tables, arrow)
    quantities, figures, identities = tables
    slow = _AsWritten(fast.paths, VOCAB, _quantity_table(*tables, arrow)[0].t, Collector())
    assert fast.check_identities() == slow.check_identities()
    assert sorted(map(str, found.problems)) == sorted(map(str, slow.problems.problems))


# -- hand-edited tables read by Arrow --------------------------------------------------------------

NAMES = ["a", "b", "c"]


def _read(path, **kw):
    problems = Collector()
    table = read_table(path, NAMES, problems, display="t.csv", **kw)
    return [r.cells for r in table], table.lines, sorted(map(str, problems.problems))


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet='ab ,"\n=-+5\xa0é\r\t', max_size=60))
def test_a_hand_edited_table_read_by_arrow_is_read_as_the_strict_reader_reads_it(
    tmp_path_factory, body
):
    """Even text after a closing quote (Arrow's one leniency) is refused and located as the strict
    reader does."""
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text("a,b,c\n" + body, encoding="utf-8", newline="")
    strict = _read(path)
    old = csvio.ARROW_MIN_BYTES
    csvio.ARROW_MIN_BYTES = 0
    try:
        fast = _read(path, checked_arrow=True)
    finally:
        csvio.ARROW_MIN_BYTES = old
    assert fast == strict


def test_a_cell_longer_than_the_csv_modules_limit_is_left_to_the_strict_reader(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n" + "x" * 1001 + ",1,2\n", encoding="utf-8")
    old_bytes, old_limit = csvio.ARROW_MIN_BYTES, csvio.FIELD_LIMIT
    csvio.ARROW_MIN_BYTES, csvio.FIELD_LIMIT = 0, 1000
    try:
        assert _read(path, checked_arrow=True) == _read(path)
        assert "[bad-csv]" in _read(path)[2][0]
    finally:
        csvio.ARROW_MIN_BYTES, csvio.FIELD_LIMIT = old_bytes, old_limit


def test_the_longest_cell_read_does_not_follow_the_limit_another_library_set(tmp_path):
    """frictionless raises the csv module's limit for the whole process when imported: a table must
    read the same (here: a cell one longer than the limit refused) before and after."""
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n" + "x" * (csvio.FIELD_LIMIT + 1) + ",1,2\n", encoding="utf-8")
    old_limit = csv.field_size_limit(csvio.FIELD_LIMIT * 100)
    try:
        assert "[bad-csv]" in _read(path)[2][0]
        assert (
            csv.field_size_limit() == csvio.FIELD_LIMIT * 100
        )  # and the process's limit is left as it was
    finally:
        csv.field_size_limit(old_limit)


# -- text tables and output frames -----------------------------------------------------------------


def _check_text_cell_by_cell(table, schema_path, display):
    """The constraints of a raw table as a curator reads them, every cell in turn: a required cell
    of white space alone is empty; a cell that is not empty (white space alone included) and not a
    word of its vocabulary is not in it."""
    out = []
    for f in schema.load_schema(schema_path)["fields"]:
        cons = f.get("constraints", {})
        for cell, line in zip(table.column(f["name"]), table.lines, strict=True):
            if cons.get("required") and not cell.strip():
                out.append(
                    schema.Problem(display, line, f["name"], "required", cell, "must not be empty")
                )
            elif cell and "enum" in cons and cell not in cons["enum"]:
                out.append(
                    schema.Problem(
                        display,
                        line,
                        f["name"],
                        "not-in-vocabulary",
                        cell,
                        f"must be one of {cons['enum']}",
                    )
                )
    return out


TEXT_CELLS = (
    "",
    " ",
    "\u2003",
    "x",
    "events",
    "distinct",
    "relation",
    "Events",
    " events",
    "é",
    "\x1c",
    "-",
)
TEXT = st.sampled_from(TEXT_CELLS)


def test_every_text_cell_in_every_column_is_checked_as_cell_by_cell():
    """Each of TEXT's cells in each column, a row each (the others 'x'), in one table: the checks
    name problems by cell, so one table holds every case."""
    rows = [
        tuple(cell if k == column else "x" for k in range(5))
        for column in range(5)
        for cell in TEXT_CELLS
    ]
    for arrow in (False, True):
        _text_table_agrees(rows, arrow)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT), max_size=12), st.booleans())
def test_a_text_table_is_checked_as_cell_by_cell(rows, arrow):
    _text_table_agrees(rows, arrow)


def _text_table_agrees(rows: list[tuple], arrow: bool) -> None:
    """check_frame finds in a raw/quantities text table (read as text, or through Arrow) exactly
    the problems its cells give checked one by one."""
    names = ["quantity_id", "description", "measure", "unit", "counting"]
    table = Table.from_rows(names, [dict(zip(names, r, strict=True)) for r in rows])
    if arrow:
        table = Table(
            names,
            {n: pa.chunked_array([pa.array(table.column(n), type=pa.string())]) for n in names},
            [i + 2 for i in range(len(rows))],
            len(rows),
        )
    path = ROOT / "schemas" / "raw" / "quantities.schema.json"
    got = schema.check_frame(table, path, "raw/quantities", "q", blank_is_empty=True)
    assert sorted(got) == sorted(_check_text_cell_by_cell(table, path, "q"))


QUANTITY_CELLS = {  # the first of each is right
    "quantity_id": ["a-b", "ab1", "A-b", "a-", "x", "a-b\n", ""],
    "description": ["d", "", " "],
    "measure": ["helpline_any", "share", "nope", ""],
    "period_start": ["2016-01-01", "", "2016-02-30", "1500-01-01", "2016-1-01", "x"],
    "status": ["pinned", "as stated", "fine", ""],
    "value": [1.0, math.nan, -3.5, INF],
}


@st.composite
def quantity_rows(draw):
    """Rows of processed/quantities.csv, right (ids each once) or with a cell or two that may be
    wrong."""
    rows = [
        {n: cells[0] for n, cells in QUANTITY_CELLS.items()} | {"quantity_id": f"a-{k}"}
        for k in range(draw(st.integers(1, 6)))
    ]
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(sorted(QUANTITY_CELLS)))
        draw(st.sampled_from(rows))[name] = draw(st.sampled_from(QUANTITY_CELLS[name]))
    return rows


def _agree(rows: list[dict], arrow: bool) -> None:
    """The quick check passes the rows exactly where pandera finds nothing, and ``check_frame``
    finds what pandera finds."""
    path = ROOT / "schemas" / "quantities.schema.json"
    names = schema.field_names(schema.load_schema(path))
    text = lambda c: pa.chunked_array([pa.array(c, type=pa.string())]) if arrow else c  # noqa: E731
    cols = {
        n: text([r.get(n, "") for r in rows]) for n in names if n not in ("value", "lower", "upper")
    }
    cols |= {n: np.array([r["value"] for r in rows]) for n in ("value", "lower", "upper")}
    for n in ("unit", "counting"):
        cols[n] = text(["people"] * len(rows) if n == "unit" else ["events"] * len(rows))
    quick, found = _quick_and_pandera(cols, path, "quantities", VOCAB, blank_is_empty=False)
    assert quick == (not found), (rows, arrow)
    assert bool(schema.check_frame(cols, path, "quantities", "q", vocabulary=VOCAB)) == found


def test_each_cell_of_a_quantity_alone_is_judged_alike_by_the_quick_check_and_pandera():
    """Every cell of QUANTITY_CELLS, each in a row otherwise right, as text and through Arrow: each
    case once, where random draws would meet some many times and others late."""
    right = {n: cells[0] for n, cells in QUANTITY_CELLS.items()}
    for name, values in QUANTITY_CELLS.items():
        for value in values:
            for arrow in (False, True):
                _agree([right | {name: value}], arrow)


@settings(max_examples=60, deadline=None)
@given(quantity_rows(), st.booleans())
def test_an_output_passed_by_the_quick_check_is_one_pandera_passes(rows, arrow):
    """Several rows, up to two cells of them changed (one cell alone: the test above)."""
    _agree(rows, arrow)


@given(st.lists(st.sampled_from(["a", "b", "", "ab", "é", "b"]), max_size=8))
def test_cells_are_all_distinct_where_a_set_of_them_is_as_long(cells):
    assert csvio.all_distinct(pa.chunked_array([pa.array(cells, type=pa.string())])) == (
        len(set(cells)) == len(cells)
    )
