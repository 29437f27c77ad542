"""Reading the article texts: each one's sha256 is checked before it is read."""

from __future__ import annotations

import hashlib

from . import raw
from .csvio import Row, read_table
from .errors import Collector
from .paths import Paths


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_sources(paths: Paths, problems: Collector) -> tuple[list[Row], dict[str, str]]:
    """The raw source rows and, for each listed source whose hash matches, its text."""
    display = rel(paths, paths.raw_sources)
    rows = read_table(paths.raw_sources, raw.SOURCES, problems, display=display)
    texts: dict[str, str] = {}
    listed = set()
    for row in rows:
        sid = row["source_id"]
        listed.add(sid)
        path = paths.source_text(sid)
        if not path.exists():
            problems.add("missing-source-file", display, row.line, "source_id", sid, f"no text file {rel(paths, path)}")
            continue
        data = path.read_bytes()
        digest = sha256_of(data)
        if digest != row["sha256"]:
            problems.add(
                "source-hash-mismatch",
                display,
                row.line,
                "sha256",
                row["sha256"],
                f"{rel(paths, path)} has sha256 {digest}; the text changed after its hash was recorded (restore it, or record the new hash with a reason)",
            )
            continue
        try:
            texts[sid] = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.add("not-utf8", rel(paths, path), None, None, None, f"byte {exc.start} is not UTF-8")
    if paths.raw_sources_dir.exists():
        for path in sorted(paths.raw_sources_dir.iterdir()):
            if path.suffix == ".txt" and path.stem not in listed:
                problems.add(
                    "unlisted-source-file",
                    rel(paths, path),
                    None,
                    None,
                    path.name,
                    f"the text is not listed in {display}; add a row or remove the file",
                )
    return rows, texts


def rel(paths: Paths, path) -> str:
    try:
        return str(path.relative_to(paths.root))
    except ValueError:
        return str(path)
