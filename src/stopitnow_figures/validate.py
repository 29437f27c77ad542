"""validate: the pandera checks of every cleaned table, built from schemas/,
plus the cross-row rules a Table Schema cannot express:

- each quote is the text at its offsets in its source (whose sha256 matches);
- each figure's source_id is a known source (the foreign key);
- no period ends after its source's latest publication date.

Validation is lazy: every failure is reported in one run. The clean stage
runs the same checks before it writes, so a failure never reaches processed/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .csvio import atomic_write_text, format_number, read_table
from .errors import Collector, Problem
from .paths import Paths
from .schema import check_frame, field_names, load_schema
from .sources import rel, sha256_of


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    tables = {}
    for name in ("sources", "figures"):
        cols = field_names(load_schema(paths.schema(name)))
        tables[name] = read_table(paths.table(name), cols, problems, display=rel(paths, paths.table(name)))
    problems.raise_if_any()
    texts = {}
    for row in tables["sources"]:
        path = paths.root / row["text_path"]
        data = path.read_bytes() if path.exists() else b""
        if sha256_of(data) != row["sha256"]:
            problems.add(
                "source-hash-mismatch",
                rel(paths, paths.table("sources")),
                row.line,
                "sha256",
                row["sha256"],
                f"{row['text_path']} does not match its recorded sha256",
            )
            continue
        texts[row["source_id"]] = data.decode("utf-8")

    # -- process -----------------------------------------------------------
    problems.extend(
        check_tables(
            paths,
            [r.cells for r in tables["sources"]],
            [r.cells for r in tables["figures"]],
            texts,
            figure_lines=[r.line for r in tables["figures"]],
            figure_display=rel(paths, paths.table("figures")),
        )
    )
    problems.raise_if_any()

    # -- save outputs ------------------------------------------------------
    report = {
        "tables": {name: {"rows": len(rows), "schema": rel(paths, paths.schema(name))} for name, rows in tables.items()},
        "rules": ["table-schema (types, required, unique, enum, pattern, range, primary key)", *CROSS_RULES],
        "problems": [],
        "valid": True,
    }
    atomic_write_text(paths.validation_report, json.dumps(report, indent=2) + "\n")


CROSS_RULES = ["quote-at-offsets", "foreign-key source_id", "period-after-publication"]


def check_tables(
    paths: Paths, sources: list[dict], figures: list[dict], texts: dict[str, str], *, figure_lines: list[int], figure_display: str
) -> list[Problem]:
    """All checks of the sources and figures tables; problems located in ``figure_display``."""
    out: list[Problem] = []
    sdisplay = rel(paths, paths.table("sources"))
    out += check_frame([{k: _cell(v) for k, v in r.items()} for r in sources], paths.schema("sources"), "sources", sdisplay)
    rows = [{k: _cell(v) for k, v in r.items()} for r in figures]
    out += check_frame(rows, paths.schema("figures"), "figures", figure_display, lines=figure_lines)
    latest = {s["source_id"]: _cell(s["published_latest"]) for s in sources}
    for row, line in zip(rows, figure_lines, strict=False):
        sid = row["source_id"]
        if sid not in latest:
            out.append(Problem(figure_display, line, "source_id", "unknown-id", sid, "no source has this id (foreign key to sources)"))
            continue
        text = texts.get(sid)
        try:
            a, b = int(row["char_start"]), int(row["char_end"])
        except ValueError:
            continue  # reported as a type error
        if text is not None and text[a:b] != row["quote"]:
            out.append(
                Problem(
                    figure_display,
                    line,
                    "char_start",
                    "quote-not-at-offsets",
                    row["char_start"],
                    f"the text at [{a}:{b}] of {sid} is not the quote",
                )
            )
        if row["period_end"] and latest[sid] and row["period_end"] > latest[sid]:
            out.append(
                Problem(
                    figure_display,
                    line,
                    "period_end",
                    "period-after-publication",
                    row["period_end"],
                    f"ends after the article's latest publication date {latest[sid]}",
                )
            )
    return out


def _cell(v) -> str:
    if type(v) is str:
        return v
    if v is None:
        return ""
    return format_number(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def main(argv: list[str] | None = None) -> int:
    from .stage import run_stage

    return run_stage("validate", run, argv)


if __name__ == "__main__":
    sys.exit(main())
