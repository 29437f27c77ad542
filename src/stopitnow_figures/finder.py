"""Find every numeric mention in a text, independently of the figure tables.

A mention is a run of digits (with thousands separators or decimals), a
number word ("seven", "hundred"), a fraction word ("half", "third",
"quarter"), a multiple ("double", "doubling", "twice") or a vague count word
("dozens", "hundreds", "tens"). Ordinals ("first") are not counts and are not
found. ``classify`` then says, for each mention, whether a figure accounts for
it, the period words of a figure do, a row of ``raw/not_figures.csv`` does,
or nothing does.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from .values import FRACTIONS, MULTIPLES, SCALES, TENS, UNITS

_WORDS = sorted(
    set(UNITS)
    | set(TENS)
    | set(SCALES)
    | set(FRACTIONS)
    | {f + "s" for f in FRACTIONS if f != "half"}
    | set(MULTIPLES)
    | {"dozen", "dozens", "hundreds", "thousands", "millions", "tens", "halved", "halves"},
    key=len,
    reverse=True,
)
WORDS = frozenset(_WORDS)
# digit runs, and runs of letters that are then looked up in WORDS (faster than one big alternation)
TOKEN = re.compile(r"\d+(?:[,.]\d+)*|[^\W\d_]+")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # figure | period | not_figure
    ref: str  # the figure id or the not_figures line that accounts for it


def find_mentions(text: str) -> list[Mention]:
    """Every numeric mention in ``text``, in order."""
    return [Mention(m.start(), m.end(), m.group(0)) for m in TOKEN.finditer(text) if m.group(0)[0].isdigit() or m.group(0).lower() in WORDS]


def classify(mentions: list[Mention], spans: list[Span]) -> list[tuple[Mention, Span | None]]:
    """Pair each mention with the span that accounts for it (figure first), or None."""
    order = {"figure": 0, "period": 1, "not_figure": 2}
    by_start = sorted(spans, key=lambda s: (s.start, order[s.kind]))
    starts = [s.start for s in by_start]
    longest = max((s.end - s.start for s in spans), default=0)
    out = []
    for m in mentions:
        hits = []
        i = bisect_right(starts, m.start) - 1
        while i >= 0 and by_start[i].start >= m.start - longest:
            s = by_start[i]
            if m.end <= s.end:
                hits.append(s)
            i -= 1
        out.append((m, min(hits, key=lambda s: (order[s.kind], s.start)) if hits else None))
    return out
