"""A host's login is not stopped by forged handshake refusals (docs/protocol.md, "Host rules"): an
unsigned CHALLENGE refusal carries no proof, so the host keeps waiting for a proof-carrying CHALLENGE
and caps any retry_after at the longest back-off the device applies."""

from __future__ import annotations

from typing import Any

from hil.link.bridge import Bridge
from hil.targets.model import ModelTarget
from protocol.spec.catalog import Role, load_catalog
from protocol.spec.generated import BACKOFF_MAX_TICKS
from protocol.wire.codec import encode_payload, make
from protocol.wire.framing import StreamDecoder, encode_frame

CAT = load_catalog()
FLAG_RESPONSE = 0x01


class ForgerInFront:
    """A port on which an attacker answers every HELLO first with CHALLENGE(BUSY, 2^32 - 1 ms)."""

    def __init__(self, port: Any):
        self.port, self.decoder, self.forged = port, StreamDecoder(), 0
        self._pending = b""

    def write(self, data: bytes) -> int:
        for frame in self.decoder.feed(data):
            if getattr(frame, "msg_id", None) == CAT["HELLO"].id:
                busy = make(CAT, "CHALLENGE", result=CAT.result_code("BUSY"), device_nonce=bytes(16),
                            device_proof=bytes(32), retry_after_ms=2**32 - 1)
                self._pending += encode_frame(CAT["CHALLENGE"].id, frame.seq, encode_payload(CAT["CHALLENGE"], busy),
                                              flags=FLAG_RESPONSE)
                self.forged += 1
        return self.port.write(data)

    def read(self, size: int = 1) -> bytes:
        if self._pending:
            out, self._pending = self._pending, b""
            return out
        return self.port.read(size)

    @property
    def in_waiting(self) -> int:
        return len(self._pending) or self.port.in_waiting

    def close(self) -> None:
        self.port.close()


def test_a_forged_busy_challenge_with_the_largest_retry_after_does_not_stop_a_login():
    t = ModelTarget()
    link = ForgerInFront(t.open_port())
    with Bridge(link, keys=t.keys) as b:
        b.login(Role.PATIENT)  # without waiting: the device's own CHALLENGE (with its proof) follows
        assert link.forged >= 1 and b.role is Role.PATIENT
        assert b.call("STATUS_GET").battery_soc_permille > 0, "the session works"


def test_the_host_caps_retry_after_at_the_longest_back_off():
    assert Bridge.MAX_RETRY_AFTER_S == BACKOFF_MAX_TICKS / 1_000_000 == 64
