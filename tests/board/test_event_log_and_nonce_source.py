"""The C core decides like the model under the event-log floods and without a nonce source: the same
log after a keyless flood and after a patient's refused clinician requests, the same eviction when
the log is full, and the same refusal of sessions with neither entropy nor a valid security record."""

from __future__ import annotations

import secrets

from firmware_model.device.device import Device, DeviceConfig
from firmware_model.device.eventlog import RANK_DEVICE, RANK_UNAUTHENTICATED, EventKind, EventLog
from firmware_model.device.nvm import FlashSlots
from hil.board.host import BoardCore
from hil.harness.conformance.attacks import (
    earlier_device_and_clinician_entries,
    keyless_round,
    patient_refusals,
)
from hil.link.bridge import Bridge
from hil.link.model_port import ModelSerial, default_keys
from protocol.session.record import SecurityRecord
from protocol.spec.catalog import Role, load_catalog
from protocol.spec.generated import EVENT_LOG_PER_ROLE, Capability, SecuritySummary
from protocol.wire.codec import encode_payload, make
from protocol.wire.framing import encode_frame
from protocol.wire.reliability import RetryPolicy
from tests.support.board_core import CorePort

CAT = load_catalog()
KEYS = default_keys()
POLICY = RetryPolicy(timeout_s=0.001, attempts=1)
ENTROPY = int(Capability.ENTROPY)
NO_NONCE_SOURCE = int(SecuritySummary.NO_NONCE_SOURCE)




def _board() -> Bridge:
    return Bridge(CorePort(BoardCore(KEYS)), keys=KEYS, policy=POLICY)


def _model(device: Device | None = None) -> Bridge:
    return Bridge(ModelSerial("scsmodel://", device=device or Device(DeviceConfig(keys=KEYS)), timeout=0.01),
                  keys=KEYS, policy=POLICY)


def _log(b: Bridge) -> list[tuple[int, int, int, int]]:
    b.login(Role.TEST)
    total = b.call("EVENT_LOG_READ", index=0).total
    return [(e.tick, e.kind, e.code, e.detail) for e in (b.call("EVENT_LOG_READ", index=i) for i in range(total))]


def _flood(b: Bridge) -> list[tuple[int, int, int, int]]:
    earlier_device_and_clinician_entries(b)
    for _ in range(3):
        keyless_round(b, virtual_clock=True)
    patient_refusals(b, 160)
    for _ in range(3):
        keyless_round(b, virtual_clock=True)
    return _log(b)


def test_the_c_core_keeps_the_same_log_as_the_model_under_both_floods():
    board, model = _flood(_board()), _flood(_model())
    assert board == model
    patient = [e for e in board if e[1] == int(EventKind.SECURITY) and e[3] >> 8 == int(Role.PATIENT)]
    assert len(patient) == EVENT_LOG_PER_ROLE, "the patient's newest refusals fill its region, no more"


def test_a_full_region_evicts_its_own_oldest_entry_and_never_another_regions():
    log = EventLog(capacity=7, summaries=1, per_role=1)  # the device's region: 3
    for t in range(4):
        log.add(t, EventKind.MODE, 1)
    log.add(4, EventKind.SECURITY, 5, 0x2_55, rank=int(Role.CLINICIAN))
    for t in range(5, 9):
        log.add(t, EventKind.SECURITY, 5, 0x1_55, rank=int(Role.PATIENT))
        log.add(t, EventKind.SECURITY, 32, 1 << 16, rank=RANK_UNAUTHENTICATED)
    assert [(e.tick, e.rank) for e in log.entries()] == [(1, RANK_DEVICE), (2, RANK_DEVICE), (3, RANK_DEVICE),
                                                         (4, int(Role.CLINICIAN)), (8, int(Role.PATIENT)),
                                                         (8, RANK_UNAUTHENTICATED)]


def _exchange(port, data: bytes) -> bytes:
    port.write(data)
    return port.read(4096)


def _set_record(core: BoardCore, raw: bytes | None) -> None:
    """Both record slots erased (None: the record lost), slot 0 then holding ``raw``."""
    for slot in range(2):
        words = core.lib.scs_host_record(core._h, slot).contents
        for w in range(len(words)):
            words[w] = 0xFFFFFFFF
    if raw is not None:
        words = core.lib.scs_host_record(core._h, 0).contents
        raw = raw.ljust(4 * len(words), b"\xff")  # a slot of whole words, erased past the record
        for w in range(len(raw) // 4):
            words[w] = int.from_bytes(raw[4 * w:4 * w + 4], "little")


def test_without_entropy_or_a_valid_record_both_refuse_every_hello_and_log_why():
    core = BoardCore(KEYS)
    _set_record(core, None)  # the record lost; the host build has no entropy source
    core.power_cycle()
    model = Device(DeviceConfig(keys=KEYS), security_flash=FlashSlots(slot_size=64, page_size=64))  # never provisioned
    hello = encode_frame(CAT["HELLO"].id, 7, encode_payload(CAT["HELLO"], make(
        CAT, "HELLO", role=int(Role.PATIENT), host_nonce=secrets.token_bytes(16))))
    board_port, model_port = CorePort(core), ModelSerial("scsmodel://", device=model, timeout=0.01)
    answer = _exchange(board_port, hello)
    assert answer == _exchange(model_port, hello), "the same unsigned CHALLENGE"
    assert CAT.result_name(Bridge(board_port, keys=KEYS, policy=POLICY).request(
        make(CAT, "HELLO", role=1, host_nonce=bytes(16))).message.result) == "WRONG_STATE"
    for b in (Bridge(board_port, keys=KEYS, policy=POLICY), _model(model)):
        assert not b.device_info().capabilities & ENTROPY
    _set_record(core, SecurityRecord().encode())  # provisioned again (by the factory's tool)
    core.power_cycle()
    board_log = _log(Bridge(CorePort(core), keys=KEYS, policy=POLICY))
    assert any(e[1:3] == (int(EventKind.SECURITY), NO_NONCE_SOURCE) for e in board_log)
    assert any(e.kind is EventKind.SECURITY and e.code == NO_NONCE_SOURCE for e in model.log.entries())
