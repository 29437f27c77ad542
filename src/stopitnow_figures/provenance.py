"""The provenance graph as W3C PROV-JSON.

Written directly as PROV-JSON (https://www.w3.org/submissions/prov-json/),
one record a line, so that a million figures stream to disk in seconds
without holding the document in memory; the tests build the same graph with
the ``prov`` library for the real package and check that the two agree and
that ``prov`` reads this file. Records come in the order of the sorted
tables, and relations are numbered in that order, so the bytes are stable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from .csvio import Table

PREFIX = {"schema": "https://schema.org/", "sin": "https://w3id.org/stopitnow-figures/"}
STAGES = ("clean", "derive", "package")
_dumps = json.JSONEncoder(ensure_ascii=False).encode


def strings(col: list[str], prefix: str = "") -> Iterable[str]:
    """Each cell (after ``prefix``) as a JSON string; cells with nothing to
    escape (no quote, backslash or control character) are written as they are."""
    joined = prefix + "".join(col)
    if '"' in joined or "\\" in joined or (not joined.isprintable() and _CONTROL.search(joined)):
        return (_dumps(prefix + c) for c in col)
    return map(f'"{prefix}{{}}"'.format, col)


_CONTROL = re.compile(r"[\x00-\x1f]")


def chunks(tables: dict[str, Table]) -> Iterator[str]:
    """The PROV-JSON document of the package, a piece at a time."""
    fig, der, cla, pop = tables["figures"].column, tables["derived"].column, tables["claims"].column, tables["population"].column
    fids, mids, cids, pids = fig("figure_id"), der("metric_id"), cla("claim_id"), pop("population_id")
    kinds = dict.fromkeys(fids, "figure") | dict.fromkeys(pids, "population") | dict.fromkeys(mids, "metric")

    def ref(ident: str) -> str:
        return _dumps(f"sin:{kinds.get(ident, 'unknown')}/{ident}")

    yield "{\n"
    yield ' "activity": {\n' + ",\n".join(f'  "sin:stage/{s}": {{}}' for s in STAGES) + "\n },\n"
    entities = [
        (
            f'{key}: {{"prov:type": "schema:NewsArticle", "schema:headline": {h}, "schema:publisher": {p}, "schema:url": {u}, "sin:sha256": {s}}}'
            for key, h, p, u, s in zip(
                *(
                    strings(tables["sources"].column(c), pre)
                    for c, pre in (("source_id", "sin:source/"), ("headline", ""), ("publisher", ""), ("url", ""), ("sha256", ""))
                ),
                strict=True,
            )
        ),
        (
            f'{key}: {{"prov:type": "sin:ReferenceRow", "prov:value": {v}, "schema:publisher": {p}, "sin:table": {t}}}'
            for key, v, p, t in zip(
                strings(pids, "sin:population/"), strings(pop("value")), strings(pop("publisher")), strings(pop("table")), strict=True
            )
        ),
        (
            f'{key}: {{"prov:type": "sin:Figure", "prov:value": {v}, "sin:charEnd": {e}, "sin:charStart": {s}, "sin:quote": {q}}}'
            for key, v, e, s, q in zip(
                strings(fids, "sin:figure/"),
                strings(fig("value")),
                strings(fig("char_end")),
                strings(fig("char_start")),
                strings(fig("quote")),
                strict=True,
            )
        ),
        (
            f'{key}: {{"prov:type": "sin:DerivedMetric", "prov:value": {v}, "sin:formula": {f}}}'
            for key, v, f in zip(strings(mids, "sin:metric/"), strings(der("value")), strings(der("formula")), strict=True)
        ),
        (
            f'{key}: {{"prov:type": "sin:ClaimCheck", "sin:formula": {f}, "sin:verdict": {v}}}'
            for key, f, v in zip(strings(cids, "sin:claim/"), strings(cla("formula")), strings(cla("verdict")), strict=True)
        ),
    ]
    yield ' "entity": {\n'
    yield from _joined((line for records in entities for line in records), ",\n", "  ")
    yield "\n },\n"
    yield ' "prefix": ' + json.dumps(PREFIX, sort_keys=True) + ",\n"

    def derived_from() -> Iterator[str]:
        clean, derive = '"prov:activity": "sin:stage/clean"', '"prov:activity": "sin:stage/derive"'
        for f, s in zip(strings(fids, "sin:figure/"), strings(fig("source_id"), "sin:source/"), strict=True):
            yield f'{clean}, "prov:generatedEntity": {f}, "prov:type": "prov:Quotation", "prov:usedEntity": {s}'
        for m, used in zip(strings(mids, "sin:metric/"), der("inputs"), strict=True):
            for i in used.split():
                yield f'{derive}, "prov:generatedEntity": {m}, "prov:usedEntity": {ref(i)}'
        for c, f, used in zip(strings(cids, "sin:claim/"), strings(cla("figure_id"), "sin:figure/"), cla("inputs"), strict=True):
            yield f'{derive}, "prov:generatedEntity": {c}, "prov:usedEntity": {f}'
            for i in used.split():
                yield f'{derive}, "prov:generatedEntity": {c}, "prov:usedEntity": {ref(i)}'

    def generated_by() -> Iterator[str]:
        for f in strings(fids, "sin:figure/"):
            yield f'"prov:activity": "sin:stage/clean", "prov:entity": {f}'
        for m in strings(mids, "sin:metric/"):
            yield f'"prov:activity": "sin:stage/derive", "prov:entity": {m}'
        for c in strings(cids, "sin:claim/"):
            yield f'"prov:activity": "sin:stage/derive", "prov:entity": {c}'

    def informed_by() -> Iterator[str]:
        for a, b in zip(STAGES, STAGES[1:], strict=False):
            yield f'"prov:informant": "sin:stage/{a}", "prov:informed": "sin:stage/{b}"'

    for n, (kind, bodies) in enumerate(
        (("wasDerivedFrom", derived_from()), ("wasGeneratedBy", generated_by()), ("wasInformedBy", informed_by()))
    ):
        yield (",\n" if n else "") + f' "{kind}": {{\n'
        yield from _joined((f'"_:{kind}{k}": {{{body}}}' for k, body in enumerate(bodies, 1)), ",\n", "  ")
        yield "\n }"
    yield "\n}\n"


def _joined(lines: Iterator[str], sep: str, indent: str, size: int = 20000) -> Iterator[str]:
    """Lines indented and joined by ``sep``, in chunks of ``size`` lines (for fewer writes)."""
    batch: list[str] = []
    first = True
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield ("" if first else sep) + indent + (sep + indent).join(batch)
            batch, first = [], False
    if batch:
        yield ("" if first else sep) + indent + (sep + indent).join(batch)
