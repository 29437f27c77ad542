"""A working copy of the repository: the files git tracks (and the untracked
ones it does not ignore) as they are in the working tree, in a new folder
that is a git repository of its own. Tests and benchmarks run the pipeline
in such copies, never in the repository itself."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def copy_repository(source: Path, dest: Path) -> Path:
    """Copy ``source`` into ``dest`` (tracked and untracked-but-not-ignored files), commit it, and
    return ``dest``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        src = source / name
        if src.is_file() and not src.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.email=copy@example.org", "-c", "user.name=copy", "commit", "-qm", "copy"],
    ):
        subprocess.run(["git", *args], cwd=dest, check=True, capture_output=True)
    return dest
