"""Hardening: the CSV reader never crashes, published cells are never formulas,
and no stage writes to raw/."""

from __future__ import annotations

import csv
import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, copy_repo
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


@pytest.mark.slow
def test_no_stage_writes_to_raw(tmp_path, monkeypatch):
    """Run every stage in-process under an audit hook that records each file opened for writing."""
    from stopitnow_figures.stages import clean, derive, package, publish, reader, reconcile, report

    repo = copy_repo(tmp_path)
    raw = str(repo / "raw")
    writes: list[str] = []

    active = [True]  # audit hooks cannot be removed; this one stops recording when the test ends
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def hook(event, args):
        if not active[0]:
            return
        if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
            path, mode, flags = os.fsdecode(args[0]), args[1], args[2]
            if (isinstance(mode, str) and any(m in mode for m in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & write_flags
            ):
                writes.append(path)
        elif event in ("os.rename", "os.replace"):
            writes.append(os.fsdecode(args[1]))
        elif event in ("os.remove", "os.chmod") and isinstance(args[0], (str, bytes, os.PathLike)):
            writes.append(os.fsdecode(args[0]))

    sys.addaudithook(hook)
    before = {p: p.read_bytes() for p in (repo / "raw").rglob("*") if p.is_file()}
    for stage in (clean, reconcile, derive, package, report, reader, publish):
        stage.run(repo)
    active[0] = False
    recorded = list(writes)
    assert [w for w in recorded if w.startswith(raw)] == []
    assert any(
        w.startswith(str(repo / "processed")) for w in recorded
    )  # the hook does see the stages' writes
    assert {p: p.read_bytes() for p in (repo / "raw").rglob("*") if p.is_file()} == before
