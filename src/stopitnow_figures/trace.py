"""Trace any figure, metric or claim id down to the article characters,
formulas and reference rows it rests on."""

from __future__ import annotations

import difflib
import json
import re

from . import vocab
from .csvio import read_table
from .errors import Collector
from .paths import PUBLISHED_TABLES, Paths
from .schema import field_names, load_schema

SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+|\n+")


class UnknownId(LookupError):
    def __init__(self, ident: str, nearest: list[str]):
        self.ident, self.nearest = ident, nearest
        super().__init__(f"unknown id {ident!r}" + (f"; nearest: {', '.join(nearest)}" if nearest else ""))


def load(paths: Paths) -> dict[str, dict[str, dict]]:
    problems = Collector()
    out = {}
    keys = vocab.load(paths.schemas).primary_keys
    for name in PUBLISHED_TABLES:
        path = paths.published.table(name)
        rows = read_table(path, field_names(load_schema(paths.schema(name))), problems, display=paths.rel(path))
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


def trace(paths: Paths, ident: str, tables: dict | None = None) -> dict:
    """The chain under ``ident`` as a nested dict."""
    tables = tables or load(paths)
    texts: dict[str, str] = {}

    def node(i: str) -> dict:
        if i in tables["figures"]:
            f = tables["figures"][i]
            s = tables["sources"][f["source_id"]]
            if f["source_id"] not in texts:
                texts[f["source_id"]] = (paths.root / s["text_path"]).read_text(encoding="utf-8")
            a, b = int(f["char_start"]), int(f["char_end"])
            sentence, sa, sb = sentence_of(texts[f["source_id"]], a, b)
            return {
                "id": i,
                "type": "figure",
                "value": f["value"],
                "qualifier": f["qualifier"],
                "lower": f["lower"],
                "upper": f["upper"],
                "unit": f["unit"],
                "measure": f["measure"],
                "geography": f["geography"],
                "geography_code": f["geography_code"],
                "period": [f["period_start"], f["period_end"]],
                "period_note": f["period_note"],
                "quote": f["quote"],
                "char_start": a,
                "char_end": b,
                "as_written": f["as_written"],
                "sentence": sentence,
                "marked": sentence[:sa] + "»" + sentence[sa:sb] + "«" + sentence[sb:],
                "source": {
                    k: s[k] for k in ("source_id", "publisher", "headline", "url", "published_earliest", "published_latest", "date_basis")
                },
            }
        if i in tables["population"]:
            p = tables["population"][i]
            return {
                "id": i,
                "type": "reference",
                **{k: p[k] for k in ("geography", "geography_code", "year", "value", "publisher", "table", "url", "certainty")},
            }
        if i in tables["derived"]:
            m = tables["derived"][i]
            return {
                "id": i,
                "type": "metric",
                "kind": m["kind"],
                "value": m["value"],
                "lower": m["lower"],
                "upper": m["upper"],
                "unit": m["unit"],
                "formula": m["formula"],
                "description": m["description"],
                "inputs": [node(x) for x in m["inputs"].split()],
            }
        if i in tables["claims"]:
            c = tables["claims"][i]
            return {
                "id": i,
                "type": "claim",
                "verdict": c["verdict"],
                "stated": c["stated"],
                "computed": c["computed"],
                "lower": c["lower"],
                "upper": c["upper"],
                "formula": c["formula"],
                "explanation": c["explanation"],
                "figure": node(c["figure_id"]),
                "inputs": [node(x) for x in c["inputs"].split()],
            }
        known = sorted(k for name in ("figures", "derived", "claims", "population") for k in tables[name])
        raise UnknownId(i, difflib.get_close_matches(i, known, n=3, cutoff=0.5))

    return node(ident)


def articles_of(n: dict) -> list[dict]:
    """The articles a chain rests on, each once, in the order first met."""
    out: list[dict] = []

    def walk(x: dict) -> None:
        if x["type"] == "figure" and x["source"] not in out:
            out.append(x["source"])
        for child in ([x["figure"]] if "figure" in x else []) + x.get("inputs", []):
            walk(child)

    walk(n)
    return out


def render(n: dict, depth: int = 0) -> str:
    pad = "  " * depth
    t = n["type"]
    if t == "figure":
        s = n["source"]
        bounds = f"[{n['lower'] or 'unbounded'}, {n['upper'] or 'unbounded'}]"
        return "\n".join(
            [
                f"{pad}figure {n['id']}: {n['value']} {n['unit']} ({n['qualifier']}, interval {bounds}); {n['measure']}, {n['geography']}",
                f'{pad}  quote [{n["char_start"]}:{n["char_end"]}]: "{n["quote"]}"',
                f"{pad}  in its sentence: {n['marked']}",
                f'{pad}  from: {s["publisher"]}, "{s["headline"]}", {s["url"]}, published {s["published_earliest"]} to {s["published_latest"]} ({s["date_basis"]})',
                f"{pad}  period: {n['period'][0] or '-'} to {n['period'][1] or '-'}: {n['period_note']}",
            ]
        )
    if t == "reference":
        return (
            f"{pad}reference {n['id']}: {n['value']} people, {n['geography']} ({n['geography_code']}), mid-{n['year']}; {n['publisher']}, {n['table']}"
            + (f", {n['url']}" if n["url"] else "")
            + f" [{n['certainty']}]"
        )
    if t == "metric":
        head = f"{pad}metric {n['id']} ({n['kind']}): {n['value']} {n['unit']}, interval [{n['lower'] or 'unbounded'}, {n['upper'] or 'unbounded'}]\n{pad}  = {n['formula']}\n{pad}  {n['description']}"
        return "\n".join([head] + [render(x, depth + 1) for x in n["inputs"]])
    head = f"{pad}claim {n['id']}: {n['verdict']}; stated {n['stated']}, computed {n['computed']} [{n['lower'] or 'unbounded'}, {n['upper'] or 'unbounded'}]\n{pad}  = {n['formula']}\n{pad}  {n['explanation']}\n{pad}  stated in:"
    return "\n".join([head, render(n["figure"], depth + 2), f"{pad}  computed from:"] + [render(x, depth + 2) for x in n["inputs"]])


def to_json(n: dict) -> str:
    return json.dumps(n, indent=2, ensure_ascii=False)
