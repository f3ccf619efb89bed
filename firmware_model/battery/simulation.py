"""Event-driven simulation of the battery over days to years, under a daily `usage.Usage`.

Between events every input is constant (load current, charger mode, heat), so the implant's battery
system advances in closed form (`implant.ImplantBattery` for a rechargeable cell; a primary cell here).
Events are the daily schedule (stimulation window, telemetry session, recharge habit) and those of the
battery system (SOC crossing an OCV table point or a fuel-gauge threshold, the charger switching mode,
thermal pause and resume). Time is integer ticks (1 us); an event found by root finding is rounded up to
the next tick.

Load while stimulating: the program's output-stage power (`usage.average_stim_power_w`) divided by the
OCV at the segment start, plus quiescent current and telemetry sessions.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from firmware_model.battery.ageing import Stress
from firmware_model.battery.cell import PrimaryCell
from firmware_model.battery.charger import ChargerParams, Coupling, LinkParams, RechargeState
from firmware_model.battery.implant import Event, ImplantBattery, Sample, Totals
from firmware_model.battery.models import CellParams, PrimaryCellParams
from firmware_model.battery.thermal import ThermalParams
from firmware_model.battery.usage import Usage
from firmware_model.clock import DAY_TICKS
from protocol.spec.generated import BatteryState


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


class RechargeableSimulation(ImplantBattery):
    """The rechargeable IPG's cell, charger and temperature under a `Usage` (``u``), event by event."""

    def __init__(self, usage: Usage, cell: CellParams = CellParams(), charger: ChargerParams = ChargerParams(),
                 link: LinkParams = LinkParams(), thermal: ThermalParams = ThermalParams(), soc: float = 1.0,
                 ageing: bool = True):
        super().__init__(cell, charger, link, thermal, soc, ageing)
        self.u = usage

    def run(self, end_tick: int, progress: Callable[[int], None] | None = None) -> Result:
        """Simulate up to ``end_tick`` (from where the last run stopped); ``progress`` gets the tick about
        once a simulated day."""
        cond = self.u.conditions(self.t)
        next_sched = self.u.next_change(self.t)
        self.sample(False)
        last_report = 0
        coupling = self.u.recharge.coupling if self.u.recharge else Coupling()
        while self.t < end_tick:
            if self.t >= next_sched:
                cond = self.u.conditions(self.t)
                next_sched = self.u.next_change(self.t)
            if self.t >= self.next_day:
                self.end_of_day()
            limit = min(end_tick, next_sched, self.next_day)
            stim = cond["stim"] and not self.cutoff
            base_a = self.u.quiescent_ua * 1e-6 + (self.u.telemetry_ua * 1e-6 if cond["telemetry"] else 0.0)
            power = self.u.stim_power_w if stim else 0.0
            if self.cutoff:
                base_a = power = 0.0  # below cut-off the cell is disconnected to protect it
            if cond["charger"]:
                self.charging_step(limit, power, base_a, stim, coupling)
            else:
                if self.rstate is not RechargeState.IDLE:
                    self.set_rstate(RechargeState.IDLE)
                self.discharge_step(limit, power, base_a, stim)
            if progress is not None and self.t - last_report > DAY_TICKS:
                progress(self.t)
                last_report = self.t
        return Result(self.samples, self.events, self.totals, self.t, self.daily_stress)


class PrimarySimulation:
    """A primary-cell IPG under a `Usage`, event by event: OK, then ERI (elective replacement
    indicator: plan the replacement surgery) at ``eri_soc``, then EOS (end of service) at ``eos_soc``,
    where stimulation stops for good (the housekeeping load goes on, so the device can still report)."""

    def __init__(self, usage: Usage, cell: PrimaryCellParams = PrimaryCellParams(), soc: float = 1.0,
                 body_c: float = 37.0):
        self.u, self.p, self.body_c = usage, cell, body_c
        self.t = 0
        self.cell = PrimaryCell(cell, soc)
        self.totals = Totals()
        self.samples: list[Sample] = []
        self.events: list[Event] = []
        self.bstate = self._battery_state()
        self._down = sorted({*cell.ocv.breakpoints, cell.eri_soc, cell.eos_soc})

    def _battery_state(self) -> BatteryState:
        if self.cell.soc <= self.p.eos_soc + 1e-12:
            return BatteryState.EOS
        if self.cell.soc <= self.p.eri_soc + 1e-12:
            return BatteryState.ERI
        return BatteryState.OK

    @property
    def eos(self) -> bool:
        return self.bstate is BatteryState.EOS

    def _sample(self, stim: bool) -> None:
        self.samples.append(Sample(self.t, self.cell.soc, self.cell.terminal_v, self.body_c, 1.0, self.bstate,
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
        p, c = self.p, self.cell
        dt = limit - self.t
        s0 = c.soc
        i = bisect.bisect_left(self._down, s0 - 1e-9) - 1
        target = self._down[i] if i >= 0 else 0.0
        loaded = (power_w > 0 or base_a > 0) and s0 > 1e-12
        s1 = s0
        if loaded and target < s0:
            dt, s1 = c.discharge_span(target, dt, power_w, base_a)
        self.totals.charge_out_mah += (s0 - s1) * p.capacity_mah
        c.soc = s1
        self.t += dt
        if self.eos:
            self.totals.cutoff_ticks += dt
        new = self._battery_state()
        if new != self.bstate:
            self.events.append(Event(self.t, "battery", new.name))
            self.bstate = new
        c.current_a = (power_w / p.ocv.voltage(c.soc) + base_a) if loaded else 0.0
        self._sample(stim and not self.eos)


