"""The package claims no address until a maintainer records one (package.yaml, published_at; the
README's "Releasing" says how): citations, CITATION.cff and datapackage.json carry none, and
`download` with no URL says that no release is recorded and how else to get the data. Once one is
recorded, in a copy of the repository, the citations and download's default use it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
import yaml
from pybtex.database import parse_string

from conftest import BIN, ROOT, Server, dvc, env, package_version
from conftest import built as built_copy
from stopitnow_figures.publishing.release import build_release
from stopitnow_figures.render.citation import cff_text, cite
from stopitnow_figures.tables import config
from stopitnow_figures.tables.paths import Paths

VERSION, _ = package_version()
PAGE = "https://example.org/pkg"
META = {
    "title": "Figures",
    "version": "0.1.0",
    "licenses": [{"name": "CC-BY-4.0"}],
    "description": "d",
    "keywords": ["k"],
    "contributors": [{"title": "Maintainers"}],
    "published_at": {"homepage": PAGE, "archive": PAGE + "/v{version}/pkg-{version}.zip"},
}
UNRECORDED = {**META, "published_at": None}


def _package_entries(meta: dict) -> dict[str, object]:
    """The package's entry in each format, for the package alone (no article)."""
    return {
        "apa": cite(meta, "2026-11-21", "apa"),
        "bibtex": parse_string(cite(meta, "2026-11-21", "bibtex"), "bibtex", person_fields=[])
        .entries["stopitnow-figures-0.1.0"]
        .fields,
        "biblatex": parse_string(cite(meta, "2026-11-21", "biblatex"), "bibtex", person_fields=[])
        .entries["stopitnow-figures-0.1.0"]
        .fields,
        "csl-json": json.loads(cite(meta, "2026-11-21", "csl-json"))[0],
        "cff": yaml.safe_load(cff_text(meta, [], "2026-11-21")),
    }


def test_the_recorded_address_is_the_only_one_a_citation_gives():
    assert config.homepage(META) == PAGE
    # {version} filled in: https://example.org/pkg/v0.1.0/pkg-0.1.0.zip
    assert config.release_url(META) == "https://example.org/pkg/v0.1.0/pkg-0.1.0.zip"
    got = _package_entries(META)
    # APA 7 ends a data set's reference with its address
    assert got["apa"] == "Maintainers. (2026). Figures (Version 0.1.0) [Data set]. " + PAGE + "\n"
    assert got["bibtex"]["url"] == got["biblatex"]["url"] == PAGE
    assert got["csl-json"]["URL"] == got["cff"]["url"] == PAGE


def test_with_no_address_recorded_no_citation_gives_one():
    assert config.homepage(UNRECORDED) is None and config.release_url(UNRECORDED) is None
    got = _package_entries(UNRECORDED)
    # the reference as above, ending at "[Data set]."
    assert got["apa"] == "Maintainers. (2026). Figures (Version 0.1.0) [Data set].\n"
    assert "url" not in got["bibtex"] and "url" not in got["biblatex"]
    assert "URL" not in got["csl-json"] and "url" not in got["cff"]
    assert got["bibtex"]["version"] == got["csl-json"]["version"] == "0.1.0"


@pytest.mark.data
def test_the_package_claims_only_the_address_package_yaml_records():
    home = config.homepage(config.load(Paths(ROOT), "package"))
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert descriptor.get("homepage") == home and cff.get("url") == home
    if home is None:
        assert "stopitnow:releaseUrl" not in descriptor


def test_download_with_no_release_recorded_says_how_else_to_get_the_data(tmp_path):
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.pop("stopitnow:releaseUrl", None)
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    out = subprocess.run(
        [str(BIN / "stopitnow-figures"), "download", "--root", str(tmp_path), "--to", "data"],
        cwd=tmp_path,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert out.stdout == "" and "Traceback" not in out.stderr
    assert out.stderr.startswith(
        f"Error: {tmp_path / 'datapackage.json'}: no URL given, and no release of this package is "
        "recorded"
    ), out.stderr
    said = " ".join(out.stderr.split())
    for way in ("`make repro`", "dvc get", "`stopitnow-figures versions`"):
        assert way in said, said
    assert not (tmp_path / "data").exists()


@pytest.mark.slow
def test_recording_an_address_makes_citations_and_download_use_it(tmp_path):
    """The release step of the README: record the address in package.yaml, rebuild, release."""
    site = tmp_path / "site"
    site.mkdir()
    server = Server(site)
    try:
        repo = built_copy(tmp_path / "repo")  # built as the maintainer's repository is
        home, archive = f"{server.url}/pkg", f"{server.url}/v{{version}}/pkg-{{version}}.zip"
        text = (repo / "package.yaml").read_text(encoding="utf-8")
        recorded = f"published_at:\n  homepage: {home}\n  archive: {archive}\n"
        assert re.search(r"^published_at: null\n", text, re.M), "package.yaml records an address"
        (repo / "package.yaml").write_text(
            re.sub(r"^published_at: null\n", recorded, text, flags=re.M), encoding="utf-8"
        )
        built = dvc(repo, "repro")
        assert built.returncode == 0, built.stdout + built.stderr
        cited = subprocess.run(
            [str(BIN / "stopitnow-figures"), "cite", "--root", str(repo)],
            env=env(),
            capture_output=True,
            text=True,
        )
        assert cited.returncode == 0 and cited.stdout.endswith(f"[Data set]. {home}\n"), cited
        assert yaml.safe_load((repo / "CITATION.cff").read_text())["url"] == home
        url = f"{server.url}/v{VERSION}/pkg-{VERSION}.zip"
        assert json.loads((repo / "datapackage.json").read_text())["stopitnow:releaseUrl"] == url
        zipped = build_release(Paths(repo), into=tmp_path / "dist")
        (site / f"v{VERSION}").mkdir()
        shutil.copy(zipped, site / f"v{VERSION}" / f"pkg-{VERSION}.zip")
        got = subprocess.run(
            [str(BIN / "stopitnow-figures"), "download", "--root", str(repo), "--to", "data"],
            cwd=tmp_path,
            env=env(),
            capture_output=True,
            text=True,
        )
        assert got.returncode == 0, got.stderr
        assert url in got.stderr  # no --sha256 and no entry for it: the warning names the address
        assert (tmp_path / "data" / "processed" / "figures.csv").read_bytes() == (
            repo / "processed" / "figures.csv"
        ).read_bytes()
    finally:
        server.stop()
    assert os.path.exists(tmp_path / "data" / "datapackage.json")
