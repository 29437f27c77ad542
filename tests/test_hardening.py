"""Hardening: the CSV reader never crashes, published cells are never formulas,
and no stage writes to raw/."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, raw_hashes
from stopitnow_figures.tables.csvio import formula_cells, read_table
from stopitnow_figures.tables.errors import Collector

COLUMNS = ["a", "b"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_csv_reader_accepts_or_refuses_with_a_located_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(data)
    problems = Collector()
    rows = read_table(path, COLUMNS, problems, display="t.csv")
    for p in problems.problems:
        assert p.file == "t.csv" and p.type and p.message
        assert p.line is None or p.line >= 1
    for r in rows:
        assert set(r.cells) == set(COLUMNS) and r.line >= 2


@pytest.mark.data
def test_no_published_cell_can_run_as_a_formula():
    for path in sorted((ROOT / "processed").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                assert not formula_cells(row), path.name


def test_no_stage_writes_to_raw(rebuilt):
    """Every stage run in a test process under an audit hook that records each file opened for
    writing, renamed to, removed or chmodded (conftest ``rebuilt``, which the second-build test
    reads too): none under raw/, and raw/ byte for byte as it was."""
    repo, raw = rebuilt.repo, str(rebuilt.repo / "raw")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert [w for w in rebuilt.writes if w.startswith(raw)] == []
    assert any(
        w.startswith(str(repo / "processed")) for w in rebuilt.writes
    )  # the hook does see the stages' writes
    assert raw_hashes(repo) == rebuilt.raw_before
