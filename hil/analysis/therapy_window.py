"""The plot window that shows a program's point, when the user names none.

- After the soft start: the therapy amplitude, not the first ramp step.
- A cycled program: its first on -> off edge (pulses, then the pause), after the ramp of that cycle.
- Several areas: around the first displaced pulse after the ramp (the interleaving rule at work).
- Otherwise: two periods of the slowest area after the ramp.

The window is always inside the simulated span and spans two periods of the slowest area (at most
100 ms), so every running area has pulses in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from firmware_model.stimulation.params import PERIOD_NUMERATOR
from firmware_model.stimulation.scheduler import Scheduler

#: the longest default window, ticks
MAX_SPAN_TICKS = 100_000
#: how far after the ramp a displaced pulse is looked for, ticks
SEARCH_TICKS = 2_000_000


@dataclass(frozen=True)
class Window:
    """[start_tick, end_tick) of a plot, why it was chosen, and the cycle edges inside it."""

    start_tick: int
    end_tick: int
    why: str
    cycle_edges: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.start_tick < self.end_tick:
            raise ValueError(f"window {self.start_tick}:{self.end_tick} ticks is not allowed: 0 <= start < end")


def span_ticks(sched: Scheduler) -> int:
    """Two periods of the slowest area, at most `MAX_SPAN_TICKS`."""
    longest = max(PERIOD_NUMERATOR // a.rate_mhz for a in sched.program.areas)
    return min(2 * longest, MAX_SPAN_TICKS)


def ramp_end_tick(sched: Scheduler) -> int:
    """The tick every area is at its therapy amplitude (the longest soft start)."""
    return max(a.soft_start_ms for a in sched.program.areas) * 1000


def default_window(sched: Scheduler, duration_ticks: int) -> Window:
    """The window that shows the therapy (module doc), inside [0, duration_ticks)."""
    span = min(span_ticks(sched), duration_ticks)
    ramp = ramp_end_tick(sched)
    cycles = [a.cycling for a in sched.program.areas if a.cycling is not None]
    if cycles:
        on_ms, off_ms = cycles[0].on_ms, cycles[0].off_ms
        edge = on_ms * 1000
        half = span // 2
        if edge + half <= duration_ticks and edge - half >= 0:
            return Window(edge - half, edge + half, f"the first on -> off edge of the {on_ms / 1000:g} s on / "
                          f"{off_ms / 1000:g} s off cycle", ((edge, "cycle off"),))
    if len(sched.program.areas) > 1:
        found = _displaced_window(sched, ramp, span, duration_ticks)
        if found is not None:
            return found
    return _fit(ramp, span, duration_ticks, _after_ramp(ramp))


def _after_ramp(ramp: int) -> str:
    return f"after the {ramp / 1e6:g} s soft start" if ramp else "no soft start"


def _fit(start: int, span: int, duration_ticks: int, why: str) -> Window:
    """[start, start + span), moved back to end within the simulated span when it would not."""
    if start + span > duration_ticks:
        start = duration_ticks - span
        why = f"the last {span / 1000:g} ms simulated (the run ends before the soft start does)" \
            if why.startswith("after") else why
    return Window(start, start + span, why)


def _displaced_window(sched: Scheduler, ramp: int, span: int, duration_ticks: int) -> Window | None:
    """A window with the first displaced pulse after the ramp near its start, or None (no collision
    within `SEARCH_TICKS`)."""
    end = min(duration_ticks, ramp + SEARCH_TICKS)
    if ramp >= end:
        return None
    for chunk in sched.chunks(0, end):
        late = chunk[(chunk["displacement_ticks"] > 0) & (chunk["start_tick"] >= ramp)]
        if len(late):
            first = int(late["start_tick"][0])
            start = max(ramp, first - span // 4)
            window = _fit(start, span, duration_ticks, "")
            return Window(window.start_tick, window.end_tick, f"{_after_ramp(ramp)}; around the first "
                          "displaced pulse")
    return None
