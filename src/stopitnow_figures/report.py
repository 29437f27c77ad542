"""report: a Great Expectations quality report over the published package,
charts, and a datasheet.

The expectations check the package as a reader sees it, across tables (the
Table Schema rules pandera enforces are not restated): every id unique across
the whole package, every reference resolving, bounds and periods ordered, no
period after its article appeared, values within what their unit allows,
places from the documented vocabulary, every quote at its offsets in its
article, every relation an article states checked by a claim, and each
verdict agreeing with its intervals. One checkpoint per view, run with
analytics off; Great Expectations is imported here only.

On success: processed/quality.json, processed/quality_report.html (one
self-contained page: no scripts, no styles or fonts from the network),
processed/charts/*.svg and processed/datasheet.md. On failure the report is
written to build/ instead, marking what failed, and the stage exits non-zero.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import sys
from pathlib import Path

from . import raw
from .csvio import atomic_write_text, read_table
from .errors import Collector, InputError, Problem
from .paths import PUBLISHED_TABLES, Paths
from .schema import field_names, load_schema
from .sources import rel

COUNT_UNITS = ("people", "calls", "visits", "views", "arrests per month", "people per month", "calls per month")
RELATION_MEASURES = ("percentage_change", "share", "multiple", "difference")


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    tables = {}
    for name in PUBLISHED_TABLES:
        rows = read_table(paths.table(name), field_names(load_schema(paths.schema(name))), problems, display=rel(paths, paths.table(name)))
        tables[name] = [r.cells for r in rows]
    places = read_table(
        paths.raw_places,
        raw.PLACES,
        problems,
        display=rel(paths, paths.raw_places),
    )
    problems.raise_if_any()
    descriptor = json.loads(paths.datapackage.read_text(encoding="utf-8"))
    texts = {s["source_id"]: (paths.root / s["text_path"]).read_bytes() for s in tables["sources"]}

    # -- process -----------------------------------------------------------
    views = reader_views(tables, texts, {p["geography_code"] for p in places if p["geography_code"]})
    results = run_checkpoints(views)
    ok = all(r["success"] for c in results for r in c["results"])
    page = render_html(descriptor, results)
    summary = json.dumps({"success": ok, "checkpoints": results}, indent=2, ensure_ascii=False, default=str) + "\n"
    if not ok:
        atomic_write_text(paths.build / "quality_report.html", page)
        atomic_write_text(paths.build / "quality.json", summary)
        failed = [(c["name"], r) for c in results for r in c["results"] if not r["success"]]
        raise InputError(
            [
                Problem(
                    f"processed/{c}.csv" if c in PUBLISHED_TABLES else "datapackage.json",
                    None,
                    r["column"],
                    "expectation-failed",
                    ", ".join(map(str, r["examples"])),
                    f"{r['description']} ({r['unexpected_count']} rows); report: build/quality_report.html",
                )
                for c, r in failed
            ]
        )
    charts = draw_charts(paths, tables)
    datasheet = render_datasheet(descriptor, tables, results, charts)

    # -- save outputs ------------------------------------------------------
    atomic_write_text(paths.processed / "quality.json", summary)
    atomic_write_text(paths.processed / "quality_report.html", page)
    atomic_write_text(paths.processed / "datasheet.md", datasheet)


def reader_views(tables: dict, texts: dict[str, bytes], place_codes: set[str]) -> dict:
    """The tables as a reader joins them, with the columns the expectations need."""
    import pandas as pd

    sources = {s["source_id"]: s for s in tables["sources"]}
    ids = {"figures": "figure_id", "derived": "metric_id", "claims": "claim_id", "population": "population_id", "sources": "source_id"}
    all_ids = sorted(r[key] for name, key in ids.items() for r in tables[name])
    known_inputs = set(all_ids)
    claimed = {c["figure_id"] for c in tables["claims"]}
    population_codes = {p["geography_code"] for p in tables["population"]}

    def num(v):
        return None if v == "" else float(v)

    def date(v):
        return pd.NaT if v == "" else pd.Timestamp(v)

    fig_rows = []
    for f in tables["figures"]:
        text = texts.get(f["source_id"], b"").decode("utf-8", errors="replace")
        s = sources.get(f["source_id"], {})
        fig_rows.append(
            {
                "figure_id": f["figure_id"],
                "source_id": f["source_id"],
                "lower": num(f["lower"]),
                "upper": num(f["upper"]),
                "count_value": num(f["value"]) if f["unit"] in COUNT_UNITS else None,
                "share_value": num(f["value"]) if f["measure"] == "share" else None,
                "period_start": date(f["period_start"]),
                "period_end": date(f["period_end"]),
                "published_latest": date(s.get("published_latest", "")),
                "geography_code": f["geography_code"] or None,
                "quote_at_offsets": text[int(f["char_start"]) : int(f["char_end"])] == f["quote"],
                "relation_checked": (f["figure_id"] in claimed) if f["measure"] in RELATION_MEASURES else None,
            }
        )
    der_rows = [
        {
            "metric_id": d["metric_id"],
            "lower": num(d["lower"]),
            "upper": num(d["upper"]),
            "rate_value": num(d["value"]) if d["unit"] == "per 100,000 people" else None,
            "share_value": num(d["value"]) if d["kind"] == "share" else None,
            "period_start": date(d["period_start"]),
            "period_end": date(d["period_end"]),
            "inputs_resolve": all(i in known_inputs for i in d["inputs"].split()),
            "geography_code": d["geography_code"] or None,
        }
        for d in tables["derived"]
    ]
    claim_rows = []
    for c in tables["claims"]:
        slo, shi, lo, hi = (num(c[k]) for k in ("stated_lower", "stated_upper", "lower", "upper"))
        meets = (slo is None or hi is None or slo <= hi + 1e-9) and (lo is None or shi is None or lo <= shi + 1e-9)
        agrees = None if c["verdict"] == "not_checkable" else (meets == (c["verdict"] == "consistent"))
        claim_rows.append(
            {
                "claim_id": c["claim_id"],
                "figure_id": c["figure_id"],
                "inputs_resolve": all(i in known_inputs for i in c["inputs"].split()),
                "verdict_agrees": agrees,
                "lower": lo,
                "upper": hi,
            }
        )
    src_rows = [
        {
            "source_id": s["source_id"],
            "published_earliest": date(s["published_earliest"]),
            "published_latest": date(s["published_latest"]),
            "text_matches_hash": hashlib.sha256(texts.get(s["source_id"], b"")).hexdigest() == s["sha256"],
        }
        for s in tables["sources"]
    ]
    pop_rows = [{"population_id": p["population_id"], "value": float(p["value"]), "year": int(p["year"])} for p in tables["population"]]
    return {
        "package": (pd.DataFrame({"id": all_ids}), []),
        "sources": (pd.DataFrame(src_rows), []),
        "figures": (pd.DataFrame(fig_rows), [sorted(sources), sorted(place_codes)]),
        "derived": (pd.DataFrame(der_rows), [sorted(place_codes | population_codes)]),
        "claims": (pd.DataFrame(claim_rows), [sorted(f["figure_id"] for f in tables["figures"])]),
        "population": (pd.DataFrame(pop_rows), []),
    }


def expectations(name: str, sets: list):
    """(expectation, column, plain words) for one view."""
    import great_expectations.expectations as gxe

    def pair(a, b, words):
        return (
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=a, column_B=b, or_equal=True, ignore_row_if="either_value_is_missing"),
            a,
            words,
        )

    if name == "package":
        return [
            (
                gxe.ExpectColumnValuesToBeUnique(column="id"),
                "id",
                "every id (source, figure, metric, claim, reference row) is unique across the whole package",
            )
        ]
    if name == "sources":
        return [
            pair("published_latest", "published_earliest", "each article's publication window is ordered"),
            (
                gxe.ExpectColumnValuesToBeInSet(column="text_matches_hash", value_set=[True]),
                "text_matches_hash",
                "each article text matches its recorded sha256",
            ),
        ]
    if name == "figures":
        source_ids, codes = sets
        return [
            (
                gxe.ExpectColumnValuesToBeInSet(column="source_id", value_set=source_ids),
                "source_id",
                "every figure's article is in the sources table",
            ),
            pair("upper", "lower", "every interval is ordered (lower <= upper)"),
            pair("period_end", "period_start", "every period is ordered"),
            pair("published_latest", "period_end", "no period ends after its article appeared"),
            (gxe.ExpectColumnValuesToBeBetween(column="count_value", min_value=0), "count_value", "counts are never negative"),
            (
                gxe.ExpectColumnValuesToBeBetween(column="share_value", min_value=0, max_value=100),
                "share_value",
                "shares lie between 0 and 100 per cent",
            ),
            (
                gxe.ExpectColumnValuesToBeInSet(column="geography_code", value_set=codes),
                "geography_code",
                "every place code is one documented in raw/places.csv",
            ),
            (
                gxe.ExpectColumnValuesToBeInSet(column="quote_at_offsets", value_set=[True]),
                "quote_at_offsets",
                "every figure's quote is the text of its article at its offsets",
            ),
            (
                gxe.ExpectColumnValuesToBeInSet(column="relation_checked", value_set=[True]),
                "relation_checked",
                "every relation an article states (change, share, multiple, difference) has a claim check",
            ),
        ]
    if name == "derived":
        (codes,) = sets
        return [
            (
                gxe.ExpectColumnValuesToBeInSet(column="inputs_resolve", value_set=[True]),
                "inputs_resolve",
                "every input id resolves to a figure, metric or reference row",
            ),
            pair("upper", "lower", "every interval is ordered"),
            pair("period_end", "period_start", "every period is ordered"),
            (
                gxe.ExpectColumnValuesToBeBetween(column="rate_value", min_value=0, max_value=100000),
                "rate_value",
                "rates per 100,000 lie between 0 and 100,000",
            ),
            (
                gxe.ExpectColumnValuesToBeBetween(column="share_value", min_value=0, max_value=100),
                "share_value",
                "shares lie between 0 and 100 per cent",
            ),
            (gxe.ExpectColumnValuesToBeInSet(column="geography_code", value_set=codes), "geography_code", "every place code is documented"),
        ]
    if name == "claims":
        (figure_ids,) = sets
        return [
            (
                gxe.ExpectColumnValuesToBeInSet(column="figure_id", value_set=figure_ids),
                "figure_id",
                "every claim's figure is in the figures table",
            ),
            (gxe.ExpectColumnValuesToBeInSet(column="inputs_resolve", value_set=[True]), "inputs_resolve", "every input id resolves"),
            (
                gxe.ExpectColumnValuesToBeInSet(column="verdict_agrees", value_set=[True]),
                "verdict_agrees",
                "every verdict agrees with its intervals (consistent exactly where stated and computed meet)",
            ),
            pair("upper", "lower", "every computed interval is ordered"),
        ]
    return [
        (
            gxe.ExpectColumnValuesToBeBetween(column="value", min_value=1000, max_value=100_000_000),
            "value",
            "population estimates lie in a plausible range for UK areas",
        ),
        (
            gxe.ExpectColumnValuesToBeBetween(column="year", min_value=2010, max_value=2025),
            "year",
            "estimate years fall near the articles' years",
        ),
    ]


def run_checkpoints(views: dict) -> list[dict]:
    """One Great Expectations checkpoint per view; results without run ids or times."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx

    ctx = gx.get_context(mode="ephemeral")
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # progress bars are cosmetic
        pass
    source = ctx.data_sources.add_pandas("package")
    out = []
    for name, (frame, sets) in views.items():
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
        suite = ctx.suites.add(gx.ExpectationSuite(name=name))
        described = expectations(name, sets)
        for exp, _, _ in described:
            suite.add_expectation(exp)
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=name))
        cp = ctx.checkpoints.add(gx.Checkpoint(name=f"package-{name}", validation_definitions=[vd], result_format="SUMMARY"))
        result = cp.run(batch_parameters={"dataframe": frame})
        (vr,) = result.run_results.values()
        rows = []
        for r, (_, column, words) in zip(vr.results, described, strict=False):
            d = r.to_json_dict()
            res = d.get("result") or {}
            rows.append(
                {
                    "expectation": d["expectation_config"]["type"],
                    "column": column,
                    "description": words,
                    "success": bool(d["success"]),
                    "unexpected_count": int(res.get("unexpected_count") or 0),
                    "examples": [str(x) for x in (res.get("partial_unexpected_list") or [])[:5]],
                }
            )
        out.append({"name": name, "checkpoint": f"package-{name}", "rows": len(frame), "results": rows})
    return out


CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:0 0 2rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.pass{color:#1b7837;font-weight:bold}.fail{color:#c2185b;font-weight:bold}code{font-size:.9em}"""


def render_html(descriptor: dict, results: list[dict]) -> str:
    """One self-contained page: inline styles, no scripts, no external resources."""
    e = html.escape
    title = f"Stop It Now! figures {descriptor['version']}: quality report"
    total = sum(len(c["results"]) for c in results)
    passed = sum(r["success"] for c in results for r in c["results"])
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>Great Expectations checkpoints over the published package ({e(descriptor['created'][:10])}): "
        f"<strong>{passed} of {total}</strong> expectations met. Each table is checked as a reader joins it with the others.</p>",
    ]
    for c in results:
        parts.append(f'<h2 id="{e(c["name"])}">{e(c["name"])}</h2>')
        parts.append(f"<p>Checkpoint <code>{e(c['checkpoint'])}</code>, {c['rows']} rows.</p>")
        parts.append("<table><tr><th>result</th><th>what is checked</th><th>expectation</th><th>unexpected</th><th>examples</th></tr>")
        for r in c["results"]:
            cls, word = ("pass", "passed") if r["success"] else ("fail", "FAILED")
            parts.append(
                f'<tr><td class="{cls}">{word}</td><td>{e(r["description"])}</td><td><code>{e(r["expectation"])}</code> on <code>{e(r["column"])}</code></td>'
                f"<td>{r['unexpected_count']}</td><td>{e(', '.join(r['examples']))}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def draw_charts(paths: Paths, tables: dict) -> list[str]:
    from . import charts

    out = paths.processed / "charts"
    files = {
        "help_seeking.svg": charts.help_seeking(tables["figures"]),
        "scottish_cities.svg": charts.scottish_cities(tables["figures"], tables["derived"]),
        "claims.svg": charts.claims_chart(tables["claims"]),
    }
    for name, fig in files.items():
        charts.save_svg(fig, out / name)
    return sorted(files)


def render_datasheet(descriptor: dict, tables: dict, results: list[dict], charts: list[str]) -> str:
    from .datasheet import render

    return render(descriptor, tables, results, charts)


def main(argv: list[str] | None = None) -> int:
    from .stage import run_stage

    return run_stage("report", run, argv)


if __name__ == "__main__":
    sys.exit(main())
