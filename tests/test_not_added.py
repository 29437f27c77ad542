"""The pages found and not added (raw/pages_not_added.csv) are listed by the datasheet with their
reason, and none of them is a source already in the package."""

from __future__ import annotations

import pytest

from conftest import ROOT, read_csv
from stopitnow_figures.render.datasheet import not_added_rows

PAGE = {
    "url": "https://example.org/a",
    "publisher": "Example & Co",
    "published_earliest": "2019-01-01",
    "published_latest": "2019-06-30",
    "date_basis": "inferred",
    "reason": "not-yet-read",
    "note": "n",
}


def test_a_page_is_listed_with_its_window_publisher_reason_and_address():
    undated = PAGE | {
        "url": "https://example.org/b",
        "published_earliest": "",
        "published_latest": "",
    }
    open_ended = PAGE | {"url": "https://example.org/c", "published_latest": ""}
    one_day = PAGE | {"url": "https://example.org/d", "published_latest": "2019-01-01"}
    rows = not_added_rows([undated, PAGE, open_ended, one_day])
    assert rows == [
        [
            "2019-01-01 to 2019-06-30 (inferred)",
            "Example & Co",
            "not-yet-read",
            "https://example.org/a",
        ],
        ["2019-01-01 to ? (inferred)", "Example & Co", "not-yet-read", "https://example.org/c"],
        ["2019-01-01 (inferred)", "Example & Co", "not-yet-read", "https://example.org/d"],
        ["unknown", "Example & Co", "not-yet-read", "https://example.org/b"],
    ]


@pytest.mark.data
def test_the_datasheet_lists_every_page_found_and_not_added():
    sheet = (ROOT / "processed" / "datasheet.md").read_text(encoding="utf-8")
    pages = read_csv(ROOT / "raw" / "pages_not_added.csv")
    rows = [line for line in sheet.splitlines() if line.startswith("| ")]
    for p in pages:
        listed = [r for r in rows if f"| {p['url']} |" in r]
        assert len(listed) == 1, p["url"]
        assert f"| {p['reason']} |" in listed[0]


@pytest.mark.data
def test_no_page_not_added_is_a_source_already_in():
    sources = {s["url"].rstrip("/") for s in read_csv(ROOT / "processed" / "sources.csv")}
    assert [
        p["url"]
        for p in read_csv(ROOT / "raw" / "pages_not_added.csv")
        if p["url"].rstrip("/") in sources
    ] == []
