"""Floods against the event log (docs/protocol.md, Event log): a keyless attacker's failed proofs and
junk, and a patient session's refused clinician requests, never evict an entry of the device or of a
higher role; an AUTH is not checked while its role backs off. Part of test_security's suite."""

from __future__ import annotations

import secrets

from hil.harness.conformance.attacks import (
    UNAUTHENTICATED_SUMMARY,
    earlier_device_and_clinician_entries,
    entries,
    keyless_proof_failure,
    keyless_round,
    login_after_back_off,
    patient_refusals,
    summary,
    wait_out_hello,
)
from hil.harness.conformance.support import CAT, VIRTUAL_CLOCK
from protocol.spec.catalog import Role
from protocol.wire.codec import make


def test_a_keyless_flood_of_failed_proofs_and_junk_keeps_every_device_and_clinician_entry(scs, scs_info):
    virtual_clock = scs_info.has(VIRTUAL_CLOCK)
    login_after_back_off(scs, Role.CLINICIAN, virtual_clock)
    before = earlier_device_and_clinician_entries(scs)
    refused = 0
    for _ in range(3):
        refused += keyless_round(scs, virtual_clock)
    scs.login(Role.TEST)
    after = entries(scs)
    assert [e for e in after if e in before] == before, "the flood evicted none of them"
    count, _, _ = summary(scs)
    assert count >= refused // 3, "failed proofs and junk are counted in summaries"
    summaries = [e for e in after[after.index(before[-1]):] if e[1] == 2 and e[2] == UNAUTHENTICATED_SUMMARY]
    assert len(summaries) <= 3, "the flood opened no more summaries than rounds"
    login_after_back_off(scs, Role.CLINICIAN, virtual_clock)  # leave no back-off to later tests


def test_a_patient_session_refused_160_clinician_requests_evicts_no_device_or_clinician_entry(scs, scs_info):
    login_after_back_off(scs, Role.CLINICIAN, scs_info.has(VIRTUAL_CLOCK))
    before = earlier_device_and_clinician_entries(scs)
    patient_refusals(scs, 160)
    scs.login(Role.TEST)
    after = entries(scs)
    assert [e for e in after if e in before] == before, "the patient's refusals evicted none of them"
    assert after[-1][1:3] == (2, CAT.result_code("NOT_PERMITTED")) and after[-1][3] >> 8 == int(Role.PATIENT)


def test_an_auth_for_a_handshake_opened_before_a_back_off_is_not_checked_during_it(scs, scs_info):
    virtual_clock = scs_info.has(VIRTUAL_CLOCK)
    login_after_back_off(scs, Role.CLINICIAN, virtual_clock)
    for _ in range(4):  # a back-off of 16 s next: in real time QEMU's idle core skips whole seconds
        keyless_proof_failure(scs, virtual_clock)
    early, late = secrets.token_bytes(16), secrets.token_bytes(16)
    for nonce in (early, late):
        wait_out_hello(scs, Role.CLINICIAN, nonce, virtual_clock)
    fail = scs.request(make(CAT, "AUTH", host_nonce=early, host_proof=bytes(32))).message
    assert CAT.result_name(fail.result) == "BAD_TAG"
    held = scs.request(make(CAT, "AUTH", host_nonce=late, host_proof=bytes(32))).message
    assert CAT.result_name(held.result) == "BUSY", "not checked while the role backs off"
    login_after_back_off(scs, Role.CLINICIAN, virtual_clock)
