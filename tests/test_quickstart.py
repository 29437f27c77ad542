"""The README's Quick start, run as written in a new shell (bash with a plain PATH, no venv
active), in a built copy of the repository: `make repro`, then the commands it shows, which must
find `stopitnow-figures` as the README says. The copy is of the run's one build (conftest
``built``: a fresh copy of the repository, rebuilt by `dvc repro`, which must give the committed
bytes: tests/test_pipeline.py), so `make repro` runs its preflight and finds every stage up to
date, as it does on a second run on a fresh machine."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, built

PLAIN_PATH = "/usr/local/bin:/usr/bin:/bin"  # what a new login shell has, no .venv on it
NOT_RUN = "make test"  # it runs this test: the README shows it in a block of its own


def quick_start() -> str:
    """The first sh block of the README's Quick start, as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Quick start\n")
    section = readme[start : readme.index("\n## ", start + 1)]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_quick_start_shows_how_to_run_the_cli_after_make_repro():
    lines = [line.split("#")[0].strip() for line in quick_start().splitlines()]
    assert lines[0] == "make repro" and NOT_RUN not in lines
    cli = [i for i, line in enumerate(lines) if "stopitnow-figures " in line]
    assert cli and ". .venv/bin/activate" in lines[: cli[0]]
    assert any(line.startswith(".venv/bin/stopitnow-figures ") for line in lines)


def _shell_env(home: Path) -> dict[str, str]:
    """A new shell's environment: a plain PATH, its own HOME; PYTHON=false so that make can never
    rebuild the shared .venv the copy links to (it must find it up to date)."""
    return {"PATH": PLAIN_PATH, "HOME": str(home), "LANG": "C.UTF-8", "PYTHON": "false"}


@pytest.mark.slow
def test_every_command_of_the_quick_start_runs_as_written_in_a_new_shell(tmp_path):
    current = subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT, capture_output=True)
    if current.returncode != 0:
        pytest.skip("run make venv first: the copy uses this repository's .venv, up to date")
    repo = built(tmp_path / "repo")
    os.symlink(ROOT / ".venv", repo / ".venv")  # the venv make repro would create, as it is here
    (tmp_path / "home").mkdir()
    script = "set -e\n" + quick_start()
    out = subprocess.run(
        ["/bin/bash", "--noprofile", "--norc", "-c", script],
        cwd=repo,
        env=_shell_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "command not found" not in out.stderr
    # trace's first line names the figure; cite's BibTeX entry names it too
    assert "figure herald-2017-scotland-f04: " in out.stdout
    assert "@misc{stopitnow-figures-" in out.stdout and "herald-2017-scotland-f04" in out.stdout
    # and the rebuild gave the committed bytes
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", "processed", "datapackage.json"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert changed.stdout == ""


def test_without_activating_the_cli_is_not_on_a_new_shell_s_path(tmp_path):
    """Why the Quick start activates the venv: the failure the issue saw, still there without it."""
    out = subprocess.run(
        ["/bin/bash", "--noprofile", "--norc", "-c", "stopitnow-figures --help"],
        cwd=ROOT,
        env=_shell_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 127 and "command not found" in out.stderr


# The README's other commands that this test does not run, each with why and the test that runs
# it (or what it is): a command the README shows is run here or named here, and a name here that
# the README no longer shows fails the test, so the list cannot go stale.
ELSEWHERE = {
    "make repro": "the Quick start's first line: the test above",
    "make test": "runs this test",
    "dvc repro -f": "rebuilds everything: tests/test_pipeline.py",
    "stopitnow-figures add-source article.txt": "the curator's path: tests/test_curator.py",
    "stopitnow-figures propose courier-2020-scotland": "the curator's path: tests/test_curator.py",
    "git commit -am": "commits a curator's work: tests/test_curator.py",
    "stopitnow-figures download --to data/": "no address is recorded: tests/test_address.py",
    "stopitnow-figures download https://": "an address on the network: tests/test_download.py",
    "dvc get <repository-url>": "an address to fill in: tests/test_release.py",
    "npm install": "the network: tests/test_clients.py installs it from package-lock.json",
    "datasette ": "a server that runs until stopped: tests/test_database.py",
    "dvc exp run": "rebuilds with another parameter: tests/test_metrics.py",
}


def readme_commands() -> list[str]:
    """Every command line of the README's sh blocks, as written (a line continued with a
    backslash joined to the next; comments dropped)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```sh\n(.*?)```", readme, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            command = "" if line.lstrip().startswith("#") else line.split(" #")[0].strip()
            if command:
                out.append(command)
    return out


def test_the_readme_commands_not_run_here_are_named_with_the_test_that_runs_them():
    commands = readme_commands()
    for start, why in ELSEWHERE.items():
        assert any(c.startswith(start) for c in commands), f"no README command {start!r}"
        test = re.search(r"tests/\S+\.py", why)
        assert test is None or (ROOT / test.group()).exists(), why


@pytest.mark.slow
def test_every_other_command_of_the_readme_runs_as_written_in_a_new_shell(tmp_path):
    """The README's commands outside the Quick start, in one new shell in a built copy after
    activating the venv, in the README's order: each exits 0 (`set -e`)."""
    current = subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT, capture_output=True)
    if current.returncode != 0:
        pytest.skip("run make venv first: the copy uses this repository's .venv, up to date")
    quick = {line.split("#")[0].strip() for line in quick_start().splitlines()}
    run = [
        c
        for c in dict.fromkeys(readme_commands())
        if c not in quick and not any(c.startswith(s) for s in ELSEWHERE)
    ]
    assert "stopitnow-figures check" in run and "dvc metrics show" in run  # the reading works
    repo = built(tmp_path / "repo")
    os.symlink(ROOT / ".venv", repo / ".venv")
    (tmp_path / "home").mkdir()
    shown = "".join(f"echo {shlex.quote('$ ' + c)}\n{c}\n" for c in run)
    script = "set -e\n. .venv/bin/activate\n" + shown
    out = subprocess.run(
        ["/bin/bash", "--noprofile", "--norc", "-c", script],
        cwd=repo,
        env=_shell_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert out.stdout.count("\n$ ") + out.stdout.startswith("$ ") == len(run)
    assert "command not found" not in out.stderr
