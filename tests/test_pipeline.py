"""The pipeline end to end, in a temporary copy of the repository."""

from __future__ import annotations

import subprocess

import pytest

from conftest import ROOT, copy_repo, dvc, snapshot

pytestmark = pytest.mark.slow


def _git_status(repo):
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def test_a_fresh_copy_rebuilds_the_committed_bytes_and_is_then_up_to_date(tmp_path):
    """A clone has no build/: dvc repro builds the candidate again, and publishing it changes
    nothing committed."""
    repo = copy_repo(tmp_path)
    assert not (repo / "build").exists()
    out = dvc(repo, "repro")
    assert out.returncode == 0, out.stderr
    assert _git_status(repo) == ""
    assert snapshot(repo) == snapshot(ROOT)
    assert "up to date" in dvc(repo, "status").stdout


def test_two_forced_rebuilds_give_the_committed_bytes(built_repo):
    assert dvc(built_repo, "repro", "-f").returncode == 0
    first = snapshot(built_repo)
    assert dvc(built_repo, "repro", "-f").returncode == 0
    assert snapshot(built_repo) == first == snapshot(ROOT)
    assert _git_status(built_repo) == ""


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
    params = built_repo / "params.yaml"
    original = params.read_text()
    try:
        params.write_text(original.replace("nearly: {share: 0.1,", "nearly: {share: 0.08,"))
        status = dvc(built_repo, "status").stdout
        assert "clean:" in status and "params.yaml" in status
        out = dvc(built_repo, "repro")
        assert out.returncode == 0, out.stderr
        assert "Running stage 'clean'" in out.stdout and "Running stage 'publish'" in out.stdout
    finally:
        params.write_text(original)
        assert dvc(built_repo, "repro").returncode == 0
    assert "up to date" in dvc(built_repo, "status").stdout


def test_changing_one_figure_changes_exactly_its_dependants(built_repo):
    import csv
    import io

    def table(name):
        return {
            tuple(r.values())[0]: r
            for r in csv.DictReader(
                io.StringIO((built_repo / "processed" / f"{name}.csv").read_text())
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
    try:
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
        out = dvc(built_repo, "repro")
        assert out.returncode == 0, out.stderr
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
    finally:
        for p, data in originals.items():
            p.write_bytes(data)
        assert dvc(built_repo, "repro").returncode == 0
