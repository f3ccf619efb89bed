"""The rechargeable implant's battery system, step by step: cell, charger, temperature, fuel gauge, ageing.

Each step holds its inputs constant (load, charger on or off, coupling), so the cell (`cell.Cell`), the
charger and the implant temperature (`thermal.advance`) advance in closed form; a step ends at the next
event: SOC crossing an OCV table point or a fuel-gauge threshold, the charger switching from constant
current to constant voltage or finishing, thermal or over-voltage pause and resume. Time is integer ticks
(1 us). `simulation.RechargeableSimulation` chooses the inputs from a daily `usage.Usage`.

While the charger is on, the received power feeds the load first and only the remainder charges the
cell (`charger.link_load_w`); when the link cannot cover the load the cell supplies the difference and
its charge falls. The charger's conversion and can losses on the load's power heat the implant too.
Supervision (OpenNerve style): charging pauses when the terminal voltage reaches ``v_pause`` and
resumes the first tick the terminal voltage under the load is below ``v_resume``; it pauses at the
thermal hard limit and resumes below ``resume_c``. The constant current is set once per fuel-gauge step
(docs/battery.md, "Stepping"), so where a caller cuts the simulation does not change the result.

Ageing (`ageing.AgeingModel`): the stressors of each day (time-averaged calendar factor of the SOC,
equivalent full cycles, depth of discharge, mean SOC, C-rate, temperature) advance the fade state at
every midnight (`ImplantBattery.end_of_day`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from firmware_model.battery.ageing import AgeingState, DayStress, Stress
from firmware_model.battery.cell import Cell, ceil_tick
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
from firmware_model.battery.models import CellParams
from firmware_model.battery.thermal import ThermalParams
from firmware_model.clock import DAY_TICKS
from firmware_model.stimulation.params import TICKS_PER_SECOND
from protocol.spec.generated import BatteryState

#: constant-voltage charging is split into pieces this long so the heat is near constant within one
CV_PIECE_TICKS = 120 * TICKS_PER_SECOND
MIN_CHARGE_A = 1e-5


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


class ImplantBattery:
    """The rechargeable IPG's cell, charger and temperature from tick ``t`` on: each public step advances
    them to a limit or the first event before it, records state changes in ``events`` and the state at
    the end of the step in ``samples``."""

    def __init__(self, cell: CellParams = CellParams(), charger: ChargerParams = ChargerParams(),
                 link: LinkParams = LinkParams(), thermal: ThermalParams = ThermalParams(), soc: float = 1.0,
                 ageing: bool = True):
        self.p, self.ch, self.link, self.th = cell, charger, link, thermal
        self.ageing = ageing
        self.t = 0
        self.cell = Cell(cell, soc)
        self.temp = thermal.body_c
        self.fade = AgeingState(cell.ageing)
        self.daily_stress: list[Stress] = []
        self._day = DayStress(cell.ageing, cell.capacity_mah, thermal.body_c)
        self._day.reset(soc)
        self.next_day = DAY_TICKS
        self.cutoff = soc <= cell.cutoff_soc
        self.rstate = RechargeState.IDLE
        self.totals = Totals()
        self.samples: list[Sample] = []
        self.events: list[Event] = []
        self.bstate = self._battery_state()
        p = cell
        self._down = sorted({*p.ocv.breakpoints, p.full_soc, p.soon_soc, p.now_soc, p.cutoff_soc})
        self._up = sorted({*p.ocv.breakpoints, p.full_soc, p.soon_soc, p.now_soc, p.resume_soc})
        #: the constant current of the present fuel-gauge step and what it was set for (`_cc_current`)
        self._cc: tuple[tuple[object, ...], float] | None = None
        self._inputs: tuple[float, float, Coupling] = (0.0, 0.0, Coupling())  # the load and coupling of this step

    # --- state ----------------------------------------------------------------------------------
    def _battery_state(self) -> BatteryState:
        p, soc = self.p, self.cell.soc
        if self.cutoff:
            return BatteryState.CUTOFF
        if soc < p.now_soc:
            return BatteryState.RECHARGE_NOW
        if soc < p.soon_soc:
            return BatteryState.RECHARGE_SOON
        if soc >= p.full_soc:
            return BatteryState.FULL
        return BatteryState.OK

    def sample(self, stim: bool) -> None:
        """Record the state at the end of a step, with the current that flowed at its end."""
        c = self.cell
        self.samples.append(Sample(self.t, c.soc, c.terminal_v, self.temp, c.capacity_fraction, self.bstate,
                                   self.rstate, stim))

    def _set_bstate(self) -> None:
        new = self._battery_state()
        if new != self.bstate:
            self.events.append(Event(self.t, "battery", new.name))
            self.bstate = new

    def set_rstate(self, new: RechargeState) -> None:
        if new != self.rstate:
            self.events.append(Event(self.t, "recharge", new.name))
            self.rstate = new
            self._cc = None  # a (re)started constant-current phase begins a new fuel-gauge step

    def end_of_day(self) -> None:
        """Midnight: the day's stressors advance the fade state; the capacity steps down."""
        stress = self._day.stress()
        if stress is not None:
            self.daily_stress.append(stress)
            self.fade.advance(stress)
        c = self.cell
        self._day.reset(c.soc)
        self.next_day += DAY_TICKS
        if self.ageing:
            new_cap = self.p.capacity_mah * self.fade.capacity_fraction
            if new_cap < c.capacity_mah:
                self.totals.faded_mah += c.soc * (c.capacity_mah - new_cap)
                c.capacity_mah = new_cap

    def _next_target_down(self) -> float | None:
        """Nearest SOC below the present one where something changes (OCV piece, alert, cut-off)."""
        i = bisect.bisect_left(self._down, self.cell.soc - 1e-9) - 1
        return self._down[i] if i >= 0 else None

    def _next_target_up(self) -> float | None:
        i = bisect.bisect_right(self._up, self.cell.soc + 1e-9)
        return self._up[i] if i < len(self._up) else None

    def _advance_constant(self, current_a: float, ticks: int) -> None:
        """Cell at constant battery current (discharge positive); records the day's stressors."""
        sec = ticks / TICKS_PER_SECOND
        s0 = self.cell.soc
        self.cell.advance(current_a, sec)
        if current_a > 0:
            self.totals.charge_out_mah += current_a * sec / 3.6
        else:
            self.totals.charge_in_mah += -current_a * sec / 3.6
        self._day.add(s0, self.cell.soc, sec, abs(current_a), self.temp)
        self.t += ticks

    # --- discharge ------------------------------------------------------------------------------
    def discharge_step(self, limit: int, power_w: float, base_a: float, stim: bool, heat_w: float = 0.0,
                       link_w: float = 0.0) -> None:
        """Discharge at constant power ``power_w`` plus constant current ``base_a`` (closed form in SOC);
        ``link_w`` of the load is meanwhile carried by the link, dissipating ``heat_w`` in the implant."""
        p, c = self.p, self.cell
        dt = limit - self.t
        s0 = c.soc
        loaded = power_w > 0 or base_a > 0
        nxt = self._next_target_down() if loaded else None
        if heat_w > 0:
            dt = min(dt, ceil_tick(self.th.seconds_to(self.temp, heat_w, self.th.hard_limit_c)))
        dt, s1 = c.discharge_span(nxt, dt, power_w, base_a)
        sec = dt / TICKS_PER_SECOND
        mean_a = (s0 - s1) * 3.6 * c.capacity_mah / sec
        v10 = c.v1
        self._advance_constant(mean_a, dt)
        c.soc = s1  # exact: the constant-power solution, not the mean-current line (equal up to rounding)
        if loaded:  # V1 follows the load current as it rises with the falling OCV, not the step's mean
            c.v1 = c.v1_after_ramp(v10, power_w / p.ocv.voltage(s0) + base_a, power_w / p.ocv.voltage(s1) + base_a, sec)
        self._account_link(link_w, heat_w, sec)
        if c.soc <= p.cutoff_soc + 1e-12 and not self.cutoff:
            self.cutoff = True  # stimulation stops until the cell is recharged
        if self.cutoff:
            self.totals.cutoff_ticks += dt
        self._set_bstate()
        c.current_a = power_w / p.ocv.voltage(c.soc) + base_a if loaded else 0.0
        self.sample(stim and not self.cutoff)

    def _account_link(self, link_w: float, heat_w: float, sec: float) -> None:
        """Energy the link delivered to the load (and the heat that cost) over ``sec``; temperature."""
        self.totals.received_j += (link_w + heat_w) * sec
        self.totals.load_j += link_w * sec
        self.totals.heat_j += heat_w * sec
        self.temp = self.th.advance(self.temp, heat_w, sec)

    # --- charging -------------------------------------------------------------------------------
    def _supervise(self) -> None:
        """OpenNerve-style pauses: over-temperature and over-voltage pause the charger; each resumes once
        its quantity is back below the resume level."""
        if self.rstate is RechargeState.IDLE:
            self.set_rstate(RechargeState.CONSTANT_CURRENT)
        v = self.cell.terminal_v
        new = supervise(self.rstate, v, self.temp, self.ch, self.th)
        if new is RechargeState.CONSTANT_CURRENT and self.rstate is not new:
            self.set_rstate(new)  # resumed: check the new state's limits at once, as the board does
            new = supervise(new, v, self.temp, self.ch, self.th)
        if new in (RechargeState.CONSTANT_CURRENT, RechargeState.CONSTANT_VOLTAGE) and self._overcharged():
            new = RechargeState.PAUSED_OVERVOLTAGE
        self.set_rstate(new)

    def charging_step(self, limit: int, power_w: float, base_a: float, stim: bool, coupling: Coupling) -> None:
        """The charger feeds the load first and charges the cell with what is left (see module doc)."""
        p, c = self.p, self.cell
        self._supervise()
        load_w = power_w + base_a * p.ocv.voltage(c.soc)  # at the charger's output
        if self.rstate in (RechargeState.PAUSED_HOT, RechargeState.PAUSED_OVERVOLTAGE):
            self._paused_step(limit, power_w, base_a, stim)
            return
        if self.rstate is RechargeState.COMPLETE:
            self._link_load_step(limit, load_w, coupling, stim)
            return
        if self.rstate is RechargeState.CONSTANT_CURRENT:
            self._inputs = (power_w, base_a, coupling)
            if not self._cc_step(limit, load_w, coupling, stim):
                return
        else:
            self._charge_cv(limit, coupling, load_w)
        if self.cutoff and c.soc >= p.resume_soc - 1e-12:
            self.cutoff = False
        self._set_bstate()
        self.sample(stim)

    def _cc_step(self, limit: int, load_w: float, coupling: Coupling, stim: bool) -> bool:
        """Constant current up to the next event (True); False when the step is already over: the link
        cannot do more than (part of) the load, or the voltage is at the target (the charger switches)."""
        ch, th, c = self.ch, self.th, self.cell
        i = self._cc_current(load_w, coupling)
        if i < MIN_CHARGE_A:  # the link cannot do more than (part of) the load: the cell rests or supplies the rest
            self._link_load_step(limit, load_w, coupling, stim)
            return False
        if c.voltage(-i) >= ch.v_target - 1e-9:
            self.set_rstate(RechargeState.CONSTANT_VOLTAGE if ch.v_limit <= ch.v_pause
                            else RechargeState.PAUSED_OVERVOLTAGE)
            return False
        dt = limit - self.t
        up = self._next_target_up()
        if up is not None:
            dt = min(dt, ceil_tick((up - c.soc) * c.capacity_mah * 3.6 / i))
        dt = min(dt, c.ticks_to_voltage(i, ch.v_target, dt))
        heat_w = self._cc_heat_w(i, load_w, coupling)
        dt = min(dt, ceil_tick(th.seconds_to(self.temp, heat_w, th.hard_limit_c)))
        soc0, v10 = c.soc, c.v1
        self._advance_constant(-i, dt)
        into_cell_j, stored_j = c.charge_energy_j(i, soc0, v10, dt / TICKS_PER_SECOND)
        self._account(into_cell_j, stored_j, load_w * (dt / TICKS_PER_SECOND), dt / TICKS_PER_SECOND, coupling)
        c.current_a = -i
        if up is not None and c.soc > up - 1e-9:
            c.soc = max(c.soc, up + 1e-12)
        if c.voltage(-i) >= ch.v_target - 1e-9:
            self.set_rstate(RechargeState.CONSTANT_VOLTAGE if ch.v_limit <= ch.v_pause
                            else RechargeState.PAUSED_OVERVOLTAGE)
        return True

    def _cc_current(self, load_w: float, coupling: Coupling) -> float:
        """The constant current of the present fuel-gauge step (docs/battery.md, "Stepping"): set from the
        OCV at the step's start with the terminal voltage at the target (the worst case: OCV only rises
        while charging) and kept until SOC reaches the step's end (the next OCV table point or alert
        threshold), the charger (re)starts constant current, or the load or the coupling change. Where a
        caller cuts the simulation (midnight, the end of a ``run``) does not set it again."""
        key = (self._next_target_up(), self._inputs)
        if self._cc is None or self._cc[0] != key:
            ch, ocv = self.ch, self.p.ocv.voltage(self.cell.soc)
            self._cc = key, max_current_a(ch.v_target, ocv, self.link, ch, coupling, self.th.max_heat_w(), load_w)
        return self._cc[1]

    def _overcharged(self) -> bool:
        """The cell is at the top of its OCV table (100 % SOC) and the charger still drives current: only a
        charger regulating above the full cell's voltage gets here (``v_limit`` above OCV(1) + I*R). Beyond
        the table a real cell's voltage climbs steeply, so the over-voltage supervision trips; the model
        has no data there and pauses at the table's end instead of extrapolating (which let SOC run past
        1 in one-tick steps that never reached ``v_pause``: the hang of issue 14's verification). A charger
        set at or below the full cell's OCV drives no current into a full cell (it goes to constant voltage
        and completes): no pause then, even at exactly 100 % SOC (issue 22)."""
        top = self.p.ocv.breakpoints[-1]
        return self.cell.soc >= top - 1e-12 and self.ch.v_limit > self.p.ocv.voltage(top) + 1e-9

    def _cc_heat_w(self, i: float, load_w: float, coupling: Coupling) -> float:
        """Upper bound of the implant heat while charging at i with the load on the link."""
        h = link_heat_per_bus_w(self.link, self.ch, coupling)
        return (i * self.ch.v_target + load_w) * (1 + h) - i * self.p.ocv.voltage(self.cell.soc)

    def _link_load_step(self, limit: int, load_w: float, coupling: Coupling, stim: bool) -> None:
        """No charge current: the link carries what it can of the load, the cell the rest."""
        th = self.th
        link_w = link_load_w(load_w, self.link, self.ch, coupling, th.max_heat_w())
        heat_w = link_w * link_heat_per_bus_w(self.link, self.ch, coupling) if link_w > 0 else 0.0
        rest = load_w - link_w
        if rest > 1e-12:
            self.discharge_step(limit, rest, 0.0, stim, heat_w, link_w)
            return
        ticks = limit - self.t
        self._advance_constant(0.0, ticks)
        self._account_link(link_w, heat_w, ticks / TICKS_PER_SECOND)
        self.cell.current_a = 0.0
        self.sample(stim)

    def _paused_step(self, limit: int, power_w: float, base_a: float, stim: bool) -> None:
        """A paused charger is off: the cell carries the whole load until the pause clears. The over-voltage
        pause clears the first tick the terminal voltage under that load is below ``v_resume``
        (`_ticks_to_resume`), wherever SOC is then, not only at OCV table points."""
        th, c = self.th, self.cell
        dt = limit - self.t
        if self.rstate is RechargeState.PAUSED_HOT:
            dt = min(dt, ceil_tick(th.seconds_to(self.temp, 0.0, th.resume_c - 1e-6)))
        else:
            dt = self._ticks_to_resume(dt, power_w, base_a)
        if power_w > 0 or base_a > 0:
            self.discharge_step(self.t + dt, power_w, base_a, stim)
            return
        self.temp = th.advance(self.temp, 0.0, dt / TICKS_PER_SECOND)
        self._advance_constant(0.0, dt)
        c.current_a = 0.0
        self.sample(stim)

    def _ticks_to_resume(self, max_ticks: int, power_w: float, base_a: float) -> int:
        """Ticks of this paused step until the terminal voltage under the load falls below ``v_resume``
        (``max_ticks`` if it does not within the step; `cell.Cell.ticks_until_below`)."""
        loaded = power_w > 0 or base_a > 0
        target = self._next_target_down() if loaded else None
        return self.cell.ticks_until_below(self.ch.v_resume, target, max_ticks, power_w, base_a)

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

    def _cv_current(self) -> float:
        if self.rstate is not RechargeState.CONSTANT_VOLTAGE:
            return 0.0
        return self.cell.cv_current(self.ch.v_limit)

    def _charge_cv(self, limit: int, coupling: Coupling, load_w: float) -> None:
        p, ch, th, c = self.p, self.ch, self.th, self.cell
        i_end = ch.end_current_c_rate * p.capacity_mah / 1000  # C/20 of the nominal capacity
        if self._cv_current() <= i_end:
            self.set_rstate(RechargeState.COMPLETE)
            return
        dt = min(limit - self.t, CV_PIECE_TICKS)
        dt = min(dt, ceil_tick(th.seconds_to(self.temp, self._cc_heat_w(self._cv_current(), load_w, coupling),
                                             th.hard_limit_c)))
        up = self._next_target_up()
        dt, soc1, v11, mean_ocv = c.cv_span(ch.v_limit, i_end, up, dt)
        sec = dt / TICKS_PER_SECOND
        soc0 = c.soc
        dq_as = (soc1 - soc0) * 3.6 * c.capacity_mah  # charge into the cell, A*s
        stored = dq_as * mean_ocv
        if up is not None and soc1 > up - 1e-9:
            soc1 = max(soc1, up + 1e-12)
        self._day.add(soc0, soc1, sec, dq_as / sec, self.temp)
        c.soc, c.v1 = soc1, v11
        self.totals.charge_in_mah += dq_as / 3.6
        self.t += dt
        c.current_a = -self._cv_current()
        self._account(ch.v_limit * dq_as, stored, load_w * sec, sec, coupling)
        if self._cv_current() <= i_end + 1e-12:
            self.set_rstate(RechargeState.COMPLETE)
