"""The collision rule on the shared output stage: first come, first served by nominal start, ties to
the lower area index; a pulse that finds the stage busy starts when it frees (Lindley's recursion)."""

from __future__ import annotations

import numpy as np

from firmware_model.stimulation.timeline import TIMELINE_DTYPE
from protocol.spec.generated import MAX_AREAS

#: the sort key is nominal << AREA_BITS | area: room for every area a profile allows (`PROFILE_BOUNDS`
#: caps max_areas at the device definition's) and nominal starts below 2^(63 - AREA_BITS) ticks
AREA_BITS = max(1, (MAX_AREAS - 1).bit_length())
AREA_SLOTS = 1 << AREA_BITS


def lindley(nominal: np.ndarray, occ: np.ndarray, stage_free_at: int) -> np.ndarray:
    """First come, first served, vectorised: start_i = max(nominal_i, start_(i-1) + occ_(i-1))."""
    before = np.cumsum(occ)
    before -= occ
    start = np.subtract(nominal, before)
    start[0] = max(start[0], stage_free_at)
    np.maximum.accumulate(start, out=start)
    start += before
    return start


def displace(out: np.ndarray, stage_free_at: int) -> None:
    """Apply the collision rule to one area's records resumed while the stage was still busy."""
    occ = out["end_tick"] - out["start_tick"]
    nominal = out["start_tick"] - out["displacement_ticks"]
    start = lindley(nominal, occ, stage_free_at)
    out["start_tick"] = start
    out["end_tick"] = start + occ
    out["displacement_ticks"] = start - nominal


def _sort_keys(parts: list) -> np.ndarray:
    """nominal << AREA_BITS | area: sorting these orders pulses by nominal start, ties to the lower area."""
    keys = np.empty(sum(len(s) for s, _, _ in parts), dtype=np.int64)
    i = 0
    for start, _, fields in parts:
        view = keys[i:i + len(start)]
        np.left_shift(start, AREA_BITS, out=view)
        view |= fields["area"]
        i += len(start)
    return keys


def merge_areas(parts: list, templates: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge areas' pulses in nominal-start order (ties: lower area first).

    Returns the records (start_tick and end_tick not yet set), their areas and their nominal starts.
    Fields that are constant within an area are gathered as whole records from a per-area template
    (cached in ``templates``), so the cost per pulse is one sort key and one record copy.
    """
    keys = _sort_keys(parts)
    scalars = tuple(tuple((k, v) for k, v in f.items() if not isinstance(v, np.ndarray)) for _, _, f in parts)
    template = templates.get(scalars)
    if template is None:
        template = templates[scalars] = np.zeros(AREA_SLOTS, dtype=TIMELINE_DTYPE)
        for row in scalars:
            for name, value in row:
                template[dict(row)["area"]][name] = value
    varying = [name for name in TIMELINE_DTYPE.names or ()
               if any(isinstance(f.get(name), np.ndarray) for _, _, f in parts)]
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    area = keys & (AREA_SLOTS - 1)
    out = template.take(area)  # take: fancy indexing of structured arrays is ~30x slower
    for name in varying:
        column = np.concatenate([np.broadcast_to(f[name], (len(s),)) for s, _, f in parts])
        out[name] = column[order]
    return out, area, keys >> AREA_BITS


def serve_first_come_first_served(out: np.ndarray, area: np.ndarray, nominal: np.ndarray, parts: list,
                                   stage_free_at: int) -> None:
    """Apply the collision rule in place: start, end and displacement of every merged record."""
    if not any(isinstance(occ, np.ndarray) for _, occ, _ in parts):
        table = np.zeros(AREA_SLOTS, dtype=np.int64)
        for _, occ, f in parts:
            table[f["area"]] = occ
        occ = table.take(area)
    else:
        # burst areas: occupancy depends on the pulse's place in its burst
        keys = _sort_keys(parts)
        occ_all = np.concatenate([np.broadcast_to(o, (len(s),)) for s, o, _ in parts])
        occ = occ_all[np.argsort(keys, kind="stable")]
    start = lindley(nominal, occ, stage_free_at)
    out["start_tick"] = start
    out["end_tick"] = start + occ
    out["displacement_ticks"] = start - nominal
