"""Window totals: pulses, delivered charge and the energy the output stage draws, per area."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from firmware_model.stimulation.timeline import FLAG_OUT_OF_COMPLIANCE, FLAG_PASSIVE

if TYPE_CHECKING:
    from firmware_model.stimulation.scheduler import Scheduler


@dataclass(frozen=True)
class WindowTotals:
    """Per-window sums, per area (index = area)."""

    start_tick: int
    end_tick: int
    pulses: tuple[int, ...]
    charge_pc: tuple[int, ...]       # delivered cathodic charge
    energy_pj: tuple[float, ...]     # drawn by the output stage from the battery
    max_displacement_ticks: tuple[int, ...]
    busy_ticks: tuple[int, ...] = ()          # stage occupancy: sum of (end_tick - start_tick)
    out_of_compliance: tuple[int, ...] = ()   # pulses delivered below their programmed amplitude

    @property
    def total_energy_pj(self) -> float:
        return float(sum(self.energy_pj))


class TotalsAccumulator:
    """Running per-area totals over streamed timeline chunks."""

    def __init__(self, scheduler: Scheduler):
        n = len(scheduler.program.areas)
        self._plans = scheduler._plans
        self.pulses = np.zeros(n, np.int64)
        self.charge_pc = np.zeros(n, np.int64)
        self.energy_pj = np.zeros(n)
        self.worst_displacement = np.zeros(n, np.int64)
        self.out_of_compliance = np.zeros(n, np.int64)
        self.busy_ticks = np.zeros(n, np.int64)

    def add(self, chunk: np.ndarray) -> None:
        area = chunk["area"]
        for plan in self._plans:
            sel = chunk[area == plan.index] if len(self._plans) > 1 else chunk
            if not len(sel):
                continue
            i = plan.index
            self.pulses[i] += len(sel)
            self.charge_pc[i] += int(sel["charge_pc"].sum(dtype=np.int64))
            self.energy_pj[i] += float(pulse_energy_pj(sel, float(plan.load_ohm), plan.headroom_mv,
                                                       plan.compliance_mv, plan.eff).sum())
            self.worst_displacement[i] = max(self.worst_displacement[i], int(sel["displacement_ticks"].max()))
            self.out_of_compliance[i] += int(np.count_nonzero(sel["flags"] & FLAG_OUT_OF_COMPLIANCE))
            self.busy_ticks[i] += int((sel["end_tick"] - sel["start_tick"]).sum(dtype=np.int64))

    def result(self, start_tick: int, end_tick: int) -> WindowTotals:
        def ints(a: np.ndarray) -> tuple[int, ...]:
            return tuple(int(x) for x in a)

        return WindowTotals(start_tick, end_tick, ints(self.pulses), ints(self.charge_pc),
                            tuple(float(x) for x in self.energy_pj), ints(self.worst_displacement),
                            ints(self.busy_ticks), ints(self.out_of_compliance))


def pulse_energy_pj(pulses: np.ndarray, load_ohm: float, headroom_mv: int, compliance_mv: int,
                    efficiency: float) -> np.ndarray:
    """Energy drawn from the battery per pulse, pJ: rail V = min(I*Z + headroom, compliance),
    E = V * (driven charge) / efficiency. Passive recharge draws nothing."""
    amp = pulses["amplitude_ua"].astype(np.float64)
    rail_v = np.minimum(amp * load_ohm / 1e3 + headroom_mv, compliance_mv) / 1e3
    driven = pulses["charge_pc"].astype(np.float64)
    active = (pulses["flags"] & FLAG_PASSIVE) == 0
    driven = driven + np.where(active, -pulses["recharge_charge_pc"].astype(np.float64), 0.0)
    return rail_v * driven / efficiency


