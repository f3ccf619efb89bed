"""Inductive recharge: coupling of the external coil, the implant's CC-CV charger and its heat.

Link: the fraction of transmitted power the implant's coil receives falls exponentially with coil
separation and as a Gaussian of lateral misalignment (a fit of published transcutaneous links):
``eta(d, m) = eta_max * exp(-d/d0) * exp(-(m/m0)^2)``. The external charger regulates its transmit
power to what the implant asks for (closed loop), up to ``max_transmit_w``.

Heat in the implant while charging: everything the charger draws that is not stored chemically
(converter loss, the cell's I^2 R and polarisation) plus eddy-current loss in the can, a fraction
``can_loss`` of the transmitted power. So: received = stored + dissipated.

Charger: constant current to ``v_limit``, then constant voltage until the current falls below C/20.
It pauses on over-voltage (``v_pause``, resume below ``v_resume``) and over-temperature (thermal hard
limit), and throttles the current so the steady-state temperature rise stays within the limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from firmware_model.params import ParameterError
from protocol import generated as dev
from protocol.generated import RechargeState

__all__ = ["RechargeState"]


@dataclass(frozen=True)
class Coupling:
    """Where the external coil sits: separation and misalignment, mm; transmit power ceiling, W."""

    separation_mm: float = 10.0
    misalignment_mm: float = 0.0
    max_transmit_w: float = 1.5

    def __post_init__(self) -> None:
        if not (0 <= self.separation_mm <= 100 and 0 <= self.misalignment_mm <= 100 and self.max_transmit_w >= 0):
            raise ParameterError("coupling", self, "separation and misalignment 0 to 100 mm, power >= 0 W")


@dataclass(frozen=True)
class LinkParams:
    eta_max: float = dev.LINK_EFFICIENCY_MAX
    d0_mm: float = dev.LINK_SEPARATION_SCALE_MM
    m0_mm: float = dev.LINK_MISALIGNMENT_SCALE_MM
    can_loss: float = 0.02

    def efficiency(self, c: Coupling) -> float:
        return self.eta_max * math.exp(-c.separation_mm / self.d0_mm) * math.exp(-(c.misalignment_mm / self.m0_mm) ** 2)


@dataclass(frozen=True)
class ChargerParams:
    cc_current_a: float = dev.CC_CURRENT_A
    v_limit: float = dev.V_LIMIT
    end_current_c_rate: float = 1 / dev.END_CURRENT_C_DIVISOR
    converter_efficiency: float = dev.CHARGER_EFFICIENCY
    v_pause: float = 4.277
    v_resume: float = 4.10

    def __post_init__(self) -> None:
        if not (0 < self.cc_current_a and 0 < self.converter_efficiency <= 1 and self.v_resume < self.v_limit < self.v_pause):
            raise ParameterError("charger", self, "positive current and efficiency, v_resume < v_limit < v_pause")


def max_current_a(terminal_v: float, ocv: float, link: LinkParams, charger: ChargerParams, coupling: Coupling,
                  max_heat_w: float) -> float:
    """Largest charge current the link can supply and the thermal limit allows, at this cell voltage."""
    eta = link.efficiency(coupling)
    if eta <= 0 or coupling.max_transmit_w <= 0:
        return 0.0
    per_amp_drawn = terminal_v / charger.converter_efficiency
    by_link = coupling.max_transmit_w * eta / per_amp_drawn
    per_amp_heat = per_amp_drawn * (1 + link.can_loss / eta) - ocv
    by_heat = max_heat_w / per_amp_heat if per_amp_heat > 0 else math.inf
    return max(0.0, min(charger.cc_current_a, by_link, by_heat))
