"""The published package: frictionless validation, hashes, Data Package 2.0 profile."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pytest

from conftest import BIN, ROOT, SHARED


def test_frictionless_validates_the_package():
    out = subprocess.run([str(BIN / "frictionless"), "validate", "--json", "datapackage.json"], cwd=ROOT, capture_output=True, text=True)
    report = json.loads(out.stdout)
    assert report["valid"] is True, out.stdout[:2000]
    assert out.returncode == 0


def test_every_resource_hash_and_bytes_match_its_file():
    dp = json.loads((ROOT / "datapackage.json").read_text())
    assert [r["name"] for r in dp["resources"]] == ["sources", "figures", "derived", "claims", "population"]
    for r in dp["resources"]:
        data = (ROOT / r["path"]).read_bytes()
        assert r["bytes"] == len(data)
        assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_schemas_are_copied_from_schemas_dir_not_rewritten():
    dp = json.loads((ROOT / "datapackage.json").read_text())
    for r in dp["resources"]:
        src = json.loads((ROOT / "schemas" / f"{r['name']}.schema.json").read_text())
        assert [f for f in r["schema"]["fields"]] == src["fields"]
        assert r["schema"]["primaryKey"] == src["primaryKey"]


def test_metadata_the_owner_asked_for():
    dp = json.loads((ROOT / "datapackage.json").read_text())
    assert dp["name"] == "stopitnow-figures"
    assert dp["created"] == "2026-11-21T00:00:00Z"  # the CHANGELOG date of 0.1.0, not the clock
    assert {lic["name"] for lic in dp["licenses"]} == {"CC-BY-4.0", "MIT"}
    assert "copyright" in dp["stopitnow:quotesNotice"]
    assert any("heraldscotland.com" in s.get("path", "") for s in dp["sources"])
    assert any(s["title"].startswith("National Records of Scotland") for s in dp["sources"])


@pytest.mark.skipif(not (SHARED / "profiles" / "datapackage-2.0").exists(), reason="shared profiles absent")
def test_descriptor_validates_against_the_data_package_2_profile():
    import jsonschema

    profile = json.loads((SHARED / "profiles" / "datapackage-2.0" / "datapackage.json").read_text())
    jsonschema.validate(json.loads((ROOT / "datapackage.json").read_text()), profile)


def test_provenance_graph_is_prov_json_with_every_figure_derived_from_its_article():
    from prov.model import ProvDocument

    text = (ROOT / "processed" / "provenance.json").read_text()
    doc = ProvDocument.deserialize(content=text, format="json")
    assert doc.get_record("sin:figure/herald-2017-scotland-f04")
    raw = json.loads(text)
    pairs = {(d["prov:generatedEntity"], d["prov:usedEntity"]) for d in raw["wasDerivedFrom"].values()}
    assert ("sin:figure/herald-2017-scotland-f04", "sin:source/herald-2017-scotland") in pairs
    assert ("sin:metric/herald-share-scotland-calls", "sin:figure/herald-2017-scotland-f06") in pairs
