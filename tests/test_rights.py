"""Rights, written from the data: every resource carries its licence, every resource that quotes the
sources says the quotes are not the project's to license, and LICENSE-DATA, the descriptor and the
datasheet name every publisher of a published source (not a list typed once and left to go stale)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, read_csv

pytestmark = pytest.mark.data  # reads the real package: run again on a copy with an article added

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
PUBLISHERS = sorted({s["publisher"] for s in read_csv(ROOT / "processed" / "sources.csv")})


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_resource_carries_the_data_licence():
    data_licence = DESCRIPTOR["licenses"][0]
    assert data_licence["name"] == "CC-BY-4.0"
    for res in DESCRIPTOR["resources"]:
        assert res["licenses"] == [data_licence], res["name"]


def test_every_resource_that_quotes_the_sources_says_whose_the_quotes_are():
    quoting = [
        r
        for r in DESCRIPTOR["resources"]
        if any(f.get("stopitnow:quotesSources") for f in r.get("schema", {}).get("fields", []))
    ]
    # the article's own words are the quote of each figure and the headline of each source
    assert {"figures", "sources"} <= {r["name"] for r in quoting}
    for res in DESCRIPTOR["resources"]:
        rights = res.get("stopitnow:rights")
        if res in quoting:
            assert rights and "not covered by the licences above" in rights
            missing = [p for p in PUBLISHERS if p not in rights]
            assert missing == [], f"{res['name']}'s rights do not name {missing}"
        else:
            assert rights is None, res["name"]


def test_license_data_and_the_datasheet_name_every_publisher():
    license_data = _flat((ROOT / "LICENSE-DATA").read_text(encoding="utf-8"))
    datasheet = _flat((ROOT / "processed" / "datasheet.md").read_text(encoding="utf-8"))
    for text, name in ((license_data, "LICENSE-DATA"), (datasheet, "datasheet")):
        missing = [p for p in PUBLISHERS if p.replace("&", "&amp;") not in text and p not in text]
        assert missing == [], f"{name} does not name {missing}"
    assert "raw/sources/" in license_data and "not licensed by this project" in license_data


def test_every_article_page_says_whose_text_it_shows():
    for s in read_csv(ROOT / "processed" / "sources.csv"):
        page = (ROOT / "processed" / "reader" / f"{s['source_id']}.html").read_text(
            encoding="utf-8"
        )
        rights = page.split('id="rights">', 1)[1].split("</p>", 1)[0]
        publisher = s["publisher"].replace("&", "&amp;")
        assert f"stays with {publisher}." in rights, s["source_id"]
        assert "not licensed by this project" in rights
