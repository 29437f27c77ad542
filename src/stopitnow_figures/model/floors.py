"""Vague words used as floors: the one rule of when a vague count has no upper end.

A vague count ("dozens", "hundreds", "thousands") keeps the range its word normally means
(params.yaml, clean.vague_ranges) unless the article's own numbers show the word used as a floor.
They show it when a figure of the same article, in the same measure and unit, whose place and period
could be the vague figure's, already has a lower end above the top of the word's range: "there are
thousands of men out there viewing" beside "an estimated 100,000 people involved" in the same
article says "thousands" is a floor, not a cap of 9,999. Could be the vague figure's: the same
place, or any where the vague figure names none; a period within the vague figure's, or any where it
names none (a count over part of a period or in the same place bounds the whole from below; a count
in another place bounds nothing).

Such a figure is read ``open <figure id>`` (raw/figures.csv, column reading), naming the figure that
shows it, and its notes say so in words. ``check`` refuses an open reading that no such figure
supports, one that names a figure that does not support it, and a vague figure left capped where one
does, each a located problem; clean runs it with its other checks. The rule is mechanical on
purpose: the curator does not weigh the rhetoric, the numbers of the article decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..tables.csvio import format_number
from ..tables.errors import Collector
from ..tables.vocab import Vocabulary
from .values import OPEN, NumberReader, ValueParseError


@dataclass(frozen=True)
class Witness:
    """A figure whose lower end shows a vague word of its article used as a floor."""

    figure_id: str
    lower: float


def witnesses(
    cols: dict, vague_rows: list[int], tops: dict[int, float]
) -> dict[int, list[Witness]]:
    """For each vague row (``tops``: the top of its word's range), the figures that show it used as
    a floor, in figure order: same source, measure and unit; the vague row's place or none; a period
    within the vague row's, or any where it has none; a lower end above the top. ``cols``: the
    cleaned figure columns."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    wanted = {(cols["source_id"][i], cols["measure"][i], cols["unit"][i]) for i in vague_rows}
    for j, key in enumerate(zip(cols["source_id"], cols["measure"], cols["unit"], strict=True)):
        if key in wanted:
            groups.setdefault(key, []).append(j)
    out: dict[int, list[Witness]] = {}
    for i in vague_rows:
        key = (cols["source_id"][i], cols["measure"][i], cols["unit"][i])
        out[i] = [
            Witness(cols["figure_id"][j], float(cols["lower"][j]))
            for j in groups.get(key, [])
            if j != i and _could_be(cols, i, j) and float(cols["lower"][j]) > tops[i]
        ]
    return out


def _could_be(cols: dict, i: int, j: int) -> bool:
    """Whether figure ``j`` counts what vague figure ``i`` might: its place, and a period within its
    period."""
    place, there = cols["geography_code"][i], cols["geography_code"][j]
    if place and place != there:
        return False
    start, end = cols["period_start"][i], cols["period_end"][i]
    if not start:
        return True
    return (
        bool(cols["period_start"][j])
        and start <= cols["period_start"][j]
        and cols["period_end"][j] <= end
    )  # ISO dates as text


def check(
    cols: dict,
    lines: list[int],
    reader: NumberReader,
    vocabulary: Vocabulary,
    display: str,
    problems: Collector,
) -> None:
    """Every vague figure read as the rule says, and every open reading on a vague figure that names
    a figure supporting it (each problem at the raw row, column reading). ``cols``: the cleaned
    figure columns, in the order of ``lines``."""
    readings = cols["reading"]
    is_open = [r.partition(" ")[0] == OPEN for r in readings]
    vague_rows = [i for i, q in enumerate(cols["qualifier"]) if q == vocabulary.vague]
    for i in (i for i, o in enumerate(is_open) if o and cols["qualifier"][i] != vocabulary.vague):
        message = (
            "only a vague word is read open (a floor of its article's own numbers); remove "
            "the reading"
        )
        problems.add("vague-floor", display, lines[i], "reading", readings[i], message)
    if not vague_rows:
        return
    tops = {i: _top(reader, cols["as_written"][i]) for i in vague_rows}
    found = witnesses(cols, [i for i in vague_rows if not math.isnan(tops[i])], tops)
    for i, shown in found.items():
        message = _problem(readings[i], is_open[i], cols["as_written"][i], tops[i], shown)
        if message:
            problems.add("vague-floor", display, lines[i], "reading", readings[i], message)


def _top(reader: NumberReader, written: str) -> float:
    """The top of a vague word's range (NaN where the words cannot be read: reported by their own
    check)."""
    try:
        parsed = reader.parse(written)
    except ValueParseError:
        return math.nan
    return float(reader.vague_ranges[parsed.vague_word][1]) if parsed.vague_word else math.nan


def _problem(reading: str, is_open: bool, written: str, top: float, shown: list[Witness]) -> str:
    """What is wrong with a vague figure's reading ("" if nothing)."""
    named = reading.partition(" ")[2].strip()
    ids = [w.figure_id for w in shown]
    listed = ", ".join(f"{w.figure_id} (lower end {format_number(w.lower)})" for w in shown)
    top_words = f"the top of {written.lower()!r} ({format_number(top)})"
    if not is_open and shown:
        return (
            f"{listed} of the same article, measure and unit is above {top_words}: the article "
            "uses the word as a floor; "
            f"read it 'open {ids[0]}' and say so in the notes"
        )
    if is_open and not shown:
        return (
            "no figure of the same article, measure and unit (and of its place and period) is "
            f"above {top_words}: "
            "the word keeps its range; remove the reading"
        )
    if is_open and named not in ids:
        return (
            f"name the figure whose numbers show the word used as a floor: 'open {ids[0]}' "
            f"(figures that do: {listed})"
        )
    return ""
