"""The datasheet of the package, after Gebru et al., "Datasheets for Datasets":
written sections (``templates/datasheet.md.j2``) with counts, tables and
charts computed from the package, and the hedges described from the
vocabulary and the parameters that define them. What it says of the sources
(how many, of which kinds, by whom, in which years) comes from ``prose``,
as the package's title and description do: the template types no count or
year of the data.

Everything the template prints from the data (a publisher, a headline, a note)
passes through ``markup_escaped``: a renderer that passes raw HTML through, as
many Markdown renderers do, finds no element in it."""

from __future__ import annotations

from collections import Counter

from ..tables.numbers import Precision
from ..tables.vocab import Vocabulary
from . import prose


def render(
    vocabulary: Vocabulary,
    descriptor: dict,
    tables: dict,
    results: list[dict],
    charts: list[dict],
    hedge_params: dict,
) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("stopitnow_figures.render"),
        autoescape=False,
        finalize=markup_escaped,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals.update(table=markdown_table, counts=counts)
    return env.get_template("datasheet.md.j2").render(
        context(vocabulary, descriptor, tables, results, charts, hedge_params)
    )


def markup_escaped(value: object) -> str:
    """What a template prints, with the three characters that open or close HTML (&, <, >) written
    as character references, which Markdown shows as those characters: text from the data starts no
    element, entity or comment. (Jinja's autoescape would also rewrite quotes, which Markdown shows
    as they are.)"""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def context(
    vocabulary: Vocabulary,
    descriptor: dict,
    tables: dict,
    results: list[dict],
    charts: list[dict],
    hedge_params: dict,
) -> dict:
    verdict = vocabulary.names("claims", "verdict")
    per_source = Counter(f["source_id"] for f in tables["figures"])
    flagged = [
        c
        for c in tables["claims"]
        if c["verdict"] in (verdict.inconsistent, verdict.consistent_within_rounding)
    ]
    precision, people = for_people(tables)
    facts = prose.facts(tables["sources"], *_periods(tables["figures"]))
    return {
        "title": descriptor["title"],
        "prose": prose.fields(facts),
        "population_publishers": prose.listing(
            sorted({p["publisher"] for p in tables["population"] if p["publisher"]})
        ),
        "version": descriptor["version"],
        "created": descriptor["created"][:10],
        "resources": [[r["name"], str(len(tables[r["name"]]))] for r in _tables(descriptor)],
        "articles": [
            [s["source_id"], s["publisher"], str(per_source[s["source_id"]])]
            for s in tables["sources"]
        ],
        "coverage": coverage_rows(vocabulary, tables["sources"], tables["figures"]),
        "not_added": not_added_rows(tables.get("pages_not_added", [])),
        "qualifiers": Counter(f["qualifier"] for f in tables["figures"]),
        "kinds": Counter(d["kind"] for d in tables["derived"]),
        "charts": charts,
        "hedges": hedge_rows(vocabulary, hedge_params),
        "verdicts": Counter(c["verdict"] for c in tables["claims"]),
        "flagged": [
            [c["claim_id"], c["verdict"], c["stated"], c["computed"], c["explanation"]]
            for c in (precision.shown(c["claim_id"], c) for c in flagged)
        ],
        "figure_count": len(tables["figures"]),
        "quantities": len(tables["quantities"]),
        "mentioned": len({f["quantity_id"] for f in tables["figures"]}),
        "identities": len(tables["identities"]),
        "statuses": Counter(q["status"] for q in tables["quantities"]),
        "bases": Counter(q["value_basis"] for q in tables["quantities"]),
        "derived_bases": Counter(d["value_basis"] for d in tables["derived"]),
        "point_words": vocabulary.point_words,
        "unpinned": unpinned_rows(vocabulary, people["quantities"]),
        "conflicts": conflict_rows(people),
        "conflict_quotes": conflict_quotes(people),
        "unrated": unrated(vocabulary, tables),
        "example": worked_example(vocabulary, people),
        **rights(descriptor),
        "dictionary": dictionary_rows(descriptor),
        "passed": sum(r["success"] for c in results for r in c["results"]),
        "total": sum(len(c["results"]) for c in results),
    }


def _periods(figures: list[dict]) -> tuple[list[str], list[str]]:
    """The figures' period starts and ends, as ``prose.facts`` takes them."""
    return [f["period_start"] for f in figures], [f["period_end"] for f in figures]


def rights(descriptor: dict) -> dict[str, str]:
    """The licences' names and the notice of whose the quoted words are, from the descriptor."""
    return {
        "licences": ", ".join(lic["name"] for lic in descriptor["licenses"]),
        "rights": descriptor["stopitnow:quotesNotice"],
    }


def not_added_rows(pages: list[dict]) -> list[list[str]]:
    """The pages found and not added (raw/pages_not_added.csv), by publication date (unknown last):
    when, who, the reason and the address."""

    def when(p: dict) -> str:
        a, b = p["published_earliest"], p["published_latest"]
        span = a if a == b else f"{a or '?'} to {b or '?'}"
        return f"{span} ({p['date_basis']})" if a or b else "unknown"

    ordered = sorted(pages, key=lambda p: (p["published_earliest"] or "9999", p["url"]))
    return [[when(p), p["publisher"], p["reason"], p["url"]] for p in ordered]


def for_people(tables: dict) -> tuple[Precision, dict]:
    """The significant figures each row supports (``tables.numbers``), and the tables with their
    figures and quantities as a person reads them: what the datasheet prints of them."""
    precision = Precision.of_tables(tables)
    people = {
        **tables,
        "figures": [precision.shown(f["figure_id"], f) for f in tables["figures"]],
        "quantities": [precision.shown(q["quantity_id"], q) for q in tables["quantities"]],
    }
    return precision, people


def _tables(descriptor: dict) -> list[dict]:
    """The descriptor's tables (its other resources are files: pages, charts, reports)."""
    return [r for r in descriptor["resources"] if "schema" in r]


def dictionary_rows(descriptor: dict) -> list[tuple[str, str, list[list[str]]]]:
    """The data dictionary's section: each table, its primary key and a row per field (name, type,
    unit, constraints, description), from the schemas the descriptor carries (schemas/ as is)."""
    return [
        (t["table"], t["primary_key"], [list(f.values()) for f in t["fields"]])
        for t in prose.dictionary(
            ((r["name"], r["schema"]) for r in _tables(descriptor)), code=lambda v: f"`{v}`"
        )
    ]


def nations_of(vocabulary: Vocabulary, codes) -> list[str]:
    """The nations the places of ``codes`` lie in (a union's members each), by the first letter of
    their GSS codes (schemas/vocabulary.json places.nations), in the vocabulary's order;
    ``no_nation`` where none is named."""
    letters = {member[:1] for code in codes if code for member in code.split(vocabulary.union_join)}
    return [name for letter, name in vocabulary.nations.items() if letter in letters] or [
        vocabulary.no_nation
    ]


def coverage_rows(
    vocabulary: Vocabulary, sources: list[dict], figures: list[dict]
) -> list[list[str]]:
    """The sources by the year they were published in, the nation of the places their figures name
    and their kind (``prose.by_year_and_kind``): a row for each, with how many sources and which. A
    source whose figures name places in two nations is counted under each."""
    codes: dict[str, set[str]] = {}
    for f in figures:
        codes.setdefault(f["source_id"], set()).add(f["geography_code"])
    rows = []
    for year, by_kind in prose.by_year_and_kind(sources):
        cells: dict[tuple[str, str], list[str]] = {}
        for kind, listed in by_kind.items():
            for s in listed:
                for nation in nations_of(vocabulary, codes.get(s["source_id"], ())):
                    cells.setdefault((nation, kind), []).append(s["source_id"])
        order = list(vocabulary.nations.values()) + [vocabulary.no_nation]
        for (nation, kind), ids in sorted(
            cells.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])
        ):
            rows.append([year, nation, kind, str(len(ids)), ", ".join(ids)])
    return rows


def unrated(vocabulary: Vocabulary, tables: dict) -> list[list[str]]:
    """Each quantity without a rate per head, with why (its rate_note, which derive writes where it
    decides rates)."""
    return [
        [q["quantity_id"], q["rate_note"]]
        for q in sorted(tables["quantities"], key=lambda q: q["quantity_id"])
        if q["rate_note"]
    ]


def unpinned_rows(vocabulary: Vocabulary, quantities: list[dict]) -> list[list[str]]:
    """Each quantity the evidence does not pin to one value: its interval, the point the table gives
    (if any) and what that point is, so that the datasheet never shows a convention as a number."""
    pinned = vocabulary.names("quantities", "value_basis").pinned
    return [
        [q["quantity_id"], _interval(q), q["unit"], q["value"] or "-", q["value_basis"]]
        for q in sorted(quantities, key=lambda q: q["quantity_id"])
        if q["value_basis"] != pinned
    ]


def conflict_rows(tables: dict) -> list[list[str]]:
    """Each quantity in a set whose rows cannot all hold: its status, the rows, and what of it was
    set aside."""
    return [
        [
            q["quantity_id"],
            q["status"],
            q["conflict"],
            q["set_aside"] or "nothing of its own",
            _interval(q),
        ]
        for q in tables["quantities"]
        if q["conflict"]
    ]


def conflict_quotes(tables: dict) -> list[list[str]]:
    """Each conflict once (``model.conflicts``), a row for each of its rows with what it says: a
    figure as its source printed it (publisher, quote, and the interval it was read as), another row
    by its id."""
    from ..model.conflicts import conflicts

    figures = {f["figure_id"]: f for f in tables["figures"]}
    publisher = {s["source_id"]: s["publisher"] for s in tables["sources"]}

    def said(r: str, aside: tuple[str, ...]) -> str:
        f = figures.get(r)
        what = (
            f'{publisher[f["source_id"]]}: "{f["quote"]}" ({r}, read as {_interval(f)})' if f else r
        )
        return what + (" (set aside)" if r in aside else "")

    return [
        [c.conflict_id, r, said(r, c.set_aside)]
        for c in conflicts(tables["quantities"])
        for r in c.rows
    ]


def _interval(row: dict) -> str:
    lo, hi = row["lower"] or "unbounded", row["upper"] or "unbounded"
    return lo if lo == hi else f"[{lo}, {hi}]"


def worked_example(vocabulary: Vocabulary, tables: dict) -> dict | None:
    """The datasheet's worked example, chosen from the data: the first quantity (by id) counted as
    distinct people that a total-and-parts identity takes part in and that the evidence tightened
    beyond what its mentions state."""
    statuses = vocabulary.names("quantities", "status")
    sums = {
        i["identity_id"]: i
        for i in tables["identities"]
        if i["relation"] == vocabulary.names("identities", "relation").sum_of_parts
    }
    figures = {f["figure_id"]: f for f in tables["figures"]}
    for q in sorted(tables["quantities"], key=lambda q: q["quantity_id"]):
        ids = [i for i in q["identities"].split() if i in sums]
        if q["status"] == statuses.tightened and q["mentions"] and ids:
            identities = {i["identity_id"]: i for i in tables["identities"]}
            linked = dict.fromkeys(
                x
                for i in q["identities"].split()
                for x in identities[i]["inputs"].split()
                if x != q["quantity_id"]
            )
            by_quantity = {}
            for f in tables["figures"]:
                by_quantity.setdefault(f["quantity_id"], []).append(f)

            def said(fs):
                return "; ".join(
                    f'"{f["as_written"]}" ({f["figure_id"]}: {_interval(f)})' for f in fs
                )

            return {
                "quantity": q,
                "interval": _interval(q),
                "said": said(figures[m] for m in q["mentions"].split()),
                "linked": said(f for x in linked for f in by_quantity.get(x, [])),
                "sum": sums[ids[0]],
                "others": [i for i in q["identities"].split() if i not in sums],
            }
    return None


def hedge_rows(vocabulary: Vocabulary, params: dict) -> list[list[str]]:
    """Each qualifier, the words that give it, and its interval in words, from the vocabulary and
    params.yaml."""
    words: dict[str, list[str]] = {}
    for phrase, qualifier in vocabulary.hedges:
        words.setdefault(qualifier, []).append(f'"{phrase}"')
    widths, vague = params["hedge_widths"], params["vague_ranges"]
    shapes = {
        "point": lambda q: "[v, v]",
        "half_unit": lambda q: (
            "v ± half a unit of its last "
            f"{'significant' if params['coarse_rounding'] else 'written'} digit "
            f'(a word multiple such as "double": v(1 ± {params["word_multiple_width"]}))'
        ),
        "around": lambda q: (
            f"v ± d, d the smaller of {widths[q]['share']}v and {widths[q]['units']:g} units of "
            "v's last significant digit"
        ),
        "below": lambda q: (
            f"[v - d, v], d the smaller of {widths[q]['share']}v and {widths[q]['units']:g} units "
            "of v's last significant digit"
        ),
        "lower_bound": lambda q: "[v, unbounded)",
        "upper_bound": lambda q: "(unbounded, v]; a count, share or multiple is never below 0",
        "vague_range": lambda q: (
            "; ".join(f"{w} [{lo:,}, {hi:,}]" for w, (lo, hi) in vague.items())
            + " (v is the lower end)"
        ),
    }
    unhedged = {
        vocabulary.unhedged_count: "none, on a count",
        vocabulary.unhedged_other: "none, on a percentage, fraction or multiple",
    }
    rows = []
    for q in vocabulary.qualifiers:
        said = ", ".join(words.get(q, [])) or unhedged.get(
            q, "a vague count word" if q == vocabulary.vague else ""
        )
        rows.append([q, said, shapes[vocabulary.intervals[q]](q)])
    return rows


def markdown_table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(out)


def counts(counter: Counter, spaced: bool = False) -> str:
    """ "name n, name n" in name order (underscores as spaces where ``spaced``)."""
    return ", ".join(
        f"{k.replace('_', ' ') if spaced else k} {v}" for k, v in sorted(counter.items())
    )
