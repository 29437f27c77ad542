"""Charts of the package, drawn with matplotlib's Agg backend (no display, no
network) as deterministic SVG. Each function takes rows of the published
tables and returns the figure; the test reads back what was plotted from its
artists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

RATIO_MAX = 3.0  # unbounded ends are drawn to the edge
# one colour for each verdict of the claims schema, in the order of its enum
VERDICT_PALETTE = ("#1b7837", "#a6dba0", "#c2185b", "#9e9e9e")


def verdict_colours(vocabulary) -> dict[str, str]:
    return dict(zip(vocabulary.enum("claims", "verdict"), VERDICT_PALETTE, strict=True))


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


def save_svg(fig, path) -> None:
    import io

    from ..tables.csvio import atomic_write_bytes

    buf = io.BytesIO()
    # margins are set by each chart (subplots_adjust): a "tight" bounding box would draw every chart
    # twice
    fig.savefig(buf, format="svg", metadata={"Date": None})
    atomic_write_bytes(path, buf.getvalue())
    _plt().close(fig)


def _num(cell: str) -> float | None:
    return None if cell in ("", None) else float(cell)


# Okabe-Ito colours (told apart with colour-blindness) and marker shapes, given to places in order of name,
# so that a place is told apart by colour and by shape; past as many places as there are colours, the shapes shift
# by one each round, so that no two places share both (place_styles)
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
    """Each place's colour and marker: its own colour and its own shape while there are no more places than colours,
    and never the pair of another place (up to colours times shapes places)."""
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
    place: str
    unit: str
    start: date
    end: date
    value: float | None
    lower: float
    upper: float | None  # None: unbounded above


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
                place.get(q["geography_code"], q["geography_code"]),
                q["unit"],
                date.fromisoformat(d["period_start"]),
                date.fromisoformat(d["period_end"]),
                float(d["value"]) if d["value_basis"] == pinned else None,
                float(d["lower"]) if d["lower"] else 0.0,
                _num(d["upper"]),
            )
        )
    return sorted(bars, key=lambda b: (b.channel, b.place, b.start, b.quantity_id))


CAPTION = (
    "Each rate spans its quantity's whole period, per {per} people per month: a bar where the "
    "evidence pins it to one value; "
    "elsewhere only the band of the interval its hedges and the other evidence allow, its ends "
    "marked by hollow markers "
    "(an arrow: no upper end, as “more than”), since no point inside it is a number the sources "
    "give. Colour and marker shape give the place; the line gives the unit "
    "(solid people, dashed calls, dotted visits, dash-dot contacts; a count per month as what it "
    "counts). Comparable: rates of the "
    "same channel and unit. Not comparable: calls with people; distinct people over a long period "
    "with a short one (someone who "
    "came back is counted once, so a long period's monthly share reads lower); counts whose "
    "channel is not stated or mixed with any "
    "one channel alone. A channel with no rate has no panel. Press-reported figures."
)


def help_seeking(
    vocabulary, quantities: list[dict], derived: list[dict], geographies: list[dict], per: int
):
    """Help-seeking per ``per`` people per month over time, one panel per channel that has a rate
    (in the vocabulary's order), each quantity across its period."""
    plt = _plt()
    bars = rate_bars(vocabulary, quantities, derived, geographies)
    channels = [c for c in vocabulary.channels if any(b.channel == c for b in bars)] or list(
        vocabulary.channels
    )[:1]
    places = sorted({b.place for b in bars})
    lines = unit_lines(vocabulary)
    style = place_styles(places)
    fig, axes = plt.subplots(
        1, len(channels), figsize=(4.3 * len(channels), 5.4), sharey=True, squeeze=False
    )
    for ax, channel in zip(axes[0], channels, strict=True):
        for b in (b for b in bars if b.channel == channel):
            _draw_bar(ax, b, style[b.place], line_of(vocabulary, lines, b.unit))
        ax.set_title(f"{channel}")
        ax.set_yscale("log")
        ax.tick_params(axis="x", rotation=30)
    axes[0][0].set_ylabel(f"per {per:,} people per month (log scale)")
    handles = [plt.Line2D([], [], color=c, marker=m, ls="", label=p) for p, (c, m) in style.items()]
    handles += [plt.Line2D([], [], color="grey", ls=ls, label=u) for u, ls in lines.items()]
    fig.legend(
        handles=handles, fontsize=7, loc="center", bbox_to_anchor=(0.5, 0.2), ncol=6, frameon=False
    )
    fig.suptitle("Help-seeking per head of population, by channel", x=0.02, ha="left")
    fig.text(
        0.02,
        0.01,
        _wrap(CAPTION.format(per=f"{per:,}"), 190),
        fontsize=7,
        va="bottom",
        gid="caption",
    )
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.36, top=0.9, wspace=0.08)
    return fig


def _draw_bar(ax, b: RateBar, style: tuple[str, str], line: str) -> None:
    """A rate across its period: a bar at its value where the evidence pins it; else its interval
    alone, a band with its ends drawn in the unit's line and marked at the period's middle by hollow
    markers (to the lower end only, with an arrow up, where it has no upper end)."""
    colour, marker = style
    middle = b.start + (b.end - b.start) / 2
    if b.value is not None:
        ax.plot(
            [b.start, b.end], [b.value] * 2, color=colour, ls=line, lw=2, gid=f"rate:{b.metric_id}"
        )
        ax.plot([middle], [b.value], color=colour, marker=marker, ls="", markersize=5)
        return
    upper = b.upper if b.upper is not None else b.lower
    ax.fill_between(
        [b.start, b.end],
        [b.lower] * 2,
        [upper] * 2,
        color=colour,
        alpha=0.18,
        lw=0,
        gid=f"band:{b.metric_id}",
    )
    ends = [b.lower] if b.upper is None else [b.lower, upper]
    for k, end in enumerate(ends):
        ax.plot(
            [b.start, b.end], [end] * 2, color=colour, ls=line, lw=0.8, gid=f"end{k}:{b.metric_id}"
        )
    ax.plot(
        [middle] * len(ends),
        ends,
        color=colour,
        marker=marker,
        markerfacecolor="none",
        ls="-",
        lw=0.8,
        markersize=5,
    )
    if b.upper is None:
        ax.annotate(
            "",
            xy=(middle, b.lower * 2),
            xytext=(middle, b.lower),
            arrowprops={"arrowstyle": "->", "lw": 0.8, "color": colour},
        )


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def claims_chart(vocabulary, claims: list[dict]):
    """Each checked claim: the stated interval against the computed one, coloured by verdict."""
    plt = _plt()
    colours = verdict_colours(vocabulary)
    rows = sorted(claims, key=lambda r: r["claim_id"])
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.2))
    for i, r in enumerate(rows):
        colour = colours[r["verdict"]]
        s, c = float(r["stated"]), _num(r["computed"])
        slo, shi, lo, hi = (_num(r[k]) for k in ("stated_lower", "stated_upper", "lower", "upper"))
        ax.plot(_span(slo, shi, s), [i + 0.15, i + 0.15], color="black", lw=1.5)
        ax.plot([1.0], [i + 0.15], marker="s", color="black", markersize=4)
        ratio = c / s if c is not None else None  # no single computed value: the interval alone
        marker = "o" if ratio is None or ratio <= RATIO_MAX else ">"
        xs = [] if ratio is None else [min(max(ratio, 0.0), RATIO_MAX)]
        ax.plot(
            xs,
            [i - 0.15] * len(xs),
            marker=marker,
            color=colour,
            markersize=6,
            gid=f"claim:{r['claim_id']}",
        )
        ax.plot(_span(lo, hi, s), [i - 0.15, i - 0.15], color=colour, lw=2)
    ax.set_yticks(range(len(rows)), [r["claim_id"] for r in rows])
    ax.axvline(1, color="black", lw=0.5)
    ax.set_xlim(0, RATIO_MAX)
    ax.set_xlabel(
        "relative to the stated number (black: stated and its interval; colour: computed; > beyond "
        "the edge)"
    )
    handles = [
        plt.Line2D([], [], marker="o", color=c, ls="", label=v.replace("_", " "))
        for v, c in colours.items()
    ]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title("The articles' claims, recomputed")
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.3, right=0.78, bottom=0.7 / height, top=1 - 0.4 / height)
    return fig


def _span(lo: float | None, hi: float | None, stated: float) -> list[float]:
    """An interval relative to the stated number, unbounded ends drawn to the chart's edges."""
    return [
        0.0 if lo is None else min(max(lo / stated, 0.0), RATIO_MAX),
        RATIO_MAX if hi is None else min(max(hi / stated, 0.0), RATIO_MAX),
    ]


def save_png(fig, path) -> None:
    """The figure as PNG (no date or software in its metadata, so the same figure gives the same bytes)."""
    import io

    from ..tables.csvio import atomic_write_bytes

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    atomic_write_bytes(path, buf.getvalue())


@dataclass(frozen=True)
class SeriesRow:
    """One period of a series as its chart draws it: a member's quantity interval (``upper`` None: unbounded above)
    and its value where the evidence pins it; a gap (no ``quantity_id``) has neither."""

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
    """The series charts' rows: every row of the series table, grouped by its cells in the columns ``by``
    (params.yaml report.series_chart_by), each group in the order of its rows; read from the data alone."""
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
    "Each period of a series is drawn across its length: a band from the lower to the upper end of the interval the "
    "evidence allows (an arrow: no upper end), a dot where the evidence pins one value; a hatched span is a gap, a period "
    "no source gives (a gap in the sources, not a period without help-seeking). One colour and marker per place. The "
    "series of one chart share measure, unit, counting and period alignment; places may differ in size, so compare a "
    "place with itself over time. Press-reported figures."
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
    """A member's interval across its period (its pinned value a dot at its middle), or a gap as a hatched span."""
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
    middle = r.start + (r.end - r.start) / 2
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
