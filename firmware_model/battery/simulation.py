"""Event-driven simulation of the battery over days to years, and longevity projections.

Between events every input is constant (load current, charger mode, heat), so the cell, the charger
and the implant temperature advance in closed form (`RechargeableSimulation`, `thermal.advance`, the
constant-voltage solution below). Events are: the daily schedule (stimulation window, telemetry
session, recharge habit), SOC crossing an OCV table point or a fuel-gauge threshold, the charger
switching from constant current to constant voltage or finishing, and thermal pause/resume.
Time is integer ticks (1 us); an event found by root finding is rounded up to the next tick.

Load while stimulating: the program's output-stage power (from the scheduler's totals over one
exact period of the program: no pulse-by-pulse simulation) divided by the OCV at the segment start,
plus quiescent current and telemetry sessions.

While the charger is on, the received power feeds the load first and only the remainder charges the
cell (`recharge.link_load_w`); when the link cannot cover the load the cell supplies the difference and
its charge falls. The charger's conversion and can losses on the load's power heat the implant too.
Supervision (OpenNerve style): charging pauses when the terminal voltage reaches ``v_pause`` and
resumes below ``v_resume``; it pauses at the thermal hard limit and resumes below ``resume_c``.

Ageing (`ageing.AgeingModel`): the stressors of each day (time-averaged calendar factor of the SOC,
equivalent full cycles, depth of discharge, mean SOC, C-rate, temperature) advance the fade state at
every midnight of the simulation.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from firmware_model.battery.ageing import AgeingState, Stress
from firmware_model.battery.charger import (
    ChargerParams,
    Coupling,
    LinkParams,
    RechargeState,
    link_heat_per_bus_w,
    link_load_w,
    max_current_a,
    supervise,
)
from firmware_model.battery.models import CellParams, OcvTable, PrimaryCellParams
from firmware_model.battery.thermal import ThermalParams
from firmware_model.stimulation.params import PERIOD_NUMERATOR, TICKS_PER_SECOND, ParameterError
from protocol.spec.generated import BatteryState

DAY_TICKS = 86_400 * TICKS_PER_SECOND
HOUR_TICKS = 3_600 * TICKS_PER_SECOND
#: constant-voltage charging is split into pieces this long so the heat is near constant within one
CV_PIECE_TICKS = 120 * TICKS_PER_SECOND
MIN_CHARGE_A = 1e-5
_GAUSS5 = ((0.0, 128 / 225), (-(245 - 14 * 70 ** 0.5) ** 0.5 / 21, (322 + 13 * 70 ** 0.5) / 900),
           ((245 - 14 * 70 ** 0.5) ** 0.5 / 21, (322 + 13 * 70 ** 0.5) / 900),
           (-(245 + 14 * 70 ** 0.5) ** 0.5 / 21, (322 - 13 * 70 ** 0.5) / 900),
           ((245 + 14 * 70 ** 0.5) ** 0.5 / 21, (322 - 13 * 70 ** 0.5) / 900))


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


@dataclass
class Sample:
    tick: int
    soc: float
    voltage: float
    temperature_c: float
    capacity_fraction: float
    state: BatteryState
    recharge: RechargeState
    stimulating: bool


@dataclass
class Event:
    tick: int
    kind: str          # "battery" or "recharge"
    name: str


@dataclass
class Totals:
    charge_in_mah: float = 0.0
    charge_out_mah: float = 0.0
    faded_mah: float = 0.0
    received_j: float = 0.0
    stored_j: float = 0.0
    heat_j: float = 0.0
    load_j: float = 0.0       # delivered by the link to the load while the charger was on
    charging_ticks: int = 0   # time charge actually flowed (CC or CV), not time on the charger
    cutoff_ticks: int = 0


@dataclass
class Result:
    samples: list[Sample]
    events: list[Event]
    totals: Totals
    end_tick: int
    daily_stress: list[Stress] = field(default_factory=list)

    def arrays(self) -> dict[str, np.ndarray]:
        s = self.samples
        return {"tick": np.array([x.tick for x in s], dtype=np.int64),
                "soc": np.array([x.soc for x in s]), "voltage": np.array([x.voltage for x in s]),
                "temperature_c": np.array([x.temperature_c for x in s]),
                "capacity_fraction": np.array([x.capacity_fraction for x in s])}


def _ceil_tick(seconds: float) -> int:
    """Seconds to whole ticks, rounded up; at least one tick, at most ~146 years."""
    if not seconds < 4.6e9:
        return 1 << 62
    return max(1, math.ceil(seconds * TICKS_PER_SECOND - 1e-6))


class _DayStress:
    """Accumulates one day's ageing stressors (see `ageing.Stress`)."""

    _GRID = 400  # the calendar factor is tabulated on this many SOC steps and interpolated

    def __init__(self, cell: CellParams, body_c: float):
        m = cell.ageing
        self.table = [m.calendar_factor(i / self._GRID, body_c) for i in range(self._GRID + 1)]
        self.nominal_mah = cell.capacity_mah
        self.reset(None)

    def reset(self, soc: float | None) -> None:
        self.sec = self.cal = self.soc_int = self.amp_int = self.temp_int = self.throughput_mah = 0.0
        self.lo = self.hi = soc

    def _factor(self, soc: float) -> float:
        x = (0.0 if soc < 0.0 else 1.0 if soc > 1.0 else soc) * self._GRID
        i = int(x)
        if i >= self._GRID:
            i = self._GRID - 1
        lo = self.table[i]
        return lo + (self.table[i + 1] - lo) * (x - i)

    def add(self, s0: float, s1: float, sec: float, abs_current_a: float, temp_c: float) -> None:
        if sec <= 0:
            return
        f = self._factor
        if abs(s1 - s0) < 1e-3:   # the factor is smooth: one point is exact to ~1e-7 over a step this short
            self.cal += f((s0 + s1) / 2) * sec
        else:
            self.cal += (f(s0) + 4 * f((s0 + s1) / 2) + f(s1)) / 6 * sec
        self.soc_int += (s0 + s1) / 2 * sec
        self.amp_int += abs_current_a * sec
        self.throughput_mah += abs_current_a * sec / 3.6
        self.temp_int += temp_c * sec
        self.sec += sec
        lo, hi = (s0, s1) if s0 < s1 else (s1, s0)
        if self.lo is None or lo < self.lo:
            self.lo = lo
        if self.hi is None or hi > self.hi:
            self.hi = hi

    def stress(self) -> Stress | None:
        if self.sec <= 0 or self.lo is None or self.hi is None:
            return None
        return Stress(days=self.sec / 86_400, calendar_factor=self.cal / self.sec,
                      efc=self.throughput_mah / 2 / self.nominal_mah, dod=self.hi - self.lo,
                      mean_soc=self.soc_int / self.sec, c_rate=self.amp_int / self.sec / (self.nominal_mah / 1000),
                      temperature_c=self.temp_int / self.sec)


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


class RechargeableSimulation:
    """The rechargeable IPG's cell, charger and temperature under a `Usage`, event by event."""

    def __init__(self, usage: Usage, cell: CellParams = CellParams(), charger: ChargerParams = ChargerParams(),
                 link: LinkParams = LinkParams(), thermal: ThermalParams = ThermalParams(), soc: float = 1.0,
                 ageing: bool = True):
        self.u, self.p, self.ch, self.link, self.th = usage, cell, charger, link, thermal
        self.ageing = ageing
        self.t = 0
        self.soc = soc
        self.v1 = 0.0
        self.temp = thermal.body_c
        self.capacity = cell.capacity_mah
        self.discharged = 0.0
        self.fade = AgeingState(cell.ageing)
        self.daily_stress: list[Stress] = []
        self._day = _DayStress(cell, thermal.body_c)
        self._day.reset(soc)
        self._next_day = DAY_TICKS
        self.cutoff = soc <= cell.cutoff_soc
        self.rstate = RechargeState.IDLE
        self.totals = Totals()
        self.samples: list[Sample] = []
        self.events: list[Event] = []
        self.bstate = self._battery_state()
        self._i_step = 0.0  # battery current at the end of the last step (discharge positive)
        p = cell
        resume = ocv_inverse(p.ocv, charger.v_resume)
        self._down = sorted({*p.ocv.breakpoints, p.full_soc, p.soon_soc, p.now_soc, p.cutoff_soc, resume})
        self._up = sorted({*p.ocv.breakpoints, p.full_soc, p.soon_soc, p.now_soc, p.resume_soc})

    # --- derived quantities -----------------------------------------------------------------
    def _battery_state(self) -> BatteryState:
        p = self.p
        if self.cutoff:
            return BatteryState.CUTOFF
        if self.soc < p.now_soc:
            return BatteryState.RECHARGE_NOW
        if self.soc < p.soon_soc:
            return BatteryState.RECHARGE_SOON
        if self.soc >= p.full_soc:
            return BatteryState.FULL
        return BatteryState.OK

    def capacity_fraction(self) -> float:
        return self.fade.capacity_fraction if self.ageing else 1.0

    def voltage(self, current_a: float) -> float:
        return self.p.ocv.voltage(self.soc) - current_a * self.p.r0_ohm - self.v1

    def _sample(self, stim: bool) -> None:
        """Record the state at the end of a step, with the current that flowed at its end."""
        self.samples.append(Sample(self.t, self.soc, self.voltage(self._i_step), self.temp,
                                   self.capacity / self.p.capacity_mah, self.bstate, self.rstate, stim))

    def _set_bstate(self) -> None:
        new = self._battery_state()
        if new != self.bstate:
            self.events.append(Event(self.t, "battery", new.name))
            self.bstate = new

    def _set_rstate(self, new: RechargeState) -> None:
        if new != self.rstate:
            self.events.append(Event(self.t, "recharge", new.name))
            self.rstate = new

    # --- simulation ---------------------------------------------------------------------------
    def run(self, end_tick: int, progress: Callable[[int], None] | None = None) -> Result:
        cond = self.u.conditions(self.t)
        next_sched = self.u.next_change(self.t)
        self._sample(False)
        last_report = 0
        while self.t < end_tick:
            if self.t >= next_sched:
                cond = self.u.conditions(self.t)
                next_sched = self.u.next_change(self.t)
            if self.t >= self._next_day:
                self._end_of_day()
            limit = min(end_tick, next_sched, self._next_day)
            stim = cond["stim"] and not self.cutoff
            base_a = self.u.quiescent_ua * 1e-6 + (self.u.telemetry_ua * 1e-6 if cond["telemetry"] else 0.0)
            power = self.u.stim_power_w if stim else 0.0
            if self.cutoff:
                base_a = power = 0.0  # below cut-off the cell is disconnected to protect it
            if cond["charger"]:
                self._charging_step(limit, power, base_a, stim)
            else:
                if self.rstate is not RechargeState.IDLE:
                    self._set_rstate(RechargeState.IDLE)
                self._discharge_step(limit, power, base_a, stim)
            if progress is not None and self.t - last_report > DAY_TICKS:
                progress(self.t)
                last_report = self.t
        return Result(self.samples, self.events, self.totals, self.t, self.daily_stress)

    def _end_of_day(self) -> None:
        """Midnight: the day's stressors advance the fade state; the capacity steps down."""
        stress = self._day.stress()
        if stress is not None:
            self.daily_stress.append(stress)
            self.fade.advance(stress)
        self._day.reset(self.soc)
        self._next_day += DAY_TICKS
        if self.ageing:
            new_cap = self.p.capacity_mah * self.fade.capacity_fraction
            if new_cap < self.capacity:
                self.totals.faded_mah += self.soc * (self.capacity - new_cap)
                self.capacity = new_cap

    def _next_target_down(self) -> float | None:
        """Nearest SOC below the present one where something changes (OCV piece, alert, cut-off)."""
        i = bisect.bisect_left(self._down, self.soc - 1e-9) - 1
        return self._down[i] if i >= 0 else None

    def _next_target_up(self) -> float | None:
        i = bisect.bisect_right(self._up, self.soc + 1e-9)
        return self._up[i] if i < len(self._up) else None

    def _advance_constant(self, current_a: float, ticks: int) -> None:
        """Cell at constant battery current (discharge positive); records the day's stressors."""
        sec = ticks / TICKS_PER_SECOND
        p = self.p
        s0 = self.soc
        self.soc -= current_a * sec / 3.6 / self.capacity
        v_inf = current_a * p.r1_ohm
        self.v1 = v_inf + (self.v1 - v_inf) * math.exp(-sec / p.tau1_s)
        if current_a > 0:
            self.discharged += current_a * sec / 3.6
            self.totals.charge_out_mah += current_a * sec / 3.6
        else:
            self.totals.charge_in_mah += -current_a * sec / 3.6
        self._day.add(s0, self.soc, sec, abs(current_a), self.temp)
        self.t += ticks

    def _discharge_step(self, limit: int, power_w: float, base_a: float, stim: bool, heat_w: float = 0.0,
                        link_w: float = 0.0) -> None:
        """Discharge at constant power ``power_w`` plus constant current ``base_a`` (closed form in SOC);
        ``link_w`` of the load is meanwhile carried by the link, dissipating ``heat_w`` in the implant."""
        p = self.p
        dt = limit - self.t
        s0 = self.soc
        loaded = power_w > 0 or base_a > 0
        nxt = self._next_target_down() if loaded else None
        if heat_w > 0:
            dt = min(dt, _ceil_tick(self.th.seconds_to(self.temp, heat_w, self.th.hard_limit_c)))
        if nxt is not None:
            to_target = discharge_seconds(p.ocv, self.capacity, s0, nxt, power_w, base_a)
            if _ceil_tick(to_target) <= dt:
                dt = _ceil_tick(to_target)
                s1 = min(nxt - 1e-12, soc_after(p.ocv, self.capacity, s0, nxt, to_target, dt / TICKS_PER_SECOND,
                                                power_w, base_a))
            else:
                s1 = soc_after(p.ocv, self.capacity, s0, nxt, to_target, dt / TICKS_PER_SECOND, power_w, base_a)
        else:
            s1 = s0 - base_a * dt / TICKS_PER_SECOND / 3.6 / self.capacity if base_a > 0 else s0
        sec = dt / TICKS_PER_SECOND
        mean_a = (s0 - s1) * 3.6 * self.capacity / sec
        self._advance_constant(mean_a, dt)
        self.soc = s1  # exact: the constant-power solution, not the mean-current line (equal up to rounding)
        self._account_link(link_w, heat_w, sec)
        if self.soc <= p.cutoff_soc + 1e-12 and not self.cutoff:
            self.cutoff = True  # stimulation stops until the cell is recharged
        if self.cutoff:
            self.totals.cutoff_ticks += dt
        self._set_bstate()
        self._i_step = power_w / p.ocv.voltage(self.soc) + base_a if loaded else 0.0
        self._sample(stim and not self.cutoff)

    def _account_link(self, link_w: float, heat_w: float, sec: float) -> None:
        """Energy the link delivered to the load (and the heat that cost) over ``sec``; temperature."""
        self.totals.received_j += (link_w + heat_w) * sec
        self.totals.load_j += link_w * sec
        self.totals.heat_j += heat_w * sec
        self.temp = self.th.advance(self.temp, heat_w, sec)

    # --- charging -----------------------------------------------------------------------------
    def _coupling(self) -> Coupling:
        return self.u.recharge.coupling if self.u.recharge else Coupling()

    def _supervise(self) -> None:
        """OpenNerve-style pauses: over-temperature and over-voltage pause the charger; each resumes once
        its quantity is back below the resume level."""
        if self.rstate is RechargeState.IDLE:
            self._set_rstate(RechargeState.CONSTANT_CURRENT)
        v = self.voltage(self._i_step)
        new = supervise(self.rstate, v, self.temp, self.ch, self.th)
        if new is RechargeState.CONSTANT_CURRENT and self.rstate is not new:
            self._set_rstate(new)  # resumed: check the new state's limits at once, as the board does
            new = supervise(new, v, self.temp, self.ch, self.th)
        if new in (RechargeState.CONSTANT_CURRENT, RechargeState.CONSTANT_VOLTAGE) and self._overcharged():
            new = RechargeState.PAUSED_OVERVOLTAGE
        self._set_rstate(new)

    def _charging_step(self, limit: int, power_w: float, base_a: float, stim: bool) -> None:
        """The charger feeds the load first and charges the cell with what is left (see module doc)."""
        p, ch, th = self.p, self.ch, self.th
        self._supervise()
        coupling = self._coupling()
        ocv = p.ocv.voltage(self.soc)
        load_w = power_w + base_a * ocv  # at the charger's output
        if self.rstate in (RechargeState.PAUSED_HOT, RechargeState.PAUSED_OVERVOLTAGE):
            self._paused_step(limit, power_w, base_a, stim)
            return
        if self.rstate is RechargeState.COMPLETE:
            self._link_load_step(limit, load_w, coupling, stim)
            return
        if self.rstate is RechargeState.CONSTANT_CURRENT:
            # worst case within the step: terminal voltage at the target, OCV as now (it only rises)
            i = max_current_a(ch.v_target, ocv, self.link, ch, coupling, th.max_heat_w(), load_w)
            if i < MIN_CHARGE_A:  # the link cannot do more than (part of) the load: the cell rests or supplies the rest
                self._link_load_step(limit, load_w, coupling, stim)
                return
            if self.voltage(-i) >= ch.v_target - 1e-9:
                self._set_rstate(RechargeState.CONSTANT_VOLTAGE if ch.v_limit <= ch.v_pause
                                 else RechargeState.PAUSED_OVERVOLTAGE)
                return
            dt = limit - self.t
            up = self._next_target_up()
            if up is not None:
                dt = min(dt, _ceil_tick((up - self.soc) * self.capacity * 3.6 / i))
            dt = min(dt, self._ticks_to_voltage(i, ch.v_target, dt))
            heat_w = self._cc_heat_w(i, load_w, coupling)
            dt = min(dt, _ceil_tick(th.seconds_to(self.temp, heat_w, th.hard_limit_c)))
            self._charge_constant(i, dt, coupling, load_w)
            self._i_step = -i
            if up is not None and self.soc > up - 1e-9:
                self.soc = max(self.soc, up + 1e-12)
            if self.voltage(-i) >= ch.v_target - 1e-9:
                self._set_rstate(RechargeState.CONSTANT_VOLTAGE if ch.v_limit <= ch.v_pause
                                 else RechargeState.PAUSED_OVERVOLTAGE)
        else:
            self._charge_cv(limit, coupling, load_w)
        if self.cutoff and self.soc >= p.resume_soc - 1e-12:
            self.cutoff = False
        self._set_bstate()
        self._sample(stim)

    def _overcharged(self) -> bool:
        """The cell is at the top of its OCV table (100 % SOC) and the charger still drives current: only a
        charger regulating above the full cell's voltage gets here (``v_limit`` above OCV(1) + I*R). Beyond
        the table a real cell's voltage climbs steeply, so the over-voltage supervision trips; the model
        has no data there and pauses at the table's end instead of extrapolating (which let SOC run past
        1 in one-tick steps that never reached ``v_pause``: the hang of issue 14's verification)."""
        return self.soc >= self.p.ocv.breakpoints[-1] - 1e-12

    def _cc_heat_w(self, i: float, load_w: float, coupling: Coupling) -> float:
        """Upper bound of the implant heat while charging at i with the load on the link."""
        h = link_heat_per_bus_w(self.link, self.ch, coupling)
        return (i * self.ch.v_target + load_w) * (1 + h) - i * self.p.ocv.voltage(self.soc)

    def _link_load_step(self, limit: int, load_w: float, coupling: Coupling, stim: bool) -> None:
        """No charge current: the link carries what it can of the load, the cell the rest."""
        th = self.th
        link_w = link_load_w(load_w, self.link, self.ch, coupling, th.max_heat_w())
        heat_w = link_w * link_heat_per_bus_w(self.link, self.ch, coupling) if link_w > 0 else 0.0
        rest = load_w - link_w
        if rest > 1e-12:
            self._discharge_step(limit, rest, 0.0, stim, heat_w, link_w)
            return
        self._rest(limit - self.t, heat_w, link_w)
        self._sample(stim)

    def _rest(self, ticks: int, heat_w: float, link_w: float) -> None:
        self._advance_constant(0.0, ticks)
        self._account_link(link_w, heat_w, ticks / TICKS_PER_SECOND)
        self._i_step = 0.0

    def _paused_step(self, limit: int, power_w: float, base_a: float, stim: bool) -> None:
        """A paused charger is off: the cell carries the whole load until the pause clears."""
        th, ch, p = self.th, self.ch, self.p
        dt = limit - self.t
        if self.rstate is RechargeState.PAUSED_HOT:
            dt = min(dt, _ceil_tick(th.seconds_to(self.temp, 0.0, th.resume_c - 1e-6)))
        elif power_w <= 0 and base_a <= 0:
            # resting: the terminal voltage is OCV - V1 with V1 relaxing to 0
            ocv = p.ocv.voltage(self.soc)
            gap = ch.v_resume - ocv
            if gap > 0 and -self.v1 > gap:
                dt = min(dt, _ceil_tick(p.tau1_s * math.log(-self.v1 / gap)))
        if power_w > 0 or base_a > 0:
            self._discharge_step(self.t + dt, power_w, base_a, stim)
            return
        self.temp = th.advance(self.temp, 0.0, dt / TICKS_PER_SECOND)
        self._advance_constant(0.0, dt)
        self._i_step = 0.0
        self._sample(stim)

    def _ticks_to_voltage(self, i: float, v_target: float, max_ticks: int) -> int:
        """Ticks until the terminal voltage at charge current i reaches v_target (within this OCV piece).

        V(t) = a + k*soc(t) + i*R0 - v1(t) is increasing and concave, so Newton's method from t = 0
        approaches the crossing from below without overshooting it.
        """
        p = self.p
        _, _, a, k = p.ocv.segment(self.soc)
        rate = i / 3.6 / self.capacity
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
        return min(max_ticks, _ceil_tick(t))

    def _charge_constant(self, i: float, ticks: int, coupling: Coupling, load_w: float) -> None:
        """Charge at constant current i for ``ticks`` with the load on the link: cell, exact energy
        bookkeeping, temperature."""
        p, sec = self.p, ticks / TICKS_PER_SECOND
        soc0, v10 = self.soc, self.v1
        self._advance_constant(-i, ticks)
        # integral of terminal voltage: OCV linear in SOC within this piece, V1 exponential
        _, _, a, k = p.ocv.segment(min(soc0, self.soc) + abs(self.soc - soc0) / 2)
        ocv_int = (a * sec + k * (soc0 + self.soc) / 2 * sec)
        v1_inf = -i * p.r1_ohm  # sign: charging makes V1 negative in the discharge convention
        v1_int = v1_inf * sec + (v10 - v1_inf) * p.tau1_s * (1 - math.exp(-sec / p.tau1_s))
        v_int = ocv_int + i * p.r0_ohm * sec - v1_int
        self._account(i * v_int, i * ocv_int, load_w * sec, sec, coupling)

    def _account(self, into_cell_j: float, stored_j: float, load_j: float, sec: float, coupling: Coupling) -> None:
        """Energy bookkeeping of a charging step: received = stored + load + heat."""
        h = link_heat_per_bus_w(self.link, self.ch, coupling)
        received = (into_cell_j + load_j) * (1 + h)
        heat = received - stored_j - load_j
        self.totals.received_j += received
        self.totals.stored_j += stored_j
        self.totals.load_j += load_j
        self.totals.heat_j += heat
        self.totals.charging_ticks += round(sec * TICKS_PER_SECOND)
        self.temp = self.th.advance(self.temp, heat / sec if sec > 0 else 0.0, sec)

    # --- constant voltage ---------------------------------------------------------------------
    def _cv_current(self) -> float:
        if self.rstate is not RechargeState.CONSTANT_VOLTAGE:
            return 0.0
        return (self.ch.v_limit - self.p.ocv.voltage(self.soc) + self.v1) / self.p.r0_ohm

    def _cv_solution(self, a: float, k: float) -> Callable[[float], tuple[float, float]]:
        """(soc, v1) after t seconds at terminal voltage v_limit with OCV = a + k*soc (a linear ODE).

        Charge current i = (V - a - k*soc + v1)/R0 (v1 in the discharge convention, negative here):
        d soc/dt = i/(3.6*Q), d v1/dt = -i/C1 - v1/tau1. Solved by the eigen-decomposition of its
        2x2 matrix (two real negative eigenvalues: the system is dissipative), in plain floats.
        """
        p = self.p
        g = 1 / (p.r0_ohm * 3.6 * self.capacity)
        h = 1 / (p.r0_ohm * p.c1_farad)
        m11, m12, m21, m22 = -k * g, g, k * h, -h - 1 / p.tau1_s
        d = self.ch.v_limit - a
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

    def _charge_cv(self, limit: int, coupling: Coupling, load_w: float) -> None:
        p, ch, th = self.p, self.ch, self.th
        i_end = ch.end_current_c_rate * p.capacity_mah / 1000  # C/20 of the nominal capacity
        if self._cv_current() <= i_end:
            self._set_rstate(RechargeState.COMPLETE)
            return
        _lo_soc, _hi_soc, a, k = p.ocv.segment(self.soc + 1e-12)
        at = self._cv_solution(a, k)
        dt = min(limit - self.t, CV_PIECE_TICKS)
        dt = min(dt, _ceil_tick(th.seconds_to(self.temp, self._cc_heat_w(self._cv_current(), load_w, coupling),
                                              th.hard_limit_c)))
        up = self._next_target_up()

        def done(sec: float) -> bool:
            soc, v1 = at(sec)
            i = (ch.v_limit - a - k * soc + v1) / p.r0_ohm
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
            dt = min(dt, _ceil_tick(hi))
        sec = dt / TICKS_PER_SECOND
        soc0 = self.soc
        soc1, v11 = at(sec)
        dq_as = (soc1 - soc0) * 3.6 * self.capacity  # charge into the cell, A*s
        stored = dq_as * (a + k * (soc0 + soc1) / 2)
        if up is not None and soc1 > up - 1e-9:
            soc1 = max(soc1, up + 1e-12)
        self._day.add(soc0, soc1, sec, dq_as / sec, self.temp)
        self.soc, self.v1 = soc1, v11
        self.totals.charge_in_mah += dq_as / 3.6
        self.t += dt
        self._i_step = -self._cv_current()
        self._account(ch.v_limit * dq_as, stored, load_w * sec, sec, coupling)
        if self._cv_current() <= i_end + 1e-12:
            self._set_rstate(RechargeState.COMPLETE)


class PrimarySimulation:
    """A primary-cell IPG under a `Usage`, event by event: OK, then ERI (elective replacement
    indicator: plan the replacement surgery) at ``eri_soc``, then EOS (end of service) at ``eos_soc``,
    where stimulation stops for good (the housekeeping load goes on, so the device can still report)."""

    def __init__(self, usage: Usage, cell: PrimaryCellParams = PrimaryCellParams(), soc: float = 1.0,
                 body_c: float = 37.0):
        self.u, self.p, self.body_c = usage, cell, body_c
        self.t = 0
        self.soc = soc
        self.totals = Totals()
        self.samples: list[Sample] = []
        self.events: list[Event] = []
        self.bstate = self._battery_state()
        self._i_step = 0.0
        self._down = sorted({*cell.ocv.breakpoints, cell.eri_soc, cell.eos_soc})

    def _battery_state(self) -> BatteryState:
        if self.soc <= self.p.eos_soc + 1e-12:
            return BatteryState.EOS
        if self.soc <= self.p.eri_soc + 1e-12:
            return BatteryState.ERI
        return BatteryState.OK

    @property
    def eos(self) -> bool:
        return self.bstate is BatteryState.EOS

    def voltage(self, current_a: float) -> float:
        return self.p.ocv.voltage(self.soc) - current_a * self.p.r0_ohm

    def _sample(self, stim: bool) -> None:
        self.samples.append(Sample(self.t, self.soc, self.voltage(self._i_step), self.body_c, 1.0, self.bstate,
                                   RechargeState.IDLE, stim))

    def run(self, end_tick: int, progress: Callable[[int], None] | None = None) -> Result:
        cond = self.u.conditions(self.t)
        next_sched = self.u.next_change(self.t)
        self._sample(False)
        while self.t < end_tick:
            if self.t >= next_sched:
                cond = self.u.conditions(self.t)
                next_sched = self.u.next_change(self.t)
            stim = cond["stim"] and not self.eos
            base_a = self.u.quiescent_ua * 1e-6 + (self.u.telemetry_ua * 1e-6 if cond["telemetry"] else 0.0)
            self._step(min(end_tick, next_sched), self.u.stim_power_w if stim else 0.0, base_a, stim)
            if progress is not None:
                progress(self.t)
        return Result(self.samples, self.events, self.totals, self.t)

    def _step(self, limit: int, power_w: float, base_a: float, stim: bool) -> None:
        p = self.p
        dt = limit - self.t
        s0 = self.soc
        i = bisect.bisect_left(self._down, s0 - 1e-9) - 1
        target = self._down[i] if i >= 0 else 0.0
        loaded = (power_w > 0 or base_a > 0) and s0 > 1e-12
        if loaded and target < s0:
            to_target = discharge_seconds(p.ocv, p.capacity_mah, s0, target, power_w, base_a)
            if _ceil_tick(to_target) <= dt:
                dt = _ceil_tick(to_target)
                s1 = target
            else:
                s1 = soc_after(p.ocv, p.capacity_mah, s0, target, to_target, dt / TICKS_PER_SECOND, power_w, base_a)
        else:
            s1 = s0
        self.totals.charge_out_mah += (s0 - s1) * p.capacity_mah
        self.soc = s1
        self.t += dt
        if self.eos:
            self.totals.cutoff_ticks += dt
        new = self._battery_state()
        if new != self.bstate:
            self.events.append(Event(self.t, "battery", new.name))
            self.bstate = new
        self._i_step = (power_w / p.ocv.voltage(self.soc) + base_a) if loaded else 0.0
        self._sample(stim and not self.eos)


@dataclass(frozen=True)
class PrimaryProjection:
    years_to_eri: float
    years_to_eos: float
    average_current_ua: float


def project_primary(usage: Usage, cell: PrimaryCellParams = PrimaryCellParams()) -> PrimaryProjection:
    """Years to ERI and EOS of a primary cell under a daily usage (no recharge).

    The flat voltage makes the load nearly constant-current: the stimulation power is converted at
    the cell's mean voltage over its useful range.
    """
    socs = np.linspace(cell.eos_soc, 1.0, 200)
    mean_v = float(np.mean([cell.ocv.voltage(s) for s in socs]))
    duty = usage.hours_per_day / 24
    avg_a = usage.quiescent_ua * 1e-6 + duty * usage.stim_power_w / mean_v
    avg_a += usage.telemetry_ua * 1e-6 * usage.telemetry_min_per_day / 1440
    hours = lambda frac: cell.capacity_mah * frac / (avg_a * 1000)  # noqa: E731
    year_h = 365.25 * 24
    return PrimaryProjection(hours(1 - cell.eri_soc) / year_h, hours(1 - cell.eos_soc) / year_h, avg_a * 1e6)


def mean_stress(days: list[Stress]) -> Stress | None:
    """The average day of a simulation (None if it did not complete a day)."""
    if not days:
        return None
    n = len(days)
    return Stress(days=1.0, calendar_factor=sum(d.calendar_factor for d in days) / n,
                  efc=sum(d.efc for d in days) / n, dod=sum(d.dod for d in days) / n,
                  mean_soc=sum(d.mean_soc for d in days) / n, c_rate=sum(d.c_rate for d in days) / n,
                  temperature_c=sum(d.temperature_c for d in days) / n)


@dataclass(frozen=True)
class RechargeableProjection:
    hours_full_to_soon: float          # recharge interval without charging
    hours_full_to_cutoff: float
    charging_min_per_day: float        # under the recharge habit, over the simulated span
    service_life_years: float          # until capacity < 80 %, under the simulated average day
    efc_per_day: float


def service_life_years(result: Result, cell: CellParams, fade: AgeingState | None = None) -> float:
    """Years until capacity falls below 80 %: the simulated fade state (or a fresh cell) continued
    with the average of the last 30 simulated days (nan if the run did not complete a day)."""
    for x in result.samples:
        if x.capacity_fraction < 0.8:  # the simulation itself got there
            return x.tick / DAY_TICKS / 365.25
    stress = mean_stress(result.daily_stress[-30:])
    if stress is None:
        return math.nan
    state = fade if fade is not None else AgeingState(cell.ageing)
    done_days = len(result.daily_stress) if fade is not None else 0
    return (done_days + state.days_to(stress, 0.8)) / 365.25


def project_rechargeable(usage: Usage, cell: CellParams = CellParams(), days: float = 30.0,
                         result: Result | None = None, fade: AgeingState | None = None) -> RechargeableProjection:
    """Recharge interval, charging time and service life for a usage with its recharge habit; ``fade``:
    the simulation's ageing state at the end of ``result`` (when it ran with ageing)."""
    duty = usage.hours_per_day / 24
    # discharge only: mean current from full down to each threshold (OCV varies along the way)
    def hours_to(target: float) -> float:
        socs = np.linspace(target, 1.0, 200)
        mean_v = float(np.mean([cell.ocv.voltage(s) for s in socs]))
        avg_a = usage.quiescent_ua * 1e-6 + duty * usage.stim_power_w / mean_v
        return cell.capacity_mah * (1 - target) / (avg_a * 1000)
    if result is None:
        result = RechargeableSimulation(usage, cell, ageing=False).run(int(days * DAY_TICKS))
    span_days = result.end_tick / DAY_TICKS
    charging_min = result.totals.charging_ticks / TICKS_PER_SECOND / 60 / span_days
    efc_per_day = result.totals.charge_out_mah / cell.capacity_mah / span_days
    life = service_life_years(result, cell, fade)
    return RechargeableProjection(hours_to(cell.soon_soc), hours_to(cell.cutoff_soc), charging_min, life, efc_per_day)
