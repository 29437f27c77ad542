"""clean: raw tables and article texts to typed, checked tables.

Reads raw/sources.csv and raw/sources/*.txt (each text's sha256 checked
before it is read), raw/figures.csv, raw/not_figures.csv, raw/places.csv and
raw/period_readings.csv; writes processed/sources.csv and
processed/figures.csv, but only once every row passes the checks of the
validate stage as well, so a failing run leaves processed/ as it was.
"""

from __future__ import annotations

import sys
from datetime import date
from functools import lru_cache
from pathlib import Path

from . import params as params_mod
from . import raw
from .csvio import Row, Table, publish_tables, read_table
from .errors import Collector
from .finder import Mention, Span, account, mention_positions
from .paths import Paths
from .periods import Period, PeriodParseError, parse_period
from .schema import field_names, load_schema
from .sources import load_sources, rel
from .values import HEDGES, Parsed, ValueParseError, parse_as_written, published_interval

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
    figures = read_table(paths.raw_figures, raw.FIGURES, problems, display=rel(paths, paths.raw_figures))
    not_figures = read_table(paths.raw_not_figures, raw.NOT_FIGURES, problems, display=rel(paths, paths.raw_not_figures))
    places = read_table(paths.raw_places, raw.PLACES, problems, display=rel(paths, paths.raw_places))
    readings = read_table(paths.raw_period_readings, raw.PERIOD_READINGS, problems, display=rel(paths, paths.raw_period_readings))

    # -- process -----------------------------------------------------------
    sources_out, windows = clean_sources(paths, source_rows, texts, problems)
    starts = locate_quotes(texts, figures.column("source_id"), figures.column("quote"))
    figures_out, lines = clean_figures(paths, figures, starts, texts, windows, places, readings, prm, problems)
    check_coverage(paths, figures, starts, not_figures, texts, problems)
    problems.raise_if_any()

    from .validate import check_tables

    problems.extend(check_tables(paths, sources_out, figures_out, texts, figure_lines=lines, figure_display=rel(paths, paths.raw_figures)))
    problems.raise_if_any()

    # -- save outputs ------------------------------------------------------
    publish_tables(
        {
            paths.table("sources"): (field_names(load_schema(paths.schema("sources"))), sources_out),
            paths.table("figures"): (field_names(schema), figures_out),
        }
    )


def clean_sources(paths: Paths, rows: Table, texts: dict[str, str], problems: Collector):
    """Type the source rows; return them by column, and each source's publication window."""
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
        cells["text_chars"] = str(len(texts[sid])) if sid in texts else ""
        out.append(cells)
    out.sort(key=lambda r: r["source_id"])
    names = field_names(load_schema(paths.schema("sources")))
    return {n: [r[n] for r in out] for n in names}, windows


def locate_quotes(texts: dict[str, str], source_ids: list[str], quotes: list[str]) -> list[int]:
    """Where each quote starts in its article: its offset, or NOT_FOUND, AMBIGUOUS
    (it occurs more than once) or NO_TEXT (the article is unknown or unreadable)."""
    out = []
    for sid, quote in zip(source_ids, quotes, strict=True):
        text = texts.get(sid)
        if text is None:
            out.append(NO_TEXT)
            continue
        at = text.find(quote) if quote else -1
        out.append(NOT_FOUND if at < 0 else AMBIGUOUS if text.find(quote, at + 1) >= 0 else at)
    return out


NOT_FOUND, AMBIGUOUS, NO_TEXT = -1, -2, -3


def clean_figures(paths, figures: Table, starts, texts, windows, places, readings, prm, problems):
    """Type every figure row; return the columns of processed/figures.csv (sorted
    by figure_id) and the raw line of each output row."""
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
    ids, sids = figures.column("figure_id"), figures.column("source_id")
    quotes, written = figures.column("quote"), figures.column("as_written")
    measures, units = figures.column("measure"), figures.column("unit")
    place_words, period_words = figures.column("place"), figures.column("period")
    period_refs, notes = figures.column("period_ref"), figures.column("notes")
    first: dict[str, int] = {}
    for i, fid in enumerate(ids):
        if fid in first:
            problems.add(
                "duplicate-id", display, figures.line(i), "figure_id", fid, f"figure_id already used on line {figures.line(first[fid])}"
            )
        else:
            first[fid] = i
    periods: dict[str, Period | None] = {}
    resolving: set[str] = set()
    read: dict[tuple, tuple[Period | None, str | None]] = {}

    def read_period(sid: str, words: str, refs: tuple[Period, ...]) -> tuple[Period | None, str | None]:
        """The period the words give in an article (a reading in raw/period_readings.csv
        first), or why they give none; once per distinct reading."""
        key = (sid, words, refs)
        if key in read:
            return read[key]
        result, error = None, None
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
                result = parse_period(words, windows[sid], refs)
        except PeriodParseError as exc:
            error = str(exc)
        except ValueError:
            pass  # a bad reading date, reported above
        read[key] = (result, error)
        return result, error

    def period_of(i: int) -> Period | None:
        fid = ids[i]
        if fid in periods:
            return periods[fid]
        if fid in resolving:
            problems.add("period-ref-cycle", display, figures.line(i), "period_ref", period_refs[i], "period_ref leads back to this figure")
            return None
        resolving.add(fid)
        refs = []
        for ref in filter(None, period_refs[i].split("+")):
            if ref not in first:
                problems.add("unknown-id", display, figures.line(i), "period_ref", ref, "no figure has this id")
                continue
            p = period_of(first[ref])
            if p is not None:
                refs.append(p)
        result, error = read_period(sids[i], period_words[i], tuple(refs))
        if error is not None:
            problems.add("unknown-period", display, figures.line(i), "period", period_words[i], error)
        periods[fid] = result
        resolving.discard(fid)
        return result

    readings_of: dict[str, tuple[Parsed, float, float | None, float | None] | str] = {}
    geo_notes: dict[tuple[str, str], tuple[str, str, str]] = {}
    widths, vague = prm["hedge_widths"], prm["vague_ranges"]
    nan = float("nan")
    keep: list[int] = []  # input row of each output row
    numbers: list[tuple] = []  # NUMBERS_READ of each output row
    texts_out: list[tuple] = []  # TEXT_READ of each output row
    for i in range(len(ids)):
        sid, quote, aw, line = sids[i], quotes[i], written[i], figures.line(i)
        if sid not in windows and sid not in texts:
            problems.add("unknown-id", display, line, "source_id", sid, "no source in raw/sources.csv has this id")
            continue
        start = starts[i]
        if start == NOT_FOUND:
            text = texts[sid]
            hint = ""
            if "\xa0" in text and text.count(quote.replace(" ", "\xa0")) or _nbsp_match(text, quote):
                hint = " (the article has a non-breaking space where the quote has a plain one)"
            problems.add("quote-not-in-source", display, line, "quote", quote, f"the quote does not occur in raw/sources/{sid}.txt{hint}")
        elif start == AMBIGUOUS:
            n = texts[sid].count(quote)
            problems.add(
                "quote-ambiguous",
                display,
                line,
                "quote",
                quote,
                f"the quote occurs {max(n, 2)} times in the article; lengthen it until it is unique",
            )
        if aw not in quote:
            problems.add("number-not-in-quote", display, line, "as_written", aw, "the number as written does not occur in the quote")
        reading = readings_of.get(aw)
        if reading is None:
            try:
                parsed = parse_as_written(aw)
                reading = (parsed, *published_interval(parsed, widths, vague))
            except ValueParseError as exc:
                reading = str(exc)
            readings_of[aw] = reading
        if isinstance(reading, str):
            problems.add(*_value_problem(display, line, aw, reading))
            continue
        parsed, value, lower, upper = reading
        unit, measure = units[i], measures[i]
        unknown = [(c, v) for c, v in (("measure", measure), ("unit", unit)) if v not in vocab[c]]
        for col, v in unknown:
            problems.add("not-in-vocabulary", display, line, col, v, f"must be one of {vocab[col]}")
        if unknown:
            continue
        if unit not in KIND_UNITS[parsed.kind]:
            problems.add(
                "unit-mismatch",
                display,
                line,
                "unit",
                unit,
                f"{aw!r} is a {parsed.kind}; its unit must be one of {list(KIND_UNITS[parsed.kind])}",
            )
        elif measure in MEASURE_UNITS and unit not in MEASURE_UNITS[measure]:
            problems.add("unit-mismatch", display, line, "unit", unit, f"measure {measure!r} needs unit {MEASURE_UNITS[measure][0]!r}")
        place = place_words[i]
        geo = geo_notes.get((place, sid))
        if geo is None:
            found = place_map.get((place, sid)) or place_map.get((place, ""))
            if place and found is None:
                problems.add(
                    "unknown-place",
                    display,
                    line,
                    "place",
                    place,
                    "the place is not in raw/places.csv; add it with its GSS code or say it has none",
                )
            geo = (
                (found["geography"], found["geography_code"], _geo_note(place, found))
                if found
                else ("not stated", "", _geo_note(place, None))
            )
            geo_notes[(place, sid)] = geo
        period = period_of(i)
        if period is not None and sid in windows and period.end > windows[sid][1]:
            problems.add(
                "period-after-publication",
                display,
                line,
                "period",
                period_words[i] or period_refs[i],
                f"the period ends {period.end} but the article was published by {windows[sid][1]}",
            )
        keep.append(i)
        located = (start, start + len(quote)) if start >= 0 else (nan, nan)
        numbers.append((value, nan if lower is None else lower, nan if upper is None else upper, *located))
        texts_out.append((parsed.qualifier, *geo, *_period_cells(period)))
    import numpy as np

    order = sorted(range(len(keep)), key=lambda k: ids[keep[k]])
    rows = [keep[k] for k in order]
    out: dict = {}
    for name, src in (("figure_id", ids), ("source_id", sids), ("unit", units), ("measure", measures), ("quote", quotes)):
        out[name] = [src[i] for i in rows]
    for name, src in (("as_written", written), ("notes", notes)):
        out[name] = [src[i] for i in rows]
    for name, col in zip(TEXT_READ, zip(*texts_out, strict=True) if texts_out else [()] * len(TEXT_READ), strict=True):
        out[name] = [col[k] for k in order]
    table = np.asarray(numbers, dtype=float).reshape(-1, len(NUMBERS_READ))[np.asarray(order, dtype=np.int64)]
    for j, name in enumerate(NUMBERS_READ):
        out[name] = table[:, j]
    return out, [figures.line(i) for i in rows]


@lru_cache(maxsize=4096)
def _period_cells(period: Period | None) -> tuple[str, str, str, str]:
    """period_start, period_end, period_basis and period_note of a figure."""
    if period is None:
        return "", "", "not stated", "the article gives no period for this figure"
    return period.start.isoformat(), period.end.isoformat(), period.basis, period.note


# the order of the values clean_figures works out for each row (its columns' types are the schema's)
NUMBERS_READ = ("value", "lower", "upper", "char_start", "char_end")
TEXT_READ = ("qualifier", "geography", "geography_code", "geography_note", "period_start", "period_end", "period_basis", "period_note")


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


def _value_problem(display: str, line: int, aw: str, reason: str):
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
            line,
            "as_written",
            aw,
            f"{hedge!r} is not a known hedge; use one of {known} or add it to the vocabulary",
        )
    return ("unparseable-number", display, line, "as_written", aw, f"cannot read the number as written: {reason}")


def check_coverage(paths, raw_figures: Table, starts, not_figures, texts, problems) -> dict[str, list]:
    """Every numeric mention must be a figure, a figure's period words, or listed as not a figure."""
    report = coverage(paths, raw_figures, not_figures, texts, problems, starts=starts, unaccounted_only=True)
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


def coverage(paths, raw_figures: Table, not_figures, texts, problems=None, *, starts=None, unaccounted_only=False):
    """For each source: its mentions paired with what accounts for them (or only
    those nothing accounts for)."""
    sids, quotes = raw_figures.column("source_id"), raw_figures.column("quote")
    if starts is None:
        starts = locate_quotes(texts, sids, quotes)
    spans: dict[str, list[Span]] = {sid: [] for sid in texts}
    fids, written, period_words = raw_figures.column("figure_id"), raw_figures.column("as_written"), raw_figures.column("period")
    for i, qs in enumerate(starts):
        if qs < 0:
            continue
        sid, quote, aw, words = sids[i], quotes[i], written[i], period_words[i]
        a = quote.find(aw)
        if a >= 0:
            spans[sid].append(Span(qs + a, qs + a + len(aw), "figure", fids[i]))
        if words:
            b = quote.find(words)
            if b >= 0:
                spans[sid].append(Span(qs + b, qs + b + len(words), "period", fids[i]))
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
    report = {}
    for sid in sorted(texts):
        text, found = texts[sid], mention_positions(texts[sid])
        held = account(found, spans[sid])
        report[sid] = [
            (Mention(a, b, text[a:b]), None if k < 0 else spans[sid][k])
            for (a, b), k in zip(found, held, strict=True)
            if k < 0 or not unaccounted_only
        ]
    return report


def main(argv: list[str] | None = None) -> int:
    from .stage import run_stage

    return run_stage("clean", run, argv)


if __name__ == "__main__":
    sys.exit(main())
