"""Interleaving analysis: the worst-case displacement of every area under the collision rule.

Collision rule (the only one): the output stage serves pulses first come, first served in order of
nominal start, ties broken by lower area index; a pulse whose nominal start finds the stage busy
starts the tick the stage frees. Each pulse keeps its own nominal grid, so a displaced area returns
to it and never drifts.

Bound: with ``W_b(L)`` the most output-stage work area b can ask for in any closed window of L
ticks, a pulse of area a waits at most ``max_L(sum_b W_b(L) - L) - occ_a``. ``W_b`` is evaluated on
the area's pattern with every period shortened to its floor (``floor(k*P)`` grids are never denser),
so the bound holds for every pulse of the real timeline. It is finite only when the utilisation
``sum_b work_b / min_period_b`` is below 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from firmware_model.params import Area, ParameterError

#: scanning the window length further than this means utilisation is too close to 100 %
MAX_SCAN_TICKS = 2_000_000


class InterleaveError(ParameterError):
    """The areas of a program cannot share the output stage within the displacement bound."""


@dataclass(frozen=True)
class InterleaveBound:
    utilisation: Fraction
    max_displacement_ticks: tuple[int, ...]  # per area


def _pattern(area: Area) -> tuple[np.ndarray, np.ndarray, int]:
    offsets = np.asarray(area.burst_offsets_ticks, dtype=np.int64)
    occ = np.asarray(area.pulse_occupancies_ticks(), dtype=np.int64)
    return offsets, occ, area.min_period_ticks


def _work_in_windows(area: Area, lengths: np.ndarray, periods: int) -> np.ndarray:
    """W(L) for each L in ``lengths``: max work of the (compressed) pattern in a closed window."""
    offsets, occ, period = _pattern(area)
    reps = np.arange(periods + 2, dtype=np.int64)[:, None] * period
    arrivals = (reps + offsets[None, :]).ravel()
    prefix = np.concatenate(([0], np.cumsum(np.tile(occ, periods + 2))))
    best = np.zeros(lengths.shape, dtype=np.int64)
    for i0 in range(len(offsets)):  # by periodicity, windows starting in the first period suffice
        end = np.searchsorted(arrivals, arrivals[i0] + lengths, side="right")
        best = np.maximum(best, prefix[end] - prefix[i0])
    return best


def analyse(areas: tuple[Area, ...], max_displacement_ticks: int) -> InterleaveBound:
    """Worst-case displacement per area; raises `InterleaveError` when it exceeds the limit."""
    util = sum((Fraction(a.work_per_period_ticks, a.min_period_ticks) for a in areas), Fraction(0))
    if len(areas) == 1:
        return InterleaveBound(util, (0,))
    if util >= 1:
        raise InterleaveError(
            "areas", len(areas),
            f"areas whose combined output-stage utilisation is below 100 % (this program needs {float(util):.1%})")
    total_work = sum(a.work_per_period_ticks for a in areas)
    # F(L) <= 2*sum(work) + L*(util-1) < F(0) beyond this horizon
    horizon = int(2 * total_work / (1 - util)) + 1
    if horizon > MAX_SCAN_TICKS:
        raise InterleaveError(
            "areas", len(areas),
            f"areas whose utilisation ({float(util):.1%}) leaves room to bound the displacement")
    # F is a staircase minus L: its maximum sits at a window length where some W_b jumps
    candidates = [np.zeros(1, dtype=np.int64)]
    for a in areas:
        offsets, _, period = _pattern(a)
        periods = horizon // period + 1
        arrivals = (np.arange(periods + 1, dtype=np.int64)[:, None] * period + offsets[None, :]).ravel()
        diffs = (arrivals[None, :] - offsets[:, None]).ravel()
        candidates.append(diffs[(diffs >= 0) & (diffs <= horizon)])
    lengths = np.unique(np.concatenate(candidates))
    demand = sum(_work_in_windows(a, lengths, horizon // a.min_period_ticks + 1) for a in areas)
    peak = int(np.max(demand - lengths))
    bounds = tuple(max(0, peak - min(a.pulse_occupancies_ticks())) for a in areas)
    worst = max(bounds)
    if worst > max_displacement_ticks:
        area = bounds.index(worst)
        raise InterleaveError(
            f"areas[{area}]", worst,
            f"a worst-case displacement of at most {max_displacement_ticks} ticks under the first-come-first-served "
            f"collision rule (this program can displace area {area} by {worst} ticks)")
    return InterleaveBound(util, bounds)
