"""Sessions against an attacker on the serial line, with and without keys (docs/protocol.md, Security).

Deny by default, roles, replays, stale counters, bad tags, back-off; a recorded session replayed after
every kind of restart; a keyless attacker interleaving HELLOs and junk; CRC-32 collisions under one
sequence number; responses bound to their request; the handshake exactly once.
"""

from __future__ import annotations

import secrets

import pytest

from hil.harness.conformance.attacks import Tap as _Tap
from hil.harness.conformance.attacks import device_nonce as _device_nonce
from hil.harness.conformance.attacks import fields as _fields
from hil.harness.conformance.attacks import hello as _hello
from hil.harness.conformance.attacks import log_tail as _log_tail
from hil.harness.conformance.attacks import summary as _summary
from hil.harness.conformance.attacks import unsigned as _unsigned
from hil.harness.conformance.support import CAT, VIRTUAL_CLOCK, area, program, result_of
from hil.targets.base import TargetError
from protocol.session import DEVICE_TO_HOST, DeviceKeys, HandshakeError, HostHandshake, frame_tag
from protocol.spec.catalog import Role
from protocol.spec.generated import BACKOFF_MAX_TICKS, TICK_NS, Capability, SecuritySummary
from protocol.wire.codec import decode_payload, encode_payload, make
from protocol.wire.framing import FLAG_SIGNED, HEADER, StreamDecoder, crc32, encode_frame

NEED_SESSION = [m.name for m in CAT.requests if m.role is not Role.NONE]
CLINICIAN_ONLY = [m.name for m in CAT.requests if m.role is Role.CLINICIAN]
TEST_ONLY = [m.name for m in CAT.requests if m.role is Role.TEST]
UNAUTHENTICATED_SUMMARY = SecuritySummary.UNAUTHENTICATED
CAP_TEST_BUILD = Capability.TEST_BUILD
MAX_BACKOFF_MS = BACKOFF_MAX_TICKS * TICK_NS // 1_000_000


def _fail_proof(b, role: Role = Role.CLINICIAN):
    """One failed proof (as a keyless attacker would): HELLO, then AUTH with a wrong proof."""
    nonce = secrets.token_bytes(16)
    challenge = _hello(b, role, nonce)
    if CAT.result_name(challenge.result) != "OK":
        return challenge
    session = b.request(make(CAT, "AUTH", host_nonce=nonce, host_proof=bytes(32))).message
    assert CAT.result_name(session.result) == "BAD_TAG"
    return challenge


# --- deny by default, roles --------------------------------------------------------------------

@pytest.mark.requirement("SRS-SEC-001", "SRS-GEN-ROLE-NONE", "SRS-GEN-RESULT-NOT_AUTHENTICATED")
@pytest.mark.parametrize("name", NEED_SESSION)
def test_without_a_session_only_info_and_handshake_are_accepted(scs, name):
    scs.host.end_session()
    assert result_of(_unsigned(scs, name)) == "NOT_AUTHENTICATED"


@pytest.mark.requirement("SRS-PROTO-001", "SRS-SEC-001")
def test_info_is_available_before_a_session_and_says_the_build(scs, scs_info):
    scs.host.end_session()
    info = scs.device_info()
    assert info.protocol_version == CAT.protocol_version
    assert info.capabilities & CAP_TEST_BUILD, "the HIL targets are test builds (test role present)"


@pytest.mark.requirement("SRS-SEC-002", "SRS-GEN-ROLE-CLINICIAN", "SRS-GEN-RESULT-NOT_PERMITTED")
@pytest.mark.parametrize("name", CLINICIAN_ONLY)
def test_a_patient_session_is_refused_clinician_requests(patient, name):
    assert patient.request(make(CAT, name, **_fields(name))).result == "NOT_PERMITTED"


@pytest.mark.requirement("SRS-SEC-003", "SRS-GEN-ROLE-TEST", "SRS-GEN-TEST-ONLY")
@pytest.mark.parametrize("name", TEST_ONLY)
def test_a_clinician_can_not_fake_inputs_skip_time_or_trace(clinician, name):
    assert clinician.request(make(CAT, name, **_fields(name))).result == "NOT_PERMITTED"


@pytest.mark.requirement("SRS-SEC-003")
def test_the_test_role_has_its_own_key(scs, scs_info):
    wrong = DeviceKeys(scs_info.device_id, scs.keys.patient, scs.keys.clinician, scs.keys.clinician[::-1])
    with pytest.raises(HandshakeError):
        scs.login(Role.TEST, keys=wrong)  # the device proves the real test key: the host sees the mismatch
    scs.login(Role.TEST)
    scs.call("TRACE_STOP")  # a test-role request (CLOCK_ADVANCE is WRONG_STATE on a real-time clock)


# --- replays, counters, tags ---------------------------------------------------------------------

@pytest.mark.requirement("SRS-SEC-004", "SRS-GEN-RESULT-REPLAY", "SRS-GEN-RESULT-OK")
def test_a_replayed_frame_is_refused(clinician):
    seq = clinician.seq.next()
    counter, signer = clinician.signer(seq)
    frame = encode_frame(CAT["STATUS_GET"].id, seq, b"", 0, counter, signer)
    assert result_of(clinician.exchange_raw(frame, seq)) == "OK"
    assert result_of(clinician.exchange_raw(frame, seq)) == "REPLAY"


@pytest.mark.requirement("SRS-SEC-005", "SRS-GEN-RESULT-STALE_COUNTER")
def test_an_older_counter_is_refused_as_stale(clinician):
    seq = clinician.seq.next()
    old_counter, old_signer = clinician.signer()
    old = encode_frame(CAT["STATUS_GET"].id, seq, b"", 0, old_counter, old_signer)
    clinician.call("STATUS_GET")
    assert result_of(clinician.exchange_raw(old, seq)) == "STALE_COUNTER"


@pytest.mark.requirement("SRS-SEC-006", "SRS-SEC-007", "SRS-GEN-RESULT-BAD_TAG")
def test_a_bad_tag_is_refused_with_an_unsigned_answer_and_counted(clinician):
    seq = clinician.seq.next()
    counter, _ = clinician.signer()
    frame = encode_frame(CAT["STIM_SET"].id, seq, b"\x01", 0, counter, lambda body: bytes(8))
    answer = clinician.exchange_raw(frame, seq)
    assert result_of(answer) == "BAD_TAG"
    assert not answer.flags & FLAG_SIGNED, "junk gets no signed answer that could pass for the host's"
    count, last, msg_id = _summary(clinician)
    assert count >= 1 and last == "BAD_TAG" and msg_id == CAT["STIM_SET"].id
    assert clinician.call("STATUS_GET").stim_on == 0


@pytest.mark.requirement("SRS-SEC-007", "SRS-GEN-RESULT-VERSION_MISMATCH", "SRS-GEN-RESULT-BAD_FRAME")
@pytest.mark.parametrize("version, flags, answer", [(2, 0, "VERSION_MISMATCH"), (1, 0x40, "BAD_FRAME")])
def test_version_and_flag_errors_are_security_events(clinician, version, flags, answer):
    body = HEADER.pack(version, CAT["STATUS_GET"].id, flags, 77)
    from cobs import cobs

    got = clinician.exchange_raw(cobs.encode(body + crc32(body).to_bytes(4, "little")) + b"\x00", 77)
    assert result_of(got) == answer and not got.flags & FLAG_SIGNED
    count, last, msg_id = _summary(clinician)
    assert count >= 1 and last == answer and msg_id == CAT["STATUS_GET"].id


@pytest.mark.requirement("SRS-SEC-008")
def test_a_signed_response_is_bound_to_the_counter_of_the_request_it_answers(clinician):
    seq = clinician.seq.next()
    counter, signer = clinician.signer(seq)
    answer = clinician.exchange_raw(encode_frame(CAT["CLOCK_GET"].id, seq, b"", 0, counter, signer), seq)
    key = clinician.host.session.key
    assert answer.flags & FLAG_SIGNED
    assert frame_tag(key, DEVICE_TO_HOST, answer.signed_body, counter) == answer.tag
    assert all(frame_tag(key, DEVICE_TO_HOST, answer.signed_body, other) != answer.tag
               for other in (0, counter - 1, counter + 1))


@pytest.mark.requirement("SRS-SEC-007", "SRS-GEN-ROLE-PATIENT")
def test_refusals_in_a_session_are_recorded_as_security_events(patient, clinician):
    assert patient.request(make(CAT, "AREA_WRITE")).result == "NOT_PERMITTED"
    [last] = _log_tail(clinician, 1)
    assert (last.kind, CAT.result_name(last.code), last.detail & 0xFF) == (2, "NOT_PERMITTED", CAT["AREA_WRITE"].id)


# --- exactly once: the whole request, and the handshake -------------------------------------------

def _crc_twin(payload: bytes, changed: bytes, free: list[int]) -> bytes:
    """``changed`` with the bits at ``free`` positions set so its CRC-32 equals ``payload``'s (CRC-32 is
    affine over GF(2): solve 32 linear equations by Gaussian elimination)."""
    target = crc32(payload) ^ crc32(changed)
    base = crc32(bytes(len(changed)))
    cols = []
    for bit in free:
        d = bytearray(len(changed))
        d[bit // 8] |= 1 << (bit % 8)
        cols.append(crc32(bytes(d)) ^ base)
    basis: dict[int, tuple[int, int]] = {}  # highest set bit -> (vector, mask of the free bits combined)

    def reduce(v: int, m: int) -> tuple[int, int]:
        for bit in range(31, -1, -1):
            if v >> bit & 1 and bit in basis:
                v, m = v ^ basis[bit][0], m ^ basis[bit][1]
        return v, m
    for i, c in enumerate(cols):
        v, m = reduce(c, 1 << i)
        if v:
            basis[v.bit_length() - 1] = (v, m)
    v, m = reduce(target, 0)
    assert v == 0, "the free bits don't span CRC-32: choose others"
    out = bytearray(changed)
    for i, bit in enumerate(free):
        if m >> i & 1:
            out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@pytest.mark.requirement("SRS-EXO-002")
def test_two_area_writes_with_equal_crc32_under_one_sequence_number_both_execute(clinician):
    msg = CAT["AREA_WRITE"]
    a_fields = area(0, 1, amplitude_ua=3000, cycle_on_ms=0x01000000, cycle_off_ms=0x01000000)
    b_fields = {**a_fields, "amplitude_ua": 4000}
    a = encode_payload(msg, make(CAT, "AREA_WRITE", program=0, area=0, **a_fields))
    b0 = encode_payload(msg, make(CAT, "AREA_WRITE", program=0, area=0, **b_fields))
    on_at = [off for f, off in msg.offsets() if f.name == "cycle_on_ms"][0]
    off_at = [off for f, off in msg.offsets() if f.name == "cycle_off_ms"][0]
    free = [8 * on_at + i for i in range(20)] + [8 * off_at + i for i in range(20)]  # low 20 bits: still valid
    b = _crc_twin(a, b0, free)
    assert crc32(a) == crc32(b) and a != b
    seq = clinician.seq.next()
    for payload in (a, b):
        counter, signer = clinician.signer(seq)
        assert result_of(clinician.exchange_raw(encode_frame(msg.id, seq, payload, 0, counter, signer), seq)) == "OK"
    clinician.call("PROGRAM_COMMIT", program=0, area_count=1)
    got = clinician.call("AREA_READ", program=0, area=0)
    want = decode_payload(msg, b)
    assert (got.amplitude_ua, got.cycle_on_ms, got.cycle_off_ms) == (4000, want.cycle_on_ms, want.cycle_off_ms)


@pytest.mark.requirement("SRS-EXO-003")
def test_a_retransmitted_hello_and_auth_get_the_same_answers(scs):
    hs = HostHandshake(scs.keys, Role.CLINICIAN)
    hello = scs.host.start_handshake(hs)
    seq = scs.seq.next()
    wire = encode_frame(CAT["HELLO"].id, seq, encode_payload(CAT["HELLO"], hello))
    first, again = scs.exchange_raw(wire, seq), scs.exchange_raw(wire, seq)
    assert first.payload == again.payload
    challenge = decode_payload(CAT["CHALLENGE"], first.payload)
    auth = scs.host.answer(hs, challenge)
    seq = scs.seq.next()
    wire = encode_frame(CAT["AUTH"].id, seq, encode_payload(CAT["AUTH"], auth))
    first, again = scs.exchange_raw(wire, seq), scs.exchange_raw(wire, seq)
    assert result_of(first) == "OK" and first == again, "a lost SESSION is answered again, identically"
    scs.role = Role.CLINICIAN
    assert scs.host.session is not None
    assert scs.call("STATUS_GET").stim_on == 0


@pytest.mark.requirement("SRS-EXO-004")
def test_logins_over_a_lossy_link_all_succeed(scs):
    from hil.link.faultlink import Faults, FaultyLink
    from protocol.wire.reliability import RetryPolicy

    port = scs.port
    scs.port = FaultyLink(port, Faults(drop=0.01, flip=0.001, seed=11))
    scs.policy = RetryPolicy(timeout_s=max(0.05, scs.policy.timeout_s / 4), attempts=30)
    try:
        for _ in range(25):
            scs.login(Role.PATIENT)
    finally:
        scs.port = port


# --- nonces never repeat; a recorded session never replays --------------------------------------

RESTARTS = ["protocol-reset", "power-loss", "factory-reset", "hardware-reset", "power-cycle"]


def _restart(scs_target, b, how: str) -> None:
    try:
        if how == "hardware-reset":
            scs_target.hardware_reset(b)
        elif how == "power-cycle":
            scs_target.power_cycle(b)
        else:
            b.login(Role.CLINICIAN)
            b.call("RESET", kind=RESTARTS.index(how))
            b.device_was_reset()
    except TargetError as e:
        pytest.skip(str(e))
    b.wait_until_answering()  # what reaches a restarting device before it runs is lost: wait for its answer


@pytest.mark.requirement("SRS-SEC-009")
def test_the_device_nonce_never_repeats_across_every_kind_of_restart(scs_target, scs):
    nonces = [_device_nonce(scs)]
    for how in RESTARTS:
        _restart(scs_target, scs, how)
        nonces += [_device_nonce(scs), _device_nonce(scs)]
    assert len(set(nonces)) == len(nonces)


@pytest.mark.requirement("SRS-SEC-010", "SRS-SEC-007")
@pytest.mark.parametrize("how", RESTARTS)
def test_a_recorded_clinician_session_replayed_after_a_restart_is_refused_and_logged(scs_target, scs, how):
    tap = _Tap(scs.port)
    scs.port = tap
    scs.login(Role.CLINICIAN)
    program(scs, 0, [area(0, 1, amplitude_ua=3000)])
    scs.call("STIM_SET", on=1)
    scs.port = tap.port
    recording = bytes(tap.written)
    signed = sum(1 for f in StreamDecoder().feed(recording) if not isinstance(f, Exception) and f.is_signed)
    scs_target.factory_reset(scs)  # the recorded session's effects are gone ...
    _restart(scs_target, scs, how)  # ... and the device restarts
    scs.port.write(recording)       # the attacker replays every byte
    scs.exchange_raw(encode_frame(CAT["DEVICE_INFO_GET"].id, 4242, b""), 4242)  # all answered by now
    scs.login(Role.TEST)
    assert scs.call("STATUS_GET").stim_on == 0
    assert scs.request(make(CAT, "AREA_READ", program=0, area=0)).message.result != 0, "no program stored"
    count, last, _ = _summary(scs)
    assert count >= signed + 1 and last == "NOT_AUTHENTICATED", \
        "the replayed AUTH fails its proof and every replayed request is refused: all counted"


# --- keyless denial of service; back-off ---------------------------------------------------------

class _Attacker:
    """Writes the host's bytes, then a keyless attacker's: HELLOs for every role (fresh nonces and
    the host's own), a replay of the host's frame, junk and a forged unsigned SESSION."""

    def __init__(self, port):
        self.port = port
        self.frames = 0

    def write(self, data: bytes) -> int:
        n = self.port.write(data)
        junk = []
        for role in (1, 2, 3):
            junk.append(encode_frame(CAT["HELLO"].id, 60000 + role, bytes([role]) + secrets.token_bytes(16)))
        for f in StreamDecoder().feed(bytes(data)):
            if not isinstance(f, Exception) and f.msg_id == CAT["HELLO"].id:
                junk.append(encode_frame(f.msg_id, 60010, f.payload))  # the host's HELLO, from another "host"
        junk += [bytes(data), b"\x00\x13\x37garbage\x00",
                 encode_frame(CAT["SESSION"].id, 60020, b"\x00\x02", 1),
                 encode_frame(CAT["STIM_SET"].id, 60030, b"\x01", 0, 99, lambda body: bytes(8))]
        self.port.write(b"\x00" + b"".join(junk))
        self.frames += len(junk)
        return n

    def __getattr__(self, name):
        return getattr(self.port, name)


@pytest.mark.requirement("SRS-SEC-011")
def test_a_keyless_attacker_interleaving_hellos_and_junk_can_not_make_a_session_fail(scs, scs_info):
    scs.login(Role.PATIENT)
    assert scs.request(make(CAT, "AREA_WRITE")).result == "NOT_PERMITTED"  # an authenticated security event
    port = scs.port
    scs.port = _Attacker(port)
    try:
        for role in (Role.CLINICIAN, Role.PATIENT, Role.CLINICIAN, Role.TEST):
            scs.login(role)
            assert scs.call("STATUS_GET").stim_on == 0
            scs.call("STIM_SET", on=0)
    finally:
        scs.port = port
    scs.call("STATUS_GET")
    tail = _log_tail(scs, 128)
    kept = [e for e in tail if e.kind == 2 and CAT.result_name(e.code) == "NOT_PERMITTED"]
    assert kept, "the authenticated session's security event is still in the log"
    count, _, _ = _summary(scs)
    assert count > 0


@pytest.mark.requirement("SRS-SEC-011")
def test_an_unauthenticated_hello_does_not_end_a_session(clinician):
    _hello(clinician, Role.CLINICIAN, secrets.token_bytes(16))
    clinician.request(make(CAT, "AUTH", host_nonce=bytes(16), host_proof=bytes(32)))
    assert clinician.call("STATUS_GET").stim_on == 0


@pytest.mark.requirement("SRS-SEC-012", "SRS-GEN-RESULT-BUSY")
def test_a_wrong_key_fails_the_handshake_and_further_attempts_back_off(scs, scs_info):
    wrong = DeviceKeys(scs_info.device_id, bytes(32), bytes([7]) * 32)
    with pytest.raises(HandshakeError):
        scs.login(Role.CLINICIAN, keys=wrong)  # the host already rejects the device's proof
    challenge = _fail_proof(scs)
    assert CAT.result_name(challenge.result) == "OK"
    busy = _hello(scs, Role.CLINICIAN, secrets.token_bytes(16))
    # at least the first step; the failure count survives factory resets (as documented), so an earlier
    # test on the same device may have counted some: at most the cap
    assert CAT.result_name(busy.result) == "BUSY" and 0 < busy.retry_after_ms <= MAX_BACKOFF_MS
    scs.login(Role.PATIENT)  # back-off is per role: the patient is not locked out by clinician failures
    assert scs.call("STATUS_GET").stim_on == 0


@pytest.mark.requirement("SRS-SEC-012", "SRS-GEN-BACKOFF")
@pytest.mark.parametrize("how", ["hardware-reset", "power-cycle"])
def test_back_off_after_a_reset_is_at_most_its_cap(scs_target, scs, scs_info, how):
    if not scs_info.has(VIRTUAL_CLOCK):
        pytest.skip("needs a virtual clock to reach the cap quickly")
    scs.login(Role.TEST)  # a handshake for another role never ends this session
    for _ in range(9):
        challenge = _fail_proof(scs)
        if CAT.result_name(challenge.result) == "BUSY":
            scs.call("CLOCK_ADVANCE", ticks=challenge.retry_after_ms * 1000)
            _fail_proof(scs)
    _restart(scs_target, scs, how)
    busy = _hello(scs, Role.CLINICIAN, secrets.token_bytes(16))
    assert CAT.result_name(busy.result) == "BUSY", "the back-off survives the reset"
    assert 0 < busy.retry_after_ms <= MAX_BACKOFF_MS
    scs.login(Role.TEST)
    scs.call("CLOCK_ADVANCE", ticks=busy.retry_after_ms * 1000)
    scs.login(Role.CLINICIAN)  # and it ends

