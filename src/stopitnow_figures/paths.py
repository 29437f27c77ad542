"""Every path the project uses, defined once.

Stages take a ``root`` so tests can run them on a temporary copy of the
repository; nothing else builds paths from strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Paths:
    root: Path

    # raw: hand-curated, never written by code
    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def raw_sources_dir(self) -> Path:
        return self.raw / "sources"

    @property
    def raw_sources(self) -> Path:
        return self.raw / "sources.csv"

    @property
    def raw_figures(self) -> Path:
        return self.raw / "figures.csv"

    @property
    def raw_not_figures(self) -> Path:
        return self.raw / "not_figures.csv"

    @property
    def raw_places(self) -> Path:
        return self.raw / "places.csv"

    @property
    def raw_period_readings(self) -> Path:
        return self.raw / "period_readings.csv"

    @property
    def raw_derivations(self) -> Path:
        return self.raw / "derivations.csv"

    @property
    def raw_claims(self) -> Path:
        return self.raw / "claims.csv"

    @property
    def raw_population(self) -> Path:
        return self.raw / "reference" / "population.csv"

    # schemas: one Table Schema per published table
    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    def schema(self, table: str) -> Path:
        return self.schemas / f"{table}.schema.json"

    # processed: everything the pipeline publishes
    @property
    def processed(self) -> Path:
        return self.root / "processed"

    def table(self, name: str) -> Path:
        return self.processed / f"{name}.csv"

    @property
    def validation_report(self) -> Path:
        return self.processed / "validation.json"

    @property
    def provenance(self) -> Path:
        return self.processed / "provenance.json"

    @property
    def datapackage(self) -> Path:
        return self.root / "datapackage.json"

    @property
    def citation(self) -> Path:
        return self.root / "CITATION.cff"

    @property
    def zenodo(self) -> Path:
        return self.root / ".zenodo.json"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def params(self) -> Path:
        return self.root / "params.yaml"

    @property
    def package_meta(self) -> Path:
        return self.root / "package.yaml"

    # build: scratch space for failure reports; never published
    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def failure_report(self) -> Path:
        return self.build / "failures.json"

    def source_text(self, source_id: str) -> Path:
        return self.raw_sources_dir / f"{source_id}.txt"


PUBLISHED_TABLES = ("sources", "figures", "derived", "claims", "population")
