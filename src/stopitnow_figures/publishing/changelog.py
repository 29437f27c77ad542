"""CHANGELOG.md, as the package stage reads it: the date of a version, and the sources each version
added.

Every version in package.yaml has an entry headed ``## <version> - YYYY-MM-DD``
(its date is the package's ``created`` date unless SOURCE_DATE_EPOCH is set),
and every source the package holds is named by its id in the entry of the
version that added it, or an earlier one: a user reading the CHANGELOG learns
which articles each version brought.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..tables.errors import Collector, InputError, Problem

HEADING = re.compile(r"^## (\S+) - (\d{4}-\d{2}-\d{2})$", re.M)
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


@dataclass(frozen=True)
class Entry:
    version: str
    date: str
    line: int  # of its heading, from 1
    start: int  # offset of its heading in the text


def entries(text: str) -> list[Entry]:
    """The entries of a CHANGELOG, newest first, as written."""
    return [
        Entry(m[1], m[2], text.count("\n", 0, m.start()) + 1, m.start())
        for m in HEADING.finditer(text)
    ]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def entry_of(text: str, version: str, display: str = "CHANGELOG.md") -> Entry:
    """The entry of ``version``; a located problem where there is none."""
    found = next((e for e in entries(text) if e.version == version), None)
    if found is None:
        message = f"add a '## {version} - YYYY-MM-DD' heading for the version in package.yaml"
        raise InputError(
            [Problem(display, None, None, "missing-changelog-entry", version, message)]
        )
    return found


def check_sources_named(
    text: str, version: str, source_ids: list[str], display: str = "CHANGELOG.md"
) -> None:
    """Each source is named in the entry of ``version`` or an older one (all problems at once)."""
    entry = entry_of(text, version, display)
    named = set(WORD.findall(text, entry.start))
    missing = [s for s in source_ids if s not in named]
    if missing:
        message = (
            f"name each source the version adds in its entry (## {version}): the id as in "
            "raw/sources.csv"
        )
        raise InputError(
            [
                Problem(display, entry.line, None, "source-not-in-changelog", s, message)
                for s in missing
            ]
        )


def check(path: Path, version: str, source_ids: list[str], problems: Collector) -> None:
    """The CHANGELOG at ``path`` has an entry for ``version`` (package.yaml's), and it or an older
    one names every source by its id; each problem into ``problems``."""
    try:
        check_sources_named(read(path), version, source_ids)
    except InputError as exc:
        problems.extend(exc.problems)
