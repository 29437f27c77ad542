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


COLUMNS = (
    "lo",
    "hi",
    "value",
    "status",
    "lower_by",
    "upper_by",
    "mentions",
    "identities",
    "conflict",
    "set_aside",
)


@FAST
@given(single_quantities())
def test_a_quantity_no_identity_names_is_solved_at_once_as_the_solver_solves_it(model):
    """Its interval is the meet of its mentions' and its domain, and its value, status and rows are
    the solver's; the rows that set an end differ in two cases only, both the fast path's own rule
    since it was written: an end that is the domain's (a count's 0) names no row, where the solver
    names the mentions at it; and an end rounded inward to a whole number names every mention whose
    bound it rounds, where the solver names the first that moved it."""
    fast = model.solve_all()
    general = model.solve_all()
    for v in range(len(model.q.ids)):
        model._solve_into(general, *model.group(v))
    at = model.mentions_of
    for v in range(len(model.q.ids)):
        for name in COLUMNS:
            a, b = getattr(fast, name)[v], getattr(general, name)[v]
            if name in ("lower_by", "upper_by") and not _same(a, b):
                side = 0 if name == "lower_by" else 1
                end, stated = (
                    float((fast.lo, fast.hi)[side][v]),
                    [float((model.m.lo, model.m.hi)[side][i]) for i in at(v)],
                )
                tightest = (max, min)[side](stated)
                assert end == (model.q.lo, model.q.hi)[side][v] or (
                    model.q.whole[v] and end != tightest
                ), (name, v)
                expected = [
                    model.m.ids[i]
                    for i, x in zip(at(v), stated, strict=True)
                    if math.isclose(x, tightest, rel_tol=1e-9, abs_tol=1e-9)
                ]
                at_domain = not (
                    tightest > model.q.lo[v] if side == 0 else tightest < model.q.hi[v]
                )
                assert a == ("" if at_domain or not math.isfinite(tightest) else " ".join(expected))
                continue
            assert _same(a, b), (name, v, a, b)


def _simple_columns_row_by_row(model, simple, lo, hi, stated_lo, stated_hi):
    """``Model._simple_columns`` as it was written, one quantity at a time."""
    m = model.m
    sets_lo = (
        np.isclose(m.lo, stated_lo[m.quantity], rtol=1e-9, atol=1e-9)
        & np.isfinite(m.lo)
        & (stated_lo[m.quantity] > model.q.lo[m.quantity])
    )
    sets_hi = (
        np.isclose(m.hi, stated_hi[m.quantity], rtol=1e-9, atol=1e-9)
        & np.isfinite(m.hi)
        & (stated_hi[m.quantity] < model.q.hi[m.quantity])
    )
    n = len(model.q.ids)
    status, lower_by, upper_by, mentions = [""] * n, [""] * n, [""] * n, [""] * n
    for v in np.flatnonzero(simple).tolist():
        at = model.mentions_of(v)
        ids = [m.ids[i] for i in at]
        mentions[v] = " ".join(ids)
        lower_by[v] = " ".join(ids[j] for j, i in enumerate(at) if sets_lo[i])
        upper_by[v] = " ".join(ids[j] for j, i in enumerate(at) if sets_hi[i])
        status[v] = model.status.pinned if lo[v] == hi[v] else model.status.as_stated
    return status, lower_by, upper_by, mentions, [""] * n, [""] * n, [""] * n


def _best_mentions_by_sorting_every_id(model):
    """``Model._best_mentions`` as it was written: every id ranked."""
    m = model.m
    width = np.where(np.isfinite(m.hi) & np.isfinite(m.lo), m.hi - m.lo, INF)
    rank = np.argsort(np.argsort(np.array(m.ids, dtype=object), kind="stable"), kind="stable")
    order = np.lexsort((rank, width, m.quantity))
    first = np.searchsorted(m.quantity[order], np.arange(len(model.q.ids)))
    return order[np.minimum(first, len(order) - 1)]


@FAST
@given(single_quantities(), st.data())
def test_the_columns_of_the_simple_quantities_are_made_as_one_at_a_time(model, data):
    n = len(model.q.ids)
    simple = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n))) & (
        np.diff(model._start) > 0
    )
    stated_lo, stated_hi = np.full(n, -INF), np.full(n, INF)
    np.maximum.at(stated_lo, model.m.quantity, model.m.lo)
    np.minimum.at(stated_hi, model.m.quantity, model.m.hi)
    lo, hi = np.maximum(stated_lo, model.q.lo), np.minimum(stated_hi, model.q.hi)
    args = (simple, lo, hi, stated_lo, stated_hi)
    assert model._simple_columns(*args) == _simple_columns_row_by_row(model, *args)
    if len(model.m.ids):
        assert np.array_equal(model._best_mentions(), _best_mentions_by_sorting_every_id(model))


def _solve_into_as_written(model, sol, key, group):
    """``Model._solve_into`` as it was written: each quantity's rows found among all the set's, each
    mention by its id."""
    from stopitnow_figures.model.bounds import _why, point_value, status_of

    box = model.solved(key, group)
    aside, conflicts = model.aside[key], model.conflicts[key]
    every = model.rows(key, group)
    for v in group:
        mine = [c for c in every if c.kind == "mention" and int(c.left.arg) == v]
        kept = [c for c in mine if c not in aside]
        lo, hi = box.get(v)
        stated = model.stated(v, kept)
        involved = any(v in c.variables for c in aside)
        sol.lo[v], sol.hi[v] = lo, hi
        sol.status[v] = status_of(model.status, lo, hi, stated, bool(kept), involved)
        sol.lower_by[v] = " ".join(_why(box.why_lo.get(v), kept, 0, lo))
        sol.upper_by[v] = " ".join(_why(box.why_hi.get(v), kept, 1, hi))
        sol.value[v] = point_value(
            [model.mention_of(c.ident) for c in kept],
            lo,
            hi,
            v in model.whole,
            model.domain([v])[v],
        )
        sol.mentions[v] = " ".join(c.ident for c in mine)
        sol.identities[v] = " ".join(
            sorted({c.ident for c in every if c.kind == "identity" and v in c.variables})
        )
        touches = any(v in c.variables for c in every if c.ident in conflicts)
        sol.conflict[v] = " ".join(conflicts) if touches else ""
        sol.set_aside[v] = " ".join(dict.fromkeys(c.ident for c in aside if v in c.variables))


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
            st.sampled_from(["{q0}", "{q1}", "{q3}"]),
            st.sampled_from(["=", "<=", ">=", "sum"]),
            FORMULAS,
        ),
        max_size=3,
    ),
    st.booleans(),
)
def test_the_sets_an_identity_links_are_filled_in_as_written(model, identities, twice):
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
    ids = list(model.m.ids)
    if twice and len(ids) > 1:
        ids[-1] = ids[0]  # a figure id twice: the mention of that id is its last
    ms = Mentions(ids, model.m.quantity, model.m.value, model.m.lo, model.m.hi)
    relations = [
        Relation(f"i{k}", left, rel, right) for k, (left, rel, right) in enumerate(identities)
    ]
    new, old = Model(qs, ms, relations), Model(qs, ms, relations)
    fast = new.solve_all()
    written = old.solve_all()
    for k, group in enumerate(old.sets):
        _solve_into_as_written(old, written, k, group)
    for name in COLUMNS:
        assert all(
            _same(a, b) for a, b in zip(getattr(fast, name), getattr(written, name), strict=True)
        ), name


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
            ["identity_id", "left", "relation", "right", "note"], identities
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


@settings(max_examples=300, deadline=None)
@given(reconcile_tables(), st.booleans())
def test_the_checks_on_whole_columns_pass_only_where_the_rows_one_by_one_do(tables, arrow):
    """Where the column-wise checks pass, the row-wise ones find nothing (where they may fail, the
    row-wise ones run and locate each problem); and each quantity's period is the one its rule
    gives, row by row."""
    fast, _ = _quantity_table(*tables, arrow)
    rows, problems = _quantity_table(*tables, arrow)
    rows.check_quantities()
    rows.check_mentions()
    rows.check_unused()
    if fast.surely_holds():
        assert problems.problems == []
    if len({q["quantity_id"] for q in tables[0]}) == len(tables[0]):
        by_rule = [rows.period_of(r) for r in rows.t["quantities"]]
        first, last = (c.to_pylist() for c in fast.quantity_periods)
        assert [None if p is None else p for p in by_rule] == [
            None if a is None else (a, b) for a, b in zip(first, last, strict=True)
        ]


class _AsWritten(QuantityTable):
    """The identity checks as they were written: every quantity in a map, its last row's
    counting."""

    @property
    def index(self):
        return {q: k for k, q in enumerate(self.rows)}

    def counting_of(self, qid):
        return self.rows[qid]["counting"]


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


TEXT = st.sampled_from(
    [
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
    ]
)


@FAST
@given(st.lists(st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT), max_size=12), st.booleans())
def test_a_text_table_is_checked_as_cell_by_cell(rows, arrow):
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


@settings(max_examples=200, deadline=None)
@given(quantity_rows(), st.booleans())
def test_an_output_passed_by_the_quick_check_is_one_pandera_passes(rows, arrow):
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
    assert quick == (not found)
    assert bool(schema.check_frame(cols, path, "quantities", "q", vocabulary=VOCAB)) == found


@given(st.lists(st.sampled_from(["a", "b", "", "ab", "é", "b"]), max_size=8))
def test_cells_are_all_distinct_where_a_set_of_them_is_as_long(cells):
    assert csvio.all_distinct(pa.chunked_array([pa.array(cells, type=pa.string())])) == (
        len(set(cells)) == len(cells)
    )
