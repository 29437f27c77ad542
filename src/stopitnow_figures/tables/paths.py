"""Every path the project uses, defined once.

Stages take a ``root`` so tests can run them on a temporary copy of the
repository; nothing else builds paths from strings.

The package has one layout (``Tree``) in two places: the published package
at the repository root, and the candidate that the stages build in
``build/package/``. Only the publish stage writes the published tree, by
moving the whole candidate in once every check of every stage has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


def unsafe_entry(path: Path) -> str | None:
    """Why an entry of raw/ is neither a file nor a folder the pipeline may read (a link to nothing,
    a device, a pipe or a socket), for an unsafe-path problem; None where it is one."""
    if path.is_symlink() and not path.exists():
        return "a link to nothing; remove it or restore what it points to"
    if path.exists() and not (path.is_file() or path.is_dir()):
        return "not a regular file (a device, a pipe or a socket)"
    return None


PUBLISHED_TABLES = (
    "sources",
    "geographies",
    "quantities",
    "identities",
    "series",
    "figures",
    "derived",
    "claims",
    "population",
)


@dataclass(frozen=True)
class Tree:
    """Where each file of a package lies below ``base``."""

    base: Path

    @property
    def processed(self) -> Path:
        return self.base / "processed"

    def table(self, name: str) -> Path:
        return self.processed / f"{name}.csv"

    @property
    def validation_report(self) -> Path:
        return self.processed / "validation.json"

    @property
    def provenance(self) -> Path:
        return self.processed / "provenance.json"

    @property
    def quality_json(self) -> Path:
        return self.processed / "quality.json"

    @property
    def quality_html(self) -> Path:
        return self.processed / "quality_report.html"

    @property
    def datasheet(self) -> Path:
        return self.processed / "datasheet.md"

    @property
    def charts(self) -> Path:
        return self.processed / "charts"

    @property
    def database(self) -> Path:
        """Every table in one SQLite database (``publishing.database``)."""
        return self.processed / "stopitnow-figures.sqlite"

    @property
    def database_metadata(self) -> Path:
        """Datasette's metadata.json for the database: titles, descriptions, licence, sources."""
        return self.processed / "metadata.json"

    def parquet(self, name: str) -> Path:
        """A table as a Parquet file, typed by its schema."""
        return self.processed / "parquet" / f"{name}.parquet"

    @property
    def datapackage(self) -> Path:
        return self.base / "datapackage.json"

    @property
    def citation(self) -> Path:
        return self.base / "CITATION.cff"

    @property
    def zenodo(self) -> Path:
        return self.base / ".zenodo.json"

    @property
    def license_data(self) -> Path:
        """The data licence, its publishers written from the published sources
        (package.yaml, license_data)."""
        return self.base / "LICENSE-DATA"

    @property
    def metrics(self) -> Path:
        """The counts `dvc metrics show` prints (written by publish)."""
        return self.base / "metrics.json"

    @property
    def reader(self) -> Path:
        return self.processed / "reader"

    @property
    def root_files(self) -> tuple[Path, ...]:
        """The package's files outside processed/, the descriptor last (it is published last)."""
        return (self.citation, self.zenodo, self.license_data, self.metrics, self.datapackage)

    def files(self) -> list[Path]:
        """Every file of the package that exists here, sorted, the descriptor last."""
        inner = (
            sorted(
                p for p in self.processed.rglob("*") if p.is_file() and not p.name.startswith(".")
            )
            if self.processed.is_dir()
            else []
        )
        return inner + [p for p in self.root_files if p.is_file()]


@dataclass(frozen=True)
class Paths:
    root: Path

    # raw: hand-curated, never written by a stage
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
    def raw_geographies(self) -> Path:
        return self.raw / "geographies.csv"

    @property
    def raw_quantities(self) -> Path:
        return self.raw / "quantities.csv"

    @property
    def raw_identities(self) -> Path:
        return self.raw / "identities.csv"

    @property
    def raw_period_readings(self) -> Path:
        return self.raw / "period_readings.csv"

    @property
    def raw_pages_not_added(self) -> Path:
        """Pages found and not added, with the reason (the datasheet lists them)."""
        return self.raw / "pages_not_added.csv"

    @property
    def raw_derivations(self) -> Path:
        return self.raw / "derivations.csv"

    @property
    def raw_claims(self) -> Path:
        return self.raw / "claims.csv"

    @property
    def raw_population(self) -> Path:
        return self.raw / "reference" / "population.csv"

    def source_text(self, source_id: str) -> Path:
        return self.raw_sources_dir / f"{source_id}.txt"

    # schemas: one Table Schema per published table, the vocabulary, the configuration schemas
    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    def schema(self, table: str) -> Path:
        return self.schemas / f"{table}.schema.json"

    def config_schema(self, name: str) -> Path:
        return self.schemas / "config" / f"{name}.schema.json"

    @property
    def params(self) -> Path:
        return self.root / "params.yaml"

    @property
    def package_meta(self) -> Path:
        return self.root / "package.yaml"

    @property
    def changelog(self) -> Path:
        return self.root / "CHANGELOG.md"

    @property
    def dvc_lock(self) -> Path:
        return self.root / "dvc.lock"

    # the package: published at the root, built as a candidate in build/package
    @property
    def published(self) -> Tree:
        return Tree(self.root)

    @property
    def candidate(self) -> Tree:
        return Tree(self.build / "package")

    def verdict(self, stage: str) -> Path:
        """A checking stage's record of its verdict on the candidate and the sha256 of each file it
        checked (beside the candidate, never published)."""
        return self.build / "package" / "verdicts" / f"{stage}.json"

    @property
    def publishing(self) -> Path:
        """The publish stage's staging folder: the candidate's bytes, then a manifest, then
        renames."""
        return self.root / ".publishing"

    @property
    def publish_lock(self) -> Path:
        """The file a publish holds an advisory lock on while it runs (outside ``publishing``, which
        it deletes)."""
        return self.root / ".publishing.lock"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    # build: the candidate package and failure reports; never published as such
    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def reconciled_quantities(self) -> Path:
        """The quantities as reconcile solves them, before derive adds why each one without a rate
        has none (derive writes the candidate's quantities table from it)."""
        return self.build / "reconcile" / "quantities.csv"

    @property
    def failure_report(self) -> Path:
        return self.build / "failures.json"

    def rel(self, path: Path) -> str:
        """A path as the messages show it: relative to the root where it lies inside it."""
        try:
            return str(Path(path).relative_to(self.root))
        except ValueError:
            return str(path)
