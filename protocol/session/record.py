"""The security record: what the device keeps about security across every reset, apart from its
settings (boot epoch, failed proofs and back-off per role), in two slots with a sequence and a CRC."""


from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from typing import Protocol

from protocol.spec import generated
from protocol.spec.catalog import Role


# ------------------------------------------------------------------------- persisted security state
class RecordStorage(Protocol):
    """Two erasable slots (see `firmware_model.device.nvm.FlashSlots` and `hil.sim.state.FileSlots`)."""

    def erase(self, slot: int) -> None: ...
    def program(self, slot: int, offset: int, data: bytes) -> None: ...
    def read(self, slot: int) -> bytes: ...


RECORD_MAGIC = generated.SECURITY_RECORD_MAGIC  # "SCSK"
#: the layout is the device definition's ([security_record]): magic, sequence, epoch, then per keyed role
#: (failures u16, remaining ticks u32); a CRC-32 of the body follows
RECORD = struct.Struct(generated.SECURITY_RECORD_FORMAT)
RECORD_BYTES = generated.SECURITY_RECORD_SIZE
ROLE_SLOTS = (Role.PATIENT, Role.CLINICIAN, Role.TEST)


@dataclass
class SecurityRecord:
    """What the device keeps about security across every kind of reset, apart from its settings:
    the boot epoch of its nonces and, per role, failed proofs in a row and back-off ticks remaining."""

    sequence: int = 0
    epoch: int = 0
    failures: dict[Role, int] = field(default_factory=lambda: {r: 0 for r in ROLE_SLOTS})
    remaining: dict[Role, int] = field(default_factory=lambda: {r: 0 for r in ROLE_SLOTS})

    def encode(self) -> bytes:
        vals = []
        for r in ROLE_SLOTS:
            vals += [min(self.failures[r], 0xFFFF), min(self.remaining[r], 0xFFFFFFFF)]
        body = RECORD.pack(RECORD_MAGIC, self.sequence, self.epoch, *vals)
        return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)

    @classmethod
    def decode(cls, raw: bytes) -> SecurityRecord | None:
        if len(raw) < RECORD_BYTES:
            return None
        body = raw[:RECORD.size]
        if struct.unpack_from("<I", raw, RECORD.size)[0] != zlib.crc32(body) & 0xFFFFFFFF:
            return None
        magic, seq, epoch, *vals = RECORD.unpack(body)
        if magic != RECORD_MAGIC:
            return None
        rec = cls(seq, epoch)
        for i, r in enumerate(ROLE_SLOTS):
            rec.failures[r], rec.remaining[r] = vals[2 * i], vals[2 * i + 1]
        return rec


class SecurityStore:
    """The record in two slots: a write goes to the slot without the newest valid record (erase,
    then one program), so a power loss at any step leaves the previous record readable."""

    def __init__(self, slots: RecordStorage):
        self.slots = slots

    def _newest(self) -> tuple[int, SecurityRecord | None]:
        """(slot, record) of the newest valid record; (-1, None) when neither slot holds one.
        Sequences compare modulo 2^32 (serial number arithmetic, RFC 1982)."""
        recs = [SecurityRecord.decode(self.slots.read(i)) for i in range(2)]
        if recs[0] is None or recs[1] is None:
            return (0, recs[0]) if recs[0] is not None else (1, recs[1]) if recs[1] is not None else (-1, None)
        newer = ((recs[1].sequence - recs[0].sequence) & 0xFFFFFFFF) < 0x80000000
        return (1, recs[1]) if newer else (0, recs[0])

    def has_record(self) -> bool:
        """A valid record in either slot (blank, erased or corrupt slots hold none)."""
        return self._newest()[1] is not None

    def provision(self) -> None:
        """What the factory does once: write the first record (epoch 0) into blank slots."""
        if not self.has_record():
            self.save(SecurityRecord())

    def load(self) -> SecurityRecord:
        return self._newest()[1] or SecurityRecord()

    def save(self, record: SecurityRecord) -> None:
        slot, newest = self._newest()
        target = 1 if slot == 0 else 0
        record.sequence = ((newest.sequence if newest is not None else 0) + 1) & 0xFFFFFFFF
        self.slots.erase(target)
        self.slots.program(target, 0, record.encode())


