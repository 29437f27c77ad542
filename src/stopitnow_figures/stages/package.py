"""package: the Frictionless descriptor, the provenance graph and the citations
of the candidate package.

Reads the candidate's tables (build/package/processed/), the schemas,
package.yaml and CHANGELOG.md; writes the candidate's datapackage.json,
processed/provenance.json (W3C PROV-JSON), CITATION.cff and .zenodo.json (see
``citation``). Each resource's schema is its file in schemas/ as it is,
foreign keys included. ``created`` is SOURCE_DATE_EPOCH if set, else the date
of the current version in CHANGELOG.md: never the clock. The title,
description and resource titles of package.yaml are templates, filled from
the tables by ``prose`` (the counts, years, publishers and kinds of the
sources, and the rate base of params.yaml), and written so into every file
made here. The tables are also written as one SQLite database with datasette's
metadata.json beside it, and as a Parquet file each (``publishing.database``),
listed in the descriptor with their bytes and hash. The provenance gate runs in
``publish``, on the whole candidate.
"""

from __future__ import annotations

__all__ = ["main", "run"]  # what a command may call (tests/test_layout.py)

import hashlib
import json
import os
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..publishing import changelog, descriptor
from ..publishing import database as db
from ..publishing.approval import sha256_file
from ..publishing.descriptor import PROFILE
from ..publishing.provenance import chunks as provenance_chunks
from ..publishing.swap import FILES_PROPERTY, candidate_tables
from ..render import prose
from ..render.citation import cff_text, zenodo_text
from ..tables import config, vocab
from ..tables.csvio import atomic_write_bytes, atomic_write_chunks, atomic_write_text
from ..tables.errors import Collector
from ..tables.paths import PUBLISHED_TABLES, Paths
from ..tables.schema import load_schema


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    meta = config.read(paths, "package", problems)
    schemas = {name: load_schema(paths.schema(name)) for name in PUBLISHED_TABLES}
    rate_per = config.read(paths, "params", problems).get("derive", {}).get("rate_per")
    digests: dict[str, tuple[int, str]] = {}
    tables = candidate_tables(paths, problems, digests)
    problems.raise_if_any()
    changelog.check(
        paths.changelog, meta["version"], tables["sources"].column("source_id"), problems
    )
    problems.raise_if_any()

    # -- process -----------------------------------------------------------
    figures = tables["figures"]
    facts = prose.facts(
        tables["sources"],
        figures.arrow_or_list("period_start"),
        figures.arrow_or_list("period_end"),
        rate_per,
    )
    meta = prose.complete(meta, facts)
    created = created_date(paths, meta["version"])
    files = database_files(paths, meta, schemas, tables, prose.fields(facts))
    descriptor = build_descriptor(paths, meta, tables, digests, created)
    descriptor[FILES_PROPERTY] = file_resources(paths, files)
    cff = cff_text(meta, tables["sources"], created[:10])
    zenodo = zenodo_text(meta, tables["sources"], created[:10])

    # -- save outputs ------------------------------------------------------
    out = paths.candidate
    for path, data in files.items():
        if isinstance(data, Path):  # built in build/ (``database_files``): renamed into place
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(data, path)
        else:
            atomic_write_bytes(path, data)
    atomic_write_text(out.citation, cff)
    atomic_write_text(out.zenodo, zenodo)
    atomic_write_text(out.license_data, wrapped(meta["license_data"]))
    atomic_write_chunks(out.provenance, provenance_chunks(tables))
    atomic_write_text(out.datapackage, json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")


def created_date(paths: Paths, version: str) -> str:
    """SOURCE_DATE_EPOCH if set, else the CHANGELOG date of ``version`` (whose entry
    ``changelog.check`` has found)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{changelog.entry_of(changelog.read(paths.changelog), version).date}T00:00:00Z"


def build_descriptor(
    paths: Paths, meta: dict, tables: dict, digests: dict[str, tuple[int, str]], created: str
) -> dict:
    """datapackage.json: its profile, the metadata of package.yaml, the sources, and each table
    with its schema, hash and bytes (``digests``: each table's size and sha256, of the bytes its
    table was read from). ``publish`` adds the files the later stages write
    (``publishing.descriptor``). Each resource carries its licence (``descriptor.licensed``)."""
    out = {
        "$schema": PROFILE,
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"],
        "version": meta["version"],
        "created": created,
        # no address until a maintainer records one (package.yaml, published_at)
        **({"homepage": config.homepage(meta)} if config.homepage(meta) else {}),
        "keywords": meta["keywords"],
        "licenses": meta["licenses"],
        "contributors": meta["contributors"],
        "sources": sources_of(tables),
        "resources": [
            resource(paths, name, meta["resource_titles"][name], *digests[name])
            for name in PUBLISHED_TABLES
        ],
        descriptor.NOTICE: meta["quotes_notice"],
        **({"stopitnow:releaseUrl": config.release_url(meta)} if config.release_url(meta) else {}),
    }
    tables_quoting = descriptor.quoting(out["resources"])
    return out | {
        "resources": [descriptor.licensed(r, out, tables_quoting) for r in out["resources"]]
    }


def resource(paths: Paths, name: str, title: str, size: int, sha256: str) -> dict:
    return {
        "name": name,
        "title": title,
        "path": paths.published.table(name).relative_to(paths.root).as_posix(),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        # said outright, so that no reader guesses it (the JavaScript library sniffs one from the
        # first lines, and takes the "; " of a list inside a cell for the delimiter)
        "dialect": {"delimiter": ","},
        "bytes": size,
        "hash": "sha256:" + sha256,
        "schema": load_schema(paths.schema(name)),
    }


def wrapped(text: str, width: int = 79) -> str:
    """A plain-text file's paragraphs (blank-line separated) filled to ``width`` columns."""
    paras = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(textwrap.fill(p, width, break_on_hyphens=False) for p in paras) + "\n"


def database_files(
    paths: Paths, meta: dict, schemas: dict, tables: dict, fields: dict[str, str]
) -> dict[Path, bytes | Path]:
    """The candidate's SQLite database, datasette's metadata.json and a Parquet file per table, by
    their paths in the candidate: the bytes of the metadata, the database and the Parquet files as
    files built in build/ (their bytes are a good part of the tables' at scale, and are not held in
    memory too)."""
    out = paths.candidate
    building = paths.build / f"{out.database.name}.building"
    building.parent.mkdir(parents=True, exist_ok=True)
    source = f"{fields['sources']}: the sources table gives each one's publisher and address"
    metadata = db.datasette_metadata(
        meta,
        schemas,
        out.database.stem,
        source[0].upper() + source[1:],
        tables["population"],
        vocab.load(paths.schemas).database_notes,
    )
    parquet = {
        out.parquet(name): paths.build / f"{out.parquet(name).name}.building" for name in schemas
    }
    db.write_sqlite(building, typed_tables(tables, schemas, parquet), schemas)
    return {
        out.database: building,
        out.database_metadata: (json.dumps(metadata, indent=2, ensure_ascii=False) + "\n").encode(),
        **parquet,
    }


def typed_tables(tables: dict, schemas: dict, parquet: dict[Path, Path]) -> Iterator[tuple]:
    """Each table of ``schemas`` (in their order) typed by its schema, once, as the database loads
    it: written first as its Parquet file in build/ (``parquet``: the paths of the candidate's
    files, in the same order, to where each is built), so that only one typed table is held at a
    time."""
    for (name, schema), building in zip(schemas.items(), parquet.values(), strict=True):
        data = db.typed(tables[name], schema)
        db.write_parquet(building, data)
        yield name, data
        del data  # (before the next table is typed)


def file_resources(paths: Paths, files: dict[Path, bytes | Path]) -> list[dict]:
    """The descriptor's entry of each file that is not a table (``database_files``), listed under
    ``swap.FILES_PROPERTY``: its path in the published package, format, media type, bytes and
    sha256; named by its stem and format (``figures-parquet``), never a table's name."""
    out = []
    for path, data in files.items():
        fmt, mediatype = db.MEDIA_TYPES[path.suffix]
        out.append(
            {
                "name": f"{path.stem}-{fmt}",
                "path": path.relative_to(paths.candidate.base).as_posix(),
                "format": fmt,
                "mediatype": mediatype,
                "bytes": data.stat().st_size if isinstance(data, Path) else len(data),
                "hash": "sha256:"
                + (
                    sha256_file(data)
                    if isinstance(data, Path)
                    else hashlib.sha256(data).hexdigest()
                ),
            }
        )
    return out


def sources_of(tables: dict) -> list[dict]:
    """The articles, then each population table once."""
    out = [
        {
            "title": f"{s['publisher']}: {s['headline']}",
            "path": s["url"],
            "publisher": s["publisher"],
            "published": f"{s['published_earliest']}/{s['published_latest']} ({s['date_basis']})",
        }
        for s in tables["sources"]
    ]
    seen = set()
    for p in tables["population"]:
        if (p["publisher"], p["table"]) not in seen:
            seen.add((p["publisher"], p["table"]))
            out.append(
                {
                    "title": f"{p['publisher']}: {p['table']}",
                    **({"path": p["url"]} if p["url"] else {}),
                }
            )
    return out


def main(argv: list[str] | None = None) -> int:
    from ..publishing.stage import run_stage

    return run_stage("package", run, argv)


if __name__ == "__main__":
    sys.exit(main())
