"""`PulseStream`: the running scheduler's pulses in absolute ticks, handed out in order as time passes."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from firmware_model.stimulation.scheduler import Scheduler, ScheduleState
from firmware_model.stimulation.timeline import TIMELINE_DTYPE

#: the stream has no end of its own: pulses are generated lazily up to any nominal start below this
#: (relative to the turn-on; 2^60 us is 36,000 years)
HORIZON_TICKS = 1 << 60


class PulseStream:
    """The running scheduler's pulses in absolute ticks, handed out in order as time passes.

    Handed-out records have ``start_tick`` and ``end_tick`` in absolute device ticks; ``period`` and
    ``index`` stay those of the grid that starts at the turn-on tick ``origin``. ``retarget`` swaps in
    a scheduler with other amplitudes or impedances at a tick, continuing the same grid (and its
    soft-start ramp) from the scheduler's own `ScheduleState`: the stage is busy exactly until the
    last handed-out pulse's ``end_tick`` (a pulse inside a burst: its width only).
    """

    def __init__(self, scheduler: Scheduler, origin: int):
        self.origin = origin
        self.sched = scheduler
        self._restart(ScheduleState(0, 0))

    def _restart(self, state: ScheduleState) -> None:
        self._gen: Iterator[tuple[np.ndarray, ScheduleState]] | None = None
        self._from = state
        self._buf = np.zeros(0, dtype=TIMELINE_DTYPE)
        self.state = state  # relative to origin: what has been handed out

    @property
    def next_rel(self) -> int:
        """Pulses with nominal start before this (relative to origin) were handed out."""
        return self.state.tick

    @property
    def stage_free_at(self) -> int:
        """The stage is free from this tick on (relative to origin), after the handed-out pulses."""
        return self.state.stage_free_at

    def fill_records(self, rel_until: int) -> None:
        """Buffer pulses until one with nominal start >= rel_until is held (or none can follow)."""
        if self._gen is None:
            self._gen = self.sched.stream(self._from, HORIZON_TICKS)
        while not len(self._buf) or int(self._buf["start_tick"][-1]) - int(self._buf["displacement_ticks"][-1]) < rel_until:
            nxt = next(self._gen, None)
            if nxt is None:
                return
            self._buf = np.concatenate([self._buf, nxt[0]])

    def take_until(self, until_abs: int) -> np.ndarray:
        """Pulses with nominal start before ``until_abs`` not handed out yet, in absolute ticks."""
        rel = until_abs - self.origin
        if rel <= self.next_rel:
            return self._buf[:0]
        self.fill_records(rel)
        nominal = self._buf["start_tick"] - self._buf["displacement_ticks"]
        n = int(np.searchsorted(nominal, rel, side="left"))
        out, self._buf = self._buf[:n].copy(), self._buf[n:]
        free = self.stage_free_at
        if n:
            free = max(free, int(out["end_tick"][-1]))  # occupancies never overlap: the last ends last
            out["start_tick"] += self.origin
            out["end_tick"] += self.origin
        self.state = ScheduleState(rel, max(rel, free))
        return out

    def skip_until(self, until_abs: int) -> None:
        """Move on without materialising pulses nobody looks at. One area has no collisions, so its
        grid restarts exactly anywhere; several areas need the stage's state, which the scheduler
        rebuilds exactly from the last busy period (`Scheduler.state_at`), even years ahead."""
        rel = until_abs - self.origin
        if rel <= self.next_rel:
            return
        if len(self.sched._plans) <= 1:
            self._restart(ScheduleState(rel, max(rel, self.stage_free_at)))
        elif rel - self.next_rel > 4 * self.sched.busy_period_bound_ticks() + 1_000_000:
            state = self.sched.state_at(rel)
            self._restart(ScheduleState(rel, max(state.stage_free_at, self.stage_free_at)))
        else:
            self.take_until(until_abs)

    def retarget(self, scheduler: Scheduler, at_abs: int) -> None:
        rel = max(at_abs - self.origin, self.next_rel)
        self.sched = scheduler
        self._restart(ScheduleState(rel, self.stage_free_at))
