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

from .csvio import atomic_write_text, format_number, format_numbers, read_table
from .errors import Collector, Problem
from .paths import Paths
from .schema import check_frame, columns_of, field_names, load_schema
from .sources import rel, sha256_of


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    tables = {}
    for name in ("sources", "figures"):
        cols = field_names(load_schema(paths.schema(name)))
        tables[name] = read_table(paths.table(name), cols, problems, display=rel(paths, paths.table(name)), written_by_pipeline=True)
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
    figures = tables["figures"]
    problems.extend(
        check_tables(
            paths,
            tables["sources"],
            figures,
            texts,
            figure_lines=figures.lines,
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


def check_tables(paths: Paths, sources, figures, texts: dict[str, str], *, figure_lines: list[int], figure_display: str) -> list[Problem]:
    """All checks of the sources and figures tables; problems located in ``figure_display``.

    Each table is a Table or a mapping of name to column (see ``schema.frame``).
    """
    out: list[Problem] = []
    sdisplay = rel(paths, paths.table("sources"))
    out += check_frame(sources, paths.schema("sources"), "sources", sdisplay)
    out += check_frame(figures, paths.schema("figures"), "figures", figure_display, lines=figure_lines)
    source_cols, _ = columns_of(sources, ["source_id", "published_latest"])
    latest = dict(zip(_text(source_cols["source_id"]), _text(source_cols["published_latest"]), strict=True))
    cols, _ = columns_of(figures, ["source_id", "quote", "char_start", "char_end", "period_end"])
    sids, quotes, ends = _text(cols["source_id"]), _text(cols["quote"]), _text(cols["period_end"])
    starts, stops = _ints(cols["char_start"]), _ints(cols["char_end"])
    for i, sid in enumerate(sids):
        line = figure_lines[i]
        if sid not in latest:
            out.append(Problem(figure_display, line, "source_id", "unknown-id", sid, "no source has this id (foreign key to sources)"))
            continue
        a, b = starts[i], stops[i]
        if a is None or b is None:
            continue  # reported as a type error
        text = texts.get(sid)
        if text is not None and text[a:b] != quotes[i]:
            out.append(
                Problem(
                    figure_display,
                    line,
                    "char_start",
                    "quote-not-at-offsets",
                    format_number(a),
                    f"the text at [{a}:{b}] of {sid} is not the quote",
                )
            )
        end = ends[i]
        if end and latest[sid] and end > latest[sid]:
            out.append(
                Problem(
                    figure_display,
                    line,
                    "period_end",
                    "period-after-publication",
                    end,
                    f"ends after the article's latest publication date {latest[sid]}",
                )
            )
    return out


def _text(col) -> list[str]:
    """A column as text cells, whatever it is held as."""
    if isinstance(col, list):
        return col
    if hasattr(col, "to_pylist"):
        return col.to_pylist()
    return format_numbers(col)


def _ints(col) -> list[int | None]:
    """A column of whole numbers; None where empty or not a whole number."""
    if isinstance(col, list) or hasattr(col, "to_pylist"):
        out = []
        for c in _text(col):
            try:
                out.append(int(c))
            except ValueError:
                out.append(None)
        return out
    return [None if v != v or v % 1 else int(v) for v in col.tolist()]


def main(argv: list[str] | None = None) -> int:
    from .stage import run_stage

    return run_stage("validate", run, argv)


if __name__ == "__main__":
    sys.exit(main())
