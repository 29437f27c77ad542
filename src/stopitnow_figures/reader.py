"""The reader view: where each id of the package can be seen, and an article's
text with its numbers marked.

A figure is marked at its number as written (``as_written`` inside its quote,
whole tokens), never at the whole quote: four pairs of quotes overlap, their
numbers do not. Every other numeric mention is marked too, with what accounts
for it (a figure's period words, or a row of raw/not_figures.csv and its
reason). ``page_of`` is the one place that says which page shows an id; the
stage writes those pages and ``trace`` prints them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

FOLDER = "processed/reader"
INDEX = "index.html"
# the page of each kind of id other than a figure (a figure is on its article's page)
PAGES = {"quantity": "quantities.html", "claim": "claims.html", "metric": "derived.html", "reference": "derived.html"}


def article_page(source_id: str) -> str:
    return f"{source_id}.html"


def page_of(kind: str, ident: str, source_id: str | None = None) -> str:
    """The page and anchor (relative to the reader folder) where an id is shown: ``<page>#<id>``."""
    page = article_page(source_id) if kind == "figure" else PAGES[kind]
    return f"{page}#{ident}"


@dataclass(frozen=True)
class Mark:
    """A span of an article's text to mark: a figure's number as written, or another numeric mention."""

    start: int
    end: int
    kind: str  # figure | other
    ref: str  # the figure id, or the anchor of the note that says what the mention is
    label: str  # what a screen reader says of it
    css: str  # the classes that draw it


@dataclass(frozen=True)
class Segment:
    text: str
    mark: Mark | None = None


def marked(text: str, marks: list[Mark]) -> list[Segment]:
    """The text as plain and marked segments, in order, which joined give the text exactly (the page shows it
    with its line breaks as they are). Marks must not overlap (``non_overlapping`` keeps them so)."""
    out: list[Segment] = []
    at = 0
    for m in sorted(marks, key=lambda m: m.start):
        if m.start > at:
            out.append(Segment(text[at : m.start]))
        out.append(Segment(text[m.start : m.end], m))
        at = m.end
    if at < len(text):
        out.append(Segment(text[at:]))
    return out


def non_overlapping(figures: list[Mark], others: list[Mark]) -> list[Mark]:
    """Every figure mark, and each other mark that overlaps none of those kept before it."""
    kept = sorted(figures, key=lambda m: m.start)
    for m in sorted(others, key=lambda m: (m.start, m.end)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


# -- marks of an article ----------------------------------------------------------

SYMBOL = {"exact": "", "hedged": "≈", "vague": "~"}  # drawn by the style sheet, not part of the text


def hedge_class(vocabulary, qualifier: str, reading: str) -> str:
    """How a figure's mark is drawn: exact (exact or rounded, with no curated reading widening it), vague (a
    word such as "dozens"), or hedged (a hedge word, or a curated reading such as the round "100 more")."""
    q = vocabulary.names("figures", "qualifier")
    if qualifier == q.vague:
        return "vague"
    return "exact" if qualifier in (q.exact, q.rounded) and not reading else "hedged"


def marks_of(view: View, source_id: str, text: str, accounted: list, reasons: dict[str, dict]) -> list[Mark]:
    """The marks of one article: each figure's number as written, and each other numeric mention with what it is
    (marked across what accounts for it: all of a phone number, all of a figure's period words)."""
    figures, others, seen = [], [], set()
    for _, span in accounted:
        if span is None or (span.start, span.end, span.ref) in seen:
            continue
        seen.add((span.start, span.end, span.ref))
        if span.kind == "figure":
            figures.append(view.figure_mark(span))
        else:
            what = view.period_words(span.ref) if span.kind == "period" else _not_figure(reasons[span.ref])
            others.append(Mark(span.start, span.end, "other", "", f"{text[span.start : span.end]}: {what}", "mark other"))
    kept = non_overlapping(figures, others)
    return [m if m.kind == "figure" else _numbered(m, k) for k, m in enumerate(kept)]


def _not_figure(row: dict) -> str:
    return f"not a figure ({row['category'].replace('_', ' ')}): {row['reason']}"


def _numbered(m: Mark, k: int) -> Mark:
    return Mark(m.start, m.end, m.kind, f"mention-{k + 1}", m.label, m.css)


# -- the pages ------------------------------------------------------------------


def _fmt(cell: str) -> str:
    """A number as the pages show it: whole numbers with thousands separators, others to four places."""
    if cell in ("", None):
        return ""
    x = float(cell)
    return f"{x:,.0f}" if x == int(x) else f"{x:,.4f}".rstrip("0").rstrip(".")


def interval(lo: str, hi: str) -> str:
    return f"[{_fmt(lo) if lo else 'unbounded'}, {_fmt(hi) if hi else 'unbounded'}]"


def _uses(tables: dict[str, list[dict]]) -> dict[str, dict[str, list[dict]]]:
    """The figures of each article, and the claims and derived metrics that use each id (a claim's figure and
    inputs, a metric's inputs), in table order."""
    out: dict[str, dict[str, list[dict]]] = {"figures": {}, "claims": {}, "derived": {}}
    for f in tables["figures"]:
        out["figures"].setdefault(f["source_id"], []).append(f)
    for c in tables["claims"]:
        for i in dict.fromkeys([c["figure_id"], *c["inputs"].split()]):
            out["claims"].setdefault(i, []).append(c)
    for d in tables["derived"]:
        for i in dict.fromkeys(d["inputs"].split()):
            out["derived"].setdefault(i, []).append(d)
    return out


class View:
    """The package as pages: every id's page and anchor, and each page's content."""

    def __init__(self, vocabulary, tables: dict[str, list[dict]], meta: dict, released: str) -> None:
        self.vocabulary, self.t, self.meta, self.released = vocabulary, tables, meta, released
        self.by_id = {name: {r[self._key(name)]: r for r in rows} for name, rows in tables.items()}
        self.href = self._hrefs()
        self.uses = _uses(tables)  # each id's claims and derived metrics, found once (not per figure)
        self.env = self._environment()

    def _key(self, name: str) -> str:
        return self.vocabulary.primary_keys[name][0]

    def _hrefs(self) -> dict[str, str]:
        out = {f["figure_id"]: page_of("figure", f["figure_id"], f["source_id"]) for f in self.t["figures"]}
        for name, kind in (
            ("quantities", "quantity"),
            ("identities", "quantity"),
            ("claims", "claim"),
            ("derived", "metric"),
            ("population", "reference"),
        ):
            out.update({r[self._key(name)]: f"{PAGES[kind]}#{r[self._key(name)]}" for r in self.t[name]})
        return out

    def _environment(self):
        from jinja2 import Environment, PackageLoader, StrictUndefined

        env = Environment(loader=PackageLoader("stopitnow_figures"), autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
        env.filters.update(num=_fmt)
        env.globals.update(interval=interval, href=self.href, symbol=SYMBOL)
        return env

    def render(self, template: str, **context) -> str:
        base = {"title": self.meta["title"], "version": self.meta["version"], "released": self.released}
        return self.env.get_template(f"reader/{template}").render(**base, **context)

    # -- marks --
    def figure_mark(self, span) -> Mark:
        f = self.by_id["figures"][span.ref]
        how = hedge_class(self.vocabulary, f["qualifier"], f["reading"])
        label = f"{f['as_written']}: figure {f['figure_id']}, {f['qualifier'].replace('_', ' ')}, {interval(f['lower'], f['upper'])} {f['unit']}"
        return Mark(span.start, span.end, "figure", f["figure_id"], label, f"mark figure {how}")

    def period_words(self, figure_id: str) -> str:
        f = self.by_id["figures"][figure_id]
        return f"not a figure: the period words of figure {figure_id} ({f['period_start'] or '-'} to {f['period_end'] or '-'})"

    # -- pages --
    def index(self) -> str:
        status = self.vocabulary.names("quantities", "status")
        counts = {name: len(rows) for name, rows in self.t.items()}
        conflicts = [q for q in self.t["quantities"] if q["status"] == status.in_conflict]
        per_source = Counter(f["source_id"] for f in self.t["figures"])
        return self.render(
            "index.html.j2",
            sources=self.t["sources"],
            per_source=per_source,
            counts=counts,
            claims=self.t["claims"],
            conflicts=conflicts,
            page=article_page,
        )

    def article(self, source: dict, text: str, marks: list[Mark]) -> str:
        figures = sorted(self.uses["figures"].get(source["source_id"], []), key=lambda f: int(f["char_start"]))
        panels = [self.panel(f) for f in figures]
        others = [(m, text[m.start : m.end]) for m in marks if m.kind == "other"]
        return self.render("article.html.j2", source=source, segments=marked(text, marks), panels=panels, others=others)

    def panel(self, f: dict) -> dict:
        from .citation import cite

        q = self.by_id["quantities"][f["quantity_id"]]
        claims = list(
            {c["claim_id"]: c for c in self.uses["claims"].get(f["figure_id"], []) + self.uses["claims"].get(q["quantity_id"], [])}.values()
        )
        claims.sort(key=lambda c: c["claim_id"])
        derived = self.uses["derived"].get(q["quantity_id"], [])
        source = self.by_id["sources"][f["source_id"]]
        citation = cite(self.meta, self.released, "apa", f["figure_id"], "figure", [source])
        geography = self.by_id["geographies"].get(f["geography_code"], {})
        return {
            "f": f,
            "q": q,
            "claims": claims,
            "derived": derived,
            "citation": citation,
            "how": hedge_class(self.vocabulary, f["qualifier"], f["reading"]),
            "geography": geography,
        }

    def listing(self, page: str) -> str:
        template = {"quantities.html": "quantities.html.j2", "claims.html": "claims.html.j2", "derived.html": "derived.html.j2"}[page]
        return self.render(template, t=self.t, by_id=self.by_id)
