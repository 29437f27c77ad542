"""The curator's path: add an article, draft its rows, check, and compare versions.

These commands write raw/ (only when a curator runs them; no stage ever does),
and they use the pipeline's own rules: the source id rule, the hedge and vague
vocabularies, the finder and its coverage, the raw schemas. ``propose`` does
the mechanical part of reading an article (where each unaccounted number is,
a unique quote, the number with its hedge, the period words of its sentence,
a unit and a measure where its words decide them, and the page furniture and
words that are not figures, by the rules of ``drafting``) and marks every row
it writes as a draft: which quantity and which place code stay with the
curator, who checks the rest, and the build refuses a draft until a person
has finished it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .model import drafting
from .model.values import FRACTIONS, SCALES, UNITS
from .render import terminal
from .tables import raw, vocab
from .tables.csvio import atomic_write_bytes, csv_text, read_table
from .tables.errors import Collector, InputError
from .tables.paths import Paths
from .tables.sources import sha256_of


class Refused(Exception):
    """A curator command that changes nothing, and why."""


# -- add-source ---------------------------------------------------------------------


def source_id(publisher: str, published: date, place: str) -> str:
    """``<publisher>-<publication year>-<place>``: the publisher's name without a leading "The" and
    without what is in brackets, its letters and digits only; the place's words joined by hyphens
    ("The Herald (Glasgow)", 2017, "Scotland" -> herald-2017-scotland)."""
    name = re.sub(r"\([^)]*\)", "", publisher).strip()
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    slug = re.sub(r"[^a-z0-9]", "", name.lower())
    where = "-".join(re.findall(r"[a-z0-9]+", place.lower()))
    return f"{slug}-{published.year}-{where}"


@dataclass(frozen=True)
class NewSource:
    publisher: str
    headline: str
    url: str
    place: str
    earliest: date
    latest: date
    date_basis: str
    date_reasoning: str
    headline_basis: str = "given by the curator who added the article"
    publisher_basis: str = "given by the curator who added the article"
    kind: str = ""  # the vocabulary's default kind where empty
    text_extent: str = ""  # the vocabulary's default extent where empty
    covers: str = ""  # START/END, the period a report covers


def add_source(paths: Paths, file: Path, new: NewSource, max_bytes: int | None = None) -> str:
    """Copy ``file`` byte for byte to raw/sources/<id>.txt and append its row to raw/sources.csv;
    the new id. Refused (nothing changed) for a file that is not a regular file, is larger than
    ``max_bytes``, empty or blank, a text already present, an id in use, a text that is not UTF-8, a
    publication window that ends before it starts, or a kind of source without what it needs
    (schemas/vocabulary.json, sources)."""
    vocabulary = vocab.load(paths.schemas)
    kind, extent = _kind_and_extent(vocabulary, new)
    data = read_source_file(Path(file), max_bytes or vocabulary.max_text_bytes)
    if new.latest < new.earliest:
        raise Refused(
            f"the publication window ends ({new.latest}) before it starts ({new.earliest})"
        )
    sid = source_id(new.publisher, new.earliest, new.place)
    digest = sha256_of(data)
    _refuse_clash(paths, vocabulary, sid, digest)
    cells = {
        "source_id": sid,
        "publisher": new.publisher,
        "headline": new.headline,
        "url": new.url,
        "headline_basis": new.headline_basis,
        "publisher_basis": new.publisher_basis,
        "published_earliest": new.earliest.isoformat(),
        "published_latest": new.latest.isoformat(),
        "date_basis": new.date_basis,
        "date_reasoning": new.date_reasoning,
        "original_file": Path(file).name,
        "sha256": digest,
        "kind": kind,
        "text_extent": extent,
        "covers": new.covers,
    }
    atomic_write_bytes(paths.source_text(sid), data)
    try:
        append_rows(paths.raw_sources, raw.columns(paths, "sources"), [cells])
    except BaseException:
        paths.source_text(sid).unlink(missing_ok=True)
        raise
    return sid


def _kind_and_extent(vocabulary: vocab.Vocabulary, new: NewSource) -> tuple[str, str]:
    """The new source's kind and text extent (the vocabulary's defaults where not given), refused
    where the vocabulary has no such kind or extent or the kind needs what the source lacks."""
    kind, extent = new.kind or vocabulary.default_kind, new.text_extent or vocabulary.default_extent
    if kind not in vocabulary.source_kinds or extent not in vocabulary.enum(
        "sources", "text_extent"
    ):
        raise Refused(
            f"no kind {kind!r} or text extent {extent!r} in schemas/vocabulary.json (sources)"
        )
    needs = [c for c in vocabulary.source_kinds[kind]["needs"] if not getattr(new, c, "")]
    if needs:
        raise Refused(
            f"a source of the kind {kind!r} needs its {', '.join(needs)} "
            f"({vocabulary.source_kinds[kind]['about']})"
        )
    return kind, extent


def _refuse_clash(paths: Paths, vocabulary: vocab.Vocabulary, sid: str, digest: str) -> None:
    """Refuse a text already listed, an id in use or not valid, or an unlisted file of that id."""
    rows = read_table(
        paths.raw_sources,
        raw.columns(paths, "sources"),
        Collector(),
        display=paths.rel(paths.raw_sources),
    )
    for r in rows:
        if r["sha256"] == digest:
            raise Refused(f"this text is already in the package, as {r['source_id']}")
        if r["source_id"] == sid:
            raise Refused(
                f"the id {sid} is in use (raw/sources.csv line {r.line}): give another place or "
                "check the publisher"
            )
    if not re.fullmatch(vocabulary.id_pattern, sid):
        raise Refused(
            f"the id {sid!r} made from the publisher and place is not a valid id: give letters or "
            "digits"
        )
    if paths.source_text(sid).exists():
        raise Refused(
            f"{paths.rel(paths.source_text(sid))} exists but is not listed: remove it or list it"
        )


def read_source_file(file: Path, max_bytes: int) -> bytes:
    """The bytes of an article's text file: a regular file (never a FIFO, device or folder, which
    are refused before a byte is read, so nothing blocks), at most ``max_bytes``, UTF-8, with
    something besides white space."""
    shown = terminal.safe(str(file))
    try:
        # a FIFO opened without O_NONBLOCK waits for a writer
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise Refused(
            f"{shown}: cannot be read ({terminal.safe(exc.strerror or str(exc))})"
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Refused(f"{shown}: not a regular file (a text file of the article is needed)")
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Refused(
            f"{shown}: larger than {max_bytes} bytes (--max-bytes); an article's text is far "
            "smaller"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(f"{shown} is not UTF-8 (byte {exc.start}): save it as UTF-8 first") from None
    if not text.strip():
        raise Refused(
            f"{shown}: {'empty' if not data else 'blank (white space only)'}; an article's text is "
            "needed"
        )
    return data


def append_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Append rows to a raw table (its bytes otherwise as they were), atomically."""
    old = path.read_bytes()
    added = csv_text(header, {c: [r.get(c, "") for r in rows] for c in header}, header=False)
    sep = b"" if not old or old.endswith(b"\n") else b"\n"
    atomic_write_bytes(path, old + sep + added.encode("utf-8"))


# -- propose ------------------------------------------------------------------------

_SCALE = drafting.alternation([*SCALES, *(s + "s" for s in SCALES)])
SCALE_WORDS = re.compile(
    rf"(?:\s+(?:of\s+|a\s+)?{_SCALE}\b)+(?:\s+and\s+{drafting.NUM})?"
)  # "tens of thousands", "one hundred and fifty"
HYPHENED = re.compile(
    rf"-{drafting.alternation([*UNITS, *FRACTIONS, *(f + 's' for f in FRACTIONS)])}\b"
)  # "twenty-one", "two-thirds"
MULTIPLE = re.compile(
    r"\s+times(?P<rest>\s+(?:the|as|that|more|bigger|larger|higher))", re.IGNORECASE
)  # "10 times the size"


def propose(paths: Paths, sid: str) -> tuple[list[dict], list[dict]]:
    """Draft rows for every numeric mention of an article that nothing accounts for: (figure rows,
    not-figure rows), each marked as a draft, appended to raw/figures.csv and
    raw/not_figures.csv."""
    from .model.coverage import coverage
    from .tables.sources import load_sources

    problems = Collector()
    vocabulary = vocab.load(paths.schemas)
    _, texts = load_sources(paths, problems, vocabulary.id_pattern)
    figures = read_table(
        paths.raw_figures,
        raw.columns(paths, "figures"),
        problems,
        display=paths.rel(paths.raw_figures),
    )
    not_figures = read_table(
        paths.raw_not_figures,
        raw.columns(paths, "not_figures"),
        problems,
        display=paths.rel(paths.raw_not_figures),
    )
    if sid not in texts:
        problems.add(
            "unknown-id",
            paths.rel(paths.raw_sources),
            None,
            "source_id",
            sid,
            "no listed article with a matching text has this id",
        )
    if problems:
        raise InputError(problems.problems)
    text = texts[sid]
    open_mentions = [
        m
        for m, span in coverage(paths, figures, not_figures, {sid: text}, unaccounted_only=True)[
            sid
        ]
    ]
    drafts, others = draft_rows(vocabulary, sid, text, open_mentions, _next_number(figures, sid))
    if drafts:
        append_rows(paths.raw_figures, raw.columns(paths, "figures"), drafts)
    if others:
        append_rows(paths.raw_not_figures, raw.columns(paths, "not_figures"), others)
    return drafts, others


def _next_number(figures, sid: str) -> int:
    taken = [
        int(m.group(1))
        for f in figures
        if (m := re.fullmatch(re.escape(sid) + r"-f(\d+)", f["figure_id"]))
    ]
    return max(taken, default=0) + 1


def draft_rows(
    vocabulary, sid: str, text: str, mentions: list, first: int
) -> tuple[list[dict], list[dict]]:
    """The draft figure and not-figure rows for the mentions (in order of the text), figure ids from
    ``first``. A mention that words which are not a figure's hold (``drafting``) is a not-figure
    row, one for each run of such words; a mention in period words is left to the figure of its
    sentence that takes them as its period (its quote then holds them), or, where no figure does, is
    a not-figure row; any other is a figure."""
    g = drafting.grammar(vocabulary)
    reading = drafting.read(g, text)
    spans: list[tuple[int, int]] = []
    held: dict[drafting.Words, None] = {}  # words of a not-figure row, in order of the text
    in_periods: dict[drafting.Words, None] = {}
    for m in mentions:
        if any(a <= m.start < b for a, b in spans):
            continue  # a mention inside a number already drafted ("tens of thousands")
        words = drafting.holding(reading, m.start, m.end)
        if words is None:
            spans.append(written_span(vocabulary, text, m))
        else:
            (in_periods if words.rule == drafting.PERIOD else held)[words] = None
    drafted = [drafting.unit_and_measure(vocabulary, text, a, b) for a, b in spans]
    periods = drafting.periods_of(
        text, spans, [m in vocabulary.relations for _, m in drafted], reading.periods
    )
    ordinals = tuple(vocabulary.drafting["ordinals"]["words"])
    for words in in_periods.keys() - set(periods):  # period words no figure takes
        held[words._replace(rule=drafting.leftover_rule(g, text, words, ordinals))] = None
    figures = [
        figure_row(sid, text, (a, b), f"{sid}-f{first + k:02d}", unit_measure, period)
        for k, ((a, b), unit_measure, period) in enumerate(
            zip(spans, drafted, periods, strict=True)
        )
    ]
    return figures, [_other_row(g, sid, text, w) for w in sorted(held)]


def written_span(vocabulary, text: str, m) -> tuple[int, int]:
    """The number as written: the mention with the hedge word before it, and the rest of a number in
    words ("twenty-one", "tens of thousands", "half a million"), its per cent or its times."""
    start, end = m.start, m.end
    percent = [
        w for w, u in vocabulary.unit_words.items() if u == vocabulary.kind_units["percent"][0]
    ]
    for tail in (
        HYPHENED,
        SCALE_WORDS,
        re.compile(r"\s*" + drafting.alternation(percent) + r"(?!\w)"),
        MULTIPLE,
    ):
        hit = tail.match(text, end)
        if hit:
            end = hit.end() - len(hit.groupdict().get("rest") or "")
    article = re.search(
        r"(?<![\w])an?\s+$", text[max(0, start - 3) : start], re.IGNORECASE
    )  # "a third", "an eighth"
    if article and m.text.lower().removesuffix("s") in FRACTIONS:
        start -= len(article.group(0))
    before = text[max(0, start - 30) : start]
    for words, _ in vocabulary.hedges:  # longest first
        hit = re.search(r"(?<![\w])" + re.escape(words) + r"\s+$", before, re.IGNORECASE)
        if hit:
            return start - (len(before) - hit.start()), end
    return start, end


def unique_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The shortest span of whole words around [start, end) that occurs once in the text (within its
    sentence)."""
    words = [(w.start(), w.end()) for w in re.finditer(r"\S+", text)]
    left = next(k for k, (a, b) in enumerate(words) if b > start)
    right = max(k for k, (a, b) in enumerate(words) if a < end)
    a, b = start, end
    while text.count(text[a:b]) > 1 and (left > 0 or right < len(words) - 1):
        if right < len(words) - 1 and "\n" not in text[b : words[right + 1][1]]:
            right += 1
            b = _trim(text, words[right][0], words[right][1])
        elif left > 0:
            left -= 1
            a = words[left][0]
        else:
            break
    return a, b


def _trim(text: str, a: int, b: int) -> int:
    """The end of a word without the punctuation that closes a sentence or clause."""
    while b > a and text[b - 1] in '.,;:!?"”)':
        b -= 1
    return b


def figure_row(
    sid: str, text: str, span: tuple[int, int], fid: str, unit_measure: tuple[str, str], period=None
) -> dict[str, str]:
    """A draft figure row for the number at ``span``: a unique quote holding it (and its period
    words, where it takes some: they are drafted as its period), its unit and measure
    (``drafting.unit_and_measure``)."""
    (start, end), (unit, measure) = span, unit_measure
    a, b = (
        unique_span(text, min(start, period.start), max(end, period.end))
        if period
        else unique_span(text, start, end)
    )
    words = text[period.start : period.end] if period else ""
    cells = (
        ("quantity_id", ""),
        ("measure", measure),
        ("unit", unit),
        ("place", ""),
        ("period", words),
    )
    todo = [c for c, v in cells[:4] if not v]
    check = [c for c, v in cells[1:] if v]
    seen = (
        f' Period drafted from the words "{words}" of its sentence: keep them if they are this '
        "figure's period, "
        "else clear period and list their number in raw/not_figures.csv."
        if period
        else " No period words seen in its sentence."
    )
    s, e = drafting.sentence(text, start)
    left = f"to fill: {', '.join(todo)}" + (f"; to check: {', '.join(check)}" if check else "")
    note = f"{raw.DRAFT_MARK} ({left}).{seen} Drafted by propose from: {text[s:e].strip()}"
    return {
        "figure_id": fid,
        "source_id": sid,
        "quantity_id": "",
        "quote": text[a:b],
        "as_written": text[start:end],
        "measure": measure,
        "unit": unit,
        "place": "",
        "period": words,
        "period_ref": "",
        "reading": "",
        "notes": note,
    }


def _other_row(g, sid: str, text: str, words) -> dict[str, str]:
    """A draft not-figure row for the words: their text, a unique context, their rule's category and
    reason."""
    a, b = unique_span(text, words.start, words.end)
    rule = g.rules[words.rule]
    return {
        "source_id": sid,
        "text": text[words.start : words.end],
        "context": text[a:b],
        "category": rule["category"],
        "reason": f"{raw.DRAFT_MARK} (confirm): {rule['reason']}",
    }


# -- diff ---------------------------------------------------------------------------

DIFFED = ("figures", "quantities", "derived", "claims")


VERSION_NUMBER = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")


def tables_at(paths: Paths, version: str) -> dict[str, dict[str, dict]]:
    """The published tables at a version: a release archive (.zip, opened with ``download``'s checks
    and limits), a version number (the last commit whose package.yaml has it) or a git revision (a
    commit, a branch, HEAD~1). Refused, naming it, where ``version`` is none of these."""
    if version.endswith(".zip") or Path(version).is_file():
        return _tables_in_archive(paths, Path(version))
    commit = (
        commit_of_version(paths, version)
        if VERSION_NUMBER.fullmatch(version)
        else commit_of(paths, version)
    )
    return _tables(paths, lambda member: _file_at(paths, commit, member))


def _tables(paths: Paths, read: Callable[[str], str]) -> dict[str, dict[str, dict]]:
    """Each diffed table by its primary key; ``read`` gives a member's text ('' where it is
    absent)."""
    keys = vocab.load(paths.schemas).primary_keys
    out = {}
    for name in DIFFED:
        rows = csv.DictReader(io.StringIO(read(f"processed/{name}.csv")))
        out[name] = {r[keys[name][0]]: r for r in rows}
    return out


def _tables_in_archive(paths: Paths, archive: Path) -> dict[str, dict[str, dict]]:
    """The tables of a release archive, staged by ``download``'s one check (members, sizes, sums,
    resources)."""
    import tempfile

    from .publishing.download import verify_and_stage
    from .publishing.release import ReleaseError

    if not archive.is_file():
        raise Refused(
            f"{terminal.safe(str(archive))}: no such archive (a version is a .zip file, a version "
            "number or a git revision)"
        )
    with tempfile.TemporaryDirectory(prefix=".stopitnow-diff.") as tmp:
        try:
            verify_and_stage(archive, Path(tmp))
        except ReleaseError as exc:
            raise Refused(f"{terminal.safe(str(archive))}: {exc}") from None
        return _tables(paths, lambda member: _staged_text(Path(tmp) / member, member))


def _staged_text(path: Path, member: str) -> str:
    """A staged member's text, '' where the archive holds no such member; refused where it is not
    UTF-8."""
    try:
        return path.read_bytes().decode("utf-8") if path.is_file() else ""
    except UnicodeDecodeError as exc:
        raise Refused(f"{member} in the archive is not UTF-8 (byte {exc.start})") from None


def _git(paths: Paths, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=paths.root, capture_output=True)


def commit_of(paths: Paths, revision: str) -> str:
    """The commit a git revision names; refused for a revision git would read as an option or that
    names no commit."""
    shown = terminal.safe(revision)
    if not revision or revision.startswith("-"):
        raise Refused(
            f"'{shown}' is not a version: a git revision never begins with '-' (give a commit, a "
            "branch, HEAD~1, a .zip or a version number)"
        )
    got = _git(
        paths, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if got.returncode != 0:
        raise Refused(
            f"no version '{shown}' here: it names no commit of this repository, no .zip file and "
            "no version number"
        )
    return got.stdout.decode("ascii").strip()


def versions(paths: Paths) -> list[tuple[str, str]]:
    """(version number, its last commit) for every version package.yaml has held, newest first."""
    got = _git(
        paths,
        "log",
        "--first-parent",
        "--format=%H",
        "-G",
        "^version:",
        "HEAD",
        "--",
        "package.yaml",
    )
    bumps = got.stdout.decode("ascii").split() if got.returncode == 0 else []
    out, later = [], "HEAD"
    for (
        commit
    ) in bumps:  # newest first: each bump sets the version its successors hold until the next one
        number = _version_at(paths, commit)
        if number and number not in {n for n, _ in out}:
            out.append((number, commit_of(paths, later)))
        later = f"{commit}^"
    return out


def commit_of_version(paths: Paths, number: str) -> str:
    """The last commit at which package.yaml's version is ``number`` (the commit before the next
    bump, or HEAD)."""
    found = dict(versions(paths)).get(number)
    if found is None:
        raise Refused(
            f"no version '{number}' in the history of package.yaml (`stopitnow-figures versions` "
            "lists them)"
        )
    return found


def _version_at(paths: Paths, commit: str) -> str:
    got = _git(paths, "show", f"{commit}:package.yaml")
    found = (
        re.search(r"(?m)^version:\s*([^\s#]+)", got.stdout.decode("utf-8", "replace"))
        if got.returncode == 0
        else None
    )
    return found.group(1).strip("'\"") if found else ""


def _file_at(paths: Paths, commit: str, member: str) -> str:
    """A file's text at a commit, '' where that commit has no such file."""
    got = _git(paths, "show", f"{commit}:{member}")
    if got.returncode != 0:
        return ""
    try:
        return got.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(f"{member} at {commit[:12]} is not UTF-8 (byte {exc.start})") from None


def diff(old: dict[str, dict[str, dict]], new: dict[str, dict[str, dict]]) -> list[str]:
    """Lines saying, per table, which ids were added, removed and changed (and which columns
    changed)."""
    lines = []
    for name in DIFFED:
        a, b = old.get(name, {}), new.get(name, {})
        for i in sorted(b.keys() - a.keys()):
            lines.append(f"{name} added: {i}")
        for i in sorted(a.keys() - b.keys()):
            lines.append(f"{name} removed: {i}")
        for i in sorted(a.keys() & b.keys()):
            changed = [c for c in b[i] if a[i].get(c) != b[i][c]]
            if changed:
                lines.append(f"{name} changed: {i} ({', '.join(changed)})")
    return lines
