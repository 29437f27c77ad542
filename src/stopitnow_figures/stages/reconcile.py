"""reconcile: quantities from the figures that mention them and the identities between them.

Reads the candidate's processed/figures.csv (clean has checked it) and
processed/geographies.csv, raw/figures.csv (for the line of each figure),
raw/quantities.csv and raw/identities.csv; writes the candidate's
processed/quantities.csv and processed/identities.csv.

Each figure mentions one quantity; a quantity says what it counts and how
(events, distinct people, or a relation). Each quantity gets the tightest
interval that every mention of it and every identity allow, solved one
connected set of quantities at a time (see ``reconcile``); where a set admits
no value, the smallest set of rows that cannot all hold is published in the
``conflict`` column and the build goes on: a conflict between articles is
data, not a failure.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import raw, vocab
from ..csvio import Table, read_table, write_tables
from ..errors import Collector
from ..expr import FormulaError, Periods, inputs, period_of_rule
from ..paths import Paths
from ..reconcile import Model, Solution, model_of_tables
from ..schema import check_frame, check_text_table, field_names, load_schema
from ..vocab import Vocabulary


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    vocabulary = vocab.load(paths.schemas)
    tables = load_inputs(paths, problems)
    problems.raise_if_any()

    # -- process -----------------------------------------------------------
    quantities = QuantityTable(paths, vocabulary, tables, problems)
    model = quantities.model()
    problems.raise_if_any()
    assert model is not None
    solved = model.solve_all()
    out = {"quantities": quantities.columns(model, solved), "identities": quantities.identity_columns()}
    for name, cols in out.items():
        display = paths.rel(paths.raw_quantities if name == "quantities" else paths.raw_identities)
        problems.extend(check_frame(cols, paths.schema(name), name, display, lines=quantities.lines_of(name, cols), vocabulary=vocabulary))
    problems.raise_if_any()

    # -- save outputs ------------------------------------------------------
    write_tables({paths.candidate.table(name): (field_names(load_schema(paths.schema(name))), cols) for name, cols in out.items()})


def load_inputs(paths: Paths, problems: Collector) -> dict[str, Table]:
    tables = {}
    for name in ("figures", "geographies"):
        path = paths.candidate.table(name)
        tables[name] = read_table(
            path, field_names(load_schema(paths.schema(name))), problems, display=paths.rel(path), written_by_pipeline=True
        )
    for name, path in (("raw_figures", paths.raw_figures), ("quantities", paths.raw_quantities), ("identities", paths.raw_identities)):
        table = name.removeprefix("raw_")
        tables[name] = read_table(path, raw.columns(paths, table), problems, display=paths.rel(path))
        if name != "raw_figures":
            problems.extend(check_text_table(tables[name], raw.schema_path(paths, table), paths.rel(path)))
    return tables


class QuantityTable:
    """The curated quantities and identities, checked against the figures that mention them."""

    def __init__(self, paths: Paths, vocabulary: Vocabulary, tables: dict[str, Table], problems: Collector) -> None:
        self.paths, self.vocabulary, self.t, self.problems = paths, vocabulary, tables, problems
        self.q_display, self.i_display, self.f_display = (
            paths.rel(paths.raw_quantities),
            paths.rel(paths.raw_identities),
            paths.rel(paths.raw_figures),
        )
        self.rows = {r["quantity_id"]: r for r in tables["quantities"]}
        self.index = {q: k for k, q in enumerate(self.rows)}
        self._periods: dict[str, tuple[str, str] | None] = {}
        self.counting = vocabulary.names("quantities", "counting")
        figures = tables["figures"]
        self.figure_line = dict(zip(tables["raw_figures"].column("figure_id"), tables["raw_figures"].lines, strict=True))
        fig = {
            n: figures.column(n) for n in ("figure_id", "quantity_id", "measure", "unit", "geography_code", "period_start", "period_end")
        }
        self.fig = fig
        index = {ident: k for k, ident in enumerate(fig["figure_id"])}
        self.periods = Periods(index, fig["period_start"], fig["period_end"])
        self.values = figures.numbers("value")[0], figures.numbers("lower", -float("inf"))[0], figures.numbers("upper", float("inf"))[0]

    def model(self) -> Model | None:
        """The reconciliation model, every row checked first (problems are collected, not raised; None where there are any)."""
        self.check_quantities()
        self.check_mentions()
        refused = self.check_identities()
        used = set(self.fig["quantity_id"]) | {i for r in self.t["identities"] for i in inputs(r["left"]) + inputs(r["right"])}
        for qid, row in self.rows.items():
            if qid not in used:
                self.problems.add(
                    "unused-row", self.q_display, row.line, "quantity_id", qid, "no figure mentions this quantity and no identity uses it"
                )
        if self.problems.problems:
            return None
        return model_of_tables(self.vocabulary, self.t["figures"], self.t["quantities"], self.t["identities"], skip=refused)

    def check_quantities(self) -> None:
        seen: set[str] = set()
        codes = set(self.t["geographies"].column("geography_code"))
        for row in self.t["quantities"]:
            if row["quantity_id"] in seen:
                self.problems.add(
                    "duplicate-id", self.q_display, row.line, "quantity_id", row["quantity_id"], "each quantity is listed once"
                )
            seen.add(row["quantity_id"])
            if row["geography_code"] and row["geography_code"] not in codes:
                self.problems.add(
                    "unknown-id",
                    self.q_display,
                    row.line,
                    "geography_code",
                    row["geography_code"],
                    "no row of raw/geographies.csv has this code",
                )
            if self.period_of(row) is None:
                self.problems.add(
                    "bad-period",
                    self.q_display,
                    row.line,
                    "period",
                    row["period"],
                    "use of:<figure id>, shift:<figure id>:<years>, or leave empty",
                )

    def check_mentions(self) -> None:
        """Each figure mentions a known quantity in its words: measure, unit, place and period."""
        for k, fid in enumerate(self.fig["figure_id"]):
            qid, line = self.fig["quantity_id"][k], self.figure_line.get(fid)
            if qid not in self.rows:
                self.problems.add("unknown-id", self.f_display, line, "quantity_id", qid, "no row of raw/quantities.csv has this id")
                continue
            self.check_mention(k, self.rows[qid], line)

    def check_mention(self, k: int, row, line: int | None) -> None:
        """A figure mentions its quantity in the quantity's measure, unit and place, within its period."""
        display, f = self.f_display, self.fig
        for column in ("measure", "unit"):
            if f[column][k] != row[column]:
                self.problems.add(
                    "quantity-mismatch",
                    display,
                    line,
                    column,
                    f[column][k],
                    f"the quantity {row['quantity_id']} has {column} {row[column]!r}",
                )
        if f["geography_code"][k] and f["geography_code"][k] != row["geography_code"]:
            message = f"the figure's place {f['geography_code'][k]} is not its quantity's ({row['geography_code'] or 'none'})"
            self.problems.add("quantity-mismatch", display, line, "geography_code", f["geography_code"][k], message)
        period = self.period_of(row)
        start, end = f["period_start"][k], f["period_end"][k]
        if period and period[0] and start and not (period[0] <= start and end <= period[1]):
            message = f"the figure's period {start} to {end} is not within its quantity's ({period[0]} to {period[1]})"
            self.problems.add("quantity-mismatch", display, line, "period_start", start, message)

    def period_of(self, row) -> tuple[str, str] | None:
        """A quantity's period from its rule (each rule read once)."""
        qid = row["quantity_id"]
        if qid not in self._periods:
            self._periods[qid] = period_of_rule(row["period"], [], self.periods)
        return self._periods[qid]

    def check_identities(self) -> set[str]:
        """The ids of the identity rows refused (each refusal a located problem)."""
        refused, seen = set(), set()
        for r in self.t["identities"]:
            if r["identity_id"] in seen:
                self.problems.add("duplicate-id", self.i_display, r.line, "identity_id", r["identity_id"], "each identity is listed once")
            seen.add(r["identity_id"])
            ids = inputs(r["left"]) + inputs(r["right"])
            unknown = [i for i in ids if i not in self.rows]
            for i in unknown:
                self.problems.add(
                    "unknown-id", self.i_display, r.line, "left" if i in inputs(r["left"]) else "right", i, "no quantity has this id"
                )
            if not ids:
                self.problems.add(
                    "no-inputs", self.i_display, r.line, "left", r["left"], "an identity relates quantities: name at least one"
                )
            if unknown or not ids or not self.formula_ok(r):
                refused.add(r["identity_id"])
        return refused

    def formula_ok(self, r) -> bool:
        """Both sides in the formula language, and a sum's total and parts single quantities counted alike."""
        from ..reconcile import parse

        try:
            left, right = parse(r["left"], self.index), parse(r["right"], self.index)
        except FormulaError as exc:
            self.problems.add("bad-formula", self.i_display, r.line, "left", f"{r['left']} {r['relation']} {r['right']}", str(exc))
            return False
        if r["relation"] == self.vocabulary.names("identities", "relation").sum_of_parts:
            return self.sum_ok(r, left, right)
        return True

    def sum_ok(self, r, left, right) -> bool:
        parts = right.variables()
        plain = left.op == "var" and _is_sum_of(right)
        countings = {self.rows[q]["counting"] for q in [*inputs(r["left"]), *inputs(r["right"])]}
        if not plain or len(set(parts)) != len(parts) or len(countings) != 1 or countings & {self.counting.relation}:
            message = "a sum relates one total to the sum of its parts ({a} + {b} ...), all counted alike as events or as distinct people"
            self.problems.add("bad-formula", self.i_display, r.line, "right", r["right"], message)
            return False
        return True

    def columns(self, model: Model, solved: Solution) -> dict:
        """processed/quantities.csv by column, sorted by id."""
        import numpy as np

        ids = sorted(self.rows)
        at = np.array([model.index[q] for q in ids], dtype=np.int64)
        rows = [self.rows[q] for q in ids]
        periods = [self.period_of(r) or ("", "") for r in rows]
        finite = lambda a: np.where(np.isinf(a), np.nan, a)  # noqa: E731
        text = lambda col: [col[k] for k in at.tolist()]  # noqa: E731
        return {
            "quantity_id": ids,
            **{c: [r[c] for r in rows] for c in ("description", "measure", "unit", "counting", "geography_code")},
            "period_start": [p[0] for p in periods],
            "period_end": [p[1] for p in periods],
            "period_rule": [r["period"] for r in rows],
            "value": solved.value[at],
            "lower": finite(solved.lo[at]),
            "upper": finite(solved.hi[at]),
            "mentions": text(solved.mentions),
            "identities": text(solved.identities),
            "lower_by": text(solved.lower_by),
            "upper_by": text(solved.upper_by),
            "status": text(solved.status),
            "conflict": text(solved.conflict),
            "set_aside": text(solved.set_aside),
            "note": [r["note"] for r in rows],
        }

    def identity_columns(self) -> dict:
        rows = sorted(self.t["identities"], key=lambda r: r["identity_id"])
        return {
            **{c: [r[c] for r in rows] for c in ("identity_id", "left", "relation", "right")},
            "inputs": [" ".join(dict.fromkeys(inputs(r["left"]) + inputs(r["right"]))) for r in rows],
            "note": [r["note"] for r in rows],
        }

    def lines_of(self, name: str, cols: dict) -> list[int]:
        table = self.t[name]
        key = "quantity_id" if name == "quantities" else "identity_id"
        line = dict(zip(table.column(key), table.lines, strict=True))
        return [line[i] for i in cols[key]]


def _is_sum_of(node) -> bool:
    if node.op == "var":
        return True
    return node.op == "+" and _is_sum_of(node.left) and _is_sum_of(node.right)


def main(argv: list[str] | None = None) -> int:
    from ..stage import run_stage

    return run_stage("reconcile", run, argv)


if __name__ == "__main__":
    sys.exit(main())
