"""Therapy behaviour: patient limits, pulse timing against the reference scheduler, AdaptiveStim,
MRI mode, faults and battery telemetry."""

from __future__ import annotations

import numpy as np
import pytest

from hil.harness.conformance.support import (
    BURST_DR,
    CAT,
    CYCLED,
    FOUR_AREAS,
    HF10,
    INPUTS,
    RECHARGEABLE,
    TRACE,
    VIRTUAL_CLOCK,
    area,
    dump_trace,
    program,
    reference_timeline,
    wait,
)
from protocol.spec.generated import MAX_DISPLACEMENT_TICKS
from protocol.wire.codec import make


@pytest.mark.requirement("SRS-THER-001", "SRS-SAFE-002", "SRS-GEN-RESULT-LIMIT_CLAMPED")
def test_the_patient_moves_amplitude_only_inside_the_clinician_window(clinician, patient):
    program(clinician, 0, [area(0, 1, amplitude_ua=3000)])
    clinician.call("LIMITS_WRITE", program=0, area=0, min_amplitude_ua=2000, max_amplitude_ua=3500, patient_selectable=1)
    up = patient.request(make(CAT, "AMPLITUDE_STEP", area=0, steps=20))
    assert up.result == "LIMIT_CLAMPED" and up.message.amplitude_ua[0] == 3500
    down = patient.request(make(CAT, "AMPLITUDE_STEP", area=0, steps=-20))
    assert down.message.amplitude_ua[0] == 2500 and down.result == "OK"
    down = patient.request(make(CAT, "AMPLITUDE_STEP", area=0, steps=-20))
    assert down.message.amplitude_ua[0] == 2000 and down.result == "LIMIT_CLAMPED"


@pytest.mark.requirement("SRS-THER-002", "SRS-GEN-RESULT-NOT_PERMITTED")
def test_the_patient_selects_only_allowed_programs(clinician, patient):
    program(clinician, 0, [area(0, 1)])
    program(clinician, 1, [area(2, 3)])
    clinician.call("LIMITS_WRITE", program=1, area=0, min_amplitude_ua=0, max_amplitude_ua=3000, patient_selectable=0)
    assert patient.request(make(CAT, "PROGRAM_SELECT", program=1)).result == "NOT_PERMITTED"
    assert patient.request(make(CAT, "PROGRAM_SELECT", program=0)).result == "OK"


@pytest.mark.requirement("SRS-SCHED-001", "SRS-SCHED-002", "SRS-SCHED-004", "SRS-SCHED-005", "SRS-SCHED-007", "SRS-GEN-DISPLACEMENT-BOUND")
@pytest.mark.needs(TRACE)
@pytest.mark.parametrize("areas", [FOUR_AREAS, BURST_DR, HF10, CYCLED], ids=["four-areas", "burstdr", "hf10", "cycled"])
def test_pulse_starts_match_the_reference_scheduler_to_the_tick(tester, scs_info, areas, measure):
    program(tester, 0, areas)
    tester.call("TRACE_START", max_pulses=2000)
    tester.call("STIM_SET", on=1)
    on_tick = tester.call("CLOCK_GET").ticks
    wait(tester, 150_000, scs_info.has(VIRTUAL_CLOCK))
    tester.call("TRACE_STOP")
    got = dump_trace(tester)
    assert len(got) > 10
    # in the target's own ticks from turn-on (its first pulse starts at turn-on)
    t0 = int(got["tick"][0])
    assert t0 <= on_tick, "stimulation started when STIM_SET was answered"
    rel = got["tick"].astype(np.int64) - t0
    want = reference_timeline(areas, int(rel[-1]) + 1)[:len(got)]
    tol = max(0, scs_info.tick_ns // 1000 - 1)
    assert len(want) == len(got), "the trace is a prefix of the reference timeline"
    measure("pulse_start_error", int(np.max(np.abs(rel - want["start_tick"]))), "ticks", high=tol)
    nominal = want["start_tick"] - want["displacement_ticks"].astype(np.int64)
    measure("interleave_displacement", int(np.max(rel - nominal)), "ticks", low=0, high=MAX_DISPLACEMENT_TICKS)
    assert np.all(np.abs(rel - want["start_tick"]) <= tol)
    assert np.array_equal(got["area"], want["area"])
    assert np.array_equal(got["amplitude_ua"], want["amplitude_ua"])


@pytest.mark.requirement("SRS-THER-003")
@pytest.mark.needs(VIRTUAL_CLOCK | INPUTS)
def test_adaptive_stim_applies_the_amplitude_remembered_for_a_posture_after_its_dwell(tester):
    program(tester, 0, [area(0, 1, amplitude_ua=3000)])
    tester.call("LIMITS_WRITE", program=0, area=0, min_amplitude_ua=0, max_amplitude_ua=5000, patient_selectable=1)
    # a dwell long against the link's latency: a target's own clock keeps running between requests
    tester.call("ADAPTIVE_SET", enabled=1, dwell_ms=5000, ramp_ua_per_s=25_000)
    tester.call("STIM_SET", on=1)
    tester.call("POSTURE_INPUT", posture=1)
    wait(tester, 5_100_000, True)
    assert tester.call("STATUS_GET").posture == 1
    tester.call("AMPLITUDE_STEP", area=0, steps=-10)
    tester.call("POSTURE_INPUT", posture=0)
    wait(tester, 500_000, True)
    assert tester.call("STATUS_GET").amplitude_ua[0] == 2500, "no change before the dwell time"
    wait(tester, 4_700_000, True)
    st = tester.call("STATUS_GET")
    assert st.posture == 0 and st.amplitude_ua[0] == 3000
    tester.call("POSTURE_INPUT", posture=1)
    wait(tester, 5_200_000, True)
    assert tester.call("STATUS_GET").amplitude_ua[0] == 2500


@pytest.mark.requirement("SRS-THER-004", "SRS-SAFE-003", "SRS-GEN-MRI-ALLOWED")
def test_mri_mode_stops_stimulation_refuses_therapy_changes_and_restores_on_exit(clinician):
    program(clinician, 0, [area(0, 1)])
    clinician.call("STIM_SET", on=1)
    clinician.call("MRI_MODE_SET", enter=1)
    st = clinician.call("STATUS_GET")
    assert st.mri_mode == 1 and st.stim_on == 0
    assert clinician.request(make(CAT, "STIM_SET", on=1)).result == "WRONG_STATE"
    assert clinician.request(make(CAT, "AREA_WRITE", program=1, area=0, **area(2, 3))).result == "WRONG_STATE"
    assert clinician.request(make(CAT, "STIM_SET", on=0)).result == "OK", "stopping is always allowed"
    clinician.call("STIM_SET", on=0)
    clinician.call("MRI_MODE_SET", enter=0)
    assert clinician.call("STATUS_GET").stim_on == 0, "the patient's 'off' in MRI mode is kept"


@pytest.mark.requirement("SRS-FAULT-001", "SRS-GEN-IMPEDANCE-WINDOW", "SRS-GEN-FAULT-IMPEDANCE_OPEN")
@pytest.mark.needs(VIRTUAL_CLOCK | INPUTS)
def test_an_open_contact_is_faulted_and_mri_entry_is_refused_while_it_lasts(tester):
    program(tester, 0, [area(0, 1), area(4, 5, rate_mhz=40_000)])
    tester.call("STIM_SET", on=1)
    tester.call("IMPEDANCE_INPUT", contact=4, ohms=9000)
    wait(tester, 11_000_000, True)
    st = tester.call("STATUS_GET")
    assert st.fault_flags & (1 << 1) and st.stim_on == 1
    assert tester.call("IMPEDANCE_GET").faulted_mask == 1 << 4
    assert tester.request(make(CAT, "MRI_MODE_SET", enter=1)).result == "WRONG_STATE"


@pytest.mark.requirement("SRS-BATT-001", "SRS-BATT-002")
@pytest.mark.needs(RECHARGEABLE | INPUTS | VIRTUAL_CLOCK)
def test_battery_telemetry_is_consistent_and_charging_is_reported(tester, measure):
    st = tester.call("STATUS_GET")
    measure("battery_voltage", st.battery_mv, "mV", low=3000, high=4300)
    measure("implant_temperature", st.temperature_mc, "m°C", low=30_000, high=45_000)
    assert 0 <= st.battery_soc_permille <= 1000 and 3000 <= st.battery_mv <= 4300
    assert 30_000 <= st.temperature_mc <= 45_000
    tester.call("RECHARGE_COUPLING_INPUT", separation_mm=10, misalignment_mm=0, transmit_mw=1500)
    wait(tester, 60_000_000, True)
    ch = tester.call("CHARGING_STATUS_GET")
    measure("charge_current", ch.battery_current_ua, "uA", low=1)
    assert ch.recharge_state in (1, 2) and ch.battery_current_ua > 0
    assert tester.call("STATUS_GET").battery_soc_permille > st.battery_soc_permille
