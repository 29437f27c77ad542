"""DVC's own view of the package: `dvc metrics show` prints what the package
holds, and `dvc exp run -S derive.rate_per=1000` changes the rates by the
factor the parameter implies and nothing the metrics count."""

from __future__ import annotations

import csv
import json
import subprocess
from collections import Counter

import pytest

from conftest import ROOT, built, dvc, read_csv


def _rows(repo, name: str) -> list[dict]:
    with (repo / "processed" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.data
def test_the_metrics_file_counts_what_the_articles_hold():
    metrics = json.loads((ROOT / "metrics.json").read_text(encoding="utf-8"))
    # counted from the curator's tables in raw/, not from the build: every source, figure and claim
    # written there is published and counted, however many articles there are
    wrote = {
        name: len(read_csv(ROOT / "raw" / f"{name}.csv"))
        for name in ("sources", "figures", "claims")
    }
    assert (metrics["sources"], metrics["figures"], metrics["claims"]["total"]) == (
        wrote["sources"],
        wrote["figures"],
        wrote["claims"],
    )
    # each verdict as often as the published claims give it (each claim's verdict is worked out by
    # hand in tests/expected/)
    verdicts = Counter(c["verdict"] for c in _rows(ROOT, "claims"))
    assert set(verdicts) <= set(metrics["claims"])
    assert {v: n for v, n in metrics["claims"].items() if v != "total"} == {
        v: verdicts[v] for v in metrics["claims"] if v != "total"
    }
    assert metrics["numeric_mentions_unaccounted"] == 0 and metrics["untraced_cells"] == 0
    # two conflicts, three quantities: "Around a third" of Scotland's visitors against 836 of 3,579
    # (the share's quantity); and the charity's running total of men worked with after arrest,
    # "hundreds" (at most 999) in the Herald of February 2017 against "thousands" (at least 2,000)
    # in Wigan Today of November 2016, if both count the same men (the two totals' quantities).
    # Other sources may add conflicts of their own.
    quantities = _rows(ROOT, "quantities")
    in_conflict = {q["quantity_id"] for q in quantities if q["status"] == "in conflict"}
    assert metrics["quantities_in_conflict"] == len(in_conflict)
    assert {
        "glasgow-share-of-scotland-website-visitors",
        "charity-men-worked-with-after-arrest-2017",
        "men-worked-with-after-arrest-2016",
    } <= in_conflict


@pytest.mark.data
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
    assert all(
        str(len(read_csv(built_repo / "raw" / f"{name}.csv"))) in table
        for name in ("figures", "sources")
    )


@pytest.mark.slow
def test_an_experiment_with_another_rate_base_changes_the_rates_by_its_factor_and_nothing_counted(
    tmp_path,
):
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
    assert rates
    for i in rates:
        for column in (
            "value",
            "lower",
            "upper",
        ):  # a rate with only an interval has an empty value; an open end, no upper
            assert (after[i][column] == before[i][column] == "") or float(
                after[i][column]
            ) * 100 == pytest.approx(float(before[i][column])), (i, column)
        assert after[i]["unit"] == before[i]["unit"].replace(
            "per 100,000 people", "per 1,000 people"
        ), i
        assert after[i]["unit"] != before[i]["unit"]
    others = [i for i in before if i not in rates]
    assert all(after[i]["value"] == before[i]["value"] for i in others)
    _labelled_per_1000(repo, after)
    assert (repo / "metrics.json").read_bytes() == metrics_before
    shown = dvc(repo, "metrics", "diff", "HEAD")
    assert shown.returncode == 0 and "figures" not in shown.stdout  # nothing counted changed
    assert subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "raw"], cwd=repo).returncode == 0


def _labelled_per_1000(repo, derived: dict[str, dict]) -> None:
    """The rates' formulas, units, descriptions and the quality report follow the parameter (one
    rule: the label is made from derive.rate_per, not written anywhere)."""
    rate = derived["rate-scotland-2016-helpline-own-calls"]
    # by hand: 78 calls from Scotland in 2016 over the mid-2016 estimate 5,404,700, per 1,000 people
    assert float(rate["value"]) == pytest.approx(78 / 5_404_700 * 1000)
    assert (rate["kind"], rate["unit"], rate["formula"]) == (
        "rate",
        "per 1,000 people",
        "{scotland-2016-helpline-own-calls} / {pop-scotland-2016} * 1000",
    )
    assert rate["description"].startswith(
        "scotland-2016-helpline-own-calls (helpline_own_behaviour, calls, counted as events) per "
        "1,000 people in Scotland"
    )
    monthly = derived["rate-per-month-scotland-2016-helpline-own-calls"]
    assert float(monthly["value"]) == pytest.approx(78 / 5_404_700 * 1000 / 12)
    assert monthly["unit"] == "per 1,000 people per month"
    units = {r["unit"] for r in derived.values() if r["kind"] in ("rate", "rate_per_month")}
    assert units == {"per 1,000 people", "per 1,000 people per month"}
    quality = (repo / "processed" / "quality.json").read_text(encoding="utf-8")
    assert "rates per 1,000 lie between 0 and 1,000" in quality
    # the descriptor's words follow it too (package.yaml writes them from the parameter)
    descriptor = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    assert "rates per 1,000 people" in descriptor["description"]
    assert "rates per 100,000" not in descriptor["description"]
