"""The descriptor's resources for files that are not tables (``publishing.descriptor``): rules
held on small inline fixtures."""

from __future__ import annotations

from stopitnow_figures.publishing import descriptor


def test_each_file_not_yet_listed_becomes_a_resource_in_path_order_never_the_descriptor():
    table = {"name": "figures", "path": "processed/figures.csv", "schema": {"fields": []}}
    files = {
        "processed/figures.csv": (10, "a" * 64),  # a table already listed: left as it is
        "processed/reader/index.html": (3, "b" * 64),
        "processed/charts/claims.svg": (4, "c" * 64),
        "CITATION.cff": (5, "d" * 64),
        ".zenodo.json": (6, "e" * 64),
        "datapackage.json": (7, "f" * 64),  # its own hash cannot be inside it
    }
    licences = [{"name": "CC-BY-4.0"}, {"name": "MIT"}]
    core = {"name": "p", "licenses": licences, "stopitnow:quotesNotice": "N", "resources": [table]}
    done = descriptor.completed(core, files)
    assert done["resources"][0] is table
    # written out by hand: sorted paths, names from the path below processed/ with the suffix
    assert [(r["name"], r["path"], r["mediatype"], r["bytes"]) for r in done["resources"][1:]] == [
        ("citation-cff", "CITATION.cff", "application/yaml", 5),
        ("charts-claims-svg", "processed/charts/claims.svg", "image/svg+xml", 4),
        ("reader-index-html", "processed/reader/index.html", "text/html", 3),
    ]
    assert done["resources"][-1]["hash"] == "sha256:" + "b" * 64
    # a hidden file's path is refused by the Data Package 2.0 profile: listed beside, in one form
    assert done["stopitnow:files"] == [
        {
            "name": "zenodo-json",
            "path": ".zenodo.json",
            "format": "json",
            "mediatype": "application/json",
            "bytes": 6,
            "hash": "sha256:" + "e" * 64,
            "licenses": licences[:1],
        }
    ]
    # each file carries the data licence; a page of the reader view shows the sources' words
    assert all(r["licenses"] == licences[:1] for r in done["resources"][1:])
    rights = {r["path"]: r.get("stopitnow:rights") for r in done["resources"][1:]}
    assert rights == {
        "CITATION.cff": None,
        "processed/charts/claims.svg": None,
        "processed/reader/index.html": "N",
    }
    assert done["name"] == "p"


def test_a_file_resource_name_never_takes_a_table_name():
    assert descriptor.resource_name("processed/figures.parquet") == "figures-parquet"
    assert descriptor.resource_name("processed/figures.csv") != "figures"
    assert descriptor.media_type("processed/x.unknown") == "application/octet-stream"
