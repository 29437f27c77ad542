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
processed/charts/*.svg and processed/datasheet.md, and the verdict "pass" with
the sha256 of every candidate file it checked and wrote (``approval``), which
publish requires. On failure the report is written to build/ instead,
marking what failed, the verdict is "fail", and the stage exits non-zero.
"""

from __future__ import annotations

__all__ = ["main", "run"]  # what a command may call (tests/test_layout.py)

import hashlib
import json
import os
import sys
from pathlib import Path

from ..publishing import approval
from ..render.quality import quality_page
from ..tables import config, raw, vocab
from ..tables.csvio import atomic_write_text, read_table
from ..tables.errors import Collector, InputError, Problem
from ..tables.paths import PUBLISHED_TABLES, Paths
from ..tables.schema import field_names, load_schema, package_tables
from ..tables.vocab import Vocabulary


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    vocabulary = vocab.load(paths.schemas)
    params = config.read(paths, "params", problems)
    checked = approval.digests(
        paths, [p for p in approval.built_by_package(paths.candidate) if p.is_file()]
    )
    rate_per = params.get("derive", {}).get("rate_per")
    tables = {
        name: [r.cells for r in t]
        for name, t in package_tables(paths, paths.candidate, problems).items()
    }
    raw_lines = raw_rows(paths, problems)
    not_added = pages_not_added(paths, problems)
    problems.raise_if_any()
    descriptor = json.loads(paths.candidate.datapackage.read_text(encoding="utf-8"))
    texts = {s["source_id"]: (paths.root / s["text_path"]).read_bytes() for s in tables["sources"]}

    # -- process -----------------------------------------------------------
    views = reader_views(
        vocabulary, tables, texts, {g["geography_code"] for g in tables["geographies"]}, rate_per
    )
    results = run_checkpoints(vocabulary, views)
    page = quality_page(descriptor, results, tables["quantities"])
    summary = (
        json.dumps(
            {"success": passed(results), "checkpoints": results},
            indent=2,
            ensure_ascii=False,
            default=str,
        )
        + "\n"
    )
    if not passed(results):
        atomic_write_text(paths.build / "quality_report.html", page)
        atomic_write_text(paths.build / "quality.json", summary)
        raise InputError(failures(paths, views, results, raw_lines))
    charts = draw_charts(paths, vocabulary, tables, rate_per, params["report"])
    with_pages = tables | {"pages_not_added": not_added}
    datasheet = render_datasheet(
        vocabulary, descriptor, with_pages, results, charts, params["clean"]
    )

    # -- save outputs ------------------------------------------------------
    out = paths.candidate
    atomic_write_text(out.quality_json, summary)
    atomic_write_text(out.quality_html, page)
    atomic_write_text(out.datasheet, datasheet)
    written = [
        out.quality_json,
        out.quality_html,
        out.datasheet,
        *(p for p in sorted(out.charts.glob("*")) if p.is_file()),
    ]
    approval.approve(paths, "report", checked | approval.digests(paths, written))


def pages_not_added(paths: Paths, problems: Collector) -> list[dict]:
    """The pages found and not added (raw/pages_not_added.csv; clean checks its rows)."""
    path = paths.raw_pages_not_added
    rows = read_table(
        path, raw.columns(paths, "pages_not_added"), problems, display=paths.rel(path)
    )
    return [r.cells for r in rows]


def passed(results: list[dict]) -> bool:
    return all(r["success"] for c in results for r in c["results"])


def raw_rows(paths: Paths, problems: Collector) -> dict[str, tuple[str, int]]:
    """The raw file and line behind each published id: what a curator edits to fix a failing row."""
    out: dict[str, tuple[str, int]] = {}
    for table, key, path in (
        ("figures", "figure_id", paths.raw_figures),
        ("quantities", "quantity_id", paths.raw_quantities),
        ("identities", "identity_id", paths.raw_identities),
        ("derivations", "metric_id", paths.raw_derivations),
        ("claims", "claim_id", paths.raw_claims),
    ):
        rows = read_table(path, raw.columns(paths, table), problems, display=paths.rel(path))
        out |= {
            ident: (paths.rel(path), line)
            for ident, line in zip(rows.column(key), rows.lines, strict=True)
        }
    population = read_table(
        paths.raw_population,
        field_names(load_schema(paths.schema("population"))),
        problems,
        display=paths.rel(paths.raw_population),
    )
    out |= {
        ident: (paths.rel(paths.raw_population), line)
        for ident, line in zip(population.column("population_id"), population.lines, strict=True)
    }
    return out


def failures(
    paths: Paths, views: dict, results: list[dict], raw_lines: dict[str, tuple[str, int]]
) -> list[Problem]:
    """Each failing expectation as a problem at each raw row behind its failing rows (the view's own
    file where there is none)."""
    out = []
    for c in results:
        frame = views[c["name"]][0]
        key = frame.columns[0]
        for r in c["results"]:
            if r["success"]:
                continue
            message = (
                f"{r['description']} ({r['unexpected_count']} rows); report: "
                "build/quality_report.html"
            )
            value = ", ".join(map(str, r["examples"]))
            ids = [str(frame.iloc[i][key]) for i in r.get("rows", []) if i < len(frame)]
            places = sorted({raw_lines[_raw_id(i)] for i in ids if _raw_id(i) in raw_lines})
            if not places:
                where = (
                    paths.rel(paths.candidate.table(c["name"]))
                    if c["name"] in PUBLISHED_TABLES
                    else paths.rel(paths.candidate.datapackage)
                )
                places = [(where, None)]
            out += [
                Problem(file, line, r["column"], "expectation-failed", value, message)
                for file, line in places
            ]
    return out


def _raw_id(ident: str) -> str:
    """The id of the raw row behind a published one: a rate rests on its quantity."""
    return ident.removeprefix("rate-per-month-").removeprefix("rate-")


def reader_views(
    vocabulary: Vocabulary,
    tables: dict,
    texts: dict[str, bytes],
    place_codes: set[str],
    rate_per: int,
) -> dict:
    """The tables as a reader joins them, with the columns the expectations need, and the sets they
    check against."""
    import pandas as pd

    sources = {s["source_id"]: s for s in tables["sources"]}
    keys = {name: vocabulary.primary_keys[name][0] for name in PUBLISHED_TABLES}
    all_ids = sorted(r[keys[name]] for name in PUBLISHED_TABLES for r in tables[name])
    population_codes = {p["geography_code"] for p in tables["population"]}
    return {
        "package": (pd.DataFrame({"id": all_ids}), {}),
        "sources": (pd.DataFrame([_source_row(s, texts) for s in tables["sources"]]), {}),
        "figures": (
            pd.DataFrame(_figure_rows(vocabulary, tables, texts, sources)),
            {"sources": sorted(sources), "codes": sorted(place_codes)},
        ),
        "derived": (
            pd.DataFrame(_derived_rows(vocabulary, tables["derived"], set(all_ids))),
            {
                "codes": sorted(place_codes | population_codes),
                "rate_per": rate_per,
                "bases": list(vocabulary.enum("derived", "value_basis")),
            },
        ),
        "claims": (
            pd.DataFrame(_claim_rows(vocabulary, tables["claims"], set(all_ids))),
            {"figure_ids": sorted(f["figure_id"] for f in tables["figures"])},
        ),
        "quantities": (
            pd.DataFrame(_quantity_rows(vocabulary, tables)),
            {"bases": list(vocabulary.enum("quantities", "value_basis"))},
        ),
        "series": (
            pd.DataFrame(_series_rows(tables), columns=SERIES_VIEW),
            {"quantity_ids": ["", *sorted(q["quantity_id"] for q in tables["quantities"])]},
        ),
        "population": (
            pd.DataFrame(
                [
                    {
                        "population_id": p["population_id"],
                        "value": float(p["value"]),
                        "year": int(p["year"]),
                    }
                    for p in tables["population"]
                ]
            ),
            _years_near(tables["sources"]),
        ),
    }


def _years_near(sources: list[dict]) -> dict[str, int]:
    """The years within ten of the sources' publication years: where a population estimate an
    article's rate uses falls."""
    years = [
        int(s[c][:4]) for s in sources for c in ("published_earliest", "published_latest")
    ] or [0]
    return {"first_year": min(years) - 10, "last_year": max(years) + 10}


def _num(v: str) -> float | None:
    return None if v == "" else float(v)


def _date(v: str):
    import pandas as pd

    return pd.NaT if v == "" else pd.Timestamp(v)


def _source_row(s: dict, texts: dict[str, bytes]) -> dict:
    return {
        "source_id": s["source_id"],
        "published_earliest": _date(s["published_earliest"]),
        "published_latest": _date(s["published_latest"]),
        "text_matches_hash": hashlib.sha256(texts.get(s["source_id"], b"")).hexdigest()
        == s["sha256"],
    }


def _figure_rows(
    vocabulary: Vocabulary, tables: dict, texts: dict[str, bytes], sources: dict
) -> list[dict]:
    claimed = {c["figure_id"] for c in tables["claims"]}
    rows = []
    for f in tables["figures"]:
        text = texts.get(f["source_id"], b"").decode("utf-8", errors="replace")
        rows.append(
            {
                "figure_id": f["figure_id"],
                "source_id": f["source_id"],
                "lower": _num(f["lower"]),
                "upper": _num(f["upper"]),
                "count_value": _num(f["value"]) if f["unit"] in vocabulary.count_units else None,
                "share_value": _num(f["value"]) if f["measure"] in vocabulary.shares else None,
                "period_start": _date(f["period_start"]),
                "period_end": _date(f["period_end"]),
                "published_latest": _date(
                    sources.get(f["source_id"], {}).get("published_latest", "")
                ),
                "geography_code": f["geography_code"] or None,
                "quote_at_offsets": text[int(f["char_start"]) : int(f["char_end"])] == f["quote"],
                "relation_checked": (f["figure_id"] in claimed)
                if f["measure"] in vocabulary.relations
                else None,
            }
        )
    return rows


def _derived_rows(vocabulary: Vocabulary, derived: list[dict], known: set[str]) -> list[dict]:
    kinds, bases = vocabulary.names("derived", "kind"), vocabulary.names("derived", "value_basis")
    return [
        {
            "metric_id": d["metric_id"],
            "lower": _num(d["lower"]),
            "upper": _num(d["upper"]),
            "rate_value": _num(d["value"])
            if d["kind"] in (kinds.rate, kinds.rate_per_month)
            else None,
            "share_value": _num(d["value"]) if d["kind"] in vocabulary.shares else None,
            "period_start": _date(d["period_start"]),
            "period_end": _date(d["period_end"]),
            "inputs_resolve": all(i in known for i in d["inputs"].split()),
            "geography_code": d["geography_code"] or None,
            **_point_columns(d, bases),
        }
        for d in derived
    ]


def _point_columns(row: dict, bases) -> dict:
    """What the expectations on a point read: its basis, whether a pinned row's interval is one
    value (to the precision of the CSV's numbers), and whether the value is empty exactly where the
    basis says there is none. ``bases``: the words of value_basis by name."""
    lo, hi = _num(row["lower"]), _num(row["upper"])
    pinned = None
    if row["value_basis"] == bases.pinned:
        pinned = (
            lo is not None and hi is not None and abs(hi - lo) <= 1e-8 * max(1.0, abs(lo), abs(hi))
        )
    empty = (row["value"] == "") == (row["value_basis"] == bases.none)
    return {
        "value_basis": row["value_basis"],
        "pinned_is_one_value": pinned,
        "point_as_labelled": empty,
    }


def _claim_rows(vocabulary: Vocabulary, claims: list[dict], known: set[str]) -> list[dict]:
    verdicts = vocabulary.names("claims", "verdict")
    rows = []
    for c in claims:
        slo, shi, lo, hi = (_num(c[k]) for k in ("stated_lower", "stated_upper", "lower", "upper"))
        agrees = None
        if c["verdict"] in (verdicts.consistent, verdicts.consistent_within_rounding):
            agrees = _relation_possible(vocabulary, c["relation"], slo, shi, lo, hi)
        rows.append(
            {
                "claim_id": c["claim_id"],
                "figure_id": c["figure_id"],
                "inputs_resolve": all(i in known for i in c["inputs"].split()),
                "verdict_agrees": agrees,
                "lower": lo,
                "upper": hi,
            }
        )
    return rows


def _relation_possible(vocabulary: Vocabulary, relation: str, slo, shi, lo, hi) -> bool:
    """Whether some stated value and some computed value stand in the claim's relation (a consistent
    verdict needs it)."""
    r = vocabulary.names("claims", "relation")
    below = (
        slo is None or hi is None or slo <= hi + 1e-9
    )  # some stated value is at most some computed one
    above = (
        lo is None or shi is None or lo <= shi + 1e-9
    )  # some stated value is at least some computed one
    return {r.equals: below and above, r.at_least: above, r.at_most: below}[relation]


SERIES_VIEW = ("member_id", "quantity_id", "period_start", "period_end", "period_as_quantity")


def _series_rows(tables: dict) -> list[dict]:
    """Each row of the series with whether a member's period is its quantity's (a gap, or a quantity
    the table lacks, which its own expectation finds: none to differ from)."""
    periods = {q["quantity_id"]: (q["period_start"], q["period_end"]) for q in tables["quantities"]}
    return [
        {
            "member_id": r["member_id"],
            "quantity_id": r["quantity_id"],
            "period_start": _date(r["period_start"]),
            "period_end": _date(r["period_end"]),
            "period_as_quantity": periods.get(
                r["quantity_id"], (r["period_start"], r["period_end"])
            )
            == (r["period_start"], r["period_end"]),
        }
        for r in tables["series"]
    ]


def _quantity_rows(vocabulary: Vocabulary, tables: dict) -> list[dict]:
    figures = {f["figure_id"]: f for f in tables["figures"]}
    identities = {i["identity_id"] for i in tables["identities"]}
    in_conflict = vocabulary.names("quantities", "status").in_conflict
    bases = vocabulary.names("quantities", "value_basis")
    kinds = vocabulary.names("derived", "kind")
    rated = {
        d["inputs"].split()[0]
        for d in tables["derived"]
        if d["kind"] in (kinds.rate, kinds.rate_per_month)
    }
    rows = []
    for q in tables["quantities"]:
        lo, hi = _num(q["lower"]), _num(q["upper"])
        mentions = q["mentions"].split()
        agree = all(
            _meets(_num(figures[m]["lower"]), _num(figures[m]["upper"]), lo, hi)
            for m in mentions
            if m in figures
        )
        rows.append(
            {
                "quantity_id": q["quantity_id"],
                "lower": lo,
                "upper": hi,
                "count_lower": lo if q["unit"] in vocabulary.count_units else None,
                "mentions_resolve": all(m in figures for m in mentions),
                "identities_resolve": all(i in identities for i in q["identities"].split()),
                "mentions_agree": None if q["status"] == in_conflict else agree,
                "conflict_shown": bool(q["conflict"]) if q["status"] == in_conflict else None,
                **_point_columns(q, bases),
                "rate_explained": (q["quantity_id"] in rated) != bool(q["rate_note"]),
            }
        )
    return rows


def _meets(alo, ahi, blo, bhi) -> bool:
    return (alo is None or bhi is None or alo <= bhi + 1e-9) and (
        blo is None or ahi is None or blo <= ahi + 1e-9
    )


# a point value says what it is: the same three for quantities and derived metrics
POINT_EXPECTATIONS = [
    (
        "in_set",
        "value_basis",
        "bases",
        "every point value says what it is (value_basis, a word of its schema's enum)",
    ),
    (
        "in_set",
        "pinned_is_one_value",
        [True],
        "every pinned point has an interval of one value (lower = upper)",
    ),
    (
        "in_set",
        "point_as_labelled",
        [True],
        "the value is empty exactly where its value_basis is none",
    ),
]

# each view's expectations: (kind, column or pair of columns, what it is checked against, plain
# words); a string that names a set of the view (see reader_views) stands for that set, and
# {rate_per} in the words for the parameter (a flat table: one row an expectation)
EXPECTATIONS = {
    "package": [
        (
            "unique",
            "id",
            None,
            "every id (source, figure, metric, claim, reference row) is unique across the whole "
            "package",
        )
    ],
    "sources": [
        (
            "pair",
            ("published_latest", "published_earliest"),
            None,
            "each article's publication window is ordered",
        ),
        ("in_set", "text_matches_hash", [True], "each article text matches its recorded sha256"),
    ],
    "figures": [
        ("in_set", "source_id", "sources", "every figure's article is in the sources table"),
        ("pair", ("upper", "lower"), None, "every interval is ordered (lower <= upper)"),
        ("pair", ("period_end", "period_start"), None, "every period is ordered"),
        (
            "pair",
            ("published_latest", "period_end"),
            None,
            "no period ends after its article appeared",
        ),
        ("between", "count_value", (0, None), "counts are never negative"),
        ("between", "share_value", (0, 100), "shares lie between 0 and 100 per cent"),
        ("in_set", "geography_code", "codes", "every place code is a row of the geographies table"),
        (
            "in_set",
            "quote_at_offsets",
            [True],
            "every figure's quote is the text of its article at its offsets",
        ),
        (
            "in_set",
            "relation_checked",
            [True],
            "every relation an article states (change, share, multiple, difference) has a claim "
            "check",
        ),
    ],
    "derived": [
        (
            "in_set",
            "inputs_resolve",
            [True],
            "every input id resolves to a figure, metric or reference row",
        ),
        ("pair", ("upper", "lower"), None, "every interval is ordered"),
        ("pair", ("period_end", "period_start"), None, "every period is ordered"),
        (
            "between",
            "rate_value",
            (0, "rate_per"),
            "rates per {rate_per:,} lie between 0 and {rate_per:,}",
        ),
        ("between", "share_value", (0, 100), "shares lie between 0 and 100 per cent"),
        ("in_set", "geography_code", "codes", "every place code is documented"),
        *POINT_EXPECTATIONS,
    ],
    "series": [
        (
            "in_set",
            "quantity_id",
            "quantity_ids",
            "every member of a series is a row of the quantities table (a gap names none)",
        ),
        ("pair", ("period_end", "period_start"), None, "every period of a series is ordered"),
        ("in_set", "period_as_quantity", [True], "every member's period is its quantity's"),
    ],
    "claims": [
        ("in_set", "figure_id", "figure_ids", "every claim's figure is in the figures table"),
        ("in_set", "inputs_resolve", [True], "every input id resolves"),
        (
            "in_set",
            "verdict_agrees",
            [True],
            "every consistent verdict (or within rounding) has stated and computed intervals that "
            "can stand in the claim's relation",
        ),
        ("pair", ("upper", "lower"), None, "every computed interval is ordered"),
    ],
    "quantities": [
        ("pair", ("upper", "lower"), None, "every reconciled interval is ordered"),
        ("between", "count_lower", (0, None), "counts are never negative"),
        ("in_set", "mentions_resolve", [True], "every mention is a row of the figures table"),
        ("in_set", "identities_resolve", [True], "every identity is a row of the identities table"),
        (
            "in_set",
            "mentions_agree",
            [True],
            "outside a conflict, every mention's interval meets its quantity's reconciled interval",
        ),
        (
            "in_set",
            "conflict_shown",
            [True],
            "every quantity in conflict names the rows that cannot all hold",
        ),
        *POINT_EXPECTATIONS,
        (
            "in_set",
            "rate_explained",
            [True],
            "every quantity without a rate per head says why, and none with one has a note",
        ),
    ],
    "population": [
        (
            "between",
            "value",
            (1000, 100_000_000),
            "population estimates lie in a plausible range for UK areas",
        ),
        (
            "between",
            "year",
            ("first_year", "last_year"),
            "estimate years fall within ten years of the sources' ({first_year} to {last_year})",
        ),
    ],
}


def expectations(name: str, sets: dict) -> list[tuple]:
    """(expectation, column, plain words) for one view, built from its rows of EXPECTATIONS."""
    import great_expectations.expectations as gxe

    def value(x):
        return sets[x] if isinstance(x, str) else x

    out = []
    for kind, column, against, words in EXPECTATIONS[name]:
        words = words.format(**sets) if "{" in words else words
        if kind == "unique":
            out.append((gxe.ExpectColumnValuesToBeUnique(column=column), column, words))
        elif kind == "pair":
            a, b = column
            exp = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=a, column_B=b, or_equal=True, ignore_row_if="either_value_is_missing"
            )
            out.append((exp, a, words))
        elif kind == "in_set":
            out.append(
                (
                    gxe.ExpectColumnValuesToBeInSet(column=column, value_set=value(against)),
                    column,
                    words,
                )
            )
        else:
            lo, hi = (value(x) for x in against)
            out.append(
                (
                    gxe.ExpectColumnValuesToBeBetween(column=column, min_value=lo, max_value=hi),
                    column,
                    words,
                )
            )
    return out


def run_checkpoints(vocabulary: Vocabulary, views: dict) -> list[dict]:
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
        vd = ctx.validation_definitions.add(
            gx.ValidationDefinition(data=batch, suite=suite, name=name)
        )
        cp = ctx.checkpoints.add(
            gx.Checkpoint(
                name=f"package-{name}", validation_definitions=[vd], result_format="SUMMARY"
            )
        )
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
            if not d[
                "success"
                # the failing rows, to find the raw rows behind them (not written to quality.json on
                # success)
            ]:
                rows[-1]["rows"] = [
                    int(i)
                    for i in (res.get("partial_unexpected_index_list") or [])
                    if str(i).isdigit()
                ]
        out.append(
            {"name": name, "checkpoint": f"package-{name}", "rows": len(frame), "results": rows}
        )
    return out


CHART_TITLES = {"help_seeking": "Help-seeking per head of population, by channel"}


def draw_charts(
    paths: Paths, vocabulary: Vocabulary, tables: dict, per: int, report: dict
) -> list[dict]:
    """Draw every chart into the candidate as SVG and PNG (``report``: params.yaml's report
    settings); return those the datasheet shows, with their titles and files."""
    from ..render import charts

    out = paths.candidate.charts
    out.mkdir(parents=True, exist_ok=True)
    figures = {
        "help_seeking": charts.help_seeking(
            vocabulary, tables["quantities"], tables["derived"], tables["geographies"], per
        ),
        "claims": charts.claims_chart(
            vocabulary,
            tables["claims"],
            charts.claim_labels(tables["claims"], tables["figures"], tables["sources"]),
        ),
    }
    shown = [{"stem": stem, "title": title} for stem, title in CHART_TITLES.items()]
    for stem, group in sorted(report.get("place_charts", {}).items()):
        bars = charts.place_bars(
            vocabulary, group, tables["quantities"], tables["derived"], tables["geographies"]
        )
        figures[stem] = charts.place_chart(group["title"], bars, per)
        shown.append({"stem": stem, "title": group["title"]})
    by = report["series_chart_by"]
    groups = charts.series_groups(
        vocabulary, tables["series"], tables["quantities"], tables["geographies"], by
    )
    for key, rows in groups.items():
        stem, title = series_chart_name(by, key)
        figures[stem] = charts.series_chart(title, rows)
        shown.append({"stem": stem, "title": title})
    written = {name for stem, fig in figures.items() for name in charts.save(fig, out, stem)}
    for stale in sorted(
        out.glob("*")
    ):  # a chart no longer drawn leaves the package with this build
        if stale.name not in written:
            stale.unlink()
    return [c | {"file": f"{c['stem']}.svg", "png": f"{c['stem']}.png"} for c in shown]


def series_chart_name(by: list[str], key: tuple[str, ...]) -> tuple[str, str]:
    """A series chart's file name (without its suffix) and title, from the cells its series
    share."""
    import re

    name = "series-" + "-".join(re.sub(r"[^a-z0-9]+", "-", cell.lower()).strip("-") for cell in key)
    words = dict(zip(by, key, strict=True))
    title = ", ".join(f"{c.replace('_', ' ')}: {words[c].replace('_', ' ')}" for c in by)
    return name, f"Series by period ({title})"


def render_datasheet(
    vocabulary: Vocabulary,
    descriptor: dict,
    tables: dict,
    results: list[dict],
    charts: list[dict],
    hedges: dict,
) -> str:
    from ..render.datasheet import render

    return render(vocabulary, descriptor, tables, results, charts, hedges)


def main(argv: list[str] | None = None) -> int:
    from ..publishing.stage import run_stage

    return run_stage("report", run, argv)


if __name__ == "__main__":
    sys.exit(main())
