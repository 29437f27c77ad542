"""What trace prints: text from the package's tables reaches the terminal only as
printable text; control, format and separator characters are shown as escapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from stopitnow_figures.cli import main
from stopitnow_figures.render.terminal import safe, safe_json
from stopitnow_figures.tables.paths import Paths

# a character that moves the cursor, reorders or hides text, or breaks a line on its own, and how it
# is shown
ESCAPED = {
    "\x00": "\\x00",
    "\x1b": "\\x1b",
    "\r": "\\r",
    "\x0b": "\\x0b",
    "\x7f": "\\x7f",
    "\x85": "\\x85",
    "\xad": "\\xad",
    "\u200b": "\\u200b",
    "\u200e": "\\u200e",
    "\u202e": "\\u202e",
    "\u2066": "\\u2066",
    "\ufeff": "\\ufeff",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
    "\ud800": "\\ud800",
    "\U000e0001": "\\U000e0001",
}


@pytest.mark.parametrize("char", ESCAPED, ids=[f"U+{ord(c):04X}" for c in ESCAPED])
def test_safe_escapes_control_format_and_separator_characters(char):
    assert safe(f"a{char}b") == f"a{ESCAPED[char]}b"


def test_safe_keeps_tab_newline_and_printable_text():
    text = "tab\there\nnext line: “quoted” café – 78 people, ünïcödé, 中文, \xa0no-break, 😀"
    assert safe(text) == text


DESCRIPTION = "People from Dorset who contacted Stop It Now!, January to June 2018"
ID = "dorset-2018h1-help-seekers"


@pytest.fixture
def package(tmp_path) -> Path:
    """A copy of the published package (and the raw texts trace quotes) to edit."""
    for part in ("raw", "schemas", "processed"):
        shutil.copytree(ROOT / part, tmp_path / part)
    shutil.copy2(ROOT / "datapackage.json", tmp_path)
    return tmp_path


def _with_description(package: Path, description: str) -> None:
    table = package / "processed" / "quantities.csv"
    text = table.read_text(encoding="utf-8")
    assert DESCRIPTION in text
    table.write_text(text.replace(DESCRIPTION, description, 1), encoding="utf-8")


@pytest.mark.data
def test_trace_refuses_a_description_with_format_characters_and_prints_it_escaped(package):
    """The audit's case: a U+202E in a quantity's description reversed the rest of the line on
    screen. Such a cell is refused wherever a table is read; the refusal shows the cell escaped."""
    _with_description(
        package,
        "People from Dorset\u202e who contacted\u200b Stop\u2028It Now!\u2029, January to June "
        "2018",
    )
    out = CliRunner().invoke(main, ["trace", "--root", str(package), ID])
    assert out.exit_code != 0
    # the line of the quantity's row, found in the file (not typed: it moves as quantities are
    # added)
    lines = (package / "processed" / "quantities.csv").read_text(encoding="utf-8").split("\n")
    line = 1 + next(k for k, row in enumerate(lines) if row.startswith(ID + ","))
    assert (
        f"processed/quantities.csv:{line}: [control-character] column 'description'" in out.output
    )
    assert "People from Dorset\\u202e who contacted\\u200b" in out.output
    assert not any(c in out.output for c in "\u202e\u200b\u2028\u2029")


@pytest.mark.data
def test_trace_json_refuses_it_too_and_prints_nothing_raw(package):
    description = (
        "People from Dorset\u202e who contacted\u2028 Stop It Now!\ufeff, January to June 2018"
    )
    _with_description(package, description)
    out = CliRunner().invoke(main, ["trace", "--root", str(package), "--json", ID])
    assert out.exit_code != 0
    assert "[control-character]" in out.output
    assert not any(c in out.output for c in "\u202e\u2028\ufeff")


@pytest.mark.parametrize("char", ESCAPED, ids=[f"U+{ord(c):04X}" for c in ESCAPED])
def test_safe_json_gives_the_same_json(char):
    text = json.dumps({"a": f"x{char}y", "é": "ü"}, ensure_ascii=False)
    escaped = safe_json(text)
    assert json.loads(escaped) == json.loads(text)
    assert char not in escaped


def _set_point(package: Path, value: str, lower: str, upper: str, basis: str) -> dict:
    """The first quantity of the copy given a point, an interval and a basis by hand; its row as
    rewritten."""
    import csv

    table = package / "processed" / "quantities.csv"
    with table.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        names, rows = reader.fieldnames, list(reader)
    rows[0].update(value=value, lower=lower, upper=upper, value_basis=basis)
    with table.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows[0]


@pytest.mark.data
def test_trace_shows_the_interval_of_a_midpoint_and_says_what_the_point_is(package):
    # a quantity no figure gives, bounded to 10 to 20 by its identities: 15 is their middle, a
    # convention
    q = _set_point(package, "15", "10", "20", "midpoint")
    out = CliRunner().invoke(main, ["trace", "--root", str(package), q["quantity_id"]])
    assert out.exit_code == 0, out.output
    head = out.output.splitlines()[0]
    assert head.startswith(
        f"quantity {q['quantity_id']}: [10, 20] {q['unit']} (point 15, midpoint: "
    )
    assert "a convention for sorting, not an estimate" in head


@pytest.mark.data
def test_trace_shows_a_pinned_value_as_one_number(package):
    q = _set_point(package, "15", "15", "15", "pinned")
    out = CliRunner().invoke(main, ["trace", "--root", str(package), q["quantity_id"]])
    assert out.exit_code == 0, out.output
    head = out.output.splitlines()[0]
    assert (
        head.startswith(f"quantity {q['quantity_id']}: 15 {q['unit']} (pinned: ")
        and "[" not in head
    )


def _series_tables():
    """Two half-years of one place a year apart, as a package's tables keyed by id (no figure, no
    identity)."""
    from stopitnow_figures.model import series
    from stopitnow_figures.tables import vocab

    def q(qid, start, end):
        cells = dict.fromkeys(
            (
                "description",
                "value",
                "value_basis",
                "lower",
                "upper",
                "status",
                "lower_by",
                "upper_by",
            ),
            "",
        )
        cells |= dict.fromkeys(("conflict", "set_aside", "rate_note", "mentions", "identities"), "")
        return (
            cells
            | {
                "quantity_id": qid,
                "measure": "help_seekers",
                "unit": "people",
                "counting": "distinct",
            }
            | {
                "geography_code": "E23000039",
                "period_start": start,
                "period_end": end,
            }
        )

    quantities = {"a": q("a", "2018-01-01", "2018-06-30"), "b": q("b", "2019-01-01", "2019-06-30")}
    rows = series.rows(vocab.load(), quantities.values())
    empty = dict.fromkeys(
        ("figures", "population", "derived", "claims", "identities", "sources"), {}
    )
    return {**empty, "quantities": quantities, "series": {r["member_id"]: r for r in rows}}, rows


def test_trace_takes_a_series_id_and_a_series_row_s_id_by_the_one_resolver():
    from stopitnow_figures.render.trace import Tracer, render

    tables, rows = _series_tables()
    tracer = Tracer(Paths(ROOT), tables)
    n = tracer.node(rows[0]["series_id"], 0)
    # by hand: January-June 2018, then July-December 2018 that no quantity gives, then January-June
    # 2019
    assert [(p["period"][0], p["quantity_id"]) for p in n["periods"]] == [
        ("2018-01-01", "a"),
        ("2018-07-01", ""),
        ("2019-01-01", "b"),
    ]
    assert [x["id"] for x in n["inputs"]] == ["a", "b"]
    assert n["page"].endswith(f"series.html#{rows[0]['series_id']}")
    gap = tracer.node(rows[1]["member_id"], 0)
    assert gap["type"] == "series member" and gap["quantity_id"] == "" and gap["inputs"] == []
    assert "gap" in render(gap)
