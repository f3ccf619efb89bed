"""Sessions: deny by default, roles, replay, stale counters, bad tags, back-off."""

from __future__ import annotations

import pytest

from hil.conformance.support import CAT, VIRTUAL_CLOCK, result_of
from protocol.catalog import Role
from protocol.codec import encode_payload, make
from protocol.framing import encode_frame
from protocol.security import DeviceKeys, HandshakeError, HostHandshake

NEED_SESSION = [m.name for m in CAT.requests if m.role is not Role.NONE]
CLINICIAN_ONLY = [m.name for m in CAT.requests if m.role is Role.CLINICIAN]


def _unsigned(b, name: str):
    seq = b.seq.next()
    fields = {"ticks": 1} if name == "CLOCK_ADVANCE" else {}
    return b.exchange_raw(encode_frame(CAT[name].id, seq, encode_payload(CAT[name], make(CAT, name, **fields))), seq)


@pytest.mark.parametrize("name", NEED_SESSION)
def test_without_a_session_only_info_and_handshake_are_accepted(scs, name):
    scs.host.end_session()
    assert result_of(_unsigned(scs, name)) == "NOT_AUTHENTICATED"


def test_info_is_available_before_a_session(scs):
    scs.host.end_session()
    assert scs.device_info().protocol_version == CAT.protocol_version


@pytest.mark.parametrize("name", CLINICIAN_ONLY)
def test_a_patient_session_is_refused_clinician_requests(patient, name):
    fields = {"ticks": 1} if name == "CLOCK_ADVANCE" else {}
    assert patient.request(make(CAT, name, **fields)).result == "NOT_PERMITTED"


def test_a_replayed_frame_is_refused(clinician):
    seq = clinician.seq.next()
    counter, signer = clinician.signer()
    frame = encode_frame(CAT["STATUS_GET"].id, seq, b"", 0, counter, signer)
    assert result_of(clinician.exchange_raw(frame, seq)) == "OK"
    assert result_of(clinician.exchange_raw(frame, seq)) == "REPLAY"


def test_an_older_counter_is_refused_as_stale(clinician):
    seq = clinician.seq.next()
    old_counter, old_signer = clinician.signer()
    old = encode_frame(CAT["STATUS_GET"].id, seq, b"", 0, old_counter, old_signer)
    clinician.call("STATUS_GET")
    assert result_of(clinician.exchange_raw(old, seq)) == "STALE_COUNTER"


def test_a_bad_tag_is_refused(clinician):
    seq = clinician.seq.next()
    counter, _ = clinician.signer()
    frame = encode_frame(CAT["STIM_SET"].id, seq, b"\x01", 0, counter, lambda body: bytes(8))
    assert result_of(clinician.exchange_raw(frame, seq)) == "BAD_TAG"


def test_refusals_are_recorded_as_security_events(clinician):
    test_a_bad_tag_is_refused(clinician)
    total = clinician.call("EVENT_LOG_READ", index=0).total
    kinds = [clinician.request(make(CAT, "EVENT_LOG_READ", index=i)).message.kind for i in range(total)]
    assert 2 in kinds


def test_a_wrong_key_fails_the_handshake_and_further_attempts_back_off(scs, scs_info):
    wrong = DeviceKeys(scs_info.device_id, bytes(32), bytes([7]) * 32)
    with pytest.raises(HandshakeError):
        scs.login(Role.CLINICIAN, keys=wrong)  # the host already rejects the device's proof
    # each failed AUTH doubles the back-off (1, 2, 4 ... s of device time): however fast the target's
    # clock runs, a HELLO soon meets it
    busy = None
    for _ in range(8):
        hs = HostHandshake(wrong, Role.CLINICIAN)
        challenge = scs.request(scs.host.start_handshake(hs)).message
        if CAT.result_name(challenge.result) == "BUSY":
            busy = challenge
            break
        assert CAT.result_name(challenge.result) == "OK"
        session = scs.request(make(CAT, "AUTH", host_proof=bytes(32))).message
        assert CAT.result_name(session.result) == "BAD_TAG"
    assert busy is not None and busy.retry_after_ms > 0, "failed handshakes back off"
    import time

    time.sleep(busy.retry_after_ms / 1000 + 0.05)
    try:
        scs.login(Role.CLINICIAN)
    except HandshakeError:
        if not scs_info.has(VIRTUAL_CLOCK):
            raise
        # a device clock slower than the wall clock: the back-off is still running; the target's
        # out-of-band reset before the next test clears it
