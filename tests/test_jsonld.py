"""The reader view's index carries the package as a schema.org Dataset in JSON-LD, read here by a
real JSON-LD parser (rdflib's json-ld plugin) with the copy of the schema.org context shipped in
tests/contexts/ (schema.org release 30.0, data/releases/30.0/schemaorgcontext.jsonld of
github.com/schemaorg/schemaorg): nothing is fetched."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from conftest import ROOT
from stopitnow_figures.render.pages import relative_to_reader

CONTEXT = json.loads(
    (ROOT / "tests" / "contexts" / "schemaorgcontext.jsonld").read_text(encoding="utf-8")
)
INDEX = ROOT / "processed" / "reader" / "index.html"


class Scripts(HTMLParser):
    """The text of each <script type="application/ld+json"> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        self._in = tag == "script" and ("type", "application/ld+json") in attrs
        if self._in:
            self.found.append("")

    def handle_endtag(self, tag):
        self._in = False

    def handle_data(self, data):
        if self._in:
            self.found[-1] += data


def graph_of(page: Path):
    """The page's JSON-LD as an RDF graph, its schema.org context read from the shipped copy."""
    from rdflib import Graph

    parser = Scripts()
    parser.feed(page.read_text(encoding="utf-8"))
    assert len(parser.found) == 1
    doc = json.loads(parser.found[0])
    assert doc["@context"] == "https://schema.org"  # the address dataset search knows it by
    doc["@context"] = CONTEXT["@context"]
    return Graph().parse(data=json.dumps(doc), format="json-ld", base=page.as_uri())


def test_a_path_from_the_root_is_linked_from_the_reader_folder():
    # processed/reader/index.html is two folders down: up twice to the root
    assert relative_to_reader("processed/figures.csv") == "../../processed/figures.csv"
    assert relative_to_reader("datapackage.json") == "../../datapackage.json"


@pytest.mark.data
def test_the_index_is_a_schema_org_dataset_whose_every_download_exists():
    from rdflib import RDF, Literal, Namespace

    sdo = Namespace("http://schema.org/")
    g = graph_of(INDEX)
    datasets = list(g.subjects(RDF.type, sdo.Dataset))
    assert len(datasets) == 1
    ds = datasets[0]
    meta = yaml.safe_load((ROOT / "package.yaml").read_text(encoding="utf-8"))
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert g.value(ds, sdo.version) == Literal(meta["version"])
    assert str(g.value(ds, sdo.name)) == descriptor["title"]
    assert str(g.value(ds, sdo.description)) == descriptor["description"]
    assert str(g.value(ds, sdo.license)) == descriptor["licenses"][0]["path"]
    creators = [str(g.value(c, sdo.name)) for c in g.objects(ds, sdo.creator)]
    assert creators and all(creators)
    # the periods: from the first start to the last end of the figures' periods
    starts, ends = zip(*(_periods()), strict=True)
    assert str(g.value(ds, sdo.temporalCoverage)) == f"{min(starts)}/{max(ends)}"
    places = {str(g.value(p, sdo.identifier)) for p in g.objects(ds, sdo.spatialCoverage)}
    assert places == {r["geography_code"] for r in _rows("geographies")}
    downloads = list(g.objects(ds, sdo.distribution))
    assert downloads
    files = set()
    for d in downloads:
        assert (d, RDF.type, sdo.DataDownload) in g
        assert "/" in str(g.value(d, sdo.encodingFormat))
        url = urlsplit(str(g.value(d, sdo.contentUrl)))
        assert url.scheme == "file"  # relative, so resolved against the page's own address
        path = Path(unquote(url.path))
        assert path.is_file(), path
        files.add(path.relative_to(ROOT).as_posix())
    # every table and the descriptor are offered
    assert {r["path"] for r in descriptor["resources"] if "schema" in r} | {
        "datapackage.json"
    } <= files


def _rows(name: str) -> list[dict]:
    import csv

    with open(ROOT / "processed" / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _periods() -> list[tuple[str, str]]:
    return [
        (f["period_start"], f["period_end"])
        for f in _rows("figures")
        if f["period_start"] and f["period_end"]
    ]
