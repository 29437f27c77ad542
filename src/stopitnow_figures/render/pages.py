"""The reader view: where each id of the package can be seen, and an article's
text with its numbers marked.

A figure is marked at its number as written (``as_written`` inside its quote,
whole tokens), never at the whole quote: four pairs of quotes overlap, their
numbers do not. Every other numeric mention is marked too, with what accounts
for it (a figure's period words, or a row of raw/not_figures.csv and its
reason). ``page_of`` is the one place that says which page shows an id; the
stage writes those pages and ``trace`` prints them.

At scale the package's tables are held by column (``Columns``: Arrow arrays,
not a dict a row), the figures once in the order of the article pages, and a
row becomes a dict only while its page is written; a listing page is written
in pieces of ``BATCH`` rows.

Every tag of a page comes from a template of ``templates/reader/``: the pages (``base``, ``index``,
``article`` and the listings) through Jinja's autoescape, and the parts written a row at a time (an
article's marked text and its figures' panels, and the sections of the listings: the ``_x.html.j2``
partials) through ``rows_environment``, whose every value is escaped by ``html_text``. Python hands
them text and plain values, never markup."""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate

from ..tables.numbers import Precision
from .markup import html_text

FOLDER = "processed/reader"
INDEX = "index.html"
STYLE = "style.css"  # one style sheet beside the pages (templates/reader/style.css)
# the page of each kind of id other than a figure (a figure is on its article's page)
DICTIONARY = "dictionary.html"  # every field of every table (templates/reader/dictionary.html.j2)
PAGES = {
    "quantity": "quantities.html",
    "claim": "claims.html",
    "metric": "derived.html",
    "reference": "derived.html",
    "series": "series.html",
    "series member": "series.html",
    "conflict": "conflicts.html",
}
# the tables each listing page shows a section a row of, in order
LISTINGS = {
    "quantities.html": ("quantities", "identities"),
    "claims.html": ("claims",),
    "derived.html": ("derived", "population"),
}
BATCH = 5000  # rows made into dicts at a time for a listing page


def relative_to_reader(path: str) -> str:
    """A path from the repository root as a link from a page of the reader folder."""
    return "../" * len(FOLDER.split("/")) + path


def article_page(source_id: str) -> str:
    return f"{source_id}.html"


def page_of(kind: str, ident: str, source_id: str | None = None) -> str:
    """The page and anchor (relative to the reader folder) where an id is shown: ``<page>#<id>``."""
    page = article_page(source_id) if kind == "figure" else PAGES[kind]
    return f"{page}#{ident}"


@dataclass(slots=True)
class Mark:
    """A span of an article's text to mark: a figure's number as written, or another numeric mention
    (a plain class with slots: a million figures make millions of marks, and a frozen one costs five
    times as much)."""

    start: int
    end: int
    kind: str  # figure | other
    ref: str  # the figure id, or the anchor of the note that says what the mention is
    label: str  # what a screen reader says of it
    css: str  # the classes that draw it


def text_pieces(text: str, marks: list[Mark]) -> list[tuple]:
    """The text in order, for ``_text.html.j2``: each mark as (the plain text before it, its kind,
    ref, classes, label and start, the words it marks), then the rest of the text after the last
    mark, of no kind. Read as text they give the text exactly. Marks must not overlap
    (``non_overlapping`` keeps them so)."""
    out: list[tuple] = []
    at = 0
    for m in sorted(marks, key=lambda m: m.start):
        out.append(
            (text[at : m.start], m.kind, m.ref, m.css, m.label, m.start, text[m.start : m.end])
        )
        at = m.end
    out.append((text[at:], None, "", "", "", 0, ""))
    return out


def non_overlapping(figures: list[Mark], others: list[Mark]) -> list[Mark]:
    """Every figure mark, and each other mark that overlaps none of those kept before it.

    A kept mark k overlaps m where k.start < m.end and k.end > m.start: of the kept marks that start
    before m ends (a prefix of the figures by start, and of the other marks kept, which are kept in
    order of start), it is enough that the furthest end is past m's start."""
    kept = sorted(figures, key=lambda m: m.start)
    starts, reach = [k.start for k in kept], list(accumulate((k.end for k in kept), max))
    taken: list[Mark] = []
    taken_starts: list[int] = []
    taken_reach: list[int] = []
    for m in sorted(others, key=lambda m: (m.start, m.end)):
        j, t = bisect_left(starts, m.end), bisect_left(taken_starts, m.end)
        if (j == 0 or reach[j - 1] <= m.start) and (t == 0 or taken_reach[t - 1] <= m.start):
            taken.append(m)
            taken_starts.append(m.start)
            taken_reach.append(max(taken_reach[-1], m.end) if taken_reach else m.end)
    return sorted(kept + taken, key=lambda m: m.start)


# -- marks of an article ----------------------------------------------------------


def hedge_class(q, qualifier: str, reading: str) -> str:
    """How a figure's mark is drawn: exact (exact or rounded, with no curated reading widening it),
    vague (a word such as "dozens"), or hedged (a hedge word, or a curated reading such as the round
    "100 more"). ``q``: the qualifiers by name (``vocabulary.names("figures", "qualifier")``)."""
    if qualifier == q.vague:
        return "vague"
    return "exact" if qualifier in (q.exact, q.rounded) and not reading else "hedged"


def marks_of(
    view: View, figures: Mapping[str, dict], text: str, accounted: list, reasons: dict[str, dict]
) -> list[Mark]:
    """The marks of one article: each figure's number as written, and each other numeric mention
    with what it is (marked across what accounts for it: all of a phone number, all of a figure's
    period words). ``figures``: the article's figure rows by id (a figure of another article is
    found in the package)."""
    figure_marks, others, seen = [], [], set()
    for _, span in accounted:
        if span is None or (span.start, span.end, span.ref) in seen:
            continue
        seen.add((span.start, span.end, span.ref))
        if span.kind == "figure":
            figure_marks.append(
                view.figure_mark(span, figures.get(span.ref) or view.figure(span.ref))
            )
        else:
            f = (figures.get(span.ref) or view.figure(span.ref)) if span.kind == "period" else None
            what = (
                _period_words(span.ref, f)
                if span.kind == "period"
                else _not_figure(reasons[span.ref])
            )
            others.append(
                Mark(
                    span.start,
                    span.end,
                    "other",
                    "",
                    f"{text[span.start : span.end]}: {what}",
                    "mark other",
                )
            )
    kept = non_overlapping(figure_marks, others)
    for k, m in enumerate(kept):
        if m.kind != "figure":
            m.ref = f"mention-{k + 1}"  # the note's anchor, numbered in the order of the text
    return kept


def _period_words(figure_id: str, f: dict) -> str:
    return (
        f"not a figure: the period words of figure {figure_id} ({f['period_start'] or '-'} to "
        f"{f['period_end'] or '-'})"
    )


def _not_figure(row: dict) -> str:
    return f"not a figure ({row['category'].replace('_', ' ')}): {row['reason']}"


# -- the pages ------------------------------------------------------------------


def _fmt(cell: str) -> str:
    """A number as the pages show it: with thousands separators, and the digits it is given (a
    computed number comes rounded by ``tables.numbers``, the one rule; digits, commas, a point and a
    sign: nothing to escape, nor in ``interval``)."""
    from decimal import Decimal

    if cell in ("", None):
        return ""
    if len(cell) < 16 and cell.isascii() and cell.isdigit():
        return f"{int(cell):,}"  # a whole number, at a third of the cost
    x = Decimal(cell)
    return f"{int(x):,}" if x == x.to_integral_value() else format(x, ",f")


def interval(lo: str, hi: str, fmt=_fmt) -> str:
    return f"[{fmt(lo) if lo else 'unbounded'}, {fmt(hi) if hi else 'unbounded'}]"


def point_text(row: dict, unit: str, words: dict[str, str], fmt=_fmt) -> str:
    """A quantity's or metric's value as a person reads it (the reader view, ``trace``): the value
    where the evidence pins it; else the interval, then what the point is (``words``: each
    value_basis in words, from ``schemas/vocabulary.json``), so that no convention reads as a
    number. ``fmt`` writes a number."""
    basis = row["value_basis"]
    first = next(iter(words))  # the enum's first word: pinned
    if basis == first and row["value"]:
        return f"{fmt(row['value'])} {unit} ({basis}: {words[basis]})"
    point = f"point {fmt(row['value'])}, {basis}: {words[basis]}" if row["value"] else words[basis]
    return f"{interval(row['lower'], row['upper'], fmt)} {unit} ({point})"


# ids that are looked up by value (Arrow's set lookups take plain text): never held as a dictionary
LOOKED_UP = frozenset(
    {"figure_id", "quantity_id", "metric_id", "claim_id", "identity_id", "population_id", "inputs"}
)


class Columns:
    """The columns of a table that the pages show, as one Arrow table: a million rows in a fraction
    of the memory of a dict a row. Rows become dicts only a slice at a time. A long column of few
    distinct texts (a unit, a status, a place) is held as a dictionary, each text once (and made
    into Python text once a slice: its rows share the same objects)."""

    def __init__(self, table, names: Sequence[str]) -> None:
        import pyarrow as pa

        cols = {}
        for name in names:
            col = table.arrow_or_list(name)
            col = (
                pa.chunked_array([pa.array([""] * len(table) if col is None else col, pa.string())])
                if not hasattr(col, "chunks")
                else col
            )
            cols[name] = col if name in LOOKED_UP else _compact(col)
        self.t = pa.table(cols) if cols else pa.table({})

    @classmethod
    def of(cls, t) -> Columns:
        out = cls.__new__(cls)
        out.t = t
        return out

    def __len__(self) -> int:
        return self.t.num_rows

    def column(self, name: str) -> list[str]:
        return _pylist(self.t.column(name))

    def rows(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """Rows [start, stop) as dicts."""
        part = self.t.slice(start, (self.t.num_rows if stop is None else stop) - start)
        names, cols = part.column_names, [_pylist(c) for c in part.columns]
        return [dict(zip(names, r, strict=True)) for r in zip(*cols, strict=True)]

    def take(self, indices, names: Sequence[str] | None = None) -> Columns:
        """The rows at ``indices`` (a NumPy array), in that order, of ``names`` (all by default)."""
        t = self.t if names is None else self.t.select(list(names))
        return Columns.of(t.combine_chunks().take(indices))


COMPACT = (
    256  # a column of at most this many distinct texts (and many rows) is held as a dictionary
)


def _compact(col):
    import pyarrow.compute as pc

    if len(col) < 16 * COMPACT or pc.count_distinct(col).as_py() > COMPACT:
        return col
    return col.dictionary_encode()


def _pylist(col) -> list[str]:
    """A column (Arrow) as a list of text; a dictionary's texts made once and shared by its rows."""
    import pyarrow as pa

    if not pa.types.is_dictionary(col.type):
        return col.to_pylist()
    out: list[str] = []
    for chunk in col.chunks:
        out += map(
            chunk.dictionary.to_pylist().__getitem__,
            chunk.indices.to_numpy(zero_copy_only=False).tolist(),
        )
    return out


class Window:
    """Rows of ``Columns`` as dicts, for rows asked for in order a few at a time (an article's
    figures): made ``size`` rows at a time, since each making costs a call per column."""

    def __init__(self, columns: Columns, size: int = 4096) -> None:
        self.columns, self.size, self.start, self.held = columns, size, 0, []

    def rows(self, start: int, stop: int) -> list[dict]:
        if start < self.start or stop > self.start + len(self.held):
            self.start, self.held = (
                start,
                self.columns.rows(start, min(len(self.columns), max(stop, start + self.size))),
            )
        return self.held[start - self.start : stop - self.start]


def naming(inputs, keys) -> tuple:
    """Which rows name each key in their space-separated ``inputs`` (Arrow arrays): for key ``j``
    the rows ``rows[starts[j]:starts[j + 1]]``, each once, in table order."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    words = pc.utf8_split_whitespace(inputs.combine_chunks())
    flat, parent = pc.list_flatten(words), np.asarray(pc.list_parent_indices(words))
    at = pc.index_in(flat, value_set=keys)
    ok = np.asarray(pc.and_(pc.is_valid(at), pc.not_equal(flat, "")))
    key, row = np.asarray(at.filter(pa.array(ok))).astype(np.int64), parent[ok].astype(np.int64)
    order = np.lexsort((row, key))
    key, row = key[order], row[order]
    once = np.ones(len(key), dtype=bool)
    once[1:] = (key[1:] != key[:-1]) | (row[1:] != row[:-1])
    key, row = key[once], row[once]
    return np.searchsorted(key, np.arange(len(keys) + 1)), row


class Hrefs:
    """Each id's link, ``<page>#<id>``, from the page that shows it. ``pages`` holds the page of
    every id but the derived metrics', which ``metrics()`` gives the first time one is asked for (a
    panel links its metrics by their row: at scale the map of millions of metrics is then never
    made)."""

    def __init__(self, pages: dict[str, str], metrics) -> None:
        self.pages, self._metrics, self.metrics = pages, metrics, None

    def page(self, ident: str) -> str:
        page = self.pages.get(ident)
        if page is None:
            if self.metrics is None:
                self.metrics = self._metrics()
            page = self.metrics[ident]
        return page

    def __getitem__(self, ident: str) -> str:
        return f"{self.page(ident)}#{ident}"


# the columns each listing shows (all but the period rule and the metrics' places and periods);
# figures show all
SHOWN = {
    "quantities": (
        "quantity_id",
        "description",
        "measure",
        "unit",
        "counting",
        "geography_code",
        "period_start",
        "period_end",
        "value",
        "value_basis",
        "lower",
        "upper",
        "mentions",
        "identities",
        "lower_by",
        "upper_by",
        "status",
        "conflict",
        "set_aside",
        "rate_note",
        "note",
    ),
    "derived": (
        "metric_id",
        "kind",
        "formula",
        "inputs",
        "value",
        "value_basis",
        "lower",
        "upper",
        "unit",
        "description",
    ),
}
PANEL = {
    "quantities": ("quantity_id", "description", "lower", "upper", "unit", "status", "counting"),
    "derived": ("metric_id", "value", "value_basis", "lower", "upper", "unit"),
}


class View:
    """The package as pages: every id's page and anchor, and each page's content. The figures are
    held in the order of the article pages (``at[k]:at[k + 1]`` those of source ``k``, by their
    offset in its text), each with its quantity and the metrics that use it beside it in the same
    order."""

    def __init__(
        self,
        vocabulary,
        tables: dict[str, Columns],
        meta: dict,
        released: str,
        downloads: Sequence[tuple[str, str]] = (),
        schemas: Sequence[tuple[str, dict]] = (),
    ) -> None:
        """``tables``: the package's tables (the columns they show); the figures are taken out of
        it, and held in the order of the article pages instead. ``downloads``: the package's data
        files (path from the repository root, media type), the distribution the index's JSON-LD
        names. ``schemas``: each published table's Table Schema, for the data dictionary."""
        self.vocabulary, self.meta, self.released = vocabulary, meta, released
        self.downloads, self.schemas = list(downloads), list(schemas)
        self.qualifiers = vocabulary.names("figures", "qualifier")
        self.counts = {name: len(t) for name, t in tables.items()}
        self.key = {name: vocabulary.primary_keys[name][0] for name in tables}
        self.sources = tables["sources"].rows()
        self.geographies = {r[self.key["geographies"]]: r for r in tables["geographies"].rows()}
        self.t = {
            name: tables[name]
            for name in ("quantities", "identities", "claims", "derived", "population", "series")
        }
        self.figures = self._in_article_order(tables.pop("figures"))
        self.href = Hrefs(self._pages(), self._metric_pages)
        self._beside_figures()
        self.windows = (
            Window(self.figures),
            Window(self.quantity),
            Window(self.metrics),
        )  # the article pages' rows
        self.env, self.rows = self._environment(), rows_environment()

    @functools.cached_property
    def precision(self) -> Precision:
        """The significant figures each computed row shows (``tables.numbers``)."""
        tables = {"figures": self.figures, **self.t}
        return Precision.of_columns(lambda table, name: tables[table].column(name))

    def _in_article_order(self, figures: Columns) -> Columns:
        """The figures of each article in turn, by their offset (then table order), then those of no
        article (in table order); sorted by NumPy, a million ids never made into Python text for
        it."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        n, ids = len(self.sources), pa.array([s["source_id"] for s in self.sources], pa.string())
        rank = (
            pc.fill_null(pc.index_in(figures.t.column("source_id"), value_set=ids), n)
            .to_numpy()
            .astype(np.int64)
        )
        starts = pc.cast(figures.t.column("char_start"), pa.int64()).to_numpy()
        order = np.lexsort((np.arange(len(rank)), starts, rank))
        self.at = np.searchsorted(rank[order], np.arange(n + 1)).tolist()
        self.per_source = Counter(
            {
                s["source_id"]: self.at[k + 1] - self.at[k]
                for k, s in enumerate(self.sources)
                if self.at[k + 1] > self.at[k]
            }
        )
        out = figures.take(order)
        self.written = out.column("as_written")  # each figure's number as written, for the listings
        self.position = {fid: i for i, fid in enumerate(out.column("figure_id"))}
        return out

    def _pages(self) -> dict[str, str]:
        """The page of every id, a later table's over an earlier one's as links always took it
        (figures, quantities, identities, claims, metrics, reference rows): of the metrics, only
        those whose ids another table uses too (a synthetic corpus names an identity and a metric
        alike); ``Hrefs`` finds the rest."""
        import pyarrow as pa
        import pyarrow.compute as pc

        sids = self.figures.column("source_id")
        names = {sid: article_page(sid) for sid in dict.fromkeys(sids)}
        pages = dict(zip(self.position, map(names.__getitem__, sids), strict=True))
        del sids
        for name, kind in (
            ("quantities", "quantity"),
            ("identities", "quantity"),
            ("claims", "claim"),
        ):
            pages.update(dict.fromkeys(self.t[name].column(self.key[name]), PAGES[kind]))
        metrics = self.t["derived"].t.column(self.key["derived"])
        others = [self.figures.t.column("figure_id")] + [
            self.t[n].t.column(self.key[n]) for n in ("quantities", "identities", "claims")
        ]
        shared = metrics.filter(
            pc.is_in(
                metrics,
                value_set=pa.chunked_array([c for o in others for c in o.chunks], pa.string()),
            )
        )
        pages.update(dict.fromkeys(shared.to_pylist(), PAGES["metric"]))
        pages.update(
            dict.fromkeys(self.t["population"].column(self.key["population"]), PAGES["reference"])
        )
        pages.update(dict.fromkeys(self.t["series"].column("series_id"), PAGES["series"]))
        pages.update(
            dict.fromkeys(self.t["series"].column(self.key["series"]), PAGES["series member"])
        )
        return pages

    def _metric_pages(self) -> dict[str, str]:
        return dict.fromkeys(self.t["derived"].column(self.key["derived"]), PAGES["metric"])

    def _beside_figures(self) -> None:
        """Each figure's quantity and the metrics using it, in the figures' order; the claims using
        each id."""
        import numpy as np
        import pyarrow.compute as pc

        q, d = self.t["quantities"], self.t["derived"]
        keys, wanted = (
            q.t.column(self.key["quantities"]).combine_chunks(),
            self.figures.t.column("quantity_id"),
        )
        at = pc.index_in(wanted, value_set=keys)
        if at.null_count:
            raise KeyError(wanted.filter(pc.is_null(at))[0].as_py())
        qpos = np.asarray(at.to_numpy(zero_copy_only=False), dtype=np.int64)
        self.quantity = q.take(qpos, PANEL["quantities"])
        starts, rows = naming(d.t.column("inputs"), keys)
        counts = starts[qpos + 1] - starts[qpos]
        self.metrics_at = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.metric_rows = rows[
            np.repeat(starts[qpos] - self.metrics_at[:-1], counts) + np.arange(self.metrics_at[-1])
        ]
        self.metrics = d.take(self.metric_rows, PANEL["derived"])
        self.claims = self.t["claims"].rows()
        self.claims_of: dict[str, list[int]] = {}
        for k, c in enumerate(self.claims):
            for i in dict.fromkeys([c["figure_id"], *c["inputs"].split()]):
                self.claims_of.setdefault(i, []).append(k)

    def _environment(self):
        """The pages' environment: Jinja's autoescape (markupsafe's entities, &#34; and &#39;)."""
        from jinja2 import Environment, PackageLoader, StrictUndefined

        env = Environment(
            loader=PackageLoader("stopitnow_figures.render"),
            autoescape=True,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        env.filters.update(num=_fmt)
        env.globals.update(interval=interval, href=self.href)
        return env

    def render(self, template: str, **context) -> str:
        base = {
            "title": self.meta["title"],
            "version": self.meta["version"],
            "released": self.released,
        }
        return self.env.get_template(f"reader/{template}").render(**base, **context)

    def figure(self, figure_id: str) -> dict:
        """A figure's row, wherever it is."""
        at = self.position[figure_id]
        return self.figures.rows(at, at + 1)[0]

    # -- marks --
    def figure_mark(self, span, f: dict) -> Mark:
        how = hedge_class(self.qualifiers, f["qualifier"], f["reading"])
        f = self.precision.shown(f["figure_id"], f)
        label = (
            f"{f['as_written']}: figure {f['figure_id']}, {f['qualifier'].replace('_', ' ')}, "
            f"{interval(f['lower'], f['upper'])} {f['unit']}"
        )
        return Mark(span.start, span.end, "figure", f["figure_id"], label, f"mark figure {how}")

    # -- pages --
    def index(self) -> str:
        import pyarrow.compute as pc

        status = self.vocabulary.names("quantities", "status")
        q = self.t["quantities"].t
        conflicts = Columns.of(q.filter(pc.equal(q.column("status"), status.in_conflict))).rows()
        from . import prose

        facts = prose.facts(
            self.sources, self.figures.t.column("period_start"), self.figures.t.column("period_end")
        )
        return self.render(
            "index.html.j2",
            prose=prose.fields(facts),
            sources=self.sources,
            by_year=prose.by_year_and_kind(self.sources),
            kinds=[
                k
                for k in self.vocabulary.enum("sources", "kind")
                if any(s.get("kind") == k for s in self.sources)
            ],
            series_count=len(dict.fromkeys(self.t["series"].column("series_id"))),
            per_source=self.per_source,
            counts=self.counts,
            claims=self.claims,
            conflicts=conflicts,
            page=article_page,
            jsonld=self.dataset(),
        )

    def dataset(self) -> dict:
        """The package as a schema.org ``Dataset`` (JSON-LD, for dataset search): its name,
        description, version, licence, creators, the span of its periods, its places and a
        ``DataDownload`` per data file, addressed relative to the index page."""
        from . import prose

        span = prose.date_span(
            self.figures.t.column("period_start"), self.figures.t.column("period_end")
        )
        return {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": self.meta["title"],
            "description": self.meta["description"],
            "version": self.meta["version"],
            "datePublished": self.released,
            "keywords": list(self.meta["keywords"]),
            "license": self.meta["licenses"][0]["path"],  # the data's (package.yaml lists it first)
            "isAccessibleForFree": True,
            "creator": [
                {"@type": "Organization", "name": c["title"]}
                for c in self.meta["contributors"]
                if "creator" in c.get("roles", [])
            ],
            **({"temporalCoverage": f"{span[0]}/{span[1]}"} if span else {}),
            "spatialCoverage": [
                {"@type": "Place", "name": g["geography"], "identifier": code}
                for code, g in sorted(self.geographies.items())
            ],
            "distribution": [
                {
                    "@type": "DataDownload",
                    "name": path.rsplit("/", 1)[-1],
                    "encodingFormat": media,
                    "contentUrl": relative_to_reader(path),
                }
                for path, media in self.downloads
            ],
        }

    def series_page(self) -> str:
        """Every series with its periods in time order: each member's quantity (its interval, or
        value where the evidence pins it) and each gap."""
        import pyarrow as pa
        import pyarrow.compute as pc

        rows = self.t["series"].rows()
        q = self.t["quantities"].t
        wanted = pa.array(sorted({r["quantity_id"] for r in rows if r["quantity_id"]}), pa.string())
        quantities = {
            r["quantity_id"]: r
            for r in Columns.of(
                q.filter(pc.is_in(q.column("quantity_id"), value_set=wanted))
            ).rows()
        }
        series: dict[str, list[dict]] = {}
        for r in rows:
            quantity = quantities.get(r["quantity_id"])
            point = (
                point_text(
                    self.precision.shown(r["quantity_id"], quantity),
                    quantity["unit"],
                    self.vocabulary.point_words,
                )
                if quantity
                else ""
            )
            series.setdefault(r["series_id"], []).append(r | {"point": point})
        place = {code: g["geography"] for code, g in self.geographies.items()}
        return self.render("series.html.j2", series=series, place=place)

    def conflicts_page(self) -> str:
        """Every set of rows that cannot all hold (``model.conflicts``), once: the quantities it
        touches, each figure of it with its source and quote, each other row by its id, and what was
        set aside."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from ..model.conflicts import conflicts

        q = self.t["quantities"].t
        # the rows in a conflict (few), of the columns the rule reads: not every row as dicts
        marked = q.filter(pc.not_equal(q.column("conflict"), ""))
        read = ["quantity_id", "conflict", "set_aside"]
        found = conflicts(Columns.of(marked.select(read)).rows())
        wanted = pa.array(sorted({r for c in found for r in c.rows}), pa.string())
        f = self.figures.t
        figures = {
            r["figure_id"]: r
            for r in Columns.of(f.filter(pc.is_in(f.column("figure_id"), value_set=wanted))).rows()
        }
        publisher = {s["source_id"]: s["publisher"] for s in self.sources}
        said = {
            fid: (
                publisher[r["source_id"]],
                r["as_written"],
                r["quote"],
                interval(r["lower"], r["upper"]),
            )
            for fid, r in ((x, self.precision.shown(x, y)) for x, y in figures.items())
        }
        return self.render("conflicts.html.j2", conflicts=found, said=said)

    def dictionary_page(self) -> str:
        """The data dictionary: every field of every table, from its schema
        (``prose.dictionary``)."""
        from . import prose

        return self.render("dictionary.html.j2", tables=prose.dictionary(self.schemas))

    def style(self) -> str:
        return self.env.get_template(f"reader/{STYLE}").render()

    def article(self, k: int, text: str, accounted: list, reasons: dict[str, dict]) -> str:
        """The page of source ``k``: its text with every number marked, a panel for each figure, a
        note for each other number."""
        from markupsafe import Markup

        source, a, b = self.sources[k], self.at[k], self.at[k + 1]
        figures, quantities = self.windows[0].rows(a, b), self.windows[1].rows(a, b)
        ma, mb = int(self.metrics_at[a]), int(self.metrics_at[b])
        metrics, at = self.windows[2].rows(ma, mb), (self.metrics_at[a : b + 1] - ma).tolist()
        marks = marks_of(self, {f["figure_id"]: f for f in figures}, text, accounted, reasons)
        cite = self.citation(source)
        panels = [
            self.panel(f, q, metrics[at[j] : at[j + 1]], cite)
            for j, (f, q) in enumerate(zip(figures, quantities, strict=True))
        ]
        body = self.rows.get_template("reader/_text.html.j2").render(
            pieces=text_pieces(text, marks)
        )
        panels_html = self.rows.get_template("reader/_panels.html.j2").render(panels=panels)[
            :-1
        ]  # the page ends the last line
        notes = [
            (m.ref, m.label, text[m.start : m.end], m.start) for m in marks if m.kind == "other"
        ]
        return self.render(
            "article.html.j2",
            source=source,
            text=Markup(body),
            panels=Markup(panels_html),
            notes=notes,
        )

    def citation(self, source: dict) -> Callable[[str], str]:
        """How to cite a figure of the article, as a function of the figure's id: the APA citation
        made once for the article (the same text as ``cite`` gives for each of its figures)."""
        from .citation import cite

        text = cite(self.meta, self.released, "apa", "\x00", "figure", [source])
        if text.count("\x00") != 1:  # the package's own text holds the stand-in: cite each figure
            return lambda figure_id: cite(
                self.meta, self.released, "apa", figure_id, "figure", [source]
            )
        head, tail = text.split("\x00")
        return lambda figure_id: head + figure_id + tail

    def panel(self, f: dict, q: dict, metrics: list[dict], cite: Callable[[str], str]) -> tuple:
        """What a figure's panel shows, in the order ``_panels.html.j2`` names it: the figure's id
        and number as written, its value in words, measure, place (its code, the kind of area of the
        code, None where the geographies do not list it, and the place's note), period, quote and
        reading notes; its quantity's id, page and reconciled value; the claims and metrics that use
        it; and its citation."""
        fid, how = f["figure_id"], hedge_class(self.qualifiers, f["qualifier"], f["reading"])
        f = self.precision.shown(fid, f)
        reading = f"; reading {f['reading']}" if f["reading"] else ""
        value = (
            f"{_fmt(f['value'])} {f['unit']}, interval {interval(f['lower'], f['upper'])} "
            f"({how}: {f['qualifier'].replace('_', ' ')}{reading})"
        )
        code = f["geography_code"]
        kind = self.geographies[code]["kind"] if code in self.geographies else None
        period = f"{f['period_start']} to {f['period_end']}" if f["period_start"] else "none"
        period = f"{period} ({f['period_basis'].replace('_', ' ')}): {f['period_note']}"
        quote = f"“{f['quote']}” (characters {f['char_start']} to {f['char_end']})"
        qid = q["quantity_id"]
        q = self.precision.shown(qid, q)
        described = (
            f"{q['description']}; reconciled {interval(q['lower'], q['upper'])} "
            f"{q['unit']} ({q['status']}, counted as {q['counting']})"
        )
        words, page = self.vocabulary.point_words, PAGES["metric"]
        used = [
            (
                j > 0,
                page,
                d["metric_id"],
                point_text(self.precision.shown(d["metric_id"], d), d["unit"], words),
            )
            for j, d in enumerate(metrics)
        ]
        place = (f["geography"] or "none stated", code, kind, f["geography_note"])
        quantity = (qid, self.href.page(qid), described)
        return (
            fid,
            f["as_written"],
            value,
            f["measure"],
            *place,
            period,
            quote,
            f["notes"],
            *quantity,
            self.panel_claims(f, q),
            used,
            cite(fid),
        )

    def panel_claims(self, f: dict, q: dict) -> list[tuple[str, str, str, str]]:
        """The claims that use the figure or its quantity, each once, by id: (its link, id, verdict,
        explanation as people read it)."""
        using = self.claims_of.get(f["figure_id"], []) + self.claims_of.get(q["quantity_id"], [])
        claims = sorted(
            {c["claim_id"]: c for c in (self.claims[k] for k in using)}.values(),
            key=lambda c: c["claim_id"],
        )
        explained = (self.precision.shown(c["claim_id"], c)["explanation"] for c in claims)
        return [
            (self.href[c["claim_id"]], c["claim_id"], c["verdict"], words)
            for c, words in zip(claims, explained, strict=True)
        ]

    # -- the listing pages --
    def listings(self) -> Iterator[tuple[str, Iterator[str]]]:
        """Each listing page, in pieces (a page holds a section for every row of its tables, too
        large at scale to hold as one string): its template's frame, with the sections of each table
        between its parts."""
        from markupsafe import Markup

        for page, tables in LISTINGS.items():
            frame = self.render(
                f"{page}.j2", sections={name: Markup(f"\x00{name}\x00") for name in tables}
            )
            yield page, self._pieces(frame)

    def _pieces(self, frame: str) -> Iterator[str]:
        for k, piece in enumerate(frame.split("\x00")):
            yield from [piece] if k % 2 == 0 else self.sections(piece, 0, len(self.t[piece]))

    def sections(self, name: str, start: int, stop: int) -> Iterator[str]:
        """The sections of rows [start, stop) of a table (``_<table>.html.j2``), ``BATCH`` rows at a
        time, one after another: each section ends its line, but the last, which the page's frame
        ends."""
        shown = {
            "quantities": self.quantity_shown,
            "identities": self.identity_shown,
            "claims": self.claim_shown,
        }
        shown.update(derived=self.metric_shown, population=self.reference_shown)
        template, show, rows = (
            self.rows.get_template(f"reader/_{name}.html.j2"),
            shown[name],
            self.t[name],
        )
        for a in range(start, stop, BATCH):
            b = min(a + BATCH, stop)
            text = template.render(rows=map(show, rows.rows(a, b)))
            yield text if b < stop else text[:-1]

    # -- what each section shows, in the order its template names it --
    def links(self, ids: str) -> list[tuple[bool, str, str]]:
        """Each id of a space-separated list as (whether one comes before it, its page, the id)."""
        page = self.href.page
        return [(k > 0, page(i), i) for k, i in enumerate(ids.split())]

    def quantity_shown(self, q: dict) -> tuple:
        """A quantity's id, description, reconciled value in words, measure, code and period; the
        links to what set its lower and upper ends, whether it has an upper end, the links to its
        mentions (each with its number as written) and to its identities; the rows it conflicts with
        (None where it conflicts with none) and what was set aside; its rate note and note."""
        shown = self.precision.shown(q["quantity_id"], q)
        value = (
            f"{point_text(shown, q['unit'], self.vocabulary.point_words)}; status {q['status']}; "
            f"counted as {q['counting']}"
        )
        mentions = [
            (later, page, m, self.written[self.position[m]])
            for later, page, m in self.links(q["mentions"])
        ]
        conflict = self.links(q["conflict"]) if q["conflict"] else None
        where = (q["measure"], q["geography_code"], q["period_start"], q["period_end"])
        ends = (self.links(q["lower_by"]), self.links(q["upper_by"]), bool(q["upper"]))
        return (
            q["quantity_id"],
            q["description"],
            value,
            *where,
            *ends,
            mentions,
            self.links(q["identities"]),
            conflict,
            q["set_aside"],
            q["rate_note"],
            q["note"],
        )

    def identity_shown(self, r: dict) -> tuple:
        """An identity's id, its sides and relation, the links to its quantities, its basis and
        note."""
        return (
            r["identity_id"],
            r["left"],
            r["relation"],
            r["right"],
            self.links(r["inputs"]),
            r["basis"],
            r["note"],
        )

    def claim_shown(self, c: dict) -> tuple:
        """A claim's id and verdict; the figure that states it (its link, id and number as written),
        the relation and what it states; the rest of the evidence (the value computed, its interval
        and formula), the links to its inputs, and its explanation (its numbers as people read
        them)."""
        fid, shown = c["figure_id"], self.precision.shown(c["claim_id"], c)
        stated = (
            self.href[fid],
            fid,
            self.written[self.position[fid]],
            c["relation"],
            shown["stated"],
            shown["stated_lower"],
            shown["stated_upper"],
        )
        evidence = (shown["computed"], shown["lower"], shown["upper"], c["formula"])
        return (
            c["claim_id"],
            c["verdict"],
            *stated,
            *evidence,
            self.links(c["inputs"]),
            shown["explanation"],
        )

    def metric_shown(self, d: dict) -> tuple:
        """A metric's id and kind, its value in words, formula, the links to its inputs, and its
        description."""
        value = point_text(
            self.precision.shown(d["metric_id"], d), d["unit"], self.vocabulary.point_words
        )
        return (
            d["metric_id"],
            d["kind"],
            value,
            d["formula"],
            self.links(d["inputs"]),
            d["description"],
        )

    def reference_shown(self, p: dict) -> tuple:
        """A reference row's id, value, place (name and code), year, publisher, table, address,
        certainty and note."""
        place = (p["geography"], p["geography_code"])
        return (
            p["population_id"],
            p["value"],
            *place,
            p["year"],
            p["publisher"],
            p["table"],
            p["url"],
            p["certainty"],
            p["note"],
        )


def rows_environment():
    """The environment of the parts written a row at a time (``_x.html.j2``): every value a template
    writes is escaped by ``html_text``, as Jinja's autoescape would escape it, but with the entities
    these parts have always had, and at a fifth of the cost (markupsafe makes a ``Markup`` of each
    value; a million figures write some fifty million). So no macro or ``{% set %}`` block may be
    used in them: their output would be escaped again."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("stopitnow_figures.render"),
        autoescape=False,
        finalize=html_text,
        undefined=StrictUndefined,
    )
    env.filters.update(num=_fmt, interval=interval, words=lambda text: text.replace("_", " "))
    return env
