"""Timeline generation: the vectorised scheduler against two baselines, the board's compiled C
scheduler (``libscsfw.so``, the host build of hil/board, run through ``scs_host_run_scheduler``) and a
straightforward heapq event loop.

Run: ``python benchmarks/bench_scheduler.py`` (prints one JSON line per case; ``--quick`` for a short run).
Cases: four tonic areas that collide (50 Hz/300 us, 130 Hz/200 us, 500 Hz/100 us, 1200 Hz/60 us) and
one HF10 area; plus 24 h of HF10 (864 million pulses) streamed with its peak memory.
Targets: >= 50 million pulses/s, >= 100x the heapq loop, HF10 24 h peak memory < 300 MB.
Several areas use the compiled merge kernel (firmware_model/stimulation/native) when a C compiler is around; the
pure-numpy figure for the same program is printed too, without a target. ``speedup_vs_c`` is the
vectorised rate over the board C scheduler's on the same program and span (it also checks both emit
the same number of pulses); it has no target: the C scheduler is the firmware's, built for a
microcontroller (one pulse per loop, trace records of its own), so the ratio is information.
"""

from __future__ import annotations

import ctypes
import heapq
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


REPEATS = 3

#: goals of issue 18: each case's rate over the write bound, and over the board's C scheduler
GOAL_RATIO_TO_WRITE_BOUND = {"hf10": 0.6, "four_tonic_areas": 0.4}
GOAL_SPEEDUP_VS_C = 3.0
GOAL_STREAM_SECONDS, GOAL_STREAM_PEAK_MB = 1.95, 100


def write_bound_records_per_s(repeats: int = 7, chunks: int = 200) -> float:
    """The memory write bound for the scheduler's output, records/s: allocating a chunk of
    `TIMELINE_DTYPE` records of the scheduler's chunk size and filling it with one constant record,
    by the fastest fill numpy has (a byte copy of a prepared template; assigning the record is ~20x
    slower). Best of ``repeats`` runs of ``chunks`` chunks, like the cases."""
    import numpy as np

    from firmware_model.stimulation.timeline import DEFAULT_CHUNK_PULSES, TIMELINE_DTYPE

    record = np.zeros(1, dtype=TIMELINE_DTYPE)
    record["area"], record["amplitude_ua"], record["start_tick"] = 1, 2500, 123456
    template = np.repeat(record, DEFAULT_CHUNK_PULSES).view(np.uint8)
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(chunks):
            out = np.empty(DEFAULT_CHUNK_PULSES, dtype=TIMELINE_DTYPE)
            np.copyto(out.view(np.uint8), template)
        best = min(best, time.perf_counter() - t0)
    return DEFAULT_CHUNK_PULSES * chunks / best


def with_goals(results: list[dict], bound: float) -> list[dict]:
    """Each case's ``ratio_to_write_bound`` (and the 24 h stream's speedup over the board's C
    scheduler on HF10), with the goals beside them; ``goals_met`` says whether all are."""
    c_rate = {r["case"]: r["c_pulses_per_s"] for r in results if "c_pulses_per_s" in r}
    out = []
    for r in results:
        r = {**r, "write_bound_records_per_s": round(bound), "ratio_to_write_bound": round(r["pulses_per_s"] / bound, 3)}
        goals = []
        if r["case"] in GOAL_RATIO_TO_WRITE_BOUND:
            r["goal_ratio_to_write_bound"] = GOAL_RATIO_TO_WRITE_BOUND[r["case"]]
            goals.append(r["ratio_to_write_bound"] >= r["goal_ratio_to_write_bound"])
        if r["case"] == "hf10_24h_stream":
            if "hf10" in c_rate:
                r["speedup_vs_c"] = round(r["pulses_per_s"] / c_rate["hf10"], 2)
            r["goal_seconds"], r["goal_peak_rss_mb"] = GOAL_STREAM_SECONDS, GOAL_STREAM_PEAK_MB
            goals += [r["seconds"] <= GOAL_STREAM_SECONDS, r["peak_rss_mb"] < GOAL_STREAM_PEAK_MB]
        if goals and "speedup_vs_c" in r:
            r["goal_speedup_vs_c"] = GOAL_SPEEDUP_VS_C
            goals.append(r["speedup_vs_c"] >= GOAL_SPEEDUP_VS_C)
        if goals:
            r["goals_met"] = all(goals)
        out.append(r)
    return out


def measure(name: str, program: Program, vector_pulses: int, heapq_pulses: int, native: bool = True,
            c_run=None) -> dict:
    sched = Scheduler(program)
    rate = sum(a.rate_mhz * a.pulses_per_burst for a in program.areas) / PERIOD_NUMERATOR  # pulses per tick
    t_vec = math.ceil(vector_pulses / rate)
    t_heap = math.ceil(heapq_pulses / rate)
    dt_vec = dt_heap = math.inf
    for _ in range(REPEATS):  # the best of a few runs for both, so a busy moment doesn't decide
        t0 = time.perf_counter()
        n_vec = sum(len(c) for c in sched.chunks(0, t_vec, native=native))
        dt_vec = min(dt_vec, time.perf_counter() - t0)
        t0 = time.perf_counter()
        n_heap = len(heapq_schedule(sched, t_heap))
        dt_heap = min(dt_heap, time.perf_counter() - t0)
    vec_rate, heap_rate = n_vec / dt_vec, n_heap / dt_heap
    c_fields = {}
    if c_run is not None:
        dt_c = math.inf
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            n_c = c_run(program, t_vec)
            dt_c = min(dt_c, time.perf_counter() - t0)
        c_fields = {"c_pulses_per_s": round(n_c / dt_c), "speedup_vs_c": round(vec_rate / (n_c / dt_c), 2),
                    "c_same_pulse_count": n_c == n_vec}
    if not native:  # the pure-numpy path, for reference when no C compiler is around: no target
        return {"case": name, "pulses": n_vec, "pulses_per_s": round(vec_rate), "heapq_pulses_per_s": round(heap_rate),
                "speedup_vs_heapq": round(vec_rate / heap_rate, 1), **c_fields,
                "ok": c_fields.get("c_same_pulse_count", True)}
    return {"case": name, "pulses": n_vec, "pulses_per_s": round(vec_rate), "heapq_pulses_per_s": round(heap_rate),
            "speedup_vs_heapq": round(vec_rate / heap_rate, 1), **c_fields,
            "target_pulses_per_s": 50_000_000, "target_speedup": 100,
            "ok": vec_rate >= 50e6 and vec_rate / heap_rate >= 100 and c_fields.get("c_same_pulse_count", True)}


def peak_rss_mb() -> float:
    """This process's peak resident memory, MB. Linux's VmHWM counts from the exec; ``ru_maxrss``
    would include the parent's size at the fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stream_hf10_24h(hours: float = 24.0) -> dict:
    sched = Scheduler(hf10())
    end = int(hours * 3600 * 1_000_000)
    t0 = time.perf_counter()
    n = 0
    charge = 0
    for chunk in sched.chunks(0, end):
        n += len(chunk)
        charge += int(chunk["charge_pc"].sum(dtype="i8"))
    dt = time.perf_counter() - t0
    peak_mb = peak_rss_mb()
    return {"case": f"hf10_{hours:g}h_stream", "pulses": n, "seconds": round(dt, 2), "pulses_per_s": round(n / dt),
            "peak_rss_mb": round(peak_mb, 1), "target_peak_mb": 300, "ok": peak_mb < 300}


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    if "--stream-only" in argv:
        print(json.dumps(stream_hf10_24h(0.1 if quick else 24.0)))
        return 0
    c_run = board_c_scheduler()
    if c_run is None:
        print(json.dumps({"note": "the board's C scheduler (make -C hil/board host) is not available: no C baseline"}))
    n = 20_000_000 if not quick else 2_000_000
    bound = write_bound_records_per_s()
    results = [
        measure("four_tonic_areas", four_tonic_areas(), n, 300_000, c_run=c_run),
        measure("hf10", hf10(), n, 300_000, c_run=c_run),
        measure("four_tonic_areas_numpy_only", four_tonic_areas(), n, 300_000, native=False, c_run=c_run),
    ]
    # peak memory is measured in a fresh process so the cases above do not count
    child = subprocess.run([sys.executable, __file__, "--stream-only", *argv], capture_output=True, text=True, check=True)
    results.append(json.loads(child.stdout))
    # the bound before and after the cases, the better of the two: a busy moment does not lower it
    results = with_goals(results, max(bound, write_bound_records_per_s()))
    for r in results:
        print(json.dumps(r))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
