"""The raw layer: byte-exact sources, verbatim quotes, every numeric mention accounted for."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from conftest import ROOT, SHARED, read_csv
from stopitnow_figures.model.coverage import coverage
from stopitnow_figures.model.mentions import find_mentions
from stopitnow_figures.tables import raw, vocab
from stopitnow_figures.tables.csvio import read_table
from stopitnow_figures.tables.errors import Collector
from stopitnow_figures.tables.paths import Paths
from stopitnow_figures.tables.sources import load_sources

# sha256 of each seed file, from `sha256sum shared/seeds/*` when the seeds arrived
SEED_SHA256 = {
    "000_4dd12da5a1a09c53.txt": "dd02eeee3bc0e76485cc8bf65ec61e5759fb0354ed7a2d645f687b48f1b6382a",
    "001_c175b5b697cb3fba.txt": "29b02fed01ba8a8393f535cd6acbcb68f3df8e8b921a038f0478e4a543ce6909",
    "002_a278cb7712065234.txt": "f3bb636533fe486747aa144e0aa26d802a94bdd36e0c7aaaf1157df82b90f9e1",
    "003_40e77eff3a60896b.txt": "a0d100d6df7b968cc9796596c6c8d4b814e613ad632a3b0d837d59cf51a947e6",
    "004_fa53651968fd36db.txt": "d6b793048cf43e1bb8b577fc9015f758d5637ce83e5cfd5234070cf40ea21f8d",
}


@pytest.mark.data
def test_sources_csv_records_the_hash_of_each_text_and_the_seeds_theirs():
    rows = read_csv(ROOT / "raw" / "sources.csv")
    for r in rows:
        data = (ROOT / "raw" / "sources" / f"{r['source_id']}.txt").read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"], r["source_id"]
    seeds = {r["original_file"]: r["sha256"] for r in rows if r["original_file"] in SEED_SHA256}
    assert seeds == SEED_SHA256  # each seed is a source, with the hash it had when it arrived


@pytest.mark.data
@pytest.mark.skipif(
    not (SHARED / "seeds").exists(), reason="shared/seeds not beside the repository"
)
def test_sources_are_byte_identical_to_the_seeds():
    for r in read_csv(ROOT / "raw" / "sources.csv"):
        if r["original_file"] in SEED_SHA256:
            assert (ROOT / "raw" / "sources" / f"{r['source_id']}.txt").read_bytes() == (
                SHARED / "seeds" / r["original_file"]
            ).read_bytes()


@pytest.mark.data
def test_glasgow_text_keeps_its_non_breaking_spaces_and_curly_quotes():
    text = (ROOT / "raw" / "sources" / "eveningtimes-2017-glasgow.txt").read_text(encoding="utf-8")
    assert "HUNDREDS of residents\xa0have" in text
    assert "Edinburgh\u2019s 791" in text


@pytest.mark.data
def test_every_quote_occurs_verbatim_once_and_holds_its_number():
    texts = {
        p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "raw" / "sources").glob("*.txt")
    }
    rows = read_csv(ROOT / "raw" / "figures.csv")
    assert rows  # the rule holds of every row, however many sources there are
    for r in rows:
        assert texts[r["source_id"]].count(r["quote"]) == 1, r["figure_id"]
        assert r["as_written"] in r["quote"], r["figure_id"]


def _coverage(root):
    paths = Paths(root)
    problems = Collector()
    _, texts = load_sources(paths, problems, vocab.load().id_pattern)
    figs = read_table(paths.raw_figures, raw.columns(paths, "figures"), problems)
    nots = read_table(paths.raw_not_figures, raw.columns(paths, "not_figures"), problems)
    assert not problems.problems
    return coverage(paths, figs, nots, texts, problems), problems


@pytest.mark.data
def test_coverage_accounts_for_every_mention_in_every_source():
    report, problems = _coverage(ROOT)
    assert not problems.problems
    unaccounted = [
        (sid, m.text) for sid, items in report.items() for m, span in items if span is None
    ]
    assert unaccounted == []
    # by hand: the Herald article's mentions: DOZENS, 80, 1,500, 2016, 78, 5, 1,504, 28, 100,000,
    # 2016, double, four, one, half, million, hundreds, thousands, 18
    assert len(report["herald-2017-scotland"]) == 18


@pytest.mark.data
def test_finder_catches_a_number_added_to_a_copy_of_a_source(tmp_path):
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    path = tmp_path / "raw" / "sources" / "herald-2017-scotland.txt"
    path.write_bytes(path.read_bytes() + b"\nSome 42 more men called in January.\n")
    report, _ = _coverage_with_hash_fixed(tmp_path)
    missing = [m.text for m, span in report["herald-2017-scotland"] if span is None]
    assert missing == ["42"]


def _coverage_with_hash_fixed(root):
    import csv

    rows = read_csv(root / "raw" / "sources.csv")
    for r in rows:
        r["sha256"] = hashlib.sha256(
            (root / "raw" / "sources" / f"{r['source_id']}.txt").read_bytes()
        ).hexdigest()
    with open(root / "raw" / "sources.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return _coverage(root)


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("Nearly 80 men called.", ["80"]),
        ("It rose by 1,504 calls, or 5.5 per cent.", ["1,504", "5.5"]),
        ("Seven adults and twenty-one others rang.", ["Seven", "twenty", "one"]),
        ("Tens of thousands, hundreds and dozens.", ["Tens", "thousands", "hundreds", "dozens"]),
        (
            "Around a third, half a million, more than doubling.",
            ["third", "half", "million", "doubling"],
        ),
        ("Someone and anyone are not numbers; neither is the first.", []),
        ("Call 0808 1000 900.", ["0808", "1000", "900"]),
    ],
)
def test_finder_on_sentences_written_for_the_test(sentence, found):
    assert [m.text for m in find_mentions(sentence)] == found


def test_clean_and_preflight_refuse_a_link_to_nothing_and_a_pipe_alike(tmp_path):
    # an unlisted article text that is a link to nothing, and one that is a pipe: clean's reading of
    # raw/sources/ and the check before DVC runs give each the same unsafe-path problem
    from stopitnow_figures.publishing.preflight import raw_files
    from stopitnow_figures.tables.sources import _unlisted

    paths = Paths(tmp_path)
    paths.raw_sources_dir.mkdir(parents=True)
    (paths.raw_sources_dir / "ghost.txt").symlink_to(paths.raw_sources_dir / "nowhere.txt")
    os.mkfifo(paths.raw_sources_dir / "pipe.txt")
    problems = Collector()
    _unlisted(paths, set(), "raw/sources.csv", problems)
    seen = {(p.file, p.type, p.message) for p in problems.problems}
    assert seen == {(p.file, p.type, p.message) for p in raw_files(paths)}
    assert seen == {
        (
            "raw/sources/ghost.txt",
            "unsafe-path",
            "a link to nothing; remove it or restore what it points to",
        ),
        (
            "raw/sources/pipe.txt",
            "unsafe-path",
            "not a regular file (a device, a pipe or a socket)",
        ),
    }
