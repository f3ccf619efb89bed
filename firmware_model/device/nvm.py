"""Persistent settings in two flash slots: a power loss at any step of a write loses nothing.

Image layout in a slot (little-endian)::

    magic u32 "SCS1" | sequence u32 | payload length u32 | payload | CRC-32 of all before it

A write goes to the slot that does *not* hold the newest valid image, in steps: erase, then one
page at a time. Until its last page (holding the CRC) is written the new image is invalid, so a
reboot after a power loss at any step finds the old image in the other slot; after the last step it
finds the new one (higher sequence). Boot takes the valid image with the highest sequence; if neither
slot is valid the device starts from safe defaults (stimulation off) and logs why.
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from protocol.spec import generated as dev

MAGIC = dev.SETTINGS_MAGIC  # "SCS1"
HEADER = struct.Struct("<III")
CRC = struct.Struct("<I")


class PowerLoss(Exception):
    """Raised by a storage whose power fails during a write step."""


@dataclass
class FlashSlots:
    """Two erasable slots of ``slot_size`` bytes written in ``page_size`` pages.

    ``fail_at_step``: when set, the write step with that number (counting every erase and page
    program since the storage was created) loses power: it is not performed and `PowerLoss` raised.
    """

    slot_size: int = dev.SETTINGS_SLOT_SIZE
    page_size: int = dev.SETTINGS_PAGE_SIZE
    fail_at_step: int | None = None

    def __post_init__(self) -> None:
        self.slots = [bytearray(b"\xff" * self.slot_size) for _ in range(2)]
        self.steps = 0

    def _step(self) -> None:
        if self.fail_at_step is not None and self.steps == self.fail_at_step:
            self.fail_at_step = None
            raise PowerLoss(f"power lost at write step {self.steps}")
        self.steps += 1

    def erase(self, slot: int) -> None:
        self._step()
        self.slots[slot][:] = b"\xff" * self.slot_size

    def program(self, slot: int, offset: int, data: bytes) -> None:
        self._step()
        self.slots[slot][offset:offset + len(data)] = data

    def read(self, slot: int) -> bytes:
        return bytes(self.slots[slot])


class FileFlash(FlashSlots):
    """Flash slots kept in a file (slot 0, then slot 1): a process that ends at any moment, even killed
    between two write steps, is a power loss; the next process on the same file boots from what was
    written (the two-slot scheme leaves the old or the new image).

    ``die_at_step``: test hook, the process exits at once (no clean-up, as if killed) at that write step.
    """

    def __init__(self, path: str | os.PathLike[str], die_at_step: int | None = None):
        super().__init__()
        self.path = Path(path)
        self.die_at_step = die_at_step
        size = 2 * self.slot_size
        if not self.path.exists() or self.path.stat().st_size != size:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(b"\xff" * size)
        raw = self.path.read_bytes()
        self.slots = [bytearray(raw[i * self.slot_size:(i + 1) * self.slot_size]) for i in range(2)]

    def _write_through(self, slot: int, offset: int, data: bytes) -> None:
        if self.die_at_step is not None and self.steps - 1 == self.die_at_step:
            os._exit(137)  # killed in the middle of a write: this step never reaches the file
        with open(self.path, "r+b") as f:
            f.seek(slot * self.slot_size + offset)
            f.write(data)

    def erase(self, slot: int) -> None:
        super().erase(slot)
        self._write_through(slot, 0, bytes(self.slots[slot]))

    def program(self, slot: int, offset: int, data: bytes) -> None:
        super().program(slot, offset, data)
        self._write_through(slot, offset, data)


def encode_image(sequence: int, payload: bytes) -> bytes:
    body = HEADER.pack(MAGIC, sequence, len(payload)) + payload
    return body + CRC.pack(zlib.crc32(body) & 0xFFFFFFFF)


def decode_image(raw: bytes) -> tuple[int, bytes] | None:
    """(sequence, payload) of a valid image, or None."""
    if len(raw) < HEADER.size + CRC.size:
        return None
    magic, seq, length = HEADER.unpack_from(raw, 0)
    end = HEADER.size + length
    if magic != MAGIC or end + CRC.size > len(raw):
        return None
    (crc,) = CRC.unpack_from(raw, end)
    if zlib.crc32(raw[:end]) & 0xFFFFFFFF != crc:
        return None
    return seq, raw[HEADER.size:end]


class SettingsStore:
    """Two-slot persistent store of one settings payload."""

    def __init__(self, flash: FlashSlots):
        self.flash = flash

    def load(self) -> tuple[int, bytes] | None:
        """The newest valid (sequence, payload), or None when both slots are invalid."""
        images = [(img, i) for i in range(2) if (img := decode_image(self.flash.read(i))) is not None]
        if not images:
            return None
        (seq, payload), _ = max(images, key=lambda x: x[0][0])
        return seq, payload

    def slot_states(self) -> list[bool]:
        return [decode_image(self.flash.read(i)) is not None for i in range(2)]

    def save(self, payload: bytes) -> int:
        """Write a new image (sequence + 1) to the older slot; returns its sequence."""
        images = [decode_image(self.flash.read(i)) for i in range(2)]
        seqs = [img[0] if img else -1 for img in images]
        newest = max(seqs)
        target = 1 if seqs[0] >= seqs[1] else 0  # never overwrite the newest valid image
        image = encode_image(newest + 1, payload)
        if len(image) > self.flash.slot_size:
            raise ValueError(f"settings image of {len(image)} bytes does not fit a {self.flash.slot_size}-byte slot")
        self.flash.erase(target)
        page = self.flash.page_size
        # write every page but the first, then the first (the header's magic): until the last
        # step the image can't validate, whatever order pages land in
        pages = [(off, image[off:off + page]) for off in range(0, len(image), page)]
        for off, data in pages[1:] + pages[:1]:
            self.flash.program(target, off, data)
        return newest + 1

    def steps_per_save(self, payload_len: int) -> int:
        size = HEADER.size + payload_len + CRC.size
        return 1 + -(-size // self.flash.page_size)
