"""How close `propose` comes to the curators: run it on each of the five articles with all of that article's
rows (figures and not-figures) removed, and compare its drafts with the curated figures. Prints, per article
and overall, the share of curated figures for which a draft holds the same number at the same place, the same
number as written, the same hedge, and a quote that is the curated one or a unique span holding the number."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stopitnow_figures import vocab  # noqa: E402
from stopitnow_figures.curator import draft_rows  # noqa: E402
from stopitnow_figures.finder import Mention, mention_positions  # noqa: E402


def hedge(vocabulary, written: str) -> str:
    low = written.lower()
    return next((q for w, q in vocabulary.hedges if low.startswith(w + " ")), "")


def main() -> None:
    vocabulary = vocab.load(ROOT / "schemas")
    figures = list(csv.DictReader((ROOT / "processed" / "figures.csv").open(encoding="utf-8")))
    totals = [0, 0, 0, 0, 0]
    print(f"{'article':36} {'figures':>7} {'number':>7} {'written':>7} {'hedge':>7} {'quote':>7}")
    for sid in sorted({f["source_id"] for f in figures}):
        text = (ROOT / "raw" / "sources" / f"{sid}.txt").read_text(encoding="utf-8")
        mentions = [Mention(a, b, text[a:b]) for a, b in mention_positions(text)]
        drafts, _ = draft_rows(vocabulary, sid, text, mentions, 1)
        placed = []
        for d in drafts:
            qa = text.index(d["quote"])
            placed.append((qa + d["quote"].index(d["as_written"]), d))
        row = [0, 0, 0, 0, 0]
        for f in (f for f in figures if f["source_id"] == sid):
            at = int(f["char_start"]) + re.search(r"(?<!\w)" + re.escape(f["as_written"]) + r"(?!\w)", f["quote"]).start()
            number_end = at + len(f["as_written"])
            hit = next((d for a, d in placed if a <= number_end and at < a + len(d["as_written"])), None)
            row[0] += 1
            if hit is None:
                continue
            row[1] += 1
            row[2] += hit["as_written"] == f["as_written"]
            row[3] += hedge(vocabulary, hit["as_written"]) == hedge(vocabulary, f["as_written"])
            row[4] += hit["quote"] == f["quote"] or (hit["as_written"] in hit["quote"] and text.count(hit["quote"]) == 1)
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        print(f"{sid:36} {row[0]:7} " + " ".join(f"{r / row[0]:7.0%}" for r in row[1:]))
    print(f"{'all five':36} {totals[0]:7} " + " ".join(f"{r / totals[0]:7.0%}" for r in totals[1:]))


if __name__ == "__main__":
    main()
