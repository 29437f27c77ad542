"""The pipeline end to end, in temporary copies of the repository.

The run's one build (``conftest._template``) is a fresh copy's ``dvc repro``: the tests read it
rather than build another, and a rule about what a change reruns runs only the stages it needs,
putting back what it changed (``_kept``)."""

from __future__ import annotations

import contextlib
import re
import subprocess

import pytest
import yaml

from conftest import ROOT, _template, built, dvc, snapshot

pytestmark = pytest.mark.slow


def _git_status(repo):
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@contextlib.contextmanager
def _kept(repo, *names: str):
    """Put back exactly, afterwards, the files ``names`` (relative to ``repo``), dvc.lock and
    everything under build/ (removing what was added there), so that the shared built copy is as
    it was and DVC finds it up to date."""
    saved = {n: (repo / n).read_bytes() for n in (*names, "dvc.lock")}
    build = {p: p.read_bytes() for p in (repo / "build").rglob("*") if p.is_file()}
    try:
        yield
    finally:
        for p in (repo / "build").rglob("*"):
            if p.is_file() and p not in build:
                p.unlink()
        for p, data in build.items():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        for n, data in saved.items():
            (repo / n).write_bytes(data)


def _stages_listed(status: str) -> set[str]:
    """The stages ``dvc status`` names as changed (each at the start of a line, with a colon)."""
    return set(re.findall(r"^(\w+):", status, re.M))


def test_a_fresh_copy_rebuilds_the_committed_bytes_and_is_then_up_to_date(tmp_path):
    """A clone has no build/: dvc repro builds the candidate again, and publishing it changes
    nothing committed. The run's one build is that: a copy of the repository's files (ignored ones,
    build/ among them, are not copied: nothing under build/ is tracked in its git), then dvc repro.
    """
    template = _template()
    tracked = subprocess.run(
        ["git", "ls-files", "build"], cwd=template, capture_output=True, text=True, check=True
    )
    assert tracked.stdout == "" and (template / "build" / "package").is_dir()
    assert _git_status(template) == "?? .built\n"  # (the run's mark that the build is done)
    assert snapshot(template) == snapshot(ROOT)
    assert "up to date" in dvc(built(tmp_path), "status").stdout


def test_two_forced_rebuilds_give_the_committed_bytes(rebuilt):
    """The run's build was the first (`dvc repro` of a fresh copy, in a process of its own); the
    second is every stage run again in a test process (conftest ``rebuilt``: another process, so
    another hash seed, and no output of the first run trusted)."""
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert snapshot(rebuilt.repo) == snapshot(_template()) == snapshot(ROOT)
    assert _git_status(rebuilt.repo) == ""


def test_a_broken_quote_stops_the_pipeline_and_keeps_the_last_good_package(built_repo):
    before = snapshot(built_repo)
    path = built_repo / "raw" / "figures.csv"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(
            original.replace("In total, 78 calls were made", "In total, 87 calls were made"),
            encoding="utf-8",
        )
        line = next(i for i, t in enumerate(original.splitlines(), 1) if "In total, 78 calls" in t)
        out = dvc(built_repo, "repro")
        assert out.returncode != 0
        assert f"raw/figures.csv:{line}: [quote-not-in-source] column 'quote'" in out.stderr
        assert "Traceback" not in out.stderr
        assert snapshot(built_repo) == before
    finally:
        path.write_text(original, encoding="utf-8")


def test_changing_hedge_widths_reruns_clean_and_what_follows(built_repo):
    """A hedge's width is a parameter of clean: changing it puts clean out of date; run, clean
    writes other figures, and every stage after it is then out of date (so dvc repro would run
    them). Only clean runs here: what each later stage does with a changed table is the other
    tests'."""
    params = built_repo / "params.yaml"
    figures = built_repo / "build" / "package" / "processed" / "figures.csv"
    stages = set(yaml.safe_load((built_repo / "dvc.yaml").read_text())["stages"])
    before = figures.read_bytes()
    with _kept(built_repo, "params.yaml"):
        original = params.read_text()
        assert "nearly: {share: 0.1," in original
        params.write_text(original.replace("nearly: {share: 0.1,", "nearly: {share: 0.08,"))
        status = dvc(built_repo, "status").stdout
        assert "clean:" in status and "params.yaml" in status
        out = dvc(built_repo, "repro", "--single-item", "clean")
        assert out.returncode == 0, out.stderr
        assert "Running stage 'clean'" in out.stdout
        assert figures.read_bytes() != before
        assert _stages_listed(dvc(built_repo, "status").stdout) == stages - {"clean"}
    assert "up to date" in dvc(built_repo, "status").stdout


def test_changing_one_figure_changes_exactly_its_dependants(built_repo):
    """The tables of what follows from a figure are derive's (quantities, derived, claims): dvc runs
    clean, reconcile and derive, and the candidate's tables are compared (the later stages copy them
    as they are; the published ones equal the candidate's, as the tests above hold)."""
    import csv
    import io

    def table(name):
        return {
            tuple(r.values())[0]: r
            for r in csv.DictReader(
                io.StringIO(
                    (built_repo / "build" / "package" / "processed" / f"{name}.csv").read_text()
                )
            )
        }

    before_d, before_c, before_q = table("derived"), table("claims"), table("quantities")
    # the June-August callers' 55 is printed by three articles of one release (The National, Hello
    # Rayo West, Third Force News): each is changed to 57, so that the quantity changes rather than
    # becoming a conflict
    edits = {  # source: (its words with the number, as changed)
        "national-2017-scotland": (b"rising to 55 during", b"rising to 57 during"),
        "hellorayo-2017-scotland": (b"55 over the same period", b"57 over the same period"),
        "thirdforcenews-2017-scotland": (b"55 over the same period", b"57 over the same period"),
    }
    texts = {s: built_repo / "raw" / "sources" / f"{s}.txt" for s in edits}
    figs = built_repo / "raw" / "figures.csv"
    srcs = built_repo / "raw" / "sources.csv"
    originals = {p: p.read_bytes() for p in (*texts.values(), figs, srcs)}
    with _kept(built_repo, *(str(p.relative_to(built_repo)) for p in originals)):
        import hashlib

        sums, lines = originals[srcs], originals[figs].split(b"\n")
        for s, (old, new) in edits.items():
            text = originals[texts[s]]
            assert text.count(old) == 1, s
            texts[s].write_bytes(text.replace(old, new))
            sums = sums.replace(
                hashlib.sha256(text).hexdigest().encode(),
                hashlib.sha256(text.replace(old, new)).hexdigest().encode(),
            )
            for n, line in enumerate(
                lines
            ):  # the source's quotes that hold the words, and the 55's own cell
                if line.startswith(s.encode() + b"-f"):
                    line = line.replace(old, new)
                    lines[n] = (
                        line.replace(b",55,", b",57,")
                        if b",scotland-2017-jun-aug-callers," in line
                        else line
                    )
        srcs.write_bytes(sums)
        figs.write_bytes(b"\n".join(lines))
        out = dvc(built_repo, "repro", "derive")
        assert out.returncode == 0, out.stderr
        assert "Running stage 'derive'" in out.stdout
        after_d, after_c, after_q = table("derived"), table("claims"), table("quantities")
        changed_d = {k for k in before_d if before_d[k] != after_d[k]}
        changed_c = {k for k in before_c if before_c[k] != after_c[k]}
        # by hand: 55 is its quantity's only mention; the quantity feeds the callers change and its
        # two rates, and bounds the June-August calls from below (each caller made a call): at least
        # 57 now. Through "an 80 per cent jump in calls" ([75, 85]), the March-May calls are at
        # least 57 / 1.85 = 30.8, so 31, above their 30 callers. The calls have no upper end, so the
        # jump's claim stays not checkable, and its words the same and the calls' rates change with
        # their lower ends (57 and 31 over Scotland's 5,424,800, over 3 months too)
        assert changed_d == {
            "national-calls-change",
            "rate-scotland-2017-jun-aug-callers",
            "rate-per-month-scotland-2017-jun-aug-callers",
            "rate-scotland-2017-jun-aug-calls",
            "rate-per-month-scotland-2017-jun-aug-calls",
            "rate-scotland-2017-mar-may-calls",
            "rate-per-month-scotland-2017-mar-may-calls",
        }
        assert float(after_d["rate-scotland-2017-jun-aug-calls"]["lower"]) == pytest.approx(
            57 / 5424800 * 1e5
        )
        assert float(after_d["rate-scotland-2017-mar-may-calls"]["lower"]) == pytest.approx(
            31 / 5424800 * 1e5
        )
        assert changed_c == set()
        assert after_c["national-calls-jump"]["verdict"] == "not_checkable"
        changed_q = {k for k in before_q if before_q[k] != after_q[k]}
        assert changed_q == {
            "scotland-2017-jun-aug-callers",
            "scotland-2017-jun-aug-calls",
            "scotland-2017-mar-may-calls",
        }
        calls = after_q["scotland-2017-jun-aug-calls"], after_q["scotland-2017-mar-may-calls"]
        assert [(c["lower"], c["upper"], c["status"]) for c in calls] == [
            ("57", "", "implied"),
            ("31", "", "implied"),
        ]
        assert after_q["scotland-2017-mar-may-calls"]["lower_by"] == "national-calls-rise"
        assert after_d["national-calls-change"]["value"] == "27"  # 57 - 30
    assert "up to date" in dvc(built_repo, "status").stdout
