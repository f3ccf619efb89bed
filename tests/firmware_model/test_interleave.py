"""The bounded interleaving analysis: the board (C) and the golden model (firmware_model.stimulation.interleave)
decide identically, and the worst programs a host can send are answered within the budget."""

from __future__ import annotations

import random
import shutil

import pytest

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation import interleave as il
from firmware_model.stimulation.area_fields import area_from_fields
from firmware_model.stimulation.params import ParameterError
from hil.board.host import BoardCore
from protocol.session import DeviceKeys
from tests.support.device_harness import area_fields

PROFILE = DeviceProfile()


def burst(i: int, **kw) -> dict:
    return area_fields(cathode=2 * i, anode=2 * i + 1, waveform=1, recharge=1, recharge_ratio=1, **kw)


#: the issue's example: four 16-pulse burst areas at 95 % utilisation
FOUR_BURSTS_95 = [burst(i, passive_window_us=1000, pulses_per_burst=16, intra_burst_rate_mhz=1_200_000,
                        pulse_width_us=500, rate_mhz=26_389) for i in range(4)]


def heavy(window_us: int) -> list[dict]:
    """A 16-pulse burst beside HF at 99 %: 7,979 window lengths to check with a 352 us window (the
    most found in a search of random programs, accepted), 8,193 with 356 us (one over the budget)."""
    return [burst(0, passive_window_us=window_us, pulses_per_burst=16, intra_burst_rate_mhz=890_915,
                  pulse_width_us=473, rate_mhz=55_439, interphase_gap_us=9),
            area_fields(cathode=2, anode=3, waveform=2, pulse_width_us=32, rate_mhz=8_560_182)]


@pytest.fixture(scope="module")
def core():
    c = BoardCore(DeviceKeys(1, bytes(32), bytes([1]) * 32))
    yield c
    c.close()


def model_accepts(fields: list[dict]) -> bool:
    areas = tuple(area_from_fields(f, PROFILE) for f in fields)
    try:
        il.analyse(areas, PROFILE.max_displacement_ticks)
        return True
    except il.InterleaveError:
        return False


def _random_area(rng: random.Random, i: int) -> dict:
    kind = rng.choice(["tonic", "burst", "burst", "hf"])
    if kind == "tonic":
        return area_fields(cathode=2 * i, anode=2 * i + 1, pulse_width_us=rng.randint(20, 1000),
                           rate_mhz=rng.randint(2_000, 1_200_000), interphase_gap_us=rng.randint(0, 100),
                           recharge_ratio=rng.choice([1, 2, 5, 10]))
    if kind == "hf":
        return area_fields(cathode=2 * i, anode=2 * i + 1, waveform=2, pulse_width_us=rng.randint(20, 60),
                           rate_mhz=rng.randint(1_000_000, 10_000_000))
    intra = rng.randint(200_000, 1_200_000)
    return burst(i, passive_window_us=rng.randint(1, 3000), pulses_per_burst=rng.randint(2, 16),
                 intra_burst_rate_mhz=intra, pulse_width_us=rng.randint(20, max(20, 10**9 // intra - 1)),
                 rate_mhz=rng.randint(1_000, 100_000), interphase_gap_us=rng.randint(0, 20))


@pytest.mark.requirement("SRS-SCHED-003", "SRS-PROTO-006")
def test_the_board_and_the_golden_model_decide_every_random_program_alike(core):
    rng, checked, refused = random.Random(12), 0, 0
    while checked < 1500:
        fields = [_random_area(rng, i) for i in range(rng.randint(2, 4))]
        try:
            want = model_accepts(fields)
        except ParameterError:
            continue  # not a valid area: refused before any interleaving
        got, _ = core.interleave(fields)
        assert got == want, fields
        checked += 1
        refused += not want
    assert 100 < refused < 1400, "both outcomes were exercised"


@pytest.mark.requirement("SRS-SCHED-003")
def test_four_burst_areas_at_95_percent_are_refused_after_little_work(core):
    assert not model_accepts(FOUR_BURSTS_95)
    ok, polls = core.interleave(FOUR_BURSTS_95)
    assert not ok and polls <= len(FOUR_BURSTS_95) + 1, "refused at the first window that overflows"


def test_the_heaviest_accepted_program_is_checked_within_the_window_budget(core):
    areas = tuple(area_from_fields(f, PROFILE) for f in heavy(352))
    _, _, horizon = il.scan_limit(areas, PROFILE.max_displacement_ticks)
    assert il.candidate_count(areas, horizon) == 7979
    assert model_accepts(heavy(352))
    ok, polls = core.interleave(heavy(352))
    assert ok and polls <= il.MAX_CANDIDATES // 128 + len(areas)


@pytest.mark.requirement("SRS-SCHED-003")
def test_one_window_over_the_budget_is_refused_without_scanning(core):
    areas = tuple(area_from_fields(f, PROFILE) for f in heavy(356))
    _, _, horizon = il.scan_limit(areas, PROFILE.max_displacement_ticks)
    assert il.candidate_count(areas, horizon) == il.MAX_CANDIDATES + 1
    with pytest.raises(il.InterleaveError, match="leaves room to bound"):
        il.analyse(areas, PROFILE.max_displacement_ticks)
    ok, polls = core.interleave(heavy(356))
    assert not ok and polls == len(areas), "only the window tables were built"


def test_a_program_whose_work_fits_under_the_threshold_needs_no_scan(core):
    light = [area_fields(cathode=0, anode=1, pulse_width_us=100, rate_mhz=50_000),
             area_fields(cathode=2, anode=3, pulse_width_us=100, rate_mhz=130_000)]
    areas = tuple(area_from_fields(f, PROFILE) for f in light)
    assert il.scan_limit(areas, PROFILE.max_displacement_ticks)[2] == -1
    assert core.interleave(light) == (True, 0)


@pytest.mark.qemu
@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
                    reason="needs qemu-system-arm and arm-none-eabi-gcc")
@pytest.mark.requirement("SRS-SCHED-003", "SRS-PIN-002")
def test_the_worst_programs_are_answered_in_budget_while_pulses_stay_on_time_in_real_time():
    """qemu-rt, 8 ns per instruction: HF10 runs while the worst programs are committed; the device's
    own measure of its longest request stays under 3.5 M instructions (README: about 0.3 s at 16 MHz)."""
    from hil.harness.conformance.support import CAT, HF10, program
    from hil.targets.qemu import QemuTarget
    from protocol.spec.catalog import Role
    from protocol.wire.codec import make

    target = QemuTarget(realtime=True)
    b = target.bridge()
    try:
        b.login(Role.CLINICIAN)
        program(b, 0, HF10)
        b.call("STIM_SET", on=1)
        for fields, result in ((heavy(352), "OK"), (FOUR_BURSTS_95, "UNSAFE"), (heavy(356), "UNSAFE")):
            for i, a in enumerate(fields):
                b.call("AREA_WRITE", program=1, area=i, **a)
            assert b.request(make(CAT, "PROGRAM_COMMIT", program=1, area_count=len(fields))).result == result
        timing = b.call("TIMING_GET")
        instructions = timing.worst_request_counts // (1 << QemuTarget.REALTIME_SHIFT)
        assert instructions < 3_500_000
        assert timing.pulses > 100 and timing.late_edges == 0 and b.call("STATUS_GET").late_pulses == 0
    finally:
        b.close()
        target.close()
