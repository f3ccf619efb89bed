"""Device time: integer ticks of 1 µs, and the spans the model counts in them.

Every time in the model is an int of ticks from a stated origin; nothing reads the wall clock.
"""

from __future__ import annotations

#: ticks per second: 1 tick = 1 µs
TICKS_PER_SECOND = 1_000_000
MINUTE_TICKS = 60 * TICKS_PER_SECOND
HOUR_TICKS = 3_600 * TICKS_PER_SECOND
DAY_TICKS = 86_400 * TICKS_PER_SECOND
#: ``floor(k * PERIOD_NUMERATOR / rate_mhz)`` is the start of pulse k, in ticks (rates are in mHz)
PERIOD_NUMERATOR = 1_000 * TICKS_PER_SECOND


def pulse_start_tick(k: int, rate_mhz: int) -> int:
    """Nominal start of pulse ``k`` of a train at ``rate_mhz``: exact long-run rate, no drift."""
    return k * PERIOD_NUMERATOR // rate_mhz


def seconds(ticks: int) -> float:
    """Ticks as seconds (for reports and physics in floating point; never for scheduling)."""
    return ticks / TICKS_PER_SECOND
