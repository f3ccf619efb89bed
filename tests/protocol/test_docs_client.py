"""A client written from docs/protocol.md alone: its own COBS, CRC, HMAC inputs and frame layouts
(nothing from `protocol`), checked against the document's test vectors, then logging into the model
target and sending one signed request.

Message ids and field offsets are read from the document's message tables; every byte layout used
here is the one the Security section describes. If this test needs the project's codec to pass, the
document is incomplete.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import struct
import time
import zlib
from pathlib import Path

import pytest

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text(encoding="utf-8")


# --- what the document says ----------------------------------------------------------------------

def message_id(name: str) -> int:
    return int(re.search(rf"^### {name}\n\n(0x[0-9A-F]{{2}}),", DOC, re.M).group(1), 16)


def field_offsets(name: str) -> dict[str, int]:
    section = DOC.split(f"\n### {name}\n", 1)[1].split("\n### ", 1)[0]
    return {m.group(2): int(m.group(1)) for m in re.finditer(r"^\| (\d+) \| `(\w+)` \|", section, re.M)}


def vector(label: str) -> bytes:
    line = re.search(rf"^{label}\s+((?:[0-9a-f]{{2}} ?)+)$", DOC, re.M).group(1)
    return bytes.fromhex(line.replace(" ", ""))


TEST_KEYS = {"device_id": 0x5C5000000001, 1: bytes(range(32)), 2: bytes(range(32, 64)), 3: bytes(range(64, 96))}


# --- framing, from "Frames" ----------------------------------------------------------------------

def cobs_encode(data: bytes) -> bytes:
    out, block = bytearray(), bytearray()
    for b in data:
        if b == 0:
            out += bytes([len(block) + 1]) + block
            block = bytearray()
            continue
        block.append(b)
        if len(block) == 254:
            out += b"\xff" + block
            block = bytearray()
    return bytes(out + bytes([len(block) + 1]) + block)


def cobs_decode(data: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(data):
        code = data[i]
        out += data[i + 1:i + code]
        i += code
        if code < 0xFF and i < len(data):
            out.append(0)
    return bytes(out)


def frame(msg_id: int, seq: int, payload: bytes, flags: int = 0, tail: bytes = b"") -> bytes:
    body = struct.pack("<BBBH", 1, msg_id, flags, seq) + payload + tail
    return cobs_encode(body + struct.pack("<I", zlib.crc32(body))) + b"\x00"


def unframe(wire: bytes) -> dict:
    raw = cobs_decode(wire.rstrip(b"\x00"))
    assert struct.unpack("<I", raw[-4:])[0] == zlib.crc32(raw[:-4]), "CRC"
    version, msg_id, flags, seq = struct.unpack("<BBBH", raw[:5])
    end = len(raw) - 4
    out = {"id": msg_id, "flags": flags, "seq": seq, "raw": raw}
    if flags & 0x04:
        out["tag"], out["counter"] = raw[end - 8:end], struct.unpack("<I", raw[end - 12:end - 8])[0]
        out["signed"], end = raw[:end - 8], end - 12
    out["payload"] = raw[5:end]
    return out


# --- sessions, from "Security" -------------------------------------------------------------------

def mac(key: bytes, *parts: bytes) -> bytes:
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def proofs(key: bytes, role: int, nh: bytes, nd: bytes, device_id: int) -> tuple[bytes, bytes, bytes]:
    r, dev = bytes([role]), device_id.to_bytes(8, "little")
    return (mac(key, b"SCS1 dev", r, nh, nd, dev), mac(key, b"SCS1 host", r, nd, nh, dev),
            mac(key, b"SCS1 session", r, nh, nd, dev))


def request_tag(ks: bytes, signed: bytes) -> bytes:
    return mac(ks, b"\x01", signed)[:8]


def response_tag(ks: bytes, signed: bytes, answered: int) -> bytes:
    return mac(ks, b"\x02", signed, struct.pack("<I", answered))[:8]


# --- the vectors ---------------------------------------------------------------------------------

def test_the_documented_frame_vector_has_its_crc_and_cobs():
    decoded, wire = vector("decoded"), vector("wire")
    assert struct.unpack("<I", decoded[-4:])[0] == zlib.crc32(decoded[:-4])
    assert cobs_encode(decoded) + b"\x00" == wire
    assert frame(message_id("STATUS_GET"), 256, b"") == wire


def test_the_documented_handshake_and_signed_exchange_verify_byte_for_byte():
    keys = TEST_KEYS
    nh, nd = vector("Nh"), vector("Nd")
    k_nonce = mac(keys[2], b"SCS1 nonce key", keys[1], keys["device_id"].to_bytes(8, "little"))
    assert k_nonce == vector("K_nonce")
    assert mac(k_nonce, b"SCS1 nonce", struct.pack("<II", 1, 1), bytes(16))[:16] == nd
    hello = frame(message_id("HELLO"), 1, bytes([2]) + nh)
    assert hello == vector("HELLO")
    ch = unframe(vector("CHALLENGE"))
    off = field_offsets("CHALLENGE")
    pd, ph, ks = proofs(keys[2], 2, nh, nd, keys["device_id"])
    assert ch["payload"][off["device_nonce"]:off["device_nonce"] + 16] == nd
    assert ch["payload"][off["device_proof"]:off["device_proof"] + 32] == pd and not ch["flags"] & 0x04
    assert ph == vector("Ph") and ks == vector("Ks")
    assert frame(message_id("AUTH"), 2, nh + ph) == vector("AUTH")
    session = unframe(vector("SESSION"))
    assert session["counter"] == 1 and response_tag(ks, session["signed"], 0) == session["tag"]
    signed = struct.pack("<BBBH", 1, message_id("CLOCK_GET"), 0x04, 3) + struct.pack("<I", 1)
    assert frame(message_id("CLOCK_GET"), 3, b"", 0x04, struct.pack("<I", 1) + request_tag(ks, signed)) == vector("request")
    response = unframe(vector("response"))
    assert response["id"] == message_id("CLOCK") and response["seq"] == 3
    assert response_tag(ks, response["signed"], 1) == response["tag"]
    assert response_tag(ks, response["signed"], 2) != response["tag"], "bound to the request's counter"


# --- a live login against the model target ------------------------------------------------------

class _Link:
    def __init__(self, port):
        self.port, self.buf = port, b""

    def exchange(self, wire: bytes, seq: int) -> dict:
        self.port.write(b"\x00" + wire)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            self.buf += self.port.read(max(1, self.port.in_waiting))
            while b"\x00" in self.buf:
                one, self.buf = self.buf.split(b"\x00", 1)
                if one:
                    f = unframe(one)
                    if f["seq"] == seq and not f["flags"] & 0x02:
                        return f
        raise AssertionError(f"no answer to seq {seq}")


@pytest.mark.parametrize("role", [1, 2])
def test_a_client_written_from_the_document_logs_into_the_model_and_is_answered(role):
    from hil.link.model_port import ModelSerial  # the target only: everything on the wire is this file's own

    port = ModelSerial("scsmodel://", timeout=0.05)
    link, keys = _Link(port), TEST_KEYS
    info = link.exchange(frame(message_id("DEVICE_INFO_GET"), 1, b""), 1)
    off = field_offsets("DEVICE_INFO")
    device_id = struct.unpack_from("<Q", info["payload"], off["device_id"])[0]
    assert device_id == keys["device_id"]
    nh = os.urandom(16)
    ch = link.exchange(frame(message_id("HELLO"), 2, bytes([role]) + nh), 2)
    off = field_offsets("CHALLENGE")
    assert ch["payload"][off["result"]] == 0
    nd = ch["payload"][off["device_nonce"]:off["device_nonce"] + 16]
    pd, ph, ks = proofs(keys[role], role, nh, nd, device_id)
    assert ch["payload"][off["device_proof"]:off["device_proof"] + 32] == pd, "the device proves the key"
    session = link.exchange(frame(message_id("AUTH"), 3, nh + ph), 3)
    assert session["payload"][field_offsets("SESSION")["result"]] == 0
    assert response_tag(ks, session["signed"], 0) == session["tag"]
    signed = struct.pack("<BBBH", 1, message_id("STATUS_GET"), 0x04, 4) + struct.pack("<I", 1)
    status = link.exchange(frame(message_id("STATUS_GET"), 4, b"", 0x04, struct.pack("<I", 1) + request_tag(ks, signed)), 4)
    assert status["id"] == message_id("STATUS") and status["counter"] > session["counter"]
    assert response_tag(ks, status["signed"], 1) == status["tag"]
    port.close()
