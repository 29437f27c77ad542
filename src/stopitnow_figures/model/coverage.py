"""What accounts for each numeric mention of an article: the characters its figures claim (each
figure's number as written and its period words), the rows of raw/not_figures.csv, and ``coverage``,
which pairs every mention ``mentions`` finds with what accounts for it.

Clean checks with it that nothing in an article is unaccounted for; the reader view marks each
mention with what it is; the ``coverage`` and ``propose`` commands list what nothing accounts for
yet.
"""

from __future__ import annotations

from ..tables.csvio import Table
from ..tables.errors import Collector
from ..tables.paths import Paths
from .mentions import Mention, Span, account, mention_positions
from .values import find_number

NOT_FOUND, AMBIGUOUS, NO_TEXT = -1, -2, -3


def locate_quotes(texts: dict[str, str], source_ids: list[str], quotes: list[str]) -> list[int]:
    """Where each quote starts in its article: its offset, or NOT_FOUND, AMBIGUOUS
    (it occurs more than once) or NO_TEXT (the article is unknown or unreadable)."""
    out = []
    for sid, quote in zip(source_ids, quotes, strict=True):
        text = texts.get(sid)
        if text is None:
            out.append(NO_TEXT)
            continue
        at = text.find(quote) if quote else -1
        out.append(NOT_FOUND if at < 0 else AMBIGUOUS if text.find(quote, at + 1) >= 0 else at)
    return out


def coverage(
    paths: Paths,
    figures: Table,
    not_figures: Table,
    texts: dict[str, str],
    problems: Collector | None = None,
    *,
    starts=None,
    spans: dict[str, list[Span]] | None = None,
    unaccounted_only=False,
    counts: dict[str, int] | None = None,
    listed: set[str] | None = None,
):
    """For each source: its mentions paired with what accounts for them (or only those nothing
    accounts for); ``counts`` (where given) gains the number of mentions and of those nothing
    accounts for; a not-figure row of a source outside ``listed`` (the ids of raw/sources.csv; all
    but those with a text if None) is a problem. ``spans``: the figures' spans where the caller has
    them (``figure_spans``; else found here, after ``starts``)."""
    claimed = figure_spans(figures, texts, starts) if spans is None else spans
    spans = {sid: list(claimed.get(sid, ())) for sid in texts}
    _not_figure_spans(
        paths, not_figures, texts, spans, problems, set(texts) if listed is None else listed
    )
    report = {}
    for sid in sorted(texts):
        text, found = texts[sid], mention_positions(texts[sid])
        held = account(found, spans[sid])
        if counts is not None:
            counts["numeric"] += len(found)
            counts["unaccounted"] += int(sum(k < 0 for k in held))
        report[sid] = [
            (Mention(a, b, text[a:b]), None if k < 0 else spans[sid][k])
            for (a, b), k in zip(found, held, strict=True)
            if k < 0 or not unaccounted_only
        ]
    return report


def figure_spans(
    figures: Table, texts: dict[str, str], starts=None, number_at: list[int] | None = None
) -> dict[str, list[Span]]:
    """The characters of each article that its figures claim: each figure's number and its period
    words, by source (``starts``: where each quote is, see ``locate_quotes``; ``number_at``: where
    each number is in its quote, see ``find_number``; each found here where not given)."""
    spans: dict[str, list[Span]] = {sid: [] for sid in texts}
    sids, quotes = figures.column("source_id"), figures.column("quote")
    starts = locate_quotes(texts, sids, quotes) if starts is None else starts
    fids, written, period_words = (
        figures.column("figure_id"),
        figures.column("as_written"),
        figures.column("period"),
    )
    for i, qs in enumerate(starts):
        if qs < 0:
            continue
        a = find_number(quotes[i], written[i]) if number_at is None else number_at[i]
        if a >= 0:
            spans[sids[i]].append(Span(qs + a, qs + a + len(written[i]), "figure", fids[i]))
        b = quotes[i].find(period_words[i]) if period_words[i] else -1
        if b >= 0:
            spans[sids[i]].append(Span(qs + b, qs + b + len(period_words[i]), "period", fids[i]))
    return spans


def _not_figure_spans(
    paths: Paths,
    rows: Table,
    texts: dict[str, str],
    spans: dict[str, list[Span]],
    problems: Collector | None,
    listed: set[str],
) -> None:
    display = paths.rel(paths.raw_not_figures)
    for row in rows:
        sid, ctx, txt = row["source_id"], row["context"], row["text"]
        text = texts.get(sid)
        if text is None:
            if (
                problems is not None and sid not in listed
            ):  # a listed source whose text is unreadable is reported already
                problems.add(
                    "unknown-id",
                    display,
                    row.line,
                    "source_id",
                    sid,
                    "no source in raw/sources.csv has this id",
                )
            continue
        n = text.count(ctx) if ctx else 0
        if n != 1 or txt not in ctx:
            if problems is not None:
                why = (
                    "does not occur in the article"
                    if n == 0
                    else f"occurs {n} times in the article"
                    if n > 1
                    else "does not contain the text"
                )
                problems.add(
                    "context-not-in-source", display, row.line, "context", ctx, f"the context {why}"
                )
            continue
        at = text.index(ctx) + ctx.index(txt)
        spans[sid].append(Span(at, at + len(txt), "not_figure", f"{display}:{row.line}"))
