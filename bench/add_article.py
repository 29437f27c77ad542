"""The time from adding one article to a published package, on the real package.

    python bench/add_article.py [--repeat 3]

In a copy of the repository built by `dvc repro` (its build/ and processed/ up to date), the
article written for tests/test_curator.py goes the curator's way: `add-source`, `propose`, the
curator's columns filled as that test fills them (its `_finish`, no time of a person counted),
`check`, then `dvc repro` publishes it. Each step is timed on its own and the whole printed; the
median of the repeats, each on a fresh copy of the built repository. The steps run as commands
in their own processes, as a curator runs them.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "src")]

from stopitnow_figures.tables.workspace import copy_repository  # noqa: E402
from test_curator import ADD, ARTICLE, SID, _finish  # noqa: E402  (the test's article and judgment)

STEPS = ("add-source", "propose", "check", "dvc repro")


def run(cmd: list[str], cwd: Path) -> float:
    """Seconds ``cmd`` takes in ``cwd``; stop on failure with its output."""
    t = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout}{out.stderr}")
    return time.perf_counter() - t


def built_copy(dest: Path) -> Path:
    """A copy of the repository with its package built, as a curator's clone is after make repro."""
    repo = copy_repository(ROOT, dest)
    run(["dvc", "repro", "-q"], repo)
    return repo


def one_article(template: Path, work: Path) -> dict[str, float]:
    """Each step's seconds for the test article added to a copy of ``template``."""
    repo = work / "repo"
    shutil.copytree(template, repo, symlinks=True)
    text = work / "article.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    cli = [sys.executable, "-m", "stopitnow_figures.cli"]
    times = {"add-source": run([*cli, "add-source", str(text), *ADD], repo)}
    times["propose"] = run([*cli, "propose", SID], repo)
    _finish(repo)
    times["check"] = run([*cli, "check"], repo)
    times["dvc repro"] = run(["dvc", "repro", "-q"], repo)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        template = built_copy(Path(tmp) / "built")
        runs = []
        for k in range(args.repeat):
            work = Path(tmp) / f"run{k}"
            work.mkdir()
            runs.append(one_article(template, work))
            shutil.rmtree(work)
    for step in STEPS:
        print(f"{step:10s} {statistics.median(r[step] for r in runs):7.2f} s")
    print(f"{'in all':10s} {statistics.median(sum(r.values()) for r in runs):7.2f} s")


if __name__ == "__main__":
    main()
