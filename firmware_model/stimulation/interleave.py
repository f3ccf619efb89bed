"""Interleaving analysis: the worst-case displacement of every area under the collision rule.

Collision rule (the only one): the output stage serves pulses first come, first served in order of
nominal start, ties broken by lower area index; a pulse whose nominal start finds the stage busy
starts the tick the stage frees. Each pulse keeps its own nominal grid, so a displaced area returns
to it and never drifts.

Bound: with ``W_b(L)`` the most output-stage work area b can ask for in any closed window of L
ticks, a pulse of area a waits at most ``max_L(F(L)) - occ_a`` with ``F(L) = sum_b W_b(L) - L``.
``W_b`` is evaluated on the area's pattern with every period shortened to its floor (``floor(k*P)``
grids are never denser), so the bound holds for every pulse of the real timeline. ``W_b`` is
periodic: ``W_b(q*p + r) = q*work_b + W_b(r)`` for ``0 <= r < p``, so F only needs evaluating where
some ``W_b`` steps (``L = q*p_b + r`` with r one of the area's residues ``(o_j - o_i) mod p_b``).

The decision is bounded so the board answers within a fixed budget (this module is the golden model
of the C analysis in ``hil/board/core/interleave.c``; both decide identically, in integers):

- ``T = max_displacement + min occupancy``: a program is refused exactly when some ``F(L) > T``.
- Utilisation is taken rounded up to 1/2^32 per area (``U = sum ceil(work_b * 2^32 / p_b)``), so
  ``F(L) <= total_work - L*(1 - U/2^32)``: no window longer than ``H`` can exceed ``T``, with
  ``H = ((total_work - T) * 2^32 - 1) // (2^32 - U)``. ``total_work <= T`` needs no scan at all.
- Programs with ``U >= 2^32``, ``H > MAX_SCAN_TICKS`` or more than ``MAX_CANDIDATES`` window lengths
  to check (``sum_b |residues_b| * (H // p_b + 1)``) are refused as too close to 100 % utilisation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from firmware_model.stimulation.params import Area, ParameterError

#: scanning the window length further than this means utilisation is too close to 100 %
MAX_SCAN_TICKS = 2_000_000
#: most window lengths the board evaluates for one program (its time budget at 16 MHz: README)
MAX_CANDIDATES = 8192
#: utilisation is compared in units of 2^-32, each area's share rounded up
UNIT = 1 << 32


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


def residues(area: Area) -> np.ndarray:
    """Window lengths (mod the period) at which the area's most work in a window steps up."""
    offsets, _, period = _pattern(area)
    return np.unique((offsets[None, :] - offsets[:, None]) % period)


def scan_limit(areas: tuple[Area, ...], max_displacement_ticks: int) -> tuple[int, int, int]:
    """(U, threshold T, horizon H) of the bounded decision (H < 0: nothing to scan)."""
    units = sum(-(-a.work_per_period_ticks * UNIT // a.min_period_ticks) for a in areas)
    threshold = max_displacement_ticks + min(min(a.pulse_occupancies_ticks()) for a in areas)
    total_work = sum(a.work_per_period_ticks for a in areas)
    if units >= UNIT or total_work <= threshold:
        return units, threshold, -1
    return units, threshold, ((total_work - threshold) * UNIT - 1) // (UNIT - units)


def candidate_count(areas: tuple[Area, ...], horizon: int) -> int:
    """Window lengths the bounded analysis evaluates (with repeats across areas), as the board counts."""
    return sum(len(residues(a)) * (horizon // a.min_period_ticks + 1) for a in areas) if horizon >= 0 else 0


def _utilisation_error(areas, util: Fraction) -> InterleaveError:
    return InterleaveError(
        "areas", len(areas),
        f"areas whose utilisation ({float(util):.1%}) leaves room to bound the displacement (at most "
        f"{MAX_CANDIDATES} window lengths up to {MAX_SCAN_TICKS} ticks)")


def analyse(areas: tuple[Area, ...], max_displacement_ticks: int) -> InterleaveBound:
    """Worst-case displacement per area; raises `InterleaveError` when it exceeds the limit."""
    util = sum((Fraction(a.work_per_period_ticks, a.min_period_ticks) for a in areas), Fraction(0))
    if len(areas) == 1:
        return InterleaveBound(util, (0,))
    units, threshold, horizon = scan_limit(areas, max_displacement_ticks)
    if units >= UNIT:
        raise InterleaveError(
            "areas", len(areas),
            f"areas whose combined output-stage utilisation is below 100 % (this program needs {float(util):.1%})")
    if horizon > MAX_SCAN_TICKS or candidate_count(areas, horizon) > MAX_CANDIDATES:
        raise _utilisation_error(areas, util)
    parts = [np.zeros(1, dtype=np.int64)]
    for a in areas:
        r, p = residues(a), a.min_period_ticks
        q = np.arange(max(horizon, -1) // p + 1, dtype=np.int64)
        ls = (q[:, None] * p + r[None, :]).ravel()
        parts.append(ls[ls <= horizon])
    lengths = np.unique(np.concatenate(parts))
    demand = sum(_work_in_windows(a, lengths, int(lengths[-1]) // a.min_period_ticks + 1) for a in areas)
    peak = int(np.max(demand - lengths))
    if peak <= threshold:
        # windows longer than H: F(L) <= total - L*(1 - util) for the exact utilisation
        total_work = sum(a.work_per_period_ticks for a in areas)
        tail = total_work - (horizon + 1) * (1 - util)
        peak = max(peak, math.floor(tail))
    bounds = tuple(max(0, peak - min(a.pulse_occupancies_ticks())) for a in areas)
    worst = max(bounds)
    if worst > max_displacement_ticks:
        area = bounds.index(worst)
        raise InterleaveError(
            f"areas[{area}]", worst,
            f"a worst-case displacement of at most {max_displacement_ticks} ticks under the first-come-first-served "
            f"collision rule (this program can displace area {area} by {worst} ticks)")
    return InterleaveBound(util, bounds)
