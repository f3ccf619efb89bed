"""Clinical anchors of the battery model: published figures and what the model gives for them.

Assumptions are stated in docs/battery.md ("Clinical anchors"); the tests in tests/firmware_model/test_battery.py hold
the model to them and `scs battery --anchors` prints them.

- Recharge burden of HF10 with pulse dosing (Provenzano et al. 2021, Pain Med 23(1):152-163): 8.3, 13.9,
  26.2 and 43.8 minutes of charging a day at 3, 14, 50 and 100 % on-time. Model: the HF10 example
  (examples/battery_hf10.toml) with its area cycled on/off for that duty, a nightly recharge.
- Primary-cell longevity of tonic stimulation (MedlinePlus, "Spinal cord stimulation": a non-rechargeable
  battery lasts 2 to 5 years): DESIGN §3's typical tonic settings, 24 h a day.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from pathlib import Path

from firmware_model.battery.charger import Coupling
from firmware_model.battery.models import PrimaryCellParams
from firmware_model.battery.projection import project_primary, project_rechargeable
from firmware_model.battery.usage import RechargeHabit, Usage, average_stim_power_w
from firmware_model.scenario.stimulation import scenario_from_dict
from firmware_model.stimulation.params import Area, Contacts, Program
from firmware_model.stimulation.safety import ContactImpedances
from firmware_model.stimulation.scheduler import Scheduler

HF10_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "battery_hf10.toml"
#: (on-time %, on s, off s, clinical minutes a day)
PROVENZANO_2021 = ((3, 3, 97, 8.3), (14, 14, 86, 13.9), (50, 50, 50, 26.2), (100, 0, 0, 43.8))
MEDLINEPLUS_PRIMARY_YEARS = (2.0, 5.0)


@dataclass(frozen=True)
class Anchor:
    what: str
    clinical: str
    model: float
    ratio: float | None   # model / clinical, when the clinical figure is one number


def hf10_charging_min_per_day(on_s: int, off_s: int, example: Path = HF10_EXAMPLE, days: int = 14) -> float:
    """Daily charging minutes of the HF10 example cycled ``on_s`` on / ``off_s`` off (0, 0: always on)."""
    raw = tomllib.loads(example.read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    if on_s and off_s:
        raw["area"][0]["cycling"] = {"on_s": on_s, "off_s": off_s}
    sc = scenario_from_dict(raw, str(example))
    power = average_stim_power_w(Scheduler(sc.program, sc.profile, sc.impedances))
    u, r = raw.get("usage", {}), raw["recharge"]
    usage = Usage(stim_power_w=power, quiescent_ua=u.get("quiescent_ua", 10.0),
                  telemetry_min_per_day=u.get("telemetry_min_per_day", 0.0),
                  recharge=RechargeHabit(every_days=r.get("every_days", 1), start_hour=r["start_hour"],
                                         duration_min=r["duration_min"],
                                         coupling=Coupling(r["separation_mm"], r["misalignment_mm"])))
    return project_rechargeable(usage, days=days).charging_min_per_day


def typical_tonic_power_w() -> float:
    """DESIGN §3 typical tonic: 4 mA (3.5-8.5 mA range, low end in practice), 300 us, 50 Hz, one bipole
    of two 500 ohm contacts (a 1 kohm load), active recharge, 24 h a day."""
    area = Area(contacts=Contacts(cathodes=((2, 100),), anodes=(3,)), amplitude_ua=4000, pulse_width_us=300,
                rate_mhz=50_000)
    return average_stim_power_w(Scheduler(Program((area,)), impedances=ContactImpedances.uniform(500)))


def primary_tonic_years() -> tuple[float, float]:
    """(years to ERI, years to EOS) of the default primary cell at typical tonic settings."""
    p = project_primary(Usage(stim_power_w=typical_tonic_power_w()), PrimaryCellParams())
    return p.years_to_eri, p.years_to_eos


def anchors() -> list[Anchor]:
    out = []
    for pct, on_s, off_s, minutes in PROVENZANO_2021:
        ours = hf10_charging_min_per_day(on_s, off_s)
        out.append(Anchor(f"HF10 daily charging at {pct} % on (min/day)", f"{minutes:g} (Provenzano 2021)", ours,
                          ours / minutes))
    eri, eos = primary_tonic_years()
    lo, hi = MEDLINEPLUS_PRIMARY_YEARS
    out.append(Anchor("primary cell, typical tonic: years to ERI", f"{lo:g}-{hi:g} (MedlinePlus)", eri, None))
    out.append(Anchor("primary cell, typical tonic: years to EOS", f"{lo:g}-{hi:g} (MedlinePlus)", eos, None))
    return out
