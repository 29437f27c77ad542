"""download, against real servers on loopback: a release is verified against
what vouches for it and against itself, or refused with the target folder (and
its parent) byte for byte as it was and no temporary folder left."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import BIN, ROOT, Server, copy_repo, package_version, read_csv
from stopitnow_figures.cli import main
from stopitnow_figures.publishing import download as download_module
from stopitnow_figures.publishing.download import (
    MAX_REDIRECTS,
    Limits,
    Trust,
    check_url,
    download,
    parse_sums,
    trust_for,
    verify_and_stage,
)
from stopitnow_figures.publishing.release import (
    SHIPPED_RELEASES,
    ReleaseError,
    build_release,
    load_releases,
    member_name_problem,
    record_release,
)
from stopitnow_figures.tables.paths import Paths

VERSION, _ = package_version()
NAME = f"stopitnow-figures-{VERSION}.zip"


# ---- servers -------------------------------------------------------------------------------------


class RawServer:
    """A loopback server that reads the request and hands the socket to ``respond``,
    for the answers http.server will not give: cut, malformed, endless, slow."""

    def __init__(self, respond: Callable[[socket.socket, threading.Event], None]):
        self.respond, self.stopped = respond, threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/{NAME}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket):
        with conn:
            request = b""
            while b"\r\n\r\n" not in request and (data := conn.recv(4096)):
                request += data
            try:
                self.respond(conn, self.stopped)
            except OSError:  # the client hung up, as it should when it refuses
                pass

    def stop(self):
        self.stopped.set()
        self.sock.close()


@pytest.fixture
def raw_server():
    servers = []

    def start(respond):
        servers.append(RawServer(respond))
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


# ---- archives ------------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes], modes: dict[str, int] | None = None, **writestr) -> bytes:
    """A zip of ``entries``; ``modes`` gives a member's upper external_attr bits (default a regular
    0o644 file)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (modes or {}).get(name, stat.S_IFREG | 0o644) << 16
            zf.writestr(info, data, **writestr)
    return buf.getvalue()


def _with_sums(entries: dict[str, bytes]) -> dict[str, bytes]:
    sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in entries.items())
    return {"SHA256SUMS": sums.encode(), **entries}


def _package(tables: dict[str, bytes]) -> dict[str, bytes]:
    """A small self-consistent package: a datapackage.json describing ``tables``, and SHA256SUMS."""
    resources = [
        {
            "name": Path(p).stem,
            "path": p,
            "bytes": len(d),
            "hash": "sha256:" + hashlib.sha256(d).hexdigest(),
        }
        for p, d in tables.items()
    ]
    return _with_sums(
        {"datapackage.json": json.dumps({"name": "t", "resources": resources}).encode(), **tables}
    )


SMALL = {"processed/figures.csv": b"figure_id,value\nf1,78\n"}


@pytest.fixture(scope="module")
def tampered_zip(tmp_path_factory) -> Path:
    """78 -> 780 in figures.csv, with datapackage.json and SHA256SUMS made to match: consistent with
    itself."""
    repo = copy_repo(tmp_path_factory.mktemp("tampered"))
    figures = repo / "processed" / "figures.csv"
    data = figures.read_bytes().replace(b",78,exact,78,78,", b",780,exact,780,780,")
    figures.write_bytes(data)
    descriptor = json.loads((repo / "datapackage.json").read_text())
    res = next(r for r in descriptor["resources"] if r["name"] == "figures")
    res["bytes"], res["hash"] = len(data), "sha256:" + hashlib.sha256(data).hexdigest()
    (repo / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n")
    # as whoever tampers with it would pack it: our release refuses a package that differs from
    # dvc.lock
    with mock.patch(
        "stopitnow_figures.publishing.release.outs_changed_since_publish", return_value=[]
    ):
        return build_release(Paths(repo), into=tmp_path_factory.mktemp("tampered-dist"))


@pytest.fixture
def www(tmp_path, release_zip):
    folder = tmp_path / "www"
    folder.mkdir()
    shutil.copy2(release_zip, folder / NAME)
    server = Server(folder)
    yield folder, server
    server.stop()


@pytest.fixture(autouse=True)
def no_recorded_releases(tmp_path, monkeypatch) -> Path:
    """Tests trust only what they record: an empty releases file unless they write one."""
    path = tmp_path / "releases.json"
    path.write_text('{"releases": {}}\n')
    monkeypatch.setenv("STOPITNOW_FIGURES_RELEASES", str(path))
    return path


# ---- the target folder ---------------------------------------------------------------------------


def _tree(folder: Path) -> dict[str, bytes | str]:
    """Every path under ``folder`` (hidden ones too) with its bytes, 'folder' or the link target."""
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.rglob("*")):
        key = p.relative_to(folder).as_posix()
        out[key] = (
            f"link:{os.readlink(p)}"
            if p.is_symlink()
            else "folder"
            if p.is_dir()
            else p.read_bytes()
        )
    return out


@pytest.fixture
def home(tmp_path) -> Path:
    """The parent of the target folder, which already holds a file of its own and an older package
    file."""
    home = tmp_path / "home"
    (home / "target").mkdir(parents=True)
    (home / "target" / "notes.txt").write_bytes(b"mine\n")
    (home / "target" / "datapackage.json").write_bytes(b'{"version": "0.0.1"}\n')
    (home / "beside.txt").write_bytes(b"also mine\n")
    return home


def _download(url: str, to: Path, *args: str):
    return CliRunner().invoke(main, ["download", url, "--to", str(to), *args])


def _refused(out, message: str, home: Path, before: dict) -> None:
    assert out.exit_code == 1, out.output
    assert type(out.exception) is SystemExit, (
        out.exception
    )  # a ClickException, not an escaped exception
    assert message in out.output, out.output
    assert "Traceback" not in out.output
    assert _tree(home) == before  # target, parent, and no temporary folder


def _serve_bytes(www, name: str, data: bytes) -> str:
    folder, server = www
    (folder / name).write_bytes(data)
    return f"{server.url}/{name}"


def _refuses_archive(www, home, data: bytes, message: str, *args: str) -> None:
    before = _tree(home)
    _refused(
        _download(_serve_bytes(www, "bad.zip", data), home / "target", *args), message, home, before
    )


# ---- a good download, and what vouches for it ----------------------------------------------------


def test_download_fetches_verifies_and_places_the_files(www, home, release_zip):
    digest = hashlib.sha256(release_zip.read_bytes()).hexdigest()
    out = _download(f"{www[1].url}/{NAME}", home / "target", "--sha256", digest.upper())
    assert out.exit_code == 0, out.output
    to = home / "target"
    with zipfile.ZipFile(release_zip) as zf:
        count = len(zf.namelist())
    assert out.output.endswith(
        f"verified {count} files into {to}: sha256 {digest} matches --sha256\n"
    )
    assert (to / "processed" / "figures.csv").read_bytes() == (
        ROOT / "processed" / "figures.csv"
    ).read_bytes()
    assert (to / "datapackage.json").read_bytes() == (ROOT / "datapackage.json").read_bytes()
    assert (
        to / "notes.txt"
    ).read_bytes() == b"mine\n"  # files that are not the package's are left alone
    assert sorted(p.name for p in home.iterdir()) == ["beside.txt", "target"]


def test_a_release_in_the_releases_file_is_vouched_for(www, home, release_zip, tmp_path):
    releases = tmp_path / "recorded.json"
    releases.write_text('{"releases": {}}')
    record_release(Paths(ROOT), release_zip, releases)
    out = _download(f"{www[1].url}/{NAME}", home / "target", "--releases", str(releases))
    assert out.exit_code == 0, out.output
    assert f"matches release {VERSION} in the releases file {releases}\n" in out.output
    assert "Warning" not in out.output


def test_without_an_anchor_the_download_says_it_is_only_self_consistent(www, home):
    result = CliRunner().invoke(
        main, ["download", f"{www[1].url}/{NAME}", "--to", str(home / "target")]
    )
    assert result.exit_code == 0, result.output
    assert "Warning: nothing outside the archive vouches for it" in result.stderr
    assert "so it can only be checked against itself" in result.stderr
    assert result.stdout.endswith(
        "but the archive is only self-consistent: nothing outside it vouches for it\n"
    )


def test_a_self_consistent_tampered_archive_is_refused_given_the_sha256(
    www, home, release_zip, tampered_zip
):
    good, bad = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (release_zip, tampered_zip))
    before = _tree(home)
    url = _serve_bytes(www, NAME, tampered_zip.read_bytes())
    out = _download(url, home / "target", "--sha256", good)
    _refused(
        out,
        f"Error: the archive's sha256 is {bad}, but --sha256 expects {good}: it is not the "
        "release that was recorded",
        home,
        before,
    )
    # the same archive passes every check of itself, which is why the anchor matters
    assert _download(url, home / "target").exit_code == 0


@pytest.mark.parametrize("recorded_at", ["the same URL", "another address, same file name"])
def test_a_self_consistent_tampered_archive_is_refused_by_the_releases_file(
    www, home, release_zip, tampered_zip, tmp_path, recorded_at
):
    url = _serve_bytes(www, NAME, tampered_zip.read_bytes())
    good = hashlib.sha256(release_zip.read_bytes()).hexdigest()
    entry_url = url if recorded_at == "the same URL" else f"https://example.org/v{VERSION}/{NAME}"
    releases = tmp_path / "recorded.json"
    releases.write_text(
        json.dumps({"releases": {VERSION: {"file": NAME, "url": entry_url, "sha256": good}}})
    )
    before = _tree(home)
    out = _download(url, home / "target", "--releases", str(releases))
    _refused(
        out,
        f"but release {VERSION} in the releases file {releases} expects {good}: it is not the "
        "release that was recorded",
        home,
        before,
    )


def test_by_default_the_releases_file_shipped_with_the_cli_is_trusted(
    www, home, tampered_zip, monkeypatch
):
    monkeypatch.delenv("STOPITNOW_FIGURES_RELEASES")
    if VERSION not in load_releases(SHIPPED_RELEASES):
        pytest.skip(f"version {VERSION} has not been recorded yet")
    url = _serve_bytes(www, NAME, tampered_zip.read_bytes())
    before = _tree(home)
    _refused(
        _download(url, home / "target"),
        f"but release {VERSION} in the releases file {SHIPPED_RELEASES} expects",
        home,
        before,
    )


def test_the_shipped_releases_file_is_well_formed():
    for version, entry in load_releases(SHIPPED_RELEASES).items():
        assert entry["file"] == f"stopitnow-figures-{version}.zip"
        # an address only where one was recorded (package.yaml, published_at), ending in the file
        assert entry["url"] is None or entry["url"].endswith("/" + entry["file"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--sha256", "abc"], "Error: --sha256 must be 64 hexadecimal digits, not 'abc'"),
        (
            ["--releases", "missing.json"],
            "Error: cannot read the releases file missing.json: No such file or directory",
        ),
    ],
)
def test_a_bad_anchor_is_refused_before_anything_is_fetched(home, args, message):
    before = _tree(home)
    _refused(_download("http://127.0.0.1:9/x.zip", home / "target", *args), message, home, before)


def test_a_broken_releases_file_is_refused(home, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"releases": {"0.1.0": {"file": "x.zip"}}}')
    before = _tree(home)
    out = _download("http://127.0.0.1:9/x.zip", home / "target", "--releases", str(bad))
    _refused(
        out,
        'release 0.1.0 needs "file", "url" (an address, or null where none was recorded) and a '
        '64-digit lowercase hex "sha256"',
        home,
        before,
    )


def test_a_release_recorded_with_no_address_vouches_by_its_file_name(tmp_path):
    """A release recorded before any address was (its url null) is found by the archive's name."""
    releases = tmp_path / "releases.json"
    entry = {"file": "x-0.1.0.zip", "url": None, "sha256": "a" * 64}
    releases.write_text(json.dumps({"releases": {"0.1.0": entry}}))
    trust = trust_for("https://example.org/v0.1.0/x-0.1.0.zip", None, releases)
    assert trust.sha256 == "a" * 64 and "release 0.1.0" in trust.source


# ---- only the members a release contains ---------------------------------------------------------


def test_a_git_config_member_is_refused_in_a_git_checkout(www, tmp_path, monkeypatch):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=checkout, check=True)
    monkeypatch.chdir(checkout)
    evil = b"[core]\n\tfsmonitor = touch /tmp/pwned\n"
    url = _serve_bytes(www, "bad.zip", _zip(_with_sums({**_package(SMALL), ".git/config": evil})))
    before = _tree(tmp_path)
    _refused(
        _download(url, Path(".")),
        "Error: the archive holds '.git/config', which is not a file a release contains",
        tmp_path,
        before,
    )


@pytest.mark.parametrize(
    "name", ["README.md", "processed/.hidden.csv", "processed/.git/config", "raw/figures.csv"]
)
def test_a_member_outside_the_allow_list_is_refused(www, home, name):
    data = _zip(_with_sums({**_package(SMALL), name: b"x"}))
    _refuses_archive(
        www,
        home,
        data,
        f"Error: the archive holds {name!r}, which is not a file a release contains",
    )


def test_folder_entries_of_processed_are_accepted(www, home):
    entries = {
        "processed/": b"",
        "processed/charts/": b"",
        **_package({**SMALL, "processed/charts/a.svg": b"<svg/>"}),
    }
    modes = {"processed/": stat.S_IFDIR | 0o755, "processed/charts/": stat.S_IFDIR | 0o755}
    out = _download(_serve_bytes(www, "ok.zip", _zip(entries, modes)), home / "target")
    assert out.exit_code == 0, out.output
    assert (home / "target" / "processed" / "charts" / "a.svg").read_bytes() == b"<svg/>"


# ---- limits --------------------------------------------------------------------------------------


def _endless(conn, stopped):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nConnection: close\r\n\r\n")
    while not stopped.is_set():
        conn.sendall(b"\0" * 65536)


def test_an_endless_body_is_cut_at_max_bytes(home, raw_server):
    server = raw_server(_endless)
    before = _tree(home)
    out = _download(server.url, home / "target", "--max-bytes", "200000")
    _refused(
        out,
        f"Error: the download from {server.url} passed the 200000 bytes allowed (--max-bytes)",
        home,
        before,
    )


def test_an_announced_length_over_max_bytes_is_refused_before_the_body(home, raw_server):
    server = raw_server(
        lambda conn, stopped: conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n"
        )
    )
    before = _tree(home)
    out = _download(server.url, home / "target", "--max-bytes", "1000")
    _refused(
        out,
        "Error: the server announces 1000000000000 bytes, more than the 1000 allowed (--max-bytes)",
        home,
        before,
    )


def _lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite a member's declared uncompressed size in its local and central headers."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    out = bytearray(data)
    out[info.header_offset + 22 : info.header_offset + 26] = size.to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_len = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_len] == name.encode():
            out[central + 24 : central + 28] = size.to_bytes(4, "little")
            break
        central = data.find(b"PK\x01\x02", central + 1)
    return bytes(out)


BOMB = 5_000_000


def _bomb() -> bytes:
    """A package whose figures table declares 1000 bytes and inflates to 5 MB (its CRC is the real
    one)."""
    tables = {"processed/figures.csv": b"0" * BOMB}
    return _lie_about_size(_zip(_package(tables)), "processed/figures.csv", 1000)


def test_a_member_is_stopped_one_byte_past_its_declared_size(www, home):
    _refuses_archive(
        www,
        home,
        _bomb(),
        "Error: processed/figures.csv unpacks to more than the 1000 bytes it declares",
    )


def test_bytes_are_counted_as_inflated_against_the_whole_archive(www, home):
    tables = {"processed/a.csv": b"0" * 600_000, "processed/b.csv": b"0" * 600_000}
    message = (
        "Error: processed/b.csv unpacks past the 1000000 bytes allowed for the whole archive "
        "(--max-unpacked)"
    )
    _refuses_archive(www, home, _zip(_package(tables)), message, "--max-unpacked", "1000000")


def test_a_member_smaller_than_it_declares_is_refused(www, home):
    data = _lie_about_size(_zip(_package(SMALL)), "processed/figures.csv", 1000)
    _refuses_archive(
        www,
        home,
        data,
        f"Error: processed/figures.csv unpacks to {len(SMALL['processed/figures.csv'])} bytes, "
        "not the 1000",
    )


def test_members_are_streamed_out_in_chunks(tmp_path):
    """20 MB inflated from 20 KB must not pass through memory at once."""
    archive = tmp_path / "big.zip"
    archive.write_bytes(_zip(_package({"processed/figures.csv": b"0" * 20_000_000})))
    (tmp_path / "out").mkdir()
    tracemalloc.start()
    try:
        names = verify_and_stage(archive, tmp_path / "out")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert names == ["SHA256SUMS", "datapackage.json", "processed/figures.csv"]
    assert peak < 2_000_000, peak


def test_too_many_members_are_refused(www, home):
    entries = _package(SMALL)
    entries.update({f"processed/empty-{i}.txt": b"" for i in range(50)})
    _refuses_archive(
        www,
        home,
        _zip(entries),
        "Error: the archive holds 53 members, more than the 20 allowed (--max-members)",
        "--max-members",
        "20",
    )


def _slow_body(conn, stopped):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    while not stopped.wait(0.05):
        conn.sendall(b"x")


def _slow_headers(conn, stopped):
    while not stopped.wait(0.05):
        conn.sendall(b"X")


@pytest.mark.parametrize("respond", [_slow_body, _slow_headers], ids=["body", "headers"])
def test_a_slow_server_meets_the_overall_deadline(home, raw_server, respond):
    """One byte every 0.05 s never trips a socket timeout; the deadline still ends it."""
    server = raw_server(respond)
    before = _tree(home)
    start = time.monotonic()
    out = _download(server.url, home / "target", "--deadline", "0.5")
    _refused(
        out,
        "Error: the download took longer than the 0.5 seconds allowed (--deadline)",
        home,
        before,
    )
    # the deadline ended it, not the body (100,000 bytes at 20 a second) nor a socket timeout (30 s,
    # never reached while bytes drip): a ceiling a loaded machine cannot reach otherwise
    assert time.monotonic() - start < 25


def test_the_help_states_the_default_limits():
    text = " ".join(
        CliRunner().invoke(main, ["download", "--help"], terminal_width=400).output.split()
    )
    limits = Limits()
    for option, value in [
        ("--max-bytes", limits.max_bytes),
        ("--max-unpacked", limits.max_unpacked),
        ("--max-members", limits.max_members),
    ]:
        assert f"[default: {value}" in text.split(option, 1)[1].split(" --", 1)[0], option
    assert f"[default: {limits.deadline:g}]" in text.split("--deadline", 1)[1]


# ---- all or nothing ------------------------------------------------------------------------------


def test_a_listed_alias_is_refused_and_nothing_is_written(www, home):
    entries = _with_sums(
        {**_package(SMALL), "processed/./figures.csv": b"figure_id,value\nf1,780\n"}
    )
    message = (
        "Error: unsafe path in the archive: 'processed/./figures.csv' holds './' or '//', "
        "another spelling of a shorter name"
    )
    _refuses_archive(www, home, _zip(entries), message)


@pytest.mark.parametrize(
    "name, reason",
    [
        ("./datapackage.json", "holds './' or '//'"),
        ("processed//figures.csv", "holds './' or '//'"),
        ("processed/../LICENSE", "holds '..' and would escape the target folder"),
        ("../evil.txt", "holds '..' and would escape the target folder"),
        ("processed\\figures.csv", "holds a backslash"),
        ("/etc/passwd", "is absolute"),
        ("C:/evil.txt", "holds a colon"),
        ("C:evil.txt", "holds a colon"),
        ("processed/a\x01.csv", "holds a control character"),
        ("processed/a\x85.csv", "holds a control character"),
        ("processed/\u202evsc.csv", "holds an invisible format or separator character (U+202E)"),
        ("processed/a\u200b.csv", "holds an invisible format or separator character (U+200B)"),
        ("processed/a\u2028.csv", "holds an invisible format or separator character (U+2028)"),
        ("processed/" + "a/" * 15 + "x.csv", "is 17 parts deep; a release path has at most 16"),
        (
            "processed/" + "a" * 256 + ".csv",
            "has a part longer than the 255 bytes a file or folder name may have",
        ),
        (
            "processed/" + "é" * 128 + ".csv",
            "has a part longer than the 255 bytes a file or folder name may have",
        ),
        (
            "processed/" + ("a" * 100 + "/") * 10 + "x.csv",
            "is 1025 characters long; a release path has at most 1024",
        ),
    ],
    ids=lambda x: x if len(x) < 40 else f"{x[:30]}...({len(x)})",
)
def test_a_name_that_is_not_canonical_is_refused(www, home, name, reason):
    data = _zip(_with_sums({**_package(SMALL), name: b"x"}))
    shown = repr(name) if len(name) <= 200 else f"{name[:100]!r}... ({len(name)} characters)"
    _refuses_archive(www, home, data, f"Error: unsafe path in the archive: {shown} {reason}")
    assert not (home.parent / "evil.txt").exists()


def test_a_name_at_the_limits_is_accepted(www, home):
    names = [
        "processed/" + "a/" * 14 + "x.csv",
        "processed/" + "b" * 251 + ".csv",
        "processed/" + ("c" * 100 + "/") * 9 + "d" * 105,
    ]
    assert [len(names[0].split("/")), len(names[1].split("/")[1]), len(names[2])] == [16, 255, 1024]
    out = _download(
        _serve_bytes(www, "ok.zip", _zip(_package({**SMALL, **dict.fromkeys(names, b"x")}))),
        home / "target",
    )
    assert out.exit_code == 0, out.output
    assert all((home / "target" / n).read_bytes() == b"x" for n in names)


DEEP = "processed/" + "a/" * 2000 + "x"


def test_a_2000_deep_member_is_refused_by_name_before_anything_is_unpacked(
    www, home, tmp_path, monkeypatch
):
    """It is listed in SHA256SUMS and passes the allow-list (processed/, no hidden part): only its
    depth refuses it, and before any folder is made (a 2000-deep mkdir(parents=True) is a
    RecursionError)."""
    data = _zip(_package({**SMALL, DEEP: b"x"}))
    _refuses_archive(
        www,
        home,
        data,
        f"Error: unsafe path in the archive: {DEEP[:100]!r}... ({len(DEEP)} characters) is 2002 "
        "parts deep",
    )
    archive, into = tmp_path / "deep.zip", tmp_path / "into"
    archive.write_bytes(data)
    into.mkdir()
    monkeypatch.setattr(
        Path, "mkdir", lambda *a, **k: pytest.fail("a folder was made for a refused archive")
    )
    with pytest.raises(ReleaseError, match="is 2002 parts deep"):
        verify_and_stage(archive, into)
    assert list(into.iterdir()) == []


def test_a_member_sha256sums_does_not_list_is_refused_before_it_is_unpacked(tmp_path):
    archive, into = tmp_path / "extra.zip", tmp_path / "into"
    archive.write_bytes(_zip({**_package(SMALL), "processed/deep/er/extra.csv": b"a,b\n"}))
    into.mkdir()
    with pytest.raises(
        ReleaseError, match="files not listed in SHA256SUMS: processed/deep/er/extra.csv"
    ):
        verify_and_stage(archive, into)
    assert [p.name for p in into.iterdir()] == [
        "SHA256SUMS"
    ]  # nothing it does not list was written


def test_a_file_named_with_a_trailing_slash_is_refused(www, home):
    data = _zip({**_package(SMALL), "LICENSE/": b"x"}, {"LICENSE/": stat.S_IFREG | 0o644})
    _refuses_archive(
        www,
        home,
        data,
        "Error: unsafe path in the archive: 'LICENSE/' is a file whose name ends in '/'",
    )


def test_names_that_differ_only_in_case_are_refused(www, home):
    data = _zip(_with_sums({**_package(SMALL), "processed/Figures.csv": b"x"}))
    _refuses_archive(www, home, data, "Error: the archive holds 'processed/Figures.csv' twice")


def test_a_file_in_the_way_of_a_folder_changes_nothing(www, home):
    (home / "target" / "processed").write_bytes(b"not a folder\n")
    before = _tree(home)
    out = _download(f"{www[1].url}/{NAME}", home / "target")
    _refused(
        out,
        f"Error: {home / 'target' / 'processed'} is a file where the package needs a folder",
        home,
        before,
    )


def test_a_link_in_the_target_is_not_written_through(www, home, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (home / "target" / "processed").symlink_to(tmp_path / "elsewhere")
    before = _tree(home)
    out = _download(f"{www[1].url}/{NAME}", home / "target")
    _refused(
        out,
        f"Error: {home / 'target' / 'processed'} is a link; the package is not written through "
        "links",
        home,
        before,
    )
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_failed_move_puts_back_what_was_replaced(www, home, monkeypatch):
    (home / "target" / "processed").mkdir()
    (home / "target" / "processed" / "figures.csv").write_bytes(b"old figures\n")
    before = _tree(home)
    to = home / "target"
    moves = []

    def failing_move(src, dst):
        moves.append((Path(src), Path(dst)))
        if (
            Path(dst) == to / "processed" / "figures.csv" and "files" in Path(src).parts
        ):  # placing it, after datapackage.json was replaced
            raise PermissionError(13, "Permission denied", str(dst))
        os.replace(src, dst)

    monkeypatch.setattr(download_module, "_move", failing_move)
    out = _download(f"{www[1].url}/{NAME}", to)
    _refused(
        out,
        f"Error: could not move the package into {to} ([Errno 13] Permission denied: ",
        home,
        before,
    )
    assert "); everything was put back as it was" in out.output
    restored = [
        dst for src, dst in moves if ".stopitnow-download." in str(src) and "replaced" in src.parts
    ]
    assert restored == [to / "processed" / "figures.csv", to / "datapackage.json"]  # newest first


def test_when_putting_back_fails_too_the_originals_are_kept_and_named(www, home, monkeypatch):
    (home / "target" / "processed").mkdir()
    (home / "target" / "processed" / "figures.csv").write_bytes(b"old figures\n")
    to = home / "target"

    def failing_move(src, dst):
        if (
            Path(dst) == to / "processed" / "figures.csv" and "files" not in Path(src).parts
        ):  # only putting it back fails
            raise PermissionError(13, "Permission denied", str(dst))
        if Path(dst) == to / "processed" / "figures.csv":
            raise OSError(28, "No space left on device", str(dst))
        os.replace(src, dst)

    monkeypatch.setattr(download_module, "_move", failing_move)
    out = _download(f"{www[1].url}/{NAME}", to)
    assert out.exit_code == 1 and type(out.exception) is SystemExit
    assert (
        f"nor put back {to / 'processed' / 'figures.csv'}: the originals are in "
        f"{home}/.stopitnow-download." in out.output
    )
    kept = list(home.glob(".stopitnow-download.*/replaced/processed/figures.csv"))
    assert [k.read_bytes() for k in kept] == [b"old figures\n"]
    assert (
        to / "datapackage.json"
    ).read_bytes() == b'{"version": "0.0.1"}\n'  # the rest was put back


def test_a_new_target_and_its_parents_are_removed_after_a_refusal(
    www, home, tampered_zip, release_zip
):
    good = hashlib.sha256(release_zip.read_bytes()).hexdigest()
    url = _serve_bytes(www, NAME, tampered_zip.read_bytes())
    before = _tree(home)
    _refused(
        _download(url, home / "a" / "b" / "target", "--sha256", good),
        "it is not the release that was recorded",
        home,
        before,
    )


def _dripping_archive(release: bytes) -> Callable:
    """The first half of the archive, then one byte a second until the server stops: the download
    cannot finish before the test's signal, however slowly a loaded machine runs the test, and no
    network wait of the download's lasts long enough to time out before the signal comes."""

    def respond(conn, stopped):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(release))
        half = len(release) // 2
        conn.sendall(release[:half])
        for k in range(half, len(release) - 1):  # never the last byte
            if stopped.wait(1):
                return
            conn.sendall(release[k : k + 1])

    return respond


# how long a loaded machine may take to start the download or to end it after the signal: a
# ceiling on waiting for the event (bytes on disk, the process gone), not a measure of speed
CEILING = 600


SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT]


@pytest.mark.parametrize("signum", SIGNALS, ids=[s.name for s in SIGNALS])
def test_a_signal_during_the_download_removes_the_temporary_folder(
    home, raw_server, release_zip, signum
):
    server = raw_server(_dripping_archive(release_zip.read_bytes()))
    before = _tree(home)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [
        sys.executable,
        "-m",
        "stopitnow_figures.cli",
        "download",
        server.url,
        "--to",
        str(home / "target"),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + CEILING
    while not any(p.stat().st_size for p in home.glob(".stopitnow-download.*/release.zip")):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=CEILING)
    assert proc.returncode == 128 + signum, stderr
    assert (
        f"Error: stopped by {signal.Signals(signum).name}: nothing was changed and the temporary "
        "files were removed" in stderr.decode()
    )
    assert b"Traceback" not in stderr
    assert _tree(home) == before


def test_an_ignored_sighup_stays_ignored_as_under_nohup():
    guard = download_module._SignalGuard(60)
    if not guard.active:
        pytest.skip("signals are handled only in the main thread")
    saved = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with guard:
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) == guard._interrupt
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, saved)


# ---- no tracebacks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "descriptor, message",
    [
        (b'{"resources": [', "Error: datapackage.json in the archive is not valid JSON: "),
        (b"[1, 2]", "Error: datapackage.json in the archive is not a JSON object"),
        (b'{"resources": {"a": 1}}', "Error: datapackage.json has no list of resources"),
        (
            b'{"resources": [{"name": "figures"}]}',
            "Error: resource figures in datapackage.json has no path",
        ),
        (b'{"resources": [7]}', "Error: resource 1 in datapackage.json is not an object"),
        (
            b'{"resources": [{"name": "x", "path": "../x.csv"}]}',
            "Error: resource x has the path '../x.csv', which is not a file a release holds",
        ),
        (
            b'{"resources": [{"name": "t", "path": "processed/t.csv"}]}',
            "Error: resource t: processed/t.csv is missing",
        ),
    ],
)
def test_a_bad_datapackage_json_is_refused(www, home, descriptor, message):
    _refuses_archive(
        www, home, _zip(_with_sums({"datapackage.json": descriptor, **SMALL})), message
    )


def test_sha256sums_with_a_byte_order_mark_is_accepted(www, home):
    entries = _package(SMALL)
    entries["SHA256SUMS"] = b"\xef\xbb\xbf" + entries["SHA256SUMS"]
    out = _download(_serve_bytes(www, "bom.zip", _zip(entries)), home / "target")
    assert out.exit_code == 0, out.output
    assert (home / "target" / "processed" / "figures.csv").read_bytes() == SMALL[
        "processed/figures.csv"
    ]


@pytest.mark.parametrize(
    "sums, message",
    [
        (b"\xff\xfe", "Error: SHA256SUMS in the archive is not UTF-8 text"),
        (
            b"abc  datapackage.json\n",
            "Error: a SHA256SUMS line is not '<sha256>  <path>' (line 1): 'abc  datapackage.json'",
        ),
    ],
)
def test_a_bad_sha256sums_is_refused(www, home, sums, message):
    entries = _package(SMALL)
    entries["SHA256SUMS"] = sums
    _refuses_archive(www, home, _zip(entries), message)


def test_a_file_and_a_folder_of_the_same_name_are_refused(www, home):
    _refuses_archive(
        www,
        home,
        _zip(_with_sums({**_package(SMALL), "LICENSE": b"x", "LICENSE/x": b"y"})),
        "Error: the archive holds 'LICENSE/x'",
    )
    data = _zip(_with_sums({**_package(SMALL), "processed/figures.csv/x": b"y"}))
    _refuses_archive(
        www,
        home,
        data,
        "Error: the archive holds 'processed/figures.csv' both as a file and as a folder "
        "('processed/figures.csv/x')",
    )


def test_a_cut_chunked_body_is_refused(home, raw_server):
    def respond(conn, stopped):
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + b"x" * 100)

    server = raw_server(respond)
    before = _tree(home)
    _refused(
        _download(server.url, home / "target"),
        f"Error: the transfer from {server.url} was cut off before the end of the body",
        home,
        before,
    )


def test_a_bad_status_line_is_refused(home, raw_server):
    server = raw_server(lambda conn, stopped: conn.sendall(b"SPAM 200 OK\r\n\r\n"))
    before = _tree(home)
    _refused(
        _download(server.url, home / "target"),
        f"Error: the server at {server.url} sent a malformed response (BadStatusLine",
        home,
        before,
    )


@pytest.mark.parametrize(
    "url, message",
    [
        (
            "not a url",
            "Error: 'not a url' is not a URL: it is empty or holds spaces or control characters",
        ),
        (
            "example.org/x.zip",
            "Error: 'example.org/x.zip' is not a URL: an http:// or https:// address with a host "
            "is expected",
        ),
        ("ftp://example.org/x.zip", "is not a URL: an http:// or https:// address"),
        ("http:///x.zip", "is not a URL: an http:// or https:// address"),
        (
            "http://127.0.0.1:port/x.zip",
            "Error: 'http://127.0.0.1:port/x.zip' is not a URL: Port could not be cast to integer "
            "value",
        ),
        ("http://[::1", "Error: 'http://[::1' is not a URL: Invalid IPv6 URL"),
        ("http://[::1/x.zip", "Error: 'http://[::1/x.zip' is not a URL: Invalid IPv6 URL"),
        ("http://::1]/x.zip", "Error: 'http://::1]/x.zip' is not a URL: Invalid IPv6 URL"),
        (
            "http://[not-an-ip]/x.zip",
            "Error: 'http://[not-an-ip]/x.zip' is not a URL: 'not-an-ip' does not appear to be an "
            "IPv4 or IPv6",
        ),
        (
            "http://[::1]]/x.zip",
            "Error: 'http://[::1]]/x.zip' is not a URL: '[::1]]' is not a host name or an [IP "
            "address]",
        ),
        (
            "http://host:abc/x.zip",
            "Error: 'http://host:abc/x.zip' is not a URL: Port could not be cast to integer value "
            "as 'abc'",
        ),
        (
            "http://host:99999/x.zip",
            "Error: 'http://host:99999/x.zip' is not a URL: Port out of range 0-65535",
        ),
        (
            "http://host:1:2/x.zip",
            "Error: 'http://host:1:2/x.zip' is not a URL: Port could not be cast to integer value "
            "as '1:2'",
        ),
        (
            "http://ex\u00e4mple.org/x.zip",
            "Error: 'http://exämple.org/x.zip' is not a URL: it holds characters other than "
            "printable ASCII",
        ),
        (
            "http://ex\u2100mple.org/x.zip",
            "Error: 'http://ex℀mple.org/x.zip' is not a URL: it holds characters other than "
            "printable ASCII",
        ),
        (
            "http://example.org/\u202ex.zip",
            "Error: 'http://example.org/\\u202ex.zip' is not a URL: it holds characters other "
            "than printable",
        ),
        (
            "http://example.org/\u2028x.zip",
            "Error: 'http://example.org/\\u2028x.zip' is not a URL: it is empty or holds spaces "
            "or control",
        ),
        (
            "http://example.org/\x7fx.zip",
            "Error: 'http://example.org/\\x7fx.zip' is not a URL: it is empty or holds spaces or "
            "control",
        ),
        (
            "http://a..b/x.zip",
            "Error: 'http://a..b/x.zip' is not a URL: its host 'a..b' has an empty label or one "
            "over 63 characters",
        ),
        (f"http://{'a' * 64}.org/x.zip", "has an empty label or one over 63 characters"),
        (
            "http://a%20b.org/x.zip",
            "Error: 'http://a%20b.org/x.zip' is not a URL: 'a%20b.org' is not a host name or an "
            "[IP address]",
        ),
        (
            "http://user:pw@example.org/x.zip",
            "is not a URL download can use: it holds a user name or password (before '@')",
        ),
    ],
)
def test_a_url_that_is_not_a_url_creates_nothing(home, url, message):
    before = _tree(home)
    _refused(_download(url, home / "a" / "b" / "target"), message, home, before)


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://ex\u2100mple.org/x.zip", "http://host:abc/x.zip"]
)
def test_the_library_refuses_a_url_urllib_cannot_parse_before_reading_the_releases_file(
    url, tmp_path
):
    with pytest.raises(ReleaseError, match="is not a URL"):
        trust_for(url, None, tmp_path / "no-such-releases.json")
    with pytest.raises(ReleaseError, match="is not a URL"):
        download(url, tmp_path / "to", Trust(None, "nothing"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["releases.json"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/x.zip",
        "http://[::1]:{port}/x.zip",
        "http://localhost.:{port}/x.zip",
    ],
)
def test_a_url_urllib_can_use_is_accepted(url):
    check_url(url.format(port=8080))


def test_a_stopped_server_gives_a_clear_error(home, tmp_path):
    server = Server(tmp_path)
    url = f"{server.url}/{NAME}"
    server.stop()
    before = _tree(home)
    _refused(_download(url, home / "target"), f"Error: cannot reach {url}", home, before)


def test_a_missing_release_gives_a_clear_error(www, home):
    before = _tree(home)
    _refused(
        _download(f"{www[1].url}/nope.zip", home / "target"),
        "Error: the server answered 404",
        home,
        before,
    )


def test_one_flipped_byte_is_refused(www, home, release_zip):
    data = bytearray(release_zip.read_bytes())
    with zipfile.ZipFile(release_zip) as zf:
        info = zf.getinfo("processed/figures.csv")
    data[info.header_offset + 30 + len(info.filename) + 100] ^= (
        0x01  # inside the compressed figures table
    )
    before = _tree(home)
    out = _download(_serve_bytes(www, "bad.zip", bytes(data)), home / "target")
    # what a flipped bit does to deflated data depends on the bytes around it: a bad checksum, or a
    # member that inflates to another size than declared; either way the member is refused by name,
    # and nothing changes
    damaged = (
        "Error: the archive is damaged" in out.output
        or "Error: processed/figures.csv unpacks to" in out.output
    )
    assert damaged, out.output
    _refused(out, "Error: ", home, before)


def test_a_truncated_archive_is_refused(www, home, release_zip):
    data = release_zip.read_bytes()
    _refuses_archive(
        www, home, data[: len(data) // 2], "Error: the archive is not a readable zip file"
    )


def test_a_file_not_in_the_checksums_is_refused(www, home):
    entries = _package(SMALL)
    entries["processed/extra.csv"] = b"a,b\n"
    _refuses_archive(
        www, home, _zip(entries), "Error: files not listed in SHA256SUMS: processed/extra.csv"
    )


def test_a_resource_that_does_not_match_datapackage_json_is_refused(www, home):
    dp = json.dumps(
        {
            "resources": [
                {
                    "name": "figures",
                    "path": "processed/figures.csv",
                    "bytes": 3,
                    "hash": "sha256:" + "0" * 64,
                }
            ]
        }
    )
    data = _zip(_with_sums({"datapackage.json": dp.encode(), "processed/figures.csv": b"a,b"}))
    _refuses_archive(
        www,
        home,
        data,
        "Error: resource figures does not match the hash and bytes in datapackage.json",
    )


def test_an_unknown_compression_method_is_refused(www, home):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in _package(SMALL).items():
            zf.writestr(
                name,
                data,
                compress_type=zipfile.ZIP_BZIP2
                if name.startswith("processed/")
                else zipfile.ZIP_DEFLATED,
            )
    message = (
        "Error: 'processed/figures.csv' uses compression method 12; a release uses only "
        "stored or deflated members"
    )
    _refuses_archive(www, home, buf.getvalue(), message)


# ---- file types ----------------------------------------------------------------------------------


def test_members_written_by_writestr_with_a_plain_name_are_regular_files(www, home):
    """ZipFile.writestr(name, data) stores mode 0o600 with no file-type bits; an external_attr of 0
    is as plain."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in _package(SMALL).items():
            zf.writestr(name, data)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        assert {i.external_attr >> 16 for i in zf.infolist()} == {0o600}
    for data in (buf.getvalue(), _zip(_package(SMALL), dict.fromkeys(_package(SMALL), 0))):
        out = _download(_serve_bytes(www, "plain.zip", data), home / "target")
        assert out.exit_code == 0, out.output


@pytest.mark.parametrize(
    "kind",
    [stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK],
    ids=["fifo", "char", "block", "socket"],
)
def test_special_files_are_refused(www, home, kind):
    data = _zip(_package(SMALL), {"processed/figures.csv": kind | 0o644})
    _refuses_archive(
        www, home, data, "Error: the archive holds a special file: 'processed/figures.csv'"
    )


def test_an_archive_with_a_link_is_refused(www, home):
    data = _zip(
        _package({"processed/figures.csv": b"/etc/passwd"}),
        {"processed/figures.csv": stat.S_IFLNK | 0o777},
    )
    _refuses_archive(www, home, data, "Error: the archive holds a link: 'processed/figures.csv'")


# ---- what is printed -----------------------------------------------------------------------------

# control (Cc), format (Cf), separator (Zl, Zp) and surrogate characters, as read from a file or a
# server, and as printed
HIDDEN = {"\x1b[2J": "\\x1b[2J", "\x85": "\\x85", "\u202e": "\\u202e", "\u200b": "\\u200b",
          "\u2028": "\\u2028", "\u2029": "\\u2029", "\ufeff": "\\ufeff",
          "\ud800": "\\ud800"}  # fmt: skip


@pytest.mark.parametrize("char", HIDDEN, ids=[repr(c) for c in HIDDEN])
def test_a_resource_name_from_datapackage_json_is_printed_escaped(www, home, char):
    descriptor = json.dumps(
        {"resources": [{"name": f"fig{char}ures", "path": "processed/t.csv"}]}
    ).encode()
    data = _zip(_with_sums({"datapackage.json": descriptor, **SMALL}))
    before = _tree(home)
    out = _download(_serve_bytes(www, "bad.zip", data), home / "target")
    _refused(
        out, f"Error: resource fig{HIDDEN[char]}ures: processed/t.csv is missing", home, before
    )
    assert char not in out.output


def test_a_name_sha256sums_lists_is_printed_escaped(www, home):
    entries = _package(SMALL)
    entries["SHA256SUMS"] += f"{'0' * 64}  processed/\u202ecsv.exe\n".encode()
    _refuses_archive(
        www,
        home,
        _zip(entries),
        "Error: files listed in SHA256SUMS but not in the archive: 'processed/\\u202ecsv.exe'",
    )


def test_what_the_server_says_is_printed_escaped(home, raw_server):
    server = raw_server(
        lambda conn, stopped: conn.sendall(
            b"HTTP/1.1 404 Not\x1b[2J\x85 Found\r\nContent-Length: 0\r\n\r\n"
        )
    )
    before = _tree(home)
    out = _download(server.url, home / "target")
    _refused(
        out, f"Error: the server answered 404 Not\\x1b[2J\\x85 Found for {server.url}", home, before
    )
    assert "\x1b" not in out.output and "\x85" not in out.output


def test_a_version_from_the_releases_file_is_printed_escaped(
    www, home, release_zip, no_recorded_releases
):
    url = f"{www[1].url}/{NAME}"
    digest = hashlib.sha256(release_zip.read_bytes()).hexdigest()
    no_recorded_releases.write_text(
        json.dumps({"releases": {"9\u202e.1": {"file": NAME, "url": url, "sha256": digest}}})
    )
    out = _download(url, home / "target")
    assert out.exit_code == 0, out.output
    assert out.output.endswith(
        f"matches release 9\\u202e.1 in the releases file {no_recorded_releases}\n"
    )
    assert "\u202e" not in out.output


# ---- the library, without the CLI ----------------------------------------------------------------


def test_the_library_refuses_with_release_errors(www, tmp_path):
    url = _serve_bytes(www, "bad.zip", _zip(_with_sums({**_package(SMALL), "../evil.txt": b"x"})))
    with pytest.raises(ReleaseError, match="unsafe path in the archive: '../evil.txt'"):
        download(url, tmp_path / "to", Trust(None, "nothing"), Limits(deadline=10))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["releases.json", "www"]


@given(st.text(max_size=300))
def test_parse_sums_returns_digests_or_refuses(text):
    try:
        sums = parse_sums(text)
    except ReleaseError:
        return
    assert all(len(d) == 64 for d in sums.values())


@given(st.text(alphabet="ab./\\:\x00", max_size=12))
def test_an_accepted_name_is_the_only_spelling_of_its_path(name):
    if member_name_problem(name) is None:
        parts = name.split("/")
        assert name and all(parts[:-1]) and "." not in parts and ".." not in parts
        assert "\\" not in name and ":" not in name and not name.startswith("/")


# ---- other ways to get the data over HTTP --------------------------------------------------------


@pytest.mark.data
def test_frictionless_reads_and_validates_the_package_over_http(tmp_path):
    www = tmp_path / "www"
    shutil.copytree(ROOT / "processed", www / "processed")
    shutil.copy2(ROOT / "datapackage.json", www / "datapackage.json")
    # the root files the descriptor lists beside processed/ (CITATION.cff, metrics.json)
    for r in json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]:
        if not (www / r["path"]).exists():
            shutil.copy2(ROOT / r["path"], www / r["path"])
    server = Server(www)
    try:
        out = subprocess.run(
            [str(BIN / "frictionless"), "validate", "--json", f"{server.url}/datapackage.json"],
            capture_output=True,
            text=True,
        )
        assert json.loads(out.stdout)["valid"] is True, out.stdout[:1500]
        from frictionless import Package

        pkg = Package(f"{server.url}/datapackage.json")
        rows = pkg.get_resource("figures").read_rows()
        assert len(rows) == len(
            read_csv(www / "processed" / "figures.csv")
        )  # every figure the served table holds
    finally:
        server.stop()


# ---- redirects: every hop held to the rules of the first address ---------------------------------


def _redirecting_to(location: str):
    """A server answering every request with a 302 to ``location``."""

    def respond(conn, stopped):
        conn.sendall(
            f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: "
            "close\r\n\r\n".encode()
        )

    return respond


@pytest.mark.parametrize(
    "location, message",
    [
        ("ftp://127.0.0.1/x.zip", "an http:// or https:// address with a host is expected"),
        ("file:///etc/passwd", "an http:// or https:// address with a host is expected"),
        ("http://user:secret@127.0.0.1/x.zip", "it holds a user name or password"),
        ("http://exa mple.org/x.zip", "is not a URL"),
    ],
    ids=["ftp", "file", "password", "space"],
)
def test_a_redirect_to_an_address_download_refuses_is_refused(home, raw_server, location, message):
    server = raw_server(_redirecting_to(location))
    before = _tree(home)
    out = _download(server.url, home / "target")
    _refused(
        out,
        f"the server at {server.url} redirected (302) to an address download refuses",
        home,
        before,
    )
    assert message in out.output


def test_a_redirect_to_a_good_address_is_followed(www, home, raw_server, release_zip):
    import hashlib

    target = f"{www[1].url}/{NAME}"
    server = raw_server(_redirecting_to(target))
    digest = hashlib.sha256(release_zip.read_bytes()).hexdigest()
    out = _download(server.url, home / "target", "--sha256", digest)
    assert out.exit_code == 0, out.output
    assert (home / "target" / "datapackage.json").is_file()


def test_a_chain_of_redirects_longer_than_the_limit_is_refused(home, raw_server):
    """A server that redirects to itself for ever: refused after MAX_REDIRECTS hops, not
    followed."""
    hops = []

    def respond(conn, stopped):
        hops.append(1)
        _redirecting_to(server.url + f"?{len(hops)}")(conn, stopped)

    server = raw_server(respond)
    before = _tree(home)
    _refused(_download(server.url, home / "target"), "Error:", home, before)
    assert len(hops) == MAX_REDIRECTS + 1
