from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# shared machines are noisy: property tests check behaviour, not speed
settings.register_profile("project", deadline=None)
settings.load_profile("project")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BIN = Path(sys.executable).parent


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def by_id(rows: list[dict[str, str]], key: str) -> dict[str, dict[str, str]]:
    return {r[key]: r for r in rows}


def copy_repo(dest: Path) -> Path:
    """A temporary copy of the committed repository (tracked files), as a git repo."""
    files = (
        subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for f in filter(None, files):
        src = ROOT / f
        if src.exists():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    # uncommitted working-tree edits to tracked files are copied too, so tests see the code under test
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "copy"], cwd=dest, check=True)
    return dest


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PATH"] = f"{BIN}{os.pathsep}{e.get('PATH', '')}"
    e["GX_ANALYTICS_ENABLED"] = "False"
    e["DVC_NO_ANALYTICS"] = "1"
    e.pop("SOURCE_DATE_EPOCH", None)
    return e


def dvc(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "dvc"), *args], cwd=repo, env=env(), capture_output=True, text=True)


def snapshot(repo: Path) -> dict[str, bytes]:
    out = {str(p.relative_to(repo)): p.read_bytes() for p in sorted((repo / "processed").rglob("*")) if p.is_file()}
    out["datapackage.json"] = (repo / "datapackage.json").read_bytes()
    return out


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory) -> Path:
    """One temporary copy of the repository, for tests that run dvc in it."""
    return copy_repo(tmp_path_factory.mktemp("repo"))


@pytest.fixture(scope="session")
def figures() -> dict[str, dict[str, str]]:
    return by_id(read_csv(ROOT / "processed" / "figures.csv"), "figure_id")


@pytest.fixture(scope="session")
def derived() -> dict[str, dict[str, str]]:
    return by_id(read_csv(ROOT / "processed" / "derived.csv"), "metric_id")


@pytest.fixture(scope="session")
def claims() -> dict[str, dict[str, str]]:
    return by_id(read_csv(ROOT / "processed" / "claims.csv"), "claim_id")
