"""Timeline generation: the vectorised scheduler against two baselines, the board's compiled C
scheduler (``libscsfw.so``, the host build of hil/board, run through ``scs_host_run_scheduler``) and a
straightforward heapq event loop.

Run: ``python benchmarks/bench_scheduler.py`` (prints one JSON line per case; ``--quick`` for a short run
whose exit status judges no speed).
Cases: four tonic areas that collide (50 Hz/300 us, 130 Hz/200 us, 500 Hz/100 us, 1200 Hz/60 us) and
one HF10 area; plus 24 h of HF10 (864 million pulses) streamed with its peak memory.
Targets: >= 50 million pulses/s, >= 100x the heapq loop, HF10 24 h peak memory < 300 MB.
Several areas use the compiled merge kernel (firmware_model/stimulation/native) when a C compiler is around; the
pure-numpy figure for the same program is printed too, without a target. ``speedup_vs_c`` is the
vectorised rate over the board C scheduler's on the same program and span (it also checks both emit
the same number of pulses); it has no target: the C scheduler is the firmware's, built for a
microcontroller (one pulse per loop, trace records of its own), so the ratio is information.
Each case also gets ``ratio_to_write_bound``: its rate over the memory write bound for the same records
(chunks of `TIMELINE_DTYPE` of the scheduler's chunk size filled with one constant record), both in CPU
time, measured in turns in the same run, with ``cpu_speedup_vs_c`` likewise; goals (issue 18): HF10 >= 0.6,
four areas >= 0.4, the 24 h HF10 stream <= 1.95 s (wall, on an idle machine) and < 100 MB, all three
>= 3x the board's C scheduler in CPU time (``goals_met``). The stream also prints a floor measured in
its process: storing its records at memset speed plus its consumer's own work on cached chunks
(``floor_cpu_seconds``): what no implementation of this record and consumer can go under here.
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from firmware_model.stimulation.params import PERIOD_NUMERATOR, Program
from firmware_model.stimulation.scheduler import Scheduler
from tests.support.reference_scheduler import board_c_scheduler, four_tonic_areas, heapq_schedule, hf10

REPEATS = 3

#: goals of issue 18: each case's rate over the write bound, and over the board's C scheduler
GOAL_RATIO_TO_WRITE_BOUND = {"hf10": 0.6, "four_tonic_areas": 0.4}
GOAL_SPEEDUP_VS_C = 3.0
GOAL_STREAM_SECONDS, GOAL_STREAM_PEAK_MB = 1.95, 100


def fill_chunks(records: int) -> None:
    """The memory write bound's work for ``records`` records: chunks of `TIMELINE_DTYPE` of the
    scheduler's chunk size, each allocated and filled with one constant record by the fastest fill
    numpy has (a byte copy of a prepared template; assigning the record is ~20x slower)."""
    import numpy as np

    from firmware_model.stimulation.timeline import DEFAULT_CHUNK_PULSES, TIMELINE_DTYPE

    record = np.zeros(1, dtype=TIMELINE_DTYPE)
    record["area"], record["amplitude_ua"], record["start_tick"] = 1, 2500, 123456
    template = np.repeat(record, DEFAULT_CHUNK_PULSES).view(np.uint8)
    left = records
    while left > 0:
        n = min(left, DEFAULT_CHUNK_PULSES)
        out = np.empty(n, dtype=TIMELINE_DTYPE)
        np.copyto(out.view(np.uint8), template[:n * TIMELINE_DTYPE.itemsize])
        del out  # before the next: every chunk reuses the same cache-resident memory (the strict bound)
        left -= n


def cpu_seconds(work) -> float:
    """CPU time of this process for ``work()``: on a shared machine, other processes' load counts less."""
    t0 = time.process_time()
    work()
    return time.process_time() - t0


def write_bound_ratio(program: Program, pulses: int, repeats: int = 5, native: bool = True, c_run=None) -> dict:
    """The scheduler's rate over the write bound for the same records (and over the board's C
    scheduler on the same span, if given), all in CPU time, measured in turns (the case, the bound
    for as many records, the C scheduler), each the best of ``repeats``."""
    sched = Scheduler(program)
    ticks = math.ceil(pulses / (sum(a.rate_mhz * a.pulses_per_burst for a in program.areas) / PERIOD_NUMERATOR))
    n = sum(len(c) for c in sched.chunks(0, ticks, native=native))
    case = bound = c_time = math.inf
    for _ in range(repeats):
        case = min(case, cpu_seconds(lambda: sum(len(c) for c in sched.chunks(0, ticks, native=native))))
        bound = min(bound, cpu_seconds(lambda: fill_chunks(n)))
        if c_run is not None:
            c_time = min(c_time, cpu_seconds(lambda: c_run(program, ticks)))
    out = {"write_bound_records_per_s": round(n / bound), "cpu_pulses_per_s": round(n / case),
           "ratio_to_write_bound": round(bound / case, 3)}
    if c_run is not None:
        out |= {"cpu_c_pulses_per_s": round(n / c_time), "cpu_speedup_vs_c": round(c_time / case, 2)}
    return out


def with_goals(results: list[dict]) -> list[dict]:
    """The goals beside each case's ``ratio_to_write_bound`` and ``cpu_speedup_vs_c`` (the 24 h
    stream's: its CPU rate over the C scheduler's on HF10); ``goals_met``: all of a case's goals."""
    c_rate = {r["case"]: r["cpu_c_pulses_per_s"] for r in results if "cpu_c_pulses_per_s" in r}
    out = []
    for r in results:
        r, goals = dict(r), []
        if r["case"] in GOAL_RATIO_TO_WRITE_BOUND:
            r["goal_ratio_to_write_bound"] = GOAL_RATIO_TO_WRITE_BOUND[r["case"]]
            goals.append(r["ratio_to_write_bound"] >= r["goal_ratio_to_write_bound"])
        if r["case"].startswith("hf10_") and r["case"].endswith("_stream") and "hf10" in c_rate:
            r["cpu_speedup_vs_c"] = round(r["pulses"] / r["cpu_seconds"] / c_rate["hf10"], 2)
        if r["case"] == "hf10_24h_stream":
            r["goal_seconds"], r["goal_peak_rss_mb"] = GOAL_STREAM_SECONDS, GOAL_STREAM_PEAK_MB
            goals += [r["seconds"] <= GOAL_STREAM_SECONDS, r["peak_rss_mb"] < GOAL_STREAM_PEAK_MB]
        if goals and "cpu_speedup_vs_c" in r:
            r["goal_speedup_vs_c"] = GOAL_SPEEDUP_VS_C
            goals.append(r["cpu_speedup_vs_c"] >= GOAL_SPEEDUP_VS_C)
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


def consume(chunk) -> int:
    """What the stream's consumer does with each chunk: the charge it delivers, pC."""
    return int(chunk["charge_pc"].sum(dtype="i8"))


def stream_floor(chunk, pulses: int, repeats: int = 2000) -> dict:
    """Two costs no stream of these records to this consumer avoids, in CPU seconds for ``pulses``:
    storing the records at memset speed (one cache-resident chunk filled in place, the fastest store
    numpy has) and the consumer's own work on a chunk already in cache. Their sum is a floor for the
    stream's CPU time here (the write bound of ``ratio_to_write_bound`` copies a template: slower)."""
    import numpy as np

    scratch = np.empty(len(chunk), dtype=chunk.dtype).view(np.uint8)

    def store() -> None:
        for _ in range(repeats):
            scratch.fill(7)

    def read() -> None:
        for _ in range(repeats):
            consume(chunk)

    per_record = repeats * len(chunk)
    store_s = min(cpu_seconds(store) for _ in range(3)) / per_record * pulses
    consumer_s = min(cpu_seconds(read) for _ in range(3)) / per_record * pulses
    return {"store_floor_cpu_seconds": round(store_s, 2), "consumer_cpu_seconds": round(consumer_s, 2),
            "floor_cpu_seconds": round(store_s + consumer_s, 2)}


def stream_hf10_24h(hours: float = 24.0) -> dict:
    sched = Scheduler(hf10())
    end = int(hours * 3600 * 1_000_000)
    t0, cpu0 = time.perf_counter(), time.process_time()
    n = 0
    charge = 0
    for chunk in sched.chunks(0, end):
        n += len(chunk)
        charge += consume(chunk)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    bound = min(cpu_seconds(lambda: fill_chunks(min(n, 50_000_000))) for _ in range(3)) / min(n, 50_000_000)
    peak_mb = peak_rss_mb()
    floor = stream_floor(next(sched.chunks(0, end)), n)
    return {"case": f"hf10_{hours:g}h_stream", "pulses": n, "seconds": round(dt, 2), "pulses_per_s": round(n / dt),
            "peak_rss_mb": round(peak_mb, 1), "target_peak_mb": 300, "ok": peak_mb < 300,
            **stream_write_bound(n, cpu, bound), **floor}


def stream_write_bound(pulses: int, cpu_s: float, bound_cpu_s_per_record: float) -> dict:
    """The stream's CPU seconds and its rate over the write bound (both CPU time, same process)."""
    return {"cpu_seconds": round(cpu_s, 2), "write_bound_records_per_s": round(1 / bound_cpu_s_per_record),
            "ratio_to_write_bound": round(bound_cpu_s_per_record * pulses / cpu_s, 3)}


def with_write_bound(results: list[dict], pulses: int, c_run=None) -> list[dict]:
    """Each vectorised case with its write-bound ratio and CPU-time speedup over C (`write_bound_ratio`)."""
    programs = {"four_tonic_areas": (four_tonic_areas, True), "hf10": (hf10, True),
                "four_tonic_areas_numpy_only": (four_tonic_areas, False)}
    return [{**r, **write_bound_ratio(programs[r["case"]][0](), pulses, native=programs[r["case"]][1], c_run=c_run)}
            if r["case"] in programs else r for r in results]


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    if "--stream-only" in argv:
        print(json.dumps(stream_hf10_24h(0.1 if quick else 24.0)))
        return 0
    c_run = board_c_scheduler()
    if c_run is None:
        print(json.dumps({"note": "the board's C scheduler (make -C hil/board host) is not available: no C baseline"}))
    n, h = (500_000, 50_000) if quick else (20_000_000, 300_000)
    results = [
        measure("four_tonic_areas", four_tonic_areas(), n, h, c_run=c_run),
        measure("hf10", hf10(), n, h, c_run=c_run),
        measure("four_tonic_areas_numpy_only", four_tonic_areas(), n, h, native=False, c_run=c_run),
    ]
    # peak memory is measured in a fresh process so the cases above do not count
    child = subprocess.run([sys.executable, __file__, "--stream-only", *argv], capture_output=True, text=True, check=True)
    results.append(json.loads(child.stdout))
    results = with_goals(with_write_bound(results, n // 4, c_run))
    for r in results:
        print(json.dumps(r))
    if quick:  # no speed is judged: the C scheduler's pulse counts and the stream's memory are
        return 0 if all(r.get("c_same_pulse_count", True) for r in results) and results[-1]["ok"] else 1
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
