"""The package's vocabularies, read from schemas/ and nowhere else.

The closed vocabularies of the published tables are the enums of their Table
Schemas (units, measures, qualifiers, verdicts, kinds); what the words mean
and how they group (hedge words, the units each kind of number takes, the
channels of help-seeking) is ``schemas/vocabulary.json``. Code asks this
module; it never restates a list. Each role below is checked, when the
vocabulary is loaded, to name only values of the schema enums it belongs to,
so a word renamed in one place and not the other fails at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace

from .paths import REPO_ROOT


@dataclass(frozen=True)
class Vocabulary:
    source: str  # the schemas folder it was read from
    enums: dict[str, dict[str, tuple[str, ...]]]  # table -> field -> enum
    hedges: tuple[tuple[str, str], ...]  # (words, qualifier), longest first
    intervals: dict[str, str]  # qualifier -> interval shape
    point_bases: dict[
        str, str
    ]  # interval shape -> what a figure's own number is as a point (a value_basis)
    unhedged_count: str
    unhedged_other: str
    read_as_rounded: str  # the qualifier of an unhedged count read as rounded (reading round)
    vague: str
    unit_groups: dict[str, tuple[str, ...]]
    kind_units: dict[str, tuple[str, ...]]
    measure_units: dict[str, tuple[str, ...]]
    rated_units: tuple[str, ...]  # units a count over a period gets rates in
    per_month: dict[
        str, str
    ]  # a unit of a count per month -> the unit it counts each month (people per month: people)
    whole_units: tuple[str, ...]  # units of whole things: quantities in them take whole numbers
    unit_words: dict[
        str, str
    ]  # a word after a number that decides its unit ("men": people), for drafting rows
    relations: tuple[str, ...]
    shares: tuple[str, ...]
    domains: dict[
        str, tuple[float, float]
    ]  # measure -> the values a quantity of it can take ("default" for the rest)
    stocks: tuple[
        str, ...
    ]  # measures of how many are in a state, not a flow over a period: no rate
    channels: dict[str, tuple[str, ...]]
    labels: dict[str, str]  # words published in place of a missing value
    rate_notes: dict[str, str]  # why a quantity has no rate, as templates (quantities.rate_note)
    database_notes: dict[str, str]  # what datasette's metadata.json says of units, as templates
    source_kinds: dict[
        str, dict
    ]  # kind of source -> what it needs beyond every source's columns, and its citation types
    default_kind: str
    default_extent: str
    max_text_bytes: int  # the largest article text add-source accepts (its --max-bytes default)
    union_join: str  # joins the members' codes into a union's code
    nations: dict[str, str]  # the first letter of a GSS code -> the nation it lies in
    no_nation: str  # the nation of a source that names no place
    readings: dict[str, str]  # curated readings of a number beyond its hedge words
    point_words: dict[str, str]  # each value_basis in the words shown beside a point value
    typed: dict[str, tuple[str, ...]]  # table -> its number, integer, year and date fields
    primary_keys: dict[str, tuple[str, ...]]
    foreign_keys: dict[str, list[dict]]
    id_pattern: (
        str  # the form of every id a formula may name (figure ids are a stricter form of it)
    )
    drafting: (
        dict  # the words `propose` drafts by (vocabulary.json's "drafting"; read by drafting.py)
    )

    def enum(self, table: str, field: str) -> tuple[str, ...]:
        return self.enums[table][field]

    @property
    def units(self) -> tuple[str, ...]:
        return self.enum("figures", "unit")

    @property
    def measures(self) -> tuple[str, ...]:
        return self.enum("figures", "measure")

    @property
    def qualifiers(self) -> tuple[str, ...]:
        return self.enum("figures", "qualifier")

    @property
    def count_units(self) -> tuple[str, ...]:
        """Units that count things (never negative): those a number written as a count may take."""
        return self.kind_units["count"]

    def rated_per_month(self, unit: str) -> bool:
        """Whether a count in ``unit`` is already a count per month of a rated unit (it gets a rate
        per month only)."""
        return self.per_month.get(unit) in self.rated_units

    def domain(self, measure: str) -> tuple[float, float]:
        """The values a quantity of ``measure`` can take before any evidence."""
        return self.domains.get(measure, self.domains["default"])

    def names(self, table: str, field: str) -> SimpleNamespace:
        """An enum as attributes (``names("claims", "verdict").consistent``, spaces as underscores),
        for code that branches on one value: a value renamed in the schema then fails where it is
        used, by name."""
        return SimpleNamespace(**{v.replace(" ", "_"): v for v in self.enum(table, field)})


def load(schemas: Path | None = None) -> Vocabulary:
    """The vocabulary of the schemas in ``schemas`` (the repository's by default)."""
    return _load(Path(schemas or REPO_ROOT / "schemas").resolve())


@cache
def _load(schemas: Path) -> Vocabulary:
    tables, enums = _schemas(schemas)
    reg = json.loads((schemas / "vocabulary.json").read_text(encoding="utf-8"))
    groups = {k: tuple(v) for k, v in reg["units"]["groups"].items()}
    quals = reg["qualifiers"]
    vocab = Vocabulary(
        source=str(schemas),
        enums=enums,
        hedges=tuple(sorted(reg["hedges"]["words"].items(), key=lambda kv: (-len(kv[0]), kv[0]))),
        intervals=dict(quals["intervals"]),
        point_bases={k: v for k, v in quals["points"].items() if k != "description"},
        unhedged_count=quals["unhedged_count"],
        unhedged_other=quals["unhedged_other"],
        read_as_rounded=quals["read_as_rounded"],
        vague=quals["vague_word"],
        unit_groups=groups,
        kind_units={k: _of_groups(groups, g) for k, g in reg["units"]["of_kind"].items()},
        measure_units={m: _of_groups(groups, g) for m, g in reg["units"]["of_measure"].items()},
        rated_units=tuple(reg["units"]["rated"]),
        per_month=dict(reg["units"]["per_month"]),
        whole_units=tuple(reg["units"]["whole"]),
        unit_words=dict(reg["units"]["words"]),
        relations=tuple(reg["measures"]["relations"]),
        shares=tuple(reg["measures"]["shares"]),
        domains={
            m: _domain(d) for m, d in reg["measures"]["domains"].items() if m != "description"
        },
        stocks=tuple(reg["measures"]["stocks"]),
        channels={k: tuple(v) for k, v in reg["measures"]["channels"].items()},
        labels={k: v for k, v in reg["labels"].items() if k != "description"},
        rate_notes={k: v for k, v in reg["rate_notes"].items() if k != "description"},
        database_notes={k: v for k, v in reg["database"].items() if k != "description"},
        source_kinds=dict(reg["sources"]["kinds"]),
        default_kind=reg["sources"]["default_kind"],
        default_extent=reg["sources"]["default_extent"],
        max_text_bytes=reg["sources"]["max_text_bytes"],
        union_join=reg["places"]["union_join"],
        nations={k: v for k, v in reg["places"]["nations"].items() if k != "description"},
        no_nation=reg["places"]["no_nation"],
        readings={k: v for k, v in reg["readings"].items() if k != "description"},
        point_words=_point_words(reg["points"], enums["quantities"]["value_basis"]),
        typed={
            t: tuple(
                f["name"] for f in s["fields"] if f["type"] in ("number", "integer", "year", "date")
            )
            for t, s in tables.items()
        },
        primary_keys={t: tuple(s.get("primaryKey", ())) for t, s in tables.items()},
        foreign_keys={t: list(s.get("foreignKeys", [])) for t, s in tables.items()},
        id_pattern=_id_pattern(tables),
        drafting=reg["drafting"],
    )
    _check(vocab)
    _check_sources(vocab, reg["sources"], [f["name"] for f in tables["sources"]["fields"]])
    return vocab


def _schemas(schemas: Path) -> tuple[dict[str, dict], dict[str, dict[str, tuple[str, ...]]]]:
    """The published tables' schemas by table, and the closed vocabularies (enums) of every
    schema, raw/ ones included ("raw/<table>"), by table and column."""
    tables = {
        p.name.removesuffix(".schema.json"): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(schemas.glob("*.schema.json"))
    }
    raw = {
        f"raw/{p.name.removesuffix('.schema.json')}": json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(schemas.glob("raw/*.schema.json"))
    }
    enums = {
        t: {
            f["name"]: tuple(f["constraints"]["enum"])
            for f in s["fields"]
            if "enum" in f.get("constraints", {})
        }
        for t, s in (tables | raw).items()
    }
    return tables, enums


def _point_words(points: dict, bases: tuple[str, ...]) -> dict[str, str]:
    """The words of each value_basis, in the order of its enum (pinned first); every word of the
    enum, and no other."""
    words = {k: v for k, v in points.items() if k != "description"}
    if sorted(words) != sorted(bases):
        raise RuntimeError(
            f"schemas/vocabulary.json: points must give words for each of {list(bases)}, and no "
            "other"
        )
    return {b: words[b] for b in bases}


def _of_groups(groups: dict[str, tuple[str, ...]], names: str | list[str]) -> tuple[str, ...]:
    """The units of one group, or of a list of groups in order."""
    return tuple(u for name in ([names] if isinstance(names, str) else names) for u in groups[name])


def _domain(ends: list) -> tuple[float, float]:
    return (
        -float("inf") if ends[0] is None else float(ends[0]),
        float("inf") if ends[1] is None else float(ends[1]),
    )


def _id_pattern(tables: dict[str, dict]) -> str:
    """The one pattern of the ids a formula may name: every key column but the
    figures' shares it (the figures' own is a stricter form, checked to match it)."""
    patterns = {}
    for name, schema in tables.items():
        for key in schema.get("primaryKey", ()):
            field = next(f for f in schema["fields"] if f["name"] == key)
            patterns[name] = field.get("constraints", {}).get("pattern")
    general = {
        p
        for t, p in patterns.items()
        if t != "figures" and p and tables[t]["primaryKey"][0].endswith("_id")
    }  # ids, not codes
    if len(general) != 1:
        raise RuntimeError(
            f"the id columns of schemas/ disagree on their pattern: {sorted(general)}"
        )
    return general.pop()


def _check(v: Vocabulary) -> None:
    """Every word of vocabulary.json belongs to the schema enum of its role."""
    roles = {
        "hedge qualifiers": ({q for _, q in v.hedges}, v.qualifiers),
        "qualifier intervals": (set(v.intervals), v.qualifiers),
        "unhedged, rounded and vague qualifiers": (
            {v.unhedged_count, v.unhedged_other, v.read_as_rounded, v.vague},
            v.qualifiers,
        ),
        "unit groups": (
            {u for g in v.unit_groups.values() for u in g}
            | set(v.rated_units)
            | set(v.whole_units)
            | set(v.unit_words.values())
            | set(v.per_month)
            | set(v.per_month.values()),
            v.units,
        ),
        "measures": (
            set(v.measure_units)
            | set(v.relations)
            | set(v.shares)
            | set(v.stocks)
            | (set(v.domains) - {"default"})
            | {m for c in v.channels.values() for m in c},
            v.measures,
        ),
    }
    _in_enums(roles)
    _check_drafting(v)
    missing = sorted(set(v.qualifiers) - set(v.intervals))
    if missing:
        raise RuntimeError(f"schemas/vocabulary.json gives no interval for qualifiers {missing}")
    bases = v.enum("quantities", "value_basis")
    stray = sorted(set(v.point_bases.values()) - set(bases))
    unpointed = sorted(set(v.intervals.values()) - set(v.point_bases))
    if stray or unpointed:
        raise RuntimeError(
            f"schemas/vocabulary.json: qualifiers.points gives {stray} outside {list(bases)}, or "
            f"no basis for shapes {unpointed}"
        )
    if v.enum("derived", "value_basis") != bases:
        raise RuntimeError(
            "schemas/: derived value_basis must have the words of quantities value_basis, in its "
            "order"
        )


def _in_enums(roles: dict) -> None:
    """Each role's words (``{role: (words, enum)}``) are words of its schema enum."""
    for role, (words, enum) in roles.items():
        stray = sorted(set(words) - set(enum))
        if stray:
            raise RuntimeError(
                f"schemas/vocabulary.json: {role} {stray} are not in the schema enum {list(enum)}"
            )


def _check_drafting(v: Vocabulary) -> None:
    """The categories, measures and units the drafting words name are words of their schema
    enums."""
    d = v.drafting
    roles = {
        "drafting rule categories": (
            {r["category"] for r in d["rules"].values()},
            v.enum("raw/not_figures", "category"),
        ),
        "drafting measures": (
            {m["measure"] for k, m in d["measures"].items() if k != "description"},
            v.measures,
        ),
        "drafting per-month units": (
            set(d["per_month"]["units"]) | set(d["per_month"]["units"].values()),
            v.units,
        ),
    }
    _in_enums(roles)


def _check_sources(v: Vocabulary, reg: dict, columns: list[str]) -> None:
    """The kinds and extents of sources are those of the sources schema's enums, and what a kind
    needs is its columns."""
    for what, words, enum in (
        ("source kinds", set(v.source_kinds), v.enum("sources", "kind")),
        ("text extents", set(reg["extents"]), v.enum("sources", "text_extent")),
    ):
        if words != set(enum) or {v.default_kind, v.default_extent} & set(enum) == set():
            raise RuntimeError(
                f"schemas/vocabulary.json: {what} {sorted(words)} are not those of the sources "
                f"schema {list(enum)}"
            )
    stray = sorted({c for k in v.source_kinds.values() for c in k["needs"]} - set(columns))
    if stray or v.default_kind not in v.source_kinds or v.default_extent not in reg["extents"]:
        raise RuntimeError(
            f"schemas/vocabulary.json: sources names columns {stray} or defaults the sources "
            "schema does not have"
        )


def id_regex(v: Vocabulary) -> re.Pattern[str]:
    return re.compile(v.id_pattern)
