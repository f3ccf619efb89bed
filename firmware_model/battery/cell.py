"""The implant's cell as it is now, and its closed-form steps.

Rechargeable cell (`models.CellParams`, DESIGN §5): terminal voltage ``V = OCV(SOC) - I*R0 - V1`` with
one R1||C1 branch and coulomb counting; ``I`` is positive while discharging. The OCV is linear within
each piece of its table, so over a span of constant inputs every quantity has a closed form:

- constant current: SOC linear, V1 exponential (`Cell.advance`, `Cell.charge_energy_j`);
- constant power plus constant current (the stimulation load): time to a SOC by Gauss-Legendre
  quadrature (`discharge_seconds`), SOC after a time by Newton's method on it (`soc_after`);
- constant-current charging: time until the terminal voltage reaches a level (`Cell.ticks_to_voltage`);
- constant-voltage charging: a 2x2 linear ODE in (SOC, V1) (`Cell.cv_solution`, `Cell.cv_span`).

`Cell` and `PrimaryCell` hold the state (SOC, V1, present capacity) and ``current_a``, the battery
current at the end of the last step; the event-driven runners (`simulation`) decide the steps.
Time is integer ticks (1 us); a time found by root finding is rounded up to the next tick (`ceil_tick`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from firmware_model.battery.models import CellParams, OcvTable, PrimaryCellParams
from firmware_model.stimulation.params import TICKS_PER_SECOND

_GAUSS5 = ((0.0, 128 / 225), (-(245 - 14 * 70 ** 0.5) ** 0.5 / 21, (322 + 13 * 70 ** 0.5) / 900),
           ((245 - 14 * 70 ** 0.5) ** 0.5 / 21, (322 + 13 * 70 ** 0.5) / 900),
           (-(245 + 14 * 70 ** 0.5) ** 0.5 / 21, (322 - 13 * 70 ** 0.5) / 900),
           ((245 + 14 * 70 ** 0.5) ** 0.5 / 21, (322 - 13 * 70 ** 0.5) / 900))


def ceil_tick(seconds: float) -> int:
    """Seconds to whole ticks, rounded up; at least one tick, at most ~146 years."""
    if not seconds < 4.6e9:
        return 1 << 62
    return max(1, math.ceil(seconds * TICKS_PER_SECOND - 1e-6))


def discharge_seconds(ocv: OcvTable, capacity_mah: float, s0: float, s1: float, power_w: float,
                      base_a: float) -> float:
    """Time to discharge from SOC s0 down to s1 (same OCV piece) at constant power plus constant current:
    3.6*Q * integral of OCV/(P + I*OCV) dSOC, by 5-point Gauss-Legendre (the integrand is smooth and the
    interval short, so this is exact to ~1e-12)."""
    _, _, a, k = ocv.segment((s0 + s1) / 2)
    half, mid = (s0 - s1) / 2, (s0 + s1) / 2
    total = 0.0
    for x, w in _GAUSS5:
        u = a + k * (mid + half * x)
        total += w * u / (power_w + base_a * u)
    return 3.6 * capacity_mah * half * total


def soc_after(ocv: OcvTable, capacity_mah: float, s0: float, s_floor: float, t_floor: float, sec: float,
              power_w: float, base_a: float) -> float:
    """SOC after ``sec`` seconds of discharge from s0 (sec <= t_floor, the time to reach s_floor)."""
    if sec >= t_floor:
        return s_floor
    _, _, a, k = ocv.segment((s0 + s_floor) / 2)
    lo, hi = s_floor, s0
    s = s0 - sec * (power_w / (a + k * s0) + base_a) / 3.6 / capacity_mah
    for _ in range(30):  # Newton on T(s) = sec, bracketed
        s = min(max(s, lo), hi)
        f = discharge_seconds(ocv, capacity_mah, s0, s, power_w, base_a) - sec
        if abs(f) < 1e-9:
            break
        if f > 0:
            lo = s
        else:
            hi = s
        u = a + k * s
        s += f / (3.6 * capacity_mah * u / (power_w + base_a * u))
    return min(max(s, lo), hi)


def ocv_inverse(ocv: OcvTable, volts: float) -> float:
    """The SOC at which the (monotonic) OCV table reaches ``volts`` (clamped to [0, 1])."""
    pts = ocv.points
    if volts <= pts[0][1]:
        return 0.0
    for (s0, v0), (s1, v1) in itertools.pairwise(pts):
        if v0 <= volts <= v1:
            return s0 + (s1 - s0) * (volts - v0) / (v1 - v0) if v1 > v0 else s0
    return 1.0


class Cell:
    """A rechargeable cell's state: SOC, the polarisation voltage ``v1`` (discharge convention), the
    present (faded) capacity, and ``current_a``, the current at the end of the last step (discharge
    positive). The steps below change SOC and V1 only; time and bookkeeping belong to the caller."""

    def __init__(self, params: CellParams = CellParams(), soc: float = 1.0):
        self.params = params
        self.soc = soc
        self.v1 = 0.0
        self.capacity_mah = params.capacity_mah
        self.current_a = 0.0

    @property
    def capacity_fraction(self) -> float:
        """Present capacity over the nominal one."""
        return self.capacity_mah / self.params.capacity_mah

    def voltage(self, current_a: float) -> float:
        """Terminal voltage with ``current_a`` flowing (discharge positive)."""
        return self.params.ocv.voltage(self.soc) - current_a * self.params.r0_ohm - self.v1

    @property
    def terminal_v(self) -> float:
        """Terminal voltage with the current of the last step still flowing."""
        return self.voltage(self.current_a)

    def advance(self, current_a: float, sec: float) -> None:
        """``sec`` seconds at constant current (discharge positive): SOC linear, V1 exponential."""
        p = self.params
        self.soc -= current_a * sec / 3.6 / self.capacity_mah
        v_inf = current_a * p.r1_ohm
        self.v1 = v_inf + (self.v1 - v_inf) * math.exp(-sec / p.tau1_s)

    def v1_after_ramp(self, v10: float, i0: float, i1: float, sec: float) -> float:
        """V1 after ``sec`` seconds from ``v10`` with the current going linearly from i0 to i1 (the
        constant-power discharge within one step, to a few ppm): exact for a ramp,
        V1 = R1*(I(t) - tau*dI/dt) + (V1(0) - R1*(I0 - tau*dI/dt))*exp(-t/tau)."""
        p = self.params
        slope = (i1 - i0) / sec if sec > 0 else 0.0
        lag = p.r1_ohm * p.tau1_s * slope
        return p.r1_ohm * i1 - lag + (v10 - p.r1_ohm * i0 + lag) * math.exp(-sec / p.tau1_s)

    def discharge_span(self, target: float | None, max_ticks: int, power_w: float, base_a: float) -> tuple[int, float]:
        """(ticks, SOC at their end) of a discharge at constant power plus constant current for at most
        ``max_ticks``, ending just below ``target`` if it gets there first (None: no target, and then only
        ``base_a`` discharges the cell)."""
        p, s0, dt = self.params, self.soc, max_ticks
        if target is None:
            return dt, s0 - base_a * dt / TICKS_PER_SECOND / 3.6 / self.capacity_mah if base_a > 0 else s0
        to_target = discharge_seconds(p.ocv, self.capacity_mah, s0, target, power_w, base_a)
        if ceil_tick(to_target) <= dt:
            dt = ceil_tick(to_target)
            return dt, min(target - 1e-12, soc_after(p.ocv, self.capacity_mah, s0, target, to_target,
                                                     dt / TICKS_PER_SECOND, power_w, base_a))
        return dt, soc_after(p.ocv, self.capacity_mah, s0, target, to_target, dt / TICKS_PER_SECOND, power_w, base_a)

    def _loaded_voltage(self, sec: float, power_w: float, base_a: float, span: tuple[float | None, float]) -> float:
        """Terminal voltage ``sec`` into a discharge at constant power plus constant current, as a
        discharge step leaves it: SOC in closed form (`soc_after`; ``span``: its SOC target and the seconds
        to reach it), V1 driven by the load current's ramp (`v1_after_ramp`), the load current through R0."""
        p = self.params
        target, to_target = span
        if not (power_w > 0 or base_a > 0):
            return p.ocv.voltage(self.soc) - self.v1 * math.exp(-sec / p.tau1_s)
        s1 = soc_after(p.ocv, self.capacity_mah, self.soc, target, to_target, sec, power_w, base_a) \
            if target is not None else self.soc - base_a * sec / 3.6 / self.capacity_mah
        ocv = p.ocv.voltage(s1)
        i1 = power_w / ocv + base_a
        v1 = self.v1_after_ramp(self.v1, power_w / p.ocv.voltage(self.soc) + base_a, i1, sec)
        return ocv - i1 * p.r0_ohm - v1

    def ticks_until_below(self, v_level: float, target: float | None, max_ticks: int, power_w: float,
                          base_a: float) -> int:
        """First tick of a discharge step (constant power plus constant current, toward SOC ``target``)
        at which the terminal voltage is below ``v_level``; ``max_ticks`` (or the ticks to the target) if
        it stays at or above it. Bisection on the closed-form solution, to the tick.

        Within one step V(t) = OCV(SOC(t)) - I(t)*R0 - V1(t): OCV falls and I rises with the discharge,
        V1 relaxes exponentially. The caller found V(0) >= v_level, so V either falls throughout or (V1
        relaxing downward) first rises and then falls: the ticks below ``v_level`` are one interval
        ending at the step's end, and bisection finds its first tick."""
        p = self.params
        span: tuple[float | None, float] = (None, 0.0)
        if target is not None and (power_w > 0 or base_a > 0):
            span = (target, discharge_seconds(p.ocv, self.capacity_mah, self.soc, target, power_w, base_a))
            max_ticks = self.discharge_span(target, max_ticks, power_w, base_a)[0]

        def below(ticks: int) -> bool:
            return self._loaded_voltage(ticks / TICKS_PER_SECOND, power_w, base_a, span) < v_level
        if max_ticks <= 1 or not below(max_ticks):
            return max_ticks
        lo, hi = 0, max_ticks  # below(lo) is false (the caller checked it), below(hi) true
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if below(mid):
                hi = mid
            else:
                lo = mid
        return hi

    def ticks_to_voltage(self, i: float, v_target: float, max_ticks: int) -> int:
        """Ticks until the terminal voltage at charge current i reaches v_target (within this OCV piece).

        V(t) = a + k*soc(t) + i*R0 - v1(t) is increasing and concave, so Newton's method from t = 0
        approaches the crossing from below without overshooting it.
        """
        p = self.params
        _, _, a, k = p.ocv.segment(self.soc)
        rate = i / 3.6 / self.capacity_mah
        amp = self.v1 + i * p.r1_ohm

        def v_at(sec: float) -> float:
            return a + k * (self.soc + rate * sec) + i * p.r0_ohm + i * p.r1_ohm - amp * math.exp(-sec / p.tau1_s)
        hi = max_ticks / TICKS_PER_SECOND
        if v_at(hi) < v_target:
            return max_ticks
        t = 0.0
        for _ in range(100):
            slope = k * rate + amp / p.tau1_s * math.exp(-t / p.tau1_s)
            step = (v_target - v_at(t)) / slope
            t += step
            if step < 1e-7:
                break
        return min(max_ticks, ceil_tick(t))

    def charge_energy_j(self, i: float, soc0: float, v10: float, sec: float) -> tuple[float, float]:
        """(energy into the cell, energy stored chemically), J, of the ``sec`` seconds of charging at
        constant current i that just took the cell from (soc0, v10) to its present state: the integral
        of the terminal voltage (OCV linear within the piece, V1 exponential) and of the OCV."""
        p = self.params
        _, _, a, k = p.ocv.segment(min(soc0, self.soc) + abs(self.soc - soc0) / 2)
        ocv_int = (a * sec + k * (soc0 + self.soc) / 2 * sec)
        v1_inf = -i * p.r1_ohm  # sign: charging makes V1 negative in the discharge convention
        v1_int = v1_inf * sec + (v10 - v1_inf) * p.tau1_s * (1 - math.exp(-sec / p.tau1_s))
        v_int = ocv_int + i * p.r0_ohm * sec - v1_int
        return i * v_int, i * ocv_int

    # --- constant voltage ---------------------------------------------------------------------
    def cv_current(self, v_limit: float) -> float:
        """Charge current with the terminal voltage held at ``v_limit``."""
        return (v_limit - self.params.ocv.voltage(self.soc) + self.v1) / self.params.r0_ohm

    def cv_solution(self, v_limit: float, a: float, k: float) -> Callable[[float], tuple[float, float]]:
        """(soc, v1) after t seconds at terminal voltage v_limit with OCV = a + k*soc (a linear ODE).

        Charge current i = (V - a - k*soc + v1)/R0 (v1 in the discharge convention, negative here):
        d soc/dt = i/(3.6*Q), d v1/dt = -i/C1 - v1/tau1. Solved by the eigen-decomposition of its
        2x2 matrix (two real negative eigenvalues: the system is dissipative), in plain floats.
        """
        p = self.params
        g = 1 / (p.r0_ohm * 3.6 * self.capacity_mah)
        h = 1 / (p.r0_ohm * p.c1_farad)
        m11, m12, m21, m22 = -k * g, g, k * h, -h - 1 / p.tau1_s
        d = v_limit - a
        b1, b2 = d * g, -d * h
        det = m11 * m22 - m12 * m21
        # steady state x* = -M^-1 b
        xs = -(m22 * b1 - m12 * b2) / det
        ys = -(-m21 * b1 + m11 * b2) / det
        tr = m11 + m22
        root = math.sqrt(tr * tr / 4 - det)
        l1, l2 = tr / 2 + root, tr / 2 - root
        # eigenvectors (m12, l - m11)
        e1x, e1y, e2x, e2y = m12, l1 - m11, m12, l2 - m11
        dx, dy = self.soc - xs, self.v1 - ys
        den = e1x * e2y - e2x * e1y
        c1 = (dx * e2y - e2x * dy) / den
        c2 = (e1x * dy - dx * e1y) / den

        def at(t: float) -> tuple[float, float]:
            f1, f2 = c1 * math.exp(l1 * t), c2 * math.exp(l2 * t)
            return xs + e1x * f1 + e2x * f2, ys + e1y * f1 + e2y * f2
        return at

    def cv_span(self, v_limit: float, i_end: float, up: float | None,
                max_ticks: int) -> tuple[int, float, float, float]:
        """Constant voltage at ``v_limit`` for at most ``max_ticks``, ending once the current falls to
        ``i_end`` or SOC reaches ``up``: (ticks, soc and v1 at their end, mean OCV over the span). The
        state is not changed."""
        p = self.params
        _lo_soc, _hi_soc, a, k = p.ocv.segment(self.soc + 1e-12)
        at = self.cv_solution(v_limit, a, k)
        dt = max_ticks

        def done(sec: float) -> bool:
            soc, v1 = at(sec)
            i = (v_limit - a - k * soc + v1) / p.r0_ohm
            return i <= i_end or (up is not None and soc >= up)
        hi = dt / TICKS_PER_SECOND
        if done(hi):
            lo = 0.0
            while hi - lo > 1e-7:
                mid = (lo + hi) / 2
                if done(mid):
                    hi = mid
                else:
                    lo = mid
            dt = min(dt, ceil_tick(hi))
        soc1, v11 = at(dt / TICKS_PER_SECOND)
        return dt, soc1, v11, a + k * (self.soc + soc1) / 2


class PrimaryCell:
    """A primary cell's state: SOC and ``current_a``, the current at the end of the last step."""

    def __init__(self, params: PrimaryCellParams = PrimaryCellParams(), soc: float = 1.0):
        self.params = params
        self.soc = soc
        self.current_a = 0.0

    def voltage(self, current_a: float) -> float:
        """Terminal voltage with ``current_a`` flowing."""
        return self.params.ocv.voltage(self.soc) - current_a * self.params.r0_ohm

    @property
    def terminal_v(self) -> float:
        """Terminal voltage with the current of the last step still flowing."""
        return self.voltage(self.current_a)

    def discharge_span(self, target: float, max_ticks: int, power_w: float, base_a: float) -> tuple[int, float]:
        """(ticks, SOC at their end) of a discharge at constant power plus constant current for at most
        ``max_ticks``, ending at ``target`` if it gets there first."""
        p, s0 = self.params, self.soc
        to_target = discharge_seconds(p.ocv, p.capacity_mah, s0, target, power_w, base_a)
        if ceil_tick(to_target) <= max_ticks:
            return ceil_tick(to_target), target
        return max_ticks, soc_after(p.ocv, p.capacity_mah, s0, target, to_target, max_ticks / TICKS_PER_SECOND,
                                    power_w, base_a)
