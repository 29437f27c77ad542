"""Running a stage: problems become one line each on stderr and a JSON report
under build/, with a non-zero exit and no traceback.

Before a stage does anything else it finishes or undoes a publish that was
interrupted (see ``publishing.recover``), so no stage ever reads a published
package caught half-way.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path

from .csvio import WriteError
from .errors import InputError, Problem, write_failure_report
from .paths import Paths


def run_stage(name: str, fn: Callable[[Path], None], argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path.cwd()
    if not (root / "raw").is_dir() or not (root / "schemas").is_dir():
        print(f"{name}: {root} is not a copy of the repository (no raw/ and schemas/ there)", file=sys.stderr)
        return 2
    paths = Paths(root)
    # A stage holds millions of small objects at scale and frees them by reference
    # counting; the cyclic collector would walk them all again and again for nothing.
    gc.disable()
    try:
        from .publishing import recover

        note = recover(paths)
        if note:
            print(f"{name}: {note}", file=sys.stderr)
        fn(root)
    except InputError as exc:
        return _report(name, paths, exc)
    except WriteError as exc:
        message = f"cannot write it: {exc.reason}; nothing was published"
        return _report(name, paths, InputError([Problem(paths.rel(exc.path), None, None, "cannot-write", None, message)]))
    finally:
        gc.enable()
    return 0


def _report(name: str, paths: Paths, exc: InputError) -> int:
    for p in exc.problems:
        print(str(p), file=sys.stderr)
    report = paths.failure_report
    try:
        write_failure_report(report, name, exc)
        where = f" (details: {paths.rel(report)})"
    except WriteError:
        where = ""
    n = len(exc.problems)
    print(f"{name}: {n} problem{'s' if n != 1 else ''}; nothing was published{where}", file=sys.stderr)
    return 1
