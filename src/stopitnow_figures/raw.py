"""The hand-curated tables in raw/: their columns come from their schemas in
schemas/raw/ (what curators type, before the pipeline types it).
raw/reference/population.csv is published as it is, so its schema is the
published population schema."""

from __future__ import annotations

from .paths import Paths
from .schema import field_names, load_schema

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
)


def schema_path(paths: Paths, table: str):
    return paths.schemas / "raw" / f"{table}.schema.json"


def columns(paths: Paths, table: str) -> list[str]:
    """The header of a raw table, from its schema."""
    return field_names(load_schema(schema_path(paths, table)))
