"""Trace any figure, quantity, metric, claim, series or conflict id (or a series row's id) down to
the article characters, identities, formulas and reference rows it rests on."""

from __future__ import annotations

import difflib
import json
import re

from ..model.conflicts import conflicts
from ..tables import vocab
from ..tables.errors import Collector
from ..tables.numbers import Precision
from ..tables.paths import Paths
from ..tables.schema import package_tables
from . import pages
from .terminal import safe, safe_json

QUANTITY_REF = re.compile(r"\{([^{}]+)\}")
SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+|\n+")


class UnknownId(LookupError):
    def __init__(self, ident: str, nearest: list[str]):
        self.ident, self.nearest = ident, nearest
        super().__init__(
            f"unknown id {ident!r}" + (f"; nearest: {', '.join(nearest)}" if nearest else "")
        )


def load(paths: Paths) -> dict[str, dict[str, dict]]:
    problems = Collector()
    out = {}
    keys = vocab.load(paths.schemas).primary_keys
    for name, rows in package_tables(paths, paths.published, problems).items():
        out[name] = {r[keys[name][0]]: r.cells for r in rows}
    problems.raise_if_any()
    return out


def sentence_of(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The sentence around [start, end): (sentence, offset of the span in it, its end)."""
    s = 0
    for m in SENTENCE_END.finditer(text, 0, start):
        s = m.end()
    m = SENTENCE_END.search(text, end)
    e = m.start() if m else len(text)
    return text[s:e], start - s, end - s


MAX_DEPTH = 40  # a chain deeper than this is cut, with the id to trace from there


def trace(paths: Paths, ident: str, tables: dict | None = None) -> dict:
    """The chain under ``ident`` as a nested dict."""
    return Tracer(paths, tables or load(paths)).node(ident, 0)


class Tracer:
    """Builds the chain under an id: a figure down to its quote, a metric or claim down to its
    inputs."""

    def __init__(self, paths: Paths, tables: dict) -> None:
        self.paths, self.tables, self.texts = paths, tables, {}
        self.series: dict[
            str, list[dict]
        ] = {}  # each series' rows (members and gaps) in time order
        for r in tables.get("series", {}).values():
            self.series.setdefault(r["series_id"], []).append(r)
        self.conflicts = {
            c.conflict_id: c for c in conflicts(tables.get("quantities", {}).values())
        }

    def node(self, i: str, depth: int) -> dict:
        t = self.tables
        if depth > MAX_DEPTH:
            return {
                "id": i,
                "type": "cut",
                "note": f"the chain goes on; run: stopitnow-figures trace {i}",
            }
        for table, build in (
            ("figures", self.figure),
            ("quantities", self.quantity),
            ("population", self.reference),
            ("derived", self.metric),
            ("claims", self.claim),
            ("series", self.member),
        ):
            if i in t.get(table, {}):
                n = build(i, t[table][i], depth)
                return {
                    **n,
                    "page": (
                        f"{pages.FOLDER}/"
                        f"{pages.page_of(n['type'], i, t[table][i].get('source_id'))}"
                    ),
                }
        if i in self.series:
            return {
                **self.one_series(i, self.series[i], depth),
                "page": f"{pages.FOLDER}/{pages.page_of('series', i)}",
            }
        if i in self.conflicts:
            return {
                **self.one_conflict(self.conflicts[i], depth),
                "page": f"{pages.FOLDER}/{pages.page_of('conflict', i)}",
            }
        known = sorted(
            k
            for name in ("figures", "quantities", "derived", "claims", "population", "series")
            for k in t.get(name, {})
        )
        raise UnknownId(
            i,
            difflib.get_close_matches(
                i, known + sorted(self.series) + sorted(self.conflicts), n=3, cutoff=0.5
            ),
        )

    def text(self, source: dict) -> str:
        sid = source["source_id"]
        if sid not in self.texts:
            self.texts[sid] = self.paths.source_text(sid).read_text(encoding="utf-8")
        return self.texts[sid]

    def figure(self, i: str, f: dict, depth: int) -> dict:
        s = self.tables["sources"][f["source_id"]]
        a, b = int(f["char_start"]), int(f["char_end"])
        sentence, sa, sb = sentence_of(self.text(s), a, b)
        keys = (
            "value",
            "qualifier",
            "lower",
            "upper",
            "unit",
            "measure",
            "geography",
            "geography_code",
            "period_note",
            "quote",
            "as_written",
        )
        return {
            "id": i,
            "type": "figure",
            "quantity_id": f["quantity_id"],
            **{k: f[k] for k in keys},
            "period": [f["period_start"], f["period_end"]],
            "char_start": a,
            "char_end": b,
            "sentence": sentence,
            "marked": sentence[:sa] + "»" + sentence[sa:sb] + "«" + sentence[sb:],
            "source": {
                k: s[k]
                for k in (
                    "source_id",
                    "publisher",
                    "headline",
                    "url",
                    "published_earliest",
                    "published_latest",
                    "date_basis",
                )
            },
        }

    def quantity(self, i: str, q: dict, depth: int) -> dict:
        """A quantity: its reconciled interval and why, its mentions down to their quotes, the
        identities that bind it."""
        keys = (
            "description",
            "counting",
            "value",
            "value_basis",
            "lower",
            "upper",
            "unit",
            "status",
            "lower_by",
            "upper_by",
            "conflict",
            "set_aside",
            "rate_note",
        )
        identities = [
            {
                k: self.tables["identities"][x][k]
                for k in ("identity_id", "left", "relation", "right", "note")
            }
            for x in q["identities"].split()
        ]
        return {
            "id": i,
            "type": "quantity",
            **{k: q[k] for k in keys},
            "period": [q["period_start"], q["period_end"]],
            "identities": identities,
            "mentions": [self.node(x, depth + 1) for x in q["mentions"].split()],
            "through": []
            if q["mentions"]
            else [self.node(x, depth + 1) for x in self.bounding(i, q)],
        }

    def bounding(self, i: str, q: dict) -> list[str]:
        """For a quantity no figure mentions: the other quantities of the identities that set its
        ends, in order."""
        rows = [
            self.tables["identities"][x]
            for x in (q["lower_by"] + " " + q["upper_by"]).split()
            if x in self.tables["identities"]
        ]
        named = [m for r in rows for m in QUANTITY_REF.findall(r["left"] + " " + r["right"])]
        return [x for x in dict.fromkeys(named) if x != i and x in self.tables["quantities"]]

    def reference(self, i: str, p: dict, depth: int) -> dict:
        return {
            "id": i,
            "type": "reference",
            **{
                k: p[k]
                for k in (
                    "geography",
                    "geography_code",
                    "year",
                    "value",
                    "publisher",
                    "table",
                    "url",
                    "certainty",
                )
            },
        }

    def metric(self, i: str, m: dict, depth: int) -> dict:
        keys = ("kind", "value", "value_basis", "lower", "upper", "unit", "formula", "description")
        return {
            "id": i,
            "type": "metric",
            **{k: m[k] for k in keys},
            "inputs": [self.node(x, depth + 1) for x in m["inputs"].split()],
        }

    def claim(self, i: str, c: dict, depth: int) -> dict:
        keys = ("verdict", "stated", "computed", "lower", "upper", "formula", "explanation")
        return {
            "id": i,
            "type": "claim",
            **{k: c[k] for k in keys},
            "figure": self.node(c["figure_id"], depth + 1),
            "inputs": [self.node(x, depth + 1) for x in c["inputs"].split()],
        }

    def one_series(self, i: str, rows: list[dict], depth: int) -> dict:
        """A series: what defines it, each period in time order (a member's quantity, or a gap), and
        its members down to their quotes."""
        keys = (
            "measure",
            "unit",
            "counting",
            "channel",
            "geography_code",
            "alignment",
            "comparability",
        )
        return {
            "id": i,
            "type": "series",
            **{k: rows[0][k] for k in keys},
            "periods": [
                {
                    "member_id": r["member_id"],
                    "period": [r["period_start"], r["period_end"]],
                    "quantity_id": r["quantity_id"],
                }
                for r in rows
            ],
            "inputs": [self.node(r["quantity_id"], depth + 1) for r in rows if r["quantity_id"]],
        }

    def one_conflict(self, c, depth: int) -> dict:
        """A conflict: the quantities it touches, its rows (each figure down to its quote) and what
        was set aside."""
        figures = self.tables.get("figures", {})
        return {
            "id": c.conflict_id,
            "type": "conflict",
            "quantities": list(c.quantities),
            "rows": list(c.rows),
            "set_aside": list(c.set_aside),
            "inputs": [self.node(r, depth + 1) for r in c.rows if r in figures],
        }

    def member(self, i: str, r: dict, depth: int) -> dict:
        """One period of a series: its quantity down to its quotes, or a gap (no quantity gives the
        period)."""
        return {
            "id": i,
            "type": "series member",
            "series_id": r["series_id"],
            "period": [r["period_start"], r["period_end"]],
            "quantity_id": r["quantity_id"],
            "inputs": [self.node(r["quantity_id"], depth + 1)] if r["quantity_id"] else [],
        }


def kind_of(n: dict) -> str:
    """What a chain's id is, in the words a citation uses ("figure", "reference row", "series
    member")."""
    return {"reference": "reference row"}.get(n["type"], n["type"])


def articles_of(n: dict) -> list[dict]:
    """The articles a chain rests on, each once, in the order first met."""
    return _collect(n, lambda x: x["source"] if x["type"] == "figure" else None)


def references_of(n: dict) -> list[dict]:
    """The reference rows (populations) a chain rests on, each once, in the order first met."""
    return _collect(n, lambda x: x if x["type"] == "reference" else None)


def _collect(n: dict, pick) -> list[dict]:
    """What ``pick`` takes from each node of a chain (None for nothing), each once, in the order
    first met."""
    out: list[dict] = []

    def walk(x: dict) -> None:
        got = pick(x)
        if got is not None and got not in out:
            out.append(got)
        for child in (
            ([x["figure"]] if "figure" in x else [])
            + x.get("inputs", [])
            + x.get("mentions", [])
            + x.get("through", [])
        ):
            walk(child)

    walk(n)
    return out


def precision_of(tables: dict) -> Precision:
    """The significant figures the text shows of each computed row (``tables.numbers``), from the
    tables ``load`` reads."""
    return Precision.of_tables({name: rows.values() for name, rows in tables.items()})


# the nodes whose numbers ``tables.numbers`` rounds
ROUNDED = ("figure", "quantity", "metric", "claim")


def render(n: dict, depth: int = 0, precision: Precision | None = None) -> str:
    """The chain as text for a terminal; every cell shown as printable text (no control or format
    character reaches the terminal), and with ``precision`` each computed number as people read it
    (``tables.numbers``; without, as the table holds it)."""
    pad = "  " * depth
    if precision is not None and n["type"] in ROUNDED:
        n = precision.shown(n["id"], n)
    lines = RENDER[n["type"]](n, pad)
    if "page" in n:
        lines.insert(1, f"{pad}  seen at: {n['page']}")
    children = (
        ([("stated in:", [n["figure"]])] if "figure" in n else [])
        + ([("computed from:", n["inputs"])] if n.get("inputs") else [])
        + ([("mentioned in:", n["mentions"])] if n.get("mentions") else [])
        + ([("bounded through its identities by:", n["through"])] if n.get("through") else [])
    )
    for label, nodes in children:
        if n["type"] in ("claim", "quantity"):
            lines.append(f"{pad}  {label}")
        lines += [
            render(x, depth + (2 if n["type"] in ("claim", "quantity") else 1), precision)
            for x in nodes
        ]
    return "\n".join(safe(line) for line in lines)


def _bounds(n: dict) -> str:
    return f"[{n['lower'] or 'unbounded'}, {n['upper'] or 'unbounded'}]"


def _point(n: dict) -> str:
    """A quantity's or metric's value as the reader view shows it: the interval wherever the
    evidence does not pin it."""
    return pages.point_text(n, n["unit"], vocab.load().point_words, fmt=str)


def _figure_lines(n: dict, pad: str) -> list[str]:
    s = n["source"]
    return [
        f"{pad}figure {n['id']}: {n['value']} {n['unit']} ({n['qualifier']}, interval "
        f"{_bounds(n)}); {n['measure']}, {n['geography']}; reports {n['quantity_id']}",
        f'{pad}  quote [{n["char_start"]}:{n["char_end"]}]: "{n["quote"]}"',
        f"{pad}  in its sentence: {n['marked']}",
        f'{pad}  from: {s["publisher"]}, "{s["headline"]}", {s["url"]}, published '
        f"{s['published_earliest']} to {s['published_latest']} ({s['date_basis']})",
        f"{pad}  period: {n['period'][0] or '-'} to {n['period'][1] or '-'}: {n['period_note']}",
    ]


def _quantity_lines(n: dict, pad: str) -> list[str]:
    out = [
        f"{pad}quantity {n['id']}: {_point(n)}; status {n['status']}; counted as {n['counting']}",
        f"{pad}  {n['description']}",
        f"{pad}  period: {n['period'][0] or '-'} to {n['period'][1] or '-'}",
        f"{pad}  lower end set by: {n['lower_by'] or 'its domain'}; upper end set by: "
        f"{n['upper_by'] or ('its domain' if n['upper'] else 'nothing (unbounded)')}",
    ]
    if n["conflict"]:
        out.append(
            f"{pad}  in conflict: these rows cannot all hold: {n['conflict']}; set aside: "
            f"{n['set_aside'] or 'none of its own'}"
        )
    if n["rate_note"]:
        out.append(f"{pad}  no rate per head: {n['rate_note']}")
    out += [
        f"{pad}  identity {x['identity_id']}: {x['left']} {x['relation']} {x['right']}: {x['note']}"
        for x in n["identities"]
    ]
    return out


def _reference_lines(n: dict, pad: str) -> list[str]:
    where = f", {n['url']}" if n["url"] else ""
    return [
        f"{pad}reference {n['id']}: {n['value']} people, {n['geography']} ({n['geography_code']}), "
        f"mid-{n['year']}; {n['publisher']}, {n['table']}{where} [{n['certainty']}]"
    ]


def _metric_lines(n: dict, pad: str) -> list[str]:
    return [
        f"{pad}metric {n['id']} ({n['kind']}): {_point(n)}",
        f"{pad}  = {n['formula']}",
        f"{pad}  {n['description']}",
    ]


def _claim_lines(n: dict, pad: str) -> list[str]:
    head = (
        f"{pad}claim {n['id']}: {n['verdict']}; stated {n['stated']}, computed {n['computed']} "
        f"{_bounds(n)}"
    )
    return [head, f"{pad}  = {n['formula']}", f"{pad}  {n['explanation']}"]


def _series_lines(n: dict, pad: str) -> list[str]:
    out = [
        f"{pad}series {n['id']}: {n['measure']} in {n['unit']} ({n['counting']}), "
        f"{n['geography_code']}, periods of {n['alignment']}",
        f"{pad}  {n['comparability']}",
    ]
    for p in n["periods"]:
        out.append(
            f"{pad}  {p['period'][0]} to {p['period'][1]}: "
            f"{p['quantity_id'] or 'gap (no source gives this period)'}"
        )
    return out


def _conflict_lines(n: dict, pad: str) -> list[str]:
    return [
        f"{pad}conflict {n['id']}: these rows cannot all hold: {' '.join(n['rows'])}",
        f"{pad}  quantities it touches: {' '.join(n['quantities'])}",
        f"{pad}  set aside: {' '.join(n['set_aside']) or 'nothing'}; each figure of it:",
    ]


def _member_lines(n: dict, pad: str) -> list[str]:
    what = (
        n["quantity_id"]
        or "a gap: no quantity of the series for this period (a gap in the sources)"
    )
    return [
        f"{pad}series member {n['id']} of {n['series_id']}: "
        f"{n['period'][0]} to {n['period'][1]}: {what}"
    ]


RENDER = {
    "figure": _figure_lines,
    "quantity": _quantity_lines,
    "reference": _reference_lines,
    "metric": _metric_lines,
    "claim": _claim_lines,
    "series": _series_lines,
    "series member": _member_lines,
    "conflict": _conflict_lines,
    "cut": lambda n, pad: [f"{pad}{n['id']}: {n['note']}"],
}


def to_json(n: dict) -> str:
    """The chain as JSON; the characters ``safe`` escapes are JSON escapes, so none reaches a
    terminal raw."""
    return safe_json(json.dumps(n, indent=2, ensure_ascii=False))
