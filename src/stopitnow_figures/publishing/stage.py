"""Running a stage: problems become one line each on stderr and a JSON report
under build/, with a non-zero exit and no traceback.

Before a stage does anything else it finishes or undoes a publish that was
interrupted (see ``publishing.recover``), so no stage ever reads a published
package caught half-way. A stage that fails or stops withdraws its verdict on
the candidate (``approval.withdraw``), so publish cannot publish what it did
not pass. A publish that cannot be completed says what state it left the
published package in (``publishing.PublishFailed``).
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from ..tables.characters import escaped
from ..tables.csvio import WriteError, atomic_write_text
from ..tables.errors import InputError
from ..tables.paths import Paths
from .approval import withdraw


def run_stage(name: str, fn: Callable[[Path], None], argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path.cwd()
    if not (root / "raw").is_dir() or not (root / "schemas").is_dir():
        print(
            f"{name}: {root} is not a copy of the repository (no raw/ and schemas/ there)",
            file=sys.stderr,
        )
        return 2
    paths = Paths(root)
    # A stage holds millions of small objects at scale and frees them by reference
    # counting; the cyclic collector would walk them all again and again for nothing.
    gc.disable()
    passed = False
    try:
        from .swap import recover

        note = recover(paths)
        if note:
            print(escaped(f"{name}: {note}"), file=sys.stderr)
        fn(root)
        passed = True
    except InputError as exc:
        return _report(name, paths, exc)
    except WriteError as exc:
        from .swap import write_problem

        return _report(name, paths, InputError([write_problem(paths, exc)]), exc.state)
    finally:
        gc.enable()
        if not passed:  # a check that failed, or stopped, passes nothing (see ``approval``)
            withdraw(paths, name)
    return 0


def _report(name: str, paths: Paths, exc: InputError, state: str = WriteError.state) -> int:
    for p in exc.problems:
        print(escaped(str(p)), file=sys.stderr)
    report = paths.failure_report
    try:
        write_failure_report(report, name, exc)
        where = f" (details: {paths.rel(report)})"
    except WriteError:
        where = ""
    n = len(exc.problems)
    print(f"{name}: {n} problem{'s' if n != 1 else ''}; {state}{where}", file=sys.stderr)
    return 1


def write_failure_report(path: Path, stage: str, error: InputError) -> None:
    """Write the problems as JSON for programs; never into processed/."""
    payload = {"stage": stage, "problems": [asdict(p) for p in error.problems]}
    atomic_write_text(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
