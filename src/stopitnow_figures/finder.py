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
MENTION = re.compile(
    r"\d+(?:[,.]\d+)*"
    r"|\b(?:" + "|".join(_WORDS) + r")\b",
    re.IGNORECASE,
)


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
    return [Mention(m.start(), m.end(), m.group(0)) for m in MENTION.finditer(text)]


def classify(mentions: list[Mention], spans: list[Span]) -> list[tuple[Mention, Span | None]]:
    """Pair each mention with the span that accounts for it (figure first), or None."""
    order = {"figure": 0, "period": 1, "not_figure": 2}
    ranked = sorted(spans, key=lambda s: (order[s.kind], s.start))
    out = []
    for m in mentions:
        hit = next((s for s in ranked if s.start <= m.start and m.end <= s.end), None)
        out.append((m, hit))
    return out
