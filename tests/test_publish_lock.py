"""A publish holds a lock from its first copy to its last rename, and every command that would
recover an interrupted publish respects it: paused at each step of a publish running in another
process, `cite`, `trace`, `release` and `make repro`'s preflight each refuse at once, located, with
no traceback and a non-zero exit, and leave the publish's staging folder and the published package
byte for byte as they were; the publish then finishes and the package is self-consistent."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import env, read_csv
from stopitnow_figures.cli import main
from stopitnow_figures.publishing import swap
from stopitnow_figures.tables.paths import Paths

# The child publishes the repository's candidate and pauses at one step until the test says go. The
# first os.replace of a publish is its manifest's own atomic write (the publish is then decided);
# later ones move files.
CHILD = """
import pathlib, shutil, os, sys, time
from stopitnow_figures.publishing import swap
from stopitnow_figures.tables.paths import Paths
root, step, flags = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
def pause():
    (flags / "ready").touch()
    while not (flags / "go").exists():
        time.sleep(0.02)
name, at = {"copying": ("copyfile", 2), "decided": ("replace", 2), "renaming": ("replace", 4)}[step]
owner = shutil if name == "copyfile" else os
real, calls = getattr(owner, name), [0]
def paused(*args, **kwargs):
    calls[0] += 1
    if calls[0] == at:
        pause()
    return real(*args, **kwargs)
setattr(owner, name, paused)
swap.publish(Paths(root))
"""


def _tree(top: Path) -> dict[str, bytes]:
    return {str(p.relative_to(top)): p.read_bytes() for p in sorted(top.rglob("*")) if p.is_file()}


def _state(repo: Path) -> dict[str, dict[str, bytes]]:
    """The staging folder of the publish under way, and the published package."""
    published = _tree(repo / "processed")
    published["datapackage.json"] = (repo / "datapackage.json").read_bytes()
    return {"staging": _tree(repo / ".publishing"), "published": published}


def _paused_publish(repo: Path, step: str, flags: Path) -> subprocess.Popen:
    flags.mkdir()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(repo), step, str(flags)], env=env())
    deadline = time.monotonic() + 300
    while not (flags / "ready").exists():
        assert child.poll() is None, f"the publish ended before its pause at {step}"
        assert time.monotonic() < deadline, f"the publish never reached {step}"
        time.sleep(0.05)
    return child


def _commands(repo: Path) -> dict[str, list[str]]:
    figure = read_csv(repo / "processed" / "figures.csv")[0]["figure_id"]
    return {
        "cite": ["cite", "--root", str(repo), figure],
        "trace": ["trace", "--root", str(repo), figure],
        "release": ["release", "--root", str(repo)],
    }


@pytest.mark.parametrize("step", ["copying", "decided", "renaming"])
def test_no_command_recovers_a_publish_that_is_running(own_build, tmp_path, step):
    repo = own_build  # a copy of its own: the publish here is the swap alone
    child = _paused_publish(repo, step, tmp_path / "flags")
    try:
        before = _state(repo)
        assert before["staging"], "the publish has a staging folder at every step"
        for name, args in _commands(repo).items():
            out = CliRunner().invoke(main, args)
            assert out.exit_code == 1, (name, out.output)
            assert (
                "[publish-running]" in out.output and "another process is publishing" in out.output
            ), (name, out.output)
            assert "Traceback" not in out.output and type(out.exception) is SystemExit, (
                name,
                out.exception,
            )
            assert _state(repo) == before, name
        preflight = subprocess.run(
            [sys.executable, "-m", "stopitnow_figures.publishing.preflight", str(repo)],
            env=env(),
            capture_output=True,
            text=True,
        )
        assert preflight.returncode != 0 and "[publish-running]" in preflight.stderr, (
            preflight.stderr
        )
        assert "Traceback" not in preflight.stderr and _state(repo) == before
    finally:
        (tmp_path / "flags" / "go").touch()
        assert child.wait(timeout=300) == 0
    assert not (repo / ".publishing").exists()
    assert swap.mismatches(Paths(repo).published) == []


def test_a_killed_publish_leaves_no_lock_held(own_build, tmp_path):
    """The kernel drops the lock with its holder: after a publish is killed mid-way,
    recovery runs."""
    repo = own_build  # a copy of its own: the publish here is the swap alone
    child = _paused_publish(repo, "decided", tmp_path / "flags")
    child.kill()
    child.wait(timeout=60)
    assert (repo / ".publishing").exists()
    assert swap.recover(Paths(repo)) == "finished a publish that was interrupted half-way"
    assert swap.mismatches(Paths(repo).published) == []
    assert os.path.exists(
        repo / ".publishing.lock"
    )  # the lock file stays; only the lock on it is gone
