"""Reference loops for the scheduler: a straightforward heapq event loop (the same schedule, one pulse
at a time, in Python integers) and the board's compiled C scheduler (``libscsfw.so``, the host build of
hil/board, through ``scs_host_run_scheduler``), with the two programs benchmarks/bench_scheduler.py
times them on. The tests use them as oracles; the benchmark as baselines."""

from __future__ import annotations

import ctypes
import heapq
import subprocess

from firmware_model.stimulation.params import (
    PERIOD_NUMERATOR,
    Area,
    Contacts,
    Program,
    RechargeMode,
    Waveform,
)
from firmware_model.stimulation.scheduler import Scheduler


def heapq_schedule(scheduler: Scheduler, end_tick: int, start_tick: int = 0,
                   stage_free_at: int | None = None) -> list[tuple[int, ...]]:
    """The same schedule, one pulse at a time, in Python integers:
    (start_tick, area, amplitude_ua, displacement, period, index, end_tick) per pulse.

    A heap of each area's next nominal pulse, served first come first served (ties: lower area),
    from ``start_tick`` (pulses with nominal start >= it) with the stage free at ``stage_free_at``.
    """
    prof = scheduler.profile
    plans = scheduler._plans
    heap = []
    for p in plans:
        k = max(0, (start_tick - p.span) * p.rate // PERIOD_NUMERATOR)
        i = 0
        while k * PERIOD_NUMERATOR // p.rate + int(p.offsets[i]) < start_tick:
            k, i = (k, i + 1) if i + 1 < p.per_period else (k + 1, 0)
        nominal = k * PERIOD_NUMERATOR // p.rate + int(p.offsets[i])
        if nominal < end_tick:
            heapq.heappush(heap, (nominal, p.index, k, i))  # (nominal, area, period k, index in period)
    stage_free = start_tick if stage_free_at is None else stage_free_at
    out = []
    by_index = {p.index: p for p in plans}
    while heap:
        nominal, area, k, i = heapq.heappop(heap)
        p = by_index[area]
        a = p.area
        period_start = k * PERIOD_NUMERATOR // a.rate_mhz
        # next pulse of this area
        if i + 1 < p.per_period:
            nk, ni = k, i + 1
        else:
            nk, ni = k + 1, 0
        nxt = nk * PERIOD_NUMERATOR // a.rate_mhz + int(p.offsets[ni])
        if nxt < end_tick:
            heapq.heappush(heap, (nxt, area, nk, ni))
        phase = period_start
        if a.cycling is not None:
            phase = period_start % a.cycling.period_ticks
            if phase >= a.cycling.on_ticks:
                continue
        amp = a.amplitude_ua
        if a.soft_start_ms:
            steps = amp // prof.amplitude_step_ua
            amp = prof.amplitude_step_ua * min(steps, 1 + steps * phase // (a.soft_start_ms * 1000))
        amp = min(amp, p.cap_ua)
        start = max(nominal, stage_free)
        stage_free = start + int(p.occ[i])
        out.append((start, area, amp, start - nominal, k, i, stage_free))
    return out


def board_c_scheduler():
    """``run(program, ticks) -> pulses`` on the board's C scheduler, or None if it cannot be built."""
    try:
        from hil.board.build import build_host

        lib = ctypes.CDLL(str(build_host()))
        fn = lib.scs_host_run_scheduler
    except (OSError, AttributeError, RuntimeError, FileNotFoundError, subprocess.CalledProcessError):
        return None
    from firmware_model.stimulation.area_fields import area_to_fields
    from protocol.spec.catalog import load_catalog
    from protocol.wire.codec import encode_payload, make

    fn.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_uint16, ctypes.c_uint64]
    fn.restype = ctypes.c_uint64
    cat = load_catalog()

    def run(program: Program, ticks: int) -> int:
        writes = b"".join(encode_payload(cat["AREA_WRITE"], make(cat, "AREA_WRITE", program=0, area=i,
                                                                 **area_to_fields(a)))
                          for i, a in enumerate(program.areas))
        return int(fn(writes, len(program.areas), 1000, ticks))

    return run


def _tonic(rate_hz: int, width_us: int, cathode: int) -> Area:
    return Area(contacts=Contacts(cathodes=((cathode, 100),), anodes=(cathode + 1,)), amplitude_ua=3000,
                pulse_width_us=width_us, rate_mhz=rate_hz * 1000)


def four_tonic_areas() -> Program:
    return Program((_tonic(50, 300, 0), _tonic(130, 200, 2), _tonic(500, 100, 4), _tonic(1200, 60, 6)))


def hf10() -> Program:
    return Program((Area(contacts=Contacts(cathodes=((8, 100),), anodes=(9,)), amplitude_ua=2500,
                         pulse_width_us=30, rate_mhz=10_000_000, waveform=Waveform.HIGH_FREQUENCY,
                         recharge=RechargeMode.ACTIVE),))
