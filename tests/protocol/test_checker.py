"""`scs check`: the conformance checker finds each kind of violation, with its position."""

from __future__ import annotations

import json

import pytest

from hil.cli.main import main
from protocol.capture.checker import Checker
from protocol.capture.format import CaptureError, parse_capture, read_capture
from protocol.spec.catalog import Role, load_catalog
from protocol.wire.codec import encode_payload, make
from protocol.wire.framing import FLAG_RESPONSE, MAX_ENCODED, StreamDecoder, encode_frame
from tests.support.protocol_harness import KEYS, Pair

CAT = load_catalog()


def clean_session() -> Pair:
    """A conformant session: info, handshake, requests, a retransmission, refused attacks."""
    p = Pair()
    p.request(make(CAT, "DEVICE_INFO_GET"))
    p.login(Role.PATIENT)
    p.request(make(CAT, "STATUS_GET"))
    obj = make(CAT, "STIM_SET", on=1)
    p.raw(p.host.request_bytes(obj, 200))
    p.raw(p.host.request_bytes(obj, 200))  # retransmission: cached answer
    recorded = p.host.request_bytes(make(CAT, "STIM_SET", on=0), 201)
    p.raw(recorded)
    p.raw(recorded)  # replay: refused
    p.raw(p.host.request_bytes(make(CAT, "AREA_WRITE"), 202))  # patient may not: refused
    p.request(make(CAT, "SESSION_END"))
    return p


def check(lines: list[str], **kw) -> list:
    _, chunks = parse_capture(lines)
    return Checker(CAT, **kw).check(chunks)


def rec(t_ms: float, direction: str, data: bytes) -> str:
    return json.dumps({"t_ns": int(t_ms * 1e6), "dir": direction, "data": data.hex()})


HEADER = json.dumps({"format": "scs-capture", "version": 1, "target": "test"})


def test_a_conformant_session_has_no_violations_even_with_tags_verified():
    lines = clean_session().capture_lines()
    assert check(lines) == []
    assert check(lines, keys=KEYS) == []


def test_a_corrupted_byte_is_reported_as_a_crc_or_framing_violation_at_its_line():
    lines = clean_session().capture_lines()
    i = next(n for n, line in enumerate(lines) if '"d2h"' in line and n > 4)
    obj = json.loads(lines[i])
    data = bytearray.fromhex(obj["data"])
    data[3] ^= 0x01
    obj["data"] = data.hex()
    lines[i] = json.dumps(obj)
    vs = check(lines)
    assert vs[0].kind in ("crc", "framing") and vs[0].position.line == i + 1
    assert any(v.kind == "pairing" and "never answered" in v.message for v in vs)


def test_garbage_on_the_line_is_a_framing_violation():
    lines = [HEADER, rec(1, "h2d", b"\x13\x37\x00" + encode_frame(0x01, 1, b"")),
             rec(2, "d2h", encode_frame(0x81, 1, encode_payload(CAT["DEVICE_INFO"], make(CAT, "DEVICE_INFO")),
                                        FLAG_RESPONSE))]
    [v] = check(lines)
    assert v.kind == "framing" and v.position.offset == 2


@pytest.mark.parametrize("junk_bytes", [1, 30, 1050, MAX_ENCODED, MAX_ENCODED + 1, 5000])
def test_any_undelimited_bytes_at_the_end_of_a_capture_are_a_framing_violation(junk_bytes):
    lines = [HEADER, rec(1, "h2d", b"\x13" * junk_bytes)]
    [v] = check(lines)
    assert v.kind == "framing" and f"{junk_bytes} bytes at the end of the capture without a delimiter" in v.message


def test_an_oversized_frame_with_its_delimiter_is_a_framing_violation():
    lines = [HEADER, rec(1, "d2h", b"\x13" * (MAX_ENCODED + 1) + b"\x00")]
    [v] = check(lines)
    assert v.kind == "framing" and "oversize" in v.message


def test_scs_check_reports_a_long_undelimited_tail_and_exits_1(tmp_path, capsys):
    capture = tmp_path / "c.jsonl"
    capture.write_text("\n".join([HEADER, rec(1, "h2d", encode_frame(0x01, 1, b"") + b"\x13" * 2000)]) + "\n")
    assert main(["check", str(capture)]) == 1
    assert "2000 bytes at the end" in capsys.readouterr().out.replace("\n", " ")


def test_an_unanswered_request_and_an_unsolicited_response_are_pairing_violations():
    info = encode_payload(CAT["DEVICE_INFO"], make(CAT, "DEVICE_INFO"))
    lines = [HEADER, rec(1, "h2d", encode_frame(0x01, 1, b"")),
             rec(2, "d2h", encode_frame(0x81, 9, info, FLAG_RESPONSE))]
    kinds = sorted(v.message for v in check(lines))
    assert kinds == ["DEVICE_INFO seq 9 answers no outstanding request", "DEVICE_INFO_GET seq 1 was never answered"]


def test_a_response_of_the_wrong_type_is_a_pairing_violation():
    lines = [HEADER, rec(1, "h2d", encode_frame(0x01, 1, b"")),
             rec(2, "d2h", encode_frame(0x95, 1, (5).to_bytes(8, "little"), FLAG_RESPONSE))]
    [v] = check(lines)
    assert v.kind == "pairing" and "expected DEVICE_INFO or RESULT" in v.message


def test_a_late_response_is_a_deadline_violation():
    info = encode_payload(CAT["DEVICE_INFO"], make(CAT, "DEVICE_INFO"))
    lines = [HEADER, rec(1, "h2d", encode_frame(0x01, 1, b"")),
             rec(400, "d2h", encode_frame(0x81, 1, info, FLAG_RESPONSE))]
    [v] = check(lines, deadline_ms=250)
    assert v.kind == "deadline" and "399.0 ms" in v.message
    assert check(lines, deadline_ms=500) == []


def test_a_device_that_executes_without_a_session_breaks_deny_by_default():
    status = encode_payload(CAT["STATUS"], make(CAT, "STATUS", stim_on=1))
    lines = [HEADER, rec(1, "h2d", encode_frame(0x02, 1, b"")),
             rec(2, "d2h", encode_frame(0x82, 1, status, FLAG_RESPONSE))]
    [v] = check(lines)
    assert v.kind == "auth" and "without a session" in v.message


def _session_lines() -> tuple[Pair, list[str]]:
    p = Pair()
    p.login(Role.PATIENT)
    return p, p.capture_lines()


def test_a_device_that_accepts_a_replayed_frame_is_reported():
    p, _ = _session_lines()
    frame = p.host.request_bytes(make(CAT, "STIM_SET", on=1), 30)
    p.raw(frame)
    lines = p.capture_lines()
    # forge what a vulnerable device would do: answer the replay with OK, signed
    counter, signer = p.guard.session.sign()
    ok = encode_payload(CAT["RESULT"], make(CAT, "RESULT", request_id=0x03, result=0, field=255))
    lines += [rec(1000, "h2d", frame), rec(1001, "d2h", encode_frame(0x80, 30, ok, FLAG_RESPONSE, counter, signer))]
    vs = check(lines)
    assert [v.kind for v in vs] == ["auth"] and "replay" in vs[0].message


def test_a_patient_session_executing_a_clinician_request_is_reported():
    p, _ = _session_lines()
    frame = p.host.request_bytes(make(CAT, "LIMITS_WRITE"), 31)
    counter, signer = p.guard.session.sign()
    ok = encode_payload(CAT["RESULT"], make(CAT, "RESULT", request_id=0x09, result=0, field=255))
    lines = p.capture_lines() + [rec(1000, "h2d", frame),
                                 rec(1001, "d2h", encode_frame(0x80, 31, ok, FLAG_RESPONSE, counter, signer))]
    [v] = check(lines)
    assert v.kind == "auth" and "patient session" in v.message


def test_a_retransmission_answered_differently_is_an_exactly_once_violation():
    p, _ = _session_lines()
    obj = make(CAT, "AMPLITUDE_STEP", area=0, steps=1)
    lines = p.capture_lines()
    for i, amp in enumerate((100, 150)):  # the second answer shows a second execution
        frame = p.host.request_bytes(obj, 40)
        counter, signer = p.guard.session.sign()
        payload = encode_payload(CAT["AMPLITUDE"], make(CAT, "AMPLITUDE", amplitude_ua=(amp, 0, 0, 0)))
        lines += [rec(1000 + i, "h2d", frame), rec(1000.5 + i, "d2h",
                                                   encode_frame(0x85, 40, payload, FLAG_RESPONSE, counter, signer))]
    [v] = check(lines)
    assert v.kind == "exactly-once"


def test_a_session_opened_without_a_handshake_is_an_order_violation():
    ok = encode_payload(CAT["SESSION"], make(CAT, "SESSION", result=0, role=2))
    lines = [HEADER, rec(1, "h2d", encode_frame(0x21, 1, bytes(48))),
             rec(2, "d2h", encode_frame(0xA1, 1, ok, FLAG_RESPONSE))]
    [v] = check(lines)
    assert v.kind == "order"


def test_forged_tags_are_found_when_the_keys_are_given():
    p, _ = _session_lines()
    p.raw(p.host.request_bytes(make(CAT, "STATUS_GET"), 50))
    lines = p.capture_lines()
    obj = json.loads(lines[-1])
    [frame] = StreamDecoder().feed(bytes.fromhex(obj["data"]))
    forged = encode_frame(frame.msg_id, frame.seq, frame.payload, FLAG_RESPONSE, frame.counter, lambda b: bytes(8))
    lines[-1] = rec(obj["t_ns"] / 1e6, "d2h", forged)
    assert check(lines) == []
    [v] = check(lines, keys=KEYS)
    assert v.kind == "auth" and "tag does not verify" in v.message


def test_unreadable_captures_are_named(tmp_path):
    with pytest.raises(CaptureError, match="no such capture file"):
        read_capture(tmp_path / "none.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(HEADER + "\n{\"t_ns\": 1, \"dir\": \"sideways\", \"data\": \"00\"}\n")
    with pytest.raises(CaptureError, match=r"bad.jsonl:2: dir must be"):
        read_capture(bad)


def test_scs_check_exits_0_clean_1_with_violations_2_unreadable(tmp_path, capsys):
    clean = tmp_path / "clean.jsonl"
    clean.write_text("\n".join(clean_session().capture_lines()) + "\n")
    assert main(["check", str(clean)]) == 0
    assert "no violations" in capsys.readouterr().out
    dirty = tmp_path / "dirty.jsonl"
    dirty.write_text("\n".join([HEADER, rec(1, "h2d", encode_frame(0x02, 1, b""))]) + "\n")
    assert main(["check", str(dirty)]) == 1
    out = capsys.readouterr().out
    assert "never answered" in out and "line 2" in out
    assert main(["check", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such capture file" in capsys.readouterr().err
