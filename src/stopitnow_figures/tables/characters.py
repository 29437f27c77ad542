"""Which characters a person cannot see for what they are: the terminal's escaping (``render.terminal``) shows
them as escapes, and a release refuses a file name that holds one (``publishing.release``)."""

from __future__ import annotations

# control (Cc), format (Cf: U+200B, U+202E, U+FEFF...), surrogate (Cs), line and
# paragraph separator (Zl, Zp) characters: they move the cursor, reorder or hide
# text, break a line where none is seen, or cannot be encoded at all
ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
