"""A fine-step reference of the documented charging equations (docs/battery.md), independent of the
model's closed forms: RK4 at 0.1 s on

    V = OCV(SOC) - I*R0 - V1,   dV1/dt = (I*R1 - V1)/tau1,   dSOC/dt = -I/(3.6*Q)   (I > 0 discharging)

with the supervision rule evaluated after every step (pause at ``v_pause``, resume below ``v_resume``,
constant current to the target, constant voltage to C/20) and the constant current set once per
fuel-gauge step: at the start or resumption of constant current and whenever SOC rises past an OCV table
point or an alert threshold. Events are timed by linear interpolation within the step. Temperature is not
integrated: the cases using this reference stay below the thermal limits (their tests check that the
model never paused hot).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

from firmware_model.battery.charger import ChargerParams, Coupling, LinkParams
from firmware_model.battery.models import CellParams
from firmware_model.battery.thermal import ThermalParams


@dataclass
class Reference:
    """The cell charging under a constant load (``power_w`` plus ``base_a``) from ``soc``."""

    cell: CellParams
    charger: ChargerParams
    coupling: Coupling
    power_w: float
    base_a: float = 0.0
    soc: float = 1.0
    link: LinkParams = LinkParams()
    thermal: ThermalParams = ThermalParams()
    v1: float = 0.0
    state: str = "CONSTANT_CURRENT"
    events: list[tuple[float, str]] = field(default_factory=list)
    max_v: float = 0.0

    def ocv(self, soc: float) -> float:
        pts = self.cell.ocv.points
        for (s0, v0), (s1, v1) in zip(pts, pts[1:], strict=False):
            if soc <= s1:
                return v0 + (v1 - v0) * (soc - s0) / (s1 - s0)
        return pts[-1][1]

    def _steps(self) -> list[float]:
        c = self.cell
        return sorted({s for s, _ in c.ocv.points} | {c.full_soc, c.soon_soc, c.now_soc, c.resume_soc})

    def cc_current_a(self) -> float:
        """The documented rule: C/2, or less when the link (after the load) or the 2 degC heat budget
        cannot supply it at the target voltage with the OCV of now."""
        ch, ln, cp, th = self.charger, self.link, self.coupling, self.thermal
        eta = ln.eta_max * math.exp(-cp.separation_mm / ln.d0_mm) * math.exp(-(cp.misalignment_mm / ln.m0_mm) ** 2)
        h = (1 + ln.can_loss / eta) / ch.converter_efficiency - 1
        v_t = min(ch.v_limit, ch.v_pause)
        load_w = self.power_w + self.base_a * self.ocv(self.soc)
        by_link = (cp.max_transmit_w * eta * ch.converter_efficiency - load_w) / v_t
        by_heat = (th.rise_limit_c / th.r_th_c_per_w - load_w * h) / (v_t * (1 + h) - self.ocv(self.soc))
        return max(0.0, min(ch.cc_current_a, by_link, by_heat))

    def current_a(self, soc: float, v1: float, cc_a: float) -> float:
        """Battery current (discharge positive) in the present state."""
        if self.state == "CONSTANT_CURRENT":
            return -cc_a
        if self.state == "CONSTANT_VOLTAGE":
            return -(self.charger.v_limit - self.ocv(soc) + v1) / self.cell.r0_ohm
        if self.state == "PAUSED_OVERVOLTAGE":
            return self.power_w / self.ocv(soc) + self.base_a
        return 0.0  # complete: the link carries the load

    def voltage(self, soc: float, v1: float, cc_a: float) -> float:
        return self.ocv(soc) - self.current_a(soc, v1, cc_a) * self.cell.r0_ohm - v1

    def _rk4(self, dt: float, cc_a: float) -> None:
        c = self.cell

        def f(soc: float, v1: float) -> tuple[float, float]:
            i = self.current_a(soc, v1, cc_a)
            return -i / 3.6 / c.capacity_mah, (i * c.r1_ohm - v1) / c.tau1_s
        s, v = self.soc, self.v1
        k1 = f(s, v)
        k2 = f(s + dt / 2 * k1[0], v + dt / 2 * k1[1])
        k3 = f(s + dt / 2 * k2[0], v + dt / 2 * k2[1])
        k4 = f(s + dt * k3[0], v + dt * k3[1])
        self.soc = s + dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        self.v1 = v + dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])

    def _supervise(self, v: float) -> str:
        ch, i_end = self.charger, self.charger.end_current_c_rate * self.cell.capacity_mah / 1000
        if self.state == "PAUSED_OVERVOLTAGE" and v < ch.v_resume:
            return "CONSTANT_CURRENT"
        if self.state in ("CONSTANT_CURRENT", "CONSTANT_VOLTAGE") and v >= ch.v_pause:
            return "PAUSED_OVERVOLTAGE"
        if self.state == "CONSTANT_CURRENT" and v >= ch.v_limit:
            return "CONSTANT_VOLTAGE"
        if self.state == "CONSTANT_VOLTAGE" and -self.current_a(self.soc, self.v1, 0.0) <= i_end:
            return "COMPLETE"
        return self.state

    def run(self, seconds: float, dt: float = 0.1) -> Reference:
        """Integrate for ``seconds``; ``events`` gets (time s, new state) of every change."""
        steps = self._steps()
        cc_a, step_end = self.cc_current_a(), bisect.bisect_right(steps, self.soc + 1e-9)
        new = self._supervise(self.voltage(self.soc, self.v1, cc_a))
        if new != self.state:
            self.state = new
            self.events.append((0.0, new))
        t = 0.0
        v_prev = self.voltage(self.soc, self.v1, cc_a)
        while t < seconds - 1e-9:
            saved = self.soc, self.v1
            self._rk4(dt, cc_a)
            v = self.voltage(self.soc, self.v1, cc_a)
            new = self._supervise(v)
            if new != self.state:  # integrate only up to the crossing (linear within the step), switch there
                level = {"CONSTANT_CURRENT": self.charger.v_resume, "CONSTANT_VOLTAGE": self.charger.v_limit}.get(
                    new, self.charger.v_pause)
                frac = (level - v_prev) / (v - v_prev) if new != "COMPLETE" and v != v_prev else 1.0
                step = dt * min(max(frac, 0.0), 1.0)
                self.soc, self.v1 = saved
                self._rk4(step, cc_a)
                t += step
                self.events.append((t, new))
                self.state = new
                if new == "CONSTANT_CURRENT":
                    cc_a = self.cc_current_a()
            else:
                t += dt
                if self.state == "CONSTANT_CURRENT" and bisect.bisect_right(steps, self.soc + 1e-9) != step_end:
                    cc_a = self.cc_current_a()  # a new fuel-gauge step
            self.max_v = max(self.max_v, self.voltage(self.soc, self.v1, cc_a))
            step_end = bisect.bisect_right(steps, self.soc + 1e-9)
            v_prev = self.voltage(self.soc, self.v1, cc_a)
        return self
