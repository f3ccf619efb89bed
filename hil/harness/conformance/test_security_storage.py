"""A nonce never repeats, even when storage is lost (docs/protocol.md, Nonces): the security record
lost, the entropy source missing, the record rolled back to an older copy. Each relaunch is a power
cycle with other storage (`Target.relaunch`); a target that can't do one skips. Part of test_security's
suite: the recorded first session of a launch never replays in the next."""

from __future__ import annotations

import secrets

import pytest

from hil.harness.conformance.attacks import Tap, device_nonce, hello
from hil.harness.conformance.support import CAT, area, program
from hil.targets.base import TargetError
from protocol.spec.catalog import Role
from protocol.spec.generated import Capability
from protocol.wire.codec import make
from protocol.wire.framing import encode_frame

ENTROPY = int(Capability.ENTROPY)


def _relaunch(scs_target, b, retained: bytes | None, entropy: bool = True) -> None:
    try:
        scs_target.relaunch(b, retained, entropy)
    except TargetError as e:
        pytest.skip(str(e))


def _retained(scs_target, b) -> bytes:
    try:
        return scs_target.retained_copy(b)
    except TargetError as e:
        pytest.skip(str(e))


def _record_a_session(b) -> bytes:
    """A clinician session that stores a program and turns stimulation on, as an attacker records it."""
    tap = Tap(b.port)
    b.port = tap
    try:
        b.login(Role.CLINICIAN)
        program(b, 0, [area(0, 1, amplitude_ua=3000)])
        b.call("STIM_SET", on=1)
    finally:
        b.port = tap.port
    return bytes(tap.written)


def _replay_changes_nothing(b, recording: bytes) -> None:
    b.port.write(recording)  # the attacker replays every byte, first thing after the relaunch
    b.exchange_raw(encode_frame(CAT["DEVICE_INFO_GET"].id, 4242, b""), 4242)  # all answered by now
    b.login(Role.TEST)
    assert b.call("STATUS_GET").stim_on == 0
    assert b.request(make(CAT, "AREA_READ", program=0, area=0)).message.result != 0, "no program stored"


def test_a_lost_security_record_repeats_no_nonce_and_the_first_session_does_not_replay(scs_target, scs):
    _relaunch(scs_target, scs, None)
    recording = _record_a_session(scs)  # the first session of this launch
    first = [device_nonce(scs) for _ in range(3)]
    scs_target.factory_reset(scs)  # its effects are gone ...
    _relaunch(scs_target, scs, None)  # ... and the record is lost again
    _replay_changes_nothing(scs, recording)
    again = [device_nonce(scs) for _ in range(3)]
    assert not set(first) & set(again)


def test_without_entropy_or_a_valid_record_the_device_refuses_sessions_and_says_so(scs_target, scs):
    _relaunch(scs_target, scs, None, entropy=False)
    try:
        assert not scs.device_info().capabilities & ENTROPY, "DEVICE_INFO says nonces have no entropy"
        refused = hello(scs, Role.PATIENT, secrets.token_bytes(16))
        assert CAT.result_name(refused.result) == "WRONG_STATE"
        assert refused.device_nonce == bytes(16), "no nonce leaves the device"
    finally:
        _relaunch(scs_target, scs, None)
    assert scs.device_info().capabilities & ENTROPY
    scs.login(Role.TEST)


def test_a_record_rolled_back_to_an_older_copy_repeats_no_nonce_and_nothing_replays(scs_target, scs):
    older = _retained(scs_target, scs)
    recording = _record_a_session(scs)
    first = [device_nonce(scs) for _ in range(3)]
    scs_target.factory_reset(scs)
    _relaunch(scs_target, scs, older)  # the epoch the record had before the recorded session
    _replay_changes_nothing(scs, recording)
    again = [device_nonce(scs) for _ in range(3)]
    assert not set(first) & set(again)
