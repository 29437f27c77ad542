"""Closed interval arithmetic with unbounded ends, on single intervals or on
whole columns of them at once.

An interval is ``(lo, hi)`` with ``-inf``/``inf`` for an unbounded end; ``lo``
and ``hi`` are numbers, or NumPy arrays holding one interval per row. The
rules are the textbook ones (Moore): sums add ends, differences cross them,
products and quotients take the extreme products of the ends (0 times an
unbounded end is 0: the bound is attained by the finite factor); a quotient by
an interval holding zero is unbounded unless zero is only an end.

The functions on pairs of ends (``add``, ``sub``, ``neg``, ``mul``, ``div``,
``meet``, ``whole_within``) are the rules; ``Interval`` wraps them for formulas,
and the reconciliation's propagation (``bounds``) calls them on one pair of
numbers at a time. A pair of plain numbers gives plain numbers back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

INF = math.inf
WHOLE_TOLERANCE = (
    1e-7  # an end this close to a whole number is that number (a count read from a rounded ratio)
)

Pair = tuple  # (lo, hi): numbers, or arrays of one end per row


def add(a: Pair, b: Pair) -> Pair:
    """a + b: the sums of the ends (an unbounded end and its opposite give NaN, which ``Interval``
    refuses)."""
    return (a[0] + b[0], a[1] + b[1])


def sub(a: Pair, b: Pair) -> Pair:
    """a - b: each end less the other's opposite end."""
    return (a[0] - b[1], a[1] - b[0])


def neg(a: Pair) -> Pair:
    return (-a[1], -a[0])


def meet(a: Pair, b: Pair) -> Pair:
    """The intersection of a and b (its lower end above its upper where they do not meet)."""
    return (_larger(a[0], b[0]), _smaller(a[1], b[1]))


def mul(a: Pair, b: Pair) -> Pair:
    """a * b: the least and greatest products of an end of each (0 times an unbounded end is 0)."""
    ends = [_times(a[0], b[0]), _times(a[0], b[1]), _times(a[1], b[0]), _times(a[1], b[1])]
    return _least(ends), _greatest(ends)


def div(a: Pair, b: Pair) -> Pair:
    """a / b: a times the reciprocal of b."""
    return mul(a, reciprocal(b))


def reciprocal(a: Pair) -> Pair:
    """1 / a: [1/hi, 1/lo] where zero is outside a; one end unbounded where zero is only an end;
    else unbounded."""
    lo, hi = a
    if _any_array(lo, hi):
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    away = (lo > 0) | (hi < 0)  # zero outside: [1/hi, 1/lo]
    from_zero = (lo == 0) & (hi > 0)  # [0, hi]: [1/hi, inf)
    to_zero = (hi == 0) & (lo < 0)  # [lo, 0]: (-inf, 1/lo]
    return _where(away | from_zero, _inv(hi), -INF), _where(away | to_zero, _inv(lo), INF)


def whole_within(a: Pair) -> Pair:
    """The least and greatest whole numbers within a: its ends rounded inward (an end within
    ``WHOLE_TOLERANCE`` of a whole number is that number); an unbounded end stays unbounded."""
    lo, hi = a
    if _any_array(lo, hi):
        with np.errstate(invalid="ignore"):
            return np.ceil(np.asarray(lo) - WHOLE_TOLERANCE), np.floor(
                np.asarray(hi) + WHOLE_TOLERANCE
            )
    return (
        lo if lo in (INF, -INF) else float(math.ceil(lo - WHOLE_TOLERANCE)),
        hi if hi in (INF, -INF) else float(math.floor(hi + WHOLE_TOLERANCE)),
    )


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

    def pair(self) -> Pair:
        return (self.lo, self.hi)

    def __add__(self, o: Interval | float) -> Interval:
        with np.errstate(invalid="ignore"):  # inf - inf: refused as not an interval
            return _interval(add(self.pair(), _as_interval(o).pair()))

    def __sub__(self, o: Interval | float) -> Interval:
        with np.errstate(invalid="ignore"):
            return _interval(sub(self.pair(), _as_interval(o).pair()))

    def __radd__(self, o: float) -> Interval:
        return _as_interval(o) + self

    def __rsub__(self, o: float) -> Interval:
        return _as_interval(o) - self

    def __rmul__(self, o: float) -> Interval:
        return _as_interval(o) * self

    def __rtruediv__(self, o: float) -> Interval:
        return _as_interval(o) / self

    def __neg__(self) -> Interval:
        return _interval(neg(self.pair()))

    def __mul__(self, o: Interval | float) -> Interval:
        return _interval(mul(self.pair(), _as_interval(o).pair()))

    def __truediv__(self, o: Interval | float) -> Interval:
        return _interval(div(self.pair(), _as_interval(o).pair()))

    def reciprocal(self) -> Interval:
        return _interval(reciprocal(self.pair()))


def _interval(pair: Pair) -> Interval:
    return Interval(_plain(pair[0]), _plain(pair[1]))


def _as_interval(o: Interval | float) -> Interval:
    return o if isinstance(o, Interval) else Interval(float(o), float(o))


def _plain(x):
    """A 0-d array or NumPy scalar back to a float; arrays stay arrays."""
    return float(x) if np.ndim(x) == 0 else x


# The primitives below act on two numbers or on two columns alike: numbers by Python's arithmetic
# (the
# reconciliation's propagation calls the rules above on one pair of ends at a time, where NumPy's
# cost
# per call would be most of the time), arrays by NumPy's, with the same IEEE results.


def _larger(x, y):
    """The larger of two ends, numbers or arrays alike."""
    if _any_array(x, y):
        return np.maximum(x, y)
    return y if y > x else x


def _smaller(x, y):
    if _any_array(x, y):
        return np.minimum(x, y)
    return y if y < x else x


def _least(ends: list):
    """The least of four ends, numbers or arrays alike."""
    return _extreme(ends, np.minimum, min)


def _greatest(ends: list):
    return _extreme(ends, np.maximum, max)


def _extreme(ends: list, ufunc, scalar):
    """The least or the greatest of ends (``ufunc`` np.minimum and ``scalar`` min, or np.maximum and
    max), numbers or arrays alike."""
    if _any_array(*ends):
        return _plain(ufunc.reduce(np.broadcast_arrays(*ends)))
    return scalar(ends)


def _any_array(*xs) -> bool:
    """Whether any operand is an array: then an operation is NumPy's, else Python's on numbers."""
    for x in xs:
        if isinstance(x, np.ndarray):
            return True
    return False


def _where(cond, x, y):
    if _any_array(cond, x, y):
        return np.where(cond, x, y)
    return x if cond else y


def _times(a, b):
    """a * b, where 0 times an unbounded end is 0 (an overflow is an unbounded end)."""
    if _any_array(a, b):
        with np.errstate(invalid="ignore", over="ignore"):  # 0 * inf, replaced below
            return np.where((np.asarray(a) == 0) | (np.asarray(b) == 0), 0.0, np.multiply(a, b))
    return 0.0 if a == 0 or b == 0 else a * b


def _inv(a):
    """1 / a, 0 for an unbounded a (the value at 0 is never used: ``reciprocal`` drops it)."""
    if isinstance(a, np.ndarray):
        with np.errstate(divide="ignore"):  # 1/0 only in ends that np.where then drops
            return np.where(np.isinf(a), 0.0, 1.0 / a)
    return 0.0 if a in (INF, -INF) else (1.0 / a if a != 0 else INF)
