"""docs/protocol.md says what the devices do (issue 22, items 7-9): each statement pinned on the model and the C core."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from firmware_model.device.device import Device, DeviceConfig
from protocol.session import KEYED_ROLES, DeviceKeys, HostHandshake, host_proof
from protocol.session.endpoint import HostEndpoint
from protocol.spec.catalog import Role, load_catalog
from protocol.spec.definition import load_definition
from protocol.spec.generated import (
    BACKOFF_BASE_TICKS,
    BACKOFF_MAX_TICKS,
    EVENT_LOG_CAPACITY,
    EVENT_LOG_PER_ROLE,
    EVENT_LOG_SUMMARIES,
    EventKind,
    ModeCode,
    ResetCause,
)
from protocol.wire.codec import decode_payload, make
from protocol.wire.framing import CRC, HEADER, StreamDecoder, crc32, encode_frame
from tests.support.protocol_harness import KEYS, counter_rng

DOC = (Path(__file__).resolve().parents[2] / "docs/protocol.md").read_text()


def test_every_request_marked_test_only_is_a_test_role_request_which_production_builds_refuse():
    cat, d = load_catalog(), load_definition()
    assert {cat[name].role for name in d.test_only} == {Role.TEST}


def test_timing_get_is_a_clinician_request_that_production_builds_answer_and_the_doc_does_not_mark_it_test_only():
    assert load_catalog()["TIMING_GET"].role is Role.CLINICIAN
    assert "TIMING_GET" not in load_definition().test_only
    assert "| `TIMING_GET` | yes |  |" in DOC


def test_the_doc_says_a_factory_reset_keeps_the_handshake_back_off():
    assert "back-off cleared" not in DOC
    reset = DOC[DOC.index("### RESET"):]
    assert "back-off and failure count survive" in reset[:reset.index("\n###")]


# --- each statement pinned on the model and on the board's C core (issue 22, items 7 and 8) -------




CAT = load_catalog()
ROOT = Path(__file__).resolve().parents[2]
FLAT = " ".join(DOC.split())  # the document's prose with its line breaks as spaces


class Target:
    """Wire bytes in, wire bytes out, on the model or the C core, with the bench's side doors."""

    def __init__(self, kind: str, keys: DeviceKeys = KEYS):
        self.kind = kind
        if kind == "model":
            from hil.sim.server import DeviceServer

            self.device = Device(DeviceConfig(keys=keys))
            self.server = DeviceServer(self.device)
            self.rx = self.server.receive
        else:
            from hil.board.host import BoardCore

            self.core = BoardCore(keys)
            self.rx = self.core.receive
        self.host = HostEndpoint(CAT)
        self.seq = 1
        self.rng = counter_rng(7)

    def frames(self, wire: bytes) -> list:
        return StreamDecoder().feed(self.rx(wire))

    def answer(self, wire: bytes):
        [f] = [f for f in self.frames(wire) if not f.is_event]
        return f, decode_payload(CAT.by_id(f.msg_id), f.payload)

    def hello(self, role: int, nh: bytes):
        return self.answer(encode_frame(CAT["HELLO"].id, 1, bytes([role]) + nh))[1]

    def auth(self, nh: bytes, proof: bytes):
        return self.answer(encode_frame(CAT["AUTH"].id, 2, nh + proof))[1]

    def login(self, role: Role) -> None:
        hs = HostHandshake(KEYS, role, self.rng)
        ch = self.ask(self.host.start_handshake(hs))
        self.host.finish(hs, self.ask(self.host.answer(hs, ch)))

    def ask(self, obj, seq: int | None = None):
        if seq is None:
            self.seq = self.seq % 0xFFFF + 1
        wire = self.host.request_bytes(obj, self.seq if seq is None else seq)
        [f] = [f for f in self.frames(wire) if not f.is_event]
        return self.host.accept(f)[1]

    def call(self, role: Role, name: str, **fields):
        if self.host.session is None or self.host.session.role is not role:
            self.login(role)
        return self.ask(make(CAT, name, **fields))

    def advance(self, ticks: int) -> None:
        (self.device.advance if self.kind == "model" else self.core.advance)(ticks)

    def reset_button(self) -> None:
        """A reset nobody announced over the link (power loss, the reset pin): nothing is written first."""
        if self.kind == "model":
            self.device.processor_reset(ResetCause.PIN)
        else:
            self.core.hardware_reset()
        self.host.end_session()

    def log(self) -> list:
        self.host.end_session()
        out, i = [], 0
        while True:
            e = self.call(Role.CLINICIAN, "EVENT_LOG_READ", index=i)
            if e.result:
                return out
            out.append((int(e.kind), e.code, e.detail))
            i += 1


TARGETS = ["model", "c"]


def _fail_proofs(t: Target, role: Role, handshakes: int) -> list:
    """Open `handshakes` handshakes first, then send 3 wrong proofs on each: the SESSION answers."""
    nonces = [os.urandom(16) for _ in range(handshakes)]
    assert all(t.hello(role, nh).result == 0 for nh in nonces)
    return [t.auth(nh, bytes(32)) for nh in nonces for _ in range(3)]


def _back_off_to_the_cap(t: Target, role: Role) -> None:
    """Failed proofs in a row until the back-off reaches its cap (base << (n - 1)), each after the back-off
    the previous one started (an AUTH during a back-off is refused BUSY and not counted)."""
    for _ in range((BACKOFF_MAX_TICKS // BACKOFF_BASE_TICKS).bit_length()):
        t.advance(BACKOFF_MAX_TICKS)
        nh = os.urandom(16)
        assert t.hello(role, nh).result == 0
        assert CAT.result_name(t.auth(nh, bytes(32)).result) == "BAD_TAG"


@pytest.mark.parametrize("kind", TARGETS)
def test_auth_of_a_handshake_opened_before_the_back_off_is_refused_busy_during_it_unchecked(kind):
    """During a role's back-off an AUTH of a handshake opened before it is answered SESSION(BUSY) and its
    proof is not checked (so a keyless flood can't spend tries, or log entries, through old handshakes);
    once the back-off is over the same handshake is checked as usual."""
    t = Target(kind)
    nh_ok = os.urandom(16)
    ch = t.hello(Role.PATIENT, nh_ok)
    answers = _fail_proofs(t, Role.PATIENT, 1)
    assert [CAT.result_name(a.result) for a in answers] == ["BAD_TAG", "BUSY", "BUSY"], "refused, not checked"
    assert CAT.result_name(t.hello(Role.PATIENT, os.urandom(16)).result) == "BUSY"
    proof = host_proof(KEYS.patient, Role.PATIENT, nh_ok, ch.device_nonce, KEYS.device_id)
    assert CAT.result_name(t.auth(nh_ok, proof).result) == "BUSY", "even a right proof waits out the back-off"
    t.advance(BACKOFF_MAX_TICKS)
    assert CAT.result_name(t.auth(nh_ok, proof).result) == "OK", "then the proof is checked and opens the session"
    assert "SESSION(BUSY); the proof is not checked" in FLAT


@pytest.mark.parametrize("kind", TARGETS)
def test_after_an_unannounced_reset_the_back_off_restarts_from_the_value_written_at_the_failure(kind):
    t = Target(kind)
    _back_off_to_the_cap(t, Role.PATIENT)
    t.advance(30_000_000)
    assert t.hello(Role.PATIENT, os.urandom(16)).retry_after_ms <= 34_000
    t.reset_button()
    wait_ms = t.hello(Role.PATIENT, os.urandom(16)).retry_after_ms
    assert wait_ms == BACKOFF_MAX_TICKS // 1000, "the 30 s that passed are not subtracted: not 'remaining time'"
    assert "kept as remaining time" not in FLAT and "the time that passed since is not subtracted" in FLAT


@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("reset_kind", [0, 2])
def test_a_reset_request_keeps_the_back_off_with_what_remained_a_factory_reset_too(kind, reset_kind):
    t = Target(kind)
    _back_off_to_the_cap(t, Role.PATIENT)
    t.advance(30_000_000)
    assert CAT.result_name(t.call(Role.CLINICIAN, "RESET", kind=reset_kind).result) == "OK"
    t.host.end_session()
    busy = t.hello(Role.PATIENT, os.urandom(16))
    assert CAT.result_name(busy.result) == "BUSY" and 30_000 <= busy.retry_after_ms <= 34_000


@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("others", [7, 8])
def test_8_hellos_of_any_role_push_a_hosts_handshake_out_7_do_not(kind, others):
    t = Target(kind)
    nh = os.urandom(16)
    ch = t.hello(Role.CLINICIAN, nh)
    for _ in range(others):
        assert t.hello(Role.PATIENT, os.urandom(16)).result == 0
    proof = host_proof(KEYS.clinician, Role.CLINICIAN, nh, ch.device_nonce, KEYS.device_id)
    assert CAT.result_name(t.auth(nh, proof).result) == ("OK" if others == 7 else "WRONG_STATE")
    assert "sending 8 HELLOs (for any role" in FLAT and "more than 8 HELLOs" not in FLAT


@pytest.mark.parametrize("kind", TARGETS)
def test_the_event_log_holds_128_entries_in_regions_and_the_devices_own_events_keep_theirs(kind):
    t = Target(kind)
    for _ in range(70):  # 140 mode events (MRI_ENTER, MRI_EXIT): more than the device's region holds
        assert t.call(Role.PATIENT, "MRI_MODE_SET", enter=1).result == 0
        assert t.call(Role.PATIENT, "MRI_MODE_SET", enter=0).result == 0
    t.host.end_session()
    device_region = EVENT_LOG_CAPACITY - EVENT_LOG_SUMMARIES - len(KEYED_ROLES) * EVENT_LOG_PER_ROLE
    last = t.call(Role.CLINICIAN, "EVENT_LOG_READ", index=device_region - 1)
    assert last.result == 0 and last.total == device_region and last.code == int(ModeCode.MRI_EXIT)
    past = t.call(Role.CLINICIAN, "EVENT_LOG_READ", index=device_region)
    assert CAT.result_name(past.result) == "OUT_OF_RANGE"
    assert EVENT_LOG_CAPACITY == 128 and "The log holds 128 entries" in FLAT


@pytest.mark.parametrize("kind", TARGETS)
def test_device_info_get_is_answered_signed_when_it_is_sent_signed_and_unsigned_otherwise(kind):
    t = Target(kind)
    f, _ = t.answer(encode_frame(CAT["DEVICE_INFO_GET"].id, 1, b""))
    assert not f.is_signed
    t.login(Role.PATIENT)
    wire = t.host.request_bytes(make(CAT, "DEVICE_INFO_GET"), 9)
    [f] = [f for f in t.frames(wire) if not f.is_event]
    assert f.is_signed and t.host.accept(f)[1].device_id == KEYS.device_id
    assert "Never signed: DEVICE_INFO_GET," not in DOC and "a signed DEVICE_INFO_GET included" in FLAT


@pytest.mark.parametrize("kind", TARGETS)
def test_reset_requests_keep_the_clock_and_a_reset_button_restarts_it_near_0(kind):
    t = Target(kind)
    t.advance(5_000_000)
    for reset_kind in (0, 1, 2):
        t.call(Role.CLINICIAN, "RESET", kind=reset_kind)
        t.host.end_session()
        assert t.call(Role.PATIENT, "CLOCK_GET").ticks >= 5_000_000
    t.reset_button()
    if kind == "c":  # the board's clock is the processor's timer (the model keeps simulated time)
        assert t.call(Role.PATIENT, "CLOCK_GET").ticks < 1_000_000
    clock_doc = DOC.split("\n### CLOCK\n", 1)[1].split("\n###", 1)[0]
    assert "like an RTC" not in clock_doc and "restarts it near 0" in clock_doc


@pytest.mark.parametrize("kind", TARGETS)
def test_a_request_with_sequence_number_0_is_executed_and_answered_with_0(kind):
    t = Target(kind)
    f, info = t.answer(encode_frame(CAT["DEVICE_INFO_GET"].id, 0, b""))
    assert f.seq == 0 and info.device_id == KEYS.device_id
    t.login(Role.PATIENT)
    assert t.ask(make(CAT, "MRI_MODE_SET", enter=1), seq=0).result == 0
    assert t.ask(make(CAT, "STATUS_GET")).mri_mode == 1
    assert "A request with sequence number 0 is still executed" in FLAT


@pytest.mark.parametrize("kind", TARGETS)
@pytest.mark.parametrize("length", [1024, 1025, 1036])
def test_a_payload_over_1024_bytes_is_bad_frame_on_every_target(kind, length):
    t = Target(kind)
    for msg in ("DEVICE_INFO_GET", "STATUS_GET"):
        body = HEADER.pack(1, CAT[msg].id, 0, 7) + bytes(length)
        f, r = t.answer(__import__("cobs.cobs").cobs.encode(body + CRC.pack(crc32(body))) + b"\x00")
        refused = CAT.result_name(r.result)
        assert (refused == "BAD_FRAME") == (length > 1024), f"{msg} with {length} bytes: {refused}"
    assert "is answered BAD_FRAME" in FLAT


@pytest.mark.parametrize("kind", TARGETS)
def test_events_are_sent_only_inside_a_session_and_those_without_one_stay_in_the_log(kind):
    t = Target(kind)  # its BOOT event happened with no session open
    for wire in (encode_frame(CAT["DEVICE_INFO_GET"].id, 1, b""), b"\x00"):
        assert not [f for f in t.frames(wire) if f.is_event]
    t.login(Role.CLINICIAN)
    wire = t.host.request_bytes(make(CAT, "STATUS_GET"), 5)
    assert not [f for f in t.frames(wire) if f.is_event], "not sent later either"
    assert (int(EventKind.BOOT), int(ResetCause.POWER_ON)) in [e[:2] for e in t.log()]
    assert "EVENT frames go out only while a session is open" in FLAT


@pytest.mark.parametrize("kind", TARGETS)
def test_a_bad_role_in_hello_is_a_result_and_a_role_without_a_key_a_challenge(kind):
    t = Target(kind, DeviceKeys(KEYS.device_id, KEYS.patient, KEYS.clinician))  # a key file without test_key
    for role in (0, 4, 255):
        f, r = t.answer(encode_frame(CAT["HELLO"].id, 1, bytes([role]) + bytes(16)))
        assert CAT.by_id(f.msg_id).name == "RESULT" and not f.is_signed
        assert (CAT.result_name(r.result), r.field) == ("OUT_OF_RANGE", 0)
    f, ch = t.answer(encode_frame(CAT["HELLO"].id, 1, bytes([Role.TEST]) + bytes(16)))
    assert CAT.by_id(f.msg_id).name == "CHALLENGE" and CAT.result_name(ch.result) == "NOT_PERMITTED"
    assert not t.call(Role.CLINICIAN, "DEVICE_INFO_GET").capabilities & (1 << 6), "no test role, and it says so"
    assert "HELLO with a role other than 1, 2, 3 | RESULT(OUT_OF_RANGE, field 0)" in FLAT


def test_scs_board_warns_in_one_line_when_its_key_file_has_no_test_key(tmp_path):
    from protocol.session import key_file_text

    keys = tmp_path / "keys.toml"
    keys.write_text(key_file_text(DeviceKeys(KEYS.device_id, KEYS.patient, KEYS.clinician)))
    proc = subprocess.Popen([sys.executable, "-m", "hil.cli", "board", "--pty", "--speed", "0", "--keys", str(keys),
                             "--flash", str(tmp_path / "flash.bin")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        warning = proc.stderr.readline()
        assert re.fullmatch(r"scs board: warning: .* has no test_key .*: this board has no test role .*\n", warning)
        assert "listening on" in proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=5)
        proc.stdout.close()
        proc.stderr.close()
    assert "`scs board` says so in one line" in FLAT


@pytest.mark.parametrize("kind", TARGETS)
def test_the_settings_image_back_off_fields_are_reserved_written_0_and_ignored(kind):
    from firmware_model.device import settings_codec
    from protocol.spec.generated import SETTINGS_SIZE

    d = load_definition().settings
    at = sum(f.size for f in d.header[:[f.name for f in d.header].index("failed_handshakes")])
    t = Target(kind)
    assert t.call(Role.CLINICIAN, "ADAPTIVE_SET", enabled=0, dwell_ms=5000, ramp_ua_per_s=1000).result == 0  # saved
    if kind == "model":
        image = t.device.store.load()[1]
        forged = bytearray(image)
        forged[at:at + 12] = b"\xff" * 12
        forged[-4:] = crc32(bytes(forged[:-4])).to_bytes(4, "little")
        assert settings_codec.decode(bytes(forged), t.device.profile).security == settings_codec.decode(
            image, t.device.profile).security, "ignored when loaded"
    else:
        from tests.support.board_core import CBench

        bench = CBench()
        bench.core = t.core
        image = bench.image()
    assert len(image) == SETTINGS_SIZE and image[at:at + 12] == bytes(12), "written 0"
    assert "reserved" in (ROOT / "docs/design.md").read_text() and "failed_handshakes" not in DOC


def test_the_document_names_no_internals_and_every_fenced_block_has_an_info_string():
    for internal in ("DeviceEndpoint", "``execute``", "KeyStore", "(SecuritySummary)", "reference code",
                     "Handshake::", "the harness", ".py`", "tests/"):
        assert internal not in DOC, internal
    fences = re.findall(r"^```(.*)$", DOC, re.M)
    assert fences and all(info in ("", "text", "toml") for info in fences[1::2])
    assert all(info in ("text", "toml") for info in fences[0::2])
    assert "### Settings image" not in DOC and "### Fuel gauge" not in DOC
    assert "### Settings image" in (ROOT / "docs/design.md").read_text()


def test_the_documented_handshake_vectors_state_their_sequence_numbers_counters_and_every_byte():
    vectors = DOC.split("### Test vectors", 1)[1]
    for label in ("HELLO", "CHALLENGE", "AUTH", "SESSION", "request", "response"):
        line = re.search(rf"^{label}\s+([0-9a-f ]+)\n\s+= (.*)$", vectors, re.M)
        wire, decoded = bytes.fromhex(line.group(1).replace(" ", "")), line.group(2)
        raw = __import__("cobs.cobs").cobs.decode(wire[:-1])
        stated = bytes.fromhex(re.sub(r"\([^)]*\)|[a-zA-Z]+\b(?<!\b[0-9a-f]{2})", " ", decoded)
                               .replace("|", " ").replace("CRC", " ").replace(" ", ""))
        assert stated == raw, f"{label}: every decoded byte, in order"
    assert "counter 01 00 00 00 (1)" in vectors and "counter 02 00 00 00 (2)" in vectors
    assert "one more\n0x00 before a frame" in vectors or "one more 0x00 before a frame" in vectors
