"""Series: quantities comparable by definition, in time order, with the periods between them that no
quantity gives marked as gaps.

Two quantities are in one series when they share what makes counts comparable: the measure, the
unit, the counting, the channel (which the measure decides), the place and the period's length and
alignment (a calendar year, an April-March year, a half-year, a calendar quarter, a month, or the
sources' own months: "the six months from July", "the quarter from 26 March"). A year and a quarter
are never one series, nor a calendar year and an April-March year. A quantity belongs to at most one
series; a series has at least two quantities; its id is made from the columns that define it, so it
is stable as quantities are added. A gap is a period of the series' alignment between its first and
last member that no quantity gives: a gap in the sources, not a period without help-seeking.

Only flows are put in series (not a stock such as an estimate of offenders, whose sources define
what they count each their own way, nor a relation an article states); a quantity with no place or
no period is in none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .periods import MONTH_NAMES, add_months


@dataclass(frozen=True)
class Alignment:
    """A period's length in months and where it starts: a period of ``months`` months from day
    ``day`` of a month whose place in the cycle is ``phase`` (the month's number less one, modulo
    ``months``)."""

    months: int
    day: int
    phase: int

    @property
    def name(self) -> str:
        """The alignment in words (the calendar's where it is one)."""
        first_month = self.phase + 1
        if self.day == 1:
            named = {
                (12, 0): "calendar year",
                (12, 3): "April-March year",
                (6, 0): "half-year",
                (3, 0): "calendar quarter",
                (1, 0): "month",
            }
            if (self.months, self.phase) in named:
                return named[(self.months, self.phase)]
            return f"{self.months} months from {MONTH_NAMES[first_month - 1]}"
        return f"{self.months} months from day {self.day} of {MONTH_NAMES[first_month - 1]}"

    def next_start(self, start: date) -> date:
        return add_months(start, self.months)

    def end_of(self, start: date) -> date:
        return add_months(start, self.months) - timedelta(days=1)


ALIGNED_MONTHS = (1, 2, 3, 4, 6, 12)  # the lengths of an aligned period, in months


def alignment_of(start: date, end: date) -> Alignment | None:
    """The alignment of the period ``start`` to ``end``: a whole number of months from a day of a
    month (28th at the latest, so that every month has it), or None for a period of another shape
    (some days, several years)."""
    if start.day > 28 or end >= date.max:
        return None
    # from day 28 at the latest no month clamps the day: the period is whole months exactly where
    # the day after it is the same day of a later month
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day != start.day or months not in ALIGNED_MONTHS:
        return None
    return Alignment(months, start.day, (start.month - 1) % months)


@dataclass(frozen=True)
class Key:
    """What a series' members share."""

    measure: str
    unit: str
    counting: str
    channel: str
    geography_code: str
    alignment: Alignment

    @property
    def series_id(self) -> str:
        """``series-<place>-<measure>-<unit>-<counting>-<alignment>``, lower case, hyphens: made
        from the defining columns alone, so stable as quantities come and go."""
        words = (self.geography_code, self.measure, self.unit, self.counting, self.alignment.name)
        return "series-" + "-".join(re.sub(r"[^a-z0-9]+", "-", w.lower()).strip("-") for w in words)


@dataclass(frozen=True)
class Member:
    series_id: str
    period_start: date
    period_end: date
    quantity_id: str  # "" for a gap


def series_key(vocabulary, q: dict, relation: str = "") -> Key | None:
    """The key of a quantity (a dict of its published cells), or None where it is in no series: a
    relation, a stock, a quantity without a place or a period of a known alignment, and a measure
    that is not help-seeking (no channel in schemas/vocabulary.json: funding, people trained, police
    counts), whose series the package does not publish. ``relation``: the counting of a relation,
    where the caller has read it from the vocabulary once for many quantities."""
    relation = relation or vocabulary.names("quantities", "counting").relation
    if q["counting"] == relation or q["measure"] in vocabulary.stocks:
        return None
    if not q["geography_code"] or not q["period_start"] or not q["period_end"]:
        return None
    aligned = alignment_of(
        date.fromisoformat(q["period_start"]), date.fromisoformat(q["period_end"])
    )
    if aligned is None:
        return None
    channel = next(
        (c for c, measures in vocabulary.channels.items() if q["measure"] in measures), ""
    )
    if (
        not channel
    ):  # a measure of no channel (funding, people trained, police counts) is not help-seeking
        return None
    return Key(q["measure"], q["unit"], q["counting"], channel, q["geography_code"], aligned)


class SeriesClash(ValueError):
    """Two quantities of one series for the same period: they are one number in the world (join
    their mentions) or they differ in what they count (say how, in their measure, unit, counting or
    place)."""

    def __init__(self, series_id: str, period: tuple[date, date], quantity_ids: tuple[str, str]):
        self.series_id, self.period, self.quantity_ids = series_id, period, quantity_ids
        super().__init__(
            f"{quantity_ids[0]} and {quantity_ids[1]} are both {series_id} for {period[0]} to "
            f"{period[1]}"
        )


def build(
    vocabulary, quantities: Iterable[dict], clashes: list[SeriesClash] | None = None
) -> tuple[dict[str, Key], list[Member]]:
    """The series of the quantities: each one's key by id, and its members and gaps in time order
    (series by id, members by period). Raises ``SeriesClash`` for two quantities of one series and
    period; where a list ``clashes`` is given, each clash is added to it instead and the later
    quantity left out."""
    groups: dict[Key, dict[date, dict]] = {}
    relation = vocabulary.names("quantities", "counting").relation
    for q in quantities:
        key = series_key(vocabulary, q, relation)
        if key is None:
            continue
        start = date.fromisoformat(q["period_start"])
        taken = groups.setdefault(key, {})
        if start in taken:
            clash = SeriesClash(
                key.series_id,
                (start, key.alignment.end_of(start)),
                (taken[start]["quantity_id"], q["quantity_id"]),
            )
            if clashes is None:
                raise clash
            clashes.append(clash)
            continue
        taken[start] = q
    keys, members = {}, []
    for key, by_start in sorted(groups.items(), key=lambda kv: kv[0].series_id):
        if len(by_start) < 2:
            continue
        keys[key.series_id] = key
        members += _members(key, by_start)
    return keys, members


def _members(key: Key, by_start: dict[date, dict]) -> list[Member]:
    """A series' members from its first period to its last, a gap where no quantity gives the
    period."""
    out, start, last = [], min(by_start), max(by_start)
    while start <= last:
        q = by_start.get(start)
        out.append(
            Member(key.series_id, start, key.alignment.end_of(start), q["quantity_id"] if q else "")
        )
        start = key.alignment.next_start(start)
    return out


def comparability(key: Key, vocabulary) -> str:
    """What the members of a series share, and what they must not be set beside, in words."""
    counted = {
        "events": "each event counted (calls, visits)",
        "distinct": "distinct people, each counted once in a period",
    }
    channel = key.channel or vocabulary.labels["no_channel"]
    return (
        f"Comparable: {key.measure.replace('_', ' ')} in {key.unit}, "
        f"{counted.get(key.counting, key.counting)}, "
        f"channel {channel}, place {key.geography_code}, periods of {key.alignment.name}. Not "
        "comparable: "
        "the same measure over periods of another length or alignment (distinct people over a "
        "longer period read "
        "lower per month), another unit (calls are not people), another channel, another place."
    )


COLUMNS = (
    "quantity_id",
    "measure",
    "unit",
    "counting",
    "geography_code",
    "period_start",
    "period_end",
)  # what the rule reads


def rows(
    vocabulary, quantities: Iterable[dict], clashes: list[SeriesClash] | None = None
) -> list[dict[str, str]]:
    """The rows of the series table (schemas/series.schema.json), a member or a gap each, sorted by
    their ids (a series' rows together, in time order): each names its series, period and quantity
    (empty for a gap), and what defines its series."""
    keys, members = build(vocabulary, quantities, clashes)
    out = []
    for m in members:
        k = keys[m.series_id]
        out.append(
            {
                "member_id": f"{m.series_id}-{m.period_start.isoformat()}",
                "series_id": m.series_id,
                "period_start": m.period_start.isoformat(),
                "period_end": m.period_end.isoformat(),
                "quantity_id": m.quantity_id,
                "measure": k.measure,
                "unit": k.unit,
                "counting": k.counting,
                "channel": k.channel,
                "geography_code": k.geography_code,
                "alignment": k.alignment.name,
                "comparability": comparability(k, vocabulary),
            }
        )
    return sorted(out, key=lambda r: r["member_id"])
