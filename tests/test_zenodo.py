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


def test_the_writer_gives_zenodo_deposit_metadata_with_a_licence_id_of_zenodos_form():
    record = json.loads(zenodo_text(META, [], "2026-01-02"))
    assert errors(record) == []
    # package.yaml's SPDX id CC-BY-4.0 as Zenodo's licence vocabulary writes its ids (lower case;
    # the schema's $comment says where that is documented)
    assert (record["license"], record["access_right"], record["upload_type"]) == (
        "cc-by-4.0",
        "open",
        "dataset",
    )


def without(record: dict, key: str) -> dict:
    return {k: v for k, v in record.items() if k != key}


def test_the_schema_refuses_what_zenodo_does_not_take():
    good = json.loads(zenodo_text(META, [], "2026-01-02"))
    assert errors(good | {"license": "CC-BY-4.0"})  # not the form of Zenodo's licence ids
    assert errors(good | {"license": "CC BY 4.0"})
    assert errors(without(good, "license"))  # open access needs a licence
    assert errors(good | {"upload_type": "data"})
    assert errors(good | {"publication_date": "2 January 2026"})


@pytest.mark.parametrize(
    "key", ["upload_type", "publication_date", "title", "creators", "description", "access_right"]
)
def test_the_schema_refuses_a_record_without_a_key_the_table_marks_required(key):
    # the six attributes of Zenodo's 'Deposit metadata' table whose Required cell is "Yes"
    good = json.loads(zenodo_text(META, [], "2026-01-02"))
    assert errors(without(good, key))


def test_the_schema_holds_the_tables_conditions_and_refuses_other_keys():
    good = json.loads(zenodo_text(META, [], "2026-01-02"))
    closed = without(good, "license") | {"access_right": "closed"}
    assert errors(closed) == []  # a licence is required for open or embargoed access only
    assert errors(good | {"access_right": "embargoed"})  # needs an embargo_date
    assert errors(good | {"access_right": "embargoed", "embargo_date": "2027-01-01"}) == []
    assert errors(good | {"upload_type": "publication"})  # needs a publication_type
    assert errors(good | {"upload_type": "publication", "publication_type": "report"}) == []
    assert errors(good | {"licence": "cc-by-4.0"})  # a key the table does not have
    linked = {"identifier": "https://example.org/a", "relation": "isDerivedFrom"}
    assert errors(good | {"related_identifiers": [linked | {"resource_type": "dataset"}]}) == []
    assert errors(good | {"related_identifiers": [linked | {"resource_type": "dataset-x"}]})
    assert errors(good | {"related_identifiers": [linked | {"relation": "derivedFrom"}]})


@pytest.mark.data
def test_the_published_zenodo_json_is_valid_deposit_metadata():
    record = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert errors(record) == []
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert record["version"] == descriptor["version"]
