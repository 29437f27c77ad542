"""Each fast path the pipeline takes at scale gives exactly what its plain
reading gives: the CSV readers and writer, the number and mention finders,
and interval arithmetic on whole columns. (The formulas have one parser and
one evaluator: tests/test_formulas.py.)"""

from __future__ import annotations

import csv
import io
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stopitnow_figures.model.intervals import Interval
from stopitnow_figures.model.mentions import WORDS, Span, account, find_mentions
from stopitnow_figures.model.values import NumberReader, ValueParseError
from stopitnow_figures.tables import csvio, vocab
from stopitnow_figures.tables.csvio import Table, read_table
from stopitnow_figures.tables.errors import Collector

WIDTH = {"share": 0.1, "units": 5}
READER = NumberReader(
    vocab.load(),
    {
        "hedge_widths": dict.fromkeys(("approximately", "estimated", "nearly"), WIDTH),
        "word_multiple_width": 0.1,
        "coarse_rounding": True,
        "vague_ranges": {"dozens": [24, 99], "hundreds": [200, 999]},
    },
)
HEDGES, parse_as_written, parse_general = READER.hedges, READER.parse, READER.parse_general

# -- CSV ---------------------------------------------------------------------

NAMES = ["a", "b", "c"]


def _read(path, **kw):
    problems = Collector()
    table = read_table(path, NAMES, problems, display="t.csv", **kw)
    return [r.cells for r in table], table.lines, sorted(map(str, problems.problems))


def _read_by_arrow(path):
    """As the pipeline reads its own tables, with Arrow taking even a small file."""
    old = csvio.ARROW_MIN_BYTES
    csvio.ARROW_MIN_BYTES = 0
    try:
        return _read(path, written_by_pipeline=True)
    finally:
        csvio.ARROW_MIN_BYTES = old


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab ,"\n=-+5\xa0é', max_size=60))
def test_every_reader_agrees_on_arbitrary_text(tmp_path_factory, body):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_text("a,b,c\n" + body, encoding="utf-8")
    strict = _read(path)
    fast = _read_by_arrow(path)
    if not any("[bad-csv]" in p for p in strict[2]):  # see the test of Arrow's one leniency below
        assert fast == strict
    # the one-go reading of the strict reader against the record-by-record one
    reader = csv.reader(io.StringIO("a,b,c\n" + body, newline=""), strict=True)
    next(reader)
    problems = Collector()
    located = csvio._read_located(reader, NAMES, "t.csv", problems)
    assert strict == (
        [r.cells for r in located],
        located.lines,
        sorted(map(str, problems.problems)),
    )


@given(
    st.lists(st.sampled_from(["", "12", "-3.5", "1e3", "0.000001", "x", " 7", "1_0"]), max_size=12)
)
def test_arrow_and_python_read_the_same_numbers(cells):
    import pyarrow as pa

    arrow = Table(
        ["a"], {"a": pa.chunked_array([pa.array(cells, type=pa.string())])}, None, len(cells)
    )
    plain = Table(["a"], {"a": list(cells)}, None, len(cells))
    (x, bad_x), (y, bad_y) = arrow.numbers("a"), plain.numbers("a")
    assert np.array_equal(x, y, equal_nan=True) and bad_x == bad_y


# -- numbers as written --------------------------------------------------------


@given(
    st.sampled_from([h for h, _ in HEDGES] + [""]),
    st.integers(0, 10**9),
    st.booleans(),
    st.booleans(),
)
def test_the_plain_number_shortcut_reads_as_the_general_parser(hedge, n, commas, upper):
    text = f"{hedge} {n:,}" if commas else f"{hedge} {n}"
    text = text.strip().upper() if upper else text.strip()
    assert parse_as_written(text) == parse_general(text)


@given(st.text(alphabet="0123456789, nearlyabout", max_size=20))
def test_the_shortcut_never_reads_what_the_general_parser_refuses(text):
    try:
        general = parse_general(text)
    except ValueParseError:
        with pytest.raises(ValueParseError):
            parse_as_written(text)
        return
    assert parse_as_written(text) == general


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([h for h, _ in HEDGES] + ["", "Nearly", "AROUND", "about"]),
            st.integers(0, 10**40) | st.integers(0, 10**6),
            st.booleans(),
            st.sampled_from(["", "", "round", "open", "lower 5"]),
        ),
        max_size=12,
    )
)
def test_the_plain_readings_of_a_column_are_the_readers_one_by_one(rows):
    """Clean and the gate read the plain whole numbers of a column at once: each as
    ``NumberReader.read`` reads it."""
    from stopitnow_figures.model.values import plain_readings

    written = [(f"{h} {n:,}" if commas else f"{h} {n}").strip() for h, n, commas, _ in rows]
    curated = [r for *_, r in rows]
    fits, qualifier, value, lo, hi = plain_readings(READER, written, curated)
    for i in np.flatnonzero(fits).tolist():
        parsed, v, lower, upper = READER.read(written[i], curated[i])
        assert (qualifier[i], value[i], parsed.kind) == (parsed.qualifier, v, "count"), written[i]
        for got, want in ((lo[i], lower), (hi[i], upper)):
            assert (math.isnan(got) and want is None) or got == want, written[i]
    assert all(
        fits[i] for i, (h, n, _, r) in enumerate(rows) if not r and (not h or h in dict(HEDGES))
    )


# -- mentions --------------------------------------------------------------------


def _token_reading(text):
    """Runs of digits, runs of letters that are number words, runs of other numerals: one token at a
    time."""
    found = [m.span() for m in re.finditer(r"\d+(?:[,.]\d+)*", text)]
    found += [m.span() for m in re.finditer(r"[^\W\d_]+", text) if m.group(0).lower() in WORDS]
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j].isnumeric() and not text[j].isdecimal():
            j += 1
        if j > i:
            found.append((i, j))
        i = max(j, i + 1)
    return sorted(found)


@given(
    st.text(max_size=80)
    | st.lists(
        st.sampled_from(
            sorted(WORDS) + ["x", "5", " ", "-", "é", "İ", "_", "1,5", "ſ", "½", "¹", "Ⅻ"]
        )
    ).map("".join)
)
def test_the_mention_finder_reads_as_the_token_by_token_reading(text):
    assert [(m.start, m.end) for m in find_mentions(text)] == _token_reading(text)


SPANS = st.lists(
    st.tuples(
        st.integers(0, 40), st.integers(1, 8), st.sampled_from(["figure", "period", "not_figure"])
    ).map(lambda t: Span(t[0], t[0] + t[1], t[2], f"{t[2]}{t[0]}")),
    max_size=8,
)


@given(SPANS, st.lists(st.integers(0, 50), max_size=10, unique=True))
def test_pairing_mentions_with_spans_picks_as_a_full_search_does(spans, starts):
    positions = [(a, a + 1) for a in sorted(starts)]
    found = account(positions, spans)
    for (a, b), k in zip(positions, found, strict=True):
        holding = [
            (("figure", "period", "not_figure").index(s.kind), s.start, j)
            for j, s in enumerate(spans)
            if s.start <= a and b <= s.end
        ]
        if not holding:
            assert k == -1
        else:
            best = min(holding)
            assert (
                ("figure", "period", "not_figure").index(spans[k].kind),
                spans[k].start,
            ) == best[:2]


# -- intervals ---------------------------------------------------------------------

ENDS = st.sampled_from([-math.inf, -3.0, -0.5, 0.0, 0.5, 2.0, 7.0, math.inf])


@given(st.lists(st.tuples(ENDS, ENDS, ENDS, ENDS), min_size=1, max_size=10))
def test_interval_columns_compute_what_single_intervals_do(rows):
    a = [Interval(min(r[0], r[1]), max(r[0], r[1])) for r in rows]
    b = [Interval(min(r[2], r[3]), max(r[2], r[3])) for r in rows]
    col_a = Interval(np.array([x.lo for x in a]), np.array([x.hi for x in a]))
    col_b = Interval(np.array([x.lo for x in b]), np.array([x.hi for x in b]))
    for op in ("__add__", "__sub__", "__mul__", "__truediv__"):
        try:
            together = getattr(col_a, op)(col_b)
        except ValueError:  # inf - inf somewhere: undefined for that row
            continue
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            one = getattr(x, op)(y)
            assert (together.lo[k], together.hi[k]) == (one.lo, one.hi)


@given(
    st.lists(
        st.sampled_from(
            [
                "",
                "12",
                "-3.5",
                "+4",
                "1e3",
                "1E-2",
                ".5",
                "5.",
                "0.000001",
                "x",
                " 7",
                "1_0",
                "nan",
                "inf",
                "-inf",
                "NaN",
                "1,5",
                "١٢",
                "Infinity",
                "0x10",
                "1e400",
            ]
        ),
        max_size=12,
    )
)
def test_the_schema_reads_numbers_from_arrow_as_from_text(cells):
    import pyarrow as pa

    from stopitnow_figures.tables.schema import read_numbers

    (a, bad_a), (b, bad_b) = (
        read_numbers(pa.chunked_array([pa.array(cells, type=pa.string())]), len(cells)),
        read_numbers(list(cells), len(cells)),
    )
    assert np.array_equal(a.to_numpy(), b.to_numpy(), equal_nan=True) and bad_a == bad_b


# -- the provenance graph, built by Arrow, against the same graph built one record at a time ---


def _prov_reference(tables) -> str:
    """PROV-JSON as the first writer of provenance.py wrote it: one str.format a record."""
    import json

    from stopitnow_figures.publishing.provenance import ENTITIES, PREFIX, STAGES

    dumps = json.JSONEncoder(ensure_ascii=False).encode
    col = {n: t.column for n, t in tables.items()}
    kinds = {}
    for table, key, kind in (
        ("figures", "figure_id", "figure"),
        ("quantities", "quantity_id", "quantity"),
    ):
        kinds |= dict.fromkeys(col[table](key), kind)
    kinds |= dict.fromkeys(col["population"]("population_id"), "population") | dict.fromkeys(
        col["derived"]("metric_id"), "metric"
    )
    entities = []
    for table, kind, (key, prefix), attributes in ENTITIES:
        for i, ident in enumerate(col[table](key)):
            attrs = "".join(
                f", {json.dumps(name)}: {dumps(p + col[table](c)[i])}"
                for name, (c, p) in attributes.items()
            )
            entities.append(f'{dumps(prefix + ident)}: {{"prov:type": "{kind}"{attrs}}}')
    derived = []
    for f, s in zip(col["figures"]("figure_id"), col["figures"]("source_id"), strict=True):
        derived.append(
            '"prov:activity": "sin:stage/clean", "prov:generatedEntity": '
            f"{dumps('sin:figure/' + f)}, "
            f'"prov:type": "prov:Quotation", "prov:usedEntity": {dumps("sin:source/" + s)}'
        )
    used = (
        '"prov:activity": "sin:stage/{}", "prov:generatedEntity": {}, "prov:usedEntity": {}'.format
    )
    q = col["quantities"]
    for ident, mentions, identities in zip(
        q("quantity_id"), q("mentions"), q("identities"), strict=True
    ):
        derived += [
            used("reconcile", dumps("sin:quantity/" + ident), dumps("sin:figure/" + m))
            for m in mentions.split()
        ]
        derived += [
            used("reconcile", dumps("sin:quantity/" + ident), dumps("sin:identity/" + m))
            for m in identities.split()
        ]
    ref = lambda i: dumps(f"sin:{kinds.get(i, 'unknown')}/{i}")  # noqa: E731
    for m, inputs in zip(col["derived"]("metric_id"), col["derived"]("inputs"), strict=True):
        derived += [used("derive", dumps("sin:metric/" + m), ref(i)) for i in inputs.split()]
    for c, f, inputs in zip(
        col["claims"]("claim_id"), col["claims"]("figure_id"), col["claims"]("inputs"), strict=True
    ):
        derived += [used("derive", dumps("sin:claim/" + c), dumps("sin:figure/" + f))]
        derived += [used("derive", dumps("sin:claim/" + c), ref(i)) for i in inputs.split()]
    generated = [
        f'"prov:activity": "sin:stage/{stage}", "prov:entity": {dumps(prefix + i)}'
        for stage, table, key, prefix in (
            ("clean", "figures", "figure_id", "sin:figure/"),
            ("reconcile", "quantities", "quantity_id", "sin:quantity/"),
            ("reconcile", "identities", "identity_id", "sin:identity/"),
            ("derive", "derived", "metric_id", "sin:metric/"),
            ("derive", "claims", "claim_id", "sin:claim/"),
        )
        for i in col[table](key)
    ]
    informed = [
        f'"prov:informant": "sin:stage/{a}", "prov:informed": "sin:stage/{b}"'
        for a, b in zip(STAGES, STAGES[1:], strict=False)
    ]

    def section(kind, bodies):
        return (
            f' "{kind}": {{\n'
            + ",\n".join(f'  "_:{kind}{n}": {{{b}}}' for n, b in enumerate(bodies, 1))
            + "\n }"
        )

    activity = (
        ' "activity": {\n' + ",\n".join(f'  "sin:stage/{s}": {{}}' for s in STAGES) + "\n },\n"
    )
    head = "{\n" + activity + ' "entity": {\n' + ",\n".join("  " + e for e in entities) + "\n },\n"
    head += ' "prefix": ' + json.dumps(PREFIX, sort_keys=True) + ",\n"
    sections = (
        ("wasDerivedFrom", derived),
        ("wasGeneratedBy", generated),
        ("wasInformedBy", informed),
    )
    return head + ",\n".join(section(k, b) for k, b in sections) + "\n}\n"


ODD = st.sampled_from(
    ["a", "b-1", 'q"x', "back\\slash", "tab\there", "line\nbreak", "é", "\x1f", ""]
)
IDS = st.sampled_from(["f1", "f2", "q1", "m1", "p1", "nope", 'f"3'])
LISTS = st.lists(IDS, max_size=3).map(" ".join) | st.sampled_from(
    ["  f1", "f1  q1", "f1\tq1", "q1\u00a0f2 ", " ", "\x1cf1"]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(ODD, IDS, LISTS), min_size=0, max_size=4),
    st.lists(st.tuples(IDS, LISTS), max_size=3),
)
def test_the_provenance_graph_is_the_one_built_a_record_at_a_time(cells, lists):
    import pyarrow as pa

    from stopitnow_figures.publishing.provenance import ENTITIES, ROWS, chunks

    def table(names, rows, arrow):
        columns = {n: [r.get(n, "") for r in rows] for n in names}
        if arrow:  # as read by Arrow (some tables come as lists, some as Arrow columns)
            columns = {n: pa.chunked_array([pa.array(c, pa.string())]) for n, c in columns.items()}
        return Table(names, columns, None, len(rows))

    rows = {
        "sources": [
            {"source_id": s, "headline": v, "publisher": v, "url": "u", "sha256": "0"}
            for v, s, _ in cells
        ],
        "population": [{"population_id": "p1", "value": "5", "publisher": "x", "table": "t"}],
        "figures": [
            {
                "figure_id": f,
                "source_id": v,
                "value": "1",
                "quote": v,
                "char_start": "0",
                "char_end": "1",
            }
            for v, f, _ in cells
        ],
        "identities": [
            {"identity_id": i, "left": "{q1}", "relation": "=", "right": m} for i, m in lists
        ],
        "quantities": [
            {"quantity_id": q, "value": "", "status": "s", "mentions": m, "identities": m}
            for q, m in lists
        ],
        "derived": [{"metric_id": m, "value": "2", "formula": v, "inputs": i} for v, m, i in cells],
        "claims": [
            {"claim_id": f"c{c}", "figure_id": f, "formula": "x", "verdict": "v", "inputs": i}
            for c, (f, i) in enumerate(lists)
        ],
        "series": [],
    }
    # an attribute is a column with its prefix, or one text for every row (no column)
    names = {
        t: [key, *(a[0] for a in attributes.values() if not isinstance(a, str))]
        for t, _, (key, _), attributes in ENTITIES
    }
    names["quantities"] += ["mentions", "identities"]
    names["derived"] += ["inputs"]
    names["claims"] += ["figure_id", "inputs"]
    for arrow in (False, True):
        tables = {t: table(names[t], r, arrow) for t, r in rows.items()}
        written = "".join(c if isinstance(c, str) else bytes(c).decode() for c in chunks(tables))
        assert written == _prov_reference(tables)
    assert (
        ROWS > 4
    )  # (the batches themselves are checked on the real package and the benchmark corpora)


@given(
    st.lists(st.lists(st.text(alphabet="=+-@\t1aé€ ", max_size=4), max_size=6), max_size=4),
    st.integers(0, 3),
    st.booleans(),
)
def test_the_first_bytes_of_cells_are_read_off_arrows_offsets(chunks, skip, large):
    """csvio.first_bytes (which publish's formula screen reads) against the cells' own first bytes
    (0 for an empty cell), over chunked, sliced and large text columns."""
    import pyarrow as pa

    from stopitnow_figures.tables.csvio import first_bytes

    kind = pa.large_string() if large else pa.string()
    arrays = [pa.array(c, kind) for c in chunks]
    arrays = [
        a.slice(min(skip, len(a))) for a in arrays
    ]  # a slice keeps its parent's buffers, at an offset
    col = pa.chunked_array(arrays, kind)
    expected = [c.encode("utf-8")[0] if c else 0 for a in arrays for c in a.to_pylist()]
    assert first_bytes(col).tolist() == expected


# -- the reader view -------------------------------------------------------------


def _non_overlapping_one_by_one(figures, others):
    """The reader's plain reading: each other mark checked against every mark kept before it."""
    kept = sorted(figures, key=lambda m: m.start)
    for m in sorted(others, key=lambda m: (m.start, m.end)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


SPAN = st.tuples(st.integers(0, 40), st.integers(0, 6)).map(lambda t: (t[0], t[0] + t[1]))


@given(st.lists(SPAN, max_size=8), st.lists(SPAN, max_size=12))
def test_the_reader_keeps_the_marks_a_check_against_each_kept_mark_keeps(figure_spans, other_spans):
    from stopitnow_figures.render.pages import Mark, non_overlapping

    figures = [Mark(a, b, "figure", f"f{k}", "", "") for k, (a, b) in enumerate(figure_spans)]
    others = [Mark(a, b, "other", f"o{k}", "", "") for k, (a, b) in enumerate(other_spans)]
    assert [m.ref for m in non_overlapping(figures, others)] == [
        m.ref for m in _non_overlapping_one_by_one(figures, others)
    ]


@given(st.integers(0, 10**18).map(str))
def test_the_reader_formats_a_whole_number_with_thousands_separators(cell):
    from stopitnow_figures.render.pages import _fmt

    assert _fmt(cell) == f"{int(cell):,}"


@pytest.mark.parametrize(
    ("cell", "shown"),
    [  # worked by hand: the digits as given (tables.numbers has rounded them), with separators
        ("", ""),
        ("007", "7"),
        ("12.50", "12.50"),  # a trailing zero says the precision: kept
        ("-3", "-3"),
        ("1e3", "1,000"),
        ("0.00005", "0.00005"),
        ("23.4", "23.4"),
        ("1234567.5", "1,234,567.5"),
        ("٣", "3"),  # a digit of another script is a digit, as float() reads it
    ],
)
def test_the_reader_shows_a_number_with_the_digits_it_is_given(cell, shown):
    from stopitnow_figures.render.pages import _fmt

    assert _fmt(cell) == shown


@pytest.mark.parametrize("cell", ["²", "x", "1,000"])
def test_the_reader_refuses_what_is_not_a_number(cell):
    from stopitnow_figures.render.pages import _fmt

    with pytest.raises((ValueError, ArithmeticError)):
        _fmt(cell)


@given(st.text(alphabet=st.sampled_from("ab<>&\"' é“"), max_size=10))
def test_the_readers_row_templates_escape_every_value_as_html_escape_does(text):
    """Every value a row template writes is escaped (html.escape's entities, which the pages have
    always had); markup a template made is written as it is; a value that is not text is written as
    its text."""
    import html

    from markupsafe import Markup

    from stopitnow_figures.render.pages import rows_environment

    env = rows_environment()
    rendered = env.from_string("<p>{{ a }}|{{ b }}|{{ n }}</p>").render(
        a=text, b=Markup("<br>"), n=7
    )
    assert rendered == f"<p>{html.escape(text, quote=True)}|<br>|7</p>"


# -- derive's tables at scale ----------------------------------------------------


@given(
    st.lists(
        st.sampled_from(["rate-a", "rate-b", "a", "b-1", "rate-per-month-a", "z"]), max_size=8
    ),
    st.lists(st.sampled_from(["rate-a", "rate-b", "rate-per-month-a", "c"]), max_size=8),
)
def test_merging_two_sorted_tables_sorts_them_as_one(first, second):
    import pyarrow as pa

    from stopitnow_figures.stages.derive import merge_sorted, sorted_by

    a = sorted_by({"id": first, "n": np.arange(len(first), dtype=float)}, "id")
    b = sorted_by(
        {"id": second, "n": np.arange(len(first), len(first) + len(second), dtype=float)}, "id"
    )
    merged = merge_sorted(
        a, {"id": pa.chunked_array([pa.array(b["id"], pa.string())]), "n": b["n"]}, "id"
    )
    expected = sorted_by(
        {"id": first + second, "n": np.arange(len(first) + len(second), dtype=float)}, "id"
    )
    assert merged["id"].to_pylist() == expected["id"] and list(merged["n"]) == list(expected["n"])
