"""Numbers as written in the press ("Nearly 80", "1,504", "half a million",
"a third", "5 per cent", "double") turned into a value, a hedge and a kind,
and the interval the hedge implies for the true value.

The hedge words, the qualifier each gives and the interval each qualifier
implies are data, in ``schemas/vocabulary.json``; the widths and the ranges
of vague words ("dozens", "hundreds") are parameters, in ``params.yaml``.
This module holds the English of numbers (number words, fractions,
multiples) and the arithmetic of the interval shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from ..tables.vocab import Vocabulary

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

# the reading of a vague word used as a floor (schemas/vocabulary.json, readings; see ``floors``)
OPEN = "open"

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
    # a unit of the last written digit: 1 for "1,504" and "80", 0.1 for "5.5" (0: not written in
    # digits)
    written_unit: float
    # a unit of the last significant digit: 10 for "80" and "560", 1,000 for "185,000" (0: none)
    significant_unit: float
    vague_word: str | None = None
    word_multiple: bool = False  # "double", "treble": a word for a ratio near the number


@dataclass(frozen=True)
class Widths:
    """The parameters of hedged intervals (params.yaml, clean): for each qualifier with a width, the
    share of the number and the number of units of its last significant digit (the interval is the
    narrower of the two); the relative width of a word multiple; whether a rounded number is rounded
    to its last significant digit (else to its last written one); and the range of each vague
    word."""

    hedges: dict[str, dict[str, float]]
    word_multiple: float
    coarse_rounding: bool
    vague_ranges: dict[str, list[int]]

    @classmethod
    def of(cls, params: dict) -> Widths:
        return cls(
            dict(params["hedge_widths"]),
            params["word_multiple_width"],
            params["coarse_rounding"],
            dict(params["vague_ranges"]),
        )

    def width(self, qualifier: str, parsed: Parsed) -> float:
        w = self.hedges[qualifier]
        by_share = w["share"] * abs(parsed.value)
        return (
            min(by_share, w["units"] * parsed.significant_unit)
            if parsed.significant_unit
            else by_share
        )


class NumberReader:
    """Reads numbers as written with the hedge vocabulary of ``schemas/vocabulary.json``.

    Hedges are matched longest first, so no hedge can begin a longer one that
    would have matched (a hedge of four words wins over the last three of them).
    """

    def __init__(self, vocabulary: Vocabulary, params: dict) -> None:
        self.vocabulary = vocabulary
        self.widths = Widths.of(params)
        self.vague_ranges = self.widths.vague_ranges
        self.hedges = vocabulary.hedges
        self._hedge_of = dict(vocabulary.hedges)
        # the common case, a plain or hedged whole number ("1,504", "nearly 80"), read without the
        # general parser
        self._plain = re.compile(
            r"(?:("
            + "|".join(re.escape(h) for h, _ in self.hedges)
            + r") )?(\d{1,3}(?:,\d{3})+|\d+)"
        )
        self._memo: dict[str, Parsed | ValueParseError] = {}

    def parse(self, text: str) -> Parsed:
        """Parse a number as an article writes it, hedge included."""
        if not isinstance(text, str):
            raise ValueParseError("not text")
        got = self._memo.get(text)
        if got is None:
            try:
                got = self._parse(text)
            except ValueParseError as exc:
                got = exc
            if len(self._memo) < 65536:
                self._memo[text] = got
        if isinstance(got, ValueParseError):
            raise got
        return got

    def _parse(self, text: str) -> Parsed:
        m = self._plain.fullmatch(text.lower())
        if m:
            hedge, digits = m.groups()
            qualifier = self._hedge_of[hedge] if hedge else self.vocabulary.unhedged_count
            whole = digits.replace(",", "")
            return Parsed(float(whole), qualifier, "count", 1.0, _significant_unit(whole))
        return self.parse_general(text)

    def parse_general(self, text: str) -> Parsed:
        """The general reading every text goes through unless it is a plain or hedged whole
        number."""
        raw = " ".join(text.split())
        if not raw:
            raise ValueParseError("empty")
        qualifier, low = self._hedge(raw)
        if low in self.vague_ranges:
            if qualifier is not None:
                raise ValueParseError(f"hedge on a vague count {raw!r} is not supported")
            return Parsed(0.0, self.vocabulary.vague, "vague", 0.0, 0.0, vague_word=low)
        kind, low = _kind_of(low)
        if kind == "count" and low in MULTIPLES:
            value = float(MULTIPLES[low])
            return Parsed(
                value,
                qualifier or self.vocabulary.unhedged_other,
                "multiple",
                0.0,
                0.0,
                word_multiple=True,
            )
        value, written, significant, is_fraction = _parse_number(low)
        if is_fraction and kind == "count":
            kind = "fraction"
        unhedged = (
            self.vocabulary.unhedged_count if kind == "count" else self.vocabulary.unhedged_other
        )
        return Parsed(value, qualifier or unhedged, kind, written, significant)

    def _hedge(self, raw: str) -> tuple[str | None, str]:
        """The qualifier of the hedge the text starts with (None if none), and the text after it,
        lower-cased."""
        low = raw.lower()
        for phrase, q in self.hedges:
            if low == phrase:
                raise ValueParseError(f"{raw!r} is a hedge with no number")
            if low.startswith(phrase + " "):
                return q, low[len(phrase) + 1 :]
        return None, low

    def interval(
        self, parsed: Parsed, strict: bool = False
    ) -> tuple[float, float | None, float | None]:
        """(value, lower, upper) the hedge implies; None where unbounded (see
        ``schemas/vocabulary.json``, qualifiers). ``strict``: a rounded number as rounded to its
        last written digit, whatever the parameter."""
        v, shape, w = parsed.value, self.vocabulary.intervals[parsed.qualifier], self.widths
        if shape == "vague_range":
            lo, hi = self.vague_ranges[parsed.vague_word]
            return float(lo), float(lo), float(hi)
        if shape == "point":
            return v, v, v
        if shape == "half_unit":
            half = self._half_unit(parsed, strict)
            return v, v - half, v + half
        if shape == "around":
            return v, v - w.width(parsed.qualifier, parsed), v + w.width(parsed.qualifier, parsed)
        if shape == "below":
            return v, v - w.width(parsed.qualifier, parsed), v
        if shape == "lower_bound":
            return v, v, None
        if shape == "upper_bound":
            return v, None, v
        raise ValueParseError(f"unknown interval shape {shape!r}")

    def _half_unit(self, parsed: Parsed, strict: bool) -> float:
        """Half the width of a rounded number: of a word multiple, its share; else half a unit of
        the last significant digit (or of the last written one, ``strict`` or where coarse rounding
        is off)."""
        if parsed.word_multiple:
            return self.widths.word_multiple * parsed.value
        unit = (
            parsed.written_unit
            if strict or not self.widths.coarse_rounding
            else parsed.significant_unit
        )
        return 0.5 * unit

    def published_interval(
        self, parsed: Parsed, strict: bool = False
    ) -> tuple[float, float | None, float | None]:
        """(value, lower, upper) as published: fractions in percent; a count, multiple
        or share bounded only above is never negative, so its lower end is 0."""
        value, lower, upper = self.interval(parsed, strict)
        if parsed.kind == "fraction":
            value, lower, upper = (None if x is None else x * 100 for x in (value, lower, upper))
        if (
            self.vocabulary.intervals[parsed.qualifier] == "upper_bound"
            and parsed.kind != "percent"
        ):
            lower = 0.0
        return value, lower, upper

    def read(
        self, text: str, reading: str = ""
    ) -> tuple[Parsed, float, float | None, float | None]:
        """A number as written, parsed, with its published value and interval, after the curated
        ``reading`` (see ``apply_reading``)."""
        parsed = self.parse(text)
        value, lower, upper = self.published_interval(parsed)
        qualifier, *bounds = apply_reading(reading, parsed, value, lower, upper, self.vocabulary)
        return (
            parsed if qualifier == parsed.qualifier else replace(parsed, qualifier=qualifier),
            *bounds,
        )


def plain_readings(reader: NumberReader, written: list[str], curated: list[str]):
    """``NumberReader.read`` of its common case a column at a time: words that are a whole number in
    digits, perhaps after a hedge, with no curated reading. Which rows are of that case, and their
    qualifier, value and published bounds (NaN for none); the other rows' values are meaningless.
    (Used by clean, to type the figures, and by the provenance gate, to check them.)"""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(written)
    hedge_of = dict(reader.hedges)
    pattern = (
        "^(?:(?P<hedge>"
        + "|".join(re.escape(h) for h, _ in reader.hedges)
        + ") )?(?P<digits>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$"
    )
    text = pa.array(written, pa.string())
    plain = pc.extract_regex(pc.ascii_lower(text), pattern)
    fits = pc.is_valid(plain).to_numpy(zero_copy_only=False) & pc.string_is_ascii(text).to_numpy(
        zero_copy_only=False
    )
    fits &= pc.equal(
        pa.array(curated, pa.string()) if isinstance(curated, list) else curated, ""
    ).to_numpy(zero_copy_only=False)
    whole = pc.fill_null(pc.replace_substring(pc.struct_field(plain, "digits"), ",", ""), "0")
    value = pc.cast(whole, pa.float64()).to_numpy(zero_copy_only=False)
    kept = pc.utf8_length(pc.utf8_rtrim(whole, "0")).to_numpy(zero_copy_only=False)
    zeros = pc.utf8_length(whole).to_numpy(zero_copy_only=False) - kept
    unit = np.array([float(10**k) for k in range(int(zeros.max(initial=0)) + 1)])[
        zeros
    ]  # as values._significant_unit
    unit[kept == 0] = 1.0
    unhedged = reader.vocabulary.unhedged_count
    qualifier = np.array(
        [
            hedge_of.get(h, unhedged) if h else unhedged
            for h in pc.struct_field(plain, "hedge").to_pylist()
        ],
        dtype=object,
    )
    lo, hi = np.full(n, np.nan), np.full(n, np.nan)
    for q in set(qualifier[fits].tolist()):
        rows = fits & (qualifier == q)
        got = _plain_interval(reader, q, value[rows], unit[rows])
        if got is None:
            fits &= ~rows
        else:
            lo[rows], hi[rows] = got
    return fits, qualifier, value, lo, hi


def _plain_interval(reader: NumberReader, qualifier: str, v: np.ndarray, unit: np.ndarray):
    """The published bounds (NaN for none) of whole numbers written in digits under one qualifier,
    as ``NumberReader.published_interval`` gives them; None for a shape it does not read here."""
    import numpy as np

    shape, w = reader.vocabulary.intervals.get(qualifier), reader.widths
    if shape == "point":
        return v, v
    if shape == "half_unit":
        half = 0.5 * (unit if w.coarse_rounding else np.ones_like(unit))
        return v - half, v + half
    if shape in ("around", "below") and qualifier in w.hedges:
        width = np.minimum(
            w.hedges[qualifier]["share"] * np.abs(v), w.hedges[qualifier]["units"] * unit
        )
        return v - width, (v + width if shape == "around" else v)
    if shape == "lower_bound":
        return v, np.full(len(v), np.nan)
    if shape == "upper_bound":
        return np.zeros(len(v)), v  # a count bounded only above is never negative
    return None


def apply_reading(
    reading: str,
    parsed: Parsed,
    value: float,
    lower: float | None,
    upper: float | None,
    vocabulary: Vocabulary,
):
    """(qualifier, value, lower, upper) after a curated reading of a number beyond its hedge words
    (raw/figures.csv, column reading; each reading of ``schemas/vocabulary.json``): "round", an
    unhedged count read as rounded to its last significant digit, whose qualifier is then the
    vocabulary's ``read_as_rounded`` (a rounded number is not exact: the one place a reading decides
    a qualifier); "lower N", a lower end set by other words of the quote, which the row's notes
    quote; "open <figure id>", no upper end (a vague word used as a floor, as the named figure
    shows: see ``floors``)."""
    if not reading:
        return parsed.qualifier, value, lower, upper
    name, _, arg = reading.partition(" ")
    if name not in vocabulary.readings:
        raise ValueParseError(
            f"{reading!r} is not a reading; use one of {sorted(vocabulary.readings)}"
        )
    if name == "round":
        if parsed.qualifier != vocabulary.unhedged_count or not parsed.significant_unit:
            raise ValueParseError("only an unhedged count written in digits can be read as round")
        half = 0.5 * parsed.significant_unit
        return vocabulary.read_as_rounded, value, value - half, value + half
    if name == OPEN:
        return parsed.qualifier, value, lower, None
    try:
        bound = float(arg.replace(",", ""))
    except ValueError:
        raise ValueParseError(f"{reading!r}: give the lower end as a number (lower 1)") from None
    if upper is not None and bound > upper or bound > value:
        raise ValueParseError(f"{reading!r}: the lower end must not exceed the number ({value:g})")
    return parsed.qualifier, value, max(bound, lower) if lower is not None else bound, upper


def _significant_unit(whole: str) -> float:
    """A unit of the last significant digit of a whole number written in digits: 10**(trailing
    zeros)."""
    stripped = whole.rstrip("0")
    return float(10 ** (len(whole) - len(stripped))) if stripped else 1.0


def _kind_of(low: str) -> tuple[str, str]:
    """The kind a trailing word gives ("5 per cent": percent; "10 times": multiple), and the text
    before it."""
    m = _PERCENT.match(low)
    if m:
        return "percent", m.group(1)
    m = _TIMES.match(low)
    if m:
        return "multiple", m.group(1)
    return "count", low


def _parse_number(text: str) -> tuple[float, float, float, bool]:
    """Return (value, unit of the last written digit, unit of the last significant digit, is a bare
    fraction); a number in words has no written digit, and the unit of its last significant digit
    comes from its value."""
    if not text:
        raise ValueParseError("no number")
    m = _DIGITS.match(text)
    if m:
        whole, frac = m.group(1).replace(",", ""), m.group(2)
        if frac:
            unit = 10.0 ** (-len(frac))
            return float(f"{whole}.{frac}"), unit, unit, False
        return float(whole), 1.0, _significant_unit(whole), False
    words = text.replace("-", " ").split()
    if words and words[0] in ("a", "an") and len(words) == 2 and words[1] in FRACTIONS:
        return FRACTIONS[words[1]], 0.0, 0.0, True
    value = _words_value(text, words)
    whole = f"{value:.0f}"
    return value, 0.0, _significant_unit(whole) if value.is_integer() and value > 0 else 0.0, False


def _words_value(text: str, words: list[str]) -> float:
    """A number written in words, or in digits and a scale word ("half a million", "1.2 million",
    "seven")."""
    if len(words) == 3 and words[0] in FRACTIONS and words[1] in ("a", "an") and words[2] in SCALES:
        return FRACTIONS[words[0]] * SCALES[words[2]]
    if len(words) == 3 and words[1] in ("a", "an") and _is_words(words[:1]) and words[2] in SCALES:
        raise ValueParseError(f"cannot read {text!r}")
    if len(words) >= 1 and words[0] in ("a", "an") and len(words) == 2 and words[1] in SCALES:
        return float(SCALES[words[1]])
    m2 = re.match(r"^(\d+(?:\.\d+)?)\s+(million|billion|thousand)$", text)
    if m2:
        return float(m2.group(1)) * SCALES[m2.group(2)]
    if _is_words(words):
        return float(words_to_int(words))
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


# a number as written is whole words of its quote: not inside a word ("one" in "anyone"),
# nor a part of a longer number ("8" in "78", "100" in "100,000", "5" in "5.5")
def find_number(quote: str, as_written: str) -> int:
    """Where ``as_written`` stands in ``quote`` as whole words (the first such place), or -1."""
    if not as_written:
        return -1
    at = quote.find(as_written)
    while at >= 0:
        if _whole(quote, at, at + len(as_written)):
            return at
        at = quote.find(as_written, at + 1)
    return -1


def _whole(text: str, a: int, b: int) -> bool:
    """Whether text[a:b] is not joined to a letter or digit before or after, nor to a number by a
    comma or point."""
    before, after = text[a - 1 : a], text[b : b + 1]
    if (before.isalnum() and text[a].isalnum()) or (after.isalnum() and text[b - 1].isalnum()):
        return False
    if before in (",", ".") and text[a - 2 : a - 1].isdigit() and text[a].isdigit():
        return False
    return not (after in (",", ".") and text[b + 1 : b + 2].isdigit() and text[b - 1].isdigit())


def kind_of(text: str) -> str:
    """The kind of a number as written, hedge words and all, without reading its value: percent ("5
    per cent"), multiple ("10 times", "double"), fraction ("a third", "two thirds") or count."""
    kind, rest = _kind_of(" ".join(text.lower().split()))
    words = rest.replace("-", " ").split()  # "two-thirds"
    last = words[-1] if words else ""
    if kind == "count" and last in MULTIPLES:
        return "multiple"
    if kind == "count" and (last in FRACTIONS or last.removesuffix("s") in FRACTIONS):
        return "fraction"
    return kind
