"""Prose that follows the data: the package's title, description, resource titles and datasheet say
how many sources of which kinds, by whom and from which years, as the published tables give them;
package.yaml types no count or year. The checks extract every count and year from the texts and
recompute them from the tables."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter

import pytest
import yaml

from conftest import ROOT, read_csv
from numwords import UNITS as NUMBER_WORDS
from stopitnow_figures.render import datasheet, prose
from stopitnow_figures.tables import config, vocab
from stopitnow_figures.tables.errors import Collector
from stopitnow_figures.tables.paths import Paths

VOCAB = vocab.load()
# the rate base: a number of params.yaml, not of the data, which the descriptions name
RATE_PER = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["derive"]["rate_per"]
YEAR = r"(?:19|20)\d\d"
NUMBER = r"\d[\d,]*|" + "|".join(NUMBER_WORDS)
COUNT = r"\d[\d,]*|" + "|".join(
    w for w in NUMBER_WORDS if w != "one"
)  # "one source is one quantity" counts nothing
# what a count in the prose counts, and the words that name it
COUNTED = {
    "sources": r"(?:[a-z]+ ){0,2}(?:articles?|sources?|releases?|annual reports?|statistics)",
    "publishers": r"publishers?",
    "figures": r"figures?",
    "quantities": r"quantit(?:y|ies)",
    "identities": r"identit(?:y|ies)",
    "claims": r"claims?",
    "derived": r"derived metrics?",
}


def _number(word: str) -> int:
    word = word.lower()  # the patterns match in any case ("Two figures" starts a sentence)
    return NUMBER_WORDS.index(word) if word in NUMBER_WORDS else int(word.replace(",", ""))


def plain(text: str) -> str:
    """The text without what quotes a source or names an id: code spans, quoted words, links and
    images."""
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\"[^\"]*\"|“[^”]*”", " ", text)
    return re.sub(r"!?\[[^\]]*\]\([^)]*\)", " ", text)


def stated(text: str) -> dict:
    """What a text states of the package: its year ranges, its single years, and its counts by what
    they count."""
    text = plain(text)
    ranges = {
        (int(a), int(b))
        for a, b in re.findall(rf"\b({YEAR})\s*(?:-|–|to)\s*({YEAR})\b(?!-\d)", text)
    }
    ranges |= {(int(a), int(b)) for a, b in re.findall(rf"\bbetween ({YEAR}) and ({YEAR})\b", text)}
    years = {int(y) for y in re.findall(rf"(?<![\d-])({YEAR})(?![\d-])", text)}
    counts = {
        what: {_number(n) for n in re.findall(rf"\b({COUNT}) (?:more )?{words}\b", text, re.I)}
        for what, words in COUNTED.items()
    }
    return {"ranges": ranges, "years": years, "counts": counts}


def produced(tables: dict[str, list[dict]]) -> dict:
    """The counts and years the tables give, recomputed here from their rows."""
    sources, figures = tables["sources"], tables["figures"]
    published = (
        min(int(s["published_earliest"][:4]) for s in sources),
        max(int(s["published_latest"][:4]) for s in sources),
    )
    starts = [f["period_start"] for f in figures if f["period_start"]]
    ends = [f["period_end"] for f in figures if f["period_end"]]
    periods = (int(min(starts)[:4]), int(max(ends)[:4])) if starts else None
    kinds = Counter(s.get("kind") or "article" for s in sources)
    mentioned = len({f["quantity_id"] for f in figures})
    quantities = len(tables.get("quantities", []))
    return {
        "ranges": {published} | ({periods} if periods else set()),
        "years": set(range(published[0], published[1] + 1))
        | (set(range(periods[0], periods[1] + 1)) if periods else set()),
        "counts": {
            "sources": {len(sources), *kinds.values()},
            "publishers": {len({s["publisher"] for s in sources})},
            "figures": {len(figures)},
            "quantities": {quantities, mentioned, quantities - mentioned},
            "identities": {len(tables.get("identities", []))},
            "claims": {len(tables.get("claims", []))},
            "derived": {len(tables.get("derived", []))},
        },
    }


def unproduced(text: str, tables: dict[str, list[dict]], every_number: bool = False) -> list[str]:
    """Each count or year range the text states that the tables do not produce (and, with
    ``every_number``, each number at all that is neither a year of the data nor one of its
    counts)."""
    said, made = stated(text), produced(tables)
    out = [f"the years {a}-{b}" for a, b in sorted(said["ranges"] - made["ranges"])]
    out += [f"the year {y}" for y in sorted(said["years"] - made["years"])]
    out += [
        f"{n} {what}"
        for what, ns in said["counts"].items()
        for n in sorted(ns - made["counts"][what])
    ]
    if every_number:
        allowed = made["years"] | {n for ns in made["counts"].values() for n in ns} | {RATE_PER}
        numbers = {_number(n) for n in re.findall(rf"\b({NUMBER})\b", plain(text), re.I)}
        out += [f"the number {n}" for n in sorted(numbers - allowed)]
    return out


def published_tables() -> dict[str, list[dict]]:
    return {
        n: read_csv(ROOT / "processed" / f"{n}.csv")
        for n in ("sources", "figures", "quantities", "identities", "claims", "derived")
    }


def sentences(markdown: str) -> list[str]:
    """The prose of a markdown page: its paragraphs, not its tables, headings or pictures."""
    blocks = [b.strip() for b in markdown.split("\n\n")]
    return [b for b in blocks if b and not b.startswith(("|", "#", "!["))]


# -- the published package -------------------------------------------------------------------------


@pytest.mark.data
def test_no_published_title_or_description_states_a_count_or_year_the_data_does_not_give():
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    tables = published_tables()
    texts = [
        descriptor["title"],
        descriptor["description"],
        *(r["title"] for r in descriptor["resources"] if "title" in r),
    ]
    assert {
        t: unproduced(t, tables, every_number=True)
        for t in texts
        if unproduced(t, tables, every_number=True)
    } == {}
    said = stated(descriptor["title"] + " " + descriptor["description"])
    assert (
        said["ranges"] or said["years"]
    )  # the years are said, so the check above has something to hold
    # the whole count is said (the counts by kind beside it are held by the check above, as every
    # count is)
    assert len(tables["sources"]) in said["counts"]["sources"]


@pytest.mark.data
def test_no_datasheet_sentence_states_a_count_or_year_range_the_data_does_not_give():
    text = (ROOT / "processed" / "datasheet.md").read_text(encoding="utf-8")
    tables = published_tables()
    problems = {s[:80]: unproduced(s, tables) for s in sentences(text) if unproduced(s, tables)}
    assert problems == {}
    assert stated(text)["counts"]["sources"]  # the datasheet says how many sources


@pytest.mark.data
def test_the_citation_files_and_the_reader_view_carry_the_title_the_data_gave():
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert (
        cff["title"] == zenodo["title"] == descriptor["title"]
        and cff["abstract"] == descriptor["description"]
    )
    index = (ROOT / "processed" / "reader" / "index.html").read_text(encoding="utf-8")
    assert f"<h1>{descriptor['title']}</h1>" in index
    assert unproduced(re.sub(r"<[^>]+>", " ", index.split("<h2")[0]), published_tables()) == []


def test_package_yaml_types_no_count_or_year_of_the_data():
    meta = yaml.safe_load((ROOT / "package.yaml").read_text(encoding="utf-8"))
    texts = [meta["title"], meta["description"], *meta["resource_titles"].values()]
    for text in texts:
        assert not re.search(rf"\b({NUMBER}|{YEAR})\b", plain(text), re.I), text


# -- a package with other sources ------------------------------------------------------------------


def fixture_tables() -> dict[str, list[dict]]:
    """Three sources of two kinds by two publishers, published in 2020 and 2021, with figures over
    2019-2021."""

    def source(sid: str, publisher: str, kind: str, earliest: str, latest: str) -> dict:
        return {
            "source_id": sid,
            "publisher": publisher,
            "kind": kind,
            "published_earliest": earliest,
            "published_latest": latest,
        }

    def figure(fid: str, sid: str, qid: str, start: str, end: str) -> dict:
        return {
            "figure_id": fid,
            "source_id": sid,
            "quantity_id": qid,
            "period_start": start,
            "period_end": end,
            "qualifier": "exact",
            "geography_code": "",
        }

    return {
        "sources": [
            source(
                "courier-2020-scotland", "The Courier", "news article", "2020-01-10", "2020-01-20"
            ),
            source(
                "courier-2021-scotland", "The Courier", "news article", "2021-03-01", "2021-03-01"
            ),
            source(
                "lff-2021-uk",
                "Lucy Faithfull Foundation",
                "charity release",
                "2021-04-01",
                "2021-04-30",
            ),
        ],
        "figures": [
            figure(
                "courier-2020-scotland-f01",
                "courier-2020-scotland",
                "q1",
                "2019-01-01",
                "2019-12-31",
            ),
            figure("lff-2021-uk-f01", "lff-2021-uk", "q2", "2020-04-01", "2021-03-31"),
        ],
        "quantities": [
            {
                "quantity_id": q,
                "status": "pinned",
                "value_basis": "pinned",
                "value": "1",
                "lower": "1",
                "upper": "1",
                "unit": "people",
            }
            | {
                "measure": "help_seekers",
                "counting": "distinct",
                "geography_code": "",
                "period_start": "",
                "mentions": "",
                "identities": "",
            }
            | {"conflict": "", "set_aside": "", "rate_note": "no place"}
            for q in ("q1", "q2", "q3")
        ],
        "identities": [],
        "claims": [],
        "derived": [],
        "population": [],
        "geographies": [],
    }


def test_the_fields_follow_a_package_of_other_sources_kinds_and_years():
    t = fixture_tables()
    words = prose.fields(
        prose.facts(
            t["sources"],
            [f["period_start"] for f in t["figures"]],
            [f["period_end"] for f in t["figures"]],
        )
    )
    # by hand: two news articles and one charity release, the most first; two publishers; 2020 to
    # 2021; periods 2019 to 2021
    assert words["sources"] == "three sources (two news articles and one charity release)"
    assert (words["source_count"], words["publisher_count"]) == ("three", "two")
    assert words["publishers"] == "Lucy Faithfull Foundation and The Courier"
    assert (words["published_years"], words["published_between"]) == (
        "2020-2021",
        "between 2020 and 2021",
    )
    assert (words["period_years"], words["period_between"]) == (
        "2019-2021",
        "between 2019 and 2021",
    )


def test_a_sources_table_without_kinds_calls_its_rows_articles_and_one_year_is_one_year():
    rows = [
        {
            "publisher": "The Courier",
            "published_earliest": "2022-05-01",
            "published_latest": "2022-05-02",
        }
    ]
    words = prose.fields(prose.facts(rows, ["2022-01-01"], ["2022-03-31"]))
    assert (words["sources"], words["published_years"], words["published_between"]) == (
        "one article",
        "2022",
        "in 2022",
    )


def test_the_package_yaml_templates_and_the_datasheet_follow_the_fixture_package():
    t = fixture_tables()
    meta = yaml.safe_load((ROOT / "package.yaml").read_text(encoding="utf-8"))
    facts = prose.facts(
        t["sources"],
        [f["period_start"] for f in t["figures"]],
        [f["period_end"] for f in t["figures"]],
        RATE_PER,
    )
    done = prose.complete(meta, facts)
    texts = [
        done["title"],
        done["description"],
        *done["resource_titles"].values(),
    ]
    notices = [done["quotes_notice"], done["license_data"]]  # name a licence's version (4.0)
    assert not any("{" in x or "}" in x for x in texts + notices)
    assert {
        x: unproduced(x, t, every_number=True) for x in texts if unproduced(x, t, every_number=True)
    } == {}
    assert {x: unproduced(x, t) for x in notices if unproduced(x, t)} == {}
    assert (
        done["title"].endswith("2020-2021")
        and "three sources (two news articles and one charity release)" in done["description"]
    )
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    descriptor = {
        "title": done["title"],
        "version": "9.9.9",
        "created": "2022-01-01T00:00:00Z",
        "licenses": meta["licenses"],
        "stopitnow:quotesNotice": done["quotes_notice"],
    }
    descriptor["resources"] = [{"name": n} for n in t if n in done["resource_titles"]]
    sheet = datasheet.render(VOCAB, descriptor, t, [], [], params["clean"])
    assert {s[:80]: unproduced(s, t) for s in sentences(sheet) if unproduced(s, t)} == {}
    assert (
        "three sources (two news articles and one charity release), published between 2020 and 2021"
        in sheet
    )


def test_the_check_finds_a_text_that_states_what_the_data_does_not_give():
    t = fixture_tables()
    wrong = "Every number in five UK news articles (2016-2019), by four publishers, in 51 figures."
    assert unproduced(wrong, t) == [
        "the years 2016-2019",
        "5 sources",
        "4 publishers",
        "51 figures",
    ]
    assert unproduced("Figures of 2018, between 2016 and 2019.", t) == [
        "the years 2016-2019",
        "the year 2016",
        "the year 2018",
    ]


# -- package.yaml's templates, checked as it is read -----------------------------------------------


@pytest.mark.parametrize(
    ("title", "why"),
    [
        ("Figures, UK {years}", "unknown field {years}"),
        ("Figures, UK {published_years:>10}", "unknown field {published_years}"),
        ("Figures {of the UK", "expected '}' before end of string (write a brace as {{ or }})"),
    ],
)
def test_a_template_with_a_field_prose_does_not_fill_is_a_located_problem(tmp_path, title, why):
    text = (ROOT / "package.yaml").read_text(encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("title: "))
    lines = text.splitlines(keepends=True)
    lines[line - 1] = f"title: {json.dumps(title)}\n"
    (tmp_path / "package.yaml").write_text("".join(lines), encoding="utf-8")
    shutil.copytree(ROOT / "schemas" / "config", tmp_path / "schemas" / "config")
    problems = Collector()
    assert config.read(Paths(tmp_path), "package", problems) == {}
    (p,) = problems.problems
    assert (p.type, p.line, p.column, p.value) == (
        "bad-config",
        line,
        "title",
        title,
    ) and why in p.message


def test_descriptions_of_rates_follow_params_rate_per():
    """`dvc exp run -S derive.rate_per=1000`: package.yaml's descriptions, filled with a rate base
    of 1000, say "per 1,000" wherever they speak of the rate, and no "100,000" is left (the figure
    the project's params give, which the templates must not type)."""
    t = fixture_tables()
    meta = config.load(Paths(ROOT), "package")
    starts, ends = ([f[k] for f in t["figures"]] for k in ("period_start", "period_end"))
    texts = {}
    for base in (1000, 100000):
        done = prose.complete(meta, prose.facts(t["sources"], starts, ends, base))
        texts[base] = [done["title"], done["description"], *done["resource_titles"].values()]
    rates = [x for x in texts[1000] if re.search(r"\brates? per\b", x)]
    assert rates  # the descriptions speak of the rate, so the checks below hold something
    assert all(re.search(r"\brates? per 1,000 people\b", x) for x in rates)
    assert not any("100,000" in x or "100000" in x for x in texts[1000])
    assert all("per 100,000 people" in x for x in texts[100000] if re.search(r"rates? per", x))
