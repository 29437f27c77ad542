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
from functools import cache
from pathlib import Path

from .csvio import Row, Table, arrow_numbers
from .errors import Problem

COUNT_UNITS = ("people", "calls", "visits", "views", "arrests per month", "people per month", "calls per month")


@cache
def load_schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def field_names(schema: dict) -> list[str]:
    return [f["name"] for f in schema["fields"]]


def field_types(schema: dict) -> dict[str, str]:
    return {f["name"]: f["type"] for f in schema["fields"]}


def _extra_checks(table: str):
    """Row rules a Table Schema cannot express, one pandera check each."""
    import pandera.pandas as pa

    def ordered(df):
        lo_ok = df["lower"].isna() | (df["lower"] <= df["value"] + 1e-9)
        hi_ok = df["upper"].isna() | (df["value"] <= df["upper"] + 1e-9)
        return lo_ok & hi_ok

    def count_not_negative(df):
        return ~df["unit"].isin(COUNT_UNITS) | (df["value"] >= 0)

    def share_at_most_100(df):
        is_share = df["measure"].eq("share") if "measure" in df else df["kind"].eq("share")
        return ~is_share | (df["value"] <= 100)

    def period_ordered(df):
        both = df["period_start"].notna() & df["period_end"].notna()
        return ~both | (df["period_start"] <= df["period_end"])

    def period_complete(df):
        return df["period_start"].isna() == df["period_end"].isna()

    def offsets_ordered(df):
        return df["char_start"] < df["char_end"]

    def stated_ordered(df):
        lo_ok = df["stated_lower"].isna() | (df["stated_lower"] <= df["stated"] + 1e-9)
        hi_ok = df["stated_upper"].isna() | (df["stated"] <= df["stated_upper"] + 1e-9)
        return lo_ok & hi_ok

    c = {
        "bounds-ordered": (pa.Check(ordered, element_wise=False, name="bounds-ordered"), "lower <= value <= upper where bounded"),
        "count-not-negative": (pa.Check(count_not_negative, name="count-not-negative"), "a count cannot be negative"),
        "share-at-most-100": (pa.Check(share_at_most_100, name="share-at-most-100"), "a share cannot exceed 100 per cent"),
        "period-ordered": (pa.Check(period_ordered, name="period-ordered"), "period_start <= period_end"),
        "period-complete": (pa.Check(period_complete, name="period-complete"), "period_start and period_end are both set or both empty"),
        "offsets-ordered": (pa.Check(offsets_ordered, name="offsets-ordered"), "char_start < char_end"),
        "stated-ordered": (pa.Check(stated_ordered, name="stated-ordered"), "stated_lower <= stated <= stated_upper where bounded"),
    }
    wanted = {
        "figures": ["bounds-ordered", "count-not-negative", "share-at-most-100", "period-ordered", "period-complete", "offsets-ordered"],
        "derived": ["bounds-ordered", "share-at-most-100", "period-ordered", "period-complete"],
        "claims": ["stated-ordered"],
        "sources": [],
        "population": [],
    }[table]
    return {k: c[k] for k in wanted}


EXTRA_RULE_COLUMNS = {
    "bounds-ordered": "value",
    "count-not-negative": "value",
    "share-at-most-100": "value",
    "period-ordered": "period_end",
    "period-complete": "period_end",
    "offsets-ordered": "char_end",
    "stated-ordered": "stated",
}


@cache
def validator(schema_path: Path, table: str):
    """The pandera schema for a table: built from its Table Schema plus its extra checks."""
    from pandera.io.pandas_io import from_frictionless_schema

    schema = from_frictionless_schema(str(schema_path))
    checks = [chk for chk, _ in _extra_checks(table).values()]
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


def _int_or_text(num, text):
    if num.notna().sum() == text.notna().sum() and (num.dropna() % 1 == 0).all():
        return num.astype("Int64") if num.isna().any() else num.astype("int64")
    return text  # leave text so the type check reports the bad cell


def check_frame(data, schema_path: Path, table: str, display: str, lines: list[int] | None = None) -> list[Problem]:
    """Validate lazily; one Problem per failing cell, located by line.

    ``data`` is a Table, a list of row dicts, or a mapping of name to column
    (see ``frame``); ``lines`` overrides the editor line of each row.
    """
    import pandera.errors as pe

    schema = load_schema(schema_path)
    types = field_types(schema)
    columns, own_lines = columns_of(data, field_names(schema))
    lines = own_lines if lines is None else lines
    n = len(lines)
    problems: list[Problem] = []
    numbers = {
        name: read_numbers(col, n)
        for name, t in types.items()
        if t in ("number", "integer", "year") and (col := columns.get(name)) is not None and not _is_numbers(col)
    }
    df = frame(columns, schema, n, numbers)
    # type errors first, with the raw text, so the message shows what was typed
    for name, t in types.items():
        col = columns.get(name)
        if t not in ("number", "integer", "year", "date") or col is None or _is_numbers(col):
            continue
        bad = _type_failures(_text_series(col, n), t, numbers.get(name))
        if bad:
            raw = _cells(col, bad)
            problems += [Problem(display, lines[i], name, "wrong-type", raw[i], f"expected a {t}") for i in bad]
    if problems:
        return problems
    extra = _extra_checks(table)
    try:
        validator(schema_path, table).validate(df, lazy=True)
    except pe.SchemaErrors as exc:
        fc = exc.failure_cases
        for rec in fc.to_dict("records"):
            check = str(rec.get("check"))
            col = rec.get("column")
            idx = rec.get("index")
            name = check.split("(")[0]
            if name in extra:
                col = EXTRA_RULE_COLUMNS[name]
                rule, message = name, extra[name][1]
            else:
                rule, message = _rule_of(check, col, schema)
            line = lines[int(idx)] if idx is not None and str(idx) != "nan" else None
            value = rec.get("failure_case")
            if name in extra and line is not None:
                value = _cells(columns.get(col), [int(idx)]).get(int(idx), "")
            problems.append(
                Problem(
                    display,
                    line,
                    None if col is None or str(col) == "nan" else str(col),
                    rule,
                    None if value is None else str(value),
                    message,
                )
            )
    return problems


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
        ok = num.notna() & (num % 1 == 0) & text.str.fullmatch(r"[-+]?[0-9]+")
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
        return "wrong-type", f"expected a {field.get('type')}"
    return check, check
