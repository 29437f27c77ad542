"""derive: derived metrics, implied figures and claim checks.

Reads the candidate's processed/figures.csv (clean has checked it),
raw/reference/population.csv, raw/derivations.csv, raw/claims.csv and
params.yaml; writes the candidate's processed/derived.csv, processed/claims.csv
and processed/population.csv.

Every derived number carries its formula (see ``expr``) and the ids of its
inputs; ``lower``/``upper`` come from evaluating the same formula on the
inputs' intervals. A rate per ``derive.rate_per`` people is made for every
count with a place, a period and a population estimate; the estimate is the
one for the year of the period's midpoint, or the nearest year (the earlier
on a tie), and the description says which. A rate's unit is built from the
parameter, so changing it changes the labels with the values.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np

from .. import config, raw, vocab
from ..csvio import Row, Table, formula_cells, read_table, write_tables
from ..errors import Collector, Problem
from ..expr import FormulaError, Periods, compile_formula, evaluate_many, inputs, parse_many, period_of_rule
from ..intervals import Interval
from ..paths import Paths
from ..periods import reference_date
from ..schema import check_frame, field_names, field_types, load_schema
from ..values import NumberReader, apply_reading
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
    problems.extend(
        check_frame(population, paths.schema("population"), "population", paths.rel(paths.raw_population), vocabulary=vocabulary)
    )
    problems.raise_if_any()

    # -- process -----------------------------------------------------------
    problems.extend(check_codes(paths, derivations, paths.candidate.table("geographies")))
    env = Environment.from_tables(figures, population)
    metrics = derive_metrics(paths, derivations, env, problems)
    rates = rate_metrics(vocabulary, figures, population, metrics, env, params["derive"]["rate_per"])
    claim_cols = check_claims(paths, vocabulary, claims, env, params, figures, problems)
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


def check_codes(paths: Paths, derivations: Table, geographies_path: Path) -> list[Problem]:
    """Each derivation's geography code is a row of the geographies table (the foreign key), located at its raw row."""
    problems = Collector()
    geographies = read_table(
        geographies_path,
        field_names(load_schema(paths.schema("geographies"))),
        problems,
        display=paths.rel(geographies_path),
        written_by_pipeline=True,
    )
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
    """Every id a formula may use (figures, reference rows, metrics) with its
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
    def from_tables(cls, figures: Table, population: Table) -> Environment:
        env = cls()
        fids = figures.column("figure_id")
        years = population.column("year")
        pops = population.numbers("value")[0]
        ids = fids + population.column("population_id")
        env.index = {ident: i for i, ident in enumerate(ids)}
        env.kind = ["figure"] * len(fids) + ["reference"] * len(years)
        mid_years = [reference_date(y) for y in years]
        env.period_start = figures.column("period_start") + mid_years
        env.period_end = figures.column("period_end") + mid_years
        env.geo = figures.column("geography_code") + population.column("geography_code")
        env._base = (
            np.concatenate([figures.numbers("value")[0], pops]),
            np.concatenate([figures.numbers("lower", -np.inf)[0], pops]),
            np.concatenate([figures.numbers("upper", np.inf)[0], pops]),
        )
        return env

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


def derive_metrics(paths: Paths, rows: Table, env: Environment, problems: Collector) -> dict:
    """Evaluate raw/derivations.csv in dependency order; report unknown ids and cycles.

    Metrics are evaluated a level at a time (a metric's level is one more than
    that of its deepest input metric), all the formulas of a level at once.
    """
    display = paths.rel(paths.raw_derivations)
    by_id = valid_derivations(rows, env, display, problems)
    level = levels(by_id, env, display, problems)
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
            problems.add("duplicate-id", display, r.line, "metric_id", mid, "the id is already used by a figure, reference row or metric")
            continue
        try:
            compile_formula(r["formula"])
        except FormulaError as exc:
            problems.add("bad-formula", display, r.line, "formula", r["formula"], str(exc))
            continue
        if not inputs(r["formula"]):
            problems.add("no-inputs", display, r.line, "formula", r["formula"], "the formula refers to no figure, metric or reference row")
            continue
        by_id[mid] = r
    return by_id


def levels(by_id: dict[str, Row], env: Environment, display: str, problems: Collector) -> dict[str, int | None]:
    """Each metric's level (0: its inputs are all figures or reference rows), found
    without recursion; None for a metric that cannot be evaluated (reported)."""
    deps: dict[str, list[str]] = {}
    for mid, r in sorted(by_id.items()):
        deps[mid] = []
        for ident in inputs(r["formula"]):
            if ident in by_id:
                deps[mid].append(ident)
            elif ident not in env.index:
                problems.add("unknown-id", display, r.line, "formula", ident, "no figure, metric or reference row has this id")
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


def rate_unit(per: int) -> str:
    """The unit of a rate per ``per`` people: it follows the parameter."""
    return f"per {per:,} people"


def rate_metrics(vocabulary: Vocabulary, figures: Table, population: Table, metrics: dict, env: Environment, per: int) -> dict:
    """A rate per ``per`` people for each count with a place, a period and a population estimate."""
    estimates = _estimates(population, metrics, vocabulary)
    col = {
        n: figures.column(n)
        for n in ("figure_id", "geography_code", "unit", "qualifier", "period_start", "period_end", "measure", "geography")
    }
    chosen: dict[tuple[str, str, str], tuple[int, str, str]] = {}
    rows, pids, descriptions = [], [], []
    vague = vocabulary.vague
    for i, code in enumerate(col["geography_code"]):
        start, end = col["period_start"][i], col["period_end"][i]
        if col["unit"][i] not in vocabulary.rated_units or col["qualifier"][i] == vague or not code or not start or code not in estimates:
            continue
        if (code, start, end) not in chosen:
            chosen[(code, start, end)] = _estimate_for(estimates[code], start, end)
        year, pid, which = chosen[(code, start, end)]
        rows.append(i)
        pids.append(pid)
        descriptions.append(
            f"{col['measure'][i]} ({col['unit'][i]}) {rate_unit(per)} in {col['geography'][i]}, using the mid-{year} population estimate: {which}."
        )
    fids = [col["figure_id"][i] for i in rows]
    done = _rates_of(fids, pids, per, env)
    return {
        "metric_id": [f"rate-{f}" for f in fids],
        "kind": [vocabulary.names("derived", "kind").rate] * len(rows),
        "formula": [f"{{{f}}} / {{{p}}} * {per}" for f, p in zip(fids, pids, strict=True)],
        "inputs": [f"{f} {p}" for f, p in zip(fids, pids, strict=True)],
        "value": done.value,
        "lower": np.where(np.isinf(done.lo), np.nan, done.lo),
        "upper": np.where(np.isinf(done.hi), np.nan, done.hi),
        "unit": [rate_unit(per)] * len(rows),
        "geography_code": [col["geography_code"][i] for i in rows],
        "period_start": [col["period_start"][i] for i in rows],
        "period_end": [col["period_end"][i] for i in rows],
        "period_rule": [f"of:{f}" for f in fids],
        "description": descriptions,
    }


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


def _rates_of(fids: list[str], pids: list[str], per: int, env: Environment):
    """The rate formulas evaluated in one go: one shape for all, ``{figure} / {population} * per``, parsed once."""
    formulas = [f"{{{f}}} / {{{p}}} * {per}" for f, p in zip(fids, pids, strict=True)]
    shape = parse_many([f"{{figure}} / {{population}} * {per}"])[0][0]
    parsed = ([shape] * len(fids), [[f, p] for f, p in zip(fids, pids, strict=True)], {})
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
    paths: Paths, vocabulary: Vocabulary, rows: Table, env: Environment, prm: dict, figures: Table, problems: Collector
) -> dict:
    """Compare each stated number with what its formula computes, the way statcheck does."""
    display = paths.rel(paths.raw_claims)
    valid = valid_claims(rows, env, display, problems)
    done = evaluate_many([r["formula"] for r in valid], env.index, *env.arrays())
    verdicts = Verdicts(vocabulary, prm, figures)
    out = []
    for k, r in enumerate(valid):
        if k in done.errors:
            problems.add("bad-formula", display, r.line, "formula", r["formula"], f"cannot evaluate: {done.errors[k]}")
            continue
        ids, fid = inputs(r["formula"]), r["figure_id"]
        span, stated = Interval(float(done.lo[k]), float(done.hi[k])), env.interval(fid)
        verdict, why = verdicts.of(fid, stated, span, any(env.rests_on(i, fid) for i in ids))
        (lo, hi), (slo, shi) = span.bounds(), stated.bounds()
        out.append(
            {
                "claim_id": r["claim_id"],
                "figure_id": fid,
                "stated": env.value(fid),
                "stated_lower": slo,
                "stated_upper": shi,
                "computed": float(done.value[k]),
                "lower": lo,
                "upper": hi,
                "formula": r["formula"],
                "inputs": " ".join(ids),
                "verdict": verdict,
                "explanation": f"{r['compares'].strip()} {why}",
            }
        )
    return _columns(out, load_schema(paths.schema("claims")))


def valid_claims(rows: Table, env: Environment, display: str, problems: Collector) -> list[Row]:
    """The claim rows that can be checked: a new id, a known figure, a formula of the documented form over known ids, and words."""
    valid, seen = [], set()
    for r in rows:
        cid, fid, formula = r["claim_id"], r["figure_id"], r["formula"]
        if cid in seen:
            problems.add("duplicate-id", display, r.line, "claim_id", cid, "claim_id must be unique")
            continue
        seen.add(cid)
        if fid not in env.index or env.kind[env.index[fid]] != "figure":
            problems.add("unknown-id", display, r.line, "figure_id", fid, "no figure has this id")
            continue
        try:
            compile_formula(formula)
        except FormulaError as exc:
            problems.add("bad-formula", display, r.line, "formula", formula, str(exc))
            continue
        ids = inputs(formula)
        if not ids:
            problems.add(
                "no-inputs",
                display,
                r.line,
                "formula",
                formula,
                "a claim must be checked against at least one figure, metric or reference row",
            )
            continue
        unknown = [i for i in ids if i not in env.index]
        for i in unknown:
            problems.add("unknown-id", display, r.line, "formula", i, "no figure, metric or reference row has this id")
        if not unknown:
            valid.append(r)
    return valid


class Verdicts:
    """A claim's verdict: consistent where the stated number, read as rounded to its last written digit,
    meets what is computed; consistent within rounding where it meets only as rounded to its last
    significant digit (the published reading, under ``clean.coarse_rounding``); else inconsistent; and
    not checkable where the computed value rests on the stated number itself."""

    def __init__(self, vocabulary: Vocabulary, params: dict, figures: Table) -> None:
        self.names = vocabulary.names("claims", "verdict")
        self.reader = NumberReader(vocabulary, params["clean"])
        self.written = dict(
            zip(figures.column("figure_id"), zip(figures.column("as_written"), figures.column("reading"), strict=True), strict=True)
        )

    def strict(self, fid: str, stated: Interval) -> Interval:
        """The stated number as rounded to its last written digit (the published interval where that is the same)."""
        written, reading = self.written[fid]
        parsed = self.reader.parse(written)
        _, lo, hi = apply_reading(reading, parsed, *self.reader.published_interval(parsed, strict=True), self.reader.vocabulary)
        return Interval.of(lo, hi) if (lo, hi) != stated.bounds() else stated

    def of(self, fid: str, stated: Interval, computed: Interval, circular: bool) -> tuple[str, str]:
        c, s, v = fmt_interval(computed), fmt_interval(stated), self.names
        if circular:
            return (
                v.not_checkable,
                f"The computed value depends on the stated number itself (the article gives no independent figure), so nothing can be checked; computed {c}.",
            )
        strict = self.strict(fid, stated)
        if strict.meets(computed):
            return v.consistent, f"Stated {fmt_interval(strict)} and computed {c} meet."
        if stated.meets(computed):
            return v.consistent_within_rounding, (
                f"Stated {fmt_interval(strict)} and computed {c} do not meet, but they do if the stated number was rounded to its last significant digit ({s})."
            )
        return v.inconsistent, f"Stated {s} and computed {c} do not meet."


def fmt_interval(i: Interval) -> str:
    from ..csvio import format_number

    lo, hi = i.bounds()
    if lo is not None and hi is not None and lo == hi:
        return format_number(round(lo, 4))
    return f"[{'unbounded' if lo is None else format_number(round(lo, 4))}, {'unbounded' if hi is None else format_number(round(hi, 4))}]"


def main(argv: list[str] | None = None) -> int:
    from ..stage import run_stage

    return run_stage("derive", run, argv)


if __name__ == "__main__":
    sys.exit(main())
