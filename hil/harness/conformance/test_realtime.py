"""Hardware-timed output (targets with capability bit 5: a timer interrupt drives the output pins from
a queue the firmware fills ahead): every pulse on its tick while the link is busy, and a link that
answers frames sent back to back.

The timing evidence is the pins seen from outside the firmware (targets with the pin observer: qemu-rt,
QEMU's TCG plugin, hil/board/observer.py): every edge against the reference on the absolute schedule,
the tick the firmware took at STIM_SET plus SCS_START_LEAD_TICKS, never aligned on the first pulse. The
firmware's own trace and late counters (TRACE_DUMP, STATUS, TIMING) are its self-report: checked too,
but not the evidence."""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import pytest

from hil.analysis import pin_evidence, pins
from hil.board.observer import CLOCK_SYMBOL as START_SYMBOL  # what the observer marks
from hil.board.observer import OFF_SYMBOL
from hil.harness.conformance.support import (
    BURST_DR,
    CAT,
    CYCLED,
    FOUR_AREAS,
    HARDWARE_TIMED,
    HF10,
    TRACE,
    dump_trace,
    program,
    reference_timeline,
    wait,
)
from hil.harness.state import needs_reason
from protocol.wire.codec import make

PROGRAMS = [FOUR_AREAS, BURST_DR, HF10, CYCLED]
IDS = ["four-areas", "burstdr", "hf10", "cycled"]
PIN_SPAN_TICKS = 60_000  # device time each pin test stimulates (the cycled program: 1.2 cycles)


@pytest.fixture
def observer(scs_target, scs_info):
    """The target's pin observer, or a skip naming what is missing and what the target has."""
    if not getattr(scs_target, "pin_observer", False):
        has = needs_reason(scs_info, 0).split("; ", 1)[1]
        pytest.skip(f"needs the pin observer (pin evidence from outside the firmware: --target qemu-rt); {has}")
    return scs_target


@contextlib.contextmanager
def flooding(b):
    """A second thread sends signed STATUS_GET requests back to back; yields the names answered."""
    stop, answered, errors = threading.Event(), [], []

    def flood():
        try:
            while not stop.is_set():
                answered.append(b.request(make(CAT, "STATUS_GET")).name)
        except Exception as e:  # noqa: BLE001 (reported by the test)
            errors.append(e)

    flooder = threading.Thread(target=flood, daemon=True)
    flooder.start()
    try:
        while len(answered) < 10 and not errors and flooder.is_alive():  # in the flood's progress, not wall time
            b.call("CLOCK_GET")
        yield answered
    finally:
        stop.set()
        flooder.join(timeout=30)
    assert not errors, errors
    assert len(answered) >= 10 and set(answered) == {"STATUS"}, "the flood was answered"


@pytest.mark.requirement("SRS-PIN-004", "SRS-PIN-005", "SRS-PIN-002", "SRS-PIN-007")
@pytest.mark.needs(HARDWARE_TIMED)
@pytest.mark.parametrize("flood", [False, True], ids=["quiet", "flooded"])
@pytest.mark.parametrize("areas", PROGRAMS, ids=IDS)
def test_every_edge_reaches_the_pins_within_its_due_tick_on_the_absolute_schedule(observer, tester, areas, flood,
                                                                                   record_property, measure):
    program(tester, 0, areas)
    with flooding(tester) if flood else contextlib.nullcontext():
        tester.call("STIM_SET", on=1)
        end_ns = wait(tester, PIN_SPAN_TICKS, False) * pins.NS_PER_TICK  # the device clock: all due before fired
    tester.call("STIM_SET", on=0)
    run = pin_evidence.last_run(observer.record(), observer.marks[START_SYMBOL])
    want = reference_timeline(areas, 2 * PIN_SPAN_TICKS)
    reports = pin_evidence.edge_reports(run, want, until_ns=end_ns)
    record_property("pin_lateness", pins.lateness_summary(reports))
    assert len(reports) >= pin_evidence.due_before(want, run, end_ns) > 0, "every edge due was written"
    wrong = [r for r in reports if not r.matches]
    assert not wrong, f"edge {reports.index(wrong[0])}: pins/DAC {wrong[0].write} where the reference has {wrong[0].due}"
    lateness = [r.lateness_ns for r in reports]
    measure("pin_edge_lateness_min", min(lateness), "ns", low=0, high=pins.NS_PER_TICK - 1)
    measure("pin_edge_lateness_max", max(lateness), "ns", low=0, high=pins.NS_PER_TICK - 1)
    late = [r for r in reports if not 0 <= r.lateness_ns < pins.NS_PER_TICK]
    assert not late, (f"{len(late)} of {len(reports)} edges outside their due tick, e.g. edge due at tick "
                      f"{late[0].due.tick} written {late[0].lateness_ns} ns after it started")
    _assert_charge_balanced_at_the_pins(run, want, end_ns, measure)


def _assert_charge_balanced_at_the_pins(run, want, end_ns: int, measure) -> None:
    """Every actively recharged pulse's recharge phase returns its cathodic charge, from the DAC codes
    and the phase durations the pins show: the codes balance exactly, so within the edges' tick."""
    imbalance = [q for p in pins.pulses([w for w in run.writes if w.time_ns < end_ns])
                 if (q := pin_evidence.charge_imbalance_pc(p)) is not None]
    if not imbalance:  # passive recharge only (BurstDR): no active phase to balance
        return
    bound = pin_evidence.charge_imbalance_bound_pc(want)
    worst = max(imbalance, key=abs)
    measure("charge_imbalance", round(float(worst), 1), "pC", low=-float(bound), high=float(bound))
    assert abs(worst) <= bound, f"a pulse at the pins leaves {float(worst):.0f} pC, the bound is {float(bound):.0f} pC"


@pytest.mark.requirement("SRS-PIN-003", "SRS-SCHED-006")
@pytest.mark.needs(HARDWARE_TIMED)
def test_no_pulse_starts_once_stim_set_off_is_handled_and_the_last_completes_under_a_flood(observer, tester,
                                                                                         record_property, measure):
    program(tester, 0, HF10)
    with flooding(tester):
        tester.call("STIM_SET", on=1)
        wait(tester, 20_000, False)
        tester.call("STIM_SET", on=0)
        wait(tester, 2_000, False)
    record = observer.record()
    run = pin_evidence.last_run(record, observer.marks[START_SYMBOL])
    stop = pin_evidence.stop(record, observer.marks[OFF_SYMBOL], run.stim_set_tick * pins.NS_PER_TICK)
    record_property("off_to_last_pulse_start_ns", stop.off_to_last_start_ns)
    measure("pulses_started_after_off", stop.starts_after, "pulses", high=0)
    if stop.off_to_last_start_ns is not None:
        measure("off_to_last_pulse_start", stop.off_to_last_start_ns, "ns", high=0)
    assert stop.starts_after == 0, f"{stop.starts_after} pulses started after STIM_SET off was handled"
    assert (stop.pins_after, stop.dac_after) == (0, 0), "the output ends low with no current"
    writes = [w for w in record.pin_writes if w.time_ns > run.stim_set_tick * pins.NS_PER_TICK]
    rises = sum(1 for a, b in zip([pins.PinWrite(0, 0, 0), *writes], writes) if b.pins & ~a.pins & pins.CATHODIC)
    assert rises == len(pins.pulses(writes)) > 100, "every pulse started completed its recharge phase"


def _assert_trace_is_the_reference(got: np.ndarray, areas: list[dict]) -> None:
    assert len(got) > 10
    rel = got["tick"].astype(np.int64) - int(got["tick"][0])
    want = reference_timeline(areas, int(rel[-1]) + 1)
    # the trace stops at an arbitrary tick: a pulse due by then but displaced past it (a collision) is
    # not traced yet. Actual starts never decrease (one output stage), so the rest is a prefix.
    want = want[want["start_tick"] <= rel[-1]]
    assert len(want) == len(got), "the trace is the reference timeline, pulse for pulse"
    off = np.nonzero(rel != want["start_tick"])[0]
    assert off.size == 0, (f"pulse {off[0]} fired at tick {rel[off[0]]} from the first, the reference says "
                           f"{want['start_tick'][off[0]]}" if off.size else "")
    assert np.array_equal(got["area"], want["area"])
    assert np.array_equal(got["amplitude_ua"], want["amplitude_ua"])


def _late(b) -> tuple[int, int]:
    return b.call("STATUS_GET").late_pulses, b.call("TIMING_GET").late_edges


@pytest.mark.requirement("SRS-PIN-001", "SRS-SCHED-001", "SRS-SCHED-002", "SRS-SCHED-004", "SRS-SCHED-005")
@pytest.mark.needs(HARDWARE_TIMED | TRACE)
@pytest.mark.parametrize("areas", PROGRAMS, ids=IDS)
def test_the_timer_fires_every_pulse_on_the_reference_tick_and_none_late(tester, areas, measure):
    program(tester, 0, areas)
    before = _late(tester)
    tester.call("TRACE_START", max_pulses=1500)
    tester.call("STIM_SET", on=1)
    wait(tester, 150_000, False)
    tester.call("TRACE_STOP")
    tester.call("STIM_SET", on=0)
    _assert_trace_is_the_reference(dump_trace(tester), areas)
    after = _late(tester)
    measure("late_pulses", after[0] - before[0], "pulses", high=0)
    measure("late_edges", after[1] - before[1], "edges", high=0)
    assert after == before, "no pulse edge fired after its due tick"


@pytest.mark.requirement("SRS-PIN-002")
@pytest.mark.needs(HARDWARE_TIMED | TRACE)
def test_no_pulse_is_late_while_a_second_thread_floods_the_link_with_signed_requests(tester):
    program(tester, 0, HF10)
    before = _late(tester)
    with flooding(tester) as answered:
        tester.call("TRACE_START", max_pulses=1500)
        tester.call("STIM_SET", on=1)
        while len(answered) < 60:  # in the flood's own progress, never in wall time
            tester.call("CLOCK_GET")
        wait(tester, 150_000, False)
    tester.call("TRACE_STOP")
    _assert_trace_is_the_reference(dump_trace(tester), HF10)
    assert _late(tester) == before


@pytest.mark.requirement("SRS-PROTO-007")
@pytest.mark.needs(HARDWARE_TIMED)
def test_signed_frames_sent_back_to_back_are_all_answered_in_order(tester):
    """Eight signed requests written in one go, without waiting: the receive interrupt queues them
    while the first is verified and answered; none is lost."""
    b = tester
    b.ensure_session()  # the frames below are written by hand: the role's session must be open first
    requests = [make(CAT, "CLOCK_GET") if i % 2 else make(CAT, "STATUS_GET") for i in range(8)]
    with b._lock:  # the bridge's own framing and signing, pipelined
        seqs = [b.seq.next() for _ in requests]
        b._write(b"".join(b.host.request_bytes(obj, seq) for obj, seq in zip(requests, seqs)))
        replies = [b._pump(5.0, seq) for seq in seqs]
    assert all(r is not None for r in replies), "every frame was answered"
    names = [r[1][0].name for r in replies]
    assert names == ["STATUS", "CLOCK"] * 4
    assert b.call("TIMING_GET").rx_overruns == 0
