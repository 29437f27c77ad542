"""The provenance graph as W3C PROV-JSON.

Written directly as PROV-JSON (https://www.w3.org/submissions/prov-json/),
one record a line, so that a million figures stream to disk in seconds
without holding the document in memory; the tests build the same graph with
the ``prov`` library for the real package and check that the two agree and
that ``prov`` reads this file. Records come in the order of the sorted
tables, and relations are numbered in that order, so the bytes are stable.

The lines are built a column at a time by Arrow's string kernels (a million
figures make some fourteen million lines): each cell is written as it is
between quotes, except the few cells JSON must escape (a quote, a backslash,
a control character), which Python's JSON encoder writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..tables.csvio import Table

PREFIX = {"schema": "https://schema.org/", "sin": "https://w3id.org/stopitnow-figures/"}
STAGES = ("clean", "reconcile", "derive", "package")
KINDS = ("figure", "quantity", "population", "metric", "unknown")  # what an input id names, by code
ROWS = 50000  # lines built and written at a time
_dumps = json.JSONEncoder(ensure_ascii=False).encode
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'  # what JSON escapes (ensure_ascii off)
# Python's str.split() splits on these (str.isspace): a list cell of single spaces between ids is
# split by Arrow
_SPACES = (
    "\t\n\x0b\x0c\r\x1c-\x1f\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}"
    "\\x{202f}\\x{205f}\\x{3000}"
)
_ODD_LIST = rf"^ | $|  |[{_SPACES}]"


def chunks(tables: dict[str, Table]) -> Iterator[str | memoryview]:
    """The PROV-JSON document of the package, a piece at a time."""
    yield "{\n"
    yield ' "activity": {\n' + ",\n".join(f'  "sin:stage/{s}": {{}}' for s in STAGES) + "\n },\n"
    yield ' "entity": {\n'
    yield from _joined(_entities(tables))
    yield "\n },\n"
    yield ' "prefix": ' + json.dumps(PREFIX, sort_keys=True) + ",\n"
    sections = (
        ("wasDerivedFrom", derived_from(tables)),
        ("wasGeneratedBy", _generated_by(tables)),
        ("wasInformedBy", _informed_by()),
    )
    for n, (kind, bodies) in enumerate(sections):
        yield (",\n" if n else "") + f' "{kind}": {{\n'
        yield from _joined(_numbered(kind, bodies))
        yield "\n }"
    yield "\n}\n"


@dataclass(frozen=True)
class Json:
    """A column of a line written as JSON strings, each cell after ``prefix`` (a text, or an array
    of texts by row)."""

    col: object
    prefix: object = ""


# -- the records ------------------------------------------------------------------------


def _entities(tables: dict[str, Table]) -> Iterator[list]:
    """Each table's entities, a line each: its key, then its type and attributes, each a JSON
    string."""
    for table, kind, key, attributes in ENTITIES:
        cols = {
            c: _arrow(tables[table], c)
            for c, _ in [key, *(a for a in attributes.values() if not isinstance(a, str))]
        }
        for start in range(0, len(tables[table]), ROWS):
            parts = [Json(cols[key[0]].slice(start, ROWS), key[1]), f': {{"prov:type": "{kind}"']
            for name, spec in attributes.items():
                value = (
                    _dumps(spec)
                    if isinstance(spec, str)
                    else Json(cols[spec[0]].slice(start, ROWS), spec[1])
                )
                parts += [f', "{name}": ', value]
            yield [*parts, "}"]


def derived_from(tables: dict[str, Table]) -> Iterator[list]:
    """The wasDerivedFrom relations: figures from their articles, quantities from their mentions and
    identities, metrics and claims from their inputs, each row of a series from its quantity (a gap
    from the members around it)."""
    import pyarrow as pa

    fig, der, cla, qua = (
        tables["figures"],
        tables["derived"],
        tables["claims"],
        tables["quantities"],
    )
    fids, sids = _arrow(fig, "figure_id"), _arrow(fig, "source_id")
    for start in range(0, len(fig), ROWS):
        yield [
            '"prov:activity": "sin:stage/clean", "prov:generatedEntity": ',
            Json(fids.slice(start, ROWS), "sin:figure/"),
            ', "prov:type": "prov:Quotation", "prov:usedEntity": ',
            Json(sids.slice(start, ROWS), "sin:source/"),
        ]
    reconciled = '"prov:activity": "sin:stage/reconcile", "prov:generatedEntity": '
    mentions, identities = _listed(_arrow(qua, "mentions")), _listed(_arrow(qua, "identities"))
    owners = Json(_arrow(qua, "quantity_id"), "sin:quantity/")
    used = [Json(mentions[1], "sin:figure/"), Json(identities[1], "sin:identity/")]
    yield from _owned(reconciled, owners, [mentions[0], identities[0]], used)
    used_by = '"prov:activity": "sin:stage/derive", "prov:generatedEntity": '
    refs = _references(tables)
    inputs = _listed(_arrow(der, "inputs"))
    yield from _owned(
        used_by, Json(_arrow(der, "metric_id"), "sin:metric/"), [inputs[0]], [refs(inputs[1])]
    )
    inputs = _listed(_arrow(cla, "inputs"))
    figures = Json(_arrow(cla, "figure_id"), "sin:figure/")
    parents = [pa.array(range(len(cla)), pa.int64()), inputs[0]]
    yield from _owned(
        used_by, Json(_arrow(cla, "claim_id"), "sin:claim/"), parents, [figures, refs(inputs[1])]
    )
    rows, quantities = series_inputs(tables["series"])
    members = Json(_arrow(tables["series"], "member_id"), "sin:series-member/")
    yield from _owned(
        used_by,
        members,
        [pa.array(rows, pa.int64())],
        [Json(pa.array(quantities, pa.string()), "sin:quantity/")],
    )


def series_inputs(series: Table) -> tuple[list[int], list[str]]:
    """What each row of the series rests on, as (row, quantity id) pairs in row order: a member its
    quantity; a gap the quantities of the members just before and after it, whose periods the rule
    steps between."""
    ids, quantities = series.column("series_id"), series.column("quantity_id")
    rows, used = [], []
    for i, q in enumerate(quantities):
        if q:
            rows.append(i)
            used.append(q)
            continue
        before = next(
            quantities[k] for k in range(i - 1, -1, -1) if quantities[k] and ids[k] == ids[i]
        )
        after = next(
            quantities[k]
            for k in range(i + 1, len(quantities))
            if quantities[k] and ids[k] == ids[i]
        )
        rows += [i, i]
        used += [before, after]
    return rows, used


def _generated_by(tables: dict[str, Table]) -> Iterator[list]:
    """The wasGeneratedBy relations: each record by the stage that writes it."""
    for activity, table, column, prefix in (
        ("clean", "figures", "figure_id", "sin:figure/"),
        ("reconcile", "quantities", "quantity_id", "sin:quantity/"),
        ("reconcile", "identities", "identity_id", "sin:identity/"),
        ("derive", "derived", "metric_id", "sin:metric/"),
        ("derive", "claims", "claim_id", "sin:claim/"),
        ("derive", "series", "member_id", "sin:series-member/"),
    ):
        col = _arrow(tables[table], column)
        for start in range(0, len(col), ROWS):
            yield [
                f'"prov:activity": "sin:stage/{activity}", "prov:entity": ',
                Json(col.slice(start, ROWS), prefix),
            ]


def _informed_by() -> Iterator[list]:
    import pyarrow as pa

    pairs = list(zip(STAGES, STAGES[1:], strict=False))
    informant, informed = pa.array([a for a, _ in pairs]), pa.array([b for _, b in pairs])
    yield [
        '"prov:informant": ',
        Json(informant, "sin:stage/"),
        ', "prov:informed": ',
        Json(informed, "sin:stage/"),
    ]


def _owned(text: str, owners: Json, parents: list, used: list[Json]) -> Iterator[list]:
    """Relations from each owner (by row) to what it used: ``used[k]`` the entities of list ``k``
    and ``parents[k]`` the owner row of each. By owner, then list, then as listed."""
    import numpy as np
    import pyarrow as pa

    at = np.concatenate([np.asarray(p, dtype=np.int64) for p in parents])
    which = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parents)])
    order = np.argsort(at * len(parents) + which, kind="stable")
    everything = Json(
        pa.chunked_array(_chunks([u.col for u in used]), pa.string()),
        _chunked([u.prefix for u in used], [len(u.col) for u in used]),
    )
    owners, everything = (
        _combined(owners),
        _combined(everything),
    )  # (taking from many chunks joins them each time)
    for start in range(0, len(order), ROWS):
        rows = order[start : start + ROWS]
        yield [text, _take(owners, at[rows]), ', "prov:usedEntity": ', _take(everything, rows)]


def _references(tables: dict[str, Table]):
    """A function from input ids (an Arrow array) to their entities as JSON strings:
    ``sin:<kind>/<id>``, the kind the table that holds the id (a metric over a reference row over a
    quantity over a figure), else unknown."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    tiers = [("metric", "derived", "metric_id"), ("population", "population", "population_id")]
    tiers += [("quantity", "quantities", "quantity_id"), ("figure", "figures", "figure_id")]

    def refs(ids) -> Json:
        code = np.full(len(ids), KINDS.index("unknown"), dtype=np.int8)
        for kind, table, column in reversed(tiers):
            found = pc.is_in(ids, value_set=_arrow(tables[table], column)).to_numpy(
                zero_copy_only=False
            )
            code[found] = KINDS.index(kind)
        return Json(ids, pa.array([f"sin:{k}/" for k in KINDS]).take(pa.array(code)))

    return refs


# -- lines from Arrow columns -------------------------------------------------------------


def _line(parts: list) -> object:
    """One line a row, joined in one pass from texts, raw Arrow columns and JSON-string columns
    (``Json``): a cell with nothing to escape is written between quotes as it is, else as Python's
    JSON encoder writes it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces, text = [], ""
    for p in parts:
        if isinstance(p, str):
            text += p
        elif not isinstance(p, Json):
            pieces += [text, p]
            text = ""
        elif not _plain(p.col):
            pieces += [text, json_strings(p.col, p.prefix)]
            text = ""
        elif isinstance(p.prefix, str):
            pieces += [text + '"' + p.prefix, p.col]
            text = '"'
        else:
            pieces += [text + '"', p.prefix, p.col]
            text = '"'
    out = pc.binary_join_element_wise(*pieces, text, "")
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def json_strings(col, prefix):
    """Each cell (after ``prefix``, a text or an array of texts by row) as a JSON string: between
    quotes as it is, or as Python's JSON encoder writes it where it has something to escape."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    prefix = prefix.combine_chunks() if isinstance(prefix, pa.ChunkedArray) else prefix
    out = pc.binary_join_element_wise('"', prefix, col, '"', "")
    escape = pc.match_substring_regex(col, _NEEDS_ESCAPE)
    prefixes = pc.filter(prefix, escape).to_pylist() if not isinstance(prefix, str) else None
    cells = pc.filter(col, escape).to_pylist()
    escaped = [_dumps((prefixes[k] if prefixes else prefix) + c) for k, c in enumerate(cells)]
    return pc.replace_with_mask(out, escape, pa.array(escaped, pa.string()))


def _plain(col) -> bool:
    """Whether no cell of an Arrow text column has anything JSON escapes (a quote, a backslash, a
    control character)."""
    return all(len(b) == len(b.translate(None, _ESCAPED)) for b in map(bytes, _values(col)))


_ESCAPED = bytes([*range(0x20), ord('"'), ord("\\")])


def _listed(col):
    """The ids of a column of space-separated lists, as ``str.split()`` gives them: the row of each
    id, and the ids."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pc.any(pc.match_substring_regex(col, _ODD_LIST)).as_py():
        lists = pa.array(
            [c.split() for c in col.to_pylist()], pa.list_(pa.string())
        )  # other spaces: as Python splits them
    else:
        lists = pc.split_pattern(col, " ")
    ids, rows = pc.list_flatten(lists), pc.list_parent_indices(lists)
    named = pc.not_equal(ids, "")  # an empty cell lists nothing
    return pc.filter(rows, named).to_numpy(zero_copy_only=False), pc.filter(ids, named)


def _arrow(table: Table, name: str):
    """A column of a table as an Arrow array (text cells)."""
    import pyarrow as pa

    col = table.arrow_or_list(name)
    if col is None or isinstance(col, list):
        col = pa.array(table.column(name), pa.string())
    return col


def _chunked(prefixes: list, lengths: list[int]):
    """The prefixes of columns put one after another: one text where they are all the same, else an
    array by row."""
    import numpy as np
    import pyarrow as pa

    if all(isinstance(p, str) for p in prefixes) and len(set(prefixes)) == 1:
        return prefixes[0]
    if all(isinstance(p, str) for p in prefixes):
        return pa.array(prefixes, pa.string()).take(
            pa.array(np.repeat(np.arange(len(prefixes)), lengths))
        )
    return pa.chunked_array(
        _chunks(
            [
                pa.array([p] * n, pa.string()) if isinstance(p, str) else p
                for p, n in zip(prefixes, lengths, strict=True)
            ]
        )
    )


def _chunks(columns: list) -> list:
    """The arrays of Arrow columns, one after another (``pa.chunked_array`` reads a chunked one cell
    by cell)."""
    return [a for col in columns for a in getattr(col, "chunks", [col])]


def _combined(field: Json) -> Json:
    import pyarrow as pa

    def one(a):
        return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a

    return Json(one(field.col), one(field.prefix))


def _take(field: Json, rows) -> Json:
    import pyarrow as pa

    rows = pa.array(rows)
    return Json(
        field.col.take(rows),
        field.prefix if isinstance(field.prefix, str) else field.prefix.take(rows),
    )


# -- the document's sections ---------------------------------------------------------------


def _numbered(kind: str, bodies: Iterable[list]) -> Iterator[list]:
    """Relations keyed by their number in the section (from 1): ``"_:<kind><n>": {<body>}``."""
    import numpy as np
    import pyarrow as pa

    n = 1
    for body in bodies:
        rows = len(next(p for p in body if not isinstance(p, str)).col)
        yield [f'"_:{kind}', pa.array(np.arange(n, n + rows)).cast(pa.string()), '": {', *body, "}"]
        n += rows


def _joined(lines: Iterable[list]) -> Iterator[memoryview]:
    """Lines (parts of ``_line``) indented and joined by commas and newlines, a batch of lines at a
    time."""
    import pyarrow as pa

    first = True
    for parts in lines:
        text = _bytes(_line([",\n  ", *parts]))
        if len(text):
            yield text[2:] if first else text  # the first line has no comma before it
            first = False
        del text
        # what the batch used, which Arrow's allocator would keep
        pa.default_memory_pool().release_unused()


def _values(col) -> Iterator[memoryview]:
    """The UTF-8 bytes of the cells of an Arrow text column one after another, a chunk at a time."""
    import numpy as np

    for arr in getattr(col, "chunks", [col]):
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[
            arr.offset : arr.offset + len(arr) + 1
        ]
        data = arr.buffers()[2]
        yield (
            memoryview(data)[int(offsets[0]) : int(offsets[-1])]
            if data is not None and len(arr)
            else memoryview(b"")
        )


def _bytes(arr) -> memoryview:
    """The UTF-8 bytes of an Arrow text array's cells one after another."""
    return next(_values(arr))


# the rule of every row of the series (model.series), an attribute of each as a formula is of
# a metric
SERIES_RULE = (
    "one series: the quantities of one measure, unit, counting, channel, place and period length "
    "and alignment, in time order; a member is its quantity for its period, a gap a period between "
    "the first and last member that no quantity gives"
)
# each table's entities: (table, prov:type, (id column, prefix), {attribute: (column, prefix), or a
# text for every row}), attributes in sorted order
ENTITIES = (
    (
        "sources",
        "schema:NewsArticle",
        ("source_id", "sin:source/"),
        {
            "schema:headline": ("headline", ""),
            "schema:publisher": ("publisher", ""),
            "schema:url": ("url", ""),
            "sin:sha256": ("sha256", ""),
        },
    ),
    (
        "population",
        "sin:ReferenceRow",
        ("population_id", "sin:population/"),
        {
            "prov:value": ("value", ""),
            "schema:publisher": ("publisher", ""),
            "sin:table": ("table", ""),
        },
    ),
    (
        "figures",
        "sin:Figure",
        ("figure_id", "sin:figure/"),
        {
            "prov:value": ("value", ""),
            "sin:charEnd": ("char_end", ""),
            "sin:charStart": ("char_start", ""),
            "sin:quote": ("quote", ""),
        },
    ),
    (
        "identities",
        "sin:Identity",
        ("identity_id", "sin:identity/"),
        {"sin:left": ("left", ""), "sin:relation": ("relation", ""), "sin:right": ("right", "")},
    ),
    (
        "quantities",
        "sin:Quantity",
        ("quantity_id", "sin:quantity/"),
        {"prov:value": ("value", ""), "sin:status": ("status", "")},
    ),
    (
        "derived",
        "sin:DerivedMetric",
        ("metric_id", "sin:metric/"),
        {"prov:value": ("value", ""), "sin:formula": ("formula", "")},
    ),
    (
        "claims",
        "sin:ClaimCheck",
        ("claim_id", "sin:claim/"),
        {"sin:formula": ("formula", ""), "sin:verdict": ("verdict", "")},
    ),
    (
        "series",
        "sin:SeriesMember",
        ("member_id", "sin:series-member/"),
        {
            "sin:alignment": ("alignment", ""),
            "sin:rule": SERIES_RULE,
            "sin:series": ("series_id", ""),
        },
    ),
)
