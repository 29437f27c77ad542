"""The checks of the cleaned tables: the pandera checks built from schemas/
(types, required, unique, enum, pattern, range, primary key, and the row
rules a Table Schema cannot say) plus the rules across tables:

- each figure's source_id is a known source (the foreign key);
- each quote is the text at its offsets in its source (whose sha256 matches);
- no period ends after its source's latest publication date.

The clean stage runs them on what it is about to write, in the same process
as its own checks, so that every problem of a run comes out at once and a
failure never reaches a file (see ``stages/clean``). ``check`` runs them too.
"""

from __future__ import annotations

from .characters import escaped
from .csvio import format_number, format_numbers
from .errors import Problem
from .paths import Paths
from .schema import check_frame, columns_of
from .vocab import Vocabulary

CROSS_RULES = ["quote-at-offsets", "foreign-key source_id", "period-after-publication"]
RULES = ["table-schema (types, required, unique, enum, pattern, range, primary key)", *CROSS_RULES]


def check_tables(
    paths: Paths,
    vocabulary: Vocabulary,
    sources,
    figures,
    texts: dict[str, str],
    *,
    figure_lines: list[int],
    figure_display: str,
    source_lines: list[int] | None = None,
) -> list[Problem]:
    """All checks of the sources and figures tables; figure problems located in ``figure_display``,
    source problems at ``source_lines`` (the raw lines, where the rows are in another order).

    Each table is a Table or a mapping of name to column (see ``schema.Columns``).
    """
    out: list[Problem] = []
    sdisplay = paths.rel(paths.raw_sources)
    out += check_frame(
        sources,
        paths.schema("sources"),
        "sources",
        sdisplay,
        lines=source_lines,
        vocabulary=vocabulary,
    )
    out += check_frame(
        figures,
        paths.schema("figures"),
        "figures",
        figure_display,
        lines=figure_lines,
        vocabulary=vocabulary,
    )
    source_cols, _ = columns_of(sources, ["source_id", "published_latest"])
    latest = dict(
        zip(_text(source_cols["source_id"]), _text(source_cols["published_latest"]), strict=True)
    )
    cols, _ = columns_of(figures, ["source_id", "quote", "char_start", "char_end", "period_end"])
    rows = zip(
        _text(cols["source_id"]),
        _text(cols["quote"]),
        _ints(cols["char_start"]),
        _ints(cols["char_end"]),
        _text(cols["period_end"]),
        figure_lines,
        strict=True,
    )
    for sid, quote, a, b, end, line in rows:
        out += _cross_checks(sid, quote, a, b, end, line, latest, texts, figure_display)
    return out


def _cross_checks(sid, quote, a, b, end, line, latest, texts, display) -> list[Problem]:
    if sid not in latest:
        return [
            Problem(
                display,
                line,
                "source_id",
                "unknown-id",
                sid,
                "no source has this id (foreign key to sources)",
            )
        ]
    out = []
    text = texts.get(sid)
    if a is not None and b is not None and text is not None and text[a:b] != quote:
        out.append(
            Problem(
                display,
                line,
                "char_start",
                "quote-not-at-offsets",
                format_number(a),
                f"the text at [{a}:{b}] of {sid} is not the quote",
            )
        )
    if end and latest[sid] and end > latest[sid]:
        out.append(
            Problem(
                display,
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
    return format_numbers(col).to_pylist()


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


def validate_published(
    paths: Paths, vocabulary: Vocabulary, tree=None, names: tuple[str, ...] | None = None
) -> list[Problem]:
    """The checks of a package's tables as written (the published package by default, every table
    unless ``names`` are given): what a hand edit of processed/ would break, located in the file
    edited. The sources and figures tables get the rules across tables too (quotes at their offsets,
    the foreign key)."""
    from .errors import Collector
    from .paths import PUBLISHED_TABLES
    from .schema import read_package_table
    from .sources import read_text

    tree, names = tree or paths.published, names or PUBLISHED_TABLES
    problems = Collector()
    wanted = set(names) | ({"sources"} if "figures" in names else set())
    tables = {n: read_package_table(paths, tree.table(n), n, problems) for n in wanted}
    if problems:
        return problems.problems
    out = []
    if "figures" in tables:
        texts = {
            r["source_id"]: read_text(paths.source_text(r["source_id"]))
            for r in tables["sources"]
            if paths.source_text(r["source_id"]).is_file()
        }
        figures = tables["figures"]
        out += check_tables(
            paths,
            vocabulary,
            tables["sources"],
            figures,
            texts,
            figure_lines=figures.lines,
            figure_display=paths.rel(tree.table("figures")),
        )
    for name in sorted(set(names) - {"figures"} - ({"sources"} if "figures" in names else set())):
        out += check_frame(
            tables[name],
            paths.schema(name),
            name,
            paths.rel(tree.table(name)),
            vocabulary=vocabulary,
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Validate a package's tables as written: ``python -m stopitnow_figures.tables.validation [ROOT
    [TABLE ...]]``."""
    import sys
    from pathlib import Path

    from . import vocab

    args = sys.argv[1:] if argv is None else argv
    paths = Paths(Path(args[0]) if args else Path.cwd())
    problems = validate_published(paths, vocab.load(paths.schemas), names=tuple(args[1:]) or None)
    for p in problems:
        print(escaped(str(p)), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
