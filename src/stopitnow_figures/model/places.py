"""Places that are unions of areas: the rule for their code, and the checks of their rows.

A union of areas ("Merseyside and Lancashire" counted together) is a row of
raw/geographies.csv of the kind ``union of areas`` whose ``members`` lists two
or more codes of other rows (none a union), separated by spaces. Its code is
its members' codes, sorted and joined by the vocabulary's ``union_join``
(``S12000036+S12000049``): stable (the same members give the same code,
whatever order they are listed in), read from the members alone, and never
mistaken for a GSS code, which is nine characters. The published schema's
code pattern admits exactly a GSS code or such a join of them.
"""

from __future__ import annotations

from ..tables.csvio import Table
from ..tables.errors import Collector
from ..tables.vocab import Vocabulary


def members_of(cell: str) -> list[str]:
    """The member codes a ``members`` cell lists, in its order."""
    return cell.split()


def union_code(vocabulary: Vocabulary, members: list[str]) -> str:
    """The code of the union of ``members``: their codes, each once, sorted and joined."""
    return vocabulary.union_join.join(sorted(set(members)))


def is_union(vocabulary: Vocabulary, kind: str) -> bool:
    return kind == vocabulary.names("geographies", "kind").union_of_areas


def check_unions(
    vocabulary: Vocabulary, geographies: Table, display: str, problems: Collector
) -> None:
    """Each union lists two or more members, each a row that is not a union, and has their code; no
    other row lists members or has a joined code."""
    kinds = dict(zip(geographies.column("geography_code"), geographies.column("kind"), strict=True))
    union = vocabulary.names("geographies", "kind").union_of_areas
    for r in geographies:
        code, members = r["geography_code"], members_of(r["members"])
        if not is_union(vocabulary, r["kind"]):
            if members:
                message = (
                    f"only a union of areas lists members: give the row the kind {union!r}, "
                    "or empty its members"
                )
                problems.add("union-members", display, r.line, "members", r["members"], message)
            elif vocabulary.union_join in code:
                message = (
                    f"a code of joined codes is a union's: give the row the kind {union!r} "
                    "and list its members"
                )
                problems.add("union-members", display, r.line, "geography_code", code, message)
            continue
        if len(set(members)) < 2 or len(set(members)) != len(members):
            message = (
                "a union of areas lists two or more member codes, each once, separated by spaces"
            )
            problems.add("union-members", display, r.line, "members", r["members"], message)
            continue
        ok = True
        for m in members:
            if m not in kinds:
                problems.add(
                    "unknown-id",
                    display,
                    r.line,
                    "members",
                    m,
                    f"no row of {display} has this code",
                )
                ok = False
            elif is_union(vocabulary, kinds[m]):
                message = (
                    "a member of a union is an area, not another union: list that union's "
                    "members instead"
                )
                problems.add("union-members", display, r.line, "members", m, message)
                ok = False
        if ok and code != union_code(vocabulary, members):
            message = (
                "a union's code is its members' codes, sorted and joined by "
                f"{vocabulary.union_join!r}: {union_code(vocabulary, members)}"
            )
            problems.add("union-members", display, r.line, "geography_code", code, message)


def members_used(vocabulary: Vocabulary, geographies: Table, used: set[str]) -> set[str]:
    """The codes ``used`` and the members of every union among them (a member is needed for the
    union's population)."""
    out = set(used)
    for r in geographies:
        if r["geography_code"] in used and is_union(vocabulary, r["kind"]):
            out.update(members_of(r["members"]))
    return out
