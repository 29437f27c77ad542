"""Charts of the package, drawn with matplotlib's Agg backend (no display, no
network) as deterministic SVG. Each function takes rows of the published
tables and returns the figure; the test reads back what was plotted from its
artists."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

RATIO_MAX = 3.0  # unbounded ends are drawn to the edge
# one colour and one marker shape for each verdict of the claims schema, in the order of its enum
# (consistent, consistent within rounding, inconsistent, not checkable): Okabe-Ito colours, told
# apart with colour-blindness, and shapes that tell the verdicts apart without colour
VERDICT_PALETTE = ("#009E73", "#56B4E9", "#D55E00", "#999999")
VERDICT_MARKERS = ("o", "D", "X", "s")


def verdict_colours(vocabulary) -> dict[str, str]:
    return dict(zip(vocabulary.enum("claims", "verdict"), VERDICT_PALETTE, strict=True))


def verdict_markers(vocabulary) -> dict[str, str]:
    return dict(zip(vocabulary.enum("claims", "verdict"), VERDICT_MARKERS, strict=True))


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # text stays text in the SVG (selectable, read by screen readers, half the bytes), drawn in the
    # reader's sans-serif
    plt.rcParams.update(
        {
            "svg.hashsalt": "stopitnow-figures",
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.size": 9,
            "figure.dpi": 100,
        }
    )
    return plt


# what each format's writer would otherwise stamp into the file (a date, the software's name and
# version): fixed, so that the same figure gives the same bytes on every build and machine
SVG_METADATA = {"Date": None, "Creator": None}
PNG_METADATA = {"Software": None}
PNG_DPI = 100


def save_svg(fig, path) -> None:
    """The figure as SVG (text as text, ids from each artist's gid, no date or creator)."""
    import io

    from ..tables.csvio import atomic_write_bytes

    buf = io.BytesIO()
    # margins are set by each chart (subplots_adjust or its layout): a "tight" bounding box would
    # draw every chart twice
    fig.savefig(buf, format="svg", metadata=SVG_METADATA)
    atomic_write_bytes(path, buf.getvalue())


def save_png(fig, path) -> None:
    """The figure as PNG (no date or software in its metadata, so the same figure gives the same
    bytes)."""
    import io

    from ..tables.csvio import atomic_write_bytes

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PNG_DPI, metadata=PNG_METADATA)
    atomic_write_bytes(path, buf.getvalue())


def save(fig, directory, stem: str) -> list[str]:
    """The figure as ``<stem>.svg`` and ``<stem>.png`` in ``directory``, then closed; the names
    written."""
    from pathlib import Path

    names = [f"{stem}.svg", f"{stem}.png"]
    save_svg(fig, Path(directory) / names[0])
    save_png(fig, Path(directory) / names[1])
    _plt().close(fig)
    return names


def _num(cell: str) -> float | None:
    return None if cell in ("", None) else float(cell)


# Okabe-Ito colours (told apart with colour-blindness) and marker shapes, given to places in order
# of name, so that a place is told apart by colour and by shape; past as many places as there are
# colours, the shapes shift by one each round, so that no two places share both (place_styles)
PLACE_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
PLACE_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINE_STYLES = (
    "-",
    "--",
    ":",
    "-.",
)  # how each rated unit draws its period, in the vocabulary's order of units


def place_styles(places: list[str]) -> dict[str, tuple[str, str]]:
    """Each place's colour and marker: its own colour and its own shape while there are no more
    places than colours, and never the pair of another place (up to colours times shapes places)."""
    n = len(PLACE_COLOURS)
    return {
        p: (PLACE_COLOURS[k % n], PLACE_MARKERS[(k + k // n) % len(PLACE_MARKERS)])
        for k, p in enumerate(places)
    }


def unit_lines(vocabulary) -> dict[str, str]:
    """The line style of each unit a rate is made for (people solid, calls dashed, visits dotted,
    contacts dash-dot)."""
    return dict(zip(vocabulary.rated_units, LINE_STYLES, strict=False))


def line_of(vocabulary, lines: dict[str, str], unit: str) -> str:
    """The line of a quantity's unit: a count per month is drawn as what it counts (people per month
    as people)."""
    return lines.get(vocabulary.per_month.get(unit, unit), "-")


@dataclass(frozen=True)
class RateBar:
    """One quantity's rate per month, as the help-seeking chart draws it: across its whole period;
    ``value`` is None where the evidence does not pin the rate (its value_basis is not pinned): only
    its interval is drawn."""

    metric_id: str
    quantity_id: str
    channel: str
    measure: str
    place: str
    unit: str
    start: date
    end: date
    value: float | None
    lower: float
    upper: float | None  # None: unbounded above

    @property
    def middle(self) -> date:
        return _middle(self.start, self.end)


def _middle(start: date, end: date) -> date:
    """The middle of a period, where a value pinned over the whole of it is marked."""
    return start + (end - start) / 2


def _centred(k: int, n: int) -> float:
    """The step of the k-th of n marks spread centred on 0 (k - (n - 1) / 2)."""
    return k - (n - 1) / 2


def rate_bars(
    vocabulary, quantities: list[dict], derived: list[dict], geographies: list[dict]
) -> list[RateBar]:
    """The rows the help-seeking chart draws: every rate per month of a help-seeking quantity (one
    whose measure is of a channel), read from the data alone."""
    kind = vocabulary.names("derived", "kind").rate_per_month
    pinned = vocabulary.names("derived", "value_basis").pinned
    channel_of = {m: c for c, measures in vocabulary.channels.items() for m in measures}
    q_of = {q["quantity_id"]: q for q in quantities}
    place = {g["geography_code"]: g["geography"] for g in geographies}
    bars = []
    for d in derived:
        q = q_of.get(d["inputs"].split()[0]) if d["kind"] == kind else None
        if q is None or q["measure"] not in channel_of or not d["period_start"]:
            continue
        bars.append(
            RateBar(
                d["metric_id"],
                q["quantity_id"],
                channel_of[q["measure"]],
                q["measure"],
                place.get(q["geography_code"], q["geography_code"]),
                q["unit"],
                date.fromisoformat(d["period_start"]),
                date.fromisoformat(d["period_end"]),
                float(d["value"]) if d["value_basis"] == pinned else None,
                float(d["lower"]) if d["lower"] else 0.0,
                _num(d["upper"]),
            )
        )
    return sorted(bars, key=lambda b: (b.channel, b.place, b.start, b.measure, b.quantity_id))


# how a marker is filled tells the measure within its channel (in the vocabulary's order of the
# channel's measures: the first filled, the second hollow, the next half-filled)
MEASURE_FILLS = ("full", "none", "left", "bottom", "right", "top")
MARKER_SIZE = 5  # points
# no mark hides another: rates of one panel that share their period have their lines (and markers)
# drawn SPREAD_Y points apart upwards (the k-th of n moved k - (n - 1) / 2 steps, in the chart's
# order of rates); markers of one panel that would fall within a marker's width of each other on
# the page are drawn SPREAD_X points apart sideways (in order of where they fall, left to right),
# and so again until none does
SPREAD_X = 6.5
SPREAD_Y = 3.0
PANEL_HEIGHT = 2.6  # inches, a channel's panel
FOOT_HEIGHT = 2.2  # inches below the panels: the legend and the caption


def measure_fills(vocabulary) -> dict[str, str]:
    """The marker fill of each help-seeking measure: its place among its channel's measures."""
    return {
        m: MEASURE_FILLS[k % len(MEASURE_FILLS)]
        for measures in vocabulary.channels.values()
        for k, m in enumerate(measures)
    }


def spread(bars: list[RateBar]) -> dict[str, float]:
    """Each rate's step upwards (0 where no other rate of its panel shares its period; else centred
    on 0, in the order of ``bars``)."""
    groups: dict[tuple, list[str]] = {}
    for b in bars:
        groups.setdefault((b.channel, b.start, b.end), []).append(b.metric_id)
    return {m: _centred(k, len(ids)) for ids in groups.values() for k, m in enumerate(ids)}


def sideways(points: dict[str, list[tuple[float, float]]], size: float, step: float):
    """Each mark's step sideways (``points``: each mark's markers where they fall on the page,
    ``size`` a marker's width, ``step`` (more than ``size``) the distance between two moved marks,
    in one unit): marks whose markers fall within ``size`` of each other, at their places once
    moved, are moved as one group, left to right, each ``step`` from the next, until none do."""
    group = {m: m for m in points}
    while True:
        steps = _group_steps(points, group)
        moved = {m: [(x + steps[m] * step, y) for x, y in ps] for m, ps in points.items()}
        close = [
            (a, b)
            for a, b in itertools.combinations(sorted(points), 2)
            if group[a] != group[b] and _touch(moved[a], moved[b], size)
        ]
        if not close:
            return steps
        a, b = close[0]
        old, new = group[b], group[a]
        group = {m: new if g == old else g for m, g in group.items()}


def _group_steps(points: dict[str, list[tuple[float, float]]], group: dict[str, str]):
    """Steps centred on 0 within each group, in order of where its marks fall (left to right)."""
    members: dict[str, list[str]] = {}
    for m in sorted(points, key=lambda m: (min(x for x, _ in points[m]), m)):
        members.setdefault(group[m], []).append(m)
    return {m: _centred(k, len(ms)) for ms in members.values() for k, m in enumerate(ms)}


def _touch(a: list[tuple[float, float]], b: list[tuple[float, float]], size: float) -> bool:
    return any(abs(p[0] - q[0]) < size and abs(p[1] - q[1]) < size for p in a for q in b)


def plain_number(value: float, _pos=None) -> str:
    """A tick label as a plain number (0.1, 1, 10), never a power of ten."""
    import numpy as np

    return np.format_float_positional(value, trim="-")


CAPTION = (
    "Each rate spans its quantity's whole period, per {per} people per month: a thick line "
    "where the evidence pins it to one value (its marker at the period's middle); elsewhere "
    "only the band of the interval its hedges and the other evidence allow, between thin lines,"
    " a marker at each end (an arrow: no upper end, as “more than”), since no point inside it "
    "is a number the sources give. Colour and marker shape give the place; the marker's fill "
    "gives what is counted (each panel's own legend names it: callers about their own behaviour"
    " and about someone else are never drawn alike); the line gives the unit (solid people, "
    "dashed calls, dotted visits, dash-dot contacts; a count per month as what it counts). So "
    "that no mark hides another, rates of one panel that share their period are drawn {dy:g} "
    "points apart upwards (in order of place, start and measure), and markers that would fall "
    "within a marker's width of each other {dx:g} points apart sideways (left to right), a thin"
    " line joining each moved marker to the middle of its period. Comparable: rates of the same"
    " channel and unit. Not comparable: calls with people; distinct people over a long period "
    "with a short one (someone who came back is counted once, so a long period's monthly share "
    "reads lower); counts whose channel is not stated or mixed with any one channel alone. A "
    "channel with no rate has no panel. All panels share one time axis. Press-reported figures."
)


def help_seeking(
    vocabulary, quantities: list[dict], derived: list[dict], geographies: list[dict], per: int
):
    """Help-seeking per ``per`` people per month over time, one panel per channel that has a rate
    (in the vocabulary's order), each quantity across its period, all panels on one time axis."""
    plt = _plt()
    bars = rate_bars(vocabulary, quantities, derived, geographies)
    channels = [c for c in vocabulary.channels if any(b.channel == c for b in bars)] or list(
        vocabulary.channels
    )[:1]
    lines, fills = unit_lines(vocabulary), measure_fills(vocabulary)
    style = place_styles(sorted({b.place for b in bars}))
    # one panel a row, the full width of the page, on one time axis
    height = PANEL_HEIGHT * len(channels) + FOOT_HEIGHT
    fig, axes = plt.subplots(len(channels), 1, figsize=(12, height), sharex=True, sharey=True,
                             squeeze=False)  # fmt: skip
    fig.subplots_adjust(left=0.07, right=0.98, bottom=FOOT_HEIGHT / height,
                        top=1 - 0.5 / height, hspace=0.3)  # fmt: skip
    panels = [row[0] for row in axes]
    for ax in panels:
        _log_axis(ax)
    _time_axis(panels[0], bars)
    _value_axis(panels[0], bars)
    up = spread(bars)
    for ax, channel in zip(panels, channels, strict=True):
        drawn = [b for b in bars if b.channel == channel]
        aside = _marker_steps(ax, drawn, up)
        for b in drawn:
            look = (*style[b.place], line_of(vocabulary, lines, b.unit), fills[b.measure])
            _draw_bar(ax, b, look, (aside[b.metric_id], up[b.metric_id]))
        _measure_legend(plt, ax, fills, drawn)
        ax.set_title(f"{channel}")
        ax.set_ylabel(f"per {per:,} people\nper month (log scale)")
        ax.xaxis.set_tick_params(labelbottom=True)
    fig.legend(handles=_help_seeking_handles(plt, style, lines), fontsize=7, loc="center",
               bbox_to_anchor=(0.5, 1.4 / height), ncol=6, frameon=False)  # fmt: skip
    fig.suptitle("Help-seeking per head of population, by channel", x=0.02, ha="left")
    caption = CAPTION.format(per=f"{per:,}", dx=SPREAD_X, dy=SPREAD_Y)
    fig.text(0.02, 0.01, _wrap(caption, 190), fontsize=7, va="bottom", gid="caption")
    return fig


def _marker_steps(ax, bars: list[RateBar], up: dict[str, float]) -> dict[str, float]:
    """Each rate's step sideways (``sideways``), from where its markers fall on the page in
    pixels, its step up (``spread``) included."""
    from matplotlib.dates import date2num

    points_per_pixel = 72 / ax.figure.dpi
    points = {}
    for b in bars:
        ys = [b.value] if b.value is not None else [b.lower, b.upper or b.lower]
        xy = ax.transData.transform([(float(date2num(b.middle)), y) for y in ys if y > 0])
        points[b.metric_id] = [
            (x * points_per_pixel, y * points_per_pixel + up[b.metric_id] * SPREAD_Y) for x, y in xy
        ]
    return sideways(points, MARKER_SIZE, SPREAD_X)


def _log_axis(ax) -> None:
    """A log scale whose ticks read as plain numbers."""
    from matplotlib import ticker

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(plain_number))
    ax.yaxis.set_minor_formatter(ticker.NullFormatter())


def _time_axis(ax, bars: list[RateBar]) -> None:
    """One time range for every panel (they share it): the first start to the last end, a month's
    margin either side."""
    from datetime import timedelta

    if bars:
        margin = timedelta(days=31)
        ax.set_xlim(min(b.start for b in bars) - margin, max(b.end for b in bars) + margin)


def _value_axis(ax, bars: list[RateBar]) -> None:
    """One value range for every panel (they share it): half the least positive number drawn to
    twice the largest (an arrow reaches twice its lower end), since marks drawn apart
    (``spread``) are not counted by matplotlib's own limits."""
    drawn = [v for b in bars for v in (b.value, b.lower, b.upper) if v]
    if drawn:
        ax.set_ylim(min(drawn) / 2, max(drawn) * 2)


def _help_seeking_handles(plt, style, lines) -> list:
    """The figure's legend: each place (colour and shape) and each unit (line)."""
    handles = [plt.Line2D([], [], color=c, marker=m, ls="", label=p) for p, (c, m) in style.items()]
    return handles + [plt.Line2D([], [], color="grey", ls=ls, label=u) for u, ls in lines.items()]


def _measure_legend(plt, ax, fills: dict[str, str], bars: list[RateBar]) -> None:
    """A panel's own legend: each measure it draws, by its marker's fill, in words."""
    drawn = {b.measure for b in bars}
    handles = [
        plt.Line2D([], [], color="grey", marker="o", fillstyle=f, ls="", label=m.replace("_", " "))
        for m, f in fills.items()
        if m in drawn
    ]
    ax.legend(handles=handles, fontsize=6, loc="upper left", title="counted", title_fontsize=6)


def _draw_bar(ax, b: RateBar, look: tuple[str, str, str, str], steps: tuple[float, float]) -> None:
    """A rate across its period: a thick line at its value where the evidence pins it, its marker
    at the period's middle; else its interval alone, a band between thin lines in the unit's line,
    a marker at each end (at the lower end only, with an arrow up, where it has no upper end).
    ``steps``: how far it is drawn apart from other rates, sideways (its marker) and up
    (``sideways``, ``spread``)."""
    from matplotlib import transforms

    colour, marker, line, fill = look
    aside, up = steps
    lines = transforms.offset_copy(ax.transData, fig=ax.figure, y=up * SPREAD_Y, units="points")
    marks = transforms.offset_copy(
        ax.transData, fig=ax.figure, x=aside * SPREAD_X, y=up * SPREAD_Y, units="points"
    )
    dot = {"color": colour, "marker": marker, "fillstyle": fill, "markersize": MARKER_SIZE}
    if aside:
        _leaders(ax, b, colour, (lines, marks))
    if b.value is not None:
        ax.plot([b.start, b.end], [b.value] * 2, color=colour, ls=line, lw=2, transform=lines,
                gid=f"rate:{b.metric_id}")  # fmt: skip
        ax.plot([b.middle], [b.value], ls="", transform=marks, gid=f"mark:{b.metric_id}", **dot)
        return
    upper = b.upper if b.upper is not None else b.lower
    ax.fill_between([b.start, b.end], [b.lower] * 2, [upper] * 2, color=colour, alpha=0.18, lw=0,
                    transform=lines, gid=f"band:{b.metric_id}")  # fmt: skip
    ends = [b.lower] if b.upper is None else [b.lower, upper]
    for k, end in enumerate(ends):
        ax.plot([b.start, b.end], [end] * 2, color=colour, ls=line, lw=0.8, transform=lines,
                gid=f"end{k}:{b.metric_id}")  # fmt: skip
    ax.plot([b.middle] * len(ends), ends, ls="-", lw=0.8, transform=marks,
            gid=f"mark:{b.metric_id}", **dot)  # fmt: skip
    if b.upper is None:
        from matplotlib.dates import date2num

        x = float(date2num(b.middle))  # a transform not the axes' own takes numbers, not dates
        ax.annotate("", xy=(x, b.lower * 2), xytext=(x, b.lower), xycoords=marks,
                    arrowprops={"arrowstyle": "->", "lw": 0.8, "color": colour})  # fmt: skip


def _leaders(ax, b: RateBar, colour: str, places) -> None:
    """Thin lines from a rate's period's middle to its markers, where they were moved sideways."""
    from matplotlib.dates import date2num

    lines, marks = places
    x = float(date2num(b.middle))  # a transform not the axes' own takes numbers, not dates
    ys = [b.value] if b.value is not None else [b.lower, b.upper or b.lower]
    for y in (y for y in ys if y > 0):
        ax.annotate("", xy=(x, y), xycoords=marks, xytext=(x, y), textcoords=lines,
                    arrowprops={"arrowstyle": "-", "lw": 0.5, "color": colour, "shrinkA": 0,
                                "shrinkB": 0})  # fmt: skip


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def claims_chart(vocabulary, claims: list[dict], labels: dict[str, str] | None = None):
    """Each checked claim: the stated interval against the computed one; a row per claim, labelled
    in words (``labels``: claim id -> words, from ``claim_labels``; the id where none is given), its
    verdict told by the computed marker's shape and in words at the row's right end (and by
    colour). The layout makes room for every label: nothing is clipped."""
    plt = _plt()
    colours, shapes = verdict_colours(vocabulary), verdict_markers(vocabulary)
    rows = sorted(claims, key=lambda r: r["claim_id"])
    labels = labels or {}
    fig, ax = plt.subplots(figsize=(11, 0.32 * len(rows) + 2.0), layout="constrained")
    for i, r in enumerate(rows):
        _draw_claim(ax, i, r, colours[r["verdict"]], shapes[r["verdict"]])
    ax.set_yticks(range(len(rows)), [labels.get(r["claim_id"], r["claim_id"]) for r in rows])
    ax.tick_params(axis="y", labelsize=7)
    words = ax.secondary_yaxis("right")
    words.set_yticks(range(len(rows)), [r["verdict"].replace("_", " ") for r in rows])
    words.tick_params(axis="y", labelsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the first row at the top
    ax.axvline(1, color="black", lw=0.5)
    ax.set_xlim(0, RATIO_MAX)
    ax.set_xlabel(
        "relative to the stated number\n(black: stated and its interval; marker and colour: "
        "computed, by verdict;\nan arrow: beyond the edge)"
    )
    handles = [
        plt.Line2D([], [], marker=shapes[v], color=c, ls="", label=v.replace("_", " "))
        for v, c in colours.items()
    ]
    fig.legend(handles=handles, fontsize=7, loc="outside lower center", ncol=len(handles))
    fig.suptitle("The articles' claims, recomputed")
    return fig


def _draw_claim(ax, i: int, r: dict, colour: str, shape: str) -> None:
    """One claim's row: its stated number and interval above, the computed ones below."""
    s, c = float(r["stated"]), _num(r["computed"])
    slo, shi, lo, hi = (_num(r[k]) for k in ("stated_lower", "stated_upper", "lower", "upper"))
    ax.plot(_span(slo, shi, s), [i - 0.15] * 2, color="black", lw=1.5)
    ax.plot([1.0], [i - 0.15], marker="|", color="black", markersize=7)
    ratio = c / s if c is not None else None  # no single computed value: the interval alone
    xs = [] if ratio is None else [min(max(ratio, 0.0), RATIO_MAX)]
    ax.plot(xs, [i + 0.15] * len(xs), marker=shape, color=colour, markersize=6, ls="",
            gid=f"claim:{r['claim_id']}")  # fmt: skip
    if ratio is not None and ratio > RATIO_MAX:
        ax.annotate("", xy=(RATIO_MAX, i + 0.15), xytext=(RATIO_MAX - 0.12, i + 0.15),
                    arrowprops={"arrowstyle": "->", "color": colour})  # fmt: skip
    ax.plot(_span(lo, hi, s), [i + 0.15] * 2, color=colour, lw=2)


def claim_labels(claims: list[dict], figures: list[dict], sources: list[dict]) -> dict[str, str]:
    """Each claim in words: the number as its source writes it (with the relation where it is not
    equality), what it counts and where, and the source's publisher and year, from the
    published tables."""
    figure = {f["figure_id"]: f for f in figures}
    source = {s["source_id"]: s for s in sources}
    out = {}
    for c in claims:
        f = figure[c["figure_id"]]
        s = source[f["source_id"]]
        relation = "" if c["relation"] == "equals" else f"{c['relation']} "
        out[c["claim_id"]] = (
            f"{relation}“{f['as_written']}”, {f['measure'].replace('_', ' ')} ({f['geography']}); "
            f"{s['publisher']} {s['published_earliest'][:4]}"
        )
    return out


def _span(lo: float | None, hi: float | None, stated: float) -> list[float]:
    """An interval relative to the stated number, unbounded ends drawn to the chart's edges."""
    return [
        0.0 if lo is None else min(max(lo / stated, 0.0), RATIO_MAX),
        RATIO_MAX if hi is None else min(max(hi / stated, 0.0), RATIO_MAX),
    ]


@dataclass(frozen=True)
class SeriesRow:
    """One period of a series as its chart draws it: a member's quantity interval (``upper``
    None: unbounded above) and its value where the evidence pins it; a gap (no ``quantity_id``)
    has neither."""

    member_id: str
    series_id: str
    place: str
    start: date
    end: date
    quantity_id: str
    lower: float | None
    upper: float | None
    value: float | None


def series_groups(
    vocabulary, series: list[dict], quantities: list[dict], geographies: list[dict], by: list[str]
) -> dict[tuple, list[SeriesRow]]:
    """The series charts' rows: every row of the series table, grouped by its cells in the columns
    ``by`` (params.yaml report.series_chart_by), each group in the order of its rows; read from the
    data alone."""
    pinned = vocabulary.names("quantities", "value_basis").pinned
    q_of = {q["quantity_id"]: q for q in quantities}
    place = {g["geography_code"]: g["geography"] for g in geographies}
    groups: dict[tuple, list[SeriesRow]] = {}
    for r in series:
        q = q_of.get(r["quantity_id"], {})
        groups.setdefault(tuple(r[c] for c in by), []).append(
            SeriesRow(
                r["member_id"],
                r["series_id"],
                place.get(r["geography_code"], r["geography_code"]),
                date.fromisoformat(r["period_start"]),
                date.fromisoformat(r["period_end"]),
                r["quantity_id"],
                (float(q["lower"]) if q["lower"] else 0.0) if q else None,
                _num(q["upper"]) if q else None,
                float(q["value"]) if q and q["value_basis"] == pinned else None,
            )
        )
    return dict(sorted(groups.items()))


SERIES_CAPTION = (
    "Each period of a series is drawn across its length: a band from the lower to the upper end of "
    "the interval the evidence allows (an arrow: no upper end), a dot where the evidence pins one "
    "value; a hatched span is a gap, a period no source gives (a gap in the sources, not a period "
    "without help-seeking). One colour and marker per place. The series of one chart share "
    "measure, unit, counting and period alignment; places may differ in size, so compare a place "
    "with itself over time. Press-reported figures."
)


def series_chart(title: str, rows: list[SeriesRow]):
    """One chart of a group of series (``series_groups``): a line of periods per place."""
    plt = _plt()
    places = sorted({r.place for r in rows})
    style = {
        p: (PLACE_COLOURS[k % len(PLACE_COLOURS)], PLACE_MARKERS[k % len(PLACE_MARKERS)])
        for k, p in enumerate(places)
    }
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    for r in rows:
        _draw_period(ax, r, style[r.place])
    ax.set_ylim(bottom=0)
    ax.tick_params(axis="x", rotation=30)
    handles = [plt.Line2D([], [], color=c, marker=m, ls="", label=p) for p, (c, m) in style.items()]
    handles.append(
        plt.Rectangle(
            (0, 0), 1, 1, facecolor="none", edgecolor="grey", hatch="//", label="gap: no source"
        )
    )
    ax.legend(handles=handles, fontsize=7, loc="upper left", frameon=False)
    fig.suptitle(title, x=0.02, ha="left")
    fig.text(0.02, 0.01, _wrap(SERIES_CAPTION, 130), fontsize=7, va="bottom", gid="caption")
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.3, top=0.9)
    return fig


def _draw_period(ax, r: SeriesRow, style: tuple[str, str]) -> None:
    """A member's interval across its period (its pinned value a dot at its middle), or a gap as a
    hatched span."""
    colour, marker = style
    if not r.quantity_id:
        ax.axvspan(
            r.start,
            r.end,
            facecolor="none",
            edgecolor=colour,
            hatch="//",
            lw=0,
            alpha=0.6,
            gid=f"gap:{r.member_id}",
        )
        return
    middle = _middle(r.start, r.end)
    top = r.upper if r.upper is not None else r.lower
    ax.fill_between(
        [r.start, r.end],
        [r.lower] * 2,
        [top] * 2,
        color=colour,
        alpha=0.25,
        lw=0,
        gid=f"band:{r.member_id}",
    )
    ax.plot([middle, middle], [r.lower, top], color=colour, lw=1.2, gid=f"interval:{r.member_id}")
    if r.upper is None:
        ax.annotate(
            "",
            xy=(middle, r.lower * 1.5 or 1),
            xytext=(middle, r.lower),
            arrowprops={"arrowstyle": "->", "color": colour},
        )
    if r.value is not None:
        ax.plot([middle], [r.value], color=colour, marker=marker, ls="", gid=f"value:{r.member_id}")


@dataclass(frozen=True)
class PlaceBar:
    """One quantity of a place chart (``place_bars``): its count and its rate per head over its
    period, each a value where the evidence pins it (else None) and an interval (``upper`` None:
    unbounded above); the rate's fields are None where the quantity has no rate."""

    quantity_id: str
    place: str
    unit: str
    start: date
    end: date
    value: float | None
    lower: float
    upper: float | None
    rate_id: str | None
    rate: float | None
    rate_lower: float | None
    rate_upper: float | None


def place_bars(
    vocabulary, group: dict, quantities: list[dict], derived: list[dict], geographies: list[dict]
) -> list[PlaceBar]:
    """The quantities a place chart draws (a group of params.yaml report.place_charts): those of
    its measure whose place is of its kind of place and lies in its nation, read from the data
    alone; in order of place, then period."""
    from .datasheet import nations_of

    places = {
        g["geography_code"]: g["geography"]
        for g in geographies
        if g["kind"] == group["geography_kind"]
        and group["nation"] in nations_of(vocabulary, [g["geography_code"]])
    }
    pinned = vocabulary.names("derived", "value_basis").pinned
    kind = vocabulary.names("derived", "kind").rate
    rate_of = {d["inputs"].split()[0]: d for d in derived if d["kind"] == kind}
    bars = []
    for q in quantities:
        if q["measure"] != group["measure"] or q["geography_code"] not in places:
            continue
        r = rate_of.get(q["quantity_id"])
        bars.append(
            PlaceBar(
                q["quantity_id"],
                places[q["geography_code"]],
                q["unit"],
                date.fromisoformat(q["period_start"]),
                date.fromisoformat(q["period_end"]),
                float(q["value"]) if q["value_basis"] == pinned else None,
                float(q["lower"]) if q["lower"] else 0.0,
                _num(q["upper"]),
                r["metric_id"] if r else None,
                float(r["value"]) if r and r["value_basis"] == pinned else None,
                (float(r["lower"]) if r["lower"] else 0.0) if r else None,
                _num(r["upper"]) if r else None,
            )
        )
    return sorted(bars, key=lambda b: (b.place, b.start, b.end, b.quantity_id))


PLACE_HATCHES = ("", "//", "..", "xx", "\\\\", "oo")
PLACE_CAPTION = (
    "Left: the number the sources give for each place; right: the same per {per} residents (the "
    "place's population estimate of the period's year). A bar from zero where the evidence pins "
    "the number; a hollow bar from the lower to the upper end of the interval it allows where it "
    "does not (an arrow: no upper end). Colour and hatching give the period: compare bars of one "
    "period only (a longer period counts more people). Press-reported figures."
)


def place_chart(title: str, bars: list[PlaceBar], per: int):
    """A chart of one measure across places: each place's quantities, a bar per period, as counts
    (left) and per ``per`` people (right)."""
    plt = _plt()
    places = sorted({b.place for b in bars})
    periods = sorted({(b.start, b.end) for b in bars})
    look = {
        p: (PLACE_COLOURS[k % len(PLACE_COLOURS)], PLACE_HATCHES[k % len(PLACE_HATCHES)])
        for k, p in enumerate(periods)
    }
    width = 0.8 / max(len(periods), 1)
    fig, (counts, rates) = plt.subplots(1, 2, figsize=(9, 4.8))
    for b in bars:
        k = periods.index((b.start, b.end))
        x = places.index(b.place) + _centred(k, len(periods)) * width
        _place_bar(counts, x, width, (b.value, b.lower, b.upper), look[periods[k]],
                   f"count:{b.quantity_id}")  # fmt: skip
        if b.rate_id:
            _place_bar(rates, x, width, (b.rate, b.rate_lower, b.rate_upper),
                       look[periods[k]], f"rate:{b.rate_id}")  # fmt: skip
    units = sorted({b.unit for b in bars})
    for ax, label in ((counts, ", ".join(units)), (rates, f"per {per:,} people")):
        ax.set_xticks(range(len(places)), places)
        ax.set_ylabel(label)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(plt.FuncFormatter(plain_number))
    counts.set_title("as the sources give them")
    rates.set_title(f"per {per:,} residents")
    handles = [
        plt.Rectangle(
            (0, 0), 1, 1, facecolor=c, edgecolor="black", hatch=h, label=f"{s:%b %Y} to {e:%b %Y}"
        )  # fmt: skip
        for (s, e), (c, h) in look.items()
    ]
    fig.legend(handles=handles, fontsize=7, loc="center", bbox_to_anchor=(0.5, 0.17), frameon=False,
               ncol=min(len(handles), 4), title="period", title_fontsize=7)  # fmt: skip
    fig.suptitle(title, x=0.02, ha="left")
    caption = _wrap(PLACE_CAPTION.format(per=f"{per:,}"), 150)
    fig.text(0.02, 0.01, caption, fontsize=7, va="bottom", gid="caption")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.3, top=0.86, wspace=0.25)
    return fig


def _place_bar(ax, x: float, width: float, number, look: tuple[str, str], gid: str) -> None:
    """One bar: from zero to the value where it is pinned, else a hollow bar over the interval (to
    the lower end, with an arrow up, where it has no upper end)."""
    value, lower, upper = number
    colour, hatch = look
    if value is not None:
        ax.bar([x], [value], width, color=colour, hatch=hatch, edgecolor="black", lw=0.5, gid=gid)
        return
    top = upper if upper is not None else lower
    ax.bar([x], [top - lower], width, bottom=lower, facecolor="none", edgecolor=colour, lw=1.2,
           hatch=hatch, gid=gid)  # fmt: skip
    if upper is None:
        ax.annotate("", xy=(x, lower * 1.3), xytext=(x, lower),
                    arrowprops={"arrowstyle": "->", "color": colour})  # fmt: skip
