"""Longevity projections: years to ERI and EOS of a primary cell, recharge interval, daily charging time
and service life of a rechargeable one.

A primary cell's projection is closed form (its flat voltage makes the load nearly constant-current).
A rechargeable cell's comes from the event-driven simulation of its recharge habit (`simulation`):
charging time and cycles from the simulated days, service life from the ageing model continued with the
average simulated day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from firmware_model.battery.ageing import AgeingState, Stress
from firmware_model.battery.models import CellParams, PrimaryCellParams
from firmware_model.battery.simulation import RechargeableSimulation, Result
from firmware_model.battery.usage import Usage
from firmware_model.clock import DAY_TICKS
from firmware_model.stimulation.params import TICKS_PER_SECOND


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
