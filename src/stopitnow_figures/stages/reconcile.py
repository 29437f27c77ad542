"""reconcile: quantities from the figures that mention them and the identities between them.

Reads the candidate's processed/figures.csv (clean has checked it) and
processed/geographies.csv, raw/quantities.csv and raw/identities.csv (and
raw/figures.csv, for the line of a figure, only where a problem is reported
in it); writes build/reconcile/quantities.csv (which derive completes with
each quantity's rate note and writes as the candidate's
processed/quantities.csv) and the candidate's processed/identities.csv.

Every check runs on whole columns first; only where one may fail are the rows
checked one by one, which locates each problem (see ``QuantityTable``).

Each figure mentions one quantity; a quantity says what it counts and how
(events, distinct people, or a relation). Each quantity gets the tightest
interval that every mention of it and every identity allow, solved one
connected set of quantities at a time (see ``reconcile``); where a set admits
no value, the smallest set of rows that cannot all hold is published in the
``conflict`` column and the build goes on: a conflict between articles is
data, not a failure. Each quantity's point value and what it is
(``value_basis``: pinned, as written, hedged, clipped, vague word, midpoint or
none) are decided together, by ``reconcile.Model.solve_all``.
"""

from __future__ import annotations

__all__ = [
    "check_unsolved",
    "main",
    "read_curated",
    "run",
]  # what a command may call (tests/test_layout.py)

import sys
from functools import cached_property
from pathlib import Path

from ..model.bounds import Model, Solution, model_of_tables
from ..model.formulas import FormulaError, Periods, inputs, periods_of_rules
from ..tables import raw, vocab
from ..tables.csvio import Table, all_distinct, read_table, write_tables
from ..tables.errors import Collector
from ..tables.paths import Paths
from ..tables.schema import check_frame, field_names, load_schema, read_package_table
from ..tables.vocab import Vocabulary


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    vocabulary = vocab.load(paths.schemas)
    tables = load_inputs(paths, problems)
    problems.raise_if_any()

    # -- process -----------------------------------------------------------
    quantities = check_inputs(paths, vocabulary, tables, problems)
    problems.raise_if_any()
    solved = quantities.model().solve_all()
    out = {"quantities": quantities.columns(solved), "identities": quantities.identity_columns()}
    out["quantities"]["rate_note"] = [""] * len(
        out["quantities"]["quantity_id"]
    )  # derive, which makes the rates, says why any has none
    problems.extend(check_outputs(paths, vocabulary, quantities, out))
    problems.raise_if_any()

    # -- save outputs ------------------------------------------------------
    where = {
        "quantities": paths.reconciled_quantities,
        "identities": paths.candidate.table("identities"),
    }
    write_tables(
        {
            where[name]: (field_names(load_schema(paths.schema(name))), cols)
            for name, cols in out.items()
        }
    )


def load_inputs(paths: Paths, problems: Collector) -> dict[str, Table]:
    """The candidate's figures and geographies (clean has checked them), and the curated tables
    (``read_curated``)."""
    tables = {
        name: read_package_table(paths, paths.candidate.table(name), name, problems)
        for name in ("figures", "geographies")
    }
    return tables | read_curated(paths, problems)


def read_curated(paths: Paths, problems: Collector) -> dict[str, Table]:
    """raw/quantities.csv and raw/identities.csv, each checked against its raw schema: what
    reconcile reads of raw/, each read alone (``stopitnow-figures check`` reads them whatever else
    fails)."""
    tables = {}
    for name, path in (("quantities", paths.raw_quantities), ("identities", paths.raw_identities)):
        tables[name] = raw.read(paths, name, path, problems, checked_arrow=True)
        problems.extend(raw.check(paths, name, tables[name], path))
    return tables


def check_inputs(
    paths: Paths, vocabulary: Vocabulary, tables: dict[str, Table], problems: Collector
) -> QuantityTable:
    """Every check of the curated quantities and identities against the figures and places
    (``tables``: what ``load_inputs`` gives): the quantities with their checks run, each problem in
    ``problems``."""
    quantities = QuantityTable(paths, vocabulary, tables, problems)
    quantities.check()
    return quantities


def check_outputs(
    paths: Paths,
    vocabulary: Vocabulary,
    quantities: QuantityTable,
    out: dict,
    fields: dict | None = None,
) -> list:
    """The schema checks of the tables reconcile is about to write (``out``), each problem at the
    raw row it came from (of only the ``fields`` of each table, where given: see
    ``schema.check_frame``)."""
    found = []
    for name, cols in out.items():
        display = paths.rel(paths.raw_quantities if name == "quantities" else paths.raw_identities)
        lines, only = quantities.lines_of(name, cols), None if fields is None else fields.get(name)
        found += check_frame(
            cols, paths.schema(name), name, display, lines=lines, vocabulary=vocabulary, fields=only
        )
    return found


def check_unsolved(
    paths: Paths, vocabulary: Vocabulary, tables: dict[str, Table], problems: Collector
) -> Table | None:
    """reconcile's checks as ``stopitnow-figures check`` runs them, with no solve: ``check_inputs``,
    then, where they pass, the schema checks of the columns of its tables that the raw rows give
    (the quantities' periods included, from their rules; not what the solve gives). The quantities
    as derive's checks read them (their ids, places and periods), where every check has passed; else
    None."""
    quantities = check_inputs(paths, vocabulary, tables, problems)
    if problems:
        return None
    curated = quantities.curated_columns()
    out = {"quantities": curated, "identities": quantities.identity_columns()}
    problems.extend(
        check_outputs(paths, vocabulary, quantities, out, {"quantities": tuple(curated)})
    )
    return None if problems else Table(list(curated), curated, n=len(tables["quantities"]))


class QuantityTable:
    """The curated quantities and identities, checked against the figures that mention them.

    Each rule of the quantities and of the figures' mentions of them is one test on whole columns
    (``check``); only the rows where it fails are read one by one, to say where, and only then is
    raw/figures.csv read, for the line of each figure."""

    def __init__(
        self, paths: Paths, vocabulary: Vocabulary, tables: dict[str, Table], problems: Collector
    ) -> None:
        self.paths, self.vocabulary, self.t, self.problems = paths, vocabulary, tables, problems
        self.q_display, self.i_display, self.f_display = (
            paths.rel(paths.raw_quantities),
            paths.rel(paths.raw_identities),
            paths.rel(paths.raw_figures),
        )
        self.counting = vocabulary.names("quantities", "counting")

    @cached_property
    def periods(self) -> Periods:
        f = self.t["figures"]
        index = {ident: k for k, ident in enumerate(f.column("figure_id"))}
        return Periods(index, f.column("period_start"), f.column("period_end"))

    @cached_property
    def figure_line(self) -> dict[str, int]:
        """The line of each figure in raw/figures.csv (read only to locate a problem in it)."""
        path = self.paths.raw_figures
        figures = read_table(
            path, raw.columns(self.paths, "figures"), self.problems, display=self.f_display
        )
        return dict(zip(figures.column("figure_id"), figures.lines, strict=True))

    @cached_property
    def named(self) -> list[str]:
        """The ids the identities name, each once, sorted."""
        return sorted(
            {i for r in self.t["identities"] for i in inputs(r["left"]) + inputs(r["right"])}
        )

    @cached_property
    def index(self) -> dict[str, int]:
        """The last row of each quantity an identity names (the row an id stands for, where it is
        listed twice): the ids the identity checks look up, one to one with rows, as ``parse``
        needs."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        ids = self.t["quantities"].arrow("quantity_id")
        rows = np.flatnonzero(
            pc.is_in(ids, value_set=pa.array(self.named, type=pa.string())).to_numpy()
        )
        return dict(
            zip(pc.take(ids, pa.array(rows)).to_pylist(), rows.tolist(), strict=True)
        )  # a later row replaces an earlier

    def counting_of(self, qid: str) -> str:
        """How the quantity (its last row) counts."""
        values, codes = self._countings
        return values[codes[self.index[qid]]]

    @cached_property
    def _countings(self) -> tuple[list[str], object]:
        import pyarrow.compute as pc

        coded = pc.dictionary_encode(self.t["quantities"].arrow("counting").combine_chunks())
        return coded.dictionary.to_pylist(), coded.indices.to_numpy()

    # -- the checks --------------------------------------------------------------------

    def check(self) -> None:
        """Every row checked (problems are collected, not raised): the identities, the quantities,
        the figures' mentions of them, and that each quantity is used."""
        self.refused = self.check_identities()
        self.check_bases(self.refused)
        self.check_quantities()
        self.check_mentions()
        self.check_unused()

    def model(self) -> Model:
        """The reconciliation model, once ``check`` has found nothing."""
        figures, quantities, identities = (
            self.t["figures"],
            self.t["quantities"],
            self.t["identities"],
        )
        return model_of_tables(
            self.vocabulary,
            figures,
            quantities,
            identities,
            skip=self.refused,
            quantity_of=self.quantity_of,
        )

    @cached_property
    def id_order(self):
        """The rows of raw/quantities.csv in the order of their ids (Arrow's sort, which is stable:
        rows of one id in the order of the file; its order of UTF-8 bytes is the order of code
        points ``sorted`` gives)."""
        import pyarrow.compute as pc

        return pc.sort_indices(self.t["quantities"].arrow("quantity_id"))

    @cached_property
    def _id_runs(self):
        """Of the quantity rows: which repeat an id an earlier row has, and which is the last row of
        its id."""
        import numpy as np
        import pyarrow.compute as pc

        order = self.id_order.to_numpy()
        ordered = pc.take(self.t["quantities"].arrow("quantity_id"), self.id_order)
        n = len(order)
        same_as_next = (
            pc.equal(ordered.slice(0, max(n - 1, 0)), ordered.slice(1))
            .to_numpy(zero_copy_only=False)
            .astype(bool)
        )
        repeated, last = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
        repeated[order[1:][same_as_next]] = True
        last[order[:-1][same_as_next]] = False
        return repeated, last

    @cached_property
    def quantity_at(self):
        """The row of each figure's quantity (the last row of its id), as Arrow integers, null where
        no row has it."""
        import pyarrow.compute as pc

        ids = self.t["quantities"].arrow("quantity_id").combine_chunks()
        from_end = pc.index_in(self.t["figures"].arrow("quantity_id"), value_set=ids[::-1])
        return pc.subtract(len(ids) - 1, from_end)

    @cached_property
    def quantity_of(self):
        """The row of each figure's quantity, where each is a quantity's (None where one is not)."""
        at = self.quantity_at
        return None if at.null_count else at.to_numpy().astype("int64")

    @cached_property
    def quantity_periods(self):
        """Each quantity row's period (start, end) by its rule, as Arrow arrays (null where the rule
        does not apply): ``periods_of_rules``, an ``of:<figure id>`` rule looked up a column at a
        time where each figure id is once (else every rule as ``period_of_rule`` reads it)."""
        f = self.t["figures"]
        ids = f.arrow("figure_id").combine_chunks() if self.figure_ids_unique else None
        starts, ends = f.arrow("period_start"), f.arrow("period_end")
        return periods_of_rules(
            self.t["quantities"].arrow("period"), ids, starts, ends, lambda: self.periods
        )

    @cached_property
    def figure_ids_unique(self) -> bool:
        return all_distinct(self.t["figures"].arrow("figure_id"))

    def check_quantities(self) -> None:
        """Each quantity listed once, in a known place, with a period rule that applies."""
        import pyarrow as pa
        import pyarrow.compute as pc

        q = self.t["quantities"]
        geo, codes = (
            q.arrow("geography_code"),
            pa.array(self.t["geographies"].column("geography_code"), type=pa.string()),
        )
        known = pc.or_(pc.equal(geo, ""), pc.is_in(geo, value_set=codes))
        applies = pc.is_valid(self.quantity_periods[0])
        rules = [
            ("duplicate-id", "quantity_id", self._id_runs[0], "each quantity is listed once"),
            ("unknown-id", "geography_code", ~_true(known),
             "no row of raw/geographies.csv has this code"),
            ("bad-period", "period", ~_true(applies),
             "use of:<figure id>, shift:<figure id>:<years>, or leave empty"),
        ]  # fmt: skip
        for kind, column, wrong, message in rules:
            for k, cell in _failing(q, column, wrong):
                self.problems.add(kind, self.q_display, q.lines[k], column, cell, message)

    def check_mentions(self) -> None:
        """Each figure mentions a known quantity, in the quantity's measure, unit and place, within
        its period."""
        import pyarrow.compute as pc

        f, q, at = self.t["figures"], self.t["quantities"], self.quantity_at
        display, unknown = self.f_display, ~_true(pc.is_valid(at))
        for k, qid in _failing(f, "quantity_id", unknown):
            self.problems.add(
                "unknown-id",
                display,
                self._line(k),
                "quantity_id",
                qid,
                "no row of raw/quantities.csv has this id",
            )
        theirs = lambda column: pc.take(q.arrow(column), at)  # noqa: E731  (null where the quantity is unknown)
        for column in ("measure", "unit"):
            other = _true(pc.not_equal(f.arrow(column), theirs(column)))
            for k, cell, qid, own in _failing(
                f, column, other, f.arrow("quantity_id"), theirs(column)
            ):
                message = f"the quantity {qid} has {column} {own!r}"
                self.problems.add(
                    "quantity-mismatch", display, self._line(k), column, cell, message
                )
        geo = f.arrow("geography_code")
        elsewhere = _true(
            pc.and_(pc.not_equal(geo, ""), pc.not_equal(geo, theirs("geography_code")))
        )
        for k, cell, own in _failing(f, "geography_code", elsewhere, theirs("geography_code")):
            message = f"the figure's place {cell} is not its quantity's ({own or 'none'})"
            self.problems.add(
                "quantity-mismatch", display, self._line(k), "geography_code", cell, message
            )
        first, last = (pc.take(c, at) for c in self.quantity_periods)
        start, end = f.arrow("period_start"), f.arrow("period_end")
        within = pc.and_(
            pc.less_equal(first, start), pc.less_equal(end, last)
        )  # ISO dates, compared as text
        outside = _true(
            pc.and_(pc.and_(pc.not_equal(first, ""), pc.not_equal(start, "")), pc.invert(within))
        )
        for k, cell, to, a, b in _failing(f, "period_start", outside, end, first, last):
            message = (
                f"the figure's period {cell} to {to} is not within its quantity's ({a} to {b})"
            )
            self.problems.add(
                "quantity-mismatch", self.f_display, self._line(k), "period_start", cell, message
            )

    def _line(self, k: int) -> int | None:
        """The line in raw/figures.csv of the figure at row ``k`` of the cleaned figures."""
        return self.figure_line.get(self.t["figures"].column("figure_id")[k])

    def check_unused(self) -> None:
        """A figure mentions, or an identity names, each quantity (said once, at the last row of its
        id)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        q = self.t["quantities"]
        ids = q.arrow("quantity_id")
        used = pc.or_(
            pc.is_in(ids, value_set=self.t["figures"].arrow("quantity_id").combine_chunks()),
            pc.is_in(ids, value_set=pa.array(self.named, pa.string())),
        )
        for k, qid in _failing(q, "quantity_id", ~_true(used) & self._id_runs[1]):
            why = "no figure mentions this quantity and no identity uses it"
            self.problems.add("unused-row", self.q_display, q.lines[k], "quantity_id", qid, why)

    def check_identities(self) -> set[str]:
        """The ids of the identity rows refused (each refusal a located problem)."""
        refused, seen = set(), set()
        for r in self.t["identities"]:
            if r["identity_id"] in seen:
                self.problems.add(
                    "duplicate-id",
                    self.i_display,
                    r.line,
                    "identity_id",
                    r["identity_id"],
                    "each identity is listed once",
                )
            seen.add(r["identity_id"])
            ids = inputs(r["left"]) + inputs(r["right"])
            unknown = [i for i in ids if i not in self.index]
            for i in unknown:
                self.problems.add(
                    "unknown-id",
                    self.i_display,
                    r.line,
                    "left" if i in inputs(r["left"]) else "right",
                    i,
                    "no quantity has this id",
                )
            if not ids:
                self.problems.add(
                    "no-inputs",
                    self.i_display,
                    r.line,
                    "left",
                    r["left"],
                    "an identity relates quantities: name at least one",
                )
            if unknown or not ids or not self.formula_ok(r):
                refused.add(r["identity_id"])
        return refused

    def check_bases(self, refused: set[str]) -> None:
        """An identity that joins quantities no one article gives all of rests on the reading that
        the articles count the same thing: its basis is reading (docs/CURATING.md, Identities and
        their basis). A quantity no article gives (nor dates) is left out of the test."""
        reading = self.vocabulary.names("identities", "basis").reading
        for r in self.t["identities"]:
            if r["identity_id"] in refused or r["basis"] == reading:
                continue
            given = [
                s
                for q in dict.fromkeys(inputs(r["left"]) + inputs(r["right"]))
                if (s := self.sources_of.get(q))
            ]
            if len(given) > 1 and not set.intersection(*given):
                message = (
                    "no one article gives all its quantities (they come from "
                    f"{', '.join(sorted(set().union(*given)))}): "
                    "a link across articles rests on the reading that they count the same thing; "
                    f"make its basis {reading!r} "
                    "and name the alternative in the note"
                )
                self.problems.add(
                    "identity-basis", self.i_display, r.line, "basis", r["basis"], message
                )

    @cached_property
    def sources_of(self) -> dict[str, set[str]]:
        """The articles that give each quantity an identity names: those of its mentions, and that
        of the figure whose period its period rule takes (an implied count is dated by one article's
        figure)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        named = pa.array(self.named, type=pa.string())
        f = self.t["figures"]
        mine = pc.is_in(f.arrow("quantity_id"), value_set=named)
        out: dict[str, set[str]] = {}
        for qid, sid in zip(
            pc.filter(f.arrow("quantity_id"), mine).to_pylist(),
            pc.filter(f.arrow("source_id"), mine).to_pylist(),
            strict=True,
        ):
            out.setdefault(qid, set()).add(sid)
        q = self.t["quantities"]
        rows = pc.is_in(q.arrow("quantity_id"), value_set=named)
        rules = dict(
            zip(
                pc.filter(q.arrow("quantity_id"), rows).to_pylist(),
                pc.filter(q.arrow("period"), rows).to_pylist(),
                strict=True,
            )
        )
        dated = {
            qid: rule.split(":")[1]
            for qid, rule in rules.items()
            if rule.startswith(("of:", "shift:"))
        }
        at = pc.is_in(
            f.arrow("figure_id"), value_set=pa.array(sorted(set(dated.values())), type=pa.string())
        )
        source = dict(
            zip(
                pc.filter(f.arrow("figure_id"), at).to_pylist(),
                pc.filter(f.arrow("source_id"), at).to_pylist(),
                strict=True,
            )
        )
        for qid, fid in dated.items():
            if fid in source:
                out.setdefault(qid, set()).add(source[fid])
        return out

    def formula_ok(self, r) -> bool:
        """Both sides in the formula language, and a sum's total and parts single quantities counted
        alike."""
        from ..model.bounds import parse

        sides = {}
        for side in ("left", "right"):
            try:
                sides[side] = parse(r[side], self.index)
            except FormulaError as exc:
                self.problems.add("bad-formula", self.i_display, r.line, side, r[side], str(exc))
        if len(sides) < 2:
            return False
        left, right = sides["left"], sides["right"]
        if r["relation"] == self.vocabulary.names("identities", "relation").sum_of_parts:
            return self.sum_ok(r, left, right)
        return True

    def sum_ok(self, r, left, right) -> bool:
        parts = right.variables()
        plain = left.op == "var" and _is_sum_of(right)
        countings = {self.counting_of(q) for q in [*inputs(r["left"]), *inputs(r["right"])]}
        if (
            not plain
            or len(set(parts)) != len(parts)
            or len(countings) != 1
            or countings & {self.counting.relation}
        ):
            message = (
                "a sum relates one total to the sum of its parts ({a} + {b} ...), all "
                "counted alike as events or as distinct people"
            )
            self.problems.add("bad-formula", self.i_display, r.line, "right", r["right"], message)
            return False
        return True

    def curated_columns(self) -> dict:
        """The columns of processed/quantities.csv that raw/quantities.csv gives (each quantity's
        period from its rule), sorted by id (each id once here, as the checks have shown; see
        ``id_order``); Arrow text, the writer's to read a chunk at a time."""
        import pyarrow.compute as pc

        q, order = self.t["quantities"], self.id_order
        own = lambda col: pc.take(col, order)  # noqa: E731
        return {
            "quantity_id": own(q.arrow("quantity_id")),
            **{
                c: own(q.arrow(c))
                for c in ("description", "measure", "unit", "counting", "geography_code")
            },
            "period_start": own(self.quantity_periods[0]),
            "period_end": own(self.quantity_periods[1]),
            "period_rule": own(q.arrow("period")),
            "note": own(q.arrow("note")),
        }

    def columns(self, solved: Solution) -> dict:
        """processed/quantities.csv by column, sorted by id: ``curated_columns`` and what the solve
        gives."""
        import numpy as np

        at = (
            self.id_order.to_numpy()
        )  # the model's quantities are the rows of raw/quantities.csv, in order
        finite = lambda a: np.where(np.isinf(a), np.nan, a)  # noqa: E731
        text = lambda col: np.array(col, dtype=object)[at].tolist()  # noqa: E731
        return {
            **self.curated_columns(),
            "value": solved.value[at],
            "value_basis": text(solved.basis),
            "lower": finite(solved.lo[at]),
            "upper": finite(solved.hi[at]),
            "mentions": text(solved.mentions),
            "identities": text(solved.identities),
            "lower_by": text(solved.lower_by),
            "upper_by": text(solved.upper_by),
            "status": text(solved.status),
            "conflict": text(solved.conflict),
            "set_aside": text(solved.set_aside),
        }

    def identity_columns(self) -> dict:
        rows = sorted(self.t["identities"], key=lambda r: r["identity_id"])
        return {
            **{c: [r[c] for r in rows] for c in ("identity_id", "left", "relation", "right")},
            "inputs": [
                " ".join(dict.fromkeys(inputs(r["left"]) + inputs(r["right"]))) for r in rows
            ],
            "basis": [r["basis"] for r in rows],
            "note": [r["note"] for r in rows],
        }

    def lines_of(self, name: str, cols: dict) -> list[int]:
        table = self.t[name]
        if name == "quantities":  # in the order ``columns`` sorted them
            lines = table.lines
            return [lines[k] for k in self.id_order.to_numpy().tolist()]
        line = dict(zip(table.column("identity_id"), table.lines, strict=True))
        return [line[i] for i in cols["identity_id"]]


def _true(mask):
    """An Arrow mask as NumPy booleans, a null (a row the test does not apply to) as false."""
    import pyarrow.compute as pc

    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


def _failing(table: Table, column: str, wrong, *others):
    """(row, its cell of ``column``, and its cells of each of ``others``, Arrow columns) for each
    row ``wrong`` holds."""
    import numpy as np
    import pyarrow as pa

    rows = np.flatnonzero(wrong)
    if not len(rows):
        return []
    at = pa.array(rows, type=pa.int64())
    cells = [table.arrow(column).take(at).to_pylist(), *(o.take(at).to_pylist() for o in others)]
    return list(zip(rows.tolist(), *cells, strict=True))


def _is_sum_of(node) -> bool:
    if node.op == "var":
        return True
    return node.op == "+" and _is_sum_of(node.left) and _is_sum_of(node.right)


def main(argv: list[str] | None = None) -> int:
    from ..publishing.stage import run_stage

    return run_stage("reconcile", run, argv)


if __name__ == "__main__":
    sys.exit(main())
