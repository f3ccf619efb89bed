"""First-order thermal model of the implant surface.

``C_th dT/dt = P - (T - T_body) / R_th``: a step of heat P settles at ``T_body + P*R_th`` with time
constant ``tau = R_th*C_th``. Heat is constant between events, so `advance` is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from firmware_model.stimulation.params import ParameterError
from protocol.spec import generated as dev


@dataclass(frozen=True)
class ThermalParams:
    body_c: float = dev.BODY_C
    r_th_c_per_w: float = dev.THERMAL_R_C_PER_W   # implant surface to body, degC per W
    tau_s: float = dev.THERMAL_TAU_S              # tissue + can thermal time constant
    rise_limit_c: float = dev.RISE_LIMIT_C   # the charger throttles to keep the rise within this
    hard_limit_c: float = dev.HARD_LIMIT_C   # charging pauses at or above this (absolute; OpenNerve's 42 degC)
    resume_c: float = dev.RESUME_C           # and resumes below this

    def __post_init__(self) -> None:
        if not (self.r_th_c_per_w > 0 and self.tau_s > 0):
            raise ParameterError("thermal", (self.r_th_c_per_w, self.tau_s), "positive resistance and time constant")
        if not self.body_c < self.resume_c < self.hard_limit_c:
            raise ParameterError("thermal.resume_c", self.resume_c, "between body and hard limit temperatures")
        if not self.rise_limit_c > 0:
            raise ParameterError("thermal.rise_limit_c", self.rise_limit_c, "a positive rise")
        # body + rise may reach the hard limit (a patient with fever): the over-temperature pause then acts

    def steady_c(self, heat_w: float) -> float:
        return self.body_c + heat_w * self.r_th_c_per_w

    def advance(self, temp_c: float, heat_w: float, seconds: float) -> float:
        ss = self.steady_c(heat_w)
        return ss + (temp_c - ss) * math.exp(-seconds / self.tau_s)

    def seconds_to(self, temp_c: float, heat_w: float, target_c: float) -> float:
        """Time until the temperature reaches ``target_c`` (inf if it never does)."""
        ss = self.steady_c(heat_w)
        if (temp_c - target_c) * (ss - target_c) >= 0 or temp_c == ss:
            return 0.0 if temp_c == target_c else math.inf
        return -self.tau_s * math.log((target_c - ss) / (temp_c - ss))

    def max_heat_w(self) -> float:
        """Heat whose steady state is exactly the allowed rise."""
        return self.rise_limit_c / self.r_th_c_per_w
