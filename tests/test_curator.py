"""The curator's path, end to end on an article written for the test: add-source,
propose, a curator finishing only the judgment columns and writing the article's
expected file, check, dvc repro publishing it with provenance, every test of the
real package passing in that copy (adding an article edits no test), and diff
listing what was added. Every expected value is worked out here from the
article's text."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import BUILT, ROOT, SHARED, copy_repo, env, repro_in_process
from stopitnow_figures.cli import main
from stopitnow_figures.curator import source_id
from stopitnow_figures.tables.workspace import copy_repository

ARTICLE = (
    "MORE than 200 people in Scotland called the Stop It Now! helpline last year, the charity has "
    "said.\n"
    "\n"
    "In total, 214 people from Scotland called the helpline last year, up from 160 the year "
    "before: a 34 per cent rise.\n"
    "\n"
    "Hundreds more visited its Get Help website.\n"
    "\n"
    "The helpline is for adults over 18 and can be reached on 0808 1000 900.\n"
    "\n"
    "It took 512 calls last year.\n"
)
SID = "courier-2020-scotland"
ADD = [
    "--publisher", "The Courier", "--headline", "More Scots seek help",
    "--url", "https://example.org/courier/help", "--place", "Scotland",
    "--published", "2020-01-10/2020-01-20", "--date-basis", "inferred",
    "--date-reasoning", "Written for the test: its last year is 2019.",
]  # fmt: skip


def cli(repo: Path, *args: str):
    return CliRunner().invoke(main, [args[0], "--root", str(repo), *args[1:]])


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, table: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(table[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(table)
    path.write_text(buf.getvalue(), encoding="utf-8")


def append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


@pytest.mark.data
def test_the_id_rule_gives_the_id_of_every_source():
    from datetime import date

    for s in rows(ROOT / "raw" / "sources.csv"):
        place = s["source_id"].split("-", 2)[2].replace("-", " ")
        assert (
            source_id(s["publisher"], date.fromisoformat(s["published_earliest"]), place)
            == s["source_id"]
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda f, a: f.write_bytes(
                (ROOT / "raw/sources/herald-2017-scotland.txt").read_bytes()
            ),
            "already in the package, as herald-2017-scotland",
        ),
        (lambda f, a: f.write_bytes(ARTICLE.encode("utf-16")), "is not UTF-8"),
        (
            lambda f, a: a.__setitem__(a.index("--published") + 1, "2020-01-20/2020-01-10"),
            "ends (2020-01-10) before it starts (2020-01-20)",
        ),
        (
            lambda f, a: a.__setitem__(a.index("--publisher") + 1, "The Herald"),
            None,
        ),  # herald-2020-scotland: no clash
    ],
)
def test_add_source_refuses_and_changes_nothing(tmp_path, change, message):
    repo = copy_repo(tmp_path / "repo")
    before = {p: p.read_bytes() for p in sorted((repo / "raw").rglob("*")) if p.is_file()}
    text, args = tmp_path / "article.txt", list(ADD)
    text.write_text(ARTICLE, encoding="utf-8")
    change(text, args)
    out = cli(repo, "add-source", str(text), *args)
    if message is None:
        assert out.exit_code == 0, out.output
        assert (repo / "raw/sources/herald-2020-scotland.txt").read_bytes() == ARTICLE.encode()
        return
    assert out.exit_code != 0 and message in out.output, out.output
    assert {p: p.read_bytes() for p in sorted((repo / "raw").rglob("*")) if p.is_file()} == before


def test_an_id_in_use_is_refused(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    line = (
        len(rows(repo / "raw/sources.csv")) + 2
    )  # the row add-source appends, after the header and every source
    text = tmp_path / "a.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    assert cli(repo, "add-source", str(text), *ADD).exit_code == 0
    other = tmp_path / "b.txt"
    other.write_text(ARTICLE + "A second text.\n", encoding="utf-8")
    out = cli(repo, "add-source", str(other), *ADD)
    assert (
        out.exit_code != 0 and f"the id {SID} is in use (raw/sources.csv line {line})" in out.output
    )


def _finish(repo: Path) -> None:
    """What the curator decides: the quantity, measure, place and period of each draft, and the
    quantities."""
    figures = rows(repo / "raw/figures.csv")
    mine = {f["as_written"]: f for f in figures if f["source_id"] == SID}
    judgment = {  # as written: (quantity, measure, unit, period words, period_ref)
        "MORE than 200": ("scotland-2019-helpline-callers", "helpline_any", "people", "last year",
                          ""),
        "214": ("scotland-2019-helpline-callers", "helpline_any", "people", "last year", ""),
        "160": ("scotland-2018-helpline-callers", "helpline_any", "people", "the year before", ""),
        "34 per cent": ("scotland-helpline-callers-rise-2018-2019", "percentage_change", "percent",
                        "", f"{mine['160']['figure_id']}+{mine['214']['figure_id']}"),
        "Hundreds": ("scotland-2019-website-visitors", "website_visitors", "people", "last year",
                     ""),
        "512": ("scotland-2019-helpline-calls", "helpline_any", "calls", "last year", ""),
    }  # fmt: skip
    assert set(mine) == set(judgment)
    for written, (q, measure, unit, period, ref) in judgment.items():
        f = mine[written]
        f.update(
            quantity_id=q,
            measure=measure,
            unit=unit,
            place="Scotland",
            period=period,
            period_ref=ref,
        )
        f["notes"] = "Read by the test's curator."
    write_rows(repo / "raw/figures.csv", figures)
    others = rows(repo / "raw/not_figures.csv")
    for r in others:
        r["reason"] = r["reason"].removeprefix("DRAFT (confirm): ")
    write_rows(repo / "raw/not_figures.csv", others)
    f = {w: r["figure_id"] for w, r in mine.items()}
    for line in (
        "scotland-2019-helpline-callers,People in Scotland who called the helpline in "
        f"2019,helpline_any,people,distinct,S92000003,of:{f['214']},",
        "scotland-2018-helpline-callers,People in Scotland who called the helpline in "
        f"2018,helpline_any,people,distinct,S92000003,of:{f['160']},",
        "scotland-helpline-callers-rise-2018-2019,The rise in callers from 2018 to "
        f"2019,percentage_change,percent,relation,S92000003,of:{f['34 per cent']},",
        "scotland-2019-website-visitors,Visitors from Scotland to the Get Help website in "
        f"2019,website_visitors,people,distinct,S92000003,of:{f['Hundreds']},",
        "scotland-2019-helpline-calls,Calls to the helpline from Scotland in "
        f"2019,helpline_any,calls,events,S92000003,of:{f['512']},",
    ):
        append(repo / "raw/quantities.csv", line)
    append(
        repo / "raw/identities.csv",
        "courier-callers-rise,{scotland-2019-helpline-callers},equals,"
        "{scotland-2018-helpline-callers} * (1 + {scotland-helpline-callers-rise-2018-2019} / 100),"
        "definition,The definition of the rise.",
    )
    append(
        repo / "raw/claims.csv",
        f"courier-34-per-cent,{f['34 per cent']},{{scotland-helpline-callers-rise-2018-2019}},"
        "equals,The rise from 160 to 214 callers.",
    )
    append(
        repo / "raw/period_readings.csv",
        f"{SID},the year before,2018-01-01,2018-12-31,The year before last year (2019).",
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
    entry = f"## 9.9.0 - 2026-12-01\n\n- Added {SID} (The Courier): 6 figures.\n\n"
    (repo / "CHANGELOG.md").write_text(log.replace("## ", entry + "## ", 1), encoding="utf-8")


# The article's expected file (tests/expected/README.md), worked out by hand from ARTICLE and the
# curator's readings in _finish: published between 10 and 20 January 2020, so "last year" is 2019
# (inferred: the date is). A row too long for a line goes on after a backslash, which the text
# does not hold.
S2019 = "S92000003,2019-01-01,2019-12-31,inferred"
EXPECTED_FILE = f"""table,id,quantity_id,as_written,value,qualifier,lower,upper,unit,measure,\
geography_code,period_start,period_end,period_basis,verdict,how
figures,{SID}-f01,scotland-2019-helpline-callers,MORE than 200,200,more_than,200,,people,\
helpline_any,{S2019},,"more than: [200, no upper end)"
figures,{SID}-f02,scotland-2019-helpline-callers,214,214,exact,214,214,people,helpline_any,\
{S2019},,"214, a point"
figures,{SID}-f03,scotland-2018-helpline-callers,160,160,exact,160,160,people,helpline_any,\
S92000003,2018-01-01,2018-12-31,inferred,,"160, a point; ""the year before"" read by hand as 2018"
figures,{SID}-f04,scotland-helpline-callers-rise-2018-2019,34 per cent,34,rounded,33.5,34.5,\
percent,percentage_change,S92000003,2018-01-01,2019-12-31,inferred,,\
"34 +/- half a unit; spans f03 and f02"
figures,{SID}-f05,scotland-2019-website-visitors,Hundreds,200,vague,200,999,people,\
website_visitors,{S2019},,"hundreds: [200, 999], capped (no other count of visitors)"
figures,{SID}-f06,scotland-2019-helpline-calls,512,512,exact,512,512,calls,helpline_any,{S2019},,\
"512, a point"
claims,courier-34-per-cent,,,,,,,,,,,,,consistent,"214 / 160 - 1 = 33.75% is in [33.5, 34.5]"
derived,rate-scotland-2019-helpline-callers,,,214 / 5463300 * 100000,,214 / 5463300 * 100000,\
214 / 5463300 * 100000,,,,,,,,\
"214 (MORE than 200 and 214: pinned) over Scotland's mid-2019 5,463,300"
derived,rate-per-month-scotland-2019-helpline-callers,,,214 / 5463300 * 100000 / 12,,\
214 / 5463300 * 100000 / 12,214 / 5463300 * 100000 / 12,,,,,,,,"over 12 months"
derived,rate-scotland-2018-helpline-callers,,,160 / 5438100 * 100000,,160 / 5438100 * 100000,\
160 / 5438100 * 100000,,,,,,,,"160 over Scotland's mid-2018 5,438,100"
derived,rate-per-month-scotland-2018-helpline-callers,,,160 / 5438100 * 100000 / 12,,\
160 / 5438100 * 100000 / 12,160 / 5438100 * 100000 / 12,,,,,,,,"over 12 months"
derived,rate-scotland-2019-website-visitors,,,200 / 5463300 * 100000,,200 / 5463300 * 100000,\
999 / 5463300 * 100000,,,,,,,,"[200, 999], point 200"
derived,rate-per-month-scotland-2019-website-visitors,,,200 / 5463300 * 100000 / 12,,\
200 / 5463300 * 100000 / 12,999 / 5463300 * 100000 / 12,,,,,,,,"over 12 months"
derived,rate-scotland-2019-helpline-calls,,,512 / 5463300 * 100000,,512 / 5463300 * 100000,\
512 / 5463300 * 100000,,,,,,,,"512 over 5463300"
derived,rate-per-month-scotland-2019-helpline-calls,,,512 / 5463300 * 100000 / 12,,\
512 / 5463300 * 100000 / 12,512 / 5463300 * 100000 / 12,,,,,,,,"over 12 months"
"""


def data_tests(repo: Path) -> subprocess.CompletedProcess:
    """The copy's own tests of the real package (marked data), run on the copy as it is built: its
    code, its tables, its expected files; nothing is built again. The test that calls this is not
    marked data, so the run does not recurse. The shared folder is put beside the copy as it is
    beside the repository, so that the tests that read it (the seeds, the profiles) run there rather
    than skip."""
    if SHARED.exists() and not (repo.parent / "shared").exists():
        (repo.parent / "shared").symlink_to(SHARED, target_is_directory=True)
    e = env()
    e["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo / "src"), e.get("PYTHONPATH", "")]))
    e[BUILT] = str(repo)
    for name in [k for k in e if k.startswith(("PYTEST_", "COV_"))]:
        e.pop(name)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "data", "-p", "no:xdist", "tests"],
        cwd=repo,
        env=e,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_an_article_goes_from_a_text_file_to_a_published_version_and_breaks_no_test(
    tmp_path, fresh
):
    # a copy of the package as the code under test builds it, so that diff lists only what the
    # article adds
    repo = copy_repository(fresh, tmp_path / "repo")
    text = tmp_path / "article.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    out = cli(repo, "add-source", str(text), *ADD)
    assert out.exit_code == 0 and f"added {SID}" in out.output, out.output
    assert (repo / f"raw/sources/{SID}.txt").read_bytes() == ARTICLE.encode("utf-8")
    row = rows(repo / "raw/sources.csv")[-1]
    assert (
        row["sha256"] == hashlib.sha256(ARTICLE.encode()).hexdigest()
        and row["published_latest"] == "2020-01-20"
    )

    out = cli(repo, "propose", SID)
    assert out.exit_code == 0, out.output
    drafted = [f for f in rows(repo / "raw/figures.csv") if f["source_id"] == SID]
    # the six numbers with their hedges; the period words of their sentence ("last year", "the year
    # before") as their period, each quote the shortest unique span holding the number and those
    # words; the unit where the next word says it. "34 per cent" is a rise (a relation): it takes
    # period words of its own clause only, and ": a 34 per cent rise" has none.
    assert [
        (f["figure_id"], f["as_written"], f["quote"], f["unit"], f["period"]) for f in drafted
    ] == [
        (
            f"{SID}-f01",
            "MORE than 200",
            "MORE than 200 people in Scotland called the Stop It Now! helpline last year",
            "people",
            "last year",
        ),
        (
            f"{SID}-f02",
            "214",
            "214 people from Scotland called the helpline last year",
            "people",
            "last year",
        ),
        (f"{SID}-f03", "160", "160 the year before", "", "the year before"),
        (f"{SID}-f04", "34 per cent", "34 per cent", "percent", ""),
        (f"{SID}-f05", "Hundreds", "Hundreds", "", ""),
        (f"{SID}-f06", "512", "512 calls last year", "calls", "last year"),
    ]
    assert drafted[3]["measure"] == "percentage_change"  # "rise" in its clause
    others = [
        (r["text"], r["category"])
        for r in rows(repo / "raw/not_figures.csv")
        if r["source_id"] == SID
    ]
    assert others == [("over 18", "age_limit"), ("0808 1000 900", "phone_number")]

    # a draft stops the build, naming the file, line and the columns left
    out = cli(repo, "check")
    assert out.exit_code == 1
    # the line a text editor shows the row on (a quote may hold a line break: a record can take
    # more than one line)
    line = next(
        k
        for k, text in enumerate(
            (repo / "raw/figures.csv").read_text(encoding="utf-8").split("\n"), 1
        )
        if text.startswith(f"{SID}-f03,")
    )
    assert f"raw/figures.csv:{line}: [draft-row] column 'notes'" in out.output
    assert (
        "fill in quantity_id, measure, unit, then remove the 'DRAFT' mark" in out.output
    )  # dvc repro too (test_catalogue)

    _finish(repo)
    (repo / "tests/expected" / f"{SID}.csv").write_text(EXPECTED_FILE, encoding="utf-8")
    out = cli(repo, "check")
    assert out.exit_code == 0, out.output
    # the curator's `dvc repro`, its stages run in this process (conftest ``repro_in_process``:
    # the same stages in dvc.yaml's order, the same outputs; DVC's own part is test_pipeline's)
    done = repro_in_process(repo)
    assert done.returncode == 0, done.stdout + done.stderr

    published = {
        f["figure_id"]: f for f in rows(repo / "processed/figures.csv") if f["source_id"] == SID
    }
    assert len(published) == 6
    for f in published.values():  # provenance: each quote at its offsets in the text as added
        assert ARTICLE[int(f["char_start"]) : int(f["char_end"])] == f["quote"]
    q = {r["quantity_id"]: r for r in rows(repo / "processed/quantities.csv")}
    callers = q["scotland-2019-helpline-callers"]  # "MORE than 200" and 214: pinned at 214
    assert (callers["lower"], callers["upper"], callers["status"]) == ("214", "214", "pinned")
    claim = next(
        c for c in rows(repo / "processed/claims.csv") if c["claim_id"] == "courier-34-per-cent"
    )
    assert float(claim["computed"]) == pytest.approx(
        (214 / 160 - 1) * 100
    )  # 33.75, within "34 per cent" (33.5 to 34.5)
    assert claim["verdict"] == "consistent"
    page = (repo / "processed/reader" / f"{SID}.html").read_text(encoding="utf-8")
    assert all(f'id="{i}"' in page for i in published)

    # every test of the real package passes in the copy, with the article and its expected
    # file added
    tests = data_tests(repo)
    summary = tests.stdout.splitlines()[-1] if tests.stdout else ""
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-2000:]
    assert " passed" in summary and not any(w in summary for w in ("failed", "skipped", "error")), (
        tests.stdout[-2000:]
    )

    git = ["git", "-c", "user.email=c@example.org", "-c", "user.name=c"]
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True, capture_output=True)
    subprocess.run(
        [*git, "commit", "-qm", "add the Courier"], cwd=repo, check=True, capture_output=True
    )
    out = cli(repo, "diff", "HEAD~1", "HEAD")
    assert out.exit_code == 0, out.output
    flows = [
        "scotland-2018-helpline-callers",
        "scotland-2019-helpline-callers",
        "scotland-2019-helpline-calls",
        "scotland-2019-website-visitors",
    ]
    expected = (
        [f"figures added: {SID}-f{k:02d}" for k in range(1, 7)]
        + [
            f"quantities added: {i}"
            for i in sorted([*flows, "scotland-helpline-callers-rise-2018-2019"])
        ]
        + [
            f"derived added: {i}"
            for i in sorted([f"rate-{x}" for x in flows] + [f"rate-per-month-{x}" for x in flows])
        ]
        + ["claims added: courier-34-per-cent"]
    )
    assert out.output.splitlines()[:-1] == expected
