"""The device's event log: a bounded list of what happened, oldest first, each with its tick.

Kinds and codes are shared with the protocol's EVENT and EVENT_LOG_ENTRY messages. The log lives in
retained memory: it survives resets and power loss (a reset is itself logged).

Regions (never on the wire): every entry has the rank of who caused it: refusals of frames that did
not authenticate (0, summaries), a session's refusals by its role (patient 1, clinician 2, test 3),
the device's own events (4). Each rank has a region of the log: ``summaries`` entries, ``per_role``
for each role, the rest for the device. A new entry in a full region evicts the oldest entry of that
region only. So nobody's refusals, with or without a key, evict the device's entries or another
role's, and every rank keeps its newest entries.
"""

from __future__ import annotations

from dataclasses import dataclass

from protocol.spec.catalog import load_catalog
from protocol.spec.generated import (
    EVENT_LOG_CAPACITY,
    EVENT_LOG_PER_ROLE,
    EVENT_LOG_SUMMARIES,
    EventKind,
    FaultCode,
    ModeCode,
    ResetCode,
)

__all__ = ["EventKind", "FaultCode", "ModeCode", "ResetCode", "SECURITY_CODES", "LogEntry", "EventLog",
           "RANK_UNAUTHENTICATED", "RANK_DEVICE"]

#: ranks of entries (see the module docstring); a session's entries have its role's number
RANK_UNAUTHENTICATED = 0
RANK_DEVICE = 4


#: the security event code of a refused request is its result code
SECURITY_CODES = {r.name: r.code for r in load_catalog().results}


@dataclass(frozen=True)
class LogEntry:
    tick: int
    kind: EventKind
    code: int
    detail: int = 0
    rank: int = RANK_DEVICE   # who caused it (kept by the device, not sent)


class EventLog:
    def __init__(self, capacity: int = EVENT_LOG_CAPACITY, summaries: int = EVENT_LOG_SUMMARIES,
                 per_role: int = EVENT_LOG_PER_ROLE):
        self.regions = [summaries, per_role, per_role, per_role, capacity - summaries - 3 * per_role]
        if min(self.regions) < 0:
            raise ValueError(f"a log of {capacity} entries can't hold {summaries} summaries and {per_role} "
                             "per role: allowed at most capacity entries in all")
        self.capacity = capacity
        self._ring: list[LogEntry] = []
        self.dropped = 0

    def add(self, tick: int, kind: EventKind, code: int, detail: int = 0, rank: int = RANK_DEVICE) -> LogEntry | None:
        """Append an entry; when its region is full, evict that region's oldest entry. None: dropped
        (a region of no entries)."""
        if self._ring and tick < self._ring[-1].tick:
            raise ValueError(f"event at tick {tick} is older than the last logged ({self._ring[-1].tick})")
        region = [i for i, e in enumerate(self._ring) if e.rank == rank]
        if len(region) >= self.regions[rank]:
            self.dropped += 1
            if not region:
                return None
            del self._ring[region[0]]
        entry = LogEntry(tick, kind, int(code), detail & 0xFFFFFFFF, rank)
        self._ring.append(entry)
        return entry

    def replace_last(self, tick: int, kind: EventKind, code: int, detail: int = 0) -> LogEntry:
        """Update the newest entry in place (a summary that counts repeated refusals)."""
        if not self._ring:
            raise IndexError("the log is empty")
        if len(self._ring) > 1 and tick < self._ring[-2].tick:
            raise ValueError(f"event at tick {tick} is older than the entry before it ({self._ring[-2].tick})")
        entry = LogEntry(tick, kind, int(code), detail & 0xFFFFFFFF, self._ring[-1].rank)
        self._ring[-1] = entry
        return entry

    def __len__(self) -> int:
        return len(self._ring)

    def __getitem__(self, i: int) -> LogEntry:
        return self._ring[i]

    def entries(self) -> list[LogEntry]:
        return list(self._ring)
