"""reader: the reader view, static HTML pages of the package in processed/reader/.

Reads the candidate's tables, the article texts, raw/figures.csv and
raw/not_figures.csv (what accounts for each numeric mention, found by
``coverage`` as clean finds it), package.yaml and the candidate's descriptor
(for citations).
Writes one page per article (its text exactly as in raw/sources/, every
figure's number marked at its offsets with a panel of what the package made
of it, every other numeric mention marked with what it is), a page of the
quantities and identities, one of the claims, one of the derived metrics and
reference rows, and an index. The pages load nothing (no scripts, no styles
or fonts from elsewhere), work with the keyboard alone, label every mark for
screen readers, and print. ``pages.page_of`` says where each id is shown.

At a million figures: the tables are held by column, the raw rows by
article, and each page is written as soon as it is made and then freed (an
article's text and rows are read for its page alone); a listing page of more
rows than ``pages.PART_ROWS`` is written in parts.
The stage records its verdict with the sha256 of the candidate files it read and
the pages it wrote (``approval``): publish publishes no pages of another candidate.
"""

from __future__ import annotations

__all__ = ["main", "run"]  # what a command may call (tests/test_layout.py)

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..publishing import approval
from ..publishing.descriptor import media_type
from ..render import pages, prose
from ..tables import config, raw, vocab
from ..tables.csvio import Table, atomic_write_chunks, read_table
from ..tables.errors import Collector
from ..tables.paths import PUBLISHED_TABLES, Paths
from ..tables.schema import load_schema, read_package_table


def run(root: Path) -> None:
    paths = Paths(root)

    # -- load inputs -------------------------------------------------------
    read = [*(paths.candidate.table(n) for n in PUBLISHED_TABLES), paths.candidate.datapackage]
    checked = approval.digests(
        paths, [p for p in read if p.is_file()]
    )  # the candidate the pages are made of
    view, accounts = load(paths)

    # -- process and save outputs, a page at a time --------------------------
    written = write_pages(paths.candidate.reader, all_pages(paths, view, accounts))
    approval.approve(
        paths,
        "reader",
        checked | approval.digests(paths, [paths.candidate.reader / name for name in written]),
    )


def load(paths: Paths) -> tuple[pages.View, Accounts]:
    """The package as the pages show it, and the raw rows of each article; every problem with them
    reported together, before anything is made."""
    import numpy  # noqa: F401  (imported before the raw rows are read: see ByArticle.span)
    import pyarrow.compute  # noqa: F401

    problems = Collector()
    vocabulary = vocab.load(paths.schemas)
    meta = config.read(paths, "package", problems)
    # first, while nothing else is held: the strict reader holds every cell of raw/figures.csv as
    # Python text
    accounts = Accounts(
        paths,
        read_table(
            paths.raw_figures,
            raw.columns(paths, "figures"),
            problems,
            display=paths.rel(paths.raw_figures),
        ),
        read_table(
            paths.raw_not_figures,
            raw.columns(paths, "not_figures"),
            problems,
            display=paths.rel(paths.raw_not_figures),
        ),
    )
    tables = read_package(paths, problems)
    problems.raise_if_any()
    descriptor = json.loads(paths.candidate.datapackage.read_text(encoding="utf-8"))
    meta = prose.as_published(
        meta, descriptor
    )  # the title as the package stage wrote it from the data
    schemas = [(name, load_schema(paths.schema(name))) for name in PUBLISHED_TABLES]
    view = pages.View(
        vocabulary, tables, meta, descriptor["created"][:10], downloads(paths, descriptor), schemas
    )
    return view, accounts


def downloads(paths: Paths, descriptor: dict) -> list[tuple[str, str]]:
    """The data files the index's JSON-LD offers, each with its media type: the descriptor's
    resources, the descriptor itself and the other files the package stage writes (provenance,
    citations), in order of path. The pages and reports are views of these, not data."""
    tree = paths.candidate
    found = {r["path"]: r.get("mediatype") for r in descriptor["resources"]}
    for p in approval.built_by_package(tree):
        found.setdefault(p.relative_to(tree.base).as_posix(), None)
    return [(path, media or media_type(path)) for path, media in sorted(found.items())]


def read_package(paths: Paths, problems: Collector) -> dict[str, pages.Columns]:
    """The candidate's tables, each read by its schema as ``schema.package_tables`` reads them, but
    one at a time, the largest first, and only the columns the pages show kept of each: at a million
    figures the tables whole, beside the text of the largest while it is parsed, would not fit in
    memory."""

    import pyarrow as pa

    def size(name: str) -> int:
        path = paths.candidate.table(name)
        return path.stat().st_size if path.is_file() else 0

    out = {}
    for name in sorted(PUBLISHED_TABLES, key=size, reverse=True):
        table = read_package_table(paths, paths.candidate.table(name), name, problems)
        out[name] = pages.Columns(table, pages.SHOWN.get(name, table.names))
        del table
        # what parsing it took, for the next table to have
        pa.default_memory_pool().release_unused()
    return {name: out[name] for name in PUBLISHED_TABLES}


class Accounts:
    """What accounts for each numeric mention of an article, found by ``coverage`` (as clean finds
    it) from that article's rows of raw/figures.csv and raw/not_figures.csv alone (the same, row for
    row, as from all of them)."""

    FIGURE_COLUMNS = (
        "figure_id",
        "source_id",
        "quote",
        "as_written",
        "period",
    )  # what coverage reads of a figure

    def __init__(self, paths: Paths, figures: Table, not_figures: Table) -> None:
        self.paths, self.display = paths, paths.rel(paths.raw_not_figures)
        self.figures = ByArticle(figures, self.FIGURE_COLUMNS)
        self.not_figures = ByArticle(not_figures, not_figures.names)

    def of(self, source_id: str, text: str) -> tuple[list, dict[str, dict]]:
        """The article's mentions paired with what accounts for them, and its not-figure rows by
        their place."""
        from ..model.coverage import coverage

        not_figures = self.not_figures.table(source_id)
        accounted = coverage(
            self.paths, self.figures.table(source_id), not_figures, {source_id: text}
        )[source_id]
        return accounted, {f"{self.display}:{r.line}": r.cells for r in not_figures}


class ByArticle:
    """The rows of a raw table by article (source_id), held by column in Arrow (a fraction of the
    memory of Python text), in table order within each article, with their lines."""

    def __init__(self, table: Table, names: Iterable[str]) -> None:
        import numpy as np
        import pyarrow as pa

        self.names = list(names)
        rows: dict[str, list[int]] = {}
        for i, sid in enumerate(table.column("source_id")):
            rows.setdefault(sid, []).append(i)
        order = np.fromiter(
            (i for held in rows.values() for i in held), dtype=np.int64, count=len(table)
        )
        ends = np.cumsum([0] + [len(held) for held in rows.values()], dtype=np.int64)
        del rows
        self.t = pa.table(
            {n: pa.array(table.column(n), pa.string()).take(order) for n in self.names}
        )
        self.lines = pa.array(table.lines, pa.int64()).take(order)
        self.ends, self._span = ends, None

    @property
    def span(self) -> dict[str, tuple[int, int]]:
        """The rows of each article: made when first asked for, once the table read is gone (a
        Python object made while it is held lands among its cells, and keeps their memory from being
        given back)."""
        if self._span is None:
            sids = self.t.column("source_id").take(self.ends[:-1]).to_pylist()
            self._span = dict(
                zip(
                    sids,
                    zip(self.ends[:-1].tolist(), self.ends[1:].tolist(), strict=True),
                    strict=True,
                )
            )
        return self._span

    def table(self, source_id: str) -> Table:
        """The article's rows as a table (none where it has none)."""
        a, b = self.span.get(source_id, (0, 0))
        part = self.t.slice(a, b - a)
        return Table(
            self.names,
            {n: part.column(n).to_pylist() for n in self.names},
            self.lines[a:b].to_pylist(),
        )


def all_pages(
    paths: Paths, view: pages.View, accounts: Accounts
) -> Iterator[tuple[str, str | Iterable[str]]]:
    """Every page, made as it is asked for: the index and style sheet, each article (its text read
    for it alone), then the listing pages and the series."""
    yield pages.INDEX, view.index()
    yield pages.STYLE, view.style()
    for k, s in enumerate(view.sources):
        text = (paths.root / s["text_path"]).read_text(encoding="utf-8")
        accounted, reasons = accounts.of(s["source_id"], text)
        yield pages.article_page(s["source_id"]), view.article(k, text, accounted, reasons)
    yield from view.listings()
    yield pages.PAGES["series"], view.series_page()
    yield pages.PAGES["conflict"], view.conflicts_page()
    yield pages.DICTIONARY, view.dictionary_page()


def write_pages(folder: Path, pages: Iterable[tuple[str, str | Iterable[str]]]) -> list[str]:
    """Write each page atomically as it comes (a text, or its pieces in order), then remove pages of
    the folder no longer written (an article removed); the names of the pages written, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for name, page in pages:
        atomic_write_chunks(folder / name, [page] if isinstance(page, str) else page)
        written.append(name)
    for old in sorted(folder.iterdir()):
        if old.is_file() and old.name not in set(written):
            old.unlink()
    return written


def main(argv: list[str] | None = None) -> int:
    from ..publishing.stage import run_stage

    return run_stage("reader", run, argv)


if __name__ == "__main__":
    sys.exit(main())
