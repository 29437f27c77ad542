"""Downloading a release archive safely: verify everything, then move it into
place; on any failure, leave nothing behind."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from .release import ReleaseError

MAX_UNCOMPRESSED = 512 * 1024 * 1024


def fetch(url: str, dest: Path, progress: Callable[[int, int | None], None] | None = None, timeout: float = 30) -> None:
    """Download ``url`` to ``dest``; network failures become ReleaseError."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(dest, "wb") as fh:
            total = resp.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            done = 0
            while chunk := resp.read(64 * 1024):
                fh.write(chunk)
                done += len(chunk)
                if progress:
                    progress(len(chunk), total)
            if total is not None and done != total:
                raise ReleaseError(f"the transfer stopped after {done} of {total} bytes")
    except urllib.error.HTTPError as exc:
        raise ReleaseError(f"the server answered {exc.code} {exc.reason} for {url}") from None
    except urllib.error.URLError as exc:
        raise ReleaseError(f"cannot reach {url}: {exc.reason}") from None
    except (TimeoutError, ConnectionError, OSError) as exc:
        if isinstance(exc, ReleaseError):
            raise
        raise ReleaseError(f"the download from {url} failed: {exc}") from None


def verify_and_extract(archive: Path, into: Path) -> list[str]:
    """Check the archive member by member, extract into ``into``, check every
    checksum and every resource's hash and bytes. Returns the extracted names."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise ReleaseError("the archive is not a readable zip file (truncated or damaged)") from None
    with zf:
        infos = zf.infolist()
        seen: set[str] = set()
        total = 0
        for info in infos:
            _check_member(info, seen)
            total += info.file_size
        if total > MAX_UNCOMPRESSED:
            raise ReleaseError(f"the archive would unpack to {total} bytes, more than the {MAX_UNCOMPRESSED} allowed")
        if "SHA256SUMS" not in seen:
            raise ReleaseError("the archive has no SHA256SUMS file")
        try:
            sums = _parse_sums(zf.read("SHA256SUMS").decode("utf-8"))
            files = {i.filename: zf.read(i) for i in infos if not i.is_dir() and i.filename != "SHA256SUMS"}
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ReleaseError(f"the archive is damaged: {exc}") from None
    unlisted = sorted(set(files) - set(sums))
    if unlisted:
        raise ReleaseError(f"files not listed in SHA256SUMS: {', '.join(unlisted)}")
    missing = sorted(set(sums) - set(files))
    if missing:
        raise ReleaseError(f"files listed in SHA256SUMS but not in the archive: {', '.join(missing)}")
    for name, data in sorted(files.items()):
        if hashlib.sha256(data).hexdigest() != sums[name]:
            raise ReleaseError(f"checksum mismatch for {name}: the file was changed or damaged")
    if "datapackage.json" not in files:
        raise ReleaseError("the archive has no datapackage.json")
    descriptor = json.loads(files["datapackage.json"])
    for res in descriptor.get("resources", []):
        data = files.get(res["path"])
        if data is None:
            raise ReleaseError(f"resource {res['name']} ({res['path']}) is not in the archive")
        if len(data) != res.get("bytes") or "sha256:" + hashlib.sha256(data).hexdigest() != res.get("hash"):
            raise ReleaseError(f"resource {res['name']} does not match the hash and bytes in datapackage.json")
    for name, data in files.items():
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return sorted(files)


def _check_member(info: zipfile.ZipInfo, seen: set[str]) -> None:
    name = info.filename
    path = PurePosixPath(name)
    if "\\" in name or path.is_absolute() or ".." in path.parts or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ReleaseError(f"unsafe path in the archive: {name!r} would escape the target folder")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise ReleaseError(f"the archive holds a link: {name!r}")
    if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise ReleaseError(f"the archive holds a special file: {name!r}")
    if name in seen:
        raise ReleaseError(f"the archive holds {name!r} twice")
    seen.add(name)


def _parse_sums(text: str) -> dict[str, str]:
    sums = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise ReleaseError(f"a SHA256SUMS line is not '<sha256>  <path>': {line!r}")
        sums[name] = digest
    return sums


def download(url: str, to: Path, progress: Callable[[int, int | None], None] | None = None) -> list[str]:
    """Fetch a release, verify it, then move its files into ``to``; nothing is left behind on failure."""
    to = to.resolve()
    to.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".stopitnow-download.", dir=to.parent))
    try:
        archive = work / "release.zip"
        fetch(url, archive, progress)
        staged = work / "files"
        staged.mkdir()
        names = verify_and_extract(archive, staged)
        to.mkdir(parents=True, exist_ok=True)
        for name in names:
            target = to / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged / name, target)
        return names
    finally:
        shutil.rmtree(work, ignore_errors=True)
