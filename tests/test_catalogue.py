"""A catalogue of mistakes a curator can make in raw/, each applied to a temporary
copy of the repository and followed by `dvc repro`.

For every rejected case: a non-zero exit; one line per problem naming the file,
the line a text editor shows, the column, the value and the rule; no
traceback; and processed/ and datapackage.json byte-identical to before. The
harmless cases (a byte-order mark, Windows line endings) are accepted and give
the same outputs as without them.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import dvc, env, snapshot

pytestmark = pytest.mark.slow

H = "herald-2017-scotland"
E = "eveningtimes-2017-glasgow"


def line_of(repo: Path, rel: str, needle: str) -> int:
    """The editor line of the first line holding ``needle`` (worked out from the file, not the program)."""
    for i, text in enumerate((repo / rel).read_bytes().decode("utf-8", errors="replace").splitlines(), 1):
        if needle in text:
            return i
    raise AssertionError(f"{needle!r} not in {rel}")


def edit(rel: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        path = repo / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= count, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return apply


def write_bytes(rel: str, make: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        path = repo / rel
        path.write_bytes(make(path.read_bytes()))

    return apply


def rehash_source(sid: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    """Change a source text and record its new sha256, as a careful curator would."""

    def apply(repo: Path) -> None:
        path = repo / "raw" / "sources" / f"{sid}.txt"
        before = path.read_bytes()
        after = before.replace(old, new)
        path.write_bytes(after)
        srcs = repo / "raw" / "sources.csv"
        srcs.write_text(srcs.read_text().replace(hashlib.sha256(before).hexdigest(), hashlib.sha256(after).hexdigest()))

    return apply


@dataclass
class Case:
    name: str
    mutate: Callable[[Path], None]
    # each expected problem: (type, file, needle that finds the line or a line number, column or None)
    expect: list[tuple[str, str, str | int | None, str | None]] = field(default_factory=list)
    accepted: bool = False
    stage: str | None = None  # run this stage module directly instead of dvc repro


FIG = "raw/figures.csv"
SRC = "raw/sources.csv"
POP = "raw/reference/population.csv"
DER = "raw/derivations.csv"
CLA = "raw/claims.csv"
CAND = "build/package/processed/figures.csv"
PER = "raw/period_readings.csv"

CASES = [
    Case(
        "quote not in its article",
        edit(FIG, "In total, 78 calls were made", "In total, 87 calls were made"),
        [("quote-not-in-source", FIG, "In total, 87 calls", "quote")],
    ),
    Case(
        "quote typed with a plain space where the article has a non-breaking one",
        edit(FIG, "HUNDREDS of residents\xa0have", "HUNDREDS of residents have"),
        [("quote-not-in-source", FIG, "HUNDREDS of residents have", "quote")],
    ),
    Case(
        "every failure in the file is reported in one run",
        lambda r: (edit(FIG, "In total, 78 calls", "In total, 88 calls")(r), edit(FIG, "rising to 55 during", "rising to 65 during")(r)),
        [("quote-not-in-source", FIG, "In total, 88 calls", "quote"), ("quote-not-in-source", FIG, "rising to 65 during", "quote")],
    ),
    Case(
        "quote that occurs twice",
        edit(FIG, ",36 people from Greater Manchester called a confidential helpline operated by Stop it Now!,36,", ",36,36,"),
        [("quote-ambiguous", FIG, "wigantoday-2016-greater-manchester-f02,", "quote")],
    ),
    Case(
        "offsets that do not match (a hand-edited candidate table, refused by the gate before publishing)",
        edit(CAND, ",1795,", ",1796,"),
        [("untraced-cell", CAND, ",1796,", "char_start")],
        stage="stages.publish",
    ),
    Case(
        "source text changed after its sha256 was recorded",
        write_bytes(f"raw/sources/{H}.txt", lambda b: b.replace(b"78 calls", b"79 calls")),
        [("source-hash-mismatch", SRC, H, "sha256")],
    ),
    Case("source file missing", lambda r: (r / "raw" / "sources" / f"{H}.txt").unlink(), [("missing-source-file", SRC, H, "source_id")]),
    Case(
        "source file present but not listed",
        lambda r: (r / "raw" / "sources" / "metro-2018-london.txt").write_text("Some 12 men called.\n"),
        [("unlisted-source-file", "raw/sources/metro-2018-london.txt", None, None)],
    ),
    Case(
        "unknown source_id", edit(FIG, f"{H}-f07,{H},", f"{H}-f07,herald-2071-scotland,"), [("unknown-id", FIG, f"{H}-f07,", "source_id")]
    ),
    Case("duplicate figure_id", edit(FIG, f"{H}-f07,", f"{H}-f06,"), [("duplicate-id", FIG, "A further 28 Scots", "figure_id")]),
    Case(
        "number as written that cannot be parsed",
        edit(
            FIG,
            ",A further 28 Scots rang over the same period to talk about their concerns about the online behaviour of another adult,28,",
            ",A further 28 Scots rang over the same period to talk about their concerns about the online behaviour of another adult,Scots,",
        ),
        [("unparseable-number", FIG, "A further 28 Scots", "as_written")],
    ),
    Case(
        "number as written that disagrees with its quote",
        edit(FIG, 'Edinburgh",78,helpline', 'Edinburgh",87,helpline'),
        [("number-not-in-quote", FIG, "In total, 78 calls", "as_written")],
    ),
    Case(
        "unknown hedge word",
        edit(FIG, ',"at least 100,000",', ',"that at least 100,000",'),
        [("unknown-hedge", FIG, "that at least 100,000", "as_written")],
    ),
    Case(
        "unknown measure",
        edit(FIG, "helpline_other_person,people,Scots", "helpline_others,people,Scots"),
        [("not-in-vocabulary", FIG, "helpline_others", "measure")],
    ),
    Case(
        "unknown unit",
        edit(FIG, "helpline_other_person,people,Scots", "helpline_other_person,persons,Scots"),
        [("not-in-vocabulary", FIG, "persons,Scots", "unit")],
    ),
    Case(
        "unit that does not fit the number",
        edit(FIG, ",5 per cent,share,percent,", ",5 per cent,share,people,"),
        [("unit-mismatch", FIG, ",5 per cent,share,people,", "unit")],
    ),
    Case(
        "unknown place",
        edit(FIG, "helpline_other_person,people,Scots", "helpline_other_person,people,Caledonia"),
        [("unknown-place", FIG, "Caledonia", "place")],
    ),
    Case(
        "unknown period wording",
        edit(FIG, ",in 2016,,", ",in the year of the rooster,,"),
        [("unknown-period", FIG, "in the year of the rooster", "period")],
    ),
    Case(
        "impossible date (30 February)",
        edit(PER, "2012-01-01,2016-12-31", "2012-02-30,2016-12-31"),
        [("bad-date", PER, "2012-02-30", "period_start")],
    ),
    Case(
        "period that ends before it starts",
        edit(PER, "2012-01-01,2016-12-31", "2016-12-31,2012-01-01"),
        [("period-ordered", PER, "2016-12-31,2012-01-01", "period_end")],
    ),
    Case(
        "period that ends after the article was published",
        edit(PER, f"{E},between October 2016 and today,2016-10-01,2017-07-31", f"{E},between October 2016 and today,2016-10-01,2017-12-31"),
        [("period-after-publication", FIG, "with 555 people using", "period")],
    ),
    Case(
        "impossible publication date",
        edit(SRC, "2017-12-14,2017-12-15", "2017-12-14,2017-12-32"),
        [("bad-date", SRC, "2017-12-32", "published_latest")],
    ),
    Case("negative count", edit(POP, ",2016,5404700,", ",2016,-5404700,"), [("out-of-range", POP, "-5404700", "value")]),
    Case(
        "share above 100 per cent",
        edit(
            DER,
            "{herald-2017-scotland-f04} / {herald-2017-scotland-f06} * 100",
            "{herald-2017-scotland-f06} / {herald-2017-scotland-f04} * 100",
        ),
        [("share-at-most-100", DER, "herald-share-scotland-calls", "value")],
    ),
    Case("empty file", write_bytes(FIG, lambda b: b""), [("empty-file", FIG, 1, None)]),
    Case("header missing a column", edit(FIG, ",period_ref,notes\n", ",period_ref\n"), [("missing-column", FIG, 1, "notes")]),
    Case("header with an unknown column", edit(FIG, ",notes\n", ",notes,extra\n"), [("unknown-column", FIG, 1, "extra")]),
    Case("wrong delimiter", write_bytes(PER, lambda b: b.replace(b",", b";")), [("wrong-delimiter", PER, 1, None)]),
    Case(
        "bytes that are not UTF-8",
        write_bytes(FIG, lambda b: b.replace(b"Scots rang", b"Sc\xf6ts rang")),
        [("not-utf8", FIG, "A further 28 Sc", None)],
    ),
    Case(
        "cell a spreadsheet would run as a formula",
        edit(FIG, '"""These calls were said to come from wives or parents."""', '"=HYPERLINK(""http://example.org"",""x"")"'),
        [("formula-cell", FIG, "=HYPERLINK", "notes")],
    ),
    Case(
        "population row with no publisher",
        edit(
            POP,
            "pop-dundee-2016,Dundee City,S12000042,2016,148270,National Records of Scotland,",
            "pop-dundee-2016,Dundee City,S12000042,2016,148270,,",
        ),
        [("required", POP, "pop-dundee-2016", "publisher")],
    ),
    Case(
        "derived input id that does not exist",
        edit(DER, "{herald-2017-scotland-f04} / 12", "{herald-2017-scotland-f40} / 12"),
        [("unknown-id", DER, "herald-2017-scotland-f40", "formula")],
    ),
    Case(
        "derivation that depends on itself",
        edit(
            DER,
            "{bournemouthecho-2019-dorset-f02} - {bournemouthecho-2019-dorset-f03}",
            "{bournemouthecho-dorset-pct-change} - {bournemouthecho-2019-dorset-f03}",
        ),
        [("derivation-cycle", DER, "bournemouthecho-dorset-2018-implied", "formula")],
    ),
    Case(
        "formula outside the documented form",
        edit(DER, "{herald-2017-scotland-f04} / 12", "{herald-2017-scotland-f04} ** 12"),
        [("bad-formula", DER, "herald-calls-per-month", "formula")],
    ),
    Case(
        "claim with no inputs",
        edit(CLA, "herald-nearly-80,herald-2017-scotland-f02,{herald-2017-scotland-f04}", "herald-nearly-80,herald-2017-scotland-f02,78"),
        [("no-inputs", CLA, "herald-nearly-80", "formula")],
    ),
    Case(
        "number in an article that no table accounts for",
        rehash_source(H, b"28 Scots rang over the same period", b"28 Scots rang over the same period, 3 of them twice,"),
        [("unaccounted-number", f"raw/sources/{H}.txt", "3 of them twice", None)],
    ),
    Case("byte-order mark (harmless: accepted)", write_bytes(FIG, lambda b: b"\xef\xbb\xbf" + b), accepted=True),
    Case("Windows line endings (harmless: accepted)", write_bytes(FIG, lambda b: b.replace(b"\n", b"\r\n")), accepted=True),
]


def _raw_state(repo: Path) -> dict[str, bytes]:
    files = [p for p in sorted((repo / "raw").rglob("*")) if p.is_file()] + [
        repo / "dvc.lock",
        repo / "processed" / "figures.csv",
        repo / CAND,
    ]
    return {str(p.relative_to(repo)): p.read_bytes() for p in files}


def _restore(repo: Path, state: dict[str, bytes]) -> None:
    for p in sorted((repo / "raw").rglob("*")):
        if p.is_file() and str(p.relative_to(repo)) not in state:
            p.unlink()
    for rel, data in state.items():
        (repo / rel).write_bytes(data)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_catalogue(case: Case, built_repo: Path):
    repo = built_repo
    state = _raw_state(repo)
    before = snapshot(repo)
    try:
        case.mutate(repo)
        expected = []
        for type_, file, where, column in case.expect:
            line = where if isinstance(where, int) or where is None else line_of(repo, file, where)
            expected.append((type_, file, line, column))
        if case.stage:
            out = subprocess.run(
                [sys.executable, "-m", f"stopitnow_figures.{case.stage}"], cwd=repo, env=env(), capture_output=True, text=True
            )
        else:
            out = dvc(repo, "repro")
        if case.accepted:
            assert out.returncode == 0, out.stderr
            assert snapshot(repo) == before
            return
        assert out.returncode != 0
        assert "Traceback" not in out.stderr and "Traceback" not in out.stdout
        lines = [ln for ln in out.stderr.splitlines() if re.match(r"^\S+?(:\d+)?: \[", ln)]
        for type_, file, line, column in expected:
            where = file if line is None else f"{file}:{line}"
            col = f" column {column!r}" if column else ""
            hits = [ln for ln in lines if ln.startswith(f"{where}: [{type_}]{col}")]
            assert hits, f"no '{where}: [{type_}]{col}' in:\n{out.stderr}"
            if column:
                assert " value " in hits[0]  # the message names the value too
        assert snapshot(repo) == before
    finally:
        _restore(repo, state)
