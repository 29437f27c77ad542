"""Table Schemas in schemas/ are the single source of truth for every table;
pandera checks each table against them, with the checks built here.

Each check is defined once, as one function over whole columns (text as
Arrow, numbers as NumPy) that says where it holds: a constraint of one field
of a Table Schema (its type, required, unique, enum, pattern, minimum,
maximum, minLength, maxLength, a primary key of one field), read from the
schema by ``field_checks``, or a row rule a Table Schema cannot say
(``rules``). ``validator`` builds a table's pandera schema from those
functions, once per table; ``check_frame`` runs it lazily over the columns
held by Arrow and NumPy, and words each failure as a located problem. Before
it, ``all_hold`` runs the same functions (the same ``Check`` objects) over the
whole columns: where every one holds, pandera would find nothing, so it is not
run, nor imported (``stopitnow-figures check`` on a valid package). The
rules across tables live in ``validation``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from .csvio import Row, Table, all_distinct, arrow_numbers, read_table
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


NUMERIC_TYPES = ("number", "integer", "year")

# integers below this in size are held exactly by a float: every number is read as a float, so a
# larger one would be published rounded (or, cast to an integer, as nonsense)
EXACT_INTEGER = 2**53


def expected_type(t: str) -> str:
    """The words of a ``wrong-type`` problem for a field of type ``t``."""
    if t == "integer":
        return f"expected an integer smaller than {EXACT_INTEGER:,} in size"
    return f"expected {'an' if t[:1] in 'aeiou' else 'a'} {t}"


# -- the columns as the checks read them -----------------------------------------------------------


class Columns:
    """A table's columns as its checks read them. A column is given as text cells (a list or an
    Arrow array) or, for a number or integer field, a NumPy array of numbers (NaN for empty); an
    absent one is empty cells. Each is read once: ``text`` (Arrow), ``numbers`` (NumPy; NaN where
    empty or not a number), ``unread`` (cells that are not empty and not a number) and ``empty``.
    ``blank_is_empty``: a cell of white space alone is empty (the tables a curator types in raw/);
    else only an empty cell is."""

    def __init__(self, given: dict, types: dict[str, str], n: int, *, blank_is_empty: bool = False):
        self.given, self.types, self.n, self.blank_is_empty = given, types, n, blank_is_empty
        self._memo: dict = {}

    def __contains__(self, name: str) -> bool:
        return name in self.types

    def is_numbers(self, name: str) -> bool:
        """Whether a column was given as numbers (it has no text)."""
        return _is_numbers(self.given.get(name))

    def text(self, name: str):
        """A column's cells as Arrow text (an Arrow column as it is)."""
        return self._read(("text", name), partial(_arrow_text, n=self.n), name)

    def numbers(self, name: str):
        """A column as a NumPy array of numbers (NaN where empty or not a number)."""
        if self.is_numbers(name):
            return self.given[name]
        return self._read(
            ("numbers", name), lambda col: read_numbers(self.text(name), self.n)[0].to_numpy(), name
        )

    def unread(self, name: str):
        """A NumPy mask of the cells that are not empty and not a number."""
        import numpy as np

        def unread(col):
            out = np.zeros(self.n, dtype=bool)
            if not self.is_numbers(name):
                out[read_numbers(self.text(name), self.n)[1]] = True
            return out

        return self._read(("unread", name), unread, name)

    def empty(self, name: str):
        """A NumPy mask of the empty cells (NaN among numbers)."""
        import numpy as np
        import pyarrow.compute as pc

        if self.is_numbers(name):
            return np.isnan(self.given[name])
        if self.blank_is_empty:
            return self._read(("empty", name), lambda col: _blank(self.text(name)), name)
        return self._read(("empty", name), lambda col: _mask(pc.equal(self.text(name), "")), name)

    def _read(self, key: tuple, read: Callable, name: str):
        if key not in self._memo:
            self._memo[key] = read(self.given.get(name))
        return self._memo[key]

    @classmethod
    def of_frame(cls, df, types: dict[str, str], *, blank_is_empty: bool = False) -> Columns:
        """The columns of a frame ``frame_of`` made (as pandera hands it to a check)."""
        given = {
            name: df[name].to_numpy()
            if df[name].dtype.kind == "f"
            else df[name].array.__arrow_array__()
            for name in df.columns
        }
        return cls(given, {n: types[n] for n in df.columns}, len(df), blank_is_empty=blank_is_empty)


def _arrow_text(col, n: int):
    """Text cells (a list, or an Arrow array or column) as Arrow text; empty cells where there is
    no column."""
    import pyarrow as pa

    if isinstance(col, pa.Array | pa.ChunkedArray):
        return col if col.type == pa.string() else col.cast(pa.string())
    return pa.array([""] * n if col is None else col, type=pa.string())


def _is_numbers(col) -> bool:
    import numpy as np

    return isinstance(col, np.ndarray)


def _mask(arrow):
    """An Arrow boolean array as a NumPy one (null as false)."""
    import numpy as np
    import pyarrow.compute as pc

    return np.asarray(pc.fill_null(arrow, False).to_numpy(zero_copy_only=False), dtype=bool)


def _blank(text):
    """A NumPy mask of the cells of white space alone (empty ones among them), as ``str.strip``
    reads white space: decided once for each distinct cell that does not start with a printable
    ASCII character other than a space."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .csvio import surely_not_blank

    maybe = pc.invert(surely_not_blank(text))
    distinct = pc.unique(pc.filter(text, maybe)).to_pylist()
    blank = [c for c in distinct if not c.strip()]
    return _mask(pc.and_(maybe, pc.is_in(text, value_set=pa.array(blank, type=pa.string()))))


def _per_distinct(text, holds: Callable[[list[str]], list[bool]]):
    """A NumPy mask of the cells for which ``holds`` (over the distinct cells, as Python strings)
    is true."""
    import pyarrow as pa
    import pyarrow.compute as pc

    distinct = pc.unique(text).to_pylist()
    kept = [c for c, ok in zip(distinct, holds(distinct), strict=True) if ok]
    return _mask(pc.is_in(text, value_set=pa.array(kept, type=pa.string())))


def read_numbers(col, n: int):
    """Text cells as a float Series (NaN where empty or not a number), and the
    positions of the cells that are not empty and not numbers."""
    import pandas as pd

    if col is not None and not isinstance(
        col, list
    ):  # an Arrow array: Arrow reads it, if every cell is a number
        read = arrow_numbers(col)
        if read is not None:
            return pd.Series(read, dtype="float64"), []
    text = pd.Series([""] * n if col is None else col, dtype="str")
    filled = text.ne("")
    num = pd.to_numeric(text.where(filled), errors="coerce")
    bad = filled & num.isna() & ~text.str.lower().isin(["nan", "inf", "-inf"])
    return num.astype("float64"), [int(i) for i in bad.to_numpy(dtype=bool).nonzero()[0]]


# -- the checks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One check of a table, defined once: ``holds`` reads the table's ``Columns`` and gives a NumPy
    mask, true where the check holds. pandera runs it (``validator``), and so does ``all_hold``. A
    failure is reported in ``column`` as ``rule`` with ``words``."""

    name: str  # the constraint (a Table Schema keyword) of a field's check; the rule of a row rule
    column: str
    rule: str
    words: str
    holds: Callable
    reads: tuple[
        str, ...
    ]  # the columns it reads (a row rule of a share reads ``measure`` or ``kind``, either)
    field: bool = (
        False  # a constraint of the field ``column`` alone (pandera runs it on that column)
    )
    # a type check: where one fails, the other checks are not reported (they would repeat it)
    typing: bool = False


def field_checks(field: dict) -> list[Check]:
    """The checks of one field of a Table Schema: its type, then each of its constraints, in the
    schema's order."""
    name, t, cons = field["name"], field["type"], field.get("constraints", {})
    if t != "string" and t not in _TYPES:
        raise ValueError(f"field {name!r}: the type {t!r} is not one this project checks")
    out = (
        []
        if t == "string"
        else [
            _check(
                name,
                "type",
                "wrong-type",
                expected_type(t),
                partial(_TYPES[t], name=name),
                typing=True,
            )
        ]
    )
    for key, value in cons.items():
        if key not in _CONSTRAINTS:
            raise ValueError(
                f"field {name!r}: the constraint {key!r} is not one this project checks"
            )
        if key in ("required", "unique") and not value:
            continue
        rule, words, holds = _CONSTRAINTS[key]
        holds = partial(holds, required=bool(cons.get("required"))) if key == "enum" else holds
        out.append(
            _check(
                name,
                key,
                rule,
                words.format(value=value, cons=cons),
                partial(holds, name=name, value=value),
            )
        )
    return out


def _check(
    name: str, key: str, rule: str, words: str, holds: Callable, *, typing: bool = False
) -> Check:
    return Check(key, name, rule, words, holds, (name,), field=True, typing=typing)


def _is_number(cols: Columns, name: str):
    return ~cols.unread(name)


def _is_integer(cols: Columns, name: str):
    """A whole number smaller than ``EXACT_INTEGER`` in size, written as digits with a sign
    or none."""
    import numpy as np
    import pyarrow.compute as pc

    num = cols.numbers(name)
    with np.errstate(invalid="ignore"):
        whole = (np.mod(num, 1) == 0) & (np.abs(num) < EXACT_INTEGER)
    if cols.is_numbers(name):
        return np.isnan(num) | whole
    return cols.empty(name) | (
        whole & _mask(pc.match_substring_regex(cols.text(name), r"^[-+]?[0-9]+$"))
    )


def _is_date(cols: Columns, name: str):
    """A real day written YYYY-MM-DD (as pandas reads one)."""
    import pandas as pd
    import pyarrow.compute as pc

    def real(cells: list[str]) -> list[bool]:
        return (
            pd.to_datetime(pd.Series(cells, dtype="str"), format="%Y-%m-%d", errors="coerce")
            .notna()
            .tolist()
        )

    shaped = _mask(pc.match_substring_regex(cols.text(name), r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
    return cols.empty(name) | (shaped & _per_distinct(cols.text(name), real))


_TYPES = {"number": _is_number, "integer": _is_integer, "year": _is_integer, "date": _is_date}


def _required(cols: Columns, name: str, value) -> object:
    """A cell that is not empty; a number's that is a number (a cell reading "nan" is none)."""
    import numpy as np

    if cols.types.get(name) == "number":
        return ~np.isnan(cols.numbers(name))
    return ~cols.empty(name)


def _unique(cols: Columns, name: str, value) -> object:
    """No two cells alike (empty ones aside)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    text, empty = cols.text(name), cols.empty(name)
    filled = pc.filter(text, pa.array(~empty))
    if all_distinct(filled):
        return np.ones(cols.n, dtype=bool)
    counts = pc.value_counts(filled)
    again = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    return empty | ~_mask(pc.is_in(text, value_set=again))


def _enum(cols: Columns, name: str, value, *, required: bool = False) -> object:
    """One of the vocabulary's words, or an empty cell. A cell of white space alone (empty in raw/'s
    tables) is not a word: ``required`` reports it where the field is required, this check where it
    is not."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = cols.text(name)
    empty = cols.empty(name) if required else _mask(pc.equal(text, ""))
    return empty | _mask(pc.is_in(text, value_set=pa.array(value, type=pa.string())))


def _pattern(cols: Columns, name: str, value) -> object:
    """The whole cell matches the pattern, as a Table Schema means it: by Arrow's regular
    expressions (RE2), whose $ is the end of the text (not a final newline before it), whose \\s is
    tab, newline, form feed, carriage return and space alone, and whose \\d and \\w are ASCII digits
    and word characters."""
    import pyarrow.compute as pc

    return cols.empty(name) | _mask(pc.match_substring_regex(cols.text(name), f"^(?:{value})$"))


def _bounded(cols: Columns, name: str, value, *, least: bool) -> object:
    import numpy as np

    num = cols.numbers(name)
    with np.errstate(invalid="ignore"):
        return np.isnan(num) | ((num >= value) if least else (num <= value))


def _length(cols: Columns, name: str, value, *, least: bool) -> object:
    import pyarrow.compute as pc

    length = pc.utf8_length(cols.text(name)).to_numpy(zero_copy_only=False)
    return cols.empty(name) | ((length >= value) if least else (length <= value))


# each constraint: its error type, its words (``value``: the constraint's; ``cons``: the field's
# constraints) and where it holds
_CONSTRAINTS = {
    "required": ("required", "must not be empty", _required),
    "unique": ("duplicate-id", "must be unique", _unique),
    "enum": ("not-in-vocabulary", "must be one of {value}", _enum),
    "pattern": ("pattern", "must match {value}", _pattern),
    "minimum": ("out-of-range", "must lie within {cons}", partial(_bounded, least=True)),
    "maximum": ("out-of-range", "must lie within {cons}", partial(_bounded, least=False)),
    "minLength": (
        "out-of-range",
        "must be at least {value} characters long",
        partial(_length, least=True),
    ),
    "maxLength": (
        "out-of-range",
        "must be at most {value} characters long",
        partial(_length, least=False),
    ),
}


def _primary_key(schema: dict) -> list[dict]:
    """The fields with the primary key's constraints added (a key of one field: required
    and unique)."""
    key = schema.get("primaryKey")
    keys = [] if key is None else [key] if isinstance(key, str) else list(key)
    if len(keys) > 1:
        raise ValueError(f"a primary key of several fields ({keys}) is not one this project checks")
    return [
        {**f, "constraints": f.get("constraints", {}) | _KEY} if f["name"] in keys else f
        for f in schema["fields"]
    ]


_KEY = {"required": True, "unique": True}


def table_checks(
    schema_path: Path,
    table: str,
    vocabulary: Vocabulary | None,
    fields: tuple[str, ...] | None = None,
) -> tuple[Check, ...]:
    """Every check of a table: each field's (of ``fields`` only, where given), then its row rules
    (those that read only ``fields``, where given). The one list pandera is built from and
    ``all_hold`` runs."""
    return _table_checks(
        schema_path, table, None if vocabulary is None else vocabulary.source, fields
    )


@cache
def _table_checks(
    schema_path: Path, table: str, schemas: str | None, fields: tuple[str, ...] | None
) -> tuple[Check, ...]:
    from .vocab import load

    schema = only_fields(load_schema(schema_path), fields)
    out = [c for f in _primary_key(schema) for c in field_checks(f)]
    if TABLE_RULES.get(table):
        every = rules(load(Path(schemas) if schemas else schema_path.parent))
        out += [
            every[n]
            for n in TABLE_RULES[table]
            if fields is None or set(every[n].reads) <= set(fields)
        ]
    return tuple(out)


def only_fields(schema: dict, fields: tuple[str, ...] | None) -> dict:
    """A Table Schema with only ``fields`` of its fields (and its primary key where it names only
    them); the schema itself where ``fields`` is None."""
    if fields is None:
        return schema
    out = {**schema, "fields": [f for f in schema["fields"] if f["name"] in fields]}
    key = schema.get("primaryKey")
    if key is not None and not set([key] if isinstance(key, str) else key) <= set(fields):
        del out["primaryKey"]
    return out


# -- the row rules ---------------------------------------------------------------------------------


def _ordered(cols: Columns):
    """lower <= value <= upper where bounded; where there is no value (a derived row whose evidence
    gives only an interval, value_basis none), lower <= upper."""
    import numpy as np

    value, lo, hi = (cols.numbers(n) for n in ("value", "lower", "upper"))
    value = np.where(np.isnan(value), np.where(np.isnan(lo), hi, lo), value)
    with np.errstate(invalid="ignore"):
        return (np.isnan(lo) | (lo <= value + 1e-9)) & (
            np.isnan(hi) | np.isnan(value) | (value <= hi + 1e-9)
        )


def _stated_ordered(cols: Columns):
    import numpy as np

    stated, lo, hi = (cols.numbers(n) for n in _STATED)
    with np.errstate(invalid="ignore"):
        return (np.isnan(lo) | (lo <= stated + 1e-9)) & (np.isnan(hi) | (stated <= hi + 1e-9))


def _period_ordered(cols: Columns):
    import pyarrow.compute as pc

    start, end = (cols.text(n) for n in _PERIOD)
    return cols.empty("period_start") | cols.empty("period_end") | _mask(pc.less_equal(start, end))


def _period_complete(cols: Columns):
    return cols.empty("period_start") == cols.empty("period_end")


def _offsets_ordered(cols: Columns):
    import numpy as np

    with np.errstate(invalid="ignore"):
        return cols.numbers("char_start") < cols.numbers("char_end")


def _of(cols: Columns, name: str, words) -> object:
    """A NumPy mask of the cells of a text column that are among ``words``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return _mask(pc.is_in(cols.text(name), value_set=pa.array(list(words), type=pa.string())))


def _count_not_negative(cols: Columns, counts: tuple[str, ...]):
    import numpy as np

    with np.errstate(invalid="ignore"):
        return ~_of(cols, "unit", counts) | (cols.numbers("value") >= 0)


def _share_at_most_100(cols: Columns, shares: tuple[str, ...]):
    import numpy as np

    with np.errstate(invalid="ignore"):
        return ~_of(cols, "measure" if "measure" in cols else "kind", shares) | (
            cols.numbers("value") <= 100
        )


def _qualifier_interval(cols: Columns, intervals: dict[str, str]):
    value, lower, upper = (cols.numbers(n) for n in ("value", "lower", "upper"))
    return qualifier_agrees(cols.text("qualifier"), value, lower, upper, intervals)


def qualifier_agrees(qualifier, value, lower, upper, intervals: dict[str, str]):
    """Whether each row's interval has the shape its qualifier gives it
    (``schemas/vocabulary.json``, qualifiers, after any curated reading): point, lower = value =
    upper; half_unit and around, both ends, apart; below, upper = value with a lower end under it;
    lower_bound, lower = value and no upper end; upper_bound, upper = value and no lower end or one
    under it; vague_range, lower = value and an upper end above it or none (a vague word read open).
    A boolean array; true where the qualifier or the value is missing (other rules report those).
    ``qualifier``: text cells (a list, an Arrow array or a pandas Series); the rest numbers (NaN
    where empty)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    text = (
        qualifier
        if isinstance(qualifier, pa.Array | pa.ChunkedArray)
        else pa.array(qualifier, type=pa.string(), from_pandas=True)
    )
    keys = list(intervals)
    code = pc.fill_null(pc.index_in(text, value_set=pa.array(keys, type=pa.string())), -1).to_numpy(
        zero_copy_only=False
    )
    shape = np.append(np.array([intervals[k] for k in keys], dtype=object), "")[code]
    v, lo, hi = (np.asarray(x, dtype=float) for x in (value, lower, upper))
    has_lo, has_hi = ~np.isnan(lo), ~np.isnan(hi)
    with np.errstate(invalid="ignore"):
        at_lo, at_hi = (
            has_lo & np.isclose(lo, v, rtol=1e-9, atol=1e-9),
            has_hi & np.isclose(hi, v, rtol=1e-9, atol=1e-9),
        )
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


_STATED = ("stated", "stated_lower", "stated_upper")
_PERIOD = ("period_start", "period_end")


_QUALIFIER_WORDS = (
    "the interval contradicts the qualifier: exact is a point (lower = value = upper), a rounded "
    "or approximate number has both ends, nearly ends at the value, more than and at least have no "
    "upper end, up to and fewer than end at the value, a vague word starts at the value "
    "(schemas/vocabulary.json, qualifiers)"
)


def rules(vocabulary: Vocabulary) -> dict[str, Check]:
    """Every row rule, by its error type."""
    counts, shares = tuple(vocabulary.count_units), tuple(vocabulary.shares)
    qualifier = partial(_qualifier_interval, intervals=vocabulary.intervals)
    table = (
        (
            "bounds-ordered",
            "value",
            "lower <= value <= upper where bounded",
            _ordered,
            ("value", "lower", "upper"),
        ),
        (
            "qualifier-interval",
            "qualifier",
            _QUALIFIER_WORDS,
            qualifier,
            ("qualifier", "value", "lower", "upper"),
        ),
        (
            "count-not-negative",
            "value",
            "a count cannot be negative",
            partial(_count_not_negative, counts=counts),
            ("unit", "value"),
        ),
        (
            "share-at-most-100",
            "value",
            "a share cannot exceed 100 per cent",
            partial(_share_at_most_100, shares=shares),
            ("value",),
        ),
        ("period-ordered", "period_end", "period_start <= period_end", _period_ordered, _PERIOD),
        (
            "period-complete",
            "period_end",
            "period_start and period_end are both set or both empty",
            _period_complete,
            _PERIOD,
        ),
        (
            "offsets-ordered",
            "char_end",
            "char_start < char_end",
            _offsets_ordered,
            ("char_start", "char_end"),
        ),
        (
            "stated-ordered",
            "stated",
            "stated_lower <= stated <= stated_upper where bounded",
            _stated_ordered,
            _STATED,
        ),
    )
    return {r[0]: _row(*r) for r in table}


def _row(name: str, column: str, words: str, holds: Callable, reads: tuple[str, ...]) -> Check:
    """A row rule: its error type is its name."""
    return Check(name, column, name, words, holds, reads)


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


# -- pandera ---------------------------------------------------------------------------------------


def validator(
    schema_path: Path,
    table: str,
    vocabulary: Vocabulary | None = None,
    fields: tuple[str, ...] | None = None,
    *,
    blank_is_empty: bool = False,
):
    """The pandera schema of a table, built once from ``table_checks``: each field's checks on its
    column, the row rules on the frame (``frame_of`` makes the frame it validates)."""
    return _validator(
        schema_path,
        table,
        None if vocabulary is None else vocabulary.source,
        fields,
        blank_is_empty,
    )


@cache
def _validator(
    schema_path: Path,
    table: str,
    schemas: str | None,
    fields: tuple[str, ...] | None,
    blank_is_empty: bool,
):
    import pandera.pandas as pa

    checks = _table_checks(schema_path, table, schemas, fields)
    types = field_types(only_fields(load_schema(schema_path), fields))
    run = partial(_run, types=types, blank_is_empty=blank_is_empty)

    def on(c: Check):
        return pa.Check(partial(run, check=c), name=c.name, ignore_na=False)

    columns = {
        name: pa.Column(
            checks=[on(c) for c in checks if c.field and c.column == name], nullable=True
        )
        for name in types
    }
    return pa.DataFrameSchema(columns, checks=[on(c) for c in checks if not c.field])


def _run(data, *, check: Check, types: dict[str, str], blank_is_empty: bool):
    """A check as pandera calls it: on a column (a field's check) or the frame (a row rule)."""
    import pandas as pd

    df = data.to_frame() if isinstance(data, pd.Series) else data
    return pd.Series(
        check.holds(Columns.of_frame(df, types, blank_is_empty=blank_is_empty)), index=df.index
    )


def frame_of(cols: Columns):
    """The frame pandera validates: each column as ``Columns`` holds it, text Arrow-backed, numbers
    as floats."""
    import pandas as pd

    out = {
        name: pd.Series(
            cols.numbers(name)
            if cols.is_numbers(name)
            else pd.arrays.ArrowExtensionArray(_chunked(cols.text(name)))
        )
        for name in cols.types
    }
    return pd.DataFrame(out, columns=list(cols.types))


def _chunked(text):
    import pyarrow as pa

    return text if isinstance(text, pa.ChunkedArray) else pa.chunked_array([text], type=pa.string())


def all_hold(cols: Columns, checks: tuple[Check, ...]) -> bool:
    """Whether every check holds in every row: the checks pandera runs, run over the whole columns
    (the type checks first, as the others read numbers and dates as their type checks read them)."""
    return all(bool(c.holds(cols).all()) for c in sorted(checks, key=lambda c: not c.typing))


# -- checking a table ------------------------------------------------------------------------------


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


def check_frame(
    data,
    schema_path: Path,
    table: str,
    display: str,
    lines: list[int] | None = None,
    *,
    vocabulary: Vocabulary | None = None,
    fields: tuple[str, ...] | None = None,
    blank_is_empty: bool = False,
) -> list[Problem]:
    """A table's checks (``table_checks``), by pandera, lazily: one Problem per failing cell,
    located by line. Where any cell is not of its column's type, only those cells are reported (the
    other checks would report them again, less clearly).

    ``data`` is a Table, a list of row dicts, or a mapping of name to column (see ``Columns``);
    ``lines`` overrides the editor line of each row. ``fields``: check only these fields of the
    schema, and the row rules that read only them (``stopitnow-figures check`` has the columns of a
    table that come from raw/, not those a solve or an evaluation gives). ``blank_is_empty``: a cell
    of white space alone is empty (raw/'s tables).
    """
    schema = only_fields(load_schema(schema_path), fields)
    given, own_lines = columns_of(data, field_names(schema))
    if isinstance(
        data, Table
    ):  # as Arrow text, which the Table keeps for the stage's other readers
        given = {n: data.arrow(n) for n in given}
    lines = own_lines if lines is None else lines
    cols = Columns(given, field_types(schema), len(lines), blank_is_empty=blank_is_empty)
    checks = table_checks(schema_path, table, vocabulary, fields)
    if all_hold(cols, checks):
        return []  # what pandera would find: nothing
    return _pandera_problems(cols, schema_path, table, display, lines, vocabulary, fields)


def _pandera_problems(
    cols: Columns,
    schema_path: Path,
    table: str,
    display: str,
    lines: list[int],
    vocabulary: Vocabulary | None,
    fields,
) -> list[Problem]:
    """The failures pandera finds, each as a located problem: the type checks' alone where
    any fails."""
    import pandera.errors as pe

    checks = table_checks(schema_path, table, vocabulary, fields)
    try:
        validator(
            schema_path, table, vocabulary, fields, blank_is_empty=cols.blank_is_empty
        ).validate(frame_of(cols), lazy=True)
    except pe.SchemaErrors as exc:
        failed = exc.failure_cases[["column", "check", "index"]].drop_duplicates()
        found = _failures(failed, checks)
    else:
        return []
    if any(c.typing for c, _ in found):
        found = [(c, i) for c, i in found if c.typing]
    return [
        Problem(display, lines[i], c.column, c.rule, _shown(c, cols, i), c.words) for c, i in found
    ]


def _failures(failed, checks: tuple[Check, ...]) -> list[tuple[Check, int]]:
    """pandera's failure cases as (check, row position), each once (pandera reports a failing row
    rule once for each column of the frame), in the order of the checks and then the rows."""
    of_field = {(c.column, c.name): c for c in checks if c.field}
    of_rows = {c.name: c for c in checks if not c.field}
    found = set()
    for column, name, index in failed.itertuples(index=False):
        check = of_rows.get(name) or of_field.get((column, name))
        if check is None or index is None or str(index) == "nan":
            raise RuntimeError(
                f"pandera failed a check it was not given, or not on a row: {name!r} on {column!r}"
            )
        found.add((checks.index(check), int(index)))
    return [(checks[k], i) for k, i in sorted(found)]


def _shown(check: Check, cols: Columns, i: int) -> str:
    """The value a failing cell's problem shows: the cell as the curator wrote it; empty for a
    missing number; an integer's or a number's bound as the number read."""
    t = cols.types.get(check.column)
    if check.rule == "required" and t in NUMERIC_TYPES:
        return ""
    if check.name in ("minimum", "maximum"):
        v = float(cols.numbers(check.column)[i])
        return str(int(v)) if t in ("integer", "year") else str(v)
    return _cells(cols, check.column, i)


def _cells(cols: Columns, name: str, i: int) -> str:
    """The text of a cell, as a curator would see it."""
    from .csvio import format_number

    if cols.is_numbers(name):
        return format_number(float(cols.numbers(name)[i]))
    return cols.text(name)[i].as_py()


def package_tables(paths, tree, problems, *, written_by_pipeline: bool = False) -> dict[str, Table]:
    """Every table of a package (``tree``: the candidate or the published one), each read by its
    schema's columns, problems located in ``problems``."""
    from .paths import PUBLISHED_TABLES

    return {
        name: read_package_table(
            paths, tree.table(name), name, problems, written_by_pipeline=written_by_pipeline
        )
        for name in PUBLISHED_TABLES
    }


def read_package_table(
    paths, path: Path, name: str, problems, *, written_by_pipeline: bool = True
) -> Table:
    """The package table ``name`` at ``path`` (a candidate's, a published one, or reconcile's
    quantities), read by its schema's columns, problems located in ``problems``."""
    return read_table(
        path,
        field_names(load_schema(paths.schema(name))),
        problems,
        display=paths.rel(path),
        written_by_pipeline=written_by_pipeline,
    )
