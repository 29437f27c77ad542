"""Release archives: which files a release holds, building the archive
byte-reproducibly from a package whose files match datapackage.json, and the
releases file that records each published archive's sha256.

The allow-list of members (``is_release_member``) and the resource check
(``resource_problems``) are shared with ``download``, so that what the builder
writes and what the downloader accepts cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..tables import characters
from ..tables.paths import Paths
from .swap import FILES_PROPERTY

SUMS_FILE = "SHA256SUMS"
ROOT_FILES = (
    "datapackage.json",
    "CITATION.cff",
    ".zenodo.json",
    "metrics.json",
    "LICENSE",
    "LICENSE-DATA",
    "CHANGELOG.md",
)
PACKAGE_FOLDER = "processed"
DESCRIPTOR = "datapackage.json"
# The releases file ships with the CLI (package data) and is committed in the
# repository; it is never put inside an archive, or an archive could vouch for itself.
RELEASES_NAME = "releases.json"
SHIPPED_RELEASES = Path(__file__).with_name(RELEASES_NAME)
RELEASES_ABOUT = (
    "Written by `stopitnow-figures release --record`; `stopitnow-figures download` "
    "refuses an archive whose sha256 differs."
)
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
CHUNK = 64 * 1024
# a release path is at most processed/<folder>/<file> deep; these limits leave
# room and keep a crafted name from reaching the filesystem (or Python's
# recursion limit in mkdir) at all: 255 bytes is the longest name a part may have on Linux and macOS
MAX_PATH_PARTS = 16
MAX_PART_BYTES = 255
MAX_PATH_CHARS = 1024

# (bytes, sha256 hex) of an archive path, or None where there is no such file
Fingerprint = Callable[[str], tuple[int, str] | None]


class ReleaseError(Exception):
    """A release that cannot be built, fetched or trusted; the message says why."""


def member_name_problem(name: str) -> str | None:
    """Why ``name`` is not a canonical relative archive path (one spelling per file), or None."""
    if not name:
        return "is empty"
    if "\\" in name:
        return "holds a backslash"
    if name.startswith("/"):
        return "is absolute"
    if ":" in name:
        return "holds a colon (a drive letter or a Windows stream)"
    hidden = characters.PATTERN.findall(name)
    if any(characters.kind(c) == "control" for c in hidden):
        return "holds a control character"
    if hidden:  # U+202E shows what follows it reversed; U+200B is not seen at all
        return f"holds an invisible format or separator character (U+{ord(hidden[0]):04X})"
    parts = name.split("/")
    if ".." in parts:
        return "holds '..' and would escape the target folder"
    if "." in parts or "" in parts[:-1]:
        return "holds './' or '//', another spelling of a shorter name"
    return _length_problem(name, parts)


def _length_problem(name: str, parts: list[str]) -> str | None:
    if len(parts) > MAX_PATH_PARTS:
        return f"is {len(parts)} parts deep; a release path has at most {MAX_PATH_PARTS}"
    if len(name) > MAX_PATH_CHARS:
        return f"is {len(name)} characters long; a release path has at most {MAX_PATH_CHARS}"
    if any(len(p.encode("utf-8", "surrogatepass")) > MAX_PART_BYTES for p in parts):
        return f"has a part longer than the {MAX_PART_BYTES} bytes a file or folder name may have"
    return None


def is_release_member(name: str) -> bool:
    """True for the paths a release holds: SHA256SUMS, the root files, and files
    under processed/ none of whose parts is hidden (so no .git, no .DS_Store)."""
    if name == SUMS_FILE or name in ROOT_FILES:
        return True
    parts = name.split("/")
    return (
        len(parts) > 1
        and parts[0] == PACKAGE_FOLDER
        and all(p and not p.startswith(".") for p in parts[1:])
    )


def is_release_folder(name: str) -> bool:
    """True for processed/ and the folders under it that a release may hold (given without the
    trailing '/')."""
    return name == PACKAGE_FOLDER or (
        name.startswith(f"{PACKAGE_FOLDER}/") and is_release_member(name)
    )


def release_members(paths: Paths) -> list[str]:
    """The files a release holds, as archive paths, sorted."""
    names = [f for f in ROOT_FILES if (paths.root / f).is_file()]
    names += [
        p.relative_to(paths.root).as_posix()
        for p in sorted(paths.published.processed.rglob("*"))
        if p.is_file()
    ]
    return sorted(n for n in names if is_release_member(n))


def read_descriptor(data: bytes, where: str) -> dict:
    """Parse a datapackage.json; anything but a JSON object is a ReleaseError naming ``where``."""
    try:
        descriptor = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReleaseError(f"{where} is not valid JSON: {exc}") from None
    if not isinstance(descriptor, dict):
        raise ReleaseError(f"{where} is not a JSON object")
    return descriptor


def resource_problems(descriptor: dict, fingerprint: Fingerprint) -> list[str]:
    """Every resource (or file listed beside them, ``FILES_PROPERTY``) whose path is missing, not a
    release file, or whose bytes and sha256 differ from what ``fingerprint`` finds; one message
    per resource."""
    resources, files = descriptor.get("resources"), descriptor.get(FILES_PROPERTY, [])
    if not isinstance(resources, list):
        return [f"{DESCRIPTOR} has no list of resources"]
    if not isinstance(files, list):
        return [f"{DESCRIPTOR}'s {FILES_PROPERTY} is not a list"]
    resources = resources + files
    problems = (_resource_problem(i, res, fingerprint) for i, res in enumerate(resources, 1))
    return [p for p in problems if p]


def _resource_problem(index: int, res: object, fingerprint: Fingerprint) -> str | None:
    if not isinstance(res, dict):
        return f"resource {index} in {DESCRIPTOR} is not an object"
    name = res.get("name") if isinstance(res.get("name"), str) else f"number {index}"
    path = res.get("path")
    if not isinstance(path, str) or not path:
        return f"resource {name} in {DESCRIPTOR} has no path (one file name is expected)"
    if member_name_problem(path) or not is_release_member(path):
        return f"resource {name} has the path {path!r}, which is not a file a release holds"
    found = fingerprint(path)
    if found is None:
        return f"resource {name}: {path} is missing"
    size, digest = found
    if res.get("bytes") != size or res.get("hash") != f"sha256:{digest}":
        return (
            f"resource {name} does not match the hash and bytes in {DESCRIPTOR}: {path} has {size} "
            f"bytes and sha256:{digest}, "
            f"{DESCRIPTOR} says {res.get('bytes')} bytes and {res.get('hash')}"
        )
    return None


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_fingerprint(root: Path) -> Fingerprint:
    def fingerprint(name: str) -> tuple[int, str] | None:
        path = root / name
        return (path.stat().st_size, sha256_file(path)) if path.is_file() else None

    return fingerprint


def check_package(paths: Paths) -> dict:
    """Check every resource in datapackage.json against the file beside it
    (path, bytes, sha256); raise one ReleaseError listing every mismatch. Returns the descriptor."""
    from ..tables.csvio import WriteError
    from .swap import recover, write_problem

    try:
        recover(paths)  # a publish cut short is finished (or undone) before the package is read
    except WriteError as exc:
        raise ReleaseError(f"{write_problem(paths, exc)}\nso no archive was written") from None
    if not paths.published.datapackage.is_file():
        raise ReleaseError(
            f"there is no {DESCRIPTOR} in {paths.root}: build the package with dvc repro"
        )
    descriptor = read_descriptor(paths.published.datapackage.read_bytes(), DESCRIPTOR)
    problems = resource_problems(descriptor, _file_fingerprint(paths.root))
    if problems:
        listed = "".join(f"\n  {p}" for p in problems)
        raise ReleaseError(
            f"the package does not match {DESCRIPTOR}, so no archive was written:{listed}\nrebuild "
            "it with dvc repro"
        )
    changed = outs_changed_since_publish(paths)
    if changed:
        listed = "".join(f"\n  {name}: {how}" for name, how in changed)
        message = (
            "the package is not what the last build published (its hashes in dvc.lock), so "
            f"no archive was written:{listed}"
        )
        raise ReleaseError(
            f"{message}\nrebuild it with dvc repro (a file beside the tables, such as the "
            "datasheet or the reader view, was edited)"
        )
    return descriptor


def outs_changed_since_publish(paths: Paths) -> list[tuple[str, str]]:
    """What of the published package (the publish stage's outputs) differs from its hashes in
    dvc.lock: datapackage.json vouches only for the tables, dvc.lock for every file."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    if not paths.dvc_lock.is_file():
        return [("dvc.lock", "missing: the package was never built here")]
    try:
        with Repo(str(paths.root)) as repo:
            status = repo.status(
                targets=[f"{paths.root / 'dvc.yaml'}:publish"]
            )  # a bare stage name is found from the working directory
    except DvcException as exc:
        return [("dvc.lock", f"DVC cannot read it: {exc}")]
    changes = [change for stage in status.values() for change in stage if isinstance(change, dict)]
    return sorted(
        (name, how) for change in changes for name, how in change.get("changed outs", {}).items()
    )


def _release_date(descriptor: dict) -> tuple[int, int, int, int, int, int]:
    """Member dates come from the package's ``created`` date, never the clock, so the same commit
    gives the same bytes."""
    created = descriptor.get("created")
    try:
        day = date.fromisoformat(str(created)[:10])
    except ValueError:
        raise ReleaseError(
            f"{DESCRIPTOR} has no 'created' date (YYYY-MM-DD...): {created!r}"
        ) from None
    return (day.year, day.month, day.day, 0, 0, 0)


def _version(descriptor: dict) -> str:
    version = descriptor.get("version")
    if not isinstance(version, str) or member_name_problem(version) or "/" in version:
        raise ReleaseError(f"{DESCRIPTOR} has no usable 'version': {version!r}")
    return version


def build_release(paths: Paths, into: Path | None = None) -> Path:
    """Check the package against datapackage.json, then write
    <into or dist/>/stopitnow-figures-<version>.zip with a SHA256SUMS file; same commit, same
    bytes."""
    descriptor = check_package(paths)
    version, stamp = _version(descriptor), _release_date(descriptor)
    names = release_members(paths)
    sums = "".join(f"{sha256_file(paths.root / n)}  {n}\n" for n in names)
    out = (into or paths.dist) / f"stopitnow-figures-{version}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".release.", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name, data in [(SUMS_FILE, sums.encode())] + [
                (n, (paths.root / n).read_bytes()) for n in names
            ]:
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


def releases_file(root: Path) -> Path:
    """The releases file of the repository at ``root`` (the one ``release --record`` writes): the
    shipped file's own place in that repository, so the two can never be different files."""
    return root / SHIPPED_RELEASES.relative_to(SHIPPED_RELEASES.parents[3])


def load_releases(path: Path) -> dict[str, dict[str, str]]:
    """The releases file: version -> {"file", "url", "sha256"}. A file that is
    missing or malformed is a ReleaseError naming it: a broken anchor must not pass for no
    anchor."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ReleaseError(f"cannot read the releases file {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ReleaseError(f"the releases file {path} is not valid JSON: {exc}") from None
    releases = data.get("releases") if isinstance(data, dict) else None
    if not isinstance(releases, dict):
        raise ReleaseError(
            f'the releases file {path} is not an object with "releases": {{version: entry}}'
        )
    for version, entry in releases.items():
        ok = (
            isinstance(entry, dict)
            and all(isinstance(entry.get(k), str) for k in ("file", "sha256"))
            and "url" in entry
            and isinstance(entry["url"], (str, type(None)))
        )
        if not ok or not SHA256_HEX.fullmatch(entry["sha256"]):
            raise ReleaseError(
                f'the releases file {path}: release {version} needs "file", "url" (an address, '
                'or null where none was recorded) and a 64-digit lowercase hex "sha256"'
            )
    return releases


def archive_file_name(url: str) -> str:
    """The file name at the end of a URL's path ('' when there is none)."""
    return unquote(urlsplit(url).path).rsplit("/", 1)[-1]


def record_release(paths: Paths, archive: Path, releases: Path | None = None) -> dict[str, str]:
    """Write or update the entry for the package's version in the releases file
    (default: the repository's own): the archive's file name, URL (stopitnow:releaseUrl; null
    until a maintainer records where releases are published) and sha256."""
    descriptor = read_descriptor(paths.published.datapackage.read_bytes(), DESCRIPTOR)
    version, url = _version(descriptor), descriptor.get("stopitnow:releaseUrl")
    if url is not None and (not isinstance(url, str) or archive_file_name(url) != archive.name):
        raise ReleaseError(
            f"{DESCRIPTOR} has no stopitnow:releaseUrl ending in {archive.name}: {url!r}"
        )
    target = releases or releases_file(paths.root)
    known = load_releases(target) if target.exists() else {}
    known[version] = {"file": archive.name, "url": url, "sha256": sha256_file(archive)}
    text = (
        json.dumps(
            {"about": RELEASES_ABOUT, "releases": dict(sorted(known.items()))},
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )
    _write_atomically(target, text.encode("utf-8"))
    return known[version]


def _write_atomically(target: Path, data: bytes) -> None:
    """Write beside ``target`` and rename over it, so a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
