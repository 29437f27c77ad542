"""Text from files and servers made safe to print on a terminal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from ..tables.characters import ESCAPED_CATEGORIES

# every character but tab, newline and printable ASCII is a candidate, then looked up by category
_CANDIDATE = re.compile("[^\\t\\n\\x20-\\x7e]")


def _escaping(escape: Callable[[str], str]) -> Callable[[re.Match[str]], str]:
    def sub(m: re.Match[str]) -> str:
        c = m.group(0)
        return escape(c) if unicodedata.category(c) in ESCAPED_CATEGORIES else c

    return sub


def _json_escape(c: str) -> str:
    """A JSON escape: \\uXXXX, as a surrogate pair above U+FFFF."""
    units = c.encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2))


_AS_PYTHON = _escaping(lambda c: repr(c)[1:-1])
_AS_JSON = _escaping(_json_escape)


def safe(text: str) -> str:
    """``text`` with every control, format, surrogate and line or paragraph separator
    character but newline and tab shown as an escape ("\\x1b", "\\u202e"), never sent raw."""
    return _CANDIDATE.sub(_AS_PYTHON, text)


def safe_json(text: str) -> str:
    """JSON text with those characters written as JSON escapes: the same JSON, parsed,
    and nothing raw on a terminal (outside strings, JSON text is ASCII)."""
    return _CANDIDATE.sub(_AS_JSON, text)
