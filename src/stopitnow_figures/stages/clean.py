"""clean: raw tables and article texts to typed, checked tables.

Reads raw/sources.csv and raw/sources/*.txt (each text's sha256 checked
before it is read), raw/figures.csv, raw/not_figures.csv, raw/places.csv and
raw/period_readings.csv; writes the candidate's processed/sources.csv,
processed/figures.csv and processed/validation.json (in build/package/).

Clean runs the checks of ``validation`` (the pandera checks built from
schemas/ and the rules across tables) itself, on the rows it is about to
write, in the same process as its own checks: so every problem of a run,
whatever check finds it, is reported at once, and nothing is written unless
all pass. Nothing else re-runs them; ``publish`` alone promotes the candidate.

The figure rows become a ``CleanedFigure``, by column, whose fields are the
fields of schemas/figures.schema.json in order: adding a column to the schema
means adding it here, with what fills it, and nowhere else. Each column is
typed a column at a time, and each check a cell alone decides is decided once
for each distinct cell (units, places, periods repeat a lot).
"""

from __future__ import annotations

__all__ = ["check", "main", "run"]  # what a command may call (tests/test_layout.py)

import json
import math
import sys
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..model import floors
from ..model.coverage import AMBIGUOUS, NOT_FOUND, coverage, figure_spans, locate_quotes
from ..model.mentions import Span
from ..model.periods import Period, PeriodParseError, parse_period
from ..model.places import check_unions, members_used
from ..model.values import NumberReader, ValueParseError, find_number, plain_readings
from ..tables import config, raw, vocab
from ..tables.csvio import Row, Table, atomic_write_text, format_numbers, read_table, write_tables
from ..tables.errors import Collector
from ..tables.paths import Paths
from ..tables.schema import check_frame, field_names, field_types, load_schema
from ..tables.sources import load_sources
from ..tables.validation import RULES, check_tables
from ..tables.vocab import Vocabulary

NAN = math.nan


class CleanedFigure(NamedTuple):
    """The rows of processed/figures.csv by column: the fields of its schema, in order (the cells of
    a text field as a list, of a number field as a NumPy array, NaN where empty)."""

    figure_id: list[str]
    source_id: list[str]
    quantity_id: list[str]
    value: np.ndarray
    qualifier: list[str]
    lower: np.ndarray
    upper: np.ndarray
    unit: list[str]
    measure: list[str]
    geography: list[str]
    geography_code: list[str]
    geography_note: list[str]
    period_start: list[str]
    period_end: list[str]
    period_basis: list[str]
    period_note: list[str]
    quote: list[str]
    char_start: np.ndarray
    char_end: np.ndarray
    as_written: list[str]
    reading: list[str]
    notes: list[str]


def run(root: Path) -> None:
    paths = Paths(root)

    # -- load inputs and check them (everything `stopitnow-figures check` checks) ---------
    checked = check(paths)

    # -- save outputs ------------------------------------------------------
    out = paths.candidate
    tables = {
        "sources": checked.sources,
        "geographies": checked.geographies,
        "figures": checked.figures,
    }
    write_tables(
        {out.table(name): (schema_fields(paths, name), cols) for name, cols in tables.items()}
    )
    rows = {name: len(cols[next(iter(cols))]) for name, cols in tables.items()}
    atomic_write_text(out.validation_report, validation_report(paths, rows, checked.mentions))


@dataclass
class Checked:
    """What clean publishes, by column, once every check has passed."""

    sources: dict[str, list[str]]
    geographies: dict[str, list[str]]
    figures: dict[str, list]
    mentions: dict[str, int]

    def table(self, name: str) -> Table:
        """One of the tables (sources, geographies, figures) as the next stages read it from the
        candidate: every cell as written (numbers as ``csvio`` writes them)."""
        cols = getattr(self, name)
        cells = {
            n: format_numbers(c).to_pylist() if isinstance(c, np.ndarray) else c
            for n, c in cols.items()
        }
        return Table(list(cols), cells, n=len(next(iter(cols.values()))))


def check(paths: Paths) -> Checked:
    """Every check of clean and validate, all problems at once (InputError); nothing is written."""
    problems = Collector()
    vocabulary = vocab.load(paths.schemas)
    params = config.read(paths, "params", problems).get("clean")
    inputs = load_inputs(paths, vocabulary, problems)
    if check_drafts(paths, inputs, problems):
        # a drafted row is unfinished on purpose: its empty cells are not mistakes to list
        problems.raise_if_any()
    check_typed_row(paths, problems)
    sources, source_lines = clean_sources(paths, inputs, problems)
    check_source_kinds(paths, vocabulary, inputs.sources, problems)
    geographies = clean_geographies(paths, vocabulary, inputs, problems)
    cleaner = FigureCleaner(paths, vocabulary, inputs, params, problems)
    figures, lines = cleaner.clean_all()
    if cleaner.reader is not None:  # params.yaml unusable: reported by its own check
        floors.check(figures, lines, cleaner.reader, vocabulary, cleaner.display, problems)
    spans = figure_spans(inputs.figures, inputs.texts, cleaner.starts, cleaner.number_at)
    mentions = check_coverage(paths, inputs, spans, problems)
    check_numbers_claimed_once(paths, inputs, spans, problems)
    check_unused(paths, inputs, cleaner, problems)
    found = check_tables(
        paths,
        vocabulary,
        sources,
        figures,
        inputs.texts,
        figure_lines=lines,
        figure_display=cleaner.display,
        source_lines=source_lines,
    )
    sources_display, reported = paths.rel(paths.raw_sources), set(problems.problems)
    derived = lambda p: p.file == sources_display and p.column in SOURCE_TEXT_COLUMNS  # noqa: E731
    problems.extend(
        [
            p
            for p in found
            if (p.line, p.column) not in cleaner.blamed and not derived(p) and p not in reported
        ]
    )
    display = paths.rel(paths.raw_geographies)
    problems.extend(
        check_frame(
            geographies,
            paths.schema("geographies"),
            "geographies",
            display,
            lines=geographies_lines(inputs),
            vocabulary=vocabulary,
        )
    )
    problems.raise_if_any()
    return Checked(sources, geographies, figures, mentions)


def check_drafts(paths: Paths, inputs: Inputs, problems: Collector) -> bool:
    """A row `propose` drafted is refused until a curator has finished it: each is named with what
    is left."""
    found = False
    for table, rows, path in (
        ("figures", inputs.figures, paths.raw_figures),
        ("not_figures", inputs.not_figures, paths.raw_not_figures),
    ):
        column = raw.DRAFT_COLUMN[table]
        for i in [
            i for i, cell in enumerate(rows.column(column)) if raw.is_draft(table, {column: cell})
        ]:
            found, row = True, Row(rows.line(i), {n: rows.column(n)[i] for n in rows.names})
            left = raw.empty_required(paths, table, row)
            todo = f"fill in {', '.join(left)}, then " if left else "check it, then "
            message = f"a drafted row: {todo}remove the {raw.DRAFT_MARK!r} mark from its {column}"
            problems.add("draft-row", paths.rel(path), row.line, column, row[column][:60], message)
    return found


@dataclass
class Inputs:
    """The raw tables and the texts of the articles whose hashes match."""

    sources: Table
    texts: dict[str, str]
    figures: Table
    not_figures: Table
    places: Table
    readings: Table
    geographies: Table
    population: Table


def load_inputs(paths: Paths, vocabulary: Vocabulary, problems: Collector) -> Inputs:
    sources, texts = load_sources(paths, problems, vocabulary.id_pattern)
    tables = {}
    named = (
        ("figures", paths.raw_figures),
        ("not_figures", paths.raw_not_figures),
        ("places", paths.raw_places),
        ("period_readings", paths.raw_period_readings),
        ("geographies", paths.raw_geographies),
        ("pages_not_added", paths.raw_pages_not_added),  # checked here, listed by the datasheet
    )
    for name, path in named:
        tables[name] = raw.read(paths, name, path, problems)
        if name != "figures":  # the figure rows are checked once typed, by their published schema
            problems.extend(raw.check(paths, name, tables[name], path))
    population = read_table(
        paths.raw_population,
        field_names(load_schema(paths.schema("population"))),
        problems,
        display=paths.rel(paths.raw_population),
    )
    t = tables
    return Inputs(
        sources,
        texts,
        t["figures"],
        t["not_figures"],
        t["places"],
        t["period_readings"],
        t["geographies"],
        population,
    )


def schema_fields(paths: Paths, table: str) -> list[str]:
    return field_names(load_schema(paths.schema(table)))


def check_typed_row(paths: Paths, problems: Collector) -> None:
    """The typed row must have the schema's fields, in order: the one place a new column is added in
    code."""
    fields = schema_fields(paths, "figures")
    if list(CleanedFigure._fields) != fields:
        missing = [f for f in fields if f not in CleanedFigure._fields]
        extra = [f for f in CleanedFigure._fields if f not in fields]
        message = (
            "CleanedFigure in src/stopitnow_figures/stages/clean.py has the fields "
            f"{list(CleanedFigure._fields)}; "
            f"the schema has {fields} (missing {missing}, not in the schema {extra}): add the "
            "field there, in the schema's order, "
            "and the function that fills it"
        )
        problems.add(
            "typed-row-mismatch", paths.rel(paths.schema("figures")), None, None, None, message
        )


def clean_sources(
    paths: Paths, inputs: Inputs, problems: Collector
) -> tuple[dict[str, list[str]], list[int]]:
    """The source rows with the path and length of each text, by column, sorted by id; and the raw
    line of each."""
    display = paths.rel(paths.raw_sources)
    seen: set[str] = set()
    out = []
    for row in inputs.sources:
        sid = row["source_id"]
        if sid in seen:
            problems.add(
                "duplicate-id", display, row.line, "source_id", sid, "source_id must be unique"
            )
        seen.add(sid)
        text = inputs.texts.get(sid)
        cells = dict(
            row.cells, text_path=paths.rel(paths.source_text(sid)), text_chars=str(len(text or ""))
        )
        out.append((cells, row.line))
    out.sort(key=lambda r: r[0]["source_id"])
    return {n: [r[n] for r, _ in out] for n in schema_fields(paths, "sources")}, [
        line for _, line in out
    ]


# Columns clean adds to a source row: 0 characters where the text could not be read, which is
# reported already (and says why), so that the row's own cells are still checked
SOURCE_TEXT_COLUMNS = ("text_path", "text_chars")


def check_source_kinds(
    paths: Paths, vocabulary: Vocabulary, sources: Table, problems: Collector
) -> None:
    """Each source has what its kind needs (schemas/vocabulary.json, sources), and the period a
    report covers is two real dates in order, ending by the time it was published (a kind outside
    the vocabulary is the schema check's)."""
    display = paths.rel(paths.raw_sources)
    for row in sources:
        kind = vocabulary.source_kinds.get(row["kind"])
        for column in kind["needs"] if kind else ():
            if not row[column].strip():
                message = (
                    f"a source of the kind {row['kind']!r} needs its {column} "
                    f"({kind['about']}; schemas/vocabulary.json, sources)"
                )
                problems.add("required", display, row.line, column, row[column], message)
        if row["covers"].strip():
            _check_covers(row, display, problems)


def _check_covers(row: Row, display: str, problems: Collector) -> None:
    """``covers`` is START/END, two real dates, in order, the end no later than the latest
    publication date."""
    ends = row["covers"].split("/")
    try:
        start, end = (date.fromisoformat(d) for d in ends) if len(ends) == 2 else (None, None)
    except ValueError:
        start = end = None
    if start is None or end is None:
        problems.add(
            "bad-date",
            display,
            row.line,
            "covers",
            row["covers"],
            "give the period covered as START/END, two real dates YYYY-MM-DD",
        )
        return
    if end < start:
        problems.add(
            "period-ordered",
            display,
            row.line,
            "covers",
            row["covers"],
            "the period covered ends before it starts",
        )
    try:
        latest = date.fromisoformat(row["published_latest"])
    except ValueError:
        return  # reported with the publication window
    if end > latest:
        message = f"the period covered ends {end}, after the source was published (by {latest})"
        problems.add(
            "period-after-publication", display, row.line, "covers", row["covers"], message
        )


def clean_geographies(
    paths: Paths, vocabulary: Vocabulary, inputs: Inputs, problems: Collector
) -> dict[str, list[str]]:
    """Each GSS code once, with the place words read as it; a place's code must be one of them, and
    each one must be used (a union's members are used by it); a union of areas lists its members and
    has their code (see ``places``)."""
    display, codes = paths.rel(paths.raw_geographies), inputs.geographies.column("geography_code")
    check_unions(vocabulary, inputs.geographies, display, problems)
    read_from: dict[str, list[str]] = {code: [] for code in codes}
    for row in inputs.places:
        code = row["geography_code"]
        if code and code not in read_from:
            problems.add(
                "unknown-id",
                paths.rel(paths.raw_places),
                row.line,
                "geography_code",
                code,
                f"no row of {display} has this code",
            )
        elif code:
            read_from[code].append(f"{row['place']!r} ({row['source_id'] or 'any article'})")
    for row in inputs.population:
        if row["geography_code"] not in read_from:
            message = f"no row of {display} has this code"
            problems.add(
                "unknown-id",
                paths.rel(paths.raw_population),
                row.line,
                "geography_code",
                row["geography_code"],
                message,
            )
    used = members_used(
        vocabulary,
        inputs.geographies,
        set(inputs.population.column("geography_code"))
        | {c for c, words in read_from.items() if words},
    )
    _geography_rows_once_and_used(display, inputs, used, problems)
    rows = sorted(inputs.geographies, key=lambda r: r["geography_code"])  # geographies_lines' order
    return {
        "geography_code": [r["geography_code"] for r in rows],
        "geography": [r["geography"] for r in rows],
        "kind": [r["kind"] for r in rows],
        "members": [r["members"] for r in rows],
        "read_from": ["; ".join(read_from.get(r["geography_code"], [])) for r in rows],
        "note": [r["note"] for r in rows],
    }


def _geography_rows_once_and_used(
    display: str, inputs: Inputs, used: set[str], problems: Collector
) -> None:
    """Each code of raw/geographies.csv listed once, and (where the place readings are complete)
    used by a place reading, a population row or a union."""
    seen: set[str] = set()
    for row in inputs.geographies:
        code = row["geography_code"]
        if code in seen:
            problems.add(
                "duplicate-id",
                display,
                row.line,
                "geography_code",
                code,
                "each code is listed once",
            )
        seen.add(code)
        if inputs.places.complete and code not in used:
            problems.add(
                "unused-row",
                display,
                row.line,
                "geography_code",
                code,
                "no place reading and no population row uses this code; remove the row",
            )


def geographies_lines(inputs: Inputs) -> list[int]:
    """The raw line of each row of the geographies table, in its published order."""
    return [r.line for r in sorted(inputs.geographies, key=lambda r: r["geography_code"])]


def publication_windows(
    paths: Paths, sources: Table, problems: Collector
) -> dict[str, tuple[date, date]]:
    """Each source's (earliest, latest) publication date, where both are real dates in order."""
    display = paths.rel(paths.raw_sources)
    windows = {}
    for row in sources:
        dates = {}
        for col in ("published_earliest", "published_latest"):
            try:
                dates[col] = date.fromisoformat(row[col])
            except ValueError:
                problems.add(
                    "bad-date",
                    display,
                    row.line,
                    col,
                    row[col],
                    "not a real date in YYYY-MM-DD form",
                )
        if len(dates) < 2:
            continue
        if dates["published_latest"] < dates["published_earliest"]:
            problems.add(
                "period-ordered",
                display,
                row.line,
                "published_latest",
                row["published_latest"],
                "the latest publication date is before the earliest",
            )
        windows[row["source_id"]] = (dates["published_earliest"], dates["published_latest"])
    return windows


@dataclass
class FigureCleaner:
    """Types every figure row; records the cells it could not work out (``blamed``)
    so that the schema checks do not report them again as empty."""

    paths: Paths
    vocabulary: Vocabulary
    inputs: Inputs
    params: dict | None
    problems: Collector
    blamed: set[tuple[int, str]] = field(default_factory=set)
    used_places: set[int] = field(default_factory=set)
    used_readings: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.display = self.paths.rel(self.paths.raw_figures)
        fig = self.inputs.figures
        self.col = {name: fig.column(name) for name in fig.names}
        self.windows = publication_windows(self.paths, self.inputs.sources, self.problems)
        self.starts = locate_quotes(self.inputs.texts, self.col["source_id"], self.col["quote"])
        self.reader = None if not self.params else NumberReader(self.vocabulary, self.params)
        self.places = PlaceReader(
            self.paths, self.vocabulary, self.inputs.places, self.inputs.geographies
        )
        self.periods = PeriodReader(
            self.paths,
            self.vocabulary,
            self.inputs.readings,
            self.windows,
            confirmed_dates(self.vocabulary, self.inputs.sources),
            self.problems,
        )
        self.basis = self.vocabulary.names("figures", "period_basis")
        self.source_ids = set(self.inputs.sources.column("source_id"))
        self._numbers: dict[str, tuple | str] = {}
        self.number_at: list[
            int
        ] = []  # where each figure's number stands in its quote (see ``locate``)

    def clean_all(self) -> tuple[dict, list[int]]:
        """The columns of processed/figures.csv (sorted by figure_id) and the raw line of each
        row."""
        fig = self.inputs.figures
        self.check_ids()
        periods = self.periods.resolve(fig, self.col, self.display)
        cleaned = self.clean_columns([periods.get(i) for i in range(len(fig))])
        order = sorted(range(len(fig)), key=self.col["figure_id"].__getitem__)
        return pack(cleaned, order, field_types(load_schema(self.paths.schema("figures")))), [
            fig.line(k) for k in order
        ]

    def check_ids(self) -> None:
        first: dict[str, int] = {}
        for i, fid in enumerate(self.col["figure_id"]):
            if fid in first:
                line = self.inputs.figures.line(i)
                self.problems.add(
                    "duplicate-id",
                    self.display,
                    line,
                    "figure_id",
                    fid,
                    f"figure_id already used on line {self.inputs.figures.line(first[fid])}",
                )
                self.blamed.add((line, "figure_id"))
            else:
                first[fid] = i

    def clean_columns(self, periods: list[Period | None]) -> CleanedFigure:
        """Every figure row typed, a column at a time, in the raw order (``periods``: each row's
        period)."""
        c, lines = self.col, self.inputs.figures.lines
        self.check_sources(lines)
        qualifier, value, lower, upper, kinds = self.read_values(lines)
        self.check_units(kinds, lines)
        geography, code, geo_note = self.places.read(c["place"], c["source_id"], lines, self)
        start, end = self.locate(lines)
        self.check_publication(periods, lines)
        return CleanedFigure(
            figure_id=c["figure_id"],
            source_id=c["source_id"],
            quantity_id=c["quantity_id"],
            value=value,
            qualifier=qualifier,
            lower=lower,
            upper=upper,
            unit=c["unit"],
            measure=c["measure"],
            geography=geography,
            geography_code=code,
            geography_note=geo_note,
            **self.period_cells(periods),
            quote=c["quote"],
            char_start=start,
            char_end=end,
            as_written=c["as_written"],
            reading=c["reading"],
            notes=c["notes"],
        )

    def check_sources(self, lines: list[int]) -> None:
        for line, sid in zip(lines, self.col["source_id"], strict=True):
            if sid not in self.source_ids:
                self.problems.add(
                    "unknown-id",
                    self.display,
                    line,
                    "source_id",
                    sid,
                    "no source in raw/sources.csv has this id",
                )
                self.blamed.update((line, c) for c in ("source_id", "char_start", "char_end"))

    def read_values(
        self, lines: list[int]
    ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """The qualifier, value, interval and kind of each number as written (NaN and no kind where
        it cannot be read): the plain whole numbers a column at a time (``plain_readings``), the
        others one by one."""
        n = len(lines)
        value, lower, upper = np.full(n, NAN), np.full(n, NAN), np.full(n, NAN)
        if self.reader is None:  # params.yaml is unusable: reported by its own check
            self.blamed.update((line, c) for line in lines for c in VALUE_CELLS)
            return [""] * n, value, lower, upper, [""] * n
        written, readings = self.col["as_written"], self.col["reading"]
        fits, plain_qualifier, plain_value, plain_lower, plain_upper = plain_readings(
            self.reader, written, readings
        )
        value[fits], lower[fits], upper[fits] = (
            plain_value[fits],
            plain_lower[fits],
            plain_upper[fits],
        )
        qualifier, kinds = plain_qualifier.tolist(), ["count" if f else "" for f in fits.tolist()]
        for i in np.flatnonzero(~fits).tolist():
            qualifier[i], value[i], lower[i], upper[i], kinds[i] = self.read_value(
                written[i], readings[i], lines[i]
            )
        return qualifier, value, lower, upper, kinds

    def read_value(
        self, written: str, reading: str, line: int
    ) -> tuple[str, float, float, float, str]:
        """The qualifier, value, interval and kind of a number as written (NaN and no kind where it
        cannot be read)."""
        got = self._numbers.get((written, reading))
        if got is None:
            try:
                parsed, value, lower, upper = self.reader.read(written, reading)
                got = (
                    parsed.qualifier,
                    value,
                    NAN if lower is None else lower,
                    NAN if upper is None else upper,
                    parsed.kind,
                )
            except ValueParseError as exc:
                got = str(exc)
            self._numbers[(written, reading)] = got
        if isinstance(got, str):
            self.problems.add(*value_problem(self.reader, self.display, line, written, got))
            self.blamed.update((line, c) for c in VALUE_CELLS)
            return "", NAN, NAN, NAN, ""
        return got

    def check_units(self, kinds: list[str], lines: list[int]) -> None:
        """Each number's unit against its kind and its measure: decided once for each distinct unit,
        measure and kind."""
        decided: dict[tuple[str, str, str], str] = {}
        for line, key in zip(
            lines, zip(self.col["unit"], self.col["measure"], kinds, strict=True), strict=True
        ):
            message = decided.get(key)
            if message is None:
                message = decided[key] = self.unit_problem(*key)
            if message:
                self.problems.add("unit-mismatch", self.display, line, "unit", key[0], message)

    def unit_problem(self, unit: str, measure: str, kind: str) -> str:
        """Why the unit does not fit the number's kind or its measure ("" if it does)."""
        v = self.vocabulary
        if not kind or unit not in v.units or measure not in v.measures:
            # an unread number, or a word outside the vocabulary (the schema check reports it)
            return ""
        kind_units = v.kind_units[kind]
        if unit not in kind_units:
            return f"the number is a {kind}; its unit must be one of {list(kind_units)}"
        if measure in v.measure_units and unit not in v.measure_units[measure]:
            return f"measure {measure!r} needs unit {v.measure_units[measure][0]!r}"
        return ""

    def locate(self, lines: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The quotes' offsets in their articles (NaN where a quote is not there once), and where
        each number stands in its quote (``number_at``, -1 where it is not whole words of it)."""
        c, starts = self.col, self.starts
        quotes, written = c["quote"], c["as_written"]
        self.number_at = list(map(find_number, quotes, written))
        for i in (i for i, at in enumerate(self.number_at) if at < 0):
            message = "the number as written is not whole words of the quote"
            self.problems.add(
                "number-not-in-quote", self.display, lines[i], "as_written", written[i], message
            )
        start = np.asarray(starts, dtype=float)
        end = start + np.fromiter(map(len, quotes), dtype=float, count=len(quotes))
        found = start >= 0
        for i in np.flatnonzero(~found).tolist():
            if starts[i] in (NOT_FOUND, AMBIGUOUS):
                sid = c["source_id"][i]
                self.problems.add(
                    *quote_problem(
                        self.display, lines[i], quotes[i], sid, self.inputs.texts[sid], starts[i]
                    )
                )
            self.blamed.update((lines[i], col) for col in ("char_start", "char_end"))
        start[~found], end[~found] = NAN, NAN
        return start, end

    def check_publication(self, periods: list[Period | None], lines: list[int]) -> None:
        c = self.col
        for i, (sid, period) in enumerate(zip(c["source_id"], periods, strict=True)):
            window = self.windows.get(sid)
            if period is not None and window is not None and period.end > window[1]:
                message = (
                    f"the period ends {period.end} but the article was published by {window[1]}"
                )
                self.problems.add(
                    "period-after-publication",
                    self.display,
                    lines[i],
                    "period",
                    c["period"][i] or c["period_ref"][i],
                    message,
                )
                self.blamed.add((lines[i], "period_end"))

    def period_cells(self, periods: list[Period | None]) -> dict[str, list[str]]:
        """period_start, period_end, period_basis and period_note of each figure: worked out once
        for each period."""
        distinct = {id(p): p for p in periods}
        cells = {k: self.period_row(p) for k, p in distinct.items()}
        keys = list(map(id, periods))
        return {name: [cells[k][j] for k in keys] for j, name in enumerate(PERIOD_FIELDS)}

    def period_row(self, period: Period | None) -> tuple[str, str, str, str]:
        """period_start, period_end, period_basis and period_note of one period."""
        if period is None:
            return ("", "", self.basis.not_stated, self.vocabulary.labels["no_period_note"])
        basis = self.basis.stated if period.stated else self.basis.inferred
        return (period.start.isoformat(), period.end.isoformat(), basis, period.note)


VALUE_CELLS = (
    "value",
    "qualifier",
    "lower",
    "upper",
)  # the cells a number that cannot be read leaves empty
PERIOD_FIELDS = ("period_start", "period_end", "period_basis", "period_note")


def pack(cleaned: CleanedFigure, order: list[int], types: dict[str, str]) -> dict:
    """The typed columns by field name, rows in ``order``: number and integer fields as NumPy arrays
    (NaN where empty)."""
    at = np.asarray(order, dtype=np.intp)
    return {
        name: np.asarray(col, dtype=float)[at]
        if types[name] in ("number", "integer")
        else list(map(col.__getitem__, order))
        for name, col in zip(CleanedFigure._fields, cleaned, strict=True)
    }


def value_problem(
    reader: NumberReader, display: str, line: int, written: str, reason: str
) -> tuple:
    """Why a number as written cannot be read: an unknown hedge before a readable number, or not a
    number at all."""
    words = written.lower().split()
    for i in range(1, len(words)):
        try:
            reader.parse(" ".join(words[i:]))
        except ValueParseError:
            continue
        hedge, known = " ".join(words[:i]), sorted(h for h, _ in reader.hedges)
        return (
            "unknown-hedge",
            display,
            line,
            "as_written",
            written,
            f"{hedge!r} is not a known hedge; use one of {known} or add it to "
            "schemas/vocabulary.json",
        )
    return (
        "unparseable-number",
        display,
        line,
        "as_written",
        written,
        f"cannot read the number as written: {reason}",
    )


def quote_problem(display: str, line: int, quote: str, sid: str, text: str, start: int) -> tuple:
    if start == AMBIGUOUS:
        return (
            "quote-ambiguous",
            display,
            line,
            "quote",
            quote,
            f"the quote occurs {max(text.count(quote), 2)} times in the article; lengthen it "
            "until it is unique",
        )
    hint = ""
    if " " in quote and quote.replace(" ", "") in text.replace(" ", "").replace("\xa0", ""):
        hint = " (the article has a non-breaking space where the quote has a plain one)"
    return (
        "quote-not-in-source",
        display,
        line,
        "quote",
        quote,
        f"the quote does not occur in raw/sources/{sid}.txt{hint}",
    )


class PlaceReader:
    """The reading of the place words of figures, through raw/places.csv (a reading for one article
    first)."""

    def __init__(
        self, paths: Paths, vocabulary: Vocabulary, places: Table, geographies: Table
    ) -> None:
        self.col = {
            name: places.column(name)
            for name in ("place", "source_id", "geography_code", "basis", "note")
        }
        self.names = dict(
            zip(geographies.column("geography_code"), geographies.column("geography"), strict=True)
        )
        self.labels = vocabulary.labels
        self.index = {
            key: k
            for k, key in enumerate(zip(self.col["place"], self.col["source_id"], strict=True))
        }
        self.inferred = vocabulary.names("raw/places", "basis").inferred
        self.display = paths.rel(paths.raw_figures)

    def read(
        self, places: list[str], sids: list[str], lines: list[int], cleaner: FigureCleaner
    ) -> tuple[list[str], list[str], list[str]]:
        """geography, geography_code and geography_note of each figure's place words: read once for
        each place and article."""
        keys = list(zip(places, sids, strict=True))
        got = {key: self._reading(*key) for key in dict.fromkeys(keys)}
        cleaner.used_places.update(g[3] for g in got.values() if g[3] is not None)
        message = "the place is not in raw/places.csv; add it with its GSS code or say it has none"
        for line, key in zip(lines, keys, strict=True):
            if got[key][3] is None and key[0]:
                cleaner.problems.add("unknown-place", self.display, line, "place", key[0], message)
        return tuple([got[key][j] for key in keys] for j in range(3))

    def _reading(self, place: str, sid: str) -> tuple[str, str, str, int | None]:
        k = self.index.get((place, sid), self.index.get((place, "")))
        c, labels = self.col, self.labels
        if k is None:
            return (labels["no_place"], "", "" if place else labels["no_place_note"], None)
        code = c["geography_code"][k]
        name = self.names.get(code, labels["no_area"]) if code else labels["no_area"]
        return (name, code, geo_note(place, name, c["note"][k], c["basis"][k] == self.inferred), k)


def geo_note(place: str, geography: str, note: str, inferred: bool) -> str:
    """How the place words were read: named outright, or read as the area (an inference), with the
    reading's note."""
    text = f"{'read as' if inferred else 'named as'} {geography} from {place!r}"
    return f"{text}. {note}" if note else text


def confirmed_dates(vocabulary: Vocabulary, sources: Table) -> set[str]:
    """The sources whose publication date is confirmed (the notes of periods read from it say
    so)."""
    confirmed = vocabulary.names("sources", "date_basis").confirmed
    return {
        sid
        for sid, basis in zip(
            sources.column("source_id"), sources.column("date_basis"), strict=True
        )
        if basis == confirmed
    }


class PeriodReader:
    """The period of each figure: its words read by hand (raw/period_readings.csv) or
    by the parser, against its article's publication window and the periods of the
    figures its period_ref names (resolved without recursion, cycles reported). A
    figure whose period_ref names a figure whose period could not be read is not read
    either (its problem follows from the other's), unless its words are read by hand."""

    def __init__(
        self,
        paths: Paths,
        vocabulary: Vocabulary,
        readings: Table,
        windows: dict,
        confirmed: set[str],
        problems: Collector,
    ) -> None:
        self.paths, self.windows, self.confirmed, self.problems = (
            paths,
            windows,
            confirmed,
            problems,
        )
        self.rdisplay = paths.rel(paths.raw_period_readings)
        self.readings = {}
        for k, r in enumerate(readings):
            self.readings[(r["source_id"], r["period"])] = (k, self.reading_of(r))
        self.used: set[int] = set()
        self.unread: set[int] = (
            set()
        )  # rows in a period_ref cycle or whose words could not be read, or depending on one
        self._memo: dict[tuple, tuple[Period | None, str | None]] = {}

    def reading_of(self, r: Row) -> Period | None:
        """A hand reading as a period (None if its dates are not real dates, reported here)."""
        try:
            start, end = date.fromisoformat(r["period_start"]), date.fromisoformat(r["period_end"])
        except ValueError:
            for col in ("period_start", "period_end"):
                try:
                    date.fromisoformat(r[col])
                except ValueError:
                    self.problems.add(
                        "bad-date",
                        self.rdisplay,
                        r.line,
                        col,
                        r[col],
                        "not a real date in YYYY-MM-DD form",
                    )
            return None
        if end < start:
            self.problems.add(
                "period-ordered",
                self.rdisplay,
                r.line,
                "period_end",
                r["period_end"],
                "the period ends before it starts",
            )
        return Period(start, end, False, f"{r['period']!r}: {r['reasoning']}")

    def resolve(self, fig: Table, col: dict, display: str) -> dict[int, Period | None]:
        """The period of every figure row, each after the rows its period_ref names (first the rows
        that name none, each alone; ``edges`` holds the others)."""
        ids, refs = col["figure_id"], col["period_ref"]
        first: dict[str, int] = {}
        for i, fid in enumerate(ids):
            first.setdefault(fid, i)
        edges = {i: self.ref_rows(i, ref, first, fig, display) for i, ref in enumerate(refs) if ref}
        done: dict[int, Period | None] = {
            i: self.period_of(i, [], fig, col, display) for i, ref in enumerate(refs) if not ref
        }
        for root in edges:
            self.visit(root, edges, done, fig, col, display)
        return done

    def ref_rows(
        self, i: int, ref: str, first: dict[str, int], fig: Table, display: str
    ) -> list[int]:
        out = []
        for name in filter(None, ref.split("+")):
            if name not in first:
                self.problems.add(
                    "unknown-id", display, fig.line(i), "period_ref", name, "no figure has this id"
                )
            else:
                out.append(first[name])
        return out

    def visit(
        self, root: int, edges: dict, done: dict, fig: Table, col: dict, display: str
    ) -> None:
        """Depth first from ``root`` with a stack of its own (a chain of a million figures needs no
        recursion)."""
        if root in done:
            return
        stack, active = [(root, iter(edges[root]))], {root}
        while stack:
            i, pending = stack[-1]
            j = next(pending, None)
            if j is None:
                stack.pop()
                active.discard(i)
                if not self.by_hand(i, col) and (
                    i in self.unread or any(r in self.unread for r in edges[i])
                ):
                    self.unread.add(
                        i
                        # in a cycle, or after one: its period follows from the cycle's problem, not
                        # a new one
                    )
                    done[i] = None
                    continue
                refs = [
                    replace(done[r], figure=col["figure_id"][r])
                    for r in edges[i]
                    if done.get(r) is not None
                ]
                done[i] = self.period_of(i, refs, fig, col, display)
            elif j in active:
                self.problems.add(
                    "period-ref-cycle",
                    display,
                    fig.line(j),
                    "period_ref",
                    col["period_ref"][j],
                    "period_ref leads back to this figure",
                )
                self.unread.update(
                    k for k, _ in stack[next(n for n, (k, _) in enumerate(stack) if k == j) :]
                )
            elif j not in done:
                stack.append((j, iter(edges[j])))
                active.add(j)

    def by_hand(self, i: int, col: dict) -> bool:
        """Whether the period words of row ``i`` are read by hand (raw/period_readings.csv)."""
        words = col["period"][i]
        return bool(words) and (col["source_id"][i], words) in self.readings

    def period_of(
        self, i: int, refs: list[Period], fig: Table, col: dict, display: str
    ) -> Period | None:
        sid, words = col["source_id"][i], col["period"][i]
        key = (sid, words, tuple(refs))
        if key not in self._memo:
            self._memo[key] = self.read(sid, words, tuple(refs))
        period, error = self._memo[key]
        if words and (sid, words) in self.readings:
            self.used.add(self.readings[(sid, words)][0])
        if error is not None:
            self.problems.add(error.type, display, fig.line(i), "period", words, str(error))
            self.unread.add(i)
        return period

    def read(
        self, sid: str, words: str, refs: tuple[Period, ...]
    ) -> tuple[Period | None, PeriodParseError | None]:
        """The period the words give in an article (a hand reading first), or why they give none."""
        if words and (sid, words) in self.readings:
            return self.readings[(sid, words)][1], None
        if sid not in self.windows:
            return None, None  # the article's dates are unknown (reported with the source)
        try:
            return parse_period(words, self.windows[sid], refs, sid in self.confirmed), None
        except PeriodParseError as exc:
            return None, exc


def check_coverage(
    paths: Paths, inputs: Inputs, spans: dict[str, list[Span]], problems: Collector
) -> dict[str, int]:
    """Every numeric mention must be a figure, a figure's period words, or listed as not a figure;
    the counts of mentions and of those nothing accounts for (``spans``: what the figures claim, see
    ``figure_spans``)."""
    counts = {"numeric": 0, "unaccounted": 0}
    if not (inputs.figures.complete and inputs.not_figures.complete and inputs.sources.complete):
        # a table that could not be read whole would make every mention it holds look unaccounted
        return counts
    for sid, items in coverage(
        paths,
        inputs.figures,
        inputs.not_figures,
        inputs.texts,
        problems,
        spans=spans,
        unaccounted_only=True,
        counts=counts,
        listed=set(inputs.sources.column("source_id")),
    ).items():
        text = inputs.texts[sid]
        for mention, _ in items:
            ctx = text[max(0, mention.start - 30) : mention.end + 30].replace("\n", " ")
            message = (
                f"numeric mention at offset {mention.start} (...{ctx}...) is neither a "
                "figure in raw/figures.csv nor listed in raw/not_figures.csv"
            )
            problems.add(
                "unaccounted-number",
                f"raw/sources/{sid}.txt",
                text.count("\n", 0, mention.start) + 1,
                None,
                mention.text,
                message,
            )
    return counts


def check_numbers_claimed_once(
    paths: Paths, inputs: Inputs, spans: dict[str, list[Span]], problems: Collector
) -> None:
    """No two figures claim the same characters of an article as their number (a copied row, a
    period_ref copy)."""
    line = dict(zip(inputs.figures.column("figure_id"), inputs.figures.lines, strict=False))
    display = paths.rel(paths.raw_figures)
    for sid in sorted(spans):
        held: tuple[int, str] | None = (
            None  # the end and id of the figure span reaching furthest so far
        )
        for span in sorted(s for s in spans[sid] if s.kind == "figure"):
            if held is not None and span.start < held[0]:
                message = (
                    f"{held[1]} already claims the number at offset {span.start} of {sid}: "
                    "each number of an article is one figure"
                )
                problems.add(
                    "number-claimed-twice", display, line.get(span.ref), "quote", span.ref, message
                )
            if held is None or span.end > held[0]:
                held = (span.end, span.ref)


def check_unused(paths: Paths, inputs: Inputs, cleaner: FigureCleaner, problems: Collector) -> None:
    """A place or period reading that no figure uses is refused: it is a correction that matches
    nothing."""
    if not inputs.figures.complete:
        return
    for table, used, path, what in (
        (inputs.places, cleaner.used_places, paths.raw_places, "place"),
        (inputs.readings, cleaner.periods.used, paths.raw_period_readings, "period"),
    ):
        for k, row in enumerate(table):
            if k not in used:
                message = (
                    f"no figure of {row['source_id'] or 'any article'} reads this {what}; "
                    "remove the row, or put the reading in the note of the figure it explains"
                )
                problems.add("unused-row", paths.rel(path), row.line, what, row[what], message)


def validation_report(paths: Paths, rows: dict[str, int], mentions: dict[str, int]) -> str:
    report = {
        "tables": {
            name: {"rows": n, "schema": paths.rel(paths.schema(name))} for name, n in rows.items()
        },
        "mentions": mentions,
        "rules": RULES,
        "problems": [],
        "valid": True,
    }
    return json.dumps(report, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    from ..publishing.stage import run_stage

    return run_stage("clean", run, argv)


if __name__ == "__main__":
    sys.exit(main())
