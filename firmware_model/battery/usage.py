"""How the device is used, day after day: the daily schedule of stimulation, telemetry and recharge that
drives the battery simulation (`simulation`) and its projections (`projection`), and the mean
output-stage power of a stimulation program.

Time is integer ticks (1 us); the schedule repeats every day (the recharge habit every ``every_days``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from firmware_model.battery.charger import Coupling
from firmware_model.clock import DAY_TICKS, HOUR_TICKS, PERIOD_NUMERATOR, TICKS_PER_SECOND
from firmware_model.stimulation.params import ParameterError


def _in_range(name: str, value: float, lo: float, hi: float, unit: str, lo_open: bool = False,
              hi_open: bool = False) -> None:
    """A finite number within [lo, hi] (ends excluded when open), else `ParameterError` naming it."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
          and (lo < value if lo_open else lo <= value) and (value < hi if hi_open else value <= hi))
    if not ok:
        raise ParameterError(name, value, f"a number of {unit} from {lo:g}{' (excluded)' if lo_open else ''} to "
                                          f"{hi:g}{' (excluded)' if hi_open else ''}")


@dataclass(frozen=True)
class RechargeHabit:
    """Recharge every ``every_days`` days at ``start_hour`` for ``duration_min`` with the coil at ``coupling``."""

    every_days: int = 1
    start_hour: float = 22.0
    duration_min: float = 60.0
    coupling: Coupling = field(default_factory=Coupling)

    def __post_init__(self) -> None:
        if isinstance(self.every_days, bool) or not isinstance(self.every_days, int) or not 1 <= self.every_days <= 365:
            raise ParameterError("recharge.every_days", self.every_days, "a whole number of days from 1 to 365")
        _in_range("recharge.start_hour", self.start_hour, 0, 24, "hours", hi_open=True)
        _in_range("recharge.duration_min", self.duration_min, 0, 24 * 60, "minutes", lo_open=True)


@dataclass(frozen=True)
class Usage:
    """How the device is used each day. ``stim_power_w``: output-stage power while stimulating."""

    stim_power_w: float
    hours_per_day: float = 24.0
    stim_start_hour: float = 8.0
    quiescent_ua: float = 10.0
    telemetry_ua: float = 2_000.0
    telemetry_min_per_day: float = 0.0
    telemetry_start_hour: float = 12.0
    recharge: RechargeHabit | None = None

    def __post_init__(self) -> None:
        _in_range("usage.stim_power_w", self.stim_power_w, 0, 10, "W")
        _in_range("usage.hours_per_day", self.hours_per_day, 0, 24, "hours")
        _in_range("usage.stim_start_hour", self.stim_start_hour, 0, 24, "hours", hi_open=True)
        _in_range("usage.quiescent_ua", self.quiescent_ua, 0, 1_000_000, "uA")
        _in_range("usage.telemetry_ua", self.telemetry_ua, 0, 1_000_000, "uA")
        _in_range("usage.telemetry_min_per_day", self.telemetry_min_per_day, 0, 24 * 60, "minutes")
        _in_range("usage.telemetry_start_hour", self.telemetry_start_hour, 0, 24, "hours", hi_open=True)

    # --- the daily schedule -----------------------------------------------------------------
    def _windows(self) -> list[tuple[str, int, int, int]]:
        """(name, start tick in the cycle, length ticks, cycle ticks) of each daily window."""
        w = []
        if 0 < self.hours_per_day < 24:
            w.append(("stim", int(self.stim_start_hour * HOUR_TICKS), int(self.hours_per_day * HOUR_TICKS), DAY_TICKS))
        if self.telemetry_min_per_day > 0:
            w.append(("telemetry", int(self.telemetry_start_hour * HOUR_TICKS),
                      int(self.telemetry_min_per_day * 60 * TICKS_PER_SECOND), DAY_TICKS))
        if self.recharge is not None:
            r = self.recharge
            w.append(("charger", int(r.start_hour * HOUR_TICKS), int(r.duration_min * 60 * TICKS_PER_SECOND),
                      r.every_days * DAY_TICKS))
        return w

    def conditions(self, t: int) -> dict[str, bool]:
        c = {"stim": self.hours_per_day >= 24, "telemetry": False, "charger": False}
        for name, start, length, cycle in self._windows():
            c[name] = (t - start) % cycle < length
        return c

    def next_change(self, t: int) -> int:
        """First tick after ``t`` at which a daily window opens or closes."""
        best = math.inf
        for _, start, length, cycle in self._windows():
            for edge in (start, start + length):
                k = (t - edge) // cycle + 1
                best = min(best, edge + k * cycle)
        return int(best) if best < math.inf else 1 << 62


def average_stim_power_w(scheduler, max_window_ticks: int = HOUR_TICKS) -> float:
    """Mean output-stage power of a program, from totals over one exact period of all its pulse
    grids and cycles (their least common multiple). If that exceeds ``max_window_ticks`` the window
    is the most whole cycling periods (or ticks) that fit, so the error stays under one pulse
    period's energy over the window. Without cycling, the window starts after the soft-start ramp
    (which happens once, at turn-on); with cycling, every cycle's ramp is part of the average."""
    window, cycle = 1, 1
    for a in scheduler.program.areas:
        window = math.lcm(window, PERIOD_NUMERATOR // math.gcd(PERIOD_NUMERATOR, a.rate_mhz))
        if a.cycling is not None:
            cycle = math.lcm(cycle, a.cycling.period_ticks)
    window = math.lcm(window, cycle)
    if window > max_window_ticks:
        window = max(cycle, max_window_ticks // cycle * cycle)
    start = 0
    if cycle == 1:
        ramp = max(a.soft_start_ms * 1000 for a in scheduler.program.areas)
        start = -(-ramp // window) * window
    tot = scheduler.totals(start, start + window)
    return tot.total_energy_pj / window * 1e-6  # pJ per us = uW
