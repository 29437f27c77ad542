"""derive: derived metrics, rates and claim checks, from reconciled quantities.

Reads the candidate's processed/figures.csv (clean has checked it), its
processed/quantities.csv and processed/identities.csv (reconcile has written
them), processed/geographies.csv, raw/reference/population.csv,
raw/derivations.csv, raw/claims.csv and params.yaml; writes the candidate's
processed/derived.csv, processed/claims.csv and processed/population.csv.

Formulas name quantities (never single figures: a quantity holds all the
evidence of its mentions), metrics and reference rows. Every derived number
carries its formula (see ``expr``) and the ids of its inputs; ``lower``/
``upper`` come from evaluating the same formula on the inputs' intervals.

Two rates are made for every count quantity of a flow (not a stock such as an
estimate of offenders) with a place, a period and a population estimate: per
``derive.rate_per`` people over the period, and per ``derive.rate_per``
people per month (the period's length in months is in the description). The
estimate is the one for the year of the period's midpoint, or the nearest
year (the earlier on a tie), and the description says which. A rate's unit is
built from the parameter, so changing it changes the labels with the values.

Claims are decided by ``claims``: each stated number against what the rest of
the evidence allows, the figure left out of its own check.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from .. import config, raw, vocab
from ..claims import ClaimChecker, fmt
from ..csvio import Row, Table, formula_cells, read_table, write_tables
from ..errors import Collector, Problem
from ..expr import FormulaError, Periods, compile_formula, evaluate_many, inputs, parse_many, period_of_rule
from ..intervals import Interval
from ..paths import Paths
from ..periods import reference_date
from ..reconcile import Model, model_of_tables
from ..schema import check_frame, field_names, field_types, load_schema
from ..vocab import Vocabulary


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    vocabulary = vocab.load(paths.schemas)
    params = config.read(paths, "params", problems)
    figures = read_table(
        paths.candidate.table("figures"),
        field_names(load_schema(paths.schema("figures"))),
        problems,
        display=paths.rel(paths.candidate.table("figures")),
        written_by_pipeline=True,
    )
    population = read_table(
        paths.raw_population, field_names(load_schema(paths.schema("population"))), problems, display=paths.rel(paths.raw_population)
    )
    derivations = read_table(paths.raw_derivations, raw.columns(paths, "derivations"), problems, display=paths.rel(paths.raw_derivations))
    claims = read_table(paths.raw_claims, raw.columns(paths, "claims"), problems, display=paths.rel(paths.raw_claims))
    quantities, identities, geographies = (
        read_table(
            paths.candidate.table(n),
            field_names(load_schema(paths.schema(n))),
            problems,
            display=paths.rel(paths.candidate.table(n)),
            written_by_pipeline=True,
        )
        for n in ("quantities", "identities", "geographies")
    )
    problems.extend(
        check_frame(population, paths.schema("population"), "population", paths.rel(paths.raw_population), vocabulary=vocabulary)
    )
    problems.raise_if_any()

    # -- process -----------------------------------------------------------
    problems.extend(check_codes(paths, derivations, geographies))
    env = Environment.from_tables(quantities, population)
    named = dict(zip(figures.column("figure_id"), figures.column("quantity_id"), strict=True))
    metrics = derive_metrics(paths, derivations, env, named, problems)
    rates = rate_metrics(vocabulary, quantities, geographies, population, metrics, env, params["derive"]["rate_per"])
    model = model_of_tables(vocabulary, figures, quantities, identities)
    claim_cols = check_claims(paths, vocabulary, claims, env, params, figures, model, problems)
    problems.raise_if_any()
    tables = {
        "derived": sorted_by(concat(metrics, rates), "metric_id"),
        "claims": sorted_by(claim_cols, "claim_id"),
        "population": sorted_by({n: population.column(n) for n in population.names}, "population_id"),
    }
    problems.extend(check_outputs(paths, vocabulary, tables, derivations, claims))
    problems.raise_if_any()

    # -- save outputs ------------------------------------------------------
    write_tables({paths.candidate.table(name): (field_names(load_schema(paths.schema(name))), cols) for name, cols in tables.items()})


def check_codes(paths: Paths, derivations: Table, geographies: Table) -> list[Problem]:
    """Each derivation's geography code is a row of the geographies table (the foreign key), located at its raw row."""
    problems = Collector()
    known = set(geographies.column("geography_code"))
    display = paths.rel(paths.raw_derivations)
    for r in derivations:
        if r["geography_code"] and r["geography_code"] not in known:
            problems.add(
                "unknown-id", display, r.line, "geography_code", r["geography_code"], "no row of raw/geographies.csv has this code"
            )
    return problems.problems


def check_outputs(paths: Paths, vocabulary: Vocabulary, tables: dict, derivations: Table, claims: Table) -> list[Problem]:
    """The schema checks of what derive is about to write, each problem located at the raw row it came from."""
    raw_lines = dict(zip(derivations.column("metric_id"), derivations.lines, strict=True))
    raw_lines |= dict(zip(claims.column("claim_id"), claims.lines, strict=True))
    out: list[Problem] = []
    for name, display, key, source_column in (
        ("derived", paths.raw_derivations, "metric_id", "description"),
        ("claims", paths.raw_claims, "claim_id", "compares"),
    ):
        cols = tables[name]
        lines = [raw_lines.get(i) for i in cols[key]]
        out += check_frame(cols, paths.schema(name), name, paths.rel(display), lines=lines, vocabulary=vocabulary)
        out += _formula_like(cols, name, paths.rel(display), lines, source_column)
    return out


def _formula_like(cols: dict, table: str, display: str, lines: list, source_column: str) -> list[Problem]:
    """Text a spreadsheet would run, found before anything is written, and blamed on the raw cell it was built from."""
    out = []
    for name, col in cols.items():
        if isinstance(col, list):
            for i in formula_cells(col):
                message = f"the {table} column {name!r} would start with {col[i][:1]!r}, which a spreadsheet runs as a formula; reword the raw cell"
                out.append(Problem(display, lines[i], source_column, "formula-cell", col[i], message))
    return out


class Environment:
    """Every id a formula may use (quantities, reference rows, metrics) with its
    value, interval, period and place, held by column so that formulas can be
    evaluated many at a time (``expr.evaluate_many``)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.kind: list[str] = []
        self.period_start: list[str] = []
        self.period_end: list[str] = []
        self.geo: list[str] = []
        self.inputs: dict[str, list[str]] = {}  # of each metric
        self._base = (np.empty(0), np.empty(0), np.empty(0))
        self._added: list[tuple[float, float, float]] = []
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_tables(cls, quantities: Table, population: Table) -> Environment:
        env = cls()
        qids = quantities.column("quantity_id")
        years = population.column("year")
        pops = population.numbers("value")[0]
        ids = qids + population.column("population_id")
        env.index = {ident: i for i, ident in enumerate(ids)}
        env.kind = ["quantity"] * len(qids) + ["reference"] * len(years)
        mid_years = [reference_date(y) for y in years]
        env.period_start = quantities.column("period_start") + mid_years
        env.period_end = quantities.column("period_end") + mid_years
        env.geo = quantities.column("geography_code") + population.column("geography_code")
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

    def add(self, ident: str, value: float, lo: float, hi: float, period: tuple[str, str], geo: str, inputs: list[str]) -> None:
        self.index[ident] = len(self.kind)
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
            self._arrays = tuple(np.concatenate([base, extra[:, k]]) for k, base in enumerate(self._base))
        return self._arrays

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


def _columns(rows: list[dict], schema: dict) -> dict:
    """Rows to the columns of a published table, in its schema's order; the
    number and integer fields as NumPy arrays (NaN where empty)."""
    types = field_types(schema)
    out = {}
    for n in field_names(schema):
        col = [r[n] for r in rows]
        out[n] = np.array([np.nan if v is None else v for v in col], dtype=float) if types[n] in ("number", "integer") else col
    return out


def concat(a: dict, b: dict) -> dict:
    return {n: np.concatenate([a[n], b[n]]) if isinstance(a[n], np.ndarray) else a[n] + b[n] for n in a}


def sorted_by(cols: dict, key: str) -> dict:
    order = sorted(range(len(cols[key])), key=cols[key].__getitem__)
    take = np.asarray(order, dtype=np.int64)
    return {n: c[take] if isinstance(c, np.ndarray) else [c[i] for i in order] for n, c in cols.items()}


def unknown(ident: str, named: dict[str, str], allowed: str = "quantity, metric or reference row") -> str:
    """Why a formula may not name ``ident``: a figure's id names one mention, so a formula names its quantity."""
    if ident in named:
        return f"{ident} is a figure: formulas name quantities, which hold every mention of a number; this figure reports {named[ident]}"
    return f"no {allowed} has this id"


def derive_metrics(paths: Paths, rows: Table, env: Environment, named: dict[str, str], problems: Collector) -> dict:
    """Evaluate raw/derivations.csv in dependency order; report unknown ids and cycles.

    Metrics are evaluated a level at a time (a metric's level is one more than
    that of its deepest input metric), all the formulas of a level at once.
    """
    display = paths.rel(paths.raw_derivations)
    by_id = valid_derivations(rows, env, display, problems)
    level = levels(by_id, env, display, named, problems)
    out: list[dict] = []
    failed = {m for m in by_id if level.get(m) is None}
    for depth in sorted({lv for lv in level.values() if lv is not None}):
        batch = [by_id[m] for m in sorted(by_id) if level.get(m) == depth and not set(inputs(by_id[m]["formula"])) & failed]
        failed |= {m for m in by_id if level.get(m) == depth} - {r["metric_id"] for r in batch}
        out += _evaluate_level(batch, env, display, failed, problems)
    return _columns(out, load_schema(paths.schema("derived")))


def valid_derivations(rows: Table, env: Environment, display: str, problems: Collector) -> dict[str, Row]:
    """The derivation rows whose id is new and whose formula is of the documented form, by id."""
    by_id: dict[str, Row] = {}
    for r in rows:
        mid = r["metric_id"]
        if mid in by_id or mid in env.index:
            problems.add("duplicate-id", display, r.line, "metric_id", mid, "the id is already used by a quantity, reference row or metric")
            continue
        try:
            compile_formula(r["formula"])
        except FormulaError as exc:
            problems.add("bad-formula", display, r.line, "formula", r["formula"], str(exc))
            continue
        if not inputs(r["formula"]):
            problems.add(
                "no-inputs", display, r.line, "formula", r["formula"], "the formula refers to no quantity, metric or reference row"
            )
            continue
        by_id[mid] = r
    return by_id


def levels(by_id: dict[str, Row], env: Environment, display: str, named: dict[str, str], problems: Collector) -> dict[str, int | None]:
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


def _report_cycles(by_id: dict[str, Row], deps: dict[str, list], level: dict, display: str, problems: Collector) -> None:
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
            shown = chain if len(chain) <= 8 else [*chain[:4], f"... {len(chain) - 6} more ...", *chain[-2:]]
            problems.add("derivation-cycle", display, r.line, "formula", r["formula"], "depends on itself: " + " -> ".join(shown))


def _chain_back(start: str, deps: dict[str, list], within: set[str]) -> list[str] | None:
    """A path of inputs from ``start`` back to itself, found breadth first (None if there is none)."""
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


def _evaluate_level(batch: list[Row], env: Environment, display: str, failed: set[str], problems: Collector) -> list[dict]:
    """The metrics of one level, evaluated together, each added to ``env`` for the next level."""
    done = evaluate_many([r["formula"] for r in batch], env.index, *env.arrays())
    periods, out = env.periods(), []
    for k, r in enumerate(batch):
        if k in done.errors:
            problems.add("bad-formula", display, r.line, "formula", r["formula"], f"cannot evaluate: {done.errors[k]}")
            failed.add(r["metric_id"])
            continue
        ids = inputs(r["formula"])
        period = period_of_rule(r["period"], ids, periods)
        if period is None:
            problems.add("bad-period", display, r.line, "period", r["period"], "use of:<id>, shift:<id>:<years>, span, or leave empty")
            failed.add(r["metric_id"])
            continue
        value, lo, hi = float(done.value[k]), float(done.lo[k]), float(done.hi[k])
        env.add(r["metric_id"], value, lo, hi, period, r["geography_code"], ids)
        out.append(
            {
                "metric_id": r["metric_id"],
                "kind": r["kind"],
                "formula": r["formula"],
                "inputs": " ".join(ids),
                "value": value,
                "lower": _end(lo),
                "upper": _end(hi),
                "unit": r["unit"],
                "geography_code": r["geography_code"],
                "period_start": period[0],
                "period_end": period[1],
                "period_rule": r["period"],
                "description": r["description"],
            }
        )
    return out


def _end(x: float) -> float | None:
    """An interval end as published: None where unbounded."""
    return None if np.isinf(x) else x


def rate_unit(per: int, monthly: bool = False) -> str:
    """The unit of a rate per ``per`` people (per month): it follows the parameter."""
    return f"per {per:,} people" + (" per month" if monthly else "")


def months(start: str, end: str) -> float:
    """The length of a period in months: whole months where it runs from a day to the day before it some months on
    (26 March to 25 June: 3), else its days over 365.25 / 12."""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    after = b + timedelta(days=1)
    if after.day == a.day:
        return float((after.year - a.year) * 12 + after.month - a.month)
    return ((b - a).days + 1) / (365.25 / 12)


def rated_quantities(vocabulary: Vocabulary, quantities: Table, estimates: dict) -> list[int]:
    """The quantities that get rates: counts of a flow (not a stock, not a relation) with a place, a period and a population estimate."""
    counting = vocabulary.names("quantities", "counting")
    col = {n: quantities.column(n) for n in ("unit", "measure", "counting", "geography_code", "period_start")}
    return [
        i
        for i, code in enumerate(col["geography_code"])
        if col["unit"][i] in vocabulary.rated_units
        and col["measure"][i] not in vocabulary.stocks
        and col["counting"][i] != counting.relation
        and code in estimates
        and col["period_start"][i]
    ]


def rate_metrics(
    vocabulary: Vocabulary, quantities: Table, geographies: Table, population: Table, metrics: dict, env: Environment, per: int
) -> dict:
    """Two rates for each rated quantity (see ``rated_quantities``): per ``per`` people over its period, and per month."""
    estimates = _estimates(population, metrics, vocabulary)
    col = {n: quantities.column(n) for n in ("quantity_id", "geography_code", "unit", "counting", "period_start", "period_end", "measure")}
    names = dict(zip(geographies.column("geography_code"), geographies.column("geography"), strict=True))
    rows = rated_quantities(vocabulary, quantities, estimates)
    keys = [(col["geography_code"][i], col["period_start"][i], col["period_end"][i]) for i in rows]
    chosen = {key: _estimate_for(estimates[key[0]], key[1], key[2]) for key in set(keys)}
    spans = [months(start, end) for _, start, end in keys]
    rated = {n: [c[i] for i in rows] for n, c in col.items()}
    rated |= {"population_id": [chosen[k][1] for k in keys], "months": spans, "geography": [names.get(k[0], k[0]) for k in keys]}
    rated["estimate"] = [f"the mid-{chosen[k][0]} population estimate: {chosen[k][2]}" for k in keys]
    kinds = vocabulary.names("derived", "kind")
    over = _rate_columns(vocabulary, rated, env, "rate", kinds.rate, rate_unit(per), [f"{per}"] * len(rows))
    lengths = {m: _number(m) for m in set(spans)}
    monthly = _rate_columns(
        vocabulary, rated, env, "rate-per-month", kinds.rate_per_month, rate_unit(per, True), [f"{per} / {lengths[m]}" for m in spans]
    )
    return concat(over, monthly)


def _rate_columns(vocabulary: Vocabulary, q: dict, env: Environment, label: str, kind: str, unit: str, factors: list[str]) -> dict:
    qids, pids = q["quantity_id"], q["population_id"]
    done = _rates_of(qids, pids, factors, env)
    return {
        "metric_id": [f"{label}-{x}" for x in qids],
        "kind": [kind] * len(qids),
        "formula": [f"{{{x}}} / {{{p}}} * {f}" for x, p, f in zip(qids, pids, factors, strict=True)],
        "inputs": [f"{x} {p}" for x, p in zip(qids, pids, strict=True)],
        "value": done.value,
        "lower": np.where(np.isinf(done.lo), np.nan, done.lo),
        "upper": np.where(np.isinf(done.hi), np.nan, done.hi),
        "unit": [unit] * len(qids),
        "geography_code": q["geography_code"],
        "period_start": q["period_start"],
        "period_end": q["period_end"],
        "period_rule": [f"of:{x}" for x in qids],
        "description": _rate_words(vocabulary, q, unit),
    }


def _number(x: float) -> str:
    from ..csvio import format_number

    return format_number(round(x, 4))


def _rate_words(vocabulary: Vocabulary, q: dict, unit: str) -> list[str]:
    """What each rate is of, in words: the quantity, its place and period's length, the estimate used, and (per
    month, for distinct people) what a month's share of the count is not."""
    distinct = vocabulary.names("quantities", "counting").distinct
    caveat = " Distinct people over the whole period, so not a typical month's count: someone who came in two months is counted once."
    monthly = unit.endswith("per month")
    lengths = {m: _number(m) for m in set(q["months"])}
    return [
        f"{qid} ({measure}, {u}, counted as {counting}) {unit} in {place}, over the {lengths[m]} months of its period, using {estimate}."
        + (caveat if monthly and counting == distinct else "")
        for qid, measure, u, counting, place, m, estimate in zip(
            q["quantity_id"], q["measure"], q["unit"], q["counting"], q["geography"], q["months"], q["estimate"], strict=True
        )
    ]


def _estimates(population: Table, metrics: dict, vocabulary: Vocabulary) -> dict[str, list[tuple[int, str]]]:
    """The population estimates of each place: reference rows, and population metrics (a sum of areas)."""
    estimates: dict[str, list[tuple[int, str]]] = {}
    for r in population:
        estimates.setdefault(r["geography_code"], []).append((int(r["year"]), r["population_id"]))
    kind = vocabulary.names("derived", "kind").population
    for k, code, start, mid in zip(metrics["kind"], metrics["geography_code"], metrics["period_start"], metrics["metric_id"], strict=True):
        if k == kind and code and start:
            estimates.setdefault(code, []).append((int(start[:4]), mid))
    return estimates


def _rates_of(qids: list[str], pids: list[str], factors: list[str], env: Environment):
    """The rate formulas evaluated in one go, ``{quantity} / {population} * factor``, each shape parsed once."""
    formulas = [f"{{{q}}} / {{{p}}} * {f}" for q, p, f in zip(qids, pids, factors, strict=True)]
    shapes = {f: parse_many([f"{{quantity}} / {{population}} * {f}"])[0][0] for f in set(factors)}
    parsed = ([shapes[f] for f in factors], [[q, p] for q, p in zip(qids, pids, strict=True)], {})
    return evaluate_many(formulas, env.index, *env.arrays(), parsed=parsed)


def _estimate_for(estimates: list[tuple[int, str]], start: str, end: str) -> tuple[int, str, str]:
    """The estimate for the year of the period's midpoint, or the nearest year (the earlier on a tie), and why."""
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
    paths: Paths, vocabulary: Vocabulary, rows: Table, env: Environment, prm: dict, figures: Table, model: Model, problems: Collector
) -> dict:
    """Decide each claim on the rest of the evidence (see ``claims``)."""
    display = paths.rel(paths.raw_claims)
    named = dict(zip(figures.column("figure_id"), figures.column("quantity_id"), strict=True))
    checker = ClaimChecker(vocabulary, prm, figures, model, env.lookup)
    out = []
    for r in valid_claims(rows, env, named, vocabulary, display, problems):
        fid = r["figure_id"]
        try:
            done = checker.check(fid, r["formula"], r["relation"])
        except (ZeroDivisionError, ValueError, OverflowError) as exc:
            problems.add("bad-formula", display, r.line, "formula", r["formula"], f"cannot evaluate: {exc}")
            continue
        if not _formula_gives_quantity(checker, r, done, vocabulary, display, problems):
            continue
        value, slo, shi = checker.stated[fid]
        out.append(
            {
                "claim_id": r["claim_id"],
                "figure_id": fid,
                "relation": r["relation"],
                "stated": value,
                "stated_lower": _end(slo),
                "stated_upper": _end(shi),
                "computed": None if np.isnan(done.computed) else done.computed,
                "lower": _end(done.lo),
                "upper": _end(done.hi),
                "formula": r["formula"],
                "inputs": " ".join(done.ids),
                "verdict": done.verdict,
                "explanation": f"{r['compares'].strip()} {done.explanation}",
            }
        )
    return _columns(out, load_schema(paths.schema("claims")))


def _formula_gives_quantity(checker: ClaimChecker, r: Row, done, vocabulary: Vocabulary, display: str, problems: Collector) -> bool:
    """An equals claim's formula must give the figure's quantity: where the stated number fits the rest of the
    evidence, the formula's interval on the rest must meet it (else it computes something else)."""
    equals = vocabulary.names("claims", "relation").equals
    value, slo, shi = checker.stated[r["figure_id"]]
    if r["relation"] != equals or done.verdict in (checker.v.inconsistent, checker.v.not_checkable):
        return True
    if Interval(done.lo, done.hi).meets(Interval(slo, shi)):
        return True
    message = (
        f"the stated number fits the rest of the evidence, but the formula gives {fmt(done.lo, done.hi)}: it does not compute the figure's"
        f" quantity ({checker.quantity[r['figure_id']]}); write it so the identities make it equal to that quantity"
    )
    problems.add("bad-formula", display, r.line, "formula", r["formula"], message)
    return False


def valid_claims(
    rows: Table, env: Environment, named: dict[str, str], vocabulary: Vocabulary, display: str, problems: Collector
) -> list[Row]:
    """The claim rows that can be checked: a new id, a known figure, a relation of the vocabulary, a formula of the
    documented form over quantities and reference rows."""
    valid, seen = [], set()
    relations = vocabulary.enum("claims", "relation")
    for r in rows:
        cid, fid, formula = r["claim_id"], r["figure_id"], r["formula"]
        if cid in seen:
            problems.add("duplicate-id", display, r.line, "claim_id", cid, "claim_id must be unique")
            continue
        seen.add(cid)
        if fid not in named:
            problems.add("unknown-id", display, r.line, "figure_id", fid, "no figure has this id")
            continue
        if r["relation"] not in relations:
            problems.add("not-in-vocabulary", display, r.line, "relation", r["relation"], f"use one of {', '.join(relations)}")
            continue
        try:
            compile_formula(formula)
        except FormulaError as exc:
            problems.add("bad-formula", display, r.line, "formula", formula, str(exc))
            continue
        if _known_inputs(r, env, named, display, problems):
            valid.append(r)
    return valid


def _known_inputs(r: Row, env: Environment, named: dict[str, str], display: str, problems: Collector) -> bool:
    ids = inputs(r["formula"])
    if not ids:
        problems.add(
            "no-inputs", display, r.line, "formula", r["formula"], "a claim must be checked against at least one quantity or reference row"
        )
        return False
    ok = True
    for i in ids:
        if i not in env.index or env.kind[env.index[i]] == "metric":
            problems.add("unknown-id", display, r.line, "formula", i, unknown(i, named, "quantity or reference row"))
            ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    from ..stage import run_stage

    return run_stage("derive", run, argv)


if __name__ == "__main__":
    sys.exit(main())
