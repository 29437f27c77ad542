"""derive: derived metrics, rates and claim checks, from reconciled quantities.

Reads the candidate's processed/figures.csv (clean has checked it), its
processed/quantities.csv and processed/identities.csv (reconcile has written
them), processed/geographies.csv, raw/reference/population.csv,
raw/derivations.csv, raw/claims.csv and params.yaml; writes the candidate's
processed/derived.csv, processed/claims.csv, processed/population.csv and
processed/series.csv (the quantities comparable by definition in time order,
gaps marked: ``model.series`` holds the rule; raw/quantities.csv is read only
to locate two quantities of one series and period).

Formulas name quantities (never single figures: a quantity holds all the
evidence of its mentions), metrics and reference rows. Every derived number
carries its formula (see ``formulas``) and the ids of its inputs; ``lower``/
``upper`` come from evaluating the same formula on the inputs' intervals, and
``value_basis`` says what its value is: pinned where the interval is one
value, else the least certain of its inputs' bases (``Environment.basis_of``,
the one place for metrics and rates alike).

Two rates are made for every count quantity of a flow (not a stock such as an
estimate of offenders) with a place, a period and a population estimate: per
``derive.rate_per`` people over the period, and per ``derive.rate_per``
people per month (the period's length in months is in the description). The
estimate is the one for the year of the period's midpoint, or the nearest
year (the earlier on a tie), and the description says which. A rate's unit is
built from the parameter, so changing it changes the labels with the values.

Claims are decided by ``claims``: each stated number against what the rest of
the evidence allows, the figure left out of its own check.

At a million figures the rates are two million rows, most of what derive
writes: they are made, checked and written a column at a time, their text in
Arrow (no Python string for each cell), and the inputs are let go as soon as
the last step that reads them is done. The CSV is written by
``csvio.write_tables``.
"""

from __future__ import annotations

__all__ = [
    "check_unevaluated",
    "main",
    "read_curated",
    "run",
]  # what a command may call (tests/test_layout.py)

import sys
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ..model import series
from ..model.bounds import model_of_tables
from ..model.claims import ClaimChecker, fmt
from ..model.formulas import (
    Periods,
    evaluate_many,
    evaluate_shape,
    inputs,
    parse,
    parse_one,
    period_of_rule,
)
from ..model.intervals import Interval
from ..model.periods import reference_date
from ..model.places import is_union, members_of
from ..tables import config, raw, vocab
from ..tables.csvio import Row, Table, formula_cells, read_table, write_tables
from ..tables.errors import Collector, Problem
from ..tables.paths import Paths
from ..tables.schema import (
    check_frame,
    field_names,
    field_types,
    load_schema,
    read_package_table,
)
from ..tables.vocab import Vocabulary


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    vocabulary = vocab.load(paths.schemas)
    params = config.read(paths, "params", problems)
    t = read_inputs(paths, vocabulary, problems)
    problems.raise_if_any()

    # -- process -----------------------------------------------------------
    series_cols = series_table(paths, vocabulary, t["quantities"], problems)
    metrics, rates, claim_cols, notes = derive_evidence(paths, vocabulary, params, t, problems)
    problems.raise_if_any()
    tables = {
        "series": series_cols,
        "derived": merge_sorted(
            sorted_by(metrics, "metric_id"), rates, "metric_id"
        ),  # each rates column freed once merged
        "claims": sorted_by(claim_cols, "claim_id"),
        "population": sorted_by(
            {n: t["population"].column(n) for n in t["population"].names}, "population_id"
        ),
    }
    problems.extend(check_outputs(paths, vocabulary, tables, t["derivations"], t["claims"]))
    problems.raise_if_any()

    # -- save outputs ------------------------------------------------------
    write_outputs(paths, tables)
    write_quantities(paths, t["quantities"], notes)


def series_table(
    paths: Paths, vocabulary: Vocabulary, quantities: Table, problems: Collector
) -> dict[str, list[str]]:
    """The series of the quantities (``model.series``: the rule, its ids and rows), a row per member
    and gap, checked against its schema. Two quantities of one series and period are each a problem
    at the later one's line of raw/quantities.csv."""
    cells = zip(*(quantities.column(n) for n in series.COLUMNS), strict=True)
    clashes: list[series.SeriesClash] = []
    made = series.rows(
        vocabulary, [dict(zip(series.COLUMNS, c, strict=True)) for c in cells], clashes
    )
    if clashes:
        display = paths.rel(paths.raw_quantities)
        raw_quantities = read_table(
            paths.raw_quantities, raw.columns(paths, "quantities"), problems, display=display
        )
        line = dict(zip(raw_quantities.column("quantity_id"), raw_quantities.lines, strict=True))
        for c in clashes:
            problems.add(
                "series-clash",
                display,
                line.get(c.quantity_ids[1]),
                "quantity_id",
                c.quantity_ids[1],
                str(c),
            )
        return {}
    cols = {n: [r[n] for r in made] for n in field_names(load_schema(paths.schema("series")))}
    problems.extend(
        check_frame(
            cols,
            paths.schema("series"),
            "series",
            paths.rel(paths.candidate.table("series")),
            vocabulary=vocabulary,
        )
    )
    return cols


def read_inputs(paths: Paths, vocabulary: Vocabulary, problems: Collector) -> dict[str, Table]:
    """Every table derive reads, by name: the candidate's figures first, then the curated tables
    (see ``read_curated``), then the rest of the candidate."""

    def candidate(name: str) -> Table:
        return read_package_table(paths, paths.candidate.table(name), name, problems)

    t = {"figures": candidate("figures")}
    t |= read_curated(paths, vocabulary, problems)
    t |= {n: candidate(n) for n in ("identities", "geographies")}
    # the candidate's quantities table is derive's to write, with each one's rate note
    t["quantities"] = read_package_table(paths, paths.reconciled_quantities, "quantities", problems)
    return t


def read_curated(paths: Paths, vocabulary: Vocabulary, problems: Collector) -> dict[str, Table]:
    """raw/reference/population.csv (checked against its schema), raw/derivations.csv and
    raw/claims.csv, by name: what derive reads of raw/, each read alone (``stopitnow-figures check``
    reads them whatever else fails)."""
    t = {
        "population": read_table(
            paths.raw_population,
            field_names(load_schema(paths.schema("population"))),
            problems,
            display=paths.rel(paths.raw_population),
        )
    }
    for name, path in (("derivations", paths.raw_derivations), ("claims", paths.raw_claims)):
        t[name] = raw.read(paths, name, path, problems)
    problems.extend(
        check_frame(
            t["population"],
            paths.schema("population"),
            "population",
            paths.rel(paths.raw_population),
            vocabulary=vocabulary,
        )
    )
    return t


def derive_evidence(
    paths: Paths, vocabulary: Vocabulary, params: dict, t: dict[str, Table], problems: Collector
) -> tuple[dict, dict, dict, object]:
    """The metrics (the populations of unions of areas among them), the claims decided, the rates,
    and the rate note of each quantity (Arrow text, in the quantities' order). The figures and
    identities are taken out of ``t`` and each let go once the last step that reads it is done, the
    reconciliation with them once the claims are decided (before the rates are made): at a million
    figures they hold most of the memory."""
    figures, quantities, identities = t.pop("figures"), t["quantities"], t.pop("identities")
    env = Environment.from_tables(
        quantities, t["population"], vocabulary.enum("derived", "value_basis")
    )
    model = model_of_tables(vocabulary, figures, quantities, identities)
    checker = ClaimChecker(vocabulary, params, figures, model, env.lookup, of_model=True)
    named = FigureQuantities(checker)
    metrics, claim_rows = check_inputs(paths, vocabulary, t, figures, env, named, problems)
    unions = union_populations(
        paths,
        vocabulary,
        t["geographies"],
        _estimates(t["population"], metrics, vocabulary),
        env,
        problems,
    )
    metrics = {n: _joined(col, unions[n]) for n, col in metrics.items()}
    del figures, identities  # the checker keeps the few columns of the figures it reads
    claims = check_claims(paths, vocabulary, claim_rows, checker, problems)
    del checker, named, model
    estimates = _estimates(t["population"], metrics, vocabulary)
    notes = rate_notes(vocabulary, quantities, t["geographies"], estimates)
    rates = rate_metrics(
        vocabulary,
        quantities,
        notes,
        t["geographies"],
        estimates,
        env,
        params["derive"]["rate_per"],
    )
    return metrics, rates, claims, notes


def check_inputs(
    paths: Paths,
    vocabulary: Vocabulary,
    t: dict[str, Table],
    figures: Table,
    env: Environment,
    named: Mapping[str, str],
    problems: Collector,
    *,
    evaluate: bool = True,
) -> tuple[dict, list[Row]]:
    """Every check of raw/derivations.csv and raw/claims.csv against the figures, quantities and
    reference rows: each derivation's place, formula, ids (none a figure's, no cycle) and period
    rule; every stated relation checked by a claim; each claim's id, figure, relation and formula.
    The metrics, evaluated level by level where ``evaluate`` (``stopitnow-figures check`` has no
    solved quantity to evaluate them on: it runs every check here but the evaluation, each metric's
    value left NaN), and the claim rows that can be decided. ``named``: the quantity of each figure,
    by figure id."""
    problems.extend(check_codes(paths, t["derivations"], t["geographies"]))
    metrics = derive_metrics(paths, t["derivations"], env, named, problems, evaluate=evaluate)
    check_relations_claimed(paths, vocabulary, figures, t["claims"], problems)
    claims = valid_claims(
        t["claims"], env, named, vocabulary, paths.rel(paths.raw_claims), problems
    )
    return metrics, claims


def check_unevaluated(
    paths: Paths,
    vocabulary: Vocabulary,
    t: dict[str, Table],
    figures: Table,
    quantities: Table,
    problems: Collector,
) -> None:
    """derive's checks as ``stopitnow-figures check`` runs them, with no solved quantity
    (``quantities``: their ids and periods, as reconcile has checked them): ``check_inputs`` without
    evaluating, then, as the stage does once every row could be made, the schema checks of the
    columns of its tables that the raw rows give (a metric's period included, from its rule and its
    inputs'; not what an evaluation or a decided claim gives). The series are made as the stage
    makes them: two quantities of one series and period are found here too."""
    series_table(paths, vocabulary, quantities, problems)
    env = Environment.from_tables(
        quantities, t["population"], vocabulary.enum("derived", "value_basis")
    )
    named = dict(zip(figures.column("figure_id"), figures.column("quantity_id"), strict=True))
    metrics, claim_rows = check_inputs(
        paths, vocabulary, t, figures, env, named, problems, evaluate=False
    )
    if problems:
        return
    cells = [claim_cells(r, inputs(r["formula"]), "") for r in claim_rows]
    claims = {n: [c[n] for c in cells] for n in CLAIM_CELLS}
    tables = {"derived": sorted_by(metrics, "metric_id"), "claims": sorted_by(claims, "claim_id")}
    fields = {"derived": tuple(n for n in metrics if n not in EVALUATED), "claims": tuple(claims)}
    problems.extend(check_outputs(paths, vocabulary, tables, t["derivations"], t["claims"], fields))


# the columns of a derived metric that only its evaluation gives
EVALUATED = ("value", "lower", "upper")


def check_relations_claimed(
    paths: Paths, vocabulary: Vocabulary, figures: Table, claims: Table, problems: Collector
) -> None:
    """The claim rule: every figure whose measure is a relation an article states about its own
    numbers (schemas/vocabulary.json measures.relations: a percentage change, a share, a multiple, a
    difference) is checked by a row of raw/claims.csv naming it; each one that is not is a problem
    at its line of raw/figures.csv (read only then). A claim row counts whatever else is wrong with
    it (that is reported with the row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    relations = pa.array(list(vocabulary.relations), type=pa.string())
    claimed = pa.array(sorted(set(claims.column("figure_id"))), type=pa.string())
    ids, measures = figures.arrow("figure_id"), figures.arrow("measure")
    unchecked = pc.and_(
        pc.is_in(measures, value_set=relations), pc.invert(pc.is_in(ids, value_set=claimed))
    )
    if not pc.any(unchecked).as_py():
        return
    display = paths.rel(paths.raw_figures)
    raw_figures = read_table(
        paths.raw_figures, raw.columns(paths, "figures"), problems, display=display
    )
    line = dict(zip(raw_figures.column("figure_id"), raw_figures.lines, strict=True))
    for fid, measure in zip(
        pc.filter(ids, unchecked).to_pylist(),
        pc.filter(measures, unchecked).to_pylist(),
        strict=True,
    ):
        message = (
            f"{fid} is a {measure.replace('_', ' ')} the article states, and no row of "
            f"{paths.rel(paths.raw_claims)} checks it: "
            f"add one with figure_id {fid} and the formula that computes it from quantities"
        )
        problems.add("unchecked-relation", display, line.get(fid), "measure", measure, message)


class FigureQuantities:
    """The quantity each figure mentions, by figure id, as the claim checker finds it (no dict of
    every figure)."""

    def __init__(self, checker: ClaimChecker) -> None:
        self.checker = checker

    def __contains__(self, figure_id: object) -> bool:
        return self.checker.knows(figure_id)

    def __getitem__(self, figure_id: str) -> str:
        return self.checker.quantity(figure_id)


def check_codes(paths: Paths, derivations: Table, geographies: Table) -> list[Problem]:
    """Each derivation's geography code is a row of the geographies table (the foreign key), located
    at its raw row."""
    problems = Collector()
    known = set(geographies.column("geography_code"))
    display = paths.rel(paths.raw_derivations)
    for r in derivations:
        if r["geography_code"] and r["geography_code"] not in known:
            problems.add(
                "unknown-id",
                display,
                r.line,
                "geography_code",
                r["geography_code"],
                "no row of raw/geographies.csv has this code",
            )
    return problems.problems


def check_outputs(
    paths: Paths,
    vocabulary: Vocabulary,
    tables: dict,
    derivations: Table,
    claims: Table,
    fields: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Problem]:
    """The schema checks of what derive is about to write, each problem located at the raw row it
    came from (of only the ``fields`` of each table, where given: see ``schema.check_frame``)."""
    raw_lines = dict(zip(derivations.column("metric_id"), derivations.lines, strict=True))
    raw_lines |= dict(zip(claims.column("claim_id"), claims.lines, strict=True))
    out: list[Problem] = []
    for name, display, key, source_column in (
        ("derived", paths.raw_derivations, "metric_id", "description"),
        ("claims", paths.raw_claims, "claim_id", "compares"),
    ):
        cols = tables[name]
        lines = _lines_of(cols[key], raw_lines)
        only = None if fields is None else fields[name]
        out += check_frame(
            cols,
            paths.schema(name),
            name,
            paths.rel(display),
            lines=lines,
            vocabulary=vocabulary,
            fields=only,
        )
        out += _formula_like(cols, name, paths.rel(display), lines, source_column)
    return out


def _lines_of(ids, raw_lines: dict[str, int]) -> list[int | None]:
    """The raw line of each output row, by its id (None for a row made in code, as a rate)."""
    if isinstance(ids, list):
        return [raw_lines.get(i) for i in ids]
    import pyarrow.compute as pc

    found = pc.fill_null(pc.index_in(ids, value_set=_strings(raw_lines)), -1)
    at = np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)
    lines: list[int | None] = [None] * len(at)
    values = list(raw_lines.values())
    for i in np.flatnonzero(at >= 0).tolist():
        lines[i] = values[at[i]]
    return lines


def _formula_like(
    cols: dict, table: str, display: str, lines: list, source_column: str
) -> list[Problem]:
    """Text a spreadsheet would run, found before anything is written, and blamed on the raw cell it
    was built from."""
    out = []
    for name, col in cols.items():
        if not isinstance(col, np.ndarray):
            for i, cell in formula_cells(col):
                message = (
                    f"the {table} column {name!r} would start with {cell[:1]!r}, which a "
                    "spreadsheet runs as a formula; reword the raw cell"
                )
                out.append(Problem(display, lines[i], source_column, "formula-cell", cell, message))
    return out


class Environment:
    """Every id a formula may use (quantities, reference rows, metrics) with its
    value, interval, period and place, and what its value is (``rank``: the
    position of its value_basis in the schema's enum), held by column so that
    formulas can be evaluated many at a time (``formulas.evaluate_many``)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.kind: list[str] = []
        self.period_start = Cells()
        self.period_end = Cells()
        self.geo = Cells()
        self.inputs: dict[str, list[str]] = {}  # of each metric
        self._base = (np.empty(0), np.empty(0), np.empty(0))
        self._added: list[tuple[float, float, float]] = []
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.bases: tuple[str, ...] = ()  # the words of value_basis, in the order of its enum
        self._base_rank = np.empty(0, dtype=np.int64)
        self._added_rank: list[int] = []

    @classmethod
    def from_tables(
        cls, quantities: Table, population: Table, bases: tuple[str, ...]
    ) -> Environment:
        """``bases``: the words of value_basis in the order of its enum (a reference row is the
        first, pinned)."""
        env = cls()
        env.bases = bases
        if "value_basis" in quantities.names:
            ranks = _ranks(text_column(quantities, "value_basis"), bases)
        else:  # quantities not yet solved (``check_unevaluated``): no point, the last of the bases
            ranks = np.full(len(quantities.column("quantity_id")), len(bases) - 1, dtype=np.int64)
        env._base_rank = np.concatenate([ranks, np.zeros(len(population), dtype=np.int64)])
        qids = quantities.column("quantity_id")
        years = population.column("year")
        pops = population.numbers("value")[0]
        ids = qids + population.column("population_id")
        env.index = dict(
            zip(ids, range(len(ids)), strict=True)
        )  # the last of an id twice, as one at a time would
        env.kind = ["quantity"] * len(qids) + ["reference"] * len(years)
        mid_years = [reference_date(y) for y in years]
        env.period_start = Cells(text_column(quantities, "period_start"), mid_years)
        env.period_end = Cells(text_column(quantities, "period_end"), mid_years)
        env.geo = Cells(
            text_column(quantities, "geography_code"), population.column("geography_code")
        )
        env._base = (
            np.concatenate([quantities.numbers("value")[0], pops]),
            np.concatenate([quantities.numbers("lower", -np.inf)[0], pops]),
            np.concatenate([quantities.numbers("upper", np.inf)[0], pops]),
        )
        return env

    def lookup(self, ident: str) -> tuple[float, float, float]:
        value, lo, hi = self.arrays()
        i = self.index[ident]
        return float(value[i]), float(lo[i]), float(hi[i])

    def add(
        self,
        ident: str,
        value: float,
        lo: float,
        hi: float,
        period: tuple[str, str],
        geo: str,
        inputs: list[str],
        basis: str,
    ) -> None:
        self.index[ident] = len(self.kind)
        self._added_rank.append(self.bases.index(basis))
        self.kind.append("metric")
        self.period_start.append(period[0])
        self.period_end.append(period[1])
        self.geo.append(geo)
        self.inputs[ident] = inputs
        self._added.append((value, lo, hi))
        self._arrays = None

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Value, lower and upper end of every id, by position in ``index``."""
        if self._arrays is None:
            extra = np.asarray(self._added, dtype=float).reshape(-1, 3)
            self._arrays = tuple(
                np.concatenate([base, extra[:, k]]) for k, base in enumerate(self._base)
            )
        return self._arrays

    def rank(self, positions: np.ndarray) -> np.ndarray:
        """The rank of the value_basis of the ids at ``positions`` (the metrics added after the
        tables looked up apart: nothing the size of the tables is copied for each metric)."""
        positions = np.asarray(positions, dtype=np.int64)
        n = len(self._base_rank)
        added = np.asarray(self._added_rank, dtype=np.int64)
        return np.where(
            positions < n,
            self._base_rank[np.minimum(positions, n - 1)] if n else 0,
            added[np.maximum(positions - n, 0)] if len(added) else 0,
        )

    def basis_of(
        self, value: np.ndarray, lo: np.ndarray, hi: np.ndarray, inputs: np.ndarray
    ) -> list[str]:
        """What each derived value is (derived.schema.json, value_basis): pinned where the interval
        is one value; else the last in the enum's order of its inputs' bases (``inputs``: the
        positions in ``index`` of each value's inputs, a row for each value); none where the value
        is empty (an input had no point)."""
        words = np.array(self.bases, dtype=object)
        rank = self.rank(inputs).max(axis=1, initial=0)
        out = words[rank]
        out[np.isclose(lo, hi, rtol=1e-9, atol=0.0) & np.isfinite(lo)] = words[0]
        out[np.isnan(value)] = words[-1]
        return out.tolist()

    def positions(self, rows: np.ndarray, quantity_ids: list[str]) -> np.ndarray:
        """Where the quantities at ``rows`` of the quantities table are in ``index``: at their rows,
        unless some id came twice (then where ``index`` has it)."""
        if len(self.index) == len(self.kind):
            return np.asarray(rows, dtype=np.int64)
        return np.array([self.index[quantity_ids[i]] for i in rows.tolist()], dtype=np.int64)

    def interval(self, ident: str) -> Interval:
        value, lo, hi = self.arrays()
        i = self.index[ident]
        return Interval(float(lo[i]), float(hi[i]))

    def value(self, ident: str) -> float:
        return float(self.arrays()[0][self.index[ident]])

    def periods(self) -> Periods:
        return Periods(self.index, self.period_start, self.period_end)

    def rests_on(self, ident: str, target: str) -> bool:
        """Whether ``ident`` is ``target`` or is computed, directly or not, from it."""
        seen, todo = set(), [ident]
        while todo:
            i = todo.pop()
            if i == target:
                return True
            if i not in seen:
                seen.add(i)
                todo += self.inputs.get(i, [])
        return False


class Cells:
    """Text cells by position: a table's column as Arrow holds it (no Python string for each of a
    million cells), then the cells added after it; read one at a time (a period rule names a few
    ids)."""

    def __init__(self, base=None, added: list[str] | None = None) -> None:
        self.base, self.added = base, list(added or [])
        self.start = 0 if base is None else len(base)

    def __getitem__(self, i: int) -> str:
        return self.base[i].as_py() if i < self.start else self.added[i - self.start]

    def __len__(self) -> int:
        return self.start + len(self.added)

    def append(self, cell: str) -> None:
        self.added.append(cell)


def _ranks(words, bases: tuple[str, ...]) -> np.ndarray:
    """The position of each word (Arrow text) in ``bases``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    at = pc.index_in(words, value_set=pa.array(list(bases), pa.string()))
    if at.null_count:
        raise KeyError(
            f"a value_basis outside {list(bases)}: {words.filter(pc.is_null(at))[0].as_py()!r}"
        )
    return np.asarray(at.to_numpy(zero_copy_only=False), dtype=np.int64)


def _columns(rows: list[dict], schema: dict) -> dict:
    """Rows to the columns of a published table, in its schema's order; the
    number and integer fields as NumPy arrays (NaN where empty)."""
    types = field_types(schema)
    out = {}
    for n in field_names(schema):
        col = [r[n] for r in rows]
        out[n] = (
            np.array([np.nan if v is None else v for v in col], dtype=float)
            if types[n] in ("number", "integer")
            else col
        )
    return out


def merge_sorted(a: dict, b: dict, key: str) -> dict:
    """Two tables, each in order of ``key``, as one in that order: a stable sort of ``a``'s rows
    then ``b``'s. Text is Arrow's, the runs of rows that come from one table in turn as the chunks
    of each column (none copied); each column of ``b`` (the big one) is taken out of it as it is
    merged."""
    import pyarrow as pa

    n = len(a[key])
    order = _merged_order(_arrow_text(a[key]), b[key])
    cut = (
        np.flatnonzero((np.diff(order) != 1) | (order[1:] == n)) + 1
    )  # where a run of consecutive rows of one table ends
    runs = (
        [
            (int(order[i]), int(order[j - 1]) + 1)
            for i, j in zip([0, *cut.tolist()], [*cut.tolist(), len(order)], strict=True)
        ]
        if len(order)
        else []
    )
    out = {}
    for name in list(a):
        first, second = a[name], b.pop(name)
        if isinstance(first, np.ndarray):
            out[name] = np.concatenate([first, second])[order]
            continue
        first = _arrow_text(first)
        pieces = [first.slice(i, j - i) if i < n else second.slice(i - n, j - i) for i, j in runs]
        pieces = [
            c
            for piece in pieces
            for c in (piece.chunks if isinstance(piece, pa.ChunkedArray) else [piece])
        ]
        out[name] = pa.chunked_array(pieces, type=pa.string())  # the runs as they are, none copied
    return out


def _merged_order(first, second) -> np.ndarray:
    """The stable sort of two columns in order (Arrow text), one after the other, without sorting
    them: each row of ``first`` goes before the rows of ``second`` that are not less than it (found
    by ``_insertion_points``)."""
    n, total = len(first), len(first) + len(second)
    at = np.arange(n, dtype=np.int64) + _insertion_points(first, second)
    order = np.empty(total, dtype=np.int64)
    order[at] = np.arange(n, dtype=np.int64)
    rest = np.ones(total, dtype=bool)
    rest[at] = False
    order[rest] = np.arange(n, total, dtype=np.int64)
    return order


def _insertion_points(keys, cells) -> np.ndarray:
    """For each of ``keys`` (Arrow text), how many of ``cells`` (Arrow text in order) are less than
    it: a binary search for every key at once, each step one of Arrow's comparisons (in code-point
    order, as ``sorted``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(cells)
    lo, hi = np.zeros(len(keys), dtype=np.int64), np.full(len(keys), n, dtype=np.int64)
    while (active := lo < hi).any():
        mid = (lo + hi) // 2
        probe = cells.take(pa.array(np.minimum(mid, n - 1)))
        less = active & np.asarray(pc.less(probe, keys).to_numpy(zero_copy_only=False), dtype=bool)
        lo, hi = np.where(less, mid + 1, lo), np.where(active & ~less, mid, hi)
    return lo


def _arrow_text(col):
    import pyarrow as pa

    return col if isinstance(col, pa.Array) else _strings(col)


def sorted_by(cols: dict, key: str) -> dict:
    order = sort_order(cols[key])
    return {
        n: c[order] if isinstance(c, np.ndarray) else [c[i] for i in order.tolist()]
        for n, c in cols.items()
    }


def unknown(
    ident: str, named: Mapping[str, str], allowed: str = "quantity, metric or reference row"
) -> str:
    """Why a formula may not name ``ident``: a figure's id names one mention, so a formula names its
    quantity."""
    if ident in named:
        return (
            f"{ident} is a figure: formulas name quantities, which hold every mention of a "
            f"number; this figure reports {named[ident]}"
        )
    return f"no {allowed} has this id"


def derive_metrics(
    paths: Paths,
    rows: Table,
    env: Environment,
    named: Mapping[str, str],
    problems: Collector,
    *,
    evaluate: bool = True,
) -> dict:
    """Evaluate raw/derivations.csv in dependency order; report unknown ids and cycles.

    Metrics are evaluated a level at a time (a metric's level is one more than
    that of its deepest input metric), all the formulas of a level at once;
    each gets its period from its rule and its inputs' periods. Without
    ``evaluate`` every check but the evaluation runs, and each value is NaN.
    """
    display = paths.rel(paths.raw_derivations)
    by_id = valid_derivations(rows, env, display, problems)
    level = levels(by_id, env, display, named, problems)
    out: list[dict] = []
    failed = {m for m in by_id if level.get(m) is None}
    for depth in sorted({lv for lv in level.values() if lv is not None}):
        batch = [
            by_id[m]
            for m in sorted(by_id)
            if level.get(m) == depth and not set(inputs(by_id[m]["formula"])) & failed
        ]
        failed |= {m for m in by_id if level.get(m) == depth} - {r["metric_id"] for r in batch}
        out += _evaluate_level(batch, env, display, failed, problems, evaluate)
    return _columns(out, load_schema(paths.schema("derived")))


def valid_derivations(
    rows: Table, env: Environment, display: str, problems: Collector
) -> dict[str, Row]:
    """The derivation rows whose id is new and whose formula is of the documented form, by id."""
    by_id: dict[str, Row] = {}
    malformed = parse(rows.column("formula")).errors
    for k, r in enumerate(rows):
        mid = r["metric_id"]
        if mid in by_id or mid in env.index:
            problems.add(
                "duplicate-id",
                display,
                r.line,
                "metric_id",
                mid,
                "the id is already used by a quantity, reference row or metric",
            )
            continue
        if _formula_usable(
            r,
            malformed.get(k),
            display,
            problems,
            "the formula refers to no quantity, metric or reference row",
        ):
            by_id[mid] = r
    return by_id


def _formula_usable(
    r: Row, malformed: str | None, display: str, problems: Collector, no_inputs: str
) -> bool:
    """Whether a row's formula is of the documented form (``malformed``: else why not, a
    bad-formula problem) and refers to at least one id (else a no-inputs problem, ``no_inputs`` its
    message)."""
    if malformed is not None:
        problems.add("bad-formula", display, r.line, "formula", r["formula"], malformed)
        return False
    if not inputs(r["formula"]):
        problems.add("no-inputs", display, r.line, "formula", r["formula"], no_inputs)
        return False
    return True


def levels(
    by_id: dict[str, Row],
    env: Environment,
    display: str,
    named: Mapping[str, str],
    problems: Collector,
) -> dict[str, int | None]:
    """Each metric's level (0: its inputs are all figures or reference rows), found
    without recursion; None for a metric that cannot be evaluated (reported)."""
    deps: dict[str, list[str]] = {}
    for mid, r in sorted(by_id.items()):
        deps[mid] = []
        for ident in inputs(r["formula"]):
            if ident in by_id:
                deps[mid].append(ident)
            elif ident not in env.index:
                problems.add("unknown-id", display, r.line, "formula", ident, unknown(ident, named))
                deps[mid].append(None)  # never evaluated
    level: dict[str, int | None] = {}
    pending = {m: len(d) for m, d in deps.items()}
    users: dict[str, list[str]] = {}
    for m, d in deps.items():
        for i in d:
            if i is not None:
                users.setdefault(i, []).append(m)
    ready = sorted(m for m, n in pending.items() if n == 0)
    while ready:
        m = ready.pop()
        level[m] = 1 + max((level[i] for i in deps[m]), default=-1)
        for u in users.get(m, []):
            pending[u] -= 1
            if pending[u] == 0 and None not in deps[u]:
                ready.append(u)
    _report_cycles(by_id, deps, level, display, problems)
    return level


def _report_cycles(
    by_id: dict[str, Row], deps: dict[str, list], level: dict, display: str, problems: Collector
) -> None:
    """Report each cycle once, at its smallest id, with the chain that leads back to it."""
    stuck = {m for m in by_id if m not in level}
    reported: set[str] = set()
    for start in sorted(stuck):
        if start in reported:
            continue
        chain = _chain_back(start, deps, stuck)
        if chain and not reported & set(chain):
            reported |= set(chain)
            r = by_id[start]
            shown = (
                chain
                if len(chain) <= 8
                else [*chain[:4], f"... {len(chain) - 6} more ...", *chain[-2:]]
            )
            problems.add(
                "derivation-cycle",
                display,
                r.line,
                "formula",
                r["formula"],
                "depends on itself: " + " -> ".join(shown),
            )


def _chain_back(start: str, deps: dict[str, list], within: set[str]) -> list[str] | None:
    """A path of inputs from ``start`` back to itself, found breadth first (None if there is
    none)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for m in frontier:
            for i in deps[m]:
                if i == start:
                    path = [m]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, start]
                if i in within and i not in came_from and i != start:
                    came_from[i] = m
                    nxt.append(i)
        frontier = nxt
    return None


def _evaluate_level(
    batch: list[Row],
    env: Environment,
    display: str,
    failed: set[str],
    problems: Collector,
    evaluate: bool = True,
) -> list[dict]:
    """The metrics of one level, evaluated together (where ``evaluate``; else NaN, unbounded), each
    added to ``env`` for the next level."""
    n = len(batch)
    done = (
        evaluate_many([r["formula"] for r in batch], env.index, *env.arrays()) if evaluate else None
    )
    values = (
        (done.value, done.lo, done.hi)
        if done is not None
        else (np.full(n, np.nan), np.full(n, -np.inf), np.full(n, np.inf))
    )
    periods, out = env.periods(), []
    for k, r in enumerate(batch):
        if done is not None and k in done.errors:
            problems.add(
                "bad-formula",
                display,
                r.line,
                "formula",
                r["formula"],
                f"cannot evaluate: {done.errors[k]}",
            )
            failed.add(r["metric_id"])
            continue
        ids = inputs(r["formula"])
        period = period_of_rule(r["period"], ids, periods)
        if period is None:
            problems.add(
                "bad-period",
                display,
                r.line,
                "period",
                r["period"],
                "use of:<id>, shift:<id>:<years>, span, or leave empty",
            )
            failed.add(r["metric_id"])
            continue
        value, lo, hi = (float(v[k]) for v in values)
        positions = np.array([[env.index[i] for i in ids]], dtype=np.int64)
        (basis,) = env.basis_of(np.array([value]), np.array([lo]), np.array([hi]), positions)
        env.add(r["metric_id"], value, lo, hi, period, r["geography_code"], ids, basis)
        out.append(_metric_row(r, ids, value, lo, hi, basis, period))
    return out


def _metric_row(r: Row, ids: list[str], value: float, lo: float, hi: float, basis, period) -> dict:
    """A metric's row of derived.csv: its curated cells, inputs, value, basis, ends and period."""
    return {
        "metric_id": r["metric_id"],
        "kind": r["kind"],
        "formula": r["formula"],
        "inputs": " ".join(ids),
        "value": None if np.isnan(value) else value,
        "value_basis": basis,
        "lower": _end(lo),
        "upper": _end(hi),
        "unit": r["unit"],
        "geography_code": r["geography_code"],
        "period_start": period[0],
        "period_end": period[1],
        "period_rule": r["period"],
        "description": r["description"],
    }


def _end(x: float) -> float | None:
    """An interval end as published: None where unbounded."""
    return None if np.isinf(x) else x


def rate_unit(per: int, monthly: bool = False) -> str:
    """The unit of a rate per ``per`` people (per month): it follows the parameter."""
    return f"per {per:,} people" + (" per month" if monthly else "")


def months(start: str, end: str) -> float:
    """The length of a period in months: whole months where it runs from a day to the day before it
    some months on (26 March to 25 June: 3), else its days over 365.25 / 12."""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    after = b + timedelta(days=1)
    if after.day == a.day:
        return float((after.year - a.year) * 12 + after.month - a.month)
    return ((b - a).days + 1) / (365.25 / 12)


def rate_notes(
    vocabulary: Vocabulary, quantities: Table, geographies: Table, estimates: dict
) -> object:
    """Why each quantity gets no rate per head of population, "" where it gets rates (Arrow text, in
    the quantities' order): the first that applies of a relation, a stock, a unit no rate is made
    for, no place, no period, and no population estimate of its place in any year (of a union of
    areas, which members lack one); the words are schemas/vocabulary.json's (rate_notes). The one
    rule of which quantities get rates: decided once for each distinct measure, unit, counting,
    place and whether it has a period, of which there are few."""
    import pyarrow.compute as pc

    q = {n: text_column(quantities, n) for n in ("measure", "unit", "counting", "geography_code")}
    q["dated"] = pc.if_else(pc.equal(text_column(quantities, "period_start"), ""), "", "dated")
    keys, of_key = _distinct(q, ("measure", "unit", "counting", "geography_code", "dated"))
    places = PlacePopulations(vocabulary, geographies, estimates)
    return _strings([_rate_note(vocabulary, places, *key) for key in keys]).take(of_key)


def _rate_note(
    vocabulary: Vocabulary,
    places: PlacePopulations,
    measure: str,
    unit: str,
    counting: str,
    code: str,
    dated: str,
) -> str:
    """Why a quantity of this measure, unit, counting, place and (not) dated period gets no rate (""
    if it gets rates)."""
    notes, rated = vocabulary.rate_notes, vocabulary.rated_units
    if counting == vocabulary.names("quantities", "counting").relation:
        return notes["relation"]
    if measure in vocabulary.stocks:
        return notes["stock"].format(measure=measure)
    if unit not in rated and not vocabulary.rated_per_month(unit):
        return notes["unit"].format(
            unit=unit, rated=f"{', '.join(rated[:-1])} or {rated[-1]}, over a period or per month"
        )
    if not code:
        return notes["no_place"]
    if not dated:
        return notes["no_period"]
    return places.missing(code)


class PlacePopulations:
    """Which places have a population estimate for some year, and, of one that has none, why."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        geographies: Table,
        estimates: dict[str, list[tuple[int, str]]],
    ) -> None:
        self.vocabulary, self.estimates = vocabulary, estimates
        codes = geographies.column("geography_code")
        self.names = dict(zip(codes, geographies.column("geography"), strict=True))
        self.members = {
            c: members_of(m)
            for c, k, m in zip(
                codes, geographies.column("kind"), geographies.column("members"), strict=True
            )
            if is_union(vocabulary, k)
        }

    def missing(self, code: str) -> str:
        """The note of a place with no estimate in any year (a union: what each member has); empty
        where it has one."""
        if code in self.estimates:
            return ""
        notes, place = self.vocabulary.rate_notes, self.named(code)
        if code not in self.members:
            return notes["no_population"].format(place=place)
        return notes["union_incomplete"].format(
            place=place, members="; ".join(map(self.years_of, self.members[code]))
        )

    def named(self, code: str) -> str:
        return f"{code} ({self.names.get(code, code)})"

    def years_of(self, code: str) -> str:
        years = sorted({y for y, _ in self.estimates.get(code, [])})
        return f"{self.named(code)} has {', '.join(map(str, years)) if years else 'none'}"


def union_populations(
    paths: Paths,
    vocabulary: Vocabulary,
    geographies: Table,
    estimates: dict[str, list[tuple[int, str]]],
    env: Environment,
    problems: Collector,
) -> dict:
    """The population of each union of areas for each year every member has an estimate for, as a
    metric of kind population: the sum of the members' estimates (each member's first for that year,
    a reference row before a metric), evaluated as a derivation is and added to ``env``. None for a
    year the union has an estimate of its own. Its id is pop-<its members' codes>-<year>
    (pop-s12000036-s12000049-2016)."""
    kinds, display = vocabulary.names("derived", "kind"), paths.rel(paths.raw_derivations)
    names = dict(
        zip(geographies.column("geography_code"), geographies.column("geography"), strict=True)
    )
    batch = []
    for r in geographies:
        if not is_union(vocabulary, r["kind"]):
            continue
        code, members = r["geography_code"], members_of(r["members"])
        of_year = [
            dict(reversed(estimates.get(m, []))) for m in members
        ]  # year -> the member's first estimate of that year
        own = {y for y, _ in estimates.get(code, [])}
        for year in sorted(set.intersection(*map(set, of_year)) - own):
            mid, ids = (
                f"pop-{code.lower().replace(vocabulary.union_join, '-')}-{year}",
                [e[year] for e in of_year],
            )
            if mid in env.index:
                problems.add(
                    "duplicate-id",
                    display,
                    None,
                    "metric_id",
                    mid,
                    f"the id of the population of {code} in {year} is taken",
                )
                continue
            cells = {
                "metric_id": mid,
                "kind": kinds.population,
                "formula": " + ".join(f"{{{i}}}" for i in ids),
                "unit": vocabulary.names("figures", "unit").people,
                "geography_code": code,
                "period": f"of:{ids[0]}",
                "description": f"Population of {names[code]} ({code}), a union of areas, "
                f"mid-{year}: the sum of the mid-{year} " + "estimates of its members, "
                f"{', '.join(f'{names.get(m, m)} ({m})' for m in members)}.",
            }
            batch.append(Row(None, cells))
    return _columns(
        _evaluate_level(batch, env, display, set(), problems), load_schema(paths.schema("derived"))
    )


def _joined(a, b):
    """Two columns of a table one after the other (NumPy numbers or lists of text)."""
    return np.concatenate([a, b]) if isinstance(a, np.ndarray) else [*a, *b]


def write_quantities(paths: Paths, quantities: Table, notes) -> None:
    """The candidate's quantities table: reconcile's, each cell as it wrote it, with each quantity's
    rate note."""
    names = field_names(load_schema(paths.schema("quantities")))
    cols = {n: quantities.arrow(n) for n in names} | {"rate_note": notes}
    write_tables({paths.candidate.table("quantities"): (names, cols)})


def text_column(table: Table, name: str):
    """A text column as an Arrow array: as Arrow read it, or made from its cells."""
    import pyarrow as pa

    col = table.arrow_or_list(name)
    return (
        col.combine_chunks() if isinstance(col, pa.ChunkedArray) else _strings(table.column(name))
    )


def _strings(cells):
    """Text cells (a list, or any iterable) as an Arrow array."""
    import pyarrow as pa

    return pa.array(cells if isinstance(cells, list) else list(cells), pa.string())


def rate_metrics(
    vocabulary: Vocabulary,
    quantities: Table,
    notes,
    geographies: Table,
    estimates: dict,
    env: Environment,
    per: int,
) -> dict:
    """The rates of each quantity whose rate note is empty (see ``rate_notes``): per ``per`` people
    over its period and per month of it; of a count per month (people per month), the one per month
    only, the count itself being a month's. In the order of their ids. Made a column at a time (text
    in Arrow, numbers in NumPy): a million quantities give two million rows, and what varies between
    them is the quantity, its words, its (place, period) (of which there are few) and the kind of
    rate; each row's pieces are put in order first, so the text is made in order."""
    import pyarrow.compute as pc

    rows = np.flatnonzero(
        np.asarray(pc.equal(notes, "").to_numpy(zero_copy_only=False), dtype=bool)
    )
    q = {
        n: text_column(quantities, n).take(rows)
        for n in (
            "quantity_id",
            "geography_code",
            "unit",
            "counting",
            "period_start",
            "period_end",
            "measure",
        )
    }
    keys, of_key = _distinct(q, ("geography_code", "period_start", "period_end"))
    by_key = _rate_keys(keys, geographies, estimates, per)
    at = (
        env.positions(rows, quantities.column("quantity_id")),
        np.array([env.index[p] for p in by_key["population_id"]], dtype=np.int64)[of_key],
    )
    kinds = vocabulary.names("derived", "kind")
    kind = (
        ("rate", kinds.rate, rate_unit(per)),
        ("rate-per-month", kinds.rate_per_month, rate_unit(per, True)),
    )
    monthly = np.asarray(
        pc.is_in(q["unit"], value_set=_strings(list(vocabulary.per_month))).to_numpy(
            zero_copy_only=False
        ),
        dtype=bool,
    )
    return _rate_columns(vocabulary, q, by_key, (of_key, monthly), at, env, kind)


def _rate_keys(keys: list[tuple[str, str, str]], geographies: Table, estimates: dict, per: int):
    """What the rates of each (place, period) share: the population row used, the words saying
    where and over how long, and the factor of each kind of rate (over the period, per month)."""
    names = dict(
        zip(geographies.column("geography_code"), geographies.column("geography"), strict=True)
    )
    chosen = [_estimate_for(estimates[code], start, end) for code, start, end in keys]
    lengths = _numbers([months(start, end) for _, start, end in keys])
    return {
        "population_id": [pid for _, pid, _ in chosen],
        "where": [
            f" in {names.get(code, code)}, over the {length} months of its period, using the "
            f"mid-{year} population estimate: {which}."
            for (code, _, _), length, (year, _, which) in zip(keys, lengths, chosen, strict=True)
        ],
        # by kind (over the period, per month), then key
        "factor": [f"{per}"] * len(keys) + [f"{per} / {length}" for length in lengths],
    }


def _distinct(q: dict, names: tuple[str, ...]) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """The distinct combinations of some columns of the rated quantities, and which of them each row
    has."""
    codes, values = [], []
    for n in names:
        encoded = q[n].dictionary_encode()
        codes.append(np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64))
        values.append(encoded.dictionary.to_pylist())
    code = np.zeros(len(q[names[0]]), dtype=np.int64)
    for c, v in zip(codes, values, strict=True):
        code = code * len(v) + c
    unique, of_key = np.unique(code, return_inverse=True)
    keys = []
    for k in unique.tolist():
        key = []
        for v in reversed(values):
            k, at = divmod(k, len(v))
            key.append(v[at])
        keys.append(tuple(reversed(key)))
    return keys, np.asarray(of_key, dtype=np.int64).reshape(-1)


def _rate_columns(
    vocabulary: Vocabulary,
    q: dict,
    by_key: dict,
    of: tuple,
    at: tuple,
    env: Environment,
    kind: tuple,
) -> dict:
    """The columns of the rates of both kinds (``kind``: each one's id prefix, kind and unit;
    ``of``: each rated quantity's (place, period) key, and whether it is a count per month, which
    gets a rate per month only, by the factor of a rate over the period), in the order of their ids
    (a stable sort: the rates over the period first where two ids are the same); the text made a
    chunk of rows at a time, so that only the finished text is held whole."""
    import pyarrow as pa
    import pyarrow.compute as pc

    of_key, monthly = of
    n = len(q["quantity_id"])
    ids = pa.concat_arrays(
        [pc.binary_join_element_wise(f"{label}-", q["quantity_id"], "") for label, _, _ in kind]
    )
    kept = np.flatnonzero(
        np.concatenate([~monthly, np.ones(n, dtype=bool)])
    )  # no rate over the period of a count per month
    order = sort_order(ids) if len(kept) == len(ids) else kept[sort_order(ids.take(kept))]
    del ids
    which, row = np.divmod(
        order, max(n, 1)
    )  # each rate's kind (0: over the period, 1: per month) and quantity
    key = of_key[row]
    factor = np.where(monthly[row], key, which * len(by_key["where"]) + key)
    value, lo, hi = _rates_of((at[0][row], at[1][row]), factor, by_key["factor"], env)
    basis = env.basis_of(value, lo, hi, np.stack([at[0][row], at[1][row]], axis=1))
    words, of_words = _rate_words(vocabulary, q, kind)
    small = {n: _strings(v) for n, v in (by_key | words).items()}
    small |= {n: _strings([k[i] for k in kind]) for i, n in enumerate(("label", "kind", "unit"))}
    picks = {
        "kind": which,
        "row": row,
        "key": key,
        "factor": factor,
        "words": of_words[row] + which,
    }
    step = 250_000
    pieces = [
        _rate_text(q, small, {n: at[i : i + step] for n, at in picks.items()})
        for i in range(0, len(order), step)
    ]
    out = {n: pa.chunked_array([piece[n] for piece in pieces], pa.string()) for n in _RATE_TEXT}
    out["value_basis"] = pa.chunked_array([pa.array(basis, pa.string())])
    return out | {
        "value": value,
        "lower": np.where(np.isinf(lo), np.nan, lo),
        "upper": np.where(np.isinf(hi), np.nan, hi),
    }


_RATE_TEXT = (
    "metric_id",
    "kind",
    "formula",
    "inputs",
    "unit",
    "geography_code",
    "period_start",
    "period_end",
    "period_rule",
    "description",
)


def _rate_text(q: dict, small: dict, pick: dict[str, np.ndarray]) -> dict:
    """The text columns of some rates, each row's pieces picked by ``pick``: its ``kind`` of rate,
    ``row`` of the rated quantities, (place, period) ``key``, ``factor`` and ``words`` (what
    ``small`` holds by each)."""
    import pyarrow.compute as pc

    row = pick["row"]
    qid, pid, unit = (
        q["quantity_id"].take(row),
        small["population_id"].take(pick["key"]),
        small["unit"].take(pick["kind"]),
    )
    words, caveat = small["words"].take(pick["words"]), small["caveat"].take(pick["words"])
    return {
        "metric_id": pc.binary_join_element_wise(small["label"].take(pick["kind"]), "-", qid, ""),
        "kind": small["kind"].take(pick["kind"]),
        "formula": pc.binary_join_element_wise(
            "{", qid, "} / {", pid, "} * ", small["factor"].take(pick["factor"]), ""
        ),
        "inputs": pc.binary_join_element_wise(qid, " ", pid, ""),
        "unit": unit,
        "geography_code": q["geography_code"].take(row),
        "period_start": q["period_start"].take(row),
        "period_end": q["period_end"].take(row),
        "period_rule": pc.binary_join_element_wise("of:", qid, ""),
        "description": pc.binary_join_element_wise(
            qid, words, small["where"].take(pick["key"]), caveat, ""
        ),
    }


def _numbers(xs: list[float]) -> list[str]:
    """Numbers rounded to 4 decimals, as every table writes them (one column of text for all)."""
    from ..tables.csvio import format_numbers

    return format_numbers([round(x, 4) for x in xs]).to_pylist()


def _rate_words(
    vocabulary: Vocabulary, q: dict, kind: tuple
) -> tuple[dict[str, list[str]], np.ndarray]:
    """What each rate is of, in words, between its quantity's id and its place: the quantity's
    measure, unit and counting and the rate's unit; and after its place, period and estimate, what a
    rate per month is not (of distinct people over a period: a month's share of the count; of a
    count per month: a rate divided again by the period's months). By (measure, unit, counting, kind
    of rate), of which there are few: the words of each, and which each rated quantity has (twice
    it, plus the kind: 0 over the period, 1 per month)."""
    distinct = vocabulary.names("quantities", "counting").distinct
    caveats = {
        "distinct": " Distinct people over the whole period, so not a typical month's count: "
        "someone who came in two months is counted once.",
        "monthly": " The count is already one per month, so its rate per month is not divided "
        "again by the period's months.",
    }
    keys, of_words = _distinct(q, ("measure", "unit", "counting"))
    words = {"words": [], "caveat": []}
    for measure, u, counting in keys:
        for k, (_, _, unit) in enumerate(kind):
            words["words"].append(f" ({measure}, {u}, counted as {counting}) {unit}")
            caveat = (
                "monthly"
                if u in vocabulary.per_month
                else "distinct"
                if k == 1 and counting == distinct
                else ""
            )
            words["caveat"].append(caveats.get(caveat, ""))
    return words, of_words * 2


def _estimates(
    population: Table, metrics: dict, vocabulary: Vocabulary
) -> dict[str, list[tuple[int, str]]]:
    """The population estimates of each place: reference rows, and population metrics (a sum of
    areas)."""
    estimates: dict[str, list[tuple[int, str]]] = {}
    for r in population:
        estimates.setdefault(r["geography_code"], []).append((int(r["year"]), r["population_id"]))
    kind = vocabulary.names("derived", "kind").population
    for k, code, start, mid in zip(
        metrics["kind"],
        metrics["geography_code"],
        metrics["period_start"],
        metrics["metric_id"],
        strict=True,
    ):
        if k == kind and code and start:
            estimates.setdefault(code, []).append((int(start[:4]), mid))
    return estimates


def _rates_of(
    at: tuple[np.ndarray, np.ndarray], of_factor: np.ndarray, factors: list[str], env: Environment
):
    """The rate formulas ``{quantity} / {population} * factor`` (``at``: the positions of each row's
    quantity and population in ``env``; ``of_factor``: which of ``factors`` each row has), evaluated
    as ``formulas.evaluate_many`` does: each shape once, over all the rows of that shape."""
    value, lo, hi = (np.full(len(of_factor), np.nan) for _ in range(3))
    shapes: dict[str, list[int]] = {}
    for k, f in enumerate(factors):
        shapes.setdefault(f, []).append(k)
    for f, ks in shapes.items():
        rows = np.flatnonzero(np.isin(of_factor, ks))
        if len(rows):
            value[rows], lo[rows], hi[rows] = _rate_shape(
                f"{{quantity}} / {{population}} * {f}", at[0][rows], at[1][rows], env
            )
    return value, lo, hi


def _rate_shape(formula: str, quantity: np.ndarray, population: np.ndarray, env: Environment):
    """One formula shape on whole columns of positions (``evaluate_shape``: NaN where a row cannot
    be evaluated, a population of 0 or an undefined interval)."""
    program, refs = parse_one(formula)
    at = {"quantity": quantity, "population": population}
    value, lo, hi, _ = evaluate_shape(
        program, np.column_stack([at[r] for r in refs]), *env.arrays()
    )
    return value, lo, hi


def _estimate_for(estimates: list[tuple[int, str]], start: str, end: str) -> tuple[int, str, str]:
    """The estimate for the year of the period's midpoint, or the nearest year (the earlier on a
    tie), and why."""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    mid = a + (b - a) / 2
    year, pid = min(estimates, key=lambda e: (abs(e[0] - mid.year), e[0]))
    which = (
        "the year of the period's midpoint"
        if year == mid.year
        else f"the nearest year with an estimate to the period's midpoint ({mid.year})"
    )
    return year, pid, which


def check_claims(
    paths: Paths,
    vocabulary: Vocabulary,
    rows: list[Row],
    checker: ClaimChecker,
    problems: Collector,
) -> dict:
    """Decide each claim (``rows``: those ``valid_claims`` passed) on the rest of the evidence (see
    ``claims``). Once a problem is found the run writes nothing, so the claims after it are decided
    without their explanation (the rows that decide each: most of the time here), which only the
    written table holds."""
    display = paths.rel(paths.raw_claims)
    out = []
    for r in rows:
        fid = r["figure_id"]
        try:
            done = checker.check(fid, r["formula"], r["relation"], explain=not problems)
        except (ZeroDivisionError, ValueError, OverflowError) as exc:
            problems.add(
                "bad-formula", display, r.line, "formula", r["formula"], f"cannot evaluate: {exc}"
            )
            continue
        if not _formula_gives_quantity(checker, r, done, vocabulary, display, problems):
            continue
        value, slo, shi = checker.stated(fid)
        out.append(
            {
                **claim_cells(r, done.ids, done.explanation),
                "stated": value,
                "stated_lower": _end(slo),
                "stated_upper": _end(shi),
                "computed": None if np.isnan(done.computed) else done.computed,
                "lower": _end(done.lo),
                "upper": _end(done.hi),
                "verdict": done.verdict,
            }
        )
    return _columns(out, load_schema(paths.schema("claims")))


def claim_cells(r: Row, ids: list[str], explanation: str) -> dict[str, str]:
    """The cells of a published claim that its raw row gives (``CLAIM_CELLS``): its id, figure,
    relation, formula, the ids the formula names, and the explanation (the curator's words of what
    it compares, then ``explanation``, the verdict's)."""
    cells = (
        r["claim_id"],
        r["figure_id"],
        r["relation"],
        r["formula"],
        " ".join(ids),
        f"{r['compares'].strip()} {explanation}",
    )
    return dict(zip(CLAIM_CELLS, cells, strict=True))


CLAIM_CELLS = ("claim_id", "figure_id", "relation", "formula", "inputs", "explanation")


def _formula_gives_quantity(
    checker: ClaimChecker, r: Row, done, vocabulary: Vocabulary, display: str, problems: Collector
) -> bool:
    """An equals claim's formula must give the figure's quantity: where the stated number fits the
    rest of the evidence, the formula's interval on the rest must meet it (else it computes
    something else)."""
    equals = vocabulary.names("claims", "relation").equals
    value, slo, shi = checker.stated(r["figure_id"])
    if r["relation"] != equals or done.verdict in (checker.v.inconsistent, checker.v.not_checkable):
        return True
    if Interval(done.lo, done.hi).meets(Interval(slo, shi)):
        return True
    message = (
        "the stated number fits the rest of the evidence, but the formula gives "
        f"{fmt(done.lo, done.hi)}: it does not compute the figure's"
        f" quantity ({checker.quantity(r['figure_id'])}); write it so the identities make it equal "
        "to that quantity"
    )
    problems.add("bad-formula", display, r.line, "formula", r["formula"], message)
    return False


def valid_claims(
    rows: Table,
    env: Environment,
    named: Mapping[str, str],
    vocabulary: Vocabulary,
    display: str,
    problems: Collector,
) -> list[Row]:
    """The claim rows that can be checked: a new id, a known figure, a relation of the vocabulary, a
    formula of the documented form over quantities and reference rows."""
    valid, seen = [], set()
    relations = vocabulary.enum("claims", "relation")
    malformed = parse(rows.column("formula")).errors
    for k, r in enumerate(rows):
        cid, fid = r["claim_id"], r["figure_id"]
        if cid in seen:
            problems.add(
                "duplicate-id", display, r.line, "claim_id", cid, "claim_id must be unique"
            )
            continue
        seen.add(cid)
        if fid not in named:
            problems.add("unknown-id", display, r.line, "figure_id", fid, "no figure has this id")
            continue
        if r["relation"] not in relations:
            problems.add(
                "not-in-vocabulary",
                display,
                r.line,
                "relation",
                r["relation"],
                f"use one of {', '.join(relations)}",
            )
            continue
        if _formula_usable(
            r,
            malformed.get(k),
            display,
            problems,
            "a claim must be checked against at least one quantity or reference row",
        ) and _known_inputs(r, env, named, display, problems):
            valid.append(r)
    return valid


def _known_inputs(
    r: Row, env: Environment, named: Mapping[str, str], display: str, problems: Collector
) -> bool:
    ok = True
    for i in inputs(r["formula"]):
        if i not in env.index or env.kind[env.index[i]] == "metric":
            problems.add(
                "unknown-id",
                display,
                r.line,
                "formula",
                i,
                unknown(i, named, "quantity or reference row"),
            )
            ok = False
    return ok


def write_outputs(paths: Paths, tables: dict[str, dict]) -> None:
    """Each table as CSV, atomically, and none before every one is checked for a cell a spreadsheet
    would run."""
    write_tables(
        {
            paths.candidate.table(name): (field_names(load_schema(paths.schema(name))), cols)
            for name, cols in tables.items()
        }
    )


def sort_order(col) -> np.ndarray:
    """The positions of a column's cells in sorted order: a stable sort (Python's for a list of
    text; Arrow's, in the same code-point order, for Arrow text)."""
    if isinstance(col, list):
        return np.asarray(sorted(range(len(col)), key=col.__getitem__), dtype=np.int64)
    import pyarrow.compute as pc

    return np.asarray(pc.sort_indices(col).to_numpy(zero_copy_only=False), dtype=np.int64)


def main(argv: list[str] | None = None) -> int:
    from ..publishing.stage import run_stage

    return run_stage("derive", run, argv)


if __name__ == "__main__":
    sys.exit(main())
