"""The charts read back: what each chart plotted (from its matplotlib artists, by the gid each mark
carries, and from the published SVG's ids), against numbers worked out by hand from the articles
for small inline fixtures, and against the published tables for the real package."""

from __future__ import annotations

import hashlib
import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import yaml

from conftest import ROOT, read_csv
from stopitnow_figures.render import charts
from stopitnow_figures.tables import vocab

VOCAB = vocab.load()
PER = 100000
SVG = "{http://www.w3.org/2000/svg}"

# -- fixtures: two articles' numbers ---------------------------------------------------------------
# The Herald (2017) on Scotland in 2016: "Nearly 80 men living in Scotland called" (read [72, 78]:
# nearly 80, and no more men than the 78 calls), "78 calls were made from Scotland", "A further 28
# Scots rang ... about their concerns" over another adult; Scotland's mid-2016 population 5,404,700
# (National Records of Scotland). Each a rate per 100,000 people per month over the 12 months.
SCOTLAND = ("S92000003", "Scotland", 5404700)
# The Evening Times (2017) on the website's visitors from October 2015 to July 2017 (22 months):
# Glasgow's "836", Edinburgh's "791", Dundee's "173", Scotland's "3579"; Glasgow's first 12 months
# "around 300", read [309, 322] with the rest of the article (836 - 555 below, ...). Mid-2016
# populations: Glasgow City 615,070, City of Edinburgh 507,170, Dundee City 148,270.
CITIES = {
    "S12000049": ("Glasgow City", 615070),
    "S12000036": ("City of Edinburgh", 507170),
    "S12000042": ("Dundee City", 148270),
}
HERALD = {  # quantity id: measure, unit, lower, upper (equal: pinned)
    "own-callers": ("helpline_own_behaviour", "people", 72, 78),
    "own-calls": ("helpline_own_behaviour", "calls", 78, 78),
    "other-callers": ("helpline_other_person", "people", 28, 28),
}
WEBSITE = {  # quantity id: place, lower, upper, start, end, months
    "glasgow-15-17": ("S12000049", 836, 836, "2015-10-01", "2017-07-31", 22),
    "edinburgh-15-17": ("S12000036", 791, 791, "2015-10-01", "2017-07-31", 22),
    "dundee-15-17": ("S12000042", 173, 173, "2015-10-01", "2017-07-31", 22),
    "scotland-15-17": ("S92000003", 3579, 3579, "2015-10-01", "2017-07-31", 22),
    "glasgow-15-16": ("S12000049", 309, 322, "2015-10-01", "2016-09-30", 12),
}


def _rate(ident, kind, lower, upper, start, end) -> dict:
    pinned = lower == upper
    return {
        "metric_id": f"{kind}-{ident}",
        "kind": kind,
        "inputs": f"{ident} pop",
        "value": "" if not pinned else repr(lower),
        "value_basis": "pinned" if pinned else "clipped",
        "lower": repr(lower),
        "upper": repr(upper),
        "period_start": start,
        "period_end": end,
    }


def fixture() -> tuple[list[dict], list[dict], list[dict]]:
    """The two articles as the package's quantities, rates and places."""
    quantities, derived = [], []
    code, _, people = SCOTLAND
    for ident, (measure, unit, lo, hi) in HERALD.items():
        quantities.append(_quantity(ident, measure, unit, code, lo, hi, "2016-01-01", "2016-12-31"))
        per_month = [v / people * PER / 12 for v in (lo, hi)]
        derived.append(_rate(ident, "rate_per_month", *per_month, "2016-01-01", "2016-12-31"))
    for ident, (code, lo, hi, start, end, months) in WEBSITE.items():
        people = CITIES[code][1] if code in CITIES else SCOTLAND[2]
        quantities.append(_quantity(ident, "website_visitors", "people", code, lo, hi, start, end))
        derived.append(_rate(ident, "rate", *(v / people * PER for v in (lo, hi)), start, end))
        per_month = [v / people * PER / months for v in (lo, hi)]
        derived.append(_rate(ident, "rate_per_month", *per_month, start, end))
    geographies = [
        {"geography_code": SCOTLAND[0], "geography": SCOTLAND[1], "kind": "country"},
        {"geography_code": "E06000052", "geography": "Cornwall", "kind": "council area"},
    ] + [
        {"geography_code": c, "geography": name, "kind": "council area"}
        for c, (name, _) in CITIES.items()
    ]
    return quantities, derived, geographies


def _quantity(ident, measure, unit, code, lower, upper, start, end) -> dict:
    return {
        "quantity_id": ident,
        "measure": measure,
        "unit": unit,
        "geography_code": code,
        "value": repr(lower) if lower == upper else "",
        "value_basis": "pinned" if lower == upper else "clipped",
        "lower": repr(lower),
        "upper": repr(upper),
        "period_start": start,
        "period_end": end,
    }


def help_seeking_fixture():
    return charts.help_seeking(VOCAB, *fixture(), PER)


# -- reading a figure back -------------------------------------------------------------------------


def marks(fig) -> dict[str, dict]:
    """Each rate's marker line (gid "mark:<metric id>"): its panel, its fill, the values it marks
    and where it is drawn on the page, in pixels."""
    fig.canvas.draw()
    out = {}
    for ax in fig.axes:
        for line in ax.lines:
            kind, _, ident = (line.get_gid() or "").partition(":")
            if kind == "mark":
                xs, ys = line.get_data(orig=True)
                xy = [(charts_num(x), float(y)) for x, y in zip(xs, ys, strict=True)]
                out[ident] = {
                    "panel": ax.get_title(),
                    "fill": line.get_fillstyle(),
                    "values": [y for _, y in xy],
                    "pixels": line.get_transform().transform(xy),
                }
    return out


def charts_num(x) -> float:
    from matplotlib.dates import date2num

    return float(date2num(x))


def rate_lines(fig) -> dict[str, tuple[float, float]]:
    """Each drawn horizontal line of a rate (its pinned value or an end of its interval): its
    value and its height on the page, in pixels."""
    fig.canvas.draw()
    out = {}
    for ax in fig.axes:
        for line in ax.lines:
            gid = line.get_gid() or ""
            if gid.startswith(("rate:", "end0:", "end1:")):
                xs, ys = line.get_data(orig=True)
                pixel = line.get_transform().transform([(charts_num(xs[0]), float(ys[0]))])
                out[gid] = (float(ys[0]), float(pixel[0][1]))
    return out


# -- the help-seeking chart ------------------------------------------------------------------------


def test_callers_about_their_own_behaviour_and_about_someone_else_are_drawn_apart_and_named():
    fig = help_seeking_fixture()
    got = marks(fig)
    own, other = got["rate_per_month-own-callers"], got["rate_per_month-other-callers"]
    # by hand: "Nearly 80 men" [72, 78] and "A further 28 Scots", over 5,404,700 people and 12
    # months
    assert own["values"] == pytest.approx([72 / 5404700 * 1e5 / 12, 78 / 5404700 * 1e5 / 12])
    assert other["values"] == pytest.approx([28 / 5404700 * 1e5 / 12])
    assert own["panel"] == other["panel"] == "helpline"
    assert own["fill"] != other["fill"]  # not told apart by colour alone: the marker differs
    helpline = next(ax for ax in fig.axes if ax.get_title() == "helpline")
    legend = {t.get_text(): h.get_fillstyle() for t, h in legend_entries(helpline.get_legend())}
    assert legend["helpline own behaviour"] == own["fill"]
    assert legend["helpline other person"] == other["fill"]


def legend_entries(legend):
    return zip(legend.get_texts(), legend.legend_handles, strict=True)


def test_no_two_markers_fall_on_one_point_and_no_line_hides_another():
    fig = help_seeking_fixture()
    got = marks(fig)
    size = charts.MARKER_SIZE * fig.dpi / 72  # a marker's width in pixels
    by_panel = itertools.groupby(sorted(got.items(), key=lambda kv: kv[1]["panel"]),
                                 key=lambda kv: kv[1]["panel"])  # fmt: skip
    pairs = 0
    for _, rates in by_panel:  # the markers of two rates (an interval's own two ends may touch)
        for (i, m), (j, n) in itertools.combinations(rates, 2):
            for a, b in itertools.product(m["pixels"], n["pixels"]):
                pairs += 1
                assert max(abs(a[0] - b[0]), abs(a[1] - b[1])) >= size, (i, j)
    assert pairs  # the website panel's four places of October 2015 to July 2017 share a middle
    # the 78 calls and the upper end of the "Nearly 80" men ([72, 78]) are one value: both seen
    lines = rate_lines(fig)
    calls, men = lines["rate:rate_per_month-own-calls"], lines["end1:rate_per_month-own-callers"]
    assert calls[0] == pytest.approx(men[0])
    assert abs(calls[1] - men[1]) >= charts.SPREAD_Y * fig.dpi / 72 * 0.99


def test_spread_moves_only_rates_that_share_the_middle_of_their_period():
    bar = charts.RateBar("m", "q", "website", "website_visitors", "P", "people",
                         date(2016, 1, 1), date(2016, 12, 31), 1.0, 1.0, 1.0)  # fmt: skip
    alone = bar.__class__(**{**bar.__dict__, "metric_id": "alone", "start": date(2018, 1, 1)})
    twins = [bar.__class__(**{**bar.__dict__, "metric_id": f"t{k}"}) for k in range(3)]
    assert charts.spread([alone, *twins]) == {"alone": 0, "t0": -1, "t1": 0, "t2": 1}


def test_markers_that_would_touch_are_moved_apart_left_to_right_until_none_do():
    # a marker 6 wide, moved 8 at a time: a and b (3 apart) touch and move half a step each way,
    # to -4 and 7; c at 20 is then 13 from b and stays
    assert charts.sideways({"a": [(0, 0)], "b": [(3, 0)], "c": [(20, 0)]}, 6, 8) == {
        "a": -0.5,
        "b": 0.5,
        "c": 0,
    }
    # c at 12 would touch b once b is moved to 7: all three move as one, to -8, 3 and 20
    assert charts.sideways({"a": [(0, 0)], "b": [(3, 0)], "c": [(12, 0)]}, 6, 8) == {
        "a": -1,
        "b": 0,
        "c": 1,
    }
    # one above the other, 10 apart: they do not touch, nothing moves
    assert charts.sideways({"a": [(0, 0)], "b": [(0, 10)]}, 6, 8) == {"a": 0, "b": 0}


def test_every_panel_shares_one_time_axis():
    fig = help_seeking_fixture()
    limits = {ax.get_xlim() for ax in fig.axes if ax.get_title()}
    assert len(limits) == 1
    (low, high), = limits  # fmt: skip
    # the first start (October 2015) and the last end (December 2016) are inside it
    assert low < charts_num(date(2015, 10, 1)) and high > charts_num(date(2016, 12, 31))


@pytest.mark.parametrize(
    "value, words", [(0.001, "0.001"), (0.1, "0.1"), (1.0, "1"), (10.0, "10"), (1000.0, "1000")]
)
def test_a_log_tick_reads_as_a_plain_number(value, words):
    assert charts.plain_number(value) == words


def test_the_log_axis_is_labelled_in_plain_numbers():
    fig = help_seeking_fixture()
    fig.canvas.draw()
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    shown = [t.get_text() for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high]
    assert shown and all(re.fullmatch(r"\d+(\.\d+)?", t) for t in shown), shown
    assert "1" in shown  # the fixture runs from 0.03 to 12 per 100,000 a month


# -- the claims chart ------------------------------------------------------------------------------

# The Herald's "5 per cent of the 1,504 calls": 78 / 1,504 = 5.19%, consistent; the Evening Times's
# "Around a third of the total number of Scottish visitors" from Glasgow: 836 / 3,579 = 23.4%,
# inconsistent with [30, 36.7]; its "maybe as much as 10 times": not checkable (no computed number).
CLAIMS = [
    ("herald-share", "herald-f05", "5", "4.5", "5.5", repr(78 / 1504 * 100), "consistent"),
    (
        "et-third",
        "et-f12",
        repr(100 / 3),
        "30",
        repr(110 / 3),
        repr(836 / 3579 * 100),
        "inconsistent",
    ),  # fmt: skip
    ("et-ten-times", "et-f13", "10", "9", "11", "", "not_checkable"),
]
CLAIM_FIGURES = [  # figure id, source, as written, measure, place
    ("herald-f05", "herald", "5 per cent", "share", "Scotland"),
    ("et-f12", "et", "Around a third", "share", "Glasgow City"),
    ("et-f13", "et", "as much as 10 times", "multiple", "Scotland"),
]
CLAIM_SOURCES = [("herald", "The Herald (Glasgow)", "2017-01-29"),
                 ("et", "Evening Times (Glasgow)", "2017-08-01")]  # fmt: skip


def claims_fixture():
    claims = [
        dict(
            zip(
                (
                    "claim_id",
                    "figure_id",
                    "stated",
                    "stated_lower",
                    "stated_upper",
                    "computed",
                    "verdict",
                ),
                row,
                strict=True,
            )
        )  # fmt: skip
        | {"relation": "equals", "lower": row[5], "upper": row[5]}
        for row in CLAIMS
    ]
    figures = [
        dict(zip(("figure_id", "source_id", "as_written", "measure", "geography"), r, strict=True))
        for r in CLAIM_FIGURES
    ]
    sources = [
        dict(zip(("source_id", "publisher", "published_earliest"), r, strict=True))
        for r in CLAIM_SOURCES
    ]
    return claims, figures, sources


def claim_rows(fig) -> dict[str, dict]:
    """Each claim's row read back: its label, its verdict in words, its computed marker."""
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    words = [t.get_text() for t in fig.axes[0].child_axes[0].get_yticklabels()]
    out = {}
    for line in ax.lines:
        kind, _, ident = (line.get_gid() or "").partition(":")
        if kind == "claim":
            row = round(float(line.get_ydata(orig=True)[0]) if len(line.get_ydata()) else -1)
            out[ident] = {"marker": line.get_marker(), "x": list(line.get_xdata(orig=True))}
            if row >= 0:
                out[ident] |= {"label": labels[row], "verdict": words[row]}
    return out


def test_claims_are_labelled_in_words_and_their_verdicts_told_apart_without_colour():
    claims, figures, sources = claims_fixture()
    labels = charts.claim_labels(claims, figures, sources)
    # by hand, from each figure's words, measure and place and its source's publisher and year
    assert labels["herald-share"] == "“5 per cent”, share (Scotland); The Herald (Glasgow) 2017"
    assert labels["et-third"] == (
        "“Around a third”, share (Glasgow City); Evening Times (Glasgow) 2017"
    )
    fig = charts.claims_chart(VOCAB, claims, labels)
    got = claim_rows(fig)
    assert got["herald-share"]["label"] == labels["herald-share"]
    assert (got["herald-share"]["verdict"], got["et-third"]["verdict"]) == (
        "consistent",
        "inconsistent",
    )
    assert got["herald-share"]["marker"] != got["et-third"]["marker"]
    assert got["et-third"]["x"] == pytest.approx([(836 / 3579 * 100) / (100 / 3)])  # 0.70
    assert got["herald-share"]["x"] == pytest.approx([78 / 1504 * 100 / 5])
    ticks = [t.get_text() for t in fig.axes[0].child_axes[0].get_yticklabels()]
    # in order of claim id: et-ten-times, et-third, herald-share
    assert ticks == ["not checkable", "inconsistent", "consistent"]
    shapes = charts.verdict_markers(VOCAB)
    assert len(set(shapes.values())) == len(shapes)  # one shape per verdict
    legend = {t.get_text(): h.get_marker() for t, h in legend_entries(fig.legends[0])}
    assert legend == {v.replace("_", " "): m for v, m in shapes.items()}


def every_text_within_the_figure(fig) -> list[str]:
    """The texts of the figure (tick labels, titles, legend) that reach past its edges."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_visible()]
    out = []
    for t in texts:
        if not t.get_text().strip():
            continue
        box = t.get_window_extent(renderer)
        inside = box.x0 >= page.x0 - 0.5 and box.x1 <= page.x1 + 0.5
        if not (inside and box.y0 >= page.y0 - 0.5 and box.y1 <= page.y1 + 0.5):
            out.append(t.get_text())
    return out


def test_no_claim_label_is_clipped_however_long():
    claims, figures, sources = claims_fixture()
    labels = charts.claim_labels(claims, figures, sources)
    labels["herald-share"] = "a label of many words " * 6  # longer than any the package prints
    fig = charts.claims_chart(VOCAB, claims, labels)
    assert every_text_within_the_figure(fig) == []


# -- the place chart (the Scottish cities) ---------------------------------------------------------

CITY_GROUP = {
    "title": "t",
    "measure": "website_visitors",
    "geography_kind": "council area",
    "nation": "Scotland",
}


def place_plotted(fig) -> dict[str, dict]:
    """Each bar of a place chart by its gid: its bottom and top."""
    out = {}
    for ax in fig.axes:
        for patch in ax.patches:
            gid = patch.get_gid() or ""
            if gid.startswith(("count:", "rate:")):
                out[gid] = (patch.get_y(), patch.get_y() + patch.get_height())
    return out


def test_the_scottish_cities_are_the_places_of_the_data_with_the_measure():
    quantities, derived, geographies = fixture()
    bars = charts.place_bars(VOCAB, CITY_GROUP, quantities, derived, geographies)
    # Scotland is a country, not a council area; Cornwall's council area is in England and has no
    # quantity: neither is drawn
    assert sorted({b.place for b in bars}) == ["City of Edinburgh", "Dundee City", "Glasgow City"]
    got = place_plotted(charts.place_chart("t", bars, PER))
    assert got["count:glasgow-15-17"] == (0, 836)
    assert got["count:edinburgh-15-17"] == (0, 791)
    assert got["count:dundee-15-17"] == (0, 173)
    assert got["count:glasgow-15-16"] == pytest.approx((309, 322))  # an interval: no bar from 0
    assert got["rate:rate-glasgow-15-17"][1] == pytest.approx(836 / 615070 * 1e5)  # 135.9
    assert got["rate:rate-edinburgh-15-17"][1] == pytest.approx(791 / 507170 * 1e5)  # 156.0
    assert got["rate:rate-dundee-15-17"][1] == pytest.approx(173 / 148270 * 1e5)  # 116.7
    assert set(got) == {f"count:{q}" for q in WEBSITE if q != "scotland-15-17"} | {
        f"rate:rate-{q}" for q in WEBSITE if q != "scotland-15-17"
    }


# -- files: SVG and PNG, the same bytes every time -------------------------------------------------


def test_a_chart_is_saved_as_svg_and_png_with_the_same_bytes_every_time(tmp_path):
    digests = []
    for k in range(2):  # two drawings, as two builds make them
        (tmp_path / str(k)).mkdir()
        names = charts.save(help_seeking_fixture(), tmp_path / str(k), "help")
        assert names == ["help.svg", "help.png"]
        digests.append([hashlib.sha256((tmp_path / str(k) / n).read_bytes()).digest()
                        for n in names])  # fmt: skip
    assert digests[0] == digests[1]
    svg = (tmp_path / "0" / "help.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg  # no date, no software version
    assert b"Software" not in (tmp_path / "0" / "help.png").read_bytes()
    root = ET.parse(tmp_path / "0" / "help.svg").getroot()  # the marks keep their ids
    ids = {e.get("id") for e in root.iter()}
    assert "mark:rate_per_month-other-callers" in ids and "mark:rate_per_month-own-calls" in ids


# -- the real package ------------------------------------------------------------------------------


def published(*names: str) -> dict[str, list[dict]]:
    return {n: read_csv(ROOT / "processed" / f"{n}.csv") for n in names}


def report_params() -> dict:
    return yaml.safe_load((ROOT / "params.yaml").read_text())["report"]


@pytest.mark.data
def test_every_published_chart_is_an_svg_and_a_png_drawn_as_a_fresh_drawing_draws_it(tmp_path):
    out = ROOT / "processed" / "charts"
    stems = {p.stem for p in out.iterdir()}
    assert {p.name for p in out.iterdir()} == {f"{s}.{x}" for s in stems for x in ("svg", "png")}
    assert {"help_seeking", "claims", *report_params()["place_charts"]} <= stems
    t = published("quantities", "derived", "geographies", "claims", "figures", "sources")
    fresh = {
        "help_seeking": charts.help_seeking(
            VOCAB, t["quantities"], t["derived"], t["geographies"], PER
        ),
        "claims": charts.claims_chart(
            VOCAB, t["claims"], charts.claim_labels(t["claims"], t["figures"], t["sources"])
        ),
    }
    for stem, fig in fresh.items():
        for name in charts.save(fig, tmp_path, stem):
            assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


@pytest.mark.data
def test_the_published_help_seeking_chart_draws_own_and_someone_elses_callers_apart():
    t = published("quantities", "derived", "geographies")
    fig = charts.help_seeking(VOCAB, t["quantities"], t["derived"], t["geographies"], PER)
    got = marks(fig)
    measure = {q["quantity_id"]: q["measure"] for q in t["quantities"]}
    rates = {d["metric_id"]: d for d in t["derived"] if d["metric_id"] in got}
    # every rate drawn at the published numbers: its point where pinned, else its interval's ends
    for ident, d in rates.items():
        ends = [d["value"]] if d["value_basis"] == "pinned" else [d["lower"], d["upper"]]
        assert got[ident]["values"] == pytest.approx([float(e) for e in ends if e])
    # each measure of a channel its own fill: two measures of one place and period never alike
    fills = {}
    for ident, d in rates.items():
        fills.setdefault(measure[d["inputs"].split()[0]], set()).add(got[ident]["fill"])
    assert all(len(f) == 1 for f in fills.values())
    channel_of = {m: c for c, ms in VOCAB.channels.items() for m in ms}
    for a, b in itertools.combinations(fills, 2):
        if channel_of[a] == channel_of[b]:
            assert fills[a] != fills[b], (a, b)


@pytest.mark.data
def test_the_published_help_seeking_chart_has_no_marker_on_another_one_time_axis_plain_ticks():
    t = published("quantities", "derived", "geographies")
    fig = charts.help_seeking(VOCAB, t["quantities"], t["derived"], t["geographies"], PER)
    got = marks(fig)
    size = charts.MARKER_SIZE * fig.dpi / 72
    for (i, m), (j, n) in itertools.combinations(got.items(), 2):
        if m["panel"] == n["panel"]:  # two rates' markers (an interval's own two ends may touch)
            for a, b in itertools.product(m["pixels"], n["pixels"]):
                assert max(abs(a[0] - b[0]), abs(a[1] - b[1])) >= size, (i, j)
    panels = [ax for ax in fig.axes if ax.get_title() in {m["panel"] for m in got.values()}]
    assert len({ax.get_xlim() for ax in panels}) == 1
    for ax in panels:
        low, high = ax.get_ylim()
        shown = [t.get_text() for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high]
        assert all(re.fullmatch(r"\d+(\.\d+)?", s) for s in shown if s), shown


@pytest.mark.data
def test_the_published_claims_chart_labels_every_claim_in_words_within_the_figure():
    t = published("claims", "figures", "sources")
    labels = charts.claim_labels(t["claims"], t["figures"], t["sources"])
    fig = charts.claims_chart(VOCAB, t["claims"], labels)
    got = claim_rows(fig)
    assert set(got) == {c["claim_id"] for c in t["claims"]}
    figure = {f["figure_id"]: f for f in t["figures"]}
    shapes = charts.verdict_markers(VOCAB)
    for c in t["claims"]:
        row = got[c["claim_id"]]
        if "label" in row:  # a claim with a computed number; the others' rows are read below
            assert (
                row["label"] != c["claim_id"]
                and figure[c["figure_id"]]["as_written"] in (row["label"])
            )
            assert row["verdict"] == c["verdict"].replace("_", " ")
            assert row["marker"] == shapes[c["verdict"]]
    ticks = [x.get_text() for x in fig.axes[0].get_yticklabels()]
    assert ticks == [labels[c] for c in sorted(labels)]  # every row in words, none an id
    assert every_text_within_the_figure(fig) == []


@pytest.mark.data
def test_the_published_place_charts_draw_the_published_numbers():
    t = published("quantities", "derived", "geographies")
    pinned = VOCAB.names("quantities", "value_basis").pinned
    for stem, group in report_params()["place_charts"].items():
        root = ET.parse(ROOT / "processed" / "charts" / f"{stem}.svg").getroot()
        ids = {e.get("id") for e in root.iter() if e.get("id")}
        bars = charts.place_bars(VOCAB, group, t["quantities"], t["derived"], t["geographies"])
        got = place_plotted(charts.place_chart(group["title"], bars, PER))
        code = {g["geography"]: g["geography_code"] for g in t["geographies"]}
        expected = [
            q
            for q in t["quantities"]
            if q["measure"] == group["measure"]
            and any(
                g["geography_code"] == q["geography_code"] and g["kind"] == group["geography_kind"]
                for g in t["geographies"]
            )
            and VOCAB.nations.get(q["geography_code"][:1]) == group["nation"]
        ]
        assert expected and {b.quantity_id for b in bars} == {q["quantity_id"] for q in expected}
        assert all(code[b.place] == next(q["geography_code"] for q in expected
                   if q["quantity_id"] == b.quantity_id) for b in bars)  # fmt: skip
        for q in expected:
            bottom, top = got[f"count:{q['quantity_id']}"]
            if q["value_basis"] == pinned:
                assert (bottom, top) == (0, pytest.approx(float(q["value"])))
            else:
                assert (bottom, top) == pytest.approx((float(q["lower"]), float(q["upper"])))
            assert f"count:{q['quantity_id']}" in ids
