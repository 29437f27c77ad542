"""The published package: frictionless validation, hashes, Data Package 2.0 profile."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest

from conftest import BIN, ROOT, SHARED, package_version, read_csv
from stopitnow_figures.tables.paths import PUBLISHED_TABLES, Paths

pytestmark = pytest.mark.data


def test_frictionless_validates_the_package():
    out = subprocess.run(
        [str(BIN / "frictionless"), "validate", "--json", "datapackage.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    report = json.loads(out.stdout)
    assert report["valid"] is True, out.stdout[:2000]
    assert out.returncode == 0


def test_every_published_file_is_a_resource_whose_hash_and_bytes_match_it():
    """Every file under processed/ and every root file the package publishes is a resource (the
    descriptor itself excepted: its hash cannot be inside it), the tables first in the package's
    order, and each resource's bytes and sha256 are its file's."""
    dp = json.loads((ROOT / "datapackage.json").read_text())
    assert dp["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    tables = [r["name"] for r in dp["resources"] if "schema" in r]
    assert tables == list(PUBLISHED_TABLES)
    assert [r["name"] for r in dp["resources"]][: len(tables)] == tables
    published = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "processed").rglob("*")
        if p.is_file() and not p.name.startswith(".")
    } | {p.name for p in Paths(ROOT).published.root_files if p.is_file()}
    # the files the profile refuses as resources (a hidden file's path) are listed beside them
    files = dp["resources"] + dp.get("stopitnow:files", [])
    beside = [r["path"] for r in dp.get("stopitnow:files", [])]
    # hidden files, and the database (with datasette's metadata.json) and the Parquet files,
    # which frictionless would read as tables
    assert all(
        p.startswith(".") or p.endswith((".sqlite", ".parquet", "/metadata.json")) for p in beside
    )
    listed = [r["path"] for r in files]
    assert len(listed) == len(set(listed)) and len({r["name"] for r in files}) == len(listed)
    assert set(listed) == published - {"datapackage.json"}
    for r in files:
        data = (ROOT / r["path"]).read_bytes()
        assert r["bytes"] == len(data), r["path"]
        assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), r["path"]
        assert r["mediatype"] and "/" in r["mediatype"], r["path"]


def test_schemas_are_copied_from_schemas_dir_not_rewritten():
    dp = json.loads((ROOT / "datapackage.json").read_text())
    for r in (r for r in dp["resources"] if "schema" in r):
        src = json.loads((ROOT / "schemas" / f"{r['name']}.schema.json").read_text())
        assert [f for f in r["schema"]["fields"]] == src["fields"]
        assert r["schema"]["primaryKey"] == src["primaryKey"]


def test_metadata_the_owner_asked_for():
    dp = json.loads((ROOT / "datapackage.json").read_text())
    assert dp["name"] == "stopitnow-figures"
    version, day = package_version()
    assert (dp["version"], dp["created"]) == (
        version,
        f"{day}T00:00:00Z",
    )  # the CHANGELOG date of the version, not the clock
    assert {lic["name"] for lic in dp["licenses"]} == {"CC-BY-4.0", "MIT"}
    assert "copyright" in dp["stopitnow:quotesNotice"]
    assert any("heraldscotland.com" in s.get("path", "") for s in dp["sources"])
    assert any(s["title"].startswith("National Records of Scotland") for s in dp["sources"])


@pytest.mark.skipif(
    not (SHARED / "profiles" / "datapackage-2.0").exists(), reason="shared profiles absent"
)
def test_descriptor_validates_against_the_data_package_2_profile():
    import jsonschema

    profile = json.loads((SHARED / "profiles" / "datapackage-2.0" / "datapackage.json").read_text())
    jsonschema.validate(json.loads((ROOT / "datapackage.json").read_text()), profile)


def _prov_library_graph(tables):
    """The same graph built with the prov library: the reference the written file must match."""
    from prov.model import ProvDocument

    doc = ProvDocument()
    doc.add_namespace("sin", "https://w3id.org/stopitnow-figures/")
    doc.add_namespace("schema", "https://schema.org/")
    clean, reconcile, derive, package = (
        doc.activity(f"sin:stage/{s}") for s in ("clean", "reconcile", "derive", "package")
    )
    doc.wasInformedBy(reconcile, clean)
    doc.wasInformedBy(derive, reconcile)
    doc.wasInformedBy(package, derive)
    kinds = {r["figure_id"]: "figure" for r in tables["figures"]} | {
        r["quantity_id"]: "quantity" for r in tables["quantities"]
    }
    kinds |= {r["population_id"]: "population" for r in tables["population"]} | {
        r["metric_id"]: "metric" for r in tables["derived"]
    }
    for s in tables["sources"]:
        doc.entity(
            f"sin:source/{s['source_id']}",
            {
                "prov:type": "schema:NewsArticle",
                "schema:publisher": s["publisher"],
                "schema:headline": s["headline"],
                "schema:url": s["url"],
                "sin:sha256": s["sha256"],
            },
        )
    for p in tables["population"]:
        doc.entity(
            f"sin:population/{p['population_id']}",
            {
                "prov:type": "sin:ReferenceRow",
                "schema:publisher": p["publisher"],
                "sin:table": p["table"],
                "prov:value": p["value"],
            },
        )
    for f in tables["figures"]:
        e = doc.entity(
            f"sin:figure/{f['figure_id']}",
            {
                "prov:type": "sin:Figure",
                "prov:value": f["value"],
                "sin:quote": f["quote"],
                "sin:charStart": f["char_start"],
                "sin:charEnd": f["char_end"],
            },
        )
        doc.wasDerivedFrom(
            e,
            f"sin:source/{f['source_id']}",
            activity=clean,
            other_attributes={"prov:type": "prov:Quotation"},
        )
        doc.wasGeneratedBy(e, clean)
    for i in tables["identities"]:
        e = doc.entity(
            f"sin:identity/{i['identity_id']}",
            {
                "prov:type": "sin:Identity",
                "sin:left": i["left"],
                "sin:relation": i["relation"],
                "sin:right": i["right"],
            },
        )
        doc.wasGeneratedBy(e, reconcile)
    for q in tables["quantities"]:
        e = doc.entity(
            f"sin:quantity/{q['quantity_id']}",
            {"prov:type": "sin:Quantity", "prov:value": q["value"], "sin:status": q["status"]},
        )
        doc.wasGeneratedBy(e, reconcile)
        for f in q["mentions"].split():
            doc.wasDerivedFrom(e, f"sin:figure/{f}", activity=reconcile)
        for i in q["identities"].split():
            doc.wasDerivedFrom(e, f"sin:identity/{i}", activity=reconcile)
    for m in tables["derived"]:
        e = doc.entity(
            f"sin:metric/{m['metric_id']}",
            {
                "prov:type": "sin:DerivedMetric",
                "prov:value": m["value"],
                "sin:formula": m["formula"],
            },
        )
        doc.wasGeneratedBy(e, derive)
        for i in m["inputs"].split():
            doc.wasDerivedFrom(e, f"sin:{kinds[i]}/{i}", activity=derive)
    for c in tables["claims"]:
        e = doc.entity(
            f"sin:claim/{c['claim_id']}",
            {
                "prov:type": "sin:ClaimCheck",
                "sin:verdict": c["verdict"],
                "sin:formula": c["formula"],
            },
        )
        doc.wasGeneratedBy(e, derive)
        doc.wasDerivedFrom(e, f"sin:figure/{c['figure_id']}", activity=derive)
        for i in c["inputs"].split():
            doc.wasDerivedFrom(e, f"sin:{kinds[i]}/{i}", activity=derive)
    from stopitnow_figures.publishing.provenance import SERIES_RULE

    quantities_of = {}
    for r in tables["series"]:
        quantities_of.setdefault(r["series_id"], []).append(r)
    for r in tables["series"]:
        e = doc.entity(
            f"sin:series-member/{r['member_id']}",
            {
                "prov:type": "sin:SeriesMember",
                "sin:alignment": r["alignment"],
                "sin:rule": SERIES_RULE,
                "sin:series": r["series_id"],
            },
        )
        doc.wasGeneratedBy(e, derive)
        # a member rests on its quantity; a gap on the quantities of the nearest members before and
        # after it
        rows = quantities_of[r["series_id"]]
        k = rows.index(r)
        used = (
            [r["quantity_id"]]
            if r["quantity_id"]
            else [
                next(x["quantity_id"] for x in reversed(rows[:k]) if x["quantity_id"]),
                next(x["quantity_id"] for x in rows[k + 1 :] if x["quantity_id"]),
            ]
        )
        for q in used:
            doc.wasDerivedFrom(e, f"sin:quantity/{q}", activity=derive)
    return json.loads(doc.serialize(format="json"))


def _normal(graph: dict) -> dict:
    """Relations as sorted lists of their attributes (their blank-node names carry no meaning)."""
    out = {}
    for kind, records in graph.items():
        if kind in ("prefix", "entity", "activity"):
            out[kind] = records
        else:
            out[kind] = sorted(json.dumps(r, sort_keys=True) for r in records.values())
    return out


def test_provenance_file_is_the_graph_the_prov_library_builds_and_reads():
    from prov.model import ProvDocument

    from stopitnow_figures.tables.paths import PUBLISHED_TABLES

    tables = {n: read_csv(ROOT / "processed" / f"{n}.csv") for n in PUBLISHED_TABLES}
    text = (ROOT / "processed" / "provenance.json").read_text()
    assert _normal(json.loads(text)) == _normal(_prov_library_graph(tables))
    doc = ProvDocument.deserialize(content=text, format="json")
    assert doc.get_record("sin:figure/herald-2017-scotland-f04")
    pairs = {
        (d["prov:generatedEntity"], d["prov:usedEntity"])
        for d in json.loads(text)["wasDerivedFrom"].values()
    }
    assert ("sin:figure/herald-2017-scotland-f04", "sin:source/herald-2017-scotland") in pairs
    assert (
        "sin:metric/herald-calls-per-month",
        "sin:quantity/scotland-2016-helpline-own-calls",
    ) in pairs
    assert (
        "sin:quantity/scotland-2016-helpline-own-calls",
        "sin:figure/herald-2017-scotland-f04",
    ) in pairs
    assert (
        "sin:quantity/glasgow-2015-16-website-visitors",
        "sin:identity/evening-times-glasgow-total-of-its-periods",
    ) in pairs
    for r in tables["series"]:  # every row of a series rests on a quantity of it
        assert any(
            g == f"sin:series-member/{r['member_id']}" and u.startswith("sin:quantity/")
            for g, u in pairs
        )
