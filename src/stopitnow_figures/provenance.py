"""The provenance graph as W3C PROV-JSON.

Written directly as PROV-JSON (https://www.w3.org/submissions/prov-json/) so
that a million figures serialise in seconds; the tests build the same graph
with the ``prov`` library for the real package and check that the two agree
and that ``prov`` reads this file. Relations are numbered in the order the
sorted tables give, so the bytes are stable.
"""

from __future__ import annotations

import json

PREFIX = {"schema": "https://schema.org/", "sin": "https://w3id.org/stopitnow-figures/"}


def graph(tables: dict) -> dict:
    """The PROV-JSON document of the package, as a dict."""
    entity: dict[str, dict] = {}
    activity = {f"sin:stage/{s}": {} for s in ("clean", "derive", "package")}
    derived_from: list[dict] = []
    generated_by: list[dict] = []
    informed = [
        {"prov:informant": "sin:stage/clean", "prov:informed": "sin:stage/derive"},
        {"prov:informant": "sin:stage/derive", "prov:informed": "sin:stage/package"},
    ]
    kinds = {r["figure_id"]: "figure" for r in tables["figures"]}
    kinds.update({r["population_id"]: "population" for r in tables["population"]})
    kinds.update({r["metric_id"]: "metric" for r in tables["derived"]})

    def ref(i: str) -> str:
        return f"sin:{kinds.get(i, 'unknown')}/{i}"

    for s in tables["sources"]:
        entity[f"sin:source/{s['source_id']}"] = {
            "prov:type": "schema:NewsArticle",
            "schema:headline": s["headline"],
            "schema:publisher": s["publisher"],
            "schema:url": s["url"],
            "sin:sha256": s["sha256"],
        }
    for p in tables["population"]:
        entity[f"sin:population/{p['population_id']}"] = {
            "prov:type": "sin:ReferenceRow",
            "prov:value": p["value"],
            "schema:publisher": p["publisher"],
            "sin:table": p["table"],
        }
    for f in tables["figures"]:
        e = f"sin:figure/{f['figure_id']}"
        entity[e] = {
            "prov:type": "sin:Figure",
            "prov:value": f["value"],
            "sin:charEnd": f["char_end"],
            "sin:charStart": f["char_start"],
            "sin:quote": f["quote"],
        }
        derived_from.append(
            {
                "prov:activity": "sin:stage/clean",
                "prov:generatedEntity": e,
                "prov:type": "prov:Quotation",
                "prov:usedEntity": f"sin:source/{f['source_id']}",
            }
        )
        generated_by.append({"prov:activity": "sin:stage/clean", "prov:entity": e})
    for m in tables["derived"]:
        e = f"sin:metric/{m['metric_id']}"
        entity[e] = {"prov:type": "sin:DerivedMetric", "prov:value": m["value"], "sin:formula": m["formula"]}
        generated_by.append({"prov:activity": "sin:stage/derive", "prov:entity": e})
        derived_from += [
            {"prov:activity": "sin:stage/derive", "prov:generatedEntity": e, "prov:usedEntity": ref(i)} for i in m["inputs"].split()
        ]
    for c in tables["claims"]:
        e = f"sin:claim/{c['claim_id']}"
        entity[e] = {"prov:type": "sin:ClaimCheck", "sin:formula": c["formula"], "sin:verdict": c["verdict"]}
        generated_by.append({"prov:activity": "sin:stage/derive", "prov:entity": e})
        derived_from.append(
            {"prov:activity": "sin:stage/derive", "prov:generatedEntity": e, "prov:usedEntity": f"sin:figure/{c['figure_id']}"}
        )
        derived_from += [
            {"prov:activity": "sin:stage/derive", "prov:generatedEntity": e, "prov:usedEntity": ref(i)} for i in c["inputs"].split()
        ]
    return {
        "activity": activity,
        "entity": entity,
        "prefix": PREFIX,
        "wasDerivedFrom": {f"_:wasDerivedFrom{n}": r for n, r in enumerate(derived_from, 1)},
        "wasGeneratedBy": {f"_:wasGeneratedBy{n}": r for n, r in enumerate(generated_by, 1)},
        "wasInformedBy": {f"_:wasInformedBy{n}": r for n, r in enumerate(informed, 1)},
    }


def to_json(tables: dict) -> str:
    """One record a line, keys sorted: valid JSON, stable bytes, readable diffs, and fast
    (each record goes through the C encoder)."""
    doc = graph(tables)
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
    parts = []
    for kind in sorted(doc):
        records = doc[kind]
        body = ",\n".join(f"  {encode(k)}: {encode(v)}" for k, v in sorted(records.items()))
        parts.append(f" {json.dumps(kind)}: {{\n{body}\n }}" if records else f" {json.dumps(kind)}: {{}}")
    return "{\n" + ",\n".join(parts) + "\n}\n"
