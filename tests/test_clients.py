"""Real clients read the published package the way their users do: frictionless-py (validate,
pandas, an SQLite index), the JavaScript `datapackage` library under Node (from a folder and
over HTTP on loopback), the `prov` library, pandas and DuckDB. Nothing here uses the network.

The expected values are read off the article texts in raw/sources/: herald-2017-scotland says
"5 per cent of the 1,504 calls received from across the UK last year" (an article of 2017, so
2016), and national-2017-scotland says "A total of 30 people from Scotland called in the three
months to the end of May, rising to 55 during the next three months" and "an 80 per cent jump in
calls" (55 / 30 - 1 = 25 / 30 = 83.33 per cent).

The commands and snippets the README shows under "Using the package from other tools" are the
constants below, and a test holds the README to them.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, ROOT, Server

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
# the tables (the other resources are the package's files that are not tables: reports, pages,
# charts)
RESOURCES = {r["name"]: r for r in DESCRIPTOR["resources"] if "schema" in r}
JS_SCRIPT = ROOT / "tests" / "js" / "read_package.mjs"
JS_LIBRARY = ROOT / "node_modules" / "datapackage" / "package.json"

# What the README shows, run here exactly as written
VALIDATE = "frictionless validate datapackage.json"
# `frictionless index datapackage.json` stops at the first resource that is not a table (the
# package lists its pages, charts and reports too), so the tables are indexed one by one
INDEX = """from frictionless import Package
for resource in Package("datapackage.json").resources:
    if resource.type == "table":  # the other resources are pages, charts and reports
        resource.index("sqlite:///figures.db")"""
SQLITE_PY = '''import sqlite3
con = sqlite3.connect("figures.db")
con.execute("""
  SELECT f.figure_id, f.value, f.lower, f.upper, s.publisher
  FROM figures f JOIN sources s ON s.source_id = f.source_id
  WHERE f.figure_id = 'national-2017-scotland-f06'
""").fetchall()'''
FRICTIONLESS_PY = """from frictionless import Package
figures = Package("datapackage.json").get_resource("figures").to_pandas()"""
PANDAS_PY = """import pandas as pd
figures = pd.read_csv("processed/figures.csv")"""
DUCKDB_PY = '''import duckdb
duckdb.sql("""
  SELECT f.figure_id, f.value, f.lower, f.upper, s.publisher
  FROM 'processed/figures.csv' f JOIN 'processed/sources.csv' s USING (source_id)
  WHERE f.figure_id = 'national-2017-scotland-f06'
""").fetchall()'''
NODE_INSTALL = "npm install --save-exact datapackage@1.1.10"
NODE_JS = """import datapackage from "datapackage";

const { Package } = datapackage;
const pkg = await Package.load("datapackage.json");
const figures = await pkg.getResource("figures").read({ keyed: true, relations: true });
const figure = figures.find((row) => row.figure_id === "national-2017-scotland-f06");
console.log(figure.value, figure.source_id.publisher); // 30 The National"""


def csv_rows(name: str, root: Path = ROOT) -> list[dict[str, str]]:
    """The rows of one resource's CSV file, read with the csv module (a quoted cell may hold a
    newline)."""
    with open(root / RESOURCES[name]["path"], encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def package_copy(dest: Path) -> Path:
    """datapackage.json and the files of its resources, as a user who downloaded them has them."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "datapackage.json", dest / "datapackage.json")
    for r in DESCRIPTOR["resources"]:
        (dest / r["path"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / r["path"], dest / r["path"])
    return dest


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run a README command line, with this environment's frictionless first on PATH."""
    program, *args = command.split()
    return subprocess.run(
        [str(BIN / program), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def shown(code: str, cwd: Path, monkeypatch) -> object:
    """Run a README snippet in cwd and return what its last line shows, as the Python prompt
    would."""
    monkeypatch.chdir(cwd)
    tree = ast.parse(code)
    last = ast.Expression(tree.body.pop().value)
    scope: dict = {}
    exec(compile(tree, "<README>", "exec"), scope)
    return eval(compile(last, "<README>", "eval"), scope)


def node() -> str:
    """The node binary and the pinned library, or a failure that says what to install."""
    found = shutil.which("node")
    if found is None:
        pytest.fail(
            "node is not on PATH: install Node.js 20 and npm (Debian: apt-get install nodejs npm), "
            "then run make test"
        )
    if not JS_LIBRARY.exists():
        pytest.fail(
            "the datapackage library is not in node_modules/: run make test, or npm ci, which "
            "installs it from package-lock.json"
        )
    return found


def read_with_node(descriptor: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [node(), str(JS_SCRIPT), descriptor, "herald-2017-scotland-f06", "herald-share"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


# frictionless-py


def test_frictionless_validate_passes_every_resource():
    out = run(VALIDATE, ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "INVALID" not in out.stdout
    for name in RESOURCES:
        assert name in out.stdout


def test_frictionless_reads_figures_into_pandas_with_the_schema_types(monkeypatch):
    figures = shown(FRICTIONLESS_PY + "\nfigures", ROOT, monkeypatch)
    from pandas.api import types

    assert figures.index.name == "figure_id"  # the primary key becomes the index
    assert len(figures) == len(csv_rows("figures"))
    assert types.is_float_dtype(figures["value"])  # number
    assert types.is_integer_dtype(figures["char_start"])  # integer
    assert types.is_datetime64_any_dtype(figures["period_start"])  # date
    f06 = figures.loc["herald-2017-scotland-f06"]
    assert (f06.value, f06.as_written, f06.unit, f06.geography_code) == (
        1504,
        "1,504",
        "calls",
        "K02000001",
    )
    assert f06.period_start.date().isoformat() == "2016-01-01"  # "last year" in a 2017 article
    text = (ROOT / "raw" / "sources" / "herald-2017-scotland.txt").read_text(encoding="utf-8")
    assert text[f06.char_start : f06.char_end].startswith("the 1,504 calls")
    empty_codes = sum(r["geography_code"] == "" for r in csv_rows("figures"))
    assert empty_codes > 0 and figures["geography_code"].isna().sum() == empty_codes


def test_frictionless_index_puts_every_resource_in_sqlite_with_its_primary_key_and_the_join_works(
    tmp_path, monkeypatch
):
    if importlib.util.find_spec("sqlalchemy") is None:
        pytest.fail(
            "frictionless index needs SQLAlchemy (the frictionless[sql] extra), which "
            "requirements.lock does not install"
        )
    folder = package_copy(tmp_path / "package")
    shown(INDEX + "\nNone", folder, monkeypatch)
    con = sqlite3.connect(folder / "figures.db")
    tables = {
        name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    # the database itself is checked: every table is in it
    missing = sorted(set(RESOURCES) - tables)
    assert not missing, f"the index left out {missing}"
    for name, resource in RESOURCES.items():
        assert con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == len(csv_rows(name)), (
            name
        )
        pk = sorted(
            (pos, col)
            for _, col, _, _, _, pos in con.execute(f'PRAGMA table_info("{name}")')
            if pos
        )
        assert [col for _, col in pk] == resource["schema"]["primaryKey"], name

    assert shown(SQLITE_PY, folder, monkeypatch) == [
        ("national-2017-scotland-f06", 30, 30, 30, "The National")
    ]
    # every foreign key finds its row, and an empty optional string arrives as NULL
    assert con.execute(
        "SELECT count(*) FROM figures f LEFT JOIN sources s USING (source_id) WHERE s.source_id IS "
        "NULL"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT count(*) FROM claims c LEFT JOIN figures f USING (figure_id) WHERE f.figure_id IS "
        "NULL"
    ).fetchone() == (0,)
    empty_codes = sum(r["geography_code"] == "" for r in csv_rows("figures"))
    assert con.execute("SELECT count(*) FROM figures WHERE geography_code IS NULL").fetchone() == (
        empty_codes,
    )


# the JavaScript datapackage library under Node


@pytest.mark.parametrize("where", ["folder", "http"])
def test_node_datapackage_reads_every_resource_resolving_each_foreign_key(where, tmp_path):
    folder = package_copy(tmp_path / "www")
    if where == "folder":
        out = read_with_node("datapackage.json", cwd=folder)
    else:
        server = Server(folder)
        try:
            out = read_with_node(f"{server.url}/datapackage.json")
        finally:
            server.stop()
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert got["library"] == lock["packages"]["node_modules/datapackage"]["version"]
    assert got["resources"] == list(RESOURCES)
    assert got["rows"] == {name: len(csv_rows(name)) for name in RESOURCES}
    assert got["foreign_keys"] == {
        name: len(r["schema"].get("foreignKeys", [])) for name, r in RESOURCES.items()
    }
    text = (ROOT / "raw" / "sources" / "herald-2017-scotland.txt").read_text(encoding="utf-8")
    char_start = got["figure"].pop("char_start")  # an integer field, cast to a JS number
    assert isinstance(char_start, int) and text[char_start:].startswith("the 1,504 calls")
    assert got["figure"] == {
        "figure_id": "herald-2017-scotland-f06",
        "value": 1504,
        "value_type": "number",
        "period_start": "2016-01-01",
        "source": {"source_id": "herald-2017-scotland", "publisher": "The Herald (Glasgow)"},
    }
    # "5 per cent of the 1,504 calls": the claim's figure is the 5, and the rest of the evidence
    # gives 78 / 1,504
    assert got["claim"]["figure"] == {
        "figure_id": "herald-2017-scotland-f05",
        "value": 5,
        "source_id": "herald-2017-scotland",
    }
    assert got["claim"]["computed"] == pytest.approx(78 / 1504 * 100)


def test_node_datapackage_refuses_a_figure_whose_source_is_missing(tmp_path):
    folder = package_copy(tmp_path / "broken")
    path = folder / RESOURCES["figures"]["path"]
    text = path.read_text(encoding="utf-8")
    assert text.count("\nherald-2017-scotland-f06,herald-2017-scotland,") == 1
    path.write_text(
        text.replace(
            "\nherald-2017-scotland-f06,herald-2017-scotland,",
            "\nherald-2017-scotland-f06,nowhere-2017-scotland,",
        )
    )
    out = read_with_node("datapackage.json", cwd=folder)
    assert out.returncode != 0
    assert "foreign key" in out.stderr.lower(), out.stderr


def test_the_readme_node_snippet_prints_the_resolved_source(tmp_path):
    folder = package_copy(tmp_path / "package")
    (folder / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    (folder / "read.mjs").write_text(NODE_JS + "\n")
    out = subprocess.run(
        [node(), "read.mjs"], cwd=folder, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == "30 The National\n"


# the prov library


def test_prov_reads_the_graph_and_writes_provn_naming_every_figure_and_metric():
    from prov.model import ProvDocument, ProvEntity

    doc = ProvDocument.deserialize(
        source=str(ROOT / "processed" / "provenance.json"), format="json"
    )
    provn = doc.get_provn()
    assert provn.startswith("document\n") and provn.rstrip().endswith("endDocument")
    assert "prefix sin <https://w3id.org/stopitnow-figures/>" in provn
    entities = {str(e.identifier): e for e in doc.get_records(ProvEntity)}
    figure_ids = [r["figure_id"] for r in csv_rows("figures")]
    metric_ids = [r["metric_id"] for r in csv_rows("derived")]
    assert {i for i in entities if i.startswith("sin:figure/")} == {
        f"sin:figure/{i}" for i in figure_ids
    }
    assert {i for i in entities if i.startswith("sin:metric/")} == {
        f"sin:metric/{i}" for i in metric_ids
    }
    for i in figure_ids:
        assert f"entity(sin:figure/{i}, [" in provn
    for i in metric_ids:
        assert f"entity(sin:metric/{i}, [" in provn
    f06 = dict((str(k), v) for k, v in entities["sin:figure/herald-2017-scotland-f06"].attributes)
    assert float(f06["prov:value"]) == 1504 and f06["sin:quote"].startswith("the 1,504 calls")
    assert (
        entities["sin:figure/herald-2017-scotland-f06"].identifier.uri
        == "https://w3id.org/stopitnow-figures/figure/herald-2017-scotland-f06"
    )


# pandas and DuckDB


def test_pandas_reads_the_figures_table(monkeypatch):
    figures = shown(PANDAS_PY + "\nfigures", ROOT, monkeypatch)
    assert len(figures) == len(csv_rows("figures"))
    assert figures.loc[figures.figure_id == "herald-2017-scotland-f06", "value"].item() == 1504


def test_duckdb_joins_figures_to_sources(monkeypatch):
    assert shown(DUCKDB_PY, ROOT, monkeypatch) == [
        ("national-2017-scotland-f06", 30, 30, 30, "The National")
    ]


# the README


def test_the_readme_shows_each_client_exactly_as_tested():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Using the package from other tools\n")
    section = readme[start : readme.index("\n## ", start + 1)]
    for snippet in (
        VALIDATE,
        INDEX,
        SQLITE_PY,
        FRICTIONLESS_PY,
        PANDAS_PY,
        DUCKDB_PY,
        NODE_INSTALL,
        NODE_JS,
    ):
        assert snippet in section, snippet
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["datapackage"]
    assert NODE_INSTALL.endswith(f"datapackage@{pinned}")
