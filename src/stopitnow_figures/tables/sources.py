"""Reading the article texts: each one's sha256 is checked before it is read,
and only regular files inside ``raw/sources/`` are ever read."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from . import raw
from .csvio import Table, read_table
from .errors import Collector
from .paths import Paths, unsafe_entry


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_sources(
    paths: Paths, problems: Collector, id_pattern: str
) -> tuple[Table, dict[str, str]]:
    """The raw source rows and, for each listed source whose hash matches, its text."""
    display = paths.rel(paths.raw_sources)
    rows = read_table(paths.raw_sources, raw.columns(paths, "sources"), problems, display=display)
    texts: dict[str, str] = {}
    for row in rows:
        text = _text_of(paths, row, display, problems, id_pattern)
        if text is not None:
            texts[row["source_id"]] = text
    if rows.complete:
        _unlisted(paths, {r["source_id"] for r in rows}, display, problems)
    return rows, texts


def _text_of(paths: Paths, row, display: str, problems: Collector, id_pattern: str) -> str | None:
    sid = row["source_id"]
    if not re.fullmatch(id_pattern, sid):
        problems.add("pattern", display, row.line, "source_id", sid, f"must match {id_pattern}")
        return None  # no path is built from it
    path = paths.source_text(sid)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        problems.add(
            "unsafe-path",
            paths.rel(path),
            None,
            None,
            None,
            "the article text must be a regular file, not a link or a folder",
        )
        return None
    if not path.exists():
        problems.add(
            "missing-source-file",
            display,
            row.line,
            "source_id",
            sid,
            f"no text file {paths.rel(path)}",
        )
        return None
    data = path.read_bytes()
    digest = sha256_of(data)
    if digest != row["sha256"]:
        message = (
            f"{paths.rel(path)} has sha256 {digest}; the text changed after its hash was recorded "
            "(restore it, or record the new hash with a reason)"
        )
        problems.add("source-hash-mismatch", display, row.line, "sha256", row["sha256"], message)
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(
            "not-utf8",
            paths.rel(path),
            None,
            None,
            None,
            f"byte {exc.start} is not UTF-8; save the file as UTF-8",
        )
        return None


def _unlisted(paths: Paths, listed: set[str], display: str, problems: Collector) -> None:
    if not paths.raw_sources_dir.is_dir():
        return
    for path in sorted(paths.raw_sources_dir.iterdir()):
        if path.suffix == ".txt" and path.stem not in listed:
            why = unsafe_entry(path)
            if why:
                problems.add("unsafe-path", paths.rel(path), None, None, path.name, why)
                continue
            message = f"the text is not listed in {display}; add a row or remove the file"
            problems.add("unlisted-source-file", paths.rel(path), None, None, path.name, message)


def read_text(path: Path) -> str:
    """An article text the pipeline has already checked, for the stages after clean."""
    return path.read_bytes().decode("utf-8")
