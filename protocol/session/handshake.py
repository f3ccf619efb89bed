"""Authenticated sessions: per-device role keys, mutual handshake, signed frames, replay protection.

The wire layouts (every HMAC input byte by byte), the threat model and test vectors are in
`protocol/session/security.md`, included in docs/protocol.md; this module is their reference code.

Keys: one 32-byte key per role (patient, clinician, and on development devices test), kept in a key
file the host loads (`KeyStore`); nothing secret is in the code. Handshake::

    host   -> HELLO(role, Nh)
    device -> CHALLENGE(Nd, Pd = HMAC(K_role, "SCS1 dev"  | role | Nh | Nd | device_id))
    host   -> AUTH(Nh, Ph = HMAC(K_role, "SCS1 host" | role | Nd | Nh | device_id))  (host checked Pd)
    device -> SESSION(OK), signed with Ks, counter 1                             (device checked Ph)
    session key Ks = HMAC(K_role, "SCS1 session" | role | Nh | Nd | device_id)

Every later frame of the session carries a counter u32 (strictly increasing per direction) and an
8-byte tag: HMAC-SHA256(Ks, 0x01 | header | payload | counter) from the host;
HMAC-SHA256(Ks, 0x02 | header | payload | counter | answered) from the device, where ``answered``
is the counter of the request the frame answers (0 for events and SESSION), so a response can't be
passed off as the answer to another request. 64-bit tags: one forgery try per frame at under 10^4
frames/s over 115,200 baud succeeds with probability 2^-64 (MAVLink 2 uses 48 bits).
"""


from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from protocol.session.crypto import DEVICE_TO_HOST, HOST_TO_DEVICE, NONCE_BYTES, FrameAuthenticator, device_proof, host_proof, session_key
from protocol.session.keys import DeviceKeys
from protocol.spec.catalog import Role


class HandshakeError(Exception):
    pass


@dataclass
class SessionState:
    """One established session, on either side."""

    role: Role
    key: bytes
    tx_direction: bytes
    rx_direction: bytes
    tx_counter: int = 0
    rx_counter: int = 0
    auth: FrameAuthenticator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.auth = FrameAuthenticator(self.key)

    def sign(self, answered: int | None = None) -> tuple[int, Callable[[bytes], bytes]]:
        """Next counter and a signer for a frame sent by this side (``answered``: device frames)."""
        self.tx_counter += 1
        return self.tx_counter, lambda body: self.auth.tag(self.tx_direction, body, answered)

    def check(self, counter: int, signed_body: bytes, tag: bytes,
              answered: Iterable[int | None] = (None,)) -> str:
        """'OK', 'BAD_TAG', 'REPLAY' or 'STALE_COUNTER' for a received signed frame; OK advances the counter.

        ``answered``: the request counters the frame may answer (host side); the tag must verify
        under one of them. The tag is checked first, so a forged frame can't probe the counter.
        """
        if not any(hmac.compare_digest(self.auth.tag(self.rx_direction, signed_body, a), tag) for a in answered):
            return "BAD_TAG"
        if counter == self.rx_counter:
            return "REPLAY"
        if counter < self.rx_counter:
            return "STALE_COUNTER"
        self.rx_counter = counter
        return "OK"


@dataclass
class HostHandshake:
    """Host side of the handshake for one role and device."""

    keys: DeviceKeys
    role: Role
    random_bytes: Callable[[int], bytes] = secrets.token_bytes
    host_nonce: bytes = field(default=b"", init=False)
    device_nonce: bytes = field(default=b"", init=False)

    def hello_nonce(self) -> bytes:
        self.host_nonce = self.random_bytes(NONCE_BYTES)
        return self.host_nonce

    def answer_challenge(self, device_nonce: bytes, proof: bytes) -> bytes:
        """Verify the device's proof; return the host proof. Raises HandshakeError on a bad proof."""
        key = self.keys.for_role(self.role)
        want = device_proof(key, self.role, self.host_nonce, device_nonce, self.keys.device_id)
        if not hmac.compare_digest(want, proof):
            raise HandshakeError("the device's proof does not verify: wrong key, wrong device or an impostor")
        self.device_nonce = device_nonce
        return host_proof(key, self.role, self.host_nonce, device_nonce, self.keys.device_id)

    def session(self) -> SessionState:
        key = session_key(self.keys.for_role(self.role), self.role, self.host_nonce, self.device_nonce,
                          self.keys.device_id)
        return SessionState(self.role, key, HOST_TO_DEVICE, DEVICE_TO_HOST)


