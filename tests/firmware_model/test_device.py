"""The device model: authority, faults, alerts, modes, persistence, event log and pulse trace."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_model.battery import BatteryState
from firmware_model.battery.charger import RechargeState
from firmware_model.device.device import TRACE_RECORD, DeviceConfig
from firmware_model.device.eventlog import EventKind, FaultCode, ModeCode, ResetCode
from firmware_model.device.nvm import FlashSlots, PowerLoss
from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.area_fields import area_from_fields
from firmware_model.stimulation.params import Program
from firmware_model.stimulation.safety import ContactImpedances
from firmware_model.stimulation.scheduler import Scheduler
from protocol.spec.catalog import Role
from protocol.spec.generated import Capability
from tests.support.device_harness import CAT, Bench, area_fields
from tests.support.protocol_harness import KEYS

P, C = Role.PATIENT, Role.CLINICIAN
SECOND = 1_000_000


def fault_bits(*codes: FaultCode) -> int:
    return sum(1 << int(c) for c in codes)


def kinds(bench: Bench, kind: EventKind) -> list[tuple[int, int]]:
    return [(t, code) for t, k, code, _ in bench.log() if k == kind]


def trace(bench: Bench) -> np.ndarray:
    out = []
    offset = 0
    while True:
        _, data = bench.as_role(C, "TRACE_DUMP", offset=offset, count=92)
        out.append(np.frombuffer(data.records, dtype=TRACE_RECORD))
        offset += data.count
        if offset >= data.total or data.count == 0:
            return np.concatenate(out)


# --- authority ----------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-SEC-002", "SRS-GEN-ROLE-PATIENT", "SRS-GEN-RESULT-NOT_PERMITTED")
def test_the_patient_cannot_write_programs_or_limits_and_nothing_changes():
    b = Bench()
    b.program()
    before = b.device.persisted_settings()
    assert b.result(P, "AREA_WRITE", program=1, area=0, **area_fields()) == "NOT_PERMITTED"
    assert b.result(P, "PROGRAM_COMMIT", program=0, area_count=1) == "NOT_PERMITTED"
    assert b.result(P, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=0, max_amplitude_ua=9000,
                    patient_selectable=1) == "NOT_PERMITTED"
    assert b.device.persisted_settings() == before
    assert [c for _, c in kinds(b, EventKind.SECURITY)] == [5, 5, 5]


@pytest.mark.requirement("SRS-SAFE-002", "SRS-THER-001", "SRS-GEN-RESULT-LIMIT_CLAMPED")
def test_patient_steps_amplitude_inside_the_clinician_window_and_is_clamped_at_its_edges():
    b = Bench()
    b.program()
    assert b.result(C, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=2000, max_amplitude_ua=3500,
                    patient_selectable=1) == "OK"
    _, amp = b.as_role(P, "AMPLITUDE_STEP", area=0, steps=11)
    assert CAT.result_name(amp.result) == "LIMIT_CLAMPED" and amp.amplitude_ua[0] == 3500
    _, amp = b.as_role(P, "AMPLITUDE_STEP", area=0, steps=-3)
    assert CAT.result_name(amp.result) == "OK" and amp.amplitude_ua[0] == 3350
    _, amp = b.as_role(P, "AMPLITUDE_STEP", area=0, steps=-20)
    assert CAT.result_name(amp.result) == "OK" and amp.amplitude_ua[0] == 2350
    _, amp = b.as_role(P, "AMPLITUDE_STEP", area=0, steps=-20)
    assert amp.amplitude_ua[0] == 2000 and CAT.result_name(amp.result) == "LIMIT_CLAMPED"
    assert b.result(P, "AMPLITUDE_STEP", area=2, steps=1) == "OUT_OF_RANGE"


@pytest.mark.requirement("SRS-SAFE-001", "SRS-GEN-CHARGE-LIMIT", "SRS-GEN-RESULT-UNSAFE")
def test_a_window_above_the_charge_limit_is_refused_as_unsafe():
    b = Bench()
    b.program()
    assert b.result(C, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=0, max_amplitude_ua=12_000,
                    patient_selectable=1) == "UNSAFE"


@pytest.mark.requirement("SRS-THER-002")
def test_the_patient_selects_only_programs_the_clinician_allowed():
    b = Bench()
    b.program(0)
    b.program(1, [area_fields(amplitude_ua=2000)])
    b.result(C, "LIMITS_WRITE", program=1, area=0, min_amplitude_ua=0, max_amplitude_ua=2000, patient_selectable=0)
    assert b.result(P, "PROGRAM_SELECT", program=1) == "NOT_PERMITTED"
    assert b.result(P, "PROGRAM_SELECT", program=5) == "WRONG_STATE"
    assert b.result(C, "PROGRAM_SELECT", program=1) == "OK"
    assert b.status().active_program == 1


@pytest.mark.parametrize("fields, result, field", [
    (dict(pulse_width_us=300, rate_mhz=1_500_000), "OUT_OF_RANGE", "rate_mhz"),
    (dict(cathode_share_pct=(60, 30) + (0,) * 14), "OUT_OF_RANGE", "cathode_share_pct"),
    (dict(amplitude_ua=10_000), "UNSAFE", "amplitude_ua"),
    (dict(anode_mask=0), "OUT_OF_RANGE", "anode_mask"),
    (dict(recharge_ratio=3), "OUT_OF_RANGE", "recharge_ratio"),
])
@pytest.mark.requirement("SRS-PROTO-004", "SRS-GEN-RESULT-OUT_OF_RANGE")
def test_a_bad_area_is_refused_naming_the_field_and_changes_nothing(fields, result, field):
    b = Bench()
    b.login(C)
    _, r = b.req("AREA_WRITE", program=0, area=0, **area_fields(**fields))
    assert CAT.result_name(r.result) == result
    assert [f.name for f in CAT["AREA_WRITE"].fields][r.field] == field
    assert b.result(C, "PROGRAM_COMMIT", program=0, area_count=1) == "WRONG_STATE"


@pytest.mark.requirement("SRS-SCHED-003", "SRS-GEN-DISPLACEMENT-BOUND")
def test_areas_that_cannot_be_interleaved_are_refused_at_commit():
    b = Bench()
    for i in range(2):
        b.result(C, "AREA_WRITE", program=0, area=i, **area_fields(cathode=2 * i, anode=2 * i + 1, pulse_width_us=450,
                                                                     rate_mhz=1_000_000))
    assert b.result(C, "PROGRAM_COMMIT", program=0, area_count=2) == "UNSAFE"


# --- stimulation and trace ------------------------------------------------------------------------

@pytest.mark.requirement("SRS-SAFE-003", "SRS-SCHED-007", "SRS-PIN-003", "SRS-GEN-RESULT-WRONG_STATE")
def test_stimulation_needs_a_program_and_off_is_always_accepted():
    b = Bench()
    assert b.result(P, "STIM_SET", on=1) == "WRONG_STATE"
    assert b.result(P, "STIM_SET", on=0) == "OK"


@pytest.mark.parametrize("areas", [
    [area_fields(soft_start_ms=40)],
    [area_fields(cathode=0, anode=1, amplitude_ua=3000, pulse_width_us=300, rate_mhz=50_000),
     area_fields(cathode=2, anode=3, amplitude_ua=2500, pulse_width_us=200, rate_mhz=130_000),
     area_fields(cathode=4, anode=5, amplitude_ua=2000, pulse_width_us=100, rate_mhz=500_000),
     area_fields(cathode=6, anode=7, amplitude_ua=1500, pulse_width_us=60, rate_mhz=1_200_000)],
], ids=["tonic-soft-start", "four-areas"])
@pytest.mark.requirement("SRS-SCHED-001", "SRS-SCHED-007")
def test_the_pulse_trace_is_the_scheduler_timeline_for_the_same_settings(areas):
    b = Bench()
    b.program(0, areas)
    b.advance(123_457)
    t0 = b.device.clock
    b.as_role(C, "TRACE_START", max_pulses=100_000)
    b.as_role(P, "STIM_SET", on=1)
    for step in (7_001, 50_000, 200_000, 3):  # the trace does not depend on how time is advanced
        b.advance(step)
    got = trace(b)
    program = Program(tuple(area_from_fields(a, DeviceProfile()) for a in areas))
    want = Scheduler(program, impedances=ContactImpedances.uniform(1000)).generate(0, b.device.clock - t0)
    assert len(got) == len(want) > 10
    assert np.array_equal(got["tick"].astype(np.int64), want["start_tick"] + t0)
    assert np.array_equal(got["area"], want["area"])
    assert np.array_equal(got["amplitude_ua"], want["amplitude_ua"])


@pytest.mark.requirement("SRS-THER-001", "SRS-SCHED-001")
def test_a_patient_amplitude_change_applies_from_that_tick_on_the_same_grid():
    b = Bench()
    b.program()
    b.result(C, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=0, max_amplitude_ua=4000, patient_selectable=1)
    b.as_role(C, "TRACE_START", max_pulses=1000)
    b.as_role(P, "STIM_SET", on=1)
    t0 = b.device.clock
    b.advance(50_000)
    b.as_role(P, "AMPLITUDE_STEP", area=0, steps=2)
    b.advance(50_000)
    tr = trace(b)
    assert np.array_equal(tr["tick"] - t0, np.arange(len(tr)) * 20_000)
    assert list(tr["amplitude_ua"]) == [3000, 3000, 3000, 3100, 3100]


@pytest.mark.requirement("SRS-PROTO-006")
def test_identical_requests_at_identical_ticks_give_identical_responses_events_and_pulses():
    def run() -> tuple:
        b = Bench()
        b.program(0, [area_fields(soft_start_ms=10), area_fields(cathode=4, anode=5, rate_mhz=130_000)])
        b.as_role(C, "TRACE_START", max_pulses=5000)
        b.as_role(P, "STIM_SET", on=1)
        b.as_role(C, "POSTURE_INPUT", posture=2)
        b.advance(3 * SECOND)
        return (b.log(), trace(b).tobytes(), b.status())
    assert run() == run()


# --- faults -------------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-FAULT-001", "SRS-GEN-FAULT-IMPEDANCE_OPEN", "SRS-GEN-IMPEDANCE-WINDOW")
def test_an_open_contact_faults_stops_only_the_areas_using_it_and_logs_it():
    b = Bench()
    b.program(0, [area_fields(cathode=0, anode=1), area_fields(cathode=4, anode=5, rate_mhz=40_000)])
    b.as_role(C, "TRACE_START", max_pulses=10_000)
    b.as_role(P, "STIM_SET", on=1)
    b.as_role(C, "IMPEDANCE_INPUT", contact=4, ohms=9000)
    b.advance(11 * SECOND)  # the next periodic impedance check finds it
    st = b.status()
    assert st.fault_flags == fault_bits(FaultCode.IMPEDANCE_OPEN) and st.stim_on == 1
    check_tick = next(t for t, code in kinds(b, EventKind.FAULT) if code == FaultCode.IMPEDANCE_OPEN)
    assert (check_tick, int(ModeCode.AREA_STOPPED)) in kinds(b, EventKind.MODE)
    tr = trace(b)
    assert tr[tr["area"] == 1]["tick"].max() < check_tick
    assert tr[tr["area"] == 0]["tick"].max() > check_tick
    _, imp = b.as_role(C, "IMPEDANCE_GET")
    assert imp.faulted_mask == 1 << 4 and imp.ohms[4] == 9000
    assert b.result(P, "MRI_MODE_SET", enter=1) == "WRONG_STATE", "no MRI mode while a fault is active"
    b.as_role(C, "IMPEDANCE_INPUT", contact=4, ohms=1200)
    b.advance(10 * SECOND)
    assert b.status().fault_flags == 0


@pytest.mark.requirement("SRS-FAULT-001", "SRS-GEN-FAULT-IMPEDANCE_SHORT", "SRS-GEN-IMPEDANCE-WINDOW")
def test_a_shorted_contact_is_a_short_fault():
    b = Bench()
    b.program()
    b.as_role(C, "IMPEDANCE_INPUT", contact=0, ohms=100)
    b.advance(10 * SECOND)
    assert b.status().fault_flags == fault_bits(FaultCode.IMPEDANCE_SHORT)


@pytest.mark.requirement("SRS-FAULT-002", "SRS-GEN-FAULT-WATCHDOG")
def test_a_stalled_scheduler_is_caught_by_the_watchdog_which_turns_stimulation_off():
    b = Bench()
    b.program()
    b.as_role(C, "TRACE_START", max_pulses=1000)
    b.as_role(P, "STIM_SET", on=1)
    b.advance(100_000)
    stall = b.device.clock
    b.device.inject_scheduler_stall()
    b.advance(SECOND)
    st = b.status()
    assert st.stim_on == 0 and st.fault_flags == fault_bits(FaultCode.WATCHDOG)
    fault = [(t, d) for t, k, code, d in b.log() if k == EventKind.FAULT and code == FaultCode.WATCHDOG]
    assert fault == [(stall + 100_000, 1)]
    assert trace(b)["tick"].max() < stall
    assert b.result(P, "STIM_SET", on=1) == "OK" and b.status().fault_flags == 0


@pytest.mark.requirement("SRS-GEN-FAULT-BATTERY_CUTOFF", "SRS-GEN-BATTERY-STATES")
def test_battery_cut_off_stops_stimulation_until_recharged():
    b = Bench(DeviceConfig(keys=KEYS, initial_soc=0.035))
    b.program(0, [area_fields(amplitude_ua=6000, rate_mhz=1_000_000, pulse_width_us=200)])
    b.as_role(P, "STIM_SET", on=1)
    b.advance(3600 * SECOND)
    st = b.status()
    assert st.stim_on == 0 and st.battery_state == BatteryState.CUTOFF
    assert st.fault_flags == fault_bits(FaultCode.BATTERY_CUTOFF)
    assert b.result(P, "STIM_SET", on=1) == "WRONG_STATE"
    names = [BatteryState(c).name for _, c in kinds(b, EventKind.BATTERY)]
    assert names == ["RECHARGE_NOW", "CUTOFF"] or names[-1] == "CUTOFF"
    b.as_role(C, "RECHARGE_COUPLING_INPUT", separation_mm=10, misalignment_mm=0, transmit_mw=1500)
    b.advance(1800 * SECOND)
    assert b.status().fault_flags == 0
    assert b.result(P, "STIM_SET", on=1) == "OK"
    _, ch = b.as_role(P, "CHARGING_STATUS_GET")
    assert ch.recharge_state == RechargeState.CONSTANT_CURRENT and ch.battery_current_ua > 40_000


@pytest.mark.requirement("SRS-GEN-FAULT-OVER_TEMPERATURE", "SRS-GEN-RECHARGE-SUPERVISION")
def test_over_temperature_pauses_recharge_and_it_resumes_when_cool():
    b = Bench()
    b.device.battery.temp = 42.2  # an external heat source: the implant is already too warm (limit 42 degC)
    b.as_role(C, "RECHARGE_COUPLING_INPUT", separation_mm=10, misalignment_mm=0, transmit_mw=1500)
    b.advance(SECOND)
    assert b.status().recharge_state == RechargeState.PAUSED_HOT
    assert b.status().fault_flags == fault_bits(FaultCode.OVER_TEMPERATURE)
    b.advance(1200 * SECOND)
    st = b.status()
    assert st.recharge_state in (RechargeState.CONSTANT_CURRENT, RechargeState.CONSTANT_VOLTAGE)
    assert st.fault_flags == 0 and st.temperature_mc < 40_000
    recharge = [RechargeState(c).name for _, c in kinds(b, EventKind.RECHARGE)]
    assert recharge[:3] == ["CONSTANT_CURRENT", "PAUSED_HOT", "CONSTANT_CURRENT"]


@pytest.mark.requirement("SRS-GEN-BATTERY-STATES", "SRS-PROTO-005")
def test_battery_alerts_are_logged_in_order_with_their_ticks():
    b = Bench(DeviceConfig(keys=KEYS, initial_soc=0.33))
    b.program(0, [area_fields(amplitude_ua=6000, rate_mhz=1_000_000, pulse_width_us=200)])
    b.as_role(P, "STIM_SET", on=1)
    b.advance(24 * 3600 * SECOND)
    names = [BatteryState(c).name for _, c in kinds(b, EventKind.BATTERY)]
    assert names == ["RECHARGE_SOON", "RECHARGE_NOW", "CUTOFF"]
    ticks = [t for t, _ in kinds(b, EventKind.BATTERY)]
    assert ticks == sorted(ticks) and ticks[0] > 0
    sent = [e for e in b.events if e.kind == EventKind.BATTERY]
    assert [BatteryState(e.code).name for e in sent] == names, "alerts also go out as EVENT frames"


# --- modes --------------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-THER-004", "SRS-GEN-MRI-ALLOWED")
def test_mri_mode_turns_stimulation_off_accepts_only_permitted_requests_and_exit_restores():
    b = Bench()
    b.program()
    b.as_role(P, "STIM_SET", on=1)
    assert b.result(P, "MRI_MODE_SET", enter=1) == "OK"
    st = b.status()
    assert st.mri_mode == 1 and st.stim_on == 0
    assert b.result(P, "STIM_SET", on=1) == "WRONG_STATE"
    assert b.result(P, "AMPLITUDE_STEP", area=0, steps=1) == "WRONG_STATE"
    assert b.result(C, "AREA_WRITE", program=1, area=0, **area_fields()) == "WRONG_STATE"
    assert b.result(P, "MRI_MODE_SET", enter=0) == "OK"
    st = b.status()
    assert st.mri_mode == 0 and st.stim_on == 1


@pytest.mark.requirement("SRS-THER-003")
def test_adaptive_stim_remembers_amplitude_per_posture_after_dwell_and_ramps_at_a_bounded_rate():
    b = Bench()
    b.program()
    b.result(C, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=0, max_amplitude_ua=5000, patient_selectable=1)
    assert b.result(C, "ADAPTIVE_SET", enabled=1, dwell_ms=2000, ramp_ua_per_s=500) == "OK"
    b.as_role(C, "TRACE_START", max_pulses=10_000)
    b.as_role(P, "STIM_SET", on=1)
    b.as_role(C, "POSTURE_INPUT", posture=1)   # lying on the back
    b.advance(1_500_000)
    assert b.status().posture == 0, "a posture applies only after it held for the dwell time"
    b.advance(600_000)
    assert b.status().posture == 1
    b.as_role(P, "AMPLITUDE_STEP", area=0, steps=-20)  # the patient wants 2 mA lying down
    assert b.status().amplitude_ua[0] == 2000
    b.as_role(C, "POSTURE_INPUT", posture=0)   # up again: back to 3 mA, ramped
    t_up = b.device.clock
    b.advance(2 * SECOND + 500_000)
    assert b.status().amplitude_ua[0] == 2000 + 50 * 5  # 0.5 s of 500 uA/s ramp after the dwell
    b.advance(3 * SECOND)
    assert b.status().amplitude_ua[0] == 3000
    tr = trace(b)
    rising = tr[tr["tick"] > t_up]["amplitude_ua"].astype(int)
    assert np.all(np.diff(rising) >= 0) and np.all(np.diff(rising) <= 50)
    b.as_role(C, "POSTURE_INPUT", posture=1)
    b.advance(5 * SECOND)
    assert b.status().amplitude_ua[0] == 2000, "lying down again brings back the remembered 2 mA"


def test_a_trial_device_counts_trial_days_and_has_no_internal_cell_to_recharge():
    b = Bench(DeviceConfig(keys=KEYS, trial=True))
    b.advance(3 * 86_400 * SECOND + 5)
    st = b.status()
    assert st.device_mode == 1 and st.trial_day == 3
    assert b.result(C, "RECHARGE_COUPLING_INPUT", separation_mm=10, misalignment_mm=0, transmit_mw=1000) == "WRONG_STATE"
    _, info = b.as_role(C, "DEVICE_INFO_GET")
    assert info.capabilities & Capability.TRIAL and not info.capabilities & Capability.RECHARGEABLE


# --- persistence --------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-FAULT-004")
def test_settings_survive_a_reset_and_stimulation_resumes():
    b = Bench()
    b.program(2, [area_fields(amplitude_ua=2500)])
    b.result(C, "PROGRAM_SELECT", program=2)
    b.as_role(P, "STIM_SET", on=1)
    assert b.result(C, "RESET", kind=1) == "OK"
    st = b.status()
    assert st.active_program == 2 and st.stim_on == 1 and st.amplitude_ua[0] == 2500
    assert (int(EventKind.RESET), int(ResetCode.POWER_LOSS)) in [(k, c) for _, k, c, _ in b.log()]


def _write_sequence(b: Bench) -> None:
    b.result(C, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=500, max_amplitude_ua=4000, patient_selectable=1)


def test_power_loss_at_every_write_step_leaves_the_old_settings_until_the_write_completes():
    probe = Bench()
    probe.program()
    n_steps = probe.device.store.steps_per_save(len(probe.device.store.load()[1]))
    assert n_steps >= 3
    for step in range(n_steps):
        flash = FlashSlots()
        b = Bench(flash=flash)
        b.program()
        old = b.device.persisted_settings()
        flash.fail_at_step = flash.steps + step
        with pytest.raises(PowerLoss):
            _write_sequence(b)
        b.device.reset(power_loss=True)
        assert b.device.persisted_settings() == old, f"power lost at step {step}"
        assert b.device.settings.programs[0].limits[0] == (0, 3000)
        fallback = (int(EventKind.RESET), int(ResetCode.SLOT_FALLBACK)) in [(k, c) for _, k, c, _ in b.log()]
        assert fallback == (step >= 2), "a half-written slot is reported; an erased one is not"


def test_power_loss_after_the_last_write_step_keeps_the_new_settings():
    flash = FlashSlots()
    b = Bench(flash=flash)
    b.program()
    _write_sequence(b)
    new = b.device.persisted_settings()
    b.device.reset(power_loss=True)
    assert b.device.persisted_settings() == new
    assert new.programs[0].limits[0] == (500, 4000)


@pytest.mark.requirement("SRS-GEN-FAULT-NVM_CORRUPT")
def test_a_corrupt_newest_slot_falls_back_to_the_other_and_both_corrupt_to_safe_defaults():
    flash = FlashSlots()
    b = Bench(flash=flash)
    b.program()
    b.as_role(P, "STIM_SET", on=1)
    seqs = [int.from_bytes(flash.slots[i][4:8], "little") for i in range(2)]
    newest = seqs.index(max(seqs))
    flash.slots[newest][20] ^= 0xFF
    b.device.reset(power_loss=True)
    st = b.status()
    assert st.fault_flags == 0  # the older image (stimulation off) is used, with an event
    assert (int(EventKind.RESET), int(ResetCode.SLOT_FALLBACK)) in [(k, c) for _, k, c, _ in b.log()]
    flash.slots[1 - newest][20] ^= 0xFF
    b.device.reset(power_loss=True)
    st = b.status()
    assert st.stim_on == 0 and st.fault_flags == fault_bits(FaultCode.NVM_CORRUPT)
    assert (int(EventKind.RESET), int(ResetCode.DEFAULTS_LOADED)) in [(k, c) for _, k, c, _ in b.log()]


@pytest.mark.requirement("SRS-SEC-012", "SRS-GEN-BACKOFF")
def test_handshake_back_off_survives_a_reboot():
    from protocol.wire.codec import make

    b = Bench()
    hs_role = 2
    _, ch = b.send(make(CAT, "HELLO", role=hs_role, host_nonce=bytes(16)))
    _, sess = b.send(make(CAT, "AUTH", host_nonce=bytes(16), host_proof=bytes(32)))
    assert CAT.result_name(sess.result) == "BAD_TAG"
    b.device.reset(power_loss=True)
    assert b.device.guard.failures(Role.CLINICIAN) == 1
    _, ch = b.send(make(CAT, "HELLO", role=hs_role, host_nonce=bytes([1]) * 16))
    assert CAT.result_name(ch.result) == "BUSY" and 0 < ch.retry_after_ms <= 1000


# --- event log ----------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-PROTO-005")
def test_the_event_log_is_readable_through_the_protocol_ordered_and_bounded():
    b = Bench(DeviceConfig(keys=KEYS, event_log_capacity=12, event_log_summaries=1, event_log_per_role=1))  # 8: device
    b.program()
    for _ in range(6):
        b.as_role(P, "STIM_SET", on=1)
        b.advance(1000)
        b.as_role(P, "STIM_SET", on=0)
    entries = []
    for i in range(20):
        _, e = b.as_role(C, "EVENT_LOG_READ", index=i)
        if CAT.result_name(e.result) == "OUT_OF_RANGE":
            break
        entries.append(e)
    assert len(entries) == 8 and entries[0].total == 8
    assert [e.tick for e in entries] == sorted(e.tick for e in entries)
    assert entries[-1].kind == EventKind.MODE and entries[-1].code == ModeCode.STIM_OFF
