"""clean: raw tables and article texts to typed, checked tables.

Reads raw/sources.csv and raw/sources/*.txt (each text's sha256 checked
before it is read), raw/figures.csv, raw/not_figures.csv, raw/places.csv and
raw/period_readings.csv; writes processed/sources.csv and
processed/figures.csv, but only once every row passes the checks of the
validate stage as well, so a failing run leaves processed/ as it was.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import params as params_mod
from .csvio import Row, publish, read_table, to_csv_text
from .errors import Collector
from .finder import Span, classify, find_mentions
from .paths import Paths
from .periods import Period, PeriodParseError, parse_period
from .schema import field_names, load_schema
from .sources import load_sources, rel
from .values import HEDGES, Parsed, ValueParseError, parse_as_written, published_interval

FIGURE_COLUMNS = ["figure_id", "source_id", "quote", "as_written", "measure", "unit", "place", "period", "period_ref", "notes"]
NOT_FIGURE_COLUMNS = ["source_id", "text", "context", "category", "reason"]
PLACE_COLUMNS = ["place", "source_id", "geography", "geography_code", "basis", "note"]
READING_COLUMNS = ["source_id", "period", "period_start", "period_end", "reasoning"]
NOT_FIGURE_CATEGORIES = ("phone_number", "age_limit", "date", "duration", "idiom", "anecdote", "web_address")

KIND_UNITS = {
    "count": ("people", "calls", "visits", "views", "arrests per month"),
    "vague": ("people", "calls", "visits", "views", "arrests per month"),
    "percent": ("percent",),
    "fraction": ("percent",),
    "multiple": ("times",),
}
MEASURE_UNITS = {"share": ("percent",), "percentage_change": ("percent",), "multiple": ("times",)}


def run(root: Path) -> None:
    paths = Paths(root)
    problems = Collector()

    # -- load inputs -------------------------------------------------------
    prm = params_mod.load(paths.params)["clean"]
    schema = load_schema(paths.schema("figures"))
    source_rows, texts = load_sources(paths, problems)
    figures = read_table(paths.raw_figures, FIGURE_COLUMNS, problems, display=rel(paths, paths.raw_figures))
    not_figures = read_table(paths.raw_not_figures, NOT_FIGURE_COLUMNS, problems, display=rel(paths, paths.raw_not_figures))
    places = read_table(paths.raw_places, PLACE_COLUMNS, problems, display=rel(paths, paths.raw_places))
    readings = read_table(paths.raw_period_readings, READING_COLUMNS, problems, display=rel(paths, paths.raw_period_readings))

    # -- process -----------------------------------------------------------
    sources_out, windows = clean_sources(paths, source_rows, texts, problems)
    figures_out, lines = clean_figures(paths, figures, texts, windows, places, readings, prm, problems)
    check_coverage(paths, figures, figures_out, not_figures, texts, problems)
    problems.raise_if_any()

    from .validate import check_tables

    problems.extend(check_tables(paths, sources_out, figures_out, texts, figure_lines=lines, figure_display=rel(paths, paths.raw_figures)))
    problems.raise_if_any()

    # -- save outputs ------------------------------------------------------
    publish(
        {
            paths.table("sources"): to_csv_text(field_names(load_schema(paths.schema("sources"))), sources_out),
            paths.table("figures"): to_csv_text(field_names(schema), figures_out),
        }
    )


def clean_sources(paths: Paths, rows: list[Row], texts: dict[str, str], problems: Collector):
    """Type the source rows; return them and each source's publication window."""
    display = rel(paths, paths.raw_sources)
    out, windows, seen = [], {}, set()
    for row in rows:
        sid = row["source_id"]
        if sid in seen:
            problems.add("duplicate-id", display, row.line, "source_id", sid, "source_id must be unique")
        seen.add(sid)
        dates = {}
        for col in ("published_earliest", "published_latest"):
            try:
                dates[col] = date.fromisoformat(row[col])
            except ValueError:
                problems.add("bad-date", display, row.line, col, row[col], "not a real date in YYYY-MM-DD form")
        if len(dates) == 2:
            if dates["published_latest"] < dates["published_earliest"]:
                problems.add(
                    "period-ordered",
                    display,
                    row.line,
                    "published_latest",
                    row["published_latest"],
                    "the latest publication date is before the earliest",
                )
            windows[sid] = (dates["published_earliest"], dates["published_latest"])
        cells = dict(row.cells)
        cells["text_path"] = rel(paths, paths.source_text(sid))
        cells["text_chars"] = len(texts[sid]) if sid in texts else ""
        out.append(cells)
    return sorted(out, key=lambda r: r["source_id"]), windows


@dataclass
class _Ctx:
    row: Row
    parsed: Parsed | None = None
    period: Period | None = None


def clean_figures(paths, rows, texts, windows, places, readings, prm, problems):
    display = rel(paths, paths.raw_figures)
    vocab = {
        f["name"]: f["constraints"]["enum"] for f in load_schema(paths.schema("figures"))["fields"] if "enum" in f.get("constraints", {})
    }
    place_map = {(p["place"], p["source_id"]): p for p in places}
    reading_map: dict[tuple[str, str], Row] = {}
    rdisplay = rel(paths, paths.raw_period_readings)
    for r in readings:
        reading_map[(r["source_id"], r["period"])] = r
        for col in ("period_start", "period_end"):
            try:
                date.fromisoformat(r[col])
            except ValueError:
                problems.add("bad-date", rdisplay, r.line, col, r[col], "not a real date in YYYY-MM-DD form")
    by_id: dict[str, Row] = {}
    for row in rows:
        fid = row["figure_id"]
        if fid in by_id:
            problems.add("duplicate-id", display, row.line, "figure_id", fid, f"figure_id already used on line {by_id[fid].line}")
        else:
            by_id[fid] = row
    periods: dict[str, Period | None] = {}
    resolving: set[str] = set()

    def period_of(fid: str) -> Period | None:
        if fid in periods:
            return periods[fid]
        row = by_id[fid]
        if fid in resolving:
            problems.add("period-ref-cycle", display, row.line, "period_ref", row["period_ref"], "period_ref leads back to this figure")
            return None
        resolving.add(fid)
        refs = []
        for ref in filter(None, row["period_ref"].split("+")):
            if ref not in by_id:
                problems.add("unknown-id", display, row.line, "period_ref", ref, "no figure has this id")
                continue
            p = period_of(ref)
            if p is not None:
                refs.append(p)
        words, sid = row["period"], row["source_id"]
        result = None
        reading = reading_map.get((sid, words)) if words else None
        try:
            if reading is not None:
                result = Period(
                    date.fromisoformat(reading["period_start"]),
                    date.fromisoformat(reading["period_end"]),
                    "inferred",
                    f"{words!r}: {reading['reasoning']}",
                )
                if result.end < result.start:
                    problems.add(
                        "period-ordered", rdisplay, reading.line, "period_end", reading["period_end"], "the period ends before it starts"
                    )
            elif sid in windows:
                result = parse_period(words, windows[sid], tuple(refs))
        except PeriodParseError as exc:
            problems.add("unknown-period", display, row.line, "period", words, str(exc))
        except ValueError:
            pass  # a bad reading date, reported above
        periods[fid] = result
        resolving.discard(fid)
        return result

    out, lines = [], []
    for row in rows:
        fid, sid = row["figure_id"], row["source_id"]
        if sid not in windows and sid not in texts:
            problems.add("unknown-id", display, row.line, "source_id", sid, "no source in raw/sources.csv has this id")
            continue
        text = texts.get(sid)
        quote, aw = row["quote"], row["as_written"]
        start = -1
        if text is not None:
            n = text.count(quote) if quote else 0
            if n == 0:
                hint = ""
                if "\xa0" in text and text.count(quote.replace(" ", "\xa0")) or _nbsp_match(text, quote):
                    hint = " (the article has a non-breaking space where the quote has a plain one)"
                problems.add(
                    "quote-not-in-source", display, row.line, "quote", quote, f"the quote does not occur in raw/sources/{sid}.txt{hint}"
                )
            elif n > 1:
                problems.add(
                    "quote-ambiguous",
                    display,
                    row.line,
                    "quote",
                    quote,
                    f"the quote occurs {n} times in the article; lengthen it until it is unique",
                )
            else:
                start = text.index(quote)
        if aw not in quote:
            problems.add("number-not-in-quote", display, row.line, "as_written", aw, "the number as written does not occur in the quote")
        try:
            parsed = parse_as_written(aw)
        except ValueParseError as exc:
            problems.add(*_value_problem(display, row, str(exc)))
            continue
        unit, measure = row["unit"], row["measure"]
        unknown = [(c, v) for c, v in (("measure", measure), ("unit", unit)) if v not in vocab[c]]
        for col, v in unknown:
            problems.add("not-in-vocabulary", display, row.line, col, v, f"must be one of {vocab[col]}")
        if unknown:
            continue
        if unit not in KIND_UNITS[parsed.kind]:
            problems.add(
                "unit-mismatch",
                display,
                row.line,
                "unit",
                unit,
                f"{aw!r} is a {parsed.kind}; its unit must be one of {list(KIND_UNITS[parsed.kind])}",
            )
        elif measure in MEASURE_UNITS and unit not in MEASURE_UNITS[measure]:
            problems.add("unit-mismatch", display, row.line, "unit", unit, f"measure {measure!r} needs unit {MEASURE_UNITS[measure][0]!r}")
        place = row["place"]
        geo = place_map.get((place, sid)) or place_map.get((place, ""))
        if place and geo is None:
            problems.add(
                "unknown-place",
                display,
                row.line,
                "place",
                place,
                "the place is not in raw/places.csv; add it with its GSS code or say it has none",
            )
        period = period_of(fid)
        if period is not None and sid in windows and period.end > windows[sid][1]:
            problems.add(
                "period-after-publication",
                display,
                row.line,
                "period",
                row["period"] or row["period_ref"],
                f"the period ends {period.end} but the article was published by {windows[sid][1]}",
            )
        value, lower, upper = published_interval(parsed, prm["hedge_widths"], prm["vague_ranges"])
        out.append(
            {
                "figure_id": fid,
                "source_id": sid,
                "value": value,
                "qualifier": parsed.qualifier,
                "lower": lower,
                "upper": upper,
                "unit": unit,
                "measure": measure,
                "geography": geo["geography"] if geo else "not stated",
                "geography_code": geo["geography_code"] if geo else "",
                "geography_note": _geo_note(place, geo),
                "period_start": period.start.isoformat() if period else "",
                "period_end": period.end.isoformat() if period else "",
                "period_basis": period.basis if period else "not stated",
                "period_note": period.note if period else "the article gives no period for this figure",
                "quote": quote,
                "char_start": start if start >= 0 else "",
                "char_end": start + len(quote) if start >= 0 else "",
                "as_written": aw,
                "notes": row["notes"],
            }
        )
        lines.append(row.line)
    order = sorted(range(len(out)), key=lambda i: out[i]["figure_id"])
    return [out[i] for i in order], [lines[i] for i in order]


def _nbsp_match(text: str, quote: str) -> bool:
    return " " in quote and quote.replace(" ", "") in text.replace(" ", "").replace("\xa0", "")


def _geo_note(place: str, geo: Row | None) -> str:
    if not place:
        return "the article names no place for this figure"
    if geo is None:
        return ""
    basis = "read as" if geo["basis"] == "inferred" else "named as"
    note = f"{basis} {geo['geography']} from {place!r}"
    return f"{note}. {geo['note']}" if geo["note"] else note


def _value_problem(display: str, row: Row, reason: str):
    aw = row["as_written"]
    words = aw.lower().split()
    for i in range(1, len(words)):
        try:
            parse_as_written(" ".join(words[i:]))
        except ValueParseError:
            continue
        hedge = " ".join(words[:i])
        known = sorted({h for h, _ in HEDGES})
        return (
            "unknown-hedge",
            display,
            row.line,
            "as_written",
            aw,
            f"{hedge!r} is not a known hedge; use one of {known} or add it to the vocabulary",
        )
    return ("unparseable-number", display, row.line, "as_written", aw, f"cannot read the number as written: {reason}")


def check_coverage(paths, raw_figures, figures_out, not_figures, texts, problems) -> dict[str, list]:
    """Every numeric mention must be a figure, a figure's period words, or listed as not a figure."""
    report = coverage(paths, raw_figures, not_figures, texts, problems)
    for sid, items in report.items():
        for mention, span in items:
            if span is None:
                text = texts[sid]
                ctx = text[max(0, mention.start - 30) : mention.end + 30].replace("\n", " ")
                problems.add(
                    "unaccounted-number",
                    f"raw/sources/{sid}.txt",
                    text.count("\n", 0, mention.start) + 1,
                    None,
                    mention.text,
                    f"numeric mention at offset {mention.start} (...{ctx}...) is neither a figure in raw/figures.csv nor listed in raw/not_figures.csv",
                )
    return report


def coverage(paths, raw_figures, not_figures, texts, problems=None):
    """For each source: its mentions paired with what accounts for them."""
    spans: dict[str, list[Span]] = {sid: [] for sid in texts}
    for row in raw_figures:
        sid = row["source_id"]
        text = texts.get(sid)
        if text is None or text.count(row["quote"]) != 1:
            continue
        qs = text.index(row["quote"])
        if row["as_written"] in row["quote"]:
            a = row["quote"].index(row["as_written"])
            spans[sid].append(Span(qs + a, qs + a + len(row["as_written"]), "figure", row["figure_id"]))
        if row["period"] and row["period"] in row["quote"]:
            b = row["quote"].index(row["period"])
            spans[sid].append(Span(qs + b, qs + b + len(row["period"]), "period", row["figure_id"]))
    nf_display = rel(paths, paths.raw_not_figures)
    for row in not_figures:
        sid, ctx, txt = row["source_id"], row["context"], row["text"]
        text = texts.get(sid)
        if problems is not None and row["category"] not in NOT_FIGURE_CATEGORIES:
            problems.add(
                "not-in-vocabulary", nf_display, row.line, "category", row["category"], f"must be one of {list(NOT_FIGURE_CATEGORIES)}"
            )
        if text is None:
            if problems is not None and sid not in texts:
                problems.add("unknown-id", nf_display, row.line, "source_id", sid, "no source in raw/sources.csv has this id")
            continue
        n = text.count(ctx) if ctx else 0
        if n != 1 or txt not in ctx:
            if problems is not None:
                why = (
                    "does not occur in the article"
                    if n == 0
                    else f"occurs {n} times in the article"
                    if n > 1
                    else "does not contain the text"
                )
                problems.add("context-not-in-source", nf_display, row.line, "context", ctx, f"the context {why}")
            continue
        cs = text.index(ctx) + ctx.index(txt)
        spans[sid].append(Span(cs, cs + len(txt), "not_figure", f"{nf_display}:{row.line}"))
    return {sid: classify(find_mentions(texts[sid]), spans[sid]) for sid in sorted(texts)}


def main(argv: list[str] | None = None) -> int:
    from .stage import run_stage

    return run_stage("clean", run, argv)


if __name__ == "__main__":
    sys.exit(main())
