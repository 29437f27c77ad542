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

from . import params as params_mod
from .csvio import format_number, publish, read_table, to_csv_text
from .errors import Collector
from .expr import FormulaError, compile_formula, evaluate, inputs, period_of_rule
from .intervals import Interval
from .paths import Paths
from .schema import check_frame, field_names, load_schema
from .sources import rel

DERIVATION_COLUMNS = ["metric_id", "kind", "formula", "unit", "geography_code", "period", "description"]
CLAIM_COLUMNS = ["claim_id", "figure_id", "formula", "compares"]
POPULATION_COLUMNS = ["population_id", "geography", "geography_code", "year", "value", "publisher", "table", "url", "certainty", "note"]
RATE_UNITS = ("people", "calls", "visits")


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    prm = params_mod.load(paths.params)
    fig_cols = field_names(load_schema(paths.schema("figures")))
    figures = read_table(paths.table("figures"), fig_cols, problems, display=rel(paths, paths.table("figures")))
    population = read_table(paths.raw_population, POPULATION_COLUMNS, problems, display=rel(paths, paths.raw_population))
    derivations = read_table(paths.raw_derivations, DERIVATION_COLUMNS, problems, display=rel(paths, paths.raw_derivations))
    claims = read_table(paths.raw_claims, CLAIM_COLUMNS, problems, display=rel(paths, paths.raw_claims))
    problems.raise_if_any()

    # -- process -----------------------------------------------------------
    pop_display = rel(paths, paths.raw_population)
    problems.extend(check_frame(population, paths.schema("population"), "population", pop_display))
    problems.raise_if_any()
    env = Environment.from_tables(figures, population)
    metrics = derive_metrics(paths, derivations, env, problems)
    metrics += rate_metrics(figures, population, metrics, env, prm["derive"]["rate_per"])
    claim_rows = check_claims(paths, claims, env, prm["claims"], problems)
    problems.raise_if_any()
    derived_rows = sorted(metrics, key=lambda r: r["metric_id"])
    claim_rows.sort(key=lambda r: r["claim_id"])
    population_rows = sorted((r.cells for r in population), key=lambda r: r["population_id"])
    texts = {
        paths.table("derived"): to_csv_text(field_names(load_schema(paths.schema("derived"))), derived_rows),
        paths.table("claims"): to_csv_text(field_names(load_schema(paths.schema("claims"))), claim_rows),
        paths.table("population"): to_csv_text(field_names(load_schema(paths.schema("population"))), population_rows),
    }
    # problems in a derived row are reported where the curator can fix them: the raw row it came from
    raw_lines = {r["metric_id"]: r.line for r in derivations} | {r["claim_id"]: r.line for r in claims}
    for name, rows, display, key in (
        ("derived", derived_rows, rel(paths, paths.raw_derivations), "metric_id"),
        ("claims", claim_rows, rel(paths, paths.raw_claims), "claim_id"),
    ):
        cells = [{k: _text(v) for k, v in r.items()} for r in rows]
        lines = [raw_lines.get(r[key]) for r in rows]
        problems.extend(check_frame(cells, paths.schema(name), name, display, lines=lines))
    problems.raise_if_any()

    # -- save outputs ------------------------------------------------------
    publish(texts)


class Environment:
    """Values, intervals, periods and places of every id a formula may use."""

    def __init__(self) -> None:
        self.value: dict[str, float] = {}
        self.span: dict[str, Interval] = {}
        self.period: dict[str, tuple[str, str]] = {}
        self.geo: dict[str, str] = {}
        self.kind: dict[str, str] = {}
        self.depends: dict[str, set[str]] = {}

    @classmethod
    def from_tables(cls, figures, population) -> Environment:
        env = cls()
        for r in figures:
            fid = r["figure_id"]
            env.value[fid] = float(r["value"])
            env.span[fid] = Interval.of(_num(r["lower"]), _num(r["upper"]))
            env.period[fid] = (r["period_start"], r["period_end"])
            env.geo[fid] = r["geography_code"]
            env.kind[fid] = "figure"
            env.depends[fid] = {fid}
        for r in population:
            pid = r["population_id"]
            env.value[pid] = float(r["value"])
            env.span[pid] = Interval.point(float(r["value"]))
            env.period[pid] = (f"{int(r['year'])}-06-30", f"{int(r['year'])}-06-30")  # mid-year reference date
            env.geo[pid] = r["geography_code"]
            env.kind[pid] = "reference"
            env.depends[pid] = {pid}
        return env

    def add(self, ident: str, value: float, span: Interval, period: tuple[str, str], geo: str, deps: set[str]) -> None:
        self.value[ident] = value
        self.span[ident] = span
        self.period[ident] = period
        self.geo[ident] = geo
        self.kind[ident] = "metric"
        self.depends[ident] = deps | {ident}


def _num(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def _text(v) -> str:
    if type(v) is str:
        return v
    if v is None:
        return ""
    return format_number(v) if isinstance(v, (int, float)) else str(v)


def derive_metrics(paths: Paths, rows, env: Environment, problems: Collector) -> list[dict]:
    """Evaluate raw/derivations.csv in dependency order; report unknown ids and cycles."""
    display = rel(paths, paths.raw_derivations)
    by_id = {}
    for r in rows:
        if r["metric_id"] in by_id or r["metric_id"] in env.value:
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
    out: list[dict] = []
    state: dict[str, str] = {}

    def visit(mid: str, chain: list[str]) -> bool:
        if state.get(mid) == "done":
            return True
        r = by_id[mid]
        if state.get(mid) == "active":
            problems.add("derivation-cycle", display, r.line, "formula", r["formula"], "depends on itself: " + " -> ".join(chain + [mid]))
            return False
        state[mid] = "active"
        ok = True
        for ident in inputs(r["formula"]):
            if ident in by_id:
                ok = visit(ident, chain + [mid]) and ok
            elif ident not in env.value:
                problems.add("unknown-id", display, r.line, "formula", ident, "no figure, metric or reference row has this id")
                ok = False
        if ok:
            ok = _evaluate_metric(r, env, problems, display, out)
        state[mid] = "done" if ok else "failed"
        return ok

    for mid in sorted(by_id):
        if state.get(mid) is None:
            visit(mid, [])
    return out


def _evaluate_metric(r, env: Environment, problems: Collector, display: str, out: list[dict]) -> bool:
    ids = inputs(r["formula"])
    try:
        value, span = evaluate(r["formula"], env.value, env.span)
    except (ZeroDivisionError, ValueError) as exc:
        problems.add("bad-formula", display, r.line, "formula", r["formula"], f"cannot evaluate: {exc}")
        return False
    period = period_of_rule(r["period"], ids, env.period)
    if period is None:
        problems.add("bad-period", display, r.line, "period", r["period"], "use of:<id>, shift:<id>:<years>, span, or leave empty")
        return False
    deps = set().union(*(env.depends[i] for i in ids))
    env.add(r["metric_id"], value, span, period, r["geography_code"], deps)
    lo, hi = span.bounds()
    out.append(
        {
            "metric_id": r["metric_id"],
            "kind": r["kind"],
            "formula": r["formula"],
            "inputs": " ".join(ids),
            "value": value,
            "lower": lo,
            "upper": hi,
            "unit": r["unit"],
            "geography_code": r["geography_code"],
            "period_start": period[0],
            "period_end": period[1],
            "period_rule": r["period"],
            "description": r["description"],
        }
    )
    return True


def rate_metrics(figures, population, metrics, env: Environment, per: int) -> list[dict]:
    """A rate per 100,000 people for each count with a place, a period and a population estimate."""
    estimates: dict[str, list[tuple[int, str]]] = {}
    for r in population:
        estimates.setdefault(r["geography_code"], []).append((int(r["year"]), r["population_id"]))
    for m in metrics:
        if m["kind"] == "population" and m["geography_code"] and m["period_start"]:
            estimates.setdefault(m["geography_code"], []).append((int(m["period_start"][:4]), m["metric_id"]))
    out = []
    for r in figures:
        code = r["geography_code"]
        if r["unit"] not in RATE_UNITS or r["qualifier"] == "vague" or not code or not r["period_start"] or code not in estimates:
            continue
        start, end = date.fromisoformat(r["period_start"]), date.fromisoformat(r["period_end"])
        mid = start + (end - start) / 2
        year, pid = min(estimates[code], key=lambda e: (abs(e[0] - mid.year), e[0]))
        which = (
            "the year of the period's midpoint"
            if year == mid.year
            else f"the nearest year with an estimate to the period's midpoint ({mid.year})"
        )
        fid = r["figure_id"]
        formula = f"{{{fid}}} / {{{pid}}} * {per}"
        value, span = evaluate(formula, env.value, env.span)
        lo, hi = span.bounds()
        out.append(
            {
                "metric_id": f"rate-{fid}",
                "kind": "rate_per_100k",
                "formula": formula,
                "inputs": f"{fid} {pid}",
                "value": value,
                "lower": lo,
                "upper": hi,
                "unit": "per 100,000 people",
                "geography_code": code,
                "period_start": r["period_start"],
                "period_end": r["period_end"],
                "period_rule": f"of:{fid}",
                "description": f"{r['measure']} ({r['unit']}) per {per:,} people in {r['geography']}, using the mid-{year} population estimate: {which}.",
            }
        )
    return out


def check_claims(paths: Paths, rows, env: Environment, prm: dict, problems: Collector) -> list[dict]:
    """Compare each stated number with what its formula computes, the way statcheck does."""
    display = rel(paths, paths.raw_claims)
    out, seen = [], set()
    for r in rows:
        cid, fid, formula = r["claim_id"], r["figure_id"], r["formula"]
        if cid in seen:
            problems.add("duplicate-id", display, r.line, "claim_id", cid, "claim_id must be unique")
            continue
        seen.add(cid)
        if fid not in env.kind or env.kind[fid] != "figure":
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
        unknown = [i for i in ids if i not in env.value]
        for i in unknown:
            problems.add("unknown-id", display, r.line, "formula", i, "no figure, metric or reference row has this id")
        if unknown:
            continue
        if not r["compares"].strip():
            problems.add("required", display, r.line, "compares", "", "say in words what the claim compares")
            continue
        computed, span = evaluate(formula, env.value, env.span)
        stated = Interval(env.span[fid].lo, env.span[fid].hi)
        circular = any(fid in env.depends[i] for i in ids)
        verdict, why = verdict_of(env.value[fid], stated, span, circular, prm)
        lo, hi = span.bounds()
        slo, shi = stated.bounds()
        out.append(
            {
                "claim_id": cid,
                "figure_id": fid,
                "stated": env.value[fid],
                "stated_lower": slo,
                "stated_upper": shi,
                "computed": computed,
                "lower": lo,
                "upper": hi,
                "formula": formula,
                "inputs": " ".join(ids),
                "verdict": verdict,
                "explanation": f"{r['compares'].strip()} {why}",
            }
        )
    return out


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
