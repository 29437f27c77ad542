"""Integers in English words, written independently of the parser, for round-trip tests."""

from __future__ import annotations

UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = {
    2: "twenty",
    3: "thirty",
    4: "forty",
    5: "fifty",
    6: "sixty",
    7: "seventy",
    8: "eighty",
    9: "ninety",
}


def int_to_words(n: int) -> str:
    """An integer from 0 to 999,999,999 in British English words ("one hundred and five")."""
    if not 0 <= n < 1_000_000_000:
        raise ValueError("out of range")
    if n == 0:
        return "zero"
    parts: list[str] = []
    for scale, word in ((1_000_000, "million"), (1_000, "thousand")):
        q, n = divmod(n, scale)
        if q:
            parts += _below_thousand(q) + [word]
    if n:
        if parts and n < 100:
            parts.append("and")
        parts += _below_thousand(n)
    return " ".join(parts)


def _below_thousand(k: int) -> list[str]:
    out: list[str] = []
    h, rest = divmod(k, 100)
    if h:
        out += [UNITS[h], "hundred"] + (["and"] if rest else [])
    if rest >= 20:
        t, u = divmod(rest, 10)
        out.append(TENS[t] + (f"-{UNITS[u]}" if u else ""))
    elif rest:
        out.append(UNITS[rest])
    return out
