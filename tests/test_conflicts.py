"""Conflicts, each once: a set of rows that cannot all hold, named by the first quantity it touches,
shown with its figures' quotes in the reader view and the datasheet, and taken by trace and cite."""

from __future__ import annotations

import pytest

from conftest import ROOT, read_csv
from stopitnow_figures.model.conflicts import conflicts
from stopitnow_figures.render import trace as tr
from stopitnow_figures.tables.paths import Paths


def q(ident: str, conflict: str = "", set_aside: str = "") -> dict:
    return {"quantity_id": ident, "conflict": conflict, "set_aside": set_aside}


def test_quantities_sharing_a_set_make_one_conflict_named_by_the_first_of_them():
    rows = [
        q("b-2019", "x-f01 x-f02 ident-1", "ident-1"),
        q("a-2019", "x-f01 x-f02 ident-1", "x-f02"),
        q("c-2019"),
        q("d-2020", "y-f01 z-f01", "z-f01"),
    ]
    found = conflicts(rows)
    assert [c.conflict_id for c in found] == ["conflict-a-2019", "conflict-d-2020"]
    first = found[0]
    assert first.quantities == ("a-2019", "b-2019")
    assert first.rows == ("x-f01", "x-f02", "ident-1")
    assert first.set_aside == ("x-f02", "ident-1")  # in the order of the quantities' ids


def test_no_conflict_where_every_row_holds():
    assert conflicts([q("a"), q("b")]) == []


PUBLISHED = conflicts(read_csv(ROOT / "processed" / "quantities.csv"))


@pytest.mark.data
def test_every_conflict_is_on_the_reader_page_and_in_the_datasheet_with_each_quote():
    figures = {f["figure_id"]: f for f in read_csv(ROOT / "processed" / "figures.csv")}
    page = (ROOT / "processed" / "reader" / "conflicts.html").read_text(encoding="utf-8")
    sheet = (ROOT / "processed" / "datasheet.md").read_text(encoding="utf-8")
    for c in PUBLISHED:
        assert f'id="{c.conflict_id}"' in page
        section = page.split(f'id="{c.conflict_id}"', 1)[1].split("</section>", 1)[0]
        listed = "\n".join(line for line in sheet.splitlines() if f"| {c.conflict_id} |" in line)
        for r in c.rows:
            assert r in section and r in listed
            if r in figures:
                quote = figures[r]["quote"]
                assert quote.replace("&", "&amp;") in section, r
                assert quote.replace("&", "&amp;") in listed, r


@pytest.mark.data
@pytest.mark.parametrize("c", PUBLISHED, ids=lambda c: c.conflict_id)
def test_trace_takes_a_conflict_id_down_to_its_figures_quotes(c):
    n = tr.trace(Paths(ROOT), c.conflict_id)
    assert n["type"] == "conflict" and n["rows"] == list(c.rows)
    published = {f["figure_id"] for f in read_csv(ROOT / "processed" / "figures.csv")}
    figures = [r for r in c.rows if r in published]
    assert [x["id"] for x in n["inputs"]] == figures  # each figure of it, in its order
    assert all(x["type"] == "figure" and x["quote"] for x in n["inputs"])
    # so that cite names the articles the conflict rests on
    assert len(tr.articles_of(n)) == len({x["source"]["source_id"] for x in n["inputs"]})
