"""The stopitnow-figures command: one group, each command's help ends with an example.

Heavy libraries (pandas, pandera, frictionless, Great Expectations) are
imported inside the command that needs them, so ``--help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


@main.command()
@ROOT
@click.option("--all", "show_all", is_flag=True, help="List every mention, not only the unaccounted ones.")
def coverage(root: Path, show_all: bool) -> None:
    """Find every numeric mention in the articles and say what accounts for it.

    Each mention is a figure, the period words of a figure, listed in
    raw/not_figures.csv, or unaccounted. Exits 1 while anything is
    unaccounted.

    \b
    Example:
      stopitnow-figures coverage --all
    """
    from . import raw
    from .clean import coverage as cover
    from .csvio import read_table
    from .errors import Collector
    from .paths import Paths
    from .sources import load_sources

    paths = Paths(root)
    problems = Collector()
    _, texts = load_sources(paths, problems)
    figures = read_table(paths.raw_figures, raw.FIGURES, problems, display="raw/figures.csv")
    not_figures = read_table(paths.raw_not_figures, raw.NOT_FIGURES, problems, display="raw/not_figures.csv")
    if problems:
        for p in problems.problems:
            click.echo(str(p), err=True)
        sys.exit(1)
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
                click.echo(f"  {sid} @{mention.start}: {mention.text!r} -> {what}")
        click.echo(
            f"{sid}: {len(items)} mentions: {counts['figure']} figures, {counts['period']} period words, "
            f"{counts['not_figure']} not figures, {counts[None]} unaccounted"
        )
    click.echo(f"total unaccounted: {unaccounted}")
    sys.exit(1 if unaccounted else 0)


@main.command()
@ROOT
@click.argument("ident", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the chain as JSON for programs.")
def trace(root: Path, ident: str, as_json: bool) -> None:
    """Show the chain under a figure, metric or claim id, down to the article text.

    Each quote is shown in its sentence with the quoted span marked »like
    this«, with the article's publisher, headline, address and date; each
    formula and each reference row with its publisher and table.

    \b
    Example:
      stopitnow-figures trace herald-2017-scotland-f04
    """
    from .paths import Paths
    from .trace import UnknownId, render, to_json
    from .trace import trace as do_trace

    try:
        chain = do_trace(Paths(root), ident)
    except UnknownId as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(to_json(chain) if as_json else render(chain))


@main.command()
@ROOT
@click.option(
    "--record",
    is_flag=True,
    help="Also write the archive's file name, URL and sha256 for this version into src/stopitnow_figures/releases.json, "
    "the releases file download trusts.",
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
    from .paths import Paths
    from .release import ReleaseError, build_release, record_release, releases_file

    paths = Paths(root)
    try:
        out = build_release(paths)
        entry = record_release(paths, out) if record else None
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot build the release: {exc}") from None
    click.echo(_shown(out, root))
    if entry:
        click.echo(f"recorded {entry['file']} (sha256 {entry['sha256']}) in {_shown(releases_file(root), root)}")


def _shown(path: Path, root: Path) -> str:
    """A path relative to the repository where it is inside it."""
    return str(path.relative_to(root.resolve()) if path.is_relative_to(root.resolve()) else path)


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
def download(root: Path, url: str | None, to: Path) -> None:
    """Fetch a release archive, verify it, and only then move its files into place.

    URL defaults to the release address recorded in datapackage.json
    (stopitnow:releaseUrl). Every file is checked against SHA256SUMS and every
    resource against its hash and bytes in datapackage.json; a truncated,
    tampered or unsafe archive is refused and nothing is left behind.

    \b
    Example:
      stopitnow-figures download --to data/
    """
    import json

    from .download import download as do_download
    from .release import ReleaseError

    if url is None:
        dp = root / "datapackage.json"
        if not dp.exists():
            click.echo("Error: no URL given and no datapackage.json to read the release address from", err=True)
            sys.exit(1)
        url = json.loads(dp.read_text(encoding="utf-8"))["stopitnow:releaseUrl"]
    bar = {"bar": None}

    def progress(n: int, total: int | None) -> None:
        if bar["bar"] is None:
            bar["bar"] = click.progressbar(length=total or 0, label="downloading", file=sys.stderr)
            bar["bar"].__enter__()
        bar["bar"].update(n)

    try:
        names = do_download(url, to, progress)
    except ReleaseError as exc:
        click.echo(f"\nError: {exc}", err=True)
        sys.exit(1)
    finally:
        if bar["bar"] is not None:
            bar["bar"].__exit__(None, None, None)
    click.echo(f"verified {len(names)} files into {to}")


@main.command()
@ROOT
@click.argument("ident", metavar="[ID]", required=False)
@click.option("--format", "fmt", type=click.Choice(["bibtex", "apa", "cff"]), default="apa", show_default=True)
def cite(root: Path, ident: str | None, fmt: str) -> None:
    """Print the citation of the package, or of one figure, metric or claim.

    For a single number the citation names the package, its version and the
    id, and then the original article(s) it rests on (publisher, headline,
    date, address) as the primary source.

    \b
    Example:
      stopitnow-figures cite herald-2017-scotland-f04 --format bibtex
    """
    import json

    from . import params as params_mod
    from .citation import cite as do_cite
    from .paths import Paths

    paths = Paths(root)
    meta = params_mod.load(paths.package_meta)
    released = json.loads(paths.datapackage.read_text(encoding="utf-8"))["created"][:10]
    if ident is None:
        if fmt == "cff":
            click.echo(paths.citation.read_text(encoding="utf-8"), nl=False)
            return
        click.echo(do_cite(meta, released, fmt), nl=False)
        return
    if fmt == "cff":
        click.echo("Error: --format cff is for the package; use bibtex or apa for a single number", err=True)
        sys.exit(1)
    from .trace import UnknownId, articles_of
    from .trace import trace as do_trace

    try:
        chain = do_trace(paths, ident)
    except UnknownId as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    kind = {"figure": "figure", "metric": "metric", "claim": "claim", "reference": "reference row"}[chain["type"]]
    click.echo(do_cite(meta, released, fmt, ident, kind, articles_of(chain)), nl=False)


if __name__ == "__main__":
    main()
