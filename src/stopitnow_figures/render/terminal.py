"""Text from files and servers made safe to print on a terminal: every character of the one table of
characters that are not shown (``tables.characters``: control characters but tab and newline, and
the invisible ones that move the cursor, reorder or hide text, break a line where none is seen, or
cannot be encoded at all) is printed as an escape, never sent raw.

``show`` is how every command prints: what it prints holds text the package did not write
(article text, names, file names, git's and servers' messages), and whatever it is, ``safe``
escapes it first."""

from __future__ import annotations

from ..tables.characters import PATTERN
from ..tables.characters import (
    escaped as safe,
)  # the one escaping (render and the commands call it safe)


def _json_escape(c: str) -> str:
    """A JSON escape: \\uXXXX, as a surrogate pair above U+FFFF."""
    units = c.encode("utf-16-be", "surrogatepass")
    return "".join(
        f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2)
    )


def safe_json(text: str) -> str:
    """JSON text with those characters written as JSON escapes: the same JSON, parsed,
    and nothing raw on a terminal (outside strings, JSON text is ASCII)."""
    return PATTERN.sub(lambda m: _json_escape(m.group(0)), text)


def show(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print ``text`` on standard output (``err``: standard error) as ``safe`` escapes it: the one
    way a command prints."""
    import click

    click.echo(safe(text), err=err, nl=nl)
