"""The device's event log: a bounded list of what happened, oldest first, each with its tick.

Kinds and codes are shared with the protocol's EVENT and EVENT_LOG_ENTRY messages. The log lives in
retained memory: it survives resets and power loss (a reset is itself logged).

Two regions, and eviction by rank (never on the wire): every entry has the rank of who caused it,
lowest first: refusals of frames that did not authenticate (0, summaries), then the session's role
(patient 1, clinician 2, test 3), then the device's own events (4). Summaries have a region of
``summaries`` entries: a new one evicts the oldest summary. The other entries share the rest: a new
one evicts the oldest entry of the lowest rank there, if that rank is at most its own; otherwise the
new entry is dropped (counted). So nobody's refusals evict the device's entries or those of a higher
role, and a flood of authenticated entries still leaves room for the summaries.
"""

from __future__ import annotations

from dataclasses import dataclass

from protocol.spec.catalog import load_catalog
from protocol.spec.generated import EVENT_LOG_CAPACITY, EVENT_LOG_SUMMARIES, EventKind, FaultCode, ModeCode, ResetCode

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
    def __init__(self, capacity: int = EVENT_LOG_CAPACITY, summaries: int = EVENT_LOG_SUMMARIES):
        if not 0 < summaries < capacity:
            raise ValueError(f"{summaries} summary entries in a log of {capacity}: allowed 1 to {capacity - 1}")
        self.capacity = capacity
        self.summaries = summaries
        self._ring: list[LogEntry] = []
        self.dropped = 0

    def add(self, tick: int, kind: EventKind, code: int, detail: int = 0, rank: int = RANK_DEVICE) -> LogEntry | None:
        """Append an entry; when its region is full, evict by rank (module docstring). None: dropped."""
        if self._ring and tick < self._ring[-1].tick:
            raise ValueError(f"event at tick {tick} is older than the last logged ({self._ring[-1].tick})")
        summary = rank == RANK_UNAUTHENTICATED
        region = [i for i, e in enumerate(self._ring) if (e.rank == RANK_UNAUTHENTICATED) == summary]
        if len(region) == (self.summaries if summary else self.capacity - self.summaries):
            self.dropped += 1
            victim = min(region, key=lambda i: self._ring[i].rank)  # the oldest of the lowest rank
            if self._ring[victim].rank > rank:
                return None
            del self._ring[victim]
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
