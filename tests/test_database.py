"""The SQLite database, datasette's metadata.json and the Parquet files of the package.

The rules (typing, the SQL a schema becomes, patterns as GLOB) are tested on small inline schemas
and tables; the real package's files are tested by building them again from the committed
processed/ tables (fast: no pipeline run) and reading them with the tools a user has: Python's
sqlite3 (the plain SQLite of the machine, without REGEXP), datasette served on loopback, DuckDB.
Expected values are read from the CSVs, never typed.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import BIN, ROOT
from stopitnow_figures.publishing import database as db
from stopitnow_figures.publishing.release import is_release_member
from stopitnow_figures.publishing.swap import FILES_PROPERTY
from stopitnow_figures.tables import vocab
from stopitnow_figures.tables.csvio import Table
from stopitnow_figures.tables.errors import Collector
from stopitnow_figures.tables.paths import PUBLISHED_TABLES, Paths
from stopitnow_figures.tables.schema import load_schema, package_tables

# What the README shows, run here as written
SQLITE_PY = '''import sqlite3
con = sqlite3.connect("processed/stopitnow-figures.sqlite")
con.execute("""
  SELECT f.figure_id, f.value, f.lower, f.upper, s.publisher
  FROM figures f JOIN sources s ON s.source_id = f.source_id
  WHERE f.figure_id = 'national-2017-scotland-f06'
""").fetchall()'''
DATASETTE = "datasette processed/stopitnow-figures.sqlite --metadata processed/metadata.json"
DUCKDB_PY = '''import duckdb
duckdb.sql("""
  SELECT f.figure_id, f.value, f.lower, f.upper, s.publisher
  FROM 'processed/parquet/figures.parquet' f
  JOIN 'processed/parquet/sources.parquet' s USING (source_id)
  WHERE f.figure_id = 'national-2017-scotland-f06'
""").fetchall()'''
SHOWN_FIGURE = "national-2017-scotland-f06"  # the README's example (The National's 30 callers)

PATHS = Paths(ROOT)
SCHEMAS = {name: load_schema(PATHS.schema(name)) for name in PUBLISHED_TABLES}
# what each Table Schema type is as DuckDB reads the Parquet file and as the SQLite column is
# declared (the terms: 64-bit floats, integers, dates, text)
DUCKDB_TYPES = {"string": "VARCHAR", "number": "DOUBLE", "integer": "BIGINT", "date": "DATE"}
SQLITE_TYPES = {"string": "TEXT", "number": "REAL", "integer": "INTEGER", "date": "TEXT"}


# -- fixtures --------------------------------------------------------------------------------------


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def as_typed(cell: str, field: dict, *, dates_as_text: bool = False):
    """A CSV cell as the schema types it, read by Python from the text: None where empty, float()
    for a number (so a float is compared exactly as parsed from the CSV), int(), an ISO date."""
    if cell == "":
        return None
    kind = field["type"]
    if kind == "number":
        return float(cell)
    if kind == "integer":
        return int(cell)
    if kind == "date" and not dates_as_text:
        return date.fromisoformat(cell)
    return cell


def expected_rows(name: str, *, dates_as_text: bool = False) -> list[tuple]:
    fields = SCHEMAS[name]["fields"]
    return [
        tuple(as_typed(r[f["name"]], f, dates_as_text=dates_as_text) for f in fields)
        for r in csv_rows(PATHS.published.table(name))
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The database, metadata.json and Parquet files built from the committed processed/ tables
    by the package stage's own functions, in a temporary folder."""
    problems = Collector()
    tables = package_tables(PATHS, PATHS.published, problems)
    problems.raise_if_any()
    typed = {name: db.typed(tables[name], SCHEMAS[name]) for name in PUBLISHED_TABLES}
    out = tmp_path_factory.mktemp("database")
    db.write_sqlite(out / "package.sqlite", typed.items(), SCHEMAS)
    for name in PUBLISHED_TABLES:
        db.write_parquet(out / f"{name}.parquet", typed[name])
    return out


# -- the rules, on inline schemas ------------------------------------------------------------------

TINY = {
    "parents": {
        "fields": [
            {"name": "parent_id", "type": "string", "constraints": {"required": True}},
            {"name": "born", "type": "date"},
        ],
        "primaryKey": ["parent_id"],
    },
    "children": {
        "fields": [
            {
                "name": "child_id",
                "type": "string",
                "constraints": {"required": True, "unique": True, "pattern": "^c[0-9]{2}$"},
            },
            {"name": "parent_id", "type": "string", "constraints": {"required": True}},
            {"name": "share", "type": "number", "constraints": {"minimum": 0, "maximum": 100}},
            {"name": "count", "type": "integer"},
            {"name": "colour", "type": "string", "constraints": {"enum": ["red", "it's blue"]}},
        ],
        "primaryKey": ["child_id"],
        "foreignKeys": [
            {"fields": ["parent_id"], "reference": {"resource": "parents", "fields": ["parent_id"]}}
        ],
    },
}


def tiny_database(tmp_path: Path) -> sqlite3.Connection:
    tables = {
        "parents": Table.from_rows(
            ["parent_id", "born"], [{"parent_id": "p", "born": "2019-02-28"}]
        ),
        "children": Table.from_rows(
            ["child_id", "parent_id", "share", "count", "colour"],
            [
                # 0.1 has no exact binary form: a 32-bit float would read back as 0.10000000149...
                {"child_id": "c01", "parent_id": "p", "share": "0.1", "count": "3", "colour": ""},
                {"child_id": "c02", "parent_id": "p", "share": "", "count": "", "colour": "red"},
            ],
        ),
    }
    typed = {name: db.typed(t, TINY[name]) for name, t in tables.items()}
    path = tmp_path / "tiny.sqlite"
    db.write_sqlite(path, typed.items(), TINY)
    return sqlite3.connect(path)


def test_typed_reads_empty_as_null_numbers_as_64_bit_and_dates_as_dates():
    import pyarrow as pa

    t = Table.from_rows(
        ["share", "count", "colour", "child_id", "parent_id"],
        [{"share": "0.1", "count": "3", "colour": ""}, {"share": "", "count": "", "colour": "red"}],
    )
    got = db.typed(t, TINY["children"])
    assert got.schema.field("share").type == pa.float64()
    assert got.schema.field("count").type == pa.int64()
    assert got.column("share").to_pylist() == [0.1, None]  # 0.1 exactly as float("0.1")
    assert got.column("count").to_pylist() == [3, None]
    assert got.column("colour").to_pylist() == [None, "red"]  # an empty cell is null
    dates = db.typed(
        Table.from_rows(["parent_id", "born"], [{"parent_id": "p", "born": "2019-02-28"}]),
        TINY["parents"],
    )
    assert dates.schema.field("born").type == pa.date32()
    assert dates.column("born").to_pylist() == [date(2019, 2, 28)]


def test_the_database_keeps_values_types_and_foreign_keys(tmp_path):
    con = tiny_database(tmp_path)
    assert con.execute("SELECT child_id, share, count, colour FROM children").fetchall() == [
        ("c01", 0.1, 3, None),
        ("c02", None, None, "red"),
    ]
    assert con.execute("SELECT born FROM parents").fetchall() == [("2019-02-28",)]
    assert con.execute("PRAGMA foreign_key_list(children)").fetchall()[0][2:5] == (
        "parents",
        "parent_id",
        "parent_id",
    )
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.parametrize(
    "row",
    [
        ("C01", "p", 1.0, 1, "red"),  # the pattern ^c[0-9]{2}$ is case-sensitive
        ("c1", "p", 1.0, 1, "red"),  # two digits
        ("c011", "p", 1.0, 1, "red"),
        ("c03", "p", 100.5, 1, "red"),  # maximum 100
        ("c03", "p", -1.0, 1, "red"),  # minimum 0
        ("c03", "p", 1.0, 1, "blue"),  # not in the enum
        ("c03", "p", "many", 1, "red"),  # text in a number column
        ("c03", "p", 1.0, 1.5, "red"),  # a fraction in an integer column
        (None, "p", 1.0, 1, "red"),  # required
        ("c01", "p", 1.0, 1, "red"),  # unique (the primary key)
    ],
)
def test_plain_sqlite_refuses_a_row_the_schema_refuses(tmp_path, row):
    con = tiny_database(tmp_path)
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO children VALUES (?, ?, ?, ?, ?)", row)


def test_plain_sqlite_takes_a_row_the_schema_takes(tmp_path):
    con = tiny_database(tmp_path)
    con.execute("INSERT INTO children VALUES ('c99', 'p', 100, 0, 'it''s blue')")
    con.execute("INSERT INTO parents VALUES ('q', NULL)")
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO parents VALUES ('r', '2019-02-30')")  # no such day
    con.commit()  # (a PRAGMA inside a transaction does nothing)
    con.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO children VALUES ('c98', 'nobody', 1, 1, 'red')")


@pytest.mark.parametrize(
    "pattern, conditions",
    [
        # worked by hand: fixed atoms become a GLOB of the same atoms
        ("^[0-9a-f]{3}$", ["{column} GLOB '[0-9a-f][0-9a-f][0-9a-f]'"]),
        ("^ab-c$", ["{column} GLOB 'ab-c'"]),
        # one class repeated: GLOB's * there, and no character outside the class anywhere (every
        # other atom's characters are in it)
        (
            "^[a-z0-9][a-z0-9-]*[a-z0-9]$",
            ["{column} GLOB '[a-z0-9]*[a-z0-9]'", "{column} NOT GLOB '*[^a-z0-9-]*'"],
        ),
        ("^x-[a-z]*$", None),  # '-' is not in [a-z]: "no character outside" would refuse it
        ("^[a-z]+$", None),  # + is not an atom's count GLOB has
        ("^[a-z0-9][a-z0-9-]*-f[0-9]{2,}$", None),  # {2,}
        ("^(a|b)$", None),
        ("^[a-z]*[0-9]*$", None),  # two repeated classes
        ("^https?://\\S+$", None),
        ("^a.c$", None),  # . is any character but a newline: not GLOB's ?
    ],
)
def test_a_pattern_becomes_glob_only_where_exact(pattern, conditions):
    assert db.glob_conditions(pattern) == conditions


def sqlite_matches(conditions: list[str], value: str) -> bool:
    sql = "SELECT " + " AND ".join(f"({c.format(column=':v')})" for c in conditions)
    return bool(sqlite3.connect(":memory:").execute(sql, {"v": value}).fetchone()[0])


SCHEMA_PATTERNS = sorted(
    {
        f["constraints"]["pattern"]
        for s in SCHEMAS.values()
        for f in s["fields"]
        if "pattern" in f.get("constraints", {})
    }
)
EXPRESSED = [p for p in SCHEMA_PATTERNS if db.glob_conditions(p) is not None]


def test_some_schema_patterns_are_expressed_and_the_rest_left_out():
    # the id pattern is said in GLOB (the database holds it), and a pattern of alternatives is not
    assert EXPRESSED and len(EXPRESSED) < len(SCHEMA_PATTERNS)


@pytest.mark.parametrize("pattern", EXPRESSED)
@given(data=st.data())
def test_each_expressed_schema_pattern_agrees_with_the_regular_expression(pattern, data):
    value = data.draw(
        st.one_of(
            st.from_regex(pattern, fullmatch=True),
            st.text(alphabet="abcfsx0129-_:A\n é[]*?", max_size=12),
            st.from_regex(pattern, fullmatch=True).map(lambda s: s + "\n"),
            st.from_regex(pattern, fullmatch=True).map(lambda s: s[:-1] + "Z" if s else s),
        )
    )
    expected = re.fullmatch(pattern.removeprefix("^").removesuffix("$"), value) is not None
    assert sqlite_matches(db.glob_conditions(pattern), value) == expected


NOTES = vocab.load().database_notes
UNIT = NOTES["unit_field"]
MEASURED = {
    "counts": {
        "fields": [
            {"name": "count_id", "type": "string"},
            {"name": "value", "type": "number"},
            {"name": "low", "type": "number"},
            {"name": UNIT, "type": "string"},
            {"name": "offset", "type": "integer"},
        ],
        "primaryKey": ["count_id"],
    },
    "checks": {
        "fields": [
            {"name": "check_id", "type": "string"},
            {"name": "count_id", "type": "string"},
            {"name": "computed", "type": "number"},
        ],
        "foreignKeys": [
            {"fields": ["count_id"], "reference": {"resource": "counts", "fields": ["count_id"]}}
        ],
        "description": "Checks of counts.",
    },
    "ages": {"fields": [{"name": "age_id", "type": "string"}, {"name": "age", "type": "integer"}]},
}


def test_a_tables_description_says_where_its_numbers_units_are():
    schemas = {  # (every field described, as every schema's is; population as the writer needs)
        name: schema | {"fields": [f | {"description": f["name"]} for f in schema["fields"]]}
        for name, schema in (MEASURED | {"population": MEASURED["ages"]}).items()
    }
    meta = {
        "title": "T",
        "description": "D",
        "licenses": [{"name": "CC0-1.0", "path": "https://example.org/cc0"}],
        "resource_titles": {name: name.title() for name in schemas},
    }
    population = Table.from_rows(
        ["publisher", "table", "url"], [{"publisher": "P", "table": "T", "url": "https://e.org/t"}]
    )
    written = db.datasette_metadata(meta, schemas, "x", "S", population, NOTES)
    tables = written["databases"]["x"]["tables"]
    # counts: its number fields (value and low, not the integer offset) are in the row's unit
    per_row = NOTES["units_per_row"].format(columns="value, low", unit=UNIT)
    assert tables["counts"]["description"] == per_row
    # checks: no unit field, but a foreign key to counts, which has one; after its own description
    by_reference = NOTES["units_by_reference"].format(
        columns="computed", table="counts", key="count_id", unit=UNIT
    )
    assert tables["checks"]["description"] == "Checks of counts. " + by_reference
    assert "description" not in tables["ages"]  # no number field: nothing to say
    assert not any("units" in table for table in tables.values())


# -- the real package's database and Parquet files -------------------------------------------------


@pytest.mark.data
def test_two_builds_give_the_same_bytes_and_the_committed_files_are_that_build(built, tmp_path):
    problems = Collector()
    tables = package_tables(PATHS, PATHS.published, problems)
    typed = {name: db.typed(tables[name], SCHEMAS[name]) for name in PUBLISHED_TABLES}
    db.write_sqlite(tmp_path / "again.sqlite", typed.items(), SCHEMAS)
    assert (tmp_path / "again.sqlite").read_bytes() == (built / "package.sqlite").read_bytes()
    assert PATHS.published.database.read_bytes() == (built / "package.sqlite").read_bytes()
    for name in PUBLISHED_TABLES:
        db.write_parquet(tmp_path / f"{name}.parquet", typed[name])
        again = (tmp_path / f"{name}.parquet").read_bytes()
        assert again == (built / f"{name}.parquet").read_bytes()
        assert PATHS.published.parquet(name).read_bytes() == again


@pytest.mark.data
def test_the_database_holds_every_csv_value_with_its_schema_type(built):
    con = sqlite3.connect(built / "package.sqlite")
    for name in PUBLISHED_TABLES:
        fields = SCHEMAS[name]["fields"]
        declared = [(r[1], r[2]) for r in con.execute(f'PRAGMA table_info("{name}")')]
        assert declared == [(f["name"], SQLITE_TYPES[f["type"]]) for f in fields]
        got = con.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
        assert got == expected_rows(name, dates_as_text=True), name


@pytest.mark.data
def test_plain_sqlite_finds_every_foreign_key_of_the_schemas_and_none_broken(built):
    con = sqlite3.connect(built / "package.sqlite")
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    for name, schema in SCHEMAS.items():
        keys = sorted((r[2], r[3], r[4]) for r in con.execute(f'PRAGMA foreign_key_list("{name}")'))
        assert keys == sorted(
            (fk["reference"]["resource"], fk["fields"][0], fk["reference"]["fields"][0])
            for fk in schema.get("foreignKeys", [])
        )
    sql = " ".join(r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))
    assert "REGEXP" not in sql.upper()


@pytest.mark.data
def test_an_insert_through_pythons_sqlite3_into_a_constrained_table_works(built, tmp_path):
    """A copy of an existing claim under a new id: its id pattern (GLOB) and verdict enum are
    checked by plain SQLite, and its figure exists (foreign keys on)."""
    path = tmp_path / "copy.sqlite"
    shutil.copyfile(built / "package.sqlite", path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = ON")
    row = list(con.execute("SELECT * FROM claims ORDER BY rowid LIMIT 1").fetchone())
    columns = [r[1] for r in con.execute("PRAGMA table_info(claims)")]
    row[columns.index("claim_id")] += "-copy"
    marks = ", ".join("?" * len(row))
    con.execute(f"INSERT INTO claims VALUES ({marks})", row)
    assert con.execute("SELECT count(*) FROM claims WHERE claim_id = ?", (row[0],)).fetchone() == (
        1,
    )
    for column, bad in (("claim_id", "Not An Id"), ("verdict", "maybe"), ("figure_id", "none")):
        wrong = list(row)
        wrong[columns.index("claim_id")] += "-again"
        wrong[columns.index(column)] = bad
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(f"INSERT INTO claims VALUES ({marks})", wrong)


@pytest.mark.data
def test_duckdb_reads_each_parquet_file_with_the_schema_types_and_the_csv_values(built):
    import duckdb

    for name in PUBLISHED_TABLES:
        path = str(built / f"{name}.parquet")
        con = duckdb.connect()
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
        assert [(r[0], r[1]) for r in described] == [
            (f["name"], DUCKDB_TYPES[f["type"]]) for f in SCHEMAS[name]["fields"]
        ]
        got = con.execute("SELECT * FROM read_parquet(?)", [path]).fetchall()
        assert got == expected_rows(name), name


# -- datasette -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def datasette():
    """datasette serving the published database with its metadata.json as the README shows, on a
    free port of loopback (every row of a query returned)."""
    program, *args = DATASETTE.split()
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / program), *args, "--host", "127.0.0.1", "--port", str(port)]
        + ["--setting", "max_returned_rows", "1000000"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # at most 20 s to start
            try:
                get_json(f"{url}/-/versions.json")
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"datasette stopped: {server.stderr.read().decode()}")
                time.sleep(0.1)
        yield url, PATHS.published.database.stem
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.data
def test_datasette_answers_a_join_across_a_foreign_key(datasette):
    url, name = datasette
    sql = (
        "SELECT f.figure_id, f.value, s.publisher FROM figures f "
        "JOIN sources s ON s.source_id = f.source_id ORDER BY f.figure_id"
    )
    got = get_json(f"{url}/{name}.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "array"}))
    publishers = {
        s["source_id"]: s["publisher"] for s in csv_rows(PATHS.published.table("sources"))
    }
    figures = csv_rows(PATHS.published.table("figures"))
    assert got == [
        {
            "figure_id": f["figure_id"],
            "value": float(f["value"]),
            "publisher": publishers[f["source_id"]],
        }
        for f in sorted(figures, key=lambda f: f["figure_id"])
    ]


@pytest.mark.data
def test_datasette_shows_the_metadata_from_the_schemas_and_the_descriptor(datasette):
    url, name = datasette
    shown = get_json(f"{url}/-/metadata.json")
    descriptor = json.loads(PATHS.published.datapackage.read_text(encoding="utf-8"))
    assert (shown["title"], shown["description"]) == (
        descriptor["title"],
        descriptor["description"],
    )
    assert (shown["license"], shown["license_url"]) == (
        descriptor["licenses"][0]["name"],
        descriptor["licenses"][0]["path"],
    )
    tables = shown["databases"][name]["tables"]
    for resource in (r for r in descriptor["resources"] if "schema" in r):  # the tables
        table = tables[resource["name"]]
        assert table["title"] == resource["title"]
        assert table["columns"] == {
            f["name"]: f["description"] for f in SCHEMAS[resource["name"]]["fields"]
        }
    population = csv_rows(PATHS.published.table("population"))
    for row in population:
        assert f"{row['publisher']}: {row['table']}" in tables["population"]["source"]


@pytest.mark.data
def test_the_written_datasette_metadata_gives_each_number_a_unit_or_says_where_it_is():
    metadata = json.loads(PATHS.published.database_metadata.read_text(encoding="utf-8"))
    tables = metadata["databases"][PATHS.published.database.stem]["tables"]
    for name, schema in SCHEMAS.items():
        units = tables[name].get("units", {})
        if units:  # a unit given to datasette must be one its Pint reads (else its page fails)
            from datasette.vendored import pint

            registry = pint.UnitRegistry()
            for unit in units.values():
                registry(unit)
        unitless = [f["name"] for f in schema["fields"] if f["type"] == "number"]
        unitless = [column for column in unitless if column not in units]
        if unitless:
            said = db.units_words(name, SCHEMAS, NOTES)
            assert ", ".join(unitless) in said
            assert tables[name]["description"].endswith(said)


# -- the descriptor and the release ----------------------------------------------------------------


@pytest.mark.data
def test_the_descriptor_lists_each_file_with_its_bytes_hash_and_media_type():
    import hashlib

    descriptor = json.loads(PATHS.published.datapackage.read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in descriptor[FILES_PROPERTY]}
    expected = [PATHS.published.database, PATHS.published.database_metadata] + [
        PATHS.published.parquet(n) for n in PUBLISHED_TABLES
    ]
    files = {p.relative_to(ROOT).as_posix(): None for p in expected}
    files = {path: listed[path] for path in files}
    # beside them only the files whose path the Data Package profile refuses (hidden ones)
    assert all(path.startswith(".") for path in set(listed) - set(files))
    names = [f["name"] for f in listed.values()]
    assert len(set(names)) == len(names)
    assert not set(names) & {r["name"] for r in descriptor["resources"]}
    for path, entry in files.items():
        data = (ROOT / path).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert entry["mediatype"] == db.MEDIA_TYPES[Path(path).suffix][1]
        assert is_release_member(path)  # so make release's archive holds it


# -- the README ---------------------------------------------------------------------------------


def shown(code: str, monkeypatch) -> object:
    """Run a README snippet in the repository's root; what its last line shows."""
    import ast

    monkeypatch.chdir(ROOT)
    tree = ast.parse(code)
    last = ast.Expression(tree.body.pop().value)
    scope: dict = {}
    exec(compile(tree, "<README>", "exec"), scope)
    return eval(compile(last, "<README>", "eval"), scope)


@pytest.mark.data
@pytest.mark.parametrize("snippet", [SQLITE_PY, DUCKDB_PY])
def test_the_readme_snippets_answer_with_the_csv_values(snippet, monkeypatch):
    figure = next(
        f for f in csv_rows(PATHS.published.table("figures")) if f["figure_id"] == SHOWN_FIGURE
    )
    sources = csv_rows(PATHS.published.table("sources"))
    publisher = next(s["publisher"] for s in sources if s["source_id"] == figure["source_id"])
    numbers = tuple(float(figure[c]) if figure[c] else None for c in ("value", "lower", "upper"))
    assert shown(snippet, monkeypatch) == [(SHOWN_FIGURE, *numbers, publisher)]


def test_the_readme_shows_each_snippet_exactly_as_tested():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for snippet in (SQLITE_PY, DATASETTE, DUCKDB_PY):
        assert snippet in readme, snippet
