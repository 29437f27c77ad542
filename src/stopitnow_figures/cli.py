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
    from .clean import FIGURE_COLUMNS, NOT_FIGURE_COLUMNS
    from .clean import coverage as cover
    from .csvio import read_table
    from .errors import Collector
    from .paths import Paths
    from .sources import load_sources

    paths = Paths(root)
    problems = Collector()
    _, texts = load_sources(paths, problems)
    figures = read_table(paths.raw_figures, FIGURE_COLUMNS, problems, display="raw/figures.csv")
    not_figures = read_table(paths.raw_not_figures, NOT_FIGURE_COLUMNS, problems, display="raw/not_figures.csv")
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


if __name__ == "__main__":
    main()
