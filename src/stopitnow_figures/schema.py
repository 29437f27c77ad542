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

from .csvio import Row
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


def frame(rows: list[dict[str, str]], schema: dict):
    """Text cells to a DataFrame typed as the schema says (empty cells become missing)."""
    import pandas as pd

    names = field_names(schema)
    types = field_types(schema)
    data = {n: [r.get(n, "") for r in rows] for n in names}
    df = pd.DataFrame(data, columns=names, dtype="object")
    for n in names:
        t = types[n]
        col = df[n].replace("", None)
        if t in ("number", "integer", "year"):
            df[n] = pd.to_numeric(col, errors="coerce") if t == "number" else _int_or_text(col)
        else:
            df[n] = col
    return df


def _int_or_text(col):
    import pandas as pd

    num = pd.to_numeric(col, errors="coerce")
    if num.notna().sum() == col.notna().sum() and (num.dropna() % 1 == 0).all():
        return num.astype("Int64") if num.isna().any() else num.astype("int64")
    return col  # leave text so the type check reports the bad cell


def check_frame(
    rows: list[Row] | list[dict[str, str]],
    schema_path: Path,
    table: str,
    display: str,
    lines: list[int] | None = None,
) -> list[Problem]:
    """Validate lazily; one Problem per failing cell, located by line."""
    import pandera.errors as pe

    schema = load_schema(schema_path)
    plain = [r.cells if isinstance(r, Row) else r for r in rows]
    if lines is None:
        lines = [r.line if isinstance(r, Row) else i + 2 for i, r in enumerate(rows)]
    problems: list[Problem] = []
    types = field_types(schema)
    df = frame(plain, schema)
    # type errors first, with the raw text, so the message shows what was typed
    for n, t in types.items():
        if t not in ("number", "integer", "year", "date"):
            continue
        raw = [r.get(n, "") for r in plain]
        for i in _type_failures(raw, df[n], t):
            problems.append(Problem(display, lines[i], n, "wrong-type", raw[i], f"expected a {t}"))
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
                value = plain[int(idx)].get(col, "")
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


def _type_failures(raw: list[str], typed, t: str) -> list[int]:
    """Row positions whose non-empty text is not a valid ``t`` (vectorised)."""
    import pandas as pd

    text = pd.Series(raw, dtype="object")
    filled = text.ne("")
    if t == "date":
        ok = (
            text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
            & pd.to_datetime(text.where(filled), format="%Y-%m-%d", errors="coerce").notna()
        )
    elif t == "number":
        ok = pd.to_numeric(text.where(filled), errors="coerce").notna() | text.str.lower().isin(["nan", "inf", "-inf"])
    else:
        num = pd.to_numeric(text.where(filled), errors="coerce")
        ok = num.notna() & (num % 1 == 0) & text.str.fullmatch(r"[-+]?[0-9]+")
    return [int(i) for i in (filled & ~ok.fillna(False).astype(bool)).to_numpy().nonzero()[0]]


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
