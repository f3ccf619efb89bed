"""The charge limit per phase per cathode as an exact integer (pC), for any contact area.

Two limits (DESIGN §4), Q the charge per phase and A the contact area:
- density: D = Q / A <= D_max (uC/cm2), so Q <= D_max * A;
- Shannon: log10(D) + log10(Q) <= k, i.e. Q^2 / A <= 10^k, so Q^2 <= 10^k * A (uC, cm2).

In pC and mm2 (1 uC = 10^6 pC, 1 cm2 = 100 mm2): Q_pc <= D_max * A_mm2 * 10^4 and
Q_pc^2 <= 10^k * A_mm2 * 10^10. The limit is the largest integer Q_pc meeting both. Every input is
read as the exact decimal it is written as (``1.85`` is 37/20, not the nearest binary float), and
the Shannon bound is decided by an exact integer comparison: with k = n/d and X = A_mm2 * 10^10,
Q^2 <= 10^(n/d) * X  <=>  Q^(2d) <= 10^n * X^d. A high-precision decimal square root gives the
candidate; the integer test proves it (and its successor fails), so no rounding can move the limit.
"""

from __future__ import annotations

import decimal
from fractions import Fraction
from functools import lru_cache
from math import floor


def exact(value: float | str | Fraction) -> Fraction:
    """The decimal a limit is written as, exactly (floats via their shortest repr: 1.85 -> 37/20)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"a number is needed, not {value!r}")
    return Fraction(str(value))


def shannon_satisfied(q_pc: int, area_mm2: Fraction, k: Fraction) -> bool:
    """Exactly whether Q_pc^2 <= 10^k * A_mm2 * 10^10 (Shannon with D = Q/A, in uC and cm2)."""
    x = area_mm2 * 10**10
    n, d = k.numerator, k.denominator
    # Q^(2d) * den(X)^d <= 10^n * num(X)^d, for k >= 0; for k < 0 move 10^n to the left
    lhs = q_pc ** (2 * d) * x.denominator ** d
    rhs = x.numerator ** d
    return lhs <= rhs * 10**n if n >= 0 else lhs * 10 ** (-n) <= rhs


def shannon_limit_pc(area_mm2: Fraction, k: Fraction) -> int:
    """Largest integer charge (pC) meeting Shannon's limit, exactly."""
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        x = decimal.Decimal(area_mm2.numerator) / area_mm2.denominator * 10**10
        tenk = decimal.Decimal(10) ** (decimal.Decimal(k.numerator) / k.denominator)
        q = int((tenk * x).sqrt())
    # the candidate is within a few units of the truth at 60 digits; the exact test settles it
    while q > 0 and not shannon_satisfied(q, area_mm2, k):
        q -= 1
    while shannon_satisfied(q + 1, area_mm2, k):
        q += 1
    return q


def density_limit_pc(area_mm2: Fraction, density_uc_cm2: Fraction) -> int:
    """Largest integer charge (pC) with Q / A <= density: floor(density * A_mm2 * 10^4)."""
    return floor(density_uc_cm2 * area_mm2 * 10**4)


@lru_cache(maxsize=256)
def max_cathode_charge_pc(area_mm2: float | str, density_uc_cm2: float | str,
                          shannon_k: float | str) -> int:
    """The charge limit per phase per cathode, pC: the smaller of the density and Shannon limits."""
    a, dens, k = exact(area_mm2), exact(density_uc_cm2), exact(shannon_k)
    if a <= 0:
        raise ValueError(f"contact_area_mm2 = {area_mm2!r} is not allowed: a positive area in mm2")
    return min(density_limit_pc(a, dens), shannon_limit_pc(a, k))
