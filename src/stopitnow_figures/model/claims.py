"""Claim checks: each number an article states about its own numbers, against what the rest of the
evidence allows.

A claim row (raw/claims.csv) names the figure that states the number and a formula over quantities
(and reference rows) for what the article compares it with, and a relation: ``equals`` (the stated
number is what the formula gives), ``at least`` or ``at most`` (the figure's quantity is at least,
or at most, what the formula gives: "the highest number of visitors of any Scottish city").

How a claim is decided, the figure left out of its own check (so a number never confirms itself):

- the *rest of the evidence* is every other mention and identity of the figure's connected set of
  quantities, less the rows its reconciliation set aside (``reconcile.Model.rest``);
- the formula is evaluated on what the rest allows each quantity (``computed``, ``lower``,
  ``upper``);
- for ``equals``, the stated interval *fits* where the figure's quantity can lie in it with the rest
  of the evidence (whole numbers for counts: 36 after "a 44% increase" from a whole number fits only
  25); for ``at least``/``at most``, where some value of the stated interval meets the relation;
- not checkable where the rest could not tell the stated number from half or twice it (both would
  fit); else consistent where the stated number, read as rounded to its last written digit, fits;
  consistent within rounding where only its published (coarser) reading fits; else inconsistent.

The explanation is the curated ``compares`` text, then what the rest allows and which rows decided
it (the rows without which the computed interval would change), and, where they apply, the whole
number that the stated number forces and the overlap that counting distinct people needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..tables.csvio import format_number
from ..tables.numbers import STATED_SENTENCE, VERDICT_SENTENCE
from .bounds import INF, Box, Model
from .formulas import evaluate, inputs
from .intervals import Interval
from .values import NumberReader, apply_reading

SCALES = (
    0.5,
    2.0,
)  # the stated number against half and twice it: can the rest of the evidence tell them apart?


@dataclass(frozen=True)
class Check:
    verdict: str
    computed: float
    lo: float
    hi: float
    explanation: str
    ids: list[str]


def fmt(lo: float | None, hi: float | None) -> str:
    """An interval as the package writes it in words, each end at the full precision of the
    tables (``format_number``; a page rounds it for people, ``tables.numbers``): one number where
    both ends agree."""
    lo = None if lo is None or lo == -INF else lo
    hi = None if hi is None or hi == INF else hi
    if lo is not None and hi is not None and math.isclose(lo, hi, rel_tol=1e-12, abs_tol=1e-12):
        return format_number(lo)
    return (
        f"[{'unbounded' if lo is None else format_number(lo)}, "
        f"{'unbounded' if hi is None else format_number(hi)}]"
    )


class ClaimChecker:
    """Decides claims with one reconciliation ``model`` of the package; ``lookup`` gives (value,
    lower, upper) of any id a formula may name outside the figure's set (quantities as reconciled,
    reference rows)."""

    def __init__(
        self,
        vocabulary,
        params: dict,
        figures,
        model: Model,
        lookup: Callable[[str], tuple[float, float, float]],
        *,
        of_model: bool = False,
    ) -> None:
        self.v = vocabulary.names("claims", "verdict")
        self.relations = vocabulary.names("claims", "relation")
        self.reader = NumberReader(vocabulary, params["clean"])
        self.vocabulary = vocabulary
        # a figure's cells are looked up when a claim names it (a few claims, a million figures), at
        # its row of ``figures`` (the last row of an id listed twice). ``of_model``: the model was
        # made of these figures, so its mentions hold their rows and numbers already
        if of_model:
            self._row, self._numbers = model.mention_at, (model.m.value, model.m.lo, model.m.hi)
        else:
            ids = figures.column("figure_id")
            self._row = dict(zip(ids, range(len(ids)), strict=True))
            self._numbers = (
                figures.numbers("value")[0],
                figures.numbers("lower", -INF)[0],
                figures.numbers("upper", INF)[0],
            )
        self._cells = {
            n: figures.arrow_or_list(n) for n in ("as_written", "reading", "quantity_id")
        }
        self.model, self.lookup = model, lookup

    def _cell(self, name: str, figure_id: str) -> str:
        col, k = self._cells[name], self._row[figure_id]
        if col is None:  # an optional column the table lacks
            return ""
        return col[k] if isinstance(col, list) else col[k].as_py()

    def knows(self, figure_id: object) -> bool:
        """Whether a figure of this id is in the package."""
        return figure_id in self._row

    def stated(self, figure_id: str) -> tuple[float, float, float]:
        """The figure's value and interval (an unbounded end infinite)."""
        k = self._row[figure_id]
        return tuple(float(col[k]) for col in self._numbers)

    def quantity(self, figure_id: str) -> str:
        """The quantity the figure mentions."""
        return self._cell("quantity_id", figure_id)

    def check(self, figure_id: str, formula: str, relation: str, explain: bool = True) -> Check:
        """The claim decided: its verdict and the formula's value and interval on the rest of the
        evidence, with the explanation in words (which rows decide it: a solve per group of rows
        tried), or an empty one where ``explain`` is false (the gate compares the numbers and the
        verdict, which do not depend on it)."""
        rest = self.model.leave_out(figure_id)
        computed = self.computed(formula, rest)
        _, slo, shi = self.stated(figure_id)
        strict = self.strict(figure_id)
        fits = self.fits(figure_id, relation, computed)
        if not self.checkable(figure_id, relation, computed, fits):
            verdict, said = (
                self.v.not_checkable,
                "The rest of the evidence cannot tell the stated number from half or twice it, so "
                "nothing is checked.",
            )
            return Check(
                verdict,
                computed[0],
                computed[1].lo,
                computed[1].hi,
                f"{self.allows(computed, [])} {said}",
                inputs(formula),
            )
        r = self.relations
        verb, negated = {
            r.equals: ("fits", "does not fit"),
            r.at_least: ("can be at least that", "cannot be at least that"),
            r.at_most: ("can be at most that", "cannot be at most that"),
        }[relation]
        box = fits(*strict)
        if box is not None:
            verdict, said = self.v.consistent, f"{STATED_SENTENCE}{fmt(*strict)} {verb}."
        elif (box := fits(slo, shi)) is not None:
            verdict = self.v.consistent_within_rounding
            said = (
                f"{STATED_SENTENCE}{fmt(*strict)} {negated}, but as rounded to its last "
                f"significant digit ({fmt(slo, shi)}) it "
                f"{verb.replace('can be', 'can be').replace('fits', 'does')}."
            )
        else:
            verdict, said = self.v.inconsistent, f"{STATED_SENTENCE}{fmt(slo, shi)} {negated}."
        if not explain:
            return Check(verdict, computed[0], computed[1].lo, computed[1].hi, "", inputs(formula))
        deciding = self.model.deciding(figure_id, lambda bounds: self.interval_on(formula, bounds))
        notes = [self.allows(computed, deciding), said]
        if isinstance(box, Box):
            notes += self.forced(figure_id, rest, box) + self.overlaps(box, deciding)
        return Check(
            verdict, computed[0], computed[1].lo, computed[1].hi, " ".join(notes), inputs(formula)
        )

    # -- the pieces -----------------------------------------------------------------------

    def computed(
        self, formula: str, rest: dict[str, tuple[float, float, float]]
    ) -> tuple[float, Interval]:
        """The formula on what the rest allows: its value (NaN where the point values admit none, as
        36 over a count that the rest leaves at anything from 0) and its interval."""
        point, spans = {}, {}
        for ident in inputs(formula):
            value, lo, hi = rest[ident] if ident in rest else self.lookup(ident)
            point[ident], spans[ident] = value, Interval(lo, hi)
        return evaluate(formula, point, spans)

    def interval_on(self, formula: str, bounds: dict) -> tuple[float, float] | None:
        """The formula's interval on some bounds, rounded (None where it cannot be evaluated
        there)."""
        try:
            return _rounded(self.computed(formula, bounds)[1])
        except (ZeroDivisionError, ValueError, OverflowError):
            return None

    def strict(self, figure_id: str) -> tuple[float, float]:
        """The stated number as rounded to its last written digit (the published interval where that
        is the same)."""
        written, reading = self._cell("as_written", figure_id), self._cell("reading", figure_id)
        parsed = self.reader.parse(written)
        _, _, lo, hi = apply_reading(
            reading, parsed, *self.reader.published_interval(parsed, strict=True), self.vocabulary
        )
        return (-INF if lo is None else lo, INF if hi is None else hi)

    def fits(self, figure_id: str, relation: str, computed: tuple[float, Interval]):
        """A test of a stated interval: the bounds with it (a Box, or True for a relation claim)
        where it fits, else None."""
        if relation == self.relations.equals:
            return lambda lo, hi: self.model.holds_with(figure_id, lo, hi)
        c = computed[1]
        if relation == self.relations.at_least:
            return lambda lo, hi: True if hi >= c.lo else None
        return lambda lo, hi: True if lo <= c.hi else None

    def checkable(
        self, figure_id: str, relation: str, computed: tuple[float, Interval], fits
    ) -> bool:
        """Whether the rest of the evidence can decide the claim. For equals: unless it could not
        tell the stated number from half or twice it (both would fit). For at least (at most): where
        the rest bounds the formula from below (above) beyond the quantity's domain."""
        _, slo, shi = self.stated(figure_id)
        if relation == self.relations.equals:
            return not all(fits(slo * f, shi * f) is not None for f in SCALES)
        v = self.model.index[self.quantity(figure_id)]
        if relation == self.relations.at_least:
            return bool(computed[1].lo > self.model.q.lo[v])
        return bool(computed[1].hi < self.model.q.hi[v])

    def allows(self, computed: tuple[float, Interval], deciding: list[str]) -> str:
        by = f" (decided by {', '.join(deciding)})" if deciding else ""
        return (
            f"{VERDICT_SENTENCE}the rest of the evidence gives "
            f"{fmt(computed[1].lo, computed[1].hi)}{by}."
        )

    def forced(self, figure_id: str, rest: dict, box: Box) -> list[str]:
        """Whole numbers that the stated number leaves only one of, where the rest of the evidence
        left several."""
        out = []
        for q, (_, lo, hi) in sorted(rest.items()):
            v = self.model.index[q]
            if (
                v in self.model.whole
                and lo < hi
                and box.lo[v] == box.hi[v]
                and q != self.quantity(figure_id)
            ):
                out.append(
                    f"With the stated number, {q} can only be {format_number(box.lo[v])}, a whole "
                    "number."
                )
        return out

    def overlaps(self, box: Box, deciding: list[str]) -> list[str]:
        """For each total of distinct people among the rows that decided the claim: how many of it
        the stated number needs counted in two of its parts."""
        out = []
        for ident, total, parts in self.model.sums:
            if ident not in deciding or total not in box.lo:
                continue
            lo = max(0.0, sum(box.lo[p] for p in parts) - box.hi[total])
            hi = sum(box.hi[p] for p in parts) - box.lo[total]
            if hi > 0:
                out.append(
                    f"Counted as distinct people ({ident}), {self.model.q.ids[total]} is not the "
                    "sum of its parts: "
                    f"the stated number fits if {fmt(lo, hi)} of them were counted in more than "
                    "one part; counted as events (none), it would not."
                    if lo > 0
                    else f"Counted as distinct people ({ident}), {fmt(0.0, hi)} of "
                    f"{self.model.q.ids[total]} may be counted in more than one part."
                )
        return out


def _rounded(i: Interval) -> tuple[float, float]:
    return (round(float(i.lo), 9), round(float(i.hi), 9))
