"""The C core answers like the model, refusals included: requests on programs and areas that
do not exist, amplitude windows that are not windows, hostile burst, recharge and cycling parameters,
a contact shorted and healed, repeated postures, a charger removed that was never there, and malformed
bytes on the link (COBS, oversized and short frames). Each case runs the same requests on
the reference model and on the C core (host library) and compares every answer."""

from __future__ import annotations

import ctypes
from typing import Any

import pytest

from hil.board.host import BoardCore
from protocol.spec import generated as dev
from protocol.spec.catalog import Role, load_catalog
from protocol.wire.codec import make
from protocol.wire.framing import MAX_ENCODED, encode_frame
from tests.support.board_core import CBench
from tests.support.device_harness import Bench, area_fields
from tests.support.protocol_harness import KEYS

C = Role.CLINICIAN
P = Role.PATIENT
T = Role.TEST
CAT = load_catalog()
FLAG_SIGNED = 0x04
BURST, PASSIVE = 1, 1  # waveform and recharge codes (messages.toml)
BURST_AREA = dict(waveform=BURST, pulses_per_burst=5, intra_burst_rate_mhz=500_000, pulse_width_us=200,
                  recharge=PASSIVE, passive_window_us=2000, rate_mhz=40_000)


def _program(areas: int = 1) -> list[tuple[Role, str, dict[str, Any]]]:
    out = [(C, "AREA_WRITE", dict(program=0, area=a, **area_fields(cathode=a, anode=a + 4, rate_mhz=20_000)))
           for a in range(areas)]
    return out + [(C, "PROGRAM_COMMIT", dict(program=0, area_count=areas)),
                  (C, "LIMITS_WRITE", dict(program=0, area=0, min_amplitude_ua=500, max_amplitude_ua=1500,
                                           patient_selectable=1))]


CASES: dict[str, list[tuple[Role, str, dict[str, Any]]]] = {
    "a window whose minimum is above its maximum": [(C, "LIMITS_WRITE", dict(program=0, area=0, min_amplitude_ua=1500,
                                                                              max_amplitude_ua=500, patient_selectable=0))],
    "a window minimum that is not a whole step": [(C, "LIMITS_WRITE", dict(program=0, area=0, min_amplitude_ua=510,
                                                                           max_amplitude_ua=1500, patient_selectable=0))],
    "a window maximum that is not a whole step": [(C, "LIMITS_WRITE", dict(program=0, area=0, min_amplitude_ua=500,
                                                                           max_amplitude_ua=1510, patient_selectable=0))],
    "limits of an area the program does not have": [(C, "LIMITS_WRITE", dict(program=0, area=3, min_amplitude_ua=500,
                                                                              max_amplitude_ua=1500, patient_selectable=0))],
    "limits of a program never committed": [(C, "LIMITS_WRITE", dict(program=5, area=0, min_amplitude_ua=500,
                                                                      max_amplitude_ua=1500, patient_selectable=0))],
    "reading areas and limits that do not exist": [(C, "AREA_READ", dict(program=5, area=0)),
                                                   (C, "AREA_READ", dict(program=0, area=3)),
                                                   (C, "LIMITS_READ", dict(program=5, area=0)),
                                                   (C, "LIMITS_READ", dict(program=0, area=3))],
    "a patient step of an area the program does not have": [(C, "PROGRAM_SELECT", dict(program=0)),
                                                            (P, "AMPLITUDE_STEP", dict(area=3, steps=1)),
                                                            (P, "AMPLITUDE_STEP", dict(area=0, steps=-20))],
    "a burst of one pulse": [(C, "AREA_WRITE", dict(program=1, area=0, **area_fields(**{**BURST_AREA,
                                                                                         "pulses_per_burst": 1})))],
    "an intra-burst rate below the minimum": [(C, "AREA_WRITE", dict(program=1, area=0, **area_fields(
        **{**BURST_AREA, "intra_burst_rate_mhz": dev.MIN_INTRA_BURST_RATE_MHZ - 1})))],
    "a burst pulse as wide as its intra-burst period": [(C, "AREA_WRITE", dict(program=1, area=0, **area_fields(
        **{**BURST_AREA, "pulse_width_us": 1000, "intra_burst_rate_mhz": 1_000_000})))],
    "a burst with active recharge": [(C, "AREA_WRITE", dict(program=1, area=0, **area_fields(
        **{**BURST_AREA, "recharge": 0})))],
    "a passive recharge window of zero": [(C, "AREA_WRITE", dict(program=1, area=0, **area_fields(
        recharge=PASSIVE, passive_window_us=0)))],
    "a shorted contact read back, then healed at the next impedance check": [
        (T, "IMPEDANCE_INPUT", dict(contact=0, ohms=100)), (T, "CLOCK_ADVANCE", dict(ticks=dev.IMPEDANCE_CHECK_TICKS + 1)),
        (C, "IMPEDANCE_GET", {}), (C, "STATUS_GET", {}),
        (T, "IMPEDANCE_INPUT", dict(contact=0, ohms=1000)), (T, "CLOCK_ADVANCE", dict(ticks=dev.IMPEDANCE_CHECK_TICKS + 1)),
        (C, "IMPEDANCE_GET", {}), (C, "STATUS_GET", {})],
    "the same posture reported twice, and the current one": [
        (T, "POSTURE_INPUT", dict(posture=1)), (T, "POSTURE_INPUT", dict(posture=1)), (C, "STATUS_GET", {}),
        (T, "POSTURE_INPUT", dict(posture=0)), (C, "STATUS_GET", {})],
    "a charger removed that was never there, then a trace read past its end": [
        (T, "RECHARGE_COUPLING_INPUT", dict(separation_mm=10, misalignment_mm=0, transmit_mw=0)),
        (P, "CHARGING_STATUS_GET", {}), (T, "TRACE_DUMP", dict(offset=60_000, count=1))],
    "the running program rewritten, recommitted and reselected while stimulating": [
        (C, "PROGRAM_SELECT", dict(program=0)), (P, "STIM_SET", dict(on=1)),
        (C, "AREA_WRITE", dict(program=0, area=0, **area_fields(amplitude_ua=1200))),
        (C, "PROGRAM_COMMIT", dict(program=0, area_count=1)), (C, "PROGRAM_SELECT", dict(program=0)),
        (C, "STATUS_GET", {})],
    "MRI mode entered while stimulating and left": [
        (C, "PROGRAM_SELECT", dict(program=0)), (P, "STIM_SET", dict(on=1)), (P, "MRI_MODE_SET", dict(enter=1)),
        (C, "STATUS_GET", {}), (P, "MRI_MODE_SET", dict(enter=0)), (C, "STATUS_GET", {})],
    "a case anode and a trace that fills to its limit": [
        (C, "AREA_WRITE", dict(program=1, area=0, **area_fields(case_anode=1, anode_mask=0))),
        (C, "PROGRAM_COMMIT", dict(program=1, area_count=1)), (C, "PROGRAM_SELECT", dict(program=1)),
        (T, "TRACE_START", dict(max_pulses=2)), (P, "STIM_SET", dict(on=1)), (T, "CLOCK_ADVANCE", dict(ticks=200_000)),
        (T, "TRACE_DUMP", dict(offset=0, count=4)), (C, "STATUS_GET", {})],
    "a two-area program with an area programmed below its window, one area stepped": [
        (C, "AREA_WRITE", dict(program=2, area=0, **area_fields(cathode=0, anode=4, amplitude_ua=200, rate_mhz=20_000))),
        (C, "AREA_WRITE", dict(program=2, area=1, **area_fields(cathode=1, anode=5, amplitude_ua=1000, rate_mhz=20_000))),
        (C, "PROGRAM_COMMIT", dict(program=2, area_count=2)),
        (C, "LIMITS_WRITE", dict(program=2, area=0, min_amplitude_ua=500, max_amplitude_ua=1500, patient_selectable=1)),
        (C, "PROGRAM_SELECT", dict(program=2)), (C, "STATUS_GET", {}),
        (P, "AMPLITUDE_STEP", dict(area=1, steps=1)), (C, "STATUS_GET", {})],
    "a cycling off time over a day": [(C, "AREA_WRITE", dict(program=1, area=0, **area_fields(
        cycle_on_ms=1000, cycle_off_ms=dev.MAX_CYCLE_MS + 1)))],
}


def _answers(bench_ask, requests) -> list[Any]:
    return [bench_ask(role, name, **fields) for role, name, fields in requests]


@pytest.mark.requirement("SRS-PROTO-004", "SRS-PROTO-006", "SRS-SAFE-001")
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_c_core_answers_like_the_model(case):
    model, board = Bench(), CBench()
    setup = _program()
    assert _answers(lambda r, n, **f: model.as_role(r, n, **f)[1], setup) == _answers(board.ask, setup)
    want = _answers(lambda r, n, **f: model.as_role(r, n, **f)[1], CASES[case])
    assert _answers(board.ask, CASES[case]) == want
    assert len(want) == len(CASES[case])


@pytest.fixture(scope="module")
def core():
    return CBench().core


def _decode(core, data: bytes, cap: int) -> int:
    out = ctypes.create_string_buffer(max(cap, 1))
    return core.lib.scs_cobs_decode(data, len(data), out, cap)


@pytest.mark.requirement("SRS-PROTO-003")
def test_cobs_refuses_a_zero_code_a_cut_block_and_output_past_its_buffer(core):
    long_run = bytes(range(1, 255)) * 2  # 508 non-zero bytes: blocks of 254 with their 0xFF codes
    encoded = core.cobs_encode(long_run)
    assert core.cobs_decode(encoded) == long_run
    assert _decode(core, b"\x03\x11\x00\x22", 8) < 0, "a zero inside a block"
    assert _decode(core, b"\x05\x11\x22", 8) < 0, "a block cut short"
    assert _decode(core, b"\x00\x11", 8) < 0, "a code of zero"
    assert _decode(core, b"\x03\x11\x22\x02\x33", 2) < 0, "more bytes than the output holds"
    assert _decode(core, encoded, len(long_run) - 1) < 0


def _reference_endpoint():
    """The model's protocol endpoint with the same keys and an accept-all handler (as test_board's)."""
    from firmware_model.device.nvm import FlashSlots
    from protocol.session import DeviceGuard, SecurityStore
    from protocol.session.endpoint import DeviceEndpoint

    guard = DeviceGuard(KEYS, SecurityStore(FlashSlots(slot_size=64, page_size=64)))
    return DeviceEndpoint(CAT, guard, lambda m, o, r: make(CAT, "RESULT", request_id=m.id, result=0, field=255),
                          lambda: 0)


@pytest.mark.requirement("SRS-PROTO-003", "SRS-PROTO-002")
def test_an_oversized_run_and_a_signed_frame_too_short_for_its_tag_are_answered_like_the_reference():
    core, ref = BoardCore(KEYS), _reference_endpoint()
    short_signed = encode_frame(CAT["STATUS_GET"].id, 3, b"", flags=FLAG_SIGNED)  # no counter, no tag
    wire = b"\x55" * (MAX_ENCODED + 10) + b"\x00" + short_signed
    assert core.receive(wire) == ref.receive(wire)
    assert core.dropped >= 1, "the oversized run is dropped"
    probe = encode_frame(CAT["STIM_SET"].id, 7, b"\x01")  # unsigned: refused the same way by both
    assert core.receive(probe) == ref.receive(probe) != b"", "the link recovers at the next delimiter"
