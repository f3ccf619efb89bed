"""What the security conformance tests do to a device, shared by them and by the C core's tests
(tests/board): hand-built unsigned frames, a line recorder, the log and its refusal summary, and the
floods of docs/protocol.md's Event log (a keyless attacker's rounds, a patient's refused requests)."""

from __future__ import annotations

import secrets

from hil.harness.conformance.support import CAT, area, program, result_of, wait
from protocol.spec.catalog import Role
from protocol.spec.generated import SecuritySummary
from protocol.wire.codec import encode_payload, make
from protocol.wire.framing import encode_frame

UNAUTHENTICATED_SUMMARY = SecuritySummary.UNAUTHENTICATED


def fields(name: str) -> dict:
    return {"ticks": 1} if name == "CLOCK_ADVANCE" else {"max_pulses": 1} if name == "TRACE_START" else {}


def unsigned(b, name: str):
    seq = b.seq.next()
    return b.exchange_raw(encode_frame(CAT[name].id, seq, encode_payload(CAT[name], make(CAT, name, **fields(name)))), seq)


def log_tail(b, n: int) -> list:
    total = b.call("EVENT_LOG_READ", index=0).total
    return [b.call("EVENT_LOG_READ", index=i) for i in range(max(0, total - n), total)]


def summary(b):
    """(count, last result, last message id) of the newest unauthenticated-refusal summary, or None."""
    for e in reversed(log_tail(b, 6)):
        if e.kind == 2 and e.code == UNAUTHENTICATED_SUMMARY:
            return e.detail >> 16, CAT.result_name(e.detail >> 8 & 0xFF), e.detail & 0xFF
    return None


def hello(b, role: Role, nonce: bytes):
    return b.request(make(CAT, "HELLO", role=int(role), host_nonce=nonce)).message


def device_nonce(b) -> bytes:
    challenge = hello(b, Role.PATIENT, secrets.token_bytes(16))
    assert CAT.result_name(challenge.result) == "OK"
    return challenge.device_nonce


class Tap:
    """Records every byte the host writes (an attacker's recorder on the line)."""

    def __init__(self, port):
        self.port, self.written = port, bytearray()

    def write(self, data: bytes) -> int:
        self.written += data
        return self.port.write(data)

    def __getattr__(self, name):
        return getattr(self.port, name)


# --- floods: none evicts an entry of the device or of another role ------------------------------

def rank_of(e) -> int:
    """Who caused a log entry, its region of the log (docs/protocol.md, Event log): 0 refusals of
    frames that did not authenticate, then the session's role, 4 the device."""
    if e.kind != 2 or e.code == SecuritySummary.NO_NONCE_SOURCE:
        return 4
    return 0 if e.code == UNAUTHENTICATED_SUMMARY else e.detail >> 8 & 0xFF


def entries(b) -> list[tuple[int, int, int, int]]:
    return [(e.tick, e.kind, e.code, e.detail) for e in log_tail(b, 128)]


def _kept(b, at_least: int) -> list[tuple[int, int, int, int]]:
    """The log's entries of rank ``at_least`` and above (read in a clinician or test session)."""
    return [(e.tick, e.kind, e.code, e.detail) for e in log_tail(b, 128) if rank_of(e) >= at_least]


def earlier_device_and_clinician_entries(b) -> list[tuple[int, int, int, int]]:
    """Log device events (a program stored, stimulation on and off) and clinician refusals; returns
    every entry of the device and of the clinician or test role now in the log."""
    b.login(Role.CLINICIAN)
    program(b, 0, [area(0, 1, amplitude_ua=1000)])
    b.call("STIM_SET", on=1)
    b.call("STIM_SET", on=0)
    for _ in range(3):
        assert b.request(make(CAT, "TRACE_STOP")).result == "NOT_PERMITTED"
    return _kept(b, int(Role.CLINICIAN))


def _wait_ms(b, ms: int, virtual_clock: bool) -> None:
    """Let ``ms`` of device time pass (the test role moves a virtual clock; else wait on the device)."""
    b.login(Role.TEST)
    wait(b, ms * 1000 + 1, virtual_clock)


def login_after_back_off(b, role: Role, virtual_clock: bool) -> None:
    """Log in as ``role`` once its back-off (if any) is over; the success clears its failures."""
    wait_out_hello(b, role, secrets.token_bytes(16), virtual_clock)
    b.login(role)


def wait_out_hello(b, role: Role, nonce: bytes, virtual_clock: bool):
    """HELLO with ``nonce`` once ``role``'s back-off is over; returns the CHALLENGE (OK)."""
    while CAT.result_name((challenge := hello(b, role, nonce)).result) == "BUSY":
        _wait_ms(b, challenge.retry_after_ms, virtual_clock)
    return challenge


def keyless_proof_failure(b, virtual_clock: bool) -> None:
    """One failed proof for the clinician role, after waiting out its back-off."""
    nonce = secrets.token_bytes(16)
    wait_out_hello(b, Role.CLINICIAN, nonce, virtual_clock)
    session = b.request(make(CAT, "AUTH", host_nonce=nonce, host_proof=bytes(32))).message
    assert CAT.result_name(session.result) == "BAD_TAG"


def keyless_round(b, virtual_clock: bool) -> int:
    """A keyless attacker's round: 8 HELLOs, 3 wrong AUTHs on each with one junk frame after each
    AUTH, after waiting out the back-off. Returns how many frames were refused."""
    nonces = [secrets.token_bytes(16) for _ in range(8)]
    for nonce in nonces:
        wait_out_hello(b, Role.CLINICIAN, nonce, virtual_clock)
    refused = 0
    for nonce in nonces:
        for _ in range(3):
            session = b.request(make(CAT, "AUTH", host_nonce=nonce, host_proof=bytes(32))).message
            assert CAT.result_name(session.result) in ("BAD_TAG", "BUSY", "WRONG_STATE")
            assert result_of(unsigned(b, "STIM_SET")) == "NOT_AUTHENTICATED"
            refused += 2
    return refused


def patient_refusals(b, n: int) -> None:
    b.login(Role.PATIENT)
    for _ in range(n):
        assert b.request(make(CAT, "AREA_WRITE")).result == "NOT_PERMITTED"
