"""One error class for bad input, with a stable kebab-case type per rule.

Every problem names the file, the line a text editor shows, the column, the
value and the rule, so a curator can fix the raw table without reading code.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    type: str
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        col = f" column {self.column!r}" if self.column else ""
        val = "" if self.value is None else f" value {_short(self.value)!r}"
        return f"{where}: [{self.type}]{col}{val}: {self.message}"


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


class InputError(Exception):
    """Raised with every problem found, never just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=_sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def _sort_key(p: Problem) -> tuple:
    return (p.file, p.line or 0, p.column or "", p.type, p.value or "", p.message)


class Collector:
    """Gathers problems across a stage so all of them are reported in one run."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self,
        type: str,
        file: str | Path,
        line: int | None,
        column: str | None,
        value: object,
        message: str,
    ) -> None:
        self.problems.append(
            Problem(
                file=str(file),
                line=line,
                column=column,
                type=type,
                value=None if value is None else str(value),
                message=message,
            )
        )

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)


def write_failure_report(path: Path, stage: str, error: InputError) -> None:
    """Write the problems as JSON for programs; never into processed/."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"stage": stage, "problems": [asdict(p) for p in error.problems]}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
