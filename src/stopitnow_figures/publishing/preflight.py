"""What ``make repro`` does before ``dvc repro``: the checks DVC cannot make for itself.

- dvc.lock that is empty, not valid YAML or not of the shape DVC requires (DVC was cut off writing
  it) is restored from git, or removed where git does not have it (DVC then rebuilds
  every stage), and the curator is told which;
- a publish that was interrupted is finished or undone (``publishing.recover``);
- a link to nothing, or a folder where a table should be, in raw/ is reported
  as a located problem (DVC itself stops on it with a bare "[Errno 2]");
- params.yaml and package.yaml are checked before DVC reads them (a chain of
  YAML aliases that DVC would expand until memory runs out, keys twice).

    python -m stopitnow_figures.publishing.preflight [ROOT]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..tables import config
from ..tables.characters import escaped
from ..tables.csvio import WriteError
from ..tables.errors import Collector
from ..tables.paths import Paths, unsafe_entry
from .swap import recover, write_problem


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = Paths(Path(args[0]) if args else Path.cwd())
    notes, problems = [repair_lock(paths), repair_rwlock(paths)], []
    try:
        notes.append(recover(paths))
    except (
        WriteError
    ) as exc:  # a publish that can be neither finished nor put back (the message says what to do)
        problems.append(write_problem(paths, exc))
    for note in filter(None, notes):
        print(escaped(f"preflight: {note}"), file=sys.stderr)
    problems += raw_files(paths) + config_files(paths)
    for p in problems:
        print(escaped(str(p)), file=sys.stderr)
    return 1 if problems else 0


def repair_rwlock(paths: Paths) -> str | None:
    """Remove DVC's record of the stages running (.dvc/tmp/rwlock) where it is not JSON: DVC killed
    while writing it leaves it empty, and every later dvc repro then fails on it. It records only
    what a running DVC holds, so a record no DVC could have finished writing holds nothing."""
    import json

    rwlock = paths.root / ".dvc" / "tmp" / "rwlock"
    try:
        json.loads(rwlock.read_text(encoding="utf-8"))
        return None
    except FileNotFoundError:
        return None
    except (OSError, ValueError):  # (UnicodeDecodeError is a ValueError)
        if not rwlock.is_file():
            return None  # not DVC's (a folder): DVC reports it
    rwlock.unlink(missing_ok=True)
    return (
        ".dvc/tmp/rwlock (DVC's record of running stages) was empty or broken, as DVC leaves it "
        "when killed while writing it: removed it"
    )


def repair_lock(paths: Paths) -> str | None:
    """Restore or remove a dvc.lock that DVC cannot read; say what was done (None if it was
    sound)."""
    import yaml

    lock = paths.dvc_lock
    if not lock.exists():
        return None
    try:
        if _sound_lock(yaml.load(lock.read_text(encoding="utf-8"), Loader=config.loader())):
            return None
    except (yaml.YAMLError, UnicodeDecodeError):
        pass
    restored = subprocess.run(
        ["git", "checkout", "--", "dvc.lock"], cwd=paths.root, capture_output=True
    )
    if restored.returncode == 0:
        return (
            "dvc.lock was empty or broken (a build cut off while DVC wrote it, or an edit): "
            "restored it from git; dvc repro reruns what changed since"
        )
    lock.unlink()
    return (
        "dvc.lock was empty or broken and git has no copy: removed it; dvc repro rebuilds every "
        "stage"
    )


def _sound_lock(data) -> bool:
    """dvc.lock as DVC's own schema of it requires (a lock that parses but has the wrong shape stops
    every dvc repro)."""
    from dvc.schema import COMPILED_LOCKFILE_SCHEMA
    from voluptuous import Invalid

    try:
        COMPILED_LOCKFILE_SCHEMA(data)
    except Invalid:
        return False
    return isinstance(data, dict) and isinstance(data.get("stages"), dict)


def config_files(paths: Paths) -> list:
    """params.yaml and package.yaml as the stages check them."""
    from ..tables import config

    problems = Collector()
    for name in ("params", "package"):
        config.read(paths, name, problems)
    return problems.problems


def raw_files(paths: Paths) -> list:
    """Links to nothing and files that are not regular files under raw/, each a located problem."""
    problems = Collector()
    for path in sorted(paths.raw.rglob("*")) if paths.raw.is_dir() else []:
        why = unsafe_entry(path)
        if why:
            problems.add("unsafe-path", paths.rel(path), None, None, None, why)
    return problems.problems


if __name__ == "__main__":
    sys.exit(main())
