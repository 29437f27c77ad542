"""How close `propose` comes to the curators: run its drafting on each article with all of that
article's rows removed (the five articles of raw/, against their curated rows; the test articles
tests/articles/propose-*.txt, against their hand-written expected files) and compare. Prints, per
article and overall:

- figures: the curated figures; "as written": the share of them drafted as a figure with the same
  number as written and the same hedge (target: at least 90 per cent);
- drafted, false: the drafted figure rows, and the share of them that are no curated figure (target:
  at most 5 per cent);
- not-figs, drafted: the curated not-figure rows, and the share whose mentions are all drafted as
  not-figure rows of the same category;
- periods: of the curated figures with period words, the share drafted with those period words;
- relations: of the curated shares, percentage changes and multiples, the share drafted with that
  measure;
- open: the mentions that the drafts, finished as drafted, would leave unaccounted (each is a
  problem the curator gets from `check`).

The curated hedge of a real article's figure is read from its number as written (the vocabulary's
hedge words); a test article's is written by hand in its expected file.
Usage: python bench/propose.py
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stopitnow_figures.curator import draft_rows  # noqa: E402
from stopitnow_figures.model.mentions import find_mentions, mention_positions  # noqa: E402
from stopitnow_figures.model.values import find_number  # noqa: E402
from stopitnow_figures.tables import raw, vocab  # noqa: E402
from stopitnow_figures.tables.csvio import Table  # noqa: E402
from stopitnow_figures.tables.errors import Collector  # noqa: E402
from stopitnow_figures.tables.paths import Paths  # noqa: E402

ARTICLES = ROOT / "tests" / "articles"
TARGET_AS_WRITTEN = (
    0.90  # at least this share of curated figures drafted as written with their hedge
)
TARGET_FALSE = 0.05  # at most this share of drafted figure rows that are no curated figure


@dataclass
class Expected:
    """An article's curated rows: figures (context, as_written, hedge, measure, period) and
    not-figures (context, text, category)."""

    figures: list[dict]
    not_figures: list[dict]


@dataclass
class Score:
    figures: int = 0
    as_written: int = 0  # drafted with the same number as written and the same hedge
    drafted: int = 0
    false: int = 0  # drafted figure rows that are no curated figure
    not_figures: int = 0
    not_figures_drafted: int = 0  # whose mentions are all in not-figure drafts of the same category
    periods: int = 0
    periods_drafted: int = 0
    relations: int = 0
    relations_drafted: int = 0
    open: int = 0  # mentions the drafts leave unaccounted

    def __add__(self, other: Score) -> Score:
        return Score(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def hedge(vocabulary, written: str) -> str:
    """The qualifier of the hedge words a number as written starts with ("" for none)."""
    low = " ".join(written.lower().split())
    return next((q for w, q in vocabulary.hedges if low.startswith(w + " ")), "")


def real_articles(vocabulary) -> dict[str, tuple[str, Expected]]:
    """The five articles of raw/ and their curated rows."""
    figures = _rows(ROOT / "raw" / "figures.csv")
    others = _rows(ROOT / "raw" / "not_figures.csv")
    relations = set(vocabulary.relations)
    out = {}
    for sid in sorted({f["source_id"] for f in figures}):
        text = (ROOT / "raw" / "sources" / f"{sid}.txt").read_text(encoding="utf-8")
        mine = [f for f in figures if f["source_id"] == sid]
        exp = Expected(
            [
                {
                    "context": f["quote"],
                    "text": f["as_written"],
                    "hedge": hedge(vocabulary, f["as_written"]),
                    "measure": f["measure"] if f["measure"] in relations else "",
                    "period": f["period"] if f["period"] and f["period"] in f["quote"] else "",
                }
                for f in mine
            ],
            [r for r in others if r["source_id"] == sid],
        )
        out[sid] = (text, exp)
    return out


def test_articles() -> dict[str, tuple[str, Expected]]:
    """The test articles tests/articles/propose-*.txt and their expected files
    (propose-*.expected.csv)."""
    out = {}
    for path in sorted(ARTICLES.glob("propose-*.txt")):
        rows = _rows(path.with_suffix(".expected.csv"))
        exp = Expected(
            [r for r in rows if r["row"] == "figure"], [r for r in rows if r["row"] == "not_figure"]
        )
        out[path.stem] = (path.read_text(encoding="utf-8"), exp)
    return out


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def locate(text: str, context: str, written: str) -> tuple[int, int]:
    """Where the number as written stands in the text: in its context, which occurs once."""
    if text.count(context) != 1:
        raise ValueError(
            f"the context {context!r} occurs {text.count(context)} times in the article, not once"
        )
    at = find_number(context, written) if written else -1
    if at < 0:
        at = context.find(written)
    if at < 0:
        raise ValueError(f"{written!r} is not in its context {context!r}")
    start = text.index(context) + at
    return start, start + len(written)


def score(vocabulary, sid: str, text: str, expected: Expected) -> Score:
    """``propose``'s drafts for the article, with none of its rows in place, against the
    curated rows."""
    figures, others = draft_rows(vocabulary, sid, text, find_mentions(text), 1)
    s = Score(
        figures=len(expected.figures), drafted=len(figures), not_figures=len(expected.not_figures)
    )
    drafted = [(locate(text, f["quote"], f["as_written"]), f) for f in figures]
    curated = [(locate(text, f["context"], f["text"]), f) for f in expected.figures]
    for (a, b), f in curated:
        hit = next((d for (x, y), d in drafted if x < b and a < y), None)
        s.as_written += (
            hit is not None
            and hit["as_written"] == f["text"]
            and hedge(vocabulary, hit["as_written"]) == f["hedge"]
        )
        if f["period"]:
            s.periods += 1
            s.periods_drafted += hit is not None and hit["period"] == f["period"]
        if f["measure"]:
            s.relations += 1
            s.relations_drafted += hit is not None and hit["measure"] == f["measure"]
    s.false = sum(not any(x < b and a < y for (a, b), _ in curated) for (x, y), _ in drafted)
    s.not_figures_drafted = sum(_drafted_as(text, r, others) for r in expected.not_figures)
    s.open = _left_open(sid, text, figures, others)
    return s


def _drafted_as(text: str, row: dict, others: list[dict]) -> bool:
    """Whether every mention of a curated not-figure row lies in a not-figure draft of
    its category."""
    a, b = locate(text, row["context"], row["text"])
    spans = [(locate(text, o["context"], o["text"]), o["category"]) for o in others]
    inside = [(x, y) for x, y in mention_positions(text) if a <= x and y <= b]
    return all(
        any(p <= x and y <= q and c == row["category"] for (p, q), c in spans) for x, y in inside
    )


def _left_open(sid: str, text: str, figures: list[dict], others: list[dict]) -> int:
    """The mentions that the drafts, finished as drafted, leave unaccounted (the build's
    coverage rule)."""
    from stopitnow_figures.model.coverage import coverage

    paths = Paths(ROOT)
    fig = Table.from_rows(raw.columns(paths, "figures"), figures)
    oth = Table.from_rows(raw.columns(paths, "not_figures"), others)
    problems = Collector()
    report = coverage(paths, fig, oth, {sid: text}, problems, unaccounted_only=True)
    return len(report[sid]) + len(problems.problems)


def report(scores: dict[str, Score]) -> list[str]:
    """The lines the benchmark prints: a row per article, then one per group of articles
    and overall."""
    head = (
        f"{'article':40} {'figures':>7} {'as written':>10} {'drafted':>7} {'false':>6} "
        f"{'not-figs':>8} {'drafted':>7} {'periods':>7} {'relations':>9} {'open':>4}"
    )
    lines = [head]
    for name, s in scores.items():
        lines.append(_line(name, s))
    real = [s for n, s in scores.items() if not n.startswith("propose-")]
    tests = [s for n, s in scores.items() if n.startswith("propose-")]
    for label, group in (
        ("the real articles", real),
        ("the test articles", tests),
        ("all", real + tests),
    ):
        if group:
            lines.append(_line(label, sum(group, Score())))
    return lines


def _line(name: str, s: Score) -> str:
    pct = lambda a, b: f"{a / b:.0%}" if b else "-"  # noqa: E731
    return (
        f"{name:40} {s.figures:7} {pct(s.as_written, s.figures):>10} {s.drafted:7} "
        f"{pct(s.false, s.drafted):>6} {s.not_figures:8} "
        f"{pct(s.not_figures_drafted, s.not_figures):>7} {pct(s.periods_drafted, s.periods):>7} "
        f"{pct(s.relations_drafted, s.relations):>9} {s.open:4}"
    )


def main() -> None:
    vocabulary = vocab.load(ROOT / "schemas")
    articles = real_articles(vocabulary) | test_articles()
    scores = {name: score(vocabulary, name, text, exp) for name, (text, exp) in articles.items()}
    for line in report(scores):
        print(line)
    total = sum(scores.values(), Score())
    print(
        f"targets: as written with the hedge {total.as_written / total.figures:.1%} "
        f"(at least {TARGET_AS_WRITTEN:.0%}); "
        f"false figure drafts {total.false / total.drafted:.1%} (at most {TARGET_FALSE:.0%})"
    )


if __name__ == "__main__":
    main()
