"""The stopitnow-figures command: one group, each command's help ends with an example.

Heavy libraries (pandas, pandera, frictionless, Great Expectations) are
imported inside the command that needs them, so ``--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from . import __version__
from .publishing.limits import DEFAULT_LIMITS, GiB, MiB
from .render.terminal import safe, show
from .tables import vocab

# the kinds of source and extents of text add-source offers, and its defaults: the vocabulary's
# (read once, it is small)
_SOURCES = vocab.load()


class _Commands(click.Group):
    """The command group; a refusal (a ``click.ClickException``, the command's own or click's) has
    its message escaped as everything a command prints is (``terminal.safe``): it may quote a file
    name, a cell, article text or what git or a server said."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            exc.message = safe(exc.message)
            raise


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stopitnow-figures")
def main() -> None:
    """Stop It Now! figures: press-reported help-seeking figures as a data package.

    \b
    Example:
      stopitnow-figures coverage
    """


ROOT = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The repository (or a copy of it) to work on.",
)


def _repository(root: Path, *, published: bool):
    """The paths of the repository at ``root``, checked to be one (and to hold a published package,
    where ``published``); an interrupted publish is finished or undone first."""
    from .tables.csvio import WriteError
    from .tables.paths import Paths

    paths = Paths(root)
    if not paths.raw.is_dir() or not paths.schemas.is_dir():
        raise click.ClickException(
            f"{root} is not the repository (or a copy of it): it has no raw/ and schemas/; give "
            "--root"
        )
    if published:
        from .publishing.swap import recover, write_problem
    try:
        note = recover(paths) if published else None
    except WriteError as exc:
        raise click.ClickException(str(write_problem(paths, exc))) from None
    if note:
        show(note, err=True)
    if published and not paths.published.datapackage.is_file():
        raise click.ClickException(
            f"{root} holds no published package (no datapackage.json): build it with make repro"
        )
    return paths


def _problems(exc) -> click.ClickException:
    """An input error as the command's error: one located problem a line."""
    return click.ClickException("\n".join(str(p) for p in exc.problems))


@main.command()
@ROOT
@click.option(
    "--all", "show_all", is_flag=True, help="List every mention, not only the unaccounted ones."
)
def coverage(root: Path, show_all: bool) -> None:
    """Find every numeric mention in the articles and say what accounts for it.

    Each mention is a figure, the period words of a figure, listed in
    raw/not_figures.csv, or unaccounted. Exits 1 while anything is
    unaccounted.

    \b
    Example:
      stopitnow-figures coverage --all
    """
    from .model.coverage import coverage as cover
    from .tables import raw, vocab
    from .tables.csvio import read_table
    from .tables.errors import Collector, InputError
    from .tables.sources import load_sources

    paths = _repository(root, published=False)
    problems = Collector()
    _, texts = load_sources(paths, problems, vocab.load(paths.schemas).id_pattern)
    figures = read_table(
        paths.raw_figures, raw.columns(paths, "figures"), problems, display="raw/figures.csv"
    )
    not_figures = read_table(
        paths.raw_not_figures,
        raw.columns(paths, "not_figures"),
        problems,
        display="raw/not_figures.csv",
    )
    if problems:
        raise _problems(InputError(problems.problems))
    report = cover(paths, figures, not_figures, texts)
    unaccounted = 0
    for sid, items in report.items():
        counts = {"figure": 0, "period": 0, "not_figure": 0, None: 0}
        for mention, span in items:
            counts[span.kind if span else None] += 1
            if span is None:
                unaccounted += 1
            if span is None or show_all:
                what = f"{span.kind} {span.ref}" if span else "UNACCOUNTED"
                show(f"  {sid} @{mention.start}: {mention.text!r} -> {what}")
        show(
            f"{sid}: {len(items)} mentions: {counts['figure']} figures, "
            f"{counts['period']} period words, "
            f"{counts['not_figure']} not figures, {counts[None]} unaccounted"
        )
    show(f"total unaccounted: {unaccounted}")
    sys.exit(1 if unaccounted else 0)


@main.command()
@ROOT
@click.argument("ident", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the chain as JSON for programs.")
def trace(root: Path, ident: str, as_json: bool) -> None:
    """Show the chain under a figure, quantity, metric, claim or series id, down to the article
    text.

    Each quote is shown in its sentence with the quoted span marked »like
    this«, with the article's publisher, headline, address and date; each
    formula and each reference row with its publisher and table.

    \b
    Example:
      stopitnow-figures trace herald-2017-scotland-f04
    """
    from .render.trace import UnknownId, load, precision_of, render, to_json
    from .render.trace import trace as do_trace
    from .tables.errors import InputError

    paths = _repository(root, published=True)
    try:
        tables = load(paths)
        chain = do_trace(paths, ident, tables)
    except UnknownId as exc:
        raise click.ClickException(str(exc)) from None
    except InputError as exc:
        raise _problems(exc) from None
    # the JSON keeps the tables' full precision; the text rounds as every page does
    show(to_json(chain) if as_json else render(chain, precision=precision_of(tables)))


@main.command()
@ROOT
@click.option(
    "--record",
    is_flag=True,
    help=(
        "Also write the archive's file name, URL and sha256 for this version into "
        "src/stopitnow_figures/publishing/releases.json, the releases file download trusts."
    ),
)
def release(root: Path, record: bool) -> None:
    """Build dist/stopitnow-figures-<version>.zip with a SHA256SUMS file.

    The archive holds datapackage.json, everything in processed/ (tables,
    provenance, reports and charts), CITATION.cff, the licences and the
    changelog. Building it twice from the same commit gives the same bytes.
    Every resource is first checked against its bytes and sha256 in
    datapackage.json; a package that does not match is refused and no archive
    is written. With --record, commit the releases file and publish that
    archive, byte for byte, at the recorded address.

    \b
    Example:
      stopitnow-figures release --record
    """
    from .publishing.release import ReleaseError, build_release, record_release, releases_file
    from .tables.paths import Paths

    paths = Paths(root)
    try:
        out = build_release(paths)
        entry = record_release(paths, out) if record else None
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot build the release: {exc}") from None
    show(_shown(out, root))
    if entry:
        show(
            f"recorded {entry['file']} (sha256 {entry['sha256']}) "
            f"in {_shown(releases_file(root), root)}"
        )


def _shown(path: Path, root: Path) -> str:
    """A path relative to the repository where it is inside it."""
    return str(path.relative_to(root.resolve()) if path.is_relative_to(root.resolve()) else path)


class DownloadFailed(click.ClickException):
    """A refused or failed download; a signal exits 128 + its number, as a shell would report it."""

    def __init__(self, message: str, signum: int | None = None):
        super().__init__(message)
        if signum is not None:
            self.exit_code = 128 + signum


class _ProgressBar:
    """Download progress on stderr: the bar opens at the first chunk, once the
    length is known (or known to be unknown), and closes with the ``with`` block."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._bar = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def __call__(self, n: int, total: int | None) -> None:
        if self._bar is None:
            bar = click.progressbar(
                length=total or 0, label="downloading", file=sys.stderr, show_pos=total is None
            )
            self._bar = self._stack.enter_context(bar)
        self._bar.update(n)


@main.command()
@ROOT
@click.argument("url", required=False)
@click.option(
    "--to",
    "to",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("stopitnow-figures"),
    show_default=True,
    help="Folder to put the package in.",
)
@click.option(
    "--sha256",
    metavar="HEX",
    help="The sha256 the archive must have, for an archive the releases file does not list.",
)
@click.option(
    "--releases",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="STOPITNOW_FIGURES_RELEASES",
    help=(
        "The releases file whose recorded sha256s are trusted [default: the releases.json shipped "
        "with the CLI; env: STOPITNOW_FIGURES_RELEASES]."
    ),
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    help=(
        "Refuse a download of more bytes than this "
        f"[default: {DEFAULT_LIMITS.max_bytes}, {DEFAULT_LIMITS.max_bytes // MiB} MiB]."
    ),
)
@click.option(
    "--max-unpacked",
    type=click.IntRange(min=1),
    help=(
        "Refuse an archive that inflates to more bytes than this, counted while inflating "
        f"[default: {DEFAULT_LIMITS.max_unpacked}, {DEFAULT_LIMITS.max_unpacked // GiB} GiB]."
    ),
)
@click.option(
    "--max-members",
    type=click.IntRange(min=1),
    help=f"Refuse an archive with more members than this [default: {DEFAULT_LIMITS.max_members}].",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=0, min_open=True),
    help=(
        "Seconds the whole download may take, connection to last move "
        f"[default: {DEFAULT_LIMITS.deadline:g}]."
    ),
)
def download(
    root: Path,
    url: str | None,
    to: Path,
    sha256: str | None,
    releases: Path | None,
    max_bytes: int | None,
    max_unpacked: int | None,
    max_members: int | None,
    deadline: float | None,
) -> None:
    """Fetch a release archive, verify it, and only then move its files into place.

    URL defaults to the release address recorded in datapackage.json (stopitnow:releaseUrl; none
    until a maintainer records where releases are published, and then download says how else to get
    the data). The archive's sha256 must be the one given with --sha256 or recorded for that URL (or
    file name) in the releases file shipped with the CLI; without either, it can only be checked
    against itself, and a warning says so. Then every member must be a file a release holds, every
    file must match SHA256SUMS and every resource its hash and bytes in datapackage.json. The files
    move into --to as one unit; a truncated, tampered, oversized or unsafe archive is refused and
    nothing is left behind.

    \b
    Example:
      stopitnow-figures download --to data/
    """
    from .publishing.download import Interrupted, trust_for
    from .publishing.download import download as do_download
    from .publishing.release import SHIPPED_RELEASES, ReleaseError

    limits = _limits(max_bytes, max_unpacked, max_members, deadline)
    releases = releases or SHIPPED_RELEASES
    try:
        url = url or _release_url(root)
        trust = trust_for(url, sha256, releases)
        if trust.sha256 is None:
            show(
                "Warning: nothing outside the archive vouches for it: no --sha256 was given "
                f"and the releases file {releases} "
                f"has no entry for {url}, so it can only be checked against itself.",
                err=True,
            )
        with _ProgressBar() as progress:
            names = do_download(url, to, trust, limits, progress)
    except ReleaseError as exc:
        # messages quote member names, SHA256SUMS and datapackage.json, and what the server said
        raise DownloadFailed(
            str(exc), exc.signum if isinstance(exc, Interrupted) else None
        ) from None
    if trust.sha256 is None:
        show(f"verified {len(names)} files into {to}, but {_UNVOUCHED}")
    else:
        show(f"verified {len(names)} files into {to}: sha256 {trust.sha256} matches {trust.source}")


_UNVOUCHED = "the archive is only self-consistent: nothing outside it vouches for it"


def _limits(max_bytes, max_unpacked, max_members, deadline):
    """download's limits: the defaults, but for those given on the command line."""
    from dataclasses import replace

    given = {
        "max_bytes": max_bytes,
        "max_unpacked": max_unpacked,
        "max_members": max_members,
        "deadline": deadline,
    }
    return replace(DEFAULT_LIMITS, **{k: v for k, v in given.items() if v is not None})


def _warn_unvouched(releases: Path, url: str) -> None:
    """Say on stderr that nothing outside the archive vouches for it."""
    from .render.terminal import safe

    click.echo(
        safe(
            "Warning: nothing outside the archive vouches for it: no --sha256 was given "
            f"and the releases file {releases} "
            f"has no entry for {url}, so it can only be checked against itself."
        ),
        err=True,
    )


def _release_url(root: Path) -> str:
    """The release address recorded in the package's datapackage.json."""
    from .publishing.release import ReleaseError, read_descriptor

    dp = root / "datapackage.json"
    if not dp.is_file():
        raise ReleaseError(f"no URL given and no {dp} to read the release address from")
    url = read_descriptor(dp.read_bytes(), str(dp)).get("stopitnow:releaseUrl")
    if not isinstance(url, str):
        raise ReleaseError(f"{dp}: no URL given, and {NO_RELEASE}")
    return url


# what download says when no release address is recorded (package.yaml, published_at)
NO_RELEASE = (
    "no release of this package is recorded (datapackage.json has no stopitnow:releaseUrl), "
    "so there is no address to download from. Get the data instead from the repository: "
    "clone it and run `make repro`, or run `dvc get REPOSITORY processed --rev COMMIT` with a "
    "commit that `stopitnow-figures versions` lists; or give a release's URL"
)


# what the citation of one number calls it, by the type of its id
_CITED = {
    "figure": "figure",
    "quantity": "quantity",
    "metric": "metric",
    "claim": "claim",
    "reference": "reference row",
}


@main.command()
@ROOT
@click.argument("idents", metavar="[ID]...", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["apa", "bibtex", "biblatex", "csl-json", "cff"]),
    default="apa",
    show_default=True,
    help="apa: plain text. bibtex: @misc and @article. biblatex: @dataset and @article. "
    "csl-json: CSL-JSON for Zotero, Pandoc and citeproc. cff: CITATION.cff (the package only).",
)
def cite(root: Path, idents: tuple[str, ...], fmt: str) -> None:
    """Print the citation of the package, or of some of its figures, quantities, metrics, claims or
    population rows.

    For numbers the citation names the package, its version and the ids, and
    then the works they rest on, each once: the original articles (publisher,
    headline, date, address) and, for a rate or a population row, the
    population table (publisher, table, address).

    --format bibtex writes @misc for the package and @article (journal, year)
    for each article, for natbib and classic BibTeX styles; --format biblatex
    writes @dataset (version, url, date) and @article (journaltitle, date) for
    biblatex with biber. Both escape LaTeX's special characters, keep other
    text as UTF-8, and brace titles so that no style changes their case.
    --format csl-json writes CSL-JSON items (the package as a dataset with its
    version and address; each article typed by its kind of source).

    \b
    Example:
      stopitnow-figures cite herald-2017-scotland-f04 --format biblatex
      stopitnow-figures cite herald-2017-scotland-f04 herald-2017-scotland-f05 --format csl-json
    """
    import json

    from .render.citation import cite_numbers
    from .render.prose import as_published
    from .tables import config
    from .tables.errors import InputError

    paths = _repository(root, published=True)
    try:
        meta = config.load(paths, "package")
    except InputError as exc:
        raise _problems(exc) from None
    descriptor = json.loads(paths.published.datapackage.read_text(encoding="utf-8"))
    meta, released = (
        as_published(meta, descriptor),
        descriptor["created"][:10],
    )  # the title as built from the data
    if not idents and fmt == "cff":
        show(paths.published.citation.read_text(encoding="utf-8"), nl=False)
        return
    if idents and fmt == "cff":
        raise click.ClickException(
            "--format cff is for the package; use apa, bibtex, biblatex or csl-json for numbers"
        )
    numbers, articles, references = _cited(paths, idents)
    try:
        text = cite_numbers(meta, released, fmt, numbers, articles, references)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    show(text, nl=False)


def _cited(paths, idents: tuple[str, ...]) -> tuple[list[tuple[str, str]], list[dict], list[dict]]:
    """Each id once with its kind, and the articles and reference rows their chains rest on, each
    once."""
    from .render.trace import UnknownId, articles_of, kind_of, load, references_of
    from .render.trace import trace as do_trace
    from .tables.errors import InputError

    numbers, articles, references = [], [], []
    try:
        tables = load(paths) if idents else {}
    except InputError as exc:
        raise _problems(exc) from None
    for ident in dict.fromkeys(idents):
        try:
            chain = do_trace(paths, ident, tables)
        except UnknownId as exc:
            raise click.ClickException(str(exc)) from None
        except InputError as exc:
            raise _problems(exc) from None
        numbers.append((ident, kind_of(chain)))
        articles += [a for a in articles_of(chain) if a not in articles]
        references += [r for r in references_of(chain) if r not in references]
    return numbers, articles, references


# -- the curator's path ---------------------------------------------------------------


@main.command("add-source")
@ROOT
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--publisher",
    required=True,
    help='The publisher as it names itself: the newspaper, the charity or the official body ("The '
    'Herald (Glasgow)").',
)
@click.option(
    "--headline", required=True, help="The article's headline, or the release's or report's title."
)
@click.option("--url", required=True, help="The page's address.")
@click.option(
    "--place", required=True, help='The place the article is about, for its id ("Scotland").'
)
@click.option(
    "--published",
    required=True,
    help="The publication date, or a window EARLIEST/LATEST (ISO dates).",
)
@click.option(
    "--date-basis",
    type=click.Choice(["confirmed", "inferred"]),
    required=True,
    help="How the date is known.",
)
@click.option("--date-reasoning", required=True, help="Why the date (or window) is what it is.")
@click.option(
    "--kind",
    type=click.Choice(_SOURCES.enum("sources", "kind")),
    default=_SOURCES.default_kind,
    show_default=True,
    help="What the source is (what each kind needs: schemas/vocabulary.json, sources): "
    + "; ".join(
        f"{k} also needs --{' --'.join(v['needs'])}"
        for k, v in _SOURCES.source_kinds.items()
        if v["needs"]
    )
    + ".",
)
@click.option(
    "--text-extent",
    type=click.Choice(_SOURCES.enum("sources", "text_extent")),
    default=_SOURCES.default_extent,
    show_default=True,
    help=(
        "Whether FILE holds the whole page as printed or only its opening (a copy that stops "
        "early: numbers beyond it are not in the package)."
    ),
)
@click.option(
    "--covers",
    default="",
    metavar="START/END",
    help="The period an annual report or statistical release covers (ISO dates).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=_SOURCES.max_text_bytes,
    show_default=True,
    help=(
        "The largest FILE accepted, in bytes (a long article is some 50 KB; "
        "schemas/vocabulary.json, sources)."
    ),
)
def add_source(
    root: Path,
    file: Path,
    publisher,
    headline,
    url,
    place,
    published,
    date_basis,
    date_reasoning,
    kind,
    text_extent,
    covers,
    max_bytes,
) -> None:
    """Add a source: copy FILE byte for byte to raw/sources/<id>.txt and list it in raw/sources.csv.

    A source is a news article (the default), a charity's own release, an
    annual report or an official statistical release; --kind says which and
    --text-extent whether FILE is the whole page or an opening excerpt. The id
    is <publisher>-<year>-<place>. Refused, with nothing changed, for a text
    already in the package (naming its id), an id in use, a file that is not
    a regular file (a FIFO, a device, a folder), is larger than --max-bytes,
    empty or blank, or not UTF-8, a window that ends before it starts, or a
    kind without what it needs.

    \b
    Example:
      stopitnow-figures add-source article.txt --publisher "The Courier" --headline "..." \\
        --url https://example.org/a --place Dundee --published 2020-03-02 \\
        --date-basis confirmed --date-reasoning "dated on the page"
      stopitnow-figures add-source review.txt --kind KIND --covers 2018-04-01/2019-03-31 \\
        --publisher "Lucy Faithfull Foundation" --headline "Annual Review 2018/19" ...
    """
    from .curator import NewSource, Refused
    from .curator import add_source as do_add

    paths = _repository(root, published=False)
    ends = _published_window(published)
    new = NewSource(
        publisher,
        headline,
        url,
        place,
        ends[0],
        ends[-1],
        date_basis,
        date_reasoning,
        kind=kind,
        text_extent=text_extent,
        covers=covers,
    )
    try:
        sid = do_add(paths, file, new, max_bytes)
    except Refused as exc:
        raise click.ClickException(str(exc)) from None
    show(
        f"added {sid}: raw/sources/{sid}.txt and its row in raw/sources.csv; "
        f"next: stopitnow-figures propose {sid}"
    )


def _published_window(published: str) -> list:
    """--published as its first and last dates (one date: both), or a usage error."""
    from datetime import date

    try:
        return [date.fromisoformat(d) for d in published.split("/")]
    except ValueError:
        raise click.ClickException(
            f"--published {published!r}: give a date YYYY-MM-DD, or EARLIEST/LATEST"
        ) from None


@main.command()
@ROOT
@click.argument("source_id")
def propose(root: Path, source_id: str) -> None:
    """Draft rows for every number of an article that nothing accounts for yet.

    Appends draft figure rows to raw/figures.csv (a unique quote, the number
    with its hedge, the period words of its sentence, the unit and measure
    where its words decide them) and draft not-figure rows to
    raw/not_figures.csv (datelines and timestamps, phone numbers, ages,
    period words no figure takes, durations, idioms and the like), each marked
    DRAFT. The build refuses a draft and names the columns a curator must fill
    (quantity, measure, place): finish each row and remove the mark.

    \b
    Example:
      stopitnow-figures propose courier-2020-dundee
    """
    from .curator import propose as do_propose
    from .tables.errors import InputError

    paths = _repository(root, published=False)
    try:
        figures, others = do_propose(paths, source_id)
    except InputError as exc:
        raise _problems(exc) from None
    for r in figures:
        show(
            f"figure {r['figure_id']}: {r['as_written']!r} in {r['quote']!r} "
            f"(unit {r['unit'] or '?'})"
        )
    for r in others:
        show(f"not a figure: {r['text']!r} ({r['category']})")
    show(
        f"drafted {len(figures)} figure rows and {len(others)} not-figure rows; "
        "finish them, then: stopitnow-figures check"
    )


@main.command()
@ROOT
def check(root: Path) -> None:
    """Run every rule the build runs on raw/ and the configuration, writing nothing; exit 1 on any
    problem.

    The same code as the stages: clean's and validate's checks of the articles
    and figures, reconcile's of the quantities and identities, derive's of the
    derivations and claims (every stated rise, share, multiple or difference
    checked by a claim), package's of package.yaml and CHANGELOG.md, and
    params.yaml. All problems at once, one located line each; a stage's checks
    that read what an earlier stage checks run once that one passes. What only
    the build finds (values from the solved quantities) is left to dvc repro.

    \b
    Example:
      stopitnow-figures check
    """
    from .check import check as do_check
    from .tables.errors import InputError

    paths = _repository(root, published=False)
    try:
        summary = do_check(paths)
    except InputError as exc:
        for p in exc.problems:
            show(str(p), err=True)
        sys.exit(1)
    show(str(summary))


@main.command()
@ROOT
@click.argument("old")
@click.argument("new", default="HEAD")
def diff(root: Path, old: str, new: str) -> None:
    """List the figures, quantities, derived metrics and claims added, removed and changed between
    two versions.

    OLD and NEW are each a version number (0.3.0: the last commit whose
    package.yaml holds it; `stopitnow-figures versions` lists them), a git
    revision (a commit, a branch, HEAD~1) or a release archive (.zip, opened
    with the same checks and limits as `download`). NEW defaults to HEAD.

    \b
    Example:
      stopitnow-figures diff 0.3.0 HEAD
      stopitnow-figures diff HEAD~1 HEAD
    """
    from .curator import Refused, tables_at
    from .curator import diff as do_diff

    paths = _repository(root, published=False)
    try:
        lines = do_diff(tables_at(paths, old), tables_at(paths, new))
    except Refused as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        show(line)
    show(f"{len(lines)} changes between {old} and {new}")


@main.command()
@ROOT
def versions(root: Path) -> None:
    """List every version of the package with the last commit that holds it, newest first.

    A version's commit is what `dvc get` and `git checkout` take:

    \b
    Example:
      stopitnow-figures versions
      dvc get https://github.com/OWNER/stopitnow-figures processed/figures.csv --rev COMMIT
    """
    from .curator import Refused
    from .curator import versions as listed

    paths = _repository(root, published=False)
    try:
        found = listed(paths)
    except Refused as exc:
        raise click.ClickException(str(exc)) from None
    for number, commit in found:
        show(f"{number}  {commit}")


if __name__ == "__main__":
    main()
