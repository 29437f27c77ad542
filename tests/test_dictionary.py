"""The data dictionary, generated from schemas/: every field of every published table with its
type, unit, constraints and description, as a reader-view page and a section of the datasheet."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from conftest import ROOT
from stopitnow_figures.render import datasheet, prose
from stopitnow_figures.tables.paths import PUBLISHED_TABLES


def test_each_field_in_words():
    schema = {
        "primaryKey": ["x_id"],
        "fields": [
            {
                "name": "x_id",
                "type": "string",
                "description": "Its id.",
                "constraints": {"required": True, "unique": True, "pattern": "^[a-z]+$"},
            },
            {"name": "when", "type": "date", "format": "default", "description": "A day."},
            {
                "name": "n",
                "type": "number",
                "unit": "people",
                "description": "How many.",
                "constraints": {"enum": [1, 2], "minimum": 0},
            },
        ],
    }
    (entry,) = prose.dictionary([("x", schema)])
    assert (entry["table"], entry["primary_key"]) == ("x", "x_id")
    # the words, written out by hand from the constraints above
    assert entry["fields"] == [
        {
            "name": "x_id",
            "type": "string",
            "unit": "",
            "constraints": "required; unique; matches ^[a-z]+$",
            "description": "Its id.",
        },
        {
            "name": "when",
            "type": "date (default)",
            "unit": "",
            "constraints": "",
            "description": "A day.",
        },
        {
            "name": "n",
            "type": "number",
            "unit": "people",
            "constraints": "one of 1, 2; at least 0",
            "description": "How many.",
        },
    ]


def test_the_datasheet_writes_a_pattern_as_code():
    # a backslash outside a code span is Markdown's escape: "\\+" would show as "+"
    descriptor = {
        "resources": [
            {
                "name": "t",
                "schema": {
                    "fields": [
                        {
                            "name": "c",
                            "type": "string",
                            "description": "d",
                            "constraints": {"pattern": "^a(\\+b)*$"},
                        }
                    ]
                },
            },
            {"name": "t-html", "path": "t.html"},  # a file that is not a table: no section
        ]
    }
    assert datasheet.dictionary_rows(descriptor) == [
        ("t", "", [["c", "string", "", "matches `^a(\\+b)*$`", "d"]])
    ]


def test_the_datasheet_section_escapes_what_it_prints():
    schema = {"fields": [{"name": "a", "type": "string", "description": "<b>x</b> | y"}]}
    rows = [list(f.values()) for f in prose.dictionary([("t", schema)])[0]["fields"]]
    text = datasheet.markup_escaped(datasheet.markdown_table(["f", "t", "u", "c", "d"], rows))
    assert "&lt;b&gt;x&lt;/b&gt; \\| y" in text and "<b>" not in text


def schemas() -> dict[str, dict]:
    return {
        name: json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        for name in PUBLISHED_TABLES
    }


class Rows(HTMLParser):
    """The text of each cell of each table row with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._row: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = dict(attrs).get("id")
            if self._row:
                self.rows[self._row] = []
        elif tag in ("td", "th") and self._row:
            self.rows[self._row].append("")

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._row and self.rows[self._row]:
            self.rows[self._row][-1] += data


@pytest.mark.data
def test_every_field_of_every_schema_is_on_the_dictionary_page_with_its_type_and_description():
    page = Rows()
    page.feed((ROOT / "processed" / "reader" / "dictionary.html").read_text(encoding="utf-8"))
    for table, schema in schemas().items():
        for f in schema["fields"]:
            cells = page.rows[f"{table}.{f['name']}"]
            assert cells[0] == f["name"] and cells[1].split(" (")[0] == f["type"]
            assert cells[4] == f["description"]


@pytest.mark.data
def test_every_field_of_every_schema_is_in_the_datasheet_with_its_type_and_description():
    text = (ROOT / "processed" / "datasheet.md").read_text(encoding="utf-8")
    section = text[text.index("## Data dictionary") :]
    for table, schema in schemas().items():
        part = section[section.index(f"### {table}\n") :].split("\n### ")[0]
        lines = [line for line in part.splitlines() if line.startswith("| ")]
        by_name = {line.split(" | ")[0][2:]: line for line in lines}
        for f in schema["fields"]:
            line = by_name[f["name"]]
            assert f"| {f['type']}" in line
            escaped = f["description"].replace("&", "&amp;").replace("<", "&lt;")
            assert escaped.replace(">", "&gt;").replace("|", "\\|") in line
