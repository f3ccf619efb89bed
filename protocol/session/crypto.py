"""The session cryptography: proofs, session key, frame tags and device nonces (HMAC-SHA256).

Every input is laid out byte by byte in protocol/session/security.md."""


from __future__ import annotations

import hashlib
import hmac
import struct

from protocol.wire.framing import TAG_BYTES

KEY_BYTES = 32
NONCE_BYTES = 16
PROOF_BYTES = 32
HOST_TO_DEVICE = b"\x01"
DEVICE_TO_HOST = b"\x02"


def _id(device_id: int) -> bytes:
    return device_id.to_bytes(8, "little")


def device_proof(key: bytes, role: int, host_nonce: bytes, device_nonce: bytes, device_id: int) -> bytes:
    return hmac.digest(key, b"SCS1 dev" + bytes([role]) + host_nonce + device_nonce + _id(device_id), "sha256")


def host_proof(key: bytes, role: int, host_nonce: bytes, device_nonce: bytes, device_id: int) -> bytes:
    return hmac.digest(key, b"SCS1 host" + bytes([role]) + device_nonce + host_nonce + _id(device_id), "sha256")


def session_key(key: bytes, role: int, host_nonce: bytes, device_nonce: bytes, device_id: int) -> bytes:
    return hmac.digest(key, b"SCS1 session" + bytes([role]) + host_nonce + device_nonce + _id(device_id), "sha256")


def frame_tag(key: bytes, direction: bytes, signed_body: bytes, answered: int | None = None) -> bytes:
    """The 8-byte tag of a frame; ``answered`` (device frames only) is the answered request's counter."""
    tail = b"" if answered is None else struct.pack("<I", answered)
    return hmac.digest(key, direction + signed_body + tail, "sha256")[:TAG_BYTES]


def nonce_key(patient: bytes, clinician: bytes, device_id: int) -> bytes:
    """The device's own nonce key: derived from its role keys, so it is as secret as they are and no
    public constant seeds the nonces. (A holder of only the patient key can't compute it.)"""
    return hmac.digest(clinician, b"SCS1 nonce key" + patient + _id(device_id), "sha256")


def derive_device_nonce(k_nonce: bytes, epoch: int, counter: int, rng: bytes = bytes(16)) -> bytes:
    """Nd = HMAC(K_nonce, "SCS1 nonce" | epoch u32 | counter u32 | rng 16 bytes)[:16].

    (epoch, counter) never repeats for the life of the device (the epoch is persisted before the
    first nonce of a boot), so Nd never repeats; ``rng`` mixes in a hardware RNG when there is one.
    """
    if len(rng) != 16:
        raise ValueError(f"rng input of {len(rng)} bytes, expected 16")
    return hmac.digest(k_nonce, b"SCS1 nonce" + struct.pack("<II", epoch, counter) + rng, "sha256")[:NONCE_BYTES]


class FrameAuthenticator:
    """HMAC-SHA256 frame tags with the key's inner and outer pads hashed once (RFC 2104 section 4):
    per frame this costs two SHA-256 runs over the frame instead of four plus the key schedule.
    ``tag()`` equals `frame_tag`."""

    def __init__(self, key: bytes):
        block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def tag(self, direction: bytes, signed_body: bytes, answered: int | None = None) -> bytes:
        inner = self._inner.copy()
        inner.update(direction)
        inner.update(signed_body)
        if answered is not None:
            inner.update(struct.pack("<I", answered))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()[:TAG_BYTES]


