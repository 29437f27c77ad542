"""The conflicts of the published package, each once: a set of rows (figures, identities, claims)
that cannot all hold, and the quantities it touches.

Reconciliation writes, for every quantity of a set whose rows cannot all hold, the set
(``quantities.conflict``) and what it set aside of its own (``quantities.set_aside``). Several
quantities share one set; a conflict is that set, named by the first of its quantities in id order
(``conflict-`` and the id), so that ``trace``, ``cite``, the reader view and the datasheet name it
alike and its name changes only when the set does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PREFIX = (
    "conflict-"  # a conflict's id is this and the first id, in order, of the quantities it touches
)


@dataclass(frozen=True)
class Conflict:
    conflict_id: str
    quantities: tuple[str, ...]  # every quantity the set touches, in id order
    rows: tuple[str, ...]  # the rows that cannot all hold, as reconciliation lists them
    set_aside: tuple[str, ...]  # what was set aside so that the rest hold, in the order first met


def conflicts(quantities: Iterable[dict]) -> list[Conflict]:
    """Each set of rows that cannot all hold, once, in id order."""
    by_set: dict[str, list[dict]] = {}
    for q in quantities:
        if q["conflict"]:
            by_set.setdefault(q["conflict"], []).append(q)
    out = []
    for rows, qs in by_set.items():
        ids = tuple(sorted(q["quantity_id"] for q in qs))
        aside = dict.fromkeys(
            x for q in sorted(qs, key=lambda q: q["quantity_id"]) for x in q["set_aside"].split()
        )
        out.append(Conflict(PREFIX + ids[0], ids, tuple(rows.split()), tuple(aside)))
    return sorted(out, key=lambda c: c.conflict_id)
