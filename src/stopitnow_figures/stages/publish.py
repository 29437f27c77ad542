"""publish: the one writer of the published package.

Reads the whole candidate in build/package/ (tables, descriptor, provenance,
reports, charts), the checks' verdicts on it (build/package/verdicts/), the
article texts and params.yaml; checks that every check whose verdict it
relies on passed the candidate as it is now (``approval``: the quality report
and the reader view, each bound to the sha256 of the files it passed), that
the descriptor's hashes and bytes match the candidate's files and that every
numeric cell traces (the provenance gate, ``gate``); only then writes the
counts `dvc metrics show` prints (metrics.json), completes the descriptor with
a resource for every other file of the candidate (``descriptor.completed``:
the reports, charts, datasheet and reader pages, which did not exist when the
package stage wrote it) and moves the candidate into place as one unit
(``publishing.publish``): processed/, datapackage.json, CITATION.cff,
.zenodo.json and metrics.json change together or not at all.
"""

from __future__ import annotations

__all__ = ["main", "run"]  # what a command may call (tests/test_layout.py)

import json
import sys
from pathlib import Path

from ..publishing import approval, descriptor
from ..publishing.gate import check as gate_check
from ..publishing.swap import candidate_tables, mismatches, publish
from ..tables import config, vocab
from ..tables.csvio import atomic_write_text
from ..tables.errors import Collector, Problem
from ..tables.paths import Paths
from ..tables.sources import sha256_of


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    vocabulary = vocab.load(paths.schemas)
    hedges = config.read(paths, "params", problems).get("clean")
    digests: dict[str, tuple[int, str]] = {}
    tables = candidate_tables(paths, problems, digests)
    problems.raise_if_any()
    known = {paths.candidate.table(name): d for name, d in digests.items()}
    texts, text_digests = read_texts(paths, tables["sources"])
    validation = json.loads(paths.candidate.validation_report.read_text(encoding="utf-8"))

    # -- process -----------------------------------------------------------
    problems.extend(
        approval.refusals(
            paths, publishable(paths), {path: sha for path, (_, sha) in known.items()}
        )
    )
    problems.extend(
        [
            Problem(paths.rel(paths.candidate.datapackage), None, None, "hash-mismatch", None, m)
            for m in mismatches(paths.candidate, known)
        ]
    )
    untraced = gate_check(tables, texts, text_digests, hedges, vocabulary)
    problems.extend(
        [
            Problem(
                paths.rel(paths.candidate.table(u.resource)),
                u.row + 1,
                u.column,
                "untraced-cell",
                u.value,
                u.reason,
            )
            for u in untraced
        ]
    )
    problems.raise_if_any()
    metrics = package_metrics(vocabulary, tables, untraced, validation)

    # -- save outputs ------------------------------------------------------
    atomic_write_text(paths.candidate.metrics, json.dumps(metrics, indent=2) + "\n")
    publish(paths, {paths.candidate.datapackage: completed_descriptor(paths, known)})


def completed_descriptor(paths: Paths, known: dict) -> str:
    """The descriptor to publish: the package stage's, with a resource for every other file of the
    candidate (metrics.json included), each with its bytes and sha256 (``known``: the tables',
    already read). The candidate's own descriptor stays as the checks passed it."""
    tree = paths.candidate
    files = {
        p.relative_to(tree.base).as_posix(): known.get(p) or digest_of(p) for p in tree.files()
    }
    core = json.loads(tree.datapackage.read_text(encoding="utf-8"))
    return json.dumps(descriptor.completed(core, files), indent=2, ensure_ascii=False) + "\n"


def digest_of(path: Path) -> tuple[int, str]:
    return path.stat().st_size, approval.sha256_file(path)


def publishable(paths: Paths) -> list:
    """The candidate files the checks must have passed: all but metrics.json, which publish writes
    itself."""
    return [p for p in paths.candidate.files() if p != paths.candidate.metrics]


def package_metrics(vocabulary, tables: dict, untraced: list, validation: dict) -> dict:
    """The counts `dvc metrics show` prints: what the package holds, and what its checks found (the
    numeric mentions nothing accounts for and the untraced cells, which a package is published only
    without)."""
    in_conflict = vocabulary.names("quantities", "status").in_conflict
    verdicts = tables["claims"].column("verdict")
    return {
        "sources": len(tables["sources"]),
        "figures": len(tables["figures"]),
        "quantities": len(tables["quantities"]),
        "quantities_in_conflict": sum(
            s == in_conflict for s in tables["quantities"].column("status")
        ),
        "identities": len(tables["identities"]),
        "derived": len(tables["derived"]),
        "claims": {
            "total": len(verdicts),
            **{v: verdicts.count(v) for v in vocabulary.enum("claims", "verdict")},
        },
        "numeric_mentions": validation["mentions"]["numeric"],
        "numeric_mentions_unaccounted": validation["mentions"]["unaccounted"],
        "untraced_cells": len(untraced),
    }


def read_texts(paths: Paths, sources) -> tuple[dict[str, str], dict[str, str]]:
    """Each article's text as it is now (a text that changed will not match its hash in the gate)
    and its digest."""
    texts, digests = {}, {}
    inside = paths.raw_sources_dir.resolve()
    for r in sources:
        path = (paths.root / r["text_path"]).resolve()
        data = path.read_bytes() if path.is_relative_to(inside) and path.is_file() else b""
        digests[r["source_id"]] = sha256_of(data)
        texts[r["source_id"]] = data.decode("utf-8", errors="replace")
    return texts, digests


def main(argv: list[str] | None = None) -> int:
    from ..publishing.stage import run_stage

    return run_stage("publish", run, argv)


if __name__ == "__main__":
    sys.exit(main())
