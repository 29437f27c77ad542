"""reader: the reader view, static HTML pages of the package in processed/reader/.

Reads the candidate's tables, the article texts, raw/figures.csv and
raw/not_figures.csv (what accounts for each numeric mention, found as clean
finds it), package.yaml and the candidate's descriptor (for citations).
Writes one page per article (its text exactly as in raw/sources/, every
figure's number marked at its offsets with a panel of what the package made
of it, every other numeric mention marked with what it is), a page of the
quantities and identities, one of the claims, one of the derived metrics and
reference rows, and an index. The pages load nothing (no scripts, no styles
or fonts from elsewhere), work with the keyboard alone, label every mark for
screen readers, and print. ``reader.page_of`` says where each id is shown.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

from .. import config, raw, reader, vocab
from ..csvio import atomic_write_chunks, read_table
from ..errors import Collector
from ..paths import Paths
from ..schema import package_tables


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    vocabulary = vocab.load(paths.schemas)
    meta = config.read(paths, "package", problems)
    tables = {name: [r.cells for r in t] for name, t in package_tables(paths, paths.candidate, problems).items()}
    figures_raw = read_table(paths.raw_figures, raw.columns(paths, "figures"), problems, display=paths.rel(paths.raw_figures))
    not_figures = read_table(paths.raw_not_figures, raw.columns(paths, "not_figures"), problems, display=paths.rel(paths.raw_not_figures))
    problems.raise_if_any()
    texts = {s["source_id"]: (paths.root / s["text_path"]).read_text(encoding="utf-8") for s in tables["sources"]}
    released = json.loads(paths.candidate.datapackage.read_text(encoding="utf-8"))["created"][:10]

    # -- process -----------------------------------------------------------
    from ..stages.clean import coverage

    accounted = coverage(paths, figures_raw, not_figures, texts)
    reasons = {f"{paths.rel(paths.raw_not_figures)}:{r.line}": r.cells for r in not_figures}
    view = reader.View(vocabulary, tables, meta, released)
    pages = {reader.INDEX: view.index(), reader.STYLE: view.style()}
    for s in tables["sources"]:
        marks = reader.marks_of(view, s["source_id"], texts[s["source_id"]], accounted[s["source_id"]], reasons)
        pages[reader.article_page(s["source_id"])] = view.article(s, texts[s["source_id"]], marks)
    pages.update({page: view.listing(page) for page in sorted(set(reader.PAGES.values()))})

    # -- save outputs ------------------------------------------------------
    write_pages(paths.candidate.reader, pages)


def write_pages(folder: Path, pages: dict[str, str | Iterable[str]]) -> None:
    """Write each page atomically (a text, or its pieces in order), then remove pages of the folder no longer
    written (an article removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, page in sorted(pages.items()):
        atomic_write_chunks(folder / name, [page] if isinstance(page, str) else page)
    for old in sorted(folder.iterdir()):
        if old.is_file() and old.name not in pages:
            old.unlink()


def main(argv: list[str] | None = None) -> int:
    from ..stage import run_stage

    return run_stage("reader", run, argv)


if __name__ == "__main__":
    sys.exit(main())
