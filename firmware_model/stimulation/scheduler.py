"""The reference pulse scheduler: the exact timeline of pulses a program emits.

Time is integer ticks (1 tick = 1 us) from the program's start. Pulse k of an area starts nominally
at ``floor(k * 10^9 / rate_mhz)`` (bursts: burst k at that tick, its pulses at
``floor(i * 10^9 / intra_burst_rate_mhz)`` after it). Areas share one output stage under the
collision rule of `interleave` (first come, first served by nominal start, ties to the lower area
index); the timeline records each pulse's displacement from its nominal start.

The timeline is produced in chunks of bounded size for any duration; concatenated chunks are
identical to one call over the whole span, and a run resumes exactly from the `ScheduleState` the
scheduler hands back. Every tick is exact for any time an int64 holds (292,000 years): no product
``k * 10^9`` is ever formed in int64 (see `AreaPlan.period_starts`).

Each record says what an independent checker needs: the period index ``period`` and the index in
the burst ``index`` (nominal start = ``floor(period * 10^9 / rate_mhz) + burst offset[index]``), the
actual start and the end of the stage occupancy ``end_tick``. Pulses inside a burst are monophasic
and occupy only their width: their ``gap_us`` and ``recharge_width_us`` are 0; the last pulse of a
burst carries the interphase gap and the passive recharge window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation import interleave, safety
from firmware_model.stimulation.area_plan import AreaPlan, fill_records
from firmware_model.stimulation.collision import displace, merge_areas, serve_first_come_first_served
from firmware_model.stimulation.native.grids import NativeGrids, native_chunk
from firmware_model.stimulation.params import (
    PERIOD_NUMERATOR,
    Program,
)
from firmware_model.stimulation.safety import ContactImpedances
from firmware_model.stimulation.timeline import DEFAULT_CHUNK_PULSES, TIMELINE_DTYPE
from firmware_model.stimulation.totals import TotalsAccumulator, WindowTotals


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
        self._plans = [AreaPlan(i, a, self.profile, self.impedances)
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
        for chunk, _, _ in self._spans(state, end_tick, chunk_pulses, native):
            yield chunk

    def stream(self, state: ScheduleState, end_tick: int, chunk_pulses: int = DEFAULT_CHUNK_PULSES,
               native: bool = True) -> Iterator[tuple[np.ndarray, ScheduleState]]:
        """The timeline from ``state`` on, up to nominal start ``end_tick``, in chunks, each with the
        state after it: ``stream(state_after_any_chunk, ...)`` continues exactly where it stopped."""
        for out, t, stage_free_at in self._spans(state, end_tick, chunk_pulses, native):
            # canonical: a stage that freed before t is free "from t" (no later pulse is earlier)
            yield out, ScheduleState(t, max(t, stage_free_at))

    def _spans(self, state: ScheduleState, end_tick: int, chunk_pulses: int,
               native: bool) -> Iterator[tuple[np.ndarray, int, int]]:
        """`stream`'s chunks as (records, tick, stage_free_at): no state object per chunk, since
        `chunks` hands out only the records (105,000 chunks for 24 h of HF10)."""
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
                yield out, t, stage_free_at

    def _chunk_function(self, native: bool) -> Callable[[int, int, int], tuple[np.ndarray, int]]:
        """``(t, t1, stage_free_at) -> (pulses with nominal start in [t, t1), stage_free_at after them)``:
        the compiled kernel when every area is fixed (one pulse per period, fixed amplitude, no
        cycling) and it is asked for and available, else numpy."""
        kernel = None
        if native and all(p.is_fixed for p in self._plans):
            from firmware_model.stimulation.native import load

            kernel = load()
        if kernel is None:
            return partial(self._numpy_chunk, {})
        return partial(native_chunk, kernel, NativeGrids(self._plans))

    def _numpy_chunk(self, templates: dict, t: int, t1: int, stage_free_at: int) -> tuple[np.ndarray, int]:
        parts = [p.pulses(t, t1) for p in self._plans]
        if len(parts) == 1:
            out = fill_records(self._plans[0], *parts[0])
            if len(out) and int(out["start_tick"][0]) < stage_free_at:
                displace(out, stage_free_at)  # resumed while the stage was still busy
        else:
            out, area, nominal = merge_areas(parts, templates)
            if len(out):
                serve_first_come_first_served(out, area, nominal, parts, stage_free_at)
        if len(out):
            stage_free_at = max(stage_free_at, int(out["end_tick"][-1]))
        return out, stage_free_at

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


