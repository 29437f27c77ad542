"""The datasheet carries no HTML from the data: rendered by a Markdown renderer that passes raw HTML
through (markdown-it-py with html on), a datasheet whose data holds markup has the very elements of
one whose data does not, and shows the markup as text."""

from __future__ import annotations

import csv
import json
from collections import Counter
from html.parser import HTMLParser

import yaml
from markdown_it import MarkdownIt

from conftest import ROOT
from stopitnow_figures.render import datasheet
from stopitnow_figures.tables import vocab

MARKUP = (
    ' X <img src=x onerror="alert(1)"><script>alert(2)</script><!-- hidden -->'
    '<a href="javascript:alert(3)">y</a> &amp;'
)
# the free text of the data the datasheet prints: names, titles, descriptions and notes (ids,
# vocabulary words, numbers and dates are checked against patterns before any stage writes them)
FREE_TEXT = {
    "sources": ["publisher", "headline"],
    "figures": ["as_written", "quote"],
    "quantities": [
        "description",
        "conflict",
        "set_aside",
        "rate_note",
        "lower_by",
        "upper_by",
        "note",
    ],
    "identities": ["note"],
    "claims": ["explanation", "stated", "computed"],
    "population": ["publisher"],
}


def _published() -> tuple[dict, dict, list[dict]]:
    tables = {}
    for path in sorted((ROOT / "processed").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            tables[path.stem] = list(csv.DictReader(fh))
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    results = json.loads((ROOT / "processed" / "quality.json").read_text(encoding="utf-8"))[
        "checkpoints"
    ]
    return tables, descriptor, results


def _render(tables: dict, descriptor: dict, results: list[dict]) -> str:
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    return datasheet.render(vocab.load(), descriptor, tables, results, [], params["clean"])


class _Elements(HTMLParser):
    """Every element of an HTML text, with its attributes, and every comment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: Counter = Counter()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found[(tag, tuple(sorted(attrs)))] += 1

    def handle_comment(self, data):
        self.found[("!--", data)] += 1

    def handle_data(self, data):
        self.text.append(data)


def _elements(markdown: str) -> tuple[Counter, str]:
    parser = _Elements()
    parser.feed(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))
    return parser.found, "".join(parser.text)


def test_markup_in_the_data_is_text_in_the_datasheet_never_an_element():
    tables, descriptor, results = _published()
    plain, _ = _elements(_render(tables, descriptor, results))
    for name, columns in FREE_TEXT.items():
        tables[name] = [
            r | {c: r[c] + MARKUP for c in columns if r[c]} for r in tables[name]
        ]  # (an empty cell stays empty)
    descriptor = descriptor | {"title": descriptor["title"] + MARKUP}
    sheet = _render(tables, descriptor, results)
    found, text = _elements(sheet)
    # the same elements: the data put none there. Only the number of plain table rows, cells and
    # list items may grow: conflict and set_aside are lists of ids split at spaces, so the markup's
    # words become more rows of a conflict's table, each shown as text.
    grows = {("tr", ()), ("td", ()), ("li", ())}
    assert set(found) == set(plain)
    assert {k: n for k, n in found.items() if k not in grows} == {
        k: n for k, n in plain.items() if k not in grows
    }
    assert 'X <img src=x onerror="alert(1)"><script>' in text  # the markup is shown as text
    assert "&amp;amp;" in sheet  # "&amp;" in the data is shown as written, not read as "&"


def test_what_the_datasheet_prints_escapes_exactly_the_three_characters_of_markup():
    # worked by hand: & first, so that the references it writes are not escaped again
    assert datasheet.markup_escaped("a<b>&\"c'|*") == "a&lt;b&gt;&amp;\"c'|*"
    assert datasheet.markup_escaped(12) == "12"


def test_the_published_datasheet_is_escaped_text():
    """The published datasheet is the escaped form of what it says: no bare < or >, and every & is
    one of the three references ``markup_escaped`` writes (the data dictionary's descriptions name
    paths such as raw/sources/<source_id>.txt)."""
    text = (ROOT / "processed" / "datasheet.md").read_text(encoding="utf-8")
    said = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert datasheet.markup_escaped(said) == text
