"""The CLI: every command has help ending with an example; trace shows the exact quote and
source."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import ROOT
from stopitnow_figures.cli import main


def test_every_command_has_help_ending_with_an_example():
    runner = CliRunner()
    for name in [None, *main.commands]:
        args = [name, "--help"] if name else ["--help"]
        out = runner.invoke(main, args)
        assert out.exit_code == 0
        assert "Example:" in out.output and "stopitnow-figures " in out.output.split("Example:")[1]


def test_the_download_help_states_the_limits_a_download_applies_by_default():
    # each limit's default as the help gives it, from the download's own defaults: 256 MiB, 1 GiB
    from stopitnow_figures.publishing.limits import DEFAULT_LIMITS as d

    text = " ".join(CliRunner().invoke(main, ["download", "--help"]).output.split())
    for option, default in (
        ("--max-bytes", f"{d.max_bytes}, {d.max_bytes // 2**20} MiB"),
        ("--max-unpacked", f"{d.max_unpacked}, {d.max_unpacked // 2**30} GiB"),
        ("--max-members", f"{d.max_members}"),
        ("--deadline", f"{d.deadline:g}"),
    ):
        assert f"[default: {default}]" in text.split(option)[1].split(" --")[0], option


@pytest.mark.data
def test_coverage_command_reports_zero_unaccounted():
    out = CliRunner().invoke(main, ["coverage", "--root", str(ROOT)])
    assert out.exit_code == 0
    assert out.output.strip().endswith("total unaccounted: 0")


# one figure, one metric and one claim of each article, with the exact quote and source shown
TRACES = [
    (
        "herald-2017-scotland-f04",
        "In total, 78 calls were made from Scotland to the Stop it Now! office in Edinburgh",
        "The Herald (Glasgow)",
    ),
    (
        "herald-calls-per-month",
        "In total, 78 calls were made from Scotland to the Stop it Now! office in Edinburgh",
        "The Herald (Glasgow)",
    ),
    (
        "herald-share",
        "5 per cent of the 1,504 calls received from across the UK last year",
        "The Herald (Glasgow)",
    ),
    ("national-2017-scotland-f07", "rising to 55 during the next three months", "The National"),
    (
        "national-calls-change",
        "A total of 30 people from Scotland called in the three months to the end of May",
        "The National",
    ),
    (
        "national-calls-jump",
        "also fuelling an 80 per cent jump in calls to its helpline",
        "The National",
    ),
    (
        "bournemouthecho-2019-dorset-f04",
        "Across the south west, 3,693 people contacted Stop It Now! in the first half of this year",
        "Bournemouth Echo",
    ),
    (
        "bournemouthecho-dorset-pct-change",
        "totalled 373 - 100 more than the same period in 2018",
        "Bournemouth Echo",
    ),
    (
        "dorset-2018h1-help-seekers",
        "totalled 373 - 100 more than the same period in 2018",
        "Bournemouth Echo",
    ),
    ("bournemouthecho-nearly-400", "NEARLY 400 people from Dorset sought help", "Bournemouth Echo"),
    (
        "wigantoday-2016-greater-manchester-f09",
        "a further seven adults from this area rang over the same period",
        "Wigan Today",
    ),
    (
        "wigantoday-share-other-person",
        "36 people from Greater Manchester called a confidential helpline operated by Stop it Now!",
        "Wigan Today",
    ),
    (
        "wigantoday-dozens",
        "Dozens of men from across the region have contacted a charity helpline in the last 12 "
        "months",
        "Wigan Today",
    ),
    (
        "eveningtimes-2017-glasgow-f05",
        "compared to Edinburgh\u2019s 791",
        "Evening Times (Glasgow)",
    ),
    (
        "eveningtimes-edinburgh-share",
        "a total of 3579 people from Scotland and more than 43,000 across the using the site "
        "since 2015",
        "Evening Times (Glasgow)",
    ),
    (
        "eveningtimes-a-third",
        "Around a third of the total number of Scottish visitors to the site have come from "
        "Glasgow",
        "Evening Times (Glasgow)",
    ),
]


@pytest.mark.data
@pytest.mark.parametrize(("ident", "quote", "publisher"), TRACES)
def test_trace_shows_the_exact_quote_in_its_sentence_and_the_source(ident, quote, publisher):
    out = CliRunner().invoke(main, ["trace", "--root", str(ROOT), ident])
    assert out.exit_code == 0, out.output
    assert f'"{quote}' in out.output
    assert f"»{quote}" in out.output
    assert f"from: {publisher}," in out.output


@pytest.mark.data
def test_trace_json_and_reference_rows():
    out = CliRunner().invoke(
        main, ["trace", "--root", str(ROOT), "--json", "rate-scotland-2016-helpline-own-calls"]
    )
    chain = json.loads(out.output)
    assert chain["formula"] == "{scotland-2016-helpline-own-calls} / {pop-scotland-2016} * 100000"
    ref = chain["inputs"][1]
    assert (ref["type"], ref["publisher"], ref["value"]) == (
        "reference",
        "National Records of Scotland",
        "5404700",
    )
    quantity = chain["inputs"][0]
    assert (quantity["type"], quantity["status"], quantity["lower"], quantity["upper"]) == (
        "quantity",
        "pinned",
        "78",
        "78",
    )
    text = (ROOT / "raw" / "sources" / "herald-2017-scotland.txt").read_text(encoding="utf-8")
    assert quantity["mentions"][0]["char_start"] == text.index("In total, 78 calls")


@pytest.mark.data
def test_trace_a_quantity_shows_its_mentions_and_the_identities_that_bound_it():
    out = CliRunner().invoke(
        main, ["trace", "--root", str(ROOT), "glasgow-2015-16-website-visitors"]
    )
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    # "around 300" (270 to 330), tightened to 309 to 322 by the total and the rise (README): 300
    # moves to 309, an end the evidence allows, and the interval is what to read
    assert lines[0] == (
        "quantity glasgow-2015-16-website-visitors: [309, 322] people (point 309, clipped: a "
        "source's number moved to the "
        "nearest end the evidence allows); status tightened; counted as distinct"
    )
    assert (
        "  lower end set by: evening-times-glasgow-rise; upper end set by: "
        "evening-times-glasgow-rise" in lines
    )
    assert any(
        line.startswith("  identity evening-times-glasgow-total-of-its-periods: ") for line in lines
    )
    assert (
        '"In the first 12 months since launching, around 300 people from the city visited the site"'
        in out.output
    )


@pytest.mark.data
def test_trace_a_quantity_in_conflict_names_the_rows():
    out = CliRunner().invoke(
        main, ["trace", "--root", str(ROOT), "glasgow-share-of-scotland-website-visitors"]
    )
    assert (
        "in conflict: these rows cannot all hold: evening-times-glasgow-share "
        "eveningtimes-2017-glasgow-f03" in out.output
    )
    assert "set aside: eveningtimes-2017-glasgow-f03" in out.output


@pytest.mark.data
def test_unknown_id_gets_a_clear_error_and_the_nearest_ids():
    out = CliRunner().invoke(main, ["trace", "--root", str(ROOT), "herald-2017-scotland-f4"])
    assert out.exit_code == 1
    assert "unknown id 'herald-2017-scotland-f4'; nearest: herald-2017-scotland-f04" in out.output


@pytest.mark.data
def test_check_passes_the_package_and_imports_no_solver_quality_report_or_charts():
    """`check` runs every rule the build runs on raw/ at about the cost of importing what clean
    imports: SciPy (the solver), Great Expectations and matplotlib are the build's alone."""
    import subprocess
    import sys

    code = (
        "import sys; from stopitnow_figures.cli import main\n"
        "try:\n    main(['check', '--root', sys.argv[1]])\nexcept SystemExit as exc:\n    assert "
        "exc.code in (0, None), exc.code\n"
        "print(sorted({'scipy', 'great_expectations', 'matplotlib', 'highspy'} & {m.split('.')[0] "
        "for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("no problems: ") and out.stdout.splitlines()[-1] == "[]", (
        out.stdout
    )
