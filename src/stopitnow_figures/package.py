"""package: the Frictionless data package and its provenance graph.

Reads the published tables in processed/, the schemas, the article texts,
package.yaml, CHANGELOG.md and params.yaml; runs the provenance gate (see
``gate``); only if no cell is untraced, writes datapackage.json at the root,
processed/provenance.json (W3C PROV-JSON), and CITATION.cff and .zenodo.json
(see ``citation``). ``created`` is SOURCE_DATE_EPOCH if set, else the date of
the current version in CHANGELOG.md: never the clock.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from . import params as params_mod
from .citation import cff_text, zenodo_text
from .csvio import atomic_write_chunks, atomic_write_text, read_table
from .errors import Collector, InputError, Problem
from .gate import check as gate_check
from .paths import PUBLISHED_TABLES, Paths
from .provenance import chunks as provenance_chunks
from .schema import field_names, load_schema
from .sources import rel, sha256_of

FOREIGN_KEYS = {
    "figures": [{"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["source_id"]}}],
    "claims": [{"fields": ["figure_id"], "reference": {"resource": "figures", "fields": ["figure_id"]}}],
}
TITLES = {
    "sources": "The five articles: publisher, headline, address, publication dates and text hashes",
    "figures": "Every number the articles state, typed, with its hedge as an interval and its quote",
    "derived": "Derived metrics: changes, implied figures, shares, monthly rates and rates per 100,000",
    "claims": "The articles' claims about their own numbers, recomputed, with a verdict",
    "population": "Mid-year population estimates used for rates, each naming its publisher and table",
}


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    meta = params_mod.load(paths.package_meta)
    hedges = params_mod.load(paths.params)["clean"]
    tables = {}
    for name in PUBLISHED_TABLES:
        cols = field_names(load_schema(paths.schema(name)))
        tables[name] = read_table(paths.table(name), cols, problems, display=rel(paths, paths.table(name)), written_by_pipeline=True)
    problems.raise_if_any()
    texts, digests = {}, {}
    for r in tables["sources"]:
        data = (paths.root / r["text_path"]).read_bytes()
        digests[r["source_id"]] = sha256_of(data)
        texts[r["source_id"]] = data.decode("utf-8", errors="replace")

    # -- process -----------------------------------------------------------
    untraced = gate_check(tables, texts, digests, hedges)
    for table in tables.values():
        table.release()  # the gate's columns; the provenance graph reads fewer
    if untraced:
        raise InputError(
            [Problem(f"processed/{u.resource}.csv", u.row + 1, u.column, "untraced-cell", u.value, u.reason) for u in untraced]
        )
    version = meta["version"]
    created = created_date(paths, version)
    descriptor = build_descriptor(paths, meta, tables, created)
    cff = cff_text(meta, tables["sources"], created[:10])
    zenodo = zenodo_text(meta, tables["sources"], created[:10])

    # -- save outputs ------------------------------------------------------
    atomic_write_text(paths.citation, cff)
    atomic_write_text(paths.zenodo, zenodo)
    atomic_write_chunks(paths.provenance, provenance_chunks(tables))
    atomic_write_text(paths.datapackage, json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")


def created_date(paths: Paths, version: str) -> str:
    """SOURCE_DATE_EPOCH if set, else the CHANGELOG date of ``version``."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = (paths.root / "CHANGELOG.md").read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(version)} - (\d{{4}}-\d{{2}}-\d{{2}})$", text, re.M)
    if not m:
        raise InputError(
            [
                Problem(
                    "CHANGELOG.md",
                    None,
                    None,
                    "missing-changelog-entry",
                    version,
                    f"add a '## {version} - YYYY-MM-DD' heading for the version in package.yaml",
                )
            ]
        )
    return f"{m.group(1)}T00:00:00Z"


def build_descriptor(paths: Paths, meta: dict, tables: dict, created: str) -> dict:
    resources = []
    for name in PUBLISHED_TABLES:
        path = paths.table(name)
        data = path.read_bytes()
        schema = json.loads(paths.schema(name).read_text(encoding="utf-8"))
        schema.pop("foreignKeys", None)
        if name in FOREIGN_KEYS:
            schema["foreignKeys"] = FOREIGN_KEYS[name]
        resources.append(
            {
                "name": name,
                "title": TITLES[name],
                "path": f"processed/{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "schema": schema,
            }
        )
    sources = [
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
        key = (p["publisher"], p["table"])
        if key in seen:
            continue
        seen.add(key)
        src = {"title": f"{p['publisher']}: {p['table']}"}
        if p["url"]:
            src["path"] = p["url"]
        sources.append(src)
    return {
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"],
        "version": meta["version"],
        "created": created,
        "homepage": meta["homepage"],
        "keywords": meta["keywords"],
        "licenses": meta["licenses"],
        "contributors": meta["contributors"],
        "sources": sources,
        "resources": resources,
        "stopitnow:quotesNotice": meta["quotes_notice"],
        "stopitnow:releaseUrl": meta["release_url"].format(version=meta["version"]),
    }


def main(argv: list[str] | None = None) -> int:
    from .stage import run_stage

    return run_stage("package", run, argv)


if __name__ == "__main__":
    sys.exit(main())
