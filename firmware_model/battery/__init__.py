"""The implant's battery: cells, charger, temperature, ageing, their event-driven simulation and the
longevity projections built on it.

Modules, lowest layer first:
- `models`: cell parameters and the OCV table; `ageing`: capacity fade; `charger`: the inductive link and
  the CC-CV charger's supervision; `thermal`: the implant's temperature;
- `cell`: the cell's state and its closed-form steps (constant current, constant power, CC/CV);
- `usage`: the daily schedule (stimulation, telemetry, recharge habit) and a program's mean power;
- `implant`: the rechargeable implant's battery system step by step (cell, charger, temperature,
  fuel gauge, ageing);
- `simulation`: the event-driven runners under a `Usage`; `projection`: years, recharge burden and
  service life; `clinical` (not re-exported here): the model against published figures.
"""

from firmware_model.battery.ageing import AgeingModel, AgeingState, DayStress, Stress, daily_cycle_stress
from firmware_model.battery.cell import Cell, PrimaryCell, ceil_tick, discharge_seconds, ocv_inverse, soc_after
from firmware_model.battery.charger import (
    ChargerParams,
    Coupling,
    LinkParams,
    link_heat_per_bus_w,
    link_load_w,
    max_current_a,
    supervise,
)
from firmware_model.battery.implant import Event, ImplantBattery, Sample, Totals
from firmware_model.battery.models import NMC_OCV, CellParams, OcvTable, PrimaryCellParams
from firmware_model.battery.projection import (
    PrimaryProjection,
    RechargeableProjection,
    mean_stress,
    project_primary,
    project_rechargeable,
    service_life_years,
)
from firmware_model.battery.simulation import PrimarySimulation, RechargeableSimulation, Result
from firmware_model.battery.thermal import ThermalParams
from firmware_model.battery.usage import RechargeHabit, Usage, average_stim_power_w
from protocol.spec.generated import BatteryState, RechargeState

__all__ = [
    "NMC_OCV",
    "AgeingModel", "AgeingState", "BatteryState", "Cell", "CellParams", "ChargerParams", "Coupling", "DayStress",
    "Event", "ImplantBattery", "LinkParams", "OcvTable", "PrimaryCell", "PrimaryCellParams", "PrimaryProjection",
    "PrimarySimulation", "RechargeHabit", "RechargeState", "RechargeableProjection", "RechargeableSimulation",
    "Result", "Sample", "Stress", "ThermalParams", "Totals", "Usage",
    "average_stim_power_w", "ceil_tick", "daily_cycle_stress", "discharge_seconds", "link_heat_per_bus_w",
    "link_load_w", "max_current_a", "mean_stress", "ocv_inverse", "project_primary", "project_rechargeable",
    "service_life_years", "soc_after", "supervise",
]
