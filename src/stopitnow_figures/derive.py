"""derive: derived metrics, implied figures and claim checks.

Reads processed/figures.csv (validated), raw/reference/population.csv,
raw/derivations.csv, raw/claims.csv and params.yaml; writes
processed/derived.csv, processed/claims.csv and processed/population.csv.

Every derived number carries its formula (see ``expr``) and the ids of its
inputs; ``lower``/``upper`` come from evaluating the same formula on the
inputs' intervals. Rates per 100,000 are made for every count with a place,
a period and a population estimate; the estimate is the one for the year of
the period's midpoint, or the nearest year (the earlier on a tie), and the
description says which.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np

from . import params as params_mod
from . import raw
from .csvio import Row, Table, publish_tables, read_table
from .errors import Collector
from .expr import FormulaError, Periods, compile_formula, evaluate_many, inputs, parse_many, period_of_rule
from .intervals import Interval
from .paths import Paths
from .schema import check_frame, field_names, field_types, load_schema
from .sources import rel

RATE_UNITS = ("people", "calls", "visits")


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    prm = params_mod.load(paths.params)
    fig_cols = field_names(load_schema(paths.schema("figures")))
    figures = read_table(paths.table("figures"), fig_cols, problems, display=rel(paths, paths.table("figures")), written_by_pipeline=True)
    # the reference table is published as it is: its raw columns are the population schema's
    pop_cols = field_names(load_schema(paths.schema("population")))
    population = read_table(paths.raw_population, pop_cols, problems, display=rel(paths, paths.raw_population))
    derivations = read_table(paths.raw_derivations, raw.DERIVATIONS, problems, display=rel(paths, paths.raw_derivations))
    claims = read_table(paths.raw_claims, raw.CLAIMS, problems, display=rel(paths, paths.raw_claims))
    problems.raise_if_any()

    # -- process -----------------------------------------------------------
    pop_display = rel(paths, paths.raw_population)
    problems.extend(check_frame(population, paths.schema("population"), "population", pop_display))
    problems.raise_if_any()
    env = Environment.from_tables(figures, population)
    metrics = derive_metrics(paths, derivations, env, problems)
    rates = rate_metrics(figures, population, metrics, env, prm["derive"]["rate_per"])
    claim_cols = check_claims(paths, claims, env, prm["claims"], problems)
    problems.raise_if_any()
    derived_cols = _sorted_by(_concat(metrics, rates), "metric_id")
    claim_cols = _sorted_by(claim_cols, "claim_id")
    population_cols = _sorted_by({n: population.column(n) for n in pop_cols}, "population_id")
    # problems in a derived row are reported where the curator can fix them: the raw row it came from
    raw_lines = dict(zip(derivations.column("metric_id"), derivations.lines, strict=True))
    raw_lines |= dict(zip(claims.column("claim_id"), claims.lines, strict=True))
    for name, cols, display, key in (
        ("derived", derived_cols, rel(paths, paths.raw_derivations), "metric_id"),
        ("claims", claim_cols, rel(paths, paths.raw_claims), "claim_id"),
    ):
        lines = [raw_lines.get(i) for i in cols[key]]
        problems.extend(check_frame(cols, paths.schema(name), name, display, lines=lines))
    problems.raise_if_any()

    # -- save outputs ------------------------------------------------------
    publish_tables(
        {
            paths.table("derived"): (field_names(load_schema(paths.schema("derived"))), derived_cols),
            paths.table("claims"): (field_names(load_schema(paths.schema("claims"))), claim_cols),
            paths.table("population"): (field_names(load_schema(paths.schema("population"))), population_cols),
        }
    )


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
        mid_years = [f"{int(y)}-06-30" for y in years]  # a reference row's period is its mid-year date
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


def _concat(a: dict, b: dict) -> dict:
    return {n: np.concatenate([a[n], b[n]]) if isinstance(a[n], np.ndarray) else a[n] + b[n] for n in a}


def _sorted_by(cols: dict, key: str) -> dict:
    order = sorted(range(len(cols[key])), key=cols[key].__getitem__)
    take = np.asarray(order, dtype=np.int64)
    return {n: c[take] if isinstance(c, np.ndarray) else [c[i] for i in order] for n, c in cols.items()}


def derive_metrics(paths: Paths, rows: Table, env: Environment, problems: Collector) -> dict:
    """Evaluate raw/derivations.csv in dependency order; report unknown ids and cycles.

    Metrics are evaluated a level at a time (a metric's level is one more than
    that of its deepest input metric), all the formulas of a level at once.
    """
    display = rel(paths, paths.raw_derivations)
    by_id: dict[str, Row] = {}
    for r in rows:
        if r["metric_id"] in by_id or r["metric_id"] in env.index:
            problems.add(
                "duplicate-id", display, r.line, "metric_id", r["metric_id"], "the id is already used by a figure, reference row or metric"
            )
            continue
        try:
            compile_formula(r["formula"])
        except FormulaError as exc:
            problems.add("bad-formula", display, r.line, "formula", r["formula"], str(exc))
            continue
        if not inputs(r["formula"]):
            problems.add("no-inputs", display, r.line, "formula", r["formula"], "the formula refers to no figure, metric or reference row")
            continue
        by_id[r["metric_id"]] = r
    level: dict[str, int | None] = {}  # None: cannot be evaluated (reported already)
    active: set[str] = set()

    def visit(mid: str, chain: list[str]) -> int | None:
        if mid in level:
            return level[mid]
        r = by_id[mid]
        if mid in active:
            problems.add("derivation-cycle", display, r.line, "formula", r["formula"], "depends on itself: " + " -> ".join(chain + [mid]))
            return None
        active.add(mid)
        depth, ok = 0, True
        for ident in inputs(r["formula"]):
            if ident in by_id:
                below = visit(ident, chain + [mid])
                ok = ok and below is not None
                depth = max(depth, (below or 0) + 1)
            elif ident not in env.index:
                problems.add("unknown-id", display, r.line, "formula", ident, "no figure, metric or reference row has this id")
                ok = False
        active.discard(mid)
        level[mid] = depth if ok else None
        return level[mid]

    for mid in sorted(by_id):
        visit(mid, [])
    out: list[dict] = []
    failed: set[str] = {m for m, lv in level.items() if lv is None}
    for depth in sorted({lv for lv in level.values() if lv is not None}):
        batch = [by_id[m] for m in sorted(by_id) if level[m] == depth and not set(inputs(by_id[m]["formula"])) & failed]
        failed |= {m for m in sorted(by_id) if level[m] == depth} - {r["metric_id"] for r in batch}
        done = evaluate_many([r["formula"] for r in batch], env.index, *env.arrays())
        periods = env.periods()
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
    return _columns(out, load_schema(paths.schema("derived")))


def _end(x: float) -> float | None:
    """An interval end as published: None where unbounded."""
    return None if np.isinf(x) else x


def rate_metrics(figures: Table, population: Table, metrics: dict, env: Environment, per: int) -> dict:
    """A rate per 100,000 people for each count with a place, a period and a population estimate."""
    estimates: dict[str, list[tuple[int, str]]] = {}
    for r in population:
        estimates.setdefault(r["geography_code"], []).append((int(r["year"]), r["population_id"]))
    for kind, code, start, mid in zip(
        metrics["kind"], metrics["geography_code"], metrics["period_start"], metrics["metric_id"], strict=True
    ):
        if kind == "population" and code and start:
            estimates.setdefault(code, []).append((int(start[:4]), mid))
    fids, codes, units = figures.column("figure_id"), figures.column("geography_code"), figures.column("unit")
    qualifiers, starts, ends = figures.column("qualifier"), figures.column("period_start"), figures.column("period_end")
    measures, places = figures.column("measure"), figures.column("geography")
    chosen: dict[tuple[str, str, str], tuple[int, str, str]] = {}
    rows, pids, descriptions = [], [], []
    for i, code in enumerate(codes):
        if units[i] not in RATE_UNITS or qualifiers[i] == "vague" or not code or not starts[i] or code not in estimates:
            continue
        key = (code, starts[i], ends[i])
        if key not in chosen:
            chosen[key] = _estimate_for(estimates[code], starts[i], ends[i])
        year, pid, which = chosen[key]
        rows.append(i)
        pids.append(pid)
        descriptions.append(
            f"{measures[i]} ({units[i]}) per {per:,} people in {places[i]}, using the mid-{year} population estimate: {which}."
        )
    # one shape for all: "{figure} / {population} * per", parsed here rather than read back
    formulas = [f"{{{fids[i]}}} / {{{pid}}} * {per}" for i, pid in zip(rows, pids, strict=True)]
    shape = parse_many([f"{{a}} / {{b}} * {per}"])[0][0]
    parsed = ([shape] * len(rows), [[fids[i], pid] for i, pid in zip(rows, pids, strict=True)], {})
    done = evaluate_many(formulas, env.index, *env.arrays(), parsed=parsed)
    return {
        "metric_id": [f"rate-{fids[i]}" for i in rows],
        "kind": ["rate_per_100k"] * len(rows),
        "formula": formulas,
        "inputs": [f"{fids[i]} {pid}" for i, pid in zip(rows, pids, strict=True)],
        "value": done.value,
        "lower": np.where(np.isinf(done.lo), np.nan, done.lo),
        "upper": np.where(np.isinf(done.hi), np.nan, done.hi),
        "unit": ["per 100,000 people"] * len(rows),
        "geography_code": [codes[i] for i in rows],
        "period_start": [starts[i] for i in rows],
        "period_end": [ends[i] for i in rows],
        "period_rule": [f"of:{fids[i]}" for i in rows],
        "description": descriptions,
    }


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


def check_claims(paths: Paths, rows: Table, env: Environment, prm: dict, problems: Collector) -> dict:
    """Compare each stated number with what its formula computes, the way statcheck does."""
    display = rel(paths, paths.raw_claims)
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
        if unknown:
            continue
        if not r["compares"].strip():
            problems.add("required", display, r.line, "compares", "", "say in words what the claim compares")
            continue
        valid.append(r)
    done = evaluate_many([r["formula"] for r in valid], env.index, *env.arrays())
    out = []
    for k, r in enumerate(valid):
        cid, fid, formula = r["claim_id"], r["figure_id"], r["formula"]
        if k in done.errors:
            problems.add("bad-formula", display, r.line, "formula", formula, f"cannot evaluate: {done.errors[k]}")
            continue
        ids = inputs(formula)
        span = Interval(float(done.lo[k]), float(done.hi[k]))
        stated = env.interval(fid)
        circular = any(env.rests_on(i, fid) for i in ids)
        verdict, why = verdict_of(env.value(fid), stated, span, circular, prm)
        lo, hi = span.bounds()
        slo, shi = stated.bounds()
        out.append(
            {
                "claim_id": cid,
                "figure_id": fid,
                "stated": env.value(fid),
                "stated_lower": slo,
                "stated_upper": shi,
                "computed": float(done.value[k]),
                "lower": lo,
                "upper": hi,
                "formula": formula,
                "inputs": " ".join(ids),
                "verdict": verdict,
                "explanation": f"{r['compares'].strip()} {why}",
            }
        )
    return _columns(out, load_schema(paths.schema("claims")))


def verdict_of(
    stated_value: float, stated: Interval, computed: Interval, circular: bool, prm: dict, figure_qualifier=None
) -> tuple[str, str]:
    """consistent where the stated and computed intervals meet; else try the coarse rounding of a trailing zero."""
    c = _fmt_interval(computed)
    s = _fmt_interval(stated)
    if circular:
        return (
            "not_checkable",
            f"The computed value depends on the stated number itself (the article gives no independent figure), so nothing can be checked; computed {c}.",
        )
    if stated.meets(computed):
        return "consistent", f"Stated {s} and computed {c} meet."
    coarse = coarse_interval(stated_value, stated) if prm.get("coarse_rounding") else None
    if coarse is not None and coarse.meets(computed):
        return (
            "consistent_within_rounding",
            f"Stated {s} and computed {c} do not meet, but they do if the stated number was rounded to its last non-zero digit ({_fmt_interval(coarse)}).",
        )
    return "inconsistent", f"Stated {s} and computed {c} do not meet."


def coarse_interval(value: float, stated: Interval) -> Interval | None:
    """For a whole number ending in zeros (80), the interval if rounded to its last non-zero digit (75-85)."""
    if not float(value).is_integer() or value == 0 or stated.hi - stated.lo > 1:
        return None
    n, zeros = int(abs(value)), 0
    while n % 10 == 0:
        n //= 10
        zeros += 1
    if zeros == 0:
        return None
    half = 0.5 * 10**zeros
    return Interval(value - half, value + half)


def _fmt_interval(i: Interval) -> str:
    from .csvio import format_number

    lo, hi = i.bounds()
    if lo is not None and hi is not None and lo == hi:
        return format_number(round(lo, 4))
    return f"[{'unbounded' if lo is None else format_number(round(lo, 4))}, {'unbounded' if hi is None else format_number(round(hi, 4))}]"


def main(argv: list[str] | None = None) -> int:
    from .stage import run_stage

    return run_stage("derive", run, argv)


if __name__ == "__main__":
    sys.exit(main())
