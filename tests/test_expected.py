"""The real package against its hand-written expected files (tests/expected/, one per source; its
README says how a curator writes one): every published figure, claim and derived row has its
expected row and matches it, every expected row is published, and every source has its file. Adding
an article adds a file; no test here names a count or an id of the data."""

from __future__ import annotations

import csv

import pytest

import expectations
from conftest import ROOT, read_csv

EXPECTED = {table: expectations.by_id(table) for table in expectations.GIVES}
FIGURE_COLUMNS = [c for c in expectations.GIVES["figures"] if c not in ("id", "how")]


def _same(expected: str, published: str) -> bool:
    """An expected number (or arithmetic) against a published cell; an empty cell is no number."""
    want, got = expectations.number(expected), None if published == "" else float(published)
    return (want is None and got is None) or (
        want is not None and got == pytest.approx(want, rel=1e-8, abs=1e-12)
    )


@pytest.mark.data
def test_every_source_has_an_expected_file_and_every_file_a_source():
    sources, files = (
        {r["source_id"] for r in read_csv(ROOT / "raw" / "sources.csv")},
        set(expectations.files()),
    )
    assert sorted(sources - files) == [], (
        "sources with no expected file: write tests/expected/<source_id>.csv by hand (its README)"
    )
    assert sorted(files - sources) == [], "expected files of no source in raw/sources.csv"


@pytest.mark.data
def test_each_expected_file_has_the_documented_columns_and_rows():
    seen: dict[tuple[str, str], str] = {}
    for source, path in expectations.files().items():
        with path.open(encoding="utf-8", newline="") as fh:
            assert next(csv.reader(fh)) == expectations.COLUMNS, path.name
        for line, row in enumerate(expectations.read(path), start=2):
            where = f"{path.name}:{line}"
            assert row["table"] in expectations.GIVES, where
            given = expectations.GIVES[row["table"]]
            assert [c for c in expectations.COLUMNS[1:] if c not in given and row[c]] == [], (
                f"{where}: cells its table does not read"
            )
            assert row["id"] and row["how"], (
                f"{where}: every row has an id and says how it was worked out"
            )
            for column in expectations.NUMBERS:
                expectations.number(row[column])  # a number, arithmetic of numbers, or empty
            if row["table"] == "figures":
                assert row["id"].startswith(f"{source}-f"), f"{where}: a figure of another source"
            assert seen.setdefault((row["table"], row["id"]), where) == where, (
                f"{where}: also at {seen[(row['table'], row['id'])]}"
            )


@pytest.mark.data
def test_every_published_row_has_an_expected_row_and_every_expected_row_is_published(
    figures, claims, derived
):
    tables = {"figures": figures, "claims": claims, "derived": derived}
    unexpected = {t: sorted(set(published) - set(EXPECTED[t])) for t, published in tables.items()}
    unpublished = {t: sorted(set(EXPECTED[t]) - set(published)) for t, published in tables.items()}
    assert {t: ids for t, ids in unexpected.items() if ids} == {}, (
        "published rows with no row in tests/expected/"
    )
    assert {t: ids for t, ids in unpublished.items() if ids} == {}, (
        "expected rows that are not published"
    )


@pytest.mark.data
@pytest.mark.parametrize("fid", sorted(EXPECTED["figures"]))
def test_a_figure_is_published_as_worked_out_by_hand(fid, figures):
    want, got = EXPECTED["figures"][fid], figures.get(fid)
    assert got is not None, f"{fid} (tests/expected/{want['source']}.csv) is not published"
    assert got["source_id"] == want["source"]
    wrong = {
        c: (want[c], got[c])
        for c in FIGURE_COLUMNS
        if not (_same(want[c], got[c]) if c in expectations.NUMBERS else want[c] == got[c])
    }
    assert wrong == {}, f"{fid}: column: (expected, published)"
    text = (ROOT / "raw" / "sources" / f"{want['source']}.txt").read_text(encoding="utf-8")
    assert text[int(got["char_start"]) : int(got["char_end"])] == got["quote"] and text.index(
        got["quote"]
    ) == int(got["char_start"])


@pytest.mark.data
@pytest.mark.parametrize("cid", sorted(EXPECTED["claims"]))
def test_a_claim_has_the_verdict_worked_out_by_hand(cid, claims, figures):
    want, got = EXPECTED["claims"][cid], claims.get(cid)
    assert got is not None, f"{cid} (tests/expected/{want['source']}.csv) is not published"
    assert figures[got["figure_id"]]["source_id"] == want["source"], (
        "a claim is expected in the file of the source that states it"
    )
    assert got["verdict"] == want["verdict"]


@pytest.mark.data
@pytest.mark.parametrize("mid", sorted(EXPECTED["derived"]))
def test_a_derived_row_is_published_as_worked_out_by_hand(mid, derived):
    want, got = EXPECTED["derived"][mid], derived.get(mid)
    assert got is not None, f"{mid} (tests/expected/{want['source']}.csv) is not published"
    wrong = {c: (want[c], got[c]) for c in expectations.NUMBERS if not _same(want[c], got[c])}
    assert wrong == {}, f"{mid}: column: (expected, published)"


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        ("", None),
        ("78", 78),
        ("-1473", -1473),
        ("555 / 1.8", 555 / 1.8),
        ("(555 / 10) / (309 / 12) * 100 - 100", 555 * 12 / 3090 * 100 - 100),
    ],
)
def test_an_expected_number_may_be_written_as_its_arithmetic(cell, number):
    assert expectations.number(cell) == (None if number is None else pytest.approx(number))


@pytest.mark.parametrize("cell", ["__import__('os')", "2 ** 10", "x + 1", "'78'", "True"])
def test_an_expected_number_is_never_code(cell):
    with pytest.raises((ValueError, SyntaxError)):
        expectations.number(cell)
