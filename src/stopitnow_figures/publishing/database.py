"""The published tables as a SQLite database and as Parquet files, typed by their Table Schemas.

One reading of the CSV text into typed columns (``typed``) serves both: an empty cell is null
(Table Schema's missing value), ``number`` is a 64-bit float, ``integer`` a 64-bit integer,
``date`` an ISO date (Parquet's date32; in SQLite the ISO text, which ``date()`` reads, checked
to be a real day).

The database (``write_sqlite``) has one table per published table, in the order of
``PUBLISHED_TABLES``, its rows in the CSV's order (row N of the CSV is rowid N), with the schema's
primary key, foreign keys, ``required`` (NOT NULL) and ``unique``, and as CHECK constraints only
what plain SQLite runs: the type, ``enum``, ``minimum``/``maximum``, ``minLength``/``maxLength``,
and a ``pattern`` only where ``glob_conditions`` can say it exactly with GLOB (no REGEXP, which
plain SQLite lacks); other patterns are left to the package's own checks. It is built by the
SQLite that the pinned ``apsw`` wheel bundles, from nothing, with a fixed page size: its bytes do
not depend on the machine's SQLite or on the clock.

A Parquet file per table (``write_parquet``): the same typed columns, one row group, zstd at a
fixed level, statistics written; the writer's ``created_by`` names the pinned pyarrow.

``datasette_metadata``: the titles, descriptions and licence of the package (from package.yaml as
the package stage completes it), each table's title and its schema's description, and each
column's description from its schema. No column is given datasette's ``units`` (one Pint unit for
a whole column): a table's numbers are in the unit its row names, or its referenced row names, and
its description says so (``units_words``, from schemas/vocabulary.json's ``database``); the
columns with one unit for every row are counts of people, characters and years, which Pint's
registry has no unit for (or, for ``year``, one of time, which a calendar year is not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..tables.csvio import Table

SQL_TYPES = {"string": "TEXT", "number": "REAL", "integer": "INTEGER", "date": "TEXT"}
# what SQLite's typeof() gives for a stored value of each type (a null passes every check)
SQL_TYPEOF = {"string": "text", "number": "real", "integer": "integer", "date": "text"}
PAGE_SIZE = 4096
# a file's format and media type, by its suffix
MEDIA_TYPES = {
    ".sqlite": ("sqlite", "application/vnd.sqlite3"),
    ".parquet": ("parquet", "application/vnd.apache.parquet"),
    ".json": ("json", "application/json"),
}
PARQUET_COMPRESSION = ("zstd", 9)
PARQUET_VERSION = "2.6"


# -- typed columns -----------------------------------------------------------------------------


def arrow_type(field: dict):
    """The Arrow type of a Table Schema field (a ``KeyError`` for a type no table uses)."""
    import pyarrow as pa

    return {
        "string": pa.string(),
        "number": pa.float64(),
        "integer": pa.int64(),
        "date": pa.date32(),
    }[field["type"]]


def typed(table: Table, schema: dict):
    """The table as an Arrow table of the schema's types, an empty cell null."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for field in schema["fields"]:
        cells = table.arrow(field["name"]).combine_chunks()
        empty = pc.equal(cells, "")
        if pc.any(empty).as_py():  # (a column without an empty cell is not copied)
            cells = pc.if_else(empty, pa.scalar(None, pa.string()), cells)
        columns.append(pc.cast(cells, arrow_type(field)))
    names = [f["name"] for f in schema["fields"]]
    return pa.Table.from_arrays(columns, names=names)


# -- Parquet -----------------------------------------------------------------------------------


def write_parquet(path: Path, data) -> None:
    """One table as a Parquet file at ``path``: one row group, fixed compression, statistics
    written."""
    import pyarrow.parquet as pq

    codec, level = PARQUET_COMPRESSION
    pq.write_table(
        data,
        str(path),
        row_group_size=max(len(data), 1),
        compression=codec,
        compression_level=level,
        write_statistics=True,
        version=PARQUET_VERSION,
        use_dictionary=True,
    )


# -- SQLite ------------------------------------------------------------------------------------


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def create_table(name: str, schema: dict) -> str:
    """The CREATE TABLE of one published table, from its schema."""
    key = schema.get("primaryKey") or []
    key = [key] if isinstance(key, str) else key
    lines = [column_definition(f, single_key=key == [f["name"]]) for f in schema["fields"]]
    if key:
        lines.append(f"PRIMARY KEY ({', '.join(map(quoted, key))})")
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        lines.append(
            f"FOREIGN KEY ({', '.join(map(quoted, fk['fields']))}) REFERENCES "
            f"{quoted(ref['resource'])} ({', '.join(map(quoted, ref['fields']))})"
        )
    return f"CREATE TABLE {quoted(name)} (\n  " + ",\n  ".join(lines) + "\n)"


def column_definition(field: dict, *, single_key: bool = False) -> str:
    """A column: its type, NOT NULL where required, UNIQUE where unique (and not the primary key),
    and a CHECK of the conditions plain SQLite can run."""
    name, constraints = quoted(field["name"]), field.get("constraints", {})
    parts = [name, SQL_TYPES[field["type"]]]
    if constraints.get("required"):
        parts.append("NOT NULL")
    if constraints.get("unique") and not single_key:
        parts.append("UNIQUE")
    conditions = column_conditions(field)
    if conditions:
        parts.append("CHECK (" + " AND ".join(conditions) + ")")
    return " ".join(parts)


def column_conditions(field: dict) -> list[str]:
    """The SQL conditions a value of the column meets (each true or null for a null)."""
    name, constraints = quoted(field["name"]), field.get("constraints", {})
    out = [f"typeof({name}) IN ('{SQL_TYPEOF[field['type']]}', 'null')"]
    if field["type"] == "date":  # through julianday: date() alone keeps 2019-02-30 before 3.42
        out.append(f"date(julianday({name})) = {name}")
    if "enum" in constraints:
        out.append(f"{name} IN ({', '.join(literal(v) for v in constraints['enum'])})")
    for key, op in (("minimum", ">="), ("maximum", "<=")):
        if key in constraints:
            out.append(f"{name} {op} {literal(constraints[key])}")
    for key, op in (("minLength", ">="), ("maxLength", "<=")):
        if key in constraints:
            out.append(f"length({name}) {op} {int(constraints[key])}")
    if "pattern" in constraints:
        out += [c.format(column=name) for c in glob_conditions(constraints["pattern"]) or []]
    return out


# a pattern GLOB can say exactly: atoms (a literal character or a class of characters without
# negation or escapes), each once, {n} times or, for at most one of them, any number of times
_ATOM = re.compile(r"\[([A-Za-z0-9:_ -]+)\]|([A-Za-z0-9:_ -])")
_COUNT = re.compile(r"\{([0-9]+)\}|(\*)")


def glob_conditions(pattern: str) -> list[str] | None:
    """SQL conditions on ``{column}`` that hold exactly where the whole value matches ``pattern``
    (a Table Schema pattern: the whole value, RE2), or None where GLOB cannot say it exactly.

    A pattern of fixed atoms and at most one atom repeated any number of times (``C*``), whose
    class holds every other atom's characters, is exactly: the value GLOBs the atoms (``C*`` as
    ``*``), and no character of it is outside ``C`` (for a string of fixed atoms alone, the GLOB
    is exact by itself)."""
    atoms = _atoms(pattern.removeprefix("^").removesuffix("$"))
    if atoms is None:
        return None
    stars = [a for a in atoms if a[2] is None]
    if len(stars) > 1:
        return None
    glob = "".join("*" if n is None else text * n for text, _, n in atoms)
    out = ["{column} GLOB " + literal(glob)]
    if stars:
        text, chars, _ = stars[0]
        if not all(c <= chars for _, c, _ in atoms):
            return None
        out.append("{column} NOT GLOB " + literal(f"*[^{text[1:-1]}]*"))
    return out


def _atoms(body: str) -> list[tuple[str, frozenset[str], int | None]] | None:
    """(GLOB text, characters matched, times: None for any number) of each atom, or None where the
    pattern is more than atoms."""
    out, at = [], 0
    while at < len(body):
        atom = _ATOM.match(body, at)
        if atom is None:
            return None
        chars = _class(atom.group(1)) if atom.group(1) else frozenset(atom.group(2))
        text = f"[{atom.group(1)}]" if atom.group(1) else atom.group(2)
        at = atom.end()
        count = _COUNT.match(body, at)
        times = 1 if count is None else (None if count.group(2) else int(count.group(1)))
        at = count.end() if count else at
        out.append((text, chars, times))
    return out


def _class(inside: str) -> frozenset[str] | None:
    """The characters of a class's inside ("a-z0-9-"): ranges, and a '-' first or last as
    itself."""
    chars, i = set(), 0
    while i < len(inside):
        if i + 2 < len(inside) and inside[i + 1] == "-":
            chars |= {chr(c) for c in range(ord(inside[i]), ord(inside[i + 2]) + 1)}
            i += 3
        else:
            chars.add(inside[i])
            i += 1
    return frozenset(chars)


def sqlite_rows(data, step: int = 1 << 14) -> Iterator[tuple]:
    """The rows of a typed table as SQLite takes them (dates as their ISO text), made ``step`` rows
    at a time, so that a million rows are never all Python objects at once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = [pc.cast(c, pa.string()) if pa.types.is_date32(c.type) else c for c in data.columns]
    for start in range(0, len(data), step):
        piece = [c.slice(start, step).to_pylist() for c in columns]
        yield from zip(*piece, strict=True)


def write_sqlite(path: Path, tables: Iterable[tuple[str, object]], schemas: dict) -> None:
    """Write the database at ``path``, anew, a table created from each schema (in their order),
    then ``tables`` (name and typed Arrow table, in the same order, made one at a time) loaded
    into them, by the SQLite of the pinned apsw wheel: on disk, not in memory, so that a million
    figures' database is never held twice."""
    import apsw

    path.unlink(missing_ok=True)
    db = apsw.Connection(str(path))
    try:
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        db.execute("PRAGMA encoding = 'UTF-8'")
        # a file being built, renamed into place only when whole: no journal, no syncs
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -65536")
        # the rows passed the package's own checks: SQLite need not run the CHECKs again while
        # loading them (the file is the same either way; a user's INSERT runs them)
        db.execute("PRAGMA ignore_check_constraints = ON")
        with db:
            for name in schemas:
                db.execute(create_table(name, schemas[name]))
            for name, data in tables:
                marks = ", ".join("?" * data.num_columns)
                db.executemany(f"INSERT INTO {quoted(name)} VALUES ({marks})", sqlite_rows(data))
                del data  # (before the next table is made)
    finally:
        db.close()


# -- datasette ---------------------------------------------------------------------------------


def datasette_metadata(
    meta: dict, schemas: dict, database: str, source: str, population: Table, notes: dict
) -> dict:
    """Datasette's metadata.json for the database file named ``database`` (its stem): the
    package's title, description and first licence (the data's), ``source`` (the sources in
    words), and per table its title (``meta``'s resource titles), its schema's description and
    where its units are (``notes``: the vocabulary's ``database`` words), each column's
    description, and for the population table the tables its estimates come from."""
    licence = meta["licenses"][0]
    tables = {}
    for name, schema in schemas.items():
        words = [schema.get("description", ""), units_words(name, schemas, notes)]
        tables[name] = {
            "title": meta["resource_titles"][name],
            **({"description": " ".join(w for w in words if w)} if any(words) else {}),
            "columns": {f["name"]: f["description"] for f in schema["fields"]},
        }
    tables["population"] |= population_source(population)
    return {
        "title": meta["title"],
        "description": meta["description"],
        "license": licence["name"],
        "license_url": licence["path"],
        "source": source,
        "databases": {database: {"tables": tables}},
    }


def units_words(name: str, schemas: dict, notes: dict) -> str:
    """What table ``name``'s description says of the units of its number fields (in ``notes``'
    words): that they are in the unit its row names (a table with the vocabulary's unit field), or
    the unit of the row a foreign key names in a table that has one; empty for a table with no
    number field, or none of these."""
    unit = notes["unit_field"]
    schema = schemas[name]
    columns = ", ".join(f["name"] for f in schema["fields"] if f["type"] == "number")
    if not columns:
        return ""
    if _has_field(schema, unit):
        return notes["units_per_row"].format(columns=columns, unit=unit)
    for key in schema.get("foreignKeys", []):
        table = key["reference"]["resource"]
        if table in schemas and _has_field(schemas[table], unit):
            fields = ", ".join(_as_list(key["fields"]))
            return notes["units_by_reference"].format(
                columns=columns, table=table, key=fields, unit=unit
            )
    return ""


def _has_field(schema: dict, name: str) -> bool:
    return any(f["name"] == name for f in schema["fields"])


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def population_source(population: Table) -> dict:
    """Datasette's source of the population table: each publisher's table once, and its address
    where every row has the same one."""
    pairs = sorted(
        set(zip(population.column("publisher"), population.column("table"), strict=True))
    )
    urls = sorted(set(population.column("url")))
    return {
        "source": "; ".join(f"{publisher}: {table}" for publisher, table in pairs),
        **({"source_url": urls[0]} if len(urls) == 1 else {}),
    }
