"""One area's plan: its nominal grid, amplitudes under soft start and compliance, and its pulse records."""

from __future__ import annotations

import math

import numpy as np

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation import safety
from firmware_model.stimulation.params import (
    PERIOD_NUMERATOR,
    Area,
    RechargeMode,
    first_pulse_at_or_after,
)
from firmware_model.stimulation.safety import ContactImpedances
from firmware_model.stimulation.timeline import (
    DEFAULT_CHUNK_PULSES,
    FLAG_BURST_LAST,
    FLAG_OUT_OF_COMPLIANCE,
    FLAG_PASSIVE,
    FLAG_RAMPING,
    MAX_REPEAT,
    TIMELINE_DTYPE,
    ZERO_INDEX,
)


class AreaPlan:
    """Everything constant about one area's pulses, precomputed once."""

    def __init__(self, index: int, area: Area, profile: DeviceProfile, impedances: ContactImpedances):
        self.index = index
        self.area = area
        self.rate = area.rate_mhz
        self.q, self.r = divmod(PERIOD_NUMERATOR, area.rate_mhz)
        self.offsets = np.asarray(area.burst_offsets_ticks, dtype=np.int64)
        self.occ = np.asarray(area.pulse_occupancies_ticks(), dtype=np.int64)
        self.per_period = len(self.offsets)
        self.span = area.burst_span_ticks
        self.load_ohm = safety.load_ohm(area, impedances, profile)  # exact (a Fraction)
        self.cap_ua = safety.compliance_limit_ua(self.load_ohm, profile)
        step = profile.amplitude_step_ua
        self.steps = area.amplitude_ua // step
        self.step = step
        self.ramp_ticks = area.soft_start_ms * 1000
        cyc = area.cycling
        self.cycle_on = cyc.on_ticks if cyc else 0
        self.cycle_period = cyc.period_ticks if cyc else 0
        self.passive = area.recharge is RechargeMode.PASSIVE
        self.ratio = area.recharge_ratio
        self.recovered = (1.0 - math.exp(-area.passive_window_us / profile.passive_recharge_tau_us)) if self.passive else 1.0
        # supply rail: I*Z + headroom, bounded by compliance (mV); energy = V * charge / efficiency
        self.eff = profile.converter_efficiency
        self.headroom_mv = profile.supply_headroom_mv
        self.compliance_mv = profile.compliance_mv
        self.fixed_amplitude = self.ramp_ticks == 0
        #: every field but the start, end and period index is the same for all pulses of this area
        self.is_fixed = self.fixed_amplitude and not cyc and len(self.offsets) == 1
        # amplitudes are multiples of the step and the cap is the largest step at or below V / Z,
        # so `amplitude > cap` is exactly `amplitude * Z > V`
        self.amplitude = min(area.amplitude_ua, self.cap_ua)
        self.out_of_compliance = area.amplitude_ua > self.cap_ua
        # floor(j*10^9/rate) repeats exactly every `repeat` periods, shifted by `repeat_ticks`
        self.repeat = area.rate_mhz // math.gcd(PERIOD_NUMERATOR, area.rate_mhz)
        self.repeat_ticks = self.repeat * PERIOD_NUMERATOR // area.rate_mhz
        self._block = np.zeros(0, dtype=np.int64)
        self._template: tuple[tuple, np.ndarray] | None = None

    def period_starts(self, j0: int, j1: int) -> np.ndarray:
        """Nominal starts of periods j0..j1-1: floor(j * 10^9 / rate), exact for any j.

        j = base * repeat + s gives floor(j * 10^9 / rate) = base * repeat_ticks + floor(s * 10^9 / rate)
        exactly (repeat * 10^9 / rate is an integer). Only s < repeat <= rate <= 10^7 meets the
        remainder, so s * r < 10^14, and base * repeat_ticks is the period start itself: nothing
        overflows while the ticks fit an int64.
        """
        n = j1 - j0
        if self.repeat > MAX_REPEAT:
            bases, rest = np.divmod(np.arange(j0, j1, dtype=np.int64), self.repeat)
            return bases * self.repeat_ticks + rest * self.q + (rest * self.r) // self.rate
        base, s = divmod(j0, self.repeat)
        if len(self._block) < s + n:
            # s + n < MAX_REPEAT + a chunk: these products stay far below 2^63
            j = np.arange(int(max(2 * len(self._block), s + n)), dtype=np.int64)
            self._block = j * self.q + (j * self.r) // self.rate
        return self._block[s:s + n] + base * self.repeat_ticks

    def records(self, n: int, scalars: dict) -> np.ndarray:
        """n timeline records with the given constant fields set (others uninitialised)."""
        key = tuple(sorted(scalars.items()))
        if self._template is None or self._template[0] != key or len(self._template[1]) < n * TIMELINE_DTYPE.itemsize:
            row = np.zeros(1, dtype=TIMELINE_DTYPE)
            for name, value in scalars.items():
                row[name] = value
            size = max(n, DEFAULT_CHUNK_PULSES)
            self._template = (key, np.repeat(row, size).view(np.uint8))
        # a byte copy: assigning fields of a packed structured array one by one is ~10x slower
        return self._template[1][:n * TIMELINE_DTYPE.itemsize].copy().view(TIMELINE_DTYPE)

    def nominal(self, t0: int, t1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Nominal starts in [t0, t1), with the period start and index each belongs to and the index in period."""
        if self.per_period == 1:
            j0, j1 = first_pulse_at_or_after(t0, self.rate), first_pulse_at_or_after(t1, self.rate)
            start = self.period_starts(j0, j1)
            return start, start, np.arange(j0, j1, dtype=np.int64), ZERO_INDEX
        j0 = first_pulse_at_or_after(max(0, t0 - self.span + 1), self.rate)
        j1 = first_pulse_at_or_after(t1, self.rate)
        period_start = self.period_starts(j0, j1)
        start = (period_start[:, None] + self.offsets[None, :]).ravel()
        period_start = np.repeat(period_start, self.per_period)
        period = np.repeat(np.arange(j0, j1, dtype=np.int64), self.per_period)
        index = np.tile(np.arange(self.per_period, dtype=np.int64), j1 - j0)
        keep = (start >= t0) & (start < t1)
        return start[keep], period_start[keep], period[keep], index[keep]

    def pulses(self, t0: int, t1: int) -> tuple[np.ndarray, np.ndarray | int, dict]:
        """This area's pulses with nominal start in [t0, t1): nominal starts, occupancies and the
        timeline fields (a scalar where the field is the same for every pulse)."""
        start, period_start, period, index = self.nominal(t0, t1)
        phase = period_start
        if self.cycle_period:
            phase = period_start % self.cycle_period
            on = phase < self.cycle_on
            start, phase, period = start[on], phase[on], period[on]
            if self.per_period > 1:
                index = index[on]
        a = self.area
        flags: int | np.ndarray = FLAG_PASSIVE if self.passive else 0
        if self.fixed_amplitude:
            amp = self.amplitude
            flags |= FLAG_OUT_OF_COMPLIANCE if self.out_of_compliance else 0
        else:
            # soft start: one step at turn-on, linear in steps, exactly the target from the ramp's end;
            # compliance is judged per pulse on the ramped amplitude
            requested = self.step * np.minimum(self.steps, 1 + (self.steps * phase) // self.ramp_ticks)
            amp = np.minimum(requested, self.cap_ua)
            flags = (flags | np.where(requested > self.cap_ua, FLAG_OUT_OF_COMPLIANCE, 0)
                     | np.where(phase < self.ramp_ticks, FLAG_RAMPING, 0)).astype(np.uint8)
        charge = amp * a.pulse_width_us
        fields = {
            "area": self.index, "amplitude_ua": amp, "width_us": a.pulse_width_us, "period": period,
            "charge_pc": charge, "flags": flags, "displacement_ticks": 0,
        }
        if self.per_period == 1:
            occ = int(self.occ[0])
            fields["index"] = 0
            fields["gap_us"] = a.interphase_gap_us
            fields["recharge_width_us"] = a.recharge_width_us
            if self.passive:
                fields["recharge_amplitude_ua"] = 0
                fields["recharge_charge_pc"] = -np.rint(charge * self.recovered).astype(np.int64)
            else:
                # (amp/ratio) * (width*ratio) == amp*width exactly: the ratio divides the amplitude step
                fields["recharge_amplitude_ua"] = amp // self.ratio
                fields["recharge_charge_pc"] = -(amp // self.ratio) * (a.pulse_width_us * self.ratio)
        else:
            # monophasic pulses inside a burst occupy only their width: no gap, no recharge; the last
            # carries the interphase gap and the passive window
            occ = self.occ[index]
            last = index == self.per_period - 1
            fields["index"] = index
            fields["gap_us"] = np.where(last, a.interphase_gap_us, 0)
            fields["recharge_width_us"] = np.where(last, a.passive_window_us, 0)
            fields["recharge_amplitude_ua"] = 0
            fields["recharge_charge_pc"] = np.where(
                last, -np.rint(charge * self.per_period * self.recovered).astype(np.int64), 0)
            fields["flags"] = np.where(last, flags | FLAG_BURST_LAST, flags)
        return start, occ, fields


def fill_records(plan: AreaPlan, start: np.ndarray, occ, fields: dict) -> np.ndarray:
    out = plan.records(len(start), {k: v for k, v in fields.items() if not isinstance(v, np.ndarray)})
    out["start_tick"] = start
    out["end_tick"] = start + occ
    for name, value in fields.items():
        if isinstance(value, np.ndarray):
            out[name] = value
    return out


