"""Charts of the package, drawn with matplotlib's Agg backend (no display, no
network) as deterministic SVG. Each function takes rows of the published
tables and returns the figure; the test reads back what was plotted from its
artists."""

from __future__ import annotations

from datetime import date

CITIES = (("S12000049", "Glasgow"), ("S12000036", "Edinburgh"), ("S12000042", "Dundee"))
RATIO_MAX = 3.0  # unbounded ends are drawn to the edge
# one colour for each verdict of the claims schema, in the order of its enum
VERDICT_PALETTE = ("#1b7837", "#a6dba0", "#c2185b", "#9e9e9e")


def verdict_colours(vocabulary) -> dict[str, str]:
    return dict(zip(vocabulary.enum("claims", "verdict"), VERDICT_PALETTE, strict=True))


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # text stays text in the SVG (selectable, read by screen readers, half the bytes), drawn in the reader's sans-serif
    plt.rcParams.update(
        {"svg.hashsalt": "stopitnow-figures", "svg.fonttype": "none", "font.family": "sans-serif", "font.size": 9, "figure.dpi": 100}
    )
    return plt


def save_svg(fig, path) -> None:
    import io

    from .csvio import atomic_write_bytes

    buf = io.BytesIO()
    # margins are set by each chart (subplots_adjust): a "tight" bounding box would draw every chart twice
    fig.savefig(buf, format="svg", metadata={"Date": None})
    atomic_write_bytes(path, buf.getvalue())
    _plt().close(fig)


def _num(cell: str) -> float | None:
    return None if cell in ("", None) else float(cell)


def _mid(r: dict) -> date:
    a, b = date.fromisoformat(r["period_start"]), date.fromisoformat(r["period_end"])
    return a + (b - a) / 2


def help_seeking(vocabulary, figures: list[dict]):
    """Calls and website visitors over time (period midpoints), by place; hedged
    figures as intervals (an arrow marks an unbounded end)."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=False)
    people = vocabulary.names("figures", "unit").people
    panels = {
        "helpline": lambda r: r["measure"] in vocabulary.channels["helpline"],
        "website visitors": lambda r: r["measure"] in vocabulary.channels["website"] and r["unit"] == people,
    }
    for ax, (title, shown) in zip(axes, panels.items(), strict=False):
        rows = [r for r in figures if shown(r) and r["period_start"] and r["geography_code"] and r["qualifier"] != vocabulary.vague]
        by_place: dict[str, list[dict]] = {}
        for r in sorted(rows, key=lambda r: (r["geography"], r["period_start"], r["figure_id"])):
            by_place.setdefault(r["geography"], []).append(r)
        for place, items in by_place.items():
            xs = [_mid(r) for r in items]
            ys = [float(r["value"]) for r in items]
            lo = [y - (_num(r["lower"]) if _num(r["lower"]) is not None else y) for y, r in zip(ys, items, strict=False)]
            hi = [((_num(r["upper"]) if _num(r["upper"]) is not None else y) - y) for y, r in zip(ys, items, strict=False)]
            ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o", capsize=3, label=place, gid=f"series:{place}")
            for x, y, r in zip(xs, ys, items, strict=False):
                if r["upper"] == "":
                    ax.annotate("", xy=(x, y * 1.5), xytext=(x, y), arrowprops={"arrowstyle": "->", "lw": 0.8})
        ax.set_yscale("log")
        ax.set_title(f"Help-seeking: {title}")
        ax.set_ylabel("count as reported (log scale)")
        ax.legend(fontsize=7)
        ax.tick_params(axis="x", rotation=30)
    fig.suptitle("Press-reported Stop It Now! figures; bars are the intervals the hedges imply")
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.2, top=0.86, wspace=0.22)
    return fig


def scottish_cities(vocabulary, figures: list[dict], derived: list[dict]):
    """Website visitors since October 2015 in Glasgow, Edinburgh and Dundee: counts and per 100,000."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    counts, rates = [], []
    rate_of = {r["metric_id"]: r for r in derived}
    for code, name in CITIES:
        f = next(
            r
            for r in figures
            if r["geography_code"] == code
            and r["measure"] in vocabulary.channels["website"]
            and r["qualifier"] == vocabulary.unhedged_count
            and r["period_start"] == "2015-10-01"
        )
        counts.append((name, float(f["value"])))
        rates.append((name, float(rate_of[f"rate-{f['figure_id']}"]["value"])))
    ax1.bar([n for n, _ in counts], [v for _, v in counts], color="#4c72b0")
    ax1.set_title("Website visitors, Oct 2015 - Jul 2017")
    ax2.bar([n for n, _ in rates], [v for _, v in rates], color="#dd8452")
    ax2.set_title("Per 100,000 people (mid-2016 estimates)")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.9, wspace=0.25)
    return fig


def claims_chart(vocabulary, claims: list[dict]):
    """Each checked claim: the stated interval against the computed one, coloured by verdict."""
    plt = _plt()
    colours = verdict_colours(vocabulary)
    rows = sorted(claims, key=lambda r: r["claim_id"])
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.2))
    for i, r in enumerate(rows):
        colour = colours[r["verdict"]]
        s, c = float(r["stated"]), float(r["computed"])
        slo, shi, lo, hi = (_num(r[k]) for k in ("stated_lower", "stated_upper", "lower", "upper"))
        ax.plot(_span(slo, shi, s), [i + 0.15, i + 0.15], color="black", lw=1.5)
        ax.plot([1.0], [i + 0.15], marker="s", color="black", markersize=4)
        ratio = c / s
        marker = ">" if ratio > RATIO_MAX else "o"
        ax.plot([min(ratio, RATIO_MAX)], [i - 0.15], marker=marker, color=colour, markersize=6, gid=f"claim:{r['claim_id']}")
        ax.plot(_span(lo, hi, s), [i - 0.15, i - 0.15], color=colour, lw=2)
    ax.set_yticks(range(len(rows)), [r["claim_id"] for r in rows])
    ax.axvline(1, color="black", lw=0.5)
    ax.set_xlim(0, RATIO_MAX)
    ax.set_xlabel("relative to the stated number (black: stated and its interval; colour: computed; > beyond the edge)")
    handles = [plt.Line2D([], [], marker="o", color=c, ls="", label=v.replace("_", " ")) for v, c in colours.items()]
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
