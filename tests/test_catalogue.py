"""A catalogue of mistakes a curator can make in raw/, each applied to the session's
built copy of the repository (``built_repo``, put back as it was after each case)
and followed by the pipeline.

How a case runs the pipeline:

- Most run it in this process as `dvc repro` runs it (conftest ``repro_in_process``):
  each stage of dvc.yaml, in dvc.yaml's order, through its module's ``main``,
  stopping at the first that fails. A subprocess costs seconds a case (DVC's own
  start, then each stage's imports of pandas and pandera); in this process a case
  costs what its stages do. DVC skips a stage whose inputs did not change; running
  it anyway rewrites the same bytes, so the outcome is the same: when this was
  introduced every case was run both ways side by side and gave the same exit
  status, the same problem lines and the same published package.
- A few run real `dvc repro` in a subprocess (``dvc`` says why): a case failing
  in each stage a case reaches through `dvc repro` (clean, reconcile, derive,
  package, publish), to hold that DVC carries a stage's failure to a non-zero
  exit and leaves processed/ untouched; a case DVC sends to a later stage than
  this process would (the problem is the same); and the cases DVC runs one late
  stage alone for, which this process would reach only after every stage before
  it. (A failure of report or reader needs a candidate edited between stages,
  which `dvc repro` would rebuild: those cases name ``stage``.)
- A case naming ``stage`` runs that one module alone, in this process, as a
  curator running ``python -m`` would: an edit of the published package (which
  ``tables.validation`` checks), or of the candidate between stages (which
  `dvc repro` would undo by running again the stage that wrote it).

For every rejected case: a non-zero exit; one line per problem naming the file,
the line a text editor shows, the column, the value and the rule; no
traceback; and processed/ and datapackage.json byte-identical to before. The
harmless cases (a byte-order mark, Windows line endings) are accepted and leave
the published package as it was.

Each case then goes through `stopitnow-figures check` too (in this process, on
the same copy: the function the command calls), which must report the same
problems, located the same, as the build did: `check` runs every rule the
build runs on raw/. Two kinds of case say otherwise, and `check` must find
nothing in them: a rule over what only the build computes (``built_only``
names it), and an edit of the candidate or the published package (a case run
by a later stage than clean), which `check` does not read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import (
    clear_caches,
    dvc,
    package_version,
    repro_in_process,
    run_module,
    snapshot,
)

pytestmark = pytest.mark.slow

H = "herald-2017-scotland"
E = "eveningtimes-2017-glasgow"


def line_of(repo: Path, rel: str, needle: str) -> int:
    """The editor line of the first line holding ``needle`` (worked out from the file, not the
    program)."""
    for i, text in enumerate(
        (repo / rel).read_bytes().decode("utf-8", errors="replace").split("\n"), 1
    ):
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


def link_out(rel: str) -> Callable[[Path], None]:
    """Replace a table by a link to an edited copy of it outside the repository (edited, so DVC
    reruns)."""

    def apply(repo: Path) -> None:
        outside = repo.parent / f"outside-{Path(rel).name}"
        outside.write_bytes((repo / rel).read_bytes() + b"\n")
        (repo / rel).unlink()
        (repo / rel).symlink_to(outside)

    return apply


def copy_row(rel: str, key: str, new_key: str) -> Callable[[Path], None]:
    """Append a copy of the row whose first cell is ``key``, with ``new_key`` in its place."""

    def apply(repo: Path) -> None:
        text = (repo / rel).read_text(encoding="utf-8")
        row = next(line for line in text.splitlines() if line.startswith(f"{key},"))
        (repo / rel).write_text(text + new_key + row[len(key) :] + "\n", encoding="utf-8")

    return apply


def drop_row(rel: str, key: str) -> Callable[[Path], None]:
    """Remove the row whose first cell is ``key`` (a row of one line)."""

    def apply(repo: Path) -> None:
        lines = (repo / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.startswith(f"{key},")]
        assert len(kept) == len(lines) - 1, f"no one row {key!r} in {rel}"
        (repo / rel).write_text("".join(kept), encoding="utf-8")

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
        srcs.write_text(
            srcs.read_text().replace(
                hashlib.sha256(before).hexdigest(), hashlib.sha256(after).hexdigest()
            )
        )

    return apply


def append(rel: str, text: str) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        path = repo / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return apply


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        for step in steps:
            step(repo)

    return apply


def ran(stage: str, returncode: int) -> Callable[[Path], None]:
    """Run a stage by hand in the copy, as a curator might, and check how it ended."""

    def apply(repo: Path) -> None:
        out = run_module(repo, f"stopitnow_figures.stages.{stage}")
        assert out.returncode == returncode, out.stderr

    return apply


def folder_in_the_way(rel: str) -> Callable[[Path], None]:
    """A published file replaced by a folder holding a file: a rename onto it fails."""

    def apply(repo: Path) -> None:
        (repo / rel).unlink()
        (repo / rel).mkdir()
        (repo / rel / "kept.txt").write_text("in the way\n", encoding="utf-8")

    return apply


def long_chain_of_figures(repo: Path) -> None:
    """A new article of 1,000 sentences whose figures each take their period from the one before,
    the first from the last: a cycle 1,000 figures round (the reader of periods must not
    recurse)."""
    sid, n = "synthetic-2017-chain", 1000
    sentences = [f"In case {_letters(k)} we saw {k + 10} people." for k in range(n)]
    text = ("\n".join(sentences) + "\n").encode()
    (repo / "raw" / "sources" / f"{sid}.txt").write_bytes(text)
    row = (
        f"{sid},Synthetic Press,A "
        "chain,https://example.org/chain,given,given,2017-02-01,2017-02-28,inferred,For a "
        f"test.,chain.txt,{hashlib.sha256(text).hexdigest()},news article,whole,\n"
    )
    append(SRC, row)(repo)
    rows = [
        f"{sid}-f{k + 1:04d},{sid},uk-2016-helpline-calls,In case {_letters(k)} we saw {k + 10} "
        f"people,{k + 10},helpline_any,people,,,{sid}-f{(k - 1) % n + 1:04d},,\n"
        for k in range(n)
    ]
    append(FIG, "".join(rows))(repo)


def _letters(k: int) -> str:
    """A tag of consonants only, different for every k, so it adds no numeric mention."""
    out = ""
    while True:
        k, r = divmod(k, 20)
        out = "bcdfghjklmnpqrstvwxz"[r] + out
        if k == 0:
            return out


def long_chain_of_derivations(repo: Path) -> None:
    """1,000 metrics each computed from the one before, the first from an id that does not exist."""
    rows = [
        f"chain-{k:04d},total,{{chain-{k - 1:04d}}} + 0,calls,,,A link.\n" for k in range(1, 1000)
    ]
    append(DER, "chain-0000,total,{no-such-figure} + 0,calls,,,The first link.\n" + "".join(rows))(
        repo
    )


@dataclass
class Case:
    name: str
    mutate: Callable[[Path], None]
    # each expected problem: (type, file, needle that finds the line or a line number, column or
    # None)
    expect: list[tuple[str, str, str | int | None, str | None]] = field(default_factory=list)
    accepted: bool = False
    stage: str | None = None  # run this stage module directly instead of dvc repro
    only: bool = False  # the expected problems are all the run reports (nothing follows from them)
    message: str = ""  # where given, the exact message of the first expected problem
    built_only: str = (
        ""  # why `check` cannot find it: the rule reads a value only the build computes
    )
    dvc: str = ""  # why it runs real `dvc repro` (the others run the stages in this process)


FIG = "raw/figures.csv"
SRC = "raw/sources.csv"
POP = "raw/reference/population.csv"
DER = "raw/derivations.csv"
CLA = "raw/claims.csv"
QUA = "raw/quantities.csv"
IDE = "raw/identities.csv"
CAND = "build/package/processed/figures.csv"
PUB = "processed/figures.csv"
NF = "raw/not_figures.csv"
GEO = "raw/geographies.csv"
PER = "raw/period_readings.csv"
NOT = "raw/pages_not_added.csv"

# why a case runs real `dvc repro` (see the module's docstring)
SHOWN = "one case a stage: DVC carries a failure of {} to a non-zero exit, processed/ untouched"
PACKAGE_ALONE = (
    "DVC runs package alone (only its own inputs changed): cheaper than every stage before it in "
    "this process"
)

CASES = [
    Case(
        "quote not in its article",
        edit(FIG, "In total, 78 calls were made", "In total, 87 calls were made"),
        [("quote-not-in-source", FIG, "In total, 87 calls", "quote")],
        dvc=SHOWN.format("clean"),
    ),
    Case(
        "quote typed with a plain space where the article has a non-breaking one",
        edit(FIG, "HUNDREDS of residents\xa0have", "HUNDREDS of residents have"),
        [("quote-not-in-source", FIG, "HUNDREDS of residents have", "quote")],
    ),
    Case(
        "every failure in the file is reported in one run",
        lambda r: (
            edit(FIG, "In total, 78 calls", "In total, 88 calls")(r),
            edit(FIG, "rising to 55 during", "rising to 65 during")(r),
        ),
        [
            ("quote-not-in-source", FIG, "In total, 88 calls", "quote"),
            ("quote-not-in-source", FIG, "rising to 65 during", "quote"),
        ],
    ),
    Case(
        "a drafted row left unfinished",
        edit(
            FIG,
            ',Nearly 80,helpline_own_behaviour,people,Scotland,last year,,,"The article',
            ',Nearly 80,,people,Scotland,last year,,,"DRAFT (to fill: measure): The article',
        ),
        [("draft-row", FIG, "herald-2017-scotland-f02,", "notes")],
        only=True,
    ),
    Case(
        "quote that occurs twice",
        edit(
            FIG,
            ",36 people from Greater Manchester called a confidential helpline operated by Stop "
            "it Now!,36,",
            ",36,36,",
        ),
        [("quote-ambiguous", FIG, "wigantoday-2016-greater-manchester-f02,", "quote")],
    ),
    Case(
        "source text changed after its sha256 was recorded",
        write_bytes(f"raw/sources/{H}.txt", lambda b: b.replace(b"78 calls", b"79 calls")),
        [("source-hash-mismatch", SRC, H, "sha256")],
    ),
    Case(
        "source file missing",
        lambda r: (r / "raw" / "sources" / f"{H}.txt").unlink(),
        [("missing-source-file", SRC, H, "source_id")],
    ),
    Case(
        "source file present but not listed",
        lambda r: (r / "raw" / "sources" / "metro-2018-london.txt").write_text(
            "Some 12 men called.\n"
        ),
        [("unlisted-source-file", "raw/sources/metro-2018-london.txt", None, None)],
    ),
    Case(
        "unknown source_id",
        edit(FIG, f"{H}-f07,{H},", f"{H}-f07,herald-2071-scotland,"),
        [("unknown-id", FIG, f"{H}-f07,", "source_id")],
    ),
    Case(
        "duplicate figure_id",
        edit(FIG, f"{H}-f07,", f"{H}-f06,"),
        [("duplicate-id", FIG, "A further 28 Scots", "figure_id")],
    ),
    Case(
        "number as written that cannot be parsed",
        edit(
            FIG,
            ",A further 28 Scots rang over the same period to talk about their concerns about the "
            "online behaviour of another adult,28,",
            ",A further 28 Scots rang over the same period to talk about their concerns about the "
            "online behaviour of another adult,Scots,",
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
        "a hedged count read open: its interval contradicts its qualifier",
        edit(
            FIG,
            ",around 300,website_visitors,people,the city,In the first 12 months since "
            "launching,,,",
            ",around 300,website_visitors,people,the city,In the first 12 months since "
            "launching,,open eveningtimes-2017-glasgow-f04,",
        ),
        [
            ("qualifier-interval", FIG, "eveningtimes-2017-glasgow-f07,", "qualifier"),
            ("vague-floor", FIG, "eveningtimes-2017-glasgow-f07,", "reading"),
        ],
        only=True,
    ),
    Case(
        "a vague word left capped where its article's own number shows it a floor",
        edit(
            FIG,
            ",thousands,estimated_offenders,people,,,,open herald-2017-scotland-f08,",
            ",thousands,estimated_offenders,people,,,,,",
        ),
        [("vague-floor", FIG, "herald-2017-scotland-f12,", "reading")],
        only=True,
    ),
    Case(
        "a vague word read open with no number of its article to show it a floor",
        edit(
            FIG,
            ",tens of thousands,people_helped,people,,,,,",
            ",tens of thousands,people_helped,people,,,,open bournemouthecho-2019-dorset-f07,",
        ),
        [("vague-floor", FIG, "bournemouthecho-2019-dorset-f06,", "reading")],
        only=True,
    ),
    Case(
        "an identity across two articles said to hold by definition",
        edit(
            IDE,
            "{scotland-2015-17-website-visitors},reading,",
            "{scotland-2015-17-website-visitors},definition,",
        ),
        [("identity-basis", IDE, "national-q2-visitors-within-evening-times-total,", "basis")],
        only=True,
        dvc=SHOWN.format("reconcile"),
    ),
    Case(
        "an identity's basis outside its vocabulary",
        edit(IDE, "{uk-ceop-estimate},reading,", "{uk-ceop-estimate},guess,"),
        [("not-in-vocabulary", IDE, "estimates-2016-over-ceop,", "basis")],
    ),
    Case(
        "a page found and not added, with a reason outside its vocabulary",
        append(NOT, "https://example.org/page,Example,,,inferred,kind-unknown,A note.\n"),
        [("not-in-vocabulary", NOT, "kind-unknown", "reason")],
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
        "a stated length that disagrees with the dates the same words name",
        # worked by hand: October 2015 (from the 1st) to September 2016 (to the 30th) is twelve
        # whole months, not six
        edit(
            FIG,
            ",between October 2015 and September 2016,,",
            ",in the six months between October 2015 and September 2016,,",
        ),
        [("period-length-mismatch", FIG, "wigantoday-2016-greater-manchester-f02,", "period")],
        only=True,  # the figures that take their period from it get no problem of their own
        message=(
            "'in the six months between October 2015 and September 2016' gives 6 months, but the "
            "dates it names read as 2015-10-01 to 2016-09-30, 12 months; write the reading you "
            "judge right in raw/period_readings.csv, with your reasoning"
        ),
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
        edit(
            PER,
            f"{E},between October 2016 and today,2016-10-01,2017-07-31",
            f"{E},between October 2016 and today,2016-10-01,2017-12-31",
        ),
        [("period-after-publication", FIG, "with 555 people using", "period")],
    ),
    Case(
        "impossible publication date",
        edit(SRC, "2017-12-14,2017-12-15", "2017-12-14,2017-12-32"),
        [("bad-date", SRC, "2017-12-32", "published_latest")],
    ),
    Case(
        "negative count",
        edit(POP, ",2016,5404700,", ",2016,-5404700,"),
        [("out-of-range", POP, "-5404700", "value")],
    ),
    Case(
        "share above 100 per cent",
        edit(
            DER,
            "{edinburgh-2015-17-website-visitors} / {scotland-2015-17-website-visitors} * 100",
            "{scotland-2015-17-website-visitors} / {edinburgh-2015-17-website-visitors} * 100",
        ),
        [("share-at-most-100", DER, "eveningtimes-edinburgh-share", "value")],
        built_only="the share is computed from the solved quantities",
    ),
    Case("empty file", write_bytes(FIG, lambda b: b""), [("empty-file", FIG, 1, None)]),
    Case(
        "header missing a column",
        edit(FIG, ",reading,notes\n", ",reading\n"),
        [("missing-column", FIG, 1, "notes")],
    ),
    Case(
        "header with an unknown column",
        edit(FIG, ",notes\n", ",notes,extra\n"),
        [("unknown-column", FIG, 1, "extra")],
    ),
    Case(
        "wrong delimiter",
        write_bytes(PER, lambda b: b.replace(b",", b";")),
        [("wrong-delimiter", PER, 1, None)],
    ),
    Case(
        "bytes that are not UTF-8",
        write_bytes(FIG, lambda b: b.replace(b"Scots rang", b"Sc\xf6ts rang")),
        [("not-utf8", FIG, "A further 28 Sc", None)],
    ),
    Case(
        "cell a spreadsheet would run as a formula",
        edit(
            FIG,
            '"""These calls were said to come from wives or parents."""',
            '"=HYPERLINK(""http://example.org"",""x"")"',
        ),
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
        edit(
            DER,
            "{scotland-2016-helpline-own-calls} / 12",
            "{scotland-2016-helpline-own-callz} / 12",
        ),
        [("unknown-id", DER, "scotland-2016-helpline-own-callz", "formula")],
    ),
    Case(
        "a derivation that names a single figure, not its quantity",
        edit(DER, "{scotland-2016-helpline-own-calls} / 12", "{herald-2017-scotland-f04} / 12"),
        [("unknown-id", DER, "herald-2017-scotland-f04", "formula")],
    ),
    # -- quantities and identities (the reconcile stage) --
    Case(
        "a figure that names a quantity of another place",
        edit(
            FIG,
            ',glasgow-2015-17-website-visitors,"Since October 2015',
            ',edinburgh-2015-17-website-visitors,"Since October 2015',
        ),
        [("quantity-mismatch", FIG, "Since October 2015, a total of 836", "geography_code")],
    ),
    Case(
        "a figure that names a quantity of another measure",
        edit(
            FIG,
            "herald-2017-scotland,scotland-2016-helpline-own-calls,",
            "herald-2017-scotland,uk-2016-people-viewing-estimate,",
        ),
        [("quantity-mismatch", FIG, "In total, 78 calls", "measure")],
    ),
    Case(
        "a figure that names no known quantity",
        edit(
            FIG,
            "herald-2017-scotland,scotland-2016-helpline-own-calls,",
            "herald-2017-scotland,scotland-2016-helpline-own-callz,",
        ),
        [("unknown-id", FIG, "In total, 78 calls", "quantity_id")],
    ),
    Case(
        "a quantity nothing mentions or relates",
        append(QUA, "scotland-2016-nothing,Nothing,helpline_any,calls,events,S92000003,,\n"),
        [("unused-row", QUA, "scotland-2016-nothing", "quantity_id")],
    ),
    Case(
        "two quantities of one series and period",
        # the quarter's help-seekers made website visitors (quantity and figure alike): the same
        # measure, unit, counting, place and period (26 June to 25 September 2017) as the quarter's
        # website visitors, so one series has two quantities for one period; the later id is the
        # one located
        both(
            edit(
                QUA,
                ",help_seekers,people,distinct,S92000003,of:national-2017-scotland-f01",
                ",website_visitors,people,distinct,S92000003,of:national-2017-scotland-f01",
            ),
            edit(
                FIG,
                ",ALMOST 1000,help_seekers,people,Scotland,",
                ",ALMOST 1000,website_visitors,people,Scotland,",
            ),
        ),
        [("series-clash", QUA, "scotland-2017q3-website-visitors,", "quantity_id")],
        only=True,
        message="scotland-2017q3-help-seekers and scotland-2017q3-website-visitors are both "
        "series-s92000003-website-visitors-people-distinct-3-months-from-day-26-of-march "
        "for 2017-06-26 to 2017-09-25",
    ),
    Case(
        "a quantity listed twice",
        append(QUA, "uk-2016-helpline-calls,Again,helpline_any,calls,events,K02000001,,\n"),
        [("duplicate-id", QUA, "uk-2016-helpline-calls,Again", "quantity_id")],
    ),
    Case(
        "an identity that names no known quantity",
        append(
            IDE,
            "test-unknown,{uk-2016-helpline-callz},at "
            "most,{uk-2016-helpline-calls},definition,For the test.\n",
        ),
        [("unknown-id", IDE, "test-unknown", "left")],
    ),
    Case(
        "an identity whose right side is not a formula",
        append(
            IDE,
            "test-bad-right,{uk-2016-helpline-calls},at most,{scotland-2016-helpline-own-calls} "
            "*,definition,For the test.\n",
        ),
        [("bad-formula", IDE, "test-bad-right", "right")],
    ),
    Case(
        "a total and parts counted differently",
        append(
            IDE,
            "test-mixed,{uk-2016-helpline-calls},sum of "
            "parts,{scotland-2016-helpline-own-callers},definition,For the test.\n",
        ),
        [("bad-formula", IDE, "test-mixed", "right")],
    ),
    Case(
        "a relation the article states that no claim checks (the claim rule)",
        drop_row(CLA, "herald-share"),
        [("unchecked-relation", FIG, "herald-2017-scotland-f05,", "measure")],
        only=True,
    ),
    Case(
        "a claim relation outside the vocabulary",
        edit(
            CLA,
            "{south-west-2019h1-help-seekers},at most,",
            "{south-west-2019h1-help-seekers},below,",
        ),
        [("not-in-vocabulary", CLA, "bournemouthecho-dorset-within-south-west", "relation")],
    ),
    Case(
        "a claim formula that names a single figure",
        edit(
            CLA,
            "herald-nearly-80,herald-2017-scotland-f02,{scotland-2016-helpline-own-callers}",
            "herald-nearly-80,herald-2017-scotland-f02,{herald-2017-scotland-f04}",
        ),
        [("unknown-id", CLA, "herald-nearly-80", "formula")],
    ),
    Case(
        "an equals claim whose formula does not give its figure's quantity",
        edit(
            CLA,
            "eveningtimes-total,eveningtimes-2017-glasgow-f04,{glasgow-2015-17-website-visitors}",
            "eveningtimes-total,eveningtimes-2017-glasgow-f04,{glasgow-2015-16-website-visitors} "
            "+ {glasgow-2016-17-website-visitors}",
        ),
        [("bad-formula", CLA, "eveningtimes-total", "formula")],
        built_only="the formula's interval is computed from the solved quantities",
    ),
    Case(
        "a derivation kind outside the vocabulary (a rule of the published schema, on a raw cell)",
        edit(DER, "herald-calls-per-month,monthly_rate,", "herald-calls-per-month,per_month,"),
        [("not-in-vocabulary", DER, "herald-calls-per-month,per_month,", "kind")],
        only=True,
    ),
    Case(
        "derivation that depends on itself",
        both(
            edit(
                DER,
                "{glasgow-2015-16-website-visitors} / 12",
                "{eveningtimes-monthly-pct-change} / 12",
            ),
            edit(
                DER,
                "({glasgow-2016-17-website-visitors} * 12 /",
                "({eveningtimes-first-year-per-month} * 12 /",
            ),
        ),
        [("derivation-cycle", DER, "eveningtimes-first-year-per-month", "formula")],
    ),
    Case(
        "formula outside the documented form",
        edit(
            DER,
            "{scotland-2016-helpline-own-calls} / 12",
            "{scotland-2016-helpline-own-calls} ** 12",
        ),
        [("bad-formula", DER, "herald-calls-per-month", "formula")],
    ),
    Case(
        "claim with no inputs",
        edit(
            CLA,
            "herald-nearly-80,herald-2017-scotland-f02,{scotland-2016-helpline-own-callers}",
            "herald-nearly-80,herald-2017-scotland-f02,78",
        ),
        [("no-inputs", CLA, "herald-nearly-80", "formula")],
    ),
    Case(
        "number in an article that no table accounts for",
        rehash_source(
            H,
            b"28 Scots rang over the same period",
            b"28 Scots rang over the same period, 3 of them twice,",
        ),
        [("unaccounted-number", f"raw/sources/{H}.txt", "3 of them twice", None)],
    ),
    # -- files and their form ------------------------------------------------
    # DVC refuses a stage whose dependency is missing before the stage runs (its own "[Errno 2]"
    # message); the stage itself, as `check` runs it, names the file
    Case(
        "a table that is missing",
        lambda r: (r / NF).unlink(),
        [("missing-file", NF, None, None)],
        stage="stages.clean",
    ),
    Case(
        "a header that cannot be read (a quote left open)",
        write_bytes(PER, lambda b: b'"' + b),
        [("bad-header", PER, 1, None)],
    ),
    Case(
        "a column twice in the header",
        edit(NF, ",category,reason\n", ",category,reason,reason\n"),
        [("duplicate-column", NF, 1, "reason")],
    ),
    Case(
        "a row with too few cells",
        edit(
            PER,
            "herald-2017-scotland,four years ago,",
            "herald-2017-scotland,too few\nherald-2017-scotland,four years ago,",
        ),
        [("wrong-cell-count", PER, "herald-2017-scotland,too few", None)],
    ),
    Case(
        "a row the CSV reader cannot parse (text after a closing quote)",
        edit(
            NF,
            "national-2017-scotland,one,When one Facebook",
            'national-2017-scotland,one,"When one" Facebook',
        ),
        [("bad-csv", NF, '"When one" Facebook', None)],
    ),
    Case(
        "a control character in a cell (a terminal escape)",
        edit(
            FIG,
            "Counts accesses (times), not people.",
            "Counts accesses\x1b[2J (times), not people.",
        ),
        [("control-character", FIG, "Counts accesses", "notes")],
    ),
    Case(
        "a lone carriage return in a cell without quotes (the csv module would end the row there)",
        edit(
            NF,
            "national-2017-scotland,one,When one Facebook",
            "national-2017-scotland,one,When one\rFacebook",
        ),
        [("control-character", NF, "national-2017-scotland,one,When one", "context")],
    ),
    Case(
        "a lone carriage return inside a quoted cell",
        edit(FIG, "Counts accesses (times), not people.", "Counts accesses\r (times), not people."),
        [("control-character", FIG, "Counts accesses", "notes")],
        only=True,
    ),
    Case(
        "a direction override in a cell (text shown reversed)",
        edit(QUA, "Men in Scotland who called", "Men in Scotland who \u202ecalled"),
        [("control-character", QUA, "Men in Scotland who", "description")],
        only=True,
    ),
    Case(
        "tag characters in a cell (text a reader cannot see)",
        edit(QUA, "Men in Scotland who called", "Men in Scotland who \U000e0068\U000e0069called"),
        [("control-character", QUA, "Men in Scotland who", "description")],
        only=True,
    ),
    Case(
        "a zero-width space in a quote",
        edit(
            FIG,
            "Counts accesses (times), not people.",
            "Counts accesses\u200b (times), not people.",
        ),
        [("control-character", FIG, "Counts accesses", "notes")],
        only=True,
    ),
    Case(
        "an article text that is a folder, not a file",
        lambda r: (
            (r / "raw" / "sources" / f"{H}.txt").unlink(),
            (r / "raw" / "sources" / f"{H}.txt").mkdir(),
        ),
        [("unsafe-path", f"raw/sources/{H}.txt", None, None)],
    ),
    Case(
        "an output that cannot be written (its folder is a file)",
        lambda r: (
            shutil.rmtree(r / "build" / "package"),
            (r / "build" / "package").write_text("not a folder\n"),
        ),
        [("cannot-write", "build/package/processed/figures.csv", None, None)],
    ),
    # -- configuration ---------------------------------------------------------
    Case(
        "a hedge width outside (0, 1)",
        edit("params.yaml", "nearly: {share: 0.1,", "nearly: {share: 1.5,"),
        [("bad-config", "params.yaml", "nearly: {share: 1.5", "clean.hedge_widths.nearly.share")],
    ),
    Case(
        "a source id outside its pattern",
        edit(SRC, "herald-2017-scotland,The Herald", "Bad_ID,The Herald"),
        [("pattern", SRC, "Bad_ID,", "source_id")],
    ),
    Case(
        "a source's cell left empty, the source listed out of id order",
        edit(SRC, "bournemouthecho-2019-dorset,Bournemouth Echo,", "bournemouthecho-2019-dorset,,"),
        [("required", SRC, "bournemouthecho-2019-dorset,,", "publisher")],
        only=True,
    ),
    Case(
        "the first source's hash wrong: nothing follows from its unread text",
        edit(SRC, "dd02eeee3bc0e76485cc8bf65ec61e5759fb0354ed7a2d645f687b48f1b6382a", "0" * 64),
        [("source-hash-mismatch", SRC, "herald-2017-scotland,", "sha256")],
        only=True,
    ),
    Case(
        "a figure row copied under a new id",
        copy_row(FIG, "herald-2017-scotland-f04", "herald-2017-scotland-f99"),
        [("number-claimed-twice", FIG, "herald-2017-scotland-f99,", "quote")],
        only=True,
    ),
    Case(
        "a table that is a link out of the repository",
        link_out(FIG),
        [("unsafe-path", FIG, None, None)],
    ),
    Case(
        "a key twice in params.yaml",
        edit(
            "params.yaml",
            "  word_multiple_width: 0.1\n",
            "  word_multiple_width: 0.1\n  word_multiple_width: 0.2\n",
        ),
        [("bad-config", "params.yaml", "word_multiple_width: 0.2", None)],
        stage="stages.clean",
        only=True,
    ),
    Case(
        "a YAML alias in params.yaml",
        edit(
            "params.yaml",
            "  word_multiple_width: 0.1\n",
            "  word_multiple_width: &w 0.1\n  coarse: *w\n",
        ),
        [("bad-config", "params.yaml", "word_multiple_width: &w 0.1", None)],
        stage="stages.clean",
        only=True,
    ),
    Case(
        "params.yaml nested 5,000 deep",
        edit(
            "params.yaml",
            "  word_multiple_width: 0.1\n",
            "  word_multiple_width: 0.1\n  deep: " + "[" * 5000 + "]" * 5000 + "\n",
        ),
        [("bad-config", "params.yaml", "  deep: [[[", None)],
        stage="stages.clean",
        only=True,
    ),
    Case(
        "a rate base that is text",
        edit("params.yaml", "rate_per: 100000", "rate_per: lots"),
        [("bad-config", "params.yaml", "rate_per: lots", "derive.rate_per")],
        dvc="DVC runs derive alone (the params it reads changed); in this process clean, which "
        "reads all of params.yaml, reports the same problem first; and " + SHOWN.format("derive"),
    ),
    Case(
        "a version missing from package.yaml",
        edit("package.yaml", "version: ", "edition: "),
        [("bad-config", "package.yaml", "name: stopitnow-figures", None)],
        dvc=PACKAGE_ALONE + "; and " + SHOWN.format("package"),
    ),
    Case(
        "a version with no CHANGELOG entry",
        edit("package.yaml", "version: 0.", "version: 9."),
        [("missing-changelog-entry", "CHANGELOG.md", None, None)],
        dvc=PACKAGE_ALONE,
    ),
    Case(
        "a source no CHANGELOG entry names",
        edit("CHANGELOG.md", "`national-2017-scotland` (The National) and", "The National and"),
        [
            ("source-not-in-changelog", "CHANGELOG.md", f"## {package_version()[0]} - ", None)
        ],  # the current version's entry
        only=True,
        dvc=PACKAGE_ALONE,
    ),
    # -- cells, as the schemas type them ---------------------------------------
    Case(
        "a year that is not a number",
        edit(POP, ",2016,5404700,", ",twenty,5404700,"),
        [("wrong-type", POP, ",twenty,", "year")],
    ),
    Case(
        "an id outside its pattern",
        edit(POP, "pop-uk-2016,", "Pop-UK-2016,"),
        [("pattern", POP, "Pop-UK-2016", "population_id")],
    ),
    Case(
        "a period reading no figure uses",
        edit(
            PER,
            "herald-2017-scotland,four years ago,",
            "herald-2017-scotland,in the "
            "spring,2016-03-01,2016-05-31,Unused.\nherald-2017-scotland,four years ago,",
        ),
        [("unused-row", PER, "in the spring", "period")],
    ),
    Case(
        "a geography code no place or population row uses",
        edit(
            GEO,
            "S12000042,Dundee City",
            "S12000033,Aberdeen City,council area,,\nS12000042,Dundee City",
        ),
        [("unused-row", GEO, "S12000033", "geography_code")],
    ),
    Case(
        "a union of areas whose code is not its members' codes, sorted and joined",
        edit(
            GEO,
            "S12000042,Dundee City",
            "S12000049+S12000036,Glasgow and Edinburgh,union of areas,S12000036 "
            "S12000049,\nS12000042,Dundee City",
        ),
        [("union-members", GEO, "S12000049+S12000036", "geography_code")],
    ),
    Case(
        "an annual report without the period it covers",
        edit(SRC, ",news article,whole,", ",annual report,whole,"),
        [("required", SRC, H, "covers")],
    ),
    # -- sources and figures ---------------------------------------------------
    Case(
        "a not-figure context that is not in its article",
        edit(NF, "When one Facebook user complained", "When one Twitter user complained"),
        [("context-not-in-source", NF, "Twitter", "context")],
    ),
    Case(
        "a period_ref that leads back to its own figure",
        edit(
            FIG,
            'Edinburgh",78,helpline_own_behaviour,calls,Scotland,last year,,',
            'Edinburgh",78,helpline_own_behaviour,calls,Scotland,last '
            "year,herald-2017-scotland-f07,",
        ),
        [("period-ref-cycle", FIG, f"{H}-f04,", "period_ref")],
        only=True,
    ),
    Case(
        "a formula whose value is too large for a number",
        edit(
            DER,
            "{scotland-2016-helpline-own-calls} / 12,",
            "{scotland-2016-helpline-own-calls}" + " * 999999999999999" * 100 + ",",
        ),
        [("bad-formula", DER, "herald-calls-per-month", "formula")],
        only=True,
        built_only="the formula is evaluated on the solved quantities",
    ),
    Case(
        "a derivation period rule of an unknown id",
        edit(DER, "of:scotland-2016-helpline-own-calls,Calls", "of:nothing-here,Calls"),
        [("bad-period", DER, "herald-calls-per-month", "period")],
    ),
    Case(
        "a typed row that lacks a field of the figures schema",
        edit(
            "schemas/figures.schema.json",
            '"name": "notes",',
            '"name": "reviewer",\n      "type": "string"\n    },\n    {\n      "name": "notes",',
        ),
        [("typed-row-mismatch", "schemas/figures.schema.json", None, None)],
    ),
    # -- the published package, edited by hand (found by its validation) -------
    Case(
        "published offsets that are not the quote's",
        edit(PUB, ",1795,1877,", ",1796,1877,"),
        [("quote-not-at-offsets", PUB, ",1796,1877,", "char_start")],
        stage="tables.validation",
    ),
    Case(
        "published offsets out of order",
        edit(PUB, ",1795,1877,", ",1877,1795,"),
        [("offsets-ordered", PUB, ",1877,1795,", "char_end")],
        stage="tables.validation",
    ),
    Case(
        "a published count below zero",
        edit(PUB, ",78,exact,78,78,", ",-78,exact,-78,-78,"),
        [("count-not-negative", PUB, ",-78,exact,", "value")],
        stage="tables.validation",
    ),
    Case(
        "a published interval out of order",
        edit(PUB, ",78,exact,78,78,", ",78,exact,80,79,"),
        [("bounds-ordered", PUB, ",78,exact,80,79,", "value")],
        stage="tables.validation",
    ),
    Case(
        "a published exact count with an interval around it",
        edit(PUB, ",78,exact,78,78,", ",78,exact,70,80,"),
        [("qualifier-interval", PUB, ",78,exact,70,80,", "qualifier")],
        stage="tables.validation",
        only=True,
    ),
    Case(
        "a published stated interval out of order",
        edit(
            "processed/claims.csv",
            "herald-nearly-80,herald-2017-scotland-f02,equals,80,72,80,",
            "herald-nearly-80,herald-2017-scotland-f02,equals,80,81,80,",
        ),
        [("stated-ordered", "processed/claims.csv", "herald-nearly-80,", "stated")],
        stage="tables.validation",
    ),
    Case(
        "a published period with one date",
        edit(
            "processed/derived.csv",
            ",S92000003,2016-01-01,2016-12-31,of:scotland-2016-helpline-own-calls,",
            ",S92000003,2016-01-01,,of:scotland-2016-helpline-own-calls,",
        ),
        [("period-complete", "processed/derived.csv", "herald-calls-per-month,", "period_end")],
        stage="tables.validation",
    ),
    # -- the candidate, edited between stages (found before anything is published) --
    Case(
        "a candidate table edited after its descriptor was written",
        edit(CAND, ",1795,", ",1796,"),
        [
            ("hash-mismatch", "build/package/datapackage.json", None, None),
            ("untraced-cell", CAND, ",1796,", "char_start"),
        ],
        stage="stages.publish",
    ),
    Case(
        "publishing by hand a candidate the quality report rejected",
        both(
            edit(CAND, ",Dundee City,S12000042,", ",Dundee City,S12000099,"),
            ran("package", 0),
            ran("report", 1),
        ),
        [("not-passed", "build/package/verdicts/report.json", None, None)],
        stage="stages.publish",
    ),
    Case(
        "publishing a candidate file changed after the report passed it",
        edit("build/package/processed/datasheet.md", "# ", "# Edited. "),
        [("not-as-checked", "build/package/processed/datasheet.md", None, None)],
        stage="stages.publish",
        only=True,
    ),
    Case(
        "a published file that cannot be replaced (a folder in its way): what was replaced is put "
        "back",
        folder_in_the_way("processed/reader/index.html"),
        [("cannot-write", "processed/reader/index.html", None, None)],
        dvc="DVC runs publish alone (only what it publishes changed); and "
        + SHOWN.format("publish"),
        only=True,
    ),
    Case(
        "a candidate the quality report finds inconsistent",
        edit(CAND, ",Dundee City,S12000042,", ",Dundee City,S12000099,"),
        [("expectation-failed", FIG, "eveningtimes-2017-glasgow-f06,", "geography_code")],
        stage="stages.report",
    ),
    # -- inputs that used to give a traceback ---------------------------------
    Case(
        "a formula of 1,000 terms",
        edit(
            DER,
            "{scotland-2016-helpline-own-calls} / 12",
            "{scotland-2016-helpline-own-calls}" + " + 1" * 1000,
        ),
        [("bad-formula", DER, "herald-calls-per-month", "formula")],
    ),
    Case(
        "a formula of 1,000 unary minuses",
        edit(
            DER,
            "{scotland-2016-helpline-own-calls} / 12",
            "(" + "-" * 1000 + "{scotland-2016-helpline-own-calls})",
        ),
        [("bad-formula", DER, "herald-calls-per-month", "formula")],
    ),
    Case(
        "a formula of 100,000 unary minuses",
        edit(
            DER,
            "{scotland-2016-helpline-own-calls} / 12",
            "(" + "-" * 100_000 + "{scotland-2016-helpline-own-calls})",
        ),
        [("bad-formula", DER, "herald-calls-per-month", "formula")],
    ),
    Case(
        "a number of 400 digits in a formula",
        edit(
            DER,
            "{scotland-2016-helpline-own-calls} / 12",
            "{scotland-2016-helpline-own-calls} / 1" + "0" * 400,
        ),
        [("bad-formula", DER, "herald-calls-per-month", "formula")],
    ),
    Case(
        "a chain of 1,000 derivations",
        long_chain_of_derivations,
        [("unknown-id", DER, "chain-0000,", "formula")],
    ),
    Case(
        "1,000 figures linked by period_ref, round in a cycle",
        long_chain_of_figures,
        [("period-ref-cycle", FIG, "synthetic-2017-chain-f0001,", "period_ref")],
        only=True,
    ),
    Case(
        "a hedge width that is text",
        edit("params.yaml", "nearly: {share: 0.1,", "nearly: {share: a tenth,"),
        [
            (
                "bad-config",
                "params.yaml",
                "nearly: {share: a tenth",
                "clean.hedge_widths.nearly.share",
            )
        ],
    ),
    Case(
        "a hedge width missing",
        edit("params.yaml", "    nearly: {share: 0.1, units: 3}\n", ""),
        [("bad-config", "params.yaml", "hedge_widths:", "clean.hedge_widths")],
    ),
    Case(
        "a hedge width of 0",
        edit("params.yaml", "nearly: {share: 0.1,", "nearly: {share: 0,"),
        [("bad-config", "params.yaml", "nearly: {share: 0,", "clean.hedge_widths.nearly.share")],
    ),
    Case(
        "a negative hedge width",
        edit("params.yaml", "units: 3}", "units: -3}"),
        [("bad-config", "params.yaml", "units: -3}", "clean.hedge_widths.nearly.units")],
    ),
    Case(
        "a claim's words that start with a space and then =",
        edit(
            CLA,
            '"""Nearly 80 men"" (people) against the 78 calls',
            '" =1+1, nearly 80 men"" (people) against the 78 calls',
        ),
        [("formula-cell", CLA, "=1+1, nearly 80 men", "compares")],
    ),
    Case(
        "a source_id that is an absolute path",
        both(
            edit(SRC, f"\n{H},", "\n/etc/passwd,"), edit(FIG, f",{H},", ",/etc/passwd,", count=12)
        ),
        [("pattern", SRC, "/etc/passwd", "source_id")],
    ),
    # -- bad input that used to be published, or reported with false problems after it --
    Case(
        "a number as written inside a longer number of the quote ('8' in '78')",
        edit(FIG, 'Edinburgh",78,helpline', 'Edinburgh",8,helpline'),
        [("number-not-in-quote", FIG, "In total, 78 calls", "as_written")],
    ),
    Case(
        "a number as written inside a word of the quote ('one' in 'anyone')",
        append(
            FIG,
            "national-2017-scotland-f09,national-2017-scotland,scotland-2017q3-help-seekers,I’d "
            "really encourage anyone struggling,one,help_seekers,people,,,,,\n",
        ),
        [("number-not-in-quote", FIG, "I’d really encourage anyone struggling", "as_written")],
    ),
    Case(
        "a NUL byte in a note",
        edit(
            FIG, "Counts accesses (times), not people.", "Counts accesses\x00 (times), not people."
        ),
        [("control-character", FIG, "Counts accesses", "notes")],
    ),
    Case(
        "a terminal escape in a description",
        edit(DER, "Calls from Scotland about", "\x1b[2JCalls from Scotland about"),
        [("control-character", DER, "herald-calls-per-month", "description")],
    ),
    Case(
        "a cell of 10 MB: one problem, not one for each row after it",
        edit(FIG, "Counts accesses (times), not people.", "x" * 10_000_000),
        [("bad-csv", FIG, "herald-2017-scotland-f03,", None)],
        only=True,
    ),
    Case(
        "a table saved as UTF-16: one problem, not one for each number of the articles",
        write_bytes(FIG, lambda b: b.decode("utf-8").encode("utf-16")),
        [("not-utf8", FIG, 1, None)],
        only=True,
    ),
    # -- every check that can run does run --------------------------------------
    Case(
        "a bad figure_id on one row and a broken quote on another, both at once",
        both(
            edit(FIG, "herald-2017-scotland-f07,", "Herald-2017-Scotland-F07,"),
            edit(FIG, "In total, 78 calls", "In total, 87 calls"),
        ),
        [
            ("pattern", FIG, "Herald-2017-Scotland-F07,", "figure_id"),
            ("quote-not-in-source", FIG, "In total, 87 calls", "quote"),
        ],
    ),
    Case(
        "a row with an unknown source_id and other bad cells, all reported",
        both(
            edit(FIG, f"{H}-f07,{H},", f"{H}-f07,herald-2071-scotland,"),
            edit(FIG, "helpline_other_person,people,Scots", "helpline_other_person,persons,Scots"),
        ),
        [
            ("unknown-id", FIG, f"{H}-f07,", "source_id"),
            ("not-in-vocabulary", FIG, f"{H}-f07,", "unit"),
        ],
    ),
    Case(
        "byte-order mark (harmless: accepted)",
        write_bytes(FIG, lambda b: b"\xef\xbb\xbf" + b),
        accepted=True,
    ),
    Case(
        "Windows line endings (harmless: accepted)",
        write_bytes(FIG, lambda b: b.replace(b"\n", b"\r\n")),
        accepted=True,
    ),
]


# every file a case may change, restored after each one (folders a case made or unmade included)
TREES = ("raw", "schemas", "processed", "build/package", "build/reconcile")
ROOT_FILES = (
    "dvc.lock",
    "params.yaml",
    "package.yaml",
    "CHANGELOG.md",
    "datapackage.json",
    "CITATION.cff",
    ".zenodo.json",
)


@dataclass
class Saved:
    """What a case may change in the copy, as it was before the first case: each file's bytes and
    stat (size, modification time, inode), and each folder (by path relative to the copy)."""

    files: dict[str, bytes]
    stats: dict[str, tuple[int, int, int]]
    folders: set[str]


_SAVED: dict[Path, Saved] = {}


def _state(repo: Path) -> Saved:
    """The copy's files and folders that a case may change, read once a copy: each case leaves the
    copy as it found it (``_restore``), so the state before every case is the first one's."""
    if repo not in _SAVED:
        files, stats, folders = {}, {}, set()
        for rel, st in _entries(repo).items():
            if stat.S_ISDIR(st.st_mode):
                folders.add(rel)
            elif stat.S_ISREG(st.st_mode):
                files[rel], stats[rel] = (repo / rel).read_bytes(), _key(st)
        _SAVED[repo] = Saved(files, stats, folders)
    return _SAVED[repo]


def _entries(repo: Path) -> dict[str, os.stat_result]:
    """Every file, folder and link under TREES (the trees themselves included) and each of
    ROOT_FILES there, by relative path, with its own stat (a link is not followed)."""
    out = {}
    for rel in (*TREES, *ROOT_FILES):
        with contextlib.suppress(FileNotFoundError):
            out[rel] = (repo / rel).lstat()
    for tree in TREES:
        for folder, dirs, names in os.walk(repo / tree):
            for name in dirs + names:
                path = Path(folder, name)
                out[str(path.relative_to(repo))] = path.lstat()
    return out


def _key(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _restore(repo: Path, saved: Saved) -> None:
    """Put back every file and folder a case changed, made or removed, as ``saved`` holds it.

    A file whose stat is the saved one is unchanged: a restored file gets its saved modification
    time back (a build's, older than any case), and a write sets it to now. One whose stat differs
    is compared by bytes and rewritten if they differ."""
    present = _entries(repo)
    for rel in sorted(present, reverse=True):  # what a folder holds before the folder
        kind = present[rel].st_mode
        if not (
            (rel in saved.files and stat.S_ISREG(kind))
            or (rel in saved.folders and stat.S_ISDIR(kind))
        ):
            path = repo / rel
            shutil.rmtree(path) if stat.S_ISDIR(kind) else path.unlink()
            del present[rel]
    for rel in sorted(saved.folders):
        (repo / rel).mkdir(exist_ok=True)
    for rel, data in saved.files.items():
        now = present.get(rel)
        if now is not None and _key(now) == saved.stats[rel]:
            continue
        path = repo / rel
        if now is None or now.st_size != len(data) or path.read_bytes() != data:
            path.write_bytes(data)
        mtime = saved.stats[rel][1]
        os.utime(path, ns=(mtime, mtime))
        saved.stats[rel] = _key(path.lstat())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_catalogue(case: Case, built_repo: Path):
    repo = built_repo
    state = _state(repo)
    try:
        case.mutate(repo)
        before = snapshot(
            repo
        )  # the published package as the case leaves it: the run must not change it
        expected = []
        for type_, file, where, column in case.expect:
            line = where if isinstance(where, int) or where is None else line_of(repo, file, where)
            expected.append((type_, file, line, column))
        (repo / "build" / "failures.json").unlink(
            missing_ok=True
        )  # the report read below is this run's
        out = run(repo, case)
        if case.accepted:
            assert out.returncode == 0, out.stderr
            assert snapshot(repo) == before
            assert checked(repo) == []
            return
        assert out.returncode != 0
        assert "Traceback" not in out.stderr and "Traceback" not in out.stdout
        lines = problem_lines(out.stderr)
        for k, (type_, file, line, column) in enumerate(expected):
            where = file if line is None else f"{file}:{line}"
            col = f" column {column!r}" if column else ""
            hits = [ln for ln in lines if ln.startswith(f"{where}: [{type_}]{col}")]
            assert hits, f"no '{where}: [{type_}]{col}' in:\n{out.stderr}"
            if column:
                assert " value " in hits[0]  # the message names the value too
            if case.message and k == 0:
                assert hits[0].endswith(": " + case.message), hits[0]
        if case.only:
            assert len(lines) == len(expected), f"expected only {expected}, got:\n" + "\n".join(
                lines
            )
        assert snapshot(repo) == before
        _check_agrees(repo, case, lines)
    finally:
        _restore(repo, state)


def run(repo: Path, case: Case) -> subprocess.CompletedProcess:
    """The case's run: its stage module where it names one, real `dvc repro` where it says why it
    needs DVC, else the pipeline run in this process as `dvc repro` runs it."""
    if case.stage:
        return run_module(repo, f"stopitnow_figures.{case.stage}")
    if case.dvc:
        return dvc(repo, "repro")
    return repro_in_process(repo)


def problem_lines(stderr: str) -> list[str]:
    """The located problems a run printed, one a line, in its order."""
    return [ln for ln in stderr.splitlines() if re.match(r"^\S+?(:\d+)?: \[", ln)]


def _check_agrees(repo: Path, case: Case, lines: list[str]) -> None:
    """`stopitnow-figures check` on the case reports the problems the build reported, located the
    same, in the same order: nothing where the rule reads what only the build computes, or the case
    edits the candidate or the published package, which check does not read; and never a failure to
    write (it writes nothing)."""
    later = case.stage is not None and case.stage != "stages.clean"
    expected = (
        [] if case.built_only or later else [ln for ln in lines if "[cannot-write]" not in ln]
    )
    assert checked(repo) == expected


def checked(repo: Path) -> list[str]:
    """The problems `stopitnow-figures check` finds in the copy, as it prints them: the function the
    command calls, run in this process (each cache of a file's contents emptied first: the cases
    edit the schemas)."""
    from stopitnow_figures.check import check
    from stopitnow_figures.tables.errors import InputError
    from stopitnow_figures.tables.paths import Paths

    clear_caches()
    try:
        check(Paths(repo))
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_every_registered_error_type_has_a_case_asserting_it_by_name():
    from stopitnow_figures.tables.errors import REGISTRY

    asserted = {type_ for case in CASES for type_, *_ in case.expect}
    assert asserted <= set(REGISTRY)
    assert sorted(set(REGISTRY) - asserted - LATER) == []


# error types without a case of their own here: a publish that can be neither finished nor put back
# needs a failure injected into the renames, which tests/test_faults.py does (and asserts by name);
# a command run while a publish holds its lock needs a publish paused part-way, which
# tests/test_publish_lock.py does
LATER: set[str] = {"half-published", "publish-running"}
