"""Identity, every message, every result code, exactly-once."""

from __future__ import annotations

import time

import pytest
from cobs import cobs

from hil.harness.conformance.support import CAT, area, program, result_of
from protocol.spec.catalog import Kind
from protocol.wire.codec import encode_payload, make
from protocol.wire.framing import crc32, encode_frame


@pytest.mark.requirement("SRS-PROTO-001", "SRS-GEN-LIMITS", "SRS-GEN-CHARGE-LIMIT")
def test_the_device_describes_itself(scs_info, scs, measure):
    started = time.perf_counter()
    info = scs.device_info()
    # the bridge gives up after its attempts: beyond one timeout, a retransmission was needed (marginal)
    measure("request_latency", (time.perf_counter() - started) * 1000, "ms", low=0,
            marginal_high=scs.policy.timeout_s * 1000, high=scs.policy.timeout_s * scs.policy.attempts * 1000)
    assert info.protocol_version == CAT.protocol_version
    assert info.tick_ns > 0 and info.contact_count >= 8 and 1 <= info.max_areas <= 4
    assert info.max_amplitude_ua % info.amplitude_step_ua == 0
    assert 1_000_000 < info.max_cathode_charge_pc < 10_000_000
    assert scs_info.device_id == info.device_id


@pytest.mark.requirement("SRS-PROTO-002")
@pytest.mark.parametrize("name", [m.name for m in CAT.requests if m.name not in ("HELLO", "AUTH", "RESET",
                                                                                      "SESSION_END")])
def test_every_request_gets_its_catalogued_response_or_a_result(clinician, name):
    fields = {"ticks": 1} if name == "CLOCK_ADVANCE" else {}
    reply = clinician.request(make(CAT, name, **fields))
    assert reply.name in (CAT[name].response, "RESULT")
    if reply.name == "RESULT":
        assert reply.message.request_id == CAT[name].id


@pytest.mark.requirement("SRS-EXO-001", "SRS-GEN-EXACTLY-ONCE-CACHE")
def test_a_retransmitted_request_is_executed_exactly_once(clinician):
    program(clinician, 0, [area(0, 1)])
    clinician.call("LIMITS_WRITE", program=0, area=0, min_amplitude_ua=0, max_amplitude_ua=5000, patient_selectable=1)
    obj = make(CAT, "AMPLITUDE_STEP", area=0, steps=1)
    seq = clinician.seq.next()
    answers = []
    for _ in range(3):  # the same sequence number three times, freshly signed each time
        counter, signer = clinician.signer()
        frame = clinician.exchange_raw(encode_frame(CAT[obj.__class__.__name__.upper()].id if False else 0x05, seq,
                                                    encode_payload(CAT["AMPLITUDE_STEP"], obj), 0, counter, signer), seq)
        answers.append(frame.payload)
    assert answers[0] == answers[1] == answers[2]
    assert clinician.call("STATUS_GET").amplitude_ua[0] == 3050


def _raw_signed(b, msg_id: int, payload: bytes, flags: int = 0):
    seq = b.seq.next()
    counter, signer = b.signer()
    return b.exchange_raw(encode_frame(msg_id, seq, payload, flags, counter, signer), seq)


@pytest.mark.requirement("SRS-PROTO-004", "SRS-GEN-RESULT-UNKNOWN_MESSAGE")
def test_unknown_message_is_answered_unknown_message(clinician):
    assert result_of(_raw_signed(clinician, 0x7E, b"")) == "UNKNOWN_MESSAGE"


@pytest.mark.requirement("SRS-PROTO-004", "SRS-GEN-RESULT-BAD_LENGTH")
def test_a_wrong_payload_length_is_bad_length(clinician):
    assert result_of(_raw_signed(clinician, CAT["STIM_SET"].id, b"\x01\x00")) == "BAD_LENGTH"


@pytest.mark.requirement("SRS-PROTO-004", "SRS-GEN-RESULT-OUT_OF_RANGE")
def test_an_out_of_range_field_is_named(clinician):
    frame = _raw_signed(clinician, CAT["STIM_SET"].id, b"\x07")
    assert result_of(frame) == "OUT_OF_RANGE"
    from protocol.wire.codec import decode_payload

    assert decode_payload(CAT["RESULT"], frame.payload).field == 0


@pytest.mark.requirement("SRS-PROTO-004", "SRS-GEN-RESULT-BAD_FRAME")
def test_unknown_flag_bits_are_bad_frame(clinician):
    body = bytearray(cobs.decode(encode_frame(CAT["DEVICE_INFO_GET"].id, 4242, b"")[:-1]))
    body[2] = 0x40
    body[-4:] = crc32(bytes(body[:-4])).to_bytes(4, "little")
    assert result_of(clinician.exchange_raw(cobs.encode(bytes(body)) + b"\x00", 4242)) == "BAD_FRAME"


@pytest.mark.requirement("SRS-PROTO-004", "SRS-GEN-RESULT-VERSION_MISMATCH")
def test_another_protocol_version_is_version_mismatch(scs):
    body = bytearray(cobs.decode(encode_frame(CAT["DEVICE_INFO_GET"].id, 4243, b"")[:-1]))
    body[0] = 9
    body[-4:] = crc32(bytes(body[:-4])).to_bytes(4, "little")
    assert result_of(scs.exchange_raw(cobs.encode(bytes(body)) + b"\x00", 4243)) == "VERSION_MISMATCH"


@pytest.mark.requirement("SRS-PROTO-003")
def test_a_corrupted_frame_is_dropped_and_the_link_keeps_working(clinician):
    wire = bytearray(encode_frame(CAT["DEVICE_INFO_GET"].id, 4244, b""))
    wire[3] ^= 0x20
    assert clinician.exchange_raw(bytes(wire), 4244, timeout_s=0.3) is None
    assert clinician.call("STATUS_GET") is not None


@pytest.mark.requirement("SRS-SAFE-001", "SRS-SAFE-002", "SRS-GEN-CHARGE-LIMIT",
                         "SRS-GEN-RESULT-WRONG_STATE", "SRS-GEN-RESULT-UNSAFE", "SRS-GEN-RESULT-LIMIT_CLAMPED")
def test_wrong_state_unsafe_and_limit_clamped(clinician, patient):
    assert clinician.request(make(CAT, "STIM_SET", on=1)).result == "WRONG_STATE"
    assert clinician.request(make(CAT, "AREA_WRITE", program=0, area=0, **area(0, 1, amplitude_ua=12_000))).result == "UNSAFE"
    program(clinician, 0, [area(0, 1)])
    assert patient.request(make(CAT, "AMPLITUDE_STEP", area=0, steps=3)).result == "LIMIT_CLAMPED"


@pytest.mark.requirement("SRS-PROTO-005")
def test_events_are_sent_inside_a_session(clinician):
    program(clinician, 0, [area(0, 1)])
    while not clinician.events.empty():
        clinician.events.get()
    clinician.call("STIM_SET", on=1)
    clinician.call("STATUS_GET")
    got = []
    while not clinician.events.empty():
        got.append(clinician.events.get())
    assert any(e.kind == 4 and e.code == 1 for e in got), "a STIM_ON mode event"
    assert all(CAT.of(e).kind is Kind.EVENT for e in got)


@pytest.mark.requirement("SRS-GEN-RESULT-WRONG_STATE")
def test_clock_advance_moves_only_a_virtual_clock_and_is_wrong_state_on_a_real_one(tester, scs_info):
    from protocol.spec.generated import Capability

    before = tester.call("CLOCK_GET").ticks
    reply = tester.request(make(CAT, "CLOCK_ADVANCE", ticks=1_000_000))
    if scs_info.has(Capability.VIRTUAL_CLOCK):
        assert reply.result == "OK" and reply.message.ticks >= before + 1_000_000
    else:  # a real-time clock is never moved by a request: refused, the clock runs on by itself only
        assert reply.result == "WRONG_STATE"
        assert tester.call("CLOCK_GET").ticks < before + 1_000_000
