"""DVC's own view of the package: `dvc metrics show` prints what the package
holds, and `dvc exp run -S derive.rate_per=1000` changes the rates by the
factor the parameter implies and nothing the metrics count."""

from __future__ import annotations

import csv
import json
import subprocess

import pytest

from conftest import ROOT, built, dvc


def _rows(repo, name: str) -> list[dict]:
    with (repo / "processed" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_metrics_file_counts_what_the_articles_hold():
    metrics = json.loads((ROOT / "metrics.json").read_text(encoding="utf-8"))
    # by hand: five articles, whose numbers read as figures are 12 (Herald) + 8 (National) + 8 (Bournemouth
    # Echo) + 10 (Wigan Today) + 13 (Evening Times) = 51
    assert metrics["sources"] == 5
    assert metrics["figures"] == 51
    # two conflicts, three quantities: "Around a third" of Scotland's visitors against 836 of 3,579 (23.4 per
    # cent: the share's quantity); and the charity's running total of men worked with after arrest, "hundreds"
    # (at most 999) in the Herald of February 2017 against "thousands" (at least 2,000) in Wigan Today of
    # November 2016, if both count the same men (the two totals' quantities)
    assert metrics["quantities_in_conflict"] == 3
    assert metrics["numeric_mentions_unaccounted"] == 0 and metrics["untraced_cells"] == 0
    claims = metrics["claims"]
    assert claims["total"] == sum(v for k, v in claims.items() if k != "total")
    assert claims["inconsistent"] == 1  # "Around a third" is the only claim the other numbers refute
    # "an 80 per cent jump in calls" is a rise of calls, which the article does not give (the 30 and 55 are
    # people who called, at most the calls): not checkable, where it was consistent within rounding as a rise of
    # callers (30 to 55 is 83.3 per cent); no other claim needs the coarse rounding
    assert claims["consistent_within_rounding"] == 0


def test_the_metrics_agree_with_the_published_tables():
    metrics = json.loads((ROOT / "metrics.json").read_text(encoding="utf-8"))
    for name in ("sources", "figures", "quantities", "identities", "derived"):
        assert metrics[name] == len(_rows(ROOT, name)), name
    assert metrics["claims"]["total"] == len(_rows(ROOT, "claims"))


def test_dvc_metrics_show_prints_the_counts(built_repo):
    out = dvc(built_repo, "metrics", "show")
    assert out.returncode == 0, out.stderr
    assert "metrics.json" in out.stdout and "figures" in out.stdout
    table = out.stdout.split()
    assert "51" in table and "5" in table


def test_an_experiment_with_another_rate_base_changes_the_rates_by_its_factor_and_nothing_counted(tmp_path):
    repo = built(tmp_path)
    before = {r["metric_id"]: r for r in _rows(repo, "derived")}
    metrics_before = (repo / "metrics.json").read_bytes()
    out = dvc(repo, "exp", "run", "-S", "derive.rate_per=1000")
    assert out.returncode == 0, out.stdout + out.stderr
    diff = dvc(repo, "params", "diff")
    assert diff.returncode == 0, diff.stderr
    row = next(line for line in diff.stdout.splitlines() if "derive.rate_per" in line)
    assert row.split()[-2:] == ["100000", "1000"]
    after = {r["metric_id"]: r for r in _rows(repo, "derived")}
    assert after.keys() == before.keys()
    rates = [i for i, r in before.items() if r["kind"] in ("rate", "rate_per_month")]
    assert len(rates) > 20
    for i in rates:
        for column in ("value", "lower", "upper"):  # a rate with only an interval has an empty value; an open end, no upper
            assert (after[i][column] == before[i][column] == "") or float(after[i][column]) * 100 == pytest.approx(
                float(before[i][column])
            ), (i, column)
        assert after[i]["unit"] == before[i]["unit"].replace("per 100,000 people", "per 1,000 people"), i
        assert after[i]["unit"] != before[i]["unit"]
    others = [i for i in before if i not in rates]
    assert all(after[i]["value"] == before[i]["value"] for i in others)
    assert (repo / "metrics.json").read_bytes() == metrics_before
    shown = dvc(repo, "metrics", "diff", "HEAD")
    assert shown.returncode == 0 and "figures" not in shown.stdout  # nothing counted changed
    assert subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "raw"], cwd=repo).returncode == 0
