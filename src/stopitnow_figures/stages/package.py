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
made here. The provenance gate runs in ``publish``, on the whole candidate.
"""

from __future__ import annotations

__all__ = ["main", "run"]  # what a command may call (tests/test_layout.py)

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from ..publishing import changelog
from ..publishing.descriptor import PROFILE
from ..publishing.provenance import chunks as provenance_chunks
from ..publishing.swap import candidate_tables
from ..render import prose
from ..render.citation import cff_text, zenodo_text
from ..tables import config
from ..tables.csvio import atomic_write_chunks, atomic_write_text
from ..tables.errors import Collector
from ..tables.paths import PUBLISHED_TABLES, Paths
from ..tables.schema import load_schema


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    meta = config.read(paths, "package", problems)
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
    meta = prose.complete(
        meta,
        prose.facts(
            tables["sources"],
            figures.arrow_or_list("period_start"),
            figures.arrow_or_list("period_end"),
            rate_per,
        ),
    )
    created = created_date(paths, meta["version"])
    descriptor = build_descriptor(paths, meta, tables, digests, created)
    cff = cff_text(meta, tables["sources"], created[:10])
    zenodo = zenodo_text(meta, tables["sources"], created[:10])

    # -- save outputs ------------------------------------------------------
    out = paths.candidate
    atomic_write_text(out.citation, cff)
    atomic_write_text(out.zenodo, zenodo)
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
    (``publishing.descriptor``)."""
    return {
        "$schema": PROFILE,
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"],
        "version": meta["version"],
        "created": created,
        "homepage": meta["homepage"],
        "keywords": meta["keywords"],
        "licenses": meta["licenses"],
        "contributors": meta["contributors"],
        "sources": sources_of(tables),
        "resources": [
            resource(paths, name, meta["resource_titles"][name], *digests[name])
            for name in PUBLISHED_TABLES
        ],
        "stopitnow:quotesNotice": meta["quotes_notice"],
        "stopitnow:releaseUrl": meta["release_url"].format(version=meta["version"]),
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
