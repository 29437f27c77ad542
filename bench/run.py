"""Benchmarks: prints figures, asserts nothing. Medians of repeated runs; each
comparison measured side by side in the same run, as a ratio.

    python bench/run.py                       # real package, and scale at 10k and 100k figures
    python bench/run.py --sizes 10000,100000,1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STAGES = (
    "clean",
    "reconcile",
    "derive",
    "package",
    "reader",
    "publish",
)  # the data stages, timed at scale (report is timed on the real package only)
# the span of the time target set on 2026-11-22 ("clean, validate, derive and package"): validate
# now runs inside clean, and reconcile between clean and derive; reader and publish, later, are held
# to linear growth and 4 GB
THROUGH_PACKAGE = ("clean", "reconcile", "derive", "package")
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402


def env() -> dict[str, str]:
    e = dict(
        os.environ,
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        GX_ANALYTICS_ENABLED="False",
        DVC_NO_ANALYTICS="1",
    )
    e.pop("SOURCE_DATE_EPOCH", None)
    return e


def timed(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)
    return time.perf_counter() - start, out


def median_of(cmd, cwd, repeat) -> float:
    return statistics.median(timed(cmd, cwd)[0] for _ in range(repeat))


def machine() -> str:
    mem = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return (
        f"{date.today()}  {platform.machine()}  {os.cpu_count()} cores  {mem / 2**20:.1f} GiB  "
        f"Python {platform.python_version()}  {platform.platform()}"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def copy_repo(dest: Path) -> Path:
    from stopitnow_figures.tables.workspace import copy_repository

    return copy_repository(ROOT, dest)


def stage_imports(stage: str, root: Path) -> list[str]:
    """The top-level packages a stage imports when it runs (found by running it),
    leaving out the names extension modules register without being importable
    (cython_runtime): one of those would stop the floor's import statement early."""
    code = (
        "import sys; before = set(sys.modules); from pathlib import Path; "
        f"from stopitnow_figures.stages import {stage} as m; m.run(Path({str(root)!r})); "
        "names = {n.split('.')[0] for n in set(sys.modules) - before if not n.startswith('_')}; "
        "print(' '.join(sorted(n for n in names "
        "if getattr(sys.modules.get(n), '__spec__', None) is not None)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env(), capture_output=True, text=True, check=True
    )
    return [n for n in out.stdout.split() if n.isidentifier()]


def import_floor(modules: list[str], cwd: Path) -> float:
    """Seconds to start Python and import ``modules``; the import must succeed."""
    t, out = timed([sys.executable, "-c", f"import {', '.join(modules)}"], cwd)
    if out.returncode != 0:
        raise SystemExit(f"the import floor failed: {out.stderr[-500:]}")
    return t


def real_package(repeat: int) -> list[tuple[str, bool]]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_repo(Path(tmp))
        dvc = [str(BIN / "dvc")]
        print("\n== The real package ==")
        subprocess.run(
            dvc + ["repro"], cwd=repo, env=env(), capture_output=True
        )  # a fresh copy has no build/: build it once
        noop = [timed(dvc + ["repro"], repo)[0] for _ in range(repeat)]
        status = [timed(dvc + ["status"], repo)[0] for _ in range(repeat)]
        r = statistics.median(noop) / statistics.median(status)
        print(
            f"no-op dvc repro        {statistics.median(noop):7.2f} s   "
            f"floor dvc status {statistics.median(status):6.2f} s   "
            f"ratio {r:4.2f} (target <= 1.3: {verdict(r <= 1.3)})"
        )
        results.append(("no-op repro <= 1.3 x dvc status", r <= 1.3))

        figures = repo / "raw" / "figures.csv"
        original = figures.read_text(encoding="utf-8")
        marker = "Counts accesses (times), not people."
        subprocess.run(
            dvc + ["repro"], cwd=repo, env=env(), capture_output=True
        )  # a fresh copy has no build/: build it once
        floors = {s: stage_imports(s, repo) for s in (*STAGES, "report")}
        rebuild, floor = [], []
        for i in range(repeat):
            figures.write_text(
                original.replace(marker, marker + (" (bench)" if i % 2 == 0 else " (bench again)")),
                encoding="utf-8",
            )
            t, out = timed(dvc + ["repro"], repo)
            ran = [
                line.split("'")[1]
                for line in out.stdout.splitlines()
                if line.startswith("Running stage")
            ]
            rebuild.append(t)
            floor.append(sum(import_floor(floors[s], repo) for s in ran))
        figures.write_text(original, encoding="utf-8")
        subprocess.run(dvc + ["repro"], cwd=repo, env=env(), capture_output=True)
        r = statistics.median(rebuild) / statistics.median(floor)
        print(
            f"one-row rebuild        {statistics.median(rebuild):7.2f} s   "
            f"floor imports    {statistics.median(floor):6.2f} s   "
            f"ratio {r:4.2f} (target <= 1.5: {verdict(r <= 1.5)})  stages: {', '.join(ran)}"
        )
        results.append(("one-row rebuild <= 1.5 x import floor", r <= 1.5))
        forced = median_of(dvc + ["repro", "-f"], repo, max(1, repeat // 2 + 1))
        print(f"forced full rebuild    {forced:7.2f} s")

        cli = [str(BIN / "stopitnow-figures")]
        pandas = median_of([sys.executable, "-c", "import pandas"], repo, repeat)
        for name, cmd in (
            ("trace ID", cli + ["trace", "national-calls-jump"]),
            ("--help", cli + ["--help"]),
        ):
            t = median_of(cmd, repo, repeat)
            print(
                f"stopitnow-figures {name:8s} {t:5.2f} s   floor import pandas {pandas:5.2f} s   "
                f"ratio {t / pandas:4.2f} (target < 1: {verdict(t < pandas)})"
            )
            results.append((f"{name} faster than import pandas", t < pandas))
        check = median_of(cli + ["check"], repo, repeat)
        floor = median_of(
            [
                sys.executable,
                "-c",
                f"import stopitnow_figures.cli, {', '.join(stage_imports('clean', repo))}",
            ],
            repo,
            repeat,
        )
        r = check / floor
        print(
            f"stopitnow-figures check  {check:5.2f} s   floor imports    {floor:5.2f} s   "
            f"ratio {r:4.2f} (target <= 1.3: {verdict(r <= 1.3)})"
        )
        results.append(("check <= 1.3 x its import floor", r <= 1.3))
    return results


# the stage as DVC runs it (its main entry point), timed after the imports
STAGE_RUNNER = (
    "import resource, sys, time; from stopitnow_figures.stages import {stage} as m; "
    "t = time.perf_counter(); code = m.main([sys.argv[1]]); t = time.perf_counter() - t; "
    "print(t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(code)"
)


# publish publishes only a candidate the report stage passed (``approval``); the report's Great
# Expectations suite is timed on the real package only, so at scale its verdict is recorded for the
# candidate as it stands
STAND_IN_FOR_REPORT = (
    "import sys; from pathlib import Path; from stopitnow_figures.publishing import approval; "
    "from stopitnow_figures.tables.paths import Paths; "
    "p = Paths(Path(sys.argv[1])); "
    "approval.approve(p, 'report', approval.digests(p, "
    "[f for f in approval.built_by_package(p.candidate) if f.is_file()]))"
)


def stand_in_for_report(corpus: Path) -> None:
    subprocess.run([sys.executable, "-c", STAND_IN_FOR_REPORT, str(corpus)], env=env(), check=True)


def scale(sizes: list[int], repeat: int) -> list[tuple[str, bool]]:
    results = []
    totals = {}
    print(
        "\n== At scale (synthetic corpus; stages run outside DVC; time excludes starting Python) =="
    )
    print(f"{'figures':>9} {'stage':>9} {'median s':>9} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            corpus = Path(tmp) / f"c{n}"
            generate(n, corpus)
            total, through_package, peak = 0.0, 0.0, 0
            for stage in STAGES:
                if stage == "publish":
                    stand_in_for_report(corpus)
                runs = []
                for _ in range(repeat):
                    out = subprocess.run(
                        [sys.executable, "-c", STAGE_RUNNER.format(stage=stage), str(corpus)],
                        env=env(),
                        capture_output=True,
                        text=True,
                    )
                    if out.returncode != 0:
                        print(out.stderr[-2000:])
                        raise SystemExit(f"{stage} failed at {n}")
                    t, kb = out.stdout.split()
                    runs.append((float(t), int(kb)))
                t = statistics.median(r[0] for r in runs)
                mb = max(r[1] for r in runs) / 1024
                total += t
                through_package += t if stage in THROUGH_PACKAGE else 0
                peak = max(peak, mb)
                print(f"{n:>9} {stage:>9} {t:9.2f} {mb:8.0f}")
                if stage == "publish":
                    schema = json.loads((corpus / "schemas" / "figures.schema.json").read_text())
                    schema.pop("foreignKeys", None)
                    (corpus / "figures.schema.nofk.json").write_text(json.dumps(schema))
                    fl = statistics.median(
                        timed(
                            [
                                str(BIN / "frictionless"),
                                "validate",
                                "--schema",
                                "figures.schema.nofk.json",
                                "processed/figures.csv",
                            ],
                            corpus,
                        )[0]
                        for _ in range(repeat)
                    )
                    wall = statistics.median(
                        timed(
                            [
                                sys.executable,
                                "-m",
                                "stopitnow_figures.tables.validation",
                                str(corpus),
                                "figures",
                            ],
                            corpus,
                        )[0]
                        for _ in range(repeat)
                    )
                    print(
                        f"{n:>9} {'frictionless validate':>21}: {fl:.2f} s; "
                        f"the package's validation of the same table (whole command) {wall:.2f} s; "
                        f"ratio {fl / wall:.1f}x (target >= 5: {verdict(fl / wall >= 5)})"
                    )
                    results.append(
                        (f"validate >= 5x faster than frictionless at {n}", fl / wall >= 5)
                    )
            totals[n] = total
            print(f"{n:>9} {'total':>9} {total:9.2f} {peak:8.0f}")
            print(f"{n:>9} {'clean..package':>9} {through_package:9.2f}")
            if n >= 1_000_000:
                results.append(
                    (f"{n} figures through clean..package in <= 120 s", through_package <= 120)
                )
                results.append((f"{n} figures in <= 4 GB in every stage", peak <= 4096))
            shutil.rmtree(corpus)
    ns = sorted(totals)
    for a, b in zip(ns, ns[1:], strict=False):
        growth = totals[b] / totals[a]
        limit = 1.2 * b / a
        print(
            f"growth {a} -> {b}: x{growth:.1f} for x{b // a} figures "
            f"(target <= x{limit:.0f}: {verdict(growth <= limit)})"
        )
        results.append((f"linear growth {a}->{b}", growth <= limit))
    return results


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--scale-repeat", type=int, default=None, help="runs per stage at scale (default: --repeat)"
    )
    ap.add_argument("--skip-real", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    args = ap.parse_args()
    print(machine())
    results = []
    if not args.skip_real:
        results += real_package(args.repeat)
    if not args.skip_scale:
        results += scale([int(s) for s in args.sizes.split(",")], args.scale_repeat or args.repeat)
    print("\n== Targets ==")
    for name, ok in results:
        print(f"{verdict(ok):7s} {name}")


if __name__ == "__main__":
    main()
