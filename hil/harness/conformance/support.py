"""Helpers for conformance tests: programming, time, traces and hand-built frames."""

from __future__ import annotations

import time

import numpy as np

from firmware_model.device.pulse_output import TRACE_RECORD
from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.area_fields import area_from_fields
from firmware_model.stimulation.params import Program
from firmware_model.stimulation.safety import ContactImpedances
from firmware_model.stimulation.scheduler import Scheduler
from hil.link.bridge import Bridge
from protocol.spec.catalog import load_catalog
from protocol.spec.generated import Capability

CAT = load_catalog()
VIRTUAL_CLOCK, INPUTS, TRACE, RECHARGEABLE, HARDWARE_TIMED = (
    int(Capability.VIRTUAL_CLOCK), int(Capability.INPUTS), int(Capability.TRACE), int(Capability.RECHARGEABLE),
    int(Capability.HARDWARE_TIMED))

BASE = dict(waveform=0, cathode_share_pct=(0,) * 16, anode_mask=0, case_anode=0, amplitude_ua=3000,
            pulse_width_us=300, rate_mhz=50_000, interphase_gap_us=0, recharge=0, recharge_ratio=1,
            passive_window_us=0, pulses_per_burst=1, intra_burst_rate_mhz=0, cycle_on_ms=0, cycle_off_ms=0,
            soft_start_ms=0)


def area(cathode: int, anode: int, **kw) -> dict:
    shares = [0] * 16
    shares[cathode] = 100
    return {**BASE, "cathode_share_pct": tuple(shares), "anode_mask": 1 << anode, **kw}


FOUR_AREAS = [area(0, 1, amplitude_ua=3000, pulse_width_us=300, rate_mhz=50_000),
              area(2, 3, amplitude_ua=2500, pulse_width_us=200, rate_mhz=130_000),
              area(4, 5, amplitude_ua=2000, pulse_width_us=100, rate_mhz=500_000),
              area(6, 7, amplitude_ua=1500, pulse_width_us=60, rate_mhz=1_200_000)]
BURST_DR = [area(0, 1, amplitude_ua=1000, pulse_width_us=1000, rate_mhz=40_000, waveform=1, recharge=1,
                 passive_window_us=8000, pulses_per_burst=5, intra_burst_rate_mhz=500_000)]
HF10 = [area(8, 9, amplitude_ua=2500, pulse_width_us=30, rate_mhz=10_000_000, waveform=2)]
#: cycled tonic with a soft start: 20 ms on, 30 ms off, ramped over 10 ms at every turn-on
CYCLED = [area(10, 11, amplitude_ua=2000, pulse_width_us=200, rate_mhz=500_000, interphase_gap_us=20,
               recharge_ratio=2, cycle_on_ms=20, cycle_off_ms=30, soft_start_ms=10)]


def program(b: Bridge, index: int, areas: list[dict]) -> None:
    for i, a in enumerate(areas):
        b.call("AREA_WRITE", program=index, area=i, **a)
    b.call("PROGRAM_COMMIT", program=index, area_count=len(areas))


def wait(b: Bridge, ticks: int, has_virtual_clock: bool) -> int:
    """Let ``ticks`` of device time pass: CLOCK_ADVANCE on a virtual clock, else wait on the device's
    own clock (CLOCK_GET), never on the host's (an emulator under load runs slower or faster than
    the wall clock). Returns the device clock after."""
    if has_virtual_clock:
        now = 0
        while ticks > 0:
            step = min(ticks, 0xFFFFFFFF)
            now = b.call("CLOCK_ADVANCE", ticks=step).ticks
            ticks -= step
        return now
    end = b.call("CLOCK_GET").ticks + ticks
    while (now := b.call("CLOCK_GET").ticks) < end:
        time.sleep(min(0.05, (end - now) / 1e6))
    return now


def dump_trace(b: Bridge) -> np.ndarray:
    out, offset = [], 0
    while True:
        data = b.call("TRACE_DUMP", offset=offset, count=92)
        out.append(np.frombuffer(data.records, dtype=TRACE_RECORD))
        offset += data.count
        if offset >= data.total or data.count == 0:
            return np.concatenate(out) if out else np.zeros(0, TRACE_RECORD)


def reference_timeline(areas: list[dict], span_ticks: int) -> np.ndarray:
    prog = Program(tuple(area_from_fields(a, DeviceProfile()) for a in areas))
    return Scheduler(prog, impedances=ContactImpedances.uniform(1000)).generate(0, span_ticks)


def result_of(frame) -> str:
    if frame is None:
        return "no answer"
    msg = CAT.by_id(frame.msg_id)
    from protocol.wire.codec import decode_payload

    if msg is None:
        return f"unknown message 0x{frame.msg_id:02x}"
    obj = decode_payload(msg, frame.payload)
    return CAT.result_name(obj.result) if hasattr(obj, "result") else "OK"
