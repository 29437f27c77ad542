"""The reader view: where each id of the package can be seen, and an article's
text with its numbers marked.

A figure is marked at its number as written (``as_written`` inside its quote,
whole tokens), never at the whole quote: four pairs of quotes overlap, their
numbers do not. Every other numeric mention is marked too, with what accounts
for it (a figure's period words, or a row of raw/not_figures.csv and its
reason). ``page_of`` is the one place that says which page shows an id; the
stage writes those pages and ``trace`` prints them."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

FOLDER = "processed/reader"
INDEX = "index.html"
STYLE = "style.css"  # one style sheet beside the pages (templates/reader/style.css)
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
        env.globals.update(interval=interval, href=self.href)
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

    def style(self) -> str:
        return self.env.get_template(f"reader/{STYLE}").render()

    def article(self, source: dict, text: str, marks: list[Mark]) -> str:
        from markupsafe import Markup

        figures = sorted(self.uses["figures"].get(source["source_id"], []), key=lambda f: int(f["char_start"]))
        panels = Markup("\n".join(self.panel_html(self.panel(f)) for f in figures))
        others = [(m, text[m.start : m.end]) for m in marks if m.kind == "other"]
        body = Markup("".join(_segment_html(s) for s in marked(text, marks)))
        return self.render("article.html.j2", source=source, text=body, panels=panels, others=others)

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

    def panel_html(self, p: dict) -> str:
        """A figure's panel: what the package made of it, with links to its quantity, claims and metrics."""
        f, q, i = p["f"], p["q"], e(p["f"]["figure_id"])
        reading = f"; reading {e(f['reading'])}" if f["reading"] else ""
        code = ""
        if f["geography_code"]:
            kind = f", {e(p['geography']['kind'])}" if p["geography"] else ""
            code = f" (<code>{e(f['geography_code'])}</code>{kind})"
        place = e(f["geography"] or "none stated") + code + (f": {e(f['geography_note'])}" if f["geography_note"] else "")
        period = f"{e(f['period_start'])} to {e(f['period_end'])}" if f["period_start"] else "none"
        claims = "".join(
            f'<p><a href="{e(self.href[c["claim_id"]])}">{e(c["claim_id"])}</a>: <span class="verdict {e(c["verdict"])}">{e(c["verdict"].replace("_", " "))}</span>. {e(c["explanation"])}</p>'
            for c in p["claims"]
        )
        derived = "; ".join(
            f'<a href="{e(self.href[d["metric_id"]])}">{e(d["metric_id"])}</a> ({e(_fmt(d["value"]) or "no single value")} {e(d["unit"])})'
            for d in p["derived"]
        )
        rows = [
            (
                "Value",
                f"{e(_fmt(f['value']))} {e(f['unit'])}, interval {e(interval(f['lower'], f['upper']))} ({e(p['how'])}: {e(f['qualifier'].replace('_', ' '))}{reading})",
            ),
            ("Measure", e(f["measure"].replace("_", " "))),
            ("Place", place),
            ("Period", f"{period} ({e(f['period_basis'].replace('_', ' '))}): {e(f['period_note'])}"),
            ("Quote", f"“{e(f['quote'])}” (characters {e(f['char_start'])} to {e(f['char_end'])})"),
            *([("Reading", e(f["notes"]))] if f["notes"] else []),
            (
                "Quantity",
                f'<a href="{e(self.href[q["quantity_id"]])}">{e(q["quantity_id"])}</a>: {e(q["description"])}; reconciled {e(interval(q["lower"], q["upper"]))} {e(q["unit"])} ({e(q["status"])}, counted as {e(q["counting"])})',
            ),
            ("Claims", claims or "none"),
            ("Derived", derived or "none"),
        ]
        cite = f'<dt>Cite</dt><dd class="cite">{e(p["citation"])}</dd>'
        body = _dl(rows).replace("\n</dl>", "\n" + cite + "\n</dl>")
        back = f'<p class="back"><a href="#{i}">Back to “{e(f["as_written"])}” in the text</a></p>'
        return f'<section class="panel" id="panel-{i}" aria-labelledby="h-{i}">\n<h3 id="h-{i}"><code>{i}</code>: “{e(f["as_written"])}”</h3>\n{body}\n{back}\n</section>'

    def listing(self, page: str) -> Iterator[str]:
        """A page of one section per row, in pieces (a page holds a section for every row of its tables, which at
        scale is too large to hold as one string); each section built as a string (a template per row costs
        0.3-0.6 ms)."""
        from markupsafe import Markup

        tables = {"quantities.html": ("quantities", "identities"), "claims.html": ("claims",), "derived.html": ("derived", "population")}[
            page
        ]
        write = {"quantities": self.quantity_section, "identities": self.identity_section, "claims": self.claim_section}
        write.update(derived=self.metric_section, population=self.reference_section)
        frame = self.render(f"{page}.j2", sections={name: Markup(f"\x00{name}\x00") for name in tables})
        for k, piece in enumerate(frame.split("\x00")):
            if k % 2 == 0:
                yield piece
            else:
                rows = self.t[piece]
                for a in range(0, len(rows), 5000):
                    yield "\n".join(write[piece](r) for r in rows[a : a + 5000]) + ("\n" if a + 5000 < len(rows) else "")

    # -- one section per row --
    def _links(self, ids: str, empty: str = "none") -> str:
        return ", ".join(f'<a href="{e(self.href[x])}">{e(x)}</a>' for x in ids.split()) or empty

    def quantity_section(self, q: dict) -> str:
        i = e(q["quantity_id"])
        where = (f", <code>{e(q['geography_code'])}</code>" if q["geography_code"] else "") + (
            f", {e(q['period_start'])} to {e(q['period_end'])}" if q["period_start"] else ""
        )
        upper_none = "its domain" if q["upper"] else "nothing (unbounded)"
        mentions = "; ".join(
            f'<a href="{e(self.href[m])}">{e(m)}</a> (“{e(self.by_id["figures"][m]["as_written"])}”)' for m in q["mentions"].split()
        )
        rows = [
            (
                "Reconciled",
                f"{e(_fmt(q['value']) or 'no point value')} {e(q['unit'])}, interval {e(interval(q['lower'], q['upper']))} ({e(q['status'])}); counted as {e(q['counting'])}",
            ),
            ("Measure", f"{e(q['measure'].replace('_', ' '))}{where}"),
            ("Lower end set by", self._links(q["lower_by"], "its domain")),
            ("Upper end set by", self._links(q["upper_by"], upper_none)),
            ("Mentions", mentions or "none: implied by its identities"),
            ("Identities", self._links(q["identities"])),
        ]
        if q["conflict"]:
            rows.append(
                (
                    "In conflict",
                    f"these rows cannot all hold: {self._links(q['conflict'])}; set aside: {e(q['set_aside'] or 'none of its own')}",
                )
            )
        if q["note"]:
            rows.append(("Note", e(q["note"])))
        return _section(i, f"<code>{i}</code>", f"<p>{e(q['description'])}</p>\n" + _dl(rows))

    def identity_section(self, r: dict) -> str:
        i = e(r["identity_id"])
        body = f"<p><code>{e(r['left'])}</code> {e(r['relation'])} <code>{e(r['right'])}</code></p>\n<p>Quantities: {self._links(r['inputs'])}</p>\n<p>{e(r['note'])}</p>"
        return _section(i, f"<code>{i}</code>", body)

    def claim_section(self, c: dict) -> str:
        i, f = e(c["claim_id"]), self.by_id["figures"][c["figure_id"]]
        head = f'<code>{i}</code>: <span class="verdict {e(c["verdict"])}">{e(c["verdict"].replace("_", " "))}</span>'
        stated = f"{e(_fmt(c['stated']))}, interval {e(interval(c['stated_lower'], c['stated_upper']))}"
        rows = [
            (
                "Stated in",
                f'<a href="{e(self.href[c["figure_id"]])}">{e(c["figure_id"])}</a> (“{e(f["as_written"])}”): {e(c["relation"])} {stated}',
            ),
            (
                "The rest of the evidence",
                f"{e(_fmt(c['computed']) or 'no single value')}, interval {e(interval(c['lower'], c['upper']))}, from <code>{e(c['formula'])}</code>",
            ),
            ("Inputs", self._links(c["inputs"])),
            ("Explanation", e(c["explanation"])),
        ]
        return _section(i, head, _dl(rows))

    def metric_section(self, d: dict) -> str:
        i = e(d["metric_id"])
        rows = [
            ("Value", f"{e(_fmt(d['value']) or 'no single value')} {e(d['unit'])}, interval {e(interval(d['lower'], d['upper']))}"),
            ("Formula", f"<code>{e(d['formula'])}</code>"),
            ("Inputs", self._links(d["inputs"])),
            ("Description", e(d["description"])),
        ]
        return _section(i, f"<code>{i}</code> ({e(d['kind'].replace('_', ' '))})", _dl(rows))

    def reference_section(self, p: dict) -> str:
        i = e(p["population_id"])
        url = f', <a href="{e(p["url"])}">{e(p["url"])}</a>' if p["url"] else ""
        body = (
            f"<p>{e(_fmt(p['value']))} people, {e(p['geography'])} (<code>{e(p['geography_code'])}</code>), mid-{e(p['year'])}; "
            f"{e(p['publisher'])}, {e(p['table'])}{url} ({e(p['certainty'])}). {e(p['note'])}</p>"
        )
        return _section(i, f"<code>{i}</code>", body)


def _segment_html(s: Segment) -> str:
    """A piece of the article: plain text, or a mark (a link to its panel, or to what the number is)."""
    if s.mark is None:
        return e(s.text)
    m = s.mark
    target = f'id="{e(m.ref)}" href="#panel-{e(m.ref)}"' if m.kind == "figure" else f'id="at-{e(m.ref)}" href="#{e(m.ref)}"'
    return f'<a class="{e(m.css)}" {target} aria-label="{e(m.label)}" data-start="{m.start}">{e(s.text)}</a>'


def e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _dl(rows: list[tuple[str, str]]) -> str:
    return "<dl>\n" + "\n".join(f"<dt>{t}</dt><dd>{d}</dd>" for t, d in rows) + "\n</dl>"


def _section(anchor: str, heading: str, body: str) -> str:
    return f'<section class="item" id="{anchor}" aria-labelledby="h-{anchor}">\n<h2 id="h-{anchor}">{heading}</h2>\n{body}\n</section>'
