"""The hand-curated tables in raw/: their columns come from their schemas in
schemas/raw/ (what curators type, before the pipeline types it).
raw/reference/population.csv is published as it is, so its schema is the
published population schema."""

from __future__ import annotations

from pathlib import Path

from .csvio import Table, read_table
from .errors import Collector, Problem
from .paths import Paths
from .schema import check_frame, field_names, load_schema

TABLES = (
    "sources",
    "figures",
    "not_figures",
    "places",
    "geographies",
    "period_readings",
    "quantities",
    "identities",
    "derivations",
    "claims",
    "pages_not_added",
)


def schema_path(paths: Paths, table: str):
    return paths.schemas / "raw" / f"{table}.schema.json"


def columns(paths: Paths, table: str) -> list[str]:
    """The header of a raw table, from its schema."""
    return field_names(load_schema(schema_path(paths, table)))


def read(paths: Paths, table: str, path: Path, problems: Collector, **how) -> Table:
    """The raw table ``table`` at ``path``, read by the columns of its raw schema (``how``: more of
    ``csvio.read_table``'s options)."""
    return read_table(path, columns(paths, table), problems, display=paths.rel(path), **how)


def check(paths: Paths, table: str, rows: Table, path: Path) -> list[Problem]:
    """The problems of a raw table as read against its raw schema, where a blank cell is empty."""
    return check_frame(
        rows, schema_path(paths, table), f"raw/{table}", paths.rel(path), blank_is_empty=True
    )


# A row drafted by `stopitnow-figures propose` starts its notes (a figure) or its reason (a
# not-figure) with this mark; the build refuses it, naming the columns left to fill, until a curator
# has finished the row and removed the mark.
DRAFT_MARK = "DRAFT"
DRAFT_COLUMN = {"figures": "notes", "not_figures": "reason"}


def is_draft(table: str, row) -> bool:
    return row[DRAFT_COLUMN[table]].startswith(DRAFT_MARK)


def empty_required(paths: Paths, table: str, row) -> list[str]:
    """The required columns of a raw row that are still empty."""
    schema = load_schema(schema_path(paths, table))
    return [
        f["name"]
        for f in schema["fields"]
        if f.get("constraints", {}).get("required") and not row[f["name"]].strip()
    ]
