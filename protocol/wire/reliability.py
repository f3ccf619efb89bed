"""Exactly-once delivery: the sender's retry loop and the receiver's response cache.

A request carries a 16-bit sequence number; its response echoes it. The sender retransmits with the
same number until a response arrives or it gives up. The receiver remembers the last responses of
state-changing requests by sequence number and answers a retransmission from that memory instead
of executing the request again.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

R = TypeVar("R")


class NoResponseError(TimeoutError):
    """The peer did not answer a request after every retry."""


@dataclass(frozen=True)
class RetryPolicy:
    timeout_s: float = 0.5    # per attempt (host-side I/O; the device model never reads wall time)
    attempts: int = 4

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.attempts < 1:
            raise ValueError(f"retry policy {self} is not allowed: timeout_s > 0 and attempts >= 1")


class SequenceNumbers:
    """16-bit sequence numbers 1..65535, wrapping (0 is never used, so a zeroed frame is not a request)."""

    def __init__(self, start: int = 1):
        self._next = start

    def next(self) -> int:
        seq = self._next
        self._next = seq % 0xFFFF + 1
        return seq


def send_with_retries(send: Callable[[int], None], wait: Callable[[float], R | None], policy: RetryPolicy,
                      what: str) -> R:
    """Call ``send(attempt)`` then ``wait(timeout_s)`` until it returns a response; retransmissions
    reuse the sequence number (``send`` decides how to rebuild the frame, e.g. with a new counter)."""
    for attempt in range(policy.attempts):
        send(attempt)
        response = wait(policy.timeout_s)
        if response is not None:
            return response
    raise NoResponseError(f"no response to {what} after {policy.attempts} attempts of {policy.timeout_s:g} s: "
                          "check the port, the target's power and its baud rate")


class ResponseCache(Generic[R]):
    """Responses of the last ``size`` state-changing requests, by sequence number.

    A hit needs the same sequence number *and* the same message id, length and payload: a different request that
    reuses a number after wrap-around is executed, not answered from the cache.
    """

    def __init__(self, size: int = 8):
        self.size = size
        self._entries: OrderedDict[int, tuple[bytes, R]] = OrderedDict()
        self.hits = 0

    @staticmethod
    def fingerprint(msg_id: int, payload: bytes) -> bytes:
        """SHA-256 over message id u8 | payload length u16 | payload, first 16 bytes: a different
        request can't match by accident (unlike a CRC, which anyone can make collide)."""
        return hashlib.sha256(bytes([msg_id]) + len(payload).to_bytes(2, "little") + payload).digest()[:16]

    def get(self, seq: int, msg_id: int, payload: bytes) -> R | None:
        entry = self._entries.get(seq)
        if entry is not None and entry[0] == self.fingerprint(msg_id, payload):
            self.hits += 1
            return entry[1]
        return None

    def put(self, seq: int, msg_id: int, payload: bytes, response: R) -> None:
        self._entries[seq] = (self.fingerprint(msg_id, payload), response)
        self._entries.move_to_end(seq)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
