"""The provenance gate: 0 untraced cells in the published package, and each breach caught."""

from __future__ import annotations

import copy
import hashlib

import numpy as np
import pytest

from conftest import ROOT, read_csv
from stopitnow_figures.publishing.gate import check as gate_check
from stopitnow_figures.tables import config, vocab
from stopitnow_figures.tables.paths import PUBLISHED_TABLES, Paths

pytestmark = pytest.mark.data


def check(tables, texts, sha, hedges):
    return gate_check(tables, texts, sha, hedges, vocab.load())


@pytest.fixture(scope="module")
def package():
    tables = {n: read_csv(ROOT / "processed" / f"{n}.csv") for n in PUBLISHED_TABLES}
    texts, sha = {}, {}
    for s in tables["sources"]:
        data = (ROOT / s["text_path"]).read_bytes()
        texts[s["source_id"]], sha[s["source_id"]] = data.decode(), hashlib.sha256(data).hexdigest()
    return tables, texts, sha, config.load(Paths(ROOT), "params")["clean"]


def test_published_package_has_no_untraced_cell(package):
    assert check(*package) == []


def _row(tables, name, key, ident):
    return next(r for r in tables[name] if r[key] == ident)


def test_a_number_typed_into_a_processed_table_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    _row(tables, "figures", "figure_id", "herald-2017-scotland-f04")["value"] = "87"
    bad = check(tables, texts, sha, hedges)
    assert any(u.resource == "figures" and u.column == "value" and u.value == "87" for u in bad)


def test_a_derived_value_that_no_longer_matches_its_formula_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    _row(tables, "derived", "metric_id", "herald-calls-per-month")["value"] = "6"
    bad = check(tables, texts, sha, hedges)
    assert any(
        u.resource == "derived" and u.column == "value" and "re-evaluating" in u.reason for u in bad
    )


def test_a_metric_resting_on_an_untraced_figure_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    _row(tables, "figures", "figure_id", "herald-2017-scotland-f06")["char_start"] = "0"
    bad = check(tables, texts, sha, hedges)
    assert any(
        u.resource == "quantities" and "mentions do not trace: herald-2017-scotland-f06" in u.reason
        for u in bad
    )
    assert any(
        u.resource == "derived" and "inputs do not trace: uk-2016-helpline-calls" in u.reason
        for u in bad
    )


def test_a_reconciled_bound_typed_into_the_quantities_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    _row(tables, "quantities", "quantity_id", "glasgow-2015-16-website-visitors")["lower"] = "281"
    bad = check(tables, texts, sha, hedges)
    # re-solved from the published mentions and identities, the first year's lower end is 309, not
    # 281
    assert any(
        u.resource == "quantities" and u.column == "lower" and "gives 309.0" in u.reason
        for u in bad
    )


def test_an_identity_changed_after_reconciliation_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    _row(tables, "identities", "identity_id", "evening-times-glasgow-total-of-its-periods")[
        "relation"
    ] = "equals"
    bad = check(tables, texts, sha, hedges)
    # counted as events the first year would be 836 - 555 = 281, and the rise of almost 80 per cent
    # cannot hold
    assert any(u.resource == "quantities" and u.value == "309" for u in bad)


def test_a_claim_verdict_typed_in_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    _row(tables, "claims", "claim_id", "eveningtimes-a-third")["verdict"] = "consistent"
    bad = check(tables, texts, sha, hedges)
    assert any(u.resource == "claims" and "the verdict 'inconsistent'" in u.reason for u in bad)


def test_a_tampered_source_text_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    sha["herald-2017-scotland"] = hashlib.sha256(b"tampered").hexdigest()
    bad = check(tables, texts, sha, hedges)
    assert any(u.resource == "sources" and u.column == "sha256" for u in bad)
    assert any(u.resource == "figures" and "no longer matches" in u.reason for u in bad)


def test_a_reference_row_without_publisher_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    _row(tables, "population", "population_id", "pop-scotland-2016")["publisher"] = ""
    bad = check(tables, texts, sha, hedges)
    assert any(u.resource == "population" and u.column == "value" for u in bad)
    assert any(u.resource == "derived" and "pop-scotland-2016" in u.reason for u in bad)


def test_a_claim_whose_stated_number_differs_from_its_figure_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    _row(tables, "claims", "claim_id", "herald-share")["stated"] = "6"
    assert any(
        u.resource == "claims" and u.column == "stated" for u in check(tables, texts, sha, hedges)
    )


def test_a_derived_period_not_from_its_rule_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    _row(tables, "derived", "metric_id", "bournemouthecho-dorset-per-month")["period_start"] = (
        "2019-02-01"
    )
    assert any(u.column == "period_start" for u in check(tables, texts, sha, hedges))


def test_the_plain_reading_of_whole_numbers_is_the_number_readers(package):
    """The gate reads most figures' words a column at a time; every one it reads must be what
    NumberReader gives."""
    import math

    from stopitnow_figures.model.values import NumberReader
    from stopitnow_figures.publishing.gate import plain_readings

    reader = NumberReader(vocab.load(), package[3])
    written = [r["as_written"] for r in package[0]["figures"]]
    written += [
        "0",
        "000",
        "7",
        "80",
        "1,000",
        "10,000,000",
        "12345678901234567890",
        "1,00",
        "01",
        " 5",
        "5 ",
        "٣",
        "Nearly 80",
    ]
    written += [
        f"{h} {n}"
        for h, _ in reader.hedges
        for n in ("0", "1", "70", "1,500", "100000", "2,000,000")
    ]
    fits, qualifier, value, lo, hi = plain_readings(reader, written, [""] * len(written))
    assert fits.sum() > len(written) // 2
    for i in np.flatnonzero(fits):
        parsed, v, lower, upper = reader.read(written[i], "")
        assert (qualifier[i], value[i]) == (parsed.qualifier, v), written[i]
        for got, want in ((lo[i], lower), (hi[i], upper)):
            assert (math.isnan(got) and want is None) or got == want, written[i]
    assert not plain_readings(reader, ["80"], ["round"])[0][
        0
    ]  # a curated reading is the reader's to apply


def test_a_bound_typed_into_a_quantity_no_solver_is_needed_for_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    row = _row(tables, "quantities", "quantity_id", "scotland-2016-website-visits")
    assert not row["identities"]  # the meet of its mentions' intervals, read off a column at a time
    row["upper"] = str(float(row["upper"] or 0) + 1)
    bad = check(tables, texts, sha, hedges)
    assert any(
        u.resource == "quantities" and u.column == "upper" and "re-solving" in u.reason for u in bad
    )


def test_a_metric_of_a_metric_resting_on_an_untraced_one_is_caught(package):
    tables, texts, sha, hedges = copy.deepcopy(package)
    inner = next(
        r
        for r in tables["derived"]
        if any(i == m["metric_id"] for m in tables["derived"] for i in r["inputs"].split())
    )
    used = next(m for m in tables["derived"] if m["metric_id"] in inner["inputs"].split())
    used["period_end"] = "1999-12-31"
    bad = check(tables, texts, sha, hedges)
    assert any(
        u.resource == "derived"
        and u.row == tables["derived"].index(inner) + 1
        and "inputs do not trace" in u.reason
        for u in bad
    )


def _series_fixture():
    """Two half-years of one police force area a year apart (the model's rule makes the half between
    a gap)."""
    from stopitnow_figures.model import series
    from stopitnow_figures.tables.csvio import Table

    def q(qid, start, end):
        cells = dict.fromkeys(series.COLUMNS, "")
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

    quantities = [q("a", "2018-01-01", "2018-06-30"), q("b", "2019-01-01", "2019-06-30")]
    rows = series.rows(vocab.load(), quantities)
    return Table.from_rows(series.COLUMNS, quantities), rows


def test_a_series_row_as_the_rule_makes_it_traces_and_a_period_typed_in_does_not():
    from stopitnow_figures.publishing.gate import _check_series
    from stopitnow_figures.tables.csvio import Table

    quantities, rows = _series_fixture()
    bad = []
    _check_series(Table.from_rows(list(rows[0]), rows), quantities, vocab.load(), bad)
    assert bad == []
    # by hand: the gap is July to December 2018; ending it a day early is no period of the rule's
    # step
    edited = [dict(r) for r in rows]
    edited[1]["period_end"] = "2018-12-30"
    _check_series(Table.from_rows(list(rows[0]), edited), quantities, vocab.load(), bad)
    assert [(u.row, u.column, u.value) for u in bad] == [(2, "period_end", "2018-12-30")]


def test_a_series_row_missing_or_added_is_caught():
    from stopitnow_figures.publishing.gate import _check_series
    from stopitnow_figures.tables.csvio import Table

    quantities, rows = _series_fixture()
    bad = []
    _check_series(Table.from_rows(list(rows[0]), rows[:2]), quantities, vocab.load(), bad)
    assert [(u.row, u.column) for u in bad] == [(3, "member_id")]
    bad = []
    _check_series(Table.from_rows(list(rows[0]), [*rows, rows[-1]]), quantities, vocab.load(), bad)
    assert {u.row for u in bad} == {4}
