"""The reference scheduler: each test pins one invariant or one published figure."""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.interleave import InterleaveError
from firmware_model.stimulation.params import (
    PERIOD_NUMERATOR,
    Area,
    Contacts,
    Cycling,
    ParameterError,
    Program,
    RechargeMode,
    Waveform,
)
from firmware_model.stimulation.safety import (
    ContactImpedances,
    SafetyLimitError,
    max_safe_amplitude_ua,
)
from firmware_model.stimulation.scheduler import Scheduler, ScheduleState
from firmware_model.stimulation.timeline import FLAG_BURST_LAST, FLAG_PASSIVE, TIMELINE_DTYPE
from tests.support.reference_scheduler import heapq_schedule
from tests.support.strategies import burst_areas, programs, schedulers, tonic_areas

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much,
                                                                       HealthCheck.too_slow])
BIPOLE = Contacts(cathodes=((0, 100),), anodes=(1,))


def tonic(rate_hz: float, width_us: int, amp_ua: int = 3000, **kw) -> Area:
    return Area(contacts=kw.pop("contacts", BIPOLE), amplitude_ua=amp_ua, pulse_width_us=width_us,
                rate_mhz=round(rate_hz * 1000), **kw)


def records_as_tuples(tl: np.ndarray) -> list[tuple[int, ...]]:
    """The fields the pulse-by-pulse reference computes, in its order."""
    names = ("start_tick", "area", "amplitude_ua", "displacement_ticks", "period", "index", "end_tick")
    return list(zip(*(tl[n].tolist() for n in names)))


def occupancy(tl: np.ndarray) -> np.ndarray:
    return (tl["width_us"].astype(np.int64) + tl["gap_us"] + tl["recharge_width_us"])


def busy_until(tl: np.ndarray, program: Program) -> np.ndarray:
    """End of each pulse's stage occupancy (burst pulses inside a burst occupy only their width)."""
    return tl["start_tick"] + occupancy(tl)


def nominal_grid(area: Area, end_tick: int) -> np.ndarray:
    """Independent, pure-Python nominal starts of an area in [0, end_tick), cycling applied."""
    out = []
    k = 0
    while True:
        period_start = k * PERIOD_NUMERATOR // area.rate_mhz
        if period_start >= end_tick:
            break
        on = area.cycling is None or period_start % area.cycling.period_ticks < area.cycling.on_ticks
        if on:
            out.extend(period_start + o for o in area.burst_offsets_ticks if period_start + o < end_tick)
        k += 1
    return np.asarray(out, dtype=np.int64)


# --- timing ------------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-SCHED-001")
@FAST
@given(area=tonic_areas(), end=st.integers(1, 3_000_000))
def test_pulse_k_starts_at_floor_of_k_periods_so_error_is_under_one_tick_and_never_drifts(area, end):
    area = dataclasses.replace(area, cycling=None, soft_start_ms=0, amplitude_ua=0)
    tl = Scheduler(Program((area,))).generate(0, end)
    k = np.arange(len(tl))
    exact = k * Fraction(PERIOD_NUMERATOR, area.rate_mhz)
    errors = [Fraction(int(s)) - e for s, e in zip(tl["start_tick"][:200], exact[:200])]
    assert all(-1 < err <= 0 for err in errors)
    # the last pulse is still exactly on the grid: no accumulated drift, and the count is exact
    assert len(tl) == math.ceil(Fraction(end * area.rate_mhz, PERIOD_NUMERATOR))
    if len(tl):
        assert tl["start_tick"][-1] == (len(tl) - 1) * PERIOD_NUMERATOR // area.rate_mhz


@pytest.mark.requirement("SRS-SCHED-001")
def test_1200_hz_alternates_833_and_834_us_periods_with_exact_average():
    tl = Scheduler(Program((tonic(1200, 60),))).generate(0, 1_000_000)
    periods = np.diff(tl["start_tick"])
    assert set(periods.tolist()) == {833, 834}
    assert len(tl) == 1200


@pytest.mark.requirement("SRS-SCHED-002")
@FAST
@given(sched=schedulers())
def test_occupancies_of_the_output_stage_never_overlap(sched):
    program = sched.program
    tl = sched.generate(0, 400_000)
    order = np.argsort(tl["start_tick"], kind="stable")
    assert np.array_equal(order, np.arange(len(tl))), "timeline is in start order"
    assert np.all(tl["start_tick"][1:] >= busy_until(tl, program)[:-1])


@pytest.mark.requirement("SRS-SCHED-002", "SRS-GEN-DISPLACEMENT-BOUND")
@FAST
@given(sched=schedulers())
def test_displacement_is_bounded_and_every_pulse_returns_to_its_nominal_grid(sched):
    program = sched.program
    end = 400_000
    tl = sched.generate(0, end)
    for i, area in enumerate(program.areas):
        mine = tl[tl["area"] == i]
        assert mine["displacement_ticks"].max(initial=0) <= sched.max_displacement_ticks[i]
        assert sched.max_displacement_ticks[i] <= program.areas[0].profile.max_displacement_ticks
        nominal = mine["start_tick"] - mine["displacement_ticks"]
        assert np.array_equal(nominal, nominal_grid(area, end))


@FAST
@given(sched=schedulers())
def test_vectorised_schedule_equals_a_pulse_by_pulse_event_loop(sched):
    tl = sched.generate(0, 300_000)
    ref = heapq_schedule(sched, 300_000)
    assert records_as_tuples(tl) == ref


@FAST
@given(sched=schedulers(), chunk=st.integers(1, 500), end=st.integers(1, 600_000))
def test_chunked_generation_gives_exactly_the_pulses_of_one_call(sched, chunk, end):
    one = sched.generate(0, end)
    chunks = list(sched.chunks(0, end, chunk_pulses=chunk))
    assert all(len(c) <= 4 * chunk + 16 for c in chunks), "chunks stay bounded"
    joined = np.concatenate(chunks) if chunks else np.empty(0, TIMELINE_DTYPE)
    assert joined.tobytes() == one.tobytes()


# --- charge balance, ramp, cycling --------------------------------------------------------------

@pytest.mark.requirement("SRS-SCHED-006")
@FAST
@given(area=tonic_areas())
def test_active_charge_balance_leaves_exactly_zero_net_charge_per_pulse(area):
    assume(area.recharge is RechargeMode.ACTIVE)
    area = area.with_amplitude(min(area.amplitude_ua, max_safe_amplitude_ua(area, area.profile)))
    tl = Scheduler(Program((area,))).generate(0, 500_000)
    net = tl["charge_pc"].astype(np.int64) + tl["recharge_charge_pc"]
    assert np.all(net == 0)
    anodic = tl["recharge_amplitude_ua"].astype(np.int64) * tl["recharge_width_us"]
    assert np.all(anodic == tl["charge_pc"])
    assert np.all(tl["recharge_width_us"] == area.pulse_width_us * area.recharge_ratio)


@pytest.mark.requirement("SRS-SCHED-006")
def test_passive_recharge_recovers_the_charge_decayed_over_its_window():
    prof = DeviceProfile()
    a = tonic(50, 300, 3000, recharge=RechargeMode.PASSIVE, passive_window_us=4000)
    tl = Scheduler(Program((a,))).generate(0, 100_000)
    expected = round(3000 * 300 * (1 - math.exp(-4000 / prof.passive_recharge_tau_us)))
    assert np.all(tl["recharge_charge_pc"] == -expected)
    assert np.all(tl["flags"] & FLAG_PASSIVE)
    assert np.all(tl["recharge_amplitude_ua"] == 0)


@pytest.mark.requirement("SRS-SCHED-005")
@FAST
@given(area=st.one_of(tonic_areas(), burst_areas()))
def test_soft_start_ramp_is_monotone_quantised_and_never_above_target(area):
    assume(area.soft_start_ms > 0)
    # within the charge limit, and within compliance (12 V into at most 2 kohm) so the target is reached
    area = area.with_amplitude(min(area.amplitude_ua, max_safe_amplitude_ua(area, area.profile), 6000))
    assume(area.amplitude_ua > 0)
    tl = Scheduler(Program((area,))).generate(0, 2_000_000)
    amp = tl["amplitude_ua"].astype(np.int64)
    assert np.all(amp % 50 == 0)
    assert np.all(amp <= area.amplitude_ua)
    assert np.all(amp >= 50), "a ramp starts at one step, never a zero-amplitude pulse"
    # one amplitude per period (a burst keeps its amplitude); ramps restart at every turn-on
    n = area.pulses_per_burst
    whole = len(amp) // n * n
    per_burst = amp[:whole].reshape(-1, n)
    assert np.all(per_burst == per_burst[:, :1])
    period_start = tl["start_tick"][:whole:n]
    amp = per_burst[:, 0]
    cycle = area.cycling.period_ticks if area.cycling else 1 << 62
    turn_on = period_start // cycle
    for on in np.unique(turn_on):
        assert np.all(np.diff(amp[turn_on == on]) >= 0)
    settled = amp[(period_start % cycle) >= area.soft_start_ms * 1000]
    assert np.all(settled == area.amplitude_ua)


# --- published waveforms ------------------------------------------------------------------------

@pytest.mark.requirement("SRS-SCHED-004", "SRS-SCHED-006")
def test_burstdr_is_40_hz_bursts_of_5_one_ms_pulses_at_500_hz_with_passive_recharge_after_the_last():
    area = Area(contacts=BIPOLE, amplitude_ua=1000, pulse_width_us=1000, rate_mhz=40_000, waveform=Waveform.BURST,
                recharge=RechargeMode.PASSIVE, passive_window_us=8000, pulses_per_burst=5,
                intra_burst_rate_mhz=500_000)
    tl = Scheduler(Program((area,))).generate(0, 1_000_000)
    assert len(tl) == 40 * 5
    starts = tl["start_tick"].reshape(40, 5)
    assert np.all(np.diff(starts[:, 0]) == 25_000)          # 40 Hz bursts
    assert np.all(np.diff(starts, axis=1) == 2_000)          # 500 Hz inside a burst
    assert np.all(tl["width_us"] == 1000)                    # 1 ms pulses
    last = (tl["flags"] & FLAG_BURST_LAST) > 0
    assert np.array_equal(np.flatnonzero(last) % 5, np.full(40, 4))
    assert np.all(tl["recharge_width_us"][~last] == 0)       # monophasic within the burst
    assert np.all(tl["recharge_width_us"][last] == 8000)     # passive recharge after the last pulse


@pytest.mark.requirement("SRS-SCHED-004", "SRS-SCHED-006")
def test_hf10_is_10_khz_30_us_charge_balanced_biphasic():
    area = Area(contacts=BIPOLE, amplitude_ua=2500, pulse_width_us=30, rate_mhz=10_000_000,
                waveform=Waveform.HIGH_FREQUENCY)
    tl = Scheduler(Program((area,))).generate(0, 1_000_000)
    assert len(tl) == 10_000
    assert np.all(np.diff(tl["start_tick"]) == 100)
    assert np.all(tl["width_us"] == 30) and np.all(tl["recharge_width_us"] == 30)
    assert np.all(tl["charge_pc"].astype(np.int64) + tl["recharge_charge_pc"] == 0)


# --- safety -------------------------------------------------------------------------------------

def shannon_ok(amp_ua: int, width_us: int, share_pct: int, area_mm2: float = 12.0, k: float = 1.85) -> bool:
    """Independent float check: log10(D) + log10(Q) <= k and D <= 30 uC/cm2."""
    q_uc = amp_ua * width_us * share_pct / 100 * 1e-6
    if q_uc == 0:
        return True
    d = q_uc / (area_mm2 / 100)
    return math.log10(d) + math.log10(q_uc) <= k and d <= 30


@pytest.mark.requirement("SRS-GEN-CHARGE-LIMIT")
def test_shannon_binds_near_2_9_uc_per_phase_at_12_mm2_contacts():
    prof = DeviceProfile()
    assert 2_900_000 <= prof.max_cathode_charge_pc <= 2_920_000
    assert max_safe_amplitude_ua(tonic(50, 300, 0), prof) == 9_700  # about 9.8 mA at 300 us
    assert max_safe_amplitude_ua(tonic(50, 1000, 0), prof) == 2_900  # about 2.9 mA at 1 ms


@pytest.mark.requirement("SRS-SAFE-001", "SRS-GEN-CHARGE-LIMIT")
@FAST
@given(program=programs(safe=False))
def test_no_emitted_pulse_exceeds_a_charge_limit_and_refusals_are_exactly_the_unsafe_programs(program):
    unsafe = any(not shannon_ok(a.amplitude_ua, a.pulse_width_us, share)
                 for a in program.areas for _, share in a.contacts.cathodes)
    try:
        sched = Scheduler(program)
    except SafetyLimitError:
        assert unsafe
        return
    except InterleaveError:
        return
    assert not unsafe
    tl = sched.generate(0, 200_000)
    for i, a in enumerate(program.areas):
        mine = tl[tl["area"] == i]
        for _, share in a.contacts.cathodes:
            assert all(shannon_ok(int(x), a.pulse_width_us, share) for x in np.unique(mine["amplitude_ua"]))


@pytest.mark.requirement("SRS-GEN-COMPLIANCE")
def test_compliance_limits_delivered_current_and_flags_it():
    # 20 mA into 1000 + 1000 ohm would need 40 V; 12 V compliance delivers 6 mA
    a = tonic(50, 100, 20_000)
    tl = Scheduler(Program((a,)), impedances=ContactImpedances.uniform(1000)).generate(0, 100_000)
    assert np.all(tl["amplitude_ua"] == 6000)
    assert np.all(tl["flags"] & 1)
    assert np.all(tl["charge_pc"].astype(np.int64) + tl["recharge_charge_pc"] == 0)


@pytest.mark.requirement("SRS-FAULT-001")
def test_areas_on_a_faulted_contact_stop_and_the_others_continue():
    ohms = [1000] * 16
    ohms[4] = 9000  # open: lead broken or migrated
    prog = Program((tonic(50, 200), tonic(40, 200, contacts=Contacts(cathodes=((4, 100),), anodes=(5,)))))
    sched = Scheduler(prog, impedances=ContactImpedances(tuple(ohms)))
    tl = sched.generate(0, 1_000_000)
    assert sched.stopped_areas == (1,)
    assert set(np.unique(tl["area"]).tolist()) == {0}


# --- refusal ------------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-SCHED-003")
def test_areas_that_cannot_share_the_stage_are_refused_at_programming_time():
    heavy = [tonic(1000, 400), tonic(1000, 400, contacts=Contacts(cathodes=((4, 100),), anodes=(5,)))]
    with pytest.raises(InterleaveError, match="utilisation"):
        Scheduler(Program(tuple(heavy)))


@pytest.mark.requirement("SRS-SCHED-003", "SRS-GEN-DISPLACEMENT-BOUND")
def test_a_displacement_bound_above_the_profile_limit_is_refused_with_the_area_named():
    prof = DeviceProfile(max_displacement_ticks=500)
    a = [Area(contacts=BIPOLE, amplitude_ua=1000, pulse_width_us=300, rate_mhz=50_000, profile=prof),
         Area(contacts=Contacts(cathodes=((4, 100),), anodes=(5,)), amplitude_ua=1000, pulse_width_us=300,
              rate_mhz=40_000, profile=prof)]
    with pytest.raises(InterleaveError) as e:
        Scheduler(Program(tuple(a)))
    assert e.value.field.startswith("areas[") and "600" in str(e.value)


@pytest.mark.requirement("SRS-SCHED-003")
@FAST
@given(program=programs(safe=True))
def test_utilisation_of_100_percent_or_more_is_always_refused(program):
    util = sum(Fraction(a.work_per_period_ticks, a.min_period_ticks) for a in program.areas)
    assume(len(program.areas) > 1)
    if util >= 1:
        with pytest.raises(InterleaveError):
            Scheduler(program)


@pytest.mark.parametrize("kwargs, field", [
    (dict(amplitude_ua=25_550), "amplitude_ua"),
    (dict(amplitude_ua=1025), "amplitude_ua"),
    (dict(pulse_width_us=19), "pulse_width_us"),
    (dict(pulse_width_us=1001), "pulse_width_us"),
    (dict(rate_mhz=1_999), "rate_mhz"),
    (dict(rate_mhz=1_200_001), "rate_mhz"),
    (dict(interphase_gap_us=101), "interphase_gap_us"),
    (dict(recharge_ratio=3), "recharge_ratio"),
    (dict(pulse_width_us=1000, rate_mhz=1_000_000), "pulse_width_us"),
    (dict(contacts=Contacts(cathodes=((0, 60), (1, 30)), anodes=(2,))), "contacts.cathode shares"),
    (dict(contacts=Contacts(cathodes=((0, 100),))), "contacts.anodes"),
    (dict(contacts=Contacts(cathodes=((16, 100),), anodes=(1,))), "contacts.cathode"),
    (dict(contacts=Contacts(cathodes=((0, 100),), anodes=(0,))), "contacts.anode"),
    (dict(cycling=Cycling(on_ms=0, off_ms=10)), "cycling.on_ms"),
])
def test_out_of_range_or_inconsistent_parameters_name_the_field_value_and_allowed_range(kwargs, field):
    base = dict(contacts=BIPOLE, amplitude_ua=3000, pulse_width_us=300, rate_mhz=50_000)
    with pytest.raises(ParameterError) as e:
        Area(**{**base, **kwargs})
    assert e.value.field == field
    assert "not allowed" in str(e.value) and str(e.value.value) in str(e.value)


def test_a_profile_can_narrow_the_ranges():
    narrow = DeviceProfile(max_amplitude_ua=10_000)
    with pytest.raises(ParameterError, match="0 to 10000"):
        Area(contacts=BIPOLE, amplitude_ua=12_000, pulse_width_us=100, rate_mhz=50_000, profile=narrow)


@pytest.mark.requirement("SRS-SAFE-001")
def test_unsafe_amplitude_is_refused_naming_the_limit():
    with pytest.raises(SafetyLimitError, match=r"at most 9700 uA at 300 us"):
        Scheduler(Program((tonic(50, 300, 10_000),)))


# --- totals -------------------------------------------------------------------------------------

def test_window_totals_count_pulses_charge_and_output_stage_energy():
    a = tonic(50, 300, 4000)
    sched = Scheduler(Program((a,)), impedances=ContactImpedances.uniform(1000))
    tot = sched.totals(0, 1_000_000)
    assert tot.pulses == (50,)
    assert tot.charge_pc == (50 * 4000 * 300,)
    # rail = 4 mA * 2000 ohm + 1 V headroom = 9 V; both phases driven; 80 % efficiency
    assert tot.energy_pj[0] == pytest.approx(50 * 9.0 * 2 * 4000 * 300 / 0.8)


@FAST
@given(sched=schedulers(), chunk=st.integers(1, 3000), end=st.integers(1, 2_000_000))
def test_the_compiled_merge_kernel_gives_the_same_bytes_as_the_numpy_path(sched, chunk, end):
    from firmware_model.stimulation.native import load

    if load() is None:
        pytest.skip("no C compiler: the numpy path is the only one")
    native = list(sched.chunks(0, end, chunk_pulses=chunk))
    numpy_path = list(sched.chunks(0, end, chunk_pulses=chunk, native=False))
    def join(parts):
        return np.concatenate(parts).tobytes() if parts else b""
    assert join(native) == join(numpy_path)


# --- exact for the life of an implant -----------------------------------------------------------

YEAR_TICKS = 365 * 86_400 * 1_000_000 + 86_400 * 1_000_000 // 4  # a Julian year of 1 us ticks
THIRTY_YEARS = 30 * YEAR_TICKS
# late years and high rates with a large remainder 10^9 mod rate are where int64 products overflowed
LATE = st.integers(0, THIRTY_YEARS) | st.integers(20 * YEAR_TICKS, THIRTY_YEARS)
HF_RATES = st.integers(1_000_000, 10_000_000) | st.integers(9_000_000, 10_000_000)


def python_reference(sched: Scheduler, start: int, end: int, native: bool) -> None:
    """The vectorised (or compiled) timeline of [start, end) equals the Python-integer event loop."""
    tl = np.concatenate(list(sched.chunks(start, end, native=native)) or [np.empty(0, TIMELINE_DTYPE)])
    assert records_as_tuples(tl) == heapq_schedule(sched, end, start_tick=start)
    for _i, p in enumerate(sched._plans):
        mine = tl[tl["area"] == p.index]
        nominal = [k * PERIOD_NUMERATOR // p.rate + int(p.offsets[j])
                   for k, j in zip(mine["period"].tolist(), mine["index"].tolist())]
        assert (mine["start_tick"] - mine["displacement_ticks"]).tolist() == nominal


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(sched=schedulers(), offset=LATE, native=st.booleans())
def test_any_window_up_to_30_years_in_equals_python_integer_arithmetic(sched, offset, native):
    python_reference(sched, offset, offset + 150_000, native)


@pytest.mark.requirement("SRS-SCHED-001")
@FAST
@given(rate_mhz=HF_RATES, offset=LATE)
def test_high_frequency_starts_are_exact_at_every_legal_rate_for_30_years(rate_mhz, offset):
    area = Area(contacts=BIPOLE, amplitude_ua=1000, pulse_width_us=20, rate_mhz=rate_mhz,
                waveform=Waveform.HIGH_FREQUENCY)
    tl = Scheduler(Program((area,))).generate(offset, offset + 5_000)
    k0 = -(-offset * rate_mhz // PERIOD_NUMERATOR)
    assert tl["start_tick"].tolist() == [k * PERIOD_NUMERATOR // rate_mhz for k in range(k0, k0 + len(tl))]
    assert tl["period"].tolist() == list(range(k0, k0 + len(tl)))


def test_9950_249_hz_six_years_in_is_on_the_grid_not_21_days_early():
    area = Area(contacts=BIPOLE, amplitude_ua=1000, pulse_width_us=30, rate_mhz=9_950_249,
                waveform=Waveform.HIGH_FREQUENCY)
    six_years = 6 * YEAR_TICKS
    tl = Scheduler(Program((area,))).generate(six_years, six_years + 1_000)
    k = int(tl["period"][0])
    assert int(tl["start_tick"][0]) == k * PERIOD_NUMERATOR // 9_950_249 >= six_years
    assert int(tl["start_tick"][0]) - six_years < 101


FAR = THIRTY_YEARS - 7_777_777  # a tick late in the 30th year, on no round boundary


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "numpy"])
@pytest.mark.parametrize("name, areas", [
    ("tonic", (tonic(1199.999, 60), tonic(50, 300, contacts=Contacts(cathodes=((4, 100),), anodes=(5,))))),
    ("burst", (Area(contacts=BIPOLE, amplitude_ua=1000, pulse_width_us=1000, rate_mhz=40_001, waveform=Waveform.BURST,
                    recharge=RechargeMode.PASSIVE, passive_window_us=8000, pulses_per_burst=5,
                    intra_burst_rate_mhz=499_999),)),
    ("hf", (Area(contacts=BIPOLE, amplitude_ua=2500, pulse_width_us=30, rate_mhz=9_950_249,
                 waveform=Waveform.HIGH_FREQUENCY),)),
    ("cycled", (tonic(333.333, 200, cycling=Cycling(on_ms=7, off_ms=5)),
                tonic(40, 100, contacts=Contacts(cathodes=((4, 100),), anodes=(5,))))),
    ("soft_start", (tonic(1000.001, 100, 5000, cycling=Cycling(on_ms=40, off_ms=3), soft_start_ms=37),)),
])
@pytest.mark.requirement("SRS-SCHED-001", "SRS-SCHED-004")
def test_each_waveform_is_exact_at_the_far_end_of_30_years(name, areas, native):
    sched = Scheduler(Program(areas))
    python_reference(sched, FAR, FAR + 300_000, native)
    tl = sched.generate(FAR, FAR + 300_000)
    assert len(tl) > 20 and int(tl["start_tick"][0]) >= FAR
    if name == "soft_start":
        assert len(np.unique(tl["amplitude_ua"])) > 10, "the ramp restarts at every turn-on, years in"
    if name == "cycled":
        assert np.count_nonzero(tl["area"] == 0) < 0.7 * 333.333 * 0.3


# --- records an independent checker can use, and resuming from the scheduler's own state ----------

@FAST
@given(sched=schedulers())
def test_records_carry_period_index_and_end_so_nominal_start_and_occupancy_need_no_scheduler(sched):
    tl = sched.generate(0, 300_000)
    for i, area in enumerate(sched.program.areas):
        mine = tl[tl["area"] == i]
        offsets = area.burst_offsets_ticks
        nominal = [k * PERIOD_NUMERATOR // area.rate_mhz + offsets[j]
                   for k, j in zip(mine["period"].tolist(), mine["index"].tolist())]
        assert (mine["start_tick"] - mine["displacement_ticks"]).tolist() == nominal
        occ = [area.pulse_occupancies_ticks()[j] for j in mine["index"].tolist()]
        assert (mine["end_tick"] - mine["start_tick"]).tolist() == occ
        # the occupancy is exactly what the record says: width + gap + recharge (0 and 0 inside a burst)
        assert np.array_equal(mine["end_tick"] - mine["start_tick"], occupancy(mine))


@FAST
@given(sched=schedulers(), cuts=st.lists(st.integers(1, 399_999), max_size=6), chunk=st.integers(1, 400))
def test_a_run_resumes_exactly_from_the_state_the_scheduler_hands_back(sched, cuts, chunk):
    whole = sched.generate(0, 400_000)
    state, parts = ScheduleState(), []
    for cut in sorted(set(cuts)) + [400_000]:
        part, state = sched.run(state, cut)
        parts.append(part)
        assert state.tick == cut
    assert np.concatenate(parts).tobytes() == whole.tobytes()
    # and from the state after any streamed chunk
    streamed = list(sched.stream(ScheduleState(), 400_000, chunk_pulses=chunk))
    if len(streamed) > 2:
        _, middle = streamed[len(streamed) // 2]
        rest = [c for c, _ in sched.stream(middle, 400_000)]
        head = [c for c, _ in streamed[:len(streamed) // 2 + 1]]
        assert np.concatenate(head + rest).tobytes() == whole.tobytes()


def test_resuming_while_the_stage_is_still_busy_displaces_the_next_pulse_exactly():
    # area 1 (49.95 Hz) is due 100 us into area 0's 400 us occupancy at 100 ms: it waits 300 us
    prog = Program((tonic(40, 200), tonic(49.95, 400, contacts=Contacts(cathodes=((4, 100),), anodes=(5,)))))
    sched = Scheduler(prog)
    whole = sched.generate(0, 1_000_000)
    busy = whole[whole["displacement_ticks"] > 0]
    cut = 100_100  # area 1's nominal start while area 0's pulse holds the stage
    assert busy[busy["start_tick"] - busy["displacement_ticks"] == cut]["displacement_ticks"].tolist() == [300]
    head, state = sched.run(ScheduleState(), cut)
    assert state.stage_free_at > cut
    tail, _ = sched.run(state, 1_000_000)
    assert np.concatenate([head, tail]).tobytes() == whole.tobytes()


@pytest.mark.parametrize("kwargs", [dict(tick=-1), dict(stage_free_at=-5), dict(tick=1.5), dict(tick=True)])
def test_a_malformed_state_is_refused_naming_the_field(kwargs):
    with pytest.raises(ValueError, match=f"{next(iter(kwargs))} = .* is not allowed"):
        ScheduleState(**kwargs)


def test_a_run_cannot_end_before_its_state():
    sched = Scheduler(Program((tonic(50, 100),)))
    with pytest.raises(ValueError, match="end_tick = 5 is not allowed"):
        sched.run(ScheduleState(10, 10), 5)


@pytest.mark.parametrize("program", ["four_tonic_areas", "hf10"])
def test_the_boards_c_scheduler_baseline_emits_the_models_pulse_count(program):
    import tests.support.reference_scheduler as bench

    run = bench.board_c_scheduler()
    if run is None:
        pytest.skip("the board's host library (make -C hil/board host) cannot be built here")
    prog = getattr(bench, program)()
    for ticks in (1, 99_999, 1_000_000):
        assert run(prog, ticks) == len(Scheduler(prog).generate(0, ticks))


def test_totals_count_each_pulse_for_the_stage_time_it_really_occupies():
    area = Area(contacts=BIPOLE, amplitude_ua=1000, pulse_width_us=800, rate_mhz=40_000, waveform=Waveform.BURST,
                recharge=RechargeMode.PASSIVE, passive_window_us=5000, pulses_per_burst=5,
                intra_burst_rate_mhz=1_200_000, interphase_gap_us=90)
    tot = Scheduler(Program((area,))).totals(0, 1_000_000)
    # 40 bursts: four 800 us pulses, then 800 us + 90 us gap + 5 ms passive window
    assert tot.pulses == (200,)
    assert tot.busy_ticks == (40 * (4 * 800 + 800 + 90 + 5000),)
    assert tot.out_of_compliance == (0,)


@FAST
@given(sched=schedulers(), tick=st.integers(0, 3_000_000))
def test_the_state_at_any_tick_is_rebuilt_exactly_from_the_last_busy_period(sched, tick):
    _, from_zero = sched.run(ScheduleState(), tick)
    assert sched.state_at(tick) == from_zero
