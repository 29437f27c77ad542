"""Running a stage: problems become one line each on stderr and a JSON report
under build/, with a non-zero exit and no traceback."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path

from .errors import InputError, write_failure_report
from .paths import Paths


def run_stage(name: str, fn: Callable[[Path], None], argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path.cwd()
    # A stage holds millions of small objects at scale and frees them by reference
    # counting; the cyclic collector would walk them all again and again for nothing.
    gc.disable()
    try:
        fn(root)
    except InputError as exc:
        for p in exc.problems:
            print(str(p), file=sys.stderr)
        report = Paths(root).failure_report
        write_failure_report(report, name, exc)
        n = len(exc.problems)
        print(f"{name}: {n} problem{'s' if n != 1 else ''}; nothing was published (details: {report.relative_to(root)})", file=sys.stderr)
        return 1
    finally:
        gc.enable()
    return 0
