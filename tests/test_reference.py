"""The reference tables: every row of raw/reference/population.csv names its publisher, its table,
the address of the release it was read from and how it was read (DESIGN: "a reference row names
publisher, table, the release's address and how the value was read")."""

from __future__ import annotations

from conftest import ROOT
from stopitnow_figures.tables import vocab
from stopitnow_figures.tables.schema import check_frame

SCHEMA = ROOT / "schemas" / "population.schema.json"
ROW = {
    "population_id": "pop-test-2016",
    "geography": "Scotland",
    "geography_code": "S92000003",
    "year": "2016",
    "value": "5404700",
    "publisher": "National Records of Scotland",
    "table": "Mid-Year Population Estimates Scotland, Mid-2016",
    "url": "https://www.nrscotland.gov.uk/",
    "certainty": "confirmed",
    "note": "Read from the release's main points.",
}


def _found(**cells: str) -> set[tuple[str, str]]:
    rows = [ROW | cells]
    return {
        (p.type, p.column)
        for p in check_frame(
            rows, SCHEMA, "population", "raw/reference/population.csv", vocabulary=vocab.load()
        )
    }


def test_a_full_reference_row_passes():
    assert _found() == set()


def test_a_reference_row_without_its_address_or_its_reading_is_refused():
    assert ("required", "url") in _found(url="")
    assert ("pattern", "url") in _found(
        url="www.nrscotland.gov.uk"
    )  # an address a reader can follow: http(s)
    assert ("required", "note") in _found(note="")
