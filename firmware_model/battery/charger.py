"""Inductive recharge: coupling of the external coil, the implant's CC-CV charger and its heat.

Link: the fraction of transmitted power the implant's coil receives falls exponentially with coil
separation and as a Gaussian of lateral misalignment (a fit of published transcutaneous links):
``eta(d, m) = eta_max * exp(-d/d0) * exp(-(m/m0)^2)``. The external charger regulates its transmit
power to what the implant asks for (closed loop), up to ``max_transmit_w``.

Power path while the charger is on: the rectified power, after the charger's converter
(``converter_efficiency``), feeds the load (stimulation, quiescent, telemetry) first; only the remainder
charges the cell. If it cannot cover the load the cell supplies the difference.

Heat in the implant while charging: everything the charger draws that is not stored chemically or
delivered to the load (converter loss on both, the cell's I^2 R and polarisation) plus eddy-current
loss in the can, a fraction ``can_loss`` of the transmitted power. So: received = stored + load +
dissipated.

Charger: constant current to ``v_limit``, then constant voltage until the current falls below C/20.
Supervision as in the open-source OpenNerve IPG: it pauses on over-voltage (terminal voltage at
``v_pause`` = 4.277 V, resume below ``v_resume`` = 4.1 V: catches a charger regulating too high or a
cell whose resistance has grown) and over-temperature (thermal hard limit 42 degC), and throttles the
current so the steady-state temperature rise stays within the limit. The constant current is set at the
start of each fuel-gauge step (an OCV table point or alert threshold) from the OCV there: OCV only rises
while charging, so the heat of the step stays within what was allowed at its start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from firmware_model.battery.thermal import ThermalParams
from firmware_model.errors import check_number
from firmware_model.stimulation.params import ParameterError
from protocol.spec import generated as dev
from protocol.spec.generated import RechargeState

__all__ = ["RechargeState"]


@dataclass(frozen=True)
class Coupling:
    """Where the external coil sits: separation and misalignment, mm; transmit power ceiling, W."""

    separation_mm: float = 10.0
    misalignment_mm: float = 0.0
    max_transmit_w: float = 1.5

    def __post_init__(self) -> None:
        for name, hi in (("separation_mm", 100.0), ("misalignment_mm", 100.0), ("max_transmit_w", 10.0)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) and 0 <= v <= hi):
                raise ParameterError(f"coupling.{name}", v, f"a number from 0 to {hi:g}")


@dataclass(frozen=True)
class LinkParams:
    eta_max: float = dev.LINK_ETA_MAX
    d0_mm: float = dev.LINK_D0_MM
    m0_mm: float = dev.LINK_M0_MM
    can_loss: float = dev.CAN_LOSS

    def efficiency(self, c: Coupling) -> float:
        return self.eta_max * math.exp(-c.separation_mm / self.d0_mm) * math.exp(-(c.misalignment_mm / self.m0_mm) ** 2)


@dataclass(frozen=True)
class ChargerParams:
    """The implant's charger (constants: the device definition's [fuel_gauge]). ``cc_current_a``: C/2 of the
    200 mAh cell (rechargeable SCS IPGs refill from empty in a couple of hours, not the 4+ h of C/4); at
    ordinary coupling the 2 degC thermal limit caps it lower (about 70 mA at 10 mm, see `max_current_a`).

    Ranges (`_CHARGER_BOUNDS`): ``cc_current_a`` above 0 to 1 A (5C), ``v_limit`` and ``v_pause`` 4.0 to
    4.4 V, ``v_resume`` 3.5 to 4.4 V and below both, ``end_current_c_rate`` and ``converter_efficiency``
    above 0 to 1. A ``v_limit`` above the full cell's OCV (4.187 V) models a charger regulating too high:
    the over-voltage supervision pauses it at 100 % SOC (`RechargeableSimulation._overcharged`)."""

    cc_current_a: float = dev.CC_CURRENT_A
    v_limit: float = dev.V_LIMIT
    end_current_c_rate: float = 1 / dev.END_CURRENT_C_DIVISOR
    converter_efficiency: float = dev.CHARGER_EFFICIENCY
    v_pause: float = dev.V_PAUSE
    v_resume: float = dev.V_RESUME

    def __post_init__(self) -> None:
        # v_limit may exceed v_pause (up to 4.4 V): a charger regulating too high is exactly what the
        # over-voltage supervision catches; below 4.0 V a Li-ion cell is never charged near full
        for name, (lo, hi, unit, lo_open) in _CHARGER_BOUNDS.items():
            check_number(f"charger.{name}", getattr(self, name), lo, hi, unit, lo_open=lo_open)
        for above in ("v_limit", "v_pause"):
            if not self.v_resume < getattr(self, above):
                raise ParameterError("charger.v_resume", self.v_resume, f"below {above} = {getattr(self, above):g} V")

    @property
    def v_target(self) -> float:
        """The voltage constant-current charging runs up to: the CV limit or, if lower, the pause level."""
        return min(self.v_limit, self.v_pause)


#: ChargerParams field -> (lowest, highest, unit, lowest excluded): finite numbers only
_CHARGER_BOUNDS = {
    "cc_current_a": (0.0, 1.0, "A", True),
    "v_limit": (4.0, 4.4, "V", False),
    "end_current_c_rate": (0.0, 1.0, "C", True),
    "converter_efficiency": (0.0, 1.0, "", True),
    "v_pause": (4.0, 4.4, "V", False),
    "v_resume": (3.5, 4.4, "V", False),
}


def supervise(state: RechargeState, v_term: float, temp_c: float, charger: ChargerParams,
              thermal: ThermalParams) -> RechargeState:
    """OpenNerve-style supervision, one decision: a paused charger resumes once its cause is below the
    resume level (temperature under ``resume_c``, terminal voltage under ``v_resume``); a charging one
    pauses at the hard temperature limit or at ``v_pause``. The board's gauge makes the same decisions
    (``scs_charge_supervise``, checked against this in tests/firmware_model/test_battery.py)."""
    if state is RechargeState.PAUSED_HOT and temp_c < thermal.resume_c:
        state = RechargeState.CONSTANT_CURRENT
    if state is RechargeState.PAUSED_OVERVOLTAGE and v_term < charger.v_resume:
        state = RechargeState.CONSTANT_CURRENT
    if state in (RechargeState.CONSTANT_CURRENT, RechargeState.CONSTANT_VOLTAGE):
        if temp_c >= thermal.hard_limit_c - 1e-9:
            return RechargeState.PAUSED_HOT
        if v_term >= charger.v_pause - 1e-9:
            return RechargeState.PAUSED_OVERVOLTAGE
    return state


def link_heat_per_bus_w(link: LinkParams, charger: ChargerParams, coupling: Coupling) -> float:
    """Implant heat per watt the charger delivers to its output (converter loss plus can loss)."""
    eta = link.efficiency(coupling)
    return (1 + link.can_loss / eta) / charger.converter_efficiency - 1


def link_load_w(load_w: float, link: LinkParams, charger: ChargerParams, coupling: Coupling,
                max_heat_w: float) -> float:
    """How much of a load (W at the charger's output) the link carries: all of it unless the received
    power or the thermal limit run out first; the cell supplies the rest."""
    eta = link.efficiency(coupling)
    if eta <= 0 or coupling.max_transmit_w <= 0 or load_w <= 0:
        return 0.0
    by_link = coupling.max_transmit_w * eta * charger.converter_efficiency
    by_heat = max_heat_w / link_heat_per_bus_w(link, charger, coupling)
    return max(0.0, min(load_w, by_link, by_heat))


def max_current_a(terminal_v: float, ocv: float, link: LinkParams, charger: ChargerParams, coupling: Coupling,
                  max_heat_w: float, load_w: float = 0.0) -> float:
    """Largest charge current the link can supply after feeding ``load_w`` (W at the charger's output)
    and the thermal limit allows, at this cell voltage (0 when the load takes everything)."""
    eta = link.efficiency(coupling)
    if eta <= 0 or coupling.max_transmit_w <= 0:
        return 0.0
    h = link_heat_per_bus_w(link, charger, coupling)
    by_link = (coupling.max_transmit_w * eta * charger.converter_efficiency - load_w) / terminal_v
    per_amp_heat = terminal_v * (1 + h) - ocv
    spare_heat = max_heat_w - load_w * h
    by_heat = spare_heat / per_amp_heat if per_amp_heat > 0 else math.inf
    return max(0.0, min(charger.cc_current_a, by_link, by_heat))
