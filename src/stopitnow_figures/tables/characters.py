"""The one table of characters that are not shown: refused in a table's cells, and escaped wherever
text is printed on a terminal.

They are the control characters but tab and newline (C0, DEL and C1: never data, and terminal
escapes among them) and the invisible characters that change how the text around them reads or is
shown, or spell text no one sees: every character of the Unicode categories Cc (control), Cf
(format), Cs (surrogate), Zl and Zp (line and paragraph separator) as Unicode 14.0 (the Python the
lock pins) has them, and the whole block of tag characters U+E0000-E007F, its unassigned code points
included (tags spell hidden text, and a later Unicode may assign the rest). Tab and newline are
data. ``tests/test_characters.py`` holds the table to the running Python's Unicode database: a newer
one that adds a character to those categories fails it until the row is added here.

Everything else reads the table through this module: ``PATTERN`` finds a character of it in text,
``has_any_utf8`` in the UTF-8 bytes of a file (without decoding them), ``kind`` says which of the
two it is, and ``escaped`` shows each as an escape: how text the package did not write reaches a
terminal (the commands print through ``render.terminal``, the stages their problems).
"""

from __future__ import annotations

import re
from itertools import groupby

# (first, last, what they are), in code-point order
TABLE = (
    (0x0000, 0x0008, "C0 controls"),
    (0x000B, 0x001F, "C0 controls (tab U+0009 and newline U+000A are data)"),
    (0x007F, 0x009F, "delete and the C1 controls"),
    (0x00AD, 0x00AD, "soft hyphen"),
    (0x0600, 0x0605, "Arabic number signs"),
    (0x061C, 0x061C, "Arabic letter mark"),
    (0x06DD, 0x06DD, "Arabic end of ayah"),
    (0x070F, 0x070F, "Syriac abbreviation mark"),
    (0x0890, 0x0891, "Arabic pound and piastre marks above"),
    (0x08E2, 0x08E2, "Arabic disputed end of ayah"),
    (0x180E, 0x180E, "Mongolian vowel separator"),
    (
        0x200B,
        0x200F,
        "zero-width space, non-joiner and joiner; left-to-right and right-to-left marks",
    ),
    (0x2028, 0x202E, "line and paragraph separators; direction embeddings, pop and overrides"),
    (0x2060, 0x2064, "word joiner and invisible operators"),
    (0x2066, 0x206F, "direction isolates; the deprecated shaping and digit-shape characters"),
    (0xD800, 0xDFFF, "surrogates (never in UTF-8 text, which refuses them first)"),
    (0xFEFF, 0xFEFF, "zero-width no-break space (a byte-order mark inside a cell)"),
    (0xFFF9, 0xFFFB, "interlinear annotation anchors and terminator"),
    (0x110BD, 0x110BD, "Kaithi number sign"),
    (0x110CD, 0x110CD, "Kaithi number sign above"),
    (0x13430, 0x13438, "Egyptian hieroglyph format controls"),
    (0x1BCA0, 0x1BCA3, "shorthand format controls"),
    (0x1D173, 0x1D17A, "musical symbol format controls"),
    (0xE0000, 0xE007F, "tag characters"),
)

# every code point of the table at or above this one is an invisible character; below it, a
# control character
FIRST_INVISIBLE = 0xA0


def _char_class() -> str:
    """The table as the body of a regular expression's character class (each end escaped)."""
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b, _ in TABLE
    )


PATTERN = re.compile(f"[{_char_class()}]")


def escaped(text: str) -> str:
    """``text`` with every character of the table shown as a Python escape ("\\x1b", "\\u202e"),
    never sent raw."""
    return PATTERN.sub(lambda m: repr(m.group(0))[1:-1], text)


def code_points() -> list[int]:
    """Every code point of the table, in order."""
    return [c for a, b, _ in TABLE for c in range(a, b + 1)]


def kind(char: str) -> str:
    """What a character of the table is: "control" or "invisible formatting"."""
    return "control" if ord(char) < FIRST_INVISIBLE else "invisible formatting"


def _utf8(c: int) -> bytes:
    return chr(c).encode(
        "utf-8", "surrogatepass"
    )  # (a surrogate as the bytes that would encode it)


def _utf8_pattern() -> re.Pattern[bytes]:
    """A regular expression over UTF-8 bytes for the table: for each run of leading bytes, the class
    of the last byte of the characters that start with it."""
    out = []
    for lead, chars in groupby(code_points(), key=lambda c: _utf8(c)[:-1]):
        last = "".join(f"\\x{_utf8(c)[-1]:02x}" for c in chars)
        out.append(re.escape(lead).decode("latin-1") + f"[{last}]")
    return re.compile("|".join(out).encode("latin-1"))


UTF8_PATTERN = _utf8_pattern()
# the first byte of the UTF-8 of each character of the table; every other byte cannot start one
_FIRST_BYTES = bytes(sorted({_utf8(c)[0] for c in code_points()}))
_OTHER_BYTES = bytes(b for b in range(256) if b not in _FIRST_BYTES)
_ONE_BYTE = bytes(
    b for b in _FIRST_BYTES if b < 0x80
)  # the controls below 0x80, each a character by itself


def has_any_utf8(data: bytes) -> bool:
    """Whether UTF-8 ``data`` holds a character of the table: what is left once every byte that
    cannot start one is deleted says so (ten times faster than the regular expression over it all),
    and only where a byte that may start one of several bytes is left is the expression asked."""
    left = data.translate(None, _OTHER_BYTES)
    if not left:
        return False
    if len(left) != len(left.translate(None, _ONE_BYTE)):
        return True
    return UTF8_PATTERN.search(data) is not None
