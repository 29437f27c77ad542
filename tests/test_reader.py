"""The reader view (processed/reader/), opened in headless Chromium with the
network cut (tests/js/reader_check.mjs drives Debian's chromium through
puppeteer-core over a pipe, inside `unshare -n`): every figure is an anchor
once, marked at its number as written; every other numeric mention is marked
with what it is; nothing is requested from outside the folder; the pages work
with JavaScript off, with the keyboard alone, and pass axe-core's WCAG 2.1 AA
rules. Expected offsets are found here from the published quote and the
article text, not from the stage."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from stopitnow_figures.cli import main
from stopitnow_figures.render import pages

READER = ROOT / "processed" / "reader"
CHROMIUM, NODE = shutil.which("chromium"), shutil.which("node")
SHOTS = ROOT / "build" / "screenshots"


def _rows(name: str) -> list[dict]:
    with (ROOT / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


FIGURES = _rows("processed/figures.csv")
SOURCES = _rows("processed/sources.csv")


@pytest.fixture(scope="module")
def seen() -> dict:
    if not (CHROMIUM and NODE and shutil.which("unshare")):
        pytest.fail(
            "the reader view test needs Debian's chromium, Node and unshare (make test installs "
            "chromium)"
        )
    cmd = [
        "unshare",
        "-n",
        NODE,
        str(ROOT / "tests/js/reader_check.mjs"),
        str(READER),
        str(SHOTS),
        str(ROOT / "processed/charts/help_seeking.svg"),
    ]
    out = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=600,
        env={"CHROMIUM": CHROMIUM, "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def _number_at(f: dict) -> int:
    """Where the figure's number as written starts in its article: in its quote, as whole tokens."""
    m = re.search(r"(?<![\w])" + re.escape(f["as_written"]) + r"(?![\w])", f["quote"])
    assert m, f["figure_id"]
    return int(f["char_start"]) + m.start()


def test_every_page_of_the_reader_view_is_opened(seen):
    expected = {pages.INDEX, pages.DICTIONARY, *pages.PAGES.values()}
    expected |= {f"{s['source_id']}.html" for s in SOURCES}
    assert (
        set(seen["pages"]) == expected == {p.name for p in READER.iterdir() if p.suffix == ".html"}
    )
    assert {p.name for p in READER.iterdir() if p.suffix != ".html"} == {"style.css"}


def test_no_page_runs_past_the_edge_of_the_window(seen):
    """At 1,100 pixels (reader_check's window) every page fits: a long address or id breaks rather
    than widen its table or list, so the index's headlines keep their room."""
    assert {name: p["overflow"] for name, p in seen["pages"].items() if p["overflow"] > 0} == {}


def test_each_article_page_shows_its_text_exactly(seen):
    for s in SOURCES:
        text = (ROOT / s["text_path"]).read_text(encoding="utf-8")
        assert seen["pages"][f"{s['source_id']}.html"]["text"] == text, s["source_id"]


def test_every_figure_is_an_anchor_exactly_once_marked_at_its_number_as_written(seen):
    anchors = Counter(i for page in seen["pages"].values() for i in page["ids"])
    for f in FIGURES:
        assert anchors[f["figure_id"]] == 1, f["figure_id"]
        page = seen["pages"][f"{f['source_id']}.html"]
        mark = next(m for m in page["marks"] if m["id"] == f["figure_id"])
        text = (ROOT / "raw" / "sources" / f"{f['source_id']}.txt").read_text(encoding="utf-8")
        start = _number_at(f)
        assert mark["text"] == f["as_written"] == text[start : start + len(f["as_written"])]
        assert mark["offset"] == start, f["figure_id"]
        assert (
            mark["href"] == f"#panel-{f['figure_id']}" and f"panel-{f['figure_id']}" in page["ids"]
        )


def test_every_other_numeric_mention_is_marked_with_what_it_is(seen):
    not_figures = _rows("raw/not_figures.csv")
    for s in SOURCES:
        text = (ROOT / s["text_path"]).read_text(encoding="utf-8")
        page = seen["pages"][f"{s['source_id']}.html"]
        spans = [(m["offset"], m["offset"] + len(m["text"]), m) for m in page["marks"]]
        for digits in re.finditer(
            r"\d+(?:[,.]\d+)*", text
        ):  # every written number with a digit lies in a mark
            assert any(a <= digits.start() and digits.end() <= b for a, b, _ in spans), (
                s["source_id"],
                digits.group(),
            )
        for row in (r for r in not_figures if r["source_id"] == s["source_id"]):
            at = text.index(row["context"]) + row["context"].index(row["text"])
            mark = next(m for a, b, m in spans if a <= at < b)
            assert "mark other" in mark["classes"] and row["reason"] in mark["label"], row["text"]
            assert mark["href"].startswith("#mention-") and mark["href"][1:] in page["ids"]


def test_nothing_is_requested_from_outside_the_folder(seen):
    root = READER.as_uri() + "/"
    for name, page in seen["pages"].items():
        assert set(page["requests"]) == {root + name, root + "style.css"}, (
            name
        )  # the page and the style sheet beside it
    assert seen["chart"]["requests"] == [(ROOT / "processed/charts/help_seeking.svg").as_uri()]
    for p in READER.iterdir():
        text = p.read_text(encoding="utf-8")
        # no script runs: the one script element is the index's JSON-LD, a data block
        scripts = re.findall(r"<script\b[^>]*>", text)
        assert scripts == (
            ['<script type="application/ld+json">'] if p.name == "index.html" else []
        )
        assert "src=" not in text and "@import" not in text and "url(" not in text, p.name
        if p.suffix == ".html":
            assert re.findall(r"<link[^>]*>", text) == [
                '<link rel="stylesheet" href="style.css">'
            ], p.name


def test_the_pages_are_the_same_with_javascript_off(seen):
    for name, page in seen["pages"].items():
        assert page["withoutScripts"] == len(page["ids"]) > 0, name


def test_every_link_between_pages_lands_on_an_anchor(seen):
    for name, page in seen["pages"].items():
        for href in page["hrefs"]:
            if href.startswith(("http://", "https://")):
                continue
            target, _, anchor = href.partition("#")
            if target.startswith("../"):
                assert (READER / target).resolve().is_file(), (name, href)
                continue
            ids = seen["pages"][target or name]["ids"]
            assert not anchor or anchor in ids, (name, href)


def test_every_mark_is_reached_by_tab_in_the_order_of_the_text(seen):
    for name, page in seen["pages"].items():
        ids = [m["id"] for m in page["marks"]]
        assert [i for i in page["tab"] if i in ids] == ids, name


def test_marks_are_named_for_screen_readers_and_told_apart_without_colour(seen):
    figures = {f["figure_id"]: f for f in FIGURES}
    shapes = {"exact": ("solid", "none"), "hedged": ("dashed", '"≈"'), "vague": ("dotted", '"~"')}
    for name, page in seen["pages"].items():
        assert page["axe"] == [], (name, page["axe"])
        for m in page["marks"]:
            assert m["label"].startswith(m["text"] + ":"), (
                m
            )  # the name says what is seen, then what it is
            if m["id"] in figures:
                f = figures[m["id"]]
                # exact: no hedge word and no curated reading ("100 more" is read as round, 50 to
                # 150: hedged)
                exact = f["qualifier"] in ("exact", "rounded") and not f["reading"]
                how = "vague" if f["qualifier"] == "vague" else "exact" if exact else "hedged"
                assert how in m["classes"].split() and (m["border"], m["symbol"]) == shapes[how], m
                assert f["qualifier"].replace("_", " ") in m["label"]
            else:
                assert m["symbol"] == '"†"' and "not a figure" in m["label"], m


def _shown(cell: str) -> str:
    """A number as the pages show it, written here by hand: thousands separators, and the digits
    it is given (the rounding is the rule's: tables/numbers.py, tested in tests/test_numbers.py)."""
    from decimal import Decimal

    x = Decimal(cell)
    return f"{int(x):,}" if x == x.to_integral_value() else format(x, ",f")


def _for_people() -> Callable[[str, dict], dict]:
    """Each row as people read it, by the one rule (tables/numbers.py) over the published tables."""
    from stopitnow_figures.tables.numbers import Precision

    names = ("figures", "population", "quantities", "identities", "derived", "claims")
    return Precision.of_tables({n: _rows(f"processed/{n}.csv") for n in names}).shown


@pytest.mark.parametrize(
    ("table", "key", "page"),
    [("quantities", "quantity_id", "quantities.html"), ("derived", "metric_id", "derived.html")],
)
def test_a_value_the_evidence_does_not_pin_is_shown_as_its_interval_and_named(
    seen, table, key, page
):
    from stopitnow_figures.tables import vocab

    words = vocab.load().point_words
    pinned = next(iter(words))
    rows = _rows(f"processed/{table}.csv")
    shown, for_people = seen["pages"][page]["values"], _for_people()
    assert rows and set(shown) >= {r[key] for r in rows}
    for r in rows:
        text, r = shown[r[key]], for_people(r[key], r)
        if r["value_basis"] == pinned:
            assert (
                text.startswith(f"{_shown(r['value'])} {r['unit']} ({pinned}") and "[" not in text
            ), r[key]
            continue
        ends = [_shown(r[end]) if r[end] else "unbounded" for end in ("lower", "upper")]
        assert text.startswith(f"[{ends[0]}, {ends[1]}] {r['unit']} ("), r[
            key
        ]  # the interval first, never the point alone
        point = f"point {_shown(r['value'])}, {r['value_basis']}: " if r["value"] else ""
        assert f"({point}{words[r['value_basis']]})" in text, r[key]


def test_screenshots_of_an_article_page_and_the_chart_are_taken(seen):
    for shot in (seen["screenshot"], seen["chart"]["screenshot"]):
        data = Path(shot).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, shot


def test_a_figure_panel_shows_its_quantity_claims_metrics_and_citation():
    page = (READER / "herald-2017-scotland.html").read_text(encoding="utf-8")
    panel = page[page.index('id="panel-herald-2017-scotland-f02"') :]
    panel = panel[: panel.index("</section>")]
    # "Nearly 80 men": 72 to 80 as a hedge; the men are at most their 78 calls, so the quantity is
    # 72 to 78
    assert (
        "80 people, interval [72, 80] (hedged: nearly)" in panel
    )  # the figure: the number as the article writes it
    assert (
        'href="quantities.html#scotland-2016-helpline-own-callers"' in panel
        and "reconciled [72, 78] people" in panel
    )
    assert (
        'href="claims.html#herald-nearly-80"' in panel
        and 'href="claims.html#herald-dozens"' in panel
    )
    assert 'href="derived.html#rate-scotland-2016-helpline-own-callers"' in panel
    assert "Figure herald-2017-scotland-f02." in panel and "The Herald (Glasgow)" in panel


@pytest.mark.parametrize(
    ("ident", "page"),
    [
        ("herald-2017-scotland-f04", "herald-2017-scotland.html#herald-2017-scotland-f04"),
        ("glasgow-2015-16-website-visitors", "quantities.html#glasgow-2015-16-website-visitors"),
        ("eveningtimes-almost-80-percent", "claims.html#eveningtimes-almost-80-percent"),
        ("rate-uk-2016-helpline-calls", "derived.html#rate-uk-2016-helpline-calls"),
    ],
)
def test_trace_prints_the_page_and_anchor_where_an_id_is_seen(ident, page):
    out = CliRunner().invoke(main, ["trace", "--root", str(ROOT), ident])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[1].strip() == f"seen at: processed/reader/{page}"
    target, anchor = page.split("#")
    assert f'id="{anchor}"' in (READER / target).read_text(encoding="utf-8")


def test_the_release_archive_holds_the_reader_view():
    from stopitnow_figures.publishing.release import release_members
    from stopitnow_figures.tables.paths import Paths

    members = release_members(Paths(ROOT))
    assert {f"processed/reader/{p.name}" for p in READER.iterdir()} <= set(members)
    assert "processed/reader/index.html" in members and "metrics.json" in members


def test_the_series_page_shows_every_series_row_and_marks_each_gap():
    page = (READER / "series.html").read_text(encoding="utf-8")
    for r in _rows("processed/series.csv"):
        assert f'id="{r["series_id"]}"' in page
        row = re.search(rf'<tr id="{re.escape(r["member_id"])}">(.*?)</tr>', page)
        assert row, r["member_id"]
        assert f"{r['period_start']} to {r['period_end']}" in row[1]
        # a member links its quantity; a gap says no source gives its period
        assert (
            (f'href="quantities.html#{r["quantity_id"]}"' in row[1])
            if r["quantity_id"]
            else ("gap" in row[1])
        )


def test_the_index_links_the_series_and_lists_every_source_under_its_year_and_kind():
    from stopitnow_figures.render.prose import published_year

    index = (READER / "index.html").read_text(encoding="utf-8")
    assert 'href="series.html"' in index
    table = index.split('id="by-year"', 1)[1].split("</table>", 1)[0]
    kinds = re.findall(r'<th scope="col">([^<]+)</th>', table)[1:]
    for s in SOURCES:
        row = re.search(rf'<th scope="row">{published_year(s)}</th>(.*?)</tr>', table)
        cells = re.findall(r"<td>(.*?)</td>", row[1])
        assert f'href="{s["source_id"]}.html"' in cells[kinds.index(s["kind"])]
