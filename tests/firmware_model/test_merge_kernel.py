"""The compiled merge kernel (firmware_model/stimulation/native/merge.c): the same records as the numpy
path and the pulse-by-pulse heapq loop on both of its ways to merge (walking a short hyperperiod,
comparing the areas' next pulses), anywhere in 30 years; hostile input refused before anything is
written; and an AddressSanitizer build of it runs all of this cleanly."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from firmware_model.errors import ParameterError
from firmware_model.stimulation.interleave import InterleaveError
from firmware_model.stimulation.native import load
from firmware_model.stimulation.native.grids import GRID_FIELDS, NativeGrids
from firmware_model.stimulation.params import Area, Contacts, Program
from firmware_model.stimulation.scheduler import Scheduler
from firmware_model.stimulation.timeline import KERNEL_OFFSETS, TIMELINE_DTYPE
from tests.support.reference_scheduler import four_tonic_areas, heapq_schedule, hf10

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = settings(max_examples=int(os.environ.get("SCS_KERNEL_EXAMPLES", "80")), deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
THIRTY_YEARS = 30 * 365 * 86_400 * 1_000_000
kernel = pytest.fixture(scope="module")(lambda: load() or pytest.skip("no C compiler: the numpy path is the only one"))


@st.composite
def fixed_programs(draw) -> Scheduler:
    """1 to 4 areas of one pulse per period at a fixed amplitude: whole hertz (a short hyperperiod)
    or odd millihertz (a long one); one area alone takes the kernel's own loop (undisplaced when the
    stage is free at the start, else pulse by pulse until it catches up)."""
    areas = []
    for i in range(draw(st.integers(1, 4))):
        rate_mhz = 1000 * draw(st.integers(2, 1199)) + draw(st.sampled_from([0, 0, 0, 1, 333, 999]))
        areas.append(Area(contacts=Contacts(cathodes=((4 * i, 100),), anodes=(4 * i + 1,)),
                          amplitude_ua=50 * draw(st.integers(0, 40)), pulse_width_us=draw(st.integers(20, 200)),
                          rate_mhz=rate_mhz, interphase_gap_us=draw(st.integers(0, 50))))
    try:
        return Scheduler(Program(tuple(areas)))
    except (InterleaveError, ParameterError):
        reject()


def as_tuples(tl: np.ndarray) -> list[tuple[int, ...]]:
    names = ("start_tick", "area", "amplitude_ua", "displacement_ticks", "period", "index", "end_tick")
    return list(zip(*(tl[n].tolist() for n in names)))


def joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, TIMELINE_DTYPE)


@EXAMPLES
@given(sched=fixed_programs(), start=st.integers(0, THIRTY_YEARS), busy=st.integers(0, 3000),
       chunk=st.integers(1, 5000))
def test_fixed_areas_merged_by_the_kernel_equal_numpy_and_the_heapq_loop_anywhere_in_30_years(
        kernel, sched, start, busy, chunk):
    end = start + 400_000
    native = joined(list(sched.chunks(start, end, chunk, stage_free_at=start + busy)))
    numpy_path = joined(list(sched.chunks(start, end, chunk, stage_free_at=start + busy, native=False)))
    assert native.tobytes() == numpy_path.tobytes()
    assert as_tuples(native) == heapq_schedule(sched, end, start_tick=start, stage_free_at=start + busy)


@pytest.mark.requirement("SRS-SCHED-001", "SRS-SCHED-004")
@settings(max_examples=60, deadline=None)
@given(rate_mhz=st.integers(1_200_000, 10_000_000), width_us=st.integers(20, 50),
       start=st.integers(0, THIRTY_YEARS), busy=st.integers(0, 500), chunk=st.integers(1, 9000))
def test_one_high_frequency_area_equals_numpy_and_heapq_whether_the_stage_is_free_or_busy_at_the_start(
        kernel, rate_mhz, width_us, start, busy, chunk):
    """One area at up to 10 kHz: its pulses are written undisplaced while the stage is free at each
    nominal start (a vector loop in the kernel), pulse by pulse while a resumed run waits for it."""
    area = dataclasses.replace(hf10().areas[0], rate_mhz=rate_mhz, pulse_width_us=width_us)
    try:
        sched = Scheduler(Program((area,)))
    except ParameterError:
        reject()
    end = start + 30_000
    native = joined(list(sched.chunks(start, end, chunk, stage_free_at=start + busy)))
    numpy_path = joined(list(sched.chunks(start, end, chunk, stage_free_at=start + busy, native=False)))
    assert native.tobytes() == numpy_path.tobytes()
    assert as_tuples(native) == heapq_schedule(sched, end, start_tick=start, stage_free_at=start + busy)


def test_whole_hertz_areas_walk_their_hyperperiod_and_odd_millihertz_compare_their_next_pulses():
    assert NativeGrids(Scheduler(four_tonic_areas())._plans).pattern is not None  # 0.1 s, 188 pulses
    odd = Program(tuple(dataclasses.replace(a, rate_mhz=a.rate_mhz - 7) for a in four_tonic_areas().areas))
    assert NativeGrids(Scheduler(odd)._plans).pattern is None


# --- hostile input ------------------------------------------------------------------------------

GUARD = 0xA5


def fcfs_call(kernel, grid: np.ndarray, n_areas: int, total: int, offsets: np.ndarray = KERNEL_OFFSETS,
              rec_size: int = TIMELINE_DTYPE.itemsize) -> tuple[int, np.ndarray]:
    templates = np.zeros(17, TIMELINE_DTYPE)  # room for the hostile area counts: only the count is wrong
    occ = np.full(17, 10, np.int64)
    out = np.full(max(total, 1) * TIMELINE_DTYPE.itemsize, GUARD, np.uint8)
    free = kernel.fcfs(grid.ctypes.data, n_areas, templates.ctypes.data, occ.ctypes.data, rec_size,
                       offsets.ctypes.data, 0, total, out.ctypes.data)
    return free, out


def a_grid(n_areas: int, count: int = 5, **column) -> np.ndarray:
    grid = np.zeros((17, GRID_FIELDS), np.int64)
    grid[:] = (0, 0, 20_000, 0, 50_000, 0, count)  # 50 Hz from tick 0
    for i, value in column.items():
        grid[0, int(i[1:])] = value
    return grid


@pytest.mark.parametrize("n_areas", [0, -1, 17, 1000])
def test_the_kernel_refuses_an_area_count_outside_1_to_16(kernel, n_areas):
    free, out = fcfs_call(kernel, a_grid(17), n_areas, 5 * max(n_areas, 0))
    assert free == -1 and (out == GUARD).all()


def test_the_kernel_refuses_a_record_layout_other_than_its_own(kernel):
    assert fcfs_call(kernel, a_grid(2), 2, 10, rec_size=40)[0] == -2
    assert fcfs_call(kernel, a_grid(2), 2, 10, offsets=KERNEL_OFFSETS[::-1].copy())[0] == -2


@pytest.mark.parametrize("column", [{"c3": 50_000}, {"c3": -1}, {"c1": 50_000}, {"c4": 0}, {"c0": -5},
                                    {"c6": -1}, {"c2": -1}])
def test_the_kernel_refuses_a_grid_that_is_not_an_exact_recurrence(kernel, column):
    free, out = fcfs_call(kernel, a_grid(2, **column), 2, 10)
    assert free == -3 and (out == GUARD).all()


@pytest.mark.parametrize("total", [9, 11, -1])
def test_the_kernel_refuses_a_total_other_than_the_areas_counts(kernel, total):
    free, out = fcfs_call(kernel, a_grid(2), 2, total)
    assert free == -4 and (out == GUARD).all()


def pattern_call(kernel, pattern: np.ndarray, pos: int, hyper: int, total: int) -> tuple[int, np.ndarray]:
    grid = a_grid(2)
    grid[:, 2] = 1  # one period of each area per 20 ms hyperperiod
    templates, occ = np.zeros(2, TIMELINE_DTYPE), np.full(2, 10, np.int64)
    out = np.full((total + 1) * TIMELINE_DTYPE.itemsize, GUARD, np.uint8)
    free = kernel.pattern(grid.ctypes.data, 2, templates.ctypes.data, occ.ctypes.data, TIMELINE_DTYPE.itemsize,
                          KERNEL_OFFSETS.ctypes.data, pattern.ctypes.data, len(pattern), pos, hyper, 20_000, 0,
                          total, out.ctypes.data)
    return free, out


def test_the_hyperperiod_walk_refuses_a_start_outside_the_pattern_and_an_entry_naming_no_area(kernel):
    pattern = np.array([[0, 0, 0], [5, 0, 1]], np.int64)  # (offset, period, area)
    # two hyperperiods: the last pulse (nominal 20_005) waits for the one at 20_000 and ends at 20_020
    assert pattern_call(kernel, pattern, 0, 0, 4)[0] == 20_020
    for pos, hyper in ((2, 0), (-1, 0), (0, -1), (0, 1 << 62)):
        free, out = pattern_call(kernel, pattern, pos, hyper, 4)
        assert free == -4 and (out == GUARD).all()
    pattern[1, 2] = 2
    free, out = pattern_call(kernel, pattern, 0, 0, 4)
    assert free == -3 and (out[TIMELINE_DTYPE.itemsize:] == GUARD).all()  # stopped at the bad entry


# --- AddressSanitizer ---------------------------------------------------------------------------

def test_an_address_sanitizer_build_of_the_kernel_passes_these_tests(tmp_path):
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    runtime = subprocess.run([cc, "-print-file-name=libasan.so"], capture_output=True, text=True).stdout.strip()
    if not os.path.isabs(runtime) or not os.path.exists(runtime):
        pytest.skip(f"{cc} has no AddressSanitizer runtime (libasan.so)")
    env = {**os.environ, "SCS_NATIVE_CFLAGS": "-fsanitize=address -fno-omit-frame-pointer -g",
           "LD_PRELOAD": runtime, "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1",
           "XDG_CACHE_HOME": str(tmp_path), "SCS_KERNEL_EXAMPLES": "15", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", __file__,
                          "-k", "not address_sanitizer"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "AddressSanitizer" not in run.stderr
    assert list(tmp_path.glob("scs-hil/merge-*.so")), "the sanitizer build was not the one loaded"
