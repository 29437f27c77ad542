"""Write a synthetic but valid corpus of N figures into a folder laid out like the repository:
source texts with real quotes at real offsets, figure rows with hedges, periods (each named by its
days) and places, a quantity for each figure, and for each source an identity (an implied total of
its first two quantities, a set the reconcile stage solves on its own), a derivation and a claim;
and the real reference rows.

    python bench/generate.py 100000 /tmp/corpus-100k
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import sys
from bisect import bisect_right
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PER_SOURCE = 100
HEDGES = ["", "nearly ", "more than ", "around ", "at least ", "up to ", "almost ", "an estimated "]
PLACES = [
    "Scotland",
    "Glasgow",
    "Edinburgh",
    "Dundee",
    "the UK",
    "Greater Manchester",
    "the south west",
]
MEASURES = [
    ("helpline_any", "people", "called the helpline"),
    ("website_visitors", "people", "visited the website"),
]
LETTERS = "bcdfghjklmnpqrstvwxz"


KEYS = len(PLACES) * len(MEASURES)  # figure k's place and measure repeat every KEYS figures
START = date(2016, 1, 1)
# every period lies within these days, which end before the synthetic articles' publication window
# opens (2017-02-01): a period may not end after its article was published
DAYS = (date(2017, 1, 31) - START).days + 1
# how many periods there are shorter than each length (a period of l + 1 days can start on any of
# the first DAYS - l days)
SHORTER = list(accumulate((DAYS - length for length in range(DAYS)), initial=0))


def period_words(k: int) -> str:
    """Figure k's period, named by its days: no two figures of one place and measure share one,
    as no two quantities of one series may (a figure's quantity takes its period). The periods of
    a place and measure are taken one day long first, then two days long, and so on, each length
    at every start that ends within DAYS."""
    i = k // KEYS
    if i >= SHORTER[-1]:
        raise ValueError(f"at most {SHORTER[-1] * KEYS} figures have periods of their own")
    length = bisect_right(SHORTER, i) - 1
    start = START + timedelta(days=i - SHORTER[length])
    return f"Between {_day(start)} and {_day(start + timedelta(days=length))}"


def _day(d: date) -> str:
    return f"{d.day} {d:%B} {d.year}"


def word_id(n: int) -> str:
    """A unique tag made of letters only, so it adds no numeric mention."""
    out = ""
    while True:
        n, r = divmod(n, len(LETTERS))
        out = LETTERS[r] + out
        if n == 0:
            return out


def write_csv(path: Path, header: list[str], rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def generate(n: int, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    for rel in (
        "schemas",
        "params.yaml",
        "package.yaml",
        "CHANGELOG.md",
        "raw/reference/population.csv",
    ):
        src = ROOT / rel
        if src.is_dir():
            shutil.copytree(src, out / rel)
        else:
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out / rel)
    (out / "processed").mkdir()
    sources, figures, derivations, claims, quantities, identities = [], [], [], [], [], []
    with open(ROOT / "raw" / "places.csv", encoding="utf-8", newline="") as fh:
        code = {r["place"]: r["geography_code"] for r in csv.DictReader(fh) if not r["source_id"]}
    n_sources = max(1, -(-n // PER_SOURCE))
    k = 0
    for s in range(n_sources):
        sid = f"synthetic-2017-{word_id(s)}"
        sentences = []
        first = k
        for j in range(min(PER_SOURCE, n - k)):
            hedge = HEDGES[k % len(HEDGES)]
            value = 32 + (k * 7919) % 99000  # above 31: never the number of a day of its period
            place = PLACES[k % len(PLACES)]
            measure, unit, verb = MEASURES[k % len(MEASURES)]
            period = period_words(k)
            quote = f"{period} {hedge}{value:,} people from {place} {verb} in case {word_id(k)}"
            sentences.append(quote + ".")
            fid, qid = f"{sid}-f{j + 1:02d}", f"{sid}-q{j + 1:02d}"
            figures.append(
                [
                    fid,
                    sid,
                    qid,
                    quote,
                    f"{hedge}{value:,}",
                    measure,
                    unit,
                    place,
                    period,
                    "",
                    "",
                    "synthetic",
                ]
            )
            quantities.append(
                [
                    qid,
                    f"Synthetic quantity {word_id(k)}",
                    measure,
                    unit,
                    "events",
                    code[place],
                    f"of:{fid}",
                    "",
                ]
            )
            k += 1
        text = "\n\n".join(sentences) + "\n"
        path = out / "raw" / "sources" / f"{sid}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        sources.append([sid, "Synthetic Press", f"Synthetic article {word_id(s)}",
                        f"https://example.org/{sid}", "synthetic", "synthetic",
                        "2017-02-01", "2017-02-28", "inferred", "Synthetic corpus for benchmarks.",
                        f"{sid}.txt", hashlib.sha256(text.encode()).hexdigest(),
                        "news article", "whole", ""])  # fmt: skip
        if k - first >= 2:
            a, b, total = f"{sid}-q01", f"{sid}-q02", f"{sid}-total"
            measure, unit, _ = MEASURES[first % len(MEASURES)]
            quantities.append(
                [
                    total,
                    "The total of two synthetic quantities",
                    measure,
                    unit,
                    "events",
                    "",
                    "",
                    "",
                ]
            )
            identities.append(
                [
                    f"{sid}-sum",
                    f"{{{total}}}",
                    "equals",
                    f"{{{a}}} + {{{b}}}",
                    "definition",
                    "A synthetic total.",
                ]
            )
            derivations.append(
                [
                    f"{sid}-sum",
                    "total",
                    f"{{{a}}} + {{{b}}}",
                    "people",
                    "",
                    "span",
                    "Sum of two synthetic quantities.",
                ]
            )
            claims.append(
                [
                    f"{sid}-restated",
                    f"{sid}-f01",
                    f"{{{a}}}",
                    "equals",
                    "The figure against the rest of its set.",
                ]
            )
    write_csv(out / "raw" / "sources.csv", ["source_id", "publisher", "headline", "url",
              "headline_basis", "publisher_basis", "published_earliest", "published_latest",
              "date_basis", "date_reasoning", "original_file", "sha256", "kind", "text_extent",
              "covers"], sources)  # fmt: skip
    write_csv(
        out / "raw" / "figures.csv",
        [
            "figure_id",
            "source_id",
            "quantity_id",
            "quote",
            "as_written",
            "measure",
            "unit",
            "place",
            "period",
            "period_ref",
            "reading",
            "notes",
        ],
        figures,
    )
    with open(ROOT / "raw" / "places.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    # only the readings the synthetic figures use: a reading nothing uses is refused
    write_csv(
        out / "raw" / "places.csv", rows[0], [r for r in rows[1:] if r[0] in PLACES and not r[1]]
    )
    with open(ROOT / "raw" / "reference" / "population.csv", encoding="utf-8", newline="") as fh:
        used = {r["geography_code"] for r in csv.DictReader(fh)} | {code[p] for p in PLACES}
    with open(ROOT / "raw" / "geographies.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    # only the places the corpus uses: a row nothing uses is refused
    write_csv(out / "raw" / "geographies.csv", rows[0], [r for r in rows[1:] if r[0] in used])
    write_csv(
        out / "raw" / "not_figures.csv", ["source_id", "text", "context", "category", "reason"], []
    )
    write_csv(
        out / "raw" / "period_readings.csv",
        ["source_id", "period", "period_start", "period_end", "reasoning"],
        [],
    )
    with open(ROOT / "raw" / "pages_not_added.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    write_csv(out / "raw" / "pages_not_added.csv", header, [])  # no page found and not added
    write_csv(
        out / "raw" / "derivations.csv",
        ["metric_id", "kind", "formula", "unit", "geography_code", "period", "description"],
        derivations,
    )
    write_csv(
        out / "raw" / "claims.csv",
        ["claim_id", "figure_id", "formula", "relation", "compares"],
        claims,
    )
    write_csv(
        out / "raw" / "quantities.csv",
        [
            "quantity_id",
            "description",
            "measure",
            "unit",
            "counting",
            "geography_code",
            "period",
            "note",
        ],
        quantities,
    )
    write_csv(
        out / "raw" / "identities.csv",
        ["identity_id", "left", "relation", "right", "basis", "note"],
        identities,
    )
    name_sources(out / "CHANGELOG.md", [s[0] for s in sources])


def name_sources(changelog: Path, ids: list[str]) -> None:
    """The current version's CHANGELOG entry names the synthetic sources it adds (the build refuses
    a source none names)."""
    text = changelog.read_text(encoding="utf-8")
    heading = text.index("\n", text.index("\n## ") + 1)
    added = "\n\n- Synthetic sources: " + ", ".join(f"`{i}`" for i in ids) + "."
    changelog.write_text(text[:heading] + added + text[heading:], encoding="utf-8")


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
