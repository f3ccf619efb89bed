"""The reference pulse scheduler: the exact timeline of pulses a program emits.

Time is integer ticks (1 tick = 1 us) from the program's start. Pulse k of an area starts nominally
at ``floor(k * 10^9 / rate_mhz)`` (bursts: burst k at that tick, its pulses at
``floor(i * 10^9 / intra_burst_rate_mhz)`` after it). Areas share one output stage under the
collision rule of `interleave` (first come, first served by nominal start, ties to the lower area
index); the timeline records each pulse's displacement from its nominal start.

The timeline is produced in chunks of bounded size for any duration; concatenated chunks are
identical to one call over the whole span, and a run resumes exactly from the `ScheduleState` the
scheduler hands back. Every tick is exact for any time an int64 holds (292,000 years): no product
``k * 10^9`` is ever formed in int64 (see `_AreaPlan.period_starts`).

Each record says what an independent checker needs: the period index ``period`` and the index in
the burst ``index`` (nominal start = ``floor(period * 10^9 / rate_mhz) + burst offset[index]``), the
actual start and the end of the stage occupancy ``end_tick``. Pulses inside a burst are monophasic
and occupy only their width: their ``gap_us`` and ``recharge_width_us`` are 0; the last pulse of a
burst carries the interphase gap and the passive recharge window.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation import interleave, safety
from firmware_model.stimulation.params import (
    PERIOD_NUMERATOR,
    Area,
    Program,
    RechargeMode,
    first_pulse_at_or_after,
)
from firmware_model.stimulation.safety import ContactImpedances

TIMELINE_DTYPE = np.dtype([
    ("start_tick", "<i8"),             # actual start of the cathodic phase
    ("end_tick", "<i8"),               # the output stage is free again (end of gap and recharge)
    ("period", "<i8"),                 # period index k of the area (burst: the burst's index)
    ("index", "u1"),                   # pulse index in the burst (0 for tonic/HF)
    ("area", "u1"),
    ("amplitude_ua", "<u2"),           # delivered cathodic amplitude
    ("width_us", "<u2"),               # cathodic phase
    ("gap_us", "u1"),                  # interphase gap (0 inside a burst)
    ("recharge_width_us", "<u2"),      # anodic phase, or passive window (0 inside a burst)
    ("recharge_amplitude_ua", "<u2"),  # anodic amplitude (0 for passive recharge)
    ("charge_pc", "<i4"),              # cathodic charge, pC = uA*us
    ("recharge_charge_pc", "<i4"),     # charge returned by the recharge phase (negative)
    ("displacement_ticks", "<u4"),     # start_tick - nominal start
    ("flags", "u1"),
])

#: byte offsets of the per-pulse fields the merge kernel writes: start, displacement, end, period
_KERNEL_OFFSETS = np.array([TIMELINE_DTYPE.fields[f][1] for f in  # type: ignore[index]
                            ("start_tick", "displacement_ticks", "end_tick", "period")], dtype=np.int32)

#: this pulse's programmed (or ramped) amplitude needed more than the compliance voltage: it was
#: delivered at the largest amplitude step at or below exactly V / Z
FLAG_OUT_OF_COMPLIANCE = 1
FLAG_PASSIVE = 2
FLAG_BURST_LAST = 4
FLAG_RAMPING = 8

#: 16 Ki records (768 KiB) per chunk: stays in cache; larger chunks measured up to 2x slower
DEFAULT_CHUNK_PULSES = 1 << 14
#: areas whose grid repeats only after more periods than this compute starts by division
MAX_REPEAT = 1 << 16
ZERO_INDEX = np.zeros(1, dtype=np.int64)  # index in period of single-pulse periods (read-only use)


@dataclass(frozen=True)
class ScheduleState:
    """Where a timeline stopped, to resume it exactly (ticks from the program start).

    Every pulse with nominal start before ``tick`` has been emitted, and the output stage is free
    from ``stage_free_at`` on (it may still be busy with the last of those pulses). The scheduler
    hands out states with ``stage_free_at >= tick``, so equal states mean equal futures.
    """

    tick: int = 0
    stage_free_at: int = 0

    def __post_init__(self) -> None:
        for name in ("tick", "stage_free_at"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} = {value!r} is not allowed: a non-negative integer tick")


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


class _AreaPlan:
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


class Scheduler:
    """Validated program + contact impedances -> pulse timeline.

    Construction refuses (``ParameterError`` subclasses) a program that breaks a charge limit or
    cannot be interleaved within ``profile.max_displacement_ticks``. Areas that use a faulted contact
    (impedance outside the profile window) emit nothing and are listed in ``stopped_areas``.
    """

    def __init__(self, program: Program, profile: DeviceProfile | None = None,
                 impedances: ContactImpedances | None = None):
        self.profile = profile or program.areas[0].profile
        safety.check_program(program, self.profile)
        self.bound = interleave.analyse(program.areas, self.profile.max_displacement_ticks)
        self._setup(program, impedances or ContactImpedances.uniform(1000, self.profile))

    def _setup(self, program: Program, impedances: ContactImpedances) -> None:
        self.program = program
        self.impedances = impedances
        faulted = self.impedances.faulted(self.profile)
        self.stopped_areas = tuple(i for i, a in enumerate(program.areas) if faulted & set(a.contacts.used))
        self._plans = [_AreaPlan(i, a, self.profile, self.impedances)
                       for i, a in enumerate(program.areas) if i not in self.stopped_areas]
        # mean pulses per tick, to size time windows so a chunk holds about the requested pulse count
        self._pulses_per_tick = sum(p.per_period * p.rate / PERIOD_NUMERATOR for p in self._plans)

    def derive(self, amplitudes_ua: tuple[int, ...] | None = None,
               impedances: ContactImpedances | None = None) -> Scheduler:
        """The same program with other amplitudes and/or impedances. The pulse grid and occupancies
        don't change, so the interleaving analysis is reused; amplitudes are checked against the
        charge limits (`SafetyLimitError`)."""
        program = self.program
        if amplitudes_ua is not None:
            program = Program(tuple(a.with_amplitude(x) for a, x in zip(program.areas, amplitudes_ua)), program.name)
            safety.check_program(program, self.profile)
        new = object.__new__(Scheduler)
        new.profile, new.bound = self.profile, self.bound
        new._setup(program, impedances or self.impedances)
        return new

    @property
    def max_displacement_ticks(self) -> tuple[int, ...]:
        return self.bound.max_displacement_ticks

    def chunks(self, start_tick: int = 0, end_tick: int = PERIOD_NUMERATOR,
               chunk_pulses: int = DEFAULT_CHUNK_PULSES, stage_free_at: int | None = None,
               native: bool = True) -> Iterator[np.ndarray]:
        """Timeline of pulses whose nominal start lies in [start_tick, end_tick), in chunks.

        Generation may start mid-stream: ``stage_free_at`` is the tick the output stage frees after
        the pulses before ``start_tick`` (default: free at ``start_tick``), so continuing a timeline
        from where another call stopped gives exactly the pulses of one call (`stream` hands that
        state back). Several areas whose pulses differ only in their start use the compiled merge
        kernel when it is available (``native=False``: always the numpy path; both give the same bytes).
        """
        if start_tick < 0 or end_tick < start_tick:
            raise ValueError(f"span [{start_tick}, {end_tick}) is not allowed: 0 <= start <= end ticks")
        state = ScheduleState(int(start_tick), int(start_tick if stage_free_at is None else stage_free_at))
        for chunk, _ in self.stream(state, end_tick, chunk_pulses, native):
            yield chunk

    def stream(self, state: ScheduleState, end_tick: int, chunk_pulses: int = DEFAULT_CHUNK_PULSES,
               native: bool = True) -> Iterator[tuple[np.ndarray, ScheduleState]]:
        """The timeline from ``state`` on, up to nominal start ``end_tick``, in chunks, each with the
        state after it: ``stream(state_after_any_chunk, ...)`` continues exactly where it stopped."""
        if end_tick < state.tick:
            raise ValueError(f"end_tick = {end_tick} is not allowed: at least the state's tick {state.tick}")
        if not self._plans:
            return
        window = max(1, int(chunk_pulses / max(self._pulses_per_tick, 1e-12)))
        next_chunk = self._chunk_function(native)
        stage_free_at = state.stage_free_at
        t = state.tick
        while t < end_tick:
            t1 = min(end_tick, t + window)
            out, stage_free_at = next_chunk(t, t1, stage_free_at)
            t = t1
            if len(out):
                # canonical: a stage that freed before t is free "from t" (no later pulse is earlier)
                yield out, ScheduleState(t, max(t, stage_free_at))

    def _chunk_function(self, native: bool) -> Callable[[int, int, int], tuple[np.ndarray, int]]:
        """``(t, t1, stage_free_at) -> (pulses with nominal start in [t, t1), stage_free_at after them)``:
        the compiled merge kernel for several fixed areas when asked for and available, else numpy."""
        kernel = None
        if native and len(self._plans) > 1 and all(p.is_fixed for p in self._plans):
            from firmware_model.stimulation.native import load

            kernel = load()
        if kernel is None:
            return partial(self._numpy_chunk, {})
        records, occ_table = self._fixed_tables()
        return partial(self._native_chunk, kernel, records, occ_table)

    def _numpy_chunk(self, templates: dict, t: int, t1: int, stage_free_at: int) -> tuple[np.ndarray, int]:
        parts = [p.pulses(t, t1) for p in self._plans]
        if len(parts) == 1:
            out = _fill(self._plans[0], *parts[0])
            if len(out) and int(out["start_tick"][0]) < stage_free_at:
                _displace(out, stage_free_at)  # resumed while the stage was still busy
        else:
            out, area, nominal = _merge(parts, templates)
            if len(out):
                _serve_first_come_first_served(out, area, nominal, parts, stage_free_at)
        if len(out):
            stage_free_at = max(stage_free_at, int(out["end_tick"][-1]))
        return out, stage_free_at

    def _native_chunk(self, kernel, records: np.ndarray, occ_table: np.ndarray, t: int, t1: int,
                      stage_free_at: int) -> tuple[np.ndarray, int]:
        js = [(first_pulse_at_or_after(t, p.rate), first_pulse_at_or_after(t1, p.rate)) for p in self._plans]
        starts = [p.period_starts(j0, j1) for p, (j0, j1) in zip(self._plans, js)]
        counts = np.array([len(s) for s in starts], dtype=np.int64)
        total = int(counts.sum())
        out = np.empty(total, dtype=TIMELINE_DTYPE)
        if not total:
            return out, stage_free_at
        nominal = np.ascontiguousarray(np.concatenate(starts))
        first_period = np.array([j0 for j0, _ in js], dtype=np.int64)
        free = kernel(nominal.ctypes.data, counts.ctypes.data, len(starts), first_period.ctypes.data,
                      records.ctypes.data, occ_table.ctypes.data, TIMELINE_DTYPE.itemsize,
                      _KERNEL_OFFSETS.ctypes.data, stage_free_at, out.ctypes.data)
        return out, int(free)

    def _fixed_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """The record and occupancy of each running area, in plan order (for the merge kernel)."""
        records = np.zeros(len(self._plans), dtype=TIMELINE_DTYPE)
        occ = np.zeros(len(self._plans), dtype=np.int64)
        for i, p in enumerate(self._plans):
            _, o, fields = p.pulses(0, 0)
            for name, value in fields.items():
                if not isinstance(value, np.ndarray):
                    records[i][name] = value
            occ[i] = o
        return records, occ

    def generate(self, start_tick: int = 0, end_tick: int = PERIOD_NUMERATOR) -> np.ndarray:
        """The whole timeline of [start_tick, end_tick) as one array."""
        parts = list(self.chunks(start_tick, end_tick))
        return np.concatenate(parts) if parts else np.empty(0, dtype=TIMELINE_DTYPE)

    def run(self, state: ScheduleState, end_tick: int) -> tuple[np.ndarray, ScheduleState]:
        """The timeline from ``state`` to nominal start ``end_tick`` as one array, and the state at
        ``end_tick`` to resume from."""
        parts, free = [], state.stage_free_at
        for chunk, after in self.stream(state, end_tick):
            parts.append(chunk)
            free = after.stage_free_at
        timeline = np.concatenate(parts) if parts else np.empty(0, dtype=TIMELINE_DTYPE)
        return timeline, ScheduleState(int(end_tick), max(int(end_tick), free))

    def busy_period_bound_ticks(self) -> int:
        """No busy period of the output stage lasts longer than this (ticks).

        A busy period of length B serves the work arriving in a window of B ticks, at most
        sum_b (B / period_b + 1) * work_b = util * B + total_work, so B <= total_work / (1 - util).
        """
        util = self.bound.utilisation
        if util >= 1:  # one area alone: its own pulses never queue
            return max(a.burst_span_ticks for a in self.program.areas)
        total_work = sum(a.work_per_period_ticks for a in self.program.areas)
        return int(total_work / (1 - util)) + 1

    def state_at(self, tick: int) -> ScheduleState:
        """The exact state at ``tick`` (every pulse with nominal start before it emitted), without
        generating the run from 0: the stage's state depends only on the current busy period, which
        started less than `busy_period_bound_ticks` before, so a run from twice that far back with
        an idle stage has caught up with the true one by ``tick``."""
        if tick < 0:
            raise ValueError(f"tick = {tick} is not allowed: a non-negative tick")
        back = 2 * self.busy_period_bound_ticks() + max(a.burst_span_ticks for a in self.program.areas)
        t0 = max(0, tick - back)
        return self.run(ScheduleState(t0, t0), tick)[1]

    def totals(self, start_tick: int, end_tick: int) -> WindowTotals:
        """Pulses, delivered charge and output-stage energy per area over [start_tick, end_tick)."""
        acc = TotalsAccumulator(self)
        for chunk in self.chunks(start_tick, end_tick):
            acc.add(chunk)
        return acc.result(start_tick, end_tick)


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


def _fill(plan: _AreaPlan, start: np.ndarray, occ, fields: dict) -> np.ndarray:
    out = plan.records(len(start), {k: v for k, v in fields.items() if not isinstance(v, np.ndarray)})
    out["start_tick"] = start
    out["end_tick"] = start + occ
    for name, value in fields.items():
        if isinstance(value, np.ndarray):
            out[name] = value
    return out


def _lindley(nominal: np.ndarray, occ: np.ndarray, stage_free_at: int) -> np.ndarray:
    """First come, first served, vectorised: start_i = max(nominal_i, start_(i-1) + occ_(i-1))."""
    before = np.cumsum(occ)
    before -= occ
    start = np.subtract(nominal, before)
    start[0] = max(start[0], stage_free_at)
    np.maximum.accumulate(start, out=start)
    start += before
    return start


def _displace(out: np.ndarray, stage_free_at: int) -> None:
    """Apply the collision rule to one area's records resumed while the stage was still busy."""
    occ = out["end_tick"] - out["start_tick"]
    nominal = out["start_tick"] - out["displacement_ticks"]
    start = _lindley(nominal, occ, stage_free_at)
    out["start_tick"] = start
    out["end_tick"] = start + occ
    out["displacement_ticks"] = start - nominal


def _sort_keys(parts: list) -> np.ndarray:
    """nominal * 8 + area: sorting these orders pulses by nominal start, ties to the lower area."""
    keys = np.empty(sum(len(s) for s, _, _ in parts), dtype=np.int64)
    i = 0
    for start, _, fields in parts:
        view = keys[i:i + len(start)]
        np.left_shift(start, 3, out=view)
        view |= fields["area"]
        i += len(start)
    return keys


def _merge(parts: list, templates: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge areas' pulses in nominal-start order (ties: lower area first).

    Returns the records (start_tick and end_tick not yet set), their areas and their nominal starts.
    Fields that are constant within an area are gathered as whole records from a per-area template
    (cached in ``templates``), so the cost per pulse is one sort key and one record copy.
    """
    keys = _sort_keys(parts)
    scalars = tuple(tuple((k, v) for k, v in f.items() if not isinstance(v, np.ndarray)) for _, _, f in parts)
    template = templates.get(scalars)
    if template is None:
        template = templates[scalars] = np.zeros(8, dtype=TIMELINE_DTYPE)
        for row in scalars:
            for name, value in row:
                template[dict(row)["area"]][name] = value
    varying = [name for name in TIMELINE_DTYPE.names or ()
               if any(isinstance(f.get(name), np.ndarray) for _, _, f in parts)]
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    area = keys & 7
    out = template.take(area)  # take: fancy indexing of structured arrays is ~30x slower
    for name in varying:
        column = np.concatenate([np.broadcast_to(f[name], (len(s),)) for s, _, f in parts])
        out[name] = column[order]
    return out, area, keys >> 3


def _serve_first_come_first_served(out: np.ndarray, area: np.ndarray, nominal: np.ndarray, parts: list,
                                   stage_free_at: int) -> None:
    """Apply the collision rule in place: start, end and displacement of every merged record."""
    if not any(isinstance(occ, np.ndarray) for _, occ, _ in parts):
        table = np.zeros(8, dtype=np.int64)
        for _, occ, f in parts:
            table[f["area"]] = occ
        occ = table.take(area)
    else:
        # burst areas: occupancy depends on the pulse's place in its burst
        keys = _sort_keys(parts)
        occ_all = np.concatenate([np.broadcast_to(o, (len(s),)) for s, o, _ in parts])
        occ = occ_all[np.argsort(keys, kind="stable")]
    start = _lindley(nominal, occ, stage_free_at)
    out["start_tick"] = start
    out["end_tick"] = start + occ
    out["displacement_ticks"] = start - nominal
