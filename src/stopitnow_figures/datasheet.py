"""The datasheet of the package, after Gebru et al., "Datasheets for Datasets":
written sections (``templates/datasheet.md.j2``) with counts, tables and
charts computed from the package, and the hedges described from the
vocabulary and the parameters that define them."""

from __future__ import annotations

from collections import Counter

from .vocab import Vocabulary


def render(vocabulary: Vocabulary, descriptor: dict, tables: dict, results: list[dict], charts: list[dict], hedge_params: dict) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("stopitnow_figures"), autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)
    env.globals.update(table=markdown_table, counts=counts)
    return env.get_template("datasheet.md.j2").render(context(vocabulary, descriptor, tables, results, charts, hedge_params))


def context(vocabulary: Vocabulary, descriptor: dict, tables: dict, results: list[dict], charts: list[dict], hedge_params: dict) -> dict:
    verdict = vocabulary.names("claims", "verdict")
    per_source = Counter(f["source_id"] for f in tables["figures"])
    flagged = [c for c in tables["claims"] if c["verdict"] in (verdict.inconsistent, verdict.consistent_within_rounding)]
    return {
        "title": descriptor["title"],
        "version": descriptor["version"],
        "created": descriptor["created"][:10],
        "resources": [[r["name"], str(len(tables[r["name"]]))] for r in descriptor["resources"]],
        "articles": [[s["source_id"], s["publisher"], str(per_source[s["source_id"]])] for s in tables["sources"]],
        "qualifiers": Counter(f["qualifier"] for f in tables["figures"]),
        "kinds": Counter(d["kind"] for d in tables["derived"]),
        "charts": charts,
        "hedges": hedge_rows(vocabulary, hedge_params),
        "verdicts": Counter(c["verdict"] for c in tables["claims"]),
        "flagged": [[c["claim_id"], c["verdict"], c["stated"], c["computed"], c["explanation"]] for c in flagged],
        "licences": ", ".join(lic["name"] for lic in descriptor["licenses"]),
        "passed": sum(r["success"] for c in results for r in c["results"]),
        "total": sum(len(c["results"]) for c in results),
    }


def hedge_rows(vocabulary: Vocabulary, params: dict) -> list[list[str]]:
    """Each qualifier, the words that give it, and its interval in words, from the vocabulary and params.yaml."""
    words: dict[str, list[str]] = {}
    for phrase, qualifier in vocabulary.hedges:
        words.setdefault(qualifier, []).append(f'"{phrase}"')
    widths, vague = params["hedge_widths"], params["vague_ranges"]
    shapes = {
        "point": lambda q: "[v, v]",
        "half_unit": lambda q: (
            f"v ± half a unit of its last {'significant' if params['coarse_rounding'] else 'written'} digit "
            f'(a word multiple such as "double": v(1 ± {params["word_multiple_width"]}))'
        ),
        "around": lambda q: f"v ± d, d the smaller of {widths[q]['share']}v and {widths[q]['units']:g} units of v's last significant digit",
        "below": lambda q: (
            f"[v - d, v], d the smaller of {widths[q]['share']}v and {widths[q]['units']:g} units of v's last significant digit"
        ),
        "lower_bound": lambda q: "[v, unbounded)",
        "upper_bound": lambda q: "(unbounded, v]; a count, share or multiple is never below 0",
        "vague_range": lambda q: "; ".join(f"{w} [{lo:,}, {hi:,}]" for w, (lo, hi) in vague.items()) + " (v is the lower end)",
    }
    unhedged = {vocabulary.unhedged_count: "none, on a count", vocabulary.unhedged_other: "none, on a percentage, fraction or multiple"}
    rows = []
    for q in vocabulary.qualifiers:
        said = ", ".join(words.get(q, [])) or unhedged.get(q, "a vague count word" if q == vocabulary.vague else "")
        rows.append([q, said, shapes[vocabulary.intervals[q]](q)])
    return rows


def markdown_table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(out)


def counts(counter: Counter, spaced: bool = False) -> str:
    """ "name n, name n" in name order (underscores as spaces where ``spaced``)."""
    return ", ".join(f"{k.replace('_', ' ') if spaced else k} {v}" for k, v in sorted(counter.items()))
