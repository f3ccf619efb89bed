"""Hardware-timed output (targets with capability bit 5: a timer interrupt drives the output pins from
a queue the firmware fills ahead): every pulse on its tick while the link is busy, and a link that
answers frames sent back to back."""

from __future__ import annotations

import threading

import numpy as np
import pytest

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
from protocol.wire.codec import make

PROGRAMS = [FOUR_AREAS, BURST_DR, HF10, CYCLED]
IDS = ["four-areas", "burstdr", "hf10", "cycled"]


def _assert_trace_is_the_reference(got: np.ndarray, areas: list[dict]) -> None:
    assert len(got) > 10
    rel = got["tick"].astype(np.int64) - int(got["tick"][0])
    want = reference_timeline(areas, int(rel[-1]) + 1)
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
    stop, answered, errors = threading.Event(), [], []

    def flood():
        try:
            while not stop.is_set():
                answered.append(tester.request(make(CAT, "STATUS_GET")).name)
        except Exception as e:  # noqa: BLE001 (reported by the test)
            errors.append(e)

    def until_answered(n: int) -> None:  # in the flood's own progress, never in wall time
        while len(answered) < n and not errors and flooder.is_alive():
            tester.call("CLOCK_GET")

    flooder = threading.Thread(target=flood, daemon=True)
    flooder.start()
    try:
        until_answered(10)
        tester.call("TRACE_START", max_pulses=1500)
        tester.call("STIM_SET", on=1)
        until_answered(len(answered) + 50)
        wait(tester, 150_000, False)
    finally:
        stop.set()
        flooder.join(timeout=30)
    tester.call("TRACE_STOP")
    assert not errors, errors
    assert len(answered) >= 60 and set(answered) == {"STATUS"}, "the flood was answered"
    _assert_trace_is_the_reference(dump_trace(tester), HF10)
    assert _late(tester) == before


@pytest.mark.requirement("SRS-PROTO-007")
@pytest.mark.needs(HARDWARE_TIMED)
def test_signed_frames_sent_back_to_back_are_all_answered_in_order(tester):
    """Eight signed requests written in one go, without waiting: the receive interrupt queues them
    while the first is verified and answered; none is lost."""
    b = tester
    requests = [make(CAT, "CLOCK_GET") if i % 2 else make(CAT, "STATUS_GET") for i in range(8)]
    with b._lock:  # the bridge's own framing and signing, pipelined
        seqs = [b.seq.next() for _ in requests]
        b._write(b"".join(b.host.request_bytes(obj, seq) for obj, seq in zip(requests, seqs)))
        replies = [b._pump(5.0, seq) for seq in seqs]
    assert all(r is not None for r in replies), "every frame was answered"
    names = [r[1][0].name for r in replies]
    assert names == ["STATUS", "CLOCK"] * 4
    assert b.call("TIMING_GET").rx_overruns == 0
