"""Closed interval arithmetic with unbounded ends, on single intervals or on
whole columns of them at once.

An interval is ``(lo, hi)`` with ``-inf``/``inf`` for an unbounded end; ``lo``
and ``hi`` are numbers, or NumPy arrays holding one interval per row. The
rules are the textbook ones (Moore): sums add ends, differences cross them,
products and quotients take the extreme products of the ends (0 times an
unbounded end is 0: the bound is attained by the finite factor); a quotient by
an interval holding zero is unbounded unless zero is only an end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

INF = math.inf


@dataclass(frozen=True, eq=False)
class Interval:
    lo: float | np.ndarray
    hi: float | np.ndarray

    def __post_init__(self) -> None:
        lo, hi = np.asarray(self.lo, dtype=float), np.asarray(self.hi, dtype=float)
        if np.isnan(lo).any() or np.isnan(hi).any() or (lo > hi).any():
            raise ValueError(f"not an interval: [{self.lo}, {self.hi}]")

    @classmethod
    def point(cls, v) -> Interval:
        return cls(_plain(v), _plain(v))

    @classmethod
    def of(cls, lo: float | None, hi: float | None) -> Interval:
        return cls(-INF if lo is None else float(lo), INF if hi is None else float(hi))

    def bounds(self) -> tuple[float | None, float | None]:
        """Ends of a single interval as numbers, None where unbounded."""
        return (
            None if self.lo == -INF else float(self.lo),
            None if self.hi == INF else float(self.hi),
        )

    def meets(self, other: Interval) -> bool:
        return bool(self.lo <= other.hi and other.lo <= self.hi)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return bool(np.array_equal(self.lo, other.lo) and np.array_equal(self.hi, other.hi))

    def __contains__(self, v: float) -> bool:
        return bool(self.lo <= v <= self.hi)

    def __add__(self, o: Interval | float) -> Interval:
        o = _as_interval(o)
        with np.errstate(invalid="ignore"):  # inf - inf: refused as not an interval
            return Interval(_plain(self.lo + o.lo), _plain(self.hi + o.hi))

    def __sub__(self, o: Interval | float) -> Interval:
        o = _as_interval(o)
        with np.errstate(invalid="ignore"):
            return Interval(_plain(self.lo - o.hi), _plain(self.hi - o.lo))

    def __radd__(self, o: float) -> Interval:
        return _as_interval(o) + self

    def __rsub__(self, o: float) -> Interval:
        return _as_interval(o) - self

    def __rmul__(self, o: float) -> Interval:
        return _as_interval(o) * self

    def __rtruediv__(self, o: float) -> Interval:
        return _as_interval(o) / self

    def __neg__(self) -> Interval:
        return Interval(_plain(-self.hi), _plain(-self.lo))

    def __mul__(self, o: Interval | float) -> Interval:
        o = _as_interval(o)
        ends = [_mul(a, b) for a in (self.lo, self.hi) for b in (o.lo, o.hi)]
        return Interval(_plain(np.minimum.reduce(ends)), _plain(np.maximum.reduce(ends)))

    def __truediv__(self, o: Interval | float) -> Interval:
        return self * _as_interval(o).reciprocal()

    def reciprocal(self) -> Interval:
        lo, hi = np.asarray(self.lo, dtype=float), np.asarray(self.hi, dtype=float)
        away = (lo > 0) | (hi < 0)  # zero outside: [1/hi, 1/lo]
        from_zero = (lo == 0) & (hi > 0)  # [0, hi]: [1/hi, inf)
        to_zero = (hi == 0) & (lo < 0)  # [lo, 0]: (-inf, 1/lo]
        new_lo = np.where(away | from_zero, _inv(hi), -INF)
        new_hi = np.where(away, _inv(lo), np.where(to_zero, _inv(lo), INF))
        return Interval(_plain(new_lo), _plain(new_hi))


def _as_interval(o: Interval | float) -> Interval:
    return o if isinstance(o, Interval) else Interval(float(o), float(o))


def _plain(x):
    """A 0-d array or NumPy scalar back to a float; arrays stay arrays."""
    return float(x) if np.ndim(x) == 0 else x


def _mul(a, b):
    with np.errstate(invalid="ignore"):  # 0 * inf, replaced below
        return np.where((np.asarray(a) == 0) | (np.asarray(b) == 0), 0.0, np.multiply(a, b))


def _inv(a):
    a = np.asarray(a, dtype=float)
    with np.errstate(divide="ignore"):  # 1/0 only in ends that np.where then drops
        return np.where(np.isinf(a), 0.0, 1.0 / a)
