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
from itertools import chain, count, islice, repeat

from .csvio import Table

PREFIX = {"schema": "https://schema.org/", "sin": "https://w3id.org/stopitnow-figures/"}
STAGES = ("clean", "reconcile", "derive", "package")
_dumps = json.JSONEncoder(ensure_ascii=False).encode


def strings(col: list[str], prefix: str = "") -> Iterable[str]:
    """Each cell (after ``prefix``) as a JSON string; cells with nothing to
    escape (no quote, backslash or control character) are written as they are."""
    if not _plain(col, prefix):
        return (_dumps(prefix + c) for c in col)
    return map(f'"{prefix}{{}}"'.format, col)


def _plain(col: list[str], prefix: str = "") -> bool:
    """Whether JSON writes every cell as it is: no quote, backslash or control character."""
    joined = prefix + "".join(col)
    return not ('"' in joined or "\\" in joined or (not joined.isprintable() and _CONTROL.search(joined)))


_CONTROL = re.compile(r"[\x00-\x1f]")


def chunks(tables: dict[str, Table]) -> Iterator[str]:
    """The PROV-JSON document of the package, a piece at a time."""
    fig, der, cla, pop = tables["figures"].column, tables["derived"].column, tables["claims"].column, tables["population"].column
    qua, ide = tables["quantities"].column, tables["identities"].column
    fids, mids, cids, pids = fig("figure_id"), der("metric_id"), cla("claim_id"), pop("population_id")
    qids, iids = qua("quantity_id"), ide("identity_id")
    kinds = (
        dict.fromkeys(fids, "figure") | dict.fromkeys(qids, "quantity") | dict.fromkeys(pids, "population") | dict.fromkeys(mids, "metric")
    )

    plain_inputs = _plain(der("inputs")) and _plain(cla("inputs"))

    def ref(ident: str) -> str:
        text = f"sin:{kinds.get(ident, 'unknown')}/{ident}"
        return f'"{text}"' if plain_inputs else _dumps(text)

    yield "{\n"
    yield ' "activity": {\n' + ",\n".join(f'  "sin:stage/{s}": {{}}' for s in STAGES) + "\n },\n"
    yield ' "entity": {\n'
    entities = [
        map(_record(kind, attributes).format, *(strings(tables[table].column(c), prefix) for c, prefix in [key, *attributes.values()]))
        for table, kind, key, attributes in ENTITIES
    ]
    yield from _joined(chain.from_iterable(entities), ",\n", "  ")
    yield "\n },\n"
    yield ' "prefix": ' + json.dumps(PREFIX, sort_keys=True) + ",\n"

    def generated_by() -> Iterator[str]:
        by = '"prov:activity": "sin:stage/{}", "prov:entity": {}'.format
        yield from map(by, repeat("clean"), strings(fids, "sin:figure/"))
        yield from map(by, repeat("reconcile"), strings(qids, "sin:quantity/"))
        yield from map(by, repeat("reconcile"), strings(iids, "sin:identity/"))
        yield from map(by, repeat("derive"), strings(mids, "sin:metric/"))
        yield from map(by, repeat("derive"), strings(cids, "sin:claim/"))

    def informed_by() -> Iterator[str]:
        for a, b in zip(STAGES, STAGES[1:], strict=False):
            yield f'"prov:informant": "sin:stage/{a}", "prov:informed": "sin:stage/{b}"'

    for n, (kind, bodies) in enumerate(
        (("wasDerivedFrom", derived_from(tables, ref)), ("wasGeneratedBy", generated_by()), ("wasInformedBy", informed_by()))
    ):
        yield (",\n" if n else "") + f' "{kind}": {{\n'
        yield from _joined(map(f'"_:{kind}{{}}": {{{{{{}}}}}}'.format, count(1), bodies), ",\n", "  ")
        yield "\n }"
    yield "\n}\n"


def derived_from(tables: dict[str, Table], ref) -> Iterator[str]:
    """The wasDerivedFrom relations: figures from their articles, quantities from their mentions and identities,
    metrics and claims from their inputs."""
    fig, der, cla, qua = tables["figures"].column, tables["derived"].column, tables["claims"].column, tables["quantities"].column
    yield from map(
        '"prov:activity": "sin:stage/clean", "prov:generatedEntity": {}, "prov:type": "prov:Quotation", "prov:usedEntity": {}'.format,
        strings(fig("figure_id"), "sin:figure/"),
        strings(fig("source_id"), "sin:source/"),
    )
    reconciled = '"prov:activity": "sin:stage/reconcile", "prov:generatedEntity": {}, "prov:usedEntity": {}'.format
    for q, mentions, identities in zip(strings(qua("quantity_id"), "sin:quantity/"), qua("mentions"), qua("identities"), strict=True):
        for i in mentions.split():
            yield reconciled(q, _dumps(f"sin:figure/{i}"))
        for i in identities.split():
            yield reconciled(q, _dumps(f"sin:identity/{i}"))
    used_by = '"prov:activity": "sin:stage/derive", "prov:generatedEntity": {}, "prov:usedEntity": {}'.format
    for m, used in zip(strings(der("metric_id"), "sin:metric/"), der("inputs"), strict=True):
        for i in used.split():
            yield used_by(m, ref(i))
    for c, f, used in zip(strings(cla("claim_id"), "sin:claim/"), strings(cla("figure_id"), "sin:figure/"), cla("inputs"), strict=True):
        yield used_by(c, f)
        for i in used.split():
            yield used_by(c, ref(i))


# each table's entities: (table, prov:type, (id column, prefix), {attribute: (column, prefix)}), attributes in sorted order
ENTITIES = (
    (
        "sources",
        "schema:NewsArticle",
        ("source_id", "sin:source/"),
        {
            "schema:headline": ("headline", ""),
            "schema:publisher": ("publisher", ""),
            "schema:url": ("url", ""),
            "sin:sha256": ("sha256", ""),
        },
    ),
    (
        "population",
        "sin:ReferenceRow",
        ("population_id", "sin:population/"),
        {"prov:value": ("value", ""), "schema:publisher": ("publisher", ""), "sin:table": ("table", "")},
    ),
    (
        "figures",
        "sin:Figure",
        ("figure_id", "sin:figure/"),
        {"prov:value": ("value", ""), "sin:charEnd": ("char_end", ""), "sin:charStart": ("char_start", ""), "sin:quote": ("quote", "")},
    ),
    (
        "identities",
        "sin:Identity",
        ("identity_id", "sin:identity/"),
        {"sin:left": ("left", ""), "sin:relation": ("relation", ""), "sin:right": ("right", "")},
    ),
    ("quantities", "sin:Quantity", ("quantity_id", "sin:quantity/"), {"prov:value": ("value", ""), "sin:status": ("status", "")}),
    ("derived", "sin:DerivedMetric", ("metric_id", "sin:metric/"), {"prov:value": ("value", ""), "sin:formula": ("formula", "")}),
    ("claims", "sin:ClaimCheck", ("claim_id", "sin:claim/"), {"sin:formula": ("formula", ""), "sin:verdict": ("verdict", "")}),
)


def _record(kind: str, attributes: dict) -> str:
    """The format of one entity's line: its key, then its type and attributes, each a JSON string."""
    return "{}: {{" + ", ".join([f'"prov:type": "{kind}"', *(f'"{name}": {{}}' for name in attributes)]) + "}}"


def _joined(lines: Iterator[str], sep: str, indent: str, size: int = 20000) -> Iterator[str]:
    """Lines indented and joined by ``sep``, in chunks of ``size`` lines (for fewer writes)."""
    lines = iter(lines)
    glue = sep + indent
    first = True
    while batch := list(islice(lines, size)):
        yield ("" if first else sep) + indent + glue.join(batch)
        first = False
