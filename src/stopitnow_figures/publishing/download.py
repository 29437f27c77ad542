"""Downloading a release archive safely.

In order: the URL is checked before anything is created; the transfer is held
to limits on bytes and on total time; the archive's sha256 is compared with
what vouches for it (``--sha256`` or the releases file shipped with the CLI)
before anything is unpacked; every member must be a file a release holds,
under a canonical name of bounded depth and length, and a regular file;
SHA256SUMS is unpacked first and must list every other member (and no file the
archive lacks) before any of them is; members are streamed out under a limit on
bytes as inflated (not as declared); SHA256SUMS and every resource in
datapackage.json must match. Only then do the files move into the target
folder, as one unit: if any move fails, what was replaced is put back.
Temporary files live in one folder beside the target and are removed on every
exit path, SIGTERM, SIGINT, SIGHUP and SIGQUIT included.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import shutil
import signal
import stat
import struct
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .limits import DEFAULT_LIMITS, Limits
from .release import (
    CHUNK,
    DESCRIPTOR,
    SHA256_HEX,
    SHIPPED_RELEASES,
    SUMS_FILE,
    ReleaseError,
    archive_file_name,
    is_release_folder,
    is_release_member,
    load_releases,
    member_name_problem,
    read_descriptor,
    resource_problems,
)

Progress = Callable[[int, int | None], None]
# what zipfile and zlib raise for an archive that is damaged or crafted: all mean "refuse it"
DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    ValueError,
    NotImplementedError,
    struct.error,
    OverflowError,
)
WORK_PREFIX = ".stopitnow-download."


@dataclass(frozen=True)
class Trust:
    """What vouches for an archive: the sha256 it must have and who says so, or
    (sha256 None) nothing outside the archive, which can then only be checked against itself."""

    sha256: str | None
    source: str


class Interrupted(ReleaseError):
    """SIGTERM, SIGINT, SIGHUP or SIGQUIT arrived during a download; the temporary files were
    removed."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(
            f"stopped by {signal.Signals(signum).name}: nothing was changed and the temporary "
            "files were removed"
        )


class PutBackFailed(ReleaseError):
    """A move into place failed and so did putting back a replaced file; the temporary folder is
    kept, holding it."""


class DeadlineExceeded(ReleaseError):
    """The whole download took longer than ``Limits.deadline``."""

    def __init__(self, seconds: float):
        super().__init__(
            f"the download took longer than the {seconds:g} seconds allowed (--deadline)"
        )


# what a URL may hold: printable ASCII (anything else is percent-encoded, or
# for a host, written in its xn-- form); the host an LDH name or a bracketed IP literal
_URL_TEXT = re.compile(r"[!-~]+")
_NETLOC = re.compile(r"(?P<host>\[[^\[\]]+\]|[A-Za-z0-9._-]+)(?::[0-9]*)?")


def check_url(url: str) -> None:
    """Refuse anything but an http(s) address that urllib can parse and use, with a
    host; called before anything is created, so a bad URL leaves nothing behind."""
    if not url or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise ReleaseError(
            f"{url!r} is not a URL: it is empty or holds spaces or control characters"
        )
    if not _URL_TEXT.fullmatch(url):
        raise ReleaseError(
            f"{url!r} is not a URL: it holds characters other than printable ASCII "
            "(write the host in its xn-- form and percent-encode the rest)"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here, not halfway through the download
    except ValueError as exc:
        raise ReleaseError(f"{url!r} is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ReleaseError(
            f"{url!r} is not a URL: an http:// or https:// address with a host is expected"
        )
    if "@" in parts.netloc:
        raise ReleaseError(
            f"{url!r} is not a URL download can use: it holds a user name or password (before '@')"
        )
    if not _NETLOC.fullmatch(parts.netloc):
        raise ReleaseError(
            f"{url!r} is not a URL: {parts.netloc!r} is not a host name or an [IP address], with "
            "an optional :port"
        )
    try:
        parts.hostname.encode(
            "idna"
        )  # as the resolver will: an empty or over-long label fails here
    except UnicodeError:
        raise ReleaseError(
            f"{url!r} is not a URL: its host {parts.hostname!r} has an empty label or one over 63 "
            "characters"
        ) from None


def trust_for(url: str, sha256: str | None = None, releases: Path = SHIPPED_RELEASES) -> Trust:
    """What vouches for the archive at ``url``: ``sha256`` if given; else the
    releases-file entry whose URL is ``url`` or, failing that, whose file name is
    the URL's; else nothing (``Trust(None, ...)``). A URL ``check_url`` refuses is refused here
    too."""
    check_url(url)
    if sha256 is not None:
        if not SHA256_HEX.fullmatch(sha256.lower()):
            raise ReleaseError(f"--sha256 must be 64 hexadecimal digits, not {sha256!r}")
        return Trust(sha256.lower(), "--sha256")
    entries = load_releases(releases).items()
    name = archive_file_name(url)
    matches = [(v, e) for v, e in entries if e.get("url") == url] or [
        (v, e) for v, e in entries if name and e["file"] == name
    ]
    if len({e["sha256"] for _, e in matches}) > 1:
        raise ReleaseError(
            f"the releases file {releases} gives {name} more than one sha256: "
            f"{', '.join(v for v, _ in matches)}"
        )
    if matches:
        version, entry = matches[0]
        return Trust(entry["sha256"], f"release {version} in the releases file {releases}")
    return Trust(None, "nothing outside the archive")


class _Deadline:
    """The wall-clock budget of one download, checked after every read."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise DeadlineExceeded(self.seconds)


def fetch(
    url: str,
    dest: Path,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    deadline: _Deadline | None = None,
) -> str:
    """Download ``url`` to ``dest`` within the limits and return the sha256 of
    the bytes; every network failure becomes a ReleaseError."""
    import http.client
    import urllib.error
    import urllib.request

    deadline = deadline or _Deadline(limits.deadline)
    try:
        opener = urllib.request.build_opener(_checked_redirects(urllib.request.HTTPRedirectHandler))
        with (
            opener.open(url, timeout=min(limits.timeout, limits.deadline)) as resp,
            open(dest, "xb") as fh,
        ):
            return _copy_body(url, resp, fh, limits, deadline, progress)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise ReleaseError(f"the server answered {exc.code} {exc.reason} for {url}") from None
    except urllib.error.URLError as exc:
        raise ReleaseError(f"cannot reach {url}: {exc.reason}") from None
    except http.client.InvalidURL as exc:
        raise ReleaseError(f"{url!r} is not a URL: {exc}") from None
    except http.client.IncompleteRead:
        raise ReleaseError(
            f"the transfer from {url} was cut off before the end of the body"
        ) from None
    except http.client.HTTPException as exc:
        raise ReleaseError(
            f"the server at {url} sent a malformed response ({type(exc).__name__}: "
            f"{str(exc).strip()!r})"
        ) from None
    except TimeoutError:
        raise ReleaseError(
            f"the server at {url} sent nothing for {limits.timeout:g} seconds"
        ) from None
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"the download from {url} failed: {exc}") from None


MAX_REDIRECTS = 5  # hops one download may follow; each one is checked as the first address is


def _checked_redirects(base: type) -> object:
    """A redirect handler (subclassing urllib's ``base``) that holds every hop to ``check_url`` and
    to
    ``MAX_REDIRECTS``: a redirect to another scheme, to an address with a password, or one too many
    is refused."""

    class CheckedRedirects(base):
        max_redirections = MAX_REDIRECTS

        def http_error_302(self, req, fp, code, msg, headers):
            from urllib.parse import urljoin

            location = headers.get("location") or headers.get("uri")
            if location is not None:
                target = urljoin(req.full_url, location)
                try:
                    check_url(target)
                except ReleaseError as exc:
                    fp.close()
                    raise ReleaseError(
                        f"the server at {req.full_url} redirected ({code}) to an address download "
                        f"refuses: {exc}"
                    ) from None
            return super().http_error_302(req, fp, code, msg, headers)

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    return CheckedRedirects()


def _copy_body(
    url: str, resp, fh, limits: Limits, deadline: _Deadline, progress: Progress | None
) -> str:
    """Copy the body to ``fh`` chunk by chunk; ``read1`` returns whatever one read
    gives, so a slow body meets the deadline check instead of filling a buffer forever."""
    declared = resp.headers.get("Content-Length")
    total = int(declared) if declared and declared.isdigit() else None
    if total is not None and total > limits.max_bytes:
        raise ReleaseError(
            f"the server announces {total} bytes, more than the {limits.max_bytes} allowed "
            "(--max-bytes)"
        )
    digest, done = hashlib.sha256(), 0
    while chunk := resp.read1(CHUNK):
        done += len(chunk)
        if done > limits.max_bytes:
            raise ReleaseError(
                f"the download from {url} passed the {limits.max_bytes} bytes allowed (--max-bytes)"
            )
        deadline.check()
        fh.write(chunk)
        digest.update(chunk)
        if progress:
            progress(len(chunk), total)
    if total is not None and done != total:
        raise ReleaseError(f"the transfer stopped after {done} of {total} bytes")
    return digest.hexdigest()


def verify_and_stage(
    archive: Path, into: Path, limits: Limits = DEFAULT_LIMITS, deadline: _Deadline | None = None
) -> list[str]:
    """Check the archive member by member, stream its files out into ``into``,
    then check every checksum and every resource's hash and bytes. Returns the archive paths."""
    deadline = deadline or _Deadline(limits.deadline)
    try:
        zf = zipfile.ZipFile(archive)
    except DAMAGED:
        raise ReleaseError(
            "the archive is not a readable zip file (truncated or damaged)"
        ) from None
    with zf:
        files = _checked_members(zf.infolist(), limits)
        sums, fingerprints = _stage(zf, files, into, limits, deadline)
    _check_digests(sums, fingerprints)
    descriptor = read_descriptor((into / DESCRIPTOR).read_bytes(), f"{DESCRIPTOR} in the archive")
    problems = resource_problems(descriptor, fingerprints.get)
    if problems:
        raise ReleaseError("; ".join(problems))
    return sorted(fingerprints)


def _checked_members(infos: list[zipfile.ZipInfo], limits: Limits) -> list[zipfile.ZipInfo]:
    """The file members, once every member has passed the checks; folder entries are dropped."""
    if len(infos) > limits.max_members:
        raise ReleaseError(
            f"the archive holds {len(infos)} members, more than the {limits.max_members} allowed "
            "(--max-members)"
        )
    files, folders, seen = [], [], set()
    for info in infos:
        is_folder = _check_member(info)
        # names that differ only in case are one file on macOS and Windows
        if info.filename.casefold() in seen:
            raise ReleaseError(f"the archive holds {info.filename!r} twice")
        seen.add(info.filename.casefold())
        (folders if is_folder else files).append(info)
    _check_no_file_is_a_folder([i.filename for i in files], [i.filename[:-1] for i in folders])
    names = {i.filename for i in files}
    for required in (SUMS_FILE, DESCRIPTOR):
        if required not in names:
            raise ReleaseError(f"the archive has no {required} file")
    return files


def _check_member(info: zipfile.ZipInfo) -> bool:
    """Refuse a member that is not a plain file (or folder) a release holds; True for a folder
    entry."""
    name = info.filename
    problem = member_name_problem(name)
    if problem:  # checked first: a refused name reaches no other check and no filesystem call
        raise ReleaseError(f"unsafe path in the archive: {_named(name)} {problem}")
    # the file type is in the upper 16 bits; ZipFile.writestr with a plain name
    # leaves it 0 (mode 0o600 only), which is a regular file, not a special one
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise ReleaseError(f"the archive holds a link: {name!r}")
    if name.endswith("/"):
        if kind not in (0, stat.S_IFDIR) or info.file_size:
            raise ReleaseError(
                f"unsafe path in the archive: {name!r} is a file whose name ends in '/'"
            )
        if not is_release_folder(name[:-1]):
            raise ReleaseError(
                f"the archive holds the folder {name!r}, which is not a folder a release contains"
            )
        return True
    if kind not in (0, stat.S_IFREG):
        raise ReleaseError(f"the archive holds a special file: {name!r}")
    if not is_release_member(name):
        raise ReleaseError(
            f"the archive holds {name!r}, which is not a file a release contains "
            "(SHA256SUMS, datapackage.json, CITATION.cff, .zenodo.json, LICENSE, LICENSE-DATA, "
            "CHANGELOG.md, processed/...)"
        )
    if info.flag_bits & 0x1:
        raise ReleaseError(f"the archive holds an encrypted member: {name!r}")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ReleaseError(
            f"{name!r} uses compression method {info.compress_type}; a release uses only stored or "
            "deflated members"
        )
    return False


def _named(name: str) -> str:
    """A member's name for a message: quoted, and cut after 100 characters when it is long."""
    return repr(name) if len(name) <= 200 else f"{name[:100]!r}... ({len(name)} characters)"


def _check_no_file_is_a_folder(files: list[str], folders: list[str]) -> None:
    """Refuse 'LICENSE' beside 'LICENSE/x': one of them could not be written."""
    file_keys = {n.casefold() for n in files}
    # every folder a file sits in, and every folder entry itself, must not also be a file
    paths = [(n, n.count("/")) for n in files] + [(n, n.count("/") + 1) for n in folders]
    for name, depth in paths:
        for prefix in ("/".join(name.split("/")[:i]) for i in range(1, depth + 1)):
            if prefix.casefold() in file_keys:
                raise ReleaseError(
                    f"the archive holds {prefix!r} both as a file and as a folder ({name!r})"
                )


def _stage(
    zf: zipfile.ZipFile,
    files: list[zipfile.ZipInfo],
    into: Path,
    limits: Limits,
    deadline: _Deadline,
) -> tuple[dict[str, str], dict[str, tuple[int, str]]]:
    """Stream SHA256SUMS into ``into`` and, once every member is found listed in it (so
    only the files the package itself lists are ever written), every other file member.
    Returns the sums and archive path -> (bytes, sha256)."""
    sums_info = next(i for i in files if i.filename == SUMS_FILE)
    fingerprints = {
        SUMS_FILE: _stream_member(
            zf, sums_info, into / SUMS_FILE, limits.max_unpacked, limits, deadline
        )
    }
    sums = _read_sums(into / SUMS_FILE)
    _check_listed(sums, [i.filename for i in files])
    left = limits.max_unpacked - fingerprints[SUMS_FILE][0]
    for info in (i for i in files if i is not sums_info):
        size, digest = _stream_member(zf, info, into / info.filename, left, limits, deadline)
        fingerprints[info.filename] = (size, digest)
        left -= size
    return sums, fingerprints


def _stream_member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: Path,
    left: int,
    limits: Limits,
    deadline: _Deadline,
) -> tuple[int, str]:
    """Inflate one member to ``target`` in chunks, counting bytes as they come out;
    stop one byte past its declared size or past what is left of the limit; check its CRC-32."""
    cap = min(info.file_size, left)
    # zipfile stops inflating at the declared size, so a member that declares 1000
    # bytes and inflates to 600 MB would pass as its first 1000 bytes. Declaring one
    # byte more than we accept makes it inflate the real stream, which we count;
    # without a CRC it checks none at that made-up size, and we check the real one.
    probe = copy.copy(info)
    probe.file_size = cap + 1
    del probe.CRC
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size, crc = hashlib.sha256(), 0, 0
    try:
        with zf.open(probe) as src, open(target, "xb") as dst:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                if size > cap:
                    raise ReleaseError(_too_big(info, left, limits))
                deadline.check()
                dst.write(chunk)
                digest.update(chunk)
                crc = zlib.crc32(chunk, crc)
    except DAMAGED as exc:
        raise ReleaseError(f"the archive is damaged: {info.filename}: {exc}") from None
    except OSError as exc:
        raise ReleaseError(f"cannot unpack {info.filename} into {target.parent}: {exc}") from None
    if size != info.file_size:
        raise ReleaseError(
            f"{info.filename} unpacks to {size} bytes, not the {info.file_size} the archive "
            "declares"
        )
    if crc != info.CRC:
        raise ReleaseError(f"the archive is damaged: {info.filename} does not match its CRC-32")
    return size, digest.hexdigest()


def _too_big(info: zipfile.ZipInfo, left: int, limits: Limits) -> str:
    if info.file_size < left:
        return f"{info.filename} unpacks to more than the {info.file_size} bytes it declares"
    return (
        f"{info.filename} unpacks past the {limits.max_unpacked} bytes allowed for the whole "
        "archive (--max-unpacked)"
    )


def parse_sums(text: str) -> dict[str, str]:
    """SHA256SUMS text ('<sha256>  <path>' per line) to path -> sha256; a leading byte-order mark is
    harmless and accepted."""
    sums: dict[str, str] = {}
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or not SHA256_HEX.fullmatch(digest.lower()):
            raise ReleaseError(
                f"a SHA256SUMS line is not '<sha256>  <path>' (line {number}): {line!r}"
            )
        if name in sums:
            raise ReleaseError(f"SHA256SUMS lists {name!r} twice")
        sums[name] = digest.lower()
    return sums


def _read_sums(path: Path) -> dict[str, str]:
    try:
        return parse_sums(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise ReleaseError("SHA256SUMS in the archive is not UTF-8 text") from None


def _check_listed(sums: dict[str, str], names: list[str]) -> None:
    """Every file of the archive but SHA256SUMS is listed in it, and every file it lists is in the
    archive."""
    files = set(names) - {SUMS_FILE}
    unlisted = sorted(files - set(sums))
    if unlisted:
        raise ReleaseError(f"files not listed in SHA256SUMS: {', '.join(unlisted)}")
    missing = sorted(set(sums) - files)
    if missing:
        raise ReleaseError(
            f"files listed in SHA256SUMS but not in the archive: {', '.join(map(repr, missing))}"
        )


def _check_digests(sums: dict[str, str], fingerprints: dict[str, tuple[int, str]]) -> None:
    for name in sorted(n for n in fingerprints if n != SUMS_FILE):
        if fingerprints[name][1] != sums[name]:
            raise ReleaseError(f"checksum mismatch for {name}: the file was changed or damaged")


class _SignalGuard:
    """While a download runs in the main thread, SIGTERM, SIGINT, SIGHUP and SIGQUIT raise
    Interrupted and an alarm at the deadline raises DeadlineExceeded, so the
    clean-up in ``finally`` runs (the default SIGTERM kills the process where it
    stands, leaving the temporary folder). ``hold`` defers them instead, for the
    moves into place and the clean-up, which must not be cut in half; a held
    signal is delivered, to the handler that was there before, once the guard exits."""

    # what ends a process by default: kill, Ctrl-C, the terminal closing (SIGHUP), Ctrl-\ (SIGQUIT);
    # one already ignored (nohup ignores SIGHUP) stays ignored
    HELD = {
        getattr(signal, name)
        for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT")
        if hasattr(signal, name)
    }

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.active = threading.current_thread() is threading.main_thread() and hasattr(
            signal, "setitimer"
        )
        self.saved: dict[int, object] = {}
        self.timer = (0.0, 0.0)
        self.held = False

    def __enter__(self) -> _SignalGuard:
        if self.active:
            for signum in self.HELD:
                if signal.getsignal(signum) is not signal.SIG_IGN:
                    self.saved[signum] = signal.signal(signum, self._interrupt)
            self.saved[signal.SIGALRM] = signal.signal(signal.SIGALRM, self._expire)
            self.timer = signal.setitimer(signal.ITIMER_REAL, self.deadline)
        return self

    def hold(self) -> None:
        if self.active and not self.held:
            signal.pthread_sigmask(signal.SIG_BLOCK, self.HELD)
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.held = True

    def __exit__(self, *exc: object) -> None:
        if not self.active:
            return
        signal.setitimer(signal.ITIMER_REAL, *self.timer)
        for signum, handler in self.saved.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        if self.held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, self.HELD)

    def _interrupt(self, signum: int, frame: object) -> None:
        raise Interrupted(signum)

    def _expire(self, signum: int, frame: object) -> None:
        raise DeadlineExceeded(self.deadline)


def download(
    url: str,
    to: Path,
    trust: Trust,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> list[str]:
    """Fetch a release, check it against ``trust`` (before unpacking) and against
    itself, then move its files into ``to`` as one unit. Returns the archive paths
    placed. On any refusal, failure or signal, ``to`` and its parents are as they
    were and no temporary folder is left."""
    check_url(url)
    to = to.resolve()
    base = _folder_for_work(to)
    with _SignalGuard(limits.deadline) as guard:
        work, keep = None, False
        try:
            work = _work_folder(base)
            names = _fetch_and_stage(url, work, trust, limits, progress)
            guard.hold()  # from here a signal waits: the moves all happen or are all undone
            _move_in(work / "files", names, to, work / "replaced")
            return names
        except PutBackFailed:
            keep = True  # the temporary folder holds the only copy of what was replaced
            raise
        finally:
            guard.hold()
            if work and not keep:
                shutil.rmtree(work, ignore_errors=True)


def _work_folder(base: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=base))
    except OSError as exc:
        raise ReleaseError(f"cannot create a temporary folder in {base}: {exc.strerror}") from None


def _fetch_and_stage(
    url: str, work: Path, trust: Trust, limits: Limits, progress: Progress | None
) -> list[str]:
    deadline = _Deadline(limits.deadline)
    archive = work / "release.zip"
    digest = fetch(url, archive, limits, progress, deadline)
    if trust.sha256 is not None and digest != trust.sha256:
        raise ReleaseError(
            f"the archive's sha256 is {digest}, but {trust.source} expects {trust.sha256}: "
            "it is not the release that was recorded, so nothing was unpacked"
        )
    staged = work / "files"
    staged.mkdir()
    return verify_and_stage(archive, staged, limits, deadline)


def _folder_for_work(to: Path) -> Path:
    """The folder beside ``to`` to stage in: its parent, or its nearest existing
    ancestor when it does not exist yet (so nothing is created before the download is good)."""
    if to.exists():
        if not to.is_dir():
            raise ReleaseError(f"--to {to} is a file, not a folder")
        return to.parent
    base = next(p for p in to.parents if p.exists())
    if not base.is_dir():
        raise ReleaseError(f"--to {to} cannot be created: {base} is a file")
    return base


def _move(src: Path, dst: Path) -> None:
    """One rename; a function of its own so that tests can make one fail."""
    os.replace(src, dst)


def _move_in(staged: Path, names: list[str], to: Path, backup: Path) -> None:
    """Move every staged file into ``to``, replacing what is there; if any step
    fails, undo the steps made, newest first."""
    _check_targets(to, names)
    undo: list[tuple[Callable[..., None], tuple[Path, ...]]] = []
    try:
        for folder in _missing_folders(to, names):
            folder.mkdir()
            undo.append((os.rmdir, (folder,)))
        for name in names:
            target = to / name
            if os.path.lexists(target):
                (backup / name).parent.mkdir(parents=True, exist_ok=True)
                _move(target, backup / name)
                undo.append((_move, (backup / name, target)))
            _move(staged / name, target)
            undo.append((os.unlink, (target,)))
    except BaseException as exc:
        lost = _undo(undo)
        if lost:
            raise PutBackFailed(
                f"could not move the package into {to} ({exc}), nor put back {', '.join(lost)}: "
                f"the originals are in {backup}"
            ) from None
        if isinstance(exc, OSError):
            raise ReleaseError(
                f"could not move the package into {to} ({exc}); everything was put back as it was"
            ) from None
        raise


def _undo(steps: list[tuple[Callable[..., None], tuple[Path, ...]]]) -> list[str]:
    """Run the undo steps newest first; the originals that could not be put back."""
    lost = []
    for step, args in reversed(steps):
        try:
            step(*args)
        except OSError:
            if step is _move:
                lost.append(str(args[1]))
    return lost


def _check_targets(to: Path, names: list[str]) -> None:
    """Before anything moves: every folder on the way must be a real folder and every target not a
    folder."""
    for name in names:
        parts = name.split("/")
        for i in range(1, len(parts)):
            folder = to.joinpath(*parts[:i])
            if folder.is_symlink():
                raise ReleaseError(
                    f"{folder} is a link; the package is not written through links, so nothing was "
                    "changed"
                )
            if folder.exists() and not folder.is_dir():
                raise ReleaseError(
                    f"{folder} is a file where the package needs a folder (for {name}), so nothing "
                    "was changed"
                )
        if (to / name).is_dir() and not (to / name).is_symlink():
            raise ReleaseError(
                f"{to / name} is a folder where the package has a file, so nothing was changed"
            )


def _missing_folders(to: Path, names: list[str]) -> list[Path]:
    """The folders to create, parents first: missing ancestors of ``to``, ``to``, and the folders of
    the members."""
    wanted = {*to.parents, to}
    for name in names:
        wanted.update(to.joinpath(*name.split("/")[:i]) for i in range(1, name.count("/") + 1))
    return sorted((p for p in wanted if not p.exists()), key=lambda p: len(p.parts))
