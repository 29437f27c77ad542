"""What the checks passed: each checking stage's verdict on the candidate, bound to its bytes.

A stage whose verdict publish relies on (``STAGES``) records, when it passes,
the sha256 of every candidate file it checked and of every file it wrote
(``approve``), in ``build/package/verdicts/<stage>.json``; when it fails, or
stops before the end, the record says so (``withdraw``, called by
``stage.run_stage``). ``refusals`` is publish's reading of the records: a
candidate is published only when every record says "pass", every file a
record names still has the sha256 it had when checked, and every file to be
published is named by some record. So neither a candidate a check rejected
nor one changed since its checks ran can be published, whichever way publish
is started (``dvc repro -s publish``, ``python -m ...stages.publish``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..tables.csvio import WriteError, atomic_write_text
from ..tables.errors import Problem
from ..tables.paths import PUBLISHED_TABLES, Paths, Tree

# the checks publish relies on: the quality report over the assembled candidate, and the reader view
# built from it (a reader that failed leaves pages of an older candidate); publish runs its own gate
# itself
STAGES = ("report", "reader")
PASS, FAIL = "pass", "fail"


def built_by_package(tree: Tree) -> list[Path]:
    """The files the stages up to package build, which the report checks as one candidate: the
    tables, the validation report, the provenance graph, the database (with datasette's metadata)
    and the Parquet files, the descriptor and the citations."""
    return [
        *(tree.table(n) for n in PUBLISHED_TABLES),
        tree.validation_report,
        tree.provenance,
        tree.database,
        tree.database_metadata,
        *(tree.parquet(n) for n in PUBLISHED_TABLES),
        tree.datapackage,
        tree.citation,
        tree.zenodo,
        tree.license_data,
    ]


def digests(paths: Paths, files: list[Path]) -> dict[str, str]:
    """The sha256 of each of ``files`` (the candidate's own), by its path in the candidate: what a
    stage checked, taken as it reads them, or what it wrote."""
    base = paths.candidate.base
    return {p.relative_to(base).as_posix(): sha256_file(p) for p in sorted(set(files))}


def approve(paths: Paths, stage: str, checked: dict[str, str]) -> None:
    """Record that ``stage`` passed the candidate whose files had the sha256s ``checked`` (see
    ``digests``)."""
    record = {"stage": stage, "verdict": PASS, "files": dict(sorted(checked.items()))}
    atomic_write_text(paths.verdict(stage), json.dumps(record, indent=1) + "\n")


def withdraw(paths: Paths, stage: str) -> None:
    """Record that ``stage`` did not pass the candidate (it failed or stopped); never raises."""
    if stage not in STAGES:
        return
    record = {"stage": stage, "verdict": FAIL, "files": {}}
    try:
        atomic_write_text(paths.verdict(stage), json.dumps(record, indent=1) + "\n")
    except WriteError:
        try:
            paths.verdict(stage).unlink(
                missing_ok=True
            )  # no record is refused as surely as a failing one
        except OSError:
            pass


def refusals(
    paths: Paths, publishing: list[Path], known: dict[Path, str] | None = None
) -> list[Problem]:
    """Why the candidate may not be published (empty when every check passed it as it is now).
    ``publishing``: the candidate files publish would move into place; ``known``: sha256s already
    computed."""
    out, covered, known = [], set(), dict(known or {})
    for stage in STAGES:
        record, why = _read(paths.verdict(stage))
        if record is None or record["verdict"] != PASS:
            why = why or "its last run failed or stopped before the end"
            message = (
                f"the {stage} stage has not passed this candidate ({why}): run dvc repro and "
                "fix what it reports"
            )
            out.append(
                Problem(paths.rel(paths.verdict(stage)), None, None, "not-passed", None, message)
            )
            continue
        for rel, digest in sorted(record["files"].items()):
            path = paths.candidate.base / rel
            covered.add(path)
            now = known.get(path) or (sha256_file(path) if path.is_file() else None)
            if now != digest:
                how = "missing now" if now is None else "changed"
                out.append(_changed(paths, path, f"{how} since the {stage} stage checked it"))
    if not out:
        out += [
            _changed(paths, p, "no check passed it (it appeared after the checks ran)")
            for p in publishing
            if p not in covered
        ]
    return out


def _changed(paths: Paths, path: Path, how: str) -> Problem:
    message = (
        f"{how}; publish publishes only what every check passed: rebuild with dvc repro "
        "rather than editing build/package/"
    )
    return Problem(paths.rel(path), None, None, "not-as-checked", None, message)


def _read(path: Path) -> tuple[dict | None, str | None]:
    """A verdict record, or None and why it cannot be used."""
    if not path.is_file():
        return None, "there is no record of its verdict"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if record["verdict"] not in (PASS, FAIL) or not all(
            _inside(k) and isinstance(v, str) for k, v in record["files"].items()
        ):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, "its record cannot be read"
    return record, None


def _inside(rel: object) -> bool:
    """A path a record may name: relative, and inside the candidate."""
    return (
        isinstance(rel, str)
        and bool(rel)
        and not Path(rel).is_absolute()
        and ".." not in Path(rel).parts
    )


def sha256_file(path: Path, step: int = 1 << 24) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while piece := fh.read(step):
            digest.update(piece)
    return digest.hexdigest()
