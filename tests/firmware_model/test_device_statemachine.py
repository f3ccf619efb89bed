"""A Hypothesis state machine over the whole request set, both roles and every physical input.

Every step goes through the real byte pipeline (frames, sessions, exactly-once) into the device
model; invariants are checked after every step and on every pulse the device emits.
"""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from firmware_model.device.device import DeviceConfig
from firmware_model.device.nvm import FlashSlots, PowerLoss
from firmware_model.stimulation import safety
from protocol.spec.catalog import Role
from tests.support.device_harness import CAT, Bench, area_fields
from tests.support.protocol_harness import KEYS

ROLES = st.sampled_from([Role.PATIENT, Role.CLINICIAN])
AREAS = st.sampled_from([
    area_fields(cathode=0, anode=1, amplitude_ua=3000, pulse_width_us=300, rate_mhz=50_000),
    area_fields(cathode=2, anode=3, amplitude_ua=2000, pulse_width_us=200, rate_mhz=130_000, soft_start_ms=20),
    area_fields(cathode=4, anode=5, amplitude_ua=1500, pulse_width_us=60, rate_mhz=1_000_000),
    area_fields(cathode=6, anode=7, amplitude_ua=1000, pulse_width_us=1000, rate_mhz=40_000, waveform=1, recharge=1,
                passive_window_us=3000, pulses_per_burst=3, intra_burst_rate_mhz=500_000),
    area_fields(cathode=8, anode=9, amplitude_ua=2500, pulse_width_us=30, rate_mhz=10_000_000, waveform=2),
])


class DeviceMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.pulses = 0

    @initialize(soc=st.sampled_from([0.020001, 0.3, 0.9]),
                areas=st.lists(AREAS, min_size=1, max_size=2, unique_by=lambda a: a["cathode_share_pct"]),
                on=st.booleans(), trace=st.booleans())
    def a_programmed_device(self, soc, areas, on, trace):
        """Start from a device the clinician programmed (often already stimulating)."""
        self.flash = FlashSlots()
        self.b = Bench(DeviceConfig(keys=KEYS, initial_soc=soc), self.flash)
        self.b.device.pulse_observer = self.observe
        for i, a in enumerate(areas):
            self.b.result(Role.CLINICIAN, "AREA_WRITE", program=0, area=i, **a)
        self.b.result(Role.CLINICIAN, "PROGRAM_COMMIT", program=0, area_count=len(areas))
        if trace:
            self.b.result(Role.TEST, "TRACE_START", max_pulses=5000)
        if on:
            self.b.result(Role.PATIENT, "STIM_SET", on=1)

    # --- invariants on every emitted pulse ------------------------------------------------------
    def observe(self, pulses) -> None:
        d = self.b.device
        assert d.stim_on and not d.mri, "pulses only while stimulation is on and not in MRI mode"
        prog = d.active_program()
        limits = d.settings.programs[d.settings.active_program].limits
        cap = d.profile.max_cathode_charge_pc
        for i, area in enumerate(prog.areas):
            amps = pulses["amplitude_ua"][pulses["area"] == i]
            if not len(amps):
                continue
            top = int(amps.max())
            assert top <= limits[i][1], "no pulse above the clinician's window"
            share = max(s for _, s in area.contacts.cathodes)
            assert top * area.pulse_width_us * share <= cap * 100, "no pulse breaks the charge limit"
        if d.battery is not None:
            cut = [e.tick for e in d.battery.events if e.name == "CUTOFF"]
            if cut:
                assert int(pulses["start_tick"].min()) < max(cut) or not d.battery.cutoff
        self.pulses += len(pulses)

    # --- rules ------------------------------------------------------------------------------------
    @rule(role=ROLES, on=st.booleans())
    def stim(self, role, on):
        r = self.b.result(role, "STIM_SET", on=int(on))
        if not on:
            assert r == "OK", "off is always accepted"
            assert self.b.status().stim_on == 0

    @rule(role=ROLES, program=st.integers(0, 2), areas=st.lists(AREAS, min_size=1, max_size=2, unique_by=lambda a: a["cathode_share_pct"]))
    def write_program(self, role, program, areas):
        before = self.b.device.persisted_settings()
        results = [self.b.result(role, "AREA_WRITE", program=program, area=i, **a) for i, a in enumerate(areas)]
        results.append(self.b.result(role, "PROGRAM_COMMIT", program=program, area_count=len(areas)))
        if role is Role.PATIENT:
            assert set(results) == {"NOT_PERMITTED"}, "a patient never writes programs"
            assert self.b.device.persisted_settings() == before

    @rule(role=ROLES, program=st.integers(0, 2), area=st.integers(0, 1), lo=st.integers(0, 80), hi=st.integers(0, 80),
          selectable=st.booleans())
    def limits(self, role, program, area, lo, hi, selectable):
        before = self.b.device.persisted_settings()
        r = self.b.result(role, "LIMITS_WRITE", program=program, area=area, min_amplitude_ua=lo * 50,
                          max_amplitude_ua=hi * 50, patient_selectable=int(selectable))
        if role is Role.PATIENT:
            assert r == "NOT_PERMITTED" and self.b.device.persisted_settings() == before

    @rule(role=ROLES, program=st.integers(0, 2))
    def select(self, role, program):
        self.b.result(role, "PROGRAM_SELECT", program=program)

    @rule(area=st.sampled_from([0, 1, 255]), steps=st.integers(-20, 20))
    def patient_step(self, area, steps):
        name, amp = self.b.as_role(Role.PATIENT, "AMPLITUDE_STEP", area=area, steps=steps)
        d = self.b.device
        prog = d.active_program()
        if name == "AMPLITUDE" and prog is not None and CAT.result_name(amp.result) in ("OK", "LIMIT_CLAMPED"):
            for i, (lo, hi) in enumerate(d.settings.programs[d.settings.active_program].limits):
                assert lo <= amp.amplitude_ua[i] <= hi, "the patient never leaves the clinician's window"
                assert amp.amplitude_ua[i] <= safety.max_safe_amplitude_ua(prog.areas[i], d.profile)

    @rule(posture=st.integers(0, 6))
    def posture(self, posture):
        assert self.b.result(Role.TEST, "POSTURE_INPUT", posture=posture) == "OK"

    @rule(enabled=st.booleans(), dwell=st.integers(0, 3000), rate=st.integers(1, 40))
    def adaptive(self, enabled, dwell, rate):
        self.b.result(Role.CLINICIAN, "ADAPTIVE_SET", enabled=int(enabled), dwell_ms=dwell, ramp_ua_per_s=rate * 50)

    @rule(role=ROLES, enter=st.booleans())
    def mri(self, role, enter):
        faulted = bool(self.b.device.faults)
        r = self.b.result(role, "MRI_MODE_SET", enter=int(enter))
        if enter and faulted and not self.b.device.mri:
            assert r == "WRONG_STATE"
        if self.b.device.mri:
            assert self.b.status().stim_on == 0

    @rule(sep=st.integers(0, 40), mis=st.integers(0, 30), tx=st.sampled_from([0, 500, 1500, 5000]))
    def coupling(self, sep, mis, tx):
        self.b.result(Role.TEST, "RECHARGE_COUPLING_INPUT", separation_mm=sep, misalignment_mm=mis, transmit_mw=tx)

    @rule(contact=st.integers(0, 9), ohms=st.sampled_from([100, 600, 1000, 2500, 9000]))
    def impedance(self, contact, ohms):
        self.b.result(Role.TEST, "IMPEDANCE_INPUT", contact=contact, ohms=ohms)

    @rule(ticks=st.one_of(st.integers(1, 3_000_000), st.integers(3_000_000, 60_000_000)))
    def clock(self, ticks):
        before = self.b.device.clock
        self.b.advance(ticks)
        assert self.b.device.clock == before + ticks

    @rule(max_pulses=st.integers(1, 5000))
    def trace(self, max_pulses):
        self.b.result(Role.TEST, "TRACE_START", max_pulses=max_pulses)

    @rule(kind=st.integers(0, 1))
    def reset(self, kind):
        assert self.b.result(Role.CLINICIAN, "RESET", kind=kind) == "OK"

    @precondition(lambda self: self.b.device.settings.programs[0] is not None)
    @rule(step=st.integers(0, 4), hi=st.integers(20, 60))
    def power_loss_during_a_write(self, step, hi):
        d = self.b.device
        old = d.persisted_settings()
        self.flash.fail_at_step = self.flash.steps + step
        try:
            self.b.result(Role.CLINICIAN, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=0,
                          max_amplitude_ua=hi * 50, patient_selectable=1)
            lost = False
        except PowerLoss:
            lost = True
        self.flash.fail_at_step = None
        new = d.persisted_settings()
        d.reset(power_loss=True)
        self.b.host.end_session()
        self.b.role = None
        after = d.persisted_settings()
        assert after in (old, new), "after a power loss the settings are the old or the new, never a mix"
        if lost:
            assert after == old or after == new

    @rule(index=st.integers(0, 200))
    def read_log(self, index):
        _, e = self.b.as_role(Role.CLINICIAN, "EVENT_LOG_READ", index=index)
        if index < len(self.b.device.log):
            assert CAT.result_name(e.result) == "OK"
        else:
            assert CAT.result_name(e.result) == "OUT_OF_RANGE"

    # --- invariants after every step --------------------------------------------------------------
    @invariant()
    def events_are_ordered_by_tick(self):
        ticks = [e.tick for e in self.b.device.log.entries()]
        assert ticks == sorted(ticks)

    @invariant()
    def no_stimulation_in_mri_or_after_cut_off(self):
        d = self.b.device
        if d.mri or (d.battery is not None and d.battery.cutoff):
            assert not d.stim_on

    @invariant()
    def applied_amplitudes_stay_within_the_window_and_the_charge_limit(self):
        d = self.b.device
        prog = d.active_program()
        if prog is None:
            return
        for i, area in enumerate(prog.areas):
            lo, hi = d.settings.programs[d.settings.active_program].limits[i]
            assert lo <= d.applied[i] <= hi and lo <= d.target[i] <= hi
            assert d.applied[i] <= safety.max_safe_amplitude_ua(area, d.profile)


DeviceMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
test_device_state_machine = DeviceMachine.TestCase
pytestmark = pytest.mark.slow  # many stateful runs, each through the whole request set
