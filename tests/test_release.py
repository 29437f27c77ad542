"""Releases and downloads: a reproducible release, a verified download from a real loopback
server, other ways to get the data, and citations."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import shutil
import stat
import subprocess
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import BIN, ROOT, dvc, read_csv
from stopitnow_figures import params
from stopitnow_figures.citation import cff_text, zenodo_text
from stopitnow_figures.cli import main
from stopitnow_figures.paths import Paths
from stopitnow_figures.release import build_release

VERSION = "0.1.0"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Server:
    """A real HTTP server on loopback serving one folder."""

    def __init__(self, folder: Path):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def release_zip(tmp_path_factory) -> Path:
    out = build_release(Paths(ROOT))
    keep = tmp_path_factory.mktemp("rel") / out.name
    shutil.copy2(out, keep)
    return keep


@pytest.fixture
def served(tmp_path, release_zip):
    folder = tmp_path / "www"
    folder.mkdir()
    shutil.copy2(release_zip, folder / release_zip.name)
    server = Server(folder)
    yield folder, server
    server.stop()


def test_release_is_byte_reproducible_and_holds_the_package(release_zip):
    again = build_release(Paths(ROOT))
    assert again.read_bytes() == release_zip.read_bytes()
    with zipfile.ZipFile(release_zip) as zf:
        names = set(zf.namelist())
        assert {
            "datapackage.json",
            "SHA256SUMS",
            "CITATION.cff",
            "LICENSE",
            "LICENSE-DATA",
            "processed/figures.csv",
            "processed/provenance.json",
        } <= names
        sums = dict(reversed(line.split("  ")) for line in zf.read("SHA256SUMS").decode().splitlines())
        assert sums["processed/figures.csv"] == hashlib.sha256((ROOT / "processed" / "figures.csv").read_bytes()).hexdigest()
        assert set(sums) == names - {"SHA256SUMS"}


def _download(url, to):
    return CliRunner().invoke(main, ["download", url, "--to", str(to)])


def test_download_fetches_verifies_and_places_the_files(served, tmp_path):
    folder, server = served
    to = tmp_path / "got"
    out = _download(f"{server.url}/stopitnow-figures-{VERSION}.zip", to)
    assert out.exit_code == 0, out.output
    assert (to / "processed" / "figures.csv").read_bytes() == (ROOT / "processed" / "figures.csv").read_bytes()
    assert (to / "datapackage.json").read_bytes() == (ROOT / "datapackage.json").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".stopitnow-download")]


def _refused(served, tmp_path, data: bytes, message: str):
    folder, server = served
    (folder / "bad.zip").write_bytes(data)
    to = tmp_path / "target"
    out = _download(f"{server.url}/bad.zip", to)
    assert out.exit_code == 1
    assert message in out.output
    assert "Traceback" not in out.output
    assert not to.exists() or not any(to.iterdir())  # nothing left in the target folder
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".stopitnow-download")]


def test_one_flipped_byte_is_refused(served, tmp_path, release_zip):
    data = bytearray(release_zip.read_bytes())
    with zipfile.ZipFile(release_zip) as zf:
        info = zf.getinfo("processed/figures.csv")
    data[info.header_offset + 30 + len(info.filename) + 100] ^= 0x01  # inside the compressed figures table
    _refused(served, tmp_path, bytes(data), "Error: the archive is damaged")


def test_a_truncated_archive_is_refused(served, tmp_path, release_zip):
    data = release_zip.read_bytes()
    _refused(served, tmp_path, data[: len(data) // 2], "Error: the archive is not a readable zip file")


def _zip(entries: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = ((stat.S_IFLNK if name in links else stat.S_IFREG) | 0o644) << 16
            zf.writestr(info, data)
    return buf.getvalue()


def _with_sums(entries: dict[str, bytes]) -> dict[str, bytes]:
    sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in entries.items())
    return {"SHA256SUMS": sums.encode(), **entries}


def test_an_archive_with_a_path_escaping_the_target_is_refused(served, tmp_path):
    data = _zip(_with_sums({"datapackage.json": b"{}", "../evil.txt": b"x"}))
    _refused(served, tmp_path, data, "unsafe path in the archive: '../evil.txt'")
    assert not (tmp_path / "evil.txt").exists()


def test_an_archive_with_a_link_is_refused(served, tmp_path):
    data = _zip(_with_sums({"datapackage.json": b"{}", "processed/figures.csv": b"/etc/passwd"}), links=("processed/figures.csv",))
    _refused(served, tmp_path, data, "the archive holds a link: 'processed/figures.csv'")


def test_a_file_not_in_the_checksums_is_refused(served, tmp_path):
    entries = _with_sums({"datapackage.json": b'{"resources": []}'})
    entries["extra.csv"] = b"a,b\n"
    _refused(served, tmp_path, _zip(entries), "files not listed in SHA256SUMS: extra.csv")


def test_a_resource_that_does_not_match_datapackage_json_is_refused(served, tmp_path):
    dp = json.dumps(
        {"resources": [{"name": "figures", "path": "processed/figures.csv", "bytes": 3, "hash": "sha256:" + "0" * 64}]}
    ).encode()
    data = _zip(_with_sums({"datapackage.json": dp, "processed/figures.csv": b"a,b"}))
    _refused(served, tmp_path, data, "resource figures does not match the hash and bytes in datapackage.json")


def test_a_stopped_server_gives_a_clear_error(tmp_path):
    server = Server(tmp_path)
    url = f"{server.url}/stopitnow-figures-{VERSION}.zip"
    server.stop()
    out = _download(url, tmp_path / "target")
    assert out.exit_code == 1
    assert f"Error: cannot reach {url}" in out.output
    assert "Traceback" not in out.output
    assert not (tmp_path / "target").exists()


def test_a_missing_release_gives_a_clear_error(served, tmp_path):
    folder, server = served
    out = _download(f"{server.url}/nope.zip", tmp_path / "target")
    assert out.exit_code == 1 and "the server answered 404" in out.output


def test_frictionless_reads_and_validates_the_package_over_http(tmp_path):
    www = tmp_path / "www"
    shutil.copytree(ROOT / "processed", www / "processed")
    shutil.copy2(ROOT / "datapackage.json", www / "datapackage.json")
    server = Server(www)
    try:
        out = subprocess.run(
            [str(BIN / "frictionless"), "validate", "--json", f"{server.url}/datapackage.json"], capture_output=True, text=True
        )
        assert json.loads(out.stdout)["valid"] is True, out.stdout[:1500]
        from frictionless import Package

        pkg = Package(f"{server.url}/datapackage.json")
        rows = pkg.get_resource("figures").read_rows()
        assert len(rows) == 51
    finally:
        server.stop()


@pytest.mark.slow
def test_dvc_get_gives_the_committed_bytes(built_repo, tmp_path):
    subprocess.run(["git", "tag", "-f", f"v{VERSION}"], cwd=built_repo, check=True, capture_output=True)
    for args, name in (([], "head.csv"), (["--rev", f"v{VERSION}"], "tag.csv")):
        out = dvc(tmp_path, "get", str(built_repo), "processed/figures.csv", "-o", str(tmp_path / name), *args)
        assert out.returncode == 0, out.stderr
        assert (tmp_path / name).read_bytes() == (ROOT / "processed" / "figures.csv").read_bytes()


def test_pandas_and_duckdb_read_the_published_tables():
    import duckdb
    import pandas as pd

    figures = pd.read_csv(ROOT / "processed" / "figures.csv")
    assert figures.loc[figures.figure_id == "herald-2017-scotland-f06", "value"].item() == 1504
    con = duckdb.connect()
    got = con.execute(
        f"SELECT f.value, s.publisher FROM read_csv_auto('{ROOT}/processed/figures.csv') f "
        f"JOIN read_csv_auto('{ROOT}/processed/sources.csv') s USING (source_id) WHERE f.figure_id = 'national-2017-scotland-f06'"
    ).fetchone()
    assert got == (30, "The National")


def test_citation_cff_is_valid():
    cffconvert = ROOT / ".venv-cff" / "bin" / "cffconvert"
    if not cffconvert.exists():
        pytest.skip("make test creates .venv-cff with cffconvert")
    out = subprocess.run([str(cffconvert), "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "valid" in out.stdout


def test_citation_cff_and_zenodo_json_come_from_one_place():
    meta = params.load(ROOT / "package.yaml")
    sources = read_csv(ROOT / "processed" / "sources.csv")
    assert (ROOT / "CITATION.cff").read_text() == cff_text(meta, sources, "2026-11-21")
    assert (ROOT / ".zenodo.json").read_text() == zenodo_text(meta, sources, "2026-11-21")
    zen = json.loads((ROOT / ".zenodo.json").read_text())
    assert zen["version"] == VERSION and len(zen["related_identifiers"]) == 5


def test_citation_cff_is_the_same_with_or_without_libyaml(monkeypatch):
    """The package stage uses libyaml's emitter where PyYAML has it; the pure-Python one must write the same bytes."""
    import yaml

    meta = params.load(ROOT / "package.yaml")
    sources = read_csv(ROOT / "processed" / "sources.csv")
    fast = cff_text(meta, sources, "2026-11-21")
    monkeypatch.delattr(yaml, "CSafeDumper", raising=False)
    assert cff_text(meta, sources, "2026-11-21") == fast


TITLE = "Stop It Now! figures: press-reported help-seeking for viewing sexual images of children, UK 2016-2019"
HOME = "https://github.com/stopitnow-figures/stopitnow-figures"


def test_cite_the_package():
    out = CliRunner().invoke(main, ["cite", "--root", str(ROOT)])
    assert out.output == f"Stop It Now! figures maintainers. (2026). {TITLE} (Version 0.1.0) [Data set]. {HOME}\n"
    cff = CliRunner().invoke(main, ["cite", "--root", str(ROOT), "--format", "cff"])
    assert cff.output == (ROOT / "CITATION.cff").read_text()


def test_cite_one_figure_with_its_article_as_primary_source():
    out = CliRunner().invoke(main, ["cite", "--root", str(ROOT), "herald-2017-scotland-f04"])
    assert out.output == (
        f"Stop It Now! figures maintainers. (2026). {TITLE} (Version 0.1.0) [Data set]. Figure herald-2017-scotland-f04. {HOME}\n"
        "Original source: The Herald (Glasgow). (2017, February 6-17, date inferred). "
        "Dozens of Scots call helpline seeking help for child porn addiction. "
        "http://www.heraldscotland.com/news/15082872.Dozens_of_Scots_call_helpline_seeking_help_for_child_porn_addiction/\n"
    )
    bib = CliRunner().invoke(main, ["cite", "--root", str(ROOT), "--format", "bibtex", "herald-2017-scotland-f04"])
    assert bib.output.startswith("@misc{stopitnow-figures-0.1.0-herald-2017-scotland-f04,\n")
    assert "  note = {Data package, version 0.1.0; figure herald-2017-scotland-f04}\n}" in bib.output
    assert "@article{herald-2017-scotland,\n  author = {{The Herald (Glasgow)}},\n" in bib.output
    assert "  note = {Publication date inferred: 2017-02-06 to 2017-02-17}\n}\n" in bib.output


def test_cite_a_metric_names_every_article_it_rests_on():
    out = CliRunner().invoke(main, ["cite", "--root", str(ROOT), "eveningtimes-glasgow-share"])
    assert out.output.count("Original source: Evening Times (Glasgow). (2017, August-September, date inferred).") == 1
