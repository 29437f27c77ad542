"""Numbers as written in the press ("Nearly 80", "1,504", "half a million",
"a third", "5 per cent", "double") turned into a value, a hedge and a kind.

The hedge vocabulary is closed. Each qualifier implies an interval for the
true value (see ``interval``):

==============  ==========================================  ====================
qualifier       article words                               interval
==============  ==========================================  ====================
exact           (none) on a count                           [v, v]
rounded         (none) on a percentage, fraction, multiple  [v - h, v + h], h = half a unit of the last written digit
approximately   around, about, approximately, roughly       [v(1-a), v(1+a)]
estimated       an estimated, estimated that, estimated     [v(1-e), v(1+e)]
nearly          nearly, almost, just under                  [v(1-n), v]
more_than       more than, over                             (v, unbounded)
at_least        at least                                    [v, unbounded)
fewer_than      fewer than, less than                       (unbounded, v)
up_to           up to, as many as, as much as               (unbounded, v]
vague           dozens, hundreds, thousands, tens of ...    the range in params.yaml; value is its lower end
==============  ==========================================  ====================

``a``, ``e`` and ``n`` and the vague ranges live in ``params.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

QUALIFIERS = (
    "exact",
    "rounded",
    "approximately",
    "estimated",
    "nearly",
    "more_than",
    "at_least",
    "fewer_than",
    "up_to",
    "vague",
)
KINDS = ("count", "percent", "fraction", "multiple", "vague")

# longest phrases first so "maybe as much as" wins over "as much as"
HEDGES: tuple[tuple[str, str], ...] = (
    ("maybe as much as", "up_to"),
    ("as much as", "up_to"),
    ("as many as", "up_to"),
    ("up to", "up_to"),
    ("just under", "nearly"),
    ("nearly", "nearly"),
    ("almost", "nearly"),
    ("more than", "more_than"),
    ("over", "more_than"),
    ("at least", "at_least"),
    ("fewer than", "fewer_than"),
    ("less than", "fewer_than"),
    ("an estimated", "estimated"),
    ("estimated that", "estimated"),
    ("estimated", "estimated"),
    ("approximately", "approximately"),
    ("around", "approximately"),
    ("about", "approximately"),
    ("roughly", "approximately"),
)

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
FRACTIONS = {"half": 1 / 2, "third": 1 / 3, "quarter": 1 / 4, "fifth": 1 / 5}
MULTIPLES = {
    "double": 2,
    "doubled": 2,
    "doubling": 2,
    "twice": 2,
    "treble": 3,
    "trebled": 3,
    "triple": 3,
    "tripled": 3,
    "trebling": 3,
}
VAGUE = ("tens of thousands", "hundreds of thousands", "dozens", "hundreds", "thousands", "millions")

_DIGITS = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$")
_PERCENT = re.compile(r"^(.*?)\s*(?:%|per\s+cent|percent)$")
_TIMES = re.compile(r"^(.*?)\s+times$")


class ValueParseError(ValueError):
    """The text is not a number this parser knows; the message says why."""


@dataclass(frozen=True)
class Parsed:
    value: float
    qualifier: str
    kind: str
    half_unit: float  # half a unit of the last written digit (0 for exact counts)
    vague_word: str | None = None


def parse_as_written(text: str) -> Parsed:
    """Parse a number as an article writes it, hedge included."""
    if not isinstance(text, str):
        raise ValueParseError("not text")
    return _parse_cached(text)


def _check_hedge_order() -> None:
    """The hedge that prefixes a text is the first in HEDGES that does: no hedge
    (with its space) may begin a later one, or a single regular expression
    could pick a different hedge than the loop in ``_parse_cached``."""
    for i, (earlier, _) in enumerate(HEDGES):
        for later, _ in HEDGES[i + 1 :]:
            if (later + " ").startswith(earlier + " "):
                raise RuntimeError(f"hedge {earlier!r} begins the later hedge {later!r}; list the longer one first")


_check_hedge_order()
# the common case, a plain or hedged whole number ("1,504", "nearly 80"), read without the general parser
_PLAIN = re.compile(r"(?:(" + "|".join(re.escape(h) for h, _ in HEDGES) + r") )?(\d{1,3}(?:,\d{3})+|\d+)")
_HEDGE_OF = dict(HEDGES)


@lru_cache(maxsize=65536)
def _parse_cached(text: str) -> Parsed:
    if not isinstance(text, str):
        raise ValueParseError("not text")
    m = _PLAIN.fullmatch(text.lower())
    if m:
        hedge, digits = m.groups()
        return Parsed(float(digits.replace(",", "")), _HEDGE_OF[hedge] if hedge else "exact", "count", 0.0)
    return parse_general(text)


def parse_general(text: str) -> Parsed:
    """The general reading every text goes through unless it is a plain or hedged whole number."""
    raw = " ".join(text.split())
    if not raw:
        raise ValueParseError("empty")
    low = raw.lower()
    qualifier = None
    for phrase, q in HEDGES:
        if low == phrase:
            raise ValueParseError(f"{raw!r} is a hedge with no number")
        if low.startswith(phrase + " "):
            qualifier = q
            low = low[len(phrase) + 1 :]
            break
    if low in VAGUE:
        if qualifier is not None:
            raise ValueParseError(f"hedge on a vague count {raw!r} is not supported")
        return Parsed(0.0, "vague", "vague", 0.0, vague_word=low)
    kind = "count"
    m = _PERCENT.match(low)
    if m:
        kind, low = "percent", m.group(1)
    else:
        m = _TIMES.match(low)
        if m:
            kind, low = "multiple", m.group(1)
    if kind == "count" and low in MULTIPLES:
        kind = "multiple"
        value, half = float(MULTIPLES[low]), 0.5
    else:
        value, half, is_fraction = _parse_number(low)
        if is_fraction and kind == "count":
            kind = "fraction"
    if kind == "count":
        half = 0.0
    q = qualifier or ("exact" if kind == "count" else "rounded")
    return Parsed(value, q, kind, half)


def _parse_number(text: str) -> tuple[float, float, bool]:
    """Return (value, half unit of last digit, is a bare fraction)."""
    if not text:
        raise ValueParseError("no number")
    m = _DIGITS.match(text)
    if m:
        whole, frac = m.group(1).replace(",", ""), m.group(2)
        if frac:
            return float(f"{whole}.{frac}"), 0.5 * 10 ** (-len(frac)), False
        return float(whole), 0.5, False
    words = text.replace("-", " ").split()
    if words and words[0] in ("a", "an") and len(words) == 2 and words[1] in FRACTIONS:
        return FRACTIONS[words[1]], 0.0, True
    if len(words) == 3 and words[0] in FRACTIONS and words[1] in ("a", "an") and words[2] in SCALES:
        return FRACTIONS[words[0]] * SCALES[words[2]], 0.0, False
    if len(words) == 3 and words[1] in ("a", "an") and _is_words(words[:1]) and words[2] in SCALES:
        raise ValueParseError(f"cannot read {text!r}")
    if len(words) >= 1 and words[0] in ("a", "an") and len(words) == 2 and words[1] in SCALES:
        return float(SCALES[words[1]]), 0.0, False
    m2 = re.match(r"^(\d+(?:\.\d+)?)\s+(million|billion|thousand)$", text)
    if m2:
        return float(m2.group(1)) * SCALES[m2.group(2)], 0.0, False
    if _is_words(words):
        return float(words_to_int(words)), 0.0, False
    raise ValueParseError(f"cannot read {text!r} as a number")


def _is_words(words: list[str]) -> bool:
    return bool(words) and all(w in UNITS or w in TENS or w in SCALES or w == "and" for w in words)


def words_to_int(words: list[str]) -> int:
    """English number words to an integer ("one hundred and five" -> 105)."""
    total = current = 0
    seen_any = False
    last = None
    for w in words:
        if w == "and":
            if last is None or last == "and":
                raise ValueParseError("misplaced 'and'")
            last = w
            continue
        if w in UNITS:
            if last in UNITS:
                raise ValueParseError(f"two unit words in a row: {last} {w}")
            if last in TENS and UNITS[w] >= 10:
                raise ValueParseError(f"cannot follow {last} with {w}")
            current += UNITS[w]
        elif w in TENS:
            if last in UNITS or last in TENS:
                raise ValueParseError(f"cannot follow {last} with {w}")
            current += TENS[w]
        elif w == "hundred":
            if current == 0 or current >= 100:
                raise ValueParseError("'hundred' needs a number before it")
            current *= 100
        else:
            scale = SCALES[w]
            if current == 0:
                raise ValueParseError(f"{w!r} needs a number before it")
            total += current * scale
            current = 0
        seen_any = True
        last = w
    if not seen_any or last == "and":
        raise ValueParseError("no number words")
    return total + current


def int_to_words(n: int) -> str:
    """An integer (0 to 999,999,999) in English words, for round-trip tests and messages."""
    if n < 0 or n >= 1_000_000_000:
        raise ValueError("out of range")
    if n == 0:
        return "zero"
    names_u = {v: k for k, v in UNITS.items()}
    names_t = {v: k for k, v in TENS.items()}

    def below_thousand(k: int) -> list[str]:
        out: list[str] = []
        h, rest = divmod(k, 100)
        if h:
            out += [names_u[h], "hundred"]
            if rest:
                out.append("and")
        if rest >= 20:
            t, u = divmod(rest, 10)
            out.append(names_t[t * 10] + (f"-{names_u[u]}" if u else ""))
        elif rest:
            out.append(names_u[rest])
        return out

    parts: list[str] = []
    for scale, word in ((1_000_000, "million"), (1_000, "thousand")):
        q, n = divmod(n, scale)
        if q:
            parts += below_thousand(q) + [word]
    if n:
        if parts and n < 100:
            parts.append("and")
        parts += below_thousand(n)
    return " ".join(parts)


def interval(parsed: Parsed, widths: dict, vague_ranges: dict) -> tuple[float, float | None, float | None]:
    """Return (value, lower, upper) implied by the hedge; None where unbounded."""
    v, q = parsed.value, parsed.qualifier
    if q == "vague":
        lo, hi = vague_ranges[parsed.vague_word]
        return float(lo), float(lo), float(hi)
    if q == "exact":
        return v, v, v
    if q == "rounded":
        return v, v - parsed.half_unit, v + parsed.half_unit
    if q in ("approximately", "estimated"):
        w = widths[q]
        return v, v * (1 - w), v * (1 + w)
    if q == "nearly":
        return v, v * (1 - widths["nearly"]), v
    if q in ("more_than", "at_least"):
        return v, v, None
    if q in ("fewer_than", "up_to"):
        return v, None, v
    raise ValueParseError(f"unknown qualifier {q!r}")


def published_interval(parsed: Parsed, widths: dict, vague_ranges: dict) -> tuple[float, float | None, float | None]:
    """(value, lower, upper) as published: fractions in percent; a count, multiple
    or share bounded only above is never negative, so its lower end is 0."""
    value, lower, upper = interval(parsed, widths, vague_ranges)
    if parsed.kind == "fraction":
        value, lower, upper = (None if x is None else x * 100 for x in (value, lower, upper))
    if parsed.qualifier in ("fewer_than", "up_to") and parsed.kind != "percent":
        lower = 0.0
    return value, lower, upper
