"""Files that stand in for the virtual board's non-volatile memory.

`FileSlots` is a two-slot erasable store in one file (the shape `protocol.session.security.SecurityStore`
and `firmware_model.device.nvm.SettingsStore` write to): every erase and program is written through and
fsync'ed before it returns, so a killed board process (a power cut) leaves the file as the last
completed step left it, and the two-slot rule keeps the previous record readable.
"""

from __future__ import annotations

import os
from pathlib import Path


class FileSlots:
    def __init__(self, path: str | Path, slot_size: int = 64):
        self.path = Path(path)
        self.slot_size = slot_size
        size = 2 * slot_size
        if not self.path.exists() or self.path.stat().st_size != size:
            if self.path.exists() and self.path.stat().st_size not in (0, size):
                raise ValueError(f"{self.path}: {self.path.stat().st_size} bytes, expected {size} "
                                 "(not a security record file of this board)")
            self._write_all(b"\xff" * size)

    def _write_all(self, data: bytes) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, data, 0)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _write(self, offset: int, data: bytes) -> None:
        fd = os.open(self.path, os.O_RDWR)
        try:
            os.pwrite(fd, data, offset)
            os.fsync(fd)
        finally:
            os.close(fd)

    def erase(self, slot: int) -> None:
        self._write(slot * self.slot_size, b"\xff" * self.slot_size)

    def program(self, slot: int, offset: int, data: bytes) -> None:
        if offset + len(data) > self.slot_size:
            raise ValueError(f"{len(data)} bytes at {offset} do not fit a {self.slot_size}-byte slot")
        self._write(slot * self.slot_size + offset, data)

    def read(self, slot: int) -> bytes:
        with open(self.path, "rb") as f:
            f.seek(slot * self.slot_size)
            return f.read(self.slot_size)
