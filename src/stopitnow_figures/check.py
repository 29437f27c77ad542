"""`stopitnow-figures check`: every rule the build runs on raw/ and the configuration, writing
nothing.

Each stage's own checks, called as the stage calls them (there is no second
implementation of a rule here; each is among what its stage declares a command
may call, its ``__all__``): the configuration (params.yaml, package.yaml);
clean's and validate's checks of the articles and the figure tables
(``stages.clean.check``); reconcile's of the quantities and identities
(``stages.reconcile.check_unsolved``); derive's of the derivations, the claims,
the claim rule and the population table (``stages.derive.check_unevaluated``);
and package's of CHANGELOG.md (``changelog.check``, which the package stage
calls). Every
problem of all of them is reported at once, except where an earlier one makes
a later check meaningless, and there the later check does not run:

- each table a stage reads of raw/ (and package.yaml) is read and checked
  against its schema whatever else fails: it depends on nothing;
- reconcile's checks read the figures as clean types them, and derive's read
  the quantities as reconcile has checked them (their ids and periods), so each
  runs only where every check before it has passed (a figure clean could not
  type would make each check of its quantity a false problem), and only where
  the raw tables it reads could be read whole;
- the CHANGELOG's entry for the version is checked wherever package.yaml is
  valid, and that it names every source only where clean has passed (an
  unreadable or misnamed source is no source to look for).

What only the build can find is left to it: a check of a value that needs the
solved quantities or an evaluated formula (a share computed above 100 per
cent, a formula too large for a number, an equals claim whose formula misses
its figure's quantity), and a candidate or published file edited by hand.
``check`` imports no solver, no Great Expectations and no charts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .publishing import changelog
from .tables import config, vocab
from .tables.errors import Collector, InputError
from .tables.paths import Paths


@dataclass(frozen=True)
class Summary:
    """What a check that found nothing has read."""

    articles: int
    figures: int
    numeric_mentions: int
    quantities: int
    identities: int
    derivations: int
    claims: int

    def __str__(self) -> str:
        return (
            f"no problems: {self.articles} articles, {self.figures} figures, "
            f"{self.numeric_mentions} numeric mentions, "
            f"{self.quantities} quantities, {self.identities} identities, {self.derivations} "
            f"derivations, {self.claims} claims"
        )


def check(paths: Paths) -> Summary:
    """Every rule the build runs on raw/ and the configuration, all problems at once (InputError);
    nothing is written."""
    from .stages import clean, derive, reconcile

    problems = Collector()
    vocabulary = vocab.load(paths.schemas)

    # -- what each stage reads alone, checked whatever else fails ------------------------
    meta, meta_ok = _alone(problems, lambda p: config.read(paths, "package", p))
    quantities_tables, quantities_ok = _alone(problems, lambda p: reconcile.read_curated(paths, p))
    derive_tables, derive_ok = _alone(problems, lambda p: derive.read_curated(paths, vocabulary, p))

    # -- clean and validate, then each stage on what the one before it has checked ---------
    checked, _ = _alone(problems, lambda p: _clean(clean, paths, p))
    quantities = None
    if checked is not None and quantities_ok:
        tables = {
            "figures": checked.table("figures"),
            "geographies": checked.table("geographies"),
            **quantities_tables,
        }
        quantities, _ = _alone(
            problems, lambda p: reconcile.check_unsolved(paths, vocabulary, tables, p)
        )
    if quantities is not None and derive_ok:
        tables = {"geographies": checked.table("geographies"), **derive_tables}
        _alone(
            problems,
            lambda p: derive.check_unevaluated(
                paths, vocabulary, tables, checked.table("figures"), quantities, p
            ),
        )
    if meta_ok:
        sources = checked.sources["source_id"] if checked is not None else []
        changelog.check(paths.changelog, meta["version"], sources, problems)
    problems.raise_if_any()
    assert checked is not None and quantities is not None
    return Summary(
        articles=len(checked.sources["source_id"]),
        figures=len(checked.figures["figure_id"]),
        numeric_mentions=checked.mentions["numeric"],
        quantities=len(quantities),
        identities=len(quantities_tables["identities"]),
        derivations=len(derive_tables["derivations"]),
        claims=len(derive_tables["claims"]),
    )


def _clean(clean, paths: Paths, problems: Collector):
    """clean's checks (they raise): what it would publish, or None with its problems in
    ``problems``."""
    try:
        return clean.check(paths)
    except InputError as exc:
        problems.extend(exc.problems)
        return None


def _alone(problems: Collector, run: Callable[[Collector], object]) -> tuple[object, bool]:
    """What ``run`` gives with a collector of its own, whose problems are then added to
    ``problems``; and whether it found none."""
    own = Collector()
    out = run(own)
    problems.extend(own.problems)
    return out, not own
