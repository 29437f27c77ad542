"""Closed interval arithmetic with unbounded ends.

An interval is ``(lo, hi)`` with ``-inf``/``inf`` for an unbounded end. The
rules are the textbook ones (Moore): sums add ends, differences cross them,
products and quotients take the extreme products of the ends; a quotient by
an interval holding zero is unbounded unless zero is only an end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INF = math.inf


@dataclass(frozen=True)
class Interval:
    lo: float
    hi: float

    def __post_init__(self) -> None:
        if math.isnan(self.lo) or math.isnan(self.hi) or self.lo > self.hi:
            raise ValueError(f"not an interval: [{self.lo}, {self.hi}]")

    @classmethod
    def point(cls, v: float) -> Interval:
        return cls(float(v), float(v))

    @classmethod
    def of(cls, lo: float | None, hi: float | None) -> Interval:
        return cls(-INF if lo is None else float(lo), INF if hi is None else float(hi))

    def bounds(self) -> tuple[float | None, float | None]:
        """Ends as numbers, None where unbounded."""
        return (None if self.lo == -INF else self.lo, None if self.hi == INF else self.hi)

    def meets(self, other: Interval) -> bool:
        return self.lo <= other.hi and other.lo <= self.hi

    def __contains__(self, v: float) -> bool:
        return self.lo <= v <= self.hi

    def __add__(self, o: Interval | float) -> Interval:
        o = _as_interval(o)
        return Interval(self.lo + o.lo, self.hi + o.hi)

    def __sub__(self, o: Interval | float) -> Interval:
        o = _as_interval(o)
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __radd__(self, o: float) -> Interval:
        return _as_interval(o) + self

    def __rsub__(self, o: float) -> Interval:
        return _as_interval(o) - self

    def __rmul__(self, o: float) -> Interval:
        return _as_interval(o) * self

    def __rtruediv__(self, o: float) -> Interval:
        return _as_interval(o) / self

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __mul__(self, o: Interval | float) -> Interval:
        o = _as_interval(o)
        ends = [_mul(a, b) for a in (self.lo, self.hi) for b in (o.lo, o.hi)]
        return Interval(min(ends), max(ends))

    def __truediv__(self, o: Interval | float) -> Interval:
        return self * _as_interval(o).reciprocal()

    def reciprocal(self) -> Interval:
        lo, hi = self.lo, self.hi
        if lo > 0 or hi < 0:
            return Interval(_inv(hi), _inv(lo))
        if lo == 0 and hi > 0:
            return Interval(_inv(hi), INF)
        if hi == 0 and lo < 0:
            return Interval(-INF, _inv(lo))
        return Interval(-INF, INF)


def _as_interval(o: Interval | float) -> Interval:
    return o if isinstance(o, Interval) else Interval(float(o), float(o))


def _mul(a: float, b: float) -> float:
    # 0 times an unbounded end is 0: the bound is attained by the finite factor
    if a == 0 or b == 0:
        return 0.0
    return a * b


def _inv(a: float) -> float:
    if math.isinf(a):
        return 0.0
    if a == 0:
        raise ZeroDivisionError("division by zero")
    return 1.0 / a
