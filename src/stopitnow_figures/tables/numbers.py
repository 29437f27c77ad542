"""Numbers as a person reads them: the one rounding rule of every page, the datasheet and ``trace``.

The published CSVs keep full precision; text for people shows a number the package computed to
the significant figures its inputs support (DESIGN.md, "Rounding for people"):

- a number as a source wrote it (a figure, a reference row's population, what a claim states) is
  shown as written; but a fraction the source wrote in words ("around a third", read as
  33.33333333 per cent) is shown to ``WORD_FIGURES`` significant figures (33.3), its interval
  outward;
- a whole number is shown whole: it is a count, or a sum or difference of counts, exact as they are;
- any other number the package computed (a rate, share, multiple, percentage change or monthly
  rate; an end of a quantity's interval set through an identity; a claim's computed value) is
  shown to the significant figures of its least precise input, and never fewer than
  ``MIN_FIGURES``. Its inputs are the source numbers it rests on: the figures and reference rows
  reached through its inputs, the rows that set its ends (``lower_by``, ``upper_by``) and the
  identities among them. A number as written has as many significant figures as its digits from
  the first non-zero one, less the trailing zeros of a whole number ("78" two, "3,579" four,
  "300" one, "0.043" two, "1.50" three);
- a point is rounded to the nearest (half away from zero), an interval outward (its lower end
  down, its upper end up), so that the interval shown always holds the one computed.

Worked by hand: 836 of 3,579 as a percentage is 23.35848002..., shown 23.4 (three figures, from
836); 78 calls per 5,404,700 people per 100,000 is 1.443188336..., shown 1.4 (two, from 78).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

MIN_FIGURES = 2  # never fewer: "300" (one figure) still gives a share to two
WORD_FIGURES = 3  # a fraction written in words, exact as it is ("a third"), is shown to three
DIGIT = re.compile(r"[0-9]")
WAYS = {"nearest": ROUND_HALF_UP, "down": ROUND_FLOOR, "up": ROUND_CEILING}


def significant_figures(written: str) -> int:
    """The significant figures of a number as written (separators and sign ignored; at least
    one)."""
    digits = written.replace(",", "").strip().lstrip("+-")
    if "e" in digits.lower():  # 1.5e-05: the mantissa's
        digits = digits.lower().split("e")[0]
    if "." in digits:
        whole, _, part = digits.partition(".")
        return len((whole + part).lstrip("0")) or 1
    return len(digits.lstrip("0").rstrip("0")) or 1


def rounded(text: str, figures: int, way: str = "nearest") -> str:
    """``text`` (a number as the CSVs write it) to ``figures`` significant figures, rounded
    ``way`` (nearest, down or up); a whole number, an empty cell or what is not a number is
    returned as it is."""
    try:
        x = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return text
    if not x.is_finite() or x == x.to_integral_value():
        return text
    step = Decimal(1).scaleb(x.adjusted() - max(figures, MIN_FIGURES) + 1)
    out = x.quantize(step, rounding=WAYS[way])
    return format(out.normalize() if out == out.to_integral_value() else out, "f")


# a number standing alone in text, its sign attached: not a piece of an id, a date or a word
# ("rate-scotland-2019-f04", "2019h1", "2015-16"); thousands separated by commas or not
NUMBER = r"(?<![\w.,-])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w-]|[.,]\d)"
# how a claim's explanation begins the sentence on the number its figure states, read as written
# (model/claims.py writes it): "The stated [69.5, 70.5] does not fit, but as rounded ..."
STATED_SENTENCE = "The stated "
# how the verdict's part of an explanation begins (model/claims.py writes it after the curator's
# words of what the claim compares, which are the curator's and shown as written)
VERDICT_SENTENCE = "Without this figure, "
# the pieces of text rounded each its own way: a quotation (kept as written), the sentence on the
# stated number (to its end: a full stop not followed by a digit), an interval "[lower, upper]"
# (an end may be "unbounded"), a lone number
PIECE = re.compile(
    rf'(?P<quote>"[^"]*"|\u201c[^\u201d]*\u201d)'
    rf"|(?P<stated>{STATED_SENTENCE}(?:[^.]|\.(?=\d))*)"
    rf"|\[(?P<lower>{NUMBER}|unbounded), (?P<upper>{NUMBER}|unbounded)\]"
    rf"|(?P<point>{NUMBER})"
)


def text_for_people(text: str, figures: int, stated: int | None = None) -> str:
    """``text`` (a claim's explanation, its numbers at the CSVs' full precision) with each number
    as people read it, to ``figures`` significant figures (``rounded``): an interval written
    "[lower, upper]" outward, its lower end down and its upper end up, so that the interval shown
    holds the one written; a lone number to the nearest. A number with no more figures than that
    is kept as written (no zeros added), and so is a quotation (in double quotes: the article's
    words), a number inside an id or a word, and a whole number. The sentence on the stated number
    (``STATED_SENTENCE``) is the figure's number as read: to ``stated`` figures (a figure written
    in words), or as written where ``stated`` is None, as the claim's stated cells are. The
    curator's words of what the claim compares, before the verdict's (``VERDICT_SENTENCE``), are
    kept as written: an "or more" rounded up would say more than the curator did."""

    def shown(m: re.Match) -> str:
        if m["quote"]:
            return m["quote"]
        if m["stated"]:
            rest = m["stated"][len(STATED_SENTENCE) :]
            kept = stated is None
            return STATED_SENTENCE + (rest if kept else text_for_people(rest, stated))
        if m["point"]:
            return _in_text(m["point"], figures, "nearest")
        lower, upper = _in_text(m["lower"], figures, "down"), _in_text(m["upper"], figures, "up")
        return f"[{lower}, {upper}]"

    curated, verdict = _split_curated(text)
    return curated + PIECE.sub(shown, verdict)


def _split_curated(text: str) -> tuple[str, str]:
    """A claim's explanation as the curator's words and the verdict's (from the last
    ``VERDICT_SENTENCE``); all of it is the verdict's where there is none."""
    at = text.rfind(VERDICT_SENTENCE)
    return (text[:at], text[at:]) if at > 0 else ("", text)


def _in_text(number: str, figures: int, way: str) -> str:
    """``rounded``, but a number with no more significant figures than asked kept as written."""
    if significant_figures(number) <= max(figures, MIN_FIGURES):
        return number
    return rounded(number, figures, way)


# the columns people read: a row's points, its interval's lower and upper ends
COMPUTED = (("value", "computed"), "lower", "upper")
STATED = (("stated",), "stated_lower", "stated_upper")  # what a claim's figure states
EXPLAINED = "explanation"  # a claim's text, its numbers at full precision (``text_for_people``)


def for_people(
    row: Mapping[str, str],
    figures: int,
    ends: tuple[bool, bool] = (True, True),
    columns: tuple = COMPUTED,
) -> dict:
    """A copy of ``row`` with its computed numbers as people read them, to ``figures`` significant
    figures: the points of ``columns`` to the nearest, the lower end down and the upper end up.
    ``ends`` says whether each end was computed (an end a figure sets is shown as written). Every
    other cell is kept."""
    points, lower, upper = columns
    out = dict(row)
    todo = [(c, "nearest", True) for c in points] + [
        (lower, "down", ends[0]),
        (upper, "up", ends[1]),
    ]
    for column, way, computed in todo:
        if computed and out.get(column):
            out[column] = rounded(out[column], figures, way)
    return out


class Precision:
    """The significant figures each computed row of the package supports: the least of the source
    numbers (figures and reference rows) it rests on, reached through inputs, the rows that set a
    quantity's ends and the identities among them; at least MIN_FIGURES.

    ``written``: each figure's and reference row's id -> its value as written; ``links``: each
    other row's id -> the ids it rests on (a derived metric's, claim's or identity's ``inputs``,
    a quantity's ``lower_by`` and ``upper_by``); ``ends``: each quantity's id -> the ids that set
    its lower end and its upper end; ``words``: the figures written in words (no digit), each
    shown to WORD_FIGURES; ``stating``: each claim's id -> the id of the figure that states it."""

    def __init__(
        self,
        written: Mapping[str, str],
        links: Mapping[str, list[str]],
        ends: Mapping[str, tuple[list[str], list[str]]],
        words: frozenset[str] = frozenset(),
        stating: Mapping[str, str] | None = None,
    ) -> None:
        self.written, self.links, self.ends = written, links, ends
        self.words, self.stating = words, stating or {}

    @classmethod
    def of_tables(cls, tables: Mapping[str, Iterable[Mapping[str, str]]]) -> Precision:
        """From the package's tables, each a list of rows (by table name)."""
        rows = {name: list(t) for name, t in tables.items()}
        return cls.of_columns(lambda table, name: [r.get(name, "") for r in rows.get(table, ())])

    @classmethod
    def of_columns(cls, column: Callable[[str, str], list[str]]) -> Precision:
        """From the package's tables, read a column at a time: ``column(table, name)``."""

        def pairs(table: str, key: str, name: str) -> zip:
            return zip(column(table, key), column(table, name), strict=True)

        written = dict(pairs("figures", "figure_id", "value"))
        words = frozenset(
            f for f, said in pairs("figures", "figure_id", "as_written") if not DIGIT.search(said)
        )
        written |= pairs("population", "population_id", "value")
        ends = {
            q: (lo.split(), hi.split())
            for (q, lo), (_, hi) in zip(
                pairs("quantities", "quantity_id", "lower_by"),
                pairs("quantities", "quantity_id", "upper_by"),
                strict=True,
            )
        }
        links = {q: lo + hi for q, (lo, hi) in ends.items()}
        for table, key in (
            ("identities", "identity_id"),
            ("derived", "metric_id"),
            ("claims", "claim_id"),
        ):
            links |= {i: x.split() for i, x in pairs(table, key, "inputs")}
        return cls(written, links, ends, words, dict(pairs("claims", "claim_id", "figure_id")))

    def least(self, start: Iterable[str]) -> int:
        """The least significant figures of the source numbers reachable from the ids ``start``
        (each row visited once, so cycles of identities end), and never fewer than MIN_FIGURES."""
        todo = list(start)
        seen, least = set(todo), None
        while todo:
            i = todo.pop()
            if i in self.written:
                k = significant_figures(self.written[i])
                least = k if least is None else min(least, k)
            for j in self.links.get(i, ()):
                if j not in seen:
                    seen.add(j)
                    todo.append(j)
        return max(MIN_FIGURES, least or MIN_FIGURES)

    def shown(self, ident: str, row: Mapping[str, str]) -> dict:
        """``row`` (of ``ident``) with its numbers as people read them. A figure or reference row
        as written (a figure in words to WORD_FIGURES); a quantity's end computed where something
        other than figures set it (an identity), and its point where an end is; a derived metric's
        or claim's computed numbers all, a claim's stated ones as its figure's, and the numbers of a
        claim's explanation to the figures of its computed ones, its stated number's as its stated
        cells (``text_for_people``)."""
        if ident in self.words:
            return for_people(row, WORD_FIGURES)
        if ident in self.written:
            return dict(row)
        if ident in self.ends:
            by = self.ends[ident]
            computed = tuple(any(i not in self.written for i in ids) for ids in by)
            if not any(computed):  # set by figures: as written, a figure in words as one is
                worded = any(i in self.words for ids in by for i in ids)
                return for_people(row, WORD_FIGURES) if worded else dict(row)
            return for_people(row, self.least(by[0] + by[1]), computed)
        figures = self.least(self.links.get(ident, ()))
        out = for_people(row, figures)
        if self.stating.get(ident) in self.words:
            out = for_people(out, WORD_FIGURES, columns=STATED)
        if out.get(EXPLAINED):
            worded = WORD_FIGURES if self.stating.get(ident) in self.words else None
            out[EXPLAINED] = text_for_people(out[EXPLAINED], figures, worded)
        return out
