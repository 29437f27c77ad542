"""Releases: a reproducible archive of a package that matches its descriptor,
the releases file that vouches for it, other ways to get the data, and citations."""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, copy_repo, dvc, dvc_of_root, package_version, read_csv
from stopitnow_figures.cli import main
from stopitnow_figures.publishing.release import (
    RELEASES_NAME,
    SHIPPED_RELEASES,
    build_release,
    is_release_member,
    load_releases,
    member_name_problem,
    releases_file,
)
from stopitnow_figures.render.citation import cff_text, zenodo_text
from stopitnow_figures.tables import config
from stopitnow_figures.tables.paths import Paths

VERSION, RELEASED = package_version()


@pytest.fixture
def repo(tmp_path) -> Path:
    return copy_repo(tmp_path / "repo")


def test_release_is_byte_reproducible_and_holds_the_package(release_zip, tmp_path):
    with dvc_of_root():
        again = build_release(Paths(ROOT), into=tmp_path)
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
        sums = dict(
            reversed(line.split("  ")) for line in zf.read("SHA256SUMS").decode().splitlines()
        )
        assert (
            sums["processed/figures.csv"]
            == hashlib.sha256((ROOT / "processed" / "figures.csv").read_bytes()).hexdigest()
        )
        assert set(sums) == names - {"SHA256SUMS"}
        # every file the descriptor lists is in it: the database and the Parquet files among them
        listed = json.loads(zf.read("datapackage.json"))["resources"]
        assert {r["path"] for r in listed} <= names
        assert "processed/stopitnow-figures.sqlite" in names
        assert {n for n in names if n.startswith("processed/parquet/")} == {
            f"processed/parquet/{r['name']}.parquet"
            for r in listed
            if r["path"].startswith("processed/") and r["path"].endswith(".csv")
        }


def test_release_holds_only_what_download_accepts_and_never_the_releases_file(release_zip):
    with zipfile.ZipFile(release_zip) as zf:
        names = zf.namelist()
    assert [n for n in names if member_name_problem(n) or not is_release_member(n)] == []
    assert not [n for n in names if n.endswith(RELEASES_NAME)]
    assert not is_release_member("processed/.git/config") and not is_release_member(".git/config")


def _release(root: Path, *args: str):
    return CliRunner().invoke(main, ["release", "--root", str(root), *args])


def _refused(out, message: str, repo: Path) -> None:
    assert out.exit_code == 1, out.output
    assert type(out.exception) is SystemExit  # a ClickException, not an escaped exception
    assert message in out.output
    assert "Traceback" not in out.output
    assert not (repo / "dist").exists()


def test_release_refuses_a_table_edited_after_the_build(repo):
    figures = repo / "processed" / "figures.csv"
    edited = figures.read_bytes().replace(b",78,exact,78,78,", b",780,exact,780,780,")
    figures.write_bytes(edited)
    out = _release(repo)
    _refused(
        out, "Error: the package does not match datapackage.json, so no archive was written:", repo
    )
    # three more bytes than recorded: the edit of one value and its two bounds
    assert (
        "resource figures does not match the hash and bytes in datapackage.json: "
        f"processed/figures.csv has {len(edited)} bytes" in out.output
    )
    assert "rebuild it with dvc repro" in out.output


@pytest.mark.parametrize("edited", ["processed/datasheet.md", "processed/reader/index.html"])
def test_release_refuses_a_file_beside_the_tables_edited_after_the_build(repo, edited):
    # datapackage.json lists every published file with its hash, not the tables alone
    path = repo / edited
    path.write_bytes(path.read_bytes() + b"<script>alert(1)</script>\n")
    out = _release(repo)
    _refused(
        out, "Error: the package does not match datapackage.json, so no archive was written:", repo
    )
    assert f"in datapackage.json: {edited} has {path.stat().st_size} bytes" in out.output


def test_release_refuses_a_table_edited_with_its_descriptor_to_match(repo):
    figures, descriptor = repo / "processed" / "figures.csv", repo / "datapackage.json"
    edited = figures.read_bytes().replace(b",78,exact,78,78,", b",780,exact,780,780,")
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    res = next(r for r in meta["resources"] if r["name"] == "figures")
    res["bytes"], res["hash"] = len(edited), "sha256:" + hashlib.sha256(edited).hexdigest()
    figures.write_bytes(edited)
    descriptor.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    out = _release(repo)
    _refused(out, "the package is not what the last build published", repo)
    assert "datapackage.json: modified" in out.output and "processed: modified" in out.output


def test_release_refuses_a_missing_table_and_lists_every_problem(repo):
    (repo / "processed" / "claims.csv").unlink()
    population = repo / "processed" / "population.csv"
    population.write_bytes(population.read_bytes() + b"\n")
    out = _release(repo)
    _refused(out, "resource claims: processed/claims.csv is missing", repo)
    assert (
        "resource population does not match the hash and bytes in datapackage.json: "
        "processed/population.csv" in out.output
    )


def test_release_refuses_a_descriptor_that_is_not_json(repo):
    (repo / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    _refused(_release(repo), "Error: datapackage.json is not valid JSON:", repo)


def test_release_record_writes_the_entry_for_the_version_outside_the_archive(repo, release_zip):
    releases = releases_file(repo)
    releases.write_text(
        json.dumps(
            {
                "releases": {
                    "0.0.9": {
                        "file": "a.zip",
                        "url": "https://example.org/a.zip",
                        "sha256": "0" * 64,
                    }
                }
            }
        )
    )
    out = _release(repo, "--record")
    assert out.exit_code == 0, out.output
    archive = repo / "dist" / f"stopitnow-figures-{VERSION}.zip"
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert out.output == (
        f"dist/stopitnow-figures-{VERSION}.zip\n"
        f"recorded stopitnow-figures-{VERSION}.zip (sha256 {digest}) "
        f"in src/stopitnow_figures/publishing/{RELEASES_NAME}\n"
    )
    assert (
        archive.read_bytes() == release_zip.read_bytes()
    )  # recording changes nothing in the archive
    # None while package.yaml records no address: the entry then says so with a null url
    url = json.loads((repo / "datapackage.json").read_text()).get("stopitnow:releaseUrl")
    assert load_releases(releases) == {
        "0.0.9": {"file": "a.zip", "url": "https://example.org/a.zip", "sha256": "0" * 64},
        VERSION: {"file": archive.name, "url": url, "sha256": digest},
    }
    first = releases.read_bytes()
    assert _release(repo, "--record").exit_code == 0
    assert releases.read_bytes() == first  # same commit, same archive, same entry


def test_the_shipped_releases_file_vouches_for_the_archive_of_this_commit(release_zip):
    """The entry for the package's version must be this commit's archive: change a published file
    and run `stopitnow-figures release --record` (with a new version, where the last one was
    released)."""
    releases = load_releases(SHIPPED_RELEASES)
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    entry = releases.get(descriptor["version"])
    assert entry is not None, (
        f"version {descriptor['version']} is not recorded: run stopitnow-figures release --record"
    )
    assert entry == {
        "file": release_zip.name,
        "url": descriptor.get("stopitnow:releaseUrl"),
        "sha256": hashlib.sha256(release_zip.read_bytes()).hexdigest(),
    }


@pytest.mark.slow
def test_dvc_get_gives_the_committed_bytes(built_repo, tmp_path):
    subprocess.run(
        ["git", "tag", "-f", f"v{VERSION}"], cwd=built_repo, check=True, capture_output=True
    )
    for args, name in (([], "head.csv"), (["--rev", f"v{VERSION}"], "tag.csv")):
        out = dvc(
            tmp_path,
            "get",
            str(built_repo),
            "processed/figures.csv",
            "-o",
            str(tmp_path / name),
            *args,
        )
        assert out.returncode == 0, out.stderr
        assert (tmp_path / name).read_bytes() == (ROOT / "processed" / "figures.csv").read_bytes()


def test_citation_cff_is_valid():
    cffconvert = ROOT / ".venv-cff" / "bin" / "cffconvert"
    if not cffconvert.exists():
        pytest.skip("make test creates .venv-cff with cffconvert")
    out = subprocess.run(
        [str(cffconvert), "--validate", "-i", str(ROOT / "CITATION.cff")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "valid" in out.stdout


def test_citation_cff_and_zenodo_json_come_from_one_place():
    from stopitnow_figures.render import prose

    sources, figures = (read_csv(ROOT / "processed" / f"{n}.csv") for n in ("sources", "figures"))
    rate_per = config.load(Paths(ROOT), "params")["derive"]["rate_per"]
    facts = prose.facts(
        sources, [f["period_start"] for f in figures], [f["period_end"] for f in figures], rate_per
    )
    meta = prose.complete(
        config.load(Paths(ROOT), "package"), facts
    )  # package.yaml's templates, filled from the tables
    assert (ROOT / "CITATION.cff").read_text() == cff_text(meta, sources, RELEASED)
    assert (ROOT / ".zenodo.json").read_text() == zenodo_text(meta, sources, RELEASED)
    zen = json.loads((ROOT / ".zenodo.json").read_text())
    assert zen["version"] == VERSION and len(zen["related_identifiers"]) == len(sources)


def test_citation_cff_is_the_same_with_or_without_libyaml(monkeypatch):
    """The package stage uses libyaml's emitter where PyYAML has it; the pure-Python one must write
    the same bytes."""
    import yaml

    meta = config.load(Paths(ROOT), "package")
    sources = read_csv(ROOT / "processed" / "sources.csv")
    fast = cff_text(meta, sources, RELEASED)
    monkeypatch.delattr(yaml, "CSafeDumper", raising=False)
    assert cff_text(meta, sources, RELEASED) == fast
