"""Rights, written from the data: every resource carries its licence, every resource that quotes the
sources says the quotes are not the project's to license, and LICENSE-DATA, the descriptor and the
datasheet name every publisher of a published source (not a list typed once and left to go
stale)."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, read_csv

pytestmark = pytest.mark.data  # reads the real package: run again on a copy with an article added

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
PUBLISHERS = sorted({s["publisher"] for s in read_csv(ROOT / "processed" / "sources.csv")})


def _flat(text: str) -> str:
    return " ".join(text.split())


RESOURCES = DESCRIPTOR["resources"] + DESCRIPTOR.get("stopitnow:files", [])


def test_every_resource_and_file_carries_the_data_licence():
    data_licence = DESCRIPTOR["licenses"][0]
    assert data_licence["name"] == "CC-BY-4.0"
    for res in RESOURCES:
        assert res["licenses"] == [data_licence], res["name"]


def test_every_file_that_shows_the_sources_words_says_whose_they_are():
    by_path = {r["path"]: r for r in RESOURCES}
    sources = read_csv(ROOT / "processed" / "sources.csv")
    # the article's own words: the quote of each figure, the headline of each source, the text on
    # each article page
    showing = ["processed/figures.csv", "processed/sources.csv"]
    showing += [f"processed/reader/{s['source_id']}.html" for s in sources]
    for path in showing:
        rights = by_path[path].get("stopitnow:rights")
        assert rights and "not covered by the licences above" in rights, path
        missing = [p for p in PUBLISHERS if p not in rights]
        assert missing == [], f"{path}'s rights do not name {missing}"
    # a chart, the metrics and the population table hold no words of the sources
    quiet = [r for r in RESOURCES if r["path"].endswith((".svg", ".png", "metrics.json"))]
    quiet += [by_path["processed/population.csv"]]
    assert quiet and all("stopitnow:rights" not in r for r in quiet)


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
