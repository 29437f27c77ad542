from __future__ import annotations

import contextlib
import csv
import fcntl
import functools
import hashlib
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from stopitnow_figures.tables.workspace import copy_repository

# shared machines are noisy: property tests check behaviour, not speed
settings.register_profile("project", deadline=None)
settings.load_profile("project")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BIN = Path(sys.executable).parent
# names a tree whose processed/ the code under test has just built (see fresh)
BUILT = "STOPITNOW_FIGURES_TESTS_BUILT"


def package_version() -> tuple[str, str]:
    """The version in package.yaml and the date of its CHANGELOG entry, read with a plain regex."""
    import re

    version = re.search(r"^version: (\S+)$", (ROOT / "package.yaml").read_text(), re.M).group(1)
    day = re.search(
        rf"^## {re.escape(version)} - (\d{{4}}-\d{{2}}-\d{{2}})$",
        (ROOT / "CHANGELOG.md").read_text(),
        re.M,
    ).group(1)
    return version, day


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def by_id(rows: list[dict[str, str]], key: str) -> dict[str, dict[str, str]]:
    return {r[key]: r for r in rows}


def copy_repo(dest: Path) -> Path:
    """A temporary copy of the repository as it is in the working tree, as a git repo."""
    return copy_repository(ROOT, dest)


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PATH"] = f"{BIN}{os.pathsep}{e.get('PATH', '')}"
    e["GX_ANALYTICS_ENABLED"] = "False"
    e["DVC_NO_ANALYTICS"] = "1"
    e.pop("SOURCE_DATE_EPOCH", None)
    return e


def dvc(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """DVC in a copy of the repository, its stages running the copy's own code (not the installed
    one)."""
    e = env()
    e["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo / "src"), e.get("PYTHONPATH", "")]))
    return subprocess.run(
        [str(BIN / "dvc"), *args], cwd=repo, env=e, capture_output=True, text=True
    )


def clear_caches() -> None:
    """Empty every functools cache of the package's modules loaded in this process: a cache keyed by
    a path (a schema, the vocabulary) would otherwise answer with what an earlier run read there."""
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "stopitnow_figures":
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def run_module(repo: Path, module: str) -> subprocess.CompletedProcess:
    """``python -m <module> <repo>`` run in this process: the module's ``main([repo])`` with every
    cache emptied first, and what it prints to sys.stdout and sys.stderr captured (it looks them up
    when it prints); as the command does, without SOURCE_DATE_EPOCH (see ``env``).

    The code that runs is the repository's src/ (the test process imports the package from there:
    it is installed editable), which is what a copy holds too: a copy of the working tree. So what
    the code finds beside its own files (``tables.paths.REPO_ROOT``: ``vocab.load()`` with no
    folder) is the repository's, not the copy's, where `dvc` in the copy would find the copy's."""
    clear_caches()
    out, err = io.StringIO(), io.StringIO()
    epoch = os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = importlib.import_module(module).main([str(repo)])
    finally:
        if epoch is not None:
            os.environ["SOURCE_DATE_EPOCH"] = epoch
    return subprocess.CompletedProcess([module, str(repo)], code, out.getvalue(), err.getvalue())


def pipeline(repo: Path) -> list[str]:
    """The module each stage of the copy's dvc.yaml runs (its ``python -m`` command), in the order
    dvc.yaml lists them (an order DVC may run them in: none reads what a later one writes)."""
    stages = yaml.safe_load((repo / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    commands = [stage["cmd"].split() for stage in stages.values()]
    return [cmd[cmd.index("-m") + 1] for cmd in commands]


def repro_in_process(repo: Path, until: str | None = None) -> subprocess.CompletedProcess:
    """``dvc repro`` (or ``dvc repro <until>``) run in this process: every stage in dvc.yaml's order
    (``run_module``), to the stage named ``until`` where one is, stopping at the first that fails,
    with what they printed; the returncode is the last stage's. Unlike DVC it runs a stage whose
    inputs did not change too, which rewrites the same bytes; and it leaves dvc.lock as it was."""
    modules = pipeline(repo)
    if until is not None:
        modules = modules[: [m.rsplit(".", 1)[-1] for m in modules].index(until) + 1]
    outs, errs, code = [], [], 0
    for module in modules:
        run = run_module(repo, module)
        outs.append(run.stdout)
        errs.append(run.stderr)
        code = run.returncode
        if code != 0:
            break
    return subprocess.CompletedProcess(["repro", str(repo)], code, "".join(outs), "".join(errs))


def snapshot(repo: Path) -> dict[str, bytes]:
    out = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted((repo / "processed").rglob("*"))
        if p.is_file()
    }
    out["datapackage.json"] = (repo / "datapackage.json").read_bytes()
    return out


# the run's one built copy, which built() copies (set by the session fixture _run_folder)
_RUN: list[Path] = []


def _build(dest: Path) -> Path:
    repo = copy_repo(dest)
    out = dvc(repo, "repro")
    assert out.returncode == 0, out.stdout + out.stderr
    return repo


def _template() -> Path:
    """The repository copied and built once a run, shared by every xdist worker: the first worker
    to ask builds it under a file lock, the others wait on that lock and read the result."""
    folder = _RUN[0] / "built-once"
    with open(_RUN[0] / "built-once.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".built").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            _build(folder)
            (folder / ".built").touch()
    return folder


def built(dest: Path) -> Path:
    """A copy of the repository with its candidate package built (a fresh copy has no build/): a
    copy of the run's one build (its files, git history and dvc.lock; not DVC's lock files), so
    each test gets a tree of its own to change without building it again."""
    shutil.copytree(_template(), dest, symlinks=True, dirs_exist_ok=True, ignore=_not_copied)
    return dest


def _not_copied(folder: str, names: list[str]) -> set[str]:
    """What a built copy does not take from the run's build: its mark, and DVC's lock files and
    state (.dvc/tmp), which name the folder they were made in."""
    here = Path(folder)
    if here == _RUN[0] / "built-once":
        return {".built"}
    return {"tmp"} if here.name == ".dvc" else set()


# the fixtures that give a test a copy of the run's one build (``built``)
BUILT_FIXTURES = {"fresh", "built_repo", "rebuilt", "own_build"}


def pytest_collection_modifyitems(config, items) -> None:
    """The modules holding a slow test (they build or copy the package) run first, each kept
    whole and in its own order; then the tests that need no built copy; then the rest, which read
    the run's one build (``fresh``). `make test` runs xdist's worksteal schedule, which gives each
    worker a contiguous half of this order: one starts the slow modules and the run's one build,
    while the other runs tests that need no build from the middle, reaching the ones that read it
    once it is made; a worker that runs out takes half of what the other has left, so no build or
    long test holds up the end."""
    slow = {item.module for item in items if item.get_closest_marker("slow")}

    def order(item) -> int:
        if item.module in slow:
            return 0
        return 2 if BUILT_FIXTURES & set(getattr(item, "fixturenames", ())) else 1

    items.sort(key=order)


@pytest.fixture(scope="session", autouse=True)
def _run_folder(tmp_path_factory) -> Path:
    """The folder of this run, shared by its xdist workers (each has a folder of its own in it)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    _RUN[:] = [root]
    return root


@contextlib.contextmanager
def dvc_of_root():
    """Take turns at the repository's own DVC: DVC locks a repository it reads (a release checks
    the package against dvc.lock through DVC) and gives up after a few seconds when another
    process holds that lock, which a loaded machine can make it do; this file lock waits."""
    with open(_RUN[0] / "root-dvc.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def release_zip() -> Path:
    """The release archive of the repository, made once a run (by whichever worker asks first) and
    only read by the tests."""
    from stopitnow_figures.publishing.release import build_release
    from stopitnow_figures.tables.paths import Paths

    folder = _RUN[0] / "release"
    with dvc_of_root():
        if not (folder / ".made").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            (folder / ".made").write_text(build_release(Paths(ROOT), into=folder).name)
    return folder / (folder / ".made").read_text()


@pytest.fixture
def own_build(tmp_path) -> Path:
    """A copy of the run's one build for this test alone, to change as it likes."""
    return built(tmp_path / "own-build")


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory) -> Path:
    """One built copy of the repository, for tests that run dvc in it (and restore what they
    change)."""
    return built(tmp_path_factory.mktemp("repo"))


@dataclass
class Rebuilt:
    """A built copy with every stage run again in a test process, and what the run wrote."""

    repo: Path
    returncode: int
    stderr: str
    writes: list[str]  # each path opened for writing, renamed or replaced to, removed or chmodded
    raw_before: dict[str, str]  # raw/'s files before the run (path within the copy: sha256)


def _audited(writes: list[str], active: list[bool]):
    """An audit hook recording in ``writes`` the paths the process writes while ``active[0]``
    (audit hooks cannot be removed: this one stops recording when the run ends)."""
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def hook(event, args):
        if not active[0]:
            return
        if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            path, mode, flags = os.fsdecode(args[0]), args[1], args[2]
            if (isinstance(mode, str) and any(m in mode for m in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & write_flags
            ):
                writes.append(path)
        elif event in ("os.rename", "os.replace"):
            writes.append(os.fsdecode(args[1]))
        elif event in ("os.remove", "os.chmod") and isinstance(args[0], (str, bytes, os.PathLike)):
            writes.append(os.fsdecode(args[0]))

    return hook


def raw_hashes(repo: Path) -> dict[str, str]:
    """Each file of a copy's raw/ (its path within the copy) and the sha256 of its bytes."""
    return {
        str(p.relative_to(repo)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((repo / "raw").rglob("*"))
        if p.is_file()
    }


def _rebuild(repo: Path) -> dict:
    """Every stage run again in ``repo`` in this process under the audit hook: what the test of
    each rule reads (``Rebuilt``'s fields but the copy)."""
    before = raw_hashes(repo)
    writes: list[str] = []
    active = [True]
    sys.addaudithook(_audited(writes, active))
    try:
        run = repro_in_process(repo)
    finally:
        active[0] = False
    return {"returncode": run.returncode, "stderr": run.stderr, "writes": writes, "raw": before}


@pytest.fixture(scope="session")
def rebuilt() -> Rebuilt:
    """A copy of the run's one build (``built``) with every stage run again in a test process
    (``repro_in_process``: another process than the build's, so another hash seed, trusting no
    output of it), under an audit hook that records what the stages write. Made once a run, by the
    first xdist worker to ask (the others wait on a file lock and read its record). Read by the
    tests of both: that a second build gives the same bytes, that no stage writes to raw/."""
    repo, record = _RUN[0] / "rebuilt", _RUN[0] / "rebuilt.json"
    with open(_RUN[0] / "rebuilt.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            shutil.rmtree(repo, ignore_errors=True)
            made = _rebuild(built(repo))
            record.write_text(json.dumps(made), encoding="utf-8")
    made = json.loads(record.read_text(encoding="utf-8"))
    return Rebuilt(repo, made["returncode"], made["stderr"], made["writes"], made["raw"])


@pytest.fixture(scope="session")
def fresh(tmp_path_factory) -> Path:
    """The package as the code under test builds it now, in a copy of its own, built once a session.

    The hand-worked tests read their tables from here, not from the committed
    processed/, so a change of code is tested before anyone runs dvc repro; a
    test of its own holds processed/ to what is built here. Where BUILT names this
    tree (tests/test_curator.py runs the data tests so in a copy it has just
    built), the tree itself is that package.
    """
    if os.environ.get(BUILT) == str(ROOT):
        return ROOT
    return built(tmp_path_factory.mktemp("fresh"))


@pytest.fixture(scope="session")
def figures(fresh) -> dict[str, dict[str, str]]:
    return by_id(read_csv(fresh / "processed" / "figures.csv"), "figure_id")


@pytest.fixture(scope="session")
def derived(fresh) -> dict[str, dict[str, str]]:
    return by_id(read_csv(fresh / "processed" / "derived.csv"), "metric_id")


@pytest.fixture(scope="session")
def claims(fresh) -> dict[str, dict[str, str]]:
    return by_id(read_csv(fresh / "processed" / "claims.csv"), "claim_id")


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Server:
    """A real HTTP server on loopback serving one folder."""

    def __init__(self, folder: Path):
        self.httpd = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder))
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
