"""Capacity fade of the rechargeable cell as a function of SOC, depth of discharge, C-rate and temperature.

Functional form (re-implemented from the structure of NREL BLAST-Lite's NMC111/graphite Kokam pouch-cell
model, Smith et al. 2017; parameters fitted here, see `scripts/fit_ageing.py`):

- calendar loss of lithium inventory ``k_cal * t_days ** p_cal`` with
  ``k_cal = a_cal * exp(-e_cal * (1/Tn - 1)) * <exp(-u_cal * Ua(SOC) / (0.123 V * Tn))>``, where ``Tn`` is
  the temperature over 308.15 K, ``Ua`` the graphite anode potential (Safari & Delacourt 2011) and
  ``<.>`` the time average over the period: a cell held full (low anode potential) ages fastest;
- cycle loss of lithium inventory ``k_cyc * EFC ** p_cyc`` with
  ``k_cyc = a_cyc * exp(-e_cyc * (1/Tn - 1)) * exp(d_cyc * (exp(DoD^2) - 1)) * g(C)``;
  ``g(C) = 1 + c_rate_coeff * max(0, C - c_rate_ref)``: BLAST-Lite's cell showed no C-rate effect up to
  1 C (its test rate), so ``g`` is 1 there; above it we assume a linear penalty (documented assumption,
  never reached by an implant charging at C/4);
- loss of active material, a sigmoid in EFC whose midpoint falls with DoD, mean SOC and temperature;
- capacity = min(1 - calendar - cycle loss, 1.01 - active-material loss).

With constant stressors the losses are closed forms (`capacity`); with stressors that change from day to
day the state is advanced by the equivalent-time method (`AgeingState.advance`), exact for each period.
Reference figures: `firmware_model/battery/data/ageing_reference.csv` (BLAST-Lite 1.1.1, see its header).
"""

from __future__ import annotations

import csv
import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

from firmware_model.stimulation.params import ParameterError

REFERENCE_CSV = Path(__file__).resolve().parent / "data" / "ageing_reference.csv"
_T_REF_K = 308.15
_KELVIN = 273.15


def anode_potential_v(soc: float) -> float:
    """Graphite potential against Li/Li+ at a cell SOC (Safari & Delacourt, JES 158(5) A562, 2011)."""
    x = 8.5e-3 + soc * (0.78 - 8.5e-3)
    return (0.6379 + 0.5416 * math.exp(-305.5309 * x) + 0.044 * math.tanh(-(x - 0.1958) / 0.1088)
            - 0.1978 * math.tanh((x - 1.0571) / 0.0854) - 0.6875 * math.tanh((x + 0.0117) / 0.0529)
            - 0.0175 * math.tanh((x - 0.5692) / 0.0875))


@dataclass(frozen=True)
class Stress:
    """Stressors of one repeating period: a day of the implant's life.

    ``calendar_factor``: time average of exp(-u_cal*Ua/(0.123*Tn)) over the period (see `AgeingModel`);
    ``efc``: equivalent full cycles in the period (charge throughput / 2 / nominal capacity);
    ``dod``: max - min SOC in the period; ``mean_soc``; ``c_rate``: mean |current| / nominal capacity
    while current flows; ``temperature_c``: mean cell temperature; ``days``: the period's length.
    """

    days: float
    calendar_factor: float
    efc: float
    dod: float
    mean_soc: float
    c_rate: float = 0.0
    temperature_c: float = 37.0


@dataclass(frozen=True)
class AgeingModel:
    """Parameters of the fade model (fitted to BLAST-Lite at 37 degC by `scripts/fit_ageing.py`)."""

    a_cal: float = 0.49155
    u_cal: float = 5.1985
    p_cal: float = 0.35689
    e_cal: float = 17.8          # Arrhenius-like temperature sensitivity (BLAST-Lite's Kokam value)
    a_cyc: float = 1.094e-4
    d_cyc: float = 1.0441
    p_cyc: float = 0.77706
    e_cyc: float = 18.4
    lam_midpoint_efc: float = 1e4       # active-material sigmoid: midpoint at 55 degC and zero DoD
    lam_temp_coeff: float = 153.0       # midpoint EFC per (degC - 55) per unit DoD per (mean SOC / 0.6)
    lam_steepness: float = 10.0
    c_rate_ref: float = 1.0
    c_rate_coeff: float = 0.5

    def calendar_factor(self, soc: float, temperature_c: float = 37.0) -> float:
        tn = (temperature_c + _KELVIN) / _T_REF_K
        return math.exp(-self.u_cal * anode_potential_v(soc) / 0.123 / tn)

    def k_cal(self, s: Stress) -> float:
        """Calendar coefficient per day**p_cal for the period's stressors (factor already time-averaged)."""
        tn = (s.temperature_c + _KELVIN) / _T_REF_K
        return self.a_cal * math.exp(-self.e_cal * (1 / tn - 1)) * s.calendar_factor

    def k_cyc(self, s: Stress) -> float:
        tn = (s.temperature_c + _KELVIN) / _T_REF_K
        g = 1 + self.c_rate_coeff * max(0.0, s.c_rate - self.c_rate_ref)
        return self.a_cyc * math.exp(-self.e_cyc * (1 / tn - 1)) * math.exp(self.d_cyc * (math.exp(s.dod ** 2) - 1)) * g

    def lam_midpoint(self, s: Stress) -> float:
        return max(1.0, self.lam_midpoint_efc + self.lam_temp_coeff * (s.temperature_c - 55) * s.dod * s.mean_soc / 0.6)

    def lam_loss(self, efc: float, s: Stress) -> float:
        z = (efc / self.lam_midpoint(s)) ** self.lam_steepness
        return 1.0 - 2.0 / (1.0 + math.exp(min(z, 700.0)))

    def capacity(self, s: Stress, days: float) -> float:
        """Remaining capacity / nominal after ``days`` of repeating ``s`` (closed form)."""
        periods = max(days, 0.0) / s.days
        lli = self.k_cal(s) * (periods * s.days) ** self.p_cal + self.k_cyc(s) * (periods * s.efc) ** self.p_cyc
        return max(0.0, min(1.0 - lli, 1.01 - self.lam_loss(periods * s.efc, s)))

    def days_to(self, s: Stress, fraction: float, horizon_days: float = 100 * 365.25) -> float:
        """Days until capacity falls to ``fraction`` under repeating ``s`` (inf beyond the horizon)."""
        if self.capacity(s, horizon_days) > fraction:
            return math.inf
        lo, hi = 0.0, horizon_days
        for _ in range(80):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if self.capacity(s, mid) > fraction else (lo, mid)
        return hi


@dataclass
class AgeingState:
    """Accumulated losses (fractions of nominal capacity) under stressors that vary period to period."""

    model: AgeingModel
    calendar_loss: float = 0.0
    cycle_loss: float = 0.0
    lam_loss: float = 0.0

    def advance(self, s: Stress) -> None:
        """One period of stressors ``s``: each power-law loss continues from its equivalent time."""
        m = self.model
        k = m.k_cal(s)
        if k > 0 and s.days > 0:
            t_eq = (self.calendar_loss / k) ** (1 / m.p_cal)
            self.calendar_loss = k * (t_eq + s.days) ** m.p_cal
        k = m.k_cyc(s)
        if k > 0 and s.efc > 0:
            n_eq = (self.cycle_loss / k) ** (1 / m.p_cyc)
            self.cycle_loss = k * (n_eq + s.efc) ** m.p_cyc
            mid = m.lam_midpoint(s)
            y = min(self.lam_loss, 1 - 1e-15)
            n_eq = mid * math.log(2 / (1 - y) - 1) ** (1 / m.lam_steepness) if y > 0 else 0.0
            self.lam_loss = m.lam_loss(n_eq + s.efc, s)

    @property
    def capacity_fraction(self) -> float:
        return max(0.0, min(1.0 - self.calendar_loss - self.cycle_loss, 1.01 - self.lam_loss))

    def after(self, s: Stress, periods: float) -> AgeingState:
        """A copy advanced by ``periods`` repetitions of ``s`` (exact: the stressors are constant)."""
        out = AgeingState(self.model, self.calendar_loss, self.cycle_loss, self.lam_loss)
        out.advance(dataclasses.replace(s, days=s.days * periods, efc=s.efc * periods))
        return out

    def days_to(self, s: Stress, fraction: float, horizon_days: float = 100 * 365.25) -> float:
        """Days of repeating ``s`` from this state until capacity falls to ``fraction`` (0 if already
        there, inf beyond the horizon)."""
        if self.capacity_fraction <= fraction:
            return 0.0
        if self.after(s, horizon_days / s.days).capacity_fraction > fraction:
            return math.inf
        lo, hi = 0.0, horizon_days
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if self.after(s, mid / s.days).capacity_fraction > fraction else (lo, mid)
        return hi


# --- the reference grid (a daily implant cycle) -------------------------------------------------

class DayStress:
    """Accumulates one day's ageing stressors (`Stress`) from the steps of a simulation: SOC, current and
    temperature of each span."""

    _GRID = 400  # the calendar factor is tabulated on this many SOC steps and interpolated

    def __init__(self, model: AgeingModel, nominal_mah: float, body_c: float):
        self.table = [model.calendar_factor(i / self._GRID, body_c) for i in range(self._GRID + 1)]
        self.nominal_mah = nominal_mah
        self.reset(None)

    def reset(self, soc: float | None) -> None:
        self.sec = self.cal = self.soc_int = self.amp_int = self.temp_int = self.throughput_mah = 0.0
        self.lo = self.hi = soc

    def _factor(self, soc: float) -> float:
        x = (0.0 if soc < 0.0 else 1.0 if soc > 1.0 else soc) * self._GRID
        i = int(x)
        if i >= self._GRID:
            i = self._GRID - 1
        lo = self.table[i]
        return lo + (self.table[i + 1] - lo) * (x - i)

    def add(self, s0: float, s1: float, sec: float, abs_current_a: float, temp_c: float) -> None:
        if sec <= 0:
            return
        f = self._factor
        if abs(s1 - s0) < 1e-3:   # the factor is smooth: one point is exact to ~1e-7 over a step this short
            self.cal += f((s0 + s1) / 2) * sec
        else:
            self.cal += (f(s0) + 4 * f((s0 + s1) / 2) + f(s1)) / 6 * sec
        self.soc_int += (s0 + s1) / 2 * sec
        self.amp_int += abs_current_a * sec
        self.throughput_mah += abs_current_a * sec / 3.6
        self.temp_int += temp_c * sec
        self.sec += sec
        lo, hi = (s0, s1) if s0 < s1 else (s1, s0)
        if self.lo is None or lo < self.lo:
            self.lo = lo
        if self.hi is None or hi > self.hi:
            self.hi = hi

    def stress(self) -> Stress | None:
        if self.sec <= 0 or self.lo is None or self.hi is None:
            return None
        return Stress(days=self.sec / 86_400, calendar_factor=self.cal / self.sec,
                      efc=self.throughput_mah / 2 / self.nominal_mah, dod=self.hi - self.lo,
                      mean_soc=self.soc_int / self.sec, c_rate=self.amp_int / self.sec / (self.nominal_mah / 1000),
                      temperature_c=self.temp_int / self.sec)


CHARGE_C_RATE = 0.25   # the implant charger: 50 mA into 200 mAh


def daily_cycle_stress(model: AgeingModel, top_soc: float, dod: float, temperature_c: float = 37.0,
                       charge_c_rate: float = CHARGE_C_RATE) -> Stress:
    """Stressors of the reference day: charged to ``top_soc`` at ``charge_c_rate``, discharged linearly by
    ``dod`` over the rest of the day (as `scripts/blast_reference.py`)."""
    if not (0 <= dod <= top_soc <= 1):
        raise ParameterError("ageing grid", (top_soc, dod), "0 <= dod <= top SOC <= 1")
    n = 400  # SOC is linear in time on each leg: average the factor over SOC (midpoint rule)
    def leg_avg(a: float, b: float) -> float:
        return sum(model.calendar_factor(a + (b - a) * (i + 0.5) / n, temperature_c) for i in range(n)) / n
    lo = top_soc - dod
    factor = leg_avg(top_soc, lo) if dod > 0 else model.calendar_factor(top_soc, temperature_c)
    c_rate = (dod * 2) / 24.0 if dod > 0 else 0.0
    return Stress(days=1.0, calendar_factor=factor, efc=dod, dod=dod, mean_soc=top_soc - dod / 2,
                  c_rate=c_rate, temperature_c=temperature_c)


@dataclass(frozen=True)
class ReferencePoint:
    top_soc_pct: int
    dod_pct: int
    years: int
    capacity_pct: float


def load_reference(path: Path = REFERENCE_CSV) -> tuple[list[str], list[ReferencePoint]]:
    """The stored BLAST-Lite table: its '#' header lines (source) and its rows."""
    header: list[str] = []
    lines: list[str] = []
    rows: list[ReferencePoint] = []
    for ln in path.read_text(encoding="utf-8").splitlines():
        (header.append(ln[1:].strip()) if ln.startswith("#") else lines.append(ln))
    for r in csv.DictReader(lines):
        rows.append(ReferencePoint(int(r["top_soc_pct"]), int(r["dod_pct"]), int(r["years"]), float(r["capacity_pct"])))
    return header, rows


def model_grid(model: AgeingModel, rows: list[ReferencePoint]) -> list[tuple[ReferencePoint, float]]:
    """Our capacity (percent) beside each reference row (BLAST-Lite years are 365 days)."""
    cache: dict[tuple[int, int], Stress] = {}
    out = []
    for r in rows:
        key = (r.top_soc_pct, r.dod_pct)
        if key not in cache:
            cache[key] = daily_cycle_stress(model, r.top_soc_pct / 100, r.dod_pct / 100)
        out.append((r, 100 * model.capacity(cache[key], r.years * 365.0)))
    return out
