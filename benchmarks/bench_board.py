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
At the pins (the observer, QEMU's TCG plugin; hil/board/observer.py), for each program quiet and flooded:
- the at-pin lateness: each edge's pin store after the start of its due tick on the absolute
  schedule (min/mean/max ns; required: < 1000 ns, the goal <= 200 ns), and the same in instructions
  (the edge-to-pin path: instructions from the due instant to the pin store, 8 ns each);
- the off-to-last-pulse time: the last pulse start relative to the entry of the STIM_SET off handler
  (negative: before it; no pulse may start after it), flooded, HF10.
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

from hil.board.observer import CLOCK_SYMBOL, OFF_SYMBOL  # noqa: E402
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


def pin_lateness(target, b, name: str, areas: list[dict], ticks: int, flood: bool) -> dict:
    """The at-pin lateness of one program from the observer's record, on the absolute schedule."""
    from hil.analysis import pin_evidence, pins
    from hil.harness.conformance.support import reference_timeline

    program(b, 0, areas)
    b.call("STIM_SET", on=1)
    wait(b, 0 if flood else ticks, False)
    if flood:
        flooded(b, ticks)
    end = b.call("CLOCK_GET").ticks  # the device clock: every edge due before it has been written
    b.call("STIM_SET", on=0)
    run = pin_evidence.last_run(target.record(), target.marks[CLOCK_SYMBOL])
    reports = pin_evidence.edge_reports(run, reference_timeline(areas, 2 * ticks + 10_000), end * pins.NS_PER_TICK)
    summary = pins.lateness_summary(reports)
    return {"case": f"board_pins_{name}_{'flooded' if flood else 'quiet'}", "edges": summary["edges"],
            "on_time": summary["on_time"], "mismatched": sum(not r.matches for r in reports),
            "lateness_ns": {k: summary[k] for k in ("min_ns", "mean_ns", "max_ns")},
            "edge_to_pin_instructions": pin_evidence.lateness_instructions(reports)}


def off_to_last_pulse(target, b) -> dict:
    """HF10 flooded, then STIM_SET off: the last pulse start against the off handler's entry."""
    from hil.analysis import pin_evidence, pins

    program(b, 0, HF10)
    b.call("STIM_SET", on=1)
    flooded(b, 20_000)
    b.call("STIM_SET", on=0)
    off_counts = b.call("TIMING_GET").last_request_counts  # STIM_SET off: its last byte to its answer queued
    wait(b, 2_000, False)
    record = target.record()
    run = pin_evidence.last_run(record, target.marks[CLOCK_SYMBOL])
    stop = pin_evidence.stop(record, target.marks[OFF_SYMBOL], run.stim_set_tick * pins.NS_PER_TICK)
    return {"case": "board_pins_off_hf10_flooded", "pulses_started_after_off": stop.starts_after,
            "off_to_last_pulse_start_ns": stop.off_to_last_start_ns,
            "off_to_last_edge_ns": stop.last_edge_ns - stop.off_ns if stop.last_edge_ns else None,
            "output_after": {"pins": stop.pins_after, "dac_code": stop.dac_after},
            "stim_set_off_request_ns": off_counts}  # counts are ns in QEMU: the bound from the frame received


def pin_cases(ticks: int) -> list[dict]:
    """The pin figures: a fresh observed board (qemu-rt), test role for the clock reads."""
    from hil.targets.qemu_observed import ObservedQemuTarget

    target = ObservedQemuTarget()
    b = target.bridge()
    out = []
    try:
        b.login(Role.CLINICIAN)
        for name, areas in PROGRAMS.items():
            for flood in (False, True):
                out.append(pin_lateness(target, b, name, areas, ticks, flood))
                print(json.dumps(out[-1]), flush=True)
        out.append(off_to_last_pulse(target, b))
        print(json.dumps(out[-1]), flush=True)
    finally:
        b.close()
        target.close()
    return out


def fault_cases() -> list[dict]:
    """Fault to safe output at the pins: each fault the handler takes (hard fault, stack overflow),
    injected while a pulse drives the pins; the handler instruction that drove PB12-15 low and wrote DAC
    0 (after turning the DAC's trigger off), stopped TIM8 and its DMA, and drove the pins low again."""
    from hil.analysis.fault_safe import measure

    out = []
    for kind, f in measure():
        out.append({"case": f"board_fault_to_safe_{kind.lower()}", "pins_low_insns": f.pins_low_insns,
                    "pins_low_ns": f.pins_low_ns, "dac_zero_insns": f.dac_zero_insns, "dac_zero_ns": f.dac_zero_ns,
                    "dac_trigger_off_insns": f.dac_trigger_off_insns, "path_stopped_insns": f.path_stopped_insns,
                    "pins_low_again_insns": f.pins_low_again_insns, "pins_before": f.pins_before})
        print(json.dumps(out[-1]), flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="shorter runs (50 ms of device time a program)")
    ap.add_argument("--pins", action="store_true", help="only the at-pin figures (the observer's record)")
    args = ap.parse_args()
    if args.pins:
        pin_cases(50_000 if args.quick else 100_000)
        fault_cases()
        return 0
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
    pin_cases(ticks if args.quick else 100_000)
    fault_cases()
    return 1 if late else 0  # device time: a loaded host slows the run but never makes a pulse late


if __name__ == "__main__":
    sys.exit(main())
