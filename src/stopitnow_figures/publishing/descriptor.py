"""The descriptor's profile, and the resources of the files that are not tables.

``datapackage.json`` names its profile with ``$schema`` (``PROFILE``: the Data Package 2.0
profile, the value the specification recommends). The package stage writes the descriptor with
the tables; the files the later stages write (the quality report, the datasheet, the charts, the
reader view, metrics.json) do not exist yet then, so ``publish``, once every check has passed,
completes it (``completed``): every other file of the candidate becomes a resource with its path,
media type, bytes and sha256 (``file_resource``), one resource per file, in order of path.

Two kinds of file are listed beside the resources, in the same form, under the descriptor's
``stopitnow:files`` (``OTHER_FILES``, the one list of them): a file whose path has a part starting
with "." (``.zenodo.json``), which the Data Package 2.0 profile's path pattern refuses (a hidden
file), and the SQLite database and Parquet files, which the package stage lists there itself
(frictionless reads a Parquet or SQLite resource as a table and refuses it).

One file cannot be listed at all: the descriptor itself (its own sha256 would have to be inside the
bytes it hashes). Nothing else holds the descriptor's hash: the reader view's JSON-LD names
datapackage.json by its address only, with no size or hash, so the pages can be listed with
theirs.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from ..tables.paths import Tree
from .swap import FILES_PROPERTY

# the Data Package 2.0 profile, as the specification's `$schema` property recommends it
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
# the media type of each kind of file the package publishes (IANA's registered types; YAML, for
# CITATION.cff, is application/yaml since RFC 9512)
MEDIA_TYPES = {
    ".css": "text/css",
    ".csv": "text/csv",
    ".cff": "application/yaml",
    ".db": "application/vnd.sqlite3",
    ".html": "text/html",
    ".json": "application/json",
    ".md": "text/markdown",
    ".parquet": "application/vnd.apache.parquet",
    ".png": "image/png",
    ".sqlite": "application/vnd.sqlite3",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
}
UNKNOWN_TYPE = "application/octet-stream"
PACKAGE_FOLDER = "processed/"
# where the files the profile's path pattern refuses as resources are listed
OTHER_FILES = FILES_PROPERTY  # the one list of the files beside the resources


def media_type(path: str | Path) -> str:
    """The media type of a published file, by its suffix."""
    return MEDIA_TYPES.get(PurePosixPath(str(path)).suffix.lower(), UNKNOWN_TYPE)


def resource_name(rel: str) -> str:
    """A file's resource name: its path below processed/ (or at the root) in lower case, each
    run of characters other than letters, digits, '_' and '.' a '-', and its suffix joined with
    a '-' ("charts/claims.svg" is charts-claims-svg, "figures.parquet" figures-parquet,
    ".zenodo.json" zenodo-json): never a table's name, which has no '-' and no suffix."""
    stem = rel.removeprefix(PACKAGE_FOLDER).lower().replace(".", "-")
    return re.sub(r"[^a-z0-9_]+", "-", stem).strip("-")


def file_resource(rel: str, size: int, sha256: str) -> dict:
    """The resource of a file that is not a table: name, path, format, media type, bytes and hash
    (``sha256:<hex>``, the spec's ``{algorithm}:{hash}`` form)."""
    return {
        "name": resource_name(rel),
        "path": rel,
        "format": PurePosixPath(rel).suffix.lstrip(".").lower(),
        "mediatype": media_type(rel),
        "bytes": size,
        "hash": "sha256:" + sha256,
    }


QUOTES = "stopitnow:quotesSources"  # a schema field's mark: its text is quoted from the sources
RIGHTS = "stopitnow:rights"  # a resource's notice that the sources' words in it are not licensed
NOTICE = "stopitnow:quotesNotice"  # the descriptor's notice, which RIGHTS repeats


def quoting(resources: list[dict]) -> set[str]:
    """The tables whose schema marks a field as quoted from the sources (``QUOTES``)."""
    return {
        r["name"]
        for r in resources
        if any(f.get(QUOTES) for f in r.get("schema", {}).get("fields", []))
    }


LAYOUT = Tree(Path())  # the package's layout, relative to its base (a resource's path is)


def _relative(path: Path) -> PurePosixPath:
    return PurePosixPath(path.as_posix())


def holds_quotes(rel: str, tables: set[str]) -> bool:
    """Whether a file shows the sources' words: a table of ``tables``, a page of the reader view
    (each article page shows its text; the others quote figures), the datasheet (its conflicts
    quote them), the database (every table) or the Parquet file of a table of ``tables``."""
    p = PurePosixPath(rel)
    return (
        (p.suffix == ".csv" and p.stem in tables)
        or (p.parent == _relative(LAYOUT.reader) and p.suffix == ".html")
        or p == _relative(LAYOUT.datasheet)
        or p.suffix == ".sqlite"
        or (p.suffix == ".parquet" and p.stem in tables)
    )


def licensed(res: dict, descriptor: dict, tables: set[str]) -> dict:
    """A resource with its own licence (the data licence, the descriptor's first) and, where it
    shows the sources' words (``holds_quotes``), the notice that those words are not the project's
    to license."""
    out = res | {"licenses": descriptor["licenses"][:1]}
    return out | ({RIGHTS: descriptor[NOTICE]} if holds_quotes(res["path"], tables) else {})


def completed(descriptor: dict, files: dict[str, tuple[int, str]]) -> dict:
    """``descriptor`` with a resource for each of ``files`` (path relative to the package root:
    its size and sha256) that no resource lists yet, in order of path, those the profile refuses
    as resources (``hidden``) under ``OTHER_FILES``; never the descriptor itself."""
    beside = descriptor.get(OTHER_FILES, [])
    listed = {r.get("path") for r in [*descriptor["resources"], *beside]}
    tables = quoting(descriptor["resources"])
    extra = [
        licensed(file_resource(rel, *files[rel]), descriptor, tables)
        for rel in sorted(files)
        if rel not in listed and rel != "datapackage.json"
    ]
    beside = [licensed(r, descriptor, tables) for r in beside]
    out = descriptor | {
        "resources": [*descriptor["resources"], *(r for r in extra if not hidden(r["path"]))]
    }
    others = [r for r in extra if hidden(r["path"])]
    return out | ({OTHER_FILES: [*beside, *others]} if beside or others else {})


def hidden(rel: str) -> bool:
    """Whether a path has a part starting with "." (which the profile refuses as a resource's)."""
    return any(part.startswith(".") for part in rel.split("/"))
