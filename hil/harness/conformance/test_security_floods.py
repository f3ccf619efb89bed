"""Floods against the event log (docs/protocol.md, Event log): a keyless attacker's failed proofs and
junk, and a patient session's refused clinician requests, never evict an entry of the device or of a
higher role; an AUTH is not checked while its role backs off. Part of test_security's suite."""

from __future__ import annotations

import secrets

from hil.harness.conformance.support import CAT, VIRTUAL_CLOCK, area, program, result_of, wait
from hil.harness.conformance.test_security import _hello, _log_tail, _summary, _unsigned
from protocol.spec.catalog import Role
from protocol.spec.generated import SecuritySummary
from protocol.wire.codec import make

UNAUTHENTICATED_SUMMARY = SecuritySummary.UNAUTHENTICATED


# --- floods never evict the device's entries or a higher role's ----------------------------------

def rank_of(e) -> int:
    """Who caused a log entry, its region of the log (docs/protocol.md, Event log): 0 refusals of
    frames that did not authenticate, then the session's role, 4 the device."""
    if e.kind != 2 or e.code == SecuritySummary.NO_NONCE_SOURCE:
        return 4
    return 0 if e.code == UNAUTHENTICATED_SUMMARY else e.detail >> 8 & 0xFF


def _entries(b) -> list[tuple[int, int, int, int]]:
    return [(e.tick, e.kind, e.code, e.detail) for e in _log_tail(b, 128)]


def _kept(b, at_least: int) -> list[tuple[int, int, int, int]]:
    """The log's entries of rank ``at_least`` and above (read in a clinician or test session)."""
    return [(e.tick, e.kind, e.code, e.detail) for e in _log_tail(b, 128) if rank_of(e) >= at_least]


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
    while CAT.result_name((challenge := _hello(b, role, secrets.token_bytes(16))).result) == "BUSY":
        _wait_ms(b, challenge.retry_after_ms, virtual_clock)
    b.login(role)


def keyless_round(b, virtual_clock: bool) -> int:
    """A keyless attacker's round: 8 HELLOs, 3 wrong AUTHs on each with one junk frame after each
    AUTH, after waiting out the back-off. Returns how many frames were refused."""
    nonces = [secrets.token_bytes(16) for _ in range(8)]
    for nonce in nonces:
        while CAT.result_name((challenge := _hello(b, Role.CLINICIAN, nonce)).result) == "BUSY":
            _wait_ms(b, challenge.retry_after_ms, virtual_clock)
    refused = 0
    for nonce in nonces:
        for _ in range(3):
            session = b.request(make(CAT, "AUTH", host_nonce=nonce, host_proof=bytes(32))).message
            assert CAT.result_name(session.result) in ("BAD_TAG", "BUSY", "WRONG_STATE")
            assert result_of(_unsigned(b, "STIM_SET")) == "NOT_AUTHENTICATED"
            refused += 2
    return refused


def patient_refusals(b, n: int) -> None:
    b.login(Role.PATIENT)
    for _ in range(n):
        assert b.request(make(CAT, "AREA_WRITE")).result == "NOT_PERMITTED"


def test_a_keyless_flood_of_failed_proofs_and_junk_keeps_every_device_and_clinician_entry(scs, scs_info):
    virtual_clock = scs_info.has(VIRTUAL_CLOCK)
    login_after_back_off(scs, Role.CLINICIAN, virtual_clock)
    before = earlier_device_and_clinician_entries(scs)
    refused = 0
    for _ in range(3):
        refused += keyless_round(scs, virtual_clock)
    scs.login(Role.TEST)
    after = _entries(scs)
    assert [e for e in after if e in before] == before, "the flood evicted none of them"
    count, _, _ = _summary(scs)
    assert count >= refused // 3, "failed proofs and junk are counted in summaries"
    summaries = [e for e in after[after.index(before[-1]):] if e[1] == 2 and e[2] == UNAUTHENTICATED_SUMMARY]
    assert len(summaries) <= 3, "the flood opened no more summaries than rounds"
    login_after_back_off(scs, Role.CLINICIAN, virtual_clock)  # leave no back-off to later tests


def test_a_patient_session_refused_160_clinician_requests_evicts_no_device_or_clinician_entry(scs, scs_info):
    login_after_back_off(scs, Role.CLINICIAN, scs_info.has(VIRTUAL_CLOCK))
    before = earlier_device_and_clinician_entries(scs)
    patient_refusals(scs, 160)
    scs.login(Role.TEST)
    after = _entries(scs)
    assert [e for e in after if e in before] == before, "the patient's refusals evicted none of them"
    assert after[-1][1:3] == (2, CAT.result_code("NOT_PERMITTED")) and after[-1][3] >> 8 == int(Role.PATIENT)


def test_an_auth_for_a_handshake_opened_before_a_back_off_is_not_checked_during_it(scs, scs_info):
    virtual_clock = scs_info.has(VIRTUAL_CLOCK)
    login_after_back_off(scs, Role.CLINICIAN, virtual_clock)
    early, late = secrets.token_bytes(16), secrets.token_bytes(16)
    assert CAT.result_name(_hello(scs, Role.CLINICIAN, early).result) == "OK"
    assert CAT.result_name(_hello(scs, Role.CLINICIAN, late).result) == "OK"
    fail = scs.request(make(CAT, "AUTH", host_nonce=early, host_proof=bytes(32))).message
    assert CAT.result_name(fail.result) == "BAD_TAG"
    held = scs.request(make(CAT, "AUTH", host_nonce=late, host_proof=bytes(32))).message
    assert CAT.result_name(held.result) == "BUSY", "not checked while the role backs off"
    login_after_back_off(scs, Role.CLINICIAN, virtual_clock)
