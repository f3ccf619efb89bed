"""`PulseStream`: the running scheduler's pulses in absolute ticks, handed out in order as time passes."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from firmware_model.scheduler import TIMELINE_DTYPE, Scheduler


class PulseStream:
    """The running scheduler's pulses in absolute ticks, handed out in order as time passes.

    ``retarget`` swaps in a scheduler with other amplitudes or impedances at a tick, continuing the
    same grid (and its soft-start ramp) from the turn-on tick ``origin``.
    """

    def __init__(self, scheduler: Scheduler, origin: int):
        self.origin = origin
        self.sched = scheduler
        self._restart(0, None)

    def _restart(self, rel: int, stage_free_at: int | None) -> None:
        self._gen: Iterator[np.ndarray] | None = None
        self._gen_from, self._gen_free = rel, stage_free_at
        self._buf = np.zeros(0, dtype=TIMELINE_DTYPE)
        self.next_rel = rel  # pulses with nominal start before this were handed out
        self.stage_free_at = stage_free_at if stage_free_at is not None else rel

    def _fill(self, rel_until: int) -> None:
        """Buffer pulses until one with nominal start >= rel_until is held (or none can follow)."""
        if self._gen is None:
            self._gen = self.sched.chunks(self._gen_from, 1 << 60, stage_free_at=self._gen_free)
        while not len(self._buf) or int(self._buf["start_tick"][-1]) - int(self._buf["displacement_ticks"][-1]) < rel_until:
            nxt = next(self._gen, None)
            if nxt is None:
                return
            self._buf = np.concatenate([self._buf, nxt])

    def take_until(self, until_abs: int) -> np.ndarray:
        """Pulses with nominal start before ``until_abs`` not handed out yet, in absolute ticks."""
        rel = until_abs - self.origin
        if rel <= self.next_rel:
            return self._buf[:0]
        self._fill(rel)
        nominal = self._buf["start_tick"] - self._buf["displacement_ticks"]
        n = int(np.searchsorted(nominal, rel, side="left"))
        out, self._buf = self._buf[:n].copy(), self._buf[n:]
        if n:
            busy_end = out["start_tick"] + out["width_us"] + out["gap_us"] + out["recharge_width_us"]
            self.stage_free_at = max(self.stage_free_at, int(busy_end.max()))
            out["start_tick"] += self.origin
        self.next_rel = rel
        return out

    def skip_until(self, until_abs: int) -> None:
        """Move on without materialising pulses nobody looks at. One area has no collisions, so its
        grid restarts exactly anywhere; several areas need every pulse for the stage's state."""
        rel = until_abs - self.origin
        if rel <= self.next_rel:
            return
        if len(self.sched._plans) <= 1:
            self._restart(rel, None)
        else:
            self.take_until(until_abs)

    def retarget(self, scheduler: Scheduler, at_abs: int) -> None:
        rel = max(at_abs - self.origin, self.next_rel)
        self.sched = scheduler
        self._restart(rel, max(self.stage_free_at, rel))
