"""Citations: APA as plain text, BibTeX and biblatex escaped once and read back by a real BibTeX
parser (pybtex)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from pybtex.bibtex.utils import change_case
from pybtex.database import parse_string

from conftest import ROOT, by_id, package_version, read_csv
from stopitnow_figures.cli import main
from stopitnow_figures.render.citation import (
    LATEX_ESCAPES,
    bib_url,
    cite,
    cite_numbers,
    latex_escape,
    latex_unescape,
)
from stopitnow_figures.render.prose import as_published
from stopitnow_figures.render.trace import articles_of, kind_of, load, references_of, trace
from stopitnow_figures.tables import config
from stopitnow_figures.tables.paths import Paths

VERSION, RELEASED = package_version()

# the title as the package stage wrote it from the data (package.yaml's is a template)
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
TITLE = DESCRIPTOR["title"]
# the address package.yaml records (published_at), None until a maintainer records one: the real
# package's citations give it, and no address while there is none
HOME = config.homepage(config.load(Paths(ROOT), "package"))
AT = f" {HOME}" if HOME else ""
HERALD_URL = "http://www.heraldscotland.com/news/15082872.Dozens_of_Scots_call_helpline_seeking_help_for_child_porn_addiction/"

# every LaTeX special character (one brace unbalanced), and curly quotes, a pound sign, an accent
# and an en dash
HEADLINE = "“Help” calls up 50% & £1 fees – café #1_a $2 {x} \\y ~z ^w ‘ok’ :-}"
HEADLINE_TEX = (
    r"“Help” calls up 50\% \& £1 fees – café \#1\_a \$2 \textbraceleft{}x\textbraceright{} "
    r"\textbackslash{}y \textasciitilde{}z \textasciicircum{}w ‘ok’ :-\textbraceright{}"
)
PUBLISHER = "Smith & Jones_News {Ltd}"
PUBLISHER_TEX = r"Smith \& Jones\_News \textbraceleft{}Ltd\textbraceright{}"
ODD_URL = "https://example.org/news/a_b%20c?x=1&y=~z#top"
SPECIAL = {
    "source_id": "odd-2020-place",
    "publisher": PUBLISHER,
    "headline": HEADLINE,
    "url": ODD_URL,
    "published_earliest": "2020-01-02",
    "published_latest": "2020-03-04",
    "date_basis": "inferred",
}
# a title that opens with an escaped character, and holds the three OT1 misprints
META = {
    "title": "#1 Figures: <UK> | 2016–2019",
    "version": "0.1.0",
    "published_at": {
        "homepage": "https://example.org/pkg",
        "archive": "https://example.org/pkg/v{version}.zip",
    },
    "contributors": [{"title": "Stop It Now! figures maintainers"}],
}
META_TITLE_TEX = r"{}\#1 Figures: \textless{}UK\textgreater{} \textbar{} 2016–2019"


def parse(bib: str) -> dict:
    """Entries as pybtex reads them, authors kept as plain fields; pybtex raises on a repeated
    key."""
    entries = parse_string(bib, "bibtex", person_fields=[]).entries
    assert len(entries) == bib.count("\n@") + 1, "an entry was lost"
    return entries


def unprotect(value: str) -> str:
    """The text of a field written by _protected: one brace group, opened by {} where the text opens
    with a command."""
    assert value.startswith("{") and value.endswith("}"), value
    inner = value[1:-1]
    return latex_unescape(inner[2:] if inner.startswith("{}") else inner)


def cli(*args: str):
    return CliRunner().invoke(main, ["cite", "--root", str(ROOT), *args])


# --- the escaping function -------------------------------------------------


def test_latex_escape_writes_each_special_character_as_latex_and_keeps_utf8():
    assert latex_escape(HEADLINE) == HEADLINE_TEX
    assert latex_escape(PUBLISHER) == PUBLISHER_TEX
    assert latex_escape("<a> | b") == r"\textless{}a\textgreater{} \textbar{} b"
    assert latex_escape(r"\&") == r"\textbackslash{}\&"


@given(
    st.text(
        st.one_of(
            st.sampled_from(sorted(LATEX_ESCAPES)), st.characters(blacklist_categories=("Cs",))
        )
    )
)
def test_latex_unescape_undoes_latex_escape_on_any_text(text):
    assert latex_unescape(latex_escape(text)) == text


@given(
    st.text(
        st.one_of(
            st.sampled_from(sorted(LATEX_ESCAPES)), st.characters(blacklist_categories=("Cs",))
        )
    )
)
def test_escaped_text_has_balanced_braces_and_no_bare_special_character(text):
    out = latex_escape(text)
    depth = 0
    for i, ch in enumerate(out):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
        if ch in "&%$#_":
            assert out[i - 1] == "\\", out
        assert ch not in "~^<>|"
    assert depth == 0


def test_bib_url_keeps_a_valid_address_and_encodes_what_no_address_may_hold():
    assert bib_url(ODD_URL) == ODD_URL
    assert bib_url(HERALD_URL) == HERALD_URL
    assert bib_url("http://x.org/a b{c}\\d/é") == "http://x.org/a%20b%7Bc%7D%5Cd/%C3%A9"


# --- BibTeX and biblatex, by hand and through the parser -------------------


def test_bibtex_of_the_special_source_by_hand():
    assert cite(META, "2026-11-21", "bibtex", "odd-2020-place-f01", "figure", [SPECIAL]) == (
        "@misc{stopitnow-figures-0.1.0-odd-2020-place-f01,\n"
        "  author = {{Stop It Now! figures maintainers}},\n"
        f"  title = {{{{{META_TITLE_TEX}}}}},\n"
        "  year = {2026},\n"
        "  version = {0.1.0},\n"
        "  url = {https://example.org/pkg},\n"
        "  note = {Data package, version 0.1.0; figure odd-2020-place-f01}\n"
        "}\n"
        "\n"
        "@article{odd-2020-place,\n"
        f"  author = {{{{{PUBLISHER_TEX}}}}},\n"
        f"  title = {{{{{HEADLINE_TEX}}}}},\n"
        f"  journal = {{{PUBLISHER_TEX}}},\n"
        "  year = {2020},\n"
        f"  url = {{{ODD_URL}}},\n"
        "  note = {Publication date inferred: 2020-01-02 to 2020-03-04}\n"
        "}\n"
    )


def test_biblatex_of_the_special_source_by_hand():
    assert cite(META, "2026-11-21", "biblatex", "odd-2020-place-f01", "figure", [SPECIAL]) == (
        "@dataset{stopitnow-figures-0.1.0-odd-2020-place-f01,\n"
        "  author = {{Stop It Now! figures maintainers}},\n"
        f"  title = {{{{{META_TITLE_TEX}}}}},\n"
        "  date = {2026-11-21},\n"
        "  version = {0.1.0},\n"
        "  url = {https://example.org/pkg},\n"
        "  note = {Figure odd-2020-place-f01}\n"
        "}\n"
        "\n"
        "@article{odd-2020-place,\n"
        f"  author = {{{{{PUBLISHER_TEX}}}}},\n"
        f"  title = {{{{{HEADLINE_TEX}}}}},\n"
        f"  journaltitle = {{{PUBLISHER_TEX}}},\n"
        "  date = {2020-01-02/2020-03-04},\n"
        f"  url = {{{ODD_URL}}},\n"
        "  note = {Publication date inferred: 2020-01-02 to 2020-03-04}\n"
        "}\n"
    )


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_the_special_source_comes_back_from_a_real_bibtex_parser(fmt):
    package, article = parse(
        cite(META, "2026-11-21", fmt, "odd-2020-place-f01", "figure", [SPECIAL])
    ).values()
    assert (package.type, article.type) == (
        {"bibtex": "misc", "biblatex": "dataset"}[fmt],
        "article",
    )
    assert unprotect(package.fields["title"]) == META["title"]
    assert unprotect(article.fields["title"]) == HEADLINE
    assert unprotect(article.fields["author"]) == PUBLISHER
    assert (
        latex_unescape(article.fields["journal" if fmt == "bibtex" else "journaltitle"])
        == PUBLISHER
    )
    assert article.fields["url"] == ODD_URL
    # BibTeX's own case changing (change.case$, as a style applies it) leaves the braced title alone
    for field in (package.fields["title"], article.fields["title"], article.fields["author"]):
        assert change_case(field, "l") == field and change_case(field, "t") == field


def test_an_unbraced_title_would_be_lowered_by_a_style():
    """The check above can fail: without the braces change.case$ lowers the headline's capitals."""
    assert change_case("Dozens of Scots", "l") == "dozens of scots"
    assert (
        change_case(r"{\# Scots}", "l") == r"{\# scots}"
    )  # why a group opening with a command gets {} first


WORD = st.text(
    st.one_of(
        st.sampled_from(sorted(LATEX_ESCAPES)),
        st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    ),
    min_size=1,
).filter(lambda w: not any(c.isspace() for c in w))
# one line with single spaces: BibTeX (and pybtex) read any run of whitespace as one space
LINE = st.lists(WORD, min_size=1, max_size=5).map(" ".join)


@given(title=LINE, author=LINE, headline=LINE, publisher=LINE)
def test_any_one_line_text_comes_back_from_a_real_bibtex_parser(title, author, headline, publisher):
    meta = {**META, "title": title, "contributors": [{"title": author}]}
    source = {**SPECIAL, "headline": headline, "publisher": publisher}
    for fmt in ("bibtex", "biblatex"):
        package, article = parse(
            cite(meta, "2026-11-21", fmt, "odd-2020-place-f01", "figure", [source])
        ).values()
        assert (unprotect(package.fields["title"]), unprotect(package.fields["author"])) == (
            title,
            author,
        )
        assert (unprotect(article.fields["title"]), unprotect(article.fields["author"])) == (
            headline,
            publisher,
        )
        assert change_case(article.fields["title"], "l") == article.fields["title"]


def test_an_id_that_cannot_be_a_bibtex_key_is_refused():
    with pytest.raises(ValueError, match=r"'odd 2020, place' cannot be a BibTeX key"):
        cite(
            META,
            "2026-11-21",
            "bibtex",
            "odd-2020-place-f01",
            "figure",
            [{**SPECIAL, "source_id": "odd 2020, place"}],
        )


def test_apa_is_plain_text_and_prints_the_data_as_it_is():
    assert cite(META, "2026-11-21", "apa", "odd-2020-place-f01", "figure", [SPECIAL]) == (
        "Stop It Now! figures maintainers. (2026). #1 Figures: <UK> | 2016–2019 (Version 0.1.0) "
        "[Data set]. "
        "Figure odd-2020-place-f01. https://example.org/pkg\n"
        "Original source: Smith & Jones_News {Ltd}. (2020, January-March, date inferred). "
        f"{HEADLINE}. {ODD_URL}\n"
    )


# --- the cite command on the real package -----------------------------------


@pytest.mark.data
def test_cite_the_package():
    out = cli()
    assert (
        out.output
        == f"Stop It Now! figures maintainers. (2026). {TITLE} (Version {VERSION}) [Data set]."
        f"{AT}\n"
    )
    cff = cli("--format", "cff")
    assert cff.output == (ROOT / "CITATION.cff").read_text()


@pytest.mark.data
def test_cite_one_figure_with_its_article_as_primary_source():
    out = cli("herald-2017-scotland-f04")
    assert out.output == (
        f"Stop It Now! figures maintainers. (2026). {TITLE} (Version {VERSION}) [Data set]. Figure "
        f"herald-2017-scotland-f04.{AT}\n"
        "Original source: The Herald (Glasgow). (2017, February 6-17, date inferred). "
        "Dozens of Scots call helpline seeking help for child porn addiction. "
        "http://www.heraldscotland.com/news/15082872.Dozens_of_Scots_call_helpline_seeking_help_for_child_porn_addiction/\n"
    )
    bib = cli("--format", "bibtex", "herald-2017-scotland-f04")
    assert bib.output.startswith(f"@misc{{stopitnow-figures-{VERSION}-herald-2017-scotland-f04,\n")
    assert (
        f"  note = {{Data package, version {VERSION}; figure herald-2017-scotland-f04}}\n}}"
        in bib.output
    )
    assert "@article{herald-2017-scotland,\n  author = {{The Herald (Glasgow)}},\n" in bib.output
    assert "  note = {Publication date inferred: 2017-02-06 to 2017-02-17}\n}\n" in bib.output


@pytest.mark.data
def test_cite_a_metric_names_every_article_it_rests_on():
    out = cli("eveningtimes-edinburgh-share")
    assert (
        out.output.count(
            "Original source: Evening Times (Glasgow). (2017, August-September, date inferred)."
        )
        == 1
    )


@pytest.mark.data
def test_cite_one_figure_as_biblatex():
    out = cli("--format", "biblatex", "herald-2017-scotland-f04")
    assert out.exit_code == 0
    assert out.output == (
        f"@dataset{{stopitnow-figures-{VERSION}-herald-2017-scotland-f04,\n"
        "  author = {{Stop It Now! figures maintainers}},\n"
        f"  title = {{{{{TITLE}}}}},\n"
        f"  date = {{{RELEASED}}},\n"
        f"  version = {{{VERSION}}},\n"
        + (f"  url = {{{HOME}}},\n" if HOME else "")
        + "  note = {Figure herald-2017-scotland-f04}\n"
        "}\n"
        "\n"
        "@article{herald-2017-scotland,\n"
        "  author = {{The Herald (Glasgow)}},\n"
        "  title = {{Dozens of Scots call helpline seeking help for child porn addiction}},\n"
        "  journaltitle = {The Herald (Glasgow)},\n"
        "  date = {2017-02-06/2017-02-17},\n"
        f"  url = {{{HERALD_URL}}},\n"
        "  note = {Publication date inferred: 2017-02-06 to 2017-02-17}\n"
        "}\n"
    )


def package_ids() -> list[str]:
    ids = []
    for table, column in [
        ("figures", "figure_id"),
        ("derived", "metric_id"),
        ("claims", "claim_id"),
    ]:
        ids += [r[column] for r in read_csv(ROOT / "processed" / f"{table}.csv")]
    return ids


def _cited(fmt: str, ident: str, paths, tables, meta, released) -> str:
    chain = trace(paths, ident, tables)
    return cite_numbers(
        meta, released, fmt, [(ident, kind_of(chain))], articles_of(chain), references_of(chain)
    )


@pytest.mark.data
@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_every_id_in_the_package_cites_as_entries_a_real_bibtex_parser_reads(fmt):
    sources = by_id(read_csv(ROOT / "processed" / "sources.csv"), "source_id")
    ids = package_ids()
    assert ids and len(set(ids)) == len(ids)
    # the command's own steps, with the tables read once (the command reads them for each call)
    paths, tables = Paths(ROOT), load(Paths(ROOT))
    meta, released = (
        as_published(config.load(paths, "package"), DESCRIPTOR),
        DESCRIPTOR["created"][:10],
    )
    assert cli("--format", fmt, ids[0]).output == _cited(fmt, ids[0], paths, tables, meta, released)
    for ident in [None, *ids]:
        text = (
            cli("--format", fmt).output
            if ident is None
            else _cited(fmt, ident, paths, tables, meta, released)
        )
        package, *works = parse(text).values()  # parse() fails on a repeated key
        assert package.key == f"stopitnow-figures-{VERSION}" + (f"-{ident}" if ident else "")
        assert unprotect(package.fields["title"]) == TITLE
        assert package.type == {"bibtex": "misc", "biblatex": "dataset"}[fmt]
        articles = [
            w for w in works if w.type == "article"
        ]  # the rest are population tables (tests/test_csl.py)
        assert {w.type for w in works if w.type != "article"} <= {package.type}
        for article in articles:
            s = sources[article.key]
            assert unprotect(article.fields["title"]) == s["headline"]
            assert (
                latex_unescape(article.fields["journal" if fmt == "bibtex" else "journaltitle"])
                == s["publisher"]
            )


@pytest.mark.data
def test_cff_for_one_number_is_refused_with_the_flag_named():
    out = cli("--format", "cff", "herald-2017-scotland-f04")
    assert out.exit_code == 1
    assert out.output == (
        "Error: --format cff is for the package; "
        "use apa, bibtex, biblatex or csl-json for numbers\n"
    )


@pytest.mark.data
def test_an_unknown_id_is_refused():
    out = cli("--format", "biblatex", "no-such-id-anywhere")
    assert out.exit_code == 1
    assert out.output.startswith("Error: unknown id 'no-such-id-anywhere'")


def test_cite_help_names_every_format_and_gives_a_biblatex_example():
    out = CliRunner().invoke(main, ["cite", "--help"])
    assert "[apa|bibtex|biblatex|csl-json|cff]" in out.output
    words = " ".join(out.output.split())
    assert "--format bibtex writes @misc for the package and @article (journal, year)" in words
    assert (
        "--format biblatex writes @dataset (version, url, date) and @article (journaltitle, date)"
        in words
    )
    assert (
        "stopitnow-figures cite herald-2017-scotland-f04 --format biblatex"
        in out.output.split("Example:")[1]
    )
