"""The compiled kernel's inputs for a set of fixed areas, and one timeline chunk through it.

Areas whose merged nominal order repeats within `MAX_PATTERN` pulses (the hyperperiod: the least
common multiple of the areas' grid repeats, e.g. 0.1 s for 50, 130, 500 and 1200 Hz) are merged by
walking that order once computed; the others by comparing the areas' next pulses."""

from __future__ import annotations

import ctypes
import math
from bisect import bisect_left
from typing import TYPE_CHECKING

import numpy as np

from firmware_model.stimulation.params import PERIOD_NUMERATOR
from firmware_model.stimulation.timeline import KERNEL_OFFSETS, TIMELINE_DTYPE

if TYPE_CHECKING:
    from firmware_model.stimulation.area_plan import AreaPlan

#: columns of a grid row (merge.c: GRID_START .. GRID_COUNT)
GRID_FIELDS = 7
#: merge.c's error codes
KERNEL_ERRORS = {-1: "area count", -2: "record layout", -3: "area grid", -4: "pulse total"}
#: the longest merged hyperperiod walked as a pattern (pulses; 1.5 MiB of pattern)
MAX_PATTERN = 1 << 16


class NativeGrids:
    """Per area, in plan order: its constant record (template), occupancy and grid constants."""

    def __init__(self, plans: list[AreaPlan]):
        self.templates = np.zeros(len(plans), dtype=TIMELINE_DTYPE)
        self.occ = np.zeros(len(plans), dtype=np.int64)
        for i, p in enumerate(plans):
            _, occ, fields = p.pulses(0, 0)
            for name, value in fields.items():
                if not isinstance(value, np.ndarray):
                    self.templates[i][name] = value
            self.occ[i] = occ
        self.rates = [(GRID_FIELDS * i, p.rate, p.q, p.r) for i, p in enumerate(plans)]
        # a ctypes array: filled per chunk by slice assignment, ~10x faster than a numpy row
        self.grid = (ctypes.c_int64 * (GRID_FIELDS * len(plans)))()
        self.addresses = (ctypes.addressof(self.grid), len(plans), self.templates.ctypes.data, self.occ.ctypes.data,
                          TIMELINE_DTYPE.itemsize, KERNEL_OFFSETS.ctypes.data)
        self.pattern: np.ndarray | None = None
        if len(plans) > 1:
            self._hyperperiod(plans)

    def _hyperperiod(self, plans: list[AreaPlan]) -> None:
        hyper = math.lcm(*(p.repeat_ticks for p in plans))
        per_hyper = [hyper // p.repeat_ticks * p.repeat for p in plans]  # periods of each area in it
        if sum(per_hyper) > MAX_PATTERN:
            return
        offsets = np.concatenate([p.period_starts(0, n) for p, n in zip(plans, per_hyper)])
        areas = np.repeat(np.arange(len(plans), dtype=np.int64), per_hyper)
        periods = np.concatenate([np.arange(n, dtype=np.int64) for n in per_hyper])
        order = np.lexsort((areas, offsets))  # by nominal start, ties to the lower area
        self.pattern = np.ascontiguousarray(np.stack([offsets[order], periods[order], areas[order]], axis=1))
        self.hyper_ticks = hyper
        self.pattern_call = (self.pattern.ctypes.data, len(self.pattern))
        self._offsets = [int(x) for x in offsets[order]]
        for i, n in enumerate(per_hyper):
            self.grid[GRID_FIELDS * i + 2] = n  # GRID_Q: periods per hyperperiod

    def locate(self, t: int) -> tuple[int, int]:
        """(hyperperiod, entry) of the first pattern pulse with nominal start >= t."""
        m, rel = divmod(t, self.hyper_ticks)
        i = bisect_left(self._offsets, rel)
        return (m + 1, 0) if i == len(self._offsets) else (m, i)

    def set_window(self, t: int, t1: int) -> int:
        """Fill the grid rows for nominal starts in [t, t1); the number of pulses."""
        total = 0
        grid = self.grid
        for at, rate, q, r in self.rates:
            j0 = -(-t * rate // PERIOD_NUMERATOR)   # first_pulse_at_or_after, inlined: called per chunk
            count = -(-t1 * rate // PERIOD_NUMERATOR) - j0
            carry, rem = divmod(j0 * r, rate)
            grid[at:at + GRID_FIELDS] = [j0 * q + carry, rem, q, r, rate, j0, count]
            total += count
        return total


def native_chunk(kernel, grids: NativeGrids, t: int, t1: int, stage_free_at: int) -> tuple[np.ndarray, int]:
    """The records of pulses with nominal start in [t, t1) written by the compiled kernel."""
    pattern = grids.pattern
    if pattern is None:
        total = grids.set_window(t, t1)
        out = np.empty(total, dtype=TIMELINE_DTYPE)
        free = kernel.fcfs(*grids.addresses, stage_free_at, total, out.ctypes.data) if total else stage_free_at
    else:
        (m0, i0), (m1, i1) = grids.locate(t), grids.locate(t1)
        total = (m1 - m0) * len(pattern) + i1 - i0
        out = np.empty(total, dtype=TIMELINE_DTYPE)
        if not total:
            return out, stage_free_at
        free = kernel.pattern(*grids.addresses, *grids.pattern_call, i0, m0, grids.hyper_ticks, stage_free_at,
                              total, out.ctypes.data)
    if free < 0:
        raise RuntimeError(f"the merge kernel refused its input ({KERNEL_ERRORS.get(free, free)}): a scheduler bug")
    return out, int(free)
