"""What real releases print, end to end, on a charity release written for the test (tests/articles/;
a fictional text, not a real release): added with add-source as a charity release whose stored copy
stops early, its rows written as a curator would (figures, quantities, the two places it names that
the package did not know), `check`, and one `dvc repro` in a temporary copy. It prints a count per
month of people, a count for two council areas together (a union of areas whose members both have
real population rows), a count for a place with no population, live chat contacts and money. Every
expected number is worked out here from the release's text and the population rows of
raw/reference/population.csv it uses."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_repo, dvc
from stopitnow_figures.cli import main

pytestmark = pytest.mark.slow

ARTICLE = Path(__file__).parent / "articles" / "charity-release-written-for-the-test.txt"
SID = "lucyfaithfullfoundation-2018-scotland"
ADD = [
    "--publisher", "Lucy Faithfull Foundation",
    "--headline", "Stop It Now! Scotland: more people than ever ask for help",
    "--url", "https://example.org/release", "--place", "Scotland",
    "--published", "2018-01-15/2018-01-31", "--date-basis", "inferred",
    "--date-reasoning", "Written for the test: its figures are of 2017.",
    "--kind", "charity release", "--text-extent", "opening excerpt",
]  # fmt: skip
# Glasgow City (S12000049) and City of Edinburgh (S12000036), sorted and joined
UNION = "S12000036+S12000049"
FIGURES = [  # id, quantity, quote, as written, measure, unit, place
    ("f01", "scotland-2017-help-seekers-per-month",
     "Nearly 600 people from Scotland contacted Stop It Now! Scotland every month in 2017",
     "Nearly 600", "help_seekers", "people per month", "Scotland"),
    ("f02", "glasgow-edinburgh-2017-helpline-callers",
     "In Glasgow and Edinburgh together, 420 people called its confidential helpline in 2017",
     "420", "helpline_any", "people", "Glasgow and Edinburgh"),
    ("f03", "falkirk-2017-helpline-callers", "In Falkirk, 35 people called the helpline in 2017",
     "35", "helpline_any", "people", "Falkirk"),
    ("f04", "scotland-2017-live-chats",
     "Its live chat service took 1,100 chats from Scotland in 2017",
     "1,100", "live_chat", "contacts", "Scotland"),
    ("f05", "scotland-2017-funding", "gave the charity £250,000 in 2017 for its work in Scotland",
     "250,000", "funding", "pounds", "Scotland"),
]  # fmt: skip
COUNTING = {
    "people per month": "distinct",
    "people": "distinct",
    "contacts": "events",
    "pounds": "events",
}
GEOGRAPHY = {"Scotland": "S92000003", "Glasgow and Edinburgh": UNION, "Falkirk": "S12000014"}


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _append(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _curate(repo: Path) -> None:
    """What a curator writes for the release: its figures and quantities, the two places, a version
    naming it."""
    note = "Read by the test's curator."
    _append(
        repo / "raw/figures.csv",
        [
            [f"{SID}-{k}", SID, q, quote, written, m, u, place, "in 2017", "", "", note]
            for k, q, quote, written, m, u, place in FIGURES
        ],
    )
    _append(
        repo / "raw/quantities.csv",
        [[q, f"{written} as the release counts it", m, u, COUNTING[u], GEOGRAPHY[place],
          f"of:{SID}-{k}", ""]
         for k, q, _, written, m, u, place in FIGURES],
    )  # fmt: skip
    _append(
        repo / "raw/geographies.csv",
        [
            ["S12000014", "Falkirk", "council area", "", ""],
            [
                UNION,
                "Glasgow and Edinburgh",
                "union of areas",
                "S12000049 S12000036",
                "Counted together by the release.",
            ],
        ],
    )
    _append(
        repo / "raw/places.csv",
        [
            ["Glasgow and Edinburgh", SID, UNION, "stated", ""],
            ["Falkirk", "", "S12000014", "stated", ""],
        ],
    )
    package = (repo / "package.yaml").read_text(encoding="utf-8")
    version = next(
        line.split(":", 1)[1].strip()
        for line in package.splitlines()
        if line.startswith("version:")
    )
    (repo / "package.yaml").write_text(
        package.replace(f"version: {version}", "version: 9.9.0"), encoding="utf-8"
    )
    log = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = (
        f"## 9.9.0 - 2026-12-01\n\n- Added {SID} (the Lucy Faithfull Foundation's release): 5 "
        "figures.\n\n"
    )
    (repo / "CHANGELOG.md").write_text(log.replace("## ", entry + "## ", 1), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The repository with the release added, checked and built once, up to derive: every table
    these tests read is derive's, read from the candidate (the later stages copy the tables as they
    are, as tests/test_pipeline.py holds)."""
    repo = copy_repo(tmp_path_factory.mktemp("release") / "repo")
    runner = CliRunner()
    out = runner.invoke(main, ["add-source", "--root", str(repo), str(ARTICLE), *ADD])
    assert out.exit_code == 0 and f"added {SID}" in out.output, out.output
    _curate(repo)
    out = runner.invoke(main, ["check", "--root", str(repo)])
    assert out.exit_code == 0, out.output
    done = dvc(repo, "repro", "derive")
    assert done.returncode == 0, done.stdout + done.stderr
    return repo


def _table(repo: Path, name: str) -> dict[str, dict]:
    rows = _rows(repo / "build" / "package" / "processed" / f"{name}.csv")
    return {r[next(iter(r))]: r for r in rows}


def _population(repo: Path, population_id: str) -> int:
    """A reference row's estimate, read from raw/reference/population.csv (so that a revised row
    changes the expected numbers with it; today's values are in the comments)."""
    return int(
        next(
            r["value"]
            for r in _rows(repo / "raw/reference/population.csv")
            if r["population_id"] == population_id
        )
    )


def test_the_release_is_published_with_its_kind_and_extent(built):
    source = _table(built, "sources")[SID]
    assert (source["kind"], source["text_extent"], source["covers"]) == (
        "charity release",
        "opening excerpt",
        "",
    )
    assert _table(built, "geographies")[UNION]["members"] == "S12000049 S12000036"


def test_the_two_area_place_s_population_is_the_sum_of_its_members(built):
    derived = _table(built, "derived")
    # by hand: both members have a mid-2016 estimate (Glasgow City 615,070 + City of Edinburgh
    # 507,170 = 1,122,240) and none for 2017, the year of the period's midpoint: the union's
    # population is the 2016 sum, the nearest year
    union = _population(built, "pop-glasgow-2016") + _population(built, "pop-edinburgh-2016")
    population = derived["pop-s12000036-s12000049-2016"]
    assert (population["kind"], float(population["value"]), population["geography_code"]) == (
        "population",
        union,
        UNION,
    )
    assert population["formula"] == "{pop-glasgow-2016} + {pop-edinburgh-2016}"
    assert "pop-s12000036-s12000049-2017" not in derived  # no year is summed that a member lacks
    # 420 people in 2017 over 1,122,240, per 100,000: 37.43; per month of the year: 3.119
    rate = derived["rate-glasgow-edinburgh-2017-helpline-callers"]
    assert float(rate["value"]) == pytest.approx(420 / union * 100_000)
    assert rate["inputs"] == "glasgow-edinburgh-2017-helpline-callers pop-s12000036-s12000049-2016"
    assert "2016" in rate["description"]  # the rate says which year's estimate it used
    monthly = derived["rate-per-month-glasgow-edinburgh-2017-helpline-callers"]
    assert float(monthly["value"]) == pytest.approx(420 / union * 100_000 / 12)


def test_the_count_per_month_has_a_rate_per_month_only(built):
    derived = _table(built, "derived")
    # "Nearly 600" people a month: 540 to 600 (nearly: within 10 per cent, 60, below 600), in
    # Scotland (mid-2017 5,424,800), per 100,000 per month without dividing by the year's 12 months:
    # 9.954 to 11.060
    scotland = _population(built, "pop-scotland-2017")
    rate = derived["rate-per-month-scotland-2017-help-seekers-per-month"]
    assert (float(rate["value"]), float(rate["lower"]), float(rate["upper"])) == pytest.approx(
        (600 / scotland * 100_000, 540 / scotland * 100_000, 600 / scotland * 100_000)
    )
    assert rate["unit"] == "per 100,000 people per month" and rate["inputs"].endswith(
        " pop-scotland-2017"
    )
    assert "rate-scotland-2017-help-seekers-per-month" not in derived
    # live chat contacts are rated as calls are: 1,100 over 5,424,800, per 100,000: 20.28
    assert float(derived["rate-scotland-2017-live-chats"]["value"]) == pytest.approx(
        1_100 / scotland * 100_000
    )


def test_a_quantity_without_a_rate_publishes_why(built):
    quantities = _table(built, "quantities")
    assert (
        quantities["falkirk-2017-helpline-callers"]["rate_note"]
        == "no population for S12000014 (Falkirk) in any year"
    )
    assert quantities["scotland-2017-funding"]["rate_note"].startswith("a count of pounds: no rate")
    assert [
        q
        for q, r in quantities.items()
        if q.startswith(("glasgow-edinburgh", "scotland-2017-help", "scotland-2017-live"))
        and r["rate_note"]
    ] == []
    derived = _table(built, "derived")
    assert not {"rate-falkirk-2017-helpline-callers", "rate-scotland-2017-funding"} & set(derived)
