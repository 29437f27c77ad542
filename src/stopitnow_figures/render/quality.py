"""The quality report's page (templates/report/quality.html.j2): the Great Expectations results over
the published package and the conflicts between the numbers, one self-contained page (inline styles,
no scripts, no external resources)."""

from __future__ import annotations

from .markup import html_text


def quality_page(descriptor: dict, results: list[dict], quantities: list[dict]) -> str:
    """The page of the checkpoints' ``results`` for the package ``descriptor``, with each quantity
    in conflict."""
    from jinja2 import Environment, PackageLoader, StrictUndefined
    from markupsafe import Markup

    env = Environment(
        loader=PackageLoader("stopitnow_figures.render"),
        autoescape=True,
        finalize=lambda value: Markup(
            html_text(value)
        ),  # autoescaped, with the entities the page has always had
        undefined=StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template("report/quality.html.j2").render(
        title=f"Stop It Now! figures {descriptor['version']}: quality report",
        created=descriptor["created"][:10],
        total=sum(len(c["results"]) for c in results),
        passed=sum(r["success"] for c in results for r in c["results"]),
        results=results,
        conflicts=[q for q in quantities if q["conflict"]],
    )
