"""The provenance gate: every numeric cell of every published table traces.

A cell is traced when it is

- quoted: its source text's sha256 matches, the text at its offsets is the
  quote, the quote holds the number as written, and reading the number as
  written (with the hedge widths in params.yaml) gives the published value and
  bounds;
- derived: its formula, re-evaluated on its inputs, gives the published value
  and bounds, and each input traces in turn;
- reference: a population row naming its publisher and table;
- reconciled: a quantity's value and bounds are what re-solving the
  reconciliation from the published figures (its mentions) and identities
  gives, and every mention traces; a claim's computed numbers and verdict are
  what deciding it again on the published quantities gives.

Dates trace too: a figure's period carries the words it was read from
(``period_note``) and its basis; a metric's period is an input's period,
whole years apart at most; a source's dates carry their reasoning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..model import series
from ..model.bounds import model_of_tables
from ..model.claims import ClaimChecker
from ..model.formulas import OF_RULE, Periods, evaluate_many, period_of_rule
from ..model.periods import reference_date
from ..model.values import NumberReader, ValueParseError, find_number, plain_readings
from ..tables.csvio import Table
from ..tables.vocab import Vocabulary


@dataclass(frozen=True, order=True)
class Untraced:
    resource: str
    row: int  # 1-based data row (the line in the CSV is row + 1)
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.resource} row {self.row} ({self.column}={self.value!r}): {self.reason}"


def numeric_columns(vocabulary: Vocabulary, table: str) -> list[str]:
    """The cells the gate traces: every number, integer and date field of the table's schema."""
    return list(vocabulary.typed[table])


def _num(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _same_columns(published: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``_same`` row by row (NaN for an empty cell): both empty, or close."""
    both_empty = np.isnan(published) & np.isnan(expected)
    with np.errstate(invalid="ignore"):
        close = np.abs(published - expected) <= np.maximum(
            1e-9 * np.maximum(np.abs(published), np.abs(expected)), 1e-9
        )
    return both_empty | close


def _as_table(data) -> Table:
    if isinstance(data, Table):
        return data
    names = list(data[0]) if data else []
    return Table.from_rows(names, data)


def check(
    tables: dict,
    texts: dict[str, str],
    sha256: dict[str, str],
    hedges: dict | None,
    vocabulary: Vocabulary,
) -> list[Untraced]:
    """Return every untraced cell; empty when the package may be published.

    ``tables`` maps resource name to a Table (or a list of row dicts) of text
    cells as published; ``texts`` the decoded article texts; ``sha256`` the
    digest of each text's bytes as read now; ``hedges`` the clean stage's
    params (hedge_widths, vague_ranges), None where params.yaml is unusable.
    """
    t = {name: _as_table(rows) for name, rows in tables.items()}
    bad: list[Untraced] = []
    sources = _check_sources(t["sources"], texts, sha256, vocabulary, bad)
    reader = None if not hedges else NumberReader(vocabulary, hedges)
    figure_ok = _check_figures(t["figures"], sources, texts, sha256, reader, vocabulary, bad)
    t[
        "figures"
    ].release()  # each check holds the text cells it needs as lists: one table's at a time
    population_ok = _check_population(t["population"], vocabulary, bad)
    if "series" in t:
        _check_series(t["series"], t["quantities"], vocabulary, bad)
    model, quantity_ok = _check_quantities(t, figure_ok, vocabulary, bad)
    t["figures"].release()
    t["quantities"].release()
    index, value, lo, hi, periods = _environment(t)
    traced = np.concatenate([quantity_ok, population_ok, np.zeros(len(t["derived"]), dtype=bool)])
    _check_metrics(t["derived"], index, value, lo, hi, traced, periods, bad)
    t["derived"].release()
    t["quantities"].release()
    if model is not None and hedges:

        def lookup(ident: str) -> tuple[float, float, float]:
            i = index[ident]
            return float(value[i]), float(lo[i]), float(hi[i])

        claimed = _claimed_figures(t["claims"], t["figures"])
        checker = ClaimChecker(vocabulary, {"clean": hedges}, claimed, model, lookup)
        _check_claims(t["claims"], t["figures"], figure_ok, checker, index, traced, bad)
    return sorted(set(bad))


def _check_quantities(
    t: dict[str, Table], figure_ok: np.ndarray, vocabulary: Vocabulary, bad: list[Untraced]
):
    """Re-solve the reconciliation from the published figures and identities: each quantity's value,
    bounds, mentions and period as published, every mention traced. Returns the model (None where it
    cannot be built; it holds at least every set a claim's figure belongs to) and which quantities
    trace."""
    q = t["quantities"]
    ok = np.zeros(len(q), dtype=bool)
    try:
        model, value, lower, upper, mentions = _reconciled(vocabulary, t)
    except (KeyError, ValueError, ArithmeticError) as exc:
        bad.extend(
            Untraced(
                "quantities", i + 1, "value", v, f"the reconciliation cannot be re-solved: {exc!r}"
            )
            for i, v in enumerate(q.column("value"))
        )
        return None, ok
    ok[:] = True
    expected = {
        "value": value,
        "lower": np.where(np.isinf(lower), np.nan, lower),
        "upper": np.where(np.isinf(upper), np.nan, upper),
    }
    for name, want in expected.items():
        published, not_numbers = q.numbers(name)
        wrong = ~_same_columns(published, want)
        wrong[not_numbers] = True
        for i in np.flatnonzero(wrong).tolist():
            ok[i] = False
            shown = None if np.isnan(want[i]) else float(want[i])
            bad.append(
                Untraced(
                    "quantities",
                    i + 1,
                    name,
                    q.column(name)[i],
                    f"re-solving the reconciliation gives {shown!r}",
                )
            )
    _quantity_rows(q, t["figures"], mentions, figure_ok, ok, bad)
    return model, ok


def _quantity_rows(
    q: Table,
    figures: Table,
    mentions: list[str],
    figure_ok: np.ndarray,
    ok: np.ndarray,
    bad: list[Untraced],
) -> None:
    """Each quantity's mentions as the reconciliation names them, each traced, and its period from
    its rule: checked a column at a time where they plainly hold (every figure traced, a period of
    no rule or of one figure's), else row by row (``_quantity_untraced``)."""
    fids = figures.column("figure_id")
    at = {f: k for k, f in enumerate(fids)}
    periods = Periods(at, figures.column("period_start"), figures.column("period_end"))
    col = q.column
    suspect = np.array([a != b for a, b in zip(col("mentions"), mentions, strict=True)], dtype=bool)
    suspect |= ~_periods_hold(
        col("period_rule"), col("period_start"), col("period_end"), periods, empty=True
    )
    if not figure_ok.all():
        suspect[:] = True  # some figure does not trace: which quantities it reaches, row by row
    fig_ok = dict(zip(fids, figure_ok.tolist(), strict=True)) if suspect.any() else {}
    names = ("mentions", "value", "period_rule", "period_start", "period_end")
    for i in np.flatnonzero(suspect).tolist():
        why = _quantity_untraced({c: col(c)[i] for c in names}, mentions[i], fig_ok, periods)
        if why:
            ok[i] = False
            bad.append(Untraced("quantities", i + 1, *why))


def _periods_hold(
    rules: list[str], starts: list[str], ends: list[str], periods: Periods, empty: bool = False
) -> np.ndarray:
    """Where a row's period is plainly what its rule gives: the rule is one id's (``OF_RULE``, a
    known id) and the period is that id's, or (``empty``) there is no rule and no period. False
    elsewhere: the caller looks again."""
    of = [OF_RULE.fullmatch(r) for r in rules]
    pos = np.array([-1 if m is None else periods.index.get(m[1], -1) for m in of], dtype=np.int64)
    one = pos >= 0
    hold = np.zeros(len(rules), dtype=bool)
    if one.any():
        known_start, known_end = (
            np.array(periods.starts, dtype=object),
            np.array(periods.ends, dtype=object),
        )
        got_start, got_end = np.array(starts, dtype=object)[one], np.array(ends, dtype=object)[one]
        hold[one] = (known_start[pos[one]] == got_start) & (known_end[pos[one]] == got_end)
    if empty:
        hold |= np.array(
            [not r and not a and not b for r, a, b in zip(rules, starts, ends, strict=True)],
            dtype=bool,
        )
    return hold


def _reconciled(vocabulary: Vocabulary, t: dict[str, Table]):
    """What re-solving the reconciliation gives each quantity (value, lower, upper, mentions): the
    model of the published figures, quantities and identities, solved by its own ``solve_all``; and
    the model, which holds every set a claim's figure belongs to."""
    model = model_of_tables(vocabulary, t["figures"], t["quantities"], t["identities"])
    sol = model.solve_all()
    return model, sol.value, sol.lo, sol.hi, sol.mentions


def _subset(table: Table, rows: np.ndarray, names: tuple[str, ...]) -> Table:
    """Some rows of a table, with some of its columns (as lists, whatever the table holds)."""
    import pyarrow as pa

    columns = {}
    for name in names:
        col = table.arrow_or_list(name)
        if col is None or isinstance(col, list):
            col = table.column(name)
            columns[name] = [col[i] for i in rows.tolist()]
        else:
            columns[name] = col.take(pa.array(rows, pa.int64())).to_pylist()
    return Table(names, columns, None, len(rows))


def _texts(table: Table, name: str):
    """A column as an Arrow array of text, without making a list of it."""
    import pyarrow as pa

    col = table.arrow_or_list(name)
    return (
        pa.array(table.column(name), pa.string()) if col is None or isinstance(col, list) else col
    )


def _cell(table: Table, name: str, i: int) -> str:
    """One cell, without making a list of its column."""
    col = table.arrow_or_list(name)
    return table.column(name)[i] if col is None or isinstance(col, list) else col[i].as_py()


def _claimed_figures(claims: Table, figures: Table) -> Table:
    """The figures that claims are stated by (a claim checker needs no other)."""
    claimed = set(claims.column("figure_id"))
    rows = np.array(
        [k for k, f in enumerate(figures.column("figure_id")) if f in claimed], dtype=np.int64
    )
    return _subset(
        figures,
        rows,
        ("figure_id", "as_written", "reading", "quantity_id", "value", "lower", "upper"),
    )


def _quantity_untraced(
    r, mentions: str, fig_ok: dict[str, bool], periods: Periods
) -> tuple[str, str, str] | None:
    if r["mentions"] != mentions:
        return (
            "value",
            r["value"],
            f"the figures that name this quantity are {mentions!r}, not {r['mentions']!r}",
        )
    untraced = [m for m in mentions.split() if not fig_ok.get(m)]
    if untraced:
        return "value", r["value"], f"mentions do not trace: {', '.join(untraced)}"
    expected = period_of_rule(r["period_rule"], [], periods) or ("", "")
    if expected != (r["period_start"], r["period_end"]):
        return (
            "period_start",
            r["period_start"],
            f"the period rule {r['period_rule']!r} gives {expected!r}",
        )
    return None


def _check_sources(
    sources: Table, texts, sha256, vocabulary: Vocabulary, bad: list[Untraced]
) -> dict[str, dict]:
    """A source's dates trace when they carry their basis and reasoning; its text when its hash
    matches."""
    rows = [r.cells for r in sources]
    bases = vocabulary.enum("sources", "date_basis")
    for i, r in enumerate(rows, 1):
        sid = r["source_id"]
        if sha256.get(sid) != r["sha256"]:
            bad.append(
                Untraced(
                    "sources", i, "sha256", r["sha256"], "the article text's sha256 does not match"
                )
            )
        elif r["text_chars"] != str(len(texts[sid])):
            bad.append(
                Untraced(
                    "sources",
                    i,
                    "text_chars",
                    r["text_chars"],
                    f"the text has {len(texts[sid])} characters",
                )
            )
        if not r["date_reasoning"].strip() or r["date_basis"] not in bases:
            bad.extend(
                Untraced(
                    "sources", i, col, r[col], "a publication date needs its basis and reasoning"
                )
                for col in ("published_earliest", "published_latest")
            )
    return {r["source_id"]: r for r in rows}


def _environment(t: dict[str, Table]):
    """Every id a formula may use (quantities, reference rows, metrics), with its published value,
    interval and period, by position."""
    qs, pids, mids = (
        t["quantities"].column("quantity_id"),
        t["population"].column("population_id"),
        t["derived"].column("metric_id"),
    )
    index = dict(zip(qs + pids + mids, range(len(qs) + len(pids) + len(mids)), strict=True))
    pops = t["population"].numbers("value")[0]
    quantities, ders = t["quantities"], t["derived"]
    value = np.concatenate([quantities.numbers("value")[0], pops, ders.numbers("value")[0]])
    lo = np.concatenate(
        [quantities.numbers("lower", -np.inf)[0], pops, ders.numbers("lower", -np.inf)[0]]
    )
    hi = np.concatenate(
        [quantities.numbers("upper", np.inf)[0], pops, ders.numbers("upper", np.inf)[0]]
    )
    mid_years = [reference_date(y) if y else "" for y in t["population"].column("year")]
    starts = quantities.column("period_start") + mid_years + ders.column("period_start")
    periods = Periods(
        index, starts, quantities.column("period_end") + mid_years + ders.column("period_end")
    )
    return index, value, lo, hi, periods


def _check_figures(
    figures: Table,
    sources: dict,
    texts,
    sha256,
    reader: NumberReader | None,
    vocabulary: Vocabulary,
    bad: list[Untraced],
) -> np.ndarray:
    """Each figure quoted at its offsets, its number read again from the words as
    written; its period with the words it was read from. Returns which trace."""
    ok = np.ones(len(figures), dtype=bool)
    which, readings = _quoted(figures, sources, texts, sha256, reader, ok, bad)
    _numbers_as_read(figures, which, readings, ok, bad)
    _periods_explained(figures, vocabulary, bad)
    return ok


def _quoted(
    figures: Table, sources: dict, texts, sha256, reader, ok: np.ndarray, bad: list[Untraced]
):
    """Whether each figure's quote is at its offsets and holds its number; the reading of each
    number as written."""
    col = figures.column
    stale = {sid for sid, s in sources.items() if sha256.get(sid) != s["sha256"]}
    reading_of: dict[tuple[str, str], int] = {}
    readings: list[tuple[str, float, float, float] | str] = []
    which = np.full(len(figures), -1, dtype=np.int64)

    def flag(i: int, columns: tuple[str, ...], why: str) -> None:
        ok[i] = False
        bad.extend(
            Untraced("figures", i + 1, c, col(c)[i] if c in figures.names else "", why)
            for c in columns
        )

    quoted = np.zeros(len(figures), dtype=bool)
    rows = zip(
        col("source_id"),
        col("quote"),
        col("as_written"),
        col("char_start"),
        col("char_end"),
        strict=True,
    )
    for i, (sid, quote, aw, start, end) in enumerate(rows):
        why = _not_quoted(sid, quote, aw, start, end, sources, texts, stale)
        if why:
            flag(i, *why)
        else:
            quoted[i] = True
    # the words of most figures plainly give their published numbers; the others are read one by one
    written, curated, qualifiers = col("as_written"), col("reading"), col("qualifier")
    for i in np.flatnonzero(quoted & ~_read_as_published(figures, reader)).tolist():
        aw, cur = written[i], curated[i]
        if (aw, cur) not in reading_of:
            reading_of[(aw, cur)] = len(readings)
            readings.append(_reading(reader, aw, cur))
        k = reading_of[(aw, cur)]
        if isinstance(readings[k], str):
            flag(i, ("value",), readings[k])
            continue
        which[i] = k
        if readings[k][0] != qualifiers[i]:
            flag(
                i,
                ("value",),
                f"the words {aw!r} give qualifier {readings[k][0]!r}, not {qualifiers[i]!r}",
            )
    return which, readings


def _read_as_published(figures: Table, reader: NumberReader | None) -> np.ndarray:
    """The figures whose words are plainly read (``plain_readings``) and whose published qualifier,
    value and bounds are what those words give. The others (and any that disagree) the reader reads
    one by one."""
    if reader is None or not len(figures):
        return np.zeros(len(figures), dtype=bool)
    fits, qualifier, value, lo, hi = plain_readings(
        reader, figures.column("as_written"), _texts(figures, "reading")
    )
    agreed = fits & (np.array(_texts(figures, "qualifier").to_pylist(), dtype=object) == qualifier)
    for name, expected in (("value", value), ("lower", lo), ("upper", hi)):
        published, not_numbers = figures.numbers(name)
        agreed &= _same_columns(published, expected)
        agreed[not_numbers] = False
    return agreed


def _not_quoted(
    sid, quote, aw, start, end, sources, texts, stale
) -> tuple[tuple[str, ...], str] | None:
    """Why a figure is not quoted (the cells and the reason), or None."""
    if sid not in sources or sid not in texts:
        return ("value", "char_start"), f"unknown source {sid!r}"
    if sid in stale:
        return (
            "value",
            "lower",
            "upper",
            "char_start",
            "char_end",
        ), f"the text of {sid} no longer matches its sha256"
    try:
        a, b = int(start), int(end)
    except ValueError:
        return ("char_start",), "offsets are not integers"
    if texts[sid][a:b] != quote:
        return ("char_start", "char_end"), "the text at the offsets is not the quote"
    if find_number(quote, aw) < 0:
        return ("value",), "the quote does not hold the number as written as whole words"
    return None


def _reading(
    reader: NumberReader | None, written: str, curated: str
) -> tuple[str, float, float, float] | str:
    """The qualifier and published numbers that the words as written give, with the row's curated
    reading."""
    if reader is None:
        return "the hedge widths cannot be read from params.yaml"
    try:
        parsed, value, lower, upper = reader.read(written, curated)
    except ValueParseError as exc:
        return f"the number as written cannot be read: {exc}"
    return (parsed.qualifier, value, _nan(lower), _nan(upper))


def _numbers_as_read(
    figures: Table, which: np.ndarray, readings: list, ok: np.ndarray, bad: list[Untraced]
) -> None:
    """The published numbers against the words' reading, a column at a time."""
    n, col, written = len(figures), figures.column, figures.column("as_written")
    read = np.array(
        [r if not isinstance(r, str) else ("", np.nan, np.nan, np.nan) for r in readings],
        dtype=object,
    ).reshape(-1, 4)
    rows = np.flatnonzero(which >= 0)
    for j, name in enumerate(("value", "lower", "upper"), 1):
        published, not_numbers = figures.numbers(name)
        expected = np.full(n, np.nan)
        if len(rows):
            expected[rows] = read[which[rows], j].astype(float)
        wrong = ~_same_columns(published, expected)
        wrong[not_numbers] = True
        for i in np.flatnonzero(wrong & (which >= 0)):
            ok[i] = False
            shown = None if np.isnan(expected[i]) else float(expected[i])
            bad.append(
                Untraced(
                    "figures",
                    int(i) + 1,
                    name,
                    col(name)[i],
                    f"reading {written[i]!r} gives {name} {shown!r}",
                )
            )


def _periods_explained(figures: Table, vocabulary: Vocabulary, bad: list[Untraced]) -> None:
    """A period traces when it carries its basis and the words it was read from."""
    basis_of = vocabulary.names("figures", "period_basis")
    col = figures.column
    for i, (ps, pe, basis, note) in enumerate(
        zip(
            col("period_start"),
            col("period_end"),
            col("period_basis"),
            col("period_note"),
            strict=True,
        )
    ):
        if ps or pe:
            if basis not in (basis_of.stated, basis_of.inferred) or not note.strip():
                bad.extend(
                    Untraced(
                        "figures",
                        i + 1,
                        c,
                        v,
                        "a period needs the words it was read from and its basis",
                    )
                    for c, v in (("period_start", ps), ("period_end", pe))
                )
        elif basis != basis_of.not_stated:
            bad.append(
                Untraced(
                    "figures",
                    i + 1,
                    "period_basis",
                    basis,
                    f"no period is published, so the basis must be {basis_of.not_stated!r}",
                )
            )


def _nan(x: float | None) -> float:
    return np.nan if x is None else x


def _check_population(population: Table, vocabulary: Vocabulary, bad: list[Untraced]) -> np.ndarray:
    """A reference row traces when it names its publisher and table."""
    ok = np.ones(len(population), dtype=bool)
    for i, r in enumerate(population):
        if not r["publisher"].strip() or not r["table"].strip():
            ok[i] = False
            for col in numeric_columns(vocabulary, "population"):
                bad.append(
                    Untraced(
                        "population",
                        i + 1,
                        col,
                        r[col],
                        "a reference row must name its publisher and table",
                    )
                )
    return ok


def _check_series(
    published: Table, quantities: Table, vocabulary: Vocabulary, bad: list[Untraced]
) -> None:
    """A row of the series traces when it is the row the series rule (``model.series``) makes again
    from the published quantities: its series, its period (a member's its quantity's, a gap's the
    rule's step) and its quantity; a row too many or missing is untraced at its place."""
    cells = zip(*(quantities.column(n) for n in series.COLUMNS), strict=True)
    try:
        expected = series.rows(
            vocabulary, [dict(zip(series.COLUMNS, c, strict=True)) for c in cells]
        )
    except series.SeriesClash as exc:
        expected, clash = [], str(exc)
    else:
        clash = ""
    columns = ("series_id", *numeric_columns(vocabulary, "series"), "quantity_id")
    for i, row in enumerate(published):
        want = expected[i] if i < len(expected) else None
        for col in columns:
            if want is None or row[col] != want[col]:
                why = clash or (
                    "not a row the series rule makes"
                    if want is None
                    else f"the series rule gives {want[col]!r}"
                )
                bad.append(Untraced("series", i + 1, col, row[col], why))
    for i in range(len(published), len(expected)):
        bad.append(
            Untraced(
                "series",
                i + 1,
                "member_id",
                "",
                f"the series rule makes {expected[i]['member_id']}, which is missing",
            )
        )


METRIC_ROWS = (
    200_000  # formulas evaluated at a time (the evaluation's working memory is per formula)
)


def _check_metrics(
    derived: Table, index, value, lo, hi, traced, periods: Periods, bad: list[Untraced]
) -> None:
    """Each metric's formula, re-evaluated on its inputs' published numbers, gives
    its own; its inputs trace in turn; its period follows from its rule."""
    col = derived.column
    mids = col("metric_id")
    first = len(index) - len(mids)  # metrics come last in ``index``
    names = ("value", "lower", "upper")
    self_ok, period_ok, plain, ids = _metrics_themselves(
        derived, index, value, lo, hi, traced, periods, bad
    )
    traced[first + np.flatnonzero(plain)] = True
    state: dict[int, str] = dict.fromkeys(np.flatnonzero(plain).tolist(), "ok")
    # trace itself, for its inputs (emptied at the end: a cycle, and stages run without the cyclic
    # collector)
    again: list = []

    def trace(i: int) -> bool:
        """Whether metric ``i`` (its row) traces: itself, and every input in turn."""
        if state.get(i) in ("ok", "bad"):
            return state[i] == "ok"
        if state.get(i) == "active":
            bad.append(
                Untraced(
                    "derived", i + 1, "value", col("value")[i], "the derivation depends on itself"
                )
            )
            state[i] = "bad"
            return False
        state[i] = "active"
        good = bool(self_ok[i] and period_ok[i])
        missing = []
        for ident in ids[i]:
            at = index.get(ident)
            if at is None or not (traced[at] or (at >= first and again[0](at - first))):
                missing.append(ident)
        if missing and self_ok[i]:
            for c in names:
                bad.append(
                    Untraced(
                        "derived", i + 1, c, col(c)[i], f"inputs do not trace: {', '.join(missing)}"
                    )
                )
        good = good and not missing
        state[i] = "ok" if good else "bad"
        traced[first + i] = good
        return good

    again.append(trace)
    for i in sorted(np.flatnonzero(~plain).tolist(), key=mids.__getitem__):
        trace(i)
    again.clear()


def _metrics_themselves(
    derived: Table, index, value, lo, hi, traced, periods: Periods, bad: list[Untraced]
):
    """Each metric's formula and period, ``METRIC_ROWS`` at a time: whether each holds, which
    metrics plainly trace (``_plainly_traced``), and the ids of the formula of each other metric (by
    row)."""
    n, first = len(derived), len(index) - len(derived)
    self_ok, period_ok = np.ones(n, dtype=bool), np.ones(n, dtype=bool)
    plain = np.zeros(n, dtype=bool)
    names = ("value", "lower", "upper")
    published = {}
    for name in names:
        numbers, not_numbers = derived.numbers(name)
        published[name] = (numbers, np.isin(np.arange(n), not_numbers))
    kept: dict[int, list[str]] = {}
    for start in range(0, n, METRIC_ROWS):
        part = {
            c: _texts(derived, c).slice(start, METRIC_ROWS).to_pylist()
            for c in ("formula", "inputs", "period_rule", "period_start", "period_end")
        }
        got = {
            name: (a[start : start + METRIC_ROWS], b[start : start + METRIC_ROWS])
            for name, (a, b) in published.items()
        }
        ok, ids = _formulas_ok(
            "derived",
            derived,
            part["formula"],
            part["inputs"],
            names,
            index,
            value,
            lo,
            hi,
            bad,
            got,
            start,
        )
        _metric_periods(part, ok, ids, periods, period_ok[start : start + len(ok)], start, bad)
        self_ok[start : start + len(ok)] = ok
        plain[start : start + len(ok)] = (
            _plainly_traced(ids, index, first, traced) & ok & period_ok[start : start + len(ok)]
        )
        kept.update(
            (start + j, ids[j]) for j in np.flatnonzero(~plain[start : start + len(ok)]).tolist()
        )
    return self_ok, period_ok, plain, kept


def _metric_periods(
    part: dict, ok: np.ndarray, ids: list[list[str]], periods: Periods, period_ok, start: int, bad
) -> None:
    """Where a piece of metrics (rows ``start`` on, whose formulas hold where ``ok``) gives a period
    its rule does not: ``period_ok`` False there, and each end a problem in ``bad``."""
    rules, starts, ends = part["period_rule"], part["period_start"], part["period_end"]
    for j in np.flatnonzero(ok & ~_periods_hold(rules, starts, ends, periods, empty=True)).tolist():
        expected = period_of_rule(rules[j], ids[j], periods)
        if expected is None or expected != (starts[j], ends[j]):
            period_ok[j] = False
            for c, v in (("period_start", starts[j]), ("period_end", ends[j])):
                why = f"the period rule {rules[j]!r} gives {expected!r}"
                bad.append(Untraced("derived", start + j + 1, c, v, why))


def _plainly_traced(ids: list[list[str]], index, first: int, traced: np.ndarray) -> np.ndarray:
    """The metrics whose inputs are all traced and none a metric (which must be traced in turn)."""
    counts = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    at = np.fromiter(
        (index.get(i, -1) for row in ids for i in row), dtype=np.int64, count=int(counts.sum())
    )
    good = (at >= 0) & (at < first)
    good[good] &= traced[at[good]]
    owner = np.repeat(np.arange(len(ids)), counts)
    return np.bincount(owner, weights=~good, minlength=len(ids)) == 0


def _formulas_ok(
    resource,
    table: Table,
    formulas,
    listed,
    names,
    index,
    value,
    lo,
    hi,
    bad,
    published,
    offset: int = 0,
):
    """Whether each row's inputs are its formula's ids and its formula re-evaluates to its numbers
    (``published``: each number column, and where its text is not a number); and the ids of each
    formula. The rows are the table's from ``offset`` on."""
    done = evaluate_many(formulas, index, value, lo, hi)
    ok = np.ones(len(formulas), dtype=bool)
    for i, (ids, given) in enumerate(zip(done.ids, listed, strict=True)):
        if not ids or " ".join(ids) != given:
            ok[i] = False
            why = f"inputs {given!r} are not the ids of the formula {' '.join(ids)!r}"
            bad.extend(
                Untraced(resource, offset + i + 1, c, _cell(table, c, offset + i), why)
                for c in names
            )
    for i, why in done.errors.items():
        if ok[i]:
            ok[i] = False
            why = f"the formula cannot be re-evaluated: {why}"
            bad.extend(
                Untraced(resource, offset + i + 1, c, _cell(table, c, offset + i), why)
                for c in names
            )
    for name, expected in zip(
        names,
        (
            done.value,
            np.where(np.isinf(done.lo), np.nan, done.lo),
            np.where(np.isinf(done.hi), np.nan, done.hi),
        ),
        strict=True,
    ):
        numbers, not_numbers = published[name]
        wrong = ~_same_columns(numbers, expected) | not_numbers
        for i in np.flatnonzero(wrong & ok).tolist():
            shown = None if np.isnan(expected[i]) else float(expected[i])
            why = f"re-evaluating {formulas[i]!r} gives {shown!r}"
            bad.append(
                Untraced(resource, offset + i + 1, name, _cell(table, name, offset + i), why)
            )
        ok &= ~wrong
    return ok, done.ids


def _check_claims(
    claims: Table,
    figures: Table,
    figure_ok: np.ndarray,
    checker: ClaimChecker,
    index,
    traced,
    bad: list[Untraced],
) -> None:
    """Each claim decided again: its stated numbers are its figure's, its computed numbers and
    verdict what the check gives on the published quantities, from traced figures and inputs."""
    col = claims.column
    stated_by = set(col("figure_id"))
    figure_rows = {fid: i for i, fid in enumerate(figures.column("figure_id")) if fid in stated_by}
    computed = ("computed", "lower", "upper")
    rows = zip(col("figure_id"), col("formula"), col("relation"), strict=True)
    for i, (fid, formula, relation) in enumerate(rows):
        at = figure_rows.get(fid)
        if at is None or not figure_ok[at]:
            why = f"the figure {fid!r} is missing or untraced"
            bad.extend(_claim_cells(col, i, ("stated", "stated_lower", "stated_upper"), why))
            continue
        for c, fc in (("stated", "value"), ("stated_lower", "lower"), ("stated_upper", "upper")):
            if not _same(_num(col(c)[i]), _num(_cell(figures, fc, at))):
                why = f"differs from the figure's {fc} {_cell(figures, fc, at)!r}"
                bad.extend(_claim_cells(col, i, (c,), why))
        try:
            done = checker.check(fid, formula, relation, explain=False)
        except (KeyError, ValueError, ArithmeticError) as exc:
            why = f"the claim cannot be decided again: {exc!r}"
            bad.extend(_claim_cells(col, i, computed, why))
            continue
        got = {"computed": done.computed, "lower": done.lo, "upper": done.hi}
        for c, want in got.items():
            want = None if want is None or math.isnan(want) or math.isinf(want) else want
            if not _same(_num(col(c)[i]), want):
                bad.extend(_claim_cells(col, i, (c,), f"deciding the claim again gives {want!r}"))
        if col("verdict")[i] != done.verdict:
            why = f"deciding the claim again gives the verdict {done.verdict!r}"
            bad.extend(_claim_cells(col, i, ("computed",), why))
        missing = [x for x in done.ids if x not in index or not traced[index[x]]]
        if missing:
            why = f"inputs do not trace: {', '.join(missing)}"
            bad.extend(_claim_cells(col, i, computed, why))


def _claim_cells(col, i: int, columns: tuple[str, ...], why: str) -> list[Untraced]:
    """The problem ``why`` at each of ``columns`` of the claim at row ``i`` (0-based)."""
    return [Untraced("claims", i + 1, c, col(c)[i], why) for c in columns]
