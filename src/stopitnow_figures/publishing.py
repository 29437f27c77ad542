"""Publishing the candidate package as one unit, and recovering from a publish
that was interrupted.

The stages build the package in ``build/package/``; only ``publish`` changes
the published package (``processed/``, ``datapackage.json``, ``CITATION.cff``,
``.zenodo.json``), and only after every check has passed:

1. copy every file of the candidate into ``.publishing/files/`` (nothing
   published has changed yet; an interruption here is undone by deleting it);
2. write ``.publishing/MANIFEST.json`` atomically: from this instant the
   publish is decided, and an interruption is finished, not undone;
3. move each file into place by a rename, the descriptor last, then remove
   published files the candidate no longer has, then the manifest.

Between steps 2 and 3's end (a window of renames) ``datapackage.json`` may
disagree with the files beside it; ``recover`` closes the window, and every
command that reads the package (each stage, ``make repro``, ``release``,
``check``) calls it before anything else. The guarantee is about
interruption (a kill, a crash): the files are not flushed to disk one by one,
so a power cut inside the window can lose what the renames moved.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from .csvio import Table, WriteError, atomic_write_text
from .errors import Collector
from .paths import Paths, Tree

MANIFEST = "MANIFEST.json"


def publish(paths: Paths) -> list[str]:
    """Move the candidate package into place as one unit; return the published files (relative paths)."""
    recover(paths)
    candidate, published = paths.candidate, paths.published
    files = [p.relative_to(candidate.base) for p in candidate.files()]
    stage = paths.publishing
    try:
        shutil.rmtree(stage, ignore_errors=True)
        for rel in files:
            target = stage / "files" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(candidate.base / rel, target)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise WriteError(stage, exc.strerror or str(exc)) from None
    keep = {published.base / rel for rel in files}
    stale = [p.relative_to(published.base) for p in published.files() if p not in keep]
    manifest = {"publish": [str(r) for r in files], "remove": [str(r) for r in stale]}
    atomic_write_text(stage / MANIFEST, json.dumps(manifest, indent=1) + "\n")
    _finish(paths, manifest)
    return manifest["publish"]


def recover(paths: Paths) -> str | None:
    """Finish a publish whose manifest was written, or undo one whose was not; say which (None if there was none)."""
    stage = paths.publishing
    if not stage.exists():
        return None
    try:
        manifest = json.loads((stage / MANIFEST).read_text(encoding="utf-8"))
        manifest["publish"], manifest["remove"]  # noqa: B018 - both keys must be there
    except (OSError, ValueError, KeyError, TypeError):
        shutil.rmtree(stage, ignore_errors=True)
        return "undid a publish that was interrupted before it had changed anything"
    _finish(paths, manifest)
    return "finished a publish that was interrupted half-way"


def _finish(paths: Paths, manifest: dict) -> None:
    """The renames of step 3; each is done again harmlessly if the last attempt was cut short."""
    stage, root = paths.publishing, paths.published.base
    try:
        for rel in manifest["publish"]:
            staged = stage / "files" / rel
            if staged.exists():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, root / rel)
        for rel in manifest["remove"]:
            (root / rel).unlink(missing_ok=True)
        _remove_empty_folders(paths.published.processed)
        (stage / MANIFEST).unlink(missing_ok=True)
        shutil.rmtree(stage, ignore_errors=True)
    except OSError as exc:
        raise WriteError(root, exc.strerror or str(exc)) from None


def _remove_empty_folders(top: Path) -> None:
    for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):
            folder.rmdir()


def mismatches(tree: Tree) -> list[str]:
    """Where the descriptor's hashes and bytes disagree with the files beside it (empty when they agree)."""
    try:
        descriptor = json.loads(tree.datapackage.read_text(encoding="utf-8"))
        resources = descriptor["resources"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{tree.datapackage.name}: cannot be read ({exc})"]
    out = []
    for res in resources:
        path = tree.base / str(res.get("path", ""))
        if not res.get("path") or not path.is_file():
            out.append(f"{res.get('path')}: listed in datapackage.json but missing")
            continue
        data = path.read_bytes()
        if len(data) != res.get("bytes") or "sha256:" + hashlib.sha256(data).hexdigest() != res.get("hash"):
            out.append(f"{res['path']}: does not match its hash and bytes in datapackage.json")
    return out


# -- reading the candidate's tables ----------------------------------------------------------


def candidate_tables(paths: Paths, problems: Collector, digests: dict[str, tuple[int, str]] | None = None) -> dict[str, Table]:
    """The candidate's tables, each by its schema's columns: what ``schema.package_tables`` gives, with the same
    problems located the same way. ``digests``, where given, gets each table's bytes and sha256 as read."""
    from .paths import PUBLISHED_TABLES
    from .schema import field_names, load_schema

    tree, out = paths.candidate, {}
    for name in PUBLISHED_TABLES:
        path = tree.table(name)
        out[name] = read_pipeline_table(path, field_names(load_schema(paths.schema(name))), problems, paths.rel(path), digests, name)
    return out


def read_pipeline_table(
    path: Path, columns: list[str], problems: Collector, display: str, digests: dict | None = None, name: str = ""
) -> Table:
    """``csvio.read_table(..., written_by_pipeline=True)``: a large table that Arrow can take without a problem
    is read here; any other (small, or with something to report) by ``read_table`` itself."""
    from . import csvio

    try:
        data = path.read_bytes() if path.is_file() else None
    except OSError:
        data = None
    if data is not None and digests is not None:
        digests[name] = (len(data), hashlib.sha256(data).hexdigest())
    # (not data.strip() is an empty file, which read_table reports; the start of a large one shows it is not)
    if data and len(data) >= csvio.ARROW_MIN_BYTES and data[:4096].strip() and not _control_bytes(data):
        table = _read_arrow(data, columns)
        if table is not None:
            return table
    del data
    return csvio.read_table(path, columns, problems, display=display, written_by_pipeline=True)


_C0 = bytes([*range(0x09), *range(0x0B, 0x20), 0x7F])  # csvio's control characters below 0x80 (tab and newline allowed)


def _control_bytes(data: bytes, step: int = 1 << 24) -> bool:
    """Whether the bytes hold a control character (csvio's ``_CONTROL_BYTES``: C0 but tab and newline, DEL, and
    C1 as UTF-8), a slice at a time."""
    import re

    view = memoryview(data)
    if any(len(piece) != len(piece.translate(None, _C0)) for piece in (bytes(view[a : a + step]) for a in range(0, len(data), step))):
        return True
    return b"\xc2" in data and re.search(rb"\xc2[\x80-\x9f]", data) is not None


def _read_arrow(data: bytes, columns: list[str]) -> Table | None:
    """``csvio._read_arrow`` once the bytes are known to hold no control character: the table Arrow parses, or
    None wherever that reader would give None (the strict reader then finds and locates any problem)."""
    import csv

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    from .csvio import looks_like_formula

    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = data.find(b"\n", start)
    if end < 0:
        return None
    try:
        header = next(csv.reader([data[start:end].decode("utf-8")], strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    if len(set(header)) != len(header) or not set(header) <= set(columns) or set(columns) - set(header):
        return None
    body = memoryview(data)[end + 1 :]
    n_lines = data.count(b"\n", end + 1) + (1 if len(body) and not data.endswith(b"\n") else 0)
    try:
        table = pcsv.read_csv(
            pa.py_buffer(body),
            read_options=pcsv.ReadOptions(column_names=header, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_rows != n_lines:
        return None
    for h in header:
        col = table.column(h)
        if any(pc.any(pc.starts_with(col, ch)).as_py() for ch in ("=", "@", "\t")):
            return None
        signed = pc.filter(col, pc.or_(pc.starts_with(col, "+"), pc.starts_with(col, "-")))
        if any(looks_like_formula(c) for c in signed.to_pylist()):
            return None
    if header and pc.any(pc.equal(pc.utf8_trim_whitespace(table.column(header[0])), "")).as_py():
        return None
    return Table(header, {h: table.column(h) for h in header}, None, table.num_rows)
