"""Table Schemas in schemas/ are the single source of truth for every
published table; the pandera validators are built from them.

``from_frictionless_schema`` turns types, required, unique, enum, pattern,
minimum/maximum and the primary key into pandera checks. What a Table Schema
cannot say is added here as a pandera check for that rule alone (see
``EXTRA_CHECKS``), and the cross-table rules (foreign keys, quotes at their
offsets, periods before publication) live in ``cross_checks``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .csvio import Row, Table, all_distinct, arrow_numbers, read_table, surely_not_blank
from .errors import Problem

if TYPE_CHECKING:
    from .vocab import Vocabulary


@cache
def load_schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def field_names(schema: dict) -> list[str]:
    return [f["name"] for f in schema["fields"]]


def field_types(schema: dict) -> dict[str, str]:
    return {f["name"]: f["type"] for f in schema["fields"]}


@dataclass(frozen=True)
class Rule:
    """A row rule a Table Schema cannot express: its pandera check, the column a
    failure is reported in, and the words of the rule."""

    name: str
    check: Callable
    column: str
    words: str
    reads: tuple[str, ...]  # the columns its check reads (``measure`` or ``kind`` aside, as a share's rule reads either)


def _ordered(df):
    """lower <= value <= upper where bounded; where there is no value (a derived row whose evidence gives only an
    interval, value_basis none), lower <= upper."""
    value = df["value"].fillna(df["lower"]).fillna(df["upper"])
    lo_ok = df["lower"].isna() | (df["lower"] <= value + 1e-9)
    hi_ok = df["upper"].isna() | value.isna() | (value <= df["upper"] + 1e-9)
    return lo_ok & hi_ok


def _stated_ordered(df):
    lo_ok = df["stated_lower"].isna() | (df["stated_lower"] <= df["stated"] + 1e-9)
    hi_ok = df["stated_upper"].isna() | (df["stated"] <= df["stated_upper"] + 1e-9)
    return lo_ok & hi_ok


def _period_ordered(df):
    both = df["period_start"].notna() & df["period_end"].notna()
    return ~both | (df["period_start"] <= df["period_end"])


def qualifier_agrees(qualifier, value, lower, upper, intervals: dict[str, str]):
    """Whether each row's interval has the shape its qualifier gives it (``schemas/vocabulary.json``, qualifiers,
    after any curated reading): point, lower = value = upper; half_unit and around, both ends, apart; below,
    upper = value with a lower end under it; lower_bound, lower = value and no upper end; upper_bound, upper =
    value and no lower end or one under it; vague_range, lower = value and an upper end above it or none (a
    vague word read open). A boolean array; true where the qualifier or the value is missing (other rules
    report those). ``qualifier``: text cells (a list, an Arrow array or a pandas Series); the rest numbers
    (NaN where empty)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    text = qualifier if isinstance(qualifier, pa.Array | pa.ChunkedArray) else pa.array(qualifier, type=pa.string(), from_pandas=True)
    keys = list(intervals)
    code = pc.fill_null(pc.index_in(text, value_set=pa.array(keys, type=pa.string())), -1).to_numpy(zero_copy_only=False)
    shape = np.append(np.array([intervals[k] for k in keys], dtype=object), "")[code]
    v, lo, hi = (np.asarray(x, dtype=float) for x in (value, lower, upper))
    has_lo, has_hi = ~np.isnan(lo), ~np.isnan(hi)
    with np.errstate(invalid="ignore"):
        at_lo, at_hi = has_lo & np.isclose(lo, v, rtol=1e-9, atol=1e-9), has_hi & np.isclose(hi, v, rtol=1e-9, atol=1e-9)
        apart, under, over = has_lo & has_hi & (lo < hi), has_lo & (lo < v), has_hi & (hi > v)
    holds = {
        "point": at_lo & at_hi,
        "half_unit": apart,
        "around": apart,
        "below": at_hi & under,
        "lower_bound": at_lo & ~has_hi,
        "upper_bound": at_hi & (~has_lo | under),
        "vague_range": at_lo & (~has_hi | over),
    }
    ok = np.isnan(v) | (shape == "")
    for name, mask in holds.items():
        ok |= (shape == name) & mask
    return ok


def rules(vocabulary: Vocabulary) -> dict[str, Rule]:
    """Every row rule, by its error type."""
    counts, shares = list(vocabulary.count_units), list(vocabulary.shares)

    def qualifier_interval(df):
        import pandas as pd

        return pd.Series(qualifier_agrees(df["qualifier"], df["value"], df["lower"], df["upper"], vocabulary.intervals), index=df.index)

    def count_not_negative(df):
        return ~df["unit"].isin(counts) | (df["value"] >= 0)

    def share_at_most_100(df):
        is_share = df["measure"].isin(shares) if "measure" in df else df["kind"].isin(shares)
        return ~is_share | (df["value"] <= 100)

    return {
        r.name: r
        for r in (
            Rule("bounds-ordered", _ordered, "value", "lower <= value <= upper where bounded", ("value", "lower", "upper")),
            Rule(
                "qualifier-interval",
                qualifier_interval,
                "qualifier",
                "the interval contradicts the qualifier: exact is a point (lower = value = upper), a rounded or approximate "
                "number has both ends, nearly ends at the value, more than and at least have no upper end, up to and fewer "
                "than end at the value, a vague word starts at the value (schemas/vocabulary.json, qualifiers)",
                ("qualifier", "value", "lower", "upper"),
            ),
            Rule("count-not-negative", count_not_negative, "value", "a count cannot be negative", ("unit", "value")),
            Rule("share-at-most-100", share_at_most_100, "value", "a share cannot exceed 100 per cent", ("value",)),
            Rule("period-ordered", _period_ordered, "period_end", "period_start <= period_end", _PERIOD),
            Rule(
                "period-complete",
                lambda df: df["period_start"].isna() == df["period_end"].isna(),
                "period_end",
                "period_start and period_end are both set or both empty",
                _PERIOD,
            ),
            Rule(
                "offsets-ordered",
                lambda df: df["char_start"] < df["char_end"],
                "char_end",
                "char_start < char_end",
                ("char_start", "char_end"),
            ),
            Rule("stated-ordered", _stated_ordered, "stated", "stated_lower <= stated <= stated_upper where bounded", _STATED),
        )
    }


# the row rules of each published table (raw tables have none)
TABLE_RULES = {
    "figures": (
        "bounds-ordered",
        "qualifier-interval",
        "count-not-negative",
        "share-at-most-100",
        "period-ordered",
        "period-complete",
        "offsets-ordered",
    ),
    "derived": ("bounds-ordered", "share-at-most-100", "period-ordered", "period-complete"),
    "claims": ("stated-ordered",),
}


def _extra_checks(table: str, vocabulary: Vocabulary, fields: tuple[str, ...] | None = None) -> dict[str, Rule]:
    """The row rules of a table (of those that read only ``fields``, where given)."""
    if not TABLE_RULES.get(table):
        return {}
    every = rules(vocabulary)
    return {name: every[name] for name in TABLE_RULES.get(table, ()) if fields is None or set(every[name].reads) <= set(fields)}


def only_fields(schema: dict, fields: tuple[str, ...] | None) -> dict:
    """A Table Schema with only ``fields`` of its fields (and its primary key where it names only them); the
    schema itself where ``fields`` is None."""
    if fields is None:
        return schema
    out = {**schema, "fields": [f for f in schema["fields"] if f["name"] in fields]}
    key = schema.get("primaryKey")
    if key is not None and not set([key] if isinstance(key, str) else key) <= set(fields):
        del out["primaryKey"]
    return out


def validator(schema_path: Path, table: str, vocabulary: Vocabulary, fields: tuple[str, ...] | None = None):
    """The pandera schema for a table: built from its Table Schema plus its extra checks (of ``fields`` only, where given)."""
    return _validator(schema_path, table, vocabulary.source, fields)


@cache
def _validator(schema_path: Path, table: str, schemas: str, fields: tuple[str, ...] | None):
    import copy

    import pandera.pandas as pa
    from pandera.io.pandas_io import from_frictionless_schema

    from .vocab import load

    schema = from_frictionless_schema(str(schema_path) if fields is None else copy.deepcopy(only_fields(load_schema(schema_path), fields)))
    checks = [pa.Check(r.check, name=r.name) for r in _extra_checks(table, load(Path(schemas)), fields).values()]
    return schema.set_checks(checks) if hasattr(schema, "set_checks") else _with_checks(schema, checks)


def _with_checks(schema, checks):
    schema.checks = list(schema.checks or []) + checks
    return schema


def columns_of(data, names: list[str]) -> tuple[dict, list[int]]:
    """The columns and editor lines of a Table, of a list of row dicts, or of a
    mapping of name to column (lines then count from 2)."""
    if isinstance(data, Table):
        return {n: data.arrow_or_list(n) for n in names}, data.lines
    if isinstance(data, list):
        plain = [r.cells if isinstance(r, Row) else r for r in data]
        lines = [r.line if isinstance(r, Row) else i + 2 for i, r in enumerate(data)]
        return {n: [r.get(n, "") for r in plain] for n in names}, lines
    n = len(next(iter(data.values()))) if data else 0
    return dict(data), list(range(2, n + 2))


def _is_numbers(col) -> bool:
    import numpy as np

    return isinstance(col, np.ndarray)


def _text_series(col, n: int):
    """A column of text cells as a pandas string Series (Arrow-backed where pandas has Arrow)."""
    import pandas as pd

    return pd.Series([""] * n if col is None else col, dtype="str")


def frame(columns: dict, schema: dict, n: int, numbers: dict | None = None):
    """Columns to a DataFrame typed as the schema says (empty cells become missing).

    A column is text cells (a list or an Arrow array) or, for a number or
    integer field, a NumPy array of numbers (NaN for empty). ``numbers`` holds
    text columns already read as numbers (see ``read_numbers``).
    """
    import pandas as pd

    names = field_names(schema)
    types = field_types(schema)
    numbers = numbers or {}
    out = {}
    for name in names:
        t, col = types[name], columns.get(name)
        if col is not None and _is_numbers(col):
            num = pd.Series(col, dtype="float64")
            out[name] = num if t == "number" else _int_or_text(num, num)
            continue
        text = _text_series(col, n)
        missing = text.mask(text.eq(""))
        if t in ("number", "integer", "year"):
            num = numbers[name][0] if name in numbers else read_numbers(col, n)[0]
            out[name] = num if t == "number" else _int_or_text(num, missing)
        else:
            out[name] = missing
    return pd.DataFrame(out, columns=names)


def read_numbers(col, n: int):
    """Text cells as a float Series (NaN where empty or not a number), and the
    positions of the cells that are not empty and not numbers."""
    import pandas as pd

    if col is not None and not isinstance(col, list):  # an Arrow array: Arrow reads it, if every cell is a number
        read = arrow_numbers(col)
        if read is not None:
            return pd.Series(read, dtype="float64"), []
    text = _text_series(col, n)
    filled = text.ne("")
    num = pd.to_numeric(text.where(filled), errors="coerce")
    bad = filled & num.isna() & ~text.str.lower().isin(["nan", "inf", "-inf"])
    return num.astype("float64"), [int(i) for i in bad.to_numpy(dtype=bool).nonzero()[0]]


# integers below this in size are held exactly by a float: every number is read as a float, so a larger one would be
# published rounded (or, cast to an integer, as nonsense)
EXACT_INTEGER = 2**53


def expected_type(t: str) -> str:
    """The words of a ``wrong-type`` problem for a field of type ``t``."""
    if t == "integer":
        return f"expected an integer smaller than {EXACT_INTEGER:,} in size"
    return f"expected {'an' if t[:1] in 'aeiou' else 'a'} {t}"


def _int_or_text(num, text):
    whole = num.dropna()
    if num.notna().sum() == text.notna().sum() and (whole % 1 == 0).all() and (whole.abs() < EXACT_INTEGER).all():
        return num.astype("Int64") if num.isna().any() else num.astype("int64")
    return text  # leave text so the type check reports the bad cell


def check_frame(
    data,
    schema_path: Path,
    table: str,
    display: str,
    lines: list[int] | None = None,
    *,
    vocabulary: Vocabulary | None = None,
    fields: tuple[str, ...] | None = None,
) -> list[Problem]:
    """Validate lazily; one Problem per failing cell, located by line.

    ``data`` is a Table, a list of row dicts, or a mapping of name to column
    (see ``frame``); ``lines`` overrides the editor line of each row.
    ``fields``: check only these fields of the schema, and the row rules that
    read only them (``stopitnow-figures check`` has the columns of a table
    that come from raw/, not those a solve or an evaluation gives).
    """
    from .vocab import load

    vocabulary = vocabulary or load(schema_path.parent if schema_path.parent.name != "raw" else schema_path.parent.parent)
    schema = only_fields(load_schema(schema_path), fields)
    columns, own_lines = columns_of(data, field_names(schema))
    lines = own_lines if lines is None else lines
    n = len(lines)
    if surely_valid(columns, schema, table, n, vocabulary=vocabulary, fields=fields):
        return []  # what pandera would find: nothing
    numbers = {
        name: read_numbers(col, n)
        for name, t in field_types(schema).items()
        if t in NUMERIC_TYPES and (col := columns.get(name)) is not None and not _is_numbers(col)
    }
    problems = _type_problems(columns, schema, numbers, display, lines)
    if problems:
        return problems  # the schema's own checks would report the same cells again, less clearly
    return _schema_problems(frame(columns, schema, n, numbers), columns, schema_path, table, display, lines, vocabulary, fields)


NUMERIC_TYPES = ("number", "integer", "year")


def surely_valid(
    columns: dict, schema: dict, table: str, n: int, *, vocabulary: Vocabulary | None = None, fields: tuple[str, ...] | None = None
) -> bool:
    """Whether ``check_frame`` surely finds no problem, from whole columns by Arrow and NumPy, without building a
    frame: every field is text (a list or Arrow array), a date, a number given as a NumPy array, or an integer
    written as plain digits, and each constraint surely kept (the same constraint as pandera checks, or a
    stricter one: a pattern of plain characters and classes read by Arrow, whose $ is only the end); and each
    row rule of the table surely holds (see ``_rule_surely_holds``; ``vocabulary`` for the words they name; of the
    rules that read only ``fields``, where given). False where a problem may be found (``check_frame`` then
    finds it, and words it)."""
    if TABLE_RULES.get(table) and vocabulary is None:
        return False
    if not all(_field_surely_valid(columns.get(f["name"]), f, n) for f in schema["fields"]):
        return False
    return all(_rule_surely_holds(rule, columns, vocabulary) for rule in _extra_checks(table, vocabulary, fields))


def _rule_surely_holds(rule: str, columns: dict, vocabulary: Vocabulary) -> bool:
    """A row rule (see ``rules``) checked on whole columns as its pandera check reads them: numbers as NumPy
    arrays (NaN for missing), text as Arrow (an empty cell missing; the dates are plain ones, as
    ``_field_surely_valid`` has found, so text order is date order). False for a rule not read here, or a
    column not of the kind it expects."""
    import numpy as np
    import pyarrow.compute as pc

    if rule in ("bounds-ordered", "stated-ordered"):
        value, lo, hi = (columns.get(n) for n in (("value", "lower", "upper") if rule == "bounds-ordered" else _STATED))
        if not all(_is_numbers(c) for c in (value, lo, hi)):
            return False
        if rule == "bounds-ordered":  # as _ordered: no value, then lower <= upper
            value = np.where(np.isnan(value), np.where(np.isnan(lo), hi, lo), value)
        with np.errstate(invalid="ignore"):
            return bool((np.isnan(lo) | (lo <= value + 1e-9)).all() and (np.isnan(hi) | np.isnan(value) | (value <= hi + 1e-9)).all())
    if rule == "qualifier-interval":
        value, lo, hi, qualifier = (columns.get(n) for n in ("value", "lower", "upper", "qualifier"))
        if not all(_is_numbers(c) for c in (value, lo, hi)) or qualifier is None or _is_numbers(qualifier):
            return False
        return bool(qualifier_agrees(qualifier, value, lo, hi, vocabulary.intervals).all())
    if rule in ("share-at-most-100", "count-not-negative"):
        value = columns.get("value")
        words, of = ("unit", vocabulary.count_units) if rule == "count-not-negative" else ("measure", vocabulary.shares)
        words = words if words in columns else "kind"  # a share is a figure's measure, or a metric's kind
        kind = columns.get(words)
        if not _is_numbers(value) or kind is None or _is_numbers(kind):
            return False
        ruled = np.asarray(pc.is_in(_arrow_text(kind), value_set=_arrow_text(list(of))), dtype=bool)
        return bool((~ruled | ((value >= 0) if rule == "count-not-negative" else (value <= 100))).all())
    if rule == "offsets-ordered":
        start, end = columns.get("char_start"), columns.get("char_end")
        return _is_numbers(start) and _is_numbers(end) and bool((start < end).all())
    if rule in ("period-ordered", "period-complete"):
        start, end = (columns.get(n) for n in ("period_start", "period_end"))
        if start is None or end is None or _is_numbers(start) or _is_numbers(end):
            return False
        start, end = _arrow_text(start), _arrow_text(end)
        empty_start, empty_end = pc.equal(start, ""), pc.equal(end, "")
        if rule == "period-complete":
            return _all_true(pc.equal(empty_start, empty_end))
        return _all_true(pc.or_(pc.or_(empty_start, empty_end), pc.less_equal(start, end)))
    return False


_STATED = ("stated", "stated_lower", "stated_upper")
_PERIOD = ("period_start", "period_end")


def _arrow_text(col):
    import pyarrow as pa

    return pa.array(col, type=pa.string()) if isinstance(col, list) else col


_KNOWN_CONSTRAINTS = frozenset(("required", "unique", "enum", "pattern", "minLength", "maxLength"))
_PLAIN_PATTERN = re.compile(r"\^?\^?(?:(?:\[[a-zA-Z0-9_-]+\]|[a-zA-Z0-9_-])(?:[*+?]|\{[0-9]+(?:,[0-9]*)?\})?)+\$?\$?")


def _field_surely_valid(col, field: dict, n: int) -> bool:
    import numpy as np

    cons, kind = field.get("constraints", {}), field["type"]
    if kind == "integer" and isinstance(col, list):
        return _integers_surely_valid(col, cons, n)
    if col is not None and _is_numbers(col) and kind == "integer":
        return len(col) == n and _whole_numbers_surely_valid(col, cons)
    if col is not None and _is_numbers(col):
        if kind != "number" or col.dtype.kind != "f" or len(col) != n or set(cons) - {"required"}:
            return False
        return not (cons.get("required") and np.isnan(col).any())
    if kind not in ("string", "date") or set(cons) - _KNOWN_CONSTRAINTS or (col is not None and len(col) != n):
        return False
    if kind == "string" and not cons:
        return True  # any text is a string
    if isinstance(col, list) and not {"unique", "pattern"} & set(cons):
        return _cells_surely_valid(set(col), cons, kind)
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array([""] * n if col is None else col, type=pa.string()) if col is None or isinstance(col, list) else col
    filled = pc.not_equal(text, "")
    if (cons.get("required") and not _all_true(filled)) or (cons.get("unique") and not all_distinct(text)):
        return False
    cells = pc.filter(text, filled)
    if "pattern" in cons and not _pattern_surely_kept(cells, cons["pattern"]):
        return False
    if "enum" in cons and not _all_true(pc.is_in(cells, value_set=pa.array(cons["enum"], type=pa.string()))):
        return False
    length = pc.utf8_length(cells)
    if ("minLength" in cons and not _all_true(pc.greater_equal(length, cons["minLength"]))) or (
        "maxLength" in cons and not _all_true(pc.less_equal(length, cons["maxLength"]))
    ):
        return False
    return kind == "string" or all(map(_plain_date, pc.unique(cells).to_pylist()))


_DIGITS = re.compile(r"[0-9]{1,15}")


def _whole_numbers_surely_valid(col, cons: dict) -> bool:
    """An integer field given as NumPy numbers: each a whole number smaller than ``EXACT_INTEGER`` in size and none
    missing (``frame`` then types the column int64, as the schema's integer), within the schema's minimum and
    maximum, and no other constraint."""
    import numpy as np

    if set(cons) - {"required", "minimum", "maximum"}:
        return False
    a = np.asarray(col, dtype=float)
    if not np.isfinite(a).all() or (np.mod(a, 1) != 0).any() or (np.abs(a) >= EXACT_INTEGER).any():
        return False
    return bool((a >= cons.get("minimum", -np.inf)).all() and (a <= cons.get("maximum", np.inf)).all())


def _integers_surely_valid(col: list[str], cons: dict, n: int) -> bool:
    """Whether an integer field's text cells surely keep its type and constraints: each cell written as plain
    digits (no sign, no gap, none missing; few enough to be exact as a float), within its minimum and maximum."""
    if len(col) != n or set(cons) - {"required", "minimum", "maximum"}:
        return False
    cells = set(col)
    if not all(_DIGITS.fullmatch(c) for c in cells):
        return False
    values = [int(c) for c in cells]
    return all(cons.get("minimum", v) <= v <= cons.get("maximum", v) for v in values)


# a pattern of literal characters, classes of them, groups, alternatives, quantifiers and anchors, which Python
# and Arrow (RE2) read as the same language: what Arrow matches whole, pandas matches too (Python's $ also lets a
# final line end by; Arrow's does not, so Arrow is the stricter)
_REGULAR_PATTERN = re.compile(r"(?:[a-zA-Z0-9_ :,-]|\[[a-zA-Z0-9_-]+\]|[()|^$*+?]|\{[0-9]+(?:,[0-9]*)?\})+")


def _regular(pattern: str) -> bool:
    """Whether a pattern is of ``_REGULAR_PATTERN``'s form and no group of it is more than a group (``(?`` starts
    flags or look-arounds, except ``(?:``)."""
    return bool(_REGULAR_PATTERN.fullmatch(pattern)) and "(?" not in pattern.replace("(?:", "")


def _pattern_surely_kept(cells, pattern: str) -> bool:
    """Whether every cell (Arrow text, none empty) surely matches a pattern as pandera matches it: a plain
    pattern (see ``_PLAIN_PATTERN``) by Arrow over the cells; any other, where the cells are few distinct ones,
    each matched whole both by Python's regular expressions and by Arrow's (so by either of pandas' readings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    anchored = f"^(?:{pattern})"
    if _PLAIN_PATTERN.fullmatch(pattern) or _regular(pattern):
        return _all_true(pc.match_substring_regex(cells, anchored))
    distinct = pc.unique(cells)
    if len(distinct) > 1000 or not all(re.fullmatch(pattern, c) for c in distinct.to_pylist()):
        return False
    try:
        return _all_true(pc.match_substring_regex(distinct, anchored))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False


def _cells_surely_valid(cells: set[str], cons: dict, kind: str) -> bool:
    """Whether the distinct cells of a column keep its constraints other than unique and pattern (an empty
    cell is a missing one)."""
    if cons.get("required") and "" in cells:
        return False
    cells = cells - {""}
    if "enum" in cons and not cells <= set(cons["enum"]):
        return False
    if "minLength" in cons and any(len(c) < cons["minLength"] for c in cells):
        return False
    if "maxLength" in cons and any(len(c) > cons["maxLength"] for c in cells):
        return False
    return kind == "string" or all(map(_plain_date, cells))


def _all_true(mask) -> bool:
    import pyarrow.compute as pc

    return not mask.null_count and bool(pc.all(mask, min_count=0).as_py())


_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _plain_date(text: str) -> bool:
    """A date every reading takes: YYYY-MM-DD, a real day, within the years pandas can hold."""
    from datetime import date

    if not _DATE_SHAPE.fullmatch(text) or not "1678" <= text[:4] <= "2261":
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _type_problems(columns: dict, schema: dict, numbers: dict, display: str, lines: list[int]) -> list[Problem]:
    """Cells that are not of their column's type, with the text as typed."""
    out = []
    n = len(lines)
    for name, t in field_types(schema).items():
        col = columns.get(name)
        if t not in (*NUMERIC_TYPES, "date") or col is None or _is_numbers(col):
            continue
        bad = _type_failures(_text_series(col, n), t, numbers.get(name))
        raw = _cells(col, bad) if bad else {}
        out += [Problem(display, lines[i], name, "wrong-type", raw[i], expected_type(t)) for i in bad]
    return out


def _schema_problems(
    df, columns: dict, schema_path: Path, table: str, display: str, lines: list[int], vocabulary: Vocabulary, fields: tuple[str, ...] | None
) -> list[Problem]:
    """The Table Schema's constraints and the table's row rules (of ``fields`` only, where given), by pandera, lazily."""
    import pandera.errors as pe

    schema = only_fields(load_schema(schema_path), fields)
    extra = _extra_checks(table, vocabulary, fields)
    try:
        validator(schema_path, table, vocabulary, fields).validate(df, lazy=True)
    except pe.SchemaErrors as exc:
        # pandera reports a failing row rule once for each column of the frame: one problem each
        return list(dict.fromkeys(_problem(rec, columns, schema, extra, display, lines) for rec in exc.failure_cases.to_dict("records")))
    return []


def _problem(rec: dict, columns: dict, schema: dict, extra: dict, display: str, lines: list[int]) -> Problem:
    """One pandera failure case as this project's problem."""
    check, col, idx = str(rec.get("check")), rec.get("column"), rec.get("index")
    name = check.split("(")[0]
    line = lines[int(idx)] if idx is not None and str(idx) != "nan" else None
    value = rec.get("failure_case")
    if name in extra:
        col, rule, message = extra[name].column, name, extra[name].words
        if line is not None:
            value = _cells(columns.get(col), [int(idx)]).get(int(idx), "")
    else:
        rule, message = _rule_of(check, col, schema)
        if rule == "required":
            value = ""  # pandera reports an empty cell as its NaN
    column = None if col is None or str(col) == "nan" else str(col)
    return Problem(display, line, column, rule, None if value is None else str(value), message)


def _cells(col, positions: list[int]) -> dict[int, str]:
    """The text of some cells of a column, as a curator would see them."""
    from .csvio import format_number

    if col is None:
        return dict.fromkeys(positions, "")
    if _is_numbers(col):
        return {i: format_number(float(col[i])) for i in positions}
    if isinstance(col, list):
        return {i: col[i] for i in positions}
    return {i: col[i].as_py() for i in positions}


def _type_failures(text, t: str, numbers=None) -> list[int]:
    """Row positions whose non-empty text is not a valid ``t`` (vectorised);
    ``numbers`` is what ``read_numbers`` gave for the column."""
    import pandas as pd

    filled = text.ne("")
    if t == "date":
        ok = (
            text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
            & pd.to_datetime(text.where(filled), format="%Y-%m-%d", errors="coerce").notna()
        )
    elif t == "number":
        return numbers[1]
    else:
        num = numbers[0]
        ok = num.notna() & (num % 1 == 0) & (num.abs() < EXACT_INTEGER) & text.str.fullmatch(r"[-+]?[0-9]+")
    bad = filled & ~ok.fillna(False).astype(bool)
    return [int(i) for i in bad.to_numpy(dtype=bool).nonzero()[0]]


def _rule_of(check: str, col, schema: dict) -> tuple[str, str]:
    """A pandera check name to this project's rule type and words."""
    field = next((f for f in schema["fields"] if f["name"] == col), {})
    cons = field.get("constraints", {})
    if check.startswith("isin"):
        return "not-in-vocabulary", f"must be one of {cons.get('enum')}"
    if check.startswith("str_matches"):
        return "pattern", f"must match {cons.get('pattern')}"
    if check.startswith("field_uniqueness") or "unique" in check:
        return "duplicate-id", "must be unique"
    if check.startswith("not_nullable"):
        return "required", "must not be empty"
    if check.startswith(("greater_than", "less_than", "in_range")):
        return "out-of-range", f"must lie within {cons}"
    if check.startswith("str_length"):
        return "required", "must not be empty"
    if check.startswith("dtype") or "coerce" in check:
        return "wrong-type", expected_type(str(field.get("type")))
    return check, check


def check_text_table(table: Table, schema_path: Path, display: str) -> list[Problem]:
    """The constraints of a table whose every field is text (the raw tables): required cells and closed
    vocabularies, cell by cell. Typed tables go through pandera (``check_frame``); for a handful of text
    rows building a pandera schema costs more than the checks. Each distinct cell is checked once, and only
    the cells that fail are looked for row by row."""
    out = []
    for f in load_schema(schema_path)["fields"]:
        cons = f.get("constraints", {})
        if f["type"] != "string":
            raise ValueError(f"{schema_path}: field {f['name']!r} is not plain text; check it with check_frame")
        failing = {cell for cell in _distinct(table, f["name"], cons) if _text_failure(cell, cons)}
        if not failing:
            continue
        for i, cell in enumerate(table.column(f["name"])):
            if cell in failing:
                rule, message = _text_failure(cell, cons)
                out.append(Problem(display, table.line(i), f["name"], rule, cell, message))
    return out


def _text_failure(cell: str, cons: dict) -> tuple[str, str] | None:
    """The rule a text cell breaks and its words, or None."""
    if cons.get("required") and not cell.strip():
        return "required", "must not be empty"
    if cell and "enum" in cons and cell not in cons["enum"]:
        return "not-in-vocabulary", f"must be one of {cons['enum']}"
    return None


def _distinct(table: Table, name: str, cons: dict) -> list[str]:
    """The distinct cells of a column that may break its constraints: all of them for a small table held as
    text, else by Arrow those not surely kept (a required cell starting with a printable ASCII character
    other than a space is not empty; a cell of a vocabulary that is one of its words, or empty, is in it)."""
    col = table.arrow_or_list(name)
    if col is None:
        return [""] if len(table) else []
    if isinstance(col, list) and len(col) < ARROW_MIN_CELLS:
        return list(set(col))
    import pyarrow as pa
    import pyarrow.compute as pc

    col = table.arrow(name)
    may = pa.scalar(False)
    if cons.get("required"):
        may = pc.or_(may, pc.invert(surely_not_blank(col)))
    if "enum" in cons:
        may = pc.or_(may, pc.invert(pc.or_(pc.equal(col, ""), pc.is_in(col, value_set=pa.array(cons["enum"], type=pa.string())))))
    if isinstance(may, pa.Scalar):
        return []
    return pc.unique(pc.filter(col, may)).to_pylist()


ARROW_MIN_CELLS = 10000  # below this a set of the cells is as fast as starting Arrow


def package_tables(paths, tree, problems, *, written_by_pipeline: bool = False) -> dict[str, Table]:
    """Every table of a package (``tree``: the candidate or the published one), each read by its schema's
    columns, problems located in ``problems``."""
    from .paths import PUBLISHED_TABLES

    out = {}
    for name in PUBLISHED_TABLES:
        path = tree.table(name)
        out[name] = read_table(
            path, field_names(load_schema(paths.schema(name))), problems, display=paths.rel(path), written_by_pipeline=written_by_pipeline
        )
    return out
