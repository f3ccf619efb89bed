"""Battery cells: a Thevenin Li-ion model with ageing, and a flat-voltage lithium primary cell.

Rechargeable cell (DESIGN §5): terminal voltage ``V = OCV(SOC) - I*R0 - V1`` with one R1||C1
branch ``dV1/dt = I/C1 - V1/(R1*C1)`` and coulomb counting ``dSOC/dt = -I / capacity``; ``I`` is
positive while discharging. Between events the current is constant, so every quantity has a closed
form (solved in `cell.Cell`). Capacity fade is `ageing.AgeingModel` (SOC, DoD,
C-rate and temperature; calibrated against NREL BLAST-Lite's NMC111/graphite pouch-cell model).

The OCV table is data in the device definition (``protocol/spec/device.toml`` ``[fuel_gauge].ocv``: PyBaMM's
ECM example curve reduced to the fewest points within 3 mV by `scripts/reduce_ocv.py`); the Python
constants and the board firmware's header are both generated from it."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field

from firmware_model.battery.ageing import AgeingModel
from firmware_model.stimulation.params import ParameterError
from protocol.spec import generated as dev

#: PyBaMM's ECM example OCV of a common NMC/graphite cell (DESIGN §5): the definition's one table
#: (protocol/spec/device.toml [fuel_gauge].ocv, from scripts/reduce_ocv.py); the board's header has the same
NMC_OCV = dev.OCV


@dataclass(frozen=True)
class OcvTable:
    """Open-circuit voltage against state of charge, linear between points; SOC points ascending in [0, 1]."""

    points: tuple[tuple[float, float], ...] = NMC_OCV
    _soc: list[float] = field(init=False, repr=False, compare=False)
    _pieces: tuple[tuple[float, float, float, float], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        socs = [s for s, _ in self.points]
        if len(socs) < 2 or socs[0] != 0.0 or socs[-1] != 1.0 or any(b <= a for a, b in itertools.pairwise(socs)):
            raise ParameterError("ocv.points", socs, "ascending SOC points from 0.0 to 1.0")
        object.__setattr__(self, "_soc", socs)
        pieces = []
        for (s0, v0), (s1, v1) in zip(self.points, self.points[1:]):
            k = (v1 - v0) / (s1 - s0)
            pieces.append((s0, s1, v0 - k * s0, k))
        object.__setattr__(self, "_pieces", tuple(pieces))

    def segment(self, soc: float) -> tuple[float, float, float, float]:
        """(soc_lo, soc_hi, intercept, slope) of the linear piece holding ``soc`` (clamped to the table)."""
        i = bisect.bisect_right(self._soc, soc) - 1
        pieces = self._pieces
        return pieces[0] if i < 0 else pieces[i] if i < len(pieces) else pieces[-1]

    def voltage(self, soc: float) -> float:
        soc = 0.0 if soc < 0.0 else min(soc, 1.0)
        _, _, a, k = self.segment(soc)
        return a + k * soc

    @property
    def breakpoints(self) -> list[float]:
        return self._soc


@dataclass(frozen=True)
class CellParams:
    """A rechargeable Li-ion cell. DESIGN defaults: 200 mAh, about 0.5 ohm DC resistance (R0 + R1)."""

    capacity_mah: float = dev.CAPACITY_MAH
    r0_ohm: float = 0.30
    r1_ohm: float = 0.20
    tau1_s: float = 60.0
    ocv: OcvTable = field(default_factory=OcvTable)
    # fuel-gauge thresholds (SOC)
    full_soc: float = dev.FULL_SOC
    soon_soc: float = dev.SOON_SOC
    now_soc: float = dev.NOW_SOC
    cutoff_soc: float = dev.CUTOFF_SOC
    resume_soc: float = dev.RESUME_SOC   # after a cut-off, stimulation resumes once charged to this
    ageing: AgeingModel = field(default_factory=AgeingModel)

    def __post_init__(self) -> None:
        for name in ("capacity_mah", "r0_ohm", "r1_ohm", "tau1_s"):
            if not getattr(self, name) > 0:
                raise ParameterError(f"battery.{name}", getattr(self, name), "a positive number")
        if not 0 < self.cutoff_soc < self.resume_soc < self.now_soc < self.soon_soc < self.full_soc <= 1:
            raise ParameterError("battery thresholds",
                                 (self.cutoff_soc, self.resume_soc, self.now_soc, self.soon_soc, self.full_soc),
                                 "0 < cutoff < resume < recharge now < recharge soon < full <= 1")

    @property
    def c1_farad(self) -> float:
        return self.tau1_s / self.r1_ohm

@dataclass(frozen=True)
class PrimaryCellParams:
    """A flat-voltage lithium primary cell (e.g. Li/CFx-SVO): voltage against depth of discharge."""

    capacity_mah: float = dev.PRIMARY_CAPACITY_MAH
    ocv: OcvTable = field(default_factory=lambda: OcvTable(dev.PRIMARY_OCV))  # against SOC
    r0_ohm: float = 5.0
    eri_soc: float = dev.ERI_SOC   # elective replacement indicator: plan the replacement surgery
    eos_soc: float = dev.EOS_SOC   # end of service: stimulation stops

    def __post_init__(self) -> None:
        if not self.capacity_mah > 0:
            raise ParameterError("battery.capacity_mah", self.capacity_mah, "a positive number")
        if not 0 < self.eos_soc < self.eri_soc < 1:
            raise ParameterError("battery thresholds", (self.eos_soc, self.eri_soc), "0 < EOS < ERI < 1")
