"""The two lock-free queues of the C core, through the host library: the output edge queue (main loop ->
timer interrupt, core/edges.c) and the byte ring (UART interrupt <-> main loop, core/ring.c). The host
port has no hardware-timed output, so these are exercised here as units: the STM32 image uses them."""

from __future__ import annotations

import ctypes

import pytest

from hil.board.host import BoardCore
from tests.support.protocol_harness import KEYS

EDGE_CAPACITY, RING_SIZE = 256, 2048
PIN_CATHODIC, PIN_RECHARGE, EDGE_START, EDGE_FIRED = 0x1, 0x2, 0x1, 0x80
PULSE_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint8, ctypes.c_uint16)


class Out(ctypes.Structure):
    _fields_ = [("pin_word", ctypes.c_uint32), ("dac_word", ctypes.c_uint32)]


class Edge(ctypes.Structure):
    _fields_ = [("due", ctypes.c_uint64), ("amplitude_ua", ctypes.c_uint16), ("dac_code", ctypes.c_uint16),
                ("pins", ctypes.c_uint8), ("area", ctypes.c_uint8), ("flags", ctypes.c_uint8), ("late", ctypes.c_uint8),
                ("out", Out)]


class EdgeStats(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint32) for n in ("edges", "pulses", "late_edges", "late_pulses", "worst_latency_ticks",
                                               "worst_latency_counts")]


class Edges(ctypes.Structure):
    _fields_ = [("ring", Edge * EDGE_CAPACITY), ("head", ctypes.c_uint), ("tail", ctypes.c_uint), ("stats", EdgeStats),
                ("late_open", ctypes.c_uint8), ("on_pulse", PULSE_FN), ("pulse_ctx", ctypes.c_void_p)]


class Ring(ctypes.Structure):
    _fields_ = [("data", ctypes.c_uint8 * RING_SIZE), ("head", ctypes.c_uint), ("tail", ctypes.c_uint),
                ("overruns", ctypes.c_uint32), ("high_water", ctypes.c_uint32)]


@pytest.fixture(scope="module")
def lib():
    lib = BoardCore(KEYS).lib
    for name, res in (("scs_edges_count", ctypes.c_uint), ("scs_edges_free", ctypes.c_uint),
                      ("scs_edges_next_due", ctypes.c_uint64), ("scs_edges_last_due", ctypes.c_uint64),
                      ("scs_edges_cut", ctypes.c_uint64), ("scs_ring_count", ctypes.c_size_t),
                      ("scs_ring_put", ctypes.c_int), ("scs_ring_get", ctypes.c_int)):
        getattr(lib, name).restype = res
    lib.scs_edges_retire.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32]
    lib.scs_ring_put.argtypes = [ctypes.c_void_p, ctypes.c_uint8]
    return lib


class Queue:
    """An edge queue with a trace of the pulse starts the interrupt side reports."""

    def __init__(self, lib, with_trace: bool = True):
        self.lib, self.q, self.trace = lib, Edges(), []
        self._fn = PULSE_FN(lambda _ctx, tick, area, amp: self.trace.append((tick, area, amp)))
        lib.scs_edges_init(ctypes.byref(self.q), self._fn if with_trace else PULSE_FN(), None)

    def pulse(self, due: int, area: int = 0, amplitude_ua: int = 1000) -> None:
        """A biphasic pulse: cathodic start, recharge, end (three edges)."""
        pins = area << 2
        for i, (p, dac, flags) in enumerate(((PIN_CATHODIC | pins, amplitude_ua, EDGE_START),
                                              (PIN_RECHARGE | pins, 0, 0), (pins, 0, 0))):
            e = Edge(due=due + 10 * i, amplitude_ua=amplitude_ua, dac_code=dac, pins=p, area=area, flags=flags)
            self.lib.scs_edges_push(ctypes.byref(self.q), ctypes.byref(e))

    def __getattr__(self, name):
        fn = getattr(self.lib, f"scs_edges_{name}")
        return lambda *a: fn(ctypes.byref(self.q), *a)


@pytest.mark.requirement("SRS-PIN-001")
def test_an_empty_edge_queue_has_no_due_edge_and_no_busy_stage(lib):
    q = Queue(lib)
    assert (q.count(), q.free()) == (0, EDGE_CAPACITY)
    assert q.next_due() == 2**64 - 1 and q.last_due() == 0
    assert q.cut() == 0, "cutting an empty queue keeps nothing"


@pytest.mark.requirement("SRS-PIN-001")
def test_edges_fire_in_order_and_each_pulse_start_is_traced_on_the_tick_it_fired(lib):
    q = Queue(lib)
    q.pulse(100, area=1, amplitude_ua=2500)
    assert (q.count(), q.next_due(), q.last_due()) == (3, 100, 120)
    assert q.q.ring[0].out.pin_word == PIN_CATHODIC | 1 << 2 and q.q.ring[0].out.dac_word == 2500, "words made at push"
    for _ in range(3):
        q.retire(5, 10)  # each pin store half a tick into its due tick: on time
    assert q.trace == [(100, 1, 2500)]
    s = q.q.stats
    assert (s.edges, s.pulses, s.late_edges, s.late_pulses, s.worst_latency_counts) == (3, 1, 0, 0, 5)
    assert all(q.q.ring[i].flags & EDGE_FIRED for i in range(3)) and q.count() == 0


@pytest.mark.requirement("SRS-PIN-001", "SRS-PIN-002")
def test_late_edges_are_counted_once_per_pulse_with_the_worst_latency_saturating_at_255_ticks(lib):
    q = Queue(lib, with_trace=False)
    q.pulse(0)
    q.pulse(1000)
    q.retire(30, 10)       # start of pulse 1: 3 ticks late
    q.retire(70, 10)       # its recharge: 7 ticks late, the same pulse
    q.retire(0, 10)
    q.retire(10_000, 10)   # start of pulse 2: 1000 ticks late
    s = q.q.stats
    assert (s.late_edges, s.late_pulses, s.worst_latency_ticks) == (3, 2, 1000)
    assert q.q.ring[3].late == 255, "the slot's lateness saturates"
    assert s.pulses == 2, "pulses are counted without a trace callback"


@pytest.mark.requirement("SRS-PIN-003", "SRS-SCHED-006")
def test_a_cut_drops_every_pulse_not_started_and_keeps_the_charge_balance_of_the_one_in_progress(lib):
    q = Queue(lib)
    q.pulse(100)
    q.pulse(200)
    q.retire(0, 10)  # pulse 1 started: its recharge and end stay queued
    assert q.cut() == 120 and q.count() == 2
    assert q.last_due() == 120
    q.retire(0, 10)
    q.retire(0, 10)
    assert q.cut() == 0 and q.count() == 0, "nothing in progress: everything dropped"


@pytest.mark.requirement("SRS-PROTO-007")
def test_the_byte_ring_keeps_order_counts_overruns_and_its_high_water_mark(lib):
    r = Ring()
    lib.scs_ring_init(ctypes.byref(r))
    b = ctypes.c_uint8()
    assert lib.scs_ring_get(ctypes.byref(r), ctypes.byref(b)) == 0, "empty"
    assert all(lib.scs_ring_put(ctypes.byref(r), i & 0xFF) for i in range(RING_SIZE))
    assert lib.scs_ring_put(ctypes.byref(r), 7) == 0 and r.overruns == 1, "full: the byte is dropped and counted"
    assert lib.scs_ring_count(ctypes.byref(r)) == RING_SIZE and r.high_water == RING_SIZE
    got = []
    while lib.scs_ring_get(ctypes.byref(r), ctypes.byref(b)):
        got.append(b.value)
    assert got == [i & 0xFF for i in range(RING_SIZE)]
    assert lib.scs_ring_put(ctypes.byref(r), 9) == 1 and r.high_water == RING_SIZE, "the high-water mark stays"
