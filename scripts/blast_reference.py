"""Produce firmware_model/battery/data/ageing_reference.csv: NREL BLAST-Lite capacity figures for the ageing grid.

Run OFFLINE, in a separate environment (blast-lite is not a dependency of scs-hil):

    python -m venv /tmp/blastenv && /tmp/blastenv/bin/pip install blast-lite==1.1.1
    /tmp/blastenv/bin/python scripts/blast_reference.py > firmware_model/battery/data/ageing_reference.csv

Model: ``blast.models.Nmc111_Gr_Kokam75Ah_Battery`` (NMC111/graphite high-energy pouch cell, Smith et
al. 2017). Each grid point is one daily cycle repeated for 15 years at 37 degC: the cell is charged to
``top`` at C/4 (the implant charger's 50 mA on 200 mAh), then discharged linearly by ``dod`` over the
rest of the day (stimulation). ``dod = 0`` rows are calendar ageing at a constant SOC. Options:
``is_constant_input=True``, ``is_conserve_energy_throughput=True`` (docs/battery.md, "Ageing").
"""

from __future__ import annotations

import importlib.metadata
import warnings

import numpy as np
from blast import models

TEMPERATURE_C = 37.0
CHARGE_C_RATE = 0.25
TOPS_PCT = (30, 40, 50, 60, 70, 80, 90, 100)
DODS_PCT = (0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
YEARS = (1, 2, 5, 10, 15)


def day_profile(top: float, dod: float, samples: int = 289) -> dict:
    """One day of SOC: discharge by ``dod`` from ``top``, then recharge at CHARGE_C_RATE to ``top``."""
    t = np.linspace(0.0, 86_400.0, samples)
    t_charge = dod / CHARGE_C_RATE * 3600.0
    t_dis = 86_400.0 - t_charge
    soc = np.where(t <= t_dis, top - dod * t / t_dis, top - dod + CHARGE_C_RATE * (t - t_dis) / 3600.0)
    return {"Time_s": t, "SOC": soc, "Temperature_C": np.full(samples, TEMPERATURE_C)}


def main() -> None:
    warnings.filterwarnings("ignore")
    version = importlib.metadata.version("blast-lite")
    print(f"# source: blast-lite {version} (PyPI), model blast.models.Nmc111_Gr_Kokam75Ah_Battery")
    print("# produced by: scripts/blast_reference.py (daily cycle: charge to top_soc at C/4, discharge by dod over "
          "the rest of the day; dod 0 = constant SOC; 37 degC)")
    print("top_soc_pct,dod_pct,years,capacity_pct")
    for top in TOPS_PCT:
        for dod in DODS_PCT:
            if dod > top:
                continue
            cell = models.Nmc111_Gr_Kokam75Ah_Battery()
            # one day's stressors repeated (rates fixed from day one); energy throughput conserved is
            # BLAST-Lite's default and, with constant input, changes nothing (docs/battery.md)
            cell.simulate_battery_life(day_profile(top / 100, dod / 100), threshold_time=max(YEARS) + 0.01,
                                       is_constant_input=True, is_conserve_energy_throughput=True)
            days = np.asarray(cell.stressors["t_days"])
            q = np.asarray(cell.outputs["q"])
            for y in YEARS:
                print(f"{top},{dod},{y},{100 * float(np.interp(y * 365.0, days, q)):.2f}")


if __name__ == "__main__":
    main()
