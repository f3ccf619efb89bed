"""What the conformance suite and the benchmark take from the pin observer's record (hil.analysis.pins):
a program's edges on the absolute schedule, the pulses after a stop, a sigrok file per test.

The observer marks two firmware functions (hil/board/observer.py MARK_SYMBOLS): the start clock
(``scs_stim_clock``: its first clock read is the tick a program counts from) and the stop
(``scs_stim_off``: entered when STIM_SET off is handled, before the queue is cut). Their addresses
come from the image's symbol table, so the record tells the marks apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from hil.analysis import dac, pins


@dataclass(frozen=True)
class Stop:
    """A stop seen at the pins: the stop function's entry and the pulses after it (ns of board time)."""

    off_ns: int
    starts_after: int             # pulses whose cathodic edge came after the stop's entry (required: 0)
    last_start_ns: int | None     # the last pulse start before the stop's entry (or after it, if any)
    last_edge_ns: int | None      # the last pin write (the pulse in progress completed)
    pins_after: int               # the pins after the last write (0: all low)
    dac_after: int                # the DAC code after it (0: no current)

    @property
    def off_to_last_start_ns(self) -> int | None:
        """The last pulse start relative to the stop (negative: it started before)."""
        return None if self.last_start_ns is None else self.last_start_ns - self.off_ns


def last_run(record: pins.Record, start_pc: int) -> pins.Run:
    """The last program start in ``record`` (from the start clock's marks)."""
    found = pins.runs(record, start_pc)
    if not found:
        raise pins.ObserverLogError("no start-clock mark in the record: STIM_SET on never ran")
    return found[-1]


def edge_reports(run: pins.Run, timeline: np.ndarray, until_ns: int | None = None) -> list[pins.EdgeReport]:
    """``run``'s pin writes (up to ``until_ns``) against the reference on the absolute schedule."""
    writes = tuple(w for w in run.writes if until_ns is None or w.time_ns < until_ns)
    return pins.compare(pins.Run(run.stim_set_tick, writes), timeline)


def due_before(timeline: np.ndarray, run: pins.Run, end_ns: int) -> int:
    """How many reference edges are due, on the absolute schedule, before ``end_ns``."""
    return sum(1 for d in pins.due_edges(timeline, run.origin_tick) if (d.tick + 1) * pins.NS_PER_TICK <= end_ns)


def stop(record: pins.Record, off_pc: int, after_ns: int) -> Stop:
    """The first stop after ``after_ns`` and what the pins did after it."""
    offs = [t for pc, t, _ in record.marks if pc == off_pc and t > after_ns]
    if not offs:
        raise pins.ObserverLogError("no stop mark in the record after the start: STIM_SET off never ran")
    off = offs[0]
    writes = [w for w in record.pin_writes if w.time_ns > after_ns]
    starts = [p.start_ns for p in pins.pulses(writes)]
    after = [t for t in starts if t > off]
    last = writes[-1] if writes else None
    return Stop(off, len(after), max(starts) if starts else None, last.time_ns if last else None,
                last.pins if last else 0, last.dac_code if last else 0)


def charge_imbalance_pc(pulse: pins.Pulse) -> Fraction | None:
    """Cathodic minus recharge charge of an actively recharged pulse at the pins, pC (uA x us: each
    phase's DAC current times its duration between its edges); None without an active recharge phase
    (inside a burst, or a passive window: DAC code 0)."""
    if pulse.recharge_start_ns is None or not pulse.recharge_dac_code:
        return None
    cathodic = dac.dac_current_ua(pulse.dac_code) * (pulse.cathodic_end_ns - pulse.start_ns)
    recharge = dac.dac_current_ua(pulse.recharge_dac_code) * (pulse.end_ns - pulse.recharge_start_ns)
    return (cathodic - recharge) / 1000


def charge_imbalance_bound_pc(timeline: np.ndarray) -> Fraction:
    """The largest imbalance the pins may show for the reference's actively recharged pulses, pC. The
    phases' DAC codes carry equal charge over their nominal widths (`dac.phase_dac_codes`), so only the
    edges' timing is left: each edge lands within its due tick, each phase's duration is off by less
    than one tick, at a current no larger than its programmed one."""
    tick_us = Fraction(pins.NS_PER_TICK, 1000)
    active = timeline[timeline["recharge_amplitude_ua"] > 0]
    if active.size == 0:
        return Fraction(0)
    return max((int(p["amplitude_ua"]) + int(p["recharge_amplitude_ua"])) * tick_us for p in active)


def lateness_instructions(reports: list[pins.EdgeReport]) -> dict[str, float]:
    """The edge-to-pin path: instructions from each edge's due instant to its pin store (8 ns each)."""
    late = np.array([r.lateness_ns for r in reports], dtype=np.int64) // pins.NS_PER_INSN
    if late.size == 0:
        return {"edges": 0}
    return {"min": int(late.min()), "mean": round(float(late.mean()), 1), "max": int(late.max())}


def export_sr(record: pins.Record, path: Path, after_ns: int = 0) -> Path | None:
    """The pins (PB12-15) and the DAC after ``after_ns`` as a sigrok file (PulseView, ``scs logic``);
    None when there was no pin write."""
    writes = [w for w in record.pin_writes if w.time_ns > after_ns]
    if not writes:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    return pins.write_sr(writes, path, samplerate_hz=1_000_000 if writes[-1].time_ns - writes[0].time_ns > 10**9
                         else 25_000_000)
