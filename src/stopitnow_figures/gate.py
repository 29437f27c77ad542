"""The provenance gate: every numeric cell of every published table traces.

A cell is traced when it is

- quoted: its source text's sha256 matches, the text at its offsets is the
  quote, the quote holds the number as written, and reading the number as
  written (with the hedge widths in params.yaml) gives the published value and
  bounds;
- derived: its formula, re-evaluated on its inputs, gives the published value
  and bounds, and each input traces in turn;
- reference: a population row naming its publisher and table.

Dates trace too: a figure's period carries the words it was read from
(``period_note``) and its basis; a metric's period is an input's period,
whole years apart at most; a source's dates carry their reasoning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .expr import FormulaError, evaluate, inputs, period_of_rule
from .intervals import Interval
from .values import ValueParseError, parse_as_written, published_interval


@dataclass(frozen=True, order=True)
class Untraced:
    resource: str
    row: int  # 1-based data row (the line in the CSV is row + 1)
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.resource} row {self.row} ({self.column}={self.value!r}): {self.reason}"


NUMERIC = {
    "sources": ["published_earliest", "published_latest", "text_chars"],
    "figures": ["value", "lower", "upper", "char_start", "char_end", "period_start", "period_end"],
    "derived": ["value", "lower", "upper", "period_start", "period_end"],
    "claims": ["stated", "stated_lower", "stated_upper", "computed", "lower", "upper"],
    "population": ["year", "value"],
}


def _num(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def check(tables: dict[str, list[dict[str, str]]], texts: dict[str, str], sha256: dict[str, str], hedges: dict) -> list[Untraced]:
    """Return every untraced cell; empty when the package may be published.

    ``tables`` maps resource name to rows of text cells as published; ``texts``
    the decoded article texts; ``sha256`` the digest of each text's bytes as
    read now; ``hedges`` the clean stage's params (hedge_widths, vague_ranges).
    """
    bad: list[Untraced] = []
    sources = {r["source_id"]: r for r in tables["sources"]}
    values: dict[str, float] = {}
    spans: dict[str, Interval] = {}
    periods: dict[str, tuple[str, str]] = {}
    traced: set[str] = set()

    for i, r in enumerate(tables["sources"], 1):
        sid = r["source_id"]
        if sha256.get(sid) != r["sha256"]:
            bad.append(Untraced("sources", i, "sha256", r["sha256"], "the article text's sha256 does not match"))
        elif r["text_chars"] != str(len(texts[sid])):
            bad.append(Untraced("sources", i, "text_chars", r["text_chars"], f"the text has {len(texts[sid])} characters"))
        if not r["date_reasoning"].strip() or r["date_basis"] not in ("confirmed", "inferred"):
            for col in ("published_earliest", "published_latest"):
                bad.append(Untraced("sources", i, col, r[col], "a publication date needs its basis and reasoning"))

    for i, r in enumerate(tables["figures"], 1):
        fid, sid = r["figure_id"], r["source_id"]
        reasons = _figure_reasons(r, sources, texts, sha256, hedges)
        for col, reason in reasons:
            bad.append(Untraced("figures", i, col, r.get(col, ""), reason))
        if r["period_start"] or r["period_end"]:
            if r["period_basis"] not in ("stated", "inferred") or not r["period_note"].strip():
                for col in ("period_start", "period_end"):
                    bad.append(Untraced("figures", i, col, r[col], "a period needs the words it was read from and its basis"))
        elif r["period_basis"] != "not stated":
            bad.append(
                Untraced("figures", i, "period_basis", r["period_basis"], "no period is published, so the basis must be 'not stated'")
            )
        values[fid] = float(r["value"]) if r["value"] else math.nan
        spans[fid] = Interval.of(_num(r["lower"]), _num(r["upper"])) if not reasons else Interval.of(None, None)
        periods[fid] = (r["period_start"], r["period_end"])
        if not reasons and sid in sources:
            traced.add(fid)

    for i, r in enumerate(tables["population"], 1):
        pid = r["population_id"]
        if not r["publisher"].strip() or not r["table"].strip():
            for col in NUMERIC["population"]:
                bad.append(Untraced("population", i, col, r[col], "a reference row must name its publisher and table"))
            continue
        values[pid] = float(r["value"])
        spans[pid] = Interval.point(float(r["value"]))
        periods[pid] = (f"{r['year']}-06-30", f"{r['year']}-06-30")
        traced.add(pid)

    derived = {r["metric_id"]: (i, r) for i, r in enumerate(tables["derived"], 1)}
    state: dict[str, str] = {}

    def trace_metric(mid: str) -> bool:
        if state.get(mid) in ("ok", "bad"):
            return state[mid] == "ok"
        i, r = derived[mid]
        if state.get(mid) == "active":
            bad.append(Untraced("derived", i, "value", r["value"], "the derivation depends on itself"))
            state[mid] = "bad"
            return False
        state[mid] = "active"
        ok = _trace_formula("derived", i, r, r["formula"], ("value", "lower", "upper"), derived, trace_metric, traced, values, spans, bad)
        if ok:
            ok = _trace_period(i, r, periods, bad)
        state[mid] = "ok" if ok else "bad"
        if ok:
            traced.add(mid)
            values[mid] = float(r["value"])
            spans[mid] = Interval.of(_num(r["lower"]), _num(r["upper"]))
            periods[mid] = (r["period_start"], r["period_end"])
        return ok

    for mid in sorted(derived):
        trace_metric(mid)

    figures = {r["figure_id"]: r for r in tables["figures"]}
    for i, r in enumerate(tables["claims"], 1):
        f = figures.get(r["figure_id"])
        if f is None or r["figure_id"] not in traced:
            for col in ("stated", "stated_lower", "stated_upper"):
                bad.append(Untraced("claims", i, col, r[col], f"the figure {r['figure_id']!r} is missing or untraced"))
        else:
            for col, fcol in (("stated", "value"), ("stated_lower", "lower"), ("stated_upper", "upper")):
                if not _same(_num(r[col]), _num(f[fcol])):
                    bad.append(Untraced("claims", i, col, r[col], f"differs from the figure's {fcol} {f[fcol]!r}"))
        _trace_formula("claims", i, r, r["formula"], ("computed", "lower", "upper"), derived, trace_metric, traced, values, spans, bad)
    return sorted(set(bad))


def _figure_reasons(r, sources, texts, sha256, hedges) -> list[tuple[str, str]]:
    sid = r["source_id"]
    if sid not in sources or sid not in texts:
        return [(c, f"unknown source {sid!r}") for c in ("value", "char_start")]
    if sha256.get(sid) != sources[sid]["sha256"]:
        return [(c, f"the text of {sid} no longer matches its sha256") for c in ("value", "lower", "upper", "char_start", "char_end")]
    text = texts[sid]
    try:
        a, b = int(r["char_start"]), int(r["char_end"])
    except ValueError:
        return [("char_start", "offsets are not integers")]
    if text[a:b] != r["quote"]:
        return [("char_start", "the text at the offsets is not the quote"), ("char_end", "the text at the offsets is not the quote")]
    if r["as_written"] not in r["quote"]:
        return [("value", "the quote does not hold the number as written")]
    try:
        parsed = parse_as_written(r["as_written"])
    except ValueParseError as exc:
        return [("value", f"the number as written cannot be read: {exc}")]
    value, lower, upper = published_interval(parsed, hedges["hedge_widths"], hedges["vague_ranges"])
    out = []
    if parsed.qualifier != r["qualifier"]:
        out.append(("value", f"the words {r['as_written']!r} give qualifier {parsed.qualifier!r}, not {r['qualifier']!r}"))
    for col, expected in (("value", value), ("lower", lower), ("upper", upper)):
        if not _same(_num(r[col]), expected):
            out.append((col, f"reading {r['as_written']!r} gives {col} {expected!r}"))
    return out


def _trace_formula(resource, i, r, formula, cols, derived, trace_metric, traced, values, spans, bad) -> bool:
    try:
        ids = inputs(formula)
    except FormulaError as exc:
        for col in cols:
            bad.append(Untraced(resource, i, col, r[col], f"bad formula: {exc}"))
        return False
    if not ids or " ".join(ids) != r["inputs"]:
        for col in cols:
            bad.append(Untraced(resource, i, col, r[col], f"inputs {r['inputs']!r} are not the ids of the formula {' '.join(ids)!r}"))
        return False
    missing = [x for x in ids if not (x in traced or (x in derived and trace_metric(x)))]
    if missing:
        for col in cols:
            bad.append(Untraced(resource, i, col, r[col], f"inputs do not trace: {', '.join(missing)}"))
        return False
    try:
        value, span = evaluate(formula, values, spans)
    except (FormulaError, ZeroDivisionError, ValueError, KeyError) as exc:
        for col in cols:
            bad.append(Untraced(resource, i, col, r[col], f"the formula cannot be re-evaluated: {exc}"))
        return False
    ok = True
    for col, expected in zip(cols, (value, *span.bounds()), strict=False):
        if not _same(_num(r[col]), expected):
            bad.append(Untraced(resource, i, col, r[col], f"re-evaluating {formula!r} gives {expected!r}"))
            ok = False
    return ok


def _trace_period(i, r, periods, bad) -> bool:
    ids = r["inputs"].split()
    expected = period_of_rule(r["period_rule"], ids, periods)
    if expected is None or expected != (r["period_start"], r["period_end"]):
        for col in ("period_start", "period_end"):
            bad.append(Untraced("derived", i, col, r[col], f"the period rule {r['period_rule']!r} gives {expected!r}"))
        return False
    return True
