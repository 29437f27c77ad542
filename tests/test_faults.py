"""Fault injection: the published package changes as one unit or not at all.

A publish interrupted at any step is finished (once its manifest is written)
or undone (before), by the next command that reads the package; killing
`dvc repro` at several moments never leaves datapackage.json disagreeing with
the files beside it once that command has run; a dvc.lock that DVC was cut
off writing is restored by make repro's preflight. Publish refuses a candidate
a check rejected, or one changed since its checks passed it; a publish whose
renames fail part-way puts back what it had replaced (or, where it cannot,
says so, and make repro's preflight puts it back).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import _RUN, built, dvc, env, snapshot
from stopitnow_figures.publishing import swap as publishing
from stopitnow_figures.stages import package, report
from stopitnow_figures.stages import publish as publish_stage
from stopitnow_figures.tables.paths import Paths

pytestmark = pytest.mark.slow
NOTE = "Counts accesses (times), not people."
MARK = "Edited."  # what the candidate adds to the note


def _edit_a_note(repo: Path, mark: str) -> None:
    path = repo / "raw" / "figures.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(NOTE, f"{NOTE} {mark}"), encoding="utf-8"
    )


def _consistent(repo: Path) -> None:
    assert publishing.mismatches(Paths(repo).published) == []


class Interrupted(BaseException):
    """Stands for a kill: nothing in the code catches it."""


def _copy(tree: Path, dest: Path) -> Path:
    """A copy of a built tree, without DVC's lock files and state (.dvc/tmp names its folder)."""
    shutil.copytree(
        tree,
        dest,
        symlinks=True,
        dirs_exist_ok=True,
        ignore=lambda folder, names: {"tmp"} if Path(folder).name == ".dvc" else set(),
    )
    return dest


@pytest.fixture(scope="module")
def candidate() -> Path:
    """A built copy whose candidate, every check passed, differs from what is published (a note
    edited): every stage but publish run by DVC once a run, by whichever xdist worker asks first
    (the others wait on a file lock). The tests take copies of it (``_copy``) and never change
    it."""
    repo = _RUN[0] / "faults-candidate"
    with open(_RUN[0] / "faults-candidate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (_RUN[0] / "faults-candidate.done").exists():
            shutil.rmtree(repo, ignore_errors=True)
            built(repo)
            _edit_a_note(repo, MARK)
            out = dvc(repo, "repro", "report", "reader")  # every stage but publish
            assert out.returncode == 0, out.stdout + out.stderr
            (_RUN[0] / "faults-candidate.done").touch()
    assert (repo / "build" / "package" / "processed" / "figures.csv").read_bytes() != (
        repo / "processed" / "figures.csv"
    ).read_bytes()
    return repo


@pytest.fixture(scope="module")
def staged(candidate, tmp_path_factory) -> tuple[Path, dict, dict]:
    """A copy of the candidate's tree, and both packages' bytes."""
    repo = _copy(candidate, tmp_path_factory.mktemp("faults"))
    old = snapshot(repo)
    # the publish stage writes the candidate's metrics.json before it swaps; these tests call the
    # swap alone, so the candidate takes the published one (a note's edit changes no count)
    shutil.copyfile(repo / "metrics.json", Paths(repo).candidate.metrics)
    candidate = {
        str(p.relative_to(repo / "build" / "package")): p.read_bytes()
        for p in Paths(repo).candidate.files()
    }
    new = {
        name: data for name, data in candidate.items() if name in old
    }  # what snapshot() holds: processed/ and the descriptor
    assert new["processed/figures.csv"] != old["processed/figures.csv"]
    return repo, old, new


def _renames(repo: Path) -> int:
    return len(Paths(repo).candidate.files())


@pytest.mark.parametrize(
    "cut", [0, 1, 5, 12, -1]
)  # renames done before the kill; -1: the descriptor, the last
def test_a_publish_cut_short_after_its_manifest_is_finished_by_the_next_command(
    staged, monkeypatch, cut
):
    repo, old, new = staged
    real = os.replace
    done = [0]
    # the first rename is the manifest's own (its atomic write): the publish is decided once it is
    # done
    last = 1 + (_renames(repo) - 1 if cut == -1 else cut)

    def replace(src, dst):
        if done[0] == last:
            raise Interrupted
        done[0] += 1
        real(src, dst)

    monkeypatch.setattr(publishing.os, "replace", replace)
    with pytest.raises(Interrupted):
        publishing.publish(Paths(repo))
    monkeypatch.setattr(publishing.os, "replace", real)
    assert (
        repo / ".publishing" / "MANIFEST.json"
    ).exists()  # inside the window: decided, not yet done
    assert publishing.recover(Paths(repo)) == "finished a publish that was interrupted half-way"
    _consistent(repo)
    assert snapshot(repo) == new
    for name, data in old.items():  # put the old package back for the next case
        (repo / name).write_bytes(data)


def test_a_publish_cut_short_while_copying_is_undone(staged, monkeypatch):
    repo, old, new = staged
    real, done = publishing.shutil.copyfile, [0]

    def copyfile(src, dst):
        if done[0] == 3:
            raise Interrupted
        done[0] += 1
        return real(src, dst)

    monkeypatch.setattr(publishing.shutil, "copyfile", copyfile)
    with pytest.raises(Interrupted):
        publishing.publish(Paths(repo))
    monkeypatch.setattr(publishing.shutil, "copyfile", real)
    assert not (repo / ".publishing" / "MANIFEST.json").exists()
    assert (
        publishing.recover(Paths(repo))
        == "undid a publish that was interrupted before it had changed anything"
    )
    assert snapshot(repo) == old
    _consistent(repo)


def _preflight(repo: Path) -> subprocess.CompletedProcess:
    e = env()
    e["PYTHONPATH"] = str(repo / "src")
    return subprocess.run(
        [sys.executable, "-m", "stopitnow_figures.publishing.preflight"],
        cwd=repo,
        env=e,
        capture_output=True,
        text=True,
    )


def test_killing_dvc_repro_at_several_moments_leaves_a_package_the_next_repro_mends(
    candidate, tmp_path
):
    """Forced repros killed early (in DVC's start and the first stages), then a repro killed once
    publishing has begun: the candidate is the module's, so that repro has only what the kills cut
    short and publish to run, not the whole pipeline again."""
    repo = _copy(candidate, tmp_path / "repo")
    e = env()
    e["PYTHONPATH"] = str(repo / "src")
    for moment in (1.0, 3.0, 6.0, "publishing"):
        forced = ["-f"] if isinstance(moment, float) else []
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "dvc"), "repro", *forced],
            cwd=repo,
            env=e,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait_for(proc, repo, moment)
        with contextlib.suppress(ProcessLookupError):  # a repro that ended first is a case too
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        out = _preflight(repo)
        assert out.returncode == 0, out.stderr
        _consistent(repo)
    out = _preflight(repo)
    assert out.returncode == 0, out.stderr
    assert dvc(repo, "repro").returncode == 0
    _consistent(repo)
    assert f"{NOTE} {MARK}" in (repo / "processed" / "figures.csv").read_text(encoding="utf-8")
    assert "up to date" in dvc(repo, "status").stdout


def _wait_for(proc: subprocess.Popen, repo: Path, moment: float | str) -> None:
    """Sleep until ``moment`` seconds have passed, or (for "publishing") until the publish stage has
    begun."""
    start = time.monotonic()
    while proc.poll() is None and time.monotonic() - start < 120:
        if moment == "publishing" and (repo / ".publishing").exists():
            return
        if isinstance(moment, float) and time.monotonic() - start >= moment:
            return
        time.sleep(0.005)


@pytest.mark.parametrize(
    "broken",
    [b"", b"stages:\n  clean:\n    cmd: 1\n    deps: 7\n"],
    ids=["empty", "YAML of the wrong shape"],
)
def test_an_empty_dvc_lock_is_restored_from_git_by_make_repros_preflight(tmp_path, broken):
    repo = built(tmp_path)
    lock = repo / "dvc.lock"
    committed = subprocess.run(
        ["git", "show", "HEAD:dvc.lock"], cwd=repo, capture_output=True, check=True
    ).stdout
    lock.write_bytes(broken)
    out = _preflight(repo)
    assert out.returncode == 0
    assert "dvc.lock was empty or broken" in out.stderr and "restored it from git" in out.stderr
    assert lock.read_bytes() == committed
    assert (
        dvc(repo, "status").returncode == 0
    )  # DVC reads it again (what it finds out of date, repro reruns)


def test_dvcs_record_of_running_stages_left_empty_by_a_kill_is_removed_by_make_repros_preflight(
    tmp_path,
):
    """DVC killed while writing .dvc/tmp/rwlock leaves it empty, and every later dvc repro fails on
    it."""
    repo = built(tmp_path)
    rwlock = repo / ".dvc" / "tmp" / "rwlock"
    rwlock.parent.mkdir(parents=True, exist_ok=True)
    rwlock.write_bytes(b"")
    assert "RWLock" in dvc(repo, "repro").stderr  # what DVC says of it
    out = _preflight(repo)
    assert out.returncode == 0 and ".dvc/tmp/rwlock" in out.stderr and "removed it" in out.stderr
    assert not rwlock.exists()
    assert dvc(repo, "repro").returncode == 0
    _consistent(repo)
    rwlock.write_text(
        '{"exclusive": {}, "read": {}}', encoding="utf-8"
    )  # a sound record is left alone
    assert _preflight(repo).stderr == "" and rwlock.exists()


def test_a_yaml_alias_chain_in_params_is_refused_before_dvc_reads_it(tmp_path):
    repo = built(tmp_path)
    params = repo / "params.yaml"
    before = params.read_text(encoding="utf-8")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    params.write_text(before + bomb, encoding="utf-8")
    out = _preflight(repo)
    assert out.returncode == 1
    assert (
        "params.yaml:" in out.stderr
        and "[bad-config]" in out.stderr
        and "anchors and aliases" in out.stderr
    )


def test_a_link_to_nothing_in_raw_is_a_located_problem_before_dvc_runs(tmp_path):
    repo = built(tmp_path)
    (repo / "raw" / "sources" / "ghost.txt").symlink_to(repo / "raw" / "sources" / "nowhere.txt")
    out = _preflight(repo)
    assert out.returncode == 1
    assert "raw/sources/ghost.txt: [unsafe-path]: a link to nothing" in out.stderr


# -- publish refuses what the checks did not pass ------------------------------------------------

ROOT_FILES = ("CITATION.cff", ".zenodo.json", "metrics.json")
REBUILD = (
    "publish publishes only what every check passed: rebuild with dvc repro rather than "
    "editing build/package/"
)


def _published(repo: Path) -> dict[str, bytes]:
    """Every published file: processed/, datapackage.json, and the files beside it."""
    return snapshot(repo) | {name: (repo / name).read_bytes() for name in ROOT_FILES}


def _candidate(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted((repo / "build" / "package").rglob("*"))
        if p.is_file()
    }


def _put_back(repo: Path, files: dict[str, bytes]) -> None:
    """Return build/package/ to ``files`` exactly (files a test added removed)."""
    for p in sorted((repo / "build" / "package").rglob("*")):
        if p.is_file() and str(p.relative_to(repo)) not in files:
            p.unlink()
    for name, data in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)


def _failures(repo: Path) -> list[dict]:
    return json.loads((repo / "build" / "failures.json").read_text(encoding="utf-8"))["problems"]


def _problem(file: str, type_: str, message: str) -> dict:
    return {
        "file": file,
        "line": None,
        "column": None,
        "type": type_,
        "value": None,
        "message": message,
    }


@pytest.fixture(scope="module")
def pending(candidate, tmp_path_factory) -> tuple[Path, dict, dict]:
    """A copy of the candidate's tree, every check passed and not yet published: the bytes
    published, and the candidate's (build/package/, verdicts included)."""
    repo = _copy(candidate, tmp_path_factory.mktemp("pending"))
    old = _published(repo)
    assert (repo / "build" / "package" / "processed" / "figures.csv").read_bytes() != old[
        "processed/figures.csv"
    ]
    return repo, old, _candidate(repo)


def _publish_stage(repo: Path) -> int:
    (repo / "build" / "failures.json").unlink(missing_ok=True)
    return publish_stage.main([str(repo)])


def _rejected_by_the_report(repo: Path) -> None:
    """A candidate table edited, its descriptor written again to match (so only the report can
    object), and the report run on it: it fails, as it should."""
    path = repo / "build" / "package" / "processed" / "figures.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            ",Dundee City,S12000042,", ",Dundee City,S12000099,"
        ),
        encoding="utf-8",
    )
    assert package.main([str(repo)]) == 0
    assert report.main([str(repo)]) == 1
    record = json.loads(
        (repo / "build" / "package" / "verdicts" / "report.json").read_text(encoding="utf-8")
    )
    assert record == {"stage": "report", "verdict": "fail", "files": {}}


NOT_PASSED = (
    "the report stage has not passed this candidate (its last run failed or stopped "
    "before the end): run dvc repro and fix what it reports"
)
RECORD = "build/package/verdicts/report.json"


def test_dvc_repro_s_publish_after_the_report_rejected_the_candidate_publishes_nothing(pending):
    repo, old, candidate = pending
    try:
        _rejected_by_the_report(repo)
        out = dvc(repo, "repro", "-s", "publish")
        assert out.returncode != 0
        assert f"{RECORD}: [not-passed]: {NOT_PASSED}" in out.stdout + out.stderr
        assert "Traceback" not in out.stdout + out.stderr
        assert _problem(RECORD, "not-passed", NOT_PASSED) in _failures(repo)
        assert _published(repo) == old
        _consistent(repo)
        assert _publish_stage(repo) == 1  # and started by hand, the same
        assert _problem(RECORD, "not-passed", NOT_PASSED) in _failures(repo)
        assert _published(repo) == old
    finally:
        _put_back(repo, candidate)


def _edit(rel: str):
    return lambda repo: (repo / rel).write_bytes((repo / rel).read_bytes() + b"\nEdited.\n")


def _add(rel: str):
    return lambda repo: (repo / rel).write_text("figure_id\nx\n", encoding="utf-8")


def _remove(rel: str):
    return lambda repo: (repo / rel).unlink()


def _bad_record(repo: Path) -> None:
    path = repo / "build" / "package" / "verdicts" / "reader.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(
        json.dumps({**record, "files": {"../../../etc/hostname": "0" * 64}}), encoding="utf-8"
    )


CP = "build/package/processed"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _edit(f"{CP}/datasheet.md"),
            [
                (
                    f"{CP}/datasheet.md",
                    "not-as-checked",
                    f"changed since the report stage checked it; {REBUILD}",
                )
            ],
        ),
        (
            _edit(f"{CP}/reader/index.html"),
            [
                (
                    f"{CP}/reader/index.html",
                    "not-as-checked",
                    f"changed since the reader stage checked it; {REBUILD}",
                )
            ],
        ),
        (
            _edit("build/package/CITATION.cff"),
            [
                (
                    "build/package/CITATION.cff",
                    "not-as-checked",
                    f"changed since the report stage checked it; {REBUILD}",
                )
            ],
        ),
        (
            _remove(f"{CP}/charts/claims.svg"),
            [
                (
                    f"{CP}/charts/claims.svg",
                    "not-as-checked",
                    f"missing now since the report stage checked it; {REBUILD}",
                )
            ],
        ),
        (
            _add(f"{CP}/extra.csv"),
            [
                (
                    f"{CP}/extra.csv",
                    "not-as-checked",
                    f"no check passed it (it appeared after the checks ran); {REBUILD}",
                )
            ],
        ),
        (
            _bad_record,
            [
                (
                    "build/package/verdicts/reader.json",
                    "not-passed",
                    "the reader stage has not passed this candidate (its record cannot be read): "
                    "run dvc repro and fix what it reports",
                )
            ],
        ),
        (
            _remove("build/package/verdicts/report.json"),
            [
                (
                    "build/package/verdicts/report.json",
                    "not-passed",
                    "the report stage has not passed this candidate (there is no record of its "
                    "verdict): run dvc repro and fix what it reports",
                )
            ],
        ),
    ],
    ids=[
        "datasheet edited",
        "reader page edited",
        "citation edited",
        "chart removed",
        "file added",
        "record unreadable",
        "no record",
    ],
)
def test_publish_refuses_a_candidate_changed_since_its_checks_passed_it(pending, change, expected):
    repo, old, candidate = pending
    try:
        change(repo)
        assert _publish_stage(repo) == 1
        assert _failures(repo) == [_problem(*e) for e in expected]
        assert _published(repo) == old
        _consistent(repo)
    finally:
        _put_back(repo, candidate)


# -- a publish that fails half-way puts back what it replaced --------------------------------------

PUT_BACK = (
    "nothing was published: the files it had already replaced were put back, and the "
    "published package is as it was"
)
HALF = (
    "the published package is left half-replaced (processed/ and datapackage.json may disagree) "
    "and could not be put back; "
    "fix the cause, then run make repro, which puts back the previous package kept in .publishing/"
)


def _failing_replace(monkeypatch, repo: Path, target: str, also=lambda src: False) -> None:
    """os.replace that fails (a full disk) when it would move a file onto ``target``, or when
    ``also(src)``."""
    real = os.replace

    def replace(src, dst):
        if Path(dst) == repo / target or also(Path(src)):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(publishing.os, "replace", replace)


@pytest.mark.parametrize(
    "target", ["processed/geographies.csv", "processed/reader/index.html", "datapackage.json"]
)
def test_a_publish_whose_rename_fails_half_way_puts_back_what_it_had_replaced(
    pending, monkeypatch, target
):
    repo, old, candidate = pending
    _failing_replace(monkeypatch, repo, target)
    assert _publish_stage(repo) == 1
    monkeypatch.undo()
    assert _failures(repo) == [
        _problem(target, "cannot-write", f"cannot write it: No space left on device; {PUT_BACK}")
    ]
    assert _published(repo) == old
    _consistent(repo)
    assert not (repo / ".publishing").exists()
    _put_back(repo, candidate)


def test_a_publish_that_cannot_be_put_back_says_so_and_make_repros_preflight_puts_it_back(
    pending, monkeypatch
):
    repo, old, candidate = pending
    target = (
        "processed/geographies.csv"  # after processed/figures.csv, which the edited note changed
    )
    _failing_replace(monkeypatch, repo, target, also=lambda src: "previous" in src.parts)
    assert _publish_stage(repo) == 1
    monkeypatch.undo()
    assert _failures(repo) == [
        _problem(target, "half-published", f"cannot write it: No space left on device; {HALF}")
    ]
    assert (
        publishing.mismatches(Paths(repo).published) != []
    )  # the message is true: the package is half-replaced
    out = _preflight(repo)
    assert out.returncode == 0, out.stderr
    assert (
        "preflight: put back the previous package, whose publish had failed half-way" in out.stderr
    )
    assert _published(repo) == old
    _consistent(repo)
    assert not (repo / ".publishing").exists()
    _put_back(repo, candidate)


def test_a_publish_interrupted_half_way_that_cannot_be_finished_is_put_back_by_the_next_command(
    pending, monkeypatch
):
    repo, old, candidate = pending
    real = os.replace

    def interrupted(src, dst):
        if Path(dst) == repo / "processed" / "geographies.csv":
            raise Interrupted
        real(src, dst)

    monkeypatch.setattr(publishing.os, "replace", interrupted)
    with pytest.raises(Interrupted):
        publishing.publish(Paths(repo))
    monkeypatch.undo()
    _failing_replace(
        monkeypatch, repo, "processed/sources.csv"
    )  # then the disk fills before the next command
    note = publishing.recover(Paths(repo))
    monkeypatch.undo()
    assert note == (
        "put back the previous package: a publish interrupted half-way could not be finished "
        "(processed/sources.csv: No space left on device)"
    )
    assert _published(repo) == old
    _consistent(repo)
    assert not (repo / ".publishing").exists()
    _put_back(repo, candidate)


def test_after_a_failed_publish_the_next_one_publishes_the_whole_candidate(pending, monkeypatch):
    repo, old, candidate = pending
    _failing_replace(monkeypatch, repo, "processed/figures.csv")
    assert _publish_stage(repo) == 1
    monkeypatch.undo()
    assert _published(repo) == old
    assert _publish_stage(repo) == 0
    _consistent(repo)
    built_ = {name.removeprefix("build/package/"): data for name, data in _candidate(repo).items()}
    published = snapshot(repo)
    assert {n: d for n, d in published.items() if n != "datapackage.json"} == {
        name: data for name, data in built_.items() if name.startswith("processed/")
    }
    # the descriptor as publish completes it: the candidate's, with a resource for each other file
    done, core = (
        json.loads(x) for x in (published["datapackage.json"], built_["datapackage.json"])
    )
    assert {k: v for k, v in done.items() if k not in ("resources", "stopitnow:files")} == {
        k: v for k, v in core.items() if k not in ("resources", "stopitnow:files")
    }
    assert done["resources"][: len(core["resources"])] == core["resources"]
    assert snapshot(repo) != {name: old[name] for name in snapshot(repo)}
    for name, data in old.items():  # the old package back, for any case after this one
        (repo / name).write_bytes(data)
    _put_back(repo, candidate)
