""".zenodo.json in the form Zenodo's own documentation gives its deposit metadata, checked against
schemas/zenodo/deposit-metadata.schema.json (written from that documentation; its $comment says
where from)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import ROOT
from stopitnow_figures.render.citation import zenodo_text

SCHEMA = json.loads(
    (ROOT / "schemas" / "zenodo" / "deposit-metadata.schema.json").read_text(encoding="utf-8")
)
META = {
    "title": "A title",
    "description": "A description.",
    "version": "1.2.3",
    "contributors": [{"title": "Some maintainers", "roles": ["creator"]}],
    "keywords": ["a", "b"],
    "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
}


def errors(record: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return sorted(e.message for e in validator.iter_errors(record))


def test_the_writer_gives_zenodo_deposit_metadata_with_a_lower_case_spdx_licence():
    record = json.loads(zenodo_text(META, [], "2026-01-02"))
    assert errors(record) == []
    # package.yaml's SPDX id CC-BY-4.0, as Zenodo's licence vocabulary writes it
    assert (record["license"], record["access_right"], record["upload_type"]) == (
        "cc-by-4.0",
        "open",
        "dataset",
    )


def test_the_schema_refuses_what_zenodo_does_not_take():
    good = json.loads(zenodo_text(META, [], "2026-01-02"))
    assert errors(good | {"license": "CC-BY-4.0"})  # an upper-case id is not Zenodo's
    assert errors({k: v for k, v in good.items() if k != "license"})  # open needs a licence
    assert errors(good | {"upload_type": "data"})
    assert errors(good | {"publication_date": "2 January 2026"})


@pytest.mark.data
def test_the_published_zenodo_json_is_valid_deposit_metadata():
    record = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert errors(record) == []
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert record["version"] == descriptor["version"]
