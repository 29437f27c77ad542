"""Release archives: building them byte-reproducibly from the committed package."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import zipfile
from pathlib import Path

from .paths import Paths

ROOT_FILES = ("datapackage.json", "CITATION.cff", ".zenodo.json", "LICENSE", "LICENSE-DATA", "CHANGELOG.md")


class ReleaseError(Exception):
    """A release that cannot be built, fetched or trusted; the message says why."""


def release_members(paths: Paths) -> list[str]:
    """The files a release holds, as archive paths, sorted."""
    names = [f for f in ROOT_FILES if (paths.root / f).is_file()]
    names += [str(p.relative_to(paths.root)) for p in sorted(paths.processed.rglob("*")) if p.is_file() and not p.name.startswith(".")]
    return sorted(names)


def build_release(paths: Paths) -> Path:
    """Write dist/stopitnow-figures-<version>.zip with a SHA256SUMS file; same commit, same bytes."""
    descriptor = json.loads(paths.datapackage.read_text(encoding="utf-8"))
    version, created = descriptor["version"], descriptor["created"]
    stamp = (int(created[:4]), int(created[5:7]), int(created[8:10]), 0, 0, 0)
    names = release_members(paths)
    sums = "".join(f"{hashlib.sha256((paths.root / n).read_bytes()).hexdigest()}  {n}\n" for n in names)
    out = paths.dist / f"stopitnow-figures-{version}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".release.", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name, data in [("SHA256SUMS", sums.encode())] + [(n, (paths.root / n).read_bytes()) for n in names]:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = (stat.S_IFREG | 0o644) << 16
                zf.writestr(info, data, compresslevel=9)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
