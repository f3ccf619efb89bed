"""A fault-injecting wrapper around any pyserial-compatible port, for tests of the link layer.

Each byte written or read can be dropped, have one bit flipped, be duplicated or held back (delayed
to a later read); `disconnect()` makes every later call fail like a vanished USB adapter. Faults are
drawn from a seeded generator, so a failing run can be replayed exactly.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

import serial


@dataclass(frozen=True)
class Faults:
    drop: float = 0.0        # probability a byte is lost
    flip: float = 0.0        # probability a byte has one bit flipped
    duplicate: float = 0.0   # probability a byte is sent twice
    delay: float = 0.0       # probability a read chunk is held back until the next read
    seed: int = 1

    def __post_init__(self) -> None:
        for name in ("drop", "flip", "duplicate", "delay"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} = {getattr(self, name)} is not allowed: a probability 0 to 1")


class FaultyLink:
    """Wraps ``port``; faults apply in both directions."""

    def __init__(self, port, faults: Faults):
        self.port = port
        self.faults = faults
        self.rng = random.Random(faults.seed)
        self._lock = threading.Lock()
        self._held = b""
        self._down = False
        self.stats = {"dropped": 0, "flipped": 0, "duplicated": 0, "delayed": 0}

    def _mangle(self, data: bytes) -> bytes:
        f, out = self.faults, bytearray()
        with self._lock:
            for b in data:
                if self.rng.random() < f.drop:
                    self.stats["dropped"] += 1
                    continue
                if self.rng.random() < f.flip:
                    b ^= 1 << self.rng.randrange(8)
                    self.stats["flipped"] += 1
                out.append(b)
                if self.rng.random() < f.duplicate:
                    out.append(b)
                    self.stats["duplicated"] += 1
        return bytes(out)

    def disconnect(self) -> None:
        self._down = True

    def _check(self) -> None:
        if self._down:
            raise serial.SerialException(f"{getattr(self.port, 'port', 'port')}: device disconnected")

    def write(self, data: bytes) -> int:
        self._check()
        self.port.write(self._mangle(data))
        return len(data)

    def read(self, size: int = 1) -> bytes:
        self._check()
        data = self._held + self._mangle(self.port.read(size))
        self._held = b""
        if data and self.rng.random() < self.faults.delay:
            self._held, data = data, b""
            self.stats["delayed"] += 1
        self._check()
        return data

    @property
    def in_waiting(self) -> int:
        return getattr(self.port, "in_waiting", 0)

    def close(self) -> None:
        self.port.close()

    def __getattr__(self, name):
        return getattr(self.port, name)
