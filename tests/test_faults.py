"""Fault injection: the published package changes as one unit or not at all.

A publish interrupted at any step is finished (once its manifest is written)
or undone (before), by the next command that reads the package; killing
`dvc repro` at several moments never leaves datapackage.json disagreeing with
the files beside it once that command has run; a dvc.lock that DVC was cut
off writing is restored by make repro's preflight.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import built, dvc, env, snapshot
from stopitnow_figures import publishing
from stopitnow_figures.paths import Paths
from stopitnow_figures.stages import clean, derive, package, report

pytestmark = pytest.mark.slow
NOTE = "Counts accesses (times), not people."


def _edit_a_note(repo: Path, mark: str) -> None:
    path = repo / "raw" / "figures.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(NOTE, f"{NOTE} {mark}"), encoding="utf-8")


def _consistent(repo: Path) -> None:
    assert publishing.mismatches(Paths(repo).published) == []


class Interrupted(BaseException):
    """Stands for a kill: nothing in the code catches it."""


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> tuple[Path, dict, dict]:
    """A built copy whose candidate differs from what is published (a note edited), and both packages' bytes."""
    repo = built(tmp_path_factory.mktemp("faults"))
    old = snapshot(repo)
    _edit_a_note(repo, "Edited.")
    for stage in (clean, derive, package, report):
        stage.run(repo)
    candidate = {str(p.relative_to(repo / "build" / "package")): p.read_bytes() for p in Paths(repo).candidate.files()}
    new = {name: data for name, data in candidate.items() if name in old}  # what snapshot() holds: processed/ and the descriptor
    assert new["processed/figures.csv"] != old["processed/figures.csv"]
    return repo, old, new


def _renames(repo: Path) -> int:
    return len(Paths(repo).candidate.files())


@pytest.mark.parametrize("cut", [0, 1, 5, 12, -1])  # renames done before the kill; -1: the descriptor, the last
def test_a_publish_cut_short_after_its_manifest_is_finished_by_the_next_command(staged, monkeypatch, cut):
    repo, old, new = staged
    real = os.replace
    done = [0]
    # the first rename is the manifest's own (its atomic write): the publish is decided once it is done
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
    assert (repo / ".publishing" / "MANIFEST.json").exists()  # inside the window: decided, not yet done
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
    assert publishing.recover(Paths(repo)) == "undid a publish that was interrupted before it had changed anything"
    assert snapshot(repo) == old
    _consistent(repo)


def _preflight(repo: Path) -> subprocess.CompletedProcess:
    e = env()
    e["PYTHONPATH"] = str(repo / "src")
    return subprocess.run([sys.executable, "-m", "stopitnow_figures.preflight"], cwd=repo, env=e, capture_output=True, text=True)


def test_killing_dvc_repro_at_several_moments_leaves_a_package_the_next_repro_mends(tmp_path):
    repo = built(tmp_path)
    _edit_a_note(repo, "Killed.")
    e = env()
    e["PYTHONPATH"] = str(repo / "src")
    for moment in (1.0, 3.0, 6.0, "publishing"):
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "dvc"), "repro", "-f"],
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
    assert NOTE + " Killed." in (repo / "processed" / "figures.csv").read_text(encoding="utf-8")
    assert "up to date" in dvc(repo, "status").stdout


def _wait_for(proc: subprocess.Popen, repo: Path, moment: float | str) -> None:
    """Sleep until ``moment`` seconds have passed, or (for "publishing") until the publish stage has begun."""
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
    committed = subprocess.run(["git", "show", "HEAD:dvc.lock"], cwd=repo, capture_output=True, check=True).stdout
    lock.write_bytes(broken)
    out = _preflight(repo)
    assert out.returncode == 0
    assert "dvc.lock was empty or broken" in out.stderr and "restored it from git" in out.stderr
    assert lock.read_bytes() == committed
    assert dvc(repo, "status").returncode == 0  # DVC reads it again (what it finds out of date, repro reruns)


def test_a_yaml_alias_chain_in_params_is_refused_before_dvc_reads_it(tmp_path):
    repo = built(tmp_path)
    params = repo / "params.yaml"
    before = params.read_text(encoding="utf-8")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    params.write_text(before + bomb, encoding="utf-8")
    out = _preflight(repo)
    assert out.returncode == 1
    assert "params.yaml:" in out.stderr and "[bad-config]" in out.stderr and "anchors and aliases" in out.stderr


def test_a_link_to_nothing_in_raw_is_a_located_problem_before_dvc_runs(tmp_path):
    repo = built(tmp_path)
    (repo / "raw" / "sources" / "ghost.txt").symlink_to(repo / "raw" / "sources" / "nowhere.txt")
    out = _preflight(repo)
    assert out.returncode == 1
    assert "raw/sources/ghost.txt: [unsafe-path]: a link to nothing" in out.stderr
