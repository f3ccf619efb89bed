"""The device's pulse stream and trace: exact in absolute ticks decades into a run, and retargeting
(new amplitudes or impedances) continues the same grid with the stage busy exactly as long as it is."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_model.device.pulse_output import PulseOutput
from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.params import (
    PERIOD_NUMERATOR,
    Area,
    Contacts,
    Program,
    RechargeMode,
    Waveform,
)
from firmware_model.stimulation.pulse_stream import PulseStream
from firmware_model.stimulation.safety import ContactImpedances
from firmware_model.stimulation.scheduler import Scheduler
from tests.support.reference_scheduler import heapq_schedule

YEAR = 365 * 86_400 * 1_000_000 + 86_400 * 1_000_000 // 4
BIPOLE = Contacts(cathodes=((0, 100),), anodes=(1,))
HF = Area(contacts=BIPOLE, amplitude_ua=1000, pulse_width_us=30, rate_mhz=9_950_249, waveform=Waveform.HIGH_FREQUENCY)
# 800 us pulses 833 us apart: counting the 90 us gap inside the burst would push the next pulse late
BURST = Area(contacts=BIPOLE, amplitude_ua=1000, pulse_width_us=800, rate_mhz=40_000, waveform=Waveform.BURST,
             recharge=RechargeMode.PASSIVE, passive_window_us=5000, pulses_per_burst=5,
             intra_burst_rate_mhz=1_200_000, interphase_gap_us=90)
TWO_AREAS = Program((Area(contacts=BIPOLE, amplitude_ua=2000, pulse_width_us=300, rate_mhz=129_999),
                     Area(contacts=Contacts(cathodes=((4, 100),), anodes=(5,)), amplitude_ua=2000,
                          pulse_width_us=200, rate_mhz=1_199_999)))


@pytest.mark.parametrize("origin", [0, 6 * YEAR + 12_345, 30 * YEAR - 1])
def test_a_stream_read_30_years_after_turn_on_is_on_the_exact_grid(origin):
    stream = PulseStream(Scheduler(Program((HF,))), origin)
    late = origin + 30 * YEAR - 999_999
    stream.skip_until(late)
    got = stream.take_until(late + 2_000)
    k0 = -(-(late - origin) * HF.rate_mhz // PERIOD_NUMERATOR)
    want = [origin + k * PERIOD_NUMERATOR // HF.rate_mhz for k in range(k0, k0 + len(got))]
    assert len(got) == 20 and got["start_tick"].tolist() == want
    assert (got["end_tick"] - got["start_tick"]).tolist() == [60] * 20


def test_the_trace_of_two_colliding_areas_years_in_matches_python_integers():
    origin = 30 * YEAR - 5_000_000
    out = PulseOutput(origin)
    out.start(TWO_AREAS, DeviceProfile(), ContactImpedances.uniform(1000), [2000, 2000], origin)
    out.trace_start(10_000)
    out.emit(origin + 300_000)
    ref = heapq_schedule(Scheduler(TWO_AREAS), 300_000)
    assert out.trace["tick"].tolist() == [origin + r[0] for r in ref]
    assert out.trace["area"].tolist() == [r[1] for r in ref]


@pytest.mark.parametrize("cut_in_burst", range(6))
def test_a_retarget_inside_a_burst_keeps_every_later_pulse_on_time(cut_in_burst):
    origin = 7 * YEAR
    sched = Scheduler(Program((BURST,)))
    plain = PulseStream(sched, origin).take_until(origin + 200_000)
    stream = PulseStream(sched, origin)
    # cut just after the start of the cut_in_burst-th pulse of the second burst (5: after the burst)
    cut = int(plain["start_tick"][5 + min(cut_in_burst, 4)]) + (1 if cut_in_burst < 5 else 500)
    head = stream.take_until(cut)
    stream.retarget(sched.derive(amplitudes_ua=(700,)), cut)
    tail = stream.take_until(origin + 200_000)
    joined = np.concatenate([head, tail])
    assert joined["start_tick"].tolist() == plain["start_tick"].tolist(), "no pulse is late after the retarget"
    assert joined["end_tick"].tolist() == plain["end_tick"].tolist()
    assert np.all(tail["displacement_ticks"] == 0)
    assert set(tail["amplitude_ua"].tolist()) == {700}


def test_a_retarget_of_colliding_areas_continues_the_stage_state_exactly():
    origin = 3 * YEAR
    sched = Scheduler(Program(TWO_AREAS.areas))
    plain = PulseStream(sched, origin).take_until(origin + 500_000)
    displaced = plain[plain["displacement_ticks"] > 0]
    cut = int(displaced["start_tick"][3]) - int(displaced["displacement_ticks"][3])  # a nominal start while busy
    stream = PulseStream(sched, origin)
    head = stream.take_until(cut)
    assert stream.stage_free_at + origin > cut
    stream.retarget(sched.derive(impedances=ContactImpedances.uniform(1200)), cut)
    tail = stream.take_until(origin + 500_000)
    joined = np.concatenate([head, tail])
    assert joined["start_tick"].tolist() == plain["start_tick"].tolist()
    assert joined["displacement_ticks"].tolist() == plain["displacement_ticks"].tolist()


def test_skipping_ahead_with_colliding_areas_gives_exactly_the_pulses_of_a_full_run():
    sched = Scheduler(TWO_AREAS)
    full = PulseStream(sched, 0).take_until(12_000_000)
    stream = PulseStream(sched, 0)
    stream.skip_until(9_000_000)  # far enough to take the shortcut through the last busy period
    tail = stream.take_until(12_000_000)
    nominal = full["start_tick"] - full["displacement_ticks"]
    assert tail.tobytes() == full[nominal >= 9_000_000].tobytes()


def test_a_device_with_colliding_areas_can_skip_30_years_and_stay_exact():
    sched = Scheduler(TWO_AREAS)
    origin, late = 12_345, 30 * YEAR
    stream = PulseStream(sched, origin)
    stream.skip_until(origin + late)
    got = stream.take_until(origin + late + 200_000)
    # reference: Python integers from well before the last busy period, with an idle stage
    back = late - 10 * sched.busy_period_bound_ticks()
    ref = [r for r in heapq_schedule(sched, late + 200_000, start_tick=back) if r[0] - r[3] >= late]
    assert got["start_tick"].tolist() == [origin + r[0] for r in ref]
    assert got["displacement_ticks"].tolist() == [r[3] for r in ref] and any(r[3] for r in ref)
