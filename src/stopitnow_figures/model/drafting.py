"""How `propose` reads a numeric mention before it drafts a row: the words around it that make it
not a figure (a telephone number, a dateline, an age limit, an idiom), a figure's period words, and
the measure and unit its clause gives a figure.

Every list of words is the "drafting" section of ``schemas/vocabulary.json``; the English of numbers
(number, scale, fraction and multiple words) is ``values``; month and day names are Python's
``calendar``. This module turns them into patterns and restates none. A mention is read in three
layers, the first that holds it deciding: words that are never a figure's (a link to another story,
a web address, a telephone number, a footnote marker, an age, a name or code); then period words
("in the three months to June 25"), which a figure of their sentence takes as its period, or else
are drafted as a not-figure row; then dates and timestamps, times of day, years, durations, idioms,
ordinals and a lone "one". A mention no layer holds is a figure.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import NamedTuple

from .values import FRACTIONS, SCALES, TENS, UNITS, kind_of


class Words(NamedTuple):
    start: int
    end: int
    rule: str  # a rule of vocabulary.json's drafting.rules, or PERIOD


# period words: a figure of the sentence takes them, else they become a "dated" or "undated" row
PERIOD = "period"
CLAUSE_MARKS = re.compile(
    r"[,;:](?=\s)|[()\u2013\u2014]|\s-\s"
)  # what ends a clause inside a sentence (not "1,504")
# a sentence ends at a full stop or question mark before a capital, a digit or a quote, or at the
# end of a line; an exclamation mark ends one only at the end of a line (news prose keeps them for
# names: "Stop It Now! Scotland")
SENTENCE_END = re.compile(
    r"[.?][\"'\u201d\u2019]?\s+(?=[A-Z\d\"'\u201c\u2018(\u00a3])|![\"'\u201d\u2019]?[ "
    r"\t]*(?=\n|$)|\n"
)


def alternation(words, flags: str = "i") -> str:
    """A group matching any of the phrases (longest first, any run of spaces between words);
    ``flags`` are its inline flags ("i": ignoring case; "": as written)."""
    body = "|".join(
        r"\s+".join(map(re.escape, w.split())) for w in sorted(set(words), key=len, reverse=True)
    )
    return f"(?{flags}:{body})" if flags else f"(?:{body})"


def _cased(names) -> str:
    """Month or day names in Title case or capitals, never in lower case (so "may" the verb is not
    May)."""
    return alternation([v for n in names for v in (n, n.upper())], "") + r"\.?"


_NUMBER_WORD = rf"(?:{alternation(TENS)}(?:[-\s]{alternation(UNITS)})?|{alternation(UNITS)})"
# a number in digits or words (not a vague or fraction word)
NUM = rf"(?:\b\d+(?:[,.]\d+)*|\b{_NUMBER_WORD}\b)"
# a number an age can be (an "s" may follow: "18s")
SMALL = rf"(?:\b\d{{1,2}}(?!\d)|\b{_NUMBER_WORD}(?![^\W\d_]))"


@dataclass(frozen=True)
class Grammar:
    strong: tuple[
        tuple[str, re.Pattern], ...
    ]  # words that are never a figure's, in the order tried
    periods: re.Pattern
    weak: tuple[tuple[str, re.Pattern], ...]  # tried after period words
    dated: re.Pattern  # a date, a month or a year: period words that date something
    footnote_line: re.Pattern  # a line that starts with a footnote or list marker
    hedge_before: (
        re.Pattern
    )  # a hedge word right before a number (a hedged year-shaped number is a count)
    need_a_modifier: frozenset[str]
    share: re.Pattern
    change: re.Pattern
    difference: re.Pattern  # right after a count: a difference ("100 more than")
    measures: dict[str, str]  # "share" / "change" -> the measure each drafts
    per_month: re.Pattern
    per_month_units: dict[str, str]
    rules: dict  # rule -> {category, reason}


_GRAMMARS: dict[str, Grammar] = {}


def grammar(vocabulary) -> Grammar:
    """The patterns of the vocabulary's drafting words, built once per schemas folder."""
    if vocabulary.source not in _GRAMMARS:
        _GRAMMARS[vocabulary.source] = _build(vocabulary)
    return _GRAMMARS[vocabulary.source]


def _dates(d: dict) -> dict[str, str]:
    """The pieces of date and time grammar: month, years, date, time of day, and a date with its
    time."""
    months = _cased(
        [calendar.month_name[i] for i in range(1, 13)]
        + [calendar.month_abbr[i] for i in range(1, 13)]
        + d["months"]
    )
    days = _cased(list(calendar.day_name) + list(calendar.day_abbr) + d["days"])
    year = r"\b(?:19|20)\d\d\b"
    # 2015, 2015-16, 2017/18, 1990s
    years = rf"(?:{year}(?:\s*[-/\u2013]\s*(?:(?:19|20)\d\d|\d\d)\b)?|\b(?:19|20)\d0s\b)"
    day = r"\b\d{1,2}(?:st|nd|rd|th)?\b"
    date = (
        rf"(?:(?:{days},?\s+)?(?:(?i:the)\s+)?(?:{day}\s+(?:(?i:of)\s+)?{months}|{months}\s+{day}(?![,.]?\d))(?:,?\s+{year})?"
        rf"|\b\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d\d)\b|\b(?:19|20)\d\d-\d\d-\d\d\b)"
    )
    clock = alternation(d["clock"])
    time = (
        rf"(?:\b\d{{1,2}}[:.]\d\d\s*{clock}(?!\w)|\b\d{{1,2}}:\d\d\b|\b\d{{1,2}}\s*{clock}(?!\w))"
    )
    when = rf"(?:{date}(?:,?\s+(?:(?i:at)\s+)?{time})?|{time},?\s+(?:(?i:on)\s+)?{date})"
    return {"months": months, "years": years, "date": date, "time": time, "when": when}


def _build(vocabulary) -> Grammar:
    d = vocabulary.drafting
    dates, p, m = _dates(d["dates"]), d["period_words"], d["measures"]
    lengths = [
        u for u in p["units"] if u not in p["need_a_modifier"]
    ]  # "three quarters of" is not a duration
    strong = (
        (
            "link",
            re.compile(rf"^[ \t]*{alternation(d['links']['starts'])}[ \t]*:.*$", re.MULTILINE),
        ),
        ("web", re.compile(_web(d["web"]))),
        ("phone", re.compile(_phone(d["phone"]))),
        ("footnote", re.compile(r"\[\d{1,2}\]|\(\d{1,2}\)|[\u00b9\u00b2\u00b3\u2070-\u2079]+")),
        ("age", re.compile(_age(d["ages"]))),
        (
            "name",
            re.compile(
                rf"\b{alternation(d['names']['words'], '')}\s+\d{{1,4}}[A-Za-z]?\b"
                r"|\b[A-Z][A-Za-z]*-?\d+\b"
            ),
        ),
    )
    weak = (
        ("date", re.compile(rf"{dates['when']}|{dates['months']}\s+{dates['years']}")),
        ("time", re.compile(dates["time"])),
        (
            "year",
            re.compile(
                rf"(?<![\d,.]){dates['years']}(?!\s*(?:%|{alternation(vocabulary.unit_words)}\b))"
            ),
        ),
        ("duration", re.compile(rf"{NUM}[-\s]+{alternation(lengths)}\b")),
        ("idiom", re.compile(rf"(?<![\w-]){alternation(d['idioms']['phrases'])}(?![\w-])")),
        ("ordinal", re.compile(_ordinal(d["ordinals"]))),
        ("single", re.compile(_single(d["single"]))),
    )
    return Grammar(
        strong=strong,
        periods=re.compile(_periods(p, dates)),
        weak=weak,
        dated=re.compile(rf"{dates['months']}|{dates['years']}|{dates['date']}"),
        footnote_line=re.compile(r"^[ \t]*[(\[]?(\d{1,2})[.)\]][ \t]", re.MULTILINE),
        hedge_before=re.compile(rf"(?<![\w]){alternation(w for w, _ in vocabulary.hedges)}\s+$"),
        need_a_modifier=frozenset(p["need_a_modifier"]),
        share=re.compile(rf"\b{alternation(m['share']['words'])}\b"),
        change=re.compile(rf"\b{alternation(m['change']['words'])}\b"),
        difference=re.compile(rf"\s+{alternation(m['difference']['words'])}\b"),
        measures={k: v["measure"] for k, v in m.items() if k != "description"},
        per_month=re.compile(rf"\b{alternation(d['per_month']['words'])}\b"),
        per_month_units=dict(d["per_month"]["units"]),
        rules=d["rules"],
    )


def _web(d: dict) -> str:
    """A web address (with http or www, or a dotted name with a known ending and an optional path)
    or an email."""
    return (
        r"(?i:https?://|www\.)[^\s<>\"]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
        rf"|\b(?:[\w-]+\.)+{alternation(d['endings'])}\b(?:/[^\s<>\"]*)?"
    )


def _phone(d: dict) -> str:
    """A UK telephone number (0 or +44, then groups of digits; ``read`` checks there are 10 or 11
    digits), or digits right after a word that makes them a number to call ("call 999", "text
    85258"): group ``at``."""
    uk = r"(?<![\d+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?(?:[\s-]?\d{3,4}){1,2}(?!\d|,\d)"
    cued = (
        rf"\b{alternation(d['cues'])}\b\s*:?\s*(?:(?i:on)\s+)?"
        rf"(?P<at>{uk}|\d{{2,5}}(?:[\s-]\d{{2,5}}){{0,3}}(?!\d|,\d))"
    )
    return f"{uk}|{cued}"


def _age(d: dict) -> str:
    """An age: under/over joined by a hyphen or with a plural s ("under-18s", "under 18s"),
    under/over after a word for people ("anyone under 18": group ``at``), between commas after a
    word for a person ("A man, 47,": group ``at2``), a number after an age word ("aged 16") or
    before one ("16-year-old", "18 and over")."""
    limits, people, person = (
        alternation(d["limits"]),
        alternation(d["people"]),
        alternation(d["person"]),
    )
    before, after = alternation(d["before"]), alternation(d["after"])
    span = rf"{SMALL}(?:\s*(?:-|\u2013|(?i:to|and))\s*{SMALL})?"
    return (
        rf"\b{limits}-{SMALL}s?\b|\b{limits}\s+\d{{1,2}}s\b"
        rf"|\b{people}\s+(?P<at>{limits}\s+{SMALL})(?![\w,.]\d)"
        rf"|\b{person},\s+(?P<at2>\d{{1,2}}),"
        rf"|\b{before}\s+{span}|{SMALL}[-\s]+{after}\b"
    )


def _ordinal(d: dict) -> str:
    """A digit ordinal ("5th"), or an ordinal word after a determiner and before a word that does
    not make it a fraction ("the third year": group ``at``; not "a third of", "a third more")."""
    words, dets, unless = (
        alternation(d["words"]),
        alternation(d["determiners"]),
        alternation(d["not_before"]),
    )
    return rf"\b\d+(?:st|nd|rd|th)\b|\b{dets}[ \t]+(?P<at>{words}[ \t]+(?!{unless}\b)[A-Za-z]+)"


def _single(d: dict) -> str:
    """The word "one" not followed by a word that makes it a number ("one in five", "one million",
    "one third")."""
    unless = alternation([*d["unless_before"], *SCALES, *FRACTIONS, *(f + "s" for f in FRACTIONS)])
    return rf"(?<![\w-])(?i:{re.escape(d['word'])})(?![\w-])(?!\s+{unless}\b)(?!\s*%)"


def _periods(p: dict, dates: dict[str, str]) -> str:
    """Period words, three forms: (a) a preposition or "the", modifiers, a number, a unit of time,
    and an end ("to June 25", "of this year", or one alone: "the same period last year") or a
    relative word ("ago"); (b) a preposition and a date, with a second one after a range word; (c)
    "the", a year and a unit ("the 2015-16 period"). ``read`` keeps a form (a) only where its words
    make it a period (``_is_period``)."""
    prep, dets, mods = (
        alternation(p["prepositions"]),
        alternation(p["determiners"]),
        alternation(p["modifiers"]),
    )
    units, ends, rel = alternation(p["units"]), alternation(p["ends"]), alternation(p["relative"])
    ranges, points = alternation(p["ranges"]), alternation(p["endpoints"])
    dateish = rf"(?:{dates['date']}|{dates['months']}(?:\s+{dates['years']})?|{dates['years']})"
    year_words = rf"(?:{mods}\s+{units})"  # "last year", "this month"
    form_a = (
        rf"(?P<lead>\b{prep}\s+(?:{dets}\s+)*|\b(?i:the)\s+)?(?P<mods>(?:\b{mods}\s+)*)(?:(?P<num>{NUM})[-\s]+)?"
        rf"\b(?P<unit>{units})\b(?:\s+{units}\b)?"  # "12 month period"
        rf"(?P<end>\s+{ends}\s+(?:(?i:the)\s+)?(?:{dateish}|{year_words}|{points})|\s+{year_words}\b)?(?P<rel>\s+{rel}\b)?"
    )
    edge, kinds = rf"(?:{alternation(p['edges'])}\s+)?", alternation(p["kinds"])
    form_b = (
        rf"\b{prep}\s+{edge}(?:(?i:the)\s+)?(?P<date>{dateish})(?:\s+{ranges}\s+{edge}(?:(?i:the)\s+)?(?:{dateish}|{points}))?"
        rf"(?:\s+(?:{kinds}\s+)?{units}\b)?(?:,?\s+(?:{year_words}|{dates['years']}))?"
    )
    form_c = rf"\b(?i:the)\s+{dates['years']}\s+{units}\b"
    return rf"(?<![\w-])(?:{form_b}|(?P<c>{form_c})|{form_a})"


# -- reading a text ------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """The words of a text each layer holds, each list in order of the text."""

    strong: list[Words]
    periods: list[Words]
    weak: list[Words]


def read(g: Grammar, text: str) -> Reading:
    """Every span of ``text`` that a rule of each layer holds."""
    markers = set(g.footnote_line.findall(text))
    strong = _spans(g.strong, text, lambda rule, m: _keep_strong(rule, m, markers))
    strong += [Words(m.start(1), m.end(1), "footnote") for m in g.footnote_line.finditer(text)]
    periods = [
        Words(m.start(), m.end(), PERIOD) for m in g.periods.finditer(text) if _is_period(g, m)
    ]
    weak = _spans(
        g.weak,
        text,
        lambda rule, m: (
            rule != "year" or not g.hedge_before.search(text, max(0, m.start() - 30), m.start())
        ),
    )
    return Reading(sorted(strong), periods, weak)


def _spans(rules, text: str, keep) -> list[Words]:
    """The spans of each rule's matches that ``keep`` keeps (group ``at`` where the pattern has it),
    rule by rule."""
    out = []
    for rule, pattern in rules:
        for m in pattern.finditer(text):
            if keep(rule, m):
                a, b = next(
                    (
                        m.span(k)
                        for k in ("at", "at2")
                        if k in pattern.groupindex and m.group(k) is not None
                    ),
                    m.span(),
                )
                out.append(Words(a, _trim_end(text, a, b) if rule == "web" else b, rule))
    return out


def _keep_strong(rule: str, m: re.Match, markers: set[str]) -> bool:
    """A UK telephone number has 10 or 11 digits; a number in round brackets is a footnote marker
    only where a line of the page starts with it ("(1)" and a note "1. ...")."""
    if rule == "phone" and m.group("at") is None:
        digits = re.sub(r"\D", "", m.group(0).replace("(0)", ""))
        return (
            len(digits.removeprefix("44")) in (9, 10)
            if m.group(0).startswith("+")
            else len(digits) in (10, 11)
        )
    if rule == "footnote" and m.group(0).startswith("("):
        return m.group(0)[1:-1] in markers
    return True


def _is_period(g: Grammar, m: re.Match) -> bool:
    """Form (a) words are a period only with a lead ("in", "the") and a number, modifier, end or
    relative word, or without a lead with a modifier or relative word ("last year", "four years
    ago"); half and quarter only with a modifier or an end ("the first half", never "in half")."""
    if m.group("date") is not None or m.group("c") is not None:
        return True
    mods, rel = m.group("mods").strip(), m.group("rel")
    if m.group("unit").lower() in g.need_a_modifier and not (mods or m.group("end")):
        return False
    if m.group("lead"):
        return bool(m.group("num") or mods or m.group("end") or rel)
    return bool(mods or rel)


def _trim_end(text: str, a: int, b: int) -> int:
    """The end of a span without the punctuation that closes a sentence or clause."""
    while b > a and text[b - 1] in ".,;:!?\"'\u201d\u2019)":
        b -= 1
    return b


def holding(reading: Reading, start: int, end: int) -> Words | None:
    """The words that hold the mention [start, end): of the first layer that has any, the first."""
    for layer in (reading.strong, reading.periods, reading.weak):
        for w in layer:
            if w.start <= start and end <= w.end:
                return w
    return None


# -- a figure's period, measure and unit ---------------------------------------------


def sentence(text: str, at: int) -> tuple[int, int]:
    """The sentence around offset ``at`` (a line is at most a sentence): its start and end."""
    a = max(
        (m.end() for m in SENTENCE_END.finditer(text, 0, min(len(text), at + 1)) if m.end() <= at),
        default=0,
    )
    m = SENTENCE_END.search(text, at)
    return a, m.start() + 1 if m else len(text)


def clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): the sentence, cut at the clause marks before and after it."""
    a, b = sentence(text, start)
    a = max((m.end() for m in CLAUSE_MARKS.finditer(text, a, start)), default=a)
    m = CLAUSE_MARKS.search(text, end, b)
    return a, m.start() if m else b


def period_of(
    text: str, start: int, end: int, periods: list[Words], relation: bool = False
) -> Words | None:
    """The period words a figure at [start, end) takes: of those in its sentence, the nearest, each
    clause mark between them counting as 100 characters (so "in 2016, double the number four years
    ago" gives "double" the four years, and "100,000 people ... in 2016" the year). A ``relation``
    (a change, a share, a multiple, a difference) relates two numbers, often of two periods: it
    takes period words of its own clause only ("a 44% increase ... over the previous 12 month
    period"; not the "in the previous 12-month period" before ": a 28 per cent rise")."""
    a, b = clause(text, start, end) if relation else sentence(text, start)
    best: tuple[int, Words] | None = None
    for w in periods:
        if w.start < a or w.end > b or (w.start < end and start < w.end):
            continue
        gap = text[w.end : start] if w.end <= start else text[end : w.start]
        cost = len(gap) + 100 * len(CLAUSE_MARKS.findall(gap))
        if best is None or cost < best[0]:
            best = (cost, w)
    return best[1] if best else None


def periods_of(
    text: str, figures: list[tuple[int, int]], relations: list[bool], periods: list[Words]
) -> list[Words | None]:
    """The period words each figure takes (``period_of``; ``relations``: which figures are
    relations). Period words in the clause of a relation are that clause's: a figure outside it does
    not take them ("Of those, 4,200 called the helpline, up 18% on 2017": 4,200 is not of 2017)."""
    kept = {clause(text, a, b) for (a, b), r in zip(figures, relations, strict=True) if r}
    out = []
    for (a, b), r in zip(figures, relations, strict=True):
        mine = clause(text, a, b)
        free = [
            w
            for w in periods
            if not any(c[0] <= w.start and w.end <= c[1] and c != mine for c in kept)
        ]
        out.append(period_of(text, a, b, free, r))
    return out


def relation(g: Grammar, text: str, start: int, end: int) -> str:
    """The measure a percentage or fraction at [start, end) takes: a share where "of" follows it
    ("2.3% of 1,551", "a third of"), a change where a difference word does ("a third more than");
    else the share or change word of its clause nearest to it; "" where none."""
    if re.match(r"\s+of\b", text[end : end + 8], re.IGNORECASE):
        return g.measures["share"]
    if g.difference.match(text, end):  # "a third more than", "20% up on"
        return g.measures["change"]
    a, b = clause(text, start, end)
    best: tuple[int, str] | None = None
    for kind, pattern in (("share", g.share), ("change", g.change)):
        for m in pattern.finditer(text, a, b):
            gap = start - m.end() if m.end() <= start else m.start() - end
            if gap >= 0 and (best is None or gap < best[0]):
                best = (gap, kind)
    return g.measures[best[1]] if best else ""


def unit_and_measure(vocabulary, text: str, start: int, end: int) -> tuple[str, str]:
    """The unit and measure a figure at [start, end) can be drafted with: a percentage or fraction
    in percent, a share or change by ``relation``; a multiple in times, measure multiple; a count in
    the unit its next word gives ("312 men": people), per month where its clause says so ("600
    people ... every month"); a count is a difference where a difference word follows it ("100 more
    than"), else its measure is the curator's."""
    g, kind = grammar(vocabulary), kind_of(text[start:end])
    if kind in ("percent", "fraction"):
        return vocabulary.kind_units[kind][0], relation(g, text, start, end)
    if kind == "multiple":
        return vocabulary.kind_units[kind][0], vocabulary.names("figures", "measure").multiple
    after = text[end : end + 20].lower()
    unit = next(
        (
            u
            for w, u in vocabulary.unit_words.items()
            if re.match(r"\s*" + re.escape(w) + r"\b", after)
        ),
        "",
    )
    if unit in g.per_month_units and g.per_month.search(text, end, clause(text, start, end)[1]):
        unit = g.per_month_units[unit]
    return unit, g.measures["difference"] if g.difference.match(text, end) else ""


def leftover_rule(g: Grammar, text: str, words: Words, ordinal_words: tuple[str, ...]) -> str:
    """The rule of period words no figure takes: dated where they name a date, month or year;
    ordinal where their only numbers are ordinal words ("for the third year running"); else undated
    (a length of time)."""
    if g.dated.search(text, words.start, words.end):
        return "dated"
    found = [
        m.group(0).lower()
        for m in re.finditer(NUM + "|" + alternation(ordinal_words), text[words.start : words.end])
    ]
    return "ordinal" if found and all(w in ordinal_words for w in found) else "undated"
