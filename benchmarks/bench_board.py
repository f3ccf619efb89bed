"""The dev board in real time (``qemu-rt``: the firmware's hardware-timed path, 8 ns per instruction,
125 instructions per 1 us tick, near a 168 MHz Cortex-M4).

Run: ``python benchmarks/bench_board.py [--quick]`` (JSON lines; ``--quick``: 50,000 ticks a program
instead of 300,000, the same trace dump; no figure is judged, the run only has to reach its end). For each program (four areas,
BurstDR, HF10, cycled) the board stimulates while a second thread floods the link with signed
STATUS_GET requests; the board's own counters (TIMING) give:
- the worst interrupt latency: how long after an edge's due instant the edge interrupt fired it, in
  ticks (and ns: QEMU's timers count ns);
- the CPU load: the share of device time the core was awake (not asleep in WFI), with the link
  quiet and while flooded;
- late pulses (required: 0) and the longest request, in instructions;
- then a whole trace dump (1,500 pulses, 17 frames of up to 92 records): the bytes of each answer
  over the device time the firmware took to produce and queue it (its own measure), against the
  115,200 baud line (11,520 B/s). QEMU's USART takes bytes at once, so this is the firmware's rate;
  on a board the transmit interrupt drains the ring at the line rate while pulses go on.
Everything is measured in the device's own time, never the host's (the host here is shared and
loaded; while the core sleeps QEMU skips ahead, so a host round trip spans much device time).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hil.harness.conformance.support import (
    BURST_DR,
    CAT,
    CYCLED,
    FOUR_AREAS,
    HF10,
    program,
    wait,
)
from hil.targets.qemu import QemuTarget
from protocol.spec.catalog import Role
from protocol.wire.codec import make

LINE_BYTES_PER_S = 115_200 // 10  # 8N1: ten bits a byte
PROGRAMS = {"four-areas": FOUR_AREAS, "burstdr": BURST_DR, "hf10": HF10, "cycled": CYCLED}


def flooded(b, ticks: int) -> int:
    """Let ``ticks`` of device time pass while a second thread sends signed requests; how many."""
    stop, answered = threading.Event(), [0]

    def flood():
        while not stop.is_set():
            b.request(make(CAT, "STATUS_GET"))
            answered[0] += 1

    t = threading.Thread(target=flood, daemon=True)
    t.start()
    try:
        while answered[0] < 20:
            b.call("CLOCK_GET")
        wait(b, ticks, False)
    finally:
        stop.set()
        t.join(timeout=30)
    return answered[0]


def load(t0, t1) -> float:
    elapsed = t1.elapsed_counts - t0.elapsed_counts
    return round((elapsed - (t1.idle_counts - t0.idle_counts)) / elapsed, 4)


def run_program(b, name: str, areas: list[dict], ticks: int) -> dict:
    program(b, 0, areas)
    b.call("STIM_SET", on=1)
    t0 = b.call("TIMING_GET")
    wait(b, ticks, False)
    t1 = b.call("TIMING_GET")
    requests = flooded(b, ticks)
    t2 = b.call("TIMING_GET")
    b.call("STIM_SET", on=0)
    return {"case": f"board_realtime_{name}", "pulses": t2.pulses - t0.pulses, "late_pulses": t2.late_pulses - t0.late_pulses,
            "late_edges": t2.late_edges - t0.late_edges, "flood_requests": requests,
            "worst_interrupt_latency_ticks": t2.worst_latency_counts / t2.counts_per_tick,
            "worst_interrupt_latency_ns": t2.worst_latency_counts * 1000 // t2.counts_per_tick,
            "cpu_load_quiet_link": load(t0, t1), "cpu_load_flooded_link": load(t1, t2),
            "worst_request_instructions": t2.worst_request_counts // (1 << QemuTarget.REALTIME_SHIFT)}


def trace_dump(b) -> dict:
    program(b, 0, HF10)
    b.call("TRACE_START", max_pulses=1500)
    b.call("STIM_SET", on=1)
    wait(b, 160_000, False)
    b.call("STIM_SET", on=0)
    sent, counts, offset, total = 0, 0, 0, None
    while total is None or offset < total:
        data = b.call("TRACE_DUMP", offset=offset, count=92)
        counts += b.call("TIMING_GET").last_request_counts  # the dump answer's own production time
        offset, total = offset + data.count, data.total
        sent += 11 * data.count + 12 + 2 + 5 + 4 + 16 + 4 + 2  # records, offsets, header, counter, tag, CRC, COBS
    cpt = b.call("TIMING_GET").counts_per_tick
    rate = sent / (counts / cpt / 1e6)
    return {"case": "board_realtime_trace_dump", "records": total, "wire_bytes": sent,
            "firmware_bytes_per_s": round(rate), "line_bytes_per_s": LINE_BYTES_PER_S,
            "ratio_to_line_rate": round(rate / LINE_BYTES_PER_S, 1),
            "line_time_ms": round(sent / LINE_BYTES_PER_S * 1000, 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="shorter runs (50 ms of device time a program)")
    args = ap.parse_args()
    ticks = 50_000 if args.quick else 300_000
    target = QemuTarget(realtime=True)
    b = target.bridge()
    late = 0
    try:
        b.login(Role.TEST)  # the trace is a test-role request; a test session may do all a clinician may
        for name, areas in PROGRAMS.items():
            result = run_program(b, name, areas, ticks)
            late += result["late_pulses"]
            print(json.dumps(result), flush=True)
        print(json.dumps(trace_dump(b)), flush=True)
    finally:
        b.close()
        target.close()
    return 1 if late else 0  # device time: a loaded host slows the run but never makes a pulse late


if __name__ == "__main__":
    sys.exit(main())
