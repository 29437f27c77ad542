"""The package's prose about itself, written from its data: how many sources of which kinds, by
which publishers, published in which years, and which years their figures cover.

package.yaml keeps only what is not data: its ``title``, ``description`` and ``resource_titles`` are
templates whose ``{fields}`` the package stage fills from the published tables (``complete``), so no
count or year of today's sources is typed there; the datasheet and the reader view's index take the
same words from ``fields``. The fields (``tables.config.FIELDS``, the names the check of
package.yaml allows):

- ``sources``: the sources counted by kind ("five articles"; "seven sources (five news articles and
  two charity releases)"); a sources table without a ``kind`` column calls each source an article,
  as its schema does;
- ``source_count``: how many sources ("five");
- ``publishers``: their publishers, each once, in order of name ("Bournemouth Echo, ... and Wigan
  Today");
- ``publisher_count``: how many publishers ("five");
- ``published_years``: the years the sources were published in ("2016-2019", or "2017" for one
  year);
- ``published_between``: the same in words ("between 2016 and 2019", "in 2017");
- ``period_years`` and ``period_between``: the same for the periods the figures cover;
- ``rate_per``: the population a rate is per (params.yaml, ``derive.rate_per``: "100,000"), so that
  the words follow the parameter (``dvc exp run -S derive.rate_per=1000`` makes them "per 1,000").

Counts up to nineteen are written in words (the number words of ``values``), larger ones in digits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..model.values import UNITS

UNSTATED_KIND = (
    "article"  # a source of a table with no kind column: the sources schema's word for its rows
)
WORDS = {n: w for w, n in UNITS.items()}


@dataclass(frozen=True)
class Facts:
    """What the prose says of the package, from its tables."""

    kinds: tuple[
        tuple[str, int], ...
    ]  # each kind of source and how many, the most first (then by name)
    publishers: tuple[str, ...]  # each once, in order of name
    published: tuple[int, int] | None  # the first and last year a source was published in
    periods: tuple[int, int] | None  # the first and last year a figure's period covers
    rate_per: int | None = None  # params.yaml's derive.rate_per, where the caller read it

    @property
    def source_count(self) -> int:
        return sum(n for _, n in self.kinds)


def facts(sources: Iterable, period_starts, period_ends, rate_per: int | None = None) -> Facts:
    """The facts of the sources table's rows (dicts or ``csvio.Row``) and the figures' period
    columns (ISO dates, empty where none; lists or Arrow arrays, read by Arrow at scale), and the
    rate base of params.yaml where the caller has read it."""
    rows = list(sources)
    kinds = Counter((r.get("kind") or UNSTATED_KIND).replace("_", " ") for r in rows)
    return Facts(
        kinds=tuple(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        publishers=tuple(sorted({r["publisher"] for r in rows})),
        published=_years(
            _least([r["published_earliest"] for r in rows]),
            _most([r["published_latest"] for r in rows]),
        ),
        periods=_years(_least(period_starts), _most(period_ends)),
        rate_per=rate_per,
    )


def date_span(period_starts, period_ends) -> tuple[str, str] | None:
    """The first start and the last end of the figures' periods (ISO dates), or None where no
    figure has one."""
    first, last = _least(period_starts), _most(period_ends)
    return None if first is None or last is None else (first, last)


def _least(dates) -> str | None:
    """The first of some ISO dates (a list, or Arrow text), empty cells left out; None where there
    is none."""
    return _extreme(dates, min)


def _most(dates) -> str | None:
    return _extreme(dates, max)


def _extreme(dates, pick) -> str | None:
    if hasattr(
        dates, "type"
    ):  # Arrow text (dictionary-encoded, as the reader reads a table at scale, decoded first)
        import pyarrow as pa
        import pyarrow.compute as pc

        if pa.types.is_dictionary(dates.type):
            dates = dates.cast(pa.string())
        found = pc.min_max(pc.filter(dates, pc.not_equal(dates, "")))
        return found["min" if pick is min else "max"].as_py()
    return pick((d for d in dates if d), default=None)


def _years(first: str | None, last: str | None) -> tuple[int, int] | None:
    return None if first is None or last is None else (int(first[:4]), int(last[:4]))


def fields(f: Facts) -> dict[str, str]:
    """Each field of the templates, in words (``rate_per`` only where the facts hold it)."""
    return {
        "sources": sources_words(f.kinds),
        "source_count": count_words(f.source_count),
        "publishers": listing(list(f.publishers)),
        "publisher_count": count_words(len(f.publishers)),
        "published_years": year_range(f.published),
        "published_between": year_span(f.published),
        "period_years": year_range(f.periods),
        "period_between": year_span(f.periods),
        **({} if f.rate_per is None else {"rate_per": f"{f.rate_per:,}"}),
    }


def complete(meta: dict, f: Facts) -> dict:
    """package.yaml with its templates filled in from the facts (the other keys as they are)."""
    words = fields(f)
    out = dict(meta)
    out["title"] = meta["title"].format_map(words)
    out["description"] = meta["description"].format_map(words)
    out["resource_titles"] = {
        name: title.format_map(words) for name, title in meta["resource_titles"].items()
    }
    out["quotes_notice"] = meta["quotes_notice"].format_map(words)
    out["license_data"] = meta["license_data"].format_map(words)
    return out


def as_published(meta: dict, descriptor: dict) -> dict:
    """package.yaml with its templates as the package stage filled them (from the descriptor it
    wrote)."""
    titles = {r["name"]: r["title"] for r in descriptor.get("resources", []) if "title" in r}
    return meta | {
        "title": descriptor["title"],
        "description": descriptor["description"],
        "resource_titles": titles,
    }


def count_words(n: int) -> str:
    """A count as the prose writes it: in words up to nineteen, else in digits with thousands
    separators."""
    return WORDS[n] if n in WORDS else f"{n:,}"


def counted(n: int, kind: str) -> str:
    """``n`` things of a kind ("five articles", "one charity release")."""
    return f"{count_words(n)} {kind if n == 1 else plural(kind)}"


def plural(kind: str) -> str:
    return kind if kind.endswith("s") else kind + "s"


def sources_words(kinds: tuple[tuple[str, int], ...]) -> str:
    """The sources by kind: "five articles", or "seven sources (five news articles and two charity
    releases)"."""
    if len(kinds) == 1:
        return counted(kinds[0][1], kinds[0][0])
    total = sum(n for _, n in kinds)
    return f"{counted(total, 'source')} ({listing([counted(n, kind) for kind, n in kinds])})"


def listing(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def year_range(years: tuple[int, int] | None) -> str:
    if years is None:
        return "no year"
    first, last = years
    return f"{first}" if first == last else f"{first}-{last}"


def year_span(years: tuple[int, int] | None) -> str:
    if years is None:
        return "in no stated year"
    first, last = years
    return f"in {first}" if first == last else f"between {first} and {last}"


def published_year(source: dict) -> str:
    """The year a source was published in, as its dates allow: one year, or the first and last
    ("2016-2017") where its window spans two."""
    first, last = source["published_earliest"][:4], source["published_latest"][:4]
    return first if first == last else f"{first}-{last}"


def by_year_and_kind(sources: Iterable[dict]) -> list[tuple[str, dict[str, list[dict]]]]:
    """The sources by the year they were published in (``published_year``, in order), then by kind
    (a table with no kind column: each an article), each in table order: the coverage the index and
    the datasheet list."""
    out: dict[str, dict[str, list[dict]]] = {}
    for s in sources:
        out.setdefault(published_year(s), {}).setdefault(s.get("kind") or UNSTATED_KIND, []).append(
            s
        )
    return sorted(out.items())


def dictionary(schemas: Iterable[tuple[str, dict]], code: Callable[[str], str] = str) -> list[dict]:
    """The data dictionary: for each published table (name, Table Schema, as in schemas/), each
    field with its type (and format), unit (a field's ``unit`` where its schema gives one: a
    number's unit is otherwise in its row's ``unit`` column), constraints in words, and
    description; the reader view's page and the datasheet's section are written from it.
    ``code``: how a pattern is written (the datasheet puts it in a Markdown code span, where a
    backslash is shown as it is)."""
    return [
        {
            "table": name,
            "primary_key": ", ".join(_as_list(schema.get("primaryKey", []))),
            "fields": [
                {
                    "name": f["name"],
                    "type": f["type"] + (f" ({f['format']})" if f.get("format") else ""),
                    "unit": f.get("unit", ""),
                    "constraints": constraint_words(f.get("constraints", {}), code),
                    "description": f.get("description", ""),
                }
                for f in schema["fields"]
            ],
        }
        for name, schema in schemas
    ]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


CONSTRAINT_WORDS = {
    "required": lambda v: "required" if v else "optional",
    "unique": lambda v: "unique" if v else "",
    "enum": lambda v: "one of " + ", ".join(map(str, v)),
    "pattern": lambda v: f"matches {v}",  # (the pattern as ``code`` writes it)
    "minimum": lambda v: f"at least {v}",
    "maximum": lambda v: f"at most {v}",
    "minLength": lambda v: f"at least {v} characters",
    "maxLength": lambda v: f"at most {v} characters",
}


def constraint_words(constraints: dict, code: Callable[[str], str] = str) -> str:
    """A field's Table Schema constraints in words, in the schema's order ("required; one of a,
    b"); a constraint this list has no words for is named with its value."""
    words = [
        CONSTRAINT_WORDS[k](code(v) if k == "pattern" else v)
        if k in CONSTRAINT_WORDS
        else f"{k} {v}"
        for k, v in constraints.items()
    ]
    return "; ".join(w for w in words if w)
